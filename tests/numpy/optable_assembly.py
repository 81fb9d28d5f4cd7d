"""Op-table cases of the calculus issue's smaller gaps (joined to ``optable.CASES``).

``gradient`` in each form (spacing scalars and coordinates per axis, ``axis=``, both
``edge_order``s), ``select`` with a traced ``default``, ``r_``/``c_`` (slices, numbers,
directives), ``einsum``'s interleaved form, ``cross`` with its axis keywords and
``column_stack`` of 1-D arrays. ``select``, ``r_``, ``c_`` and ``column_stack`` are written in
minpy operations, so their cases name the primitives they run on.
"""

from __future__ import annotations

import numpy

import minpy.numpy as np
from tests.numpy.optable import Case, complex_, real

C = Case

COORDS = numpy.array([0.0, 0.3, 1.0, 1.2, 2.5])
COORDS_4 = numpy.array([-1.0, 0.0, 0.5, 2.0])
LIMITS = numpy.array([[-0.5, 0.2, 0.1], [0.4, -1.0, 0.0]])

CASES: list[Case] = [
    # gradient: central differences inside, one-sided ones of edge_order at the ends --------
    C("gradient", lambda f: np.gradient(f), [(5,)]),
    C("gradient-spacing-edge2", lambda f: np.gradient(f, 0.5, edge_order=2), [(5,)]),
    C("gradient-coords", lambda f: np.gradient(f, COORDS), [(5,)]),
    C("gradient-coords-edge2", lambda f: np.gradient(f, COORDS, edge_order=2), [(5,)]),
    C("gradient-short-edge2", lambda f: np.gradient(f, edge_order=2), [(3,)]),
    C("gradient-short", lambda f: np.gradient(f), [(2,)]),
    C("gradient-2d", lambda f: np.gradient(f), [(4, 3)]),
    C(
        "gradient-2d-mixed-spacing-edge2",
        lambda f: np.gradient(f, COORDS_4, 2.0, edge_order=2),
        [(4, 3)],
    ),
    C("gradient-axis", lambda f: np.gradient(f, 0.1, axis=-2, edge_order=2), [(4, 3)]),
    C("gradient-axes-reordered", lambda f: np.gradient(f, 1.0, 3.0, axis=(1, 0)), [(4, 3)]),
    C("gradient-one-output", lambda f: np.gradient(f, axis=(2, 0))[0], [(3, 2, 4)]),
    C(
        "gradient-complex",
        lambda z: np.gradient(z, COORDS, axis=1, edge_order=2),
        [(2, 5)],
        complex_,
    ),
    # select: the first true condition picks; the traced default fills the rest -------------
    C(
        "select",
        lambda x, y, d: np.select([x > 0.5, x < -0.5], [x * y, y], default=d),
        [(2, 3), (2, 3), (2, 3)],
        prims=("where",),
    ),
    C(
        "select-broadcast-default",
        lambda x, d: np.select([LIMITS > 0, LIMITS < -0.6], [x**2, 2.0], default=d),
        [(2, 3), (3,)],
        prims=("where",),
    ),
    C(
        "select-scalar-default",
        lambda x: np.select([LIMITS > 0], [np.sin(x)], 1.5),
        [(2, 3)],
        prims=("where",),
    ),
    # r_ and c_: pieces joined by concatenate --------------------------------------------------
    C("r_", lambda x, y: np.r_[x, 0.5, y, 1:3, [7.0]], [(3,), (2,)], prims=("concatenate",)),
    C("r_-linspace", lambda x: np.r_[0:1:4j, x * 2], [(3,)], prims=("concatenate",)),
    C(
        "r_-axis-directive",
        lambda a, b: np.r_["-1", a, b],
        [(2, 3), (2, 2)],
        prims=("concatenate",),
    ),
    C(
        "r_-ndmin-trans1d",
        lambda x, y: np.r_["0,2,0", x, y],
        [(3,), (3,)],
        prims=("concatenate",),
    ),
    C("r_-ndmin", lambda x, a: np.r_["0,2", x, a], [(3,), (2, 3)], prims=("concatenate",)),
    C(
        "r_-row",
        lambda x, y: np.r_["r", x, y],
        [(3,), (2,)],
        prims=("concatenate",),
        ref=lambda x, y: numpy.r_[x, y][None, :],  # NumPy gives a (deprecated) matrix
    ),
    C(
        "r_-column",
        lambda x: np.r_["c", x, 1.0],
        [(3,)],
        prims=("concatenate",),
        ref=lambda x: numpy.r_[x, 1.0][:, None],
    ),
    C("c_", lambda x, y: np.c_[x, y, 0:3], [(3,), (3,)], prims=("concatenate",)),
    C("c_-2d", lambda a, x: np.c_[a, 1.0, a * x], [(1, 3), (1, 3)], prims=("concatenate",)),
    # einsum's interleaved (sublist) form ------------------------------------------------------
    C(
        "einsum-sublists",
        lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]),
        [(2, 3), (3, 2)],
        prims=("einsum",),
    ),
    C(
        "einsum-sublists-implicit",
        lambda a, b: np.einsum(a, [Ellipsis, 1], b, [1]),
        [(2, 2, 3), (3,)],
        prims=("einsum",),
    ),
    C("einsum-sublists-trace", lambda a: np.einsum(a, [0, 0], []), [(3, 3)], prims=("einsum",)),
    # cross with its axis keywords ----------------------------------------------------------
    C("cross-axisa", lambda a, b: np.cross(a, b, axisa=0), [(3, 2), (4, 1, 3)]),
    C("cross-axisa-axisc", lambda a, b: np.cross(a, b, axisa=-2, axisc=1), [(3, 2), (3,)]),
    C("cross-axisb-axisc", lambda a, b: np.cross(a, b, axisb=0, axisc=0), [(2, 3), (3, 2)]),
    C("cross-axis", lambda a, b: np.cross(a, b, axis=0), [(3, 2, 2), (3, 1, 2)]),
    C(
        "cross-axis-complex",
        lambda a, b: np.cross(a, b, axis=0),
        [(3, 2), (3, 2)],
        [complex_, real],
    ),
    # column_stack of 1-D (and 2-D) arrays: reshape to columns, then concatenate ---------------
    C(
        "column_stack",
        lambda x, y: np.column_stack([x, y * 2, x * y]),
        [(4,), (4,)],
        prims=("concatenate", "reshape"),
    ),
    C(
        "column_stack-mixed",
        lambda x, a: np.column_stack((x, a)),
        [(2,), (2, 3)],
        prims=("concatenate",),
    ),
]
