"""Checks of ``Solver``'s constructor arguments: types and ranges, the update and init rules'
settings, and the data iterators.

Each check names the argument, shows the offending value and says what to pass instead; a
wrong type raises ``TypeError``, a wrong value ``ValueError``. ``Solver.__init__`` runs them all
before it keeps anything, so a bad argument never surfaces later inside training. Private to
``minpy.nn``; nothing here trains.
"""

from __future__ import annotations

import math
import numbers
import operator
import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy

from minpy.nn import init as _init
from minpy.nn import optim as _optim
from minpy.nn.io import NDArrayIter
from minpy.nn.model import ModelBase


def type_name(value: Any) -> str:
    """The name of ``value``'s type, for messages."""
    return type(value).__name__


def solver_model(model: Any) -> None:
    """Check that the Solver can train ``model``: a ``ModelBase`` with declared parameters."""
    if not isinstance(model, ModelBase):
        raise TypeError(f"Solver: model must be a ModelBase, got {type_name(model)}")
    if model.lazy_params:
        raise TypeError(
            "Solver: a minpy.nn.modules Model creates its parameters on its first call, so "
            "the Solver cannot plan their initialization and updates; train it with "
            "minpy.nn.modules.Updater (loss = model(x, labels=y); "
            "updater(model.backward())), as MinPy does, or declare the parameters on a "
            "minpy.nn.model.ModelBase with add_param"
        )


