"""``lrfuncs.compat.timm`` against timm's real scheduler classes (timm 1.0.31).

timm's package ``__init__`` imports torchvision (absent), so its scheduler files are loaded
directly as a package (``multistep_lr.py`` imports ``timm.scheduler.scheduler`` by its absolute
name: that one name is mapped to the directly loaded module while the files load).

The anchor value of a step ``t`` is ``scheduler._get_lr(t)`` of a scheduler built on a real SGD
optimizer whose lr is ``base_lr``: the value timm writes with ``step(t)`` (``t_in_epochs=True``) or
``step_update(t)`` (``t_in_epochs=False``); the stepping paths, per-epoch and per-update, are
tested on their own (``test_stepping_per_epoch_and_per_update``). The compat constructor gets the
*same* keyword arguments as the timm class, plus ``base_lr``, and is compared on whole and
fractional ``t`` (past the end too) with ``assert_lr_close`` (rtol 1e-12) through all six backends
(fewer examples on eager JAX and vmap).

Cycle boundaries: timm takes the cycle index from ``floor(log(1 - u/T*(1 - m), m))``, which rounds
the wrong way at some exact restarts (see test_parity_timm.py); a step on an exact cycle start
(exact arithmetic, within 1e-9) is left out of the comparison when ``cycle_mul != 1``. With
``cycle_mul < 1`` timm raises ``ValueError: math domain error`` past the end of all cycles; there
lrfuncs holds ``lr_min`` (asserted).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import pathlib
import pickle
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import torch
from conftest import BACKENDS, CHEAP, assert_lr_close, evaluate
from hypothesis import given, settings
from hypothesis import strategies as st

import lrfuncs
from lrfuncs.compat import timm as compat


def _load_timm_schedulers() -> dict[str, Any]:
    d = pathlib.Path(importlib.util.find_spec("timm").submodule_search_locations[0]) / "scheduler"
    if "_timm_sched" not in sys.modules:
        pkg = types.ModuleType("_timm_sched")
        pkg.__path__ = [str(d)]
        sys.modules["_timm_sched"] = pkg
    base = importlib.import_module("_timm_sched.scheduler")
    alias = "timm.scheduler.scheduler"
    had = alias in sys.modules
    sys.modules.setdefault(alias, base)
    try:
        mods = {n: importlib.import_module(f"_timm_sched.{n}") for n in
                ("cosine_lr", "tanh_lr", "step_lr", "multistep_lr", "poly_lr", "wsd_lr")}
    finally:
        if not had:
            del sys.modules[alias]
    return {
        "CosineLRScheduler": mods["cosine_lr"].CosineLRScheduler,
        "TanhLRScheduler": mods["tanh_lr"].TanhLRScheduler,
        "StepLRScheduler": mods["step_lr"].StepLRScheduler,
        "MultiStepLRScheduler": mods["multistep_lr"].MultiStepLRScheduler,
        "PolyLRScheduler": mods["poly_lr"].PolyLRScheduler,
        "WSDLRScheduler": mods["wsd_lr"].WSDLRScheduler,
    }


TIMM = _load_timm_schedulers()

#: whole and fractional steps, past the end of every drawn schedule's first cycle
STEPS = np.arange(0.0, 120.0, 0.5)
FEW = min(settings.default.max_examples, 15)
JAX_FEW = min(settings.default.max_examples, 3)
FOUR = ("python", "numpy", "jax_jit", "torch")
#: a step within this relative distance of an exact cycle start is "on" it (timm's log may round either way)
EDGE = 1e-9


def _optimizer(lr: float) -> torch.optim.Optimizer:
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    return torch.optim.SGD([p], lr=lr)


def timm_scheduler(name: str, kw: dict[str, Any]) -> tuple[Any, torch.optim.Optimizer]:
    opt = _optimizer(kw["base_lr"])
    args = {k: v for k, v in kw.items() if k not in ("base_lr", "updates_per_epoch")}
    return TIMM[name](opt, **args), opt


def timm_values(sched: Any, steps: np.ndarray) -> np.ndarray:
    """``_get_lr(t)`` per step; NaN where timm raises ``math domain error`` (cycle_mul < 1, past all cycles)."""
    out = []
    for t in steps:
        try:
            out.append(sched._get_lr(float(t))[0])
        except ValueError as e:
            if "math domain error" not in str(e):
                raise
            out.append(math.nan)
    return np.asarray(out, dtype=np.float64)


# ---------------------------------------------------------------------------------------------------------------------
# configs: the timm class' keyword arguments plus base_lr

peaks = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-4, 10.0)
ratios = st.just(0.0) | st.floats(1e-6, 1.0)
decays = st.sampled_from([0.1, 0.5, 1.0]) | st.floats(0.05, 1.0)
cycle_mults = st.sampled_from([1.0, 2.0, 0.5, 1.5, 3.0, 0.75]) | st.floats(0.3, 3.0)


@st.composite
def _warmup(draw, base: float, prefix_default: bool) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if draw(st.booleans()):
        kw["warmup_t"] = draw(st.integers(1, 10) | st.floats(0.5, 10.0))
        kw["warmup_lr_init"] = draw(ratios) * base
    if draw(st.booleans()):
        kw["warmup_prefix"] = not prefix_default
    return kw


@st.composite
def _cycles(draw, base: float, *, floor_kept: bool) -> dict[str, Any]:
    """t_initial, lr_min and the cycle options; without ``floor_kept`` restarts need lr_min == 0 or no decay."""
    kw = {"t_initial": draw(st.integers(1, 20)), "lr_min": draw(ratios) * base}
    if draw(st.booleans()):
        kw.update(cycle_mul=draw(cycle_mults), cycle_decay=draw(decays), cycle_limit=draw(st.integers(1, 4)))
        if not floor_kept and kw["cycle_limit"] > 1 and kw["lr_min"] != 0:
            if draw(st.booleans()):
                kw["lr_min"] = 0.0
            else:
                kw["cycle_decay"] = 1.0
    return kw


@st.composite
def _cosine(draw):
    base = draw(peaks)
    kw = {"base_lr": base, **draw(_cycles(base, floor_kept=True)), **draw(_warmup(base, False))}
    if draw(st.booleans()):
        kw["k_decay"] = draw(st.sampled_from([0.5, 2.0]) | st.floats(0.3, 3.0))
    return kw


@st.composite
def _tanh(draw):
    base = draw(peaks)
    kw = {"base_lr": base, **draw(_cycles(base, floor_kept=False)), **draw(_warmup(base, False))}
    if draw(st.booleans()):
        lb = draw(st.floats(-10.0, 0.0))
        kw.update(lb=lb, ub=lb + draw(st.floats(0.5, 12.0)))
    return kw


@st.composite
def _step(draw):
    base = draw(peaks)
    rate = draw(decays | st.floats(1.0, 1.2))
    return {"base_lr": base, "decay_t": draw(st.integers(1, 20) | st.floats(0.5, 20.0)), "decay_rate": rate,
            **draw(_warmup(base, True))}


@st.composite
def _multistep(draw):
    base = draw(peaks)
    ms = sorted(draw(st.lists(st.sampled_from([0, 1, 2]) | st.integers(0, 100), max_size=5)))
    return {"base_lr": base, "decay_t": ms, "decay_rate": draw(decays), **draw(_warmup(base, True))}


@st.composite
def _poly(draw):
    base = draw(peaks)
    kw = {"base_lr": base, **draw(_cycles(base, floor_kept=False)), **draw(_warmup(base, False))}
    kw["power"] = draw(st.sampled_from([0.5, 1.0, 2.0]) | st.floats(0.2, 4.0))
    if draw(st.booleans()):
        kw["k_decay"] = draw(st.sampled_from([0.5, 2.0]) | st.floats(0.3, 3.0))
    return kw


@st.composite
def _wsd(draw):
    base = draw(peaks)
    t_initial = draw(st.integers(1, 80))
    kw: dict[str, Any] = {
        "base_lr": base,
        "t_initial": t_initial,
        "decay_t": draw(st.integers(1, t_initial) | st.floats(0.5, float(t_initial))),
        "lr_min": draw(ratios) * base,
        "decay_fn": draw(st.sampled_from(["1-sqrt", "linear", "cosine", "power", "exp"])),
        "decay_power": draw(st.sampled_from([0.5, 2.0]) | st.floats(0.2, 4.0)),
        "decay_ratio": draw(st.sampled_from([0.1]) | st.floats(0.01, 0.99)),
        "stable_fn": draw(st.sampled_from(["constant", "rsqrt", "power"])),
        "stable_power": draw(st.sampled_from([0.5]) | st.floats(0.1, 2.0)),
    }
    if draw(st.booleans()):
        kw["warmup_t"] = draw(st.integers(1, 20) | st.floats(0.5, 20.0))
        kw["warmup_lr_init"] = draw(ratios) * base
    if kw["stable_fn"] != "constant" and (draw(st.booleans()) or "warmup_t" not in kw):
        kw["stable_timescale"] = draw(st.floats(0.5, 50.0))
    return kw


@dataclass(frozen=True)
class Case:
    strategy: st.SearchStrategy[dict[str, Any]]
    cycles: bool  # timm's logarithmic cycle index is used


CASES: dict[str, Case] = {
    "CosineLRScheduler": Case(_cosine(), True),
    "TanhLRScheduler": Case(_tanh(), True),
    "StepLRScheduler": Case(_step(), False),
    "MultiStepLRScheduler": Case(_multistep(), False),
    "PolyLRScheduler": Case(_poly(), True),
    "WSDLRScheduler": Case(_wsd(), False),
}

_REFERENCES: dict[tuple[str, str], np.ndarray] = {}


def _reference(name: str, kw: dict[str, Any]) -> np.ndarray:
    key = (name, json.dumps(kw, sort_keys=True))
    if key not in _REFERENCES:
        _REFERENCES[key] = timm_values(timm_scheduler(name, kw)[0], STEPS)
    return _REFERENCES[key]


def on_cycle_start(kw: dict[str, Any], steps: np.ndarray) -> np.ndarray:
    """Steps whose cycle clock is within EDGE of an exact cycle start (or of the end of shrinking cycles)."""
    m = kw.get("cycle_mul", 1.0)
    out = np.zeros(len(steps), dtype=bool)
    if m == 1.0:
        return out
    w = kw.get("warmup_t", 0)
    prefix = kw.get("warmup_prefix", False)
    mf, T = Fraction(m), Fraction(kw["t_initial"])
    starts, start, length = [], Fraction(0), T
    while start <= Fraction(float(steps[-1])) and len(starts) < 10_000:
        start += length
        starts.append(start)
        length *= mf
        if mf < 1 and length / (1 - mf) < EDGE * start:
            starts.append(T / (1 - mf))
            break
    for k, t in enumerate(steps):
        if t < w:
            continue
        u = Fraction(float(t)) - (Fraction(w) if prefix else 0)
        out[k] = any(abs(u - s) <= EDGE * max(1, s) for s in starts)
    return out


def test_every_class_has_a_case():
    assert sorted(CASES) == sorted(compat.__all__)


@pytest.mark.parametrize(("name", "backend"), [(n, b) for n in CASES for b in BACKENDS])
def test_parity_with_timm(name: str, backend: str) -> None:
    case = CASES[name]

    @settings(max_examples=FEW if backend in CHEAP else JAX_FEW)
    @given(kw=case.strategy)
    def check(kw: dict[str, Any]) -> None:
        expected = _reference(name, kw)
        s = getattr(compat, name)(**kw)
        got = evaluate(backend, lambda t: s(t), STEPS)
        keep = ~on_cycle_start(kw, STEPS) if case.cycles else np.ones(len(STEPS), dtype=bool)
        raised = np.isnan(expected)  # timm: math domain error past all shrinking cycles
        peak = float(np.nanmax(np.abs(expected)))
        assert_lr_close(got[keep & ~raised], expected[keep & ~raised], peak=peak)
        if raised.any():
            assert_lr_close(got[keep & raised], np.full(int(np.sum(keep & raised)), kw["lr_min"]), peak=peak)

    check()


# ---------------------------------------------------------------------------------------------------------------------
# stepping for real: per epoch, per update, noise


def test_stepping_per_epoch_and_per_update():
    """timm's training loop: ``step(epoch + 1)`` after each epoch, or ``step_update(num_updates)`` after each update.

    With ``t_in_epochs=True`` and ``updates_per_epoch=n`` the compat schedule gives update ``k`` the lr timm sets
    for epoch ``k // n``; with ``t_in_epochs=False`` it gives update ``k`` what ``step_update(k)`` wrote.
    """
    n, epochs = 4, 12
    for name, kw in [
        ("CosineLRScheduler", {"t_initial": 8, "warmup_t": 2, "warmup_lr_init": 0.01, "lr_min": 0.001,
                               "cycle_limit": 2}),
        ("StepLRScheduler", {"decay_t": 3, "decay_rate": 0.5, "warmup_t": 2, "warmup_lr_init": 0.02}),
        ("WSDLRScheduler", {"t_initial": 9, "decay_t": 3, "warmup_t": 1, "lr_min": 0.002}),
    ]:
        base = 0.1
        # per epoch: the lr of every update of epoch e is what timm set at the end of epoch e - 1
        sched, opt = timm_scheduler(name, {"base_lr": base, **kw})
        used = []
        for e in range(epochs):
            for _ in range(n):
                used.append(float(opt.param_groups[0]["lr"]))
                sched.step_update(len(used))  # a no-op with t_in_epochs=True
            sched.step(e + 1)
        s = getattr(compat, name)(**kw, base_lr=base, updates_per_epoch=n)
        for backend in FOUR:
            assert_lr_close(evaluate(backend, lambda t, s=s: s(t), np.arange(len(used))), used, peak=base)
        # per update: step_update(num_updates) after each update
        sched, opt = timm_scheduler(name, {"base_lr": base, **kw, "t_in_epochs": False})
        used = []
        for k in range(epochs * n):
            used.append(float(opt.param_groups[0]["lr"]))
            sched.step_update(k + 1)
            if (k + 1) % n == 0:
                sched.step((k + 1) // n)  # a no-op with t_in_epochs=False
        s = getattr(compat, name)(**kw, base_lr=base, t_in_epochs=False)
        assert_lr_close([s(k) for k in range(len(used))], used, peak=base)
    with pytest.raises(ValueError, match="with t_in_epochs=False timm's t already counts updates"):
        compat.CosineLRScheduler(10, t_in_epochs=False, updates_per_epoch=4, base_lr=0.1)


def test_noise_same_law_and_range_different_numbers():
    """timm draws its noise from torch's generator (not reproducible purely); lrfuncs.noise has the same law."""
    kw = {"t_initial": 30, "lr_min": 0.01, "noise_range_t": (5, 15), "noise_pct": 0.1, "noise_std": 1.0,
          "noise_seed": 3}
    sched, opt = timm_scheduler("CosineLRScheduler", {"base_lr": 1.0, **kw})
    noisy = []
    for t in range(30):
        sched.step(t)
        noisy.append(float(opt.param_groups[0]["lr"]))
    clean = timm_values(sched, np.arange(30))
    s = compat.CosineLRScheduler(**kw, base_lr=1.0)
    ours = np.asarray([s(t) for t in range(30)])
    inside = (np.arange(30) >= 5) & (np.arange(30) < 15)
    assert_lr_close(ours[~inside], clean[~inside])
    assert_lr_close(np.asarray(noisy)[~inside], clean[~inside])
    for values in (ours, np.asarray(noisy)):
        rel = values[inside] / clean[inside] - 1.0
        assert np.all(np.abs(rel) < 0.1)
        assert np.all(rel != 0.0)
    assert not np.allclose(ours[inside], np.asarray(noisy)[inside])  # different random numbers
    assert s.name == "noise"
    assert (s.config["begin_step"], s.config["end_step"], s.config["seed"]) == (5, 15, 3)
    assert s.config["inner"] == compat.CosineLRScheduler(30, lr_min=0.01, base_lr=1.0)
    # a single number: noise from that t on
    s = compat.StepLRScheduler(5, 0.5, noise_range_t=10, noise_pct=0.2, base_lr=1.0)
    assert (s.config["begin_step"], s.config["end_step"], s.config["pct"]) == (10, None, 0.2)
    with pytest.raises(ValueError, match="`noise_range_t` must be a number"):
        compat.StepLRScheduler(5, noise_range_t=(1, 2, 3), base_lr=1.0)
    with pytest.raises(ValueError, match=r"`pct` must be in \(0, 1\]"):
        compat.StepLRScheduler(5, noise_range_t=0, noise_pct=1.5, base_lr=1.0)


