"""``lrfuncs.compat.torch`` against the real ``torch.optim.lr_scheduler`` classes (torch 2.13), stepped for real.

Every torch curve comes from a real scheduler built on a real optimizer (SGD with momentum, or
Adam for the ``beta1`` momentum) and stepped in the documented order: the param group's lr (or
momentum) is read *before* ``optimizer.step()``, then ``scheduler.step()``, so index ``k`` is the
value update ``k`` uses, ``get_last_lr()`` after ``k`` calls of ``scheduler.step()``. Warnings are
errors (a wrong step order fails). The compat constructor gets the *same* keyword arguments as the
torch class (plus ``base_lr``, the optimizer's lr, where torch reads it from the optimizer) and is
compared on every step with ``assert_lr_close`` (rtol 1e-12) through all six backends (python, numpy,
jax, jax_jit, jax_vmap, torch) for every constructor (fewer examples on eager JAX and vmap).

The hypothesis configs are the same for every backend (derandomized), and the torch reference of
a config is computed once (``_reference`` caches it).

Documented differences are asserted as such (torch's behaviour first, then ours): crashes that
become ``ValueError`` at construction, ``ConstantLR(factor=0)`` working, ``OneCycleLR`` holding its
final lr past the end (torch extrapolates one step, then raises), settings where torch silently
misbehaves (``total_iters=0``, fractional ``step_size``/milestones, overlapping three-phase
one-cycle), chains that torch does not compute as a product, and the ranges of the core.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import pickle
import re
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
from conftest import BACKENDS, CHEAP, assert_lr_close, evaluate
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as tl
from torch.optim.swa_utils import SWALR as TorchSWALR

import lrfuncs
from lrfuncs.compat import torch as compat

#: every curve is compared on this grid (one shape: JAX compiles its eager ops once)
N = 160
STEPS = np.arange(N)
#: hypothesis examples per (constructor, backend); JAX backends compile per config, so get fewer
FEW = min(settings.default.max_examples, 15)
JAX_FEW = min(settings.default.max_examples, 3)

# ---------------------------------------------------------------------------------------------------------------------
# a real optimizer, stepped for real


def _optimizer(lr: float, adam: bool = False) -> torch.optim.Optimizer:
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    if adam:
        return torch.optim.Adam([p], lr=lr)
    return torch.optim.SGD([p], lr=lr, momentum=0.9)


def _lr(opt: torch.optim.Optimizer) -> float:
    return float(opt.param_groups[0]["lr"])


def _momentum(opt: torch.optim.Optimizer) -> float:
    g = opt.param_groups[0]
    return float(g["betas"][0]) if "betas" in g else float(g["momentum"])


def run_torch(make: Callable[[torch.optim.Optimizer], Any], n: int = N, *, lr: float = 1.0, adam: bool = False,
              read: Callable[[torch.optim.Optimizer], float] = _lr) -> np.ndarray:
    """Build the scheduler on a fresh optimizer and step it ``n - 1`` times; value ``k`` is read before update ``k``."""
    opt = _optimizer(lr, adam)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched = make(opt)
        for k in range(n):
            out.append(read(opt))
            opt.step()
            if k < n - 1:
                sched.step()
    return np.asarray(out, dtype=np.float64)


# ---------------------------------------------------------------------------------------------------------------------
# the cases: one per compat constructor. A drawn config is the torch class' keyword arguments (plus `base_lr`
# where torch reads the lr from the optimizer); keys starting with "_" are test-only (e.g. "_adam").

peaks = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-4, 10.0)
#: eta_min / base_lr: 0 or a normal float (XLA flushes subnormals to zero)
ratios = st.just(0.0) | st.floats(1e-6, 1.0)
decays = st.sampled_from([0.1, 0.5, 1.0]) | st.floats(0.05, 1.0)


def _public(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if not k.startswith("_")}


def _torch_args(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in _public(kw).items() if k != "base_lr"}


@dataclass(frozen=True)
class Case:
    strategy: st.SearchStrategy[dict[str, Any]]
    torch: Callable[[dict[str, Any]], np.ndarray]
    compat: Callable[[dict[str, Any]], lrfuncs.Schedule]
    #: steps torch defines for a config (OneCycleLR: its total_steps; held after)
    length: Callable[[dict[str, Any]], int] = field(default=lambda kw: N)


def _plain_case(name: str, strategy: st.SearchStrategy[dict[str, Any]], read=_lr) -> Case:
    """A class built as ``Cls(optimizer, **kwargs)`` on an optimizer whose lr is ``base_lr``."""
    cls = {"SWALR": TorchSWALR}.get(name) or getattr(tl, name)
    fn = getattr(compat, name)

    def torch_curve(kw):
        return run_torch(lambda o: cls(o, **_torch_args(kw)), lr=kw["base_lr"], adam=kw.get("_adam", False),
                         read=read)

    return Case(strategy, torch_curve, lambda kw: fn(**_public(kw)))


@st.composite
def _step(draw):
    gamma = draw(decays | st.floats(1.0, 1.3))  # > 1: a growth (exponential_decay in stairs)
    return {"base_lr": draw(peaks), "step_size": draw(st.integers(1, 20)), "gamma": gamma}


@st.composite
def _multistep(draw):
    ms = draw(st.lists(st.sampled_from([0, 1, 5]) | st.integers(0, 150), max_size=6))
    return {"base_lr": draw(peaks), "milestones": ms, "gamma": draw(decays)}


@st.composite
def _constant(draw):
    factor = draw(st.sampled_from([1.0 / 3, 1.0]) | st.floats(0.01, 1.0))
    return {"base_lr": draw(peaks), "factor": factor, "total_iters": draw(st.integers(1, 60))}


@st.composite
def _linear(draw):
    return {
        "base_lr": draw(peaks),
        "start_factor": draw(st.sampled_from([1.0 / 3, 1.0]) | st.floats(0.01, 1.0)),
        "end_factor": draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)),
        "total_iters": draw(st.integers(1, 60)),
    }


@st.composite
def _exponential(draw):
    return {"base_lr": draw(peaks), "gamma": draw(st.sampled_from([0.9, 0.99]) | st.floats(0.8, 1.02))}


@st.composite
def _polynomial(draw):
    return {
        "base_lr": draw(peaks),
        "total_iters": draw(st.integers(1, 120)),
        "power": draw(st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.1, 4.0)),
    }


@st.composite
def _cosine(draw):
    base = draw(peaks)
    return {"base_lr": base, "T_max": draw(st.integers(1, 60)), "eta_min": draw(ratios) * base}


@st.composite
def _warm_restarts(draw):
    base = draw(peaks)
    return {
        "base_lr": base,
        "T_0": draw(st.integers(1, 20)),
        "T_mult": draw(st.sampled_from([1, 2]) | st.integers(1, 4)),
        "eta_min": draw(ratios) * base,
    }


@st.composite
def _cyclic(draw):
    peak = draw(peaks)
    mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
    kw = {
        "base_lr": draw(ratios) * peak,
        "max_lr": peak,
        "step_size_up": draw(st.integers(1, 30) | st.floats(0.5, 30.0)),
        "step_size_down": draw(st.none() | st.integers(0, 30) | st.floats(0.5, 30.0)),
        "mode": mode,
        "gamma": draw(st.floats(0.97, 1.0)) if mode == "exp_range" else 1.0,
        "base_momentum": draw(st.sampled_from([0.8, 0.85]) | st.floats(0.5, 0.9)),
        "_adam": draw(st.booleans()),
    }
    kw["max_momentum"] = draw(st.floats(kw["base_momentum"], 0.99))
    return kw


@st.composite
def _onecycle(draw):
    three = draw(st.booleans())
    total = draw(st.sampled_from([10, 100]) | st.integers(2, N - 10))
    pct = draw(st.sampled_from([0.3, 0.25, 0.0]) | st.floats(0.0, 0.5 if three else 1.0))
    if float(pct * total) - 1 == 0:  # torch divides by zero there (tested on its own)
        pct = 0.3
    kw = {
        "max_lr": draw(peaks),
        "pct_start": pct,
        "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
        "div_factor": draw(st.sampled_from([25.0]) | st.floats(1.0, 1e3)),
        "final_div_factor": draw(st.sampled_from([1e4]) | st.floats(1.0, 1e5)),
        "three_phase": three,
        "base_momentum": draw(st.sampled_from([0.85]) | st.floats(0.5, 0.9)),
        "_adam": draw(st.booleans()),
    }
    kw["max_momentum"] = draw(st.floats(kw["base_momentum"], 0.99))
    if draw(st.booleans()):
        kw["total_steps"] = total
    else:  # epochs * steps_per_epoch
        kw["epochs"] = draw(st.integers(1, 10))
        kw["steps_per_epoch"] = max(1, total // kw["epochs"])
        if float(pct * kw["epochs"] * kw["steps_per_epoch"]) - 1 == 0:
            kw["pct_start"] = 0.3
    return kw


def _onecycle_total(kw: dict[str, Any]) -> int:
    return kw["total_steps"] if "total_steps" in kw else kw["epochs"] * kw["steps_per_epoch"]


def _onecycle_case(name: str, read) -> Case:
    fn = getattr(compat, name)

    def torch_curve(kw):
        # steps 0 .. total - 1 (torch's value at total is its extrapolation; tested on its own)
        return run_torch(lambda o: tl.OneCycleLR(o, **_public(kw)), _onecycle_total(kw), adam=kw["_adam"], read=read)

    return Case(_onecycle(), torch_curve, lambda kw: fn(**_public(kw)), _onecycle_total)


@st.composite
def _swalr(draw):
    return {
        "base_lr": draw(peaks),
        "swa_lr": draw(st.just(0.0) | peaks),
        "anneal_epochs": draw(st.sampled_from([0, 1, 10]) | st.integers(0, 60)),
        "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
    }


# ---- composites: members drawn as (class name, kwargs) and built on both sides

MEMBERS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "StepLR": st.fixed_dictionaries({"step_size": st.integers(1, 10), "gamma": decays}),
    "MultiStepLR": st.fixed_dictionaries({"milestones": st.lists(st.integers(0, 40), max_size=3), "gamma": decays}),
    "ConstantLR": st.fixed_dictionaries({"factor": st.floats(0.05, 1.0), "total_iters": st.integers(1, 20)}),
    "LinearLR": st.fixed_dictionaries(
        {"start_factor": st.floats(0.05, 1.0), "end_factor": st.floats(0.0, 1.0), "total_iters": st.integers(1, 20)}
    ),
    "ExponentialLR": st.fixed_dictionaries({"gamma": st.floats(0.9, 1.0)}),
    "PolynomialLR": st.fixed_dictionaries({"total_iters": st.integers(1, 40), "power": st.floats(0.5, 3.0)}),
}
#: members only SequentialLR takes (they are not chainable)
SEQUENTIAL_ONLY: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "CosineAnnealingLR": st.fixed_dictionaries({"T_max": st.integers(1, 30), "eta_min": st.just(0.0)}),
    "CosineAnnealingWarmRestarts": st.fixed_dictionaries({"T_0": st.integers(1, 10), "T_mult": st.integers(1, 2)}),
}


def _member_spec(pool: dict[str, st.SearchStrategy[dict[str, Any]]]):
    return st.sampled_from(sorted(pool)).flatmap(lambda name: pool[name].map(lambda kw: (name, kw)))


def _torch_members(o: torch.optim.Optimizer, members) -> list[Any]:
    return [getattr(tl, name)(o, **kw) for name, kw in members]


def _compat_members(members, base_lr) -> list[lrfuncs.Schedule]:
    return [getattr(compat, name)(**kw, base_lr=base_lr) for name, kw in members]


@st.composite
def _sequential(draw):
    members = draw(st.lists(_member_spec({**MEMBERS, **SEQUENTIAL_ONLY}), min_size=1, max_size=4))
    milestones = sorted(draw(st.lists(st.sampled_from([0]) | st.integers(0, 100), min_size=len(members) - 1,
                                      max_size=len(members) - 1)))
    return {"members": members, "milestones": milestones, "base_lr": draw(peaks)}


def _sequential_torch(kw):
    return run_torch(lambda o: tl.SequentialLR(o, _torch_members(o, kw["members"]), kw["milestones"]),
                     lr=kw["base_lr"])


def _sequential_compat(kw):
    return compat.SequentialLR(_compat_members(kw["members"], kw["base_lr"]), kw["milestones"])


@st.composite
def _chained(draw):
    return {"members": draw(st.lists(_member_spec(MEMBERS), min_size=1, max_size=4)), "base_lr": draw(peaks)}


def _chained_torch(kw):
    return run_torch(lambda o: tl.ChainedScheduler(_torch_members(o, kw["members"])), lr=kw["base_lr"])


def _chained_compat(kw):
    return compat.ChainedScheduler(_compat_members(kw["members"], kw["base_lr"]))


def _cyclic_case(name: str, read) -> Case:
    fn = getattr(compat, name)

    def torch_curve(kw):
        return run_torch(lambda o: tl.CyclicLR(o, **_public(kw)), adam=kw["_adam"], read=read)

    return Case(_cyclic(), torch_curve, lambda kw: fn(**_public(kw)))


CASES: dict[str, Case] = {
    "StepLR": _plain_case("StepLR", _step()),
    "MultiStepLR": _plain_case("MultiStepLR", _multistep()),
    "ConstantLR": _plain_case("ConstantLR", _constant()),
    "LinearLR": _plain_case("LinearLR", _linear()),
    "ExponentialLR": _plain_case("ExponentialLR", _exponential()),
    "PolynomialLR": _plain_case("PolynomialLR", _polynomial()),
    "CosineAnnealingLR": _plain_case("CosineAnnealingLR", _cosine()),
    "CosineAnnealingWarmRestarts": _plain_case("CosineAnnealingWarmRestarts", _warm_restarts()),
    "CyclicLR": _cyclic_case("CyclicLR", _lr),
    "CyclicLRMomentum": _cyclic_case("CyclicLRMomentum", _momentum),
    "OneCycleLR": _onecycle_case("OneCycleLR", _lr),
    "OneCycleLRMomentum": _onecycle_case("OneCycleLRMomentum", _momentum),
    "SWALR": _plain_case("SWALR", _swalr()),
    "SequentialLR": Case(_sequential(), _sequential_torch, _sequential_compat),
    "ChainedScheduler": Case(_chained(), _chained_torch, _chained_compat),
}

_REFERENCES: dict[tuple[str, str], np.ndarray] = {}


def _reference(name: str, kw: dict[str, Any]) -> np.ndarray:
    """The torch curve of a config, computed once for all backends."""
    key = (name, json.dumps(kw, sort_keys=True, default=repr))
    if key not in _REFERENCES:
        _REFERENCES[key] = CASES[name].torch(kw)
    return _REFERENCES[key]


def test_every_constructor_has_a_case():
    assert sorted(CASES) == sorted(compat.__all__)


# ---------------------------------------------------------------------------------------------------------------------
# 1. parity on hypothesis-drawn configs


@pytest.mark.parametrize(
    ("name", "backend"), [(n, b) for n in CASES for b in BACKENDS]
)
def test_parity_with_torch(name: str, backend: str) -> None:
    case = CASES[name]

    @settings(max_examples=FEW if backend in CHEAP else JAX_FEW)
    @given(kw=case.strategy)
    def check(kw: dict[str, Any]) -> None:
        expected = _reference(name, kw)
        s = case.compat(kw)
        got = evaluate(backend, lambda t: s(t), STEPS)
        n = case.length(kw)
        peak = float(np.max(np.abs(expected)))
        assert_lr_close(got[:n], expected[:n], peak=peak)
        if n < N:  # OneCycleLR: the final value holds (torch raises after one extrapolated step)
            assert_lr_close(got[n:], np.full(N - n, expected[n - 1]), peak=peak)

    check()


def test_sequential_lr_milestone_zero_and_initialization():
    """torch 2.13: before the first milestone the lr comes from schedulers[bisect_right(milestones, 0)] at its
    step 0 (the old bugs: the last constructed scheduler set it, #72874; a milestone 0 was off by one, #185872)."""
    cases = [
        ([("LinearLR", {"start_factor": 0.1, "total_iters": 3}), ("ExponentialLR", {"gamma": 0.5}),
          ("ConstantLR", {"factor": 0.25, "total_iters": 2})], [3, 6]),
        ([("ConstantLR", {"factor": 0.5, "total_iters": 3}), ("CosineAnnealingLR", {"T_max": 5})], [0]),
        ([("ConstantLR", {"factor": 0.5, "total_iters": 3}), ("ExponentialLR", {"gamma": 0.5}),
          ("StepLR", {"step_size": 2, "gamma": 0.5})], [0, 0]),
        ([("ExponentialLR", {"gamma": 0.5}), ("LinearLR", {"start_factor": 0.2, "total_iters": 4})], [2]),
    ]
    for members, milestones in cases:
        ref = run_torch(lambda o, m=members, ms=milestones: tl.SequentialLR(o, _torch_members(o, m), ms), 20)
        s = compat.SequentialLR(_compat_members(members, 1.0), milestones)
        assert_lr_close([s(k) for k in range(20)], ref)
    # the first value of the 1st case is LinearLR's, not the last constructed ConstantLR's 0.25
    assert compat.SequentialLR(_compat_members(cases[0][0], 1.0), cases[0][1])(0) == pytest.approx(0.1)


def test_golden_anchors_3_2():
    """anchors.md 3.2 (5 significant digits): ChainedScheduler and SequentialLR compositions."""
    chained = compat.ChainedScheduler(
        [compat.ConstantLR(factor=0.1, total_iters=3, base_lr=1.0), compat.ExponentialLR(0.9, base_lr=1.0)]
    )
    np.testing.assert_allclose([chained(k) for k in range(6)], [0.1, 0.09, 0.081, 0.729, 0.6561, 0.59049], rtol=1e-4)
    seq = compat.SequentialLR(
        [compat.LinearLR(0.1, 1, 3, base_lr=1.0), compat.CosineAnnealingLR(5, base_lr=1.0)], milestones=[3]
    )
    np.testing.assert_allclose(
        [seq(k) for k in range(10)],
        [0.1, 0.4, 0.7, 1, 0.90451, 0.65451, 0.34549, 0.095492, 0, 0.095492],
        rtol=1e-4,
        atol=1e-12,
    )


def test_warm_restarts_fractional_epochs():
    """torch's step(epoch + i / iters) (its documented per-batch use) is s(epoch + i / iters)."""
    for T_0, T_mult in [(2, 1), (3, 2), (5, 1), (1, 2)]:
        epochs = [k / 4 for k in range(4 * 30)]
        opt = _optimizer(0.5)
        ref = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # step(epoch) is deprecated, and the only way to do this in torch
            sched = tl.CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min=0.01)
            for e in epochs:
                sched.step(e)
                ref.append(_lr(opt))
        s = compat.CosineAnnealingWarmRestarts(T_0, T_mult, eta_min=0.01, base_lr=0.5)
        for backend in ("python", "numpy", "jax_jit", "torch"):
            assert_lr_close(evaluate(backend, lambda t, s=s: s(t), np.asarray(epochs)), ref, peak=0.5)


