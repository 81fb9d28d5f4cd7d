"""The ``.npz`` files of ``ModelBase.save`` and ``Solver.save_checkpoint``: an atomic write,
and a read that is checked before it is trusted.

``read_npz`` reads every entry's ``.npy`` header first (shape and dtype, no data), refuses
Python objects (they would need pickle, which can run code), lets the caller check the headers
(``check_entries`` against ``Expect`` records: names, dtype kinds, shapes), and checks that each
header accounts for exactly the bytes stored, so a forged header that claims terabytes is
refused before anything is allocated; only then is data read, in chunks, with the archive's
CRCs. The second half holds what a Solver checkpoint must contain beyond the model's entries
(``solver_expectations``) and the checks of its counters and generator state. Nothing here
changes a model or a solver: the loaders in ``minpy.nn.model`` and ``minpy.nn.solver`` do, once
everything has passed.
"""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, NamedTuple

import numpy
import numpy.lib.format as npy_format

from minpy.nn import optim as _optim

__all__ = [
    "HISTORIES",
    "SOLVER_SECTIONS",
    "CheckpointError",
    "Entry",
    "Expect",
    "check_entries",
    "check_solver_entries",
    "dtype_kinds",
    "read_epoch",
    "read_npz",
    "read_rng_state",
    "read_update_rule",
    "solver_expectations",
    "write_npz",
]

# the sections Solver.save_checkpoint adds next to param: and aux:; ModelBase.load skips them,
# so a checkpoint loads into a bare model too
SOLVER_SECTIONS = frozenset({"best", "hist", "meta", "optim", "rng"})
HISTORIES = ("loss", "epoch_loss", "train_acc", "val_acc", "lr")
MT_KEYS = 624  # words of the MT19937 state that NDArrayIter's RandomState shuffles with

_CHUNK = 1 << 24  # bytes read from an entry at a time: memory follows the data, not the header
_FOUND_TEXT = {
    "f": "real floating-point values",
    "i": "integer values",
    "u": "integer values",
    "b": "booleans",
    "c": "complex values",
    "U": "strings",
    "S": "byte strings",
    "O": "Python objects",
    "V": "structured records",
    "M": "dates",
    "m": "time spans",
}
_WANT_TEXT = {
    "f": "real floating-point values",
    "iu": "integer values",
    "iuf": "real numbers",
    "b": "booleans",
    "c": "complex values",
    "U": "a string",
}


class CheckpointError(ValueError):
    """A parameter or checkpoint file is unreadable, corrupt, truncated or does not fit."""


class Entry(NamedTuple):
    """What an ``.npy`` header says: the array's shape and dtype (its data is not read)."""

    shape: tuple[int, ...]
    dtype: numpy.dtype[Any]


class Expect(NamedTuple):
    """What a loader expects of one entry, for ``check_entries``.

    ``what`` names it in messages (``"parameter 'w1'"``); ``shape`` is the required shape
    (``None``: any); ``kinds`` the allowed dtype kinds (``"f"``, ``"iu"``, ``"U"`` ...);
    ``fix`` ends a message about a wrong shape.
    """

    what: str
    shape: tuple[int, ...] | None
    kinds: str
    fix: str = "build the model with the sizes it was saved with"


def dtype_kinds(dtype: Any) -> str:
    """The dtype kinds a loaded entry may have to replace an array of ``dtype``."""
    kind = numpy.dtype(dtype).kind
    if kind in "iu":
        return "iu"
    return kind if kind in "fbc" else "biuf"  # object placeholders (aux None): any real number


def _nbytes_text(n: int) -> str:
    """``n`` bytes for a message: ``240 bytes``, ``1.5 MiB``, ``8 TiB``."""
    if n < 1024:
        return f"{n} bytes"
    size = n / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.3g} {unit}"
        size /= 1024
    return f"{size:.3g} TiB"


def _names(keys: Iterable[str]) -> str:
    """``keys`` sorted for a message, cut short when there are many."""
    keys = sorted(keys)
    if len(keys) > 8:
        return f"{keys[:8]!r} and {len(keys) - 8} more"
    return repr(keys)


