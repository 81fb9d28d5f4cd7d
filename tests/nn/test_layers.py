"""minpy.nn.layers: forward values against plain NumPy references, gradients against finite
differences (float64, via minpy.testing.check_grads), and the bad-input errors."""

from __future__ import annotations

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
    return numpy.random.RandomState(seed + sum(shape)).randn(*shape)


def on(dev: minpy.Device, *arrays: numpy.ndarray) -> list[Any]:
    return [np.array(a, device=dev) for a in arrays]


def close(a: Any, b: Any, tol: float = 1e-10) -> None:
    numpy.testing.assert_allclose(numpy.asarray(a), b, rtol=tol, atol=tol)


# --------------------------------------------------------------------------------------------
# NumPy references


def ref_conv(x: numpy.ndarray, w: numpy.ndarray, b: numpy.ndarray, s: int, p: int) -> Any:
    x = numpy.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = (h - kh) // s + 1, (wd - kw) // s + 1
    out = numpy.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * s : i * s + kh, j * s : j * s + kw]
            out[:, :, i, j] = numpy.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def ref_pool(x: numpy.ndarray, k: int, s: int, fn: Any) -> Any:
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = numpy.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = fn(x[:, :, i * s : i * s + k, j * s : j * s + k], axis=(2, 3))
    return out


def ref_sigmoid(x: numpy.ndarray) -> Any:
    return 1 / (1 + numpy.exp(-x))


def ref_log_softmax(x: numpy.ndarray) -> Any:
    m = x.max(axis=1, keepdims=True)
    return x - m - numpy.log(numpy.exp(x - m).sum(axis=1, keepdims=True))


# --------------------------------------------------------------------------------------------
# activations and dense layers


ELEMENTWISE = [
    (layers.relu, lambda x: numpy.maximum(x, 0)),
    (lambda x: layers.leaky_relu(x, 0.1), lambda x: numpy.where(x > 0, x, 0.1 * x)),
    (layers.sigmoid, ref_sigmoid),
    (layers.tanh, numpy.tanh),
    (layers.softplus, lambda x: numpy.log1p(numpy.exp(x))),
]


@pytest.mark.parametrize(("fn", "ref"), ELEMENTWISE)
def test_activation_values_and_grad(device: minpy.Device, fn: Any, ref: Any) -> None:
    xh = rand(4, 5)
    xh[numpy.abs(xh) < 0.05] = 0.5  # keep kinks out of the finite-difference stencil
    (x,) = on(device, xh)
    y = fn(x)
    assert y.device is device
    close(y, ref(xh))
    check_grads(fn, x, order=1)


def test_sigmoid_softplus_extreme_inputs_finite() -> None:
    x = np.array([-1000.0, 0.0, 1000.0])
    close(layers.sigmoid(x), [0.0, 0.5, 1.0])
    close(layers.softplus(x), [0.0, numpy.log(2), 1000.0])


def test_affine_values_and_grad(device: minpy.Device) -> None:
    xh, wh, bh = rand(3, 2, 2), rand(4, 5), rand(5)
    x, w, b = on(device, xh, wh, bh)
    close(layers.affine(x, w, b), xh.reshape(3, 4) @ wh + bh)
    check_grads(layers.affine, x, w, b)


def test_affine_shape_error_says_how() -> None:
    with pytest.raises(ValueError, match=r"affine: input of shape \(2, 7\) has 7 features"):
        layers.affine(np.ones((2, 7)), np.ones((4, 3)), np.zeros(3))


def test_dropout_inverted_train_test(device: minpy.Device) -> None:
    x = np.ones((200, 50), device=device)
    y = layers.dropout(x, 0.25, inverted=True)
    host = numpy.asarray(y)
    assert set(numpy.unique(host)) <= {0.0, 1 / 0.75}
    assert abs((host == 0).mean() - 0.25) < 0.02
    assert abs(host.mean() - 1.0) < 0.03  # inverted: expectation preserved
    assert layers.dropout(x, 0.25, mode="test", inverted=True) is x
    np.random.seed(3)
    g = grad(lambda x: np.sum(layers.dropout(x, 0.5, inverted=True)))(x)
    np.random.seed(3)
    mask = numpy.asarray(layers.dropout(x, 0.5, inverted=True))
    close(g, mask)
    with pytest.raises(ValueError, match=r"prob must be in \[0, 1\) with inverted=True"):
        layers.dropout(x, 1.0, inverted=True)
    with pytest.raises(ValueError, match="mode must be"):
        layers.dropout(x, 0.1, mode="eval")


