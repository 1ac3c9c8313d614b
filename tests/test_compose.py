"""Composites: composition laws, parity with the anchors' own composition, validation, round trips.

* Laws: a join of one schedule is that schedule; a product with the constant 1 is the identity;
  a warmup of length 0 is the identity; scale 1, shift 0 and one step per epoch are identities;
  restarts of a cosine equal ``cosine_restarts`` (the foundation's SGDR).
* Anchors, run for real: optax ``join_schedules`` and ``warmup_cosine_decay_schedule``; torch
  ``SequentialLR``, ``ChainedScheduler``, ``CosineAnnealingLR`` stepped per epoch (read per batch) and
  ``CosineAnnealingWarmRestarts.step(epoch + i / iters)``; HF ``get_cosine_schedule_with_warmup`` and
  the warmup shapes of ``get_wsd_schedule``. fastai is not installed: its ``combined_cos`` numbers from
  anchors.md §3.5 are checked as golden values.
* Every composite on every backend (the shared backend/property tests run them too, from
  tests/schedule_cases/compose.py); nested composites round-trip through JSON and pickle.
"""

from __future__ import annotations

import json
import math
import pickle
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
import transformers
from conftest import BACKENDS, assert_lr_close, evaluate
from hypothesis import given, settings
from hypothesis import strategies as st
from schedule_cases.compose import child

import lrfuncs
from lrfuncs import Schedule

STEPS = np.arange(0, 130, dtype=np.int64)
FRACTIONAL = np.linspace(0.0, 130.0, 521)


def _values(s: Schedule[Any], steps: np.ndarray = STEPS) -> np.ndarray:
    return np.asarray(s(steps), dtype=np.float64)


def _peak(s: Schedule[Any]) -> float:
    return float(s.config.get("peak_lr", 1.0))


# ----------------------------------------------------------------------------------------------
# Laws
# ----------------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(s=child(), integer=st.booleans())
def test_identities(s: Schedule[Any], integer: bool) -> None:
    steps = STEPS if integer else FRACTIONAL
    expected = _values(s, steps)
    one = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=1, min_lr_ratio=1.0)  # the constant 1
    same = [
        lrfuncs.join.bind(schedules=[s]),
        lrfuncs.join.bind(schedules=[s], fractions=[1.0], total_steps=7),
        lrfuncs.product.bind(schedules=[s, one]),
        lrfuncs.product.bind(schedules=[s]),
        lrfuncs.with_warmup.bind(inner=s, warmup_steps=0, total_includes_warmup=False),
        lrfuncs.with_warmup.bind(inner=s, warmup_steps=0, total_includes_warmup=True, shape="cosine"),
        lrfuncs.scale.bind(inner=s, factor=1.0),
        lrfuncs.shift.bind(inner=s, offset=0),
        lrfuncs.in_epochs.bind(inner=s, steps_per_epoch=1),
        lrfuncs.clip.bind(inner=s, min_lr=0.0),
    ]
    if integer:
        same.append(lrfuncs.in_epochs.bind(inner=s, steps_per_epoch=1, staircase=True))
    for c in same:
        np.testing.assert_array_equal(_values(c, steps), expected, err_msg=repr(c))


@settings(max_examples=30)
@given(s=child(), cs=st.integers(1, 40))
def test_one_cycle_of_restarts_is_the_schedule_then_holds(s: Schedule[Any], cs: int) -> None:
    r = lrfuncs.restarts.bind(inner=s, cycle_steps=cs, max_cycles=1)
    inside = STEPS[:cs + 1]
    np.testing.assert_array_equal(_values(r, inside), _values(s, inside))
    after = STEPS[cs:]
    assert_lr_close(_values(r, after), np.full(len(after), s(cs)), peak=_peak(s))  # libm vs numpy pow: 1 ulp


@st.composite
def sgdr(draw: Any) -> dict[str, Any]:
    cs = draw(st.one_of(st.integers(1, 30), st.floats(0.5, 30.0)))
    m = draw(st.one_of(st.sampled_from([1, 2, 1.5, 0.5]), st.floats(0.3, 3.0)))
    cfg: dict[str, Any] = {"cycle_steps": cs, "cycle_mult": m,
                           "max_cycles": draw(st.integers(1, 5)) if m < 1 else draw(st.one_of(st.none(),
                                                                                                st.integers(1, 5)))}
    if m >= 1:
        cfg["cycle_warmup_steps"] = draw(st.one_of(st.just(0), st.floats(0.01, 0.99).map(lambda r: r * cs)))
    return cfg