def check_entries(
    found: Mapping[str, Entry],
    required: Mapping[str, Expect],
    optional: Mapping[str, Expect],
    source: str,
    skip: Collection[str] = (),
) -> None:
    """Raise ``CheckpointError`` unless ``found`` has every required entry, no entry outside
    ``required``/``optional`` (except in the sections ``skip``), and each entry the expected
    dtype kind and shape. Reads headers only, so a forged size is refused before allocation."""
    missing = [k for k in required if k not in found]
    if missing:
        key = missing[0]
        raise CheckpointError(
            f"{source} has no entry {key!r} for the {required[key].what} (missing: "
            f"{_names(missing)}; the file has {_names(found)}); nothing was loaded; was it "
            "saved from a different model?"
        )
    for key, entry in found.items():
        exp = required.get(key) or optional.get(key)
        if exp is None:
            if key.partition(":")[0] in skip:
                continue
            raise CheckpointError(
                f"{source} has an unexpected entry {key!r} (shape {entry.shape!r}, dtype "
                f"{entry.dtype}) that nothing in this model or solver reads (expected entries: "
                f"{_names([*required, *optional])}); nothing was loaded; load the file into "
                "the model it was saved from"
            )
        kind = entry.dtype.kind
        if kind not in exp.kinds:
            found_text = _FOUND_TEXT.get(kind, f"values of kind {kind!r}")
            want = _WANT_TEXT.get(exp.kinds, "real numbers")
            raise CheckpointError(
                f"{source}: entry {key!r} holds {found_text} (dtype {entry.dtype}) but the "
                f"{exp.what} needs {want}; nothing was loaded; save the file again from a "
                "model whose arrays have that dtype"
            )
        if exp.shape is not None and tuple(entry.shape) != tuple(exp.shape):
            raise CheckpointError(
                f"{source}: entry {key!r} has shape {tuple(entry.shape)!r} but the {exp.what} "
                f"has shape {tuple(exp.shape)!r}; nothing was loaded; {exp.fix}"
            )


def write_npz(path: str | os.PathLike[str], arrays: Mapping[str, Any]) -> None:
    """Write ``arrays`` (name -> host array) to ``path`` atomically.

    The data goes to a temporary file next to ``path`` that then replaces it, so an
    interrupted write never damages an existing file.
    """
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            host: dict[str, Any] = {k: numpy.asarray(v) for k, v in arrays.items()}
            numpy.savez(f, **host)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class _Member(NamedTuple):
    info: zipfile.ZipInfo
    entry: Entry
    fortran: bool
    offset: int  # bytes of magic and header before the data


def _read_header(member: Any, key: str, source: str) -> tuple[Entry, bool]:
    version = npy_format.read_magic(member)
    if version == (1, 0):
        shape, fortran, dtype = npy_format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, fortran, dtype = npy_format.read_array_header_2_0(member)
    else:
        raise CheckpointError(
            f"{source}: entry {key!r} is a .npy array of format version {version!r}, which "
            "this loader does not read (only 1.0 and 2.0); save it with ModelBase.save"
        )
    if dtype.hasobject:
        raise CheckpointError(
            f"{source}: entry {key!r} holds Python objects (dtype {dtype}), which only pickle "
            "could load, and pickle can run code; refused, nothing was loaded; save plain "
            "numeric arrays with ModelBase.save or Solver.save_checkpoint"
        )
    return Entry(tuple(shape), dtype), fortran


def _scan(zf: zipfile.ZipFile, source: str) -> dict[str, _Member]:
    """Every entry's header; no array data is read."""
    members: dict[str, _Member] = {}
    for info in zf.infolist():
        name = info.filename
        if not name.endswith(".npy"):
            raise CheckpointError(
                f"{source} has an unexpected member {name!r} that is not a .npy array; "
                "nothing was loaded; save the file with ModelBase.save or Solver.save_checkpoint"
            )
        key = name[: -len(".npy")]
        if key in members:
            raise CheckpointError(
                f"{source} holds entry {key!r} twice; nothing was loaded; the file was not "
                "written by ModelBase.save or Solver.save_checkpoint"
            )
        with zf.open(info) as member:
            entry, fortran = _read_header(member, key, source)
            offset = member.tell()
        members[key] = _Member(info, entry, fortran, offset)
    return members


def _check_size(key: str, m: _Member, source: str) -> None:
    """Raise unless the header's shape and dtype account for exactly the entry's bytes."""
    nbytes = math.prod(m.entry.shape) * m.entry.dtype.itemsize
    held = m.info.file_size - m.offset
    if nbytes != held:
        raise CheckpointError(
            f"{source}: entry {key!r} claims shape {m.entry.shape!r} of {m.entry.dtype} "
            f"({_nbytes_text(nbytes)}) but holds {_nbytes_text(max(held, 0))} of data; the "
            "file is corrupt, truncated or forged; nothing was loaded; use an intact copy"
        )


