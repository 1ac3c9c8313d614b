"""Parity and validation of ``constant``, ``constant_factor`` and ``linear`` (lrfuncs/schedules/simple.py).

Anchors, run for real (never a re-typed formula):

* torch ``ConstantLR`` / ``LinearLR`` stepped with a real SGD optimizer (``test_parity_torch.run_torch``:
  index ``k`` is the lr update ``k`` uses);
* HF ``get_constant_schedule`` stepped (``test_parity_transformers.hf_curve``);
* optax ``constant_schedule`` / ``linear_schedule`` on int64 counts (float64 under x64).

Mapping: ``ConstantLR(factor, total_iters)`` on lr ``p`` == ``constant_factor(peak_lr=p, factor,
factor_steps=total_iters)``; ``LinearLR(s, e, T)`` on lr ``p`` == ``linear(init_lr=p*s, end_lr=p*e,
total_steps=T)``; ``linear_schedule(i, e, T, B)`` == ``linear(init_lr=i, end_lr=e, hold_steps=B,
total_steps=B + T)``. Every comparison runs through every backend (python, numpy, jax, jax_jit,
jax_vmap, torch) at float64 rounding (``assert_lr_close``).

Deliberate differences, asserted as such: torch ``ConstantLR(factor=0)`` raises ZeroDivisionError at
``total_iters`` (lrfuncs: 0 then the full lr); torch ``ConstantLR(total_iters=0)`` stepped keeps the
factor forever (its own closed form and lrfuncs: the full lr); torch ``LinearLR`` cannot start at 0.
"""

from __future__ import annotations

import numpy as np
import optax
import pytest
from conftest import assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st
from test_parity_optax import optax_curve
from test_parity_torch import _sgd, assert_golden, check_backends, run_torch
from test_parity_transformers import hf_curve
from torch.optim.lr_scheduler import ConstantLR, LinearLR
from transformers import get_constant_schedule

import lrfuncs

#: One step grid for every hypothesis example (eager JAX compiles each primitive per shape); horizons <= 90.
STEPS = np.arange(128)

peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(1e-6, 10.0)
factors = st.sampled_from([1 / 3, 0.5, 1.0, 0.1]) | st.floats(1e-3, 1.0)

# ---------------------------------------------------------------------------------------------------------------------
# constant


def test_constant_equals_hf_and_optax(backend):
    @per_backend(backend, peak=peaks)
    def check(peak):
        ours = evaluate(backend, lrfuncs.constant, STEPS, peak_lr=peak)
        assert_lr_close(ours, hf_curve(get_constant_schedule, peak, len(STEPS)), peak=peak)
        schedule = optax.constant_schedule(peak)
        assert_lr_close(ours[:3], [float(schedule(k)) for k in (0, 1, 2)], peak=peak)
        assert np.all(ours == peak)

    check()


# ---------------------------------------------------------------------------------------------------------------------
# constant_factor


def test_constant_factor_equals_torch_constantlr(backend):
    @per_backend(backend, peak=peaks, factor=factors, n=st.integers(1, 90))
    def check(peak, factor, n):
        expected, _, _ = run_torch(_sgd(peak), lambda o: ConstantLR(o, factor=factor, total_iters=n), len(STEPS))
        ours = evaluate(backend, lrfuncs.constant_factor, STEPS, peak_lr=peak, factor=factor, factor_steps=n)
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_constant_factor_torch_defaults_golden():
    """torch's defaults factor=1/3, total_iters=5."""
    expected, _, _ = run_torch(_sgd(0.3), lambda o: ConstantLR(o), 8)
    assert_golden(expected, [0.1] * 5 + [0.3] * 3)
    check_backends(lrfuncs.constant_factor, np.arange(8), expected, peak=0.3, peak_lr=0.3, factor=1 / 3,
                   factor_steps=5)


def test_constant_factor_zero_allowed_where_torch_divides_by_zero():
    with pytest.raises(ZeroDivisionError):
        run_torch(_sgd(1.0), lambda o: ConstantLR(o, factor=0.0, total_iters=3), 5)
    out = check_backends(lrfuncs.constant_factor, np.arange(5), [0.0, 0.0, 0.0, 1.0, 1.0], peak=1.0, peak_lr=1.0,
                         factor=0.0, factor_steps=3)
    assert np.all(out["python"] == [0.0, 0.0, 0.0, 1.0, 1.0])


def test_constant_factor_zero_steps_is_torch_closed_form_not_its_stepped_form():
    stepped, sched, _ = run_torch(_sgd(1.0), lambda o: ConstantLR(o, factor=0.5, total_iters=0), 4)
    assert_golden(stepped, [0.5] * 4)  # torch's recursive form applies the factor and never removes it
    assert sched._get_closed_form_lr() == [1.0]  # its closed form: the full lr
    check_backends(lrfuncs.constant_factor, np.arange(4), np.ones(4), peak=1.0, peak_lr=1.0, factor=0.5,
                   factor_steps=0)


def test_constant_factor_fractional_steps():
    s = lrfuncs.constant_factor.bind(peak_lr=1.0, factor=0.5, factor_steps=2.5)
    assert [s(t) for t in (2.0, 2.49, 2.5, 3.0)] == [0.5, 0.5, 1.0, 1.0]


