"""grad, grad_and_loss, value_and_grad, jacobian, hessian: semantics, errors and robustness."""

from __future__ import annotations

import gc
import threading
import tracemalloc
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.core import (
    customop,
    defvjp,
    grad,
    grad_and_loss,
    hessian,
    holomorphic_grad,
    jacobian,
    primitive,
    stop_gradient,
    value_and_grad,
)
from minpy.errors import GradientError
from minpy.tape import active_mask
from minpy.testing import check_grads


def test_grad_python_number_returns_float():
    g = grad(lambda x: x**2)(4)
    assert isinstance(g, float)
    assert g == 8.0
    assert repr(g) == "8.0"


def test_grad_int_array_differentiated_as_float(device):
    x = np.array([1, 2, 3, 4])
    g = grad(lambda x: x**2)(x)
    assert g.dtype == numpy.float64
    assert g.device == device
    numpy.testing.assert_allclose(g.asnumpy(), [2.0, 4.0, 6.0, 8.0])


def test_grad_numpy_input_becomes_array():
    g = grad(lambda x: np.sum(x * x))(numpy.array([1.0, 2.0]))
    assert isinstance(g, minpy.Array)
    numpy.testing.assert_allclose(g.asnumpy(), [2.0, 4.0])


@pytest.mark.parametrize("argnum", [[0, 1, 2], (0, 1, 2), range(3)])
def test_grad_argnum_sequence_returns_list(argnum):
    def bar(a, b, c):
        return 3 * a + b**2 - c

    assert grad(bar, argnum)(2, 3, 4) == [3.0, 6.0, -1.0]


def test_grad_argnum_order_and_negative():
    def f(a, b):
        return a * b * b

    assert grad(f, [1, 0])(2.0, 3.0) == [12.0, 9.0]
    assert grad(f, -1)(2.0, 3.0) == 12.0


def test_grad_argnum_out_of_range_names_it():
    with pytest.raises(minpy.GradientError, match=r"argnum 2 is out of range.*range\(2\)"):
        grad(lambda a, b: a * b, 2)(1.0, 2.0)


def test_grad_argnum_not_int():
    with pytest.raises(TypeError, match="argnum entries must be ints"):
        grad(lambda a: a, ["x"])(1.0)


@pytest.mark.parametrize("bad", ["abc", None, True])
def test_grad_wrt_non_numeric_names_argument(bad):
    with pytest.raises(TypeError, match=r"argument 1 is .* cannot be differentiated"):
        grad(lambda a, b: a, 1)(1.0, bad)


def test_grad_function_returning_non_numeric():
    with pytest.raises(TypeError, match="the function returned str"):
        grad(lambda x: "loss")(1.0)


def test_grad_and_loss_returns_gradients_and_value():
    def bar(a, b, c):
        return 3 * a + b**2 - c

    grads, value = grad_and_loss(bar, [0, 1, 2])(2, 3, 4)
    assert grads == [3.0, 6.0, -1.0]
    assert float(value) == 11.0
    assert not value.traced


def test_value_and_grad_order(device):
    x = np.array([1.0, 2.0])
    value, g = value_and_grad(lambda x: np.sum(x**3))(x)
    assert float(value) == 9.0
    numpy.testing.assert_allclose(g.asnumpy(), [3.0, 12.0])


def test_grad_nonscalar_output_seeded_with_ones(device):
    x = np.array([1.0, 2.0, 3.0])
    g = grad(lambda x: x * x)(x)
    numpy.testing.assert_allclose(g.asnumpy(), 2 * x.asnumpy())


def test_grad_tuple_output_seeds_each():
    g = grad(lambda x: (x * 2, x**2))(3.0)
    assert g == 2.0 + 6.0


def test_grad_unreached_input_gets_zeros(device):
    w = np.ones((2, 3), dtype=np.float32)
    gw, gb = grad(lambda w, b: np.sum(b * 2), [0, 1])(w, np.ones(4))
    assert gw.shape == (2, 3)
    assert gw.dtype == numpy.float32
    assert gw.device == device
    assert not gw.asnumpy().any()
    numpy.testing.assert_allclose(gb.asnumpy(), 2.0)


def test_grad_constant_output_gives_zeros():
    assert grad(lambda x: 5.0)(2.0) == 0.0


def test_grad_structured_inputs(device):
    params = {"w": np.array([1.0, 2.0]), "b": [np.array(3.0), 4.0]}

    def f(p):
        return np.sum(p["w"] ** 2) * p["b"][0] + p["b"][1]

    g = grad(f)(params)
    numpy.testing.assert_allclose(g["w"].asnumpy(), [6.0, 12.0])
    numpy.testing.assert_allclose(float(g["b"][0]), 5.0)
    assert g["b"][1] == 1.0
    assert isinstance(g["b"], list)


