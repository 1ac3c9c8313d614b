"""Test data of wsd (warmup-stable-decay)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from strategies import counts, floor_config, fraction_of, lengths, peaks

from . import Case
from .decay import VARIANTS, non_decreasing, non_increasing

WARMUP_SHAPES = ["linear", "cosine", "1-sqrt"]
DECAY_SHAPES = ["linear", "cosine", "1-sqrt", "power", "exp"]
STABLE_SHAPES = ["constant", "rsqrt", "power"]


@st.composite
def wsd_configs(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    w, s, d = draw(counts(30)), draw(counts(80)), draw(counts(50))
    cfg: dict[str, Any] = {"peak_lr": peak, "warmup_steps": w, "decay_steps": d, "total_steps": (w + s + d) or 1}
    cfg["init_lr"] = draw(st.one_of(st.none(), fraction_of(peak)))
    floor_config(draw, cfg)
    cfg["warmup_shape"] = draw(st.sampled_from(WARMUP_SHAPES))
    cfg["decay_shape"] = draw(st.sampled_from(DECAY_SHAPES))
    cfg["decay_power"] = draw(st.one_of(st.just(0.5), st.floats(0.25, 4.0)))
    cfg["decay_ratio"] = draw(st.one_of(st.just(0.1), st.floats(0.01, 0.99)))
    cfg["num_cycles"] = draw(st.one_of(st.just(0.5), st.floats(0.1, 3.0)))
    cfg["stable_shape"] = draw(st.sampled_from(STABLE_SHAPES))
    if cfg["stable_shape"] != "constant":
        # always given: warmup_steps' vmap variant 0 needs an explicit timescale (None is tested on its own)
        cfg["stable_timescale"] = draw(lengths(1, 50))
    cfg["stable_power"] = draw(st.one_of(st.just(0.5), st.floats(0.1, 2.0)))
    return cfg


def _marks(cfg: dict[str, Any]) -> list[float]:
    w, d, n = cfg.get("warmup_steps", 0), cfg["decay_steps"], cfg["total_steps"]
    return [w, n - d, n, 2.0 * n]


def _monotone(cfg: dict[str, Any], t: Any, y: Any, tol: float) -> None:
    """Rising over the warmup, then falling (a cosine decay of more than half a wave rises again inside it)."""
    w, d, n = cfg["warmup_steps"], cfg["decay_steps"], cfg["total_steps"]
    non_decreasing(y[(t <= w) if n > w else (t < w)], tol)  # at W: the stable lr, or the floor if W == N
    after = t >= w
    if cfg["decay_shape"] == "cosine" and cfg["num_cycles"] > 0.5:
        after &= (t <= n - d) | (t >= n)
    non_increasing(y[after], tol)


def _bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    peak = cfg["peak_lr"]
    floor = cfg["min_lr_ratio"] * peak if cfg.get("min_lr_ratio") is not None else (cfg.get("min_lr") or 0.0)
    lo = floor
    w = cfg.get("warmup_steps", 0)
    if w > 0:
        init = cfg["init_lr"] if cfg.get("init_lr") is not None else peak / (w + 1.0)
        lo = min(lo, init)
    return lo, peak


CASES = {
    "wsd": Case(
        config={"peak_lr": 0.1, "total_steps": 50, "decay_steps": 10, "warmup_steps": 5, "init_lr": 0.0,
                "min_lr_ratio": 0.1, "warmup_shape": "cosine", "decay_shape": "cosine", "num_cycles": 0.75,
                "stable_shape": "rsqrt", "stable_timescale": 8},
        strategy=wsd_configs(),
        landmarks=_marks,
        grad_edges=[
            {"peak_lr": 0.1, "total_steps": 10, "decay_steps": 4},
            {"peak_lr": 0.1, "total_steps": 10, "decay_steps": 0, "warmup_steps": 2, "warmup_shape": "1-sqrt"},
            {"peak_lr": 0.1, "total_steps": 10, "decay_steps": 6, "warmup_steps": 4, "warmup_shape": "1-sqrt",
             "decay_shape": "power", "decay_power": 0.5, "min_lr": 0.01},
            {"peak_lr": 0.1, "total_steps": 10, "decay_steps": 10, "decay_shape": "exp", "min_lr_ratio": 0.5},
            {"peak_lr": 0.1, "total_steps": 10, "decay_steps": 3, "warmup_steps": 3, "stable_shape": "rsqrt",
             "min_lr": 0.09, "warmup_shape": "cosine"},
            {"peak_lr": 0.1, "total_steps": 10, "decay_steps": 3, "stable_shape": "power", "stable_timescale": 0.5,
             "stable_power": 2.0, "decay_shape": "cosine", "num_cycles": 1.5},
        ],
        examples=[{"peak_lr": 0.1, "total_steps": 10, "decay_steps": 3, "warmup_steps": 2}],
        bounds=_bounds,
        monotone=_monotone,
        variants={
            "decay_steps": VARIANTS["decay_steps"],
            "decay_power": lambda v: [v, 1.0, 2.0 * v],
            "decay_ratio": lambda v: [v, 0.5 * v, v**2],
            "stable_timescale": VARIANTS["timescale"],
            "stable_power": lambda v: [v, 0.5, 2.0 * v],
        },
        static=frozenset({"warmup_shape", "decay_shape", "stable_shape"}),
    ),
}
