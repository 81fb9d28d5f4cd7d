"""The argument checks the layer modules share: label ranges (``recurrent`` embedding indices,
``losses`` class labels) and the shapes of weights, biases, scales and states.

The shape checks compare shape tuples only (no array operation), so they cost nothing next to
the layer, and they name the layer, the argument, its shape and the expected shape instead of
letting an inner ``add`` or ``reshape`` fail. An argument without a ``shape`` (a Python number)
is not checked. Private to the package: nothing here is re-exported, and nothing here is a layer.
"""

from __future__ import annotations

from typing import Any

from minpy import watch
from minpy.array import Array

Shape = tuple[int, ...]


def check_labels(y: Array, n_classes: int, where: str) -> None:
    """Raise unless the integer array ``y`` lies in ``[0, n_classes)`` (a guard that
    ``minpy.jit`` replays, so a jitted step checks every batch's labels too)."""
    if y.size == 0:
        return
    if isinstance(y, Array):
        watch.saw(y)
        y = y._data
    watch.guard(_check_range, y, n_classes, where)


def _check_range(raw: Any, n_classes: int, where: str) -> None:
    lo, hi = int(raw.min()), int(raw.max())
    if lo < 0 or hi >= n_classes:
        bad = lo if lo < 0 else hi
        raise ValueError(
            f"{where}: label {bad!r} is out of range for {n_classes} classes (valid: 0 to "
            f"{n_classes - 1}); remap the labels to 0..{n_classes - 1} or widen the last layer"
        )


def shape_of(value: Any) -> Shape | None:
    """``value``'s shape as a tuple, or ``None`` for a Python number."""
    shape = getattr(value, "shape", None)
    return None if shape is None else tuple(shape)


def _error(where: str, arg: str, shape: Shape, expected: Shape, meaning: str) -> ValueError:
    return ValueError(
        f"{where}: {arg} has shape {shape!r}, expected {expected!r} ({meaning}); "
        f"pass {arg} of shape {expected!r}"
    )


def check_shape(where: str, arg: str, value: Any, expected: Shape, meaning: str) -> None:
    """Raise unless ``value`` has exactly the shape ``expected`` (weights of a product)."""
    shape = shape_of(value)
    if shape is not None and shape != expected:
        raise _error(where, arg, shape, expected, meaning)


def check_broadcast(
    where: str, arg: str, value: Any, result: Shape, expected: Shape, meaning: str
) -> None:
    """Raise unless ``value`` broadcasts to the layer's ``result`` shape without changing it
    (a bias ``(M,)`` or ``(1, M)`` against ``(N, M)``); ``expected`` is the documented shape."""
    shape = shape_of(value)
    if shape is None:
        return
    if len(shape) > len(result) or any(
        s != 1 and s != r for s, r in zip(reversed(shape), reversed(result))
    ):
        raise _error(where, arg, shape, expected, meaning)


def check_vector(where: str, arg: str, value: Any, expected: Shape, meaning: str) -> None:
    """Raise unless ``value`` is the vector ``expected`` up to length-1 axes (it is reshaped)."""
    shape = shape_of(value)
    if shape is not None and [s for s in shape if s != 1] != [s for s in expected if s != 1]:
        raise _error(where, arg, shape, expected, meaning)
