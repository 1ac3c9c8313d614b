"""Parity of lrfuncs with the real ``torch.optim.lr_scheduler`` classes (torch 2.13).

Every torch curve here comes from a real scheduler stepped with a real
optimizer, in the documented order: the lr (and momentum) of the param group
is read *before* ``optimizer.step()``, then ``scheduler.step()`` is called, so
index ``k`` of a torch curve is the value used by update ``k`` — lrfuncs'
``step`` convention. The lrfuncs schedule is then evaluated on all those steps
through every backend of ``conftest.BACKENDS`` and compared with
``assert_lr_close`` (float64 rounding).

Torch is run with warnings turned into errors, so a wrong step order ("Detected
call of lr_scheduler.step() before optimizer.step()") fails the test instead of
passing silently; only the deprecation of ``step(epoch)`` is ignored (torch's
own docs recommend ``step(epoch + i / iters)`` for ``CosineAnnealingWarmRestarts``).

Documented, deliberate differences that are asserted as such:

* ``CosineAnnealingLR`` rises again past ``T_max`` (period ``2*T_max``); lrfuncs'
  ``cosine_decay`` holds the floor unless ``periodic=True``.
* ``CosineAnnealingWarmRestarts.step(epoch)`` takes the cycle index from
  ``int(math.log(...))``, which can round down at an exact restart (``T_0=1,
  T_mult=10``, epoch 111); lrfuncs restarts exactly there.
* ``OneCycleLR`` extrapolates one step past ``total_steps`` then raises; lrfuncs
  (and ``lambda_lr``) hold the final value.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    MultiStepLR,
    OneCycleLR,
    StepLR,
)

import lrfuncs
from lrfuncs.backends.torch import lambda_lr

#: hypothesis examples for tests that step torch a few hundred times per example
#: (never more than the profile asks for, so LRFUNCS_MAX_EXAMPLES can lower it).
FEW = min(settings.default.max_examples, 25)

# ---------------------------------------------------------------------------------------------------------------------
# helpers: a real optimizer, stepped for real


def _param() -> torch.nn.Parameter:
    """A parameter with a (zero) gradient, so ``optimizer.step()`` really runs."""
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    return p


def _sgd(lr: float, momentum: float = 0.0) -> torch.optim.SGD:
    return torch.optim.SGD([_param()], lr=lr, momentum=momentum)


def _lr(opt: torch.optim.Optimizer, group: int = 0) -> float:
    return float(opt.param_groups[group]["lr"])


def _momentum(opt: torch.optim.Optimizer, group: int = 0) -> float:
    g = opt.param_groups[group]
    return float(g["betas"][0]) if "betas" in g else float(g["momentum"])


class _StrictTorch:
    """Turn every warning into an error, except the deprecation of ``scheduler.step(epoch)``."""

    def __enter__(self) -> None:
        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=r"The epoch parameter in `scheduler.step\(\)`")
        # lrfuncs' own warning when stepping far past the horizon (tests here do on purpose; it has its own tests)
        warnings.filterwarnings("ignore", message=r"lrfuncs: the scheduler is at step")

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)


def run_torch(opt, make_scheduler, n: int, *, epochs=None, read=_lr):
    """Build the scheduler on ``opt`` and step it for real; value ``k`` is read before update ``k``.

    ``epochs`` (optional, ``epochs[0] == 0``) are passed to ``scheduler.step(epoch)``.
    Returns ``(values, scheduler, cycle_lengths)``: ``cycle_lengths[k]`` is the scheduler's
    ``T_i`` when value ``k`` was read (``CosineAnnealingWarmRestarts`` only, else None).
    """
    values, cycle_lengths = [], []
    with _StrictTorch():
        sched = make_scheduler(opt)
        for k in range(n):
            values.append(read(opt))
            cycle_lengths.append(getattr(sched, "T_i", None))
            opt.step()
            if k < n - 1:
                if epochs is None:
                    sched.step()
                else:
                    sched.step(epochs[k + 1])
    return np.asarray(values, dtype=np.float64), sched, cycle_lengths


#: every curve is padded to this length (see _padded)
PAD = 512


def _padded(steps, expected):
    """Pad to ``PAD`` entries by repeating the last (step, value) pair.

    JAX compiles its eager (and vmapped) ops once per shape: one length for every
    hypothesis example instead of one per example keeps this file fast. The padding
    entries are real evaluations of the last step, compared with torch's value there.
    """
    steps, expected = np.asarray(steps), np.asarray(expected, dtype=np.float64)
    assert 1 <= len(steps) == len(expected) <= PAD
    pad = PAD - len(steps)
    return np.concatenate([steps, np.repeat(steps[-1:], pad)]), np.concatenate(
        [expected, np.repeat(expected[-1:], pad)]
    )


def check_backends(fn, steps, expected, *, peak: float, **config) -> dict[str, np.ndarray]:
    """``fn(steps, **config)`` equals ``expected`` through every backend; returns each backend's values."""
    n = len(steps)
    steps, expected = _padded(steps, expected)
    out = {}
    for backend in BACKENDS:
        out[backend] = values = evaluate(backend, fn, steps, **config)
        try:
            assert_lr_close(values, expected, peak=peak)
        except AssertionError as e:
            raise AssertionError(f"backend {backend}: {e}") from None
        out[backend] = values[:n]
    return out


