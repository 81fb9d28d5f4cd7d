"""``select``, ``r_``/``c_`` (``minpy.numpy._assembly``) and the other small gaps, on the fake
device and the CPU: results are Arrays where the inputs are, gradients match finite
differences (the op-table cases of ``optable_assembly`` run on the fake device here, since
``test_vjps.py`` runs them on the real backends), and bad input says what and how to fix it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy
import pytest

import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad
from minpy.testing import check_grads, fake_device
from tests.numpy.optable import Case
from tests.numpy.optable_assembly import CASES


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_assembly_cases_on_fake_device(case: Case) -> None:
    dev = fake_device()
    host = case.inputs()
    args = [np.array(h, device=dev) for h in host]
    got = _outputs(case.fun(*args))
    want = _outputs(case.reference()(*host))
    for g, w in zip(got, want):
        assert isinstance(g, Array) and g.device == dev
        numpy.testing.assert_allclose(g.asnumpy(), w, rtol=1e-10, atol=1e-12)
    check_grads(case.fun, *args, order=case.order)


def test_select_traced_default_gets_its_gradient(device):
    x = np.array([-1.0, 0.0, 2.0, 3.0], device=device)
    d = np.array([5.0, 6.0, 7.0, 8.0], device=device)
    gx, gd = grad(
        lambda x, d: np.sum(np.select([x > 2.5, x < -0.5], [x**2, x], default=d)), [0, 1]
    )(x, d)
    numpy.testing.assert_array_equal(gx.asnumpy(), [1.0, 0.0, 0.0, 6.0])
    numpy.testing.assert_array_equal(gd.asnumpy(), [0.0, 1.0, 1.0, 0.0])
    assert gd.device == device


def test_select_dtype_follows_numpy():
    x = np.array([1, 2, 3])
    got = np.select([x > 1], [x], default=0.5)
    want = numpy.select([x.asnumpy() > 1], [x.asnumpy()], default=0.5)
    assert got.dtype == want.dtype
    f32 = np.ones(3, dtype=numpy.float32)
    assert np.select([x > 1], [f32], default=2.0).dtype == numpy.float32


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda x: np.select([x > 0], [x, x]), ValueError, "1 conditions but 2 choices"),
        (lambda x: np.select([], []), ValueError, "empty"),
        (lambda x: np.select([x], [x]), TypeError, "not bool"),
    ],
)
def test_select_bad_input_says_what(call, error, words):
    with pytest.raises(error, match=words):
        call(np.arange(3.0))


def test_r_c_return_arrays_on_the_inputs_device():
    dev = fake_device()
    x = np.arange(3.0, device=dev)
    for res in (np.r_[x, 1:3, 7], np.c_[x, x], np.r_["0,2", x], np.r_[0:1:3j, x]):
        assert isinstance(res, Array) and res.device == dev
    assert np.r_[1:4].device == np.ones(1).device  # no Array: the current context


def test_r_is_differentiable_inside_grad(device):
    x = np.array([1.0, 2.0], device=device)
    g = grad(lambda x: np.sum(np.r_[x, 0.0, x * 3] ** 2))(x)
    numpy.testing.assert_allclose(g.asnumpy(), 2 * x.asnumpy() + 18 * x.asnumpy())


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("1,2;3,4", "lone string builds a NumPy matrix"),
        ((1.0, "0"), "must be the first entry"),
        (("a,b", 1.0), "unknown directive 'a,b'"),
        (("0,1,2,3", 1.0), "unknown directive"),
        (("r", numpy.ones((2, 2, 2))), "makes a 2-d result"),
        (slice(1, None), "has no end"),
    ],
)
def test_r_bad_keys_say_what(key, words):
    with pytest.raises(ValueError, match=words):
        np.r_[key]


def test_s_passes_through():
    assert np.s_[1:2, ::2] == (slice(1, 2), slice(None, None, 2))
    x = np.arange(6.0).reshape(2, 3)
    numpy.testing.assert_array_equal(x[np.s_[:, 1:]].asnumpy(), [[1.0, 2.0], [4.0, 5.0]])


def test_numpy_int64_of_traced_indexes_like_int(device):
    x = np.array([1.0, 2.0, 4.0], device=device)
    g = grad(lambda x: x[numpy.int64(x[0])] * x[np.intp(x[:1])][0])(x)
    numpy.testing.assert_array_equal(g.asnumpy(), [0.0, 4.0, 0.0])
    with pytest.raises(Exception, match="converted to a NumPy array"):  # floats still refuse
        grad(lambda x: numpy.float64(numpy.asarray(x)[0]) * x)(x)


def test_cross_of_2_vectors_names_the_fix():
    a = np.array([[1.0, 2.0]])
    b = np.array([[3.0, 4.0, 5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # NumPy 2 deprecates 2-vectors
        with pytest.raises(NotImplementedError, match="pad them with a zero third component"):
            grad(lambda a: np.sum(np.cross(a, b)))(a)


def test_einsum_sublists_match_subscripts():
    rng = numpy.random.RandomState(0)
    a, b = np.array(rng.randn(2, 3)), np.array(rng.randn(3, 4))
    ga = grad(lambda a: np.sum(np.einsum(a, [0, 1], b, [1, 2], [0, 2]) ** 2))(a)
    want = grad(lambda a: np.sum(np.einsum("ij,jk->ik", a, b) ** 2))(a)
    numpy.testing.assert_allclose(ga.asnumpy(), want.asnumpy())


def test_gradient_of_one_output_of_two():
    f = np.array(numpy.random.RandomState(1).randn(3, 4))
    g = grad(lambda f: np.sum(np.gradient(f)[0]))(f)  # the axis-1 output gets no gradient
    numpy.testing.assert_allclose(
        g.asnumpy(), numpy.gradient(numpy.eye(3), axis=0).sum(axis=0)[:, None] * numpy.ones(4)
    )
