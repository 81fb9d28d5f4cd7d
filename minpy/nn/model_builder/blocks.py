"""The model builder's layers: ``Affine``, ``Convolution``, ``Pooling``,
``BatchNormalization``, ``SpatialBatchNormalization``, ``Dropout``, the activations ``ReLU``,
``Sigmoid``, ``Tanh``, and ``Identity``, ``Export``, ``Flatten``, ``Reshape``.

Each runs a ``minpy.nn.layers`` function and knows its per-sample output shape and its
parameters' shapes and settings. Containers and the protocol are in ``base``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.nn import layers
from minpy.nn._arguments import int_pair
from minpy.nn.model_builder.base import (
    MODE_KEY,
    Module,
    Shape,
    checked_index,
    image_shape_of,
    normal_shape,
    window_size,
)

__all__ = [
    "Affine",
    "BatchNormalization",
    "Convolution",
    "Dropout",
    "Export",
    "Flatten",
    "Identity",
    "Pooling",
    "ReLU",
    "Reshape",
    "Sigmoid",
    "SpatialBatchNormalization",
    "Tanh",
]


class _Parametric(Module):
    """A layer with a weight and a bias, named ``'<prefix><k>_weight'``/``'..._bias'``."""

    prefix = ""

    def __init__(self, initializer: Mapping[str, Any] | None) -> None:
        k = checked_index(type(self))
        self.weight = f"{self.prefix}{k}_weight"
        self.bias = f"{self.prefix}{k}_bias"
        self.initializer = initializer
        self._settings = self._initialize(initializer)

    def _initialize(self, initializer: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
        settings = {self.weight: {"init_rule": "xavier"}, self.bias: {"init_rule": "constant"}}
        if initializer is None:
            return settings
        local = {"weight": self.weight, "bias": self.bias}
        if not isinstance(initializer, Mapping):
            raise TypeError(
                f"{type(self).__name__}: initializer must be a dict of parameter settings, got "
                f"{initializer!r}; e.g. {{'weight': {{'init_rule': 'gaussian'}}}}"
            )
        for key, setting in initializer.items():
            name = local.get(key, key)
            if name not in settings or not isinstance(setting, Mapping):
                raise ValueError(
                    f"{type(self).__name__}: initializer entry {key!r}: {setting!r} names no "
                    f"parameter of this layer or is not a dict; use keys {sorted(local)} (or "
                    f"{self.weight!r}, {self.bias!r}) with add_param settings such as "
                    "{'init_rule': 'gaussian', 'init_config': {'stdvar': 0.01}}"
                )
            settings[name] = dict(setting)
        return settings

    def parameter_settings(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self._settings.items()}


class Affine(_Parametric):
    """Fully connected layer ``layers.affine``: weight ``(D, hidden_number)`` (xavier), bias
    ``(hidden_number,)`` (zeros); inputs with several axes per sample are flattened.

    ``initializer`` replaces the settings of the parameters it names: keys ``'weight'`` and
    ``'bias'`` (or the full names), values ``add_param`` keyword arguments.

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> fc = builder.Affine(10)
    >>> fc.parameter_shape((1, 8, 8))[fc.weight], fc.output_shape((1, 8, 8))
    ((64, 10), (10,))
    """

    count = 0
    prefix = "affine"

    def __init__(self, hidden_number: int, initializer: Mapping[str, Any] | None = None) -> None:
        if not isinstance(hidden_number, int) or hidden_number < 1:
            raise ValueError(f"Affine: hidden_number must be a positive int, got {hidden_number!r}")
        self.hidden_number = hidden_number
        super().__init__(initializer)

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        return layers.affine(inputs, params[self.weight], params[self.bias])

    def output_shape(self, input_shape: Shape) -> Shape:
        return (self.hidden_number,)

    def parameter_shape(self, input_shape: Shape) -> dict[str, Shape]:
        features = math.prod(input_shape)
        return {self.weight: (features, self.hidden_number), self.bias: (self.hidden_number,)}


class Convolution(_Parametric):
    """2-D convolution ``layers.conv2d`` of ``(C, H, W)`` samples: ``kernel_number`` filters
    of ``kernel_shape``; weight ``(F, C, KH, KW)`` (xavier), bias ``(F,)`` (zeros).

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> conv = builder.Convolution((3, 3), 8, pad=(1, 1))
    >>> conv.output_shape((1, 8, 8)), conv.parameter_shape((1, 8, 8))[conv.weight]
    ((8, 8, 8), (8, 1, 3, 3))
    """

    count = 0
    prefix = "convolution"

    def __init__(
        self,
        kernel_shape: Any,
        kernel_number: int,
        stride: Any = (1, 1),
        pad: Any = (0, 0),
        initializer: Mapping[str, Any] | None = None,
    ) -> None:
        self.kernel_shape = int_pair(kernel_shape, "Convolution: kernel_shape", 1)
        if not isinstance(kernel_number, int) or kernel_number < 1:
            raise ValueError(
                f"Convolution: kernel_number must be a positive int, got {kernel_number!r}"
            )
        self.kernel_number = kernel_number
        self.stride = int_pair(stride, "Convolution: stride", 1)
        self.pad = int_pair(pad, "Convolution: pad", 0)
        super().__init__(initializer)

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        w, b = params[self.weight], params[self.bias]
        return layers.conv2d(inputs, w, b, stride=self.stride, pad=self.pad)

    def output_shape(self, input_shape: Shape) -> Shape:
        _, h, w = image_shape_of("Convolution", input_shape)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_shape, self.stride, self.pad
        oh, ow = (
            window_size("Convolution", h, kh, sh, ph),
            window_size("Convolution", w, kw, sw, pw),
        )
        return (self.kernel_number, oh, ow)

    def parameter_shape(self, input_shape: Shape) -> dict[str, Shape]:
        c = image_shape_of("Convolution", input_shape)[0]
        weight = (self.kernel_number, c, *self.kernel_shape)
        return {self.weight: weight, self.bias: (self.kernel_number,)}


class Pooling(Module):
    """Pooling of ``(C, H, W)`` samples: ``mode`` ``'max'``, ``'avg'`` or ``'sum'`` over
    ``kernel_shape`` windows. As in MXNet the stride defaults to 1 (not to the kernel); ``pad``
    (smaller than the kernel) pads with -inf for ``'max'`` and zeros otherwise, so an average
    counts padded entries.

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> builder.Pooling("max", (2, 2), (2, 2)).output_shape((8, 8, 8))
    (8, 4, 4)
    """

    _MODES = ("max", "avg", "sum")

    def __init__(
        self, mode: str, kernel_shape: Any, stride: Any = (1, 1), pad: Any = (0, 0)
    ) -> None:
        if mode not in self._MODES:
            raise ValueError(f"Pooling: mode must be one of {self._MODES}, got {mode!r}")
        self.mode = mode
        self.kernel_shape = int_pair(kernel_shape, "Pooling: kernel_shape", 1)
        self.stride = int_pair(stride, "Pooling: stride", 1)
        self.pad = int_pair(pad, "Pooling: pad", 0)
        if any(p >= k for p, k in zip(self.pad, self.kernel_shape)):
            raise ValueError(
                f"Pooling: pad {self.pad!r} must be smaller than the kernel {self.kernel_shape!r}"
                " (a window of padding only has no value); use less padding"
            )

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        ph, pw = self.pad
        if ph or pw:
            fill = -math.inf if self.mode == "max" else 0.0
            widths = ((0, 0), (0, 0), (ph, ph), (pw, pw))
            inputs = np.pad(inputs, widths, constant_values=fill)
        if self.mode == "max":
            return layers.max_pool(inputs, self.kernel_shape, self.stride)
        out = layers.avg_pool(inputs, self.kernel_shape, self.stride)
        return out * math.prod(self.kernel_shape) if self.mode == "sum" else out

    def output_shape(self, input_shape: Shape) -> Shape:
        c, h, w = image_shape_of("Pooling", input_shape)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_shape, self.stride, self.pad
        return (c, window_size("Pooling", h, kh, sh, ph), window_size("Pooling", w, kw, sw, pw))


class BatchNormalization(Module):
    """Batch normalization ``layers.batchnorm`` of ``(D,)`` samples: gamma ``(D,)`` (ones) and
    beta ``(D,)`` (zeros) are parameters; the running statistics live on the module, as
    ``running_mean`` and ``running_variance`` (``None`` until the first training batch, then
    zeros-started as in MinPy). For ``(C, H, W)`` samples use ``SpatialBatchNormalization``.

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> bn = builder.BatchNormalization()
    >>> bn.parameter_shape((16,)) == {bn.gamma: (16,), bn.beta: (16,)}
    True
    """

    count = 0
    prefix = "BN"
    _ndim = 1

    def __init__(self, epsilon: float = 1e-5, momentum: float = 0.9) -> None:
        if not epsilon > 0:
            raise ValueError(f"{type(self).__name__}: epsilon must be positive, got {epsilon!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1], got {momentum!r}")
        self.epsilon = epsilon
        self.momentum = momentum
        self.running_mean: Array | None = None
        self.running_variance: Array | None = None
        k = checked_index(type(self))
        self.gamma = f"{self.prefix}{k}_gamma"
        self.beta = f"{self.prefix}{k}_beta"

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        out, self.running_mean, self.running_variance = layers.batchnorm(
            inputs,
            params[self.gamma],
            params[self.beta],
            params[MODE_KEY],
            self.epsilon,
            self.momentum,
            self.running_mean,
            self.running_variance,
        )
        return out

    def output_shape(self, input_shape: Shape) -> Shape:
        self._features(input_shape)
        return input_shape

    def _features(self, input_shape: Shape) -> int:
        if len(input_shape) != self._ndim:
            want = "(D,)" if self._ndim == 1 else "(C, H, W)"
            other = "SpatialBatchNormalization" if self._ndim == 1 else "BatchNormalization"
            raise ValueError(
                f"{type(self).__name__}: expects per-sample inputs of shape {want}, got "
                f"{input_shape!r}; use {other} or reshape first"
            )
        return input_shape[0]

    def parameter_shape(self, input_shape: Shape) -> dict[str, Shape]:
        d = self._features(input_shape)
        return {self.gamma: (d,), self.beta: (d,)}

    def parameter_settings(self) -> dict[str, dict[str, Any]]:
        return {
            self.gamma: {"init_rule": "constant", "init_config": {"value": 1.0}},
            self.beta: {"init_rule": "constant"},
        }


class SpatialBatchNormalization(BatchNormalization):
    """Per-channel batch normalization of ``(C, H, W)`` samples (``layers.batchnorm`` on 4-D
    inputs): gamma and beta ``(C,)``, named ``'SpatialBN<k>_gamma'``/``'..._beta'``."""

    count = 0
    prefix = "SpatialBN"
    _ndim = 3


class _Elementwise(Module):
    """A step that keeps the shape and has no parameters."""

    def output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class Dropout(_Elementwise):
    """``layers.dropout`` with drop probability ``p`` (MinPy's classic dropout: no rescaling in
    training, outputs scaled by ``1 - p`` in test mode)."""

    def __init__(self, p: float) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p is a probability of dropping, in [0, 1]; got {p!r}")
        self.probability = p

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        return layers.dropout(inputs, self.probability, params[MODE_KEY])


class Identity(_Elementwise):
    """Returns its input."""

    def forward(self, inputs: Any, params: Mapping[str, Any]) -> Any:
        return inputs


class ReLU(_Elementwise):
    """``layers.relu``."""

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        return layers.relu(inputs)


class Sigmoid(_Elementwise):
    """``layers.sigmoid`` (computed without overflow)."""

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        return layers.sigmoid(inputs)


class Tanh(_Elementwise):
    """``layers.tanh``."""

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        return layers.tanh(inputs)


class Export(Identity):
    """Identity that stores its latest input in ``storage[label]`` (``None`` until run), to
    look at intermediate results.

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> seen = {}
    >>> _ = builder.Export("hidden", seen).forward(np.ones(2), {})
    >>> seen
    {'hidden': array([1., 1.])}
    """

    def __init__(self, label: Any, storage: MutableMapping[Any, Any]) -> None:
        if not isinstance(storage, MutableMapping):
            raise TypeError(f"Export: storage must be a dict, got {storage!r}")
        if label in storage:
            raise ValueError(f"Export: label {label!r} is already in storage; use another label")
        self.label, self.storage = label, storage
        storage[label] = None

    def forward(self, inputs: Any, params: Mapping[str, Any]) -> Any:
        self.storage[self.label] = inputs
        return inputs


class Flatten(Module):
    """Flattens each sample: ``(N, d1, ..., dk)`` to ``(N, d1 * ... * dk)``."""

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        return np.reshape(inputs, (inputs.shape[0], -1))

    def output_shape(self, input_shape: Shape) -> Shape:
        return (math.prod(input_shape),)


class Reshape(Module):
    """Reshapes each sample to ``shape`` (one entry may be -1): ``(N, ...)`` to ``(N,) + shape``.

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> builder.Reshape((1, 8, -1)).output_shape((64,))
    (1, 8, 8)
    """

    def __init__(self, shape: Any) -> None:
        self.shape = normal_shape(shape)
        if self.shape.count(-1) > 1 or any(d < -1 or d == 0 for d in self.shape):
            raise ValueError(
                f"Reshape: shape must hold positive sizes and at most one -1, got {shape!r}"
            )

    def forward(self, inputs: Array, params: Mapping[str, Any]) -> Array:
        return np.reshape(inputs, (inputs.shape[0], *self.shape))

    def output_shape(self, input_shape: Shape) -> Shape:
        size, known = math.prod(input_shape), -math.prod(self.shape)
        shape = (
            tuple(size // known if d == -1 else d for d in self.shape) if known > 0 else self.shape
        )
        if math.prod(shape) != size:
            raise ValueError(
                f"Reshape: samples of shape {input_shape!r} ({size} values) cannot be reshaped "
                f"to {self.shape!r}; give a shape of {size} values"
            )
        return shape
