"""Benchmark ``model:mlp``: one training step of a 784-512-512-10 ReLU MLP (float32, batch 256).

Compared in one run: minpy (``minpy.nn.layers`` + ``grad_and_loss`` + ``optim.sgd``), a
hand-written NumPy forward + backward + SGD, HIPS autograd, and PyTorch on the CPU (when
installed). Also the peak memory of one gradient at batch 4096 relative to hand-written NumPy,
measured with ``tracemalloc`` (NumPy reports its buffers to it); PyTorch's allocator does not,
so it is left out of the memory table.

    pytest bench/bench_mlp.py --benchmark-enable     # pytest-benchmark
    python bench/bench_mlp.py                        # one table of medians and ratios
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy.numpy as _namespace
from minpy.core import grad_and_loss
from minpy.nn import layers, optim

mnp: Any = _namespace

SIZES = (784, 512, 512, 10)
BATCH = 256
MEMORY_BATCH = 4096
LR = 1e-3


def make_data(
    batch: int, seed: int = 0
) -> tuple[list[numpy.ndarray], numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.RandomState(seed)
    params = []
    for m, n in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.randn(m, n) * numpy.sqrt(2.0 / m)).astype(numpy.float32))
        params.append(numpy.zeros(n, dtype=numpy.float32))
    x = rng.rand(batch, SIZES[0]).astype(numpy.float32)
    y = rng.randint(0, SIZES[-1], batch)
    return params, x, y


# --------------------------------------------------------------------------------------------
# the four implementations: each returns step() -> loss (one forward, backward and SGD update)


def minpy_loss(params: list[Any], x: Any, y: Any) -> Any:
    """The MLP's loss in ``minpy.nn.layers``."""
    w1, b1, w2, b2, w3, b3 = params
    h = layers.relu(layers.affine(x, w1, b1))
    h = layers.relu(layers.affine(h, w2, b2))
    return layers.softmax_loss(layers.affine(h, w3, b3), y)


def minpy_step(batch: int) -> Callable[[], Any]:
    host, xh, yh = make_data(batch)
    params = [mnp.array(p) for p in host]
    x, y = mnp.array(xh), mnp.array(yh)
    step = grad_and_loss(minpy_loss)
    configs: list[dict[str, Any]] = [{"learning_rate": LR} for _ in params]

    def run() -> Any:
        grads, value = step(params, x, y)
        for i, g in enumerate(grads):
            # in place, as the Solver updates and as the hand-written steps do (w -= lr * g)
            params[i], configs[i] = optim.sgd(params[i], g, configs[i], inplace=True)
        return value

    return run


def numpy_step(batch: int) -> Callable[[], Any]:
    params, x, y = make_data(batch)
    n = x.shape[0]

    def run() -> Any:
        w1, b1, w2, b2, w3, b3 = params
        a1 = x @ w1 + b1
        h1 = numpy.maximum(a1, 0)
        a2 = h1 @ w2 + b2
        h2 = numpy.maximum(a2, 0)
        s = h2 @ w3 + b3
        s = s - s.max(axis=1, keepdims=True)
        e = numpy.exp(s)
        p = e / e.sum(axis=1, keepdims=True)
        value = -numpy.log(p[numpy.arange(n), y]).mean()
        ds = p
        ds[numpy.arange(n), y] -= 1
        ds /= n
        dw3, db3 = h2.T @ ds, ds.sum(0)
        dh2 = ds @ w3.T
        dh2 *= a2 > 0
        dw2, db2 = h1.T @ dh2, dh2.sum(0)
        dh1 = dh2 @ w2.T
        dh1 *= a1 > 0
        dw1, db1 = x.T @ dh1, dh1.sum(0)
        for w, g in zip(params, (dw1, db1, dw2, db2, dw3, db3)):
            w -= LR * g
        return value

    return run


def autograd_step(batch: int) -> Callable[[], Any]:
    import autograd
    import autograd.numpy as anp

    params, x, y = make_data(batch)
    onehot = numpy.eye(SIZES[-1], dtype=numpy.float32)[y]

    def loss(params: list[Any]) -> Any:
        w1, b1, w2, b2, w3, b3 = params
        h = anp.maximum(anp.dot(x, w1) + b1, 0)
        h = anp.maximum(anp.dot(h, w2) + b2, 0)
        s = anp.dot(h, w3) + b3
        s = s - anp.max(s, axis=1, keepdims=True)
        logp = s - anp.log(anp.sum(anp.exp(s), axis=1, keepdims=True))
        return -anp.sum(logp * onehot) / x.shape[0]

    step = autograd.value_and_grad(loss)

    def run() -> Any:
        value, grads = step(params)
        for w, g in zip(params, grads):
            w -= LR * g
        return value

    return run


