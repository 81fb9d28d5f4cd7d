"""Data-parallel training of the digits MLP over MPI: ``Solver(..., distributed=True)``.

Run it on one machine with 2 processes::

    pip install "minpy[mpi,demo]"
    mpiexec -n 2 python examples/distributed_mlp.py

Each process trains on its half of every batch of 64 examples, the gradients are averaged
across processes after every step (NCCL between GPUs, MPI otherwise), and only rank 0 prints
and writes the checkpoint. Run alone (``python examples/distributed_mlp.py``) it trains as one
process, and warns that it was not started by ``mpiexec``.
"""

from __future__ import annotations

import argparse
import os
import tempfile

import minpy.distributed as dist
import minpy.numpy as np
from minpy.demo import MLP, load_digits
from minpy.nn.io import NDArrayIter
from minpy.nn.solver import Solver


def main(argv: list[str] | None = None) -> float:
    """Train; returns the test accuracy (the same on every rank)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64, help="global, over all ranks")
    parser.add_argument("--checkpoint", default=os.path.join(tempfile.gettempdir(), "dist.npz"))
    args = parser.parse_args(argv)

    device = dist.init()  # one process per device: gpu(local_rank) when there are GPUs
    x_tr, y_tr, x_te, y_te = load_digits(0)
    np.random.seed(0)  # rank 0's initial parameters are broadcast anyway
    solver = Solver(
        MLP(64, (128,), 10),
        NDArrayIter(x_tr, y_tr, args.batch_size, shuffle=True, seed=0),  # sharded by the Solver
        NDArrayIter(x_te, y_te, 500, last_batch_handle="pad"),
        num_epochs=args.epochs,
        update_rule="adam",
        optim_config={"learning_rate": 1e-2},
        progress=False,
        checkpoint=args.checkpoint,
        distributed=True,
    )
    if dist.rank() == 0:
        print(f"{dist.size()} rank(s), rank 0 on {device}")
    solver.train()
    acc = solver.val_acc_history[-1]
    if dist.rank() == 0:
        print(f"test accuracy {acc:.2%}; checkpoint {args.checkpoint!r}")
    dist.finalize()
    return acc


if __name__ == "__main__":
    main()
