"""Tracing one call for ``minpy.jit``: every backend call it makes, as a flat program.

While a call is traced, three things watch it:

- a recording policy (``policy_override``): each route it hands the dispatcher runs the
  backend function through ``Tracer.call``, which notes the function, its arguments (backend
  arrays become slot references, everything else a constant) and its result (a new slot);
- a recording dispatcher (installed as ``Primitive.__call__`` while any trace runs; other
  threads pass through it untouched): it finds the Arrays a call reads that the trace has not
  seen yet (``saw``): those come from outside the function (parameters, closures) and become
  inputs read at each replay; after the call it checks that every result is accounted for;
- ``minpy.watch``: the places that make or write backend arrays without a primitive, and
  the conversions of Arrays to Python values, report here.

Anything whose replay could differ from running the function again (a Python value read from
traced data, a data-dependent shape, an Array that escapes into Python state, an operation the
trace could not see) sets ``cause`` with the user's source line, and the signature then runs
eagerly. The call being traced always runs eagerly, so its result is right either way.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Callable
from threading import get_ident
from typing import Any

import numpy

from minpy import policy as _policy
from minpy import primitive as _primitive
from minpy import watch
from minpy.array import Array, wrap
from minpy.dispatch import dispatch
from minpy.jit.instr import (
    SCALARS,
    DictTemplate,
    Instr,
    Item,
    ListTemplate,
    Slot,
    is_array,
    sharing,
)
from minpy.policy import Policy

__all__ = ["RouteCall", "Tracer", "install", "uninstall"]

#: primitives whose output shape depends on the values of their input
DATA_SHAPES = frozenset(
    {
        "argwhere",
        "compress",
        "extract",
        "flatnonzero",
        "intersect1d",
        "nonzero",
        "polydiv",  # trims the remainder's leading zeros
        "polymul",  # trims its operands' leading zeros
        "roots",  # drops the coefficients' leading and trailing zeros
        "setdiff1d",
        "setxor1d",
        "trim_zeros",
        "union1d",
        "unique",
        "unique_all",
        "unique_counts",
        "unique_inverse",
        "unique_values",
    }
)


#: modules whose frames are the engine's, not the code being traced (a layer of minpy.nn is
#: the traced code's, so a cause inside it is reported there)
_ENGINE = (
    "minpy",
    "minpy.array",
    "minpy.backprop",
    "minpy.core",
    "minpy.dispatch",
    "minpy.inplace",
    "minpy.jit",
    "minpy.nn._jitstep",
    "minpy.nn.model",
    "minpy.nn.solver",
    "minpy.numpy",
    "minpy.operators",
    "minpy.tracing",
    "minpy.watch",
)

_ENGINE_PACKAGES = tuple(e + "." for e in _ENGINE[1:])


def _user_line() -> str:
    """``file:line`` of the innermost frame of the traced code (not minpy's engine)."""
    f = sys._getframe(2)
    while f is not None:
        name = f.f_globals.get("__name__", "")
        if name not in _ENGINE and not name.startswith(_ENGINE_PACKAGES):
            return f"{f.f_code.co_filename}:{f.f_lineno}"
        f = f.f_back  # type: ignore[assignment]
    return "<unknown>"


class RouteCall:
    """A non-plain route's ``call`` on backend arrays (Arrays again at ``marks``)."""

    __slots__ = ("device", "marks", "route")

    def __init__(self, route: Any, marks: tuple[int, ...]) -> None:
        self.route = route
        self.marks = marks
        self.device = route.device

    def __call__(self, *raws: Any, **kwargs: Any) -> Any:
        args = list(raws)
        for i in self.marks:
            args[i] = wrap(args[i], self.device)
        return self.route.call(tuple(args), kwargs)

    def __repr__(self) -> str:
        return f"{self.route.name}@{self.device!r}"


class _RecordingRoute:
    """What the dispatcher needs of a route, with every backend call going to the tracer of
    the call being traced (``minpy.watch.tracer``: one trace runs at a time)."""

    __slots__ = (
        "array_type",
        "base",
        "calls",
        "calls_by_marks",
        "fn",
        "plain",
        "writes_first",
    )

    def __init__(self, base: Any, writes_first: bool) -> None:
        self.base = base
        self.calls = 0
        self.plain = base.plain
        self.array_type = base.array_type
        self.calls_by_marks: dict[tuple[int, ...], RouteCall] = {}
        fn = base.fn
        self.writes_first = writes = writes_first
        if base.plain:

            def recorded(*args: Any, **kwargs: Any) -> Any:
                return watch.tracer.call(fn, args, kwargs, writes)

            self.fn = recorded
        else:
            self.fn = fn

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        marks = tuple(i for i, a in enumerate(args) if a.__class__ is Array)
        rc = self.calls_by_marks.get(marks)
        if rc is None:
            rc = self.calls_by_marks[marks] = RouteCall(self.base, marks)
        raws = tuple(a._data if a.__class__ is Array else a for a in args)
        return watch.tracer.call(rc, raws, kwargs, self.writes_first)


class _RecordingPolicy(Policy):
    """``base``'s routes, recorded (the policy in force while a call is traced). One per base
    policy, kept while it lives: its routes hold no tracer, so nothing of a trace outlives it."""

    def __init__(self, base: Policy) -> None:
        super().__init__()
        self.base = base
        self.name = base.name

    def decide(self, prim: Any, device: Any) -> Any:
        return _RecordingRoute(_policy.route_in(self.base, prim, device), prim.writes_first)


_recording: weakref.WeakKeyDictionary[Policy, _RecordingPolicy] = weakref.WeakKeyDictionary()


def recording_policy(base: Policy) -> _RecordingPolicy:
    """The recording form of ``base``."""
    rec = _recording.get(base)
    if rec is None:
        rec = _recording[base] = _RecordingPolicy(base)
    return rec


# --------------------------------------------------------------------------------------------
# the recording dispatcher: installed while any trace runs


_installed = 0
_install_lock = threading.Lock()


def _traced_dispatch(prim: Any, *args: Any, **kwargs: Any) -> Any:
    t = watch.tracer
    if t is None or t.depth or get_ident() != t.thread:
        return dispatch(prim, *args, **kwargs)
    # before the call: the Arrays it reads that the trace has not seen come from outside
    known = t.known
    for a in args:
        cls = a.__class__
        if cls is Array:
            raw = a._data
            e = known.get(id(raw))
            if e is None or e[0]() is not raw:
                t.add_input(a, False)
        elif cls is list or cls is tuple:
            t.see(a)
    if kwargs:
        t.see(kwargs.values())
    if _override() is not t.policy:
        t.fail("the policy was changed inside the traced function")
    if prim.name in _CHECKED:
        t.check_shape(prim, args)
    res = dispatch(prim, *args, **kwargs)
    # after it: every Array it made is the result of a recorded call
    if res.__class__ is Array:
        t.created.append(weakref.ref(res))
        raw = res._data
        e = known.get(id(raw))
        if e is None or e[0]() is not raw:
            t.account(prim, res, None, t.instrs[-1] if t.instrs else None)
    elif isinstance(res, (tuple, list)):
        last = t.instrs[-1] if t.instrs else None
        for k, r in enumerate(res):
            if r.__class__ is Array:
                t.created.append(weakref.ref(r))
                if t.ref(r._data) is None:
                    t.account(prim, r, k, last)
    return res


_override = _policy.policy_override.get
#: primitives whose arguments ``Tracer.check_shape`` looks at
_CHECKED = DATA_SHAPES | {"where", "getitem", "repeat"}


class Tracer:
    """Records one call (see the module docstring); ``Jitted._finish`` checks what it saw."""

    def __init__(self, policy: Policy) -> None:
        self.thread = threading.get_ident()
        self.instrs: list[Instr] = []
        self.nslots = 0
        # id(raw) -> (a weak reference to raw, its slot): the backend arrays are not kept alive
        # (the tracing call's memory stays the eager call's), and an id reused by a new array
        # after the first one's death does not match, as the reference is dead
        self.known: dict[int, tuple[Callable[[], Any], Slot]] = {}
        self.meta: dict[int, tuple[Any, Any]] = {}  # slot -> (shape, dtype) of arrays
        self.dependent: set[int] = set()  # slots whose values depend on the inputs
        self.values: dict[int, Any] = {}  # slot -> value, for those that depend on no input
        self.inputs: list[tuple[Array, int]] = []  # (Array, slot): arguments and outside arrays
        self.n_args = 0  # the first n_args inputs are the function's arguments
        self.initial: list[Any] = []  # each input's backend array when first seen
        self.created: list[weakref.ref[Array]] = []
        self.depth = 0
        self.cause: tuple[str, str] | None = None
        self.policy = recording_policy(policy)

    # --- bookkeeping ------------------------------------------------------------------------
    def on_this_thread(self) -> bool:
        return threading.get_ident() == self.thread

    def fail(self, why: str) -> None:
        """Mark the signature as one to run eagerly (the first cause is kept, with its line)."""
        if self.cause is None:
            self.cause = (why, _user_line())

    def _new_slot(self, value: Any, dependent: bool) -> int:
        """A new slot holding ``value`` (its arrays known by identity from now on); the value
        itself is kept if it depends on no input (a constant, for folding)."""
        n = self.nslots
        self.nslots += 1
        if dependent:
            self.dependent.add(n)
        else:
            self.values[n] = value
        if isinstance(value, (tuple, list)):  # several results (a namedtuple too)
            for k, item in enumerate(value):
                if is_array(item):
                    self.known[id(item)] = (_held(item), Item(n, k))
        elif is_array(value):
            self.known[id(value)] = (_held(value), Slot(n))
            self.meta[n] = (value.shape, value.dtype)
        return n

    def ref(self, raw: Any) -> Slot | None:
        entry = self.known.get(id(raw))
        if entry is not None and entry[0]() is raw:
            return entry[1]
        return None

    def add_input(self, a: Array, is_arg: bool) -> None:
        raw = a._data
        if self.ref(raw) is not None:
            return
        n = self._new_slot(raw, True)
        self.inputs.append((a, n))
        self.initial.append(raw)
        if is_arg:
            self.n_args += 1

    # --- templates --------------------------------------------------------------------------
    def _template(self, x: Any, refs: list[Slot]) -> Any:
        """``x`` with the backend arrays the trace knows replaced by their slot references
        (each appended to ``refs``)."""
        cls = x.__class__
        if cls in SCALARS:
            return x
        entry = self.known.get(id(x))
        if entry is not None and entry[0]() is x:
            ref = entry[1]
            refs.append(ref)
            return ref
        if cls is not tuple and cls is not list and cls is not dict:
            if is_array(x):
                # a host array the function holds (a NumPy constant): a slot of its own, so
                # that an Array wrapping it later (a rule's) is not taken for an outside input
                ins = Instr(_constant, (x,), {}, 0, [])
                ins.slot = self._new_slot(x, False)
                ins.meta = (x.shape, x.dtype, False)
                self.instrs.append(ins)
                ref = Slot(ins.slot)
                refs.append(ref)
                return ref
            return x
        if cls is tuple or cls is list:
            n = len(refs)
            items = [self._template(v, refs) for v in x]
            if len(refs) > n:
                return tuple(items) if cls is tuple else ListTemplate(items)
            return x
        n = len(refs)
        out = {k: self._template(v, refs) for k, v in x.items()}  # a dict
        return DictTemplate(out) if len(refs) > n else x

    # --- the three sources of events ----------------------------------------------------------
    def call(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        writes_first: bool = False,
        guard: bool = False,
    ) -> Any:
        """Run ``fn(*args, **kwargs)`` on backend arrays and record it as one instruction
        (``writes_first``: it writes into its first argument)."""
        if self.depth:
            return fn(*args, **kwargs)
        refs: list[Slot] = []
        known = self.known
        targs = []
        for a in args:  # _template, with its commonest case (a known array) written out
            e = known.get(id(a))
            if e is not None and e[0]() is a:
                refs.append(e[1])
                targs.append(e[1])
            else:
                targs.append(self._template(a, refs))
        tkw = {k: self._template(v, refs) for k, v in kwargs.items()} if kwargs else kwargs
        self.depth += 1
        try:
            out = fn(*args, **kwargs)
        finally:
            self.depth -= 1
        random = getattr(fn, "random", False)
        dependent = self.dependent
        dep = random
        for r in refs:  # (a loop: a generator costs more on this hot path)
            if r.n in dependent:
                dep = True
                break
        # a result the trace already knows is one of the arguments (asarray, astype without a
        # copy): it shares their memory, so it is never "owned"
        fresh = self.ref(out) is None and getattr(out, "base", None) is None
        n = self._new_slot(out, dep)
        ins = Instr(fn, tuple(targs), tkw, n, refs, random)
        if guard:
            ins.keep = True
        if n in self.meta:  # an array
            ins.meta = (*self.meta[n], fresh)
        if ins.meta is None or not fresh:
            ins.sees = sharing(out, args, ins.args)
        if tkw or writes_first:
            self._writes(ins, ins.args[0] if writes_first else tkw.get("out"), dep)
        self.instrs.append(ins)
        return out

    def _writes(self, ins: Instr, target: Any, dep: bool) -> None:
        """Note the slot that ``ins`` writes into (``target``: its ``out=`` or first argument)."""
        if target.__class__ is tuple and len(target) == 1:
            target = target[0]
        if isinstance(target, Slot):
            ins.writes = target
            if dep:
                self.dependent.add(target.n)
        elif target is not None and is_array(target):
            self.fail("an operation wrote into an array minpy.jit does not follow")

    def made(self, array: Array) -> None:
        self.created.append(weakref.ref(array))

    def saw(self, array: Array) -> None:
        self.add_input(array, False)  # (nothing if the trace knows its buffer already)

    def host_read(self, array: Array, what: str) -> None:
        ref = self.ref(array._data)
        if ref is None or ref.n in self.dependent:
            self.fail(
                f"{what} of a value computed from the inputs (Python control flow or a host "
                "read would be fixed at its traced value)"
            )

    # --- what the recording dispatcher reports ---------------------------------------------
    def see(self, items: Any) -> None:
        """Take the Arrays inside a list or tuple argument that the trace has not seen yet
        as inputs (from outside the traced function)."""
        for a in items:
            cls = a.__class__
            if cls is Array:
                self.add_input(a, False)
            elif cls is list or cls is tuple:
                self.see(a)

    def check_shape(self, prim: Any, args: tuple[Any, ...]) -> None:
        name = prim.name
        if name in DATA_SHAPES or (name == "where" and len(args) == 1):
            self.fail(f"{name} gives a shape that depends on the values of its input")
        elif name == "getitem" and len(args) > 1 and _bool_key(args[1]):
            self.fail("boolean-mask indexing gives a shape that depends on the mask's values")
        elif name == "repeat" and len(args) > 1 and args[1].__class__ is Array:
            self.fail("repeat with an array of counts gives a shape that depends on its values")

    def account(self, prim: Any, r: Array, k: int | None, last: Instr | None) -> None:
        """An Array result ``r`` (item ``k``) whose buffer no recorded call returned
        (``last``: the instruction recorded last before the results were looked at)."""
        raw = r._data
        # a NumPy scalar result, made a 0-d array by the dispatcher after the backend call
        if last is not None and raw.ndim == 0:
            src: Slot = Slot(last.slot) if k is None else Item(last.slot, k)
            ins = Instr(_as_array, (src, r._device), {}, 0, [src])
            ins.slot = self._new_slot(raw, last.slot in self.dependent)
            ins.meta = (raw.shape, raw.dtype, True)
            self.instrs.append(ins)
            return
        self.fail(f"{prim.name} made an array that minpy.jit could not follow")


class _Held:
    """A strong reference that reads like a weak one (for objects that take none)."""

    __slots__ = ("x",)

    def __init__(self, x: Any) -> None:
        self.x = x

    def __call__(self) -> Any:
        return self.x


def _held(x: Any) -> Callable[[], Any]:
    """A weak reference to ``x``, or a strong one where its type takes no weak references."""
    try:
        return weakref.ref(x)
    except TypeError:
        return _Held(x)


def _constant(x: Any) -> Any:
    """A constant array of the traced call (folded away unless something writes into it)."""
    return x


def _as_array(x: Any, device: Any) -> Any:
    """A backend array of ``device`` holding the NumPy scalar ``x`` (as the dispatcher makes)."""
    if device.kind == "cpu":
        return numpy.asarray(x)
    return device.backend.asarray(x, device)


def _bool_key(key: Any) -> bool:
    items = key if key.__class__ is tuple else (key,)
    for k in items:
        if getattr(getattr(k, "dtype", None), "kind", None) == "b":
            return True
        if isinstance(k, list) and k and all(isinstance(v, bool) for v in k):
            return True
    return False


def install() -> None:
    """Put the recording dispatcher in place (counted: traces in several threads nest)."""
    global _installed
    with _install_lock:
        _installed += 1
        if _installed == 1:
            _primitive.set_dispatcher(_traced_dispatch)


def uninstall() -> None:
    global _installed
    with _install_lock:
        _installed -= 1
        if _installed == 0:
            _primitive.set_dispatcher(dispatch)