def test_momentum_companions_match_adam_beta1_and_sgd_momentum():
    for adam in (False, True):
        kw = {"max_lr": 0.5, "total_steps": 40, "pct_start": 0.25, "three_phase": True, "base_momentum": 0.8,
              "max_momentum": 0.92}
        ref = run_torch(lambda o, kw=kw: tl.OneCycleLR(o, **kw), 40, adam=adam, read=_momentum)
        assert_lr_close([compat.OneCycleLRMomentum(**kw)(k) for k in range(40)], ref)
        kw = {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": 3, "step_size_down": 5, "mode": "triangular2"}
        ref = run_torch(lambda o, kw=kw: tl.CyclicLR(o, **kw), 40, adam=adam, read=_momentum)
        assert_lr_close([compat.CyclicLRMomentum(**kw)(k) for k in range(40)], ref)


# ---------------------------------------------------------------------------------------------------------------------
# 2. documented differences: torch's behaviour, then ours


def _torch_error(make, n: int = 20, lr: float = 1.0) -> BaseException:
    """The exception torch raises while building or stepping a scheduler (fails if it raises none)."""
    try:
        run_torch(make, n, lr=lr)
    except Exception as e:
        return e
    raise AssertionError("torch raised nothing")


def test_crashes_become_value_errors():
    e = _torch_error(lambda o: tl.CosineAnnealingLR(o, T_max=0))
    assert isinstance(e, ZeroDivisionError)
    with pytest.raises(ValueError, match="`T_max` must be > 0"):
        compat.CosineAnnealingLR(T_max=0, base_lr=1.0)

    e = _torch_error(lambda o: tl.StepLR(o, step_size=0))
    assert isinstance(e, ZeroDivisionError)
    with pytest.raises(ValueError, match="`step_size` must be a whole number >= 1"):
        compat.StepLR(step_size=0, base_lr=1.0)

    e = _torch_error(lambda o: tl.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.1))  # 0.1 * 10 == 1
    assert isinstance(e, ZeroDivisionError)
    with pytest.raises(ValueError, match="`pct_start` times `total_steps` must not be 1"):
        compat.OneCycleLR(max_lr=1.0, total_steps=10, pct_start=0.1)

    e = _torch_error(lambda o: tl.CyclicLR(o, base_lr=0.1, max_lr=1.0, step_size_up=0))
    assert isinstance(e, ZeroDivisionError)
    with pytest.raises(ValueError, match="`up_steps` must be > 0"):
        compat.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=0)


