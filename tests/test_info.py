"""``minpy info``: the report's contents (the console subcommand is in test_cli.py)."""

from __future__ import annotations

import types

import numpy
import pytest

import minpy
from minpy import backends
from minpy.backends import cupy as cupy_backend
from minpy.backends import register_backend
from minpy.backends.cupy import CupyBackend
from minpy.info import report


def _fields(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out.setdefault(key.strip(), value.strip())
    return out


def test_report_versions_and_policy() -> None:
    f = _fields(report())
    assert f["minpy"] == minpy.__version__
    assert f["numpy"] == numpy.__version__
    assert f["policy"] == "prefer_cupy"
    assert f["context"] == "cpu(0)"
    assert f["devices"] == "cpu(0)"
    assert "cupy" in f


def test_report_follows_policy_and_context() -> None:
    minpy.set_global_policy("only_numpy")
    assert _fields(report())["policy"] == "only_numpy"


def test_report_says_why_no_gpu() -> None:
    ok, why = backends.available("gpu")
    text = report()
    if ok:
        assert "gpu(0):" in text
    else:
        assert f"unavailable: {why}" in text


def test_report_without_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> types.ModuleType:
        raise ImportError("No module named 'cupy'")

    monkeypatch.setattr(cupy_backend, "_import_cupy", missing)
    register_backend("gpu", CupyBackend)
    try:
        f = _fields(report())
    finally:
        register_backend("gpu", CupyBackend)
    assert f["cupy"].startswith("not installed")
    assert 'pip install "minpy[cuda12]"' in f["gpu"]
