"""The jit benchmark's contestants compute what the eager ones do (a small smoke test)."""

from __future__ import annotations

import numpy

from bench import bench_jit as bj


def test_jitted_mlp_step_trains_like_the_eager_one() -> None:
    eager, jitted = bj.mlp_minpy(16, False), bj.mlp_minpy(16, True)
    for _ in range(4):  # trace, then replays; the SGD updates land in both
        numpy.testing.assert_array_equal(numpy.asarray(jitted()), numpy.asarray(eager()))
