"""Benchmark ``model:distributed``: data-parallel steps and allreduce bandwidth at 1 and 2 ranks.

``python bench/bench_distributed.py`` launches itself under ``mpiexec -n 1`` and ``-n 2`` (it
needs ``pip install "minpy[mpi]"``) and prints one table:

- ``step``: one training step of a 64-512-512-10 MLP on a global batch of 256 (each of n ranks
  takes 256/n examples): forward, backward, ``average_gradients`` (bucketed), SGD update;
- ``allreduce 4 MiB`` / ``64 MiB``: one float32 buffer; bus bandwidth as NCCL counts it,
  ``2 (n-1)/n * bytes / time``;
- ``80 grads, bucketed`` vs ``80 grads, one each``: the same 80 small gradients (1.3 MiB in
  all) in 25 MiB buckets (one reduction) or one reduction per array (``bucket_bytes=0``).

Medians of timed repetitions after a warm-up, with every rank in step (a barrier first). On a
machine with fewer cores than ranks times threads the 2-rank numbers measure contention too.
With ``--device gpu`` each rank uses ``gpu(local_rank)`` and NCCL (``bench/gpu_check.sh``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _median_time(fn: Callable[[], Any], reps: int, sync: Callable[[], None]) -> float:
    import minpy.distributed as dist

    fn()
    sync()
    times = []
    for _ in range(reps):
        dist.barrier()
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    # the slowest rank decides a data-parallel step
    return float(max(dist.allgather_object(statistics.median(times))))


def worker(device_kind: str, reps: int) -> None:
    """Run the measurements in this rank; rank 0 prints one JSON line."""
    import minpy
    import minpy.distributed as dist
    import minpy.numpy as np
    from minpy.core import grad_and_loss
    from minpy.nn import layers, optim

    device = dist.init(None if device_kind == "gpu" else minpy.cpu())
    n, r = dist.size(), dist.rank()
    backend = device.backend

    def sync() -> None:
        backend.synchronize(device)

    rows: dict[str, Any] = {"ranks": n, "device": str(device), "nccl": dist_nccl()}
    rng = numpy.random.RandomState(0)
    sizes = [64, 512, 512, 10]
    params = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"w{i}"] = np.asarray(rng.randn(a, b).astype("float32") * 0.05)
        params[f"b{i}"] = np.zeros(b, dtype="float32")
    X = rng.rand(256, 64).astype("float32")
    y = rng.randint(0, 10, 256)
    k = 256 // n
    Xs, ys = np.asarray(X[r * k : (r + 1) * k]), np.asarray(y[r * k : (r + 1) * k])

    def loss_fn(p: dict[str, Any], X: Any, y: Any) -> Any:
        h = X
        for i in range(3):
            h = layers.affine(h, p[f"w{i}"], p[f"b{i}"])
            if i < 2:
                h = layers.relu(h)
        return layers.softmax_loss(h, y)

    step_grad = grad_and_loss(loss_fn)

    def step() -> None:
        grads, loss = step_grad(params, Xs, ys)
        dist.average_gradients(grads, loss)
        for name, w in params.items():
            optim.sgd(w, grads[name], {"learning_rate": 1e-3}, inplace=True)

    rows["step_ms"] = _median_time(step, reps, sync) * 1e3
    for mib in (4, 64):
        buf = np.zeros(mib * 2**18, dtype="float32")
        t = _median_time(lambda buf=buf: dist.allreduce(buf), max(3, reps // 4), sync)
        rows[f"ar{mib}_ms"] = t * 1e3
        rows[f"ar{mib}_gbs"] = (2 * (n - 1) / n * buf.nbytes / t / 1e9) if n > 1 else None
    grads = [np.asarray(rng.randn(4096).astype("float32")) for _ in range(80)]
    rows["bucketed_ms"] = _median_time(lambda: dist.allreduce(grads), reps, sync) * 1e3
    rows["each_ms"] = _median_time(lambda: dist.allreduce(grads, bucket_bytes=0), reps, sync) * 1e3
    if r == 0:
        print("RESULT " + json.dumps(rows), flush=True)
    dist.finalize()


def dist_nccl() -> bool:
    """Whether this rank reduces its device arrays with NCCL."""
    from minpy.distributed.world import world

    return world().nccl is not None


def _launch(n: int, device: str, reps: int) -> dict[str, Any]:
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep
                           + os.environ.get("PATH", ""))  # fmt: skip
    if mpiexec is None:
        raise SystemExit('no mpiexec on PATH; pip install "minpy[mpi]"')
    cmd = [mpiexec, "-n", str(n)]
    version = subprocess.run([mpiexec, "--version"], capture_output=True, text=True).stdout
    if "Open MPI" in version or "prte" in version.lower():
        cmd.append("--oversubscribe")
        if os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
    cmd += [sys.executable, os.path.abspath(__file__), "--worker", "--device", device,
            "--reps", str(reps)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")  # one BLAS thread per rank, or ranks fight for the cores
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")


def _fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--ranks", default="1,2", help="comma-separated world sizes")
    args = parser.parse_args()
    if args.worker:
        worker(args.device, args.reps)
        return
    results = [_launch(int(n), args.device, args.reps) for n in args.ranks.split(",")]
    print(f"model:distributed on {os.cpu_count()} cores ({args.device}; medians, ms)")
    print("| ranks | device | step (batch 256) | allreduce 4 MiB | GB/s | allreduce 64 MiB "
          "| GB/s | 80 grads bucketed | 80 grads one each |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for row in results:
        print(
            f"| {row['ranks']} | {row['device']}{' nccl' if row['nccl'] else ''} "
            f"| {row['step_ms']:.2f} | {row['ar4_ms']:.2f} | {_fmt(row['ar4_gbs'], '.2f')} "
            f"| {row['ar64_ms']:.2f} | {_fmt(row['ar64_gbs'], '.2f')} "
            f"| {row['bucketed_ms']:.3f} | {row['each_ms']:.3f} |"
        )
    base = results[0]["step_ms"]
    for row in results[1:]:
        eff = base / row["step_ms"]
        print(f"scaling efficiency at {row['ranks']} ranks (same global batch): {eff:.0%} "
              f"(step time 1 rank / step time {row['ranks']} ranks)")  # fmt: skip


if __name__ == "__main__":
    main()
