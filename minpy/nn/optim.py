"""Update rules with per-parameter state (MinPy's ``minpy.nn.optim``).

A rule is ``rule(w, dw, config=None) -> (next_w, config)``, MinPy's form: it returns the
updated parameter as a **new** array (``w`` is left as it was) with ``config``, the dict of
hyper-parameters and state (velocity, moment estimates, step count) kept for that one
parameter. Missing entries get defaults on the first call (written into ``config``, as MinPy
does); state arrays live on ``w``'s device. The built-in rules also take the keyword-only
``inplace=True``, which writes the update into ``w`` (and the state arrays) and returns ``w``
itself: no new arrays per step. ``Solver`` uses that form for the built-in rules and calls
any other rule MinPy's way. Everything is minpy operations, so the rules run on every device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import minpy.numpy as np
from minpy.array import Array

__all__ = ["adam", "get", "is_builtin", "rmsprop", "sgd", "sgd_momentum"]

Config = dict[str, Any]
Rule = Callable[[Array, Array, Config | None], tuple[Array, Config]]


def _zeros_like(w: Array) -> Array:
    return np.zeros(w.shape, dtype=w.dtype, device=w.device)


def sgd(
    w: Array, dw: Array, config: Config | None = None, *, inplace: bool = False
) -> tuple[Array, Config]:
    """Vanilla SGD: ``next_w = w - learning_rate * dw``.

    config: ``learning_rate`` (default 1e-2). ``inplace=True`` writes ``next_w`` into ``w``.

    Examples
    --------
    >>> from minpy.nn import optim
    >>> w = np.array([1.0, 2.0])
    >>> next_w, cfg = optim.sgd(w, np.array([1.0, -1.0]), {"learning_rate": 0.5})
    >>> next_w, w
    (array([0.5, 2.5]), array([1., 2.]))
    >>> optim.sgd(w, np.array([1.0, -1.0]), {"learning_rate": 0.5}, inplace=True)[0] is w
    True
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    step = config["learning_rate"] * dw
    if inplace:
        w -= step
        return w, config
    return w - step, config


def sgd_momentum(
    w: Array, dw: Array, config: Config | None = None, *, inplace: bool = False
) -> tuple[Array, Config]:
    """SGD with momentum: ``v = momentum * v - learning_rate * dw; next_w = w + v``.

    config: ``learning_rate`` (1e-2), ``momentum`` (0.9); state ``velocity``.
    ``inplace=True`` updates ``w`` and ``velocity`` in place.

    Examples
    --------
    >>> from minpy.nn import optim
    >>> w, cfg = optim.sgd_momentum(np.array([1.0]), np.array([1.0]), {"learning_rate": 0.1})
    >>> w, cfg["velocity"]
    (array([0.9]), array([-0.1]))
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity")
    if v is None:
        v = _zeros_like(w)
    if inplace:
        v *= config["momentum"]
        v -= config["learning_rate"] * dw
        w += v
    else:
        v = config["momentum"] * v - config["learning_rate"] * dw
        w = w + v
    config["velocity"] = v
    return w, config


def rmsprop(
    w: Array, dw: Array, config: Config | None = None, *, inplace: bool = False
) -> tuple[Array, Config]:
    """RMSProp: a running mean of squared gradients scales each step.

    ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``, then
    ``next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)``.
    config: ``learning_rate`` (1e-2), ``decay_rate`` (0.99), ``epsilon`` (1e-8); state
    ``cache``. ``inplace=True`` updates ``w`` and ``cache`` in place.

    Examples
    --------
    >>> from minpy.nn import optim
    >>> w, cfg = optim.rmsprop(np.array([1.0]), np.array([2.0]), {"learning_rate": 0.1})
    >>> w.round(4)
    array([0.])
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache")
    if cache is None:
        cache = _zeros_like(w)
    rho = config["decay_rate"]
    if inplace:
        cache *= rho
        cache += (1 - rho) * (dw * dw)
    else:
        cache = rho * cache + (1 - rho) * (dw * dw)
    step = config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    if inplace:
        w -= step
    else:
        w = w - step
    config["cache"] = cache
    return w, config


