"""Parity of lrfuncs' warmup family with the real HF ``transformers.optimization`` schedules (5.24.0).

Every HF curve here comes from HF's real ``get_*_schedule_with_warmup`` factory,
i.e. a torch ``LambdaLR`` built on a real SGD optimizer whose lr is the peak lr,
stepped for real: the lr of the param group is read *before*
``optimizer.step()``, then ``scheduler.step()`` is called, so index ``k`` is the
lr used by update ``k`` — lrfuncs' ``step`` convention (= HF ``lr_lambda(k)``).
The lrfuncs schedule is evaluated on the same steps through every backend of
``conftest.BACKENDS`` and compared with ``assert_lr_close`` (float64 rounding).

Mapping (HF starts its warmup at 0, so lrfuncs needs ``init_lr=0.0``):

* ``get_constant_schedule_with_warmup(W)``       == ``warmup_constant(init_lr=0.0)``
* ``get_linear_schedule_with_warmup(W, N)``      == ``warmup_linear(init_lr=0.0)``, also past ``N``
* ``get_cosine_schedule_with_warmup(W, N, c)``   == ``warmup_cosine(init_lr=0.0, num_cycles=c, periodic=True)``
  for every step (HF does not clamp past ``N``); the default ``periodic=False`` is
  equal for ``t <= N`` and then holds the step-``N`` value (the floor for ``c = 0.5``).
* ``get_cosine_with_min_lr_schedule_with_warmup(min_lr=...)`` / ``(min_lr_rate=...)``
  == ``warmup_cosine(min_lr=...)`` / ``(min_lr_ratio=...)``, same past-``N`` rule.
* The guide's recipe (schedulers-guide.md, "Implementing Warmup Without External
  Libraries") == ``warmup_cosine(init_lr=0.0, min_lr_ratio=r, floor_mode="clip")``.

Documented, deliberate differences asserted as such: lrfuncs' default
``init_lr=None`` starts the warmup at ``peak_lr / (W + 1)`` (HF starts at 0, its
first update is wasted, HF #34754); lrfuncs rejects ``warmup_steps >
total_steps`` (HF accepts it and oscillates, anchors.md 3.15).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st
from transformers import (
    get_constant_schedule_with_warmup,
    get_cosine_schedule_with_warmup,
    get_cosine_with_min_lr_schedule_with_warmup,
    get_linear_schedule_with_warmup,
)
from transformers.optimization import get_cosine_with_min_lr_schedule_with_warmup_lr_rate

import lrfuncs

# ---------------------------------------------------------------------------------------------------------------------
# helpers


def hf_curve(factory, peak: float, num_steps: int, **kwargs) -> np.ndarray:
    """The lr HF's real scheduler gives updates ``0 .. num_steps-1``, by stepping it with a real optimizer.

    Also checks the stepped value against the scheduler's own ``lr_lambdas[0](k) * peak``.
    """
    param = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    param.grad = torch.zeros(2, dtype=torch.float64)
    opt = torch.optim.SGD([param], lr=peak)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a wrong step order would warn: fail instead
        sched = factory(opt, **kwargs)
        out = []
        for k in range(num_steps):
            lr = float(opt.param_groups[0]["lr"])
            assert lr == peak * sched.lr_lambdas[0](k)
            out.append(lr)
            opt.step()
            sched.step()
    return np.asarray(out, dtype=np.float64)


#: Every hypothesis example is evaluated on the same steps: eager JAX compiles each primitive per
#: shape, so one length for all examples keeps the JAX backends fast. Drawn configs have N <= 90.
STEPS = np.arange(128)

peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(min_value=1e-6, max_value=10.0)


@st.composite
def warmup_total(draw, max_warmup: int = 30, max_decay: int = 60):
    """``(W, N)`` with ``0 <= W <= N`` and ``N >= 1`` (lrfuncs' domain)."""
    w = draw(st.integers(0, max_warmup))
    n = draw(st.integers(max(w, 1), w + max_decay))
    return w, n


def progress_one(w: int, n: int) -> int:
    """The first step at which HF's cosine progress ``(s - W) / max(1, N - W)`` reaches 1.

    That is ``N``, except for ``W == N`` (no decay phase), where HF is at the peak at
    step ``N = W`` and reaches progress 1 at ``W + 1``. lrfuncs (``periodic=False``)
    defines the floor to be reached at ``total_steps``, so with ``W == N`` it is at
    the end of the cosine from step ``N`` on: from step ``N`` it holds HF's value at
    this step.
    """
    return max(n, w + 1)


num_cycles = st.sampled_from([0.5, 1.0, 0.25, 1.5, 2.0]) | st.floats(min_value=0.05, max_value=3.0)

# ---------------------------------------------------------------------------------------------------------------------
# hypothesis parity, every backend


def test_constant_with_warmup(backend):
    @per_backend(backend, peak=peaks, w=st.integers(0, 40))
    def check(peak, w):
        steps = STEPS
        hf = hf_curve(get_constant_schedule_with_warmup, peak, len(steps), num_warmup_steps=w)
        ours = evaluate(backend, lrfuncs.warmup_constant, steps, peak_lr=peak, warmup_steps=w, init_lr=0.0)
        assert_lr_close(ours, hf, peak=peak)

    check()


def test_linear_with_warmup_including_past_the_end(backend):
    @per_backend(backend, peak=peaks, wn=warmup_total())
    def check(peak, wn):
        w, n = wn
        steps = STEPS  # past N HF clamps at 0, lrfuncs holds the floor (0)
        hf = hf_curve(
            get_linear_schedule_with_warmup, peak, len(steps), num_warmup_steps=w, num_training_steps=n
        )
        ours = evaluate(
            backend, lrfuncs.warmup_linear, steps, peak_lr=peak, warmup_steps=w, total_steps=n, init_lr=0.0
        )
        assert_lr_close(ours, hf, peak=peak)
        assert np.all(hf[n:] == 0.0)

    check()


def test_cosine_with_warmup(backend):
    @per_backend(backend, peak=peaks, wn=warmup_total(), cycles=num_cycles)
    def check(peak, wn, cycles):
        w, n = wn
        steps = STEPS
        hf = hf_curve(
            get_cosine_schedule_with_warmup,
            peak,
            len(steps),
            num_warmup_steps=w,
            num_training_steps=n,
            num_cycles=cycles,
        )
        cfg = dict(peak_lr=peak, warmup_steps=w, total_steps=n, init_lr=0.0, num_cycles=cycles)
        # periodic=True: equal to HF for every step, past N included (HF does not clamp);
        # W == N (no decay phase) differs: test_periodic_without_decay_phase_matches_hf
        if w < n:
            assert_lr_close(evaluate(backend, lrfuncs.warmup_cosine, steps, periodic=True, **cfg), hf, peak=peak)
        # default periodic=False: equal before N, then holds HF's value at progress 1
        held = evaluate(backend, lrfuncs.warmup_cosine, steps, **cfg)
        assert_lr_close(held[:n], hf[:n], peak=peak)
        assert_lr_close(held[n:], np.full(len(steps) - n, hf[progress_one(w, n)]), peak=peak)
        if cycles == 0.5:  # half a cosine: the held value is the floor, 0
            assert_lr_close(held[n:], np.zeros(len(steps) - n), peak=peak)

    check()


def test_cosine_with_min_lr(backend):
    @per_backend(
        backend,
        peak=peaks,
        wn=warmup_total(),
        cycles=num_cycles,
        ratio=st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0.0, 1.0),
        absolute=st.booleans(),
    )
    def check(peak, wn, cycles, ratio, absolute):
        w, n = wn
        steps = STEPS
        common = dict(num_warmup_steps=w, num_training_steps=n, num_cycles=cycles)
        if absolute:  # HF converts with optimizer.defaults["lr"] (= peak here); lrfuncs takes it as is
            hf = hf_curve(get_cosine_with_min_lr_schedule_with_warmup, peak, len(steps), min_lr=ratio * peak, **common)
            floor = dict(min_lr=ratio * peak)
        else:
            hf = hf_curve(get_cosine_with_min_lr_schedule_with_warmup, peak, len(steps), min_lr_rate=ratio, **common)
            floor = dict(min_lr_ratio=ratio)
        cfg = dict(peak_lr=peak, warmup_steps=w, total_steps=n, init_lr=0.0, num_cycles=cycles, **floor)
        if w < n:  # W == N: see test_periodic_without_decay_phase_matches_hf
            assert_lr_close(evaluate(backend, lrfuncs.warmup_cosine, steps, periodic=True, **cfg), hf, peak=peak)
        held = evaluate(backend, lrfuncs.warmup_cosine, steps, **cfg)
        assert_lr_close(held[:n], hf[:n], peak=peak)
        assert_lr_close(held[n:], np.full(len(steps) - n, hf[progress_one(w, n)]), peak=peak)
        if cycles == 0.5:  # the held value is the floor
            assert_lr_close(held[n:], np.full(len(steps) - n, ratio * peak), peak=peak)

    check()


