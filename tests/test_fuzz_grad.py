"""Randomized property tests (hypothesis): minpy's gradients against finite differences.

A program is a random chain of 1 to 6 differentiable steps (unary elementwise, binary with
broadcasting against the inputs, reductions with axis and keepdims, shape functions, indexing,
in-place updates of traced arrays and of their views) applied to two inputs ``x`` and ``y`` of
random mutually broadcastable shapes (0-d and size-1 axes included), float64 or complex128.
Each step is one function of a namespace ``xp``: minpy differentiates the program, NumPy runs
it for central finite differences in float64 (Richardson-extrapolated, so the step can stay
large next to rounding). Steps are drawn only where their domain holds with a margin (no poles,
branch cuts, kinks or ties within reach of the finite-difference step), so nothing flakes.

Complex inputs follow HIPS autograd's and JAX's convention: for a real ``f`` of
``z = x + iy`` the gradient is ``df/dx - i df/dy``. A complex output is made real with
``real(sum(out * w))`` or ``sum(abs(out)**2 * w)``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minpy
import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad

# the ``device`` fixture only sets the context, the same for every example of a test
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

Fun = Callable[..., Any]
LIMIT = 1e3  # largest magnitude a step may produce
MARGIN = 0.05  # least distance from a pole, branch cut, kink or tie
MAX_SIZE = 128


class Step:
    """``fun(xp, v, x, y)``: the next value from the current one and the inputs."""

    __slots__ = ("fun", "may_refuse", "name")

    def __init__(self, name: str, fun: Fun, may_refuse: bool = False) -> None:
        self.name = name
        self.fun = fun
        self.may_refuse = may_refuse  # a traced write minpy may refuse (GradientError)

    def __repr__(self) -> str:  # how hypothesis prints a falsifying program
        return self.name


def run(program: list[Step], xp: Any, x: Any, y: Any) -> Any:
    v = x
    for step in program:
        v = step.fun(xp, v, x, y)
    return v


# --------------------------------------------------------------------------------------------
# unary elementwise steps: (function, domain check on the current host value)


def _always(v: Any) -> bool:
    return True


def _away(points: list[float]) -> Callable[[Any], bool]:
    return lambda v: all(bool(numpy.all(numpy.abs(v - p) > MARGIN)) for p in points)


def _above(lo: float) -> Callable[[Any], bool]:
    return lambda v: bool(numpy.all(v > lo + MARGIN))


def _within(r: float) -> Callable[[Any], bool]:
    return lambda v: bool(numpy.all(numpy.abs(v) < r - MARGIN))


def _off_cut(v: Any) -> bool:
    """Away from 0 and from the negative real axis (log, sqrt, angle of complex numbers)."""
    return bool(numpy.all((numpy.abs(v) > 0.2) & ((v.real > MARGIN) | (numpy.abs(v.imag) > 0.1))))


def _call(name: str) -> Fun:
    return lambda xp, v: getattr(xp, name)(v)


REAL_UNARY: dict[str, tuple[Fun, Callable[[Any], bool]]] = {
    **{n: (_call(n), _always) for n in "sin cos tanh arctan arcsinh negative sinc".split()},
    **{n: (_call(n), _within(3.0)) for n in "sinh cosh exp expm1 exp2".split()},
    **{n: (_call(n), _above(0.1)) for n in "log log2 log10 sqrt".split()},
    **{n: (_call(n), _within(1.0)) for n in "arcsin arccos arctanh".split()},
    **{n: (_call(n), _away([0.0])) for n in "abs fabs cbrt sign".split()},
    "log1p": (_call("log1p"), _above(-0.9)),
    "arccosh": (_call("arccosh"), _above(1.1)),
    "reciprocal": (_call("reciprocal"), _away([0.0])),
    "square": (_call("square"), _always),
    "degrees": (_call("degrees"), _always),
    "tan": (_call("tan"), _within(1.4)),
    "real": (_call("real"), _always),
    "conj": (_call("conj"), _always),
    "clip(v, -1, 1)": (lambda xp, v: xp.clip(v, -1.0, 1.0), _away([-1.0, 1.0])),
    "maximum(v, 0)": (lambda xp, v: xp.maximum(v, 0.0), _away([0.0])),
    "where(v > 0, v, 0.1 * v)": (lambda xp, v: xp.where(v > 0, v, 0.1 * v), _away([0.0])),
    "v ** 3": (lambda xp, v: v**3, _always),
    "v ** 0.5": (lambda xp, v: v**0.5, _above(0.1)),
    "2.0 ** v": (lambda xp, v: 2.0**v, _within(5.0)),
    "1.0 / v": (lambda xp, v: 1.0 / v, _away([0.0])),
    "2.0 - v * 3.0": (lambda xp, v: 2.0 - v * 3.0, _always),
    "-v / 4.0": (lambda xp, v: -v / 4.0, _always),
    "abs(v)": (lambda xp, v: abs(v), _away([0.0])),
    "v.conj()": (lambda xp, v: v.conj(), _always),
}

COMPLEX_UNARY: dict[str, tuple[Fun, Callable[[Any], bool]]] = {
    **{n: (_call(n), _always) for n in "negative conj real imag square".split()},
    **{n: (_call(n), lambda v: bool(numpy.all(numpy.abs(v) < 3))) for n in "exp sin cos".split()},
    **{n: (_call(n), _off_cut) for n in "log sqrt angle".split()},
    "abs": (_call("abs"), lambda v: bool(numpy.all(numpy.abs(v) > 0.1))),
    "reciprocal": (_call("reciprocal"), lambda v: bool(numpy.all(numpy.abs(v) > 0.2))),
    "tanh": (_call("tanh"), lambda v: bool(numpy.all(numpy.abs(v) < 1.2))),
    "v ** 3": (lambda xp, v: v**3, _always),
    "1.0 / v": (lambda xp, v: 1.0 / v, lambda v: bool(numpy.all(numpy.abs(v) > 0.2))),
    "v * 1j": (lambda xp, v: v * 1j, _always),
    "v.real": (lambda xp, v: v.real, _always),
    "v.imag": (lambda xp, v: v.imag, _always),
    "v.conj()": (lambda xp, v: v.conj(), _always),
    "abs(v) ** 2": (lambda xp, v: abs(v) ** 2, _always),
}


def unary(data: Any, v: Any, x: Any, y: Any) -> Step | None:
    table = COMPLEX_UNARY if v.dtype.kind == "c" else REAL_UNARY
    name = data.draw(st.sampled_from(sorted(table)), label="unary")
    fun, ok = table[name]
    return Step(name, lambda xp, v, x, y: fun(xp, v)) if ok(v) else None


# --------------------------------------------------------------------------------------------
# binary steps: the other operand is an input (broadcast against v) or v itself

BINARY: dict[str, tuple[Fun, Callable[[Any, Any], bool], bool]] = {  # fun, ok, complex too
    "add": (lambda xp, a, b: xp.add(a, b), lambda a, b: True, True),
    "a - b": (lambda xp, a, b: a - b, lambda a, b: True, True),
    "multiply": (lambda xp, a, b: xp.multiply(a, b), lambda a, b: True, True),
    "a * b": (lambda xp, a, b: a * b, lambda a, b: True, True),
    "a / b": (lambda xp, a, b: a / b, lambda a, b: bool(numpy.all(numpy.abs(b) > 0.2)), True),
    "divide": (lambda xp, a, b: xp.divide(a, b), lambda a, b: bool(numpy.all(abs(b) > 0.2)), True),
    "maximum": (lambda xp, a, b: xp.maximum(a, b), lambda a, b: _gap(a - b), False),
    "minimum": (lambda xp, a, b: xp.minimum(a, b), lambda a, b: _gap(a - b), False),
    "power": (
        lambda xp, a, b: xp.power(a, b),
        lambda a, b: bool(numpy.all(a > 0.2) and numpy.all(numpy.abs(b) < 3)),
        False,
    ),
    "a ** b": (
        lambda xp, a, b: a**b,
        lambda a, b: bool(numpy.all(a > 0.2) and numpy.all(numpy.abs(b) < 3)),
        False,
    ),
    "hypot": (lambda xp, a, b: xp.hypot(a, b), lambda a, b: _gap(numpy.hypot(a, b)), False),
    "arctan2": (
        lambda xp, a, b: xp.arctan2(a, b),
        lambda a, b: bool(numpy.all((numpy.hypot(a, b) > 0.2) & ((abs(a) > MARGIN) | (b > 0)))),
        False,
    ),
    "logaddexp": (lambda xp, a, b: xp.logaddexp(a, b), lambda a, b: True, False),
    "where(b > 0, a, b)": (lambda xp, a, b: xp.where(b > 0, a, b), lambda a, b: _gap(b), False),
    "matmul": (lambda xp, a, b: xp.matmul(a, b), lambda a, b: True, True),
    "dot": (lambda xp, a, b: xp.dot(a, b), lambda a, b: True, True),
    "outer": (lambda xp, a, b: xp.outer(a, b), lambda a, b: True, True),
}


def _gap(d: Any) -> bool:
    return bool(numpy.all(numpy.abs(d) > MARGIN))


def binary(data: Any, v: Any, x: Any, y: Any) -> Step | None:
    name = data.draw(st.sampled_from(sorted(BINARY)), label="binary")
    fun, ok, complex_ok = BINARY[name]
    other = data.draw(st.sampled_from(["x", "y", "v", "sin(v)"]), label="other operand")
    o = {"x": x, "y": y, "v": v, "sin(v)": numpy.sin(v)}[other]
    if not complex_ok and (v.dtype.kind == "c" or o.dtype.kind == "c"):
        return None
    swap = data.draw(st.booleans(), label="other first")
    a, b = (o, v) if swap else (v, o)
    try:
        with numpy.errstate(all="ignore"):
            fun(numpy, a, b)
    except ValueError:  # shapes that do not broadcast or multiply
        return None
    if not ok(a, b):
        return None

    def step(xp: Any, v: Any, x: Any, y: Any) -> Any:
        o = {"x": x, "y": y, "v": v}[other] if other != "sin(v)" else xp.sin(v)
        return fun(xp, o, v) if swap else fun(xp, v, o)

    a_, b_ = (other, "v") if swap else ("v", other)
    return Step(f"{name} [a={a_}, b={b_}]", step)


# --------------------------------------------------------------------------------------------
# reductions and scans


def _moved(v: Any, axis: Any) -> Any:
    """``v`` with the reduced axes last, flattened into one."""
    axes = tuple(range(v.ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = tuple(a % v.ndim for a in axes)
    rest = [a for a in range(v.ndim) if a not in axes]
    w = numpy.transpose(v, rest + list(axes))
    return w.reshape((*w.shape[: len(rest)], -1))


def _no_tie(v: Any, axis: Any) -> bool:
    w = numpy.sort(_moved(v, axis), axis=-1)
    return w.shape[-1] < 2 or (_gap(w[..., -1] - w[..., -2]) and _gap(w[..., 1] - w[..., 0]))


def _spread(v: Any, axis: Any) -> bool:
    w = _moved(v, axis)
    return w.shape[-1] > 1 and bool(numpy.all(numpy.var(w, axis=-1) > MARGIN))


REDUCTIONS: dict[str, tuple[bool, Callable[[Any, Any], bool]]] = {  # complex too, ok(v, axis)
    "sum": (True, lambda v, a: True),
    "mean": (True, lambda v, a: True),
    "prod": (True, lambda v, a: True),
    "max": (False, _no_tie),
    "min": (False, _no_tie),
    "amax": (False, _no_tie),
    "var": (True, lambda v, a: True),
    "std": (True, _spread),
    "cumsum": (True, lambda v, a: True),
    # minpy refuses cumprod's gradient at a zero (GradientError, documented): kept away from 0
    "cumprod": (True, lambda v, a: _gap(v)),
}
SCANS = {"cumsum", "cumprod"}


def reduction(data: Any, v: Any, x: Any, y: Any) -> Step | None:
    name = data.draw(st.sampled_from(sorted(REDUCTIONS)), label="reduction")
    complex_ok, ok = REDUCTIONS[name]
    if v.dtype.kind == "c" and not complex_ok:
        return None
    n = v.ndim
    one = st.integers(-n, n - 1) if n else st.nothing()
    if name in SCANS:
        axis = data.draw(st.one_of(st.none(), one), label="axis")
        keep: dict[str, Any] = {}
    else:
        many = st.lists(st.integers(0, n - 1), unique=True).map(tuple) if n else st.just(())
        axis = data.draw(st.one_of(st.none(), one, many), label="axis")
        keep = {"keepdims": data.draw(st.booleans(), label="keepdims")}
    if v.size == 0 or not ok(v, axis):
        return None
    form = data.draw(st.sampled_from(["function", "method"]), label="form")
    if form == "method":
        fun = lambda xp, v, x, y: getattr(v, name if name != "amax" else "max")(axis=axis, **keep)
        return Step(f"v.{name}(axis={axis!r}, {keep})", fun)
    fun = lambda xp, v, x, y: getattr(xp, name)(v, axis=axis, **keep)
    return Step(f"{name}(v, axis={axis!r}, {keep})", fun)


# --------------------------------------------------------------------------------------------
# shape functions


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def shape_step(data: Any, v: Any, x: Any, y: Any) -> Step | None:
    n, shape = v.ndim, v.shape
    name = data.draw(
        st.sampled_from(
            "reshape transpose swapaxes moveaxis expand_dims squeeze ravel flatten flip roll "
            "broadcast_to tile repeat concatenate stack atleast_2d T diagonal trace tril".split()
        ),
        label="shape function",
    )
    ax = data.draw(st.integers(-n, n - 1), label="axis") if n else None
    ax2 = data.draw(st.integers(-n, n - 1), label="axis 2") if n else None
    if name == "reshape":
        dims, rest = [], v.size
        for _ in range(data.draw(st.integers(0, 3), label="dims")):
            dims.append(data.draw(st.sampled_from(_divisors(rest)), label="dim"))
            rest //= dims[-1]
        s = (*dims, rest)
        if data.draw(st.booleans(), label="-1"):
            s = (-1, *s[1:])
        return Step(f"v.reshape({s})", lambda xp, v, x, y: v.reshape(s))
    if name == "transpose":
        p = tuple(data.draw(st.permutations(range(n)), label="axes"))
        return Step(f"transpose(v, {p})", lambda xp, v, x, y: xp.transpose(v, p))
    if name == "expand_dims":
        i = data.draw(st.integers(-n - 1, n), label="axis")
        return Step(f"expand_dims(v, {i})", lambda xp, v, x, y: xp.expand_dims(v, i))
    if name == "squeeze":
        ones = tuple(i for i, s in enumerate(shape) if s == 1)
        return Step(f"squeeze(v, {ones})", lambda xp, v, x, y: xp.squeeze(v, axis=ones))
    if name == "ravel":
        return Step("ravel(v)", lambda xp, v, x, y: xp.ravel(v))
    if name == "flatten":
        return Step("v.flatten()", lambda xp, v, x, y: v.flatten())
    if name == "T":
        return Step("v.T", lambda xp, v, x, y: v.T)
    if name == "atleast_2d":
        return Step("atleast_2d(v)", lambda xp, v, x, y: xp.atleast_2d(v))
    if name == "broadcast_to":
        s = (data.draw(st.integers(1, 3), label="new axis"), *shape)
        return Step(f"broadcast_to(v, {s})", lambda xp, v, x, y: xp.broadcast_to(v, s))
    if name == "tile":
        r = tuple(data.draw(st.lists(st.integers(1, 2), min_size=1, max_size=3), label="reps"))
        return Step(f"tile(v, {r})", lambda xp, v, x, y: xp.tile(v, r))
    if name == "stack":
        i = data.draw(st.integers(-n - 1, n), label="axis")
        return Step(f"stack([v, 2 * v], {i})", lambda xp, v, x, y: xp.stack([v, 2 * v], axis=i))
    if n == 0:
        return None
    if name == "swapaxes":
        return Step(f"swapaxes(v, {ax}, {ax2})", lambda xp, v, x, y: xp.swapaxes(v, ax, ax2))
    if name == "moveaxis":
        return Step(f"moveaxis(v, {ax}, {ax2})", lambda xp, v, x, y: xp.moveaxis(v, ax, ax2))
    if name == "flip":
        return Step(f"flip(v, {ax})", lambda xp, v, x, y: xp.flip(v, axis=ax))
    if name == "roll":
        k = data.draw(st.integers(-3, 3), label="shift")
        return Step(f"roll(v, {k}, {ax})", lambda xp, v, x, y: xp.roll(v, k, axis=ax))
    if name == "repeat":
        r = data.draw(st.integers(1, 2), label="repeats")
        return Step(f"repeat(v, {r}, {ax})", lambda xp, v, x, y: xp.repeat(v, r, axis=ax))
    if name == "concatenate":
        fun = lambda xp, v, x, y: xp.concatenate([v, xp.sin(v)], axis=ax)
        return Step(f"concatenate([v, sin(v)], {ax})", fun)
    if n < 2 or ax % n == ax2 % n:
        return None
    k = data.draw(st.integers(-1, 1), label="offset")
    if name == "diagonal":
        fun = lambda xp, v, x, y: xp.diagonal(v, k, ax, ax2)
        return Step(f"diagonal(v, {k}, {ax}, {ax2})", fun)
    if name == "trace":
        return Step(f"trace(v, {k}, {ax}, {ax2})", lambda xp, v, x, y: xp.trace(v, k, ax, ax2))
    return Step(f"tril(v, {k})", lambda xp, v, x, y: xp.tril(v, k))


# --------------------------------------------------------------------------------------------
# indexing, and in-place updates of traced arrays


def key_for(data: Any, shape: tuple[int, ...]) -> Any:
    """A basic key, integer positions with repeats, a boolean mask, or positions and slices."""
    n = len(shape)
    kind = data.draw(st.sampled_from(["basic", "ints", "mask", "mixed"]), label="key kind")
    if kind == "basic" or n == 0:
        return data.draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True), label="key")
    i = data.draw(st.integers(0, n - 1), label="indexed axis")
    side = shape[i]
    pos = st.lists(st.integers(-side, side - 1), min_size=1, max_size=5)
    if kind == "ints" or kind == "mixed":
        key: list[Any] = [slice(None)] * n
        key[i] = numpy.array(data.draw(pos, label="positions"))
        return tuple(key) if kind == "mixed" else key[0]
    return data.draw(hnp.arrays(numpy.bool_, shape[: i + 1]), label="mask")


def index(data: Any, v: Any, x: Any, y: Any) -> Step | None:
    key = key_for(data, v.shape)
    form = data.draw(st.sampled_from(["v[key]", "take"]), label="form")
    if form == "take" and v.ndim:
        ax = data.draw(st.integers(-v.ndim, v.ndim - 1), label="axis")
        pos = data.draw(st.lists(st.integers(0, v.shape[ax] - 1), min_size=1, max_size=4))
        return Step(f"take(v, {pos}, {ax})", lambda xp, v, x, y: xp.take(v, pos, axis=ax))
    return Step(f"v[{key!r}]", lambda xp, v, x, y: v[key])


INPLACE: dict[str, Fun] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
}
VIEWS: dict[str, Fun] = {  # view functions: minpy may refuse a traced write into their result
    "reshape(-1)": lambda a: a.reshape(-1),
    "T": lambda a: a.T,
    "ravel()": lambda a: a.ravel(),
}


def update(t: Any, value: Any, op: str) -> Any:
    """``t op= value`` as Python runs it (``t[...] = value`` for ``=``); the new ``t``."""
    if op == "=":
        t[...] = value
        return t
    return INPLACE[op](t, value)


def inplace(data: Any, v: Any, x: Any, y: Any) -> Step | None:
    """``w = v * 1.0`` updated in place (``w[key] op= ...``, ``w op= ...``, or through a view:
    basic indexing, or a view function) and returned, or a view read after ``w`` changed."""
    op = data.draw(st.sampled_from(["=", *sorted(INPLACE)]), label="in-place op")
    forms = ["w[key]", "w", "view of w", "read view", "function view of w"]
    form = data.draw(st.sampled_from(forms), label="form")
    key: Any = key_for(data, v.shape)
    if form in ("view of w", "read view"):
        key = data.draw(hnp.basic_indices(v.shape, min_dims=0), label="view key")
        if op == "=" and not isinstance(v[key], numpy.ndarray):
            return None  # NumPy gives a scalar there, not a view
    if form == "function view of w":
        key = data.draw(st.sampled_from(sorted(VIEWS)), label="view function")
    if op == "/=" and not bool(numpy.all(numpy.abs(v) > 0.2)):
        return None

    def operand(xp: Any, v: Any) -> Any:
        return xp.cos(v) if op != "/=" else v  # traced, of v's shape and dtype

    def step(xp: Any, v: Any, x: Any, y: Any) -> Any:
        w = xp.asarray(v * 1.0)  # NumPy's reductions give scalars, which have no in-place
        if form == "w":
            return update(w, operand(xp, v), op)
        if form == "w[key]":
            if op == "=":
                w[key] = operand(xp, v)[key]
            else:
                w[key] = INPLACE[op](w[key], operand(xp, v)[key])  # what `w[key] op= .` runs
            return w
        if form == "function view of w":
            update(VIEWS[key](w), VIEWS[key](operand(xp, v)), op)  # written into w
            return w
        u = w[key]
        if form == "view of w":
            update(u, operand(xp, v)[key], op)  # written into w (unless u is a scalar)
            return w
        update(w, operand(xp, v), op)  # the view u must see it
        return u * 1.0

    o = "cos(v)" if op != "/=" else "v"
    text = {
        "w": f"w {op} {o}; w",
        "w[key]": f"w[{key!r}] {op} {o}[key]; w",
        "view of w": f"u = w[{key!r}]; u {op} {o}[key]; w",
        "read view": f"u = w[{key!r}]; w {op} {o}; u",
        "function view of w": f"u = w.{key}; u {op} {o}.{key}; w",
    }[form]
    return Step(f"w = v * 1.0; {text}", step, may_refuse=form == "function view of w")


# --------------------------------------------------------------------------------------------
# programs and finite differences

KINDS = {
    "unary": unary,
    "binary": binary,
    "reduction": reduction,
    "shape": shape_step,
    "index": index,
    "inplace": inplace,
}
WEIGHTED = ["unary"] * 4 + ["binary"] * 3 + ["reduction"] * 2 + ["shape"] * 2 + ["index"]
WEIGHTED += ["inplace"]


@st.composite
def problems(draw: Any, max_steps: int = 6) -> tuple[list[Step], Any, Any, Any]:
    """A program, host inputs ``x`` and ``y`` and the output weights ``w``."""
    sx, sy = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
    ).input_shapes
    kx, ky = draw(st.sampled_from(["f", "c"])), draw(st.sampled_from(["f", "f", "c"]))
    rng = numpy.random.RandomState(draw(st.integers(0, 2**32 - 1), label="seed"))

    def value(shape: tuple[int, ...], kind: str) -> Any:
        v = rng.uniform(-2, 2, shape)
        return numpy.asarray(v + 1j * rng.uniform(-2, 2, shape) if kind == "c" else v)

    x, y = value(sx, kx), value(sy, ky)

    class Data:  # `data.draw` for the step makers, on top of this composite's draw
        draw = staticmethod(lambda s, label=None: draw(s))

    program: list[Step] = []
    v = x
    for _ in range(draw(st.integers(1, max_steps), label="steps")):
        with numpy.errstate(all="ignore"):  # overflows are caught below
            step = KINDS[draw(st.sampled_from(WEIGHTED))](Data, v, x, y)
            if step is None:
                continue
            new = numpy.asarray(step.fun(numpy, v, x, y))
        if 0 < new.size <= MAX_SIZE and numpy.all(numpy.isfinite(new)):
            if numpy.all(numpy.abs(new) < LIMIT):
                program.append(step)
                v = new
    w = rng.uniform(0.5, 1.5, v.shape)
    form = draw(st.sampled_from(["real", "abs2"])) if v.dtype.kind == "c" else "real"
    if form == "abs2" and not numpy.all(numpy.abs(v) > MARGIN):
        form = "real"
    return program, x, y, (w, form)


def scalar_function(program: list[Step], weights: Any) -> Fun:
    """``f(xp, x, y)``: the program's output made a real scalar with fixed weights."""
    w, form = weights

    def f(xp: Any, x: Any, y: Any) -> Any:
        out = run(program, xp, x, y)
        ww = np.array(w) if xp is np else w
        if form == "abs2":
            return xp.sum(xp.abs(out) ** 2 * ww)
        return xp.real(xp.sum(out * ww))

    return f


