"""The differential operators: ``grad``, ``grad_and_loss`` and friends; user primitives.

``grad(fun, argnum)`` traces ``fun``: the chosen arguments become traced Arrays, every primitive
applied to them records a tape node (``minpy.record``), and the backward pass
(``minpy.backprop``) runs the rules of ``minpy.numpy.vjps`` from the output back to those
arguments. Because the rules are minpy operations, a ``grad`` inside another ``grad`` is
differentiated too (any order). This module holds what users call; the machinery is below it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array, wrap
from minpy.backprop import gradients
from minpy.context import current_context
from minpy.convert import convert_args, minpy_to_numpy, numpy_to_minpy, return_numpy
from minpy.errors import GradientError
from minpy.primitive import CustomOp, Primitive, customop, defvjp, defvjp_argnum
from minpy.tape import Meta, Node, active_mask, start_trace, stop_trace

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
]

Argnum = int | Sequence[int]

# a traced input of an outer grad enters an inner one through this identity
_enter = Primitive("identity", register=False)
_enter.defvjp(lambda g, ans, x: g, keep="meta")


# --------------------------------------------------------------------------------------------
# tracing inputs and reading outputs


class _Leaf:
    """One traced input: what was traced, its node, and how to hand its gradient back."""

    __slots__ = ("meta", "node", "restore", "scalar")

    def __init__(self, array: Array, scalar: type | None, restore: tuple[Any, ...] | None) -> None:
        self.meta = Meta(array)  # the traced values' shape, dtype and device
        # kept apart: the function may rebind the Array in place (a traced input has a node)
        self.node: Node = array._node  # type: ignore[assignment]
        self.scalar = scalar  # float or complex: the input was a Python number of that type
        # the caller's own Array, traced in place: (array, data, node, state, views) to put back
        self.restore = restore

    def put_back(self) -> None:
        """Give the caller's Array back its own values and state (it was traced in place)."""
        if self.restore is not None:
            a, a._data, a._node, a._state, a._views = self.restore


