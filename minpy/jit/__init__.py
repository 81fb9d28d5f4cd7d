"""``minpy.jit``: trace a function once per signature, then replay its backend calls.

The first call for a signature runs the function eagerly while recording every backend call
it makes: forward pass, backward pass, in-place updates (``minpy.jit.trace``). Later calls
replay that program directly on NumPy/CuPy arrays (``minpy.jit.program``): no Array wrapping,
no tape, no dispatch. The signature is the structure of the arguments, the shape, dtype and
device of each array argument, the value of every other argument, the policy and the current
context. Arrays the function reads from outside (``self.params``, closures) are inputs read
at each replay; rebinding such a name to another Array is not seen (pass it as an argument).

A replay never differs from an eager call: what would make it differ is found while tracing
(Python control flow on computed values, data-dependent shapes, an Array escaping into Python
state, an operation the trace cannot see), and that signature then runs eagerly, with one
warning naming the cause and the line. ``stats()`` counts, per function, the calls that
replayed, traced or ran eagerly, and why.

>>> import minpy, minpy.numpy as np
>>> @minpy.jit
... def f(x):
...     return np.tanh(x) * 2
>>> x = np.ones(3)
>>> bool((f(x) == np.tanh(x) * 2).all()) and bool((f(x) == np.tanh(x) * 2).all())
True
"""

from __future__ import annotations

import functools
import itertools
import sys
import threading
import types
import warnings
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from minpy import inplace, watch
from minpy import policy as _policy
from minpy.array import Array
from minpy.context import current_context
from minpy.jit import fusion as _fusion
from minpy.jit import values as _values
from minpy.jit.graph import GraphReplay, capturable
from minpy.jit.instr import Slot
from minpy.jit.program import Options, Program
from minpy.jit.trace import Tracer, install, uninstall
from minpy.tape import active_mask
from minpy.transfer import adopt

__all__ = ["JitWarning", "Jitted", "Options", "jit", "reset_stats", "stats"]

_trace_lock = threading.RLock()
_all: weakref.WeakSet[Jitted] = weakref.WeakSet()
_serials = itertools.count()


class JitWarning(UserWarning):
    """A signature of a jitted function runs eagerly (the message says why and where)."""


