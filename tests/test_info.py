"""``minpy info``: the report's contents (the console subcommand is in test_cli.py)."""

from __future__ import annotations

import pathlib
import re
import types

import numpy
import pytest

import minpy
from minpy import backends
from minpy.backends import cupy as cupy_backend
from minpy.backends import register_backend
from minpy.backends.cupy import CupyBackend
from minpy.info import END, START, differentiable_table, report, update_readme
from minpy.info import main as info_main


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


# --------------------------------------------------------------------------------------------
# the README's table of what minpy differentiates

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _rows(table: str) -> dict[str, tuple[set[str], set[str]]]:
    """``{module: (differentiable names, names without a gradient)}`` read back from a table."""
    out = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            yes, no = (set(c.partition(": ")[2].split(", ")) - {""} for c in cells[1:])
            out[cells[0].strip("`")] = (yes, no)
    return out


def test_readme_differentiable_table_is_current() -> None:
    made_with = re.search(r"from NumPy (\S+);", README.read_text())
    if made_with is None or made_with.group(1) != numpy.__version__:
        pytest.skip(f"the README's table was made with another NumPy than {numpy.__version__}")
    assert not update_readme(README, check=True), (
        "README.md's differentiable table is stale; regenerate it with: "
        "python -m minpy.info --differentiable --write README.md"
    )


def test_differentiable_table_sorts_names() -> None:
    rows = _rows(differentiable_table())
    assert {"minpy.numpy", "minpy.numpy.linalg", "minpy.numpy.fft", "minpy.numpy.random"} <= set(
        rows
    )
    yes, no = rows["minpy.numpy"]
    assert {"gradient", "select", "r_", "c_", "einsum", "cross", "column_stack", "exp"} <= yes
    assert {"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis"} <= yes
    assert {"argmax", "isnan", "zeros", "onehot_encode"} <= no
    assert not yes & no
    assert "inv" in rows["minpy.numpy.linalg"][0]
    assert not rows["minpy.numpy.random"][0]  # draws are never traced
    counts = re.findall(r"\| (\d+): ", differentiable_table())
    assert int(counts[0]) == len(yes)


def test_update_readme_writes_checks_and_needs_markers(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "README.md"
    path.write_text(f"# t\n\n{START}\nold\n{END}\n\ntail\n")
    assert update_readme(path, check=True)
    assert "old" in path.read_text()  # check=True leaves the file alone
    assert update_readme(path)
    text = path.read_text()
    assert text.startswith("# t\n\n" + differentiable_table()) and text.endswith("\n\ntail\n")
    assert not update_readme(path)
    path.write_text("no markers\n")
    with pytest.raises(ValueError, match="add the two markers"):
        update_readme(path)


def test_info_main_prints_and_checks(tmp_path, capsys) -> None:
    assert info_main(["--differentiable"]) == 0
    assert capsys.readouterr().out.strip() == differentiable_table()
    path = tmp_path / "README.md"
    path.write_text(f"{START}\n{END}\n")
    assert info_main(["--differentiable", "--check", str(path)]) == 1
    assert "stale" in capsys.readouterr().out
    assert info_main(["--differentiable", "--write", str(path)]) == 0
    assert info_main(["--differentiable", "--check", str(path)]) == 0
