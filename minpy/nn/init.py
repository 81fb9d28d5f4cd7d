"""Parameter initialization rules (MinPy's ``minpy.nn.init``).

A rule is ``rule(shape, config) -> Array``: a new array of ``shape`` on the current context
(or ``config["device"]``), of dtype ``config.get("dtype", "float32")``. ``Solver`` and
``ModelBase.init_params`` look rules up here by name. Rules draw from the device's generator,
so ``minpy.numpy.random.seed`` makes them reproducible; they hold no state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import minpy.numpy as np
from minpy.array import Array

__all__ = ["constant", "custom", "fans", "gaussian", "get", "he", "xavier", "xavier_normal"]

Config = Mapping[str, Any] | None


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``.

    ``(D, M)`` affine weights: ``(D, M)``; ``(F, C, KH, KW)`` filters: ``(C*KH*KW, F*KH*KW)``;
    a vector ``(M,)``: ``(M, M)``.

    Examples
    --------
    >>> from minpy.nn import init
    >>> init.fans((784, 512)), init.fans((16, 3, 3, 3))
    ((784, 512), (27, 144))
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    field = math.prod(shape[2:])
    return shape[1] * field, shape[0] * field


def _normal(shape: Sequence[int], std: float, mean: float, config: Config) -> Array:
    cfg = dict(config or {})
    dtype = cfg.get("dtype", "float32")
    x = np.random.normal(mean, std, tuple(shape), device=cfg.get("device"))
    return x.astype(dtype, copy=False)


def xavier(shape: Sequence[int], config: Config = None) -> Array:
    """MinPy's Xavier rule: normal, mean 0, std ``sqrt(6 / (fan_in + fan_out))``.

    As MinPy counts them, ``fan_out = shape[0]`` and ``fan_in = prod(shape[1:])`` (0 for a
    vector), so ``(D, M)`` gives std ``sqrt(6 / (D + M))``, ``(F, C, KH, KW)`` filters
    ``sqrt(6 / (F + C*KH*KW))`` and ``(M,)`` ``sqrt(6 / M)``. This is the *uniform* Glorot
    bound used as a normal std (three times Glorot's variance); ``xavier_normal`` is Glorot's.
    The default rule of ``Solver`` and ``ModelBase.init_params``.

    Examples
    --------
    >>> from minpy.nn import init
    >>> w = init.xavier((300, 100))
    >>> w.dtype, round(float(w.std()) ** 2 * 400 / 6, 1)
    (dtype('float32'), 1.0)
    """
    shape = tuple(int(s) for s in shape)
    fan_out = shape[0] if shape else 1
    fan_in = math.prod(shape[1:]) if len(shape) > 1 else 0
    return _normal(shape, math.sqrt(6.0 / max(fan_in + fan_out, 1)), 0.0, config)


def xavier_normal(shape: Sequence[int], config: Config = None) -> Array:
    """Glorot/Xavier normal: mean 0, variance ``2 / (fan_in + fan_out)`` with the fans of
    ``fans`` (PyTorch's ``xavier_normal_``; this project's ``xavier`` gave these numbers before
    ``xavier`` took MinPy's).

    Examples
    --------
    >>> from minpy.nn import init
    >>> w = init.xavier_normal((300, 100))
    >>> w.dtype, round(float(w.std()) ** 2 * 200, 1)
    (dtype('float32'), 1.0)
    """
    fan_in, fan_out = fans(shape)
    return _normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), 0.0, config)


def he(shape: Sequence[int], config: Config = None) -> Array:
    """He/Kaiming normal for ReLU layers: mean 0, variance ``2 / fan_in``.

    Examples
    --------
    >>> from minpy.nn import init
    >>> round(float(init.he((800, 50)).std()) ** 2 * 400, 1)
    1.0
    """
    fan_in, _ = fans(shape)
    return _normal(shape, math.sqrt(2.0 / fan_in), 0.0, config)


def gaussian(shape: Sequence[int], config: Config = None) -> Array:
    """Normal with ``config["mu"]`` (default 0) and ``config["stdvar"]`` (std, default 0.001).

    Examples
    --------
    >>> from minpy.nn import init
    >>> w = init.gaussian((1000, 10), {"mu": 1.0, "stdvar": 0.1})
    >>> round(float(w.mean()), 1), round(float(w.std()), 2)
    (1.0, 0.1)
    """
    cfg = config or {}
    return _normal(shape, float(cfg.get("stdvar", 0.001)), float(cfg.get("mu", 0.0)), config)


def constant(shape: Sequence[int], config: Config = None) -> Array:
    """Every entry ``config["value"]`` (default 0): the usual rule for biases.

    Examples
    --------
    >>> from minpy.nn import init
    >>> init.constant((2,), {"value": 0.5, "dtype": "float64"})
    array([0.5, 0.5])
    """
    cfg = config or {}
    return np.full(
        tuple(shape), cfg.get("value", 0.0), dtype=cfg.get("dtype", "float32"),
        device=cfg.get("device"),
    )  # fmt: skip


def custom(shape: Sequence[int], config: Config = None) -> Array:
    """MinPy's custom rule: ``config["function"](shape)``; without a function, zeros.

    The function gets the shape tuple and returns an Array (or anything ``np.asarray`` takes,
    placed on ``config["device"]`` or the current context). The zeros have
    ``config["dtype"]`` (default float32).

    Examples
    --------
    >>> from minpy.nn import init
    >>> init.custom((2, 2), {"function": lambda shape: np.eye(shape[0])})
    array([[1., 0.],
           [0., 1.]])
    >>> init.custom((3,)).tolist()
    [0.0, 0.0, 0.0]
    """
    cfg = config or {}
    shape = tuple(int(s) for s in shape)
    function = cfg.get("function")
    if function is None:
        return np.zeros(shape, dtype=cfg.get("dtype", "float32"), device=cfg.get("device"))
    if not callable(function):
        raise TypeError(
            f"init.custom: config['function'] must be callable, got {function!r}; pass a "
            "function shape -> Array, e.g. {'function': minpy.numpy.ones}"
        )
    out = function(shape)
    if not isinstance(out, Array):
        out = np.asarray(out, device=cfg.get("device"))
    if tuple(out.shape) != shape:
        raise ValueError(
            f"init.custom: config['function'] returned shape {tuple(out.shape)!r} for a "
            f"parameter of shape {shape!r}; return an array of the shape it is given"
        )
    return out


_RULES = {
    "constant": constant,
    "custom": custom,
    "gaussian": gaussian,
    "he": he,
    "xavier": xavier,
    "xavier_normal": xavier_normal,
}

# the config keys each rule reads (Solver refuses others when only these rules are in use)
_CONFIG_KEYS: dict[Any, tuple[str, ...]] = {
    constant: ("value", "dtype", "device"),
    custom: ("function", "dtype", "device"),
    gaussian: ("mu", "stdvar", "dtype", "device"),
    he: ("dtype", "device"),
    xavier: ("dtype", "device"),
    xavier_normal: ("dtype", "device"),
}


def get(rule: Any) -> Any:
    """The rule named ``rule`` (or ``rule`` itself if callable).

    Raises
    ------
    ValueError
        No rule has that name.

    Examples
    --------
    >>> from minpy.nn import init
    >>> init.get("he") is init.he
    True
    """
    if callable(rule):
        return rule
    try:
        return _RULES[rule]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown init_rule {rule!r}; use one of {sorted(_RULES)} or a function "
            "rule(shape, config) -> Array"
        ) from None
