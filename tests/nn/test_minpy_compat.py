"""MinPy users' training code, unchanged: Solver's keywords (print_every, task_type, the
init/optim settings), regression, NDArrayIter's MXNet cursor protocol and padding, the MinPy
init rules (xavier's numbers, custom) and the functional update rules."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy.numpy as _namespace
from minpy.nn import init, layers, optim
from minpy.nn.io import DataBatch, DataIter, NDArrayIter
from minpy.nn.model import ModelBase
from minpy.nn.solver import Solver

np: Any = _namespace

BATCH = 8


class TwoLayerNet(ModelBase):
    """MinPy's tutorial model: it reshapes each batch to ``(batch_size, -1)``."""

    def __init__(self) -> None:
        super().__init__()
        self.add_param("w1", (2 * 2, 16)).add_param("b1", (16,), init_rule="constant")
        self.add_param("w2", (16, 3)).add_param("b2", (3,), init_rule="constant")

    def forward(self, X: Any, mode: str) -> Any:
        X = np.reshape(X, (BATCH, 4))  # works only on full batches
        h = layers.relu(layers.affine(X, self.params["w1"], self.params["b1"]))
        return layers.affine(h, self.params["w2"], self.params["b2"])

    def loss(self, predict: Any, y: Any) -> Any:
        return layers.softmax_loss(predict, y)


def blobs(n: int, seed: int = 0) -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.RandomState(seed)
    y = rng.randint(0, 3, n)
    centres = numpy.array([[0.0, 2.0, 0.0, 1.0], [2.0, -1.0, 1.0, 0.0], [-2.0, -1.0, 0.0, 0.0]])
    x = centres[y] + 0.3 * rng.randn(n, 4)
    return x.reshape(n, 2, 2), y


# Solver ------------------------------------------------------------------------------------
def test_solver_minpy_tutorial_call_prints_every(capsys: Any) -> None:
    np.random.seed(0)
    x, y = blobs(60)
    xv, yv = blobs(21, seed=1)
    solver = Solver(
        TwoLayerNet(),
        NDArrayIter(x, y, batch_size=BATCH, shuffle=True),
        NDArrayIter(xv, yv, batch_size=BATCH, shuffle=False),
        init_rule="gaussian",
        init_config={"stdvar": 0.1},
        update_rule="sgd_momentum",
        optim_config={"learning_rate": 0.05, "momentum": 0.9},
        lr_decay=0.9,
        num_epochs=3,
        train_acc_num_samples=20,  # not a multiple of BATCH: the sub-iterator must pad
        task_type="classification",
        print_every=4,
        verbose=True,
        progress=False,
    )
    solver.init()
    solver.train()
    out = capsys.readouterr().out
    steps = [int(line.split()[1]) for line in out.splitlines() if line.startswith("(Iteration")]
    assert steps == list(range(1, 3 * 8 + 1, 4))
    assert "(Iteration 1 / 24) loss: " in out
    assert solver.val_acc_history[-1] > 0.9
    assert all(cfg["learning_rate"] == pytest.approx(0.05 * 0.9**3)
               for cfg in solver.optim_configs.values())  # fmt: skip
    assert solver.task_type == "classification" and solver.print_every == 4


def test_solver_print_every_quiet_when_not_verbose(capsys: Any) -> None:
    x, y = blobs(16)
    solver = Solver(TwoLayerNet(), NDArrayIter(x, y, BATCH), NDArrayIter(x, y, BATCH),
                    num_epochs=1, print_every=1, verbose=False, progress=False)  # fmt: skip
    solver.train()
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"task_type": "classify"}, ValueError, r"unknown task_type 'classify'; pass task_type="),
        ({"task_type": None}, TypeError, r"task_type must be a str, got None"),
        ({"print_every": 0}, ValueError, r"print_every must be an int >= 1, got 0"),
        ({"print_every": 2.5}, TypeError, r"print_every must be an int, got 2\.5"),
    ],
)
def test_solver_refuses_bad_minpy_keywords(kwargs: dict[str, Any], exc: type, match: str) -> None:
    x, y = blobs(16)
    with pytest.raises(exc, match=match):
        Solver(TwoLayerNet(), NDArrayIter(x, y, BATCH), NDArrayIter(x, y, BATCH), **kwargs)


