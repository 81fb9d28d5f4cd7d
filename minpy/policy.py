"""Policies, the dispatcher, the differentiable CPU fallback, and op statistics.

Every primitive call comes through ``dispatch``: it finds the device of the Array inputs
(mixing devices raises), asks the active policy for a ``Route`` (which backend function runs,
whether inputs must be adopted or the call must fall back to NumPy on the CPU), runs it, wraps
the result and, when an input is traced by an active ``grad``, records a tape node.

Policies (MinPy's names):

- ``prefer_cupy`` (default): run on the inputs' device; a primitive the device's backend lacks,
  or refuses with ``NotImplementedError``, runs on the CPU and its result is copied back.
- ``only_numpy``: run every primitive on the CPU, whatever device holds the inputs.
- ``only_cupy``: never fall back; raise ``FallbackError`` instead.

Routes are cached per primitive, so the fast path costs two identity checks. Each route
counts calls, fallbacks and bytes moved; ``stats()`` collects them.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy

from minpy import context as _context
from minpy import primitive as _primitive
from minpy.array import (
    SAVED,
    Array,
    Meta,
    Remake,
    cast_for_out,
    mark_saved,
    wrap,
    writes_in_place,
)
from minpy.array import _new as _new
from minpy.backends import Backend, get_backend
from minpy.context import Device, cpu, current_context
from minpy.errors import DeviceMismatchError, FallbackError, GradientError
from minpy.primitive import Primitive
from minpy.tape import Node, _active

__all__ = [
    "FallbackWarning",
    "OnlyCuPyPolicy",
    "OnlyNumPyPolicy",
    "OpStats",
    "Policy",
    "PreferCuPyPolicy",
    "adopt",
    "dispatch",
    "forget_routes",
    "get_global_policy",
    "reset_stats",
    "set_global_policy",
    "stats",
    "to_device",
    "use_policy",
    "wrap_policy",
]

F = TypeVar("F", bound=Callable[..., Any])


class FallbackWarning(UserWarning):
    """A primitive ran on the CPU because the device's backend lacks it."""


# --------------------------------------------------------------------------------------------
# routes and statistics


