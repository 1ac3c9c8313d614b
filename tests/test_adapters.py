"""The adapters in ``lrfuncs.backends``: numpy/JAX/torch curves, the optax schedule, torch ``LambdaLR``.

Curves must equal the schedule evaluated directly, whatever the chunking, and
the torch scheduler must drive real optimizers (also against torch's real
``OneCycleLR``), survive ``torch.save``/``torch.load(weights_only=True)`` into a
scheduler built with another schedule, and resume through ``last_epoch``.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from conftest import CONFIGS, assert_lr_close

import lrfuncs
from lrfuncs.backends import jax as lrjax
from lrfuncs.backends import numpy as lrnp
from lrfuncs.backends import torch as lrtorch

NAMES = sorted(CONFIGS)
N = 100


def peak_of(config: dict[str, Any]) -> float:
    return float(config.get("peak_lr", 1.0))


def bound(name: str) -> lrfuncs.Schedule:
    return lrfuncs.get_schedule(name).bind(**CONFIGS[name])


def direct(name: str, num_steps: int = N, start: int = 0) -> np.ndarray:
    """The schedule evaluated directly on a float64 numpy array of steps."""
    steps = np.arange(start, start + num_steps, dtype=np.float64)
    return np.asarray(lrfuncs.get_schedule(name)(steps, **CONFIGS[name]))


def test_configs_cover_every_registered_schedule() -> None:
    assert set(CONFIGS) == set(lrfuncs.registered())


# --------------------------------------------------------------------------------------------- numpy curve


@pytest.mark.parametrize("chunk_size", [1, 7, 33, N, 16384])
@pytest.mark.parametrize("name", NAMES)
def test_numpy_curve_equals_direct_call(name: str, chunk_size: int) -> None:
    out = lrnp.curve(bound(name), N, chunk_size=chunk_size)
    assert isinstance(out, np.ndarray)
    assert out.shape == (N,)
    assert out.dtype == np.float64
    assert_lr_close(out, direct(name), peak=peak_of(CONFIGS[name]))


@pytest.mark.parametrize("name", NAMES)
def test_numpy_curve_start_offset(name: str) -> None:
    out = lrnp.curve(bound(name), 30, start=17, chunk_size=8)
    assert_lr_close(out, direct(name, 30, start=17), peak=peak_of(CONFIGS[name]))
    # the offset curve is a slice of the full one
    assert_lr_close(out, lrnp.curve(bound(name), 47)[17:], peak=peak_of(CONFIGS[name]))


def test_numpy_curve_float32_output() -> None:
    s = bound("warmup_cosine")
    out32 = lrnp.curve(s, N, dtype=np.float32, chunk_size=7)
    assert out32.dtype == np.float32
    # evaluated in float64, then rounded once into the float32 output
    np.testing.assert_array_equal(out32, lrnp.curve(s, N).astype(np.float32))


def test_numpy_curve_out_parameter() -> None:
    s = bound("cosine_decay")
    out = np.full(N, np.nan)
    res = lrnp.curve(s, N, out=out, chunk_size=9)
    assert res is out
    assert_lr_close(out, direct("cosine_decay"), peak=0.2)
    out32 = np.zeros(N, dtype=np.float32)
    assert lrnp.curve(s, N, out=out32) is out32
    np.testing.assert_array_equal(out32, direct("cosine_decay").astype(np.float32))
    with pytest.raises(ValueError, match=r"Argument `out` must have shape \(100,\)"):
        lrnp.curve(s, N, out=np.empty(N + 1))
    with pytest.raises(ValueError, match=r"Argument `out` must have shape \(3, 100\)"):
        lrnp.curve(s.replace(peak_lr=np.array([[0.1], [0.2], [0.3]])), N, out=np.empty(N))


@pytest.mark.parametrize("chunk_size", [2, 7, 16384])
def test_numpy_curve_sweep(chunk_size: int) -> None:
    peaks = np.array([[0.1], [0.2], [0.4]])
    cfg = dict(CONFIGS["warmup_cosine"], peak_lr=peaks)
    out = lrnp.curve(lrfuncs.warmup_cosine, N, chunk_size=chunk_size, **cfg)
    assert out.shape == (3, N)
    for row, p in zip(out, peaks[:, 0], strict=True):
        expected = lrnp.curve(lrfuncs.warmup_cosine, N, **dict(CONFIGS["warmup_cosine"], peak_lr=float(p)))
        assert_lr_close(row, expected, peak=p)
    out = np.empty((3, N))
    assert lrnp.curve(lrfuncs.warmup_cosine, N, out=out, chunk_size=chunk_size, **cfg) is out


def test_numpy_curve_config_keywords_and_callables() -> None:
    out = lrnp.curve(lrfuncs.onecycle, N, peak_lr=0.5, total_steps=80)
    assert_lr_close(out, lrfuncs.onecycle(np.arange(N), peak_lr=0.5, total_steps=80), peak=0.5)
    # any callable taking a numpy array of steps
    np.testing.assert_array_equal(lrnp.curve(lambda t: 2.0 * t, 5, start=1), [2.0, 4.0, 6.0, 8.0, 10.0])
    with pytest.raises(TypeError, match="need an lrfuncs schedule function"):
        lrnp.curve(lambda t: t, 5, peak_lr=0.1)
    with pytest.raises(TypeError, match="`peak_lr`, `total_steps`"):
        lrnp.curve(lrfuncs.onecycle, 5)
    with pytest.raises(TypeError, match="Expected a schedule"):
        lrnp.curve(0.1, 5)


def test_numpy_curve_empty() -> None:
    assert lrnp.curve(bound("step_decay"), 0).shape == (0,)
    assert lrnp.curve(lrfuncs.step_decay, 0, peak_lr=np.ones((2, 1)), step_size=3).shape == (2, 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_steps": -1}, r"Argument `num_steps` must be a whole number >= 0. Received: num_steps=-1"),
        ({"num_steps": 2.5}, r"Argument `num_steps` must be a whole number >= 0. Received: num_steps=2.5"),
        ({"num_steps": True}, r"Argument `num_steps` must be a whole number"),
        ({"num_steps": "10"}, r"Argument `num_steps` must be a whole number"),
        ({"start": -3}, r"Argument `start` must be a whole number >= 0. Received: start=-3"),
        ({"start": 1.5}, r"Argument `start` must be a whole number"),
        ({"chunk_size": 0}, r"Argument `chunk_size` must be >= 1. Received: chunk_size=0"),
        ({"chunk_size": -8}, r"Argument `chunk_size` must be >= 1"),
    ],
)
def test_numpy_curve_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    num_steps = kwargs.pop("num_steps", 10)  # positional-only: a schedule's own `num_steps` config cannot clash
    with pytest.raises(ValueError, match=match):
        lrnp.curve(bound("cosine_decay"), num_steps, **kwargs)


# --------------------------------------------------------------------------------------------- JAX curve


@pytest.mark.parametrize("name", NAMES)
def test_jax_curve_equals_numpy_curve(name: str) -> None:
    out = lrjax.curve(bound(name), N)
    assert isinstance(out, jax.Array)
    assert out.dtype == jnp.float64  # x64 is on in conftest
    assert_lr_close(np.asarray(out), lrnp.curve(bound(name), N), peak=peak_of(CONFIGS[name]))
    # config keywords, and a start offset
    out = lrjax.curve(lrfuncs.get_schedule(name), 25, start=33, **CONFIGS[name])
    assert_lr_close(np.asarray(out), direct(name, 25, start=33), peak=peak_of(CONFIGS[name]))


def test_jax_curve_float32() -> None:
    s = bound("warmup_cosine")
    out = lrjax.curve(s, N, dtype=jnp.float32)
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(out), lrnp.curve(s, N), rtol=2e-6, atol=1e-7 * 3e-4)


def test_jax_curve_sweep() -> None:
    peaks = np.array([[0.1], [0.2]])
    out = lrjax.curve(lrfuncs.cosine_decay, 40, peak_lr=peaks, total_steps=30)
    assert out.shape == (2, 40)
    assert_lr_close(np.asarray(out), lrnp.curve(lrfuncs.cosine_decay, 40, peak_lr=peaks, total_steps=30), peak=0.2)


def test_jax_curve_reuses_compiled_function() -> None:
    size_of = lrjax._cache_size  # compiled curve functions, all lengths and options
    first = lrjax.curve(lrfuncs.warmup_linear, 77, peak_lr=0.1, warmup_steps=7, total_steps=60)
    size = size_of()
    # new numeric config values (int or float) and another start: same compiled function
    second = lrjax.curve(lrfuncs.warmup_linear, 77, peak_lr=0.2, warmup_steps=9, total_steps=61.5)
    third = lrjax.curve(lrfuncs.warmup_linear, 77, start=5, peak_lr=7, warmup_steps=3, total_steps=50)
    bound_ = lrjax.curve(lrfuncs.warmup_linear.bind(peak_lr=0.3, warmup_steps=2, total_steps=70), 77)
    assert size_of() == size
    # and the values are those of the new config, not of the first trace
    steps = np.arange(77.0)
    assert_lr_close(np.asarray(first), lrfuncs.warmup_linear(steps, peak_lr=0.1, warmup_steps=7, total_steps=60))
    assert_lr_close(
        np.asarray(second), lrfuncs.warmup_linear(steps, peak_lr=0.2, warmup_steps=9, total_steps=61.5), peak=0.2
    )
    assert_lr_close(
        np.asarray(third), lrfuncs.warmup_linear(steps + 5, peak_lr=7.0, warmup_steps=3, total_steps=50), peak=7.0
    )
    assert_lr_close(np.asarray(bound_), lrfuncs.warmup_linear(steps, peak_lr=0.3, warmup_steps=2, total_steps=70))
    # a new length is a new compilation (num_steps is static)
    lrjax.curve(lrfuncs.warmup_linear, 78, peak_lr=0.1, warmup_steps=7, total_steps=60)
    assert size_of() == size + 1
    # values 0 and 1 are compiled in as constants (kernels skip work for them): one more variant each
    zero = lrjax.curve(lrfuncs.warmup_linear, 77, peak_lr=0.3, warmup_steps=0, total_steps=70)
    assert size_of() == size + 2
    lrjax.curve(lrfuncs.warmup_linear, 77, peak_lr=0.5, warmup_steps=0, total_steps=71)
    assert size_of() == size + 2
    assert_lr_close(np.asarray(zero), lrfuncs.warmup_linear(steps, peak_lr=0.3, warmup_steps=0, total_steps=70))


def test_jax_curve_device() -> None:
    dev = jax.devices()[0]
    out = lrjax.curve(bound("onecycle"), N, device=dev)
    assert out.devices() == {dev}
    default = lrjax.curve(bound("onecycle"), N)
    assert default.devices() == {jax.devices()[0]}
    np.testing.assert_array_equal(np.asarray(out), np.asarray(default))


def test_jax_curve_plain_callable_and_errors() -> None:
    out = lrjax.curve(lambda t: 0.5 * t, 4, start=2)
    np.testing.assert_array_equal(np.asarray(out), [1.0, 1.5, 2.0, 2.5])
    with pytest.raises(ValueError, match=r"Argument `num_steps` must be a whole number >= 0. Received: num_steps=-1"):
        lrjax.curve(bound("step_decay"), -1)
    with pytest.raises(ValueError, match=r"Argument `start` must be a whole number >= 0. Received: start=2.0"):
        lrjax.curve(bound("step_decay"), 3, start=2.0)
    with pytest.raises(TypeError, match="`peak_lr`, `step_size`"):
        lrjax.curve(lrfuncs.step_decay, 3)


def test_curves_keep_their_length_for_step_independent_config() -> None:
    s = lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=())  # valid (torch MultiStepLR accepts []): constant
    np.testing.assert_array_equal(lrnp.curve(s, 4), [0.1] * 4)  # this one works: broadcast into `out`
    assert lrjax.curve(s, 4).shape == (4,)
    assert tuple(lrtorch.curve(s, 4).shape) == (4,)
    assert np.shape(s(np.arange(4))) == (4,)


# --------------------------------------------------------------------------------------------- optax


def test_as_optax_under_jit_never_retraces() -> None:
    s = bound("warmup_cosine")
    opt = optax.sgd(lrjax.as_optax(s))
    params = jnp.zeros(3)
    state = opt.init(params)
    traces = []

    @jax.jit
    def update(state: Any) -> Any:
        traces.append(1)
        return opt.update(jnp.ones(3), state, params)

    got = []
    for _ in range(70):
        updates, state = update(state)
        got.append(-float(updates[0]))
    assert len(traces) == 1
    # update k (optax count k) uses s(k)
    assert_lr_close(got, [s(k) for k in range(70)], peak=3e-4)


def test_as_optax_inject_hyperparams() -> None:
    s = bound("onecycle")
    mom = lrjax.as_optax(lrfuncs.onecycle_momentum.bind(total_steps=50))
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=lrjax.as_optax(s), momentum=mom)
    params = jnp.zeros(2)
    state = opt.init(params)
    step = jax.jit(lambda st: opt.update(jnp.ones(2), st, params))
    lrs, moms = [], []
    for _ in range(55):
        _, state = step(state)
        lrs.append(float(state.hyperparams["learning_rate"]))
        moms.append(float(state.hyperparams["momentum"]))
    assert_lr_close(lrs, [s(k) for k in range(55)], peak=0.5)
    assert_lr_close(moms, [lrfuncs.onecycle_momentum(k, total_steps=50) for k in range(55)])


def test_as_optax_dtype_and_config_keywords() -> None:
    lr = lrjax.as_optax(lrfuncs.cosine_decay, peak_lr=0.1, total_steps=100)
    assert lr(jnp.asarray(10)).dtype == jnp.float64
    assert float(lr(10)) == lrfuncs.cosine_decay(10, peak_lr=0.1, total_steps=100)
    lr32 = lrjax.as_optax(lrfuncs.cosine_decay, dtype=jnp.float32, peak_lr=0.1, total_steps=100)
    v = lr32(jnp.asarray(10, dtype=jnp.int32))
    assert v.dtype == jnp.float32
    assert float(v) == float(np.float32(lrfuncs.cosine_decay(10, peak_lr=0.1, total_steps=100)))
    assert jax.jit(lambda c: lr32(c))(jnp.arange(3)).dtype == jnp.float32
    assert lrjax.as_optax(bound("step_decay"), dtype="bfloat16")(3).dtype == jnp.bfloat16


def test_optax_schedule_can_be_jitted_directly() -> None:
    lr = lrjax.as_optax(bound("cosine_decay"), dtype=jnp.float32)
    out = jax.jit(lr)(jnp.arange(5))
    assert out.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(out), np.asarray(lr(jnp.arange(5))))


def test_optax_schedule_pickles() -> None:
    for dtype in (None, jnp.float32):
        lr = lrjax.as_optax(bound("cosine_restarts"), dtype=dtype)
        back = pickle.loads(pickle.dumps(lr))
        assert isinstance(back, lrjax.OptaxSchedule)
        assert back.schedule == lr.schedule
        counts = jnp.arange(60)
        a, b = lr(counts), back(counts)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        jitted = jax.jit(lambda c, f=back: f(c))(counts)  # XLA may fuse differently: last-bit tolerance
        assert jitted.dtype == a.dtype
        assert_lr_close(np.asarray(jitted), np.asarray(a), peak=0.3, rtol=1e-12 if dtype is None else 1e-6)


def test_as_optax_errors() -> None:
    with pytest.raises(TypeError, match="Argument `peak_lr` is a torch tensor"):
        lrjax.as_optax(lrfuncs.cosine_decay, peak_lr=torch.tensor(0.1), total_steps=100)
    with pytest.raises(TypeError, match="`peak_lr`, `total_steps`"):
        lrjax.as_optax(lrfuncs.cosine_decay)
    with pytest.raises(ValueError, match="Argument `total_steps` must be > 0"):
        lrjax.as_optax(lrfuncs.cosine_decay, peak_lr=0.1, total_steps=0)


# --------------------------------------------------------------------------------------------- torch


def sgd(lr: Any = 0.1, **kw: Any) -> torch.optim.Optimizer:
    model = torch.nn.Linear(3, 1)
    return torch.optim.SGD(model.parameters(), lr=lr, **kw)


def train(opt: torch.optim.Optimizer, sched: Any, n: int, key: str = "lr") -> list[list[Any]]:
    """Run n real updates; return, per update, the value of ``key`` in each group *used* by that update."""
    params = [p for g in opt.param_groups for p in g["params"]]
    used = []
    for _ in range(n):
        used.append([g[key] for g in opt.param_groups])
        loss = sum((p**2).sum() for p in params)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return used


@pytest.mark.parametrize("opt_cls", [torch.optim.SGD, torch.optim.AdamW])
@pytest.mark.parametrize("name", ["warmup_cosine", "cosine_restarts", "multistep_decay"])
def test_lambda_lr_follows_schedule(opt_cls: Any, name: str) -> None:
    s = bound(name)
    opt = opt_cls(torch.nn.Linear(3, 1).parameters(), lr=s.config["peak_lr"])
    sched = lrtorch.lambda_lr(opt, s)
    assert isinstance(sched, torch.optim.lr_scheduler.LambdaLR)
    used = train(opt, sched, 70)
    assert_lr_close([u[0] for u in used], [s(k) for k in range(70)], peak=s.config["peak_lr"])
    assert_lr_close(sched.get_last_lr(), [s(70)], peak=s.config["peak_lr"])


def test_lambda_lr_config_keywords() -> None:
    opt = sgd(0.2)
    sched = lrtorch.lambda_lr(opt, lrfuncs.cosine_decay, peak_lr=0.2, total_steps=20)
    used = train(opt, sched, 25)
    assert_lr_close([u[0] for u in used], [lrfuncs.cosine_decay(k, peak_lr=0.2, total_steps=20) for k in range(25)])


def test_lambda_lr_scales_each_group() -> None:
    s = bound("warmup_linear")  # peak_lr 1e-3
    a, b = torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)
    opt = torch.optim.AdamW([{"params": a.parameters()}, {"params": b.parameters(), "lr": 1e-4}], lr=1e-3)
    sched = lrtorch.lambda_lr(opt, s)
    used = train(opt, sched, 65)
    expected = np.array([s(k) for k in range(65)])
    assert_lr_close([u[0] for u in used], expected, peak=1e-3)
    assert_lr_close([u[1] for u in used], expected * 0.1, peak=1e-4)


def test_lambda_lr_reference() -> None:
    s = bound("cosine_decay")  # peak_lr 0.2
    opt = sgd(2.0)
    sched = lrtorch.lambda_lr(opt, s, reference=0.5)
    used = train(opt, sched, 45)
    assert_lr_close([u[0] for u in used], [2.0 * s(k) / 0.5 for k in range(45)], peak=0.8)
    # a schedule without peak_lr needs a reference
    m = bound("onecycle_momentum")
    with pytest.raises(ValueError, match=r"`reference` is required: schedule onecycle_momentum has no `peak_lr`"):
        lrtorch.lambda_lr(sgd(), m)
    opt = sgd(0.9)
    sched = lrtorch.lambda_lr(opt, m, reference=0.9)
    used = train(opt, sched, 55)
    assert_lr_close([u[0] for u in used], [m(k) for k in range(55)])
    for bad in (0, -1.0, True, "1", float("nan")):
        with pytest.raises(ValueError, match="Argument `reference` must be a number > 0"):
            lrtorch.lambda_lr(sgd(), s, reference=bad)


def test_lambda_lr_type_errors() -> None:
    with pytest.raises(TypeError, match="lambda_lr needs an lrfuncs Schedule"):
        lrtorch.lambda_lr(sgd(), lambda k: 0.5**k)
    with pytest.raises(TypeError, match=r"missing required keyword argument\(s\): `peak_lr`, `total_steps`"):
        lrtorch.lambda_lr(sgd(), lrfuncs.cosine_decay)
    with pytest.raises(TypeError, match="Argument `momentum` must be an lrfuncs Schedule"):
        lrtorch.lambda_lr(sgd(momentum=0.9), bound("step_decay"), momentum=lambda k: 0.9)


def test_lambda_lr_momentum_needs_momentum_or_betas() -> None:
    opt = torch.optim.Adagrad(torch.nn.Linear(2, 1).parameters(), lr=0.1)
    assert "momentum" not in opt.defaults
    assert "betas" not in opt.defaults
    with pytest.raises(ValueError, match=r"needs an optimizer with a `momentum` or `betas`.*optimizer=Adagrad"):
        lrtorch.lambda_lr(opt, bound("step_decay"), momentum=lrfuncs.onecycle_momentum.bind(total_steps=10))


@pytest.mark.parametrize("opt_cls", [torch.optim.SGD, torch.optim.Adam])
@pytest.mark.parametrize("three_phase", [False, True])
def test_lambda_lr_matches_real_onecycle_lr(opt_cls: Any, three_phase: bool) -> None:
    """lr and momentum / beta1 of lambda_lr(onecycle, momentum=onecycle_momentum) == torch's real OneCycleLR."""
    T, peak = 40, 0.3
    kw = {"momentum": 0.9} if opt_cls is torch.optim.SGD else {}
    key = "momentum" if opt_cls is torch.optim.SGD else "betas"
    ref_opt = opt_cls(torch.nn.Linear(3, 1).parameters(), lr=peak, **kw)
    ref = torch.optim.lr_scheduler.OneCycleLR(ref_opt, max_lr=peak, total_steps=T, pct_start=0.3,
                                              three_phase=three_phase)
    opt = opt_cls(torch.nn.Linear(3, 1).parameters(), lr=peak, **kw)
    ours = lrtorch.lambda_lr(
        opt,
        lrfuncs.onecycle.bind(peak_lr=peak, total_steps=T, three_phase=three_phase),
        momentum=lrfuncs.onecycle_momentum.bind(total_steps=T, three_phase=three_phase),
    )
    for _ in range(T):
        g, rg = opt.param_groups[0], ref_opt.param_groups[0]
        assert_lr_close(g["lr"], rg["lr"], peak=peak)
        if key == "betas":
            assert_lr_close(g["betas"][0], rg["betas"][0])
            assert g["betas"][1] == rg["betas"][1] == 0.999
        else:
            assert_lr_close(g["momentum"], rg["momentum"])
        opt.step()
        ours.step()
        ref_opt.step()
        ref.step()