def assert_golden(values, golden) -> None:
    """The anchors.md golden numbers are printed with 5 significant digits."""
    np.testing.assert_allclose(values, golden, rtol=1e-4, atol=1e-9)


peaks = st.floats(1e-4, 10.0)
#: eta_min / peak_lr: 0 or a normal float (XLA flushes subnormals to zero, which is not what is tested here)
ratios = st.one_of(st.just(0.0), st.floats(1e-6, 0.9))


# ---------------------------------------------------------------------------------------------------------------------
# 1. StepLR == step_decay


@settings(max_examples=FEW)
@given(peak=peaks, step_size=st.integers(1, 60), gamma=st.floats(0.01, 1.0), n=st.integers(1, 400))
def test_steplr(peak, step_size, gamma, n):
    expected, _, _ = run_torch(_sgd(peak), lambda o: StepLR(o, step_size=step_size, gamma=gamma), n)
    check_backends(
        lrfuncs.step_decay, np.arange(n), expected, peak=peak, peak_lr=peak, step_size=step_size, gamma=gamma
    )


def test_steplr_multisteplr_golden_3_6():
    golden = [1, 1, 1, 0.1, 0.1, 0.1]
    step, _, _ = run_torch(_sgd(1.0), lambda o: StepLR(o, 3, 0.1), 6)
    multi, _, _ = run_torch(_sgd(1.0), lambda o: MultiStepLR(o, [3], 0.1), 6)
    assert_golden(step, golden)
    assert_golden(multi, golden)
    check_backends(lrfuncs.step_decay, np.arange(6), step, peak=1.0, peak_lr=1.0, step_size=3)
    check_backends(lrfuncs.multistep_decay, np.arange(6), multi, peak=1.0, peak_lr=1.0, milestones=[3])


# ---------------------------------------------------------------------------------------------------------------------
# 2. MultiStepLR == multistep_decay (unsorted, repeated milestones; a milestone at 0 decays at construction)


@settings(max_examples=FEW)
@given(data=st.data(), peak=peaks, gamma=st.floats(0.05, 1.0), n=st.integers(1, 300))
def test_multisteplr(data, peak, gamma, n):
    milestones = data.draw(st.lists(st.integers(0, n + 2), max_size=8), label="milestones")
    if len(milestones) >= 2 and data.draw(st.booleans(), label="force a repeat"):
        milestones.append(milestones[0])
    expected, _, _ = run_torch(_sgd(peak), lambda o: MultiStepLR(o, milestones=milestones, gamma=gamma), n)
    check_backends(
        lrfuncs.multistep_decay, np.arange(n), expected, peak=peak, peak_lr=peak, milestones=milestones, gamma=gamma
    )


def test_multisteplr_repeated_unsorted_fixed():
    milestones = [7, 2, 7, 0, 5]
    expected, _, _ = run_torch(_sgd(2.0), lambda o: MultiStepLR(o, milestones, gamma=0.5), 10)
    # a repeated milestone decays twice, order does not matter, milestone 0 applies to update 0
    assert_golden(expected, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.0625, 0.0625, 0.0625])
    check_backends(
        lrfuncs.multistep_decay, np.arange(10), expected, peak=2.0, peak_lr=2.0, milestones=milestones, gamma=0.5
    )


