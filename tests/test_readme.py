"""The README's Python code blocks run as written (each in a fresh namespace, in a temporary
folder, since they write files)."""

from __future__ import annotations

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(
    index: int, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = BLOCKS[index]
    # what a block needs beyond minpy: named in it, or used by the Solver it runs
    needs = {
        "sklearn": "sklearn" in code,
        "tqdm": "Solver(" in code,  # the progress bar
        "matplotlib": "plot_history" in code or "matplotlib" in code,
    }
    for module, needed in needs.items():
        if needed:
            pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"README.md block {index}", "exec"), {"__name__": "readme"})
