"""The seam through which ``minpy.jit`` watches a call being traced. Imports nothing of numpy.

Most work reaches the backends through a primitive's route, which the jit tracer records by
policy. The few places that make or write backend arrays without a primitive (copy-on-write
copies, in-place writes, transfers, random draws, seeds, arrays made from host data) run their
backend call through ``run``, and the conversions of an Array to a Python or host value report
through ``host_read``; both do nothing but the call itself unless a tracer is active on this
thread. ``tracer`` is that tracer (``minpy.jit.trace.Tracer``) or None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["active", "guard", "host_read", "made", "run", "saw", "tracer", "write"]

#: the jit tracer of the call being traced (at most one in the process), or None
tracer: Any = None


def active() -> bool:
    """Whether the current thread is being traced by ``minpy.jit``."""
    t = tracer
    return t is not None and t.on_this_thread()


def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, recorded as one step of the program being traced (if any)."""
    t = tracer
    if t is None or not t.on_this_thread():
        return fn(*args, **kwargs)
    return t.call(fn, args, kwargs)


def write(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, a call that writes into its first argument, recorded."""
    t = tracer
    if t is None or not t.on_this_thread():
        return fn(*args, **kwargs)
    return t.call(fn, args, kwargs, writes_first=True)


def guard(fn: Callable[..., Any], *args: Any) -> None:
    """Run the check ``fn(*args)`` (on backend arrays; it raises on bad values) and have every
    replay of a traced call run it again, instead of reading the values into Python."""
    t = tracer
    if t is None or not t.on_this_thread():
        fn(*args)
        return
    t.call(fn, args, {}, guard=True)


def made(array: Any) -> None:
    """Report an Array made outside a primitive (from host data), so that it is not taken for
    one the traced function reads from outside."""
    t = tracer
    if t is not None and t.on_this_thread():
        t.made(array)


def host_read(array: Any, what: str) -> None:
    """Report that ``array``'s values are read into Python or host memory (``float(x)``)."""
    t = tracer
    if t is not None and t.on_this_thread():
        t.host_read(array, what)


def saw(array: Any) -> None:
    """Report an Array whose backend array is used outside a primitive's arguments (an index)."""
    t = tracer
    if t is not None and t.on_this_thread():
        t.saw(array)
