"""minpy.nn.layers with MinPy's meanings: softmax_loss (scores) and softmax_cross_entropy
(probabilities), float class labels, l2_loss's 1-D labels, the GRU's gate order, classic
dropout with prob and seed, batchnorm's argument order and zero running statistics, and the
sequence layers rnn_temporal, lstm_temporal, temporal_affine and temporal_softmax_loss. Values
are checked against NumPy references written from MinPy's formulas; gradients against finite
differences."""

from __future__ import annotations

import warnings
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.core import grad
from minpy.nn import layers
from minpy.testing import check_grads

np: Any = _namespace


def rand(*shape: int, seed: int = 0) -> numpy.ndarray:
    return numpy.random.RandomState(seed + 7 * sum(shape)).randn(*shape)


def on(dev: minpy.Device, *arrays: numpy.ndarray) -> list[Any]:
    return [np.array(a, device=dev) for a in arrays]


def close(a: Any, b: Any, tol: float = 1e-10) -> None:
    numpy.testing.assert_allclose(numpy.asarray(a), b, rtol=tol, atol=tol)


def ref_softmax(x: numpy.ndarray) -> Any:
    e = numpy.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ref_sigmoid(x: numpy.ndarray) -> Any:
    return 1 / (1 + numpy.exp(-x))


# --------------------------------------------------------------------------------------------
# softmax_loss and softmax_cross_entropy


def test_softmax_loss_scores_float_labels_and_onehot(device: minpy.Device) -> None:
    xh = rand(6, 4) * 2
    yh = numpy.array([0, 3, 1, 1, 2, 0])
    (x,) = on(device, xh)
    expect = -numpy.log(ref_softmax(xh)[numpy.arange(6), yh]).mean()
    for y in (yh, yh.astype("float32"), numpy.eye(4)[yh]):  # MinPy's tests pass float labels
        close(layers.softmax_loss(x, np.array(y, device=device)), expect)
    y = np.array(yh.astype(float), device=device)
    check_grads(lambda x: layers.softmax_loss(x, y), x)
    # the loss scaled after the fact scales its gradient (MinPy's fixed gradient did not)
    g1 = grad(lambda x: layers.softmax_loss(x, y))(x)
    g2 = grad(lambda x: 2 * layers.softmax_loss(x, y))(x)
    close(g2, 2 * numpy.asarray(g1))


def test_softmax_loss_refuses_fractional_labels() -> None:
    with pytest.raises(ValueError, match=r"softmax_loss: labels of shape \(2,\) are class indices"):
        layers.softmax_loss(np.zeros((2, 3)), np.array([0.5, 1.0]))


def test_softmax_cross_entropy_takes_probabilities(device: minpy.Device) -> None:
    ph = ref_softmax(rand(5, 4) * 2)
    yh = numpy.array([0, 3, 1, 1, 2])
    (p,) = on(device, ph)
    expect = -numpy.log(ph[numpy.arange(5), yh]).mean()
    close(layers.softmax_cross_entropy(p, np.array(yh, device=device)), expect)
    close(layers.softmax_cross_entropy(p, np.array(yh * 1.0, device=device)), expect)
    onehot = np.array(numpy.eye(4)[yh], device=device)
    close(layers.softmax_cross_entropy(p, onehot), expect)
    y = np.array(yh, device=device)
    check_grads(lambda p: layers.softmax_cross_entropy(p, y), p)
    check_grads(lambda p: layers.softmax_cross_entropy(p, onehot), p)


def test_softmax_cross_entropy_of_softmax_is_softmax_loss(device: minpy.Device) -> None:
    (x,) = on(device, rand(4, 3))
    y = np.array([2, 0, 1, 1], device=device)
    close(layers.softmax_cross_entropy(layers.softmax(x), y), layers.softmax_loss(x, y))
    close(
        grad(lambda x: layers.softmax_cross_entropy(layers.softmax(x), y))(x),
        numpy.asarray(grad(lambda x: layers.softmax_loss(x, y))(x)),
    )


