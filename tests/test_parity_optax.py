"""Parity of lrfuncs with the real optax schedules (optax 0.2.8, JAX with x64 enabled by conftest).

Every optax value here comes from optax's own schedule functions: the vectorised
ones are called on a ``jnp.arange`` of int64 counts (float64 results under x64),
the one-cycle schedules under ``jax.vmap`` (called on an array they raise,
anchors.md 3.14). lrfuncs is evaluated on the same steps through every backend of
``conftest.BACKENDS`` and compared with ``assert_lr_close`` (float64 rounding).

Mapping (``step`` = optax's ``count``):

* ``cosine_decay_schedule(v, T, alpha, exponent)``      == ``cosine_decay(peak_lr=v, total_steps=T,
  min_lr_ratio=alpha, exponent=exponent)`` for every step, past ``T`` included;
* ``warmup_cosine_decay_schedule(i, p, W, N, e, exponent)`` == ``warmup_cosine(peak_lr=p, warmup_steps=W,
  total_steps=N, init_lr=i, min_lr=e, exponent=exponent)``;
* ``warmup_constant_schedule(i, p, W)``                   == ``warmup_constant(init_lr=i)`` (``W >= 1``);
* ``cosine_onecycle_schedule`` / ``linear_onecycle_schedule`` == ``onecycle(convention="optax")`` (linear:
  ``anneal="linear", three_phase=True, pct_final=...``).

Then the adapter: ``as_optax`` schedules inside jitted optax update loops (same parameter trajectory as
optax's own schedule; the step function compiles once) and the ``inject_hyperparams`` recipe of
``lrfuncs/backends/jax.py``.

Found on the way (asserted below, see the tests' docstrings): inside an optimizer optax passes its
``count`` as int32, and optax's warmup schedules (``polynomial_schedule``) then compute in float32 even
under x64; ``warmup_constant_schedule(i, p, 0)`` is the constant ``i``, not ``p``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import assume
from hypothesis import strategies as st

import lrfuncs
from lrfuncs.backends.jax import as_optax

# ---------------------------------------------------------------------------------------------------------------------
# helpers


#: One step grid for every hypothesis example (eager JAX compiles each primitive per shape).
#: Drawn horizons are <= 90, so every example also checks steps past the end.
STEPS = np.arange(128)


def optax_curve(schedule, steps=STEPS) -> np.ndarray:
    """An optax schedule on int64 counts, vectorised (float64 under x64)."""
    out = schedule(jnp.asarray(steps, dtype=jnp.int64))
    assert out.dtype == jnp.float64
    return np.asarray(out)


def optax_curve_vmap(schedule, steps=STEPS) -> np.ndarray:
    """An optax schedule that must be called per scalar (the one-cycle ones), under ``jax.vmap``."""
    out = jax.vmap(schedule)(jnp.asarray(steps, dtype=jnp.int64))
    assert out.dtype == jnp.float64
    return np.asarray(out)


peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(min_value=1e-6, max_value=10.0)
fractions = st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0.0, 1.0)
exponents = st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.1, 4.0)

# ---------------------------------------------------------------------------------------------------------------------
# hypothesis parity, every backend


def test_cosine_decay_schedule(backend):
    @per_backend(backend, peak=peaks, t=st.integers(1, 90), alpha=fractions, exponent=exponents)
    def check(peak, t, alpha, exponent):
        ref = optax_curve(optax.cosine_decay_schedule(peak, decay_steps=t, alpha=alpha, exponent=exponent))
        ours = evaluate(
            backend, lrfuncs.cosine_decay, STEPS, peak_lr=peak, total_steps=t, min_lr_ratio=alpha, exponent=exponent
        )
        assert_lr_close(ours, ref, peak=peak)
        assert_lr_close(ours[t:], np.full(len(STEPS) - t, alpha * peak), peak=peak)  # both hold the floor

    check()


def test_warmup_cosine_decay_schedule(backend):
    @per_backend(
        backend,
        peak=peaks,
        w=st.integers(0, 30),
        decay=st.integers(1, 60),
        init=fractions,
        end=fractions,
        exponent=exponents,
    )
    def check(peak, w, decay, init, end, exponent):
        n = w + decay  # optax needs decay_steps > warmup_steps
        ref = optax_curve(
            optax.warmup_cosine_decay_schedule(
                init_value=init * peak,
                peak_value=peak,
                warmup_steps=w,
                decay_steps=n,
                end_value=end * peak,
                exponent=exponent,
            )
        )
        ours = evaluate(
            backend,
            lrfuncs.warmup_cosine,
            STEPS,
            peak_lr=peak,
            warmup_steps=w,
            total_steps=n,
            init_lr=init * peak,
            min_lr=end * peak,
            exponent=exponent,
        )
        assert_lr_close(ours, ref, peak=peak)

    check()


def test_warmup_constant_schedule(backend):
    @per_backend(backend, peak=peaks, w=st.integers(1, 60), init=fractions)
    def check(peak, w, init):
        ref = optax_curve(optax.warmup_constant_schedule(init * peak, peak, w))
        ours = evaluate(backend, lrfuncs.warmup_constant, STEPS, peak_lr=peak, warmup_steps=w, init_lr=init * peak)
        assert_lr_close(ours, ref, peak=peak)

    check()


divs = st.sampled_from([25.0, 10.0, 1.0]) | st.floats(1.0, 100.0)
final_divs = st.sampled_from([1e4, 1e2, 1.0]) | st.floats(1.0, 1e5)


def test_cosine_onecycle_schedule(backend):
    @per_backend(
        backend,
        peak=peaks,
        total=st.integers(1, 90),
        pct=st.sampled_from([0.3, 0.25, 0.5, 0.0]) | st.floats(0.0, 0.99),
        div=divs,
        final_div=final_divs,
    )
    def check(peak, total, pct, div, final_div):
        # optax keys its phases by int(pct_start * T) in a dict: the peak must come before the end
        assume(int(pct * total) < total)
        ref = optax_curve_vmap(
            optax.cosine_onecycle_schedule(
                transition_steps=total, peak_value=peak, pct_start=pct, div_factor=div, final_div_factor=final_div
            )
        )
        ours = evaluate(
            backend,
            lrfuncs.onecycle,
            STEPS,
            peak_lr=peak,
            total_steps=total,
            pct_start=pct,
            div_factor=div,
            final_div_factor=final_div,
            convention="optax",
        )
        assert_lr_close(ours, ref, peak=peak)

    check()


def test_linear_onecycle_schedule(backend):
    @per_backend(
        backend,
        peak=peaks,
        total=st.integers(2, 90),
        pcts=st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.99)).map(sorted) | st.just((0.3, 0.85)),
        div=divs,
        final_div=final_divs,
    )
    def check(peak, total, pcts, div, final_div):
        pct_start, pct_final = pcts
        # optax keys its phases by int(pct * T) in a dict: distinct boundaries before the end
        assume(int(pct_start * total) < int(pct_final * total) < total)
        ref = optax_curve_vmap(
            optax.linear_onecycle_schedule(
                transition_steps=total,
                peak_value=peak,
                pct_start=pct_start,
                pct_final=pct_final,
                div_factor=div,
                final_div_factor=final_div,
            )
        )
        ours = evaluate(
            backend,
            lrfuncs.onecycle,
            STEPS,
            peak_lr=peak,
            total_steps=total,
            pct_start=pct_start,
            pct_final=pct_final,
            anneal="linear",
            three_phase=True,
            div_factor=div,
            final_div_factor=final_div,
            convention="optax",
        )
        assert_lr_close(ours, ref, peak=peak)

    check()


# ---------------------------------------------------------------------------------------------------------------------
# golden numbers (anchors.md section 3: peak 1.0, computed by running optax); 5 significant digits there

GOLD = dict(rtol=5e-5, atol=5e-7)


def _all_backends(fn, steps, expected, **config):
    for backend in BACKENDS:
        assert_lr_close(evaluate(backend, fn, np.asarray(steps), **config), expected)


def test_golden_3_1_cosine_decay_holds_past_the_end():
    gold = [1, 0.97553, 0.90451, 0.79389, 0.65451, 0.5, 0.34549, 0.20611, 0.095492, 0.024472, 0, 0, 0, 0, 0, 0]
    ref = optax_curve(optax.cosine_decay_schedule(1.0, 10), np.arange(16))
    np.testing.assert_allclose(ref, gold, **GOLD)
    _all_backends(lrfuncs.cosine_decay, np.arange(16), ref, peak_lr=1.0, total_steps=10)


def test_golden_3_3_warmup_cosine():
    gold = [0, 0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0]
    ref = optax_curve(optax.warmup_cosine_decay_schedule(0.0, 1.0, 3, 10), np.arange(12))
    np.testing.assert_allclose(ref, gold, **GOLD)
    _all_backends(lrfuncs.warmup_cosine, np.arange(12), ref, peak_lr=1.0, warmup_steps=3, total_steps=10, init_lr=0.0)


def test_golden_3_4_warmup_constant():
    ref = optax_curve(optax.warmup_constant_schedule(0.0, 1.0, 4), np.arange(6))
    np.testing.assert_array_equal(ref, [0, 0.25, 0.5, 0.75, 1, 1])
    _all_backends(lrfuncs.warmup_constant, np.arange(6), ref, peak_lr=1.0, warmup_steps=4, init_lr=0.0)


def test_golden_3_5_onecycle():
    cos_gold = [0.04, 0.28, 0.76, 1, 0.95048, 0.81175, 0.61126, 0.38874, 0.18826, 0.049519, 4e-06]
    lin_gold = [0.04, 0.36, 0.68, 1, 0.808, 0.616, 0.424, 0.232, 0.04, 0.020002, 4e-06]
    cos_ref = optax_curve_vmap(optax.cosine_onecycle_schedule(10, 1.0), np.arange(11))
    lin_ref = optax_curve_vmap(optax.linear_onecycle_schedule(10, 1.0), np.arange(11))
    np.testing.assert_allclose(cos_ref, cos_gold, **GOLD)
    np.testing.assert_allclose(lin_ref, lin_gold, **GOLD)
    _all_backends(lrfuncs.onecycle, np.arange(11), cos_ref, peak_lr=1.0, total_steps=10, convention="optax")
    _all_backends(
        lrfuncs.onecycle,
        np.arange(11),
        lin_ref,
        peak_lr=1.0,
        total_steps=10,
        anneal="linear",
        three_phase=True,
        pct_final=0.85,
        convention="optax",
    )
    # tiny total: the peak sits at int(0.9) = 0
    tiny = optax_curve_vmap(optax.cosine_onecycle_schedule(3, 1.0), np.arange(4))
    np.testing.assert_allclose(tiny, [1, 0.75, 0.25, 4e-06], **GOLD)
    _all_backends(lrfuncs.onecycle, np.arange(4), tiny, peak_lr=1.0, total_steps=3, convention="optax")


def test_golden_3_9_sgdr_is_cosine_restarts_with_max_cycles():
    gold = [1, 0.85355, 0.5, 0.14645, 1, 0.96194, 0.85355, 0.69134, 0.5, 0.30866, 0.14645, 0.03806, 0, 0, 0]
    sgdr = optax.sgdr_schedule([dict(init_value=1.0, peak_value=1.0, warmup_steps=0, decay_steps=d) for d in (4, 8)])
    ref = optax_curve(sgdr, np.arange(15))
    np.testing.assert_allclose(ref, gold, **GOLD)
    _all_backends(lrfuncs.cosine_restarts, np.arange(15), ref, peak_lr=1.0, cycle_steps=4, cycle_mult=2, max_cycles=2)


def test_onecycle_array_support_differs():
    """optax's one-cycle schedules raise on an array of counts (anchors.md 3.14); lrfuncs' does not."""
    with pytest.raises(TypeError, match="incompatible shapes for broadcasting"):
        optax.cosine_onecycle_schedule(10, 1.0)(jnp.arange(5))
    ref = optax_curve_vmap(optax.cosine_onecycle_schedule(10, 1.0), np.arange(5))
    assert_lr_close(lrfuncs.onecycle(jnp.arange(5), peak_lr=1.0, total_steps=10, convention="optax"), ref)


def test_warmup_constant_without_warmup_differs():
    """optax's ``warmup_constant_schedule(i, p, 0)`` is the constant ``init_value`` (its linear_schedule over 0
    steps is "a constant schedule with value init_value"); lrfuncs' ``warmup_steps=0`` means no warmup: ``peak_lr``."""
    assert float(optax.warmup_constant_schedule(0.1, 1.0, 0)(jnp.asarray(5))) == 0.1
    for backend in BACKENDS:
        ours = evaluate(backend, lrfuncs.warmup_constant, np.arange(3), peak_lr=1.0, warmup_steps=0, init_lr=0.1)
        assert_lr_close(ours, [1.0, 1.0, 1.0])


