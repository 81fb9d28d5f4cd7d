"""``minpy.scipy.stats``: SciPy's distributions whose densities and distribution functions are
differentiable in the argument and in the parameters.

Each module-level object (``norm``, ``t``, ``beta``, ``gamma``, ``chi2``, ``poisson``,
``dirichlet``, ``multivariate_normal``) has SciPy's methods and signatures, written in minpy
operations and ``minpy.scipy.special``'s primitives, so values follow the device of the inputs
and gradients (of any order) come from those operations' rules. Where a distribution function
needs an incomplete gamma or beta function in a shape parameter (``t.cdf`` in ``df``,
``beta.cdf`` in ``a``/``b``, ``gamma.cdf`` in ``a``, ``chi2.cdf`` in ``df``) the backward pass
raises ``GradientError`` naming that argument: no exact derivative is available.

``rvs`` draws on the device of the Array parameters (else the current context) from that
device's generator (``minpy.numpy.random``); with ``random_state`` (a seed, NumPy
``RandomState`` or ``Generator``) SciPy draws on the host, exactly as SciPy would, and the
sample is moved to that device. Draws are never traced. Nothing here imports CuPy.
"""

from minpy.scipy.stats.multivariate import dirichlet, multivariate_normal
from minpy.scipy.stats.univariate import beta, chi2, gamma, norm, poisson, t

__all__ = ["beta", "chi2", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