@pytest.mark.parametrize("fresh_momentum", [True, False])
def test_lambda_lr_state_dict_round_trip(fresh_momentum: bool) -> None:
    T = 60
    s = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=T)
    m = lrfuncs.onecycle_momentum.bind(total_steps=T)
    opt = sgd(0.1, momentum=0.9)
    sched = lrtorch.lambda_lr(opt, s, momentum=m)
    train(opt, sched, 20)

    buf = io.BytesIO()
    torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, buf)
    buf.seek(0)
    state = torch.load(buf)  # weights_only=True: plain data only

    # a fresh scheduler built with other schedules (and other or no momentum schedule)
    opt2 = sgd(0.1, momentum=0.5)
    mom2 = lrfuncs.onecycle_momentum.bind(total_steps=7, base_momentum=0.1, max_momentum=0.2)
    sched2 = lrtorch.lambda_lr(opt2, lrfuncs.step_decay.bind(peak_lr=0.1, step_size=2),
                               momentum=mom2 if fresh_momentum else None)
    opt2.load_state_dict(state["opt"])
    sched2.load_state_dict(state["sched"])
    assert sched2.last_epoch == sched.last_epoch == 20

    # the reloaded scheduler continues with the original schedules (lr and momentum)
    cont = []
    for _ in range(45):
        opt2.step()
        sched2.step()
        cont.append((opt2.param_groups[0]["lr"], opt2.param_groups[0]["momentum"]))
    assert_lr_close([c[0] for c in cont], [s(k) for k in range(21, 66)], peak=0.1)
    assert [c[1] for c in cont] == [m(k) for k in range(21, 66)]
    assert sched2.lr_lambdas[0].schedule() == s
    assert sched2.momentum_lambda.schedule() == m