def test_constant_lr_factor_zero_works_here():
    e = _torch_error(lambda o: tl.ConstantLR(o, factor=0.0, total_iters=3))
    assert isinstance(e, ZeroDivisionError)  # at total_iters: its recursive form divides by the factor
    s = compat.ConstantLR(factor=0.0, total_iters=3, base_lr=0.5)
    assert [s(k) for k in range(5)] == [0.0, 0.0, 0.0, 0.5, 0.5]


def test_onecycle_holds_its_final_lr_past_the_end():
    kw = {"max_lr": 1.0, "total_steps": 10}
    ref = run_torch(lambda o: tl.OneCycleLR(o, **kw), 11)  # value 10 is torch's extrapolation
    s = compat.OneCycleLR(**kw)
    assert_lr_close([s(k) for k in range(10)], ref[:10])
    assert ref[10] > 100 * ref[9]  # torch: the lr rises again at step_num == total_steps (0.0495 vs 4e-6)
    assert s(10) == s(9) == s(10**6) == pytest.approx(4e-6)
    e = _torch_error(lambda o: tl.OneCycleLR(o, **kw), 12)
    assert isinstance(e, ValueError)
    assert "Tried to step 11 times. The specified number of total steps is 10" in str(e)
    m = compat.OneCycleLRMomentum(**kw)
    assert m(10**6) == m(9) == pytest.approx(0.95)


