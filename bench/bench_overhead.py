"""Per-operation overhead and the seed's SimpleNet gradient: minpy vs NumPy, HIPS, PyTorch.

Three measurements, each against raw NumPy in the same run:

- ``overhead:chain``  gradient of a chain of 100 elementwise ops on a 10-element vector
  (hand-written NumPy backward vs minpy vs HIPS autograd vs PyTorch CPU); the figure of
  merit is the extra time per op over NumPy.
- ``overhead:op``     one untraced elementwise op (minpy dispatch vs the raw NumPy call).
- ``model:simplenet`` gradient of the seed's SimpleNet loss (x 100x100, w 100x3) vs a
  hand-written NumPy forward+backward.

Run ``python bench/bench_overhead.py`` for one table of medians and ratios, or
``pytest bench/bench_overhead.py --benchmark-enable`` for pytest-benchmark's report.
HIPS autograd and PyTorch are contestants only when installed.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy

import minpy.numpy as mnp
from minpy.core import grad as mgrad

HAVE_AUTOGRAD = importlib.util.find_spec("autograd") is not None
HAVE_TORCH = importlib.util.find_spec("torch") is not None
N_OPS = 100

# ------------------------------------------------------------------------------------------
# the chain: five elementwise ops repeated, each with its hand-written derivative


def _chain_fns(xp: Any) -> list[Callable[[Any], Any]]:
    return [xp.tanh, xp.sin, lambda x: x * 0.9, lambda x: x + 0.1, xp.cos]


def chain_numpy_grad(x: numpy.ndarray) -> numpy.ndarray:
    """Forward, then a hand-written backward: the NumPy baseline."""
    fns = _chain_fns(numpy)
    saved = []
    for i in range(N_OPS):
        k = i % 5
        saved.append(x if k in (1, 4) else None)
        x = fns[k](x)
        if k == 0:
            saved[-1] = x
    g = numpy.ones_like(x)
    for i in reversed(range(N_OPS)):
        k = i % 5
        s = saved[i]
        if k == 0:
            g = g * (1 - s * s)
        elif k == 1:
            g = g * numpy.cos(s)
        elif k == 2:
            g = g * 0.9
        elif k == 4:
            g = -g * numpy.sin(s)
    return g


def _chain(xp: Any, total: Callable[[Any], Any]) -> Callable[[Any], Any]:
    fns = _chain_fns(xp)

    def f(x: Any) -> Any:
        for i in range(N_OPS):
            x = fns[i % 5](x)
        return total(x)

    return f


def make_chain_minpy() -> Callable[[Any], Any]:
    return mgrad(_chain(mnp, mnp.sum))


def make_chain_autograd() -> Callable[[Any], Any]:
    import autograd
    import autograd.numpy as anp

    return autograd.grad(_chain(anp, anp.sum))


def make_chain_torch() -> Callable[[Any], Any]:
    import torch

    f = _chain(torch, torch.sum)

    def g(x: Any) -> Any:
        x = x.detach().requires_grad_(True)
        return torch.autograd.grad(f(x), x)[0]

    return g


# ------------------------------------------------------------------------------------------
# SimpleNet (the seed): relu(x w + b) -> softmax loss, gradient w.r.t. x


def simplenet_numpy_grad(x: numpy.ndarray, w: numpy.ndarray, b: float, y: numpy.ndarray) -> Any:
    """Hand-written forward and backward of the seed's loss w.r.t. x."""
    a = x.dot(w) + b
    h = numpy.maximum(0, a)
    probs = numpy.exp(h - numpy.max(h, axis=1, keepdims=True))
    probs /= numpy.sum(probs, axis=1, keepdims=True)
    n = x.shape[0]
    loss = -numpy.sum(numpy.log(probs[numpy.arange(n), y])) / n
    dh = probs.copy()
    dh[numpy.arange(n), y] -= 1
    dh /= n
    da = dh * (a > 0)
    return da.dot(w.T), loss


