"""CuPy's random numbers behind NumPy's ``RandomState`` interface, one generator per device.

The CuPy module is handed in by the CuPy backend (``minpy.backends.cupy``), which alone imports
it; nothing here imports an array library.
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
        with scope:
            self._state = cupy.random.RandomState(seed)

    def seed(self, seed: int | None = None) -> None:
        with self._scope:
            self._state.seed(seed)

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
