"""MinPy's complete solver guide (docs/tutorial/complete_sol_opt_guide/mlp.py): a
``ModelBase`` with chained ``add_param(name=, shape=)``, a forward that reshapes each batch to
``(batch_size, -1)``, ``layers.softmax_loss``, ``NDArrayIter(data=, label=, batch_size=,
shuffle=)``, and ``Solver`` with ``init_rule='gaussian'``, ``init_config={'stdvar': ...}``,
``update_rule='sgd_momentum'``, ``verbose=True, print_every=20``, then ``init()`` and
``train()``; on scikit-learn's digits instead of CIFAR-10."""

from __future__ import annotations

import minpy.numpy as np
from minpy.nn import layers
from minpy.nn.io import NDArrayIter
from minpy.nn.model import ModelBase
from minpy.nn.solver import Solver
from tests.compat._digits import digits

batch_size = 100
input_size = (8, 8)
flattened_input_size = 8 * 8
hidden_size = 128
num_classes = 10


class TwoLayerNet(ModelBase):
    def __init__(self):
        super(TwoLayerNet, self).__init__()  # noqa: UP008  (MinPy's spelling)
        self.add_param(name="w1", shape=(flattened_input_size, hidden_size)).add_param(
            name="b1", shape=(hidden_size,)
        ).add_param(name="w2", shape=(hidden_size, num_classes)).add_param(
            name="b2", shape=(num_classes,)
        )

    def forward(self, X, mode):
        X = np.reshape(X, (batch_size, flattened_input_size))
        y1 = layers.affine(X, self.params["w1"], self.params["b1"])
        y2 = layers.relu(y1)
        return layers.affine(y2, self.params["w2"], self.params["b2"])

    def loss(self, predict, y):
        return layers.softmax_loss(predict, y)


def test_mlp_tutorial_trains_on_digits(capsys) -> None:
    data = digits()
    model = TwoLayerNet()
    train_dataiter = NDArrayIter(
        data=data["X_train"].reshape(-1, *input_size),
        label=data["y_train"],
        batch_size=batch_size,
        shuffle=True,
    )
    test_dataiter = NDArrayIter(
        data=data["X_test"].reshape(-1, *input_size),
        label=data["y_test"],
        batch_size=batch_size,
        shuffle=False,
    )
    solver = Solver(
        model,
        train_dataiter,
        test_dataiter,
        num_epochs=5,
        init_rule="gaussian",
        init_config={"stdvar": 0.1},
        update_rule="sgd_momentum",
        optim_config={"learning_rate": 1e-1, "momentum": 0.9},
        verbose=True,
        print_every=20,
    )
    solver.init()
    solver.train()
    out = capsys.readouterr().out
    assert "(Iteration 1 / 75) loss:" in out and "(Iteration 21 / 75) loss:" in out
    assert solver.best_val_acc > 0.85