def test_softmax_cross_entropy_zero_probability_off_the_label() -> None:
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no log(0) warning, no NaN
        assert float(layers.softmax_cross_entropy(p, np.array([0, 1]))) == 0.0
        g = grad(lambda p: layers.softmax_cross_entropy(p, np.array([0, 1])))(p)
    close(g, [[-0.5, 0.0], [0.0, -0.5]])


def test_softmax_cross_entropy_refuses_scores() -> None:
    with pytest.raises(
        ValueError, match=r"not probabilities; for scores \(logits\) use layers\.softmax_loss"
    ):
        layers.softmax_cross_entropy(np.array([[2.0, -1.0]]), np.array([0]))


# --------------------------------------------------------------------------------------------
# l2_loss with 1-D labels


def test_l2_loss_one_hot_encodes_1d_labels(device: minpy.Device) -> None:
    xh = rand(4, 3)
    yh = numpy.array([2, 0, 1, 2])
    (x,) = on(device, xh)
    expect = ((xh - numpy.eye(3)[yh]) ** 2).sum() / 4
    close(layers.l2_loss(x, np.array(yh, device=device)), expect)
    close(layers.l2_loss(x, np.array(yh * 1.0, device=device)), expect)
    y = np.array(yh, device=device)
    check_grads(lambda x: layers.l2_loss(x, y), x)
    # same-shape targets are used as they are, 1-D predictions included
    close(layers.l2_loss(np.array([1.0, 2.0]), np.array([0.5, 0.0])), 4.25 / 2)


def test_l2_loss_1d_regression_targets_explained() -> None:
    with pytest.raises(ValueError, match=r"l2_loss: labels of shape \(2,\) are class indices"):
        layers.l2_loss(np.zeros((2, 1)), np.array([0.3, 1.7]))


# --------------------------------------------------------------------------------------------
# gru_step: MinPy's gate order (reset gate in the first H columns)


def test_gru_step_reset_gate_first() -> None:
    hd = 2
    x, h = np.ones((1, 3)), np.array([[0.5, -0.5]])
    wx, wh = np.zeros((3, 2 * hd)), np.zeros((hd, 2 * hd))
    wxh, whh, bh = np.ones((3, hd)), np.ones((hd, hd)), np.zeros(hd)
    # first block saturated low, second high: r = 0 and z = 1, so next_h = prev_h
    b = np.array([-50.0] * hd + [50.0] * hd)
    close(layers.gru_step(x, h, wx, wh, b, wxh, whh, bh), [[0.5, -0.5]])
    # the other way round: r = 1, z = 0, so next_h = tanh(x @ wxh + h @ whh + bh)
    b = np.array([50.0] * hd + [-50.0] * hd)
    close(layers.gru_step(x, h, wx, wh, b, wxh, whh, bh), numpy.tanh([[3.0, 3.0]]))


def test_gru_step_matches_minpy_formula(device: minpy.Device) -> None:
    hd = 3
    raw = [rand(2, 4), rand(2, hd), rand(4, 2 * hd), rand(hd, 2 * hd), rand(2 * hd)]
    raw += [rand(4, hd), rand(hd, hd), rand(hd)]
    xh, hh, wx, wh, b, wxh, whh, bh = raw
    a = ref_sigmoid(xh @ wx + hh @ wh + b)
    r, z = a[:, :hd], a[:, hd:]
    expect = z * hh + (1 - z) * numpy.tanh(xh @ wxh + (r * hh) @ whh + bh)
    args = on(device, *raw)
    close(layers.gru_step(*args), expect)
    check_grads(layers.gru_step, *args)


# --------------------------------------------------------------------------------------------
# dropout(x, prob, mode, seed): classic dropout, scaled at test time