# ---------------------------------------------------------------------------------------------------------------------
# as_optax inside real optimizers


def _params():
    # explicit float64, not weakly typed: otherwise the first update changes the types and jit retraces
    return {"w": jnp.asarray([1.0, -2.0, 0.5], dtype=jnp.float64), "b": jnp.asarray(0.3, dtype=jnp.float64)}


def _loss(p, x):
    return jnp.sum((p["w"] * x - p["b"]) ** 2) + jnp.sin(p["b"])


def _inputs(num_steps):
    k = jnp.arange(num_steps, dtype=jnp.float64)[:, None]
    return jnp.concatenate([0.1 * k, jnp.ones_like(k), -0.5 + 0.01 * k], axis=1)


def _flat(p):
    return np.concatenate([np.asarray(p["w"]), np.asarray(p["b"])[None]])


def trajectory_loop(opt, num_steps):
    """Params after each update, from a Python loop calling one jitted step; also how often it traced."""
    traces = []

    @jax.jit
    def step(params, state, x):
        traces.append(1)  # runs only while tracing
        grads = jax.grad(_loss)(params, x)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    params = _params()
    state = opt.init(params)
    out = []
    for x in _inputs(num_steps):
        params, state = step(params, state, x)
        out.append(_flat(params))
    return np.asarray(out), len(traces), step._cache_size(), state


