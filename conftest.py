"""Repository-wide test setup: the per-backend ``device`` fixture and seeded RNGs.

Every test that takes ``device`` runs once on ``cpu(0)``, once on the fake accelerator
(NumPy-backed, so device placement, adoption and transfers are exercised everywhere), and once
on ``gpu(0)`` when CuPy and a GPU are present. Without a GPU the CuPy run is skipped with the
reason; ``MINPY_REQUIRE_GPU=1`` turns that skip into a failure.

Hypothesis profiles: ``ci`` (the default) runs a small, fixed set of examples, the same on every
run; ``long`` runs thousands of fresh random ones. Pick one with ``--hypothesis-profile=long``
or ``HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy
import pytest
from hypothesis import Phase, settings

import minpy
import minpy.numpy as mnp
from minpy.backends import available
from minpy.testing import fake_device

REQUIRE_GPU = os.environ.get("MINPY_REQUIRE_GPU") == "1"

# ci: the same examples on every run (derandomize), no example database, no timing deadline
# (the first call of a primitive builds its route, so timings vary between examples), and no
# "explain" phase, which only adds time to a failure; a failure prints its reproduction blob.
settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
# long: thousands of fresh random examples (failures are saved under .hypothesis/, ignored by git)
settings.register_profile("long", max_examples=3000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _gpu_or_skip() -> minpy.Device:
    ok, why = available("gpu")
    if not ok:
        if REQUIRE_GPU:
            pytest.fail(f"MINPY_REQUIRE_GPU=1 but the GPU backend is unavailable: {why}")
        pytest.skip(f"CuPy backend unavailable: {why}")
    return minpy.gpu(0)


@pytest.fixture(params=["cpu", "fake", pytest.param("gpu", marks=pytest.mark.gpu)])
def device(request: pytest.FixtureRequest) -> Iterator[minpy.Device]:
    """Each available device in turn, made the current context for the test."""
    if request.param == "cpu":
        dev = minpy.cpu()
    elif request.param == "fake":
        dev = fake_device()
    else:
        dev = _gpu_or_skip()
    mnp.random.seed(0, device=dev)
    with dev:
        yield dev


@pytest.fixture
def gpu() -> minpy.Device:
    """``gpu(0)``, or a skip (a failure under MINPY_REQUIRE_GPU=1)."""
    return _gpu_or_skip()


@pytest.fixture(autouse=True)
def _seed_and_reset() -> Iterator[None]:
    random.seed(0)
    numpy.random.seed(0)
    mnp.random.seed(0)
    yield
    minpy.set_context(minpy.cpu())
    minpy.set_global_policy("prefer_cupy")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["np"] = mnp
    doctest_namespace["minpy"] = minpy


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per skip reason with its count (``-rs`` would print a line per test location,
    hundreds for the GPU parametrization on a machine without a GPU)."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, n in reasons.most_common():
            terminalreporter.write_line(f"{n:5d}  {reason}")