class Line(ModelBase):
    """``y = x w``, trained by a scripted update rule: epoch k ends with ``w = SCHEDULE[k]``."""

    def __init__(self) -> None:
        super().__init__()
        self.add_param("w", (1, 1), init_rule="constant")

    def forward(self, X: Any, mode: str) -> Any:
        return np.dot(X, self.params["w"])

    def loss(self, predict: Any, y: Any) -> Any:
        return np.mean((predict - y) ** 2)


SCHEDULE = [0.0, 1.9, 1.0, 3.0]  # the true slope is 2: epoch 2 is the best, not the first


def scripted(w: Any, dw: Any, config: Any = None) -> Any:
    config = {} if config is None else config
    config["step"] = config.get("step", 0) + 1
    return np.full(w.shape, SCHEDULE[config["step"] - 1], dtype=w.dtype), config


def test_solver_regression_keeps_lowest_validation_loss(capsys: Any) -> None:
    xt = numpy.linspace(-1, 1, 6).reshape(6, 1)
    xv = numpy.array([[0.5], [-1.0], [2.0], [1.5], [-0.5]])  # 5 examples, batches of 2: padded
    solver = Solver(
        Line(), NDArrayIter(xt, 2 * xt, batch_size=6), NDArrayIter(xv, 2 * xv, batch_size=2),
        update_rule=scripted, num_epochs=4, task_type="regression", train_acc_num_samples=None,
        init_config={"dtype": "float64"}, progress=False, verbose=True,
    )  # fmt: skip
    solver.train()
    expect = [float(numpy.mean((xv * w - 2 * xv) ** 2)) for w in SCHEDULE]
    assert solver.val_acc_history == pytest.approx(expect)  # losses (padding left out)
    train = [float(numpy.mean((xt * w - 2 * xt) ** 2)) for w in SCHEDULE]
    assert solver.train_acc_history == pytest.approx(train)
    assert solver.best_val_acc == pytest.approx(min(expect))
    assert float(solver.model.params["w"][0, 0]) == pytest.approx(1.9)
    out = capsys.readouterr().out
    assert "val loss" in out and "val acc" not in out and "%" not in out


def test_solver_init_rules_and_configs_are_minpys() -> None:
    x, y = blobs(16)
    model = TwoLayerNet()
    solver = Solver(model, NDArrayIter(x, y, BATCH), NDArrayIter(x, y, BATCH),
                    init_rule="gaussian", init_config={"stdvar": 0.5}, progress=False)  # fmt: skip
    assert solver.init_rules == {"w1": init.gaussian, "b1": init.constant,
                                 "w2": init.gaussian, "b2": init.constant}  # fmt: skip
    assert solver.init_configs["w1"] == {"stdvar": 0.5}
    solver.init_rules["w2"] = init.custom
    solver.init_configs["w2"] = {"function": lambda shape: np.ones(shape)}
    solver.init()
    numpy.testing.assert_array_equal(model.params["w2"], numpy.ones((16, 3)))
    assert 0.3 < float(model.params["w1"].std()) < 0.7


def test_solver_custom_init_rule_by_name() -> None:
    x, y = blobs(16)
    model = TwoLayerNet()
    Solver(model, NDArrayIter(x, y, BATCH), NDArrayIter(x, y, BATCH), init_rule="custom",
           init_config={"function": lambda shape: np.full(shape, 0.25)}).init()  # fmt: skip
    numpy.testing.assert_array_equal(model.params["w1"], numpy.full((4, 16), 0.25))
    numpy.testing.assert_array_equal(model.params["b1"], numpy.zeros(16))  # its own rule


class ListIter(DataIter):
    """A user's MXNet-style iterator: ``__iter__`` returns itself, ``reset`` rewinds."""

    def __init__(self, x: numpy.ndarray, y: numpy.ndarray) -> None:
        super().__init__()
        self.x, self.y, self.batch_size, self.i = x, y, BATCH, -1
        self.resets = 0

    def reset(self) -> None:
        self.i = -1
        self.resets += 1

    def iter_next(self) -> bool:
        self.i += 1
        return (self.i + 1) * BATCH <= len(self.x)

    def getdata(self) -> list[Any]:
        return [np.array(self.x[self.i * BATCH : (self.i + 1) * BATCH])]

    def getlabel(self) -> list[Any]:
        return [np.array(self.y[self.i * BATCH : (self.i + 1) * BATCH])]


