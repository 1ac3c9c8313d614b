"""Parity and validation of exponential_decay, polynomial_decay, inverse_time_decay and inverse_sqrt.

Anchors, each run for real and compared through every backend (python, numpy, jax, jax_jit,
jax_vmap, torch) at float64 rounding (``assert_lr_close``):

* torch ``ExponentialLR`` / ``PolynomialLR`` stepped with a real SGD optimizer (index ``k`` = the lr of
  update ``k``, ``test_parity_torch.run_torch``);
* optax ``exponential_decay`` / ``polynomial_schedule`` on int64 counts (float64 under x64);
* HF ``get_polynomial_decay_schedule_with_warmup`` / ``get_inverse_sqrt_schedule`` stepped
  (``test_parity_transformers.hf_curve``);
* keras ``ExponentialDecay`` / ``PolynomialDecay`` / ``InverseTimeDecay`` (KERAS_BACKEND=jax) with a
  float64 ``initial_learning_rate``: keras casts the step and every argument to the dtype of the
  initial lr, so it computes in float64 (asserted on every output);
* timm ``PolyLRScheduler`` (one cycle, ``warmup_prefix=True``) and ``WSDLRScheduler(stable_fn="rsqrt")``
  via ``_get_lr(t)``;
* fairseq ``inverse_sqrt`` and Noam are not installed: their golden numbers from anchors.md 3.10 only.

The shared strategies (tests/schedule_cases/decay.py) keep ``end_lr`` at its default because the
shared homogeneity test assumes lr linear in ``peak_lr``; ``test_shared_checks_with_end_lr`` runs the
shared backend-agreement and finite-gradient checks on configs with an ``end_lr``.
"""

from __future__ import annotations

import importlib
import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from conftest import assert_lr_close, evaluate, per_backend
from hypothesis import given, settings
from hypothesis import strategies as st
from schedule_cases import CASES
from schedule_cases.decay import _exponential, _polynomial
from test_backends import N_STEPS, _assert_backends_agree, _assert_finite_grads, _grads
from test_parity_optax import optax_curve
from test_parity_timm import _load_timm_cosine
from test_parity_torch import _sgd, assert_golden, check_backends, run_torch
from test_parity_transformers import hf_curve
from torch.optim.lr_scheduler import ExponentialLR, PolynomialLR
from transformers import get_inverse_sqrt_schedule, get_polynomial_decay_schedule_with_warmup

import lrfuncs

_load_timm_cosine()  # registers timm's scheduler folder as the package `_timm_sched`
PolyLRScheduler = importlib.import_module("_timm_sched.poly_lr").PolyLRScheduler
WSDLRScheduler = importlib.import_module("_timm_sched.wsd_lr").WSDLRScheduler

#: One step grid for every hypothesis example (eager JAX compiles each primitive per shape); horizons <= 90.
STEPS = np.arange(128)

peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(1e-6, 10.0)
powers = st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.1, 4.0)
fractions = st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0.0, 1.0)


@pytest.fixture(scope="module")
def keras_schedules():
    import keras  # KERAS_BACKEND=jax (conftest)

    return keras.optimizers.schedules


def keras_curve(schedule, steps=STEPS) -> np.ndarray:
    out = schedule(np.asarray(steps))
    assert out.dtype == jnp.float64, out.dtype  # computed in float64 (the dtype of initial_learning_rate)
    return np.asarray(out)


def timm_values(sched, steps=STEPS) -> np.ndarray:
    return np.asarray([sched._get_lr(int(t))[0] for t in steps], dtype=np.float64)


def timm_opt(peak: float) -> torch.optim.SGD:
    return _sgd(peak)


# ---------------------------------------------------------------------------------------------------------------------
# exponential_decay


