"""Rules of the elementwise functions: arithmetic with broadcasting, where and clip, and the
functions of one argument (the piecewise constant ones, such as floor and sign, give zeros)."""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.numpy.vjps._helpers import identity, mask, unbroadcast, zero
from minpy.primitive import defvjp

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


def _power_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    x = np.asarray(x, device=g.device)  # a Python base must not land on the current context
    return unbroadcast(g * ans * np.log(np.where(x > 0, x, 1)), y)


defvjp(np.power, lambda g, ans, x, y: unbroadcast(g * y * np.power(x, y - 1), x), _power_y)
defvjp(np.negative, lambda g, ans, x: -g, keep="meta")
defvjp(np.positive, identity, keep="meta")
for _f in (np.maximum, np.fmax):
    defvjp(
        _f,
        lambda g, ans, x, y: unbroadcast(g * mask(x >= y, g), x),
        lambda g, ans, x, y: unbroadcast(g * mask(x < y, g), y),
        keep="args",
    )
for _f in (np.minimum, np.fmin):
    defvjp(
        _f,
        lambda g, ans, x, y: unbroadcast(g * mask(x <= y, g), x),
        lambda g, ans, x, y: unbroadcast(g * mask(x > y, g), y),
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
    np.arctan2,
    lambda g, ans, x, y: unbroadcast(g * y / (x * x + y * y), x),
    lambda g, ans, x, y: unbroadcast(-g * x / (x * x + y * y), y),
    keep="args",
)
defvjp(
    np.hypot,
    lambda g, ans, x, y: unbroadcast(g * x / ans, x),
    lambda g, ans, x, y: unbroadcast(g * y / ans, y),
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


def _clip_mask(x: Any, lo: Any, hi: Any) -> Any:
    inside = np.ones(x.shape, dtype=bool, device=x.device)
    if lo is not None:
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    return inside


def _clip_x(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    return g * _clip_mask(x, kw.get("min", a_min), kw.get("max", a_max))


def _clip_lo(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    return unbroadcast(g * (x < a_min), a_min)


def _clip_hi(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    return unbroadcast(g * (x > a_max), a_max)


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
defvjp(np.absolute, lambda g, ans, x: g * np.sign(x), keep="args")
defvjp(np.fabs, lambda g, ans, x: g * np.sign(x), keep="args")
for _step in (np.sign, np.floor, np.ceil, np.rint, np.trunc, np.fix, np.round, np.around):
    defvjp(_step, zero, keep="meta")
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
defvjp(np.arccosh, lambda g, ans, x: g / np.sqrt(x * x - 1), keep="args")
defvjp(np.arctanh, lambda g, ans, x: g / (1 - x * x), keep="args")
defvjp(np.deg2rad, lambda g, ans, x: g * 0.017453292519943295, keep="meta")
defvjp(np.rad2deg, lambda g, ans, x: g * 57.29577951308232, keep="meta")
defvjp(np.real, lambda g, ans, x: np.real(g), keep="meta")
defvjp(np.conj, lambda g, ans, x: np.conj(g), keep="meta")
defvjp(np.astype, lambda g, ans, x, dtype, **kw: np.astype(g, x.dtype), keep="meta")
defvjp(np.copy, identity, keep="meta")
