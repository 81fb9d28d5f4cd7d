"""NumPy functions that assemble one array from pieces, written in minpy operations.

``select`` (a chain of ``where``), and ``r_``/``c_`` (NumPy's index-expression concatenators,
building the result with ``arange``/``linspace``/``concatenate``), so all three are
differentiable and place their result on their Array inputs' device (or the current
context). Nothing here is a primitive; ``minpy.numpy`` exports the names. This module runs on
the registry's primitives, not on ``minpy.numpy``, which imports it.
"""

from __future__ import annotations

from typing import Any

import numpy

from minpy import watch
from minpy.array import Array, wrap
from minpy.context import Device, current_context
from minpy.primitive import registry
from minpy.transfer import adopt

__all__ = ["AxisConcatenator", "c_", "r_", "select"]


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Array:
    """The entries of the choice whose condition holds first, else ``default``.

    Differentiable with respect to the choices and ``default`` (a traced ``default=`` is
    fine). See ``numpy.select``.

    Raises
    ------
    ValueError
        If the two lists differ in length or are empty.
    TypeError
        If a condition is not boolean.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> x = np.arange(5.0)
    >>> np.select([x < 1, x > 3], [x, x ** 2], default=-x)
    array([ 0., -1., -2., -3., 16.])
    """
    conds, choices = list(condlist), list(choicelist)
    if len(conds) != len(choices):
        raise ValueError(
            f"select: {len(conds)} conditions but {len(choices)} choices; pass one choice per "
            "condition"
        )
    if not conds:
        raise ValueError("select: the condition list is empty; pass at least one condition")
    device = _device_in([conds, choices, default])
    conds = [_as_array(c, device) for c in conds]
    for i, c in enumerate(conds):
        if c.dtype != numpy.bool_:
            raise TypeError(
                f"select: condition {i} has dtype {c.dtype}, not bool; compare it "
                "(x > 0) or cast it with .astype(bool)"
            )
    weak = (int, float, complex)  # Python numbers stay weakly typed, as in NumPy (NEP 50)
    dtype = numpy.result_type(
        *[v if type(v) in weak else _as_array(v, device).dtype for v in [*choices, default]]
    )
    result = default
    for cond, choice in zip(conds[::-1], choices[::-1]):  # the first true condition wins
        result = registry["where"](cond, choice, result)
    out = _as_array(result, device)
    return out if out.dtype == dtype else registry["astype"](out, dtype)


def _as_array(obj: Any, device: Device | None) -> Array:
    """``obj`` as an Array: itself, a list holding Arrays stacked, host data on ``device``."""
    if isinstance(obj, Array):
        return obj
    if isinstance(obj, (list, tuple)) and _device_in(obj) is not None:
        stacked: Array = registry["stack"](*[_as_array(o, device) for o in obj])
        return stacked
    dev = current_context() if device is None else device
    host = watch.run(numpy.asarray, obj)  # seen by minpy.jit: made while tracing
    res = wrap(host if dev.kind == "cpu" else adopt(host, dev), dev)
    watch.made(res)
    return res


def _with_ndim(x: Array, ndmin: int) -> Array:
    """``x`` with leading axes of length 1 up to ``ndmin`` dimensions (NumPy's ``ndmin``)."""
    return registry["reshape"](x, (1,) * (ndmin - x.ndim) + x.shape) if x.ndim < ndmin else x


def _device_in(obj: Any) -> Device | None:
    """The device of the first Array in ``obj`` (searching lists and tuples), else None."""
    if isinstance(obj, Array):
        return obj.device
    if isinstance(obj, (list, tuple)):
        for o in obj:
            d = _device_in(o)
            if d is not None:
                return d
    return None


