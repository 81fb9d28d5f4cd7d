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
]


@pytest.mark.parametrize("fun, x", [c[1:] for c in COMPARED], ids=[c[0] for c in COMPARED])
def test_linalg_grad_matches_autograd(fun: Callable[[Any, Any], Any], x: Any) -> None:
    want = autograd.grad(lambda a: fun(anp, a))(x)
    got = grad(lambda a: fun(np, a))(np.array(x))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("fun, x", [(_eigh, SQUARE), (_svd, TALL)], ids=["eigh", "svd"])
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
