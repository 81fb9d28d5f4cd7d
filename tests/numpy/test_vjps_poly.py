"""The rules of the polynomial functions and of ``interp`` where finite differences cannot
check them (the op table, ``optable_poly.py``, does everywhere else): interp at its knots and
beyond its ends, polymul's trimmed leading zeros, orders that differentiate a polynomial
away, and the arguments that are not differentiated.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.errors import GradientError, MissingVJPError
from minpy.jit import JitWarning


def _host(x: Any) -> Any:
    return x.asnumpy() if isinstance(x, minpy.Array) else numpy.asarray(x)


def _assert_equal(got: Any, want: Any) -> None:
    numpy.testing.assert_allclose(_host(got), want, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# interp

XP = numpy.array([0.0, 1.0, 3.0])
FP = [0.0, 2.0, 3.0]  # slopes 2 on [0, 1), 0.5 on [1, 3)


def _interp_grads(x: Any, **kw: Any) -> tuple[Any, Any]:
    def loss(x: Any, fp: Any) -> Any:
        return np.sum(np.interp(x, np.array(XP), fp, **kw))

    gx, gfp = grad(loss, [0, 1])(np.array(x), np.array(FP))
    return gx, gfp


def test_interp_at_a_knot_takes_the_slope_on_its_right(device):
    # NumPy's value at a knot comes from the segment starting there; at xp[-1] only the
    # constant lies to the right, so the slope there is 0
    gx, gfp = _interp_grads([0.0, 1.0, 3.0])
    _assert_equal(gx, [2.0, 0.5, 0.0])
    _assert_equal(gfp, [1.0, 1.0, 1.0])  # each knot's value is its own fp entry
    for x, want in ((0.0, 2.0), (1.0, 0.5), (3.0, 0.0)):  # one-sided differences agree
        h = 1e-7
        right = (numpy.interp(x + h, XP, FP) - numpy.interp(x, XP, FP)) / h
        assert right == pytest.approx(want, rel=1e-6, abs=1e-9)


def test_interp_outside_the_knots_gives_the_end_values_their_gradient(device):
    gx, gfp = _interp_grads([-1.0, 4.0, 5.0])
    _assert_equal(gx, [0.0, 0.0, 0.0])
    _assert_equal(gfp, [1.0, 0.0, 2.0])  # left and right default to fp[0] and fp[-1]
    gx, gfp = _interp_grads([-1.0, 4.0, 3.0], left=-5.0, right=7.0)
    _assert_equal(gx, [0.0, 0.0, 0.0])
    _assert_equal(gfp, [0.0, 0.0, 1.0])  # the constants took the points beyond the ends


def test_interp_at_nan_has_gradient_zero(device):
    gx, gfp = _interp_grads([numpy.nan, 0.5])
    _assert_equal(gx, [0.0, 2.0])
    _assert_equal(gfp, [0.5, 0.5, 0.0])


def test_interp_with_one_knot(device):
    def loss(x: Any, fp: Any) -> Any:
        return np.sum(np.interp(x, np.array([1.0]), fp, right=9.0))

    gx, gfp = grad(loss, [0, 1])(np.array([0.0, 1.0, 2.0]), np.array([4.0]))
    _assert_equal(gx, [0.0, 0.0, 0.0])
    _assert_equal(gfp, [2.0])  # x = 0 takes fp[0] as left; x = 2 the constant right


def test_interp_left_and_right_traced(device):
    x = np.array([-1.0, -2.0, 0.5, 4.0])
    g = grad(lambda lo, hi: np.interp(x, np.array(XP), np.array(FP), lo, hi), [0, 1])
    glo, ghi = g(np.array(-5.0), np.array(7.0))
    _assert_equal(glo, 2.0)
    _assert_equal(ghi, 1.0)
    # with period= NumPy ignores left and right: they get no gradient
    g = grad(lambda lo: np.interp(x, np.array(XP), np.array(FP), lo, None, 2.0))
    _assert_equal(g(np.array(-5.0)), 0.0)


def test_interp_period_maps_the_wrapped_knots_back_to_fp(device):
    # modulo 3 the knots 4 and -0.5 are 1 and 2.5; x = 3.25 is 0.25, between 2.5 - 3 and 1
    gx, gfp = grad(lambda x, fp: np.sum(np.interp(x, np.array([4.0, -0.5]), fp, period=3)), [0, 1])(
        np.array([3.25]), np.array([10.0, 40.0])
    )
    _assert_equal(gx, [(10.0 - 40.0) / 1.5])
    _assert_equal(gfp, [0.5, 0.5])


def test_interp_does_not_differentiate_the_knots(device):
    f = grad(lambda xp: np.sum(np.interp(np.array([0.5]), xp, np.array(FP))))
    with pytest.raises(MissingVJPError, match=r"'interp' \(argument 1\)"):
        f(np.array(XP))


# --------------------------------------------------------------------------------------------
# polymul's leading zeros, orders that differentiate a polynomial away, keyword arguments


def test_polymul_leading_zeros_follow_the_powers(device):
    # NumPy trims a's leading zero: [0, 1] * [1, 1] is [1, 1], the coefficients of x and 1.
    # Matched by power, a[0] (of x) moves the x**2 coefficient (gone) and, through b[1], the
    # x coefficient: the product's derivative had the zero been kept
    w = np.array([10.0, 1.0])
    ga, gb = grad(lambda a, b: np.sum(np.polymul(a, b) * w), [0, 1])(
        np.array([0.0, 1.0]), np.array([1.0, 1.0])
    )
    _assert_equal(ga, [10.0, 11.0])
    _assert_equal(gb, [10.0, 1.0])
    # all zeros: NumPy keeps one 0, the product is [0, 0]
    ga = grad(lambda a: np.sum(np.polymul(a, np.array([1.0, 2.0])) * w))(np.zeros(2))
    _assert_equal(ga, [20.0, 12.0])  # of 10 (2 a0 + a1) + 2 a1


def test_polymul_under_jit_follows_the_trimming(device):
    def loss(a: Any, b: Any) -> Any:
        c = np.polymul(a, b)
        return np.sum(c * np.arange(1.0, 1.0 + c.shape[0]))

    f = minpy.jit(grad(loss, [0, 1]))
    b = np.array([1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitWarning)
        f(np.array([1.0, 2.0, 3.0]), b)
        got = f(np.array([0.0, 2.0, 3.0]), b)  # a shorter product: no replay of the first
    for g, want in zip(got, grad(loss, [0, 1])(np.array([0.0, 2.0, 3.0]), b)):
        _assert_equal(g, _host(want))
    assert any("polymul gives a shape that depends" in c for c in f.causes)


def test_polyder_beyond_the_degree_has_gradient_zero(device):
    p = np.array([1.0, 2.0, 3.0])
    _assert_equal(grad(lambda p: np.sum(np.polyder(p, 3)) + np.sum(np.polyder(p, 4)))(p), [0, 0, 0])
    _assert_equal(grad(lambda p: np.sum(np.polyder(p, 2) * 5.0))(p), [10.0, 0.0, 0.0])


def test_polyder_of_2d_coefficients_refuses_to_differentiate(device):
    # NumPy's recursion broadcasts p[:-1] (2, 1) against the powers (2,): a (2, 2) result
    with pytest.raises(NotImplementedError, match="1-D coefficients"):
        grad(lambda p: np.sum(np.polyder(p)))(np.ones((3, 1)))


def test_polyint_constants_are_integrated_by_the_later_passes(device):
    p = np.array([6.0])
    # polyint([6], 3, [k0, k1, k2]) = [1, k0 / 2, k1, k2]
    gk = grad(lambda k: np.sum(np.polyint(p, 3, k)))(np.array([1.0, 2.0, 3.0, 4.0]))
    _assert_equal(gk, [0.5, 1.0, 1.0, 0.0])  # k[3] is never used
    gk = grad(lambda k: np.sum(np.polyint(p, 3, k)))(np.array(2.0))  # one k for all passes
    _assert_equal(gk, 2.5)


def test_polyint_k_as_a_keyword_is_not_differentiated(device):
    p = np.array([1.0, 2.0])
    with pytest.raises(GradientError, match="k="):
        grad(lambda k: np.sum(np.polyint(p, 2, k=k)))(np.array([1.0, 2.0]))