def _read_data(zf: zipfile.ZipFile, key: str, m: _Member) -> numpy.ndarray:
    """The array of entry ``key``: read in chunks, so memory follows the bytes really there;
    reading to the end makes zipfile check the CRC."""
    nbytes = math.prod(m.entry.shape) * m.entry.dtype.itemsize
    buf = bytearray()
    with zf.open(m.info) as member:
        member.read(m.offset)
        while len(buf) < nbytes:
            chunk = member.read(min(_CHUNK, nbytes - len(buf)))
            if not chunk:
                break
            buf += chunk
        if len(buf) != nbytes or member.read(1):
            raise ValueError(f"entry {key!r} holds a different number of bytes than its header")
    flat = numpy.frombuffer(buf, dtype=m.entry.dtype) if nbytes else numpy.empty(0, m.entry.dtype)
    arr = flat.reshape(m.entry.shape, order="F" if m.fortran else "C")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr if arr.flags.c_contiguous else numpy.array(arr, order="C")


def read_npz(
    path: str | os.PathLike[str],
    check: Callable[[dict[str, Entry]], Collection[str] | None] | None = None,
) -> dict[str, numpy.ndarray]:
    """Every array of the ``.npz`` file ``path``, read fully and checked, without pickle.

    ``check`` receives each entry's header (``Entry(shape, dtype)``) before any array data is
    read; it raises ``CheckpointError`` to refuse the file, and may return the names of the
    entries to read (``None``: all). Each entry's header must account for exactly its bytes,
    so a header claiming terabytes is refused instead of allocated.

    Raises
    ------
    CheckpointError
        The file is missing, not an ``.npz`` archive, corrupt, truncated or forged, holds
        objects that would need pickle, or ``check`` refused it.

    Examples
    --------
    >>> import os, tempfile, numpy
    >>> from minpy.nn.checkpoint import read_npz, write_npz
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_npz(os.path.join(tmp, "a.npz"), {"w": numpy.ones((2, 3))})
    ...     read_npz(os.path.join(tmp, "a.npz"))["w"].shape
    (2, 3)
    """
    return _read(path, check, every_size=True)


def _read(
    path: str | os.PathLike[str],
    check: Callable[[dict[str, Entry]], Collection[str] | None] | None,
    every_size: bool,
) -> dict[str, numpy.ndarray]:
    """``read_npz``; with ``every_size=False`` only the entries read are size-checked."""
    path = os.fspath(path)
    source = repr(path)
    if not os.path.exists(path):
        raise CheckpointError(f"no such parameter file: {path!r}; check the path")
    try:
        # our own file handle: none is left open when the archive is broken
        with open(path, "rb") as fh:
            if fh.read(len(npy_format.MAGIC_PREFIX)) == npy_format.MAGIC_PREFIX:
                raise CheckpointError(
                    f"{source} is a single .npy array, not an .npz archive of named arrays; "
                    "save it with ModelBase.save or Solver.save_checkpoint"
                )
            fh.seek(0)
            with zipfile.ZipFile(fh) as zf:
                members = _scan(zf, source)
                keep = check({k: m.entry for k, m in members.items()}) if check else None
                wanted = {k: m for k, m in members.items() if keep is None or k in keep}
                for key, m in (members if every_size else wanted).items():
                    _check_size(key, m, source)
                return {key: _read_data(zf, key, m) for key, m in wanted.items()}
    except CheckpointError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise CheckpointError(
            f"cannot read {source}: the file is corrupt, truncated or not an .npz archive "
            f"({type(exc).__name__}: {exc}); nothing was loaded; use an intact copy or retrain"
        ) from exc


# Solver checkpoints -----------------------------------------------------------------------------
def solver_expectations(
    model: Mapping[str, Expect],
    shapes: Mapping[str, tuple[int, ...]],
    rule: Any,
    found: Mapping[str, Entry],
    source: str,
) -> tuple[dict[str, Expect], dict[str, Expect]]:
    """The entries a checkpoint must and may hold: the ``model``'s (``param:``/``aux:``), the
    solver's counters and histories, and per parameter (``shapes``) its best value and the
    update ``rule``'s settings and state (a custom rule's: any numbers found)."""
    if "meta:epoch" not in found:
        raise CheckpointError(
            f"{source} is a parameter file, not a solver checkpoint; load it with "
            "model.load(path) instead"
        )
    intact = "use an intact checkpoint written by Solver.save_checkpoint"
    required = dict(model)
    required["meta:epoch"] = Expect("solver's epoch counter", (), "iu", intact)
    required["meta:best_val_acc"] = Expect("solver's best validation accuracy", (), "f", intact)
    required["meta:update_rule"] = Expect("solver's update rule name", (), "U", intact)
    for key in HISTORIES:
        required[f"hist:{key}"] = Expect(f"solver's {key} history", None, "f", intact)
    optional = {
        "rng:keys": Expect("shuffling generator's key", (MT_KEYS,), "iu", intact),
        "rng:rest": Expect("shuffling generator's position", (3,), "f", intact),
    }
    hyper = _optim._HYPERPARAMETERS.get(rule)
    arrays = _optim._STATE_ARRAYS.get(rule, ())
    counts = _optim._STATE_COUNTS.get(rule, ())
    for name, shape in shapes.items():
        kinds = model[f"param:{name}"].kinds
        optional[f"best:{name}"] = Expect(f"best value of parameter {name!r}", shape, kinds)
        prefix = f"optim:{name}:"
        if hyper is None:  # a custom rule: any setting, as long as it is numbers
            for key in found:
                if key.startswith(prefix):
                    what = f"optimizer entry {key[len(prefix) :]!r} of parameter {name!r}"
                    optional[key] = Expect(what, None, "biuf")
            continue
        for field in hyper:
            what = f"optimizer setting {field!r} of parameter {name!r}"
            optional[prefix + field] = Expect(what, (), "iuf")
        for field in arrays:
            what = f"optimizer state {field!r} of parameter {name!r}"
            optional[prefix + field] = Expect(what, shape, kinds)
        for field in counts:
            what = f"optimizer step count {field!r} of parameter {name!r}"
            optional[prefix + field] = Expect(what, (), "iu")
    return required, optional


