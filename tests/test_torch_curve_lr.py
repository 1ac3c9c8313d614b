"""CurveLR: the lr read from a curve precomputed on the device, with no host sync per step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
import torch

import lrfuncs
from lrfuncs.backends.torch import CurveLR, lambda_lr


def _two_group_optimizer(cls=torch.optim.SGD, tensor_lr: bool = True, **kw):  # type: ignore[no-untyped-def]
    a, b = torch.nn.Parameter(torch.zeros(3)), torch.nn.Parameter(torch.zeros(2))

    def lr(x: float):  # type: ignore[no-untyped-def]
        return torch.tensor(x, dtype=torch.float64) if tensor_lr else x

    return cls([{"params": [a], "lr": lr(0.1)}, {"params": [b], "lr": lr(0.01)}], **kw), (a, b)


def _run(opt, sched, params, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        out.append([float(g["lr"]) for g in opt.param_groups])
        for p in params:
            p.grad = torch.ones_like(p)
        opt.step()
        sched.step()
    return np.asarray(out)


SCHEDULES = [
    lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=5, total_steps=30, min_lr_ratio=0.1),
    lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=30),
    lrfuncs.cosine_restarts.bind(peak_lr=0.1, cycle_steps=7, cycle_mult=2, peak_decay=0.5),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s.name)
def test_curve_lr_equals_lambda_lr_per_group_and_holds_past_the_end(schedule: lrfuncs.Schedule) -> None:
    opt1, p1 = _two_group_optimizer(tensor_lr=True)
    opt2, p2 = _two_group_optimizer(tensor_lr=False)
    curve_lr = CurveLR(opt1, schedule, num_steps=30, dtype=torch.float64)
    lambda_ = lambda_lr(opt2, schedule)
    got, ref = _run(opt1, curve_lr, p1, 30), _run(opt2, lambda_, p2, 30)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0)
    # group 1 is group 0 scaled by its own lr (0.01 / 0.1)
    np.testing.assert_allclose(got[:, 1], got[:, 0] * 0.1, rtol=1e-12)
    # the parameters moved identically
    for a, b in zip(p1, p2, strict=True):
        torch.testing.assert_close(a.detach(), b.detach(), rtol=1e-12, atol=1e-15)
    # past num_steps the curve's last value holds (the schedule itself may go on)
    after = _run(opt1, curve_lr, p1, 10)
    assert np.all(after == got[-1])


@contextmanager
def _no_host_sync() -> Iterator[None]:
    """Fail on any tensor -> Python conversion (what a device sync would be)."""
    names = ("item", "tolist", "__float__", "__int__", "__bool__")
    saved = {n: getattr(torch.Tensor, n) for n in names}

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("host sync in step()")

    try:
        for n in names:
            setattr(torch.Tensor, n, boom)
        yield
    finally:
        for n, f in saved.items():
            setattr(torch.Tensor, n, f)


def test_step_does_not_sync_and_writes_tensor_lrs_in_place() -> None:
    opt, _ = _two_group_optimizer(tensor_lr=True)
    lr_tensors = [g["lr"] for g in opt.param_groups]
    sched = CurveLR(opt, SCHEDULES[0], num_steps=30)
    with _no_host_sync():
        for _ in range(10):
            sched.step()
            sched.lr()
    assert [g["lr"] for g in opt.param_groups] == lr_tensors  # same tensor objects, updated in place
    expected = SCHEDULES[0](10)
    assert float(opt.param_groups[0]["lr"]) == pytest.approx(expected, rel=1e-12)
    assert sched.step_count.device == opt.param_groups[0]["params"][0].device


def test_float_lrs_become_device_tensors_and_adamw_trains() -> None:
    opt, params = _two_group_optimizer(torch.optim.AdamW, tensor_lr=False)
    sched = CurveLR(opt, SCHEDULES[1], num_steps=30)
    assert all(isinstance(g["lr"], torch.Tensor) for g in opt.param_groups)
    before = [p.detach().clone() for p in params]
    _run(opt, sched, params, 3)
    assert all(not torch.equal(a, b.detach()) for a, b in zip(before, params, strict=True))
    assert sched.get_last_lr() == pytest.approx([SCHEDULES[1](3), SCHEDULES[1](3) * 0.1], rel=1e-6)


def test_state_dict_round_trip_and_mismatch() -> None:
    opt, _ = _two_group_optimizer()
    sched = CurveLR(opt, SCHEDULES[0], num_steps=30, dtype=torch.float64)
    for _ in range(7):
        sched.step()
    state = sched.state_dict()
    opt2, _ = _two_group_optimizer()
    fresh = CurveLR(opt2, SCHEDULES[0], num_steps=30, dtype=torch.float64)
    fresh.load_state_dict(state)
    assert fresh.get_last_lr() == sched.get_last_lr()
    other = CurveLR(_two_group_optimizer()[0], SCHEDULES[1], num_steps=30)
    with pytest.raises(ValueError, match="another schedule or length"):
        other.load_state_dict(state)


def test_bad_input() -> None:
    opt, _ = _two_group_optimizer()
    with pytest.raises(ValueError, match=r"Argument `num_steps` must be >= 1. Received: num_steps=0"):
        CurveLR(opt, SCHEDULES[0], num_steps=0)
    with pytest.raises(ValueError, match="Argument `num_steps` must be a whole number >= 0"):
        CurveLR(opt, SCHEDULES[0], num_steps=2.5)
    with pytest.raises(TypeError, match="CurveLR needs an lrfuncs Schedule"):
        CurveLR(opt, lambda k: 0.1, num_steps=3)
    with pytest.raises(ValueError, match="Argument `reference` is required"):
        CurveLR(opt, lrfuncs.onecycle_momentum.bind(total_steps=3), num_steps=3)


def test_one_group_fast_path_equals_lambda_lr_and_follows_a_replaced_lr_tensor() -> None:
    schedule = SCHEDULES[0]
    p = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    lr = torch.tensor(schedule.config["peak_lr"], dtype=torch.float64)
    opt = torch.optim.SGD([p], lr=lr)
    sched = CurveLR(opt, schedule, num_steps=25, dtype=torch.float64)
    assert sched._single is not None  # one group, lr tensor of the curve's dtype: written by one indexing op
    seen = []
    with _no_host_sync():
        for _ in range(30):
            seen.append(opt.param_groups[0]["lr"].clone())
            sched.step()
    assert opt.param_groups[0]["lr"] is lr  # updated in place
    want = [schedule(min(k, 24)) for k in range(30)]  # past num_steps the last value holds
    np.testing.assert_allclose([float(x) for x in seen], want, rtol=1e-12, atol=0)
    replaced = torch.tensor(0.0, dtype=torch.float64)
    opt.param_groups[0]["lr"] = replaced  # a new tensor: the generic path writes into it
    sched.step()
    assert float(replaced) == pytest.approx(schedule(24), rel=1e-12)
    assert float(lr) == pytest.approx(schedule(24), rel=1e-12)


def _adamw(fused: bool = False, capturable: bool = False) -> tuple[torch.nn.Parameter, torch.optim.AdamW]:
    p = torch.nn.Parameter(torch.ones(5, dtype=torch.float64))
    lr = torch.tensor(0.01, dtype=torch.float64)
    return p, torch.optim.AdamW([p], lr=lr, fused=fused, capturable=capturable)


def _grad(k: int) -> torch.Tensor:
    return torch.full((5,), float(k % 3) - 1.0, dtype=torch.float64)


WARMUP_COSINE = lrfuncs.warmup_cosine.bind(peak_lr=0.01, warmup_steps=3, total_steps=20)


@pytest.mark.parametrize(("fused", "capturable"), [(True, False), (True, True)])  # capturable on the CPU: fused only
def test_fused_and_capturable_adamw_follow_the_curve(fused: bool, capturable: bool) -> None:
    """A tensor lr written by CurveLR drives fused / capturable AdamW exactly as LambdaLR drives plain AdamW."""
    p1, opt1 = _adamw(fused=fused, capturable=capturable)
    sched1 = CurveLR(opt1, WARMUP_COSINE, num_steps=25, dtype=torch.float64)
    p2 = torch.nn.Parameter(torch.ones(5, dtype=torch.float64))
    opt2 = torch.optim.AdamW([p2], lr=0.01)
    sched2 = lambda_lr(opt2, WARMUP_COSINE)
    for k in range(22):
        p1.grad, p2.grad = _grad(k), _grad(k)
        opt1.step()
        sched1.step()
        opt2.step()
        sched2.step()
    torch.testing.assert_close(p1.detach(), p2.detach(), rtol=1e-12, atol=1e-15)


# torch.compile imports torch.jit, which warns that its own script_method is deprecated: not under test
_COMPILE_CHATTER = pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")


@_COMPILE_CHATTER
def test_scheduler_step_compiles_to_one_graph() -> None:
    """step() and lr() have no host sync or Python branch on a tensor: torch.compile(fullgraph=True) takes them."""
    _, opt = _adamw()
    sched = CurveLR(opt, WARMUP_COSINE, num_steps=25, dtype=torch.float64)
    compiled = torch.compile(lambda: (sched.step(), sched.lr())[1], fullgraph=True, backend="aot_eager")
    got = [float(compiled()[0]) for _ in range(27)]
    want = [WARMUP_COSINE(min(k, 24)) for k in range(1, 28)]  # the last value holds past num_steps
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@_COMPILE_CHATTER
def test_compiled_training_step_reads_the_curve_without_recompiling() -> None:
    """opt.step(); sched.step() under torch.compile: compiled once, and the same updates as the lr set by hand."""
    torch._dynamo.reset()
    p, opt = _adamw()
    sched = CurveLR(opt, WARMUP_COSINE, num_steps=25, dtype=torch.float64)

    def step() -> None:
        opt.step()
        sched.step()

    compiled = torch.compile(step, backend="aot_eager")
    with torch._dynamo.config.patch(error_on_recompile=True):  # the step count lives on the device: no recompile
        for k in range(22):
            p.grad = _grad(k)
            compiled()
    torch._dynamo.reset()
    # the reference: the same compiled optimizer, its lr tensor filled from the schedule by hand
    p_ref, opt_ref = _adamw()
    compiled_ref = torch.compile(opt_ref.step, backend="aot_eager")
    for k in range(22):
        p_ref.grad = _grad(k)
        opt_ref.param_groups[0]["lr"].fill_(WARMUP_COSINE(k))
        compiled_ref()
    torch._dynamo.reset()
    torch.testing.assert_close(p.detach(), p_ref.detach(), rtol=1e-12, atol=1e-15)
