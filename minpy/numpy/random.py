"""``minpy.numpy.random``: random arrays created on the current (or given) device.

Each device has its own generator (NumPy's or CuPy's ``RandomState``); ``seed`` reseeds the
generator of the current device. Results are never traced. ``RandomState`` is a generator of its
own on one device, with the same methods. On a GPU, what CuPy's generator lacks
(``multinomial``) is drawn on the host and copied over, and ``get_state``/``set_state`` raise
``NotImplementedError`` (CuPy's generator cannot export its state).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from minpy import policy as _policy
from minpy import watch
from minpy.array import Array, wrap
from minpy.context import Device, current_context

__all__ = [
    "RandomState",
    "beta",
    "binomial",
    "chisquare",
    "choice",
    "exponential",
    "gamma",
    "geometric",
    "get_state",
    "laplace",
    "lognormal",
    "multinomial",
    "normal",
    "permutation",
    "poisson",
    "rand",
    "randint",
    "randn",
    "random",
    "random_sample",
    "seed",
    "set_state",
    "shuffle",
    "standard_exponential",
    "standard_normal",
    "uniform",
]


def _device(device: Device | None) -> Device:
    return current_context() if device is None else device


def _raw(x: Any, device: Device) -> Any:
    if isinstance(x, Array):
        if x.device is not device:
            x = x.to_device(device)
        watch.saw(x)
        return x._data
    return x


def _draw(method: str, device: Device | None, *args: Any, **kwargs: Any) -> Array:
    return _draw_from(None, _device(device), method, *args, **kwargs)


def _draw_from(gen: Any, dev: Device, method: str, *args: Any, **kwargs: Any) -> Array:
    """``gen.method(*args)`` (``gen`` None: the device's generator) on raw arrays of ``dev``,
    wrapped as an Array there."""
    args = tuple(_raw(a, dev) for a in args)
    kwargs = {k: _raw(v, dev) for k, v in kwargs.items()}
    return wrap(watch.run(_draw_raw, gen, dev, method, args, kwargs), dev)


def _draw_raw(
    gen: Any, dev: Device, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """One draw as a backend array of ``dev`` (the generator looked up at each call, so that a
    replay of ``minpy.jit`` draws afresh from the current one)."""
    if gen is None:
        gen = dev.backend.random(dev)
    return dev.backend.asarray(getattr(gen, method)(*args, **kwargs), dev)


_draw_raw.random = True  # type: ignore[attr-defined]  # minpy.jit: not a pure function


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
    low: Any = 0.0,
    high: Any = 1.0,
    size: Any = None,
    device: Device | None = None,
    *,
    shape: Any = None,
) -> Array:
    """Uniform samples in [low, high). See ``numpy.random.uniform``; ``shape=`` is MinPy's
    (MXNet's) name for ``size``."""
    return _draw("uniform", device, low, high, _size("uniform", size, shape))


def normal(
    loc: Any = 0.0,
    scale: Any = 1.0,
    size: Any = None,
    device: Device | None = None,
    *,
    shape: Any = None,
) -> Array:
    """Normal samples. See ``numpy.random.normal``; ``shape=`` is MinPy's name for ``size``."""
    return _draw("normal", device, loc, scale, _size("normal", size, shape))


def _size(name: str, size: Any, shape: Any) -> Any:
    """``size``, or MXNet's ``shape`` keyword standing for it (not both)."""
    if shape is not None and size is not None:
        raise TypeError(f"{name}: got size={size!r} and shape={shape!r}; pass only one of them")
    return size if shape is None else shape


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


def binomial(n: Any, p: Any, size: Any = None, device: Device | None = None) -> Array:
    """Binomial samples. See ``numpy.random.binomial``."""
    return _draw("binomial", device, n, p, size)


def poisson(lam: Any = 1.0, size: Any = None, device: Device | None = None) -> Array:
    """Poisson samples. See ``numpy.random.poisson``."""
    return _draw("poisson", device, lam, size)


def exponential(scale: Any = 1.0, size: Any = None, device: Device | None = None) -> Array:
    """Exponential samples. See ``numpy.random.exponential``."""
    return _draw("exponential", device, scale, size)


def gamma(shape: Any, scale: Any = 1.0, size: Any = None, device: Device | None = None) -> Array:
    """Gamma samples. See ``numpy.random.gamma``."""
    return _draw("gamma", device, shape, scale, size)


def beta(a: Any, b: Any, size: Any = None, device: Device | None = None) -> Array:
    """Beta samples. See ``numpy.random.beta``."""
    return _draw("beta", device, a, b, size)


def chisquare(df: Any, size: Any = None, device: Device | None = None) -> Array:
    """Chi-square samples. See ``numpy.random.chisquare``."""
    return _draw("chisquare", device, df, size)


def geometric(p: Any, size: Any = None, device: Device | None = None) -> Array:
    """Geometric samples. See ``numpy.random.geometric``."""
    return _draw("geometric", device, p, size)


def laplace(
    loc: Any = 0.0, scale: Any = 1.0, size: Any = None, device: Device | None = None
) -> Array:
    """Laplace samples. See ``numpy.random.laplace``."""
    return _draw("laplace", device, loc, scale, size)


def lognormal(
    mean: Any = 0.0, sigma: Any = 1.0, size: Any = None, device: Device | None = None
) -> Array:
    """Log-normal samples. See ``numpy.random.lognormal``."""
    return _draw("lognormal", device, mean, sigma, size)


def multinomial(n: int, pvals: Any, size: Any = None, device: Device | None = None) -> Array:
    """Multinomial samples (on a GPU drawn on the host). See ``numpy.random.multinomial``."""
    return _draw("multinomial", device, n, pvals, size)


def standard_normal(size: Any = None, device: Device | None = None) -> Array:
    """Standard normal samples. See ``numpy.random.standard_normal``."""
    return _draw("standard_normal", device, size)


def standard_exponential(size: Any = None, device: Device | None = None) -> Array:
    """Standard exponential samples. See ``numpy.random.standard_exponential``."""
    return _draw("standard_exponential", device, size)


def get_state(device: Device | None = None) -> Any:
    """The state of ``device``'s generator (NumPy's tuple); CuPy's cannot be exported.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> state = np.random.get_state()
    >>> a = np.random.rand(2)
    >>> np.random.set_state(state)
    >>> bool((np.random.rand(2) == a).all())
    True

    Raises
    ------
    NotImplementedError
        On a GPU: CuPy's generator has no state to export; reseed instead.
    """
    dev = _device(device)
    return dev.backend.random(dev).get_state()


def set_state(state: Any, device: Device | None = None) -> None:
    """Restore ``device``'s generator to a ``get_state`` result (not on a GPU)."""
    dev = _device(device)
    dev.backend.random(dev).set_state(state)


class RandomState:
    """A random generator of its own on one device, with this module's functions as methods.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> a = np.random.RandomState(3).randn(2)
    >>> b = np.random.RandomState(3).randn(2)
    >>> bool((a == b).all()), a.device
    (True, cpu(0))
    """

    def __init__(self, seed: int | None = None, device: Device | None = None) -> None:
        self.device = _device(device)
        shared = self.device.backend.random(self.device)
        spawn = getattr(shared, "spawn", None)  # CuPy's adaptor makes generators of its own
        self._gen = spawn(seed) if spawn is not None else numpy.random.RandomState(seed)

    def seed(self, seed: int | None = None) -> None:
        """Reseed this generator."""
        self._gen.seed(seed)

    def get_state(self) -> Any:
        """This generator's state (not on a GPU)."""
        return self._gen.get_state()

    def set_state(self, state: Any) -> None:
        """Restore this generator's state (not on a GPU)."""
        self._gen.set_state(state)

    def __getattr__(self, name: str) -> Callable[..., Array]:
        if name not in _METHODS:
            raise AttributeError(f"RandomState has no method {name!r}")
        gen, dev = self._gen, self.device

        drawn = "random_sample" if name == "random" else name

        def method(*args: Any, **kwargs: Any) -> Array:
            return _draw_from(gen, dev, drawn, *args, **kwargs)

        method.__name__ = name
        return method

    def __repr__(self) -> str:
        return f"RandomState(device={self.device!r})"


# shuffle is left out: it would write into a raw buffer past minpy's copy-on-write
_METHODS = frozenset(__all__) - {"RandomState", "seed", "get_state", "set_state", "shuffle"}


def __getattr__(name: str) -> Any:
    if name == "policy":  # MinPy's module attribute: the policy in force here
        return _policy.get_global_policy()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
