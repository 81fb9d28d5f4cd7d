"""Program passes that use what tracing learned of shapes: cheaper calls, same results.

- ``elide_broadcasts``: ``b = broadcast_to(a, shape)`` read only by binary ufuncs that
  broadcast ``a`` to the same result by themselves is dropped (the ufunc reads ``a``);
- ``specialize``: on the CPU, a call of one of minpy's NumPy helpers becomes the NumPy call it
  makes for these shapes: ``sum``/``max``/``min`` their ufunc's ``reduce``, ``sum_to`` a
  ``reduce`` over the axes it sums. Each is the very function NumPy's own wrappers end in, so
  the results are bit for bit the same; only the Python layers on the way are gone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy

import minpy.numpy  # noqa: F401  (defines the sum_to primitive)
from minpy.backends import numpy as _npb
from minpy.jit.instr import Instr, Item, Slot
from minpy.jit.program import Program
from minpy.primitive import registry

__all__ = ["elide_broadcasts", "specialize"]

_SUM_TO = registry["sum_to"].impl
_REDUCE = {"sum": numpy.add.reduce, "max": numpy.maximum.reduce, "min": numpy.minimum.reduce}
_REDUCE_KEYWORDS = frozenset({"axis", "keepdims", "dtype"})


def _shape(x: Any, meta: dict[int, tuple[Any, Any]]) -> tuple[int, ...] | None:
    if isinstance(x, Item):
        return None
    if isinstance(x, Slot):
        m = meta.get(x.n)
        return None if m is None else tuple(m[0])
    return tuple(numpy.shape(x))


def elide_broadcasts(program: Program) -> None:
    """Drop the ``broadcast_to`` whose every reader is a binary ufunc that broadcasts alike."""
    meta = program.meta
    readers: dict[int, list[Instr]] = {}
    for ins in program.instrs:
        for ref in ins.refs():
            readers.setdefault(ref.n, []).append(ins)
    roots = program._roots()
    replace: dict[int, Slot] = {}
    for ins in program.instrs:
        if ins.fn is not _npb._broadcast_to or ins.kwargs or len(ins.args) != 2:
            continue
        src, shape = ins.args
        if not isinstance(src, Slot) or isinstance(src, Item) or ins.slot in roots:
            continue
        src_shape = _shape(src, meta)
        if src_shape is None or ins.writes is not None:
            continue
        target = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        reads = readers.get(ins.slot)
        if reads and all(_reads_alike(r, ins.slot, src_shape, target, meta) for r in reads):
            replace[ins.slot] = src
    if not replace:
        return
    kept = []
    for ins in program.instrs:
        if ins.slot in replace:
            program.removed += 1
            continue
        program.rename_in(ins, replace)
        kept.append(ins)
    program.instrs = kept


def _reads_alike(
    r: Instr,
    n: int,
    src_shape: tuple[int, ...],
    target: tuple[int, ...],
    meta: dict[int, tuple[Any, Any]],
) -> bool:
    """Whether the call ``r``, reading slot ``n`` (an array of ``src_shape`` broadcast to
    ``target``), gives the same result reading the array itself: a binary elementwise ufunc
    whose other operand broadcasts it to ``target`` anyway."""
    if not (
        isinstance(r.fn, numpy.ufunc)
        and r.fn.nin == 2
        and r.fn.signature is None
        and not r.kwargs
        and len(r.args) == 2
        and r.meta is not None
        and tuple(r.meta[0]) == target
    ):
        return False
    other = r.args[1] if _is(r.args[0], n) else r.args[0]
    other_shape = _shape(other, meta)
    if other_shape is None or _is(other, n):
        return False
    try:
        return numpy.broadcast_shapes(src_shape, other_shape) == target
    except ValueError:
        return False


def _is(x: Any, n: int) -> bool:
    return _plain(x) and x.n == n


def _plain(x: Any) -> bool:
    return isinstance(x, Slot) and not isinstance(x, Item)


def specialize(program: Program) -> None:
    """Replace calls of minpy's NumPy helpers by the NumPy calls they make (see module)."""
    meta = program.meta
    for ins in program.instrs:
        fn = _specialized(ins, meta)
        if fn is not None:
            ins.fn, ins.args, ins.kwargs = fn
            ins._refs = None
            program.specialized += 1


def _specialized(
    ins: Instr, meta: dict[int, tuple[Any, Any]]
) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
    fn = ins.fn
    if ins.writes is not None or ins.meta is None:
        return None
    if getattr(fn, "__qualname__", "").startswith("_via_method") and fn.__name__ in _REDUCE:
        if len(ins.args) != 1 or not set(ins.kwargs) <= _REDUCE_KEYWORDS:
            return None
        if _shape(ins.args[0], meta) is None:
            return None
        kwargs = dict(ins.kwargs)
        kwargs.setdefault("axis", None)  # the methods reduce everything; reduce() axis 0
        return _REDUCE[fn.__name__], ins.args, kwargs
    if fn is _SUM_TO and len(ins.args) == 2 and not ins.kwargs:
        g, shape = ins.args
        gshape = _shape(g, meta)
        if gshape is None or isinstance(shape, Slot):
            return None
        shape = tuple(shape)
        lead = len(gshape) - len(shape)
        axes = list(range(lead))
        for i, s in enumerate(shape):
            if s == 1 and gshape[i + lead] != 1:
                axes.append(i + lead)
        summed = gshape
        if axes:
            summed = tuple(1 if i in axes else n for i, n in enumerate(gshape))
        reshape = bool(lead) or summed != shape
        return functools.partial(_summed, tuple(axes), shape if reshape else None), (g,), {}
    return None


def _summed(axes: tuple[int, ...], shape: tuple[int, ...] | None, g: Any) -> Any:
    """``sum_to(g, shape)`` with its axes worked out once (the same ``add.reduce``)."""
    if axes:
        g = numpy.add.reduce(g, axis=axes, keepdims=True)
    return g if shape is None else g.reshape(shape)