@pytest.mark.parametrize("backend", BACKENDS)
def test_restarts_of_cosine_is_cosine_restarts(backend: str) -> None:
    """restarts(cosine_decay) == cosine_restarts, any peak decay: with a floor kept (min_lr), or with no floor."""

    @settings(max_examples=25 if backend in ("python", "numpy", "torch") else 4)
    @given(cfg=sgdr(), peak=st.floats(1e-4, 5.0), floor=st.floats(0.0, 1.0), decay=st.floats(0.1, 1.0),
           use_floor=st.booleans())
    def check(cfg: dict[str, Any], peak: float, floor: float, decay: float, use_floor: bool) -> None:
        min_lr = floor * peak if use_floor else 0.0
        cos = lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=cfg["cycle_steps"], min_lr=min_lr)
        ours = lrfuncs.restarts.bind(inner=cos, peak_decay=decay, min_lr=min_lr if use_floor else None, **cfg)
        ref = lrfuncs.cosine_restarts.bind(peak_lr=peak, min_lr=min_lr, peak_decay=decay, **cfg)
        steps = np.arange(0, 90, dtype=np.int64)
        # restarts decided by the last bit of a pow/log are ill-conditioned for non-whole cycle lengths
        if not (float(cfg["cycle_steps"]).is_integer() and float(cfg["cycle_mult"]).is_integer()):
            marks = [m for _, m in ours.landmarks()]
            steps = np.array([t for t in steps if all(abs(t - m) > 1e-9 * max(1.0, m) for m in marks)])
        if cfg["cycle_mult"] < 1:
            h = cfg["cycle_steps"] / (1 - cfg["cycle_mult"])
            steps = steps[np.abs(steps - h) > 0.01 * h]
        assert_lr_close(evaluate(backend, ours, steps), evaluate("python", ref, steps), peak=peak)

    check()


def _reference_restarts(s: Schedule[Any], cs: float, m: float, d: float, n: int | None, cw: float, t: float) -> float:
    """The definition of ``restarts``, cycle by cycle in plain Python (an independent reference)."""
    start, length, i = 0.0, float(cs), 0
    while t >= start + length and (n is None or i < n - 1):
        start, length, i = start + length, length * m, i + 1
    if n is not None and t >= start + length:  # past the last cycle
        return d**i * s(cs)
    tau = t - start
    c = cw if i >= 1 else 0.0
    if tau < c:
        prev_end, top = d ** (i - 1) * s(cs), d**i * s(0)
        return prev_end + (top - prev_end) * (tau + 1.0) / (c + 1.0)
    return d**i * s(min((tau - c) / (length - c) * cs, cs))


@settings(max_examples=40)
@given(s=child(), cfg=sgdr(), d=st.floats(0.1, 1.0))
def test_restarts_of_any_schedule_match_their_definition(s: Schedule[Any], cfg: dict[str, Any], d: float) -> None:
    cs, m = cfg["cycle_steps"], cfg["cycle_mult"]
    r = lrfuncs.restarts.bind(inner=s, peak_decay=d, **cfg)
    steps = [t for t in np.arange(0.0, 100.0, 0.5)
             if all(abs(t - mk) > 1e-6 * max(1.0, mk) for _, mk in r.landmarks())]
    expected = [_reference_restarts(s, cs, m, d, cfg["max_cycles"], cfg.get("cycle_warmup_steps", 0), t)
                for t in steps]
    assert_lr_close(np.array([r(t) for t in steps]), np.array(expected), peak=_peak(s))


# ----------------------------------------------------------------------------------------------
# Anchors: optax
# ----------------------------------------------------------------------------------------------


@settings(max_examples=20)
@given(w=st.integers(1, 30), n=st.integers(1, 60), peak=st.floats(1e-4, 2.0), alpha=st.floats(0.0, 1.0))
def test_join_equals_optax_join_schedules(w: int, n: int, peak: float, alpha: float) -> None:
    anchor = optax.join_schedules(
        [optax.linear_schedule(0.0, peak, w), optax.cosine_decay_schedule(peak, n, alpha=alpha)], [w]
    )
    ours = lrfuncs.join.bind(
        schedules=[lrfuncs.warmup_constant.bind(peak_lr=peak, warmup_steps=w, init_lr=0.0),
                   lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=n, min_lr_ratio=alpha)],
        boundaries=[w],
    )
    steps = np.arange(0, w + n + 20, dtype=np.float64)
    expected = np.asarray(jax.jit(anchor)(jnp.asarray(steps)), dtype=np.float64)
    for backend in ("python", "numpy", "jax_jit", "torch"):
        assert_lr_close(evaluate(backend, ours, steps), expected, peak=peak)


