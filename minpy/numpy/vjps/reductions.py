"""Rules of the reductions (sums, means, products, extrema, statistics) and of the running
sums and products, differences and integrals along an axis.

Where no derivative exists we return the subgradient 0: ``std`` of constant data or of one
value (it behaves like ``|x - c|`` there), and entries of an all-NaN slice of ``nanmax``.
Ties of ``max``/``min`` share the gradient evenly. ``prod`` and ``cumprod`` at zeros are
computed without dividing by ``x``, exactly, to every order. Complex data: sums, means and
products are holomorphic (no conjugate); ``var`` and ``std`` are of ``|x - mean|`` and
conjugate (see the package docstring).
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.errors import GradientError
from minpy.numpy.vjps._helpers import (
    axes_of,
    count,
    expand_to,
    inverse_perm,
    is_complex,
    keepdims_shape,
    lying_along,
    on_device,
    padded_ends,
    raw,
    safe_divide,
    shape_of,
    unbroadcast,
)
from minpy.numpy.vjps.indexing import take_along_axis_rule
from minpy.primitive import defvjp

# --------------------------------------------------------------------------------------------
# sums, means and products


def _included(g: Any, x: Any, where: Any) -> Any:
    """``where=`` as weights of ``x``'s shape in ``g``'s dtype: 1 where an entry counts."""
    return np.zeros(shape_of(x), dtype=g.dtype, device=g.device) + where


def _no_where(name: str, kw: dict[str, Any]) -> None:
    """Refuse ``where=`` in a rule that does not implement it (never a silently wrong sum)."""
    if kw.get("where", True) is not True:
        raise GradientError(
            f"{name}: no gradient rule for where=; select the entries first (x[mask]) or use "
            "np.where(mask, x, neutral) before reducing"
        )


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
    if "where" in kw:  # the entries left out get no gradient
        return expand_to(g, x, axis) * _included(g, x, kw["where"])
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
    if "where" in kw:  # the mean of the included entries: each counts 1/n of its slice
        w = _included(g, x, kw["where"])
        n = np.sum(w, axis=axis, keepdims=True)
        return expand_to(g, x, axis) * w / np.maximum(n, 1)
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
    _no_where("prod", kw)
    if not bool(np.any(x == 0)):
        return expand_to(g * ans, x, axis) / x
    # with zeros, dividing the product by x fails: multiply the other factors instead
    return expand_to(g, x, axis) * _prod_of_others(x, axes_of(axis, x.ndim))


def _prod_of_others(x: Any, axes: tuple[int, ...]) -> Any:
    """Each element's product of the other elements in its group along ``axes`` (no division)."""
    if not axes:
        return np.ones(x.shape, dtype=x.dtype, device=x.device)
    rest = [i for i in range(x.ndim) if i not in axes]
    order = rest + list(axes)
    moved = np.transpose(x, order)
    lead = tuple(moved.shape[: len(rest)])
    flat = np.reshape(moved, (*lead, -1))  # each group on the last axis
    one = np.ones((*lead, 1), dtype=x.dtype, device=x.device)  # (ones_like would be traced)
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
    _no_where("nansum", kw)
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
    _no_where("nanmean", kw)
    valid = ~np.isnan(x)
    n = np.sum(valid, axis=axis, keepdims=keepdims, dtype=g.dtype)
    return np.where(valid, expand_to(g / np.maximum(n, 1), x, axis), 0)  # all-NaN slices: 0


defvjp(np.nanmean, _nanmean, keep="args")

# --------------------------------------------------------------------------------------------
# extrema


def _extremum(
    g: Any, ans: Any, x: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
) -> Any:
    _no_where("max/min", kw)
    # ties share the gradient equally (HIPS autograd's convention; JAX and PyTorch's amax too):
    # the count is cast so float32 stays float32
    if not keepdims and ans.ndim:
        shape = keepdims_shape(x, axis)
        ans = np.reshape(ans, shape)
        g = np.reshape(g, shape)
    hit = x == ans
    ties = np.sum(hit, axis=axis, keepdims=True, dtype=g.dtype)
    # no hit at all (an all-NaN slice of nanmax): divide by 1; operators cost the raw
    # backward pass no dispatch
    return hit * (g / (ties + (ties == 0)))


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


def _centred(x: Any, axis: Any) -> Any:
    """``conj(x - mean)`` over ``axis``: the direction in which var and std grow."""
    c = x - np.mean(x, axis=axis, keepdims=True)
    return np.conj(c) if is_complex(x) else c


