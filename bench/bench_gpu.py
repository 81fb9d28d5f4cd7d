"""GPU benchmarks in plain Python (no pytest needed): one table of medians.

- ``model:mlp``: one training step (forward, backward, SGD) of a 784-512-512-10 ReLU MLP with a
  softmax cross-entropy loss, float32, batch 256 and 4096, on minpy-GPU, minpy-CPU, NumPy by
  hand, PyTorch CUDA eager and CuPy by hand; ratios against NumPy and PyTorch.
- ``overhead:dispatch``: one small minpy operation on the GPU against the raw CuPy call (and,
  for reference, minpy on the CPU against NumPy).
- ``transfer``: host->device and device->host copy rates in GB/s (pageable host memory).

Every timed region ends with the device's synchronize; each timing is a median after warm-up.
Contestants that are not installed (CuPy, a GPU, PyTorch with CUDA) are listed as skipped with
the reason, so the script also runs on CPU-only machines. Run ``python bench/bench_gpu.py``;
``bench/gpu_check.sh`` runs it after the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import minpy
import minpy.numpy as mnp
from minpy.backends import available, get_backend
from minpy.core import grad_and_loss

SIZES = (784, 512, 512, 10)
LR = 0.01
Row = dict[str, Any]


# --------------------------------------------------------------------------------------------
# timing


_deadline = float("inf")  # perf_counter() value after which timings are skipped
OUT_OF_TIME = "skipped: --deadline reached"


def median_time(
    fn: Callable[[], Any], sync: Callable[[], Any], budget: float, warmup: int = 2, inner: int = 1
) -> float | None:
    """Median seconds of one ``fn()`` (``inner`` calls per sample, then ``sync()``).

    None when the run's deadline has passed (the row then says so).
    """
    if time.perf_counter() > _deadline:
        return None
    for _ in range(warmup):
        fn()
    sync()
    samples: list[float] = []
    start = time.perf_counter()
    while len(samples) < 5 or (time.perf_counter() - start < budget and len(samples) < 200):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        sync()
        samples.append((time.perf_counter() - t0) / inner)
    return statistics.median(samples)


def _nothing() -> None:
    return None


# --------------------------------------------------------------------------------------------
# the MLP: the same data and initial weights for every contestant


def mlp_data(batch: int) -> tuple[list[numpy.ndarray], numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.RandomState(0)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.randn(n_in, n_out) * numpy.sqrt(2.0 / n_in)).astype(numpy.float32))
        params.append(numpy.zeros(n_out, dtype=numpy.float32))
    x = rng.rand(batch, SIZES[0]).astype(numpy.float32)
    onehot = numpy.eye(SIZES[-1], dtype=numpy.float32)[rng.randint(0, SIZES[-1], size=batch)]
    return params, x, onehot


def raw_step(xp: Any, params: list[Any], x: Any, y: Any) -> Any:
    """Forward, hand-written backward and SGD with array module ``xp`` (NumPy or CuPy)."""
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    a1 = x @ w1 + b1
    h1 = xp.maximum(a1, 0)
    a2 = h1 @ w2 + b2
    h2 = xp.maximum(a2, 0)
    s = h2 @ w3 + b3
    s = s - s.max(axis=1, keepdims=True)
    e = xp.exp(s)
    z = e.sum(axis=1, keepdims=True)
    loss = -(y * (s - xp.log(z))).sum() / n
    ds = (e / z - y) / n
    dw3 = h2.T @ ds
    db3 = ds.sum(axis=0)
    dh2 = ds @ w3.T
    dh2 *= a2 > 0
    dw2 = h1.T @ dh2
    db2 = dh2.sum(axis=0)
    dh1 = dh2 @ w2.T
    dh1 *= a1 > 0
    dw1 = x.T @ dh1
    db1 = dh1.sum(axis=0)
    for p, g in zip(params, (dw1, db1, dw2, db2, dw3, db3)):
        p -= LR * g
    return loss


def minpy_loss(w1: Any, b1: Any, w2: Any, b2: Any, w3: Any, b3: Any, x: Any, y: Any) -> Any:
    """The MLP's softmax cross-entropy, in minpy operations."""
    h1 = mnp.maximum(mnp.dot(x, w1) + b1, 0)
    h2 = mnp.maximum(mnp.dot(h1, w2) + b2, 0)
    s = mnp.dot(h2, w3) + b3
    s = s - mnp.max(s, axis=1, keepdims=True)
    logp = s - mnp.log(mnp.sum(mnp.exp(s), axis=1, keepdims=True))
    return -mnp.sum(y * logp) / x.shape[0]


