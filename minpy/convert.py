"""MinPy's conversions between NumPy values and Arrays, and the decorators built on them.

minpy's functions take NumPy arrays and numbers anyway; these keep MinPy's code running.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array

__all__ = ["convert_args", "minpy_to_numpy", "numpy_to_minpy", "return_numpy"]


def numpy_to_minpy(var: Any) -> Any:
    """``var`` as an Array if it is a NumPy array or number, else unchanged (MinPy's).

    Examples
    --------
    >>> import numpy
    >>> from minpy.core import numpy_to_minpy
    >>> numpy_to_minpy(numpy.ones(2))
    array([1., 1.])
    """
    if isinstance(var, (numpy.ndarray, numpy.generic, int, float, complex)) and not isinstance(
        var, bool
    ):
        return np.asarray(var)
    return var


def minpy_to_numpy(var: Any) -> Any:
    """``var`` with every Array in it (lists, tuples, dicts too) as a NumPy array (MinPy's)."""
    if isinstance(var, Array):
        return var.asnumpy()
    if isinstance(var, (list, tuple)):
        return type(var)(minpy_to_numpy(v) for v in var)
    if isinstance(var, dict):
        return {k: minpy_to_numpy(v) for k, v in var.items()}
    return var


def convert_args(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator (MinPy's): NumPy arrays and numbers among the arguments become Arrays."""

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        args = tuple(numpy_to_minpy(a) for a in args)
        return func(*args, **{k: numpy_to_minpy(v) for k, v in kwargs.items()})

    return wrapped


def return_numpy(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator (MinPy's): the result with every Array in it as a NumPy array."""

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return minpy_to_numpy(func(*args, **kwargs))

    return wrapped
