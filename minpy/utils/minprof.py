"""MinPy's ``minprof``: a wall-clock profiler of chosen functions and blocks.

``@minprof`` (or ``minprof(func)``) times every call of a function; ``with minprof():`` or
``with minprof("label"):`` times a block (unlabelled, the block's first line names it);
``minprof.print_stats()`` prints calls, total and per-call milliseconds, and how many minpy
primitive calls ran inside (from the op statistics, ``minpy.stats``). Times come from
``time.perf_counter``; when the current device is an accelerator it is synchronised at both ends
of each timed region, so queued GPU work is counted where it was issued.

``python -m minpy.utils.minprof [-o FILE] [-v] script.py [args]`` runs a script and saves what its
``minprof`` uses recorded (``-o`` names the file, ``-v`` prints it too).
"""

from __future__ import annotations

import argparse
import functools
import linecache
import os
import pickle
import runpy
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from minpy import stats as _stats
from minpy.context import current_context

__all__ = [
    "MINPROF_FLAG",
    "FuncCallProfiler",
    "FuncCallStats",
    "find_script",
    "label",
    "main",
    "minprof",
    "read_lines",
    "show_func",
    "show_text",
]

#: when False, ``@minprof`` returns the function unwrapped (no timing at all)
MINPROF_FLAG = True

Code = tuple[str, int, str]  # (file, first line, name)
Timing = tuple[int, float, float]  # (1, begin, end) in seconds of time.perf_counter


def label(code: Any) -> Code:
    """``(file, first line, name)`` of a code object, a label string or such a tuple."""
    if isinstance(code, str):
        return ("~", 0, code)
    if isinstance(code, tuple):
        return code
    return (code.co_filename, code.co_firstlineno, code.co_name)


def read_lines(filename: str, begin_lineno: int, end_lineno: int) -> list[str]:
    """Lines ``begin_lineno + 1`` to ``end_lineno`` of a file (1-based), right-stripped."""
    return [
        linecache.getline(filename, n).rstrip() for n in range(begin_lineno + 1, end_lineno + 1)
    ]


def _sync() -> None:
    dev = current_context()
    if dev.kind != "cpu":
        dev.synchronize()


def _op_calls() -> int:
    return _stats.stats().total("calls")


class FuncCallStats:
    """What a profiler recorded: ``timings`` ``{(file, line, name): [(1, begin, end), ...]}``
    and ``ops`` ``{(file, line, name): primitive calls inside}``."""

    def __init__(self, timings: dict[Code, list[Timing]], ops: dict[Code, int] | None = None):
        self.timings = timings
        self.ops = {} if ops is None else ops


class _Timer:
    """A ``with minprof(...)`` block."""

    def __init__(self, profiler: FuncCallProfiler, info: str | None = None) -> None:
        self.profiler = profiler
        self.info = info

    def __enter__(self) -> _Timer:
        frame = sys._getframe(1)
        self.code: Code = (frame.f_code.co_filename, frame.f_lineno, self.info or "")
        if self.info is None:  # the block's first line names it
            first = linecache.getline(frame.f_code.co_filename, frame.f_lineno + 1).strip()
            self.code = (self.code[0], self.code[1], first + "...")
        _sync()
        self.ops = _op_calls()
        self.begin = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        _sync()
        end = time.perf_counter()
        self.profiler.record(self.code, self.begin, end, _op_calls() - self.ops)