def test_solver_trains_on_a_user_data_iter_every_epoch() -> None:
    np.random.seed(0)
    x, y = blobs(48)
    train = ListIter(x, y)
    solver = Solver(
        TwoLayerNet(), train, ListIter(x, y), num_epochs=3, update_rule="adam",
        optim_config={"learning_rate": 0.05}, progress=False, verbose=False,
    )  # fmt: skip
    solver.train()
    assert len(solver.loss_history) == 3 * 6  # every epoch saw every batch
    assert solver.val_acc_history[-1] > 0.9


def test_solver_calls_a_minpy_update_rule_without_inplace() -> None:
    calls: list[int] = []

    def minpy_sgd(w: Any, dw: Any, config: Any = None) -> Any:  # MinPy's signature exactly
        calls.append(1)
        return optim.sgd(w, dw, config)

    x, y = blobs(16)
    solver = Solver(TwoLayerNet(), NDArrayIter(x, y, BATCH), NDArrayIter(x, y, BATCH),
                    update_rule=minpy_sgd, num_epochs=1, progress=False, verbose=False)  # fmt: skip
    solver.train()
    assert len(calls) == 2 * 4


# NDArrayIter -------------------------------------------------------------------------------
def test_iter_cursor_protocol_pads_by_wrapping() -> None:
    x = numpy.arange(20.0).reshape(10, 2)
    it = NDArrayIter(x, numpy.arange(10), batch_size=4)
    seen = []
    it.reset()
    while it.iter_next():
        data, label = it.getdata(), it.getlabel()
        assert data[0].shape == (4, 2) and np.reshape(data[0], (4, 2)).shape == (4, 2)
        seen.append((it.getindex(), label[0].tolist(), it.getpad()))
    assert seen == [(0, [0, 1, 2, 3], 0), (1, [4, 5, 6, 7], 0), (2, [8, 9, 0, 1], 2)]
    assert it.iter_next() is False
    with pytest.raises(RuntimeError, match="no current batch"):
        it.getdata()
    it.reset()
    batch = it.next()
    assert batch.pad == 0 and batch.label[0].tolist() == [0, 1, 2, 3]
    assert it.num_data == 10 and it.batch_size == 4 and it.cursor == 0


