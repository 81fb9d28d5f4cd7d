"""Transfers: to_device (values, copies, identity, its gradient) and the adoption of host
values, with the bytes each moves counted.
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.policy import reset_stats, stats
from minpy.testing import check_grads, fake_device


def test_to_device_values_and_counted_bytes() -> None:
    dev = fake_device()
    host = numpy.arange(6.0).reshape(2, 3)
    x = np.array(host)
    reset_stats()
    y = x.to_device(dev)
    assert y.device is dev
    numpy.testing.assert_array_equal(y.asnumpy(), host)
    assert stats()["to_device", "fake"]["bytes_moved"] == host.nbytes
    back = y.to_device(minpy.cpu())
    assert back.device is minpy.cpu()
    numpy.testing.assert_array_equal(back.asnumpy(), host)


def test_to_device_copies_data() -> None:
    x = np.zeros(3)
    y = x.to_device(fake_device())
    x[0] = 5.0
    assert y.asnumpy()[0] == 0.0


def test_to_device_between_devices_of_one_kind() -> None:
    a, b = fake_device(0), fake_device(1)
    x = np.arange(3.0, device=a)
    y = x.to_device(b)
    assert y.device is b
    numpy.testing.assert_array_equal(y.asnumpy(), [0.0, 1.0, 2.0])


def test_to_device_same_device_is_identity() -> None:
    x = np.ones(2, device=fake_device())
    assert x.to_device(fake_device()) is x
    assert x.as_in_context(fake_device()) is x


def test_array_to_device_same_device_is_identity(device):
    x = np.ones(2)
    assert x.to_device(device) is x


def test_to_device_rejects_non_device() -> None:
    x = np.ones(2)
    with pytest.raises(TypeError, match="to_device expects a device"):
        x.to_device("gpu")  # type: ignore[arg-type]


def test_to_device_grad_flows_back_to_source() -> None:
    dev = fake_device()
    x = np.array([0.1, -0.3, 0.7])

    def f(x: Any) -> Any:
        return np.sum(np.tanh(x.to_device(dev)) ** 2)

    g = grad(f)(x)
    assert g.device is minpy.cpu()
    t = numpy.tanh(x.asnumpy())
    numpy.testing.assert_allclose(g.asnumpy(), 2 * t * (1 - t**2))


def test_to_device_check_grads_both_directions() -> None:
    dev = fake_device()
    check_grads(lambda x: np.sin(x.to_device(dev)) * 2, np.array([0.3, -1.2]))
    check_grads(lambda x: np.exp(x.to_device(minpy.cpu())), np.array([0.3, 0.5], device=dev))


def test_host_value_adopted_and_counted() -> None:
    dev = fake_device()
    x = np.ones(3, device=dev)
    host = numpy.arange(3.0)
    reset_stats()
    y = x + host
    assert y.device is dev
    numpy.testing.assert_array_equal(y.asnumpy(), [1.0, 2.0, 3.0])
    assert stats()["add", "fake"]["bytes_moved"] == host.nbytes


def test_array_from_host_data_counted_as_adoption() -> None:
    dev = fake_device()
    host = numpy.ones(4)
    reset_stats()
    x = np.array(host, device=dev)
    assert x.device is dev
    row = stats()["adopt", "fake"]
    assert row["bytes_moved"] == host.nbytes
    assert row["calls"] == 1


def test_plain_cpu_moves_nothing() -> None:
    reset_stats()
    np.exp(np.ones(3)) + numpy.ones(3)
    assert stats().total("bytes_moved") == 0
