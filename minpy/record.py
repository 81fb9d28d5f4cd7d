"""The forward half of tracing: what a tape node keeps of a call, for its rules.

``record`` gives a traced result its ``Node``: the primitive, the traced inputs' nodes, and
what the primitive's ``keep`` asks for (the inputs' backend arrays, or only ``Meta`` with their
shapes; the output's backend array or nothing). Nodes keep backend arrays, never the Array
objects: an in-place update rebinds an Array to a new buffer, and what the rules see must stay
what the forward pass saw. An untraced input that a node keeps is marked saved
(``minpy.inplace.mark_saved``), so later writes into it copy first.

A primitive with several outputs (``linalg.svd``, ``linalg.eigh``: a tuple or named tuple)
and rules gets one node holding the whole tuple (the *holder*), and each output a node of its
own selecting item ``k`` of it (a ``select`` primitive whose rule puts ``g`` in slot ``k`` of a
``Cotangents``). The gradients of the outputs meet at the holder as one ``Cotangents`` (a tuple,
``None`` where no gradient arrived, added slotwise), and the primitive's rule receives it as
``g`` and the tuple of outputs as ``ans``: one rule over all the outputs' cotangents. Without
rules, the outputs of such a primitive, like traced arrays hidden inside list arguments, are
linked to their inputs by nodes without rules: a gradient reaching them raises
``MissingVJPError`` instead of being silently dropped.
"""

from __future__ import annotations

from typing import Any

from minpy.array import Array
from minpy.inplace import SAVED, mark_saved
from minpy.primitive import Primitive
from minpy.tape import Meta, Node

__all__ = ["Cotangents", "no_rule", "record", "record_hidden", "select"]


def record_hidden(prim: Primitive, hidden: list[Array], res: Any) -> None:
    """Traced arrays inside list arguments of a primitive without rules: gradients raise."""
    mask = 0
    for h in hidden:
        mask |= h._node.mask  # type: ignore[union-attr]
    parents = tuple(h._node for h in hidden if h._node is not None)
    for r in res if isinstance(res, (tuple, list)) else (res,):
        if r.__class__ is Array and r._data.dtype.kind in "fc":
            r._node = Node(
                parents, tuple(range(len(parents))), mask, no_rule(prim.name), device=r._device
            )


_NO_RULES: dict[str, Primitive] = {}


def no_rule(name: str) -> Primitive:
    """A rule-less stand-in named like ``name``: any gradient reaching it raises."""
    p = _NO_RULES.get(name)
    if p is None:
        p = _NO_RULES[name] = Primitive(name, register=False)
        p.defvjp(keep="meta")
    return p


class Cotangents(tuple[Any, ...]):
    """The gradients of a multi-output primitive's outputs: ``None`` where none arrived."""

    __slots__ = ()

    def __add__(self, other: Any) -> Cotangents:
        return Cotangents(
            b if a is None else a if b is None else a + b for a, b in zip(self, other)
        )


_SELECT: dict[tuple[str, int, int], Primitive] = {}


def select(name: str, k: int, n: int) -> Primitive:
    """The primitive picking output ``k`` of ``n`` of primitive ``name`` out of its holder."""
    key = (name, k, n)
    p = _SELECT.get(key)
    if p is None:
        p = _SELECT[key] = Primitive(f"{name}[{k}]", register=False)
        slots = (None,) * n
        p.defvjp(lambda g, ans: Cotangents(slots[:k] + (g,) + slots[k + 1 :]), keep="meta")
    return p


_FIRST = (0,)
_SECOND = (1,)
_BOTH = (0, 1)


def _kept(a: Any, keep_args: bool) -> Any:
    """What a node keeps of one input: its backend array, or only its shape and type."""
    if a.__class__ is not Array:
        return a
    if not keep_args:
        # integer and boolean Arrays (indices, masks, counts) are arguments the rules read,
        # not values they differentiate: kept whole; the others only as shapes
        return Meta(a) if a._data.dtype.kind in "fc" else a._data
    if a._node is None and a._state is not SAVED:
        mark_saved(a)  # an untraced input saved for backward must not be written in place later
    return a._data


def record(
    prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any], res: Any, mask: int
) -> None:
    """Give ``res`` a tape node that links it to the traced Arrays among ``args``."""
    if kwargs and prim.keyword_form is not None:
        prim = prim.keyword_form
    if res.__class__ is not Array:
        if isinstance(res, tuple) and prim.differentiable:
            _record_outputs(prim, args, kwargs, res, mask)
        elif isinstance(res, (tuple, list)):
            # multi-output primitives without rules: a gradient reaching them raises
            for r in res:
                record(no_rule(prim.name), args, kwargs, r, mask)
        return
    data = res._data
    if data.dtype.kind not in "fc":
        return
    res._node = _node(prim, args, kwargs, data, mask, res._device)


def _record_outputs(
    prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any], res: tuple[Any, ...], mask: int
) -> None:
    """One holder node for the tuple of outputs, and a ``select`` node for each output."""
    arrays = [r for r in res if r.__class__ is Array]
    if not arrays:
        return
    device = arrays[0]._device
    ans = tuple(r._data if r.__class__ is Array else r for r in res)
    holder = _node(prim, args, kwargs, ans, mask, device)
    n = len(res)
    for k, r in enumerate(res):
        if r.__class__ is Array and r._data.dtype.kind in "fc":
            r._node = Node((holder,), _FIRST, mask, select(prim.name, k, n), device=device)


def _node(
    prim: Primitive,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    data: Any,
    mask: int,
    device: Any,
) -> Node:
    """The node of one call: the traced inputs' nodes and what the rules keep."""
    keep_args = prim.keep_args
    nargs = len(args)
    if nargs == 1:  # the common unary case: args[0] is the traced Array
        x = args[0]
        parents: tuple[Node, ...] = (x._node,)
        argnums: tuple[int, ...] = _FIRST
        saved: tuple[Any, ...] = (x._data,) if keep_args else (Meta(x),)
    elif nargs == 2:  # binary operators, written out: this runs once per traced operation
        a, b = args
        na = a._node if a.__class__ is Array else None
        nb = b._node if b.__class__ is Array else None
        if na is None:
            parents, argnums = (nb,), _SECOND  # type: ignore[assignment]
        elif nb is None:
            parents, argnums = (na,), _FIRST
        else:
            parents, argnums = (na, nb), _BOTH
        saved = (_kept(a, keep_args), _kept(b, keep_args))
    else:
        plist = []
        nums = []
        items = []
        i = 0
        for a in args:
            if a.__class__ is Array and a._node is not None:
                plist.append(a._node)
                nums.append(i)
            items.append(_kept(a, keep_args))
            i += 1
        parents = tuple(plist)
        argnums = tuple(nums)
        saved = tuple(items)
    return Node(
        parents, argnums, mask, prim, saved, kwargs, data if prim.keep_ans else None, device
    )
