"""``minpy.scipy.signal``: values equal SciPy's, the refused boundaries, and gradients against
HIPS autograd's ``convolve`` (its ``axes``/``dot_axes`` form, with no dot axes) where installed.
The op table (``optable_scipy_linalg.py``) checks every mode, method and size against finite
differences."""

from __future__ import annotations

import numpy
import pytest
import scipy.signal as ssig

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.scipy import signal as msig

RNG = numpy.random.RandomState(0)


@pytest.mark.parametrize("name", ["convolve", "correlate", "fftconvolve"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_signal_values_equal_scipys(name: str, mode: str, device: minpy.Device) -> None:
    a, b = RNG.randn(4, 5), RNG.randn(3, 2)
    got = getattr(msig, name)(np.array(a), np.array(b), mode)
    assert got.device is device
    numpy.testing.assert_allclose(got.asnumpy(), getattr(ssig, name)(a, b, mode), atol=1e-12)


@pytest.mark.parametrize("boundary", ["wrap", "symm"])
def test_convolve2d_gradient_refuses_other_boundaries(boundary: str) -> None:
    x, k = np.array(RNG.randn(3, 3)), np.array(RNG.randn(2, 2))
    value = msig.convolve2d(x, k, "same", boundary)  # the forward pass is SciPy's
    numpy.testing.assert_allclose(
        value.asnumpy(), ssig.convolve2d(x.asnumpy(), k.asnumpy(), "same", boundary)
    )
    with pytest.raises(NotImplementedError, match=f"boundary='{boundary}'.*only boundary='fill'"):
        grad(lambda v: np.sum(msig.correlate2d(v, k, "same", boundary)))(x)


def test_convolve_gradient_is_a_correlation() -> None:
    a, b = RNG.randn(5), RNG.randn(3)
    g = RNG.randn(7)
    ga, gb = grad(lambda x, y: np.sum(msig.convolve(x, y) * g), [0, 1])(np.array(a), np.array(b))
    numpy.testing.assert_allclose(ga.asnumpy(), numpy.correlate(g, b, "valid"), atol=1e-12)
    numpy.testing.assert_allclose(gb.asnumpy(), numpy.correlate(g, a, "valid"), atol=1e-12)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_grad_matches_autograd(mode: str) -> None:
    autograd = pytest.importorskip("autograd")
    asig = pytest.importorskip("autograd.scipy.signal")
    anp = pytest.importorskip("autograd.numpy")
    a, b, w = RNG.randn(6, 5), RNG.randn(3, 4), RNG.randn(6, 5)
    want = ssig.convolve(a, b, mode).shape
    weights = RNG.randn(*want)

    def theirs(x: object, y: object) -> object:
        out = asig.convolve(x, y, axes=([0, 1], [0, 1]), mode=mode)
        return anp.sum(anp.sin(out) * weights) + anp.sum(x * w)

    def ours(x: object, y: object) -> object:
        return np.sum(np.sin(msig.convolve(x, y, mode)) * weights) + np.sum(x * w)

    expect = autograd.grad(theirs, [0, 1])(a, b)
    got = grad(ours, [0, 1])(np.array(a), np.array(b))
    for g, e in zip(got, expect):
        numpy.testing.assert_allclose(g.asnumpy(), e, rtol=1e-10, atol=1e-12)
