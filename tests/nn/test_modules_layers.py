"""The layers of minpy.nn.modules: values against NumPy references (MXNet's layouts and
defaults), parameter shapes, gradients against finite differences, argument errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.core import grad_and_loss
from minpy.nn import modules as nm
from minpy.nn.modules import base
from minpy.testing import check_grads

np: Any = _namespace
rng = numpy.random.RandomState(0)


@pytest.fixture(autouse=True)
def _fresh_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_COUNTERS", {})


def _bound(layer: nm.Layer, x: Any, *rest: Any) -> nm.Model:
    """A model holding ``layer``, its parameters created by a call on ``x`` and replaced by
    float64 random values (auxiliary parameters too)."""
    model = nm.Model()
    model.layer = layer
    layer(x, *rest)
    for table in (model.params, model.aux_params):
        for name, value in table.items():
            table[name] = np.array(rng.rand(*value.shape) + 0.5)
    return model


def _as_function(model: nm.Model, layer: nm.Layer, *rest: Any) -> Callable[..., Any]:
    """``f(x, *params)``: the layer's output with those parameters (in declaration order)."""
    names = layer._param_names

    def f(x: Any, *params: Any) -> Any:
        model.params.update(zip(names, params))
        return layer(x, *rest)

    return f


def _values(model: nm.Model, layer: nm.Layer) -> list[Any]:
    return [model.params[n] for n in layer._param_names]


def _host(model: nm.Model, name: str) -> Any:
    return model.params[name].asnumpy()


# FullyConnected ------------------------------------------------------------------------------
@pytest.mark.parametrize("no_bias", [False, True])
def test_fully_connected_values_and_grads(no_bias: bool) -> None:
    x = np.array(rng.randn(4, 2, 3))
    layer = nm.FullyConnected(num_hidden=5, no_bias=no_bias, name="fc")
    model = _bound(layer, x)
    assert model.params["fc_weight"].shape == (5, 6)  # MXNet's (num_hidden, D)
    expect = x.asnumpy().reshape(4, 6) @ _host(model, "fc_weight").T
    if not no_bias:
        assert model.params["fc_bias"].shape == (5,)
        expect = expect + _host(model, "fc_bias")
    numpy.testing.assert_allclose(layer(x).asnumpy(), expect, rtol=1e-12)
    check_grads(_as_function(model, layer), x, *_values(model, layer))


def test_fully_connected_checks_arguments() -> None:
    with pytest.raises(ValueError, match="num_hidden must be a positive int"):
        nm.FullyConnected(num_hidden=0)
    model = nm.Model()
    model.fc = nm.FullyConnected(num_hidden=2, name="fc")
    with pytest.raises(ValueError, match="batch axis"):
        model.fc(np.ones(3))


# Convolution ---------------------------------------------------------------------------------
def _conv_reference(x: Any, w: Any, b: Any, stride: tuple[int, int], pad: tuple[int, int]) -> Any:
    x = numpy.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride[0] + 1, (wd - kw) // stride[1] + 1
    out = numpy.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride[0] : i * stride[0] + kh, j * stride[1] : j * stride[1] + kw]
            out[:, :, i, j] = numpy.einsum("nchw,fchw->nf", patch, w)
    return out + b.reshape(1, f, 1, 1)


@pytest.mark.parametrize(
    ("stride", "pad", "no_bias"), [((1, 1), (0, 0), False), ((2, 1), (1, 2), True)]
)
def test_convolution_values_and_grads(
    stride: tuple[int, int], pad: tuple[int, int], no_bias: bool
) -> None:
    x = np.array(rng.randn(2, 3, 5, 6))
    layer = nm.Convolution(
        kernel=(3, 2), num_filter=4, stride=stride, pad=pad, no_bias=no_bias, name="conv"
    )
    model = _bound(layer, x)
    assert model.params["conv_weight"].shape == (4, 3, 3, 2)
    b = numpy.zeros(4) if no_bias else _host(model, "conv_bias")
    expect = _conv_reference(x.asnumpy(), _host(model, "conv_weight"), b, stride, pad)
    numpy.testing.assert_allclose(layer(x).asnumpy(), expect, rtol=1e-10)
    check_grads(_as_function(model, layer), x, *_values(model, layer), order=1)


