"""The only places where data crosses between devices, each counted in the op statistics.

- ``adopt``: a host value (list, NumPy array) becomes a backend array on a device, as when a
  NumPy array meets a GPU Array in one call.
- ``move``: a backend array copied from one device to another (``Array.to_device`` wraps it
  and records ``TRANSFER`` on the tape).
- ``TRANSFER``: the tape's entry for a move, whose rule moves the gradient back.

The CPU fallback of the policy moves data too; its routes count those bytes themselves.
This module works on backend arrays only and knows nothing of Arrays or the tape's walk.
"""

from __future__ import annotations

from typing import Any

import numpy

from minpy import watch
from minpy.context import Device, cpu
from minpy.primitive import Primitive
from minpy.stats import counter

__all__ = ["TRANSFER", "adopt", "move"]

_CPU = cpu()


def adopt(value: Any, device: Device) -> Any:
    """A host value (list, NumPy array) as a backend array on ``device``; counted.

    Other values (numbers, backend arrays) are returned as they are.
    """
    if not isinstance(value, (list, tuple, numpy.ndarray, numpy.generic)):
        return value
    host = numpy.asarray(value)
    backend = device.backend
    c = counter("adopt", backend.name)
    c.calls += 1
    c.bytes_moved += host.nbytes
    return watch.run(backend.asarray, host, device)


def move(data: Any, src: Device, dst: Device) -> Any:
    """A copy of the backend array ``data`` of device ``src`` on device ``dst``; counted.

    Devices of one backend copy directly (GPU to GPU); others go through the host.
    """
    moved = watch.run(_move, data, src, dst)
    c = counter("to_device", dst.backend.name)
    c.calls += 1
    c.bytes_moved += data.nbytes
    return moved


def _move(data: Any, src: Device, dst: Device) -> Any:
    backend = dst.backend
    if src.kind == dst.kind and src.backend is backend and src.kind != "cpu":
        return backend.asarray(data, dst, copy=True)
    return backend.asarray(src.backend.to_host(data), dst, copy=True)


def _transfer_vjp(g: Any, ans: Any, x: Any, device: Device) -> Any:
    if isinstance(g, numpy.ndarray):  # raw host mode (minpy.backprop): g is cpu(0)'s NumPy
        return move(g, _CPU, x.device)
    return g.to_device(x.device)


#: never dispatched: the tape entry (and the rule) of ``Array.to_device``
TRANSFER = Primitive("to_device", impl=lambda x, device=None: x, register=False)
TRANSFER.defvjp(_transfer_vjp, keep="meta")
