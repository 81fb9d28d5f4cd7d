"""The nn examples (examples/rnn_adding.py, examples/logistic_regression.py) run end to end
on small settings and reach real results. ``minpy demo`` is tested in tests/test_demo.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", ROOT / "examples" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_rnn_adding_lstm_and_gru_beat_baseline(capsys: Any) -> None:
    rnn = load_example("rnn_adding")
    args = "--length 10 --train 2000 --test 500 --epochs 6 --hidden 16".split()
    results = rnn.main(args)
    assert set(results) == {"lstm", "gru"}
    for cell, value in results.items():
        assert value < rnn.BASELINE_MSE / 4, (cell, value)  # a wide margin
    assert "below baseline" in capsys.readouterr().out


def test_rnn_adding_data_baseline_matches_tutorial() -> None:
    rnn = load_example("rnn_adding")
    _, y = rnn.adding_data(20000, 10, 0)
    assert abs(float(((y - y.mean()) ** 2).mean()) - 1 / 6) < 0.01  # var of U(0,1) + U(0,1)
    assert (y >= 0).all() and (y <= 2).all()


def test_logistic_regression_learns(capsys: Any) -> None:
    lr = load_example("logistic_regression")
    loss, acc = lr.main("--samples 500 --features 50 --iterations 50".split())
    assert acc > 0.95
    assert loss < 0.25  # from log(2) = 0.693 at the start
    assert "training accuracy" in capsys.readouterr().out