@settings(max_examples=20)
@given(w=st.integers(1, 30), n=st.integers(1, 60), peak=st.floats(1e-4, 2.0), init=st.floats(0.0, 1.0),
       end=st.floats(0.0, 1.0))
def test_with_warmup_equals_optax_warmup_cosine(w: int, n: int, peak: float, init: float, end: float) -> None:
    anchor = optax.warmup_cosine_decay_schedule(init * peak, peak, w, w + n, end_value=end * peak)
    ours = lrfuncs.with_warmup.bind(
        inner=lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=n, min_lr=end * peak),
        warmup_steps=w, total_includes_warmup=False, init_lr=init * peak,
    )
    steps = np.arange(0, w + n + 10, dtype=np.float64)
    expected = np.asarray(jax.jit(anchor)(jnp.asarray(steps)), dtype=np.float64)
    for backend in ("python", "numpy", "jax_jit", "torch"):
        assert_lr_close(evaluate(backend, ours, steps), expected, peak=peak)


# ----------------------------------------------------------------------------------------------
# Anchors: torch
# ----------------------------------------------------------------------------------------------


def _torch_lrs(make: Any, base: float, n: int, per_epoch: int = 1) -> list[float]:
    """The lr each optimizer update uses, for ``n`` updates; the scheduler is stepped every ``per_epoch``."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = make(opt)
    out = []
    for k in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        if (k + 1) % per_epoch == 0:
            sched.step()
    return out


@settings(max_examples=25)
@given(base=st.floats(1e-3, 1.0), size=st.integers(1, 10), gamma=st.floats(0.1, 1.0), t_max=st.integers(1, 20),
       eta=st.floats(0.0, 1.0), milestone=st.integers(0, 30))
def test_join_equals_torch_sequential_lr(base: float, size: int, gamma: float, t_max: int, eta: float,
                                         milestone: int) -> None:
    eta_min = eta * base

    def make(opt: Any) -> Any:
        return torch.optim.lr_scheduler.SequentialLR(
            opt,
            [torch.optim.lr_scheduler.StepLR(opt, size, gamma),
             torch.optim.lr_scheduler.CosineAnnealingLR(opt, t_max, eta_min)],
            milestones=[milestone],
        )

    n = milestone + 3 * t_max + 5
    expected = _torch_lrs(make, base, n)
    ours = lrfuncs.join.bind(
        schedules=[lrfuncs.step_decay.bind(peak_lr=base, step_size=size, gamma=gamma),
                   lrfuncs.cosine_decay.bind(peak_lr=base, total_steps=t_max, min_lr=eta_min, periodic=True)],
        boundaries=[milestone],
    )
    assert_lr_close(evaluate("python", ours, np.arange(n)), np.array(expected), peak=base)


@settings(max_examples=25)
@given(base=st.floats(1e-3, 1.0), size=st.integers(1, 10), gamma=st.floats(0.1, 1.0),
       milestones=st.lists(st.integers(1, 40), max_size=3), gamma2=st.floats(0.1, 1.0))
def test_product_equals_torch_chained_scheduler(base: float, size: int, gamma: float, milestones: list[int],
                                               gamma2: float) -> None:
    def make(opt: Any) -> Any:
        return torch.optim.lr_scheduler.ChainedScheduler(
            [torch.optim.lr_scheduler.StepLR(opt, size, gamma),
             torch.optim.lr_scheduler.MultiStepLR(opt, milestones, gamma2)]
        )

    expected = _torch_lrs(make, base, 60)
    ours = lrfuncs.product.bind(
        schedules=[lrfuncs.step_decay.bind(peak_lr=1.0, step_size=size, gamma=gamma),
                   lrfuncs.multistep_decay.bind(peak_lr=1.0, milestones=milestones, gamma=gamma2)],
        scale=base,
    )
    for backend in ("python", "numpy", "jax", "torch"):
        assert_lr_close(evaluate(backend, ours, np.arange(60)), np.array(expected), peak=base)


@settings(max_examples=20)
@given(base=st.floats(1e-3, 1.0), t_max=st.integers(1, 12), spe=st.integers(1, 9), eta=st.floats(0.0, 1.0))
def test_in_epochs_staircase_equals_torch_stepped_per_epoch(base: float, t_max: int, spe: int, eta: float) -> None:
    """A torch scheduler stepped once per epoch, its lr read at every batch."""

    def make(opt: Any) -> Any:
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, t_max, eta * base)

    n = spe * (2 * t_max + 3)
    expected = _torch_lrs(make, base, n, per_epoch=spe)
    per_epoch = lrfuncs.cosine_decay.bind(peak_lr=base, total_steps=t_max, min_lr=eta * base, periodic=True)
    ours = lrfuncs.in_epochs.bind(inner=per_epoch, steps_per_epoch=spe, staircase=True)
    for backend in ("python", "numpy", "jax_jit", "torch"):
        assert_lr_close(evaluate(backend, ours, np.arange(n)), np.array(expected), peak=base)


@settings(max_examples=20)
@given(base=st.floats(1e-3, 1.0), t0=st.integers(1, 6), t_mult=st.integers(1, 3), iters=st.integers(1, 7))
def test_in_epochs_smooth_equals_torch_warm_restarts_fractional_epochs(base: float, t0: int, t_mult: int,
                                                                       iters: int) -> None:
    """torch's documented per-batch recipe ``scheduler.step(epoch + i / iters)``."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, t0, t_mult)
    expected, steps = [], []
    for epoch in range(12):
        for i in range(iters):
            sched.step(epoch + i / iters)
            expected.append(opt.param_groups[0]["lr"])
            steps.append(epoch * iters + i)
    per_epoch = lrfuncs.cosine_restarts.bind(peak_lr=base, cycle_steps=t0, cycle_mult=t_mult)
    ours = lrfuncs.in_epochs.bind(inner=per_epoch, steps_per_epoch=iters)
    assert_lr_close(evaluate("python", ours, np.array(steps)), np.array(expected), peak=base, rtol=1e-11)


