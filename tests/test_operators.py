"""HIPS autograd's operators (minpy.operators, minpy.misc): each against its definition,
on every device, and against HIPS autograd's own numbers where it has the operator."""

from __future__ import annotations

import tracemalloc

import numpy
import pytest

import minpy.numpy as np
from minpy.core import (
    checkpoint,
    deriv,
    elementwise_grad,
    grad,
    grad_and_aux,
    grad_named,
    hessian,
    hessian_tensor_product,
    jacobian,
    jacobian_tensor_product,
    make_ggnvp,
    make_hvp,
    make_jvp,
    make_vjp,
    multigrad_dict,
    tensor_jacobian_product,
)
from minpy.errors import GradientError
from minpy.misc import flatten

ag = pytest.importorskip("autograd", reason="HIPS autograd is the reference")
anp = pytest.importorskip("autograd.numpy")
hips_misc = pytest.importorskip("autograd.misc")

A = numpy.random.RandomState(1).randn(4, 3)
X = numpy.array([0.3, -0.7, 1.1])
V = numpy.array([1.0, -2.0, 0.5])
U = numpy.array([0.5, 1.0, -1.0, 2.0])


def f(x, xp=np):
    return xp.tanh(xp.dot(xp.asarray(A), x)) * x[0]


def f_hips(x):
    return f(x, anp)


def scalar(x, xp=np):
    return xp.sum(xp.sin(x) ** 2 * x[0]) + xp.prod(x)


def scalar_hips(x):
    return scalar(x, anp)


def close(a, b):
    numpy.testing.assert_allclose(numpy.asarray(a), numpy.asarray(b), rtol=1e-10, atol=1e-12)


def test_make_vjp_is_v_times_jacobian(device):
    x = np.array(X)
    vjp, ans = make_vjp(f)(x)
    assert ans.device == device
    jac = jacobian(f)(x).asnumpy()
    first = vjp(np.array(U))
    assert first.device == device
    close(first.asnumpy(), U @ jac)
    close(vjp(np.array(U)).asnumpy(), U @ jac)  # the tape is kept: callable again
    close(vjp(np.array(2 * U)).asnumpy(), 2 * U @ jac)
    hips_vjp, _ = ag.make_vjp(f_hips)(X)
    close(first.asnumpy(), hips_vjp(U))


def test_make_vjp_checks_the_cotangent_shape():
    vjp, _ = make_vjp(f)(np.array(X))
    with pytest.raises(ValueError, match="cotangent has shape"):
        vjp(np.ones(3))


def test_make_vjp_does_not_alias_the_seed():
    vjp, _ = make_vjp(lambda x: x)(np.array(X))
    u = np.array(V)
    g = vjp(u)
    g[0] = 100.0
    assert u[0] == 1.0


def test_make_jvp_is_jacobian_times_v(device):
    x = np.array(X)
    jvp = make_jvp(f)(x)
    ans, t = jvp(np.array(V))
    jac = jacobian(f)(x).asnumpy()
    close(ans.asnumpy(), f(x).asnumpy())
    close(t.asnumpy(), jac @ V)
    close(jvp(np.array(X))[1].asnumpy(), jac @ X)
    close(t.asnumpy(), ag.make_jvp(f_hips)(X)(V)[1])


def test_jacobian_matches_hips_and_reuses_one_forward(device):
    calls = []

    def counted(x):
        calls.append(1)
        return f(x)

    jac = jacobian(counted)(np.array(X))
    assert len(calls) == 1
    assert jac.shape == (4, 3)
    close(jac.asnumpy(), ag.jacobian(f_hips)(X))


def test_jacobian_argnum_list_and_containers(device):
    x, v = np.array(X), np.array(V)
    ja, jb = jacobian(lambda a, b: a * b, [0, 1])(x, v)
    close(ja.asnumpy(), numpy.diag(V))
    close(jb.asnumpy(), numpy.diag(X))
    jd = jacobian(lambda d: d["a"] * 2 + np.sum(d["b"][0]))({"a": x, "b": (v,)})
    close(jd["a"].asnumpy(), 2 * numpy.eye(3))
    close(jd["b"][0].asnumpy(), numpy.ones((3, 3)))


def test_jacobian_of_matrix_output_shape():
    jac = jacobian(lambda m: m.T * 2)(np.ones((2, 3)))
    assert jac.shape == (3, 2, 2, 3)


def test_hessian_and_make_hvp(device):
    x = np.array(X)
    h = hessian(scalar)(x)
    close(h.asnumpy(), ag.hessian(scalar_hips)(X))
    hvp, g = make_hvp(scalar)(x)
    close(g.asnumpy(), grad(scalar)(x).asnumpy())
    close(hvp(np.array(V)).asnumpy(), h.asnumpy() @ V)
    close(hvp(np.array(X)).asnumpy(), h.asnumpy() @ X)
    close(hessian_tensor_product(scalar)(x, np.array(V)).asnumpy(), h.asnumpy() @ V)
    close(
        hessian_tensor_product(scalar)(x, np.array(V)).asnumpy(),
        ag.hessian_tensor_product(scalar_hips)(X, V),
    )


def test_tensor_products(device):
    x = np.array(X)
    jac = jacobian(f)(x).asnumpy()
    close(tensor_jacobian_product(f)(x, np.array(U)).asnumpy(), U @ jac)
    close(
        tensor_jacobian_product(f)(x, np.array(U)).asnumpy(),
        ag.tensor_jacobian_product(f_hips)(X, U),
    )
    close(jacobian_tensor_product(f)(x, np.array(V)).asnumpy(), jac @ V)


