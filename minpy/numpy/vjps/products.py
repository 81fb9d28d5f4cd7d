"""Rules of the products: dot, matmul, tensordot, outer, inner, vdot, einsum, kron, cross,
and the generalized ufuncs vecdot, matvec, vecmat.

Products are holomorphic in each operand, so for complex operands the rules are the real
formulas without conjugates (the package docstring gives the convention), except ``vdot``,
``vecdot`` and ``vecmat``, which conjugate their (first) vector operand. A real operand
multiplied by a complex one gets the real part of its gradient (``drop_imag``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import minpy.numpy as np
from minpy.numpy.vjps._helpers import (
    drop_imag,
    inverse_perm,
    is_complex,
    shape_of,
    swap,
    unbroadcast,
)
from minpy.primitive import defvjp, defvjp_argnum


def _real_for_real(*rules: Callable[..., Any]) -> tuple[Callable[..., Any], ...]:
    """The rules, each giving a real gradient where its operand is real (``drop_imag``)."""

    def real_for_real(rule: Callable[..., Any], argnum: int) -> Callable[..., Any]:
        def wrapped(g: Any, ans: Any, *args: Any, **kw: Any) -> Any:
            return drop_imag(rule(g, ans, *args, **kw), args[argnum])

        return wrapped

    return tuple(real_for_real(r, i) for i, r in enumerate(rules))


def _real_for_real_argnum(rule: Callable[..., Any]) -> Callable[..., Any]:
    """An argnum-generic rule giving a real gradient where its operand is real."""

    def wrapped(argnum: int, g: Any, ans: Any, *args: Any, **kw: Any) -> Any:
        return drop_imag(rule(argnum, g, ans, *args, **kw), args[argnum])

    return wrapped


# --------------------------------------------------------------------------------------------
# dot, matmul, tensordot, outer, inner, vdot


def _ndim(x: Any) -> int:
    """Dimensions of an array or a Python number (0)."""
    return getattr(x, "ndim", 0)


def _dot_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if _ndim(a) == 0 or _ndim(b) == 0:
        return unbroadcast(g * b, a)
    if b.ndim == 1:
        return np.expand_dims(g, -1) * b if a.ndim > 1 else g * b
    if a.ndim <= 2 and b.ndim == 2:
        return np.dot(g, b.T)
    gaxes = list(range(g.ndim - b.ndim + 1, g.ndim))
    baxes = [*range(b.ndim - 2), b.ndim - 1]
    return np.tensordot(g, b, axes=(gaxes, baxes))


def _dot_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if _ndim(a) == 0 or _ndim(b) == 0:
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


defvjp(np.dot, *_real_for_real(_dot_a, _dot_b), keep="args")


def _matmul_a(g: Any, a: Any, b: Any) -> Any:
    if a.ndim == 1 and b.ndim == 1:
        return g * b
    if b.ndim == 1:
        return unbroadcast(np.expand_dims(g, -1) * b, a)
    if a.ndim == 1:
        return unbroadcast(np.squeeze(np.matmul(np.expand_dims(g, -2), swap(b)), -2), a)
    return unbroadcast(np.matmul(g, swap(b)), a)


def _matmul_b(g: Any, a: Any, b: Any) -> Any:
    if a.ndim == 1 and b.ndim == 1:
        return g * a
    if a.ndim == 1:
        return unbroadcast(np.expand_dims(a, -1) * np.expand_dims(g, -2), b)
    if b.ndim == 1:
        return unbroadcast(np.squeeze(np.matmul(swap(a), np.expand_dims(g, -1)), -1), b)
    return unbroadcast(np.matmul(swap(a), g), b)


def _tensordot_axes(a: Any, b: Any, axes: Any) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    ax, bx = axes
    ax = [ax] if isinstance(ax, int) else list(ax)
    bx = [bx] if isinstance(bx, int) else list(bx)
    return [i % a.ndim for i in ax], [i % b.ndim for i in bx]


def _tensordot_a(g: Any, ans: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    ax, bx = _tensordot_axes(a, b, axes)
    a_free = [i for i in range(a.ndim) if i not in ax]
    b_free = [i for i in range(b.ndim) if i not in bx]
    gaxes = list(range(len(a_free), g.ndim))
    r = np.tensordot(g, b, axes=(gaxes, b_free))
    src = a_free + [ax[bx.index(j)] for j in sorted(bx)]
    return np.transpose(r, inverse_perm(src))


def _tensordot_b(g: Any, ans: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    ax, bx = _tensordot_axes(a, b, axes)
    a_free = [i for i in range(a.ndim) if i not in ax]
    b_free = [i for i in range(b.ndim) if i not in bx]
    r = np.tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
    src = [bx[ax.index(i)] for i in sorted(ax)] + b_free
    return np.transpose(r, inverse_perm(src))


defvjp(np.tensordot, *_real_for_real(_tensordot_a, _tensordot_b), keep="args")
defvjp(
    np.outer,
    *_real_for_real(
        lambda g, ans, a, b: np.reshape(np.dot(g, np.ravel(b)), shape_of(a)),
        lambda g, ans, a, b: np.reshape(np.dot(np.ravel(a), g), shape_of(b)),
    ),
    keep="args",
)


def _inner_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if _ndim(a) == 0 or _ndim(b) == 0:
        return unbroadcast(g * b, a)
    return np.tensordot(g, b, axes=(list(range(a.ndim - 1, g.ndim)), list(range(b.ndim - 1))))


def _inner_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if _ndim(a) == 0 or _ndim(b) == 0:
        return unbroadcast(g * a, b)
    return np.tensordot(g, a, axes=(list(range(a.ndim - 1)), list(range(a.ndim - 1))))


defvjp(np.inner, *_real_for_real(_inner_a, _inner_b), keep="args")


def _vdot_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return np.reshape(np.conj(g * np.ravel(b)), a.shape)  # vdot conjugates its first operand


def _vdot_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return np.reshape(g * np.conj(np.ravel(a)), b.shape)


defvjp(np.vdot, *_real_for_real(_vdot_a, _vdot_b), keep="args")

# --------------------------------------------------------------------------------------------
# matmul, vecdot, matvec, vecmat: generalized ufuncs, whose loop axes broadcast and whose core
# axes (last by default) are placed by axes=, axis= and keepdims=


def _core_axes(kw: dict[str, Any], cores: tuple[int, int, int]) -> list[tuple[int, ...]] | None:
    """Where ``axes=``/``axis=``/``keepdims=`` put the core axes of the two operands and of the
    output (an axis kept by ``keepdims`` counts as the output's); None: last, as by default."""
    axes, axis, keep = kw.get("axes"), kw.get("axis"), kw.get("keepdims", False)
    if axes is None and axis is None and not keep:
        return None
    counts = (cores[0], cores[1], cores[2] or int(bool(keep)))
    found = [tuple(range(-k, 0)) for k in counts]
    if axis is not None:
        found = [(axis,)] * 3
    for i, a in enumerate(axes or ()):
        found[i] = tuple(a) if isinstance(a, (tuple, list)) else (a,)
    found[2] = found[2][: counts[2]]
    return found


def _gufunc(core: Callable[..., Any], cores: tuple[int, int, int]) -> Callable[..., Any]:
    """The rule of a two-operand gufunc from ``core(argnum, g, a, b)``, its rule for operands
    and an output whose core axes are last."""

    def rule(argnum: int, g: Any, ans: Any, a: Any, b: Any, **kw: Any) -> Any:
        where = _core_axes(kw, cores)
        if where is None:
            return core(argnum, g, a, b)
        last = [tuple(range(-len(w), 0)) for w in where]
        a, b = np.moveaxis(a, where[0], last[0]), np.moveaxis(b, where[1], last[1])
        if where[2]:
            g = np.moveaxis(g, where[2], last[2])
        if kw.get("keepdims"):  # vecdot's reduced axis, kept with size 1
            g = np.squeeze(g, -1)
        return np.moveaxis(core(argnum, g, a, b), last[argnum], where[argnum])

    return rule


def _matmul(argnum: int, g: Any, a: Any, b: Any) -> Any:
    return (_matmul_b if argnum else _matmul_a)(g, a, b)


defvjp_argnum(np.matmul, _real_for_real_argnum(_gufunc(_matmul, (2, 2, 2))), keep="args")


def _vecdot(argnum: int, g: Any, a: Any, b: Any) -> Any:
    g = np.expand_dims(g, -1)  # sum over n of conj(a) b: a is conjugated, as in vdot
    conj = np.conj if is_complex(a) else (lambda v: v)
    return unbroadcast(conj(g * b), a) if argnum == 0 else unbroadcast(g * conj(a), b)


def _matvec(argnum: int, g: Any, a: Any, v: Any) -> Any:
    if argnum == 0:  # (m, n), (n) -> (m)
        return unbroadcast(np.expand_dims(g, -1) * np.expand_dims(v, -2), a)
    return unbroadcast(np.matvec(swap(a), g), v)


def _vecmat(argnum: int, g: Any, v: Any, a: Any) -> Any:
    conj = np.conj if is_complex(v) else (lambda x: x)  # (n), (n, m) -> (m), v conjugated
    if argnum == 0:
        return unbroadcast(conj(np.matvec(a, g)), v)
    return unbroadcast(np.expand_dims(conj(v), -1) * np.expand_dims(g, -2), a)


if hasattr(np, "vecdot"):  # NumPy 2
    defvjp_argnum(np.vecdot, _gufunc(_vecdot, (1, 1, 0)), keep="args")
if hasattr(np, "matvec"):  # NumPy 2.2
    defvjp_argnum(np.matvec, _gufunc(_matvec, (2, 1, 1)), keep="args")
    defvjp_argnum(np.vecmat, _gufunc(_vecmat, (1, 2, 1)), keep="args")

# --------------------------------------------------------------------------------------------
# einsum and kron (both spelled with subscript letters)

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


def _einsum_sublists(args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """The subscripts and operands of einsum's interleaved form ``(a, [0, 1], b, [1], [0])``."""

    def letters(sub: Any) -> str:
        spec = ""
        for i in sub:
            if i is Ellipsis:
                spec += "..."
                continue
            try:
                spec += _LETTERS[operator.index(i)]
            except (TypeError, IndexError):
                raise ValueError(
                    f"einsum: a subscript list holds {i!r}; use integers in [0, 52) or ..."
                ) from None
        return spec

    ops, subs = args[0:-1:2], args[1::2]
    spec = ",".join(letters(s) for s in subs[: len(ops)])
    if len(args) % 2:  # an odd count: the last list names the output's axes
        spec += "->" + letters(args[-1])
    return spec, ops


def _einsum_any(argnum: int, g: Any, ans: Any, *args: Any, **kw: Any) -> Any:
    if isinstance(args[0], str):
        return _einsum_rule(argnum, g, ans, *args, **kw)
    subscripts, ops = _einsum_sublists(args)  # operands sit at the even positions
    return _einsum_rule(argnum // 2 + 1, g, ans, subscripts, *ops, **kw)


defvjp_argnum(np.einsum, _real_for_real_argnum(_einsum_any), keep="args")


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


defvjp_argnum(np.kron, _real_for_real_argnum(_kron), keep="args")

# --------------------------------------------------------------------------------------------
# cross product


def _cross_axes(a: Any, b: Any, kw: dict[str, Any]) -> tuple[int, int, int]:
    """``axisa``, ``axisb``, ``axisc`` of a cross product (``axis`` overrides all three), each
    made non-negative; the vectors must be 3-vectors."""
    axis = kw.get("axis")
    axes = [kw.get(k, -1) if axis is None else axis for k in ("axisa", "axisb", "axisc")]
    if a.shape[axes[0]] != 3 or b.shape[axes[1]] != 3:
        raise NotImplementedError(
            f"cross: gradient rule only for 3-vectors, got vectors of {a.shape[axes[0]]} and "
            f"{b.shape[axes[1]]} components (NumPy 2 deprecates 2-vectors); pad them with a "
            "zero third component: np.concatenate([v, np.zeros_like(v[..., :1])], axis=-1)"
        )
    nc = max(a.ndim, b.ndim)  # the result's dimensions: broadcast batch axes plus the vector
    return axes[0] % a.ndim, axes[1] % b.ndim, axes[2] % nc


def _cross_rule(argnum: int, g: Any, ans: Any, a: Any, b: Any, **kw: Any) -> Any:
    axa, axb, axc = _cross_axes(a, b, kw)
    g = np.moveaxis(g, axc, -1)
    if argnum == 0:  # d(a x b) = da x b, so the gradient of a is b x g (and of b, g x a)
        r = np.cross(np.moveaxis(b, axb, -1), g)
        return np.moveaxis(unbroadcast(r, np.moveaxis(a, axa, -1)), -1, axa)
    r = np.cross(g, np.moveaxis(a, axa, -1))
    return np.moveaxis(unbroadcast(r, np.moveaxis(b, axb, -1)), -1, axb)


defvjp_argnum(np.cross, _real_for_real_argnum(_cross_rule), keep="args")