def test_multisteplr_no_milestones():
    """No milestones: a constant, still shaped like the steps on every backend (MultiStepLR accepts [])."""
    expected, _, _ = run_torch(_sgd(0.5), lambda o: MultiStepLR(o, milestones=[]), 5)
    assert_golden(expected, [0.5] * 5)
    check_backends(lrfuncs.multistep_decay, np.arange(5), expected, peak=0.5, peak_lr=0.5, milestones=[])


# ---------------------------------------------------------------------------------------------------------------------
# 3. CosineAnnealingLR == cosine_decay (t <= T_max), == cosine_decay(periodic=True) for t <= 3*T_max


@settings(max_examples=FEW)
@given(peak=peaks, ratio=ratios, T=st.integers(1, 120))
def test_cosine_annealing(peak, ratio, T):
    eta_min = peak * ratio
    n = 3 * T + 1
    torch_lrs, _, _ = run_torch(_sgd(peak), lambda o: CosineAnnealingLR(o, T_max=T, eta_min=eta_min), n)
    steps = np.arange(n)
    cfg = {"peak_lr": peak, "total_steps": T, "min_lr": eta_min}
    # periodic=True: equal to torch's rise and fall up to 3*T_max
    check_backends(lrfuncs.cosine_decay, steps, torch_lrs, peak=peak, periodic=True, **cfg)
    # default: equal to torch up to T_max, then lrfuncs holds the floor (exactly) ...
    clamped = np.where(steps <= T, torch_lrs, eta_min)
    for backend, values in check_backends(lrfuncs.cosine_decay, steps, clamped, peak=peak, **cfg).items():
        assert np.all(values[T:] == eta_min), (backend, values[T : T + 5], eta_min)
    # ... while torch rises again (period 2*T_max), back to the peak at 2*T_max
    assert np.all(torch_lrs[T + 1 : 2 * T + 1] > eta_min)
    assert torch_lrs[2 * T] == pytest.approx(peak, rel=1e-12)


def test_cosine_annealing_golden_3_1():
    golden = [
        1,
        0.97553,
        0.90451,
        0.79389,
        0.65451,
        0.5,
        0.34549,
        0.20611,
        0.095492,
        0.024472,
        0,
        0.024472,
        0.095492,
        0.20611,
        0.34549,
        0.5,
    ]
    torch_lrs, _, _ = run_torch(_sgd(1.0), lambda o: CosineAnnealingLR(o, T_max=10), 16)
    assert_golden(torch_lrs, golden)
    steps = np.arange(16)
    check_backends(lrfuncs.cosine_decay, steps, torch_lrs, peak=1.0, peak_lr=1.0, total_steps=10, periodic=True)
    # default: clamped at the floor (the optax/keras/timm policy) where torch rises to 0.5
    clamped = np.where(steps <= 10, torch_lrs, 0.0)
    for values in check_backends(lrfuncs.cosine_decay, steps, clamped, peak=1.0, peak_lr=1.0, total_steps=10).values():
        assert np.all(values[10:] == 0.0)


# ---------------------------------------------------------------------------------------------------------------------
# 4. CosineAnnealingWarmRestarts == cosine_restarts (per step and with fractional epochs)


@settings(max_examples=FEW)
@given(peak=peaks, ratio=ratios, T_0=st.integers(1, 40), T_mult=st.integers(1, 3), n=st.integers(1, 400))
def test_warm_restarts_per_step(peak, ratio, T_0, T_mult, n):
    eta_min = peak * ratio
    torch_lrs, _, _ = run_torch(
        _sgd(peak), lambda o: CosineAnnealingWarmRestarts(o, T_0=T_0, T_mult=T_mult, eta_min=eta_min), n
    )
    check_backends(
        lrfuncs.cosine_restarts,
        np.arange(n),
        torch_lrs,
        peak=peak,
        peak_lr=peak,
        cycle_steps=T_0,
        cycle_mult=T_mult,
        min_lr=eta_min,
    )


def _exact_cycle_length(epoch: float, T_0: int, T_mult: int) -> int:
    """The length of the cycle containing ``epoch``, in exact rational arithmetic (no logarithm)."""
    e = Fraction(epoch)
    start, length = 0, T_0
    while start + length <= e:
        start += length
        length *= T_mult
    return length


