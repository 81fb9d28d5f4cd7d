"""Copy-on-write and views: how in-place writes stay NumPy's while the tape keeps its values.

NumPy writes in place, and views see the writes. The tape, on the other hand, keeps the backend
arrays that the forward pass saw, for the rules to read later. Each Array's ``_state`` field
says which of these situations it is in:

``None`` (plain)
    A result, or an array made from host data. Its buffer may be written in place while it is
    not traced and no tape node holds it.
``OWNED``
    Like plain, for a result whose backend array has a ``.base`` although it shares no memory
    with any Array (NumPy sets ``.base`` on the copies made by advanced indexing).
``SAVED``
    Untraced, and a tape node holds its buffer (or a view of it): ``mark_saved``. Writes into
    it, or into any view of the same memory, first give the array a copy of its own
    (``unshare``), so the write lands as in NumPy and the node keeps the recorded values.
``SCALAR``
    One element picked by integer indexing (``a[1]``, ``a[i, j]``), where NumPy gives an
    immutable scalar: an in-place operator rebinds it to the plain operator's result
    (``t *= 2.5`` makes an int ``t`` a float, as ``t = t * 2.5`` would), so ``a[1] *= 2.5``
    casts on the item assignment as in NumPy. It is never written in place, and a write
    through a view of it copies first, as for ``SAVED`` (a tape node may hold it).
``IndexView(base, key)``
    A view made by basic indexing (``base[key]``). An untraced write lands in the shared
    memory, as in NumPy; a traced write (or one into a saved buffer) rebinds the view and is
    written back into its base as a traced ``base[key] = view``, so the base sees it too.
``FunctionView(base, remake)``
    A view made by a view primitive (reshape, transpose, ...). It cannot be written back
    through that function: a traced write into it raises ``GradientError``.

Invariants:

- A saved buffer is never written: every write goes through ``writes_in_place`` first, and a
  traced array or a SAVED or SCALAR root is rebound to a new buffer instead (copy-on-write).
- A rebound array re-takes each live view of it (``refresh_views``) from its new buffer, so
  views see later writes into their base, traced or not, as NumPy's views do.
- A write that cannot be given a correct gradient raises ``GradientError`` instead: a traced
  value written into a view of an untraced array, or any traced write into a FunctionView.

Nothing here dispatches a call itself except the primitives that re-take views (``getitem``
and the view's own function), looked up by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import ref as _weakref

import numpy

from minpy import watch
from minpy.errors import GradientError
from minpy.primitive import Primitive, registry
from minpy.transfer import adopt

if TYPE_CHECKING:
    from minpy.array import Array

__all__ = [
    "OWNED",
    "SAVED",
    "SCALAR",
    "FunctionView",
    "IndexView",
    "View",
    "add_view",
    "assign",
    "cast_for_out",
    "mark_saved",
    "note_function_view",
    "note_index_view",
    "rebind",
    "refresh_views",
    "root",
    "setitem",
    "unshare",
    "update",
    "write",
    "writes_in_place",
]


class _Mark:
    """A named state that carries no data (``OWNED``, ``SAVED``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: a result whose backend array has a ``.base`` but shares memory with no Array
OWNED: Any = _Mark("OWNED")
#: untraced, and a tape node holds this buffer: writes copy first
SAVED: Any = _Mark("SAVED")
#: one element picked by integer indexing (a NumPy scalar): in-place operators rebind it
SCALAR: Any = _Mark("SCALAR")


class View:
    """The state of an Array that shares memory with ``base``."""

    __slots__ = ("base",)

    def __init__(self, base: Array) -> None:
        self.base = base

    def retake(self, base: Array) -> Array:
        """The view made again from ``base`` (after ``base`` was rebound)."""
        raise NotImplementedError


class IndexView(View):
    """``base[key]`` by basic indexing: writes go back into the base."""

    __slots__ = ("key",)

    def __init__(self, base: Array, key: Any) -> None:
        self.base = base
        self.key = key

    def retake(self, base: Array) -> Array:
        return registry["getitem"](base, self.key)  # type: ignore[no-any-return]


class FunctionView(View):
    """``prim(base, *args, **kwargs)`` by a view primitive: re-taken, never written back."""

    __slots__ = ("args", "kwargs", "prim")

    def __init__(
        self, base: Array, prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.base = base
        self.prim = prim
        self.args = args
        self.kwargs = kwargs

    def retake(self, base: Array) -> Array:
        return self.prim(base, *self.args, **self.kwargs)  # type: ignore[no-any-return]


def root(a: Array) -> Array:
    """The Array whose buffer ``a`` sees: ``a`` itself, or the base its views lead to."""
    state = a._state
    while isinstance(state, View):
        a = state.base
        state = a._state
    return a


def mark_saved(a: Array) -> None:
    """Record that a tape node holds ``a``'s buffer (``a`` untraced): from now on writes into
    it, or into any view of the same memory, copy first."""
    r = root(a)
    if r._state is None or r._state is OWNED:
        r._state = SAVED


def writes_in_place(a: Array) -> bool:
    """Whether a write may go into ``a``'s buffer: untraced, and no node holds that memory."""
    if a._node is not None:
        return False
    state = root(a)._state
    return state is not SAVED and state is not SCALAR


def cast_for_out(prim: Any, res: Array, out: Array) -> Array:
    """``res`` in ``out``'s dtype, by NumPy's same_kind rule for ``out=`` (else TypeError)."""
    if res._data.dtype == out._data.dtype:
        return res
    if not numpy.can_cast(res.dtype, out.dtype, "same_kind"):
        raise TypeError(
            f"{prim.name}: cannot write the {res.dtype} result into out= of dtype "
            f"{out.dtype} (NumPy's same_kind rule); cast first with .astype()"
        )
    return res.astype(out.dtype)


# --------------------------------------------------------------------------------------------
# linking views to their bases


def add_view(base: Array, view: Array) -> None:
    """Remember ``view`` (weakly) so that a rebind of ``base`` can re-take it."""
    views = getattr(base, "_views", None)
    if views is None:
        base._views = [_weakref(view)]
        return
    views.append(_weakref(view))
    n = len(views)
    if n >= 16 and not n & (n - 1):  # at 16, 32, 64, ...: drop the views that are gone
        views[:] = [r for r in views if r() is not None]


def note_index_view(src: Array, key: Any, res: Array) -> None:
    """After ``res = src[key]``: link ``res`` to ``src`` if it shares ``src``'s memory, or mark
    it ``SCALAR`` if ``key`` picks one element by integers (NumPy returns a scalar)."""
    if res._state is SCALAR:
        return  # the dispatcher already saw NumPy's scalar (the CPU)
    if res._data.ndim == 0 and _one_element(key, src._data.ndim):
        if res._data.base is not None:  # CuPy's a[i] is a view; a NumPy scalar shares nothing
            res._data = watch.run(res._device.backend.asarray, res._data, res._device, copy=True)
        res._state = SCALAR
        return
    owner = res._data.base
    if owner is not None and res._state is None:
        raw = src._data
        if owner is raw or owner is raw.base:
            res._state = IndexView(src, key)  # an in-place update writes back, as in NumPy
            add_view(src, res)
        else:
            res._state = OWNED  # advanced indexing copies, though NumPy sets .base


def _one_element(key: Any, ndim: int) -> bool:
    """Whether ``key`` (unwrapped) picks one element of an ``ndim``-d array by integers."""
    if key.__class__ is int:
        return ndim == 1
    if key.__class__ is not tuple:
        key = (key,)
    if len(key) != ndim:
        return False
    for k in key:
        if k.__class__ is bool or getattr(k, "ndim", 0 if isinstance(k, int) else 1) != 0:
            return False  # True indexes like None; slices, lists and arrays have no ndim 0
        if not isinstance(k, int) and k.dtype.kind not in "iu":
            return False
    return True


def note_function_view(
    src: Array, res: Array, prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """After ``res = prim(src, *args, **kwargs)`` by a view primitive (reshape, transpose, ...):
    link ``res`` to ``src`` if it shares its memory, so a rebind of ``src`` makes it again."""
    owner = getattr(res._data, "base", None)
    raw = src._data
    if owner is not None and (owner is raw or owner is getattr(raw, "base", None)):
        res._state = FunctionView(src, prim, args, kwargs)
        add_view(src, res)


def refresh_views(a: Array) -> None:
    """After ``a`` was rebound to a new buffer, show it in the views taken of it.

    NumPy's views see every later write into their base; here a write that must not touch
    the old buffer (traced, or a buffer the tape holds) rebinds the base instead, so each
    live view is taken again from the new buffer (traced like any other indexing).
    """
    views = getattr(a, "_views", None)
    if not views:
        return
    a._views = []
    for ref in views:
        view = ref()
        if view is None:
            continue
        state = view._state
        if not isinstance(state, View) or state.base is not a:
            continue
        fresh = state.retake(a)
        view._data = fresh._data
        view._node = fresh._node
        add_view(a, view)
        refresh_views(view)


# --------------------------------------------------------------------------------------------
# writes


def write(a: Array, key: Any, raw: Any) -> None:
    """``a._data[key] = raw`` in place, with the array's device current (multi-GPU)."""
    backend = a._device.backend
    scope = None if backend.on_host else backend.scope(a._device)
    if scope is None:
        watch.write(backend.write, a._data, key, raw)
    else:
        with scope:
            watch.write(backend.write, a._data, key, raw)


def unshare(a: Array) -> None:
    """Before an untraced write into the view ``a``: if the tape holds its base's memory, give
    the base a copy of its own (its views follow), so the write lands as in NumPy while the
    values the gradient needs stay as they were."""
    r = root(a)
    if (r._state is not SAVED and r._state is not SCALAR) or r._node is not None:
        return
    r._data = watch.run(r._device.backend.asarray, r._data, r._device, copy=True)
    r._state = None
    refresh_views(r)


def rebind(a: Array, result: Array, op: str) -> None:
    """Make ``a`` hold ``result`` (copy-on-write: traced, or saved by the tape).

    An IndexView writes itself back into its base (so ``y[1:] -= v`` works as in NumPy);
    other views of traced arrays cannot be written.
    """
    state = a._state
    if isinstance(state, View):
        if isinstance(state, FunctionView):
            raise GradientError(
                f"{op}: writing into a view made by {state.prim.name} of a traced array "
                "would give a wrong gradient, because its base would not see the write; "
                "write into the base array, or take a copy first with x.copy()"
            )
        a._data = result._data
        a._node = result._node
        state.base[state.key] = a  # type: ignore[attr-defined]  # recorded as a traced setitem
        return
    if result._node is not None and a._node is None and state is None:
        # OWNED (a copy made by advanced indexing), SAVED and SCALAR roots share no memory
        # that another Array sees; a plain array with a base might
        if a._data.base is not None:
            raise GradientError(
                f"{op}: writing a traced value into a view of an untraced array (made by "
                "slicing, reshape or transpose) would give a wrong gradient, because the "
                "view's base would not see the write; write into the base array, or take "
                "a copy first with x.copy()"
            )
    a._data = result._data
    a._node = result._node
    a._state = None
    refresh_views(a)


def assign(a: Array, result: Array, op: str) -> None:
    """Finish an in-place update of ``a`` computed out of place as ``result``."""
    if result._node is None and a._node is None and isinstance(a._state, View):
        unshare(a)
    if result._node is None and writes_in_place(a):
        write(a, Ellipsis, result._data)
    else:
        rebind(a, result, op)


def setitem(a: Array, key: Any, value: Any, raw: Any, value_traced: bool) -> None:
    """``a[key] = value``, with ``key`` unwrapped and ``raw`` the value's backend array (or the
    host value itself): in place where allowed, else a traced ``setitem`` and a rebind."""
    if not value_traced and a._node is None and isinstance(a._state, View):
        unshare(a)
    if not value_traced and writes_in_place(a):
        if not a._device.backend.on_host and not isinstance(raw, (int, float, complex)):
            raw = adopt(raw, a._device)
        write(a, key, raw)
        return
    rebind(a, registry["setitem"](a, key, value), "setitem")


def update(a: Array, prim: Primitive, other: Any) -> Array:
    """``a op= other`` for the ufunc ``prim``: in place, or rebound while traced."""
    if a._state is SCALAR:  # immutable in NumPy: Python rebinds it to ``a op other``
        res = prim(a, other)
        a._data = res._data
        a._node = res._node
        if res._data.ndim:
            a._state = None  # a scalar with an array gives an array, as in NumPy
        return a
    if a._node is not None and (a._state is None or a._state is OWNED):
        # traced and not a view: compute out of place and rebind (the common case in a loss,
        # e.g. probs /= s), without the general out= path of the dispatcher; this is
        # assign -> rebind inlined for that case
        res = cast_for_out(prim, prim(a, other), a)
        a._data = res._data
        a._node = res._node
        a._state = None
        if getattr(a, "_views", None):
            refresh_views(a)
        return a
    return prim(a, other, out=a)  # type: ignore[no-any-return]