@st.composite
def optax_exponential(draw):
    peak = draw(peaks)
    cfg: dict[str, Any] = {
        "peak": peak,
        "steps": draw(st.integers(1, 20) | st.sampled_from([0.5, 2.5, 7.25])),
        "begin": draw(st.just(0) | st.integers(1, 30)),
        "staircase": draw(st.booleans()),
    }
    if draw(st.integers(0, 3)) == 0:
        cfg["rate"] = draw(st.sampled_from([1.0, 1.05, 1.5]))
        cfg["end"] = draw(st.none() | st.sampled_from([1.0, 3.0, 100.0]).map(lambda r: r * peak))
    else:
        cfg["rate"] = draw(st.sampled_from([0.5, 0.9, 0.1]) | st.floats(0.01, 0.999))
        cfg["end"] = draw(st.none() | fractions.map(lambda r: r * peak))
    return cfg


def test_exponential_decay_equals_optax(backend):
    @per_backend(backend, cfg=optax_exponential())
    def check(cfg):
        expected = optax_curve(optax.exponential_decay(
            cfg["peak"], cfg["steps"], cfg["rate"], transition_begin=cfg["begin"], staircase=cfg["staircase"],
            end_value=cfg["end"],
        ))
        ours = evaluate(backend, lrfuncs.exponential_decay, STEPS, peak_lr=cfg["peak"], decay_rate=cfg["rate"],
                        decay_steps=cfg["steps"], hold_steps=cfg["begin"], staircase=cfg["staircase"],
                        end_lr=cfg["end"])
        assert_lr_close(ours, expected, peak=cfg["peak"])

    check()


def test_exponential_decay_equals_torch_exponentiallr(backend):
    @per_backend(backend, peak=peaks, gamma=st.sampled_from([0.9, 0.5, 1.0, 1.05]) | st.floats(0.05, 1.1))
    def check(peak, gamma):
        expected, _, _ = run_torch(_sgd(peak), lambda o: ExponentialLR(o, gamma=gamma), len(STEPS))
        ours = evaluate(backend, lrfuncs.exponential_decay, STEPS, peak_lr=peak, decay_rate=gamma)
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_exponential_decay_equals_keras(backend, keras_schedules):
    @per_backend(backend, peak=peaks, steps=st.integers(1, 20) | st.floats(0.5, 20.0),
                 rate=st.floats(0.05, 1.0) | st.sampled_from([0.5, 1.02]), staircase=st.booleans())
    def check(peak, steps, rate, staircase):
        if staircase:
            steps = round(steps) or 1  # fractional: see test_staircase_floor_is_exact_unlike_keras
        expected = keras_curve(keras_schedules.ExponentialDecay(np.float64(peak), steps, rate, staircase=staircase))
        ours = evaluate(backend, lrfuncs.exponential_decay, STEPS, peak_lr=peak, decay_rate=rate, decay_steps=steps,
                        staircase=staircase)
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_staircase_floor_is_exact_unlike_keras(keras_schedules):
    """keras floors the rounded quotient: 9 / 0.9 rounds to 10.0, though 9 < 10 * 0.9 (the float 0.9 is above 9/10).

    lrfuncs counts whole multiples exactly (``floor_div``, as ``step_decay``), on every backend; with whole
    ``decay_steps`` (or any exact quotient) the two agree.
    """
    keras_vals = keras_curve(keras_schedules.ExponentialDecay(np.float64(1.0), 0.9, 0.5, staircase=True),
                             np.arange(11))
    assert keras_vals[9] == 0.5**10
    expected = 0.5 ** np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11])  # exact: floor(k / 0.9) for k = 0..10
    assert np.all(expected[:9] == keras_vals[:9])
    assert expected[10] == keras_vals[10]
    check_backends(lrfuncs.exponential_decay, np.arange(11), expected, peak=1.0, peak_lr=1.0, decay_rate=0.5,
                   decay_steps=0.9, staircase=True)


