"""Randomized property tests (hypothesis): ``minpy.numpy`` against NumPy on the same inputs.

Each case is one function of a namespace ``xp`` run twice, with ``minpy.numpy`` on the test's
device and with ``numpy`` on host copies (the CuPy-testing style). The results must agree in
value, dtype and shape, be minpy Arrays on that device, and an exception must be of NumPy's
class (its nearest public one: ``TypeError`` for NumPy's private ufunc errors) or a subclass.
In-place updates (``a op= b`` seen through views taken before, ``a[idx] op= b`` for basic and
advanced keys) must leave every array as NumPy leaves it.

Inputs: shapes of 0 to 3 axes with sides 0 to 4 (0-d, empty and size-1 axes included),
float64, float32, int64, bool and complex128, broadcasting and non-broadcasting pairs, Python
scalars as weak operands. The number of examples comes from the hypothesis profile registered in
the repository's ``conftest.py`` (``ci`` by default, ``--hypothesis-profile=long``).
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable
from typing import Any

import numpy
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minpy
import minpy.numpy as np
from minpy.array import Array

# the ``device`` fixture only sets the context, the same for every example of a test
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

Fun = Callable[..., Any]

# --------------------------------------------------------------------------------------------
# inputs

DTYPES = [numpy.float64, numpy.float32, numpy.int64, numpy.bool_, numpy.complex128]
SPECIAL = [0.0, -0.0, 0.5, 1.0, -1.0, numpy.inf, -numpy.inf, numpy.nan]


def elements(dtype: Any) -> st.SearchStrategy[Any]:
    """Small values of ``dtype``, with zeros, ones, infinities and NaN for floats."""
    kind = numpy.dtype(dtype).kind
    if kind == "f":
        width = 8 * numpy.dtype(dtype).itemsize
        return st.one_of(st.floats(-5, 5, width=width), st.sampled_from(SPECIAL))
    if kind == "c":
        return st.complex_numbers(max_magnitude=5, allow_nan=False, allow_infinity=False)
    if kind == "b":
        return st.booleans()
    return st.integers(-5, 5)


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
PAIRS = st.one_of(
    hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4).map(
        lambda s: s.input_shapes
    ),
    st.tuples(SHAPES, SHAPES),  # mostly not broadcastable: the errors must match too
)


@st.composite
def arrays(draw: Any, shape: Any = SHAPES, dtypes: Any = None) -> Any:
    """A host array of a random dtype and ``shape`` (a strategy or a fixed shape)."""
    dtype = draw(st.sampled_from(dtypes or DTYPES))
    shape = draw(shape) if isinstance(shape, st.SearchStrategy) else shape
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype)))


# Python bool, int, float and complex: NumPy's weak operands
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -2.0, 0.0, numpy.inf]),
    st.sampled_from([1j, 2 - 0.5j]),
)


@st.composite
def operand(draw: Any, shape: Any) -> Any:
    """A host array broadcastable to ``shape`` (or not), or a Python scalar."""
    kind = draw(st.sampled_from(["array", "array", "scalar", "any"]))
    if kind == "scalar":
        return draw(SCALARS)
    if kind == "any":
        return draw(arrays())
    return draw(arrays(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=3, max_side=4)))


def axes(ndim: int, tuples: bool = True) -> st.SearchStrategy[Any]:
    """``None``, an axis (one past either end included), or a tuple of axes."""
    one = st.integers(-ndim - 1, ndim)
    if not tuples:
        return st.one_of(st.none(), one)
    many = st.lists(st.integers(-ndim - 1, ndim), max_size=ndim + 1).map(tuple)
    return st.one_of(st.none(), one, many)


# --------------------------------------------------------------------------------------------
# running one case both ways and comparing


def _public(cls: type) -> type:
    """The first class in ``cls``'s MRO that a user can name (builtins or NumPy's public)."""
    for c in cls.__mro__:
        if c.__module__ == "builtins":
            return c
        for home in (numpy, numpy.exceptions, numpy.linalg):
            if getattr(home, c.__name__, None) is c:
                return c
    return cls


def _run(fun: Fun, xp: Any, args: tuple[Any, ...], strict: bool = True) -> tuple[Any, Any]:
    """``(result, None)`` or ``(None, exception)``; with ``strict`` warnings are raised."""
    with warnings.catch_warnings(), numpy.errstate(all="ignore"):
        warnings.simplefilter("error" if strict else "ignore")
        try:
            return fun(xp, *args), None
        except Exception as e:  # any exception: compared with NumPy's
            return None, e


def to_device(x: Any, device: minpy.Device) -> Any:
    return np.array(x, device=device) if isinstance(x, numpy.ndarray) else x


def assert_same_result(got: Any, want: Any, device: minpy.Device, what: str = "result") -> None:
    """``got`` (minpy) is NumPy's ``want``: Arrays on ``device``, same shape, dtype, values."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"{what}: minpy gives {got!r}, NumPy a sequence"
        assert len(got) == len(want), f"{what}: {len(got)} results, NumPy {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same_result(g, w, device, f"{what}[{i}]")
        return
    want = numpy.asarray(want)
    assert isinstance(got, Array), f"{what}: minpy gives {type(got).__name__} {got!r}"
    assert got.device == device, f"{what}: on {got.device}, expected {device}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, NumPy {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, NumPy {want.dtype}"
    host = numpy.asarray(got.asnumpy())
    if want.dtype.kind in "fc":
        tol = 1e-13 if numpy.finfo(want.dtype).eps < 1e-10 else 1e-6  # other backends' ulps
        numpy.testing.assert_allclose(host, want, rtol=tol, atol=tol, equal_nan=True, err_msg=what)
    else:
        numpy.testing.assert_array_equal(host, want, err_msg=what)


