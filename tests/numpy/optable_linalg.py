"""Op-table cases of ``minpy.numpy.linalg``'s rules (joined to ``optable.CASES``)."""

from __future__ import annotations

from tests.numpy.optable import Case

CASES: list[Case] = []
