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
        h, a["mean"], a["var"] = layers.batchnorm(h, p["g"], p["be"], a["mean"], a["var"], mode)
        return layers.affine(layers.relu(h), p["w2"], p["b2"])

    def loss(self, predict: Any, y: Any) -> Any:
        self.calls += 1
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        loss = layers.softmax_cross_entropy(predict, y)
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
    with pytest.raises(ValueError, match="clip_norm must be positive"):
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
