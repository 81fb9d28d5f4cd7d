"""minpy.nn.modules (MinPy's HEAD module API): names, default and user configs, shape
inference, containers, Model (registration, call, gradients, attach/detach), Updater, and
training on scikit-learn's digits. The layers' values and gradients: test_modules_layers.py."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.core import grad
from minpy.nn import layers
from minpy.nn import modules as nm
from minpy.nn.modules import base
from minpy.testing import check_grads

np: Any = _namespace


@pytest.fixture(autouse=True)
def _fresh_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test numbers its modules from 0 (MinPy's counter is global, per module name)."""
    monkeypatch.setattr(base, "_COUNTERS", {})


class MLP(nm.Model):
    def __init__(self, hidden: int = 5, classes: int = 3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.net = nm.Sequential(
            nm.FullyConnected(num_hidden=hidden), nm.ReLU(), nm.FullyConnected(num_hidden=classes)
        )

    def forward(self, X: Any, mode: str = "training") -> Any:
        return self.net(X)


def _float64_params(model: nm.Model, shapes: dict[str, tuple[int, ...]]) -> None:
    rng = numpy.random.RandomState(1)
    for name, shape in shapes.items():
        model.params[name] = np.array(rng.randn(*shape))


# names -----------------------------------------------------------------------------------------
def test_modules_names_are_numbered_per_module_name() -> None:
    a, b = nm.FullyConnected(num_hidden=2), nm.FullyConnected(num_hidden=2)
    c, seq = nm.Convolution(kernel=(3, 3), num_filter=2), nm.Sequential()
    assert (a.name, b.name, c.name, seq.name) == (
        "fullyconnected0", "fullyconnected1", "convolution0", "sequential0",
    )  # fmt: skip
    assert (a.weight, a.bias) == ("fullyconnected0_weight", "fullyconnected0_bias")
    assert str(a) == "fullyconnected0" and repr(a) == "<FullyConnected 'fullyconnected0'>"
    named = nm.FullyConnected(num_hidden=2, no_bias=True, name="out")
    assert named._param_names == ("out_weight",) and not hasattr(named, "bias")


def test_modules_aux_names_carry_an_underscore() -> None:
    bn = nm.BatchNorm(name="bn")
    assert (bn.gamma, bn.beta) == ("bn_gamma", "bn_beta")
    assert (bn._moving_mean, bn._moving_var) == ("bn_moving_mean", "bn_moving_var")


def test_modules_without_module_name_needs_a_name() -> None:
    class Bare(nm.Layer):
        pass

    with pytest.raises(TypeError, match="_module_name"):
        Bare()
    assert Bare(name="bare").name == "bare"
    with pytest.raises(ValueError, match="non-empty string"):
        nm.ReLU(name="")


def test_modules_layer_checks_local_names() -> None:
    assert nm.Layer("weight", name="one")._module_param_names == ("weight",)
    with pytest.raises(ValueError, match="identifiers"):
        nm.Layer(("weight", "no good"), name="two")


# configs --------------------------------------------------------------------------------------
def test_modules_default_init_configs_by_substring() -> None:
    expect = {
        "weight": {"init_rule": "xavier"},
        "h2h_weight": {"init_rule": "xavier"},
        "bias": {"init_rule": "constant", "value": 0},
        "beta": {"init_rule": "constant", "value": 0},
        "moving_mean": {"init_rule": "constant", "value": 0},
        "gamma": {"init_rule": "constant", "value": 1},
        "moving_var": {"init_rule": "constant", "value": 1},
        "variable": {"init_rule": "constant", "value": 0},
    }
    assert {k: nm.default_init_config(k) for k in expect} == expect
    bn = nm.BatchNorm(name="bn")
    assert bn._init_configs["bn_moving_var"] == {"init_rule": "constant", "value": 1}
    assert bn._update_configs == {
        "bn_gamma": {"update_rule": "unspecified"},
        "bn_beta": {"update_rule": "unspecified"},
    }


def test_modules_configs_common_then_per_parameter() -> None:
    fc = nm.FullyConnected(
        num_hidden=2,
        name="fc",
        init_configs={"weight": {"init_rule": "gaussian", "stdvar": 0.5}, "init_rule": "constant"},
        update_configs={("weight", "fc_bias"): {"learning_rate": 0.5}, "momentum": 0.8},
    )
    assert fc._init_configs == {
        "fc_weight": {"init_rule": "gaussian", "stdvar": 0.5},
        "fc_bias": {"init_rule": "constant", "value": 0},
    }
    assert fc._update_configs["fc_bias"] == {
        "update_rule": "unspecified", "momentum": 0.8, "learning_rate": 0.5,
    }  # fmt: skip


def test_modules_configs_reject_unknown_parameters() -> None:
    with pytest.raises(ValueError, match="'wieght', which is not one of its parameters"):
        nm.FullyConnected(num_hidden=2, init_configs={"wieght": {"init_rule": "xavier"}})
    with pytest.raises(TypeError, match="must be a dict of settings"):
        nm.FullyConnected(num_hidden=2, init_configs={"weight": "xavier"})
    with pytest.raises(TypeError, match="must be a dict"):
        nm.FullyConnected(num_hidden=2, init_configs=[("weight", {})])


# shape inference ------------------------------------------------------------------------------
def test_modules_first_call_creates_parameters_with_configs() -> None:
    model = nm.Model()
    model.fc = nm.FullyConnected(
        num_hidden=3, name="fc", init_configs={"bias": {"value": 2.0}, "dtype": "float64"}
    )
    assert model.params == {}
    out = model.fc(np.ones((4, 2, 5)))
    assert out.shape == (4, 3)
    assert model.params["fc_weight"].shape == (3, 10)
    assert model.params["fc_weight"].dtype == numpy.float64
    numpy.testing.assert_array_equal(model.params["fc_bias"].asnumpy(), [2.0, 2.0, 2.0])
    assert set(model.fc.param_dict) == {"fc_weight", "fc_bias"}


def test_modules_preloaded_parameters_are_kept() -> None:
    model = nm.Model()
    model.bn = nm.BatchNorm(name="bn")
    gamma, mean = np.full(2, 3.0), np.full(2, 5.0)
    model.params["bn_gamma"] = gamma
    model.aux_params["bn_moving_mean"] = mean
    model.bn.inference()
    model.bn(np.ones((3, 2)))
    assert model.params["bn_gamma"] is gamma and model.aux_params["bn_moving_mean"] is mean
    assert model.params["bn_beta"].shape == (2,)
    numpy.testing.assert_array_equal(model.aux_params["bn_moving_var"].asnumpy(), [1.0, 1.0])
    assert set(model.bn.aux_param_dict) == {"bn_moving_mean", "bn_moving_var"}


def test_modules_layer_with_parameters_needs_a_model() -> None:
    with pytest.raises(RuntimeError, match="not bound to a Model"):
        nm.FullyConnected(num_hidden=2, name="fc")(np.ones((1, 2)))
    assert nm.ReLU()(np.array([-1.0])).tolist() == [0.0]  # no parameters: no model needed


def test_modules_param_shapes_must_name_every_parameter() -> None:
    class Broken(nm.Layer):
        _module_name = "broken"

        def __init__(self) -> None:
            super().__init__(("weight",), name="broken")

        def forward(self, X: Any) -> Any:
            return X

    model = nm.Model()
    model.layer = Broken()
    with pytest.raises(ValueError, match="param_shapes returned no shape for 'broken_weight'"):
        model.layer(np.ones(2))


def test_modules_custom_layer_gets_none_for_non_array_arguments() -> None:
    seen: list[Any] = []

    class Scale(nm.Layer):
        _module_name = "scale"

        def __init__(self) -> None:
            super().__init__(("gamma",))

        def forward(self, X: Any, factor: Any = None) -> Any:
            return X * self._get_param(self.gamma)

        def param_shapes(self, x_shape: Any, factor_shape: Any = None) -> dict[str, Any]:
            seen.append((x_shape, factor_shape))
            return {self.gamma: x_shape[1:]}

    model = nm.Model()
    model.scale = Scale()
    model.scale(np.ones((2, 3)), 4.0)
    model.scale(np.ones((2, 3)), 4.0)
    assert seen == [((2, 3), None)]  # inferred once, on the first call
    assert model.params["scale0_gamma"].tolist() == [1.0, 1.0, 1.0]


# containers -----------------------------------------------------------------------------------
def test_modules_sequential_splats_tuples_and_edits_its_list() -> None:
    swap = nm.Sequential(nm.Identity(), name="s")

    class Pair(nm.Layer):
        _module_name = "pair"

        def forward(self, X: Any) -> Any:
            return X, 2 * X

    class Minus(nm.Layer):
        _module_name = "minus"

        def forward(self, a: Any, b: Any) -> Any:
            return b - a

    seq = nm.Sequential(Pair(), Minus())
    assert seq(np.array([3.0])).tolist() == [3.0]
    assert nm.Sequential(Pair())(np.array([1.0]))[1].tolist() == [2.0]
    swap.append(nm.ReLU())
    swap.insert(0, nm.Tanh())
    assert [type(m).__name__ for m in swap] == ["Tanh", "Identity", "ReLU"]
    swap.reverse()
    assert type(swap[0]).__name__ == "ReLU" and type(swap.pop()).__name__ == "Tanh"
    assert len(swap) == 2
    with pytest.raises(TypeError, match=r"expected a minpy\.nn\.modules Module"):
        nm.Sequential(layers.relu)  # type: ignore[arg-type]


def test_modules_binary_operators() -> None:
    x = np.array([-2.0, 3.0])
    relu, tanh = nm.ReLU(), nm.Tanh()
    for module, expect in (
        (relu + tanh, numpy.maximum([-2, 3], 0) + numpy.tanh([-2, 3])),
        (relu - tanh, numpy.maximum([-2, 3], 0) - numpy.tanh([-2, 3])),
        (relu * tanh, numpy.maximum([-2, 3], 0) * numpy.tanh([-2, 3])),
    ):
        numpy.testing.assert_allclose(module(x).asnumpy(), expect)
    add = relu + tanh
    assert isinstance(add, nm.Add) and isinstance(add, nm.Parallel)
    assert add.name == "add1" and str(add) == "(ReLU0 add tanh0)"  # add0 is the loop's
    assert isinstance(relu - tanh, nm.Sub) and isinstance(relu * tanh, nm.Mul)


def test_modules_training_and_inference_propagate() -> None:
    model = MLP()
    drop = nm.Dropout(0.5)
    model.extra = [[drop]]
    layers_ = list(model.net.layers()) + [drop]
    model.inference()
    assert {layer._mode for layer in layers_} == {"inference"}
    model.net.training()
    assert [layer._mode for layer in layers_] == ["training"] * 3 + ["inference"]
    model.training()
    assert drop._mode == "training"


# Model ---------------------------------------------------------------------------------------
def test_modules_model_registers_nested_modules_and_submodels() -> None:
    inner = nm.Model()
    inner.fc = nm.FullyConnected(num_hidden=2, name="inner_fc")
    inner.fc(np.ones((1, 3)))
    outer = nm.Model()
    outer.blocks = ((nm.FullyConnected(num_hidden=3, name="a"),), {"b": nm.BatchNorm(name="b")})
    outer.sub = inner
    assert set(outer._layer_names) == {"a", "b", "inner_fc"}
    assert inner.fc._model is outer and "inner_fc_weight" in outer.params
    assert set(outer._update_configs) == {"a_weight", "a_bias", "b_gamma", "b_beta",
                                          "inner_fc_weight", "inner_fc_bias"}  # fmt: skip
    outer.again = outer.blocks[0][0]  # the same layer twice: shared weights, fine
    with pytest.raises(ValueError, match="two different layers are named 'a'"):
        outer.clash = nm.FullyConnected(num_hidden=3, name="a")


def test_modules_model_declares_no_params_by_hand() -> None:
    model = nm.Model()
    for call in (
        lambda: model.add_param("w", (2,)),
        lambda: model.add_params({"w": {"shape": (2,)}}),
        lambda: model.add_aux_param("m", None),
    ):
        with pytest.raises(NotImplementedError, match="Variable layer"):
            call()


def test_modules_model_gradients_match_the_pure_function() -> None:
    model = MLP(loss="softmax_loss")
    _float64_params(
        model,
        {
            "fullyconnected0_weight": (5, 4),
            "fullyconnected0_bias": (5,),
            "fullyconnected1_weight": (3, 5),
            "fullyconnected1_bias": (3,),
        },
    )
    x = np.array(numpy.random.RandomState(2).randn(6, 4))
    y = np.array([0, 1, 2, 0, 1, 2])

    def pure(w0: Any, b0: Any, w1: Any, b1: Any) -> Any:
        h = layers.relu(np.dot(x, w0.T) + b0)
        return layers.softmax_loss(np.dot(h, w1.T) + b1, y)

    order = ("fullyconnected0_weight", "fullyconnected0_bias",
             "fullyconnected1_weight", "fullyconnected1_bias")  # fmt: skip
    args = [model.params[n] for n in order]
    loss = model(x, labels=y)
    assert float(loss) == pytest.approx(float(pure(*args)))
    grads = model.backward()
    assert sorted(grads) == sorted(order)
    for name, g in zip(order, grad(pure, [0, 1, 2, 3])(*args)):
        numpy.testing.assert_allclose(grads[name].asnumpy(), g.asnumpy(), rtol=1e-10)
    check_grads(pure, *args, order=1)
    assert not any(p._node for p in model.params.values())  # the tracing is undone


def test_modules_model_first_call_differentiates_new_parameters_once() -> None:
    class Net(nm.Model):
        def __init__(self) -> None:
            super().__init__(loss="l2_loss")
            self.bn = nm.BatchNorm(fix_gamma=False, name="bn")
            self.fc = nm.FullyConnected(num_hidden=1, name="fc")
            self.calls = 0

        def forward(self, X: Any, mode: str = "training") -> Any:
            self.calls += 1
            return self.fc(self.bn(X))

    model = Net()
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    model(x, labels=np.array([[1.0], [0.0]]))
    assert model.calls == 2  # the first call ran again with the new parameters traced
    assert sorted(model.backward()) == ["bn_beta", "bn_gamma", "fc_bias", "fc_weight"]
    numpy.testing.assert_allclose(model.aux_params["bn_moving_mean"].asnumpy(), [0.2, 0.4])
    model(x, labels=np.array([[1.0], [0.0]]))
    assert model.calls == 3
    numpy.testing.assert_allclose(model.aux_params["bn_moving_mean"].asnumpy(), [0.38, 0.76])


def test_modules_model_losses_and_results() -> None:
    model = MLP()
    x, y = numpy.ones((2, 4)), numpy.array([0, 2])
    scores = model(x)  # no loss: the predictions, gradients of their sum
    assert scores.shape == (2, 3)
    assert model.backward()["fullyconnected1_bias"].tolist() == [2.0, 2.0, 2.0]
    by_name = model(x, labels=y, loss="softmax_loss", reduce_array=True)
    assert isinstance(by_name, float)
    assert by_name == pytest.approx(float(layers.softmax_loss(scores, np.asarray(y))))
    weighted = model(x, labels=y, loss=lambda s, t, k=1.0: k * layers.softmax_loss(s, t),
                     loss_kwargs={"k": 2.0})  # fmt: skip
    assert float(weighted) == pytest.approx(2 * by_name)
    with pytest.raises(ValueError, match="unknown loss 'softmax_los'"):
        model(x, labels=y, loss="softmax_los")
    with pytest.raises(ValueError, match="unknown loss"):
        MLP(loss="nope")

    class Own(MLP):
        def loss(self, scores: Any, labels: Any) -> Any:
            return np.sum(scores * 0.0) + 7.0

    assert float(Own()(x, labels=y)) == 7.0
    with pytest.raises(NotImplementedError, match="has no loss"):
        model.loss(scores, y)


def test_modules_model_mode_keyword_and_forward_override() -> None:
    seen: list[str] = []

    class Net(MLP):
        def forward(self, X: Any, mode: str = "training") -> Any:
            seen.append(mode)
            return self.net(X)

    model = Net()
    model(np.ones((1, 4)))
    model(np.ones((1, 4)), forward_kwargs={"mode": "inference"})
    assert seen == ["training", "training", "inference"]
    out = model(np.ones((1, 4)), forward=lambda X, mode: 3.0 * model.net(X))
    numpy.testing.assert_allclose(out.asnumpy(), 3.0 * model.forward(np.ones((1, 4))).asnumpy())


def test_modules_model_attach_and_detach() -> None:
    model = MLP()
    x = np.ones((2, 4))
    model(x)
    model.detach("fullyconnected0_weight")
    scale = np.array(2.0)
    model.attach("scale", scale)
    model(x, forward=lambda X, mode: scale * model.net(X))
    grads = model.backward()
    assert "fullyconnected0_weight" not in grads and grads["scale"].shape == ()
    model.attach("fullyconnected0_weight").detach("scale")
    model(x)
    assert "fullyconnected0_weight" in model.backward() and "scale" not in model.backward()
    assert model(x, attach_all=False) is not None and model.backward() == {}

    def attach_inside(X: Any, mode: str) -> Any:
        model.attach("late", X)
        return X

    with pytest.raises(RuntimeError, match="attach it before calling"):
        model(x, forward=attach_inside)


def test_modules_model_backward_errors_and_grad_and_loss() -> None:
    model = MLP(loss="softmax_loss")
    with pytest.raises(RuntimeError, match="no call to differentiate yet"):
        model.backward()
    grads, loss = model.grad_and_loss(np.ones((2, 4)), np.array([0, 1]))
    assert len(grads) == 4 and float(loss) > 0
    with pytest.raises(NotImplementedError, match="weighted loss"):
        model.backward(np.ones(()))


# Updater -------------------------------------------------------------------------------------
def test_modules_updater_configs() -> None:
    model = MLP()
    model.net[0]._register_update_configs({"bias": {"learning_rate": 0.5}})
    model.net[0].training()
    updater = nm.Updater(model, update_rule="sgd", learning_rate=0.1)
    assert set(updater.keys()) == set(model._update_configs)
    assert updater.update_rule == "sgd"
    assert updater.learning_rate == 0.1  # keyword arguments apply to every parameter
    updater["fullyconnected0_bias"].learning_rate = 0.5
    assert updater["fullyconnected0_bias"].learning_rate == 0.5
    with pytest.raises(ValueError, match="differ in 'learning_rate'"):
        _ = updater.learning_rate
    updater.learning_rate = 0.2
    assert all(c["learning_rate"] == 0.2 for c in updater.values())
    with pytest.raises(AttributeError, match="no parameter's update config has 'momentum'"):
        _ = updater.momentum
    with pytest.raises(AttributeError, match="has no 'momentum'"):
        _ = updater["fullyconnected0_bias"].momentum
    config = {"update_rule": "adam"}
    updater["fullyconnected1_bias"] = config
    assert updater._configs["fullyconnected1_bias"] is not config
    with pytest.raises(KeyError, match="no update config for parameter 'nope'"):
        updater["nope"]
    assert dict(updater.items())["fullyconnected1_bias"] == {"update_rule": "adam"}
    assert model._update_configs["fullyconnected0_weight"] == {"update_rule": "unspecified"}
    with pytest.raises(TypeError, match=r"expected a minpy\.nn\.modules Model"):
        nm.Updater(object())  # type: ignore[arg-type]


def test_modules_updater_applies_optim_rules_functionally() -> None:
    model = MLP(loss="softmax_loss")
    x, y = np.ones((2, 4)), np.array([0, 1])
    model(x, labels=y)
    grads = model.backward()
    before = {k: v.asnumpy().copy() for k, v in model.params.items()}
    old = model.params["fullyconnected0_weight"]
    updater = nm.Updater(model, update_rule="sgd_momentum", learning_rate=0.1, momentum=0.5)
    updater(grads)
    for name, g in grads.items():
        numpy.testing.assert_allclose(
            model.params[name].asnumpy(), before[name] - 0.1 * g.asnumpy(), rtol=1e-6
        )
    assert model.params["fullyconnected0_weight"] is not old  # MinPy's functional form
    numpy.testing.assert_array_equal(old.asnumpy(), before["fullyconnected0_weight"])
    velocity = updater["fullyconnected0_weight"].velocity
    updater(grads)  # the state carries over: v = 0.5 v - 0.1 g
    numpy.testing.assert_allclose(
        updater["fullyconnected0_weight"].velocity.asnumpy(),
        1.5 * velocity.asnumpy(),
        rtol=1e-6,
    )
    frozen = nm.Updater(model)
    with pytest.raises(ValueError, match="has no update rule"):
        frozen(grads)
    with pytest.raises(ValueError, match="unknown update_rule 'sgdd'"):
        nm.Updater(model, update_rule="sgdd")(grads)
    with pytest.raises(KeyError, match="no update config for parameter 'x'"):
        updater({"x": g})


def test_modules_updater_updates_only_given_parameters_with_their_configs() -> None:
    model = MLP(loss="softmax_loss")
    model.net[2]._register_update_configs({"weight": {"learning_rate": 0.0}})
    updater = nm.Updater(model, update_rule="sgd")
    updater["fullyconnected0_weight"].learning_rate = 1.0
    model(np.ones((2, 4)), labels=np.array([0, 1]))
    before = {k: v.asnumpy().copy() for k, v in model.params.items()}
    grads = model.backward()
    updater({k: v for k, v in grads.items() if k != "fullyconnected0_bias"})
    numpy.testing.assert_array_equal(
        model.params["fullyconnected0_bias"].asnumpy(), before["fullyconnected0_bias"]
    )
    numpy.testing.assert_array_equal(
        model.params["fullyconnected1_weight"].asnumpy(), before["fullyconnected1_weight"]
    )
    numpy.testing.assert_allclose(
        model.params["fullyconnected0_weight"].asnumpy(),
        before["fullyconnected0_weight"] - grads["fullyconnected0_weight"].asnumpy(),
        rtol=1e-6,
    )
    numpy.testing.assert_allclose(  # sgd's default learning rate, 1e-2
        model.params["fullyconnected1_bias"].asnumpy(),
        before["fullyconnected1_bias"] - 1e-2 * grads["fullyconnected1_bias"].asnumpy(),
        rtol=1e-6,
    )


# training ------------------------------------------------------------------------------------
def _digits() -> tuple[Any, Any, Any, Any]:
    datasets = pytest.importorskip("sklearn.datasets")
    data = datasets.load_digits()
    x = (data.data / 16.0).astype(numpy.float32)
    y = data.target.astype(numpy.int64)
    order = numpy.random.RandomState(0).permutation(len(y))
    test, train = order[:400], order[400:]
    return x[train], y[train], x[test], y[test]


def _train(model: nm.Model, updater: nm.Updater, epochs: int) -> float:
    x_tr, y_tr, x_te, y_te = _digits()
    rng = numpy.random.RandomState(0)
    for _ in range(epochs):
        order = rng.permutation(len(y_tr))
        for start in range(0, len(order), 64):
            batch = order[start : start + 64]
            model(np.asarray(x_tr[batch]), labels=np.asarray(y_tr[batch]))
            updater(model.backward())
    scores = model.forward(np.asarray(x_te), "inference")
    return float(numpy.mean(numpy.argmax(scores.asnumpy(), axis=1) == y_te))


def test_modules_mlp_trains_on_digits(device: minpy.Device) -> None:
    class Net(nm.Model):
        def __init__(self) -> None:
            super().__init__(loss="softmax_loss")
            self.net = nm.Sequential(
                nm.FullyConnected(num_hidden=64),
                nm.BatchNorm(fix_gamma=False),
                nm.ReLU(),
                nm.Dropout(0.1),
                nm.FullyConnected(num_hidden=10),
            )

        def forward(self, X: Any, mode: str = "training") -> Any:
            self.training() if mode == "training" else self.inference()
            return self.net(X)

    model = Net()
    accuracy = _train(model, nm.Updater(model, update_rule="adam", learning_rate=1e-2), 3)
    assert accuracy > 0.85  # chance is 0.1
    assert model.params["fullyconnected0_weight"].device == device


def test_modules_cnn_trains_on_digits() -> None:
    class Net(nm.Model):
        def __init__(self) -> None:
            super().__init__(loss="softmax_loss")
            self.features = nm.Sequential(
                nm.BatchReshape((1, 8, 8)),
                nm.Convolution(kernel=(3, 3), num_filter=8, pad=(1, 1)),
                nm.BatchNorm(fix_gamma=False),
                nm.ReLU(),
                nm.Pooling(kernel=(2, 2), pool_type="max", stride=(2, 2)),
            )
            self.residual = nm.Convolution(kernel=(3, 3), num_filter=8, pad=(1, 1)) + nm.Identity()
            self.scores = nm.Sequential(nm.BatchFlatten(), nm.FullyConnected(num_hidden=10))

        def forward(self, X: Any, mode: str = "training") -> Any:
            self.training() if mode == "training" else self.inference()
            return self.scores(self.residual(self.features(X)))

    model = Net()
    updater = nm.Updater(model, update_rule="adam", learning_rate=1e-2)
    assert _train(model, updater, 3) > 0.75  # chance is 0.1


def test_modules_files_are_small() -> None:
    root = pathlib.Path(nm.__file__).parent
    sizes = {p.name: len(p.read_text().splitlines()) for p in root.glob("*.py")}
    assert sizes and max(sizes.values()) < 550, sizes