def test_make_ggnvp_is_jt_hg_j_v(device):
    x = np.array(X)
    jac = jacobian(f)(x).asnumpy()

    def g(y):
        return np.sum(np.exp(y) * y)

    hg = hessian(g)(f(x)).asnumpy()
    close(make_ggnvp(f, g)(x)(np.array(V)).asnumpy(), jac.T @ hg @ jac @ V)
    close(make_ggnvp(f)(x)(np.array(V)).asnumpy(), jac.T @ jac @ V)
    close(make_ggnvp(f)(x)(np.array(V)).asnumpy(), ag.make_ggnvp(f_hips)(X)(V))


def test_deriv_and_elementwise_grad(device):
    x = np.array(X)
    close(deriv(np.sin)(x).asnumpy(), numpy.cos(X))
    close(elementwise_grad(np.sin)(x).asnumpy(), numpy.cos(X))
    close(elementwise_grad(np.tanh)(x).asnumpy(), ag.elementwise_grad(anp.tanh)(X))
    close(deriv(np.tanh)(x).asnumpy(), ag.deriv(anp.tanh)(X))


def test_grad_and_aux(device):
    x = np.array(X)
    g, aux = grad_and_aux(lambda x: (scalar(x), x * 3))(x)
    close(g.asnumpy(), grad(scalar)(x).asnumpy())
    close(aux.asnumpy(), 3 * X)
    assert aux._node is None
    hips_g, _ = ag.grad_and_aux(lambda x: (scalar_hips(x), x * 3))(X)
    close(g.asnumpy(), hips_g)
    with pytest.raises(TypeError, match="pair"):
        grad_and_aux(scalar)(x)


def test_grad_named_and_multigrad_dict():
    def h(a, b=2.0, *c, **k):
        return a * b * c[0] * k["z"]

    assert grad_named(h, "b")(1.0, 3.0, 5.0, z=7.0) == pytest.approx(35.0)
    with pytest.raises(GradientError, match="no positional parameter 'q'"):
        grad_named(h, "q")
    got = multigrad_dict(h)(1.0, 3.0, 5.0, z=7.0)
    assert got == {"a": 105.0, "b": 35.0, "c": (21.0,), "k": {"z": 15.0}}


def test_flatten_round_trip_and_grad(device):
    value = {"w": np.ones((2, 3)), "b": [np.zeros(3), 2.0], "s": (np.array([4.0]),)}
    flat, unflatten = flatten(value)
    assert flat.shape == (11,)
    back = unflatten(flat)
    close(back["w"].asnumpy(), numpy.ones((2, 3)))
    close(back["b"][1].asnumpy(), 2.0)
    assert isinstance(back["s"], tuple)

    def loss(p):
        flat, unf = flatten(p)
        q = unf(flat * 2)
        return np.sum(q["w"] ** 2) + np.sum(flat**3)

    g = grad(loss)(value)
    close(g["w"].asnumpy(), numpy.full((2, 3), 11.0))
    assert g["b"][1] == pytest.approx(12.0)
    hips_flat, _ = hips_misc.flatten({"w": numpy.ones((2, 3)), "b": [numpy.zeros(3), 2.0]})
    close(flatten({"w": np.ones((2, 3)), "b": [np.zeros(3), 2.0]})[0].asnumpy(), hips_flat)
    with pytest.raises(ValueError, match="unflatten"):
        unflatten(np.ones(3))
    with pytest.raises(TypeError, match="flatten"):
        flatten({"a": "text"})


def _chain(x):
    for _ in range(8):
        x = np.sin(x) * 1.5 + 0.1
    return np.sum(x)


def test_checkpoint_gradient_equals_plain(device):
    x = np.array(X)
    ck = checkpoint(_chain)
    close(grad(ck)(x).asnumpy(), grad(_chain)(x).asnumpy())
    close(
        grad(lambda x: ck(x) * ck(x * 2))(x).asnumpy(),
        grad(lambda x: _chain(x) * _chain(x * 2))(x).asnumpy(),
    )
    close(hessian(ck)(x).asnumpy(), hessian(_chain)(x).asnumpy())  # recorded: higher order
    assert float(ck(x)) == pytest.approx(float(_chain(x)))


def test_checkpoint_rejects_closures():
    y = np.array(V)

    def outer(y):
        return checkpoint(lambda x: np.sum(x * y))(np.array(X) + y)

    with pytest.raises(GradientError, match="not one of its arguments"):
        grad(outer)(y)


def test_checkpoint_forward_keeps_less_memory():
    n = 200_000  # 1.6 MB per intermediate

    def peak_of_forward(step):
        def loss(x):
            tracemalloc.reset_peak()
            start = tracemalloc.get_traced_memory()[0]
            out = step(x)
            peak[0] = tracemalloc.get_traced_memory()[1] - start
            return out

        peak = [0]
        tracemalloc.start()
        try:
            grad(loss)(np.ones(n))
        finally:
            tracemalloc.stop()
        return peak[0]

    plain = peak_of_forward(lambda x: _chain(x))
    saved = peak_of_forward(checkpoint(_chain))
    assert saved < plain / 3, (saved, plain)
