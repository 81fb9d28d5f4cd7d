"""The NumPy backend: arrays of ``cpu(0)`` are ``numpy.ndarray``.

Only the primitives whose NumPy spelling differs from the generic one are overridden here,
the reductions and reshapes whose top-level functions are Python wrappers around an ndarray
method (on an ndarray the method is called directly, about 1 us sooner per call), ``dot``
of two matrices, which ``matmul`` computes faster when one is a transposed view, and
``broadcast_to`` of a contiguous array, built as a stride-0 view without NumPy's iterator.
"""

from __future__ import annotations

from typing import Any

import numpy

from minpy.backends import Backend, DeviceLike

__all__ = ["NumpyBackend"]


def _scatter_add(shape: tuple[int, ...], key: Any, g: Any) -> Any:
    out = numpy.zeros(shape, dtype=g.dtype)
    numpy.add.at(out, key, g)
    return out


def _via_method(name: str) -> Any:
    function = getattr(numpy, name)
    method = getattr(numpy.ndarray, name)

    def run(a: Any, *args: Any, **kwargs: Any) -> Any:
        if a.__class__ is numpy.ndarray:
            try:
                return method(a, *args, **kwargs)
            except TypeError:
                if not kwargs:
                    raise
                # a keyword the method lacks (ndarray.swapaxes takes none): the function
        return function(a, *args, **kwargs)

    run.__name__ = name
    return run


_NO_SHAPE: Any = object()


def _reshape(a: Any, shape: Any = _NO_SHAPE, order: str = "C", **kwargs: Any) -> Any:
    if shape is _NO_SHAPE:  # NumPy's function needs a shape (the method takes none as None)
        return numpy.reshape(a, order=order, **kwargs)  # type: ignore[call-overload]
    if a.__class__ is numpy.ndarray and not kwargs:
        return a.reshape(shape, order=order)  # type: ignore[call-overload]
    return numpy.reshape(a, shape, order=order, **kwargs)  # type: ignore[call-overload]


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    # for two matrices dot and matmul agree, and matmul is ~10% faster on transposed views
    # (the gradient rules' a.T @ g)
    if out is None and a.__class__ is numpy.ndarray and b.__class__ is numpy.ndarray:
        if a.ndim == 2 and b.ndim == 2:
            return numpy.matmul(a, b)
    return numpy.dot(a, b, out)


def _transpose(a: Any, axes: Any = None) -> Any:
    if a.__class__ is numpy.ndarray:
        return a.transpose() if axes is None else a.transpose(axes)
    return numpy.transpose(a, axes)


def _broadcast_to(a: Any, shape: Any, subok: bool = False) -> Any:
    # numpy.broadcast_to builds an nditer (~2 us); a contiguous source becomes the same
    # read-only stride-0 view directly (~0.3 us). The gradient rules of sums and means call it.
    if a.__class__ is numpy.ndarray and a.flags.c_contiguous and not subok:
        shape = (shape,) if shape.__class__ is int else tuple(shape)
        lead = len(shape) - a.ndim
        if lead >= 0:
            strides = [0] * lead
            for i, n in enumerate(a.shape):
                want = shape[lead + i]
                if n == want:
                    strides.append(a.strides[i])
                elif n == 1 and want >= 0:
                    strides.append(0)
                else:
                    break  # not broadcastable: NumPy raises its own error below
            else:
                out = numpy.ndarray(shape, a.dtype, a, 0, tuple(strides))
                out.flags.writeable = False
                return out
    return numpy.broadcast_to(a, shape, subok=subok)


_METHODS = (
    "sum",
    "mean",
    "prod",
    "max",
    "min",
    "argmax",
    "argmin",
    "any",
    "all",
    "squeeze",
    "swapaxes",
    "ravel",
)


class NumpyBackend(Backend):
    """Arrays in host memory, computed by NumPy."""

    name = "numpy"
    kind = "cpu"
    xp = numpy
    array_type = numpy.ndarray
    overrides = {
        "scatter_add": _scatter_add,
        "dot": _dot,
        "reshape": _reshape,
        "transpose": _transpose,
        "broadcast_to": _broadcast_to,
        **{name: _via_method(name) for name in _METHODS},
    }
    on_host = True

    def __init__(self) -> None:
        super().__init__()
        self._random: dict[DeviceLike, numpy.random.RandomState] = {}

    def asarray(self, value: Any, device: DeviceLike, dtype: Any = None, copy: bool = False) -> Any:
        if copy:
            return numpy.array(value, dtype=dtype)
        return numpy.asarray(value, dtype=dtype)

    def to_host(self, data: Any) -> Any:
        return data

    def random(self, device: DeviceLike) -> Any:
        r = self._random.get(device)
        if r is None:
            r = self._random[device] = numpy.random.RandomState()
        return r

    def seed(self, device: DeviceLike, seed: int | None) -> None:
        self.random(device).seed(seed)