def simplenet_tape_numpy(x: numpy.ndarray, w: numpy.ndarray, b: float, y: numpy.ndarray) -> Any:
    """The NumPy calls minpy's gradient of the seed makes, in order, with no Python layer.

    The floor of what a tape of per-primitive rules costs here: the forward pass plus each
    rule's NumPy work (the max-shift and the divide's second operand included), so that the
    table separates the rules' NumPy work from minpy's own overhead.
    """
    n = x.shape[0]
    a = numpy.matmul(x, w) + b
    h = numpy.maximum(0, a)
    m = h.max(axis=1, keepdims=True)
    e = numpy.exp(h - m)
    s = e.sum(axis=1, keepdims=True)
    p = e / s
    rows = numpy.arange(n)
    picked = p[rows, y]
    loss = -numpy.log(picked).sum() / n
    g = -(numpy.ones(()) / n)  # divide, negative
    g = numpy.broadcast_to(g, (n,)) / picked  # sum, log
    gp = numpy.zeros(p.shape)
    numpy.add.at(gp, (rows, y), g)  # getitem
    gs = -(gp * p).sum(axis=1, keepdims=True) / s  # divide, second operand
    gz = (gp / s + numpy.broadcast_to(gs, p.shape)) * e  # divide, sum, exp
    hit = h == m  # subtract's second operand, then max
    gm = -gz.sum(axis=1, keepdims=True)
    gh = gz + hit * (gm / hit.sum(axis=1, keepdims=True, dtype=gm.dtype))
    ga = gh * (0 < a).astype(gh.dtype)  # maximum
    return numpy.matmul(ga, w.T), loss  # add, dot


def _simplenet_loss(xp: Any) -> Callable[..., Any]:
    def loss(x: Any, w: Any, b: Any, y: Any) -> Any:
        h = xp.maximum(0, xp.dot(x, w) + b)
        probs = xp.exp(h - xp.max(h, axis=1, keepdims=True))
        probs = probs / xp.sum(probs, axis=1, keepdims=True)
        n = x.shape[0]
        return -xp.sum(xp.log(probs[xp.arange(n), y])) / n

    return loss


def make_simplenet_minpy() -> Callable[..., Any]:
    def loss(x: Any, w: Any, b: Any, y: Any) -> Any:  # the seed, with its in-place update
        h = mnp.maximum(0, mnp.dot(x, w) + b)
        probs = mnp.exp(h - mnp.max(h, axis=1, keepdims=True))
        probs /= mnp.sum(probs, axis=1, keepdims=True)
        n = x.shape[0]
        return -mnp.sum(mnp.log(probs[mnp.arange(n), y])) / n

    return mgrad(loss)


def make_simplenet_autograd() -> Callable[..., Any]:
    import autograd
    import autograd.numpy as anp

    return autograd.grad(_simplenet_loss(anp))


def make_simplenet_torch() -> Callable[..., Any]:
    import torch

    def g(x: Any, w: Any, b: Any, y: Any) -> Any:  # the seed's operations, one for one
        x = x.detach().requires_grad_(True)
        h = torch.maximum(torch.zeros(()), x @ w + b)
        probs = torch.exp(h - torch.amax(h, dim=1, keepdim=True))
        probs = probs / torch.sum(probs, dim=1, keepdim=True)
        n = x.shape[0]
        loss = -torch.sum(torch.log(probs[torch.arange(n), y])) / n
        return torch.autograd.grad(loss, x)[0]

    return g


def simplenet_data(seed: int = 0) -> tuple[Any, Any, float, Any]:
    rng = numpy.random.RandomState(seed)
    return rng.randn(100, 100), rng.randn(100, 3) * 0.01, 0.0, rng.randint(0, 3, size=100)


# ------------------------------------------------------------------------------------------
# the table


def median_time(fn: Callable[[], Any], min_time: float = 0.3, repeats: int = 9) -> float:
    """Median seconds per call over ``repeats`` rounds, after a warm-up."""
    for _ in range(20):
        fn()
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t > min_time / repeats or n > 1 << 20:
            break
        n *= 2
    rounds = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - t) / n)
    return statistics.median(rounds)


