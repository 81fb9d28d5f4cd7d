"""MinPy's ``minpy.utils``: ``gradient_checker.quick_grad_check`` and the ``minprof`` profiler.

Tools built on the public API (``minpy.core``, ``minpy.numpy``, ``minpy.stats``); nothing below
imports this package.
"""

from __future__ import annotations

__all__ = ["gradient_checker", "minprof"]
