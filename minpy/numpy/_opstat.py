"""MinPy's policy and statistics functions of ``minpy.numpy``: ``record_op_stat``,
``show_op_stat`` and the deprecated ``set_policy``. ``minpy.numpy`` imports them; no array
maths lives here.
"""

from __future__ import annotations

from typing import Any

from minpy import policy as _policy
from minpy import stats as _stats

__all__ = ["record_op_stat", "set_policy", "show_op_stat"]


def record_op_stat() -> None:
    """Start counting calls afresh (MinPy's; minpy always counts, so this resets the counts)."""
    _stats.reset_stats()


def show_op_stat() -> None:
    """Print the calls since ``record_op_stat`` per backend, with their shares, and the table.

    MinPy printed how many calls ran in MXNet and how many in NumPy; here the backends are
    NumPy (CPU and CPU fallbacks) and CuPy.
    """
    table = _stats.stats()
    per: dict[str, int] = {}
    for (_name, backend), row in table.rows.items():
        per[backend] = per.get(backend, 0) + row["calls"]
    total = sum(per.values())
    print(f"{total} primitive calls")
    for backend, n in sorted(per.items()):
        print(f"  {backend}: {n} ({100 * n / total:.1f}%)")
    print(table)


def set_policy(policy: Any) -> None:
    """MinPy's deprecated ``np.set_policy``: the same as ``minpy.set_global_policy(policy)``.

    MinPy rebound only this module's names; minpy's policy is one for every namespace.

    Examples
    --------
    >>> import minpy
    >>> import minpy.numpy as np
    >>> np.set_policy(minpy.OnlyNumPyPolicy())
    >>> np.policy
    <minpy policy 'only_numpy'>
    >>> np.set_policy("prefer_cupy")
    """
    _policy.set_global_policy(policy)