# The guide's reference code, copied verbatim from schedulers-guide.md, "Implementing Warmup
# Without External Libraries". It is the anchor of floor_mode="clip": run as written, not re-derived.
def get_warmup_cosine_scheduler(optimizer, warmup_steps, total_steps, min_lr_ratio=0.1):
    def lr_lambda(current_step):
        if current_step < warmup_steps:
            return float(current_step) / float(max(1, warmup_steps))

        progress = float(current_step - warmup_steps) / float(max(1, total_steps - warmup_steps))
        cosine_decay = 0.5 * (1.0 + math.cos(math.pi * progress))
        return max(min_lr_ratio, cosine_decay)

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


def _guide(optimizer, num_warmup_steps, num_training_steps, min_lr_ratio):
    return get_warmup_cosine_scheduler(optimizer, num_warmup_steps, num_training_steps, min_lr_ratio=min_lr_ratio)


def test_guide_recipe_is_floor_mode_clip(backend):
    @per_backend(
        backend,
        peak=peaks,
        wn=warmup_total(),
        ratio=st.sampled_from([0.1, 0.0, 0.05, 0.5]) | st.floats(0.0, 1.0),
    )
    def check(peak, wn, ratio):
        w, n = wn
        steps = STEPS
        guide = hf_curve(_guide, peak, len(steps), num_warmup_steps=w, num_training_steps=n, min_lr_ratio=ratio)
        cfg = dict(peak_lr=peak, warmup_steps=w, total_steps=n, init_lr=0.0, min_lr_ratio=ratio, floor_mode="clip")
        # the recipe does not clamp its progress either: periodic=True matches it everywhere
        if w < n:  # W == N: see test_periodic_without_decay_phase_matches_hf
            assert_lr_close(evaluate(backend, lrfuncs.warmup_cosine, steps, periodic=True, **cfg), guide, peak=peak)
        held = evaluate(backend, lrfuncs.warmup_cosine, steps, **cfg)
        assert_lr_close(held[:n], guide[:n], peak=peak)
        assert_lr_close(held[n:], np.full(len(steps) - n, ratio * peak), peak=peak)
        assert_lr_close(guide[progress_one(w, n)], ratio * peak, peak=peak)

    check()


