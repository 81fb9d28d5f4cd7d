"""``minpy.jit`` against eager minpy and hand-written NumPy, ratios in one run (the CPU).

- ``simplenet``: the seed's SimpleNet gradient (x 100x100, w 100x3), as in
  ``bench_overhead.py``; target at most 1.5x hand-written NumPy under jit.
- ``mlp``: one 784-512-512-10 training step at batch 256, float32, gradient and in-place SGD
  update jitted together, as in ``bench_mlp.py``; target at most 1.0x.
- ``chain100``: the gradient of 100 elementwise ops on 10 elements; target at most +0.5 us
  per op over NumPy.
- ``trace``: the tracing call itself against an eager call (target at most 3x): SimpleNet's
  gradient, with and without the generated code compiled before, and the MLP step; the peak
  memory (tracemalloc) of a replay against an eager MLP step at batch 4096 (target at most
  1x), and of the tracing call.

``python -m bench.bench_jit`` prints the table (medians); JAX's ``jit`` is a contestant where
JAX is installed.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy

import minpy
import minpy.numpy as mnp
from bench import bench_mlp as bm
from bench import bench_overhead as bo
from minpy.core import grad_and_loss
from minpy.jit import program
from minpy.nn import optim

HAVE_JAX = importlib.util.find_spec("jax") is not None


def median_time(fn: Callable[[], Any], repeats: int = 9) -> float:
    return bo.median_time(fn, repeats=repeats)


def mlp_minpy(batch: int, jit: bool) -> Callable[[], Any]:
    """The MLP step of ``bench_mlp.minpy_step``, optionally jitted (gradient and update)."""
    host, xh, yh = bm.make_data(batch)
    params = [mnp.array(p) for p in host]
    x, y = mnp.array(xh), mnp.array(yh)
    gl = grad_and_loss(bm.minpy_loss)

    def step(x: Any, y: Any) -> Any:
        grads, value = gl(params, x, y)
        for i, g in enumerate(grads):
            optim.sgd(params[i], g, {"learning_rate": bm.LR}, inplace=True)
        return value

    run = minpy.jit(step) if jit else step
    return lambda: run(x, y)


def trace_ratio() -> tuple[float, float, float]:
    """Seconds of one eager SimpleNet gradient and of one tracing call (a fresh jit each),
    warm (the generated source compiled before, as for a second function or a retrace that
    records the same calls) and cold (Python compiles the generated source: a process's first
    trace of this program)."""
    x, w, b, y = bo.simplenet_data()
    xm, wm = mnp.array(x), mnp.array(w)
    g = bo.make_simplenet_minpy()
    eager = median_time(lambda: g(xm, wm, b, y))
    warm, cold = [], []
    for i in range(30):
        if i % 2:
            program._CODE.clear()
        j = minpy.jit(bo.make_simplenet_minpy())
        t0 = time.perf_counter()
        j(xm, wm, b, y)
        (cold if i % 2 else warm).append(time.perf_counter() - t0)
    return eager, statistics.median(warm[1:]), statistics.median(cold)


def jax_simplenet() -> Callable[[], Any] | None:
    if not HAVE_JAX:
        return None
    import jax
    import jax.numpy as jnp

    x, w, b, y = bo.simplenet_data()
    g = jax.jit(jax.grad(bo._simplenet_loss(jnp)))
    xj, wj, yj = jnp.asarray(x), jnp.asarray(w), jnp.asarray(y)
    return lambda: g(xj, wj, b, yj).block_until_ready()


def rows() -> list[tuple[str, str, float]]:
    out: list[tuple[str, str, float]] = []
    x, w, b, y = bo.simplenet_data()
    xm, wm = mnp.array(x), mnp.array(w)
    g, gj = bo.make_simplenet_minpy(), minpy.jit(bo.make_simplenet_minpy())
    out.append(
        (
            "simplenet",
            "numpy (hand-written)",
            median_time(lambda: bo.simplenet_numpy_grad(x, w, b, y)),
        )
    )
    out.append(("simplenet", "minpy eager", median_time(lambda: g(xm, wm, b, y))))
    out.append(("simplenet", "minpy.jit", median_time(lambda: gj(xm, wm, b, y))))
    jx = jax_simplenet()
    if jx is not None:
        out.append(("simplenet", "jax.jit", median_time(jx)))

    xn = numpy.random.RandomState(0).randn(10)
    xc = mnp.array(xn)
    c, cj = bo.make_chain_minpy(), minpy.jit(bo.make_chain_minpy())
    out.append(("chain100", "numpy (hand-written)", median_time(lambda: bo.chain_numpy_grad(xn))))
    out.append(("chain100", "minpy eager", median_time(lambda: c(xc))))
    out.append(("chain100", "minpy.jit", median_time(lambda: cj(xc))))

    out.append(("mlp", "numpy (hand-written)", median_time(bm.numpy_step(bm.BATCH), 5)))
    out.append(("mlp", "minpy eager", median_time(mlp_minpy(bm.BATCH, False), 5)))
    out.append(("mlp", "minpy.jit", median_time(mlp_minpy(bm.BATCH, True), 5)))
    return out


def table() -> str:
    results = rows()
    base = {bench: t for bench, who, t in results if who.startswith("numpy")}
    lines = [f"{'benchmark':<10} {'contestant':<22} {'median':>10} {'vs numpy':>9} {'extra/op':>9}"]
    for bench, who, t in results:
        extra = f"{(t - base[bench]) / bo.N_OPS * 1e6:7.2f}us" if bench == "chain100" else ""
        lines.append(f"{bench:<10} {who:<22} {t * 1e6:>8.1f}us {t / base[bench]:>8.2f}x {extra:>9}")
    eager, warm, cold = trace_ratio()
    lines.append(
        f"tracing call / eager call (SimpleNet gradient): {warm / eager:.2f}x "
        f"({warm * 1e6:.0f} us / {eager * 1e6:.0f} us); with Python compiling the generated "
        f"code (a first trace): {cold / eager:.2f}x ({cold * 1e6:.0f} us)"
    )
    step, traces = mlp_minpy(bm.BATCH, False), []
    eager = median_time(step, 5)
    for _ in range(5):
        run = mlp_minpy(bm.BATCH, True)
        t0 = time.perf_counter()
        run()
        traces.append(time.perf_counter() - t0)
    lines.append(
        f"tracing call / eager call (MLP step, batch {bm.BATCH}): "
        f"{statistics.median(traces) / eager:.2f}x"
    )
    eager_mem = bm.peak_of(mlp_minpy(bm.MEMORY_BATCH, False), warmups=2)
    jit_mem = bm.peak_of(mlp_minpy(bm.MEMORY_BATCH, True), warmups=2)  # a replay
    trace_mem = bm.peak_of(mlp_minpy(bm.MEMORY_BATCH, True), warmups=0)  # the tracing call
    lines.append(
        f"peak memory of a replay / an eager step (MLP, batch {bm.MEMORY_BATCH}): "
        f"{jit_mem / eager_mem:.2f}x ({jit_mem / 2**20:.1f} / {eager_mem / 2**20:.1f} MiB); "
        f"of the tracing call: {trace_mem / eager_mem:.2f}x ({trace_mem / 2**20:.1f} MiB)"
    )
    if not HAVE_JAX:
        lines.append("jax.jit: skipped (JAX not installed)")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