def _dof(x: Any, axis: Any, ddof: int) -> float:
    # Without degrees of freedom (ddof >= n) NumPy's value is nan (or inf), with a warning; the
    # gradient is nan too (as in HIPS autograd, JAX and PyTorch): the function is undefined
    # there, unlike std at constant data, and a nan loss must not look like a flat one
    n = count(x, axis) - ddof
    return n if n > 0 else float("nan")


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
    _no_where("var", kw)
    # complex data: var = mean(|x - mean|^2), whose gradient is 2 conj(x - mean) / (n - ddof)
    return expand_to(g, x, axis) * _centred(x, axis) * (2.0 / _dof(x, axis, ddof))


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
    _no_where("std", kw)
    # d std = d var / (2 std); where std == 0 (constant data, one element) no derivative
    # exists (it is |x - c| there) and the subgradient 0 is used, also for g == 0. HIPS
    # autograd, JAX and PyTorch give nan at constant data; we keep training loops finite.
    s = np.reshape(ans, keepdims_shape(x, axis))
    share = safe_divide(np.reshape(g, s.shape) if g.ndim else g, s)
    return expand_to(share, x, axis) * _centred(x, axis) * (1.0 / _dof(x, axis, ddof))


defvjp(np.std, _std, keep="all")


def _average_weights(g: Any, x: Any, axis: Any, weights: Any) -> tuple[Any, Any]:
    """The weights broadcastable against ``x`` (1-D ones lie along the axis) and their sum."""
    w = on_device(weights, g)
    if w.ndim != x.ndim:
        w = lying_along(w, x.ndim, axis % x.ndim)
    return w, np.sum(np.broadcast_to(w, x.shape), axis=axis, keepdims=True)


def _outputs(g: Any, ans: Any, returned: bool) -> tuple[Any, Any, Any]:
    """``(gradient of the average, of the sum of weights, the average)``: with
    ``returned=True`` average gives both (``g`` is then their ``Cotangents``, None where none
    arrived)."""
    if returned:
        return g[0], g[1], None if ans is None else ans[0]
    return g, None, ans


def _average(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    weights: Any = None,
    returned: bool = False,
    **kw: Any,
) -> Any:
    g, _, ans = _outputs(g, ans, returned)  # (the sum of weights does not depend on x)
    if g is None:
        return np.zeros_like(x)
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
    g, g_sum, ans = _outputs(g, ans, returned)
    w, total = _average_weights(g if g is not None else g_sum, x, axis, weights)
    spread = np.zeros_like(x)
    if g is not None:  # d avg / d w_i = (x_i - avg) / sum(w)
        spread = spread + expand_to(g, x, axis) * (x - expand_to(ans, x, axis)) / total
    if g_sum is not None:  # d sum(w) / d w_i = 1
        spread = spread + expand_to(g_sum, x, axis)
    # summed over the axes w is broadcast along
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
    if axis is None:
        return np.reshape(_cumprod(g, np.ravel(ans), np.ravel(x), 0), x.shape)
    if not bool(np.any(x == 0)):
        return _cumsum(g * ans, ans, x, axis) / x
    return _cumprod_with_zeros(g, x, axis % x.ndim)


def _cumprod_with_zeros(g: Any, x: Any, ax: int) -> Any:
    """cumprod's gradient without dividing by ``x`` (exact at zeros, and to every order).

    ``y[k] = prod(x[:k+1])``, so ``x[j]`` gets ``before[j] * after[j]`` with ``before[j] =
    prod(x[:j])`` and ``after[j] = sum over k >= j of g[k] prod(x[j+1:k+1])``, which obeys
    ``after[j] = g[j] + x[j+1] after[j+1]``: one step per position along the axis.
    """
    gs = np.moveaxis(g, ax, 0)
    xs = np.moveaxis(x, ax, 0)
    n = xs.shape[0]
    after = [gs[n - 1]]
    for j in range(n - 2, -1, -1):
        after.append(gs[j] + xs[j + 1] * after[-1])
    one = np.ones((1, *xs.shape[1:]), dtype=xs.dtype, device=xs.device)
    before = np.concatenate([one, np.cumprod(xs[:-1], axis=0)])
    return np.moveaxis(before * np.stack(after[::-1]), 0, ax)


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
        xs = on_device(x, g)
        steps = np.diff(lying_along(xs, y.ndim, ax) if xs.ndim == 1 else xs, axis=ax)
    # each interval gives half its width to either end: y[k] weighs (d[k-1] + d[k]) / 2
    left, right = padded_ends(steps, ax)
    return expand_to(g, y, ax) * ((left + right) * 0.5)


if hasattr(np, "trapezoid"):
    defvjp(np.trapezoid, _trapezoid, keep="args")
