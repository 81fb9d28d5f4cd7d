"""``ModelBase``: the parameters, auxiliary parameters and forward/loss of a model.

Subclasses declare their trainable parameters with ``add_param(name, shape)`` and their
auxiliary ones (running statistics that backprop never updates) with ``add_aux_param``,
then write ``forward(X, mode)`` and ``loss(predict, y)`` with ``minpy.nn.layers``. Parameters
are saved to and loaded from ``.npz`` files without pickle, so loading a file never runs code.
This module does not train (see ``minpy.nn.solver``).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.context import Device
from minpy.nn import init as _init

__all__ = ["CheckpointError", "ModelBase", "read_npz", "write_npz"]


class CheckpointError(ValueError):
    """A parameter or checkpoint file is unreadable, corrupt, truncated or does not fit."""


def write_npz(path: str | os.PathLike[str], arrays: Mapping[str, Any]) -> None:
    """Write ``arrays`` (name -> host array) to ``path`` atomically.

    The data goes to a temporary file next to ``path`` that then replaces it, so an
    interrupted write never damages an existing file.
    """
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            host: dict[str, Any] = {k: numpy.asarray(v) for k, v in arrays.items()}
            numpy.savez(f, **host)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def read_npz(path: str | os.PathLike[str]) -> dict[str, numpy.ndarray]:
    """Every array of the ``.npz`` file ``path``, read fully and checked, without pickle.

    Raises
    ------
    CheckpointError
        The file is missing, not an ``.npz`` archive, corrupt or truncated, or holds objects
        that would need pickle.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise CheckpointError(f"no such parameter file: {path!r}; check the path")
    try:
        # our own file handle: numpy never leaves one open when the archive is broken
        with open(path, "rb") as fh:
            data = numpy.load(fh, allow_pickle=False)
            if not isinstance(data, numpy.lib.npyio.NpzFile):
                raise CheckpointError(
                    f"{path!r} is a single .npy array, not an .npz archive of named arrays; "
                    "save it with ModelBase.save or Solver.save_checkpoint"
                )
            try:
                return {k: numpy.array(data[k]) for k in data.files}
            finally:
                data.close()
    except CheckpointError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise CheckpointError(
            f"cannot read {path!r}: the file is corrupt, truncated or not an .npz archive "
            f"({type(exc).__name__}: {exc}); nothing was loaded; use an intact copy or retrain"
        ) from exc