def int_arg(name: str, value: Any, low: int) -> int:
    """``value`` as an int ``>= low``; floats (even ``32.0``) and bools are refused."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        fix = (
            f"pass {name}={int(value)}"
            if isinstance(value, float) and value.is_integer()
            else f"pass an int, e.g. {name}={max(low, 1)}"
        )
        raise TypeError(f"Solver: {name} must be an int, got {value!r} ({type_name(value)}); {fix}")
    number = operator.index(value)
    if number < low:
        raise ValueError(
            f"Solver: {name} must be an int >= {low}, got {value!r}; pass {name}={low} or more"
        )
    return number


def real_arg(name: str, value: Any, ok: Callable[[float], bool], rule: str) -> float:
    """``value`` as a finite float for which ``ok`` holds (``rule`` says so in words)."""
    must = f"must be a number {rule}" if rule else "must be a number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Solver: {name} {must}, got {value!r} ({type_name(value)}); pass an int or a float"
        )
    number = float(value)
    if not (math.isfinite(number) and ok(number)):
        fix = f"pass a value {rule}" if rule else "pass a finite value"
        raise ValueError(
            f"Solver: {name} {must.replace('a number', 'a finite number')}, got {value!r}; {fix}"
        )
    return number


def bool_arg(name: str, value: Any) -> bool:
    """``value`` as a bool; ``0``/``1`` are accepted (MinPy-era scripts pass them), other
    truthy values (``"no"``, ``2``) are refused."""
    if isinstance(value, (int, numpy.integer)) and value in (0, 1):
        return bool(value)
    if not isinstance(value, (bool, numpy.bool_)):
        raise TypeError(
            f"Solver: {name} must be True or False, got {value!r} ({type_name(value)}); "
            f"pass {name}=True or {name}=False"
        )
    return bool(value)


TASK_TYPES = ("classification", "regression")


def task_type_arg(value: Any) -> str:
    """``value`` as one of ``TASK_TYPES``."""
    if not isinstance(value, str):
        raise TypeError(
            f"Solver: task_type must be a str, got {value!r} ({type_name(value)}); pass "
            "task_type='classification' or task_type='regression'"
        )
    if value not in TASK_TYPES:
        raise ValueError(
            f"Solver: unknown task_type {value!r}; pass task_type='classification' (accuracy, "
            "higher is better) or task_type='regression' (loss, lower is better)"
        )
    return value


def dict_arg(name: str, value: Any) -> dict[str, Any]:
    """A copy of the mapping ``value`` with string keys (``None``: empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(
            f"Solver: {name} must be a dict or None, got {value!r} ({type_name(value)}); "
            f"pass e.g. {name}={{}}"
        )
    bad = [k for k in value if not isinstance(k, str)]
    if bad:
        raise TypeError(
            f"Solver: {name} keys must be strings, got {bad[0]!r}; use the setting's name"
        )
    return dict(value)


def rule_name(rule: Any) -> str:
    """A rule's name as the user gave it, or the function's name."""
    return rule if isinstance(rule, str) else getattr(rule, "__name__", repr(rule))


def check_optim_config(update_rule: Any, rule: Any, config: Mapping[str, Any]) -> None:
    """Refuse settings the built-in ``rule`` does not read and values out of range."""
    known = _optim._HYPERPARAMETERS.get(rule)
    if known is not None:
        unknown = [k for k in config if k not in known]
        if unknown:
            raise ValueError(
                f"Solver: optim_config key {unknown[0]!r} is not a setting of update_rule "
                f"{rule_name(update_rule)!r}, which takes {sorted(known)!r}; remove it or pick "
                "the update rule that has it"
            )
    for key in known or ("learning_rate",):  # a custom rule: only what Solver itself reads
        if key in config:
            text, ok = _optim._RANGES[key]
            real_arg(f"optim_config[{key!r}]", config[key], ok, text)


def check_init_config(rules: list[Any], config: Mapping[str, Any], where: str) -> None:
    """Refuse keys none of the built-in ``rules`` reads, a non-float dtype and bad numbers."""
    if all(r in _init._CONFIG_KEYS for r in rules):
        known = {k for r in rules for k in _init._CONFIG_KEYS[r]}
        unknown = [k for k in config if k not in known]
        if unknown:
            names = sorted({rule_name(r) for r in rules})
            raise ValueError(
                f"Solver: {where} key {unknown[0]!r} is read by no init rule in use "
                f"({names!r}), which read {sorted(known)!r}; remove it or pick the init rule "
                "that reads it"
            )
    if "dtype" in config:
        try:
            dtype = numpy.dtype(config["dtype"])
        except TypeError:
            raise TypeError(
                f"Solver: {where}['dtype'] is not a dtype: {config['dtype']!r}; pass e.g. 'float32'"
            ) from None
        if dtype.kind != "f":
            raise ValueError(
                f"Solver: {where}['dtype'] must be a floating-point type (parameters are "
                f"trained by gradients), got {config['dtype']!r}; pass 'float32' or 'float64'"
            )
    for key, ok, text in (
        ("value", lambda v: True, ""),
        ("mu", lambda v: True, ""),
        ("stdvar", lambda v: v >= 0, ">= 0"),
    ):
        if key in config:
            real_arg(f"{where}[{key!r}]", config[key], ok, text)


def as_iter(
    data: Any, batch_size: int | None, shuffle: bool, what: str, needs: tuple[str, ...]
) -> Any:
    """An ``NDArrayIter`` from ``(X, y)``; an iterator (with the methods ``needs``) as it is."""
    if data is None:
        if what == "train_dataiter":
            raise TypeError("Solver: train_dataiter is None; pass an NDArrayIter or (X, y) arrays")
        return None
    if isinstance(data, tuple):
        if len(data) != 2:
            raise TypeError(
                f"Solver: {what} given as a tuple must be (X, y), got a tuple of {len(data)} "
                "items; pass (X, y) or an NDArrayIter"
            )
        if batch_size is None:
            raise ValueError(
                f"Solver: {what} was given as (X, y) arrays but batch_size is None; "
                "pass batch_size=... or an NDArrayIter"
            )
        return NDArrayIter(data[0], data[1], batch_size, shuffle=shuffle, last_batch_handle="keep")
    missing = [m for m in needs if not callable(getattr(data, m, None))]
    if missing:
        raise TypeError(
            f"Solver: {what} must be an NDArrayIter or an (X, y) tuple, got "
            f"{type_name(data)} (an iterator needs {', '.join(needs)}; it lacks "
            f"{', '.join(missing)}); wrap the arrays with NDArrayIter(X, y, batch_size)"
        )
    return data


def check_checkpoint(checkpoint: Any, resume: bool) -> None:
    """``checkpoint`` is ``None`` or a str/path; ``resume`` needs one."""
    if checkpoint is not None and not (
        isinstance(checkpoint, (str, os.PathLike)) and isinstance(os.fspath(checkpoint), str)
    ):
        raise TypeError(
            f"Solver: checkpoint must be a str or pathlib.Path, got {checkpoint!r} "
            f"({type_name(checkpoint)}); pass e.g. checkpoint='run.npz'"
        )
    if resume and checkpoint is None:
        raise ValueError(
            "Solver: resume=True needs the checkpoint to resume from; pass "
            "checkpoint='run.npz' as well"
        )


def check_init(
    param_configs: Mapping[str, Mapping[str, Any]], init_rule: Any, config: Mapping[str, Any]
) -> None:
    """The init rules (Solver's and each parameter's own) exist and read their configs."""
    rules = [_init.get(init_rule)]
    for name, cfg in param_configs.items():
        if "init_rule" not in cfg and not cfg.get("init_config"):
            continue
        try:
            rule = _init.get(cfg.get("init_rule", init_rule))
        except ValueError as exc:
            raise ValueError(f"Solver: parameter {name!r}: {exc}") from None
        rules.append(rule)
        where = f"parameter {name!r}'s init_config"
        check_init_config([rule], dict_arg(where, cfg.get("init_config")), where)
    check_init_config(rules, config, "init_config")


def int_pair(value: Any, what: str, low: int) -> tuple[int, int]:
    """``value`` (an int or a pair of ints, each ``>= low``) as a pair; raises naming ``what``."""
    try:
        pair = (value, value) if isinstance(value, int) else tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(isinstance(v, int) and v >= low for v in pair):
        kind = "positive" if low else "non-negative"
        raise ValueError(f"{what} must be a {kind} int or a pair of them, got {value!r}")
    return pair
