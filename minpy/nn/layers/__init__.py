"""``minpy.nn.layers``: MinPy's neural-network layers and losses, as stateless functions.

Every function here is written in ``minpy.numpy`` operations only, so it runs unchanged on
every device (``cpu(0)``, ``gpu(i)``, test devices) and is differentiated by ``minpy.core``'s
autograd; nobody writes a backward pass. Nothing here imports NumPy or CuPy, keeps state, or
reads the current context except to draw dropout masks on the input's device.

The functions live by topic and are all re-exported here (use them as ``layers.affine``):
``dense`` (affine, activations, dropout, batch and layer normalization), ``conv``
(convolution and pooling), ``recurrent`` (embedding, RNN, LSTM and GRU steps and sequences)
and ``losses`` (softmax and the losses; MinPy's ``softmax_loss`` takes scores, its
``softmax_cross_entropy`` probabilities). ``_checks`` holds the argument checks they share
(label ranges; the shapes of weights, biases, scales and states, so that a wrong one is named
instead of an inner primitive failing). This file only re-exports; no layer is defined here.

Shapes follow MinPy (and cs231n): a batch is the first axis; images are ``(N, C, H, W)``;
sequences are ``(N, T, D)``; weights of ``affine`` are ``(D, M)``; convolution filters are
``(F, C, KH, KW)``.
"""

from __future__ import annotations

from minpy.nn.layers.conv import avg_pool, conv2d, max_pool
from minpy.nn.layers.dense import (
    affine,
    batchnorm,
    dropout,
    layernorm,
    leaky_relu,
    relu,
    sigmoid,
    softplus,
    tanh,
    temporal_affine,
)
from minpy.nn.layers.losses import (
    l2_loss,
    log_softmax,
    sigmoid_cross_entropy,
    softmax,
    softmax_cross_entropy,
    softmax_loss,
    svm_loss,
    temporal_softmax_loss,
)
from minpy.nn.layers.recurrent import (
    embedding,
    gru,
    gru_step,
    lstm,
    lstm_step,
    lstm_temporal,
    rnn,
    rnn_step,
    rnn_temporal,
)

__all__ = [
    "affine",
    "avg_pool",
    "batchnorm",
    "conv2d",
    "dropout",
    "embedding",
    "gru",
    "gru_step",
    "l2_loss",
    "layernorm",
    "leaky_relu",
    "log_softmax",
    "lstm",
    "lstm_step",
    "lstm_temporal",
    "max_pool",
    "relu",
    "rnn",
    "rnn_step",
    "rnn_temporal",
    "sigmoid",
    "sigmoid_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
    "softmax_loss",
    "softplus",
    "svm_loss",
    "tanh",
    "temporal_affine",
    "temporal_softmax_loss",
]