def assert_same_error(got: BaseException | None, want: BaseException, what: str) -> None:
    cls = _public(type(want))
    assert got is not None, f"{what}: NumPy raises {type(want).__name__}({want}), minpy does not"
    assert isinstance(got, cls), (
        f"{what}: minpy raises {type(got).__name__}({got}), NumPy {type(want).__name__}({want})"
    )


def assert_like_numpy(fun: Fun, host: tuple[Any, ...], device: minpy.Device) -> None:
    """``fun(minpy.numpy, *args)`` behaves like ``fun(numpy, *host)``.

    A warning that NumPy raises (``Mean of empty slice``, ``ComplexWarning``) may be raised by
    minpy too; otherwise minpy's result must be NumPy's with warnings ignored.
    """
    args = tuple(to_device(h, device) for h in host)
    want, werr = _run(fun, numpy, tuple(numpy.copy(h) if hasattr(h, "shape") else h for h in host))
    got, gerr = _run(fun, np, args)
    note(f"NumPy: {want!r} {werr!r}; minpy: {got!r} {gerr!r}")
    if isinstance(werr, Warning):
        if gerr is not None:
            assert_same_error(gerr, werr, "warning")
            return
        want, werr = _run(fun, numpy, host, strict=False)
    if werr is not None:
        assert_same_error(gerr, werr, "call")
        return
    if gerr is not None:
        raise AssertionError(f"minpy raises {type(gerr).__name__}({gerr}); NumPy gives {want!r}")
    assert_same_result(got, want, device)


# --------------------------------------------------------------------------------------------
# elementwise: ufuncs, operators, methods


def _call(name: str) -> Fun:
    return lambda xp, *a: getattr(xp, name)(*a)


def _infix(op: Fun) -> Fun:
    return lambda xp, a, b: op(a, b)


def _named(names: list[str]) -> dict[str, Fun]:
    return {n: _call(n) for n in names}


