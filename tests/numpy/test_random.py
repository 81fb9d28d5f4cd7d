"""minpy.numpy.random: draws are Arrays on the current device (or ``device=``), seeding
per device is reproducible, shuffle works in place.
"""

from __future__ import annotations

import numpy

import minpy
import minpy.numpy as np
from minpy.context import Device


def test_random_functions_create_on_device(device):
    draws = [
        np.random.rand(2, 3),
        np.random.randn(4),
        np.random.randint(0, 5, size=6),
        np.random.random((2,)),
        np.random.uniform(-1, 1, size=3),
        np.random.normal(0, 2, size=(2, 2)),
        np.random.choice(5, 3),
        np.random.permutation(5),
        np.random.permutation(np.arange(4.0)),
    ]
    for d in draws:
        assert isinstance(d, minpy.Array) and d.device == device
    assert draws[0].shape == (2, 3) and int(draws[2].max()) < 5


def test_random_seed_reproducible(device):
    np.random.seed(42)
    a = np.random.randn(3)
    np.random.seed(42)
    b = np.random.randn(3)
    assert (a == b).all()


def test_random_shuffle_in_place():
    x = np.arange(10.0)
    np.random.shuffle(x)
    assert sorted(x.tolist()) == list(range(10)) and x.tolist() != list(range(10))


def test_random_seed_per_device(device: Device) -> None:
    np.random.seed(3, device=device)
    a = np.random.randn(4, device=device)
    np.random.seed(3, device=device)
    b = np.random.randn(4, device=device)
    assert a.device is device
    numpy.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
