"""Dense layers with MXNet's arguments and weight layouts: ``FullyConnected`` (weight
``(num_hidden, D)``: ``y = x Wᵀ + b``), ``BatchNorm`` (with MXNet's ``eps=1e-3`` and
``fix_gamma=True``) and ``Embedding``.

Each runs ``minpy.nn.layers`` (``affine``, ``batchnorm``, ``embedding``), so it runs on every
device and is differentiated by autograd. Convolution and pooling live in ``conv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.nn import layers
from minpy.nn.modules.base import Layer, Shape

__all__ = ["BatchNorm", "Embedding", "FullyConnected"]


def _positive(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{what} must be a positive int, got {value!r}")
    return value


def _batch_of(shape: Shape | None, where: str, arg: str = "data") -> Shape:
    if shape is None or len(shape) < 2:
        raise ValueError(
            f"{where}: {arg} must be an array with a batch axis, (N, ...), got shape {shape!r}"
        )
    return shape


class FullyConnected(Layer):
    """``y = x Wᵀ + b`` with MXNet's weight layout ``(num_hidden, D)``; inputs of shape
    ``(N, d1, ..., dk)`` are flattened to ``(N, D)``.

    Parameters ``weight`` ``(num_hidden, D)`` (xavier) and, unless ``no_bias``, ``bias``
    ``(num_hidden,)`` (0). ``layers.affine``'s weight is the transpose, ``(D, num_hidden)``.

    Examples
    --------
    >>> from minpy.nn.modules import FullyConnected, Model
    >>> model = Model()
    >>> model.fc = FullyConnected(num_hidden=3, name="fc")
    >>> model.fc(np.ones((2, 4))).shape, model.params["fc_weight"].shape
    ((2, 3), (3, 4))
    """

    _module_name = "fullyconnected"
    weight: str
    bias: str

    def __init__(
        self,
        num_hidden: int,
        no_bias: bool = False,
        init_configs: Mapping[Any, Any] | None = None,
        update_configs: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        self._num_hidden = _positive(num_hidden, "FullyConnected: num_hidden")
        self._no_bias = bool(no_bias)
        params = ("weight",) if self._no_bias else ("weight", "bias")
        super().__init__(
            params, name=name, init_configs=init_configs, update_configs=update_configs
        )

    def forward(self, data: Array) -> Array:
        w, b = self._weight_and_bias(self._no_bias, self._num_hidden)
        return layers.affine(data, np.transpose(w), b)

    def param_shapes(self, data_shape: Shape | None, *args: Any) -> dict[str, Shape]:
        shape = _batch_of(data_shape, self._name)
        out: dict[str, Shape] = {self.weight: (self._num_hidden, math.prod(shape[1:]))}
        if not self._no_bias:
            out[self.bias] = (self._num_hidden,)
        return out


class BatchNorm(Layer):
    """Batch normalization over axis 1 of ``(N, C)`` or ``(N, C, H, W)`` inputs, with MXNet's
    arguments: ``eps`` (1e-3), ``momentum`` (0.9), ``fix_gamma`` (True: gamma is held at 1,
    so its gradient is 0) and ``use_global_stats`` (normalize with the moving statistics in
    training too).

    Parameters ``gamma`` (1) and ``beta`` (0), auxiliary parameters ``moving_mean`` (0) and
    ``moving_var`` (1), all ``(C,)``. In training mode it normalizes with the batch
    statistics and updates ``moving = momentum * moving + (1 - momentum) * batch``; in
    inference mode it uses the moving statistics.

    Examples
    --------
    >>> from minpy.nn.modules import BatchNorm, Model
    >>> model = Model()
    >>> model.bn = BatchNorm(name="bn")
    >>> model.bn(np.array([[1.0], [3.0]])).round(4)  # eps = 1e-3
    array([[-0.9995],
           [ 0.9995]])
    >>> model.aux_params["bn_moving_mean"]
    array([0.2])
    """

    _module_name = "batchnorm"
    gamma: str
    beta: str
    _moving_mean: str
    _moving_var: str

    def __init__(
        self,
        eps: float = 1e-3,
        momentum: float = 0.9,
        fix_gamma: bool = True,
        use_global_stats: bool = False,
        init_configs: Mapping[Any, Any] | None = None,
        update_configs: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        if not eps > 0 or not 0 <= momentum <= 1:
            raise ValueError(
                f"BatchNorm: eps must be > 0 and momentum in [0, 1], got eps={eps!r}, "
                f"momentum={momentum!r}"
            )
        self._eps, self._momentum = float(eps), float(momentum)
        self._fix_gamma, self._use_global_stats = bool(fix_gamma), bool(use_global_stats)
        super().__init__(
            ("gamma", "beta"),
            ("moving_mean", "moving_var"),
            name=name,
            init_configs=init_configs,
            update_configs=update_configs,
        )

    def forward(self, data: Array) -> Array:
        gamma, beta = self._get_params(self.gamma, self.beta)
        mean_name, var_name = self._moving_mean, self._moving_var
        mean, var = self._get_aux_params(mean_name, var_name)
        if self._fix_gamma:
            gamma = np.ones(gamma.shape, dtype=gamma.dtype, device=gamma.device)
        train = self._mode == "training" and not self._use_global_stats
        out, new_mean, new_var = layers.batchnorm(
            data,
            gamma,
            beta,
            "train" if train else "test",
            self._eps,
            self._momentum,
            running_mean=mean,
            running_var=var,
        )
        if train:
            self._set_aux_param(mean_name, new_mean)
            self._set_aux_param(var_name, new_var)
        return out

    def _channels(self, data_shape: Shape | None) -> Shape:
        shape = _batch_of(data_shape, self._name)
        return (shape[1],)

    def param_shapes(self, data_shape: Shape | None, *args: Any) -> dict[str, Shape]:
        c = self._channels(data_shape)
        return {self.gamma: c, self.beta: c}

    def aux_param_shapes(self, data_shape: Shape | None, *args: Any) -> dict[str, Shape]:
        c = self._channels(data_shape)
        return {self._moving_mean: c, self._moving_var: c}


class Embedding(Layer):
    """Rows of ``weight`` ``(input_dim, output_dim)`` picked by integer indices (float
    indices, as MXNet feeds them, are truncated): output shape ``data.shape + (output_dim,)``.

    Examples
    --------
    >>> from minpy.nn.modules import Embedding, Model
    >>> model = Model()
    >>> model.embed = Embedding(input_dim=10, output_dim=4, name="embed")
    >>> model.embed(np.array([[1, 2, 3]])).shape
    (1, 3, 4)
    """

    _module_name = "embedding"
    weight: str

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        init_configs: Mapping[Any, Any] | None = None,
        update_configs: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        self._input_dim = _positive(input_dim, "Embedding: input_dim")
        self._output_dim = _positive(output_dim, "Embedding: output_dim")
        super().__init__(
            ("weight",), name=name, init_configs=init_configs, update_configs=update_configs
        )

    def forward(self, data: Any) -> Array:
        w = self._get_param(self.weight)
        idx = np.asarray(data, device=w.device)
        if idx.dtype.kind == "f":
            idx = idx.astype("int64")
        return layers.embedding(idx, w)

    def param_shapes(self, *args: Any) -> dict[str, Shape]:
        return {self.weight: (self._input_dim, self._output_dim)}
