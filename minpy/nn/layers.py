"""Neural-network layers and losses: pure functions over minpy Arrays.

Every function here is written in ``minpy.numpy`` operations only, so it runs unchanged on
every device (``cpu(0)``, ``gpu(i)``, test devices) and is differentiated by ``minpy.core``'s
autograd; nobody writes a backward pass. Nothing here imports NumPy or CuPy, keeps state, or
reads the current context except to draw dropout masks on the input's device.

Shapes follow MinPy (and cs231n): a batch is the first axis; images are ``(N, C, H, W)``;
sequences are ``(N, T, D)``; weights of ``affine`` are ``(D, M)``; convolution filters are
``(F, C, KH, KW)``.
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as _namespace
from minpy.array import Array
from minpy.core import stop_gradient

np: Any = _namespace  # names are generated from NumPy's at import

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
    "max_pool",
    "relu",
    "rnn",
    "rnn_step",
    "sigmoid",
    "sigmoid_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "svm_loss",
    "tanh",
]


def _pair(v: int | tuple[int, int], name: str) -> tuple[int, int]:
    """``v`` as an ``(int, int)`` pair; raises naming ``name`` if it is not one."""
    pair = (v, v) if isinstance(v, int) else tuple(v)
    if len(pair) != 2 or not all(isinstance(p, int) and p >= 0 for p in pair):
        raise ValueError(f"{name} must be a non-negative int or a pair of them, got {v!r}")
    return pair  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# dense layers and activations


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
        The features of ``x`` do not match the rows of ``w``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.affine(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
    array([[3., 3., 3., 3.],
           [3., 3., 3., 3.]])
    """
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
    return np.dot(x, w) + b  # type: ignore[no-any-return]


