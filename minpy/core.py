"""The differential operators: ``grad``, ``grad_and_loss`` and friends; user primitives.

``grad(fun, argnum)`` traces ``fun``: the chosen arguments become traced Arrays, every primitive
applied to them records a tape node (``minpy.record``), and the backward pass
(``minpy.backprop``) runs the rules of ``minpy.numpy.vjps`` from the output back to those
arguments. Because the rules are minpy operations, a ``grad`` inside another ``grad`` is
differentiated too (any order). This module holds what users call; the machinery is below it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from minpy.array import Array, wrap
from minpy.convert import convert_args, minpy_to_numpy, numpy_to_minpy, return_numpy
from minpy.operators import (
    checkpoint,
    deriv,
    elementwise_grad,
    grad_and_aux,
    grad_named,
    hessian,
    hessian_tensor_product,
    hessian_vector_product,
    jacobian,
    jacobian_tensor_product,
    make_ggnvp,
    make_hvp,
    make_jvp,
    make_vjp,
    multigrad_dict,
    tensor_jacobian_product,
    vector_jacobian_product,
)
from minpy.primitive import CustomOp, Primitive, customop, defvjp, defvjp_argnum
from minpy.tracing import Argnum, grad_call

__all__ = [
    "CustomOp",
    "Function",
    "MXNetSymbolError",
    "convert_args",
    "customop",
    "defvjp",
    "defvjp_argnum",
    "grad",
    "grad_and_loss",
    "hessian",
    "holomorphic_grad",
    "jacobian",
    "minpy_to_numpy",
    "numpy_to_minpy",
    "primitive",
    "return_numpy",
    "stop_gradient",
    "value_and_grad",
    # HIPS autograd's operators (minpy.operators)
    "checkpoint",
    "deriv",
    "elementwise_grad",
    "grad_and_aux",
    "grad_named",
    "hessian_tensor_product",
    "hessian_vector_product",
    "jacobian_tensor_product",
    "make_ggnvp",
    "make_hvp",
    "make_jvp",
    "make_vjp",
    "multigrad_dict",
    "tensor_jacobian_product",
    "vector_jacobian_product",
]

# --------------------------------------------------------------------------------------------
# public API


def grad_and_loss(fun: Callable[..., Any], argnum: Argnum = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(gradients, value)`` of ``fun`` at its arguments.

    Parameters
    ----------
    fun
        Returns an Array or number (a non-scalar output is seeded with ones, i.e. the gradient
        of its sum), or a tuple of them (each is seeded).
    argnum
        An int: the gradient w.r.t. that positional argument. A list, tuple or range: a list
        of gradients in that order.

    Returns
    -------
    callable
        Same positional signature as ``fun``. A gradient has the structure of its argument
        (dicts, lists, tuples); a Python number argument gets a Python float.

    Raises
    ------
    TypeError
        An argument to differentiate is not numeric, or ``fun`` returns something that is not.
    GradientError
        ``argnum`` is out of range.

    Examples
    --------
    >>> from minpy.core import grad_and_loss
    >>> grads, value = grad_and_loss(lambda x, y: x * y, [0, 1])(3.0, 4.0)
    >>> grads, value
    ([4.0, 3.0], np.float64(12.0))
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return grad_call(fun, argnum, args, kwargs)

    return wrapped


def grad(fun: Callable[..., Any], argnum: Argnum = 0) -> Callable[..., Any]:
    """A function returning the gradient(s) of ``fun`` (see ``grad_and_loss``).

    Examples
    --------
    >>> from minpy.core import grad
    >>> grad(lambda x: x ** 2)(4)
    8.0
    >>> grad(grad(lambda x: x ** 3))(2)
    12.0
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return grad_call(fun, argnum, args, kwargs)[0]

    return wrapped


def holomorphic_grad(fun: Callable[..., Any], argnum: Argnum = 0) -> Callable[..., Any]:
    """A function returning the complex derivative ``f'(z)`` of a holomorphic ``fun``.

    ``grad`` differentiates real-valued functions, and refuses complex outputs: for a real
    ``f`` of complex ``z = x + iy`` it gives ``df/dx - i df/dy`` (the convention of HIPS
    autograd and JAX; descend along its conjugate). For a holomorphic ``f`` that same seed of
    one gives ``f'(z)``, which is what this returns; the inputs must be complex.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import holomorphic_grad
    >>> holomorphic_grad(lambda z: z * z)(1 + 2j)
    (2+4j)
    >>> holomorphic_grad(np.exp)(0j)
    (1+0j)
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return grad_call(fun, argnum, args, kwargs, holomorphic=True)[0]

    return wrapped


def value_and_grad(fun: Callable[..., Any], argnum: Argnum = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(value, gradients)``: ``grad_and_loss`` the other way round.

    Examples
    --------
    >>> from minpy.core import value_and_grad
    >>> value_and_grad(lambda x: 3 * x)(2.0)
    (np.float64(6.0), 3.0)
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        g, v = grad_call(fun, argnum, args, kwargs)
        return v, g

    return wrapped


def stop_gradient(x: Any) -> Any:
    """``x`` with no gradient flowing back through it.

    Examples
    --------
    >>> from minpy.core import grad, stop_gradient
    >>> grad(lambda x: x * stop_gradient(x))(3.0)
    3.0
    """
    if isinstance(x, Array):
        return wrap(x._data, x._device)
    if isinstance(x, (tuple, list)):
        return type(x)(stop_gradient(v) for v in x)
    if isinstance(x, dict):
        return {k: stop_gradient(v) for k, v in x.items()}
    return x


def primitive(fun: Callable[..., Any]) -> Primitive:
    """Make ``fun`` (which takes and returns raw NumPy/CuPy arrays) a minpy primitive.

    It runs on every backend as written; give it a gradient with ``defvjp``.
    """
    if not callable(fun):
        raise TypeError(
            f"primitive expects a function of raw arrays, got {type(fun).__name__} {fun!r}; "
            "use it as a decorator: @primitive above def f(x): ..."
        )
    prim = Primitive(
        f"{fun.__module__}.{fun.__qualname__}", impl=fun, register=False, doc=fun.__doc__
    )
    prim.__name__ = fun.__name__
    return prim


# --------------------------------------------------------------------------------------------
# MinPy's conversion helpers, and its MXNet-only names


class MXNetSymbolError(ValueError):
    """MinPy's error class for MXNet symbols (kept so MinPy's imports work; never raised)."""


class Function:
    """MinPy's wrapper of an MXNet symbol: there are no MXNet symbols in minpy.

    Raises
    ------
    NotImplementedError
        Always, saying what to use instead.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "minpy.core.Function wraps MXNet symbols, which minpy (NumPy/CuPy) does not have; "
            "write the forward pass with minpy.nn.layers or minpy.numpy functions (they are "
            "differentiable), or a minpy.nn.model_builder model"
        )
