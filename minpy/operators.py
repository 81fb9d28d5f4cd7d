"""The differential operators of HIPS autograd, built on one kept tape: vjp, jvp, Jacobians.

``make_vjp`` traces ``fun`` once and keeps its tape (the nodes are not released), so the
returned ``vjp`` can run any number of backward passes from the same recorded output. The
rest is built on it: ``jacobian`` is one forward pass and one backward pass per output
element (a one-hot seed each), ``make_jvp`` the double-vjp trick (the vjp is linear in its
seed, so the vjp of the vjp is the jvp), ``hessian`` the Jacobian of the gradient. What
``grad`` itself does lives in ``minpy.tracing``; users import all of these from
``minpy.core``. This module must not import ``minpy.core`` (core re-exports it).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import minpy.numpy as np
from minpy.array import Array, wrap
from minpy.context import cpu, push_context, reset_context
from minpy.errors import GradientError
from minpy.primitive import Primitive
from minpy.record import record
from minpy.tape import active_mask
from minpy.tracing import (
    Argnum,
    Kept,
    detach,
    filled_like,
    grad_call,
    parse_argnum,
)

__all__ = [
    "checkpoint",
    "deriv",
    "elementwise_grad",
    "grad_and_aux",
    "grad_named",
    "hessian",
    "hessian_tensor_product",
    "hessian_vector_product",
    "jacobian",
    "jacobian_tensor_product",
    "make_ggnvp",
    "make_hvp",
    "make_jvp",
    "make_vjp",
    "multigrad_dict",
    "tensor_jacobian_product",
    "vector_jacobian_product",
]

Fun = Callable[..., Any]


def _nary(operator: Callable[..., Any], fun: Fun) -> Callable[..., Any]:
    """``operator(*args, **kwargs)`` under ``fun``'s name and docstring."""
    return functools.wraps(fun)(operator)


# --------------------------------------------------------------------------------------------
# vjp and jvp


def make_vjp(fun: Fun, argnum: Argnum = 0) -> Callable[..., tuple[Callable[[Any], Any], Any]]:
    """A function returning ``(vjp, ans)``: ``vjp(g)`` is ``g`` times the Jacobian of ``fun``.

    ``fun`` runs once; its tape is kept, so ``vjp`` may be called any number of times (each
    call is one backward pass). Under an outer ``grad`` the pass is recorded, so ``vjp`` is
    differentiable too.

    Parameters
    ----------
    fun
        Returns an Array or number, or a tuple/list of them.
    argnum
        An int, or a list of ints (``vjp`` then returns a list), as for ``grad``.

    Returns
    -------
    callable
        Called with ``fun``'s arguments, returns ``(vjp, ans)``. ``vjp(g)`` takes ``g`` with
        the structure and shapes of ``ans`` and returns a cotangent with the structure of
        the argument(s).

    Raises
    ------
    ValueError
        ``g`` does not match the output's structure or shape.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import make_vjp
    >>> vjp, ans = make_vjp(lambda x: x ** 2)(np.array([1.0, 3.0]))
    >>> vjp(np.array([1.0, 10.0]))
    array([ 2., 60.])
    """

    def vjp_maker(*args: Any, **kwargs: Any) -> tuple[Callable[[Any], Any], Any]:
        kept = Kept(fun, argnum, args, kwargs)
        return kept.vjp, detach(kept.out)

    return _nary(vjp_maker, fun)


def make_jvp(fun: Fun, argnum: Argnum = 0) -> Callable[..., Callable[[Any], tuple[Any, Any]]]:
    """A function returning ``jvp``: ``jvp(v)`` is ``(ans, J v)``, forward mode from reverse.

    The vjp ``u -> u J`` is linear in ``u``, so its own vjp with seed ``v`` is ``J v``. One
    forward pass and one recorded backward pass happen once; each ``jvp(v)`` is one more
    backward pass.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import make_jvp
    >>> jvp = make_jvp(lambda x: np.sin(x) * 2)(np.array([0.0, 1.0]))
    >>> ans, tangent = jvp(np.array([1.0, 0.0]))
    >>> tangent
    array([2., 0.])
    """

    def jvp_maker(*args: Any, **kwargs: Any) -> Callable[[Any], tuple[Any, Any]]:
        kept = Kept(fun, argnum, args, kwargs)
        ans = detach(kept.out)
        transposed = Kept(kept.vjp, 0, (filled_like(ans, 0),), {})

        def jvp(v: Any) -> tuple[Any, Any]:
            return ans, transposed.vjp(v)

        return jvp

    return _nary(jvp_maker, fun)


