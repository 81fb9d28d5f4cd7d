"""Rules of the polynomial functions (polyval, polyadd, polysub, polymul, polyder, polyint)
and of ``interp``, NumPy's piecewise-linear interpolation.

Coefficients run from the highest power down to the constant, as in NumPy, so polynomials of
different lengths line up at their constant ends. Every function here is a polynomial in its
arguments (``interp`` one piece at a time), hence holomorphic: the rules are the real
formulas without conjugates, and a real operand of a complex result gets the real part of its
gradient. Only the coefficient arrays, ``x`` and ``interp``'s ``fp``/``left``/``right`` are
differentiated; orders (``m``), ``interp``'s knots ``xp`` and ``period`` are not.
"""

from __future__ import annotations

import math
from typing import Any

import minpy.numpy as np
from minpy.numpy.vjps._helpers import (
    drop_imag,
    lying_along,
    on_device,
    raw,
    safe_divide,
    shape_of,
    unbroadcast,
    zero,
)
from minpy.primitive import defvjp, defvjp_argnum


def _length(v: Any) -> int:
    """How many coefficients NumPy sees in ``v`` (it takes ``atleast_1d`` of it)."""
    shape = getattr(v, "shape", None)
    if shape is None:
        return len(v) if isinstance(v, (list, tuple)) else 1
    return shape[0] if len(shape) else 1


# --------------------------------------------------------------------------------------------
# polyval: sum_i p[i] x**(n-1-i), Horner's scheme over p's first axis (its other axes broadcast
# against x)


def _exponents(high: int, low: int, like: Any, g: Any) -> Any:
    """``high, high - 1, ..., low`` on ``g``'s device, in the real dtype of an inexact ``like``
    (a float32 operand is not promoted to float64 by them)."""
    e = np.arange(high, low - 1, -1, device=g.device)
    return e.astype(np.finfo(like.dtype).dtype) if like.dtype.kind in "fc" else e


def _polyval_p(g: Any, ans: Any, p: Any, x: Any) -> Any:
    x = on_device(x, g)
    n = p.shape[0]
    # the powers x**(n-1), ..., x, 1 along a new last axis, where p's own axis goes too: p's
    # other axes then line up with the result's from the right, as in the forward pass
    powers = np.power(np.expand_dims(x, -1), _exponents(n - 1, 0, x, g))
    terms = np.expand_dims(g, -1) * powers
    shape = (*p.shape[1:], n)
    if tuple(terms.shape) != shape:
        terms = np.sum_to(terms, shape)
    return drop_imag(np.moveaxis(terms, -1, 0), p)


def _polyval_x(g: Any, ans: Any, p: Any, x: Any) -> Any:
    p = on_device(p, g)
    # the derivative's coefficients: each p[i] times its power, the constant term dropped
    powers = lying_along(_exponents(p.shape[0] - 1, 1, p, g), p.ndim, 0)
    return unbroadcast(g * np.polyval(p[:-1] * powers, x), x)


defvjp(np.polyval, _polyval_p, _polyval_x, keep="args")

# --------------------------------------------------------------------------------------------
# polyadd, polysub: the shorter operand padded with zeros in front (nothing is trimmed)


def _padded_part(g: Any, x: Any, other: Any) -> Any:
    """The part of ``g`` that reached ``x`` after NumPy padded it to the longer length."""
    n, longest = _length(x), max(_length(x), _length(other))
    padded = (longest, *shape_of(x)[1:])  # x's shape after atleast_1d and the padding
    if tuple(g.shape) != padded:  # equal lengths broadcast like addition
        g = np.sum_to(g, padded)
    return drop_imag(np.reshape(g[longest - n :], shape_of(x)), x)


defvjp(
    np.polyadd,
    lambda g, ans, a1, a2: _padded_part(g, a1, a2),
    lambda g, ans, a1, a2: _padded_part(g, a2, a1),
    keep="meta",
)
defvjp(
    np.polysub,
    lambda g, ans, a1, a2: _padded_part(g, a1, a2),
    lambda g, ans, a1, a2: -_padded_part(g, a2, a1),
    keep="meta",
)

# --------------------------------------------------------------------------------------------
# polymul: a convolution, so the gradient is a correlation with the other operand


