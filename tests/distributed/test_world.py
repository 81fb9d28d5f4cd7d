"""``minpy.distributed.world``: init, the process's place, the abort hook, the errors."""

from __future__ import annotations

import sys

import pytest

import minpy
import minpy.distributed as dist
from minpy.testing import fake_device
from tests.distributed.fakes import FakeComm


def test_init_without_mpi4py_says_how_to_install_and_launch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(dist.DistributedUnavailableError) as info:
        dist.init()
    msg = str(info.value)
    assert 'pip install "minpy[mpi]"' in msg and "mpiexec -n 2 python" in msg
    assert isinstance(info.value, RuntimeError) and not dist.is_initialized()


def test_world_before_init_raises() -> None:
    for fn in (dist.rank, dist.size, dist.local_rank, dist.barrier):
        with pytest.raises(dist.DistributedError, match=r"call minpy.distributed.init\(\) first"):
            fn()
    with pytest.raises(dist.DistributedError):
        dist.allreduce(minpy.numpy.ones(2))


def test_init_fake_job_rank_size_and_device(fake_comm: FakeComm) -> None:
    device = dist.init()
    assert device == minpy.cpu() and minpy.current_context() == minpy.cpu()
    assert (dist.rank(), dist.size(), dist.local_rank()) == (0, 2, 0)
    assert dist.init() == device  # a second call keeps the job
    assert dist.allgather_object("x") == ["x", "x"]
    assert dist.broadcast_object({"a": 1}) == {"a": 1}
    dist.barrier()
    assert fake_comm.counts("Barrier") == 1
    with pytest.raises(ValueError, match=r"root=5 is not a rank of this job; use an int in"):
        dist.broadcast_object(1, root=5)


def test_init_alone_warns_how_to_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    from minpy.distributed import world
    from tests.distributed.fakes import fake_mpi

    for name in world._LAUNCHER_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(world, "_import_mpi", lambda: fake_mpi(FakeComm(1, 0)))
    with pytest.warns(RuntimeWarning, match=r"not started by an MPI launcher.*mpiexec -n 2"):
        dist.init()
    assert dist.size() == 1
    dist.finalize()
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "1")
    dist.init()  # launched (mpiexec -n 1): no warning


def test_abort_hook_reports_the_rank_and_aborts_every_rank(
    fake_comm: FakeComm, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sys.excepthook
    dist.init()
    hook = sys.excepthook
    assert hook is not before
    try:
        raise ValueError("boom")
    except ValueError as exc:
        hook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "rank 0 of 2 failed; aborting all ranks" in err and "ValueError: boom" in err
    assert fake_comm.aborted == 1
    dist.finalize()
    assert sys.excepthook is before and not dist.is_initialized()


def test_init_gpu_like_device_makes_a_nccl_communicator(fake_comm: FakeComm, fake_nccl) -> None:
    dev = fake_device(1)
    assert dist.init(dev) == dev and minpy.current_context() == dev
    assert fake_nccl.calls == [("init", 2, (1, 2, 3), 0)]
    dist.finalize()
    assert fake_nccl.calls[-1] == ("destroy",)


def test_init_nccl_missing(fake_comm: FakeComm, monkeypatch: pytest.MonkeyPatch) -> None:
    from minpy.backends import nccl
    from minpy.errors import BackendUnavailableError

    def missing() -> None:
        raise BackendUnavailableError("no NCCL here")

    monkeypatch.setattr(nccl, "load", missing)
    with pytest.raises(dist.DistributedUnavailableError, match="rank 0: no NCCL here"):
        dist.init(fake_device(0), nccl=True)
    dist.init(fake_device(0))  # nccl=None: GPU arrays are staged through MPI instead
    from minpy.distributed.world import world

    assert world().nccl is None