def test_iter_minpy_loop_with_reset_and_next() -> None:
    it = NDArrayIter(numpy.zeros((10, 3)), numpy.arange(10), 4, last_batch_handle="roll_over")
    for expect in ([[0, 1, 2, 3], [4, 5, 6, 7]], [[8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]):
        it.reset()  # MinPy code rewinds by hand, then iterates: one rewind, carry kept
        got = []
        while True:
            try:
                got.append(it.next().label[0].tolist())
            except StopIteration:
                break
        assert got == expect
    it.reset()
    it.next()
    it.hard_reset()  # the carry is dropped
    assert next(iter(it)).label[0].tolist() == [0, 1, 2, 3]


def test_iter_provide_data_and_label_names() -> None:
    x = numpy.zeros((6, 3, 2))
    it = NDArrayIter(x, numpy.zeros(6), batch_size=4)
    assert it.provide_data == [("data", (4, 3, 2))]
    assert it.provide_label == [("softmax_label", (4,))]
    multi = NDArrayIter([x, x[:, 0]], {"y": numpy.zeros((6, 5))}, batch_size=2)
    assert multi.provide_data == [("_0_data", (2, 3, 2)), ("_1_data", (2, 2))]
    assert multi.provide_label == [("y", (2, 5))]
    assert NDArrayIter(x).provide_label == []


@pytest.mark.parametrize("n", [5, 8, 13, 17])
def test_iter_every_padded_batch_reshapes_to_batch_size(n: int) -> None:
    x = numpy.arange(n * 4.0).reshape(n, 2, 2)
    it = NDArrayIter(x, numpy.arange(n), batch_size=BATCH, shuffle=True, seed=0)
    for source in (it, it.getsubiter(n - 1)):
        sizes = 0
        for batch in source:
            assert np.reshape(batch.data[0], (BATCH, 4)).shape == (BATCH, 4)
            assert batch.label[0].shape == (BATCH,)
            sizes += batch.size
        assert sizes == source.num_data


def test_data_batch_and_data_iter_minpy_forms() -> None:
    batch = DataBatch([np.zeros((3, 2))], [np.zeros(3)])
    assert batch.pad is None and batch.index is None and batch.size == 3
    it = ListIter(numpy.zeros((16, 2, 2)), numpy.zeros(16))
    assert iter(it) is it and len(list(it)) == 2 and list(it) == []  # no rewind on iter()
    it.reset()
    assert it.next().pad == 0
    with pytest.raises(NotImplementedError, match="must define iter_next"):
        DataIter().next()


# init --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "std"),
    [((400, 200), (6 / 600) ** 0.5), ((32, 8, 3, 3), (6 / (32 + 72)) ** 0.5),
     ((5000,), (6 / 5000) ** 0.5)],
)  # fmt: skip
def test_init_xavier_gives_minpys_numbers(shape: Any, std: float) -> None:
    np.random.seed(0)
    host = numpy.asarray(init.xavier(shape, None))
    assert host.shape == shape and host.dtype == numpy.float32
    assert abs(host.std() / std - 1) < 0.03 and abs(host.mean()) < 4 * std / host.size**0.5


def test_init_custom() -> None:
    seen: list[Any] = []

    def ones(shape: Any) -> Any:
        seen.append(shape)
        return numpy.ones(shape)

    w = init.custom((2, 3), {"function": ones})
    assert seen == [(2, 3)] and isinstance(w, type(np.zeros(1)))
    numpy.testing.assert_array_equal(w, numpy.ones((2, 3)))
    zeros = init.custom((4,), {})
    assert zeros.dtype == numpy.float32 and not zeros.any()
    assert init.get("custom") is init.custom
    with pytest.raises(TypeError, match=r"config\['function'\] must be callable, got 3"):
        init.custom((2,), {"function": 3})
    with pytest.raises(ValueError, match=r"returned shape \(3,\) for a parameter of shape \(2,\)"):
        init.custom((2,), {"function": lambda shape: numpy.ones(3)})


# optim -------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_optim_functional_form_leaves_inputs_alone(rule: str) -> None:
    fn = getattr(optim, rule)
    rng = numpy.random.RandomState(0)
    w0, g = rng.randn(3), rng.randn(2, 3)
    w = np.array(w0)
    config: dict[str, Any] = {"learning_rate": 0.1}
    next_w, config = fn(w, np.array(g[0]), config)
    state = {k: v.copy() for k, v in config.items() if hasattr(v, "shape")}
    later_w, config = fn(next_w, np.array(g[1]), config)
    assert next_w is not w and later_w is not next_w
    numpy.testing.assert_array_equal(w, w0)  # MinPy's rules never mutate w
    for key, value in state.items():  # nor the previous step's state arrays
        assert config[key] is not value
    # the in-place form gives the same numbers, into w itself
    w_in = np.array(w0)
    cfg_in: dict[str, Any] = {"learning_rate": 0.1}
    for step in g:
        out, cfg_in = fn(w_in, np.array(step), cfg_in, inplace=True)
        assert out is w_in
    numpy.testing.assert_allclose(w_in, later_w, rtol=1e-12)
    assert optim.is_builtin(fn)


def test_optim_adam_is_minpys_formula() -> None:
    w, g = numpy.array([0.5]), numpy.array([1e-6])  # sqrt(v) near epsilon: the forms differ
    out, _ = optim.adam(np.array(w), np.array(g), {"learning_rate": 0.1, "epsilon": 1e-6})
    m_hat, v_hat = g, g * g  # after one step the corrected moments are g and g**2
    numpy.testing.assert_allclose(out, w - 0.1 * m_hat / (numpy.sqrt(v_hat) + 1e-6), rtol=1e-12)
