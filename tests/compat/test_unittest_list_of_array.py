"""MinPy's tests/unittest/test_list_of_array.py: ``stack`` and ``concatenate`` of a list of
arrays drawn with ``minpy.numpy.random``."""

from __future__ import annotations

import minpy.numpy as np
import minpy.numpy.random as rnd


def test_stack() -> None:
    assert np.stack([rnd.randn(3, 4) for _ in range(10)]).shape == (10, 3, 4)


def test_concatenate() -> None:
    assert np.concatenate([rnd.randn(3, 4) for _ in range(10)], axis=1).shape == (3, 40)
