"""``minpy.scipy.special``: SciPy's special functions as differentiable primitives.

Each name runs ``scipy.special``'s function on the CPU and ``cupyx.scipy.special``'s on a GPU
(the CPU fallback where CuPy lacks it). Each rule sits next to its function's section and is
written in minpy operations and these primitives (digamma's rule calls ``polygamma(1, x)``), so
it runs on every device and can be differentiated again.

Orders and integer counts (``n`` of ``polygamma``, ``v`` of the Bessel functions, ``d`` of
``multigammaln``) are constants. Where no exact derivative exists in closed form (``gammainc``
and ``betainc`` in their shape parameters, ``zeta`` in ``x``, a Bessel function in its order)
the rule raises ``GradientError`` naming the argument, rather than returning a wrong number.
Nothing here imports CuPy; ``expm1``, ``log1p`` and ``sinc`` are NumPy's (``minpy.numpy``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as _numpy
import scipy.special as _special

import minpy.numpy as np
from minpy.errors import GradientError
from minpy.primitive import Primitive, defvjp
from minpy.scipy._wrapping import wrap_scipy

__all__ = [
    "beta", "betainc", "betaincc", "betaln", "digamma", "entr", "erf", "erfc", "erfcinv",
    "erfcx", "erfinv", "expit", "gamma", "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1",
    "i1e", "iv", "ive", "j0", "j1", "jn", "jv", "k0", "k1", "kv", "log_expit", "log_ndtr",
    "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi",
    "rgamma", "softmax", "xlog1py", "xlogy", "y0", "y1", "yn", "yv", "zeta",
]  # fmt: skip

_p = wrap_scipy(_special, [n for n in __all__ if n not in ("psi", "logsumexp")] + ["logsumexp"])

gammaln: Primitive = _p["gammaln"]
digamma: Primitive = _p["digamma"]
psi: Primitive = digamma  # SciPy's alias: the same function, so the same primitive
polygamma: Primitive = _p["polygamma"]
gamma: Primitive = _p["gamma"]
rgamma: Primitive = _p["rgamma"]
beta: Primitive = _p["beta"]
betaln: Primitive = _p["betaln"]
multigammaln: Primitive = _p["multigammaln"]
gammainc: Primitive = _p["gammainc"]
gammaincc: Primitive = _p["gammaincc"]
betainc: Primitive = _p["betainc"]
betaincc: Primitive = _p["betaincc"]
zeta: Primitive = _p["zeta"]
erf: Primitive = _p["erf"]
erfc: Primitive = _p["erfc"]
erfinv: Primitive = _p["erfinv"]
erfcinv: Primitive = _p["erfcinv"]
erfcx: Primitive = _p["erfcx"]
ndtr: Primitive = _p["ndtr"]
ndtri: Primitive = _p["ndtri"]
log_ndtr: Primitive = _p["log_ndtr"]
expit: Primitive = _p["expit"]
logit: Primitive = _p["logit"]
log_expit: Primitive = _p["log_expit"]
softmax: Primitive = _p["softmax"]
log_softmax: Primitive = _p["log_softmax"]
xlogy: Primitive = _p["xlogy"]
xlog1py: Primitive = _p["xlog1py"]
entr: Primitive = _p["entr"]
i0: Primitive = _p["i0"]
i1: Primitive = _p["i1"]
i0e: Primitive = _p["i0e"]
i1e: Primitive = _p["i1e"]
iv: Primitive = _p["iv"]
ive: Primitive = _p["ive"]
j0: Primitive = _p["j0"]
j1: Primitive = _p["j1"]
jn: Primitive = _p["jn"]
jv: Primitive = _p["jv"]
y0: Primitive = _p["y0"]
y1: Primitive = _p["y1"]
yn: Primitive = _p["yn"]
yv: Primitive = _p["yv"]
k0: Primitive = _p["k0"]
k1: Primitive = _p["k1"]
kv: Primitive = _p["kv"]
_logsumexp: Primitive = _p["logsumexp"]

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def logsumexp(
    a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False
) -> Any:
    """``log(sum(b * exp(a), axis))`` without overflow, differentiable in ``a`` and ``b``.

    SciPy's ``scipy.special.logsumexp`` (``cupyx.scipy.special``'s on a GPU); see its
    documentation for the parameters.

    Raises
    ------
    ValueError
        For ``return_sign=True``: the sign output is not supported.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.scipy.special import logsumexp
    >>> float(logsumexp(np.array([0.0, 0.0]), b=np.array([1.0, 3.0])))  # log 4
    1.3862943611198906
    """
    if return_sign:
        raise ValueError(
            "logsumexp: return_sign=True is not supported by minpy.scipy.special; "
            "take logsumexp of positive weights b and subtract the others' separately"
        )
    if isinstance(b, (list, tuple, int, float)):
        b = _numpy.asarray(b, dtype=float)  # a host array has a shape for the rules
    return _logsumexp(a, axis, b, keepdims)


# --------------------------------------------------------------------------------------------
# helpers of the rules


def _sum_to(g: Any, x: Any) -> Any:
    """``g`` summed down to the shape of ``x`` (undo broadcasting)."""
    shape = tuple(getattr(x, "shape", ()))
    if tuple(g.shape) != shape:
        g = np.sum_to(g, shape)
    return g


def _unary(derivative: Any) -> Any:
    """A rule ``g * derivative(ans, x)`` for a function of one argument."""

    def rule(g: Any, ans: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        return g * derivative(ans, x)

    return rule


def _no_gradient(name: str, arg: str, why: str) -> Any:
    """A rule that raises ``GradientError``: no exact derivative of ``name`` in ``arg``."""

    def rule(g: Any, ans: Any, *args: Any, **kwargs: Any) -> Any:
        raise GradientError(
            f"scipy.special.{name}: no exact gradient with respect to {arg!r} ({why}); "
            f"pass {arg} as a constant (a number, a NumPy array or "
            "minpy.core.stop_gradient(...)) or differentiate it by finite differences"
        )

    return rule


def _reduced(v: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """``v``, the result of reducing an array of ``shape`` over ``axis``, with the reduced axes
    back as length-1 axes (so it broadcasts against the input)."""
    if keepdims or (axis is None and v.ndim == len(shape)):
        return v
    if axis is None:
        return np.reshape(v, (1,) * len(shape))
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    return np.reshape(v, tuple(1 if i in axes else s for i, s in enumerate(shape)))


# --------------------------------------------------------------------------------------------
# gamma and beta functions

defvjp(gammaln, _unary(lambda ans, x: digamma(x)))
defvjp(digamma, _unary(lambda ans, x: polygamma(1, x)))
defvjp(
    polygamma,
    _no_gradient("polygamma", "n", "the order is an integer"),
    lambda g, ans, n, x: _sum_to(g * polygamma(n + 1, x), x),
)
defvjp(gamma, _unary(lambda ans, x: ans * digamma(x)))
defvjp(rgamma, _unary(lambda ans, x: -ans * digamma(x)))


def _beta_rule(times_ans: bool) -> Any:
    def rule_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
        d = digamma(a) - digamma(a + b)
        return _sum_to(g * (ans * d if times_ans else d), a)

    def rule_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
        d = digamma(b) - digamma(a + b)
        return _sum_to(g * (ans * d if times_ans else d), b)

    return rule_a, rule_b


defvjp(beta, *_beta_rule(True))
defvjp(betaln, *_beta_rule(False))


def _multigammaln(g: Any, ans: Any, a: Any, d: Any) -> Any:
    # multigammaln(a, d) = const + sum_j gammaln(a - j/2), j = 0 .. d-1
    total = digamma(a)
    for j in range(1, int(d)):
        total = total + digamma(a - 0.5 * j)
    return g * total


defvjp(multigammaln, _multigammaln)  # d is a Python integer (SciPy refuses arrays)

# incomplete gamma and beta functions: exact in x; in the shape parameters the derivative is a
# hypergeometric series SciPy does not provide


def _gammainc_density(a: Any, x: Any) -> Any:
    """``x**(a-1) exp(-x) / Gamma(a)``: the x-derivative of the regularized lower gamma."""
    return np.exp(xlogy(a - 1.0, x) - x - gammaln(a))


def _betainc_density(a: Any, b: Any, x: Any) -> Any:
    """``x**(a-1) (1-x)**(b-1) / B(a, b)``: the x-derivative of the regularized beta."""
    return np.exp(xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - betaln(a, b))


_SHAPE = "a derivative in the shape parameter has no closed form in SciPy's special functions"
defvjp(
    gammainc,
    _no_gradient("gammainc", "a", _SHAPE),
    lambda g, ans, a, x: _sum_to(g * _gammainc_density(a, x), x),
)
defvjp(
    gammaincc,
    _no_gradient("gammaincc", "a", _SHAPE),
    lambda g, ans, a, x: -_sum_to(g * _gammainc_density(a, x), x),
)
defvjp(
    betainc,
    _no_gradient("betainc", "a", _SHAPE),
    _no_gradient("betainc", "b", _SHAPE),
    lambda g, ans, a, b, x: _sum_to(g * _betainc_density(a, b, x), x),
)
defvjp(
    betaincc,
    _no_gradient("betaincc", "a", _SHAPE),
    _no_gradient("betaincc", "b", _SHAPE),
    lambda g, ans, a, b, x: -_sum_to(g * _betainc_density(a, b, x), x),
)
# Hurwitz zeta(x, q): d/dq = -x zeta(x + 1, q); d/dx has no closed form
defvjp(
    zeta,
    _no_gradient("zeta", "x", "its derivative in x has no closed form"),
    lambda g, ans, x, q: _sum_to(-g * x * zeta(x + 1.0, q), q),
)

# --------------------------------------------------------------------------------------------
# error functions and the normal distribution function

defvjp(erf, _unary(lambda ans, x: (2.0 / _SQRT_PI) * np.exp(-x * x)))
defvjp(erfc, _unary(lambda ans, x: (-2.0 / _SQRT_PI) * np.exp(-x * x)))
defvjp(erfinv, _unary(lambda ans, x: (0.5 * _SQRT_PI) * np.exp(ans * ans)))
defvjp(erfcinv, _unary(lambda ans, x: (-0.5 * _SQRT_PI) * np.exp(ans * ans)))
defvjp(erfcx, _unary(lambda ans, x: 2.0 * x * ans - 2.0 / _SQRT_PI))
defvjp(ndtr, _unary(lambda ans, x: np.exp(-0.5 * x * x) / _SQRT_2PI))
defvjp(ndtri, _unary(lambda ans, x: _SQRT_2PI * np.exp(0.5 * ans * ans)))
# pdf(x) / ndtr(x), as one exponential: no 0/0 far in the left tail
defvjp(log_ndtr, _unary(lambda ans, x: np.exp(-0.5 * x * x - ans) / _SQRT_2PI))

# --------------------------------------------------------------------------------------------
# logistic functions, log-sum-exp and softmax

defvjp(expit, _unary(lambda ans, x: ans * (1.0 - ans)))
defvjp(logit, _unary(lambda ans, x: 1.0 / (x * (1.0 - x))))
defvjp(log_expit, _unary(lambda ans, x: expit(-x)))


def _lse_weights(ans: Any, a: Any, axis: Any, b: Any, keepdims: bool) -> Any:
    """``exp(a - logsumexp)``: each term's share, broadcast against ``a`` (and ``b``)."""
    shape = tuple(a.shape) if b is None else tuple(np.broadcast_shapes(a.shape, b.shape))
    return np.exp(a - _reduced(ans, shape, axis, keepdims)), shape


