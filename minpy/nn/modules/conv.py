"""Convolution and pooling over ``(N, C, H, W)`` images with MXNet's arguments:
``Convolution(kernel, num_filter, stride, pad, no_bias)`` on ``layers.conv2d`` and
``Pooling(kernel, pool_type, stride, pad, global_pool)`` on ``layers.max_pool``/``avg_pool``
(MXNet's stride defaults to 1, not to the kernel; padding is ``-inf`` for max pooling and
counted as zeros for average and sum pooling, as MXNet does).

Output sizes follow MXNet's default ``'valid'`` convention: ``(H + 2 pad - kernel) // stride
+ 1``. Dense layers live in ``dense``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.nn import layers
from minpy.nn._arguments import int_pair as _pair
from minpy.nn.modules.base import Layer, Shape

__all__ = ["Convolution", "Pooling"]

_POOL_TYPES = ("max", "avg", "sum")


def _image(shape: Shape | None, where: str) -> Shape:
    if shape is None or len(shape) != 4:
        raise ValueError(
            f"{where}: expects (N, C, H, W) images, got shape {shape!r}; put "
            "BatchReshape((C, H, W)) before it"
        )
    return shape


class Convolution(Layer):
    """2-D convolution with MXNet's arguments: ``kernel`` ``(KH, KW)``, ``num_filter`` F,
    ``stride`` and ``pad`` (default ``(1, 1)`` and ``(0, 0)``), ``no_bias``.

    Parameters ``weight`` ``(F, C, KH, KW)`` (xavier) and, unless ``no_bias``, ``bias``
    ``(F,)`` (0): the layout of ``layers.conv2d``, which runs it.

    Examples
    --------
    >>> from minpy.nn.modules import Convolution, Model
    >>> model = Model()
    >>> model.conv = Convolution(kernel=(3, 3), num_filter=4, pad=(1, 1), name="conv")
    >>> model.conv(np.ones((2, 1, 5, 5))).shape, model.params["conv_weight"].shape
    ((2, 4, 5, 5), (4, 1, 3, 3))
    """

    _module_name = "convolution"
    weight: str
    bias: str

    def __init__(
        self,
        kernel: Any,
        num_filter: int,
        stride: Any = (1, 1),
        pad: Any = (0, 0),
        no_bias: bool = False,
        init_configs: Mapping[Any, Any] | None = None,
        update_configs: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        self._kernel = _pair(kernel, "Convolution: kernel", 1)
        if not isinstance(num_filter, int) or isinstance(num_filter, bool) or num_filter < 1:
            raise ValueError(f"Convolution: num_filter must be a positive int, got {num_filter!r}")
        self._num_filter = num_filter
        self._stride = _pair(stride, "Convolution: stride", 1)
        self._pad = _pair(pad, "Convolution: pad", 0)
        self._no_bias = bool(no_bias)
        params = ("weight",) if self._no_bias else ("weight", "bias")
        super().__init__(
            params, name=name, init_configs=init_configs, update_configs=update_configs
        )

    def forward(self, data: Array) -> Array:
        w, b = self._weight_and_bias(self._no_bias, self._num_filter)
        return layers.conv2d(data, w, b, self._stride, self._pad)

    def param_shapes(self, data_shape: Shape | None, *args: Any) -> dict[str, Shape]:
        c = _image(data_shape, self._name)[1]
        out: dict[str, Shape] = {self.weight: (self._num_filter, c, *self._kernel)}
        if not self._no_bias:
            out[self.bias] = (self._num_filter,)
        return out


class Pooling(Layer):
    """Max, average or sum pooling with MXNet's arguments: ``kernel`` ``(KH, KW)``,
    ``pool_type`` (``'max'``, ``'avg'``, ``'sum'``), ``stride`` (default ``(1, 1)``, MXNet's),
    ``pad`` (default ``(0, 0)``) and ``global_pool`` (pool each whole feature map to 1x1;
    ``kernel``, ``stride`` and ``pad`` are then ignored).

    Examples
    --------
    >>> from minpy.nn.modules import Pooling
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> Pooling(kernel=(2, 2), pool_type="max", stride=(2, 2))(x)
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    >>> Pooling(kernel=(2, 2), pool_type="avg")(x).shape  # stride 1
    (1, 1, 3, 3)
    >>> Pooling(pool_type="avg", global_pool=True)(x)
    array([[[[7.5]]]])
    """

    _module_name = "pooling"

    def __init__(
        self,
        kernel: Any = None,
        pool_type: str = "max",
        stride: Any = (1, 1),
        pad: Any = (0, 0),
        global_pool: bool = False,
        name: str | None = None,
    ) -> None:
        if pool_type not in _POOL_TYPES:
            raise ValueError(f"Pooling: pool_type must be one of {_POOL_TYPES}, got {pool_type!r}")
        self._global = bool(global_pool)
        if kernel is None and not self._global:
            raise ValueError("Pooling: pass kernel=(KH, KW), or global_pool=True")
        self._kernel = None if kernel is None else _pair(kernel, "Pooling: kernel", 1)
        self._pool_type = pool_type
        self._stride = _pair(stride, "Pooling: stride", 1)
        self._pad = _pair(pad, "Pooling: pad", 0)
        super().__init__(name=name)

    def forward(self, data: Array) -> Array:
        shape = _image(tuple(data.shape), self._name)
        if self._global:
            kernel, stride, (ph, pw) = (shape[2], shape[3]), (1, 1), (0, 0)
        else:
            kernel, stride, (ph, pw) = self._kernel, self._stride, self._pad  # type: ignore[assignment]
        if ph or pw:
            fill = -np.inf if self._pool_type == "max" else 0.0
            widths = ((0, 0), (0, 0), (ph, ph), (pw, pw))
            data = np.pad(data, widths, constant_values=fill)
        if self._pool_type == "max":
            return layers.max_pool(data, kernel, stride)
        out = layers.avg_pool(data, kernel, stride)
        if self._pool_type == "sum":
            out = out * float(kernel[0] * kernel[1])
        return out
