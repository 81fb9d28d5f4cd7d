"""The CuPy backend: arrays of ``gpu(i)`` are ``cupy.ndarray`` on CUDA device ``i``.

This is the only module in minpy that imports CuPy, and it does so lazily: on the first call
that needs it (``minpy.gpu(0)``, ``minpy.backends.available("gpu")``), never at
``import minpy``. What lives here:

- ``CupyBackend``: availability with a reason, device scope (every operation on ``gpu(i)`` runs
  with CUDA device ``i`` current), host<->device and device<->device copies, ``synchronize``,
  one random generator per device, and the translation of CuPy's out-of-memory error into
  ``minpy.OutOfMemoryError``;
- the overrides for the few primitives whose CuPy behaviour differs from NumPy's
  (``scatter_add``; ``setitem`` and in-place writes, where CuPy leaves repeated indices
  undefined and NumPy lets the last one win; ``tensordot`` of a 0-d operand; ``cholesky``'s
  ``upper=``);
- the memory pool's queries behind ``minpy.gpu_memory`` and ``minpy.free_gpu_memory``.

Gradient rules never live here: they are written once, in minpy operations, in
``minpy.numpy.vjps``.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable
from typing import Any

from minpy.backends import Backend, DeviceLike, MemoryInfo, has_int_index
from minpy.backends.cupy_random import CupyRandomState
from minpy.errors import BackendUnavailableError, OutOfMemoryError

__all__ = ["CupyBackend", "MemoryInfo"]

INSTALL_HINT = 'pip install "minpy[cuda12]" (CUDA 12) or pip install "minpy[cuda13]" (CUDA 13)'


def _import_cupy() -> Any:
    """Import and return the ``cupy`` module (raises ImportError when it is missing)."""
    import cupy

    return cupy


class _NoArray:
    """Stands in for ``cupy.ndarray`` while CuPy is not importable (matches nothing)."""


# --------------------------------------------------------------------------------------------
# overrides: only where CuPy really differs from NumPy

# dtypes CuPy's scatter-add (CUDA atomicAdd) supports: int32, uint32, uint64, float16/32/64
_SCATTER_DTYPES = frozenset("iILQefd")


def _scatter_add(shape: tuple[int, ...], key: Any, g: Any) -> Any:
    import cupy

    if g.dtype.kind == "c":
        # atomicAdd has no complex type: add the real and imaginary parts separately
        re = _scatter_add(shape, key, g.real)
        im = _scatter_add(shape, key, g.imag)
        return (re + 1j * im).astype(g.dtype, copy=False)
    if g.dtype.char not in _SCATTER_DTYPES:
        raise NotImplementedError(
            f"scatter_add: CuPy cannot scatter-add dtype {g.dtype.name!r} on the GPU"
        )
    out = cupy.zeros(shape, dtype=g.dtype)
    add_at = getattr(cupy.add, "at", None)  # CuPy >= 13; cupyx.scatter_add is deprecated there
    if add_at is not None:
        add_at(out, key, g)
    else:
        import cupyx

        cupyx.scatter_add(out, key, g)
    return out


def write_last_wins(xp: Any, data: Any, key: Any, value: Any) -> None:
    """``data[key] = value`` where the last of repeated indices wins, as in NumPy.

    CuPy writes repeated advanced indices in parallel, so which value lands is undefined there.
    Here the flat positions that ``key`` selects are deduplicated first, keeping each one's
    last write, and only those are assigned. ``xp`` is the array module (tests pass NumPy).
    """
    if isinstance(value, (list, tuple)):
        value = xp.asarray(value)
    if not has_int_index(key) or data.size == 0 or not _repeats(xp, data.shape, key):
        data[key] = value
        return
    pos = xp.arange(data.size).reshape(data.shape)[key]
    vals = xp.broadcast_to(xp.asarray(value), pos.shape).ravel()
    pos = pos.ravel()
    if pos.size > 1:
        _, first_of_reversed = xp.unique(pos[::-1], return_index=True)
        last = pos.size - 1 - first_of_reversed
        pos, vals = pos[last], vals[last]
    data[xp.unravel_index(pos, data.shape)] = vals


def _repeats(xp: Any, shape: tuple[int, ...], key: Any) -> bool:
    """Whether the integer arrays in ``key`` select some position more than once.

    Looks only at the index arrays (their broadcast size), never at the whole target array,
    so the common write without repeats costs no more than a look at its indices.
    """
    items = [
        xp.asarray(k) if isinstance(k, list) else k
        for k in (key if isinstance(key, tuple) else (key,))
    ]

    def width(k: Any) -> int:
        if k is None or k is Ellipsis:
            return 0
        return k.ndim if getattr(getattr(k, "dtype", None), "kind", None) == "b" else 1

    free = len(shape) - sum(width(k) for k in items)
    dim = 0
    sizes: list[int] = []
    arrays: list[Any] = []
    for k in items:
        kind = getattr(getattr(k, "dtype", None), "kind", None)
        if k is Ellipsis:
            dim += free
        elif kind == "b":
            for a in xp.nonzero(k):
                arrays.append(a)
                sizes.append(shape[dim])
                dim += 1
        elif kind in ("i", "u"):
            arrays.append(k % shape[dim])  # negative indices as NumPy reads them
            sizes.append(shape[dim])
            dim += 1
        elif k is not None:
            dim += 1  # an int or a slice
    flat = xp.ravel_multi_index(
        tuple(a.ravel() for a in xp.broadcast_arrays(*arrays)), tuple(sizes)
    )
    return bool(xp.unique(flat).size != flat.size)


_UFUNC_METHODS = frozenset({"reduce", "accumulate", "reduceat", "outer", "at"})


def _unsupported_as_missing(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A CuPy ufunc method whose TypeError (an argument or dtype CuPy does not support, such
    as ``initial=`` or ``subtract.at`` on floats) becomes NotImplementedError: the policy
    then runs NumPy's on the host, which either computes it or raises NumPy's own error."""

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError as exc:
            raise NotImplementedError(str(exc)) from exc

    return run


