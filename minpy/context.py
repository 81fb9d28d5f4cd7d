"""Devices and the current context.

``cpu()`` and ``gpu(i)`` name devices; ``set_context`` sets the process-wide default and
``with device:`` overrides it for the current thread or task (through ``contextvars``).
Devices know their backend by kind; no array library is imported here.
"""

from __future__ import annotations

import contextvars
import threading
from typing import TYPE_CHECKING, Any

from minpy.backends import get_backend

if TYPE_CHECKING:
    from minpy.backends import Backend

__all__ = ["Context", "Device", "cpu", "current_context", "gpu", "set_context"]


class Device:
    """One device: a backend kind (``"cpu"``, ``"gpu"``, ...) and an index.

    Devices are interned, so ``cpu() is cpu(0)``. A device is also a context manager that makes
    itself the current context inside the block.

    Examples
    --------
    >>> import minpy
    >>> minpy.cpu()
    cpu(0)
    >>> with minpy.cpu():
    ...     minpy.current_context()
    cpu(0)
    """

    __slots__ = ("__weakref__", "_backend", "index", "kind")
    _interned: dict[tuple[str, int], Device] = {}
    _lock = threading.Lock()

    kind: str
    index: int
    _backend: Backend | None

    def __new__(cls, kind: str, index: int = 0) -> Device:
        key = (kind, index)
        dev = cls._interned.get(key)
        if dev is None:
            if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                raise ValueError(
                    f"device index must be a non-negative int, got {index!r}; use e.g. {kind}(0)"
                )
            with cls._lock:
                dev = cls._interned.get(key)
                if dev is None:
                    dev = object.__new__(cls)
                    dev.kind = kind
                    dev.index = index
                    dev._backend = None
                    cls._interned[key] = dev
        return dev

    @property
    def backend(self) -> Backend:
        """The backend that holds this device's arrays."""
        b = self._backend
        if b is None:
            b = self._backend = get_backend(self.kind)
        return b

    def synchronize(self) -> None:
        """Wait until all work queued on this device has finished."""
        self.backend.synchronize(self)

    def __repr__(self) -> str:
        return f"{self.kind}({self.index})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Device, (self.kind, self.index))

    def __enter__(self) -> Device:
        _stack.set((*_stack.get(), self))
        return self

    def __exit__(self, *exc: object) -> None:
        _stack.set(_stack.get()[:-1])


Context = Device  # MinPy's name for the same thing

_CPU = Device("cpu", 0)
_default: Device = _CPU
_stack: contextvars.ContextVar[tuple[Device, ...]] = contextvars.ContextVar(
    "minpy_device_stack", default=()
)


def cpu(index: int = 0) -> Device:
    """The host CPU, where arrays are NumPy arrays.

    Examples
    --------
    >>> import minpy
    >>> minpy.cpu()
    cpu(0)
    """
    if index != 0:
        raise ValueError(f"there is one CPU device, cpu(0); got cpu({index!r}); use minpy.cpu()")
    return _CPU


def gpu(index: int = 0) -> Device:
    """The NVIDIA GPU number ``index``, where arrays are CuPy arrays.

    Raises
    ------
    BackendUnavailableError
        CuPy is not installed, no CUDA device is present, or ``index`` is out of range; the
        message says which and how to fix it.
    """
    backend = get_backend("gpu")
    backend.check_device(index)
    return Device("gpu", index)


def current_context() -> Device:
    """The device new arrays go to: the innermost ``with device:`` block, else the default.

    Examples
    --------
    >>> import minpy
    >>> minpy.current_context()
    cpu(0)
    """
    stack = _stack.get()
    return stack[-1] if stack else _default


def set_context(device: Device) -> None:
    """Make ``device`` the process-wide default context (MinPy's ``set_context``).

    Examples
    --------
    >>> import minpy
    >>> minpy.set_context(minpy.cpu())
    """
    global _default
    if not isinstance(device, Device):
        raise TypeError(
            f"set_context expects a device such as minpy.cpu() or minpy.gpu(0), got {device!r}"
        )
    _default = device