def richardson(quotient: Callable[[float], Any], h: float) -> tuple[Any, Any]:
    """A derivative from its difference ``quotient`` (error O(h**2)) at ``h``, ``h/2``,
    ``h/4``: Richardson-extrapolated (error O(h**4)), and an estimate of what error is left."""
    q1, q2, q4 = quotient(h), quotient(h / 2), quotient(h / 4)
    coarse, fine = (4 * q2 - q1) / 3, (4 * q4 - q2) / 3
    return fine, numpy.abs(fine - coarse)


def derivative(f: Callable[[float], float], h: float) -> float:
    """``f'(0)`` by central differences (Richardson-extrapolated)."""
    return float(richardson(lambda h: (f(h) - f(-h)) / (2 * h), h)[0])


def fd_gradient(f: Fun, args: list[Any], i: int, h: float = 1e-4) -> tuple[Any, Any]:
    """The gradient of real ``f(numpy, *args)`` w.r.t. ``args[i]`` by central differences
    (``df/dre - i df/dim`` for a complex argument), and its estimated error."""
    a = args[i]
    units = (1.0, 1j) if a.dtype.kind == "c" else (1.0,)

    def quotient(h: float) -> Any:
        out = numpy.zeros(a.shape, dtype=a.dtype)
        for j in numpy.ndindex(a.shape):
            for unit in units:
                e = numpy.zeros(a.shape, dtype=a.dtype)
                e[j] = unit
                hi, lo = list(args), list(args)
                hi[i], lo[i] = a + h * e, a - h * e
                q = (float(f(numpy, *hi)) - float(f(numpy, *lo))) / (2 * h)
                out[j] += q if unit == 1.0 else -1j * q
        return out

    return richardson(quotient, h)


