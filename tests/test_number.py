"""MinPy's ``minpy.array.Number``: a float that knows its context."""

from __future__ import annotations

import minpy
from minpy.array import Number
from minpy.testing import fake_device


def test_number_is_a_float_with_minpy_attributes() -> None:
    n = Number(3)
    assert isinstance(n, float) and n == 3.0 and n * 2 == 6.0
    assert n.val == 3.0 and type(n.val) is float
    assert n.asnumpy() == 3.0 and n.wait_to_read() is None
    assert n.context is minpy.cpu()
    dev = fake_device()
    assert Number(1.5, dev).context is dev
    with dev:
        assert Number(0).context is dev
