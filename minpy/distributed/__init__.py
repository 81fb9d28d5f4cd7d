"""``minpy.distributed``: data-parallel training over MPI (between processes and nodes) and NCCL
(between GPUs), one process per device, launched with ``mpiexec`` (Horovod's model).

``world`` holds the process group (``init``, ``rank``, ``size``, ``local_rank``, ``barrier``,
``finalize``, object collectives, the abort-on-error hook); ``collectives`` holds ``allreduce``
and ``broadcast`` of Arrays (bucketed, in place, on each array's device) and the two helpers a
hand-written loop needs, ``average_gradients`` and ``broadcast_parameters``. ``Solver(...,
distributed=True)`` in ``minpy.nn`` is built on these. Importing this package imports neither
mpi4py nor CuPy; ``init()`` does.

Examples
--------
Run with ``mpiexec -n 2 python train.py``::

    import minpy.distributed as dist
    dist.init()
    dist.broadcast_parameters(params)
    for batch in NDArrayIter(X, y, 64, shuffle=True, seed=0,
                             num_parts=dist.size(), part_index=dist.rank()):
        grads, loss = grad_and_loss(loss_fn)(params, batch.data[0], batch.label[0])
        grads, loss = dist.average_gradients(grads, loss)
        ...  # update params with grads, as in a one-process loop
"""

from __future__ import annotations

from minpy.distributed.collectives import (
    DEFAULT_BUCKET_BYTES,
    allreduce,
    average_gradients,
    broadcast,
    broadcast_parameters,
)
from minpy.distributed.world import (
    CollectiveMismatchError,
    DistributedError,
    DistributedUnavailableError,
    allgather_object,
    barrier,
    broadcast_object,
    finalize,
    init,
    is_initialized,
    local_rank,
    rank,
    size,
)

__all__ = [
    "DEFAULT_BUCKET_BYTES",
    "CollectiveMismatchError",
    "DistributedError",
    "DistributedUnavailableError",
    "allgather_object",
    "allreduce",
    "average_gradients",
    "barrier",
    "broadcast",
    "broadcast_object",
    "broadcast_parameters",
    "finalize",
    "init",
    "is_initialized",
    "local_rank",
    "rank",
    "size",
]
