"""The logistic-regression problem MinPy's unit tests share (test_logistic, test_lr_grad,
test_slice, test_op_statistics): random inputs, one-hot targets of random classes, and a
sigmoid of ``inputs . weights`` trained with ``grad``; written with MinPy's calls."""

from __future__ import annotations

from typing import Any

import minpy.numpy as _namespace
import minpy.numpy.random as random

np: Any = _namespace


def sigmoid(x: Any) -> Any:
    return 0.5 * (np.tanh(x / 2) + 1)


def problem(n: int = 64, d: int = 100, c: int = 20, w_cols: int | None = None) -> dict:
    """MinPy's data: ``rand - 0.5`` inputs and weights, one-hot targets set by fancy indexing."""
    inputs = random.rand(n, d) - 0.5
    targets = np.zeros((n, c))
    truth = random.randint(0, c, n)
    targets[np.arange(n), truth] = 1
    weights = random.rand(d, w_cols or c) - 0.5
    return {"inputs": inputs, "targets": targets, "weights": weights}


def loss_of(targets: Any, predict: Any) -> Any:
    def training_loss(weights: Any, inputs: Any) -> Any:
        preds = predict(weights, inputs)
        label_probabilities = preds * targets + (1 - preds) * (1 - targets)
        return -np.sum(np.log(label_probabilities))

    return training_loss


def accuracy_of(targets: Any, predict: Any) -> Any:
    def training_accuracy(weights: Any, inputs: Any) -> float:
        preds = predict(weights, inputs)
        error = np.count_nonzero(np.argmax(preds, axis=1) - np.argmax(targets, axis=1))
        n = inputs.shape[0]
        return (n - error) * 100 / float(n)

    return training_accuracy
