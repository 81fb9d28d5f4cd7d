"""Rules of ``minpy.numpy.linalg``'s decompositions: eigh, eigvalsh, svd, qr, pinv, slogdet.

Several of these return a tuple (``eigh`` gives ``(w, v)``, ``svd`` ``(u, s, vh)``). Such a
primitive has one rule over all its outputs (``minpy.record``): ``g`` is a ``Cotangents``, the
outputs' gradients in order with ``None`` where none arrived, and ``ans`` the tuple of outputs.
Where an option makes the primitive return one array (``compute_uv=False``, ``mode="r"``) the
rule recomputes the decomposition it needs.

The formulas are derived in the adjoint convention ``dL = Re tr(A_bar^H dA)`` (PyTorch's,
``_bar`` names) and conjugated at the end into the package's (``dL/dx - i dL/dy``); for real
matrices both are the same. They hold where the decomposition is differentiable:

- eigh and svd need distinct eigenvalues (singular values, and for a non-square svd nonzero
  ones). At a degenerate point the eigenvectors are not unique and the rule divides by zero
  there; we give 0 for those pairs, which is right only for a loss that does not depend on the
  choice of basis within the degenerate space (the eigenvalues alone, say).
- Eigen- and singular vectors are defined up to a sign (a phase for complex input); a loss
  must not depend on that choice, or it has no gradient. The extra columns of
  ``svd(full_matrices=True)`` are not unique either: the rule ignores their gradients.
- ``eigh``, ``eigvalsh`` and ``hermitian=True`` read one triangle (``UPLO``) and the real part
  of the diagonal only: the gradient lives on that triangle.
- qr needs a full-rank input (and ``mode="complete"`` a square or wide one); pinv a constant
  rank near the input; slogdet a nonsingular matrix.
"""

from __future__ import annotations

from typing import Any

import minpy.numpy as np
from minpy.numpy import linalg
from minpy.numpy.vjps._helpers import drop_imag, is_complex, safe_divide, swap
from minpy.primitive import defvjp


def _conj(x: Any) -> Any:
    return np.conj(x) if is_complex(x) else x


def _h(x: Any) -> Any:
    """The adjoint (conjugate transpose) of a stack of matrices."""
    return _conj(swap(x))


def _diag(v: Any) -> Any:
    """A stack of diagonal matrices with ``v`` on their diagonals."""
    return np.expand_dims(v, -1) * np.eye(v.shape[-1], dtype=v.dtype, device=v.device)


def _diagonal(m: Any) -> Any:
    return np.diagonal(m, 0, -2, -1)


def _gaps(w: Any) -> Any:
    """``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it (and at ties)."""
    return safe_divide(1.0, np.expand_dims(w, -2) - np.expand_dims(w, -1))


def _on_triangle(a_bar: Any, x: Any, uplo: str) -> Any:
    """The gradient of ``f(H)`` where ``H`` is the Hermitian matrix LAPACK builds from one
    triangle of ``x`` and the real part of its diagonal, from ``a_bar`` (w.r.t. ``H``)."""
    sym = (a_bar + _h(a_bar)) * 0.5
    tri = np.tril(sym, -1) if uplo.upper() == "L" else np.triu(sym, 1)
    full = tri * 2.0 + _diag(np.real(_diagonal(sym)) if is_complex(sym) else _diagonal(sym))
    return drop_imag(_conj(full), x)


# --------------------------------------------------------------------------------------------
# slogdet


def _slogdet(g: Any, ans: Any, a: Any) -> Any:
    g_sign, g_log = g
    sign = ans[0]
    scale = g_log  # d log|det| = Re tr(A^-1 dA); the sign of a real det is locally constant
    if g_sign is not None and is_complex(sign):  # d arg(det) = Im tr(A^-1 dA)
        turn = 1j * np.imag(g_sign * sign)
        scale = turn if scale is None else scale + turn
    if scale is None:
        return np.zeros(a.shape, dtype=a.dtype, device=a.device)
    return np.expand_dims(np.expand_dims(scale, -1), -1) * swap(linalg.inv(a))


defvjp(linalg.slogdet, _slogdet, keep="all")


# --------------------------------------------------------------------------------------------
# eigh, eigvalsh


