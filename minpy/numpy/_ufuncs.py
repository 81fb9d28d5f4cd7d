"""The methods of NumPy's ufuncs on minpy's elementwise primitives.

``np.add.reduce``, ``np.add.accumulate``, ``np.multiply.outer``, ``np.add.at`` and the rest
work as in NumPy. Where a method is another minpy operation (``add.reduce`` is ``sum``,
``maximum.reduce`` is ``max``, ``add.accumulate`` is ``cumsum``, ``outer`` is the ufunc on
reshaped operands) it is differentiable through that operation's rule; ``add.at`` and
``subtract.at`` are differentiable through ``scatter_add``. The other methods run forward
only, on the arrays' device, and differentiating through them raises an error naming them.
"""

from __future__ import annotations

from typing import Any

import numpy as _numpy

from minpy import inplace, watch
from minpy.array import Array
from minpy.errors import GradientError
from minpy.inplace import cast_for_out, writes_in_place
from minpy.primitive import Primitive, registry
from minpy.stats import warn_fallback

__all__ = ["attach_ufunc_methods"]

_NO_VALUE: Any = _numpy._NoValue  # NumPy's marker for "argument not given"
#: ufunc.reduce that is a minpy reduction (with its rule); True: it takes dtype=
_REDUCTIONS = {
    "add": ("sum", True),
    "multiply": ("prod", True),
    "maximum": ("max", False),
    "minimum": ("min", False),
    "logical_and": ("all", False),
    "logical_or": ("any", False),
}
_ACCUMULATIONS = {"add": "cumsum", "multiply": "cumprod"}
#: ufunc.at whose traced form is ``x ± scatter_add(...)``
_SCATTERS = {"add": 1.0, "subtract": -1.0}