_minpy_step_fn = grad_and_loss(minpy_loss, [0, 1, 2, 3, 4, 5])


def minpy_step(params: list[Any], x: Any, y: Any) -> Any:
    grads, loss = _minpy_step_fn(*params, x, y)
    for p, g in zip(params, grads):
        p -= LR * g
    return loss


def jit_step(params: list[Any]) -> Any:
    """``minpy_step`` on ``params`` (read from outside, updated in place) under minpy.jit."""
    return minpy.jit(lambda x, y: minpy_step(params, x, y))


def torch_graph_step(torch: Any, params: list[Any], x: Any, y: Any) -> Any:
    """The PyTorch step captured as a CUDA graph (static x, y; the usual warm-up first)."""
    static_x, static_y = x.clone(), y.clone()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            torch_step(torch, params, static_x, static_y)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        loss = torch_step(torch, params, static_x, static_y)

    def run() -> Any:
        static_x.copy_(x)
        static_y.copy_(y)
        graph.replay()
        return loss

    return run


def torch_step(torch: Any, params: list[Any], x: Any, y: Any) -> Any:
    w1, b1, w2, b2, w3, b3 = params
    h1 = torch.relu(x @ w1 + b1)
    h2 = torch.relu(h1 @ w2 + b2)
    logp = torch.log_softmax(h2 @ w3 + b3, dim=1)
    loss = -(y * logp).sum() / x.shape[0]
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= LR * p.grad
    return loss


# --------------------------------------------------------------------------------------------
# contestants


def gpu_reason() -> str:
    ok, why = available("gpu")
    return "" if ok else why


def skipped(why: str) -> str:
    """The note of a skipped row; a long reason is printed once, under the table."""
    if len(why) <= 60:
        return f"skipped: {why}"
    if why not in _FOOTNOTES:
        _FOOTNOTES.append(why)
    return f"skipped: see [{_FOOTNOTES.index(why) + 1}] below"


_FOOTNOTES: list[str] = []


def torch_cuda() -> tuple[Any, str]:
    try:
        import torch
    except ImportError:
        return None, "PyTorch is not installed"
    if not torch.cuda.is_available():
        return None, f"PyTorch {torch.__version__} sees no CUDA device"
    return torch, ""


