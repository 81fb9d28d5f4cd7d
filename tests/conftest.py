"""Fixtures shared by several test modules (the device fixture and the seeding live in
the repository-level conftest.py).
"""

from __future__ import annotations

import pytest

from minpy import stats


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which primitives already warned, so this test sees its first fallback."""
    monkeypatch.setattr(stats, "_warned", set())
