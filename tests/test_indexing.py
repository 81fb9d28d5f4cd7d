"""Indexing and item assignment: forward values equal NumPy's, gradients match finite
differences (first and second order), and writes that cannot be differentiated raise.

The programs below are written against the module-level ``np``; ``with_namespace`` runs the
same code with NumPy for the reference values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad
from minpy.testing import check_grads
from tests.optable import with_namespace

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


def _host(x: Any) -> Any:
    return x.asnumpy() if isinstance(x, Array) else x


def _inputs(device: minpy.Device, *shapes: tuple[int, ...]) -> tuple[list[Any], list[Array]]:
    rng = numpy.random.RandomState(1)
    host = [rng.randn(*s) for s in shapes]
    return host, [np.array(h, device=device) for h in host]


def _assert_same(got: Any, want: Any, device: minpy.Device) -> None:
    assert isinstance(got, Array)
    assert got.device is device
    assert got.shape == numpy.shape(want)
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def _check(fun: Callable[..., Any], host: list[Any], args: list[Array], device: Any) -> None:
    """Forward equals NumPy's (untraced), then first- and second-order gradients."""
    _assert_same(fun(*args), with_namespace(fun, numpy)(*host), device)
    check_grads(fun, *args)


# --------------------------------------------------------------------------------------------
# getitem


@pytest.mark.parametrize(("name", "key", "wrap"), KEYS, ids=KEY_IDS)
def test_getitem_grad(name: str, key: Any, wrap: bool, device: minpy.Device) -> None:
    host, [x] = _inputs(device, SHAPE)
    k = _device_key(key, wrap, device)
    _assert_same(x[k], host[0][key], device)
    check_grads(lambda x: x[k], x)


def test_getitem_grad_repeated_accumulates(device: minpy.Device) -> None:
    x = np.arange(4.0, device=device)
    g = grad(lambda x: np.sum(x[[0, 0, 3, 0]] * np.array([1.0, 2.0, 3.0, 4.0])))(x)
    assert g.device is device
    numpy.testing.assert_array_equal(g.asnumpy(), [7.0, 0.0, 0.0, 3.0])


def test_getitem_grad_bool_mask_from_traced(device: minpy.Device) -> None:
    host, args = _inputs(device, (3, 4))
    _check(lambda x: x[x > 0] ** 2, host, args, device)


def test_getitem_grad_chained(device: minpy.Device) -> None:
    host, args = _inputs(device, SHAPE)
    _check(lambda x: x[1:][:, [2, 0]][..., ::-1] * x[0, 0, 0], host, args, device)


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
    host, args = _inputs(device, SHAPE, vshape)
    k = _device_key(key, wrap, device)
    _assert_same(_assigned(k)(*args), _assigned(key)(*host), device)
    check_grads(_assigned(k), *args)


@pytest.mark.parametrize(
    ("key", "vshape"),
    [((slice(None), 1), ()), ((slice(None), 1), (2,)), ([0, 2], (3, 1)), (MASK, (1,))],
    ids=["scalar", "trailing", "ints-column", "mask-broadcast"],
)
def test_setitem_grad_broadcast_value(key: Any, vshape: Any, device: minpy.Device) -> None:
    host, args = _inputs(device, SHAPE, vshape)
    _check(_assigned(key), host, args, device)


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
    host, args = _inputs(device, (3, 4))

    def f(x: Any) -> Any:
        y = x * x
        y[y > 0.5] = 0.5
        y[:, 0] = 0.0
        y[[2, 0], 1] = -1.0
        y[1] = numpy.array([1.0, 2.0, 3.0, 4.0])
        y[2, 1:] = [5.0, 6.0, 7.0]
        return y

    _check(f, host, args, device)


def test_setitem_grad_untraced_target(device: minpy.Device) -> None:
    host, args = _inputs(device, (3,), (2, 3))

    def f(v: Any, w: Any) -> Any:
        a = np.zeros((2, 3, 3))
        a[1, [0, 2]] = w * v
        a[0, :, 1] = v
        return np.sin(a)

    _check(f, host, args, device)


# --------------------------------------------------------------------------------------------
# augmented assignment to items and whole arrays


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
    host, args = _inputs(device, SHAPE, vshape)
    if op == "itruediv":
        host[1] = numpy.abs(host[1]) + 0.5
        args[1] = np.array(host[1], device=device)
    _check(_augmented(op, key), host, args, device)


def test_setitem_grad_augmented_basic_slice() -> None:
    def f(x: Any) -> Any:
        y = x * 1.0
        y[1:] -= x[:2]
        return y

    g = grad(f)(np.array([1.0, 2.0, 3.0]))
    numpy.testing.assert_array_equal(g.asnumpy(), [0.0, 0.0, 1.0])


