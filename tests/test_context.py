"""Contexts: with-blocks and their nesting, set_context, and why gpu(i) is unavailable."""

from __future__ import annotations

import pytest

import minpy
import minpy.numpy as np
from minpy import backends
from minpy.errors import BackendUnavailableError
from minpy.testing import fake_device


def test_creation_with_block_and_nesting() -> None:
    a, b = fake_device(0), fake_device(1)
    with a:
        assert np.zeros(1).device is a
        with b:
            assert np.zeros(1).device is b
            assert minpy.current_context() is b
        assert np.ones(1).device is a
    assert np.zeros(1).device is minpy.cpu()


def test_creation_set_context() -> None:
    dev = fake_device()
    minpy.set_context(dev)
    assert minpy.current_context() is dev
    assert np.zeros(2).device is dev
    assert np.random.rand(2).device is dev
    minpy.set_context(minpy.cpu())
    assert np.zeros(2).device is minpy.cpu()


def test_set_context_rejects_non_device() -> None:
    with pytest.raises(TypeError, match="set_context expects a device"):
        minpy.set_context("gpu")  # type: ignore[arg-type]


def test_gpu_unavailable_here_says_why() -> None:
    ok, why = backends.available("gpu")
    if ok:
        pytest.skip("a GPU is available here; the unavailable path is tested with stand-ins")
    assert why
    with pytest.raises(BackendUnavailableError) as info:
        # without CuPy gpu(0) is a descriptor (as in MinPy) and the first use raises
        dev = minpy.gpu(0)
        np.zeros(2, device=dev)
    assert str(info.value) == why
    assert isinstance(info.value, RuntimeError)


def test_as_device_checks_the_index() -> None:
    from minpy.context import as_device

    assert as_device("cpu") is minpy.cpu() and as_device("cpu:0") is minpy.cpu()
    with pytest.raises(ValueError, match="one CPU device"):
        as_device("cpu:1")
    # "\u0661" is an Arabic-Indic one: str.isdigit says yes, int() takes it, ours does not
    for bad in ("cuda:x", "gpu:", "gpu:-1", "cpu: 0", "cuda:\u0661"):
        with pytest.raises(ValueError, match=r"non-negative integer; write e\.g\. '\w+:0'"):
            as_device(bad)


def test_context_minpy_attributes_and_copy() -> None:
    from minpy.testing import fake_device

    dev = fake_device(1)
    assert (dev.device_type, dev.device_id) == ("fake", 1)
    assert (minpy.cpu().device_type, minpy.cpu().device_id) == ("cpu", 0)
    assert minpy.Context(dev) is dev
    assert minpy.Context("cpu") is minpy.cpu()
