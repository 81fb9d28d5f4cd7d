"""The generated type stubs of minpy.numpy, linalg and fft are those the live namespaces give."""

from __future__ import annotations

import ast
import re
import types

import pytest

import minpy
import minpy.numpy as np
from minpy.numpy import _stubgen
from minpy.primitive import Primitive

REGENERATE = "regenerate them with: python -m minpy.numpy._stubgen"
MODULES = {"minpy.numpy": np, "minpy.numpy.linalg": np.linalg, "minpy.numpy.fft": np.fft}


def _committed(name: str) -> str:
    return _stubgen.stub_paths()[name].read_text()


@pytest.fixture(autouse=True)
def _same_numpy() -> None:
    """The stubs follow one NumPy's namespace; under another they differ, as they should."""
    found = re.search(r"from NumPy (\S+);", _committed("minpy.numpy"))
    made_with = found.group(1) if found else "?"
    if made_with != _stubgen.numpy_version():
        pytest.skip(
            f"the stubs were generated from NumPy {made_with}, this is NumPy "
            f"{_stubgen.numpy_version()}; {REGENERATE}"
        )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_stub_is_up_to_date(name: str) -> None:
    fresh = _stubgen.generate()[name]
    assert fresh == _committed(name), f"{_stubgen.stub_paths()[name]} is stale; {REGENERATE}"


def _defined(text: str) -> set[str]:
    """The top-level names a stub defines (defs, classes, assignments, imports as)."""
    names: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.asname == a.name)
    return names


@pytest.mark.parametrize("name", sorted(MODULES))
def test_stub_has_every_public_name(name: str) -> None:
    module = MODULES[name]
    public = set(module.__all__) | {
        n
        for n in dir(module)
        if not n.startswith("_")
        and isinstance(getattr(module, n), Primitive)  # getitem, sum_to, ... (not in __all__)
    }
    missing = sorted(public - _defined(_committed(name)))
    assert not missing, f"{name}'s stub lacks {missing}; {REGENERATE}"


def test_returns_table_names_only_primitives() -> None:
    for key in _stubgen.RETURNS:
        *sub, name = key.split(".")
        module: types.ModuleType = getattr(np, sub[0]) if sub else np
        assert isinstance(getattr(module, name, None), Primitive), (
            f"RETURNS in minpy/numpy/_stubgen.py names {key!r}, which is no primitive"
        )


_CALLS = {
    "isscalar": lambda: np.isscalar(np.ones(2)),
    "shape": lambda: np.shape(np.ones((2, 3))),
    "array_str": lambda: np.array_str(np.ones(2)),
    "nonzero": lambda: np.nonzero(np.arange(3)),
    "histogram": lambda: np.histogram(np.arange(4.0)),
    "histogramdd": lambda: np.histogramdd(np.ones((3, 2))),
    "unique_counts": lambda: np.unique_counts(np.arange(3)),
    "linalg.eigh": lambda: np.linalg.eigh(np.eye(2)),
    "linalg.lstsq": lambda: np.linalg.lstsq(np.eye(2), np.ones(2)),
}


@pytest.mark.parametrize("key", sorted(_CALLS))
def test_returns_table_says_what_comes_back(key: str) -> None:
    declared, got = _stubgen.RETURNS[key], _CALLS[key]()
    if declared in _stubgen.NAMED_TUPLES:
        assert got._fields == _stubgen.NAMED_TUPLES[declared]
        assert all(isinstance(v, minpy.Array) for v in got)
    elif declared.startswith("tuple[Array"):
        assert type(got) is tuple and isinstance(got[0], minpy.Array)
        assert all(isinstance(v, (minpy.Array, list)) for v in got)
    else:
        assert type(got).__name__ == {"None": "NoneType"}.get(declared, declared.split("[")[0])