# ---------------------------------------------------------------------------------------------------------------------
# golden values (anchors.md, 5 significant digits) and documented differences


def _curve(s: lrfuncs.Schedule, n: int) -> list[float]:
    return [s(t) for t in range(n)]


def test_golden_anchors():
    close = {"rtol": 1e-4, "atol": 1e-9}
    # 3.3: warmup_prefix=False jumps at warmup_t; tanh hands off continuously; prefix=True is optax's curve
    np.testing.assert_allclose(
        _curve(compat.CosineLRScheduler(10, warmup_t=3, base_lr=1.0), 12),
        [0, 0.33333, 0.66667, 0.79389, 0.65451, 0.5, 0.34549, 0.20611, 0.095492, 0.024472, 0, 0], **close)
    np.testing.assert_allclose(_curve(compat.TanhLRScheduler(10, warmup_t=3, base_lr=1.0), 5),
                               [0, 0.33322, 0.66644, 0.99966, 0.99753], **close)
    np.testing.assert_allclose(
        _curve(compat.CosineLRScheduler(7, warmup_t=3, warmup_prefix=True, base_lr=1.0), 12),
        [0, 0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0], **close)
    # 3.6: step decay boundaries
    assert _curve(compat.StepLRScheduler(3, 0.1, base_lr=1.0), 6) == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1])
    assert _curve(compat.MultiStepLRScheduler([3], 0.1, base_lr=1.0), 6) == pytest.approx([1, 1, 0.1, 0.1, 0.1, 0.1])
    # 3.7: poly's default power 0.5
    np.testing.assert_allclose(_curve(compat.PolyLRScheduler(4, base_lr=1.0), 6),
                               [1, 0.86603, 0.70711, 0.5, 0, 0], **close)
    # 3.9: warm restarts (period 4, x2); the default cycle_limit=1 does not restart
    np.testing.assert_allclose(
        _curve(compat.CosineLRScheduler(4, cycle_mul=2, cycle_limit=3, base_lr=1.0), 14),
        [1, 0.85355, 0.5, 0.14645, 1, 0.96194, 0.85355, 0.69134, 0.5, 0.30866, 0.14645, 0.03806, 1, 0.99039],
        **close)
    np.testing.assert_allclose(_curve(compat.CosineLRScheduler(4, cycle_mul=2, base_lr=1.0), 6),
                               [1, 0.85355, 0.5, 0.14645, 0, 0], **close)
    # 3.11: WSD (warmup 2, stable 4, decay 4)
    for fn, gold in [("linear", [0.75, 0.5, 0.25]), ("cosine", [0.85355, 0.5, 0.14645]),
                     ("1-sqrt", [0.5, 0.29289, 0.13397]), ("exp", [0.51371, 0.24025, 0.086475])]:
        s = compat.WSDLRScheduler(8, 4, decay_fn=fn, warmup_t=2, base_lr=1.0)
        np.testing.assert_allclose(_curve(s, 12), [0, 0.5, 1, 1, 1, 1, 1, *gold, 0, 0], **close)


