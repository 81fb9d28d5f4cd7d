"""Tracing a function's inputs and reading its outputs: what ``grad`` and the operators share.

``grad_call`` is one differentiated call: open a trace, replace the chosen arguments (arrays,
numbers, dicts/lists/tuples of them) by traced Arrays (``trace_input``), run the function,
collect the seeds of its outputs (``collect_roots``), run the backward pass
(``minpy.backprop.gradients``) and rebuild each argument's structure with its gradient
(``gradient_of``). The user-facing operators live above, in ``minpy.operators`` and
``minpy.core``; nothing here is public API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy

import minpy.numpy as np
from minpy import watch
from minpy.array import Array, wrap
from minpy.backprop import gradients
from minpy.context import current_context
from minpy.errors import GradientError
from minpy.primitive import Primitive
from minpy.tape import Meta, Node, active_mask, start_trace, stop_trace

__all__ = [
    "Argnum",
    "Kept",
    "Leaf",
    "collect_roots",
    "detach",
    "filled_like",
    "grad_call",
    "gradient_of",
    "ones_like",
    "parse_argnum",
    "seed",
    "trace_input",
]

Argnum = int | Sequence[int]

# a traced input of an outer grad enters an inner one through this identity
_enter = Primitive("identity", register=False)
_enter.defvjp(lambda g, ans, x: g, keep="meta")


# --------------------------------------------------------------------------------------------
# tracing inputs and reading outputs


class Leaf:
    """One traced input: what was traced, its node, and how to hand its gradient back."""

    __slots__ = ("meta", "node", "restore", "scalar")

    def __init__(self, array: Array, scalar: type | None, restore: tuple[Any, ...] | None) -> None:
        self.meta = Meta(array)  # the traced values' shape, dtype and device
        # kept apart: the function may rebind the Array in place (a traced input has a node)
        self.node: Node = array._node  # type: ignore[assignment]
        self.scalar = scalar  # float or complex: the input was a Python number of that type
        # the caller's own Array, traced in place: (array, data, node, state, views) to put back
        self.restore = restore

    def put_back(self) -> None:
        """Give the caller's Array back its own values and state (it was traced in place)."""
        if self.restore is not None:
            a, a._data, a._node, a._state, a._views = self.restore