def test_batchnorm_train_values_grad_running_stats(device: minpy.Device) -> None:
    xh, gh, bh = rand(6, 4) * 2 + 1, rand(4), rand(4)
    x, g, b = on(device, xh, gh, bh)
    rm, rv = np.zeros(4), np.ones(4)
    out, m2, v2 = layers.batchnorm(x, g, b, momentum=0.8, running_mean=rm, running_var=rv)
    mu, var = xh.mean(0), xh.var(0)
    close(out, (xh - mu) / numpy.sqrt(var + 1e-5) * gh + bh, 1e-8)
    close(m2, 0.2 * mu)
    close(v2, 0.8 + 0.2 * var)
    assert m2.traced is False

    def f(x: Any, g: Any, b: Any) -> Any:
        return layers.batchnorm(x, g, b)[0]

    check_grads(f, x, g, b)

    def traced_stats(x: Any) -> Any:
        out, m, v = layers.batchnorm(x, g, b)
        assert not m.traced and not v.traced  # backprop never reaches the running stats
        return out

    grad(traced_stats)(x)


def test_batchnorm_test_mode_and_spatial(device: minpy.Device) -> None:
    xh = rand(3, 2, 4, 4)
    x, g, b = on(device, xh, numpy.array([1.0, 2.0]), numpy.array([0.0, 1.0]))
    rm, rv = np.array([0.5, -0.5], device=device), np.array([2.0, 3.0], device=device)
    out, m, v = layers.batchnorm(x, g, b, "test", running_mean=rm, running_var=rv)
    expect = (xh - [[[[0.5]], [[-0.5]]]]) / numpy.sqrt(numpy.array([2.0, 3.0]) + 1e-5).reshape(
        1, 2, 1, 1
    ) * numpy.array([1.0, 2.0]).reshape(1, 2, 1, 1) + numpy.array([0.0, 1.0]).reshape(1, 2, 1, 1)
    close(out, expect)
    assert m is rm and v is rv
    out, m, v = layers.batchnorm(x, g, b)
    close(numpy.asarray(out)[:, 0].mean(), 0.0, 1e-8)
    close(m, 0.1 * xh.mean(axis=(0, 2, 3)))
    check_grads(lambda x, g, b: layers.batchnorm(x, g, b)[0], x, g, b, order=1)


def test_layernorm_values_and_grad(device: minpy.Device) -> None:
    xh, gh, bh = rand(3, 5), rand(5), rand(5)
    x, g, b = on(device, xh, gh, bh)
    mu, var = xh.mean(-1, keepdims=True), xh.var(-1, keepdims=True)
    close(layers.layernorm(x, g, b), (xh - mu) / numpy.sqrt(var + 1e-5) * gh + bh, 1e-8)
    check_grads(layers.layernorm, x, g, b)


# --------------------------------------------------------------------------------------------
# convolution and pooling


@pytest.mark.parametrize(("stride", "pad", "k"), [(1, 0, 3), (1, 1, 3), (2, 1, 3), (2, 0, 1)])
def test_conv2d_values_and_grad(device: minpy.Device, stride: int, pad: int, k: int) -> None:
    xh, wh, bh = rand(2, 3, 5, 5), rand(4, 3, k, k), rand(4)
    x, w, b = on(device, xh, wh, bh)
    out = layers.conv2d(x, w, b, stride=stride, pad=pad)
    assert out.device is device
    close(out, ref_conv(xh, wh, bh, stride, pad), 1e-9)
    check_grads(lambda x, w, b: layers.conv2d(x, w, b, stride, pad), x, w, b, order=1)


