"""The NumPy-like namespace: ``import minpy.numpy as np``.

Every public NumPy function is here as a Primitive that runs on its inputs' device; those with
a rule in ``minpy.numpy.vjps`` are differentiable. A handful are written here in minpy
operations (``array``, ``hstack``, ``split``, ...), so they are differentiable for free.
``select``, ``r_`` and ``c_`` come from ``_assembly``; the in-place writers (``copyto``,
``put``, ...) from ``_writers``.
``random``, ``linalg`` and ``fft`` are minpy's own submodules. MinPy's additions: ``onehot_encode``,
``softmax_output``, ``sigmoid``, ``slice_axis``, ``policy``; ``record_op_stat``,
``show_op_stat`` and ``set_policy`` come from ``_opstat``.
"""

from __future__ import annotations

import builtins as _builtins
import operator
from collections.abc import Sequence
from typing import Any

import numpy as _numpy

from minpy import dispatch as _dispatch  # noqa: F401  (installs how primitives run)
from minpy import policy as _policy
from minpy import watch as _watch
from minpy.array import Array, wrap
from minpy.context import Device, as_device, current_context
from minpy.inplace import SCALAR
from minpy.numpy import _opstat
from minpy.numpy._opstat import record_op_stat, set_policy, show_op_stat  # noqa: F401
from minpy.numpy._wrapping import wrap_namespace
from minpy.primitive import Primitive
from minpy.primitive import numpy_functions as _numpy_functions
from minpy.transfer import adopt

_OWN = frozenset(
    {
        "array",
        "asarray",
        "asanyarray",
        "ascontiguousarray",
        "concatenate",
        "stack",
        "hstack",
        "vstack",
        "dstack",
        "column_stack",
        "row_stack",
        "split",
        "array_split",
        "hsplit",
        "vsplit",
        "dsplit",
        "atleast_1d",
        "atleast_2d",
        "atleast_3d",
        "ndarray",
        "append",
        "select",
        "r_",
        "c_",
    }
)
# From here on NumPy's any, all, sum, max, min, round, abs, divmod, pow and bool shadow
# Python's builtins in this module; use _builtins.<name> for those.
_names = wrap_namespace(_numpy, skip=_OWN)
globals().update(_names)

ndarray = Array

# --------------------------------------------------------------------------------------------
# primitives that are not NumPy functions: indexing and the helpers of the gradient rules


def _setitem(x: Any, key: Any, value: Any) -> Any:
    y = x.copy()
    y[key] = value
    return y


def _sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    gshape = g.shape
    lead = len(gshape) - len(shape)
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and gshape[i + lead] != 1:
            axes.append(i + lead)
    if axes:
        g = g.sum(axis=tuple(axes), keepdims=True)
    return g.reshape(shape) if lead or g.shape != shape else g


def _scatter_add(shape: tuple[int, ...], key: Any, g: Any) -> Any:
    raise NotImplementedError("scatter_add needs a backend override")


getitem: Primitive = Primitive("getitem", impl=operator.getitem)  # views: Array.__getitem__
setitem: Primitive = Primitive("setitem", impl=_setitem)
sum_to: Primitive = Primitive("sum_to", impl=_sum_to)
scatter_add: Primitive = Primitive("scatter_add", impl=_scatter_add)
astype: Primitive = _names.get("astype") or Primitive("astype")
astype.impl = lambda x, dtype, **kw: x.astype(dtype, **kw)
_concat: Primitive = Primitive("concatenate", pack=True, doc=_numpy.concatenate.__doc__)
_stack: Primitive = Primitive("stack", pack=True, doc=_numpy.stack.__doc__)
# the primitives that the functions below are written in
expand_dims: Any = _names["expand_dims"]
ravel: Any = _names["ravel"]
reshape: Any = _names["reshape"]

# --------------------------------------------------------------------------------------------
# creation from data


def _device_of(device: Device | None, ctx: Device | None) -> Device:
    d = device if device is not None else ctx
    return current_context() if d is None else as_device(d)


def _holds_array(obj: Any) -> bool:
    return isinstance(obj, (list, tuple)) and _builtins.any(
        isinstance(o, Array) or _holds_array(o) for o in obj
    )


