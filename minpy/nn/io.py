"""``NDArrayIter``: mini-batches of in-memory data on a device (MinPy's ``minpy.nn.io``).

Data stays in host memory; each batch is gathered there and placed on the iterator's device
(or the current context), so training code never handles transfers. Shuffling uses the
iterator's own NumPy generator, so it is reproducible with ``seed=`` and independent of the
devices' generators. Both ways of reading batches work: Python iteration (``for batch in it``,
which starts a new epoch) and MXNet's cursor protocol (``reset``, ``iter_next``, ``getdata``,
``getlabel``, ``getpad``, ``getindex``, ``next``). Nothing here trains.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.context import Device, current_context

__all__ = ["DataBatch", "DataIter", "NDArrayIter", "load_data_labels", "save_data_labels"]

_HANDLES = ("pad", "discard", "roll_over", "keep")


class DataBatch:
    """One mini-batch: ``data`` and ``label`` (lists of Arrays), ``pad`` (how many trailing
    examples are padding; ``None`` counts as 0), ``index`` (the examples' positions in the
    data set, or ``None``).

    Examples
    --------
    >>> from minpy.nn.io import DataBatch
    >>> DataBatch([np.zeros((4, 2))], [np.zeros(4)]).size
    4
    """

    __slots__ = ("data", "index", "label", "pad")

    def __init__(
        self, data: list[Array], label: list[Array], pad: int | None = None, index: Any = None
    ) -> None:
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index

    @property
    def size(self) -> int:
        """Number of real (not padded) examples."""
        return int(self.data[0].shape[0]) - (self.pad or 0)

    def __repr__(self) -> str:
        shapes = [tuple(d.shape) for d in self.data]
        return f"DataBatch(data shapes {shapes!r}, pad={self.pad})"


class DataIter:
    """MXNet's iterator protocol: subclasses define ``iter_next`` and the ``get*`` methods;
    ``next()`` (and Python iteration) builds a ``DataBatch`` from them.

    As in MinPy, ``__iter__`` returns the iterator itself without rewinding it: call
    ``reset()`` between epochs. (``NDArrayIter`` rewinds on ``__iter__``.)
    """

    def __init__(self) -> None:
        self.batch_size = 0

    def __iter__(self) -> Iterator[DataBatch]:
        return self

    def reset(self) -> None:
        """Rewind to the first batch."""

    def iter_next(self) -> bool:
        """Move to the next batch; ``False`` when there is none."""
        raise NotImplementedError(f"{type(self).__name__} must define iter_next()")

    def getdata(self) -> list[Array]:
        """The current batch's data arrays."""
        raise NotImplementedError(f"{type(self).__name__} must define getdata()")

    def getlabel(self) -> list[Array]:
        """The current batch's label arrays."""
        raise NotImplementedError(f"{type(self).__name__} must define getlabel()")

    def getpad(self) -> int:
        """How many trailing examples of the current batch are padding."""
        return 0

    def getindex(self) -> Any:
        """An index of the current batch (``None`` unless a subclass says otherwise)."""
        return None

    def next(self) -> DataBatch:
        """The next ``DataBatch``; raises ``StopIteration`` at the end of the epoch."""
        if not self.iter_next():
            raise StopIteration
        return DataBatch(self.getdata(), self.getlabel(), self.getpad(), self.getindex())

    def __next__(self) -> DataBatch:
        return self.next()


def _as_named(x: Any, what: str, default: str) -> list[tuple[str, numpy.ndarray]]:
    """``(name, host array)`` pairs, named as MXNet names them."""
    if x is None:
        return []
    if isinstance(x, Mapping):
        pairs = [(str(k), v) for k, v in x.items()]
    else:
        items = list(x) if isinstance(x, (list, tuple)) else [x]
        names = [default] if len(items) == 1 else [f"_{i}_{default}" for i in range(len(items))]
        pairs = list(zip(names, items))
    out = []
    for name, a in pairs:
        host = a.asnumpy() if isinstance(a, Array) else numpy.asarray(a)
        if host.ndim == 0:
            raise ValueError(f"NDArrayIter: {what} must be arrays with a batch axis, got {a!r}")
        out.append((name, host))
    return out


