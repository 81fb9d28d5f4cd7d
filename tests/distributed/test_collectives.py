"""``minpy.distributed.collectives`` in process, on a fake 2-rank job whose other rank mirrors
this one (so a sum is twice the value): buckets, dtypes, devices, NCCL and MPI paths, errors.

The real 2-process runs are in ``test_mpi.py``.
"""

from __future__ import annotations

import numpy
import pytest

import minpy.distributed as dist
import minpy.numpy as np
from minpy.core import grad
from minpy.testing import fake_device
from tests.distributed.fakes import FakeComm, FakeNccl


def _tree(device=None):
    return {
        "w": np.arange(6.0, device=device).reshape(2, 3),
        "b": [np.ones(3, dtype="float32", device=device), np.full((2,), 2.0, device=device)],
        "n": (np.arange(4, device=device),),
    }


@pytest.mark.parametrize(
    ("bucket_bytes", "reductions"), [(None, 3), (0, 4), (8, 4), (48, 4), (64, 3), (10**9, 3)]
)
def test_allreduce_sum_buckets_per_dtype(fake_comm: FakeComm, bucket_bytes, reductions) -> None:
    dist.init()
    tree = _tree()
    w = tree["w"]
    assert dist.allreduce(tree, "sum", bucket_bytes=bucket_bytes) is tree
    assert tree["w"] is w  # in place
    assert tree["w"].tolist() == (numpy.arange(6.0).reshape(2, 3) * 2).tolist()
    assert tree["b"][0].tolist() == [2.0] * 3 and tree["b"][0].dtype == numpy.float32
    assert tree["b"][1].tolist() == [4.0, 4.0] and tree["n"][0].tolist() == [0, 2, 4, 6]
    # float64 "w" (48 bytes) and "b"[1] (16 bytes) share a dtype; float32 and int64 do not
    assert fake_comm.counts("Allreduce") == reductions


def test_allreduce_mean_and_integer_mean_error(fake_comm: FakeComm) -> None:
    dist.init()
    g = {"w": np.array([1.0, 3.0]), "c": np.array([1j])}
    dist.allreduce(g, "mean")
    assert g["w"].tolist() == [1.0, 3.0] and g["c"].tolist() == [1j]
    with pytest.raises(TypeError, match=r"op='mean' of int64 arrays.*use op='sum'"):
        dist.allreduce({"n": np.arange(3)}, "mean")
    with pytest.raises(ValueError, match=r"op='max'; use one of"):
        dist.allreduce(g, "max")


def test_average_gradients_with_loss(fake_comm: FakeComm) -> None:
    dist.init()
    grads = {"w": np.array([2.0, 4.0])}
    loss = np.sum(grads["w"])
    out, mean_loss = dist.average_gradients(grads, loss)
    assert out is grads and mean_loss is loss and float(loss) == 6.0
    assert fake_comm.counts("Allreduce") == 1  # the loss rides in the gradients' bucket


def test_broadcast_and_parameters(fake_comm: FakeComm) -> None:
    dist.init()
    params = _tree()
    assert dist.broadcast_parameters(params) is params
    assert params["w"].tolist() == numpy.arange(6.0).reshape(2, 3).tolist()
    assert fake_comm.counts("Bcast") == 3
    with pytest.raises(ValueError, match="root=2 is not a rank"):
        dist.broadcast(params, root=2)


def test_collectives_reject_bad_values(fake_comm: FakeComm) -> None:
    dist.init()
    with pytest.raises(TypeError, match=r"\['b'\] is a list.*minpy.numpy.asarray|is a float"):
        dist.allreduce({"b": 1.5})
    with pytest.raises(TypeError, match=r"\['a'\]\[1\] is a ndarray"):
        dist.allreduce({"a": [np.ones(1), numpy.ones(1)]})
    with pytest.raises(ValueError, match=r"bucket_bytes=-1; use an int >= 0"):
        dist.allreduce(np.ones(1), bucket_bytes=-1)

    def f(x):
        dist.allreduce(x)
        return np.sum(x)

    with pytest.raises(TypeError, match="collectives are not differentiable"):
        grad(f)(np.ones(2))


