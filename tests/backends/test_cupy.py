"""The CuPy backend on machines without a GPU: a stand-in ``cupy`` module (or none) checks the
"no CuPy", "no CUDA device" and "no such index" messages, device scopes, versions, the memory
API's errors and out-of-memory translation; NumPy stands in as the array module for the
backend's own code (last-write-wins item assignment, ufunc-method TypeErrors, cholesky).

The same backend on a real GPU is tested in test_cupy_gpu.py.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import numpy
import pytest

import minpy
from minpy import backends
from minpy.backends import cupy as cupy_backend
from minpy.backends import register_backend
from minpy.backends.cupy import CupyBackend
from minpy.context import Device
from minpy.errors import BackendUnavailableError

# --------------------------------------------------------------------------------------------
# GPU availability, with stand-ins for CuPy


class _FakeRuntime:
    """Stands in for ``cupy.cuda.runtime``: a fixed device count, records setDevice calls."""

    def __init__(self, count: int | Exception) -> None:
        self.count = count
        self.current = 0
        self.calls: list[int] = []

    def getDeviceCount(self) -> int:
        if isinstance(self.count, Exception):
            raise self.count
        return self.count

    def runtimeGetVersion(self) -> int:
        return 12040

    def driverGetVersion(self) -> int:
        return 0 if isinstance(self.count, Exception) else 12080

    def getDevice(self) -> int:
        return self.current

    def setDevice(self, index: int) -> None:
        self.calls.append(index)
        self.current = index


def _fake_cupy(count: int | Exception) -> Any:
    runtime = _FakeRuntime(count)
    cuda = types.SimpleNamespace(runtime=runtime)
    return types.SimpleNamespace(__version__="99.0", cuda=cuda, ndarray=type("ndarray", (), {}))


@pytest.fixture
def gpu_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``use(backend)`` makes ``backend`` serve gpu(i) for one test; the real one returns."""
    touched: list[Device] = []

    def use(backend: CupyBackend) -> CupyBackend:
        register_backend("gpu", lambda: backend)
        for dev in list(Device._interned.values()):
            if dev.kind == "gpu":
                dev._backend = None
                touched.append(dev)
        return backend

    yield use
    register_backend("gpu", CupyBackend)
    for dev in touched:
        dev._backend = None


def test_gpu_without_cupy(monkeypatch: pytest.MonkeyPatch, gpu_backend: Any) -> None:
    def missing() -> Any:
        raise ImportError("No module named 'cupy'")

    monkeypatch.setattr(cupy_backend, "_import_cupy", missing)
    b = gpu_backend(CupyBackend())
    ok, why = backends.available("gpu")
    assert not ok
    assert "needs CuPy, which is not installed" in why
    assert 'pip install "minpy[cuda12]"' in why and "cuda13" in why
    dev = minpy.gpu(2)  # a descriptor, as in MinPy: the error comes at first use
    assert (dev.device_type, dev.device_id) == ("gpu", 2)
    with pytest.raises(BackendUnavailableError, match=r"gpu\(2\) needs CuPy"):
        minpy.numpy.zeros(3, device=dev)
    with pytest.raises(BackendUnavailableError, match=r"gpu\(2\) needs CuPy"):
        dev.synchronize()
    with dev, pytest.raises(BackendUnavailableError, match=r"gpu\(2\) needs CuPy"):
        minpy.numpy.ones(2)
    assert b.device_count() == 0
    assert b.versions()["cupy"].startswith("not installed")


def test_gpu_without_cuda_driver(monkeypatch: pytest.MonkeyPatch, gpu_backend: Any) -> None:
    err = RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    monkeypatch.setattr(cupy_backend, "_import_cupy", lambda: _fake_cupy(err))
    gpu_backend(CupyBackend())
    ok, why = backends.available("gpu")
    assert not ok
    assert "cudaErrorNoDevice" in why and "nvidia-smi" in why and "minpy.cpu()" in why
    dev = minpy.gpu(0)  # a descriptor, as in MinPy: the error comes at first use
    with pytest.raises(BackendUnavailableError, match="cudaErrorNoDevice"):
        minpy.numpy.zeros(3, device=dev)


def test_gpu_with_zero_devices(monkeypatch: pytest.MonkeyPatch, gpu_backend: Any) -> None:
    monkeypatch.setattr(cupy_backend, "_import_cupy", lambda: _fake_cupy(0))
    gpu_backend(CupyBackend())
    ok, why = backends.available("gpu")
    assert not ok and "found none" in why and "CUDA_VISIBLE_DEVICES" in why


