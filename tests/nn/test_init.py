"""minpy.nn.init: the statistics of each init rule, on each device, and unknown rules."""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import minpy
from minpy.nn import init


@pytest.mark.parametrize(
    ("rule", "shape", "std"),
    [
        (init.xavier_normal, (400, 200), (2 / 600) ** 0.5),
        (init.he, (400, 200), (2 / 400) ** 0.5),
        (init.he, (32, 8, 3, 3), (2 / 72) ** 0.5),
        (init.xavier_normal, (32, 8, 3, 3), (2 / (72 + 288)) ** 0.5),
    ],
)
def test_init_rule_statistics(device: minpy.Device, rule: Any, shape: Any, std: float) -> None:
    w = rule(shape, {"dtype": "float64"})
    assert w.shape == shape and w.device is device
    host = numpy.asarray(w)
    assert abs(host.mean()) < 4 * std / host.size**0.5
    assert abs(host.std() / std - 1) < 0.03


def test_gaussian_and_constant() -> None:
    w = numpy.asarray(init.gaussian((500, 200), {"mu": 2.0, "stdvar": 0.5}))
    assert w.dtype == numpy.float32
    assert abs(w.mean() - 2.0) < 0.01 and abs(w.std() - 0.5) < 0.01
    assert abs(numpy.asarray(init.gaussian((500, 200))).std() - 0.001) < 1e-4
    numpy.testing.assert_array_equal(init.constant((2, 3), {"value": 7}), numpy.full((2, 3), 7))
    with pytest.raises(ValueError, match="unknown init_rule 'glorot'"):
        init.get("glorot")
