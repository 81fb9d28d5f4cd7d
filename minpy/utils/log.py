"""MinPy's ``minpy.utils.log``: ``get_logger``, a logger with one compact line per record.

Only the standard ``logging`` module is used; nothing else in minpy logs through it.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["get_logger"]

_COLOURS = ((logging.WARNING, "\x1b[31m"), (logging.INFO, "\x1b[32m"), (0, "\x1b[34m"))


class _Formatter(logging.Formatter):
    """``I0102 03:04:05 <pid> <logger>:<function>:<line>] message``, coloured on a terminal."""

    def __init__(self) -> None:
        super().__init__(datefmt="%m%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        head = f"{record.levelname[:1]}{self.formatTime(record, self.datefmt)} {record.process} "
        head += f"{record.name}:{record.funcName}:{record.lineno}]"
        if sys.stderr.isatty():
            colour = next(c for level, c in _COLOURS if record.levelno >= level)
            head = f"{colour}{head}\x1b[0m"
        return f"{head} {record.getMessage()}"


_handler = logging.StreamHandler()
_handler.setFormatter(_Formatter())


def get_logger(name: str | None = None, level: int = logging.WARNING) -> logging.Logger:
    """The logger ``name``; the first call for a name gives it a compact handler and ``level``.

    Examples
    --------
    >>> from minpy.utils.log import get_logger
    >>> log = get_logger("minpy.example")
    >>> log.level == logging.WARNING, get_logger("minpy.example") is log
    (True, True)
    """
    logger = logging.getLogger(name)
    if name and _handler not in logger.handlers:
        logger.addHandler(_handler)
        logger.setLevel(level)
    return logger