def test_exponential_golden_3_12():
    gamma, _, _ = run_torch(_sgd(1.0), lambda o: ExponentialLR(o, 0.9), 6)
    golden = [1, 0.9, 0.81, 0.729, 0.6561, 0.59049]
    assert_golden(gamma, golden)
    check_backends(lrfuncs.exponential_decay, np.arange(6), gamma, peak=1.0, peak_lr=1.0, decay_rate=0.9)
    ten = optax_curve(optax.exponential_decay(1.0, 10, 0.9**10), np.arange(6))
    assert_golden(ten, golden)
    check_backends(lrfuncs.exponential_decay, np.arange(6), ten, peak=1.0, peak_lr=1.0, decay_rate=0.9**10,
                   decay_steps=10)
    clipped = optax_curve(optax.exponential_decay(1.0, 1, 0.9, transition_begin=2, end_value=0.7), np.arange(7))
    assert_golden(clipped, [1, 1, 1, 0.9, 0.81, 0.729, 0.7])
    check_backends(lrfuncs.exponential_decay, np.arange(7), clipped, peak=1.0, peak_lr=1.0, decay_rate=0.9,
                   hold_steps=2, end_lr=0.7)
    stairs = optax_curve(optax.exponential_decay(1.0, 3, 0.1, staircase=True), np.arange(6))
    assert_golden(stairs, [1, 1, 1, 0.1, 0.1, 0.1])  # 3.6: the decay applies at the multiple


def test_exponential_capped_growth_never_overflows():
    """decay_rate > 1 with end_lr: the power is not evaluated where the cap applies (no inf, finite gradients)."""
    cfg = {"peak_lr": 0.01, "decay_rate": 1.5, "end_lr": 1.0}
    steps = np.array([0.0, 5.0, 11.0, 12.0, 1e4, 1e10, 2.0**53])
    expected = [0.01, 0.01 * 1.5**5, 0.01 * 1.5**11, 1.0, 1.0, 1.0, 1.0]
    check_backends(lrfuncs.exponential_decay, steps, expected, peak=1.0, **cfg)
    _assert_finite_grads("exponential_decay", cfg, steps)
    # traced decay_rate: both bounds are computed, each kept finite
    g = _grads(lrfuncs.exponential_decay, cfg, ["decay_rate", "end_lr", "peak_lr"], steps)
    assert g["end_lr"][-1] == 1.0
    assert g["decay_rate"][-1] == 0.0
    with pytest.raises(OverflowError):  # uncapped growth overflows as Python's own ** does
        lrfuncs.exponential_decay(1e4, peak_lr=1.0, decay_rate=1.5)
    with np.errstate(over="ignore"):
        assert np.isinf(lrfuncs.exponential_decay(np.array([1e4]), peak_lr=1.0, decay_rate=1.5)[0])


# ---------------------------------------------------------------------------------------------------------------------
# polynomial_decay


def test_polynomial_decay_equals_torch_polynomiallr(backend):
    @per_backend(backend, peak=peaks, n=st.integers(1, 90), power=powers)
    def check(peak, n, power):
        expected, _, _ = run_torch(_sgd(peak), lambda o: PolynomialLR(o, total_iters=n, power=power), len(STEPS))
        ours = evaluate(backend, lrfuncs.polynomial_decay, STEPS, peak_lr=peak, total_steps=n, power=power)
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_polynomial_decay_equals_optax_polynomial_schedule(backend):
    @per_backend(backend, peak=peaks, end=st.sampled_from([0.0, 0.1, 2.0]) | st.floats(0.0, 3.0), power=powers,
                 n=st.integers(1, 60), begin=st.just(0) | st.integers(1, 30))
    def check(peak, end, power, n, begin):
        end_value = end * peak  # may lie above init: a polynomial rise
        expected = optax_curve(optax.polynomial_schedule(peak, end_value, power, n, transition_begin=begin))
        ours = evaluate(backend, lrfuncs.polynomial_decay, STEPS, peak_lr=peak, end_lr=end_value, power=power,
                        total_steps=begin + n, hold_steps=begin)
        top = max(peak, end_value)
        # at the end of the transition XLA's count / n may be 1 - 2**-53 (49 * (1/49) < 1): optax's
        # (1 - frac) ** power is then 1e-8 instead of 0 for power 1/2 (see test_optax_end_of_transition_rounding)
        after = begin + n <= STEPS  # optax holds that rounded end value
        assert np.all(ours[after] == end_value)
        assert np.all(np.abs(expected[after] - end_value) <= 2 * 2.0 ** (-52 * power) * abs(peak - end_value))
        assert_lr_close(ours[~after], expected[~after], peak=top)

    check()


