"""The NumPy backend: arrays of ``cpu(0)`` are ``numpy.ndarray``.

Only the primitives whose NumPy spelling differs from the generic one are overridden here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from minpy.backends import Backend

if TYPE_CHECKING:
    from minpy.context import Device

__all__ = ["NumpyBackend"]


def _scatter_add(shape: tuple[int, ...], key: Any, g: Any) -> Any:
    out = numpy.zeros(shape, dtype=g.dtype)
    numpy.add.at(out, key, g)
    return out


class NumpyBackend(Backend):
    """Arrays in host memory, computed by NumPy."""

    name = "numpy"
    kind = "cpu"
    xp = numpy
    array_type = numpy.ndarray
    overrides = {"scatter_add": _scatter_add}
    on_host = True

    def __init__(self) -> None:
        super().__init__()
        self._random: dict[Device, numpy.random.RandomState] = {}

    def asarray(self, value: Any, device: Device, dtype: Any = None, copy: bool = False) -> Any:
        if copy:
            return numpy.array(value, dtype=dtype)
        return numpy.asarray(value, dtype=dtype)

    def to_host(self, data: Any) -> Any:
        return data

    def random(self, device: Device) -> Any:
        r = self._random.get(device)
        if r is None:
            r = self._random[device] = numpy.random.RandomState()
        return r

    def seed(self, device: Device, seed: int | None) -> None:
        self.random(device).seed(seed)
