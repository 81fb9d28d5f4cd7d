"""The gradient rules at their edges: complex numbers, ties, degenerate points, dtypes.

Each test pins one convention with exact numbers (checked against central finite differences
where the function is differentiable there, and against HIPS autograd where it is installed):

- complex ``z = x + iy``: the gradient of a real loss is ``dL/dx - i dL/dy`` (HIPS autograd,
  JAX); a real input promoted to complex gets a real gradient;
- ties of maximum/minimum and of max/min reductions split the gradient evenly; clip gives
  the gradient to the bound a value sits on;
- where no derivative exists, or the formula would divide by zero, the subgradient 0;
- Python numbers stay weakly typed: float32 inputs get float32 gradients.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad, hessian
from minpy.errors import GradientError
from minpy.testing import check_grads


def _host(x: Any) -> Any:
    return x.asnumpy() if isinstance(x, minpy.Array) else numpy.asarray(x)


def _assert_equal(got: Any, want: Any) -> None:
    numpy.testing.assert_allclose(_host(got), want, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# complex numbers


def test_complex_grad_is_d_dx_minus_i_d_dy(device):
    # |z|^2 = x^2 + y^2: (2x, 2y) gives 2x - 2iy = 2 conj(z)
    _assert_equal(grad(lambda z: np.sum(np.abs(z) ** 2))(np.array([3 + 4j])), [6 - 8j])
    # Re(z^2) = x^2 - y^2: (2x, -2y) gives 2x + 2iy = 2z (holomorphic: no conjugate)
    _assert_equal(grad(lambda z: np.sum(np.real(z * z)))(np.array([1 + 2j])), [2 + 4j])
    _assert_equal(grad(lambda z: np.sum(np.abs(z)))(np.array([3 + 4j])), [0.6 - 0.8j])


def test_complex_parts_and_angle(device):
    z = np.array([1 + 2j, -3 + 0.5j])
    _assert_equal(grad(lambda z: np.sum(np.imag(z)))(z), [-1j, -1j])
    _assert_equal(grad(lambda z: np.sum(np.real(z)))(z), [1 + 0j, 1 + 0j])
    _assert_equal(grad(lambda z: np.sum(np.real(np.conj(z) * 2j)))(z), [-2j, -2j])
    # angle = atan2(y, x): (-y, x) / |z|^2
    _assert_equal(grad(lambda z: np.sum(np.angle(z)))(np.array([1 + 2j])), [-0.4 - 0.2j])
    _assert_equal(grad(lambda z: np.sum(np.angle(z)))(np.array([0j])), [0j])
    check_grads(lambda z: np.angle(z) * np.abs(z), z)


@pytest.mark.parametrize(
    ("fun", "want"),
    [
        # the numbers HIPS autograd gives (rounded there to the digits shown)
        (lambda a: np.var(a), [-2j / 9, -2 / 3 - 8j / 9, 2 / 3 + 10j / 9]),
        (lambda a: np.std(a), [-0.0745356j, -0.2236068 - 0.2981424j, 0.2236068 + 0.372678j]),
        (lambda a: np.linalg.norm(a), [0.23570226 - 0.47140452j, -0.70710678j, 0.47140452]),
    ],
    ids=["var", "std", "norm"],
)
def test_complex_statistics_conjugate(device, fun, want):
    a = np.array([1 + 2j, 3j, 2 + 0j])
    numpy.testing.assert_allclose(grad(fun)(a).asnumpy(), want, atol=1e-7)
    check_grads(fun, a)


def test_complex_products_are_holomorphic(device):
    z = np.array([1 + 2j, 2 - 1j])
    _assert_equal(grad(lambda z: np.real(np.prod(z)))(z), [2 - 1j, 1 + 2j])
    _assert_equal(
        grad(lambda z: np.real(np.sum(np.cumsum(z) * np.array([1j, 2.0]))))(z), [2 + 1j, 2]
    )


def test_vdot_conjugates_its_first_operand(device):
    a = np.array([1 + 2j, 3j])
    b = np.array([1 + 1j, 2 - 1j])
    # Re(sum(conj(a) b)): conj(b) for a, conj(a) for b
    ga, gb = grad(lambda a, b: np.real(np.vdot(a, b)), [0, 1])(a, b)
    _assert_equal(ga, numpy.conj(b.asnumpy()))
    _assert_equal(gb, numpy.conj(a.asnumpy()))


@pytest.mark.parametrize(
    "fun",
    [
        lambda x: np.abs(x * (1 + 2j)),
        lambda x: np.abs(np.astype(x, np.complex128) * (1 + 2j)),
        lambda x: np.abs(x.astype(np.complex128) * (1 + 2j)),
        lambda x: np.abs(np.dot(x, np.array([1j, 2.0]))),
        lambda x: np.abs(np.matmul(np.array([[1j, 2.0]]), x)),
        lambda x: np.abs(np.einsum("i,i->", x, np.array([1j, 2.0]))),
        lambda x: np.abs(np.concatenate([x, np.array([1j])])),
        lambda x: np.abs(np.where(numpy.array([True, False]), x, 1j)),
        lambda x: np.abs(np.linalg.solve(np.eye(2), x * 1j)),
    ],
    ids=[
        "multiply",
        "astype",
        "astype-method",
        "dot",
        "matmul",
        "einsum",
        "concat",
        "where",
        "solve",
    ],
)
def test_real_input_promoted_to_complex_gets_a_real_gradient(device, fun):
    x = np.array([1.0, -2.0])
    g = grad(lambda x: np.sum(fun(x)))(x)
    assert g.dtype == numpy.float64
    check_grads(fun, x)


def test_astype_gradient_casts_back(device):
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = grad(lambda x: np.sum(x.astype(np.float64) ** 2))(x)
    assert g.dtype == numpy.float32
    _assert_equal(g, [2.0, 4.0])
    g = grad(lambda x: np.sum(np.abs(x.astype(np.complex64) * 1j)))(x)
    assert g.dtype == numpy.float32


def test_power_of_a_negative_real_base_to_a_complex_exponent(device):
    # NumPy promotes the base: log(-2) = log 2 + i pi, not the 0 of a real negative base
    base = np.array([-2.0, 0.5, 3.0])
    y = np.array([1 + 1j, 0.5 - 1j, 2j])
    check_grads(lambda y: np.power(base, y), y)
    check_grads(lambda y: (-1.5) ** y, y)


def test_sign_of_complex_moves_with_the_angle(device):
    z = np.array([1 + 2j, -0.5 + 0.1j])
    check_grads(lambda z: np.sign(z) * np.array([1 - 1j, 2j]), z)
    _assert_equal(grad(lambda z: np.sum(np.real(np.sign(z))))(np.array([0j])), [0j])
    _assert_equal(grad(lambda x: np.sum(np.sign(x) * x))(np.array([0.0, -2.0])), [0.0, -1.0])


# --------------------------------------------------------------------------------------------
# ties: the gradient splits evenly (HIPS autograd's convention)


def test_maximum_and_minimum_split_ties(device):
    x = np.array([1.0, 5.0, 3.0])
    y = np.array([1.0, 2.0, 3.0])
    both = grad(lambda x, y: np.sum(np.maximum(x, y) + np.minimum(x, y)), [0, 1])
    gx, gy = both(x, y)
    _assert_equal(gx, [1.0, 1.0, 1.0])
    _assert_equal(gy, [1.0, 1.0, 1.0])
    _assert_equal(grad(lambda x: np.sum(np.maximum(x, y)))(x), [0.5, 1.0, 0.5])
    _assert_equal(grad(lambda x: np.sum(np.fmin(x, y)))(x), [0.5, 0.0, 0.5])
    _assert_equal(grad(lambda x: np.sum(np.maximum(x, 0)))(np.array([-1.0, 0.0, 2.0])), [0, 0.5, 1])


def test_fmax_fmin_give_nan_partners_the_whole_gradient(device):
    x = np.array([1.0, numpy.nan, numpy.nan])
    y = np.array([numpy.nan, 2.0, numpy.nan])
    gx, gy = grad(lambda x, y: np.sum(_no_nan(np.fmax(x, y))), [0, 1])(x, y)
    _assert_equal(gx, [1.0, 0.0, 0.0])
    _assert_equal(gy, [0.0, 1.0, 0.0])
    gx = grad(lambda x: np.sum(_no_nan(np.maximum(x, y))))(x)  # maximum propagates NaN
    _assert_equal(gx, [0.0, 0.0, 0.0])
    gx = grad(lambda x: np.sum(_no_nan(np.fmin(x, numpy.nan) + np.fmax(x, 1.0))))(x)
    _assert_equal(gx, [1.5, 0.0, 0.0])


def _no_nan(x: Any) -> Any:
    return np.where(np.isnan(x), 0.0, x)


def test_max_and_min_reductions_split_ties(device):
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    _assert_equal(grad(lambda a: np.sum(np.max(a, axis=1)))(a), [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    b = np.array([[3.0, 1.0, 3.0], [3.0, 2.0, 0.0]])
    _assert_equal(grad(np.max)(b), [[1 / 3, 0, 1 / 3], [1 / 3, 0, 0]])
    _assert_equal(grad(lambda a: np.sum(np.amin(a, axis=0)))(a), [[1, 0, 0], [0, 1, 1]])
    c = np.array([[1.0, numpy.nan, 1.0], [2.0, 0.0, numpy.nan]])
    _assert_equal(grad(lambda c: np.sum(np.nanmax(c, axis=1)))(c), [[0.5, 0, 0.5], [1, 0, 0]])


def test_nanmax_of_an_all_nan_slice_has_gradient_zero(device):
    c = np.array([[numpy.nan, numpy.nan], [1.0, 2.0]])
    with pytest.warns(RuntimeWarning, match="All-NaN"):
        g = grad(lambda c: np.sum(_no_nan(np.nanmax(c, axis=1))))(c)
    _assert_equal(g, [[0, 0], [0, 1]])


def test_clip_gives_the_gradient_to_the_bound_a_value_sits_on(device):
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    _assert_equal(grad(lambda x: np.sum(np.clip(x, 0.0, 1.0)))(x), [0, 0, 1, 0, 0])
    lo = np.zeros(5)
    hi = np.ones(5)
    gx, glo, ghi = grad(lambda x, lo, hi: np.sum(np.clip(x, lo, hi)), [0, 1, 2])(x, lo, hi)
    _assert_equal(gx, [0, 0, 1, 0, 0])
    _assert_equal(glo, [1, 1, 0, 0, 0])
    _assert_equal(ghi, [0, 0, 0, 1, 1])
    # lo > hi: NumPy returns hi everywhere, so hi gets everything
    gx, glo, ghi = grad(lambda x, lo, hi: np.sum(np.clip(x, lo, hi)), [0, 1, 2])(x, hi, lo)
    _assert_equal(gx + glo, numpy.zeros(5))
    _assert_equal(ghi, numpy.ones(5))


# --------------------------------------------------------------------------------------------
# clip with array bounds


def test_clip_with_array_bounds_reduces_to_each_shape(device):
    y = np.array([[0.1, 0.2], [0.3, 1.0]])
    fun = lambda y: np.clip(np.sum(y, 0, keepdims=True), y - 0.5, y + 0.5)
    # sum(y, 0) = [0.4, 1.2]: inside [y - .5, y + .5] at (0, 0), (1, 0), (1, 1) (those add
    # g to a whole column of y), above it at (0, 1) (g goes to y[0, 1] through the bound)
    _assert_equal(grad(lambda y: np.sum(fun(y)))(y), [[2.0, 2.0], [2.0, 1.0]])
    check_grads(fun, y)
    lo = np.array([[-0.5], [0.1]])
    x = np.array([0.0, 0.3, 0.7])
    gx, glo = grad(lambda x, lo: np.sum(np.clip(x, lo, 0.5)), [0, 1])(x, lo)
    assert gx.shape == (3,) and glo.shape == (2, 1)
    _assert_equal(gx, [1.0, 2.0, 0.0])
    _assert_equal(glo, [[0.0], [1.0]])


def test_clip_honours_min_and_max_keywords(device):
    x = np.array([-1.0, 0.2, 2.0])
    _assert_equal(grad(lambda x: np.sum(np.clip(x, min=0.0, max=1.0)))(x), [0, 1, 0])
    _assert_equal(grad(lambda x: np.sum(np.clip(x, max=1.0)))(x), [1, 1, 0])


# --------------------------------------------------------------------------------------------
# degenerate points: the subgradient 0, never nan


def test_std_of_one_value_or_constant_data_has_gradient_zero(device):
    assert float(grad(np.std)(3.5)) == 0.0
    _assert_equal(grad(np.std)(np.array(3.5)), 0.0)
    _assert_equal(grad(np.std)(np.array([2.0, 2.0, 2.0])), [0, 0, 0])
    _assert_equal(grad(lambda x: 0.0 * np.std(x))(np.array([2.0, 2.0])), [0, 0])
    rows = np.array([[1.0, 1.0], [1.0, 3.0]])
    _assert_equal(grad(lambda x: np.sum(np.std(x, axis=1)))(rows), [[0, 0], [-0.5, 0.5]])


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_without_degrees_of_freedom_is_nan_like_numpy(device, name):
    # NumPy's value is nan, with warnings; the gradient is nan too: no crash, no more warnings
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        getattr(numpy, name)(numpy.array([2.0]), ddof=1)
    forward = [str(w.message) for w in seen]
    assert any("Degrees of freedom" in m for m in forward)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        g = grad(lambda x: getattr(np, name)(x, ddof=1))(np.array([2.0]))
    assert [str(w.message) for w in seen] == forward
    assert numpy.isnan(g.asnumpy()).all()


def test_power_at_zero(device):
    x = np.array([0.0, 1.0, 2.0])
    _assert_equal(grad(lambda x: np.sum(np.power(x, 0.0)))(x), [0, 0, 0])
    _assert_equal(grad(lambda x: np.sum(x**0))(x), [0, 0, 0])
    y = np.array([0.0, 2.0, 0.0])
    _assert_equal(grad(lambda x: np.sum(np.power(x, y)))(x), [0, 2, 0])
    # the exponent's rule: x**y log x, with 0 where x == 0 (x**y is 0 there for y > 0)
    base = np.array([0.0, 2.0])
    g = grad(lambda y: np.sum(np.power(base, y)))(np.array([1.5, 1.5]))
    _assert_equal(g, [0.0, 2**1.5 * math.log(2)])
    assert float(grad(lambda y: 0.0**y)(1.5)) == 0.0


@pytest.mark.parametrize(
    ("fun", "x"),
    [
        (lambda x: np.linalg.norm(x), numpy.zeros(3)),
        (lambda x: np.linalg.norm(x), numpy.zeros((2, 2))),
        (lambda x: np.sum(np.linalg.norm(x, axis=1)), numpy.array([[0.0, 0.0], [3.0, 4.0]])),
        (lambda x: np.linalg.norm(x), numpy.zeros(2, dtype=complex)),
        (lambda x: np.sum(np.abs(x)), numpy.zeros(3)),
        (lambda x: np.sum(np.abs(x)), numpy.zeros(3, dtype=complex)),
        (lambda x: np.sum(np.hypot(x, x)), numpy.zeros(3)),
        (lambda x: np.sum(np.arctan2(x, x)), numpy.zeros(3)),
        (lambda x: np.sum(np.angle(x)), numpy.zeros(2, dtype=complex)),
    ],
    ids=[
        "norm",
        "norm-fro",
        "norm-axis",
        "norm-complex",
        "abs",
        "abs-complex",
        "hypot",
        "arctan2",
        "angle",
    ],
)
def test_no_derivative_gives_zero_not_nan(device, fun, x):
    g = grad(fun)(np.array(x)).asnumpy()
    want = numpy.zeros_like(x)
    if x.ndim == 2 and x.any():
        want = numpy.array([[0.0, 0.0], [0.6, 0.8]])
    numpy.testing.assert_allclose(g, want, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------------------------
# dtypes: Python numbers stay weakly typed (NumPy's rules, NEP 50)


@pytest.mark.parametrize(
    "fun",
    [
        lambda x: 2.0**x,
        lambda x: np.power(1.5, x),
        lambda x: np.power(x, 2.5),
        lambda x: x**2,
        lambda x: np.clip(x, 0.1, 0.5) + np.maximum(x, 0.2),
        lambda x: np.std(x) + np.var(x) + np.prod(x),
    ],
    ids=["rpow", "power-base", "power-exponent", "pow-int", "clip-maximum", "statistics"],
)
def test_python_numbers_keep_float32_gradients(device, fun):
    x = np.array([0.25, 1.0], dtype=np.float32)
    assert grad(lambda x: np.sum(fun(x)))(x).dtype == numpy.float32


def test_float64_array_operand_promotes_like_numpy(device):
    # NumPy promotes float32 * float64 to float64; the gradient follows the forward pass
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = grad(lambda x: np.sum(x * np.array([1.0, 2.0])))(x)
    assert g.dtype == numpy.float64


# --------------------------------------------------------------------------------------------
# second order of rules with index arrays, zeros


def test_repeat_second_order(device):
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
    check_grads(lambda x: np.repeat(x, [1, 0, 2], axis=1) ** 2, x)
    check_grads(lambda x: np.repeat(x, 2) ** 2, x)


def test_take_with_a_2d_index_and_no_axis(device):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    idx = numpy.array([[3, 0], [3, 3]])
    _assert_equal(grad(lambda x: np.sum(np.take(x, idx)))(x), [[1, 0], [0, 3]])
    check_grads(lambda x: np.take(x, idx) ** 2, x)


def test_scatter_add_with_an_array_key_second_order(device):
    key = np.array([2, 0, 2, 1])
    check_grads(lambda v: np.scatter_add((4,), key, v) ** 2, np.array([1.0, -2.0, 0.5, 3.0]))


def test_prod_second_order_at_zeros_is_exact(device):
    h = hessian(np.prod)(np.array([0.0, 2.0, 3.0]))
    _assert_equal(h, [[0, 3, 2], [3, 0, 0], [2, 0, 0]])
    h = hessian(np.prod)(np.array([0.0, 0.0, 3.0]))
    _assert_equal(h, [[0, 3, 0], [3, 0, 0], [0, 0, 0]])


def test_cumprod_gradient_at_zeros_is_exact(device):
    # y = (x0, x0 x1, x0 x1 x2): d sum(y) = (1 + x1 + x1 x2, x0 + x0 x2, x0 x1)
    g = grad(lambda v: np.sum(np.cumprod(v)))(np.array([2.0, 0.0, 3.0]))
    _assert_equal(g, [1.0, 8.0, 0.0])
    h = hessian(lambda v: np.sum(np.cumprod(v)))(np.array([2.0, 0.0, 3.0]))
    _assert_equal(h, [[0, 4, 0], [4, 0, 2], [0, 2, 0]])


# --------------------------------------------------------------------------------------------
# the same numbers as HIPS autograd, where it is installed


PEERS: list[tuple[str, Callable[[Any], Callable[[Any], Any]], Any]] = [
    ("abs2-complex", lambda xp: lambda z: xp.sum(xp.abs(z) ** 2), [3 + 4j, 1 - 1j]),
    ("real-square", lambda xp: lambda z: xp.sum(xp.real(z * z)), [1 + 2j]),
    ("angle", lambda xp: lambda z: xp.sum(xp.angle(z)), [1 + 2j, -1 + 0.5j]),
    ("imag", lambda xp: lambda z: xp.sum(xp.imag(z) * 3), [1 + 2j]),
    ("var-complex", lambda xp: lambda z: xp.var(z), [1 + 2j, 3j, 2 + 0j]),
    ("std-complex", lambda xp: lambda z: xp.std(z), [1 + 2j, 3j, 2 + 0j]),
    ("norm-complex", lambda xp: lambda z: xp.linalg.norm(z), [1 + 2j, 3j, 2 + 0j]),
    ("prod-complex", lambda xp: lambda z: xp.real(xp.prod(z)), [1 + 2j, 2 - 1j]),
    ("promoted", lambda xp: lambda x: xp.sum(xp.abs(x * (1 + 2j))), [1.0, -2.0]),
    (
        "max-min-tie",
        lambda xp: lambda x: xp.sum(xp.maximum(x, 2.0) + xp.minimum(x, 2.0)),
        [1.0, 2.0, 3.0],
    ),
    ("max-tie", lambda xp: lambda x: xp.sum(xp.maximum(x, 2.0)), [1.0, 2.0, 3.0]),
    ("max-axis-ties", lambda xp: lambda a: xp.sum(xp.max(a, axis=1)), [[1.0, 3, 3], [2, 2, 0]]),
    ("clip-bounds", lambda xp: lambda x: xp.sum(xp.clip(x, 0.0, 1.0)), [-1.0, 0, 0.5, 1, 2]),
    ("std-scalar", lambda xp: lambda x: xp.std(x), 3.5),
    ("power-zero", lambda xp: lambda x: xp.sum(xp.power(x, 0.0)), [0.0, 1.0]),
    ("power-base-zero", lambda xp: lambda y: xp.sum(xp.power(xp.array([0.0, 2.0]), y)), [1.5, 1.5]),
    ("abs-zero", lambda xp: lambda x: xp.sum(xp.abs(x)), [0.0, 0.0]),
]


@pytest.mark.parametrize(("name", "make", "x"), PEERS, ids=[p[0] for p in PEERS])
def test_same_numbers_as_hips_autograd(name, make, x):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    want = autograd.grad(make(anp))(numpy.asarray(x))
    got = grad(make(np))(np.array(x))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# where= in reductions: the entries left out get no gradient; rules without it refuse it


def test_sum_and_mean_where_against_finite_differences(device):
    rng = numpy.random.RandomState(3)
    x = np.array(rng.randn(3, 4), device=device)
    m = rng.rand(3, 4) > 0.4
    m[0] = m[:, 0] = True  # every column and row includes something
    check_grads(lambda x: np.sum(np.sin(x), axis=0, where=m), x)
    check_grads(lambda x: np.mean(x * x, axis=1, keepdims=True, where=m[:, :1]), x)
    m[:, 1] = False  # a column with nothing included: its mean is nan, its gradient 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "Mean of empty slice"
        g = grad(lambda x: np.nansum(np.mean(x, axis=0, where=m)))(x)
    want = numpy.where(m, 1.0 / numpy.maximum(m.sum(axis=0), 1), 0.0)
    numpy.testing.assert_allclose(g.asnumpy(), want)


@pytest.mark.parametrize("name", ["prod", "max", "min", "var", "std", "nansum", "nanmean"])
def test_reductions_without_a_where_rule_refuse_it(name):
    m = numpy.array([True, False, True])
    kw = {"initial": -10.0} if name == "max" else {"initial": 10.0} if name == "min" else {}
    label = "max/min" if name in ("max", "min") else name
    with pytest.raises(GradientError, match=rf"{label}: no gradient rule for where="):
        grad(lambda x: getattr(np, name)(x, where=m, **kw))(np.array([1.0, 2.0, 3.0]))


# --------------------------------------------------------------------------------------------
# reshape and ravel read the gradient back in their own element order


def test_reshape_and_ravel_in_fortran_order(device):
    x = np.array(numpy.random.RandomState(4).randn(2, 3), device=device)
    check_grads(lambda x: np.ravel(x, order="F") * np.arange(6.0, device=device), x)
    check_grads(lambda x: np.reshape(x, (3, 2), order="F") * x.T, x)
    check_grads(lambda x: x.flatten("F") * np.arange(6.0, device=device), x)
    check_grads(lambda x: x.reshape((3, 2), order="F")[0], x)


def test_ravel_in_memory_order_has_no_rule():
    with pytest.raises(GradientError, match=r"ravel: no gradient rule for order='K'"):
        grad(lambda x: np.sum(np.ravel(x, order="K") * np.arange(6.0)))(np.ones((2, 3)))


def test_summed_gradient_of_a_0d_value_stays_an_array_in_the_raw_pass():
    # v * v sums two 0-d gradients into a NumPy scalar; imag's rule then made a Python
    # complex of it (found by the fuzz suite)
    z = np.array(0.2 + 0.9j)
    g = grad(lambda a: np.real(np.sum(a.imag * a.imag * 1.5)))(z)
    assert isinstance(g, minpy.Array) and g.dtype == numpy.complex128
    assert complex(g) == pytest.approx(-3j * 0.9)


def test_arrays_shaped_like_x_carry_no_gradient_of_x():
    g = grad(lambda x: np.sum(x * 2 + np.zeros_like(x) + np.ones_like(x)))(np.ones(2))
    numpy.testing.assert_array_equal(g.asnumpy(), [2.0, 2.0])
    assert grad(lambda c: np.sum(np.full_like(np.ones(3), c)))(2.0) == 3.0
