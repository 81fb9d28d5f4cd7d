"""Rules of the elementwise functions: arithmetic with broadcasting, where and clip, the
functions of one argument (the piecewise constant ones, such as floor, give zeros), and the
complex parts.

Complex numbers (see the package docstring): a holomorphic function's rule is its real
formula, without a conjugate; ``abs``, ``sign``, ``angle``, ``real``, ``imag`` and ``conj``
have rules of their own.

Where no derivative exists we return the subgradient 0 (``abs``, ``angle``, ``hypot`` and
``arctan2`` at 0), and where the formula would divide by zero although the derivative exists
we return its value (``power(x, 0)`` at ``x = 0`` is 0): never nan. Ties of ``maximum``,
``minimum``, ``fmax`` and ``fmin`` split the gradient evenly; ``clip`` at a bound gives it to
the bound.
"""

from __future__ import annotations

import cmath
import math
from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.numpy.vjps._helpers import (
    drop_imag,
    identity,
    is_complex,
    mask,
    safe_divide,
    unbroadcast,
    zero,
)
from minpy.primitive import defvjp, defvjp_argnum

# --------------------------------------------------------------------------------------------
# arithmetic with broadcasting (and where, clip)

defvjp(
    np.add,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(g, y),
    keep="meta",
)
defvjp(
    np.subtract,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: -unbroadcast(g, y),
    keep="meta",
)
defvjp(
    np.multiply,
    lambda g, ans, x, y: unbroadcast(g * y, x),
    lambda g, ans, x, y: unbroadcast(g * x, y),
    keep="args",
)
defvjp(
    np.divide,
    lambda g, ans, x, y: unbroadcast(g / y, x),
    lambda g, ans, x, y: -unbroadcast(g * ans, y) / y,
    keep="all",
)

_NUMBER = (int, float, complex)


def _power_x(g: Any, ans: Any, x: Any, y: Any) -> Any:
    # y * x**(y-1); where y == 0 the derivative is 0, also at x == 0 (not 0 * inf)
    if isinstance(y, _NUMBER):  # a Python exponent stays a Python number (weakly typed)
        if y == 0:
            return zero(g, ans, x)
        return unbroadcast(g * y * np.power(x, y - 1), x)
    flat = y == 0
    return unbroadcast(np.where(flat, 0, g * y * np.power(x, np.where(flat, 1, y) - 1)), x)


def _log_base(g: Any, x: Any, complex_: bool) -> Any:
    """log x for the exponent's rule, 0 where x is 0 (as HIPS autograd, JAX and PyTorch) and,
    for a real power of a real x, where x < 0 (x**y is then real at integer y only: no
    derivative in y). ``complex_``: the power is complex (a negative x has log |x| + i pi)."""
    if isinstance(x, _NUMBER):  # a Python base stays a Python number: float32 y stays float32
        if complex_ or isinstance(x, complex):
            return cmath.log(x) if x else 0.0
        return math.log(x) if x > 0 else 0.0
    x = np.asarray(x, device=g.device)  # a host base must not land on the current context
    if complex_ or is_complex(x):
        return np.log(np.where(x == 0, 1, x) + 0j)
    return np.log(np.where(x > 0, x, 1))


def _power_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    return unbroadcast(g * ans * _log_base(g, x, is_complex(ans)), y)


defvjp(np.power, _power_x, _power_y)
defvjp(np.negative, lambda g, ans, x: -g, keep="meta")
defvjp(np.positive, identity, keep="meta")

# Ties follow HIPS autograd: where x == y both arguments get half of g (PyTorch gives each
# half too; JAX's lax.max also splits). NaN: maximum/minimum propagate it, so neither argument
# gets a gradient there; fmax/fmin ignore it, so the other argument gets all of g.


def _extreme_share(g: Any, wins: Any, x: Any, y: Any) -> Any:
    """``g`` where this argument wins, half of it where the two tie (in operators: no
    dispatch in the raw backward pass)."""
    tie = x == y
    if not isinstance(tie, Array) and not tie.any():
        # the raw pass (NumPy arrays) without ties, as in almost every relu: no temporaries
        # for a tie term of zeros (this rule runs on the largest activations of a network)
        return g * mask(wins, g)
    return g * mask(wins, g) + (g * 0.5) * mask(tie, g)


