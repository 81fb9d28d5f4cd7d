"""``minpy.scipy.integrate``: ``odeint``, differentiable in the initial state, the times and the
arguments of the dynamics (the adjoint method).

The integration always runs SciPy's ``odeint`` (LSODA) on the host: CuPy has none, so on a
GPU the call falls back to the CPU like any primitive the device lacks. The dynamics
``func(y, t, *args)`` are written in minpy operations; the forward pass calls them on CPU
Arrays (``t`` a float), and the gradient takes their vector-Jacobian products from
``minpy.operators.make_vjp``. The gradient integrates the adjoint system backwards from each
output time to the one before (as HIPS autograd's ``odeint`` does), with the same
``odeint``, so it is itself differentiable: higher orders work.

Parameters that ``func`` should be differentiated in must come in through ``args``: a value
``func`` captures from an enclosing scope is a constant to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as _numpy
import scipy.integrate as _si

import minpy.numpy as np
from minpy.array import Array
from minpy.context import cpu
from minpy.operators import make_vjp
from minpy.primitive import Primitive, defvjp_argnum

__all__ = ["odeint"]

_odeint = Primitive("scipy.integrate.odeint", doc=_si.odeint.__doc__)
_FIXED = 2  # odeint's positional arguments before y0: func and the options


def odeint(
    func: Callable[..., Any], y0: Any, t: Any, args: Sequence[Any] = (), **options: Any
) -> Array:
    """Integrate ``dy/dt = func(y, t, *args)`` from ``y(t[0]) = y0``: ``y`` at each of ``t``.

    SciPy's ``scipy.integrate.odeint`` (keyword options such as ``rtol``/``atol``/``mxstep``
    pass on to it), differentiable w.r.t. ``y0``, ``t`` and each of ``args``.

    Parameters
    ----------
    func
        The dynamics, written in minpy operations: ``func(y, t, *args)`` returns ``dy/dt``,
        shaped like ``y``.
    y0
        The initial state, 1-D.
    t
        The increasing (or decreasing) times at which to report ``y``; ``t[0]`` is the start.
    args
        Arrays (or numbers) passed on to ``func``; each may be differentiated.

    Returns
    -------
    Array
        ``y`` at each time, shape ``(len(t), len(y0))``, on ``y0``'s device.

    Raises
    ------
    ValueError
        ``y0`` is not 1-D, or ``full_output`` was asked for.

    Examples
    --------
    >>> import minpy.numpy as np
    >>> from minpy.scipy.integrate import odeint
    >>> y = odeint(lambda y, t, k: -k * y, np.array([1.0]), np.array([0.0, 1.0]), (0.5,))
    >>> round(float(y[1, 0]), 6)
    0.606531
    """
    if options.get("full_output"):
        raise ValueError(
            "odeint: full_output=True is not supported (its diagnostics are not "
            "differentiable); call scipy.integrate.odeint on NumPy arrays for them"
        )
    if len(getattr(y0, "shape", _numpy.shape(y0))) != 1:
        raise ValueError(
            f"odeint: y0 must be 1-D, got shape {tuple(_numpy.shape(y0))!r}; "
            "flatten the state with y0.ravel() and reshape it inside func"
        )
    device = y0.device if isinstance(y0, Array) else None
    args = tuple(a if isinstance(a, Array) else np.array(a, device=device) for a in args)
    return _odeint(func, tuple(sorted(options.items())), y0, t, *args)  # type: ignore[no-any-return]


def _host(func: Callable[..., Any], options: Any, y0: Any, t: Any, *args: Any) -> Any:
    """The forward pass on NumPy arrays: SciPy's odeint of ``func`` called on CPU Arrays."""
    host = cpu()
    wrapped = [Array(a, host) if isinstance(a, _numpy.ndarray) else a for a in args]

    def rhs(y: Any, tt: float) -> Any:
        with host:  # what func creates (from a float t, say) is made on the CPU too
            dy = func(Array(y, host), tt, *wrapped)
        return dy.asnumpy() if isinstance(dy, Array) else _numpy.asarray(dy)

    return _si.odeint(rhs, _numpy.asarray(y0), _numpy.asarray(t), **dict(options))


_odeint.def_impl("numpy", _host)


def _augmented(func: Callable[..., Any], dim: int) -> Callable[..., Any]:
    """The adjoint system: ``y`` with ``dy/dt = f``, and the running gradients of ``y``, ``t``
    and the flattened ``args``, driven by ``-adj`` times the Jacobians of ``f``."""

    def dynamics(state: Any, tt: Any, *args: Any) -> Any:
        y, adj = state[:dim], state[dim : 2 * dim]
        tt = tt if isinstance(tt, Array) else np.array(tt, device=state.device)
        vjp, dy = make_vjp(func, list(range(2 + len(args))))(y, tt, *args)
        grads = vjp(-adj)
        return np.concatenate([dy] + [np.reshape(gr, (-1,)) for gr in grads])

    return dynamics


_last: list[Any] = [None, None, None]  # (g, ans, gradients): one adjoint run for every argnum


def _gradients(g: Any, ans: Any, func: Any, options: Any, t: Any, args: Sequence[Any]) -> list[Any]:
    """The gradients of ``y0``, ``t`` and each of ``args`` from ``g`` (the adjoint method)."""
    count, dim = ans.shape
    sizes = [int(_numpy.prod(a.shape)) for a in args]
    adj = g[count - 1]
    adj_t = np.zeros((1,), dtype=g.dtype, device=g.device)
    adj_args = np.zeros((sum(sizes),), dtype=g.dtype, device=g.device)
    times = []
    dynamics = _augmented(func, dim)
    for i in range(count - 1, 0, -1):
        at_t = np.reshape(np.dot(func(ans[i], t[i], *args), g[i]), (1,))
        times.append(at_t)
        adj_t = adj_t - at_t
        state = np.concatenate([ans[i], adj, adj_t, adj_args])
        span = np.stack([t[i], t[i - 1]])
        back = _odeint(dynamics, options, state, span, *args)[1]
        adj = back[dim : 2 * dim] + g[i - 1]
        adj_t = back[2 * dim : 2 * dim + 1]
        adj_args = back[2 * dim + 1 :]
    times.append(adj_t)
    out = [adj, np.concatenate(times[::-1])]
    start = 0
    for a, n in zip(args, sizes):
        out.append(np.reshape(adj_args[start : start + n], a.shape))
        start += n
    return out


def _rule(argnum: int, g: Any, ans: Any, func: Any, options: Any, *rest: Any) -> Any:
    if argnum < _FIXED:
        raise ValueError(f"odeint: argument {argnum} (func or the options) has no gradient")
    if _last[0] is not g or _last[1] is not ans:
        _, t, *args = rest
        raw = not isinstance(g, Array)  # the raw host mode: NumPy arrays, made CPU Arrays
        wrap = (lambda x: Array(x, cpu()) if isinstance(x, _numpy.ndarray) else x) if raw else None
        if wrap is not None:
            grads = _gradients(wrap(g), wrap(ans), func, options, wrap(t), [wrap(a) for a in args])
            grads = [x.asnumpy() for x in grads]
        else:
            grads = _gradients(g, ans, func, options, t, args)
        _last[:] = [g, ans, grads]
    return _last[2][argnum - _FIXED]


defvjp_argnum(_odeint, _rule, keep="all")
