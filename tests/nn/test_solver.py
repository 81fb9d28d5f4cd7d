"""minpy.nn.solver.Solver: training a tiny model on each device, history, learning-rate decay,
gradient clipping, checkpoint/resume, the NaN stop, Ctrl-C checkpoints, progress output,
plot_history and the bad-input errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.nn import layers
from minpy.nn.io import NDArrayIter
from minpy.nn.model import CheckpointError, ModelBase
from minpy.nn.solver import NonFiniteLossError, Solver
from tests.nn import npzfiles
from tests.nn.npzfiles import HUGE, forged, npy

np: Any = _namespace


class Tiny(ModelBase):
    """A 2-16-3 MLP with batchnorm (so auxiliary parameters are exercised)."""

    def __init__(self) -> None:
        super().__init__()
        self.add_param("w1", (2, 16), init_rule="he").add_param("b1", (16,), init_rule="constant")
        self.add_param("g", (16,), init_rule="constant", init_config={"value": 1.0})
        self.add_param("be", (16,), init_rule="constant")
        self.add_param("w2", (16, 3)).add_param("b2", (3,), init_rule="constant")
        self.add_aux_param("mean", np.zeros(16)).add_aux_param("var", np.ones(16))
        self.calls = 0
        self.nan_at: int | None = None
        self.interrupt_at: int | None = None

    def forward(self, X: Any, mode: str) -> Any:
        p, a = self.params, self.aux_params
        h = layers.affine(X, p["w1"], p["b1"])
        h, a["mean"], a["var"] = layers.batchnorm(
            h, p["g"], p["be"], mode=mode, running_mean=a["mean"], running_var=a["var"]
        )
        return layers.affine(layers.relu(h), p["w2"], p["b2"])

    def loss(self, predict: Any, y: Any) -> Any:
        self.calls += 1
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        loss = layers.softmax_loss(predict, y)
        return loss * float("nan") if self.calls == self.nan_at else loss


def blobs(n: int = 240, seed: int = 0) -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.RandomState(seed)
    y = rng.randint(0, 3, n)
    centres = numpy.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    return centres[y] + 0.5 * rng.randn(n, 2), y


def make(model: ModelBase | None = None, **kw: Any) -> Solver:
    x, y = blobs()
    xv, yv = blobs(90, seed=1)
    opts: dict[str, Any] = dict(
        num_epochs=3,
        update_rule="adam",
        optim_config={"learning_rate": 0.02},
        init_config={"dtype": "float64"},
        progress=False,
        verbose=False,
    )
    opts.update(kw)
    shuffle = opts.pop("shuffle", False)
    return Solver(
        model or Tiny(),
        NDArrayIter(x, y, 40, shuffle=shuffle, seed=0),
        NDArrayIter(xv, yv, 50, last_batch_handle="keep"),
        **opts,
    )


def test_train_tiny_model_history(device: minpy.Device) -> None:
    np.random.seed(0)
    solver = make(num_epochs=4, shuffle=True)
    history = solver.train()
    assert len(history["loss"]) == 4 * 6
    assert len(history["train_acc"]) == len(history["val_acc"]) == len(history["lr"]) == 4
    assert history["loss"][-1] < history["loss"][0]
    assert solver.val_acc_history[-1] > 0.9 and solver.train_acc_history[-1] > 0.9
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert all(p.device is device for p in solver.model.params.values())
    assert solver.model.aux_params["mean"].device is device
    assert not solver.model.aux_params["mean"].traced
    assert float(np.abs(solver.model.aux_params["mean"]).sum()) > 0  # running stats moved
    assert solver.check_accuracy(solver.test_dataiter) == solver.best_val_acc


def test_tuple_data_and_sgd_rules() -> None:
    x, y = blobs()
    for rule in ("sgd", "sgd_momentum", "rmsprop"):
        np.random.seed(0)
        solver = Solver(
            Tiny(), (x, y), (x, y), batch_size=30, num_epochs=3, update_rule=rule,
            optim_config={"learning_rate": 0.05 if rule != "rmsprop" else 0.01},
            progress=False, verbose=False,
        )  # fmt: skip
        solver.train()
        assert solver.best_val_acc > 0.85, rule
    with pytest.raises(ValueError, match="batch_size is None"):
        Solver(Tiny(), (x, y))


def test_lr_decay() -> None:
    solver = make(update_rule="sgd", optim_config={"learning_rate": 0.1}, lr_decay=0.5)
    solver.train()
    assert solver.lr_history == pytest.approx([0.1, 0.05, 0.025])
    assert all(
        cfg["learning_rate"] == pytest.approx(0.0125) for cfg in solver.optim_configs.values()
    )


def test_gradient_clipping_bounds_the_step() -> None:
    x, y = blobs(8)
    np.random.seed(0)
    model = Tiny().init_params(init_config={"dtype": "float64"})
    before = {k: numpy.asarray(v).copy() for k, v in model.params.items()}
    solver = Solver(
        model, NDArrayIter(x, y, 8), None, num_epochs=1, update_rule="sgd",
        optim_config={"learning_rate": 1.0}, clip_norm=1e-3, progress=False, verbose=False,
    )  # fmt: skip
    solver.train()
    step = numpy.sqrt(
        sum(((numpy.asarray(v) - before[k]) ** 2).sum() for k, v in model.params.items())
    )
    assert step == pytest.approx(1e-3, rel=1e-6)
    with pytest.raises(ValueError, match=r"clip_norm must be a finite number > 0, got 0\.0"):
        Solver(model, NDArrayIter(x, y, 8), clip_norm=0.0)


@pytest.mark.parametrize("shuffle", [False, True])
def test_checkpoint_each_epoch_and_resume_matches_straight_run(
    tmp_path: Path, shuffle: bool
) -> None:
    np.random.seed(0)
    straight = make(num_epochs=4, keep_best=False, shuffle=shuffle)
    straight.train()

    ck = tmp_path / "ck.npz"
    np.random.seed(0)
    first = make(num_epochs=2, checkpoint=ck, keep_best=False, shuffle=shuffle)
    first.train()
    assert ck.exists()
    with numpy.load(ck, allow_pickle=False) as f:
        assert int(f["meta:epoch"]) == 2

    # a new solver and data iterator: the shuffling order comes from the checkpoint
    second = make(num_epochs=4, checkpoint=ck, resume=True, keep_best=False, shuffle=shuffle)
    second.train()
    assert second.epoch == 4
    assert second.loss_history == pytest.approx(straight.loss_history)
    assert second.val_acc_history == straight.val_acc_history
    for k, v in straight.model.params.items():
        numpy.testing.assert_allclose(second.model.params[k], v, rtol=1e-12)
    for k, v in straight.model.aux_params.items():
        numpy.testing.assert_allclose(second.model.aux_params[k], v, rtol=1e-12)


def test_checkpoint_errors(tmp_path: Path) -> None:
    ck = tmp_path / "ck.npz"
    solver = make(num_epochs=1, checkpoint=ck)
    solver.train()
    other = make(update_rule="sgd")
    other.model.init_params()
    with pytest.raises(CheckpointError, match="update_rule='adam'"):
        other.load_checkpoint(ck)
    params = tmp_path / "params.npz"
    solver.model.save(params)
    with pytest.raises(CheckpointError, match="parameter file, not a solver checkpoint"):
        solver.load_checkpoint(params)
    ck.write_bytes(ck.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="truncated"):
        make(checkpoint=ck, resume=True).train()


def test_nan_loss_stops_naming_epoch_and_batch(tmp_path: Path) -> None:
    ck = tmp_path / "ck.npz"
    model = Tiny()
    model.nan_at = 6 + 3  # six batches per epoch: epoch 2, batch 3
    solver = make(model, checkpoint=ck)
    np.random.seed(0)
    with pytest.raises(NonFiniteLossError, match="nan at epoch 2, batch 3; training stopped") as e:
        solver.train()
    assert f"the last checkpoint {str(ck)!r} (end of epoch 1) is intact" in str(e.value)
    assert solver.epoch == 1
    with numpy.load(ck, allow_pickle=False) as f:
        assert int(f["meta:epoch"]) == 1
        saved = f["param:w1"].copy()
    assert numpy.isfinite(numpy.asarray(model.params["w1"])).all()
    # the checkpoint is the end of epoch 1: resuming continues from there
    resumed = make(Tiny(), checkpoint=ck, resume=True)
    resumed.model.init_params(init_config={"dtype": "float64"})
    resumed.load_checkpoint(ck)
    numpy.testing.assert_array_equal(resumed.model.params["w1"], saved)


def test_nan_message_mentions_checkpoint(tmp_path: Path) -> None:
    model = Tiny()
    model.nan_at = 2
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, batch 2.*no checkpoint.*learning rate"):
        make(model).train()


def test_keyboard_interrupt_leaves_checkpoint(tmp_path: Path, capsys: Any) -> None:
    ck = tmp_path / "ck.npz"
    model = Tiny()
    model.interrupt_at = 6 + 3  # during epoch 2
    solver = make(model, checkpoint=ck, num_epochs=3)
    with pytest.raises(KeyboardInterrupt):
        solver.train()
    assert "checkpoint written to" in capsys.readouterr().err
    resumed = make(checkpoint=ck, resume=True, num_epochs=3)
    resumed.train()
    assert resumed.epoch == 3 and len(resumed.val_acc_history) == 3


def test_keyboard_interrupt_without_checkpoint_path(capsys: Any) -> None:
    model = Tiny()
    model.interrupt_at = 2
    with pytest.raises(KeyboardInterrupt):
        make(model).train()
    err = capsys.readouterr().err
    path = err.split("checkpoint written to ")[1].split(";")[0].strip("'")
    assert Path(path).exists()
    Path(path).unlink()


def test_progress_and_table_output(capsys: Any) -> None:
    pytest.importorskip("tqdm")
    solver = make(num_epochs=2, progress=True, verbose=True)
    solver.train()
    out, err = capsys.readouterr()
    assert "train acc" in out and "val acc" in out
    assert len([line for line in out.splitlines() if line.strip().startswith(("1 ", "2 "))]) == 2
    assert "epoch 1/2" in err  # the tqdm bar


def test_plot_history(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    solver = make(num_epochs=2)
    solver.train()
    path = tmp_path / "history.png"
    solver.plot_history(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_inputs_are_explained() -> None:
    x, y = blobs(20)
    bad = Solver(Tiny(), (x, y + 1), None, batch_size=10, progress=False, verbose=False)
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        bad.train()
    wide = Solver(Tiny(), (numpy.ones((20, 5)), y), None, batch_size=10, verbose=False)
    with pytest.raises(ValueError, match=r"input of shape \(10, 5\) has 5 features"):
        wide.train()
    with pytest.raises(ValueError, match="unknown update_rule"):
        Solver(Tiny(), (x, y), batch_size=4, update_rule="nesterov")
    with pytest.raises(TypeError, match="model must be a ModelBase"):
        Solver(object(), (x, y), batch_size=4)  # type: ignore[arg-type]
    from minpy.nn import modules

    with pytest.raises(TypeError, match=r"train it with minpy\.nn\.modules\.Updater"):
        Solver(modules.Model(), (x, y), batch_size=4)  # its parameters come on its first call


# --------------------------------------------------------------------------------------------
# checkpoints load all or nothing


def _solver_state(s: Solver) -> dict[str, Any]:
    """Everything a checkpoint restores: the objects themselves and copies of their values."""

    def host(v: Any) -> Any:
        return numpy.asarray(v).copy() if isinstance(v, (minpy.Array, numpy.ndarray)) else v

    rng = s._shuffle_rng()
    return {
        "params": {k: (v, host(v)) for k, v in s.model.params.items()},
        "aux": {k: (v, host(v)) for k, v in s.model.aux_params.items()},
        "optim": (s.optim_configs, {p: {k: host(v) for k, v in c.items()}
                                     for p, c in s.optim_configs.items()}),
        "best": (s.best_params, {k: host(v) for k, v in s.best_params.items()}),
        "counters": (s.epoch, s.best_val_acc),
        "history": s.history,
        "rng": None if rng is None else rng.get_state(legacy=True),
    }  # fmt: skip


def _assert_same_state(s: Solver, before: dict[str, Any]) -> None:
    after = _solver_state(s)
    for kind in ("params", "aux"):
        assert after[kind].keys() == before[kind].keys()
        for k, (obj, value) in before[kind].items():
            assert after[kind][k][0] is obj, (kind, k)
            numpy.testing.assert_array_equal(after[kind][k][1], value)
    for kind in ("optim", "best"):
        assert after[kind][0] is before[kind][0], kind
        assert after[kind][1].keys() == before[kind][1].keys(), kind
        for k, value in before[kind][1].items():
            if isinstance(value, dict):
                assert value.keys() == after[kind][1][k].keys()
                for f, v in value.items():
                    numpy.testing.assert_array_equal(after[kind][1][k][f], v)
            else:
                numpy.testing.assert_array_equal(after[kind][1][k], value)
    assert after["counters"] == before["counters"]
    numpy.testing.assert_equal(after["history"], before["history"])  # NaN == NaN here
    if before["rng"] is None:
        assert after["rng"] is None
    else:
        numpy.testing.assert_array_equal(after["rng"][1], before["rng"][1])
        assert after["rng"][2:] == before["rng"][2:]


_OBJ = numpy.empty((2, 16), dtype=object)

BAD_CHECKPOINTS: list[tuple[str, Any, str]] = [
    ("missing counter", lambda e: e.pop("meta:best_val_acc"), r"no entry 'meta:best_val_acc'"),
    ("missing history", lambda e: e.pop("hist:lr"), r"no entry 'hist:lr' for the solver's lr"),
    ("missing parameter", lambda e: e.pop("param:w1"), r"no entry 'param:w1'"),
    ("extra optimizer setting", lambda e: e.update({"optim:w1:momentum": npy(0.9)}),
     r"unexpected entry 'optim:w1:momentum'"),
    ("extra best", lambda e: e.update({"best:zz": npy(numpy.ones(3))}),
     r"unexpected entry 'best:zz'"),
    ("extra meta", lambda e: e.update({"meta:foo": npy(1)}), r"unexpected entry 'meta:foo'"),
    ("optimizer state shape", lambda e: e.update({"optim:w1:m": npy(numpy.zeros((3, 3)))}),
     r"'optim:w1:m' has shape \(3, 3\) but the optimizer state 'm' of parameter 'w1' has "
     r"shape \(2, 16\)"),
    ("best shape", lambda e: e.update({"best:w2": npy(numpy.zeros(3))}),
     r"'best:w2' has shape \(3,\) but the best value of parameter 'w2' has shape \(16, 3\)"),
    ("generator key shape", lambda e: e.update({"rng:keys": npy(numpy.zeros(600, "uint32"))}),
     r"'rng:keys' has shape \(600,\)"),
    ("float epoch", lambda e: e.update({"meta:epoch": npy(1.0)}),
     r"'meta:epoch' holds real floating-point values \(dtype float64\) but the solver's epoch "
     r"counter needs integer values"),
    ("epoch vector", lambda e: e.update({"meta:epoch": npy([1, 2])}),
     r"'meta:epoch' has shape \(2,\) but the solver's epoch counter has shape \(\); nothing was "
     r"loaded; use an intact checkpoint"),
    ("negative epoch", lambda e: e.update({"meta:epoch": npy(-1)}),
     r"epoch counter 'meta:epoch' is -1, not a count"),
    ("float step count", lambda e: e.update({"optim:w1:t": npy(1.5)}),
     r"'optim:w1:t' holds real floating-point values.*step count 't' of parameter 'w1'"),
    ("string setting", lambda e: e.update({"optim:w1:learning_rate": npy("fast")}),
     r"'optim:w1:learning_rate' holds strings"),
    ("2-D history", lambda e: e.update({"hist:loss": npy(numpy.zeros((2, 2)))}),
     r"'hist:loss' has shape \(2, 2\) but the solver's loss history is a list"),
    ("rule name not a string", lambda e: e.update({"meta:update_rule": npy(3)}),
     r"'meta:update_rule' holds integer values.*needs a string"),
    ("generator position", lambda e: e.update({"rng:rest": npy([700.0, 0.0, 0.0])}),
     r"shuffling generator's state \('rng:keys', 'rng:rest'\) is invalid"),
    ("complex parameter", lambda e: e.update({"param:w1": npy(numpy.ones((2, 16), complex))}),
     r"'param:w1' holds complex values"),
    ("complex state", lambda e: e.update({"optim:w1:v": npy(numpy.ones((2, 16), complex))}),
     r"'optim:w1:v' holds complex values"),
    ("object state", lambda e: e.update({"optim:w1:m": npy(_OBJ)}),
     r"'optim:w1:m' holds Python objects"),
    ("forged parameter header", lambda e: e.update({"param:w1": forged((HUGE, 16))}),
     r"'param:w1' has shape \(1099511627776, 16\) but the model's parameter 'w1' has shape "
     r"\(2, 16\)"),
    ("forged history header", lambda e: e.update({"hist:loss": forged((HUGE,))}),
     r"'hist:loss' claims shape \(1099511627776,\) of float64 \(8 TiB\) but holds 64 bytes"),
    ("partial best", lambda e: e.pop("best:b1"),
     r"best values of 5 of the 6 parameters \(missing: \['b1'\]\)"),
    ("half a generator", lambda e: e.pop("rng:rest"), r"only one of 'rng:keys' and 'rng:rest'"),
    ("truncated entry", lambda e: e.update({"param:w2": e["param:w2"][:-4]}),
     r"'param:w2' claims shape \(16, 3\) of float64 \(384 bytes\) but holds 380 bytes"),
]  # fmt: skip


@pytest.fixture(scope="module")
def good_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    ck = tmp_path_factory.mktemp("ck") / "ck.npz"
    np.random.seed(0)
    make(num_epochs=1, checkpoint=ck, shuffle=True).train()
    return npzfiles.entries(ck)


@pytest.mark.parametrize(
    ("mutate", "match"), [c[1:] for c in BAD_CHECKPOINTS], ids=[c[0] for c in BAD_CHECKPOINTS]
)
def test_load_checkpoint_malformed_refused_all_or_nothing(
    tmp_path: Path, good_checkpoint: dict[str, bytes], mutate: Any, match: str
) -> None:
    raw = dict(good_checkpoint)
    mutate(raw)
    bad = npzfiles.write(tmp_path / "bad.npz", raw)
    np.random.seed(1)
    solver = make(num_epochs=3, shuffle=True)
    solver.train()  # a solver with state of its own: parameters, optimizer state, history
    solver.train_dataiter._rng.randint(5)  # and a generator state unlike the file's
    before = _solver_state(solver)
    with pytest.raises(CheckpointError, match=match):
        solver.load_checkpoint(bad)
    _assert_same_state(solver, before)
    # resuming from it fails the same way, and leaves a bare model bare
    fresh = make(num_epochs=3, shuffle=True, checkpoint=bad, resume=True)
    with pytest.raises(CheckpointError, match=match):
        fresh.train()
    assert fresh.model.params == {} and fresh.epoch == 0


def test_resume_refused_checkpoint_leaves_model_untouched(tmp_path: Path) -> None:
    ck = tmp_path / "ck.npz"
    ck.write_bytes(b"PK\x03\x04 not really a zip")
    model = Tiny()
    solver = make(model, checkpoint=ck, resume=True)
    with pytest.raises(CheckpointError, match="corrupt"):
        solver.train()
    assert model.params == {}  # no init_params before the file was checked


def test_checkpoint_loads_into_a_bare_model(tmp_path: Path) -> None:
    ck = tmp_path / "ck.npz"
    solver = make(num_epochs=1, checkpoint=ck)
    solver.train()
    model = Tiny()
    model.load(ck)  # the solver's own sections are skipped
    with numpy.load(ck, allow_pickle=False) as f:
        numpy.testing.assert_array_equal(model.params["w1"], f["param:w1"])


def test_load_checkpoint_custom_rule_accepts_numbers_only(tmp_path: Path) -> None:
    def plain(w: Any, dw: Any, config: Any = None) -> Any:
        config = {} if config is None else config
        config.setdefault("learning_rate", 0.01)
        config["steps"] = config.get("steps", 0) + 1
        w -= config["learning_rate"] * dw
        return w, config

    ck = tmp_path / "ck.npz"
    make(num_epochs=1, checkpoint=ck, update_rule=plain, optim_config={}).train()
    resumed = make(num_epochs=2, checkpoint=ck, resume=True, update_rule=plain, optim_config={})
    resumed.train()
    assert resumed.epoch == 2 and resumed.optim_configs["w1"]["steps"] == 12
    raw = npzfiles.entries(ck)
    raw["optim:w1:steps"] = npy("twelve")
    bad = npzfiles.write(tmp_path / "bad.npz", raw)
    with pytest.raises(CheckpointError, match=r"'optim:w1:steps' holds strings"):
        make(update_rule=plain, optim_config={}, checkpoint=bad, resume=True).train()


# --------------------------------------------------------------------------------------------
# constructor arguments


BAD_ARGUMENTS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"optim_config": {"learning_rate": "a"}}, TypeError,
     r"optim_config\['learning_rate'\] must be a number > 0, got 'a' \(str\)"),
    ({"optim_config": {"learning_rate": 0.0}}, ValueError,
     r"optim_config\['learning_rate'\] must be a finite number > 0, got 0\.0"),
    ({"optim_config": {"learning_rate": -0.1}}, ValueError, r"got -0\.1; pass a value > 0"),
    ({"optim_config": {"learning_rate": float("nan")}}, ValueError, r"finite number > 0, got nan"),
    ({"optim_config": {"momentum": 0.9}}, ValueError,
     r"optim_config key 'momentum' is not a setting of update_rule 'adam', which takes "
     r"\['beta1', 'beta2', 'epsilon', 'learning_rate'\]"),
    ({"update_rule": "sgd", "optim_config": {"lr": 0.1}}, ValueError,
     r"key 'lr' is not a setting of update_rule 'sgd', which takes \['learning_rate'\]"),
    ({"optim_config": {"beta1": 1.0}}, ValueError,
     r"optim_config\['beta1'\] must be .* in \[0, 1\)"),
    ({"optim_config": "fast"}, TypeError, r"optim_config must be a dict or None, got 'fast'"),
    ({"num_epochs": -1}, ValueError, r"num_epochs must be an int >= 0, got -1"),
    ({"num_epochs": 2.0}, TypeError,
     r"num_epochs must be an int, got 2\.0 \(float\); pass num_epochs=2"),
    ({"num_epochs": True}, TypeError, r"num_epochs must be an int, got True \(bool\)"),
    ({"batch_size": 32.0}, TypeError,
     r"batch_size must be an int, got 32\.0 \(float\); pass batch_size=32"),
    ({"batch_size": 0}, ValueError, r"batch_size must be an int >= 1, got 0"),
    ({"train_acc_num_samples": 100.0}, TypeError, r"train_acc_num_samples must be an int"),
    ({"train_acc_num_samples": 0}, ValueError, r"train_acc_num_samples must be an int >= 1"),
    ({"update_rule": "nesterov"}, ValueError,
     r"unknown update_rule 'nesterov'; use one of \['adam', 'rmsprop', 'sgd', 'sgd_momentum'\]"),
    ({"init_rule": "glorot"}, ValueError,
     r"unknown init_rule 'glorot'; use one of \['constant', 'custom', 'gaussian', 'he', "
     r"'xavier', 'xavier_normal'\]"),
    ({"init_config": {"dtype": "int32"}}, ValueError,
     r"init_config\['dtype'\] must be a floating-point type .*got 'int32'"),
    ({"init_config": {"dtype": "floot"}}, TypeError,
     r"init_config\['dtype'\] is not a dtype: 'floot'"),
    ({"init_config": {"scale": 2.0}}, ValueError,
     r"init_config key 'scale' is read by no init rule in use \(\['constant', 'he', 'xavier'\]\)"),
    ({"init_config": {"stdvar": -1.0}, "init_rule": "gaussian"}, ValueError,
     r"init_config\['stdvar'\] must be a finite number >= 0"),
    ({"init_config": [("dtype", "float64")]}, TypeError, r"init_config must be a dict or None"),
    ({"lr_decay": 0}, ValueError, r"lr_decay must be a finite number > 0, got 0"),
    ({"lr_decay": "0.5"}, TypeError, r"lr_decay must be a number > 0, got '0\.5' \(str\)"),
    ({"clip_norm": "1"}, TypeError, r"clip_norm must be a number > 0, got '1'"),
    ({"clip_norm": -1.0}, ValueError, r"clip_norm must be a finite number > 0, got -1\.0"),
    ({"resume": "yes", "checkpoint": "x.npz"}, TypeError,
     r"resume must be True or False, got 'yes'"),
    ({"resume": True}, ValueError, r"resume=True needs the checkpoint"),
    ({"verbose": None}, TypeError, r"verbose must be True or False, got None"),
    ({"keep_best": "no"}, TypeError, r"keep_best must be True or False"),
    ({"verbose": 2}, TypeError, r"verbose must be True or False, got 2"),
    ({"checkpoint": 123}, TypeError, r"checkpoint must be a str or pathlib\.Path, got 123 \(int\)"),
    ({"checkpoint": b"ck.npz"}, TypeError, r"checkpoint must be a str or pathlib\.Path"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "exc", "match"), BAD_ARGUMENTS, ids=lambda v: repr(v)[:40])
def test_constructor_refuses_bad_arguments(
    kwargs: dict[str, Any], exc: type[Exception], match: str
) -> None:
    x, y = blobs(20)
    opts: dict[str, Any] = dict(batch_size=10, update_rule="adam", progress=False, verbose=False)
    opts.update(kwargs)
    with pytest.raises(exc, match=match):
        Solver(Tiny(), (x, y), (x, y), **opts)


def test_constructor_refuses_bad_data_and_parameter_rules() -> None:
    x, y = blobs(20)
    with pytest.raises(TypeError, match=r"train_dataiter is None; pass an NDArrayIter"):
        Solver(Tiny(), None)
    with pytest.raises(TypeError, match=r"train_dataiter must be an NDArrayIter or an \(X, y\) "
                       r"tuple, got list .*it lacks reset\)"):  # fmt: skip
        Solver(Tiny(), [x, y], batch_size=10)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"test_dataiter must be an NDArrayIter .*got ndarray"):
        Solver(Tiny(), (x, y), x, batch_size=10)
    with pytest.raises(TypeError, match=r"train_dataiter given as a tuple must be \(X, y\), got "
                       r"a tuple of 3"):  # fmt: skip
        Solver(Tiny(), (x, y, y), batch_size=10)
    model = Tiny()
    model.add_param("w3", (2, 2), init_rule="glorot")
    with pytest.raises(ValueError, match=r"parameter 'w3': unknown init_rule 'glorot'; use one of"):
        Solver(model, (x, y), batch_size=10)
    model = Tiny()
    model.add_param("w3", (2, 2), init_rule="constant", init_config={"stdvar": 1.0})
    with pytest.raises(ValueError, match=r"parameter 'w3''s init_config key 'stdvar' is read by "
                       r"no init rule in use \(\['constant'\]\)"):  # fmt: skip
        Solver(model, (x, y), batch_size=10)


def test_constructor_accepts_valid_arguments() -> None:
    x, y = blobs(20)
    it = NDArrayIter(x, y, 10)
    for kwargs in (
        {"num_epochs": numpy.int64(2), "batch_size": numpy.int32(10)},
        {"optim_config": {"learning_rate": 1}, "update_rule": "sgd", "lr_decay": 1},
        {"update_rule": "sgd_momentum", "optim_config": {"momentum": 0.0}},
        {"init_config": {"dtype": numpy.float64, "value": 0}, "clip_norm": 5},
        {"train_acc_num_samples": None, "verbose": numpy.bool_(False)},
        {"verbose": 0, "keep_best": 1},  # MinPy-era scripts pass 0/1 for flags
        {"update_rule": lambda w, dw, c=None: (w, c or {}), "optim_config": {"anything": "x"}},
    ):
        Solver(Tiny(), it, it, progress=False, **kwargs)


def test_progress_bar_only_on_a_terminal_by_default(capsys: Any) -> None:
    pytest.importorskip("tqdm")
    solver = make(num_epochs=1, verbose=True)  # progress not given: stderr is captured here
    solver.train()
    out, err = capsys.readouterr()
    assert "epoch 1/1" not in err and "train acc" in out  # the plain table, no bar redraws
