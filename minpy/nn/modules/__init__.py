"""``minpy.nn.modules``: MinPy's module API of its last releases (HEAD), on NumPy/CuPy.

A network is a tree of modules assigned as attributes of a ``Model``; each ``Layer`` keeps
its parameters in that model, named ``'<layer name>_<local name>'`` (``'fullyconnected0_weight'``)
and created on the layer's first call from the shapes of its inputs. Calling the model runs
``forward`` and the loss under autograd and returns the loss; ``model.backward()`` gives the
gradients by name and an ``Updater`` applies ``minpy.nn.optim`` rules to them::

    class MLP(Model):
        def __init__(self):
            super().__init__(loss="softmax_loss")
            self.net = Sequential(FullyConnected(num_hidden=64), ReLU(),
                                  FullyConnected(num_hidden=10))

        def forward(self, X, mode="training"):
            return self.net(X)

    model = MLP()
    updater = Updater(model, update_rule="sgd_momentum", learning_rate=0.1)
    loss = model(X, labels=y)
    updater(model.backward())

MinPy kept ``Module``, ``Sequential``, ``Model``, ``Updater``, ... in ``minpy.nn.model_builder``
and the layers here; in minpy, ``minpy.nn.model_builder`` is the older v0.3 API (with its own
``Sequential`` and ``Model``), so the whole HEAD API is here: replace
``from minpy.nn.model_builder import *`` by ``from minpy.nn.modules import *``. The layers take
MXNet's arguments (``FullyConnected(num_hidden)``, ``Convolution(kernel, num_filter)``, ...)
and weight layouts but run ``minpy.nn.layers``; ``Symbolic`` (an MXNet symbol) cannot exist.

``base`` holds the module machinery, ``model`` the ``Model`` and ``Updater``, ``basic``,
``dense``, ``conv`` and ``recurrent`` the layers; this file only re-exports.
"""

from __future__ import annotations

from minpy.nn.modules.base import (
    Add,
    Binary,
    Container,
    Layer,
    Module,
    Mul,
    Parallel,
    Sequential,
    Sub,
    default_init_config,
)
from minpy.nn.modules.basic import (
    BatchFlatten,
    BatchReshape,
    Dropout,
    Flatten,
    Identity,
    Logistic,
    ReLU,
    Reshape,
    Symbolic,
    Tanh,
    Variable,
)
from minpy.nn.modules.conv import Convolution, Pooling
from minpy.nn.modules.dense import BatchNorm, Embedding, FullyConnected
from minpy.nn.modules.model import Model, Updater
from minpy.nn.modules.recurrent import LSTM, RNN

__all__ = [
    "LSTM",
    "RNN",
    "Add",
    "BatchFlatten",
    "BatchNorm",
    "BatchReshape",
    "Binary",
    "Container",
    "Convolution",
    "Dropout",
    "Embedding",
    "Flatten",
    "FullyConnected",
    "Identity",
    "Layer",
    "Logistic",
    "Model",
    "Module",
    "Mul",
    "Parallel",
    "Pooling",
    "ReLU",
    "Reshape",
    "Sequential",
    "Sub",
    "Symbolic",
    "Tanh",
    "Updater",
    "Variable",
    "default_init_config",
]
