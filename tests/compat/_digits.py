"""scikit-learn's bundled 8x8 digits, split as the tutorials split their data sets."""

from __future__ import annotations

import numpy
import pytest


def digits() -> dict[str, numpy.ndarray]:
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits()
    x, y = d.data / 16.0, d.target
    return {"X_train": x[:1500], "y_train": y[:1500], "X_test": x[1500:], "y_test": y[1500:]}
