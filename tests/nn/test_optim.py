"""minpy.nn.optim: each update rule against a NumPy transcription of its formula, per-parameter
state, and convergence on a quadratic."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.nn import optim

np: Any = _namespace


def ref_steps(rule: str, w: numpy.ndarray, grads: list[numpy.ndarray], cfg: dict[str, Any]) -> Any:
    lr = cfg["learning_rate"]
    v = numpy.zeros_like(w)
    m = numpy.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if rule == "sgd":
            w = w - lr * g
        elif rule == "sgd_momentum":
            v = 0.9 * v - lr * g
            w = w + v
        elif rule == "rmsprop":
            v = 0.99 * v + 0.01 * g * g
            w = w - lr * g / (numpy.sqrt(v) + 1e-8)
        else:
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            # MinPy's form: epsilon added to sqrt of the bias-corrected v
            m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
            w = w - lr * m_hat / (numpy.sqrt(v_hat) + 1e-8)
    return w


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_rule_matches_formula(device: minpy.Device, rule: str) -> None:
    rng = numpy.random.RandomState(0)
    w0 = rng.randn(3, 4)
    grads = [rng.randn(3, 4) for _ in range(5)]
    w = np.array(w0, device=device)
    cfg: dict[str, Any] = {"learning_rate": 0.05}
    fn = optim.get(rule)
    for g in grads:
        w, cfg = fn(w, np.array(g, device=device), cfg)
    assert w.device is device
    numpy.testing.assert_allclose(numpy.asarray(w), ref_steps(rule, w0, grads, cfg), rtol=1e-10)
    for key in {"sgd_momentum": ["velocity"], "rmsprop": ["cache"], "adam": ["m", "v"]}.get(
        rule, []
    ):
        assert cfg[key].device is device and cfg[key].shape == (3, 4)
    if rule == "adam":
        assert cfg["t"] == 5


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_rule_defaults_and_convergence(rule: str) -> None:
    target = np.array([1.0, -2.0, 3.0])
    w = np.zeros(3)
    cfg: dict[str, Any] = {"learning_rate": 0.05}
    for _ in range(400):
        w, cfg = optim.get(rule)(w, 2 * (w - target), cfg)
    numpy.testing.assert_allclose(numpy.asarray(w), [1.0, -2.0, 3.0], atol=0.05)
    _, fresh = optim.get(rule)(np.zeros(1), np.ones(1), None)
    assert "learning_rate" in fresh


def test_state_is_per_parameter() -> None:
    cfg_a: dict[str, Any] = {"learning_rate": 0.1}
    cfg_b: dict[str, Any] = {"learning_rate": 0.1}
    _, cfg_a = optim.sgd_momentum(np.zeros(2), np.ones(2), cfg_a)
    _, cfg_b = optim.sgd_momentum(np.zeros(3), -np.ones(3), cfg_b)
    assert cfg_a["velocity"].shape == (2,) and cfg_b["velocity"].shape == (3,)
    numpy.testing.assert_allclose(numpy.asarray(cfg_b["velocity"]), [0.1, 0.1, 0.1])


def test_unknown_rule() -> None:
    with pytest.raises(ValueError, match="unknown update_rule 'sgdd'; use one of"):
        optim.get("sgdd")