def _setitem(x: Any, key: Any, value: Any) -> Any:
    import cupy

    y = x.copy()
    write_last_wins(cupy, y, key, value)
    return y


def _cholesky(a: Any, upper: bool = False) -> Any:
    import cupy

    # CuPy's cholesky has no upper= (NumPy 2): the upper factor is the lower one's adjoint
    low = cupy.linalg.cholesky(a)
    return low.swapaxes(-1, -2).conj() if upper else low


def _tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    import cupy

    # CuPy accepts a 0-d operand only with axes 0 or ((), ()); NumPy also takes ([], [])
    if isinstance(axes, (list, tuple)):
        axes = tuple(tuple(ax) if isinstance(ax, (list, tuple)) else ax for ax in axes)
    return cupy.tensordot(a, b, axes=axes)


# --------------------------------------------------------------------------------------------
# device scope


class _DeviceScope:
    """Makes CUDA device ``index`` current inside a with-block; re-entrant, per thread."""

    __slots__ = ("_local", "_runtime", "index")

    def __init__(self, index: int, runtime: Any) -> None:
        self.index = index
        self._runtime = runtime
        self._local = threading.local()

    def __enter__(self) -> _DeviceScope:
        prev = self._runtime.getDevice()
        if prev != self.index:
            self._runtime.setDevice(self.index)
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        stack.append(prev)
        return self

    def __exit__(self, *exc: object) -> None:
        prev = self._local.stack.pop()
        if prev != self.index:
            self._runtime.setDevice(prev)


# --------------------------------------------------------------------------------------------
# the backend


class _CudaGraph:
    """A captured CUDA graph and the stream it runs on (``CupyBackend.capture_graph``)."""

    def __init__(self, cupy: Any, graph: Any, stream: Any, scope: Any) -> None:
        self.cupy = cupy
        self.graph = graph
        self.stream = stream
        self.scope = scope

    def launch(self) -> None:
        cuda = self.cupy.cuda
        with self.scope if self.scope is not None else contextlib.nullcontext():
            current = cuda.get_current_stream()
            self.stream.wait_event(current.record())
            self.graph.launch(stream=self.stream)
            current.wait_event(self.stream.record())


