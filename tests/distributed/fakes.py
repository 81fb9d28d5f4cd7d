"""Single-process stand-ins for mpi4py's ``MPI`` and CuPy's ``cupy.cuda.nccl`` (test use only).

``FakeComm`` plays rank ``rank`` of a job of ``size`` ranks in which every other rank passes
exactly what this one passes: a sum over ranks is the value times ``size``, a broadcast leaves
the value as it is, an object allgather repeats the object. ``FakeNccl`` does the same on raw
buffers addressed by pointer, as NCCL does, and records every call; with the fake device (host
memory) the NCCL path of ``minpy.distributed`` runs on the CPU.
"""

from __future__ import annotations

import ctypes
import types
from typing import Any

import numpy

IN_PLACE = object()


class FakeComm:
    """One rank of a job whose other ranks mirror it."""

    def __init__(self, size: int = 2, rank: int = 0) -> None:
        self.size = size
        self.rank = rank
        self.calls: list[tuple[str, Any]] = []
        self.aborted: int | None = None

    def Get_rank(self) -> int:
        return self.rank

    def Get_size(self) -> int:
        return self.size

    def Split_type(self, kind: Any, key: int = 0) -> FakeComm:
        return FakeComm(self.size, self.rank)

    def Free(self) -> None:
        pass

    def Allreduce(self, send: Any, buf: Any, op: Any = None) -> None:
        assert send is IN_PLACE and isinstance(buf, numpy.ndarray)
        self.calls.append(("Allreduce", (buf.dtype, buf.size)))
        buf *= self.size

    def Bcast(self, buf: Any, root: int = 0) -> None:
        self.calls.append(("Bcast", (buf.dtype, buf.size)))

    def allgather(self, obj: Any) -> list[Any]:
        self.calls.append(("allgather", obj))
        return [obj] * self.size

    def bcast(self, obj: Any, root: int = 0) -> Any:
        self.calls.append(("bcast", obj))
        return obj

    def Barrier(self) -> None:
        self.calls.append(("Barrier", None))

    def Abort(self, code: int = 1) -> None:
        self.aborted = code

    def counts(self, name: str) -> int:
        return sum(1 for c, _ in self.calls if c == name)


def fake_mpi(comm: FakeComm) -> Any:
    """A stand-in for ``mpi4py.MPI`` whose ``COMM_WORLD`` is ``comm``."""
    return types.SimpleNamespace(
        COMM_WORLD=comm, IN_PLACE=IN_PLACE, SUM="sum", COMM_TYPE_SHARED="shared"
    )


_CTYPES = {7: numpy.float32, 8: numpy.float64, 2: numpy.int32, 4: numpy.int64, 6: numpy.float16}


class _NcclComm:
    def __init__(self, owner: FakeNccl, size: int, uid: Any, rank: int) -> None:
        self.owner = owner
        self.size = size
        self.uid = uid
        self.rank = rank

    def _view(self, ptr: int, count: int, dtype: int) -> numpy.ndarray:
        t = numpy.dtype(_CTYPES[dtype])
        raw = (ctypes.c_char * (count * t.itemsize)).from_address(ptr)
        return numpy.frombuffer(raw, dtype=t)

    def allReduce(self, send: int, recv: int, count: int, dtype: int, op: int, stream: int) -> None:
        self.owner.calls.append(("allReduce", count, dtype, op, stream))
        assert send == recv  # in place
        buf = self._view(recv, count, dtype)
        buf *= self.size

    def bcast(self, ptr: int, count: int, dtype: int, root: int, stream: int) -> None:
        self.owner.calls.append(("bcast", count, dtype, root, stream))

    def destroy(self) -> None:
        self.owner.calls.append(("destroy",))


class FakeNccl:
    """A stand-in for ``cupy.cuda.nccl`` (NCCL's constants, a communicator, unique ids)."""

    NCCL_INT8, NCCL_UINT8, NCCL_INT32, NCCL_UINT32, NCCL_INT64, NCCL_UINT64 = 0, 1, 2, 3, 4, 5
    NCCL_FLOAT16, NCCL_FLOAT32, NCCL_FLOAT64 = 6, 7, 8
    NCCL_SUM, NCCL_PROD, NCCL_MAX, NCCL_MIN = 0, 1, 2, 3
    available = True

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def get_unique_id(self) -> tuple[int, ...]:
        return (1, 2, 3)

    def NcclCommunicator(self, size: int, uid: Any, rank: int) -> _NcclComm:
        self.calls.append(("init", size, uid, rank))
        return _NcclComm(self, size, uid, rank)