def test_optax_end_of_transition_rounding():
    """optax: 1 - 49/49 is 1.1e-16 under XLA (division by the reciprocal), so sqrt gives 1e-8; lrfuncs gives 0."""
    expected = optax_curve(optax.polynomial_schedule(1.0, 0.0, 0.5, 49), np.arange(51))
    assert 0 < expected[49] < 1e-7
    assert expected[50] == expected[49]  # optax holds its rounded end value
    ours = lrfuncs.polynomial_decay(np.arange(51), peak_lr=1.0, total_steps=49, power=0.5)
    assert ours[49] == ours[50] == 0.0
    assert_lr_close(ours[:49], expected[:49])


def test_polynomial_decay_equals_hf(backend):
    @per_backend(backend, peak=peaks, w=st.integers(0, 30), decay=st.integers(1, 60), end=st.floats(0.0, 0.99),
                 power=powers)
    def check(peak, w, decay, end, power):
        n, lr_end = w + decay, end * peak  # HF needs lr_end < lr and divides by zero at W == N
        expected = hf_curve(get_polynomial_decay_schedule_with_warmup, peak, len(STEPS), num_warmup_steps=w,
                            num_training_steps=n, lr_end=lr_end, power=power)
        ours = evaluate(backend, lrfuncs.polynomial_decay, STEPS, peak_lr=peak, total_steps=n, end_lr=lr_end,
                        power=power, warmup_steps=w, init_lr=0.0)
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_polynomial_decay_equals_keras(backend, keras_schedules):
    @per_backend(backend, peak=peaks, steps=st.integers(1, 40), end=st.floats(0.0, 2.0), power=powers,
                 cycle=st.booleans())
    def check(peak, steps, end, power, cycle):
        expected = keras_curve(keras_schedules.PolynomialDecay(np.float64(peak), steps, np.float64(end * peak),
                                                               power=power, cycle=cycle))
        ours = evaluate(backend, lrfuncs.polynomial_decay, STEPS, peak_lr=peak, total_steps=steps, end_lr=end * peak,
                        power=power, cycle=cycle)
        assert_lr_close(ours, expected, peak=max(peak, end * peak))

    check()


def test_polynomial_decay_equals_timm_poly_one_cycle(backend):
    @per_backend(backend, peak=peaks, t_initial=st.integers(1, 60), power=powers, lr_min=fractions,
                 warmup=st.just(0) | st.integers(1, 20), init=fractions)
    def check(peak, t_initial, power, lr_min, warmup, init):
        sched = PolyLRScheduler(timm_opt(peak), t_initial=t_initial, power=power, lr_min=lr_min * peak,
                                warmup_t=warmup, warmup_lr_init=init * peak, warmup_prefix=True)
        ours = evaluate(backend, lrfuncs.polynomial_decay, STEPS, peak_lr=peak, total_steps=warmup + t_initial,
                        power=power, end_lr=lr_min * peak, warmup_steps=warmup, init_lr=init * peak)
        assert_lr_close(ours, timm_values(sched), peak=peak)

    check()


