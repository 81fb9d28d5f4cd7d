"""MinPy's tests/unittest/test_logistic.py, test_lr_grad.py and test_slice.py: logistic
regression trained with ``grad`` and ``weights -= gr * 0.01``; ``quick_grad_check`` of the
loss in the inputs; and a model reading ``weights[:, ::2]``, whose gradient is zero in the
columns the slice skips. (MinPy's sizes are 256x500x250; smaller here, same calls.)"""

from __future__ import annotations

from typing import Any

import numpy

from minpy.core import grad
from minpy.utils import gradient_checker
from tests.compat._logistic import accuracy_of, loss_of, np, problem, sigmoid


def test_logistic_training_accuracy_rises() -> None:
    p = problem()
    inputs, targets, weights = p["inputs"], p["targets"], p["weights"]

    def predict(weights: Any, inputs: Any) -> Any:
        return sigmoid(np.dot(inputs, weights))

    training_accuracy = accuracy_of(targets, predict)
    training_gradient_fun = grad(loss_of(targets, predict))
    first = training_accuracy(weights, inputs)
    for _ in range(40):
        gr = training_gradient_fun(weights, inputs)
        weights -= gr * 0.01
    assert first < 30
    assert training_accuracy(weights, inputs) > 95  # 100 features memorise 64 examples


def test_lr_grad_quick_grad_check_in_the_inputs() -> None:
    p = problem()
    weights, targets = p["weights"], p["targets"]

    def predict(weights: Any, inputs: Any) -> Any:
        return sigmoid(np.dot(inputs, weights))

    def training_loss(inputs: Any) -> Any:  # the weights are a closed-over constant
        return loss_of(targets, predict)(weights, inputs)

    assert gradient_checker.quick_grad_check(training_loss, p["inputs"])


def test_slice_gradient_and_training() -> None:
    p = problem(w_cols=40)  # twice the classes: the model uses every other column
    inputs, targets, weights = p["inputs"], p["targets"], p["weights"]

    def predict(weights: Any, inputs: Any) -> Any:
        return sigmoid(np.dot(inputs, weights[:, ::2]))

    training_accuracy = accuracy_of(targets, predict)
    training_gradient_fun = grad(loss_of(targets, predict))
    for _ in range(40):
        gr = training_gradient_fun(weights, inputs)
        assert gr.shape == (100, 40)
        assert isinstance(gr[0, :10].asnumpy(), numpy.ndarray)
        weights -= gr * 0.01
    assert not gr[:, 1::2].asnumpy().any()
    assert gr[:, ::2].asnumpy().any()
    assert training_accuracy(weights, inputs) > 95