def array(
    object: Any,
    dtype: Any = None,
    *,
    copy: bool | None = True,
    ndmin: int = 0,
    device: Device | None = None,
    ctx: Device | None = None,
) -> Array:
    """An Array from ``object`` on ``device`` (default: the current context).

    Lists of Arrays are stacked (differentiably). See ``numpy.array``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.array([1, 2, 3])
    array([1, 2, 3])
    >>> np.array([[1.0, 2.0]], dtype=np.float32).dtype
    dtype('float32')
    """
    target = None if device is None and ctx is None else _device_of(device, ctx)
    if isinstance(object, Array):
        x = object if target is None else object.to_device(target)
        if dtype is not None and x.dtype != _numpy.dtype(dtype):
            x = x.astype(dtype)
        elif (copy or x._state is SCALAR) and x is object:
            x = x.copy()  # (a NumPy scalar's array is a new, writable one: asarray copies it)
        while x.ndim < ndmin:
            x = expand_dims(x, 0)
        return x
    if _holds_array(object):
        x = stack([array(o, device=target) for o in object])
        return array(x, dtype, copy=False, ndmin=ndmin)
    dev = _device_of(device, ctx)
    host = (
        _watch.run(_numpy.array, object, dtype=dtype, copy=copy, ndmin=ndmin)
        if dev.kind == "cpu"
        else _numpy.asarray(object, dtype=dtype)
    )
    if dev.kind == "cpu":
        res = wrap(host, dev)
        _watch.made(res)
        return res
    while host.ndim < ndmin:
        host = host[None]
    return wrap(adopt(host, dev), dev)


def asarray(
    a: Any, dtype: Any = None, *, device: Device | None = None, ctx: Device | None = None
) -> Array:
    """``a`` as an Array, without a copy where it already is one. See ``numpy.asarray``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> x = np.ones(2)
    >>> np.asarray(x) is x
    True
    """
    return array(a, dtype, copy=None, device=device, ctx=ctx)  # None: copy only if needed


asanyarray = ascontiguousarray = asarray

# --------------------------------------------------------------------------------------------
# joining and splitting, written in differentiable primitives


def concatenate(arrays: Sequence[Any], axis: int | None = 0, **kwargs: Any) -> Array:
    """Join arrays along an existing axis (``None``: flattened). See ``numpy.concatenate``."""
    if axis is None:
        return _concat(*[ravel(a) for a in arrays], axis=0, **kwargs)  # type: ignore[no-any-return]
    return _concat(*arrays, axis=axis, **kwargs)  # type: ignore[no-any-return]


def stack(arrays: Sequence[Any], axis: int = 0, **kwargs: Any) -> Array:
    """Join arrays along a new axis. See ``numpy.stack``."""
    return _stack(*arrays, axis=axis, **kwargs)  # type: ignore[no-any-return]


def atleast_1d(*arys: Any) -> Any:
    """Views with at least one dimension. See ``numpy.atleast_1d``."""
    res = [a if asarray(a).ndim >= 1 else reshape(a, (1,)) for a in map(asarray, arys)]
    return res[0] if len(res) == 1 else res


def atleast_2d(*arys: Any) -> Any:
    """Views with at least two dimensions. See ``numpy.atleast_2d``."""
    res = []
    for a in map(asarray, arys):
        res.append(a if a.ndim >= 2 else reshape(a, (1,) * (2 - a.ndim) + a.shape))
    return res[0] if len(res) == 1 else res


def atleast_3d(*arys: Any) -> Any:
    """Views with at least three dimensions. See ``numpy.atleast_3d``."""
    res = []
    for a in map(asarray, arys):
        if a.ndim == 0:
            a = reshape(a, (1, 1, 1))
        elif a.ndim == 1:
            a = reshape(a, (1, a.shape[0], 1))
        elif a.ndim == 2:
            a = reshape(a, a.shape + (1,))
        res.append(a)
    return res[0] if len(res) == 1 else res


def hstack(tup: Sequence[Any], **kwargs: Any) -> Array:
    """Stack horizontally. See ``numpy.hstack``."""
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, axis=0 if arrs and arrs[0].ndim == 1 else 1, **kwargs)


def vstack(tup: Sequence[Any], **kwargs: Any) -> Array:
    """Stack vertically. See ``numpy.vstack``."""
    return concatenate([atleast_2d(a) for a in tup], axis=0, **kwargs)


row_stack = vstack


def dstack(tup: Sequence[Any]) -> Array:
    """Stack along the third axis. See ``numpy.dstack``."""
    return concatenate([atleast_3d(a) for a in tup], axis=2)


