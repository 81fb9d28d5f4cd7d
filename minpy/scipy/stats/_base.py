"""What the distributions of ``minpy.scipy.stats`` share: sampling (on a device, or SciPy's own
with a ``random_state``), the logs of the distribution functions, and small argument helpers.
Nothing here is public; no distribution lives here."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as _numpy

import minpy.numpy as np
from minpy.array import Array, wrap
from minpy.context import Device, current_context

LOG_2PI = math.log(2.0 * math.pi)


def constant(x: Any) -> Any:
    """``x`` cut from the tape (the argument of a discrete distribution has no derivative)."""
    return wrap(x._data, x.device) if isinstance(x, Array) else x


def device_of(params: tuple[Any, ...]) -> Device:
    """The device of the first Array among ``params``, else the current context."""
    for p in params:
        if isinstance(p, Array):
            return p.device
    return current_context()


def host(x: Any) -> Any:
    """``x`` as a host value (an Array's NumPy copy)."""
    return x.asnumpy() if isinstance(x, Array) else x


def sample_shape(size: Any, *params: Any) -> tuple[int, ...]:
    """The shape of a sample: ``size``, else that of the parameters broadcast together."""
    if size is not None:
        return (int(size),) if isinstance(size, (int, _numpy.integer)) else tuple(size)
    return tuple(
        _numpy.broadcast_shapes(*(getattr(p, "shape", None) or _numpy.shape(p) for p in params))
    )


def scipy_rvs(dist: Any, params: tuple[Any, ...], size: Any, random_state: Any) -> Array:
    """SciPy's own sample from ``random_state`` on the host, moved to the parameters' device."""
    out = dist.rvs(*(host(p) for p in params), size=size, random_state=random_state)
    return np.array(out, device=device_of(params))


class Univariate:
    """What every distribution of one variable shares: the logs of the distribution functions
    and sampling (on a device, or SciPy's own with a ``random_state``)."""

    _scipy: Any

    def cdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def sf(self, x: Any, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def logcdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """The log of the distribution function at ``x``."""
        return np.log(self.cdf(x, *args, **kwargs))

    def logsf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """The log of the survival function at ``x``."""
        return np.log(self.sf(x, *args, **kwargs))

    def _rvs(
        self,
        params: tuple[Any, ...],
        size: Any,
        random_state: Any,
        draw: Callable[[tuple[int, ...], Device], Array],
    ) -> Array:
        """SciPy's sample with a ``random_state``, else ``draw(shape, device)`` on a device."""
        if random_state is not None:
            return scipy_rvs(self._scipy, params, size, random_state)
        # never traced: a sample is data (a pathwise gradient would need the draw's noise)
        return constant(draw(sample_shape(size, *params), device_of(params)))  # type: ignore[no-any-return]


class Continuous(Univariate):
    """A distribution with a density: ``pdf`` from ``logpdf``."""

    def logpdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def pdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """The probability density at ``x`` (``exp(logpdf)``)."""
        return np.exp(self.logpdf(x, *args, **kwargs))


def standard(x: Any, loc: Any, scale: Any) -> Any:
    """``x`` in standard units of a location-scale family."""
    return (x - loc) / scale