@settings(max_examples=FEW)
@given(
    peak=peaks, ratio=ratios, T_0=st.integers(1, 12), T_mult=st.integers(1, 3), iters=st.integers(1, 10), data=st.data()
)
def test_warm_restarts_fractional_epochs(peak, ratio, T_0, T_mult, iters, data):
    """torch's documented per-batch use: ``scheduler.step(epoch + i / iters)``."""
    n_epochs = data.draw(st.integers(1, 400 // iters), label="n_epochs")
    eta_min = peak * ratio
    epochs = [e + i / iters for e in range(n_epochs) for i in range(iters)]
    torch_lrs, _, cycle_lengths = run_torch(
        _sgd(peak),
        lambda o: CosineAnnealingWarmRestarts(o, T_0=T_0, T_mult=T_mult, eta_min=eta_min),
        len(epochs),
        epochs=epochs,
    )
    # torch derives the cycle from int(math.log(...)), which can round down at an exact restart: keep only
    # examples where torch's own cycle length (scheduler.T_i) is the exact one (see the bug test below).
    assume(all(t_i == _exact_cycle_length(e, T_0, T_mult) for t_i, e in zip(cycle_lengths, epochs, strict=True)))
    check_backends(
        lrfuncs.cosine_restarts,
        np.asarray(epochs, dtype=np.float64),
        torch_lrs,
        peak=peak,
        peak_lr=peak,
        cycle_steps=T_0,
        cycle_mult=T_mult,
        min_lr=eta_min,
    )


def test_warm_restarts_golden_3_9():
    golden = [1, 0.85355, 0.5, 0.14645, 1, 0.96194, 0.85355, 0.69134, 0.5, 0.30866, 0.14645, 0.03806, 1, 0.99039]
    torch_lrs, _, _ = run_torch(_sgd(1.0), lambda o: CosineAnnealingWarmRestarts(o, 4, 2), 14)
    assert_golden(torch_lrs, golden)
    check_backends(
        lrfuncs.cosine_restarts, np.arange(14), torch_lrs, peak=1.0, peak_lr=1.0, cycle_steps=4, cycle_mult=2
    )


def test_warm_restarts_fractional_golden_3_15():
    epochs = [0, 0.5, 1, 1.5, 2, 3.9, 4, 4.5]
    golden = [1, 0.96194, 0.85355, 0.69134, 0.5, 0.0015413, 1, 0.96194]
    torch_lrs, _, _ = run_torch(_sgd(1.0), lambda o: CosineAnnealingWarmRestarts(o, 4), 8, epochs=epochs)
    assert_golden(torch_lrs, golden)
    check_backends(
        lrfuncs.cosine_restarts, np.asarray(epochs, dtype=np.float64), torch_lrs, peak=1.0, peak_lr=1.0, cycle_steps=4
    )


def test_warm_restarts_torch_log_rounding_bug():
    """torch misses the restart at epoch 111 of T_0=1, T_mult=10; lrfuncs does not.

    Cycles last 1, 10, 100, ... so they start at 0, 1, 11, 111 (exactly). torch's
    ``step(111)`` computes ``n = int(math.log(111 * 9 + 1, 10)) = int(2.9999999999999996) = 2``
    instead of 3, hence ``T_cur = 100 = T_i``: the end of cycle 2 (``eta_min``), not the
    start of cycle 3 (the peak). torch's own per-step path counts ``T_cur`` without a
    logarithm and does restart at update 111, like lrfuncs.
    """
    assert sum(Fraction(10) ** i for i in range(3)) == 111  # cycle 3 starts exactly at 111
    peak, eta_min = 1.0, 0.001

    opt = _sgd(peak)
    with _StrictTorch():
        sched = CosineAnnealingWarmRestarts(opt, T_0=1, T_mult=10, eta_min=eta_min)
        opt.step()
        sched.step(111)
    assert (sched.T_i, sched.T_cur) == (100, 100.0)  # torch thinks it is at the end of the 100-long cycle
    assert _exact_cycle_length(111, 1, 10) == 1000  # (the filter of the fractional-epoch test sees it)
    assert _lr(opt) == eta_min  # missed restart: the floor instead of the peak

    per_step, _, _ = run_torch(_sgd(peak), lambda o: CosineAnnealingWarmRestarts(o, 1, 10, eta_min), 113)
    assert per_step[111] == peak  # torch's per-step path restarts correctly
    for steps in (np.arange(113), np.arange(113, dtype=np.float64)):
        for backend, ours in check_backends(
            lrfuncs.cosine_restarts,
            steps,
            per_step,
            peak=peak,
            peak_lr=peak,
            cycle_steps=1,
            cycle_mult=10,
            min_lr=eta_min,
        ).items():
            assert ours[111] == pytest.approx(peak, rel=1e-15), backend  # lrfuncs restarts at 111


@pytest.mark.parametrize(("T_0", "T_mult", "epoch"), [(1, 3, 121), (2, 3, 242), (3, 3, 363)])
def test_warm_restarts_torch_log_rounding_bug_more(T_0, T_mult, epoch):
    """The same missed restart for T_mult=3: log(243, 3) = 4.999999999999999."""
    opt = _sgd(1.0)
    with _StrictTorch():
        sched = CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_mult)
        opt.step()
        sched.step(float(epoch))
    assert sched.T_i != _exact_cycle_length(epoch, T_0, T_mult)
    assert _lr(opt) == 0.0  # torch: end of the previous cycle
    for backend in BACKENDS:
        ours = evaluate(
            backend,
            lrfuncs.cosine_restarts,
            np.full(PAD, float(epoch)),
            peak_lr=1.0,
            cycle_steps=T_0,
            cycle_mult=T_mult,
        )
        assert np.all(ours == pytest.approx(1.0, rel=1e-15)), backend  # lrfuncs: the restart


# ---------------------------------------------------------------------------------------------------------------------
# 5. OneCycleLR == onecycle(convention="torch") and onecycle_momentum


@st.composite
def onecycle_configs(draw):
    three_phase = draw(st.booleans(), label="three_phase")
    T = draw(st.integers(1, 300), label="total_steps")
    pct = draw(st.floats(0.0, 0.5 if three_phase else 1.0), label="pct_start")
    # torch divides by zero on a zero-length phase (pct*T == 1, or pct == 1 with two phases); lrfuncs defines
    # those (a zero-length phase is complete at once), torch cannot be compared there
    assume(pct * T != 1.0 and (three_phase or pct * T - 1.0 != T - 1.0))
    return {
        "total_steps": T,
        "pct_start": pct,
        "anneal": draw(st.sampled_from(["cos", "linear"]), label="anneal"),
        "three_phase": three_phase,
    }


def _onecycle_torch(cfg, *, peak, div, final_div, base_m=0.85, max_m=0.95, use_epochs=False):
    kwargs = {
        "max_lr": peak,
        "pct_start": cfg["pct_start"],
        "anneal_strategy": cfg["anneal"],
        "div_factor": div,
        "final_div_factor": final_div,
        "three_phase": cfg["three_phase"],
        "base_momentum": base_m,
        "max_momentum": max_m,
    }
    if use_epochs:
        return lambda o: OneCycleLR(o, epochs=use_epochs[0], steps_per_epoch=use_epochs[1], **kwargs)
    return lambda o: OneCycleLR(o, total_steps=cfg["total_steps"], **kwargs)


@settings(max_examples=FEW)
@given(cfg=onecycle_configs(), peak=peaks, div=st.floats(1.0, 100.0), final_div=st.floats(1.0, 1e5))
def test_onecycle_lr(cfg, peak, div, final_div):
    T = cfg["total_steps"]
    torch_lrs, _, _ = run_torch(_sgd(peak, 0.9), _onecycle_torch(cfg, peak=peak, div=div, final_div=final_div), T)
    check_backends(
        lrfuncs.onecycle,
        np.arange(T),
        torch_lrs,
        peak=peak,
        peak_lr=peak,
        div_factor=div,
        final_div_factor=final_div,
        convention="torch",
        **cfg,
    )
    # the last update of the run uses the final lr
    assert torch_lrs[-1] == pytest.approx(peak / div / final_div, rel=1e-12)


@settings(max_examples=min(FEW, 15))
@given(
    peak=peaks,
    epochs=st.integers(1, 20),
    steps_per_epoch=st.integers(1, 20),
    pct=st.sampled_from([0.1, 0.25, 0.3, 0.45]),
    anneal=st.sampled_from(["cos", "linear"]),
    three_phase=st.booleans(),
)
def test_onecycle_epochs_times_steps_per_epoch(peak, epochs, steps_per_epoch, pct, anneal, three_phase):
    T = epochs * steps_per_epoch
    assume(pct * T != 1.0)
    cfg = {"total_steps": T, "pct_start": pct, "anneal": anneal, "three_phase": three_phase}
    make = _onecycle_torch(cfg, peak=peak, div=25.0, final_div=1e4, use_epochs=(epochs, steps_per_epoch))
    torch_lrs, sched, _ = run_torch(_sgd(peak, 0.9), make, T)
    assert sched.total_steps == T
    check_backends(lrfuncs.onecycle, np.arange(T), torch_lrs, peak=peak, peak_lr=peak, **cfg)


@settings(max_examples=FEW)
@given(cfg=onecycle_configs(), base_m=st.floats(0.5, 0.9), spread=st.floats(0.0, 0.09), adam=st.booleans())
def test_onecycle_momentum(cfg, base_m, spread, adam):
    T = cfg["total_steps"]
    max_m = base_m + spread
    opt = torch.optim.Adam([_param()], lr=0.1, betas=(0.9, 0.999)) if adam else _sgd(0.1, momentum=0.9)
    make = _onecycle_torch(cfg, peak=0.1, div=25.0, final_div=1e4, base_m=base_m, max_m=max_m)
    torch_m, _, _ = run_torch(opt, make, T, read=_momentum)
    if adam:  # only beta1 is cycled
        assert opt.param_groups[0]["betas"][1] == 0.999
    check_backends(
        lrfuncs.onecycle_momentum,
        np.arange(T),
        torch_m,
        peak=max_m,
        base_momentum=base_m,
        max_momentum=max_m,
        convention="torch",
        **cfg,
    )


@settings(max_examples=min(FEW, 20))
@given(cfg=onecycle_configs(), peak=peaks, adam=st.booleans())
def test_lambda_lr_onecycle_drives_optimizer_like_onecyclelr(cfg, peak, adam):
    """lambda_lr(onecycle, momentum=onecycle_momentum) writes the same lrs and momenta/betas as OneCycleLR."""
    T = cfg["total_steps"]

    def make_opt():
        p = _param()
        if adam:
            return torch.optim.Adam([p], lr=peak, betas=(0.9, 0.999))
        return torch.optim.SGD([p], lr=peak, momentum=0.9)

    def read(opt):
        return _lr(opt), _momentum(opt)

    make = _onecycle_torch(cfg, peak=peak, div=25.0, final_div=1e4)
    ref, ref_sched, _ = run_torch(make_opt(), make, T + 1, read=read)
    ours_opt = make_opt()
    sched = lrfuncs.onecycle.bind(peak_lr=peak, **cfg)
    mom = lrfuncs.onecycle_momentum.bind(**cfg)
    ours, _, _ = run_torch(ours_opt, lambda o: lambda_lr(o, sched, momentum=mom), 2 * T + 2, read=read)
    assert_lr_close(ours[:T, 0], ref[:T, 0], peak=peak)
    assert_lr_close(ours[:T, 1], ref[:T, 1], peak=1.0)
    # past the end: torch has extrapolated one step (index T) and refuses a further step;
    # lambda_lr holds the final lr and momentum for as long as it is stepped
    with pytest.raises(ValueError, match=rf"Tried to step {T + 1} times. The specified number of total steps is {T}"):
        ref_sched.step()
    assert_lr_close(ours[T - 1 :, 0], np.full(T + 3, peak / 25.0 / 1e4), peak=peak)
    assert np.all(ours[T - 1 :, 1] == ours[T - 1, 1])
    assert ours[T - 1, 1] == pytest.approx(0.95, rel=1e-12)  # every variant ends at max_momentum
    if adam:  # only beta1 is scheduled
        assert ours_opt.param_groups[0]["betas"][1] == 0.999


@pytest.mark.parametrize(
    ("anneal", "three_phase"), [("cos", False), ("linear", False), ("cos", True), ("linear", True)]
)
def test_onecycle_past_the_end(anneal, three_phase):
    T, peak = 37, 0.3
    cfg = {"total_steps": T, "pct_start": 0.25, "anneal": anneal, "three_phase": three_phase}
    torch_lrs, sched, _ = run_torch(_sgd(peak, 0.9), _onecycle_torch(cfg, peak=peak, div=25.0, final_div=1e4), T + 1)
    with pytest.raises(ValueError, match=rf"Tried to step {T + 1} times"):  # the (T+1)-th scheduler.step()
        sched.step()
    final = peak / 25.0 / 1e4
    assert torch_lrs[T - 1] == pytest.approx(final, rel=1e-12)
    assert torch_lrs[T] != pytest.approx(final, rel=1e-6)  # torch's index T is an extrapolation
    if anneal == "cos":
        assert torch_lrs[T] > final  # the cosine rises again past its minimum
    check_backends(lrfuncs.onecycle, np.arange(T - 1, T + 50), np.full(51, final), peak=peak, peak_lr=peak, **cfg)


def test_onecycle_golden_3_5():
    def curve(n, **kw):
        cfg = {"total_steps": 10, "pct_start": 0.3, "anneal": "cos", "three_phase": False, **kw}
        return run_torch(_sgd(1.0, 0.9), _onecycle_torch(cfg, peak=1.0, div=25.0, final_div=1e4), n)[0]

    two = curve(11)
    assert_golden(two, [0.04, 0.52, 1, 0.95048, 0.81175, 0.61126, 0.38874, 0.18826, 0.049519, 4e-06, 0.049519])
    check_backends(lrfuncs.onecycle, np.arange(10), two[:10], peak=1.0, peak_lr=1.0, total_steps=10)
    # index 10 (after the 10th scheduler.step()) torch extrapolates; lrfuncs holds 4e-6
    assert lrfuncs.onecycle(10, peak_lr=1.0, total_steps=10) == pytest.approx(4e-6, rel=1e-12)

    three = curve(10, three_phase=True)
    assert_golden(three, [0.04, 0.52, 1, 0.52, 0.04, 0.036181, 0.026182, 0.013822, 0.0038233, 4e-06])
    check_backends(lrfuncs.onecycle, np.arange(10), three, peak=1.0, peak_lr=1.0, total_steps=10, three_phase=True)

    lin3 = curve(10, three_phase=True, anneal="linear")
    assert_golden(lin3, [0.04, 0.52, 1, 0.52, 0.04, 0.032001, 0.024002, 0.016002, 0.0080032, 4e-06])
    check_backends(
        lrfuncs.onecycle, np.arange(10), lin3, peak=1.0, peak_lr=1.0, total_steps=10, three_phase=True, anneal="linear"
    )

    tiny = curve(3, total_steps=3)  # pct_start*T < 1: phase 1 ends before step 0
    assert_golden(tiny, [0.99442, 0.46264, 4e-06])
    check_backends(lrfuncs.onecycle, np.arange(3), tiny, peak=1.0, peak_lr=1.0, total_steps=3)

    golden_m = [0.95, 0.9, 0.85, 0.85495, 0.86883, 0.88887, 0.91113, 0.93117, 0.94505, 0.95]
    for opt in (_sgd(1.0, 0.9), torch.optim.Adam([_param()], lr=1.0)):
        make = _onecycle_torch(
            {"total_steps": 10, "pct_start": 0.3, "anneal": "cos", "three_phase": False},
            peak=1.0,
            div=25.0,
            final_div=1e4,
        )
        moms, _, _ = run_torch(opt, make, 10, read=_momentum)
        assert_golden(moms, golden_m)
        check_backends(lrfuncs.onecycle_momentum, np.arange(10), moms, peak=1.0, total_steps=10)


# ---------------------------------------------------------------------------------------------------------------------
# 6. lambda_lr with a non-onecycle schedule scales per param group like torch's base_lrs


def test_lambda_lr_two_groups_matches_cosine_annealing():
    """Group g follows ``initial_lr_g * cosine(k) / peak_lr``; torch's CosineAnnealingLR is
    ``eta_min + (base_lr_g - eta_min) * c(k)`` with an *absolute* eta_min shared by all groups.
    With eta_min = 0 both are ``base_lr_g * c(k)``, so every group agrees. With eta_min > 0
    they differ on purpose: lambda_lr scales the floor with the group (0.01 * min_lr / 0.1),
    torch keeps the same absolute floor in every group.
    """
    T, n = 25, 60

    def two_groups():
        return torch.optim.SGD([{"params": [_param()], "lr": 0.1}, {"params": [_param()], "lr": 0.01}], momentum=0.9)

    def read(opt):
        return _lr(opt, 0), _lr(opt, 1)

    ref, _, _ = run_torch(two_groups(), lambda o: CosineAnnealingLR(o, T_max=T, eta_min=0.0), n, read=read)
    ours, _, _ = run_torch(
        two_groups(),
        lambda o: lambda_lr(o, lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=T, periodic=True)),
        n,
        read=read,
    )
    assert_lr_close(ours[:, 0], ref[:, 0], peak=0.1)
    assert_lr_close(ours[:, 1], ref[:, 1], peak=0.01)
    check_backends(lrfuncs.cosine_decay, np.arange(n), ref[:, 0], peak=0.1, peak_lr=0.1, total_steps=T, periodic=True)

    # eta_min > 0: the documented difference in the floor of the smaller group
    ref_f, _, _ = run_torch(two_groups(), lambda o: CosineAnnealingLR(o, T_max=T, eta_min=1e-3), T + 1, read=read)
    ours_f, _, _ = run_torch(
        two_groups(),
        lambda o: lambda_lr(o, lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=T, min_lr=1e-3)),
        T + 1,
        read=read,
    )
    assert_lr_close(ours_f[:, 0], ref_f[:, 0], peak=0.1)  # group 0 (lr == peak_lr) still agrees
    assert ref_f[T, 1] == pytest.approx(1e-3, rel=1e-12)  # torch: absolute floor in group 1
    assert ours_f[T, 1] == pytest.approx(1e-4, rel=1e-12)  # lambda_lr: floor scaled by 0.01 / 0.1