def column_stack(tup: Sequence[Any]) -> Array:
    """Stack 1-D arrays as columns. See ``numpy.column_stack``."""
    cols = []
    for a in map(asarray, tup):
        cols.append(reshape(a, (-1, 1)) if a.ndim < 2 else a)  # 0-d: one row, as NumPy's
    return concatenate(cols, axis=1)


def append(arr: Any, values: Any, axis: int | None = None) -> Array:
    """Append values to the end of an array. See ``numpy.append``."""
    return concatenate([asarray(arr), asarray(values)], axis=axis)


def _bound(i: Any, fn: str) -> int:
    try:
        return operator.index(i)
    except TypeError:
        raise TypeError(
            f"{fn}: split indices must be integers, got {i!r}; pass e.g. [2, 4], or a number "
            "of sections"
        ) from None


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Array]:
    """Split into sub-arrays, sections may differ in size. See ``numpy.array_split``."""
    a = asarray(ary)
    n = a.shape[axis]
    if _sized(indices_or_sections):
        bounds = [0, *[_bound(i, "array_split") for i in indices_or_sections], n]
    else:
        k = int(indices_or_sections)  # a number of sections, as NumPy takes it (2.0 works)
        if k <= 0:
            raise ValueError(f"array_split: number of sections must be > 0, got {k!r}")
        q, r = _builtins.divmod(n, k)
        bounds = [0]
        for i in range(k):
            bounds.append(bounds[-1] + q + (1 if i < r else 0))
    pre = (slice(None),) * (axis % a.ndim)
    return [a[pre + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1], bounds[1:])]


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Array]:
    """Split into equal sub-arrays. See ``numpy.split``."""
    a = asarray(ary)
    k = 0 if _sized(indices_or_sections) else int(indices_or_sections)
    if k > 0 and a.shape[axis] % k:  # k <= 0: array_split says what is wrong
        raise ValueError(
            f"split: an axis of length {a.shape[axis]} does not divide into "
            f"{indices_or_sections!r} equal sections; use np.array_split"
        )
    return array_split(a, indices_or_sections, axis)


def _sized(obj: Any) -> bool:
    """Whether ``obj`` is a sequence of split indices (NumPy asks ``len``), not a count."""
    try:
        len(obj)
    except TypeError:
        return False
    return True


def _split_min(fn: str, a: Array, ndim: int) -> None:
    if a.ndim < ndim:
        raise ValueError(
            f"{fn}: needs an array of {ndim} or more dimensions, got shape {a.shape!r}; "
            "reshape it first, or use np.split(x, ..., axis=...)"
        )


def hsplit(ary: Any, indices_or_sections: Any) -> list[Array]:
    """Split horizontally. See ``numpy.hsplit``."""
    a = asarray(ary)
    _split_min("hsplit", a, 1)
    return split(a, indices_or_sections, 1 if a.ndim > 1 else 0)


def vsplit(ary: Any, indices_or_sections: Any) -> list[Array]:
    """Split vertically. See ``numpy.vsplit``."""
    a = asarray(ary)
    _split_min("vsplit", a, 2)
    return split(a, indices_or_sections, 0)


def dsplit(ary: Any, indices_or_sections: Any) -> list[Array]:
    """Split along the third axis. See ``numpy.dsplit``."""
    a = asarray(ary)
    _split_min("dsplit", a, 3)
    return split(a, indices_or_sections, 2)


def _register_numpy_functions(names: dict[str, Any]) -> None:
    """NumPy's functions called on Arrays run the ones written here (``__array_function__``)."""
    for name, fn in names.items():
        theirs = getattr(_numpy, name, None)
        if callable(theirs) and not isinstance(theirs, type) and fn is not theirs:
            _numpy_functions[theirs] = fn


# --------------------------------------------------------------------------------------------
# MinPy's additions to the namespace