class _Methods:
    """Builds the method functions of one ufunc primitive."""

    def __init__(self, prim: Primitive, ufunc: Any, ns: dict[str, Any]) -> None:
        self.prim = prim
        self.name = prim.name
        self.ufunc = ufunc
        self.ns = ns
        self.forward_only: dict[str, Primitive] = {}

    def _plain(self, method: str) -> Primitive:
        """A forward-only primitive running ``<backend>.<ufunc>.<method>`` (no rule)."""
        prim = self.forward_only.get(method)
        if prim is None:
            doc = getattr(self.ufunc, method).__doc__
            prim = Primitive(f"{self.name}.{method}", doc=doc, register=False)
            self.forward_only[method] = prim
        return prim

    def reduce(
        self,
        array: Any,
        axis: Any = 0,
        dtype: Any = None,
        out: Any = None,
        keepdims: bool = False,
        initial: Any = _NO_VALUE,
        where: Any = True,
    ) -> Any:
        ns = self.ns
        target = _REDUCTIONS.get(self.name)
        plain_args = initial is _NO_VALUE and where is True and out is None
        if target is not None and plain_args and (dtype is None or target[1]):
            fn, takes_dtype = target
            kw: dict[str, Any] = {"axis": axis, "keepdims": keepdims}
            if takes_dtype and dtype is not None:
                kw["dtype"] = dtype
            return ns[fn](array, **kw)
        kw = {"axis": axis, "dtype": dtype, "keepdims": keepdims}
        if out is not None:
            kw["out"] = out
        if initial is not _NO_VALUE:
            kw["initial"] = initial
        if where is not True:
            kw["where"] = where
        return self._plain("reduce")(array, **kw)

    def accumulate(self, array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Any:
        fn = _ACCUMULATIONS.get(self.name)
        if fn is not None and out is None:
            return self.ns[fn](array, axis=axis, dtype=dtype)
        kw: dict[str, Any] = {"axis": axis, "dtype": dtype}
        if out is not None:
            kw["out"] = out
        return self._plain("accumulate")(array, **kw)

    def reduceat(
        self, array: Any, indices: Any, axis: int = 0, dtype: Any = None, out: Any = None
    ) -> Any:
        kw: dict[str, Any] = {"axis": axis, "dtype": dtype}
        if out is not None:
            kw["out"] = out
        return self._plain("reduceat")(array, indices, **kw)

    def outer(self, a: Any, b: Any, **kwargs: Any) -> Any:
        if self.ufunc.signature is not None:  # a generalized ufunc (matmul): NumPy decides
            return self._plain("outer")(a, b, **kwargs)
        ns = self.ns
        device = next((x.device for x in (a, b) if isinstance(x, Array)), None)
        if not isinstance(a, Array):
            a = ns["asarray"](a, device=device)
        b_ndim = b.ndim if isinstance(b, Array) else _numpy.ndim(b)
        # a's axes first, then b's: the ufunc broadcasts a reshaped to a.shape + (1,) * b.ndim
        return self.prim(ns["reshape"](a, a.shape + (1,) * b_ndim), b, **kwargs)

    def at(self, a: Any, indices: Any, b: Any = None) -> None:
        """In place and unbuffered: repeated indices each apply (``add.at`` accumulates)."""
        op = f"{self.name}.at"
        if not isinstance(a, Array):
            raise TypeError(
                f"{op}: the first argument must be a minpy Array (it is updated in place), "
                f"got {type(a).__name__}"
            )
        if (b is None) != (self.ufunc.nin == 1):
            raise TypeError(
                f"{op}: {'a unary ufunc takes no' if self.ufunc.nin == 1 else 'give the'} "
                "second operand b"
            )
        key = a._key(indices)
        traced = a._node is not None or (isinstance(b, Array) and b._node is not None)
        if traced:
            sign = _SCATTERS.get(self.name)
            if sign is None:
                raise GradientError(
                    f"{op}: no gradient rule for an unbuffered in-place {self.name}; write "
                    f"it out of place (e.g. x = x * ...) or use np.add.at / np.subtract.at"
                )
            ns = self.ns
            if not isinstance(b, Array):
                b = ns["asarray"](b, device=a.device)
            if b.dtype != a.dtype:
                # NumPy's ufunc.at casts the values to the target's dtype, so a float32 target
                # stays float32 (and so does its gradient); astype sends b's gradient back
                b = b.astype(a.dtype)
            shape = a._data[key].shape  # where the values land, as NumPy broadcasts b
            delta = ns["scatter_add"](a.shape, key, ns["broadcast_to"](b, shape))
            res = a + delta if sign > 0 else a - delta
            inplace.assign(a, cast_for_out(self.prim, res, a), op)
            return
        if isinstance(b, Array):
            if b.device is not a.device:
                raise ValueError(
                    f"{op}: b is on {b.device!r} but the array is on {a.device!r}; move it "
                    f"with b.to_device({a.device!r})"
                )
            b = b._data
        # in place, as NumPy; an array a recorded node holds is copied first (copy-on-write)
        target = a if writes_in_place(a) else a.copy()
        self._apply_at(target, key, b)
        if target is not a:
            inplace.assign(a, target, f"{self.name}.at")

    def _apply_at(self, target: Array, key: Any, b: Any) -> None:
        device = target._device
        backend = device.backend
        name = self.name
        if isinstance(b, (list, tuple)):
            b = _numpy.asarray(b)
        if not backend.on_host and isinstance(b, _numpy.ndarray):
            b = backend.asarray(b, device)
        if name == "subtract" and not backend.on_host:
            name, b = "add", -b  # CuPy's subtract.at takes integers only; add.at takes floats
        method = backend.implementation(f"{name}.at", None)
        args = (target._data, key) if b is None else (target._data, key, b)
        try:
            if method is None:
                raise NotImplementedError(f"{backend.name} has no {name}.at")
            scope = None if backend.on_host else backend.scope(device)
            if scope is None:
                watch.write(method, *args)
            else:
                with scope:
                    watch.write(method, *args)
        except (NotImplementedError, TypeError):
            if backend.on_host:
                raise
            # CuPy has ufunc.at for a few ufuncs and dtypes: run it on the host, copy it back
            host = [backend.to_host(v) if backend.is_array(v) else v for v in args]
            if isinstance(key, tuple):
                host[1] = tuple(backend.to_host(k) if backend.is_array(k) else k for k in key)
            getattr(_numpy, name).at(*host)
            backend.write(target._data, Ellipsis, backend.asarray(host[0], device))
            warn_fallback(f"{self.name}.at", device)


def attach_ufunc_methods(ns: dict[str, Any]) -> None:
    """Give each primitive of ``ns`` that wraps a NumPy ufunc that ufunc's methods and data."""
    for name, prim in list(ns.items()):
        ufunc = getattr(_numpy, name, None)
        if not isinstance(prim, Primitive) or not isinstance(ufunc, _numpy.ufunc):
            continue
        if prim.name != ufunc.__name__ or "nin" in vars(prim):
            continue  # aliases share the primitive: attach once, under the ufunc's own name
        methods = _Methods(prim, ufunc, ns)
        for attr in ("nin", "nout", "nargs", "ntypes", "types", "identity", "signature"):
            setattr(prim, attr, getattr(ufunc, attr))
        for method in ("reduce", "accumulate", "reduceat", "outer", "at"):
            if ufunc.nin == 1 and method != "at":
                continue  # NumPy: only binary ufuncs reduce, accumulate or take outer products
            setattr(prim, method, getattr(methods, method))
        if ufunc.signature is None:  # elementwise (a gufunc's rules take its axes= etc.)
            prim.keyword_form = _keyword_form(prim)


#: keyword arguments of a ufunc call that its rules do not take (out= never reaches them)
_KEYWORDS = ("where", "dtype", "signature", "casting", "order", "subok")


def _keyword_form(prim: Primitive) -> Primitive:
    """The form of ``prim`` recorded for a call with ufunc keywords: its rules, applied with
    ``where=`` masking (the gradient is 0 where the ufunc did not compute; the arguments are
    broadcast to the output first, so nothing computed at those entries leaks into a sum)
    and, after ``dtype=``/``signature=``, cast back to each argument's dtype."""
    form = Primitive(prim.name, register=False)

    def rule(argnum: int, g: Any, ans: Any, *args: Any, **kw: Any) -> Any:
        where = kw.get("where", True)
        cast = kw.get("dtype") is not None or kw.get("signature") is not None
        for k in _KEYWORDS:
            kw.pop(k, None)
        base = prim.rule(argnum)
        x = args[argnum]
        if where is True:
            v = base(g, ans, *args, **kw)
        else:
            shape = g.shape
            full = [
                registry["broadcast_to"](a, shape) if getattr(a, "shape", shape) != shape else a
                for a in args
            ]
            select = registry["where"]
            v = select(where, base(select(where, g, 0), ans, *full, **kw), 0)
            if v.shape != x.shape:  # the rule's argument was broadcast: sum back to x's shape
                v = registry["sum_to"](v, tuple(x.shape))
        if cast and hasattr(x, "dtype") and v.dtype != x.dtype:
            if v.dtype.kind == "c" and x.dtype.kind != "c":
                v = registry["real"](v)
            v = v.astype(x.dtype)
        return v

    form.vjp_argnum = rule
    return form
