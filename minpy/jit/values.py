"""Arguments and results of a jitted call: signatures, leaves, output templates, escapes.

``flatten`` walks the arguments into a signature (the structure, the shape/dtype/device of
each array, the value of everything else) and the array leaves a replay reads;
``template``/``rebuild`` turn the traced call's output into a template of slots and back into
Arrays at each replay; ``check_escapes`` and ``externals`` are the checks on what outlives the
traced call.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy

from minpy.array import Array, wrap
from minpy.jit.instr import Slot
from minpy.jit.program import Out, Same
from minpy.jit.trace import Tracer

__all__ = [
    "Unhashable",
    "as_arrays",
    "check_escapes",
    "externals",
    "flatten",
    "hashable",
    "rebuild",
    "template",
]


class Unhashable(Exception):
    """An argument cannot be part of a signature (the call runs eagerly)."""


def hashable(x: Any) -> Any:
    try:
        hash(x)
    except TypeError:
        raise Unhashable(
            f"a static argument of type {type(x).__name__} is not hashable; make it hashable "
            "(a tuple instead of a list) or pass it as an ordinary argument"
        ) from None
    return (x.__class__, x)


def flatten(x: Any, leaves: list[Any], parts: list[Any]) -> None:
    """Append ``x``'s signature to ``parts`` and its arrays (Arrays, NumPy arrays) to
    ``leaves``."""
    cls = x.__class__
    if cls is Array:
        leaves.append(x)
        parts.append((x._data.shape, x._data.dtype, x._device))
    elif cls is tuple or cls is list:
        parts.append((cls, len(x)))
        for v in x:
            flatten(v, leaves, parts)
    elif cls is dict:
        parts.append((dict, tuple(x)))
        for v in x.values():
            flatten(v, leaves, parts)
    elif cls is numpy.ndarray:  # read as an input (an Array in the traced call)
        leaves.append(x)
        parts.append((x.shape, x.dtype, None))
    else:
        try:
            hash(x)
        except TypeError:
            raise Unhashable(
                f"an argument of type {type(x).__name__} is neither an array, a container of "
                "them, nor hashable; pass it through a closure or make it hashable"
            ) from None
        parts.append((cls, x))


def as_arrays(x: Any) -> Any:
    """``x`` with its NumPy arrays made Arrays (the traced call reads them as inputs)."""
    cls = x.__class__
    if cls is numpy.ndarray:
        return Array(x)
    if cls is tuple or cls is list:
        items = [as_arrays(v) for v in x]
        return x if all(a is b for a, b in zip(items, x)) else cls(items)
    if cls is dict:
        vals = {k: as_arrays(v) for k, v in x.items()}
        return x if all(vals[k] is v for k, v in x.items()) else vals
    return x


def template(
    out: Any, t: Tracer, index: dict[int, int], outputs: list[Slot], devices: list[Any]
) -> Any:
    cls = out.__class__
    if cls is Array:
        i = index.get(id(out))
        if i is not None:
            return Same(i)
        ref = t.ref(out._data)
        if ref is None:
            t.fail("the function returned an array that minpy.jit could not follow")
            return None
        outputs.append(ref)
        devices.append(out._device)
        return Out(len(outputs) - 1)
    if cls is tuple or cls is list:
        return cls(template(v, t, index, outputs, devices) for v in out)
    if hasattr(out, "_fields") and isinstance(out, tuple):
        return cls(*[template(v, t, index, outputs, devices) for v in out])
    if cls is dict:
        return {k: template(v, t, index, outputs, devices) for k, v in out.items()}
    if isinstance(out, (numpy.ndarray, numpy.generic)) or not isinstance(
        out, (int, float, complex, str, bytes, type(None))
    ):
        t.fail(f"the function returned a {type(out).__name__}, which a replay cannot remake")
    return out


def rebuild(template: Any, outs: tuple[Any, ...], arrays: list[Array], devices: list[Any]) -> Any:
    cls = template.__class__
    if cls is Out:
        return wrap(outs[template.i], devices[template.i])
    if cls is Same:
        return arrays[template.i]
    if cls is tuple or cls is list:
        return cls(rebuild(v, outs, arrays, devices) for v in template)
    if cls is dict:
        return {k: rebuild(v, outs, arrays, devices) for k, v in template.items()}
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return cls(*[rebuild(v, outs, arrays, devices) for v in template])
    return template


def _reachable(out: Any, found: set[int]) -> None:
    cls = out.__class__
    if cls is Array:
        a = out
        while a is not None and id(a) not in found:
            found.add(id(a))
            a = getattr(a._state, "base", None)
    elif isinstance(out, (tuple, list)):
        for v in out:
            _reachable(v, found)
    elif isinstance(out, dict):
        for v in out.values():
            _reachable(v, found)


def check_escapes(t: Tracer, out: Any) -> None:
    """Fail if an Array made during the call outlives it other than through ``out`` (not
    looked for once the call has failed already: it may take a garbage collection)."""
    if t.cause is not None:
        return
    ok: set[int] = {id(a) for a, _ in t.inputs}
    _reachable(out, ok)
    for attempt in range(2):
        if not any((a := r()) is not None and id(a) not in ok for r in t.created):
            return
        if attempt == 0:
            gc.collect()
    t.fail(
        "an array made inside the function outlives the call other than through its return "
        "value (stored in an object, a global or a list)"
    )


def externals(t: Tracer) -> list[weakref.ref[Array]]:
    """Weak references to the arrays read from outside; fail if one was a temporary (an array
    made inside the call by an operation the trace could not see)."""
    refs = [weakref.ref(a) for a, _ in t.inputs[t.n_args :]]
    t.inputs[t.n_args :] = [(None, n) for _, n in t.inputs[t.n_args :]]  # type: ignore[misc]
    if any(r() is None for r in refs):
        gc.collect()
        if any(r() is None for r in refs):
            t.fail(
                "an array the function read from outside was replaced during the call (e.g. a "
                "running statistic stored back into the model), or was made by an operation "
                "minpy.jit cannot see"
            )
    return refs