def _describe(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _label(where: Any) -> str:
    return f"argument {where}" if where.__class__ is int else str(where)


def _trace_input(x: Any, bit: int, where: Any, leaves: list[_Leaf]) -> Any:
    """``x`` with every array or number in it replaced by a traced Array.

    An Array is traced in place: the caller's own object carries the trace while ``fun``
    runs, so the same object reached through a closure, an attribute or a container is
    differentiated too (MinPy's ``loss(*params)`` reading ``model.params``); its values and
    state are given back afterwards (``_Leaf.put_back``). An Array that an outer ``grad``
    traces already is traced as a copy (a closure that reads it means the outer value, so
    the inner trace must not claim it), and so is an Array passed a second time. ``where``
    names ``x`` for errors: an argument index, or a path string inside one.
    """
    if isinstance(x, Array):
        data, dev = x._data, x._device
        if data.dtype.kind not in "fc":
            data = data.astype(numpy.float64)
        parent = x._node
        if parent is not None and parent.mask & active_mask():
            node = Node((parent,), (0,), parent.mask | bit, _enter, (Meta(x),), None, None, dev)
        else:
            node = Node((), (), bit, device=dev)
        outer = node.parents != ()
        if outer or any(leaf.restore is not None and leaf.restore[0] is x for leaf in leaves):
            # traced by an outer grad already (the closure may use it as the outer's value:
            # no perturbation confusion), or passed again: a copy, traced on its own
            t = wrap(data, dev, node)
            leaves.append(_Leaf(t, None, None))
            return t
        restore = (x, x._data, x._node, x._state, getattr(x, "_views", None))
        # for the call, a plain traced array: writes rebind it, not its base or its views
        x._data, x._node, x._state, x._views = data, node, None, None
        leaves.append(_Leaf(x, None, restore))
        return x
    if isinstance(x, (bool, numpy.bool_)) or x is None or isinstance(x, (str, bytes)):
        raise TypeError(
            f"grad: {_label(where)} is {type(x).__name__} {_describe(x)}, which cannot be "
            "differentiated; pass an array or a number, or leave it out of argnum"
        )
    if isinstance(x, (int, float, complex, numpy.number)):
        dev = current_context()
        kind = complex if isinstance(x, (complex, numpy.complexfloating)) else float
        dtype = numpy.complex128 if kind is complex else numpy.float64
        data = dev.backend.asarray(kind(x), dev, dtype)  # type: ignore[arg-type]
        t = wrap(data, dev, Node((), (), bit, device=dev))
        leaves.append(_Leaf(t, kind if isinstance(x, (int, float, complex)) else None, None))
        return t
    if isinstance(x, numpy.ndarray):
        return _trace_input(np.array(x), bit, where, leaves)
    if isinstance(x, dict):
        return {k: _trace_input(v, bit, f"{_label(where)}[{k!r}]", leaves) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        items = [_trace_input(v, bit, f"{_label(where)}[{i}]", leaves) for i, v in enumerate(x)]
        return items if isinstance(x, list) else tuple(items)
    raise TypeError(
        f"grad: {_label(where)} is {type(x).__name__} {_describe(x)}, which cannot be "
        "differentiated; pass arrays, numbers, or dicts/lists/tuples of them"
    )


def _ones_like(x: Array) -> Array:
    """An untraced Array of ones shaped like ``x`` on its device (a seed)."""
    dev = x._device
    backend = dev.backend
    scope = None if backend.on_host else backend.scope(dev)
    if scope is None:
        return wrap(backend.xp.ones(x._data.shape, x._data.dtype), dev)
    with scope:
        return wrap(backend.xp.ones(x._data.shape, x._data.dtype), dev)


def _roots(out: Any, bit: int, roots: list[tuple[Node, Any]], holomorphic: bool) -> None:
    """Collect ``(node, seed)`` for each traced Array in the function's output."""
    if isinstance(out, Array):
        n = out._node
        if n is not None and n.mask & bit:
            if out._data.dtype.kind == "c" and not holomorphic:
                raise TypeError(
                    f"grad: the function returned a complex value ({out.dtype}); grad "
                    "differentiates real-valued functions. Use minpy.core.holomorphic_grad "
                    "for a holomorphic function, or return a real loss such as np.abs(z) ** 2 "
                    "or np.real(z)"
                )
            roots.append((n, _ones_like(out)))
        return
    if isinstance(out, (tuple, list)):
        for o in out:
            _roots(o, bit, roots, holomorphic)
        return
    if isinstance(out, (int, float, complex, numpy.number, numpy.ndarray)) and not isinstance(
        out, bool
    ):
        return
    raise TypeError(
        f"grad: the function returned {type(out).__name__} {_describe(out)}; it must return "
        "an array or a number (the loss), or a tuple of them"
    )


def _detach(out: Any) -> Any:
    """The output with nodes of finished traces dropped (outer traces keep theirs)."""
    if isinstance(out, Array):
        n = out._node
        if n is not None and not n.mask & active_mask():
            return wrap(out._data, out._device)
        return out
    if isinstance(out, tuple):
        return tuple(_detach(o) for o in out)
    if isinstance(out, list):
        return [_detach(o) for o in out]
    return out


def _gradient_of(x: Any, leaves: Iterator[_Leaf], grads: dict[Node, Any], seen: set[int]) -> Any:
    """Rebuild the structure of input ``x`` with gradients in place of its arrays.

    Two inputs never share one gradient buffer (``x + y`` gives both the same one): the second
    gets a copy, so updating one gradient in place cannot change another; nor does a gradient
    come back as a broadcast view (read-only in NumPy, aliased elements in CuPy).
    """
    if isinstance(x, dict):
        return {k: _gradient_of(v, leaves, grads, seen) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and not isinstance(x, Array):
        items = [_gradient_of(v, leaves, grads, seen) for v in x]
        return items if isinstance(x, list) else tuple(items)
    leaf = next(leaves)
    t = leaf.meta
    g = grads.get(leaf.node)
    if g is None:
        g = np.zeros(t.shape, dtype=t.dtype, device=t.device)
    elif not isinstance(g, Array):
        g = np.asarray(g, device=t.device)
    if g._data.dtype.kind == "c" and t.dtype.kind != "c":
        g = np.real(g)  # a real input's gradient is real (its values were promoted to complex)
    if g.shape != t.shape:
        g = np.broadcast_to(g, t.shape)
    if leaf.scalar is not None:
        n = g._node
        if n is None or not n.mask & active_mask():
            return leaf.scalar(g)  # a Python number, unless an outer trace needs the Array
    data = g._data
    owner = data.base if data.base is not None else data
    if id(owner) in seen or not _writable_alone(data):
        g = np.copy(g)
        owner = g._data
    seen.add(id(owner))
    return g


def _writable_alone(data: Any) -> bool:
    """Whether writing into ``data`` changes each element once (no read-only broadcast view)."""
    if not getattr(data.flags, "writeable", True):  # CuPy's flags have no writeable
        return False
    return all(st or n <= 1 for st, n in zip(data.strides, data.shape))


def _argnums(argnum: Argnum, nargs: int, fun: Callable[..., Any]) -> tuple[list[int], bool]:
    if argnum.__class__ is int and 0 <= argnum < nargs:
        return [argnum], True
    single = isinstance(argnum, (int, numpy.integer)) and not isinstance(argnum, bool)
    if not single and not isinstance(argnum, (list, tuple, range)):
        raise TypeError(
            f"grad: argnum must be an int or a list/tuple/range of ints, got "
            f"{type(argnum).__name__} {argnum!r}; e.g. argnum=0 or argnum=[0, 1]"
        )
    nums = [int(argnum)] if single else list(argnum)  # type: ignore[arg-type]
    name = getattr(fun, "__name__", "the function")
    for i in nums:
        if not isinstance(i, (int, numpy.integer)) or isinstance(i, bool):
            raise TypeError(f"grad: argnum entries must be ints, got {i!r}; e.g. argnum=[0, 1]")
        if not -nargs <= i < nargs:
            raise GradientError(
                f"grad: argnum {i} is out of range: {name} was called with {nargs} positional "
                f"argument(s); pass that argument or use argnum in range({nargs})"
            )
    return [i % nargs for i in nums], single


def _grad_call(
    fun: Callable[..., Any],
    argnum: Argnum,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    holomorphic: bool = False,
) -> tuple[Any, Any]:
    nums, single = _argnums(argnum, len(args), fun)
    bit = start_trace()
    try:
        leaves: list[_Leaf] = []
        traced_args = list(args)
        for i in dict.fromkeys(nums):
            traced_args[i] = _trace_input(args[i], bit, i, leaves)
        if holomorphic:
            _check_complex(leaves)
        out = fun(*traced_args, **kwargs)
        roots: list[tuple[Node, Any]] = []
        _roots(out, bit, roots, holomorphic)
    finally:
        stop_trace(bit)
        for leaf in reversed(leaves):  # the caller's Arrays, as they were
            leaf.put_back()
    grads = gradients(roots, [leaf.node for leaf in leaves], bit)
    it = iter(leaves)
    seen: set[int] = set()
    per_arg = {i: _gradient_of(args[i], it, grads, seen) for i in dict.fromkeys(nums)}
    result = per_arg[nums[0]] if single else [per_arg[i] for i in nums]
    return result, _detach(out)


def _check_complex(leaves: list[_Leaf]) -> None:
    for leaf in leaves:
        if leaf.meta.dtype.kind != "c":
            raise TypeError(
                f"holomorphic_grad: an input is {leaf.meta.dtype}; a holomorphic derivative "
                "needs complex inputs: pass complex values (e.g. x + 0j), or use grad for a "
                "real-valued function"
            )


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
        return _grad_call(fun, argnum, args, kwargs)

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
        return _grad_call(fun, argnum, args, kwargs)[0]

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
        return _grad_call(fun, argnum, args, kwargs, holomorphic=True)[0]

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
        g, v = _grad_call(fun, argnum, args, kwargs)
        return v, g

    return wrapped


def jacobian(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Array]:
    """A function returning the Jacobian of ``fun``: shape ``out.shape + x.shape``.

    Built from one reverse pass per output element (fine for small outputs).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import jacobian
    >>> jacobian(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Array:
        x = np.asarray(args[argnum])
        out_shape = np.asarray(fun(*args, **kwargs)).shape
        rows = []
        size = 1
        for s in out_shape:
            size *= s
        for k in range(size):

            def pick(*a: Any, k: int = k) -> Any:
                return np.ravel(fun(*a, **kwargs))[k]

            rows.append(np.asarray(grad(pick, argnum)(*args)))
        jac = np.stack(rows) if rows else np.zeros((0, *x.shape))
        return np.reshape(jac, (*out_shape, *x.shape))

    return wrapped


def hessian(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Array]:
    """A function returning the Hessian of a scalar ``fun``: ``jacobian(grad(fun))``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import hessian
    >>> hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacobian(grad(fun, argnum), argnum)


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
