"""MinPy's tests/unittest/test_context.py: a global ``gpu(1)`` context set first, then work
inside ``with cpu():`` runs, and stays, on the CPU."""

from __future__ import annotations

import minpy.numpy as np
import minpy.numpy.random as random
from minpy.context import Context, cpu, current_context, gpu, set_context


def test_with_cpu_overrides_global_gpu_context() -> None:
    before = current_context()
    try:
        set_context(gpu(1))  # as MinPy, a device that may not exist fails only when used
        with cpu():
            x_cpu = random.rand(32, 64) - 0.5
            y_cpu = random.rand(64, 32) - 0.5
            z_cpu = np.dot(x_cpu, y_cpu)
        assert current_context() == gpu(1)
    finally:
        set_context(before)
    assert z_cpu.context == cpu() == Context("cpu")
    assert str(z_cpu.context) == "cpu(0)"
    assert z_cpu.shape == (32, 32)
