"""The backend protocol and registry.

A backend is one array library (NumPy, CuPy) seen through a small interface: which function
implements a primitive, how values move to and from the host, how to wait for a device, and
where its random numbers come from. Backends are created lazily by kind, so importing minpy
never imports CuPy. Nothing here imports an array library; ``minpy.context`` registers the
two real backends (``cpu``: NumPy, ``gpu``: CuPy).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from minpy.errors import BackendUnavailableError

__all__ = [
    "Backend",
    "DeviceLike",
    "MemoryInfo",
    "available",
    "get_backend",
    "has_int_index",
    "register_backend",
]


class DeviceLike(Protocol):
    """What a backend knows of a device (``minpy.context.Device`` is the real one)."""

    kind: str
    index: int


class MemoryInfo(NamedTuple):
    """What CuPy's memory pool holds on one device, and what the device itself has free."""

    used_bytes: int  #: bytes in arrays that are alive
    cached_bytes: int  #: bytes the pool keeps for reuse (freed arrays), not yet returned
    pool_bytes: int  #: used_bytes + cached_bytes
    free_blocks: int  #: number of cached blocks
    device_free_bytes: int  #: free memory on the device as CUDA reports it
    device_total_bytes: int  #: the device's total memory


def has_int_index(key: Any) -> bool:
    """Whether an index holds an integer array or list (advanced indexing that may repeat)."""
    items = key if isinstance(key, tuple) else (key,)
    for k in items:
        kind = getattr(getattr(k, "dtype", None), "kind", None)
        if kind in ("i", "u") or (
            isinstance(k, list) and not (k and all(isinstance(v, bool) for v in k))
        ):
            return True
    return False


