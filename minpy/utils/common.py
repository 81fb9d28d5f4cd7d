"""MinPy's ``minpy.utils.common``: the ``enforce_type`` decorator. Nothing else lives here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["enforce_type"]

F = TypeVar("F", bound=Callable[..., Any])


def enforce_type(T: type, method: bool = False) -> Callable[[F], F]:
    """Decorator: convert every argument that is not already a ``T`` with ``T(arg)``.

    With ``method=True`` the first positional argument (``self``) is left alone.

    Examples
    --------
    >>> from minpy.utils.common import enforce_type
    >>> @enforce_type(float)
    ... def half(x):
    ...     return x / 2
    >>> half("3")
    1.5
    """

    def convert(arg: Any) -> Any:
        return arg if isinstance(arg, T) else T(arg)

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            skip = 1 if method else 0
            new = list(args[:skip]) + [convert(a) for a in args[skip:]]
            return func(*new, **{k: convert(v) for k, v in kwargs.items()})

        return wrapped  # type: ignore[return-value]

    return decorator
