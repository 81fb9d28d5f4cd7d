"""Convolution and pooling over ``(N, C, H, W)`` images: ``conv2d``, ``max_pool`` and
``avg_pool``, all built on one strided-slice window gather (``_windows``).

Pure functions in ``minpy.numpy`` operations (see ``minpy.nn.layers``), so no backend
needs a convolution kernel of its own. No activations or losses here.
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.array import Array
from minpy.nn._arguments import int_pair
from minpy.nn.layers._checks import check_vector

__all__ = [
    "avg_pool",
    "conv2d",
    "max_pool",
]


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
        The input is not 4-D, its channels do not match the filters, the kernel does not fit,
        or ``b`` does not hold one bias per filter.

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
    f = w.shape[0]
    check_vector("conv2d", "b", b, (f,), f"one bias per filter, F = w.shape[0] = {f}")
    ph, pw = int_pair(pad, "conv2d: pad", 0)
    stride2 = int_pair(stride, "conv2d: stride", 0)
    if 0 in stride2:
        raise ValueError(f"conv2d: stride must be positive, got {stride!r}")
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c = x.shape[0], x.shape[1]
    _, _, kh, kw = w.shape
    cols, oh, ow = _windows(x, (kh, kw), stride2, axis=2)  # (N, C, KH*KW, OH, OW)
    cols = np.reshape(cols, (n, c * kh * kw, oh * ow))
    out = np.matmul(np.reshape(w, (f, c * kh * kw)), cols)  # (N, F, OH*OW)
    return np.reshape(out, (n, f, oh, ow)) + np.reshape(b, (f, 1, 1))


def _pool(
    x: Array,
    pool: int | tuple[int, int],
    stride: int | tuple[int, int] | None,
    reduce: Any,
    name: str,
) -> Array:
    if x.ndim != 4:
        raise ValueError(f"{name}: expected (N, C, H, W) input, got shape {tuple(x.shape)!r}")
    ph, pw = int_pair(pool, f"{name}: pool", 0)
    sh, sw = int_pair(pool if stride is None else stride, f"{name}: stride", 0)
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
