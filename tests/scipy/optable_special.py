"""Op-table cases of ``minpy.scipy.special``'s rules (joined to ``tests.numpy.optable.CASES``).

Each case is written against the module-level names ``np`` and ``special``; its reference is
the same code with those bound to NumPy and ``scipy.special`` (``scipy_ref``). Orders and shape
parameters that have no gradient (``polygamma``'s ``n``, the Bessel orders, ``gammainc``'s
``a``) are constants captured by the lambdas; ``test_special.py`` checks that differentiating
them raises. Each function's domain keeps away from its poles and branch cuts.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy
import scipy.special
import scipy.stats

from minpy.scipy import special
from tests.numpy.optable import Case, positive, real, uniform

__all__ = ["CASES", "scipy_ref"]

_HOST = {"np": numpy, "special": scipy.special, "stats": scipy.stats}


def scipy_ref(fun: Callable[..., Any]) -> Callable[..., Any]:
    """``fun`` with its globals ``np``, ``special`` and ``stats`` bound to NumPy and SciPy."""
    code = fun.__code__  # type: ignore[attr-defined]
    glob = {**fun.__globals__, **_HOST}  # type: ignore[attr-defined]
    return types.FunctionType(code, glob, fun.__name__, fun.__defaults__, fun.__closure__)  # type: ignore[attr-defined]


def C(name: str, fun: Callable[..., Any], shapes: Any, domain: Any = real, **kw: Any) -> Case:
    """A case whose reference is SciPy's (``scipy_ref``) and whose primitive is
    ``scipy.special.<name up to the first '-'>`` unless ``prims`` says otherwise."""
    kw.setdefault("prims", ("scipy.special." + name.split("-")[0],))
    return Case("scipy.special." + name, fun, shapes, domain, ref=scipy_ref(fun), **kw)


V = (3,)
M = (2, 3)
T3 = (2, 3, 2)
unit = uniform(0.1, 0.9)
big = uniform(2.5, 4.0)
A_ROW = numpy.array([0.5, 1.0, 2.5])
N_ROW = numpy.array([0, 1, 3])

CASES: list[Case] = [
    # gamma and beta functions ----------------------------------------------------------------
    C("gammaln", lambda x: special.gammaln(x), [M], positive),
    C("gammaln-negative", lambda x: special.gammaln(x - 3.0), [V], uniform(0.2, 0.8)),
    C("digamma", lambda x: special.digamma(x), [M], positive),
    C("digamma-psi", lambda x: special.psi(x), [V], positive),
    C("polygamma", lambda x: special.polygamma(2, x), [M], positive),
    C("polygamma-array-n", lambda x: special.polygamma(N_ROW, x), [M], positive),
    C("gamma", lambda x: special.gamma(x), [M], positive),
    C("rgamma", lambda x: special.rgamma(x), [M], uniform(-0.8, 3.0)),
    C("beta", lambda a, b: special.beta(a, b), [M, V], positive),
    C("betaln", lambda a, b: special.betaln(a, b), [(2, 1), V], positive),
    C("multigammaln", lambda a: special.multigammaln(a, 3), [M], big),
    C("gammainc", lambda x: special.gammainc(1.7, x), [M], positive),
    C("gammainc-array-a", lambda x: special.gammainc(A_ROW, x), [M], positive),
    C("gammaincc", lambda x: special.gammaincc(A_ROW, x), [V], positive),
    C("betainc", lambda x: special.betainc(1.5, 2.5, x), [M], unit),
    C("betainc-array-a", lambda x: special.betainc(A_ROW, 0.7, x), [M], unit),
    C("betaincc", lambda x: special.betaincc(0.7, A_ROW, x), [V], unit),
    C("zeta", lambda q: special.zeta(3.0, q), [M], positive),
    # error functions and the normal distribution function ------------------------------------
    C("erf", lambda x: special.erf(x), [M]),
    C("erfc", lambda x: special.erfc(x), [M]),
    C("erfinv", lambda x: special.erfinv(x), [M], uniform(-0.9, 0.9)),
    C("erfcinv", lambda x: special.erfcinv(x), [M], uniform(0.1, 1.9)),
    C("erfcx", lambda x: special.erfcx(x), [M]),
    C("ndtr", lambda x: special.ndtr(x), [M]),
    C("ndtri", lambda x: special.ndtri(x), [M], unit),
    C("log_ndtr", lambda x: special.log_ndtr(x), [M]),
    C("log_ndtr-tail", lambda x: special.log_ndtr(x - 30.0), [V], rtol=1e-4),
    # logistic functions, log-sum-exp, softmax ------------------------------------------------
    C("expit", lambda x: special.expit(x), [M]),
    C("logit", lambda x: special.logit(x), [M], unit),
    C("log_expit", lambda x: special.log_expit(x), [M]),
    C("logsumexp", lambda a: special.logsumexp(a), [M]),
    C("logsumexp-axis", lambda a: special.logsumexp(a, axis=1), [M]),
    C("logsumexp-axes-keepdims", lambda a: special.logsumexp(a, (0, 2), keepdims=True), [T3]),
    C("logsumexp-b", lambda a, b: special.logsumexp(a, axis=0, b=b), [M, V], [real, positive]),
    C(
        "logsumexp-b-broadcast",
        lambda a, b: special.logsumexp(a, axis=-1, b=b, keepdims=True),
        [V, M],
        [real, positive],
    ),
    C("softmax", lambda x: special.softmax(x, axis=1), [M]),
    C("softmax-all", lambda x: special.softmax(x), [M]),
    C("log_softmax", lambda x: special.log_softmax(x, axis=0), [M]),
    C("log_softmax-all", lambda x: special.log_softmax(x), [V]),
    # x log y, entropy ------------------------------------------------------------------------
    C("xlogy", lambda x, y: special.xlogy(x, y), [M, V], [real, positive]),
    C("xlog1py", lambda x, y: special.xlog1py(x, y), [V, M], [real, uniform(-0.5, 2.0)]),
    C("entr", lambda x: special.entr(x), [M], positive),
    # Bessel functions ------------------------------------------------------------------------
    C("i0", lambda x: special.i0(x), [M]),
    C("i1", lambda x: special.i1(x), [M]),
    C("i0e", lambda x: special.i0e(x), [M], positive),
    C("i0e-negative", lambda x: special.i0e(-x), [V], positive),
    C("i1e", lambda x: special.i1e(x), [M], positive),
    C("i1e-negative", lambda x: special.i1e(-x), [V], positive),
    C("iv", lambda x: special.iv(1.5, x), [M], positive),
    C("iv-integer-negative-x", lambda x: special.iv(2, -x), [V], positive),
    C("ive", lambda x: special.ive(2.5, x), [M], positive),
    C("ive-negative-x", lambda x: special.ive(1, -x), [V], positive),
    C("j0", lambda x: special.j0(x), [M]),
    C("j1", lambda x: special.j1(x), [M]),
    C("jn", lambda x: special.jn(2, x), [M]),
    C("jv", lambda x: special.jv(0.5, x), [M], positive),
    C("y0", lambda x: special.y0(x), [M], positive),
    C("y1", lambda x: special.y1(x), [M], positive),
    C("yn", lambda x: special.yn(3, x), [M], big),
    C("yv", lambda x: special.yv(1.3, x), [M], big),
    C("k0", lambda x: special.k0(x), [M], positive),
    C("k1", lambda x: special.k1(x), [M], positive),
    C("kv", lambda x: special.kv(0.7, x), [M], positive),
    # chains: the rules' rules meet each other ------------------------------------------------
    C(
        "gammaln-of-softmax",
        lambda x: special.gammaln(1.0 + special.softmax(x, axis=0)) * special.erf(x),
        [M],
        prims=("scipy.special.gammaln", "scipy.special.softmax", "scipy.special.erf"),
    ),
]