# ----------------------------------------------------------------------------------------------
# Anchors: HF transformers, fastai (golden)
# ----------------------------------------------------------------------------------------------


def _hf_lambda(sched: Any, n: int) -> np.ndarray:
    return np.array([sched.lr_lambdas[0](k) for k in range(n)])


@settings(max_examples=20)
@given(w=st.integers(1, 30), rest=st.integers(1, 60))
def test_with_warmup_equals_hf_cosine_with_warmup(w: int, rest: int) -> None:
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    n = w + rest
    hf = transformers.get_cosine_schedule_with_warmup(opt, num_warmup_steps=w, num_training_steps=n)
    ours = lrfuncs.with_warmup.bind(inner=lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=rest),
                                    warmup_steps=w, total_includes_warmup=False, init_lr=0.0)
    assert_lr_close(_values(ours, np.arange(n + 1)), _hf_lambda(hf, n + 1))


@pytest.mark.parametrize("shape", ["linear", "cosine", "1-sqrt"])
def test_warmup_shapes_equal_hf_wsd_warmup_types(shape: str) -> None:
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    w, stable, decay = 13, 20, 10
    hf = transformers.get_wsd_schedule(opt, num_warmup_steps=w, num_decay_steps=decay, num_stable_steps=stable,
                                       warmup_type=shape)
    flat = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=1, min_lr_ratio=1.0)
    ours = lrfuncs.with_warmup.bind(inner=flat, warmup_steps=w, total_includes_warmup=False, init_lr=0.0,
                                    shape=shape)
    n = w + stable
    assert_lr_close(_values(ours, np.arange(n)), _hf_lambda(hf, n))


def test_join_fractions_reproduce_fastai_combined_cos() -> None:
    """fastai ``combined_cos(0.3, 1/25, 1, 1e-5)`` at positions i/10 (anchors.md §3.5, 5 digits)."""
    up = lrfuncs.piecewise_interpolate.bind(boundaries=[0, 3], values=[0.04, 1.0], interpolation="cosine")
    down = lrfuncs.piecewise_interpolate.bind(boundaries=[0, 7], values=[1.0, 1e-5], interpolation="cosine")
    s = lrfuncs.join.bind(schedules=[up, down], fractions=[0.3, 0.7], total_steps=10)
    golden = [0.04, 0.28, 0.76, 1, 0.95048, 0.81175, 0.61126, 0.38875, 0.18826, 0.049525]
    np.testing.assert_allclose(_values(s, np.arange(10)), golden, rtol=2e-5)


