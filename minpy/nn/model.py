"""``ModelBase``: the parameters, auxiliary parameters and forward/loss of a model.

Subclasses declare their trainable parameters with ``add_param(name, shape)`` and their
auxiliary ones (running statistics that backprop never updates) with ``add_aux_param``,
then write ``forward(X, mode)`` and ``loss(predict, y)`` with ``minpy.nn.layers``. Parameters
are saved to and loaded from ``.npz`` files without pickle, so loading a file never runs code;
loading is all or nothing: the file (``minpy.nn.checkpoint``, whose ``CheckpointError``,
``read_npz`` and ``write_npz`` are re-exported here) is checked against what the model
expects before anything changes. This module does not train (see ``minpy.nn.solver``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.context import Device
from minpy.nn import init as _init
from minpy.nn.checkpoint import (
    SOLVER_SECTIONS,
    CheckpointError,
    Entry,
    Expect,
    check_entries,
    dtype_kinds,
    read_npz,
    write_npz,
)

__all__ = [
    "CheckpointError",
    "ModelBase",
    "ParamsNameNotFoundError",
    "UnknownAccessModeError",
    "read_npz",
    "write_npz",
]


class ParamsNameNotFoundError(ValueError):
    """MinPy's error for an unknown parameter name; kept so that code catching it imports.
    Neither MinPy nor minpy raises it (a file that does not fit raises ``CheckpointError``)."""


class UnknownAccessModeError(ValueError):
    """MinPy's error for an unknown access mode; kept so that code catching it imports.
    Neither MinPy nor minpy raises it."""


# how an auxiliary parameter declared None and not yet set by forward is saved
_UNSET = numpy.zeros(0)


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
        never differentiated. One declared with the value ``None`` holds ``None`` until the
        model's ``forward`` stores an array in it (MinPy's batchnorm pattern).

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
    ...         return layers.softmax_loss(predict, y)
    >>> model = Linear().init_params("xavier")
    >>> model.forward(np.ones((4, 3), dtype="float32"), "test").shape
    (4, 2)
    """

    #: the parameters are made by the model's first call (minpy.nn.modules), not declared
    lazy_params = False

    def __init__(self) -> None:
        self.params: dict[str, Array] = {}
        self.param_configs: dict[str, dict[str, Any]] = {}
        self.aux_params: dict[str, Any] = {}  # Arrays, or None until forward sets them
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
        """Declare auxiliary parameter ``name`` with initial ``value`` (not trained).

        ``value`` may be ``None``: the parameter then holds ``None`` until ``forward`` stores
        an array in it, as MinPy's batchnorm example does (``layers.batchnorm`` starts its
        running statistics at zeros when given ``None``).

        Examples
        --------
        >>> from minpy.nn import layers
        >>> from minpy.nn.model import ModelBase
        >>> m = ModelBase().add_aux_param("running_mean", None)
        >>> m.aux_params["running_mean"] is None
        True
        >>> _, m.aux_params["running_mean"], _ = layers.batchnorm(
        ...     np.array([[1.0], [3.0]]), np.ones(1), np.zeros(1),
        ...     running_mean=m.aux_params["running_mean"])
        >>> m.aux_params["running_mean"]
        array([0.2])
        """
        self._check_new(name, self.aux_param_configs, "auxiliary parameter")
        self.aux_param_configs[name] = value
        self.aux_params[name] = None if value is None else np.array(value)
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
            self.aux_params[name] = None if value is None else np.array(value, device=device)
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
        """Host copies of the parameters (``param:<name>``) and aux (``aux:<name>``); an aux
        that is still ``None`` is written as an empty float array (read back as ``None``)."""
        out = {f"param:{k}": v.asnumpy() for k, v in self.params.items()}
        out.update(
            {
                f"aux:{k}": _UNSET if v is None else numpy.asarray(v)
                for k, v in self.aux_params.items()
            }
        )
        return out

    def _state_expectations(self) -> dict[str, Expect]:
        """What a file must hold for this model: every parameter and auxiliary parameter,
        with the declared shape and a dtype of the same kind as the model's array."""
        out: dict[str, Expect] = {}
        for name, cfg in self.param_configs.items():
            old = self.params.get(name)
            kinds = "f" if old is None else dtype_kinds(old.dtype)
            out[f"param:{name}"] = Expect(f"model's parameter {name!r}", tuple(cfg["shape"]), kinds)
        for name, declared in self.aux_param_configs.items():
            what = f"model's auxiliary parameter {name!r}"
            value = self.aux_params.get(name, declared)
            if declared is None:  # its shape is whatever forward stores; unset is empty
                kinds = "f" if value is None else dtype_kinds(value.dtype)
                out[f"aux:{name}"] = Expect(what, None, kinds)
                continue
            host = value if isinstance(value, Array) else numpy.asarray(value)
            out[f"aux:{name}"] = Expect(what, tuple(host.shape), dtype_kinds(host.dtype))
        return out

    def _prepare_state(
        self, arrays: Mapping[str, numpy.ndarray]
    ) -> tuple[dict[str, Array], dict[str, Any]]:
        """The new parameters and aux parameters from checked host arrays, on the devices of
        the ones they replace; the model is not changed."""
        params: dict[str, Array] = {}
        for name in self.param_configs:
            old = self.params.get(name)
            device = old.device if isinstance(old, Array) else None
            params[name] = np.array(arrays[f"param:{name}"], device=device)
        aux: dict[str, Any] = {}
        for name, declared in self.aux_param_configs.items():
            old = self.aux_params.get(name)
            device = old.device if isinstance(old, Array) else None
            host = arrays[f"aux:{name}"]
            unset = declared is None and host.size == 0
            aux[name] = None if unset else np.array(host, device=device)
        return params, aux

    def load_state_arrays(
        self, arrays: Mapping[str, numpy.ndarray], source: str = "the file"
    ) -> None:
        """Set parameters from ``state_arrays``-style host arrays, all or nothing.

        Every declared parameter and auxiliary parameter must be there with its shape and a
        dtype of the model's kind, and nothing else except the sections a Solver checkpoint
        adds (``meta:``, ``optim:``, ``best:``, ``hist:``, ``rng:``), which are ignored.

        Raises
        ------
        CheckpointError
            An entry is missing, unexpected, or of the wrong dtype or shape; nothing changed.
        """
        host = {k: numpy.asarray(v) for k, v in arrays.items()}
        found = {k: Entry(tuple(v.shape), v.dtype) for k, v in host.items()}
        check_entries(found, self._state_expectations(), {}, source, skip=SOLVER_SECTIONS)
        params, aux = self._prepare_state(host)
        self.params.update(params)
        self.aux_params.update(aux)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters and auxiliary parameters to the ``.npz`` file ``path``.

        The write is atomic: an existing file is replaced only once the new one is complete.
        """
        write_npz(path, self.state_arrays())

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read parameters saved by ``save`` (no pickle; nothing changes on any error).

        The file's headers are checked first: every declared parameter and auxiliary
        parameter must be there, with its declared shape and a dtype of the model's kind
        (real floats for parameters), and nothing else (the sections a Solver checkpoint adds
        are skipped, so a checkpoint loads too). Only then is data read, and only once all of
        it has been read does the model change.

        Raises
        ------
        CheckpointError
            The file is missing, corrupt, truncated or forged, or does not fit this model's
            declared parameters.
        """
        source = repr(os.fspath(path))
        expect = self._state_expectations()

        def check(found: dict[str, Entry]) -> list[str]:
            check_entries(found, expect, {}, source, skip=SOLVER_SECTIONS)
            return list(expect)

        params, aux = self._prepare_state(read_npz(path, check))
        self.params.update(params)
        self.aux_params.update(aux)
