"""CuPy's random numbers behind NumPy's ``RandomState`` interface, one generator per device.

The CuPy module is handed in by the CuPy backend (``minpy.backends.cupy``), which alone imports
it. What CuPy's ``RandomState`` lacks (``multinomial``) is drawn on a NumPy generator on the host,
seeded with this one, and copied to the device; ``get_state``/``set_state`` raise, since CuPy's
generator cannot export its state. NumPy is imported only for that host generator.
"""

from __future__ import annotations

import operator
from typing import Any

__all__ = ["CupyRandomState"]


class CupyRandomState:
    """A CuPy ``RandomState`` for one device, with NumPy's method names and argument forms.

    Every draw runs with the generator's device current. Where CuPy's ``RandomState`` differs
    from NumPy's (``choice`` without ``size``, NumPy integers and host arrays as ``a``) the
    arguments are adapted here.
    """

    def __init__(self, cupy: Any, scope: Any, seed: int | None = None) -> None:
        self._cupy = cupy
        self._scope = scope
        self._host: Any = None  # a NumPy RandomState for what CuPy lacks, made on first use
        self._seed = seed
        with scope:
            self._state = cupy.random.RandomState(seed)

    def spawn(self, seed: int | None = None) -> CupyRandomState:
        """A new, independent generator on the same device."""
        return CupyRandomState(self._cupy, self._scope, seed)

    def seed(self, seed: int | None = None) -> None:
        with self._scope:
            self._state.seed(seed)
        self._seed = seed
        self._host = None

    def _host_state(self) -> Any:
        if self._host is None:
            import numpy  # the host generator only: CuPy's RandomState lacks these draws

            self._host = numpy.random.RandomState(self._seed)
        return self._host

    def _draw(self, name: str, *args: Any) -> Any:
        with self._scope:
            return getattr(self._state, name)(*args)

    def get_state(self) -> Any:
        raise NotImplementedError(
            "get_state: CuPy's random generator cannot export its state; reseed with "
            "np.random.seed(s) to repeat a sequence of draws"
        )

    def set_state(self, state: Any) -> None:
        raise NotImplementedError(
            "set_state: CuPy's random generator cannot import a state; reseed with "
            "np.random.seed(s) to repeat a sequence of draws"
        )

    def multinomial(self, n: int, pvals: Any, size: Any = None) -> Any:
        # CuPy's RandomState has none: drawn on the host generator, then copied to the device
        if isinstance(pvals, self._cupy.ndarray):
            pvals = self._cupy.asnumpy(pvals)
        out = self._host_state().multinomial(n, pvals, size)
        with self._scope:
            return self._cupy.asarray(out)

    def binomial(self, n: Any, p: Any, size: Any = None) -> Any:
        return self._draw("binomial", n, p, size)

    def poisson(self, lam: Any = 1.0, size: Any = None) -> Any:
        return self._draw("poisson", lam, size)

    def exponential(self, scale: Any = 1.0, size: Any = None) -> Any:
        return self._draw("exponential", scale, size)

    def gamma(self, shape: Any, scale: Any = 1.0, size: Any = None) -> Any:
        return self._draw("gamma", shape, scale, size)

    def beta(self, a: Any, b: Any, size: Any = None) -> Any:
        return self._draw("beta", a, b, size)

    def chisquare(self, df: Any, size: Any = None) -> Any:
        return self._draw("chisquare", df, size)

    def geometric(self, p: Any, size: Any = None) -> Any:
        return self._draw("geometric", p, size)

    def laplace(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Any:
        return self._draw("laplace", loc, scale, size)

    def lognormal(self, mean: Any = 0.0, sigma: Any = 1.0, size: Any = None) -> Any:
        return self._draw("lognormal", mean, sigma, size)

    def standard_normal(self, size: Any = None) -> Any:
        return self._draw("standard_normal", size)

    def standard_exponential(self, size: Any = None) -> Any:
        return self._draw("standard_exponential", size)

    def _as_int_or_array(self, a: Any) -> Any:
        if isinstance(a, self._cupy.ndarray):
            return a
        try:
            return operator.index(a)
        except TypeError:
            return self._cupy.asarray(a)

    def rand(self, *size: int) -> Any:
        with self._scope:
            return self._state.rand(*size)

    def randn(self, *size: int) -> Any:
        with self._scope:
            return self._state.randn(*size)

    def random_sample(self, size: Any = None) -> Any:
        with self._scope:
            return self._state.random_sample(size)

    def randint(self, low: Any, high: Any = None, size: Any = None, dtype: Any = int) -> Any:
        with self._scope:
            return self._state.randint(low, high, size, dtype)

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
        with self._scope:
            return self._state.uniform(low, high, size)

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Any:
        with self._scope:
            return self._state.normal(loc, scale, size)

    def choice(self, a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Any:
        with self._scope:
            a = self._as_int_or_array(a)
            if p is not None and not isinstance(p, self._cupy.ndarray):
                p = self._cupy.asarray(p)
            if size is None:  # CuPy needs a size; NumPy's default is one sample, unboxed
                return self._state.choice(a, 1, replace, p)[0]
            return self._state.choice(a, size, replace, p)

    def permutation(self, x: Any) -> Any:
        with self._scope:
            return self._state.permutation(self._as_int_or_array(x))
