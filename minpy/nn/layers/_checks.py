"""The label check that ``recurrent`` (embedding indices) and ``losses`` (class labels) share.

Private to the package: nothing here is re-exported, and nothing here is a layer.
"""

from __future__ import annotations

import minpy.numpy as np
from minpy.array import Array


def check_labels(y: Array, n_classes: int, where: str) -> None:
    """Raise unless the integer array ``y`` lies in ``[0, n_classes)``."""
    if y.size == 0:
        return
    lo, hi = int(np.min(y)), int(np.max(y))
    if lo < 0 or hi >= n_classes:
        bad = lo if lo < 0 else hi
        raise ValueError(
            f"{where}: label {bad!r} is out of range for {n_classes} classes (valid: 0 to "
            f"{n_classes - 1}); remap the labels to 0..{n_classes - 1} or widen the last layer"
        )
