"""``NDArrayIter``: mini-batches of in-memory data on a device (MinPy's ``minpy.nn.io``).

Data stays in host memory; each batch is gathered there and placed on the iterator's device
(or the current context), so training code never handles transfers. Shuffling uses the
iterator's own NumPy generator, so it is reproducible with ``seed=`` and independent of the
devices' generators.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.context import Device, current_context

__all__ = ["DataBatch", "NDArrayIter"]

_HANDLES = ("pad", "discard", "roll_over", "keep")


class DataBatch:
    """One mini-batch: ``data`` and ``label`` (lists of Arrays), ``pad`` (how many trailing
    examples are padding), ``index`` (the examples' positions in the data set)."""

    __slots__ = ("data", "index", "label", "pad")

    def __init__(self, data: list[Array], label: list[Array], pad: int, index: Any) -> None:
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index

    @property
    def size(self) -> int:
        """Number of real (not padded) examples."""
        return self.data[0].shape[0] - self.pad

    def __repr__(self) -> str:
        shapes = [tuple(d.shape) for d in self.data]
        return f"DataBatch(data shapes {shapes!r}, pad={self.pad})"


def _as_list(x: Any, what: str) -> list[numpy.ndarray]:
    if x is None:
        return []
    if isinstance(x, Mapping):
        x = list(x.values())
    elif not isinstance(x, (list, tuple)):
        x = [x]
    out = []
    for a in x:
        host = a.asnumpy() if isinstance(a, Array) else numpy.asarray(a)
        if host.ndim == 0:
            raise ValueError(f"NDArrayIter: {what} must be arrays with a batch axis, got {a!r}")
        out.append(host)
    return out


class NDArrayIter:
    """Iterate over ``data`` (and ``label``) in mini-batches of ``batch_size``.

    Parameters
    ----------
    data, label
        An array, or a list/dict of arrays, with examples along the first axis (NumPy arrays or
        minpy Arrays). ``label`` may be ``None``.
    batch_size
        Examples per batch.
    shuffle
        Visit the examples in a new random order each epoch.
    last_batch_handle
        What to do when the data does not divide into batches: ``"pad"`` (default, MinPy's:
        fill the last batch with examples from the start, ``batch.pad`` says how many),
        ``"discard"`` (drop it), ``"roll_over"`` (carry the rest into the next epoch) or
        ``"keep"`` (a smaller last batch).
    device
        Where batches are placed (default: the current context at iteration time).
    seed
        Seed of the shuffling generator.

    Examples
    --------
    >>> from minpy.nn.io import NDArrayIter
    >>> it = NDArrayIter(np.arange(10.0).reshape(5, 2), np.arange(5), batch_size=2)
    >>> [(b.label[0].tolist(), b.pad) for b in it]
    [([0, 1], 0), ([2, 3], 0), ([4, 0], 1)]
    >>> it.getnumiterations()
    3
    """

    def __init__(
        self,
        data: Any,
        label: Any = None,
        batch_size: int = 1,
        shuffle: bool = False,
        last_batch_handle: str = "pad",
        device: Device | None = None,
        seed: int | None = None,
    ) -> None:
        self.data = _as_list(data, "data")
        self.label = _as_list(label, "label")
        if not self.data:
            raise ValueError("NDArrayIter: no data given; pass an array of examples")
        n = self.data[0].shape[0]
        for a in self.data + self.label:
            if a.shape[0] != n:
                raise ValueError(
                    f"NDArrayIter: arrays hold {n} and {a.shape[0]} examples; data and labels "
                    "need the same length along the first axis"
                )
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"NDArrayIter: batch_size must be a positive int, got {batch_size!r}")
        if last_batch_handle not in _HANDLES:
            raise ValueError(
                f"NDArrayIter: last_batch_handle={last_batch_handle!r}; use one of {_HANDLES}"
            )
        if n < batch_size and last_batch_handle == "discard":
            raise ValueError(
                f"NDArrayIter: {n} examples make no full batch of {batch_size} and "
                "last_batch_handle='discard' would yield nothing; lower batch_size"
            )
        self.num_data = n
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.device = device
        self._rng = numpy.random.RandomState(seed)
        self._carry = numpy.zeros(0, dtype=numpy.int64)
        self._order = numpy.arange(n)
        self._cursor = 0
        self._fresh = True

    def reset(self) -> None:
        """Start a new epoch (reshuffling when ``shuffle``)."""
        rest = self._order[self._cursor :]
        if self.last_batch_handle == "roll_over" and not self._fresh and len(rest):
            self._carry = rest
        else:
            self._carry = numpy.zeros(0, dtype=numpy.int64)
        order = (
            self._rng.permutation(self.num_data) if self.shuffle else numpy.arange(self.num_data)
        )
        self._order = numpy.concatenate([self._carry, order]) if len(self._carry) else order
        self._cursor = 0
        self._fresh = True

    def getnumiterations(self) -> int:
        """Number of batches in one epoch (without roll-over carries)."""
        full, rest = divmod(self.num_data, self.batch_size)
        return int(full) + (1 if rest and self.last_batch_handle in ("pad", "keep") else 0)

    def __len__(self) -> int:
        return self.getnumiterations()

    def __iter__(self) -> Iterator[DataBatch]:
        self.reset()
        return self

    def __next__(self) -> DataBatch:
        self._fresh = False
        n = len(self._order)
        start = self._cursor
        if start >= n:
            raise StopIteration
        stop = start + self.batch_size
        pad = 0
        if stop > n:
            handle = self.last_batch_handle
            if handle in ("discard", "roll_over"):
                raise StopIteration
            if handle == "pad":
                pad = stop - n
        idx = self._order[start:stop]
        if pad:
            idx = numpy.concatenate([idx, self._order[numpy.arange(pad) % n]])
        self._cursor = min(stop, n)
        return self._batch(idx, pad)

    next = __next__

    def _batch(self, idx: numpy.ndarray, pad: int) -> DataBatch:
        dev = self.device if self.device is not None else current_context()
        data = [np.asarray(a[idx], device=dev) for a in self.data]
        label = [np.asarray(a[idx], device=dev) for a in self.label]
        return DataBatch(data, label, pad, idx)

    def getsubiter(self, num_samples: int) -> NDArrayIter:
        """An iterator over ``num_samples`` random examples (no shuffling, smaller last batch)."""
        idx = self._rng.choice(self.num_data, size=min(num_samples, self.num_data), replace=False)
        return NDArrayIter(
            [a[idx] for a in self.data],
            [a[idx] for a in self.label] if self.label else None,
            self.batch_size,
            last_batch_handle="keep",
            device=self.device,
        )

    def __repr__(self) -> str:
        shapes: Sequence[Any] = [a.shape for a in self.data]
        return (
            f"NDArrayIter(data shapes {list(shapes)!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, last_batch_handle={self.last_batch_handle!r})"
        )
