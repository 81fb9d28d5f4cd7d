"""The gradient table: one vector-Jacobian rule per differentiable primitive and argument.

A rule is ``rule(g, ans, *args, **kwargs) -> gradient of args[argnum]``, written in minpy
operations, so it runs on any device and is itself differentiable (higher-order gradients).
``keep`` says what a tape node must hold for the rules: "meta" (shapes only), "ans", "args"
or "all". Nothing here imports NumPy or CuPy.
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as _namespace
from minpy.array import Array
from minpy.backends import has_int_index
from minpy.errors import GradientError
from minpy.numpy import linalg
from minpy.primitive import defvjp, defvjp_argnum

np: Any = _namespace  # names are generated from NumPy's at import

__all__: list[str] = []

# --------------------------------------------------------------------------------------------
# helpers (written in minpy operations)


def shape_of(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if hasattr(x, "shape") else ()


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x`` (undo broadcasting)."""
    shape = getattr(x, "shape", ())
    return g if g.shape == shape else np.sum_to(g, tuple(shape))


def axes_of(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(sorted(a % ndim for a in axis)) if ndim else ()


def keepdims_shape(x: Any, axis: Any) -> tuple[int, ...]:
    axes = axes_of(axis, len(x.shape))
    return tuple(1 if i in axes else s for i, s in enumerate(x.shape))


def expand_to(g: Any, x: Any, axis: Any) -> Any:
    """Broadcast a reduction's gradient back over the reduced axes of ``x``."""
    if g.ndim and g.ndim != len(x.shape):  # reduced without keepdims: put the axes back
        g = np.reshape(g, keepdims_shape(x, axis))
    return np.broadcast_to(g, x.shape)


def count(x: Any, axis: Any) -> int:
    n = 1
    for i in axes_of(axis, len(x.shape)):
        n *= x.shape[i]
    return n


def zero(g: Any, ans: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
    return np.zeros(shape_of(x), dtype=g.dtype, device=g.device)


def identity(g: Any, ans: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
    return g


def mask(condition: Any, g: Any) -> Any:
    """``condition`` ready to multiply ``g`` by.

    On the raw NumPy arrays of a first-order CPU pass it becomes 0/1 in ``g``'s dtype
    (NumPy multiplies by that faster than by booleans); an Array (GPU, higher order) stays
    boolean, which saves the GPU a kernel.
    """
    if isinstance(condition, Array):
        return condition
    return condition.astype(g.dtype)


def raw(x: Any) -> Any:
    """The backend array inside an index Array (indices are constants, never traced)."""
    return x._data if isinstance(x, Array) else x


# --------------------------------------------------------------------------------------------
# arithmetic with broadcasting

defvjp(
    np.add,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(g, y),
    keep="meta",
)
defvjp(
    np.subtract,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: -unbroadcast(g, y),
    keep="meta",
)
defvjp(
    np.multiply,
    lambda g, ans, x, y: unbroadcast(g * y, x),
    lambda g, ans, x, y: unbroadcast(g * x, y),
    keep="args",
)
defvjp(
    np.divide,
    lambda g, ans, x, y: unbroadcast(g / y, x),
    lambda g, ans, x, y: -unbroadcast(g * ans, y) / y,
    keep="all",
)


def _power_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    x = np.asarray(x, device=g.device)  # a Python base must not land on the current context
    return unbroadcast(g * ans * np.log(np.where(x > 0, x, 1)), y)


defvjp(np.power, lambda g, ans, x, y: unbroadcast(g * y * np.power(x, y - 1), x), _power_y)
defvjp(np.negative, lambda g, ans, x: -g, keep="meta")
defvjp(np.positive, identity, keep="meta")
defvjp(
    np.maximum,
    lambda g, ans, x, y: unbroadcast(g * mask(x >= y, g), x),
    lambda g, ans, x, y: unbroadcast(g * mask(x < y, g), y),
    keep="args",
)
defvjp(
    np.minimum,
    lambda g, ans, x, y: unbroadcast(g * mask(x <= y, g), x),
    lambda g, ans, x, y: unbroadcast(g * mask(x > y, g), y),
    keep="args",
)
defvjp(
    np.fmax,
    lambda g, ans, x, y: unbroadcast(g * mask(x >= y, g), x),
    lambda g, ans, x, y: unbroadcast(g * mask(x < y, g), y),
    keep="args",
)
defvjp(
    np.fmin,
    lambda g, ans, x, y: unbroadcast(g * mask(x <= y, g), x),
    lambda g, ans, x, y: unbroadcast(g * mask(x > y, g), y),
    keep="args",
)
defvjp(
    np.mod,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(-g * np.floor_divide(x, y), y),
    keep="args",
)
defvjp(
    np.fmod,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(-g * np.trunc(x / y), y),
    keep="args",
)
defvjp(
    np.arctan2,
    lambda g, ans, x, y: unbroadcast(g * y / (x * x + y * y), x),
    lambda g, ans, x, y: unbroadcast(-g * x / (x * x + y * y), y),
    keep="args",
)
defvjp(
    np.hypot,
    lambda g, ans, x, y: unbroadcast(g * x / ans, x),
    lambda g, ans, x, y: unbroadcast(g * y / ans, y),
)
defvjp(
    np.logaddexp,
    lambda g, ans, x, y: unbroadcast(g * np.exp(x - ans), x),
    lambda g, ans, x, y: unbroadcast(g * np.exp(y - ans), y),
)
defvjp(
    np.logaddexp2,
    lambda g, ans, x, y: unbroadcast(g * np.exp2(x - ans), x),
    lambda g, ans, x, y: unbroadcast(g * np.exp2(y - ans), y),
)
defvjp(
    np.where,
    None,
    lambda g, ans, c, x, y: unbroadcast(np.where(c, g, 0), x),
    lambda g, ans, c, x, y: unbroadcast(np.where(c, 0, g), y),
    keep="args",
)


def _clip_mask(x: Any, lo: Any, hi: Any) -> Any:
    inside = np.ones(x.shape, dtype=bool, device=x.device)
    if lo is not None:
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    return inside


def _clip_x(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    return g * _clip_mask(x, kw.get("min", a_min), kw.get("max", a_max))


def _clip_lo(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    return unbroadcast(g * (x < a_min), a_min)


def _clip_hi(g: Any, ans: Any, x: Any, a_min: Any = None, a_max: Any = None, **kw: Any) -> Any:
    return unbroadcast(g * (x > a_max), a_max)


defvjp(np.clip, _clip_x, _clip_lo, _clip_hi, keep="args")

# --------------------------------------------------------------------------------------------
# elementwise functions of one argument

LN2 = 0.6931471805599453
LN10 = 2.302585092994046

defvjp(np.exp, lambda g, ans, x: g * ans, keep="ans")
defvjp(np.exp2, lambda g, ans, x: g * ans * LN2, keep="ans")
defvjp(np.expm1, lambda g, ans, x: g * (ans + 1), keep="ans")
defvjp(np.log, lambda g, ans, x: g / x, keep="args")
defvjp(np.log2, lambda g, ans, x: g / (x * LN2), keep="args")
defvjp(np.log10, lambda g, ans, x: g / (x * LN10), keep="args")
defvjp(np.log1p, lambda g, ans, x: g / (x + 1), keep="args")
defvjp(np.sqrt, lambda g, ans, x: g * 0.5 / ans, keep="ans")
defvjp(np.cbrt, lambda g, ans, x: g / (3 * ans * ans), keep="ans")
defvjp(np.square, lambda g, ans, x: g * 2 * x, keep="args")
defvjp(np.reciprocal, lambda g, ans, x: -g * ans * ans, keep="ans")
defvjp(np.absolute, lambda g, ans, x: g * np.sign(x), keep="args")
defvjp(np.fabs, lambda g, ans, x: g * np.sign(x), keep="args")
for _f in (np.sign, np.floor, np.ceil, np.rint, np.trunc, np.fix, np.round, np.around):
    defvjp(_f, zero, keep="meta")
defvjp(np.floor_divide, zero, lambda g, ans, x, y: zero(g, ans, y), keep="meta")
defvjp(np.sin, lambda g, ans, x: g * np.cos(x), keep="args")
defvjp(np.cos, lambda g, ans, x: -g * np.sin(x), keep="args")
defvjp(np.tan, lambda g, ans, x: g * (1 + ans * ans), keep="ans")
defvjp(np.arcsin, lambda g, ans, x: g / np.sqrt(1 - x * x), keep="args")
defvjp(np.arccos, lambda g, ans, x: -g / np.sqrt(1 - x * x), keep="args")
defvjp(np.arctan, lambda g, ans, x: g / (1 + x * x), keep="args")
defvjp(np.sinh, lambda g, ans, x: g * np.cosh(x), keep="args")
defvjp(np.cosh, lambda g, ans, x: g * np.sinh(x), keep="args")
defvjp(np.tanh, lambda g, ans, x: g * (1 - ans * ans), keep="ans")
defvjp(np.arcsinh, lambda g, ans, x: g / np.sqrt(x * x + 1), keep="args")
defvjp(np.arccosh, lambda g, ans, x: g / np.sqrt(x * x - 1), keep="args")
defvjp(np.arctanh, lambda g, ans, x: g / (1 - x * x), keep="args")
defvjp(np.deg2rad, lambda g, ans, x: g * 0.017453292519943295, keep="meta")
defvjp(np.rad2deg, lambda g, ans, x: g * 57.29577951308232, keep="meta")
defvjp(np.real, lambda g, ans, x: np.real(g), keep="meta")
defvjp(np.conj, lambda g, ans, x: np.conj(g), keep="meta")
defvjp(np.astype, lambda g, ans, x, dtype, **kw: np.astype(g, x.dtype), keep="meta")
defvjp(np.copy, identity, keep="meta")

# --------------------------------------------------------------------------------------------
# reductions


def _sum(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    return expand_to(g, x, axis)


def _mean(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    return expand_to(g / count(x, axis), x, axis)


def _prod(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    if not bool(np.any(x == 0)):
        return expand_to(g * ans, x, axis) / x
    # with zeros, dividing the product by x fails: multiply the other factors instead
    return expand_to(g, x, axis) * _prod_of_others(x, axes_of(axis, x.ndim))


def _prod_of_others(x: Any, axes: tuple[int, ...]) -> Any:
    """Each element's product of the other elements in its group along ``axes`` (no division)."""
    if not axes:
        return np.ones_like(x)
    rest = [i for i in range(x.ndim) if i not in axes]
    order = rest + list(axes)
    moved = np.transpose(x, order)
    lead = tuple(moved.shape[: len(rest)])
    flat = np.reshape(moved, (*lead, -1))  # each group on the last axis
    one = np.ones_like(flat[..., :1])
    before = np.cumprod(np.concatenate([one, flat[..., :-1]], axis=-1), axis=-1)
    after = np.flip(np.cumprod(np.flip(np.concatenate([flat[..., 1:], one], axis=-1), -1), -1), -1)
    return np.transpose(np.reshape(before * after, moved.shape), _inverse_perm(order))


def _cumprod(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    if bool(np.any(x == 0)):
        raise GradientError(
            "cumprod: no gradient rule at inputs that hold a zero (the rule divides by x); "
            "for a product with zeros use np.prod, whose gradient handles them"
        )
    if axis is None:
        return np.reshape(_cumsum(g * ans, ans, np.ravel(ans)) / np.ravel(x), x.shape)
    return _cumsum(g * ans, ans, x, axis) / x


def _extremum(
    g: Any, ans: Any, x: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
) -> Any:
    # ties share the gradient equally; the count is cast so float32 stays float32
    if not keepdims and ans.ndim:
        shape = keepdims_shape(x, axis)
        ans = np.reshape(ans, shape)
        g = np.reshape(g, shape)
    hit = x == ans
    return hit * (g / np.sum(hit, axis=axis, keepdims=True, dtype=g.dtype))


def _var(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: int = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    centred = x - np.mean(x, axis=axis, keepdims=True)
    return expand_to(g, x, axis) * centred * (2.0 / (count(x, axis) - ddof))


def _std(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: int = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    centred = x - np.mean(x, axis=axis, keepdims=True)
    scale = np.reshape(ans, keepdims_shape(x, axis)) * (count(x, axis) - ddof)
    return expand_to(g, x, axis) * centred / scale


def _cumsum(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(g))), x.shape)
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


defvjp(np.sum, _sum, keep="meta")
defvjp(np.mean, _mean, keep="meta")
defvjp(np.prod, _prod, keep="all")
for _f in (np.max, np.min, np.amax, np.amin):
    defvjp(_f, _extremum, keep="all")
defvjp(np.var, _var, keep="args")
defvjp(np.std, _std, keep="all")
defvjp(np.cumsum, _cumsum, keep="meta")
defvjp(np.cumprod, _cumprod, keep="all")

# --------------------------------------------------------------------------------------------
# products


def _swap(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def _dot_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if a.ndim == 0 or b.ndim == 0:
        return unbroadcast(g * b, a)
    if b.ndim == 1:
        return np.expand_dims(g, -1) * b if a.ndim > 1 else g * b
    if a.ndim <= 2 and b.ndim == 2:
        return np.dot(g, b.T)
    gaxes = list(range(g.ndim - b.ndim + 1, g.ndim))
    baxes = [*range(b.ndim - 2), b.ndim - 1]
    return np.tensordot(g, b, axes=(gaxes, baxes))


def _dot_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if a.ndim == 0 or b.ndim == 0:
        return unbroadcast(g * a, b)
    if a.ndim == 1 and b.ndim == 1:
        return g * a
    if a.ndim == 2 and b.ndim <= 2:
        return np.dot(a.T, g)
    if a.ndim == 1 and b.ndim == 2:
        return np.outer(a, g)
    lead = list(range(a.ndim - 1))
    r = np.tensordot(a, g, axes=(lead, lead))
    return np.moveaxis(r, 0, -2) if b.ndim >= 2 else r


defvjp(np.dot, _dot_a, _dot_b, keep="args")


def _matmul_a(g: Any, ans: Any, a: Any, b: Any, **kw: Any) -> Any:
    if a.ndim == 1 and b.ndim == 1:
        return g * b
    if b.ndim == 1:
        return unbroadcast(np.expand_dims(g, -1) * b, a)
    if a.ndim == 1:
        return unbroadcast(np.squeeze(np.matmul(np.expand_dims(g, -2), _swap(b)), -2), a)
    return unbroadcast(np.matmul(g, _swap(b)), a)


def _matmul_b(g: Any, ans: Any, a: Any, b: Any, **kw: Any) -> Any:
    if a.ndim == 1 and b.ndim == 1:
        return g * a
    if a.ndim == 1:
        return unbroadcast(np.expand_dims(a, -1) * np.expand_dims(g, -2), b)
    if b.ndim == 1:
        return unbroadcast(np.squeeze(np.matmul(_swap(a), np.expand_dims(g, -1)), -1), b)
    return unbroadcast(np.matmul(_swap(a), g), b)


defvjp(np.matmul, _matmul_a, _matmul_b, keep="args")


def _tensordot_axes(a: Any, b: Any, axes: Any) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    ax, bx = axes
    ax = [ax] if isinstance(ax, int) else list(ax)
    bx = [bx] if isinstance(bx, int) else list(bx)
    return [i % a.ndim for i in ax], [i % b.ndim for i in bx]


def _inverse_perm(src: list[int]) -> list[int]:
    return [src.index(i) for i in range(len(src))]


def _tensordot_a(g: Any, ans: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    ax, bx = _tensordot_axes(a, b, axes)
    a_free = [i for i in range(a.ndim) if i not in ax]
    b_free = [i for i in range(b.ndim) if i not in bx]
    gaxes = list(range(len(a_free), g.ndim))
    r = np.tensordot(g, b, axes=(gaxes, b_free))
    src = a_free + [ax[bx.index(j)] for j in sorted(bx)]
    return np.transpose(r, _inverse_perm(src))


def _tensordot_b(g: Any, ans: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    ax, bx = _tensordot_axes(a, b, axes)
    a_free = [i for i in range(a.ndim) if i not in ax]
    b_free = [i for i in range(b.ndim) if i not in bx]
    r = np.tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
    src = [bx[ax.index(i)] for i in sorted(ax)] + b_free
    return np.transpose(r, _inverse_perm(src))


defvjp(np.tensordot, _tensordot_a, _tensordot_b, keep="args")
defvjp(
    np.outer,
    lambda g, ans, a, b: np.reshape(np.dot(g, np.ravel(b)), shape_of(a)),
    lambda g, ans, a, b: np.reshape(np.dot(np.ravel(a), g), shape_of(b)),
    keep="args",
)


def _inner_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if a.ndim == 0 or b.ndim == 0:
        return unbroadcast(g * b, a)
    return np.tensordot(g, b, axes=(list(range(a.ndim - 1, g.ndim)), list(range(b.ndim - 1))))


def _inner_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if a.ndim == 0 or b.ndim == 0:
        return unbroadcast(g * a, b)
    return np.tensordot(g, a, axes=(list(range(a.ndim - 1)), list(range(a.ndim - 1))))


defvjp(np.inner, _inner_a, _inner_b, keep="args")


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_parse(subscripts: str, ops: tuple[Any, ...]) -> tuple[list[str], str]:
    """The operands' and the output's subscripts, with ``...`` spelled out as letters."""
    spec = subscripts.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    parts = ins.split(",")
    if len(parts) != len(ops):
        raise ValueError(f"einsum: {subscripts!r} names {len(parts)} operands, got {len(ops)}")
    ell = ""
    if "..." in spec:
        # NumPy aligns the axes that '...' stands for from the right, across all operands
        spare = [c for c in _LETTERS if c not in spec]
        widths = [
            len(getattr(o, "shape", ())) - len(p.replace("...", "")) if "..." in p else 0
            for p, o in zip(parts, ops)
        ]
        ell = "".join(spare[: max(widths, default=0)])
        parts = [p.replace("...", ell[len(ell) - w :] if w else "") for p, w in zip(parts, widths)]
        out = out.replace("...", ell)
    if not arrow:
        letters = "".join(parts)
        out = ell + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell)
        )
    return parts, out


def _einsum_rule(argnum: int, g: Any, ans: Any, subscripts: str, *ops: Any, **kw: Any) -> Any:
    k = argnum - 1
    parts, out = _einsum_parse(subscripts, ops)
    target, x = parts[k], ops[k]
    size = dict(zip(target, x.shape))
    letters = "".join(dict.fromkeys(target))  # each letter once, in order
    others = [p for i, p in enumerate(parts) if i != k]
    present = set(out).union(*others)
    kept = "".join(c for c in letters if c in present)
    r = np.einsum(
        ",".join([out, *others]) + "->" + kept, g, *[o for i, o in enumerate(ops) if i != k]
    )
    if kept != letters:  # letters summed within this operand only: broadcast back over them
        r = np.reshape(r, [size[c] if c in present else 1 for c in letters])
        r = np.broadcast_to(r, [size[c] for c in letters])
    shape = tuple(size[c] for c in letters)
    if tuple(r.shape) != shape:  # this operand's size-1 axes were broadcast against others'
        r = np.sum_to(r, shape)
    if letters == target:
        return r
    # a letter repeated within the operand (a diagonal): place r there with identity factors
    used = "".join(parts) + out
    spare = iter(c for c in _LETTERS if c not in used)
    seen: set[str] = set()
    renamed, eyes, specs = "", [], [letters]
    for c in target:
        if c in seen:
            n = next(spare)
            renamed += n
            specs.append(c + n)
            eyes.append(np.eye(size[c], dtype=g.dtype, device=g.device))
        else:
            renamed += c
            seen.add(c)
    return np.einsum(",".join(specs) + "->" + renamed, r, *eyes)


defvjp_argnum(np.einsum, _einsum_rule, keep="args")

# --------------------------------------------------------------------------------------------
# shape and order


def _transpose(g: Any, ans: Any, x: Any, axes: Any = None) -> Any:
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, _inverse_perm([a % x.ndim for a in axes]))


def _reshape_back(g: Any, ans: Any, x: Any, *args: Any, **kw: Any) -> Any:
    return np.reshape(g, x.shape)


defvjp(np.reshape, _reshape_back, keep="meta")
defvjp(np.ravel, _reshape_back, keep="meta")
defvjp(np.squeeze, _reshape_back, keep="meta")
defvjp(np.expand_dims, _reshape_back, keep="meta")
defvjp(np.transpose, _transpose, keep="meta")
defvjp(np.swapaxes, lambda g, ans, x, a, b: np.swapaxes(g, a, b), keep="meta")
defvjp(np.moveaxis, lambda g, ans, x, src, dst: np.moveaxis(g, dst, src), keep="meta")
defvjp(np.broadcast_to, lambda g, ans, x, shape, **kw: unbroadcast(g, x), keep="meta")
defvjp(np.flip, lambda g, ans, x, axis=None: np.flip(g, axis), keep="meta")
defvjp(np.fliplr, lambda g, ans, x: np.fliplr(g), keep="meta")
defvjp(np.flipud, lambda g, ans, x: np.flipud(g), keep="meta")
defvjp(np.rot90, lambda g, ans, x, k=1, axes=(0, 1): np.rot90(g, -k, axes), keep="meta")


def _roll(g: Any, ans: Any, x: Any, shift: Any, axis: Any = None) -> Any:
    back = -shift if isinstance(shift, int) else tuple(-s for s in shift)
    return np.roll(g, back, axis)


defvjp(np.roll, _roll, keep="meta")


def _concat_rule(argnum: int, g: Any, ans: Any, *xs: Any, axis: int = 0, **kw: Any) -> Any:
    ax = axis % g.ndim
    start = sum(x.shape[ax] for x in xs[:argnum])
    key = (slice(None),) * ax + (slice(start, start + xs[argnum].shape[ax]),)
    return g[key]


def _stack_rule(argnum: int, g: Any, ans: Any, *xs: Any, axis: int = 0, **kw: Any) -> Any:
    return g[(slice(None),) * (axis % g.ndim) + (argnum,)]


defvjp_argnum(np._concat, _concat_rule, keep="meta")
defvjp_argnum(np._stack, _stack_rule, keep="meta")


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
    if axis is None:
        n = x.size
        flat = np.reshape(g, (-1,))
        idx = np.repeat(np.arange(n, device=g.device), repeats)
        return np.reshape(np.scatter_add((n,), idx, flat), x.shape)
    ax = axis % x.ndim
    idx = np.repeat(np.arange(x.shape[ax], device=g.device), repeats)
    moved = np.moveaxis(g, ax, 0)
    shape = (x.shape[ax],) + tuple(moved.shape[1:])
    return np.moveaxis(np.scatter_add(shape, idx, moved), 0, ax)


defvjp(np.repeat, _repeat, keep="args")


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    if isinstance(pad_width, int):
        return [(pad_width, pad_width)] * ndim
    pw = list(pad_width)
    if pw and isinstance(pw[0], int):
        pair = (pw[0], pw[-1])
        return [pair] * ndim
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


def _diagonal(g: Any, ans: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    return _diagonal_embed(g, x.shape, offset, axis1, axis2)


def _trace(
    g: Any, ans: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, **kw: Any
) -> Any:
    n = np.diagonal(np.zeros(x.shape, dtype=bool, device=g.device), offset, axis1, axis2)
    diag = np.broadcast_to(np.expand_dims(g, -1), n.shape)
    return _diagonal_embed(diag, x.shape, offset, axis1, axis2)


defvjp(np.diag, _diag, keep="meta")
defvjp(np.diagonal, _diagonal, keep="meta")
defvjp(np.trace, _trace, keep="meta")

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
defvjp(np.scatter_add, None, None, lambda g, ans, shape, key, v: g[key], keep="meta")


def _take(g: Any, ans: Any, x: Any, indices: Any, axis: Any = None, **kw: Any) -> Any:
    idx = raw(indices)
    if axis is None:
        return np.reshape(np.scatter_add((x.size,), idx, np.ravel(g)), x.shape)
    key = (slice(None),) * (axis % x.ndim) + (idx,)
    return np.scatter_add(x.shape, key, g)


defvjp(np.take, _take, keep="args")


def _lying_along(v: Any, ndim: int, ax: int) -> Any:
    """A 1-D ``v`` reshaped to ``ndim`` axes, lying along axis ``ax`` (broadcasts there)."""
    shape = [1] * ndim
    shape[ax] = v.shape[0]
    return np.reshape(v, shape)


def _padded_ends(x: Any, ax: int) -> tuple[Any, Any]:
    """``x`` with a zero put before it, and with a zero put after it, along axis ``ax``."""
    before = [(0, 0)] * x.ndim
    after = [(0, 0)] * x.ndim
    before[ax] = (1, 0)
    after[ax] = (0, 1)
    return np.pad(x, before), np.pad(x, after)


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
        key.append(raw(_lying_along(pos, len(g_shape), i)))
    return tuple(key)


def _take_along_axis(g: Any, ans: Any, x: Any, indices: Any, axis: Any = -1, **kw: Any) -> Any:
    idx = raw(indices)
    if axis is None:
        return np.reshape(np.scatter_add((x.size,), idx, g), x.shape)
    ax = axis % x.ndim
    return np.scatter_add(x.shape, _along_axis_key(x.shape, g.shape, idx, ax, g), g)


def _sort(g: Any, ans: Any, x: Any, axis: Any = -1, **kw: Any) -> Any:
    # each output came from the position argsort names (at ties the function has no derivative)
    if axis is None:
        order = raw(np.argsort(np.ravel(x)))
        return np.reshape(np.scatter_add((x.size,), order, g), x.shape)
    order = raw(np.argsort(x, axis=axis))
    return _take_along_axis(g, ans, x, order, axis)


def _diff(g: Any, ans: Any, x: Any, n: int = 1, axis: int = -1, **kw: Any) -> Any:
    ax = axis % x.ndim
    for _ in range(n):  # y[k] = x[k + 1] - x[k]: each x[j] gets g[j - 1] - g[j]
        shifted, kept = _padded_ends(g, ax)
        g = shifted - kept
    # prepend= / append= values were concatenated around x: their part of g is dropped
    lead = 0
    if "prepend" in kw:
        p = np.asarray(kw["prepend"], device=g.device)
        lead = 1 if p.ndim == 0 else p.shape[ax]
    key = [slice(None)] * g.ndim
    key[ax] = slice(lead, lead + x.shape[ax])
    return g[tuple(key)]


def _cross_checked(a: Any, b: Any, kw: dict[str, Any]) -> None:
    if kw or a.shape[-1] != 3 or b.shape[-1] != 3:
        raise NotImplementedError(
            "cross: gradient rule only for 3-vectors along the last axis (no axisa/axisb/"
            "axisc/axis); spell 2-vector cross products out as a[..., 0] * b[..., 1] - ..."
        )


def _cross_a(g: Any, ans: Any, a: Any, b: Any, **kw: Any) -> Any:
    _cross_checked(a, b, kw)
    return unbroadcast(np.cross(b, g), a)


def _cross_b(g: Any, ans: Any, a: Any, b: Any, **kw: Any) -> Any:
    _cross_checked(a, b, kw)
    return unbroadcast(np.cross(g, a), b)


def _kron(argnum: int, g: Any, ans: Any, a: Any, b: Any) -> Any:
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    ia, ib = _LETTERS[:nd], _LETTERS[nd : 2 * nd]
    # out[i * p + k] = a[i] * b[k] on every axis: g, split into (i, k) pairs, meets the other
    blocks = np.reshape(g, [d for pair in zip(sa, sb) for d in pair])
    spec = "".join(i + k for i, k in zip(ia, ib))
    if argnum == 0:
        return np.reshape(np.einsum(f"{spec},{ib}->{ia}", blocks, np.reshape(b, sb)), a.shape)
    return np.reshape(np.einsum(f"{spec},{ia}->{ib}", blocks, np.reshape(a, sa)), b.shape)


def _vdot_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return np.reshape(np.conj(g * np.ravel(b)), a.shape)  # vdot conjugates its first operand


def _vdot_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return np.reshape(g * np.conj(np.ravel(a)), b.shape)


def _ptp(
    g: Any, ans: Any, x: Any, axis: Any = None, out: Any = None, keepdims: bool = False
) -> Any:
    hi = np.max(x, axis=axis, keepdims=keepdims)
    lo = np.min(x, axis=axis, keepdims=keepdims)
    return _extremum(g, hi, x, axis, keepdims=keepdims) - _extremum(
        g, lo, x, axis, keepdims=keepdims
    )


def _nansum(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    return np.where(np.isnan(x), 0, expand_to(g, x, axis))


def _nanmean(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    valid = ~np.isnan(x)
    n = np.sum(valid, axis=axis, keepdims=keepdims, dtype=g.dtype)
    return np.where(valid, expand_to(g / n, x, axis), 0)


def _average_weights(g: Any, x: Any, axis: Any, weights: Any) -> tuple[Any, Any]:
    """The weights broadcastable against ``x`` (1-D ones lie along the axis) and their sum.

    (With ``returned=True`` average gives a tuple, and tuples carry no rule: no call here.)
    """
    w = weights if isinstance(weights, Array) else np.asarray(weights, device=g.device)
    if w.ndim != x.ndim:
        w = _lying_along(w, x.ndim, axis % x.ndim)
    return w, np.sum(np.broadcast_to(w, x.shape), axis=axis, keepdims=True)


def _average(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    weights: Any = None,
    returned: bool = False,
    **kw: Any,
) -> Any:
    if weights is None:
        return _mean(g, ans, x, axis)
    w, total = _average_weights(g, x, axis, weights)
    return expand_to(g, x, axis) * (w / total)


def _average_of_weights(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    weights: Any = None,
    returned: bool = False,
    **kw: Any,
) -> Any:
    w, total = _average_weights(g, x, axis, weights)
    # d avg / d w_i = (x_i - avg) / sum(w), summed over the axes w is broadcast along
    spread = expand_to(g, x, axis) * (x - expand_to(ans, x, axis)) / total
    return np.reshape(unbroadcast(spread, w), shape_of(weights))


def _matrix_power(g: Any, ans: Any, a: Any, n: int) -> Any:
    if n == 0:
        return np.zeros(a.shape, dtype=g.dtype, device=g.device)
    base = a if n > 0 else linalg.inv(a)
    m = abs(n)
    powers = [None, base]  # powers[k] = base ** k for k = 1 .. m - 1
    for _ in range(2, m):
        powers.append(np.matmul(powers[-1], base))
    # d(B^m) = sum over k of B^k dB B^(m-1-k), so g meets transposed powers on either side
    total = None
    for k in range(m):
        term = g if k == 0 else np.matmul(_swap(powers[k]), g)
        if m - 1 - k:
            term = np.matmul(term, _swap(powers[m - 1 - k]))
        total = term if total is None else total + term
    return total if n > 0 else _inv(total, base, a)  # through B = inv(a)


defvjp(np.take_along_axis, _take_along_axis, keep="args")
defvjp(np.sort, _sort, keep="args")
defvjp(np.diff, _diff, keep="meta")
defvjp(np.cross, _cross_a, _cross_b, keep="args")
defvjp_argnum(np.kron, _kron, keep="args")
defvjp(np.vdot, _vdot_a, _vdot_b, keep="args")
defvjp(np.ptp, _ptp, keep="args")
defvjp(np.nansum, _nansum, keep="args")
defvjp(np.nanmean, _nanmean, keep="args")
for _f in (np.nanmax, np.nanmin):
    defvjp(_f, _extremum, keep="all")
defvjp(np.average, _average, None, _average_of_weights, keep="all")
defvjp(linalg.matrix_power, _matrix_power, keep="args")

# --------------------------------------------------------------------------------------------
# linear algebra


def _inv(g: Any, ans: Any, x: Any) -> Any:
    t = _swap(ans)
    return -np.matmul(np.matmul(t, g), t)


def _det(g: Any, ans: Any, x: Any) -> Any:
    return np.expand_dims(np.expand_dims(g * ans, -1), -1) * _swap(linalg.inv(x))


def _solve_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if b.ndim == 1 and a.ndim > 2:  # one vector solved against a stack of matrices
        gb = np.squeeze(linalg.solve(_swap(a), np.expand_dims(g, -1)), -1)
        return unbroadcast(gb, b)
    return linalg.solve(_swap(a), g)


def _solve_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if b.ndim == 1:
        gb = np.squeeze(linalg.solve(_swap(a), np.expand_dims(g, -1)), -1)
        return -np.expand_dims(gb, -1) * np.expand_dims(ans, -2)
    return -np.matmul(linalg.solve(_swap(a), g), _swap(ans))


def _norm(
    g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False
) -> Any:
    if ord not in (None, 2, "fro") or (ord == 2 and x.ndim > 1 and axis is None):
        raise NotImplementedError(
            f"linalg.norm: no gradient rule for ord={ord!r}; use ord=None (2-norm/Frobenius)"
        )
    scale = np.reshape(ans, keepdims_shape(x, axis))
    return expand_to(g, x, axis) * x / scale


defvjp(linalg.inv, _inv, keep="ans")
defvjp(linalg.det, _det, keep="all")
defvjp(linalg.solve, _solve_a, _solve_b, keep="all")
defvjp(linalg.norm, _norm, keep="all")


def _cholesky(g: Any, ans: Any, a: Any, upper: bool = False) -> Any:
    # A = L L^T gives dL = L phi(L^-1 dA L^-T), phi = lower triangle with the diagonal halved;
    # so the gradient is L^-T phi(L^T g) L^-1, symmetrized (A is symmetric)
    low, gl = (_swap(ans), _swap(g)) if upper else (ans, g)
    half = 1.0 - 0.5 * np.eye(low.shape[-1], dtype=g.dtype, device=g.device)
    phi = np.tril(np.matmul(_swap(low), gl)) * half
    lt = _swap(low)
    s = _swap(linalg.solve(lt, _swap(linalg.solve(lt, phi))))
    return (s + _swap(s)) * 0.5


defvjp(linalg.cholesky, _cholesky, keep="ans")


def _median(
    g: Any,
    ans: Any,
    x: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: bool = False,
    keepdims: bool = False,
) -> Any:
    if axis is not None and not isinstance(axis, int):
        raise NotImplementedError(
            "median: gradient rule for one axis or all; reshape to put the axes together"
        )
    flat = axis is None
    xs = np.ravel(x) if flat else x
    ax = 0 if flat else axis % x.ndim
    n = xs.shape[ax]
    mids = [n // 2] if n % 2 else [n // 2 - 1, n // 2]  # the middle value, or the two averaged
    picked = np.take(np.argsort(xs, axis=ax), mids, axis=ax)
    shape = [1 if i == ax else s for i, s in enumerate(xs.shape)]
    share = np.broadcast_to(np.reshape(g, shape) / len(mids), picked.shape)
    gx = _take_along_axis(share, None, xs, raw(picked), ax)
    return np.reshape(gx, x.shape) if flat else gx


defvjp(np.median, _median, keep="args")


def _trapezoid(g: Any, ans: Any, y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    ax = axis % y.ndim
    n = y.shape[ax]
    if x is None:
        steps = _lying_along(np.full(n - 1, dx, dtype=g.dtype, device=g.device), y.ndim, ax)
    else:
        xs = x if isinstance(x, Array) else np.asarray(x, device=g.device)
        steps = np.diff(_lying_along(xs, y.ndim, ax) if xs.ndim == 1 else xs, axis=ax)
    # each interval gives half its width to either end: y[k] weighs (d[k-1] + d[k]) / 2
    left, right = _padded_ends(steps, ax)
    return expand_to(g, y, ax) * ((left + right) * 0.5)


if hasattr(np, "trapezoid"):
    defvjp(np.trapezoid, _trapezoid, keep="args")
