"""minpy.nn.model: declaration, per-parameter init rules, .npz save/load round trip, and the
errors for corrupt, truncated, mismatched and malformed files (with no partial load)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.nn import layers
from minpy.nn.model import CheckpointError, ModelBase
from tests.nn import npzfiles
from tests.nn.npzfiles import HUGE, forged, npy

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
        return layers.softmax_loss(predict, y)


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


def _snapshot(m: ModelBase) -> dict[str, Any]:
    """The model's arrays (the objects themselves, and copies of their values and dtypes)."""
    return {
        f"{kind}:{k}": (v, numpy.asarray(v).copy())
        for kind, table in (("param", m.params), ("aux", m.aux_params))
        for k, v in table.items()
    }


def _assert_unchanged(m: ModelBase, before: dict[str, Any]) -> None:
    after = _snapshot(m)
    assert after.keys() == before.keys()
    for k, (obj, value) in before.items():
        assert after[k][0] is obj, k
        assert after[k][1].dtype == value.dtype, k
        numpy.testing.assert_array_equal(after[k][1], value)


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
    with pytest.raises(CheckpointError, match=r"'param:w1' holds Python objects.*pickle"):
        TwoLayer().load(path)


def test_load_mismatched_model(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    TwoLayer(h=5).init_params().save(path)
    m = TwoLayer(h=7).init_params()
    before = _snapshot(m)
    with pytest.raises(
        CheckpointError,
        match=r"'param:w1' has shape \(6, 5\) but the model's parameter 'w1' has shape \(6, 7\)",
    ):
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


# --------------------------------------------------------------------------------------------
# malformed files: each is refused with a CheckpointError naming the entry, before any change

_OBJECTS = numpy.empty((6, 5), dtype=object)

MALFORMED: list[tuple[str, Any, str]] = [
    ("missing", lambda e: e.pop("param:b2"), r"has no entry 'param:b2' for the model's parameter"),
    ("missing aux", lambda e: e.pop("aux:count"), r"no entry 'aux:count'"),
    (
        "extra parameter",
        lambda e: e.update({"param:w3": npy(numpy.ones(2))}),
        r"unexpected entry 'param:w3' \(shape \(2,\), dtype float64\)",
    ),
    ("extra entry", lambda e: e.update({"junk": npy(numpy.ones(1))}), r"unexpected entry 'junk'"),
    (
        "wrong shape",
        lambda e: e.update({"param:w1": npy(numpy.ones((6, 4)))}),
        r"'param:w1' has shape \(6, 4\) but the model's parameter 'w1' has shape \(6, 5\)",
    ),
    (
        "aux wrong shape",
        lambda e: e.update({"aux:count": npy(numpy.zeros(3))}),
        r"'aux:count' has shape \(3,\) but the model's auxiliary parameter 'count' has shape",
    ),
    (
        "complex",
        lambda e: e.update({"param:w1": npy(numpy.ones((6, 5), dtype=complex))}),
        r"'param:w1' holds complex values \(dtype complex128\) but the model's parameter 'w1' "
        r"needs real floating-point values",
    ),
    (
        "integer",
        lambda e: e.update({"param:b1": npy(numpy.zeros(5, dtype=int))}),
        r"'param:b1' holds integer values",
    ),
    (
        "string",
        lambda e: e.update({"param:b1": npy(numpy.array(["a"] * 5))}),
        r"'param:b1' holds strings \(dtype <U1\)",
    ),
    (
        "aux complex",
        lambda e: e.update({"aux:count": npy(numpy.zeros(2, dtype=complex))}),
        r"'aux:count' holds complex values",
    ),
    (
        "object",
        lambda e: e.update({"param:w1": npy(_OBJECTS)}),
        r"'param:w1' holds Python objects \(dtype object\).*pickle",
    ),
    (
        "forged huge header",
        lambda e: e.update({"param:w1": forged((HUGE, 5))}),
        r"'param:w1' has shape \(1099511627776, 5\) but the model's parameter 'w1' has shape "
        r"\(6, 5\)",
    ),
    (
        "forged huge header, section the model skips",
        lambda e: e.update({"hist:loss": forged((HUGE,))}),
        r"'hist:loss' claims shape \(1099511627776,\) of float64 \(8 TiB\) but holds 64 bytes",
    ),
    (
        "truncated entry",
        lambda e: e.update({"param:w1": e["param:w1"][:-8]}),
        r"'param:w1' claims shape \(6, 5\) of float64 \(240 bytes\) but holds 232 bytes",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "match"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED]
)
def test_load_malformed_file_refused_all_or_nothing(
    tmp_path: Path, mutate: Any, match: str
) -> None:
    good = tmp_path / "good.npz"
    m = TwoLayer().init_params(init_config={"dtype": "float64"})
    m.save(good)
    raw = npzfiles.entries(good)
    mutate(raw)
    bad = npzfiles.write(tmp_path / "bad.npz", raw)
    target = TwoLayer().init_params(init_config={"dtype": "float64"})
    target.aux_params["count"] = np.array([3.0, 4.0])
    before = _snapshot(target)
    with pytest.raises(CheckpointError, match=match):
        target.load(bad)
    _assert_unchanged(target, before)


def test_load_state_arrays_checks_the_same(device: minpy.Device) -> None:
    m = TwoLayer().init_params(init_config={"dtype": "float64"})
    good = m.state_arrays()
    before = _snapshot(m)
    cases = [
        ({"param:w9": numpy.ones(2)}, r"unexpected entry 'param:w9'"),
        ({"param:w1": numpy.ones((6, 5), dtype=complex)}, r"'param:w1' holds complex values"),
        ({"param:w1": _OBJECTS}, r"'param:w1' holds Python objects"),
        ({"aux:count": numpy.array(["a", "b"])}, r"'aux:count' holds strings"),
        ({"param:b1": numpy.ones(4)}, r"'param:b1' has shape \(4,\)"),
    ]
    for change, match in cases:
        with pytest.raises(CheckpointError, match=match):
            m.load_state_arrays({**good, **change})
        _assert_unchanged(m, before)
    # a Solver checkpoint's own sections are not the model's business
    m.load_state_arrays({**good, "meta:epoch": numpy.asarray(3)})
    assert m.params["w1"].device is device


def test_load_into_fresh_model_expects_floats(tmp_path: Path) -> None:
    path = tmp_path / "ints.npz"
    arrays = TwoLayer().init_params().state_arrays()
    arrays["param:w1"] = numpy.ones((6, 5), dtype=numpy.int64)
    npzfiles.write(path, {k: npy(v) for k, v in arrays.items()})
    fresh = TwoLayer()
    with pytest.raises(CheckpointError, match=r"'param:w1' holds integer values.*real floating"):
        fresh.load(path)
    assert fresh.params == {}


def test_load_refuses_stray_and_duplicate_members(tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    TwoLayer().init_params().save(good)
    raw = npzfiles.entries(good)
    m = TwoLayer().init_params()
    before = _snapshot(m)
    stray = npzfiles.write(tmp_path / "stray.npz", raw, stray={"notes.txt": b"hello"})
    with pytest.raises(CheckpointError, match=r"unexpected member 'notes.txt'.*not a \.npy"):
        m.load(stray)
    twice = [*raw.items(), ("param:w1", npy(numpy.zeros((6, 5), dtype="float32")))]
    dup = npzfiles.write(tmp_path / "dup.npz", twice)
    with pytest.raises(CheckpointError, match=r"holds entry 'param:w1' twice"):
        m.load(dup)
    _assert_unchanged(m, before)
