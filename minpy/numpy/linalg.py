"""``minpy.numpy.linalg``: NumPy's linear algebra as primitives (rules in ``vjps``), and
``multi_dot``, written in ``dot`` so that it is differentiable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as _numpy

from minpy.array import Array
from minpy.context import current_context
from minpy.numpy._wrapping import wrap_namespace
from minpy.primitive import numpy_functions, registry

_names = wrap_namespace(_numpy.linalg, prefix="linalg.", skip=frozenset({"multi_dot"}))
globals().update(_names)
__all__ = sorted({*_names, "multi_dot"})


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


def __getattr__(name: str) -> Any:
    raise AttributeError(f"minpy.numpy.linalg has no attribute {name!r}")


numpy_functions[_numpy.linalg.multi_dot] = multi_dot  # numpy.linalg.multi_dot on Arrays
