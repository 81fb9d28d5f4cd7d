"""Rows of MINPY_API.md closed by small additions: each test calls the name with MinPy's
signature and checks MinPy's semantics."""

from __future__ import annotations

import logging

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.context import Context, cpu, current_context, gpu
from minpy.core import grad
from minpy.nn.io import NDArrayIter, load_data_labels, save_data_labels
from minpy.primitive import customop
from minpy.utils.common import enforce_type
from minpy.utils.log import get_logger


# §2 minpy.context ------------------------------------------------------------------------------
def test_context_device_id_keyword() -> None:
    assert cpu(device_id=0) is cpu()
    try:
        dev = gpu(device_id=0)
    except minpy.BackendUnavailableError:  # CuPy without a usable GPU: gpu() checks at once
        return
    assert dev == Context("gpu", 0)


def test_context_typeid_and_class_attributes() -> None:
    assert (Context("cpu").device_typeid, Context("gpu", 0).device_typeid) == (1, 2)
    assert Context.devtype2str[3] == "cpu_pinned" and Context.devstr2type["gpu"] == 2
    assert Context.default_ctx is current_context()
    with cpu():
        assert Context.default_ctx is cpu()


# §5 minpy.primitive ----------------------------------------------------------------------------
def _multiply() -> object:
    @customop("numpy")
    def multiply(x: numpy.ndarray, y: numpy.ndarray) -> numpy.ndarray:
        return x * y

    return multiply


def test_customop_def_multiple_grad() -> None:
    op = _multiply()
    assert op.def_multiple_grad(lambda ans, x, y: lambda g: (g * y, g * x), (0, 1)) is op
    gx, gy = grad(lambda x, y: np.sum(op(x, y)), argnum=[0, 1])(np.array([2.0]), np.array([3.0]))
    assert (float(gx[0]), float(gy[0])) == (3.0, 2.0)


def test_primitive_gradable_and_call() -> None:
    op = _multiply().def_grad(lambda ans, x, y: lambda g: g * y)
    assert op.gradable([0], [])
    assert not op.gradable([0, 1], [])  # no rule for y
    assert not op.gradable([0], ["y"])  # keyword arguments are never differentiated
    assert op.call((np.array([2.0]), np.array([4.0])), {}).tolist() == [8.0]
    assert np.exp.gradable([0], []) and np.exp.call((np.zeros(1),), {}).tolist() == [1.0]


# §6 minpy.numpy --------------------------------------------------------------------------------
def test_numpy_set_policy() -> None:
    try:
        np.set_policy(minpy.OnlyNumPyPolicy())
        assert np.policy.name == "only_numpy" == minpy.get_global_policy().name
    finally:
        np.set_policy("prefer_cupy")


# §7 minpy.numpy.random -------------------------------------------------------------------------
def test_random_uniform_normal_shape_keyword() -> None:
    assert np.random.uniform(0, 1, shape=(2, 3)).shape == (2, 3)
    assert np.random.normal(0, 1, shape=(4,)).shape == (4,)
    with pytest.raises(TypeError, match="only one"):
        np.random.uniform(size=2, shape=2)


# §10 minpy.utils.log / common ------------------------------------------------------------------
def test_utils_get_logger() -> None:
    log = get_logger("minpy.test_api_rows")
    assert log.level == logging.WARNING and len(log.handlers) == 1
    assert get_logger("minpy.test_api_rows") is log and len(log.handlers) == 1
    record = logging.LogRecord("x", logging.ERROR, __file__, 7, "boom", None, None, "f")
    assert log.handlers[0].format(record).endswith("x:f:7] boom")


def test_utils_enforce_type() -> None:
    class Box:
        @enforce_type(int, method=True)
        def add(self, x: int, y: int = 0) -> int:
            return x + y

    assert Box().add("2", y=3.7) == 5
    assert enforce_type(float)(lambda x: x)("1.5") == 1.5


# §14 minpy.nn.io -------------------------------------------------------------------------------
def test_ndarrayiter_data_list_and_num_source() -> None:
    x, y = numpy.arange(10.0).reshape(5, 2), numpy.arange(5)
    it = NDArrayIter(x, y, batch_size=2)
    assert it.num_source == 2 and len(it.data_list) == 2
    assert numpy.array_equal(it.data_list[0], x) and numpy.array_equal(it.data_list[1], y)
    assert it.num_iterations_per_epoch == it.getnumiterations() == 3


def test_save_load_data_labels(tmp_path: object) -> None:
    path = f"{tmp_path}/data.pkl"
    save_data_labels(numpy.ones((3, 2)), numpy.array([0, 1, 2]), path)
    data, labels = load_data_labels(path)
    assert data.shape == (3, 2) and labels.tolist() == [0, 1, 2]