def test_grad_tuple_input_keeps_tuple():
    g = grad(lambda t: t[0] * t[1])((2.0, 5.0))
    assert g == (5.0, 2.0)


def test_grad_higher_order_any_depth():
    f = np.sin
    x = 0.7
    assert grad(f)(x) == pytest.approx(numpy.cos(x))
    assert grad(grad(f))(x) == pytest.approx(-numpy.sin(x))
    assert grad(grad(grad(f)))(x) == pytest.approx(-numpy.cos(x))
    assert grad(grad(grad(grad(f))))(x) == pytest.approx(numpy.sin(x))


def test_grad_nested_closure_no_perturbation_confusion():
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x
    def outer(x):
        return x * grad(lambda y: x * y)(x)

    assert grad(outer)(3.0) == pytest.approx(6.0)


def test_grad_of_grad_and_loss_inside():
    def f(x):
        g, v = grad_and_loss(lambda y: y**3)(x)
        return g + v  # 3x^2 + x^3

    assert grad(f)(2.0) == pytest.approx(6 * 2.0 + 3 * 4.0)


def test_jacobian_and_hessian(device):
    x = np.array([1.0, 2.0, 3.0])
    j = jacobian(lambda x: np.sin(x) * x[0])(x)
    xs = x.asnumpy()
    expect = numpy.diag(numpy.cos(xs) * xs[0])
    expect[:, 0] += numpy.sin(xs)
    numpy.testing.assert_allclose(j.asnumpy(), expect)
    h = hessian(lambda x: np.sum(x**3) + x[0] * x[1])(x)
    numpy.testing.assert_allclose(
        h.asnumpy(), [[6.0, 1.0, 0.0], [1.0, 12.0, 0.0], [0.0, 0.0, 18.0]]
    )


def test_stop_gradient_blocks_path():
    assert grad(lambda x: x * stop_gradient(x))(3.0) == 3.0


def test_primitive_and_defvjp(device):
    @primitive
    def cube(x):
        return x * x * x

    defvjp(cube, lambda g, ans, x: 3 * g * x * x)
    x = np.array([1.0, -2.0])
    numpy.testing.assert_allclose(grad(lambda x: np.sum(cube(x)))(x).asnumpy(), [3.0, 12.0])
    check_grads(cube, x)  # second order goes through the rule's own operations


def test_customop_minpy_style_def_grad():
    @customop("numpy")
    def softmax(x):
        e = numpy.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def softmax_grad(ans, x):
        def g_fn(g):
            return ans * (g - numpy.sum(g * ans, axis=1, keepdims=True))

        return g_fn

    softmax.def_grad(softmax_grad)
    x = np.random.randn(3, 4)
    check_grads(softmax, x, order=1)
    with pytest.raises(minpy.MissingVJPError, match="grad0"):
        grad(grad(lambda x: np.sum(softmax(x)[:, 0])))(x)


def test_exception_inside_function_leaves_no_state():
    def bad(x):
        x = x * 2
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        grad(bad)(1.0)
    assert active_mask() == 0
    assert grad(lambda x: x * 5)(1.0) == 5.0


def test_grad_two_threads_are_independent():
    results: dict[int, list[float]] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            out = []
            for i in range(200):
                x = float(i % 7 + 1)
                out.append(grad(lambda x: x ** (k + 2))(x) - (k + 2) * x ** (k + 1))
            results[k] = out
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in range(2):
        assert max(abs(v) for v in results[k]) < 1e-9


def test_grad_repeated_does_not_grow_memory():
    w = np.random.randn(20, 5)
    x = np.random.randn(8, 20)
    g = grad(lambda w: np.sum(np.tanh(np.dot(x, w)) ** 2))
    for _ in range(200):
        g(w)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(10_000):
        g(w)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 256 * 1024, f"memory grew by {grown} bytes over 10,000 gradients"


def test_gradients_do_not_share_buffers():
    gx, gy = grad(lambda x, y: np.sum(x + y), [0, 1])(np.ones(3), np.ones(3))
    gx += 1
    numpy.testing.assert_allclose(gy.asnumpy(), 1.0)


def test_gradients_do_not_share_buffers_through_views(device):
    # b's gradient is a reshaped view of a's: updating one in place must not change the other
    def f(a, b):
        return np.sum(a * 1.0 + np.reshape(b, (3,)))

    ga, gb = grad(f, [0, 1])(np.ones(3), np.ones((3, 1)))
    ga += 5.0
    assert gb.shape == (3, 1)
    numpy.testing.assert_allclose(gb.asnumpy(), 1.0)
    numpy.testing.assert_allclose(ga.asnumpy(), 6.0)


