"""A traced call as a program: its instructions, their clean-up, and the generated replay.

``Program`` holds what ``minpy.jit.trace.Tracer`` recorded: instructions over numbered slots,
which slots are the inputs (the function's array arguments, then the arrays it read from
outside), the output's structure and the inputs rebound to new values (``effects``). The
optional passes (``Options``) run in two walks over the instructions (``optimize``), and buffer
reuse while the replay is generated:

- constant folding: results that depend on no input (a seed, ``arange(n)``) are computed
  once, while tracing, and become constants;
- dead-code elimination: instructions whose results reach no output, no effect and no
  live write are dropped (draws are kept, so that the random stream stays the eager one's);
- common-subexpression elimination: a pure call repeated on the same slots and constants
  reuses the first result, unless any slot involved (or a view of it) is ever written;
- calls specialized for the traced shapes, and ``broadcast_to`` the ufuncs reading it make
  redundant dropped (``minpy.jit.specialize``);
- buffer reuse: a NumPy ufunc writes into a dead buffer of its result's shape and dtype
  (``out=``), when nothing else can see that buffer.

Tracing a call must stay cheap (a few eager calls' time), so each walk does all it can per
instruction, and the slot references of an instruction are collected once, while recording.

``compile`` turns the program into Python source, one line per instruction, with each slot a
local variable deleted after its last use, and ``exec``s it once: a replay is one call of that
function on backend arrays, with no Array, tape or dispatch on the way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy

from minpy.jit import specialize as _specialize
from minpy.jit.instr import DictTemplate, Instr, Item, ListTemplate, Slot, map_slots

__all__ = ["Options", "Program"]

_LITERALS = (int, float, bool, str, type(None))
#: what ``specialize.broadcast_source`` finds of a ``broadcast_to``: source, its shape, target
_Broadcast = tuple[Slot, tuple[int, ...], tuple[int, ...]]


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
        self._capture_parts: tuple[str, list[str], str] = ("", [], "")
        self._written: set[int] | None = None
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

    def optimize(self, values: dict[int, Any], dependent: set[int], opts: Options) -> None:
        """Run the passes ``opts`` asks for, in two walks over the instructions.

        Forward: constant folding, common-subexpression elimination and the calls specialized
        for the traced shapes (``minpy.jit.specialize``). Backward: dead-code elimination and
        the ``broadcast_to`` that the ufuncs reading it make redundant.
        """
        elide = self._forward(values, dependent, opts)
        if opts.dce or elide:
            self._backward(opts.dce, elide)

    def _forward(
        self, values: dict[int, Any], dependent: set[int], opts: Options
    ) -> dict[int, _Broadcast]:
        """Fold results that depend on no input into constants (never draws, writes, written
        memory, outputs or effects: a constant is one buffer shared by every replay); merge a
        pure call repeated on the same slots and constants (unless any slot involved, or a
        view of it, is written); specialize calls. Returns the ``broadcast_to`` results that
        may be elided, with their ``specialize.broadcast_source``."""
        fold, cse, spec = opts.fold, opts.cse, opts.specialize
        written = self.written() | set(self.input_slots)
        roots = self._roots()
        fixed = written | roots
        meta = self.meta
        replace: dict[int, Any] = {}  # slot -> its constant value, or the Slot it merged into
        seen: dict[Any, int] = {}
        broadcasts: dict[int, _Broadcast] = {}
        kept: list[Instr] = []
        for ins in self.instrs:
            self.rename_in(ins, replace)
            refs = ins.refs()
            n = ins.slot
            if not ins.keep and ins.writes is None:
                if fold and not refs and n not in fixed and n not in dependent and n in values:
                    replace[n] = values[n]
                    self.folded += 1
                    continue
                if cse and n not in written:
                    key: Any = None
                    for r in refs:
                        if r.n in written:
                            break
                    else:
                        key = _call_key(ins)
                    if key is not None:
                        first = seen.get(key)
                        if first is not None:
                            replace[n] = Slot(first)
                            self.merged += 1
                            continue
                        seen[key] = n
            if spec and id(ins.fn) in _specialize.SPECIAL:
                if _specialize.specialize(ins, meta):
                    self.specialized += 1
                elif n not in roots and (source := _specialize.broadcast_source(ins, meta)):
                    broadcasts[n] = source
            kept.append(ins)
        self.instrs = kept
        if replace:
            self.rename_results(replace)
        return broadcasts

    def _backward(self, dce: bool, broadcasts: dict[int, _Broadcast]) -> None:
        """Drop what reaches no output, effect or live write (draws and checks are kept, so
        that the random stream stays the eager one's), and each ``broadcast_to`` in
        ``broadcasts`` whose every reader broadcasts its source alike by itself."""
        live = self._roots()
        inputs = set(self.input_slots)
        readers: dict[int, list[Instr]] = {n: [] for n in broadcasts}
        replace: dict[int, Any] = {}
        meta = self.meta
        kept: list[Instr] = []
        for ins in reversed(self.instrs):
            n = ins.slot
            w = ins.writes
            if dce and not (
                n in live or ins.keep or (w is not None and (w.n in live or w.n in inputs))
            ):
                self.removed += 1
                continue
            if n in readers:
                src, src_shape, target = broadcasts[n]
                reads = readers.pop(n)
                if reads and all(
                    _specialize.reads_alike(r, n, src_shape, target, meta) for r in reads
                ):
                    replace[n] = src
                    self.removed += 1
                    live.add(src.n)
                    if src.n in readers:  # a broadcast of a broadcast: the first one stays
                        readers[src.n].append(ins)
                    continue
            kept.append(ins)
            for r in ins.refs():
                live.add(r.n)
                if r.n in readers:
                    readers[r.n].append(ins)
        kept.reverse()
        if replace:
            for ins in kept:
                self.rename_in(ins, replace)
        self.instrs = kept

    def written(self) -> set[int]:
        """Slots that are written, or share memory (by a view) with a written slot.

        Worked out once, on the program as traced: the passes after it only remove, fold or
        merge unwritten slots, so it stays a safe superset (a pass that adds slots that can be
        written, as fusion does, sets ``_written`` to None)."""
        if self._written is None:
            self._written = self._written_classes()
        return self._written

    def _written_classes(self) -> set[int]:
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

    def rename_in(self, ins: Instr, replace: dict[int, Any]) -> None:
        """Point ``ins``'s references to what ``replace`` maps their slots to (see
        ``renamed``)."""
        if replace and any(r.n in replace for r in ins.refs()):
            ins.rewrite(renamed(ins.args, replace), renamed(ins.kwargs, replace))
            if ins.writes is not None:
                ins.writes = renamed(ins.writes, replace)

    def rename_results(self, replace: dict[int, Any]) -> None:
        """Point the outputs and effects at the slots ``replace`` maps theirs to."""
        self.outputs = [renamed(s, replace) for s in self.outputs]
        self.effects = [(i, renamed(s, replace)) for i, s in self.effects]

    # --- code generation ---------------------------------------------------------------------
    def compile(self, reuse: bool = True) -> None:
        """Generate the replay function (see the module docstring) and ``exec`` it.

        One walk over the instructions: each result is a local ``s<slot>``, deleted after its
        last use; with ``reuse``, an elementwise NumPy ufunc writes into a dead buffer of its
        result's shape and dtype, and that buffer's ``del`` moves to the line that takes it.
        """
        instrs = self.instrs
        consts: dict[str, Any] = {}
        named: dict[int, str] = {}

        def const(x: Any) -> str:
            name = named.get(id(x))
            if name is None:
                name = named[id(x)] = f"c{len(consts)}"
                consts[name] = x
            return name

        def render(x: Any) -> str:
            cls = x.__class__
            if cls is Slot:
                n: int = x.n
                return names[n]
            if cls is Item:
                return f"{names[x.n]}[{x.k}]"
            if cls in _LITERALS and (cls is not float or math.isfinite(x)):
                return repr(x)
            if cls is tuple and any(isinstance(v, Slot) for v in x):
                return "(" + "".join(render(v) + ", " for v in x) + ")"
            if cls is ListTemplate:
                return "[" + ", ".join(render(v) for v in x) + "]"
            if cls is DictTemplate:
                return "{" + ", ".join(f"{k!r}: {render(v)}" for k, v in x.items()) + "}"
            return const(x)

        names = [f"s{n}" for n in range(self.nslots)]
        last_use: dict[int, int] = {}
        owned: set[int] = set()  # results that own their memory (not views, not arguments)
        aliased: set[int] = set()  # slots some view (or tuple of them) may share
        for i, ins in enumerate(instrs):
            for r in ins.refs():
                last_use[r.n] = i
            m = ins.meta
            if m is not None and m[2]:
                owned.add(ins.slot)
            else:
                aliased.update(ins.shares())
        keep = self._roots()
        keep.update(self.input_slots)
        meta = self.meta
        if reuse:  # what no buffer may be taken from or given to
            barred = keep | aliased | self.written()
        free: dict[tuple[Any, Any], list[int]] = {}  # dead owned buffers by (shape, dtype)
        died: dict[int, list[int]] = {}  # a free buffer -> the del list it sits in
        body: list[str] = []
        dels: list[list[int]] = []
        self.reused = 0
        for i, ins in enumerate(instrs):
            gone: list[int] = []
            for r in ins.refs():
                n = r.n
                if last_use[n] == i and n not in keep and n not in gone:
                    gone.append(n)
                    if reuse and n in owned and n not in barred and n in meta:
                        free.setdefault(meta[n], []).append(n)
                        died[n] = gone
            fn = ins.fn
            args = []
            for a in ins.args:  # (loops, not comprehensions: no frame each on Python 3.11)
                args.append(names[a.n] if a.__class__ is Slot else render(a))
            if ins.kwargs:
                for k, v in ins.kwargs.items():
                    args.append(f"{k}={render(v)}")
            n = ins.slot
            m = ins.meta
            if (
                reuse
                and m is not None
                and m[2]
                and not ins.kwargs
                and fn.__class__ is numpy.ufunc
                and fn.signature is None  # elementwise (matmul's out= takes another path)
                and n not in barred
            ):
                pool = free.get((m[0], m[1]))
                if pool:  # the buffer's name is deleted here, once its new owner has it
                    buf = pool.pop()
                    args.append(f"out={names[buf]}")
                    died[buf].remove(buf)
                    gone.append(buf)
                    self.reused += 1
            body.append(f"    {names[n]} = {const(fn)}({', '.join(args)})")
            if n not in last_use and n not in keep:
                gone.append(n)
            dels.append(gone)
        outs = "".join(render(s) + ", " for s in self.outputs)
        effs = "".join(render(s) + ", " for _, s in self.effects)
        params = ", ".join(names[n] for n in self.input_slots)
        lines = [f"def replay({params}):"]
        for line, gone in zip(body, dels):
            lines.append(line)
            if gone:
                lines.append("    del " + ", ".join(names[n] for n in gone))
        lines.append(f"    return ({outs}), ({effs})")
        self.source = "\n".join(lines) + "\n"
        # the variant a CUDA graph is captured from (made on demand): every buffer stays
        # referenced (the graph reads and writes them at each launch), all of them returned
        kept = "".join(names[ins.slot] + ", " for ins in instrs)
        self._capture_parts = (params, body, f"    return ({outs}), ({effs}), ({kept})")
        namespace: dict[str, Any] = consts
        exec(_compiled(self.source, "<minpy.jit program>"), namespace)
        self.fn = namespace["replay"]
        self._namespace = namespace

    @property
    def capture_source(self) -> str:
        params, body, ret = self._capture_parts
        return "\n".join([f"def capture({params}):", *body, ret]) + "\n"

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


def _call_key(ins: Instr) -> Any:
    """What makes two pure calls the same: the function, the slots and the constants (None
    where a constant cannot be compared by value)."""
    parts: list[Any] = [id(ins.fn)]
    try:
        for a in ins.args:
            cls = a.__class__
            if cls is Slot:
                parts.append(a.n)  # (a bare int: constants are (class, value) pairs)
            else:
                parts.append(_key(a))
        if ins.kwargs:
            parts.append(_key(ins.kwargs))
    except _Unkeyable:
        return None
    return tuple(parts)


def _key(x: Any) -> Any:
    cls = x.__class__
    if cls is Slot:
        return ("s", x.n)
    if cls is Item:
        return ("s", x.n, x.k)
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


def renamed(x: Any, replace: dict[int, Any]) -> Any:
    """``x`` with the references to the slots of ``replace`` replaced by what it maps them to:
    another slot (item ``k`` of a renamed slot stays item ``k`` of the new one) or a value."""

    def ref(r: Slot) -> Any:
        new = replace.get(r.n)
        if new is None:
            return r
        if isinstance(new, Slot):
            return Item(new.n, r.k) if isinstance(r, Item) else new
        return new[r.k] if isinstance(r, Item) else new

    return map_slots(x, ref) if replace else x