def test_settings_where_torch_misbehaves_are_refused():
    # total_iters=0: torch's stepped form keeps the start factor forever (its closed form divides by zero)
    for cls, kw in [(tl.ConstantLR, {"factor": 0.5}), (tl.LinearLR, {"start_factor": 0.5})]:
        assert list(run_torch(lambda o, c=cls, kw=kw: c(o, total_iters=0, **kw), 5)) == [0.5] * 5
        with pytest.raises(ValueError, match="`total_iters` must be a whole number >= 1"):
            getattr(compat, cls.__name__)(total_iters=0, base_lr=1.0, **kw)
    assert list(run_torch(lambda o: tl.PolynomialLR(o, total_iters=0), 5)) == [1.0] * 5  # never decays
    with pytest.raises(ValueError, match="`total_iters` must be a whole number >= 1"):
        compat.PolynomialLR(total_iters=0, base_lr=1.0)
    # a fractional step_size decays only where a multiple is whole (5, 10, ...): not gamma ** (k // 2.5)
    ref = run_torch(lambda o: tl.StepLR(o, step_size=2.5, gamma=0.5), 12)
    assert list(ref[[3, 5, 10]]) == [1.0, 0.5, 0.25]
    with pytest.raises(ValueError, match="`step_size` must be a whole number >= 1"):
        compat.StepLR(step_size=2.5, base_lr=1.0)
    # a fractional milestone is never hit
    assert list(run_torch(lambda o: tl.MultiStepLR(o, milestones=[2.5], gamma=0.5), 6)) == [1.0] * 6
    with pytest.raises(ValueError, match="`milestones` must hold whole numbers"):
        compat.MultiStepLR(milestones=[2.5], base_lr=1.0)
    # three phases with pct_start > 0.5 overlap: the final lr is never reached
    ref = run_torch(lambda o: tl.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.6, three_phase=True), 10)
    assert ref.min() > 0.03  # ends at initial_lr 0.04, not at min_lr 4e-6
    with pytest.raises(ValueError, match=r"`pct_start` must be <= 0.5 with `three_phase=True`"):
        compat.OneCycleLR(max_lr=1.0, total_steps=10, pct_start=0.6, three_phase=True)
    # unsorted milestones of SequentialLR
    with pytest.raises(ValueError, match="`milestones` must be non-decreasing"):
        compat.SequentialLR([compat.ConstantLR(base_lr=1.0)] * 3, milestones=[5, 2])
    # resuming: a pure schedule is evaluated at the step instead
    with pytest.raises(ValueError, match="`last_epoch` must be -1"):
        compat.StepLR(10, last_epoch=5, base_lr=1.0)