def _lse_a(g: Any, ans: Any, a: Any, axis: Any = None, b: Any = None, keepdims: Any = False) -> Any:
    w, shape = _lse_weights(ans, a, axis, b, keepdims)
    gw = _reduced(g, shape, axis, keepdims) * w
    return _sum_to(gw if b is None else gw * b, a)


def _lse_b(g: Any, ans: Any, a: Any, axis: Any = None, b: Any = None, keepdims: Any = False) -> Any:
    w, shape = _lse_weights(ans, a, axis, b, keepdims)
    return _sum_to(_reduced(g, shape, axis, keepdims) * w, b)


defvjp(_logsumexp, _lse_a, None, _lse_b)


def _softmax(g: Any, ans: Any, x: Any, axis: Any = None) -> Any:
    return ans * (g - np.sum(g * ans, axis=axis, keepdims=True))


def _log_softmax(g: Any, ans: Any, x: Any, axis: Any = None) -> Any:
    return g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)


defvjp(softmax, _softmax, keep="ans")
defvjp(log_softmax, _log_softmax, keep="ans")

# --------------------------------------------------------------------------------------------
# x log y and entropy: at x = 0 the functions are 0 whatever y, so the y-derivative is 0 there


def _x_over(x: Any, y: Any) -> Any:
    """``x / y``, with 0 where ``x`` is 0 (also where ``y`` is)."""
    zero = x == 0
    return np.where(zero, 0.0, x / np.where(zero, 1.0, y))


