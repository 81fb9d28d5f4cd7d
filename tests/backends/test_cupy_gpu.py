"""Real-GPU tests: CuPy placement, transfers, memory pool, out-of-memory, cross-backend values.

Every test takes the ``gpu`` fixture, so without CuPy and a CUDA device each is skipped with the
reason (``MINPY_REQUIRE_GPU=1`` makes that a failure). ``bench/gpu_check.sh`` runs them on a
GPU machine. The cross-backend check runs the op table (``tests/numpy/optable.py``) on NumPy and on
CuPy and compares forward values and gradients. The CuPy backend's unit tests that need no
GPU (stand-ins for CuPy) are in test_cupy.py.
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.backends import get_backend
from minpy.context import Device
from minpy.core import grad
from minpy.errors import BackendUnavailableError, DeviceMismatchError
from minpy.policy import FallbackWarning, reset_stats, stats
from minpy.primitive import Primitive
from minpy.testing import check_grads

pytestmark = pytest.mark.gpu

try:
    from tests.numpy.optable import CASES as _CASES
except ImportError as exc:  # written by another change; the check waits for it
    _CASES = []
    _NO_TABLE = (
        f"tests/numpy/optable.py is not importable ({exc}); the cross-backend check needs it"
    )
else:
    _NO_TABLE = ""


def _cupy() -> Any:
    return get_backend("gpu").xp


# --------------------------------------------------------------------------------------------
# placement


def test_gpu_arrays_are_cupy_arrays(gpu: Device) -> None:
    x = np.ones((2, 3), device=gpu)
    y = np.exp(x) * 2 + 1
    assert y.device is gpu
    assert isinstance(y._data, _cupy().ndarray)
    assert y._data.device.id == gpu.index
    numpy.testing.assert_allclose(y.asnumpy(), 2 * numpy.e + 1)


def test_gpu_context_and_creation(gpu: Device) -> None:
    minpy.set_context(gpu)
    w = np.random.randn(784, 10) * 0.01
    assert w.device is gpu and w.dtype == numpy.float64
    assert isinstance(w._data, _cupy().ndarray)
    with minpy.cpu():
        assert np.zeros(2).device is minpy.cpu()
    assert np.arange(3).device is gpu


def test_gpu_host_batch_is_adopted_and_counted(gpu: Device) -> None:
    minpy.set_context(gpu)
    host = numpy.random.rand(8, 4).astype(numpy.float32)
    reset_stats()
    x = np.asarray(host)
    assert x.device is gpu and x.dtype == numpy.float32
    assert stats()["adopt", "cupy"]["bytes_moved"] == host.nbytes
    numpy.testing.assert_array_equal(x.asnumpy(), host)


def test_gpu_training_step_end_to_end(gpu: Device) -> None:
    minpy.set_context(gpu)
    rng = numpy.random.RandomState(0)
    x = np.asarray(rng.randn(32, 20))
    y = rng.randint(0, 5, size=32)
    w = np.random.randn(20, 5) * 0.01

    def loss(w: Any, x: Any) -> Any:
        scores = np.dot(x, w)
        probs = np.exp(scores - np.max(scores, axis=1, keepdims=True))
        probs = probs / np.sum(probs, axis=1, keepdims=True)
        return -np.mean(np.log(probs[np.arange(32), y]))

    g = grad(loss)(w, x)
    assert g.device is gpu
    with minpy.cpu():
        g_cpu = grad(loss)(w.to_device(minpy.cpu()), x.to_device(minpy.cpu()))
    numpy.testing.assert_allclose(g.asnumpy(), g_cpu.asnumpy(), rtol=1e-8, atol=1e-12)


def test_gpu_mismatch_with_cpu(gpu: Device) -> None:
    with pytest.raises(DeviceMismatchError, match=r"add: .*cpu\(0\).*gpu\(0\)"):
        np.ones(2) + np.ones(2, device=gpu)


def test_gpu_index_out_of_range(gpu: Device) -> None:
    n = get_backend("gpu").device_count()
    with pytest.raises(BackendUnavailableError, match=rf"gpu\({n}\) does not exist"):
        minpy.gpu(n)


def test_gpu_multi_device_never_mix(gpu: Device) -> None:
    if get_backend("gpu").device_count() < 2:
        pytest.skip("needs two GPUs")
    g1 = minpy.gpu(1)
    a = np.ones(3, device=gpu)
    b = np.ones(3, device=g1)
    assert b._data.device.id == 1
    with pytest.raises(DeviceMismatchError, match=r"gpu\(0\).*gpu\(1\)"):
        a + b
    c = a.to_device(g1)
    assert c.device is g1 and c._data.device.id == 1
    d = np.exp(c)
    assert d._data.device.id == 1
    numpy.testing.assert_allclose(d.asnumpy(), numpy.e)


# --------------------------------------------------------------------------------------------
# transfers and random numbers


def test_gpu_transfer_round_trip(gpu: Device) -> None:
    host = numpy.random.rand(100, 7)
    reset_stats()
    x = np.array(host).to_device(gpu)
    assert x.device is gpu
    back = x.to_device(minpy.cpu())
    numpy.testing.assert_array_equal(back.asnumpy(), host)
    numpy.testing.assert_array_equal(numpy.asarray(x), host)
    assert stats()["to_device", "cupy"]["bytes_moved"] == host.nbytes
    assert stats()["to_device", "numpy"]["bytes_moved"] == host.nbytes


def test_gpu_transfer_is_differentiable(gpu: Device) -> None:
    check_grads(lambda x: np.tanh(x.to_device(gpu)) * 3, np.array([0.2, -0.5, 1.5]))
    check_grads(lambda x: np.sin(x.to_device(minpy.cpu())), np.array([0.2, 0.5], device=gpu))


def test_gpu_dlpack_and_synchronize(gpu: Device) -> None:
    x = np.arange(4.0, device=gpu)
    y = _cupy().from_dlpack(x)
    assert int(y.sum()) == 6
    gpu.synchronize()


def test_gpu_random_methods(gpu: Device) -> None:
    np.random.seed(7, device=gpu)
    a = np.random.rand(3, device=gpu)
    np.random.seed(7, device=gpu)
    b = np.random.rand(3, device=gpu)
    numpy.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    assert np.random.randn(2, 2, device=gpu).shape == (2, 2)
    r = np.random.randint(0, 4, size=10, device=gpu)
    assert r.device is gpu and 0 <= int(r.min()) and int(r.max()) < 4
    u = np.random.uniform(-1.0, 1.0, size=(5,), device=gpu)
    assert -1.0 <= float(u.min()) and float(u.max()) < 1.0
    assert np.random.normal(0.0, 2.0, size=(3,), device=gpu).shape == (3,)
    assert np.random.random_sample((2,), device=gpu).shape == (2,)
    c = np.random.choice(numpy.int64(5), device=gpu)
    assert c.shape == () and 0 <= int(c) < 5
    assert np.random.choice(5, size=3, replace=False, device=gpu).shape == (3,)
    p = np.random.permutation(6, device=gpu)
    assert sorted(p.tolist()) == list(range(6))
    x = np.arange(4.0, device=gpu)
    assert sorted(np.random.permutation(x).tolist()) == [0.0, 1.0, 2.0, 3.0]


# --------------------------------------------------------------------------------------------
# overrides and fallback on the GPU


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_gpu_scatter_add_repeated_indices(gpu: Device, dtype: str) -> None:
    v = np.array([1.0, 2.0, 3.0], dtype=dtype, device=gpu)
    out = np.scatter_add((3,), np.array([0, 0, 2], device=gpu), v)
    assert out.dtype == numpy.dtype(dtype)
    numpy.testing.assert_allclose(out.asnumpy(), numpy.array([3.0, 0.0, 3.0], dtype=dtype))


def test_gpu_getitem_grad_repeated_indices(gpu: Device) -> None:
    x = np.array([1.0, 2.0, 3.0], dtype=numpy.float32, device=gpu)
    g = grad(lambda x: np.sum(x[[0, 0, 2]]))(x)
    assert g.device is gpu and g.dtype == numpy.float32
    numpy.testing.assert_allclose(g.asnumpy(), [2.0, 0.0, 1.0])


def test_gpu_setitem_repeated_indices_last_write_wins(gpu: Device) -> None:
    # CuPy alone leaves repeated indices undefined; minpy keeps NumPy's rule, traced or not
    x = np.zeros(3, device=gpu)
    x[[0, 2, 0, 2]] = [1.0, 2.0, 3.0, 4.0]
    assert x.tolist() == [3.0, 0.0, 4.0]
    v = np.array([1.0, 2.0, 3.0, 4.0], device=gpu)

    def f(v: Any) -> Any:
        y = np.zeros(3, device=gpu) + 0.0 * v[0]
        y[[0, 2, 0, 2]] = v
        return np.sum(y * np.array([10.0, 20.0, 30.0], device=gpu))

    assert float(f(v)) == 150.0
    assert grad(f)(v).tolist() == [0.0, 0.0, 10.0, 30.0]


def test_gpu_tensordot_with_zero_dim_operand(gpu: Device) -> None:
    a = np.array(2.0, device=gpu)
    b = np.array([1.0, 2.0, 3.0], device=gpu)
    assert np.tensordot(a, b, axes=([], [])).tolist() == [2.0, 4.0, 6.0]
    assert np.inner(a, b).tolist() == [2.0, 4.0, 6.0]
    check_grads(np.inner, np.array([1.0, -2.0], device=gpu), np.array([0.5, 3.0], device=gpu))


def test_gpu_inplace_cast_error_names_the_operation(gpu: Device) -> None:
    y = np.arange(4, device=gpu)
    with pytest.raises(TypeError, match="add"):
        y += 1.5


def test_gpu_fallback_for_primitive_cupy_lacks(
    gpu: Device, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setattr(minpy.stats, "_warned", set())
    cube = Primitive("cube_host_only", register=False)
    cube.def_impl("numpy", lambda x: x * x * x)
    cube.defvjp(lambda g, ans, x: 3 * g * x * x, keep="args")
    x = np.array([0.5, -1.0, 2.0], device=gpu)
    with pytest.warns(FallbackWarning, match="cube_host_only"):
        y = cube(x)
        check_grads(cube, x)
    assert y.device is gpu and isinstance(y._data, _cupy().ndarray)
    numpy.testing.assert_allclose(y.asnumpy(), [0.125, -1.0, 8.0])
    assert stats()["cube_host_only", "numpy"]["fallbacks"] >= 1


# --------------------------------------------------------------------------------------------
# memory pool and out-of-memory


def test_gpu_memory_pool_api(gpu: Device) -> None:
    x = np.zeros(1 << 20, dtype=numpy.float32, device=gpu)  # 4 MiB
    info = minpy.gpu_memory(gpu)
    assert info.used_bytes >= x.nbytes
    assert info.pool_bytes == info.used_bytes + info.cached_bytes
    assert 0 < info.device_free_bytes <= info.device_total_bytes
    assert minpy.gpu_memory(0) is not None
    del x
    before = minpy.gpu_memory()
    assert before.cached_bytes >= 4 << 20
    released = minpy.free_gpu_memory(gpu)
    after = minpy.gpu_memory(gpu)
    assert released > 0
    assert released == before.pool_bytes - after.pool_bytes
    assert after.cached_bytes <= before.cached_bytes - released


def test_gpu_out_of_memory_is_clear(gpu: Device) -> None:
    with pytest.raises(minpy.OutOfMemoryError) as info:
        np.zeros((1 << 50,), dtype=numpy.float32, device=gpu)  # 4 PiB
    msg = str(info.value)
    assert isinstance(info.value, MemoryError)
    assert "gpu(0) is out of memory" in msg and "4,503,599,627,370,496 bytes" in msg
    assert "memory pool holds" in msg and "minpy.free_gpu_memory()" in msg


# --------------------------------------------------------------------------------------------
# cross-backend: the op table on NumPy and on CuPy


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _weighted(fun: Any, weights: list[Any]) -> Any:
    def scalar(*args: Any) -> Any:
        total: Any = 0.0
        for o, w in zip(_outputs(fun(*args)), weights):
            total = total + np.sum(o * np.asarray(w, device=o.device))
        return total

    return scalar


@pytest.mark.filterwarnings("ignore::minpy.policy.FallbackWarning")  # a fallback is compared too
@pytest.mark.parametrize(
    "case",
    _CASES or [pytest.param(None, marks=pytest.mark.skip(reason=_NO_TABLE))],
    ids=lambda c: getattr(c, "name", "no-optable"),
)
def test_gpu_matches_numpy(case: Any, gpu: Device) -> None:
    host = case.inputs()
    on_cpu = [np.array(h) for h in host]
    on_gpu = [np.array(h, device=gpu) for h in host]
    # constants a case makes inside its function (np.array(...)) land on the current device
    want = _outputs(case.fun(*on_cpu))
    with gpu:
        got = _outputs(case.fun(*on_gpu))
    assert len(got) == len(want)
    rng = numpy.random.RandomState(1)
    weights = []
    for g, w in zip(got, want):
        assert g.device is gpu
        numpy.testing.assert_allclose(g.asnumpy(), w.asnumpy(), rtol=1e-9, atol=1e-12)
        weights.append(rng.randn(*w.shape))
    argnums = list(range(len(host)))
    g_cpu = grad(_weighted(case.fun, weights), argnums)(*on_cpu)
    with gpu:
        g_gpu = grad(_weighted(case.fun, weights), argnums)(*on_gpu)
    for a, b in zip(g_gpu, g_cpu):
        assert a.device is gpu
        numpy.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-8, atol=1e-11)
