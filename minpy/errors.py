"""The exception classes minpy raises.

Each subclasses the matching built-in, so ``except ValueError`` still catches a device mismatch.
Nothing else lives here.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "DeviceMismatchError",
    "FallbackError",
    "GradientError",
    "MissingVJPError",
    "OutOfMemoryError",
]


class DeviceMismatchError(ValueError):
    """Arrays on two different devices were combined in one operation."""


class BackendUnavailableError(RuntimeError):
    """A device was asked for whose backend (CuPy, a GPU) is not usable here."""


class MissingVJPError(NotImplementedError):
    """A gradient flowed into a primitive that has no rule for that argument."""


class FallbackError(RuntimeError):
    """The ``only_cupy`` policy met a primitive that would need the CPU fallback."""


class GradientError(ValueError):
    """A gradient cannot be computed correctly (bad argnum, in-place write through a view)."""


class OutOfMemoryError(MemoryError):
    """A device ran out of memory; the message says how much was asked and what is free."""
