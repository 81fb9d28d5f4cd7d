"""Benchmark ``op:jacobian``: the Jacobian of a 100-output function, minpy vs HIPS autograd.

Both take one forward pass and one backward pass per output row from the same kept tape
(``minpy.core.jacobian``; HIPS's ``jacobian`` does the same), so the ratio is the cost of a
backward pass in each. A row-per-forward re-run (minpy's old ``jacobian``) is timed as well.

    pytest bench/bench_jacobian.py --benchmark-enable     # pytest-benchmark
    python bench/bench_jacobian.py                        # one table of medians and ratios
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy.numpy as _namespace
from minpy.core import grad, jacobian

mnp: Any = _namespace
OUT, IN = 100, 50


def make_data(seed: int = 0) -> tuple[numpy.ndarray, numpy.ndarray]:
    rs = numpy.random.RandomState(seed)
    return rs.randn(OUT, IN) / IN**0.5, rs.randn(IN)


def model(xp: Any, w: Any, x: Any) -> Any:
    """100 outputs of a small two-layer map."""
    h = xp.tanh(xp.dot(w, x))
    return xp.sin(h) * h + xp.exp(-(h**2))


def minpy_jacobian() -> Callable[[], Any]:
    w, x = make_data()
    wm, xm = mnp.array(w), mnp.array(x)
    jac = jacobian(lambda x: model(mnp, wm, x))
    return lambda: jac(xm)


def minpy_rerun_jacobian() -> Callable[[], Any]:
    """One forward pass per row: what ``jacobian`` did before it kept the tape."""
    w, x = make_data()
    wm, xm = mnp.array(w), mnp.array(x)
    rows = [grad(lambda x, k=k: model(mnp, wm, x)[k]) for k in range(OUT)]
    return lambda: mnp.stack([r(xm) for r in rows])


def autograd_jacobian() -> Callable[[], Any]:
    import autograd
    import autograd.numpy as anp

    w, x = make_data()
    jac = autograd.jacobian(lambda x: model(anp, w, x))
    return lambda: jac(x)


CONTESTANTS: dict[str, Callable[[], Callable[[], Any]]] = {
    "minpy": minpy_jacobian,
    "minpy (forward per row)": minpy_rerun_jacobian,
    "autograd": autograd_jacobian,
}


def _available(name: str) -> str | None:
    if name == "autograd":
        try:
            import autograd  # noqa: F401
        except ImportError:
            return "HIPS autograd is not installed"
    return None


def median_seconds(run: Callable[[], Any], repeat: int = 15) -> float:
    run()  # warm up: routes, caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# pytest-benchmark


@pytest.mark.parametrize("name", list(CONTESTANTS))
def test_jacobian(benchmark: Any, name: str) -> None:
    why = _available(name)
    if why:
        pytest.skip(why)
    benchmark.group = f"op:jacobian {OUT} outputs x {IN} inputs"
    benchmark(CONTESTANTS[name]())


def table(repeat: int = 15) -> str:
    """One table: median seconds per Jacobian and the ratio to HIPS autograd."""
    times = {
        n: median_seconds(make(), repeat) for n, make in CONTESTANTS.items() if not _available(n)
    }
    base = times.get("autograd")
    lines = [
        f"jacobian of a {OUT}-output function of {IN} inputs (median of {repeat})",
        f"{'contestant':<26}{'ms':>10}{'vs autograd':>14}",
    ]
    for n, t in times.items():
        ratio = f"{t / base:.2f}x" if base else "-"
        lines.append(f"{n:<26}{t * 1e3:>10.2f}{ratio:>14}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
