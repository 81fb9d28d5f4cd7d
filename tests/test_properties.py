"""Property-based checks (hypothesis): broadcasting gradients and indexing against NumPy."""

from __future__ import annotations

import numpy
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minpy.numpy as np
from minpy.core import grad

FLOATS = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, deadline=None)
@given(
    hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4), st.data()
)
def test_broadcast_multiply_gradients_sum_over_broadcast_axes(shapes, data):
    sa, sb = shapes.input_shapes
    a = data.draw(hnp.arrays(numpy.float64, sa, elements=FLOATS))
    b = data.draw(hnp.arrays(numpy.float64, sb, elements=FLOATS))
    ga, gb = grad(lambda x, y: np.sum(x * y), [0, 1])(np.array(a), np.array(b))
    full_b = numpy.broadcast_to(b, shapes.result_shape)
    full_a = numpy.broadcast_to(a, shapes.result_shape)
    # sum the broadcast result back to each input's shape with NumPy's own reductions
    expect_a = _sum_to(full_b, sa)
    expect_b = _sum_to(full_a, sb)
    assert ga.shape == sa and gb.shape == sb
    numpy.testing.assert_allclose(ga.asnumpy(), expect_a, atol=1e-9)
    numpy.testing.assert_allclose(gb.asnumpy(), expect_b, atol=1e-9)


def _sum_to(x: numpy.ndarray, shape: tuple[int, ...]) -> numpy.ndarray:
    lead = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(lead))) if lead else x
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and x.shape[i] != 1)
    return x.sum(axis=axes, keepdims=True) if axes else x


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        numpy.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=FLOATS
    ),
    st.data(),
)
def test_basic_index_forward_and_gradient_match_numpy(a, data):
    key = data.draw(hnp.basic_indices(a.shape, allow_newaxis=True, allow_ellipsis=True))
    x = np.array(a)
    numpy.testing.assert_array_equal(numpy.asarray(x[key].asnumpy()), a[key])
    g = grad(lambda t: np.sum(t[key] * 2.0))(x)
    expect = numpy.zeros_like(a)
    expect[key] += 2.0  # basic indices never repeat an element
    numpy.testing.assert_array_equal(g.asnumpy(), expect)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        numpy.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=6), elements=FLOATS
    ),
    st.data(),
)
def test_integer_array_index_gradient_counts_repeats(a, data):
    n = a.shape[0]
    idx = data.draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=8))
    x = np.array(a)
    numpy.testing.assert_array_equal(x[idx].asnumpy(), a[idx])
    g = grad(lambda t: np.sum(t[idx]))(x)
    expect = numpy.zeros_like(a)
    numpy.add.at(expect, idx, 1.0)
    numpy.testing.assert_array_equal(g.asnumpy(), expect)
