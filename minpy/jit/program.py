"""A traced call as a program: its instructions, their clean-up, and the generated replay.

``Program`` holds what ``minpy.jit.trace.Tracer`` recorded: instructions over numbered slots,
which slots are the inputs (the function's array arguments, then the arrays it read from
outside), the output's structure and the inputs rebound to new values (``effects``). Four
optional passes shorten it (``Options``):

- constant folding: results that depend on no input (a seed, ``arange(n)``) are computed
  once, while tracing, and become constants;
- dead-code elimination: instructions whose results reach no output, no effect and no
  live write are dropped (draws are kept, so that the random stream stays the eager one's);
- common-subexpression elimination: a pure call repeated on the same slots and constants
  reuses the first result, unless any slot involved (or a view of it) is ever written;
- buffer reuse: a NumPy ufunc writes into a dead buffer of its result's shape and dtype
  (``out=``), when nothing else can see that buffer.

``compile`` turns the program into Python source, one line per instruction, with each slot a
local variable deleted after its last use, and ``exec``s it once: a replay is one call of that
function on backend arrays, with no Array, tape or dispatch on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy

from minpy.jit.instr import DictTemplate, Instr, Item, ListTemplate, Slot, map_slots

__all__ = ["Options", "Program"]

_LITERALS = (int, float, bool, str, type(None))


@dataclass(frozen=True)
class Options:
    """Which program optimisations run (each can be switched off for debugging)."""

    dce: bool = True
    cse: bool = True
    fold: bool = True
    specialize: bool = True
    fuse: bool = True
    reuse: bool = True
    cuda_graph: bool = True


class Out:
    """Leaf ``i`` of the returned values (``Program.out`` holds these in the output's shape)."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


class Same:
    """An input Array returned as itself (``Program.out``): input ``i``."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


class Program:
    """Instructions over slots, the input slots, the outputs and the effects (see module)."""

    def __init__(
        self,
        instrs: list[Instr],
        nslots: int,
        input_slots: list[int],
        outputs: list[Slot],
        effects: list[tuple[int, Slot]],
        meta: dict[int, tuple[Any, Any]],
    ) -> None:
        self.instrs = instrs
        self.nslots = nslots
        self.input_slots = input_slots
        self.outputs = outputs  # the returned slots, in the order of the Out leaves
        self.effects = effects  # (input index, slot): rebind that input's Array to the slot
        self.meta = meta
        self.source = ""
        self.capture_source = ""
        self.fn: Callable[..., Any] | None = None
        self._namespace: dict[str, Any] = {}
        self.removed = 0
        self.folded = 0
        self.specialized = 0
        self.fused = 0
        self.merged = 0
        self.reused = 0

    # --- analysis ----------------------------------------------------------------------------
    def _roots(self) -> set[int]:
        return {s.n for s in self.outputs} | {s.n for _, s in self.effects}

    def fold_constants(self, values: dict[int, Any], dependent: set[int]) -> None:
        """Replace the results that depend on no input by their traced values (constants).

        Kept out: draws, writes, anything that is written or shares memory with a written
        slot (a constant is one buffer shared by every replay), and the outputs and effects
        (each call returns fresh arrays).
        """
        fixed = self._written_classes() | set(self.input_slots) | self._roots()
        consts: dict[int, Any] = {}
        kept: list[Instr] = []
        for ins in self.instrs:
            if consts and any(r.n in consts for r in ins.refs()):
                ins.rewrite(_substituted(ins.args, consts), _substituted(ins.kwargs, consts))
            n = ins.slot
            if (
                not ins.keep
                and ins.writes is None
                and n not in dependent
                and n not in fixed
                and n in values
                and not ins.refs()
            ):
                consts[n] = values[n]
                self.folded += 1
                continue
            kept.append(ins)
        self.instrs = kept

    def eliminate_dead_code(self) -> None:
        live = self._roots()
        inputs = set(self.input_slots)
        kept: list[Instr] = []
        for ins in reversed(self.instrs):
            w = ins.writes
            needed = (
                ins.slot in live or ins.keep or (w is not None and (w.n in live or w.n in inputs))
            )
            if not needed:
                self.removed += 1
                continue
            kept.append(ins)
            for s in ins.refs():
                live.add(s.n)
        kept.reverse()
        self.instrs = kept

    def _written_classes(self) -> set[int]:
        """Slots that are written, or share memory (by a view) with a written slot."""
        parent = list(range(self.nslots))

        def find(n: int) -> int:
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        for ins in self.instrs:
            for n in ins.shares():  # a view (or a tuple of them) and what it sees
                parent[find(n)] = find(ins.slot)
        written = {find(ins.writes.n) for ins in self.instrs if ins.writes is not None}
        return {n for n in range(self.nslots) if find(n) in written}

    def eliminate_common_subexpressions(self) -> None:
        written = self._written_classes() | set(self.input_slots)
        seen: dict[Any, int] = {}
        rename: dict[int, Slot] = {}
        kept: list[Instr] = []
        for ins in self.instrs:
            self.rename_in(ins, rename)
            pure = not ins.keep and ins.writes is None and ins.slot not in written
            if pure and not any(s.n in written for s in ins.refs()):
                try:
                    key = (id(ins.fn), _key(ins.args), _key(ins.kwargs))
                except _Unkeyable:
                    key = None
                if key is not None:
                    first = seen.get(key)
                    if first is not None:
                        rename[ins.slot] = Slot(first)
                        self.merged += 1
                        continue
                    seen[key] = ins.slot
            kept.append(ins)
        self.instrs = kept
        self.rename_results(rename)

    def rename_in(self, ins: Instr, replace: dict[int, Slot]) -> None:
        """Point ``ins``'s references to the slots of ``replace`` where it maps them."""
        if replace and any(r.n in replace for r in ins.refs()):
            ins.rewrite(renamed(ins.args, replace), renamed(ins.kwargs, replace))
            if ins.writes is not None:
                ins.writes = renamed(ins.writes, replace)

    def rename_results(self, replace: dict[int, Slot]) -> None:
        """Point the outputs and effects at the slots ``replace`` maps theirs to."""
        self.outputs = [renamed(s, replace) for s in self.outputs]
        self.effects = [(i, renamed(s, replace)) for i, s in self.effects]

    # --- code generation ---------------------------------------------------------------------
    def compile(self, reuse: bool = True) -> None:
        consts: dict[str, Any] = {}
        names: dict[int, str] = {}

        def const(x: Any) -> str:
            name = f"c{len(consts)}"
            consts[name] = x
            return name

        def render(x: Any) -> str:
            if isinstance(x, Slot):
                base = names.get(x.n) or f"s{x.n}"
                return f"{base}[{x.k}]" if isinstance(x, Item) else base
            cls = x.__class__
            if cls in _LITERALS and (cls is not float or (x == x and abs(x) != float("inf"))):
                return repr(x)
            if cls is tuple and any(isinstance(v, Slot) for v in x):
                return "(" + "".join(render(v) + ", " for v in x) + ")"
            if isinstance(x, ListTemplate):
                return "[" + ", ".join(render(v) for v in x) + "]"
            if isinstance(x, DictTemplate):
                return "{" + ", ".join(f"{k!r}: {render(v)}" for k, v in x.items()) + "}"
            return const(x)

        last_use: dict[int, int] = {}
        for i, ins in enumerate(self.instrs):
            for s in ins.refs():
                last_use[s.n] = i
        keep = self._roots() | set(self.input_slots)
        written = self._written_classes()
        owned: dict[int, bool] = {}
        for ins in self.instrs:
            if ins.meta is not None and ins.meta[2]:
                owned[ins.slot] = True
        aliased: set[int] = set()
        for ins in self.instrs:
            aliased.update(ins.shares())
        # first pass: which dead buffer each ufunc writes into (a buffer given away is not
        # deleted at its last use, only when the function returns)
        free: dict[tuple[Any, Any], list[int]] = {}
        into: dict[int, int] = {}
        dying_at: list[list[int]] = []
        for i, ins in enumerate(self.instrs):
            dying = [
                n
                for n in dict.fromkeys(s.n for s in ins.refs())
                if last_use.get(n) == i and n not in keep
            ]
            dying_at.append(dying)
            if not reuse:
                continue
            for n in dying:
                if owned.get(n) and n not in aliased and n not in written and n in self.meta:
                    free.setdefault(_shape_key(self.meta[n]), []).append(n)
            if (
                isinstance(ins.fn, numpy.ufunc)
                and ins.fn.signature is None  # elementwise (matmul's out= takes another path)
                and ins.meta is not None
                and ins.meta[2]
                and not ins.kwargs
                and ins.slot not in keep
                and ins.slot not in aliased
                and ins.slot not in written
            ):
                pool = free.get(_shape_key(ins.meta[:2]))
                if pool:
                    into[i] = pool.pop()
        given = set(into.values())
        self.reused = len(into)

        params = ", ".join(f"s{n}" for n in self.input_slots)
        lines = [f"def replay({params}):"]
        kept: list[str] = []
        for i, ins in enumerate(self.instrs):
            f = const(ins.fn)
            args = [render(a) for a in ins.args]
            args += [f"{k}={render(v)}" for k, v in ins.kwargs.items()]
            buf = into.get(i)
            if buf is not None:
                args.append(f"out=s{buf}")
            target = f"s{ins.slot}"
            lines.append(f"    {target} = {f}({', '.join(args)})")
            kept.append(target)
            gone = [n for n in dying_at[i] if n not in given]
            if buf is not None:
                gone.append(buf)
            if ins.slot not in last_use and ins.slot not in keep:
                gone.append(ins.slot)
            if gone:
                lines.append("    del " + ", ".join(f"s{n}" for n in dict.fromkeys(gone)))
        outs = "".join(render(s) + ", " for s in self.outputs)
        effs = "".join(render(s) + ", " for _, s in self.effects)
        lines.append(f"    return ({outs}), ({effs})")
        self.source = "\n".join(lines) + "\n"
        # the variant a CUDA graph is captured from: every buffer stays referenced (the graph
        # reads and writes them at each launch), and all of them are returned to be kept
        capture = [line for line in lines if not line.startswith("    del ")]
        capture[0] = capture[0].replace("def replay(", "def capture(")
        capture[-1] = f"    return ({outs}), ({effs}), ({''.join(k + ', ' for k in kept)})"
        self.capture_source = "\n".join(capture) + "\n"
        namespace: dict[str, Any] = dict(consts)
        exec(_compiled(self.source, "<minpy.jit program>"), namespace)
        self.fn = namespace["replay"]
        self._namespace = namespace

    def capture_function(self) -> Callable[..., Any]:
        """The program as a function that keeps and returns every buffer (for a graph)."""
        namespace = dict(self._namespace)
        exec(_compiled(self.capture_source, "<minpy.jit capture>"), namespace)
        return namespace["capture"]  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self.instrs)


