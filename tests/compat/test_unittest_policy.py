"""MinPy's tests/unittest/test_policy.py, test_policy_2.py and its policy tutorial
(docs/feature/policy.rst): ``@minpy.wrap_policy("only_numpy")`` around a data generator that
draws ``np.random.normal`` with array ``loc``/``scale``, softmax regression trained with
``grad_and_loss``; ``with minpy.OnlyNumPyPolicy():``, ``np.policy``, ``np.random.policy``;
``minpy.set_global_policy('only_numpy')`` and ``@minpy.wrap_policy(policy.OnlyNumPyPolicy())``."""

from __future__ import annotations

import pytest

import minpy
import minpy.dispatch.policy as policy
import minpy.numpy as np
import minpy.numpy.random as random
from minpy import policy as ours
from minpy.context import cpu, set_context
from minpy.core import grad_and_loss


@pytest.fixture
def fresh_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which MXNet names were already noted, so this test sees the note."""
    monkeypatch.setattr(ours, "_noted", set())


@pytest.fixture(autouse=True)
def _restore_policy():
    before = minpy.get_global_policy()
    yield
    minpy.set_global_policy(before)


def test_policy_wrap_policy_generator_and_training() -> None:
    @minpy.wrap_policy("only_numpy")
    def gaussian_cluster_generator(num_samples=10000, num_features=500, num_classes=5):
        assert minpy.get_global_policy().name == "only_numpy"
        mu = np.random.rand(num_classes, num_features)
        sigma = np.ones((num_classes, num_features)) * 0.1
        num_cls_samples = int(num_samples / num_classes)
        x = np.zeros((num_samples, num_features))
        y = np.zeros((num_samples, num_classes))
        for i in range(num_classes):
            cls_samples = np.random.normal(mu[i, :], sigma[i, :], (num_cls_samples, num_features))
            x[i * num_cls_samples : (i + 1) * num_cls_samples] = cls_samples
            y[i * num_cls_samples : (i + 1) * num_cls_samples, i] = 1
        return x, y

    def predict(w, x):
        a = np.exp(np.dot(x, w))
        a_sum = np.sum(a, axis=1, keepdims=True)
        return a / a_sum

    def train_loss(w, x):
        prob = predict(w, x)
        return -np.sum(label * np.log(prob)) / num_samples

    grad_function = grad_and_loss(train_loss)
    num_samples, num_features, num_classes = 500, 50, 5
    data, label = gaussian_cluster_generator(num_samples, num_features, num_classes)
    assert minpy.get_global_policy().name == "prefer_cupy"  # restored after the call
    assert data.shape == (500, 50) and label.asnumpy().sum() == 500

    weight = random.randn(num_features, num_classes)
    losses = []
    for _ in range(30):
        dw, loss = grad_function(weight, data)
        losses.append(float(loss))
        weight -= 0.1 * dw
    assert losses[-1] < 0.3 * losses[0]
    assert all(b < a for a, b in zip(losses, losses[1:]))


def test_policy_2_with_policy_and_module_policies(fresh_notes) -> None:
    with minpy.OnlyNumPyPolicy() as p:
        assert np.policy is p and np.random.policy is p
        assert str(np.policy) == "<minpy policy 'only_numpy'>"
    assert np.policy.name == "prefer_cupy"
    # np.set_policy (MinPy's deprecated per-module setter) is not in minpy: the global one
    with pytest.warns(ours.MXNetNameWarning, match="prefer_cupy"):
        minpy.set_global_policy(minpy.PreferMXNetPolicy())
    set_context(cpu())
    assert np.policy.name == "prefer_cupy" and np.random.policy is np.policy


def test_policy_tutorial_set_global_and_wrap_policy(fresh_notes) -> None:
    with pytest.warns(ours.MXNetNameWarning):
        minpy.set_global_policy("prefer_mxnet")
    minpy.set_global_policy("only_numpy")
    assert minpy.get_global_policy().name == "only_numpy"
    minpy.set_global_policy("prefer_cupy")

    @minpy.wrap_policy(policy.OnlyNumPyPolicy())
    def foo(a, b):
        assert minpy.get_global_policy().name == "only_numpy"
        return np.log(a + b)

    a, b = np.ones((2, 2)), np.zeros((2, 2))
    c = a + b
    c = foo(np.ones((2, 2)), np.zeros((2, 2)))
    assert c.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert minpy.get_global_policy().name == "prefer_cupy"