class Route:
    """How one primitive runs on one device under one policy, with its counters."""

    __slots__ = (
        "adopt_lists",
        "array_type",
        "backend",
        "bytes_moved",
        "calls",
        "device",
        "fallbacks",
        "fn",
        "host_fn",
        "may_fallback",
        "name",
        "plain",
        "runs_on",
        "scope",
        "strict",
    )

    def __init__(
        self,
        prim: Primitive,
        device: Device,
        fn: Callable[..., Any] | None,
        host_fn: Callable[..., Any] | None,
        may_fallback: bool,
        strict: bool,
    ) -> None:
        backend = device.backend
        self.name = prim.name
        self.device = device
        self.backend = backend
        self.fn = fn  # None: always run host_fn on the CPU
        self.host_fn = host_fn
        self.runs_on = backend.name if fn is not None else "numpy"
        self.plain = fn is not None and device.kind == "cpu"
        self.may_fallback = may_fallback and host_fn is not None
        self.strict = strict
        self.array_type = backend.array_type
        self.adopt_lists = prim.name in _UFUNC_NAMES
        self.scope = backend.scope(device)
        self.calls = 0
        self.fallbacks = 0
        self.bytes_moved = 0

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run on a device that is not the plain CPU: adopt host inputs, or fall back."""
        if self.fn is None:
            return self._on_host(args, kwargs)
        scope = self.scope
        try:
            if scope is None:
                return self.fn(*[self._adopt(a) for a in args], **kwargs)
            with scope:
                return self.fn(*[self._adopt(a) for a in args], **kwargs)
        except NotImplementedError as exc:
            if self.strict:
                raise FallbackError(
                    f"{self.name}: {self.backend.name} does not support these arguments on "
                    f"{self.device!r} ({exc}), and the only_cupy policy forbids the CPU "
                    "fallback; use minpy.set_global_policy('prefer_cupy')"
                ) from exc
            if not self.may_fallback:
                raise
            return self._on_host(args, kwargs)
        except Exception as exc:
            better = self.backend.translate_error(exc, self.device)
            if better is None:
                raise
            raise better from exc

    def _adopt(self, a: Any) -> Any:
        if a.__class__ is Array:
            return a._data
        if isinstance(a, numpy.ndarray) or (self.adopt_lists and isinstance(a, list)):
            host = numpy.asarray(a)
            self.bytes_moved += host.nbytes
            return self.backend.asarray(host, self.device)
        return a

    def _on_host(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.host_fn is None:
            raise NotImplementedError(f"{self.name}: no implementation on the CPU either")
        if self.fn is not None or self.may_fallback:
            self.fallbacks += 1
            _warn_fallback(self.name, self.device)
        backend = self.backend
        host = []
        for a in args:
            if a.__class__ is Array:
                a = backend.to_host(a._data)
                self.bytes_moved += a.nbytes
            host.append(a)
        out = self.host_fn(*host, **kwargs)
        return self._to_device(out)

    def _to_device(self, out: Any) -> Any:
        if isinstance(out, (numpy.ndarray, numpy.generic)):
            self.bytes_moved += out.nbytes
            return self.backend.asarray(out, self.device, copy=True)
        if isinstance(out, tuple):
            items = [self._to_device(o) for o in out]
            return type(out)(*items) if hasattr(out, "_fields") else tuple(items)
        return out


_CPU = cpu()
_routes: list[Route] = []
_routes_lock = threading.Lock()
_warned: set[str] = set()
_UFUNC_NAMES = frozenset(n for n in dir(numpy) if isinstance(getattr(numpy, n), numpy.ufunc))
# Never dispatched: a stats row and a tape entry. The impls below only let routes resolve.
_TRANSFER = Primitive("to_device", impl=lambda x, device=None: x, register=False)


def _warn_fallback(name: str, device: Device) -> None:
    if name not in _warned:
        _warned.add(name)
        warnings.warn(
            f"{name}: not available on {device!r}; running it on cpu(0) and copying the result "
            "back (counted in minpy.policy.stats(); warned once per primitive)",
            FallbackWarning,
            stacklevel=4,
        )


class OpStats:
    """Calls, fallbacks and bytes moved per primitive and backend; prints as a table.

    Examples
    --------
    >>> import minpy, minpy.numpy as np
    >>> minpy.policy.reset_stats()
    >>> _ = np.exp(np.ones(3))
    >>> minpy.policy.stats()["exp", "numpy"]["calls"]
    1
    """

    def __init__(self, rows: dict[tuple[str, str], dict[str, int]]) -> None:
        self.rows = rows

    def __getitem__(self, key: tuple[str, str]) -> dict[str, int]:
        return self.rows[key]

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def total(self, field: str) -> int:
        """The sum of one counter (``calls``, ``fallbacks``, ``bytes_moved``) over all rows."""
        return sum(r[field] for r in self.rows.values())

    def __str__(self) -> str:
        head = ("primitive", "backend", "calls", "fallbacks", "bytes moved")
        body = [
            (name, backend, str(r["calls"]), str(r["fallbacks"]), str(r["bytes_moved"]))
            for (name, backend), r in sorted(self.rows.items())
        ]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(5)]
        lines = [
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))
            )
            for row in [head, *body]
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__


def stats() -> OpStats:
    """What ran where since the last ``reset_stats()``: see ``OpStats``."""
    rows: dict[tuple[str, str], dict[str, int]] = {}
    with _routes_lock:
        routes = list(_routes)
    for r in routes:
        if not (r.calls or r.bytes_moved):
            continue
        row = rows.setdefault((r.name, r.runs_on), {"calls": 0, "fallbacks": 0, "bytes_moved": 0})
        row["calls"] += r.calls
        row["fallbacks"] += r.fallbacks
        row["bytes_moved"] += r.bytes_moved
    return OpStats(rows)


def forget_routes(kind: str) -> None:
    """Drop every cached route to devices of ``kind`` (after its backend was replaced)."""
    for policy in _POLICIES.values():
        for key in [k for k in policy.routes if k[1].kind == kind]:
            del policy.routes[key]
    for prim in list(_primitive.every):
        if prim._route[1] is not None and prim._route[1].kind == kind:
            prim._route = (None, None, None)


def reset_stats() -> None:
    """Set every counter of ``stats()`` back to zero."""
    with _routes_lock:
        for r in _routes:
            r.calls = r.fallbacks = r.bytes_moved = 0


# --------------------------------------------------------------------------------------------
# policies


class Policy:
    """Decides, per primitive and device, which backend function runs a call."""

    name = "policy"
    fallback = True  # may a primitive the device lacks run on the CPU?
    routes: dict[tuple[Primitive, Device], Route]  # one per primitive and device, reused
    strict = False  # turn NotImplementedError on the device into FallbackError?

    def __init__(self) -> None:
        self.routes = {}

    def decide(self, prim: Primitive, device: Device) -> Route:
        """The route for ``prim`` on ``device``."""
        backend = device.backend
        fn = _implementation(prim, backend)
        host_fn = fn if device.kind == "cpu" else _implementation(prim, get_backend("cpu"))
        if fn is None and device.kind == "cpu":
            raise NotImplementedError(
                f"{prim.name}: no implementation for {backend.name} on {device!r}; "
                "register one with Primitive.def_impl"
            )
        if fn is None and not self.fallback:
            raise FallbackError(
                f"{prim.name}: {backend.name} on {device!r} has no implementation, and the "
                f"{self.name} policy forbids the CPU fallback; use "
                "minpy.set_global_policy('prefer_cupy') or move the data with x.to_device(cpu())"
            )
        return Route(prim, device, fn, host_fn, self.fallback, self.strict)

    def __repr__(self) -> str:
        return f"<minpy policy {self.name!r}>"


class PreferCuPyPolicy(Policy):
    """Run on the inputs' device; fall back to NumPy on the CPU where the device cannot."""

    name = "prefer_cupy"