@pytest.mark.parametrize("backend", BACKENDS)
def test_periodic_without_decay_phase_matches_hf(backend):
    steps = np.arange(10)
    hf = hf_curve(get_cosine_schedule_with_warmup, 1.0, 10, num_warmup_steps=6, num_training_steps=6)
    guide = hf_curve(_guide, 1.0, 10, num_warmup_steps=6, num_training_steps=6, min_lr_ratio=0.1)
    np.testing.assert_array_equal(hf[6:], [1, 0, 1, 0])
    np.testing.assert_array_equal(guide[6:], [1, 0.1, 1, 0.1])
    cfg = dict(peak_lr=1.0, warmup_steps=6, total_steps=6, init_lr=0.0, periodic=True)
    ours_guide = evaluate(backend, lrfuncs.warmup_cosine, steps, min_lr_ratio=0.1, floor_mode="clip", **cfg)
    ours = evaluate(backend, lrfuncs.warmup_cosine, steps, **cfg)
    assert_lr_close(ours_guide, guide)
    assert_lr_close(ours, hf)


def test_clip_differs_from_rescale_where_the_cosine_is_above_the_floor():
    """The two floor modes are different curves: rescale squeezes the cosine, clip cuts it off."""
    cfg = dict(peak_lr=1.0, warmup_steps=0, total_steps=10, init_lr=0.0, min_lr_ratio=0.5)
    guide = hf_curve(_guide, 1.0, 11, num_warmup_steps=0, num_training_steps=10, min_lr_ratio=0.5)
    hf = hf_curve(get_cosine_with_min_lr_schedule_with_warmup, 1.0, 11, num_warmup_steps=0,
                  num_training_steps=10, min_lr_rate=0.5)
    clip = [lrfuncs.warmup_cosine(t, floor_mode="clip", **cfg) for t in range(11)]
    rescale = [lrfuncs.warmup_cosine(t, **cfg) for t in range(11)]
    assert_lr_close(clip, guide)
    assert_lr_close(rescale, hf)
    assert clip[2] == pytest.approx(0.904508497187474)
    assert rescale[2] == pytest.approx(0.952254248593737)
    assert clip[8] == 0.5
    assert rescale[8] > 0.5


