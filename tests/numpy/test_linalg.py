"""``minpy.numpy.linalg``'s rules against HIPS autograd's numbers (where it has the rule:
its qr, eigvalsh, norm ord<1 and matrix 2-norm have none; the op table checks those by finite
differences), and the multi-output primitives' tape (one holder node, a ``select`` node per
output)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad
from minpy.errors import MissingVJPError

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

RNG = numpy.random.RandomState(0)
SQUARE = RNG.randn(3, 3)
TALL = RNG.randn(4, 3)
WIDE = RNG.randn(2, 4)
WELL = 2.0 * numpy.eye(3) + 0.3 * RNG.randn(3, 3)


def _eigh(xp: Any, a: Any) -> Any:
    w, v = xp.linalg.eigh(a + a.T)
    return xp.sum(w**3) + xp.sum(v**2 * xp.arange(1.0, 4.0))


def _svd(xp: Any, a: Any) -> Any:
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    k = s.shape[-1]
    return xp.sum(xp.dot(u * xp.arange(1.0, k + 1), vh) ** 2) + xp.sum(s**3)


TURNING = SQUARE - 1.5 * SQUARE.T  # complex-conjugate eigenvalue pairs


def _eig(xp: Any, a: Any) -> Any:
    w, v = xp.linalg.eig(a)
    loss = xp.sum(w**3) + xp.sum(xp.abs(v) ** 2 * xp.arange(1.0, 4.0))
    return xp.real(loss)


COMPARED: list[tuple[str, Callable[[Any, Any], Any], Any]] = [
    ("det", lambda xp, a: xp.linalg.det(a), WELL),
    ("slogdet", lambda xp, a: xp.linalg.slogdet(a)[1], WELL),
    ("eigh", _eigh, SQUARE),
    ("svd-tall", _svd, TALL),
    ("svd-wide", _svd, WIDE),
    ("pinv", lambda xp, a: xp.sum(xp.linalg.pinv(a) ** 2), TALL),
    ("norm-ord3", lambda xp, a: xp.linalg.norm(a[0], 3), TALL),
    ("norm-nuc", lambda xp, a: xp.linalg.norm(a, "nuc"), TALL),
    ("norm-ord4", lambda xp, a: xp.linalg.norm(a[0], 4), TALL),
    ("svd-values", lambda xp, a: xp.sum(xp.linalg.svd(a, compute_uv=False) ** 3), TALL),
    ("eig", _eig, SQUARE),
    ("eig-complex-pairs", _eig, TURNING),
]


@pytest.mark.parametrize("fun, x", [c[1:] for c in COMPARED], ids=[c[0] for c in COMPARED])
def test_linalg_grad_matches_autograd(fun: Callable[[Any, Any], Any], x: Any) -> None:
    want = autograd.grad(lambda a: fun(anp, a))(x)
    got = grad(lambda a: fun(np, a))(np.array(x))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(
    "fun, x", [(_eigh, SQUARE), (_svd, TALL), (_eig, TURNING)], ids=["eigh", "svd", "eig"]
)
def test_linalg_second_order_matches_autograd(fun: Callable[[Any, Any], Any], x: Any) -> None:
    v = RNG.randn(*x.shape)

    def hvp(xp: Any, g: Callable[..., Any]) -> Callable[[Any], Any]:
        return g(lambda a: xp.sum(g(lambda b: fun(xp, b))(a) * v))

    want = hvp(anp, autograd.grad)(x)
    got = hvp(np, grad)(np.array(x))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-7, atol=1e-9)


def test_det_grad_at_singular_is_the_adjugate() -> None:
    a = numpy.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    cofactors = [
        [
            (-1) ** (i + j) * numpy.linalg.det(numpy.delete(numpy.delete(a, i, 0), j, 1))
            for j in range(3)
        ]
        for i in range(3)
    ]
    got = grad(lambda x: np.linalg.det(x))(np.array(a))
    numpy.testing.assert_allclose(got.asnumpy(), cofactors, atol=1e-12)


def test_multi_output_gradients_meet_at_one_node() -> None:
    a = np.array(WELL)
    calls = []

    def f(x: Any) -> Any:
        u, s, vh = np.linalg.svd(x)
        calls.append(u._node.parents[0] is vh._node.parents[0])  # one holder node
        return np.sum(s) + np.sum(s**2)  # two paths into one output, none into the others

    got = grad(f)(a)
    u, s, vh = numpy.linalg.svd(WELL)
    numpy.testing.assert_allclose(got.asnumpy(), (u * (1 + 2 * s)) @ vh, atol=1e-12)
    assert calls == [True]


def test_multi_output_without_rules_raises() -> None:
    with pytest.raises(MissingVJPError, match="modf"):
        grad(lambda x: np.sum(np.modf(x)[0]))(np.array([1.5, 2.25]))


def test_norm_inf_ties_share_the_gradient() -> None:
    x = np.array([1.0, -3.0, 3.0, 2.0, -0.5])
    got = grad(lambda v: np.linalg.norm(v, numpy.inf))(x)
    numpy.testing.assert_array_equal(got.asnumpy(), [0.0, -0.5, 0.5, 0.0, 0.0])
    got = grad(lambda v: np.linalg.norm(v, -numpy.inf))(np.array([0.5, -3.0, -0.5]))
    numpy.testing.assert_array_equal(got.asnumpy(), [0.5, 0.0, -0.5])
    got = grad(lambda v: np.linalg.norm(v, 0))(x)
    numpy.testing.assert_array_equal(got.asnumpy(), numpy.zeros(5))


def test_lstsq_outputs_and_gradient_of_the_minimum_norm_solution() -> None:
    a, b = RNG.randn(2, 4), RNG.randn(2)
    x, res, rank, s = np.linalg.lstsq(np.array(a), np.array(b))
    want = numpy.linalg.lstsq(a, b)
    numpy.testing.assert_array_equal(x.asnumpy(), want[0])
    assert res.shape == (0,) and int(rank) == 2
    numpy.testing.assert_array_equal(s.asnumpy(), want[3])
    # x = A^T (A A^T)^-1 b: its gradient w.r.t. b is (A A^T)^-1 A 1
    got = grad(lambda v: np.sum(np.linalg.lstsq(np.array(a), v)[0]))(np.array(b))
    numpy.testing.assert_allclose(got.asnumpy(), numpy.linalg.solve(a @ a.T, a @ numpy.ones(4)))


def test_lstsq_rank_deficient_keeps_the_rank() -> None:
    a = RNG.randn(4, 3)
    a[:, 2] = a[:, 0] + a[:, 1]
    _, res, rank, _ = np.linalg.lstsq(np.array(a), np.array(RNG.randn(4)))
    assert int(rank) == 2 and res.shape == (0,)
    # at a constant rank the solution is pinv(A) b, whose gradient w.r.t. b is pinv(A)^T 1
    got = grad(lambda v: np.sum(np.linalg.lstsq(np.array(a), v)[0]))(np.array(RNG.randn(4)))
    numpy.testing.assert_allclose(got.asnumpy(), numpy.linalg.pinv(a).T @ numpy.ones(3))