def test_polynomial_golden_3_7(keras_schedules):
    torch_vals, _, _ = run_torch(_sgd(1.0), lambda o: PolynomialLR(o, total_iters=4, power=1), 6)
    assert_golden(torch_vals, [1, 0.75, 0.5, 0.25, 0, 0])
    check_backends(lrfuncs.polynomial_decay, np.arange(6), torch_vals, peak=1.0, peak_lr=1.0, total_steps=4)
    timm_default = timm_values(PolyLRScheduler(timm_opt(1.0), t_initial=4), np.arange(6))
    assert_golden(timm_default, [1, 0.86603, 0.70711, 0.5, 0, 0])  # timm's default power 0.5
    check_backends(lrfuncs.polynomial_decay, np.arange(6), timm_default, peak=1.0, peak_lr=1.0, total_steps=4,
                   power=0.5)
    hf = hf_curve(get_polynomial_decay_schedule_with_warmup, 1.0, 6, num_warmup_steps=0, num_training_steps=4)
    assert_golden(hf, [1, 0.75, 0.5, 0.25, 1e-07, 1e-07])  # HF's default lr_end=1e-7
    check_backends(lrfuncs.polynomial_decay, np.arange(6), hf, peak=1.0, peak_lr=1.0, total_steps=4, end_lr=1e-7)
    cycling = keras_curve(keras_schedules.PolynomialDecay(np.float64(1.0), 3, np.float64(0.0), cycle=True),
                          np.arange(8))
    check_backends(lrfuncs.polynomial_decay, np.arange(8), cycling, peak=1.0, peak_lr=1.0, total_steps=3, cycle=True)
    assert_golden(cycling, [1, 2 / 3, 1 / 3, 0, 1 / 3, 1 / 6, 0, 2 / 9])  # back up past each multiple of 3


def test_polynomial_hf_warmup_equal_to_training_divides_by_zero_ours_holds_end():
    with pytest.raises(ZeroDivisionError):
        hf_curve(get_polynomial_decay_schedule_with_warmup, 1.0, 8, num_warmup_steps=5, num_training_steps=5,
                 lr_end=0.01)
    before = hf_curve(get_polynomial_decay_schedule_with_warmup, 1.0, 4, num_warmup_steps=5, num_training_steps=5,
                      lr_end=0.01)  # HF's warmup up to step 3 (stepping to 5 would divide by zero)
    assert_golden(before, [0, 0.2, 0.4, 0.6])
    before = np.concatenate([before, [0.8]])  # step 4 of the warmup, 4/5
    expected = np.concatenate([before, [0.01, 0.01, 0.01]])  # the end lr from W = N on
    check_backends(lrfuncs.polynomial_decay, np.arange(8), expected, peak=1.0, peak_lr=1.0, total_steps=5,
                   warmup_steps=5, init_lr=0.0, end_lr=0.01)


def test_polynomial_hf_lr_end_is_relative_to_the_default_lr():
    """HF divides by optimizer.defaults["lr"]: a group with another lr ends at lr_end * group_lr / default_lr."""
    params = [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64)) for _ in range(2)]
    for p in params:
        p.grad = torch.zeros(1, dtype=torch.float64)
    opt = torch.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.01}], lr=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched = get_polynomial_decay_schedule_with_warmup(opt, 2, 10, lr_end=1e-3, power=2.0)
        groups = []
        for _ in range(14):
            groups.append([g["lr"] for g in opt.param_groups])
            opt.step()
            sched.step()
    groups = np.asarray(groups)
    assert_golden(groups[-1], [1e-3, 1e-5])  # anchors.md 3.7
    for lr, end in ((1.0, 1e-3), (0.01, 1e-5)):
        col = 0 if lr == 1.0 else 1
        check_backends(lrfuncs.polynomial_decay, np.arange(14), groups[:, col], peak=lr, peak_lr=lr, total_steps=10,
                       end_lr=end, power=2.0, warmup_steps=2, init_lr=0.0)


def test_polynomial_hold_phase():
    s = lrfuncs.polynomial_decay.bind(peak_lr=1.0, total_steps=10, warmup_steps=2, hold_steps=3, init_lr=0.0,
                                      end_lr=0.1, power=2.0)
    assert [s(t) for t in (0, 1, 2, 4, 5)] == [0.0, 0.5, 1.0, 1.0, 1.0]
    assert s(7.5) == pytest.approx(0.1 + 0.9 * 0.5**2, rel=1e-14)
    assert s(10) == s(1e9) == 0.1


# ---------------------------------------------------------------------------------------------------------------------
# inverse_time_decay


