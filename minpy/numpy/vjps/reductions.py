"""Rules of the reductions (sums, means, products, extrema, statistics) and of the running
sums and products, differences and integrals along an axis."""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.errors import GradientError
from minpy.numpy.vjps._helpers import (
    axes_of,
    count,
    expand_to,
    inverse_perm,
    keepdims_shape,
    lying_along,
    padded_ends,
    raw,
    shape_of,
    unbroadcast,
)
from minpy.numpy.vjps.indexing import take_along_axis_rule
from minpy.primitive import defvjp

# --------------------------------------------------------------------------------------------
# sums, means and products


def _sum(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    return expand_to(g, x, axis)


defvjp(np.sum, _sum, keep="meta")


def _mean(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    return expand_to(g / count(x, axis), x, axis)


defvjp(np.mean, _mean, keep="meta")


def _prod(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    if not bool(np.any(x == 0)):
        return expand_to(g * ans, x, axis) / x
    # with zeros, dividing the product by x fails: multiply the other factors instead
    return expand_to(g, x, axis) * _prod_of_others(x, axes_of(axis, x.ndim))


def _prod_of_others(x: Any, axes: tuple[int, ...]) -> Any:
    """Each element's product of the other elements in its group along ``axes`` (no division)."""
    if not axes:
        return np.ones_like(x)
    rest = [i for i in range(x.ndim) if i not in axes]
    order = rest + list(axes)
    moved = np.transpose(x, order)
    lead = tuple(moved.shape[: len(rest)])
    flat = np.reshape(moved, (*lead, -1))  # each group on the last axis
    one = np.ones_like(flat[..., :1])
    before = np.cumprod(np.concatenate([one, flat[..., :-1]], axis=-1), axis=-1)
    after = np.flip(np.cumprod(np.flip(np.concatenate([flat[..., 1:], one], axis=-1), -1), -1), -1)
    return np.transpose(np.reshape(before * after, moved.shape), inverse_perm(order))


defvjp(np.prod, _prod, keep="all")


def _nansum(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    return np.where(np.isnan(x), 0, expand_to(g, x, axis))


defvjp(np.nansum, _nansum, keep="args")


def _nanmean(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    valid = ~np.isnan(x)
    n = np.sum(valid, axis=axis, keepdims=keepdims, dtype=g.dtype)
    return np.where(valid, expand_to(g / n, x, axis), 0)


defvjp(np.nanmean, _nanmean, keep="args")

# --------------------------------------------------------------------------------------------
# extrema


def _extremum(
    g: Any, ans: Any, x: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
) -> Any:
    # ties share the gradient equally; the count is cast so float32 stays float32
    if not keepdims and ans.ndim:
        shape = keepdims_shape(x, axis)
        ans = np.reshape(ans, shape)
        g = np.reshape(g, shape)
    hit = x == ans
    return hit * (g / np.sum(hit, axis=axis, keepdims=True, dtype=g.dtype))


for _f in (np.max, np.min, np.amax, np.amin, np.nanmax, np.nanmin):
    defvjp(_f, _extremum, keep="all")


def _ptp(
    g: Any, ans: Any, x: Any, axis: Any = None, out: Any = None, keepdims: bool = False
) -> Any:
    hi = np.max(x, axis=axis, keepdims=keepdims)
    lo = np.min(x, axis=axis, keepdims=keepdims)
    return _extremum(g, hi, x, axis, keepdims=keepdims) - _extremum(
        g, lo, x, axis, keepdims=keepdims
    )


defvjp(np.ptp, _ptp, keep="args")

# --------------------------------------------------------------------------------------------
# statistics


def _var(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: int = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    centred = x - np.mean(x, axis=axis, keepdims=True)
    return expand_to(g, x, axis) * centred * (2.0 / (count(x, axis) - ddof))


defvjp(np.var, _var, keep="args")


def _std(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: int = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    centred = x - np.mean(x, axis=axis, keepdims=True)
    scale = np.reshape(ans, keepdims_shape(x, axis)) * (count(x, axis) - ddof)
    return expand_to(g, x, axis) * centred / scale


defvjp(np.std, _std, keep="all")


def _average_weights(g: Any, x: Any, axis: Any, weights: Any) -> tuple[Any, Any]:
    """The weights broadcastable against ``x`` (1-D ones lie along the axis) and their sum.

    (With ``returned=True`` average gives a tuple, and tuples carry no rule: no call here.)
    """
    w = weights if isinstance(weights, Array) else np.asarray(weights, device=g.device)
    if w.ndim != x.ndim:
        w = lying_along(w, x.ndim, axis % x.ndim)
    return w, np.sum(np.broadcast_to(w, x.shape), axis=axis, keepdims=True)


def _average(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    weights: Any = None,
    returned: bool = False,
    **kw: Any,
) -> Any:
    if weights is None:
        return _mean(g, ans, x, axis)
    w, total = _average_weights(g, x, axis, weights)
    return expand_to(g, x, axis) * (w / total)


def _average_of_weights(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    weights: Any = None,
    returned: bool = False,
    **kw: Any,
) -> Any:
    w, total = _average_weights(g, x, axis, weights)
    # d avg / d w_i = (x_i - avg) / sum(w), summed over the axes w is broadcast along
    spread = expand_to(g, x, axis) * (x - expand_to(ans, x, axis)) / total
    return np.reshape(unbroadcast(spread, w), shape_of(weights))


defvjp(np.average, _average, None, _average_of_weights, keep="all")


def _median(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: bool = False,
    keepdims: bool = False,
) -> Any:
    if axis is not None and not isinstance(axis, int):
        raise NotImplementedError(
            "median: gradient rule for one axis or all; reshape to put the axes together"
        )
    flat = axis is None
    xs = np.ravel(x) if flat else x
    ax = 0 if flat else axis % x.ndim
    n = xs.shape[ax]
    mids = [n // 2] if n % 2 else [n // 2 - 1, n // 2]  # the middle value, or the two averaged
    picked = np.take(np.argsort(xs, axis=ax), mids, axis=ax)
    shape = [1 if i == ax else s for i, s in enumerate(xs.shape)]
    share = np.broadcast_to(np.reshape(g, shape) / len(mids), picked.shape)
    gx = take_along_axis_rule(share, None, xs, raw(picked), ax)
    return np.reshape(gx, x.shape) if flat else gx


defvjp(np.median, _median, keep="args")

# --------------------------------------------------------------------------------------------
# running sums and products, differences, integrals


def _cumsum(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(g))), x.shape)
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


defvjp(np.cumsum, _cumsum, keep="meta")


def _cumprod(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    if bool(np.any(x == 0)):
        raise GradientError(
            "cumprod: no gradient rule at inputs that hold a zero (the rule divides by x); "
            "for a product with zeros use np.prod, whose gradient handles them"
        )
    if axis is None:
        return np.reshape(_cumsum(g * ans, ans, np.ravel(ans)) / np.ravel(x), x.shape)
    return _cumsum(g * ans, ans, x, axis) / x


defvjp(np.cumprod, _cumprod, keep="all")


def _diff(g: Any, ans: Any, x: Any, n: int = 1, axis: int = -1, **kw: Any) -> Any:
    ax = axis % x.ndim
    for _ in range(n):  # y[k] = x[k + 1] - x[k]: each x[j] gets g[j - 1] - g[j]
        shifted, kept = padded_ends(g, ax)
        g = shifted - kept
    # prepend= / append= values were concatenated around x: their part of g is dropped
    lead = 0
    if "prepend" in kw:
        p = np.asarray(kw["prepend"], device=g.device)
        lead = 1 if p.ndim == 0 else p.shape[ax]
    key = [slice(None)] * g.ndim
    key[ax] = slice(lead, lead + x.shape[ax])
    return g[tuple(key)]


defvjp(np.diff, _diff, keep="meta")


def _trapezoid(g: Any, ans: Any, y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    ax = axis % y.ndim
    n = y.shape[ax]
    if x is None:
        steps = lying_along(np.full(n - 1, dx, dtype=g.dtype, device=g.device), y.ndim, ax)
    else:
        xs = x if isinstance(x, Array) else np.asarray(x, device=g.device)
        steps = np.diff(lying_along(xs, y.ndim, ax) if xs.ndim == 1 else xs, axis=ax)
    # each interval gives half its width to either end: y[k] weighs (d[k-1] + d[k]) / 2
    left, right = padded_ends(steps, ax)
    return expand_to(g, y, ax) * ((left + right) * 0.5)


if hasattr(np, "trapezoid"):
    defvjp(np.trapezoid, _trapezoid, keep="args")
