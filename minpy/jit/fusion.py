"""Fusing runs of elementwise calls into one generated kernel (on a device that can).

On a GPU every elementwise call is a kernel launch and a trip through memory; a run of them
(``exp``, ``subtract``, ``multiply``, ... of a forward or a backward pass) can be one kernel.
``fuse`` finds each maximal run of consecutive elementwise ufunc calls of a program on such a
device, writes a Python function that makes the same calls in the same order, and hands it
to the backend (``Backend.fuse``: CuPy's ``cupy.fuse``, which compiles it into one kernel).
The run becomes one instruction whose results are the run's values that anything later reads.
Backends that cannot fuse (NumPy) return None and the program is left as it is.
"""

from __future__ import annotations

import math
from typing import Any

from minpy.jit.instr import Instr, Item, Slot
from minpy.jit.program import Program
from minpy.jit.trace import RouteCall

__all__ = ["fuse"]

SCALARS = (int, float, bool)


def _kernel_fn(ins: Instr) -> Any:
    """The elementwise ufunc an instruction calls on the device, or None."""
    fn = ins.fn
    if not isinstance(fn, RouteCall) or ins.kwargs or ins.writes is not None or ins.keep:
        return None
    route = fn.route
    ufunc = route.fn
    if ufunc is None:
        return None
    nin = getattr(ufunc, "nin", None)
    if nin not in (1, 2) or getattr(ufunc, "nout", 1) != 1 or getattr(ufunc, "signature", None):
        return None
    if len(ins.args) != nin or ins.meta is None or not ins.meta[2]:
        return None
    for a in ins.args:
        if isinstance(a, Item) or not (isinstance(a, Slot) or type(a) in SCALARS):
            return None
    return ufunc


def fuse(program: Program, backend: Any) -> None:
    """Fuse each run of two or more consecutive elementwise calls (see the module)."""
    runs: list[list[tuple[Instr, Any]]] = [[]]
    for ins in program.instrs:
        k = _kernel_fn(ins)
        if k is None:
            runs.append([])
        else:
            runs[-1].append((ins, k))
    runs = [r for r in runs if len(r) >= 2]
    if not runs:
        return
    position = {id(ins): i for i, ins in enumerate(program.instrs)}
    roots = program._roots()
    replace: dict[int, Slot] = {}
    fused_at: dict[int, Instr] = {}
    dropped: set[int] = set()
    for run in runs:
        made = _fuse_run(program, run, position, roots, backend)
        if made is None:
            continue
        new, outputs = made
        fused_at[id(run[0][0])] = new
        dropped.update(id(ins) for ins, _ in run)
        if len(outputs) == 1:
            replace[outputs[0]] = Slot(new.slot)
        else:
            for k, n in enumerate(outputs):
                replace[n] = Item(new.slot, k)
    if not fused_at:
        return
    kept: list[Instr] = []
    for ins in program.instrs:
        if id(ins) in fused_at:  # the kernel stands where its run began
            ins = fused_at[id(ins)]
        elif id(ins) in dropped:
            continue
        program.rename_in(ins, replace)
        kept.append(ins)
    program.instrs = kept
    program.rename_results(replace)
    program._written = None  # the kernels' results are new slots


def _fuse_run(
    program: Program,
    run: list[tuple[Instr, Any]],
    position: dict[int, int],
    roots: set[int],
    backend: Any,
) -> tuple[Instr, list[int]] | None:
    produced = {ins.slot for ins, _ in run}
    end = position[id(run[-1][0])]
    later: set[int] = set(roots)
    for ins in program.instrs[end + 1 :]:
        later.update(r.n for r in ins.refs())
    outputs = [ins.slot for ins, _ in run if ins.slot in later]
    if not outputs:
        return None
    inputs: list[int] = []
    for ins, _ in run:
        for a in ins.args:
            if isinstance(a, Slot) and a.n not in produced and a.n not in inputs:
                inputs.append(a.n)
    names = {n: f"a{i}" for i, n in enumerate(inputs)}
    names.update({ins.slot: f"t{ins.slot}" for ins, _ in run})
    namespace: dict[str, Any] = {}
    lines = [f"def fused({', '.join(names[n] for n in inputs)}):"]

    def render(a: Any) -> str:
        if isinstance(a, Slot):
            return names[a.n]
        if isinstance(a, float) and not math.isfinite(a):  # repr gives inf / nan
            key = f"k{len(namespace)}"
            namespace[key] = a
            return key
        return repr(a)

    for j, (ins, ufunc) in enumerate(run):
        namespace[f"f{j}"] = ufunc
        args = ", ".join(render(a) for a in ins.args)
        lines.append(f"    {names[ins.slot]} = f{j}({args})")
    outs = ", ".join(names[n] for n in outputs)
    lines.append(f"    return {outs}" if len(outputs) == 1 else f"    return ({outs},)")
    exec(compile("\n".join(lines) + "\n", "<minpy.jit fused>", "exec"), namespace)
    kernel = backend.fuse(namespace["fused"], f"minpy_jit_{run[0][0].slot}_{len(run)}")
    if kernel is None:
        return None
    n = program.nslots
    program.nslots += 1
    new = Instr(kernel, tuple(Slot(i) for i in inputs), {}, n)
    if len(outputs) == 1:
        only = run[[ins.slot for ins, _ in run].index(outputs[0])][0]
        new.meta = only.meta
        program.meta[n] = program.meta[outputs[0]]
    program.fused += len(run)
    return new, outputs