def adam(
    w: Array, dw: Array, config: Config | None = None, *, inplace: bool = False
) -> tuple[Array, Config]:
    """Adam with bias correction, as MinPy computes it.

    ``m = beta1 * m + (1 - beta1) * dw``, ``v = beta2 * v + (1 - beta2) * dw**2``, ``t += 1``,
    then ``next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)`` with
    ``m_hat = m / (1 - beta1**t)`` and ``v_hat = v / (1 - beta2**t)``.
    config: ``learning_rate`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999), ``epsilon`` (1e-8);
    state ``m``, ``v`` and the step count ``t``. ``inplace=True`` updates ``w``, ``m`` and
    ``v`` in place.

    Examples
    --------
    >>> from minpy.nn import optim
    >>> w, cfg = optim.adam(np.array([1.0]), np.array([5.0]), {"learning_rate": 0.1})
    >>> w.round(4), cfg["t"]
    (array([0.9]), 1)
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    m, v = config.get("m"), config.get("v")
    if m is None:
        m = _zeros_like(w)
    if v is None:
        v = _zeros_like(w)
    t = int(config.get("t", 0)) + 1
    b1, b2 = config["beta1"], config["beta2"]
    if inplace:
        m *= b1
        m += (1 - b1) * dw
        v *= b2
        v += (1 - b2) * (dw * dw)
    else:
        m = b1 * m + (1 - b1) * dw
        v = b2 * v + (1 - b2) * (dw * dw)
    v_hat = v / (1 - b2**t)
    step = (config["learning_rate"] / (1 - b1**t)) * m / (np.sqrt(v_hat) + config["epsilon"])
    if inplace:
        w -= step
    else:
        w = w - step
    config.update(m=m, v=v, t=t)
    return w, config


_RULES: dict[str, Rule] = {
    "adam": adam,
    "rmsprop": rmsprop,
    "sgd": sgd,
    "sgd_momentum": sgd_momentum,
}

# What each rule reads from its config: the hyper-parameters a user may set (Solver checks
# optim_config against these and their ranges) and the state kept between steps, arrays shaped
# like w plus Adam's step count (Solver checks checkpoints against these).
_HYPERPARAMETERS: dict[Rule, tuple[str, ...]] = {
    adam: ("learning_rate", "beta1", "beta2", "epsilon"),
    rmsprop: ("learning_rate", "decay_rate", "epsilon"),
    sgd: ("learning_rate",),
    sgd_momentum: ("learning_rate", "momentum"),
}
_STATE_ARRAYS: dict[Rule, tuple[str, ...]] = {
    adam: ("m", "v"),
    rmsprop: ("cache",),
    sgd: (),
    sgd_momentum: ("velocity",),
}
_STATE_COUNTS: dict[Rule, tuple[str, ...]] = {adam: ("t",), rmsprop: (), sgd: (), sgd_momentum: ()}
_RANGES: dict[str, tuple[str, Callable[[float], bool]]] = {
    "learning_rate": ("> 0", lambda v: v > 0),
    "momentum": ("in [0, 1)", lambda v: 0 <= v < 1),
    "decay_rate": ("in [0, 1)", lambda v: 0 <= v < 1),
    "beta1": ("in [0, 1)", lambda v: 0 <= v < 1),
    "beta2": ("in [0, 1)", lambda v: 0 <= v < 1),
    "epsilon": ("> 0", lambda v: v > 0),
}


def get(rule: Any) -> Rule:
    """The update rule named ``rule`` (or ``rule`` itself if callable).

    Raises
    ------
    ValueError
        No rule has that name.

    Examples
    --------
    >>> from minpy.nn import optim
    >>> optim.get("adam") is optim.adam
    True
    """
    if callable(rule):
        return rule  # type: ignore[no-any-return]
    try:
        return _RULES[rule]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown update_rule {rule!r}; use one of {sorted(_RULES)} or a function "
            "rule(w, dw, config) -> (w, config)"
        ) from None


def is_builtin(rule: Any) -> bool:
    """Whether ``rule`` is one of this module's rules (which take ``inplace=``).

    Examples
    --------
    >>> from minpy.nn import optim
    >>> optim.is_builtin(optim.sgd), optim.is_builtin(lambda w, dw, config=None: (w, config))
    (True, False)
    """
    return any(rule is r for r in _RULES.values())