def deriv(fun: Fun, argnum: Argnum = 0) -> Callable[..., Any]:
    """The derivative of an elementwise ``fun``: ``J`` times ones (a jvp).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import deriv
    >>> deriv(lambda x: x ** 3)(np.array([1.0, 2.0]))
    array([ 3., 12.])
    """

    def derivative(*args: Any, **kwargs: Any) -> Any:
        nums, single = parse_argnum(argnum, len(args), fun)
        v = filled_like(args[nums[0]], 1) if single else [filled_like(args[i], 1) for i in nums]
        return make_jvp(fun, argnum)(*args, **kwargs)(v)[1]

    return _nary(derivative, fun)


def elementwise_grad(fun: Fun, argnum: Argnum = 0) -> Callable[..., Any]:
    """The gradient of the sum of ``fun``'s outputs: ones times ``J`` (a vjp).

    For an elementwise ``fun`` it is the elementwise derivative.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import elementwise_grad
    >>> elementwise_grad(np.tanh)(np.array([0.0]))
    array([1.])
    """

    def gradient(*args: Any, **kwargs: Any) -> Any:
        return grad_call(fun, argnum, args, kwargs)[0]

    return _nary(gradient, fun)


# --------------------------------------------------------------------------------------------
# Jacobians and Hessians


def _stack(rows: list[Any], out_shape: tuple[int, ...], like: Any) -> Any:
    """Stack per-output-element cotangents into Jacobians, one per array of ``like``."""
    if isinstance(like, dict):
        return {k: _stack([r[k] for r in rows], out_shape, v) for k, v in like.items()}
    if isinstance(like, (tuple, list)) and not isinstance(like, Array):
        parts = [_stack([r[i] for r in rows], out_shape, v) for i, v in enumerate(like)]
        return parts if isinstance(like, list) else tuple(parts)
    x = np.asarray(like)
    if not rows:
        return np.zeros((*out_shape, *x.shape), dtype=x.dtype if x.dtype.kind in "fc" else None)
    return np.reshape(np.stack([np.asarray(r) for r in rows]), (*out_shape, *x.shape))


def jacobian(fun: Fun, argnum: Argnum = 0) -> Callable[..., Any]:
    """A function returning the Jacobian of ``fun``: shape ``out.shape + x.shape``.

    One forward pass, then one backward pass per output element from the same kept tape.
    ``argnum`` is an int or a list (a list of Jacobians); an argument that is a dict, list
    or tuple gets the same structure with a Jacobian per array.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import jacobian
    >>> jacobian(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """

    def jac(*args: Any, **kwargs: Any) -> Any:
        kept = Kept(fun, argnum, args, kwargs)
        out = kept.out
        if not isinstance(out, Array):
            out = np.asarray(out)
        n, shape = out.size, out.shape
        rows = []
        for k in range(n):
            e = np.zeros(n, dtype=out.dtype, device=out._device)
            e[k] = 1
            rows.append(kept.vjp(np.reshape(e, shape)))
        if kept.single:
            return _stack(rows, shape, args[kept.nums[0]])
        return [_stack([r[j] for r in rows], shape, args[i]) for j, i in enumerate(kept.nums)]

    return _nary(jac, fun)