def test_dropout_minpy_train_test(device: minpy.Device) -> None:
    x = np.ones((200, 50), device=device)
    host = numpy.asarray(layers.dropout(x, 0.25))
    assert set(numpy.unique(host)) <= {0.0, 1.0}  # no rescaling in training
    assert abs((host == 0).mean() - 0.25) < 0.02  # prob is the drop probability
    close(layers.dropout(x, 0.25, mode="test"), numpy.full((200, 50), 0.75))
    close(layers.dropout(x, 0.25, "test"), numpy.full((200, 50), 0.75))
    assert layers.dropout(x, 0.0) is x
    assert float(np.sum(layers.dropout(x, 1.0))) == 0.0
    close(layers.dropout(x, 1.0, mode="test"), numpy.zeros((200, 50)))


def test_dropout_seed_reproducible_and_gradient_is_mask(device: minpy.Device) -> None:
    (xh,) = [rand(30, 20)]
    (x,) = on(device, xh)
    a = numpy.asarray(layers.dropout(x, 0.5, seed=7))
    b = numpy.asarray(layers.dropout(x, 0.5, seed=7))
    numpy.testing.assert_array_equal(a, b)
    assert not numpy.array_equal(a, numpy.asarray(layers.dropout(x, 0.5, seed=8)))
    g = grad(lambda x: np.sum(layers.dropout(x, 0.5, seed=7)))(x)
    close(g, (a != 0).astype(float))
    check_grads(lambda x: layers.dropout(x, 0.3, seed=1), x)
    check_grads(lambda x: layers.dropout(x, 0.3, mode="test"), x)


def test_dropout_bad_arguments() -> None:
    x = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"prob must be in \[0, 1\], got 1.5"):
        layers.dropout(x, 1.5)
    with pytest.raises(TypeError, match="'p'"):
        layers.dropout(x, p=0.5)  # type: ignore[call-arg]


# --------------------------------------------------------------------------------------------
# batchnorm(x, gamma, beta, mode, eps, momentum, running_mean, running_var)


def test_batchnorm_minpy_positional_order(device: minpy.Device) -> None:
    xh, gh, bh = rand(6, 4) * 2 + 1, rand(4), rand(4)
    x, g, b, rm, rv = on(device, xh, gh, bh, rand(4), numpy.abs(rand(4)) + 0.5)
    out, m2, v2 = layers.batchnorm(x, g, b, "train", 1e-3, 0.8, rm, rv)
    mu, var = xh.mean(0), xh.var(0)
    close(out, (xh - mu) / numpy.sqrt(var + 1e-3) * gh + bh, 1e-8)
    close(m2, 0.8 * numpy.asarray(rm) + 0.2 * mu)
    close(v2, 0.8 * numpy.asarray(rv) + 0.2 * var)
    out, m3, v3 = layers.batchnorm(x, g, b, "test", 1e-3, 0.8, rm, rv)
    close(out, (xh - numpy.asarray(rm)) / numpy.sqrt(numpy.asarray(rv) + 1e-3) * gh + bh)
    assert m3 is rm and v3 is rv
    check_grads(lambda x, g, b: layers.batchnorm(x, g, b, "train", 1e-3)[0], x, g, b)
    check_grads(lambda x, g, b: layers.batchnorm(x, g, b, "test", 1e-3, 0.8, rm, rv)[0], x, g, b)


def test_batchnorm_running_statistics_start_at_zero() -> None:
    xh = rand(5, 3)
    _, mean, var = layers.batchnorm(np.array(xh), np.ones(3), np.zeros(3))
    close(mean, 0.1 * xh.mean(0))
    close(var, 0.1 * xh.var(0))  # MinPy's running_var starts at zeros, not ones