_CODE: dict[str, Any] = {}
_CODE_LIMIT = 512


def _compiled(source: str, name: str) -> Any:
    """Python's code object for ``source`` (compiling costs ~5 us a line; a retrace for new
    shapes, or a second function that records the same calls, gives the same source)."""
    code = _CODE.get(source)
    if code is None:
        if len(_CODE) >= _CODE_LIMIT:
            _CODE.clear()
        code = _CODE[source] = compile(source, name, "exec")
    return code


class _Unkeyable(Exception):
    pass


def _key(x: Any) -> Any:
    if isinstance(x, Slot):
        return ("s", x.n, x.k if isinstance(x, Item) else None)
    cls = x.__class__
    if cls in _LITERALS:
        return (cls, x)
    if cls is tuple or cls is list or isinstance(x, list):
        return (cls, tuple(_key(v) for v in x))
    if isinstance(x, dict):
        return (dict, tuple((k, _key(v)) for k, v in x.items()))
    if cls is slice:
        return (slice, _key(x.start), _key(x.stop), _key(x.step))
    if isinstance(x, (numpy.dtype, type)):
        return ("t", x)
    raise _Unkeyable


def renamed(x: Any, replace: dict[int, Slot]) -> Any:
    """``x`` with the references to the slots of ``replace`` replaced by what it maps them to
    (item ``k`` of a renamed slot stays item ``k`` of the new one)."""

    def ref(r: Slot) -> Any:
        new = replace.get(r.n)
        if new is None:
            return r
        return Item(new.n, r.k) if isinstance(r, Item) else new

    return map_slots(x, ref) if replace else x


def _substituted(x: Any, consts: dict[int, Any]) -> Any:
    """``x`` with the references to folded slots replaced by their values."""

    def value(r: Slot) -> Any:
        if r.n not in consts:
            return r
        v = consts[r.n]
        return v[r.k] if isinstance(r, Item) else v

    return map_slots(x, value)


def _shape_key(meta: tuple[Any, ...]) -> tuple[Any, Any]:
    return (tuple(meta[0]), meta[1])