def check_solver_entries(
    model: Mapping[str, Expect],
    shapes: Mapping[str, tuple[int, ...]],
    rule: Any,
    found: Mapping[str, Entry],
    source: str,
) -> None:
    """Refuse a checkpoint whose entries do not fit, from the headers alone."""
    required, optional = solver_expectations(model, shapes, rule, found, source)
    check_entries(found, required, optional, source)
    for key in HISTORIES:
        shape = found[f"hist:{key}"].shape
        if len(shape) != 1:
            raise CheckpointError(
                f"{source}: entry 'hist:{key}' has shape {shape!r} but the solver's {key} "
                "history is a list (1-D); nothing was loaded; use an intact checkpoint"
            )
    best = {k[len("best:") :] for k in found if k.startswith("best:")}
    if best and best != set(shapes):
        raise CheckpointError(
            f"{source} holds the best values of {len(best)} of the {len(shapes)} parameters "
            f"(missing: {_names(set(shapes) - best)}); nothing was loaded; use an intact "
            "checkpoint"
        )
    if ("rng:keys" in found) != ("rng:rest" in found):
        raise CheckpointError(
            f"{source} holds only one of 'rng:keys' and 'rng:rest', the shuffling generator's "
            "state; nothing was loaded; use an intact checkpoint"
        )


def read_update_rule(path: str | os.PathLike[str], source: str) -> str:
    """The name of the update rule a checkpoint was written with (``""``: a custom one)."""
    expect = {"meta:update_rule": Expect("solver's update rule name", (), "U")}

    def check(found: dict[str, Entry]) -> list[str]:
        if "meta:epoch" not in found:
            raise CheckpointError(
                f"{source} is a parameter file, not a solver checkpoint; load it with "
                "model.load(path) instead"
            )
        check_entries({k: v for k, v in found.items() if k in expect}, expect, {}, source)
        return list(expect)

    # a first look at one entry, so a mismatch is named before the full check
    return str(_read(path, check, every_size=False)["meta:update_rule"])


def read_epoch(arrays: Mapping[str, numpy.ndarray], source: str) -> int:
    """The checkpoint's epoch counter, a count (``>= 0``)."""
    epoch = int(arrays["meta:epoch"])
    if epoch < 0:
        raise CheckpointError(
            f"{source}: the epoch counter 'meta:epoch' is {epoch!r}, not a count of epochs "
            "(>= 0); nothing was loaded; use an intact checkpoint"
        )
    return epoch


def read_rng_state(arrays: Mapping[str, numpy.ndarray], source: str) -> tuple[Any, ...] | None:
    """The shuffling generator's state (``RandomState.set_state``'s argument), tried on a
    scratch generator; ``None`` if the checkpoint has none."""
    if "rng:keys" not in arrays:
        return None
    pos, has_gauss, gauss = arrays["rng:rest"].tolist()
    try:
        if not (pos == int(pos) and 0 <= pos <= MT_KEYS and has_gauss in (0, 1)):
            raise ValueError(f"position {pos!r} or has_gauss {has_gauss!r} is out of range")
        keys = arrays["rng:keys"]
        if keys.min() < 0 or keys.max() >= 2**32:
            raise ValueError("a key word is not a 32-bit unsigned integer")
        state = ("MT19937", keys.astype(numpy.uint32), int(pos), int(has_gauss), float(gauss))
        numpy.random.RandomState().set_state(state)
    except (ValueError, TypeError, OverflowError) as exc:
        raise CheckpointError(
            f"{source}: the shuffling generator's state ('rng:keys', 'rng:rest') is invalid "
            f"({exc}); nothing was loaded; use an intact checkpoint"
        ) from None
    return state
