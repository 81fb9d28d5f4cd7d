"""NumPy's functions that write into their first argument: ``copyto``, ``put``, ``place``,
``putmask``, ``fill_diagonal`` and ``put_along_axis``.

Untraced, each runs NumPy's (or CuPy's) own in-place function on the buffer, copying first
where the tape holds it. While ``grad`` traces the destination or the written values, the
function runs once more on integer codes: the destination starts at 0 and the values are
``-1, -2, ...``, so afterwards each entry says which value, if any, landed there. NumPy's own
function decides everything (later writes win in ``put``, ``place`` and ``putmask`` cycle,
``mode='wrap'|'clip'``, ``wrap=``, ``where=``, broadcasting), and the write is made of
differentiable primitives, a gather of the values and ``where``, assigned into the
destination as an in-place operator is (``inplace.assign``). Indices and masks get no
gradient. Nothing here is a primitive; ``minpy.numpy`` exports the names. This module runs
on the registry's primitives, not on ``minpy.numpy``, which imports it.
"""

from __future__ import annotations

from typing import Any

import numpy

from minpy import inplace
from minpy.array import Array, wrap
from minpy.numpy._assembly import _as_array
from minpy.primitive import registry
from minpy.tape import active_mask

__all__ = [
    "WRITERS",
    "copyto",
    "fill_diagonal",
    "put",
    "put_along_axis",
    "putmask",
    "place",
]

#: each writer, and the position (after the destination) of the values it writes
_VALUES = {
    "copyto": 0,
    "fill_diagonal": 0,
    "place": 1,
    "put": 1,
    "put_along_axis": 1,
    "putmask": 1,
}
WRITERS = frozenset(_VALUES)
for _name in WRITERS:
    registry[_name].writes_first = True  # (minpy.jit replays them as writes)
del _name


def _traced(x: Any) -> bool:
    """Whether ``x`` (an Array, or a list or tuple holding Arrays) is traced by a live grad."""
    if isinstance(x, Array):
        node = x._node
        return node is not None and bool(node.mask & active_mask())
    if isinstance(x, (list, tuple)):
        return any(_traced(v) for v in x)
    return False


def _plain(x: Any) -> Any:
    """``x`` cut from the tape where it is traced (an index or mask gets no gradient)."""
    if not _traced(x):
        return x
    if isinstance(x, Array):
        return wrap(x._data, x._device)
    return type(x)(_plain(v) for v in x)


def _write_into(name: str, a: Any, *args: Any, **kwargs: Any) -> None:
    """NumPy's in-place ``name`` on ``a``: on the buffer where allowed, else differentiably."""
    if not isinstance(a, Array):
        raise TypeError(
            f"{name}: the array written into must be a minpy Array, got {type(a).__name__}; "
            "make one with np.array(...)"
        )
    if _traced(a) or _traced(args[_VALUES[name]]):
        _write_traced(name, a, args, kwargs)
        return
    args = tuple(_plain(v) for v in args)
    kwargs = {k: _plain(v) for k, v in kwargs.items()}
    target = a if inplace.writes_in_place(a) else a.copy()
    registry[name](target, *args, **kwargs)
    if target is not a:
        inplace.assign(a, target, name)


def _write_traced(name: str, a: Array, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The write as ``where(written, values landed, a)``, assigned into ``a`` (see above)."""
    fn = registry[name]
    k = _VALUES[name]
    plain = [_plain(v) for v in args]
    kw = {n: _plain(v) for n, v in kwargs.items()}
    # NumPy's own call on a copy: its errors (bounds, casting, shapes) and its exact values
    result = registry["copy"](wrap(a._data, a._device))
    fn(result, *plain, **kw)
    device = a.device
    values = _as_array(args[k], device)
    codes = registry["arange"](values.size, device=device)
    plain[k] = -1 - registry["reshape"](codes, values.shape)
    landed = registry["zeros"](a.shape, dtype=numpy.int64, device=device)
    fn(landed, *plain, **kw)
    written = registry["less"](landed, 0)
    if _traced(values) and values.size:
        picked = registry["reshape"](values, -1)[registry["maximum"](-1 - landed, 0)]
        if picked.dtype.kind == "c" and a.dtype.kind != "c":
            picked = registry["real"](picked)  # NumPy's cast drops it (with a ComplexWarning)
        result = picked if picked.dtype == a.dtype else registry["astype"](picked, a.dtype)
    inplace.assign(a, registry["where"](written, result, a), name)


def copyto(dst: Array, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    """Copy ``src`` (broadcast) into ``dst`` in place, where ``where`` holds.

    Differentiable with respect to ``dst`` (its entries that are kept) and ``src``.
    See ``numpy.copyto``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> a = np.zeros(3)
    >>> np.copyto(a, np.array([1.0, 2.0, 3.0]), where=np.array([True, False, True]))
    >>> a
    array([1., 0., 3.])
    """
    _write_into("copyto", dst, src, casting=casting, where=where)


def put(a: Array, ind: Any, v: Any, mode: str = "raise") -> None:
    """Set ``a.flat[ind] = v`` in place (``v`` cycled; the last write to an entry wins).

    Differentiable with respect to ``a`` (the entries not written) and ``v``.
    See ``numpy.put``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> a = np.zeros(3)
    >>> np.put(a, [0, 0, -1], np.array([1.0, 2.0, 3.0]))
    >>> a
    array([2., 0., 3.])
    """
    _write_into("put", a, ind, v, mode=mode)


def place(arr: Array, mask: Any, vals: Any) -> None:
    """Set the entries where ``mask`` holds to ``vals`` in place, cycling ``vals`` in order.

    Differentiable with respect to ``arr`` and ``vals``. See ``numpy.place``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> a = np.zeros(4)
    >>> np.place(a, np.array([True, True, False, True]), np.array([1.0, 2.0]))
    >>> a
    array([1., 2., 0., 1.])
    """
    _write_into("place", arr, mask, vals)


def putmask(a: Array, mask: Any, values: Any) -> None:
    """Set the entries where ``mask`` holds in place, to ``values`` cycled by flat position.

    Differentiable with respect to ``a`` and ``values``. See ``numpy.putmask``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> a = np.zeros(4)
    >>> np.putmask(a, np.array([True, True, False, True]), np.array([1.0, 2.0]))
    >>> a
    array([1., 2., 0., 2.])
    """
    _write_into("putmask", a, mask, values)


def fill_diagonal(a: Array, val: Any, wrap: bool = False) -> None:
    """Fill the main diagonal in place (``wrap``: on down a tall matrix, as NumPy's).

    Differentiable with respect to ``a`` and ``val``. See ``numpy.fill_diagonal``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> a = np.zeros((2, 2))
    >>> np.fill_diagonal(a, np.array([1.0, 2.0]))
    >>> a
    array([[1., 0.],
           [0., 2.]])
    """
    _write_into("fill_diagonal", a, val, wrap=wrap)


def put_along_axis(arr: Array, indices: Any, values: Any, axis: int | None) -> None:
    """Set values along an axis in place.

    Differentiable with respect to ``arr`` and ``values``. See ``numpy.put_along_axis``.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> a = np.zeros((2, 2))
    >>> np.put_along_axis(a, np.array([[1], [0]]), np.array([[1.0], [2.0]]), axis=1)
    >>> a
    array([[0., 1.],
           [2., 0.]])
    """
    _write_into("put_along_axis", arr, indices, values, axis)
