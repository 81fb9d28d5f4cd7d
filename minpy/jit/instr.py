"""The instructions of a traced program: slot references, one backend call, and what the
trace learns of each call's memory (which arguments a result's buffer belongs to)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

__all__ = [
    "SCALARS",
    "DictTemplate",
    "Instr",
    "Item",
    "ListTemplate",
    "Slot",
    "collect",
    "is_array",
    "map_slots",
    "sharing",
]


class Slot:
    """A reference to the value of slot ``n`` of the program."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"s{self.n}"


class Item(Slot):
    """Item ``k`` of the (tuple) value of slot ``n``."""

    __slots__ = ("k",)

    def __init__(self, n: int, k: int) -> None:
        super().__init__(n)
        self.k = k

    def __repr__(self) -> str:
        return f"s{self.n}[{self.k}]"


class Instr:
    """One backend call: ``slot = fn(*args, **kwargs)`` with ``Slot``s among the arguments.

    ``writes`` is the slot written in place (``out=``, ``backend.write``), or None;
    ``random`` marks a draw, ``keep`` a draw or a check (``minpy.watch.guard``): never
    merged, folded or removed; ``meta`` is the result's
    (shape, dtype, owns its memory) at trace time, or None if it is not an array.
    """

    __slots__ = (
        "_refs",
        "args",
        "fn",
        "keep",
        "kwargs",
        "meta",
        "random",
        "sees",
        "slot",
        "writes",
    )

    def __init__(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        slot: int,
        refs: list[Slot] | None = None,
        random: bool | None = None,
    ) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.slot = slot
        self.writes: Slot | None = None
        self.random = self.keep = bool(getattr(fn, "random", False)) if random is None else random
        self.meta: tuple[Any, Any, bool] | None = None
        # the argument slots whose memory the result shares (None: unknown, so all of them
        # when the result is not an array of its own)
        self.sees: tuple[int, ...] | None = None
        self._refs = refs  # the slot references among the arguments (None: not worked out)

    def shares(self) -> list[int] | tuple[int, ...]:
        """The argument slots whose memory the result may share."""
        if self.meta is not None and self.meta[2]:
            return ()
        if self.sees is not None:
            return self.sees
        return [r.n for r in self.refs()]

    def refs(self) -> list[Slot]:
        """The slot references among the arguments (cached; ``rewrite`` clears it)."""
        refs = self._refs
        if refs is None:
            refs = self._refs = []
            collect((self.args, self.kwargs), refs)
        return refs

    def rewrite(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Replace the arguments (a pass renamed or folded some slots)."""
        self.args = args
        self.kwargs = kwargs
        self._refs = None
        self.sees = None


def _root(x: Any) -> Any:
    """The array that owns ``x``'s memory (the end of its ``.base`` chain)."""
    base = getattr(x, "base", None)
    while base is not None:
        x = base
        base = getattr(x, "base", None)
    return x


def sharing(out: Any, args: tuple[Any, ...], targs: tuple[Any, ...]) -> tuple[int, ...] | None:
    """The slots among the top-level arguments whose memory ``out`` (or an item of it) shares,
    by the owners of their buffers; None where a nested argument keeps that unknowable."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    roots = {id(_root(o)) for o in outs if is_array(o)}
    seen: list[int] = []
    for raw, t in zip(args, targs):
        if isinstance(t, Slot):
            if id(_root(raw)) in roots or any(raw is o for o in outs):
                seen.append(t.n)
        elif isinstance(t, (tuple, list, dict)) and any(isinstance(v, Slot) for v in _flat(t)):
            return None
    return tuple(seen)


def _flat(t: Any) -> list[Any]:
    if isinstance(t, dict):
        return [v for x in t.values() for v in _flat(x)]
    if isinstance(t, (tuple, list)):
        return [v for x in t for v in _flat(x)]
    return [t]


def map_slots(x: Any, fn: Callable[[Slot], Any]) -> Any:
    """``x`` (an argument template) with each slot reference ``r`` replaced by ``fn(r)``; a
    list or dict template left with no slot becomes a plain list or dict again."""
    cls = x.__class__
    if cls is Slot or cls is Item:
        return fn(x)
    if cls is tuple:
        return tuple([map_slots(v, fn) for v in x])
    if cls is ListTemplate:
        items = [map_slots(v, fn) for v in x]
        return ListTemplate(items) if any(isinstance(v, Slot) for v in items) else items
    if cls is DictTemplate:
        d = {k: map_slots(v, fn) for k, v in x.items()}
        return DictTemplate(d) if any(isinstance(v, Slot) for v in d.values()) else d
    if cls is dict:
        return {k: map_slots(v, fn) for k, v in x.items()}
    return x


def collect(x: Any, out: list[Slot]) -> None:
    cls = x.__class__
    if cls is Slot or cls is Item:
        out.append(x)
    elif cls is tuple or cls is list or cls is ListTemplate:
        for v in x:
            collect(v, out)
    elif cls is dict or cls is DictTemplate:
        for v in x.values():
            collect(v, out)


def is_array(x: Any) -> bool:
    """Whether ``x`` is a backend array (NumPy's scalars are not: they are immutable values)."""
    cls = x.__class__
    known = _ARRAY_TYPES.get(cls)
    if known is None:
        known = _ARRAY_TYPES[cls] = not issubclass(cls, numpy.generic) and (
            hasattr(cls, "__array_interface__") or hasattr(cls, "__cuda_array_interface__")
        )
    return known


_ARRAY_TYPES: dict[type, bool] = {}


SCALARS = frozenset({int, float, bool, complex, str, type(None), slice, type(Ellipsis)})


class ListTemplate(list[Any]):
    """A list argument holding slot references (rebuilt as a list at replay)."""


class DictTemplate(dict[str, Any]):
    """A dict argument holding slot references (rebuilt as a dict at replay)."""