def test_bias_gradient_writable_and_independent(device):
    gw, gb = grad(lambda w, b: np.sum(np.dot(np.ones((4, 2)), w) + b), [0, 1])(
        np.ones((2, 3)), np.zeros(3)
    )
    gb -= 1.0
    numpy.testing.assert_allclose(gb.asnumpy(), 3.0)
    numpy.testing.assert_allclose(gw.asnumpy(), 4.0)


def test_gradient_writable_after_broadcast_rule():
    g = grad(lambda x: np.sum(x))(np.ones((2, 3)))
    g -= 0.5  # the sum rule broadcasts; the gradient handed out must be writable
    numpy.testing.assert_allclose(g.asnumpy(), 0.5)


# --------------------------------------------------------------------------------------------
# nested grad: each trace follows its own nodes; inner results stay connected to outer traces


def test_nested_grad_scalar_inner_argument_keeps_the_outer_path() -> None:
    assert grad(lambda c: grad(lambda x: x * c)(2.0))(3.0) == 1.0
    assert grad(lambda c: grad(lambda x: x * x * c)(2.0))(3.0) == 4.0


def test_nested_grad_closed_over_outer_value() -> None:
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x
    assert grad(lambda x: x * grad(lambda y: x * y)(2.0))(1.0) == 2.0
    assert grad(lambda x: x * grad(lambda y: x * y)(2.0))(3.0) == 6.0


def test_nested_grad_outer_pass_skips_the_finished_inner_trace(device: minpy.Device) -> None:
    # the inner rule multiplies by exp(x), a node of the inner trace alone
    x = np.array(0.5, device=device)
    g = grad(lambda c: grad(lambda x: np.exp(x) * c)(x))(1.0)
    assert g == pytest.approx(numpy.exp(0.5))


def test_nested_grad_numpy_scalar_and_list_inner_arguments() -> None:
    outer = grad(lambda c: grad(lambda x: x * c)(numpy.float64(2.0)))(3.0)
    assert float(outer) == 1.0
    outer = grad(lambda c: np.sum(grad(lambda xs: xs[0] * c + xs[1] * c * c)([1.0, 2.0])[1]))(3.0)
    assert outer == 6.0  # d/dc (2c) of the second gradient


def test_python_number_gradient_is_a_float_only_outside_other_traces() -> None:
    seen = []

    def inner_then_use(c: Any) -> Any:
        g = grad(lambda x: x * c)(2.0)
        seen.append(type(g))
        return g * g

    assert grad(inner_then_use)(3.0) == 6.0
    assert seen == [Array]  # an outer trace needs it: an Array, not a float
    assert type(grad(lambda x: x * 3.0)(2.0)) is float


# --------------------------------------------------------------------------------------------
# complex numbers: grad of a real f of z = x + iy is df/dx - i df/dy (HIPS autograd, JAX)


def test_complex_python_scalar_input() -> None:
    g = grad(lambda z: np.real(z * z))(1 + 2j)
    assert type(g) is complex and g == 2 + 4j  # d(x^2 - y^2)/dx - i d(x^2 - y^2)/dy


def test_complex_output_needs_holomorphic_grad() -> None:
    with pytest.raises(TypeError, match=r"complex.*holomorphic_grad"):
        grad(lambda x: x * (1 + 0.2j))(np.array(1.0))


def test_holomorphic_grad_is_the_complex_derivative() -> None:
    assert holomorphic_grad(lambda z: z * z * z)(1 + 1j) == pytest.approx(3 * (1 + 1j) ** 2)
    z = np.array([0.5 + 1j, -1 + 0.25j])
    d = holomorphic_grad(lambda z: np.exp(2 * z))(z)
    numpy.testing.assert_allclose(d.asnumpy(), 2 * numpy.exp(2 * z.asnumpy()))
    with pytest.raises(TypeError, match="complex inputs"):
        holomorphic_grad(lambda z: z * z)(1.0)


def test_real_input_gets_a_real_gradient() -> None:
    g = grad(lambda x: np.real(np.sum(x * (1 + 1j))))(np.array([1.0, 2.0]))
    assert g.dtype == numpy.float64
    numpy.testing.assert_array_equal(g.asnumpy(), [1.0, 1.0])


# --------------------------------------------------------------------------------------------
# errors that say what is wrong


@pytest.mark.parametrize("argnum", [None, 1.5, True, "0"])
def test_argnum_of_the_wrong_type_is_named(argnum: Any) -> None:
    with pytest.raises(TypeError, match=r"argnum must be an int or a list/tuple/range"):
        grad(lambda x: x * x, argnum)(1.0)


