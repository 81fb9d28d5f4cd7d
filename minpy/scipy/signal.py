"""``minpy.scipy.signal``: SciPy's convolutions as primitives differentiable in both inputs.

``convolve``, ``correlate`` (n-dimensional; modes ``full``/``same``/``valid``; methods
``auto``/``direct``/``fft``), ``convolve2d``, ``correlate2d`` and ``fftconvolve`` (with
``axes``) run SciPy's functions on the CPU and ``cupyx.scipy.signal``'s on a GPU. They follow
SciPy's signatures: HIPS autograd's ``autograd.scipy.signal.convolve(A, B, axes, dot_axes,
mode)``, a tensor contraction with convolution along some axes, is a different function.

The rules: every output is a crop of the ``full`` convolution (centred as SciPy crops it), and
the transpose of a full convolution with ``b`` is a ``valid`` convolution with ``b`` flipped.
So a rule pads ``g`` back to the full shape and convolves it with the other input flipped.
``correlate(a, b)`` is the convolution of ``a`` with ``conj(b)`` flipped, so its rule for ``b``
conjugates (correlation is not holomorphic in ``b``). ``convolve2d``/``correlate2d`` have rules
for ``boundary="fill"`` only (a constant ``fillvalue`` adds ``fillvalue * sum(b)``); ``wrap``
and ``symm`` raise when differentiated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import scipy.signal as _ss

import minpy.numpy as np
from minpy.numpy.vjps._helpers import drop_imag, is_complex, unbroadcast
from minpy.primitive import defvjp
from minpy.scipy._wrapping import wrap_scipy

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d", "fftconvolve"]

_p = wrap_scipy(_ss, __all__)
convolve = _p["convolve"]
correlate = _p["correlate"]
convolve2d = _p["convolve2d"]
correlate2d = _p["correlate2d"]
fftconvolve = _p["fftconvolve"]


def _conj(x: Any) -> Any:
    return np.conj(x) if is_complex(x) else x


def _full_grad(g: Any, a: Any, b: Any, axes: Sequence[int], late: bool) -> Any:
    """``g`` (of a crop of the full convolution of ``a`` and ``b`` along ``axes``) zero-padded
    back to the full shape. SciPy centres the crop; ``late`` puts the odd extra entry first
    (``correlate2d``'s ``same``)."""
    pad = [(0, 0)] * g.ndim
    for ax in axes:
        full = a.shape[ax] + b.shape[ax] - 1
        extra = full - g.shape[ax]
        start = extra - extra // 2 if late else extra // 2
        pad[ax] = (start, extra - start)
    return np.pad(g, pad) if any(p != (0, 0) for p in pad) else g


def _flip(x: Any, axes: Sequence[int]) -> Any:
    return np.flip(x, axis=tuple(axes))


def _conv_rules(
    conv: Any, correlation: bool, params: tuple[str, ...], late_same: bool = False
) -> tuple[Any, Any]:
    """The rules of a convolution primitive ``prim(a, b, *params)`` (or of a correlation),
    whose transposes run ``conv`` (``late_same``: ``correlate2d``'s crops)."""

    def options(args: tuple[Any, ...], kw: dict[str, Any]) -> dict[str, Any]:
        opts = dict(zip(params, args), **kw)
        boundary = opts.get("boundary", "fill")
        if boundary != "fill":
            raise NotImplementedError(
                f"{conv.__name__}: no gradient rule for boundary={boundary!r}; only "
                "boundary='fill' is differentiable (pad the input with np.pad(..., mode='wrap') "
                "or mode='symmetric', then convolve with mode='valid')"
            )
        return opts

    def prepare(g: Any, a: Any, b: Any, opts: dict[str, Any]) -> tuple[Any, Any, Any]:
        mode = opts.get("mode", "full")
        axes = _axes(a, opts.get("axes"))
        gfull = _full_grad(g, a, b, axes, late_same and mode == "same")
        if late_same and mode == "valid" and _swapped(a, b) and is_complex(g):
            gfull = np.conj(gfull)  # SciPy conjugates correlate2d's swapped valid output
        extra = {k: v for k, v in opts.items() if k in ("method", "axes")}
        return gfull, axes, extra

    def rule_a(g: Any, ans: Any, a: Any, b: Any, *args: Any, **kw: Any) -> Any:
        opts = options(args, kw)
        gfull, axes, extra = prepare(g, a, b, opts)
        other = _conj(b) if correlation else _flip(b, axes)
        return unbroadcast(conv(gfull, other, "valid", **extra), a)

    def rule_b(g: Any, ans: Any, a: Any, b: Any, *args: Any, **kw: Any) -> Any:
        opts = options(args, kw)
        gfull, axes, extra = prepare(g, a, b, opts)
        fill = opts.get("fillvalue", 0) if opts.get("mode", "full") != "valid" else 0
        # beyond the edges a is the constant fill: conv(a, b) = conv(a - fill, b) + fill sum(b)
        gb = unbroadcast(conv(gfull, _flip(a - fill if fill else a, axes), "valid", **extra), b)
        if correlation:
            gb = _conj(_flip(gb, axes))
        if fill:
            total = np.sum(g) * fill
            gb = gb + (np.conj(total) if correlation and is_complex(total) else total)
        return drop_imag(gb, b)

    return rule_a, rule_b


def _axes(a: Any, axes: Any) -> list[int]:
    if axes is None:
        return list(range(a.ndim))
    if isinstance(axes, int):
        axes = [axes]
    return sorted({ax % a.ndim for ax in axes})


def _swapped(a: Any, b: Any) -> bool:
    return any(sa < sb for sa, sb in zip(a.shape, b.shape))


_CONV = ("mode", "method")
_FFT = ("mode", "axes")
_2D = ("mode", "boundary", "fillvalue")
defvjp(convolve, *_conv_rules(convolve, False, _CONV), keep="args")
defvjp(correlate, *_conv_rules(convolve, True, _CONV), keep="args")
defvjp(fftconvolve, *_conv_rules(fftconvolve, False, _FFT), keep="args")
defvjp(convolve2d, *_conv_rules(convolve2d, False, _2D), keep="args")
defvjp(correlate2d, *_conv_rules(convolve2d, True, _2D, late_same=True), keep="args")
