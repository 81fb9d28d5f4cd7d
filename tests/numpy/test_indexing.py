"""Indexing and item assignment (the getitem and setitem primitives, every kind of key):
forward values equal NumPy's, gradients match finite differences (first and second order).
Hypothesis draws further basic and integer-array keys.

Views, copy-on-write and in-place updates of whole arrays are tested in tests/test_inplace.py.

The programs below are written against the module-level ``np``; ``with_namespace`` runs the
same code with NumPy for the reference values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.testing import check_grads
from tests.checks import assert_same, check_op, random_inputs

SHAPE = (4, 3, 2)
MASK = numpy.array([[True, False, True], [False, False, True], [True, True, False], [0, 1, 0]])
MASK = MASK.astype(bool)

#: (id, key as host values, wrap NumPy arrays in the key as minpy Arrays)
KEYS: list[tuple[str, Any, bool]] = [
    ("int", 1, False),
    ("int-negative", -1, False),
    ("int-pair", (1, 2), False),
    ("int-every-axis", (3, -1, 0), False),
    ("slice", slice(1, 3), False),
    ("slice-step", slice(None, None, 2), False),
    ("slice-negative-step", slice(None, None, -1), False),
    ("slice-negative-bounds", (slice(-1, 0, -2), slice(1, None)), False),
    ("slice-step-inner", (slice(None), slice(None, None, 2), 1), False),
    ("none", None, False),
    ("none-middle", (slice(None), None, 1), False),
    ("ellipsis", (Ellipsis, 1), False),
    ("ellipsis-front", (0, Ellipsis), False),
    ("ellipsis-none", (Ellipsis, None), False),
    ("mask-numpy", MASK, False),
    ("mask-array", MASK, True),
    ("mask-first-axis", numpy.array([True, False, True, True]), False),
    ("mask-list", [True, False, True, True], False),
    ("mask-after-slice", (slice(None), numpy.array([False, True, True])), False),
    ("mask-all-axes", MASK[..., None] & numpy.array([True, False]), False),
    ("mask-none-selected", numpy.zeros(4, dtype=bool), False),
    ("ints-array", numpy.array([2, 0, 3]), True),
    ("ints-0d-array", numpy.array(2), True),
    ("ints-empty", numpy.array([], dtype=numpy.intp), False),
    ("ints-numpy", numpy.array([2, 0, 3]), False),
    ("ints-list", [3, 1], False),
    ("ints-2d", numpy.array([[0, 1], [3, 3]]), False),
    ("ints-negative", [-1, 0, -4], False),
    ("ints-pair", (numpy.array([0, 2, 3]), numpy.array([1, 1, 0])), True),
    ("ints-repeated", [0, 0, 2, 0], False),
    ("ints-pair-repeated", ([1, 1, 2], [2, 2, 0]), False),
    ("mixed-slice-ints", (slice(1, None), [0, 2]), False),
    ("mixed-int-ints", (1, [2, 0, 2]), False),
    ("mixed-split-advanced", ([0, 1], slice(None), [1, 0]), False),
    ("mixed-ellipsis-ints", (Ellipsis, numpy.array([1, 1, 0])), True),
    ("mixed-none-ints", ([0, 3], None, slice(None, None, -1)), False),
    ("mixed-mask-ints", (numpy.array([True, False, False, True]), [0, 2]), False),
    ("mixed-int-slice-list", (2, slice(None, None, -1), [1, 1]), False),
]
KEY_IDS = [k[0] for k in KEYS]


def _device_key(key: Any, wrap: bool, device: minpy.Device) -> Any:
    """``key`` with its NumPy arrays as minpy Arrays on ``device`` when ``wrap``."""
    if isinstance(key, tuple):
        return tuple(_device_key(k, wrap, device) for k in key)
    if wrap and isinstance(key, numpy.ndarray):
        return np.array(key, device=device)
    return key


# --------------------------------------------------------------------------------------------
# getitem


@pytest.mark.parametrize(("name", "key", "wrap"), KEYS, ids=KEY_IDS)
def test_getitem_grad(name: str, key: Any, wrap: bool, device: minpy.Device) -> None:
    host, [x] = random_inputs(device, SHAPE)
    k = _device_key(key, wrap, device)
    assert_same(x[k], host[0][key], device)
    check_grads(lambda x: x[k], x)


def test_getitem_grad_repeated_accumulates(device: minpy.Device) -> None:
    x = np.arange(4.0, device=device)
    g = grad(lambda x: np.sum(x[[0, 0, 3, 0]] * np.array([1.0, 2.0, 3.0, 4.0])))(x)
    assert g.device is device
    numpy.testing.assert_array_equal(g.asnumpy(), [7.0, 0.0, 0.0, 3.0])


def test_getitem_grad_bool_mask_from_traced(device: minpy.Device) -> None:
    host, args = random_inputs(device, (3, 4))
    check_op(lambda x: x[x > 0] ** 2, host, args, device)


def test_getitem_grad_chained(device: minpy.Device) -> None:
    host, args = random_inputs(device, SHAPE)
    check_op(lambda x: x[1:][:, [2, 0]][..., ::-1] * x[0, 0, 0], host, args, device)


# --------------------------------------------------------------------------------------------
# setitem


def _assigned(key: Any) -> Callable[[Any, Any], Any]:
    def fun(x: Any, v: Any) -> Any:
        y = x * 1.0
        y[key] = v
        return y * x

    return fun


@pytest.mark.parametrize(("name", "key", "wrap"), KEYS, ids=KEY_IDS)
def test_setitem_grad(name: str, key: Any, wrap: bool, device: minpy.Device) -> None:
    vshape = numpy.zeros(SHAPE)[key].shape
    host, args = random_inputs(device, SHAPE, vshape)
    k = _device_key(key, wrap, device)
    assert_same(_assigned(k)(*args), _assigned(key)(*host), device)
    check_grads(_assigned(k), *args)


@pytest.mark.parametrize(
    ("key", "vshape"),
    [((slice(None), 1), ()), ((slice(None), 1), (2,)), ([0, 2], (3, 1)), (MASK, (1,))],
    ids=["scalar", "trailing", "ints-column", "mask-broadcast"],
)
def test_setitem_grad_broadcast_value(key: Any, vshape: Any, device: minpy.Device) -> None:
    host, args = random_inputs(device, SHAPE, vshape)
    check_op(_assigned(key), host, args, device)


def test_setitem_grad_repeated_last_write_wins(device: minpy.Device) -> None:
    x = np.zeros(3, device=device)
    v = np.array([1.0, 2.0, 3.0, 4.0], device=device)

    def f(x: Any, v: Any) -> Any:
        y = x * 1.0
        y[[0, 2, 0, 2]] = v
        return np.sum(y * np.array([10.0, 20.0, 30.0], device=device))

    assert float(f(x, v)) == 3.0 * 10 + 4.0 * 30  # NumPy: the last write lands
    gx, gv = grad(f, [0, 1])(x, v)
    numpy.testing.assert_array_equal(gx.asnumpy(), [0.0, 20.0, 0.0])
    numpy.testing.assert_array_equal(gv.asnumpy(), [0.0, 0.0, 10.0, 30.0])


def test_setitem_grad_constant_value(device: minpy.Device) -> None:
    host, args = random_inputs(device, (3, 4))

    def f(x: Any) -> Any:
        y = x * x
        y[y > 0.5] = 0.5
        y[:, 0] = 0.0
        y[[2, 0], 1] = -1.0
        y[1] = numpy.array([1.0, 2.0, 3.0, 4.0])
        y[2, 1:] = [5.0, 6.0, 7.0]
        return y

    check_op(f, host, args, device)


def test_setitem_grad_untraced_target(device: minpy.Device) -> None:
    host, args = random_inputs(device, (3,), (2, 3))

    def f(v: Any, w: Any) -> Any:
        a = np.zeros((2, 3, 3))
        a[1, [0, 2]] = w * v
        a[0, :, 1] = v
        return np.sin(a)

    check_op(f, host, args, device)


# --------------------------------------------------------------------------------------------
# augmented assignment to items


AUGMENTED: list[Any] = [
    pytest.param("isub-repeated", [0, 0, 2], id="isub-repeated"),
    pytest.param("iadd-repeated-pairs", ([1, 1, 3], [0, 0, 2]), id="iadd-repeated-pairs"),
    pytest.param("itruediv-mask", MASK, id="itruediv-mask"),
    pytest.param("imul-ints-int", ([3, 0, 3], 1), id="imul-ints-int"),
    pytest.param("imul-slice", (slice(None, None, 2), 1), id="imul-slice"),
    pytest.param("isub-int", 2, id="isub-int"),
    pytest.param(
        "isub-mixed",
        (slice(1, None), [2, 2]),
        id="isub-mixed",
    ),
]


def _augmented(op: str, key: Any) -> Callable[[Any, Any], Any]:
    def fun(x: Any, v: Any) -> Any:
        y = x * 1.0
        if op == "isub":
            y[key] -= v
        elif op == "iadd":
            y[key] += v
        elif op == "imul":
            y[key] *= v
        else:
            y[key] /= v
        return y * x

    return fun


@pytest.mark.parametrize(("name", "key"), AUGMENTED)
def test_setitem_grad_augmented(name: str, key: Any, device: minpy.Device) -> None:
    op = name.split("-")[0]
    vshape = numpy.zeros(SHAPE)[key].shape
    host, args = random_inputs(device, SHAPE, vshape)
    if op == "itruediv":
        host[1] = numpy.abs(host[1]) + 0.5
        args[1] = np.array(host[1], device=device)
    check_op(_augmented(op, key), host, args, device)


def test_setitem_grad_seed_softmax_dx(device: minpy.Device) -> None:
    host, args = random_inputs(device, (5, 3))
    labels = numpy.array([0, 2, 1, 2, 2])

    def f(x: Any) -> Any:
        probs = np.exp(x - np.max(x, axis=1, keepdims=True))
        probs /= np.sum(probs, axis=1, keepdims=True)
        n = x.shape[0]
        dx = probs.copy()
        dx[np.arange(n), labels] -= 1
        dx /= n
        return dx * x

    check_op(f, host, args, device)


def test_setitem_grad_one_hot(device: minpy.Device) -> None:
    host, args = random_inputs(device, (4, 3))
    idx = np.array([2, 0, 2, 1])

    def f(x: Any) -> Any:
        y = np.zeros((4, 3))
        y[np.arange(4), idx] = 1
        return np.sum(y * (x - np.log(np.sum(np.exp(x), axis=1, keepdims=True))))

    ref = numpy.zeros((4, 3))
    ref[numpy.arange(4), [2, 0, 2, 1]] = 1
    assert float(f(args[0])) == pytest.approx(
        float(numpy.sum(ref * (host[0] - numpy.log(numpy.exp(host[0]).sum(1, keepdims=True)))))
    )
    check_grads(f, *args)


def test_setitem_grad_traced_one_hot_rows(device: minpy.Device) -> None:
    host, args = random_inputs(device, (4,))

    def f(w: Any) -> Any:
        y = np.zeros((4, 3))
        y[np.arange(4), [2, 0, 2, 1]] = w
        return y * y

    check_op(f, host, args, device)


# --------------------------------------------------------------------------------------------
# property-based (hypothesis): basic and integer-array keys against NumPy


FLOATS = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        numpy.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=FLOATS
    ),
    st.data(),
)
def test_basic_index_forward_and_gradient_match_numpy(a, data):
    key = data.draw(hnp.basic_indices(a.shape, allow_newaxis=True, allow_ellipsis=True))
    x = np.array(a)
    numpy.testing.assert_array_equal(numpy.asarray(x[key].asnumpy()), a[key])
    g = grad(lambda t: np.sum(t[key] * 2.0))(x)
    expect = numpy.zeros_like(a)
    expect[key] += 2.0  # basic indices never repeat an element
    numpy.testing.assert_array_equal(g.asnumpy(), expect)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        numpy.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=6), elements=FLOATS
    ),
    st.data(),
)
def test_integer_array_index_gradient_counts_repeats(a, data):
    n = a.shape[0]
    idx = data.draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=8))
    x = np.array(a)
    numpy.testing.assert_array_equal(x[idx].asnumpy(), a[idx])
    g = grad(lambda t: np.sum(t[idx]))(x)
    expect = numpy.zeros_like(a)
    numpy.add.at(expect, idx, 1.0)
    numpy.testing.assert_array_equal(g.asnumpy(), expect)
