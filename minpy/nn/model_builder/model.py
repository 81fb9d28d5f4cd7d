"""The model builder's ``Model``: a ``ModelBase`` made of a network of modules, whose
parameters are declared from the network's shape inference, so that ``Solver`` trains it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minpy.array import Array
from minpy.nn import layers
from minpy.nn.model import ModelBase
from minpy.nn.model_builder.base import MODE_KEY, Module, _check_module, normal_shape

__all__ = ["Model"]

_LOSSES = {"l2": layers.l2_loss, "softmax": layers.softmax_loss, "svm": layers.svm_loss}


class Model(ModelBase):
    """A ``ModelBase`` made of ``container``, ready for ``Solver``: every parameter is declared
    with ``add_param(name, shape, **settings)`` from the container's shape inference.

    Parameters
    ----------
    container
        The network, a ``Module`` (usually a ``Sequential``).
    loss
        ``'l2'``, ``'softmax'`` or ``'svm'`` (``layers.<loss>_loss``), or a function
        ``loss(prediction, labels) -> scalar``.
    input_shape
        The shape of one sample, e.g. ``(64,)`` or ``(1, 8, 8)``; batches must have
        ``(N,) + input_shape``.

    Raises
    ------
    TypeError
        ``container`` is not a ``Module``.
    ValueError
        An unknown loss, a bad ``input_shape``, or a layer that does not fit the shape
        reaching it (the message names the layer).

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> builder.Affine.count = 0
    >>> net = builder.Sequential(builder.Affine(32), builder.ReLU(), builder.Affine(10))
    >>> model = builder.Model(net, "softmax", (64,))
    >>> sorted(model.param_configs)
    ['affine0_bias', 'affine0_weight', 'affine1_bias', 'affine1_weight']
    >>> model.init_params().forward(np.zeros((5, 64)), "test").shape
    (5, 10)
    """

    def __init__(self, container: Module, loss: str | Callable[..., Any], input_shape: Any) -> None:
        super().__init__()
        self.container = _check_module(container, "Model")
        if not callable(loss) and loss not in _LOSSES:
            raise ValueError(
                f"Model: unknown loss {loss!r}; use 'l2', 'softmax', 'svm' or a function "
                "loss(prediction, labels)"
            )
        self.loss_function = loss
        try:
            self.input_shape = normal_shape(input_shape)
        except (TypeError, ValueError):
            self.input_shape = ()
        if not self.input_shape or any(d < 1 for d in self.input_shape):
            raise ValueError(
                f"Model: input_shape must be the shape of one sample, positive ints such as "
                f"(64,) or (1, 8, 8), got {input_shape!r}"
            )
        self.output_shape = normal_shape(container.output_shape(self.input_shape))
        settings = container.parameter_settings()
        for name, shape in container.parameter_shape(self.input_shape).items():
            self.add_param(name, shape, **settings.get(name, {}))

    def forward(self, X: Array, mode: str) -> Any:
        """Run the container on the batch ``X`` ``(N,) + input_shape`` in ``mode``."""
        if mode not in ("train", "test"):
            raise ValueError(f"Model.forward: mode must be 'train' or 'test', got {mode!r}")
        if tuple(X.shape[1:]) != self.input_shape:
            raise ValueError(
                f"Model.forward: a batch of shape {tuple(X.shape)!r} does not fit input_shape "
                f"{self.input_shape!r}; reshape the data or start the network with "
                "builder.Reshape"
            )
        missing = [k for k in self.param_configs if k not in self.params]
        if missing:
            raise RuntimeError(
                f"Model.forward: parameters {missing!r} do not exist yet; call "
                "model.init_params() or solver.init() first"
            )
        params = {**self.params, MODE_KEY: mode}  # self.params stays parameters only
        return self.container.forward(X, params)

    def loss(self, predict: Any, y: Any) -> Any:
        """The loss of ``predict`` (``forward``'s output) against the labels ``y``."""
        if callable(self.loss_function):
            return self.loss_function(predict, y)
        return _LOSSES[self.loss_function](predict, y)
