"""Op-table cases of ``minpy.scipy.signal`` and ``minpy.scipy.linalg`` (joined to
``tests.numpy.optable.CASES``; ``odeint`` takes a callable and solver tolerances, so
``test_integrate.py`` checks it).

Each case runs minpy's function and, as its reference, SciPy's own on the same inputs. The
convolutions come with odd and even sizes, the second input larger than the first (SciPy swaps
them), complex inputs and every mode and method; the triangular solves with every ``trans``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy
import scipy.linalg as sla
import scipy.signal as ssig

import minpy.numpy as np
import minpy.scipy.integrate  # noqa: F401  (registers odeint, which optable.UNCOVERED lists)
from minpy.scipy import linalg as mla
from minpy.scipy import signal as msig

if TYPE_CHECKING:
    from tests.numpy.optable import Case, Domain, Shape


def _case(
    name: str,
    ours: Callable[..., Any],
    theirs: Callable[..., Any],
    shapes: list[Shape],
    domain: Domain | list[Domain] | None = None,
    prim: str = "",
    **kw: Any,
) -> Case:
    """A case computing ``ours(*inputs, **kw)``, checked against ``theirs`` (SciPy's)."""
    from tests.numpy.optable import Case, real

    return Case(
        name,
        lambda *a: ours(*a, **kw),
        shapes,
        real if domain is None else domain,
        prims=(prim or name.split("-")[0],),
        ref=lambda *a: theirs(*a, **kw),
    )


def spd(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Symmetric positive definite matrices near 3I."""
    a = rng.randn(*shape)
    return a @ numpy.swapaxes(a, -1, -2) * 0.2 + 3.0 * numpy.eye(shape[-1])


def small(rng: numpy.random.RandomState, shape: Shape) -> Any:
    """Matrices of norm about 1 (expm stays moderate)."""
    return 0.4 * rng.randn(*shape)


def complex_small(rng: numpy.random.RandomState, shape: Shape) -> Any:
    return 0.4 * (rng.randn(*shape) + 1j * rng.randn(*shape))


def complex_wellcond(rng: numpy.random.RandomState, shape: Shape) -> Any:
    return 2.0 * numpy.eye(shape[-1]) + 0.3 * rng.randn(*shape) + 0.3j * rng.randn(*shape)


def _sym(a: Any) -> Any:
    return a @ np.swapaxes(a, -1, -2) * 0.2 + 3.0 * np.eye(a.shape[-1])


def _sym_ref(a: Any) -> Any:
    return a @ numpy.swapaxes(a, -1, -2) * 0.2 + 3.0 * numpy.eye(a.shape[-1])


def _cases() -> list[Case]:
    """The cases (built on first use: ``tests.numpy.optable`` imports this module to join
    them, and this one needs its ``Case``, so neither imports the other at import time)."""
    from tests.numpy.optable import Case, complex_, real, wellcond

    S = "scipy.signal."
    L = "scipy.linalg."

    CASES: list[Case] = []
    # signal: convolve and correlate, every mode and method, odd and even, swapped, complex --------
    for _name, _ours, _theirs in [
        ("convolve", msig.convolve, ssig.convolve),
        ("correlate", msig.correlate, ssig.correlate),
    ]:
        CASES += [
            _case(S + _name, _ours, _theirs, [(5,), (3,)]),
            _case(S + _name + "-same-even", _ours, _theirs, [(6,), (4,)], mode="same"),
            _case(S + _name + "-same-larger-second", _ours, _theirs, [(3,), (6,)], mode="same"),
            _case(S + _name + "-valid-odd", _ours, _theirs, [(7,), (3,)], mode="valid"),
            _case(S + _name + "-valid-swapped", _ours, _theirs, [(2,), (5,)], mode="valid"),
            _case(S + _name + "-direct-2d", _ours, _theirs, [(3, 4), (2, 3)], method="direct"),
            _case(
                S + _name + "-fft-same-2d",
                _ours,
                _theirs,
                [(4, 3), (3, 2)],
                mode="same",
                method="fft",
            ),
            _case(S + _name + "-valid-3d", _ours, _theirs, [(3, 4, 3), (2, 2, 3)], mode="valid"),
            _case(S + _name + "-complex", _ours, _theirs, [(4,), (3,)], complex_, mode="same"),
            _case(
                S + _name + "-real-complex-valid-swapped",
                _ours,
                _theirs,
                [(2, 3), (3, 4)],
                [real, complex_],
                mode="valid",
            ),
        ]
    for _name, _ours, _theirs in [
        ("convolve2d", msig.convolve2d, ssig.convolve2d),
        ("correlate2d", msig.correlate2d, ssig.correlate2d),
    ]:
        CASES += [
            _case(S + _name, _ours, _theirs, [(3, 4), (2, 3)]),
            _case(S + _name + "-same-even", _ours, _theirs, [(4, 4), (2, 2)], mode="same"),
            _case(S + _name + "-same-odd-larger", _ours, _theirs, [(3, 2), (3, 5)], mode="same"),
            _case(S + _name + "-valid", _ours, _theirs, [(4, 5), (3, 2)], mode="valid"),
            _case(
                S + _name + "-valid-swapped",
                _ours,
                _theirs,
                [(2, 3), (3, 4)],
                complex_,
                mode="valid",
            ),
            _case(
                S + _name + "-fillvalue",
                _ours,
                _theirs,
                [(3, 3), (2, 2)],
                mode="same",
                fillvalue=0.5,
            ),
            _case(S + _name + "-complex", _ours, _theirs, [(2, 3), (2, 2)], complex_),
        ]
    CASES += [
        _case(S + "fftconvolve", msig.fftconvolve, ssig.fftconvolve, [(5,), (4,)]),
        _case(
            S + "fftconvolve-same",
            msig.fftconvolve,
            ssig.fftconvolve,
            [(4, 3), (3, 3)],
            mode="same",
        ),
        _case(
            S + "fftconvolve-valid",
            msig.fftconvolve,
            ssig.fftconvolve,
            [(3, 6), (2, 3)],
            mode="valid",
        ),
        _case(
            S + "fftconvolve-axes",
            msig.fftconvolve,
            ssig.fftconvolve,
            [(2, 5), (1, 3)],
            mode="same",
            axes=1,
        ),
        _case(
            S + "fftconvolve-complex",
            msig.fftconvolve,
            ssig.fftconvolve,
            [(3,), (4,)],
            complex_,
            mode="valid",
        ),
    ]

    # linalg -------------------------------------------------------------------------------------
    for _trans in (0, 1, 2, "N", "T", "C"):
        CASES.append(
            _case(
                L + f"solve_triangular-trans-{_trans}",
                mla.solve_triangular,
                sla.solve_triangular,
                [(3, 3), (3, 2)],
                [wellcond, real],
                trans=_trans,
            )
        )
    CASES += [
        _case(
            L + "solve_triangular-lower-unit-vector",
            mla.solve_triangular,
            sla.solve_triangular,
            [(3, 3), (3,)],
            [wellcond, real],
            lower=True,
            unit_diagonal=True,
        ),
        _case(
            L + "solve_triangular-complex-lower-conj",
            mla.solve_triangular,
            sla.solve_triangular,
            [(3, 3), (3, 2)],
            [complex_wellcond, complex_],
            lower=True,
            trans="C",
        ),
        _case(
            L + "solve_triangular-real-complex",
            mla.solve_triangular,
            sla.solve_triangular,
            [(3, 3), (3,)],
            [wellcond, complex_],
            trans=1,
        ),
        Case(
            L + "cholesky",
            lambda a: mla.cholesky(_sym(a)),
            [(3, 3)],
            prims=("scipy.linalg.cholesky",),
            ref=lambda a: sla.cholesky(_sym_ref(a)),
        ),
        Case(
            L + "cholesky-lower",
            lambda a: mla.cholesky(_sym(a), lower=True),
            [(3, 3)],
            prims=("scipy.linalg.cholesky",),
            ref=lambda a: sla.cholesky(_sym_ref(a), lower=True),
        ),
        _case(
            L + "solve_sylvester",
            mla.solve_sylvester,
            sla.solve_sylvester,
            [(3, 3), (2, 2), (3, 2)],
            [wellcond, wellcond, real],
        ),
        _case(
            L + "solve_sylvester-complex",
            mla.solve_sylvester,
            sla.solve_sylvester,
            [(2, 2), (2, 2), (2, 2)],
            [complex_wellcond, wellcond, complex_],
        ),
        _case(L + "sqrtm", mla.sqrtm, sla.sqrtm, [(3, 3)], spd),
        _case(L + "sqrtm-nonsymmetric", mla.sqrtm, sla.sqrtm, [(3, 3)], wellcond),
        _case(L + "sqrtm-complex", mla.sqrtm, sla.sqrtm, [(2, 2)], complex_wellcond),
        _case(L + "expm", mla.expm, sla.expm, [(3, 3)], small),
        _case(L + "expm-batched", mla.expm, sla.expm, [(2, 2, 2)], small),
        _case(L + "expm-complex", mla.expm, sla.expm, [(3, 3)], complex_small),
    ]
    return CASES


_CACHE: list[list[Case]] = []


def __getattr__(name: str) -> Any:
    if name == "CASES":  # optable's CASES += optable_scipy_linalg.CASES
        if not _CACHE:
            _CACHE.append(_cases())
        return _CACHE[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