def assert_close(got: Any, want: Any, err: Any, rtol: float, atol: float, what: str) -> None:
    """``|got - want| <= atol + rtol |want|`` beyond the finite differences' own error;
    an example whose finite differences are not accurate to a quarter of that is rejected."""
    tol = atol + rtol * numpy.abs(want)
    assume(bool(numpy.all(err <= tol / 4)))
    bad = numpy.abs(got - want) > tol + err
    assert not numpy.any(bad), (
        f"{what}: minpy gives\n{got!r}\nfinite differences\n{want!r}\n"
        f"(tolerance {numpy.max(tol):.3g}, finite-difference error {numpy.max(err):.3g})"
    )


def assert_grad_close(got: Any, fd: tuple[Any, Any], scale: float, what: str) -> None:
    want, err = fd
    assert isinstance(got, Array), f"{what}: gradient is {type(got).__name__}"
    assert got.shape == want.shape, f"{what}: gradient shape {got.shape}, input {want.shape}"
    assert_close(got.asnumpy(), want, err, 1e-5, 1e-7 * scale, what)
    assert got.dtype == want.dtype, f"{what}: gradient dtype {got.dtype}, input {want.dtype}"


def host_scale(program: list[Step], weights: Any, x: Any, y: Any) -> float:
    """A magnitude for absolute tolerances: the sum of the output's terms, not their total."""
    out = numpy.abs(run(program, numpy, x, y))
    return 1.0 + float(numpy.sum((out**2 if weights[1] == "abs2" else out) * weights[0]))