def test_rule_returning_none_is_named() -> None:
    @primitive
    def twice(x: Any) -> Any:
        return 2 * x

    defvjp(twice, lambda g, ans, x: None)
    with pytest.raises(GradientError, match=r"rule of .*twice.* returned None"):
        grad(lambda x: np.sum(twice(x)))(np.ones(2))
    with pytest.raises(GradientError, match=r"returned None"):  # recorded (higher order) too
        grad(lambda y: grad(lambda x: np.sum(twice(x) * y))(np.ones(2))[0])(1.0)


def test_primitive_of_a_non_function_is_refused() -> None:
    with pytest.raises(TypeError, match="primitive expects a function"):
        primitive(5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# the caller's own Arrays are traced: MinPy's loss(*params) reading model.params


def test_grad_traces_the_argument_objects_a_closure_reads(device: minpy.Device) -> None:
    params = {
        "w": np.array([[1.0, 2.0], [3.0, 4.0]], device=device),
        "b": np.array([0.5, -0.5], device=device),
    }
    x = np.array([[1.0, 0.0], [2.0, 1.0]], device=device)

    def loss_func(*unused: Any) -> Any:  # MinPy's pattern: reads the params by reference
        return np.sum((x @ params["w"] + params["b"]) ** 2)

    grads, loss = grad_and_loss(loss_func, argnum=range(2))(params["w"], params["b"])
    explicit = grad(lambda w, b: np.sum((x @ w + b) ** 2), [0, 1])(
        np.array([[1.0, 2.0], [3.0, 4.0]], device=device), np.array([0.5, -0.5], device=device)
    )
    for got, want in zip(grads, explicit):
        numpy.testing.assert_allclose(got.asnumpy(), want.asnumpy())
    assert float(loss) == pytest.approx(float(loss_func()))


def test_traced_arguments_are_given_back_unchanged() -> None:
    ints = np.array([1, 2, 3])
    floats = np.array([1.0, 2.0, 3.0])
    view = floats[1:]

    def f(a: Any, b: Any) -> Any:
        b += 10.0  # an in-place update of the traced argument stays inside the call
        return np.sum(a * b)

    ga, gb = grad(f, [0, 1])(ints, floats)
    numpy.testing.assert_array_equal(ga.asnumpy(), [11.0, 12.0, 13.0])
    numpy.testing.assert_array_equal(gb.asnumpy(), [1.0, 2.0, 3.0])
    assert ints.dtype == numpy.int64 and ints._node is None
    numpy.testing.assert_array_equal(floats.asnumpy(), [1.0, 2.0, 3.0])
    assert floats._node is None and view._node is None
    numpy.testing.assert_array_equal(view.asnumpy(), [2.0, 3.0])
    floats[1] = 7.0  # the view still shares the caller's memory
    assert float(view[0]) == 7.0


def test_traced_arguments_are_given_back_when_the_function_raises() -> None:
    w = np.array([1.0, 2.0])

    def boom(w: Any) -> Any:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        grad(boom)(w)
    assert w._node is None
    numpy.testing.assert_array_equal(w.asnumpy(), [1.0, 2.0])


def test_the_same_array_passed_twice_gets_two_gradients() -> None:
    x = np.array([1.0, 2.0])
    ga, gb = grad(lambda a, b: np.sum(a * b * b), [0, 1])(x, x)
    numpy.testing.assert_array_equal(ga.asnumpy(), [1.0, 4.0])  # b * b
    numpy.testing.assert_array_equal(gb.asnumpy(), [2.0, 8.0])  # 2 a b


# --------------------------------------------------------------------------------------------
# MinPy's conversion helpers and MXNet-only names


def test_minpy_conversion_helpers() -> None:
    from minpy.core import convert_args, minpy_to_numpy, numpy_to_minpy, return_numpy

    assert isinstance(numpy_to_minpy(numpy.ones(2)), Array)
    assert numpy_to_minpy("x") == "x"
    out = minpy_to_numpy({"a": [np.ones(2), (np.zeros(1),)], "b": 3})
    assert isinstance(out["a"][0], numpy.ndarray) and isinstance(out["a"][1][0], numpy.ndarray)
    assert out["b"] == 3

    @convert_args
    def kinds(x: Any, y: Any = None) -> tuple[type, type]:
        return type(x), type(y)

    assert kinds(numpy.ones(2), y=numpy.ones(1)) == (Array, Array)

    @return_numpy
    def twice(x: Any) -> Any:
        return [x * 2]

    assert isinstance(twice(np.ones(2))[0], numpy.ndarray)


def test_mxnet_function_says_what_to_use_instead() -> None:
    from minpy.core import Function

    with pytest.raises(NotImplementedError, match=r"MXNet symbols.*minpy\.nn\.layers"):
        Function("symbol")
