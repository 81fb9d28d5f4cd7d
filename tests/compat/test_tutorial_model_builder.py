"""MinPy's model builder tutorial (docs/tutorial/model_builder_tutorial and
cnn_tutorial/model_builder_example.py): ``import minpy.nn.model_builder as builder``,
``builder.Sequential(Convolution((7, 7), 32), ReLU(), Pooling('max', (2, 2), (2, 2)),
Reshape(...), Affine(...), ...)``, ``builder.Model(net, 'softmax', input_shape)``, trained by
the Solver as in the tutorial (gaussian init, sgd_momentum); on digits, with smaller layers."""

from __future__ import annotations

import minpy.nn.model_builder as builder
from minpy.nn.io import NDArrayIter
from minpy.nn.solver import Solver
from tests.compat._digits import digits

batch_size = 100
hidden_size = 64
num_classes = 10


def test_model_builder_cnn_trains_on_digits() -> None:
    data = digits()
    net = builder.Sequential(
        builder.Reshape((1, 8, 8)),
        builder.Convolution((3, 3), 8),
        builder.ReLU(),
        builder.Pooling("max", (2, 2), (2, 2)),
        builder.Reshape((8 * 3 * 3,)),
        builder.Affine(hidden_size),
        builder.ReLU(),
        builder.Affine(num_classes),
    )
    model = builder.Model(net, "softmax", (8 * 8,))
    solver = Solver(
        model,
        NDArrayIter(data["X_train"], data["y_train"], batch_size=batch_size, shuffle=True),
        NDArrayIter(data["X_test"], data["y_test"], batch_size=batch_size, shuffle=False),
        num_epochs=3,
        init_rule="gaussian",
        init_config={"stdvar": 0.1},
        update_rule="sgd_momentum",
        optim_config={"learning_rate": 1e-1, "momentum": 0.9},
        verbose=False,
        print_every=20,
    )
    solver.init()
    solver.train()
    assert solver.best_val_acc > 0.75