def trajectory_scan(opt, num_steps):
    """Params after each update, from one jitted ``lax.scan`` over the updates."""

    @jax.jit
    def run(params, xs):
        def body(carry, x):
            params, state = carry
            updates, state = opt.update(jax.grad(_loss)(params, x), state, params)
            params = optax.apply_updates(params, updates)
            return (params, state), jnp.concatenate([params["w"], params["b"][None]])

        return jax.lax.scan(body, (params, opt.init(params)), xs)[1]

    return np.asarray(run(_params(), _inputs(num_steps)))


@pytest.mark.parametrize("optimizer", [optax.sgd, optax.adamw], ids=["sgd", "adamw"])
def test_as_optax_trajectory_is_optax_cosine_decay_exactly(optimizer):
    """``cosine_decay`` without floor is optax's ``cosine_decay_schedule`` bit for bit, so the whole
    parameter trajectory is identical, in a jitted Python loop (compiled once) and in ``lax.scan``."""
    n = 40
    ours = optimizer(as_optax(lrfuncs.cosine_decay.bind(peak_lr=0.05, total_steps=30)))
    theirs = optimizer(optax.cosine_decay_schedule(0.05, 30))
    a, traces, cache, _ = trajectory_loop(ours, n)
    b, *_ = trajectory_loop(theirs, n)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[0], a[-1])  # it did train
    assert traces == 1, "stepping must not retrace"
    assert cache == 1, "stepping must not recompile"
    scanned = trajectory_scan(ours, n)
    np.testing.assert_array_equal(scanned, trajectory_scan(theirs, n))
    # XLA compiles the scan body and the single step separately (adamw's fusions differ in the last bit)
    np.testing.assert_allclose(scanned, a, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("optimizer", [optax.sgd, optax.adamw], ids=["sgd", "adamw"])
def test_as_optax_trajectory_matches_optax_warmup_cosine(optimizer):
    """With warmup (and a floor) lrfuncs and optax order the float operations differently: the trajectories
    agree to float64 rounding. optax's warmup schedule is fed int64 counts: given optax's own int32 ``count``
    its ``polynomial_schedule`` computes in float32 even under x64 (asserted), lrfuncs in float64."""
    n = 40
    schedule = lrfuncs.warmup_cosine.bind(peak_lr=0.05, warmup_steps=8, total_steps=30, init_lr=0.0, min_lr=0.005)
    optax_schedule = optax.warmup_cosine_decay_schedule(0.0, 0.05, 8, 30, end_value=0.005)
    assert optax_schedule(jnp.asarray(3, dtype=jnp.int32)).dtype == jnp.float32
    assert as_optax(schedule)(jnp.asarray(3, dtype=jnp.int32)).dtype == jnp.float64
    a, traces, cache, _ = trajectory_loop(optimizer(as_optax(schedule)), n)
    b, *_ = trajectory_loop(optimizer(lambda count: optax_schedule(count.astype(jnp.int64))), n)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    assert (traces, cache) == (1, 1)
    np.testing.assert_allclose(trajectory_scan(optimizer(as_optax(schedule)), n), a, rtol=1e-13, atol=1e-15)


def test_inject_hyperparams_recipe():
    """The recipe of ``lrfuncs/backends/jax.py``: after ``k >= 1`` updates ``state.hyperparams`` holds the
    values at count ``k - 1`` (those the last update used); right after ``init`` the values at count 0.
    Also: update ``k`` really uses ``onecycle(k)`` / ``onecycle_momentum(k)`` (replayed with constant
    hyperparameters, step by step, on the same inner state)."""
    total = 20
    lr_sched = lrfuncs.onecycle.bind(peak_lr=1e-2, total_steps=total)
    b1_sched = lrfuncs.onecycle_momentum.bind(total_steps=total)
    opt = optax.inject_hyperparams(optax.adamw)(learning_rate=as_optax(lr_sched), b1=as_optax(b1_sched))
    step_fn = jax.jit(lambda p, s, x: _update(opt, p, s, x))

    params = _params()
    state = opt.init(params)
    assert state.hyperparams["learning_rate"] == lr_sched(0)
    assert state.hyperparams["b1"] == b1_sched(0)
    replay_params, replay_inner = _params(), state.inner_state
    for k, x in enumerate(_inputs(total + 3)):  # 3 past the end: the final values are held
        params, state = step_fn(params, state, x)
        assert int(state.count) == k + 1
        lr, b1 = float(state.hyperparams["learning_rate"]), float(state.hyperparams["b1"])
        assert_lr_close(lr, lr_sched(k), peak=1e-2)
        assert_lr_close(b1, b1_sched(k))
        if 0 < k < total - 1:  # the values move every step, so the count is pinned down
            assert lr != pytest.approx(lr_sched(k + 1), rel=1e-9)
            assert lr != pytest.approx(lr_sched(k - 1), rel=1e-9)
        # replay update k with optax.adamw(learning_rate=onecycle(k), b1=onecycle_momentum(k))
        fixed = optax.adamw(learning_rate=as_optax(lr_sched)(k), b1=as_optax(b1_sched)(k))
        grads = jax.grad(_loss)(replay_params, x)
        updates, replay_inner = fixed.update(grads, replay_inner, replay_params)
        replay_params = optax.apply_updates(replay_params, updates)
        np.testing.assert_allclose(_flat(params), _flat(replay_params), rtol=1e-13, atol=1e-16)
    assert step_fn._cache_size() == 1
    assert float(state.hyperparams["learning_rate"]) == lr_sched(total + 2) == lr_sched(total)


def _update(opt, params, state, x):
    updates, state = opt.update(jax.grad(_loss)(params, x), state, params)
    return optax.apply_updates(params, updates), state


# ---------------------------------------------------------------------------------------------------------------------
# bad input


def test_as_optax_rejects_bad_input():
    with pytest.raises(TypeError, match=r"missing required keyword argument\(s\): `peak_lr`, `total_steps`"):
        as_optax(lrfuncs.cosine_decay)
    with pytest.raises(ValueError, match=r"Argument `peak_lr` must be > 0\. Received: peak_lr=-1"):
        as_optax(lrfuncs.cosine_decay, peak_lr=-1.0, total_steps=10)
    with pytest.raises(TypeError, match=r"Argument `peak_lr` is a torch tensor"):
        as_optax(lrfuncs.cosine_decay, peak_lr=torch.tensor(0.1), total_steps=10)
    with pytest.raises(TypeError, match=r"keyword argument `alpha`\. Its arguments are: exponent, k_decay, "):
        as_optax(lrfuncs.cosine_decay, peak_lr=0.1, total_steps=10, alpha=0.1)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (dict(convention="keras"), r"Argument `convention` must be one of 'torch', 'optax'"),
        (dict(pct_start=0.9, pct_final=0.5, three_phase=True), r"Argument `pct_start` must be <= `pct_final`"),
        (dict(total_steps=10.5), r"Argument `total_steps` must be a whole number"),
        (dict(pct_start=1.5), r"Argument `pct_start` must be in \[0, 1\]"),
        (dict(anneal="cosine"), r"Argument `anneal` must be one of 'cos', 'linear'"),
    ],
)
def test_onecycle_rejects_bad_config(config, match):
    with pytest.raises(ValueError, match=match):
        lrfuncs.onecycle(0, **(dict(peak_lr=1.0, total_steps=10, convention="optax") | config))


def test_cosine_decay_rejects_what_optax_rejects():
    with pytest.raises(ValueError, match="requires positive decay_steps"):
        optax.cosine_decay_schedule(1.0, 0)
    with pytest.raises(ValueError, match=r"Argument `total_steps` must be > 0\. Received: total_steps=0"):
        lrfuncs.cosine_decay(0, peak_lr=1.0, total_steps=0)
    with pytest.raises(ValueError, match=r"Argument `min_lr_ratio` must be in \[0, 1\]"):
        lrfuncs.cosine_decay(0, peak_lr=1.0, total_steps=10, min_lr_ratio=1.5)
    with pytest.raises(ValueError, match=r"Argument `exponent` must be > 0"):
        lrfuncs.cosine_decay(0, peak_lr=1.0, total_steps=10, exponent=0.0)