def test_core_ranges_narrow_torchs():
    # eta_min above the lr: torch's cosine rises to it; lrfuncs' floors are at most the peak
    ref = run_torch(lambda o: tl.CosineAnnealingLR(o, T_max=4, eta_min=2.0), 5)
    assert ref[4] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="`eta_min` must be <= `base_lr`"):
        compat.CosineAnnealingLR(T_max=4, eta_min=2.0, base_lr=1.0)
    with pytest.raises(ValueError, match="`eta_min` must be <= `base_lr`"):
        compat.CosineAnnealingWarmRestarts(4, eta_min=2.0, base_lr=1.0)
    # max_lr below base_lr: torch's triangle is upside down
    ref = run_torch(lambda o: tl.CyclicLR(o, base_lr=1.0, max_lr=0.1, step_size_up=2), 5)
    assert list(np.round(ref, 6)) == [1.0, 0.55, 0.1, 0.55, 1.0]
    with pytest.raises(ValueError, match="`min_lr` must be <= `peak_lr`"):
        compat.CyclicLR(base_lr=1.0, max_lr=0.1, step_size_up=2)
    with pytest.raises(ValueError, match=r"`gamma` must be in \(0, 1\]"):
        compat.CyclicLR(0.1, 1.0, mode="exp_range", gamma=1.5)
    with pytest.raises(ValueError, match=r"`gamma` must be in \(0, 1\]"):
        compat.MultiStepLR([3], gamma=2.0, base_lr=1.0)
    with pytest.raises(ValueError, match="`decay_rate` must be > 0"):
        compat.ExponentialLR(0.0, base_lr=1.0)
    with pytest.raises(ValueError, match="`power` must be > 0"):
        compat.PolynomialLR(power=0.0, base_lr=1.0)
    with pytest.raises(ValueError, match="`base_lr` must be > 0"):
        compat.StepLR(3, base_lr=0.0)


