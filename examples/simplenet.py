"""The seed of minpy: MinPy's README example, unchanged, with a finite-difference check.

Run: python examples/simplenet.py
"""

import numpy

import minpy.numpy as np  # currently need import this at the same time
from minpy.core import grad


def foo(x):
    return x**2


d_foo = grad(foo)
print(d_foo(4))  # 8.0
x = np.array([1, 2, 3, 4])
print(d_foo(x))  # [2. 4. 6. 8.]


def affine(x, w, b):
    out = np.dot(x, w) + b
    return out


def relu(x):
    out = np.maximum(0, x)
    return out


def softmax_loss(x, y):
    probs = np.exp(x - np.max(x, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    N = x.shape[0]
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss


class SimpleNet(object):
    def __init__(self, hidden_size=100, num_class=3):
        self.params = {}
        self.params["w"] = np.random.randn(hidden_size, num_class) * 0.01
        self.params["b"] = 0

    def forward(self, X):
        return relu(affine(X, self.params["w"], self.params["b"]))

    def loss(self, X, y):
        return softmax_loss(self.forward(X), y)


net = SimpleNet(100)
x = np.random.randn(100, 100)
y = numpy.random.RandomState(0).randint(0, 3, size=100)
gradient = grad(net.loss)
dx = gradient(x, y)
print("gradient w.r.t. x:", dx.shape)

# check one directional derivative against central finite differences
u = np.random.randn(100, 100)
eps = 1e-6
numeric = (float(net.loss(x + eps * u, y)) - float(net.loss(x - eps * u, y))) / (2 * eps)
analytic = float(np.sum(dx * u))
print(f"directional derivative: autograd {analytic:.8f}, finite differences {numeric:.8f}")
