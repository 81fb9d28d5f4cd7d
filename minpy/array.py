"""``Array``: one backend array, its device, and its tape node while traced.

Operators and methods forward to the primitives of ``minpy.numpy``, so everything an Array does
is dispatched, counted and differentiable. In-place updates are real in-place writes when
nothing is traced; while tracing they rebind the Array to a new value and a new tape node
(copy-on-write), so values saved for the backward pass are never overwritten.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy

from minpy import inplace, watch
from minpy.context import Device, current_context
from minpy.errors import DeviceMismatchError, GradientError
from minpy.flatiter import FlatIter
from minpy.number import Number
from minpy.primitive import Primitive, numpy_functions, registry
from minpy.tape import Meta, Node, active_mask
from minpy.transfer import TRANSFER, adopt, move

if TYPE_CHECKING:
    from minpy.inplace import View

__all__ = ["Array", "FlatIter", "NDArray", "Number", "to_device", "wrap"]

_new = object.__new__
#: ``a.view(dtype)``: the same bytes read as another dtype (forward only: no gradient)
_VIEW = Primitive("view", impl=lambda x, dtype: x.view(dtype), view=True, register=False)


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


def _method(name: str) -> Callable[..., Array]:
    """The Array method ``name``: ``minpy.numpy.<name>(self, ...)``, NumPy's arguments."""

    def method(self: Array, *args: Any, **kwargs: Any) -> Array:
        if kwargs.get("out", 0) is None:
            del kwargs["out"]  # NumPy's functions call our methods with out=None
        return registry[name](self, *args, **kwargs)  # type: ignore[no-any-return]

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``minpy.numpy.{name}(a, ...)``; see ``numpy.ndarray.{name}``."
    return method


def _operators(name: str) -> tuple[Callable[[Array, Any], Array], ...]:
    """The operator, reflected operator and in-place operator of primitive ``name``: ``a + b``
    is ``minpy.numpy.add(a, b)``, ``2 + a`` is ``add(2, a)``, ``a += b`` is
    ``minpy.inplace.update(a, add, b)``."""

    def op(self: Array, o: Any) -> Array:
        return registry[name](self, o)  # type: ignore[no-any-return]

    def rop(self: Array, o: Any) -> Array:
        return registry[name](o, self)  # type: ignore[no-any-return]

    def iop(self: Array, o: Any) -> Array:
        return inplace.update(self, registry[name], o)

    return op, rop, iop


def _unary(name: str) -> Callable[[Array], Array]:
    """The unary operator of primitive ``name``: ``-a`` is ``minpy.numpy.negative(a)``."""
    return lambda self: registry[name](self)


