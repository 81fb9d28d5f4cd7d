"""The benchmarks compare like with like: every contestant computes the same gradient."""

from __future__ import annotations

import numpy

import minpy.numpy as np
from bench import bench_overhead as bo


def test_simplenet_contestants_agree() -> None:
    x, w, b, y = bo.simplenet_data()
    want, loss = bo.simplenet_numpy_grad(x, w, b, y)
    got = bo.make_simplenet_minpy()(np.array(x), np.array(w), b, y)
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-10, atol=1e-14)
    # the replay of minpy's NumPy calls is exactly what minpy computes
    replay, replay_loss = bo.simplenet_tape_numpy(x, w, b, y)
    numpy.testing.assert_array_equal(replay, got.asnumpy())
    numpy.testing.assert_allclose(replay_loss, loss, rtol=1e-14)


def test_chain_contestants_agree() -> None:
    xn = numpy.random.RandomState(0).randn(10)
    want = bo.chain_numpy_grad(xn)
    got = bo.make_chain_minpy()(np.array(xn))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)
