"""MinPy's ``quick_grad_check``: one directional finite difference against ``grad``.

For thorough checks (every argument, several directions, second order) use
``minpy.testing.check_grads``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad

__all__ = ["quick_grad_check"]


def _total(value: Any) -> float:
    """The sum of ``fun``'s output as a float (the gradient of a non-scalar is of its sum)."""
    host = value.asnumpy() if isinstance(value, Array) else numpy.asarray(value)
    return float(numpy.sum(host))


def quick_grad_check(
    fun: Callable[[Any], Any],
    arg: Any,
    verbose: bool = True,
    eps: float = 1e-2,
    rtol: float = 1e-2,
    atol: float = 1e-2,
    rs: numpy.random.RandomState | None = None,
) -> bool:
    """Check ``grad(fun)`` at ``arg`` along one random unit direction (MinPy's).

    The direction ``d`` is drawn from ``rs`` (a NumPy ``RandomState``; a fresh unseeded one by
    default) and normalised. The numeric slope ``(f(arg + eps d/2) - f(arg - eps d/2)) / eps``
    is compared with ``<grad f(arg), d>`` by ``numpy.allclose(rtol, atol)``. A non-scalar output
    counts as its sum, as ``grad`` seeds it with ones. ``arg`` is taken in float64.

    Parameters
    ----------
    fun
        A function of one array returning a minpy value.
    arg
        The point: an Array, a NumPy array or a number.
    verbose
        Print the two slopes and the verdict.
    eps, rtol, atol
        The finite-difference step and the tolerances.
    rs
        The ``numpy.random.RandomState`` the direction is drawn from.

    Returns
    -------
    bool
        Whether the two slopes agree.

    Examples
    --------
    >>> import numpy
    >>> import minpy.numpy as np
    >>> from minpy.utils.gradient_checker import quick_grad_check
    >>> rs = numpy.random.RandomState(0)
    >>> quick_grad_check(lambda x: np.sum(x ** 3), np.array([1.0, 2.0]), verbose=False, rs=rs)
    True
    """
    if rs is None:
        rs = numpy.random.RandomState()
    device = arg.device if isinstance(arg, Array) else None
    point = numpy.asarray(arg.asnumpy() if isinstance(arg, Array) else arg, dtype=numpy.float64)
    direction = rs.standard_normal(point.shape)
    direction = direction / numpy.sqrt(numpy.sum(direction * direction))

    def at(x: Any) -> Any:
        return np.array(x, device=device)

    numeric = (
        _total(fun(at(point + eps / 2 * direction))) - _total(fun(at(point - eps / 2 * direction)))
    ) / eps
    g = grad(fun)(at(point))
    host_g = g.asnumpy() if isinstance(g, Array) else numpy.asarray(g)
    analytic = float(numpy.sum(host_g * direction))
    passed = bool(numpy.allclose(numeric, analytic, rtol=rtol, atol=atol))
    if verbose:
        verdict = "Gradient projection OK" if passed else "Check failed!"
        print(f"{verdict} (numeric grad: {numeric}, analytic grad: {analytic})")
    return passed