def _eigh(g: Any, ans: Any, a: Any, UPLO: str = "L") -> Any:
    g_w, g_v = g
    w, v = ans
    inner: Any = 0.0
    if g_w is not None:
        inner = _diag(g_w)
    if g_v is not None:  # dV = V (F o V^H dA V): adjoint V (F o V^H gV_bar) V^H
        inner = inner + _gaps(w) * np.matmul(_h(v), _conj(g_v))
    if g_w is None and g_v is None:
        return np.zeros(a.shape, dtype=a.dtype, device=a.device)
    return _on_triangle(np.matmul(np.matmul(v, inner), _h(v)), a, UPLO)


def _eigvalsh(g: Any, ans: Any, a: Any, UPLO: str = "L") -> Any:
    _, v = linalg.eigh(a, UPLO)
    return _on_triangle(np.matmul(v * np.expand_dims(g, -2), _h(v)), a, UPLO)


defvjp(linalg.eigh, _eigh, keep="all")
defvjp(linalg.eigvalsh, _eigvalsh, keep="args")


# --------------------------------------------------------------------------------------------
# svd


def _svd(
    g: Any,
    ans: Any,
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    hermitian: bool = False,
) -> Any:
    if not compute_uv:  # one output, s: the vectors are recomputed
        ans, g = linalg.svd(a, full_matrices=False, hermitian=hermitian), (None, g, None)
    u, s, vh = ans
    g_u, g_s, g_vh = g
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    if full_matrices and compute_uv:  # the extra columns are not unique: their gradient drops
        u, vh = u[..., :, :k], vh[..., :k, :]
        g_u = None if g_u is None else g_u[..., :, :k]
        g_vh = None if g_vh is None else g_vh[..., :k, :]
    inner: Any = 0.0 if g_s is None else _diag(g_s)
    extra: Any = 0.0
    if g_u is not None or g_vh is not None:
        f = _gaps(s * s)  # 1 / (s_j^2 - s_i^2)
        s_row, s_col = np.expand_dims(s, -2), np.expand_dims(s, -1)
        if g_u is not None:
            gu_bar = _conj(g_u)
            uhgu = np.matmul(_h(u), gu_bar)
            inner = inner + f * (uhgu - _h(uhgu)) * s_row
            if is_complex(uhgu):  # the phase of u_i, with v_i's held fixed
                inner = inner + _diag(1j * safe_divide(np.imag(_diagonal(uhgu)), s))
            if m > k:  # (I - U U^H) gU_bar S^-1
                rest = gu_bar - np.matmul(u, uhgu)
                extra = np.matmul(rest / s_row, vh)
        if g_vh is not None:
            gvh_bar = _conj(g_vh)  # (the adjoint of V^H: gV_bar = gVh_bar^H)
            vhgv = np.matmul(vh, _h(gvh_bar))
            inner = inner + s_col * (f * (vhgv - _h(vhgv)))
            if n > k:  # U S^-1 gV_bar^H (I - V V^H)
                rest = gvh_bar - np.matmul(_h(vhgv), vh)
                extra = extra + np.matmul(u, rest / s_col)
    a_bar = np.matmul(np.matmul(u, inner), vh) + extra
    if hermitian:
        return _on_triangle(a_bar, a, "L")
    return drop_imag(_conj(a_bar), a)


defvjp(linalg.svd, _svd, keep="all")


# --------------------------------------------------------------------------------------------
# qr


