"""Test data of the composites (join, product, with_warmup, restarts, scale, clip, in_epochs, shift).

Children are drawn from a few foundation schedules with ``peak_lr``; a composite's values lie
between 0 and the largest child peak (times the composite's own factor).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from strategies import counts, floor_config, fraction_of, lengths, peaks

import lrfuncs

from . import Case


@st.composite
def child(draw: Any) -> lrfuncs.Schedule[Any]:
    """A bound foundation schedule with a ``peak_lr``."""
    kind = draw(st.sampled_from(["cosine_decay", "step_decay", "warmup_cosine", "onecycle", "multistep_decay"]))
    peak = draw(peaks)
    if kind == "cosine_decay":
        cfg: dict[str, Any] = {"peak_lr": peak, "total_steps": draw(lengths(1, 60))}
        floor_config(draw, cfg)
        return lrfuncs.cosine_decay.bind(**cfg)
    if kind == "step_decay":
        return lrfuncs.step_decay.bind(peak_lr=peak, step_size=draw(lengths(1, 20)), gamma=0.5)
    if kind == "warmup_cosine":
        w = draw(counts(10))
        return lrfuncs.warmup_cosine.bind(peak_lr=peak, warmup_steps=w, total_steps=w + draw(lengths(1, 50)))
    if kind == "onecycle":
        return lrfuncs.onecycle.bind(peak_lr=peak, total_steps=draw(st.integers(1, 60)))
    return lrfuncs.multistep_decay.bind(peak_lr=peak, milestones=draw(st.lists(st.integers(0, 40), max_size=3)))


def _peak(s: lrfuncs.Schedule[Any]) -> float:
    return float(s.config["peak_lr"])


def _max_peak(children: Any) -> float:
    return max(_peak(c) for c in children)


@st.composite
def _join(draw: Any) -> dict[str, Any]:
    children = draw(st.lists(child(), min_size=1, max_size=3))
    if draw(st.booleans()) and len(children) > 1:
        raw = draw(st.lists(st.floats(0.05, 1.0), min_size=len(children), max_size=len(children)))
        fr = [r / sum(raw) for r in raw]
        fr[-1] = 1.0 - sum(fr[:-1])
        return {"schedules": children, "fractions": fr, "total_steps": draw(lengths(1, 100)),
                "local_time": draw(st.booleans())}
    b = sorted(draw(st.lists(st.integers(0, 80), min_size=len(children) - 1, max_size=len(children) - 1)))
    return {"schedules": children, "boundaries": b, "local_time": draw(st.booleans())}


def _join_marks(cfg: dict[str, Any]) -> list[float]:
    s = lrfuncs.join.bind(**cfg)
    return [step for _, step in s.landmarks()]


@st.composite
def _product(draw: Any) -> dict[str, Any]:
    return {"schedules": draw(st.lists(child(), min_size=1, max_size=3)), "scale": draw(fraction_of(2.0))}


def _product_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    hi = cfg["scale"]
    for c in cfg["schedules"]:
        hi *= max(_peak(c), 1.0)
    return 0.0, hi


@st.composite
def _with_warmup(draw: Any) -> dict[str, Any]:
    inner = draw(child())
    cfg: dict[str, Any] = {
        "inner": inner,
        "warmup_steps": draw(counts(30)),
        "total_includes_warmup": draw(st.booleans()),
        "shape": draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
    }
    init = draw(st.sampled_from(["default", "abs", "ratio"]))
    if init == "abs":
        cfg["init_lr"] = draw(fraction_of(_peak(inner)))
    elif init == "ratio":
        cfg["init_lr_ratio"] = draw(fraction_of(1.0))
    return cfg


@st.composite
def _restarts(draw: Any) -> dict[str, Any]:
    inner = draw(child())
    cs = draw(lengths(1, 30))
    m = draw(st.one_of(st.sampled_from([1.0, 1, 2, 2.0, 0.5]), st.floats(0.3, 3.0)))
    cfg: dict[str, Any] = {"inner": inner, "cycle_steps": cs, "cycle_mult": m,
                           "peak_decay": draw(st.one_of(st.just(1.0), st.floats(0.1, 1.0)))}
    cfg["max_cycles"] = draw(st.integers(1, 5)) if m < 1 else draw(st.one_of(st.none(), st.integers(1, 5)))
    if inner.name == "cosine_decay" and draw(st.booleans()):
        cfg["min_lr"] = inner(inner.config["total_steps"])  # peak decay keeps the inner schedule's floor
        cfg["decay_mode"] = draw(st.sampled_from(["peak", "amplitude"]))
    if m >= 1:
        cfg["cycle_warmup_steps"] = draw(st.one_of(st.just(0), st.floats(0.01, 0.99).map(lambda r: r * cs)))
    return cfg


def _restart_marks(cfg: dict[str, Any]) -> list[float]:
    return [step for _, step in lrfuncs.restarts.bind(**cfg).landmarks()][:8]


@st.composite
def _scale(draw: Any) -> dict[str, Any]:
    return {"inner": draw(child()), "factor": draw(fraction_of(3.0))}


@st.composite
def _clip(draw: Any) -> dict[str, Any]:
    inner = draw(child())
    p = _peak(inner)
    lo = draw(st.one_of(st.none(), fraction_of(p)))
    hi = draw(st.one_of(st.none(), fraction_of(2.0 * p)))
    if lo is None and hi is None:
        lo = 0.1 * p
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return {"inner": inner, "min_lr": lo, "max_lr": hi}


@st.composite
def _in_epochs(draw: Any) -> dict[str, Any]:
    return {"inner": draw(child()), "steps_per_epoch": draw(lengths(1, 20)), "staircase": draw(st.booleans())}


@st.composite
def _shift(draw: Any) -> dict[str, Any]:
    return {"inner": draw(child()), "offset": draw(st.one_of(st.integers(-20, 20), st.floats(-20.0, 20.0)))}


def _marks_of(name: str) -> Any:
    def marks(cfg: dict[str, Any]) -> list[float]:
        return [step for _, step in lrfuncs.get_schedule(name).bind(**cfg).landmarks()][:12]

    return marks


def _inner_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    return 0.0, _peak(cfg["inner"])


def _warmup_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    return 0.0, max(_peak(cfg["inner"]), cfg.get("init_lr") or 0.0)


def _clip_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    lo = cfg["min_lr"] or 0.0
    hi = _peak(cfg["inner"])
    hi = max(lo, hi if cfg["max_lr"] is None else min(hi, cfg["max_lr"]))
    return lo, hi


_COS = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10, min_lr=0.001)
_WC = lrfuncs.warmup_cosine.bind(peak_lr=0.2, warmup_steps=3, total_steps=20, min_lr_ratio=0.1)
_STEP = lrfuncs.step_decay.bind(peak_lr=0.1, step_size=4, gamma=0.5)

STATIC = frozenset({"schedules", "inner", "boundaries", "fractions", "local_time", "total_includes_warmup",
                    "shape", "staircase", "decay_mode"})

CASES = {
    "join": Case(
        config={"schedules": [_WC, _COS], "boundaries": [20]},
        strategy=_join(),
        landmarks=_join_marks,
        grad_edges=[{"schedules": [_COS], "boundaries": []},
                    {"schedules": [_COS, _STEP, _WC], "boundaries": [0, 0]},
                    {"schedules": [_COS, _WC], "fractions": [0.0, 1.0], "total_steps": 5}],
        examples=[{"schedules": [_WC, _COS], "boundaries": [5]}],
        bounds=lambda cfg, tmax: (0.0, _max_peak(cfg["schedules"])),
        static=STATIC,
    ),
    "product": Case(
        config={"schedules": [_COS, _STEP], "scale": 10.0},
        strategy=_product(),
        landmarks=_marks_of("product"),
        grad_edges=[{"schedules": [_COS], "scale": 0.0}],
        examples=[{"schedules": [_COS, _STEP], "scale": 2.0}],
        bounds=_product_bounds,
        variants={"scale": lambda v: [v, 2.0 * v, 1.0]},
        static=STATIC,
    ),
    "with_warmup": Case(
        config={"inner": _COS, "warmup_steps": 5, "total_includes_warmup": False, "shape": "cosine"},
        strategy=_with_warmup(),
        landmarks=_marks_of("with_warmup"),
        grad_edges=[{"inner": _COS, "warmup_steps": 0, "total_includes_warmup": True},
                    {"inner": _COS, "warmup_steps": 10, "total_includes_warmup": True, "shape": "1-sqrt"},
                    {"inner": _STEP, "warmup_steps": 4, "total_includes_warmup": False, "init_lr_ratio": 1.0}],
        examples=[{"inner": _COS, "warmup_steps": 3, "total_includes_warmup": False}],
        bounds=_warmup_bounds,
        variants={"init_lr_ratio": lambda v: [v, 0.5 * v, 0.0]},
        static=STATIC,
    ),
    "restarts": Case(
        config={"inner": _COS, "cycle_steps": 10, "cycle_mult": 1.5, "peak_decay": 0.7, "max_cycles": 4,
                "cycle_warmup_steps": 2},
        strategy=_restarts(),
        landmarks=_restart_marks,
        grad_edges=[{"inner": _COS, "cycle_steps": 10},
                    {"inner": _STEP, "cycle_steps": 3, "cycle_mult": 0.5, "max_cycles": 3},
                    {"inner": _COS, "cycle_steps": 2, "cycle_mult": 2, "cycle_warmup_steps": 1, "max_cycles": 2}],
        examples=[{"inner": _COS, "cycle_steps": 4, "cycle_mult": 2}],
        bounds=_inner_bounds,
        static=STATIC,
    ),
    "scale": Case(
        config={"inner": _WC, "factor": 0.5},
        strategy=_scale(),
        landmarks=_marks_of("scale"),
        grad_edges=[{"inner": _COS, "factor": 0.0}],
        examples=[{"inner": _COS, "factor": 2.0}],
        bounds=lambda cfg, tmax: (0.0, cfg["factor"] * _peak(cfg["inner"])),
        variants={"factor": lambda v: [v, 0.5 * v, 1.0]},  # shared with constant_factor: stays in [0, 1]
        static=STATIC,
    ),
    "clip": Case(
        config={"inner": _WC, "min_lr": 0.05, "max_lr": 0.15},
        strategy=_clip(),
        landmarks=_marks_of("clip"),
        grad_edges=[{"inner": _COS, "min_lr": 0.1, "max_lr": 0.1}, {"inner": _COS, "max_lr": 0.0}],
        examples=[{"inner": _COS, "min_lr": 0.01}],
        bounds=_clip_bounds,
        variants={"max_lr": lambda v: [v, v, 2.0 * v]},
        static=STATIC,
    ),
    "in_epochs": Case(
        config={"inner": _STEP, "steps_per_epoch": 7, "staircase": True},
        strategy=_in_epochs(),
        landmarks=_marks_of("in_epochs"),
        grad_edges=[{"inner": _COS, "steps_per_epoch": 1}, {"inner": _COS, "steps_per_epoch": 0.5,
                                                               "staircase": True}],
        examples=[{"inner": _COS, "steps_per_epoch": 3}],
        bounds=_inner_bounds,
        variants={"steps_per_epoch": lambda v: [v, 2.0 * v, v + 0.5]},
        static=STATIC,
    ),
    "shift": Case(
        config={"inner": _WC, "offset": 1},
        strategy=_shift(),
        landmarks=_marks_of("shift"),
        grad_edges=[{"inner": _COS, "offset": 0}, {"inner": _COS, "offset": -5}],
        examples=[{"inner": _COS, "offset": 1}],
        bounds=_inner_bounds,
        variants={"offset": lambda v: [v, v + 1.0, 0.0]},
        static=STATIC,
    ),
}
