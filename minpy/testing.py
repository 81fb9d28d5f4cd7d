"""Helpers that tests and users share: gradient checks and a fake second device.

``check_grads`` compares minpy's gradients with central finite differences in float64 along
random directions, to first and second order. ``fake_device`` registers a device built on
NumPy that behaves like a separate accelerator (results stay on it, mixing raises, host values
are adopted and counted, chosen primitives are missing so the CPU fallback runs), so device
rules are testable on machines without a GPU.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.backends import DeviceLike, get_backend, register_backend
from minpy.backends.numpy import NumpyBackend
from minpy.context import Device, forget_backend
from minpy.policy import forget_routes

__all__ = ["FakeBackend", "check_grads", "fake_device", "to_host"]


class FakeBackend(NumpyBackend):
    """A NumPy-backed stand-in for an accelerator (test use only)."""

    name = "fake"
    on_host = False

    def __init__(self, kind: str = "fake", missing: Iterable[str] = (), count: int = 2) -> None:
        super().__init__()
        self.kind = kind
        self.name = kind
        self._missing = set(missing)
        self._count = count

    def device_count(self) -> int:
        return self._count

    def asarray(self, value: Any, device: DeviceLike, dtype: Any = None, copy: bool = False) -> Any:
        # always a fresh buffer: data really moves between "devices"
        return numpy.array(value, dtype=dtype, copy=True)

    def to_host(self, data: Any) -> Any:
        return data.copy()


def fake_device(index: int = 0, kind: str = "fake", missing: Iterable[str] = ()) -> Device:
    """Device ``index`` of a fake accelerator ``kind`` lacking the primitives ``missing``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.testing import fake_device
    >>> dev = fake_device()
    >>> np.ones(2, device=dev)
    array([1., 1.], device=fake(0))
    """
    try:
        backend = get_backend(kind)
    except ValueError:
        backend = None
    missing = frozenset(missing)
    if not isinstance(backend, FakeBackend) or backend._missing != missing:
        register_backend(kind, lambda: FakeBackend(kind, missing))
        forget_backend(kind)
        forget_routes(kind)
    get_backend(kind).check_device(index)
    return Device(kind, index)


def to_host(x: Any) -> Any:
    """``x`` (Array, number, nested list/dict) as NumPy float64 values for comparison."""
    if isinstance(x, Array):
        return numpy.asarray(x.asnumpy(), dtype=numpy.float64)
    if isinstance(x, dict):
        return {k: to_host(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_host(v) for v in x]
    return numpy.float64(x)


def _flat(x: Any) -> numpy.ndarray:
    h = to_host(x)
    if isinstance(h, dict):
        return numpy.concatenate([_flat(v) for v in h.values()]) if h else numpy.zeros(0)
    if isinstance(h, list):
        return numpy.concatenate([numpy.ravel(v) for v in h]) if h else numpy.zeros(0)
    return numpy.ravel(h)


def _scalarize(fun: Callable[..., Any], rng: numpy.random.RandomState) -> Callable[..., Any]:
    """``x -> sum(fun(x) * v)`` for a fixed random ``v`` (so every output entry matters)."""
    weights: dict[tuple[int, ...], Array] = {}

    def scalar(*args: Any) -> Any:
        out = fun(*args)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        total: Any = 0.0
        for i, o in enumerate(outs):
            o = np.asarray(o)
            key = (i, *o.shape)
            if key not in weights:
                weights[key] = np.array(rng.randn(*o.shape), device=o.device)
            total = total + np.sum(o * weights[key])
        return total

    return scalar


def _perturb(args: tuple[Any, ...], i: int, direction: Any, eps: float) -> tuple[Any, ...]:
    x = args[i]
    new = list(args)
    new[i] = x + eps * direction if isinstance(x, Array) else float(x) + eps * float(direction)
    return tuple(new)


def _direction(x: Any, rng: numpy.random.RandomState) -> Any:
    if isinstance(x, Array):
        return np.array(rng.randn(*x.shape), dtype=x.dtype, device=x.device)
    return float(rng.randn())


def _dot(g: Any, d: Any) -> float:
    return float(numpy.sum(to_host(g) * to_host(d)))


def check_grads(
    fun: Callable[..., Any],
    *args: Any,
    argnums: Iterable[int] | None = None,
    order: int = 2,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
) -> None:
    """Assert that minpy's gradients of ``fun`` match central finite differences.

    For each argument in ``argnums`` (default: every float Array or Python float), the
    directional derivative along a random direction from ``grad`` is compared with
    ``(f(x + eps u) - f(x - eps u)) / (2 eps)``; with ``order=2`` the same is done for the
    gradient's own directional derivative (so the rules' rules are checked). Use float64.

    Raises
    ------
    AssertionError
        Naming the argument, the order and both numbers.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.testing import check_grads
    >>> check_grads(np.tanh, np.array([0.1, -0.4, 2.0]))
    """
    from minpy.core import grad

    rng = numpy.random.RandomState(seed)
    f = _scalarize(fun, rng)
    if argnums is None:
        argnums = [
            i
            for i, a in enumerate(args)
            if (isinstance(a, Array) and a.dtype.kind == "f")
            or (isinstance(a, float) and not isinstance(a, bool))
        ]
    for i in argnums:
        levels: list[Callable[..., Any]] = [f]
        for _ in range(order - 1):
            prev = levels[-1]
            w = _direction(args[i], rng)

            def nxt(*a: Any, prev: Callable[..., Any] = prev, w: Any = w, i: int = i) -> Any:
                g = grad(prev, i)(*a)
                return np.sum(g * w)

            levels.append(nxt)
        for k, h in enumerate(levels, start=1):
            u = _direction(args[i], rng)
            analytic = _dot(grad(h, i)(*args), u)
            hi = float(to_host(h(*_perturb(args, i, u, eps))))
            lo = float(to_host(h(*_perturb(args, i, u, -eps))))
            numeric = (hi - lo) / (2 * eps)
            if not numpy.isclose(analytic, numeric, rtol=rtol, atol=atol):
                raise AssertionError(
                    f"order-{k} gradient of {getattr(fun, '__name__', fun)!r} w.r.t. argument "
                    f"{i}: autograd gives {analytic!r}, finite differences {numeric!r}"
                )