def _timm_error(name: str, **kw: Any) -> BaseException:
    try:
        timm_scheduler(name, kw)
    except Exception as e:
        return e
    raise AssertionError("timm raised nothing")


def test_timm_asserts_become_value_errors():
    for name, kw, match in [
        ("CosineLRScheduler", {"t_initial": 0}, "`t_initial` must be > 0"),
        ("CosineLRScheduler", {"t_initial": 10, "lr_min": -0.1}, "`lr_min` must be >= 0"),
        ("TanhLRScheduler", {"t_initial": 10, "lb": 3.0, "ub": 3.0}, "`lb` must be < `ub`"),
        ("TanhLRScheduler", {"t_initial": 10, "warmup_t": -1}, "`warmup_t` must be >= 0"),
        ("PolyLRScheduler", {"t_initial": -1}, "`t_initial` must be > 0"),
    ]:
        assert isinstance(_timm_error(name, base_lr=1.0, **kw), AssertionError)
        with pytest.raises(ValueError, match=match):
            getattr(compat, name)(**kw, base_lr=1.0)
    # WSD validates with ValueError itself: the same checks here
    for kw, match in [
        ({"t_initial": 10, "decay_t": 11}, "`decay_t` must be <= `t_initial`"),
        ({"t_initial": 10, "decay_t": 0}, "`decay_t` must be > 0"),
        ({"t_initial": 10, "decay_t": 5, "stable_fn": "rsqrt"}, "`stable_timescale` must be given"),
        ({"t_initial": 10, "decay_t": 5, "decay_fn": "square"}, "`decay_shape` must be one of"),
        ({"t_initial": 10, "decay_t": 5, "decay_ratio": 1.0}, r"`decay_ratio` must be in \(0, 1\)"),
    ]:
        assert isinstance(_timm_error("WSDLRScheduler", base_lr=1.0, **kw), ValueError)
        with pytest.raises(ValueError, match=match):
            compat.WSDLRScheduler(**kw, base_lr=1.0)


