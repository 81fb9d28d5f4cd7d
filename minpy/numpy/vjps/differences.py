"""The rule of ``gradient`` (NumPy's finite-difference derivative), linear in its array.

Along one axis ``gradient`` is a banded matrix ``D`` (central differences inside, one-sided
ones of ``edge_order`` 1 or 2 at the ends, reaching at most two entries away), so the rule is
``D^T g``. Rather than restating NumPy's coefficient formulas for each spacing, the rule reads
``D``'s five diagonals off ``gradient`` itself: applied to the comb ``[i % 5 == m]``, row ``i``
of the result is the one entry ``D[i, j]`` with ``j % 5 == m`` within the band. Only the array
is differentiated; the spacings (scalars or coordinates) get no gradient.
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.primitive import defvjp

_REACH = 2  # the band's half-width: edge_order 2 uses f[0], f[1], f[2] for row 0


def _spacings(varargs: tuple[Any, ...], n_axes: int) -> list[tuple[Any, ...]]:
    """The spacing argument of each differentiated axis, as ``gradient`` takes them."""
    if not varargs:
        return [()] * n_axes
    if len(varargs) == 1 and getattr(varargs[0], "ndim", 0) == 0:
        return [(varargs[0],)] * n_axes  # one scalar spacing for every axis
    return [(v,) for v in varargs]


def _adjoint(g: Any, axis: int, spacing: tuple[Any, ...], edge_order: int) -> Any:
    """``D^T g`` along ``axis`` for the finite-difference matrix ``D`` of that axis."""
    n = g.shape[axis]
    pos = np.arange(n, device=g.device)
    combs = [(pos % 5 == m).astype(g.dtype) for m in range(5)]
    rows = np.stack([np.gradient(c, *spacing, edge_order=edge_order) for c in combs])
    gl = np.moveaxis(g, axis, -1)
    out = None
    for k in range(-_REACH, _REACH + 1):
        if abs(k) >= n:
            continue
        coef = rows[(pos + k) % 5, pos]  # coef[i] = D[i, i + k]
        h = coef * gl  # h[..., i] lands on entry i + k of the result
        pad = np.zeros(gl.shape[:-1] + (abs(k),), dtype=h.dtype, device=g.device)
        if k > 0:
            h = np.concatenate([pad, h[..., : n - k]], axis=-1)
        elif k < 0:
            h = np.concatenate([h[..., -k:], pad], axis=-1)
        out = h if out is None else out + h
    return np.moveaxis(out, -1, axis)


def _gradient(g: Any, ans: Any, f: Any, *varargs: Any, **kw: Any) -> Any:
    axis = kw.get("axis")
    given = range(f.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
    axes = [a % f.ndim for a in given]  # in the order given: the outputs follow it
    edge_order = kw.get("edge_order", 1)
    gs = list(g) if isinstance(g, tuple) else [g]  # Cotangents: one per output
    total = None
    for ax, spacing, gi in zip(axes, _spacings(varargs, len(axes)), gs):
        if gi is None:  # this axis's derivative did not reach the loss
            continue
        part = _adjoint(gi, ax, spacing, edge_order)
        total = part if total is None else total + part
    if total is None:
        return np.zeros(f.shape, dtype=f.dtype, device=f.device)
    return total


defvjp(np.gradient, _gradient, keep="args")
