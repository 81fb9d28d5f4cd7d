"""The package layout that ARCHITECTURE.md promises: no import cycle, no oversized module.

``lint-imports`` (in .ci/run) checks the layers between modules; a cycle between a package and
its own modules (``minpy.numpy`` and ``minpy.numpy.vjps``, say) is inside one layer, so it is
checked here on grimp's import graph (grimp comes with import-linter, in the ``dev`` extra).
"""

from __future__ import annotations

import pathlib

import pytest

import minpy

MAX_LINES = 550  # "no module much over 500 lines"


def _cycles(graph: object) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.find_modules_directly_imported_by(v):  # type: ignore[attr-defined]
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for m in sorted(graph.modules):  # type: ignore[attr-defined]
        if m not in index:
            visit(m)
    return found


def test_layout_has_no_import_cycle() -> None:
    grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (minpy[dev])")
    graph = grimp.build_graph("minpy", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_layout_cycle_finder_finds_a_cycle() -> None:
    class Graph:
        modules = {"a", "b", "c"}
        edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}

        def find_modules_directly_imported_by(self, m: str) -> set[str]:
            return self.edges[m]

    assert _cycles(Graph()) == [["a", "b"]]


def test_layout_modules_are_small() -> None:
    root = pathlib.Path(minpy.__file__).parent
    sizes = {str(p.relative_to(root)): len(p.read_text().splitlines()) for p in root.rglob("*.py")}
    big = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines; split them by topic: {big}"
