"""``minpy.scipy.linalg``: SciPy's linear algebra as differentiable primitives.

``solve_triangular``, ``cholesky``, ``solve_sylvester``, ``sqrtm`` and ``expm`` run SciPy's
functions on the CPU; on a GPU ``cupyx.scipy.linalg``'s where CuPy has one
(``solve_triangular``, ``expm``), the CPU otherwise. ``inv``, ``det`` and ``solve`` are
``minpy.numpy.linalg``'s (NumPy's signature: SciPy's ``overwrite_*``/``check_finite``/
``assume_a`` keywords are not accepted).

The rules are written in these primitives, so every order can be differentiated:

- ``solve_triangular`` reads one triangle (and with ``unit_diagonal`` not the diagonal): its
  gradient lies on the entries read.
- ``cholesky`` is ``minpy.numpy.linalg.cholesky``'s rule (the gradient of a Hermitian input,
  symmetrized), with SciPy's default ``lower=False``.
- ``solve_sylvester`` (``A X + X B = Q``) and ``sqrtm`` (``X X = A``) are transposed through
  the Sylvester equation with ``A^T``, ``B^T``; ``expm``'s Frechet derivative comes from the
  exponential of the block matrix ``[[A^T, G], [0, A^T]]``.

Complex inputs follow the package's convention (see ``minpy.numpy.vjps``): these functions are
holomorphic (``trans=2``, the conjugate transpose, is not, and is conjugated where it must).
"""

from __future__ import annotations

from typing import Any

import scipy.linalg as _sl

import minpy.numpy as np
from minpy.numpy import linalg as _linalg
from minpy.numpy.vjps._helpers import drop_imag, swap
from minpy.primitive import defvjp
from minpy.scipy._wrapping import wrap_scipy

__all__ = [
    "cholesky",
    "det",
    "expm",
    "inv",
    "solve",
    "solve_sylvester",
    "solve_triangular",
    "sqrtm",
]

_p = wrap_scipy(_sl, ["solve_triangular", "cholesky", "solve_sylvester", "sqrtm", "expm"])
solve_triangular = _p["solve_triangular"]
cholesky = _p["cholesky"]
solve_sylvester = _p["solve_sylvester"]
sqrtm = _p["sqrtm"]
expm = _p["expm"]
inv = _linalg.inv
det = _linalg.det
solve = _linalg.solve

_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2, "n": 0, "t": 1, "c": 2}


# --------------------------------------------------------------------------------------------
# solve_triangular


def _trans(trans: Any) -> int:
    try:
        return _TRANS[trans]
    except (KeyError, TypeError):
        raise ValueError(
            f"solve_triangular: trans={trans!r} is not one of 0, 1, 2, 'N', 'T', 'C'; "
            "pick one of those"
        ) from None


def _triangular_t(g: Any, a: Any, trans: int, lower: bool, unit_diagonal: bool) -> Any:
    """``op(T)^-T g`` for ``op`` chosen by ``trans`` (the transpose of the solve)."""
    if trans == 2:  # (T^H)^-T = conj(T)^-1
        return solve_triangular(np.conj(a), g, trans=0, lower=lower, unit_diagonal=unit_diagonal)
    return solve_triangular(a, g, trans=1 - trans, lower=lower, unit_diagonal=unit_diagonal)


def _solve_triangular_b(
    g: Any,
    ans: Any,
    a: Any,
    b: Any,
    trans: Any = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    **kw: Any,
) -> Any:
    return drop_imag(_triangular_t(g, a, _trans(trans), lower, unit_diagonal), b)


def _solve_triangular_a(
    g: Any,
    ans: Any,
    a: Any,
    b: Any,
    trans: Any = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    **kw: Any,
) -> Any:
    # x = B^-1 b with B = op(T): the gradient of B is -(B^-T g) x^T; then back through op
    t = _trans(trans)
    gb = _triangular_t(g, a, t, lower, unit_diagonal)
    if b.ndim == 1:
        g_op = -np.expand_dims(gb, -1) * np.expand_dims(ans, -2)
    else:
        g_op = -np.matmul(gb, swap(ans))
    g_t = g_op if t == 0 else swap(g_op) if t == 1 else np.conj(swap(g_op))
    k = -1 if unit_diagonal else 0
    g_t = np.tril(g_t, k) if lower else np.triu(g_t, -k)
    return drop_imag(g_t, a)


defvjp(solve_triangular, _solve_triangular_a, _solve_triangular_b, keep="all")


# --------------------------------------------------------------------------------------------
# cholesky: minpy.numpy.linalg.cholesky's rule, with SciPy's default (upper)

_numpy_cholesky = _linalg.cholesky.rule(0)


def _cholesky(g: Any, ans: Any, a: Any, lower: bool = False, **kw: Any) -> Any:
    return _numpy_cholesky(g, ans, a, upper=not lower)


defvjp(cholesky, _cholesky, keep="ans")


# --------------------------------------------------------------------------------------------
# solve_sylvester, sqrtm


def _sylvester_t(g: Any, a: Any, b: Any) -> Any:
    """``Y`` with ``A^T Y + Y B^T = G``: the transpose of ``Q -> X`` applied to ``g``."""
    return solve_sylvester(swap(a), swap(b), g)


def _sylvester_a(g: Any, ans: Any, a: Any, b: Any, q: Any) -> Any:
    return drop_imag(-np.matmul(_sylvester_t(g, a, b), swap(ans)), a)


def _sylvester_b(g: Any, ans: Any, a: Any, b: Any, q: Any) -> Any:
    return drop_imag(-np.matmul(swap(ans), _sylvester_t(g, a, b)), b)


def _sylvester_q(g: Any, ans: Any, a: Any, b: Any, q: Any) -> Any:
    return drop_imag(_sylvester_t(g, a, b), q)


defvjp(solve_sylvester, _sylvester_a, _sylvester_b, _sylvester_q, keep="all")


def _sqrtm(g: Any, ans: Any, a: Any, **kw: Any) -> Any:
    # X X = A: X dX + dX X = dA, a Sylvester equation in dX
    return drop_imag(_sylvester_t(g, ans, ans), a)


defvjp(sqrtm, _sqrtm, keep="all")


# --------------------------------------------------------------------------------------------
# expm


def _expm(g: Any, ans: Any, a: Any) -> Any:
    # the Frechet derivative L(A^T, G) is the upper right block of expm([[A^T, G], [0, A^T]])
    n = a.shape[-1]
    at = swap(a)
    zeros = np.zeros_like(g)
    top = np.concatenate([at, g], axis=-1)
    bottom = np.concatenate([zeros, at], axis=-1)
    block = expm(np.concatenate([top, bottom], axis=-2))
    return drop_imag(block[..., :n, n:], a)


defvjp(expm, _expm, keep="args")
