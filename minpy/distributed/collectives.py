"""Array collectives: ``allreduce`` and ``broadcast`` of Arrays and nested dicts/lists of them.

Both work in place, on each array's own device: host arrays through MPI, GPU arrays through
the NCCL communicator of ``init()`` (or staged through host memory and MPI when there is
none). Many small arrays are packed into a few flat buckets first (one buffer per device and
dtype, at most ``bucket_bytes`` each), since one collective per small gradient is bound by
latency, not bandwidth. Before the data moves, the ranks compare what they pass (paths, shapes,
dtypes) and raise ``CollectiveMismatchError`` on every rank if it differs, rather than let MPI
or NCCL read past a buffer. ``average_gradients`` and ``broadcast_parameters`` are the two
calls a hand-written data-parallel loop needs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.distributed.world import CollectiveMismatchError, World, check_root, world

__all__ = [
    "DEFAULT_BUCKET_BYTES",
    "allreduce",
    "average_gradients",
    "broadcast",
    "broadcast_parameters",
]

#: the default bucket size: large enough that a bucket's transfer outweighs its latency
DEFAULT_BUCKET_BYTES = 25 * 2**20
_OPS = ("sum", "mean")


def _leaves(tree: Any, path: str = "") -> Iterator[tuple[str, Array]]:
    """``(path, array)`` for each Array in ``tree``, in a deterministic order."""
    if isinstance(tree, Array):
        yield path or "<array>", tree
    elif isinstance(tree, Mapping):
        for key, value in tree.items():
            yield from _leaves(value, f"{path}[{key!r}]")
    elif isinstance(tree, (list, tuple)):
        for i, value in enumerate(tree):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        raise TypeError(
            f"collectives take minpy Arrays or dicts/lists/tuples of them; {path or 'the value'} "
            f"is a {type(tree).__name__}: {tree!r}; convert it with minpy.numpy.asarray"
        )


def _buckets(leaves: list[tuple[str, Array]], bucket_bytes: int | None) -> list[list[Array]]:
    """The arrays grouped by (device, dtype) in order of first appearance, each group cut into
    runs of at most ``bucket_bytes`` (an array larger than that is a bucket of its own)."""
    groups: dict[tuple[Any, str], list[Array]] = {}
    for _, x in leaves:
        groups.setdefault((x.device, x.dtype.str), []).append(x)
    out: list[list[Array]] = []
    for arrays in groups.values():
        if bucket_bytes is None:
            out.append(arrays)
            continue
        run: list[Array] = []
        used = 0
        for x in arrays:
            if run and used + x.nbytes > bucket_bytes:
                out.append(run)
                run, used = [], 0
            run.append(x)
            used += x.nbytes
        out.append(run)
    return out


def _check_same(w: World, what: str, leaves: list[tuple[str, Array]], extra: Any) -> None:
    """Raise ``CollectiveMismatchError`` on every rank unless all passed the same layout."""
    sig = [(p, tuple(x.shape), str(x.dtype), x.device.kind) for p, x in leaves]
    digest = hashlib.sha1(repr((what, extra, sig)).encode()).hexdigest()
    digests = w.comm.allgather(digest)
    if len(set(digests)) == 1:
        return
    sigs = w.comm.allgather((extra, sig))
    base_extra, base = sigs[0]
    for r, (other_extra, other) in enumerate(sigs):
        if (other_extra, other) == (base_extra, base):
            continue
        if other_extra != base_extra:
            detail = f"rank {r} passed {other_extra!r} where rank 0 passed {base_extra!r}"
        elif len(other) != len(base):
            detail = f"rank {r} passed {len(other)} arrays where rank 0 passed {len(base)}"
        else:
            a, b = next((a, b) for a, b in zip(base, other) if a != b)
            detail = (
                f"rank {r} passed {b[0]} with shape {b[1]}, dtype {b[2]} on a {b[3]} device where "
                f"rank 0 passed {a[0]} with shape {a[1]}, dtype {a[2]} on a {a[3]} device"
            )
        raise CollectiveMismatchError(
            f"{what}: the ranks disagree: {detail}; every rank must pass the same structure "
            "of arrays with the same shapes and dtypes, in the same order"
        )


def _prepare(
    tree: Any, what: str, bucket_bytes: int | None, check: bool, extra: Any
) -> tuple[World, list[list[Array]]]:
    if bucket_bytes is not None and (
        isinstance(bucket_bytes, bool) or not isinstance(bucket_bytes, int) or bucket_bytes < 0
    ):
        raise ValueError(
            f"{what}: bucket_bytes={bucket_bytes!r}; use an int >= 0 (0: one collective per "
            "array) or None (one bucket per device and dtype)"
        )
    w = world()
    leaves = list(_leaves(tree))
    for p, x in leaves:
        if x.traced:
            raise TypeError(
                f"{what}: {p} is being traced by grad, and collectives are not differentiable; "
                "call it on the gradients grad returned, outside the differentiated function"
            )
    if check and w.size > 1:
        _check_same(w, what, leaves, extra)
    return w, _buckets(leaves, bucket_bytes)


def _flat(bucket: list[Array]) -> Array:
    """A fresh contiguous 1-d Array holding the bucket's values, on their device."""
    if len(bucket) == 1:
        return np.ravel(bucket[0]).copy()
    return np.concatenate([np.ravel(x) for x in bucket])