def _evaluates(f: Fun, x: Any, y: Any) -> bool:
    with numpy.errstate(all="raise"):
        try:
            return bool(numpy.isfinite(f(numpy, x, y)))
        except FloatingPointError:
            return False


# --------------------------------------------------------------------------------------------
# first order


@FIXTURE_OK
@given(problems())
def test_composition_gradient_matches_finite_differences(device, problem):
    program, x, y, weights = problem
    note(f"program: {program}\nx = {x!r}\ny = {y!r}")
    f = scalar_function(program, weights)
    assume(_evaluates(f, x, y))
    try:
        gx, gy = grad(lambda a, b: f(np, a, b), [0, 1])(np.array(x), np.array(y))
    except minpy.GradientError:
        if any(step.may_refuse for step in program):
            return  # a refused write into a view made by a view function, as documented
        raise
    scale = host_scale(program, weights, x, y)
    assert gx.device == device and gy.device == device
    assert_grad_close(gx, fd_gradient(f, [x, y], 0), scale, "d/dx")
    assert_grad_close(gy, fd_gradient(f, [x, y], 1), scale, "d/dy")


# --------------------------------------------------------------------------------------------
# second order: u' H v along random directions, by grad(grad(...)) and by finite differences


def _inner(a: Any, b: Any) -> Any:
    """The real inner product of the input space (``Re sum(a * b)`` pairs a gradient, in the
    ``df/dre - i df/dim`` convention, with a direction)."""
    return np.real(np.sum(a * b))


