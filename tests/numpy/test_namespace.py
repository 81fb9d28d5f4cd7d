"""minpy.numpy mirrors NumPy's public namespace; creation functions follow the context and
take ``device=``/``ctx=``; linalg and fft forward values (random is in test_random.py)."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.primitive import Primitive
from minpy.testing import check_grads, fake_device


def _public(module: types.ModuleType) -> set[str]:
    return {
        n
        for n in dir(module)
        if not n.startswith("_") and not isinstance(getattr(module, n), types.ModuleType)
    }


def test_every_public_numpy_name_is_there():
    missing = sorted(n for n in _public(numpy) if not hasattr(np, n))
    assert not missing, f"minpy.numpy lacks {missing}"


def test_constants_and_dtypes_pass_through():
    assert np.pi == numpy.pi and np.e == numpy.e and numpy.isnan(np.nan) and np.inf == numpy.inf
    assert np.newaxis is None
    assert np.float32 is numpy.float32 and np.int64 is numpy.int64 and np.bool_ is numpy.bool_
    assert np.ndarray is minpy.Array


def test_functions_are_primitives():
    assert isinstance(np.exp, Primitive) and np.exp.differentiable
    assert isinstance(np.argsort, Primitive) and not np.argsort.differentiable
    assert np.abs is np.absolute  # aliases share one primitive


def test_unknown_name_is_clear():
    with pytest.raises(AttributeError, match="NumPy has none either"):
        np.no_such_function  # noqa: B018


def test_forward_results_match_numpy_widely(device):
    a = numpy.random.RandomState(0).rand(4, 5)
    x = np.array(a)
    for name in [
        "sort",
        "argsort",
        "cumprod",
        "median",
        "percentile",
        "unique",
        "diff",
        "nonzero",
        "isfinite",
        "where",
        "round",
        "floor",
        "any",
        "all",
        "count_nonzero",
    ]:
        fn = getattr(np, name)
        ref = getattr(numpy, name)
        args = (x, 50) if name == "percentile" else (x,)
        got, want = fn(*args), ref(*(a, *args[1:]))
        if isinstance(want, tuple):
            for g, w in zip(got, want):
                numpy.testing.assert_allclose(g.asnumpy(), w)
        else:
            numpy.testing.assert_allclose(numpy.asarray(got.asnumpy()), want, err_msg=name)
            assert got.device == device


def test_creation_functions_follow_context(device):
    for x in (
        np.zeros(3),
        np.ones((2, 2)),
        np.full(2, 7.0),
        np.arange(4),
        np.eye(2),
        np.linspace(0, 1, 5),
        np.empty(2),
        np.zeros_like(np.ones(2)),
        np.array([1, 2]),
    ):
        assert x.device == device
    assert np.zeros(2, device=minpy.cpu()).device == minpy.cpu()
    assert np.ones(2, ctx=minpy.cpu()).device == minpy.cpu()


def test_joining_and_splitting(device):
    a, b = numpy.arange(6.0).reshape(2, 3), numpy.ones((2, 3))
    x, y = np.array(a), np.array(b)
    cases = [
        (np.concatenate([x, y]), numpy.concatenate([a, b])),
        (np.concatenate([x, y], axis=None), numpy.concatenate([a, b], axis=None)),
        (np.stack([x, y], axis=1), numpy.stack([a, b], axis=1)),
        (np.hstack([x, y]), numpy.hstack([a, b])),
        (np.vstack([x, y]), numpy.vstack([a, b])),
        (np.dstack([x, y]), numpy.dstack([a, b])),
        (np.column_stack([x[0], y[0]]), numpy.column_stack([a[0], b[0]])),
        (np.append(x, y), numpy.append(a, b)),
        (np.array([x, y]), numpy.array([a, b])),
    ]
    for got, want in cases:
        numpy.testing.assert_allclose(got.asnumpy(), want)
    for got, want in zip(np.array_split(np.arange(7), 3), numpy.array_split(numpy.arange(7), 3)):
        numpy.testing.assert_array_equal(got.asnumpy(), want)
    with pytest.raises(ValueError, match="array_split"):
        np.split(np.arange(7), 3)


def test_linalg_and_fft_forward(device):
    a = numpy.array([[3.0, 1.0], [1.0, 2.0]])
    x = np.array(a)
    numpy.testing.assert_allclose(np.linalg.inv(x).asnumpy(), numpy.linalg.inv(a))
    numpy.testing.assert_allclose(np.linalg.det(x).asnumpy(), numpy.linalg.det(a))
    w, _ = np.linalg.eigh(x)
    numpy.testing.assert_allclose(w.asnumpy(), numpy.linalg.eigh(a)[0])
    numpy.testing.assert_allclose(np.fft.fft(x[0]).asnumpy(), numpy.fft.fft(a[0]))


def test_creation_device_keyword() -> None:
    dev = fake_device(1)
    assert np.zeros(3, device=dev).device is dev
    assert np.array([1.0, 2.0], device=dev).device is dev
    assert np.random.randn(2, device=dev).device is dev


def test_creation_ctx_keyword() -> None:
    dev = fake_device()
    assert np.ones((2, 2), ctx=dev).device is dev
    assert np.array([1, 2], ctx=dev).device is dev


def test_device_string_keyword() -> None:
    assert np.zeros(2, device="cpu").device is minpy.cpu()
    with pytest.raises(ValueError, match="is not a device"):
        np.zeros(2, device="tpu:0")


def test_unknown_device_is_clear():
    with pytest.raises(ValueError, match="is not a device"):
        np.zeros(3, device="tpu")


def _raises_like_numpy(fun: Callable[[Any], Any], host: Any) -> None:
    """``fun`` raises on minpy.numpy the built-in exception class it raises on NumPy."""
    with pytest.raises(Exception) as want:  # whatever NumPy raises
        fun(numpy)(host)
    builtin = next(c for c in want.type.__mro__ if c.__module__ == "builtins")
    with pytest.raises(builtin):
        fun(np)(np.array(host))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: lambda a: m.vsplit(a, 2),
        lambda m: lambda a: m.dsplit(a.reshape(2, 2), 2),
        lambda m: lambda a: m.hsplit(a[0], 1),
        lambda m: lambda a: m.split(a, [1.5, 3.0]),
        lambda m: lambda a: m.array_split(a, [1, 2.5]),
        lambda m: lambda a: m.split(a, 3),
        lambda m: lambda a: m.reshape(a),
    ],
    ids=[
        "vsplit-1d",
        "dsplit-2d",
        "hsplit-0d",
        "split-float",
        "array_split-float",
        "unequal",
        "reshape",
    ],
)
def test_splits_and_reshape_refuse_what_numpy_refuses(device, call):
    _raises_like_numpy(call, numpy.arange(4.0))


def test_split_counts_and_indices_as_numpy_takes_them(device):
    a = numpy.arange(12.0).reshape(6, 2)
    for args in ((2.0,), (numpy.int64(3),), (numpy.array([1, 4]),), ([2, -1],), ([5, 2],)):
        got = np.split(np.array(a), *args)
        want = numpy.split(a, *args)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.device is device and g.shape == w.shape
            numpy.testing.assert_array_equal(g.asnumpy(), w)
    got = np.split(np.array(a), np.array([1, 4]))  # split points in an Array
    assert [g.shape for g in got] == [(1, 2), (3, 2), (2, 2)]


def test_column_stack_of_scalars(device):
    for parts in ([1.0, 2.0], [numpy.array(1.0), numpy.arange(1.0)], [numpy.ones((1, 2)), 3.0]):
        got = np.column_stack([np.array(p) for p in parts])
        want = numpy.column_stack(parts)
        assert got.device is device and got.shape == want.shape
        numpy.testing.assert_array_equal(got.asnumpy(), want)


@pytest.mark.parametrize(
    "shapes",
    [
        [(2, 3), (3, 4)],
        [(2, 3), (3, 4), (4, 2)],
        [(10, 2), (2, 9), (9, 3)],
        [(3,), (3, 4), (4, 5), (5, 2)],
        [(3, 5), (5, 4), (4, 6), (6, 1), (1,)],
        [(4,), (4, 3), (3, 2), (2,)],
    ],
    ids=lambda s: "-".join("x".join(map(str, t)) for t in s),
)
def test_multi_dot_matches_numpy_and_differentiates(device, shapes):
    rng = numpy.random.RandomState(0)
    host = [rng.randn(*s) for s in shapes]
    args = [np.array(h) for h in host]
    got, want = np.linalg.multi_dot(args), numpy.linalg.multi_dot(host)
    assert got.device is device and got.shape == numpy.shape(want)
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)
    check_grads(lambda *a: np.linalg.multi_dot(list(a)), *args)


def test_multi_dot_out_and_errors(device):
    a, b, c = numpy.ones((2, 3)), numpy.ones((3, 4)), numpy.ones((4, 2))
    out = np.zeros((2, 2))
    assert np.linalg.multi_dot([np.array(a), np.array(b), np.array(c)], out=out) is out
    numpy.testing.assert_array_equal(out.asnumpy(), numpy.linalg.multi_dot([a, b, c]))
    _raises_like_numpy(lambda m: lambda x: m.linalg.multi_dot([x]), a)
    _raises_like_numpy(lambda m: lambda x: m.linalg.multi_dot([x, x.T[None], x]), a)
    with pytest.raises(numpy.linalg.LinAlgError, match="2-D"):
        np.linalg.multi_dot([np.array(a), np.ones((3, 4, 1)), np.array(c)])


def test_device_strings_are_checked() -> None:
    assert np.zeros(2, ctx="cpu:0").device is minpy.cpu()
    with pytest.raises(ValueError, match="one CPU device"):
        np.zeros(2, ctx="cpu:1")
    for bad in ("cuda:x", "gpu:", "cpu:-1", "gpu:1.0"):
        with pytest.raises(ValueError, match="non-negative integer"):
            np.zeros(2, device=bad)