class NDArrayIter(DataIter):
    """Iterate over ``data`` (and ``label``) in mini-batches of ``batch_size``.

    Parameters
    ----------
    data, label
        An array, or a list/dict of arrays, with examples along the first axis (NumPy arrays or
        minpy Arrays). ``label`` may be ``None``. Names (``provide_data``) are ``"data"`` and
        ``"softmax_label"``, ``"_0_data"``... for lists, the keys for dicts.
    batch_size
        Examples per batch.
    shuffle
        Visit the examples in a new random order each epoch.
    last_batch_handle
        What to do when the data does not divide into batches: ``"pad"`` (default, MinPy's:
        every batch has ``batch_size`` examples, the last one filled by wrapping round to the
        start of the epoch's order; ``batch.pad`` and ``getpad()`` say how many),
        ``"discard"`` (drop it), ``"roll_over"`` (carry the rest into the next epoch) or
        ``"keep"`` (a smaller last batch).
    device
        Where batches are placed (default: the current context at iteration time).
    seed
        Seed of the shuffling generator.
    num_parts, part_index
        Data-parallel sharding (``minpy.distributed``): every batch of ``batch_size``
        examples is cut into ``num_parts`` equal shards and this iterator serves shard
        ``part_index`` (``batch_size // num_parts`` examples, ``pad``/``getpad()`` counting
        the padding in that shard). Every part sees the same number of batches; give all parts
        the same ``seed`` so that they shuffle alike. ``batch_size`` must be a multiple of
        ``num_parts``, and ``last_batch_handle="keep"`` (a short last batch) is refused, since
        its shards could not be equal. ``getsubiter`` draws from the whole data set.

    Examples
    --------
    >>> from minpy.nn.io import NDArrayIter
    >>> it = NDArrayIter(np.arange(10.0).reshape(5, 2), np.arange(5), batch_size=2)
    >>> [(b.label[0].tolist(), b.pad) for b in it]
    [([0, 1], 0), ([2, 3], 0), ([4, 0], 1)]
    >>> it.getnumiterations(), it.provide_data
    (3, [('data', (2, 2))])

    MXNet's cursor protocol reads the same batches:

    >>> it.reset()
    >>> while it.iter_next():
    ...     print(it.getindex(), it.getlabel()[0].tolist(), it.getpad())
    0 [0, 1] 0
    1 [2, 3] 0
    2 [4, 0] 1

    Two parts share each batch:

    >>> [b.label[0].tolist() for b in NDArrayIter(np.arange(6), np.arange(6), 4,
    ...                                           num_parts=2, part_index=1)]
    [[2, 3], [0, 1]]
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
        num_parts: int = 1,
        part_index: int = 0,
    ) -> None:
        super().__init__()
        named_data = _as_named(data, "data", "data")
        named_label = _as_named(label, "label", "softmax_label")
        if not named_data:
            raise ValueError("NDArrayIter: no data given; pass an array of examples")
        self.data = [a for _, a in named_data]
        self.label = [a for _, a in named_label]
        n = self.data[0].shape[0]
        for a in self.data + self.label:
            if a.shape[0] != n:
                raise ValueError(
                    f"NDArrayIter: arrays hold {n} and {a.shape[0]} examples; data and labels "
                    "need the same length along the first axis"
                )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
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
        self.num_parts, self.part_index = _check_parts(
            num_parts, part_index, batch_size, last_batch_handle
        )
        self._names = ([k for k, _ in named_data], [k for k, _ in named_label])
        self.num_data = n
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.device = device
        self._rng = numpy.random.RandomState(seed)
        # the epoch's order is drawn lazily (so a restored generator state decides it); a batch
        # taken since it was drawn (_started) makes the next reset() start a new epoch
        self._order: numpy.ndarray | None = None
        self._cursor = -batch_size
        self._served = 0  # examples of the order served so far this epoch
        self._started = False

    # MXNet's description of the batches ------------------------------------------------------
    @property
    def provide_data(self) -> list[tuple[str, tuple[int, ...]]]:
        """``[(name, (batch size of this part, ...))]`` for each data array."""
        n = self.batch_size // self.num_parts
        return [(k, (n, *a.shape[1:])) for k, a in zip(self._names[0], self.data)]

    @property
    def provide_label(self) -> list[tuple[str, tuple[int, ...]]]:
        """``[(name, (batch size of this part, ...))]`` for each label array."""
        n = self.batch_size // self.num_parts
        return [(k, (n, *a.shape[1:])) for k, a in zip(self._names[1], self.label)]

    @property
    def data_list(self) -> list[numpy.ndarray]:
        """MinPy's: the data arrays, then the label arrays (host arrays)."""
        return self.data + self.label

    @property
    def num_source(self) -> int:
        """MinPy's: how many arrays (data and labels) each batch holds."""
        return len(self.data) + len(self.label)

    @property
    def num_iterations_per_epoch(self) -> int:
        """MinPy's attribute; the same as ``getnumiterations()``."""
        return self.getnumiterations()

    @property
    def cursor(self) -> int:
        """Position of the current batch in the epoch's order (``-batch_size`` before the first)."""
        return self._cursor

    # epochs ----------------------------------------------------------------------------------
    def _draw(self, carry: numpy.ndarray | None) -> None:
        n = self.num_data
        order = self._rng.permutation(n) if self.shuffle else numpy.arange(n)
        self._order = numpy.concatenate([carry, order]) if carry is not None else order
        self._cursor = -self.batch_size
        self._served = 0
        self._started = False

    def reset(self) -> None:
        """Start a new epoch (reshuffling when ``shuffle``; with ``"roll_over"``, the examples
        the last epoch left are served first). Rewinding twice in a row rewinds once."""
        if self._order is not None and not self._started:
            self._cursor = -self.batch_size
            return
        carry = None
        if self.last_batch_handle == "roll_over" and self._order is not None:
            rest = self._order[self._served :]
            carry = rest if len(rest) else None
        self._draw(carry)

    def hard_reset(self) -> None:
        """Start a new epoch from the start of the data, ignoring any roll-over."""
        self._draw(None)

    def iter_next(self) -> bool:
        """Move to the next batch; ``False`` at the end of the epoch."""
        if self._order is None:
            self._draw(None)
        self._started = True
        n = len(self._order)  # type: ignore[arg-type]
        if self._cursor < n:
            self._cursor += self.batch_size
        start = self._cursor
        if start >= n:
            return False
        if start + self.batch_size > n and self.last_batch_handle in ("discard", "roll_over"):
            self._cursor = n
            return False
        self._served = min(start + self.batch_size, n)
        return True

    def _index(self) -> numpy.ndarray:
        """The current batch's example positions (padded ones included), this part's only."""
        order = self._order
        start = self._cursor
        if order is None or not 0 <= start < len(order):
            raise RuntimeError(
                f"NDArrayIter: no current batch (cursor {start}); call iter_next() first, "
                "or reset() after the end of the epoch"
            )
        idx = order[start : start + self.batch_size]
        pad = self._batch_pad()
        if pad:
            idx = numpy.concatenate([idx, order[numpy.arange(pad) % len(order)]])
        if self.num_parts > 1:
            k = self.batch_size // self.num_parts
            idx = idx[self.part_index * k : (self.part_index + 1) * k]
        return idx

    def _place(self, arrays: list[numpy.ndarray], idx: numpy.ndarray) -> list[Array]:
        dev = self.device if self.device is not None else current_context()
        return [np.asarray(a[idx], device=dev) for a in arrays]

    def getdata(self) -> list[Array]:
        """The current batch's data Arrays."""
        return self._place(self.data, self._index())

    def getlabel(self) -> list[Array]:
        """The current batch's label Arrays."""
        return self._place(self.label, self._index())

    def _batch_pad(self) -> int:
        """How many examples at the end of the whole current batch (all parts) are padding."""
        n = len(self._order) if self._order is not None else self.num_data
        over = self._cursor + self.batch_size - n
        return over if self.last_batch_handle == "pad" and over > 0 else 0

    def getpad(self) -> int:
        """How many examples at the end of the current batch are padding (``"pad"`` only;
        with ``num_parts``, of this part's shard)."""
        pad = self._batch_pad()
        if self.num_parts == 1 or not pad:
            return pad
        k = self.batch_size // self.num_parts
        first_pad = self.batch_size - pad  # position of the first padded example in the batch
        start = self.part_index * k
        return max(0, start + k - max(start, first_pad))

    def getindex(self) -> int:
        """The current batch's number in the epoch (MinPy's ``cursor / batch_size``)."""
        return self._cursor // self.batch_size

    def next(self) -> DataBatch:
        """The next ``DataBatch`` (``index``: the examples' positions in the data set)."""
        if not self.iter_next():
            raise StopIteration
        idx = self._index()
        return DataBatch(self._place(self.data, idx), self._place(self.label, idx),
                         self.getpad(), idx)  # fmt: skip

    def getnumiterations(self) -> int:
        """Number of batches in one epoch (without roll-over carries)."""
        full, rest = divmod(self.num_data, self.batch_size)
        return int(full) + (1 if rest and self.last_batch_handle in ("pad", "keep") else 0)

    def __len__(self) -> int:
        return self.getnumiterations()

    def __iter__(self) -> Iterator[DataBatch]:
        self.reset()
        return self

    def shard(self, num_parts: int, part_index: int) -> NDArrayIter:
        """Serve shard ``part_index`` of ``num_parts`` of every batch from now on (as the
        constructor's arguments of those names do); returns the iterator."""
        self.num_parts, self.part_index = _check_parts(
            num_parts, part_index, self.batch_size, self.last_batch_handle
        )
        return self

    def getsubiter(self, num_samples: int) -> NDArrayIter:
        """An iterator over ``num_samples`` random examples, padded as MinPy's is (every batch
        has ``batch_size`` examples; ``batch.pad`` says how many are repeats)."""
        idx = self._rng.choice(self.num_data, size=min(num_samples, self.num_data), replace=False)
        return NDArrayIter(
            [a[idx] for a in self.data],
            [a[idx] for a in self.label] if self.label else None,
            self.batch_size,
            last_batch_handle="pad",
            device=self.device,
        )

    def __repr__(self) -> str:
        shapes: Sequence[Any] = [a.shape for a in self.data]
        return (
            f"NDArrayIter(data shapes {list(shapes)!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, last_batch_handle={self.last_batch_handle!r}"
            + (f", num_parts={self.num_parts}, part_index={self.part_index})"
               if self.num_parts > 1 else ")")
        )  # fmt: skip


