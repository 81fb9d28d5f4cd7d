"""MinPy's ``minpy.dispatch.policy``: its names, the MXNet aliases and ``AutoBlacklistPolicy``.

The learning policy is tested on a fake accelerator whose implementation of a user primitive
raises, the way a CuPy kernel that cannot handle some arguments would.
"""

from __future__ import annotations

import json
import pathlib
import warnings
from typing import Any

import numpy
import pytest

import minpy
import minpy.dispatch.policy as policy
import minpy.numpy as np
from minpy import policy as ours
from minpy.core import grad
from minpy.primitive import Primitive
from minpy.testing import fake_device


@pytest.fixture
def fresh_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which MXNet names were already noted."""
    monkeypatch.setattr(ours, "_noted", set())


def test_dispatch_policy_reexports_minpy_policy() -> None:
    for name in ("Policy", "OnlyNumPyPolicy", "PreferCuPyPolicy", "OnlyCuPyPolicy"):
        assert getattr(policy, name) is getattr(ours, name)
    assert policy.wrap_policy is minpy.wrap_policy
    assert policy.set_global_policy is minpy.set_global_policy
    assert issubclass(policy.PrimitivePolicyError, Exception)
    # the dispatcher itself is still minpy.dispatch
    from minpy.dispatch import dispatch

    assert callable(dispatch)


def test_create_names_and_policies() -> None:
    assert policy.create("only_numpy") is policy.create(ours.OnlyNumPyPolicy.name)
    p = policy.OnlyNumPyPolicy()
    assert policy.create(p) is p
    with pytest.raises(TypeError, match="unknown policy 'nope'"):
        policy.create("nope")


def test_mxnet_names_map_to_cupy_policies_with_one_note(fresh_notes: None) -> None:
    with pytest.warns(policy.MXNetNameWarning, match="'prefer_mxnet' is MinPy's MXNet policy"):
        minpy.set_global_policy("prefer_mxnet")
    assert minpy.get_global_policy().name == "prefer_cupy"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minpy.set_global_policy("prefer_mxnet")  # said once only
    with pytest.warns(policy.MXNetNameWarning, match="'only_cupy'"):
        with minpy.use_policy("only_mxnet") as p:
            assert p.name == "only_cupy"


def test_mxnet_policy_classes(fresh_notes: None) -> None:
    with pytest.warns(policy.MXNetNameWarning, match="PreferMXNetPolicy"):
        p = policy.PreferMXNetPolicy()
    assert isinstance(p, policy.PreferCuPyPolicy) and p.name == "prefer_cupy"
    with pytest.warns(policy.MXNetNameWarning, match="OnlyMXNetPolicy"):
        q = policy.OnlyMXNetPolicy()
    assert isinstance(q, policy.OnlyCuPyPolicy) and q.strict
    with minpy.use_policy(p):
        assert float(np.sum(np.ones(3))) == 3.0


def test_show_op_stat_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    minpy.policy.reset_stats()
    np.exp(np.ones(2))
    policy.show_op_stat()
    out = capsys.readouterr().out
    assert "exp" in out
    minpy.get_global_policy().show_op_stat()
    assert "exp" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# AutoBlacklistPolicy


def _flaky(kind: str) -> tuple[Primitive, list[str]]:
    """A primitive whose device implementation raises TypeError; calls are logged."""
    log: list[str] = []

    def on_device(x: Any) -> Any:
        log.append("device")
        raise TypeError("this kernel cannot take these arguments")

    def on_host(x: Any) -> Any:
        log.append("host")
        return numpy.sin(x)

    prim = Primitive(f"flaky_sin_{kind}", register=False)
    prim.def_impl(kind, on_device)
    prim.def_impl("numpy", on_host)
    prim.defvjp(lambda g, ans, x: g * np.cos(x))
    return prim, log


def test_auto_blacklist_learns_and_sends_to_cpu(fresh_warnings: None) -> None:
    dev = fake_device(kind="ablearn")
    prim, log = _flaky("ablearn")
    p = policy.AutoBlacklistPolicy(gen_rule=True)
    x = np.array([0.0, 1.0], device=dev)
    with minpy.use_policy(p), pytest.warns(minpy.policy.FallbackWarning):
        y = prim(x)
        assert y.device is dev
        numpy.testing.assert_allclose(y.asnumpy(), numpy.sin([0.0, 1.0]))
        assert log == ["device", "host"]
        assert p.query("minpy.numpy", "flaky_sin_ablearn")
        assert p.rules == {"ablearn": {"flaky_sin_ablearn"}}
        prim(x)  # learned: straight to the CPU
        assert log == ["device", "host", "host"]
        # a second device of the same kind, and the gradient, use the rule too
        g = grad(lambda v: np.sum(prim(v)))(np.array([0.5], device=fake_device(1, "ablearn")))
        assert log[-1] == "host" and "device" not in log[3:]
    numpy.testing.assert_allclose(g.asnumpy(), numpy.cos([0.5]))


def test_auto_blacklist_without_gen_rule_raises() -> None:
    dev = fake_device(kind="abnogen")
    prim, log = _flaky("abnogen")
    with minpy.use_policy(policy.AutoBlacklistPolicy()):
        with pytest.raises(TypeError, match="cannot take these arguments"):
            prim(np.ones(2, device=dev))
    assert log == ["device"]


def test_auto_blacklist_keeps_the_error_when_the_cpu_fails_too() -> None:
    dev = fake_device(kind="abboth")
    p = policy.AutoBlacklistPolicy(gen_rule=True)
    with minpy.use_policy(p), pytest.raises(ValueError, match="operands could not be broadcast"):
        np.add(np.ones(2, device=dev), np.ones(3, device=dev))
    assert p.rules == {}


def test_auto_blacklist_rules_file(tmp_path: pathlib.Path, fresh_warnings: None) -> None:
    dev = fake_device(kind="abfile")
    prim, log = _flaky("abfile")
    p = policy.AutoBlacklistPolicy(gen_rule=True, loc=str(tmp_path))
    with minpy.use_policy(p), pytest.warns(minpy.policy.FallbackWarning):
        prim(np.ones(1, device=dev))
    p.save_rules()
    saved = json.loads((tmp_path / ".minpy_rules.json").read_text())
    assert saved == {"abfile": ["flaky_sin_abfile"]}
    # a new policy reads them: the device implementation is never tried
    q = policy.AutoBlacklistPolicy(loc=str(tmp_path))
    log.clear()
    with minpy.use_policy(q):  # (the fallback warning was given once already)
        prim(np.ones(1, device=dev))
    assert log == ["host"]
    with pytest.raises(ValueError, match="loc=<directory>"):
        policy.AutoBlacklistPolicy().save_rules()
