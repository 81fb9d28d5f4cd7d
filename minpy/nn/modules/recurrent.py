"""One step of a recurrent cell, with MXNet's fully connected weight layout: ``RNN``
(Elman: ``act(x W_i2hᵀ + h W_h2hᵀ + b)``) and ``LSTM`` (gates i, f, o, g), each with
``act_type`` one of ``'relu'``, ``'sigmoid'``, ``'softrelu'``, ``'tanh'``.

A missing hidden (or cell) state is zeros. Parameters: ``i2h_weight`` ``(G·H, D)`` (no
input bias, as MinPy's), ``h2h_weight`` ``(G·H, H)`` and ``h2h_bias`` ``(G·H,)``, with G = 1
for the RNN and 4 for the LSTM. The maths is ``minpy.nn.layers``' activations on
``minpy.numpy`` products; sequences are Python loops over steps in the model's ``forward``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.nn import layers
from minpy.nn.modules.base import Layer, Shape

__all__ = ["LSTM", "RNN"]

_ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "relu": layers.relu,
    "sigmoid": layers.sigmoid,
    "softrelu": layers.softplus,
    "tanh": layers.tanh,
}


class _Cell(Layer):
    """What ``RNN`` and ``LSTM`` share: arguments, parameters, the gate pre-activations."""

    _gates = 1
    i2h_weight: str
    h2h_weight: str
    h2h_bias: str

    def __init__(
        self,
        num_hidden: int,
        act_type: str = "tanh",
        init_configs: Mapping[Any, Any] | None = None,
        update_configs: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        where = type(self).__name__
        if not isinstance(num_hidden, int) or isinstance(num_hidden, bool) or num_hidden < 1:
            raise ValueError(f"{where}: num_hidden must be a positive int, got {num_hidden!r}")
        if act_type not in _ACTIVATIONS:
            raise ValueError(
                f"{where}: act_type must be one of {sorted(_ACTIVATIONS)}, got {act_type!r}"
            )
        self._num_hidden = num_hidden
        self._act = _ACTIVATIONS[act_type]
        super().__init__(
            ("i2h_weight", "h2h_weight", "h2h_bias"),
            name=name,
            init_configs=init_configs,
            update_configs=update_configs,
        )

    def _state(self, data: Array, state: Any) -> Array:
        if state is None:
            return np.zeros((data.shape[0], self._num_hidden), dtype=data.dtype, device=data.device)
        return state  # type: ignore[no-any-return]

    def _preactivation(self, data: Array, hidden: Array) -> Array:
        wi, wh, b = self._get_params(self.i2h_weight, self.h2h_weight, self.h2h_bias)
        flat = np.reshape(data, (data.shape[0], -1))
        return np.dot(flat, np.transpose(wi)) + layers.affine(hidden, np.transpose(wh), b)

    def param_shapes(self, data_shape: Shape | None, *args: Any, **kwargs: Any) -> dict[str, Shape]:
        if data_shape is None or len(data_shape) < 2:
            raise ValueError(
                f"{self._name}: data must be an (N, D) array for one step, got shape {data_shape!r}"
            )
        g, h = self._gates * self._num_hidden, self._num_hidden
        return {
            self.i2h_weight: (g, math.prod(data_shape[1:])),
            self.h2h_weight: (g, h),
            self.h2h_bias: (g,),
        }


class RNN(_Cell):
    """One Elman step: ``act(data W_i2hᵀ + hidden W_h2hᵀ + b)``; ``forward(data, hidden=None)``.

    Examples
    --------
    >>> from minpy.nn.modules import Model, RNN
    >>> model = Model()
    >>> model.rnn = RNN(num_hidden=3, act_type="tanh", name="rnn")
    >>> h = model.rnn(np.ones((2, 5)))
    >>> model.rnn(np.ones((2, 5)), h).shape, model.params["rnn_h2h_weight"].shape
    ((2, 3), (3, 3))
    """

    _module_name = "rnn"

    def forward(self, data: Array, hidden: Array | None = None) -> Array:
        return self._act(self._preactivation(data, self._state(data, hidden)))


class LSTM(_Cell):
    """One LSTM step; ``forward(data, hidden=None, cell=None)`` returns ``(next_h, next_c)``.

    The 4H pre-activations are the gates in the order input, forget, output (sigmoids) and
    candidate (tanh): ``next_c = f * cell + i * g`` and ``next_h = o * act(next_c)``.

    Examples
    --------
    >>> from minpy.nn.modules import LSTM, Model
    >>> model = Model()
    >>> model.lstm = LSTM(num_hidden=3, act_type="tanh", name="lstm")
    >>> h, c = model.lstm(np.ones((2, 5)))
    >>> h.shape, c.shape, model.params["lstm_i2h_weight"].shape
    ((2, 3), (2, 3), (12, 5))
    """

    _module_name = "lstm"
    _gates = 4

    def forward(
        self, data: Array, hidden: Array | None = None, cell: Array | None = None
    ) -> tuple[Array, Array]:
        h = self._num_hidden
        a = self._preactivation(data, self._state(data, hidden))
        gates = layers.sigmoid(a[:, : 3 * h])
        i, f, o = gates[:, :h], gates[:, h : 2 * h], gates[:, 2 * h :]
        g = layers.tanh(a[:, 3 * h :])
        next_c = f * self._state(data, cell) + i * g
        return o * self._act(next_c), next_c