def test_gpu_index_out_of_range(monkeypatch: pytest.MonkeyPatch, gpu_backend: Any) -> None:
    monkeypatch.setattr(cupy_backend, "_import_cupy", lambda: _fake_cupy(2))
    b = gpu_backend(CupyBackend())
    assert backends.available("gpu") == (True, "")
    assert b.device_count() == 2
    b.check_device(1)
    dev = minpy.gpu(5)  # a descriptor: the index is checked at first use
    with pytest.raises(BackendUnavailableError) as info:
        minpy.numpy.ones(2, device=dev)
    msg = str(info.value)
    assert "gpu(5) does not exist" in msg and "2 CUDA device(s)" in msg and "range(2)" in msg


# --------------------------------------------------------------------------------------------
# device scopes and versions


def test_gpu_scope_switches_and_restores_device(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake_cupy(2)
    monkeypatch.setattr(cupy_backend, "_import_cupy", lambda: fake)
    b = CupyBackend()
    one = types.SimpleNamespace(index=1, kind="gpu")
    zero = types.SimpleNamespace(index=0, kind="gpu")
    rt = fake.cuda.runtime
    with b.scope(one):  # type: ignore[arg-type]
        assert rt.current == 1
        with b.scope(zero):  # type: ignore[arg-type]
            assert rt.current == 0
        with b.scope(one):  # type: ignore[arg-type]  # re-entered: nothing to switch
            assert rt.current == 1
        assert rt.current == 1
    assert rt.current == 0
    assert rt.calls == [1, 0, 1, 0]


def test_gpu_scope_is_none_with_one_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cupy_backend, "_import_cupy", lambda: _fake_cupy(1))
    b = CupyBackend()
    assert b.scope(types.SimpleNamespace(index=0, kind="gpu")) is None  # type: ignore[arg-type]


def test_gpu_versions_and_formatting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cupy_backend, "_import_cupy", lambda: _fake_cupy(1))
    v = CupyBackend().versions()
    assert v == {"cupy": "99.0", "cuda runtime": "12.4", "cuda driver": "12.8"}
    assert cupy_backend._cuda_version(12090) == "12.9"
    assert cupy_backend._cuda_version(None) == "unknown"
    assert cupy_backend._bytes(512) == "512 bytes"
    assert cupy_backend._bytes(3 * 2**30) == "3,221,225,472 bytes (3.00 GiB)"


# --------------------------------------------------------------------------------------------
# the memory API and out-of-memory errors


def test_gpu_memory_api_needs_a_gpu_device() -> None:
    with pytest.raises(ValueError, match="belongs to gpu"):
        minpy.gpu_memory(minpy.cpu())
    if not backends.available("gpu")[0]:
        with pytest.raises(BackendUnavailableError):
            minpy.gpu_memory()
        with pytest.raises(BackendUnavailableError):
            minpy.free_gpu_memory(0)


def test_out_of_memory_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    cupy = pytest.importorskip("cupy", reason="needs CuPy's OutOfMemoryError class")
    b = CupyBackend()
    dev = Device("gpu", 0)
    exc = cupy.cuda.memory.OutOfMemoryError(2**40, 2**20, 0)
    info = cupy_backend.MemoryInfo(2**20, 3 * 2**20, 4 * 2**20, 7, 2**30, 80 * 2**30)
    monkeypatch.setattr(cupy_backend, "_memory_info", lambda backend, device: info)
    better = b.translate_error(exc, dev)
    assert isinstance(better, minpy.OutOfMemoryError)
    assert isinstance(better, MemoryError)
    msg = str(better)
    assert msg.startswith("gpu(0) is out of memory: 1,099,511,627,776 bytes (1.00 TiB) were asked")
    assert "(3.00 MiB) cached free in 7 blocks" in msg
    assert "free of 85,899,345,920 bytes" in msg
    assert "smaller batch" in msg and "minpy.free_gpu_memory()" in msg


def test_out_of_memory_translated_when_pool_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    cupy = pytest.importorskip("cupy", reason="needs CuPy's OutOfMemoryError class")

    def broken(backend: Any, device: Any) -> Any:
        raise RuntimeError("device lost")

    monkeypatch.setattr(cupy_backend, "_memory_info", broken)
    better = CupyBackend().translate_error(
        cupy.cuda.memory.OutOfMemoryError(1000, 0, 0), Device("gpu", 0)
    )
    assert isinstance(better, minpy.OutOfMemoryError)
    assert "1,000 bytes were asked" in str(better)
    assert "could not be queried" in str(better)


def test_other_errors_not_translated() -> None:
    b = CupyBackend()
    assert b.translate_error(ValueError("bad axis"), Device("gpu", 0)) is None


# --------------------------------------------------------------------------------------------
# the backend's own code, run with NumPy as the array module


