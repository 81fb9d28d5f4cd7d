"""Recording: which results get a tape node (integer results get none, so they need no
rule).
"""

from __future__ import annotations

import numpy

import minpy.numpy as np
from minpy.core import grad


def test_integer_outputs_need_no_rule():
    x = np.array([3.0, 1.0, 2.0])
    g = grad(lambda x: np.sum(x[np.argsort(x)] * np.arange(3)))(x)
    numpy.testing.assert_allclose(g.asnumpy(), [2.0, 0.0, 1.0])
