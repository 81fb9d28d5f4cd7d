"""MinPy's getting-started example: logistic regression trained with ``grad`` and plain SGD.

Synthetic data: ``n`` points in ``d`` dimensions labelled by a random hyperplane. The loss is
written directly in ``minpy.numpy``; ``grad_and_loss`` differentiates it; the same script runs
on the GPU with ``--device gpu``.

    python examples/logistic_regression.py --samples 1000 --features 500 --iterations 100
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy

import minpy
import minpy.numpy as _namespace
from minpy.core import grad_and_loss

np: Any = _namespace


def predict(w: Any, x: Any) -> Any:
    """Probability of class 1 for each row of ``x``."""
    return 0.5 * (np.tanh(0.5 * np.dot(x, w)) + 1)  # the logistic function, overflow-free


def train_loss(w: Any, x: Any, label: Any) -> Any:
    """Negative log-likelihood (the tutorial's loss), clipped away from log(0)."""
    p = np.clip(predict(w, x), 1e-7, 1 - 1e-7)
    return -np.sum(np.log(p * label + (1 - p) * (1 - label)))


def run(
    samples: int = 1000,
    features: int = 500,
    iterations: int = 100,
    lr: float = 0.01,
    seed: int = 0,
    verbose: bool = True,
) -> tuple[float, float]:
    """Train; returns ``(final loss per sample, training accuracy)``."""
    rng = numpy.random.RandomState(seed)
    x_host = rng.randn(samples, features)
    true_w = rng.randn(features, 1)
    label_host = (x_host @ true_w > 0).astype(numpy.float64)
    x, label = np.array(x_host), np.array(label_host)
    w = np.array(rng.randn(features, 1) * 0.01)
    step = grad_and_loss(train_loss)
    loss = float("nan")
    for i in range(iterations):
        dw, value = step(w, x, label)
        w -= lr * dw / samples * 100  # the tutorial's rate for the summed loss
        loss = float(value) / samples
        if verbose and (i % 10 == 0 or i == iterations - 1):
            print(f"iteration {i:>4}  loss per sample {loss:.4f}")
    acc = float(np.mean((predict(w, x) > 0.5) == (label > 0.5)))
    if verbose:
        print(f"training accuracy {acc:.2%}")
    return loss, acc


def main(argv: list[str] | None = None) -> tuple[float, float]:
    """Parse the command line and train."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--features", type=int, default=500)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--device", default="cpu", help="cpu or gpu[:N]")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    kind, _, index = args.device.partition(":")
    with minpy.gpu(int(index or 0)) if kind == "gpu" else minpy.cpu():
        return run(args.samples, args.features, args.iterations, args.lr, args.seed)


if __name__ == "__main__":
    main()