# ---------------------------------------------------------------------------------------------------------------------
# the documented default init_lr=None


@pytest.mark.parametrize(
    "fn", [lrfuncs.warmup_constant, lrfuncs.warmup_linear, lrfuncs.warmup_cosine], ids=["constant", "linear", "cosine"]
)
@pytest.mark.parametrize("backend", BACKENDS)
def test_default_init_lr_starts_above_zero_unlike_hf(fn, backend):
    peak, w, n = 0.3, 4, 12
    extra = {} if fn is lrfuncs.warmup_constant else {"total_steps": n}
    steps = np.arange(n + 1)  # up to N: past N HF's cosine rises again, lrfuncs' holds (tested above)
    ours = evaluate(backend, fn, steps, peak_lr=peak, warmup_steps=w, **extra)
    hf_factory = {
        lrfuncs.warmup_constant: get_constant_schedule_with_warmup,
        lrfuncs.warmup_linear: get_linear_schedule_with_warmup,
        lrfuncs.warmup_cosine: get_cosine_schedule_with_warmup,
    }[fn]
    hf_kwargs = {"num_warmup_steps": w} | ({"num_training_steps": n} if extra else {})
    hf = hf_curve(hf_factory, peak, len(steps), **hf_kwargs)
    assert hf[0] == 0.0  # HF's first update has lr 0 (HF #34754)
    assert ours[0] > 0.0
    assert_lr_close(ours[0], peak / (w + 1), peak=peak)
    # equal increments of peak / (W + 1) up to the peak at step W: lr(t) = peak * (t + 1) / (W + 1)
    assert_lr_close(ours[: w + 1], peak * (np.arange(w + 1) + 1) / (w + 1), peak=peak)
    # from the end of the warmup on, the default is HF's curve
    assert_lr_close(ours[w:], hf[w:], peak=peak)
    # and init_lr=0.0 is HF's curve everywhere
    assert_lr_close(evaluate(backend, fn, steps, peak_lr=peak, warmup_steps=w, init_lr=0.0, **extra), hf, peak=peak)


# ---------------------------------------------------------------------------------------------------------------------
# golden numbers (anchors.md section 3: peak 1.0, computed by running HF); 5 significant digits there

GOLD = dict(rtol=5e-5, atol=5e-6)


def test_golden_3_1_cosine_without_warmup_is_periodic_in_hf():
    gold = [1, 0.97553, 0.90451, 0.79389, 0.65451, 0.5, 0.34549, 0.20611, 0.095492, 0.024472,
            0, 0.024472, 0.095492, 0.20611, 0.34549, 0.5]
    hf = hf_curve(get_cosine_schedule_with_warmup, 1.0, 16, num_warmup_steps=0, num_training_steps=10)
    np.testing.assert_allclose(hf, gold, **GOLD)
    for backend in BACKENDS:
        periodic = evaluate(backend, lrfuncs.warmup_cosine, np.arange(16), peak_lr=1.0, warmup_steps=0,
                            total_steps=10, init_lr=0.0, periodic=True)
        assert_lr_close(periodic, hf)
        held = evaluate(backend, lrfuncs.warmup_cosine, np.arange(16), peak_lr=1.0, warmup_steps=0, total_steps=10)
        assert_lr_close(held, [*hf[:11], 0, 0, 0, 0, 0])  # lrfuncs holds the floor past N


def test_golden_3_3_warmup_cosine():
    gold = [0, 0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0.049516]
    hf = hf_curve(get_cosine_schedule_with_warmup, 1.0, 12, num_warmup_steps=3, num_training_steps=10)
    hf_min = hf_curve(get_cosine_with_min_lr_schedule_with_warmup, 1.0, 12, num_warmup_steps=3,
                      num_training_steps=10, min_lr_rate=0.0)
    np.testing.assert_allclose(hf, gold, **GOLD)
    np.testing.assert_allclose(hf_min, hf, rtol=1e-15, atol=0)
    cfg = dict(peak_lr=1.0, warmup_steps=3, total_steps=10, init_lr=0.0)
    for backend in BACKENDS:
        assert_lr_close(evaluate(backend, lrfuncs.warmup_cosine, np.arange(12), periodic=True, **cfg), hf)
        assert_lr_close(evaluate(backend, lrfuncs.warmup_cosine, np.arange(12), min_lr_ratio=0.0, **cfg)[:11], hf[:11])