def _describe(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _label(where: Any) -> str:
    return f"argument {where}" if where.__class__ is int else str(where)


def trace_input(x: Any, bit: int, where: Any, leaves: list[Leaf]) -> Any:
    """``x`` with every array or number in it replaced by a traced Array.

    An Array is traced in place: the caller's own object carries the trace while ``fun``
    runs, so the same object reached through a closure, an attribute or a container is
    differentiated too (MinPy's ``loss(*params)`` reading ``model.params``); its values and
    state are given back afterwards (``Leaf.put_back``). An Array that an outer ``grad``
    traces already is traced as a copy (a closure that reads it means the outer value, so
    the inner trace must not claim it), and so is an Array passed a second time. ``where``
    names ``x`` for errors: an argument index, or a path string inside one.
    """
    if isinstance(x, Array):
        data, dev = x._data, x._device
        if data.dtype.kind not in "fc":
            data = data.astype(numpy.float64)
        parent = x._node
        if parent is not None and parent.mask & active_mask():
            node = Node((parent,), (0,), parent.mask | bit, _enter, (Meta(x),), None, None, dev)
        else:
            node = Node((), (), bit, device=dev)
        outer = node.parents != ()
        if outer or any(leaf.restore is not None and leaf.restore[0] is x for leaf in leaves):
            # traced by an outer grad already (the closure may use it as the outer's value:
            # no perturbation confusion), or passed again: a copy, traced on its own
            t = wrap(data, dev, node)
            leaves.append(Leaf(t, None, None))
            return t
        restore = (x, x._data, x._node, x._state, getattr(x, "_views", None))
        # for the call, a plain traced array: writes rebind it, not its base or its views
        x._data, x._node, x._state, x._views = data, node, None, None
        leaves.append(Leaf(x, None, restore))
        return x
    if isinstance(x, (bool, numpy.bool_)) or x is None or isinstance(x, (str, bytes)):
        raise TypeError(
            f"grad: {_label(where)} is {type(x).__name__} {_describe(x)}, which cannot be "
            "differentiated; pass an array or a number, or leave it out of argnum"
        )
    if isinstance(x, (int, float, complex, numpy.number)):
        dev = current_context()
        kind = complex if isinstance(x, (complex, numpy.complexfloating)) else float
        dtype = numpy.complex128 if kind is complex else numpy.float64
        data = dev.backend.asarray(kind(x), dev, dtype)  # type: ignore[arg-type]
        t = wrap(data, dev, Node((), (), bit, device=dev))
        leaves.append(Leaf(t, kind if isinstance(x, (int, float, complex)) else None, None))
        return t
    if isinstance(x, numpy.ndarray):
        return trace_input(np.array(x), bit, where, leaves)
    if isinstance(x, dict):
        return {k: trace_input(v, bit, f"{_label(where)}[{k!r}]", leaves) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        items = [trace_input(v, bit, f"{_label(where)}[{i}]", leaves) for i, v in enumerate(x)]
        return items if isinstance(x, list) else tuple(items)
    raise TypeError(
        f"grad: {_label(where)} is {type(x).__name__} {_describe(x)}, which cannot be "
        "differentiated; pass arrays, numbers, or dicts/lists/tuples of them"
    )


def ones_like(x: Array) -> Array:
    """An untraced Array of ones shaped like ``x`` on its device (a seed)."""
    dev = x._device
    backend = dev.backend
    scope = None if backend.on_host else backend.scope(dev)
    if scope is None:
        return wrap(watch.run(backend.xp.ones, x._data.shape, x._data.dtype), dev)
    with scope:
        return wrap(watch.run(backend.xp.ones, x._data.shape, x._data.dtype), dev)


def collect_roots(out: Any, bit: int, roots: list[tuple[Node, Any]], holomorphic: bool) -> None:
    """Collect ``(node, seed)`` for each traced Array in the function's output."""
    if isinstance(out, Array):
        n = out._node
        if n is not None and n.mask & bit:
            if out._data.dtype.kind == "c" and not holomorphic:
                raise TypeError(
                    f"grad: the function returned a complex value ({out.dtype}); grad "
                    "differentiates real-valued functions. Use minpy.core.holomorphic_grad "
                    "for a holomorphic function, or return a real loss such as np.abs(z) ** 2 "
                    "or np.real(z)"
                )
            roots.append((n, ones_like(out)))
        return
    if isinstance(out, (tuple, list)):
        for o in out:
            collect_roots(o, bit, roots, holomorphic)
        return
    if isinstance(out, (int, float, complex, numpy.number, numpy.ndarray)) and not isinstance(
        out, bool
    ):
        return
    raise TypeError(
        f"grad: the function returned {type(out).__name__} {_describe(out)}; it must return "
        "an array or a number (the loss), or a tuple of them"
    )


def detach(out: Any) -> Any:
    """The output with nodes of finished traces dropped (outer traces keep theirs)."""
    if isinstance(out, Array):
        n = out._node
        if n is not None and not n.mask & active_mask():
            return wrap(out._data, out._device)
        return out
    if isinstance(out, tuple):
        return tuple(detach(o) for o in out)
    if isinstance(out, list):
        return [detach(o) for o in out]
    return out


def gradient_of(x: Any, leaves: Iterator[Leaf], grads: dict[Node, Any], seen: set[int]) -> Any:
    """Rebuild the structure of input ``x`` with gradients in place of its arrays.

    Two inputs never share one gradient buffer (``x + y`` gives both the same one): the second
    gets a copy, so updating one gradient in place cannot change another; nor does a gradient
    come back as a broadcast view (read-only in NumPy, aliased elements in CuPy).
    """
    if isinstance(x, dict):
        return {k: gradient_of(v, leaves, grads, seen) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and not isinstance(x, Array):
        items = [gradient_of(v, leaves, grads, seen) for v in x]
        return items if isinstance(x, list) else tuple(items)
    leaf = next(leaves)
    t = leaf.meta
    g = grads.get(leaf.node)
    if g is None:
        g = np.zeros(t.shape, dtype=t.dtype, device=t.device)
    elif not isinstance(g, Array):
        g = np.asarray(g, device=t.device)
    if g._data.dtype.kind == "c" and t.dtype.kind != "c":
        g = np.real(g)  # a real input's gradient is real (its values were promoted to complex)
    if g.shape != t.shape:
        g = np.broadcast_to(g, t.shape)
    if leaf.scalar is not None:
        n = g._node
        if n is None or not n.mask & active_mask():
            return leaf.scalar(g)  # a Python number, unless an outer trace needs the Array
    data = g._data
    owner = data.base if data.base is not None else data
    if id(owner) in seen or not _writable_alone(data):
        g = np.copy(g)
        owner = g._data
    seen.add(id(owner))
    return g


def _writable_alone(data: Any) -> bool:
    """Whether writing into ``data`` changes each element once (no read-only broadcast view)."""
    if not getattr(data.flags, "writeable", True):  # CuPy's flags have no writeable
        return False
    return all(st or n <= 1 for st, n in zip(data.strides, data.shape))


def parse_argnum(argnum: Argnum, nargs: int, fun: Callable[..., Any]) -> tuple[list[int], bool]:
    if argnum.__class__ is int and 0 <= argnum < nargs:
        return [argnum], True
    single = isinstance(argnum, (int, numpy.integer)) and not isinstance(argnum, bool)
    if not single and not isinstance(argnum, (list, tuple, range)):
        raise TypeError(
            f"grad: argnum must be an int or a list/tuple/range of ints, got "
            f"{type(argnum).__name__} {argnum!r}; e.g. argnum=0 or argnum=[0, 1]"
        )
    nums = [int(argnum)] if single else list(argnum)  # type: ignore[arg-type]
    name = getattr(fun, "__name__", "the function")
    for i in nums:
        if not isinstance(i, (int, numpy.integer)) or isinstance(i, bool):
            raise TypeError(f"grad: argnum entries must be ints, got {i!r}; e.g. argnum=[0, 1]")
        if not -nargs <= i < nargs:
            raise GradientError(
                f"grad: argnum {i} is out of range: {name} was called with {nargs} positional "
                f"argument(s); pass that argument or use argnum in range({nargs})"
            )
    return [i % nargs for i in nums], single


def grad_call(
    fun: Callable[..., Any],
    argnum: Argnum,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    holomorphic: bool = False,
) -> tuple[Any, Any]:
    nums, single = parse_argnum(argnum, len(args), fun)
    bit = start_trace()
    try:
        leaves: list[Leaf] = []
        traced_args = list(args)
        for i in dict.fromkeys(nums):
            traced_args[i] = trace_input(args[i], bit, i, leaves)
        if holomorphic:
            _check_complex(leaves)
        out = fun(*traced_args, **kwargs)
        roots: list[tuple[Node, Any]] = []
        collect_roots(out, bit, roots, holomorphic)
    finally:
        stop_trace(bit)
        for leaf in reversed(leaves):  # the caller's Arrays, as they were
            leaf.put_back()
    grads = gradients(roots, [leaf.node for leaf in leaves], bit)
    it = iter(leaves)
    seen: set[int] = set()
    per_arg = {i: gradient_of(args[i], it, grads, seen) for i in dict.fromkeys(nums)}
    result = per_arg[nums[0]] if single else [per_arg[i] for i in nums]
    return result, detach(out)


def _check_complex(leaves: list[Leaf]) -> None:
    for leaf in leaves:
        if leaf.meta.dtype.kind != "c":
            raise TypeError(
                f"holomorphic_grad: an input is {leaf.meta.dtype}; a holomorphic derivative "
                "needs complex inputs: pass complex values (e.g. x + 0j), or use grad for a "
                "real-valued function"
            )


# --------------------------------------------------------------------------------------------
# one traced call whose tape is kept


class Kept:
    """One traced call of ``fun``: its output and the tape behind it, for many backward passes."""

    __slots__ = ("args", "bit", "leaves", "nums", "out", "single")

    def __init__(
        self, fun: Callable[..., Any], argnum: Argnum, args: tuple[Any, ...], kwargs: Any
    ) -> None:
        self.nums, self.single = parse_argnum(argnum, len(args), fun)
        self.args = args
        self.leaves: list[Leaf] = []
        self.bit = start_trace()
        try:
            traced = list(args)
            for i in dict.fromkeys(self.nums):
                traced[i] = trace_input(args[i], self.bit, i, self.leaves)
            self.out = fun(*traced, **kwargs)
        finally:
            stop_trace(self.bit)
            for leaf in reversed(self.leaves):
                leaf.put_back()

    def vjp(self, g: Any) -> Any:
        """The cotangent of the traced argument(s) for the output cotangent ``g``."""
        roots: list[tuple[Node, Any]] = []
        seed(self.out, g, self.bit, roots)
        targets = [leaf.node for leaf in self.leaves]
        grads = gradients(roots, targets, self.bit, release=False)
        it = iter(self.leaves)
        seen: set[int] = set()
        per_arg = {i: gradient_of(self.args[i], it, grads, seen) for i in dict.fromkeys(self.nums)}
        return per_arg[self.nums[0]] if self.single else [per_arg[i] for i in self.nums]


def seed(out: Any, g: Any, bit: int, roots: list[tuple[Node, Any]]) -> None:
    """Pair each traced Array of ``out`` with its part of ``g`` (same structure and shapes)."""
    if isinstance(out, Array):
        n = out._node
        if n is not None and n.mask & bit:
            roots.append((n, as_seed(g, out)))
        return
    if isinstance(out, (tuple, list)):
        if not isinstance(g, (tuple, list)) or len(g) != len(out):
            raise ValueError(
                f"vjp: the function returned a {type(out).__name__} of {len(out)} values, so "
                f"the cotangent must be a tuple or list of {len(out)}; got {g!r}"
            )
        for o, v in zip(out, g):
            seed(o, v, bit, roots)
        return
    if isinstance(out, dict):
        for k, o in out.items():
            seed(o, g[k], bit, roots)


def _copy(raw: Any) -> Any:
    return raw.copy()


def as_seed(g: Any, out: Array) -> Array:
    """``g`` as an Array shaped like ``out`` on its device, never aliasing the caller's buffer."""
    if not isinstance(g, Array):
        s = wrap(np.asarray(g, dtype=out._data.dtype, device=out._device)._data, out._device)
    elif g._node is None or not g._node.mask & active_mask():
        s = wrap(watch.run(_copy, g._data), g._device)
    else:
        s = g  # traced by an outer trace: the seed must keep its node
    if s.shape != out.shape:
        raise ValueError(
            f"vjp: the cotangent has shape {s.shape!r} but the output has shape "
            f"{out.shape!r}; pass an array of the output's shape"
        )
    return s


def filled_like(x: Any, fill: float) -> Any:
    """Untraced arrays of ``fill`` with the structure of ``x`` (nested tuples, lists, dicts):
    zeros where a vjp is linearized, ones as a seed."""
    if isinstance(x, (tuple, list)):
        return type(x)(filled_like(o, fill) for o in x)
    if isinstance(x, dict):
        return {k: filled_like(o, fill) for k, o in x.items()}
    a = x if isinstance(x, Array) else np.asarray(x)
    return np.full(a.shape, fill, dtype=a.dtype, device=a._device)
