"""Dense layers and activations: ``affine`` (and ``temporal_affine`` for sequences), ``relu``,
``leaky_relu``, ``sigmoid``, ``tanh``, ``softplus``, ``dropout``, ``batchnorm`` and
``layernorm``.

Pure functions in ``minpy.numpy`` operations (see ``minpy.nn.layers``). Convolution,
recurrent layers and losses live in their own modules, which may use the activations here.
"""

from __future__ import annotations

from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.core import stop_gradient
from minpy.nn.layers._checks import check_broadcast, check_vector
from minpy.numpy.vjps._helpers import mask
from minpy.primitive import Primitive

__all__ = [
    "affine",
    "batchnorm",
    "dropout",
    "layernorm",
    "leaky_relu",
    "relu",
    "sigmoid",
    "softplus",
    "tanh",
    "temporal_affine",
]


def affine(x: Array, w: Array, b: Array) -> Array:
    """Fully connected layer ``x @ w + b``; ``x`` of shape ``(N, d1, ..., dk)`` is flattened.

    Parameters
    ----------
    x
        Inputs, shape ``(N, D)`` or ``(N, d1, ..., dk)`` with ``d1 * ... * dk == D``.
    w
        Weights, shape ``(D, M)``.
    b
        Biases, shape ``(M,)``.

    Returns
    -------
    Array
        Shape ``(N, M)``.

    Raises
    ------
    ValueError
        ``w`` is not 2-D, the features of ``x`` do not match its rows, or ``b`` does not fit
        its columns (``(M,)``, or ``(1, M)``).

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.affine(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
    array([[3., 3., 3., 3.],
           [3., 3., 3., 3.]])
    """
    if w.ndim != 2:
        raise ValueError(
            f"affine: w has shape {tuple(w.shape)!r}, expected a 2-D (D, M) matrix (D inputs, "
            "M outputs); pass w of shape (D, M)"
        )
    shape = x.shape
    if len(shape) != 2:
        d = 1
        for s in shape[1:]:
            d *= s
        x = np.reshape(x, (shape[0], d))
    if x.shape[1] != w.shape[0]:
        raise ValueError(
            f"affine: input of shape {tuple(shape)!r} has {x.shape[1]} features per example but "
            f"the weights of shape {tuple(w.shape)!r} expect {w.shape[0]}; reshape the input or "
            f"build the layer with input size {x.shape[1]}"
        )
    n, m = x.shape[0], w.shape[1]
    check_broadcast("affine", "b", b, (n, m), (m,), f"one bias per output, M = w.shape[1] = {m}")
    return np.dot(x, w) + b


def temporal_affine(x: Array, w: Array, b: Array) -> Array:
    """``affine`` at every step of sequences: ``x`` ``(N, T, D)`` @ ``w`` ``(D, M)`` + ``b``,
    giving ``(N, T, M)``.

    Raises
    ------
    ValueError
        ``x`` is not 3-D, ``w`` is not ``(D, M)``, or ``b`` does not fit its columns.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.temporal_affine(np.ones((2, 3, 4)), np.ones((4, 5)), np.zeros(5)).shape
    (2, 3, 5)
    """
    if x.ndim != 3:
        raise ValueError(
            f"temporal_affine: expected a batch of sequences of shape (N, T, D), got "
            f"{tuple(x.shape)!r}; for (N, D) inputs use layers.affine"
        )
    n, t, d = x.shape
    if w.ndim != 2 or w.shape[0] != d:
        raise ValueError(
            f"temporal_affine: w has shape {tuple(w.shape)!r}, expected ({d}, M) (D = {d} "
            "input features by M outputs); pass w of shape (D, M)"
        )
    m = w.shape[1]
    check_broadcast(
        "temporal_affine", "b", b, (n, t, m), (m,), f"one bias per output, M = w.shape[1] = {m}"
    )
    return np.reshape(np.dot(np.reshape(x, (n * t, d)), w), (n, t, m)) + b


def _relu(x: Any) -> Any:
    return numpy.maximum(x, 0)  # CuPy's arrays take NumPy's ufuncs (__array_ufunc__)


# one primitive, whose rule keeps only the output: g where the output is positive. At x = 0
# the gradient is 0, the subgradient minpy takes at a kink (as PyTorch's and JAX's relu do);
# np.maximum(x, 0) instead splits a tie in half, which costs a relu's backward pass three
# more passes over its activations wherever no branch on the data is allowed (minpy.jit)
_relu_prim = Primitive("nn.relu", impl=_relu, doc="max(x, 0), with gradient 0 at x = 0")
_relu_prim.defvjp(lambda g, ans, x: g * mask(ans > 0, g), keep="ans")


