"""``dirichlet`` and ``multivariate_normal``: log densities in minpy operations (see the
package), differentiable in the points and every parameter."""

from __future__ import annotations

from typing import Any

import numpy as _numpy
import scipy.stats as _stats

import minpy.numpy as np
from minpy.array import Array
from minpy.context import Device
from minpy.scipy import special
from minpy.scipy.stats._base import LOG_2PI, constant, device_of, host, sample_shape, scipy_rvs

__all__ = ["dirichlet", "multivariate_normal"]

# --------------------------------------------------------------------------------------------
# multivariate distributions


def _check_dirichlet(x: Any, alpha: Any) -> None:
    """SciPy's checks of ``dirichlet``'s arguments, with its messages' substance."""
    a = _numpy.asarray(host(alpha))
    if a.ndim != 1 or a.size < 2 or _numpy.any(a <= 0):
        raise ValueError(
            f"dirichlet: alpha must be a 1-D array of at least 2 positive entries, got {a!r}"
        )
    h = _numpy.asarray(host(x))
    if h.shape[:1] not in ((a.size,), (a.size - 1,)):
        raise ValueError(
            f"dirichlet: x of shape {h.shape} needs {a.size} (or {a.size - 1}) entries along "
            f"its first axis, one per entry of alpha; transpose x if its components run along "
            "the last axis"
        )
    if _numpy.any(h < 0) or _numpy.any(h > 1):
        raise ValueError(f"dirichlet: x must lie in [0, 1], got {h!r}")


class _Dirichlet:
    """The Dirichlet distribution ``dirichlet(alpha)``, as ``scipy.stats.dirichlet``.

    ``x`` holds the components along its first axis (``(K,)`` or ``(K, N)``: SciPy's layout);
    with ``K - 1`` of them the last is ``1 - sum``. Differentiable in ``x`` and ``alpha``.
    Unlike SciPy, ``x`` is not checked to sum to 1: the formula extends off the simplex, so a
    gradient in ``x`` has all ``K`` components (project it onto the simplex where needed).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.scipy.stats import dirichlet
    >>> round(float(dirichlet.pdf(np.array([0.2, 0.3, 0.5]), np.array([1.0, 2.0, 3.0]))), 6)
    4.5
    """

    def logpdf(self, x: Any, alpha: Any) -> Any:
        """The log density at ``x``."""
        _check_dirichlet(x, alpha)
        device = device_of((x, alpha))
        x = np.asarray(x, device=device)
        alpha = np.asarray(alpha, device=device)
        if x.shape[0] == alpha.shape[0] - 1:
            x = np.concatenate([x, 1.0 - np.sum(x, axis=0, keepdims=True)], axis=0)
        a = np.reshape(alpha, alpha.shape + (1,) * (x.ndim - 1))
        log_b = np.sum(special.gammaln(alpha)) - special.gammaln(np.sum(alpha))
        return np.sum(special.xlogy(a - 1.0, x), axis=0) - log_b

    def pdf(self, x: Any, alpha: Any) -> Any:
        """The density at ``x``."""
        return np.exp(self.logpdf(x, alpha))

    def rvs(self, alpha: Any, size: Any = 1, random_state: Any = None) -> Array:
        """``size`` draws, shape ``size + (K,)`` as SciPy's."""
        if random_state is not None:
            return scipy_rvs(_stats.dirichlet, (alpha,), size, random_state)
        device = device_of((alpha,))
        alpha = np.asarray(alpha, device=device)
        g = np.random.gamma(alpha, 1.0, sample_shape(size) + tuple(alpha.shape), device=device)
        return constant(g / np.sum(g, axis=-1, keepdims=True))  # type: ignore[no-any-return]