# The CuPy backend's in-place write, run with NumPy as the array module: CuPy leaves repeated
# advanced indices undefined, so the backend deduplicates them and must match NumPy exactly.
_WRITE_KEYS = [
    ([0, 2, 0, 2], (3,)),
    ((numpy.array([1, 1, 0]), slice(None)), (2, 4)),
    ((slice(None), numpy.array([[0, 3], [3, 3]])), (2, 4)),
    ((numpy.array([0, 0]), 1, numpy.array([2, 2])), (2, 3, 4)),
    ((numpy.array([-1, 1]), slice(1, None), numpy.array([0, 0])), (2, 3, 4)),
    ((numpy.array([True, False]), numpy.array([1, 1])), (2, 3)),
    ((Ellipsis, [1, 1, 0]), (2, 3)),
    (numpy.array([], dtype=numpy.int64), (3,)),
    (slice(1, 3), (4,)),
]


@pytest.mark.parametrize(("key", "shape"), _WRITE_KEYS)
@pytest.mark.parametrize("value_kind", ["array", "scalar", "list"])
def test_cupy_write_matches_numpy_last_write_wins(key: Any, shape: Any, value_kind: str) -> None:
    rng = numpy.random.default_rng(1)
    base = rng.standard_normal(shape)
    target = base[key].shape
    if value_kind == "scalar":
        value: Any = 2.5
    else:
        value = rng.standard_normal(target)
        if value_kind == "list":
            value = value.tolist()
    want = base.copy()
    want[key] = value
    got = base.copy()
    cupy_backend.write_last_wins(numpy, got, key, value)
    numpy.testing.assert_array_equal(got, want)
    # a non-contiguous target (a strided view) is written through, too
    wide = numpy.zeros(shape[:-1] + (2 * shape[-1],))
    view = wide[..., ::2]
    view[...] = base
    cupy_backend.write_last_wins(numpy, view, key, value)
    numpy.testing.assert_array_equal(wide[..., ::2], want)


def test_cupy_ufunc_method_type_error_becomes_a_fallback() -> None:
    # CuPy raises TypeError where it lacks an argument or dtype of a ufunc method (initial=,
    # subtract.at on floats); the backend turns that into NotImplementedError, the policy's
    # signal to run NumPy's on the host
    def reduce(a: Any, **kw: Any) -> Any:
        if kw:
            raise TypeError("reduce() got an unexpected keyword argument 'initial'")
        return a.sum(0)

    b = CupyBackend()
    b.xp = types.SimpleNamespace(add=types.SimpleNamespace(reduce=reduce), exp=numpy.exp)
    fn = b.implementation("add.reduce", None)
    assert fn is not None and fn(numpy.ones(3)) == 3.0
    with pytest.raises(NotImplementedError, match="initial"):
        fn(numpy.ones(3), initial=1.0)
    assert b.implementation("exp", None) is numpy.exp  # plain functions are left alone


def test_cupy_write_matches_numpy_on_random_mixed_keys() -> None:
    # ints, slices, None and integer arrays (with repeats, negative, broadcast) in any order
    rng = numpy.random.default_rng(7)
    checked = 0
    for _ in range(300):
        shape = tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 4)))
        base = rng.standard_normal(shape)
        key: list[Any] = []
        for n in shape:
            kind = rng.integers(0, 4)
            if kind == 0:
                key.append(slice(None))
            elif kind == 1:
                key.append(rng.integers(-n, n, size=3))
            elif kind == 2:
                key.append(int(rng.integers(0, n)))
            else:
                key.append(rng.integers(-n, n, size=(2, 1)))
        if rng.integers(0, 2):
            key.insert(int(rng.integers(0, len(key) + 1)), None)
        try:
            target = base[tuple(key)].shape
        except IndexError:
            continue  # arrays that do not broadcast together: NumPy refuses the key too
        value = rng.standard_normal(target)
        want = base.copy()
        want[tuple(key)] = value
        got = base.copy()
        cupy_backend.write_last_wins(numpy, got, tuple(key), value)
        numpy.testing.assert_array_equal(got, want)
        checked += 1
    assert checked > 100


def test_cupy_cholesky_upper_from_the_lower_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    # CuPy's cholesky has no upper=; the override returns the lower factor's adjoint
    import sys

    monkeypatch.setitem(sys.modules, "cupy", types.SimpleNamespace(linalg=numpy.linalg))
    rng = numpy.random.RandomState(3)
    m = rng.randn(2, 3, 3) + 1j * rng.randn(2, 3, 3)
    a = m @ numpy.conj(numpy.swapaxes(m, -1, -2)) + 3 * numpy.eye(3)
    numpy.testing.assert_allclose(
        cupy_backend._cholesky(a, upper=True), numpy.linalg.cholesky(a, upper=True)
    )
    numpy.testing.assert_allclose(cupy_backend._cholesky(a), numpy.linalg.cholesky(a))
