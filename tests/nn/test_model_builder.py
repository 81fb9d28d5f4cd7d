"""minpy.nn.model_builder (MinPy v0.3's API): names, shape inference, parameter settings,
forward passes, gradients against finite differences, errors for bad arguments, and training
an MLP and a CNN with the Solver on scikit-learn's digits."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.nn import layers
from minpy.nn import model_builder as builder
from minpy.nn.io import NDArrayIter
from minpy.nn.solver import Solver
from minpy.testing import check_grads

np: Any = _namespace

COUNTED = (builder.Affine, builder.Convolution, builder.BatchNormalization)


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test numbers its layers from 0 (the counters are per class, as in MinPy)."""
    for cls in (*COUNTED, builder.SpatialBatchNormalization):
        monkeypatch.setattr(cls, "count", 0)


def _params(model: builder.Model, mode: str = "train") -> dict[str, Any]:
    return {**model.params, builder.MODE_KEY: mode}


# names and settings -------------------------------------------------------------------------
def test_names_follow_minpy_counters_per_class() -> None:
    a, b, c = builder.Affine(4), builder.Affine(3), builder.Convolution((3, 3), 2)
    bn, sbn = builder.BatchNormalization(), builder.SpatialBatchNormalization()
    assert (a.weight, a.bias, b.weight) == ("affine0_weight", "affine0_bias", "affine1_weight")
    assert (c.weight, c.bias) == ("convolution0_weight", "convolution0_bias")
    assert (bn.gamma, bn.beta) == ("BN0_gamma", "BN0_beta")
    assert (sbn.gamma, sbn.beta) == ("SpatialBN0_gamma", "SpatialBN0_beta")
    assert builder.BatchNormalization().gamma == "BN1_gamma"  # SpatialBN has its own count

    class Wide(builder.Affine):
        pass

    assert Wide(2).weight == "affine2_weight"  # a subclass shares the counter: no clash
    assert builder.Affine(2).weight == "affine3_weight"


def test_model_registers_every_parameter_with_shape_and_settings() -> None:
    net = builder.Sequential(
        builder.Reshape((1, 8, 8)),
        builder.Convolution((3, 3), 4, pad=(1, 1)),
        builder.SpatialBatchNormalization(),
        builder.ReLU(),
        builder.Pooling("max", (2, 2), (2, 2)),
        builder.Flatten(),
        builder.Affine(16),
        builder.BatchNormalization(),
        builder.Affine(10, initializer={"weight": {"init_rule": "gaussian"}}),
    )
    model = builder.Model(net, "softmax", (64,))
    shapes = {k: v["shape"] for k, v in model.param_configs.items()}
    assert shapes == {
        "convolution0_weight": (4, 1, 3, 3),
        "convolution0_bias": (4,),
        "SpatialBN0_gamma": (4,),
        "SpatialBN0_beta": (4,),
        "affine0_weight": (64, 16),
        "affine0_bias": (16,),
        "BN0_gamma": (16,),
        "BN0_beta": (16,),
        "affine1_weight": (16, 10),
        "affine1_bias": (10,),
    }
    cfg = model.param_configs
    assert cfg["convolution0_weight"]["init_rule"] == "xavier"
    assert cfg["affine0_bias"]["init_rule"] == "constant"
    assert cfg["BN0_gamma"]["init_config"] == {"value": 1.0}
    assert cfg["affine1_weight"]["init_rule"] == "gaussian"
    assert cfg["affine1_bias"]["init_rule"] == "constant"  # not named: keeps its default
    assert model.output_shape == (10,)
    model.init_params()
    assert float(np.min(model.params["BN0_gamma"])) == 1.0
    assert float(np.max(np.abs(model.params["affine0_bias"]))) == 0.0


def test_initializer_by_full_name_and_custom_settings() -> None:
    fc = builder.Affine(
        3, initializer={"affine0_bias": {"init_rule": "constant", "init_config": {"value": 0.5}}}
    )
    model = builder.Model(builder.Sequential(fc), "l2", (2,)).init_params()
    assert model.params[fc.bias].tolist() == [0.5, 0.5, 0.5]