def bench_mlp(batch: int, budget: float) -> list[Row]:
    params, x, y = mlp_data(batch)
    rows: list[Row] = []
    group = f"model:mlp batch={batch}"

    def add(name: str, seconds: float | None, note: str = "") -> None:
        if seconds is None and not note:
            note = OUT_OF_TIME
        rows.append({"group": group, "name": name, "seconds": seconds, "note": note})

    # NumPy by hand
    p = [a.copy() for a in params]
    add("numpy (hand-written)", median_time(lambda: raw_step(numpy, p, x, y), _nothing, budget))

    # minpy on the CPU
    cpu_params = [mnp.array(a) for a in params]
    cx, cy = mnp.array(x), mnp.array(y)
    add(
        "minpy cpu",
        median_time(lambda: minpy_step(cpu_params, cx, cy), _nothing, budget),
    )
    cpu_jit = jit_step([mnp.array(a) for a in params])
    add("minpy cpu jit", median_time(lambda: cpu_jit(cx, cy), _nothing, budget))

    why = gpu_reason()
    if why:
        add("minpy gpu", None, skipped(why))
        add("minpy gpu jit", None, skipped(why))
        add("cupy (hand-written)", None, skipped(why))
    else:
        gpu = minpy.gpu(0)
        cupy = get_backend("gpu").xp
        sync = gpu.synchronize
        gp = [mnp.array(a, device=gpu) for a in params]
        gx, gy = mnp.array(x, device=gpu), mnp.array(y, device=gpu)
        add("minpy gpu", median_time(lambda: minpy_step(gp, gx, gy), sync, budget, warmup=3))
        jp = [mnp.array(a, device=gpu) for a in params]
        step = jit_step(jp)
        t_jit = median_time(lambda: step(gx, gy), sync, budget, warmup=3)
        s = minpy.jit.stats().get(step.name, {})
        progs = step.programs()
        add(
            "minpy gpu jit",
            t_jit,
            f"{len(progs[0]) if progs else '?'} program calls/step, graph launches "
            f"{s.get('graph_launches', 0)}, eager {s.get('eager', 0)}",
        )
        rp = [cupy.asarray(a) for a in params]
        rx, ry = cupy.asarray(x), cupy.asarray(y)
        add(
            "cupy (hand-written)",
            median_time(lambda: raw_step(cupy, rp, rx, ry), sync, budget, warmup=3),
        )

    torch, why_torch = torch_cuda()
    if torch is None:
        add("pytorch cuda eager", None, skipped(why_torch))
    else:
        dev = torch.device("cuda:0")
        tp = [torch.tensor(a, device=dev, requires_grad=True) for a in params]
        tx, ty = torch.tensor(x, device=dev), torch.tensor(y, device=dev)
        add(
            "pytorch cuda eager",
            median_time(lambda: torch_step(torch, tp, tx, ty), torch.cuda.synchronize, budget, 3),
        )
        try:
            gstep = torch_graph_step(torch, tp, tx, ty)
            add(
                "pytorch cuda graph",
                median_time(gstep, torch.cuda.synchronize, budget, 3),
            )
        except Exception as exc:  # older PyTorch, or a capture it refuses
            add("pytorch cuda graph", None, f"not captured: {type(exc).__name__}: {exc}")
    return rows


def bench_overhead(budget: float) -> list[Row]:
    rows: list[Row] = []
    group = "overhead:dispatch add(8 floats)"
    inner = 200
    a, b = numpy.ones(8, dtype=numpy.float32), numpy.ones(8, dtype=numpy.float32)
    ma, mb = mnp.array(a), mnp.array(b)
    t_np = median_time(lambda: numpy.add(a, b), _nothing, budget, inner=inner)
    t_mc = median_time(lambda: mnp.add(ma, mb), _nothing, budget, inner=inner)
    rows.append({"group": group, "name": "numpy.add", "seconds": t_np, "note": _note(t_np)})
    extra = f"+{(t_mc - t_np) * 1e6:.2f} us over numpy" if t_mc and t_np else _note(t_mc)
    rows.append({"group": group, "name": "minpy cpu add", "seconds": t_mc, "note": extra})
    why = gpu_reason()
    if why:
        for name in ("cupy.add", "minpy gpu add"):
            rows.append({"group": group, "name": name, "seconds": None, "note": skipped(why)})
        return rows
    gpu = minpy.gpu(0)
    cupy = get_backend("gpu").xp
    ca, cb = cupy.asarray(a), cupy.asarray(b)
    ga, gb = mnp.array(a, device=gpu), mnp.array(b, device=gpu)
    sync = gpu.synchronize
    t_cp = median_time(lambda: cupy.add(ca, cb), sync, budget, warmup=20, inner=inner)
    t_mg = median_time(lambda: mnp.add(ga, gb), sync, budget, warmup=20, inner=inner)
    rows.append({"group": group, "name": "cupy.add", "seconds": t_cp, "note": _note(t_cp)})
    note = _note(t_mg)
    if t_mg is not None and t_cp is not None:
        over = (t_mg - t_cp) * 1e6
        verdict = "met" if over <= 5 else "MISSED"
        note = f"+{over:.2f} us over cupy (target <= 5 us: {verdict})"
    rows.append({"group": group, "name": "minpy gpu add", "seconds": t_mg, "note": note})
    return rows


