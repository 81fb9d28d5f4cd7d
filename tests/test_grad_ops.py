"""Every differentiable primitive, from the op table: forward values, placement, gradients.

Forward values are compared with NumPy's on the same inputs; first- and second-order gradients
with central finite differences (``minpy.testing.check_grads``, float64), on every device.
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad
from minpy.policy import reset_stats, stats
from minpy.primitive import Primitive, registry
from minpy.testing import check_grads
from tests.optable import CASES, UNCOVERED, Case


def _arrays(case: Case, device: minpy.Device) -> tuple[list[Any], list[Array]]:
    host = case.inputs()
    return host, [np.array(h, device=device) for h in host]


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _traced(case: Case, args: list[Array]) -> tuple[list[Any], set[str]]:
    """The outputs of ``case.fun`` while differentiated, and the primitives it called."""
    seen: list[Any] = []
    called: set[str] = set()

    def probe(*a: Any) -> Any:
        reset_stats()
        out = case.fun(*a)
        called.update(name for name, _ in stats())
        seen.extend(_outputs(out))
        return out

    grad(probe, list(range(len(args))))(*args)
    return seen, called


def _assert_matches(got: list[Any], want: list[Any], device: minpy.Device) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert isinstance(g, Array)
        assert g.device is device
        assert g.shape == numpy.shape(w)
        numpy.testing.assert_allclose(g.asnumpy(), w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_op_forward(case: Case, device: minpy.Device) -> None:
    host, args = _arrays(case, device)
    want = _outputs(case.reference()(*host))
    _assert_matches(_outputs(case.fun(*args)), want, device)
    traced, called = _traced(case, args)
    _assert_matches(traced, want, device)
    missing = set(case.covers) - called
    assert not missing, f"{case.name}: claims to check {sorted(missing)} but never calls them"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_op_grad(case: Case, device: minpy.Device) -> None:
    _, args = _arrays(case, device)
    check_grads(case.fun, *args, order=case.order, rtol=case.rtol, atol=case.atol)


def test_optable_names_unique() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def _namespace_primitives() -> dict[str, Primitive]:
    """The primitives reachable as names of minpy.numpy and its submodules."""
    found: dict[str, Primitive] = {}
    for module in (np, np.linalg, np.fft, np.random):
        for attr in dir(module):
            obj = getattr(module, attr)
            if isinstance(obj, Primitive):
                found[obj.name] = obj
    return found


def test_optable_covers_every_differentiable_primitive() -> None:
    prims = {**_namespace_primitives(), **registry}
    differentiable = {name for name, p in prims.items() if p.differentiable}
    assert {"add", "getitem", "linalg.inv", "einsum"} <= differentiable
    covered = {p for c in CASES for p in c.covers}
    untested = differentiable - covered - set(UNCOVERED)
    assert not untested, f"differentiable primitives without an op-table case: {sorted(untested)}"
    stale = set(UNCOVERED) - (differentiable - covered)
    assert not stale, f"UNCOVERED lists primitives that are covered or have no rule: {stale}"