def test_torchs_own_validation_messages():
    """Where torch validates, the compat constructor raises a ValueError too: torch's message, or (factor ranges,
    mode) lrfuncs' message naming the argument."""
    cases = [
        (lambda o: tl.OneCycleLR(o, 1.0, total_steps=10.0), lambda: compat.OneCycleLR(1.0, total_steps=10.0)),
        (lambda o: tl.OneCycleLR(o, 1.0, total_steps=0), lambda: compat.OneCycleLR(1.0, total_steps=0)),
        (lambda o: tl.OneCycleLR(o, 1.0), lambda: compat.OneCycleLR(1.0)),
        (lambda o: tl.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3),
         lambda: compat.OneCycleLR(1.0, epochs=0, steps_per_epoch=3)),
        (lambda o: tl.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=1.5),
         lambda: compat.OneCycleLR(1.0, epochs=2, steps_per_epoch=1.5)),
        (lambda o: tl.OneCycleLR(o, 1.0, total_steps=10, pct_start=0),
         lambda: compat.OneCycleLR(1.0, total_steps=10, pct_start=0)),
        (lambda o: tl.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"),
         lambda: compat.OneCycleLR(1.0, total_steps=10, anneal_strategy="exp")),
        (lambda o: tl.CosineAnnealingWarmRestarts(o, T_0=0),
         lambda: compat.CosineAnnealingWarmRestarts(0, base_lr=1.0)),
        (lambda o: tl.CosineAnnealingWarmRestarts(o, T_0=2.0),
         lambda: compat.CosineAnnealingWarmRestarts(2.0, base_lr=1.0)),
        (lambda o: tl.CosineAnnealingWarmRestarts(o, 4, T_mult=1.5),
         lambda: compat.CosineAnnealingWarmRestarts(4, 1.5, base_lr=1.0)),
        (lambda o: tl.CosineAnnealingWarmRestarts(o, 4, eta_min="0"),
         lambda: compat.CosineAnnealingWarmRestarts(4, eta_min="0", base_lr=1.0)),
        (lambda o: TorchSWALR(o, 0.1, anneal_epochs=-1), lambda: compat.SWALR(0.1, anneal_epochs=-1, base_lr=1.0)),
        (lambda o: TorchSWALR(o, 0.1, anneal_epochs=2.0), lambda: compat.SWALR(0.1, anneal_epochs=2.0, base_lr=1.0)),
        (lambda o: TorchSWALR(o, 0.1, anneal_strategy="exp"),
         lambda: compat.SWALR(0.1, anneal_strategy="exp", base_lr=1.0)),
        (lambda o: tl.ConstantLR(o, factor=1.5), lambda: compat.ConstantLR(factor=1.5, base_lr=1.0),
         r"`factor` must be in \[0, 1\]"),
        (lambda o: tl.LinearLR(o, start_factor=0.0), lambda: compat.LinearLR(start_factor=0.0, base_lr=1.0),
         r"`start_factor` must be in \(0, 1\]"),
        (lambda o: tl.LinearLR(o, end_factor=1.5), lambda: compat.LinearLR(end_factor=1.5, base_lr=1.0),
         r"`end_factor` must be in \[0, 1\]"),
        (lambda o: tl.CyclicLR(o, 0.1, 1.0, mode="square"), lambda: compat.CyclicLR(0.1, 1.0, mode="square"),
         "mode is invalid and scale_fn is None"),
        (lambda o: tl.SequentialLR(o, [tl.ConstantLR(o), tl.ConstantLR(o)], milestones=[]),
         lambda: compat.SequentialLR([compat.ConstantLR(base_lr=1.0)] * 2, milestones=[])),
    ]
    for i, (anchor, ours, *match) in enumerate(cases):
        e = _torch_error(anchor)
        assert isinstance(e, ValueError), (i, e)
        with pytest.raises(ValueError, match=match[0] if match else "^" + re.escape(str(e)) + "$"):
            ours()