def test_batchnorm_old_argument_order_explained() -> None:
    with pytest.raises(TypeError, match=r"arguments after beta are \(mode, eps, momentum"):
        layers.batchnorm(np.ones((2, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3))


# --------------------------------------------------------------------------------------------
# rnn_temporal, lstm_temporal, temporal_affine, temporal_softmax_loss


def test_rnn_temporal_and_lstm_temporal(device: minpy.Device) -> None:
    raw = [rand(2, 3, 4), rand(2, 3), rand(4, 3), rand(3, 3), rand(3)]
    seq, h0, wx, wh, b = on(device, *raw)
    hs = layers.rnn_temporal(seq, h0, wx, wh, b)
    h = raw[1]
    for t in range(3):
        h = numpy.tanh(raw[0][:, t] @ raw[2] + h @ raw[3] + raw[4])
        close(hs[:, t], h)
    check_grads(layers.rnn_temporal, seq, h0, wx, wh, b, order=1)
    wx4, wh4, b4 = on(device, rand(4, 12), rand(3, 12), rand(12))
    close(layers.lstm_temporal(seq, h0, wx4, wh4, b4), layers.lstm(seq, h0, wx4, wh4, b4))
    check_grads(layers.lstm_temporal, seq, h0, wx4, wh4, b4, order=1)
    with pytest.raises(ValueError, match=r"rnn_temporal: expected a batch of sequences"):
        layers.rnn_temporal(np.ones((2, 4)), h0, wx, wh, b)
    with pytest.raises(ValueError, match=r"lstm_temporal: wx has shape \(4, 3\)"):
        layers.lstm_temporal(seq, h0, wx, wh4, b4)


def test_temporal_affine_values_grad_errors(device: minpy.Device) -> None:
    xh, wh, bh = rand(2, 3, 4), rand(4, 5), rand(5)
    x, w, b = on(device, xh, wh, bh)
    close(layers.temporal_affine(x, w, b), numpy.einsum("ntd,dm->ntm", xh, wh) + bh)
    check_grads(layers.temporal_affine, x, w, b)
    with pytest.raises(ValueError, match=r"temporal_affine: expected a batch of sequences"):
        layers.temporal_affine(np.ones((2, 4)), w, b)
    with pytest.raises(ValueError, match=r"temporal_affine: w has shape \(5, 5\), expected \(4"):
        layers.temporal_affine(x, np.ones((5, 5)), b)
    with pytest.raises(ValueError, match=r"temporal_affine: b has shape \(4,\), expected \(5,\)"):
        layers.temporal_affine(x, w, np.ones(4))


def ref_temporal_softmax_loss(x: Any, y: Any, mask: Any) -> float:
    n = x.shape[0]
    p = ref_softmax(x)
    picked = numpy.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    return float(-(mask * numpy.log(picked)).sum() / n)


def test_temporal_softmax_loss_values_mask_grad(device: minpy.Device) -> None:
    xh = rand(3, 4, 5)
    yh = numpy.random.RandomState(2).randint(0, 5, size=(3, 4))
    mh = numpy.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    (x,) = on(device, xh)
    y, mask = np.array(yh, device=device), np.array(mh, device=device)
    close(layers.temporal_softmax_loss(x, y, mask), ref_temporal_softmax_loss(xh, yh, mh))
    close(layers.temporal_softmax_loss(x, y), ref_temporal_softmax_loss(xh, yh, 1.0))
    weights = numpy.random.RandomState(3).rand(3, 4)
    close(
        layers.temporal_softmax_loss(x, y, np.array(weights, device=device)),
        ref_temporal_softmax_loss(xh, yh, weights),
    )
    check_grads(lambda x: layers.temporal_softmax_loss(x, y, mask), x)
    g = numpy.asarray(grad(lambda x: layers.temporal_softmax_loss(x, y, mask))(x))
    assert not g[~mh].any()  # masked steps get no gradient


def test_temporal_softmax_loss_errors() -> None:
    x, y = np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int)
    with pytest.raises(ValueError, match=r"expected scores of shape \(N, T, V\)"):
        layers.temporal_softmax_loss(np.zeros((2, 3)), y, None)
    with pytest.raises(ValueError, match=r"targets have shape \(3, 2\), expected \(2, 3\)"):
        layers.temporal_softmax_loss(x, np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match=r"mask has shape \(2,\), expected \(2, 3\)"):
        layers.temporal_softmax_loss(x, y, np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match="label 4 is out of range for 4 classes"):
        layers.temporal_softmax_loss(x, np.full((2, 3), 4))
