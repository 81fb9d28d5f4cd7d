"""Rules of the functions that change shape or order without changing values: reshape,
transpose, flips and rolls, concatenate/stack, tile, repeat, pad, triangles, diagonals."""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.errors import GradientError
from minpy.numpy.vjps._helpers import drop_imag, inverse_perm, raw, unbroadcast
from minpy.primitive import defvjp, defvjp_argnum, registry

# --------------------------------------------------------------------------------------------
# shape and order


def _reshape_back(g: Any, ans: Any, x: Any, *args: Any, **kw: Any) -> Any:
    return np.reshape(g, x.shape)


def _read_order(name: str, order: Any) -> str:
    """The element order of a reshape or ravel, as the gradient must read it back."""
    if order in (None, "C", "F"):
        return order or "C"
    raise GradientError(
        f"{name}: no gradient rule for order={order!r} (it depends on the memory layout); "
        "use order='C' or order='F'"
    )


def _reshape(g: Any, ans: Any, x: Any, shape: Any = None, order: Any = "C", **kw: Any) -> Any:
    return np.reshape(g, x.shape, order=_read_order("reshape", order))


def _ravel(g: Any, ans: Any, x: Any, order: Any = "C") -> Any:
    return np.reshape(g, x.shape, order=_read_order("ravel", order))


defvjp(np.reshape, _reshape, keep="meta")
defvjp(np.ravel, _ravel, keep="meta")
defvjp(np.squeeze, _reshape_back, keep="meta")
defvjp(np.expand_dims, _reshape_back, keep="meta")


def _transpose(g: Any, ans: Any, x: Any, axes: Any = None) -> Any:
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, inverse_perm([a % x.ndim for a in axes]))


defvjp(np.transpose, _transpose, keep="meta")


def _swapaxes(g: Any, ans: Any, x: Any, axis1: Any, axis2: Any) -> Any:
    return np.swapaxes(g, axis1, axis2)


def _moveaxis(g: Any, ans: Any, x: Any, source: Any, destination: Any) -> Any:
    return np.moveaxis(g, destination, source)


def _rollaxis(g: Any, ans: Any, x: Any, axis: int, start: int = 0) -> Any:
    # rollaxis moves axis `axis` to position `start` (before the axis now there): undo it as
    # the permutation it applied
    nd = len(x.shape)
    axis %= nd
    start = start + nd if start < 0 else start
    order = [i for i in range(nd) if i != axis]
    order.insert(start if start <= axis else start - 1, axis)
    return np.transpose(g, inverse_perm(order))


defvjp(np.swapaxes, _swapaxes, keep="meta")
defvjp(np.moveaxis, _moveaxis, keep="meta")
defvjp(np.rollaxis, _rollaxis, keep="meta")
if hasattr(np, "matrix_transpose"):  # NumPy 2
    defvjp(np.matrix_transpose, lambda g, ans, x: np.matrix_transpose(g), keep="meta")
defvjp(np.broadcast_to, lambda g, ans, x, shape, **kw: unbroadcast(g, x), keep="meta")
defvjp(np.flip, lambda g, ans, x, axis=None: np.flip(g, axis), keep="meta")
defvjp(np.fliplr, lambda g, ans, x: np.fliplr(g), keep="meta")
defvjp(np.flipud, lambda g, ans, x: np.flipud(g), keep="meta")
defvjp(np.rot90, lambda g, ans, x, k=1, axes=(0, 1): np.rot90(g, -k, axes), keep="meta")


def _roll(g: Any, ans: Any, x: Any, shift: Any, axis: Any = None) -> Any:
    back = -shift if isinstance(shift, int) else tuple(-s for s in shift)
    return np.roll(g, back, axis)


defvjp(np.roll, _roll, keep="meta")

# --------------------------------------------------------------------------------------------
# joining, tiling, repeating, padding


def _concat_rule(argnum: int, g: Any, ans: Any, *xs: Any, axis: int = 0, **kw: Any) -> Any:
    ax = axis % g.ndim
    start = sum(x.shape[ax] for x in xs[:argnum])
    key = (slice(None),) * ax + (slice(start, start + xs[argnum].shape[ax]),)
    return drop_imag(g[key], xs[argnum])  # a real array joined with complex ones: real


# the primitives under np.concatenate and np.stack, which take the arrays as *args
defvjp_argnum(registry["concatenate"], _concat_rule, keep="meta")


def _stack_rule(argnum: int, g: Any, ans: Any, *xs: Any, axis: int = 0, **kw: Any) -> Any:
    return drop_imag(g[(slice(None),) * (axis % g.ndim) + (argnum,)], xs[argnum])


defvjp_argnum(registry["stack"], _stack_rule, keep="meta")


