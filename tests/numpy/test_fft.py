"""``minpy.numpy.fft``'s gradients against HIPS autograd's (skipped where it is missing).

The op table checks every rule against finite differences; this pins the numbers to an
independent implementation with the same complex convention (``dL/dx - i dL/dy``).
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad

anp = pytest.importorskip("autograd.numpy")
autograd = pytest.importorskip("autograd")

RNG = numpy.random.RandomState(0)
REAL = RNG.randn(4, 6)  # even last axes: autograd has no rule for odd real transforms
COMPLEX = RNG.randn(3, 4) + 1j * RNG.randn(3, 4)
WEIGHT = RNG.randn(8, 8) + 1j * RNG.randn(8, 8)  # cut to each output's shape


def _loss(xp: Any, out: Any) -> Any:
    w = WEIGHT[tuple(slice(0, d) for d in out.shape)]
    return xp.sum(xp.real(out * w)) + xp.sum(xp.abs(out) ** 2)


CASES = [
    ("fft", lambda fft, z: fft.fft(z, 6, axis=0), COMPLEX),
    ("ifft-ortho", lambda fft, x: fft.ifft(x, 3, norm="ortho"), REAL),
    ("fft2", lambda fft, z: fft.fft2(z, s=(2, 6)), COMPLEX),
    ("fftn", lambda fft, z: fft.fftn(z), COMPLEX),
    ("rfft", lambda fft, x: fft.rfft(x), REAL),
    ("rfft-n-pad", lambda fft, x: fft.rfft(x, 8, axis=0), REAL),
    ("irfft", lambda fft, z: fft.irfft(z), COMPLEX),
    ("irfft-n-pad", lambda fft, z: fft.irfft(z, 8), COMPLEX),
    ("rfft2", lambda fft, x: fft.rfft2(x), REAL),
    ("irfftn", lambda fft, z: fft.irfftn(z), COMPLEX),
    ("fftshift", lambda fft, z: fft.fftshift(z, axes=1), COMPLEX),
    ("ifftshift", lambda fft, x: fft.ifftshift(x), REAL),
]


@pytest.mark.parametrize(("name", "fun", "x"), CASES, ids=[c[0] for c in CASES])
def test_fft_grad_matches_autograd(name: str, fun: Any, x: Any) -> None:
    want = autograd.grad(lambda v: _loss(anp, fun(anp.fft, v)))(x)
    got = grad(lambda v: _loss(np, fun(np.fft, v)))(np.array(x))
    assert got.dtype == x.dtype  # a real input gets a real gradient
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("n", [5, 6])
def test_rfft_grad_real_input_each_kept_bin_once(n: int) -> None:
    # the loss sums Re over the kept bins k = 0 .. n//2, each once (the rule must undo the
    # doubling irfft gives the bins that stand for two): d/dx_j = sum_k cos(2 pi jk / n)
    x = numpy.arange(float(n))
    got = grad(lambda v: np.sum(np.real(np.fft.rfft(v))))(np.array(x)).asnumpy()
    k = numpy.arange(n // 2 + 1)
    want = numpy.cos(2 * numpy.pi * numpy.outer(numpy.arange(n), k) / n).sum(1)
    numpy.testing.assert_allclose(got, want, atol=1e-12)
    assert got.dtype == numpy.float64


def test_fftn_grad_repeated_axes_with_s_raises() -> None:
    with pytest.raises(NotImplementedError, match="repeated axes"):
        grad(lambda v: np.sum(np.real(np.fft.fftn(v, s=(3, 3), axes=(0, 0)))))(np.ones((2, 2)))