def test_lambda_lr_state_dict_continues_exactly() -> None:
    """Side by side: the reloaded scheduler writes bit-identical lrs and betas to the uninterrupted one."""
    s, m = bound("cosine_restarts"), lrfuncs.onecycle_momentum.bind(total_steps=60, three_phase=True)

    def make(schedule: Any, momentum: Any) -> tuple[Any, Any]:
        opt = torch.optim.AdamW(torch.nn.Linear(2, 1).parameters(), lr=0.3)
        return opt, lrtorch.lambda_lr(opt, schedule, momentum=momentum)

    opt, sched = make(s, m)
    train(opt, sched, 12)
    buf = io.BytesIO()
    torch.save(sched.state_dict(), buf)
    buf.seek(0)
    opt2, sched2 = make(lrfuncs.cosine_decay.bind(peak_lr=0.3, total_steps=3), None)
    sched2.load_state_dict(torch.load(buf, weights_only=True))
    for _ in range(50):
        opt.step()
        opt2.step()
        sched.step()
        sched2.step()
        assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
        assert opt2.param_groups[0]["betas"] == opt.param_groups[0]["betas"]
    assert_lr_close(opt2.param_groups[0]["lr"], s(62), peak=0.3)
    assert opt2.param_groups[0]["betas"] == (m(62), 0.999)


