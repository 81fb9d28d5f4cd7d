"""``minpy.numpy.linalg``: NumPy's linear algebra as primitives (rules in ``vjps``), and
functions written in those primitives, so that they are differentiable: ``multi_dot``
(in ``dot``) and NumPy 2's array-API names, each the NumPy function that ``numpy.linalg``
itself calls with its arguments fixed (``matrix_norm`` is ``norm`` over the last two axes,
``svdvals`` is ``svd`` without vectors, ``vecdot`` is the ``vecdot`` gufunc, ...), with
``numpy.linalg``'s checks of its arguments."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as _numpy

from minpy.array import Array
from minpy.context import current_context
from minpy.numpy._wrapping import wrap_namespace
from minpy.primitive import numpy_functions, registry

#: NumPy 2's array-API names, written below in the primitives that NumPy's versions call
_ARRAY_API = (
    "cross",
    "diagonal",
    "matmul",
    "matrix_norm",
    "matrix_transpose",
    "outer",
    "svdvals",
    "tensordot",
    "trace",
    "vecdot",
    "vector_norm",
)
_WRITTEN = ("multi_dot", *(n for n in _ARRAY_API if hasattr(_numpy.linalg, n)))
_names = wrap_namespace(_numpy.linalg, prefix="linalg.", skip=frozenset(_WRITTEN + _ARRAY_API))
globals().update(_names)
__all__ = sorted({*_names, *_WRITTEN})


def multi_dot(arrays: Sequence[Any], *, out: Array | None = None) -> Array:
    """The product of two or more arrays, multiplied in the cheapest order.

    Written in ``dot``, so it is differentiable. The first array may be 1-D (a row vector),
    the last 1-D (a column vector); the others must be 2-D. See ``numpy.linalg.multi_dot``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.multi_dot([np.ones((2, 3)), np.ones((3, 4)), np.ones(4)])
    array([12., 12.])
    """
    n = len(arrays)
    if n < 2:
        raise ValueError(f"multi_dot: expecting at least two arrays, got {n}; use np.dot")
    dot = registry["dot"]
    kw = {} if out is None else {"out": out}
    if n == 2:
        return dot(arrays[0], arrays[1], **kw)  # type: ignore[no-any-return]
    device = next((a.device for a in arrays if isinstance(a, Array)), None) or current_context()
    arrs = [a if isinstance(a, Array) else Array(a, device) for a in arrays]
    first, last = arrs[0].ndim, arrs[-1].ndim
    if first == 1:
        arrs[0] = registry["reshape"](arrs[0], (1, -1))
    if last == 1:
        arrs[-1] = registry["reshape"](arrs[-1], (-1, 1))
    for i, a in enumerate(arrs):
        if a.ndim != 2:
            raise _numpy.linalg.LinAlgError(
                f"multi_dot: array {i} has shape {a.shape!r}; each must be 2-D, except that "
                "the first and the last may be 1-D"
            )
    # NumPy's choice of order (Cormen's matrix-chain algorithm), so the values agree with it
    p = [a.shape[0] for a in arrs] + [arrs[-1].shape[1]]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = -1
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] < 0 or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k

    def product(i: int, j: int, **kw: Any) -> Array:
        if i == j:
            return arrs[i]
        k = split[i][j]
        return dot(product(i, k), product(k + 1, j), **kw)  # type: ignore[no-any-return]

    res = product(0, n - 1, **kw)
    if first == 1 and last == 1:
        return res[0, 0]
    return registry["ravel"](res) if first == 1 or last == 1 else res  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# NumPy 2's array-API names


def _shape(x: Any) -> tuple[int, ...]:
    """The shape of an Array or of a host value (list, NumPy array, number)."""
    return tuple(x.shape) if isinstance(x, Array) else _numpy.shape(x)


def _axis(name: str, axis: Any, shape: tuple[int, ...]) -> int:
    """``axis`` made non-negative; an ``AxisError`` (an IndexError) naming it if out of range."""
    nd, axis = len(shape), operator.index(axis)
    if not -nd <= axis < nd:
        raise _numpy.exceptions.AxisError(
            f"linalg.{name}: axis {axis!r} is out of range for shape {shape!r}; "
            f"use an axis in range({-nd}, {nd})"
        )
    return axis % nd


def matmul(x1: Any, x2: Any, /) -> Array:
    """The matrix product of two arrays: ``matmul`` (stacks of matrices broadcast).

    See ``numpy.linalg.matmul``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.matmul(np.ones((2, 3)), np.ones(3))
    array([3., 3.])
    """
    return registry["matmul"](x1, x2)  # type: ignore[no-any-return]


def outer(x1: Any, x2: Any, /) -> Array:
    """The outer product of two vectors: ``outer``, for 1-D arrays only.

    See ``numpy.linalg.outer``.

    Raises
    ------
    ValueError
        If either array is not 1-D.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.outer(np.arange(2.0), np.ones(3))
    array([[0., 0., 0.],
           [1., 1., 1.]])
    """
    s1, s2 = _shape(x1), _shape(x2)
    if len(s1) != 1 or len(s2) != 1:
        raise ValueError(
            f"linalg.outer: the arrays must be 1-D, got shapes {s1!r} and {s2!r}; "
            "ravel them first, or use np.outer (which flattens) or np.multiply.outer"
        )
    return registry["outer"](x1, x2)  # type: ignore[no-any-return]


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """The cross product of (stacks of) 3-vectors along ``axis``: ``cross``.

    See ``numpy.linalg.cross``.

    Raises
    ------
    ValueError
        If ``axis`` of either array does not have 3 entries (an ``AxisError`` if it is out
        of range).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    s1, s2 = _shape(x1), _shape(x2)
    n1, n2 = s1[_axis("cross", axis, s1)], s2[_axis("cross", axis, s2)]
    if n1 != 3 or n2 != 3:
        raise ValueError(
            f"linalg.cross: both arrays must hold 3-vectors along axis {axis!r}, got shapes "
            f"{s1!r} and {s2!r} ({n1} and {n2} entries); pass the axis of length 3 as axis=, "
            "or give 2-vectors a zero third entry: np.concatenate([v, np.zeros_like(v[..., :1])], "
            "axis=-1)"
        )
    return registry["cross"](x1, x2, axis=axis)  # type: ignore[no-any-return]


