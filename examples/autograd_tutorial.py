"""MinPy's autograd tutorial, step by step, on minpy.

Run: python examples/autograd_tutorial.py [--plot derivatives.png]
"""

from __future__ import annotations

import argparse

import minpy.numpy as np
from minpy.core import grad, grad_and_loss


def foo(x):
    return x**2


def bar(a, b, c):
    return 3 * a + b**2 - c


def main(plot: str | None = None) -> dict:
    results = {}
    # derivatives of a function of one variable, to any order
    d_foo = grad(foo)
    d_2_foo = grad(d_foo)
    d_3_foo = grad(d_2_foo)
    results["d_foo(4)"] = d_foo(4)
    results["d_2_foo(4)"] = d_2_foo(4)
    results["d_3_foo(4)"] = d_3_foo(4)
    print("foo(4) =", foo(4), " d_foo(4) =", d_foo(4), " d_2_foo(4) =", d_2_foo(4))

    # elementwise over an array: the gradient of the sum of the outputs
    x = np.linspace(-10, 10, 200)
    curves = {"foo": foo(x), "d_foo": d_foo(x), "d_2_foo": d_2_foo(x)}
    results["curves"] = {k: v.asnumpy() for k, v in curves.items()}
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        for name, y in curves.items():
            plt.plot(x.asnumpy(), y.asnumpy(), label=name)
        plt.legend()
        plt.savefig(plot)
        print("wrote", plot)

    # several arguments at once
    grad_all = grad(bar, [0, 1, 2])
    results["grad(bar)"] = grad_all(2, 3, 4)
    print("gradients of bar at (2, 3, 4):", results["grad(bar)"])
    grads, value = grad_and_loss(bar, [0, 1, 2])(2, 3, 4)
    results["grad_and_loss(bar)"] = (grads, float(value))
    print("with its value:", grads, float(value))

    # gradients w.r.t. several parameters of a model: logistic regression on blobs
    def sigmoid(x):
        return 0.5 * (np.tanh(x / 2) + 1)

    def predict(w, b, x):
        return sigmoid(np.dot(x, w) + b)

    def loss_func(w, b, x, y):
        p = predict(w, b, x)
        return -np.sum(np.log(p) * y + np.log(1 - p) * (1 - y)) / x.shape[0]

    n, d, c = 500, 8, 2
    np.random.seed(0)
    centres = np.random.randn(c, d) * 2
    idx = np.random.randint(0, c, size=n)
    data = centres[idx] + np.random.randn(n, d)
    labels = np.zeros((n, c))
    labels[np.arange(n), idx] = 1  # one-hot labels
    w = np.random.randn(d, c) * 0.01
    b = np.zeros(c)
    grad_wb = grad(loss_func, [0, 1])
    losses = []
    for it in range(100):
        dw, db = grad_wb(w, b, data, labels)
        w -= 0.1 * dw
        b -= 0.1 * db
        if it % 20 == 0 or it == 99:
            losses.append(float(loss_func(w, b, data, labels)))
            print(f"iteration {it:3d}: training loss {losses[-1]:.4f}")
    accuracy = float(np.mean(np.argmax(predict(w, b, data), axis=1) == idx))
    print(f"training accuracy {accuracy:.2%}")
    results["losses"] = losses
    results["accuracy"] = accuracy
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plot", help="write the derivative curves to this PNG file")
    main(parser.parse_args().plot)
