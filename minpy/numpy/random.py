"""``minpy.numpy.random``: random arrays created on the current (or given) device.

Each device has its own generator (NumPy's or CuPy's ``RandomState``); ``seed`` reseeds the
generator of the current device. Results are never traced.
"""

from __future__ import annotations

from typing import Any

from minpy.array import Array, wrap
from minpy.context import Device, current_context

__all__ = [
    "choice",
    "normal",
    "permutation",
    "rand",
    "randint",
    "randn",
    "random",
    "random_sample",
    "seed",
    "shuffle",
    "uniform",
]


def _device(device: Device | None) -> Device:
    return current_context() if device is None else device


def _raw(x: Any, device: Device) -> Any:
    if isinstance(x, Array):
        if x.device is not device:
            x = x.to_device(device)
        return x._data
    return x


def _draw(method: str, device: Device | None, *args: Any, **kwargs: Any) -> Array:
    dev = _device(device)
    args = tuple(_raw(a, dev) for a in args)
    kwargs = {k: _raw(v, dev) for k, v in kwargs.items()}
    out = getattr(dev.backend.random(dev), method)(*args, **kwargs)
    return wrap(dev.backend.asarray(out, dev), dev)


def seed(seed: int | None = None, device: Device | None = None) -> None:
    """Reseed the random generator of ``device`` (default: the current context).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.random.seed(0); a = np.random.rand(2)
    >>> np.random.seed(0); b = np.random.rand(2)
    >>> bool((a == b).all())
    True
    """
    dev = _device(device)
    dev.backend.seed(dev, seed)


def rand(*shape: int, device: Device | None = None) -> Array:
    """Uniform samples in [0, 1) of the given shape. See ``numpy.random.rand``."""
    return _draw("rand", device, *shape)


def randn(*shape: int, device: Device | None = None) -> Array:
    """Standard normal samples of the given shape. See ``numpy.random.randn``."""
    return _draw("randn", device, *shape)


def randint(
    low: int,
    high: int | None = None,
    size: Any = None,
    dtype: Any = int,
    device: Device | None = None,
) -> Array:
    """Random integers in [low, high). See ``numpy.random.randint``."""
    return _draw("randint", device, low, high, size, dtype)


def random_sample(size: Any = None, device: Device | None = None) -> Array:
    """Uniform samples in [0, 1). See ``numpy.random.random_sample``."""
    return _draw("random_sample", device, size)


random = random_sample


def uniform(
    low: Any = 0.0, high: Any = 1.0, size: Any = None, device: Device | None = None
) -> Array:
    """Uniform samples in [low, high). See ``numpy.random.uniform``."""
    return _draw("uniform", device, low, high, size)


def normal(
    loc: Any = 0.0, scale: Any = 1.0, size: Any = None, device: Device | None = None
) -> Array:
    """Normal samples. See ``numpy.random.normal``."""
    return _draw("normal", device, loc, scale, size)


def choice(
    a: Any, size: Any = None, replace: bool = True, p: Any = None, device: Device | None = None
) -> Array:
    """Random samples from ``a`` (an int n means ``arange(n)``). See ``numpy.random.choice``."""
    if device is None and isinstance(a, Array):
        device = a.device
    return _draw("choice", device, a, size, replace, p)


def permutation(x: Any, device: Device | None = None) -> Array:
    """A permuted copy of ``x`` (an int n means ``arange(n)``). See ``numpy.random.permutation``."""
    if isinstance(x, Array):
        idx = _draw("permutation", x.device, x.shape[0])
        return x[idx]
    return _draw("permutation", device, x)


def shuffle(x: Array) -> None:
    """Shuffle ``x`` in place along its first axis. See ``numpy.random.shuffle``."""
    if not isinstance(x, Array):
        raise TypeError(f"shuffle expects a minpy Array, got {type(x).__name__}; use np.array(x)")
    x[...] = permutation(x)