class CupyBackend(Backend):
    """Arrays in GPU memory, computed by CuPy; one ``Device`` per CUDA device."""

    name = "cupy"
    kind = "gpu"
    on_host = False
    overrides = {
        "scatter_add": _scatter_add,
        "setitem": _setitem,
        "tensordot": _tensordot,
        "linalg.cholesky": _cholesky,
    }

    def __init__(self) -> None:
        super().__init__()
        self._status: tuple[bool, str] | None = None
        self._count = 0
        self._scopes: dict[int, Any] = {}
        self._random: dict[int, CupyRandomState] = {}
        self._lock = threading.Lock()
        try:
            cupy = _import_cupy()
        except ImportError as exc:
            self._import_error: str | None = str(exc) or type(exc).__name__
            self.xp = None
            self.array_type = _NoArray
        else:
            self._import_error = None
            self.xp = cupy
            self.array_type = cupy.ndarray

    # availability ---------------------------------------------------------------------------
    def available(self) -> tuple[bool, str]:
        """``(True, "")`` when CuPy imports and sees a CUDA device, else why not and the fix.

        Examples
        --------
        >>> from minpy.backends import get_backend
        >>> ok, why = get_backend("gpu").available()
        >>> ok or "gpu" in why
        True
        """
        status = self._status
        if status is None:
            status = self._status = self._probe()
        return status

    def _probe(self) -> tuple[bool, str]:
        if self._import_error is not None:
            return False, (
                f"gpu(0) needs CuPy, which is not installed ({self._import_error}); {INSTALL_HINT}"
            )
        cupy = self.xp
        try:
            n = int(cupy.cuda.runtime.getDeviceCount())
        except Exception as exc:  # CUDARuntimeError: no driver, driver too old, no device
            return False, (
                f"gpu(0) needs a CUDA device, but CuPy {cupy.__version__} cannot use one: "
                f"{exc}; check that `nvidia-smi` lists a GPU and that the NVIDIA driver supports "
                f"CUDA {_cuda_version(_safe(cupy.cuda.runtime.runtimeGetVersion))}, "
                "or use minpy.cpu()"
            )
        if n < 1:
            return False, (
                "gpu(0) needs a CUDA device, but CuPy found none; check `nvidia-smi` and "
                "CUDA_VISIBLE_DEVICES, or use minpy.cpu()"
            )
        self._count = n
        return True, ""

    def device_count(self) -> int:
        """How many CUDA devices CuPy sees (0 when it cannot use any)."""
        ok, _ = self.available()
        return self._count if ok else 0

    def check_device(self, index: int) -> None:
        """Raise ``BackendUnavailableError`` unless ``gpu(index)`` is usable, saying why."""
        ok, why = self.available()
        if not ok:
            raise BackendUnavailableError(why.replace("gpu(0)", f"gpu({index})", 1))
        n = self._count
        if not isinstance(index, int) or not 0 <= index < n:
            raise BackendUnavailableError(
                f"gpu({index!r}) does not exist: CuPy sees {n} CUDA device(s), "
                f"gpu(0) to gpu({n - 1}); use an index in range({n}) "
                "(and check CUDA_VISIBLE_DEVICES)"
            )

    # data movement --------------------------------------------------------------------------
    def scope(self, device: DeviceLike) -> Any:
        """A context manager that makes ``device``'s CUDA device current (None: one GPU)."""
        if self.device_count() <= 1:
            return None  # only device 0 exists, so it is always the current one
        return self._scope(device.index)

    def _scope(self, index: int) -> Any:
        s = self._scopes.get(index)
        if s is None:
            with self._lock:
                s = self._scopes.get(index)
                if s is None:
                    s = self._scopes[index] = _DeviceScope(index, self.xp.cuda.runtime)
        return s

    def _enter(self, device: DeviceLike) -> Any:
        s = self.scope(device)
        return contextlib.nullcontext() if s is None else s

    def asarray(self, value: Any, device: DeviceLike, dtype: Any = None, copy: bool = False) -> Any:
        """``value`` as a CuPy array on ``device``: host->device, or a peer copy between GPUs."""
        cupy = self.xp
        try:
            with self._enter(device):
                if isinstance(value, cupy.ndarray) and value.device.id != device.index:
                    # never share memory across devices: copy onto this one
                    value = cupy.copy(value)
                    copy = False
                if copy:
                    return cupy.array(value, dtype=dtype, copy=True)
                return cupy.asarray(value, dtype=dtype)
        except cupy.cuda.memory.OutOfMemoryError as exc:
            raise self._oom(exc, device) from exc

    def implementation(
        self, name: str, default: Callable[..., Any] | None
    ) -> Callable[..., Any] | None:
        fn = super().implementation(name, default)
        if fn is not None and name.rpartition(".")[2] in _UFUNC_METHODS:
            return _unsupported_as_missing(fn)
        return fn

    def scipy_module(self, name: str) -> Any:
        """``cupyx.scipy``'s module for SciPy's ``name``, or None where CuPy has none."""
        try:
            return importlib.import_module("cupyx." + name)
        except ImportError:
            return None

    def write(self, data: Any, key: Any, value: Any) -> None:
        """``data[key] = value`` in place; the last of repeated indices wins, as in NumPy."""
        write_last_wins(self.xp, data, key, value)

    def to_host(self, data: Any) -> Any:
        """A NumPy copy of the CuPy array ``data`` (waits for the device)."""
        if isinstance(data, self.array_type):
            return self.xp.asnumpy(data)
        return data

    def fuse(self, fn: Callable[..., Any], name: str) -> Callable[..., Any] | None:
        """``fn`` compiled by ``cupy.fuse`` into one elementwise kernel (on its first call)."""
        return self.xp.fuse(kernel_name=name)(fn)  # type: ignore[no-any-return]

    def capture_graph(self, device: DeviceLike, fn: Callable[[], Any]) -> tuple[Any, Any] | None:
        """``fn``'s kernels captured into one CUDA graph on a stream of its own (CuPy's stream
        capture); ``launch()`` orders the graph after the work already queued on the current
        stream, and the current stream after the graph."""
        cupy = self.xp
        scope = self.scope(device)
        with scope if scope is not None else contextlib.nullcontext():
            stream = cupy.cuda.Stream(non_blocking=True)
            stream.wait_event(cupy.cuda.get_current_stream().record())
            with stream:
                stream.begin_capture()
                try:
                    values = fn()
                finally:
                    graph = stream.end_capture()
        return _CudaGraph(cupy, graph, stream, scope), values

    def synchronize(self, device: DeviceLike) -> None:
        """Block until every kernel queued on ``device`` has finished."""
        self.xp.cuda.Device(device.index).synchronize()

    # random numbers -------------------------------------------------------------------------
    def random(self, device: DeviceLike) -> Any:
        """The generator of ``device``: NumPy ``RandomState`` method names, CuPy underneath."""
        r = self._random.get(device.index)
        if r is None:
            with self._lock:
                r = self._random.get(device.index)
                if r is None:
                    r = self._random[device.index] = CupyRandomState(self.xp, self._enter(device))
        return r

    def seed(self, device: DeviceLike, seed: int | None) -> None:
        """Reseed the generator of ``device``."""
        self.random(device).seed(seed)

    # memory ---------------------------------------------------------------------------------
    def memory_info(self, device: DeviceLike) -> MemoryInfo:
        """What CuPy's memory pool holds on ``device``, and what the device has free."""
        return _memory_info(self, device)

    def free_memory(self, device: DeviceLike) -> int:
        """Give the pool's cached free blocks on ``device`` back to the driver."""
        with self._enter(device):
            pool = self.xp.get_default_memory_pool()
            before = int(pool.total_bytes())
            pool.free_all_blocks()
            return before - int(pool.total_bytes())

    # errors ---------------------------------------------------------------------------------
    def translate_error(self, exc: Exception, device: DeviceLike) -> Exception | None:
        """CuPy's out-of-memory errors as ``minpy.OutOfMemoryError``; others unchanged."""
        if self.xp is None:
            return None
        if isinstance(exc, self.xp.cuda.memory.OutOfMemoryError):
            return self._oom(exc, device)
        if "cudaErrorMemoryAllocation" in str(exc):
            return self._oom(exc, device)
        return None

    def _oom(self, exc: Exception, device: DeviceLike) -> OutOfMemoryError:
        asked = getattr(exc, "_size", None)
        what = f"{_bytes(asked)} were asked for" if asked is not None else "an allocation failed"
        try:
            info = _memory_info(self, device)
            pool = (
                f"the memory pool holds {_bytes(info.pool_bytes)} "
                f"({_bytes(info.used_bytes)} in use, {_bytes(info.cached_bytes)} cached free in "
                f"{info.free_blocks} blocks); the device has {_bytes(info.device_free_bytes)} "
                f"free of {_bytes(info.device_total_bytes)}"
            )
        except Exception:  # the device may be too broken to answer; the advice still holds
            pool = "the memory pool could not be queried"
        return OutOfMemoryError(
            f"{device!r} is out of memory: {what} ({exc}); {pool}; use a smaller batch or "
            "smaller arrays, drop references to arrays you no longer need, or release cached "
            "blocks with minpy.free_gpu_memory()"
        )

    # introspection (for `minpy info`) -------------------------------------------------------
    def versions(self) -> dict[str, str]:
        """Versions of CuPy, the CUDA runtime it was built for, and the installed driver."""
        if self.xp is None:
            return {"cupy": f"not installed ({INSTALL_HINT})"}
        rt = self.xp.cuda.runtime
        driver = _safe(rt.driverGetVersion)
        return {
            "cupy": str(self.xp.__version__),
            "cuda runtime": _cuda_version(_safe(rt.runtimeGetVersion)),
            "cuda driver": "none found" if driver in (0, None) else _cuda_version(driver),
        }

    def device_names(self) -> list[str]:
        """One line per CUDA device: name, memory, compute capability."""
        if not self.available()[0]:
            return []
        rt = self.xp.cuda.runtime
        out = []
        for i in range(self._count):
            props = rt.getDeviceProperties(i)
            name = props.get("name", b"?")
            name = name.decode() if isinstance(name, bytes) else str(name)
            mem = _bytes(props.get("totalGlobalMem"))
            cc = f"{props.get('major', '?')}.{props.get('minor', '?')}"
            out.append(f"gpu({i}): {name}, {mem}, compute capability {cc}")
        return out