def test_golden_3_3_lr_rate_variant_is_shifted_one_step_earlier():
    """HF ``cosine_warmup_with_min_lr`` (``(s + 1) / W`` warmup) is lrfuncs' HF curve one step later."""
    gold = [0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0.049516, 0.18826]
    hf = hf_curve(get_cosine_with_min_lr_schedule_with_warmup_lr_rate, 1.0, 12, num_warmup_steps=3,
                  num_training_steps=10, min_lr_rate=0.0)
    np.testing.assert_allclose(hf, gold, **GOLD)
    for backend in BACKENDS:
        ours = evaluate(backend, lrfuncs.warmup_cosine, np.arange(1, 13), peak_lr=1.0, warmup_steps=3,
                        total_steps=10, init_lr=0.0, periodic=True)
        assert_lr_close(ours, hf)


def test_golden_3_4_constant_with_warmup():
    hf = hf_curve(get_constant_schedule_with_warmup, 1.0, 6, num_warmup_steps=4)
    np.testing.assert_array_equal(hf, [0, 0.25, 0.5, 0.75, 1, 1])
    for backend in BACKENDS:
        assert_lr_close(evaluate(backend, lrfuncs.warmup_constant, np.arange(6), peak_lr=1.0, warmup_steps=4,
                                 init_lr=0.0), hf)
        # the default starts at 1/(W+1) = 0.2 instead of 0
        assert_lr_close(evaluate(backend, lrfuncs.warmup_constant, np.arange(6), peak_lr=1.0, warmup_steps=4),
                        [0.2, 0.4, 0.6, 0.8, 1, 1])


def test_golden_3_15_warmup_longer_than_training_hf_oscillates_lrfuncs_rejects():
    hf = hf_curve(get_cosine_schedule_with_warmup, 1.0, 9, num_warmup_steps=6, num_training_steps=5)
    np.testing.assert_allclose(hf, [0, 1 / 6, 2 / 6, 0.5, 4 / 6, 5 / 6, 1, 0, 1], rtol=1e-15, atol=1e-16)
    hf_lin = hf_curve(get_linear_schedule_with_warmup, 1.0, 8, num_warmup_steps=6, num_training_steps=5)
    assert hf_lin[6] == 0.0  # drops to 0 right after the warmup
    for fn in (lrfuncs.warmup_cosine, lrfuncs.warmup_linear):
        with pytest.raises(ValueError, match=r"Argument `warmup_steps` must be <= `total_steps`\. "
                                             r"Received: warmup_steps=6, total_steps=5"):
            fn(0, peak_lr=1.0, warmup_steps=6, total_steps=5)


# ---------------------------------------------------------------------------------------------------------------------
# bad input: both reject giving the floor twice; lrfuncs also checks what HF does not


def test_min_lr_and_min_lr_rate_together_are_rejected_by_both():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    with pytest.raises(ValueError, match="Only one of min_lr or min_lr_rate should be set"):
        get_cosine_with_min_lr_schedule_with_warmup(opt, 2, 10, min_lr=0.1, min_lr_rate=0.1)
    with pytest.raises(ValueError, match=r"Argument `min_lr` and `min_lr_ratio` are two ways to give the same value"):
        lrfuncs.warmup_cosine(0, peak_lr=1.0, warmup_steps=2, total_steps=10, min_lr=0.1, min_lr_ratio=0.1)


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        (dict(min_lr=2.0), ValueError, r"Argument `min_lr` must be <= `peak_lr`\. Received: min_lr=2\.0, peak_lr=1\.0"),
        (dict(min_lr_ratio=1.5), ValueError, r"Argument `min_lr_ratio` must be in \[0, 1\]"),
        (dict(num_cycles=0.0), ValueError, r"Argument `num_cycles` must be > 0"),
        (dict(floor_mode="max"), ValueError, r"Argument `floor_mode` must be one of 'rescale', 'clip'"),
        (dict(init_lr=-1.0), ValueError, r"Argument `init_lr` must be >= 0"),
        (dict(periodic=1), TypeError, r"Argument `periodic` must be True or False"),
        (dict(num_warmup_steps=2), TypeError, r"unexpected keyword argument `num_warmup_steps`"),
    ],
)
def test_warmup_cosine_rejects_bad_config(config, error, match):
    cfg = dict(peak_lr=1.0, warmup_steps=2, total_steps=10) | config
    with pytest.raises(error, match=match):
        lrfuncs.warmup_cosine(0, **cfg)


def test_negative_step_is_rejected():
    with pytest.raises(ValueError, match=r"Argument `step` must be a finite number >= 0"):
        lrfuncs.warmup_linear(-1, peak_lr=1.0, warmup_steps=2, total_steps=10)