class FuncCallProfiler:
    """Times functions and blocks (MinPy's class; ``minprof`` is its shared instance)."""

    def __init__(self, *funcs: Callable[..., Any]) -> None:
        self.code_map: dict[Code, list[Timing]] = {}
        self.op_map: dict[Code, int] = {}
        for func in funcs:
            self.add_function(func)

    def __call__(self, func: Callable[..., Any] | str | None = None) -> Any:
        """``minprof(func)``: the timed function; ``minprof()``/``minprof("label")``: a block."""
        if func is None or isinstance(func, str):
            return _Timer(self, func)
        self.add_function(func)
        return self.wrap_function(func)

    def record(self, code: Code, begin: float, end: float, ops: int = 0) -> None:
        """Add one timed run of ``code`` and the primitive calls it made."""
        self.code_map.setdefault(code, []).append((1, begin, end))
        self.op_map[code] = self.op_map.get(code, 0) + ops

    def extract_code(self, func: Callable[..., Any], stackdepth: int = 1) -> Code:
        """``(file, line, name)`` of ``func``, or of the caller ``stackdepth`` frames up."""
        code = getattr(func, "__code__", None)
        if code is not None:
            return label(code)
        frame = sys._getframe(stackdepth)
        return (frame.f_code.co_filename, frame.f_lineno, getattr(func, "__name__", repr(func)))

    def add_function(self, func: Callable[..., Any]) -> None:
        """List ``func`` in the statistics (with no calls yet)."""
        self.code_map.setdefault(self.extract_code(func, 2), [])

    def wrap_function(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` timed at every call (``func`` itself when ``MINPROF_FLAG`` is False)."""
        if not MINPROF_FLAG:
            return func
        code = self.extract_code(func, 2)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _sync()
            ops = _op_calls()
            begin = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                _sync()
                self.record(code, begin, time.perf_counter(), _op_calls() - ops)

        return wrapper

    def get_stats(self) -> FuncCallStats:
        """A snapshot of the statistics."""
        timings = {label(c): list(t) for c, t in self.code_map.items()}
        return FuncCallStats(timings, dict(self.op_map))

    def print_stats(self, stream: TextIO | None = None) -> None:
        """Print calls, total and per-call milliseconds and primitive calls, per entry."""
        s = self.get_stats()
        show_text(s.timings, stream, s.ops)

    def dump_stats(self, filename: str) -> None:
        """Pickle ``get_stats()`` into ``filename``."""
        with open(filename, "wb") as f:
            pickle.dump(self.get_stats(), f, pickle.HIGHEST_PROTOCOL)

    def runctx(self, cmd: str, globals_env: dict[str, Any], locals_env: Any) -> None:
        """Execute ``cmd`` in those namespaces (what ``minprof`` calls inside it is timed)."""
        exec(cmd, globals_env, locals_env)


def show_func(
    filename: str,
    first_lineno: int,
    func_name: str,
    timings: list[Timing],
    stream: TextIO | None = None,
    ops: int = 0,
) -> None:
    """Print one entry: calls, total ms, per-call ms, primitive calls, where."""
    if not timings:
        return
    stream = sys.stdout if stream is None else stream
    total = sum(end - begin for _, begin, end in timings)
    n = len(timings)
    if len(filename) > 40:
        filename = "..." + filename[-40:]
    where = f"{filename}:{first_lineno}({func_name})"
    stream.write(f"{n:10d} {total * 1000:12.4f} {total * 1000 / n:12.4f} {ops:10d}    {where}\n")


def show_text(
    stats: dict[Code, list[Timing]],
    stream: TextIO | None = None,
    ops: dict[Code, int] | None = None,
) -> None:
    """Print a table of ``stats`` (``FuncCallStats.timings``), in milliseconds."""
    stream = sys.stdout if stream is None else stream
    ops = {} if ops is None else ops
    stream.write(f"minprof (MINPROF_FLAG {MINPROF_FLAG}), times in ms (time.perf_counter)\n")
    head = ("ncalls", "tottime", "percall", "ops", "filename:lineno(function)")
    stream.write(f"{head[0]:>10} {head[1]:>12} {head[2]:>12} {head[3]:>10}    {head[4]}\n")
    for code in sorted(stats):
        show_func(*code, stats[code], stream=stream, ops=ops.get(code, 0))


def find_script(script_name: str) -> str:
    """``script_name`` if it is a file, else the first match on ``$PATH``."""
    if os.path.isfile(script_name):
        return script_name
    for d in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(d, script_name)
        if d and os.path.isfile(path):
            return path
    raise SystemExit(f"minprof: cannot find the script {script_name!r} (nor on $PATH)")


#: the shared profiler: ``@minprof``, ``with minprof():``, ``minprof.print_stats()``
minprof = FuncCallProfiler()


def main(args: list[str] | None = None) -> None:
    """Run a script whose ``minprof`` uses are recorded; save (and with ``-v`` print) them."""
    parser = argparse.ArgumentParser(prog="python -m minpy.utils.minprof")
    parser.add_argument("script")
    parser.add_argument("script_args", nargs=argparse.REMAINDER)
    parser.add_argument("-o", "--outfile", help="save the statistics here (<script>.fprof)")
    parser.add_argument("-v", "--view", action="store_true", help="also print them")
    opts = parser.parse_args(args)
    script = find_script(opts.script)
    outfile = opts.outfile or os.path.basename(script) + ".fprof"
    argv = sys.argv
    sys.argv = [script, *opts.script_args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        sys.argv = argv
        sys.path.pop(0)
        minprof.dump_stats(outfile)
        print(f"minprof: wrote the statistics to {outfile}")
        if opts.view:
            minprof.print_stats()


if __name__ == "__main__":
    main()
