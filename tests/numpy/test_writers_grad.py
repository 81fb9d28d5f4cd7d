"""NumPy's in-place writers under ``grad``: ``copyto``, ``put``, ``place``, ``putmask``,
``fill_diagonal`` and ``put_along_axis``.

Each case runs the same call on NumPy arrays and on minpy Arrays, untraced and traced: the
values must be NumPy's bit for bit (repeated indices, cycling, wrap/clip, broadcasting), and
the gradients with respect to the destination and the written values must match finite
differences to second order. Views, the destination's identity, the untraced fast path and
NumPy's errors are checked after that.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.testing import check_grads

_MASK = numpy.array([[True, False, True], [False, False, True], [True, True, False]])
_WHERE = numpy.array([True, False, True])
_ALONG = numpy.array([[3, 0], [1, 1], [0, 2]])

#: name -> (destination shape, values shape, the write as ``write(xp, dst, values)``)
CASES: dict[str, tuple[tuple[int, ...], tuple[int, ...], Callable[..., None]]] = {
    "put_repeated_last_wins": ((3, 4), (4,), lambda xp, d, v: xp.put(d, [0, 5, 0, 11], v)),
    "put_cycles_short_values": ((2, 3), (2,), lambda xp, d, v: xp.put(d, [1, 2, 4, 2, 0], v)),
    "put_negative": ((2, 3), (3,), lambda xp, d, v: xp.put(d, [-1, -6, 2], v)),
    "put_wrap": ((2, 3), (4,), lambda xp, d, v: xp.put(d, [7, -8, 2, 13], v, mode="wrap")),
    "put_clip": ((2, 3), (3,), lambda xp, d, v: xp.put(d, [-4, 9, 1], v, mode="clip")),
    "put_scalar_value": ((2, 3), (), lambda xp, d, v: xp.put(d, [1, 4], v)),
    "place_cycles": ((3, 3), (2,), lambda xp, d, v: xp.place(d, _MASK, v)),
    "place_extra_values": ((3, 3), (7,), lambda xp, d, v: xp.place(d, _MASK, v)),
    "putmask_cycles": ((3, 3), (4,), lambda xp, d, v: xp.putmask(d, _MASK, v)),
    "putmask_same_shape": ((3, 3), (3, 3), lambda xp, d, v: xp.putmask(d, _MASK, v)),
    "copyto_broadcast": ((2, 3), (3,), lambda xp, d, v: xp.copyto(d, v)),
    "copyto_broadcast_where": ((2, 3), (3,), lambda xp, d, v: xp.copyto(d, v, where=_WHERE)),
    "copyto_scalar_where": ((2, 3), (), lambda xp, d, v: xp.copyto(d, v, where=_WHERE)),
    "fill_diagonal_tall": ((7, 3), (2,), lambda xp, d, v: xp.fill_diagonal(d, v)),
    "fill_diagonal_tall_wrap": ((7, 3), (2,), lambda xp, d, v: xp.fill_diagonal(d, v, True)),
    "fill_diagonal_wide": ((2, 5), (), lambda xp, d, v: xp.fill_diagonal(d, v, wrap=True)),
    "fill_diagonal_cube": ((3, 3, 3), (3,), lambda xp, d, v: xp.fill_diagonal(d, v)),
    "put_along_axis": ((3, 4), (3, 2), lambda xp, d, v: xp.put_along_axis(d, _ALONG, v, 1)),
    "put_along_axis_broadcast": (
        (3, 4),
        (1, 2),
        lambda xp, d, v: xp.put_along_axis(d, _ALONG, v, axis=1),
    ),
    "put_along_axis_none": (
        (3, 4),
        (3,),
        lambda xp, d, v: xp.put_along_axis(d, numpy.array([0, 5, 11]), v, None),
    ),
}


def _inputs(name: str, device: minpy.Device) -> tuple[Any, Any, Any, Any]:
    """Host and device values of the destination and the written values of case ``name``."""
    dshape, vshape, _ = CASES[name]
    rng = numpy.random.RandomState(sorted(CASES).index(name))
    d0, v0 = rng.randn(*dshape), rng.randn(*vshape) + 5.0
    return d0, v0, np.array(d0, device=device), np.array(v0, device=device)


def _numpy_result(name: str, d0: Any, v0: Any) -> Any:
    want = d0.copy()
    CASES[name][2](numpy, want, v0)
    return want


def _written(name: str) -> Callable[[Any, Any], Any]:
    """``f(d, v)``: a copy of ``d`` with ``v`` written in, through minpy."""
    write = CASES[name][2]

    def f(d: Any, v: Any) -> Any:
        out = d * 1.0
        write(np, out, v)
        return out

    return f


@pytest.mark.parametrize("name", sorted(CASES))
def test_writers_values_match_numpy_untraced_and_traced(name: str, device: minpy.Device) -> None:
    d0, v0, d, v = _inputs(name, device)
    want = _numpy_result(name, d0, v0)
    CASES[name][2](np, d, v)  # untraced: NumPy's own function on the buffer
    numpy.testing.assert_array_equal(d.asnumpy(), want)
    seen = []

    def loss(d: Any, v: Any) -> Any:
        out = _written(name)(d, v)
        seen.append(out.asnumpy())
        return np.sum(out * out)

    _, _, d, v = _inputs(name, device)
    grad(loss, argnum=[0, 1])(d, v)
    numpy.testing.assert_array_equal(seen[0], want)


@pytest.mark.parametrize("name", sorted(CASES))
def test_writers_grad_to_second_order(name: str, device: minpy.Device) -> None:
    _, _, d, v = _inputs(name, device)
    check_grads(_written(name), d, v, order=2)


def test_put_grad_goes_to_the_last_write(device: minpy.Device) -> None:
    weights = np.array([1.0, 10.0, 100.0, 1000.0], device=device)

    def loss(d: Any, v: Any) -> Any:
        out = d * 1.0
        np.put(out, [0, 3, 0, -1, 7], v, mode="wrap")  # 0 <- v0, v2; 3 <- v1, v3, v0 (7 -> 3)
        return np.sum(out * weights)

    gd, gv = grad(loss, argnum=[0, 1])(np.ones(4, device=device), np.ones(4, device=device))
    numpy.testing.assert_array_equal(gd.asnumpy(), [0.0, 10.0, 100.0, 0.0])
    numpy.testing.assert_array_equal(gv.asnumpy(), [1000.0, 0.0, 1.0, 0.0])


def test_writers_grad_into_the_argument_itself(device: minpy.Device) -> None:
    def f(d: Any, v: Any) -> Any:
        np.putmask(d, _MASK, v)  # the traced argument, not a copy of it
        return d

    _, _, d, v = _inputs("putmask_cycles", device)
    check_grads(f, d, v)


def test_writers_grad_with_only_one_side_traced(device: minpy.Device) -> None:
    fixed = np.array([7.0, 8.0], device=device)
    base = np.arange(9.0, device=device).reshape(3, 3)
    gd = grad(lambda d: np.sum(_set_diagonal(d * 1.0, fixed) ** 2))(base)
    want = numpy.where(numpy.eye(3), 0.0, 2 * numpy.arange(9.0).reshape(3, 3))
    numpy.testing.assert_array_equal(gd.asnumpy(), want)
    gv = grad(lambda v: np.sum(_set_diagonal(np.zeros((3, 3), device=device), v) * base))(fixed)
    # v = [7, 8] cycles down the diagonal: v0 lands at (0, 0) and (2, 2), v1 at (1, 1)
    numpy.testing.assert_array_equal(gv.asnumpy(), [0.0 + 8.0, 4.0])


def _set_diagonal(d: Any, v: Any) -> Any:
    np.fill_diagonal(d, v)
    return d


def test_writers_keep_the_destination_and_its_views(device: minpy.Device) -> None:
    def f(x: Any, v: Any) -> Any:
        d = x * 1.0
        row = d[1]  # a view: sees the write, as in NumPy
        ident = id(d)
        np.put(d, [4, 0], v)
        assert id(d) == ident
        np.copyto(d[0], v[0] * 3)  # into a view: its base sees it
        return row * d[0]

    x0, v0 = numpy.arange(6.0).reshape(2, 3), numpy.array([2.0, 5.0])
    want = x0.copy()
    numpy.put(want, [4, 0], v0)
    numpy.copyto(want[0], v0[0] * 3)
    x, v = np.array(x0, device=device), np.array(v0, device=device)
    numpy.testing.assert_array_equal(f(x, v).asnumpy(), want[1] * want[0])
    check_grads(f, x, v)


def test_writers_untraced_write_into_the_buffer(device: minpy.Device) -> None:
    d = np.zeros((2, 3), device=device)
    raw = d._data
    np.put(d, [1], 2.0)
    np.copyto(d, np.ones(3, device=device), where=_WHERE)
    assert d._data is raw


def test_writers_index_arrays_get_no_gradient(device: minpy.Device) -> None:
    ind = np.array([2, 0], device=device)

    def f(d: Any, v: Any) -> Any:
        out = d * 1.0
        np.put(out, ind, v)
        np.put_along_axis(out, ind, v * 2, axis=0)
        return out

    check_grads(f, np.ones(3, device=device), np.array([4.0, 5.0], device=device))


def test_writers_keep_numpy_errors_under_grad() -> None:
    x = np.ones(3)
    with pytest.raises(IndexError):
        grad(lambda v: np.put(v * 1.0, [5], 1.0) or np.sum(v))(x)
    with pytest.raises(TypeError, match="same_kind"):
        grad(lambda v: np.copyto(np.zeros(3, dtype=np.int64), v) or np.sum(v))(x)
    with pytest.raises(TypeError, match="'no'"):
        grad(lambda v: np.copyto(np.zeros(3, np.float32), v, casting="no") or np.sum(v))(x)


def test_writers_cast_the_values_as_numpy_does() -> None:
    v0 = numpy.array([1 / 3, 2 + 1e-9])
    want = numpy.zeros(3, numpy.float32)
    numpy.put(want, [0, 2], v0)
    seen = []

    def f(v: Any) -> Any:
        d = np.zeros(3, np.float32)
        np.put(d, [0, 2], v)
        seen.append(d.asnumpy())
        return np.sum(d)

    numpy.testing.assert_array_equal(grad(f)(np.array(v0)).asnumpy(), [1.0, 1.0])
    assert seen[0].dtype == numpy.float32
    numpy.testing.assert_array_equal(seen[0], want)


def test_writers_complex_values_into_a_real_array_keep_the_real_part() -> None:
    def f(v: Any) -> Any:
        d = np.zeros(2)
        np.copyto(d, v, casting="unsafe")
        return d

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", numpy.exceptions.ComplexWarning)
        numpy.testing.assert_array_equal(f(np.array([1 + 2j, 3j])).asnumpy(), [1.0, 0.0])
        check_grads(f, np.array([1 + 2j, 3 - 1j]))


def test_writers_refuse_a_view_they_cannot_write_back() -> None:
    with pytest.raises(minpy.GradientError, match=r"copyto: writing into a view made by reshape"):
        grad(lambda x: np.copyto(np.reshape(x * 1.0, (2, 2)), 1.0) or np.sum(x))(np.ones(4))
