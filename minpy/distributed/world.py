"""The process group: ``init``, who this process is (``rank``, ``size``, ``local_rank``),
``barrier``, ``finalize``, the object collectives, and aborting the whole job when one rank fails.

One process per device, launched by ``mpiexec`` (Horovod's and ChainerMN's model). MPI comes
from mpi4py, imported on ``init()`` and nowhere else; on a GPU device ``init`` also makes a NCCL
communicator (``minpy.backends.nccl``, its id broadcast over MPI). Array collectives live in
``minpy.distributed.collectives``; nothing here touches array data.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

from minpy.backends import available
from minpy.backends import nccl as _nccl
from minpy.context import Device, cpu, gpu, set_context
from minpy.errors import BackendUnavailableError

__all__ = [
    "CollectiveMismatchError",
    "DistributedError",
    "DistributedUnavailableError",
    "allgather_object",
    "barrier",
    "broadcast_object",
    "finalize",
    "init",
    "is_initialized",
    "local_rank",
    "rank",
    "size",
]

INSTALL_HINT = (
    'pip install "minpy[mpi]" (mpi4py and the Open MPI wheel; or pip install mpi4py mpich, '
    "or mpi4py built against your cluster's MPI)"
)
LAUNCH_HINT = "launch one process per device with: mpiexec -n 2 python train.py"
# environment variables that MPI launchers (Open MPI, MPICH/Hydra, PMIx, Slurm) set in each rank
_LAUNCHER_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID")


class DistributedError(RuntimeError):
    """A distributed operation failed (not initialized, a rank cannot see a file, ...)."""


class DistributedUnavailableError(BackendUnavailableError):
    """``init()`` cannot start: mpi4py or an MPI library is missing."""


class CollectiveMismatchError(DistributedError, ValueError):
    """Ranks passed arrays of different structure, shapes or dtypes to the same collective."""


@dataclass
class World:
    """The state ``init()`` sets up: the MPI module and communicator, this rank's place in it,
    its device and (on a GPU) its NCCL communicator."""

    mpi: Any
    comm: Any
    rank: int
    size: int
    local_rank: int
    local_size: int
    device: Device
    nccl: Any = None  # a minpy.backends.nccl.Communicator, or None: stage GPU arrays via MPI
    previous_hook: Any = None


_world: World | None = None


def _import_mpi() -> Any:
    """mpi4py's ``MPI`` module (initializing MPI), or ``DistributedUnavailableError``."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise DistributedUnavailableError(
            f"minpy.distributed needs mpi4py and an MPI library, which cannot be imported "
            f"({exc}); {INSTALL_HINT}; then {LAUNCH_HINT}"
        ) from exc
    except RuntimeError as exc:  # mpi4py present, its MPI library missing or failing
        raise DistributedUnavailableError(
            f"mpi4py is installed but MPI failed to start ({exc}); {INSTALL_HINT}; "
            f"then {LAUNCH_HINT}"
        ) from exc
    return MPI


def _launched() -> bool:
    return any(name in os.environ for name in _LAUNCHER_VARS)


def world() -> World:
    """The current ``World``; raises ``DistributedError`` before ``init()``."""
    w = _world
    if w is None:
        raise DistributedError(
            "minpy.distributed is not initialized; call minpy.distributed.init() first "
            f"({LAUNCH_HINT})"
        )
    return w


def is_initialized() -> bool:
    """Whether ``init()`` has run (and ``finalize()`` has not since)."""
    return _world is not None


