"""The op table: every differentiable primitive with shapes, input domains and variants.

Each ``Case`` is a function of minpy Arrays written against the module-level ``np`` (minpy's
namespace). ``with_namespace(case.fun, numpy)`` rebinds that name, so the very same code gives
NumPy's forward value for comparison. Constants that are not differentiated (conditions, index
arrays, repeat counts) are NumPy arrays captured by the lambdas.

A case checks second-order gradients unless ``order=1``, which needs a ``why``.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy

import minpy.numpy as np
from minpy.nn import layers as _layers

Shape = tuple[int, ...]
Domain = Callable[[numpy.random.RandomState, Shape], Any]

# --------------------------------------------------------------------------------------------
# input domains: (rng, shape) -> float64 (or complex128) host array


def real(rng: numpy.random.RandomState, shape: Shape) -> Any:
    return numpy.asarray(rng.randn(*shape), dtype=numpy.float64)


def uniform(lo: float, hi: float) -> Domain:
    def gen(rng: numpy.random.RandomState, shape: Shape) -> Any:
        return numpy.asarray(rng.uniform(lo, hi, size=shape), dtype=numpy.float64)

    gen.__name__ = f"uniform({lo}, {hi})"
    return gen


positive = uniform(0.5, 2.0)
unit = uniform(-0.9, 0.9)  # arcsin, arccos, arctanh
above_one = uniform(1.2, 3.0)  # arccosh


def nonzero(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Magnitudes in [0.5, 2] with random signs: divisors, abs/sign/cbrt away from 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def with_zeros(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Like ``nonzero``, with the first entry and one in the last row set to exactly 0."""
    x = nonzero(rng, shape)
    x.flat[0] = 0.0
    x[-1, ..., -1] = 0.0
    return x


def with_nans(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Distinct values with the first entry and one in the last row NaN (nan-reductions)."""
    x = distinct(rng, shape)
    x.flat[0] = numpy.nan
    x[-1, ..., -1] = numpy.nan
    return x


def distinct(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """All entries at least 0.2 apart: no ties for max/min/sort-like rules."""
    n = int(numpy.prod(shape))
    vals = (numpy.arange(n) - n / 2) * 0.4 + rng.uniform(0.0, 0.2, size=n)
    return rng.permutation(vals).reshape(shape)


def off_integer(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Integers plus a fraction in [0.1, 0.4]: floor/ceil/round stay locally constant."""
    return rng.randint(-3, 3, size=shape) + rng.uniform(0.1, 0.4, size=shape)


def wellcond(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Square matrices (batched over leading axes) near 2I: inverses and solves are stable."""
    return 2.0 * numpy.eye(shape[-1]) + 0.3 * rng.randn(*shape)


def complex_(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """complex128 values, real and imaginary parts standard normal."""
    return rng.randn(*shape) + 1j * rng.randn(*shape)


def complex_wellcond(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Complex square matrices near 2I (``wellcond`` with an imaginary part)."""
    return wellcond(rng, shape) + 0.3j * rng.randn(*shape)


# --------------------------------------------------------------------------------------------
# the case type


@dataclass(frozen=True)
class Case:
    """One op-table entry.

    ``prims`` are the primitives whose rules the case checks (default: ``name`` up to the
    first ``-``); the test asserts that the forward pass really calls them.
    """

    name: str
    fun: Callable[..., Any]
    shapes: Sequence[Shape]
    domain: Domain | Sequence[Domain] = real
    prims: tuple[str, ...] = ()
    order: int = 2
    why: str = ""
    ref: Callable[..., Any] | None = None  # NumPy reference where ``np`` has no such name
    rtol: float = 1e-5
    atol: float = 1e-7
    covers: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "covers", self.prims or (self.name.split("-")[0],))
        if self.order < 2 and not self.why:
            raise ValueError(f"case {self.name!r}: order={self.order} needs a reason in why=")

    def inputs(self, seed: int = 0) -> list[Any]:
        """Host float64 (complex128) inputs, one per shape, drawn from the domains."""
        rng = numpy.random.RandomState(seed)
        doms = (
            self.domain if isinstance(self.domain, Sequence) else [self.domain] * len(self.shapes)
        )
        return [d(rng, tuple(s)) for d, s in zip(doms, self.shapes)]

    def reference(self) -> Callable[..., Any]:
        """The same function computed by NumPy."""
        return self.ref if self.ref is not None else with_namespace(self.fun, numpy)


def with_namespace(fun: Callable[..., Any], xp: Any) -> Callable[..., Any]:
    """``fun`` with its global ``np`` bound to ``xp`` (same code, another array module)."""
    code = fun.__code__  # type: ignore[attr-defined]
    glob = dict(fun.__globals__)  # type: ignore[attr-defined]
    glob["np"] = xp
    return types.FunctionType(
        code,
        glob,
        fun.__name__,
        fun.__defaults__,  # type: ignore[attr-defined]
        fun.__closure__,  # type: ignore[attr-defined]
    )


C = Case


def _filled(e: Any) -> Any:
    """``e`` (from ``empty_like``, so of any values) set to ones in place."""
    e[...] = 1.0
    return e


V = (3,)
M = (2, 3)
T3 = (2, 3, 2)

# constants captured by the cases
COND = numpy.array([[True, False, True], [False, False, True]])
IDX = numpy.array([2, 0, 2, 1])
IDX_2D = numpy.array([[5, 0], [5, 3]])
REPS = numpy.array([1, 0, 2])
ALONG = numpy.array([[3, 0, 0], [1, 2, 1]])
X_GRID = numpy.array([0.0, 0.5, 1.5, 2.0])
WEIGHTS = numpy.array([1.0, 2.0, 0.5])


def _sum_to_ref(x: Any, shape: Shape) -> Any:
    lead = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and x.shape[i] != 1)
    return x.sum(axis=axes, keepdims=True)


def _scatter_add_ref(shape: Shape, key: Any, v: Any) -> Any:
    out = numpy.zeros(shape)
    numpy.add.at(out, key, v)
    return out


def _product(pair: Any) -> Any:
    """Two results (average's with ``returned=True``) combined, so both get gradients."""
    a, b = pair
    return a * b


def _set(x: Any, v: Any) -> Any:
    y = x * 1.0
    y[0, ::2] = v[:2]
    y[1] = v
    return y