def _qr(g: Any, ans: Any, a: Any, mode: str = "reduced") -> Any:
    m, n = a.shape[-2], a.shape[-1]
    if mode == "r":
        ans, g = linalg.qr(a), (None, g)
    elif mode not in ("reduced", "complete") or (mode == "complete" and m > n):
        raise NotImplementedError(
            f"linalg.qr: no gradient rule for mode={mode!r} with shape {tuple(a.shape)!r}; "
            "use mode='reduced' (the extra columns of a complete Q are not unique)"
        )
    q, r = ans
    g_q, g_r = g
    gq_bar = None if g_q is None else _conj(g_q)
    gr_bar = None if g_r is None else _conj(g_r)
    if m < n:  # A = Q [R1 R2]: R1 from the square A1, R2 = Q^H A2
        gr2 = None if gr_bar is None else gr_bar[..., :, m:]
        if gr2 is not None:
            from_r2 = np.matmul(a[..., :, m:], _h(gr2))
            gq_bar = from_r2 if gq_bar is None else gq_bar + from_r2
        gr_bar = None if gr_bar is None else gr_bar[..., :, :m]
        a1_bar = _qr_square(q, r[..., :, :m], gq_bar, gr_bar)
        a2_bar = np.matmul(q, gr2) if gr2 is not None else np.zeros_like(a[..., :, m:])
        return drop_imag(_conj(np.concatenate([a1_bar, a2_bar], axis=-1)), a)
    return drop_imag(_conj(_qr_square(q, r, gq_bar, gr_bar)), a)


def _qr_square(q: Any, r: Any, gq_bar: Any, gr_bar: Any) -> Any:
    """``A_bar = (gQ_bar + Q copyltu(M)) R^-H`` for a tall or square ``A = QR`` (full rank)."""
    m_: Any = 0.0
    if gr_bar is not None:
        m_ = np.matmul(r, _h(gr_bar))
    if gq_bar is not None:
        m_ = m_ - np.matmul(_h(gq_bar), q)
    low = np.tril(m_, -1)
    diag = _diagonal(m_)
    copyltu = low + _h(low) + _diag(np.real(diag) if is_complex(diag) else diag)
    b = np.matmul(q, copyltu)
    if gq_bar is not None:
        b = b + gq_bar
    # B R^-H = (R^-1 B^H)^H: one triangular solve
    return _h(linalg.solve(r, _h(b)))


defvjp(linalg.qr, _qr, keep="all")


# --------------------------------------------------------------------------------------------
# pinv


def _pinv(g: Any, ans: Any, a: Any, rcond: Any = None, hermitian: bool = False, **kw: Any) -> Any:
    # dP = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P, at a constant rank
    p, g_bar = ans, _conj(g)
    p_h, g_h = _h(p), _h(g_bar)
    left = np.matmul(a, p)
    right = np.matmul(p, a)
    a_bar = (
        -np.matmul(np.matmul(p_h, g_bar), p_h)
        + np.matmul(np.matmul(g_h - np.matmul(left, g_h), p), p_h)
        + np.matmul(np.matmul(p_h, p), g_h - np.matmul(g_h, right))
    )
    if hermitian:
        return _on_triangle(a_bar, a, "L")
    return drop_imag(_conj(a_bar), a)


defvjp(linalg.pinv, _pinv, keep="all")


# --------------------------------------------------------------------------------------------
# eig, eigvals


def _eig(g: Any, ans: Any, a: Any) -> Any:
    # A V = V diag(w): with M = V^-1 dA V, dw = diag(M) and dV = V C, C = F o M off the
    # diagonal. The gauge (HIPS autograd's): each v_j keeps unit norm, and its part along
    # itself in the eigenbasis, C_jj, is real; so C_jj = -Re sum_i (V^H V)_ji C_ij. Written
    # in the package's convention (holomorphic: plain transposes), the gradient is
    # V^-T (diag(g_w) + F o (X - V^T conj(V) diag(Re diag X))) V^T with X = V^T g_V.
    g_w, g_v = g
    w, v = ans
    if g_w is None and g_v is None:
        return np.zeros_like(a)
    vt = swap(v)
    inner: Any = 0.0 if g_w is None else _diag(g_w)
    if g_v is not None:
        x = np.matmul(vt, g_v)
        along = np.real(_diagonal(x)) if is_complex(x) else _diagonal(x)
        x = x - np.matmul(vt, _conj(v)) * np.expand_dims(along, -2)
        inner = inner + _gaps(w) * x
    return drop_imag(linalg.solve(vt, np.matmul(inner, vt)), a)


def _eigvals(g: Any, ans: Any, a: Any) -> Any:
    _, v = linalg.eig(a)
    vt = swap(v)
    return drop_imag(linalg.solve(vt, np.matmul(_diag(g), vt)), a)


defvjp(linalg.eig, _eig, keep="all")
defvjp(linalg.eigvals, _eigvals, keep="args")
