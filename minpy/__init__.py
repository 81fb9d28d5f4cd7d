"""minpy: NumPy-interface autograd on the CPU (NumPy) and NVIDIA GPUs (CuPy).

Public names only. ``import minpy.numpy as np`` for the array namespace and
``from minpy.core import grad`` for gradients.
"""

from __future__ import annotations

from minpy import core as core  # grad & co, with the gradient table they use
from minpy import jit as jit  # minpy.jit(f): trace once, replay (a callable module)
from minpy import numpy as numpy  # the namespace: its primitives are what Arrays call
from minpy import policy
from minpy.array import Array, NDArray
from minpy.context import (
    Context,
    Device,
    cpu,
    current_context,
    free_gpu_memory,
    gpu,
    gpu_memory,
    set_context,
)
from minpy.dispatch.policy import AutoBlacklistPolicy
from minpy.errors import (
    BackendUnavailableError,
    DeviceMismatchError,
    FallbackError,
    GradientError,
    MissingVJPError,
    OutOfMemoryError,
)
from minpy.policy import (
    OnlyMXNetPolicy,
    OnlyNumPyPolicy,
    PreferMXNetPolicy,
    get_global_policy,
    set_global_policy,
    use_policy,
    wrap_policy,
)

__version__ = "0.1.0"

__all__ = [
    "Array",
    "AutoBlacklistPolicy",
    "BackendUnavailableError",
    "Context",
    "Device",
    "DeviceMismatchError",
    "FallbackError",
    "GradientError",
    "MissingVJPError",
    "NDArray",
    "OnlyMXNetPolicy",
    "OnlyNumPyPolicy",
    "OutOfMemoryError",
    "PreferMXNetPolicy",
    "__version__",
    "cpu",
    "current_context",
    "free_gpu_memory",
    "get_global_policy",
    "gpu",
    "gpu_memory",
    "jit",
    "policy",
    "set_context",
    "set_global_policy",
    "use_policy",
    "wrap_policy",
]