class _Ops:
    """The primitives Array calls, looked up by NumPy name on first use, then kept."""

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

    Concretising a traced value is never silent: inside ``grad``, ``float(x)``, ``complex(x)``,
    ``x.item()``, ``x.tolist()`` and ``x.tobytes()`` of an Array the trace depends on raise
    ``GradientError``, since the Python value still varies with the input but no gradient
    flows through it; write ``float(minpy.core.stop_gradient(x))``, or compute it outside
    ``grad``. ``int(x)``, ``operator.index(x)`` and ``bool(x)`` work: their results are
    piecewise constant, so their true derivative is zero and no gradient is lost (``if x > 0:``
    is ordinary control flow); so does ``numpy.int64(x)`` (and any conversion to an integer or
    boolean dtype, ``numpy.asarray(x, dtype=int)``). Untraced Arrays, and those of a finished
    ``grad``, convert as in NumPy; ``x.asnumpy()`` always gives the values.

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
    __array_priority__ = 1000
    __hash__ = None  # type: ignore[assignment]

    _data: Any
    _device: Device
    _node: Node | None
    _state: View | None  # copy-on-write and view state: see minpy.inplace
    _views: list[Any] | None  # weak references to the views taken by basic indexing (set on demand)

    def __init__(self, data: Any, device: Device | None = None, dtype: Any = None) -> None:
        device = current_context() if device is None else device
        if isinstance(data, Array):
            data = data.to_device(device)._data
        self._data = watch.run(device.backend.asarray, data, device, dtype)
        self._device = device
        self._node = None
        self._state = None
        watch.made(self)

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
        watch.host_read(self, "asnumpy()")
        host = self._device.backend.to_host(self._data)
        return host.copy() if host is self._data else host

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        node = self._node
        piecewise = dtype is not None and numpy.dtype(dtype).kind in "biu"  # like int(x)
        if node is not None and node.mask & active_mask() and not piecewise:
            raise GradientError(
                "a traced array was converted to a NumPy array inside grad (e.g. by a "
                "numpy.* function), which would silently drop its gradient; use minpy.numpy "
                "functions, or x.asnumpy() / stop_gradient(x) where no gradient is wanted"
            )
        watch.host_read(self, "conversion to a NumPy array")
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

    # NumPy's protocols: NumPy's ufuncs and functions called on Arrays run minpy's, on the
    # Arrays' device and differentiable (as CuPy's and Dask's arrays do)
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        prim = registry.get(ufunc.__name__)
        out = kwargs.get("out")
        if prim is None or (out is not None and len(out) != 1):
            return NotImplemented
        if out is not None:
            kwargs["out"] = out[0]
        fn = prim if method == "__call__" else getattr(prim, method, None)
        return NotImplemented if fn is None else fn(*inputs, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        ours = numpy_functions.get(func)
        if ours is None:
            # a function minpy does not provide: NumPy's own, on the host values (which
            # refuses a traced Array, as numpy.asarray does)
            ours = getattr(func, "_implementation", None)
            if ours is None:
                return NotImplemented
        return ours(*args, **kwargs)

    def wait_to_read(self) -> None:
        """Block until the work queued on this array's device is done (MinPy's name)."""
        self._device.synchronize()

    def to_device(self, device: Device) -> Array:
        """This array on ``device`` (itself if already there); differentiable and counted."""
        if device is self._device:
            return self
        return to_device(self, device)

    as_in_context = to_device  # MinPy's spelling

    def item(self, *args: Any) -> Any:
        self._concrete("item()")
        return self.asnumpy().item(*args)

    def tolist(self) -> Any:
        self._concrete("tolist()")
        return self.asnumpy().tolist()

    def tobytes(self, order: str = "C") -> bytes:
        self._concrete("tobytes()")
        return self.asnumpy().tobytes(order)  # type: ignore[no-any-return]

    def __float__(self) -> float:
        self._concrete("float()")
        return float(self._scalar("float"))

    def __complex__(self) -> complex:
        self._concrete("complex()")
        return complex(self._scalar("complex"))

    # piecewise constant, so no gradient is lost: allowed while traced (see the class docstring)
    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __index__(self) -> int:
        if self._data.ndim or self._data.dtype.kind not in "iu":
            raise TypeError(
                f"operator.index() of an array of shape {self.shape!r} and dtype {self.dtype}: "
                "only 0-d integer arrays are indices; index the element or use .astype(int)"
            )
        return operator.index(self._host("operator.index()").item())

    def __bool__(self) -> bool:
        size = self._data.size
        if size != 1:
            raise ValueError(
                f"bool() of an array of shape {self.shape!r} is ambiguous"
                + ("; test x.size > 0 instead" if size == 0 else "; use x.any() or x.all()")
            )
        return bool(self._host("bool()").reshape(()).item())

    def _concrete(self, what: str) -> None:
        """Refuse ``what`` (a conversion to a Python value) while a trace depends on us."""
        watch.host_read(self, what)
        node = self._node
        if node is not None and node.mask & active_mask():
            raise GradientError(
                f"{what} of an array that grad is tracing would drop its gradient (the Python "
                "value still depends on the input); use minpy.core.stop_gradient(x) where no "
                "gradient is wanted, or compute it outside grad"
            )

    def _scalar(self, what: str) -> Any:
        if self._data.ndim:
            raise TypeError(
                f"{what}() of an array of shape {self.shape!r}: only 0-d arrays convert to "
                "Python scalars; index the element (x[0]) or use x.item()"
            )
        return self._host(f"{what}()").item()

    def _host(self, what: str) -> Any:
        watch.host_read(self, what)
        return self._device.backend.to_host(self._data)

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
            watch.saw(k)
            return k._data
        if k is None or k is Ellipsis or isinstance(k, (int, slice)):
            return k
        backend = self._device.backend
        if not backend.on_host:
            if k.__class__ is list and not k:  # NumPy reads an empty list as integer indices
                k = numpy.zeros(0, dtype=numpy.intp)
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

    # methods: NumPy's, each calling the minpy.numpy function of its name with NumPy's
    # arguments (so they take every keyword that function takes) ---------------------------
    all, any, argmax, argmin, argsort = map(_method, ("all", "any", "argmax", "argmin", "argsort"))
    conj = conjugate = _method("conjugate")
    cumprod, cumsum, diagonal, dot = map(_method, ("cumprod", "cumsum", "diagonal", "dot"))
    max, mean, min, prod, ravel = map(_method, ("max", "mean", "min", "prod", "ravel"))
    repeat, round, searchsorted = map(_method, ("repeat", "round", "searchsorted"))
    squeeze, std, sum, swapaxes = map(_method, ("squeeze", "std", "sum", "swapaxes"))
    take, trace, var = map(_method, ("take", "trace", "var"))

    def clip(self, min: Any = None, max: Any = None, out: Any = None, **kwargs: Any) -> Array:
        return _np.clip(self, min, max, **_out(out), **kwargs)  # positional: CuPy has no min=

    def copy(self, order: str = "C") -> Array:
        return _np.copy(self) if order in ("C", "K") else _np.copy(self, order=order)

    def astype(self, dtype: Any, order: str = "K", casting: str = "unsafe", **kw: Any) -> Array:
        if not kw.pop("copy", True) and self._data.dtype == dtype:
            return self
        kw.pop("subok", None)  # one array type: subclasses are kept by definition
        if order != "K":
            kw["order"] = order
        if casting != "unsafe":
            kw["casting"] = casting
        return _np.astype(self, dtype, **kw)

    def reshape(self, *shape: Any, order: str = "C", **kwargs: Any) -> Array:
        if not shape:
            raise TypeError("reshape() needs the new shape, e.g. x.reshape(2, 3) or x.reshape(-1)")
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return _np.reshape(self, shape, order=order, **kwargs)

    def transpose(self, *axes: Any) -> Array:
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return _np.transpose(self, axes or None)

    def flatten(self, order: str = "C") -> Array:
        return _np.copy(_np.ravel(self, order))

    def view(self, dtype: Any = None, type: Any = None) -> Array:
        """A view of the same memory; with ``dtype``, its bytes read as that dtype."""
        if isinstance(dtype, builtins.type) and issubclass(dtype, (Array, numpy.ndarray)):
            dtype, type = None, dtype
        if type is not None and type is not Array and type is not numpy.ndarray:
            raise TypeError(f"view: minpy has one array type, Array; got type={type!r}")
        if dtype is None or numpy.dtype(dtype) == self._data.dtype:
            return _np.reshape(self, self._data.shape)  # a view, and differentiable
        return _VIEW(self, dtype)  # type: ignore[no-any-return]

    def compress(self, condition: Any, axis: Any = None, out: Any = None) -> Array:
        c = condition if isinstance(condition, Array) else Array(condition, self._device)
        if c.ndim != 1:
            raise ValueError(f"compress: condition must be 1-d, got shape {c.shape!r}")
        return _np.take(self, _np.nonzero(c)[0], axis=axis, **_out(out))  # differentiable

    def nonzero(self) -> tuple[Array, ...]:
        return _np.nonzero(self)

    def fill(self, value: Any) -> None:
        self[...] = value

    def sort(self, *args: Any, **kwargs: Any) -> None:
        inplace.assign(self, _np.sort(self, *args, **kwargs), "sort")

    @property
    def mT(self) -> Array:
        if self._data.ndim < 2:
            raise ValueError(
                f"mT: the matrix transpose needs 2 or more dimensions, got shape {self.shape!r}; "
                "use x.T, or add an axis first with x[None]"
            )
        return _np.swapaxes(self, -1, -2)

    @property
    def flat(self) -> FlatIter:
        return FlatIter(self)

    __copy__ = copy

    def __deepcopy__(self, memo: Any) -> Array:
        return self.copy()

    # operators: the primitive of each one's NumPy name; the in-place ones write in place with
    # NumPy's casting rule, or rebind while traced (minpy.inplace.update) -------------------
    __add__, __radd__, __iadd__ = _operators("add")
    __sub__, __rsub__, __isub__ = _operators("subtract")
    __mul__, __rmul__, __imul__ = _operators("multiply")
    __truediv__, __rtruediv__, __itruediv__ = _operators("divide")
    __floordiv__, __rfloordiv__, __ifloordiv__ = _operators("floor_divide")
    __mod__, __rmod__, __imod__ = _operators("remainder")
    __pow__, __rpow__, __ipow__ = _operators("power")
    __and__, __rand__, __iand__ = _operators("bitwise_and")
    __or__, __ror__, __ior__ = _operators("bitwise_or")
    __xor__, __rxor__, __ixor__ = _operators("bitwise_xor")
    __lshift__, __rlshift__, __ilshift__ = _operators("left_shift")
    __rshift__, __rrshift__, __irshift__ = _operators("right_shift")
    __matmul__, __rmatmul__ = _operators("matmul")[:2]  # a @= b: __imatmul__ below
    __divmod__, __rdivmod__ = _operators("divmod")[:2]
    __eq__ = _operators("equal")[0]  # type: ignore[assignment]
    __ne__ = _operators("not_equal")[0]  # type: ignore[assignment]
    __lt__ = _operators("less")[0]
    __le__ = _operators("less_equal")[0]
    __gt__ = _operators("greater")[0]
    __ge__ = _operators("greater_equal")[0]

    __neg__, __pos__ = _unary("negative"), _unary("positive")
    __abs__, __invert__ = _unary("absolute"), _unary("invert")

    def __imatmul__(self, o: Any) -> Array:
        # NumPy's a @= b is matmul(a, b, out=a): same shape, same_kind cast into a's dtype
        res = _np.matmul(self, o)
        if res._data.shape != self._data.shape:
            raise ValueError(
                f"matmul: a @= b must keep a's shape {self.shape!r}, but a @ b has shape "
                f"{res.shape!r}; write a = a @ b"
            )
        inplace.assign(self, inplace.cast_for_out(_np.matmul, res, self), "matmul")
        return self


NDArray = Array