def test_layout_check_compares_the_ranks(fake_comm: FakeComm, monkeypatch) -> None:
    dist.init()
    digests: list = []

    def allgather(obj):
        digests.append(obj)
        if isinstance(obj, str):  # the digests: the other rank's differs
            return [obj, "other"]
        extra, sig = obj
        return [obj, (extra, [(sig[0][0], (9,), "float32", "cpu")])]

    monkeypatch.setattr(fake_comm, "allgather", allgather)
    x = np.ones(3)
    with pytest.raises(
        dist.CollectiveMismatchError,
        match=r"rank 1 passed <array> with shape \(9,\), dtype float32 on a cpu device where "
        r"rank 0 passed <array> with shape \(3,\), dtype float64",
    ) as info:
        dist.allreduce(x)
    assert isinstance(info.value, ValueError)
    assert x.tolist() == [1.0] * 3 and fake_comm.counts("Allreduce") == 0
    dist.allreduce(x, check=False)  # no comparison: straight to the reduction
    assert x.tolist() == [2.0] * 3


def test_gpu_arrays_go_through_nccl(fake_comm: FakeComm, fake_nccl: FakeNccl) -> None:
    dev = fake_device(0)
    dist.init(dev)
    tree = _tree(dev)
    dist.allreduce(tree, "sum", bucket_bytes=None)
    assert tree["w"].device == dev
    assert tree["w"].tolist() == (numpy.arange(6.0).reshape(2, 3) * 2).tolist()
    assert tree["b"][0].tolist() == [2.0] * 3 and tree["n"][0].tolist() == [0, 2, 4, 6]
    del tree["n"]
    dist.allreduce(tree, "mean")  # the sum, divided on the device
    assert tree["b"][1].tolist() == [4.0, 4.0]
    reduces = [c for c in fake_nccl.calls if c[0] == "allReduce"][:3]
    # one per dtype: float64 (6 + 2 elements), float32 (3), int64 (4), in place, summed
    assert sorted(c[1:4] for c in reduces) == [(3, 7, 0), (4, 4, 0), (8, 8, 0)]
    assert fake_comm.counts("Allreduce") == 0  # MPI only carried the layout check
    dist.broadcast(tree, root=1)
    assert next(c for c in fake_nccl.calls if c[0] == "bcast") == ("bcast", 8, 8, 1, 0)


def test_gpu_arrays_without_nccl_are_staged_through_mpi(fake_comm: FakeComm) -> None:
    dev = fake_device(0)
    dist.init(dev, nccl=False)
    x = np.array([1.0, 2.0], device=dev)
    dist.allreduce(x)
    assert x.device == dev and x.tolist() == [2.0, 4.0]
    assert fake_comm.counts("Allreduce") == 1


def test_nccl_communicator_checks(fake_nccl: FakeNccl) -> None:
    from minpy.backends.nccl import Communicator

    comm = Communicator(fake_nccl, 2, 0, (1,), stream=lambda: 5)
    buf = numpy.array([1.0, 2.0])
    comm.allreduce(buf)
    assert buf.tolist() == [2.0, 4.0] and fake_nccl.calls[-1] == ("allReduce", 2, 8, 0, 5)
    z = numpy.array([1 + 2j], dtype=numpy.complex64)
    comm.allreduce(z)  # complex: pairs of reals
    assert z.tolist() == [2 + 4j] and fake_nccl.calls[-1][1:3] == (2, 7)
    with pytest.raises(TypeError, match=r"dtype dtype\('bool'\)|NCCL cannot reduce arrays of"):
        comm.allreduce(numpy.ones(2, dtype=numpy.longdouble))
    with pytest.raises(ValueError, match="NCCL needs a contiguous buffer"):
        comm.allreduce(numpy.ones((2, 2))[:, 0])
    with pytest.raises(ValueError, match="unknown op 'prod'"):
        comm.allreduce(buf, "prod")
