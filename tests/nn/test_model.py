"""minpy.nn.model: declaration, per-parameter init rules, .npz save/load round trip, and the
errors for corrupt, truncated and mismatched files (with no partial load)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.nn import layers
from minpy.nn.model import CheckpointError, ModelBase

np: Any = _namespace


class TwoLayer(ModelBase):
    def __init__(self, d: int = 6, h: int = 5, c: int = 3) -> None:
        super().__init__()
        self.add_param("w1", (d, h)).add_param("b1", (h,), init_rule="constant")
        self.add_param("w2", (h, c)).add_param(
            "b2", (c,), init_rule="constant", init_config={"value": 0.5}
        )
        self.add_aux_param("count", np.zeros(2))

    def forward(self, X: Any, mode: str) -> Any:
        p = self.params
        h = layers.relu(layers.affine(X, p["w1"], p["b1"]))
        return layers.affine(h, p["w2"], p["b2"])

    def loss(self, predict: Any, y: Any) -> Any:
        return layers.softmax_cross_entropy(predict, y)


def test_add_param_rejects_duplicates_and_bad_names() -> None:
    m = TwoLayer()
    with pytest.raises(ValueError, match="duplicate parameter name 'w1'"):
        m.add_param("w1", (2, 2))
    with pytest.raises(ValueError, match="without ':'"):
        m.add_param("a:b", (2,))
    with pytest.raises(ValueError, match="duplicate auxiliary parameter name 'count'"):
        m.add_aux_param("count", 1.0)
    assert m.add_params({"w3": {"shape": (2, 2)}}) is m
    assert m.param_configs["w3"]["shape"] == (2, 2)


def test_base_forward_and_loss_must_be_defined() -> None:
    with pytest.raises(NotImplementedError, match="must define forward"):
        ModelBase().forward(np.ones(1), "train")
    with pytest.raises(NotImplementedError, match="must define loss"):
        ModelBase().loss(np.ones(1), np.ones(1))


def test_init_params_per_param_rules(device: minpy.Device) -> None:
    m = TwoLayer().init_params("xavier", {"dtype": "float64"})
    assert m.params["w1"].device is device
    assert m.params["w1"].dtype == numpy.float64
    assert numpy.all(numpy.asarray(m.params["b1"]) == 0)
    assert numpy.all(numpy.asarray(m.params["b2"]) == 0.5)
    assert m.forward(np.ones((4, 6)), "test").shape == (4, 3)


def test_save_load_round_trip(tmp_path: Path, device: minpy.Device) -> None:
    a = TwoLayer().init_params(init_config={"dtype": "float64"})
    a.aux_params["count"] = np.array([3.0, 4.0])
    path = tmp_path / "model.npz"
    a.save(path)
    b = TwoLayer().init_params(init_config={"dtype": "float64"})
    b.load(path)
    for k in a.params:
        numpy.testing.assert_array_equal(b.params[k], a.params[k])
        assert b.params[k].device is device
    numpy.testing.assert_array_equal(b.aux_params["count"], [3.0, 4.0])
    x = np.ones((2, 6))
    numpy.testing.assert_array_equal(a.forward(x, "test"), b.forward(x, "test"))
    # a fresh model with no parameters yet can load too
    c = TwoLayer()
    c.load(path)
    assert set(c.params) == set(a.params)


def test_save_never_uses_pickle(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    TwoLayer().init_params().save(path)
    with numpy.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == [
            "aux:count", "param:b1", "param:b2", "param:w1", "param:w2",
        ]  # fmt: skip


def _snapshot(m: ModelBase) -> dict[str, numpy.ndarray]:
    return {k: numpy.asarray(v).copy() for k, v in {**m.params, **m.aux_params}.items()}


def _assert_unchanged(m: ModelBase, before: dict[str, numpy.ndarray]) -> None:
    after = _snapshot(m)
    assert after.keys() == before.keys()
    for k in before:
        numpy.testing.assert_array_equal(after[k], before[k])


def test_load_truncated_file_clear_error_no_partial_load(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    TwoLayer(d=60, h=50).init_params().save(path)
    data = path.read_bytes()
    m = TwoLayer(d=60, h=50).init_params()
    before = _snapshot(m)
    for cut in (len(data) // 2, len(data) - 30, 10):
        path.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match=r"corrupt, truncated.*nothing was loaded"):
            m.load(path)
        _assert_unchanged(m, before)


def test_load_corrupt_bytes_detected(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    TwoLayer(d=60, h=50).init_params().save(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # a flipped byte inside the array data: CRC mismatch
    path.write_bytes(bytes(data))
    m = TwoLayer(d=60, h=50).init_params()
    before = _snapshot(m)
    with pytest.raises(CheckpointError, match=repr(str(path)).replace("\\", "\\\\")):
        m.load(path)
    _assert_unchanged(m, before)
    path.write_text("not a zip file at all")
    with pytest.raises(CheckpointError, match="corrupt"):
        m.load(path)


def test_load_pickled_objects_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        numpy.savez(f, **{"param:w1": numpy.array([{"x": 1}], dtype=object)})
    with pytest.raises(CheckpointError, match="corrupt"):
        TwoLayer().load(path)


def test_load_mismatched_model(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    TwoLayer(h=5).init_params().save(path)
    m = TwoLayer(h=7).init_params()
    before = _snapshot(m)
    with pytest.raises(CheckpointError, match=r"'w1' has shape \(6, 5\).*declares \(6, 7\)"):
        m.load(path)
    _assert_unchanged(m, before)
    with pytest.raises(CheckpointError, match="no such parameter file"):
        m.load(tmp_path / "missing.npz")
    numpy.save(tmp_path / "single.npy", numpy.ones(3))
    with pytest.raises(CheckpointError, match=r"single \.npy array"):
        m.load(tmp_path / "single.npy")


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.npz"
    m = TwoLayer().init_params()
    m.save(path)
    good = path.read_bytes()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(numpy, "savez", broken)
    with pytest.raises(KeyboardInterrupt):
        m.save(path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
