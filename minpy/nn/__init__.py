"""``minpy.nn``: layers, models, initializers, optimizers, data iterators and the Solver.

MinPy's neural-network API on minpy arrays: ``layers`` (pure functions, differentiated by
``minpy.core``), ``model.ModelBase``, ``init`` and ``optim`` (rules looked up by name),
``io.NDArrayIter``, ``solver.Solver``, ``model_builder`` (v0.3's declarative networks) and
``modules`` (HEAD's module API: layers bound to a ``Model``, an ``Updater``).
Everything runs on every device with no device-specific code.
"""

from __future__ import annotations

from minpy.nn import init, io, layers, model, model_builder, modules, optim, solver
from minpy.nn.io import DataBatch, NDArrayIter
from minpy.nn.model import CheckpointError, ModelBase
from minpy.nn.solver import NonFiniteLossError, Solver

__all__ = [
    "CheckpointError",
    "DataBatch",
    "ModelBase",
    "NDArrayIter",
    "NonFiniteLossError",
    "Solver",
    "init",
    "io",
    "layers",
    "model",
    "model_builder",
    "modules",
    "optim",
    "solver",
]
