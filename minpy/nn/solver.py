"""``Solver``: trains a ``ModelBase`` with mini-batch gradient descent (MinPy's API).

It owns the training loop only: gradients come from ``minpy.core.grad_and_loss``, update
rules from ``minpy.nn.optim``, initial values from ``minpy.nn.init``, batches from
``minpy.nn.io.NDArrayIter``. Besides MinPy's loop it keeps a loss/accuracy history, decays the
learning rate, clips gradients, shows a progress bar (tqdm when installed), writes a checkpoint
(atomically, without pickle) after each epoch and on Ctrl-C, resumes from one, stops on a
non-finite loss, and plots the history with matplotlib. Every constructor argument is checked
for type and range when the Solver is built, and a checkpoint is checked in full (names, dtypes,
shapes, counters, generator state) before anything is restored from it.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad_and_loss, stop_gradient
from minpy.nn import _arguments as _args
from minpy.nn import checkpoint as _ck
from minpy.nn import optim as _optim
from minpy.nn.model import ModelBase

__all__ = ["NonFiniteLossError", "Solver"]


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or infinite; the solver stopped before updating."""


class Solver:
    """Train ``model`` on batches from ``train_dataiter``, validating on ``test_dataiter``.

    Parameters
    ----------
    model
        A ``ModelBase``. Its parameters are created by ``init()`` (called by ``train()`` when
        they do not exist yet) unless resuming from a checkpoint.
    train_dataiter, test_dataiter
        ``NDArrayIter`` (or ``(X, y)`` tuples, batched with ``batch_size``); ``test_dataiter``
        may be ``None``.
    num_epochs
        Epochs to train for (in total, counting epochs done before a resume).
    batch_size
        Only for ``(X, y)`` data.
    init_rule, init_config
        Default rule of ``minpy.nn.init`` (``"xavier"``, ``"gaussian"``, ``"constant"``,
        ``"he"``) and its config (``{"dtype": "float64"}``, ...); a parameter's own
        ``init_rule`` from ``add_param`` wins.
    update_rule, optim_config
        Rule of ``minpy.nn.optim`` (``"sgd"``, ``"sgd_momentum"``, ``"rmsprop"``, ``"adam"``)
        and its hyper-parameters (``{"learning_rate": 1e-3}``), copied per parameter.
    lr_decay
        The learning rate is multiplied by this after every epoch.
    clip_norm
        If set, gradients are scaled so that their global L2 norm is at most this.
    train_acc_num_samples
        Examples used to estimate the training accuracy after each epoch (``None``: all).
    checkpoint
        Path of an ``.npz`` checkpoint written after every epoch and on Ctrl-C.
    resume
        Continue from ``checkpoint`` if that file exists.
    progress
        Show a progress bar (tqdm when installed, else one printed line per epoch).
    verbose
        Print the table of epochs.
    keep_best
        After training, put the parameters with the best validation accuracy back into the
        model (MinPy's behaviour); ``False`` keeps the last ones.

    Examples
    --------
    >>> import numpy
    >>> from minpy.nn import layers
    >>> from minpy.nn.model import ModelBase
    >>> from minpy.nn.solver import Solver
    >>> class Linear(ModelBase):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.add_param("w", (2, 2)).add_param("b", (2,), init_rule="constant")
    ...     def forward(self, X, mode):
    ...         return layers.affine(X, self.params["w"], self.params["b"])
    ...     def loss(self, predict, y):
    ...         return layers.softmax_loss(predict, y)
    >>> rng = numpy.random.RandomState(0)
    >>> X = rng.randn(200, 2).astype("float32"); y = (X[:, 0] > 0).astype(int)
    >>> solver = Solver(Linear(), (X, y), (X, y), batch_size=20, num_epochs=5,
    ...                 update_rule="adam", optim_config={"learning_rate": 0.1},
    ...                 progress=False, verbose=False)
    >>> history = solver.train()
    >>> solver.val_acc_history[-1] > 0.9
    True
    """

    def __init__(
        self,
        model: ModelBase,
        train_dataiter: Any,
        test_dataiter: Any = None,
        *,
        num_epochs: int = 10,
        batch_size: int | None = None,
        init_rule: Any = "xavier",
        init_config: Mapping[str, Any] | None = None,
        update_rule: Any = "sgd",
        optim_config: Mapping[str, Any] | None = None,
        lr_decay: float = 1.0,
        clip_norm: float | None = None,
        train_acc_num_samples: int | None = 1000,
        checkpoint: str | os.PathLike[str] | None = None,
        resume: bool = False,
        progress: bool = True,
        verbose: bool = True,
        keep_best: bool = True,
    ) -> None:
        if not isinstance(model, ModelBase):
            raise TypeError(f"Solver: model must be a ModelBase, got {_args.type_name(model)}")
        num_epochs = _args.int_arg("num_epochs", num_epochs, 0)
        if batch_size is not None:
            batch_size = _args.int_arg("batch_size", batch_size, 1)
        if train_acc_num_samples is not None:
            train_acc_num_samples = _args.int_arg("train_acc_num_samples", train_acc_num_samples, 1)
        if clip_norm is not None:
            clip_norm = _args.real_arg("clip_norm", clip_norm, lambda v: v > 0, "> 0")
        lr_decay = _args.real_arg("lr_decay", lr_decay, lambda v: v > 0, "> 0")
        resume = _args.bool_arg("resume", resume)
        progress = _args.bool_arg("progress", progress)
        verbose = _args.bool_arg("verbose", verbose)
        keep_best = _args.bool_arg("keep_best", keep_best)
        _args.check_checkpoint(checkpoint, resume)
        self.update_rule = _optim.get(update_rule)
        self.optim_config = _args.dict_arg("optim_config", optim_config)
        _args.check_optim_config(update_rule, self.update_rule, self.optim_config)
        self.init_config = _args.dict_arg("init_config", init_config)
        _args.check_init(model.param_configs, init_rule, self.init_config)
        self.model = model
        self.train_dataiter = _args.as_iter(
            train_dataiter, batch_size, True, "train_dataiter",
            ("reset", "__iter__", "getnumiterations"),
        )  # fmt: skip
        self.test_dataiter = _args.as_iter(
            test_dataiter, batch_size, False, "test_dataiter", ("reset", "__iter__")
        )
        self.num_epochs = num_epochs
        self.init_rule = init_rule
        self.update_rule_name = update_rule if isinstance(update_rule, str) else None
        self.lr_decay = lr_decay
        self.clip_norm = clip_norm
        self.train_acc_num_samples = train_acc_num_samples
        self.checkpoint = None if checkpoint is None else os.fspath(checkpoint)
        self.resume = resume
        self.progress = progress
        self.verbose = verbose
        self.keep_best = keep_best
        self._grad_and_loss = grad_and_loss(self._loss_of, 0)
        self._reset()

    def _reset(self) -> None:
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params: dict[str, Array] = {}
        self.loss_history: list[float] = []
        self.epoch_loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []
        self.lr_history: list[float] = []
        self.optim_configs: dict[str, dict[str, Any]] = {
            p: dict(self.optim_config) for p in self.model.param_configs
        }

    # setup ----------------------------------------------------------------------------------
    def init(self) -> None:
        """Create the model's parameters with the init rules and reset the optimizer state."""
        self.model.init_params(self.init_rule, self.init_config)
        self._reset()

    # one step -------------------------------------------------------------------------------
    def _loss_of(self, params: dict[str, Array], batch: Any) -> Array:
        model = self.model
        saved = model.params
        model.params = params  # the traced copies, so forward's reads are recorded
        try:
            return model.loss_batch(batch, model.forward_batch(batch, "train"))
        finally:
            model.params = saved

    def _step(self, batch: Any) -> float:
        """One gradient update on ``batch``; returns the loss (no update if not finite)."""
        grads, loss = self._grad_and_loss(self.model.params, batch)
        value = float(loss)
        aux = self.model.aux_params
        for k, v in aux.items():
            aux[k] = stop_gradient(v)
        if not math.isfinite(value):
            return value
        if self.clip_norm is not None:
            total = float(sum(float(np.sum(g * g)) for g in grads.values()))
            norm = math.sqrt(total)
            if norm > self.clip_norm:
                scale = self.clip_norm / norm
                grads = {k: g * scale for k, g in grads.items()}
        rule = self.update_rule
        params = self.model.params
        configs = self.optim_configs
        for name, w in params.items():
            params[name], configs[name] = rule(w, grads[name], configs[name])
        return value

    # evaluation -----------------------------------------------------------------------------
    def check_accuracy(self, dataiter: Any, num_samples: int | None = None) -> float:
        """Fraction of examples whose highest-scoring class (test mode) is the label."""
        if dataiter is None:
            return float("nan")
        if num_samples is not None and dataiter.num_data > num_samples:
            dataiter = dataiter.getsubiter(num_samples)
        hits = 0
        total = 0
        for batch in dataiter:
            pred = np.argmax(self.model.forward_batch(batch, "test"), axis=1)
            label = batch.label[0]
            if label.ndim == 2:
                label = np.argmax(label, axis=1)
            n = batch.size
            hits += int(np.sum(pred[:n] == label[:n]))
            total += n
        return hits / total if total else float("nan")

    # checkpoints ----------------------------------------------------------------------------
    def save_checkpoint(self, path: str | os.PathLike[str]) -> None:
        """Write the model, optimizer state, epoch and history to ``path`` (atomically)."""
        arrays: dict[str, Any] = self.model.state_arrays()
        for name, cfg in self.optim_configs.items():
            for key, value in cfg.items():
                if isinstance(value, (int, float, Array, numpy.ndarray)):
                    arrays[f"optim:{name}:{key}"] = numpy.asarray(value)
        for name, value in self.best_params.items():
            arrays[f"best:{name}"] = value.asnumpy()
        arrays["meta:epoch"] = numpy.asarray(self.epoch)
        arrays["meta:best_val_acc"] = numpy.asarray(self.best_val_acc)
        arrays["meta:update_rule"] = numpy.asarray(self.update_rule_name or "")
        for key in _ck.HISTORIES:
            arrays[f"hist:{key}"] = numpy.asarray(getattr(self, f"{key}_history"), dtype=float)
        rng = self._shuffle_rng()
        if rng is not None:  # the shuffling order of later epochs, so a resume repeats it
            _, keys, pos, has_gauss, gauss = rng.get_state(legacy=True)
            arrays["rng:keys"] = keys
            arrays["rng:rest"] = numpy.asarray([pos, has_gauss, gauss], dtype=float)
        _ck.write_npz(path, arrays)

    def _shuffle_rng(self) -> numpy.random.RandomState | None:
        rng = getattr(self.train_dataiter, "_rng", None)
        return rng if isinstance(rng, numpy.random.RandomState) else None

    def load_checkpoint(self, path: str | os.PathLike[str]) -> None:
        """Restore what ``save_checkpoint`` wrote; on any error nothing changes.

        The whole file is checked before anything is restored: every entry's name, dtype
        and shape against the model's parameters, auxiliary parameters and the update rule's
        state (from the ``.npy`` headers, before any data is read), then the epoch counter, the
        update rule's name and the shuffling generator's state.

        Raises
        ------
        CheckpointError
            The file is corrupt, truncated or forged, or was written for another model or
            update rule; the model and the solver are as they were.
        """
        source = repr(os.fspath(path))
        rule = _ck.read_update_rule(path, source)
        if rule and self.update_rule_name and rule != self.update_rule_name:
            raise _ck.CheckpointError(
                f"{source} was written with update_rule={rule!r}, this solver uses "
                f"{self.update_rule_name!r}; resume with the same update rule"
            )
        model = self.model
        expect = model._state_expectations()
        shapes = {name: tuple(cfg["shape"]) for name, cfg in model.param_configs.items()}
        arrays = _ck.read_npz(
            path,
            lambda found: _ck.check_solver_entries(expect, shapes, self.update_rule, found, source),
        )
        epoch = _ck.read_epoch(arrays, source)
        rng_state = _ck.read_rng_state(arrays, source)
        params, aux = self.model._prepare_state(arrays)
        device = next(iter(params.values())).device if params else None
        configs: dict[str, dict[str, Any]] = {p: {} for p in self.model.param_configs}
        best: dict[str, Array] = {}
        for key, value in arrays.items():
            kind, _, rest = key.partition(":")
            if kind == "optim":
                name, _, field = rest.partition(":")  # parameter names have no ':'
                configs[name][field] = (
                    value.item() if value.ndim == 0 else np.array(value, device=device)
                )
            elif kind == "best":
                best[rest] = np.array(value, device=device)
        histories = {key: arrays[f"hist:{key}"].tolist() for key in _ck.HISTORIES}
        # everything is checked and converted: nothing below can fail
        self.model.params.update(params)
        self.model.aux_params.update(aux)
        self.optim_configs = configs
        self.best_params = best
        self.epoch = epoch
        self.best_val_acc = float(arrays["meta:best_val_acc"])
        for key, values in histories.items():
            setattr(self, f"{key}_history", values)
        rng = self._shuffle_rng()
        if rng is not None and rng_state is not None:
            rng.set_state(rng_state)

    # training -------------------------------------------------------------------------------
    def _learning_rate(self) -> float:
        for cfg in self.optim_configs.values():
            if "learning_rate" in cfg:
                return float(cfg["learning_rate"])
        return float(self.optim_config.get("learning_rate", float("nan")))

    def _emergency_path(self) -> str:
        if self.checkpoint is not None:
            return self.checkpoint
        return os.path.join(tempfile.gettempdir(), f"minpy-solver-interrupted-{os.getpid()}.npz")

    def train(self) -> dict[str, list[float]]:
        """Train for the remaining epochs; returns the history (see ``history``).

        After training the model holds the parameters with the best validation accuracy
        (as in MinPy; ``keep_best=False``: the last ones); the checkpoint holds the last ones,
        to resume from.

        Raises
        ------
        NonFiniteLossError
            The loss became NaN or infinite (naming the epoch and batch); the parameters are
            those before that batch and the last checkpoint is left as it was.
        KeyboardInterrupt
            Re-raised after a checkpoint of the current state has been written.
        """
        if self.resume and self.checkpoint is not None and os.path.exists(self.checkpoint):
            # no init_params first: a refused checkpoint must leave the model untouched
            self.load_checkpoint(self.checkpoint)
            self._log(f"resumed from {self.checkpoint!r} after epoch {self.epoch}")
        elif not self.model.params:
            self.init()
        bar = _ProgressBar(self.progress, self.train_dataiter.getnumiterations())
        self._log(f"{'epoch':>5}  {'loss':>8}  {'train acc':>9}  {'val acc':>7}  {'seconds':>7}")
        try:
            while self.epoch < self.num_epochs:
                self._train_epoch(bar)
        except KeyboardInterrupt:
            bar.close()
            path = self._emergency_path()
            self.save_checkpoint(path)
            print(
                f"\ntraining interrupted in epoch {self.epoch + 1}; checkpoint written to "
                f"{path!r}; resume with Solver(..., checkpoint={path!r}, resume=True)",
                file=sys.stderr,
            )
            raise
        finally:
            bar.close()
        if self.keep_best and self.best_params:
            self.model.params = {k: v.copy() for k, v in self.best_params.items()}
        return self.history

    def _train_epoch(self, bar: _ProgressBar) -> None:
        epoch = self.epoch + 1
        start = time.perf_counter()
        bar.start(f"epoch {epoch}/{self.num_epochs}")
        total, count = 0.0, 0
        for i, batch in enumerate(self.train_dataiter, start=1):
            loss = self._step(batch)
            if not math.isfinite(loss):
                bar.close()
                kept = (
                    f"the last checkpoint {self.checkpoint!r} (end of epoch {self.epoch}) is intact"
                    if self.checkpoint is not None and self.epoch > 0
                    else "no checkpoint was written"
                )
                raise NonFiniteLossError(
                    f"the loss became {loss!r} at epoch {epoch}, batch {i}; training stopped "
                    f"before that update and {kept}; lower the learning rate (now "
                    f"{self._learning_rate():g}), set clip_norm=..., or check the data for "
                    "NaN/inf"
                )
            self.loss_history.append(loss)
            total += loss
            count += 1
            bar.update(loss)
        train_acc = self.check_accuracy(self.train_dataiter, self.train_acc_num_samples)
        val_acc = self.check_accuracy(self.test_dataiter)
        self.epoch = epoch
        self.epoch_loss_history.append(total / max(count, 1))
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self.lr_history.append(self._learning_rate())
        if math.isnan(val_acc) or val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = self.best_val_acc if math.isnan(val_acc) else val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        for cfg in self.optim_configs.values():
            if "learning_rate" in cfg:
                cfg["learning_rate"] *= self.lr_decay
        seconds = time.perf_counter() - start
        bar.end(self.epoch_loss_history[-1], train_acc, val_acc)
        self._log(
            f"{epoch:>5}  {self.epoch_loss_history[-1]:>8.4f}  {train_acc:>9.2%}  "
            f"{val_acc:>7.2%}  {seconds:>7.2f}"
        )
        if self.checkpoint is not None:
            self.save_checkpoint(self.checkpoint)

    def _log(self, line: str) -> None:
        if self.verbose:
            _ProgressBar.write(line)

    @property
    def history(self) -> dict[str, list[float]]:
        """``{"loss", "epoch_loss", "train_acc", "val_acc", "lr"}``: per step / per epoch."""
        return {
            "loss": list(self.loss_history),
            "epoch_loss": list(self.epoch_loss_history),
            "train_acc": list(self.train_acc_history),
            "val_acc": list(self.val_acc_history),
            "lr": list(self.lr_history),
        }

    def plot_history(self, path: str | os.PathLike[str]) -> None:
        """Write the loss and accuracy curves to the PNG file ``path`` (needs matplotlib).

        Raises
        ------
        ImportError
            matplotlib is not installed.
        """
        try:
            from matplotlib.figure import Figure
        except ImportError as exc:
            raise ImportError(
                "plot_history needs matplotlib, which is not installed; pip install matplotlib"
            ) from exc
        fig = Figure(figsize=(10, 4))
        ax_loss, ax_acc = fig.subplots(1, 2)
        steps = numpy.arange(1, len(self.loss_history) + 1)
        ax_loss.plot(steps, self.loss_history, lw=0.8, label="batch loss")
        if self.epoch_loss_history and len(steps):
            per_epoch = len(steps) / len(self.epoch_loss_history)
            ends = numpy.arange(1, len(self.epoch_loss_history) + 1) * per_epoch
            ax_loss.plot(ends, self.epoch_loss_history, "o-", label="epoch mean")
        ax_loss.set(xlabel="iteration", ylabel="loss", title="training loss")
        ax_loss.legend()
        epochs = numpy.arange(1, len(self.train_acc_history) + 1)
        ax_acc.plot(epochs, self.train_acc_history, "o-", label="train")
        ax_acc.plot(epochs, self.val_acc_history, "s-", label="validation")
        ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
        ax_acc.legend()
        fig.tight_layout()
        fig.savefig(os.fspath(path), format="png")


class _ProgressBar:
    """A tqdm bar per epoch when tqdm is installed and wanted; otherwise nothing."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.total = total
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

    def end(self, loss: float, train_acc: float, val_acc: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", train=f"{train_acc:.2%}", val=f"{val_acc:.2%}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    @staticmethod
    def write(line: str) -> None:
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - depends on the environment
            print(line)
            return
        tqdm.write(line)
