"""Policies: the differentiable CPU fallback, policy switching and strictness.

A fake accelerator that lacks chosen primitives stands in for a GPU whose CuPy lacks them.
Each test that needs one uses its own device kind, so cached routes never leak between tests.
``fresh_warnings`` (tests/conftest.py) forgets which primitives already warned. Op statistics
are tested in test_stats.py.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import defvjp, grad
from minpy.errors import FallbackError
from minpy.policy import (
    FallbackWarning,
    OnlyNumPyPolicy,
    get_global_policy,
    reset_stats,
    set_global_policy,
    stats,
    use_policy,
    wrap_policy,
)
from minpy.primitive import Primitive
from minpy.testing import check_grads, fake_device

# --------------------------------------------------------------------------------------------
# fallback under prefer_cupy


def test_fallback_runs_on_cpu_and_returns_to_device(fresh_warnings: None) -> None:
    dev = fake_device(kind="lacks_tanh", missing={"tanh"})
    host = numpy.array([0.1, -2.0, 0.5])
    x = np.array(host, device=dev)
    reset_stats()
    with pytest.warns(FallbackWarning, match=r"tanh: not available on lacks_tanh\(0\)"):
        y = np.tanh(x)
    assert y.device is dev
    numpy.testing.assert_allclose(y.asnumpy(), numpy.tanh(host))
    row = stats()["tanh", "numpy"]
    assert row["calls"] == 1 and row["fallbacks"] == 1
    assert row["bytes_moved"] == 2 * host.nbytes  # in and back out


def test_fallback_warns_once_per_primitive(fresh_warnings: None) -> None:
    dev = fake_device(kind="lacks_two", missing={"sinh", "cosh"})
    x = np.ones(2, device=dev)
    with pytest.warns(FallbackWarning, match="sinh"):
        np.sinh(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.sinh(x)
        np.sinh(x * 2)
    with pytest.warns(FallbackWarning, match="cosh"):
        np.cosh(x)
    assert stats()["sinh", "numpy"]["fallbacks"] == 3


def test_fallback_gradients_are_correct(fresh_warnings: None) -> None:
    # tanh runs on the CPU forward; sin's gradient rule needs cos, which also falls back
    dev = fake_device(kind="lacks_tanh_cos", missing={"tanh", "cos"})
    x = np.array([0.3, -0.8, 1.1], device=dev)

    def f(x: Any) -> Any:
        return np.tanh(x) * np.sin(x)

    with pytest.warns(FallbackWarning):
        check_grads(f, x, order=2)
        g = grad(lambda x: np.sum(f(x)))(x)
    assert g.device is dev
    h = x.asnumpy()
    want = (1 - numpy.tanh(h) ** 2) * numpy.sin(h) + numpy.tanh(h) * numpy.cos(h)
    numpy.testing.assert_allclose(g.asnumpy(), want)
    assert stats()["cos", "numpy"]["fallbacks"] >= 1


def _refusing_primitive(kind: str, message: str) -> Primitive:
    """``halve``: NumPy halves, the ``kind`` device refuses with NotImplementedError."""
    p = Primitive(f"halve_{kind}", register=False)
    p.def_impl("numpy", lambda x: x / 2)

    def refuse(x: Any) -> Any:
        raise NotImplementedError(message)

    p.def_impl(kind, refuse)
    defvjp(p, lambda g, ans, x: g / 2, keep="meta")
    return p


def test_fallback_when_device_refuses_arguments(fresh_warnings: None) -> None:
    dev = fake_device(kind="refuses")
    halve = _refusing_primitive("refuses", "not supported for these arguments")
    x = np.array([2.0, 4.0], device=dev)
    reset_stats()
    with pytest.warns(FallbackWarning, match="halve_refuses"):
        y = halve(x)
    assert y.device is dev
    numpy.testing.assert_allclose(y.asnumpy(), [1.0, 2.0])
    row = stats()["halve_refuses", "refuses"]
    assert row["calls"] == 1 and row["fallbacks"] == 1
    g = grad(lambda x: np.sum(halve(x)))(x)
    assert g.device is dev
    numpy.testing.assert_allclose(g.asnumpy(), [0.5, 0.5])


# --------------------------------------------------------------------------------------------
# only_cupy and only_numpy


def test_only_cupy_raises_for_missing_primitive() -> None:
    dev = fake_device(kind="strict_missing", missing={"arctan"})
    x = np.ones(2, device=dev)
    with use_policy("only_cupy"), pytest.raises(FallbackError) as info:
        np.arctan(x)
    msg = str(info.value)
    assert msg.startswith("arctan: ")
    assert "strict_missing(0)" in msg and "only_cupy" in msg
    assert "set_global_policy('prefer_cupy')" in msg


def test_only_cupy_raises_when_device_refuses() -> None:
    dev = fake_device(kind="strict_refuses")
    halve = _refusing_primitive("strict_refuses", "float16 unsupported")
    x = np.ones(2, device=dev)
    set_global_policy("only_cupy")
    with pytest.raises(FallbackError) as info:
        halve(x)
    msg = str(info.value)
    assert "float16 unsupported" in msg and "only_cupy" in msg and "prefer_cupy" in msg
    assert isinstance(info.value.__cause__, NotImplementedError)


def test_only_cupy_allows_what_the_device_has() -> None:
    dev = fake_device(kind="strict_ok", missing={"arctan"})
    with use_policy("only_cupy"):
        y = np.exp(np.zeros(2, device=dev))
    assert y.device is dev
    numpy.testing.assert_array_equal(y.asnumpy(), [1.0, 1.0])


def test_only_numpy_runs_on_cpu_and_returns_to_device() -> None:
    dev = fake_device(kind="numpy_only")
    x = np.array([0.0, 1.0], device=dev)
    reset_stats()
    with use_policy("only_numpy"), warnings.catch_warnings():
        warnings.simplefilter("error")  # not a fallback: no warning
        y = np.exp(x)
    assert y.device is dev
    numpy.testing.assert_allclose(y.asnumpy(), numpy.exp([0.0, 1.0]))
    row = stats()["exp", "numpy"]
    assert row["calls"] == 1 and row["fallbacks"] == 0 and row["bytes_moved"] == 2 * x.nbytes
    assert ("exp", "numpy_only") not in stats()


def test_only_numpy_gradients_on_device() -> None:
    dev = fake_device(kind="numpy_only_grad")
    x = np.array([0.2, -0.4], device=dev)
    with use_policy("only_numpy"):
        check_grads(lambda x: np.sin(x) * np.exp(x), x)
        g = grad(lambda x: np.sum(x * x))(x)
    assert g.device is dev
    numpy.testing.assert_allclose(g.asnumpy(), [0.4, -0.8])


def test_only_numpy_on_cpu_is_plain() -> None:
    with use_policy("only_numpy"):
        y = np.exp(np.zeros(2))
    assert y.device is minpy.cpu()


# --------------------------------------------------------------------------------------------
# switching policies


def test_set_and_get_global_policy() -> None:
    assert get_global_policy().name == "prefer_cupy"
    minpy.set_global_policy("only_numpy")
    assert minpy.get_global_policy().name == "only_numpy"
    p = OnlyNumPyPolicy()
    set_global_policy(p)
    assert get_global_policy() is p
    assert repr(get_global_policy()) == "<minpy policy 'only_numpy'>"
    set_global_policy("prefer_cupy")
    assert get_global_policy().name == "prefer_cupy"


def test_unknown_policy_name() -> None:
    with pytest.raises(ValueError, match=r"unknown policy 'fastest'; use one of \['only_cupy'"):
        set_global_policy("fastest")


def test_use_policy_restores_and_nests() -> None:
    with use_policy("only_cupy") as p:
        assert p.name == "only_cupy" and get_global_policy() is p
        with minpy.use_policy("only_numpy"):
            assert get_global_policy().name == "only_numpy"
        assert get_global_policy().name == "only_cupy"
    assert get_global_policy().name == "prefer_cupy"


def test_use_policy_restores_after_error() -> None:
    with pytest.raises(KeyError), use_policy("only_numpy"):
        raise KeyError("boom")
    assert get_global_policy().name == "prefer_cupy"


def test_use_policy_is_per_thread() -> None:
    seen: list[str] = []
    with use_policy("only_numpy"):
        t = threading.Thread(target=lambda: seen.append(get_global_policy().name))
        t.start()
        t.join()
    assert seen == ["prefer_cupy"]


def test_wrap_policy_decorator() -> None:
    @minpy.wrap_policy("only_numpy")
    def inside(a: int) -> str:
        """Doc kept."""
        return f"{get_global_policy().name}:{a}"

    assert inside(3) == "only_numpy:3"
    assert inside.__name__ == "inside" and inside.__doc__ == "Doc kept."
    assert get_global_policy().name == "prefer_cupy"


def test_wrap_policy_unknown_name_fails_early() -> None:
    with pytest.raises(ValueError, match="unknown policy"):
        wrap_policy("nope")


def test_policy_switch_changes_route_of_cached_primitive() -> None:
    dev = fake_device(kind="switching")
    x = np.ones(2, device=dev)
    reset_stats()
    np.exp(x)
    with use_policy("only_numpy"):
        np.exp(x)
    np.exp(x)
    s = stats()
    assert s["exp", "switching"]["calls"] == 2
    assert s["exp", "numpy"]["calls"] == 1