def hessian(fun: Fun, argnum: Argnum = 0) -> Callable[..., Any]:
    """A function returning the Hessian of a scalar ``fun``: ``jacobian(grad(fun))``.

    The gradient is computed once, recorded; each row is one backward pass through it.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import hessian
    >>> hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacobian(elementwise_grad(fun, argnum), argnum)


def make_hvp(fun: Fun, argnum: Argnum = 0) -> Callable[..., tuple[Callable[[Any], Any], Any]]:
    """A function returning ``(hvp, gradient)``: ``hvp(v)`` is the Hessian times ``v``.

    The gradient is computed once and recorded; each ``hvp(v)`` is one backward pass.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import make_hvp
    >>> hvp, g = make_hvp(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    >>> hvp(np.array([1.0, 1.0]))
    array([ 6., 12.])
    """
    return make_vjp(elementwise_grad(fun, argnum), argnum)


def _split_tensor(args: tuple[Any, ...], name: str) -> tuple[tuple[Any, ...], Any]:
    if not args:
        raise TypeError(f"{name}: call it with the function's arguments, then the tensor")
    return args[:-1], args[-1]


def hessian_tensor_product(fun: Fun, argnum: int = 0) -> Callable[..., Any]:
    """A function of ``(*args, tensor)`` returning the Hessian of scalar ``fun`` times ``tensor``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import hessian_tensor_product
    >>> hessian_tensor_product(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.ones(2))
    array([ 6., 12.])
    """

    def product(*args: Any, **kwargs: Any) -> Any:
        args, v = _split_tensor(args, "hessian_tensor_product")
        return make_hvp(fun, argnum)(*args, **kwargs)[0](v)

    return _nary(product, fun)


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun: Fun, argnum: int = 0) -> Callable[..., Any]:
    """A function of ``(*args, tensor)`` returning ``tensor`` times the Jacobian (a vjp).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import tensor_jacobian_product
    >>> tensor_jacobian_product(lambda x: 3 * x)(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    array([3., 0.])
    """

    def product(*args: Any, **kwargs: Any) -> Any:
        args, v = _split_tensor(args, "tensor_jacobian_product")
        return make_vjp(fun, argnum)(*args, **kwargs)[0](v)

    return _nary(product, fun)


vector_jacobian_product = tensor_jacobian_product


def jacobian_tensor_product(fun: Fun, argnum: int = 0) -> Callable[..., Any]:
    """A function of ``(*args, tensor)`` returning the Jacobian times ``tensor`` (a jvp).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import jacobian_tensor_product
    >>> jacobian_tensor_product(lambda x: x[::-1] * 2)(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    array([0., 2.])
    """

    def product(*args: Any, **kwargs: Any) -> Any:
        args, v = _split_tensor(args, "jacobian_tensor_product")
        return make_jvp(fun, argnum)(*args, **kwargs)(v)[1]

    return _nary(product, fun)


def _half_sum_squares(y: Any) -> Any:
    return 0.5 * np.sum(y**2)


def make_ggnvp(
    f: Fun, g: Fun = _half_sum_squares, f_argnum: int = 0
) -> Callable[..., Callable[[Any], Any]]:
    """A function returning ``ggnvp``: ``v -> J^T H_g J v``, generalized Gauss-Newton products.

    ``J`` is the Jacobian of ``f`` at the arguments and ``H_g`` the Hessian of the scalar
    ``g`` at ``f``'s output (by default ``0.5 * sum(y ** 2)``, so ``H_g`` is the identity).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import make_ggnvp
    >>> ggnvp = make_ggnvp(lambda x: 3 * x)(np.array([1.0, 2.0]))
    >>> ggnvp(np.array([1.0, 0.0]))
    array([9., 0.])
    """

    def ggnvp_maker(*args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        f_kept = Kept(f, f_argnum, args, kwargs)
        y = detach(f_kept.out)
        g_hvp = make_hvp(g)(y)[0]
        f_jvp = Kept(f_kept.vjp, 0, (filled_like(y, 0),), {}).vjp

        def ggnvp(v: Any) -> Any:
            return f_kept.vjp(g_hvp(f_jvp(v)))

        return ggnvp

    return _nary(ggnvp_maker, f)


# --------------------------------------------------------------------------------------------
# gradients by name, with auxiliary outputs


def grad_and_aux(fun: Fun, argnum: Argnum = 0) -> Callable[..., tuple[Any, Any]]:
    """For ``fun`` returning ``(value, aux)``: a function returning ``(gradient, aux)``.

    Only ``value`` is differentiated; ``aux`` comes back untraced.

    Examples
    --------
    >>> from minpy.core import grad_and_aux
    >>> grad_and_aux(lambda x: (x ** 2, "note"))(3.0)
    (6.0, 'note')
    """

    def gradient(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        aux: list[Any] = []

        def value_only(*a: Any, **k: Any) -> Any:
            out = fun(*a, **k)
            if not isinstance(out, tuple) or len(out) != 2:
                raise TypeError(
                    f"grad_and_aux: the function must return a pair (value, aux), got "
                    f"{type(out).__name__}; return value, aux"
                )
            aux.append(out[1])
            return out[0]

        g = grad_call(value_only, argnum, args, kwargs)[0]
        return g, detach(aux[0])

    return _nary(gradient, fun)


def grad_named(fun: Fun, argname: str) -> Callable[..., Any]:
    """The gradient of ``fun`` with respect to the positional parameter named ``argname``.

    Examples
    --------
    >>> from minpy.core import grad_named
    >>> grad_named(lambda x, y: x * y, "y")(2.0, 5.0)
    2.0
    """
    names = [
        p.name
        for p in inspect.signature(fun).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if argname not in names:
        raise GradientError(
            f"grad_named: {getattr(fun, '__name__', 'the function')} has no positional "
            f"parameter {argname!r}; its parameters are {names!r}"
        )
    argnum = names.index(argname)
    return _nary(lambda *args, **kwargs: grad_call(fun, argnum, args, kwargs)[0], fun)


def multigrad_dict(fun: Fun) -> Callable[..., dict[str, Any]]:
    """A function returning ``{parameter name: gradient}`` for every parameter of ``fun``.

    Defaults count as arguments; ``*args`` gives a tuple of gradients, ``**kwargs`` a dict.

    Examples
    --------
    >>> from minpy.core import multigrad_dict
    >>> multigrad_dict(lambda x, y=2.0: x * y)(3.0)
    {'x': 2.0, 'y': 3.0}
    """
    sig = inspect.signature(fun)

    def gradients_by_name(*args: Any, **kwargs: Any) -> dict[str, Any]:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)

        def by_dict(d: dict[str, Any]) -> Any:
            b = inspect.BoundArguments(sig, d)  # type: ignore[arg-type,unused-ignore]
            return fun(*b.args, **b.kwargs)

        return dict(grad_call(by_dict, 0, (values,), {})[0])

    return _nary(gradients_by_name, fun)


# --------------------------------------------------------------------------------------------
# checkpointing


def checkpoint(fun: Fun) -> Callable[..., Any]:
    """``fun`` whose forward pass keeps only its inputs; the backward pass recomputes it.

    Saves the memory of ``fun``'s intermediate values for one more forward pass in the
    backward one. Gradients flow through ``fun``'s positional arguments only, and ``fun``
    returns one array.

    Raises
    ------
    GradientError
        ``fun`` reads a traced value that is not one of its arguments (a closure).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import checkpoint, grad
    >>> f = checkpoint(lambda x: np.sin(x) ** 2)
    >>> round(float(grad(lambda x: np.sum(f(x)))(np.array([0.5]))[0]), 6)
    0.841471
    """
    name = getattr(fun, "__name__", "fun")
    prim = Primitive(f"checkpoint({name})", register=False)

    def rule(argnum: int, g: Any, ans: Any, *args: Any, **kwargs: Any) -> Any:
        dev = next((a._device for a in args if isinstance(a, Array)), cpu())
        token = push_context(dev)  # out of the raw host mode: the recomputation is traced
        try:
            return make_vjp(fun, argnum)(*args, **kwargs)[0](g)
        finally:
            reset_context(token)

    prim.vjp_argnum = rule
    prim.defvjp(keep="args")

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        live = active_mask()
        mask = 0
        for a in args:
            if isinstance(a, Array) and a._node is not None:
                mask |= a._node.mask & live
        if not mask:
            return fun(*args, **kwargs)
        plain = [wrap(a._data, a._device) if isinstance(a, Array) else a for a in args]
        out = fun(*plain, **kwargs)
        if not isinstance(out, Array):
            raise TypeError(f"checkpoint: {name} must return one array, got {type(out).__name__}")
        if out._node is not None and out._node.mask & live:
            raise GradientError(
                f"checkpoint: {name} reads a traced value that is not one of its arguments; "
                "pass it as an argument so that its gradient is recomputed too"
            )
        res = wrap(out._data, out._device)
        record(prim, args, kwargs, res, mask)
        return res

    return _nary(wrapped, fun)
