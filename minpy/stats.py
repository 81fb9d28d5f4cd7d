"""Op statistics: how often each primitive ran on each backend, how often it fell back to the
CPU, and how many bytes crossed between devices; and the warning given the first time a
primitive falls back.

The counters are plain objects that the layers above bump on their hot paths (each route of
the policy is one, and so are the transfer counters); ``stats()`` adds them up per primitive
and backend. Nothing here decides where anything runs.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = [
    "Counter",
    "FallbackWarning",
    "OpStats",
    "counter",
    "reset_fallback_warnings",
    "reset_stats",
    "retire",
    "stats",
    "warn_fallback",
]


class FallbackWarning(UserWarning):
    """A primitive ran on the CPU because the device's backend lacks it."""


class Counter:
    """Calls, CPU fallbacks and bytes moved for one primitive on one backend.

    Every counter ever made is seen by ``stats()``; subclasses (the policy's routes) add what
    they need to run a call.
    """

    __slots__ = ("bytes_moved", "calls", "fallbacks", "name", "runs_on")

    def __init__(self, name: str, runs_on: str) -> None:
        self.name = name
        self.runs_on = runs_on
        self.calls = 0
        self.fallbacks = 0
        self.bytes_moved = 0
        with _lock:
            _counters.append(self)


_counters: list[Counter] = []
_named: dict[tuple[str, str], Counter] = {}
_lock = threading.Lock()
_warned: set[str] = set()


def counter(name: str, runs_on: str) -> Counter:
    """The one shared counter for ``name`` on backend ``runs_on`` (adoption, transfers)."""
    c = _named.get((name, runs_on))
    if c is None:
        c = _named.setdefault((name, runs_on), Counter(name, runs_on))
    return c


def retire(counters: Sequence[Counter]) -> None:
    """Forget ``counters`` (their owner is gone), keeping their counts in ``stats()``: they
    are added to the shared counter of the same primitive and backend."""
    for c in counters:
        if c.calls or c.fallbacks or c.bytes_moved:
            shared = counter(c.name, c.runs_on)
            shared.calls += c.calls
            shared.fallbacks += c.fallbacks
            shared.bytes_moved += c.bytes_moved
    gone = {id(c) for c in counters}
    with _lock:
        _counters[:] = [c for c in _counters if id(c) not in gone]


def warn_fallback(name: str, device: Any) -> None:
    """Warn, once per primitive, that ``name`` ran on the CPU instead of ``device``."""
    if name not in _warned:
        _warned.add(name)
        warnings.warn(
            f"{name}: not available on {device!r}; running it on cpu(0) and copying the result "
            "back (counted in minpy.policy.stats(); warned once per primitive)",
            FallbackWarning,
            stacklevel=4,
        )


def reset_fallback_warnings() -> None:
    """Forget which primitives have warned, so the next fallback of each warns again."""
    _warned.clear()


class OpStats:
    """Calls, fallbacks and bytes moved per primitive and backend; prints as a table.

    Examples
    --------
    >>> import minpy, minpy.numpy as np
    >>> minpy.policy.reset_stats()
    >>> _ = np.exp(np.ones(3))
    >>> minpy.policy.stats()["exp", "numpy"]["calls"]
    1
    """

    def __init__(self, rows: dict[tuple[str, str], dict[str, int]]) -> None:
        self.rows = rows

    def __getitem__(self, key: tuple[str, str]) -> dict[str, int]:
        return self.rows[key]

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def total(self, field: str) -> int:
        """The sum of one counter (``calls``, ``fallbacks``, ``bytes_moved``) over all rows."""
        return sum(r[field] for r in self.rows.values())

    def __str__(self) -> str:
        head = ("primitive", "backend", "calls", "fallbacks", "bytes moved")
        body = [
            (name, backend, str(r["calls"]), str(r["fallbacks"]), str(r["bytes_moved"]))
            for (name, backend), r in sorted(self.rows.items())
        ]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(5)]
        lines = [
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))
            )
            for row in [head, *body]
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__


def stats() -> OpStats:
    """What ran where since the last ``reset_stats()``: see ``OpStats``."""
    rows: dict[tuple[str, str], dict[str, int]] = {}
    with _lock:
        counters = list(_counters)
    for c in counters:
        if not (c.calls or c.bytes_moved):
            continue
        row = rows.setdefault((c.name, c.runs_on), {"calls": 0, "fallbacks": 0, "bytes_moved": 0})
        row["calls"] += c.calls
        row["fallbacks"] += c.fallbacks
        row["bytes_moved"] += c.bytes_moved
    return OpStats(rows)


def reset_stats() -> None:
    """Set every counter of ``stats()`` back to zero."""
    with _lock:
        for c in _counters:
            c.calls = c.fallbacks = c.bytes_moved = 0