def test_inverse_time_decay_equals_keras(backend, keras_schedules):
    @per_backend(backend, peak=peaks, steps=st.integers(1, 20) | st.floats(0.5, 20.0),
                 rate=st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0.0, 5.0), staircase=st.booleans())
    def check(peak, steps, rate, staircase):
        if staircase:
            steps = round(steps) or 1  # fractional: see test_staircase_floor_is_exact_unlike_keras
        expected = keras_curve(keras_schedules.InverseTimeDecay(np.float64(peak), steps, rate, staircase=staircase))
        ours = evaluate(backend, lrfuncs.inverse_time_decay, STEPS, peak_lr=peak, decay_rate=rate, decay_steps=steps,
                        staircase=staircase)
        assert_lr_close(ours, expected, peak=peak)

    check()


# ---------------------------------------------------------------------------------------------------------------------
# inverse_sqrt


def test_inverse_sqrt_equals_hf(backend):
    @per_backend(backend, peak=peaks, w=st.integers(1, 60), timescale=st.none() | st.integers(1, 200))
    def check(peak, w, timescale):
        expected = hf_curve(get_inverse_sqrt_schedule, peak, len(STEPS), num_warmup_steps=w, timescale=timescale)
        ours = evaluate(backend, lrfuncs.inverse_sqrt, STEPS, peak_lr=peak, warmup_steps=w, timescale=timescale,
                        init_lr=0.0)
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_inverse_sqrt_equals_timm_wsd_rsqrt_stable_phase(backend):
    @per_backend(backend, peak=peaks, w=st.integers(0, 30), timescale=st.none() | st.integers(1, 100),
                 init=fractions)
    def check(peak, w, timescale, init):
        if w == 0 and timescale is None:
            timescale = 7  # timm also needs a positive timescale without warmup
        # the stable phase lasts past every compared step: timm's decay starts at W + 10**6 - 1
        sched = WSDLRScheduler(timm_opt(peak), t_initial=10**6, decay_t=1, stable_fn="rsqrt",
                               stable_timescale=timescale, warmup_t=w, warmup_lr_init=init * peak)
        ours = evaluate(backend, lrfuncs.inverse_sqrt, STEPS, peak_lr=peak, warmup_steps=w, timescale=timescale,
                        init_lr=init * peak)
        assert_lr_close(ours, timm_values(sched), peak=peak)

    check()


def test_inverse_sqrt_golden_3_10_hf_fairseq_noam():
    golden = [0, 0.25, 0.5, 0.75, 1, 0.89443, 0.8165, 0.75593, 0.70711, 0.66667, 0.63246, 0.60302, 0.57735]
    hf = hf_curve(get_inverse_sqrt_schedule, 1.0, 13, num_warmup_steps=4)
    assert_golden(hf, golden)
    out = check_backends(lrfuncs.inverse_sqrt, np.arange(13), hf, peak=1.0, peak_lr=1.0, warmup_steps=4, init_lr=0.0)
    # fairseq inverse_sqrt (warmup_updates=4, warmup_init_lr=0) and Noam (normalised by its peak) have the same
    # golden numbers (anchors.md 3.10); Noam counts from 1: its s-th update uses lrfuncs' value at step s.
    assert_golden(out["python"], golden)
    hf10 = hf_curve(get_inverse_sqrt_schedule, 1.0, 7, num_warmup_steps=4, timescale=10)
    assert_golden(hf10, [0, 0.25, 0.5, 0.75, 1, 0.95346, 0.91287])
    check_backends(lrfuncs.inverse_sqrt, np.arange(7), hf10, peak=1.0, peak_lr=1.0, warmup_steps=4, init_lr=0.0,
                   timescale=10)