# shape inference ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("module", "input_shape", "output_shape"),
    [
        (builder.Affine(7), (3, 4, 5), (7,)),
        (builder.Convolution((3, 3), 5), (2, 8, 8), (5, 6, 6)),
        (builder.Convolution((3, 2), 5, stride=(2, 1), pad=(1, 0)), (2, 7, 7), (5, 4, 6)),
        (builder.Pooling("avg", (3, 3), (2, 2)), (4, 9, 9), (4, 4, 4)),
        (builder.Pooling("max", (2, 2)), (4, 5, 5), (4, 4, 4)),
        (builder.Pooling("sum", (3, 3), (1, 1), (1, 1)), (4, 5, 5), (4, 5, 5)),
        (builder.Flatten(), (2, 3, 4), (24,)),
        (builder.Reshape((2, -1)), (12,), (2, 6)),
        (builder.ReLU(), (3, 2), (3, 2)),
        (builder.Dropout(0.5), (3,), (3,)),
    ],
)
def test_output_shape_matches_forward(
    module: builder.Module, input_shape: Any, output_shape: Any
) -> None:
    assert module.output_shape(input_shape) == output_shape
    x = np.random.randn(2, *input_shape)
    params = {k: np.random.randn(*s) for k, s in module.parameter_shape(input_shape).items()}
    out = module.forward(x, {**params, builder.MODE_KEY: "train"})
    assert tuple(out.shape) == (2, *output_shape)


def test_pooling_modes_and_padding_values() -> None:
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    p: dict[str, Any] = {builder.MODE_KEY: "test"}
    assert builder.Pooling("max", (2, 2), (2, 2)).forward(x, p).ravel().tolist() == [5, 7, 13, 15]
    assert builder.Pooling("sum", (2, 2), (2, 2)).forward(x, p).ravel().tolist() == [10, 18, 42, 50]
    # max pads with -inf (the padding never wins); avg counts padded zeros (MXNet's default)
    padded_max = builder.Pooling("max", (2, 2), (2, 2), (1, 1)).forward(-x - 1, p)
    assert padded_max[0, 0, 0].tolist() == [-1.0, -2.0, -4.0]
    padded_avg = builder.Pooling("avg", (2, 2), (2, 2), (1, 1)).forward(x + 4, p)
    assert padded_avg[0, 0, 0, 0].item() == 1.0


def test_add_sums_branches_and_export_stores() -> None:
    seen: dict[str, Any] = {}
    branch = builder.Sequential(builder.Affine(3), builder.Export("inner", seen))
    block = builder.Add(branch, builder.Identity())
    model = builder.Model(block, "l2", (3,)).init_params()
    x = np.random.randn(4, 3)
    out = model.forward(x, "test")
    w, b = model.params["affine0_weight"], model.params["affine0_bias"]
    expected = layers.affine(x, w, b) + x
    assert numpy.allclose(out.asnumpy(), expected.asnumpy())
    assert numpy.allclose(seen["inner"].asnumpy(), (expected - x).asnumpy())


def test_sequential_append_insert_remove() -> None:
    net = builder.Sequential(builder.Affine(5))
    net.append(builder.Affine(2))
    net.insert(1, builder.Tanh())
    assert [type(m).__name__ for m in net] == ["Affine", "Tanh", "Affine"]
    net.remove(1)
    assert len(net) == 2 and net.output_shape((4,)) == (2,)
    with pytest.raises(IndexError, match="out of range for 2 modules"):
        net.remove(2)
    with pytest.raises(TypeError, match="expected a model_builder Module"):
        net.append(layers.relu)  # type: ignore[arg-type]


def test_batchnorm_keeps_running_statistics_on_the_module() -> None:
    bn = builder.BatchNormalization(momentum=0.5)
    model = builder.Model(builder.Sequential(bn), "l2", (2,)).init_params()
    assert bn.running_mean is None
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    out = model.forward(x, "train")
    assert numpy.allclose(out.asnumpy(), [[-1, -1], [1, 1]], atol=1e-4)
    assert numpy.allclose(bn.running_mean.asnumpy(), [1.0, 2.0])  # 0.5 * 0 + 0.5 * mean
    assert "__training_in_progress__" not in model.params
    test_out = model.forward(x, "test")
    assert tuple(test_out.shape) == (2, 2)


def test_dropout_follows_the_mode() -> None:
    model = builder.Model(builder.Sequential(builder.Dropout(0.25)), "l2", (1000,))
    x = np.ones((2, 1000))
    assert numpy.allclose(model.forward(x, "test").asnumpy(), 0.75)
    kept = set(model.forward(x, "train").asnumpy().ravel().tolist())
    assert kept == {0.0, 1.0}


