"""MinPy's ``minpy.dispatch.policy``: the policies by MinPy's names, and ``AutoBlacklistPolicy``.

The policies themselves live in ``minpy.policy`` and are re-exported here, where MinPy's users
import them from (``import minpy.dispatch.policy as policy``). MinPy's MXNet names stand for
the CuPy policies (``PreferMXNetPolicy`` is ``prefer_cupy``, ``OnlyMXNetPolicy`` is
``only_cupy``) and say so once. ``AutoBlacklistPolicy`` is ``prefer_cupy`` that learns which
primitives fail on a device and runs them on the CPU from then on.
"""

from __future__ import annotations

import json
import os
from types import ModuleType
from typing import Any

from minpy.context import Device
from minpy.errors import FallbackError
from minpy.policy import (
    MXNetNameWarning,
    OnlyCuPyPolicy,
    OnlyMXNetPolicy,
    OnlyNumPyPolicy,
    Policy,
    PreferCuPyPolicy,
    PreferMXNetPolicy,
    Route,
    as_policy,
    get_global_policy,
    reset_stats,
    set_global_policy,
    stats,
    use_policy,
    wrap_policy,
)
from minpy.primitive import Primitive

__all__ = [
    "AutoBlacklistPolicy",
    "MXNetNameWarning",
    "OnlyCuPyPolicy",
    "OnlyMXNetPolicy",
    "OnlyNumPyPolicy",
    "Policy",
    "PreferCuPyPolicy",
    "PreferMXNetPolicy",
    "PrimitivePolicyError",
    "create",
    "get_global_policy",
    "reset_stats",
    "set_global_policy",
    "show_op_stat",
    "stats",
    "use_policy",
    "wrap_policy",
]

#: MinPy's error when no implementation fits; minpy raises ``FallbackError`` (a RuntimeError)
PrimitivePolicyError = FallbackError


class _LearningRoute(Route):
    """A device route of ``AutoBlacklistPolicy``: a call that fails there runs on the CPU, and
    if that works the primitive is blacklisted for the device kind (this route included)."""

    __slots__ = ("policy",)
    policy: AutoBlacklistPolicy

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.fn is None:
            return super().call(args, kwargs)
        try:
            return super().call(args, kwargs)
        except MemoryError:
            raise  # running out of memory says nothing about the primitive
        except Exception as exc:
            if not self.policy.gen_rule or self.host_fn is None:
                raise
            try:
                out = self.call_on_host(args, kwargs)
            except Exception:
                raise exc from None  # the CPU fails too: the arguments are at fault
            self.policy.learn(self.name, self.device.kind)
            self.fn = None
            return out


class AutoBlacklistPolicy(PreferCuPyPolicy):
    """``prefer_cupy`` that learns which primitives fail on a device and avoids them.

    With ``gen_rule``, a call that raises on a GPU (anything but running out of memory) is run
    again with NumPy on the CPU; if that works, the primitive is blacklisted for that device
    kind, and from then on runs on the CPU there (counted and warned as a fallback). The rules
    are kept in memory, and in ``<loc>/.minpy_rules.json`` when ``loc`` is given (read here,
    written by ``save_rules``; MinPy kept YAML rules keyed by argument types instead).

    Parameters
    ----------
    gen_rule
        Learn new rules from failures (MinPy's default is False: only known rules apply).
    append_rule
        ``save_rules`` adds to the rules already in the file instead of replacing them.
    loc
        The directory of the rules file, or None to keep the rules in memory only.

    Examples
    --------
    >>> import minpy
    >>> import minpy.dispatch.policy as policy
    >>> p = policy.AutoBlacklistPolicy(gen_rule=True)
    >>> p.query("minpy.numpy", "exp")
    False
    """

    name = "auto_blacklist"

    def __init__(self, gen_rule: bool = False, append_rule: bool = True, loc: str | None = None):
        super().__init__()
        self.gen_rule = gen_rule
        self.append_rule = append_rule
        self.path = None if loc is None else os.path.join(loc, ".minpy_rules.json")
        #: device kind -> names of the primitives that run on the CPU there
        self.rules: dict[str, set[str]] = self._read()

    def _read(self) -> dict[str, set[str]]:
        if self.path is None or not os.path.exists(self.path):
            return {}
        with open(self.path) as f:
            return {k: set(v) for k, v in json.load(f).items()}

    def learn(self, name: str, kind: str) -> None:
        """Blacklist primitive ``name`` on devices of ``kind``."""
        self.rules.setdefault(kind, set()).add(name)

    def query(self, nspace: str | ModuleType, name: str) -> bool:
        """Whether ``nspace.name`` is blacklisted on any device; ``nspace`` is a module
        (``minpy.numpy``, as MinPy's users pass it) or its name (``"minpy.numpy"``)."""
        if isinstance(nspace, ModuleType):
            nspace = nspace.__name__
        sub = nspace.removeprefix("minpy.numpy").lstrip(".")
        full = f"{sub}.{name}" if sub else name
        return any(full in names for names in self.rules.values())

    def save_rules(self) -> None:
        """Write the rules to ``<loc>/.minpy_rules.json``."""
        if self.path is None:
            raise ValueError(
                "save_rules: this AutoBlacklistPolicy has no rules file; create it with "
                "loc=<directory>"
            )
        rules = self._read() if self.append_rule else {}
        for kind, names in self.rules.items():
            rules.setdefault(kind, set()).update(names)
        with open(self.path, "w") as f:
            json.dump({k: sorted(v) for k, v in sorted(rules.items())}, f, indent=1)

    def decide(self, prim: Primitive, device: Device) -> Route:
        route = super().decide(prim, device)
        if device.kind == "cpu" or route.fn is None:
            return route
        if prim.name in self.rules.get(device.kind, ()):
            return Route(prim, device, None, route.host_fn, True, False)
        learning = _LearningRoute(prim, device, route.fn, route.host_fn, True, False)
        learning.policy = self
        return learning


def create(plc: str | Policy) -> Policy:
    """The Policy for a name (``'prefer_cupy'``, ``'only_numpy'``, ``'only_cupy'``, MinPy's
    ``'prefer_mxnet'``/``'only_mxnet'``) or a Policy itself (MinPy's ``create``).

    Raises
    ------
    TypeError
        ``plc`` is neither a known name nor a Policy (as in MinPy).

    Examples
    --------
    >>> import minpy.dispatch.policy as policy
    >>> policy.create("only_numpy")
    <minpy policy 'only_numpy'>
    """
    try:
        return as_policy(plc)
    except ValueError as exc:
        raise TypeError(str(exc)) from None


def show_op_stat() -> None:
    """Print the op statistics: calls, fallbacks and bytes moved per primitive and backend."""
    print(stats())
