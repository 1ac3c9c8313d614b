"""Test data of constant, constant_factor and linear."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from strategies import counts, peaks

from . import Case
from .decay import VARIANTS, non_decreasing, non_increasing


@st.composite
def _constant(draw: Any) -> dict[str, Any]:
    return {"peak_lr": draw(peaks)}


@st.composite
def _constant_factor(draw: Any) -> dict[str, Any]:
    return {
        "peak_lr": draw(peaks),
        "factor": draw(st.one_of(st.sampled_from([0.0, 1 / 3, 0.5, 1.0]), st.floats(0.0, 1.0))),
        "factor_steps": draw(counts(30)),
    }


@st.composite
def _linear(draw: Any) -> dict[str, Any]:
    lrs = st.one_of(st.just(0.0), peaks)
    hold = draw(counts(30))
    return {"init_lr": draw(lrs), "end_lr": draw(lrs), "hold_steps": hold, "total_steps": (hold + draw(counts(100)))
            or 1}


CASES = {
    "constant": Case(
        config={"peak_lr": 0.03},
        strategy=_constant(),
        landmarks=lambda cfg: [0.0, 10.0],
        grad_edges=[{"peak_lr": 0.1}],
        examples=[{"peak_lr": 0.1}],
        bounds=lambda cfg, tmax: (cfg["peak_lr"], cfg["peak_lr"]),
        monotone=lambda cfg, t, y, tol: (non_increasing(y, 0.0), non_decreasing(y, 0.0)),
    ),
    "constant_factor": Case(
        config={"peak_lr": 0.1, "factor": 0.25, "factor_steps": 5},
        strategy=_constant_factor(),
        landmarks=lambda cfg: [cfg["factor_steps"], 2.0 * cfg["factor_steps"] + 3.0],
        grad_edges=[
            {"peak_lr": 0.1, "factor": 0.0, "factor_steps": 3},
            {"peak_lr": 0.1, "factor": 0.5, "factor_steps": 0},
        ],
        examples=[{"peak_lr": 0.1, "factor": 1 / 3, "factor_steps": 5}],
        bounds=lambda cfg, tmax: (cfg["peak_lr"] * cfg["factor"], cfg["peak_lr"]),
        monotone=lambda cfg, t, y, tol: non_decreasing(y, tol),
        # `factor`: scale (compose.py) defines its variants (test_backends keeps one function per name)
        variants={"factor_steps": lambda v: [v, 0.0, 2.0 * v]},
    ),
    "linear": Case(
        config={"init_lr": 0.001, "end_lr": 0.1, "total_steps": 20, "hold_steps": 5},
        strategy=_linear(),
        landmarks=lambda cfg: [cfg.get("hold_steps", 0), cfg["total_steps"], 2.0 * cfg["total_steps"]],
        grad_edges=[
            {"init_lr": 0.1, "end_lr": 0.0, "total_steps": 1},
            {"init_lr": 0.0, "end_lr": 0.1, "total_steps": 4, "hold_steps": 4},
            {"init_lr": 0.1, "end_lr": 0.1, "total_steps": 0.5, "hold_steps": 0.25},
        ],
        examples=[{"init_lr": 0.1, "end_lr": 0.01, "total_steps": 10, "hold_steps": 2}],
        bounds=lambda cfg, tmax: (min(cfg["init_lr"], cfg["end_lr"]), max(cfg["init_lr"], cfg["end_lr"])),
        monotone=lambda cfg, t, y, tol: (non_increasing if cfg["end_lr"] <= cfg["init_lr"] else non_decreasing)(y, tol),
        variants={k: VARIANTS[k] for k in ("hold_steps", "end_lr")},
    ),
}