@FIXTURE_OK
@given(problems(max_steps=4), st.integers(0, 2**32 - 1))
def test_composition_second_order_matches_finite_differences(device, problem, seed):
    program, x, y, weights = problem
    note(f"program: {program}\nx = {x!r}\ny = {y!r}")
    f = scalar_function(program, weights)
    assume(_evaluates(f, x, y))
    rng = numpy.random.RandomState(seed)

    def direction(a: Any) -> Any:
        d = rng.randn(*a.shape)
        return d + 1j * rng.randn(*a.shape) if a.dtype.kind == "c" else d

    u, v = [direction(x), direction(y)], [direction(x), direction(y)]

    def df_u(a: Any, b: Any) -> Any:  # the directional derivative along u, by minpy
        ga, gb = grad(lambda a, b: f(np, a, b), [0, 1])(a, b)
        return _inner(ga, np.array(u[0])) + _inner(gb, np.array(u[1]))

    try:
        ha, hb = grad(df_u, [0, 1])(np.array(x), np.array(y))
    except minpy.GradientError:
        if any(step.may_refuse for step in program):
            return  # a refused write into a view made by a view function, as documented
        raise
    got = float(_inner(ha, np.array(v[0])) + _inner(hb, np.array(v[1])))

    def mixed(h: float) -> float:
        def at(s: float, t: float) -> float:
            return float(f(numpy, x + s * u[0] + t * v[0], y + s * u[1] + t * v[1]))

        return (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h)

    want, err = richardson(mixed, 1e-3)
    scale = host_scale(program, weights, x, y)
    assert_close(got, want, err, 1e-4, 1e-6 * scale, "u' H v")