# ---------------------------------------------------------------------------------------------------------------------
# linear


def test_linear_equals_torch_linearlr(backend):
    @per_backend(backend, peak=peaks, start=factors, end=st.just(0.0) | factors, n=st.integers(1, 90))
    def check(peak, start, end, n):
        expected, _, _ = run_torch(
            _sgd(peak), lambda o: LinearLR(o, start_factor=start, end_factor=end, total_iters=n), len(STEPS)
        )
        ours = evaluate(backend, lrfuncs.linear, STEPS, init_lr=peak * start, end_lr=peak * end, total_steps=n)
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_linear_equals_optax_linear_schedule(backend):
    @per_backend(backend, init=st.just(0.0) | peaks, end=st.just(0.0) | peaks, n=st.integers(1, 60),
                 begin=st.just(0) | st.integers(1, 30))
    def check(init, end, n, begin):
        expected = optax_curve(optax.linear_schedule(init, end, transition_steps=n, transition_begin=begin))
        ours = evaluate(backend, lrfuncs.linear, STEPS, init_lr=init, end_lr=end, total_steps=begin + n,
                        hold_steps=begin)
        assert_lr_close(ours, expected, peak=max(init, end))

    check()


def test_linear_golden_3_4_and_from_zero_unlike_torch():
    torch_vals, _, _ = run_torch(_sgd(1.0), lambda o: LinearLR(o, 0.25, 1.0, 4), 6)
    assert_golden(torch_vals, [0.25, 0.4375, 0.625, 0.8125, 1, 1])
    check_backends(lrfuncs.linear, np.arange(6), torch_vals, peak=1.0, init_lr=0.25, end_lr=1.0, total_steps=4)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        LinearLR(_sgd(1.0), start_factor=0.0, end_factor=1.0, total_iters=4)
    out = check_backends(lrfuncs.linear, np.arange(6), [0, 0.25, 0.5, 0.75, 1, 1], peak=1.0, init_lr=0.0,
                         end_lr=1.0, total_steps=4)
    assert list(out["python"]) == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


def test_linear_hold_counts_in_total_steps_and_end_is_exact():
    s = lrfuncs.linear.bind(init_lr=0.3, end_lr=0.01, total_steps=10, hold_steps=4)
    assert s(0) == s(4) == pytest.approx(0.3, rel=1e-15)
    assert s(7) == pytest.approx(0.3 + (0.01 - 0.3) * 0.5, rel=1e-14)
    for t in (10, 11, 1e6, 2**53):  # the final value exactly, whatever the backend
        assert s(t) == 0.01
        assert s(np.array([t]))[0] == 0.01
    jump = lrfuncs.linear.bind(init_lr=1.0, end_lr=2.0, total_steps=3, hold_steps=3)  # no transition phase
    assert [jump(t) for t in (0, 2, 2.99, 3, 4)] == [1.0, 1.0, 1.0, 2.0, 2.0]


# ---------------------------------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("fn", "cfg", "match"),
    [
        (lrfuncs.constant, {"peak_lr": 0.0}, r"Argument `peak_lr` must be > 0\. Received: peak_lr=0\.0"),
        (lrfuncs.constant_factor, {"peak_lr": 1.0, "factor": 1.5, "factor_steps": 3},
         r"Argument `factor` must be in \[0, 1\]\. Received: factor=1\.5"),
        (lrfuncs.constant_factor, {"peak_lr": 1.0, "factor": -0.1, "factor_steps": 3}, r"`factor` must be in \[0, 1\]"),
        (lrfuncs.constant_factor, {"peak_lr": 1.0, "factor": 0.5, "factor_steps": -1},
         r"Argument `factor_steps` must be >= 0\. Received: factor_steps=-1"),
        (lrfuncs.linear, {"init_lr": -0.1, "end_lr": 0.1, "total_steps": 3}, r"`init_lr` must be >= 0"),
        (lrfuncs.linear, {"init_lr": 0.1, "end_lr": -1.0, "total_steps": 3}, r"`end_lr` must be >= 0"),
        (lrfuncs.linear, {"init_lr": 0.1, "end_lr": 0.0, "total_steps": 0}, r"`total_steps` must be > 0"),
        (lrfuncs.linear, {"init_lr": 0.1, "end_lr": 0.0, "total_steps": 5, "hold_steps": 6},
         r"Argument `hold_steps` must be <= `total_steps`\. Received: hold_steps=6, total_steps=5"),
        (lrfuncs.linear, {"init_lr": 0.1, "end_lr": float("nan"), "total_steps": 5}, r"`end_lr` must be a finite"),
    ],
)
def test_bad_config_raises_value_error(fn, cfg, match):
    with pytest.raises(ValueError, match=match):
        fn(0, **cfg)
    with pytest.raises(ValueError, match=match):
        fn.bind(**cfg)


def test_wrong_kinds_raise_type_error():
    with pytest.raises(TypeError, match="`factor` must be a number"):
        lrfuncs.constant_factor(0, peak_lr=1.0, factor="0.5", factor_steps=2)
    with pytest.raises(TypeError, match="missing required keyword argument"):
        lrfuncs.linear(0, init_lr=0.1, end_lr=0.0)