def test_losses_by_name_and_callable() -> None:
    x = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    y = np.array([0, 1])
    net = builder.Sequential(builder.Identity())
    for name, fn in [
        ("softmax", layers.softmax_loss),
        ("svm", layers.svm_loss),
        ("l2", layers.l2_loss),
    ]:
        assert float(builder.Model(net, name, (3,)).loss(x, y)) == pytest.approx(float(fn(x, y)))
    custom = builder.Model(net, lambda p, t: np.sum(p), (3,))
    assert float(custom.loss(x, y)) == pytest.approx(2.0)


# gradients --------------------------------------------------------------------------------
def _check_model_grads(model: builder.Model, x: Any, y: Any) -> None:
    model.init_params(init_config={"dtype": "float64"})
    names = sorted(model.params)

    def loss(*values: Any) -> Any:
        model.params = dict(zip(names, values))
        return model.loss(model.forward(x, "train"), y)

    check_grads(loss, *[model.params[k] for k in names], order=1)


def test_mlp_gradients_match_finite_differences() -> None:
    net = builder.Sequential(
        builder.Affine(5),
        builder.Tanh(),
        builder.BatchNormalization(),
        builder.Affine(4),
        builder.Sigmoid(),
        builder.Affine(3),
    )
    model = builder.Model(net, "softmax", (2, 3))
    _check_model_grads(model, np.random.randn(6, 2, 3), np.array([0, 1, 2, 0, 1, 2]))


def test_cnn_gradients_match_finite_differences() -> None:
    conv = builder.Convolution((3, 3), 2, stride=(1, 1), pad=(1, 1))
    residual = builder.Add(
        builder.Sequential(conv, builder.SpatialBatchNormalization(), builder.Tanh()),
        builder.Convolution((1, 1), 2),
    )
    net = builder.Sequential(
        builder.Reshape((1, 5, 5)),
        residual,
        builder.Pooling("avg", (2, 2), (2, 2), (1, 1)),
        builder.Flatten(),
        builder.Affine(3),
    )
    model = builder.Model(net, "svm", (25,))
    _check_model_grads(model, np.random.randn(4, 25), np.array([0, 1, 2, 1]))


# errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: builder.Affine(0), ValueError, "hidden_number must be a positive int"),
        (lambda: builder.Affine(3, initializer={"w": {}}), ValueError, "names no parameter"),
        (lambda: builder.Affine(3, initializer=["xavier"]), TypeError, "must be a dict"),
        (lambda: builder.Convolution((3, 3, 3), 2), ValueError, "kernel_shape must be"),
        (lambda: builder.Convolution(3.5, 2), ValueError, "kernel_shape must be"),
        (lambda: builder.Convolution((3, 3), 2, stride=0), ValueError, "stride must be a positive"),
        (lambda: builder.Pooling("median", (2, 2)), ValueError, "mode must be one of"),
        (lambda: builder.Pooling("max", (2, 2), pad=(2, 0)), ValueError, "smaller than the kernel"),
        (lambda: builder.BatchNormalization(momentum=2), ValueError, "momentum must be in"),
        (lambda: builder.Dropout(1.5), ValueError, "probability of dropping"),
        (lambda: builder.Reshape((-1, -1)), ValueError, "at most one -1"),
        (lambda: builder.Export("a", {"a": 1}), ValueError, "already in storage"),
        (lambda: builder.Sequential(builder.ReLU(), "relu"), TypeError, "got 'relu'"),
        (lambda: builder.Add(), ValueError, "at least one branch"),
    ],
)
def test_bad_module_arguments_are_explained(make: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_bad_model_arguments_and_shapes_are_explained() -> None:
    mlp = builder.Sequential(builder.Affine(3))
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        builder.Model(mlp, "hinge", (4,))
    with pytest.raises(ValueError, match="input_shape must be the shape of one sample"):
        builder.Model(mlp, "l2", (0, 4))
    with pytest.raises(TypeError, match="expected a model_builder Module"):
        builder.Model(layers.relu, "l2", (4,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Convolution: expects per-sample images .*Reshape"):
        builder.Model(builder.Sequential(builder.Convolution((3, 3), 2)), "l2", (64,))
    with pytest.raises(ValueError, match="kernel of 5 does not fit an input of 4"):
        builder.Model(builder.Sequential(builder.Convolution((5, 5), 2)), "l2", (1, 4, 4))
    with pytest.raises(ValueError, match="use SpatialBatchNormalization"):
        builder.Model(builder.Sequential(builder.BatchNormalization()), "l2", (1, 4, 4))
    with pytest.raises(ValueError, match=r"cannot be reshaped to \(3, 3\)"):
        builder.Model(builder.Sequential(builder.Reshape((3, 3))), "l2", (8,))
    with pytest.raises(ValueError, match="branches give outputs of shapes"):
        builder.Model(builder.Add(builder.Affine(2), builder.Identity()), "l2", (3,))
    shared = builder.Affine(4)
    with pytest.raises(ValueError, match="used with shapes"):
        builder.Model(builder.Sequential(shared, builder.Affine(3), shared), "l2", (4,))
    model = builder.Model(mlp, "l2", (4,))
    with pytest.raises(RuntimeError, match=r"call model\.init_params"):
        model.forward(np.zeros((2, 4)), "train")
    model.init_params()
    with pytest.raises(ValueError, match=r"batch of shape \(2, 5\) does not fit input_shape"):
        model.forward(np.zeros((2, 5)), "train")
    with pytest.raises(ValueError, match="mode must be 'train' or 'test'"):
        model.forward(np.zeros((2, 4)), "training")


def test_custom_module_protocol() -> None:
    class Scale(builder.Module):
        def forward(self, inputs: Any, params: Any) -> Any:
            return inputs * params["scale"]

        def output_shape(self, input_shape: Any) -> Any:
            return input_shape

        def parameter_shape(self, input_shape: Any) -> Any:
            return {"scale": input_shape}

    model = builder.Model(builder.Sequential(Scale()), "l2", (3,))
    assert model.param_configs["scale"] == {"shape": (3,)}
    with pytest.raises(NotImplementedError, match="must define output_shape"):
        builder.Model(builder.Sequential(builder.Module()), "l2", (3,))


def test_helpers() -> None:
    x = np.arange(6.0).reshape(1, 2, 3)
    assert builder.swapaxes(x, 1, 2).shape == (1, 3, 2)
    assert builder.transpose(x, (2, 0, 1)).shape == (3, 1, 2)
    assert builder.normal_shape(numpy.array([2, 3])) == (2, 3)


# training ---------------------------------------------------------------------------------
def _digits() -> tuple[Any, Any, Any, Any]:
    datasets = pytest.importorskip("sklearn.datasets")
    data = datasets.load_digits()
    x = (data.data / 16.0).astype(numpy.float32)
    y = data.target.astype(numpy.int64)
    order = numpy.random.RandomState(0).permutation(len(y))
    test, train = order[:400], order[400:]
    return x[train], y[train], x[test], y[test]


def _train(model: builder.Model, epochs: int) -> float:
    x_tr, y_tr, x_te, y_te = _digits()
    train = NDArrayIter(x_tr, y_tr, 64, shuffle=True, last_batch_handle="keep", seed=0)
    test = NDArrayIter(x_te, y_te, 400, last_batch_handle="keep")
    solver = Solver(
        model,
        train,
        test,
        num_epochs=epochs,
        update_rule="adam",
        optim_config={"learning_rate": 1e-2},
        progress=False,
        verbose=False,
    )
    solver.init()
    solver.train()
    return solver.check_accuracy(test)


def test_mlp_trains_on_digits(device: minpy.Device) -> None:
    net = builder.Sequential(builder.Affine(64), builder.ReLU(), builder.Affine(10))
    accuracy = _train(builder.Model(net, "softmax", (64,)), epochs=3)
    assert accuracy > 0.85  # chance is 0.1


def test_cnn_trains_on_digits() -> None:
    net = builder.Sequential(
        builder.Reshape((1, 8, 8)),
        builder.Convolution((3, 3), 8, pad=(1, 1)),
        builder.SpatialBatchNormalization(),
        builder.ReLU(),
        builder.Pooling("max", (2, 2), (2, 2)),
        builder.Flatten(),
        builder.Affine(10),
    )
    accuracy = _train(builder.Model(net, "softmax", (64,)), epochs=2)
    assert accuracy > 0.85
