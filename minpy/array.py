"""``Array``: one backend array, its device, and its tape node while traced.

Operators and methods forward to the primitives of ``minpy.numpy``, so everything an Array does
is dispatched, counted and differentiable. In-place updates are real in-place writes when
nothing is traced; while tracing they rebind the Array to a new value and a new tape node
(copy-on-write), so values saved for the backward pass are never overwritten.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from minpy import inplace
from minpy.context import Device, current_context
from minpy.errors import DeviceMismatchError, GradientError
from minpy.primitive import Primitive, registry
from minpy.tape import Meta, Node, active_mask
from minpy.transfer import TRANSFER, adopt, move

if TYPE_CHECKING:
    from minpy.inplace import View

__all__ = ["Array", "NDArray", "to_device", "wrap"]

_new = object.__new__


def wrap(data: Any, device: Device, node: Node | None = None) -> Array:
    """An Array around the backend array ``data`` that lives on ``device``."""
    a = _new(Array)
    a._data = data
    a._device = device
    a._node = node
    a._state = None
    return a


def to_device(x: Array, device: Device) -> Array:
    """A copy of ``x`` on ``device`` (a counted transfer); differentiable."""
    if not isinstance(device, Device):
        raise TypeError(f"to_device expects a device such as minpy.gpu(0), got {device!r}")
    res = wrap(move(x._data, x._device, device), device)
    n = x._node
    if n is not None and n.mask & active_mask() and res._data.dtype.kind in "fc":
        # the node minpy.record.record makes for a unary primitive with keep="meta"
        res._node = Node((n,), (0,), n.mask, TRANSFER, (Meta(x),), {"device": device}, None, device)
    return res


def _out(out: Any) -> dict[str, Any]:
    """``out=`` passed on only when given (NumPy's functions call our methods with it)."""
    return {} if out is None else {"out": out}


class _Ops:
    """The primitives that Array's methods and operators call, by their NumPy names.

    ``minpy.numpy`` builds the primitives on top of this module, so they are looked up in
    the registry on first use (and then kept as attributes: later calls cost what a module
    attribute costs).
    """

    def __getattr__(self, name: str) -> Primitive:
        prim = registry.get(name)
        if prim is None:
            raise AttributeError(f"no primitive named {name!r} is registered")
        setattr(self, name, prim)
        return prim


if TYPE_CHECKING:  # the generated stub types what _Ops finds at run time
    import minpy.numpy as _np
else:
    _np = _Ops()


class Array:
    """An n-dimensional array on one device (``cpu(0)``: NumPy, ``gpu(i)``: CuPy).

    Create Arrays with ``minpy.numpy`` functions (``np.array``, ``np.zeros``, ...); they follow
    NumPy's semantics, including broadcasting, indexing and in-place operators.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> x * 2
    array([2., 4., 6.])
    >>> x.device
    cpu(0)
    >>> float(x.sum())
    6.0
    """

    __slots__ = ("__weakref__", "_data", "_device", "_node", "_state", "_views")
    # make NumPy defer to our reflected operators instead of treating us as an object scalar
    __array_ufunc__ = None
    __array_priority__ = 1000
    __hash__ = None  # type: ignore[assignment]

    _data: Any
    _device: Device
    _node: Node | None
    _state: View | None  # copy-on-write and view state: see minpy.inplace
    _views: list[Any]  # weak references to the views taken by basic indexing (set on demand)

    def __init__(self, data: Any, device: Device | None = None, dtype: Any = None) -> None:
        device = current_context() if device is None else device
        if isinstance(data, Array):
            data = data.to_device(device)._data
        self._data = device.backend.asarray(data, device, dtype)
        self._device = device
        self._node = None
        self._state = None

    # basic attributes -----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape  # type: ignore[no-any-return]

    @property
    def dtype(self) -> Any:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim  # type: ignore[no-any-return]

    @property
    def size(self) -> int:
        return self._data.size  # type: ignore[no-any-return]

    @property
    def nbytes(self) -> int:
        return self._data.nbytes  # type: ignore[no-any-return]

    @property
    def itemsize(self) -> int:
        return self._data.itemsize  # type: ignore[no-any-return]

    @property
    def device(self) -> Device:
        """The device holding this array."""
        return self._device

    context = device

    @property
    def T(self) -> Array:
        return _np.transpose(self)

    @property
    def real(self) -> Array:
        return _np.real(self)

    @property
    def imag(self) -> Array:
        return _np.imag(self)

    @property
    def traced(self) -> bool:
        """Whether this array is being recorded by an active ``grad``."""
        return self._node is not None

    # conversion -----------------------------------------------------------------------------
    def asnumpy(self) -> Any:
        """A NumPy copy of this array (for plotting, saving, printing)."""
        host = self._device.backend.to_host(self._data)
        return host.copy() if host is self._data else host

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        node = self._node
        if node is not None and node.mask & active_mask():
            raise GradientError(
                "a traced array was converted to a NumPy array inside grad (e.g. by a "
                "numpy.* function), which would silently drop its gradient; use minpy.numpy "
                "functions, or x.asnumpy() / stop_gradient(x) where no gradient is wanted"
            )
        host = self._device.backend.to_host(self._data)
        if dtype is not None and host.dtype != dtype:
            host = host.astype(dtype)
        elif copy:
            host = host.copy()
        return host

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> Any:
        return self._data.__dlpack_device__()

    def to_device(self, device: Device) -> Array:
        """This array on ``device`` (itself if already there); differentiable and counted."""
        if device is self._device:
            return self
        return to_device(self, device)

    as_in_context = to_device  # MinPy's spelling

    def item(self, *args: Any) -> Any:
        return self.asnumpy().item(*args)

    def tolist(self) -> Any:
        return self.asnumpy().tolist()

    def __float__(self) -> float:
        return float(self._scalar("float"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __index__(self) -> int:
        return operator.index(self._scalar("index"))

    def __bool__(self) -> bool:
        return bool(self._scalar("bool"))

    def _scalar(self, what: str) -> Any:
        if self._data.size != 1:
            raise TypeError(
                f"{what}() of an array of shape {self.shape!r} is ambiguous; "
                "only size-1 arrays convert to Python scalars (use .any(), .all() or index it)"
            )
        return self._device.backend.to_host(self._data).reshape(()).item()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d array; it has no length")
        return self._data.shape[0]  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[Array]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self._data.shape[0]):
            yield self[i]

    def __contains__(self, value: Any) -> bool:
        return bool((self == value).any())

    # printing -------------------------------------------------------------------------------
    def __repr__(self) -> str:
        host = self._device.backend.to_host(self._data)
        text = repr(host[()]) if host.ndim == 0 else repr(host)
        if self._device.kind != "cpu":
            text = f"{text[:-1]}, device={self._device!r})" if text.endswith(")") else text
        return text

    def __str__(self) -> str:
        return str(self._device.backend.to_host(self._data))

    def __format__(self, spec: str) -> str:
        host = self._device.backend.to_host(self._data)
        return format(host[()] if host.ndim == 0 else host, spec)

    # indexing -------------------------------------------------------------------------------
    def _key(self, key: Any) -> Any:
        """Unwrap Arrays inside an index; host index arrays are adopted by the device."""
        if key.__class__ is tuple:
            return tuple([self._key_item(k) for k in key])
        return self._key_item(key)

    def _key_item(self, k: Any) -> Any:
        if k.__class__ is Array:
            if k._device is not self._device:
                raise DeviceMismatchError(
                    f"index: array on {self._device!r} indexed by an array on {k._device!r}; "
                    f"move the index with idx.to_device({self._device!r})"
                )
            return k._data
        if k is None or k is Ellipsis or isinstance(k, (int, slice)):
            return k
        backend = self._device.backend
        if not backend.on_host:
            return adopt(k, self._device)
        return k

    def __getitem__(self, key: Any) -> Array:
        key = self._key(key)
        res: Array = _np.getitem(self, key)
        inplace.note_index_view(self, key, res)
        return res

    def __setitem__(self, key: Any, value: Any) -> None:
        key = self._key(key)
        if value.__class__ is Array:
            if value._device is not self._device:
                raise DeviceMismatchError(
                    f"setitem: cannot write an array on {value._device!r} into one on "
                    f"{self._device!r}; move it with value.to_device({self._device!r})"
                )
            inplace.setitem(self, key, value, value._data, value._node is not None)
        else:
            inplace.setitem(self, key, value, value, False)

    # methods --------------------------------------------------------------------------------
    def copy(self) -> Array:
        return _np.copy(self)

    def astype(self, dtype: Any, copy: bool = True) -> Array:
        if not copy and self._data.dtype == dtype:
            return self
        return _np.astype(self, dtype)

    def reshape(self, *shape: Any, order: str = "C") -> Array:
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return _np.reshape(self, shape, order=order)

    def transpose(self, *axes: Any) -> Array:
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return _np.transpose(self, axes or None)

    def flatten(self) -> Array:
        return _np.copy(_np.ravel(self))

    def ravel(self) -> Array:
        return _np.ravel(self)

    def squeeze(self, axis: Any = None) -> Array:
        return _np.squeeze(self, axis)

    def swapaxes(self, a: int, b: int) -> Array:
        return _np.swapaxes(self, a, b)

    def sum(
        self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False
    ) -> Array:
        return _np.sum(self, axis=axis, dtype=dtype, keepdims=keepdims, **_out(out))

    def mean(
        self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False
    ) -> Array:
        return _np.mean(self, axis=axis, dtype=dtype, keepdims=keepdims, **_out(out))

    def prod(
        self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False
    ) -> Array:
        return _np.prod(self, axis=axis, dtype=dtype, keepdims=keepdims, **_out(out))

    def max(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return _np.max(self, axis=axis, keepdims=keepdims, **_out(out))

    def min(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return _np.min(self, axis=axis, keepdims=keepdims, **_out(out))

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Array:
        return _np.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Array:
        return _np.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def cumsum(self, axis: Any = None) -> Array:
        return _np.cumsum(self, axis=axis)

    def argmax(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return _np.argmax(self, axis=axis, keepdims=keepdims, **_out(out))

    def argmin(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return _np.argmin(self, axis=axis, keepdims=keepdims, **_out(out))

    def argsort(self, axis: int = -1) -> Array:
        return _np.argsort(self, axis=axis)

    def all(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return _np.all(self, axis=axis, keepdims=keepdims, **_out(out))

    def any(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return _np.any(self, axis=axis, keepdims=keepdims, **_out(out))

    def clip(self, a_min: Any = None, a_max: Any = None) -> Array:
        return _np.clip(self, a_min, a_max)

    def dot(self, other: Any) -> Array:
        return _np.dot(self, other)

    def round(self, decimals: int = 0) -> Array:
        return _np.round(self, decimals)

    def repeat(self, repeats: Any, axis: Any = None) -> Array:
        return _np.repeat(self, repeats, axis)

    def take(self, indices: Any, axis: Any = None) -> Array:
        return _np.take(self, indices, axis)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Array:
        return _np.diagonal(self, offset, axis1, axis2)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Array:
        return _np.trace(self, offset, axis1, axis2)

    def nonzero(self) -> tuple[Array, ...]:
        return _np.nonzero(self)

    def conj(self) -> Array:
        return _np.conjugate(self)

    def fill(self, value: Any) -> None:
        self[...] = value

    def sort(self, axis: int = -1) -> None:
        inplace.assign(self, _np.sort(self, axis=axis), "sort")

    # arithmetic -----------------------------------------------------------------------------
    def __add__(self, o: Any) -> Array:
        return _np.add(self, o)

    def __radd__(self, o: Any) -> Array:
        return _np.add(o, self)

    def __sub__(self, o: Any) -> Array:
        return _np.subtract(self, o)

    def __rsub__(self, o: Any) -> Array:
        return _np.subtract(o, self)

    def __mul__(self, o: Any) -> Array:
        return _np.multiply(self, o)

    def __rmul__(self, o: Any) -> Array:
        return _np.multiply(o, self)

    def __truediv__(self, o: Any) -> Array:
        return _np.divide(self, o)

    def __rtruediv__(self, o: Any) -> Array:
        return _np.divide(o, self)

    def __floordiv__(self, o: Any) -> Array:
        return _np.floor_divide(self, o)

    def __rfloordiv__(self, o: Any) -> Array:
        return _np.floor_divide(o, self)

    def __mod__(self, o: Any) -> Array:
        return _np.remainder(self, o)

    def __rmod__(self, o: Any) -> Array:
        return _np.remainder(o, self)

    def __pow__(self, o: Any) -> Array:
        return _np.power(self, o)

    def __rpow__(self, o: Any) -> Array:
        return _np.power(o, self)

    def __matmul__(self, o: Any) -> Array:
        return _np.matmul(self, o)

    def __rmatmul__(self, o: Any) -> Array:
        return _np.matmul(o, self)

    def __neg__(self) -> Array:
        return _np.negative(self)

    def __pos__(self) -> Array:
        return _np.positive(self)

    def __abs__(self) -> Array:
        return _np.absolute(self)

    def __invert__(self) -> Array:
        return _np.invert(self)

    def __and__(self, o: Any) -> Array:
        return _np.bitwise_and(self, o)

    def __rand__(self, o: Any) -> Array:
        return _np.bitwise_and(o, self)

    def __or__(self, o: Any) -> Array:
        return _np.bitwise_or(self, o)

    def __ror__(self, o: Any) -> Array:
        return _np.bitwise_or(o, self)

    def __xor__(self, o: Any) -> Array:
        return _np.bitwise_xor(self, o)

    def __rxor__(self, o: Any) -> Array:
        return _np.bitwise_xor(o, self)

    def __lshift__(self, o: Any) -> Array:
        return _np.left_shift(self, o)

    def __rshift__(self, o: Any) -> Array:
        return _np.right_shift(self, o)

    def __eq__(self, o: Any) -> Array:  # type: ignore[override]
        return _np.equal(self, o)

    def __ne__(self, o: Any) -> Array:  # type: ignore[override]
        return _np.not_equal(self, o)

    def __lt__(self, o: Any) -> Array:
        return _np.less(self, o)

    def __le__(self, o: Any) -> Array:
        return _np.less_equal(self, o)

    def __gt__(self, o: Any) -> Array:
        return _np.greater(self, o)

    def __ge__(self, o: Any) -> Array:
        return _np.greater_equal(self, o)

    # in-place: the ufunc with out=self, or a rebind while traced (minpy.inplace.update)
    def __iadd__(self, o: Any) -> Array:
        return inplace.update(self, _np.add, o)

    def __isub__(self, o: Any) -> Array:
        return inplace.update(self, _np.subtract, o)

    def __imul__(self, o: Any) -> Array:
        return inplace.update(self, _np.multiply, o)

    def __itruediv__(self, o: Any) -> Array:
        return inplace.update(self, _np.divide, o)

    def __ifloordiv__(self, o: Any) -> Array:
        return inplace.update(self, _np.floor_divide, o)

    def __imod__(self, o: Any) -> Array:
        return inplace.update(self, _np.remainder, o)

    def __ipow__(self, o: Any) -> Array:
        return inplace.update(self, _np.power, o)

    def __imatmul__(self, o: Any) -> Array:
        inplace.assign(self, _np.matmul(self, o), "matmul")
        return self

    def __iand__(self, o: Any) -> Array:
        return _np.bitwise_and(self, o, out=self)

    def __ior__(self, o: Any) -> Array:
        return _np.bitwise_or(self, o, out=self)

    def __ixor__(self, o: Any) -> Array:
        return _np.bitwise_xor(self, o, out=self)


NDArray = Array