def _check_parts(
    num_parts: Any, part_index: Any, batch_size: int, last_batch_handle: str
) -> tuple[int, int]:
    """``(num_parts, part_index)`` checked against each other and the batch size."""
    if isinstance(num_parts, bool) or not isinstance(num_parts, int) or num_parts < 1:
        raise ValueError(f"NDArrayIter: num_parts must be a positive int, got {num_parts!r}")
    if (
        isinstance(part_index, bool)
        or not isinstance(part_index, int)
        or not 0 <= part_index < num_parts
    ):
        raise ValueError(
            f"NDArrayIter: part_index={part_index!r} is not a part of num_parts={num_parts}; "
            f"use an int in range({num_parts}) (minpy.distributed.rank())"
        )
    if batch_size % num_parts:
        raise ValueError(
            f"NDArrayIter: batch_size={batch_size} does not split into num_parts={num_parts} "
            f"equal shards; use a multiple of {num_parts}"
        )
    if num_parts > 1 and last_batch_handle == "keep":
        raise ValueError(
            "NDArrayIter: last_batch_handle='keep' makes a short last batch whose shards could "
            f"not be equal across num_parts={num_parts}; use 'pad', 'discard' or 'roll_over'"
        )
    return num_parts, part_index


def save_data_labels(data_vec: Any, label_vec: Any, file_name: str | os.PathLike[str]) -> None:
    """Pickle ``{'data': data_vec, 'labels': label_vec}`` to ``file_name`` (MinPy's format).

    Examples
    --------
    >>> import os, tempfile
    >>> from minpy.nn.io import load_data_labels, save_data_labels
    >>> path = os.path.join(tempfile.mkdtemp(), "digits.pkl")
    >>> save_data_labels(numpy.zeros((2, 3)), numpy.array([0, 1]), path)
    >>> [a.shape for a in load_data_labels(path)]
    [(2, 3), (2,)]
    """
    with open(file_name, "wb") as f:
        pickle.dump({"data": data_vec, "labels": label_vec}, f, protocol=pickle.HIGHEST_PROTOCOL)


def load_data_labels(file_name: str | os.PathLike[str]) -> tuple[Any, Any]:
    """``(data, labels)`` from a file ``save_data_labels`` wrote.

    It unpickles, so load only files you trust.
    """
    with open(file_name, "rb") as f:
        saved = pickle.load(f)
    return saved["data"], saved["labels"]
