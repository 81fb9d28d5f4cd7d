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


def test_customop_importable_from_minpy_primitive_as_in_minpy() -> None:
    import numpy

    import minpy.core
    import minpy.numpy as np
    from minpy.core import grad
    from minpy.primitive import CustomOp, customop

    assert minpy.core.customop is customop and minpy.core.CustomOp is CustomOp

    @customop("numpy")
    def scale(x, y):  # type: ignore[no-untyped-def]
        return numpy.asarray(x) * 3.0 + numpy.asarray(y) * 0.0

    # MinPy chains def_grad; def_grad_zero declares a zero gradient
    assert scale.def_grad(lambda ans, x, y: lambda g: 3.0 * g).def_grad_zero(1) is scale
    gx, gy = grad(lambda a, b: np.sum(scale(a, b)), [0, 1])(np.ones(2), np.ones(2))
    assert gx.tolist() == [3.0, 3.0] and gy.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="MinPy's 'mxnet' is 'cupy' here"):
        customop("mxnet")