# --------------------------------------------------------------------------------------------
# nested grad: closed-over outer values, scalar inner arguments


@pytest.mark.parametrize(
    ("fun", "arg", "want"),
    [
        (lambda c: grad(lambda x: x * c)(2.0), 3.0, 1.0),
        (lambda x: x * grad(lambda y: x * y)(2.0), 1.0, 2.0),
        (lambda c: grad(lambda x: np.exp(x) * c)(np.array(0.5)), 1.0, numpy.exp(0.5)),
    ],
    ids=["closed-over-factor", "outer-times-inner", "exp-times-closed-over"],
)
def test_nested_grad_closure_examples(fun, arg, want):
    got = grad(fun)(arg)
    assert isinstance(got, float)
    assert got == pytest.approx(want, rel=1e-12)


def _fd(fun: Callable[[float], float], t: float, h: float) -> float:
    return derivative(lambda s: fun(t + s), h)


def _fd_outer(fun: Callable[[float], float], t: float) -> tuple[float, float]:
    return richardson(lambda h: (fun(t + h) - fun(t - h)) / (2 * h), 1e-3)


def _as_argument(value: float, kind: str) -> Any:
    return np.array(value) if kind == "0-d array" else value


ARG_KINDS = st.sampled_from(["float", "0-d array"])