class OnlyNumPyPolicy(Policy):
    """Run every primitive with NumPy on the CPU; results return to the inputs' device."""

    name = "only_numpy"

    def decide(self, prim: Primitive, device: Device) -> Route:
        if device.kind == "cpu":
            return super().decide(prim, device)
        host_fn = _implementation(prim, get_backend("cpu"))
        return Route(prim, device, None, host_fn, False, False)


class OnlyCuPyPolicy(Policy):
    """Never fall back to the CPU: a primitive the device lacks raises ``FallbackError``."""

    name = "only_cupy"
    fallback = False
    strict = True


_POLICIES: dict[str, Policy] = {
    p.name: p for p in (PreferCuPyPolicy(), OnlyNumPyPolicy(), OnlyCuPyPolicy())
}
_global_policy: Policy = _POLICIES["prefer_cupy"]
_policy_override: contextvars.ContextVar[Policy | None] = contextvars.ContextVar(
    "minpy_policy", default=None
)


def _as_policy(p: str | Policy) -> Policy:
    if isinstance(p, Policy):
        return p
    policy = _POLICIES.get(p) if isinstance(p, str) else None
    if policy is None:
        raise ValueError(f"unknown policy {p!r}; use one of {sorted(_POLICIES)} or a Policy")
    return policy


def set_global_policy(policy: str | Policy) -> None:
    """Make ``policy`` (a name or a ``Policy``) the process-wide policy.

    Examples
    --------
    >>> import minpy
    >>> minpy.set_global_policy("only_numpy")
    >>> minpy.get_global_policy()
    <minpy policy 'only_numpy'>
    >>> minpy.set_global_policy("prefer_cupy")
    """
    global _global_policy
    _global_policy = _as_policy(policy)


def get_global_policy() -> Policy:
    """The policy in force here (a ``use_policy`` block, else the global one)."""
    return _policy_override.get() or _global_policy


@contextmanager
def use_policy(policy: str | Policy) -> Iterator[Policy]:
    """Use ``policy`` inside a with-block (this thread or task only)."""
    p = _as_policy(policy)
    token = _policy_override.set(p)
    try:
        yield p
    finally:
        _policy_override.reset(token)