def _or_partner_nan(wins: Any, x: Any, y: Any) -> Any:
    """``wins``, and where ``y`` is NaN and ``x`` is not (fmax and fmin ignore a NaN)."""
    if isinstance(y, (int, float)):  # (a Python number makes no Array on the current context)
        return ~np.isnan(x) if math.isnan(y) else wins
    return wins | (np.isnan(y) & ~np.isnan(x))


defvjp(
    np.maximum,
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, x > y, x, y), x),
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, y > x, x, y), y),
    keep="args",
)
defvjp(
    np.minimum,
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, x < y, x, y), x),
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, y < x, x, y), y),
    keep="args",
)
defvjp(
    np.fmax,
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, _or_partner_nan(x > y, x, y), x, y), x),
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, _or_partner_nan(y > x, y, x), x, y), y),
    keep="args",
)
defvjp(
    np.fmin,
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, _or_partner_nan(x < y, x, y), x, y), x),
    lambda g, ans, x, y: unbroadcast(_extreme_share(g, _or_partner_nan(y < x, y, x), x, y), y),
    keep="args",
)
defvjp(
    np.mod,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(-g * np.floor_divide(x, y), y),
    keep="args",
)
defvjp(
    np.fmod,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(-g * np.trunc(x / y), y),
    keep="args",
)
defvjp(np.floor_divide, zero, lambda g, ans, x, y: zero(g, ans, y), keep="meta")
defvjp(
    np.arctan2,  # arctan2(x, y) is the angle of y + ix: at 0 0 there is none, we give 0
    lambda g, ans, x, y: unbroadcast(safe_divide(g * y, x * x + y * y), x),
    lambda g, ans, x, y: unbroadcast(safe_divide(-g * x, x * x + y * y), y),
    keep="args",
)
defvjp(
    np.hypot,  # at 0 0 hypot has no derivative: 0
    lambda g, ans, x, y: unbroadcast(safe_divide(g * x, ans), x),
    lambda g, ans, x, y: unbroadcast(safe_divide(g * y, ans), y),
)
defvjp(
    np.logaddexp,
    lambda g, ans, x, y: unbroadcast(g * np.exp(x - ans), x),
    lambda g, ans, x, y: unbroadcast(g * np.exp(y - ans), y),
)
defvjp(
    np.logaddexp2,
    lambda g, ans, x, y: unbroadcast(g * np.exp2(x - ans), x),
    lambda g, ans, x, y: unbroadcast(g * np.exp2(y - ans), y),
)
defvjp(
    np.where,
    None,
    lambda g, ans, c, x, y: unbroadcast(np.where(c, g, 0), x),
    lambda g, ans, c, x, y: unbroadcast(np.where(c, 0, g), y),
    keep="args",
)


# clip(x, lo, hi) is minimum(maximum(x, lo), hi). At a bound the gradient goes to the bound and
# x gets none: HIPS autograd's clip rule (g where lo < x < hi), with the bounds' rules added
# so that the gradients of x, lo and hi sum to g everywhere. Where lo >= hi NumPy returns hi.
# (PyTorch's clamp gives x the gradient at the bounds; JAX's clip, built of maximum and
# minimum, splits it there.)


def _clip_bounds(a_min: Any, a_max: Any, kw: dict[str, Any]) -> tuple[Any, Any]:
    return kw.get("min", a_min), kw.get("max", a_max)