def relu(x: Array) -> Array:
    """Rectified linear unit ``max(x, 0)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    return np.maximum(x, 0)  # type: ignore[no-any-return]


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
    return np.maximum(x, alpha * x)  # type: ignore[no-any-return]


def sigmoid(x: Array) -> Array:
    """Logistic function ``1 / (1 + exp(-x))``, computed without overflow.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.sigmoid(np.array([0.0]))
    array([0.5])
    """
    # 0.5 * (1 + tanh(x / 2)) equals the logistic function and never overflows
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # type: ignore[no-any-return]


def tanh(x: Array) -> Array:
    """Hyperbolic tangent.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.tanh(np.array([0.0]))
    array([0.])
    """
    return np.tanh(x)  # type: ignore[no-any-return]


def softplus(x: Array) -> Array:
    """``log(1 + exp(x))``, computed without overflow.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> round(float(layers.softplus(np.array(0.0))), 4)
    0.6931
    """
    return np.logaddexp(0.0, x)  # type: ignore[no-any-return]


def dropout(x: Array, p: float, mode: str = "train") -> Array:
    """Inverted dropout: zero each entry with probability ``p`` and scale the rest by 1/(1-p).

    In ``"test"`` mode (or with ``p == 0``) it returns ``x`` unchanged, so no rescaling is
    needed at inference. The mask is drawn on ``x``'s device from that device's generator
    (seed it with ``minpy.numpy.random.seed``).

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.ones((2, 1000))
    >>> y = layers.dropout(x, 0.5)
    >>> sorted(set(y.ravel().tolist()))
    [0.0, 2.0]
    >>> layers.dropout(x, 0.5, mode="test") is x
    True
    """
    if not 0 <= p < 1:
        raise ValueError(f"dropout: p must be in [0, 1), got {p!r}; p is the drop probability")
    _check_mode(mode, "dropout")
    if mode == "test" or p == 0:
        return x
    keep = np.random.rand(*x.shape, device=x.device) >= p
    return x * (keep * (1.0 / (1.0 - p))).astype(x.dtype)  # type: ignore[no-any-return]


def _check_mode(mode: str, where: str) -> None:
    if mode not in ("train", "test"):
        raise ValueError(f"{where}: mode must be 'train' or 'test', got {mode!r}")


def batchnorm(
    x: Array,
    gamma: Array,
    beta: Array,
    running_mean: Array | None = None,
    running_var: Array | None = None,
    mode: str = "train",
    eps: float = 1e-5,
    momentum: float = 0.9,
) -> tuple[Array, Array, Array]:
    """Batch normalization over the batch (and, for ``(N, C, H, W)``, spatial) axes.

    Parameters
    ----------
    x
        ``(N, D)`` features or ``(N, C, H, W)`` images (normalized per channel).
    gamma, beta
        Scale and shift, shape ``(D,)`` or ``(C,)``.
    running_mean, running_var
        The running statistics (auxiliary parameters; default zeros and ones).
    mode
        ``"train"`` normalizes with the batch statistics and updates the running ones;
        ``"test"`` normalizes with the running statistics.
    eps, momentum
        Variance floor; ``running = momentum * running + (1 - momentum) * batch``.

    Returns
    -------
    tuple of Array
        ``(out, running_mean, running_var)``. The new running statistics carry no gradient:
        store them back as the model's auxiliary parameters.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.array([[1.0, 2.0], [3.0, 6.0]])
    >>> out, mean, var = layers.batchnorm(x, np.ones(2), np.zeros(2))
    >>> out.round(3)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> mean
    array([0.2, 0.4])
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
    if running_mean is None:
        running_mean = np.zeros(channels, dtype=x.dtype, device=x.device)
    if running_var is None:
        running_var = np.ones(channels, dtype=x.dtype, device=x.device)
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

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.layernorm(np.array([[1.0, 3.0]]), np.ones(2), np.zeros(2)).round(3)
    array([[-1.,  1.]])
    """
    mean = np.mean(x, axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * gamma + beta  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# convolution and pooling


def _windows(
    x: Array, kernel: tuple[int, int], stride: tuple[int, int], axis: int
) -> tuple[Array, int, int]:
    """Sliding windows of ``x`` (N, C, H, W) stacked on ``axis``: ``(..., KH*KW, ...)``.

    One strided slice per kernel offset, so the gather and its gradient are plain slicing on
    every backend. Returns the stack and the output height and width.
    """
    kh, kw = kernel
    sh, sw = stride
    h, w = x.shape[2], x.shape[3]
    oh = (h - kh) // sh + 1
    ow = (w - kw) // sw + 1
    if oh < 1 or ow < 1:
        raise ValueError(
            f"a {kh}x{kw} window does not fit the (padded) input of spatial size {h}x{w}; "
            "use a smaller kernel or more padding"
        )
    if kh == 1 and kw == 1:
        return np.expand_dims(x[:, :, ::sh, ::sw], axis), oh, ow
    hi, wi = sh * (oh - 1) + 1, sw * (ow - 1) + 1
    slices = [x[:, :, i : i + hi : sh, j : j + wi : sw] for i in range(kh) for j in range(kw)]
    return np.stack(slices, axis=axis), oh, ow


def conv2d(
    x: Array,
    w: Array,
    b: Array,
    stride: int | tuple[int, int] = 1,
    pad: int | tuple[int, int] = 0,
) -> Array:
    """2-D convolution (cross-correlation, as in every deep-learning library).

    Parameters
    ----------
    x
        Images, shape ``(N, C, H, W)``.
    w
        Filters, shape ``(F, C, KH, KW)``.
    b
        Biases, shape ``(F,)``.
    stride, pad
        Step and zero padding, an int or an ``(vertical, horizontal)`` pair.

    Returns
    -------
    Array
        Shape ``(N, F, OH, OW)`` with ``OH = (H + 2 * pad - KH) // stride + 1`` (same for W).

    Raises
    ------
    ValueError
        The input is not 4-D, its channels do not match the filters, or the kernel does not fit.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.ones((1, 1, 3, 3))
    >>> layers.conv2d(x, np.ones((1, 1, 2, 2)), np.zeros(1))
    array([[[[4., 4.],
             [4., 4.]]]])
    >>> layers.conv2d(x, np.ones((2, 1, 3, 3)), np.zeros(2), pad=1).shape
    (1, 2, 3, 3)
    """
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError(
            f"conv2d: input of shape {tuple(x.shape)!r} does not fit filters of shape "
            f"{tuple(w.shape)!r}; the input must be (N, C, H, W) and the filters (F, C, KH, KW) "
            "with the same C (reshape the input, e.g. x.reshape(N, C, H, W))"
        )
    ph, pw = _pair(pad, "conv2d: pad")
    stride2 = _pair(stride, "conv2d: stride")
    if 0 in stride2:
        raise ValueError(f"conv2d: stride must be positive, got {stride!r}")
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c = x.shape[0], x.shape[1]
    f, _, kh, kw = w.shape
    cols, oh, ow = _windows(x, (kh, kw), stride2, axis=2)  # (N, C, KH*KW, OH, OW)
    cols = np.reshape(cols, (n, c * kh * kw, oh * ow))
    out = np.matmul(np.reshape(w, (f, c * kh * kw)), cols)  # (N, F, OH*OW)
    return np.reshape(out, (n, f, oh, ow)) + np.reshape(b, (f, 1, 1))  # type: ignore[no-any-return]


def _pool(
    x: Array,
    pool: int | tuple[int, int],
    stride: int | tuple[int, int] | None,
    reduce: Any,
    name: str,
) -> Array:
    if x.ndim != 4:
        raise ValueError(f"{name}: expected (N, C, H, W) input, got shape {tuple(x.shape)!r}")
    ph, pw = _pair(pool, f"{name}: pool")
    sh, sw = _pair(pool if stride is None else stride, f"{name}: stride")
    if 0 in (ph, pw, sh, sw):
        raise ValueError(f"{name}: pool and stride must be positive, got {pool!r}, {stride!r}")
    n, c, h, w = x.shape
    if (ph, pw) == (sh, sw) and h % ph == 0 and w % pw == 0:
        # non-overlapping tiles: a reshape exposes them, no copy at all
        tiles = np.reshape(x, (n, c, h // ph, ph, w // pw, pw))
        return reduce(tiles, axis=(3, 5))  # type: ignore[no-any-return]
    wins, _, _ = _windows(x, (ph, pw), (sh, sw), axis=2)
    return reduce(wins, axis=2)  # type: ignore[no-any-return]


def max_pool(
    x: Array, pool: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None
) -> Array:
    """Max pooling over ``pool`` windows of ``(N, C, H, W)`` images (stride defaults to pool).

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> layers.max_pool(x, 2)
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """
    return _pool(x, pool, stride, np.max, "max_pool")


def avg_pool(
    x: Array, pool: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None
) -> Array:
    """Average pooling over ``pool`` windows of ``(N, C, H, W)`` images.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> layers.avg_pool(x, 2)
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]])
    """
    return _pool(x, pool, stride, np.mean, "avg_pool")


# --------------------------------------------------------------------------------------------
# embeddings and recurrent layers


def _check_labels(y: Array, n_classes: int, where: str) -> None:
    """Raise unless the integer array ``y`` lies in ``[0, n_classes)``."""
    if y.size == 0:
        return
    lo, hi = int(np.min(y)), int(np.max(y))
    if lo < 0 or hi >= n_classes:
        bad = lo if lo < 0 else hi
        raise ValueError(
            f"{where}: label {bad!r} is out of range for {n_classes} classes (valid: 0 to "
            f"{n_classes - 1}); remap the labels to 0..{n_classes - 1} or widen the last layer"
        )


def embedding(idx: Array, w: Array) -> Array:
    """Rows of ``w`` (``(V, D)``) picked by the integer array ``idx``: shape ``idx.shape + (D,)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> w = np.arange(6.0).reshape(3, 2)
    >>> layers.embedding(np.array([[2, 0]]), w)
    array([[[4., 5.],
            [0., 1.]]])
    """
    idx = np.asarray(idx, device=w.device)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: indices must be integers, got dtype {idx.dtype}; use idx.astype(int)"
        )
    _check_labels(idx, w.shape[0], "embedding")
    return w[idx]


def rnn_step(x: Array, prev_h: Array, wx: Array, wh: Array, b: Array) -> Array:
    """One vanilla RNN step: ``tanh(x @ wx + prev_h @ wh + b)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.rnn_step(np.zeros((1, 2)), np.zeros((1, 3)), np.ones((2, 3)), np.ones((3, 3)),
    ...                 np.zeros(3))
    array([[0., 0., 0.]])
    """
    return np.tanh(np.dot(x, wx) + np.dot(prev_h, wh) + b)  # type: ignore[no-any-return]


def lstm_step(
    x: Array, prev_h: Array, prev_c: Array, wx: Array, wh: Array, b: Array
) -> tuple[Array, Array]:
    """One LSTM step; gates ordered input, forget, output, candidate in ``wx``'s 4H columns.

    Parameters
    ----------
    x
        Inputs ``(N, D)``.
    prev_h, prev_c
        Hidden and cell state ``(N, H)``.
    wx, wh, b
        Weights ``(D, 4H)``, ``(H, 4H)`` and bias ``(4H,)``.

    Returns
    -------
    tuple of Array
        ``(next_h, next_c)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> h, c = layers.lstm_step(np.ones((1, 2)), np.zeros((1, 1)), np.zeros((1, 1)),
    ...                         np.zeros((2, 4)), np.zeros((1, 4)), np.zeros(4))
    >>> h, c
    (array([[0.]]), array([[0.]]))
    """
    hidden = prev_h.shape[1]
    a = np.dot(x, wx) + np.dot(prev_h, wh) + b
    gates = sigmoid(a[:, : 3 * hidden])
    i, f, o = gates[:, :hidden], gates[:, hidden : 2 * hidden], gates[:, 2 * hidden :]
    g = np.tanh(a[:, 3 * hidden :])
    next_c = f * prev_c + i * g
    return o * np.tanh(next_c), next_c


def gru_step(
    x: Array,
    prev_h: Array,
    wx: Array,
    wh: Array,
    b: Array,
    wxh: Array,
    whh: Array,
    bh: Array,
) -> Array:
    """One GRU step (MinPy's parameterization).

    ``z, r = sigmoid(x @ wx + prev_h @ wh + b)`` (update and reset gates, ``wx`` ``(D, 2H)``,
    ``wh`` ``(H, 2H)``, ``b`` ``(2H,)``); the candidate is
    ``tanh(x @ wxh + (r * prev_h) @ whh + bh)``; ``next_h = z * prev_h + (1 - z) * candidate``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.gru_step(np.ones((1, 2)), np.ones((1, 1)), np.zeros((2, 2)), np.zeros((1, 2)),
    ...                 np.zeros(2), np.zeros((2, 1)), np.zeros((1, 1)), np.zeros(1))
    array([[0.5]])
    """
    hidden = prev_h.shape[1]
    gates = sigmoid(np.dot(x, wx) + np.dot(prev_h, wh) + b)
    z, r = gates[:, :hidden], gates[:, hidden:]
    cand = np.tanh(np.dot(x, wxh) + np.dot(r * prev_h, whh) + bh)
    return z * prev_h + (1 - z) * cand  # type: ignore[no-any-return]


def _check_sequence(x: Array, where: str) -> None:
    if x.ndim != 3:
        raise ValueError(
            f"{where}: expected a batch of sequences of shape (N, T, D), got {tuple(x.shape)!r}; "
            "add the missing axis, e.g. x.reshape(N, T, 1)"
        )


def rnn(x: Array, h0: Array, wx: Array, wh: Array, b: Array) -> Array:
    """A vanilla RNN over sequences ``x`` ``(N, T, D)`` from ``h0``; hidden states ``(N, T, H)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.rnn(np.zeros((1, 3, 2)), np.zeros((1, 4)), np.ones((2, 4)), np.ones((4, 4)),
    ...            np.zeros(4)).shape
    (1, 3, 4)
    """
    _check_sequence(x, "rnn")
    h = h0
    hs = []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, wx, wh, b)
        hs.append(h)
    return np.stack(hs, axis=1)  # type: ignore[no-any-return]


def lstm(x: Array, h0: Array, wx: Array, wh: Array, b: Array) -> Array:
    """An LSTM over sequences ``x`` ``(N, T, D)`` from ``h0`` (cell starts at zero); ``(N, T, H)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.lstm(np.zeros((2, 3, 1)), np.zeros((2, 5)), np.ones((1, 20)), np.ones((5, 20)),
    ...             np.zeros(20)).shape
    (2, 3, 5)
    """
    _check_sequence(x, "lstm")
    h, c = h0, np.zeros(h0.shape, dtype=h0.dtype, device=h0.device)
    hs = []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, wx, wh, b)
        hs.append(h)
    return np.stack(hs, axis=1)  # type: ignore[no-any-return]


def gru(
    x: Array,
    h0: Array,
    wx: Array,
    wh: Array,
    b: Array,
    wxh: Array,
    whh: Array,
    bh: Array,
) -> Array:
    """A GRU over sequences ``x`` ``(N, T, D)`` from ``h0``; hidden states ``(N, T, H)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.gru(np.zeros((2, 3, 1)), np.zeros((2, 5)), np.ones((1, 10)), np.ones((5, 10)),
    ...            np.zeros(10), np.ones((1, 5)), np.ones((5, 5)), np.zeros(5)).shape
    (2, 3, 5)
    """
    _check_sequence(x, "gru")
    h = h0
    hs = []
    for t in range(x.shape[1]):
        h = gru_step(x[:, t], h, wx, wh, b, wxh, whh, bh)
        hs.append(h)
    return np.stack(hs, axis=1)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# output layers and losses


def log_softmax(x: Array, axis: int = -1) -> Array:
    """``log(softmax(x))``, computed stably.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.log_softmax(np.array([0.0, 0.0])).round(4)
    array([-0.6931, -0.6931])
    """
    # subtracting any constant leaves log-softmax unchanged; the max keeps exp() finite
    shifted = x - stop_gradient(np.max(x, axis=axis, keepdims=True))
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))  # type: ignore[no-any-return]


def softmax(x: Array, axis: int = -1) -> Array:
    """Softmax along ``axis``, computed stably.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.softmax(np.array([[1.0, 1.0]]))
    array([[0.5, 0.5]])
    """
    e = np.exp(x - stop_gradient(np.max(x, axis=axis, keepdims=True)))
    return e / np.sum(e, axis=axis, keepdims=True)  # type: ignore[no-any-return]


def _targets(x: Array, y: Any, where: str, mask: bool = False) -> Array:
    """Integer labels ``(N,)`` or one-hot/probability rows ``(N, C)`` as rows like ``x``'s
    (float, or with ``mask`` a boolean one-hot for integer labels: one operation fewer)."""
    y = np.asarray(y, device=x.device)
    n, c = x.shape[0], x.shape[1]
    if y.ndim == 1 and y.dtype.kind in "iub":
        if y.shape[0] != n:
            raise ValueError(
                f"{where}: {y.shape[0]} labels for {n} predictions; pass one label per row"
            )
        _check_labels(y, c, where)
        onehot = np.reshape(y, (n, 1)) == np.arange(c, device=x.device)
        return onehot if mask else onehot.astype(x.dtype)
    if y.shape != x.shape:
        raise ValueError(
            f"{where}: labels of shape {tuple(y.shape)!r} do not fit predictions of shape "
            f"{tuple(x.shape)!r}; pass integer labels of shape ({n},) or one-hot rows of shape "
            f"({n}, {c})"
        )
    return y.astype(x.dtype, copy=False)


def _check_scores(x: Array, where: str) -> None:
    if x.ndim != 2:
        raise ValueError(
            f"{where}: expected scores of shape (N, C), got {tuple(x.shape)!r}; "
            "flatten with x.reshape(N, -1)"
        )


def softmax_cross_entropy(x: Array, y: Any) -> Array:
    """Mean cross-entropy of the softmax of scores ``x`` ``(N, C)`` against labels ``y``.

    Parameters
    ----------
    x
        Unnormalized scores (logits), shape ``(N, C)``.
    y
        Integer labels ``(N,)`` in ``[0, C)``, or one-hot (or probability) rows ``(N, C)``.

    Raises
    ------
    ValueError
        A label outside ``[0, C)``, or labels whose shape does not fit ``x``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.array([[0.0, 0.0], [0.0, 0.0]])
    >>> round(float(layers.softmax_cross_entropy(x, np.array([0, 1]))), 4)
    0.6931
    >>> round(float(layers.softmax_cross_entropy(x, np.array([[1.0, 0.0], [0.0, 1.0]]))), 4)
    0.6931
    """
    _check_scores(x, "softmax_cross_entropy")
    t = _targets(x, y, "softmax_cross_entropy", mask=True)
    return np.sum(log_softmax(x) * t) * (-1.0 / x.shape[0])  # type: ignore[no-any-return]


def svm_loss(x: Array, y: Any, delta: float = 1.0) -> Array:
    """Mean multiclass hinge loss ``sum_j max(0, x_j - x_y + delta)`` over wrong classes ``j``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> float(layers.svm_loss(np.array([[2.0, 1.5, 0.0]]), np.array([0])))
    0.5
    """
    _check_scores(x, "svm_loss")
    t = _targets(x, y, "svm_loss")
    correct = np.sum(x * t, axis=1, keepdims=True)
    margins = np.maximum(x - correct + delta, 0) * (1 - t)
    return np.sum(margins) * (1.0 / x.shape[0])  # type: ignore[no-any-return]


def l2_loss(x: Array, y: Any) -> Array:
    """Squared error summed over features, averaged over the batch: ``sum((x - y)**2) / N``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> float(layers.l2_loss(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])))
    5.0
    """
    y = np.asarray(y, device=x.device)
    if y.shape != x.shape:
        raise ValueError(
            f"l2_loss: targets of shape {tuple(y.shape)!r} do not match predictions of shape "
            f"{tuple(x.shape)!r}; reshape the targets (e.g. y.reshape({tuple(x.shape)!r}))"
        )
    d = x - y
    return np.sum(d * d) * (1.0 / x.shape[0])  # type: ignore[no-any-return]


def sigmoid_cross_entropy(x: Array, y: Any) -> Array:
    """Binary cross-entropy of ``sigmoid(x)`` against targets ``y`` in [0, 1], summed over
    features and averaged over the batch; computed from the logits without overflow.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> round(float(layers.sigmoid_cross_entropy(np.array([[0.0]]), np.array([[1.0]]))), 4)
    0.6931
    """
    y = np.asarray(y, device=x.device)
    if y.shape != x.shape:
        raise ValueError(
            f"sigmoid_cross_entropy: targets of shape {tuple(y.shape)!r} do not match logits "
            f"of shape {tuple(x.shape)!r}; pass one target in [0, 1] per logit"
        )
    return np.sum(softplus(x) - x * y) * (1.0 / x.shape[0])  # type: ignore[no-any-return]