# ----------------------------------------------------------------------------------------------
# Other composites: values
# ----------------------------------------------------------------------------------------------


def test_scale_clip_shift_values() -> None:
    cos = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10)
    t = np.arange(15)
    np.testing.assert_array_equal(_values(lrfuncs.scale.bind(inner=cos, factor=0.25), t), 0.25 * cos(t))
    clipped = _values(lrfuncs.clip.bind(inner=cos, min_lr=0.2, max_lr=0.9), t)
    np.testing.assert_array_equal(clipped, np.clip(cos(t), 0.2, 0.9))
    np.testing.assert_array_equal(_values(lrfuncs.shift.bind(inner=cos, offset=3), t), cos(t + 3))
    np.testing.assert_array_equal(_values(lrfuncs.shift.bind(inner=cos, offset=-3), t), cos(np.maximum(t - 3, 0)))


def test_with_warmup_total_includes_warmup_is_continuous() -> None:
    cos = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=20)
    s = lrfuncs.with_warmup.bind(inner=cos, warmup_steps=5, total_includes_warmup=True, init_lr=0.0)
    t = np.arange(25)
    np.testing.assert_array_equal(_values(s, t[5:]), cos(t[5:]))
    np.testing.assert_allclose(_values(s, t[:5]), cos(5) * t[:5] / 5, rtol=1e-15)
    # the default start: one ramp step above 0; init_lr_ratio: a fraction of the target
    d = lrfuncs.with_warmup.bind(inner=cos, warmup_steps=4, total_includes_warmup=False)
    assert d(0) == pytest.approx(1.0 / 5)
    assert d(3) == pytest.approx(4.0 / 5)
    assert d(4) == 1.0
    r = lrfuncs.with_warmup.bind(inner=cos, warmup_steps=4, total_includes_warmup=False, init_lr_ratio=0.5)
    assert r(0) == 0.5
    assert r(2) == pytest.approx(0.75)


def test_landmarks_of_nested_composites() -> None:
    cos = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10)
    w = lrfuncs.with_warmup.bind(inner=cos, warmup_steps=5, total_includes_warmup=False)
    assert w.landmarks() == [("warmup end", 5.0), ("end", 15.0)]
    assert w.horizon == 15.0
    j = lrfuncs.join.bind(schedules=[w, cos], boundaries=[15])
    # a member's own marks outside its segment (its end at the switch) are not listed
    assert j.landmarks() == [("warmup end", 5.0), ("switch to cosine_decay", 15.0), ("end", 25.0)]
    e = lrfuncs.in_epochs.bind(inner=cos, steps_per_epoch=100)
    assert e.horizon == 1000.0
    assert lrfuncs.shift.bind(inner=cos, offset=4).horizon == 6.0
    assert lrfuncs.restarts.bind(inner=cos, cycle_steps=10, cycle_mult=2, max_cycles=3).horizon == 70.0
    assert lrfuncs.restarts.bind(inner=cos, cycle_steps=10).horizon is None


# ----------------------------------------------------------------------------------------------
# Round trips, mixed backends, sweeps
# ----------------------------------------------------------------------------------------------


def _nested() -> Schedule[Any]:
    cos = lrfuncs.cosine_decay.bind(peak_lr=0.5, total_steps=12, min_lr_ratio=0.1)
    step = lrfuncs.step_decay.bind(peak_lr=0.3, step_size=4, gamma=0.5)
    r = lrfuncs.restarts.bind(inner=cos, cycle_steps=12, cycle_mult=1.5, peak_decay=0.8, cycle_warmup_steps=2)
    j = lrfuncs.join.bind(schedules=[r, step], boundaries=[60])
    return lrfuncs.clip.bind(
        inner=lrfuncs.with_warmup.bind(inner=j, warmup_steps=6, total_includes_warmup=False, shape="cosine"),
        min_lr=0.01,
    )