def test_lambda_lr_state_dict_without_momentum_drops_fresh_momentum() -> None:
    s = bound("cosine_decay")
    opt = sgd(0.2, momentum=0.9)
    sched = lrtorch.lambda_lr(opt, s)  # no momentum schedule: momentum stays 0.9
    train(opt, sched, 5)
    buf = io.BytesIO()
    torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, buf)
    buf.seek(0)
    state = torch.load(buf)
    opt2 = sgd(0.2, momentum=0.5)
    sched2 = lrtorch.lambda_lr(opt2, s, momentum=lrfuncs.onecycle_momentum.bind(total_steps=10))
    opt2.load_state_dict(state["opt"])
    sched2.load_state_dict(state["sched"])
    for _ in range(5):
        opt.step()
        opt2.step()
        sched.step()
        sched2.step()
        assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
        assert opt2.param_groups[0]["momentum"] == opt.param_groups[0]["momentum"] == 0.9


def test_lambda_lr_lambdas_pickle() -> None:
    s = bound("warmup_cosine")
    sched = lrtorch.lambda_lr(sgd(3e-4), s)
    lambdas = pickle.loads(pickle.dumps(sched.lr_lambdas))
    assert len(lambdas) == 1
    assert isinstance(lambdas[0], lrtorch.ScheduleLambda)
    assert [lambdas[0](k) for k in range(70)] == [sched.lr_lambdas[0](k) for k in range(70)]
    assert_lr_close([lambdas[0](k) * 3e-4 for k in range(70)], [s(k) for k in range(70)], peak=3e-4)
    assert lambdas[0].schedule() == s


