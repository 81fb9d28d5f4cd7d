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
V, M = (3,), (2, 3)
#: NumPy 2's array-API names in minpy.numpy.linalg: Python functions, and the primitives whose
#: rules their cases check
IN = {
    "linalg.matmul": ("matmul",),
    "linalg.outer": ("outer",),
    "linalg.cross": ("cross",),
    "linalg.diagonal": ("diagonal",),
    "linalg.trace": ("trace",),
    "linalg.vecdot": ("vecdot",),
    "linalg.tensordot": ("tensordot",),
    "linalg.matrix_transpose": ("matrix_transpose",),
    "linalg.vector_norm": ("linalg.norm",),
    "linalg.matrix_norm": ("linalg.norm",),
    "linalg.svdvals": ("linalg.svd",),
}


def A(name: str, fun: Any, shapes: list[Shape], domain: Any = real) -> Case:
    """A case of an array-API name (see ``IN``), checking the primitives it is written in."""
    return Case(name, fun, shapes, domain, IN[name.split("-")[0]])


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
    # NumPy 2's array-API names (functions written in the primitives that IN names)
    A("linalg.matmul", lambda a, b: np.linalg.matmul(a, b), [(2, 3, 4), (4,)]),
    A("linalg.matmul-complex", lambda a, b: np.linalg.matmul(a, b), [V, (2, 3, 2)], complex_),
    A("linalg.outer", lambda a, b: np.linalg.outer(a, b), [V, (2,)]),
    A("linalg.outer-complex", lambda a, b: np.linalg.outer(a, b), [V, (2,)], [complex_, real]),
    A("linalg.cross", lambda a, b: np.linalg.cross(a, b), [(2, 3), V]),
    A("linalg.cross-axis", lambda a, b: np.linalg.cross(a, b, axis=0), [(3, 2), (3, 1)], complex_),
    A("linalg.diagonal", lambda x: np.linalg.diagonal(x, offset=1), [(2, 3, 4)]),
    A("linalg.diagonal-complex", lambda z: np.linalg.diagonal(z), [(3, 2)], complex_),
    A("linalg.trace", lambda x: np.linalg.trace(x, offset=-1), [(2, 3, 3)]),
    A("linalg.trace-complex", lambda z: np.linalg.trace(z), [(3, 4)], complex_),
    A("linalg.vecdot", lambda a, b: np.linalg.vecdot(a, b), [(2, 3), V]),
    A(
        "linalg.vecdot-axis",
        lambda a, b: np.linalg.vecdot(a, b, axis=0),
        [(3, 2), (3, 1)],
        complex_,
    ),
    A("linalg.tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), [(2, 3), (3, 4)]),
    A(
        "linalg.tensordot-complex",
        lambda a, b: np.linalg.tensordot(a, b, axes=([0, 1], [1, 0])),
        [(2, 3, 2), (3, 2)],
        complex_,
    ),
    A("linalg.matrix_transpose", lambda x: np.linalg.matrix_transpose(x), [(2, 3, 4)]),
    A("linalg.matrix_transpose-complex", lambda z: np.linalg.matrix_transpose(z), [M], complex_),
    A("linalg.vector_norm", lambda x: np.linalg.vector_norm(x), [M]),
    A("linalg.vector_norm-0d", lambda x: np.linalg.vector_norm(x), [()], nonzero),
    A("linalg.vector_norm-axis", lambda x: np.linalg.vector_norm(x, axis=-1, keepdims=True), [M]),
    A(
        "linalg.vector_norm-axes-keepdims",
        lambda x: np.linalg.vector_norm(x, axis=(2, 0), keepdims=True),
        [(3, 2, 4)],
    ),
    A(
        "linalg.vector_norm-ord1",
        lambda x: np.linalg.vector_norm(x, axis=(0, 1), ord=1),
        [M],
        nonzero,
    ),
    A("linalg.vector_norm-ord3", lambda x: np.linalg.vector_norm(x, ord=3), [M]),
    A(
        "linalg.vector_norm-ord-half",
        lambda x: np.linalg.vector_norm(x, axis=0, ord=0.5),
        [M],
        nonzero,
    ),
    A("linalg.vector_norm-ord-2", lambda x: np.linalg.vector_norm(x, ord=-2), [(4,)], nonzero),
    A(
        "linalg.vector_norm-ord0",
        lambda x: np.linalg.vector_norm(x, axis=1, ord=0),
        [(2, 5)],
        with_zeros,
    ),
    A("linalg.vector_norm-inf", lambda x: np.linalg.vector_norm(x, ord=numpy.inf), [M], distinct),
    A(
        "linalg.vector_norm-minus-inf",
        lambda x: np.linalg.vector_norm(x, axis=(1,), ord=-numpy.inf),
        [(3, 2)],
        distinct,
    ),
    A(
        "linalg.vector_norm-complex",
        lambda z: np.linalg.vector_norm(z, axis=(-1, 0)),
        [M],
        complex_,
    ),
    A("linalg.vector_norm-ord3-complex", lambda z: np.linalg.vector_norm(z, ord=3), [M], complex_),
    A("linalg.matrix_norm", lambda x: np.linalg.matrix_norm(x), [(2, 3, 4)]),
    A(
        "linalg.matrix_norm-nuc-keepdims",
        lambda x: np.linalg.matrix_norm(x, ord="nuc", keepdims=True),
        [(2, 3, 2)],
    ),
    A("linalg.matrix_norm-ord2", lambda x: np.linalg.matrix_norm(x, ord=2), [(3, 4)]),
    A("linalg.matrix_norm-ord-2", lambda x: np.linalg.matrix_norm(x, ord=-2), [(2, 4, 3)]),
    A("linalg.matrix_norm-ord1", lambda x: np.linalg.matrix_norm(x, ord=1), [(2, 3, 4)], nonzero),
    A(
        "linalg.matrix_norm-inf",
        lambda x: np.linalg.matrix_norm(x, ord=numpy.inf),
        [(3, 4)],
        nonzero,
    ),
    A("linalg.matrix_norm-complex", lambda z: np.linalg.matrix_norm(z), [M], complex_),
    A(
        "linalg.matrix_norm-nuc-complex",
        lambda z: np.linalg.matrix_norm(z, ord="nuc"),
        [(2, 2, 3)],
        complex_,
    ),
    A("linalg.svdvals", lambda x: np.linalg.svdvals(x), [(2, 3, 4)]),
    A("linalg.svdvals-complex", lambda z: np.linalg.svdvals(z), [(3, 2)], complex_),
]