class ModelBase:
    """Base class of a model: parameters, auxiliary parameters, ``forward`` and ``loss``.

    Attributes
    ----------
    params
        Trainable parameters by name (Arrays); filled by ``init_params`` or a ``Solver``.
    param_configs
        ``{name: {"shape": shape, "init_rule": ..., "init_config": ...}}``.
    aux_params
        Auxiliary parameters by name (e.g. batchnorm running statistics): saved with the model,
        never differentiated.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> from minpy.nn.model import ModelBase
    >>> class Linear(ModelBase):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.add_param("w", (3, 2)).add_param("b", (2,), init_rule="constant")
    ...     def forward(self, X, mode):
    ...         return layers.affine(X, self.params["w"], self.params["b"])
    ...     def loss(self, predict, y):
    ...         return layers.softmax_cross_entropy(predict, y)
    >>> model = Linear().init_params("xavier")
    >>> model.forward(np.ones((4, 3), dtype="float32"), "test").shape
    (4, 2)
    """

    def __init__(self) -> None:
        self.params: dict[str, Array] = {}
        self.param_configs: dict[str, dict[str, Any]] = {}
        self.aux_params: dict[str, Array] = {}
        self.aux_param_configs: dict[str, Any] = {}

    # declaration ----------------------------------------------------------------------------
    def add_param(self, name: str, shape: Any, **kwargs: Any) -> ModelBase:
        """Declare trainable parameter ``name`` of ``shape``; ``init_rule``/``init_config``
        kwargs override the solver's rule for it. Returns the model (calls chain)."""
        self._check_new(name, self.param_configs, "parameter")
        shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
        self.param_configs[name] = {"shape": shape, **kwargs}
        return self

    def add_params(self, param_dict: Mapping[str, Mapping[str, Any]]) -> ModelBase:
        """Declare several parameters: ``{name: {"shape": ..., ...}}``."""
        for name, cfg in param_dict.items():
            cfg = dict(cfg)
            self.add_param(name, cfg.pop("shape"), **cfg)
        return self

    def add_aux_param(self, name: str, value: Any) -> ModelBase:
        """Declare auxiliary parameter ``name`` with initial ``value`` (not trained)."""
        self._check_new(name, self.aux_param_configs, "auxiliary parameter")
        self.aux_param_configs[name] = value
        self.aux_params[name] = np.array(value)
        return self

    @staticmethod
    def _check_new(name: str, table: Mapping[str, Any], what: str) -> None:
        if not isinstance(name, str) or not name or ":" in name:
            raise ValueError(f"{what} name must be a non-empty string without ':', got {name!r}")
        if name in table:
            raise ValueError(f"duplicate {what} name {name!r}; give each one a distinct name")

    def init_params(
        self,
        init_rule: Any = "xavier",
        init_config: Mapping[str, Any] | None = None,
        device: Device | None = None,
    ) -> ModelBase:
        """Create every declared parameter with its own rule, or ``init_rule``.

        A parameter's own ``init_config`` entries override those of ``init_config``. Also
        resets the auxiliary parameters to their declared values. Returns the model.
        """
        for name, cfg in self.param_configs.items():
            rule = _init.get(cfg.get("init_rule", init_rule))
            # the parameter's own config refines the default one (dtype, device stay shared)
            conf = {**(init_config or {}), **(cfg.get("init_config") or {})}
            if device is not None:
                conf["device"] = device
            self.params[name] = rule(cfg["shape"], conf)
        for name, value in self.aux_param_configs.items():
            self.aux_params[name] = np.array(value, device=device)
        return self

    # to override ----------------------------------------------------------------------------
    def forward(self, X: Array, mode: str) -> Array:
        """The model's output for inputs ``X``; ``mode`` is ``"train"`` or ``"test"``."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(X, mode)")

    def loss(self, predict: Array, y: Array) -> Array:
        """The scalar loss of ``predict`` (``forward``'s output) against labels ``y``."""
        raise NotImplementedError(f"{type(self).__name__} must define loss(predict, y)")

    def forward_batch(self, batch: Any, mode: str) -> Array:
        """``forward`` on a batch of ``NDArrayIter`` (its first data array)."""
        return self.forward(batch.data[0], mode)

    def loss_batch(self, batch: Any, forward_outputs: Array) -> Array:
        """``loss`` on a batch of ``NDArrayIter`` (its first label array)."""
        return self.loss(forward_outputs, batch.label[0])

    # saving ---------------------------------------------------------------------------------
    def state_arrays(self) -> dict[str, numpy.ndarray]:
        """Host copies of the parameters (``param:<name>``) and aux (``aux:<name>``)."""
        out = {f"param:{k}": v.asnumpy() for k, v in self.params.items()}
        out.update({f"aux:{k}": numpy.asarray(v) for k, v in self.aux_params.items()})
        return out

    def load_state_arrays(
        self, arrays: Mapping[str, numpy.ndarray], source: str = "the file"
    ) -> None:
        """Set parameters from ``state_arrays``-style host arrays, all or nothing."""
        new_params: dict[str, Array] = {}
        for name, cfg in self.param_configs.items():
            key = f"param:{name}"
            if key not in arrays:
                raise CheckpointError(
                    f"{source} has no parameter {name!r} (it has "
                    f"{sorted(k[6:] for k in arrays if k.startswith('param:'))!r}); "
                    "was it saved from a different model?"
                )
            value = arrays[key]
            if tuple(value.shape) != tuple(cfg["shape"]):
                raise CheckpointError(
                    f"{source}: parameter {name!r} has shape {tuple(value.shape)!r} but the "
                    f"model declares {tuple(cfg['shape'])!r}; build the model with the sizes "
                    "it was saved with"
                )
            old = self.params.get(name)
            new_params[name] = np.array(value, device=None if old is None else old.device)
        new_aux: dict[str, Array] = {}
        for name in self.aux_param_configs:
            key = f"aux:{name}"
            if key not in arrays:
                raise CheckpointError(
                    f"{source} has no auxiliary parameter {name!r}; was it saved from a "
                    "different model?"
                )
            new_aux[name] = np.array(arrays[key])
        self.params.update(new_params)
        self.aux_params.update(new_aux)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters and auxiliary parameters to the ``.npz`` file ``path``.

        The write is atomic: an existing file is replaced only once the new one is complete.
        """
        write_npz(path, self.state_arrays())

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read parameters saved by ``save`` (no pickle; nothing changes on any error).

        Raises
        ------
        CheckpointError
            The file is missing, corrupt or truncated, or does not fit this model's
            declared parameters.
        """
        self.load_state_arrays(read_npz(path), repr(os.fspath(path)))
