"""Dispatch: results follow their inputs' device, mixing devices raises, errors name the
operation, and lists holding traced Arrays are stacked.

Runs everywhere: the fake accelerator (NumPy-backed, two devices ``fake(0)`` and
``fake(1)``) stands in for a GPU.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.context import Device
from minpy.core import grad, primitive
from minpy.errors import DeviceMismatchError
from minpy.testing import fake_device

# --------------------------------------------------------------------------------------------
# placement


def test_result_on_inputs_device(device: Device) -> None:
    x = np.ones(3, device=device)
    y = np.exp(x) * 2 + x
    assert y.device is device
    assert isinstance(y._data, device.backend.array_type)
    numpy.testing.assert_allclose(y.asnumpy(), 2 * numpy.e + 1)


def test_reduction_result_on_inputs_device(device: Device) -> None:
    s = np.sum(np.arange(4.0, device=device))
    assert s.device is device
    assert float(s) == 6.0


def test_result_on_inputs_device_not_current_context() -> None:
    dev = fake_device()
    x = np.ones(2, device=dev)
    with minpy.cpu():
        y = np.tanh(x)
    assert y.device is dev


# --------------------------------------------------------------------------------------------
# mismatch errors


def test_mismatch_cpu_and_device_message() -> None:
    dev = fake_device()
    x = np.ones(3)
    y = np.ones(3, device=dev)
    with pytest.raises(DeviceMismatchError) as info:
        np.add(x, y)
    msg = str(info.value)
    assert msg.startswith("add: ")
    assert "cpu(0)" in msg and "fake(0)" in msg
    assert "x.to_device(" in msg


def test_mismatch_two_devices_of_one_kind() -> None:
    x = np.ones(3, device=fake_device(0))
    y = np.ones(3, device=fake_device(1))
    with pytest.raises(DeviceMismatchError, match=r"multiply: .*fake\(0\).*fake\(1\)"):
        x * y


def test_mismatch_is_a_value_error() -> None:
    x = np.ones(2, device=fake_device(0))
    with pytest.raises(ValueError):
        x - np.ones(2)


def test_mismatch_device_keyword() -> None:
    x = np.ones(2, device=fake_device())
    with pytest.raises(DeviceMismatchError, match=r"fake\(0\).*cpu\(0\)"):
        np.add(x, 1.0, device=minpy.cpu())


def test_mismatch_index_array() -> None:
    x = np.arange(4.0, device=fake_device())
    idx = np.array([0, 1])
    with pytest.raises(DeviceMismatchError, match=r"idx.to_device\(fake\(0\)\)"):
        x[idx]


def test_mismatch_setitem() -> None:
    x = np.zeros(3, device=fake_device())
    with pytest.raises(DeviceMismatchError, match="setitem"):
        x[0] = np.ones(())


def test_mismatch_inside_list_argument() -> None:
    a = np.ones(2, device=fake_device())
    with pytest.raises(DeviceMismatchError, match=r"fake\(0\).*cpu\(0\)"):
        np.stack([a, np.ones(2)])


# --------------------------------------------------------------------------------------------
# errors name the operation; lists of Arrays


def test_shape_mismatch_names_operation():
    with pytest.raises(ValueError, match=r"^add: .*broadcast"):
        np.ones(3) + np.ones(4)


def test_lists_of_traced_arrays_are_stacked_not_dropped(device):
    # NumPy would turn the list into an array; the gradient must follow, not vanish
    assert grad(lambda a, b: np.mean([a, b]), [0, 1])(1.0, 2.0) == [0.5, 0.5]
    assert grad(lambda a: np.sum([[a, a * 2], [a, a]]))(1.0) == 5.0
    x = np.array([0.5, 2.0])
    g = grad(lambda x: np.sum(np.max([x, x * x], axis=0)))(x)
    numpy.testing.assert_allclose(g.asnumpy(), [1.0, 4.0])


# --------------------------------------------------------------------------------------------
# the route cache keeps no primitive alive


def _plus_one(x: Any) -> Any:
    return x + 1


def test_dropped_primitive_is_collected(device: Device) -> None:
    x = np.ones(3)
    prim = primitive(_plus_one)
    numpy.testing.assert_array_equal(prim(x).asnumpy(), 2.0)
    with minpy.policy.use_policy("only_numpy"):
        prim(x)  # a route under a second policy too
    ref = weakref.ref(prim)
    del prim
    gc.collect()
    assert ref() is None


def test_primitives_made_in_a_loop_free_their_memory() -> None:
    x = np.ones(3)
    primitive(_plus_one)(x)  # warm up: the first call caches what every later one shares
    minpy.policy.reset_stats()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            primitive(_plus_one)(x)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 100_000, f"{grown} bytes kept by 10,000 dropped primitives"
    # the calls are still counted, under the primitive's name
    name = f"{_plus_one.__module__}._plus_one"
    assert minpy.policy.stats()[name, "numpy"]["calls"] == 10_000
