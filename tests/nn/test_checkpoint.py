"""minpy.nn.checkpoint: the checked .npz reader (headers first, forged sizes refused before
allocation, data in chunks with CRCs) and its round trip of every array layout."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest

from minpy.nn.checkpoint import CheckpointError, Entry, read_npz, write_npz
from tests.nn import npzfiles
from tests.nn.npzfiles import HUGE, forged, npy


def test_read_npz_round_trip_of_layouts(tmp_path: Path) -> None:
    arrays = {
        "c": numpy.arange(12.0).reshape(3, 4),
        "fortran": numpy.asfortranarray(numpy.arange(12.0).reshape(3, 4)),
        "big_endian": numpy.arange(5, dtype=">f4"),
        "scalar": numpy.asarray(7),
        "name": numpy.asarray("adam"),
        "empty": numpy.zeros((0, 3)),
    }
    path = tmp_path / "a.npz"
    write_npz(path, arrays)
    back = read_npz(path)
    assert back.keys() == arrays.keys()
    for key, value in arrays.items():
        assert back[key].shape == value.shape, key
        assert back[key].dtype.isnative and back[key].flags.c_contiguous, key
        numpy.testing.assert_array_equal(back[key], value)
    assert str(back["name"]) == "adam"
    compressed = tmp_path / "z.npz"
    numpy.savez_compressed(compressed, w=numpy.zeros((100, 100)))
    assert read_npz(compressed)["w"].shape == (100, 100)


def test_read_npz_refuses_forged_header_before_allocating(tmp_path: Path) -> None:
    path = npzfiles.write(tmp_path / "forged.npz", {"w": forged((HUGE,))})
    with pytest.raises(
        CheckpointError,
        match=r"entry 'w' claims shape \(1099511627776,\) of float64 \(8 TiB\) but holds 64 "
        r"bytes of data; the file is corrupt, truncated or forged",
    ):
        read_npz(path)
    # one element too few is refused the same way
    short = npzfiles.write(tmp_path / "short.npz", {"w": npy(numpy.ones(4))[:-8]})
    with pytest.raises(CheckpointError, match=r"claims shape \(4,\) of float64 \(32 bytes\)"):
        read_npz(short)


def test_read_npz_check_sees_headers_only_and_picks_entries(tmp_path: Path) -> None:
    path = npzfiles.write(
        tmp_path / "a.npz", {"small": npy(numpy.ones(3)), "huge": forged((HUGE, 2), "<f4", 0)}
    )
    seen: dict[str, Entry] = {}

    def check(found: dict[str, Entry]) -> list[str]:
        seen.update(found)
        return ["small"]

    with pytest.raises(CheckpointError, match="'huge' claims shape"):
        read_npz(path, check)
    assert seen == {
        "small": Entry((3,), numpy.dtype("float64")),
        "huge": Entry((HUGE, 2), numpy.dtype("float32")),
    }
    ok = npzfiles.write(tmp_path / "b.npz", {"small": npy(numpy.ones(3)), "x": npy([1, 2])})
    assert list(read_npz(ok, check)) == ["small"]


def test_read_npz_refuses_objects_and_other_formats(tmp_path: Path) -> None:
    objects = npzfiles.write(tmp_path / "o.npz", {"w": npy(numpy.array([{"x": 1}], object))})
    with pytest.raises(CheckpointError, match=r"'w' holds Python objects.*pickle can run code"):
        read_npz(objects)
    v3 = bytearray(npy(numpy.ones(2)))
    v3[6:8] = b"\x04\x00"  # a format version no numpy writes
    with pytest.raises(CheckpointError, match=r"'w' is a \.npy array of format version \(4, 0\)"):
        read_npz(npzfiles.write(tmp_path / "v.npz", {"w": bytes(v3)}))
