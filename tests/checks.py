"""Checks that several test modules share: random inputs on a device, a result compared with
NumPy's, and an operation checked forward and through its gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.testing import check_grads
from tests.numpy.optable import with_namespace


def random_inputs(device: minpy.Device, *shapes: tuple[int, ...]) -> tuple[list[Any], list[Array]]:
    """Standard normal host arrays of ``shapes`` (seeded), and the same as Arrays on ``device``."""
    rng = numpy.random.RandomState(1)
    host = [rng.randn(*s) for s in shapes]
    return host, [np.array(h, device=device) for h in host]


def assert_same(got: Any, want: Any, device: minpy.Device) -> None:
    """``got`` is an Array on ``device`` with NumPy's result ``want`` (shape and values)."""
    assert isinstance(got, Array)
    assert got.device is device
    assert got.shape == numpy.shape(want)
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def check_op(fun: Callable[..., Any], host: list[Any], args: list[Array], device: Any) -> None:
    """Forward equals NumPy's (untraced), then first- and second-order gradients."""
    assert_same(fun(*args), with_namespace(fun, numpy)(*host), device)
    check_grads(fun, *args)