def init(device: Device | None = None, *, nccl: bool | None = None, comm: Any = None) -> Device:
    """Join the job's process group; returns this rank's device, made the current context.

    Call it once, at the start of a script launched with ``mpiexec -n N python script.py``;
    calling it again returns the same device.

    Parameters
    ----------
    device
        This rank's device. Default: ``gpu(local_rank % gpu_count)`` when CuPy sees GPUs (one
        GPU per process of a node), else ``cpu()``.
    nccl
        Reduce arrays on GPU devices with NCCL. ``None`` (default): when CuPy has NCCL,
        else GPU arrays are staged through host memory and MPI. ``True``: NCCL or an error.
    comm
        The mpi4py communicator to use (default ``MPI.COMM_WORLD``).

    Raises
    ------
    DistributedUnavailableError
        mpi4py or an MPI library is missing (the message says what to install and how to
        launch).

    Warns
    -----
    RuntimeWarning
        The process was not started by an MPI launcher, so it trains alone.
    """
    global _world
    if _world is not None:
        return _world.device
    mpi = _import_mpi()
    comm = mpi.COMM_WORLD if comm is None else comm
    r, n = int(comm.Get_rank()), int(comm.Get_size())
    node = comm.Split_type(mpi.COMM_TYPE_SHARED, key=r)
    local, local_n = int(node.Get_rank()), int(node.Get_size())
    node.Free()
    if n == 1 and not _launched():
        warnings.warn(
            "minpy.distributed.init(): this process was not started by an MPI launcher, so it "
            f"runs alone (size 1); {LAUNCH_HINT}",
            RuntimeWarning,
            stacklevel=2,
        )
    if device is None:
        ok, _ = available("gpu")
        device = gpu(local % max(_gpu_count(), 1)) if ok else cpu()
    set_context(device)
    w = World(mpi, comm, r, n, local, local_n, device)
    if not device.backend.on_host and nccl is not False:
        w.nccl = _nccl_communicator(w, required=nccl is True)
    if n > 1:
        w.previous_hook = sys.excepthook
        sys.excepthook = _abort_hook
    _world = w
    return device


def _gpu_count() -> int:
    from minpy.backends import get_backend

    return get_backend("gpu").device_count()


def _nccl_communicator(w: World, required: bool) -> Any:
    """A NCCL communicator for ``w`` (its id drawn on rank 0, broadcast over MPI), or None
    when NCCL is missing and not ``required``."""
    try:
        module = _nccl.load()
        error = ""
    except BackendUnavailableError as exc:
        module, error = None, str(exc)
    # every rank must take the same branch, or rank 0's bcast below would wait forever
    errors = w.comm.allgather(error)
    bad = [(i, e) for i, e in enumerate(errors) if e]
    if bad:
        if required:
            i, e = bad[0]
            raise DistributedUnavailableError(f"rank {i}: {e}")
        return None
    uid = w.comm.bcast(_nccl.unique_id(module) if w.rank == 0 else None, root=0)
    scope = w.device.backend.scope(w.device)
    if scope is None:
        return _nccl.Communicator(module, w.size, w.rank, uid)
    with scope:
        return _nccl.Communicator(module, w.size, w.rank, uid)


def _abort_hook(exc_type: Any, exc: BaseException, tb: Any) -> None:
    """``sys.excepthook`` while a job of several ranks runs: print the error with its rank,
    then abort every rank, so none waits forever in a collective for this one."""
    w = _world
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    if w is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    sys.stderr.write(
        f"minpy.distributed: rank {w.rank} of {w.size} failed; aborting all ranks\n"
        f"[rank {w.rank}] {text}"
    )
    sys.stderr.flush()
    sys.stdout.flush()
    w.comm.Abort(1)


def finalize() -> None:
    """Leave the process group: release the NCCL communicator and the abort hook.

    MPI itself is finalized by mpi4py when the process exits; ``init()`` may be called again.
    """
    global _world
    w = _world
    if w is None:
        return
    _world = None
    if w.previous_hook is not None and sys.excepthook is _abort_hook:
        sys.excepthook = w.previous_hook
    if w.nccl is not None:
        w.nccl.destroy()


def rank() -> int:
    """This process's number in the job, ``0 <= rank() < size()``."""
    return world().rank


def size() -> int:
    """How many processes the job has."""
    return world().size


def local_rank() -> int:
    """This process's number among the job's processes on the same node (its GPU's index)."""
    return world().local_rank


def barrier() -> None:
    """Wait until every rank has reached this call."""
    world().comm.Barrier()


def broadcast_object(obj: Any, root: int = 0) -> Any:
    """``obj`` from rank ``root`` on every rank (any picklable value)."""
    w = world()
    check_root(root, w.size)
    return w.comm.bcast(obj, root=root)


def allgather_object(obj: Any) -> list[Any]:
    """Every rank's ``obj``, in rank order (any picklable value)."""
    return list(world().comm.allgather(obj))


def check_root(root: Any, n: int) -> None:
    if isinstance(root, bool) or not isinstance(root, int) or not 0 <= root < n:
        raise ValueError(f"root={root!r} is not a rank of this job; use an int in range({n})")
