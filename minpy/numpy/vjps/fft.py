"""Rules of ``minpy.numpy.fft``: the complex, real and Hermitian transforms and the shifts.

Every transform is linear, so its gradient is its transpose applied to ``g``. The DFT matrix is
symmetric, so the transpose of ``fft``/``ifft``/``fftn``/... is the same transform with the
same ``norm`` (no conjugate: the maps are holomorphic; see the package docstring). ``n=``/``s=``
pad or crop the input before transforming; the transpose of that crops or pads the gradient
back to the input's shape (``_resize``).

The real transforms carry Hermitian bookkeeping. ``rfft`` keeps ``n // 2 + 1`` of the ``n``
bins, and its input is real, so its gradient is ``Re(F^T g)`` over the kept bins: ``irfft``
computes that once the bins it counts twice (all but DC and, for even ``n``, Nyquist) are
halved. ``irfft`` reads each kept bin twice except those two (whose imaginary parts it
ignores), so its gradient is the conjugated ``rfft`` of ``g`` with those bins doubled.
``hfft``/``ihfft`` are ``irfft``/``rfft`` of conjugates (NumPy defines them so), and the
n-dimensional real transforms chain a real transform along the last axis with complex ones
along the others. A swapped ``norm`` turns a forward scale into the inverse's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import minpy.numpy as np
from minpy.numpy import fft
from minpy.numpy.vjps._helpers import drop_imag, lying_along
from minpy.primitive import defvjp

_SWAPPED = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _swap(norm: Any) -> str:
    """The ``norm`` of the inverse transform that scales like ``norm`` does the forward one."""
    return _SWAPPED[norm]


def _resize(g: Any, shape: Sequence[int], axes: Sequence[int]) -> Any:
    """``g`` cropped or zero-padded along ``axes`` to the sizes ``shape`` has there."""
    crop = [slice(None)] * g.ndim
    pad = [(0, 0)] * g.ndim
    for ax in set(axes):
        have, want = g.shape[ax], shape[ax]
        if have > want:
            crop[ax] = slice(0, want)
        elif have < want:
            pad[ax] = (0, want - have)
    if any(c != slice(None) for c in crop):
        g = g[tuple(crop)]
    if any(p != (0, 0) for p in pad):
        g = np.pad(g, pad)
    return g


def _nd_args(
    x: Any, s: Any, axes: Any, name: str, real: bool = False, half: bool = False
) -> tuple[list[int], list[int]]:
    """The sizes and non-negative axes an n-dimensional transform of ``x`` used (NumPy's
    defaults; ``half``: the last size defaults to that of an ``irfftn`` output)."""
    ndim = x.ndim
    if axes is None:
        axes = list(range(ndim)) if s is None else list(range(-len(s), 0))
    axes = [a % ndim for a in axes]
    sizes = [x.shape[a] for a in axes]
    if half and axes:
        sizes[-1] = 2 * (sizes[-1] - 1)
    if s is not None:
        # as NumPy: -1 is the input's size, None the 1-D transform's default
        sizes = [
            x.shape[a] if n == -1 else d if n is None else int(n) for a, d, n in zip(axes, sizes, s)
        ]
        if len(set(axes)) != len(axes):
            raise NotImplementedError(
                f"fft.{name}: no gradient rule for repeated axes {axes!r} with s={s!r}; "
                "transform one axis at a time"
            )
    if real and len(set(axes)) != len(axes):
        raise NotImplementedError(
            f"fft.{name}: no gradient rule for repeated axes {axes!r}; transform one axis at a time"
        )
    return sizes, axes


def _bin_weights(g: Any, n: int, ax: int, twice: float) -> Any:
    """Per bin of a length-``n`` real transform's half spectrum (lying along ``ax``): 1 for
    DC and (``n`` even) Nyquist, ``twice`` for the bins that stand for two of the spectrum."""
    k = np.arange(n // 2 + 1, device=g.device)
    once = (k == 0) | (k == n // 2) if n % 2 == 0 else k == 0
    real_dtype = np.finfo(g.dtype).dtype
    return lying_along(np.where(once, 1.0, twice).astype(real_dtype), g.ndim, ax)


def _rfft_t(g: Any, shape: Sequence[int], n: int, ax: int, norm: Any) -> Any:
    """``Re(A^T g)`` for ``A = rfft(., n, ax, norm)`` from a real input of ``shape``."""
    h = np.conj(g) * _bin_weights(g, n, ax, 0.5)
    return _resize(fft.irfft(h, n, axis=ax, norm=_swap(norm)), shape, (ax,))


def _irfft_t(g: Any, shape: Sequence[int], n: int, ax: int, norm: Any) -> Any:
    """The gradient of ``irfft(., n, ax, norm)`` at an input of ``shape``, from a real ``g``."""
    h = np.conj(fft.rfft(g, axis=ax, norm=_swap(norm))) * _bin_weights(g, n, ax, 2.0)
    return _resize(h, shape, (ax,))


# --------------------------------------------------------------------------------------------
# complex transforms: fft, ifft and their 2-D and n-D forms


def _complex_1d(transform: Callable[..., Any]) -> Callable[..., Any]:
    def rule(
        g: Any, ans: Any, a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None
    ) -> Any:
        ax = axis % a.ndim
        return drop_imag(_resize(transform(g, axis=ax, norm=norm), a.shape, (ax,)), a)

    return rule


def _complex_nd(transform: Callable[..., Any], name: str, default_axes: Any) -> Callable[..., Any]:
    def rule(
        g: Any,
        ans: Any,
        a: Any,
        s: Any = None,
        axes: Any = default_axes,
        norm: Any = None,
        out: Any = None,
    ) -> Any:
        _, axes = _nd_args(a, s, axes, name)
        return drop_imag(_resize(transform(g, axes=axes, norm=norm), a.shape, axes), a)

    return rule


defvjp(fft.fft, _complex_1d(fft.fft), keep="meta")
defvjp(fft.ifft, _complex_1d(fft.ifft), keep="meta")
defvjp(fft.fft2, _complex_nd(fft.fftn, "fft2", (-2, -1)), keep="meta")
defvjp(fft.ifft2, _complex_nd(fft.ifftn, "ifft2", (-2, -1)), keep="meta")
defvjp(fft.fftn, _complex_nd(fft.fftn, "fftn", None), keep="meta")
defvjp(fft.ifftn, _complex_nd(fft.ifftn, "ifftn", None), keep="meta")


# --------------------------------------------------------------------------------------------
# real transforms: rfft, irfft and their 2-D and n-D forms


def _rfft(
    g: Any, ans: Any, a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    ax = axis % a.ndim
    return _rfft_t(g, a.shape, a.shape[ax] if n is None else n, ax, norm)


def _irfft(
    g: Any, ans: Any, a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    ax = axis % a.ndim
    n = 2 * (a.shape[ax] - 1) if n is None else n
    return drop_imag(_irfft_t(g, a.shape, n, ax, norm), a)


def _rfftn_rule(name: str, default_axes: Any) -> Callable[..., Any]:
    def rule(
        g: Any,
        ans: Any,
        a: Any,
        s: Any = None,
        axes: Any = default_axes,
        norm: Any = None,
        out: Any = None,
    ) -> Any:
        # forward: rfft along the last axis, then fft along the others; back in reverse order
        sizes, axes = _nd_args(a, s, axes, name, real=True)
        rest = axes[:-1]
        if rest:
            g = _resize(fft.fftn(g, axes=rest, norm=norm), a.shape, rest)
        return _rfft_t(g, a.shape, sizes[-1], axes[-1], norm)

    return rule


def _irfftn_rule(name: str, default_axes: Any) -> Callable[..., Any]:
    def rule(
        g: Any,
        ans: Any,
        a: Any,
        s: Any = None,
        axes: Any = default_axes,
        norm: Any = None,
        out: Any = None,
    ) -> Any:
        # forward: ifft along all axes but the last, then irfft along it; back in reverse order
        sizes, axes = _nd_args(a, s, axes, name, real=True, half=True)
        rest = axes[:-1]
        h = _irfft_t(g, a.shape, sizes[-1], axes[-1], norm)
        if rest:
            h = _resize(fft.ifftn(h, axes=rest, norm=norm), a.shape, rest)
        return drop_imag(h, a)

    return rule


defvjp(fft.rfft, _rfft, keep="meta")
defvjp(fft.irfft, _irfft, keep="meta")
defvjp(fft.rfft2, _rfftn_rule("rfft2", (-2, -1)), keep="meta")
defvjp(fft.irfft2, _irfftn_rule("irfft2", (-2, -1)), keep="meta")
defvjp(fft.rfftn, _rfftn_rule("rfftn", None), keep="meta")
defvjp(fft.irfftn, _irfftn_rule("irfftn", None), keep="meta")


# --------------------------------------------------------------------------------------------
# Hermitian transforms: hfft = irfft(conj(a), norm swapped), ihfft = conj(rfft(a, norm swapped))


def _hfft(
    g: Any, ans: Any, a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    ax = axis % a.ndim
    n = 2 * (a.shape[ax] - 1) if n is None else n
    h = fft.rfft(g, axis=ax, norm=norm) * _bin_weights(g, n, ax, 2.0)
    return drop_imag(_resize(h, a.shape, (ax,)), a)


def _ihfft(
    g: Any, ans: Any, a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    ax = axis % a.ndim
    n = a.shape[ax] if n is None else n
    h = g * _bin_weights(g, n, ax, 0.5)
    return _resize(fft.irfft(h, n, axis=ax, norm=norm), a.shape, (ax,))


defvjp(fft.hfft, _hfft, keep="meta")
defvjp(fft.ihfft, _ihfft, keep="meta")


# --------------------------------------------------------------------------------------------
# shifts: each one's transpose is the other


def _fftshift(g: Any, ans: Any, x: Any, axes: Any = None) -> Any:
    return fft.ifftshift(g, axes=axes)


def _ifftshift(g: Any, ans: Any, x: Any, axes: Any = None) -> Any:
    return fft.fftshift(g, axes=axes)


defvjp(fft.fftshift, _fftshift, keep="meta")
defvjp(fft.ifftshift, _ifftshift, keep="meta")
