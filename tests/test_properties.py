"""Properties of every schedule, for hypothesis-drawn valid configs (numpy curves).

* Values are finite and within the schedule's range (floor/init .. peak; one-cycle between
  its final lr and its peak; momentum between base and max).
* Monotone where the schedule says so: rising during warmups and rising phases, falling during
  decays; a restart is the only place cosine_restarts rises after its warmup.
* Continuous at the phase boundaries where the math is (warmup -> decay hand-off reaches the
  peak, one-cycle hits its peak, a restart is preceded by the floor); step decays are
  right-continuous (the decay applies *at* the boundary).
* Giant int64 steps (10**10, 2**40, 2**53 - 1) are exact at boundaries on Python, numpy, JAX
  (x64) and torch; fractional steps are accepted.

Config strategies and boundary landmarks are shared with test_backends.py.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from conftest import assert_lr_close, evaluate
from hypothesis import given
from hypothesis import strategies as st
from schedule_cases import CASES
from test_backends import (
    LANDMARKS,
    SCHEDULES,
    STRATEGIES,
    _cycle_starts,
    _ill_conditioned,
    cases,
    examples,
)

import lrfuncs
from lrfuncs.backends.numpy import curve

F64 = np.float64


def _floor(cfg: dict[str, Any]) -> float:
    if cfg.get("min_lr_ratio") is not None:
        return cfg["min_lr_ratio"] * cfg["peak_lr"]
    return cfg.get("min_lr") or 0.0


def _init(cfg: dict[str, Any]) -> float:
    """The lr of the first warmup update (default peak / (W + 1))."""
    if cfg.get("init_lr") is not None:
        return cfg["init_lr"]
    return cfg["peak_lr"] / (cfg["warmup_steps"] + 1.0)


def _cycles_entered(cfg: dict[str, Any], tmax: float) -> float:
    """How many restarts happen up to ``tmax`` (inf past the horizon of shrinking cycles)."""
    u = tmax - cfg.get("warmup_steps", 0)
    m, cs = cfg.get("cycle_mult", 1.0), cfg["cycle_steps"]
    if m < 1 and u >= cs / (1.0 - m) * (1 - 1e-9):
        n = math.inf
    else:
        n, start, length = 0, 0.0, float(cs)
        while start + length <= u and n < 10**5:
            start, length, n = start + length, length * m, n + 1
        n = math.inf if n >= 10**5 else n
    if cfg.get("max_cycles") is not None:
        n = min(n, cfg["max_cycles"] - 1)
    return n


def bounds(name: str, cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    """The range [lo, hi] every lr of the schedule up to step ``tmax`` must lie in."""
    if name in CASES:
        return CASES[name].bounds(cfg, tmax)
    if name == "onecycle_momentum":
        a, b = cfg["base_momentum"], cfg["max_momentum"]
        return min(a, b), max(a, b)
    peak = cfg["peak_lr"]
    if name == "onecycle":
        initial = peak / cfg["div_factor"]
        values = [initial, peak, initial / cfg["final_div_factor"]]
        return min(values), max(values)
    if name == "step_decay":
        return peak * cfg["gamma"] ** math.floor(tmax / cfg["step_size"]), peak
    if name == "multistep_decay":
        return peak * cfg["gamma"] ** len(cfg["milestones"]), peak
    if name == "cosine_decay":
        return _floor(cfg), peak
    if name == "warmup_constant":
        return (_init(cfg) if cfg["warmup_steps"] > 0 else peak), peak
    if name in ("warmup_linear", "warmup_cosine"):
        return min(_floor(cfg), _init(cfg)), peak
    if name == "cosine_restarts":
        lowest_peak = peak * cfg.get("peak_decay", 1.0) ** _cycles_entered(cfg, tmax)
        lo = min(_floor(cfg), lowest_peak)
        if cfg.get("warmup_steps", 0) > 0:
            lo = min(lo, _init(cfg))
        return lo, peak
    raise AssertionError(f"no bounds for {name}: add it to test_properties.bounds or its Case")


_EXAMPLE = {
    "step_decay": {"peak_lr": 0.1, "step_size": 3},
    "multistep_decay": {"peak_lr": 0.1, "milestones": [3]},
    "cosine_decay": {"peak_lr": 0.1, "total_steps": 10},
    "cosine_restarts": {"peak_lr": 0.1, "cycle_steps": 4},
    "onecycle": {"peak_lr": 0.1, "total_steps": 10},
    "onecycle_momentum": {"total_steps": 10},
    "warmup_constant": {"peak_lr": 0.1, "warmup_steps": 3},
    "warmup_linear": {"peak_lr": 0.1, "warmup_steps": 3, "total_steps": 10},
    "warmup_cosine": {"peak_lr": 0.1, "warmup_steps": 3, "total_steps": 10},
    **{name: case.examples[0] for name, case in CASES.items()},
}


def test_every_schedule_has_bounds_and_an_example() -> None:
    assert set(_EXAMPLE) == set(SCHEDULES)
    for name in SCHEDULES:
        lo, hi = bounds(name, _full(name, _EXAMPLE[name]), 10.0)
        assert 0 <= lo <= hi


def _full(name: str, cfg: dict[str, Any]) -> dict[str, Any]:
    return dict(lrfuncs.get_schedule(name).bind(**cfg).config)


# ----------------------------------------------------------------------------------------------
# Finite and in range
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEDULES)
@examples(60)
@given(data=st.data())
def test_values_finite_and_in_range(name: str, data: st.DataObject) -> None:
    cfg, steps = data.draw(cases(name))
    cfg = _full(name, cfg)
    fn = lrfuncs.get_schedule(name)
    lr = fn(steps, **cfg)
    assert np.all(np.isfinite(lr)), lr
    lo, hi = bounds(name, cfg, float(steps.max()))
    tol = 1e-12 * hi
    assert lr.min() >= lo - tol, (lr.min(), lo, steps[lr.argmin()])
    assert lr.max() <= hi + tol, (lr.max(), hi, steps[lr.argmax()])
    # the whole integer curve from 0, in one call
    n = int(min(steps.max(), 5000)) + 1
    whole = curve(fn, n, **cfg)
    assert whole.shape == (n,)
    assert np.all(np.isfinite(whole))
    assert whole.min() >= lo - tol
    assert whole.max() <= hi + tol


# ----------------------------------------------------------------------------------------------
# Monotone phases
# ----------------------------------------------------------------------------------------------


def _grid(name: str, cfg: dict[str, Any], hi: float) -> np.ndarray:
    marks = [x for x in LANDMARKS[name](cfg) if 0 <= x <= hi]
    t = np.unique(np.concatenate([np.arange(0.0, hi + 1), np.linspace(0.0, hi, 1001), marks]))
    return t[~_ill_conditioned(name, cfg, t)]


def _non_decreasing(y: np.ndarray, tol: float) -> bool:
    return bool(np.all(np.diff(y) >= -tol))


def _non_increasing(y: np.ndarray, tol: float) -> bool:
    return bool(np.all(np.diff(y) <= tol))


def _unimodal(y: np.ndarray, tol: float) -> bool:
    """Rises (weakly) to its maximum, then falls (weakly)."""
    k = int(np.argmax(y))
    return _non_decreasing(y[: k + 1], tol) and _non_increasing(y[k:], tol)


def _horizon(name: str, cfg: dict[str, Any]) -> float:
    marks = [x for x in LANDMARKS[name](cfg) if x >= 0]
    return min(1.2 * max(marks, default=80.0) + 3.0, 5000.0)


@pytest.mark.parametrize("name", SCHEDULES)
@examples(40)
@given(data=st.data())
def test_monotone_phases(name: str, data: st.DataObject) -> None:
    fn = lrfuncs.get_schedule(name)
    cfg = _full(name, data.draw(STRATEGIES[name]))
    t = _grid(name, cfg, _horizon(name, cfg))
    y = fn(t, **cfg)
    tol = 1e-13 * max(abs(y).max(), 1e-300)
    if name in ("step_decay", "multistep_decay"):
        assert _non_increasing(y, tol)
    elif name == "cosine_decay":
        assert _non_increasing(y[t <= cfg["total_steps"]], tol)
        if not cfg["periodic"]:
            assert _non_increasing(y, tol)
    elif name in ("warmup_constant", "warmup_linear", "warmup_cosine"):
        w = cfg["warmup_steps"]
        # the ramp, then the peak at t = W (unless the decay has length 0: then lr(W) is the floor)
        ramp = (t <= w) if name == "warmup_constant" or cfg["total_steps"] > w else (t < w)
        assert _non_decreasing(y[ramp], tol)
        decay = t >= w
        if name == "warmup_cosine":
            if cfg["num_cycles"] > 0.5:
                return  # more than half a cosine: not monotone by design
            if cfg["periodic"]:
                decay &= t <= cfg["total_steps"]
        assert _non_increasing(y[decay], tol)
    elif name == "onecycle":
        if cfg["final_div_factor"] < 1 or cfg["div_factor"] < 1:
            return  # initial > peak or final > initial: not the one-cycle shape (valid, but not unimodal)
        assert _unimodal(y, tol)
    elif name == "onecycle_momentum":
        up = cfg["base_momentum"] <= cfg["max_momentum"]  # else the inverted shape
        assert _unimodal(-y if up else y, tol)  # down to base, back up to max (inverted lr shape)
    elif name == "cosine_restarts":
        _check_restarts_monotone(cfg, t, y, tol)
    elif name in CASES:
        if CASES[name].monotone is not None:
            CASES[name].monotone(cfg, t, y, tol)
    else:
        raise AssertionError(f"no monotonicity property for {name}")


def _check_restarts_monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """Rising during the warmup; in each cycle rising during its warmup, then falling.

    (Falling then rising in a cycle whose decayed peak is below an absolute floor.)
    """
    w, cw, cs, m = cfg["warmup_steps"], cfg["cycle_warmup_steps"], cfg["cycle_steps"], cfg["cycle_mult"]
    # up to the first cycle (the cycle warmup applies to restarts only: cycle 0 starts at the peak)
    assert _non_decreasing(y[t <= w], tol)
    u = t - w  # cycles are found from u as lrfuncs computes it (W + k may round below the restart)
    h = cs / (1 - m) if m < 1 else math.inf
    if m < 1:  # cycles shrink to nothing at the horizon h; the floor holds from h on
        assert np.all(y[u >= h] == _floor(cfg))
    floor, start, length, i = _floor(cfg), 0.0, float(cs), 0
    while start <= u.max() and start < 0.99 * h:
        if m == 1:  # cycle i is exactly the u with u // cycle_steps == i (cs + cs + ... may round off)
            start = i * cs
            inside = (t >= w) & (u // cs == i)
        else:
            inside = (t >= w) & (u >= start) & (u < min(start + length, 0.99 * h))
        if cfg["max_cycles"] is not None and i >= cfg["max_cycles"]:
            assert np.all(y[u >= start] == floor)
            break
        sign = 1.0 if cfg["peak_lr"] * cfg["peak_decay"] ** i >= floor else -1.0
        cwi = cw if i >= 1 else 0  # warmup of restart i
        if inside.sum() >= 2:
            assert _non_decreasing(sign * y[inside & (u <= start + cwi)], tol), (i, start)
            assert _non_increasing(sign * y[inside & (u >= start + cwi)], tol), (i, start)
        start, length, i = start + length, length * m, i + 1


# ----------------------------------------------------------------------------------------------
# Boundaries: hand-offs, peaks, restarts
# ----------------------------------------------------------------------------------------------


WARMUPS = ["warmup_constant", "warmup_linear", "warmup_cosine", "cosine_restarts"]


def _warmup_config(name: str, peak: float, w: int, init: float | None) -> dict[str, Any]:
    cfg: dict[str, Any] = {"peak_lr": peak, "warmup_steps": w, "init_lr": init}
    if name in ("warmup_linear", "warmup_cosine"):
        cfg["total_steps"] = 3 * w + 7
    if name == "cosine_restarts":
        cfg["cycle_steps"] = 2 * w + 5
    return cfg


@pytest.mark.parametrize("name", WARMUPS)
@examples(30)
@given(peak=st.floats(1e-5, 10.0), w=st.integers(1, 3000), init=st.sampled_from([None, 0.0]))
def test_warmup_ramp_hands_off_at_peak(name: str, peak: float, w: int, init: float | None) -> None:
    """The ramp: lr(k) = peak (k + 1) / (W + 1) (default init) or peak k / W (init_lr=0); lr(W) = peak."""
    fn = lrfuncs.get_schedule(name)
    cfg = _warmup_config(name, peak, w, init)
    k = np.unique(np.array([0, 1, w // 2, w - 1, w], dtype=np.int64))
    lr = fn(k, **cfg)
    expected = peak * (k + 1) / (w + 1) if init is None else peak * k / w
    assert_lr_close(lr, expected, peak=peak)
    assert_lr_close(fn(w, **cfg), peak, peak=peak)
    # equal increments all along the ramp
    ramp = curve(fn, w + 1, **cfg)
    step = np.diff(ramp)
    assert np.allclose(step, step[0], rtol=1e-9, atol=1e-15 * peak)
    # continuity at W from the left (fractional steps)
    for eps in (1e-3, 1e-6):
        assert abs(fn(w - eps, **cfg) - peak) <= 2 * eps * peak / w + 1e-15 * peak


def _knots(cfg: dict[str, Any]) -> list[float]:
    """One-cycle phase boundaries [0, e1, (e2,) end] as documented for each convention."""
    t, p = cfg["total_steps"], cfg["pct_start"]
    if cfg["convention"] == "torch":
        ends = [p * t - 1.0]
        if cfg["three_phase"]:
            ends.append(2 * p * t - 2.0 if cfg["pct_final"] is None else cfg["pct_final"] * t - 1.0)
        ends.append(t - 1.0)
    else:
        ends = [float(math.floor(p * t))]
        if cfg["three_phase"]:
            ends.append(float(math.floor(2 * p * t if cfg["pct_final"] is None else cfg["pct_final"] * t)))
        ends.append(float(t))
    return [0.0, *ends]


def _continuous_points(name: str, cfg: dict[str, Any]) -> list[float]:
    """Boundaries where the schedule is continuous (both phases of positive length)."""
    pts: list[float] = []
    if name == "cosine_decay":
        pts = [cfg["total_steps"], cfg["total_steps"] / 2]
    elif name == "warmup_constant":
        pts = [cfg["warmup_steps"]]
    elif name in ("warmup_linear", "warmup_cosine"):
        w, n = cfg["warmup_steps"], cfg["total_steps"]
        if n - w >= 1:
            pts = [w, n] if name == "warmup_linear" or cfg["num_cycles"] == 0.5 or not cfg["periodic"] else [w]
    elif name == "cosine_restarts":
        w, cw = cfg["warmup_steps"], cfg["cycle_warmup_steps"]
        pts = [w]  # the warmup hands over to cycle 0 at its peak (the cycle warmup is for restarts only)
        if cw >= 1 and cfg["cycle_steps"] - cw >= 1:  # the end of each restart's warmup
            pts += [s + cw for s in _cycle_starts(cfg, 4)[1:4]]
    elif name in ("onecycle", "onecycle_momentum"):
        k = _knots(cfg)
        pts = [k[i] for i in range(1, len(k) - 1) if k[i] - k[i - 1] >= 1 and k[i + 1] - k[i] >= 1]
    return [p for p in pts if p >= 1]


@pytest.mark.parametrize("name", SCHEDULES)
@examples(40)
@given(data=st.data())
def test_continuous_at_phase_boundaries(name: str, data: st.DataObject) -> None:
    fn = lrfuncs.get_schedule(name)
    cfg = _full(name, data.draw(STRATEGIES[name]))
    _, hi = bounds(name, cfg, 0.0)
    eps = 1e-7
    # slopes are at most (amplitude) * pi / 2 per step when every phase lasts >= 1 step; with an
    # exponent e < 1/2, cos**e is only Hoelder continuous at the floor: |d| ~ (pi delta / 2) ** (2 e)
    order = min(1.0, 2.0 * cfg.get("exponent", 1.0))
    cycles = max(1.0, 2.0 * cfg.get("num_cycles", 0.5))  # warmup_cosine: num_cycles half-cosines per phase
    for b in _continuous_points(name, cfg):
        at, left, right = fn(np.array([b, b - eps * b, b + eps * b]), **cfg)
        tol = 2 * hi * cycles * (2 * eps * b) ** order + 1e-15 * hi
        assert abs(left - at) <= tol, (b, left, at)
        assert abs(right - at) <= tol, (b, right, at)
    if name in ("step_decay", "multistep_decay"):  # right-continuous: the decay applies at the boundary
        if name == "multistep_decay":
            marks = [float(m) for m in cfg["milestones"]]
        else:  # the first float at which the third decay applies, within a few ulps of 3 * step_size
            near = [3.0 * cfg["step_size"]]
            for _ in range(4):
                near = [float(np.nextafter(near[0], -np.inf)), *near, float(np.nextafter(near[-1], np.inf))]
            lr = fn(np.array([*near, 3.5 * cfg["step_size"]]), **cfg)
            third = lr[:-1] == lr[-1]
            assert third.any(), lr
            assert cfg["gamma"] == 1 or not third[0], lr
            marks = [near[int(np.argmax(third))]]
        for b in marks:
            at, right = fn(np.array([b, b + 1e-9 * max(b, 1.0)]), **cfg)
            assert at == right


@pytest.mark.parametrize("name", ["onecycle", "onecycle_momentum"])
@examples(40)
@given(data=st.data())
def test_onecycle_hits_peak_and_final(name: str, data: st.DataObject) -> None:
    fn = lrfuncs.get_schedule(name)
    cfg = _full(name, data.draw(STRATEGIES[name]))
    if name == "onecycle":
        peak = cfg["peak_lr"]
        final = peak / cfg["div_factor"] / cfg["final_div_factor"]
    else:
        peak, final = cfg["base_momentum"], cfg["max_momentum"]
    knots = _knots(cfg)
    top, end = knots[1], knots[-1]
    if top >= 0:
        assert_lr_close(fn(top, **cfg), peak, peak=max(peak, 1.0))
    after = [end + 1, 10 * end + 10, 1e10]
    if end > max(knots[:-1]):  # else the last phase has length 0 and an earlier phase owns t = end
        after.append(end)
    assert_lr_close(fn(np.array(after), **cfg), np.full(len(after), final), peak=1.0)


@pytest.mark.parametrize(
    ("convention", "total", "top", "end"), [("torch", 10, 2, 9), ("optax", 10, 3, 10), ("torch", 1000, 299, 999)]
)
def test_onecycle_defaults(convention: str, total: int, top: int, end: int) -> None:
    fn = lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=total, convention=convention)
    assert fn(0) == pytest.approx(1 / 25, rel=1e-14)
    assert fn(top) == pytest.approx(1.0, rel=1e-14)
    assert fn(end) == pytest.approx(1 / 25 / 1e4, rel=1e-12)
    y = fn(np.arange(end + 5))
    assert int(np.argmax(y)) == top


@examples(40)
@given(
    peak=st.floats(1e-4, 10.0),
    cs=st.integers(1, 50),
    m=st.sampled_from([1, 2, 3, 1.0, 2.0]),
    decay=st.sampled_from([1.0, 0.5, 0.9]),
    ratio=st.sampled_from([None, 0.0, 0.1]),
    w=st.sampled_from([0, 3]),
)
def test_restart_is_preceded_by_the_floor(
    peak: float, cs: int, m: float, decay: float, ratio: float | None, w: int
) -> None:
    cfg = {"peak_lr": peak, "cycle_steps": cs, "cycle_mult": m, "peak_decay": decay, "min_lr_ratio": ratio}
    cfg["warmup_steps"] = w
    fn = lrfuncs.cosine_restarts
    floor = (ratio or 0.0) * peak
    starts = [s for s in _cycle_starts(cfg, 6)]
    for i, s in enumerate(starts):
        peak_i = peak * decay**i
        assert_lr_close(fn(s, **cfg), peak_i, peak=peak)  # exactly restored
        if i:
            before = fn(np.array([s - 1e-6 * cs]), **cfg)[0]
            assert abs(before - floor) <= 1e-9 * peak, (i, before, floor)
            if cs * m ** (i - 1) >= 2:  # the last whole step of the previous cycle is nearer the floor
                assert abs(fn(s - 1, **cfg) - floor) < abs(peak * decay ** (i - 1) - floor)


@pytest.mark.parametrize(("cs", "m"), [(3, 0.5), (4, 0.5), (1, 0.75), (2, 0.5)])
def test_restarts_hold_floor_from_the_horizon(cs: int, m: float) -> None:
    """At exactly the (representable) finite horizon W + cycle_steps / (1 - cycle_mult): the floor, no spike."""
    h = cs / (1 - m)
    cfg = {"peak_lr": 1.0, "cycle_steps": cs, "cycle_mult": m, "min_lr": 0.01}
    assert lrfuncs.cosine_restarts(h, **cfg) == 0.01
    assert lrfuncs.cosine_restarts(np.array([h]), **cfg)[0] == 0.01


def test_restarts_hold_floor_past_the_horizon() -> None:
    for cs, m in [(3, 0.5), (4, 0.5), (1, 0.75), (2, 0.5), (7.5, 0.3)]:
        h = cs / (1 - m)
        steps = np.array([h + 1e-6, h + 1, 10 * h, 1e6, 1e12, 2.0**53])
        cfg = {"peak_lr": 1.0, "cycle_steps": cs, "cycle_mult": m, "min_lr": 0.01}
        assert np.all(lrfuncs.cosine_restarts(steps, **cfg) == 0.01)
        assert all(lrfuncs.cosine_restarts(float(s), **cfg) == 0.01 for s in steps)
        assert np.all(np.asarray(lrfuncs.cosine_restarts(jnp.asarray(steps), **cfg)) == 0.01)
        assert torch.all(lrfuncs.cosine_restarts(torch.as_tensor(steps), **cfg) == 0.01)


# ----------------------------------------------------------------------------------------------
# Giant steps, exact at boundaries
# ----------------------------------------------------------------------------------------------


def _everywhere(fn: Any, steps: list[int], **cfg: Any) -> dict[str, np.ndarray]:
    """fn at int64 ``steps`` on Python ints, numpy int64, JAX int64 (x64) and torch int64."""
    arr = np.asarray(steps, dtype=np.int64)
    return {
        "python": np.array([fn(int(s), **cfg) for s in steps]),
        "numpy": fn(arr, **cfg),
        "jax": np.asarray(fn(jnp.asarray(arr), **cfg)),
        "jax_jit": np.asarray(jax.jit(lambda s: fn(s, **cfg))(jnp.asarray(arr))),
        "torch": fn(torch.as_tensor(arr), **cfg).numpy(),
    }


def _assert_all(results: dict[str, np.ndarray], expected: np.ndarray, peak: float = 1.0) -> None:
    for backend, out in results.items():
        try:
            assert_lr_close(out, expected, peak=peak)
        except AssertionError as e:
            raise AssertionError(f"{backend}: {e}") from None


@pytest.mark.parametrize(("step_size", "ks"), [(10**9 + 7, [1, 10, 1000, 10**6, 9 * 10**6]), (2**20, [2**20]),
                                                (10**9, [10]), (3, [1, 2**20, 2**30])])
def test_step_decay_exact_at_giant_multiples(step_size: int, ks: list[int]) -> None:
    gamma = 0.999999 if step_size > 3 else 1.0 - 1e-12
    steps = [x for k in ks for x in (k * step_size - 1, k * step_size, k * step_size + 1)]
    exponents = [e for k in ks for e in (k - 1, k, k)]
    expected = np.array([gamma**e for e in exponents])
    _assert_all(_everywhere(lrfuncs.step_decay, steps, peak_lr=1.0, step_size=step_size, gamma=gamma), expected)


def test_multistep_exact_at_giant_milestones() -> None:
    ms = [10**10, 2**40, 2**53 - 1]
    steps = [10**10 - 1, 10**10, 10**10 + 1, 2**40 - 1, 2**40, 2**40 + 1, 2**53 - 2, 2**53 - 1, 2**53]
    expected = 0.5 ** np.array([0, 1, 1, 1, 2, 2, 2, 3, 3])
    _assert_all(_everywhere(lrfuncs.multistep_decay, steps, peak_lr=1.0, milestones=ms, gamma=0.5), expected)


@pytest.mark.parametrize("m", [2, 3, 2.0, 3.0])
@pytest.mark.parametrize("cs", [1, 3, 7])
def test_cosine_restarts_exact_at_giant_restarts(m: float, cs: int) -> None:
    """The start of cycle i (up to ~2**53) restores the peak exactly: peak_decay**i; the step before is low."""
    mi = int(m)
    cycles = [i for i in range(1, 60) if cs * mi**i <= 2**53]
    starts = [cs * (mi**i - 1) // (mi - 1) for i in cycles]
    cfg = {"peak_lr": 1.0, "cycle_steps": cs, "cycle_mult": m, "peak_decay": 0.99}
    expected = np.array([0.99**i for i in cycles])
    _assert_all(_everywhere(lrfuncs.cosine_restarts, starts, **cfg), expected)
    # the step before a restart ends the previous cycle: below the restored peak, near the floor (0)
    small = [i for i, s in zip(cycles, starts, strict=True) if s < 10**9]
    before = _everywhere(lrfuncs.cosine_restarts, [starts[k] - 1 for k in range(len(small))], **cfg)
    for backend, out in before.items():
        assert np.all(out[1:] < expected[1 : len(small)]), backend
        assert np.all(out[-3:] < 1e-10), (backend, out[-3:])


@pytest.mark.parametrize("m", [2, 3])
def test_cosine_restarts_no_early_restart_at_giant_steps(m: int) -> None:
    """A few steps before a giant restart the previous cycle is still ending (no early restart)."""
    cfg = {"peak_lr": 1.0, "cycle_steps": 1, "cycle_mult": m, "peak_decay": 0.99}
    starts = [(i, (m**i - 1) // (m - 1)) for i in range(1, 60) if m**i <= 2**53]
    for d in (1, 1000):
        hits = [(i, s) for i, s in starts if m ** (i - 1) > 10 * d]
        before = [s - d for _, s in hits]
        # exact: step s_i - d is in cycle i - 1 (length m**(i-1)) at tau = m**(i-1) - d
        expected = np.array(
            [0.99 ** (i - 1) * 0.5 * (1 + math.cos(math.pi * (m ** (i - 1) - d) / m ** (i - 1))) for i, _ in hits]
        )
        assert np.all(expected < 0.99 ** np.array([i for i, _ in hits]))  # below the restored peak
        for backend, out in _everywhere(lrfuncs.cosine_restarts, before, **cfg).items():
            np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-12, err_msg=f"{backend}, d={d}")


def test_cosine_restarts_with_warmup_exact_at_giant_restarts() -> None:
    cfg = {"peak_lr": 2.0, "cycle_steps": 5, "cycle_mult": 2, "warmup_steps": 10**6, "min_lr": 0.5}
    cycles = list(range(1, 40))
    starts = [10**6 + 5 * (2**i - 1) for i in cycles]
    _assert_all(_everywhere(lrfuncs.cosine_restarts, starts, **cfg), np.full(len(cycles), 2.0), peak=2.0)


@pytest.mark.parametrize("step", [10**10, 2**40, 2**53 - 1, 2**53])
def test_decays_hold_their_floor_at_giant_steps(step: int) -> None:
    cases_ = [
        (lrfuncs.warmup_cosine, {"peak_lr": 1.0, "warmup_steps": 100, "total_steps": 1000, "min_lr": 0.01}, 0.01),
        (lrfuncs.warmup_cosine, {"peak_lr": 1.0, "warmup_steps": 100, "total_steps": 1000, "min_lr_ratio": 0.1}, 0.1),
        (lrfuncs.warmup_cosine, {"peak_lr": 1.0, "warmup_steps": 0, "total_steps": 10, "floor_mode": "clip",
                                 "min_lr_ratio": 0.1}, 0.1),
        (lrfuncs.warmup_linear, {"peak_lr": 1.0, "warmup_steps": 100, "total_steps": 1000, "min_lr": 0.01}, 0.01),
        (lrfuncs.cosine_decay, {"peak_lr": 1.0, "total_steps": 1000, "min_lr": 0.01}, 0.01),
        (lrfuncs.warmup_constant, {"peak_lr": 1.0, "warmup_steps": 100}, 1.0),
        (lrfuncs.onecycle, {"peak_lr": 1.0, "total_steps": 1000}, 1.0 / 25 / 1e4),
        (lrfuncs.onecycle_momentum, {"total_steps": 1000}, 0.95),
        (lrfuncs.cosine_restarts, {"peak_lr": 1.0, "cycle_steps": 10, "max_cycles": 3, "min_lr": 0.01}, 0.01),
    ]
    for fn, cfg, floor in cases_:
        results = _everywhere(fn, [step], **cfg)
        for backend, out in results.items():
            assert out[0] == pytest.approx(floor, rel=1e-14, abs=1e-16), (fn.__name__, backend, out)
        assert fn(step, **cfg) == floor  # Python: exactly the floor


def test_fractional_steps_accepted() -> None:
    steps = np.array([0.25, 0.5, 2.5, 3.75, 1e10 + 0.5])
    for name in SCHEDULES:
        fn = lrfuncs.get_schedule(name)
        cfg = _full(name, _EXAMPLE[name])
        out = fn(steps, **cfg)
        assert out.dtype == np.float64
        assert np.all(np.isfinite(out))
        assert [fn(float(s), **cfg) for s in steps] == pytest.approx(out.tolist(), rel=1e-13)
        assert np.allclose(np.asarray(fn(jnp.asarray(steps), **cfg)), out, rtol=1e-12)
        assert np.allclose(fn(torch.as_tensor(steps), **cfg).numpy(), out, rtol=1e-12)
        lo, hi = bounds(name, cfg, float(steps.max()))
        assert np.all((out >= lo - 1e-12 * hi) & (out <= hi * (1 + 1e-12)))
    # between two whole steps the warmup ramp interpolates
    s = lrfuncs.warmup_constant.bind(peak_lr=1.0, warmup_steps=4, init_lr=0.0)
    assert s(1.5) == pytest.approx((s(1) + s(2)) / 2, rel=1e-14)


@pytest.mark.parametrize("backend", ["python", "numpy", "jax", "torch"])
def test_cycle_warmup_is_for_restarts_only(backend: str) -> None:
    """Cycle 0 starts at the peak after the warmup; each restart ramps up from the floor over C steps."""
    cfg = {
        "peak_lr": 1.0,
        "cycle_steps": 10,
        "cycle_mult": 2,
        "min_lr": 0.1,
        "peak_decay": 0.5,
        "warmup_steps": 4,
        "cycle_warmup_steps": 3,
    }
    # restarts at u = 10 and 30 (t = 14, 34): peaks 0.5 and 0.25, ramps of 3 steps from the floor 0.1
    steps = np.array([3, 4, 14, 15, 16, 17, 34, 37])
    out = evaluate(backend, lrfuncs.cosine_restarts, steps, **cfg)
    ramp1 = [0.1 + 0.4 * k / 4 for k in (1, 2, 3)]
    ramp2 = 0.1 + 0.15 * 1 / 4
    expected = [1.0 * 4 / 5, 1.0, *ramp1, 0.5, ramp2, 0.25]  # warmup: peak * (t + 1) / (W + 1)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