UNARY: dict[str, Fun] = {
    **_named(
        "negative positive absolute fabs sign exp exp2 expm1 log log2 log10 log1p sqrt cbrt "
        "square reciprocal sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh "
        "arctanh degrees radians floor ceil trunc rint round fix conj real imag angle isnan "
        "isinf isfinite signbit logical_not invert sinc nan_to_num ravel copy".split()
    ),
    "-a": lambda xp, a: -a,
    "+a": lambda xp, a: +a,
    "~a": lambda xp, a: ~a,
    "abs(a)": lambda xp, a: abs(a),
    "a.conj()": lambda xp, a: a.conj(),
    "a.real": lambda xp, a: a.real,
    "a.imag": lambda xp, a: a.imag,
    "a.T": lambda xp, a: a.T,
    "a.mT": lambda xp, a: a.mT,
    "a.conjugate()": lambda xp, a: a.conjugate(),
    "a.round(1)": lambda xp, a: a.round(1),
    "a.clip(-1, 2)": lambda xp, a: a.clip(-1, 2),
    "a.argsort()": lambda xp, a: a.argsort(),
    "a.ravel()": lambda xp, a: a.ravel(),
    "a.squeeze()": lambda xp, a: a.squeeze(),
    "a.tolist()": lambda xp, a: xp.asarray(a.tolist(), dtype=a.dtype),
    "a.item() (size 1)": lambda xp, a: xp.asarray(a.item()),
    "clip(a, -1, 2)": lambda xp, a: xp.clip(a, -1, 2),
    "a.astype(float32)": lambda xp, a: a.astype(xp.float32),
    "a.astype(int64)": lambda xp, a: a.astype(xp.int64),
    "a ** 2": lambda xp, a: a**2,
    "2 ** a": lambda xp, a: 2**a,
    "1.5 - a": lambda xp, a: 1.5 - a,
    "a / 2": lambda xp, a: a / 2,
}

BINARY: dict[str, Fun] = {
    **_named(
        "add subtract multiply divide true_divide floor_divide remainder mod fmod power "
        "float_power maximum minimum fmax fmin arctan2 hypot copysign logaddexp equal not_equal "
        "less less_equal greater greater_equal logical_and logical_or logical_xor bitwise_and "
        "bitwise_or bitwise_xor left_shift right_shift divmod heaviside nextafter ldexp".split()
    ),
    **{
        f"a {s} b": _infix(f)
        for s, f in [
            ("+", operator.add),
            ("-", operator.sub),
            ("*", operator.mul),
            ("/", operator.truediv),
            ("//", operator.floordiv),
            ("%", operator.mod),
            ("**", operator.pow),
            ("==", operator.eq),
            ("!=", operator.ne),
            ("<", operator.lt),
            (">=", operator.ge),
            ("&", operator.and_),
            ("|", operator.or_),
            ("^", operator.xor),
        ]
    },
    "b - a": lambda xp, a, b: b - a,
    "b / a": lambda xp, a, b: b / a,
    "b ** a": lambda xp, a, b: b**a,
    "where(a > 0, a, b)": lambda xp, a, b: xp.where(xp.real(a) > 0, a, b),
}


@FIXTURE_OK
@given(st.sampled_from(sorted(UNARY)), arrays())
def test_unary_matches_numpy(device, name, a):
    assert_like_numpy(UNARY[name], (a,), device)


@FIXTURE_OK
@given(st.sampled_from(sorted(BINARY)), st.data())
def test_binary_matches_numpy(device, name, data):
    sa, sb = data.draw(PAIRS)
    a = data.draw(arrays(sa))
    b = data.draw(st.one_of(arrays(sb), SCALARS))
    first = data.draw(st.booleans(), label="array first")
    args = (a, b) if first or not numpy.isscalar(b) else (b, a)
    assert_like_numpy(BINARY[name], args, device)


# --------------------------------------------------------------------------------------------
# reductions and scans

REDUCTIONS = (
    "sum prod mean std var max min amax amin ptp any all nansum nanmean nanmax median "
    "count_nonzero".split()
)
SCANS = "cumsum cumprod argmax argmin".split()  # an axis or None, no keepdims
METHODS = "sum prod mean std var max min any all".split()


