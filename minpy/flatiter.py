"""``Array.flat``: NumPy's flat iterator over an Array, for reading (C order)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from minpy import inplace
from minpy.primitive import registry

if TYPE_CHECKING:
    from minpy.array import Array

__all__ = ["FlatIter"]


class FlatIter:
    """``a.flat``: NumPy's flat iterator, for reading: ``a.flat[i]`` is the i-th element in C
    order, ``a.flat[1:3]`` or ``a.flat[[0, 4]]`` a new array; iterating yields the elements."""

    __slots__ = ("base",)

    def __init__(self, base: Array) -> None:
        self.base = base

    def __getitem__(self, key: Any) -> Array:
        if key.__class__ is tuple and len(key) > 1:
            raise IndexError(f"flat: the flat iterator is 1-D, but it was indexed by {key!r}")
        res: Array = registry["ravel"](self.base)[key]
        # NumPy's flat iterator returns copies, never views of the array
        return res.copy() if isinstance(res._state, inplace.View) else res

    def __iter__(self) -> Iterator[Array]:
        return iter(registry["ravel"](self.base))

    def __len__(self) -> int:
        return self.base.size

    def copy(self) -> Array:
        return self.base.flatten()
