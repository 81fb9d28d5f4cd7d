"""MinPy's additions to ``minpy.numpy``: onehot_encode, softmax_output, sigmoid, slice_axis and
the op statistics (record_op_stat, show_op_stat), on every device."""

from __future__ import annotations

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad
from minpy.testing import check_grads


def test_onehot_encode_writes_in_place(device: minpy.Device) -> None:
    out = np.zeros((3, 4))
    res = np.onehot_encode(np.array([3, 0, 1]), out)
    assert res is out and out.device is device
    expected = numpy.zeros((3, 4))
    expected[[0, 1, 2], [3, 0, 1]] = 1
    numpy.testing.assert_array_equal(out.asnumpy(), expected)
    np.onehot_encode([1, 1, 1], out)  # a list of indices works too; ones stay written
    assert out.asnumpy()[:, 1].tolist() == [1.0, 1.0, 1.0]


def test_onehot_encode_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match=r"out must be a 2-d minpy Array"):
        np.onehot_encode(np.array([0]), numpy.zeros((1, 2)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"indices must have shape \(2,\)"):
        np.onehot_encode(np.array([0, 1, 1]), np.zeros((2, 2)))


def test_softmax_output_forward_and_fused_gradient(device: minpy.Device) -> None:
    x = numpy.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    label = numpy.array([2, 0])
    e = numpy.exp(x - x.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    onehot = numpy.eye(3)[label]
    out = np.softmax_output(np.array(x), np.array(label))
    assert out.device is device
    numpy.testing.assert_allclose(out.asnumpy(), probs)
    # the incoming gradient is ignored: the gradient is (probs - label) / N whatever follows
    for loss in (lambda p: np.sum(p), lambda p: 7.0 * np.sum(p * p)):
        for lab in (np.array(label), np.array(onehot)):
            g = grad(lambda v, lab=lab, loss=loss: loss(np.softmax_output(v, lab)))(np.array(x))
            numpy.testing.assert_allclose(g.asnumpy(), (probs - onehot) / 2)


def test_softmax_output_is_stable_and_checks_shapes() -> None:
    out = np.softmax_output(np.array([[1000.0, 0.0]]), np.array([0]))
    assert numpy.isfinite(out.asnumpy()).all()
    with pytest.raises(ValueError, match=r"x must be \(N, C\) and label \(N, C\) or \(N,\)"):
        np.softmax_output(np.ones((2, 3)), np.ones((2, 2)))


def test_sigmoid_values_and_gradient(device: minpy.Device) -> None:
    x = numpy.array([-800.0, -1.0, 0.0, 2.0, 800.0])
    with numpy.errstate(over="ignore"):
        expected = 1 / (1 + numpy.exp(-x))
    numpy.testing.assert_allclose(np.sigmoid(np.array(x)).asnumpy(), expected)
    check_grads(np.sigmoid, np.array([-1.0, 0.3, 2.0]))


def test_slice_axis_matches_slicing_and_differentiates(device: minpy.Device) -> None:
    a = numpy.arange(24.0).reshape(2, 3, 4)
    numpy.testing.assert_array_equal(np.slice_axis(np.array(a), 1, 1, 3).asnumpy(), a[:, 1:3])
    numpy.testing.assert_array_equal(np.slice_axis(np.array(a), -1, 0, None).asnumpy(), a)
    numpy.testing.assert_array_equal(np.slice_axis(np.array(a), 2, -2, None).asnumpy(), a[..., -2:])
    check_grads(lambda v: np.slice_axis(v, 0, 1, 2) ** 2, np.array(a))
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        np.slice_axis(np.array(a), 3, 0, 1)


def test_record_and_show_op_stat(capsys: pytest.CaptureFixture[str]) -> None:
    np.exp(np.ones(2))
    np.record_op_stat()
    np.exp(np.ones(2))
    np.show_op_stat()
    out = capsys.readouterr().out
    assert out.startswith("2 primitive calls\n  numpy: 2 (100.0%)")
    assert "exp" in out and "ones" in out
