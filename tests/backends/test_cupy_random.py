"""The CuPy random adaptor with a stand-in ``cupy`` (NumPy underneath) lacking what CuPy's
``RandomState`` lacks: ``multinomial``, ``get_state`` and ``set_state``."""

from __future__ import annotations

import contextlib
import types
from typing import Any

import numpy
import pytest

from minpy.backends.cupy_random import CupyRandomState


class _DeviceArray(numpy.ndarray):
    """Stands in for ``cupy.ndarray``: arrays that live on the "device"."""


class _CupyLikeRandomState:
    """CuPy's RandomState as far as these tests go: NumPy's draws, no state, no multinomial."""

    def __init__(self, seed: int | None = None) -> None:
        self._rs = numpy.random.RandomState(seed)

    def seed(self, seed: int | None = None) -> None:
        self._rs.seed(seed)

    def __getattr__(self, name: str) -> Any:
        if name in ("multinomial", "get_state", "set_state"):
            raise AttributeError(name)
        fn = getattr(self._rs, name)
        return lambda *a: numpy.asarray(fn(*a)).view(_DeviceArray)


def _fake_cupy() -> Any:
    return types.SimpleNamespace(
        ndarray=_DeviceArray,
        random=types.SimpleNamespace(RandomState=_CupyLikeRandomState),
        asarray=lambda a: numpy.asarray(a).view(_DeviceArray),
        asnumpy=lambda a: numpy.asarray(a).view(numpy.ndarray),
    )


def _rs(seed: int | None = 0) -> CupyRandomState:
    return CupyRandomState(_fake_cupy(), contextlib.nullcontext(), seed)


def test_distributions_run_on_the_device_generator() -> None:
    rs = _rs(3)
    want = numpy.random.RandomState(3)
    for name, args in [
        ("binomial", (5, 0.5, 4)),
        ("poisson", (2.0, 4)),
        ("exponential", (1.0, 4)),
        ("gamma", (2.0, 1.0, 4)),
        ("beta", (1.0, 2.0, 4)),
        ("chisquare", (2, 4)),
        ("geometric", (0.3, 4)),
        ("laplace", (0.0, 1.0, 4)),
        ("lognormal", (0.0, 1.0, 4)),
        ("standard_normal", (4,)),
        ("standard_exponential", (4,)),
    ]:
        got = getattr(rs, name)(*args)
        assert isinstance(got, _DeviceArray), name
        numpy.testing.assert_array_equal(got, getattr(want, name)(*args), err_msg=name)


def test_multinomial_is_drawn_on_the_host_and_copied_over() -> None:
    rs = _rs(4)
    pvals = numpy.asarray([0.25, 0.75]).view(_DeviceArray)  # a device array as pvals
    got = rs.multinomial(10, pvals, 3)
    assert isinstance(got, _DeviceArray) and got.shape == (3, 2)
    numpy.testing.assert_array_equal(got, numpy.random.RandomState(4).multinomial(10, pvals, 3))
    # reseeding the device generator reseeds the host one too
    rs.seed(4)
    numpy.testing.assert_array_equal(rs.multinomial(10, [0.25, 0.75], 3), got)


def test_state_cannot_be_exported() -> None:
    rs = _rs()
    with pytest.raises(NotImplementedError, match="cannot export its state"):
        rs.get_state()
    with pytest.raises(NotImplementedError, match="cannot import a state"):
        rs.set_state(None)


def test_spawn_makes_an_independent_generator() -> None:
    rs = _rs(1)
    other = rs.spawn(1)
    assert other is not rs
    numpy.testing.assert_array_equal(other.standard_normal(3), rs.standard_normal(3))