# ---------------------------------------------------------------------------------------------------------------------
# bad inputs: lrfuncs rejects at bind time what torch rejects (or crashes on later)


def test_bad_inputs_vs_torch():
    opt = _sgd(1.0)
    # CosineAnnealingLR(T_max=0) crashes on its first step; cosine_decay refuses total_steps=0 up front
    with _StrictTorch():
        s = CosineAnnealingLR(opt, T_max=0)
        opt.step()
        with pytest.raises(ZeroDivisionError):
            s.step()
    with pytest.raises(ValueError, match=r"Argument `total_steps` must be > 0\. Received: total_steps=0"):
        lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=0)

    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        CosineAnnealingWarmRestarts(_sgd(1.0), T_0=0)
    with pytest.raises(ValueError, match=r"Argument `cycle_steps` must be > 0"):
        lrfuncs.cosine_restarts.bind(peak_lr=1.0, cycle_steps=0)
    # torch needs an integer T_mult; lrfuncs also takes a float (timm's cycle_mul)
    with pytest.raises(ValueError, match=r"Expected integer T_mult >= 1, but got 1.5"):
        CosineAnnealingWarmRestarts(_sgd(1.0), T_0=4, T_mult=1.5)
    assert lrfuncs.cosine_restarts(10, peak_lr=1.0, cycle_steps=4, cycle_mult=1.5) == 1.0  # cycles 4, 6: restart at 10
    with pytest.raises(ValueError, match=r"Argument `min_lr` must be <= `peak_lr`"):
        lrfuncs.cosine_restarts.bind(peak_lr=1.0, cycle_steps=4, min_lr=2.0)

    with pytest.raises(ValueError, match="Expected positive integer total_steps"):
        OneCycleLR(_sgd(1.0, 0.9), max_lr=1.0, total_steps=10.5)
    with pytest.raises(ValueError, match=r"Argument `total_steps` must be a whole number"):
        lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=10.5)
    with pytest.raises(ValueError, match=r"Argument `pct_start` must be <= 0.5 with `three_phase=True`"):
        lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=10, pct_start=0.6, three_phase=True)
    with pytest.raises(ValueError, match=r"Argument `anneal` must be one of 'cos', 'linear'"):
        lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=10, anneal="cosine")

    with pytest.raises(ValueError, match=r"Argument `gamma` must be in \(0, 1\]"):
        lrfuncs.step_decay.bind(peak_lr=1.0, step_size=3, gamma=0.0)
    with pytest.raises(ValueError, match=r"Argument `milestones` must hold whole numbers >= 0"):
        lrfuncs.multistep_decay.bind(peak_lr=1.0, milestones=[3, -1])

    # momentum cycling needs momentum or betas, in both
    def adagrad():
        return torch.optim.Adagrad([_param()], lr=1.0)

    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        OneCycleLR(adagrad(), max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match=r"Argument `momentum` needs an optimizer with a `momentum` or `betas`"):
        lambda_lr(
            adagrad(),
            lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=10),
            momentum=lrfuncs.onecycle_momentum.bind(total_steps=10),
        )


def test_strict_torch_catches_wrong_step_order():
    """The harness is strict: stepping the scheduler before the optimizer is an error, not a silent warning."""
    opt = _sgd(1.0)
    with _StrictTorch():
        s = StepLR(opt, 2)
        with pytest.raises(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
            s.step()
    assert math.isfinite(_lr(opt))