defvjp(
    xlogy,
    lambda g, ans, x, y: _sum_to(g * np.log(y), x),
    lambda g, ans, x, y: _sum_to(g * _x_over(x, y), y),
)
defvjp(
    xlog1py,
    lambda g, ans, x, y: _sum_to(g * np.log1p(y), x),
    lambda g, ans, x, y: _sum_to(g * _x_over(x, 1.0 + y), y),
)


def _entr(ans: Any, x: Any) -> Any:
    # -(log x + 1) for x > 0 (+inf at 0, the one-sided limit); entr is -inf for x < 0: flat
    inside = x >= 0
    return np.where(inside, -np.log(np.where(inside, x, 1.0)) - 1.0, 0.0)


defvjp(entr, _unary(_entr))

# --------------------------------------------------------------------------------------------
# Bessel functions: derivatives by the recurrences in the order (Abramowitz & Stegun 9.1.27,
# 9.6.26); the exponentially scaled ones add the derivative of their factor exp(-|x|)


def _bessel_x(name: str, derivative: Any) -> tuple[Any, Any]:
    """The rules of ``name(v, x)``: none in the order ``v``, ``derivative(v, x, ans)`` in x."""
    return (
        _no_gradient(name, "v", "the derivative in the order has no closed form"),
        lambda g, ans, v, x: _sum_to(g * derivative(v, x, ans), x),
    )