def test_convolution_checks_arguments() -> None:
    with pytest.raises(ValueError, match="kernel must be a positive int or a pair"):
        nm.Convolution(kernel=(3, 0), num_filter=2)
    with pytest.raises(ValueError, match="num_filter must be a positive int"):
        nm.Convolution(kernel=3, num_filter=None)  # type: ignore[arg-type]
    model = nm.Model()
    model.conv = nm.Convolution(kernel=3, num_filter=2, name="conv")
    with pytest.raises(ValueError, match=r"BatchReshape\(\(C, H, W\)\)"):
        model.conv(np.ones((2, 9)))


# Pooling -------------------------------------------------------------------------------------
def _pool_reference(x: Any, kernel: Any, stride: Any, pad: Any, pool_type: str) -> Any:
    fill = -numpy.inf if pool_type == "max" else 0.0
    x = numpy.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), constant_values=fill)
    n, c, h, w = x.shape
    oh, ow = (h - kernel[0]) // stride[0] + 1, (w - kernel[1]) // stride[1] + 1
    out = numpy.zeros((n, c, oh, ow))
    reduce = {"max": numpy.max, "avg": numpy.mean, "sum": numpy.sum}[pool_type]
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * stride[0] : i * stride[0] + kernel[0],
                    j * stride[1] : j * stride[1] + kernel[1]]  # fmt: skip
            out[:, :, i, j] = reduce(win, axis=(2, 3))
    return out


@pytest.mark.parametrize("pool_type", ["max", "avg", "sum"])
@pytest.mark.parametrize(("stride", "pad"), [((1, 1), (0, 0)), ((2, 1), (1, 1))])
def test_pooling_values_and_grads(pool_type: str, stride: Any, pad: Any) -> None:
    x = np.array(rng.randn(2, 3, 5, 4))
    layer = nm.Pooling(kernel=(3, 2), pool_type=pool_type, stride=stride, pad=pad)
    expect = _pool_reference(x.asnumpy(), (3, 2), stride, pad, pool_type)
    numpy.testing.assert_allclose(layer(x).asnumpy(), expect, rtol=1e-12)
    check_grads(layer, x, order=1)


def test_pooling_defaults_and_global() -> None:
    x = np.array(rng.randn(1, 2, 4, 4))
    assert nm.Pooling(kernel=(2, 2))(x).shape == (1, 2, 3, 3)  # MXNet's stride 1
    for pool_type, reduce in (("max", numpy.max), ("avg", numpy.mean), ("sum", numpy.sum)):
        out = nm.Pooling(pool_type=pool_type, global_pool=True)(x)
        numpy.testing.assert_allclose(
            out.asnumpy(), reduce(x.asnumpy(), axis=(2, 3), keepdims=True), rtol=1e-12
        )
    with pytest.raises(ValueError, match="pool_type must be one of"):
        nm.Pooling(kernel=2, pool_type="min")
    with pytest.raises(ValueError, match="pass kernel"):
        nm.Pooling()
    with pytest.raises(ValueError, match="expects"):
        nm.Pooling(kernel=2)(np.ones((2, 4)))


