"""The Solver's gradient of one batch, eager or under ``minpy.jit`` (``Solver(jit=True)``).

A ``DataBatch`` is an object, so the jitted function takes its parts (the data and label
lists, the padding count) and rebuilds it inside: the arrays become inputs of the program,
the padding count part of the signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minpy import jit as _jit
from minpy.core import grad_and_loss
from minpy.nn.io import DataBatch

__all__ = ["gradient"]


def gradient(loss_of: Callable[[Any, Any], Any], jit: bool) -> Callable[[Any, Any], Any]:
    """``(params, batch) -> (grads, loss)`` of ``loss_of``, replayed by ``minpy.jit`` if
    ``jit``."""
    eager = grad_and_loss(loss_of, 0)
    if not jit:
        return eager

    def of_parts(params: Any, data: Any, label: Any, pad: Any) -> Any:
        return eager(params, DataBatch(data, label, pad))

    of_parts.__qualname__ = f"Solver step of {getattr(loss_of, '__qualname__', 'a model')}"
    jitted = _jit.jit(of_parts)

    def step(params: Any, batch: Any) -> Any:
        return jitted(params, batch.data, batch.label, batch.pad)

    step.jitted = jitted  # type: ignore[attr-defined]
    return step