def test_noam_peak_mapping():
    """Noam: factor * d**-0.5 * min(s**-0.5, s * W**-1.5); its peak d**-0.5 * W**-0.5 at s = W (golden shape)."""
    d, w, factor = 512, 4000, 2.0
    peak = factor * d**-0.5 * w**-0.5
    s = lrfuncs.inverse_sqrt.bind(peak_lr=peak, warmup_steps=w, init_lr=0.0)
    assert s(w) == peak
    assert s(1) == pytest.approx(peak / w, rel=1e-14)  # Noam's first update (s = 1): lrfuncs' update 0 at step 1
    assert s(4 * w) == pytest.approx(peak / 2, rel=1e-14)  # d**-0.5 (4W)**-0.5 = peak / 2


def test_inverse_sqrt_default_timescale_is_warmup_and_zero_warmup_needs_one(backend):
    steps = np.arange(40)
    default = evaluate(backend, lrfuncs.inverse_sqrt, steps, peak_lr=0.5, warmup_steps=6)
    explicit = evaluate(backend, lrfuncs.inverse_sqrt, steps, peak_lr=0.5, warmup_steps=6, timescale=6)
    assert_lr_close(default, explicit, peak=0.5)
    with pytest.raises(ValueError, match=r"Argument `timescale` must be given .* Received: timescale=None, "
                                         r"warmup_steps=0"):
        lrfuncs.inverse_sqrt(0, peak_lr=0.5, warmup_steps=0)
    # HF silently uses 10_000 there: the same curve as an explicit timescale
    hf = hf_curve(get_inverse_sqrt_schedule, 0.5, 40, num_warmup_steps=0)
    assert_lr_close(evaluate(backend, lrfuncs.inverse_sqrt, steps, peak_lr=0.5, warmup_steps=0, timescale=10_000), hf,
                    peak=0.5)


# ---------------------------------------------------------------------------------------------------------------------
# the shared backend and gradient checks, on configs with an end_lr


@st.composite
def with_end(draw, name):
    strategy = {"exponential_decay": _exponential, "polynomial_decay": _polynomial}[name]
    cfg = draw(strategy(with_end=True))
    marks = [0.0, *(m + d for m in CASES[name].landmarks(cfg) for d in (-1.0, -0.5, 0.0, 0.5, 1.0) if m + d >= 0)]
    extra = draw(st.lists(st.floats(0.0, 1.5 * max(marks) + 5.0), min_size=1, max_size=6))
    steps = np.unique(np.asarray(marks + extra))
    steps = np.sort(np.resize(steps[np.linspace(0, len(steps) - 1, min(len(steps), N_STEPS)).astype(int)], N_STEPS))
    return cfg, steps


