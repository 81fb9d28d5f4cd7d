"""minpy.nn.io.NDArrayIter: batching, shuffling, last-batch handling and device placement."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as _namespace
from minpy.nn.io import NDArrayIter

np: Any = _namespace


def labels(it: NDArrayIter) -> list[list[int]]:
    return [b.label[0].tolist() for b in it]


def test_batches_on_current_device(device: minpy.Device) -> None:
    x = numpy.arange(20.0).reshape(10, 2)
    it = NDArrayIter(x, numpy.arange(10), batch_size=4, last_batch_handle="keep")
    batches = list(it)
    assert [b.data[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(b.data[0].device is device and b.label[0].device is device for b in batches)
    numpy.testing.assert_array_equal(batches[1].data[0], x[4:8])


def test_explicit_device_and_array_inputs() -> None:
    from minpy.testing import fake_device

    dev = fake_device()
    it = NDArrayIter(np.ones((4, 3)), [np.arange(4)], batch_size=2, device=dev)
    b = next(iter(it))
    assert b.data[0].device is dev and b.label[0].device is dev


@pytest.mark.parametrize(
    ("handle", "expect", "pads"),
    [
        ("pad", [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]], [0, 0, 2]),
        ("keep", [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], [0, 0, 0]),
        ("discard", [[0, 1, 2, 3], [4, 5, 6, 7]], [0, 0]),
    ],
)
def test_last_batch_handles(handle: str, expect: list[list[int]], pads: list[int]) -> None:
    it = NDArrayIter(numpy.zeros((10, 1)), numpy.arange(10), 4, last_batch_handle=handle)
    batches = list(it)
    assert [b.label[0].tolist() for b in batches] == expect
    assert [b.pad for b in batches] == pads
    assert it.getnumiterations() == len(expect)
    assert sum(b.size for b in batches) == sum(len(e) - p for e, p in zip(expect, pads))


def test_roll_over_carries_rest_into_next_epoch() -> None:
    it = NDArrayIter(numpy.zeros((10, 1)), numpy.arange(10), 4, last_batch_handle="roll_over")
    assert labels(it) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert labels(it) == [[8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]
    assert labels(it) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_shuffle_each_epoch_reproducible() -> None:
    def epochs(seed: int) -> list[list[int]]:
        it = NDArrayIter(numpy.zeros((12, 1)), numpy.arange(12), 12, shuffle=True, seed=seed)
        return [labels(it)[0] for _ in range(2)]

    first, second = epochs(1)
    assert sorted(first) == list(range(12)) and first != second
    assert epochs(1) == [first, second]
    assert labels(NDArrayIter(numpy.zeros((5, 1)), numpy.arange(5), 5)) == [[0, 1, 2, 3, 4]]


def test_data_and_labels_stay_aligned_when_shuffled() -> None:
    x = numpy.arange(30).reshape(15, 2)
    it = NDArrayIter(x, x[:, 0] * 10, 4, shuffle=True, seed=0)
    for b in it:
        numpy.testing.assert_array_equal(numpy.asarray(b.data[0])[:, 0] * 10, b.label[0])


def test_subiter_and_repr() -> None:
    it = NDArrayIter(numpy.zeros((50, 3)), numpy.arange(50), 8, seed=0)
    sub = it.getsubiter(20)
    assert sub.num_data == 20 and sum(b.size for b in sub) == 20
    assert "batch_size=8" in repr(it)
    assert "pad=0" in repr(next(iter(it)))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="hold 5 and 4 examples"):
        NDArrayIter(numpy.zeros((5, 2)), numpy.zeros(4))
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        NDArrayIter(numpy.zeros((5, 2)), batch_size=0)
    with pytest.raises(ValueError, match="last_batch_handle='drop'"):
        NDArrayIter(numpy.zeros((5, 2)), last_batch_handle="drop")
    with pytest.raises(ValueError, match="no full batch"):
        NDArrayIter(numpy.zeros((5, 2)), batch_size=8, last_batch_handle="discard")