# --------------------------------------------------------------------------------------------
# small helpers


def _memory_info(backend: CupyBackend, device: DeviceLike) -> MemoryInfo:
    """What the memory pool of ``device`` holds (CUDA calls: may raise on a broken device)."""
    cupy = backend.xp
    with backend._enter(device):
        pool = cupy.get_default_memory_pool()
        free, total = cupy.cuda.runtime.memGetInfo()
        return MemoryInfo(
            used_bytes=int(pool.used_bytes()),
            cached_bytes=int(pool.free_bytes()),
            pool_bytes=int(pool.total_bytes()),
            free_blocks=int(pool.n_free_blocks()),
            device_free_bytes=int(free),
            device_total_bytes=int(total),
        )


def _safe(fn: Any) -> Any:
    """``fn()``, or None when the CUDA call fails (no driver)."""
    try:
        return fn()
    except Exception:
        return None


def _cuda_version(v: Any) -> str:
    """CUDA's integer version (12090) as text ("12.9")."""
    if not isinstance(v, int) or v <= 0:
        return "unknown"
    return f"{v // 1000}.{(v % 1000) // 10}"


def _bytes(n: Any) -> str:
    """A byte count for people: ``1,073,741,824 bytes (1.00 GiB)``."""
    if n is None:
        return "? bytes"
    n = int(n)
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    return f"{n:,} bytes" if unit == "B" else f"{n:,} bytes ({size:.2f} {unit})"
