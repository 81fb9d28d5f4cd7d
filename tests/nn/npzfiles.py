"""Hand-made ``.npz`` files for the checkpoint tests: a valid file's entries as raw ``.npy``
bytes, edited one by one, and the malformed entries ``numpy.savez`` would never write (forged
headers, pickled objects, duplicates, stray members)."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy

HUGE = 1 << 40  # elements a forged header claims: 8 TiB of float64


def npy(array: Any) -> bytes:
    """``array`` as the bytes of a ``.npy`` file (object arrays pickled, as savez would)."""
    buf = io.BytesIO()
    numpy.lib.format.write_array(buf, numpy.asarray(array), allow_pickle=True)
    return buf.getvalue()


def forged(shape: tuple[int, ...], descr: str = "<f8", payload: int = 64) -> bytes:
    """A ``.npy`` header claiming ``shape`` of ``descr``, followed by only ``payload`` bytes."""
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    numpy.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + b"\0" * payload


def entries(path: Path) -> dict[str, bytes]:
    """The raw ``.npy`` bytes of each entry of ``path``, by key."""
    with zipfile.ZipFile(path) as zf:
        return {name.removesuffix(".npy"): zf.read(name) for name in zf.namelist()}


def write(
    path: Path,
    items: dict[str, bytes] | list[tuple[str, bytes]],
    stray: dict[str, bytes] | None = None,
) -> Path:
    """An archive of ``items`` (key, raw ``.npy`` bytes; a list may repeat a key) and of
    ``stray`` members stored under their own names."""
    pairs = list(items.items()) if isinstance(items, dict) else items
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name, on purpose here
        with zipfile.ZipFile(path, "w") as zf:
            for key, data in pairs:
                zf.writestr(key + ".npy", data)
            for name, data in (stray or {}).items():
                zf.writestr(name, data)
    return path
