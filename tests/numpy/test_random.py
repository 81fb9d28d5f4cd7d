"""minpy.numpy.random: draws are Arrays on the current device (or ``device=``), seeding
per device is reproducible, shuffle works in place.
"""

from __future__ import annotations

import numpy
import pytest

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


# --------------------------------------------------------------------------------------------
# the rest of numpy.random (MinPy passed NumPy's through)

DISTRIBUTIONS = [
    ("binomial", (10, 0.3), {}),
    ("poisson", (2.0,), {}),
    ("exponential", (1.5,), {}),
    ("gamma", (2.0, 0.5), {}),
    ("beta", (2.0, 3.0), {}),
    ("chisquare", (3,), {}),
    ("geometric", (0.4,), {}),
    ("laplace", (0.0, 2.0), {}),
    ("lognormal", (0.0, 0.5), {}),
    ("multinomial", (5, [0.2, 0.3, 0.5]), {}),
    ("standard_normal", (), {}),
    ("standard_exponential", (), {}),
]


def test_distributions_match_numpy_and_land_on_device(device):
    for name, args, kwargs in DISTRIBUTIONS:
        np.random.seed(5)
        got = getattr(np.random, name)(*args, size=(4,), **kwargs)
        want = getattr(numpy.random.RandomState(5), name)(*args, size=(4,), **kwargs)
        assert isinstance(got, minpy.Array) and got.device == device, name
        assert got.shape == want.shape, name
        if device.kind != "gpu":  # CuPy's generator draws other numbers
            numpy.testing.assert_array_equal(got.asnumpy(), want, err_msg=name)


def test_distribution_parameters_may_be_arrays(device):
    lam = np.array([1.0, 50.0, 1000.0])
    draws = np.random.poisson(lam)
    assert draws.shape == (3,) and draws.device == device
    assert float(draws[2]) > 500


def test_get_and_set_state_repeat_draws(device):
    if device.kind == "gpu":
        with pytest.raises(NotImplementedError, match="CuPy's random generator cannot export"):
            np.random.get_state()
        return
    state = np.random.get_state()
    a = np.random.randn(3)
    np.random.set_state(state)
    assert (np.random.randn(3) == a).all()


def test_random_state_is_its_own_generator(device):
    if device.kind == "gpu":
        pytest.skip("compares with NumPy's draws; tests/backends/test_cupy_random.py covers CuPy")
    r = np.random.RandomState(11)
    a = r.rand(3)
    np.random.seed(0)  # the module's generator is another one
    b = np.random.RandomState(11).rand(3)
    assert a.device == device and (a == b).all()
    want = numpy.random.RandomState(11)
    want.rand(3)
    numpy.testing.assert_array_equal(r.binomial(4, 0.5, size=5).asnumpy(), want.binomial(4, 0.5, 5))
    assert r.random((2,)).shape == (2,) and r.choice(5, 2).shape == (2,)
    state = r.get_state()
    c = r.standard_normal(2)
    r.set_state(state)
    assert (r.standard_normal(2) == c).all()
    r.seed(11)
    assert (r.rand(3) == a).all()
    assert repr(r) == f"RandomState(device={device!r})"
    with pytest.raises(AttributeError, match="no method 'shuffle'"):
        r.shuffle(np.arange(3.0))