@FIXTURE_OK
@given(st.data())
def test_reduction_matches_numpy(device, data):
    a = data.draw(arrays())
    form = data.draw(st.sampled_from(["function", "method", "scan", "scan method"]))
    if form.startswith("scan"):
        name = data.draw(st.sampled_from(SCANS))
        axis = data.draw(axes(a.ndim, tuples=False))
        if form == "scan":
            fun = lambda xp, a: getattr(xp, name)(a, axis=axis)
        else:
            fun = lambda xp, a: getattr(a, name)(axis=axis)
    else:
        name = data.draw(st.sampled_from(REDUCTIONS if form == "function" else METHODS))
        axis = data.draw(axes(a.ndim))
        keepdims = data.draw(st.booleans())
        if form == "function":
            fun = lambda xp, a: getattr(xp, name)(a, axis=axis, keepdims=keepdims)
        else:
            fun = lambda xp, a: getattr(a, name)(axis=axis, keepdims=keepdims)
    assert_like_numpy(fun, (a,), device)


# --------------------------------------------------------------------------------------------
# shapes


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0] or [0, 1, 2]


@st.composite
def new_shape(draw: Any, size: int) -> tuple[int, ...]:
    """A shape of ``size`` elements (sometimes with -1, sometimes of the wrong size)."""
    dims, rest = [], size
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from(_divisors(rest)))
        dims.append(d)
        rest = rest // d if d else rest
    dims.append(rest)
    dims = draw(st.permutations(dims))
    if draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    if draw(st.integers(0, 9)) == 0:
        dims.append(2)  # the wrong size (or a second -1 ambiguity)
    return tuple(dims)


@st.composite
def shape_case(draw: Any, shape: tuple[int, ...]) -> tuple[str, Fun]:
    """One shape function with arguments fitting (or not quite fitting) ``shape``."""
    n = len(shape)
    ax = st.integers(-n - 1, n)
    name = draw(
        st.sampled_from(
            "reshape a.reshape transpose swapaxes moveaxis squeeze expand_dims flip roll "
            "broadcast_to tile repeat atleast_2d atleast_3d diagonal a.flatten".split()
        )
    )
    if name in ("reshape", "a.reshape"):
        s = draw(new_shape(int(numpy.prod(shape))))
        if name == "reshape":
            return f"reshape(a, {s})", lambda xp, a: xp.reshape(a, s)
        return f"a.reshape{s}", lambda xp, a: a.reshape(*s) if s else a.reshape(())
    if name == "transpose":
        p = draw(st.one_of(st.none(), st.permutations(range(n)).map(tuple)))
        return f"transpose(a, {p})", lambda xp, a: xp.transpose(a, p)
    if name == "swapaxes":
        i, j = draw(ax), draw(ax)
        return f"swapaxes(a, {i}, {j})", lambda xp, a: xp.swapaxes(a, i, j)
    if name == "moveaxis":
        i, j = draw(ax), draw(ax)
        return f"moveaxis(a, {i}, {j})", lambda xp, a: xp.moveaxis(a, i, j)
    if name == "squeeze":
        i = draw(axes(n))
        return f"squeeze(a, {i})", lambda xp, a: xp.squeeze(a, axis=i)
    if name == "expand_dims":
        i = draw(st.integers(-n - 2, n + 1))
        return f"expand_dims(a, {i})", lambda xp, a: xp.expand_dims(a, i)
    if name == "flip":
        i = draw(axes(n))
        return f"flip(a, {i})", lambda xp, a: xp.flip(a, axis=i)
    if name == "roll":
        k, i = draw(st.integers(-5, 5)), draw(axes(n))
        return f"roll(a, {k}, {i})", lambda xp, a: xp.roll(a, k, axis=i)
    if name == "broadcast_to":
        s = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
        if draw(st.booleans()):
            s = (*draw(hnp.array_shapes(min_dims=0, max_dims=1, max_side=3)), *shape)
        return f"broadcast_to(a, {s})", lambda xp, a: xp.broadcast_to(a, s)
    if name == "tile":
        r = draw(st.lists(st.integers(0, 3), max_size=4).map(tuple))
        return f"tile(a, {r})", lambda xp, a: xp.tile(a, r)
    if name == "repeat":
        r, i = draw(st.integers(0, 3)), draw(axes(n, tuples=False))
        return f"repeat(a, {r}, {i})", lambda xp, a: xp.repeat(a, r, axis=i)
    if name == "diagonal":
        k, i, j = draw(st.integers(-2, 2)), draw(ax), draw(ax)
        return f"diagonal(a, {k}, {i}, {j})", lambda xp, a: xp.diagonal(a, k, i, j)
    if name == "a.flatten":
        return name, lambda xp, a: a.flatten()
    return f"{name}(a)", lambda xp, a: getattr(xp, name)(a)