def test_chained_scheduler_refuses_what_torch_does_not_multiply():
    # torch: ExponentialLR then CosineAnnealingLR past T_max is not the product of their closed forms
    ref = run_torch(lambda o: tl.ChainedScheduler([tl.ExponentialLR(o, 0.9), tl.CosineAnnealingLR(o, 5)]), 9)
    product = [0.9**k * (1 + math.cos(math.pi * k / 5)) / 2 for k in range(9)]
    assert_lr_close(ref[:6], product[:6])
    assert abs(ref[6] - product[6]) > 0.01  # the additive restart ignores the other factors
    # ... nor is ExponentialLR then SWALR (SWALR re-derives its start from the current lr and ends at swa_lr)
    ref = run_torch(lambda o: tl.ChainedScheduler([tl.ExponentialLR(o, 0.9), TorchSWALR(o, 0.1, anneal_epochs=4)]), 6)
    assert ref[5] == pytest.approx(0.1)  # the product of closed forms would be 0.9**5 * 0.1 = 0.059
    for member in (compat.CosineAnnealingLR(5, base_lr=1.0), compat.OneCycleLR(1.0, total_steps=10),
                   compat.CyclicLR(0.1, 1.0), compat.CosineAnnealingWarmRestarts(4, base_lr=1.0),
                   compat.SWALR(0.1, base_lr=1.0),
                   compat.SequentialLR([compat.ConstantLR(base_lr=1.0)], milestones=[])):
        with pytest.raises(ValueError, match="chainable schedulers"):
            compat.ChainedScheduler([compat.ExponentialLR(0.9, base_lr=1.0), member])
    with pytest.raises(ValueError, match="must share one `base_lr`"):
        compat.ChainedScheduler([compat.ExponentialLR(0.9, base_lr=1.0), compat.StepLR(3, base_lr=0.5)])
    with pytest.raises(ValueError, match="at least one"):
        compat.ChainedScheduler([])
    with pytest.raises(TypeError, match="lrfuncs schedules"):
        compat.ChainedScheduler([tl.StepLR])
    # nested chains multiply too
    inner = compat.ChainedScheduler([compat.ExponentialLR(0.9, base_lr=2.0), compat.StepLR(2, base_lr=2.0)])
    outer = compat.ChainedScheduler([inner, compat.ConstantLR(0.5, 3, base_lr=2.0)])
    ref = run_torch(lambda o: tl.ChainedScheduler([tl.ChainedScheduler([tl.ExponentialLR(o, 0.9), tl.StepLR(o, 2)]),
                                                   tl.ConstantLR(o, 0.5, 3)]), 10, lr=2.0)
    assert_lr_close([outer(k) for k in range(10)], ref, peak=2.0)


