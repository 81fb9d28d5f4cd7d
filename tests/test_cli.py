"""The ``minpy`` console command: ``minpy info`` in-process and as ``python -m minpy.cli``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from minpy.cli import main


def test_cli_info_prints_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("minpy:") and "policy:" in out


def test_console_script_module_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "minpy.cli", "info"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "numpy:" in done.stdout


def test_cli_demo_without_a_gpu_says_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from minpy.backends import available, register_backend
    from minpy.backends import cupy as cupy_backend
    from minpy.backends.cupy import CupyBackend

    if available("gpu")[0]:
        pytest.skip("a GPU is present: the demo would run")

    def missing() -> None:
        raise ImportError("No module named 'cupy'")

    monkeypatch.setattr(cupy_backend, "_import_cupy", missing)
    register_backend("gpu", CupyBackend)  # a fresh backend that sees no CuPy
    try:
        assert main(["demo", "--device", "gpu"]) == 2
    finally:
        monkeypatch.undo()
        register_backend("gpu", CupyBackend)
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("minpy demo: gpu(0) needs CuPy") and "minpy info" in err
