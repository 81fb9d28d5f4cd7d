"""Primitives: a gradient that reaches a primitive without a rule raises, naming it.

Primitives defined by users (``primitive``, ``customop``, ``defvjp``) are tested through
``minpy.core`` in test_core.py.
"""

from __future__ import annotations

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad


def test_missing_rule_raises_naming_primitive():
    x = np.array([3.0, 1.0, 2.0])
    with pytest.raises(minpy.MissingVJPError, match=r"no gradient rule for 'percentile'"):
        grad(lambda x: np.percentile(x, 30.0) * 2.0)(x)
    # sort has a rule: each sorted value's gradient goes back to where it came from
    g = grad(lambda x: np.sum(np.sort(x) * np.arange(3)))(x)
    numpy.testing.assert_allclose(g.asnumpy(), [2.0, 0.0, 1.0])
