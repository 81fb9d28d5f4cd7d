"""``norm``, ``t``, ``beta``, ``gamma``, ``chi2`` and ``poisson`` beyond the op table: every
method's values against ``scipy.stats`` (inside and outside the support), the parameters whose
gradient is refused, ``rvs`` (shapes, devices, seeds, never traced), and gradients against HIPS
autograd's ``autograd.scipy.stats`` (skipped where it is missing).

The op table (``tests/scipy/optable_stats.py``) checks the gradients at first and second order.
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest
import scipy.stats as sst

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.errors import GradientError
from minpy.scipy import stats

RNG = numpy.random.RandomState(1)
X = RNG.randn(2, 3)
POS = RNG.uniform(0.3, 3.0, size=(2, 3))
UNIT = RNG.uniform(0.05, 0.95, size=(2, 3))

# (distribution, method, argument, parameters): values compared with SciPy's
VALUES = [
    *[("norm", m, X, (0.3, 1.7)) for m in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf")],
    ("norm", "ppf", UNIT, (-1.0, 2.0)),
    ("norm", "logcdf", X - 40.0, ()),  # far in the left tail: log_ndtr, not log(ndtr)
    *[("t", m, X, (2.5, 0.2, 1.3)) for m in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf")],
    ("t", "cdf", X * 30.0, (1.0,)),  # the tails of the Cauchy distribution
    ("t", "sf", X * 30.0, (4.0,)),
    *[("beta", m, UNIT, (2.0, 0.7)) for m in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf")],
    ("beta", "logpdf", UNIT * 2.0, (1.5, 3.0, 0.1, 1.5)),
    *[("gamma", m, POS, (1.5, 0.1, 2.0)) for m in ("pdf", "logpdf", "cdf", "logcdf", "sf")],
    ("gamma", "logsf", POS, (0.6,)),
    *[("chi2", m, POS, (3.0,)) for m in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf")],
    *[("poisson", m, numpy.array([0.0, 1.0, 3.0, 7.0]), (2.5,)) for m in ("pmf", "logpmf")],
    *[("poisson", m, numpy.array([0.0, 1.5, 3.0, 7.0]), (2.5,)) for m in ("cdf", "sf")],
    ("poisson", "logcdf", numpy.array([2.0, 5.0]), (1.5, 1)),
    ("poisson", "logsf", numpy.array([2.0, 5.0]), (1.5,)),
]


@pytest.mark.parametrize(
    "dist, method, x, params", VALUES, ids=[f"{d}.{m}-{i}" for i, (d, m, _, _) in enumerate(VALUES)]
)
def test_values_match_scipy(
    dist: str, method: str, x: Any, params: tuple[float, ...], device: minpy.Device
) -> None:
    got = getattr(getattr(stats, dist), method)(np.array(x, device=device), *params)
    want = getattr(getattr(sst, dist), method)(x, *params)
    assert got.device is device
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-300)


def test_values_outside_the_support_match_scipy() -> None:
    y = numpy.array([-0.5, 1.5])
    for dist, params in (("beta", (2.0, 3.0)), ("gamma", (2.0,)), ("chi2", (3.0,))):
        for method in ("pdf", "logpdf", "cdf", "sf"):
            got = getattr(getattr(stats, dist), method)(np.array(y[:1]), *params)
            want = getattr(getattr(sst, dist), method)(y[:1], *params)
            numpy.testing.assert_array_equal(got.asnumpy(), want, err_msg=f"{dist}.{method}")
    got = stats.beta.cdf(np.array(y), 2.0, 3.0)
    numpy.testing.assert_array_equal(got.asnumpy(), [0.0, 1.0])
    k = numpy.array([-1.0, 2.5, 3.0])  # poisson: negative and non-integer k
    numpy.testing.assert_array_equal(stats.poisson.pmf(k, 2.0).asnumpy(), sst.poisson.pmf(k, 2.0))
    numpy.testing.assert_allclose(stats.poisson.cdf(k, 2.0).asnumpy(), sst.poisson.cdf(k, 2.0))


# --------------------------------------------------------------------------------------------
# gradients


@pytest.mark.parametrize(
    "fun, arg",
    [
        (lambda df: stats.t.cdf(0.4, df), "'a'"),
        (lambda a: stats.beta.cdf(0.4, a, 2.0), "'a'"),
        (lambda b: stats.beta.sf(0.4, 2.0, b), "'b'"),
        (lambda a: stats.gamma.cdf(0.4, a), "'a'"),
        (lambda df: stats.chi2.sf(0.4, df), "'a'"),
    ],
)
def test_cdf_grad_in_a_shape_parameter_raises(fun: Any, arg: str) -> None:
    with pytest.raises(GradientError, match=f"with respect to {arg}"):
        grad(fun)(np.array(2.5))


def test_poisson_grad_in_k_is_zero() -> None:
    k = np.array([1.0, 3.0])
    g = grad(lambda k: np.sum(stats.poisson.logpmf(k, 2.0) + stats.poisson.cdf(k, 2.0)))(k)
    numpy.testing.assert_array_equal(g.asnumpy(), [0.0, 0.0])


def test_norm_grads_are_exact() -> None:
    x, m, s = 0.7, -0.2, 1.4
    gx, gm, gs = grad(lambda x, m, s: stats.norm.logpdf(x, m, s), [0, 1, 2])(x, m, s)
    z = (x - m) / s
    assert (gx, gm, gs) == pytest.approx((-z / s, z / s, (z * z - 1) / s), rel=1e-13)
    g = grad(lambda x: stats.norm.cdf(x, m, s))(x)
    assert g == pytest.approx(sst.norm.pdf(x, m, s), rel=1e-13)


def _autograd_cases() -> list[tuple[str, Any, list[Any]]]:
    """(name, f(stats_module, *args), args): the same code run by both libraries."""
    return [
        ("norm.pdf", lambda s, x, m, c: s.norm.pdf(x, m, c), [X, X[0], POS[0]]),
        ("norm.logpdf", lambda s, x, m, c: s.norm.logpdf(x, m, c), [X, X[0], POS[0]]),
        ("norm.cdf", lambda s, x, m, c: s.norm.cdf(x, m, c), [X, X[0], POS[0]]),
        ("norm.logcdf", lambda s, x, m, c: s.norm.logcdf(x, m, c), [X, X[0], POS[0]]),
        ("norm.sf", lambda s, x, m, c: s.norm.sf(x, m, c), [X, X[0], POS[0]]),
        ("norm.logsf", lambda s, x, m, c: s.norm.logsf(x, m, c), [X, X[0], POS[0]]),
        ("t.pdf", lambda s, x, df, m: s.t.pdf(x, df, m, 1.5), [X, POS[0], X[1]]),
        ("t.logpdf", lambda s, x, df, c: s.t.logpdf(x, df, 0.1, c), [X, POS[0], POS[1]]),
        ("t.cdf", lambda s, x: s.t.cdf(x, 3.0), [X]),
        ("beta.pdf", lambda s, x, a, b: s.beta.pdf(x, a, b), [UNIT, POS[0], POS[1]]),
        ("beta.logpdf", lambda s, x, a, b: s.beta.logpdf(x, a, b), [UNIT, POS[0], POS[1]]),
        ("beta.cdf", lambda s, x: s.beta.cdf(x, 1.5, 2.5), [UNIT]),
        ("gamma.pdf", lambda s, x, a: s.gamma.pdf(x, a), [POS, POS[1]]),
        ("gamma.logpdf", lambda s, x, a: s.gamma.logpdf(x, a), [POS, POS[1]]),
        ("gamma.cdf", lambda s, x: s.gamma.cdf(x, 1.5), [POS]),
        ("chi2.pdf", lambda s, x: s.chi2.pdf(x, 3.0), [POS]),
        # (autograd's chi2.logpdf has a gradient of 0 at a non-integer df)
        ("chi2.logpdf", lambda s, x: s.chi2.logpdf(x, 3.0), [POS]),
        ("chi2.cdf", lambda s, x: s.chi2.cdf(x, 4.0), [POS]),
        ("poisson.pmf", lambda s, mu: s.poisson.pmf(numpy.array([0.0, 2.0, 5.0]), mu), [POS[0]]),
        (
            "poisson.logpmf",
            lambda s, mu: s.poisson.logpmf(numpy.array([1.0, 3.0, 0.0]), mu),
            [POS[1]],
        ),
        ("poisson.cdf", lambda s, mu: s.poisson.cdf(numpy.array([0.0, 2.0, 5.0]), mu), [POS[0]]),
    ]


@pytest.mark.parametrize(
    "name, fun, args", _autograd_cases(), ids=[c[0] for c in _autograd_cases()]
)
def test_grad_matches_hips_autograd(name: str, fun: Any, args: list[Any]) -> None:
    autograd = pytest.importorskip("autograd", reason="HIPS autograd is not installed")
    import autograd.numpy as anp
    import autograd.scipy.stats as ast

    argnums = list(range(len(args)))
    want = autograd.grad(lambda *v: anp.sum(fun(ast, *v) ** 2), argnums)(*args)
    got = grad(lambda *v: np.sum(fun(stats, *v) ** 2), argnums)(*[np.array(a) for a in args])
    for i, (g, w) in enumerate(zip(got, want)):
        numpy.testing.assert_allclose(g.asnumpy(), w, rtol=1e-9, atol=1e-12, err_msg=f"arg {i}")


# --------------------------------------------------------------------------------------------
# rvs


@pytest.mark.parametrize(
    "dist, params",
    [
        ("norm", (1.0, 2.0)),
        ("t", (3.0, 0.5)),
        ("beta", (2.0, 3.0)),
        ("gamma", (1.5,)),
        ("chi2", (2.0, 0.0, 3.0)),
        ("poisson", (2.5,)),
    ],
)
def test_rvs_shapes_devices_and_seeds(
    dist: str, params: tuple[float, ...], device: minpy.Device
) -> None:
    d = getattr(stats, dist)
    sample = d.rvs(*params, size=(200, 3))
    assert sample.shape == (200, 3) and sample.device is device
    assert d.rvs(*params, size=4).shape == (4,)
    assert d.rvs(*params).shape == ()
    numpy.testing.assert_allclose(
        numpy.mean(sample.asnumpy()), getattr(sst, dist).mean(*params), rtol=0.25
    )
    seeded = d.rvs(*params, size=5, random_state=7)
    assert seeded.device is device
    want = getattr(sst, dist).rvs(*params, size=5, random_state=7)
    numpy.testing.assert_array_equal(seeded.asnumpy(), want)


def test_rvs_follow_array_parameters_and_are_not_traced(device: minpy.Device) -> None:
    loc = np.array([0.0, 10.0, 20.0], device=device)
    with minpy.cpu():
        sample = stats.norm.rvs(loc, 0.1)
        assert sample.shape == (3,) and sample.device is device
        seeded = stats.t.rvs(3.0, loc, random_state=numpy.random.RandomState(0))
        assert seeded.device is device
    g = grad(lambda m: np.sum(stats.t.rvs(3.0, m, 2.0, size=(4, 3))))(loc)
    numpy.testing.assert_array_equal(g.asnumpy(), numpy.zeros(3))
