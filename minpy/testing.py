"""Helpers that tests and users share: gradient checks and a fake second device.

``check_grads`` compares minpy's gradients with central finite differences in float64
(complex128 for complex inputs) along random directions, to first and second order.
``fake_device`` registers a device built on NumPy that behaves like a separate accelerator
(results stay on it, mixing raises, host values are adopted and counted, chosen primitives are
missing so the CPU fallback runs), so device rules are testable on machines without a GPU.
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
        self.graphs_captured = 0
        self.kernels_fused = 0

    def device_count(self) -> int:
        return self._count

    def asarray(self, value: Any, device: DeviceLike, dtype: Any = None, copy: bool = False) -> Any:
        # always a fresh buffer: data really moves between "devices"
        return numpy.array(value, dtype=dtype, copy=True)

    def to_host(self, data: Any) -> Any:
        return data.copy()

    def fuse(self, fn: Callable[..., Any], name: str) -> Callable[..., Any] | None:
        """A stand-in for a fused kernel: ``fn`` itself (the same NumPy calls), counted."""
        self.kernels_fused += 1
        return fn

    def capture_graph(self, device: DeviceLike, fn: Callable[[], Any]) -> tuple[Any, Any] | None:
        """A stand-in for a CUDA graph: ``launch()`` runs ``fn`` again and writes its results
        into the arrays the capture returned, as a graph's kernels write into the same memory
        (so ``minpy.jit``'s static buffers are exercised on the CPU)."""
        self.graphs_captured += 1
        values = fn()
        return _StandInGraph(fn, values), values


class _StandInGraph:
    def __init__(self, fn: Callable[[], Any], values: Any) -> None:
        self.fn = fn
        self.values = values
        self.launches = 0

    def launch(self) -> None:
        self.launches += 1
        _write_into(self.values, self.fn())


def _write_into(static: Any, fresh: Any) -> None:
    if isinstance(static, (tuple, list)):
        for s, f in zip(static, fresh):
            _write_into(s, f)
    elif isinstance(static, numpy.ndarray) and static.flags.writeable:
        static[...] = fresh  # a read-only view sees its base's new values


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
    """``x`` (Array, number, nested list/dict) as NumPy float64 values for comparison
    (complex128 where it is complex)."""
    if isinstance(x, Array):
        data = x.asnumpy()
        return numpy.asarray(data, dtype=_host_dtype(data))
    if isinstance(x, dict):
        return {k: to_host(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_host(v) for v in x]
    if isinstance(x, (complex, numpy.complexfloating)):
        return numpy.complex128(x)
    return numpy.float64(x)


def _host_dtype(data: Any) -> Any:
    return numpy.complex128 if numpy.iscomplexobj(data) else numpy.float64


def _flat(x: Any) -> numpy.ndarray:
    h = to_host(x)
    if isinstance(h, dict):
        return numpy.concatenate([_flat(v) for v in h.values()]) if h else numpy.zeros(0)
    if isinstance(h, list):
        return numpy.concatenate([numpy.ravel(v) for v in h]) if h else numpy.zeros(0)
    return numpy.ravel(h)


def _random(rng: numpy.random.RandomState, shape: tuple[int, ...], complex_: bool) -> Any:
    """Standard normal values, complex (both parts normal) where ``complex_``."""
    if complex_:
        return rng.randn(*shape) + 1j * rng.randn(*shape)
    return rng.randn(*shape)


def _scalarize(fun: Callable[..., Any], rng: numpy.random.RandomState) -> Callable[..., Any]:
    """``x -> Re(sum(v * out + w * out * out / 2))`` over the outputs, for fixed random ``v``,
    ``w`` (complex where the output is): every output entry matters, and the quadratic term
    makes the gradient reaching ``fun``'s output depend on the inputs, so the second order
    runs each rule's own rules too (for a linear ``fun`` it would not)."""
    weights: dict[tuple[Any, ...], tuple[Array, Array]] = {}

    def scalar(*args: Any) -> Any:
        out = fun(*args)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        total: Any = 0.0
        for i, o in enumerate(outs):
            o = np.asarray(o)
            iscomplex = o.dtype.kind == "c"
            key = (i, iscomplex, *o.shape)
            if key not in weights:
                weights[key] = (
                    np.array(_random(rng, o.shape, iscomplex), device=o.device),
                    np.array(_random(rng, o.shape, iscomplex) * 0.5, device=o.device),
                )
            v, w = weights[key]
            term = np.sum(o * (v + w * o))
            total = total + (np.real(term) if iscomplex else term)
        return total

    return scalar


def _perturb(args: tuple[Any, ...], i: int, direction: Any, eps: float) -> tuple[Any, ...]:
    x = args[i]
    new = list(args)
    new[i] = x + eps * direction if isinstance(x, Array) else float(x) + eps * float(direction)
    return tuple(new)


def _direction(x: Any, rng: numpy.random.RandomState) -> Any:
    if isinstance(x, Array):
        values = _random(rng, x.shape, x.dtype.kind == "c")
        return np.array(values, dtype=x.dtype, device=x.device)
    return float(rng.randn())


def _dot(g: Any, d: Any) -> float:
    """``Re(sum(g * d))``: the derivative along ``d`` from the gradient ``g`` (for complex
    inputs too, under the convention ``g = dL/dx - i dL/dy``)."""
    return float(numpy.real(numpy.sum(to_host(g) * to_host(d))))


def _differentiable(a: Any) -> bool:
    if isinstance(a, Array):
        return bool(a.dtype.kind in "fc")
    return isinstance(a, float) and not isinstance(a, bool)


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

    For each argument in ``argnums`` (default: every float or complex Array, and every Python
    float), the directional derivative along a random direction ``u`` from ``grad`` is
    compared with ``(f(x + eps u) - f(x - eps u)) / (2 eps)``; with ``order=2`` the same is
    done for the gradient's own directional derivative (so the rules' rules are checked).
    Use float64 or complex128.

    The outputs are made one real number as ``Re(sum(v * out + w * out * out / 2))`` with
    fixed random ``v``, ``w`` (complex for a complex output), so every entry matters and the
    second order exercises the rules even of a linear ``fun``.

    Complex inputs follow minpy's convention (that of HIPS autograd and JAX): for
    ``z = x + iy`` the gradient of a real ``L`` is ``dL/dx - i dL/dy``, so the derivative
    along a complex direction ``u`` is ``Re(sum(grad * u))``; the directions are complex
    (both parts random). The gradient of a real input must be real.

    Raises
    ------
    AssertionError
        Naming the argument, the order and both numbers.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.testing import check_grads
    >>> check_grads(np.tanh, np.array([0.1, -0.4, 2.0]))
    >>> check_grads(lambda z: np.abs(z) ** 2, np.array([3 + 4j, -1j]))
    """
    from minpy.core import grad

    rng = numpy.random.RandomState(seed)
    f = _scalarize(fun, rng)
    if argnums is None:
        argnums = [i for i, a in enumerate(args) if _differentiable(a)]
    name = getattr(fun, "__name__", fun)
    for i in argnums:
        levels: list[Callable[..., Any]] = [f]
        for _ in range(order - 1):
            prev = levels[-1]
            w = _direction(args[i], rng)

            def nxt(*a: Any, prev: Callable[..., Any] = prev, w: Any = w, i: int = i) -> Any:
                g = grad(prev, i)(*a)
                d = np.sum(g * w)
                return np.real(d) if d.dtype.kind == "c" else d

            levels.append(nxt)
        for k, h in enumerate(levels, start=1):
            u = _direction(args[i], rng)
            g = grad(h, i)(*args)
            if _is_real(args[i]) and numpy.iscomplexobj(to_host(g)):
                raise AssertionError(
                    f"order-{k} gradient of {name!r} w.r.t. argument {i}: the input is real "
                    f"but the gradient is complex ({g!r})"
                )
            analytic = _dot(g, u)
            hi = float(to_host(h(*_perturb(args, i, u, eps))))
            lo = float(to_host(h(*_perturb(args, i, u, -eps))))
            numeric = (hi - lo) / (2 * eps)
            if not numpy.isclose(analytic, numeric, rtol=rtol, atol=atol):
                raise AssertionError(
                    f"order-{k} gradient of {name!r} w.r.t. argument "
                    f"{i}: autograd gives {analytic!r}, finite differences {numeric!r}"
                )


def _is_real(x: Any) -> bool:
    return not (isinstance(x, Array) and x.dtype.kind == "c") and not isinstance(x, complex)
