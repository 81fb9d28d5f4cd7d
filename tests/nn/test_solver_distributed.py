"""``Solver(distributed=True)`` in process, on a fake 2-rank job whose other rank mirrors this
one; the real 2-process training runs are in ``tests/distributed/test_mpi.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy
import pytest

import minpy
import minpy.distributed as dist
from minpy.demo import MLP
from minpy.distributed import world as _world
from minpy.nn.io import NDArrayIter
from minpy.nn.solver import Solver
from tests.distributed.fakes import FakeComm, fake_mpi


@pytest.fixture
def job(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeComm]:
    comm = FakeComm(2, 1)  # this process is rank 1 of 2
    monkeypatch.setattr(_world, "_import_mpi", lambda: fake_mpi(comm))
    before = minpy.current_context()
    yield comm
    dist.finalize()
    minpy.set_context(before)


def _data() -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.RandomState(0)
    X = rng.randn(40, 6).astype("float32")
    return X, (X[:, 0] > 0).astype(int)


def test_solver_distributed_rank_1(job: FakeComm, tmp_path: Path, capsys) -> None:
    X, y = _data()
    path = tmp_path / "ck.npz"
    solver = Solver(MLP(6, (8,), 2), (X, y), (X, y), batch_size=10, num_epochs=2,
                    update_rule="adam", checkpoint=path, distributed=True)  # fmt: skip
    assert (solver.train_dataiter.num_parts, solver.train_dataiter.part_index) == (2, 1)
    assert not solver.verbose and not solver.progress  # only rank 0 prints
    solver.train()
    assert capsys.readouterr().out == ""
    assert not path.exists()  # only rank 0 writes checkpoints
    # per step (4 a epoch): one bucketed reduction of the 4 float32 gradients and the loss
    assert len(solver.loss_history) == 8 and job.counts("Allreduce") == 8
    assert job.counts("Bcast") == 1  # the initial parameters, one bucket
    # the training metric (all 40 examples: no subsample) is summed over the shards
    metric = [obj for name, obj in job.calls if name == "allgather" and isinstance(obj, tuple)]
    assert len(metric) == 2 and all(m[1] == 20 for m in metric)  # 20 of 40 examples


def test_solver_distributed_refuses_other_shards(job: FakeComm) -> None:
    X, y = _data()
    it = NDArrayIter(X, y, 10, num_parts=2, part_index=0)
    with pytest.raises(ValueError, match="this is rank 1 of 2"):
        Solver(MLP(6, (8,), 2), it, distributed=True)
    with pytest.raises(TypeError, match="distributed must be True or False"):
        Solver(MLP(6, (8,), 2), (X, y), batch_size=10, distributed=1)