class _Eager:
    """A signature that runs eagerly, and why."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


class _Entry:
    """The program of one signature, and how to call it."""

    __slots__ = (
        "context",
        "device",
        "devices",
        "ext_meta",
        "externals",
        "graph",
        "n_args",
        "program",
        "replays",
        "template",
    )

    def __init__(
        self,
        program: Program,
        externals: list[weakref.ref[Array]],
        ext_meta: list[tuple[Any, Any]],
        template: Any,
        devices: list[Any],
        n_args: int,
        device: Any,
    ) -> None:
        self.program = program
        self.externals = externals
        self.ext_meta = ext_meta
        self.template = template
        self.devices = devices
        self.n_args = n_args
        self.device = device  # the one device of every input, or None (a graph needs one)
        self.context = current_context()  # where NumPy arguments go
        self.graph: GraphReplay | bool | None = None  # None: not tried; False: not capturable
        self.replays = 0


class Jitted:
    """A jitted function (see the module docstring); call it as the function itself."""

    def __init__(
        self,
        fun: Callable[..., Any],
        static_argnums: Iterable[int] = (),
        options: Options | None = None,
    ) -> None:
        self.fun = fun
        self.static_argnums = frozenset(static_argnums)
        self.options = options or Options()
        self.cache: dict[Any, _Entry | _Eager] = {}
        self.replayed = 0
        self.traced = 0
        self.eager = 0
        self.graph_launches = 0
        self.causes: dict[str, int] = {}
        self._warned: set[str] = set()
        functools.update_wrapper(self, fun)
        self.serial = next(_serials)
        _all.add(self)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)

    @property
    def name(self) -> str:
        return getattr(self.fun, "__qualname__", None) or repr(self.fun)

    # --- calls -------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if active_mask():
            return self._eagerly(
                "called under grad (the tape must see every operation)", args, kwargs
            )
        if watch.active():  # inside another jitted call being traced: its program takes ours
            return self._eagerly("called while another jitted call is traced", args, kwargs)
        try:
            key, leaves = self._signature(args, kwargs)
        except _values.Unhashable as exc:
            self._warn(str(exc))
            return self._eagerly(str(exc), args, kwargs)
        entry = self.cache.get(key)
        if entry is None:
            return self._trace(key, leaves, args, kwargs)
        if isinstance(entry, _Eager):
            return self._eagerly(entry.why, args, kwargs)
        out = self._replay(entry, leaves)
        if out is _STALE:
            del self.cache[key]
            return self._trace(key, leaves, args, kwargs)
        self.replayed += 1
        return out

    def _eagerly(self, why: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self.eager += 1
        self.causes[why] = self.causes.get(why, 0) + 1
        return self.fun(*args, **kwargs)

    def _signature(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
        """The signature of a call and its array leaves (Arrays, and NumPy arrays)."""
        leaves: list[Any] = []
        parts: list[Any] = []
        static = self.static_argnums
        for i, a in enumerate(args):
            if i in static:
                parts.append(("static", _values.hashable(a)))
            else:
                _values.flatten(a, leaves, parts)
        for v in kwargs.values():
            _values.flatten(v, leaves, parts)
        if kwargs:
            parts.append(tuple(kwargs))
        parts.append(_policy.policy_override.get() or _policy.global_policy)
        parts.append(current_context())
        return tuple(parts), leaves

    def _trace(
        self, key: Any, leaves: list[Array], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        self.traced += 1
        if any(a.__class__ is not Array for a in leaves):
            static = self.static_argnums
            args = tuple(a if i in static else _values.as_arrays(a) for i, a in enumerate(args))
            kwargs = {k: _values.as_arrays(v) for k, v in kwargs.items()}
            leaves = self._signature(args, kwargs)[1]  # the same leaves, now all Arrays
        with _trace_lock:
            base = _policy.policy_override.get() or _policy.global_policy
            t = Tracer(base)
            for a in leaves:
                t.add_input(a, True)
            install()
            watch.tracer = t
            token = _policy.policy_override.set(t.policy)
            try:
                out = self.fun(*args, **kwargs)
            finally:
                _policy.policy_override.reset(token)
                watch.tracer = None
                uninstall()
        entry = self._finish(t, out)
        self.cache[key] = entry
        if isinstance(entry, _Eager):
            self._warn(entry.why)
        return out

    def _warn(self, why: str) -> None:
        if why not in self._warned:
            self._warned.add(why)
            warnings.warn(
                f"minpy.jit: {self.name} runs eagerly for this signature: {why}",
                JitWarning,
                stacklevel=4,
            )

    def _finish(self, t: Tracer, out: Any) -> _Entry | _Eager:
        for i, (a, _) in enumerate(t.inputs):
            if a._node is not None:
                t.fail("an input is still traced after the call")
            elif a._data is not t.initial[i] and t.ref(a._data) is None:
                t.fail("an array was given a buffer that minpy.jit could not follow")
        outputs: list[Slot] = []
        devices: list[Any] = []
        index = {id(a): i for i, (a, _) in enumerate(t.inputs)}
        template = _values.template(out, t, index, outputs, devices)
        _values.check_escapes(t, out)
        effects = [
            (i, t.ref(a._data)) for i, (a, _) in enumerate(t.inputs) if a._data is not t.initial[i]
        ]
        ext_meta = [(a._data.shape, a._data.dtype) for a, _ in t.inputs[t.n_args :]]
        externals = _values.externals(t)  # (the first cause found is the one kept)
        if t.cause is not None:
            why, line = t.cause
            return _Eager(f"{why} (at {line})")
        program = Program(
            t.instrs,
            t.nslots,
            [n for _, n in t.inputs],
            outputs,
            effects,  # type: ignore[arg-type]
            t.meta,
        )
        opts = self.options
        program.optimize(t.values, t.dependent, opts)
        inputs = {a._device for a, _ in t.inputs[: t.n_args]}
        inputs.update(e._device for r in externals if (e := r()) is not None)
        device = inputs.pop() if len(inputs) == 1 else None
        if opts.fuse and device is not None and device.kind != "cpu":
            _fusion.fuse(program, device.backend)
        program.compile(reuse=opts.reuse)
        return _Entry(program, externals, ext_meta, template, devices, t.n_args, device)

    def _replay(self, entry: _Entry, leaves: list[Any]) -> Any:
        ctx = entry.context
        if ctx.kind == "cpu":
            raws = [a._data if a.__class__ is Array else a for a in leaves]
        else:  # NumPy arguments were made Arrays on the context's device when traced
            raws = [a._data if a.__class__ is Array else adopt(a, ctx) for a in leaves]
        arrays = list(leaves)
        for ref, (shape, dtype) in zip(entry.externals, entry.ext_meta):
            a = ref()
            if a is None or a._data.shape != shape or a._data.dtype != dtype or a._node is not None:
                return _STALE
            raws.append(a._data)
            arrays.append(a)
        program = entry.program
        graph = entry.graph
        if graph is None and entry.replays and self.options.cuda_graph:
            graph = entry.graph = self._capture(entry, raws)
        if graph:
            outs = graph.replay(raws, arrays)  # type: ignore[union-attr]
            if outs is not None:
                self.graph_launches += 1
                return _values.rebuild(entry.template, outs, arrays, entry.devices)
            entry.graph = None  # an outside array has a new buffer: capture again next time
        entry.replays += 1
        outs, effs = program.fn(*raws)  # type: ignore[misc]
        for (i, _), v in zip(program.effects, effs):
            a = arrays[i]
            if a.__class__ is not Array:
                continue  # a NumPy argument: eagerly, only its Array copy was rebound
            a._data = v
            a._state = None
            if getattr(a, "_views", None):
                inplace.refresh_views(a)
        return _values.rebuild(entry.template, outs, arrays, entry.devices)

    def _capture(self, entry: _Entry, raws: list[Any]) -> GraphReplay | bool:
        """The program captured as a device graph, or False where it cannot be (the CPU,
        several devices, draws, host checks, a failed capture: the plain replay goes on)."""
        device = entry.device
        if device is None or device.kind == "cpu":
            return False
        if not capturable(entry.program, entry.n_args):
            return False
        try:
            return GraphReplay(entry.program, device, raws, entry.n_args)
        except Exception as exc:  # the backend refused something in the program
            self.causes[f"no graph: {type(exc).__name__}: {exc}"] = 1
            return False

    # --- inspection --------------------------------------------------------------------------
    def programs(self) -> list[Program]:
        """The programs traced so far (one per signature that replays)."""
        return [e.program for e in self.cache.values() if isinstance(e, _Entry)]

    def clear(self) -> None:
        """Forget every traced signature (the next call traces again)."""
        self.cache.clear()


_STALE = object()


def jit(
    fun: Callable[..., Any] | None = None,
    *,
    static_argnums: int | Iterable[int] = (),
    dce: bool = True,
    cse: bool = True,
    fold: bool = True,
    specialize: bool = True,
    fuse: bool = True,
    reuse: bool = True,
    cuda_graph: bool = True,
) -> Any:
    """Trace ``fun`` once per signature and replay its backend calls afterwards.

    Use as ``@minpy.jit``, ``@minpy.jit(static_argnums=1)`` or ``minpy.jit(fun, ...)``.
    ``static_argnums`` are arguments taken by value into the signature (they must be
    hashable); ``dce``, ``cse``, ``fold``, ``specialize``, ``fuse``, ``reuse`` and
    ``cuda_graph`` switch the program optimisations (dead-code and common-subexpression
    elimination, constant folding, shape-specialized calls, fusion of elementwise runs into
    one kernel on a GPU, reuse of dead buffers, replay as one CUDA graph) off, for debugging.
    """
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    opts = Options(
        dce=dce,
        cse=cse,
        fold=fold,
        specialize=specialize,
        fuse=fuse,
        reuse=reuse,
        cuda_graph=cuda_graph,
    )
    if fun is None:
        return lambda f: Jitted(f, nums, opts)
    if not callable(fun):
        raise TypeError(f"minpy.jit expects a function, got {type(fun).__name__}: {fun!r}")
    return Jitted(fun, nums, opts)


def stats() -> dict[str, dict[str, Any]]:
    """Per jitted function: calls replayed, traced and run eagerly, and the eager causes."""
    out: dict[str, dict[str, Any]] = {}
    for j in sorted(_all, key=lambda j: j.serial):
        name = j.name
        k = 2
        while name in out:  # two functions of one name (lambdas, closures)
            name = f"{j.name}#{k}"
            k += 1
        out[name] = {
            "replayed": j.replayed,
            "traced": j.traced,
            "eager": j.eager,
            "graph_launches": j.graph_launches,
            "causes": dict(j.causes),
            "programs": [len(p) for p in j.programs()],
        }
    return out


def reset_stats() -> None:
    """Set every jitted function's counters to zero (their programs are kept)."""
    for j in list(_all):
        j.replayed = j.traced = j.eager = 0
        j.causes.clear()


class _CallableModule(types.ModuleType):
    """``minpy.jit`` is this module and the decorator at once: ``@minpy.jit`` calls ``jit``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return jit(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
