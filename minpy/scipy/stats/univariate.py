"""``norm``, ``t``, ``beta``, ``gamma``, ``chi2`` and ``poisson``: densities and distribution
functions in minpy operations and ``minpy.scipy.special``'s primitives (see the package)."""

from __future__ import annotations

import math
from typing import Any

import scipy.stats as _stats

import minpy.numpy as np
from minpy.array import Array
from minpy.context import Device
from minpy.scipy import special
from minpy.scipy.stats._base import LOG_2PI, Continuous, Univariate, constant, standard

__all__ = ["beta", "chi2", "gamma", "norm", "poisson", "t"]

# --------------------------------------------------------------------------------------------
# continuous distributions


class _Norm(Continuous):
    """The normal distribution ``norm(loc=0, scale=1)``, as ``scipy.stats.norm``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import grad
    >>> from minpy.scipy.stats import norm
    >>> round(float(norm.logpdf(1.0, 0.0, 2.0)), 6)
    -1.737086
    >>> round(float(grad(lambda s: norm.logpdf(1.0, 0.0, s))(2.0)), 6)  # -1/s + x**2/s**3
    -0.375
    """

    _scipy = _stats.norm

    def logpdf(self, x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The log density at ``x``."""
        z = standard(x, loc, scale)
        return -0.5 * z * z - np.log(scale) - 0.5 * LOG_2PI

    def cdf(self, x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The distribution function at ``x``."""
        return special.ndtr(standard(x, loc, scale))

    def logcdf(self, x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The log of the distribution function at ``x`` (accurate far in the left tail)."""
        return special.log_ndtr(standard(x, loc, scale))

    def sf(self, x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The survival function ``1 - cdf`` at ``x``."""
        return special.ndtr(-standard(x, loc, scale))

    def logsf(self, x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The log of the survival function at ``x``."""
        return special.log_ndtr(-standard(x, loc, scale))

    def ppf(self, q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The quantile function (inverse of ``cdf``) at ``q``."""
        return loc + scale * special.ndtri(q)

    def rvs(
        self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None, random_state: Any = None
    ) -> Array:
        """A sample of ``size`` (default: the parameters' shape); see the module docstring."""

        def draw(shape: tuple[int, ...], device: Device) -> Any:
            return np.random.normal(loc, scale, size=shape, device=device)

        return self._rvs((loc, scale), size, random_state, draw)


class _T(Continuous):
    """Student's t distribution ``t(df, loc=0, scale=1)``, as ``scipy.stats.t``.

    The distribution functions use ``betainc(df/2, df/2, w)`` with ``w = (1 + z / s) / 2``,
    ``s = sqrt(z**2 + df)`` (written without cancellation in either tail): differentiable in
    ``x``, ``loc`` and ``scale``; in ``df`` they raise ``GradientError``.

    Examples
    --------
    >>> from minpy.scipy.stats import t
    >>> round(float(t.cdf(1.0, 3.0)), 6)
    0.804499
    """

    _scipy = _stats.t

    def logpdf(self, x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The log density at ``x``."""
        z = standard(x, loc, scale)
        half = 0.5 * (df + 1.0)
        norm_ = special.gammaln(half) - special.gammaln(0.5 * df) - 0.5 * np.log(df * math.pi)
        return norm_ - np.log(scale) - half * np.log1p(z * z / df)

    def _lower(self, z: Any, df: Any) -> Any:
        # w = (1 + z/s) / 2, written without cancellation on either side of 0; each branch is
        # finite everywhere and exact in z where it is taken (|z| = -z for z < 0)
        s = np.sqrt(z * z + df)
        w = np.where(z >= 0, 0.5 + 0.5 * z / s, df / (2.0 * s * (s + np.abs(z))))
        return special.betainc(0.5 * df, 0.5 * df, w)

    def cdf(self, x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The distribution function at ``x``."""
        return self._lower(standard(x, loc, scale), df)

    def sf(self, x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The survival function ``1 - cdf`` at ``x`` (the cdf of ``-x``, by symmetry)."""
        return self._lower(-standard(x, loc, scale), df)

    def rvs(
        self,
        df: Any,
        loc: Any = 0.0,
        scale: Any = 1.0,
        size: Any = None,
        random_state: Any = None,
    ) -> Array:
        """A sample of ``size`` (default: the parameters' shape); see the module docstring."""

        def draw(shape: tuple[int, ...], device: Device) -> Any:
            z = np.random.normal(size=shape, device=device)
            return loc + scale * z / np.sqrt(np.random.chisquare(df, shape, device=device) / df)

        return self._rvs((df, loc, scale), size, random_state, draw)


class _Beta(Continuous):
    """The beta distribution ``beta(a, b, loc=0, scale=1)``, as ``scipy.stats.beta``.

    Outside the support ``[loc, loc + scale]`` the log density is ``-inf`` and the
    distribution functions are 0 or 1, as SciPy's. ``cdf``/``sf`` are differentiable in ``x``,
    ``loc`` and ``scale``; in ``a`` and ``b`` they raise ``GradientError``.

    Examples
    --------
    >>> from minpy.scipy.stats import beta
    >>> round(float(beta.pdf(0.5, 2.0, 3.0)), 6)
    1.5
    """

    _scipy = _stats.beta

    def logpdf(self, x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The log density at ``x``."""
        y = standard(x, loc, scale)
        inside = (y >= 0) & (y <= 1)
        y = np.where(inside, y, 0.5)  # no nan outside: its gradient would poison the where
        lp = special.xlogy(a - 1.0, y) + special.xlog1py(b - 1.0, -y) - special.betaln(a, b)
        return np.where(inside, lp - np.log(scale), -np.inf)

    def cdf(self, x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The distribution function at ``x``."""
        return special.betainc(a, b, np.clip(standard(x, loc, scale), 0.0, 1.0))

    def sf(self, x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The survival function ``1 - cdf`` at ``x``."""
        return special.betaincc(a, b, np.clip(standard(x, loc, scale), 0.0, 1.0))

    def rvs(
        self,
        a: Any,
        b: Any,
        loc: Any = 0.0,
        scale: Any = 1.0,
        size: Any = None,
        random_state: Any = None,
    ) -> Array:
        """A sample of ``size`` (default: the parameters' shape); see the module docstring."""

        def draw(shape: tuple[int, ...], device: Device) -> Any:
            return loc + scale * np.random.beta(a, b, shape, device=device)

        return self._rvs((a, b, loc, scale), size, random_state, draw)


class _Gamma(Continuous):
    """The gamma distribution ``gamma(a, loc=0, scale=1)``, as ``scipy.stats.gamma``.

    ``cdf``/``sf`` are differentiable in ``x``, ``loc`` and ``scale``; in ``a`` they raise
    ``GradientError``.

    Examples
    --------
    >>> from minpy.scipy.stats import gamma
    >>> round(float(gamma.logpdf(2.0, 3.0, scale=0.5)), 6)
    -1.227411
    """

    _scipy = _stats.gamma

    def logpdf(self, x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The log density at ``x``."""
        y = standard(x, loc, scale)
        inside = y >= 0
        y = np.where(inside, y, 1.0)
        lp = special.xlogy(a - 1.0, y) - y - special.gammaln(a) - np.log(scale)
        return np.where(inside, lp, -np.inf)

    def cdf(self, x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The distribution function at ``x``."""
        return special.gammainc(a, np.clip(standard(x, loc, scale), 0.0, np.inf))

    def sf(self, x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The survival function ``1 - cdf`` at ``x``."""
        return special.gammaincc(a, np.clip(standard(x, loc, scale), 0.0, np.inf))

    def rvs(
        self,
        a: Any,
        loc: Any = 0.0,
        scale: Any = 1.0,
        size: Any = None,
        random_state: Any = None,
    ) -> Array:
        """A sample of ``size`` (default: the parameters' shape); see the module docstring."""

        def draw(shape: tuple[int, ...], device: Device) -> Any:
            return loc + np.random.gamma(a, scale, shape, device=device)

        return self._rvs((a, loc, scale), size, random_state, draw)


class _Chi2(Continuous):
    """The chi-squared distribution ``chi2(df, loc=0, scale=1)``: ``gamma(df/2, loc, 2 scale)``.

    Examples
    --------
    >>> from minpy.scipy.stats import chi2
    >>> round(float(chi2.cdf(2.0, 2.0)), 6)  # 1 - exp(-1)
    0.632121
    """

    _scipy = _stats.chi2

    def logpdf(self, x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The log density at ``x``."""
        return gamma.logpdf(x, 0.5 * df, loc, 2.0 * scale)

    def cdf(self, x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The distribution function at ``x``."""
        return gamma.cdf(x, 0.5 * df, loc, 2.0 * scale)

    def sf(self, x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The survival function ``1 - cdf`` at ``x``."""
        return gamma.sf(x, 0.5 * df, loc, 2.0 * scale)

    def rvs(
        self,
        df: Any,
        loc: Any = 0.0,
        scale: Any = 1.0,
        size: Any = None,
        random_state: Any = None,
    ) -> Array:
        """A sample of ``size`` (default: the parameters' shape); see the module docstring."""

        def draw(shape: tuple[int, ...], device: Device) -> Any:
            return loc + scale * np.random.chisquare(df, shape, device=device)

        return self._rvs((df, loc, scale), size, random_state, draw)


# --------------------------------------------------------------------------------------------
# the Poisson distribution: differentiable in mu; k is discrete, its gradient is 0


class _Poisson(Univariate):
    """The Poisson distribution ``poisson(mu, loc=0)``, as ``scipy.stats.poisson``.

    ``pmf``/``logpmf``/``cdf``/``sf`` are differentiable in ``mu`` (``cdf`` and ``sf`` through
    the incomplete gamma functions' exact derivative in ``x``); ``k`` takes integer values, so
    its gradient is 0, as that of ``floor``.

    Examples
    --------
    >>> from minpy.core import grad
    >>> from minpy.scipy.stats import poisson
    >>> round(float(poisson.pmf(2, 1.5)), 6)
    0.251021
    >>> round(float(grad(lambda mu: poisson.logpmf(2, mu))(1.5)), 6)  # k/mu - 1
    0.333333
    """

    _scipy = _stats.poisson

    def logpmf(self, k: Any, mu: Any, loc: Any = 0.0) -> Any:
        """The log probability of ``k``."""
        k = constant(k) - loc
        valid = (k >= 0) & (k == np.floor(k))
        k = np.where(valid, k, 0.0)
        lp = special.xlogy(k, mu) - special.gammaln(k + 1.0) - mu
        return np.where(valid, lp, -np.inf)

    def pmf(self, k: Any, mu: Any, loc: Any = 0.0) -> Any:
        """The probability of ``k``."""
        return np.exp(self.logpmf(k, mu, loc))

    def cdf(self, k: Any, mu: Any, loc: Any = 0.0) -> Any:
        """``P(K <= k)``: the regularized upper gamma ``Q(floor(k) + 1, mu)``."""
        k = np.floor(constant(k) - loc)
        inside = k >= 0
        return np.where(inside, special.gammaincc(np.where(inside, k, 0.0) + 1.0, mu), 0.0)

    def sf(self, k: Any, mu: Any, loc: Any = 0.0) -> Any:
        """``P(K > k)``: the regularized lower gamma ``P(floor(k) + 1, mu)``."""
        k = np.floor(constant(k) - loc)
        inside = k >= 0
        return np.where(inside, special.gammainc(np.where(inside, k, 0.0) + 1.0, mu), 1.0)

    def rvs(self, mu: Any, loc: Any = 0, size: Any = None, random_state: Any = None) -> Array:
        """A sample of ``size`` (default: the parameters' shape); see the module docstring."""

        def draw(shape: tuple[int, ...], device: Device) -> Any:
            return loc + np.random.poisson(mu, shape, device=device)

        return self._rvs((mu, loc), size, random_state, draw)


norm = _Norm()
t = _T()
beta = _Beta()
gamma = _Gamma()
chi2 = _Chi2()
poisson = _Poisson()