# BatchNorm -----------------------------------------------------------------------------------
def _bn_reference(x: Any, gamma: Any, beta: Any, axes: tuple[int, ...], eps: float) -> Any:
    shape = [1] * x.ndim
    shape[1] = -1
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / numpy.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("fix_gamma", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 2, 2)])
def test_batchnorm_training_values_aux_and_grads(fix_gamma: bool, shape: Any) -> None:
    x = np.array(rng.randn(*shape) * 2 + 1)
    layer = nm.BatchNorm(fix_gamma=fix_gamma, name="bn")
    model = _bound(layer, x)
    assert model.params["bn_gamma"].shape == (3,) and model.aux_params["bn_moving_var"].shape == (
        3,
    )
    mean0 = model.aux_params["bn_moving_mean"].asnumpy()
    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    gamma = numpy.ones(3) if fix_gamma else _host(model, "bn_gamma")
    expect = _bn_reference(x.asnumpy(), gamma, _host(model, "bn_beta"), axes, 1e-3)
    numpy.testing.assert_allclose(layer(x).asnumpy(), expect, rtol=1e-10, atol=1e-12)
    numpy.testing.assert_allclose(
        model.aux_params["bn_moving_mean"].asnumpy(),
        0.9 * mean0 + 0.1 * x.asnumpy().mean(axis=axes),
    )
    check_grads(_as_function(model, layer), x, *_values(model, layer), order=1)
    if fix_gamma:  # gamma is held at 1: no gradient reaches it
        model(x, forward=lambda X, mode: layer(X) ** 2)
        assert numpy.all(model.backward()["bn_gamma"].asnumpy() == 0)


def test_batchnorm_inference_and_global_stats_use_moving_statistics() -> None:
    x = np.array(rng.randn(5, 2))
    layer = nm.BatchNorm(eps=1e-5, fix_gamma=False, name="bn")
    model = _bound(layer, x)
    mean, var = (model.aux_params[k].asnumpy() for k in ("bn_moving_mean", "bn_moving_var"))
    g, b = _host(model, "bn_gamma"), _host(model, "bn_beta")
    expect = (x.asnumpy() - mean) / numpy.sqrt(var + 1e-5) * g + b
    layer.inference()
    numpy.testing.assert_allclose(layer(x).asnumpy(), expect, rtol=1e-10)
    assert model.aux_params["bn_moving_mean"].asnumpy().tolist() == mean.tolist()
    layer.training()
    layer._use_global_stats = True
    numpy.testing.assert_allclose(layer(x).asnumpy(), expect, rtol=1e-10)
    with pytest.raises(ValueError, match="eps must be > 0"):
        nm.BatchNorm(eps=0)


# Embedding -----------------------------------------------------------------------------------
def test_batchnorm_updates_moving_statistics_in_place_so_jit_replays_them() -> None:
    # as MXNet's auxiliary states: the arrays are written, not replaced, so a jitted training
    # step replays the update instead of running eagerly
    x = np.array(rng.randn(6, 3))
    models = []
    for _ in range(2):
        layer = nm.BatchNorm(fix_gamma=False, name="bn")
        model = _bound(layer, x)
        models.append((model, layer))
    (eager_model, eager_layer), (jit_model, jit_layer) = models
    jit_model.params.update({k: v.copy() for k, v in eager_model.params.items()})
    for name, value in eager_model.aux_params.items():
        jit_model.aux_params[name][...] = value
    moving = jit_model.aux_params["bn_moving_mean"]

    def step(layer: nm.Layer, x: Any) -> Any:
        grads, value = grad_and_loss(lambda x: np.sum(layer(x) ** 3))(x)
        return grads, value

    jitted = minpy.jit(step, static_argnums=0)
    for _ in range(3):
        want_grad, want = step(eager_layer, x)
        got_grad, got = jitted(jit_layer, x)
        numpy.testing.assert_array_equal(got_grad.asnumpy(), want_grad.asnumpy())
        assert float(got) == float(want)
        for name in ("bn_moving_mean", "bn_moving_var"):
            numpy.testing.assert_array_equal(
                jit_model.aux_params[name].asnumpy(), eager_model.aux_params[name].asnumpy()
            )
    assert jit_model.aux_params["bn_moving_mean"] is moving  # written in place
    assert (jitted.traced, jitted.replayed, jitted.eager) == (1, 2, 0)


