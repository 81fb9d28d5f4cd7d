"""NumPy 2's array-API names of ``minpy.numpy.linalg`` (``vector_norm``, ``svdvals``, ...):
NumPy's values bit for bit, NumPy's argument checks with minpy's messages, NumPy's functions
running them on Arrays. Their gradients are checked by the op table (``optable_linalg.IN``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.primitive import Primitive
from tests.numpy.optable import CASES
from tests.numpy.optable_linalg import IN

pytestmark = pytest.mark.skipif(
    not hasattr(numpy.linalg, "vector_norm"), reason="NumPy 2's array-API names"
)

RNG = numpy.random.RandomState(0)
T = RNG.randn(3, 2, 4)
Z = RNG.randn(2, 3, 3) + 1j * RNG.randn(2, 3, 3)


def _written() -> set[str]:
    """The names of ``minpy.numpy.linalg`` that are functions written in primitives."""
    return {
        n
        for n in np.linalg.__all__
        if callable(getattr(np.linalg, n))
        and not isinstance(getattr(np.linalg, n), Primitive)
        and getattr(np.linalg, n).__module__ == "minpy.numpy.linalg"
    }


def test_linalg_api_names_are_written_in_primitives_with_op_table_cases() -> None:
    assert _written() == {n.removeprefix("linalg.") for n in IN} | {"multi_dot"}
    named = {c.name.split("-")[0] for c in CASES}
    assert set(IN) <= named


def _same(got: Any, want: Any, device: minpy.Device) -> None:
    assert isinstance(got, Array) and got.device is device
    assert got.dtype == want.dtype and got.shape == numpy.shape(want)
    numpy.testing.assert_array_equal(got.asnumpy(), want)


NORM_AXES = [None, 0, -1, (0,), (2, 0), (-1, 1), (0, 1, 2), ()]
ORDS = [2, 1, numpy.inf, -numpy.inf, 0, 3, 0.5, -1, -2]


@pytest.mark.parametrize("axis", NORM_AXES, ids=str)
@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_vector_norm_is_numpys(device, axis, ord):
    for x, keepdims in itertools.product((T, T.astype(numpy.float32), T + 1j * T), (False, True)):
        want = numpy.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
        got = np.linalg.vector_norm(np.array(x), axis=axis, keepdims=keepdims, ord=ord)
        _same(got, want, device)


def test_vector_norm_of_a_scalar_and_of_a_list(device):
    _same(np.linalg.vector_norm(np.array(-2.5)), numpy.linalg.vector_norm(-2.5), device)
    _same(
        np.linalg.vector_norm([3, 4], keepdims=True),
        numpy.linalg.vector_norm([3, 4], keepdims=True),
        device,
    )


CALLS: list[tuple[str, Callable[[Any], Callable[..., Any]], tuple[Any, ...]]] = [
    ("matmul", lambda m: m.linalg.matmul, (T, T[0, 0])),
    ("outer", lambda m: m.linalg.outer, (T[0, 0], Z[0, 0])),
    ("cross", lambda m: m.linalg.cross, (T[..., :3], Z[0, 0])),
    (
        "cross-axis",
        lambda m: lambda a, b: m.linalg.cross(a, b, axis=-2),
        (T[..., :3].transpose(0, 2, 1), Z[0, :, :1]),
    ),
    ("diagonal", lambda m: lambda x: m.linalg.diagonal(x, offset=-1), (T,)),
    ("trace", lambda m: lambda x: m.linalg.trace(x, offset=1), (Z,)),
    ("trace-dtype", lambda m: lambda x: m.linalg.trace(x, dtype=numpy.float32), (T,)),
    ("vecdot", lambda m: lambda a, b: m.linalg.vecdot(a, b, axis=0), (Z, Z[:, :1])),
    ("tensordot", lambda m: lambda a, b: m.linalg.tensordot(a, b, axes=([0], [2])), (T, Z)),
    ("matrix_transpose", lambda m: m.linalg.matrix_transpose, (Z,)),
    ("svdvals", lambda m: m.linalg.svdvals, (Z,)),
    ("svdvals-wide", lambda m: m.linalg.svdvals, (T,)),
    *[
        (
            f"matrix_norm-{o}-{k}",
            lambda m, o=o, k=k: lambda x: m.linalg.matrix_norm(x, ord=o, keepdims=k),
            (h,),
        )
        for o in ("fro", "nuc", 1, -1, 2, -2, numpy.inf, -numpy.inf)
        for k in (False, True)
        for h in (T, Z)
    ],
]


@pytest.mark.parametrize("name, call, host", CALLS, ids=[c[0] for c in CALLS])
def test_linalg_api_is_numpys(device, name, call, host):
    want = call(numpy)(*host)
    _same(call(np)(*[np.array(h) for h in host]), want, device)
    _same(call(numpy)(*[np.array(h) for h in host]), want, device)  # NumPy's, on Arrays


BAD: list[tuple[str, Callable[[Any], Any], str]] = [
    ("outer-2d", lambda m: m.linalg.outer(m.ones((2, 2)), m.ones(2)), r"1-D.*\(2, 2\).*np.outer"),
    ("outer-0d", lambda m: m.linalg.outer(m.ones(2), 1.0), r"1-D.*\(\).*ravel"),
    (
        "cross-2-vectors",
        lambda m: m.linalg.cross(m.ones((4, 2)), m.ones(3)),
        r"3-vectors.*\(4, 2\).*2 and 3.*zero third",
    ),
    (
        "cross-axis",
        lambda m: m.linalg.cross(m.ones((3, 4)), m.ones((3, 4))),
        r"axis -1.*4 and 4.*axis=",
    ),
    (
        "cross-axis-range",
        lambda m: m.linalg.cross(m.ones(3), m.ones(3), axis=1),
        r"axis 1.*\(3,\).*range\(-1, 1\)",
    ),
    (
        "matrix_transpose-1d",
        lambda m: m.linalg.matrix_transpose(m.ones(3)),
        r"2-D.*\(3,\).*x\[None, :\]",
    ),
    (
        "vector_norm-axis-twice",
        lambda m: m.linalg.vector_norm(m.ones((2, 3)), axis=(1, -1)),
        r"\(1, -1\).*twice",
    ),
    (
        "vector_norm-axis-range",
        lambda m: m.linalg.vector_norm(m.ones((2, 3)), axis=2),
        r"axis 2.*\(2, 3\).*range\(-2, 2\)",
    ),
    (
        "vector_norm-axes-range",
        lambda m: m.linalg.vector_norm(m.ones(2), axis=(0, -2)),
        r"axis -2.*\(2,\).*range\(-1, 1\)",
    ),
]


@pytest.mark.parametrize("name, call, message", BAD, ids=[b[0] for b in BAD])
def test_linalg_api_checks_arguments_as_numpy_does(device, name, call, message):
    with pytest.raises(Exception) as want:
        call(numpy)
    with pytest.raises(want.type, match=rf"^linalg\.{name.split('-')[0]}: .*{message}"):
        call(np)
