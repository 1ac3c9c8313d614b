"""Test data of the decays without a cosine: exponential_decay, polynomial_decay, inverse_time_decay, inverse_sqrt.

The shared strategies keep ``end_lr`` at its default (0 / None): an absolute ``end_lr`` is not
linear in ``peak_lr``, which test_backends' homogeneity test assumes once ``min_lr`` and
``init_lr`` are reset. tests/test_schedules_decay.py runs the shared backend and gradient checks on
configs with an ``end_lr`` too.

``VARIANTS`` below is shared by every module that uses these argument names (test_backends requires
one function object per name): import it instead of redefining ``hold_steps``, ``decay_steps``, ...
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from strategies import counts, exponents, fraction_of, lengths, peaks

from . import Case

#: vmap variants of the argument names introduced by the schedules of decay.py, simple.py and wsd.py.
#: Each keeps any valid config valid, applied alone or all together (index j of every list).
VARIANTS: dict[str, Any] = {
    "decay_rate": lambda v: [v, v**0.5, v**2],  # stays on its side of 1 (end_lr: lower / upper bound)
    "decay_steps": lambda v: [v, v + 1, 2 * v],  # wsd: W + D <= N stays true with total_steps' [v, v + 1, 2v]
    "hold_steps": lambda v: [v, 0.0, 0.5 * v],
    "end_lr": lambda v: [v, 0.5 * v, 0.25 * v],  # a lower bound (<= peak) stays one; lr_sweep's end stays > 0
    "power": lambda v: [v, 1.0, 2.0 * v],
    "k_decay": lambda v: [v, 1.0, 2.0 * v],
    "timescale": lambda v: [v, 2.0 * v, v + 1.0],
}

STATIC = frozenset({"staircase", "cycle"})

rates = st.one_of(st.sampled_from([0.5, 0.9, 0.99]), st.floats(0.05, 0.999))
growth = st.sampled_from([1.0, 1.01, 1.1, 1.5])


def non_decreasing(y: Any, tol: float) -> None:
    assert np.all(np.diff(y) >= -tol), y


def non_increasing(y: Any, tol: float) -> None:
    assert np.all(np.diff(y) <= tol), y


def ramp_then(cfg: dict[str, Any], t: Any, y: Any, tol: float, *, peak_at_w: bool) -> None:
    """Rising over the warmup [0, W] (W itself only if the lr there is the peak); then non-increasing."""
    w = cfg.get("warmup_steps", 0)
    non_decreasing(y[(t <= w) if peak_at_w else (t < w)], tol)
    non_increasing(y[t >= w], tol)


def _init(cfg: dict[str, Any]) -> float:
    if cfg.get("init_lr") is not None:
        return cfg["init_lr"]
    return cfg["peak_lr"] / (cfg.get("warmup_steps", 0) + 1.0)


# ----------------------------------------------------------------------------------------------
# exponential_decay


@st.composite
def _exponential(draw: Any, with_end: bool = False) -> dict[str, Any]:
    peak = draw(peaks)
    cfg: dict[str, Any] = {"peak_lr": peak, "decay_steps": draw(lengths(1, 30)), "hold_steps": draw(counts(30)),
                           "staircase": draw(st.booleans())}
    if draw(st.integers(0, 4)) == 0:  # a growth (torch ExponentialLR(gamma > 1), lr range tests)
        cfg["decay_rate"] = draw(growth)
        if with_end:
            cfg["end_lr"] = peak * draw(st.sampled_from([1.0, 2.0, 10.0]))
    else:
        cfg["decay_rate"] = draw(rates)
        if with_end:
            cfg["end_lr"] = draw(fraction_of(peak))
    return cfg


def _exponential_marks(cfg: dict[str, Any]) -> list[float]:
    h, d = cfg.get("hold_steps", 0), cfg.get("decay_steps", 1)
    return [h + k * d for k in range(6)]


def _exponential_monotone(cfg: dict[str, Any], t: Any, y: Any, tol: float) -> None:
    (non_increasing if cfg["decay_rate"] < 1 else non_decreasing)(y, tol)


def _exponential_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    peak, rate, end = cfg["peak_lr"], cfg["decay_rate"], cfg.get("end_lr")
    p = max(tmax - cfg.get("hold_steps", 0), 0.0) / cfg.get("decay_steps", 1)
    extreme = peak * rate**p
    if rate < 1:
        return (extreme if end is None else max(extreme, end)), peak
    return peak, (extreme if end is None else min(extreme, end))


# ----------------------------------------------------------------------------------------------
# polynomial_decay


@st.composite
def _polynomial(draw: Any, with_end: bool = False) -> dict[str, Any]:
    peak = draw(peaks)
    w, h, d = draw(counts(30)), draw(counts(20)), draw(counts(100))
    cfg: dict[str, Any] = {"peak_lr": peak, "warmup_steps": w, "hold_steps": h, "total_steps": (w + h + d) or 1}
    cfg["power"] = draw(exponents)
    cfg["k_decay"] = draw(st.one_of(st.just(1.0), st.floats(0.25, 4.0)))
    cfg["init_lr"] = draw(st.one_of(st.none(), fraction_of(peak)))
    cfg["cycle"] = d > 0 and draw(st.booleans())
    if with_end:
        cfg["end_lr"] = draw(st.one_of(fraction_of(peak), st.floats(1.0, 3.0).map(lambda r: r * peak)))
    return cfg


def _polynomial_marks(cfg: dict[str, Any]) -> list[float]:
    w, h, n = cfg.get("warmup_steps", 0), cfg.get("hold_steps", 0), cfg["total_steps"]
    marks = [w, w + h, n, 2.0 * n]
    if cfg.get("cycle"):
        marks += [w + h + k * (n - w - h) for k in range(2, 6)]
    return marks


def _polynomial_monotone(cfg: dict[str, Any], t: Any, y: Any, tol: float) -> None:
    w, h, n, peak, end = cfg["warmup_steps"], cfg["hold_steps"], cfg["total_steps"], cfg["peak_lr"], cfg["end_lr"]
    non_decreasing(y[(t <= w) if n > w else (t < w)], tol)  # at W: the peak, or end_lr if nothing follows
    after = (non_increasing if end <= peak else non_decreasing)
    if not cfg["cycle"]:
        after(y[t >= w], tol)
        return
    after(y[(t >= w) & (t <= w + h)], tol)
    # keras: span k decays over ((k - 1) T, k T] (k = ceil(tau / T), exactly), then the lr jumps back up
    tau = t - (w + h)
    span = -np.floor_divide(-tau, n - (w + h))  # the kernel's rounding of T
    for k in np.unique(span[tau > 0]):
        after(y[(tau > 0) & (span == k)], tol)


def _polynomial_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    peak, end = cfg["peak_lr"], cfg.get("end_lr", 0.0)
    lo = min(peak, end)
    if cfg.get("warmup_steps", 0) > 0:
        lo = min(lo, _init(cfg))
    return lo, max(peak, end)


# ----------------------------------------------------------------------------------------------
# inverse_time_decay, inverse_sqrt


@st.composite
def _inverse_time(draw: Any) -> dict[str, Any]:
    return {
        "peak_lr": draw(peaks),
        "decay_rate": draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 5.0))),
        "decay_steps": draw(lengths(1, 30)),
        "staircase": draw(st.booleans()),
    }


def _inverse_time_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    peak = cfg["peak_lr"]
    return peak / (1.0 + cfg["decay_rate"] * tmax / cfg.get("decay_steps", 1)), peak


@st.composite
def _inverse_sqrt(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    return {
        "peak_lr": peak,
        "warmup_steps": draw(counts(50)),
        # always given: warmup_steps' vmap variant 0 needs an explicit timescale (None is tested on its own)
        "timescale": draw(lengths(1, 100)),
        "init_lr": draw(st.one_of(st.none(), fraction_of(peak))),
    }


def _inverse_sqrt_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    peak, w = cfg["peak_lr"], cfg["warmup_steps"]
    s = cfg.get("timescale") or w
    lo = peak / math.sqrt((max(tmax - w, 0.0) + s) / s)
    if w > 0:
        lo = min(lo, _init(cfg))
    return lo, peak


CASES = {
    "exponential_decay": Case(
        config={"peak_lr": 0.1, "decay_rate": 0.5, "decay_steps": 10, "hold_steps": 5, "staircase": True,
                "end_lr": 0.001},
        strategy=_exponential(),
        landmarks=_exponential_marks,
        grad_edges=[
            {"peak_lr": 0.1, "decay_rate": 0.9},
            {"peak_lr": 0.1, "decay_rate": 0.5, "decay_steps": 2, "hold_steps": 3, "staircase": True, "end_lr": 0.0},
            {"peak_lr": 0.1, "decay_rate": 0.5, "decay_steps": 0.5, "end_lr": 0.01},
            {"peak_lr": 0.1, "decay_rate": 1.5, "end_lr": 0.4},  # a capped growth: no overflow at 1e10
            {"peak_lr": 0.1, "decay_rate": 1.0, "end_lr": 0.1, "hold_steps": 4},
        ],
        examples=[{"peak_lr": 0.1, "decay_rate": 0.5, "decay_steps": 3}],
        bounds=_exponential_bounds,
        monotone=_exponential_monotone,
        variants={k: VARIANTS[k] for k in ("decay_rate", "decay_steps", "hold_steps", "end_lr")},
        static=STATIC,
    ),
    "polynomial_decay": Case(
        config={"peak_lr": 0.1, "total_steps": 40, "end_lr": 0.001, "power": 2.0, "warmup_steps": 5,
                "init_lr": 0.0, "hold_steps": 3, "k_decay": 1.5},
        strategy=_polynomial(),
        landmarks=_polynomial_marks,
        grad_edges=[
            {"peak_lr": 0.1, "total_steps": 1},
            {"peak_lr": 0.1, "total_steps": 10, "warmup_steps": 4, "hold_steps": 6, "end_lr": 0.01},
            {"peak_lr": 0.1, "total_steps": 10, "power": 0.5, "k_decay": 0.5, "warmup_steps": 2, "init_lr": 0.0},
            {"peak_lr": 0.1, "total_steps": 3, "power": 2.0, "cycle": True, "k_decay": 2.0},
            {"peak_lr": 0.1, "total_steps": 10, "warmup_steps": 10, "k_decay": 3.0},
        ],
        examples=[{"peak_lr": 0.1, "total_steps": 10, "end_lr": 0.01, "power": 2.0, "warmup_steps": 2}],
        bounds=_polynomial_bounds,
        monotone=_polynomial_monotone,
        variants={k: VARIANTS[k] for k in ("hold_steps", "end_lr", "power", "k_decay")},
        static=STATIC,
    ),
    "inverse_time_decay": Case(
        config={"peak_lr": 0.1, "decay_rate": 0.5, "decay_steps": 4, "staircase": True},
        strategy=_inverse_time(),
        landmarks=lambda cfg: [k * cfg.get("decay_steps", 1) for k in range(6)],
        grad_edges=[
            {"peak_lr": 0.1, "decay_rate": 0.0},
            {"peak_lr": 0.1, "decay_rate": 2.0, "decay_steps": 0.5, "staircase": True},
        ],
        examples=[{"peak_lr": 0.1, "decay_rate": 0.5, "decay_steps": 2}],
        bounds=_inverse_time_bounds,
        monotone=lambda cfg, t, y, tol: non_increasing(y, tol),
        variants={k: VARIANTS[k] for k in ("decay_rate", "decay_steps")},
        static=STATIC,
    ),
    "inverse_sqrt": Case(
        config={"peak_lr": 0.1, "warmup_steps": 10, "timescale": 20, "init_lr": 0.0},
        strategy=_inverse_sqrt(),
        landmarks=lambda cfg: [cfg["warmup_steps"], 2.0 * cfg["warmup_steps"] + 5.0,
                               cfg["warmup_steps"] + 10.0 * (cfg.get("timescale") or cfg["warmup_steps"])],
        grad_edges=[
            {"peak_lr": 0.1, "warmup_steps": 4},
            {"peak_lr": 0.1, "warmup_steps": 0, "timescale": 1},
            {"peak_lr": 0.1, "warmup_steps": 4, "timescale": 0.5, "init_lr": 0.0},
        ],
        examples=[{"peak_lr": 0.1, "warmup_steps": 3}],
        bounds=_inverse_sqrt_bounds,
        monotone=lambda cfg, t, y, tol: ramp_then(cfg, t, y, tol, peak_at_w=True),
        variants={"timescale": VARIANTS["timescale"]},
    ),
}