@pytest.mark.parametrize("name", ["exponential_decay", "polynomial_decay"])
@settings(max_examples=max(2, settings.default.max_examples // 10))
@given(data=st.data())
def test_shared_checks_with_end_lr(name, data):
    cfg, steps = data.draw(with_end(name))
    _assert_backends_agree(name, cfg, steps, ("numpy", "jax", "jax_jit", "jax_vmap", "torch"))
    _assert_finite_grads(name, cfg, steps)


# ---------------------------------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("fn", "cfg", "match"),
    [
        (lrfuncs.exponential_decay, {"peak_lr": 1.0, "decay_rate": 0.0},
         r"Argument `decay_rate` must be > 0\. Received: decay_rate=0\.0"),
        (lrfuncs.exponential_decay, {"peak_lr": 1.0, "decay_rate": 0.5, "decay_steps": 0},
         r"Argument `decay_steps` must be > 0\. Received: decay_steps=0"),
        (lrfuncs.exponential_decay, {"peak_lr": 1.0, "decay_rate": 0.5, "hold_steps": -1},
         r"`hold_steps` must be >= 0"),
        (lrfuncs.exponential_decay, {"peak_lr": 1.0, "decay_rate": 0.5, "end_lr": 2.0},
         r"Argument `end_lr` must be <= `peak_lr`\. Received: end_lr=2\.0, peak_lr=1\.0"),
        (lrfuncs.exponential_decay, {"peak_lr": 1.0, "decay_rate": 1.5, "end_lr": 0.5},
         r"Argument `peak_lr` must be <= `end_lr`\. Received: peak_lr=1\.0, end_lr=0\.5"),
        (lrfuncs.polynomial_decay, {"peak_lr": 1.0, "total_steps": 10, "warmup_steps": 6, "hold_steps": 5},
         r"Argument `warmup_steps` plus `hold_steps` must be <= `total_steps`\. Received: warmup_steps=6, "
         r"hold_steps=5, total_steps=10"),
        (lrfuncs.polynomial_decay, {"peak_lr": 1.0, "total_steps": 10, "warmup_steps": 10, "cycle": True},
         r"Argument `cycle` with `cycle=True` needs a decay phase"),
        (lrfuncs.polynomial_decay, {"peak_lr": 1.0, "total_steps": 10, "power": 0.0}, r"`power` must be > 0"),
        (lrfuncs.polynomial_decay, {"peak_lr": 1.0, "total_steps": 10, "k_decay": -1.0}, r"`k_decay` must be > 0"),
        (lrfuncs.polynomial_decay, {"peak_lr": 1.0, "total_steps": 10, "end_lr": -0.1}, r"`end_lr` must be >= 0"),
        (lrfuncs.polynomial_decay, {"peak_lr": 1.0, "total_steps": 0}, r"`total_steps` must be > 0"),
        (lrfuncs.polynomial_decay, {"peak_lr": 1.0, "total_steps": 10, "warmup_steps": 2, "init_lr": 2.0},
         r"Argument `init_lr` must be <= `peak_lr`"),
        (lrfuncs.inverse_time_decay, {"peak_lr": 1.0, "decay_rate": -0.5}, r"`decay_rate` must be >= 0"),
        (lrfuncs.inverse_time_decay, {"peak_lr": 1.0, "decay_rate": 0.5, "decay_steps": 0},
         r"`decay_steps` must be > 0"),
        (lrfuncs.inverse_sqrt, {"peak_lr": 1.0, "warmup_steps": 4, "timescale": 0}, r"`timescale` must be > 0"),
        (lrfuncs.inverse_sqrt, {"peak_lr": 1.0, "warmup_steps": -4}, r"`warmup_steps` must be >= 0"),
        (lrfuncs.inverse_sqrt, {"peak_lr": 1.0, "warmup_steps": 4, "init_lr": 1.5}, r"`init_lr` must be <= `peak_lr`"),
    ],
)
def test_bad_config_raises_value_error(fn, cfg, match):
    with pytest.raises(ValueError, match=match):
        fn(0, **cfg)
    with pytest.raises(ValueError, match=match):
        fn.bind(**cfg)


def test_wrong_kinds_raise_type_error():
    with pytest.raises(TypeError, match="`staircase` must be True or False"):
        lrfuncs.exponential_decay(0, peak_lr=1.0, decay_rate=0.5, staircase=1)
    with pytest.raises(TypeError, match="`cycle` must be True or False"):
        lrfuncs.polynomial_decay(0, peak_lr=1.0, total_steps=4, cycle="yes")


def test_fractional_lengths_and_giant_steps():
    assert lrfuncs.exponential_decay(2**53, peak_lr=1.0, decay_rate=0.5, end_lr=0.25) == 0.25
    assert lrfuncs.polynomial_decay(2**53, peak_lr=1.0, total_steps=7.5, end_lr=0.25) == 0.25
    assert lrfuncs.inverse_sqrt(2**40, peak_lr=1.0, warmup_steps=4) == pytest.approx(math.sqrt(4 / 2**40), rel=1e-14)
    out = lrfuncs.inverse_time_decay(jnp.asarray([0.0, 2.5, 5.0]), peak_lr=1.0, decay_rate=1.0, decay_steps=2.5,
                                     staircase=True)
    assert_lr_close(np.asarray(out), [1.0, 0.5, 1 / 3])
    assert jax.grad(lambda p: lrfuncs.polynomial_decay(jnp.float64(3.0), peak_lr=p, total_steps=4.0))(1.0) == 0.25
