"""Primitives for SciPy functions: one per name, looked up per backend by its dotted name.

``Primitive("scipy.special.gammaln")`` runs ``scipy.special.gammaln`` on the CPU and
``cupyx.scipy.special.gammaln`` on a GPU (``Backend.scipy_module``); where CuPy has no such
function the policy falls back to the CPU.
"""

from __future__ import annotations

import types
from collections.abc import Iterable

from minpy.primitive import Primitive, registry

__all__ = ["wrap_scipy"]


def wrap_scipy(module: types.ModuleType, names: Iterable[str]) -> dict[str, Primitive]:
    """``{name: Primitive}`` for SciPy's ``module.name`` of each of ``names``."""
    out: dict[str, Primitive] = {}
    for name in names:
        fn = getattr(module, name)
        full = f"{module.__name__}.{name}"
        out[name] = registry.get(full) or Primitive(full, doc=fn.__doc__)
    return out