def wrap_policy(policy: str | Policy) -> Callable[[F], F]:
    """Decorator: run the function under ``policy`` (MinPy's ``wrap_policy``)."""
    p = _as_policy(policy)

    def deco(fun: F) -> F:
        @functools.wraps(fun)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with use_policy(p):
                return fun(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return deco


def _implementation(prim: Primitive, backend: Backend) -> Callable[..., Any] | None:
    if prim.impls:
        fn = prim.impls.get(backend.name)
    else:
        fn = backend.implementation(prim.name, prim.impl)
    if fn is not None and prim.pack:
        packed = fn

        def fn(*arrays: Any, **kwargs: Any) -> Any:
            return packed(arrays, **kwargs)

    return fn


def _route(prim: Primitive, device: Device) -> Route:
    policy = _policy_override.get() or _global_policy
    cache = prim._route
    if cache[0] is policy and cache[1] is device:
        return cache[2]  # type: ignore[no-any-return]
    key = (prim, device)
    route = policy.routes.get(key)
    if route is None:
        route = policy.decide(prim, device)
        with _routes_lock:
            _routes.append(route)
        policy.routes[key] = route
    prim._route = (policy, device, route)
    return route


# --------------------------------------------------------------------------------------------
# dispatch


def _join(prim: Primitive, device: Device | None, other: Device) -> Device:
    """The device a call runs on once an input on ``other`` is seen; mixing raises."""
    if device is None or device is other:
        return other
    raise _mismatch(prim, device, other)


def _mismatch(prim: Primitive, a: Device, b: Device) -> DeviceMismatchError:
    return DeviceMismatchError(
        f"{prim.name}: arrays on {a!r} and {b!r} cannot be combined; "
        f"move one with x.to_device({a!r})"
    )


def dispatch(prim: Primitive, *args: Any, **kwargs: Any) -> Any:
    """Run one primitive call: choose the device and route, run, wrap, record.

    Installed as ``Primitive.__call__``. This is the hot path of every operation: the common
    case (CPU, no ``out=``/``device=``, route cached) avoids every call it can.
    """
    device = None
    mask = 0
    listed = False
    for a in args:
        cls = a.__class__
        if cls is Array:
            d = a._device
            if d is not device:
                if device is not None:
                    raise _mismatch(prim, device, d)
                device = d
            n = a._node
            if n is not None:
                mask |= n.mask
        elif cls is list or cls is tuple:
            for item in a:
                c = item.__class__
                if c is Array or ((c is list or c is tuple) and _holds_array(item)):
                    listed = True  # an array-like of Arrays: NumPy would stack it
                    break
    try:
        if listed or prim.nested or (kwargs and _special_kwargs(kwargs)):
            return _dispatch_general(prim, args, kwargs, device, mask)
        if device is None:
            stack = _context._stack.get()
            device = stack[-1] if stack else _context._default
            if device is RAW:
                return _run_raw(prim, args, kwargs)
        cache = prim._route  # _route's cache check, inlined on the hottest path
        if cache[1] is device and cache[0] is (_policy_override.get() or _global_policy):
            route = cache[2]
        else:
            route = _route(prim, device)
        route.calls += 1
        if route.plain:
            if len(args) == 1:
                a = args[0]
                raw = a._data if a.__class__ is Array else a
                out = route.fn(raw, **kwargs) if kwargs else route.fn(raw)
            elif len(args) == 2:
                a, b = args
                ra = a._data if a.__class__ is Array else a
                rb = b._data if b.__class__ is Array else b
                out = route.fn(ra, rb, **kwargs) if kwargs else route.fn(ra, rb)
            else:
                out = route.fn(*[a._data if a.__class__ is Array else a for a in args], **kwargs)
        else:
            out = route.call(args, kwargs)
    except (ValueError, TypeError, IndexError) as exc:
        named = _named(exc, prim)  # the failing operation named in the message
        if named is exc:
            raise
        raise named from exc
    if out.__class__ is route.array_type or (route.plain and isinstance(out, numpy.generic)):
        if out.__class__ is not route.array_type:
            out = numpy.asarray(out)
        res = _new(Array)
        res._data = out
        res._device = device
        res._node = None
        res._base = None
    else:
        res = _wrap_result(out, device)
    if prim.view:
        _note_view(prim, args, kwargs, res)
    if mask and mask & _active.get():
        _record(prim, args, kwargs, res, mask)
    return res


_primitive.set_dispatcher(dispatch)


class _RawMode:
    """Stands on the context stack while a backward pass runs rules on NumPy arrays."""

    def __repr__(self) -> str:
        return "cpu(0)"


#: primitives called with no Array inputs under this context return backend arrays
RAW: Any = _RawMode()


def _run_raw(prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A call from a rule in a CPU backward pass that records nothing: NumPy in, NumPy out."""
    cache = prim._route  # as in dispatch: rules call primitives often enough to skip _route
    if cache[1] is _CPU and cache[0] is (_policy_override.get() or _global_policy):
        route = cache[2]
    else:
        route = _route(prim, _CPU)
    route.calls += 1
    out = route.fn(*args, **kwargs) if kwargs else route.fn(*args)  # type: ignore[misc]
    return numpy.asarray(out) if isinstance(out, numpy.generic) else out


def _named(exc: Exception, prim: Primitive) -> Exception:
    """``exc`` with the primitive's name in front, so the failing operation is named."""
    msg = str(exc)
    if msg.startswith(f"{prim.name}:") or isinstance(exc, (DeviceMismatchError, GradientError)):
        return exc
    try:
        return type(exc)(f"{prim.name}: {msg}")
    except Exception:
        return exc


def _special_kwargs(kwargs: dict[str, Any]) -> bool:
    if "out" in kwargs or "device" in kwargs or "ctx" in kwargs:
        return True
    for v in kwargs.values():
        if v.__class__ is Array:
            return True
    return False


def _wrap_result(out: Any, device: Device) -> Any:
    backend = device.backend
    if isinstance(out, backend.array_type):
        return wrap(out, device)
    if isinstance(out, numpy.generic):
        return wrap(backend.asarray(out, device), device)
    if isinstance(out, (tuple, list)) and out and _any_array(out, backend):
        items = [_wrap_result(o, device) for o in out]
        if hasattr(out, "_fields"):
            return type(out)(*items)
        return tuple(items) if isinstance(out, tuple) else items
    return out


def _any_array(seq: Any, backend: Backend) -> bool:
    return any(isinstance(o, (backend.array_type, numpy.generic, tuple, list)) for o in seq)


def _as_device(value: Any) -> Device:
    if isinstance(value, Device):
        return value
    if isinstance(value, str):
        kind, _, index = value.partition(":")
        if kind == "cpu":
            return cpu()
        if kind in ("gpu", "cuda"):
            from minpy.context import gpu

            return gpu(int(index or 0))
    raise ValueError(f"device={value!r} is not a device; use minpy.cpu() or minpy.gpu(0)")


def _dispatch_general(
    prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any], device: Device | None, mask: int
) -> Any:
    """The slow path: ``device=``/``ctx=``, ``out=``, Arrays in kwargs or in nested lists."""
    kwargs = dict(kwargs)
    want = kwargs.pop("device", None)
    ctx = kwargs.pop("ctx", None)
    want = want if want is not None else ctx
    out = kwargs.pop("out", None)
    if isinstance(out, tuple) and len(out) == 1:
        out = out[0]
    hidden: list[Array] = []
    for k, v in kwargs.items():
        if v.__class__ is Array:
            device = _join(prim, device, v._device)
            if v._node is not None and v._node.mask & _active.get():
                raise GradientError(
                    f"{prim.name}: the traced array passed as {k}= cannot be differentiated "
                    "through a keyword argument; pass it positionally"
                )
            kwargs[k] = v._data
    if prim.nested:
        args, device = _unnest(prim, args, device, hidden)
    elif any(a.__class__ in (list, tuple) and _holds_array(a) for a in args):
        # lists holding Arrays are array-likes: stack them (differentiably), as NumPy's
        # asarray would, instead of letting NumPy copy them to the host untraced
        args = tuple(_stacked(a) for a in args)
        for a in args:
            if a.__class__ is Array:
                device = _join(prim, device, a._device)
                if a._node is not None:
                    mask |= a._node.mask
    if want is not None:
        want = _as_device(want)
        device = _join(prim, device, want)
    if device is None:
        device = current_context()
    if device is RAW or (want is _CPU and _context._stack.get()[-1:] == (RAW,)):
        return _run_raw(prim, args, kwargs)
    route = _route(prim, device)
    route.calls += 1
    traced = bool(mask and mask & _active.get())
    if out is not None and out.__class__ is not Array:
        raise TypeError(f"{prim.name}: out= must be a minpy Array, got {type(out).__name__}")
    if out is not None and out._device is not device:
        raise _mismatch(prim, device, out._device)
    if out is not None and not traced and writes_in_place(out) and route.fn is not None:
        kw = dict(kwargs, out=out._data)
        if route.plain:
            route.fn(*[a._data if a.__class__ is Array else a for a in args], **kw)  # type: ignore[misc]
        else:
            route.call(args, kw)
        return out
    if route.plain:
        raw_out = route.fn(*[a._data if a.__class__ is Array else a for a in args], **kwargs)  # type: ignore[misc]
    else:
        raw_out = route.call(args, kwargs)
    res = _wrap_result(raw_out, device)
    if prim.view:
        _note_view(prim, args, kwargs, res)
    if traced:
        _record(prim, args, kwargs, res, mask)
    if hidden:
        _record_hidden(prim, hidden, res)
    if out is None:
        return res
    out._assign(cast_for_out(prim, res, out), prim.name)
    return out


def _stacked(a: Any) -> Any:
    """An argument that is a list holding Arrays, stacked into one Array."""
    if a.__class__ in (list, tuple) and _holds_array(a):
        from minpy.numpy import array

        return array(a)
    return a


def _holds_array(seq: Any) -> bool:
    return any(
        x.__class__ is Array or (x.__class__ in (list, tuple) and _holds_array(x)) for x in seq
    )


def _unnest(
    prim: Primitive, args: tuple[Any, ...], device: Device | None, hidden: list[Array]
) -> tuple[tuple[Any, ...], Device | None]:
    new = []
    for a in args:
        if isinstance(a, (list, tuple)) and any(x.__class__ is Array for x in a):
            items = []
            for x in a:
                if x.__class__ is Array:
                    device = _join(prim, device, x._device)
                    if x._node is not None and x._node.mask & _active.get():
                        hidden.append(x)
                    x = x._data
                items.append(x)
            a = type(a)(items) if isinstance(a, list) else tuple(items)
        new.append(a)
    return tuple(new), device


def _record_hidden(prim: Primitive, hidden: list[Array], res: Any) -> None:
    """Traced arrays inside list arguments of a primitive without rules: gradients raise."""
    mask = 0
    for h in hidden:
        mask |= h._node.mask  # type: ignore[union-attr]
    parents = tuple(h._node for h in hidden if h._node is not None)
    for r in res if isinstance(res, (tuple, list)) else (res,):
        if r.__class__ is Array and r._data.dtype.kind in "fc":
            r._node = Node(
                parents, tuple(range(len(parents))), mask, _no_rule(prim.name), device=r._device
            )


_no_rules: dict[str, Primitive] = {}


def _no_rule(name: str) -> Primitive:
    """A rule-less stand-in named like ``name``: any gradient reaching it raises."""
    p = _no_rules.get(name)
    if p is None:
        p = _no_rules[name] = Primitive(name, register=False)
        p.defvjp(keep="meta")
    return p


def _record(
    prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any], res: Any, mask: int
) -> None:
    """Give ``res`` a tape node that links it to the traced Arrays among ``args``."""
    if res.__class__ is not Array:
        if isinstance(res, (tuple, list)):
            # multi-output primitives carry no rules: a gradient reaching them raises
            for r in res:
                _record(_no_rule(prim.name), args, kwargs, r, mask)
        return
    data = res._data
    if data.dtype.kind not in "fc":
        return
    # Nodes keep backend arrays, never the Array objects: an in-place update rebinds an Array
    # to a new buffer, and what the rules see must stay what the forward pass saw.
    keep_args = prim.keep_args
    nargs = len(args)
    if nargs == 1:  # the common unary case: args[0] is the traced Array
        x = args[0]
        parents: tuple[Node, ...] = (x._node,)
        argnums: tuple[int, ...] = _FIRST
        saved: tuple[Any, ...] = (x._data,) if keep_args else (Meta(x),)
    elif nargs == 2:  # binary operators, written out: this runs once per traced operation
        a, b = args
        na = a._node if a.__class__ is Array else None
        nb = b._node if b.__class__ is Array else None
        if na is None:
            parents, argnums = (nb,), _SECOND  # type: ignore[assignment]
        elif nb is None:
            parents, argnums = (na,), _FIRST
        else:
            parents, argnums = (na, nb), _BOTH
        saved = (_saved(a, keep_args), _saved(b, keep_args))
    else:
        plist = []
        nums = []
        items = []
        i = 0
        for a in args:
            if a.__class__ is Array and a._node is not None:
                plist.append(a._node)
                nums.append(i)
            items.append(_saved(a, keep_args))
            i += 1
        parents = tuple(plist)
        argnums = tuple(nums)
        saved = tuple(items)
    res._node = Node(
        parents, argnums, mask, prim, saved, kwargs, data if prim.keep_ans else None, res._device
    )


