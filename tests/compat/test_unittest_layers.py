"""MinPy's tests/unittest/test_layers.py (its MXNet-free cases): ``quick_grad_check`` of
functions wrapped with ``core.convert_args``: a sum, a forward with an unused print, affine,
relu, batchnorm (gamma and beta) and softmax_loss with one-hot and with integer labels."""

from __future__ import annotations

import numpy as np
import pytest

import minpy.nn.layers as layers
import minpy.numpy as mp
import minpy.utils.gradient_checker as gradient_checker
from minpy import core

rng = np.random.RandomState(42)


def _check(fn, arg) -> bool:
    return gradient_checker.quick_grad_check(fn, arg, rs=rng)


def test_basic(capsys) -> None:
    @core.convert_args
    def check_fn(x):
        return mp.sum(x + x)

    assert _check(check_fn, rng.randn(10, 5)) is True
    assert "OK" in capsys.readouterr().out  # verbose=True prints the comparison


def test_forward_unused() -> None:
    @core.convert_args
    def check_fn(x):
        y = x + 1
        print(mp.exp(y))
        return mp.sum(2 * y)

    assert _check(check_fn, rng.randn(10, 5))


def test_affine() -> None:
    x, b = rng.randn(20, 10), rng.randn(20, 1)
    fake_y = np.zeros([20, 5])
    fake_y[:, 0] = 1

    @core.convert_args
    def check_fn(w):
        return layers.softmax_loss(layers.affine(x, w, b), fake_y)

    assert _check(check_fn, rng.randn(10, 5))


def test_relu() -> None:
    fake_y = np.zeros([2, 5])
    fake_y[:, 0] = 1

    @core.convert_args
    def check_fn(x):
        return layers.softmax_loss(layers.relu(x), fake_y)

    assert _check(check_fn, rng.randn(2, 5))


@pytest.mark.parametrize("which", ["gamma", "beta"])
def test_batchnorm(which) -> None:
    x, gamma, beta = rng.randn(20, 40), rng.randn(1, 40), rng.randn(1, 40)
    fake_y = np.zeros([20, 40])
    fake_y[:, 0] = 1

    @core.convert_args
    def check_fn(p):
        g, b = (p, beta) if which == "gamma" else (gamma, p)
        y, _, _ = layers.batchnorm(x, g, b)
        return layers.softmax_loss(y, fake_y)

    assert _check(check_fn, gamma if which == "gamma" else beta)


def test_softmax() -> None:
    lbl = np.zeros([20])  # integer classes given as floats, as in MinPy's test

    @core.convert_args
    def check_fn(x):
        return layers.softmax_loss(x, lbl)

    assert _check(check_fn, rng.randn(20, 10))
