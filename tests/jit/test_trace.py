"""minpy.jit.trace: what the tracer holds while it records (no temporary kept alive)."""

from __future__ import annotations

import weakref
from typing import Any

import numpy

import minpy
import minpy.numpy as np


def test_jit_tracing_keeps_no_dead_intermediate_alive(device: minpy.Device) -> None:
    # the tracer finds buffers by identity, but holds them weakly: a temporary the traced
    # code drops is freed at once, as eagerly (the tracing call's memory stays the eager one's)
    freed: list[bool] = []

    def f(x: Any) -> Any:
        y = np.tanh(x)
        buffer = weakref.ref(y._data)
        z = y * 2
        del y
        freed.append(buffer() is None)
        return z

    jitted = minpy.jit(f)
    x = np.ones((4, 3), ctx=device)
    for _ in range(2):  # a trace, then a replay
        numpy.testing.assert_array_equal(jitted(x).asnumpy(), f(x).asnumpy())
    assert freed == [True, True, True]  # the trace, and the two eager calls
    assert (jitted.traced, jitted.replayed) == (1, 1)


def test_jit_tracer_holds_what_takes_no_weak_reference_strongly() -> None:
    from minpy.jit import trace

    class Slotted:  # a backend array type without weak references (CuPy's take them)
        __slots__ = ("x",)

    a, b = numpy.ones(2), Slotted()
    assert trace._held(a)() is a and trace._held(b)() is b
    ref = trace._held(numpy.ones(2))
    assert ref() is None  # weakly held: gone with its last reference
