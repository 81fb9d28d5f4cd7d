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
