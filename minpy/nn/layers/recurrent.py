"""Embeddings and recurrent layers: ``embedding``; one step of a vanilla RNN, an LSTM and a
GRU (``rnn_step``, ``lstm_step``, ``gru_step``); and each run over ``(N, T, D)`` sequences
(``rnn``, ``lstm``, ``gru``; MinPy's names ``rnn_temporal`` and ``lstm_temporal`` too).

Pure functions in ``minpy.numpy`` operations (see ``minpy.nn.layers``): a sequence is a
Python loop over steps, differentiated through like any other code. Each public function
checks its arguments' shapes once (``_check_cell``), then runs unchecked steps. No losses here.
"""

from __future__ import annotations

import minpy.numpy as np
from minpy.array import Array
from minpy.nn.layers._checks import (
    Shape,
    check_broadcast,
    check_labels,
    check_shape,
    shape_of,
)
from minpy.nn.layers.dense import sigmoid

__all__ = [
    "embedding",
    "gru",
    "gru_step",
    "lstm",
    "lstm_step",
    "lstm_temporal",
    "rnn",
    "rnn_step",
    "rnn_temporal",
]


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
    if w.ndim != 2:
        raise ValueError(
            f"embedding: w has shape {tuple(w.shape)!r}, expected a 2-D (V, D) matrix (one row "
            "of D features per index); pass w of shape (V, D)"
        )
    idx = np.asarray(idx, device=w.device)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: indices must be integers, got dtype {idx.dtype}; use idx.astype(int)"
        )
    check_labels(idx, w.shape[0], "embedding")
    return w[idx]


def _check_cell(
    where: str, x: Shape, h_name: str, h: Array, wx: Array, wh: Array, b: Array, gates: int
) -> int:
    """Check a cell's state, weights and bias against inputs of shape ``x`` ``(N, D)``, for
    ``gates`` blocks of H columns; returns the hidden size H (``wh.shape[0]``)."""
    n, d = x
    wh_shape = shape_of(wh)
    if wh_shape is None:
        h_shape = shape_of(h)
        return h_shape[-1] if h_shape else 1
    k = "" if gates == 1 else str(gates)
    if len(wh_shape) != 2 or wh_shape[1] != gates * wh_shape[0]:
        rows = wh_shape[0] if wh_shape else 1
        raise ValueError(
            f"{where}: wh has shape {wh_shape!r}, expected (H, {k}H) (hidden-to-hidden weights "
            f"for {gates} block(s) of H columns), e.g. {(rows, gates * rows)!r}; pass wh of "
            f"shape (H, {k}H)"
        )
    hidden = wh_shape[0]
    width = gates * hidden
    check_shape(
        where, "wx", wx, (d, width),
        f"D = {d} input features by {k}H, H = wh.shape[0] = {hidden}",
    )  # fmt: skip
    check_broadcast(where, "b", b, (n, width), (width,), f"{k}H, H = wh.shape[0] = {hidden}")
    check_broadcast(
        where, h_name, h, (n, hidden), (n, hidden),
        f"N = {n} examples by H = wh.shape[0] = {hidden}",
    )  # fmt: skip
    return hidden


def _check_step_input(where: str, x: Array) -> Shape:
    if x.ndim != 2:
        raise ValueError(
            f"{where}: x has shape {tuple(x.shape)!r}, expected (N, D) inputs for one step; "
            "pass x of shape (N, D) (a whole sequence (N, T, D) goes to the sequence layer)"
        )
    return (x.shape[0], x.shape[1])


def _check_gru(
    where: str,
    x: Shape,
    h_name: str,
    h: Array,
    wx: Array,
    wh: Array,
    b: Array,
    wxh: Array,
    whh: Array,
    bh: Array,
) -> int:
    """``_check_cell`` for the gates, then the candidate's weights and bias."""
    hidden = _check_cell(where, x, h_name, h, wx, wh, b, 2)
    n, d = x
    for_h = f"H = wh.shape[0] = {hidden}"
    check_shape(where, "wxh", wxh, (d, hidden), f"D = {d} input features by H, {for_h}")
    check_shape(where, "whh", whh, (hidden, hidden), f"H by H, {for_h}")
    check_broadcast(where, "bh", bh, (n, hidden), (hidden,), for_h)
    return hidden


def rnn_step(x: Array, prev_h: Array, wx: Array, wh: Array, b: Array) -> Array:
    """One vanilla RNN step: ``tanh(x @ wx + prev_h @ wh + b)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.rnn_step(np.zeros((1, 2)), np.zeros((1, 3)), np.ones((2, 3)), np.ones((3, 3)),
    ...                 np.zeros(3))
    array([[0., 0., 0.]])
    """
    _check_cell("rnn_step", _check_step_input("rnn_step", x), "prev_h", prev_h, wx, wh, b, 1)
    return _rnn_step(x, prev_h, wx, wh, b)