def test_embedding_values_and_grads() -> None:
    idx = np.array([[1, 4, 1], [0, 2, 3]])
    layer = nm.Embedding(input_dim=5, output_dim=3, name="embed")
    model = _bound(layer, idx)
    w = model.params["embed_weight"]
    assert w.shape == (5, 3)
    numpy.testing.assert_array_equal(layer(idx).asnumpy(), w.asnumpy()[idx.asnumpy()])
    numpy.testing.assert_array_equal(
        layer(np.array([[1.0, 4.0]])).asnumpy(), w.asnumpy()[[[1, 4]]]
    )  # MXNet feeds float indices
    check_grads(lambda w: _as_function(model, layer)(idx, w), w)
    with pytest.raises(ValueError, match="output_dim must be a positive int"):
        nm.Embedding(input_dim=3, output_dim=0)


# RNN and LSTM --------------------------------------------------------------------------------
_ACT = {
    "tanh": numpy.tanh,
    "relu": lambda a: numpy.maximum(a, 0),
    "sigmoid": lambda a: 1 / (1 + numpy.exp(-a)),
    "softrelu": lambda a: numpy.log1p(numpy.exp(a)),
}


@pytest.mark.parametrize("act_type", sorted(_ACT))
def test_rnn_values_and_grads(act_type: str) -> None:
    x, h = np.array(rng.randn(3, 4)), np.array(rng.randn(3, 2))
    layer = nm.RNN(num_hidden=2, act_type=act_type, name="rnn")
    model = _bound(layer, x, h)
    wi, wh, b = (_host(model, f"rnn_{k}") for k in ("i2h_weight", "h2h_weight", "h2h_bias"))
    assert (wi.shape, wh.shape, b.shape) == ((2, 4), (2, 2), (2,))
    expect = _ACT[act_type](x.asnumpy() @ wi.T + h.asnumpy() @ wh.T + b)
    numpy.testing.assert_allclose(layer(x, h).asnumpy(), expect, rtol=1e-12)
    zero = _ACT[act_type](x.asnumpy() @ wi.T + b)
    numpy.testing.assert_allclose(layer(x).asnumpy(), zero, rtol=1e-12)

    def f(x: Any, h: Any, *params: Any) -> Any:
        model.params.update(zip(layer._param_names, params))
        return layer(x, h)

    check_grads(f, x, h, *_values(model, layer), order=1)


def _lstm_reference(x: Any, h: Any, c: Any, wi: Any, wh: Any, b: Any, act: Any) -> Any:
    a = x @ wi.T + h @ wh.T + b
    n = h.shape[1]
    sig = _ACT["sigmoid"]
    i, f, o, g = (
        sig(a[:, :n]),
        sig(a[:, n : 2 * n]),
        sig(a[:, 2 * n : 3 * n]),
        numpy.tanh(a[:, 3 * n :]),
    )
    next_c = f * c + i * g
    return o * act(next_c), next_c


@pytest.mark.parametrize("act_type", ["tanh", "relu"])
def test_lstm_values_and_grads(act_type: str) -> None:
    x, h, c = (np.array(rng.randn(3, k)) for k in (4, 2, 2))
    layer = nm.LSTM(num_hidden=2, act_type=act_type, name="lstm")
    model = _bound(layer, x, h, c)
    wi, wh, b = (_host(model, f"lstm_{k}") for k in ("i2h_weight", "h2h_weight", "h2h_bias"))
    assert (wi.shape, wh.shape, b.shape) == ((8, 4), (8, 2), (8,))
    host = [v.asnumpy() for v in (x, h, c)]
    for got, want in zip(layer(x, h, c), _lstm_reference(*host, wi, wh, b, _ACT[act_type])):
        numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)
    zeros = numpy.zeros((3, 2))
    for got, want in zip(
        layer(x), _lstm_reference(host[0], zeros, zeros, wi, wh, b, _ACT[act_type])
    ):
        numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)

    def f(x: Any, h: Any, c: Any, *params: Any) -> Any:
        model.params.update(zip(layer._param_names, params))
        return layer(x, h, c)

    check_grads(f, x, h, c, *_values(model, layer), order=1)


