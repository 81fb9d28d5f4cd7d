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


def test_index_arrays_are_kept_whole_where_inputs_are_kept_as_shapes() -> None:
    # getitem keeps only shapes of what it differentiates; the key is read by its rule
    idx = np.array([0, 2, 2])
    g = grad(lambda x: np.sum(np.getitem(x, idx) * np.array([1.0, 2.0, 3.0])))(np.zeros(3))
    numpy.testing.assert_array_equal(g.asnumpy(), [1.0, 0.0, 5.0])
