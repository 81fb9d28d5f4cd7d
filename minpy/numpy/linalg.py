"""``minpy.numpy.linalg``: NumPy's linear algebra as primitives (rules in ``vjps``)."""

from __future__ import annotations

from typing import Any

import numpy as _numpy

from minpy.numpy._wrapping import wrap_namespace

_names = wrap_namespace(_numpy.linalg, prefix="linalg.")
globals().update(_names)
__all__ = sorted(_names)


def __getattr__(name: str) -> Any:
    raise AttributeError(f"minpy.numpy.linalg has no attribute {name!r}")