def _clip_x(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    lo, hi = _clip_bounds(a_min, a_max, kw)
    inside = None
    if lo is not None:
        inside = x > lo
    if hi is not None:
        inside = x < hi if inside is None else inside & (x < hi)
    if inside is None:
        return unbroadcast(g, x)
    return unbroadcast(g * mask(inside, g), x)


def _clip_lo(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    lo, hi = _clip_bounds(a_min, a_max, kw)
    low = x <= lo
    if hi is not None:
        low = low & (lo < hi)
    return unbroadcast(g * mask(low, g), lo)


def _clip_hi(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    lo, hi = _clip_bounds(a_min, a_max, kw)
    high = x >= hi
    if lo is not None:
        high = high | (lo >= hi)
    return unbroadcast(g * mask(high, g), hi)


defvjp(np.clip, _clip_x, _clip_lo, _clip_hi, keep="args")

# --------------------------------------------------------------------------------------------
# elementwise functions of one argument

LN2 = 0.6931471805599453
LN10 = 2.302585092994046

defvjp(np.exp, lambda g, ans, x: g * ans, keep="ans")
defvjp(np.exp2, lambda g, ans, x: g * ans * LN2, keep="ans")
defvjp(np.expm1, lambda g, ans, x: g * (ans + 1), keep="ans")
defvjp(np.log, lambda g, ans, x: g / x, keep="args")
defvjp(np.log2, lambda g, ans, x: g / (x * LN2), keep="args")
defvjp(np.log10, lambda g, ans, x: g / (x * LN10), keep="args")
defvjp(np.log1p, lambda g, ans, x: g / (x + 1), keep="args")
defvjp(np.sqrt, lambda g, ans, x: g * 0.5 / ans, keep="ans")
defvjp(np.cbrt, lambda g, ans, x: g / (3 * ans * ans), keep="ans")
defvjp(np.square, lambda g, ans, x: g * 2 * x, keep="args")
defvjp(np.reciprocal, lambda g, ans, x: -g * ans * ans, keep="ans")


def _absolute(g: Any, ans: Any, x: Any) -> Any:
    # g * conj(x) / |x|, which is g * sign(x) for a real x; 0 at x == 0 (the subgradient, as
    # in HIPS autograd, JAX and PyTorch). PyTorch's complex gradient is the conjugate, g x / |x|
    return g * (np.conj(np.sign(x)) if is_complex(x) else np.sign(x))


defvjp(np.absolute, _absolute, keep="args")
defvjp(np.fabs, _absolute, keep="args")


def _sign(g: Any, ans: Any, x: Any) -> Any:
    # piecewise constant for a real x; for a complex one sign(z) = z / |z| moves only with the
    # angle: i conj(s) Im(g s) / |z|, 0 at z == 0
    if not is_complex(x):
        return zero(g, ans, x)
    s = np.sign(x)
    return 1j * np.conj(s) * safe_divide(np.imag(g * s), np.abs(x))


defvjp(np.sign, _sign, keep="args")
for _step in (np.floor, np.ceil, np.rint, np.trunc, np.fix, np.round, np.around, np.spacing):
    defvjp(_step, zero, keep="meta")
# piecewise constant in both arguments (heaviside's second is its value at 0)
defvjp(np.heaviside, zero, lambda g, ans, x, y: zero(g, ans, y), keep="meta")
# nextafter(x, y) moves x by one ulp towards y: as a function of real numbers it is x
defvjp(
    np.nextafter,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: zero(g, ans, y),
    keep="meta",
)
# copysign(x, y) = |x| sign(y): the sign of y is piecewise constant
defvjp(
    np.copysign,
    lambda g, ans, x, y: unbroadcast(g * np.sign(x) * np.sign(ans), x),
    lambda g, ans, x, y: zero(g, ans, y),
    keep="all",
)
defvjp(np.sin, lambda g, ans, x: g * np.cos(x), keep="args")
defvjp(np.cos, lambda g, ans, x: -g * np.sin(x), keep="args")
defvjp(np.tan, lambda g, ans, x: g * (1 + ans * ans), keep="ans")
defvjp(np.arcsin, lambda g, ans, x: g / np.sqrt(1 - x * x), keep="args")
defvjp(np.arccos, lambda g, ans, x: -g / np.sqrt(1 - x * x), keep="args")
defvjp(np.arctan, lambda g, ans, x: g / (1 + x * x), keep="args")
defvjp(np.sinh, lambda g, ans, x: g * np.cosh(x), keep="args")
defvjp(np.cosh, lambda g, ans, x: g * np.sinh(x), keep="args")
defvjp(np.tanh, lambda g, ans, x: g * (1 - ans * ans), keep="ans")
defvjp(np.arcsinh, lambda g, ans, x: g / np.sqrt(x * x + 1), keep="args")


def _arccosh(g: Any, ans: Any, x: Any) -> Any:
    if is_complex(x):  # sqrt(z*z - 1) would take the wrong branch where Re z < 0
        return g / (np.sqrt(x - 1) * np.sqrt(x + 1))
    return g / np.sqrt(x * x - 1)


defvjp(np.arccosh, _arccosh, keep="args")
defvjp(np.arctanh, lambda g, ans, x: g / (1 - x * x), keep="args")
defvjp(np.deg2rad, lambda g, ans, x: g * 0.017453292519943295, keep="meta")
defvjp(np.radians, lambda g, ans, x: g * 0.017453292519943295, keep="meta")
defvjp(np.rad2deg, lambda g, ans, x: g * 57.29577951308232, keep="meta")
defvjp(np.degrees, lambda g, ans, x: g * 57.29577951308232, keep="meta")


def _sinc(g: Any, ans: Any, x: Any) -> Any:
    # sinc(x) = sin(pi x) / (pi x) has the derivative (cos(pi x) - sinc(x)) / x, and near 0
    # its Taylor series -pi^2 x / 3, which also gives the right second derivative at 0
    small = np.abs(x) < 1e-4
    far = (np.cos(np.pi * x) - ans) / np.where(small, 1, x)
    return g * np.where(small, x * (-np.pi * np.pi / 3), far)


defvjp(np.sinc, _sinc, keep="all")


# --------------------------------------------------------------------------------------------
# complex parts; casts


def _real(g: Any, ans: Any, x: Any) -> Any:
    # g moves x along the real axis: g itself, as a complex number for a complex x
    return g + 0j if is_complex(x) else g


def _imag(g: Any, ans: Any, x: Any) -> Any:
    # d Im(z) / dy = 1, so the gradient is -i g; imag of a real x is a constant 0
    return -1j * g if is_complex(x) else zero(g, ans, x)


def _angle(g: Any, ans: Any, x: Any, deg: bool = False) -> Any:
    # angle = atan2(y, x): -i g conj(z) / |z|^2; the angle of a real x is 0 or pi (constant);
    # 0 at z == 0 (no derivative there)
    if not is_complex(x):
        return zero(g, ans, x)
    r2 = np.real(x * np.conj(x))
    scale = 57.29577951308232 if deg else 1.0  # degrees per radian
    return -1j * np.conj(x) * safe_divide(g * scale, r2)


def _astype(g: Any, ans: Any, x: Any, dtype: Any, **kw: Any) -> Any:
    # back to the input's dtype; a real input cast to complex gets the real part
    return np.astype(drop_imag(g, x), x.dtype)


defvjp(np.real, _real, keep="meta")
defvjp(np.imag, _imag, keep="meta")
defvjp(np.angle, _angle, keep="args")
defvjp(np.conj, lambda g, ans, x: np.conj(g), keep="meta")
defvjp(np.astype, _astype, keep="meta")
defvjp(np.copy, identity, keep="meta")
# nan_to_num is x where x is finite, a constant elsewhere
defvjp(np.nan_to_num, lambda g, ans, x, *a, **kw: g * mask(np.isfinite(x), g), keep="args")


def _real_if_close(g: Any, ans: Any, x: Any, *args: Any, **kw: Any) -> Any:
    # the real part (as real's rule: g as complex) where it dropped a tiny imaginary part
    return g + 0j if is_complex(x) and not is_complex(ans) else g


defvjp(np.real_if_close, _real_if_close, keep="all")


def _linspace_t(ans: Any, num: int, endpoint: bool, axis: int) -> Any:
    """The fractions t along ``axis`` of ``start + (stop - start) * t``, shaped to broadcast."""
    div = (num - 1 if endpoint else num) or 1
    t = np.arange(num, dtype=ans.dtype, device=ans.device) / div
    shape = [1] * ans.ndim
    shape[axis % ans.ndim] = num
    return np.reshape(t, tuple(shape))


def _linspace(
    argnum: int,
    g: Any,
    ans: Any,
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    t = _linspace_t(ans, num, endpoint, axis)
    share = 1 - t if argnum == 0 else t
    summed = np.sum(g * share, axis=axis)  # back to the broadcast shape of start and stop
    return unbroadcast(summed, start if argnum == 0 else stop)


# arrays shaped like x whose values do not depend on x's; full_like's do on the fill value
for _like in (np.zeros_like, np.ones_like, np.empty_like):
    defvjp(_like, zero, keep="meta")
defvjp(
    np.full_like, zero, lambda g, ans, x, fill_value, **kw: unbroadcast(g, fill_value), keep="meta"
)


defvjp_argnum(np.linspace, _linspace, keep="all")