@FIXTURE_OK
@given(arrays(), st.data())
def test_shape_function_matches_numpy(device, a, data):
    what, fun = data.draw(shape_case(a.shape), label="case")
    note(what)
    assert_like_numpy(fun, (a,), device)


JOINS: dict[str, Fun] = {
    "concatenate": lambda xp, a, b, ax: xp.concatenate([a, b], axis=ax),
    "stack": lambda xp, a, b, ax: xp.stack([a, b], axis=ax),
    "matmul": lambda xp, a, b, ax: xp.matmul(a, b),
    "a @ b": lambda xp, a, b, ax: a @ b,
    "dot": lambda xp, a, b, ax: xp.dot(a, b),
    "outer": lambda xp, a, b, ax: xp.outer(a, b),
    "broadcast_arrays": lambda xp, a, b, ax: xp.broadcast_arrays(a, b),
}


@FIXTURE_OK
@given(st.sampled_from(sorted(JOINS)), st.data())
def test_two_array_function_matches_numpy(device, name, data):
    sa = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    sb = data.draw(st.one_of(st.just(sa), st.just(sa[::-1]), SHAPES))
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    ax = data.draw(axes(a.ndim + 1, tuples=False))
    assert_like_numpy(lambda xp, a, b: JOINS[name](xp, a, b, ax), (a, b), device)


# --------------------------------------------------------------------------------------------
# indexing


@st.composite
def positions(draw: Any, side: int, arrays: bool = True) -> Any:
    """Integer positions along an axis of ``side`` (repeats and negatives; one time in ten,
    or on an empty axis, one past either end), as an array, a list or an int."""
    wide = side == 0 or draw(st.integers(0, 9)) == 0
    ints = st.integers(-side - 1, side) if wide else st.integers(-side, side - 1)
    if not arrays:
        return draw(ints)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    return draw(st.one_of(hnp.arrays(numpy.int64, shape, elements=ints), st.lists(ints)))


@st.composite
def index(draw: Any, shape: tuple[int, ...]) -> Any:
    """A basic key, integer positions, a boolean mask, or positions mixed with slices and ints."""
    n = len(shape)
    kind = draw(st.sampled_from(["basic", "basic", "ints", "mask", "mixed"]))
    if kind == "basic" or n == 0:
        return draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    if kind == "ints":
        return draw(positions(shape[0]))
    if kind == "mask":
        return draw(hnp.arrays(numpy.bool_, shape[: draw(st.integers(1, n))]))
    i = draw(st.integers(0, n - 1))
    key: list[Any] = [slice(None)] * n
    key[i] = draw(positions(shape[i]))
    if n > 1 and draw(st.booleans()):
        j = (i + 1) % n
        key[j] = draw(positions(shape[j], arrays=draw(st.booleans())))
    return tuple(key)


