"""Array: attributes, conversion, printing, operators and methods; NumPy functions on a
traced Array.

In-place semantics and views are tested in test_inplace.py."""

from __future__ import annotations

import operator

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad, grad_and_loss, stop_gradient


def test_array_attributes(device):
    x = np.arange(6.0).reshape(2, 3)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6
    assert x.dtype == numpy.float64 and x.nbytes == 48 and x.itemsize == 8
    assert x.device == device and x.context == device
    assert x.T.shape == (3, 2)
    numpy.testing.assert_array_equal(x.asnumpy(), numpy.arange(6.0).reshape(2, 3))


def test_array_asnumpy_is_a_copy():
    x = np.ones(3)
    h = x.asnumpy()
    h[0] = 5
    assert float(x[0]) == 1.0


def test_array_numpy_interop():
    x = np.array([1.0, 2.0])
    numpy.testing.assert_array_equal(numpy.asarray(x), [1.0, 2.0])
    assert numpy.asarray(x, dtype=numpy.float32).dtype == numpy.float32
    numpy.testing.assert_array_equal(numpy.from_dlpack(x), [1.0, 2.0])
    y = numpy.array([1.0, 1.0]) + x  # NumPy defers to our reflected operator
    assert isinstance(y, minpy.Array)


def test_scalar_results_print_like_numpy_scalars(device):
    s = np.sum(np.array([1.5, 2.5]))
    assert isinstance(s, minpy.Array) and s.ndim == 0
    assert str(s) == "4.0"
    assert float(s) == 4.0 and int(s) == 4 and bool(s)
    assert s > 3 and s == 4.0
    assert f"{s:.2f}" == "4.00"


def test_array_repr_names_non_cpu_device(device):
    text = repr(np.array([1.0, 2.0]))
    if device.kind == "cpu":
        assert text == "array([1., 2.])"
    else:
        assert text == f"array([1., 2.], device={device!r})"


def test_array_truth_of_many_elements_raises():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(np.ones(2))


@pytest.mark.parametrize(
    ("convert", "shape", "dtype"),
    [
        (float, (1,), float),
        (float, (1, 1), float),
        (float, (2,), float),
        (int, (1,), float),
        (complex, (1,), float),
        (bool, (1,), float),
        (bool, (2,), float),
        (bool, (0,), float),
        (operator.index, (1,), int),
        (operator.index, (), float),
        (operator.index, (), bool),
        (operator.index, (), int),
        (int, (), float),
        (float, (), int),
    ],
)
def test_array_scalar_conversions_match_numpy(device, convert, shape, dtype):
    host = numpy.full(shape, 2.5 if dtype is float else 3, dtype=dtype)
    x = np.array(host)
    try:
        want = convert(host)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):  # only 0-d arrays convert; truth of many is ambiguous
            convert(x)
    else:
        got = convert(x)
        assert got == want and type(got) is type(want)


# --------------------------------------------------------------------------------------------
# concretising a traced value: never silent


@pytest.mark.parametrize(
    ("what", "convert"),
    [
        ("float()", float),
        ("complex()", complex),
        ("item()", lambda x: x.item()),
        ("tolist()", lambda x: x.tolist()),
        ("tobytes()", lambda x: x.tobytes()),
    ],
)
def test_concretising_traced_array_raises(device, what, convert):
    def f(x):
        return convert(np.sum(x)) * x

    with pytest.raises(minpy.GradientError, match=r"stop_gradient") as info:
        grad(f)(np.array([3.0]))
    assert str(info.value).startswith(what)
    with pytest.raises(minpy.GradientError, match=r"float\(\)"):
        grad(lambda x: float(x) * x)(3.0)


def test_concretising_without_gradient_is_fine(device):
    # stop_gradient says no gradient is wanted; the value is the one NumPy gives
    assert grad(lambda x: float(stop_gradient(x)) * x)(3.0) == 3.0
    assert grad(lambda x: x * stop_gradient(x).tolist())(3.0) == 3.0
    # untraced arrays and the values of a finished grad convert as before
    g, loss = grad_and_loss(lambda x: x * x)(np.array(3.0))
    assert float(loss) == 9.0 and float(g) == 6.0 and loss.item() == 9.0
    assert np.array([1.5, 2.5]).tolist() == [1.5, 2.5]


def test_piecewise_constant_conversions_work_while_traced(device):
    # int(), operator.index() and bool() are piecewise constant: their true derivative is 0
    assert grad(lambda x: x * (1 if x > 0 else -1))(3.0) == 1.0
    assert grad(lambda x: x * (1 if x > 0 else -1))(-3.0) == -1.0
    assert grad(lambda x: x * int(x))(2.5) == 2.0

    def pick(x):
        return x[operator.index(np.argmax(x))] * 2.0

    numpy.testing.assert_array_equal(grad(pick)(np.array([1.0, 5.0, 2.0])).asnumpy(), [0, 2, 0])


def test_array_is_unhashable():
    with pytest.raises(TypeError):
        hash(np.ones(2))


def test_array_len_iter_contains(device):
    x = np.arange(3.0)
    assert len(x) == 3
    assert [float(v) for v in x] == [0.0, 1.0, 2.0]
    assert 2.0 in x and 5.0 not in x