def test_nested_round_trips() -> None:
    s = _nested()
    back = Schedule.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s
    assert hash(back) == hash(s)
    un = pickle.loads(pickle.dumps(s))
    assert un == s
    np.testing.assert_array_equal(_values(back), _values(s))
    np.testing.assert_array_equal(_values(un), _values(s))
    # a schedule function accepts a child as its dict
    again = lrfuncs.scale(7, inner=s.to_dict(), factor=2.0)
    assert again == 2.0 * s(7)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nested_on_every_backend(backend: str) -> None:
    s = _nested()
    assert_lr_close(evaluate(backend, s, FRACTIONAL), evaluate("python", s, FRACTIONAL), peak=0.5)


def test_array_config_in_a_child_sweeps_and_mixes_backends() -> None:
    peaks = np.array([[0.1], [0.2], [0.4]])
    cos = lrfuncs.cosine_decay.bind(peak_lr=peaks, total_steps=10)
    s = lrfuncs.with_warmup.bind(inner=cos, warmup_steps=3, total_includes_warmup=False)
    out = s(np.arange(20))
    assert out.shape == (3, 20)
    for k, p in enumerate(peaks[:, 0]):
        single = lrfuncs.with_warmup.bind(inner=lrfuncs.cosine_decay.bind(peak_lr=float(p), total_steps=10),
                                          warmup_steps=3, total_includes_warmup=False)
        assert_lr_close(out[k], _values(single, np.arange(20)), peak=float(p))
    # numpy config in the child, torch or JAX step: the result follows the step's framework
    t = s(torch.arange(20))
    assert isinstance(t, torch.Tensor)
    assert_lr_close(t.numpy(), out, peak=0.4)
    j = jax.jit(s)(jnp.arange(20))
    assert isinstance(j, jax.Array)
    assert_lr_close(np.asarray(j), out, peak=0.4)
    # a Python step with array config in a child gives the array
    assert np.asarray(s(5)).shape == (3, 1)


def test_grad_through_a_composite() -> None:
    def lr(w: Any) -> Any:
        cos = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10)
        return lrfuncs.with_warmup(jnp.float64(2.0), inner=cos, warmup_steps=w, total_includes_warmup=False)

    g = jax.grad(lr)(jnp.float64(4.0))
    # lr = (1/(W+1)) + (1 - 1/(W+1)) * 2/W  -> d/dW at W = 4
    w = 4.0
    expected = -1 / (w + 1) ** 2 + (1 / (w + 1) ** 2) * 2 / w - (1 - 1 / (w + 1)) * 2 / w**2
    assert math.isclose(float(g), expected, rel_tol=1e-12)


# ----------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------

COS = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10)

