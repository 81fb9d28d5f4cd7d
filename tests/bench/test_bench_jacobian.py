"""The jacobian benchmark's contestants compute the same Jacobian (a tiny smoke test)."""

from __future__ import annotations

import numpy
import pytest

from bench import bench_jacobian as bj


def test_jacobian_contestants_agree() -> None:
    got = bj.minpy_jacobian()().asnumpy()
    assert got.shape == (bj.OUT, bj.IN)
    numpy.testing.assert_allclose(bj.minpy_rerun_jacobian()().asnumpy(), got, rtol=1e-12)
    pytest.importorskip("autograd")
    numpy.testing.assert_allclose(bj.autograd_jacobian()(), got, rtol=1e-12)


def test_jacobian_table_prints_every_contestant() -> None:
    text = bj.table(repeat=1)
    assert "minpy" in text and "vs autograd" in text
