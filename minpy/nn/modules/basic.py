"""Layers without weights of their own, and ``Variable``: ``Identity``, the activations
(``ReLU``, ``Logistic``, ``Tanh``), ``Dropout``, the reshapers (``Reshape``,
``BatchReshape``, ``Flatten``, ``BatchFlatten``) and ``Symbolic``, which cannot exist without
MXNet and says what to use instead.

Each runs a ``minpy.nn.layers`` function or a ``minpy.numpy`` reshape. Layers without
parameters need no ``Model``; layers with weights live in ``dense``, ``conv`` and
``recurrent``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.nn import layers
from minpy.nn.modules.base import Layer, Shape

__all__ = [
    "BatchFlatten",
    "BatchReshape",
    "Dropout",
    "Flatten",
    "Identity",
    "Logistic",
    "ReLU",
    "Reshape",
    "Symbolic",
    "Tanh",
    "Variable",
]


def _shape(shape: Any, where: str) -> Shape:
    try:
        out = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        out = None
    if out is None or not all(s >= -1 for s in out):
        raise ValueError(f"{where}: shape must be an int or a tuple of ints, got {shape!r}")
    return out


class Variable(Layer):
    """A free parameter ``'<name>_variable'`` of ``shape``; ``forward()`` returns it.

    Its default init config is constant 0 (pass ``init_configs`` for another).

    Examples
    --------
    >>> from minpy.nn.modules import Model, Variable
    >>> model = Model()
    >>> model.offset = Variable((2,), init_configs={"value": 3.0}, name="offset")
    >>> model.offset()
    array([3., 3.], dtype=float32)
    """

    _module_name = "variable"
    variable: str

    def __init__(
        self,
        shape: Any,
        init_configs: Mapping[Any, Any] | None = None,
        update_configs: Mapping[Any, Any] | None = None,
        name: str | None = None,
    ) -> None:
        self._shape = _shape(shape, "Variable")
        super().__init__(
            ("variable",), name=name, init_configs=init_configs, update_configs=update_configs
        )

    def forward(self) -> Array:
        return self._get_param(self.variable)

    def param_shapes(self, *args: Any, **kwargs: Any) -> dict[str, Shape]:
        return {self.variable: self._shape}


class Identity(Layer):
    """``forward(X) = X``.

    Examples
    --------
    >>> from minpy.nn.modules import Identity
    >>> Identity()(np.ones(2))
    array([1., 1.])
    """

    _module_name = "identity"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)

    def forward(self, X: Any) -> Any:
        return X


class ReLU(Layer):
    """``layers.relu``: ``max(X, 0)``.

    Examples
    --------
    >>> from minpy.nn.modules import ReLU
    >>> ReLU()(np.array([-1.0, 2.0]))
    array([0., 2.])
    """

    _module_name = "ReLU"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)

    def forward(self, X: Array) -> Array:
        return layers.relu(X)


class Logistic(Layer):
    """``layers.sigmoid``: ``1 / (1 + exp(-X))``.

    Examples
    --------
    >>> from minpy.nn.modules import Logistic
    >>> Logistic()(np.array([0.0]))
    array([0.5])
    """

    _module_name = "logistic"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)

    def forward(self, X: Array) -> Array:
        return layers.sigmoid(X)


class Tanh(Layer):
    """``layers.tanh``.

    Examples
    --------
    >>> from minpy.nn.modules import Tanh
    >>> Tanh()(np.array([0.0]))
    array([0.])
    """

    _module_name = "tanh"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)

    def forward(self, X: Array) -> Array:
        return layers.tanh(X)


class Dropout(Layer):
    """``layers.dropout`` with drop probability ``p``, MinPy's classic form: in training each
    entry is zeroed with probability ``p`` (no rescaling); in inference the input is scaled
    by ``1 - p``.

    Examples
    --------
    >>> from minpy.nn.modules import Dropout
    >>> drop = Dropout(0.25)
    >>> drop.inference()
    >>> drop(np.ones(2))
    array([0.75, 0.75])
    """

    _module_name = "dropout"

    def __init__(self, p: float, name: str | None = None) -> None:
        if not 0 <= p <= 1:
            raise ValueError(
                f"Dropout: p must be in [0, 1], got {p!r}; p is the probability of dropping "
                "an entry"
            )
        super().__init__(name=name)
        self._p = p

    def forward(self, X: Array) -> Array:
        return layers.dropout(X, self._p, "train" if self._mode == "training" else "test")


class Reshape(Layer):
    """Reshape the whole input (batch axis included) to ``shape``.

    Examples
    --------
    >>> from minpy.nn.modules import Reshape
    >>> Reshape((3, 2))(np.zeros((2, 3))).shape
    (3, 2)
    """

    _module_name = "reshape"

    def __init__(self, shape: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self._shape = _shape(shape, "Reshape")

    def forward(self, X: Array) -> Array:
        return np.reshape(X, self._shape)


class BatchReshape(Layer):
    """Reshape each example: ``(N, ...)`` to ``(N,) + shape``.

    Examples
    --------
    >>> from minpy.nn.modules import BatchReshape
    >>> BatchReshape((1, 2, 2))(np.zeros((5, 4))).shape
    (5, 1, 2, 2)
    """

    _module_name = "batch_reshape"

    def __init__(self, shape: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self._shape = _shape(shape, "BatchReshape")

    def forward(self, X: Array) -> Array:
        return np.reshape(X, (X.shape[0], *self._shape))


class Flatten(Layer):
    """Flatten the whole input (batch axis included) to one axis.

    Examples
    --------
    >>> from minpy.nn.modules import Flatten
    >>> Flatten()(np.zeros((2, 3))).shape
    (6,)
    """

    _module_name = "flatten"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)

    def forward(self, X: Array) -> Array:
        return np.reshape(X, (math.prod(X.shape),))


class BatchFlatten(Layer):
    """Flatten each example: ``(N, d1, ..., dk)`` to ``(N, d1 * ... * dk)``.

    Examples
    --------
    >>> from minpy.nn.modules import BatchFlatten
    >>> BatchFlatten()(np.zeros((2, 3, 4))).shape
    (2, 12)
    """

    _module_name = "batch_flatten"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)

    def forward(self, X: Array) -> Array:
        return np.reshape(X, (X.shape[0], math.prod(X.shape[1:])))


class Symbolic(Layer):
    """MinPy's wrapper of an MXNet symbol: there are no MXNet symbols in minpy.

    Raises
    ------
    NotImplementedError
        Always, saying what to use instead.
    """

    _module_name = "symbolic"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "minpy.nn.modules.Symbolic wraps an MXNet symbol, which minpy (NumPy/CuPy) does not "
            "have; write the layer's forward in Python with minpy.nn.layers or minpy.numpy "
            "(subclass minpy.nn.modules.Layer, declaring params and param_shapes), or use "
            "FullyConnected, Convolution, Pooling, BatchNorm, ..."
        )