def test_documented_differences():
    # cycle_limit=0: timm holds lr_min from the end of the warmup on
    sched, _ = timm_scheduler("CosineLRScheduler", {"base_lr": 1.0, "t_initial": 5, "cycle_limit": 0, "lr_min": 0.1})
    assert list(timm_values(sched, np.arange(3))) == [0.1, 0.1, 0.1]
    with pytest.raises(ValueError, match="`cycle_limit` must be >= 1"):
        compat.CosineLRScheduler(5, cycle_limit=0, lr_min=0.1, base_lr=1.0)
    # unsorted milestones: timm's bisect counts wrongly (one milestone <= 2 + 1, timm counts both)
    sched, _ = timm_scheduler("MultiStepLRScheduler", {"base_lr": 1.0, "decay_t": [5, 2], "decay_rate": 0.5})
    assert sched._get_lr(2)[0] == 0.25
    with pytest.raises(ValueError, match="`decay_t` must be non-decreasing"):
        compat.MultiStepLRScheduler([5, 2], 0.5, base_lr=1.0)
    # shrinking cycles: past their sum (10 / (1 - 0.5) = 20) timm's log fails, lrfuncs holds lr_min
    kw = {"t_initial": 10, "cycle_mul": 0.5, "cycle_limit": 100, "lr_min": 0.01}
    sched, _ = timm_scheduler("CosineLRScheduler", {"base_lr": 1.0, **kw})
    with pytest.raises(ValueError, match="math domain error"):
        sched._get_lr(25)
    assert compat.CosineLRScheduler(**kw, base_lr=1.0)(25) == 0.01
    # the core's ranges: a floor above the peak, a growing cycle peak, a warmup from above the peak
    for kw, match in [
        ({"lr_min": 2.0}, "`lr_min` must be <= `base_lr`"),
        ({"cycle_decay": 1.5, "cycle_limit": 3}, r"`cycle_decay` must be in \(0, 1\]"),
        ({"warmup_t": 3, "warmup_lr_init": 2.0}, "`warmup_lr_init` must be <= `base_lr`"),
    ]:
        timm_scheduler("CosineLRScheduler", {"base_lr": 1.0, "t_initial": 10, **kw})  # timm accepts these
        with pytest.raises(ValueError, match=match):
            compat.CosineLRScheduler(10, **kw, base_lr=1.0)
    # a callable decay function is not config
    with pytest.raises(TypeError, match="`decay_fn` is a Python callable"):
        compat.WSDLRScheduler(10, 5, decay_fn=lambda f: 1.0 - f, base_lr=1.0)
    with pytest.raises(ValueError, match=r"`decay_rate` must be in \(0, 1\]"):
        compat.MultiStepLRScheduler([3], decay_rate=2.0, base_lr=1.0)
    with pytest.raises(TypeError, match="`warmup_prefix` must be True or False"):
        compat.StepLRScheduler(3, warmup_t=2, warmup_prefix="yes", base_lr=1.0)