def _tile(g: Any, ans: Any, x: Any, reps: Any) -> Any:
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    d = max(len(reps), x.ndim)
    reps = (1,) * (d - len(reps)) + reps
    shape = (1,) * (d - x.ndim) + tuple(x.shape)
    split: list[int] = []
    for r, s in zip(reps, shape):
        split += [r, s]
    summed = np.sum(np.reshape(g, split), axis=tuple(range(0, 2 * d, 2)))
    return np.reshape(summed, x.shape)


defvjp(np.tile, _tile, keep="meta")


def _repeat(g: Any, ans: Any, x: Any, repeats: Any, axis: Any = None) -> Any:
    # the index arrays go to scatter_add raw: an index is a constant, never a traced input
    if axis is None:
        n = x.size
        flat = np.reshape(g, (-1,))
        idx = raw(np.repeat(np.arange(n, device=g.device), repeats))
        return np.reshape(np.scatter_add((n,), idx, flat), x.shape)
    ax = axis % x.ndim
    idx = raw(np.repeat(np.arange(x.shape[ax], device=g.device), repeats))
    moved = np.moveaxis(g, ax, 0)
    shape = (x.shape[ax],) + tuple(moved.shape[1:])
    return np.moveaxis(np.scatter_add(shape, idx, moved), 0, ax)


defvjp(np.repeat, _repeat, keep="args")


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    """``(before, after)`` per axis, from any of np.pad's spellings (an int, a pair, pairs,
    as Python numbers, NumPy integers or an array)."""
    pw = raw(pad_width)
    pw = pw.tolist() if hasattr(pw, "tolist") else pw
    if not isinstance(pw, (list, tuple)):
        return [(int(pw), int(pw))] * ndim
    if pw and not isinstance(pw[0], (list, tuple)):
        return [(int(pw[0]), int(pw[-1]))] * ndim
    pairs = [(int(p[0]), int(p[-1])) for p in pw]
    return pairs * ndim if len(pairs) == 1 else pairs


def _pad(g: Any, ans: Any, x: Any, pad_width: Any, mode: str = "constant", **kw: Any) -> Any:
    if mode == "constant":
        widths = _pad_widths(pad_width, x.ndim)
        return g[tuple(slice(lo, lo + s) for (lo, _), s in zip(widths, x.shape))]
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise NotImplementedError(
            f"pad: no gradient rule for mode={mode!r}; "
            "use 'constant', 'edge', 'reflect', 'symmetric' or 'wrap'"
        )
    # these modes copy entries of x: pad the positions the same way, then add g back to them
    where = np.pad(
        np.reshape(np.arange(x.size, device=g.device), x.shape), pad_width, mode=mode, **kw
    )
    return np.reshape(np.scatter_add((x.size,), raw(np.ravel(where)), np.ravel(g)), x.shape)


defvjp(np.pad, _pad, keep="meta")

# --------------------------------------------------------------------------------------------
# triangles and diagonals

defvjp(np.triu, lambda g, ans, x, k=0: np.triu(g, k), keep="meta")
defvjp(np.tril, lambda g, ans, x, k=0: np.tril(g, k), keep="meta")


def _diagonal_embed(g: Any, shape: tuple[int, ...], offset: int, a1: int, a2: int) -> Any:
    """Zeros of ``shape`` with ``g`` written on the ``offset`` diagonal of axes a1, a2."""
    n = g.shape[-1]
    rows = np.arange(n, device=g.device) + max(-offset, 0)
    cols = np.arange(n, device=g.device) + max(offset, 0)
    nd = len(shape)
    a1, a2 = a1 % nd, a2 % nd
    rest = [i for i in range(nd) if i not in (a1, a2)]
    moved = (*[shape[i] for i in rest], shape[a1], shape[a2])
    z = np.zeros(moved, dtype=g.dtype, device=g.device)
    z[..., rows, cols] = g
    return np.moveaxis(z, (nd - 2, nd - 1), (a1, a2))


def _diag(g: Any, ans: Any, x: Any, k: int = 0) -> Any:
    if x.ndim == 1:
        return np.diagonal(g, k)
    return _diagonal_embed(g, x.shape, k, 0, 1)


defvjp(np.diag, _diag, keep="meta")


def _diagonal(g: Any, ans: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    return _diagonal_embed(g, x.shape, offset, axis1, axis2)


defvjp(np.diagonal, _diagonal, keep="meta")


def _trace(
    g: Any, ans: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, **kw: Any
) -> Any:
    n = np.diagonal(np.zeros(x.shape, dtype=bool, device=g.device), offset, axis1, axis2)
    diag = np.broadcast_to(np.expand_dims(g, -1), n.shape)
    return _diagonal_embed(diag, x.shape, offset, axis1, axis2)


defvjp(np.trace, _trace, keep="meta")