def rows() -> list[tuple[str, str, float, str]]:
    """``(benchmark, contestant, median seconds, note)`` for everything installed."""
    out: list[tuple[str, str, float, str]] = []
    xn = numpy.random.RandomState(0).randn(10)
    base = median_time(lambda: chain_numpy_grad(xn))
    out.append(("chain100", "numpy (hand-written)", base, ""))
    g = make_chain_minpy()
    xm = mnp.array(xn)
    out.append(("chain100", "minpy", median_time(lambda: g(xm)), ""))
    if HAVE_AUTOGRAD:
        ga = make_chain_autograd()
        out.append(("chain100", "HIPS autograd", median_time(lambda: ga(xn)), ""))
    if HAVE_TORCH:
        import torch

        gt = make_chain_torch()
        xt = torch.tensor(xn)
        out.append(("chain100", "PyTorch", median_time(lambda: gt(xt)), ""))

    out.append(("op:tanh", "numpy", median_time(lambda: numpy.tanh(xn)), ""))
    out.append(("op:tanh", "minpy", median_time(lambda: mnp.tanh(xm)), ""))
    out.append(("op:add", "numpy", median_time(lambda: xn + xn), ""))
    out.append(("op:add", "minpy", median_time(lambda: xm + xm), ""))

    x, w, b, y = simplenet_data()
    out.append(
        (
            "simplenet",
            "numpy (hand-written)",
            median_time(lambda: simplenet_numpy_grad(x, w, b, y)),
            "",
        )
    )
    gm = make_simplenet_minpy()
    xm2, wm = mnp.array(x), mnp.array(w)
    out.append(("simplenet", "minpy", median_time(lambda: gm(xm2, wm, b, y)), ""))
    out.append(
        (
            "simplenet",
            "minpy's NumPy calls only",
            median_time(lambda: simplenet_tape_numpy(x, w, b, y)),
            "",
        )
    )
    if HAVE_AUTOGRAD:
        ga2 = make_simplenet_autograd()
        out.append(("simplenet", "HIPS autograd", median_time(lambda: ga2(x, w, b, y)), ""))
    if HAVE_TORCH:
        import torch

        gt2 = make_simplenet_torch()
        tx, tw, ty = torch.tensor(x), torch.tensor(w), torch.tensor(y)
        out.append(("simplenet", "PyTorch", median_time(lambda: gt2(tx, tw, b, ty)), ""))
    return out


def table(results: list[tuple[str, str, float, str]]) -> str:
    base = {bench: t for bench, who, t, _ in results if who.startswith("numpy")}
    lines = [
        f"{'benchmark':<10} {'contestant':<26} {'median':>10} {'vs numpy':>9} {'extra/op':>10}"
    ]
    for bench, who, t, _ in results:
        ratio = t / base[bench]
        extra = ""
        if bench == "chain100":
            extra = f"{(t - base[bench]) / N_OPS * 1e6:8.2f}us"
        elif bench.startswith("op:"):
            extra = f"{(t - base[bench]) * 1e6:8.2f}us"
        lines.append(f"{bench:<10} {who:<26} {t * 1e6:>8.1f}us {ratio:>8.2f}x {extra:>10}")
    if not HAVE_AUTOGRAD:
        lines.append("HIPS autograd: skipped (not installed)")
    if not HAVE_TORCH:
        lines.append("PyTorch: skipped (not installed)")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# pytest-benchmark (pytest bench/bench_overhead.py --benchmark-enable)

try:
    import pytest
except ImportError:  # pragma: no cover - the script mode needs no pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:
    _X10 = numpy.random.RandomState(0).randn(10)
    _CHAIN = {"numpy": None, "minpy": make_chain_minpy}
    if HAVE_AUTOGRAD:
        _CHAIN["autograd"] = make_chain_autograd
    if HAVE_TORCH:
        _CHAIN["torch"] = make_chain_torch

    @pytest.mark.benchmark(group="overhead:chain")
    @pytest.mark.parametrize("who", list(_CHAIN))
    def test_chain_gradient(benchmark: Any, who: str) -> None:
        if who == "numpy":
            benchmark(chain_numpy_grad, _X10)
            return
        fn = _CHAIN[who]()  # type: ignore[misc]
        if who == "torch":
            import torch

            arg: Any = torch.tensor(_X10)
        elif who == "minpy":
            arg = mnp.array(_X10)
        else:
            arg = _X10
        benchmark(fn, arg)

    @pytest.mark.benchmark(group="overhead:op")
    @pytest.mark.parametrize("who", ["numpy", "minpy"])
    def test_untraced_op(benchmark: Any, who: str) -> None:
        if who == "numpy":
            benchmark(numpy.tanh, _X10)
        else:
            benchmark(mnp.tanh, mnp.array(_X10))

    @pytest.mark.benchmark(group="model:simplenet")
    @pytest.mark.parametrize(
        "who",
        ["numpy", "minpy"]
        + (["autograd"] if HAVE_AUTOGRAD else [])
        + (["torch"] if HAVE_TORCH else []),
    )
    def test_simplenet_gradient(benchmark: Any, who: str) -> None:
        x, w, b, y = simplenet_data()
        if who == "numpy":
            benchmark(simplenet_numpy_grad, x, w, b, y)
        elif who == "minpy":
            benchmark(make_simplenet_minpy(), mnp.array(x), mnp.array(w), b, y)
        elif who == "autograd":
            benchmark(make_simplenet_autograd(), x, w, b, y)
        else:
            import torch

            benchmark(make_simplenet_torch(), torch.tensor(x), torch.tensor(w), b, torch.tensor(y))


if __name__ == "__main__":
    print(table(rows()))
