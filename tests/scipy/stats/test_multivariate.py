"""``dirichlet`` and ``multivariate_normal`` beyond the op table: values against ``scipy.stats``
in each argument layout, the errors for bad arguments, ``rvs``, and gradients against HIPS
autograd's (skipped where it is missing).
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest
import scipy.stats as sst

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.scipy import stats

RNG = numpy.random.RandomState(2)
ALPHA = numpy.array([0.7, 2.0, 3.5])
POINTS = numpy.array([[0.2, 0.5], [0.3, 0.1], [0.5, 0.4]])  # (K, N): SciPy's layout
MEAN = numpy.array([0.5, -1.0])
COV = numpy.array([[2.0, 0.3], [0.3, 0.5]])
X = RNG.randn(4, 2)


@pytest.mark.parametrize("x", [POINTS[:, 0], POINTS, POINTS[:2]], ids=["one", "points", "K-1"])
def test_dirichlet_values_match_scipy(x: Any, device: minpy.Device) -> None:
    for method in ("pdf", "logpdf"):
        got = getattr(stats.dirichlet, method)(np.array(x, device=device), ALPHA)
        assert got.device is device
        want = getattr(sst.dirichlet, method)(x, ALPHA)
        numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)


def test_dirichlet_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="alpha must be a 1-D array of at least 2 positive"):
        stats.dirichlet.logpdf(POINTS, numpy.array([1.0, -2.0, 1.0]))
    with pytest.raises(ValueError, match=r"x of shape \(4, 2\) needs 3 \(or 2\).*transpose"):
        stats.dirichlet.logpdf(numpy.full((4, 2), 0.25), ALPHA)
    with pytest.raises(ValueError, match=r"x must lie in \[0, 1\]"):
        stats.dirichlet.logpdf(numpy.array([1.2, -0.1, -0.1]), ALPHA)


def test_dirichlet_rvs(device: minpy.Device) -> None:
    sample = stats.dirichlet.rvs(np.array(ALPHA, device=device), size=(50, 2))
    assert sample.shape == (50, 2, 3) and sample.device is device
    numpy.testing.assert_allclose(sample.asnumpy().sum(axis=-1), 1.0, rtol=1e-12)
    assert stats.dirichlet.rvs(ALPHA).shape == (1, 3)  # SciPy's default size=1
    seeded = stats.dirichlet.rvs(ALPHA, size=4, random_state=3)
    numpy.testing.assert_array_equal(
        seeded.asnumpy(), sst.dirichlet.rvs(ALPHA, size=4, random_state=3)
    )


@pytest.mark.parametrize(
    "x, mean, cov",
    [
        (X, MEAN, COV),
        (X[0], MEAN, COV),
        (X[:, :1], None, 2.0),
        (X[:, 0], 0.3, 0.5),
        (RNG.randn(2, 3, 3), numpy.zeros(3), numpy.array([1.0, 2.0, 0.5])),
    ],
    ids=["points", "one", "scalar-cov", "d1-points", "variances"],
)
def test_multivariate_normal_values_match_scipy(
    x: Any, mean: Any, cov: Any, device: minpy.Device
) -> None:
    for method in ("pdf", "logpdf"):
        got = getattr(stats.multivariate_normal, method)(np.array(x, device=device), mean, cov)
        assert got.device is device
        want = getattr(sst.multivariate_normal, method)(x, mean, cov)
        assert got.shape == numpy.shape(want)
        numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)


def test_multivariate_normal_bad_arguments_raise() -> None:
    mvn = stats.multivariate_normal
    with pytest.raises(ValueError, match=r"cov of shape \(3, 3\) does not match a mean of 2"):
        mvn.logpdf(X, MEAN, numpy.eye(3))
    with pytest.raises(ValueError, match=r"x of shape \(4, 3\) must have 2 coordinates"):
        mvn.logpdf(RNG.randn(4, 3), MEAN, COV)
    with pytest.raises(NotImplementedError, match="allow_singular=True is not supported"):
        mvn.logpdf(X, MEAN, COV, allow_singular=True)
    with pytest.raises(NotImplementedError, match=r"no closed form.*scipy\.stats"):
        mvn.cdf(X, MEAN, COV)


def test_multivariate_normal_rvs(device: minpy.Device) -> None:
    mvn = stats.multivariate_normal
    sample = mvn.rvs(np.array(MEAN, device=device), COV, size=4000)
    assert sample.shape == (4000, 2) and sample.device is device
    numpy.testing.assert_allclose(numpy.cov(sample.asnumpy().T), COV, atol=0.15)
    assert mvn.rvs(MEAN, COV).shape == (2,)  # size=1 is squeezed, as SciPy's
    seeded = mvn.rvs(MEAN, COV, size=3, random_state=5)
    numpy.testing.assert_array_equal(
        seeded.asnumpy(), sst.multivariate_normal.rvs(MEAN, COV, size=3, random_state=5)
    )


def test_multivariate_normal_grads_are_the_closed_forms() -> None:
    x, m, c = X[0], MEAN, COV
    gx, gm, gc = grad(lambda *a: stats.multivariate_normal.logpdf(*a), [0, 1, 2])(
        np.array(x), np.array(m), np.array(c)
    )
    inv = numpy.linalg.inv(c)
    r = inv @ (x - m)
    numpy.testing.assert_allclose(gx.asnumpy(), -r, rtol=1e-12)
    numpy.testing.assert_allclose(gm.asnumpy(), r, rtol=1e-12)
    numpy.testing.assert_allclose(gc.asnumpy(), 0.5 * (numpy.outer(r, r) - inv), rtol=1e-12)


@pytest.mark.parametrize("method", ["pdf", "logpdf"])
def test_grads_match_hips_autograd(method: str) -> None:
    autograd = pytest.importorskip("autograd", reason="HIPS autograd is not installed")
    import autograd.numpy as anp
    import autograd.scipy.stats as ast

    def loss(s: Any, xp: Any, *a: Any) -> Any:
        d = getattr(s.dirichlet, method)(a[0], a[1])
        n = getattr(s.multivariate_normal, method)(a[2], a[3], a[4])
        return xp.sum(d**2) + xp.sum(n**2)

    args = [POINTS[:, 0], ALPHA, X, MEAN, COV]
    want = autograd.grad(lambda *a: loss(ast, anp, *a), list(range(5)))(*args)
    got = grad(lambda *a: loss(stats, np, *a), list(range(5)))(*[np.array(a) for a in args])
    for i, (g, w) in enumerate(zip(got, want)):
        numpy.testing.assert_allclose(g.asnumpy(), w, rtol=1e-9, atol=1e-12, err_msg=f"arg {i}")
