"""Op-table cases of ``minpy.numpy.linalg``'s rules (joined to ``optable.CASES``).

Eigen- and singular vectors are defined up to a sign (a phase), so the cases differentiate
functions that do not depend on it (``u diag(c) vh``, ``|v|^2``); random inputs have distinct
eigen- and singular values.
"""

from __future__ import annotations

from typing import Any

import numpy

import minpy.numpy as np
from tests.numpy.optable import (
    Case,
    Shape,
    complex_,
    complex_wellcond,
    distinct,
    nonzero,
    real,
    wellcond,
    with_zeros,
)

C = Case


def singular(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Square matrices of rank n - 1 (the last column a combination of the others)."""
    x = rng.randn(*shape)
    x[..., -1] = x[..., 0] - 0.5 * x[..., 1]
    return x


def turning(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Real matrices with complex-conjugate eigenvalue pairs (mostly antisymmetric)."""
    a = rng.randn(*shape)
    return a - 1.5 * numpy.swapaxes(a, -1, -2)


def _uv(usv: Any, k: int) -> Any:
    """``u[:, :k] diag(1..k) vh[:k]``: singular vectors, free of their signs (phases)."""
    u, _, vh = usv
    return np.matmul(u[..., :, :k] * np.arange(1.0, k + 1), vh[..., :k, :])


def _svd(x: Any, full: bool) -> Any:
    k = min(x.shape[-2:])
    usv = np.linalg.svd(x, full_matrices=full)
    return [_uv(usv, k), usv[1]]


def _eigh(x: Any, uplo: str = "L") -> Any:
    w, v = np.linalg.eigh(x, uplo)
    return [w, np.abs(v) ** 2 * np.arange(1.0, v.shape[-1] + 1)]


def _eig(x: Any) -> Any:
    w, v = np.linalg.eig(x)
    return [w, np.abs(v) ** 2 * np.arange(1.0, v.shape[-1] + 1)]


def _lstsq(a: Any, b: Any) -> Any:
    """Every output of lstsq but the rank (an integer, checked in test_linalg.py)."""
    x, res, _, s = np.linalg.lstsq(a, b)
    return [x, res, s]


SYM = lambda a: a + np.swapaxes(a, -1, -2)

CASES: list[Case] = [
    C("linalg.det-singular", lambda a: np.linalg.det(a), [(3, 3)], singular),
    C("linalg.det-singular-batched", lambda a: np.linalg.det(a), [(2, 3, 3)], singular),
    C("linalg.slogdet", lambda a: list(np.linalg.slogdet(a)), [(3, 3)], wellcond),
    C("linalg.slogdet-logabs", lambda a: np.linalg.slogdet(a)[1], [(2, 3, 3)], wellcond),
    C("linalg.slogdet-complex", lambda a: list(np.linalg.slogdet(a)), [(3, 3)], complex_wellcond),
    C("linalg.eigh", lambda a: _eigh(SYM(a)), [(4, 4)]),
    C("linalg.eigh-triangle", lambda a: _eigh(a), [(3, 3)]),
    C("linalg.eigh-upper-batched", lambda a: _eigh(a, "U"), [(2, 3, 3)]),
    C("linalg.eigh-values", lambda a: np.linalg.eigh(SYM(a))[0], [(3, 3)]),
    C("linalg.eigh-complex", lambda a: _eigh(a), [(3, 3)], complex_),
    C("linalg.eigvalsh", lambda a: np.linalg.eigvalsh(SYM(a)), [(2, 3, 3)]),
    C("linalg.eigvalsh-complex-upper", lambda a: np.linalg.eigvalsh(a, "U"), [(3, 3)], complex_),
    C("linalg.svd", lambda a: _svd(a, False), [(3, 3)]),
    C("linalg.svd-tall", lambda a: _svd(a, False), [(4, 2)]),
    C("linalg.svd-wide-full", lambda a: _svd(a, True), [(2, 4)]),
    C("linalg.svd-tall-full-batched", lambda a: _svd(a, True), [(2, 4, 3)]),
    C("linalg.svd-values", lambda a: np.linalg.svd(a, compute_uv=False), [(2, 3, 4)]),
    C("linalg.svd-complex", lambda a: _svd(a, False), [(3, 2)], complex_),
    C("linalg.svd-complex-wide", lambda a: _svd(a, False), [(2, 3)], complex_),
    C(
        "linalg.svd-hermitian",
        lambda a: np.linalg.svd(a, compute_uv=False, hermitian=True),
        [(3, 3)],
        wellcond,
    ),
    C("linalg.qr", lambda a: list(np.linalg.qr(a)), [(3, 3)], wellcond),
    C("linalg.qr-tall", lambda a: list(np.linalg.qr(a)), [(2, 4, 3)]),
    C("linalg.qr-wide", lambda a: list(np.linalg.qr(a)), [(3, 5)]),
    C("linalg.qr-r", lambda a: np.linalg.qr(a, "r"), [(4, 3)]),
    C("linalg.qr-complex", lambda a: list(np.linalg.qr(a)), [(4, 3)], complex_),
    C("linalg.qr-complex-wide", lambda a: list(np.linalg.qr(a)), [(2, 3)], complex_),
    C("linalg.pinv", lambda a: np.linalg.pinv(a), [(3, 3)], wellcond),
    C("linalg.pinv-tall-batched", lambda a: np.linalg.pinv(a), [(2, 4, 2)]),
    C("linalg.pinv-wide-complex", lambda a: np.linalg.pinv(a), [(2, 3)], complex_),
    C("linalg.norm-ord3", lambda x: np.linalg.norm(x, 3), [(5,)]),
    C("linalg.norm-ord4-axis", lambda x: np.linalg.norm(x, 4, axis=0), [(3, 4)]),
    C("linalg.norm-ord-1", lambda x: np.linalg.norm(x, -1), [(5,)], nonzero),
    C("linalg.norm-ord-2-vector", lambda x: np.linalg.norm(x, -2), [(5,)], nonzero),
    C("linalg.norm-ord1-vector", lambda x: np.linalg.norm(x, 1), [(5,)], nonzero),
    C("linalg.norm-ord3-complex", lambda z: np.linalg.norm(z, 3, axis=1), [(2, 4)], complex_),
    C("linalg.norm-matrix2", lambda x: np.linalg.norm(x, 2), [(3, 4)]),
    C("linalg.norm-matrix-2", lambda x: np.linalg.norm(x, -2), [(4, 3)]),
    C("linalg.norm-nuc", lambda x: np.linalg.norm(x, "nuc"), [(3, 4)]),
    C(
        "linalg.norm-nuc-axes-keepdims",
        lambda x: np.linalg.norm(x, "nuc", axis=(2, 0), keepdims=True),
        [(3, 2, 4)],
    ),
    C("linalg.norm-matrix1", lambda x: np.linalg.norm(x, 1), [(3, 4)], nonzero),
    C("linalg.norm-matrix-1", lambda x: np.linalg.norm(x, -1), [(3, 4)], nonzero),
    C("linalg.norm-matrix-inf", lambda x: np.linalg.norm(x, numpy.inf), [(3, 4)], nonzero),
    C("linalg.norm-fro-axes", lambda x: np.linalg.norm(x, "fro", axis=(0, 1)), [(3, 4, 2)]),
    C("linalg.norm-matrix2-complex", lambda z: np.linalg.norm(z, 2), [(3, 3)], complex_),
    C("linalg.norm-nuc-complex", lambda z: np.linalg.norm(z, "nuc"), [(2, 3)], complex_),
    C("linalg.norm-matrix1-complex", lambda z: np.linalg.norm(z, 1), [(2, 3)], complex_),
    C("linalg.norm-ord0", lambda x: np.linalg.norm(x, 0, axis=1), [(2, 5)], with_zeros),
    C("linalg.norm-inf", lambda x: np.linalg.norm(x, numpy.inf), [(5,)], distinct),
    C("linalg.norm-inf-axis", lambda x: np.linalg.norm(x, numpy.inf, axis=1), [(3, 4)], distinct),
    C(
        "linalg.norm-minus-inf-keepdims",
        lambda x: np.linalg.norm(x, -numpy.inf, axis=0, keepdims=True),
        [(3, 2)],
        distinct,
    ),
    C(
        "linalg.norm-inf-complex",
        lambda z: np.linalg.norm(z, numpy.inf, axis=-1),
        [(2, 3)],
        complex_,
    ),
    C("linalg.norm-minus-inf-complex", lambda z: np.linalg.norm(z, -numpy.inf), [(4,)], complex_),
    C("linalg.lstsq-tall", _lstsq, [(5, 3), (5,)]),
    C("linalg.lstsq-tall-columns", _lstsq, [(4, 2), (4, 3)]),
    C("linalg.lstsq-square", _lstsq, [(3, 3), (3, 2)], [wellcond, real]),
    C("linalg.lstsq-wide", _lstsq, [(2, 4), (2,)]),
    C("linalg.lstsq-wide-columns", _lstsq, [(2, 3), (2, 2)]),
    C("linalg.lstsq-complex", _lstsq, [(4, 2), (4, 2)], complex_),
    C("linalg.lstsq-complex-wide", _lstsq, [(2, 3), (2,)], complex_),
    C("linalg.lstsq-real-complex", _lstsq, [(4, 3), (4,)], [real, complex_]),
    C("linalg.eig", _eig, [(3, 3)]),
    C("linalg.eig-real-complex-pairs", _eig, [(4, 4)], turning),
    C("linalg.eig-batched", _eig, [(2, 3, 3)]),
    C("linalg.eig-complex", _eig, [(3, 3)], complex_),
    C("linalg.eig-values", lambda a: np.linalg.eig(a)[0], [(3, 3)], complex_),
    C("linalg.eigvals", lambda a: np.linalg.eigvals(a), [(2, 3, 3)]),
    C("linalg.eigvals-complex", lambda a: np.linalg.eigvals(a), [(3, 3)], complex_),
]
