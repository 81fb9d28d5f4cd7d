"""Primitives and their registry. Imports neither NumPy nor CuPy.

A primitive is an operation known by its NumPy name (``"exp"``, ``"linalg.inv"``). By default it
runs as the array module's function of that name on whatever backend holds its inputs; a
generic ``impl`` (written against array methods) or a backend's override replaces that only
where spellings really differ. Each positional argument may have one vector-Jacobian rule,
``rule(g, ans, *args, **kwargs) -> gradient``, written in minpy operations so that it runs on
any device and can itself be differentiated.

Calling a primitive hands it to the dispatcher that the policy layer installs. ``customop`` (MinPy's
``from minpy.primitive import customop``) makes a user function of raw arrays a primitive.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from minpy.errors import MissingVJPError

__all__ = ["KEEP", "CustomOp", "Primitive", "customop", "defvjp", "defvjp_argnum", "registry"]

Rule = Callable[..., Any]
#: what a recorded node keeps for the rules: inputs and output ("all"), inputs only ("args"),
#: the output and the inputs' shapes ("ans"), or only the inputs' shapes ("meta")
KEEP = ("all", "args", "ans", "meta")

registry: dict[str, Primitive] = {}
#: NumPy's functions (the objects) and minpy's for them, which ``Array.__array_function__``
#: runs when NumPy is called on Arrays (``numpy.concatenate([x, y])``); filled by minpy.numpy
numpy_functions: dict[Any, Callable[..., Any]] = {}
#: every primitive ever made, registered or not (for dropping cached routes)
every: weakref.WeakSet[Primitive] = weakref.WeakSet()


def set_dispatcher(fn: Callable[..., Any]) -> None:
    """Install ``fn(prim, *args, **kwargs)`` as the way primitives run (the policy layer does).

    It becomes ``Primitive.__call__`` itself, so a call costs no extra Python frame.
    """
    Primitive.__call__ = fn  # type: ignore[method-assign]


class Primitive:
    """An operation with per-backend implementations and one VJP rule per argument.

    Parameters
    ----------
    name
        The NumPy name, dotted for submodules (``"linalg.inv"``).
    impl
        A generic implementation used on every backend instead of ``xp.<name>``.
    pack
        The backend function takes the positional arrays as one sequence
        (``concatenate(arrays, axis)``) while the primitive takes them as ``*args``.
    view
        The result may share memory with the first argument (a view).
    nested
        Arrays may hide inside list or tuple arguments (slower dispatch; not differentiable).
    creation
        Accepts ``device=``/``ctx=`` to choose where the result is created.
    register
        Enter it in ``registry`` under ``name`` (internal helpers opt out).
    """

    def __init__(
        self,
        name: str,
        impl: Callable[..., Any] | None = None,
        *,
        pack: bool = False,
        view: bool = False,
        nested: bool = False,
        creation: bool = False,
        doc: str | None = None,
        register: bool = True,
    ) -> None:
        self.name = name
        self.impl = impl
        self.impls: dict[str, Callable[..., Any]] = {}
        self.vjps: list[Rule | None] = []
        self.vjp_argnum: Rule | None = None  # one rule for every argument: rule(argnum, g, ...)
        self.keep = "all"
        self.keep_args = True  # derived from keep: does a node hold the inputs themselves?
        self.keep_ans = True  # ... and the output?
        self.pack = pack
        self.view = view
        self.nested = nested
        self.creation = creation
        self.writes_first = False  # writes into its first argument (copyto, put, ...)
        # the primitive recorded instead when a call passes keywords the rules do not take (an
        # elementwise ufunc's where=, dtype=, casting=, ...: minpy.numpy._ufuncs)
        self.keyword_form: Primitive | None = None
        self.__name__ = name.rsplit(".", 1)[-1]
        self.__qualname__ = self.__name__
        self.__doc__ = doc
        # (policy, device, route) of the last call: the dispatcher's one-entry cache
        self.route_cache: tuple[Any, Any, Any] = (None, None, None)
        every.add(self)
        if register:
            registry[name] = self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{self.name}: no dispatcher is installed; import minpy first")

    def __repr__(self) -> str:
        return f"<minpy primitive {self.name!r}>"

    def def_impl(self, backend: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Run ``fn`` on raw arrays of backend ``backend`` (``"numpy"``, ``"cupy"``).

        Once a primitive has any per-backend implementation, backends without one fall back
        to the CPU under the ``prefer_cupy`` policy.
        """
        self.impls[backend] = fn
        return fn

    def defvjp(
        self, *rules: Rule | None, argnums: tuple[int, ...] | None = None, keep: str | None = None
    ) -> None:
        """Set the VJP rules for positional arguments ``argnums`` (default 0, 1, ...)."""
        argnums = tuple(range(len(rules))) if argnums is None else tuple(argnums)
        if len(argnums) != len(rules):
            raise ValueError(
                f"defvjp({self.name!r}): {len(rules)} rules for argnums {argnums!r}; "
                "give one rule per argnum"
            )
        for i, rule in zip(argnums, rules):
            if i < 0:
                raise ValueError(f"defvjp({self.name!r}): argnum must be >= 0, got {i!r}")
            while len(self.vjps) <= i:
                self.vjps.append(None)
            self.vjps[i] = rule
        if keep is not None:
            if keep not in KEEP:
                raise ValueError(f"defvjp({self.name!r}): keep={keep!r}; use one of {KEEP}")
            self.keep = keep
            self.keep_args = keep in ("all", "args")
            self.keep_ans = keep in ("all", "ans")

    def rule(self, argnum: int) -> Rule:
        """The VJP rule for ``argnum``; raises ``MissingVJPError`` naming the primitive."""
        vjps = self.vjps
        r = vjps[argnum] if argnum < len(vjps) else None
        if r is None and self.vjp_argnum is not None:
            return functools.partial(self.vjp_argnum, argnum)
        if r is None:
            raise MissingVJPError(
                f"no gradient rule for {self.name!r} (argument {argnum}); "
                "define one with minpy.core.defvjp"
            )
        return r

    @property
    def differentiable(self) -> bool:
        """Whether any argument has a rule."""
        return self.vjp_argnum is not None or any(r is not None for r in self.vjps)

    def gradable(self, bp_args: Iterable[int], bp_kwargs: Iterable[str] = ()) -> bool:
        """MinPy's: whether positional arguments ``bp_args`` all have rules (and, since keyword
        arguments are never differentiated here, ``bp_kwargs`` is empty)."""
        if list(bp_kwargs):
            return False
        vjps = self.vjps
        every_arg = self.vjp_argnum is not None
        return all(every_arg or (i < len(vjps) and vjps[i] is not None) for i in bp_args)

    def call(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        """MinPy's ``call(args, kwargs)``: the same as ``self(*args, **kwargs)``."""
        return self(*args, **kwargs)


def defvjp(
    prim: Primitive,
    *rules: Rule | None,
    argnums: tuple[int, ...] | None = None,
    keep: str | None = None,
) -> None:
    """Set the VJP rules of ``prim``: ``rule(g, ans, *args, **kwargs) -> gradient``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import defvjp, grad, primitive
    >>> @primitive
    ... def cube(x):
    ...     return x * x * x
    >>> defvjp(cube, lambda g, ans, x: 3 * g * x * x)
    >>> float(grad(cube)(2.0))
    12.0
    """
    prim.defvjp(*rules, argnums=argnums, keep=keep)


def defvjp_argnum(prim: Primitive, rule: Rule, keep: str | None = None) -> None:
    """Give ``prim`` one rule for every argument: ``rule(argnum, g, ans, *args, **kwargs)``.

    For primitives that take any number of arrays (``concatenate``, ``einsum``).
    """
    prim.vjp_argnum = rule
    if keep is not None:
        prim.defvjp(keep=keep)


class CustomOp(Primitive):
    """A user primitive implemented for one backend, MinPy's ``customop``."""

    def __init__(self, fun: Callable[..., Any], backend: str) -> None:
        super().__init__(f"{fun.__module__}.{fun.__qualname__}", register=False, doc=fun.__doc__)
        self.__name__ = fun.__name__
        self.backend = backend
        self.def_impl(backend, fun)

    def def_grad(self, func: Callable[..., Callable[[Any], Any]], argnum: int = 0) -> CustomOp:
        """MinPy's form: ``func(ans, *args)`` returns ``g -> gradient``, all raw arrays.

        Returns the op itself, so calls chain (``op.def_grad(f0).def_grad(f1, 1)``).
        """
        grad_op = Primitive(f"{self.name}.grad{argnum}", register=False)
        grad_op.def_impl(self.backend, lambda g, ans, *args: func(ans, *args)(g))
        self.defvjp(lambda g, ans, *args: grad_op(g, ans, *args), argnums=(argnum,))
        return self

    def def_multiple_grad(
        self, func: Callable[..., Callable[[Any], Sequence[Any]]], argnums: Sequence[int]
    ) -> CustomOp:
        """MinPy's: ``func(ans, *args)`` returns ``g -> (gradient for each of argnums)``."""
        for k, argnum in enumerate(argnums):
            self.def_grad(lambda ans, *args, k=k: lambda g: func(ans, *args)(g)[k], argnum)
        return self

    def def_grad_zero(self, argnum: int = 0) -> CustomOp:
        """Declare the gradient of argument ``argnum`` to be zero (MinPy's ``def_grad_zero``)."""
        return self.def_grad(lambda ans, *args: lambda g: args[argnum] * 0, argnum)


def customop(backend: str = "numpy") -> Callable[[Callable[..., Any]], CustomOp]:
    """Decorator (MinPy's): ``fun`` works on raw arrays of ``backend`` (``"numpy"``/``"cupy"``).

    On other devices the ``prefer_cupy`` policy runs it through the CPU fallback. Add its
    gradient with ``def_grad``. MinPy's ``"mxnet"`` has no counterpart; use ``"cupy"``.

    Examples
    --------
    >>> import numpy
    >>> import minpy.numpy as np
    >>> from minpy.core import grad
    >>> from minpy.primitive import customop
    >>> @customop("numpy")
    ... def softplus(x):
    ...     return numpy.log1p(numpy.exp(x))
    >>> softplus = softplus.def_grad(lambda ans, x: lambda g: g / (1 + numpy.exp(-x)))
    >>> round(float(grad(lambda x: np.sum(softplus(x)))(np.array([0.0]))[0]), 3)
    0.5
    """
    if backend not in ("numpy", "cupy"):
        raise ValueError(
            f"customop backend must be 'numpy' or 'cupy', got {backend!r}"
            + ("; MinPy's 'mxnet' is 'cupy' here" if backend == "mxnet" else "")
        )

    def deco(fun: Callable[..., Any]) -> CustomOp:
        return CustomOp(fun, backend)

    return deco
