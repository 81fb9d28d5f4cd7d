"""minpy.nn.model with MinPy's patterns: an auxiliary parameter declared ``None`` and set by
``forward`` (MinPy's batchnorm example), saved and loaded before and after it is set, and
MinPy's error classes importable."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.nn import layers
from minpy.nn.model import (
    CheckpointError,
    ModelBase,
    ParamsNameNotFoundError,
    UnknownAccessModeError,
)
from minpy.nn.solver import Solver

np: Any = _namespace


class BatchNormNet(ModelBase):
    """MinPy's batchnorm example, shrunk: running statistics declared as None."""

    def __init__(self, d: int = 4, h: int = 6, c: int = 3) -> None:
        super().__init__()
        self.add_param(name="w1", shape=(d, h)).add_param(name="b1", shape=(h,))
        self.add_param(name="w2", shape=(h, c)).add_param(name="b2", shape=(c,))
        self.add_param(name="gamma", shape=(h,), init_rule="constant", init_config={"value": 1.0})
        self.add_param(name="beta", shape=(h,), init_rule="constant")
        self.add_aux_param(name="running_mean", value=None)
        self.add_aux_param(name="running_var", value=None)

    def forward(self, X: Any, mode: str) -> Any:
        p, a = self.params, self.aux_params
        y = layers.relu(layers.affine(X, p["w1"], p["b1"]))
        y, a["running_mean"], a["running_var"] = layers.batchnorm(
            y, p["gamma"], p["beta"], running_mean=a["running_mean"], running_var=a["running_var"]
        )
        return layers.dropout(layers.affine(y, p["w2"], p["b2"]), 0.5, mode=mode)

    def loss(self, predict: Any, y: Any) -> Any:
        return layers.softmax_loss(predict, y)


def data(n: int = 40) -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.RandomState(0)
    x = rng.randn(n, 4)
    return x, (x[:, 0] > 0).astype(int)


def test_aux_param_none_set_by_forward(device: minpy.Device) -> None:
    model = BatchNormNet()
    assert model.aux_params == {"running_mean": None, "running_var": None}
    model.init_params("gaussian", {"device": device})
    assert model.aux_params["running_mean"] is None
    x, _ = data()
    model.forward(np.array(x, device=device), "train")
    mean = model.aux_params["running_mean"]
    assert mean.shape == (6,) and mean.device is device
    assert float(np.sum(np.abs(mean))) > 0
    model.init_params("gaussian", {"device": device})  # back to the declared None
    assert model.aux_params["running_mean"] is None


def test_solver_trains_and_checkpoints_none_aux(tmp_path: Path) -> None:
    x, y = data()
    solver = Solver(
        BatchNormNet(), (x, y), (x, y), batch_size=10, num_epochs=2, update_rule="sgd",
        optim_config={"learning_rate": 0.1}, progress=False, verbose=False,
    )  # fmt: skip
    solver.train()
    assert solver.model.aux_params["running_var"].shape == (6,)
    path = tmp_path / "ck.npz"
    solver.save_checkpoint(path)
    fresh = Solver(
        BatchNormNet(), (x, y), (x, y), batch_size=10, num_epochs=2, update_rule="sgd",
        progress=False, verbose=False,
    )  # fmt: skip
    fresh.init()
    fresh.load_checkpoint(path)
    numpy.testing.assert_array_equal(
        fresh.model.aux_params["running_var"], solver.model.aux_params["running_var"]
    )


def test_save_load_none_aux_before_and_after_forward(tmp_path: Path) -> None:
    model = BatchNormNet().init_params("gaussian")
    unset = tmp_path / "unset.npz"
    model.save(unset)
    with zipfile.ZipFile(unset) as zf, zf.open("aux:running_mean.npy") as f:
        stored = numpy.lib.format.read_array(f, allow_pickle=False)  # never a pickled None
    assert stored.shape == (0,)
    model.forward(np.array(data()[0]), "train")
    trained = tmp_path / "trained.npz"
    model.save(trained)

    other = BatchNormNet().init_params("gaussian")
    other.load(trained)  # None takes the stored array, whatever its shape
    numpy.testing.assert_array_equal(
        other.aux_params["running_mean"], model.aux_params["running_mean"]
    )
    for k, v in model.params.items():
        numpy.testing.assert_array_equal(other.params[k], v)
    other.load(unset)  # and a file saved before forward sets it back to None
    assert other.aux_params["running_mean"] is None
    state = other.state_arrays()
    assert all(not a.dtype.hasobject for a in state.values())


def test_none_aux_file_entry_must_be_numbers(tmp_path: Path) -> None:
    model = BatchNormNet().init_params("gaussian")
    arrays = model.state_arrays()
    arrays["aux:running_mean"] = numpy.array(["a"])
    with pytest.raises(CheckpointError, match=r"'aux:running_mean' holds strings"):
        model.load_state_arrays(arrays)
    assert model.aux_params["running_mean"] is None


def test_minpy_error_classes_importable() -> None:
    assert issubclass(ParamsNameNotFoundError, ValueError)
    assert issubclass(UnknownAccessModeError, ValueError)