class Backend:
    """Base class of the backends; subclasses set ``name``, ``kind``, ``xp`` and ``array_type``.

    ``overrides`` maps a primitive name to a function that replaces the array module's function
    of the same name on this backend; only real differences between libraries belong there.
    """

    name: str = "abstract"
    kind: str = "abstract"
    xp: Any = None
    array_type: type = object
    overrides: dict[str, Callable[..., Any]] = {}
    #: a backend whose arrays live in host memory needs no copy to reach NumPy
    on_host: bool = False

    def __init__(self) -> None:
        self._missing: set[str] = set()

    # availability ---------------------------------------------------------------------------
    def available(self) -> tuple[bool, str]:
        """``(True, "")`` when usable, else ``(False, why and how to fix it)``."""
        return True, ""

    def device_count(self) -> int:
        """How many devices of this kind exist."""
        return 1

    def check_device(self, index: int) -> None:
        """Raise ``BackendUnavailableError`` unless device ``index`` is usable."""
        ok, why = self.available()
        if not ok:
            raise BackendUnavailableError(why)
        n = self.device_count()
        if not 0 <= index < n:
            raise BackendUnavailableError(
                f"{self.kind}({index}) does not exist: this machine has {n} {self.kind} "
                f"device(s); use an index in range({n})"
            )

    # primitives -----------------------------------------------------------------------------
    def implementation(
        self, name: str, default: Callable[..., Any] | None
    ) -> Callable[..., Any] | None:
        """The function that runs primitive ``name`` here, or None if this backend lacks it.

        Lookup order: this backend's override, the primitive's own generic implementation,
        then the array module's function of the same (possibly dotted) name.
        """
        if name in self._missing:
            return None
        fn = self.overrides.get(name)
        if fn is not None:
            return fn
        if default is not None:
            return default
        obj: Any = self.xp
        if name.startswith("scipy."):  # minpy.scipy: the backend's SciPy-like library
            module, _, name = name.rpartition(".")
            obj = self.scipy_module(module)
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj if callable(obj) else None

    def scipy_module(self, name: str) -> Any:
        """This backend's module for SciPy's ``name`` (``"scipy.special"``), or None if absent.

        The CPU backend imports SciPy's own (``minpy[scipy]``); the CuPy backend overrides this
        with ``cupyx.scipy``'s.
        """
        try:
            return importlib.import_module(name)
        except ImportError:
            return None

    # data movement --------------------------------------------------------------------------
    def asarray(self, value: Any, device: DeviceLike, dtype: Any = None, copy: bool = False) -> Any:
        """``value`` (a host value, host array, or this backend's array) on ``device``.

        With ``copy`` the result never shares memory with ``value``.
        """
        raise NotImplementedError

    def to_host(self, data: Any) -> Any:
        """A NumPy array with the contents of this backend's array ``data``."""
        raise NotImplementedError

    def write(self, data: Any, key: Any, value: Any) -> None:
        """``data[key] = value`` in place, with NumPy's semantics (the last repeated index wins)."""
        data[key] = value

    def is_array(self, value: Any) -> bool:
        """Whether ``value`` is one of this backend's arrays."""
        return isinstance(value, self.array_type)

    def scope(self, device: DeviceLike) -> Any:
        """A context manager that makes ``device`` current for the library, or None."""
        return None

    def translate_error(self, exc: Exception, device: DeviceLike) -> Exception | None:
        """A clearer exception to raise instead of ``exc`` (e.g. out of memory), or None."""
        return None

    def synchronize(self, device: DeviceLike) -> None:
        """Block until the device has finished its queued work."""

    def fuse(self, fn: Callable[..., Any], name: str) -> Callable[..., Any] | None:
        """``fn`` (a function of elementwise calls) compiled into one kernel, or None where the
        backend cannot fuse. Used by ``minpy.jit``."""
        return None

    def capture_graph(self, device: DeviceLike, fn: Callable[[], Any]) -> tuple[Any, Any] | None:
        """``(graph, fn())`` with ``fn``'s device work captured as one graph (``graph.launch()``
        runs it again on the same buffers), or None where the backend has no graphs. Used by
        ``minpy.jit``; raises if ``fn`` does something a graph cannot hold."""
        return None

    def memory_info(self, device: DeviceLike) -> MemoryInfo:
        """What the memory pool of ``device`` holds (backends with a pool: CuPy)."""
        raise BackendUnavailableError(
            f"the {self.kind} kind is served by {self!r}, not CuPy; it has no CuPy memory pool"
        )

    def free_memory(self, device: DeviceLike) -> int:
        """Give the cached blocks of the pool of ``device`` back; the bytes released."""
        raise BackendUnavailableError(
            f"the {self.kind} kind is served by {self!r}, not CuPy; it has no CuPy memory pool"
        )

    def random(self, device: DeviceLike) -> Any:
        """The random generator of ``device`` (a ``RandomState``-like object)."""
        raise NotImplementedError

    def seed(self, device: DeviceLike, seed: int | None) -> None:
        """Reseed the random generator of ``device``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


_factories: dict[str, Callable[[], Backend]] = {}
_instances: dict[str, Backend] = {}
_lock = threading.Lock()


def register_backend(kind: str, factory: Callable[[], Backend]) -> None:
    """Make devices of ``kind`` use the backend that ``factory()`` builds (on first use)."""
    with _lock:
        _factories[kind] = factory
        _instances.pop(kind, None)


def get_backend(kind: str) -> Backend:
    """The backend for devices of ``kind`` (``"cpu"``, ``"gpu"``, ...)."""
    b = _instances.get(kind)
    if b is not None:
        return b
    with _lock:
        b = _instances.get(kind)
        if b is None:
            factory = _factories.get(kind)
            if factory is None:
                known = ", ".join(sorted(_factories))
                raise ValueError(
                    f"unknown device kind {kind!r}; known kinds are {known}; "
                    "use minpy.cpu() or minpy.gpu(i)"
                )
            b = _instances[kind] = factory()
    return b


def available(kind: str) -> tuple[bool, str]:
    """Whether devices of ``kind`` can be used here, and if not, why."""
    try:
        return get_backend(kind).available()
    except ValueError as exc:
        return False, str(exc)