@pytest.mark.parametrize(
    "op",
    [
        operator.add,
        operator.sub,
        operator.mul,
        operator.truediv,
        operator.floordiv,
        operator.mod,
        operator.pow,
        operator.lt,
        operator.le,
        operator.gt,
        operator.ge,
        operator.eq,
        operator.ne,
    ],
)
def test_array_binary_operators_match_numpy(device, op):
    a = numpy.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = numpy.array([2.0, 0.5, 3.0])
    x, y = np.array(a), np.array(b)
    for res, expect in ((op(x, y), op(a, b)), (op(x, 2.0), op(a, 2.0)), (op(2.0, x), op(2.0, a))):
        assert res.device == device
        numpy.testing.assert_allclose(res.asnumpy(), expect)


def test_array_matmul_and_unary(device):
    a = numpy.arange(6.0).reshape(2, 3)
    x = np.array(a)
    numpy.testing.assert_allclose((x @ x.T).asnumpy(), a @ a.T)
    numpy.testing.assert_allclose((-x).asnumpy(), -a)
    numpy.testing.assert_allclose(abs(-x).asnumpy(), a)
    assert (~np.array([True, False])).tolist() == [False, True]


def test_array_methods(device):
    a = numpy.arange(12.0).reshape(3, 4)
    x = np.array(a)
    numpy.testing.assert_allclose(x.reshape(4, 3).asnumpy(), a.reshape(4, 3))
    numpy.testing.assert_allclose(x.reshape((2, 6)).asnumpy(), a.reshape((2, 6)))
    numpy.testing.assert_allclose(x.transpose(1, 0).asnumpy(), a.T)
    numpy.testing.assert_allclose(x.sum(axis=0).asnumpy(), a.sum(axis=0))
    numpy.testing.assert_allclose(x.mean(axis=1, keepdims=True).asnumpy(), a.mean(1, keepdims=True))
    numpy.testing.assert_allclose(x.max().asnumpy(), a.max())
    assert x.argmax(axis=1).tolist() == [3, 3, 3]
    assert x.astype(numpy.float32).dtype == numpy.float32
    numpy.testing.assert_allclose(x.flatten().asnumpy(), a.flatten())
    numpy.testing.assert_allclose(x.clip(2, 5).asnumpy(), a.clip(2, 5))
    c = x.copy()
    c[0, 0] = 100
    assert float(x[0, 0]) == 0.0
    y = np.array([3.0, 1.0, 2.0])
    y.sort()
    assert y.tolist() == [1.0, 2.0, 3.0]
    y.fill(4.0)
    assert y.tolist() == [4.0, 4.0, 4.0]


def test_array_item_and_tolist():
    x = np.array([[1, 2], [3, 4]])
    assert x.item(3) == 4
    assert x.tolist() == [[1, 2], [3, 4]]


def test_array_constructor_uses_current_context(device):
    x = minpy.Array([1.0, 2.0])
    assert x.device == device
    numpy.testing.assert_allclose(x.asnumpy(), [1.0, 2.0])


def test_numpy_functions_on_traced_arrays_run_minpys_or_raise():
    # NumPy's functions and ufuncs run minpy's (__array_function__, __array_ufunc__), so they
    # are differentiable
    # d/dx [(x . x) sum(x)] = 2x sum(x) + x . x
    assert grad(lambda x: numpy.sum(numpy.dot(x, x) * x))(np.ones(2)).tolist() == [6.0, 6.0]
    assert grad(lambda x: numpy.sum(x * x))(3.0) == 6.0
    # a NumPy function minpy lacks converts to NumPy: refused for a traced array
    with pytest.raises(minpy.GradientError, match="silently drop its gradient"):
        grad(lambda x: numpy.lib.stride_tricks.sliding_window_view(x, 2) * x)(np.ones(2))
    # explicit conversions remain available
    assert grad(lambda x: x * float(numpy.sum(x.asnumpy())))(2.0) == 2.0


def test_wait_to_read_synchronizes_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    from minpy.testing import fake_device

    dev = fake_device()
    seen: list[object] = []
    monkeypatch.setattr(type(dev.backend), "synchronize", lambda self, d: seen.append(d))
    x = np.ones(3, device=dev)
    assert x.wait_to_read() is None
    assert seen == [dev]


def test_an_empty_list_indexes_like_numpy(device):
    # NumPy reads [] as integer indices (not float): an empty selection, on every device
    a = np.arange(6.0, ctx=device).reshape(2, 3)
    for key in ([], (slice(None), [])):
        assert a[key].shape == numpy.arange(6.0).reshape(2, 3)[key].shape


def test_asarray_of_a_scalar_result_is_a_new_writable_array(device):
    # x * 1.0 of a 0-d array is NumPy's scalar (immutable); asarray makes a 0-d array of it,
    # which a view can share: an in-place update shows through the view, as in NumPy
    x = np.array(0.5, ctx=device)
    w = np.asarray(x * 1.0)
    u = w[...]
    w += 1.0
    assert float(u) == 1.5 and float(x) == 0.5

    def f(x):
        w = np.asarray(x * 1.0)
        u = w[...]
        w += np.cos(x)
        return u

    assert float(grad(f)(x)) == 1 - numpy.sin(0.5)
