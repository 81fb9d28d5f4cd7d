"""``minpy info``: what this installation can run on, as a short plain-text report.

Versions (minpy, Python, NumPy, CuPy, the CUDA runtime and driver), the devices found, the
active policy, and, where no GPU can be used, why and how to fix it. CuPy is reached only
through the GPU backend, so this module imports no array library but NumPy.
"""

from __future__ import annotations

import platform

import numpy

__all__ = ["report"]


def report() -> str:
    """A plain-text report of versions, devices, the active policy and GPU availability.

    Returns
    -------
    str
        One ``name: value`` line per fact; printed by ``minpy info``.

    Examples
    --------
    >>> from minpy.info import report
    >>> text = report()
    >>> "numpy" in text and "policy" in text
    True
    """
    import minpy
    from minpy.backends import get_backend

    lines = [
        ("minpy", minpy.__version__),
        ("python", platform.python_version()),
        ("numpy", numpy.__version__),
    ]
    gpu = get_backend("gpu")
    versions = getattr(gpu, "versions", None)
    if callable(versions):
        lines += list(versions().items())
    lines.append(("policy", minpy.get_global_policy().name))
    lines.append(("context", repr(minpy.current_context())))
    lines.append(("devices", "cpu(0)"))
    ok, why = gpu.available()
    if ok:
        names = getattr(gpu, "device_names", None)
        found = names() if callable(names) else [f"gpu({i})" for i in range(gpu.device_count())]
        lines += [("", name) for name in found]
    else:
        lines.append(("gpu", f"unavailable: {why}"))
    width = max(len(k) for k, _ in lines) + 1
    return "\n".join(f"{(k + ':') if k else '':<{width}} {v}" for k, v in lines)