def test_sequential_lr_with_members_that_write_the_param_group():
    """CyclicLR after a member works in torch; OneCycleLR corrupts the members before it (documented)."""
    kw = {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": 2}
    ref = run_torch(lambda o: tl.SequentialLR(o, [tl.LinearLR(o, 0.1, 1, 3), tl.CyclicLR(o, **kw)], [3]), 15)
    s = compat.SequentialLR([compat.LinearLR(0.1, 1, 3, base_lr=1.0), compat.CyclicLR(**kw)], [3])
    assert_lr_close([s(k) for k in range(15)], ref)
    # OneCycleLR sets initial_lr = max_lr / div_factor: torch's LinearLR before it then multiplies 0.08, not 1.0
    ref = run_torch(lambda o: tl.SequentialLR(o, [tl.LinearLR(o, 0.1, 1, 3), tl.OneCycleLR(o, 2.0, total_steps=6)],
                                               [3]), 9)
    s = compat.SequentialLR([compat.LinearLR(0.1, 1, 3, base_lr=1.0), compat.OneCycleLR(2.0, total_steps=6)], [3])
    assert (ref[0], s(0)) == pytest.approx((0.008, 0.1))
    assert_lr_close([s(k) for k in range(3, 9)], ref[3:])  # from the milestone on, both are OneCycleLR
    # SWALR anneals from the lr the previous member left: pass it as base_lr
    ref = run_torch(lambda o: tl.SequentialLR(o, [tl.ExponentialLR(o, 0.5), TorchSWALR(o, 0.05, anneal_epochs=4)],
                                               [3]), 10)
    s = compat.SequentialLR([compat.ExponentialLR(0.5, base_lr=1.0), compat.SWALR(0.05, 4, base_lr=0.25)], [3])
    assert_lr_close([s(k) for k in range(10)], ref)


def test_callables_and_lists_are_not_config():
    with pytest.raises(TypeError, match="`scale_fn` is a Python callable"):
        compat.CyclicLR(0.1, 1.0, scale_fn=lambda x: 1.0)
    with pytest.raises(TypeError, match="`swa_lr` must be one number"):
        compat.SWALR([0.1, 0.2], base_lr=1.0)
    with pytest.raises(ValueError, match="`cycle_momentum` must be True"):
        compat.OneCycleLRMomentum(1.0, total_steps=10, cycle_momentum=False)
    with pytest.raises(ValueError, match="`cycle_momentum` must be True"):
        compat.CyclicLRMomentum(0.1, 1.0, cycle_momentum=False)
    with pytest.raises(TypeError, match="list of lrfuncs schedules"):
        compat.SequentialLR(compat.ConstantLR(base_lr=1.0), milestones=[])


# ---------------------------------------------------------------------------------------------------------------------
# 3. pickle, to_dict, import hygiene

EXAMPLES: dict[str, Callable[[], lrfuncs.Schedule]] = {
    "StepLR": lambda: compat.StepLR(30, base_lr=0.1),
    "MultiStepLR": lambda: compat.MultiStepLR([30, 80, 80], base_lr=0.1),
    "ConstantLR": lambda: compat.ConstantLR(base_lr=0.1),
    "LinearLR": lambda: compat.LinearLR(base_lr=0.1),
    "ExponentialLR": lambda: compat.ExponentialLR(0.95, base_lr=0.1),
    "PolynomialLR": lambda: compat.PolynomialLR(total_iters=50, power=2.0, base_lr=0.1),
    "CosineAnnealingLR": lambda: compat.CosineAnnealingLR(100, eta_min=1e-4, base_lr=0.1),
    "CosineAnnealingWarmRestarts": lambda: compat.CosineAnnealingWarmRestarts(10, 2, base_lr=0.1),
    "CyclicLR": lambda: compat.CyclicLR(1e-4, 1e-2, 20, mode="exp_range", gamma=0.99),
    "CyclicLRMomentum": lambda: compat.CyclicLRMomentum(1e-4, 1e-2, 20, mode="triangular2"),
    "OneCycleLR": lambda: compat.OneCycleLR(0.1, epochs=3, steps_per_epoch=40, three_phase=True),
    "OneCycleLRMomentum": lambda: compat.OneCycleLRMomentum(0.1, total_steps=120, anneal_strategy="linear"),
    "SWALR": lambda: compat.SWALR(0.05, anneal_epochs=5, base_lr=0.1),
    "SequentialLR": lambda: compat.SequentialLR(
        [compat.LinearLR(0.01, total_iters=10, base_lr=0.1), compat.CosineAnnealingLR(90, base_lr=0.1)], [10]
    ),
    "ChainedScheduler": lambda: compat.ChainedScheduler(
        [compat.ConstantLR(0.1, 5, base_lr=0.1), compat.ExponentialLR(0.99, base_lr=0.1)]
    ),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pickle_and_to_dict_round_trip(name: str) -> None:
    assert sorted(EXAMPLES) == sorted(compat.__all__)
    s = EXAMPLES[name]()
    assert isinstance(s, lrfuncs.Schedule)
    for back in (pickle.loads(pickle.dumps(s)), lrfuncs.Schedule.from_dict(json.loads(json.dumps(s.to_dict())))):
        assert back == s
        steps = np.arange(0, 300, 7)
        np.testing.assert_array_equal(back(steps), s(steps))


def test_importing_the_compat_modules_imports_no_framework():
    """In a fresh interpreter: build every torch/timm compat schedule and evaluate it on Python numbers."""
    script = textwrap.dedent(
        """
        import json, sys
        from lrfuncs.compat import torch as ct, timm as cm
        s = [ct.StepLR(3, base_lr=0.1), ct.OneCycleLR(0.1, total_steps=20), ct.CyclicLRMomentum(0.1, 1.0),
             ct.SequentialLR([ct.LinearLR(base_lr=1.0), ct.CosineAnnealingLR(10, base_lr=1.0)], [5]),
             ct.ChainedScheduler([ct.ConstantLR(base_lr=1.0), ct.PolynomialLR(base_lr=1.0)]),
             cm.CosineLRScheduler(10, warmup_t=2, base_lr=0.1, noise_range_t=(3, 6), updates_per_epoch=4),
             cm.WSDLRScheduler(20, 5, base_lr=0.1)]
        values = [f(k) for f in s for k in range(30)]
        frameworks = ("numpy", "jax", "torch", "timm", "optax", "scipy")
        loaded = sorted(f for f in frameworks if any(m == f or m.startswith(f + ".") for m in sys.modules))
        print(json.dumps({"loaded": loaded, "floats": all(type(v) is float for v in values)}))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
    proc = subprocess.run([sys.executable, "-c", script], cwd=pathlib.Path(__file__).resolve().parents[1], env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"loaded": [], "floats": True}
