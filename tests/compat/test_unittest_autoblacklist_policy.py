"""MinPy's tests/unittest/test_autoblacklist_policy.py: ``AutoBlacklistPolicy(gen_rule=True,
append_rule=True)`` as the global policy, ``np.add`` into a positional and a keyword ``out``,
and ``p.query(np, name)``. minpy keeps its rules per primitive name (README), so ``query``
answers whether a name is blacklisted; on the CPU nothing fails, so nothing is."""

from __future__ import annotations

import numpy as npp
import pytest

import minpy
import minpy.numpy as np
from minpy import policy as ours
from minpy.dispatch.policy import AutoBlacklistPolicy, PreferMXNetPolicy


def test_autoblacklist_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ours, "_noted", set())
    before = minpy.get_global_policy()
    p = AutoBlacklistPolicy(gen_rule=True, append_rule=True)
    minpy.set_global_policy(p)
    try:
        a = np.array([100, 100])
        b = np.array([50, 50])
        c = np.array([0, 0])
        np.add(a, b, c)
        assert c.dtype == npp.array([1]).dtype
        assert (c == npp.array([150, 150])).all()  # NumPy's out (MinPy's test left c alone)
        np.add(a, b, out=c)
        np.add(a, b, out=c)
        assert (c.asnumpy() == [150, 150]).all()
        assert p.query(np, "add") is False
        assert p.query(np, "power") is False
        assert p.query(np, "constantinople") is False
        with pytest.warns(ours.MXNetNameWarning):
            minpy.set_global_policy(PreferMXNetPolicy())
    finally:
        minpy.set_global_policy(before)
