"""What ``Solver(..., distributed=True)`` does differently, at the few points it asks.

``Local`` (one process) does nothing; ``DataParallel`` joins the ``minpy.distributed`` job and
makes the Solver train data-parallel: rank 0's parameters and shuffling state are broadcast at
the start (after a resume too), each rank reads its own shard of every training batch (a short
last batch, ``"keep"``, is padded instead, so that the shards are equal), the
gradients and the loss are averaged across ranks every step (bucketed), the training metric is
summed over the shards, only rank 0 prints and writes checkpoints, and a checkpoint found by
rank 0 is read by every rank. Private to ``minpy.nn``; nothing here builds a model.
"""

from __future__ import annotations

import os
from typing import Any

import minpy.distributed as dist

__all__ = ["DataParallel", "Local", "make"]


class Local:
    """One process: every hook is the identity."""

    is_root = True

    def start(self, solver: Any) -> None:
        """Nothing to synchronize."""

    def average(self, grads: Any, loss: Any) -> tuple[Any, Any]:
        """The gradients and loss as they are."""
        return grads, loss

    def combine(self, dataiter: Any, score: float, total: int) -> tuple[float, int]:
        """The metric's sums as they are."""
        return score, total

    def checkpoint_exists(self, path: str | None) -> bool:
        """Whether ``path`` (None: no checkpoint) exists."""
        return path is not None and os.path.exists(path)


class DataParallel(Local):
    """Data-parallel hooks over the ``minpy.distributed`` process group (``init()`` first if
    the script has not called it)."""

    def __init__(self, solver: Any, bucket_bytes: int | None) -> None:
        if not dist.is_initialized():
            dist.init()
        self.rank = dist.rank()
        self.size = dist.size()
        self.is_root = self.rank == 0
        self.bucket_bytes = bucket_bytes
        it = solver.train_dataiter
        parts = getattr(it, "num_parts", None)
        if parts is None:
            raise TypeError(
                f"Solver(distributed=True): train_dataiter is a {type(it).__name__}, which "
                "cannot be sharded; pass an NDArrayIter or (X, y) arrays"
            )
        if parts == 1 and self.size > 1:  # not sharded by the caller: shard it here
            if it.last_batch_handle == "keep":  # a short last batch has no equal shards
                it.last_batch_handle = "pad"
            it.shard(self.size, self.rank)
        elif (parts, it.part_index) != (self.size, self.rank):
            raise ValueError(
                f"Solver(distributed=True): train_dataiter has num_parts={parts}, "
                f"part_index={it.part_index}, but this is rank {self.rank} of {self.size}; "
                "leave them at their defaults (the Solver shards it) or pass "
                "num_parts=dist.size(), part_index=dist.rank()"
            )
        if not self.is_root:
            solver.verbose = False
            solver.progress = False

    def start(self, solver: Any) -> None:
        """Give every rank rank 0's parameters, auxiliary values and shuffling state."""
        model = solver.model
        dist.broadcast(model.params, bucket_bytes=self.bucket_bytes)
        aux = {k: v for k, v in model.aux_params.items() if v is not None}
        dist.broadcast(aux, bucket_bytes=self.bucket_bytes)
        rng = solver._shuffle_rng()
        if rng is not None:
            # every rank sends its own; MPI keeps rank 0's
            rng.set_state(dist.broadcast_object(rng.get_state()))

    def average(self, grads: Any, loss: Any) -> tuple[Any, Any]:
        """The mean of the gradients and of the loss over the ranks (one bucketed reduce)."""
        return dist.average_gradients(grads, loss, bucket_bytes=self.bucket_bytes)  # type: ignore[no-any-return]

    def combine(self, dataiter: Any, score: float, total: int) -> tuple[float, int]:
        """The metric's sums over all shards when ``dataiter`` is sharded (the training
        data); the whole data set's otherwise (every rank evaluated all of it)."""
        if getattr(dataiter, "num_parts", 1) == 1:
            return score, total
        parts = dist.allgather_object((score, total))
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    def checkpoint_exists(self, path: str | None) -> bool:
        """Whether rank 0 sees ``path``; every rank must then see it too."""
        if path is None:
            return False
        here = os.path.exists(path)
        found = dist.broadcast_object(here)
        seen = dist.allgather_object(here)
        if found and not all(seen):
            missing = [r for r, s in enumerate(seen) if not s]
            raise dist.DistributedError(
                f"Solver: rank 0 resumes from {path!r}, which ranks {missing} cannot see; put "
                "checkpoints on a file system every node shares"
            )
        return bool(found)


def make(solver: Any, distributed: Any, bucket_bytes: int | None) -> Local:
    """The hooks for ``Solver(distributed=...)``."""
    if not isinstance(distributed, bool):
        raise TypeError(f"Solver: distributed must be True or False, got {distributed!r}")
    return DataParallel(solver, bucket_bytes) if distributed else Local()
