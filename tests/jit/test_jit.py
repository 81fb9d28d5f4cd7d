"""``minpy.jit``: replays equal eager calls; each cause of an eager fallback is detected.

Replays are checked after parameter updates, in-place writes to inputs, with dropout, with a
changed batch size (a new signature) and from two threads. Each fallback cause is detected
while tracing, warned once with the user's line, and the signature then runs eagerly with
the eager result.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad, grad_and_loss
from minpy.jit import JitWarning

# --------------------------------------------------------------------------------------------
# helpers


def _same(a: Any, b: Any) -> None:
    numpy.testing.assert_array_equal(numpy.asarray(a.asnumpy()), numpy.asarray(b.asnumpy()))


def _mlp_loss(params: dict[str, Any], x: Any, y: Any) -> Any:
    h = np.maximum(0, np.dot(x, params["w1"]) + params["b1"])
    scores = np.dot(h, params["w2"]) + params["b2"]
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


def _params(seed: int = 0) -> dict[str, Any]:
    rng = numpy.random.RandomState(seed)
    return {
        "w1": np.array(rng.randn(8, 16) * 0.3),
        "b1": np.zeros(16),
        "w2": np.array(rng.randn(16, 4) * 0.3),
        "b2": np.zeros(4),
    }


def _data(n: int = 10, seed: int = 1) -> tuple[Any, Any]:
    rng = numpy.random.RandomState(seed)
    return np.array(rng.randn(n, 8)), np.array(rng.randint(0, 4, size=n))


# --------------------------------------------------------------------------------------------
# replays


def test_jit_replays_and_counts(device: minpy.Device) -> None:
    f = minpy.jit(lambda x: np.tanh(x) * 2 + np.sum(np.exp(x)))
    with device:
        x = np.linspace(-1, 1, 5)
    want = np.tanh(x) * 2 + np.sum(np.exp(x))
    for _ in range(3):
        got = f(x)
        assert got.device is x.device
        _same(got, want)
    assert (f.traced, f.replayed, f.eager) == (1, 2, 0)
    assert minpy.jit.stats()[f.name]["replayed"] >= 2


def test_jit_training_step_matches_eager_over_steps(device: minpy.Device) -> None:
    """Gradient and in-place SGD update of parameters the step reads from outside."""
    lr = 0.5

    def make_step(params: dict[str, Any]) -> Any:
        def step(x: Any, y: Any) -> Any:
            grads, loss = grad_and_loss(_mlp_loss)(params, x, y)
            for k in params:
                params[k] -= lr * grads[k]
            return loss

        return step

    with device:
        pe, pj = _params(), _params()
        x, y = _data()
    eager, jitted = make_step(pe), minpy.jit(make_step(pj))
    for _ in range(5):
        _same(jitted(x, y), eager(x, y))
        for k in pe:
            _same(pj[k], pe[k])
    assert jitted.traced == 1 and jitted.replayed == 4
    # the loss goes down: the updates really land in the parameters
    assert float(eager(x, y)) < float(_mlp_loss(_params(), x, y))


def test_jit_sees_parameters_updated_outside(device: minpy.Device) -> None:
    with device:
        w = np.ones(3)
    f = minpy.jit(lambda x: np.sum(x * w))
    x = np.ones(3, device=device)
    assert float(f(x)) == 3.0
    w[:] = 2.0  # in place
    assert float(f(x)) == 6.0
    w *= 2  # an in-place operator
    assert float(f(x)) == 12.0
    assert f.traced == 1


def test_jit_replays_in_place_writes_to_inputs(device: minpy.Device) -> None:
    def f(a: Any, v: Any) -> Any:
        a[1:] += v
        a *= 2
        return a.sum()

    with device:
        a1, a2 = np.arange(4.0), np.arange(4.0)
        v = np.ones(3)
    j = minpy.jit(f)
    for _ in range(3):
        _same(j(a1, v), f(a2, v))
        _same(a1, a2)
    assert j.replayed == 2


def test_jit_replays_numpy_writers_into_inputs() -> None:
    def f(a: Any, v: Any) -> Any:
        np.copyto(a, v * 2)
        np.put(a, [0], 7.0)
        return a.sum()

    j = minpy.jit(f)
    for i in range(3):
        a1, a2, v = np.zeros(3), np.zeros(3), np.arange(3.0) + i
        _same(j(a1, v), f(a2, v))
        _same(a1, a2)
    assert j.replayed == 2


def test_jit_replays_differentiable_numpy_writers(device: minpy.Device) -> None:
    with device:
        m = np.array([True, False, True, True])

    def loss(x: Any) -> Any:
        z = np.zeros(4)
        np.copyto(z, x * 2, where=m)  # traced values into an untraced temporary
        t = x * z
        np.put(t, [0, 3, 0], x[1:] ** 2)  # traced destination, repeated index: last wins
        return np.sum(t * z)

    f = grad_and_loss(loss)
    j = minpy.jit(f)
    for i in range(3):
        with device:
            x = np.arange(4.0) + i
        (gj, lj), (ge, le) = j(x), f(x)
        _same(gj, ge)
        _same(lj, le)
    assert (j.traced, j.replayed) == (1, 2)


def test_jit_dropout_draws_afresh(device: minpy.Device) -> None:
    f = minpy.jit(lambda x: x * (np.random.rand(*x.shape) > 0.5))
    with device:
        x = np.ones(200)
    draws = [f(x).asnumpy() for _ in range(4)]
    assert f.replayed == 3
    for a, b in zip(draws, draws[1:]):
        assert not numpy.array_equal(a, b)
    assert all(0.3 < d.mean() < 0.7 for d in draws)
    np.random.seed(3, device=device)
    first = f(x).asnumpy()
    np.random.seed(3, device=device)
    numpy.testing.assert_array_equal(f(x).asnumpy(), first)  # the device's generator


def test_jit_retraces_for_a_new_batch_size(device: minpy.Device) -> None:
    params = _params()
    with device:
        params = {k: v.to_device(device) for k, v in params.items()}
    g = minpy.jit(grad(_mlp_loss))
    for n in (10, 7, 10):
        with device:
            x, y = _data(n)
        got = g(params, x, y)
        want = grad(_mlp_loss)(params, x, y)
        for k in want:
            _same(got[k], want[k])
    assert (g.traced, g.replayed) == (2, 1)


def test_jit_from_two_threads() -> None:
    f = minpy.jit(lambda x: np.tanh(np.dot(x, x.T)).sum(axis=1))
    xs = [np.array(numpy.random.RandomState(i).randn(20, 20)) for i in range(2)]
    wants = [np.tanh(np.dot(x, x.T)).sum(axis=1).asnumpy() for x in xs]
    f(xs[0])
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for _ in range(200):
                numpy.testing.assert_array_equal(f(xs[i]).asnumpy(), wants[i])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert f.replayed == 400


def test_jit_under_grad_runs_eagerly() -> None:
    f = minpy.jit(lambda x: np.sin(x) * x)
    x = np.array([0.5, 1.0])
    f(x)
    g = grad(lambda x: np.sum(f(x)))(x)
    numpy.testing.assert_allclose(
        g.asnumpy(), numpy.cos([0.5, 1.0]) * [0.5, 1.0] + numpy.sin([0.5, 1.0])
    )
    assert f.eager == 1


def test_jit_returns_structures_and_numbers() -> None:
    f = minpy.jit(lambda x, k: {"a": (x + k, [x * k]), "n": k, "s": "x"})
    x = np.ones(2)
    for _ in range(2):
        out = f(x, 3)
        assert out["n"] == 3 and out["s"] == "x"
        _same(out["a"][0], x + 3)
        _same(out["a"][1][0], x * 3)
    f(x, 4)
    assert f.traced == 2  # a number argument is part of the signature


def test_jit_numpy_arguments_are_inputs() -> None:
    f = minpy.jit(lambda x: np.sum(x * 2))
    assert float(f(numpy.ones(3))) == 6.0
    assert float(f(numpy.full(3, 2.0))) == 12.0
    assert f.replayed == 1


def test_jit_static_argnums() -> None:
    f = minpy.jit(lambda x, axis: np.sum(x, axis=axis), static_argnums=1)
    x = np.ones((2, 3))
    assert f(x, 0).shape == (3,) and f(x, 1).shape == (2,) and f(x, 0).shape == (3,)
    assert (f.traced, f.replayed) == (2, 1)
    with pytest.warns(JitWarning, match="not hashable"):
        minpy.jit(lambda x, s: x, static_argnums=1)(x, [1])


# --------------------------------------------------------------------------------------------
# eager fallbacks: detected, warned once with the line, eager results


def _flow(x: Any) -> Any:
    if np.sum(x) > 0:  # Python control flow on a computed value
        return x * 2
    return x * 3


def _host_float(x: Any) -> Any:
    return x * float(np.max(x))


def _item(x: Any) -> Any:
    return x * np.max(x).item()


def _asnumpy(x: Any) -> Any:
    return x + np.array(x.asnumpy() ** 2)


def _host_numpy(x: Any) -> Any:
    return np.array(numpy.asarray(x) + 1.0)


def _int_index(x: Any) -> Any:
    return x[int(np.argmax(x))] * x


def _mask(x: Any) -> Any:
    return np.sum(x[x > 0])


def _nonzero(x: Any) -> Any:
    return np.nonzero(x > 0)[0] * 1.0


def _unique(x: Any) -> Any:
    return np.unique(np.floor(x))


def _polydiv(x: Any) -> Any:
    return np.polydiv(x, np.array([1.0, 1.0]))[1] * 1.0  # the remainder's length: its zeros


_stash: list[Any] = []


def _escape(x: Any) -> Any:
    y = x * 2
    _stash.append(y)  # escapes into Python state
    return y + 1


@pytest.mark.parametrize(
    ("fun", "cause"),
    [
        (_flow, "bool()"),
        (_host_float, "float()"),
        (_item, "item()"),
        (_asnumpy, "asnumpy()"),
        (_host_numpy, "conversion to a NumPy array"),
        (_int_index, "int()"),
        (_mask, "boolean-mask indexing"),
        (_nonzero, "nonzero gives a shape"),
        (_unique, "unique gives a shape"),
        (_polydiv, "polydiv gives a shape"),
        (_escape, "outlives the call"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[:20],
)
def test_jit_fallback_causes(fun: Any, cause: str) -> None:
    j = minpy.jit(fun)
    xs = [np.array([0.5, -1.0, 2.0]), np.array([-0.5, -1.0, -2.0]), np.array([1.5, 1.0, -2.0])]
    with pytest.warns(JitWarning, match="runs eagerly") as rec:
        first = j(xs[0])
    (w,) = rec
    assert cause in str(w.message)
    assert __file__ in str(w.message)  # the user's line
    _same(first, fun(xs[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        for x in xs[1:]:
            _same(j(x), fun(x))
    assert (j.traced, j.replayed, j.eager) == (1, 0, 2)
    assert any(cause in why for why in j.causes)
    _stash.clear()


def test_jit_constant_host_reads_are_fine() -> None:
    """Reads of values that depend on no input (constants) do not stop the replay."""

    def f(x: Any) -> Any:
        scale = float(np.sqrt(np.array(4.0)))
        return x * scale

    j = minpy.jit(f)
    x = np.ones(2)
    for _ in range(3):
        _same(j(x), x * 2)
    assert j.replayed == 2


def test_jit_rejects_non_functions() -> None:
    with pytest.raises(TypeError, match="expects a function"):
        minpy.jit(3)


# --------------------------------------------------------------------------------------------
# device graphs (CUDA graphs on CuPy; the fake device's stand-in runs the same logic here)


def _sgd_step(params: dict[str, Any]) -> Any:
    def step(x: Any, y: Any) -> Any:
        grads, loss = grad_and_loss(_mlp_loss)(params, x, y)
        for k in params:
            params[k] -= 0.5 * grads[k]
        return loss

    return step


def test_jit_graph_replays_match_eager() -> None:
    from minpy.testing import fake_device

    dev = fake_device()
    with dev:
        pe = {k: v.to_device(dev) for k, v in _params().items()}
        pj = {k: v.to_device(dev) for k, v in _params().items()}
        x, y = _data()
    eager, jitted = _sgd_step(pe), minpy.jit(_sgd_step(pj))
    captured = dev.backend.graphs_captured
    for i in range(6):
        with dev:
            x2 = x * (1 + 0.1 * i)  # new argument values each step: static buffers refilled
            _same(jitted(x2, y), eager(x2, y))
        for k in pe:
            _same(pj[k], pe[k])
    assert (jitted.traced, jitted.graph_launches) == (1, 4)
    assert dev.backend.graphs_captured == captured + 1
    # a parameter given a new buffer outside the step: that call replays the plain way
    with dev:
        ones = np.ones((8, 16))
        grad(lambda z: np.sum(z * pj["w1"]))(ones)  # the tape held w1's buffer:
        grad(lambda z: np.sum(z * pe["w1"]))(ones)  # the next write into w1 copies it first
    held = pj["w1"]._data
    pj["w1"] -= 0.01
    pe["w1"] -= 0.01
    assert pj["w1"]._data is not held
    with dev:
        _same(jitted(x, y), eager(x, y))
    _same(pj["w2"], pe["w2"])
    assert jitted.graph_launches == 4


def test_jit_graphs_can_be_switched_off_and_skip_draws() -> None:
    from minpy.testing import fake_device

    dev = fake_device()
    with dev:
        x = np.ones(50)
    off = minpy.jit(lambda x: np.tanh(x) * 2, cuda_graph=False)
    drop = minpy.jit(lambda x: x * (np.random.rand(50, device=dev) > 0.5))
    for _ in range(4):
        off(x)
        drop(x)
    assert off.graph_launches == 0 and off.replayed == 3
    assert drop.graph_launches == 0 and drop.replayed == 3


def test_jit_fuses_elementwise_runs_on_a_device_that_can() -> None:
    from minpy.testing import fake_device

    dev = fake_device()

    def f(x: Any) -> Any:
        return np.sum(np.exp(np.tanh(x) * 2 - 1) / (1 + x * x))

    g = grad_and_loss(f)
    with dev:
        x = np.linspace(-1, 1, 7)
        want = g(x)
        before = dev.backend.kernels_fused
        fused, plain = minpy.jit(g), minpy.jit(g, fuse=False)
        for _ in range(3):
            got, got_plain = fused(x), plain(x)
            for a, b, c in zip(_leaves_of(got), _leaves_of(want), _leaves_of(got_plain)):
                _same(a, b)
                _same(c, b)
    (prog,) = fused.programs()
    assert prog.fused >= 4 and dev.backend.kernels_fused > before
    assert len(prog) < len(plain.programs()[0])
    assert plain.programs()[0].fused == 0


def _leaves_of(x: Any) -> list[Any]:
    return [x] if not isinstance(x, (list, tuple)) else [v for i in x for v in _leaves_of(i)]


def test_jit_nested_calls_are_part_of_the_outer_program() -> None:
    inner = minpy.jit(lambda x: np.exp(x) * 2)
    outer = minpy.jit(lambda x: inner(x) + inner(x * 3))
    x = np.array([0.1, 0.2])
    want = np.exp(x) * 2 + np.exp(x * 3) * 2
    for _ in range(3):
        _same(outer(x), want)
    assert (outer.traced, outer.replayed) == (1, 2)
    assert inner.eager == 2  # inlined into the outer trace, never traced on its own
    _same(inner(x), np.exp(x) * 2)
    assert inner.traced == 1


def test_jit_an_exception_while_tracing_leaves_nothing_behind() -> None:
    calls = []

    def f(x: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return x * 2

    j = minpy.jit(f)
    x = np.ones(2)
    with pytest.raises(RuntimeError, match="first call fails"):
        j(x)
    from minpy import watch

    assert watch.tracer is None
    assert minpy.policy.policy_override.get() is None
    _same(np.ones(2) + 1, x + 1)  # dispatch works as before
    _same(j(x), x * 2)
    _same(j(x), x * 2)
    assert (j.traced, j.replayed) == (2, 1)


def test_jit_on_methods_and_keyword_arguments() -> None:
    class Model:
        def __init__(self) -> None:
            self.w = np.array([1.0, 2.0])

        @minpy.jit
        def predict(self, x: Any, scale: float = 1.0) -> Any:
            return np.dot(x, self.w) * scale

    m = Model()
    x = np.ones((3, 2))
    for _ in range(3):
        _same(m.predict(x, scale=2.0), np.dot(x, m.w) * 2.0)
    m.w[:] = 5.0  # the parameter is read at each replay
    _same(m.predict(x, scale=2.0), np.dot(x, m.w) * 2.0)
    assert Model.predict.replayed == 3


def test_jit_training_step_runs_as_one_cuda_graph(device: minpy.Device) -> None:
    """On a real GPU: the step is captured (a CUDA graph) and its kernels fused, and the
    replays still train exactly as eager steps do (to rounding: fused kernels may contract)."""
    if device.kind != "gpu":
        pytest.skip("needs a CUDA device: this checks CuPy's graph capture and cupy.fuse")
    with device:
        pe = {k: v.to_device(device) for k, v in _params().items()}
        pj = {k: v.to_device(device) for k, v in _params().items()}
        x, y = _data()
        eager, jitted = _sgd_step(pe), minpy.jit(_sgd_step(pj))
        for _ in range(6):
            numpy.testing.assert_allclose(
                jitted(x, y).asnumpy(), eager(x, y).asnumpy(), rtol=1e-10, atol=1e-12
            )
    for k in pe:
        numpy.testing.assert_allclose(pj[k].asnumpy(), pe[k].asnumpy(), rtol=1e-10, atol=1e-12)
    assert jitted.graph_launches == 4, jitted.causes
    assert jitted.programs()[0].fused > 0