def relu(x: Array) -> Array:
    """Rectified linear unit ``max(x, 0)``; its gradient is 0 at ``x = 0``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    return _relu_prim(x)  # type: ignore[no-any-return]


def leaky_relu(x: Array, alpha: float = 0.01) -> Array:
    """``x`` where positive, ``alpha * x`` elsewhere (``0 <= alpha < 1``).

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.leaky_relu(np.array([-1.0, 2.0]), alpha=0.1)
    array([-0.1,  2. ])
    """
    if not 0 <= alpha < 1:
        raise ValueError(f"leaky_relu: alpha must be in [0, 1), got {alpha!r}")
    return np.maximum(x, alpha * x)


def sigmoid(x: Array) -> Array:
    """Logistic function ``1 / (1 + exp(-x))``, computed without overflow.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.sigmoid(np.array([0.0]))
    array([0.5])
    """
    # 0.5 * (1 + tanh(x / 2)) equals the logistic function and never overflows
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def tanh(x: Array) -> Array:
    """Hyperbolic tangent.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.tanh(np.array([0.0]))
    array([0.])
    """
    return np.tanh(x)


def softplus(x: Array) -> Array:
    """``log(1 + exp(x))``, computed without overflow.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> round(float(layers.softplus(np.array(0.0))), 4)
    0.6931
    """
    return np.logaddexp(0.0, x)


def dropout(
    x: Array,
    prob: float,
    mode: str = "train",
    seed: int | None = None,
    *,
    inverted: bool = False,
) -> Array:
    """Dropout with MinPy's meaning: zero each entry with probability ``prob`` in training,
    scale by ``1 - prob`` at test time.

    MinPy's dropout is the classic form: ``"train"`` mode keeps each entry with probability
    ``1 - prob`` and does not rescale; ``"test"`` mode returns ``x * (1 - prob)``, so both
    modes have the same expectation. With ``inverted=True`` the scaling moves to training
    (kept entries are scaled by ``1 / (1 - prob)``; ``"test"`` returns ``x`` itself).

    Parameters
    ----------
    x
        Inputs of any shape.
    prob
        The probability of dropping an entry, in ``[0, 1]`` (``[0, 1)`` when inverted).
    mode
        ``"train"`` or ``"test"``.
    seed
        If given, first reseed the generator of ``x``'s device (``np.random.seed``), so the
        mask is reproducible.
    inverted
        Scale in training instead of at test time.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.ones((2, 1000))
    >>> sorted(set(layers.dropout(x, 0.5).ravel().tolist()))
    [0.0, 1.0]
    >>> layers.dropout(x, 0.5, mode="test")[0, :3]
    array([0.5, 0.5, 0.5])
    >>> sorted(set(layers.dropout(x, 0.5, inverted=True).ravel().tolist()))
    [0.0, 2.0]
    """
    # prob == 1 (drop everything) is allowed only without rescaling
    if not (0 <= prob < 1 if inverted else 0 <= prob <= 1):
        allowed = "[0, 1) with inverted=True" if inverted else "[0, 1]"
        raise ValueError(
            f"dropout: prob must be in {allowed}, got {prob!r}; prob is the probability of "
            "dropping an entry"
        )
    _check_mode(mode, "dropout")
    if seed is not None:
        np.random.seed(seed, device=x.device)
    if prob == 0 or (mode == "test" and inverted):
        return x
    if mode == "test":
        return x * (1.0 - prob)
    keep = np.random.rand(*x.shape, device=x.device) > prob
    if inverted:
        return x * (keep * (1.0 / (1.0 - prob))).astype(x.dtype)
    return x * keep.astype(x.dtype)


def _check_mode(mode: str, where: str) -> None:
    if not isinstance(mode, str):
        # an array here is the running statistic of a call in the old (x, gamma, beta,
        # running_mean, running_var, mode) order; MinPy's order puts mode fourth
        raise TypeError(
            f"{where}: mode must be 'train' or 'test', got a {type(mode).__name__}; the "
            "arguments after beta are (mode, eps, momentum, running_mean, running_var) as in "
            "MinPy: pass running_mean=... and running_var=... by keyword"
        )
    if mode not in ("train", "test"):
        raise ValueError(f"{where}: mode must be 'train' or 'test', got {mode!r}")


def batchnorm(
    x: Array,
    gamma: Array,
    beta: Array,
    mode: str = "train",
    eps: float = 1e-5,
    momentum: float = 0.9,
    running_mean: Array | None = None,
    running_var: Array | None = None,
) -> tuple[Array, Array, Array]:
    """Batch normalization over the batch (and, for ``(N, C, H, W)``, spatial) axes.

    Parameters
    ----------
    x
        ``(N, D)`` features or ``(N, C, H, W)`` images (normalized per channel).
    gamma, beta
        Scale and shift, shape ``(D,)`` or ``(C,)``.
    mode
        ``"train"`` normalizes with the batch statistics and updates the running ones;
        ``"test"`` normalizes with the running statistics.
    eps, momentum
        Variance floor; ``running = momentum * running + (1 - momentum) * batch``.
    running_mean, running_var
        The running statistics (auxiliary parameters). ``None`` (a model's auxiliary
        parameter declared with ``add_aux_param(name, None)``) starts them at zeros, as
        MinPy does, the variance included.

    Returns
    -------
    tuple of Array
        ``(out, running_mean, running_var)``. The new running statistics carry no gradient:
        store them back as the model's auxiliary parameters.

    Raises
    ------
    ValueError
        ``x`` is neither 2-D nor 4-D, or ``gamma``, ``beta`` or a running statistic does not
        hold one value per feature (channel).

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.array([[1.0, 2.0], [3.0, 6.0]])
    >>> out, mean, var = layers.batchnorm(x, np.ones(2), np.zeros(2))
    >>> out.round(3)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> mean, var
    (array([0.2, 0.4]), array([0.1, 0.4]))
    """
    _check_mode(mode, "batchnorm")
    if x.ndim == 4:
        axes: tuple[int, ...] = (0, 2, 3)
        shape: tuple[int, ...] = (1, x.shape[1], 1, 1)
    elif x.ndim == 2:
        axes, shape = (0,), (1, x.shape[1])
    else:
        raise ValueError(
            f"batchnorm: expected (N, D) or (N, C, H, W) input, got shape {tuple(x.shape)!r}"
        )
    channels = shape[1]
    meaning = f"one per {'channel' if x.ndim == 4 else 'feature'}, x.shape[1] = {channels}"
    check_vector("batchnorm", "gamma", gamma, (channels,), meaning)
    check_vector("batchnorm", "beta", beta, (channels,), meaning)
    check_vector("batchnorm", "running_mean", running_mean, (channels,), meaning)
    check_vector("batchnorm", "running_var", running_var, (channels,), meaning)
    if running_mean is None:
        running_mean = np.zeros(channels, dtype=x.dtype, device=x.device)
    if running_var is None:
        running_var = np.zeros(channels, dtype=x.dtype, device=x.device)
    g = np.reshape(gamma, shape)
    b = np.reshape(beta, shape)
    if mode == "train":
        mean = np.mean(x, axis=axes, keepdims=True)
        centred = x - mean
        var = np.mean(centred * centred, axis=axes, keepdims=True)
        out = centred * (g / np.sqrt(var + eps)) + b
        new_mean = momentum * running_mean + (1 - momentum) * stop_gradient(np.ravel(mean))
        new_var = momentum * running_var + (1 - momentum) * stop_gradient(np.ravel(var))
        return out, stop_gradient(new_mean), stop_gradient(new_var)
    scale = g / np.sqrt(np.reshape(running_var, shape) + eps)
    out = (x - np.reshape(running_mean, shape)) * scale + b
    return out, running_mean, running_var


def layernorm(x: Array, gamma: Array, beta: Array, eps: float = 1e-5) -> Array:
    """Layer normalization over the last axis, then ``* gamma + beta`` (shape ``(D,)``).

    Raises
    ------
    ValueError
        ``gamma`` or ``beta`` does not hold one value per feature of the last axis.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.layernorm(np.array([[1.0, 3.0]]), np.ones(2), np.zeros(2)).round(3)
    array([[-1.,  1.]])
    """
    shape = tuple(x.shape)
    d = shape[-1] if shape else 1
    meaning = f"one per feature of the last axis, x.shape[-1] = {d}"
    check_broadcast("layernorm", "gamma", gamma, shape, (d,), meaning)
    check_broadcast("layernorm", "beta", beta, shape, (d,), meaning)
    mean = np.mean(x, axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * gamma + beta
