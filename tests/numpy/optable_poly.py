"""Op-table cases of the polynomial functions and of ``interp`` (joined to ``optable.CASES``).

polyval with scalar, vector and 2-D ``x``, 2-D coefficients, constants on either side, real
and complex; polyadd/polysub of different lengths (the shorter padded in front) and of equal
ones that broadcast; polymul (random coefficients have no leading zeros for NumPy to trim:
``test_vjps_poly.py`` pins that case); polyder and polyint with ``m`` (and ``k``) given
positionally and as keywords; interp inside the knots, outside on both sides, with ``left``
and ``right`` (constants and traced) and with ``period``. Finite differences need the points
away from the knots, where interp has kinks: ``between_knots`` keeps them there.
"""

from __future__ import annotations

from typing import Any

import numpy

import minpy.numpy as np
from tests.numpy.optable import Case, Domain, Shape, complex_, real

C = Case

XP = numpy.array([-1.0, -0.2, 0.5, 1.3, 2.0])  # interp's knots
XP_UNSORTED = numpy.array([0.4, 2.1, -1.1, 1.6])  # modulo 2.5: 0.4, 2.1, 1.4, 1.6
COEFFS = numpy.array([0.5, -1.0, 2.0])


def between_knots(knots: Any, outside: bool = False) -> Domain:
    """Points in the middle part (20% to 80%) of random segments between ``knots``, and with
    ``outside`` in the intervals of the same width beyond either end too."""
    edges = numpy.asarray(knots, dtype=numpy.float64)
    if outside:
        edges = numpy.concatenate([[2 * edges[0] - edges[1]], edges, [2 * edges[-1] - edges[-2]]])

    def gen(rng: numpy.random.RandomState, shape: Shape) -> Any:
        seg = rng.randint(0, len(edges) - 1, size=shape)
        frac = rng.uniform(0.2, 0.8, size=shape)
        return numpy.asarray(edges[seg] + frac * (edges[seg + 1] - edges[seg]), dtype=float)

    gen.__name__ = f"between_knots({list(edges)})"
    return gen


inside = between_knots(XP)
anywhere = between_knots(XP, outside=True)
# over three periods: x modulo 2.5 then falls between the knots modulo 2.5 too
periodic = between_knots(sorted(k + s for k in (0.4, 1.4, 1.6, 2.1) for s in (-2.5, 0, 2.5)))