def _polymul(argnum: int, g: Any, ans: Any, a1: Any, a2: Any) -> Any:
    x, other = (a1, a2) if argnum == 0 else (a2, a1)
    other = np.ravel(on_device(other, g))
    n, m = _length(x), other.shape[0]
    if n == 0 or m == 0:
        return zero(g, ans, x)
    # NumPy trims leading zeros off both operands; they only shift the product, so the
    # untrimmed product is the result with zeros in front. Its gradient reaches every entry
    # of x, the trimmed zeros too: each output coefficient is matched by its power of the
    # variable, the one convention under which the product has a derivative there at all
    lead = n + m - 1 - g.shape[0]
    if lead:
        g = np.concatenate([np.zeros(lead, dtype=g.dtype, device=g.device), g])
    # out[i + j] += x[i] * other[j], so x[i] gets sum_j g[i + j] * other[j]
    rows = np.arange(n, device=g.device)
    window = np.reshape(rows, (n, 1)) + np.arange(m, device=g.device)
    return drop_imag(np.reshape(np.dot(g[window], other), shape_of(x)), x)


defvjp_argnum(np.polymul, _polymul, keep="args")

# --------------------------------------------------------------------------------------------
# polyder, polyint: each coefficient scaled by a product of its powers (for 1-D coefficients,
# the only ones NumPy's recursions accept in general)


def _polyder(g: Any, ans: Any, p: Any, m: Any = 1) -> Any:
    m = int(m)
    if m == 0:
        return g
    if p.ndim != 1:  # NumPy's recursion broadcasts other shapes in ways of no meaning
        raise NotImplementedError(
            f"polyder: gradient rule for 1-D coefficients, got shape {tuple(p.shape)!r}; "
            "pass one polynomial's coefficients as a 1-D array"
        )
    n = p.shape[0]
    if n <= m:  # differentiated away entirely: NumPy gives an empty result
        return zero(g, ans, p)
    powers = np.arange(n - 1, m - 1, -1, device=g.device)  # of the coefficients that survive
    factor = powers
    for t in range(1, m):
        factor = factor * (powers - t)
    tail = np.zeros(m, dtype=g.dtype, device=g.device)  # the m lowest terms vanish
    return np.concatenate([g * factor, tail])


def _polyint_p(g: Any, ans: Any, p: Any, m: Any = 1, k: Any = None) -> Any:
    m = int(m)
    if m == 0:
        return g
    n = p.shape[0]
    powers = np.arange(n, 0, -1, device=g.device)  # each coefficient's power after one pass
    factor = powers
    for t in range(1, m):
        factor = factor * (powers + t)
    return drop_imag(g[:n] / factor, p)


def _polyint_k(g: Any, ans: Any, p: Any, m: Any = 1, k: Any = None) -> Any:
    m = int(m)
    if m == 0:
        return zero(g, ans, k)
    n = _length(p)
    # k[s] enters as the constant of pass s and is integrated m - 1 - s more times
    divisors = [float(math.factorial(m - 1 - s)) for s in range(m)]
    part = g[n : n + m] / np.asarray(divisors, dtype=g.dtype, device=g.device)
    count = _length(k)
    if count == 1:  # one constant for every pass
        part = np.sum(part, keepdims=True)
    elif count > m:  # the constants beyond the m-th are never used
        part = np.concatenate([part, np.zeros(count - m, dtype=g.dtype, device=g.device)])
    return drop_imag(np.reshape(part, shape_of(k)), k)


defvjp(np.polyder, _polyder, None, keep="meta")
defvjp(np.polyint, _polyint_p, None, _polyint_k, keep="meta")

# --------------------------------------------------------------------------------------------
# interp: for xp[j] <= x < xp[j+1] the value is fp[j] (1 - t) + fp[j+1] t with
# t = (x - xp[j]) / (xp[j+1] - xp[j]); below xp[0] it is left (default fp[0]), above xp[-1]
# right (default fp[-1]), and at x == xp[-1] exactly fp[-1]. At a knot the gradient in x is
# the slope of the segment on its right, the one NumPy's value comes from (at xp[0], segment
# 0's; at xp[-1], where only a constant lies to the right, 0). A NaN x gives NaN whatever fp
# is: no gradient for fp, left or right, and 0 for x (as maximum's rule gives at a NaN).
# xp is not differentiated: a gradient reaching it raises MissingVJPError. With period= the
# rules work on NumPy's own extended, sorted knots and map each back to its entry of fp.