def _note_view(prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any], res: Any) -> None:
    """Link the result of a view primitive (reshape, transpose, ...) to its base, if it shares
    the base's memory, so a later rebind of the base makes the view again."""
    src = args[0] if args else None
    if src.__class__ is not Array or res.__class__ is not Array:
        return
    owner = getattr(res._data, "base", None)
    raw = src._data
    if owner is not None and (owner is raw or owner is getattr(raw, "base", None)):
        res._base = (src, Remake(prim, args[1:], kwargs))
        src._add_view(res)


_FIRST = (0,)
_SECOND = (1,)
_BOTH = (0, 1)


def _saved(a: Any, keep_args: bool) -> Any:
    """What a node keeps of one input: its backend array, or only its shape and type."""
    if a.__class__ is not Array:
        return a
    if not keep_args:
        return Meta(a)
    if a._node is None and a._base is not SAVED:
        mark_saved(a)  # an untraced input saved for backward must not be written in place later
    return a._data


# --------------------------------------------------------------------------------------------
# data movement


def adopt(value: Any, device: Device) -> Any:
    """A host value (list, NumPy array) as a raw array on ``device``; counted as adoption."""
    if not isinstance(value, (list, tuple, numpy.ndarray, numpy.generic)):
        return value
    host = numpy.asarray(value)
    route = _route(_ADOPT, device)
    route.calls += 1
    route.bytes_moved += host.nbytes
    return device.backend.asarray(host, device)


_ADOPT = Primitive("adopt", impl=lambda x: x, register=False)


def to_device(x: Array, device: Device) -> Array:
    """Copy ``x`` to ``device``, counting the bytes; differentiable."""
    if not isinstance(device, Device):
        raise TypeError(f"to_device expects a device such as minpy.gpu(0), got {device!r}")
    src = x._device
    data = x._data
    if src.kind == device.kind and src.backend is device.backend and src.kind != "cpu":
        moved = device.backend.asarray(data, device, copy=True)
    else:
        moved = device.backend.asarray(src.backend.to_host(data), device, copy=True)
    route = _route(_TRANSFER, device)
    route.calls += 1
    route.bytes_moved += data.nbytes
    res = wrap(moved, device)
    n = x._node
    if n is not None and n.mask & _active.get():
        _record(_TRANSFER, (x,), {"device": device}, res, n.mask)
    return res


def _transfer_vjp(g: Any, ans: Any, x: Any, device: Device) -> Any:
    if g.__class__ is not Array:  # a first-order pass hands CPU nodes' rules NumPy arrays
        g = wrap(g, cpu())
    return g.to_device(x.device)


_TRANSFER.defvjp(_transfer_vjp, keep="meta")