def _unpack(flat: Array, bucket: list[Array]) -> None:
    start = 0
    for x in bucket:
        stop = start + x.size
        x[...] = flat[start:stop].reshape(x.shape)
        start = stop


def _run(w: World, flat: Array, host_op: Any, device_op: Any) -> Array:
    """Apply a collective to ``flat`` in place on its device (``device_op`` on NCCL's raw
    buffer, ``host_op`` on a host buffer); returns the Array holding the result."""
    dev = flat.device
    if dev.backend.on_host:
        host_op(numpy.from_dlpack(flat))
        return flat
    if w.nccl is not None and dev == w.device:
        device_op(dev.backend.xp.from_dlpack(flat))
        return flat
    host = flat.asnumpy()  # no NCCL for this device: stage through host memory
    host_op(host)
    return np.asarray(host, device=dev)


def allreduce(
    x: Any, op: str = "sum", *, bucket_bytes: int | None = DEFAULT_BUCKET_BYTES, check: bool = True
) -> Any:
    """Reduce ``x`` over all ranks, in place: every rank ends with the sum (or mean).

    Parameters
    ----------
    x
        An Array, or a dict/list/tuple (nested) of Arrays; every rank passes the same
        structure, shapes and dtypes.
    op
        ``"sum"`` or ``"mean"`` (the sum divided by ``size()``; floating and complex arrays).
    bucket_bytes
        Arrays of one device and dtype are packed into flat buffers of at most this many bytes
        and reduced one buffer at a time; ``0``: one reduction per array; ``None``: one buffer
        per device and dtype.
    check
        Compare the ranks' layouts first (one small allgather) and raise on a difference.

    Returns
    -------
    x, with its arrays updated in place.

    Raises
    ------
    CollectiveMismatchError
        The ranks passed different structures, shapes or dtypes (raised on every rank).
    DistributedError
        ``init()`` was not called.

    Examples
    --------
    Under ``mpiexec -n 2``, after ``minpy.distributed.init()``:

    >>> g = {"w": np.ones((2, 2)) * (rank() + 1)}  # doctest: +SKIP
    >>> allreduce(g, op="mean")["w"].tolist()  # doctest: +SKIP
    [[1.5, 1.5], [1.5, 1.5]]
    """
    if op not in _OPS:
        raise ValueError(f"allreduce: op={op!r}; use one of {_OPS}")
    w, buckets = _prepare(x, "allreduce", bucket_bytes, check, op)
    if op == "mean":
        for bucket in buckets:
            if bucket[0].dtype.kind not in "fc":
                raise TypeError(
                    f"allreduce: op='mean' of {bucket[0].dtype} arrays would need rounding; "
                    "use op='sum', or cast them with .astype(float)"
                )
    if w.size == 1 and w.nccl is None:
        return x  # the sum and the mean over one rank are the values themselves
    mpi = w.mpi
    for bucket in buckets:
        flat = _flat(bucket)

        def on_host(buf: Any) -> None:
            w.comm.Allreduce(mpi.IN_PLACE, buf, op=mpi.SUM)
            if op == "mean":
                buf /= w.size

        def on_device(buf: Any) -> None:
            w.nccl.allreduce(buf, "sum")
            if op == "mean":
                buf /= w.size

        _unpack(_run(w, flat, on_host, on_device), bucket)
    return x


def broadcast(
    x: Any, root: int = 0, *, bucket_bytes: int | None = DEFAULT_BUCKET_BYTES, check: bool = True
) -> Any:
    """Overwrite ``x`` on every rank, in place, with its values on rank ``root``.

    ``x``, ``bucket_bytes`` and ``check`` are as for ``allreduce``; returns ``x``.

    Examples
    --------
    >>> params = {"w": np.random.randn(3, 3)}  # doctest: +SKIP
    >>> broadcast(params)  # every rank now holds rank 0's "w"  # doctest: +SKIP
    """
    w = world()
    check_root(root, w.size)
    w, buckets = _prepare(x, "broadcast", bucket_bytes, check, root)
    if w.size == 1 and w.nccl is None:
        return x
    for bucket in buckets:
        flat = _flat(bucket)
        result = _run(
            w,
            flat,
            lambda buf: w.comm.Bcast(buf, root=root),
            lambda buf: w.nccl.bcast(buf, root),
        )
        if w.rank != root:
            _unpack(result, bucket)
    return x


def average_gradients(
    grads: Any, loss: Any = None, *, bucket_bytes: int | None = DEFAULT_BUCKET_BYTES
) -> Any:
    """The mean of ``grads`` (and of the 0-d Array ``loss``, reduced with them) over all
    ranks, in place: the step of a hand-written data-parallel loop.

    Returns ``grads``, or ``(grads, loss)`` when ``loss`` is given. When each rank's loss is
    the mean over an equal shard of the batch, the result is the gradient of the whole batch.

    Examples
    --------
    >>> grads, loss = grad_and_loss(loss_fn, argnum=0)(params, X_shard, y_shard)  # doctest: +SKIP
    >>> grads, loss = average_gradients(grads, loss)  # doctest: +SKIP
    """
    if loss is None:
        return allreduce(grads, "mean", bucket_bytes=bucket_bytes)
    both = allreduce([grads, loss], "mean", bucket_bytes=bucket_bytes)
    return both[0], both[1]


def broadcast_parameters(params: Any, root: int = 0) -> Any:
    """Give every rank rank ``root``'s ``params`` (in place), so all start from the same ones."""
    return broadcast(params, root)
