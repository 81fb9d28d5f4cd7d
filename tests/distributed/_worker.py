"""The rank side of the MPI tests: ``mpiexec -n 2 python tests/distributed/_worker.py CASE [DIR]``.

Each case checks its own results and prints ``CASE ok rank R`` on success; a failed check
raises (and, through ``minpy.distributed``'s abort hook, ends every rank). ``test_mpi.py``
launches it and reads the output.
"""

from __future__ import annotations

import os
import sys
import time

import numpy

import minpy.distributed as dist
import minpy.numpy as np
from minpy.core import grad_and_loss
from minpy.nn import layers
from minpy.nn.io import NDArrayIter


def _loss(params: dict, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    h = layers.relu(layers.affine(X, params["w0"], params["b0"]))
    return layers.softmax_loss(layers.affine(h, params["w1"], params["b1"]), y)


def case_collectives() -> None:
    """The 2-rank averaged gradient equals the one-process gradient of the whole batch; sum,
    mean, broadcast, buckets of every size; mismatched layouts raise on every rank."""
    r, n = dist.rank(), dist.size()
    rng = numpy.random.RandomState(0)  # the same data and parameters on every rank
    X = rng.randn(32, 5)
    y = rng.randint(0, 3, 32)
    params = {
        "w0": np.asarray(rng.randn(5, 7)),
        "b0": np.asarray(rng.randn(7)),
        "w1": np.asarray(rng.randn(7, 3)),
        "b1": np.asarray(rng.randn(3)),
    }
    full_grads, full_loss = grad_and_loss(_loss)(params, np.asarray(X), np.asarray(y))
    it = NDArrayIter(X, y, 32, num_parts=n, part_index=r)
    batch = next(iter(it))
    assert batch.data[0].shape == (32 // n, 5), batch
    for bucket in (None, 0, 64, 10**9):
        grads, loss = grad_and_loss(_loss)(params, batch.data[0], batch.label[0])
        grads, loss = dist.average_gradients(grads, loss, bucket_bytes=bucket)
        for k in params:
            numpy.testing.assert_allclose(grads[k].asnumpy(), full_grads[k].asnumpy(), 1e-12, 0)
        numpy.testing.assert_allclose(float(loss), float(full_loss), 1e-12)
    # sum over ranks, of two dtypes, in nested lists
    tree = [np.full((3,), r + 1.0, dtype="float32"), {"i": np.full((2, 2), r + 1)}]
    dist.allreduce(tree, "sum", bucket_bytes=4)
    total = sum(range(1, n + 1))
    assert tree[0].tolist() == [total] * 3 and tree[0].dtype == numpy.float32, tree
    assert tree[1]["i"].tolist() == [[total] * 2] * 2, tree
    # broadcast from the last rank
    p = {"w": np.full((4,), float(r)), "v": np.arange(3) * r}
    dist.broadcast(p, root=n - 1)
    assert p["w"].tolist() == [n - 1.0] * 4 and p["v"].tolist() == [0, n - 1, 2 * (n - 1)], p
    # mismatched shapes, dtypes and structures: a clear error on every rank, nothing written
    for bad in (
        {"w": np.ones(3 + r)},
        {"w": np.ones(3, dtype="float32" if r else "float64")},
        {"w": np.ones(3)} if r else {"w": np.ones(3), "b": np.ones(1)},
    ):
        before = {k: v.tolist() for k, v in bad.items()}
        try:
            dist.allreduce(bad, "mean")
        except dist.CollectiveMismatchError as exc:
            print(f"mismatch rank {r}: {exc}", flush=True)
        else:
            raise AssertionError(f"no error for {bad!r}")
        assert {k: v.tolist() for k, v in bad.items()} == before
    dist.barrier()
    print(f"collectives ok rank {r}", flush=True)


def _solver(epochs: int, distributed: bool, checkpoint: str | None = None) -> object:
    from minpy.demo import MLP, load_digits
    from minpy.nn.solver import Solver

    x_tr, y_tr, x_te, y_te = load_digits(0)
    np.random.seed(0)  # the same initial parameters in every run (rank 0's are broadcast)
    return Solver(
        MLP(64, (32,), 10),
        NDArrayIter(x_tr, y_tr, 64, shuffle=True, seed=1),
        NDArrayIter(x_te, y_te, 100, last_batch_handle="pad"),
        num_epochs=epochs,
        update_rule="adam",
        optim_config={"learning_rate": 1e-2},
        train_acc_num_samples=None,
        keep_best=False,
        progress=False,
        verbose=distributed,
        distributed=distributed,
        checkpoint=checkpoint,
        resume=checkpoint is not None,
    )


def case_train(directory: str) -> None:
    """Two ranks train the digits MLP as one process does (same global batches); rank 0
    alone writes the checkpoint, and a resumed run ends where an uninterrupted one does."""
    r = dist.rank()
    two = _solver(4, True)
    two.train()
    if r == 0:  # the one-process run of the same data, batches and initial parameters
        one = _solver(4, False)
        one.train()
        print(f"accuracy 2 ranks {two.val_acc_history[-1]:.4f} 1 process "
              f"{one.val_acc_history[-1]:.4f}", flush=True)  # fmt: skip
        assert two.val_acc_history[-1] > 0.9, two.val_acc_history
        assert abs(two.val_acc_history[-1] - one.val_acc_history[-1]) <= 0.01
        numpy.testing.assert_allclose(two.loss_history, one.loss_history, rtol=1e-4)
        numpy.testing.assert_allclose(two.train_acc_history, one.train_acc_history, atol=0.005)
    path = os.path.join(directory, "ck.npz")
    first = _solver(2, True, path)
    first.train()
    dist.barrier()  # rank 0 has written the checkpoint
    assert os.path.exists(path)
    resumed = _solver(4, True, path)
    resumed.train()
    assert resumed.epoch == 4 and len(resumed.loss_history) == len(two.loss_history)
    numpy.testing.assert_allclose(resumed.loss_history, two.loss_history, rtol=1e-4)
    for k, v in resumed.model.params.items():
        numpy.testing.assert_allclose(v.asnumpy(), two.model.params[k].asnumpy(), 1e-4, 1e-6)
    print(f"train ok rank {r}", flush=True)


def case_fault() -> None:
    """Rank 1 fails while rank 0 waits in a collective: the whole job must end promptly."""
    if dist.rank() == 1:
        time.sleep(0.5)
        raise ValueError("boom on rank 1")
    dist.allreduce(np.ones(3))
    time.sleep(60)  # never reached in a working job: the abort ends this rank first
    print("fault case not aborted", flush=True)


def main() -> None:
    case = sys.argv[1]
    if case == "nolauncher":
        dist.init()  # warns: not started by mpiexec
        print(f"nolauncher ok size {dist.size()}", flush=True)
        return
    dist.init()
    if case == "collectives":
        case_collectives()
    elif case == "train":
        case_train(sys.argv[2])
    elif case == "fault":
        case_fault()
    else:
        raise SystemExit(f"unknown case {case!r}")
    dist.finalize()


if __name__ == "__main__":
    main()
