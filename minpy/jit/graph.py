"""Replaying a program as one device graph (a CUDA graph on CuPy) instead of call by call.

A graph replays the kernels it captured on the very buffers it captured them with. So the
arguments are copied into static buffers before each launch, the arrays read from outside are
used in place (a replay is refused, and the plain program runs, if one of them was given
another buffer in the meantime), the program's rebinding of those arrays becomes a copy into
their buffers inside the graph, and the outputs are copied out after it (a caller never holds
a buffer the next launch overwrites). Every buffer the capture made stays referenced while the
graph lives, so the memory pool never hands it to anything else.

A program is captured only where that is sound: on a device whose backend captures graphs,
with no draws (a graph would replay the same random numbers), no checks that read values on
the host, and no argument rebound or written in place. Anything else that cannot be captured
raises during the capture, and that signature keeps the plain replay.
"""

from __future__ import annotations

from typing import Any

from minpy.jit.program import Program

__all__ = ["GraphReplay", "capturable"]


def capturable(program: Program, n_args: int) -> bool:
    """Whether ``program`` may be captured (see the module docstring)."""
    if any(ins.keep for ins in program.instrs):
        return False
    if any(i < n_args for i, _ in program.effects):
        return False
    # an argument written in place: the graph would write into its static copy instead
    written = program.written()
    return not any(n in written for n in program.input_slots[:n_args])


class GraphReplay:
    """One captured program: static argument buffers, the graph, its output buffers."""

    def __init__(self, program: Program, device: Any, raws: list[Any], n_args: int) -> None:
        backend = device.backend
        self.n_args = n_args
        # static copies of the arguments; the outside arrays' own buffers
        self.static = [backend.asarray(r, device, copy=True) for r in raws[:n_args]]
        self.outside = list(raws[n_args:])
        fn = program.capture_function()
        static, outside = self.static, self.outside
        effects = [(i - n_args, k) for k, (i, _) in enumerate(program.effects)]

        def body() -> Any:
            outs, effs, kept = fn(*static, *outside)
            for i, k in effects:  # a rebinding becomes a copy into the buffer, in the graph
                outside[i][...] = effs[k]
            return outs, kept

        # One real run first, so that the memory pool holds a buffer of every size the capture
        # takes (a capture cannot allocate new device memory); then the capture, which only
        # records. Both leave the outside buffers as they were (a stand-in's capture runs).
        saved = [backend.asarray(b, device, copy=True) for b in outside]
        body()
        for b, v in zip(outside, saved):
            b[...] = v
        made = backend.capture_graph(device, body)
        for b, v in zip(outside, saved):
            b[...] = v
        if made is None:
            raise NotImplementedError(f"{backend.name} captures no graphs")
        self.graph, (self.outs, self.kept) = made

    def replay(self, raws: list[Any], arrays: list[Any]) -> tuple[Any, ...] | None:
        """The outputs of one launch on ``raws`` (copies), or None if an outside array was
        given another buffer since the capture (the caller then replays the plain way)."""
        n = self.n_args
        for have, want in zip(raws[n:], self.outside):
            if have is not want:
                return None
        for s, r in zip(self.static, raws[:n]):
            s[...] = r
        self.graph.launch()
        return tuple(o.copy() if hasattr(o, "copy") else o for o in self.outs)
