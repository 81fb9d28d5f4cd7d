"""Array's NumPy surface: the ndarray members and method keywords NumPy has, the reflected
shift operators and divmod, each compared with NumPy on the same inputs (values, dtype, shape,
exception type). In-place semantics are in test_inplace.py."""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.testing import check_grads

A = numpy.array([[3.0, -1.0, 2.0, 0.5], [4.0, 1.5, -2.0, 6.0], [0.0, 2.5, 1.0, -3.0]])


def _same(got: Any, want: Any, device: minpy.Device) -> None:
    """``got`` is what NumPy's ``want`` is: an Array on ``device`` of its dtype and values,
    or the same tuple of them."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, device)
        return
    assert isinstance(got, minpy.Array) and got.device is device
    want = numpy.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)


def _raises_like(fun: Callable[[Any], Any], host: Any, x: Any) -> None:
    """``fun`` raises on the Array the exception class NumPy raises on the host array."""
    with pytest.raises(Exception) as want:  # whatever NumPy raises
        fun(host)
    # NumPy's own classes (UFuncTypeError, AxisError, ...) subclass the built-in one we match
    builtin = next(c for c in want.type.__mro__ if c.__module__ == "builtins")
    with pytest.raises(builtin):
        fun(x)


# --------------------------------------------------------------------------------------------
# operators


@pytest.mark.parametrize(
    "op",
    [
        lambda a: 2 << a,
        lambda a: 64 >> a,
        lambda a: a << 2,
        lambda a: divmod(a, 3),
        lambda a: divmod(17, a + 1),
    ],
    ids=["rlshift", "rrshift", "lshift", "divmod", "rdivmod"],
)
def test_array_shift_and_divmod_operators_match_numpy(device, op):
    host = numpy.arange(5)
    _same(op(np.array(host)), op(host), device)


# --------------------------------------------------------------------------------------------
# members


def test_array_view_shares_memory_and_reads_bytes(device):
    host = numpy.arange(6.0).reshape(2, 3)
    x = np.array(host)
    v = x.view()
    v[0, 0] = 7.0  # a view: the write shows in x, as in NumPy
    host.view()[0, 0] = 7.0
    _same(x, host, device)
    _same(x.view(numpy.int64), host.view(numpy.int64), device)
    _same(x.view(numpy.float32), host.view(numpy.float32), device)
    assert x.view(np.ndarray).shape == (2, 3)
    check_grads(lambda a: a.view() * a, np.array(host))


def test_array_mT_and_conjugate(device):
    host = numpy.arange(24.0).reshape(2, 3, 4)
    x = np.array(host)
    _same(x.mT, host.mT, device)
    _raises_like(lambda a: a.mT, host[0, 0], x[0, 0])
    check_grads(lambda a: a.mT * 2.0, x)
    z = numpy.array([1 + 2j, 3 - 1j])
    _same(np.array(z).conjugate(), z.conjugate(), device)
    _same(np.array(z).conj(), z.conj(), device)


def test_array_tobytes_matches_numpy(device):
    host = numpy.arange(6, dtype=numpy.int32).reshape(2, 3)
    x = np.array(host)
    assert x.tobytes() == host.tobytes()
    assert x.tobytes("F") == host.tobytes("F")


def test_array_cumprod_and_cumsum_keywords(device):
    x = np.array(A)
    _same(x.cumprod(), A.cumprod(), device)
    _same(x.cumprod(axis=1, dtype=numpy.float32), A.cumprod(axis=1, dtype=numpy.float32), device)
    _same(x.cumsum(dtype=numpy.float32), A.cumsum(dtype=numpy.float32), device)
    _same(x.cumsum(1), A.cumsum(1), device)
    check_grads(lambda a: (a + 5.0).cumprod(axis=1), x)  # the rule needs no zeros


def test_array_flat_reads_and_iterates(device):
    host = numpy.arange(12.0).reshape(3, 4)
    x = np.array(host)
    flat = x.flat
    assert len(flat) == len(host.flat)
    _same(flat[5], host.flat[5], device)
    _same(flat[2:7], host.flat[2:7], device)
    _same(flat[[0, 11, 3]], host.flat[[0, 11, 3]], device)
    _same(flat[host.ravel() > 6], host.flat[host.ravel() > 6], device)
    assert [float(v) for v in x.flat] == list(host.flat)
    part = x.flat[0:2]
    part[0] = 100.0  # a copy, as NumPy's flat iterator gives
    assert float(x[0, 0]) == 0.0
    _same(x.T.flat[1:3], host.T.flat[1:3], device)
    _raises_like(lambda a: a.flat[0, 1], host, x)
    check_grads(lambda a: a.flat[[1, 5, 5]] * 2.0, x)


def test_array_compress_matches_numpy(device):
    x = np.array(A)
    for cond, axis in (([True, False, True], 0), ([0, 2, 0, 1], 1), ([True, False], 0)):
        _same(x.compress(cond, axis=axis), A.compress(cond, axis=axis), device)
    _same(x.compress([False, True, True]), A.compress([False, True, True]), device)
    _same(x.compress(np.array([True, False, True]), 0), A.compress([True, False, True], 0), device)
    _raises_like(lambda a: a.compress([[True]]), A, x)
    _raises_like(lambda a: a.compress([True, False, True], axis=1), A[:, :2], x[:, :2])
    check_grads(lambda a: a.compress([True, False, True, True], axis=1) ** 2, x)


def test_array_searchsorted_matches_numpy(device):
    host = numpy.array([1.0, 2.0, 2.0, 5.0])
    x = np.array(host)
    _same(x.searchsorted(2.0), host.searchsorted(2.0), device)
    _same(
        x.searchsorted([0.0, 2.0, 9.0], side="right"), host.searchsorted([0, 2, 9], "right"), device
    )
    sorter = numpy.array([3, 0, 1, 2])
    unsorted = host[[1, 2, 3, 0]]
    got = np.array(unsorted).searchsorted(2.5, sorter=np.array(sorter))
    _same(got, unsorted.searchsorted(2.5, sorter=sorter), device)


def test_array_copy_module_copies(device):
    x = np.array([1.0, 2.0])
    for dup in (copy.copy(x), copy.deepcopy(x)):
        dup[0] = 9.0
        assert float(x[0]) == 1.0 and dup.device is device


# --------------------------------------------------------------------------------------------
# method keywords: NumPy's own


#: keywords that CuPy's functions lack (NumPy's where=, initial=, take's mode=, ...)
_CUPY_LACKS = frozenset({"where", "initial", "mode", "stable"})


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("max", (), {"initial": 10.0}),
        ("max", (1,), {"initial": 5.0, "keepdims": True}),
        ("min", (), {"initial": -10.0}),
        ("min", (0,), {"initial": 0.0}),
        ("sum", (), {"where": A > 0}),
        ("sum", (1,), {"where": A > 0, "initial": 1.0}),
        ("sum", (None, numpy.float32), {}),
        ("prod", (1,), {"where": A > 0}),
        ("mean", (0,), {"where": A > 0}),
        ("var", (1,), {"ddof": 1, "keepdims": True}),
        ("std", (0,), {"where": A > -2}),
        ("all", (1,), {"where": A > 0}),
        ("any", (), {"keepdims": True}),
        ("argmax", (1,), {"keepdims": True}),
        ("argsort", (), {"kind": "stable"}),
        ("argsort", (0,), {"stable": True}),
        ("clip", (), {"min": 0.0}),
        ("clip", (-1.0, 1.0), {}),
        ("round", (1,), {}),
        ("take", ([0, 5],), {"mode": "wrap"}),
        ("trace", (), {"offset": 1, "dtype": numpy.float32}),
        ("ravel", (), {"order": "F"}),
        ("flatten", ("F",), {}),
        ("copy", ("F",), {}),
        ("astype", (numpy.int32,), {"casting": "unsafe"}),
        ("repeat", (2,), {"axis": 0}),
        ("squeeze", (), {}),
        ("dot", (A.T,), {}),
    ],
)
def test_array_method_keywords_match_numpy(device, method, args, kwargs):
    lacking = _CUPY_LACKS.intersection(kwargs)
    if device.kind == "gpu" and lacking:
        pytest.skip(f"CuPy's {method} takes no {sorted(lacking)} (a TypeError, no fallback)")

    def on(a: Any) -> Any:
        wrap = np.array if isinstance(a, minpy.Array) else numpy.asarray
        cast = [wrap(v) if isinstance(v, numpy.ndarray) else v for v in args]
        kw = {k: wrap(v) if isinstance(v, numpy.ndarray) else v for k, v in kwargs.items()}
        return getattr(a, method)(*cast, **kw)

    _same(on(np.array(A)), on(A), device)


def test_array_methods_pass_out_on(device):
    x = np.array(A)
    out = np.zeros(4)
    res = x.sum(axis=0, out=out)
    assert res is out
    _same(out, A.sum(axis=0), device)
    assert numpy.sum(np.array(A)) == A.sum()  # NumPy's function calls the method, out=None


def test_array_reshape_needs_a_shape(device):
    x = np.array(A)
    _raises_like(lambda a: a.reshape(), A, x)
    _same(x.reshape(None), A.reshape(None), device)
    _same(x.reshape((4, 3), order="F"), A.reshape((4, 3), order="F"), device)
    _same(x.reshape(2, 6, copy=True), A.reshape(2, 6, copy=True), device)


def test_array_sort_keywords_sort_in_place(device):
    host = A.copy()
    x = np.array(host)
    x.sort(axis=0, kind="stable")
    host.sort(axis=0, kind="stable")
    _same(x, host, device)


def test_array_sum_where_gradient_is_masked():
    m = np.array([True, False, True])
    g = grad(lambda x: x.sum(where=m))(np.ones(3))
    numpy.testing.assert_array_equal(g.asnumpy(), [1.0, 0.0, 1.0])


def test_operator_index_of_int_array_in_range(device):
    # an integer 0-d Array is an index, as NumPy's is
    assert list(range(10))[np.array(3)] == 3
    assert operator.index(np.int64(2)) == 2
