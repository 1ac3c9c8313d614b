"""The torch adapter warns once when stepping passes the schedule's horizon by a large factor.

``ScheduledLR`` (``lrfuncs.backends.torch.lambda_lr``) warns when ``last_epoch > 2 * horizon + 1``: the lr
has then been held at its final value for longer than the whole schedule, the classic sign of a length in
epochs with ``scheduler.step()`` called every batch.
"""

from __future__ import annotations

import io
import warnings

import pytest
import torch

import lrfuncs
from lrfuncs.backends import torch as lrtorch


def sgd(lr: float = 0.1) -> torch.optim.SGD:
    return torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=lr, momentum=0.9)


def run(opt: torch.optim.Optimizer, sched: lrtorch.ScheduledLR, n: int) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(n):
            opt.step()
            sched.step()
    return [w for w in caught if "lrfuncs:" in str(w.message)]


def test_warns_once_past_twice_the_horizon() -> None:
    assert lrtorch.HORIZON_WARNING_FACTOR == 2
    opt = sgd()
    sched = lrtorch.lambda_lr(opt, lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10))
    assert run(opt, sched, 21) == []  # last_epoch 21 = 2 * 10 + 1: still quiet
    (w,) = run(opt, sched, 1)  # last_epoch 22
    assert w.category is UserWarning
    msg = str(w.message)
    assert "step 22" in msg
    assert "cosine_decay, which ends at step 10" in msg
    assert "total_steps=epochs*steps_per_epoch" in msg
    assert w.filename == __file__  # points at the caller's scheduler.step()
    assert run(opt, sched, 200) == []  # once


def test_the_per_epoch_mistake() -> None:
    """A cosine of 5 "steps" meant as epochs, stepped over 5 epochs of 20 batches."""
    opt = sgd()
    sched = lrtorch.lambda_lr(opt, lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=5))
    found = run(opt, sched, 5 * 20)
    assert len(found) == 1
    assert "step 12" in str(found[0].message)


def test_open_ended_schedules_never_warn() -> None:
    for s in (lrfuncs.step_decay.bind(peak_lr=0.1, step_size=3),
              lrfuncs.warmup_constant.bind(peak_lr=0.1, warmup_steps=5),
              lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=5, periodic=True)):
        opt = sgd()
        assert run(opt, lrtorch.lambda_lr(opt, s), 500) == [], s


def test_values_are_unchanged_by_the_check() -> None:
    s = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=10)
    opt = sgd()
    sched = lrtorch.lambda_lr(opt, s)
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(40):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    assert lrs == [pytest.approx(s(k), rel=1e-12, abs=1e-16) for k in range(40)]


def test_resuming_past_the_horizon_warns_at_construction() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10)
    opt = sgd()
    for group in opt.param_groups:
        group["initial_lr"] = 0.1
    with pytest.warns(UserWarning, match=r"lrfuncs: the scheduler is at step 101"):
        lrtorch.lambda_lr(opt, s, last_epoch=100)


def test_state_dict_round_trip_recomputes_the_threshold() -> None:
    opt = sgd()
    sched = lrtorch.lambda_lr(opt, lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100))
    run(opt, sched, 30)
    state = sched.state_dict()
    assert "_warn_after" not in state
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    # a fresh scheduler built for a 5-step schedule, loaded with the 100-step one: no warning at step 30
    opt2 = sgd()
    sched2 = lrtorch.lambda_lr(opt2, lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=5))
    sched2.load_state_dict(torch.load(buf, weights_only=True))
    assert run(opt2, sched2, 171) == []  # up to step 201 = 2 * 100 + 1
    assert len(run(opt2, sched2, 1)) == 1


def test_threshold_is_precomputed() -> None:
    opt = sgd()
    sched = lrtorch.lambda_lr(opt, lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=3, total_steps=40))
    assert sched._warn_after == 81
    opt = sgd()
    assert lrtorch.lambda_lr(opt, lrfuncs.step_decay.bind(peak_lr=0.1, step_size=3))._warn_after > 2**62
