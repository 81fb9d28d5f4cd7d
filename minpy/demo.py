"""``minpy demo``: an MLP and a small CNN trained with ``minpy.nn``'s Solver on real data.

scikit-learn's bundled digits (1797 8x8 images, 10 classes; shipped inside the package, never
downloaded) are split into train and test sets; both models are trained on the current device
(or ``device=``) with the same code, and the table of epochs and the test accuracies are
printed. Only this module knows about the data set; the models are ordinary ``ModelBase``
subclasses.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.context import Device, current_context
from minpy.nn import layers
from minpy.nn.io import NDArrayIter
from minpy.nn.model import ModelBase
from minpy.nn.solver import Solver

__all__ = ["CNN", "MLP", "augment_shifts", "load_digits", "run"]


def load_digits(seed: int = 0, test_fraction: float = 0.25) -> tuple[Any, Any, Any, Any]:
    """Digits as NumPy ``(x_train, y_train, x_test, y_test)``, pixels scaled to [0, 1].

    ``x`` has shape ``(N, 64)`` (float32), ``y`` integer labels 0-9.
    """
    try:
        from sklearn.datasets import load_digits as sk_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'the demo needs scikit-learn for its bundled digits data; pip install "minpy[demo]"'
        ) from exc
    import numpy

    data = sk_digits()
    x = (data.data / 16.0).astype(numpy.float32)
    y = data.target.astype(numpy.int64)
    order = numpy.random.RandomState(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


class MLP(ModelBase):
    """``inputs -> affine -> relu -> ... -> affine``, softmax cross-entropy loss.

    Examples
    --------
    >>> from minpy.demo import MLP
    >>> model = MLP(64, (32,), 10).init_params()
    >>> model.forward(np.zeros((5, 64), dtype="float32"), "test").shape
    (5, 10)
    """

    def __init__(self, input_size: int, hidden: tuple[int, ...], num_classes: int) -> None:
        super().__init__()
        sizes = [input_size, *hidden, num_classes]
        self.depth = len(sizes) - 1
        for i, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.add_param(f"w{i}", (m, n), init_rule="he")
            self.add_param(f"b{i}", (n,), init_rule="constant")

    def forward(self, X: Array, mode: str) -> Array:
        h = X
        p = self.params
        for i in range(self.depth):
            h = layers.affine(h, p[f"w{i}"], p[f"b{i}"])
            if i < self.depth - 1:
                h = layers.relu(h)
        return h

    def loss(self, predict: Array, y: Array) -> Array:
        return layers.softmax_loss(predict, y)


class CNN(ModelBase):
    """``conv3x3 -> batchnorm -> relu -> maxpool -> affine -> relu -> affine`` for
    ``(N, C, H, W)`` images (flat ``(N, C*H*W)`` inputs are reshaped).

    Examples
    --------
    >>> from minpy.demo import CNN
    >>> model = CNN((1, 8, 8), filters=4, hidden=16).init_params()
    >>> model.forward(np.zeros((2, 64), dtype="float32"), "test").shape
    (2, 10)
    """

    def __init__(
        self,
        input_shape: tuple[int, int, int],
        filters: int = 16,
        hidden: int = 64,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        c, h, w = input_shape
        self.input_shape = input_shape
        self.add_param("conv_w", (filters, c, 3, 3), init_rule="he")
        self.add_param("conv_b", (filters,), init_rule="constant")
        self.add_param("gamma", (filters,), init_rule="constant", init_config={"value": 1.0})
        self.add_param("beta", (filters,), init_rule="constant")
        self.add_aux_param("bn_mean", np.zeros(filters, dtype="float32"))
        self.add_aux_param("bn_var", np.ones(filters, dtype="float32"))
        self.add_param("w1", (filters * (h // 2) * (w // 2), hidden), init_rule="he")
        self.add_param("b1", (hidden,), init_rule="constant")
        self.add_param("w2", (hidden, num_classes), init_rule="xavier")
        self.add_param("b2", (num_classes,), init_rule="constant")

    def forward(self, X: Array, mode: str) -> Array:
        p = self.params
        if X.ndim == 2:
            X = np.reshape(X, (X.shape[0], *self.input_shape))
        h = layers.conv2d(X, p["conv_w"], p["conv_b"], pad=1)
        aux = self.aux_params
        h, mean, var = layers.batchnorm(
            h, p["gamma"], p["beta"], mode, running_mean=aux["bn_mean"], running_var=aux["bn_var"]
        )
        self.aux_params["bn_mean"], self.aux_params["bn_var"] = mean, var
        h = layers.max_pool(layers.relu(h), 2)
        h = layers.relu(layers.affine(h, p["w1"], p["b1"]))
        return layers.affine(h, p["w2"], p["b2"])

    def loss(self, predict: Array, y: Array) -> Array:
        return layers.softmax_loss(predict, y)


def augment_shifts(x: Any, y: Any) -> tuple[Any, Any]:
    """The images ``x`` ``(N, 64)`` plus copies shifted one pixel up, down, left and right.

    Small shifts are the classic augmentation for digits; they make both models generalize
    better from 1348 training images. Returns five times as many examples.
    """
    import numpy

    images = x.reshape(-1, 8, 8)
    copies = [images]
    for axis in (1, 2):
        for step in (1, -1):
            moved = numpy.roll(images, step, axis=axis)
            edge = 0 if step == 1 else -1
            if axis == 1:
                moved[:, edge, :] = 0
            else:
                moved[:, :, edge] = 0
            copies.append(moved)
    return numpy.concatenate(copies).reshape(-1, x.shape[1]), numpy.concatenate([y] * 5)


def _train(
    name: str,
    model: ModelBase,
    data: tuple[Any, Any, Any, Any],
    epochs: int,
    lr: float,
    seed: int,
    verbose: bool,
    plot: str | None,
) -> float:
    x_tr, y_tr, x_te, y_te = data
    np.random.seed(seed)
    train = NDArrayIter(x_tr, y_tr, 64, shuffle=True, last_batch_handle="keep", seed=seed)
    # the test set is only watched: the model is the last one, never picked by test accuracy
    test = NDArrayIter(x_te, y_te, 500, last_batch_handle="keep")
    solver = Solver(
        model,
        train,
        test,
        num_epochs=epochs,
        update_rule="adam",
        optim_config={"learning_rate": lr},
        lr_decay=0.85,
        train_acc_num_samples=1000,
        keep_best=False,
        progress=verbose,
        verbose=verbose,
    )
    if verbose:
        print(f"\n{name} ({epochs} epochs; 'val acc' is the held-out test set)")
    solver.train()
    acc = solver.check_accuracy(test)
    if verbose:
        print(f"{name}: test accuracy {acc:.2%}")
    if plot is not None:
        solver.plot_history(plot)
        if verbose:
            print(f"{name}: loss and accuracy curves written to {plot!r}")
    return acc


def step_times(
    model: ModelBase, data: tuple[Any, Any, Any, Any], batch: int = 64, steps: int = 30
) -> tuple[float, float]:
    """Median seconds of one gradient step of ``model`` on a batch, eager and under
    ``minpy.jit`` (the Solver's ``jit=True``), after a warm-up."""
    x_tr, y_tr = data[0][:batch], data[1][:batch]
    it = NDArrayIter(x_tr, y_tr, batch)
    times = []
    for jit in (False, True):
        solver = Solver(model, it, num_epochs=0, verbose=False, progress=False, jit=jit)
        solver.init()
        b = next(iter(it))
        for _ in range(3):
            solver._grad_and_loss(model.params, b)
        samples = []
        for _ in range(steps):
            t0 = time.perf_counter()
            solver._grad_and_loss(model.params, b)
            samples.append(time.perf_counter() - t0)
        times.append(statistics.median(samples))
    return times[0], times[1]


def _plot_path(plot: str | None, tag: str) -> str | None:
    if plot is None:
        return None
    stem, dot, ext = plot.rpartition(".")
    return f"{stem}-{tag}.{ext}" if dot else f"{plot}-{tag}.png"


def run(
    epochs: int | None = None,
    seed: int = 0,
    device: Device | None = None,
    verbose: bool = True,
    plot: str | None = None,
    models: tuple[str, ...] = ("mlp", "cnn"),
) -> dict[str, float]:
    """Train the MLP and the CNN on digits; returns ``{"mlp": acc, "cnn": acc}``.

    Parameters
    ----------
    epochs
        Epochs for both models (default: 15 for the MLP, 8 for the CNN).
    seed
        Seeds the data split, the initial weights and the batch order.
    device
        Where to train (default: the current context).
    verbose
        Print the progress bars, the tables of epochs and the accuracies.
    plot
        ``"out.png"`` writes ``out-mlp.png`` and ``out-cnn.png`` (needs matplotlib).
    models
        Which of ``"mlp"`` and ``"cnn"`` to train.
    """
    dev = current_context() if device is None else device
    x_tr, y_tr, x_te, y_te = load_digits(seed)
    x_aug, y_aug = augment_shifts(x_tr, y_tr)
    data = (x_aug, y_aug, x_te, y_te)
    results: dict[str, float] = {}
    start = time.perf_counter()
    with dev:
        if verbose:
            print(
                f"minpy demo: digits ({len(y_tr)} train images, x5 with 1-pixel shifts; "
                f"{len(y_te)} test images) on {dev!r}"
            )
        if "mlp" in models:
            results["mlp"] = _train(
                "MLP 64-256-256-10", MLP(64, (256, 256), 10), data, epochs or 15, 1e-3, seed,
                verbose, _plot_path(plot, "mlp"),
            )  # fmt: skip
            if verbose:
                eager, jitted = step_times(MLP(64, (256, 256), 10), data)
                print(
                    f"MLP gradient step (batch 64): eager {eager * 1e3:.2f} ms, minpy.jit "
                    f"{jitted * 1e3:.2f} ms ({eager / jitted:.2f}x)"
                )
        if "cnn" in models:
            results["cnn"] = _train(
                "CNN conv3x3(16)-bn-relu-maxpool-64-10", CNN((1, 8, 8), 16, 64), data,
                epochs or 8, 3e-3, seed, verbose, _plot_path(plot, "cnn"),
            )  # fmt: skip
    if verbose:
        print(
            "\ntest accuracy: "
            + ", ".join(f"{k.upper()} {v:.2%}" for k, v in results.items())
            + f" (total {time.perf_counter() - start:.1f} s)"
        )
    return results
