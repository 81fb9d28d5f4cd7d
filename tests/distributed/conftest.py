"""Fixtures of the distributed tests: a mirrored 2-rank job and a NCCL stand-in, in process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import minpy
import minpy.distributed as dist
from minpy.backends import nccl as _nccl
from minpy.distributed import world as _world
from tests.distributed.fakes import FakeComm, FakeNccl, fake_mpi


@pytest.fixture
def fake_comm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeComm]:
    """``init()`` joins a fake 2-rank job (rank 0) whose other rank mirrors this one."""
    comm = FakeComm(2, 0)
    monkeypatch.setattr(_world, "_import_mpi", lambda: fake_mpi(comm))
    yield comm
    dist.finalize()


@pytest.fixture
def fake_nccl(monkeypatch: pytest.MonkeyPatch) -> FakeNccl:
    """``minpy.backends.nccl`` loads a recording NCCL stand-in, on the default stream."""
    module = FakeNccl()
    monkeypatch.setattr(_nccl, "load", lambda: module)
    monkeypatch.setattr(_nccl, "_current_stream", lambda: 0)
    return module


@pytest.fixture(autouse=True)
def _finalized() -> Iterator[None]:
    """Each test leaves no job behind, and the current context as it found it."""
    before = minpy.current_context()
    yield
    dist.finalize()
    minpy.set_context(before)
