"""``NDArrayIter``'s data-parallel shards: ``num_parts``/``part_index`` and ``shard``."""

from __future__ import annotations

import numpy
import pytest

from minpy.nn.io import NDArrayIter


@pytest.mark.parametrize("handle", ["pad", "discard", "roll_over"])
@pytest.mark.parametrize("parts", [1, 2, 4])
def test_parts_cover_each_batch_exactly(handle: str, parts: int) -> None:
    X = numpy.arange(22.0).reshape(11, 2)
    whole = NDArrayIter(X, numpy.arange(11), 4, shuffle=True, seed=3, last_batch_handle=handle)
    shards = [
        NDArrayIter(X, numpy.arange(11), 4, shuffle=True, seed=3, last_batch_handle=handle,
                    num_parts=parts, part_index=i)
        for i in range(parts)
    ]  # fmt: skip
    for _ in range(2):  # two epochs: the parts shuffle alike
        batches = [list(s) for s in shards]
        full = list(whole)
        assert all(len(b) == len(full) for b in batches)
        for j, batch in enumerate(full):
            pieces = [b[j] for b in batches]
            got = numpy.concatenate([p.label[0].asnumpy() for p in pieces])
            assert got.tolist() == batch.label[0].tolist()
            assert sum(p.pad for p in pieces) == batch.pad
            assert all(p.data[0].shape == (4 // parts, 2) for p in pieces)
    assert shards[-1].provide_data == [("data", (4 // parts, 2))]


def test_parts_pad_counts_only_this_shard() -> None:
    it = NDArrayIter(numpy.arange(6.0), numpy.arange(6), 4, num_parts=2, part_index=0)
    pads = [b.pad for b in it]
    it1 = NDArrayIter(numpy.arange(6.0), numpy.arange(6), 4, num_parts=2, part_index=1)
    assert pads == [0, 0] and [b.pad for b in it1] == [0, 2]
    assert "num_parts=2, part_index=1" in repr(it1)


def test_shard_sets_the_part() -> None:
    it = NDArrayIter(numpy.arange(8.0), numpy.arange(8), 4)
    assert it.shard(2, 1) is it
    assert [b.label[0].tolist() for b in it] == [[2, 3], [6, 7]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_parts": 0}, r"num_parts must be a positive int, got 0"),
        ({"num_parts": 2, "part_index": 2}, r"part_index=2 is not a part of num_parts=2"),
        ({"num_parts": 2, "part_index": True}, r"part_index=True"),
        ({"num_parts": 3}, r"batch_size=4 does not split into num_parts=3 .*multiple of 3"),
        ({"num_parts": 2, "last_batch_handle": "keep"}, r"'keep' makes a short last batch"),
    ],
)
def test_parts_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        NDArrayIter(numpy.zeros((8, 2)), numpy.zeros(8), 4, **kwargs)
