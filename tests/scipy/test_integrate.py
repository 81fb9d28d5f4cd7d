"""``minpy.scipy.integrate.odeint``: values equal SciPy's, errors, and gradients w.r.t. ``y0``,
``t`` and ``args`` against finite differences (first and second order, on every device) and
against HIPS autograd's ``odeint`` where installed."""

from __future__ import annotations

from typing import Any

import numpy
import pytest
import scipy.integrate as sint

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.scipy.integrate import odeint
from minpy.testing import check_grads

TOL = {"rtol": 1e-12, "atol": 1e-12}  # finite differences need a tightly solved ODE
Y0 = numpy.array([1.0, 0.5])
T = numpy.array([0.0, 0.4, 1.0])
K = numpy.array([0.7, 1.2])


def _dynamics(y: Any, t: Any, k: Any, c: Any) -> Any:
    return -k * y + c * np.sin(t) * y**2


@pytest.fixture
def quiet_fallback(device: minpy.Device) -> Any:
    """odeint runs on the CPU; off the CPU that is a (warned, counted) fallback."""
    if device.kind == "cpu":
        yield
        return
    with pytest.warns(Warning, match="odeint"):
        yield


def test_odeint_values_equal_scipys() -> None:
    got = odeint(_dynamics, np.array(Y0), np.array(T), (np.array(K), 0.3))
    want = sint.odeint(lambda y, t: -K * y + 0.3 * numpy.sin(t) * y**2, Y0, T)
    numpy.testing.assert_array_equal(got.asnumpy(), want)


def test_odeint_grads_first_and_second_order(device: minpy.Device, fresh_warnings: None) -> None:
    args = [np.array(Y0), np.array(T), np.array(K), np.array(0.3)]
    if device.kind == "cpu":
        check_grads(
            lambda y0, t, k, c: odeint(_dynamics, y0, t, (k, c), **TOL),
            *args,
            order=2,
            rtol=1e-4,
            atol=1e-6,
        )
        return
    with pytest.warns(Warning, match="odeint"):
        out = odeint(_dynamics, args[0], args[1], (args[2], args[3]), **TOL)
    assert out.device is device
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(
            lambda y0, t, k, c: odeint(_dynamics, y0, t, (k, c), **TOL),
            *args,
            order=1,
            rtol=1e-4,
            atol=1e-6,
        )


def test_odeint_errors_say_what_to_do() -> None:
    with pytest.raises(ValueError, match=r"y0 must be 1-D.*ravel\(\)"):
        odeint(_dynamics, np.ones((2, 2)), np.array(T), (np.array(K), 0.3))
    with pytest.raises(ValueError, match="full_output=True is not supported"):
        odeint(_dynamics, np.array(Y0), np.array(T), (np.array(K), 0.3), full_output=True)


def test_odeint_grad_matches_autograd() -> None:
    autograd = pytest.importorskip("autograd")
    aint = pytest.importorskip("autograd.scipy.integrate")
    anp = pytest.importorskip("autograd.numpy")

    def theirs(y0: Any, t: Any, k: Any) -> Any:
        f = lambda y, s, k: -k * y + 0.3 * anp.sin(s) * y**2
        return anp.sum(anp.sin(aint.odeint(f, y0, t, (k,), **TOL)))

    def ours(y0: Any, t: Any, k: Any) -> Any:
        return np.sum(np.sin(odeint(_dynamics, y0, t, (k, 0.3), **TOL)))

    # HIPS autograd's odeint fails when t or an array argument is traced (ValueError inside
    # its backward pass); those gradients are checked by finite differences above
    want = [autograd.grad(theirs, 0)(Y0, T, K)]
    got = [grad(ours, 0)(np.array(Y0), np.array(T), np.array(K))]
    for g, w in zip(got, want):
        numpy.testing.assert_allclose(g.asnumpy(), w, rtol=1e-7, atol=1e-9)