# --------------------------------------------------------------------------------------------
# the table

CASES: list[Case] = [
    # arithmetic and power, with broadcasting ------------------------------------------------
    C("add", lambda x, y: x + y, [M, M]),
    C("add-broadcast", lambda x, y: np.add(x, y), [M, V]),
    C("add-broadcast-both", lambda x, y: x + y, [(2, 1), (1, 3)]),
    C("add-scalar", lambda x: 2.0 + x, [M]),
    C("subtract", lambda x, y: x - y, [(2, 1, 3), V]),
    C("subtract-reflected", lambda x: 1.0 - x, [M]),
    C("multiply", lambda x, y: x * y, [M, (2, 1)]),
    C("multiply-0d", lambda x, y: np.multiply(x, y), [(), M]),
    C("divide", lambda x, y: x / y, [M, V], [real, nonzero]),
    C("divide-reflected", lambda x: 1.0 / x, [M], nonzero),
    C("divide-true_divide", lambda x, y: np.true_divide(x, y), [V, M], [real, nonzero]),
    C("power", lambda x, y: x**y, [M, V], [positive, real]),
    C("power-int-exponent", lambda x: x**3, [M]),
    C("power-float-exponent", lambda x: np.power(x, 2.5), [M], positive),
    C("power-base-scalar", lambda y: 2.0**y, [M]),
    C("negative", lambda x: -x, [M]),
    C("positive", lambda x: np.positive(x), [M]),
    C(
        "mod",
        lambda x, y: x % y,
        [M, V],
        [uniform(2.3, 3.0), uniform(1.02, 1.1)],
        prims=("remainder",),
    ),
    C(
        "remainder",
        lambda x, y: np.remainder(x, y),
        [M, M],
        [uniform(-3.0, -2.3), uniform(1.02, 1.1)],
    ),
    C("fmod", lambda x, y: np.fmod(x, y), [M, M], [uniform(-3.0, -2.3), uniform(1.02, 1.1)]),
    C(
        "floor_divide",
        lambda x, y: x // y + x,
        [M, M],
        [uniform(2.3, 3.0), uniform(1.02, 1.1)],
        prims=("floor_divide", "add"),
    ),
    C("arctan2", lambda y, x: np.arctan2(y, x), [M, V], [nonzero, nonzero]),
    C("hypot", lambda x, y: np.hypot(x, y), [M, M], [nonzero, nonzero]),
    C("logaddexp", lambda x, y: np.logaddexp(x, y), [M, V]),
    C("logaddexp2", lambda x, y: np.logaddexp2(x, y), [M, M]),
    C("maximum", lambda x, y: np.maximum(x, y), [M, V]),
    C("maximum-relu", lambda x: np.maximum(0, x), [M], nonzero),
    # minpy.nn.layers.relu: one primitive whose rule keeps only the output (gradient 0 at 0)
    C("nn.relu", lambda x: _layers.relu(x), [M], nonzero, ref=lambda x: numpy.maximum(x, 0)),
    C("minimum", lambda x, y: np.minimum(x, y), [V, M]),
    C("minimum-scalar", lambda x: np.minimum(x, 0.3), [M]),
    C("fmax", lambda x, y: np.fmax(x, y), [M, M]),
    C("fmin", lambda x, y: np.fmin(x, y), [M, M]),
    C("where", lambda x, y: np.where(COND, x, y), [M, M]),
    C("where-broadcast", lambda x, y: np.where(COND, x, y), [V, (2, 1)]),
    C("where-scalar", lambda x: np.where(COND, x, 0.0), [M]),
    C("where-leaky-relu", lambda x: np.where(x > 0, x, 0.1 * x), [M], nonzero),
    C("clip", lambda x: np.clip(x, -0.5, 0.5), [(3, 4)]),
    C("clip-one-sided", lambda x: np.clip(x, None, 0.2) + np.clip(x, -0.2, None), [(3, 4)]),
    C("clip-method", lambda x: x.clip(-0.5, 0.5), [M]),
    C(
        "clip-array-bounds",
        lambda x, lo, hi: np.clip(x, lo, hi),
        [(4, 3), V, V],
        [real, uniform(-1.5, -0.1), uniform(0.1, 1.5)],
    ),
    C(
        "clip-bounds-broadcast-x",
        lambda y: np.clip(np.sum(y, 0, keepdims=True), y - 0.5, y + 0.5),
        [(3, 3)],
        uniform(0.0, 0.5),  # the sums fall inside some bounds, outside others
    ),
    C(
        "clip-lo-above-hi",
        lambda x, lo, hi: np.clip(x, lo, hi),
        [(2, 3), V, V],
        [real, uniform(0.5, 1.0), uniform(-1.0, 0.4)],
    ),
    C("clip-keywords", lambda x: np.clip(x, min=-0.5, max=0.5), [(3, 4)]),
    C(
        "fmax-nan",
        lambda x, y: np.fmax(x, y) + np.fmin(y, x),
        [M, M],
        [real, with_nans],
        prims=("fmax", "fmin"),
    ),
    # elementwise functions of one argument ---------------------------------------------------
    C("exp", lambda x: np.exp(x), [M]),
    # a ufunc's keywords: dtype= (the gradient cast back), where= with out= (out's entries
    # kept where the mask is False get its gradient; where it is True, the ufunc's)
    C("exp-dtype", lambda x: np.exp(x, dtype=np.float64, casting="same_kind"), [M]),
    C("exp-where-out", lambda x: np.exp(x, where=COND, out=np.zeros(M)), [M]),
    # (the mask leaves out entries where log has no value: no nan reaches the gradient)
    C("log-where-out", lambda x: np.log(x, where=x > 0.1, out=np.zeros(T3)), [T3]),
    C(
        "multiply-where-out-traced",
        lambda x, y: np.multiply(x, 2.0, where=COND, out=y * 1.0),
        [M, M],
        prims=("multiply", "where"),
    ),
    C(
        "add-where-broadcast",
        lambda x, v: np.add(x, v, where=COND[0], out=np.ones(M)),
        [M, V],
        prims=("add", "where"),
    ),
    C("exp2", lambda x: np.exp2(x), [M]),
    C("expm1", lambda x: np.expm1(x), [M]),
    C("log", lambda x: np.log(x), [M], positive),
    C("log2", lambda x: np.log2(x), [M], positive),
    C("log10", lambda x: np.log10(x), [M], positive),
    C("log1p", lambda x: np.log1p(x), [M], uniform(-0.5, 2.0)),
    C("sqrt", lambda x: np.sqrt(x), [M], positive),
    C("cbrt", lambda x: np.cbrt(x), [M], nonzero),
    C("square", lambda x: np.square(x), [M]),
    C("reciprocal", lambda x: np.reciprocal(x), [M], nonzero),
    C("absolute", lambda x: np.abs(x), [M], nonzero),
    C("absolute-operator", lambda x: abs(x), [M], nonzero),
    C("fabs", lambda x: np.fabs(x), [M], nonzero),
    C("sign", lambda x: np.sign(x) * x, [M], nonzero, prims=("sign", "multiply")),
    C("floor", lambda x: np.floor(x) * x, [M], off_integer),
    C("ceil", lambda x: np.ceil(x) * x, [M], off_integer),
    C("rint", lambda x: np.rint(x) * x, [M], off_integer),
    C("trunc", lambda x: np.trunc(x) * x, [M], off_integer),
    C("fix", lambda x: np.fix(x) * x, [M], off_integer),
    C("round", lambda x: np.round(x) * x, [M], off_integer),
    C("around", lambda x: np.around(x) * x, [M], off_integer),
    C("sin", lambda x: np.sin(x), [M]),
    C("cos", lambda x: np.cos(x), [M]),
    C("tan", lambda x: np.tan(x), [M], uniform(-1.2, 1.2)),
    C("arcsin", lambda x: np.arcsin(x), [M], unit),
    C("arccos", lambda x: np.arccos(x), [M], unit),
    C("arctan", lambda x: np.arctan(x), [M]),
    C("sinh", lambda x: np.sinh(x), [M]),
    C("cosh", lambda x: np.cosh(x), [M]),
    C("tanh", lambda x: np.tanh(x), [M]),
    C("arcsinh", lambda x: np.arcsinh(x), [M]),
    C("arccosh", lambda x: np.arccosh(x), [M], above_one),
    C("arctanh", lambda x: np.arctanh(x), [M], unit),
    C("deg2rad", lambda x: np.deg2rad(x), [M]),
    C("rad2deg", lambda x: np.rad2deg(x), [M]),
    C("radians", lambda x: np.radians(x), [M]),
    C("degrees", lambda x: np.degrees(x), [M]),
    C("sinc", lambda x: np.sinc(x), [M]),
    C("sinc-at-zero", lambda x: np.sinc(x), [M], with_zeros),
    C("spacing", lambda x: np.spacing(x) * 1e14 + x, [M], nonzero, prims=("spacing",)),
    C("heaviside", lambda x, y: np.heaviside(x, y) * x * y, [M, M], nonzero),
    C("nextafter", lambda x, y: np.nextafter(x, y) * x, [M, V]),
    C("copysign", lambda x, y: np.copysign(x, y), [M, M], nonzero),
    C("real", lambda x: np.real(x) * x, [M]),
    C("conjugate", lambda x: np.conj(x) * x, [M]),
    C("astype", lambda x: np.astype(x, np.float64) * x, [M]),
    C("astype-method", lambda x: x.astype(np.float64) * x, [M]),
    C("copy", lambda x: x.copy() * x, [M]),
    C("zeros_like", lambda x: np.zeros_like(x) + x * x, [M], prims=("zeros_like",)),
    C("ones_like", lambda x: np.ones_like(x) * x, [M], prims=("ones_like",)),
    C("empty_like", lambda x: _filled(np.empty_like(x)) * x, [M], prims=("empty_like",)),
    C("full_like", lambda x, c: np.full_like(x, c) * x, [M, ()], prims=("full_like",)),
    # reductions, with axis / keepdims / ddof variants -----------------------------------------
    C("sum", lambda x: np.sum(x), [M]),
    C("sum-axis0", lambda x: np.sum(x, axis=0), [M]),
    C("sum-axis-neg-keepdims", lambda x: np.sum(x, axis=-1, keepdims=True), [T3]),
    C("sum-axes-tuple", lambda x: x.sum(axis=(0, 2)), [T3]),
    C("sum-0d", lambda x: np.sum(x * x), [()], prims=("sum", "multiply")),
    C("mean", lambda x: np.mean(x), [M]),
    C("mean-axis1-keepdims", lambda x: np.mean(x, axis=1, keepdims=True), [M]),
    C("mean-axes-tuple", lambda x: x.mean(axis=(0, 1)), [T3]),
    C("prod", lambda x: np.prod(x), [M], nonzero),
    C("prod-axis1", lambda x: np.prod(x, axis=1), [M], nonzero),
    C("prod-axis0-keepdims", lambda x: x.prod(axis=0, keepdims=True), [T3], nonzero),
    C(
        "prod-with-zeros",
        lambda x: np.prod(x, axis=1) + np.prod(x, axis=(0, 2)).sum() + np.prod(x),
        [(3, 2, 2)],
        with_zeros,
    ),
    C(
        "cumprod-with-zeros",
        lambda x: np.cumprod(x, axis=1) + np.cumprod(x).sum(),
        [(2, 3, 2)],
        with_zeros,
    ),
    C("cumprod", lambda x: np.cumprod(x), [M], nonzero),
    C("cumprod-axis1", lambda x: np.cumprod(x, axis=1), [T3], nonzero),
    C("max", lambda x: np.max(x), [M], distinct),
    C("max-axis1", lambda x: np.max(x, axis=1), [M], distinct),
    C("max-axis0-keepdims", lambda x: x.max(axis=0, keepdims=True), [T3], distinct),
    C("max-axes-tuple", lambda x: np.max(x, axis=(0, 2)), [T3], distinct),
    C("min", lambda x: np.min(x), [M], distinct),
    C("min-axis-neg", lambda x: x.min(axis=-1), [T3], distinct),
    C("min-axis0-keepdims", lambda x: np.min(x, axis=0, keepdims=True), [M], distinct),
    C("amax", lambda x: np.amax(x, axis=1), [M], distinct),
    C("amin", lambda x: np.amin(x, axis=0), [M], distinct),
    C("var", lambda x: np.var(x), [M]),
    C("var-axis1-ddof", lambda x: np.var(x, axis=1, ddof=1), [M]),
    C("var-axis0-keepdims", lambda x: x.var(axis=0, keepdims=True), [T3]),
    C("std", lambda x: np.std(x), [M]),
    C("std-axis0-ddof", lambda x: np.std(x, axis=0, ddof=1), [(3, 2)]),
    C("std-axes-keepdims", lambda x: x.std(axis=(1, 2), keepdims=True), [T3]),
    C("std-0d", lambda x: np.std(x) + x, [()], prims=("std", "add")),
    C("cumsum", lambda x: np.cumsum(x), [M]),
    C("cumsum-1d", lambda x: np.cumsum(x), [(4,)]),
    C("cumsum-axis0", lambda x: np.cumsum(x, axis=0), [M]),
    C("cumsum-axis-neg", lambda x: x.cumsum(axis=-1), [T3]),
    # products --------------------------------------------------------------------------------
    C("dot-vv", lambda a, b: np.dot(a, b), [V, V]),
    C("dot-mv", lambda a, b: np.dot(a, b), [M, V]),
    C("dot-vm", lambda a, b: np.dot(a, b), [(2,), M]),
    C("dot-mm", lambda a, b: np.dot(a, b), [M, (3, 4)]),
    C("dot-method", lambda a, b: a.dot(b), [(2, 2), M]),
    C("dot-3d-2d", lambda a, b: np.dot(a, b), [T3, (2, 3)]),
    C("dot-2d-3d", lambda a, b: np.dot(a, b), [M, (2, 3, 2)]),
    C("dot-3d-1d", lambda a, b: np.dot(a, b), [T3, (2,)]),
    C("dot-1d-3d", lambda a, b: np.dot(a, b), [(3,), (2, 3, 2)]),
    C("dot-scalar", lambda a, b: np.dot(a, b), [(), M]),
    C(
        "dot-python-number",
        lambda a: np.dot(a, 2.0) + np.inner(a, 3.0),
        [M],
        prims=("dot", "inner"),
    ),
    C("matmul-vv", lambda a, b: a @ b, [V, V]),
    C("matmul-mv", lambda a, b: a @ b, [M, V]),
    C("matmul-vm", lambda a, b: np.matmul(a, b), [(2,), M]),
    C("matmul-mm", lambda a, b: np.matmul(a, b), [M, (3, 2)]),
    C("matmul-batched", lambda a, b: a @ b, [(2, 2, 3), (3, 2)]),
    C("matmul-broadcast", lambda a, b: a @ b, [(2, 1, 2, 3), (3, 3, 2)]),
    C("matmul-1d-batched", lambda a, b: a @ b, [(3,), (2, 3, 2)]),
    C("matmul-batched-1d", lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    # axes=: the core axes of each operand and of the output placed anywhere
    C("matmul-axes", lambda a, b: np.matmul(a, b, axes=[(1, 0), (0, 1), (1, 0)]), [(3, 2)] * 2),
    C(
        "matmul-axes-batched",
        lambda a, b: np.matmul(a, b, axes=[(2, 1), (1, 2), (0, 2)]),
        [(2, 3, 2), (2, 3, 4)],
    ),
    C("matmul-axes-vm", lambda a, b: np.matmul(a, b, axes=[(0,), (1, 0), (0,)]), [(2,), (3, 2)]),
    C("matmul-axes-vv", lambda a, b: np.matmul(a, b, axes=[(0,), (0,), ()]), [V, V]),
    C("tensordot", lambda a, b: np.tensordot(a, b), [T3, (3, 2, 2)]),
    C("tensordot-int1", lambda a, b: np.tensordot(a, b, axes=1), [M, (3, 2)]),
    C("tensordot-int0", lambda a, b: np.tensordot(a, b, axes=0), [(2,), V]),
    C(
        "tensordot-pairs",
        lambda a, b: np.tensordot(a, b, axes=([1, 0], [0, 2])),
        [T3, (3, 2, 2)],
    ),
    C("tensordot-pair-ints", lambda a, b: np.tensordot(a, b, axes=(0, 1)), [M, (3, 2)]),
    C("tensordot-neg-axes", lambda a, b: np.tensordot(a, b, axes=([-1], [0])), [T3, (2, 3)]),
    C("einsum-matmul", lambda a, b: np.einsum("ij,jk->ik", a, b), [M, (3, 2)]),
    C("einsum-inner", lambda a, b: np.einsum("i,i->", a, b), [V, V]),
    C("einsum-colsum", lambda a: np.einsum("ij->j", a), [M]),
    C("einsum-ellipsis-bmm", lambda a, b: np.einsum("...ij,...jk->...ik", a, b), [T3, (2, 3)]),
    C("einsum-ellipsis-implicit", lambda a, b: np.einsum("...i,i", a, b), [M, V]),
    C("einsum-ellipsis-leading", lambda a: np.einsum("i...->...", a), [T3]),
    C(
        "einsum-ellipsis-broadcast",
        lambda a, b: np.einsum("...i,...i->...", a, b),
        [(2, 1, 3), (4, 3)],
    ),
    C("einsum-size1-broadcast", lambda a, b: np.einsum("ij,ij->ij", a, b), [(1, 3), M]),
    C("einsum-ellipsis-diagonal", lambda a: np.einsum("ii...->i...", a), [(2, 2, 3)]),
    C(
        "einsum-bmm",
        lambda a, b: np.einsum("bij,bjk->bik", a, b),
        [T3, (2, 2, 3)],
    ),
    C("einsum-implicit", lambda a, b: np.einsum("ij,jk", a, b), [M, (3, 2)]),
    C("einsum-transpose", lambda a: np.einsum("ijk->kji", a), [T3]),
    C("einsum-outer", lambda a, b: np.einsum("i,j->ij", a, b), [(2,), V]),
    C(
        "einsum-three",
        lambda a, b, c: np.einsum("ij,jk,k->i", a, b, c),
        [M, (3, 2), (2,)],
    ),
    C("einsum-trace", lambda a: np.einsum("ii->", a), [(3, 3)]),
    C("einsum-diagonal", lambda a: np.einsum("ii->i", a), [(3, 3)]),
    C(
        "einsum-diag-product",
        lambda a, b: np.einsum("iij,jk->ik", a, b),
        [(2, 2, 3), (3, 2)],
    ),
    C("einsum-spaces", lambda a, b: np.einsum("ij, ij -> i", a, b), [M, M]),
    C("outer", lambda a, b: np.outer(a, b), [V, (2,)]),
    C("outer-flattens", lambda a, b: np.outer(a, b), [M, (2, 1)]),
    C("inner", lambda a, b: np.inner(a, b), [V, V]),
    C("inner-2d", lambda a, b: np.inner(a, b), [M, (2, 3)]),
    C("inner-3d-1d", lambda a, b: np.inner(a, b), [(2, 2, 3), V]),
    C("inner-scalar", lambda a, b: np.inner(a, b), [(), M]),
    # shape and order -------------------------------------------------------------------------
    C("reshape", lambda x: np.reshape(x, (3, 2)), [M]),
    C("reshape-method-neg", lambda x: x.reshape(-1, 4), [T3]),
    C("ravel", lambda x: np.ravel(x), [T3]),
    C("ravel-method", lambda x: x.ravel() * x.flatten(), [M], prims=("ravel", "copy")),
    C("transpose", lambda x: np.transpose(x), [T3]),
    C("transpose-axes", lambda x: np.transpose(x, (1, 2, 0)), [(2, 3, 4)]),
    C("transpose-neg-axes", lambda x: x.transpose(-1, 0, 1), [T3]),
    C("transpose-T", lambda x: x.T, [M]),
    C("swapaxes", lambda x: np.swapaxes(x, 0, 2), [(2, 3, 4)]),
    C("moveaxis", lambda x: np.moveaxis(x, 0, -1), [(2, 3, 4)]),
    C("moveaxis-lists", lambda x: np.moveaxis(x, [0, 1], [2, 0]), [(2, 3, 4)]),
    C("expand_dims", lambda x: np.expand_dims(x, 1), [M]),
    C("expand_dims-tuple", lambda x: np.expand_dims(x, (0, 3)), [M]),
    C("squeeze", lambda x: np.squeeze(x), [(2, 1, 3, 1)]),
    C("squeeze-axis", lambda x: np.squeeze(x, axis=1), [(2, 1, 3, 1)]),
    C("concatenate", lambda x, y: np.concatenate([x, y]), [M, (1, 3)]),
    C("concatenate-axis1", lambda x, y, z: np.concatenate((x, y, z), axis=1), [M, (2, 1), M]),
    C("concatenate-axis-none", lambda x, y: np.concatenate([x, y], axis=None), [M, V]),
    C("stack", lambda x, y: np.stack([x, y]), [M, M]),
    C("stack-axis-neg", lambda x, y, z: np.stack([x, y, z], axis=-1), [M, M, M]),
    C("hstack-1d", lambda x, y: np.hstack([x, y]), [V, (2,)], prims=("concatenate",)),
    C("hstack-2d", lambda x, y: np.hstack((x, y)), [M, (2, 1)], prims=("concatenate",)),
    C("vstack-1d", lambda x, y: np.vstack([x, y]), [V, V], prims=("concatenate", "reshape")),
    C("vstack-2d", lambda x, y: np.vstack([x, y]), [M, (1, 3)], prims=("concatenate",)),
    C("split", lambda x: np.split(x, 2), [(4, 3)], prims=("getitem",)),
    C("split-indices", lambda x: np.split(x, [1, 2], axis=1), [(2, 4)], prims=("getitem",)),
    C(
        "split-product",
        lambda x: np.prod(np.stack(np.split(x, 3, axis=1)), axis=0),
        [(2, 3)],
        prims=("getitem", "stack", "prod"),
    ),
    C("tile", lambda x: np.tile(x, 2), [M]),
    C("tile-more-dims", lambda x: np.tile(x, (2, 1, 2)), [M]),
    C("tile-fewer-reps", lambda x: np.tile(x, (2,)), [T3]),
    C("repeat", lambda x: np.repeat(x, 2), [M]),
    C("repeat-axis", lambda x: np.repeat(x, 3, axis=1), [M]),
    C("repeat-array", lambda x: np.repeat(x, REPS, axis=1), [M]),
    C("repeat-array-minpy", lambda x: np.repeat(x, np.array(REPS), axis=0), [(3, 2)]),
    C("repeat-list-flat", lambda x: np.repeat(x, [2, 0, 1]), [V]),
    C("repeat-method", lambda x: x.repeat(2, axis=0), [M]),
    C("broadcast_to", lambda x: np.broadcast_to(x, (2, 3)), [V]),
    C("broadcast_to-middle", lambda x: np.broadcast_to(x, (4, 2, 3)), [(2, 1)]),
    C("flip", lambda x: np.flip(x), [M]),
    C("flip-axis", lambda x: np.flip(x, axis=1), [T3]),
    C("flip-axes-tuple", lambda x: np.flip(x, axis=(0, 2)), [T3]),
    C("fliplr", lambda x: np.fliplr(x), [M]),
    C("flipud", lambda x: np.flipud(x), [M]),
    C("rot90", lambda x: np.rot90(x), [M]),
    C("rot90-k-axes", lambda x: np.rot90(x, 3, axes=(1, 2)), [T3]),
    C("roll", lambda x: np.roll(x, 2), [M]),
    C("roll-axes", lambda x: np.roll(x, (1, -1), axis=(0, 1)), [M]),
    C("pad", lambda x: np.pad(x, 1), [M]),
    C("pad-pairs", lambda x: np.pad(x, ((1, 0), (0, 2))), [M]),
    C("pad-constant-values", lambda x: np.pad(x, (2, 1), constant_values=3.0), [V]),
    C("pad-edge", lambda x: np.pad(x, 2, mode="edge"), [M]),
    C("pad-reflect", lambda x: np.pad(x, ((1, 2), (2, 1)), mode="reflect"), [(3, 3)]),
    C("pad-symmetric", lambda x: np.pad(x, 3, mode="symmetric"), [V]),
    C("pad-wrap", lambda x: np.pad(x, (1, 2), mode="wrap"), [M]),
    C("pad-numpy-int", lambda x: np.pad(x, numpy.int64(1)), [M]),
    C("pad-array-widths", lambda x: np.pad(x, numpy.array([[1, 0], [2, 1]])), [M]),
    C("triu", lambda x: np.triu(x), [(3, 3)]),
    C("triu-k", lambda x: np.triu(x, 1), [(3, 4)]),
    C("tril", lambda x: np.tril(x), [(3, 3)]),
    C("tril-k-batched", lambda x: np.tril(x, -1), [(2, 3, 3)]),
    C("diag-1d", lambda x: np.diag(x), [V]),
    C("diag-1d-offset", lambda x: np.diag(x, 1), [V]),
    C("diag-1d-neg-offset", lambda x: np.diag(x, k=-2), [(2,)]),
    C("diag-2d", lambda x: np.diag(x), [(3, 3)]),
    C("diag-2d-offset", lambda x: np.diag(x, 1), [(3, 4)]),
    C("diag-2d-neg-offset", lambda x: np.diag(x, -1), [(4, 3)]),
    C("diagonal", lambda x: np.diagonal(x), [(3, 3)]),
    C("diagonal-axes", lambda x: np.diagonal(x, 1, 0, 2), [(3, 2, 4)]),
    C("diagonal-method", lambda x: x.diagonal(-1), [(3, 4)]),
    C("trace", lambda x: np.trace(x), [(3, 3)]),
    C("trace-offset", lambda x: np.trace(x, 1), [(3, 4)]),
    C("trace-3d-axes", lambda x: np.trace(x, 0, 1, 2), [(2, 3, 3)]),
    C("trace-method", lambda x: x.trace(-1), [(4, 3)]),
    # indexing (the full matrix lives in test_indexing.py) ------------------------------------
    C("getitem-basic", lambda x: x[1, ::-2], [(3, 4)]),
    C("getitem-int-array", lambda x: x[IDX], [(3, 2)]),
    C("getitem-mask", lambda x: x[COND], [M]),
    C("setitem", lambda x, v: _set(x, v), [M, (3,)]),
    C("take", lambda x: np.take(x, IDX), [(3, 2)]),
    C("take-axis", lambda x: np.take(x, [1, 1, 0], axis=1), [(3, 2)]),
    C("take-method", lambda x: x.take(IDX, axis=0), [(3, 2)]),
    C("take-2d-index", lambda x: np.take(x, IDX_2D), [(3, 2)]),
    C("take-2d-index-axis", lambda x: np.take(x, IDX_2D % 2, axis=1), [(3, 2)]),
    C("take-clip", lambda x: np.take(x, [-2, 0, 5, 1], axis=1, mode="clip"), [(3, 2)]),
    C("take-wrap", lambda x: np.take(x, [-7, 3, 9], mode="wrap"), [(3, 2)]),
    C("take_along_axis", lambda x: np.take_along_axis(x, ALONG, axis=1), [(2, 4)]),
    C("take_along_axis-broadcast", lambda x: np.take_along_axis(x, ALONG[:1], axis=1), [(1, 4)]),
    C("take_along_axis-flat", lambda x: np.take_along_axis(x, IDX, axis=None), [(2, 2)]),
    C("sort", lambda x: np.sort(x), [(2, 4)], distinct),
    C("sort-axis0", lambda x: np.sort(x, axis=0), [(3, 2)], distinct),
    C("sort-flat", lambda x: np.sort(x, axis=None), [M], distinct),
    C("partition", lambda x: np.partition(x, 1), [(2, 4)], distinct),
    C("partition-flat", lambda x: np.partition(x, 3, axis=None), [M], distinct),
    C("nan_to_num", lambda x: np.nan_to_num(x) * x, [M], prims=("nan_to_num",)),
    C("real_if_close", lambda x: np.real_if_close(x) * x, [M], prims=("real_if_close",)),
    C("linspace", lambda a, b: np.linspace(a, b, 5), [V, ()]),
    C("linspace-axis", lambda a, b: np.linspace(a, b, 4, endpoint=False, axis=-1), [V, V]),
    C("rollaxis", lambda x: np.rollaxis(x, 2), [T3]),
    C("rollaxis-start", lambda x: np.rollaxis(x, 0, 2), [T3]),
    C("moveaxis-keywords", lambda x: np.moveaxis(x, source=0, destination=2), [T3]),
    C("swapaxes-keywords", lambda x: np.swapaxes(x, axis1=0, axis2=2), [T3]),
    C("matrix_transpose", lambda x: np.matrix_transpose(x), [T3]),
    C("matrix_transpose-complex", lambda z: np.matrix_transpose(z), [M], complex_),
    C("diff", lambda x: np.diff(x), [(2, 4)]),
    C("diff-n2-axis0", lambda x: np.diff(x, n=2, axis=0), [(4, 2)]),
    C("diff-prepend-append", lambda x: np.diff(x, prepend=1.0, append=[[2.0], [3.0]]), [M]),
    C("cross", lambda a, b: np.cross(a, b), [(2, 3), (3,)]),
    C("kron", lambda a, b: np.kron(a, b), [M, (2, 2)]),
    C("kron-mixed-ndim", lambda a, b: np.kron(a, b), [V, M]),
    C("vdot", lambda a, b: np.vdot(a, b), [M, (3, 2)]),
    C("vecdot", lambda a, b: np.vecdot(a, b), [(2, 3), (4, 1, 3)]),
    C("vecdot-axis-keepdims", lambda a, b: np.vecdot(a, b, axis=0, keepdims=True), [M, (2, 1)]),
    C("vecdot-axes", lambda a, b: np.vecdot(a, b, axes=[(0,), (1,), ()]), [(3, 2), (2, 3)]),
    C("vecdot-complex", lambda a, b: np.vecdot(a, b), [M, (3,)], complex_),
    C("vecdot-real-complex", lambda a, b: np.vecdot(a, b), [M, M], [real, complex_]),
    C("vecdot-complex-real", lambda a, b: np.vecdot(a, b), [(3,), M], [complex_, real]),
    C("matvec", lambda a, v: np.matvec(a, v), [(2, 3, 4), (4,)]),
    C("matvec-broadcast", lambda a, v: np.matvec(a, v), [M, (2, 1, 3)]),
    C("matvec-axes", lambda a, v: np.matvec(a, v, axes=[(0, 2), 0, 0]), [(3, 2, 4), (4, 2)]),
    C("matvec-complex", lambda a, v: np.matvec(a, v), [(2, 2, 3), V], complex_),
    C("matvec-real-complex", lambda a, v: np.matvec(a, v), [M, V], [real, complex_]),
    C("vecmat", lambda v, a: np.vecmat(v, a), [(2, 3), (3, 4)]),
    C("vecmat-axes", lambda v, a: np.vecmat(v, a, axes=[-1, (1, 0), 0]), [(2, 3), (4, 3)]),
    C("vecmat-complex", lambda v, a: np.vecmat(v, a), [V, (2, 3, 2)], complex_),
    C("vecmat-complex-real", lambda v, a: np.vecmat(v, a), [V, (3, 4)], [complex_, real]),
    C("vecmat-real-complex", lambda v, a: np.vecmat(v, a), [V, (3, 4)], [real, complex_]),
    C("ptp", lambda x: np.ptp(x, axis=1), [(2, 4)], distinct),
    C("ptp-all", lambda x: np.ptp(x), [M], distinct),
    C("nansum", lambda x: np.nansum(x, axis=1), [(3, 3)], with_nans),
    C("nanmean", lambda x: np.nanmean(x, axis=0, keepdims=True), [(3, 3)], with_nans),
    C("nanmax", lambda x: np.nanmax(x, axis=1), [(3, 3)], with_nans),
    C("nanmin", lambda x: np.nanmin(x), [(3, 3)], with_nans),
    C("average", lambda x: np.average(x, axis=1, weights=WEIGHTS), [M]),
    C("average-plain", lambda x: np.average(x, axis=0), [M]),
    C("average-traced-weights", lambda x, w: np.average(x, 1, w), [M, V], [real, positive]),
    C("average-full-weights", lambda x, w: np.average(x, None, w), [M, M], [real, positive]),
    # returned=True: the average and the sum of the weights, both differentiated
    C(
        "average-returned",
        lambda x, w: _product(np.average(x, 1, w, returned=True)),
        [M, V],
        [real, positive],
    ),
    C("average-returned-plain", lambda x: _product(np.average(x, 0, returned=True)), [M]),
    C(
        "sum_to",
        lambda x: np.sum_to(x, (1, 3)),
        [(2, 2, 3)],
        ref=lambda x: _sum_to_ref(x, (1, 3)),
    ),
    C(
        "scatter_add",
        lambda v: np.scatter_add((4,), IDX, v),
        [(4,)],
        ref=lambda v: _scatter_add_ref((4,), IDX, v),
    ),
    C(
        "scatter_add-array-key",
        lambda v: np.scatter_add((4,), np.array(IDX), v),
        [(4,)],
        ref=lambda v: _scatter_add_ref((4,), IDX, v),
    ),
    # linear algebra --------------------------------------------------------------------------
    C("linalg.inv", lambda a: np.linalg.inv(a), [(3, 3)], wellcond),
    C(
        "linalg.cholesky",
        lambda a: np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3)),
        [(3, 3)],
    ),
    C(
        "linalg.cholesky-upper",
        lambda a: np.linalg.cholesky(a @ a.T + 3 * np.eye(3), upper=True),
        [(3, 3)],
    ),
    C(
        "linalg.cholesky-batched",
        lambda a: np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3)),
        [(2, 3, 3)],
    ),
    C("median", lambda x: np.median(x), [(3, 4)], distinct),
    C("median-axis", lambda x: np.median(x, axis=1), [(2, 3)], distinct),
    C("median-keepdims", lambda x: np.median(x, axis=0, keepdims=True), [(4, 2)], distinct),
    C("trapezoid", lambda y: np.trapezoid(y, dx=0.5), [(2, 4)]),
    C("trapezoid-x", lambda y: np.trapezoid(y, X_GRID, axis=0), [(4, 2)]),
    C("linalg.matrix_power", lambda a: np.linalg.matrix_power(a, 3), [(3, 3)], wellcond),
    C("linalg.matrix_power-negative", lambda a: np.linalg.matrix_power(a, -2), [(3, 3)], wellcond),
    C(
        "linalg.matrix_power-zero-one",
        lambda a: np.linalg.matrix_power(a, 0) + np.linalg.matrix_power(a, 1),
        [(2, 2)],
        wellcond,
    ),
    C("linalg.inv-batched", lambda a: np.linalg.inv(a), [(2, 3, 3)], wellcond),
    C("linalg.det", lambda a: np.linalg.det(a), [(3, 3)], wellcond),
    C("linalg.det-batched", lambda a: np.linalg.det(a), [(2, 2, 2)], wellcond),
    C("linalg.solve", lambda a, b: np.linalg.solve(a, b), [(3, 3), (3,)], [wellcond, real]),
    C(
        "linalg.solve-matrix",
        lambda a, b: np.linalg.solve(a, b),
        [(3, 3), (3, 2)],
        [wellcond, real],
    ),
    C(
        "linalg.solve-batched",
        lambda a, b: np.linalg.solve(a, b),
        [(2, 3, 3), (2, 3, 2)],
        [wellcond, real],
    ),
    C(
        "linalg.solve-batched-vector",
        lambda a, b: np.linalg.solve(a, b),
        [(2, 3, 3), (3,)],
        [wellcond, real],
    ),
    C("linalg.norm", lambda x: np.linalg.norm(x), [V], nonzero),
    C("linalg.norm-fro", lambda x: np.linalg.norm(x, "fro"), [M]),
    C("linalg.norm-2d", lambda x: np.linalg.norm(x), [T3]),
    C("linalg.norm-axis", lambda x: np.linalg.norm(x, axis=1), [M]),
    C("linalg.norm-axis-keepdims", lambda x: np.linalg.norm(x, 2, axis=0, keepdims=True), [M]),
    C("linalg.norm-ord2-vector", lambda x: np.linalg.norm(x, ord=2), [V]),
    # complex numbers: d/dx - i d/dy (HIPS autograd's and JAX's convention) -----------------
    C("absolute-complex", lambda z: np.abs(z), [M], complex_),
    C("sign-complex", lambda z: np.sign(z), [M], complex_),
    C("angle", lambda z: np.angle(z), [M], complex_),
    C("angle-deg", lambda z: np.angle(z, deg=True), [V], complex_),
    C("angle-real", lambda x: np.angle(x) * x, [M], nonzero, prims=("angle", "multiply")),
    C("real-complex", lambda z: np.real(z), [M], complex_),
    C("imag", lambda z: np.imag(z), [M], complex_),
    C("imag-real", lambda x: np.imag(x) + x, [M], prims=("imag", "add")),
    C("conjugate-complex", lambda z: np.conj(z), [M], complex_),
    C(
        "astype-complex-round-trip",
        lambda x: np.abs(np.astype(x, np.complex128) * (1 + 2j)),
        [M],
        nonzero,
        prims=("astype", "multiply", "absolute"),
    ),
    C(
        "multiply-real-complex",
        lambda x, z: x * z,
        [M, V],
        [real, complex_],
    ),
    C("divide-complex", lambda x, y: x / y, [M, V], complex_),
    C("power-complex", lambda x, y: x**y, [M, M], complex_),
    C("power-complex-scalar", lambda z: z**2.5 + 1.5**z, [M], complex_, prims=("power",)),
    C("exp-complex", lambda z: np.exp(z), [M], complex_),
    C("log-complex", lambda z: np.log(z), [M], complex_),
    C("sqrt-complex", lambda z: np.sqrt(z), [M], complex_),
    C("arccosh-complex", lambda z: np.arccosh(z), [M], complex_),
    C("where-real-complex", lambda x, z: np.where(COND, x, z), [M, M], [real, complex_]),
    C(
        "concatenate-real-complex",
        lambda x, z: np.concatenate([x, z]),
        [M, (1, 3)],
        [real, complex_],
    ),
    C("stack-real-complex", lambda x, z: np.stack([x, z]), [M, M], [real, complex_]),
    C("sum-complex", lambda z: np.sum(z, axis=1), [M], complex_),
    C("mean-complex", lambda z: np.mean(z), [M], complex_),
    C("prod-complex", lambda z: np.prod(z, axis=0), [M], complex_),
    C("cumsum-complex", lambda z: np.cumsum(z, axis=1), [M], complex_),
    C("cumprod-complex", lambda z: np.cumprod(z), [M], complex_),
    C("var-complex", lambda z: np.var(z), [M], complex_),
    C("var-complex-axis-ddof", lambda z: np.var(z, axis=1, ddof=1), [M], complex_),
    C("std-complex", lambda z: np.std(z), [M], complex_),
    C("std-complex-axis", lambda z: np.std(z, axis=0, keepdims=True), [(3, 2)], complex_),
    C("dot-complex", lambda a, b: np.dot(a, b), [M, (3, 2)], complex_),
    C("dot-real-complex", lambda a, b: np.dot(a, b), [M, V], [real, complex_]),
    C("matmul-complex", lambda a, b: a @ b, [(2, 2, 3), (3, 2)], complex_),
    C("matmul-complex-real", lambda a, b: a @ b, [M, (3, 2)], [complex_, real]),
    C(
        "matmul-axes-complex",
        lambda a, b: np.matmul(a, b, axes=[(1, 0), (0, 1), (1, 0)]),
        [(3, 2), (3, 4)],
        [complex_, real],
    ),
    C("tensordot-complex", lambda a, b: np.tensordot(a, b, axes=1), [M, (3, 2)], complex_),
    C(
        "einsum-complex",
        lambda a, b: np.einsum("ij,jk->ik", a, b),
        [M, (3, 2)],
        [real, complex_],
    ),
    C("inner-complex", lambda a, b: np.inner(a, b), [M, (2, 3)], complex_),
    C("outer-complex", lambda a, b: np.outer(a, b), [V, (2,)], [complex_, real]),
    C("kron-complex", lambda a, b: np.kron(a, b), [(2,), V], [real, complex_]),
    C("cross-complex", lambda a, b: np.cross(a, b), [(2, 3), (3,)], [complex_, real]),
    C("vdot-complex", lambda a, b: np.vdot(a, b), [M, (3, 2)], complex_),
    C("vdot-real-complex", lambda a, b: np.vdot(a, b), [V, V], [real, complex_]),
    C("vdot-complex-real", lambda a, b: np.vdot(a, b), [V, V], [complex_, real]),
    C("linalg.norm-complex", lambda z: np.linalg.norm(z), [M], complex_),
    C("linalg.norm-complex-axis", lambda z: np.linalg.norm(z, axis=1), [M], complex_),
    C("linalg.inv-complex", lambda a: np.linalg.inv(a), [(3, 3)], complex_wellcond),
    C("linalg.det-complex", lambda a: np.linalg.det(a), [(2, 3, 3)], complex_wellcond),
    C(
        "linalg.solve-complex",
        lambda a, b: np.linalg.solve(a, b),
        [(3, 3), (3, 2)],
        [complex_wellcond, complex_],
    ),
    C(
        "linalg.solve-real-complex",
        lambda a, b: np.linalg.solve(a, b),
        [(3, 3), (3,)],
        [wellcond, complex_],
    ),
    C(
        "linalg.cholesky-complex",
        lambda a: np.linalg.cholesky(a @ np.conj(np.swapaxes(a, -1, -2)) + 3 * np.eye(3)),
        [(2, 3, 3)],
        complex_,
    ),
    C(
        "linalg.cholesky-complex-upper",
        lambda a: np.linalg.cholesky(a @ np.conj(a.T) + 3 * np.eye(3), upper=True),
        [(3, 3)],
        complex_,
    ),
    C(
        "linalg.matrix_power-complex",
        lambda a: np.linalg.matrix_power(a, -2),
        [(3, 3)],
        complex_wellcond,
    ),
]


#: differentiable primitives that no case lists, and why. Only softmax_output: even the rules'
#: own helpers (sum_to, scatter_add) have direct cases, and indexing has more in test_indexing.py.
UNCOVERED: dict[str, str] = {
    # MinPy's fused softmax + cross-entropy: its rule is by design not the derivative of its
    # output, so finite differences cannot check it; test_minpy_extras.py checks the formula
    "softmax_output": "rule is (probs - label) / N, ignoring g (MinPy's SoftmaxOutput)",
    # takes a callable and needs tight solver tolerances: tests/scipy/test_integrate.py
    "scipy.integrate.odeint": "a callable argument; checked in tests/scipy/test_integrate.py",
}

# the cases of whole topics kept in modules of their own
from tests.numpy import optable_assembly, optable_fft, optable_linalg, optable_poly  # noqa: E402

CASES += optable_fft.CASES + optable_linalg.CASES + optable_assembly.CASES + optable_poly.CASES
from tests.scipy import optable_scipy_linalg, optable_special, optable_stats  # noqa: E402

CASES += optable_special.CASES + optable_stats.CASES + optable_scipy_linalg.CASES
