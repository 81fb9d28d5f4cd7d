"""Rules of ``minpy.numpy.linalg``: inv, det, solve, norm, cholesky, matrix_power (the
decompositions are in ``decompositions``).

Complex matrices follow the package's convention (``dL/dx - i dL/dy``): inv, det, solve and
matrix_power are holomorphic, so their rules are the real formulas with plain transposes;
norm and cholesky (``A = L L^H``) are not, and conjugate where they must.
Where no derivative exists (the norm of a zero vector) the rule returns the subgradient 0.
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.numpy import linalg
from minpy.numpy.vjps._helpers import (
    drop_imag,
    expand_to,
    is_complex,
    keepdims_shape,
    safe_divide,
    swap,
    unbroadcast,
    zero,
)
from minpy.primitive import defvjp, defvjp_argnum


def _inv(g: Any, ans: Any, x: Any) -> Any:
    t = swap(ans)
    return -np.matmul(np.matmul(t, g), t)


defvjp(linalg.inv, _inv, keep="ans")


def _det(g: Any, ans: Any, x: Any) -> Any:
    # d det(A) = tr(adj(A) dA): the adjugate, which exists at singular matrices too (det A^-1
    # does not); from A = U S V^H, adj(A) = det(U) det(V^H) V adj(S) U^H
    u, s, vh = linalg.svd(x)
    ones = np.ones(s.shape[:-1] + (1,), dtype=s.dtype, device=s.device)
    before = np.concatenate([ones, np.cumprod(s[..., :-1], axis=-1)], axis=-1)
    after = np.flip(np.concatenate([ones, np.cumprod(np.flip(s, -1)[..., :-1], axis=-1)], -1), -1)
    turn = linalg.det(u) * linalg.det(vh) * g
    adj = np.matmul(swap(vh) * np.expand_dims(before * after, -2), swap(u))
    if is_complex(adj):
        adj = np.conj(adj)  # V adj(S) U^H with V = (V^H)^H
    return drop_imag(np.expand_dims(np.expand_dims(turn, -1), -1) * swap(adj), x)


defvjp(linalg.det, _det, keep="all")


def _solve_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if b.ndim == 1 and a.ndim > 2:  # one vector solved against a stack of matrices
        gb = np.squeeze(linalg.solve(swap(a), np.expand_dims(g, -1)), -1)
        return unbroadcast(gb, b)
    return drop_imag(linalg.solve(swap(a), g), b)


def _solve_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if b.ndim == 1:
        gb = np.squeeze(linalg.solve(swap(a), np.expand_dims(g, -1)), -1)
        return drop_imag(-np.expand_dims(gb, -1) * np.expand_dims(ans, -2), a)
    return drop_imag(-np.matmul(linalg.solve(swap(a), g), swap(ans)), a)


defvjp(linalg.solve, _solve_a, _solve_b, keep="all")


def _norm(
    g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False
) -> Any:
    matrix = (axis is None and x.ndim == 2 and ord is not None) or (
        isinstance(axis, tuple) and len(axis) == 2
    )
    if matrix and ord not in ("fro", None):
        return _matrix_norm(g, x, ord, (-2, -1) if axis is None else axis)
    if ord not in (None, 2, "fro"):
        return _vector_norm(g, ans, x, ord, axis)
    # g conj(x) / |x|; the norm of a zero vector has no derivative: the subgradient 0 there
    # (as PyTorch; HIPS autograd and JAX give nan)
    scale = np.reshape(ans, keepdims_shape(x, axis))
    share = safe_divide(np.reshape(g, scale.shape) if g.ndim else g, scale)
    return expand_to(share, x, axis) * (np.conj(x) if is_complex(x) else x)


def _vector_norm(g: Any, ans: Any, x: Any, ord: Any, axis: Any) -> Any:
    if not isinstance(ord, (int, float)):
        raise NotImplementedError(
            f"linalg.norm: no gradient rule for the vector ord={ord!r}; use a number or inf"
        )
    if ord == 0:  # the count of nonzero entries: locally constant
        return zero(g, ans, x)
    if ord in (float("inf"), float("-inf")):
        return _extreme_norm(g, ans, x, axis)
    # (sum |x|^p)^(1/p): g |x|^(p-1) sign(x) / norm^(p-1), sign(x) = conj(x)/|x| (0 at 0)
    scale = np.reshape(ans, keepdims_shape(x, axis))
    share = np.reshape(g, scale.shape) if g.ndim else g
    share = share * safe_divide(1.0, scale) ** (ord - 1)
    mag = np.abs(x)
    sign = safe_divide(np.conj(x) if is_complex(x) else x, mag)
    return expand_to(share, x, axis) * mag ** (ord - 1) * sign


def _extreme_norm(g: Any, ans: Any, x: Any, axis: Any) -> Any:
    """ord=inf (-inf): the max (min) of ``|x|``, whose gradient goes to the entries that reach
    it; ties share it evenly (as ``max``'s rule)."""
    best = np.reshape(ans, keepdims_shape(x, axis))
    share = np.reshape(g, best.shape) if g.ndim else g
    mag = np.abs(x)
    hit = mag == best
    ties = np.sum(hit, axis=axis, keepdims=True, dtype=mag.dtype)
    sign = safe_divide(np.conj(x) if is_complex(x) else x, mag)
    return expand_to(share, x, axis) * sign * (hit / ties)


def _matrix_norm(g: Any, x: Any, ord: Any, axis: tuple[int, int]) -> Any:
    m = np.moveaxis(x, axis, (-2, -1))
    share = np.reshape(g, m.shape[:-2] + (1, 1))
    if ord in ("nuc", 2, -2):  # through the svd: d s_i = Re(u_i^H dA v_i)
        u, _, vh = linalg.svd(m, full_matrices=False)
        if ord == 2:
            u, vh = u[..., :, :1], vh[..., :1, :]
        elif ord == -2:
            u, vh = u[..., :, -1:], vh[..., -1:, :]
        grad = share * np.matmul(u, vh)
        grad = np.conj(grad) if is_complex(grad) else grad
    elif ord in (1, -1, float("inf"), float("-inf")):  # the max (min) of the column (row) sums
        along = -2 if ord in (1, -1) else -1
        mag = np.abs(m)
        sums = np.sum(mag, axis=along, keepdims=True)
        best = np.max(sums, axis=-1 - (along == -1), keepdims=True) if ord > 0 else None
        if ord < 0:
            best = np.min(sums, axis=-1 - (along == -1), keepdims=True)
        chosen = sums == best
        ties = np.sum(chosen, axis=-1 - (along == -1), keepdims=True)  # ties share
        sign = safe_divide(np.conj(m) if is_complex(m) else m, mag)
        grad = share * sign * (chosen / ties)
    else:
        raise NotImplementedError(
            f"linalg.norm: no gradient rule for the matrix ord={ord!r}; use 'fro', 'nuc', "
            "1, -1, 2, -2, inf or -inf"
        )
    return np.moveaxis(grad, (-2, -1), axis)


defvjp(linalg.norm, _norm, keep="all")


def _cholesky(g: Any, ans: Any, a: Any, upper: bool = False) -> Any:
    # A = L L^H gives dL = L phi(L^-1 dA L^-H), phi = lower triangle with the diagonal halved;
    # so the gradient is L^-T phi(L^T g) conj(L)^-1, made Hermitian (A is: only its
    # Hermitian part is seen). For a real A that is L^-T phi(L^T g) L^-1, symmetrized.
    herm = _conj_if(swap, is_complex(ans))
    low, gl = (herm(ans), herm(g)) if upper else (ans, g)  # U = L^H: back to L
    half = 1.0 - 0.5 * np.eye(low.shape[-1], dtype=low.dtype, device=g.device)
    phi = np.tril(np.matmul(swap(low), gl)) * half
    # L^-T phi conj(L)^-1 = (conj(L)^-T (L^-T phi)^T)^T = (L^-H (L^-T phi)^T)^T
    s = swap(linalg.solve(herm(low), swap(linalg.solve(swap(low), phi))))
    return (s + herm(s)) * 0.5


def _conj_if(f: Any, complex_: bool) -> Any:
    """``f`` followed by a conjugate when ``complex_`` (a transpose becomes the adjoint)."""
    return (lambda m: np.conj(f(m))) if complex_ else f


defvjp(linalg.cholesky, _cholesky, keep="ans")


def _matrix_power(g: Any, ans: Any, a: Any, n: int) -> Any:
    if n == 0:
        return np.zeros(a.shape, dtype=g.dtype, device=g.device)
    base = a if n > 0 else linalg.inv(a)
    m = abs(n)
    powers = [None, base]  # powers[k] = base ** k for k = 1 .. m - 1
    for _ in range(2, m):
        powers.append(np.matmul(powers[-1], base))
    # d(B^m) = sum over k of B^k dB B^(m-1-k), so g meets transposed powers on either side
    total = None
    for k in range(m):
        term = g if k == 0 else np.matmul(swap(powers[k]), g)
        if m - 1 - k:
            term = np.matmul(term, swap(powers[m - 1 - k]))
        total = term if total is None else total + term
    return total if n > 0 else _inv(total, base, a)  # through B = inv(a)


defvjp(linalg.matrix_power, _matrix_power, keep="args")


# --------------------------------------------------------------------------------------------
# lstsq


def _lstsq_cutoff(a: Any, rcond: Any) -> float:
    """The relative cutoff of small singular values that ``lstsq`` used (NumPy's default)."""
    eps = float(np.finfo(a.dtype).eps)
    if rcond is None:
        return eps * float(max(a.shape[-2], a.shape[-1]))
    return eps if rcond < 0 else float(rcond)


def _lstsq(argnum: int, g: Any, ans: Any, a: Any, b: Any, rcond: Any = None) -> Any:
    # x = P b with P = pinv(A) at a constant rank, so dx = dP b + P db with
    # dP = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P; in the adjoint convention
    # (conjugated into the package's at the end) that gives, with r = b - A x,
    # b_bar = P^H x_bar and A_bar = -P^H x_bar x^H + r x_bar^H P P^H + P^H x (x_bar^H)(I - P A).
    # residuals = |r|^2 per column (rank n, m > n): A^H r = 0 there, so
    # d res = 2 Re r^H (db - dA x).
    # The rank is an integer (no gradient); the singular values take the svd's rule.
    g_x, g_res, _, g_s = g
    x, res = ans[0], ans[1]
    vector = b.ndim == 1
    col = (lambda v: np.expand_dims(v, -1)) if vector else (lambda v: v)
    x2, b2 = col(x), col(b)
    conj = np.conj if is_complex(a) or is_complex(b) or is_complex(x) else (lambda v: v)
    a_bar: Any = None
    b_bar: Any = None
    if g_x is not None:
        gx = conj(col(g_x))
        p = linalg.pinv(a, rcond=_lstsq_cutoff(a, rcond))
        p_h = conj(swap(p))
        pg = np.matmul(p_h, gx)
        b_bar = pg
        if argnum == 0:
            r = b2 - np.matmul(a, x2)
            x_h, gx_h = conj(swap(x2)), conj(swap(gx))
            eye = np.eye(a.shape[-1], dtype=p.dtype, device=g_x.device)
            a_bar = (
                -np.matmul(pg, x_h)
                + np.matmul(np.matmul(r, gx_h), np.matmul(p, p_h))
                + np.matmul(np.matmul(p_h, x2), np.matmul(gx_h, eye - np.matmul(p, a)))
            )
    if g_res is not None and res.shape[-1]:
        r2 = (b2 - np.matmul(a, x2)) * (2.0 * g_res)
        b_bar = r2 if b_bar is None else b_bar + r2
        if argnum == 0:
            term = -np.matmul(r2, conj(swap(x2)))
            a_bar = term if a_bar is None else a_bar + term
    if argnum == 0 and g_s is not None:
        u, _, vh = linalg.svd(a, full_matrices=False)
        term = np.matmul(u * g_s, vh)  # d s_i = Re u_i^H dA v_i
        a_bar = term if a_bar is None else a_bar + term
    grad, like = (a_bar, a) if argnum == 0 else (b_bar, b)
    if grad is None:
        return np.zeros_like(like)
    grad = conj(grad)
    if argnum == 1 and vector:
        grad = np.squeeze(grad, -1)
    return drop_imag(grad, like)


defvjp_argnum(linalg.lstsq, _lstsq, keep="all")