def _rnn_step(x: Array, prev_h: Array, wx: Array, wh: Array, b: Array) -> Array:
    return np.tanh(np.dot(x, wx) + np.dot(prev_h, wh) + b)


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
    shape = _check_step_input("lstm_step", x)
    hidden = _check_cell("lstm_step", shape, "prev_h", prev_h, wx, wh, b, 4)
    check_broadcast(
        "lstm_step", "prev_c", prev_c, (shape[0], hidden), (shape[0], hidden),
        f"like prev_h: N = {shape[0]} examples by H = wh.shape[0] = {hidden}",
    )  # fmt: skip
    return _lstm_step(x, prev_h, prev_c, wx, wh, b, hidden)


def _lstm_step(
    x: Array, prev_h: Array, prev_c: Array, wx: Array, wh: Array, b: Array, hidden: int
) -> tuple[Array, Array]:
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
    """One GRU step (MinPy's parameterization and gate order).

    ``r, z = sigmoid(x @ wx + prev_h @ wh + b)``: the reset gate takes the first H columns,
    the update gate the next H (``wx`` ``(D, 2H)``, ``wh`` ``(H, 2H)``, ``b`` ``(2H,)``);
    the candidate is ``tanh(x @ wxh + (r * prev_h) @ whh + bh)``;
    ``next_h = z * prev_h + (1 - z) * candidate``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.gru_step(np.ones((1, 2)), np.ones((1, 1)), np.zeros((2, 2)), np.zeros((1, 2)),
    ...                 np.zeros(2), np.zeros((2, 1)), np.zeros((1, 1)), np.zeros(1))
    array([[0.5]])
    """
    shape = _check_step_input("gru_step", x)
    hidden = _check_gru("gru_step", shape, "prev_h", prev_h, wx, wh, b, wxh, whh, bh)
    return _gru_step(x, prev_h, wx, wh, b, wxh, whh, bh, hidden)


def _gru_step(
    x: Array,
    prev_h: Array,
    wx: Array,
    wh: Array,
    b: Array,
    wxh: Array,
    whh: Array,
    bh: Array,
    hidden: int,
) -> Array:
    gates = sigmoid(np.dot(x, wx) + np.dot(prev_h, wh) + b)
    r, z = gates[:, :hidden], gates[:, hidden:]
    cand = np.tanh(np.dot(x, wxh) + np.dot(r * prev_h, whh) + bh)
    return z * prev_h + (1 - z) * cand


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
    return _rnn("rnn", x, h0, wx, wh, b)


def rnn_temporal(x: Array, h0: Array, wx: Array, wh: Array, b: Array) -> Array:
    """MinPy's name of ``rnn``: hidden states ``(N, T, H)`` of a vanilla RNN over ``x``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.rnn_temporal(np.zeros((1, 3, 2)), np.zeros((1, 4)), np.ones((2, 4)),
    ...                     np.ones((4, 4)), np.zeros(4)).shape
    (1, 3, 4)
    """
    return _rnn("rnn_temporal", x, h0, wx, wh, b)


def _rnn(where: str, x: Array, h0: Array, wx: Array, wh: Array, b: Array) -> Array:
    _check_sequence(x, where)
    _check_cell(where, (x.shape[0], x.shape[2]), "h0", h0, wx, wh, b, 1)
    h = h0
    hs = []
    for t in range(x.shape[1]):
        h = _rnn_step(x[:, t], h, wx, wh, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def lstm(x: Array, h0: Array, wx: Array, wh: Array, b: Array) -> Array:
    """An LSTM over sequences ``x`` ``(N, T, D)`` from ``h0`` (cell starts at zero); ``(N, T, H)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.lstm(np.zeros((2, 3, 1)), np.zeros((2, 5)), np.ones((1, 20)), np.ones((5, 20)),
    ...             np.zeros(20)).shape
    (2, 3, 5)
    """
    return _lstm("lstm", x, h0, wx, wh, b)


def lstm_temporal(x: Array, h0: Array, wx: Array, wh: Array, b: Array) -> Array:
    """MinPy's name of ``lstm``: hidden states ``(N, T, H)`` of an LSTM over ``x`` from ``h0``
    (the cell state starts at zero and is not returned).

    Examples
    --------
    >>> from minpy.nn import layers
    >>> layers.lstm_temporal(np.zeros((2, 3, 1)), np.zeros((2, 5)), np.ones((1, 20)),
    ...                      np.ones((5, 20)), np.zeros(20)).shape
    (2, 3, 5)
    """
    return _lstm("lstm_temporal", x, h0, wx, wh, b)


def _lstm(where: str, x: Array, h0: Array, wx: Array, wh: Array, b: Array) -> Array:
    _check_sequence(x, where)
    hidden = _check_cell(where, (x.shape[0], x.shape[2]), "h0", h0, wx, wh, b, 4)
    h, c = h0, np.zeros(h0.shape, dtype=h0.dtype, device=h0.device)
    hs = []
    for t in range(x.shape[1]):
        h, c = _lstm_step(x[:, t], h, c, wx, wh, b, hidden)
        hs.append(h)
    return np.stack(hs, axis=1)


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
    hidden = _check_gru("gru", (x.shape[0], x.shape[2]), "h0", h0, wx, wh, b, wxh, whh, bh)
    h = h0
    hs = []
    for t in range(x.shape[1]):
        h = _gru_step(x[:, t], h, wx, wh, b, wxh, whh, bh, hidden)
        hs.append(h)
    return np.stack(hs, axis=1)
