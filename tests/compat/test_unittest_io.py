"""MinPy's tests/unittest/test_io.py: ``NDArrayIter`` over minpy and NumPy arrays, shuffled and
not, with ``last_batch_handle='pad'``: batch counts, data matching labels, and the padding
taken from the start of the data."""

from __future__ import annotations

import numpy as ori_np
import pytest

import minpy.nn.io as io
import minpy.numpy as np


def _data(module):
    datas = module.ones([1000, 2, 2])
    labels = module.ones([1000, 1])
    for i in range(1000):
        datas[i] = i / 100
        labels[i] = i / 100
    return datas, labels


@pytest.mark.parametrize("module", [np, ori_np], ids=["minpy", "numpy"])
@pytest.mark.parametrize(("batch_size", "batches", "zeros"), [(100, 10, 100), (128, 8, 124)])
def test_ndarrayiter_pad(module, batch_size, batches, zeros) -> None:
    datas, labels = _data(module)
    it = io.NDArrayIter(datas, labels, batch_size=batch_size, shuffle=True, last_batch_handle="pad")
    assert sum(1 for _ in it) == batches

    it = io.NDArrayIter(
        datas, labels, batch_size=batch_size, shuffle=False, last_batch_handle="pad"
    )
    labelcount = [0] * 10
    for batch in it:
        label = batch.label[0].asnumpy().flatten()
        assert (batch.data[0].asnumpy()[:, 0, 0] == label).all()
        assert (batch.data[0][:, 0, 0].asnumpy() == label).all()
        for v in label:
            labelcount[int(v)] += 1
    assert labelcount == [zeros] + [100] * 9  # the padding repeats the first examples
