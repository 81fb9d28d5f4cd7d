"""Every op-table case under ``minpy.jit``: the replay equals the eager call, bit for bit.

A replay runs the very backend calls the traced call made, so on NumPy (and the fake device,
which is NumPy too, fused runs and graphs included) values and gradients are identical, not
merely close; on a GPU, kernels fused by CuPy may round a multiply-add once, so there they
agree to 1e-12. Each case is run
forward and through ``grad_and_loss`` (so the backward pass is replayed too), traced once and
replayed twice. Cases whose trace falls back to eager (data-dependent shapes) must say so
with a ``JitWarning`` and still give the eager values.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad_and_loss
from minpy.jit import JitWarning
from tests.numpy.optable import CASES, Case


def _arrays(case: Case, device: minpy.Device) -> list[Array]:
    return [np.array(h, device=device) for h in case.inputs()]


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _leaves(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _leaves(item)]
    return [x]


def _assert_identical(got: Any, want: Any) -> None:
    g, w = _leaves(got), _leaves(want)
    assert len(g) == len(w)
    for a, b in zip(g, w):
        if isinstance(b, Array):
            assert isinstance(a, Array)
            assert a.device is b.device
            assert a.dtype == b.dtype
            if b.device.kind == "gpu":  # fused kernels may contract a*b+c into one rounding
                numpy.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-12, atol=1e-14)
            else:
                numpy.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
        else:
            assert a == b


def _run(fun: Any, args: list[Array]) -> tuple[Any, list[Any], Any]:
    """Eager result, then the jitted one traced and replayed twice; and the jitted function."""
    want = fun(*args)
    j = minpy.jit(fun)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitWarning)
        got = [j(*args) for _ in range(3)]
    return want, got, j


#: cases whose gradient rule branches on the values (prod and cumprod test for zeros, to be
#: exact there), so their gradients run eagerly under jit, by design
BRANCHING_RULES = ("prod", "cumprod", "split-product")
#: cases that check their arguments' values on the host (as SciPy does), so they run eagerly
HOST_CHECKS = ("stats.dirichlet",)


def _check(case: Case, fun: Any, args: list[Array], backward: bool) -> None:
    want, got, j = _run(fun, args)
    for g in got:
        _assert_identical(g, want)
    assert j.traced == 1
    if backward and case.name.startswith(BRANCHING_RULES):
        (why,) = j.causes
        assert why.startswith("bool() of a value computed from the inputs"), why
        assert j.eager == 2
    elif case.name.startswith(HOST_CHECKS):
        (why,) = j.causes
        assert why.startswith("asnumpy() of a value computed from the inputs"), why
    elif j.eager:
        (why,) = j.causes
        assert "shape that depends on" in why, f"{case.name}: unexpected fallback: {why}"
    else:
        assert j.replayed == 2


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_jit_forward_equals_eager(case: Case, device: minpy.Device) -> None:
    _check(case, case.fun, _arrays(case, device), backward=False)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_jit_gradient_equals_eager(case: Case, device: minpy.Device) -> None:
    args = _arrays(case, device)

    def probe(*a: Any) -> Any:
        outs = case.fun(*a)
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        return [np.real(o) if np.iscomplexobj(o) else o for o in outs]

    _check(case, grad_and_loss(probe, list(range(len(args)))), args, backward=True)
