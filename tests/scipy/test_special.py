"""``minpy.scipy.special`` beyond the op table: values against SciPy's, the errors for arguments
without a gradient, the CPU fallback of a function the device lacks, gradients against HIPS
autograd's (skipped where it is missing), and the import without SciPy.

The op table (``tests/scipy/optable_special.py``) checks every rule at first and second order
on every device.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy
import pytest
import scipy.special as ss

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.errors import GradientError
from minpy.policy import FallbackWarning
from minpy.scipy import special
from minpy.testing import check_grads, fake_device

RNG = numpy.random.RandomState(0)
X = RNG.uniform(0.5, 3.0, size=(2, 3))


@pytest.mark.parametrize(
    "name", ["gammaln", "digamma", "gamma", "erf", "erfcx", "log_ndtr", "i0e", "k1", "entr"]
)
def test_unary_values_match_scipy(name: str, device: minpy.Device) -> None:
    out = getattr(special, name)(np.array(X, device=device))
    assert out.device is device
    numpy.testing.assert_allclose(out.asnumpy(), getattr(ss, name)(X), rtol=1e-13)


def test_psi_is_digamma() -> None:
    assert special.psi is special.digamma
    assert special.digamma.name == "scipy.special.digamma"


def test_logsumexp_matches_scipy_with_weights(device: minpy.Device) -> None:
    a = RNG.randn(3, 4)
    b = RNG.uniform(0.5, 2.0, size=(4,))
    got = special.logsumexp(np.array(a, device=device), axis=1, b=np.array(b, device=device))
    assert got.device is device
    numpy.testing.assert_allclose(got.asnumpy(), ss.logsumexp(a, axis=1, b=b), rtol=1e-13)
    listed = special.logsumexp(np.array(a, device=device), b=[1.0, 2.0, 3.0, 4.0])
    numpy.testing.assert_allclose(float(listed), ss.logsumexp(a, b=[1.0, 2.0, 3.0, 4.0]))


def test_logsumexp_grad_is_the_softmax() -> None:
    a = RNG.randn(5)
    g = grad(lambda v: special.logsumexp(v))(np.array(a))
    numpy.testing.assert_allclose(g.asnumpy(), ss.softmax(a), rtol=1e-13)


def test_logsumexp_return_sign_is_refused() -> None:
    with pytest.raises(ValueError, match="return_sign=True is not supported"):
        special.logsumexp(np.ones(2), return_sign=True)


@pytest.mark.parametrize(
    "fun, arg",
    [
        (lambda n, x: special.polygamma(n, x), "'n'"),
        (lambda a, x: special.gammainc(a, x), "'a'"),
        (lambda a, x: special.gammaincc(a, x), "'a'"),
        (lambda a, x: special.betainc(a, 2.0, x / 4.0), "'a'"),
        (lambda b, x: special.betaincc(2.0, b, x / 4.0), "'b'"),
        (lambda x, q: special.zeta(x + 1.5, q), "'x'"),
        (lambda v, x: special.iv(v, x), "'v'"),
        (lambda v, x: special.kv(v, x), "'v'"),
    ],
)
def test_grad_without_closed_form_raises(fun: Any, arg: str) -> None:
    with pytest.raises(GradientError, match=f"no exact gradient with respect to {arg}.*constant"):
        grad(fun)(np.array(2.0), np.array(1.5))


def test_grad_of_the_other_argument_still_works() -> None:
    # gammainc's a is a constant: its x-derivative is exact, at first and second order
    a = np.array([0.5, 2.0, 3.5])
    check_grads(lambda x: special.gammainc(a, x), np.array([0.7, 1.9, 4.0]))
    x = 1.3
    want = numpy.exp(-x) * x ** (2.5 - 1) / ss.gamma(2.5)
    assert float(grad(lambda v: special.gammainc(2.5, v))(x)) == pytest.approx(want, rel=1e-13)


def test_fallback_when_the_device_lacks_the_function(fresh_warnings: None) -> None:
    dev = fake_device(kind="lacks_gammaln", missing={"scipy.special.gammaln"})
    x = np.array(X, device=dev)
    with pytest.warns(FallbackWarning, match="scipy.special.gammaln"):
        y = special.gammaln(x)
        g = grad(lambda v: np.sum(special.gammaln(v)))(x)
    assert y.device is dev and g.device is dev
    numpy.testing.assert_allclose(y.asnumpy(), ss.gammaln(X), rtol=1e-13)
    numpy.testing.assert_allclose(g.asnumpy(), ss.digamma(X), rtol=1e-13)


# --------------------------------------------------------------------------------------------
# HIPS autograd's gradients of the functions it has


def _autograd_cases() -> list[tuple[str, Any, Any]]:
    """(name, f(special_module, x), x): the same code run by both libraries."""
    pos = X
    unit = RNG.uniform(0.1, 0.9, size=(2, 3))
    real = RNG.randn(2, 3)
    return [
        ("gammaln", lambda s, x: s.gammaln(x), pos),
        ("digamma", lambda s, x: s.digamma(x), pos),
        ("psi", lambda s, x: s.psi(x), pos),
        ("polygamma", lambda s, x: s.polygamma(2, x), pos),
        ("gamma", lambda s, x: s.gamma(x), pos),
        ("rgamma", lambda s, x: s.rgamma(x), pos),
        ("beta", lambda s, x: s.beta(x, x[::-1]), pos),
        ("betaln", lambda s, x: s.betaln(1.5, x), pos),
        ("multigammaln", lambda s, x: s.multigammaln(x + 2.0, 3), pos),
        ("gammainc", lambda s, x: s.gammainc(1.7, x), pos),
        ("gammaincc", lambda s, x: s.gammaincc(0.6, x), pos),
        ("betainc", lambda s, x: s.betainc(1.5, 2.5, x), unit),
        ("erf", lambda s, x: s.erf(x), real),
        ("erfc", lambda s, x: s.erfc(x), real),
        ("erfinv", lambda s, x: s.erfinv(x), unit),
        ("erfcinv", lambda s, x: s.erfcinv(x), unit),
        ("expit", lambda s, x: s.expit(x), real),
        ("logit", lambda s, x: s.logit(x), unit),
        ("logsumexp", lambda s, x: s.logsumexp(x, axis=1), real),
        ("i0", lambda s, x: s.i0(x), real),
        ("i1", lambda s, x: s.i1(x), real),
        ("iv", lambda s, x: s.iv(1.5, x), pos),
        ("ive", lambda s, x: s.ive(2, x), pos),
        ("j0", lambda s, x: s.j0(x), real),
        ("j1", lambda s, x: s.j1(x), real),
        ("jn", lambda s, x: s.jn(3, x), real),
        ("y0", lambda s, x: s.y0(x), pos),
        ("y1", lambda s, x: s.y1(x), pos),
        ("yn", lambda s, x: s.yn(2, x), pos),
    ]


@pytest.mark.parametrize(
    "name, fun, x", _autograd_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_grad_matches_hips_autograd(name: str, fun: Any, x: Any) -> None:
    autograd = pytest.importorskip("autograd", reason="HIPS autograd is not installed")
    import autograd.numpy as anp
    import autograd.scipy.special as asp

    want = autograd.grad(lambda v: anp.sum(fun(asp, v) ** 2))(x)
    got = grad(lambda v: np.sum(fun(special, v) ** 2))(np.array(x))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------
# without SciPy


def test_import_without_scipy_names_the_extra() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["scipy"] = None  # as if SciPy were not installed
        try:
            import minpy.scipy.special
        except ImportError as exc:
            print("ImportError:", exc)
        else:
            print("imported")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],  # this checkout's minpy, first on sys.path
    )
    assert "ImportError:" in out.stdout, out.stdout + out.stderr
    assert 'pip install "minpy[scipy]"' in out.stdout
