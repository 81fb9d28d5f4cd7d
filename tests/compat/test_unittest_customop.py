"""MinPy's tests/unittest/test_customop.py: ``@customop('numpy')`` from ``minpy.primitive``, a
softmax loss on raw NumPy arrays with its gradient given by ``def_grad``; forward and backward
checked (here against NumPy and finite differences)."""

from __future__ import annotations

import numpy

import minpy.numpy as np
from minpy.array import Number
from minpy.core import grad
from minpy.primitive import customop


@customop("numpy")
def softmax(x, y):
    import numpy as np  # MinPy's test: the body sees NumPy arrays

    y = y.astype(int)
    probs = np.exp(x - np.max(x, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    N = x.shape[0]
    return -np.sum(np.log(probs[np.arange(N), y])) / N


def softmax_grad(ans, x, label):
    def grad(g):
        import numpy as np

        y = label.astype(int)
        probs = np.exp(x - np.max(x, axis=1, keepdims=True))
        probs /= np.sum(probs, axis=1, keepdims=True)
        dx = probs.copy()
        dx[np.arange(x.shape[0]), y] -= 1
        return dx / x.shape[0]

    return grad


softmax.def_grad(softmax_grad)


def rel_error(x, y):
    if isinstance(x, (int, float, Number)):
        x, y = float(x), float(y)
        return abs(x - y) / max(1e-8, abs(x) + abs(y))
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


def test_customop_forward_and_backward() -> None:
    rng = numpy.random.RandomState(3)
    xs = rng.rand(10, 5) * 3
    labels = rng.randint(0, 5, 10)
    x, label = np.array(xs), np.array(labels)

    shifted = xs - xs.max(axis=1, keepdims=True)
    logp = shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))
    assert rel_error(softmax(x, label), -logp[numpy.arange(10), labels].mean()) < 1e-12

    g = grad(softmax)(x, label)
    numeric = numpy.zeros_like(xs)
    for idx in numpy.ndindex(*xs.shape):
        e = numpy.zeros_like(xs)
        e[idx] = 1e-6
        numeric[idx] = (float(softmax(x + e, label)) - float(softmax(x - e, label))) / 2e-6
    assert rel_error(g, numeric) < 1e-6
