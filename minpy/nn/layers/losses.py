"""Output layers and losses: ``log_softmax`` and ``softmax``, and the losses, each a mean
over the batch: ``softmax_cross_entropy``, ``svm_loss``, ``l2_loss``, ``sigmoid_cross_entropy``.

Pure functions in ``minpy.numpy`` operations (see ``minpy.nn.layers``). Class labels are
checked here before use, so a bad label fails with its value instead of a wrong loss.
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.core import stop_gradient
from minpy.nn.layers._checks import check_labels
from minpy.nn.layers.dense import softplus

__all__ = [
    "l2_loss",
    "log_softmax",
    "sigmoid_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
    "svm_loss",
]


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
    return e / np.sum(e, axis=axis, keepdims=True)


def _targets(x: Array, y: Any, where: str, mask: bool = False) -> Array:
    """Integer labels ``(N,)`` or one-hot/probability rows ``(N, C)`` as rows like ``x``'s
    (float, or with ``mask`` a boolean one-hot for integer labels: one operation fewer)."""
    y = labels = np.asarray(y, device=x.device)
    n, c = x.shape[0], x.shape[1]
    if y.ndim == 1 and y.dtype.kind in "iub":
        if y.shape[0] != n:
            raise ValueError(
                f"{where}: {y.shape[0]} labels for {n} predictions; pass one label per row"
            )
        check_labels(y, c, where)
        onehot = np.reshape(y, (n, 1)) == np.arange(c, device=x.device)
        return onehot if mask else onehot.astype(x.dtype)
    if y.shape != x.shape:
        raise ValueError(
            f"{where}: labels of shape {tuple(y.shape)!r} do not fit predictions of shape "
            f"{tuple(x.shape)!r}; pass integer labels of shape ({n},) or one-hot rows of shape "
            f"({n}, {c})"
        )
    return labels.astype(x.dtype, copy=False)


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
    return np.sum(log_softmax(x) * t) * (-1.0 / x.shape[0])


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
    return np.sum(margins) * (1.0 / x.shape[0])


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
    return np.sum(d * d) * (1.0 / x.shape[0])


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
    return np.sum(softplus(x) - x * y) * (1.0 / x.shape[0])
