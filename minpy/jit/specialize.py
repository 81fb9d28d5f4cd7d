"""What tracing learned of shapes, used for cheaper calls with the same results (the
per-instruction halves of two passes that ``Program.optimize`` runs):

- broadcast elision: ``b = broadcast_to(a, shape)`` (``broadcast_source``) read only by
  binary ufuncs that broadcast ``a`` to the same result by themselves (``reads_alike``) is
  dropped, and the ufuncs read ``a``;
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
from minpy.primitive import registry

__all__ = ["SPECIAL", "broadcast_source", "reads_alike", "specialize"]

_SUM_TO = registry["sum_to"].impl
#: the NumPy backend's sum/max/min (method calls) -> the ufunc reduction they end in
_REDUCE = {
    id(_npb.NumpyBackend.overrides[name]): reduce
    for name, reduce in (
        ("sum", numpy.add.reduce),
        ("max", numpy.maximum.reduce),
        ("min", numpy.minimum.reduce),
    )
}
#: the ids of the functions whose calls these passes look at (a quick test for the rest)
SPECIAL = frozenset({*_REDUCE, id(_SUM_TO), id(_npb._broadcast_to)})
_REDUCE_KEYWORDS = frozenset({"axis", "keepdims", "dtype"})


def _shape(x: Any, meta: dict[int, tuple[Any, Any]]) -> tuple[int, ...] | None:
    if isinstance(x, Item):
        return None
    if isinstance(x, Slot):
        m = meta.get(x.n)
        return None if m is None else tuple(m[0])
    return tuple(numpy.shape(x))


def broadcast_source(
    ins: Instr, meta: dict[int, tuple[Any, Any]]
) -> tuple[Slot, tuple[int, ...], tuple[int, ...]] | None:
    """``(a, a's shape, shape)`` if ``ins`` is ``broadcast_to(a, shape)`` of a plain slot."""
    if ins.fn is not _npb._broadcast_to or ins.kwargs or len(ins.args) != 2:
        return None
    src, shape = ins.args
    if not _plain(src) or ins.writes is not None:
        return None
    src_shape = _shape(src, meta)
    if src_shape is None:
        return None
    return src, src_shape, tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)


def reads_alike(
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


def specialize(ins: Instr, meta: dict[int, tuple[Any, Any]]) -> bool:
    """Make ``ins`` call the NumPy function its helper would call (see the module), if it
    is one of those; whether it was."""
    if ins.writes is not None or ins.meta is None:
        return False
    fn = _specialized(ins, meta)
    if fn is None:
        return False
    ins.fn, ins.args, ins.kwargs = fn
    ins._refs = None
    return True


def _specialized(
    ins: Instr, meta: dict[int, tuple[Any, Any]]
) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
    fn = ins.fn
    reduce = _REDUCE.get(id(fn))
    if reduce is not None:
        if len(ins.args) != 1 or not set(ins.kwargs) <= _REDUCE_KEYWORDS:
            return None
        if _shape(ins.args[0], meta) is None:
            return None
        kwargs = dict(ins.kwargs)
        kwargs.setdefault("axis", None)  # the methods reduce everything; reduce() axis 0
        return reduce, ins.args, kwargs
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
