"""The seed (MinPy's README example) and MinPy's autograd tutorial, run as shipped."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_seed_simplenet_runs_and_matches_finite_differences(capsys):
    ns = runpy.run_path(str(EXAMPLES / "simplenet.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "8.0"
    assert out[1] == "[2. 4. 6. 8.]"
    assert ns["dx"].shape == (100, 100)
    assert ns["analytic"] == pytest.approx(ns["numeric"], rel=1e-6, abs=1e-9)


def test_autograd_tutorial(tmp_path):
    pytest.importorskip("matplotlib")
    ns = runpy.run_path(str(EXAMPLES / "autograd_tutorial.py"))
    res = ns["main"](plot=str(tmp_path / "d.png"))
    assert res["d_foo(4)"] == 8.0 and isinstance(res["d_foo(4)"], float)
    assert res["d_2_foo(4)"] == 2.0
    assert res["d_3_foo(4)"] == 0.0
    xs = numpy.linspace(-10, 10, 200)
    numpy.testing.assert_allclose(res["curves"]["d_foo"], 2 * xs)
    numpy.testing.assert_allclose(res["curves"]["d_2_foo"], 2.0)
    assert res["grad(bar)"] == [3.0, 6.0, -1.0]
    assert res["grad_and_loss(bar)"] == ([3.0, 6.0, -1.0], 11.0)
    assert res["losses"][-1] < res["losses"][0] * 0.5
    assert res["accuracy"] > 0.9
    assert (tmp_path / "d.png").stat().st_size > 0
