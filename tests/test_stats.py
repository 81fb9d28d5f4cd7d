"""Op statistics: rows per primitive and backend, totals, the printed table, reset.

``fresh_warnings`` (tests/conftest.py) forgets which primitives already warned.
"""

from __future__ import annotations

import pytest

import minpy.numpy as np
from minpy.policy import FallbackWarning, reset_stats, stats
from minpy.testing import fake_device


def test_stats_rows_and_totals(fresh_warnings: None) -> None:
    dev = fake_device(kind="stats_dev", missing={"log1p"})
    reset_stats()
    a = np.ones(3)
    np.exp(a)
    np.exp(a)
    x = np.ones(4, device=dev)  # created on the device: nothing moves
    with pytest.warns(FallbackWarning):
        np.log1p(x)
    s = stats()
    assert s["exp", "numpy"] == {"calls": 2, "fallbacks": 0, "bytes_moved": 0}
    assert s["log1p", "numpy"] == {"calls": 1, "fallbacks": 1, "bytes_moved": 64}
    assert ("exp", "numpy") in s and len(s) == len(list(s))
    assert s.total("fallbacks") == 1
    assert s.total("bytes_moved") >= 64


def test_stats_prints_as_table() -> None:
    reset_stats()
    np.exp(np.ones(3))
    np.add(np.ones(2), np.ones(2))
    text = str(stats())
    lines = text.splitlines()
    assert lines[0].split() == ["primitive", "backend", "calls", "fallbacks", "bytes", "moved"]
    assert set(lines[1]) <= {"-", " "}
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[2:]}
    assert rows["exp", "numpy"] == ["1", "0", "0"]
    assert rows["add", "numpy"][0] == "1"
    assert repr(stats()) == str(stats())


def test_reset_stats_zeroes_counters() -> None:
    np.exp(np.ones(3))
    reset_stats()
    assert len(stats()) == 0
    assert stats().total("calls") == 0
