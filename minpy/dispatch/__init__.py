"""One primitive call: the device of its inputs, its route, the run, the result, the record.

``dispatch`` is installed as ``Primitive.__call__``, so ``np.exp(x)`` runs it directly:

1. the device: that of the Array inputs (two devices raise ``DeviceMismatchError``), else the
   current context (a ``device=``/``ctx=`` keyword chooses it for creation functions);
2. the route: ``minpy.policy.route`` (cached on the primitive) says which backend function
   runs the call, and whether inputs are adopted or the call falls back to the CPU;
3. the run, on the inputs' backend arrays; failures name the primitive;
4. the result wrapped as an Array on the device, linked to its base if it is a view
   (``minpy.inplace``), and recorded on the tape when an input is traced by an active
   ``grad`` (``minpy.record``).

Most of this is written out in ``dispatch`` itself, because it runs for every operation; the
rarer cases (``out=``, ``device=``, Arrays inside lists or keywords) take
``_dispatch_general``. In the raw host mode of a backward pass (``RAW_HOST`` on the context
stack; see ``minpy.backprop``), calls with no Array inputs run on NumPy arrays and return them.

``minpy.dispatch.policy`` is MinPy's module of the policies (``minpy.policy`` re-exported under
MinPy's names, with ``AutoBlacklistPolicy``); nothing here depends on it.
"""

from __future__ import annotations

from typing import Any

import numpy

from minpy import policy as _policy
from minpy import primitive as _primitive
from minpy.array import Array, wrap
from minpy.backends import Backend
from minpy.context import Device, as_device, cpu, current_context
from minpy.errors import DeviceMismatchError, GradientError
from minpy.inplace import SCALAR, assign, cast_for_out, note_function_view, writes_in_place
from minpy.primitive import Primitive, registry
from minpy.record import record, record_hidden
from minpy.tape import active_mask

__all__ = ["RAW_HOST", "RawHostMode", "dispatch", "run_raw"]

_CPU = cpu()
_new = object.__new__
_override = _policy.policy_override.get  # the ContextVar never changes; its value does


class RawHostMode:
    """Stands on the context stack while a backward pass runs rules on NumPy arrays.

    It is the current context only there (``minpy.backprop``), and prints as the device it
    stands for, ``cpu(0)``.
    """

    def __repr__(self) -> str:
        return "cpu(0)"


#: primitives called with no Array inputs under this context take and return NumPy arrays
RAW_HOST: Any = RawHostMode()


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
            device = current_context()
            if device is RAW_HOST:
                return run_raw(prim, args, kwargs)
        cache = prim.route_cache  # the cache check of minpy.policy.route, inlined
        if cache[1] is device and cache[0] is (_override() or _policy.global_policy):
            route = cache[2]
        else:
            route = _policy.route(prim, device)
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
        res = _new(Array)  # minpy.array.wrap, inlined
        if out.__class__ is route.array_type:
            res._state = None
        else:  # NumPy gave a scalar: immutable, so an in-place operator rebinds it
            out = numpy.asarray(out)
            res._state = SCALAR
        res._data = out
        res._device = device
        res._node = None
    else:
        res = _wrap_result(out, device)
    if prim.view and res.__class__ is Array and args and args[0].__class__ is Array:
        note_function_view(args[0], res, prim, args[1:], kwargs)
    if mask and mask & active_mask():
        record(prim, args, kwargs, res, mask)
    return res


_primitive.set_dispatcher(dispatch)


def run_raw(prim: Primitive, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A call from a rule in a CPU backward pass that records nothing: NumPy in, NumPy out."""
    cache = prim.route_cache  # as in dispatch: rules call primitives often enough to inline it
    if cache[1] is _CPU and cache[0] is (_override() or _policy.global_policy):
        route = cache[2]
    else:
        route = _policy.route(prim, _CPU)
    route.calls += 1
    out = route.fn(*args, **kwargs) if kwargs else route.fn(*args)
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
            if v._node is not None and v._node.mask & active_mask():
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
        want = as_device(want)
        device = _join(prim, device, want)
    if device is None:
        device = current_context()
    if device is RAW_HOST or (want is _CPU and current_context() is RAW_HOST):
        return run_raw(prim, args, kwargs)
    route = _policy.route(prim, device)
    route.calls += 1
    traced = bool(mask and mask & active_mask())
    if out is not None and out.__class__ is not Array:
        raise TypeError(f"{prim.name}: out= must be a minpy Array, got {type(out).__name__}")
    if out is not None and out._device is not device:
        raise _mismatch(prim, device, out._device)
    if out is not None and not traced and writes_in_place(out) and route.fn is not None:
        kw = dict(kwargs, out=out._data)
        if route.plain:
            route.fn(*[a._data if a.__class__ is Array else a for a in args], **kw)
        else:
            route.call(args, kw)
        return out
    # an elementwise ufunc leaves out= as it was where its where= mask is False: computed
    # without out= (NumPy leaves those entries uninitialized), out's are put in below, traced
    where = kwargs.get("where", True) if prim.keyword_form is not None else True
    call_kwargs = kwargs if out is None or where is True else dict(kwargs, out=None)
    if route.plain:
        raw_out = route.fn(*[a._data if a.__class__ is Array else a for a in args], **call_kwargs)  # type: ignore[misc]
    else:
        raw_out = route.call(args, call_kwargs)
    res = _wrap_result(raw_out, device)
    if prim.view and res.__class__ is Array and args and args[0].__class__ is Array:
        note_function_view(args[0], res, prim, args[1:], kwargs)
    if traced:
        record(prim, args, kwargs, res, mask)
    if hidden:
        record_hidden(prim, hidden, res)
    if out is None:
        return res
    value = cast_for_out(prim, res, out)
    if where is not True:
        value = registry["where"](where, value, out)
    assign(out, value, prim.name)
    return out


def _stacked(a: Any) -> Any:
    """An argument that is a list holding Arrays, stacked (differentiably) into one Array, as
    NumPy would make one array of it; host items are adopted by the Arrays' device."""
    if a.__class__ in (list, tuple) and _holds_array(a):
        items = [x if x.__class__ is Array else _stacked(x) for x in a]
        return registry["stack"](*[x if x.__class__ is Array else numpy.asarray(x) for x in items])
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
                    if x._node is not None and x._node.mask & active_mask():
                        hidden.append(x)
                    x = x._data
                items.append(x)
            a = type(a)(items) if isinstance(a, list) else tuple(items)
        new.append(a)
    return tuple(new), device