def test_conv2d_bad_shapes() -> None:
    with pytest.raises(ValueError, match=r"conv2d: input of shape \(2, 3, 5\)"):
        layers.conv2d(np.ones((2, 3, 5)), np.ones((4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="same C"):
        layers.conv2d(np.ones((2, 1, 5, 5)), np.ones((4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="does not fit"):
        layers.conv2d(np.ones((2, 3, 2, 2)), np.ones((4, 3, 3, 3)), np.zeros(4))


@pytest.mark.parametrize(("k", "s"), [(2, 2), (3, 1), (3, 2)])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_values_and_grad(device: minpy.Device, kind: str, k: int, s: int) -> None:
    xh = rand(2, 3, 6, 6)
    (x,) = on(device, xh)
    fn = layers.max_pool if kind == "max" else layers.avg_pool
    close(fn(x, k, s), ref_pool(xh, k, s, numpy.max if kind == "max" else numpy.mean))
    check_grads(lambda x: fn(x, k, s), x, order=1)


def test_embedding_values_grad_and_range(device: minpy.Device) -> None:
    wh = rand(5, 3)
    (w,) = on(device, wh)
    idx = np.array([[0, 4, 4], [2, 1, 0]], device=device)
    close(layers.embedding(idx, w), wh[numpy.asarray(idx)])
    check_grads(lambda w: layers.embedding(idx, w), w, order=1)
    g = grad(lambda w: np.sum(layers.embedding(idx, w)))(w)
    close(g, numpy.bincount([0, 4, 4, 2, 1, 0], minlength=5)[:, None] * numpy.ones((5, 3)))
    with pytest.raises(ValueError, match="label 5 is out of range for 5 classes"):
        layers.embedding(np.array([5], device=device), w)


# --------------------------------------------------------------------------------------------
# recurrent layers


def ref_lstm_step(x: Any, h: Any, c: Any, wx: Any, wh: Any, b: Any) -> Any:
    a = x @ wx + h @ wh + b
    hd = h.shape[1]
    i, f, o = (ref_sigmoid(a[:, k * hd : (k + 1) * hd]) for k in range(3))
    g = numpy.tanh(a[:, 3 * hd :])
    c2 = f * c + i * g
    return o * numpy.tanh(c2), c2


def ref_gru_step(x: Any, h: Any, wx: Any, wh: Any, b: Any, wxh: Any, whh: Any, bh: Any) -> Any:
    hd = h.shape[1]
    gates = ref_sigmoid(x @ wx + h @ wh + b)
    r, z = gates[:, :hd], gates[:, hd:]  # MinPy's order: reset gate first
    cand = numpy.tanh(x @ wxh + (r * h) @ whh + bh)
    return z * h + (1 - z) * cand


def test_rnn_step_and_sequence(device: minpy.Device) -> None:
    xh, hh, wx, wh, b = rand(2, 3), rand(2, 4), rand(3, 4), rand(4, 4) * 0.5, rand(4)
    args = on(device, xh, hh, wx, wh, b)
    close(layers.rnn_step(*args), numpy.tanh(xh @ wx + hh @ wh + b))
    check_grads(layers.rnn_step, *args)
    seq = on(device, rand(2, 3, 3))[0]
    hs = layers.rnn(seq, *args[1:])
    h = hh
    for t in range(3):
        h = numpy.tanh(numpy.asarray(seq)[:, t] @ wx + h @ wh + b)
        close(hs[:, t], h)
    check_grads(layers.rnn, seq, *args[1:], order=1)


def test_lstm_step_and_sequence(device: minpy.Device) -> None:
    hd = 3
    raw = [rand(2, 4), rand(2, hd), rand(2, hd), rand(4, 4 * hd), rand(hd, 4 * hd), rand(4 * hd)]
    args = on(device, *raw)
    h, c = layers.lstm_step(*args)
    rh, rc = ref_lstm_step(*raw)
    close(h, rh)
    close(c, rc)
    check_grads(layers.lstm_step, *args, order=1)
    seq = on(device, rand(2, 3, 4))[0]
    hs = layers.lstm(seq, args[1], *args[3:])
    h, c = raw[1], numpy.zeros((2, hd))
    for t in range(3):
        h, c = ref_lstm_step(numpy.asarray(seq)[:, t], h, c, *raw[3:])
    close(hs[:, -1], h)
    check_grads(lambda s, h0, wx, wh, b: layers.lstm(s, h0, wx, wh, b), seq, args[1], *args[3:],
                order=1)  # fmt: skip


def test_gru_step_and_sequence(device: minpy.Device) -> None:
    hd = 3
    raw = [rand(2, 4), rand(2, hd), rand(4, 2 * hd), rand(hd, 2 * hd), rand(2 * hd)]
    raw += [rand(4, hd), rand(hd, hd), rand(hd)]
    args = on(device, *raw)
    close(layers.gru_step(*args), ref_gru_step(*raw))
    check_grads(layers.gru_step, *args, order=1)
    seq = on(device, rand(2, 3, 4))[0]
    hs = layers.gru(seq, *args[1:])
    h = raw[1]
    for t in range(3):
        h = ref_gru_step(numpy.asarray(seq)[:, t], h, *raw[2:])
    close(hs[:, -1], h)
    check_grads(layers.gru, seq, *args[1:], order=1)


def test_sequence_shape_error() -> None:
    with pytest.raises(ValueError, match=r"lstm: expected a batch of sequences of shape \(N, T"):
        layers.lstm(np.ones((2, 3)), np.ones((2, 1)), np.ones((3, 4)), np.ones((1, 4)), np.ones(4))


# --------------------------------------------------------------------------------------------
# softmax and losses


def test_softmax_and_log_softmax(device: minpy.Device) -> None:
    xh = rand(4, 6) * 3
    (x,) = on(device, xh)
    close(layers.log_softmax(x), ref_log_softmax(xh))
    close(layers.softmax(x), numpy.exp(ref_log_softmax(xh)))
    close(layers.softmax(x, axis=0), numpy.exp(ref_log_softmax(xh.T)).T)
    check_grads(layers.log_softmax, x)
    check_grads(layers.softmax, x)
    big = np.array([[1000.0, 0.0]], device=device)
    close(layers.softmax(big), [[1.0, 0.0]])


def test_softmax_loss_labels_and_onehot(device: minpy.Device) -> None:
    xh = rand(5, 4)
    yh = numpy.array([0, 3, 1, 1, 2])
    (x,) = on(device, xh)
    y = np.array(yh, device=device)
    expect = -ref_log_softmax(xh)[numpy.arange(5), yh].mean()
    close(layers.softmax_loss(x, y), expect)
    onehot = np.array(numpy.eye(4)[yh], device=device)
    close(layers.softmax_loss(x, onehot), expect)
    check_grads(lambda x: layers.softmax_loss(x, y), x)
    check_grads(lambda x: layers.softmax_loss(x, onehot), x)


def test_losses_reject_bad_labels() -> None:
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"label 4 is out of range for 4 classes.*remap"):
        layers.softmax_loss(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="label -1 is out of range"):
        layers.svm_loss(x, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match="2 labels for 3 predictions"):
        layers.softmax_loss(x, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"labels of shape \(3, 5\) do not fit"):
        layers.softmax_loss(x, np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"expected scores of shape \(N, C\)"):
        layers.softmax_loss(np.zeros(3), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="do not match"):
        layers.l2_loss(x, np.zeros((3, 3)))


def test_svm_loss_values_and_grad(device: minpy.Device) -> None:
    xh = rand(5, 4)
    yh = numpy.array([0, 3, 1, 1, 2])
    (x,) = on(device, xh)
    y = np.array(yh, device=device)
    correct = xh[numpy.arange(5), yh][:, None]
    m = numpy.maximum(0, xh - correct + 1.0)
    m[numpy.arange(5), yh] = 0
    close(layers.svm_loss(x, y), m.sum() / 5)
    check_grads(lambda x: layers.svm_loss(x, y), x, order=1)


def test_l2_and_sigmoid_cross_entropy(device: minpy.Device) -> None:
    xh, th = rand(4, 3), numpy.random.RandomState(1).rand(4, 3)
    x, t = on(device, xh, th)
    close(layers.l2_loss(x, t), ((xh - th) ** 2).sum() / 4)
    p = ref_sigmoid(xh)
    close(
        layers.sigmoid_cross_entropy(x, t),
        -(th * numpy.log(p) + (1 - th) * numpy.log(1 - p)).sum() / 4,
    )
    check_grads(layers.l2_loss, x, t)
    check_grads(layers.sigmoid_cross_entropy, x, t)


# --------------------------------------------------------------------------------------------
# wrong-shaped weights, biases, scales and states are named, not left to an inner primitive


def _ones(*shape: int) -> Any:
    return np.ones(shape)


def _rnn(**kw: Any) -> Any:
    args = dict(x=_ones(2, 3, 5), h0=_ones(2, 4), wx=_ones(5, 4), wh=_ones(4, 4), b=_ones(4))
    args.update(kw)
    return layers.rnn(**args)


def _lstm_step(**kw: Any) -> Any:
    args = dict(x=_ones(2, 5), prev_h=_ones(2, 4), prev_c=_ones(2, 4), wx=_ones(5, 16),
                wh=_ones(4, 16), b=_ones(16))  # fmt: skip
    args.update(kw)
    return layers.lstm_step(**args)


def _gru(**kw: Any) -> Any:
    args = dict(x=_ones(2, 3, 5), h0=_ones(2, 4), wx=_ones(5, 8), wh=_ones(4, 8), b=_ones(8),
                wxh=_ones(5, 4), whh=_ones(4, 4), bh=_ones(4))  # fmt: skip
    args.update(kw)
    return layers.gru(**args)


BAD_SHAPES: list[tuple[str, Any, str]] = [
    ("affine b", lambda: layers.affine(_ones(2, 3), _ones(3, 4), _ones(3)),
     r"affine: b has shape \(3,\), expected \(4,\) \(one bias per output, M = w\.shape\[1\] = 4\); "
     r"pass b of shape \(4,\)"),
    ("affine b batch", lambda: layers.affine(_ones(2, 3), _ones(3, 4), _ones(3, 1, 4)),
     r"affine: b has shape \(3, 1, 4\), expected \(4,\)"),
    ("affine w", lambda: layers.affine(_ones(2, 3), _ones(3), _ones(1)),
     r"affine: w has shape \(3,\), expected a 2-D \(D, M\) matrix"),
    ("batchnorm gamma", lambda: layers.batchnorm(_ones(2, 3), _ones(4), _ones(3)),
     r"batchnorm: gamma has shape \(4,\), expected \(3,\) \(one per feature, x\.shape\[1\] = 3\)"),
    ("batchnorm beta", lambda: layers.batchnorm(_ones(2, 3), _ones(3), _ones(3, 3)),
     r"batchnorm: beta has shape \(3, 3\), expected \(3,\)"),
    ("batchnorm channels", lambda: layers.batchnorm(_ones(2, 3, 4, 4), _ones(4), _ones(3)),
     r"batchnorm: gamma has shape \(4,\), expected \(3,\) \(one per channel"),
    ("batchnorm running_mean",
     lambda: layers.batchnorm(_ones(2, 3), _ones(3), _ones(3), "test", running_mean=_ones(2)),
     r"batchnorm: running_mean has shape \(2,\), expected \(3,\)"),
    ("layernorm gamma", lambda: layers.layernorm(_ones(2, 3), _ones(4), _ones(3)),
     r"layernorm: gamma has shape \(4,\), expected \(3,\) \(one per feature of the last axis"),
    ("layernorm beta", lambda: layers.layernorm(_ones(2, 3), _ones(3), _ones(2, 2, 3)),
     r"layernorm: beta has shape \(2, 2, 3\), expected \(3,\)"),
    ("conv2d b", lambda: layers.conv2d(_ones(1, 1, 3, 3), _ones(2, 1, 2, 2), _ones(3)),
     r"conv2d: b has shape \(3,\), expected \(2,\) \(one bias per filter, F = w\.shape\[0\] = 2\)"),
    ("embedding w", lambda: layers.embedding(np.array([1]), _ones(5)),
     r"embedding: w has shape \(5,\), expected a 2-D \(V, D\) matrix"),
    ("embedding scalar w", lambda: layers.embedding(np.array([0]), np.array(3.0)),
     r"embedding: w has shape \(\), expected a 2-D"),
    ("rnn h0", lambda: _rnn(h0=_ones(2, 5)),
     r"rnn: h0 has shape \(2, 5\), expected \(2, 4\) \(N = 2 examples by H = wh\.shape\[0\] = 4\)"),
    ("rnn h0 batch", lambda: _rnn(h0=_ones(3, 4)),
     r"rnn: h0 has shape \(3, 4\), expected \(2, 4\)"),
    ("rnn wx", lambda: _rnn(wx=_ones(4, 4)),
     r"rnn: wx has shape \(4, 4\), expected \(5, 4\) \(D = 5 input features by H"),
    ("rnn wh", lambda: _rnn(wh=_ones(4, 5)), r"rnn: wh has shape \(4, 5\), expected \(H, H\)"),
    ("rnn b", lambda: _rnn(b=_ones(5)), r"rnn: b has shape \(5,\), expected \(4,\)"),
    ("rnn_step prev_h",
     lambda: layers.rnn_step(_ones(2, 5), _ones(2, 3), _ones(5, 4), _ones(4, 4), _ones(4)),
     r"rnn_step: prev_h has shape \(2, 3\), expected \(2, 4\)"),
    ("rnn_step x", lambda: layers.rnn_step(_ones(2, 3, 5), _ones(2, 4), _ones(5, 4),
                                           _ones(4, 4), _ones(4)),
     r"rnn_step: x has shape \(2, 3, 5\), expected \(N, D\)"),
    ("lstm_step b", lambda: _lstm_step(b=_ones(15)),
     r"lstm_step: b has shape \(15,\), expected \(16,\) \(4H, H = wh\.shape\[0\] = 4\)"),
    ("lstm_step wh", lambda: _lstm_step(wh=_ones(4, 12)),
     r"lstm_step: wh has shape \(4, 12\), expected \(H, 4H\) .* e\.g\. \(4, 16\)"),
    ("lstm_step wx", lambda: _lstm_step(wx=_ones(5, 12)),
     r"lstm_step: wx has shape \(5, 12\), expected \(5, 16\)"),
    ("lstm_step prev_c", lambda: _lstm_step(prev_c=_ones(2, 5)),
     r"lstm_step: prev_c has shape \(2, 5\), expected \(2, 4\) \(like prev_h"),
    ("lstm h0", lambda: layers.lstm(_ones(2, 3, 5), _ones(2, 3), _ones(5, 16), _ones(4, 16),
                                    _ones(16)),
     r"lstm: h0 has shape \(2, 3\), expected \(2, 4\)"),
    ("gru wx", lambda: _gru(wx=_ones(5, 4)), r"gru: wx has shape \(5, 4\), expected \(5, 8\)"),
    ("gru wxh", lambda: _gru(wxh=_ones(4, 4)), r"gru: wxh has shape \(4, 4\), expected \(5, 4\)"),
    ("gru whh", lambda: _gru(whh=_ones(4, 5)), r"gru: whh has shape \(4, 5\), expected \(4, 4\)"),
    ("gru bh", lambda: _gru(bh=_ones(8)), r"gru: bh has shape \(8,\), expected \(4,\)"),
    ("gru h0", lambda: _gru(h0=_ones(2, 8)), r"gru: h0 has shape \(2, 8\), expected \(2, 4\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "match"), [c[1:] for c in BAD_SHAPES], ids=[c[0] for c in BAD_SHAPES]
)
def test_layers_name_the_wrong_shaped_argument(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_layers_still_accept_broadcasting_arguments() -> None:
    x = _ones(2, 3)
    close(layers.affine(x, _ones(3, 4), _ones(1, 4)), numpy.full((2, 4), 4.0))
    close(layers.affine(x, _ones(3, 4), 1.0), numpy.full((2, 4), 4.0))  # a Python number
    out, _, _ = layers.batchnorm(_ones(2, 3, 2, 2), _ones(1, 3, 1, 1), np.zeros((3, 1)))
    assert out.shape == (2, 3, 2, 2)
    assert layers.layernorm(x, _ones(1, 3), np.zeros(3)).shape == (2, 3)
    assert _rnn(h0=_ones(1, 4), b=_ones(1, 4)).shape == (2, 3, 4)  # one initial state for all
    h, c = _lstm_step(prev_h=_ones(4), prev_c=_ones(1, 4))
    assert h.shape == c.shape == (2, 4)
    assert _gru(h0=_ones(1, 4)).shape == (2, 3, 4)
    assert layers.conv2d(_ones(1, 1, 3, 3), _ones(2, 1, 2, 2), _ones(2, 1)).shape == (1, 2, 2, 2)


def test_relu_gradient_is_zero_at_zero_and_keeps_the_dtype(device: minpy.Device) -> None:
    """relu's gradient at 0 is the subgradient 0 (PyTorch's and JAX's choice), where
    np.maximum(x, 0) splits the tie; float32 stays float32."""
    with device:
        x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
    g = grad(lambda x: np.sum(layers.relu(x) * 3.0))(x)
    assert g.dtype == numpy.float32
    numpy.testing.assert_array_equal(g.asnumpy(), [0.0, 0.0, 3.0])
    tie = grad(lambda x: np.sum(np.maximum(x, 0) * 3.0))(x)
    numpy.testing.assert_array_equal(tie.asnumpy(), [0.0, 1.5, 3.0])
