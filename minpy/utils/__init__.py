"""MinPy's ``minpy.utils``: ``gradient_checker.quick_grad_check``, the ``minprof`` profiler,
``log.get_logger`` and ``common.enforce_type``.

Tools built on the public API (``minpy.core``, ``minpy.numpy``, ``minpy.stats``); nothing below
imports this package.
"""

from __future__ import annotations

__all__ = ["common", "gradient_checker", "log", "minprof"]
