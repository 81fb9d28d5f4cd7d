"""Devices and the current context.

``cpu()`` and ``gpu(i)`` name devices; ``set_context`` sets the process-wide default and
``with device:`` overrides it for the current thread or task (through ``contextvars``).
Devices know their backend by kind; no array library is imported here. A device's memory
(``gpu_memory``, ``free_gpu_memory``) is asked of its backend.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any

from minpy.backends import Backend, MemoryInfo, get_backend, register_backend
from minpy.backends.cupy import CupyBackend
from minpy.backends.numpy import NumpyBackend

__all__ = [
    "Context",
    "Device",
    "as_device",
    "cpu",
    "current_context",
    "forget_backend",
    "free_gpu_memory",
    "gpu",
    "gpu_memory",
    "push_context",
    "reset_context",
    "set_context",
]


# each kind of device and the backend that holds its arrays, made on first use
register_backend("cpu", NumpyBackend)
register_backend("gpu", CupyBackend)


class _DefaultContext:
    """MinPy's class attribute ``Context.default_ctx``, read as ``current_context()``."""

    def __get__(self, obj: object, owner: type | None = None) -> Device:
        return current_context()


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
    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned"}  # MinPy's (MXNet's) type ids
    devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3}
    default_ctx = _DefaultContext()  # set it with set_context
    _interned: dict[tuple[str, int], Device] = {}
    _lock = threading.Lock()

    kind: str
    index: int
    _backend: Backend | None

    def __new__(cls, kind: str | Device, index: int = 0) -> Device:
        if isinstance(kind, Device):  # MinPy's copy-construction, Context(ctx)
            return kind
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
        """The backend that holds this device's arrays.

        Raises
        ------
        BackendUnavailableError
            The device cannot be used here (``gpu(0)`` without CuPy, say); the message says
            why and how to fix it.
        """
        b = self._backend
        if b is None:
            b = get_backend(self.kind)
            if self.kind != "cpu":
                b.check_device(self.index)
            self._backend = b
        return b

    @property
    def device_type(self) -> str:
        """MinPy's name for the kind: ``'cpu'`` or ``'gpu'``."""
        return self.kind

    @property
    def device_id(self) -> int:
        """MinPy's name for the index."""
        return self.index

    @property
    def device_typeid(self) -> int:
        """MinPy's numeric kind: 1 for ``'cpu'``, 2 for ``'gpu'``, 3 for ``'cpu_pinned'``."""
        return self.devstr2type[self.kind]

    def synchronize(self) -> None:
        """Wait until all work queued on this device has finished."""
        self.backend.synchronize(self)

    def __repr__(self) -> str:
        return f"{self.kind}({self.index})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Device, (self.kind, self.index))

    def __enter__(self) -> Device:
        push_context(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _stack.set(_stack.get()[:-1])


Context = Device  # MinPy's name for the same thing

_CPU = Device("cpu", 0)
_default: Device = _CPU
_stack: contextvars.ContextVar[tuple[Device, ...]] = contextvars.ContextVar(
    "minpy_device_stack", default=()
)


def cpu(index: int = 0, *, device_id: int | None = None) -> Device:
    """The host CPU, where arrays are NumPy arrays (``device_id`` is MinPy's name for ``index``).

    Examples
    --------
    >>> import minpy
    >>> minpy.cpu()
    cpu(0)
    """
    index = index if device_id is None else device_id
    if index != 0:
        raise ValueError(f"there is one CPU device, cpu(0); got cpu({index!r}); use minpy.cpu()")
    return _CPU


def gpu(index: int = 0, *, device_id: int | None = None) -> Device:
    """The NVIDIA GPU number ``index`` (MinPy's ``device_id``), where arrays are CuPy arrays.

    It is a name, as in MinPy (``set_context(gpu(0))`` at the top of a script works
    anywhere); the device is checked when it is first used.

    Raises
    ------
    BackendUnavailableError
        At the first use of the device, not here: CuPy is not installed, sees no CUDA device,
        or ``index`` is out of range. The message says which and how to fix it.

    Examples
    --------
    >>> import minpy
    >>> minpy.gpu(1).device_type, minpy.gpu(1).device_id
    ('gpu', 1)
    """
    index = index if device_id is None else device_id
    return Device("gpu", index)  # a descriptor, as MinPy's: using it checks (Device.backend)


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


def forget_backend(kind: str) -> None:
    """Make the devices of ``kind`` look their backend up again (after it was replaced)."""
    for dev in list(Device._interned.values()):
        if dev.kind == kind:
            dev._backend = None


def push_context(device: Any) -> contextvars.Token[tuple[Any, ...]]:
    """Make ``device`` the current context of this thread or task until ``reset_context``.

    ``with device:`` does this; the backward pass also pushes its raw host mode here.
    """
    return _stack.set((*_stack.get(), device))


def reset_context(token: contextvars.Token[tuple[Any, ...]]) -> None:
    """Undo the ``push_context`` that returned ``token``."""
    _stack.reset(token)


def as_device(value: Any) -> Device:
    """``value`` as a Device: a Device, or a string such as ``"cpu"``, ``"gpu:1"``, ``"cuda"``.

    Examples
    --------
    >>> from minpy.context import as_device
    >>> as_device("cpu")
    cpu(0)
    """
    if isinstance(value, Device):
        return value
    if isinstance(value, str):
        kind, colon, index = value.partition(":")
        if kind in ("cpu", "gpu", "cuda"):
            if colon and not (index.isascii() and index.isdigit()):
                raise ValueError(
                    f"device={value!r}: the index after ':' must be a non-negative integer; "
                    f"write e.g. '{kind}:0'"
                )
            i = int(index) if colon else 0
            return cpu(i) if kind == "cpu" else gpu(i)
    raise ValueError(f"device={value!r} is not a device; use minpy.cpu() or minpy.gpu(0)")


def _gpu_device(device: Device | int | None) -> Device:
    if device is None:
        cur = current_context()
        return cur if cur.kind == "gpu" else gpu(0)
    if isinstance(device, Device):
        if device.kind != "gpu":
            raise ValueError(
                f"the GPU memory pool belongs to gpu(i) devices, got {device!r}; "
                "pass minpy.gpu(i) or an index"
            )
        return gpu(device.index)
    return gpu(device)


def gpu_memory(device: Device | int | None = None) -> MemoryInfo:
    """What CuPy's memory pool holds on a GPU: bytes in use, cached free bytes and blocks.

    CuPy keeps freed GPU memory in a pool for reuse, so ``nvidia-smi`` shows more in use than
    live arrays need; ``cached_bytes`` is that difference. Also available as
    ``minpy.gpu_memory``.

    Parameters
    ----------
    device
        ``minpy.gpu(i)``, an index ``i``, or None for the current context when it is a GPU
        (else ``gpu(0)``).

    Returns
    -------
    MemoryInfo
        ``used_bytes``, ``cached_bytes``, ``pool_bytes``, ``free_blocks``,
        ``device_free_bytes``, ``device_total_bytes``.

    Raises
    ------
    BackendUnavailableError
        No CuPy, no CUDA device, or no such index; the message says which.

    Examples
    --------
    >>> import minpy
    >>> ok, why = minpy.backends.available("gpu")
    >>> info = minpy.gpu_memory() if ok else None
    >>> ok == (info is not None)
    True
    """
    dev = _gpu_device(device)
    return dev.backend.memory_info(dev)


def free_gpu_memory(device: Device | int | None = None) -> int:
    """Return the cached free blocks of CuPy's pool on a GPU to the driver.

    Arrays still in use are untouched. Useful before handing the GPU to another library, or
    after an out-of-memory error caused by fragmentation. Also available as
    ``minpy.free_gpu_memory``.

    Parameters
    ----------
    device
        ``minpy.gpu(i)``, an index ``i``, or None for the current context when it is a GPU
        (else ``gpu(0)``).

    Returns
    -------
    int
        How many bytes the pool released.

    Raises
    ------
    BackendUnavailableError
        No CuPy, no CUDA device, or no such index.

    Examples
    --------
    >>> import minpy
    >>> ok, why = minpy.backends.available("gpu")
    >>> released = minpy.free_gpu_memory() if ok else 0
    >>> released >= 0
    True
    """
    dev = _gpu_device(device)
    return dev.backend.free_memory(dev)
