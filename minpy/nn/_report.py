"""What ``Solver`` shows while and after it trains: the progress bar, the printed lines (the
table of epochs, MinPy's ``(Iteration t / total) loss: ...`` lines) and the history plot.

Private to ``minpy.nn``; nothing here trains or changes a model.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy


def metric_names(task_type: str) -> tuple[str, str]:
    """The column titles of the per-epoch metric: accuracies, or losses for regression."""
    if task_type == "regression":
        return "train loss", "val loss"
    return "train acc", "val acc"


def format_metric(value: float, task_type: str, width: int = 0) -> str:
    """An accuracy as a percentage, a regression loss as a number."""
    return f"{value:>{width}.4f}" if task_type == "regression" else f"{value:>{width}.2%}"


def table_header(task_type: str) -> str:
    """The title line of the table of epochs."""
    train, val = metric_names(task_type)
    return f"{'epoch':>5}  {'loss':>8}  {train:>10}  {val:>10}  {'seconds':>7}"


def table_row(
    epoch: int, loss: float, train: float, val: float, seconds: float, task_type: str
) -> str:
    """One line of the table of epochs."""
    return (
        f"{epoch:>5}  {loss:>8.4f}  {format_metric(train, task_type, 10)}  "
        f"{format_metric(val, task_type, 10)}  {seconds:>7.2f}"
    )


def iteration_line(t: int, total: int | None, loss: float) -> str:
    """MinPy's line for ``print_every``."""
    return f"(Iteration {t} / {total if total is not None else '?'}) loss: {loss:f}"


def write(line: str) -> None:
    """Print ``line`` without breaking a tqdm bar."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - depends on the environment
        print(line)
        return
    tqdm.write(line)


class ProgressBar:
    """A tqdm bar per epoch when tqdm is installed and wanted; otherwise nothing."""

    def __init__(self, enabled: bool, total: int | None, task_type: str) -> None:
        self.total = total
        self.task_type = task_type
        self.bar: Any = None
        self.tqdm: Any = None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # pragma: no cover - depends on the environment
                tqdm = None
            self.tqdm = tqdm

    def start(self, desc: str) -> None:
        if self.tqdm is not None:
            self.bar = self.tqdm(total=self.total, desc=desc, leave=False, file=sys.stderr)

    def update(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
            self.bar.update(1)

    def end(self, loss: float, train: float, val: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix(
                loss=f"{loss:.4f}",
                train=format_metric(train, self.task_type),
                val=format_metric(val, self.task_type),
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def plot_history(
    path: str | os.PathLike[str],
    loss: Sequence[float],
    epoch_loss: Sequence[float],
    train: Sequence[float],
    val: Sequence[float],
    task_type: str,
) -> None:
    """Write the loss curve and the per-epoch metric curves to the PNG file ``path``."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "plot_history needs matplotlib, which is not installed; pip install matplotlib"
        ) from exc
    fig = Figure(figsize=(10, 4))
    ax_loss, ax_metric = fig.subplots(1, 2)
    steps = numpy.arange(1, len(loss) + 1)
    ax_loss.plot(steps, loss, lw=0.8, label="batch loss")
    if epoch_loss and len(steps):
        per_epoch = len(steps) / len(epoch_loss)
        ends = numpy.arange(1, len(epoch_loss) + 1) * per_epoch
        ax_loss.plot(ends, epoch_loss, "o-", label="epoch mean")
    ax_loss.set(xlabel="iteration", ylabel="loss", title="training loss")
    ax_loss.legend()
    epochs = numpy.arange(1, len(train) + 1)
    ax_metric.plot(epochs, train, "o-", label="train")
    ax_metric.plot(epochs, val, "s-", label="validation")
    what = "loss (test mode)" if task_type == "regression" else "accuracy"
    ax_metric.set(xlabel="epoch", ylabel=what, title=what)
    ax_metric.legend()
    fig.tight_layout()
    fig.savefig(os.fspath(path), format="png")