@FIXTURE_OK
@given(arrays(), st.data())
def test_getitem_matches_numpy(device, a, data):
    key = data.draw(index(a.shape), label="key")
    assert_like_numpy(lambda xp, a: a[key], (a,), device)


@FIXTURE_OK
@given(arrays(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)), st.data())
def test_take_matches_numpy(device, a, data):
    i = data.draw(
        hnp.arrays(
            numpy.int64,
            hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
            elements=st.integers(-4, 4),
        )
    )
    ax = data.draw(axes(a.ndim, tuples=False))
    assert_like_numpy(lambda xp, a: xp.take(a, i, axis=ax), (a,), device)


# --------------------------------------------------------------------------------------------
# in place: through views, and a[idx] op= b

INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


def _state(xp: Any, arrays: list[Any], err: Any) -> tuple[list[Any], Any]:
    return [xp.asarray(x) for x in arrays], err


@FIXTURE_OK
@given(arrays(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)), st.data())
def test_inplace_is_seen_through_views(device, a, data):
    vkey = data.draw(hnp.basic_indices(a.shape, min_dims=0, allow_ellipsis=True), label="view")
    op = data.draw(st.sampled_from(sorted(INPLACE)), label="op")
    target = data.draw(st.sampled_from(["base", "view"]), label="updated")
    tshape = a.shape if target == "base" else numpy.shape(a[vkey])
    b = data.draw(operand(tshape), label="b")

    def scenario(xp: Any, a: Any, b: Any) -> Any:
        v = a[vkey]
        err = None
        try:
            if target == "base":
                a = INPLACE[op](a, b)  # exactly what `a op= b` runs
            else:
                v = INPLACE[op](v, b)
        except Exception as e:  # compared with NumPy's
            err = e
        return _state(xp, [a, v], err)

    _compare_states(scenario, a, b, device)


@FIXTURE_OK
@given(arrays(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)), st.data())
def test_setitem_op_matches_numpy(device, a, data):
    key = data.draw(index(a.shape), label="key")
    vkey = data.draw(hnp.basic_indices(a.shape, min_dims=0, allow_ellipsis=True), label="view")
    op = data.draw(st.sampled_from(["=", *sorted(INPLACE)]), label="op")
    try:
        tshape = numpy.shape(a[key])
    except IndexError:
        tshape = ()
    b = data.draw(operand(tshape), label="b")

    def scenario(xp: Any, a: Any, b: Any) -> Any:
        v = a[vkey]
        err = None
        try:
            if op == "=":
                a[key] = b
            else:
                a[key] = INPLACE[op](a[key], b)  # exactly what `a[key] op= b` runs
        except Exception as e:  # compared with NumPy's
            err = e
        return _state(xp, [a, v], err)

    _compare_states(scenario, a, b, device)


def _compare_states(scenario: Fun, a: Any, b: Any, device: minpy.Device) -> None:
    """The arrays ``scenario`` returns, and the exception it caught, are NumPy's."""

    def host(strict: bool) -> Any:
        return _run(
            scenario, numpy, (a.copy(), numpy.copy(b) if hasattr(b, "shape") else b), strict
        )

    (want_arrays, werr), _ = host(strict=True)
    got, gerr = _run(scenario, np, (to_device(a, device), to_device(b, device)))
    assert gerr is None, f"minpy fails outside the update: {gerr!r}"
    got_arrays, err = got
    note(f"NumPy: {want_arrays!r} {werr!r}; minpy: {got_arrays!r} {err!r}")
    if isinstance(werr, Warning) and err is None:  # NumPy warns (ComplexWarning), minpy not
        (want_arrays, werr), _ = host(strict=False)
    if werr is not None:
        assert_same_error(err, werr, "update")
    elif err is not None:
        raise AssertionError(f"minpy raises {type(err).__name__}({err}); NumPy does not")
    assert_same_result(got_arrays[0], want_arrays[0], device, "base after the update")
    assert_same_result(got_arrays[1], want_arrays[1], device, "view taken before the update")
