"""Op-table cases of ``minpy.scipy.stats`` (joined to ``tests.numpy.optable.CASES``).

The distributions are compositions of primitives, so each case names the primitives it leans
on in ``prims``; its reference is the same code run by ``scipy.stats`` (``scipy_ref``). The
argument and every parameter with an exact derivative is an input; the shape parameters of the
distribution functions that need an incomplete gamma or beta function in them (``t.cdf``'s
``df``, ``beta.cdf``'s ``a``/``b``) are constants, and ``poisson``'s ``k`` is an integer
constant.
"""

from __future__ import annotations

from typing import Any

import numpy

from minpy.scipy import stats
from tests.numpy.optable import Case, Shape, positive, real, uniform
from tests.scipy.optable_special import scipy_ref

__all__ = ["CASES"]


def simplex(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Points of the simplex along the first axis, each entry at least ``0.2 / K``."""
    k = shape[0]
    d = rng.dirichlet(numpy.full(k, 2.0), size=shape[1:])
    return numpy.moveaxis(0.8 * d + 0.2 / k, -1, 0)


def spd(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Symmetric positive definite matrices near the identity."""
    a = 0.4 * rng.randn(*shape)
    return a @ a.T + numpy.eye(shape[0])


def C(name: str, fun: Any, shapes: Any, domain: Any, prims: tuple[str, ...]) -> Case:
    """A case of ``stats.<name>`` whose reference is ``scipy.stats``'s."""
    return Case("stats." + name, fun, shapes, domain, prims=prims, ref=scipy_ref(fun))


V = (3,)
M = (2, 3)
unit = uniform(0.1, 0.9)
near_one = uniform(1.0, 1.1)
K = numpy.array([0.0, 1.0, 4.0])
SP = "scipy.special."
MEAN3 = numpy.array([0.5, -1.0, 0.0])
LB = ("log", SP + "betainc")

CASES: list[Case] = [
    # norm -------------------------------------------------------------------------------------
    C(
        "norm.logpdf",
        lambda x, m, s: stats.norm.logpdf(x, m, s),
        [M, V, V],
        [real, real, positive],
        ("log", "divide"),
    ),
    C("norm.pdf", lambda x, s: stats.norm.pdf(x, scale=s), [M, V], [real, positive], ("exp",)),
    C(
        "norm.cdf",
        lambda x, m, s: stats.norm.cdf(x, m, s),
        [M, V, V],
        [real, real, positive],
        (SP + "ndtr",),
    ),
    C("norm.logcdf", lambda x, m: stats.norm.logcdf(x, m), [M, V], real, (SP + "log_ndtr",)),
    C("norm.sf", lambda x, s: stats.norm.sf(x, 0.5, s), [M, V], [real, positive], (SP + "ndtr",)),
    C(
        "norm.logsf",
        lambda x, s: stats.norm.logsf(x, scale=s),
        [V, V],
        [real, positive],
        (SP + "log_ndtr",),
    ),
    C(
        "norm.ppf",
        lambda q, m, s: stats.norm.ppf(q, m, s),
        [M, V, V],
        [unit, real, positive],
        (SP + "ndtri",),
    ),
    # t ----------------------------------------------------------------------------------------
    C(
        "t.logpdf",
        lambda x, df, m, s: stats.t.logpdf(x, df, m, s),
        [M, V, V, V],
        [real, positive, real, positive],
        (SP + "gammaln", "log1p"),
    ),
    C("t.pdf", lambda x, df: stats.t.pdf(x, df), [M, V], [real, positive], ("exp",)),
    C(
        "t.cdf",
        lambda x, m, s: stats.t.cdf(x, 3.0, m, s),
        [M, V, V],
        [real, real, positive],
        (SP + "betainc",),
    ),
    C("t.sf", lambda x: stats.t.sf(x, 1.5), [M], real, (SP + "betainc",)),
    C("t.logcdf", lambda x, s: stats.t.logcdf(x, 4.0, scale=s), [V, V], [real, positive], LB),
    C("t.logsf", lambda x: stats.t.logsf(x, 2.5, 0.3), [V], real, LB),
    # beta -------------------------------------------------------------------------------------
    C(
        "beta.logpdf",
        lambda x, a, b: stats.beta.logpdf(x, a, b),
        [M, V, V],
        [unit, positive, positive],
        (SP + "betaln", SP + "xlogy", SP + "xlog1py"),
    ),
    C(
        "beta.pdf-scale",
        lambda x, a, s: stats.beta.pdf(x, a, 2.0, 0.0, s),
        [M, V, V],
        [unit, positive, near_one],
        ("exp",),
    ),
    C("beta.cdf", lambda x: stats.beta.cdf(x, 1.5, 0.7), [M], unit, (SP + "betainc",)),
    C(
        "beta.sf-scale",
        lambda x, s: stats.beta.sf(x, 2.0, 3.0, scale=s),
        [M, V],
        [unit, near_one],
        (SP + "betaincc",),
    ),
    C("beta.logcdf", lambda x: stats.beta.logcdf(x, 0.8, 2.0), [V], unit, LB),
    C("beta.logsf", lambda x: stats.beta.logsf(x, 2.0, 0.8), [V], unit, ("log", SP + "betaincc")),
    # gamma and chi2 ---------------------------------------------------------------------------
    C(
        "gamma.logpdf",
        lambda x, a, s: stats.gamma.logpdf(x, a, scale=s),
        [M, V, V],
        positive,
        (SP + "gammaln", SP + "xlogy"),
    ),
    C("gamma.pdf", lambda x, a: stats.gamma.pdf(x, a, -0.4), [M, V], positive, ("exp",)),
    C(
        "gamma.cdf",
        lambda x, s: stats.gamma.cdf(x, 1.5, scale=s),
        [M, V],
        positive,
        (SP + "gammainc",),
    ),
    C("gamma.sf", lambda x: stats.gamma.sf(x, 2.5), [M], positive, (SP + "gammaincc",)),
    C(
        "gamma.logcdf",
        lambda x: stats.gamma.logcdf(x, 0.7),
        [V],
        positive,
        ("log", SP + "gammainc"),
    ),
    C("gamma.logsf", lambda x: stats.gamma.logsf(x, 3.0), [V], positive, ("log", SP + "gammaincc")),
    C(
        "chi2.logpdf",
        lambda x, df, s: stats.chi2.logpdf(x, df, 0.0, s),
        [M, V, V],
        positive,
        (SP + "gammaln",),
    ),
    C("chi2.pdf", lambda x, df: stats.chi2.pdf(x, df), [M, V], positive, ("exp",)),
    C("chi2.cdf", lambda x: stats.chi2.cdf(x, 3.0), [M], positive, (SP + "gammainc",)),
    C("chi2.sf", lambda x: stats.chi2.sf(x, 1.5, scale=0.5), [V], positive, (SP + "gammaincc",)),
    # poisson (k an integer constant) ----------------------------------------------------------
    C("poisson.logpmf", lambda mu: stats.poisson.logpmf(K, mu), [V], positive, (SP + "xlogy",)),
    C("poisson.pmf", lambda mu: stats.poisson.pmf(K + 1.0, mu, 1.0), [V], positive, ("exp",)),
    C("poisson.cdf", lambda mu: stats.poisson.cdf(K, mu), [V], positive, (SP + "gammaincc",)),
    C("poisson.sf", lambda mu: stats.poisson.sf(K, mu), [M], positive, (SP + "gammainc",)),
    C(
        "poisson.logcdf",
        lambda mu: stats.poisson.logcdf(K, mu),
        [V],
        positive,
        ("log", SP + "gammaincc"),
    ),
    C(
        "poisson.logsf",
        lambda mu: stats.poisson.logsf(K, mu),
        [V],
        positive,
        ("log", SP + "gammainc"),
    ),
    # dirichlet --------------------------------------------------------------------------------
    C(
        "dirichlet.logpdf",
        lambda x, a: stats.dirichlet.logpdf(x, a),
        [V, V],
        [simplex, positive],
        (SP + "gammaln", SP + "xlogy"),
    ),
    C(
        "dirichlet.logpdf-points",
        lambda x, a: stats.dirichlet.logpdf(x, a),
        [(3, 2), V],
        [simplex, positive],
        (SP + "xlogy",),
    ),
    C(
        "dirichlet.pdf-implied-last",
        lambda x, a: stats.dirichlet.pdf(x[:2], a),
        [V, V],
        [simplex, positive],
        ("exp",),
    ),
    # multivariate_normal ----------------------------------------------------------------------
    C(
        "multivariate_normal.logpdf",
        lambda x, m, c: stats.multivariate_normal.logpdf(x, m, c),
        [(4, 2), (2,), (2, 2)],
        [real, real, spd],
        ("linalg.solve", "linalg.slogdet"),
    ),
    C(
        "multivariate_normal.pdf-one-point",
        lambda x, m, c: stats.multivariate_normal.pdf(x, m, c),
        [V, V, (3, 3)],
        [real, real, spd],
        ("exp",),
    ),
    C(
        "multivariate_normal.logpdf-variances",
        lambda x, v: stats.multivariate_normal.logpdf(x, MEAN3, cov=v),
        [M, V],
        [real, positive],
        ("diag",),
    ),
    C(
        "multivariate_normal.logpdf-d1",
        lambda x, v: stats.multivariate_normal.logpdf(x, 0.5, v),
        [V, ()],
        [real, positive],
        ("linalg.solve",),
    ),
]
