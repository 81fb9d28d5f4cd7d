"""Copy-on-write and views: in-place updates of traced arrays and of buffers the tape
saved, write-back through views, views that see later writes into their base (NumPy
semantics, traced or not), and the writes that cannot be differentiated.

The programs below are written against the module-level ``np``; ``with_namespace`` runs
the same code with NumPy for the reference values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.testing import check_grads
from tests.checks import assert_same, check_op, random_inputs
from tests.numpy.optable import with_namespace

# --------------------------------------------------------------------------------------------
# in place without tracing: real writes, NumPy's casting rule


def test_array_inplace_untraced_is_real_inplace(device):
    x = np.zeros(4)
    view = x[1:3]
    x += 1
    x[2] = 7.0
    assert view.tolist() == [1.0, 7.0]  # NumPy semantics: the view sees both writes
    y = np.arange(4)
    with pytest.raises(TypeError, match="add"):
        y += 1.5  # NumPy's same_kind rule for in-place


# --------------------------------------------------------------------------------------------
# in-place updates while traced: copy-on-write keeps saved values


def test_inplace_divide_keeps_saved_values(device):
    def softmax(x):
        probs = np.exp(x - np.max(x, axis=1, keepdims=True))
        probs /= np.sum(probs, axis=1, keepdims=True)
        return probs

    check_grads(softmax, np.random.randn(4, 3))


def test_inplace_after_use_keeps_saved_values(device):
    def f(x):
        y = x * x
        x += 1.0  # rebinds x; the multiply above must still see the old x
        x *= y
        return y + x

    check_grads(f, np.random.randn(5))


def test_inplace_on_saved_constant_copies(device):
    def f(x):
        c = np.ones(3)
        y = x * c
        c += 1.0  # c was saved by the multiply: written copy-on-write
        return np.sum(y * c)

    x = np.array([1.0, 2.0, 3.0])
    numpy.testing.assert_allclose(grad(f)(x).asnumpy(), 2.0)


def test_inplace_grad_arithmetic(device: minpy.Device) -> None:
    host, args = random_inputs(device, (2, 3), (3,))
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

    check_op(f, host, args, device)


def test_inplace_grad_on_traced_input(device: minpy.Device) -> None:
    host, args = random_inputs(device, (2, 3), (2, 3))
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
    assert_same(f(args[0], args[1]), want, device)
    numpy.testing.assert_allclose(args[0].asnumpy(), want / host[1], rtol=1e-12)


def test_inplace_grad_untraced_target(device: minpy.Device) -> None:
    host, args = random_inputs(device, (3,))

    def f(x: Any) -> Any:
        a = np.ones((2, 3))
        a += x
        a *= x
        a /= 2.0
        a -= np.sin(x)
        return a

    check_op(f, host, args, device)


def test_inplace_grad_saved_input_not_clobbered(device: minpy.Device) -> None:
    host, args = random_inputs(device, (3,))

    def f(x: Any) -> Any:
        a = np.ones(3) * 2.0
        y = x * a  # the rule of multiply keeps a
        a += 1.0  # an untraced in-place write after a was saved
        a[0] = 10.0
        return y * a

    check_op(f, host, args, device)


# --------------------------------------------------------------------------------------------
# writes through views: written back, or refused where the gradient would be wrong


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
    assert_same(fun(x), with_namespace(fun, numpy)(x.asnumpy()), device)


@pytest.mark.parametrize(
    "fun", [_iadd_view, _iadd_transpose_view], ids=lambda f: f.__name__.strip("_")
)
def test_setitem_grad_through_view_raises(fun: Callable[[Any], Any], device: Any) -> None:
    x = np.array(numpy.random.RandomState(0).randn(2, 3), device=device)
    with pytest.raises(minpy.GradientError, match="view"):
        grad(fun)(x)
    # untraced, the same code runs and agrees with NumPy
    assert_same(fun(x), with_namespace(fun, numpy)(x.asnumpy()), device)


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


# --------------------------------------------------------------------------------------------
# NumPy's in-place operators, each as NumPy runs it


def _ref_raises(fun: Callable[[Any], Any], host: Any, x: Any) -> None:
    """``fun`` raises on the Array what it raises on the host array (same class)."""
    with pytest.raises(Exception) as want:  # whatever NumPy raises
        fun(host)
    # NumPy's own classes (UFuncTypeError, AxisError, ...) subclass the built-in one we match
    builtin = next(c for c in want.type.__mro__ if c.__module__ == "builtins")
    with pytest.raises(builtin):
        fun(x)


def _ilshift(a: Any, b: Any) -> Any:
    a <<= b
    return a


def _irshift(a: Any, b: Any) -> Any:
    a >>= b
    return a


def _imatmul(a: Any, b: Any) -> Any:
    a @= b
    return a


@pytest.mark.parametrize("iop", [_ilshift, _irshift], ids=["ilshift", "irshift"])
def test_inplace_shifts_write_in_place(device: minpy.Device, iop: Any) -> None:
    host = numpy.arange(8, 14)
    x = np.array(host)
    view, hview = x[1:4], host[1:4]
    res = iop(x, 2)
    assert res is x
    iop(host, 2)
    assert_same(view, hview, device)  # the view sees the write, as NumPy's does
    assert_same(x, host, device)
    _ref_raises(lambda a: iop(a, 1.5), host, x)  # NumPy's casting rule


def test_inplace_matmul_casts_as_numpy(device: minpy.Device) -> None:
    host = numpy.arange(4).reshape(2, 2)
    x = np.array(host)
    _ref_raises(lambda a: _imatmul(a, numpy.ones((2, 2))), host, x)  # int @= float
    _ref_raises(lambda a: _imatmul(a, numpy.ones((2, 3), int)), host, x)  # shape changes
    hf = numpy.arange(4.0, dtype=numpy.float32).reshape(2, 2)
    w = numpy.array([[0.1, 0.2], [0.3, 0.7]])
    xf = np.array(hf)
    assert _imatmul(xf, np.array(w)) is xf
    assert xf.dtype == numpy.float32
    numpy.testing.assert_array_equal(xf.asnumpy(), _imatmul(hf.copy(), w))
    numpy.testing.assert_array_equal(
        _imatmul(x, np.ones((2, 2), dtype=int)).asnumpy(), host @ [[1, 1], [1, 1]]
    )


def test_inplace_matmul_traced_keeps_dtype(device: minpy.Device) -> None:
    w = numpy.array([[0.1, 0.2], [0.3, 0.7]])

    def f(x: Any) -> Any:
        y = x * 1.0
        y @= np.array(w)
        assert y.dtype == x.dtype  # NumPy casts the product back into y
        return y

    x32 = numpy.arange(1.0, 5.0, dtype=numpy.float32).reshape(2, 2)
    grad(f)(np.array(x32))
    check_grads(f, np.arange(1.0, 5.0).reshape(2, 2))
    assert_same(f(np.array(x32)), _imatmul(x32 * 1.0, w), device)


def test_inplace_on_one_element_casts_like_numpy_item_assignment(device: minpy.Device) -> None:
    # a[1] is a NumPy scalar: a[1] *= 2.5 is a[1] = a[1] * 2.5, cast on assignment
    host, host2 = numpy.arange(4), numpy.arange(6).reshape(2, 3)
    x, x2 = np.array(host), np.array(host2)
    x[1] *= 2.5
    host[1] *= 2.5
    x2[1, 2] += 0.75
    host2[1, 2] += 0.75
    x2[numpy.int64(0), np.array(1)] -= 1.5
    host2[numpy.int64(0), numpy.array(1)] -= 1.5
    assert_same(x, host, device)
    assert_same(x2, host2, device)
    t, ht = x[2], host[2]
    t += 1  # rebinds t, as for a NumPy scalar; x is unchanged
    ht += 1
    assert_same(x, host, device)
    assert int(t) == int(ht)
    # a 0-d array is no scalar: NumPy's casting rule applies to it
    _ref_raises(lambda a: a.__imul__(2.5), numpy.array(3), np.array(3))
    _ref_raises(lambda a: a[...].__imul__(2.5), host, x)


def test_inplace_on_one_element_traced(device: minpy.Device) -> None:
    def f(x: Any) -> Any:
        y = x * 1.0
        y[1] *= 3.0
        y[0, 2] += y[1, 1]
        return y

    host, args = random_inputs(device, (2, 3))
    check_op(f, host, args, device)


def test_inplace_through_advanced_index_writes_back(device: minpy.Device) -> None:
    # a[None, [3, 0]] /= x is a[None, [3, 0]] = a[None, [3, 0]] / x: a copy, written back
    def f(x: Any) -> Any:
        a = np.arange(1.0, 6.0)
        a[None, [3, 0]] /= x
        return a

    check_op(f, [numpy.array(2.0)], [np.array(2.0, device=device)], device)
    host, args = random_inputs(device, (2,))
    check_op(f, host, args, device)


def test_scalar_results_rebind_under_in_place_operators_as_numpy_scalars_do() -> None:
    # NumPy's reductions give immutable scalars: s /= 2 rebinds s to s / 2 (a float)
    s = np.sum(np.arange(3))
    s /= 2
    want = numpy.sum(numpy.arange(3))
    want /= 2
    assert s.dtype == want.dtype and float(s) == float(want)
    t = np.sum(np.ones(2, dtype=np.float32))
    t += numpy.float64(0.5)
    ref = numpy.sum(numpy.ones(2, dtype=numpy.float32))
    ref += numpy.float64(0.5)
    assert t.dtype == ref.dtype and float(t) == float(ref)


_WRITERS: dict[str, Any] = {
    "copyto": (lambda xp, a: xp.copyto(a, 100.0), None),
    "put": (lambda xp, a: xp.put(a, [0, 2], [100.0, 200.0]), None),
    "place": (lambda xp, a: xp.place(a, numpy.array([True, False, True]), [100.0]), None),
    "putmask": (lambda xp, a: xp.putmask(a, numpy.array([True, False, True]), 100.0), None),
    "put_along_axis": (
        lambda xp, a: xp.put_along_axis(a, numpy.array([1]), numpy.array([100.0]), 0),
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(_WRITERS))
def test_numpy_writers_copy_a_saved_buffer_first(name: str, device: minpy.Device) -> None:
    write = _WRITERS[name][0]
    seen = []

    def f(x: Any) -> Any:
        c = np.array([1.0, 2.0, 3.0], device=device)
        y = x * c  # the tape holds c's buffer
        write(np, c)  # lands in c, as in NumPy, and the tape keeps [1, 2, 3]
        seen.append(c.asnumpy())
        return np.sum(y)

    g = grad(f)(np.ones(3, device=device))
    numpy.testing.assert_array_equal(g.asnumpy(), [1.0, 2.0, 3.0])
    want = numpy.array([1.0, 2.0, 3.0])
    write(numpy, want)
    numpy.testing.assert_array_equal(seen[0], want)


def test_numpy_writers_write_into_minpy_arrays_only() -> None:
    # traced writes are differentiable: tests/numpy/test_writers_grad.py
    with pytest.raises(TypeError, match=r"put: the array written into must be a minpy Array"):
        np.put(numpy.zeros(3), [0], [1.0])