def onehot_encode(indices: Any, out: Array) -> Array:
    """Write 1 into ``out[i, indices[i]]`` for each row ``i``; return ``out`` (MinPy's).

    ``out`` is a preallocated ``(N, C)`` Array, usually zeros; it is changed in place. No
    gradient flows through this.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.onehot_encode(np.array([2, 0]), np.zeros((2, 3)))
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    if not isinstance(out, Array) or out.ndim != 2:
        raise TypeError(
            f"onehot_encode: out must be a 2-d minpy Array (N, C), got {type(out).__name__} "
            f"{getattr(out, 'shape', out)!r}; pass np.zeros((N, C))"
        )
    idx = asarray(indices, device=out.device).astype(_numpy.int64)
    if idx.shape != (out.shape[0],):
        raise ValueError(
            f"onehot_encode: indices must have shape ({out.shape[0]},) for out of shape "
            f"{out.shape!r}, got {idx.shape!r}"
        )
    out[_names["arange"](out.shape[0], device=out.device), idx] = 1
    return out


def _softmax_rows(x: Any, label: Any) -> Any:
    """Softmax over axis 1 of a raw array (NumPy's ufuncs also run CuPy arrays)."""
    e = _numpy.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


#: the fused softmax and cross-entropy of MinPy (MXNet's SoftmaxOutput); its rule, which
#: ignores the incoming gradient, is in minpy.numpy.vjps.extras
_softmax_output = Primitive("softmax_output", impl=_softmax_rows)


def softmax_output(x: Any, label: Any) -> Array:
    """Softmax of ``x`` (N, C) over axis 1, whose gradient is that of mean cross-entropy.

    MinPy's (and MXNet's ``SoftmaxOutput``): the forward pass gives probabilities, and the
    gradient with respect to ``x`` is ``(probs - onehot(label)) / N`` whatever the incoming
    gradient is, as if the loss were the mean cross-entropy. ``label`` is one-hot (N, C) or
    class indices (N,); it gets no gradient.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.core import grad
    >>> x = np.zeros((1, 2))
    >>> np.softmax_output(x, np.array([1]))
    array([[0.5, 0.5]])
    >>> grad(lambda x: np.softmax_output(x, np.array([1])))(x)
    array([[ 0.5, -0.5]])
    """
    x = asarray(x)
    label = asarray(label, device=x.device)
    if label.ndim == 1 and x.ndim == 2:
        label = onehot_encode(label, _names["zeros"](x.shape, dtype=x.dtype, device=x.device))
    if x.ndim != 2 or label.shape != x.shape:
        raise ValueError(
            f"softmax_output: x must be (N, C) and label (N, C) or (N,), got x {x.shape!r} "
            f"and label {label.shape!r}"
        )
    return _softmax_output(x, label)  # type: ignore[no-any-return]


def sigmoid(x: Any) -> Array:
    """The logistic function ``1 / (1 + exp(-x))``, without overflow (MinPy's).

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.sigmoid(np.array([0.0, -1000.0]))
    array([0.5, 0. ])
    """
    return _names["exp"](-_names["logaddexp"](0, -asarray(x)))  # type: ignore[no-any-return]


def slice_axis(data: Any, axis: int, begin: int, end: int | None) -> Array:
    """``data[..., begin:end, ...]`` along ``axis`` (MinPy's MXNet operator); differentiable.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> np.slice_axis(np.arange(6).reshape(2, 3), axis=1, begin=1, end=None)
    array([[1, 2],
           [4, 5]])
    """
    data = asarray(data)
    if not -data.ndim <= axis < data.ndim:
        raise ValueError(
            f"slice_axis: axis {axis!r} is out of range for shape {data.shape!r}; "
            f"use an axis in range({-data.ndim}, {data.ndim})"
        )
    key = (slice(None),) * (axis % data.ndim) + (slice(begin, end),)
    return data[key]


_MINPY = frozenset(
    {"onehot_encode", "sigmoid", "slice_axis", "softmax_output"} | set(_opstat.__all__)
)


def __getattr__(name: str) -> Any:
    if name == "policy":  # MinPy's module attribute: the policy in force here
        return _policy.get_global_policy()
    raise AttributeError(
        f"minpy.numpy has no attribute {name!r}"
        + ("" if hasattr(_numpy, name) else " (NumPy has none either)")
    )


from minpy.numpy import fft, linalg, random  # noqa: E402, F401  (built on the names above)
from minpy.numpy._assembly import c_, r_, select  # noqa: E402, F401  (NumPy's names)
from minpy.numpy._ufuncs import attach_ufunc_methods  # noqa: E402
from minpy.numpy._writers import WRITERS as _WRITERS  # noqa: E402
from minpy.numpy._writers import (  # noqa: E402, F401  (NumPy's names)
    copyto,
    fill_diagonal,
    place,
    put,
    put_along_axis,
    putmask,
)

attach_ufunc_methods(globals())  # np.add.reduce, np.multiply.outer, np.add.at, ...
_register_numpy_functions({n: globals()[n] for n in _OWN | _WRITERS if n in globals()})

__all__ = sorted(
    {n for n in _names if not n.startswith("_")} | _OWN | _MINPY | {"fft", "linalg", "random"}
)