def torch_step(batch: int) -> Callable[[], Any]:
    import torch

    host, xh, yh = make_data(batch)
    params = [torch.tensor(p, requires_grad=True) for p in host]
    x, y = torch.tensor(xh), torch.tensor(yh)

    def run() -> Any:
        w1, b1, w2, b2, w3, b3 = params
        h = torch.relu(x @ w1 + b1)
        h = torch.relu(h @ w2 + b2)
        value = torch.nn.functional.cross_entropy(h @ w3 + b3, y)
        value.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        return value

    return run


def _available(name: str) -> str | None:
    try:
        __import__(name)
    except ImportError as exc:
        return f"{name} is not installed ({exc})"
    return None


IMPLS: dict[str, tuple[Callable[[int], Callable[[], Any]], str | None]] = {
    "numpy (hand-written)": (numpy_step, None),
    "minpy": (minpy_step, None),
    "autograd (HIPS)": (autograd_step, "autograd"),
    "torch (CPU)": (torch_step, "torch"),
}


# --------------------------------------------------------------------------------------------
# pytest-benchmark


@pytest.mark.parametrize("name", list(IMPLS))
def test_mlp_step(benchmark: Any, name: str) -> None:
    make, module = IMPLS[name]
    if module and (why := _available(module)):
        pytest.skip(why)
    benchmark.group = "model:mlp step 784-512-512-10 batch 256"
    run = make(BATCH)
    for _ in range(3):
        run()  # warm up
    benchmark(run)


def peak_bytes(name: str, batch: int = MEMORY_BATCH) -> int:
    """Peak bytes traced by tracemalloc during one step, beyond what the setup holds."""
    make, _ = IMPLS[name]
    return peak_of(make(batch))


def peak_of(run: Callable[[], Any], warmups: int = 1) -> int:
    """Peak bytes tracemalloc sees during one call of ``run``, after ``warmups`` calls (caches
    and routes are built outside the measured call)."""
    for _ in range(warmups):
        run()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


@pytest.mark.parametrize("name", [n for n in IMPLS if n != "torch (CPU)"])
def test_mlp_gradient_peak_memory(name: str) -> None:
    _, module = IMPLS[name]
    if module and (why := _available(module)):
        pytest.skip(why)
    assert peak_bytes(name) > 0


# --------------------------------------------------------------------------------------------
# table mode


def median_seconds(run: Callable[[], Any], repeat: int = 30, warmup: int = 5) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Print one table: step time medians, ratios to NumPy, peak memory ratios."""
    import os

    threads = os.environ.get("OMP_NUM_THREADS", "default")
    print(
        f"model:mlp  784-512-512-10 ReLU, float32, SGD step at batch {BATCH}; peak memory of "
        f"one step at batch {MEMORY_BATCH} (tracemalloc); numpy {numpy.__version__}, "
        f"OMP_NUM_THREADS={threads}, {os.cpu_count()} CPUs"
    )
    rows = []
    for name, (make, module) in IMPLS.items():
        if module and (why := _available(module)):
            rows.append((name, None, None, why))
            continue
        t = median_seconds(make(BATCH))
        mem = None if name.startswith("torch") else peak_bytes(name)
        rows.append((name, t, mem, None))
    base_t = rows[0][1]
    base_m = rows[0][2]
    print(f"{'implementation':<22} {'median ms':>10} {'x numpy':>8} {'peak MiB':>9} {'x numpy':>8}")
    for name, t, mem, why in rows:
        if t is None:
            print(f"{name:<22} skipped: {why}")
            continue
        mem_text = (
            f"{mem / 2**20:>9.1f} {mem / base_m:>8.2f}"
            if mem is not None and base_m
            else f"{'n/a':>9} {'(not seen by tracemalloc)':>8}"
        )
        print(f"{name:<22} {t * 1e3:>10.2f} {t / base_t:>8.2f} {mem_text}")


if __name__ == "__main__":
    main()
