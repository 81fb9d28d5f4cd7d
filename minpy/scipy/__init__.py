"""``minpy.scipy``: SciPy's functions as differentiable primitives (``pip install "minpy[scipy]"``).

On the CPU each primitive runs SciPy's own function; on a GPU it runs ``cupyx.scipy``'s where
CuPy has one, and otherwise falls back to SciPy on the CPU (differentiably, like every
primitive). The gradient rules are written once, in minpy operations, next to each module's
primitives, so they hold on both devices and can be differentiated again.
"""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("scipy") is None:  # pragma: no cover - tested in a subprocess
    raise ImportError(
        'minpy.scipy needs SciPy, which is not installed: pip install "minpy[scipy]" '
        "(or pip install scipy)"
    )