class AxisConcatenator:
    """``r_``/``c_``: ``obj[a, b, ...]`` concatenates its pieces along an axis, as NumPy's.

    A piece is an array (given at least ``ndmin`` dimensions; for ``trans1d != -1`` its own
    axes are moved to position ``trans1d``), a number, or a slice: ``a:b:c`` is
    ``arange(a, b, c)`` and ``a:b:nj`` is ``linspace(a, b, n)``. A string first names
    ``'axis'``, ``'axis,ndmin'`` or ``'axis,ndmin,trans1d'``; ``'r'``/``'c'`` give a 2-d row or
    column (minpy has no matrix type, so a plain 2-d Array). The result is an Array on the
    pieces' device (the current context if none is an Array), differentiable in every piece.
    """

    def __init__(self, name: str, axis: int = 0, ndmin: int = 1, trans1d: int = -1) -> None:
        self.name = name
        self.axis = axis
        self.ndmin = ndmin
        self.trans1d = trans1d

    def __repr__(self) -> str:
        return f"minpy.numpy.{self.name}"

    def __len__(self) -> int:
        return 0  # as NumPy's (the concatenator holds no items)

    def __getitem__(self, key: Any) -> Array:
        if isinstance(key, str):
            raise ValueError(
                f"{self.name}[{key!r}]: a lone string builds a NumPy matrix, which minpy does not "
                f"have; write the blocks out with np.block(...) or {self.name}[...] of arrays"
            )
        items = key if isinstance(key, tuple) else (key,)
        device = _device_in(items) or current_context()
        axis, ndmin, trans1d, shape2d = self.axis, self.ndmin, self.trans1d, ""
        pieces: list[Any] = []
        kinds: list[Any] = []  # dtypes, and Python scalars kept weakly typed for result_type
        for k, item in enumerate(items):
            if isinstance(item, str):
                if k:
                    raise ValueError(
                        f"{self.name}: the directive {item!r} is entry {k}; a string must be "
                        f"the first entry, e.g. {self.name}[{item!r}, ...]"
                    )
                if item in ("r", "c"):
                    shape2d = item
                else:
                    axis, ndmin, trans1d = self._directive(item, ndmin, trans1d)
                continue
            if isinstance(item, slice):
                piece = self._range(item, device)
                if ndmin > 1:
                    piece = _with_ndim(piece, ndmin)
                    if trans1d != -1:
                        piece = registry["swapaxes"](piece, -1, trans1d)
            elif type(item) in numpy.ScalarType:
                pieces.append(item)
                kinds.append(item)
                continue
            else:
                piece = _as_array(item, device)
                if piece.ndim < ndmin:
                    piece = self._promote(piece, ndmin, trans1d)
            pieces.append(piece)
            kinds.append(piece.dtype)
        if kinds:
            dtype = numpy.result_type(*kinds)
            pieces = [_with_ndim(_as_array(p, device), ndmin) for p in pieces]
            pieces = [p if p.dtype == dtype else registry["astype"](p, dtype) for p in pieces]
        res = registry["concatenate"](*pieces, axis=axis)
        return self._as_2d(res, shape2d) if shape2d else res

    def _directive(self, item: str, ndmin: int, trans1d: int) -> tuple[int, int, int]:
        """``(axis, ndmin, trans1d)`` from a string directive such as ``'0,2,1'``."""
        parts = item.split(",")
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            nums = []
        if not 1 <= len(nums) <= 3:
            raise ValueError(
                f"{self.name}: unknown directive {item!r}; use 'axis', 'axis,ndmin', "
                "'axis,ndmin,trans1d' (integers), 'r' or 'c'"
            )
        nums += [ndmin, trans1d][len(nums) - 1 :]
        return nums[0], nums[1], nums[2]

    def _range(self, item: slice, device: Device) -> Array:
        """``a:b:c`` as ``arange(a, b, c)``; ``a:b:nj`` (an imaginary step) as ``linspace``."""
        start = 0 if item.start is None else item.start
        step = 1 if item.step is None else item.step
        if isinstance(step, (complex, numpy.complexfloating)):
            num = int(abs(complex(step)))
            spaced: Array = registry["linspace"](start, item.stop, num=num, device=device)
            return spaced
        if item.stop is None:
            raise ValueError(
                f"{self.name}: the slice {item!r} has no end; write {self.name}[start:stop:step]"
            )
        return registry["arange"](start, item.stop, step, device=device)  # type: ignore[no-any-return]

    @staticmethod
    def _promote(piece: Array, ndmin: int, trans1d: int) -> Array:
        """``piece`` given ``ndmin`` dimensions, its own axes placed as NumPy's ``trans1d``."""
        ndim = piece.ndim
        piece = _with_ndim(piece, ndmin)  # new axes in front
        if trans1d == -1:
            return piece
        k2, k1 = ndmin - ndim, trans1d
        if k1 < 0:
            k1 += k2 + 1
        axes = list(range(ndmin))
        return registry["transpose"](piece, axes[:k1] + axes[k2:] + axes[k1:k2])  # type: ignore[no-any-return]

    def _as_2d(self, res: Array, shape2d: str) -> Array:
        """The result of an ``'r'``/``'c'`` directive: a 2-d row (or column) Array."""
        if res.ndim > 2:
            raise ValueError(
                f"{self.name}: the directive {shape2d!r} makes a 2-d result, but the pieces "
                f"join to shape {res.shape!r}; drop the directive"
            )
        if res.ndim == 2:
            return res
        row = registry["reshape"](res, (1, -1))
        return registry["transpose"](row) if shape2d == "c" else row  # type: ignore[no-any-return]


#: ``np.r_[...]``: join the pieces along the first axis. See ``numpy.r_``.
r_ = AxisConcatenator("r_", 0)
#: ``np.c_[...]``: join the pieces as columns (along the last axis). See ``numpy.c_``.
c_ = AxisConcatenator("c_", -1, ndmin=2, trans1d=0)
