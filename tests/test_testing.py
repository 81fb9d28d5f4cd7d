"""``minpy.testing.check_grads``: complex inputs and outputs, real inputs' gradients, and a
second order that runs the rules' own rules (the fake device has tests of its own elsewhere).

Each check is shown to catch a rule that is wrong in just that way: user primitives
(``minpy.core.primitive``) with deliberately broken rules.
"""

from __future__ import annotations

import numpy
import pytest

import minpy.numpy as np
from minpy.core import defvjp, grad, primitive
from minpy.testing import check_grads, to_host


@primitive
def _squared_modulus(z):
    return (z * numpy.conj(z)).real


@primitive
def _rotate(z):
    return z * (1 + 2j)


@primitive
def _double(x):
    return 2.0 * x


@primitive
def _double_badly_differentiated(x):
    return 2.0 * x


@primitive
def _linear(x):
    return 3.0 * x


def test_complex_inputs_are_checked_along_complex_directions():
    z = np.array([3 + 4j, -1j, 0.5 + 0j])
    check_grads(lambda z: np.abs(z) ** 2, z)
    check_grads(lambda z: np.exp(z) * np.conj(z), z)  # a complex output
    defvjp(_squared_modulus, lambda g, ans, z: g * 2 * np.conj(z))
    check_grads(_squared_modulus, z, order=1)
    # without the conjugate the rule is the PyTorch-style conjugate gradient: caught
    defvjp(_squared_modulus, lambda g, ans, z: g * 2 * z)
    with pytest.raises(AssertionError, match="order-1 gradient"):
        check_grads(_squared_modulus, z, order=1)


def test_complex_outputs_are_scalarized_with_complex_weights():
    z = np.array([1 - 1j, 2 + 0.5j])
    defvjp(_rotate, lambda g, ans, z: g * (1 + 2j))
    check_grads(_rotate, z, order=1)
    defvjp(_rotate, lambda g, ans, z: g * (1 - 2j))  # conjugated: wrong
    with pytest.raises(AssertionError, match="order-1 gradient"):
        check_grads(_rotate, z, order=1)


def test_a_real_input_gets_a_real_gradient_even_from_a_complex_rule():
    # grad keeps the real part for a real input (its imaginary part is no direction of x), so
    # check_grads, which asserts real gradients for real inputs, passes
    x = np.array([1.0, 2.0])
    defvjp(_double, lambda g, ans, x: g * 2.0 + 1j)
    g = grad(lambda x: np.sum(_double(x)))(x)
    assert g.dtype == numpy.float64
    numpy.testing.assert_array_equal(g.asnumpy(), [2.0, 2.0])
    check_grads(_double, x, order=1)
    defvjp(_double, lambda g, ans, x: g * 2.0)
    check_grads(_double, x)


def test_second_order_runs_the_rules_of_a_linear_functions_rule():
    # _linear's rule calls _double_badly_differentiated, whose own rule is wrong; a linear
    # scalarization would never differentiate that rule, the quadratic term does
    defvjp(_double_badly_differentiated, lambda g, ans, x: g * 3.0)
    defvjp(_linear, lambda g, ans, x: 1.5 * _double_badly_differentiated(g))
    x = np.array([0.5, -1.0, 2.0])
    check_grads(_linear, x, order=1)
    with pytest.raises(AssertionError, match="order-2 gradient"):
        check_grads(_linear, x, order=2)
    defvjp(_double_badly_differentiated, lambda g, ans, x: g * 2.0)
    check_grads(_linear, x, order=2)


def test_python_float_arguments_are_checked():
    check_grads(lambda x, y: np.sin(x) * y, 0.3, np.array([1.0, 2.0]))
    g = grad(lambda x: x * x)(3.0)
    assert g == 6.0


def test_to_host_keeps_complex_values():
    assert to_host(np.array([1 + 2j])).dtype == numpy.complex128
    assert to_host(np.array([1.0], dtype=np.float32)).dtype == numpy.float64
    assert to_host(1 + 2j) == 1 + 2j
    assert to_host([np.array(1.0), 2]) == [1.0, 2.0]