CASES: list[Case] = [
    # polyval ---------------------------------------------------------------------------------
    C("polyval", lambda p, x: np.polyval(p, x), [(4,), (5,)]),
    C("polyval-scalar-x", lambda p, x: np.polyval(p, x), [(4,), ()]),
    C("polyval-2d-x", lambda p, x: np.polyval(p, x), [(3,), (2, 3)]),
    C("polyval-python-x", lambda p: np.polyval(p, 0.7), [(5,)]),
    C("polyval-constant-p", lambda x: np.polyval(COEFFS, x), [(2, 2)]),
    C("polyval-list-p", lambda x: np.polyval([1.5, 0.0, -2.0, 1.0], x), [(3,)]),
    C("polyval-one-coefficient", lambda p, x: np.polyval(p, x), [(1,), (3,)]),
    # a 2-D p: each row one power, its columns broadcast against x like Horner's steps
    C("polyval-2d-p", lambda p, x: np.polyval(p, x), [(3, 2), (4, 1)]),
    C("polyval-complex", lambda p, x: np.polyval(p, x), [(3,), (2, 2)], complex_),
    C("polyval-real-complex", lambda p, z: np.polyval(p, z), [(4,), (3,)], [real, complex_]),
    C("polyval-complex-real", lambda p, x: np.polyval(p, x), [(4,), (3,)], [complex_, real]),
    # polyadd, polysub ------------------------------------------------------------------------
    C("polyadd", lambda a, b: np.polyadd(a, b), [(3,), (5,)]),
    C("polyadd-longer-first", lambda a, b: np.polyadd(a, b), [(4,), (2,)]),
    C("polyadd-equal", lambda a, b: np.polyadd(a, b), [(3,), (3,)]),
    C("polyadd-0d", lambda a, b: np.polyadd(a, b), [(), (3,)]),
    C("polyadd-broadcast", lambda a, b: np.polyadd(a, b), [(3, 3), (2,)]),
    C("polyadd-list", lambda a: np.polyadd([1.0, 2.0, 3.0, 4.0], a), [(2,)]),
    C("polyadd-complex", lambda a, b: np.polyadd(a, b), [(2,), (4,)], [complex_, real]),
    C("polysub", lambda a, b: np.polysub(a, b), [(2,), (4,)]),
    C("polysub-longer-first", lambda a, b: np.polysub(a, b), [(5,), (1,)]),
    C("polysub-complex", lambda a, b: np.polysub(a, b), [(3,), (2,)], complex_),
    # polymul ---------------------------------------------------------------------------------
    C("polymul", lambda a, b: np.polymul(a, b), [(3,), (4,)]),
    C("polymul-square", lambda a: np.polymul(a, a), [(3,)]),
    C("polymul-0d", lambda a, b: np.polymul(a, b), [(), (3,)]),
    C("polymul-constant", lambda a: np.polymul(a, COEFFS), [(2,)]),
    C("polymul-complex", lambda a, b: np.polymul(a, b), [(2,), (3,)], complex_),
    C("polymul-real-complex", lambda a, b: np.polymul(a, b), [(4,), (2,)], [real, complex_]),
    # polyder, polyint ------------------------------------------------------------------------
    C("polyder", lambda p: np.polyder(p), [(5,)]),
    C("polyder-m2", lambda p: np.polyder(p, 2), [(5,)]),
    C("polyder-m3-keyword", lambda p: np.polyder(p, m=3), [(4,)]),
    C("polyder-m0", lambda p: np.polyder(p, 0) * p, [(3,)], prims=("polyder", "multiply")),
    C("polyder-complex", lambda p: np.polyder(p, 2), [(4,)], complex_),
    C("polyint", lambda p: np.polyint(p), [(4,)]),
    C("polyint-m2-k", lambda p, k: np.polyint(p, 2, k), [(3,), (2,)]),
    C("polyint-m3-scalar-k", lambda p, k: np.polyint(p, 3, k), [(3,), ()]),
    C("polyint-longer-k", lambda p, k: np.polyint(p, 2, k), [(2,), (4,)]),
    C("polyint-keywords", lambda p: np.polyint(p, m=2, k=[1.0, -2.0]), [(3,)]),
    C("polyint-m0", lambda p, k: np.polyint(p, 0, k) * p, [(3,), (2,)], prims=("polyint",)),
    C("polyint-complex", lambda p, k: np.polyint(p, 2, k), [(3,), (2,)], complex_),
    C("polyint-real-complex-k", lambda p, k: np.polyint(p, 1, k), [(3,), ()], [real, complex_]),
    # a polynomial's antiderivative differentiated back, evaluated: all three rules at once
    C(
        "polyint-polyder-polyval",
        lambda p, x: np.polyval(np.polyder(np.polyint(p, 2), 1), x),
        [(3,), (4,)],
        prims=("polyint", "polyder", "polyval"),
    ),
    # interp ----------------------------------------------------------------------------------
    C("interp", lambda x, fp: np.interp(x, XP, fp), [(2, 3), (5,)], [inside, real]),
    C("interp-outside", lambda x, fp: np.interp(x, XP, fp), [(10,), (5,)], [anywhere, real]),
    C("interp-scalar-x", lambda x, fp: np.interp(x, XP, fp), [(), (5,)], [inside, real]),
    C(
        "interp-left-right",
        lambda x, fp: np.interp(x, XP, fp, left=-2.0, right=3.0),
        [(10,), (5,)],
        [anywhere, real],
    ),
    C(
        "interp-left-right-traced",
        lambda x, fp, lo, hi: np.interp(x, XP, fp, lo, hi),
        [(10,), (5,), (), ()],
        [anywhere, real, real, real],
    ),
    C(
        "interp-list-knots",
        lambda x, fp: np.interp(x, [-1.0, -0.2, 0.5, 1.3, 2.0], fp),
        [(6,), (5,)],
        [anywhere, real],
    ),
    C("interp-constant-fp", lambda x: np.interp(x, XP, COEFFS[[0, 1, 2, 1, 0]]), [(6,)], anywhere),
    C(
        "interp-complex",
        lambda x, fp: np.interp(x, XP, fp, right=1j),
        [(10,), (5,)],
        [anywhere, complex_],
    ),
    C(
        "interp-period",
        lambda x, fp: np.interp(x, XP_UNSORTED, fp, period=2.5),
        [(12,), (4,)],
        [periodic, real],
    ),
    C(
        "interp-period-complex",
        lambda x, fp: np.interp(x, XP_UNSORTED, fp, period=-2.5),
        [(6,), (4,)],
        [periodic, complex_],
    ),
]
