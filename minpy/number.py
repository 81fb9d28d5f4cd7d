"""MinPy's ``Number``: a Python float that also knows its context (``minpy.array.Number``).

MinPy returned scalar results as ``Number``s; minpy returns 0-d Arrays (which ``float()``
converts) and gives Python floats as the gradients of Python numbers. ``Number`` is here for
code that names the class, builds one, or checks ``isinstance(x, Number)``.
"""

from __future__ import annotations

from typing import Any

from minpy.context import Device, current_context

__all__ = ["Number"]


class Number(float):
    """A float with MinPy's ``val``, ``context``, ``asnumpy()`` and ``wait_to_read()``.

    Examples
    --------
    >>> from minpy.array import Number
    >>> n = Number(2.5)
    >>> n + 1, n.val, n.context
    (3.5, 2.5, cpu(0))
    """

    context: Device

    def __new__(cls, val: Any, context: Device | None = None) -> Number:
        self = super().__new__(cls, float(val))
        self.context = current_context() if context is None else context
        return self

    @property
    def val(self) -> float:
        """The value as a plain float."""
        return float(self)

    def asnumpy(self) -> float:
        """The value (MinPy's ``asnumpy`` of a scalar gives the scalar)."""
        return float(self)

    def wait_to_read(self) -> None:
        """Nothing to wait for: the value is on the host."""
