"""The backward half: how the rules of recorded nodes are called, in one of two modes.

``gradients(roots, targets)`` walks the tape (``minpy.tape.backward``) from the seeds of the
outputs back to the traced inputs, calling each node's rules (``rule(g, ans, *args,
**kwargs)``; see ``minpy.numpy.vjps`` for the contract). The gradients of a multi-output
primitive's outputs meet at its holder node as one ``Cotangents`` (``minpy.record``), and under
an outer trace its kept outputs reach the rule as fresh ``select`` nodes of the holder. The modes:

Recorded mode
    Under an outer ``grad`` (higher order). The rules run on Arrays: the node's backend arrays
    are wrapped again, traced inputs with their nodes, so the outer trace records the backward
    pass like any other computation. Gradients are summed with ``add`` (recorded too).

Raw host mode
    When no trace is active, nothing needs recording, so a first-order pass avoids the Array
    layer where it can: ``RAW_HOST`` (``minpy.dispatch``) stands on the context stack, nodes
    release what they held as soon as they are used, and the rules of ``cpu(0)`` nodes receive
    and return the raw NumPy arrays themselves (operators on them cost no dispatch;
    primitives they call return NumPy arrays). Rules of nodes on other devices still get
    Arrays, unwrapped again afterwards. Every rule must therefore work on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy

from minpy import watch
from minpy.array import Array, wrap
from minpy.context import cpu, push_context, reset_context
from minpy.dispatch import RAW_HOST
from minpy.errors import GradientError
from minpy.numpy import vjps as _vjps  # noqa: F401  (the rules this pass calls: the table)
from minpy.primitive import registry
from minpy.record import Cotangents, select
from minpy.tape import Node, active_mask, backward

__all__ = ["gradients", "propagate", "propagate_raw", "unwrap"]

_CPU = cpu()
_NDARRAY = numpy.ndarray


def propagate(node: Node, g: Array, floor: int, bit: int) -> list[tuple[Node, Any]]:
    """The gradients of the node's parents that can reach a target (numbered at least
    ``floor``, in the trace of ``bit``), evaluating the rules on Arrays (recordable)."""
    prim = node.prim
    dev = node.device
    live = active_mask()
    ans = node.ans
    if ans.__class__ is tuple:
        ans = _outputs(node, ans, live)
    elif ans is not None:
        # the outer traces see the output as the node itself; a node of no active trace (an
        # inner grad's, finished) is a constant to them
        ans = wrap(ans, dev, node if node.mask & live else None)
    args = node.args
    argnums = node.argnums
    if prim.keep_args:
        # the node holds backend arrays; traced ones get their nodes back for higher order
        array_type = dev.backend.array_type
        rebuilt = []
        i = 0
        for a in args:
            if isinstance(a, array_type):
                p = node.parents[argnums.index(i)] if i in argnums else None
                a = wrap(a, dev, p if p is not None and p.mask & live else None)
            rebuilt.append(a)
            i += 1
        args = tuple(rebuilt)
    kwargs = node.kwargs
    vjps = prim.vjps
    out = []
    for argnum, parent in zip(argnums, node.parents):
        if parent.seq >= floor and parent.mask & bit:
            rule = vjps[argnum] if argnum < len(vjps) else None
            if rule is None:
                rule = prim.rule(argnum)  # the argnum-generic rule, or MissingVJPError
            v = rule(g, ans, *args, **kwargs) if kwargs else rule(g, ans, *args)
            if v is None:
                raise _returned_none(prim, argnum)
            out.append((parent, v))
    return out


def _outputs(node: Node, ans: tuple[Any, ...], live: int) -> tuple[Any, ...]:
    """The outputs a multi-output holder node keeps, as Arrays; for the outer traces each is
    item ``k`` of the holder (a fresh ``select`` node, the same function as the output's own)."""
    dev = node.device
    array_type = dev.backend.array_type
    traced = node.mask & live
    n = len(ans)
    return tuple(
        wrap(
            a,
            dev,
            Node((node,), (0,), node.mask, select(node.prim.name, k, n), device=dev)
            if traced and a.dtype.kind in "fc"
            else None,
        )
        if isinstance(a, array_type)
        else a
        for k, a in enumerate(ans)
    )


def _wrapped(g: Any, dev: Any) -> Any:
    """A raw gradient (or a ``Cotangents`` of them) as Arrays on ``dev``."""
    if g.__class__ is Cotangents:
        return Cotangents(None if x is None else _wrapped(x, dev) for x in g)
    return g if g.__class__ is Array else wrap(g, dev)


def _returned_none(prim: Any, argnum: int) -> GradientError:
    return GradientError(
        f"the gradient rule of {prim.name!r} for argument {argnum} returned None; a rule "
        "must return the gradient of that argument (zeros where it has none) or be left "
        "out, so that a gradient reaching it raises"
    )


def unwrap(v: Any) -> Any:
    """A rule's result as a backend array (rules may return Arrays, or NumPy or Python
    scalars: NumPy's operators on 0-d arrays give scalars, and ``1j * numpy.float64(2)`` a
    Python complex)."""
    if v.__class__ is Array:
        return v._data
    if isinstance(v, (numpy.generic, int, float, complex)):
        return numpy.asarray(v)
    return v


def _add_raw(a: Any, b: Any) -> Any:
    """``a + b`` of two backend arrays, kept an array (NumPy adds 0-d arrays into a scalar)."""
    total = a + b
    return total if total.__class__ is _NDARRAY or a.__class__ is not _NDARRAY else unwrap(total)


def propagate_raw(node: Node, g: Any, floor: int, bit: int) -> list[tuple[Node, Any]]:
    """``propagate`` in the raw host mode: ``g`` and the results are backend arrays.

    On the CPU the rules run on the NumPy arrays themselves; elsewhere ``g`` is wrapped and
    the rules run on Arrays as usual.
    """
    dev = node.device
    if dev is not _CPU:
        return [(p, unwrap(v)) for p, v in propagate(node, _wrapped(g, dev), floor, bit)]
    prim = node.prim
    args = node.args
    ans = node.ans
    kwargs = node.kwargs
    vjps = prim.vjps
    pairs = []
    for argnum, parent in zip(node.argnums, node.parents):
        if parent.seq >= floor and parent.mask & bit:
            rule = vjps[argnum] if argnum < len(vjps) else None
            if rule is None:
                rule = prim.rule(argnum)
            v = rule(g, ans, *args, **kwargs) if kwargs else rule(g, ans, *args)
            if v.__class__ is not _NDARRAY:
                if v is None:
                    raise _returned_none(prim, argnum)
                v = unwrap(v)
            pairs.append((parent, v))
    return pairs


def _add(a: Any, b: Any) -> Any:
    if a.__class__ is Cotangents:
        return a + b
    return registry["add"](a, b)


def gradients(
    roots: Iterable[tuple[Node, Array]], targets: Iterable[Node], bit: int, release: bool = True
) -> dict[Node, Array]:
    """``{target: gradient}`` from the ``(node, seed)`` pairs of the outputs of the trace
    ``bit``, as Arrays: recorded when an outer trace is active, else in the raw host mode.

    With ``release=False`` the raw host mode keeps the nodes, so the same tape can be walked
    again (``minpy.operators``: a vjp called several times, the rows of a Jacobian)."""
    if active_mask() or watch.active():
        # recorded mode; minpy.jit traces every backend call, so it needs the Array layer too
        return backward(roots, targets, propagate, _add, release=False, bit=bit)
    raw_roots = [(n, seed._data) for n, seed in roots]
    token = push_context(RAW_HOST)
    try:
        grads = backward(raw_roots, targets, propagate_raw, _add_raw, release, bit)
    finally:
        reset_context(token)
    return {node: wrap(unwrap(g), node.device) for node, g in grads.items()}