def diagonal(x: Any, /, *, offset: int = 0) -> Array:
    """The ``offset`` diagonal of (a stack of) matrices: ``diagonal`` over the last two axes.

    See ``numpy.linalg.diagonal``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.diagonal(np.arange(4.0).reshape(2, 2))
    array([0., 3.])
    """
    return registry["diagonal"](x, offset, axis1=-2, axis2=-1)  # type: ignore[no-any-return]


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Array:
    """The sum of the ``offset`` diagonal of (a stack of) matrices: ``trace`` over the last two
    axes.

    See ``numpy.linalg.trace``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.trace(np.arange(4.0).reshape(2, 2))
    np.float64(3.0)
    """
    return registry["trace"](x, offset, axis1=-2, axis2=-1, dtype=dtype)  # type: ignore[no-any-return]


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """The dot product of vectors along ``axis``, the first conjugated: ``vecdot``.

    See ``numpy.linalg.vecdot``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.vecdot(np.array([1j, 2.0]), np.array([1j, 1.0]))
    np.complex128(3+0j)
    """
    return registry["vecdot"](x1, x2, axis=axis)  # type: ignore[no-any-return]


def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Array:
    """The sum of products over ``axes``: ``tensordot``.

    See ``numpy.linalg.tensordot``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    return registry["tensordot"](x1, x2, axes=axes)  # type: ignore[no-any-return]


def matrix_transpose(x: Any, /) -> Array:
    """(A stack of) matrices transposed: the last two axes swapped (``matrix_transpose``).

    See ``numpy.linalg.matrix_transpose``.

    Raises
    ------
    ValueError
        If ``x`` has fewer than two dimensions.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.matrix_transpose(np.arange(6.0).reshape(1, 2, 3)).shape
    (1, 3, 2)
    """
    shape = _shape(x)
    if len(shape) < 2:
        raise ValueError(
            f"linalg.matrix_transpose: the array must be at least 2-D, got shape {shape!r}; "
            "make a vector a row with x[None, :] or a column with x[:, None]"
        )
    return registry["matrix_transpose"](x)  # type: ignore[no-any-return]


def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Array:
    """The vector ``ord``-norm of ``x`` over ``axis`` (all axes if None, several if a tuple).

    As ``numpy.linalg.vector_norm``: the axes are brought together into one (``transpose``,
    ``reshape``, or ``ravel`` for all) and ``norm`` is taken over it.

    Raises
    ------
    numpy.exceptions.AxisError
        If an axis is out of range (a ``ValueError`` if a tuple names one twice).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.vector_norm(np.array([[3.0, 0.0], [0.0, 4.0]]))
    np.float64(5.0)
    >>> np.linalg.vector_norm(np.ones((2, 3, 4)), axis=(0, 2), ord=1)
    array([8., 8., 8.])
    """
    shape = _shape(x)
    if axis is None:
        axes = tuple(range(len(shape)))
        x, at = registry["ravel"](x), 0
    elif isinstance(axis, tuple):
        axes = tuple(_axis("vector_norm", a, shape) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(
                f"linalg.vector_norm: axis {axis!r} names an axis twice; name each once"
            )
        rest = tuple(i for i in range(len(shape)) if i not in axes)
        size = math.prod(shape[i] for i in axes)
        x = registry["transpose"](x, axes + rest)
        x, at = registry["reshape"](x, (size, *[shape[i] for i in rest])), 0
    else:
        at = _axis("vector_norm", axis, shape)
        axes = (at,)
    res = _names["norm"](x, axis=at, ord=ord)
    if keepdims:
        res = registry["reshape"](res, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return res  # type: ignore[no-any-return]


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Array:
    """The matrix ``ord``-norm of (a stack of) matrices: ``norm`` over the last two axes.

    See ``numpy.linalg.matrix_norm``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.matrix_norm(np.array([[3.0, 0.0], [0.0, 4.0]]), ord=1)
    np.float64(4.0)
    """
    return _names["norm"](x, ord=ord, axis=(-2, -1), keepdims=keepdims)  # type: ignore[no-any-return]


def svdvals(x: Any, /) -> Array:
    """The singular values of (a stack of) matrices, largest first: ``svd`` without vectors.

    See ``numpy.linalg.svdvals``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.linalg.svdvals(np.array([[0.0, 2.0], [1.0, 0.0]]))
    array([2., 1.])
    """
    return _names["svd"](x, compute_uv=False, hermitian=False)  # type: ignore[no-any-return]


def __getattr__(name: str) -> Any:
    raise AttributeError(f"minpy.numpy.linalg has no attribute {name!r}")


# NumPy's functions called on Arrays (numpy.linalg.multi_dot(arrays)) run these
numpy_functions.update({getattr(_numpy.linalg, n): globals()[n] for n in _WRITTEN})
