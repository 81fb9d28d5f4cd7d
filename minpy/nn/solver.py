"""``Solver``: trains a ``ModelBase`` with mini-batch gradient descent (MinPy's API).

It owns the training loop only: gradients come from ``minpy.core.grad_and_loss``, update
rules from ``minpy.nn.optim``, initial values from ``minpy.nn.init``, batches from
``minpy.nn.io.NDArrayIter`` (or any MXNet-style ``DataIter``); what it prints and plots from
``minpy.nn._report``. MinPy's keywords all work (``task_type`` for classification or regression,
``print_every``, ``init_rule``/``init_config``, ``update_rule``/``optim_config``, ``lr_decay``,
``num_epochs``, ``train_acc_num_samples``, ``verbose``). Besides MinPy's loop it keeps a
loss/metric history, decays the learning rate, clips gradients, shows a progress bar (tqdm when
installed), writes a checkpoint (atomically, without pickle) after each epoch and on Ctrl-C,
resumes from one, stops on a non-finite loss, and plots the history with matplotlib. Every
constructor argument is checked for type and range when the Solver is built, and a checkpoint is
checked in full (names, dtypes, shapes, counters, generator state) before anything is restored
from it.
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
from minpy.core import stop_gradient
from minpy.nn import _arguments as _args
from minpy.nn import _distributed, _jitstep, _report
from minpy.nn import checkpoint as _ck
from minpy.nn import init as _init
from minpy.nn import optim as _optim
from minpy.nn.io import DataBatch
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
        ``NDArrayIter`` (or another MXNet-style ``DataIter``, or ``(X, y)`` tuples, batched
        with ``batch_size``); ``test_dataiter`` may be ``None``. Both are ``reset()`` before
        every pass.
    task_type
        ``"classification"`` (default): the per-epoch metric is the accuracy and the best
        epoch has the highest validation accuracy. ``"regression"``: the metric is the mean
        loss in test mode (``train_acc_history``/``val_acc_history`` hold losses) and the best
        epoch has the *lowest* validation loss.
    num_epochs
        Epochs to train for (in total, counting epochs done before a resume).
    batch_size
        Only for ``(X, y)`` data.
    init_rule, init_config
        Default rule of ``minpy.nn.init`` (``"xavier"``, ``"gaussian"``, ``"constant"``,
        ``"he"``) and its config (``{"dtype": "float64"}``, ...); a parameter's own
        ``init_rule`` from ``add_param`` wins.
    update_rule, optim_config
        Rule of ``minpy.nn.optim`` (``"sgd"``, ``"sgd_momentum"``, ``"rmsprop"``, ``"adam"``,
        or a function ``rule(w, dw, config) -> (next_w, config)``) and its hyper-parameters
        (``{"learning_rate": 1e-3}``), copied per parameter. The built-in rules update the
        parameters in place (``inplace=True``); other rules are called MinPy's way.
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
        Show a progress bar (tqdm, when installed). The default, None, shows it only when
        stderr is a terminal, so logs get the plain table of epochs and no bar redraws.
    print_every
        Print MinPy's ``(Iteration t / total) loss: ...`` line every ``print_every``
        iterations (the 1st, ``print_every + 1``-th, ...); ``None`` (default): no such lines.
    verbose
        Print at all (the table of epochs, the ``print_every`` lines).
    keep_best
        After training, put the parameters of the best epoch (highest validation accuracy,
        lowest validation loss for regression) back into the model (MinPy's behaviour);
        ``False`` keeps the last ones.
    distributed, bucket_bytes
        Train data-parallel under ``mpiexec`` (``minpy.distributed``; gradients averaged in
        buckets of ``bucket_bytes``, only rank 0 prints and saves; see the README).
    jit
        Replay each step's gradient with ``minpy.jit`` (traced once per batch shape).

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
        progress: bool | None = None,
        verbose: bool = True,
        keep_best: bool = True,
        task_type: str = "classification",
        print_every: int | None = None,
        distributed: bool = False,
        bucket_bytes: int | None = 25 * 2**20,
        jit: bool = False,
    ) -> None:
        _args.solver_model(model)
        num_epochs = _args.int_arg("num_epochs", num_epochs, 0)
        if batch_size is not None:
            batch_size = _args.int_arg("batch_size", batch_size, 1)
        if train_acc_num_samples is not None:
            train_acc_num_samples = _args.int_arg("train_acc_num_samples", train_acc_num_samples, 1)
        if clip_norm is not None:
            clip_norm = _args.real_arg("clip_norm", clip_norm, lambda v: v > 0, "> 0")
        lr_decay = _args.real_arg("lr_decay", lr_decay, lambda v: v > 0, "> 0")
        resume = _args.bool_arg("resume", resume)
        if progress is None:
            progress = sys.stderr.isatty()
        progress = _args.bool_arg("progress", progress)
        verbose = _args.bool_arg("verbose", verbose)
        keep_best = _args.bool_arg("keep_best", keep_best)
        task_type = _args.task_type_arg(task_type)
        if print_every is not None:
            print_every = _args.int_arg("print_every", print_every, 1)
        _args.check_checkpoint(checkpoint, resume)
        self.update_rule = _optim.get(update_rule)
        self.optim_config = _args.dict_arg("optim_config", optim_config)
        _args.check_optim_config(update_rule, self.update_rule, self.optim_config)
        self.init_config = _args.dict_arg("init_config", init_config)
        _args.check_init(model.param_configs, init_rule, self.init_config)
        self.model = model
        self.train_dataiter = _args.as_iter(
            train_dataiter, batch_size, True, "train_dataiter", ("reset", "__iter__")
        )
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
        self.task_type = task_type
        self.print_every = print_every
        self._inplace = _optim.is_builtin(self.update_rule)
        self.init_rules: dict[str, Any] = {}
        self.init_configs: dict[str, dict[str, Any]] = {}
        for name in model.param_configs:
            self._plan_init(name)
        self._grad_and_loss = _jitstep.gradient(self._loss_of, jit)
        self._parallel = _distributed.make(self, distributed, bucket_bytes)
        self._reset()

    def _reset(self) -> None:
        self.epoch = 0
        # the best validation metric so far: an accuracy, or a loss for regression
        self.best_val_acc = math.inf if self.task_type == "regression" else 0.0
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
    def _plan_init(self, name: str) -> None:
        """``init_rules[name]`` and ``init_configs[name]``: the parameter's own rule (or the
        Solver's) and the Solver's config refined by the parameter's own."""
        cfg = self.model.param_configs[name]
        self.init_rules[name] = _init.get(cfg.get("init_rule", self.init_rule))
        self.init_configs[name] = {**self.init_config, **(cfg.get("init_config") or {})}

    def init(self) -> None:
        """Create the model's parameters with ``init_rules``/``init_configs`` (one rule and
        config per parameter, which may be edited before this call), set the auxiliary
        parameters to their declared values and reset the optimizer state and history."""
        model = self.model
        for name, cfg in model.param_configs.items():
            if name not in self.init_rules:  # declared after the Solver was built
                self._plan_init(name)
            model.params[name] = self.init_rules[name](cfg["shape"], dict(self.init_configs[name]))
        for name, value in model.aux_param_configs.items():
            # None: set later by forward (MinPy's batchnorm pattern)
            model.aux_params[name] = None if value is None else np.array(value)
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
        grads, loss = self._parallel.average(*self._grad_and_loss(self.model.params, batch))
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
        if self._inplace:  # one of minpy.nn.optim's: no new arrays per step
            builtin: Any = rule
            for name, w in params.items():
                params[name], configs[name] = builtin(w, grads[name], configs[name], inplace=True)
        else:
            for name, w in params.items():
                params[name], configs[name] = rule(w, grads[name], configs[name])
        return value

    # evaluation -----------------------------------------------------------------------------
    def check_accuracy(self, dataiter: Any, num_samples: int | None = None) -> float:
        """The per-epoch metric on ``dataiter`` (test mode; padded examples left out).

        Classification: the fraction of examples whose highest-scoring class is the label
        (integer or one-hot). Regression: the mean loss per example. With ``num_samples``, at
        most that many random examples (``getsubiter``). ``None`` data gives NaN.
        """
        if dataiter is None:
            return float("nan")
        num_data = getattr(dataiter, "num_data", None)
        if num_samples is not None and num_data is not None and num_data > num_samples:
            dataiter = dataiter.getsubiter(num_samples)
        dataiter.reset()  # MinPy's iterators do not rewind on iter(); ours rewind once
        regression = self.task_type == "regression"
        score = 0.0
        total = 0
        for batch in dataiter:
            predict = self.model.forward_batch(batch, "test")
            n = int(batch.data[0].shape[0]) - (batch.pad or 0)
            if regression:
                score += n * self._test_loss(batch, predict, n)
            else:
                pred = np.argmax(predict, axis=1)
                label = batch.label[0]
                if label.ndim == 2:
                    label = np.argmax(label, axis=1)
                score += int(np.sum(pred[:n] == label[:n]))
            total += n
        score, total = self._parallel.combine(dataiter, score, total)
        return score / total if total else float("nan")

    def _test_loss(self, batch: Any, predict: Any, n: int) -> float:
        """The model's loss on the ``n`` real examples of ``batch`` (padding cut off)."""
        if n < batch.data[0].shape[0] and isinstance(predict, Array):
            batch = DataBatch([d[:n] for d in batch.data], [y[:n] for y in batch.label], 0)
            predict = predict[:n]
        return float(self.model.loss_batch(batch, predict))

    # checkpoints ----------------------------------------------------------------------------
    def save_checkpoint(self, path: str | os.PathLike[str]) -> None:
        """Write the model, optimizer state, epoch and history to ``path`` (atomically; rank 0)."""
        if not self._parallel.is_root:
            return
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

        After training the model holds the parameters of the best epoch (highest validation
        accuracy, lowest validation loss for regression; as in MinPy; ``keep_best=False``: the
        last ones); the checkpoint holds the last ones, to resume from.

        Raises
        ------
        NonFiniteLossError
            The loss became NaN or infinite (naming the epoch and batch); the parameters are
            those before that batch and the last checkpoint is left as it was.
        KeyboardInterrupt
            Re-raised after a checkpoint of the current state has been written.
        """
        path = self.checkpoint
        if self.resume and path is not None and self._parallel.checkpoint_exists(path):
            # no init_params first: a refused checkpoint must leave the model untouched
            self.load_checkpoint(path)
            self._log(f"resumed from {self.checkpoint!r} after epoch {self.epoch}")
        elif not self.model.params:
            self.init()
        self._parallel.start(self)
        bar = _report.ProgressBar(self.progress, self._iterations_per_epoch(), self.task_type)
        self._log(_report.table_header(self.task_type))
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

    def _iterations_per_epoch(self) -> int | None:
        count = getattr(self.train_dataiter, "getnumiterations", None)
        return int(count()) if callable(count) else None

    def _train_epoch(self, bar: _report.ProgressBar) -> None:
        epoch = self.epoch + 1
        start = time.perf_counter()
        bar.start(f"epoch {epoch}/{self.num_epochs}")
        total, count = 0.0, 0
        per_epoch = self._iterations_per_epoch()
        every = self.print_every if self.verbose else None
        self.train_dataiter.reset()  # MinPy's iterators do not rewind on iter(); ours rewind once
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
            t = len(self.loss_history)
            if every is not None and (t - 1) % every == 0:
                steps = None if per_epoch is None else per_epoch * self.num_epochs
                _report.write(_report.iteration_line(t, steps, loss))
        train_acc = self.check_accuracy(self.train_dataiter, self.train_acc_num_samples)
        val_acc = self.check_accuracy(self.test_dataiter)
        self.epoch = epoch
        self.epoch_loss_history.append(total / max(count, 1))
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self.lr_history.append(self._learning_rate())
        better = (
            val_acc < self.best_val_acc
            if self.task_type == "regression"
            else val_acc > self.best_val_acc
        )
        if math.isnan(val_acc) or better or not self.best_params:
            self.best_val_acc = self.best_val_acc if math.isnan(val_acc) else val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        for cfg in self.optim_configs.values():
            if "learning_rate" in cfg:
                cfg["learning_rate"] *= self.lr_decay
        seconds = time.perf_counter() - start
        bar.end(self.epoch_loss_history[-1], train_acc, val_acc)
        self._log(
            _report.table_row(
                epoch, self.epoch_loss_history[-1], train_acc, val_acc, seconds, self.task_type
            )
        )
        if self.checkpoint is not None:
            self.save_checkpoint(self.checkpoint)

    def _log(self, line: str) -> None:
        if self.verbose:
            _report.write(line)

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
        """Write the loss and per-epoch metric curves to the PNG file ``path`` (ImportError
        without matplotlib)."""
        _report.plot_history(
            path, self.loss_history, self.epoch_loss_history, self.train_acc_history,
            self.val_acc_history, self.task_type,
        )  # fmt: skip
