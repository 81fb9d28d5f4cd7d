"""Helpers that several rules share, written in minpy operations (no rules here)."""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.array import Array


def on_device(v: Any, g: Any) -> Any:
    """An argument a rule reads (a list, a host array) as an array on ``g``'s device."""
    return v if isinstance(v, Array) else np.asarray(v, device=g.device)


def shape_of(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if hasattr(x, "shape") else ()


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x`` (undo broadcasting), real where ``x`` is real."""
    shape = getattr(x, "shape", ())
    if g.shape != shape:
        shape = tuple(shape)
        if g.ndim < len(shape):  # a rule gave fewer axes than x has: x's leading ones
            g = np.reshape(g, (1,) * (len(shape) - g.ndim) + tuple(g.shape))
        g = np.sum_to(g, shape)
    return drop_imag(g, x) if g.dtype.kind == "c" else g  # (the check inlined: a hot path)


def drop_imag(g: Any, x: Any) -> Any:
    """``g`` as the gradient of ``x``: its real part where ``x`` is real and ``g`` complex.

    A real input promoted to complex in the forward pass (``x * 1j``, ``dot(real, complex)``)
    moves only along the real axis, so its gradient is ``Re(g)``.
    """
    if g.dtype.kind == "c" and getattr(x, "dtype", g.dtype).kind != "c":
        return np.real(g)
    return g


def is_complex(x: Any) -> bool:
    return getattr(getattr(x, "dtype", None), "kind", "") == "c"


def safe_divide(a: Any, b: Any) -> Any:
    """``a / b``, with 0 where ``b`` is 0 (no warning, no nan; differentiable elsewhere)."""
    zero = b == 0
    return np.where(zero, 0, a / np.where(zero, 1, b))


def axes_of(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(sorted(a % ndim for a in axis)) if ndim else ()


def keepdims_shape(x: Any, axis: Any) -> tuple[int, ...]:
    axes = axes_of(axis, len(x.shape))
    return tuple(1 if i in axes else s for i, s in enumerate(x.shape))


def expand_to(g: Any, x: Any, axis: Any) -> Any:
    """Broadcast a reduction's gradient back over the reduced axes of ``x``."""
    if g.ndim and g.ndim != len(x.shape):  # reduced without keepdims: put the axes back
        g = np.reshape(g, keepdims_shape(x, axis))
    return np.broadcast_to(g, x.shape)


def count(x: Any, axis: Any) -> int:
    n = 1
    for i in axes_of(axis, len(x.shape)):
        n *= x.shape[i]
    return n


def zero(g: Any, ans: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
    dtype = g.dtype
    if is_complex(x) != (dtype.kind == "c"):  # a complex x gets complex zeros, a real x real
        dtype = x.dtype if is_complex(x) else np.finfo(dtype).dtype
    return np.zeros(shape_of(x), dtype=dtype, device=g.device)


def identity(g: Any, ans: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
    return g


def mask(condition: Any, g: Any) -> Any:
    """``condition`` ready to multiply ``g`` by.

    On the raw NumPy arrays of a first-order CPU pass it becomes 0/1 in ``g``'s dtype
    (NumPy multiplies by that faster than by booleans); an Array (GPU, higher order) stays
    boolean, which saves the GPU a kernel.
    """
    if isinstance(condition, Array):
        return condition
    return condition.astype(g.dtype)


def raw(x: Any) -> Any:
    """The backend array inside an index Array (indices are constants, never traced)."""
    return x._data if isinstance(x, Array) else x


def swap(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def inverse_perm(src: list[int]) -> list[int]:
    return [src.index(i) for i in range(len(src))]


def lying_along(v: Any, ndim: int, ax: int) -> Any:
    """A 1-D ``v`` reshaped to ``ndim`` axes, lying along axis ``ax`` (broadcasts there)."""
    shape = [1] * ndim
    shape[ax] = v.shape[0]
    return np.reshape(v, shape)


def padded_ends(x: Any, ax: int) -> tuple[Any, Any]:
    """``x`` with a zero put before it, and with a zero put after it, along axis ``ax``."""
    before = [(0, 0)] * x.ndim
    after = [(0, 0)] * x.ndim
    before[ax] = (1, 0)
    after[ax] = (0, 1)
    return np.pad(x, before), np.pad(x, after)
