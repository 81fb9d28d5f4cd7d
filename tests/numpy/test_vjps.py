"""Every differentiable primitive, from the op table: forward values, placement, gradients.

Forward values are compared with NumPy's on the same inputs; first- and second-order gradients
with central finite differences (``minpy.testing.check_grads``, float64 or complex128), on every
device. Which primitives a case really differentiates through is read from the tape behind its
outputs, not from the global op statistics. Then rules with exact special cases (``prod`` at
zeros) and a property-based check of broadcasting; ``test_vjps_edges.py`` pins the conventions
at the edges (complex numbers, ties, degenerate points, dtypes).
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad
from minpy.primitive import Primitive, registry
from minpy.testing import check_grads
from tests.numpy.optable import CASES, UNCOVERED, Case


def _arrays(case: Case, device: minpy.Device) -> tuple[list[Any], list[Array]]:
    host = case.inputs()
    return host, [np.array(h, device=device) for h in host]


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _traced(case: Case, args: list[Array]) -> tuple[list[Any], set[str]]:
    """The outputs of ``case.fun`` while differentiated, and the primitives on their tape."""
    seen: list[Any] = []
    called: set[str] = set()

    def probe(*a: Any) -> Any:
        out = case.fun(*a)
        outs = _outputs(out)
        seen.extend(outs)
        called.update(_recorded(outs))  # before grad's backward pass releases the nodes
        # grad differentiates real losses: a complex output enters through its real part
        return [np.real(o) if np.iscomplexobj(o) else o for o in outs]

    grad(probe, list(range(len(args))))(*args)
    return seen, called


def _recorded(outputs: list[Any]) -> set[str]:
    """The names of the primitives whose tape nodes lead to ``outputs`` (a walk through
    ``Node.parents``; leaves have no primitive). Local to this call, unlike ``stats()``."""
    stack = [o._node for o in outputs if isinstance(o, Array) and o._node is not None]
    visited: set[int] = set()
    names: set[str] = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if node.prim is not None:
            names.add(node.prim.name)
        stack.extend(node.parents)
    return names


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


# --------------------------------------------------------------------------------------------
# rules with exact special cases


def test_prod_gradient_with_zeros_is_exact(device):
    x = np.array([[2.0, 0.0, 3.0], [0.0, 4.0, 0.0]])
    g = grad(lambda x: np.sum(np.prod(x, axis=1)))(x)
    numpy.testing.assert_array_equal(g.asnumpy(), [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]])
    g = grad(lambda x: np.sum(np.prod(x, axis=0)))(x)
    numpy.testing.assert_array_equal(g.asnumpy(), [[0.0, 4.0, 0.0], [2.0, 0.0, 3.0]])


# --------------------------------------------------------------------------------------------
# broadcasting, property-based (hypothesis)


FLOATS = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, deadline=None)
@given(
    hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4), st.data()
)
def test_broadcast_multiply_gradients_sum_over_broadcast_axes(shapes, data):
    sa, sb = shapes.input_shapes
    a = data.draw(hnp.arrays(numpy.float64, sa, elements=FLOATS))
    b = data.draw(hnp.arrays(numpy.float64, sb, elements=FLOATS))
    ga, gb = grad(lambda x, y: np.sum(x * y), [0, 1])(np.array(a), np.array(b))
    full_b = numpy.broadcast_to(b, shapes.result_shape)
    full_a = numpy.broadcast_to(a, shapes.result_shape)
    # sum the broadcast result back to each input's shape with NumPy's own reductions
    expect_a = _sum_to(full_b, sa)
    expect_b = _sum_to(full_a, sb)
    assert ga.shape == sa and gb.shape == sb
    numpy.testing.assert_allclose(ga.asnumpy(), expect_a, atol=1e-9)
    numpy.testing.assert_allclose(gb.asnumpy(), expect_b, atol=1e-9)


def _sum_to(x: numpy.ndarray, shape: tuple[int, ...]) -> numpy.ndarray:
    lead = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(lead))) if lead else x
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and x.shape[i] != 1)
    return x.sum(axis=axes, keepdims=True) if axes else x
