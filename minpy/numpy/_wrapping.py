"""Builds minpy namespaces from NumPy's: each public function becomes a Primitive.

Classes (dtypes, ``errstate``, ``finfo``) and constants pass through unchanged; a few host-only
utilities (printing options, dtype queries) are NumPy's own functions.
"""

from __future__ import annotations

import types
from typing import Any

import numpy

from minpy.primitive import Primitive, numpy_functions, registry

__all__ = ["HOST_ONLY", "NESTED", "VIEWS", "wrap_namespace"]

#: functions that never touch array data: NumPy's own, unwrapped
HOST_ONLY = frozenset(
    {
        "base_repr",
        "binary_repr",
        "broadcast_shapes",
        "can_cast",
        "common_type",
        "format_float_positional",
        "format_float_scientific",
        "get_include",
        "get_printoptions",
        "getbufsize",
        "geterr",
        "geterrcall",
        "info",
        "isdtype",
        "issubdtype",
        "iterable",
        "min_scalar_type",
        "mintypecode",
        "printoptions",
        "promote_types",
        "result_type",
        "set_printoptions",
        "setbufsize",
        "seterr",
        "seterrcall",
        "show_config",
        "show_runtime",
        "typename",
    }
)
#: functions that take Arrays inside a list or tuple argument
NESTED = frozenset(
    {
        "block",
        "choose",
        "lexsort",
        "piecewise",
        "select",
        "savez",
        "savez_compressed",
        "union1d",
        "ix_",
    }
)
#: functions whose result may be a view of their first argument
VIEWS = frozenset(
    {
        "broadcast_to",
        "diagonal",
        "expand_dims",
        "flip",
        "fliplr",
        "flipud",
        "imag",
        "matrix_transpose",
        "moveaxis",
        "ravel",
        "real",
        "reshape",
        "rollaxis",
        "rot90",
        "squeeze",
        "swapaxes",
        "transpose",
        "permute_dims",
    }
)


def wrap_namespace(
    module: types.ModuleType, prefix: str = "", skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``{name: object}`` for the public names of ``module``, functions made Primitives."""
    out: dict[str, Any] = {}
    made: dict[int, Primitive] = {}
    for name in sorted(dir(module)):
        if name.startswith("_") or name in skip:
            continue
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            continue  # submodules: minpy has its own random, linalg and fft
        if isinstance(obj, type) or not callable(obj) or name in HOST_ONLY:
            out[name] = obj
            continue
        prim = made.get(id(obj))
        if prim is None:
            # aliases (abs/absolute) share one primitive, named as the function calls itself
            canonical = getattr(obj, "__name__", name)
            if getattr(module, canonical, None) is not obj:
                canonical = name
            full = prefix + canonical
            prim = registry.get(full) or Primitive(
                full, doc=obj.__doc__, nested=canonical in NESTED, view=canonical in VIEWS
            )
            made[id(obj)] = prim
        out[name] = prim
        numpy_functions.setdefault(obj, prim)
    return out


def is_ufunc_name(name: str) -> bool:
    """Whether NumPy's ``name`` is a ufunc (elementwise, accepts lists)."""
    return isinstance(getattr(numpy, name, None), numpy.ufunc)