@FIXTURE_OK
@given(
    st.floats(-1.5, 1.5),
    st.floats(-1.5, 1.5),
    ARG_KINDS,
    ARG_KINDS,
    st.data(),
)
def test_nested_grad_of_closed_over_value(device, c0, x0, ckind, xkind, data):
    """``d/dc [d/dx p(x, c)](x0)`` at ``c0``, ``c`` closed over by the inner function."""
    inner = data.draw(st.sampled_from(sorted(REAL_UNARY)), label="f")
    outer = data.draw(st.sampled_from(sorted(REAL_UNARY)), label="g")
    f, okf = REAL_UNARY[inner]
    g, okg = REAL_UNARY[outer]
    assume(okf(numpy.float64(x0)) and okg(numpy.float64(c0)))
    form = data.draw(st.sampled_from(["f(x) * g(c)", "f(x * g(c))", "f(x) + g(c) * x * x"]))

    def p(xp: Any, x: Any, c: Any) -> Any:
        if form == "f(x) * g(c)":
            return f(xp, x) * g(xp, c)
        if form == "f(x * g(c))":
            return f(xp, x * g(xp, c))
        return f(xp, x) + g(xp, c) * x * x

    with numpy.errstate(all="ignore"):
        assume(okf(numpy.float64(x0) * g(numpy, numpy.float64(c0))) or form != "f(x * g(c))")

    def minpy_inner(c: Any) -> Any:
        return grad(lambda x: p(np, x, c))(_as_argument(x0, xkind))

    got = grad(minpy_inner)(_as_argument(c0, ckind))
    if ckind == "float":
        assert isinstance(got, float), f"a float argument's gradient is {type(got).__name__}"
    got = float(got)

    def host_inner(c: float) -> float:
        return _fd(lambda x: float(p(numpy, numpy.float64(x), numpy.float64(c))), x0, 1e-4)

    want, err = _fd_outer(host_inner, c0)
    assert_close(got, want, err, 1e-5, 1e-6, "d/dc d/dx p(x, c)")


