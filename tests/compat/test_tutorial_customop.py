"""MinPy's customized-operator page (docs/feature/customop.rst): ``@customop('numpy')`` on a
softmax loss over NumPy arrays, ``def_grad`` with and without ``argnum=0``, and ``grad``
through it, checked against finite differences."""

from __future__ import annotations

import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad
from minpy.primitive import customop


def _make(argnum_given: bool):
    @customop("numpy")
    def my_softmax(x, y):
        probs = numpy.exp(x - numpy.max(x, axis=1, keepdims=True))
        probs /= numpy.sum(probs, axis=1, keepdims=True)
        N = x.shape[0]
        return -numpy.sum(numpy.log(probs[numpy.arange(N), y])) / N

    def my_softmax_grad(ans, x, y):
        def grad(g):
            N = x.shape[0]
            probs = numpy.exp(x - numpy.max(x, axis=1, keepdims=True))
            probs /= numpy.sum(probs, axis=1, keepdims=True)
            probs[numpy.arange(N), y] -= 1
            return probs / N

        return grad

    if argnum_given:
        my_softmax.def_grad(my_softmax_grad, argnum=0)
    else:
        my_softmax.def_grad(my_softmax_grad)
    return my_softmax


@pytest.mark.parametrize("argnum_given", [False, True])
def test_customop_tutorial(argnum_given: bool) -> None:
    my_softmax = _make(argnum_given)
    x = numpy.random.RandomState(1).randn(6, 4)
    y = numpy.array([0, 1, 2, 3, 0, 1])
    g = grad(my_softmax)(np.array(x), y).asnumpy()
    numeric = numpy.zeros_like(x)
    for idx in numpy.ndindex(*x.shape):
        e = numpy.zeros_like(x)
        e[idx] = 1e-6
        numeric[idx] = (float(my_softmax(x + e, y)) - float(my_softmax(x - e, y))) / 2e-6
    numpy.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)
