"""``minpy demo``: the seed tutorial's softmax classifier trained on real data.

scikit-learn's bundled digits (8x8 images, 10 classes; shipped inside the package, never
downloaded) are split into train and test sets, and a linear softmax classifier is trained with
``grad`` and plain SGD on the current device.
"""

from __future__ import annotations

import time
from typing import Any

import minpy.numpy as _namespace
from minpy.context import Device, current_context
from minpy.core import grad_and_loss

np: Any = _namespace  # names are generated from NumPy's at import

__all__ = ["load_digits", "run"]


def load_digits(seed: int = 0, test_fraction: float = 0.25) -> tuple[Any, Any, Any, Any]:
    """Digits as NumPy ``(x_train, y_train, x_test, y_test)``, pixels scaled to [0, 1]."""
    try:
        from sklearn.datasets import load_digits as sk_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'the demo needs scikit-learn for its bundled digits data; pip install "minpy[demo]"'
        ) from exc
    import numpy

    data = sk_digits()
    x = data.data.astype(numpy.float64) / 16.0
    y = data.target.astype(numpy.int64)
    order = numpy.random.RandomState(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def softmax_loss(scores: Any, y: Any) -> Any:
    """Mean cross-entropy of ``scores`` against integer labels ``y`` (the seed's loss)."""
    probs = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    n = scores.shape[0]
    return -np.sum(np.log(probs[np.arange(n), y])) / n


def run(
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 0.5,
    seed: int = 0,
    device: Device | None = None,
    verbose: bool = True,
) -> float:
    """Train the classifier; returns the held-out accuracy."""
    dev = current_context() if device is None else device
    x_tr, y_tr, x_te, y_te = load_digits(seed)
    with dev:
        np.random.seed(seed)
        x_train, y_train = np.array(x_tr), np.array(y_tr)
        x_test, y_test = np.array(x_te), np.array(y_te)
        w = np.random.randn(x_train.shape[1], 10) * 0.01
        b = np.zeros(10)

        def loss_fn(w: Any, b: Any, x: Any, y: Any) -> Any:
            return softmax_loss(np.dot(x, w) + b, y)

        step = grad_and_loss(loss_fn, [0, 1])
        n = x_train.shape[0]
        if verbose:
            print(
                f"minpy demo: softmax classifier on digits ({n} train, "
                f"{x_test.shape[0]} test) on {dev!r}"
            )
            print(f"{'epoch':>5}  {'loss':>8}  {'test acc':>8}  {'seconds':>7}")
        acc = 0.0
        start = time.perf_counter()
        for epoch in range(1, epochs + 1):
            order = np.random.permutation(n)
            total = 0.0
            for i in range(0, n, batch_size):
                idx = order[i : i + batch_size]
                (dw, db), loss = step(w, b, x_train[idx], y_train[idx])
                w -= lr * dw
                b -= lr * db
                total += float(loss) * idx.shape[0]
            pred = np.argmax(np.dot(x_test, w) + b, axis=1)
            acc = float(np.mean(pred == y_test))
            if verbose and (epoch == 1 or epoch % 5 == 0 or epoch == epochs):
                print(
                    f"{epoch:>5}  {total / n:>8.4f}  {acc:>8.2%}  "
                    f"{time.perf_counter() - start:>7.2f}"
                )
        if verbose:
            print(f"held-out accuracy: {acc:.2%}")
    return acc