@FIXTURE_OK
@given(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5), ARG_KINDS, ARG_KINDS, st.data())
def test_outer_value_times_inner_grad(device, x0, y0, xkind, ykind, data):
    """``d/dx q(x, [d/dy p(y, x)](y0))``: the outer argument used inside and outside."""
    names = sorted(REAL_UNARY)
    f, okf = REAL_UNARY[data.draw(st.sampled_from(names), label="f")]
    g, okg = REAL_UNARY[data.draw(st.sampled_from(names), label="g")]
    with numpy.errstate(all="ignore"):
        assume(okf(numpy.float64(x0 * y0)) and okg(numpy.float64(x0)))

    def p(xp: Any, y: Any, x: Any) -> Any:  # differentiated in y, x closed over
        return f(xp, x * y)

    def q(xp: Any, x: Any, d: Any) -> Any:
        return g(xp, x) * d

    def minpy_outer(x: Any) -> Any:
        return q(np, x, grad(lambda y: p(np, y, x))(_as_argument(y0, ykind)))

    got = grad(minpy_outer)(_as_argument(x0, xkind))
    if xkind == "float":
        assert isinstance(got, float), f"a float argument's gradient is {type(got).__name__}"
    got = float(got)

    def host_outer(x: float) -> float:
        d = _fd(lambda y: float(p(numpy, numpy.float64(y), numpy.float64(x))), y0, 1e-4)
        return float(q(numpy, numpy.float64(x), d))

    want, err = _fd_outer(host_outer, x0)
    assert_close(got, want, err, 1e-5, 1e-6, "d/dx q(x, d/dy p(y, x))")
