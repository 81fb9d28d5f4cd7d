"""MinPy's ``quick_grad_check``: passes on right gradients, fails on wrong ones, prints."""

from __future__ import annotations

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import customop
from minpy.utils.gradient_checker import quick_grad_check


def test_quick_grad_check_passes_on_correct_gradients(device: minpy.Device) -> None:
    rs = numpy.random.RandomState(0)
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    assert quick_grad_check(lambda v: np.sum(np.tanh(v) * v), x, verbose=False, rs=rs)
    # a non-scalar output counts as its sum; a NumPy array or a number is a fine point
    assert quick_grad_check(lambda v: v**2, numpy.array([1.0, 3.0]), verbose=False, rs=rs)
    assert quick_grad_check(lambda v: np.exp(v), 0.5, verbose=False)


def test_quick_grad_check_fails_on_a_wrong_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    @customop("numpy")
    def cube(x):  # type: ignore[no-untyped-def]
        return x**3

    cube.def_grad(lambda ans, x: lambda g: g * 2 * x)  # wrong: should be 3 x^2
    rs = numpy.random.RandomState(1)
    assert not quick_grad_check(lambda v: np.sum(cube(v)), np.array([1.0, 2.0]), rs=rs)
    assert capsys.readouterr().out.startswith("Check failed! (numeric grad: ")
    assert quick_grad_check(lambda v: np.sum(v * v), np.array([1.0]), rs=rs)
    assert capsys.readouterr().out.startswith("Gradient projection OK (numeric grad: ")


def test_quick_grad_check_tolerances_and_direction() -> None:
    # f(x) = sum(x^3) has curvature: a huge eps makes the central difference off by eps^2 terms
    f = lambda v: np.sum(v**3)
    x = np.array([1.0, -2.0, 0.5])
    assert quick_grad_check(f, x, verbose=False, eps=1e-4, rs=numpy.random.RandomState(2))
    assert not quick_grad_check(
        f, x, verbose=False, eps=5.0, rtol=1e-6, atol=1e-6, rs=numpy.random.RandomState(2)
    )
