"""NumPy's ufunc methods on minpy primitives: reduce, accumulate, reduceat, outer, at."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.errors import GradientError, MissingVJPError
from minpy.testing import check_grads, fake_device

A = numpy.arange(1.0, 13.0).reshape(3, 4) / 4.0


def _same(got: Any, want: Any, device: minpy.Device) -> None:
    assert isinstance(got, minpy.Array) and got.device is device
    assert got.dtype == numpy.asarray(want).dtype
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)


@pytest.mark.parametrize(
    ("ufunc", "kwargs"),
    [
        ("add", {}),
        ("add", {"axis": 1, "keepdims": True}),
        ("add", {"axis": None}),
        ("add", {"axis": 0, "dtype": numpy.float32}),
        ("multiply", {"axis": 1}),
        ("maximum", {"axis": 0}),
        ("minimum", {"axis": (0, 1)}),
        ("subtract", {"axis": 1}),
        ("add", {"axis": 1, "initial": 10.0}),
        ("hypot", {}),
    ],
)
@pytest.mark.filterwarnings("ignore::minpy.policy.FallbackWarning")  # CuPy lacks some
def test_reduce_matches_numpy(ufunc: str, kwargs: dict[str, Any], device: minpy.Device) -> None:
    got = getattr(np, ufunc).reduce(np.array(A), **kwargs)
    _same(got, getattr(numpy, ufunc).reduce(A, **kwargs), device)


def test_reduce_of_logical_ufuncs(device: minpy.Device) -> None:
    m = numpy.array([[True, False], [True, True]])
    _same(np.logical_and.reduce(np.array(m), axis=1), numpy.logical_and.reduce(m, axis=1), device)
    _same(np.logical_or.reduce(np.array(m)), numpy.logical_or.reduce(m), device)


@pytest.mark.filterwarnings("ignore::minpy.policy.FallbackWarning")  # CuPy lacks some
def test_accumulate_reduceat_outer_match_numpy(device: minpy.Device) -> None:
    x = np.array(A)
    _same(np.add.accumulate(x, axis=1), numpy.add.accumulate(A, axis=1), device)
    _same(np.multiply.accumulate(x), numpy.multiply.accumulate(A), device)
    _same(np.maximum.accumulate(x, axis=1), numpy.maximum.accumulate(A, axis=1), device)
    idx = [0, 2, 1, 3]
    _same(np.add.reduceat(x, idx, axis=1), numpy.add.reduceat(A, idx, axis=1), device)
    v = numpy.array([1.0, -2.0, 0.5])
    _same(np.multiply.outer(x, np.array(v)), numpy.multiply.outer(A, v), device)
    _same(np.subtract.outer([1.0, 2.0], np.array(v)), numpy.subtract.outer([1.0, 2.0], v), device)
    _same(np.greater.outer(np.array(v), v), numpy.greater.outer(v, v), device)


def test_ufunc_attributes_are_numpys() -> None:
    assert (np.add.nin, np.add.nout, np.add.identity) == (2, 1, 0)
    assert np.negative.nin == 1 and not hasattr(np.negative, "reduce")
    assert np.abs is np.absolute and np.abs.nin == 1
    assert np.add.types == numpy.add.types


@pytest.mark.filterwarnings("ignore::minpy.policy.FallbackWarning")  # CuPy lacks some
def test_at_matches_numpy_with_repeated_indices(device: minpy.Device) -> None:
    for ufunc, key, b in [
        ("add", [0, 0, 2], 1.5),
        ("add", ([0, 0, 2], [1, 1, 3]), numpy.array([1.0, 2.0, 3.0])),
        ("subtract", (slice(None), [0, 0]), 0.25),
        ("multiply", [1, 1, 1], 2.0),
        ("maximum", [0, 1, 0], numpy.array([[9.0], [-1.0], [3.0]])),
    ]:
        want = A.copy()
        getattr(numpy, ufunc).at(want, key, b)
        x = np.array(A)
        view = x[1:]
        assert getattr(np, ufunc).at(x, key, b) is None
        _same(x, want, device)
        _same(view, want[1:], device)  # in place: an existing view sees the update
    w = np.array([1.0, -2.0, 3.0])
    np.negative.at(w, [0, 0, 1])
    _same(w, numpy.array([1.0, 2.0, 3.0]), device)


def test_at_falls_back_to_the_host_where_the_device_lacks_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from minpy import policy

    monkeypatch.setattr(minpy.stats, "_warned", set())
    dev = fake_device(kind="fake_no_at", missing=("multiply.at",))
    x = np.array(A, device=dev)
    with pytest.warns(policy.FallbackWarning, match=r"multiply\.at"):
        np.multiply.at(x, ([0, 0], [1, 1]), 3.0)
    want = A.copy()
    numpy.multiply.at(want, ([0, 0], [1, 1]), 3.0)
    assert x.device is dev
    numpy.testing.assert_allclose(x.asnumpy(), want)


def test_at_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match=r"add\.at: the first argument must be a minpy Array"):
        np.add.at(numpy.zeros(3), [0], 1.0)
    with pytest.raises(TypeError, match=r"add\.at: give the second operand b"):
        np.add.at(np.zeros(3), [0])
    with pytest.raises(TypeError, match=r"negative\.at: a unary ufunc takes no second operand"):
        np.negative.at(np.zeros(3), [0], 1.0)


def test_reduce_accumulate_outer_gradients(device: minpy.Device) -> None:
    x = np.array(A)
    v = np.array([0.5, -1.0, 2.0])
    check_grads(lambda x: np.add.reduce(x, axis=1), x)
    check_grads(lambda x: np.add.reduce(x, axis=None), x)
    check_grads(lambda x: np.multiply.reduce(x, axis=0), x)
    check_grads(lambda x: np.maximum.reduce(x, axis=1, keepdims=True), x)
    check_grads(lambda x: np.add.accumulate(x, axis=1), x)
    check_grads(lambda x, v: np.multiply.outer(x, v), x, v)
    check_grads(lambda v, x: np.subtract.outer(v, x), v, x)


def test_add_at_and_subtract_at_gradients(device: minpy.Device) -> None:
    x = np.array(A)
    v = np.array([0.5, -1.0, 2.0])

    def f(x: Any, v: Any) -> Any:
        y = x * 1.0
        np.add.at(y, ([0, 0, 2], [1, 1, 3]), v)  # the repeated (0, 1) gets both values
        np.subtract.at(y, [1], 2.0 * v[0])
        return y * y

    check_grads(f, x, v)

    def total(x: Any, v: Any) -> Any:
        y = x * 1.0
        np.add.at(y, ([0, 0, 2], [1, 1, 3]), v)
        np.subtract.at(y, [1], 2.0 * v[0])
        return np.sum(y)

    # each v lands once, repeats included; 2 v[0] is taken from all four entries of row 1
    gx, gv = grad(total, [0, 1])(x, v)
    numpy.testing.assert_allclose(gx.asnumpy(), numpy.ones(A.shape))
    numpy.testing.assert_allclose(gv.asnumpy(), [1.0 - 8.0, 1.0, 1.0])


def test_at_on_traced_array_without_rule_raises(device: minpy.Device) -> None:
    def f(x: Any) -> Any:
        y = x * 1.0
        np.multiply.at(y, [0], 2.0)
        return np.sum(y)

    with pytest.raises(GradientError, match=r"multiply\.at"):
        grad(f)(np.array(A))


@pytest.mark.filterwarnings("ignore::minpy.policy.FallbackWarning")  # CuPy lacks some
def test_forward_only_methods_name_themselves_when_differentiated(device: minpy.Device) -> None:
    with pytest.raises(MissingVJPError, match=r"subtract\.reduce"):
        grad(lambda x: np.sum(np.subtract.reduce(x)))(np.array(A))


def test_at_keeps_values_a_recorded_node_saved(device: minpy.Device) -> None:
    w = np.array([1.0, 2.0, 3.0])

    def f(x: Any) -> Any:
        y = x * w  # the multiply rule keeps w
        np.add.at(w, [0], 100.0)  # w is written afterwards: the rule must still see 1, 2, 3
        return np.sum(y)

    g = grad(f)(np.ones(3))
    numpy.testing.assert_allclose(g.asnumpy(), [1.0, 2.0, 3.0])
    numpy.testing.assert_allclose(w.asnumpy(), [101.0, 2.0, 3.0])


@pytest.mark.parametrize("ufunc", ["add", "subtract"])
@pytest.mark.parametrize(
    "values", [1.5, numpy.array([0.1, 0.2, 0.3]), [0.25, 0.5, 0.75]], ids=["number", "f64", "list"]
)
def test_at_float32_target_stays_float32(device: minpy.Device, ufunc: str, values: Any) -> None:
    # NumPy's ufunc.at casts the values to the target's dtype; traced, the gradient follows
    idx = [0, 2, 0]
    host = A[0].astype(numpy.float32)
    want = host.copy()
    getattr(numpy, ufunc).at(want, idx, values)

    def f(x: Any) -> Any:
        y = x * 1.0
        v = np.array(values) if isinstance(values, numpy.ndarray) else values
        getattr(np, ufunc).at(y, idx, v)
        assert y.dtype == numpy.float32
        return y * y

    got = f(np.array(host))
    _same(got, want * want, device)
    g = grad(f)(np.array(host))
    assert g.dtype == numpy.float32 and g.device is device
    numpy.testing.assert_allclose(g.asnumpy(), 2 * want, rtol=1e-6)

    # and the gradient of traced float64 values reaching a float32 target is float64 again
    def g_of(v: Any) -> Any:
        y = np.array(host)
        getattr(np, ufunc).at(y, idx, v)
        return np.sum(y)

    gv = grad(g_of)(np.array([0.1, 0.2, 0.3]))
    assert gv.dtype == numpy.float64
    sign = 1.0 if ufunc == "add" else -1.0
    numpy.testing.assert_array_equal(gv.asnumpy(), [sign] * 3)
