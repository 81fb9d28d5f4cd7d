"""Output layers and losses: ``log_softmax`` and ``softmax``, and the losses, each a mean
over the batch: ``softmax_loss`` (of scores), ``softmax_cross_entropy`` (of probabilities,
as in MinPy), ``svm_loss``, ``l2_loss``, ``sigmoid_cross_entropy`` and, for sequences,
``temporal_softmax_loss``.

Pure functions in ``minpy.numpy`` operations (see ``minpy.nn.layers``). Class labels are
checked here before use, so a bad label fails with its value instead of a wrong loss. Labels
follow MinPy: integer class indices ``(N,)`` (float arrays of whole numbers too, as MXNet
iterators hand them out) or one-hot rows ``(N, C)``.
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
    "softmax_loss",
    "svm_loss",
    "temporal_softmax_loss",
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
    if y.ndim == 1 and y.dtype.kind == "f":
        y = _class_indices(y, where)
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


def _class_indices(y: Array, where: str) -> Array:
    """Float labels ``(N,)`` as integer class indices, if every one is a whole number."""
    y = stop_gradient(y)
    if not bool(np.all(y == np.floor(y))):
        raise ValueError(
            f"{where}: labels of shape {tuple(y.shape)!r} are class indices but hold "
            f"fractional values (dtype {y.dtype}); pass whole numbers 0..C-1 (e.g. "
            "y.astype(int)), or targets with the predictions' shape"
        )
    return y.astype("int64")


def _check_scores(x: Array, where: str) -> None:
    if x.ndim != 2:
        raise ValueError(
            f"{where}: expected scores of shape (N, C), got {tuple(x.shape)!r}; "
            "flatten with x.reshape(N, -1)"
        )


def softmax_loss(x: Array, y: Any) -> Array:
    """Mean cross-entropy of the softmax of scores ``x`` ``(N, C)`` against labels ``y``.

    MinPy's ``softmax_loss``: the loss of a classifier's last affine layer. To score
    probabilities already normalized (an MXNet ``SoftmaxOutput``), use
    ``softmax_cross_entropy``.

    Parameters
    ----------
    x
        Unnormalized scores (logits), shape ``(N, C)``.
    y
        Class labels ``(N,)`` in ``[0, C)`` (integers, or floats holding whole numbers), or
        one-hot (or probability) rows ``(N, C)``.

    Raises
    ------
    ValueError
        A label outside ``[0, C)`` or not a whole number, or labels whose shape does not fit
        ``x``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.array([[0.0, 0.0], [0.0, 0.0]])
    >>> round(float(layers.softmax_loss(x, np.array([0, 1]))), 4)
    0.6931
    >>> round(float(layers.softmax_loss(x, np.array([[1.0, 0.0], [0.0, 1.0]]))), 4)
    0.6931
    """
    _check_scores(x, "softmax_loss")
    t = _targets(x, y, "softmax_loss", mask=True)
    return np.sum(log_softmax(x) * t) * (-1.0 / x.shape[0])


def softmax_cross_entropy(prob: Array, label: Any) -> Array:
    """Mean cross-entropy ``-sum(label * log(prob)) / N`` of probabilities ``prob`` ``(N, C)``.

    MinPy's ``softmax_cross_entropy``: ``prob`` is already a softmax (each row sums to 1).
    For unnormalized scores use ``softmax_loss``, which is also more accurate.

    Parameters
    ----------
    prob
        Class probabilities, shape ``(N, C)``, each in ``[0, 1]``.
    label
        Class labels ``(N,)`` in ``[0, C)``, or one-hot (or probability) rows ``(N, C)``.

    Raises
    ------
    ValueError
        ``prob`` holds a value outside ``[0, 1]`` (scores passed for probabilities), or the
        labels are bad as for ``softmax_loss``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> p = np.array([[0.5, 0.5], [0.25, 0.75]])
    >>> round(float(layers.softmax_cross_entropy(p, np.array([0, 1]))), 4)
    0.4904
    """
    where = "softmax_cross_entropy"
    _check_scores(prob, where)
    host = stop_gradient(prob)
    if bool(np.any((host < 0) | (host > 1))):
        raise ValueError(
            f"{where}: prob holds values outside [0, 1] (min {float(np.min(host))!r}, max "
            f"{float(np.max(host))!r}), so they are not probabilities; for scores (logits) "
            "use layers.softmax_loss(x, label), or pass layers.softmax(x)"
        )
    t = _targets(prob, label, where, mask=True)
    # log only where a label has weight: a zero probability elsewhere adds nothing (not NaN)
    safe = np.log(np.where(t != 0, prob, 1.0))
    return np.sum(safe * t) * (-1.0 / prob.shape[0])


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


def l2_loss(x: Array, label: Any) -> Array:
    """Squared error summed over features, averaged over the batch: ``sum((x - y)**2) / N``.

    As in MinPy, 1-D labels ``(N,)`` of predictions ``(N, C)`` are class indices, compared
    as one-hot rows; targets of the predictions' own shape are used as they are.

    Raises
    ------
    ValueError
        Targets of another shape, or 1-D labels that are not class indices in ``[0, C)``.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> float(layers.l2_loss(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])))
    5.0
    >>> float(layers.l2_loss(np.array([[1.0, 2.0]]), np.array([1])))
    2.0
    """
    y = np.asarray(label, device=x.device)
    if y.shape != x.shape and y.ndim == 1 and x.ndim == 2:
        y = _targets(x, y, "l2_loss")
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


def temporal_softmax_loss(x: Array, y: Any, mask: Any = None) -> Array:
    """Softmax cross-entropy at every step of sequences, summed over time, averaged over the
    batch: ``-sum(mask * log(softmax(x)[y])) / N``.

    Parameters
    ----------
    x
        Scores ``(N, T, V)``.
    y
        Target indices ``(N, T)`` in ``[0, V)``.
    mask
        ``(N, T)``: which steps count (booleans, or weights); ``None`` counts every step.

    Raises
    ------
    ValueError
        ``x`` is not 3-D, ``y`` or ``mask`` is not ``(N, T)``, or a target is out of range.

    Examples
    --------
    >>> from minpy.nn import layers
    >>> x = np.zeros((1, 2, 4))
    >>> y = np.array([[0, 3]])
    >>> round(float(layers.temporal_softmax_loss(x, y, np.array([[True, False]]))), 4)
    1.3863
    """
    where = "temporal_softmax_loss"
    if x.ndim != 3:
        raise ValueError(
            f"{where}: expected scores of shape (N, T, V), got {tuple(x.shape)!r}; pass one "
            "row of V scores per example and step"
        )
    n, t, v = x.shape
    y = np.asarray(y, device=x.device)
    if tuple(y.shape) != (n, t):
        raise ValueError(
            f"{where}: targets have shape {tuple(y.shape)!r}, expected {(n, t)!r} (one index "
            "per example and step); pass y of that shape"
        )
    flat = np.reshape(x, (n * t, v))
    onehot = _targets(flat, np.reshape(y, (n * t,)), where, mask=True)
    picked = np.sum(log_softmax(flat) * onehot, axis=1)
    if mask is not None:
        mask = np.asarray(mask, device=x.device)
        if tuple(mask.shape) != (n, t):
            raise ValueError(
                f"{where}: mask has shape {tuple(mask.shape)!r}, expected {(n, t)!r} (one flag "
                "per example and step); pass mask of that shape, or None to count every step"
            )
        picked = picked * np.reshape(mask, (n * t,)).astype(x.dtype)
    return np.sum(picked) * (-1.0 / n)