def test_getitem_advanced_result_writable_when_traced() -> None:
    def f(x: Any) -> Any:
        t = np.stack([x, x])[1:, [2, 2]]  # a copy, as NumPy's advanced indexing makes
        t += 1.0
        return t

    g = grad(f)(np.array([1.0, 2.0, 3.0]))
    numpy.testing.assert_array_equal(g.asnumpy(), [0.0, 0.0, 2.0])


def test_setitem_grad_seed_softmax_dx(device: minpy.Device) -> None:
    host, args = _inputs(device, (5, 3))
    labels = numpy.array([0, 2, 1, 2, 2])

    def f(x: Any) -> Any:
        probs = np.exp(x - np.max(x, axis=1, keepdims=True))
        probs /= np.sum(probs, axis=1, keepdims=True)
        n = x.shape[0]
        dx = probs.copy()
        dx[np.arange(n), labels] -= 1
        dx /= n
        return dx * x

    _check(f, host, args, device)


def test_setitem_grad_one_hot(device: minpy.Device) -> None:
    host, args = _inputs(device, (4, 3))
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
    host, args = _inputs(device, (4,))

    def f(w: Any) -> Any:
        y = np.zeros((4, 3))
        y[np.arange(4), [2, 0, 2, 1]] = w
        return y * y

    _check(f, host, args, device)


def test_inplace_grad_arithmetic(device: minpy.Device) -> None:
    host, args = _inputs(device, (2, 3), (3,))
    host[1] = numpy.abs(host[1]) + 0.5
    args[1] = np.array(host[1], device=device)

    def f(x: Any, z: Any) -> Any:
        y = x * 1.0
        y += z
        y *= x
        y -= 2 * z
        y /= z
        y **= 2
        return y

    _check(f, host, args, device)


def test_inplace_grad_on_traced_input(device: minpy.Device) -> None:
    host, args = _inputs(device, (2, 3), (2, 3))
    host[1] = numpy.abs(host[1]) + 0.5
    args[1] = np.array(host[1], device=device)

    def f(x: Any, z: Any) -> Any:
        x += z
        x *= z
        x -= z / 2
        x /= z
        return x * z

    check_grads(f, *args, argnums=[0])
    # (f writes into an untraced x, so finite differences in z need a fresh x each call)
    check_grads(lambda x, z: f(x * 1.0, z), *args, argnums=[1])
    # a traced input is updated copy-on-write: the caller's arrays keep their values
    numpy.testing.assert_array_equal(args[0].asnumpy(), host[0])
    numpy.testing.assert_array_equal(args[1].asnumpy(), host[1])
    # untraced, the same code writes into the caller's array, as NumPy does
    want = with_namespace(f, numpy)(host[0].copy(), host[1])
    _assert_same(f(args[0], args[1]), want, device)
    numpy.testing.assert_allclose(args[0].asnumpy(), want / host[1], rtol=1e-12)


def test_inplace_grad_untraced_target(device: minpy.Device) -> None:
    host, args = _inputs(device, (3,))

    def f(x: Any) -> Any:
        a = np.ones((2, 3))
        a += x
        a *= x
        a /= 2.0
        a -= np.sin(x)
        return a

    _check(f, host, args, device)


def test_inplace_grad_saved_input_not_clobbered(device: minpy.Device) -> None:
    host, args = _inputs(device, (3,))

    def f(x: Any) -> Any:
        a = np.ones(3) * 2.0
        y = x * a  # the rule of multiply keeps a
        a += 1.0  # an untraced in-place write after a was saved
        a[0] = 10.0
        return y * a

    _check(f, host, args, device)


# --------------------------------------------------------------------------------------------
# writes that cannot be differentiated


def _write_view_item(x: Any) -> Any:
    y = x * 1.0
    row = y[0]
    row[1] = x[1, 1]
    return y


def _write_view_slice(x: Any) -> Any:
    y = x * 1.0
    y[:, 0][:] = x[:, 1]
    return y


def _iadd_view(x: Any) -> Any:
    y = x * 1.0
    r = y.reshape(-1)
    r += x.ravel()
    return y


def _iadd_transpose_view(x: Any) -> Any:
    y = x * 1.0
    t = y.T
    t *= x.T
    return y


def _write_untraced_view(x: Any) -> Any:
    a = np.zeros((2, 3))
    v = a[1]
    v[:] = x[0]
    return a


@pytest.mark.parametrize(
    "fun",
    [_write_view_item, _write_view_slice, _write_untraced_view],
    ids=lambda f: f.__name__.strip("_"),
)
def test_setitem_grad_through_index_view_writes_back(
    fun: Callable[[Any], Any], device: Any
) -> None:
    # a view made by basic indexing passes the write on to its base, as in NumPy
    x = np.array(numpy.random.RandomState(0).randn(2, 3), device=device)
    check_grads(fun, x)
    _assert_same(fun(x), with_namespace(fun, numpy)(x.asnumpy()), device)