def test_recurrent_cells_check_arguments() -> None:
    with pytest.raises(ValueError, match="act_type must be one of"):
        nm.RNN(num_hidden=2, act_type="gelu")
    with pytest.raises(ValueError, match="num_hidden must be a positive int"):
        nm.LSTM(num_hidden=0)
    model = nm.Model()
    model.rnn = nm.RNN(num_hidden=2, name="rnn")
    with pytest.raises(ValueError, match=r"an \(N, D\) array"):
        model.rnn(np.ones(3))


# layers without weights, and Variable ----------------------------------------------------------
def test_elementwise_layers_values_and_grads() -> None:
    x = np.array(rng.randn(3, 4))
    host = x.asnumpy()
    for layer, expect in (
        (nm.Identity(), host),
        (nm.ReLU(), numpy.maximum(host, 0)),
        (nm.Logistic(), 1 / (1 + numpy.exp(-host))),
        (nm.Tanh(), numpy.tanh(host)),
    ):
        numpy.testing.assert_allclose(layer(x).asnumpy(), expect, rtol=1e-12)
        check_grads(layer, x, order=1)


def test_dropout_is_minpys_classic_form() -> None:
    x = np.ones((4, 1000))
    drop = nm.Dropout(0.25)
    out = drop(x).asnumpy()
    assert set(numpy.unique(out)) <= {0.0, 1.0} and 0.2 < numpy.mean(out == 0) < 0.3
    drop.inference()
    numpy.testing.assert_array_equal(drop(x).asnumpy(), numpy.full((4, 1000), 0.75))
    with pytest.raises(ValueError, match="p must be in"):
        nm.Dropout(1.5)


def test_reshaping_layers() -> None:
    x = np.array(rng.randn(2, 3, 4))
    assert nm.Reshape((4, 6))(x).shape == (4, 6)
    assert nm.Reshape(24)(x).shape == (24,)
    assert nm.BatchReshape((4, 3))(x).shape == (2, 4, 3)
    assert nm.Flatten()(x).shape == (24,)
    flat = nm.BatchFlatten()(x)
    numpy.testing.assert_array_equal(flat.asnumpy(), x.asnumpy().reshape(2, 12))
    check_grads(lambda x: nm.BatchReshape((12,))(x) * 2.0, x, order=1)
    with pytest.raises(ValueError, match="shape must be an int or a tuple of ints"):
        nm.Reshape("big")


def test_variable_layer() -> None:
    model = nm.Model(loss=lambda v: np.sum(v * v))
    model.v = nm.Variable((2, 3), init_configs={"init_rule": "constant", "value": 2.0})
    model.forward = lambda mode="training": model.v()  # type: ignore[method-assign]
    assert model.v.name == "variable0" and model.v.variable == "variable0_variable"
    assert nm.default_init_config("variable") == {"init_rule": "constant", "value": 0}
    loss = model()
    assert float(loss) == 24.0
    numpy.testing.assert_array_equal(
        model.backward()["variable0_variable"].asnumpy(), numpy.full((2, 3), 4.0)
    )


def test_symbolic_is_not_available() -> None:
    with pytest.raises(NotImplementedError, match="forward in Python"):
        nm.Symbolic(object())


def test_layers_run_on_the_current_device(device: minpy.Device) -> None:
    model = nm.Model()
    model.net = nm.Sequential(
        nm.Convolution(kernel=(2, 2), num_filter=2, no_bias=True),
        nm.BatchNorm(),
        nm.Pooling(kernel=(2, 2), pad=(1, 1)),
        nm.BatchFlatten(),
        nm.FullyConnected(num_hidden=3, no_bias=True),
    )
    out = model.net(np.ones((2, 1, 4, 4)))
    assert out.shape == (2, 3) and out.device == device
    assert all(p.device == device for p in model.params.values())
