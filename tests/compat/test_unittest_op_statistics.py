"""MinPy's tests/unittest/test_op_statistics.py and its tutorial (docs/feature/op_stat.rst):
train logistic regression with ``grad``, then print the dispatch statistics, with the
tutorial's ``np.policy.show_op_stat()`` and the test's
``minpy.get_global_policy().show_op_stat()``."""

from __future__ import annotations

from typing import Any

import pytest

import minpy
from minpy.core import grad
from minpy.policy import reset_stats
from tests.compat._logistic import accuracy_of, loss_of, np, problem, sigmoid


@pytest.mark.parametrize(
    "show",
    [lambda: minpy.get_global_policy().show_op_stat(), lambda: np.policy.show_op_stat()],
    ids=["get_global_policy", "np.policy"],
)
def test_op_statistics_after_training(show, capsys) -> None:
    reset_stats()
    p = problem()
    inputs, targets, weights = p["inputs"], p["targets"], p["weights"]

    def predict(weights: Any, inputs: Any) -> Any:
        return sigmoid(np.dot(inputs, weights))

    training_accuracy = accuracy_of(targets, predict)
    training_gradient_fun = grad(loss_of(targets, predict))
    for i in range(5):
        print(f"Trained accuracy #{i}: {training_accuracy(weights, inputs)}%")
        weights -= training_gradient_fun(weights, inputs) * 0.01
    capsys.readouterr()
    show()
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:]}
    # operators MinPy's tutorial lists; on the CPU every one ran with NumPy
    for name in ("tanh", "dot", "argmax", "count_nonzero", "log", "zeros", "arange"):
        assert rows[name][1] == "numpy", name
    assert int(rows["count_nonzero"][2]) == 5
    assert int(rows["dot"][2]) >= 10  # the accuracy's and the loss's, each iteration
