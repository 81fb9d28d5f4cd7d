"""Rules of indexing (getitem, setitem and their scatter_add/sum_to helpers, take,
take_along_axis) and of sort, whose gradient goes back through argsort's order."""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.backends import has_int_index
from minpy.numpy.vjps._helpers import lying_along, raw, unbroadcast
from minpy.primitive import defvjp

# --------------------------------------------------------------------------------------------
# indexing


def _getitem(g: Any, ans: Any, x: Any, key: Any) -> Any:
    if has_int_index(key):
        return np.scatter_add(x.shape, key, g)
    z = np.zeros(x.shape, dtype=g.dtype, device=g.device)
    return np.setitem(z, key, g)


def _setitem_value(g: Any, ans: Any, x: Any, key: Any, v: Any) -> Any:
    picked = g[key]
    if has_int_index(key):
        # with repeated indices only the last write lands; only it gets a gradient
        pos = np.reshape(np.arange(picked.size, device=g.device), picked.shape)
        last = np.full(x.shape, -1, dtype=pos.dtype, device=g.device)
        last[key] = pos
        picked = np.where(last[key] == pos, picked, 0)
    return unbroadcast(picked, v)


defvjp(np.getitem, _getitem, keep="meta")
defvjp(
    np.setitem, lambda g, ans, x, key, v: np.setitem(g, key, 0), None, _setitem_value, keep="meta"
)
defvjp(np.sum_to, lambda g, ans, x, shape: np.broadcast_to(g, x.shape), keep="meta")
# "args": the node must hold the key itself (an index Array kept as "meta" would be a
# placeholder without its values)
defvjp(np.scatter_add, None, None, lambda g, ans, shape, key, v: g[raw(key)], keep="args")


def _take(g: Any, ans: Any, x: Any, indices: Any, axis: Any = None, **kw: Any) -> Any:
    mode = kw.get("mode", "raise")
    if mode != "raise":  # the entries the indices really read: wrapped, or clipped (at 0 too)
        n = x.size if axis is None else x.shape[axis]
        indices = np.mod(indices, n) if mode == "wrap" else np.clip(indices, 0, n - 1)
    idx = raw(indices)
    if axis is None:  # g has the shape of the indices, which pick from the flattened x
        return np.reshape(np.scatter_add((x.size,), idx, g), x.shape)
    key = (slice(None),) * (axis % x.ndim) + (idx,)
    return np.scatter_add(x.shape, key, g)


defvjp(np.take, _take, keep="args")


def _along_axis_key(
    x_shape: tuple[int, ...], g_shape: tuple[int, ...], idx: Any, ax: int, g: Any
) -> Any:
    """The advanced index that puts ``g`` back where ``take_along_axis(x, idx, ax)`` read it."""
    key = []
    for i, (n, m) in enumerate(zip(x_shape, g_shape)):
        if i == ax:
            key.append(idx)
            continue
        # a size-1 axis of x that the indices broadcast: every output position reads entry 0
        pos = np.arange(m, device=g.device) if n == m else np.zeros(m, int, device=g.device)
        key.append(raw(lying_along(pos, len(g_shape), i)))
    return tuple(key)


def take_along_axis_rule(g: Any, ans: Any, x: Any, indices: Any, axis: Any = -1, **kw: Any) -> Any:
    idx = raw(indices)
    if axis is None:
        return np.reshape(np.scatter_add((x.size,), idx, g), x.shape)
    ax = axis % x.ndim
    return np.scatter_add(x.shape, _along_axis_key(x.shape, g.shape, idx, ax, g), g)


defvjp(np.take_along_axis, take_along_axis_rule, keep="args")

# --------------------------------------------------------------------------------------------
# sorting


def _sort(g: Any, ans: Any, x: Any, axis: Any = -1, **kw: Any) -> Any:
    # each output came from the position argsort names (at ties the function has no derivative)
    if axis is None:
        order = raw(np.argsort(np.ravel(x)))
        return np.reshape(np.scatter_add((x.size,), order, g), x.shape)
    order = raw(np.argsort(x, axis=axis))
    return take_along_axis_rule(g, ans, x, order, axis)


defvjp(np.sort, _sort, keep="args")


def _partition(g: Any, ans: Any, x: Any, kth: Any, axis: Any = -1, **kw: Any) -> Any:
    # like sort: each output came from the position argpartition names
    if axis is None:
        order = raw(np.argpartition(np.ravel(x), kth))
        return np.reshape(np.scatter_add((x.size,), order, g), x.shape)
    order = raw(np.argpartition(x, kth, axis=axis))
    return take_along_axis_rule(g, ans, x, order, axis)


defvjp(np.partition, _partition, keep="args")