def _period(args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
    """interp's ``period`` (positional after ``left`` and ``right``, or a keyword)."""
    return args[2] if len(args) > 2 else kw.get("period")


def _left_right(args: tuple[Any, ...], kw: dict[str, Any]) -> tuple[Any, Any]:
    """interp's ``left`` and ``right``; None under ``period=``, where NumPy ignores them."""
    if _period(args, kw) is not None:
        return None, None
    return (args[0] if args else kw.get("left")), (args[1] if len(args) > 1 else kw.get("right"))


def _interp_pieces(
    g: Any, x: Any, xp: Any, args: tuple[Any, ...], kw: dict[str, Any]
) -> tuple[Any, Any, Any, Any]:
    """The points interp evaluates, its knots, which entry of fp each knot carries (None: the
    same entry) and, for each point, the index of the segment it falls in (clipped to one)."""
    x, xp = on_device(x, g), on_device(xp, g)
    src = None
    period = _period(args, kw)
    if period is not None:
        # NumPy sorts the knots modulo the period and repeats the last one before the first
        # and the first after the last, so that every x modulo the period lies among them
        period = abs(period)
        wrapped = xp % period
        order = np.argsort(wrapped)
        xp = wrapped[order]
        xp = np.concatenate([xp[-1:] - period, xp, xp[:1] + period])
        src = np.concatenate([order[-1:], order, order[:1]])
        x = x % period
    # xp[j] <= x < xp[j+1], the segment NumPy's value comes from (searchsorted finds the last
    # of equal knots, as NumPy's search does)
    seg = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, max(xp.shape[0] - 2, 0))
    return x, xp, src, seg


def _as_dtype_of(v: Any, x: Any) -> Any:
    """``v`` in ``x``'s inexact dtype (interp computes in float64 whatever its inputs are: a
    float32 argument keeps a float32 gradient, as everywhere else)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind in "fc" and v.dtype != dtype:
        return v.astype(dtype)
    return v


def _interp_x(g: Any, ans: Any, x: Any, xp: Any, fp: Any, *args: Any, **kw: Any) -> Any:
    fp = on_device(fp, g)
    x0 = x
    x, xp, src, seg = _interp_pieces(g, x, xp, args, kw)
    if xp.shape[0] < 2:  # a single knot: interp is constant on either side of it
        return zero(g, ans, x0)
    lo, hi = (seg, seg + 1) if src is None else (src[seg], src[seg + 1])
    slope = safe_divide(fp[hi] - fp[lo], xp[seg + 1] - xp[seg])
    inside = (x >= xp[0]) & (x < xp[-1])
    return _as_dtype_of(drop_imag(np.where(inside, g * slope, 0), x0), x0)


def _interp_fp(g: Any, ans: Any, x: Any, xp: Any, fp: Any, *args: Any, **kw: Any) -> Any:
    left, right = _left_right(args, kw)
    x, xp, src, seg = _interp_pieces(g, x, xp, args, kw)
    first = (x < xp[0]) & (left is None)  # the points that take fp[0]
    last = (x == xp[-1]) | ((x > xp[-1]) & (right is None))  # and those that take fp[-1]
    if xp.shape[0] < 2:  # a single knot (and fp[0] == fp[-1])
        return drop_imag(np.reshape(np.sum(np.where(first | last, g, 0)), (1,)), fp)
    inside = (x >= xp[0]) & (x < xp[-1])
    t = safe_divide(x - xp[seg], xp[seg + 1] - xp[seg])
    # each point's two weights, on the knots at either end of its segment (clipped, so that
    # the points taking fp[0] sit in segment 0, and those taking fp[-1] in the last one)
    lo, hi = (seg, seg + 1) if src is None else (src[seg], src[seg + 1])
    w_lo = np.where(inside, 1 - t, np.where(first, 1.0, 0.0))
    w_hi = np.where(inside, t, np.where(last, 1.0, 0.0))
    n = fp.shape[0]
    out = np.scatter_add((n,), raw(lo), g * w_lo) + np.scatter_add((n,), raw(hi), g * w_hi)
    return _as_dtype_of(drop_imag(out, fp), fp)


def _interp_end(side: int) -> Any:
    """The rule of ``left`` (side 0) or ``right`` (side 1): the points beyond that end."""

    def rule(g: Any, ans: Any, x: Any, xp: Any, fp: Any, *args: Any, **kw: Any) -> Any:
        bound = args[side]  # (a rule runs only for an argument given positionally)
        if _period(args, kw) is not None:  # NumPy ignores left and right then
            return zero(g, ans, bound)
        x, xp = on_device(x, g), on_device(xp, g)
        beyond = (x < xp[0]) if side == 0 else (x > xp[-1])
        part = np.reshape(np.sum(np.where(beyond, g, 0)), shape_of(bound))
        return drop_imag(part, bound)

    return rule


defvjp(np.interp, _interp_x, None, _interp_fp, _interp_end(0), _interp_end(1), keep="args")
