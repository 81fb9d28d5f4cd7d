"""Tracing and the backward pass. Imports neither NumPy nor CuPy.

While ``grad`` runs, every operation whose inputs depend on a traced value records a ``Node``:
the primitive, what its rule needs, and the nodes of its traced inputs. Nodes are numbered in
creation order, so a node's inputs always have smaller numbers; walking nodes from the highest
number down is a valid reverse topological order, and nodes older than the oldest target can
be skipped outright.

Each active trace owns one bit. A node carries the bits of every trace it depends on, and an
operation is recorded only if it depends on a trace that is still active. So the backward pass
of a first-order gradient records nothing, while the backward pass of an inner ``grad`` inside
an outer one is recorded for the outer trace (higher-order gradients). The active bits live in
a ``ContextVar``: threads and async tasks trace independently.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["Meta", "Node", "active_mask", "backward", "start_trace", "stop_trace"]

_counter = itertools.count(1)
_active: contextvars.ContextVar[int] = contextvars.ContextVar("minpy_active_traces", default=0)


class Node:
    """One recorded operation (or a leaf: a traced input, with no parents).

    ``parents[i]`` is the node of positional argument ``argnums[i]``; ``prim``, ``args``,
    ``kwargs``, ``ans`` and ``device`` (where the output lives) are what the layer above needs
    to evaluate the rules, and are released once the node has been used by a backward pass
    that records nothing.
    """

    __slots__ = ("ans", "argnums", "args", "device", "kwargs", "mask", "parents", "prim", "seq")

    def __init__(
        self,
        parents: tuple[Node, ...],
        argnums: tuple[int, ...],
        mask: int,
        prim: Any = None,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        ans: Any = None,
        device: Any = None,
    ) -> None:
        self.parents = parents
        self.argnums = argnums
        self.mask = mask
        self.prim = prim
        self.args = args
        self.kwargs = kwargs
        self.ans = ans
        self.device = device
        self.seq = next(_counter)

    def release(self) -> None:
        """Drop everything the rules needed; the node can no longer be differentiated."""
        self.parents = ()
        self.argnums = ()
        self.args = ()
        self.kwargs = None
        self.ans = None

    def __repr__(self) -> str:
        name = getattr(self.prim, "name", "leaf")
        return f"<Node #{self.seq} {name} parents={[p.seq for p in self.parents]}>"


#: ``active_mask()``: the bits of the traces active in this thread or task (the ContextVar's
#: own ``get``, so the hot paths that call it pay for no extra Python frame)
active_mask: Callable[[], int] = _active.get


class Meta:
    """What a node keeps of an input whose rule needs only its shape, dtype and device."""

    __slots__ = ("device", "dtype", "shape")

    def __init__(self, a: Any) -> None:
        self.shape = a._data.shape
        self.dtype = a._data.dtype
        self.device = a._device

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n


def start_trace() -> int:
    """Open a trace; returns its bit (pass it to ``stop_trace``)."""
    mask = _active.get()
    bit = (mask + 1) & ~mask  # lowest free bit: nested traces get distinct bits
    _active.set(mask | bit)
    return bit


def stop_trace(bit: int) -> None:
    """Close the trace that owns ``bit``; values depending only on it stop being recorded."""
    _active.set(_active.get() & ~bit)


Propagate = Callable[[Node, Any, int, int], Iterable[tuple[Node, Any]]]


def backward(
    roots: Iterable[tuple[Node, Any]],
    targets: Iterable[Node],
    propagate: Propagate,
    add: Callable[[Any, Any], Any],
    release: bool,
    bit: int = -1,
) -> dict[Node, Any]:
    """Push the seed gradients of ``roots`` back to ``targets``; returns ``{target: grad}``.

    ``propagate(node, g, floor, bit)`` yields ``(parent, gradient)`` pairs for the node's
    traced inputs that can lead to a target: numbered at least ``floor`` (older ones cannot)
    and carrying the trace's ``bit`` (the others, such as the nodes of an inner ``grad`` that
    has finished, do not depend on the trace's inputs). ``add`` sums two gradients. With
    ``release``, each node drops what it held once used, so memory is given back while the
    pass runs (only safe when nothing records the pass).
    """
    target_set = set(targets)
    if not target_set:
        return {}
    floor = min(t.seq for t in target_set)
    # pending[seq] = [node, gradient so far]; the heap holds -seq, newest node first
    pending: dict[int, list[Any]] = {}
    heap: list[int] = []
    push = heapq.heappush
    for node, g in roots:
        if node.seq < floor:
            continue
        entry = pending.get(node.seq)
        if entry is None:
            pending[node.seq] = [node, g]
            push(heap, -node.seq)
        else:
            entry[1] = add(entry[1], g)
    pop = heapq.heappop
    grads: dict[Node, Any] = {}
    while heap:
        node, g = pending.pop(-pop(heap))
        if node in target_set:
            grads[node] = g  # targets are where the walk stops
            continue
        for parent, pg in propagate(node, g, floor, bit):
            entry = pending.get(parent.seq)
            if entry is None:
                pending[parent.seq] = [parent, pg]
                push(heap, -parent.seq)
            else:
                entry[1] = add(entry[1], pg)
        if release:
            node.parents = node.argnums = node.args = ()
            node.kwargs = node.ans = None
    return grads