BAD: list[tuple[Any, dict[str, Any], type[Exception], str]] = [
    (lrfuncs.join, {"schedules": [COS, COS]}, ValueError, r"Argument `boundaries` must hold one step per switch"),
    (lrfuncs.join, {"schedules": [COS, COS], "boundaries": [1, 2]}, ValueError, r"len\(schedules\) - 1 = 1"),
    (lrfuncs.join, {"schedules": [COS, COS, COS], "boundaries": [5, 2]}, ValueError, r"must be non-decreasing"),
    (lrfuncs.join, {"schedules": [COS, COS], "boundaries": [-1]}, ValueError, r"`boundaries\[0\]` must be >= 0"),
    (lrfuncs.join, {"schedules": [COS, COS], "boundaries": [1], "fractions": [0.5, 0.5]}, ValueError,
     r"`boundaries` and `fractions` are exclusive"),
    (lrfuncs.join, {"schedules": [COS, COS], "fractions": [0.5, 0.6], "total_steps": 10}, ValueError,
     r"`fractions` must sum to 1"),
    (lrfuncs.join, {"schedules": [COS, COS], "fractions": [0.5, 0.5]}, ValueError,
     r"`total_steps` is required with `fractions`"),
    (lrfuncs.join, {"schedules": [COS, COS], "fractions": [1.0]}, ValueError, r"one fraction per schedule"),
    (lrfuncs.join, {"schedules": [COS], "total_steps": 10}, ValueError, r"`total_steps` is only used with"),
    (lrfuncs.join, {"schedules": []}, TypeError, r"non-empty list of lrfuncs Schedules"),
    (lrfuncs.join, {"schedules": [COS, lambda t: 0.1], "boundaries": [3]}, TypeError, r"schedules\[1\]"),
    (lrfuncs.product, {"schedules": [COS], "scale": float("nan")}, ValueError, r"`scale`"),
    (lrfuncs.product, {"schedules": [COS], "scale": -0.1}, ValueError, r"Argument `scale` must be >= 0"),
    (lrfuncs.with_warmup, {"inner": lrfuncs.cosine_decay, "warmup_steps": 3, "total_includes_warmup": False},
     TypeError, r"Bind it first"),
    (lrfuncs.with_warmup, {"inner": COS, "warmup_steps": 3}, TypeError, r"total_includes_warmup"),
    (lrfuncs.with_warmup, {"inner": COS, "warmup_steps": -1, "total_includes_warmup": False}, ValueError,
     r"Argument `warmup_steps` must be >= 0"),
    (lrfuncs.with_warmup, {"inner": COS, "warmup_steps": 3, "total_includes_warmup": False, "shape": "exp"},
     ValueError, r"Argument `shape` must be one of"),
    (lrfuncs.with_warmup, {"inner": COS, "warmup_steps": 3, "total_includes_warmup": False, "init_lr": 0.0,
                           "init_lr_ratio": 0.1}, ValueError, r"`init_lr` and `init_lr_ratio`"),
    (lrfuncs.restarts, {"inner": COS, "cycle_steps": 0}, ValueError, r"Argument `cycle_steps` must be > 0"),
    (lrfuncs.restarts, {"inner": COS, "cycle_steps": 5, "cycle_mult": 0.5}, ValueError,
     r"`cycle_mult` < 1 needs `max_cycles`"),
    (lrfuncs.restarts, {"inner": COS, "cycle_steps": 5, "cycle_warmup_steps": 5}, ValueError,
     r"`cycle_warmup_steps` must be < `cycle_steps`"),
    (lrfuncs.restarts, {"inner": COS, "cycle_steps": 5, "peak_decay": 0.0}, ValueError, r"`peak_decay`"),
    (lrfuncs.restarts, {"inner": COS, "cycle_steps": 5, "max_cycles": 0}, ValueError, r"`max_cycles`"),
    (lrfuncs.scale, {"inner": COS, "factor": -1.0}, ValueError, r"Argument `factor` must be >= 0"),
    (lrfuncs.clip, {"inner": COS}, ValueError, r"`min_lr` or `max_lr` must be given"),
    (lrfuncs.clip, {"inner": COS, "min_lr": 0.5, "max_lr": 0.1}, ValueError, r"`min_lr` must be <= `max_lr`"),
    (lrfuncs.in_epochs, {"inner": COS, "steps_per_epoch": 0}, ValueError, r"`steps_per_epoch` must be > 0"),
    (lrfuncs.shift, {"inner": COS, "offset": float("inf")}, ValueError, r"`offset`"),
]


@pytest.mark.parametrize(("fn", "cfg", "exc", "match"), BAD, ids=[f"{b[0].__name__}-{i}" for i, b in enumerate(BAD)])
def test_bad_config(fn: Any, cfg: dict[str, Any], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        fn.bind(**cfg)
    with pytest.raises(exc, match=match):
        fn(3, **cfg)


def test_a_wrapped_schedule_cannot_be_called_schedule() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument `schedule`"):
        lrfuncs.with_warmup.bind(schedule=COS, warmup_steps=3, total_includes_warmup=False)


@settings(max_examples=20)
@given(peak=st.floats(1e-3, 2.0), alpha=st.floats(0.0, 1.0), d=st.floats(0.1, 1.0), cs=st.integers(1, 20))
def test_amplitude_decay_keeps_the_floor_and_scales_the_distance_to_it(peak: float, alpha: float, d: float,
                                                                       cs: int) -> None:
    floor = alpha * peak
    cos = lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=cs, min_lr=floor)
    r = lrfuncs.restarts.bind(inner=cos, cycle_steps=cs, cycle_mult=2, peak_decay=d, min_lr=floor,
                              decay_mode="amplitude")
    for t in np.arange(0.0, 7 * cs, 0.5):
        i, start = 0, 0
        while t >= start + cs * 2**i:
            start, i = start + cs * 2**i, i + 1
        inner_t = (t - start) / (cs * 2**i) * cs
        assert r(t) == pytest.approx(floor + d**i * (cos(inner_t) - floor), rel=1e-12, abs=1e-15 * peak)