defvjp(i0, _unary(lambda ans, x: i1(x)))
defvjp(i1, _unary(lambda ans, x: 0.5 * (i0(x) + iv(2.0, x))))
defvjp(i0e, _unary(lambda ans, x: i1e(x) - np.sign(x) * ans))
defvjp(i1e, _unary(lambda ans, x: 0.5 * (i0e(x) + ive(2.0, x)) - np.sign(x) * ans))
defvjp(iv, *_bessel_x("iv", lambda v, x, ans: 0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x))))
defvjp(
    ive,
    *_bessel_x(
        "ive", lambda v, x, ans: 0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x)) - np.sign(x) * ans
    ),
)
defvjp(j0, _unary(lambda ans, x: -j1(x)))
defvjp(j1, _unary(lambda ans, x: 0.5 * (j0(x) - jv(2.0, x))))
defvjp(jn, *_bessel_x("jn", lambda n, x, ans: 0.5 * (jn(n - 1, x) - jn(n + 1, x))))
defvjp(jv, *_bessel_x("jv", lambda v, x, ans: 0.5 * (jv(v - 1.0, x) - jv(v + 1.0, x))))
defvjp(y0, _unary(lambda ans, x: -y1(x)))
defvjp(y1, _unary(lambda ans, x: 0.5 * (y0(x) - yv(2.0, x))))
defvjp(yn, *_bessel_x("yn", lambda n, x, ans: 0.5 * (yn(n - 1, x) - yn(n + 1, x))))
defvjp(yv, *_bessel_x("yv", lambda v, x, ans: 0.5 * (yv(v - 1.0, x) - yv(v + 1.0, x))))
defvjp(k0, _unary(lambda ans, x: -k1(x)))
defvjp(k1, _unary(lambda ans, x: -0.5 * (k0(x) + kv(2.0, x))))
defvjp(kv, *_bessel_x("kv", lambda v, x, ans: -0.5 * (kv(v - 1.0, x) + kv(v + 1.0, x))))
