"""``minpy demo``: the MLP and the CNN trained on scikit-learn's digits reach the accuracies the
issue asked for. Only running the demo needs scikit-learn (its data); this test also needs
matplotlib (``--plot``). Its models alone need neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.slow
def test_minpy_demo_reaches_issue_accuracies(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    import re

    from minpy.cli import main

    assert main(["demo", "--plot", str(tmp_path / "out.png")]) == 0
    out = capsys.readouterr().out
    found = re.search(r"test accuracy: MLP ([\d.]+)%, CNN ([\d.]+)%", out)
    assert found is not None, out
    assert float(found.group(1)) >= 97.0 and float(found.group(2)) >= 98.0
    assert out.count("train acc") == 2  # one table of epochs per model
    assert (tmp_path / "out-mlp.png").exists() and (tmp_path / "out-cnn.png").exists()
