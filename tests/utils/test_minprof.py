"""MinPy's ``minprof``: timed functions and blocks, their op counts, printing and saving."""

from __future__ import annotations

import io
import pathlib
import pickle

import pytest

import minpy.numpy as np
from minpy.utils import minprof as minprof_module
from minpy.utils.minprof import FuncCallProfiler, FuncCallStats, label, read_lines, show_text


def test_decorated_function_is_timed_with_its_op_calls() -> None:
    prof = FuncCallProfiler()

    @prof
    def step(n: int) -> float:
        return float(np.sum(np.ones(n) * 2))

    assert step(3) == 6.0 and step(2) == 4.0
    assert step.__name__ == "step"
    s = prof.get_stats()
    (key,) = [k for k in s.timings if k[2] == "step"]
    assert key[0] == __file__
    runs = s.timings[key]
    assert len(runs) == 2 and all(n == 1 and end >= begin for n, begin, end in runs)
    assert s.ops[key] == 2 * 3  # ones, multiply, sum per call


def test_blocks_are_named_by_label_or_first_line() -> None:
    prof = FuncCallProfiler()
    with prof("setup"):
        np.zeros(2)
    with prof():
        x = np.arange(3.0)  # the first line names the block
    assert x.shape == (3,)
    names = {k[2] for k in prof.get_stats().timings}
    assert "setup" in names
    assert "x = np.arange(3.0)  # the first line names the block..." in names


def test_print_and_dump_stats(tmp_path: pathlib.Path) -> None:
    prof = FuncCallProfiler()
    with prof("block"):
        np.ones(1)
    out = io.StringIO()
    prof.print_stats(out)
    text = out.getvalue()
    assert "ncalls" in text and "tottime" in text and "(block)" in text
    path = tmp_path / "stats.fprof"
    prof.dump_stats(str(path))
    loaded = pickle.loads(path.read_bytes())
    assert isinstance(loaded, FuncCallStats)
    assert [k[2] for k in loaded.timings] == ["block"]


def test_flag_off_leaves_functions_unwrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minprof_module, "MINPROF_FLAG", False)

    def f() -> int:
        return 1

    assert FuncCallProfiler()(f) is f


def test_helpers() -> None:
    assert label("x") == ("~", 0, "x")
    assert label(("a", 1, "b")) == ("a", 1, "b")
    assert label(test_helpers.__code__)[2] == "test_helpers"
    assert read_lines(__file__, 0, 1) == [
        '"""MinPy\'s ``minprof``: timed functions and blocks, '
        'their op counts, printing and saving."""'
    ]
    out = io.StringIO()
    show_text({("f.py", 3, "g"): [(1, 0.0, 0.002), (1, 1.0, 1.002)]}, out)
    line = out.getvalue().splitlines()[-1]
    assert line.split()[:3] == ["2", "4.0000", "2.0000"] and line.endswith("f.py:3(g)")


def test_main_runs_a_script_and_saves(tmp_path: pathlib.Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "train.py"
    script.write_text(
        "import sys\n"
        "import minpy.numpy as np\n"
        "from minpy.utils.minprof import minprof\n"
        "with minprof('work'):\n"
        "    np.ones(int(sys.argv[1]))\n"
    )
    out = tmp_path / "out.fprof"
    # the script imports the module's shared profiler: make it a fresh one for this test
    monkeypatch.setattr(minprof_module, "minprof", FuncCallProfiler())
    minprof_module.main(["-o", str(out), str(script), "4"])
    stats = pickle.loads(out.read_bytes())
    assert [k[2] for k in stats.timings] == ["work"]
