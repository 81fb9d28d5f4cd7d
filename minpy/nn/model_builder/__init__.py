"""``minpy.nn.model_builder``: MinPy's declarative model builder (the v0.3 tutorial's API).

A network is a tree of modules (``Sequential``, ``Add``) whose leaves are layers (``Affine``,
``Convolution``, ``Pooling``, ``BatchNormalization``, activations, reshapers); ``Model`` turns
it into a ``ModelBase`` that ``minpy.nn.solver.Solver`` trains. Every module follows one
protocol, which custom modules implement too:

- ``forward(inputs, params)``: the output for a batch. ``params`` holds the model's
  parameters by name plus ``'__training_in_progress__'``: the mode, ``'train'`` or ``'test'``.
- ``output_shape(input_shape)`` and ``parameter_shape(input_shape)`` (``{name: shape}``), with
  *per-sample* shapes (``(64,)`` or ``(1, 8, 8)``, never the batch axis), so that ``Model`` can
  declare every parameter before any data is seen.
- ``parameter_settings()``: ``{name: add_param keyword arguments}`` (``init_rule``,
  ``init_config``); optional.

Parameters are named as in MinPy, from a counter per class: ``'affine<k>_weight'``,
``'convolution<k>_bias'``, ``'BN<k>_gamma'``, ``'SpatialBN<k>_beta'`` (reset a counter with
``Affine.count = 0`` to rebuild the same names). The layers run ``minpy.nn.layers``, so a model
built here runs on every device; MinPy's MXNet-backed convolution, pooling and spatial batch
norm map to ``conv2d``, ``max_pool``/``avg_pool`` and 4-D ``batchnorm``.

``base`` holds the protocol and the containers, ``blocks`` the layers, ``model`` the ``Model``;
this file only re-exports. Training is ``minpy.nn.solver``'s, the maths ``minpy.nn.layers``'.
"""

from __future__ import annotations

from minpy.nn.model_builder.base import (
    MODE_KEY,
    Add,
    Module,
    Sequential,
    normal_shape,
    swapaxes,
    transpose,
)
from minpy.nn.model_builder.blocks import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Export,
    Flatten,
    Identity,
    Pooling,
    ReLU,
    Reshape,
    Sigmoid,
    SpatialBatchNormalization,
    Tanh,
)
from minpy.nn.model_builder.model import Model

__all__ = [
    "MODE_KEY",
    "Add",
    "Affine",
    "BatchNormalization",
    "Convolution",
    "Dropout",
    "Export",
    "Flatten",
    "Identity",
    "Model",
    "Module",
    "Pooling",
    "ReLU",
    "Reshape",
    "Sequential",
    "Sigmoid",
    "SpatialBatchNormalization",
    "Tanh",
    "normal_shape",
    "swapaxes",
    "transpose",
]
