"""MinPy's autograd tutorial (docs/tutorial/autograd_tutorial.ipynb): ``grad`` of a Python
function, to any order, elementwise over an array, ``grad(f, [0, 1, 2])`` and
``grad_and_loss``, and logistic regression trained with the gradients of two parameters."""

from __future__ import annotations

import numpy

import minpy.numpy as np
from minpy.core import grad, grad_and_loss


def foo(x):
    return x**2


def bar(a, b, c):
    return 3 * a + b**2 - c


def test_derivatives_of_foo() -> None:
    assert foo(4) == 16
    d_foo = grad(foo)
    d_2_foo = grad(d_foo)
    d_3_foo = grad(d_2_foo)
    assert d_foo(4) == 8.0 and isinstance(d_foo(4), float)
    assert d_2_foo(4) == 2.0
    assert d_3_foo(4) == 0.0
    x = np.linspace(-10, 10, 200)
    numpy.testing.assert_allclose(d_foo(x).asnumpy(), 2 * x.asnumpy())
    numpy.testing.assert_allclose(d_2_foo(x).asnumpy(), 2.0)


def test_several_arguments() -> None:
    assert grad(bar, [0, 1, 2])(2, 3, 4) == [3.0, 6.0, -1.0]
    grads, value = grad_and_loss(bar, [0, 1, 2])(2, 3, 4)
    assert grads == [3.0, 6.0, -1.0] and float(value) == 11.0


def test_logistic_regression_two_parameters() -> None:
    def sigmoid(x):
        return 0.5 * (np.tanh(x / 2) + 1)

    def predict(w, b, x):
        return sigmoid(np.dot(x, w) + b)

    def loss_func(w, b, x, y):
        p = predict(w, b, x)
        return -np.sum(np.log(p) * y + np.log(1 - p) * (1 - y)) / x.shape[0]

    n, d, c = 300, 8, 2
    centres = np.random.randn(c, d) * 2
    idx = np.random.randint(0, c, size=n)
    x = centres[idx] + np.random.randn(n, d)
    y = np.zeros((n, c))
    y[np.arange(n), idx] = 1
    w, b = np.random.randn(d, c) * 0.01, np.zeros(c)
    grad_function = grad(loss_func, [0, 1])
    for _ in range(50):
        dw, db = grad_function(w, b, x, y)
        w -= 0.5 * dw
        b -= 0.5 * db
    acc = float(np.mean(np.argmax(predict(w, b, x), axis=1) == idx))
    assert acc > 0.9
