"""``minpy.numpy.fft``: NumPy's discrete Fourier transforms as primitives (forward only)."""

from __future__ import annotations

from typing import Any

import numpy as _numpy

from minpy.numpy._wrapping import wrap_namespace

_names = wrap_namespace(_numpy.fft, prefix="fft.")
globals().update(_names)
__all__ = sorted(_names)


def __getattr__(name: str) -> Any:
    raise AttributeError(f"minpy.numpy.fft has no attribute {name!r}")