# ---------------------------------------------------------------------------------------------------------------------
# pickle and to_dict

EXAMPLES: dict[str, Callable[[], lrfuncs.Schedule]] = {
    "CosineLRScheduler": lambda: compat.CosineLRScheduler(
        50, lr_min=1e-5, cycle_mul=1.5, cycle_decay=0.5, cycle_limit=3, warmup_t=5, warmup_lr_init=1e-4,
        k_decay=1.5, noise_range_t=(10, 40), base_lr=0.1, updates_per_epoch=100),
    "TanhLRScheduler": lambda: compat.TanhLRScheduler(40, cycle_limit=2, warmup_t=5, base_lr=0.1),
    "StepLRScheduler": lambda: compat.StepLRScheduler(30, 0.1, warmup_t=3, base_lr=0.1),
    "MultiStepLRScheduler": lambda: compat.MultiStepLRScheduler([30, 60], 0.1, warmup_t=3, base_lr=0.1),
    "PolyLRScheduler": lambda: compat.PolyLRScheduler(100, power=1.0, warmup_t=5, warmup_prefix=True, base_lr=0.1),
    "WSDLRScheduler": lambda: compat.WSDLRScheduler(100, 20, stable_fn="rsqrt", warmup_t=10, base_lr=0.1),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pickle_and_to_dict_round_trip(name: str) -> None:
    assert sorted(EXAMPLES) == sorted(compat.__all__)
    s = EXAMPLES[name]()
    assert isinstance(s, lrfuncs.Schedule)
    for back in (pickle.loads(pickle.dumps(s)), lrfuncs.Schedule.from_dict(json.loads(json.dumps(s.to_dict())))):
        assert back == s
        steps = np.arange(0, 300, 7.5)
        np.testing.assert_array_equal(back(steps), s(steps))


@pytest.mark.parametrize("name", ["TanhLRScheduler", "PolyLRScheduler", "CosineLRScheduler"])
@pytest.mark.parametrize("cycle_mul", [1.0, 2.0])
def test_restarts_decay_the_peak_and_keep_the_floor(name: str, cycle_mul: float) -> None:
    """timm's cycle_decay with a floor (lr_min > 0): each cycle's peak decays, the floor stays."""
    kw = {"base_lr": 0.5, "t_initial": 10, "lr_min": 0.05, "cycle_decay": 0.6, "cycle_limit": 4,
          "cycle_mul": cycle_mul, "warmup_t": 3, "warmup_lr_init": 0.01, "warmup_prefix": True}
    sched, _ = timm_scheduler(name, kw)
    steps = np.arange(0.0, 180.0, 0.5)
    ours = getattr(compat, name)(**{k: v for k, v in kw.items() if k != "base_lr"}, base_lr=0.5)
    for backend in ("python", "numpy", "jax_jit", "torch"):
        assert_lr_close(evaluate(backend, ours, steps), timm_values(sched, steps), peak=0.5)