@pytest.mark.parametrize(
    "fun", [_iadd_view, _iadd_transpose_view], ids=lambda f: f.__name__.strip("_")
)
def test_setitem_grad_through_view_raises(fun: Callable[[Any], Any], device: Any) -> None:
    x = np.array(numpy.random.RandomState(0).randn(2, 3), device=device)
    with pytest.raises(minpy.GradientError, match="view"):
        grad(fun)(x)
    # untraced, the same code runs and agrees with NumPy
    _assert_same(fun(x), with_namespace(fun, numpy)(x.asnumpy()), device)


# --------------------------------------------------------------------------------------------
# views see later writes into their base, traced or not (NumPy semantics)


def test_view_sees_later_traced_write_into_its_base(device: minpy.Device) -> None:
    def f(x: Any) -> Any:
        y = x * 1.0
        row = y[0]  # a view, taken before the write
        y[0] = y[0] * 3.0  # traced: y is rebound to a new buffer
        return np.sum(row * row)

    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert float(f(x)) == 45.0  # untraced, written in place
    g = grad(f)(x)  # traced: the view is taken again from the new buffer
    numpy.testing.assert_allclose(g.asnumpy(), [[18.0, 36.0], [0.0, 0.0]])
    check_grads(f, x)


def test_nested_views_and_a_view_written_in_place(device: minpy.Device) -> None:
    def f(x: Any) -> Any:
        y = x * 1.0
        tail = y[1:]
        last = tail[-1]  # a view of a view
        head = y[0]
        head *= 2.0  # written through the view: y and every view of it see it
        y[2] += head
        return np.sum(last * tail[0]) + np.sum(y * y)

    x = np.array(numpy.arange(1.0, 7.0).reshape(3, 2))
    host = numpy.arange(1.0, 7.0).reshape(3, 2)
    y = host.copy()
    y[0] *= 2.0
    y[2] += y[0]
    want = numpy.sum(y[2] * y[1]) + numpy.sum(y * y)
    assert float(f(x)) == pytest.approx(want)
    check_grads(f, x)


def test_write_into_saved_view_keeps_the_recorded_values(device: minpy.Device) -> None:
    state = {"w": np.ones(3)}
    state["v"] = state["w"][:2]

    def f(x: Any) -> Any:
        y = x * state["v"]  # the multiply rule holds v's memory
        state["v"] += 1.0  # untraced, after the use: the rule must still see ones
        return np.sum(y)

    g = grad(f)(np.ones(2))
    numpy.testing.assert_allclose(g.asnumpy(), [1.0, 1.0])
    numpy.testing.assert_allclose(state["w"].asnumpy(), [2.0, 2.0, 1.0])  # NumPy's result
    numpy.testing.assert_allclose(state["v"].asnumpy(), [2.0, 2.0])


def test_write_into_base_of_saved_view_keeps_the_recorded_values(device: minpy.Device) -> None:
    state = {"w": np.ones(3)}
    state["v"] = state["w"][:2]

    def f(x: Any) -> Any:
        y = x * state["v"]
        state["w"] += 1.0  # the base: the view sees it, the recorded values do not change
        return np.sum(y) + np.sum(x * state["v"])

    g = grad(f)(np.ones(2))
    numpy.testing.assert_allclose(g.asnumpy(), [3.0, 3.0])  # 1 (before) + 2 (after)
    numpy.testing.assert_allclose(state["v"].asnumpy(), [2.0, 2.0])


def test_reshaped_and_transposed_views_see_later_traced_writes(device: minpy.Device) -> None:
    def f(x: Any) -> Any:
        y = x * 1.0
        flat = y.reshape(4)  # views made by view functions, before the write
        yt = y.T
        y[0, 0] = 5.0 * y[0, 0]
        return np.sum(flat * flat) + np.sum(yt * y)

    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert float(f(x)) == 107.0  # what NumPy computes
    numpy.testing.assert_allclose(grad(f)(x).asnumpy(), [[100.0, 10.0], [10.0, 16.0]])
    check_grads(f, x)


def test_write_into_reshaped_view_of_saved_array(device: minpy.Device) -> None:
    state = {"w": np.ones(4)}
    state["r"] = state["w"].reshape(2, 2)

    def f(x: Any) -> Any:
        y = x * state["w"]  # recorded with w = ones
        state["r"][0, 1] = 7.0  # lands in w, as in NumPy; the recorded ones stay
        return np.sum(y) + np.sum(x * state["w"])

    g = grad(f)(np.ones(4))
    numpy.testing.assert_allclose(g.asnumpy(), [2.0, 8.0, 2.0, 2.0])
    numpy.testing.assert_allclose(state["w"].asnumpy(), [1.0, 7.0, 1.0, 1.0])
    state["r"] += 1.0  # outside grad: still a view of w
    numpy.testing.assert_allclose(state["w"].asnumpy(), [2.0, 8.0, 2.0, 2.0])
