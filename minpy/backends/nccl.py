"""NCCL collectives on GPU buffers, through CuPy's ``cupy.cuda.nccl`` (imported lazily).

``minpy.distributed`` uses this module for arrays that live on a GPU: one ``Communicator``
per process, made from a unique id that rank 0 draws (``unique_id``) and MPI broadcasts. Its
collectives work on raw, contiguous backend arrays in place, on the current CUDA stream. Only
this module and ``minpy.backends.cupy`` import CuPy; nothing here knows of MPI or of minpy
Arrays. ``load`` can be handed a stand-in module (tests run the NCCL path on the CPU with one).
"""

from __future__ import annotations

from typing import Any

from minpy.errors import BackendUnavailableError

__all__ = ["Communicator", "load", "unique_id"]

INSTALL_HINT = (
    'pip install "minpy[cuda12]" (or "minpy[cuda13]"): CuPy\'s wheels ship NCCL support; '
    "or pass nccl=False to minpy.distributed.init() to stage GPU arrays through MPI"
)

# NumPy dtype character -> name of NCCL's data type constant in cupy.cuda.nccl; complex
# numbers are reduced as pairs of reals
_DTYPES = {
    "b": "NCCL_INT8",
    "B": "NCCL_UINT8",
    "?": "NCCL_UINT8",
    "i": "NCCL_INT32",
    "I": "NCCL_UINT32",
    "l": "NCCL_INT64",
    "L": "NCCL_UINT64",
    "q": "NCCL_INT64",
    "Q": "NCCL_UINT64",
    "e": "NCCL_FLOAT16",
    "f": "NCCL_FLOAT32",
    "d": "NCCL_FLOAT64",
    "F": "NCCL_FLOAT32",
    "D": "NCCL_FLOAT64",
}
_OPS = {"sum": "NCCL_SUM", "max": "NCCL_MAX", "min": "NCCL_MIN"}


def load() -> Any:
    """CuPy's ``cupy.cuda.nccl`` module; raises ``BackendUnavailableError`` saying why not."""
    try:
        from cupy.cuda import nccl
    except ImportError as exc:
        raise BackendUnavailableError(
            f"NCCL collectives need CuPy with NCCL, which cannot be imported ({exc}); "
            f"{INSTALL_HINT}"
        ) from exc
    if not getattr(nccl, "available", True):
        raise BackendUnavailableError(
            f"CuPy {_cupy_version()} was built without NCCL; {INSTALL_HINT}"
        )
    return nccl


def _cupy_version() -> str:
    import cupy

    return str(cupy.__version__)


def _current_stream() -> int:
    """The pointer of CuPy's current CUDA stream (0: the legacy default stream)."""
    import cupy

    return int(cupy.cuda.get_current_stream().ptr)


def unique_id(nccl: Any) -> Any:
    """A fresh NCCL unique id (rank 0 draws it; every rank needs the same one)."""
    return nccl.get_unique_id()


def _pointer(buf: Any) -> int:
    """The address of a contiguous buffer: CuPy's ``data.ptr`` (NumPy's ``ctypes.data`` for a
    host stand-in)."""
    mem = getattr(buf, "data", None)
    ptr = getattr(mem, "ptr", None)
    return int(ptr) if ptr is not None else int(buf.ctypes.data)


class Communicator:
    """One rank of a NCCL communicator over ``size`` ranks.

    Parameters
    ----------
    nccl
        The ``cupy.cuda.nccl`` module (``load()``) or a stand-in with the same names.
    size, rank
        The number of ranks and this one's number.
    uid
        The unique id from ``unique_id`` on rank 0, the same on every rank.
    stream
        A function giving the CUDA stream pointer to run on (default: CuPy's current one).
    """

    def __init__(self, nccl: Any, size: int, rank: int, uid: Any, stream: Any = None) -> None:
        self.nccl = nccl
        self.size = size
        self.rank = rank
        self.comm = nccl.NcclCommunicator(size, uid, rank)
        self._stream = _current_stream if stream is None else stream

    def _dtype(self, buf: Any) -> tuple[int, int]:
        """NCCL's data type of ``buf`` and the element count in that type."""
        char = buf.dtype.char
        name = _DTYPES.get(char)
        if name is None:
            raise TypeError(
                f"NCCL cannot reduce arrays of dtype {buf.dtype!r}; cast them with "
                ".astype('float32') (NCCL has int8-64, uint8-64, float16, float32, float64)"
            )
        count = int(buf.size) * (2 if char in "FD" else 1)
        return int(getattr(self.nccl, name)), count

    def _check(self, buf: Any) -> None:
        flags = getattr(buf, "flags", None)
        if flags is not None and not flags.c_contiguous:
            raise ValueError(
                f"NCCL needs a contiguous buffer, got one of shape {buf.shape!r} and strides "
                f"{buf.strides!r}; pass a contiguous copy"
            )

    def allreduce(self, buf: Any, op: str = "sum") -> None:
        """Reduce ``buf`` over all ranks in place (``op``: ``"sum"``, ``"max"``, ``"min"``)."""
        self._check(buf)
        name = _OPS.get(op)
        if name is None:
            raise ValueError(f"NCCL allreduce: unknown op {op!r}; use one of {sorted(_OPS)}")
        if op != "sum" and buf.dtype.char in "FD":
            raise TypeError(f"NCCL allreduce: op={op!r} is not defined for complex arrays")
        dtype, count = self._dtype(buf)
        ptr = _pointer(buf)
        self.comm.allReduce(ptr, ptr, count, dtype, int(getattr(self.nccl, name)), self._stream())

    def bcast(self, buf: Any, root: int = 0) -> None:
        """Overwrite ``buf`` on every rank with its contents on ``root``."""
        self._check(buf)
        dtype, count = self._dtype(buf)
        self.comm.bcast(_pointer(buf), count, dtype, root, self._stream())

    def destroy(self) -> None:
        """Release the communicator (every rank calls it)."""
        destroy = getattr(self.comm, "destroy", None)
        if destroy is not None:
            destroy()
