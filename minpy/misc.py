"""Helpers for nested parameters: ``flatten`` a dict/list/tuple of arrays into one vector.

HIPS autograd's ``autograd.misc.flatten``: optimizers and ``make_hvp`` want one flat vector,
models keep dicts of arrays. Both directions are minpy operations, so they are
differentiable. Nothing here traces on its own; this module sits above ``minpy.core``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array

__all__ = ["flatten"]


def _leaves(value: Any, out: list[Array]) -> Any:
    """Collect the arrays of ``value`` in order; return its structure with shapes in their place."""
    if isinstance(value, dict):
        return dict, [(k, _leaves(value[k], out)) for k in sorted(value)]
    if isinstance(value, (list, tuple)):
        return type(value), [_leaves(v, out) for v in value]
    if not isinstance(value, (Array, numpy.ndarray, numpy.number, int, float, complex)) or (
        isinstance(value, bool)
    ):
        raise TypeError(
            f"flatten: {type(value).__name__} {value!r} is not an array or a number; pass "
            "dicts, lists and tuples of arrays and numbers"
        )
    a = np.asarray(value)
    out.append(a)
    return a.shape


def _rebuild(spec: Any, flat: Any, start: int) -> tuple[Any, int]:
    """The value that ``spec`` describes, its arrays cut from ``flat`` from ``start`` on."""
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], type):
        kind, items = spec
        if kind is dict:
            d = {}
            for k, sub in items:
                d[k], start = _rebuild(sub, flat, start)
            return d, start
        parts = []
        for sub in items:
            part, start = _rebuild(sub, flat, start)
            parts.append(part)
        return (parts if kind is list else kind(parts)), start
    size = 1
    for s in spec:
        size *= s
    return np.reshape(flat[start : start + size], spec), start + size


def flatten(value: Any) -> tuple[Array, Callable[[Any], Any]]:
    """``value`` (arrays and numbers in dicts, lists, tuples) as one 1-D array, and the inverse.

    Dict keys are visited in sorted order. Types of mixed leaves are promoted (ints and floats
    come back as floats); a number comes back as a 0-d array.

    Parameters
    ----------
    value
        An array, a number, or any nesting of dicts, lists and tuples of them.

    Returns
    -------
    flat : Array
        The leaves raveled and concatenated.
    unflatten : callable
        Takes a 1-D array of the same size and returns the original structure.

    Raises
    ------
    TypeError
        A leaf is not an array or a number.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.misc import flatten
    >>> flat, unflatten = flatten({"b": np.ones(2), "a": [3.0, np.zeros((1, 2))]})
    >>> flat
    array([3., 0., 0., 1., 1.])
    >>> unflatten(flat)["a"][1]
    array([[0., 0.]])
    """
    arrays: list[Array] = []
    spec = _leaves(value, arrays)
    flat = np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)

    def unflatten(vector: Any) -> Any:
        vector = np.asarray(vector)
        if vector.shape != flat.shape:
            raise ValueError(
                f"unflatten: expected a vector of shape {flat.shape!r}, got shape "
                f"{vector.shape!r}; pass an array as flatten returned it"
            )
        return _rebuild(spec, vector, 0)[0]

    return flat, unflatten
