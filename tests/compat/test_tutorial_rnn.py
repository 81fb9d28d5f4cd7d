"""MinPy's RNN tutorial (docs/tutorial/rnn_tutorial/rnn.py and lstm.py): the adding problem,
an ``RNNNet`` looping ``layers.rnn_step`` and an ``LSTMNet`` looping ``layers.lstm_step`` with
``h0``/``c0`` as parameters, both read out with ``layers.affine`` and trained on
``layers.l2_loss`` by ``Solver(init_rule='xavier', update_rule='adam', print_every=...)``."""

from __future__ import annotations

import numpy
import pytest

import minpy.numpy as np
from minpy.nn import layers
from minpy.nn.io import NDArrayIter
from minpy.nn.model import ModelBase
from minpy.nn.solver import Solver

SEQ_LEN = 6


def adding_problem(N, seq_len=SEQ_LEN, high=1, rng=None):
    """The adding problem (Le, Jaitly and Hinton): sum the two values whose mask is 1."""
    rng = rng or numpy.random.RandomState(0)
    values = rng.uniform(0, high, size=(N, seq_len, 1))
    mask = numpy.zeros((N, seq_len, 1))
    for i in range(N):
        mask[i, rng.choice(seq_len, size=2, replace=False)] = 1
    return numpy.append(values, mask, axis=2), (values * mask).sum(axis=(1, 2))[:, None]


class RNNNet(ModelBase):
    def __init__(self, batch_size=100, input_size=2, hidden_size=32, num_classes=1):
        super(RNNNet, self).__init__()  # noqa: UP008  (MinPy's spelling)
        self.add_param(name="Wx", shape=(input_size, hidden_size)).add_param(
            name="Wh", shape=(hidden_size, hidden_size)
        ).add_param(name="b", shape=(hidden_size,)).add_param(
            name="Wa", shape=(hidden_size, num_classes)
        ).add_param(name="ba", shape=(num_classes,))

    def forward(self, X, mode):
        seq_len, batch_size = X.shape[1], X.shape[0]
        h = np.zeros((batch_size, self.params["Wh"].shape[0]))
        for t in range(seq_len):
            h = layers.rnn_step(
                X[:, t, :], h, self.params["Wx"], self.params["Wh"], self.params["b"]
            )
        return layers.affine(h, self.params["Wa"], self.params["ba"])

    def loss(self, predict, y):
        return layers.l2_loss(predict, y)


class LSTMNet(ModelBase):
    def __init__(self, batch_size=100, input_size=2, hidden_size=32, num_classes=1):
        super(LSTMNet, self).__init__()  # noqa: UP008  (MinPy's spelling)
        self.add_param(name="h0", shape=(batch_size, hidden_size)).add_param(
            name="c0", shape=(batch_size, hidden_size)
        ).add_param(name="Wx", shape=(input_size, 4 * hidden_size)).add_param(
            name="Wh", shape=(hidden_size, 4 * hidden_size)
        ).add_param(name="b", shape=(4 * hidden_size,)).add_param(
            name="Wa", shape=(hidden_size, num_classes)
        ).add_param(name="ba", shape=(num_classes,))

    def forward(self, X, mode):
        h, c = self.params["h0"], self.params["c0"]
        for t in range(X.shape[1]):
            h, c = layers.lstm_step(
                X[:, t, :], h, c, self.params["Wx"], self.params["Wh"], self.params["b"]
            )
        return layers.affine(h, self.params["Wa"], self.params["ba"])

    def loss(self, predict, y):
        return layers.l2_loss(predict, y)


@pytest.mark.parametrize("net", [RNNNet, LSTMNet])
def test_rnn_tutorial_learns_the_adding_problem(net, capsys) -> None:
    x_train, y_train = adding_problem(2000)
    x_test, y_test = adding_problem(500, rng=numpy.random.RandomState(1))
    model = net()
    solver = Solver(
        model,
        NDArrayIter(x_train, y_train, batch_size=100, shuffle=True),
        NDArrayIter(x_test, y_test, batch_size=100, shuffle=False),
        num_epochs=10,
        init_rule="xavier",
        update_rule="adam",
        optim_config={"learning_rate": 1e-2},
        task_type="regression",
        verbose=True,
        print_every=20,
    )
    solver.init()
    solver.train()
    assert "(Iteration 21 / 200) loss:" in capsys.readouterr().out
    # predicting the mean label (about 1) scores the label's variance, about 1/6
    batch = x_test[:100]
    pred = model.forward(np.array(batch), "test").asnumpy()
    mse = float(((pred - y_test[:100]) ** 2).mean())
    assert mse < 0.5 * y_test.var()
