"""``minpy.scipy.linalg``: values equal SciPy's, clear errors, the re-exports, and gradients
against HIPS autograd's ``autograd.scipy.linalg`` where installed (the op table checks every
rule against finite differences at first and second order)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest
import scipy.linalg as sla

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.scipy import linalg as mla

RNG = numpy.random.RandomState(0)
WELL = 2.0 * numpy.eye(3) + 0.3 * RNG.randn(3, 3)
B = RNG.randn(3, 2)


def test_scipy_linalg_values_equal_scipys(device: minpy.Device) -> None:
    cases = [
        (
            mla.solve_triangular(np.array(WELL), np.array(B), trans="T", lower=True),
            sla.solve_triangular(WELL, B, trans="T", lower=True),
        ),
        (mla.expm(np.array(WELL)), sla.expm(WELL)),
        (mla.sqrtm(np.array(WELL)), sla.sqrtm(WELL)),
        (mla.cholesky(np.array(WELL @ WELL.T)), sla.cholesky(WELL @ WELL.T)),
        (
            mla.solve_sylvester(np.array(WELL), np.array(WELL.T), np.array(WELL)),
            sla.solve_sylvester(WELL, WELL.T, WELL),
        ),
    ]
    for got, want in cases:
        assert got.device is device
        numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def test_inv_det_solve_are_numpys() -> None:
    assert mla.inv is np.linalg.inv and mla.det is np.linalg.det and mla.solve is np.linalg.solve
    numpy.testing.assert_allclose(mla.inv(np.array(WELL)).asnumpy(), sla.inv(WELL))


def test_solve_triangular_bad_trans_says_which() -> None:
    with pytest.raises(ValueError, match=r"trans=3 is not one of 0, 1, 2, 'N', 'T', 'C'"):
        grad(lambda a: np.sum(mla.solve_triangular(a, np.array(B), trans=3)))(np.array(WELL))


def test_solve_triangular_gradient_lies_on_the_triangle_read() -> None:
    g = grad(
        lambda a: np.sum(mla.solve_triangular(a, np.array(B), lower=True, unit_diagonal=True))
    )(np.array(WELL))
    assert numpy.all(numpy.triu(g.asnumpy()) == 0)


def _autograd_cases() -> list[tuple[str, Callable[[Any, Any], Any], Any]]:
    return [
        ("solve_triangular", lambda sp, a: sp.solve_triangular(a, B, trans=1, lower=True), WELL),
        ("solve_triangular-upper", lambda sp, a: sp.solve_triangular(a, B[:, 0]), WELL),
        ("sqrtm", lambda sp, a: sp.sqrtm(a), WELL @ WELL.T),
        ("solve_sylvester", lambda sp, a: sp.solve_sylvester(a, WELL.T, B @ B.T), WELL),
    ]


@pytest.mark.parametrize("name, fun, x", _autograd_cases(), ids=[c[0] for c in _autograd_cases()])
def test_scipy_linalg_grad_matches_autograd(
    name: str, fun: Callable[[Any, Any], Any], x: Any
) -> None:
    autograd = pytest.importorskip("autograd")
    asl = pytest.importorskip("autograd.scipy.linalg")
    anp = pytest.importorskip("autograd.numpy")
    w = RNG.randn(*numpy.shape(fun(sla, x)))
    want = autograd.grad(lambda a: anp.sum(anp.sin(fun(asl, a)) * w))(x)
    got = grad(lambda a: np.sum(np.sin(fun(mla, a)) * w))(np.array(x))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-8, atol=1e-10)


def test_expm_grad_matches_frechet_derivative() -> None:
    a, g = 0.5 * RNG.randn(3, 3), RNG.randn(3, 3)
    got = grad(lambda x: np.sum(mla.expm(x) * g))(np.array(a))
    numpy.testing.assert_allclose(
        got.asnumpy(), sla.expm_frechet(a.T, g, compute_expm=False), rtol=1e-10
    )
