"""Policies: which backend function runs a primitive on a device, and the CPU fallback.

The dispatcher (``minpy.dispatch``) asks ``route(prim, device)`` for a ``Route``: the function
that runs the call on that device, or the fallback that runs it with NumPy on the CPU and
copies the result back. Routes are cached per policy, primitive and device, without keeping the
primitive alive; each is also the op-statistics counter (``minpy.stats``) of its primitive on
its backend.

Policies (MinPy's names):

- ``prefer_cupy`` (default): run on the inputs' device; a primitive the device's backend lacks,
  or refuses with ``NotImplementedError``, runs on the CPU and its result is copied back.
- ``only_numpy``: run every primitive on the CPU, whatever device holds the inputs.
- ``only_cupy``: never fall back; raise ``FallbackError`` instead.

MinPy's MXNet names map to the CuPy policies, with a one-time ``MXNetNameWarning``:
``'prefer_mxnet'``/``PreferMXNetPolicy`` is ``prefer_cupy``, ``'only_mxnet'``/``OnlyMXNetPolicy``
is ``only_cupy``. ``minpy.dispatch.policy`` is MinPy's module path for the same names.

``stats``, ``reset_stats``, ``OpStats`` and ``FallbackWarning`` (from ``minpy.stats``) and
``adopt``/``to_device`` (the counted transfers) are here too, where MinPy's users look for them.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy

from minpy import primitive as _primitive
from minpy import stats as _stats
from minpy.array import Array, to_device
from minpy.backends import Backend, get_backend
from minpy.context import Device
from minpy.errors import FallbackError
from minpy.primitive import Primitive
from minpy.stats import Counter, FallbackWarning, OpStats, reset_stats, stats, warn_fallback
from minpy.transfer import adopt

__all__ = [
    "FallbackWarning",
    "MXNetNameWarning",
    "OnlyCuPyPolicy",
    "OnlyMXNetPolicy",
    "OnlyNumPyPolicy",
    "OpStats",
    "Policy",
    "PreferCuPyPolicy",
    "PreferMXNetPolicy",
    "Route",
    "adopt",
    "as_policy",
    "forget_routes",
    "get_global_policy",
    "global_policy",
    "policy_override",
    "reset_stats",
    "route",
    "route_in",
    "set_global_policy",
    "stats",
    "to_device",
    "use_policy",
    "wrap_policy",
]

F = TypeVar("F", bound=Callable[..., Any])


class Route(Counter):
    """How one primitive runs on one device under one policy; counts its calls.

    ``plain`` routes (the CPU, no fallback possible) are run by the dispatcher itself as
    ``route.fn(*raw_args)``; the others through ``call``, which adopts host inputs onto the
    device and falls back to the CPU where the device cannot run the call.
    """

    __slots__ = (
        "adopt_lists",
        "array_type",
        "backend",
        "device",
        "fn",
        "host_fn",
        "may_fallback",
        "plain",
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
        super().__init__(prim.name, backend.name if fn is not None else "numpy")
        self.device = device
        self.backend = backend
        self.fn = fn  # None: always run host_fn on the CPU
        self.host_fn = host_fn
        self.plain = fn is not None and device.kind == "cpu"
        self.may_fallback = may_fallback and host_fn is not None
        self.strict = strict
        self.array_type = backend.array_type
        self.adopt_lists = prim.name in _UFUNC_NAMES
        self.scope = backend.scope(device)

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run on a device that is not the plain CPU: adopt host inputs, or fall back."""
        if self.fn is None:
            return self.call_on_host(args, kwargs)
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
            return self.call_on_host(args, kwargs)
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

    def call_on_host(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run the call with NumPy on the CPU and copy the result back (a counted fallback)."""
        if self.host_fn is None:
            raise NotImplementedError(f"{self.name}: no implementation on the CPU either")
        if self.fn is not None or self.may_fallback:
            self.fallbacks += 1
            warn_fallback(self.name, self.device)
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


_UFUNC_NAMES = frozenset(n for n in dir(numpy) if isinstance(getattr(numpy, n), numpy.ufunc))


def forget_routes(kind: str) -> None:
    """Drop every cached route to devices of ``kind`` (after its backend was replaced)."""
    for policy in _POLICIES.values():
        for per_device in list(policy.routes.values()):
            for device in [d for d in per_device if d.kind == kind]:
                _retired.append(per_device.pop(device))
    for prim in list(_primitive.every):
        if prim.route_cache[1] is not None and prim.route_cache[1].kind == kind:
            prim.route_cache = (None, None, None)


# --------------------------------------------------------------------------------------------
# routes of primitives that are gone
#
# A route is also an op counter that minpy.stats keeps. When its primitive is collected (a
# primitive made in a loop, say), the finalizer only queues its routes, since it may run
# inside any allocation; route() later folds their counts into the shared counter of the same
# name and backend, so stats() still adds them up, and drops the routes themselves.

_retired: list[Route] = []
_SWEEP_AT = 64  # queued routes that make route() sweep
_sweeping = threading.Lock()


def _collected(per_device: dict[Device, Route]) -> None:
    _retired.extend(per_device.values())  # a finalizer: queue only, take no lock


def _sweep() -> None:
    """Fold the queued routes' counts into shared counters; drop the routes from the stats."""
    if not _sweeping.acquire(blocking=False):
        return  # another thread is at it
    try:
        dead = _retired[:]
        del _retired[: len(dead)]
        _fold(dead)
    finally:
        _sweeping.release()


def _fold(dead: list[Route]) -> None:
    """Add the counts of ``dead`` routes to the shared counters; drop them from the stats."""
    _stats.retire(dead)


# --------------------------------------------------------------------------------------------
# policies


class Policy:
    """Decides, per primitive and device, which backend function runs a call."""

    name = "policy"
    fallback = True  # may a primitive the device lacks run on the CPU?
    #: one route per primitive and device, reused; weak, so a primitive that is dropped (one
    #: made in a loop) is collected, and its routes with it
    routes: weakref.WeakKeyDictionary[Primitive, dict[Device, Route]]
    strict = False  # turn NotImplementedError on the device into FallbackError?

    def __init__(self) -> None:
        self.routes = weakref.WeakKeyDictionary()

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

    def show_op_stat(self) -> None:
        """Print the op statistics (MinPy's method; the table of ``stats()``)."""
        print(stats())

    def __enter__(self) -> Policy:
        """``with policy:`` runs the block under this policy, as ``use_policy(policy)`` does
        (MinPy's form; this thread or task only)."""
        self.__dict__.setdefault("_tokens", []).append(policy_override.set(self))
        return self

    def __exit__(self, *exc: object) -> None:
        policy_override.reset(self.__dict__["_tokens"].pop())

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


class MXNetNameWarning(UserWarning):
    """A MinPy MXNet policy name was used; it stands for its CuPy policy (said once per name)."""


_noted: set[str] = set()


def _note_mxnet(name: str, ours: str, stacklevel: int) -> None:
    if name not in _noted:
        _noted.add(name)
        warnings.warn(
            f"{name} is MinPy's MXNet policy; minpy runs the {ours!r} policy in its place "
            f"(CuPy on GPUs, NumPy on the CPU); write {ours!r} to silence this note",
            MXNetNameWarning,
            stacklevel=stacklevel,
        )


class PreferMXNetPolicy(PreferCuPyPolicy):
    """MinPy's default policy by its MXNet name: ``prefer_cupy`` here."""

    def __init__(self) -> None:
        _note_mxnet("PreferMXNetPolicy", "prefer_cupy", 4)
        super().__init__()


class OnlyMXNetPolicy(OnlyCuPyPolicy):
    """MinPy's ``only_mxnet`` by its MXNet name: ``only_cupy`` here."""

    def __init__(self) -> None:
        _note_mxnet("OnlyMXNetPolicy", "only_cupy", 4)
        super().__init__()


_POLICIES: dict[str, Policy] = {
    p.name: p for p in (PreferCuPyPolicy(), OnlyNumPyPolicy(), OnlyCuPyPolicy())
}
#: the process-wide policy (``set_global_policy`` rebinds it)
global_policy: Policy = _POLICIES["prefer_cupy"]
#: the policy of the innermost ``use_policy`` block of this thread or task, else None
policy_override: contextvars.ContextVar[Policy | None] = contextvars.ContextVar(
    "minpy_policy", default=None
)


_MXNET_NAMES = {"prefer_mxnet": "prefer_cupy", "only_mxnet": "only_cupy"}


def as_policy(p: str | Policy) -> Policy:
    """The Policy named ``p`` (MinPy's MXNet names included), or ``p`` itself."""
    if isinstance(p, Policy):
        return p
    if isinstance(p, str) and p in _MXNET_NAMES:
        _note_mxnet(repr(p), _MXNET_NAMES[p], 5)
        p = _MXNET_NAMES[p]
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
    global global_policy
    global_policy = as_policy(policy)


def get_global_policy() -> Policy:
    """The policy in force here (a ``use_policy`` block, else the global one)."""
    return policy_override.get() or global_policy


@contextmanager
def use_policy(policy: str | Policy) -> Iterator[Policy]:
    """Use ``policy`` inside a with-block (this thread or task only)."""
    p = as_policy(policy)
    token = policy_override.set(p)
    try:
        yield p
    finally:
        policy_override.reset(token)


def wrap_policy(policy: str | Policy) -> Callable[[F], F]:
    """Decorator: run the function under ``policy`` (MinPy's ``wrap_policy``)."""
    p = as_policy(policy)

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


def route(prim: Primitive, device: Device) -> Route:
    """The route of ``prim`` on ``device`` under the policy in force (cached)."""
    policy = policy_override.get() or global_policy
    cache = prim.route_cache
    if cache[0] is policy and cache[1] is device:
        return cache[2]  # type: ignore[no-any-return]
    r = route_in(policy, prim, device)
    prim.route_cache = (policy, device, r)
    return r


def route_in(policy: Policy, prim: Primitive, device: Device) -> Route:
    """The route of ``prim`` on ``device`` under ``policy`` (kept in the policy's table)."""
    per_device = policy.routes.get(prim)
    if per_device is None:
        per_device = policy.routes[prim] = {}
        weakref.finalize(prim, _collected, per_device).atexit = False
    r = per_device.get(device)
    if r is None:
        if len(_retired) >= _SWEEP_AT:
            _sweep()
        r = per_device[device] = policy.decide(prim, device)
    return r