def bench_transfer(budget: float, mib: int = 64) -> list[Row]:
    rows: list[Row] = []
    group = f"transfer {mib} MiB float32"
    why = gpu_reason()
    if why:
        for name in ("host->device", "device->host"):
            rows.append({"group": group, "name": name, "seconds": None, "note": skipped(why)})
        return rows
    gpu = minpy.gpu(0)
    host = numpy.ones(mib * 2**20 // 4, dtype=numpy.float32)
    x = mnp.array(host)
    on_gpu = x.to_device(gpu)
    sync = gpu.synchronize
    t_h2d = median_time(lambda: x.to_device(gpu), sync, budget)
    t_d2h = median_time(lambda: on_gpu.to_device(minpy.cpu()), sync, budget)
    for name, t in (("host->device", t_h2d), ("device->host", t_d2h)):
        note = f"{host.nbytes / t / 1e9:.2f} GB/s" if t else OUT_OF_TIME
        rows.append({"group": group, "name": name, "seconds": t, "note": note})
    return rows


# --------------------------------------------------------------------------------------------
# the table


def _note(seconds: float | None) -> str:
    return "" if seconds is not None else OUT_OF_TIME


def _fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 1e-1:
        return f"{s * 1e3:.0f} ms"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.2f} us"


def _ratios(rows: list[Row]) -> None:
    """Add speed-ups against NumPy and PyTorch within each MLP group (higher is faster)."""
    for group in {r["group"] for r in rows if r["group"].startswith("model:")}:
        members = {r["name"]: r for r in rows if r["group"] == group}
        base = members.get("numpy (hand-written)", {}).get("seconds")
        ref = members.get("pytorch cuda eager", {}).get("seconds")
        for r in members.values():
            s = r["seconds"]
            if s is None:
                continue
            r["vs_numpy"] = f"{base / s:.2f}x" if base else "-"
            r["vs_torch"] = f"{ref / s:.2f}x" if ref else "-"
        mj = members.get("minpy gpu jit", {}).get("seconds")
        if mj and ref:
            target = "0.8x" if group.endswith("batch=256") else "1.1x"
            note = f"; {mj / ref:.2f}x pytorch time (target <= {target})"
            members["minpy gpu jit"]["note"] += note
        mg = members.get("minpy gpu", {}).get("seconds")
        if mg and group.endswith("batch=4096"):
            notes = []
            if base:
                notes.append(f"{base / mg:.1f}x numpy (target >= 10x)")
            if ref:
                notes.append(f"{mg / ref:.2f}x pytorch time (target <= 1.3x)")
            members["minpy gpu"]["note"] = "; ".join(notes)


def render(rows: list[Row], tests: str | None = None) -> str:
    head = ("group", "contestant", "median", "vs numpy", "vs pytorch", "note")
    body = []
    if tests is not None:
        body.append(("tests", "pytest MINPY_REQUIRE_GPU=1", "-", "-", "-", tests))
    for r in rows:
        body.append(
            (
                r["group"],
                r["name"],
                _fmt_time(r["seconds"]),
                r.get("vs_numpy", "-"),
                r.get("vs_torch", "-"),
                r["note"],
            )
        )
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head) - 1)]
    lines = []
    for row in [head, *body]:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    lines += [f"[{i}] {why}" for i, why in enumerate(_FOOTNOTES, start=1)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of samples per timing")
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 4096])
    parser.add_argument("--tests", default=None, help="a test-suite summary to show as a row")
    parser.add_argument(
        "--deadline", type=float, default=None, help="skip timings that would start after this"
    )
    args = parser.parse_args(argv)
    global _deadline
    if args.deadline is not None:
        _deadline = time.perf_counter() + args.deadline
    rows: list[Row] = []
    for batch in args.batches:
        rows += bench_mlp(batch, args.budget)
    rows += bench_overhead(args.budget)
    rows += bench_transfer(args.budget)
    _ratios(rows)
    print(render(rows, args.tests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