class _MultivariateNormal:
    """The multivariate normal ``multivariate_normal(mean=None, cov=1)``, as SciPy's.

    ``x`` holds the points along its leading axes and the ``d`` coordinates along its last;
    ``cov`` is a ``(d, d)`` matrix, a vector of variances or one variance. The log density
    solves with ``cov`` (``linalg.solve``, ``linalg.slogdet``), so it is differentiable in
    ``x``, ``mean`` and ``cov``; a singular ``cov`` (``allow_singular=True``) is not supported.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.scipy.stats import multivariate_normal as mvn
    >>> round(float(mvn.logpdf(np.array([1.0, 0.0]), np.zeros(2), np.eye(2))), 6)
    -2.337877
    """

    def _params(self, mean: Any, cov: Any, x: Any = None) -> tuple[Any, Any]:
        """``mean`` as ``(d,)`` and ``cov`` as ``(d, d)``; ``d`` from ``mean``, else from a
        matrix ``cov``, else 1 (SciPy's rule)."""
        device = device_of((x, mean, cov))
        cov = np.asarray(cov, device=device)
        if mean is not None:
            mean = np.reshape(np.asarray(mean, device=device), (-1,))
            d = int(mean.shape[0])
        else:
            d = int(cov.shape[0]) if cov.ndim == 2 else 1  # SciPy's rule
            mean = np.zeros(d, device=device)
        if cov.ndim == 0:
            cov = cov * np.eye(d, device=device)
        elif cov.ndim == 1:
            cov = np.diag(cov)
        if tuple(cov.shape) != (d, d):
            raise ValueError(
                f"multivariate_normal: cov of shape {tuple(cov.shape)} does not match a mean of "
                f"{d} entries; give a ({d}, {d}) matrix, {d} variances or one variance"
            )
        return mean, cov

    def _points(self, x: Any, d: int, device: Device) -> Any:
        """``x`` as points along its leading axes, ``d`` coordinates along its last."""
        x = np.asarray(x, device=device)
        if d == 1 and (x.ndim == 0 or x.shape[-1] != 1):
            x = np.reshape(x, tuple(x.shape) + (1,))  # d = 1: each entry is a point, as SciPy
        if x.shape[-1] != d:
            raise ValueError(
                f"multivariate_normal: x of shape {tuple(x.shape)} must have {d} coordinates "
                "along its last axis, one per entry of mean"
            )
        return x

    def logpdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """The log density at the points ``x`` (a scalar for one point, as SciPy's)."""
        if allow_singular:
            raise NotImplementedError(
                "multivariate_normal: allow_singular=True is not supported (the density is "
                "computed by solving with cov); give a positive definite cov"
            )
        mean, cov = self._params(mean, cov, x)
        d = int(mean.shape[0])
        x = self._points(x, d, mean.device)
        diff = np.reshape(x - mean, (-1, d))
        maha = np.sum(diff.T * np.linalg.solve(cov, diff.T), axis=0)
        logdet = np.linalg.slogdet(cov)[1]
        out = -0.5 * (d * LOG_2PI + logdet + maha)
        return np.reshape(out, tuple(x.shape[:-1]))

    def pdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """The density at the points ``x``."""
        return np.exp(self.logpdf(x, mean, cov, allow_singular))

    def cdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """Not available: SciPy integrates it numerically, with no exact derivative."""
        raise NotImplementedError(
            "multivariate_normal.cdf has no closed form (SciPy integrates it numerically), so "
            "minpy has no differentiable version; call scipy.stats.multivariate_normal.cdf on "
            "x.asnumpy()"
        )

    logcdf = cdf

    def rvs(self, mean: Any = None, cov: Any = 1, size: Any = 1, random_state: Any = None) -> Any:
        """``size`` draws of ``d`` coordinates, squeezed as SciPy's."""
        if random_state is not None:
            return scipy_rvs(_stats.multivariate_normal, (mean, cov), size, random_state)
        mean, cov = self._params(mean, cov)
        d = int(mean.shape[0])
        z = np.random.normal(size=sample_shape(size) + (d,), device=mean.device)
        out = mean + z @ np.linalg.cholesky(cov).T
        return constant(np.squeeze(out))


dirichlet = _Dirichlet()
multivariate_normal = _MultivariateNormal()
