"""MinPy's tests/unittest/test_autograd.py and test_autograd_hanging_var.py: an RNN step
differentiated with ``convert_args``/``return_numpy``/``grad_and_loss(f, range(5))`` against
a hand-written backward pass, the gradient of a constant, and of reductions."""

from __future__ import annotations

import numpy
import pytest

import minpy.numpy as mp
from minpy.core import convert_args, grad, grad_and_loss, return_numpy
from minpy.core import numpy_to_minpy as nm


def test_rnn_step_grad_and_loss_matches_hand_written_backward() -> None:
    @convert_args
    def minpy_rnn_step_forward(x, prev_h, Wx, Wh, b):
        return mp.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)

    rng = numpy.random.RandomState(0)
    N, D, H = 4, 5, 6
    x, h = rng.randn(N, D), rng.randn(N, H)
    Wx, Wh, b = rng.randn(D, H), rng.randn(H, H), rng.randn(H)
    dnext_h = rng.randn(N, H)

    def loss(x, h, Wx, Wh, b, dnext_h):
        return minpy_rnn_step_forward(x, h, Wx, Wh, b) * nm(dnext_h)

    grad_arrays, value = return_numpy(grad_and_loss(loss, range(5)))(x, h, Wx, Wh, b, dnext_h)
    assert all(isinstance(g, numpy.ndarray) for g in grad_arrays)

    # the backward pass by hand (NumPy only)
    next_h = numpy.tanh(h.dot(Wh) + x.dot(Wx) + b)
    dtanh = dnext_h * (1 - next_h * next_h)
    expected = [dtanh.dot(Wx.T), dtanh.dot(Wh.T), x.T.dot(dtanh), h.T.dot(dtanh), dtanh.sum(0)]
    for got, want in zip(grad_arrays, expected):
        numpy.testing.assert_allclose(got, want, rtol=1e-10)
    numpy.testing.assert_allclose(value, next_h * dnext_h)


def test_zero_input_grad() -> None:
    assert grad(lambda x: 1)(0) == 0.0


def test_hanging_var_grad_is_one() -> None:
    def func(x):
        y = x + 1  # noqa: F841  (computed, never used: MinPy's "hanging" variable)
        return x

    assert grad(func)(1) == 1.0


X = numpy.array([[1, 2], [2, 1], [0, 0]])


@pytest.mark.parametrize(
    "red",
    [lambda x: mp.sum(x), lambda x: mp.sum(x, axis=0), lambda x: mp.sum(x, axis=0, keepdims=True)],
)
def test_reduction_sum(red) -> None:
    assert numpy.all(grad(red)(X).asnumpy() == numpy.ones((3, 2)))


# MinPy gave every tied extremum the full gradient; minpy shares it among the ties (README,
# "Differences from MinPy"). Where there is no tie the gradients are MinPy's.
@pytest.mark.parametrize(
    ("red", "want"),
    [
        (lambda x: mp.max(x), [[0, 0.5], [0.5, 0], [0, 0]]),  # MinPy: [[0, 1], [1, 0], [0, 0]]
        (lambda x: mp.max(x, axis=1), [[0, 1], [1, 0], [0.5, 0.5]]),  # MinPy: [1, 1] last
        (lambda x: mp.max(x, axis=1, keepdims=True), [[0, 1], [1, 0], [0.5, 0.5]]),
        (lambda x: mp.max(x, axis=0), [[0, 1], [1, 0], [0, 0]]),
        (lambda x: mp.max(x, axis=0, keepdims=True), [[0, 1], [1, 0], [0, 0]]),
        (lambda x: mp.min(x), [[0, 0], [0, 0], [0.5, 0.5]]),  # MinPy: [1, 1] last
        (lambda x: mp.min(x, axis=1), [[1, 0], [0, 1], [0.5, 0.5]]),  # MinPy: [1, 1] last
        (lambda x: mp.min(x, axis=1, keepdims=True), [[1, 0], [0, 1], [0.5, 0.5]]),
        (lambda x: mp.min(x, axis=0), [[0, 0], [0, 0], [1, 1]]),
        (lambda x: mp.min(x, axis=0, keepdims=True), [[0, 0], [0, 0], [1, 1]]),
    ],
)
def test_reduction_max_min_ties_share(red, want) -> None:
    numpy.testing.assert_array_equal(grad(red)(X).asnumpy(), want)