def test_lambda_lr_resume_via_last_epoch() -> None:
    s = bound("cosine_decay")
    opt = sgd(0.2, momentum=0.9)
    sched = lrtorch.lambda_lr(opt, s)
    train(opt, sched, 15)
    assert sched.last_epoch == 15
    opt2 = sgd(0.2, momentum=0.9)
    with pytest.raises(KeyError, match="initial_lr"):
        lrtorch.lambda_lr(opt2, s, last_epoch=14)
    opt2.load_state_dict(opt.state_dict())  # carries initial_lr
    sched2 = lrtorch.lambda_lr(opt2, s, last_epoch=14)  # torch: the constructor steps once more
    assert sched2.last_epoch == 15
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    used = train(opt2, sched2, 30)
    assert_lr_close([u[0] for u in used], [s(k) for k in range(15, 45)], peak=0.2)


def test_lambda_lr_tensor_learning_rate() -> None:
    s = bound("onecycle")  # peak 0.5
    opt = torch.optim.Adam(torch.nn.Linear(2, 1).parameters(), lr=torch.tensor(0.5), capturable=False)
    lr_tensor = opt.param_groups[0]["lr"]
    assert isinstance(lr_tensor, torch.Tensor)
    sched = lrtorch.lambda_lr(opt, s)
    used = []
    for _ in range(55):
        lr = opt.param_groups[0]["lr"]
        assert lr is lr_tensor  # updated in place
        used.append(float(lr))
        opt.step()
        sched.step()
    # the tensor is float32: compare at float32 precision
    np.testing.assert_allclose(used, [s(k) for k in range(55)], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_torch_curve_equals_numpy_curve(name: str) -> None:
    s = bound(name)
    out = lrtorch.curve(s, N)
    assert isinstance(out, torch.Tensor)
    assert out.dtype == torch.float64
    assert out.device.type == "cpu"
    assert_lr_close(out.numpy(), lrnp.curve(s, N), peak=peak_of(CONFIGS[name]))
    out = lrtorch.curve(lrfuncs.get_schedule(name), 20, start=41, device="cpu", **CONFIGS[name])
    assert_lr_close(out.numpy(), direct(name, 20, start=41), peak=peak_of(CONFIGS[name]))


def test_torch_curve_float32_and_meta() -> None:
    s = bound("warmup_cosine")
    out = lrtorch.curve(s, N, dtype=torch.float32)
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), lrnp.curve(s, N), rtol=2e-6, atol=1e-7 * 3e-4)
    try:
        meta = lrtorch.curve(s, N, device="meta")
    except (NotImplementedError, RuntimeError) as e:  # pragma: no cover - depends on the torch build
        pytest.skip(f"meta tensors unsupported here: {e}")
    assert meta.device.type == "meta"
    assert meta.shape == (N,)
    assert meta.dtype == torch.float64


def test_torch_curve_errors() -> None:
    with pytest.raises(ValueError, match=r"Argument `num_steps` must be a whole number >= 0. Received: num_steps=-2"):
        lrtorch.curve(bound("step_decay"), -2)
    with pytest.raises(ValueError, match=r"Argument `start` must be a whole number >= 0. Received: start=-1"):
        lrtorch.curve(bound("step_decay"), 2, start=-1)
    with pytest.raises(TypeError, match="`peak_lr`, `step_size`"):
        lrtorch.curve(lrfuncs.step_decay, 3)
