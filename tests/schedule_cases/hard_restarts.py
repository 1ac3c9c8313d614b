"""Test data of ``cosine_hard_restarts`` (HF ``cosine_with_hard_restarts``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from strategies import counts, floor_config, fraction_of, peaks

from . import Case


@st.composite
def _cosine_hard_restarts(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    w = draw(counts(30))
    total = w + draw(counts(150))
    cfg: dict[str, Any] = {
        "peak_lr": peak,
        "warmup_steps": w,
        "total_steps": total if total > 0 else 1,
        "num_cycles": draw(st.one_of(st.sampled_from([1.0, 1, 2, 3, 0.5]), st.floats(0.1, 6.0))),
        "init_lr": draw(st.one_of(st.none(), fraction_of(peak))),
    }
    floor_config(draw, cfg)
    return cfg


def _marks(cfg: dict[str, Any]) -> list[float]:
    w, n, c = cfg["warmup_steps"], cfg["total_steps"], cfg["num_cycles"]
    return [w, *(w + (n - w) * k / c for k in range(1, min(math.ceil(c), 8))), n, 2.0 * n]


def _floor(cfg: dict[str, Any]) -> float:
    if cfg.get("min_lr_ratio") is not None:
        return cfg["min_lr_ratio"] * cfg["peak_lr"]
    return cfg.get("min_lr") or 0.0


def _init(cfg: dict[str, Any]) -> float:
    return cfg["init_lr"] if cfg["init_lr"] is not None else cfg["peak_lr"] / (cfg["warmup_steps"] + 1.0)


def _bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    lo = _floor(cfg)
    return (min(lo, _init(cfg)) if cfg["warmup_steps"] > 0 else lo), cfg["peak_lr"]


def _monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """Rising warmup; each cycle falls from the peak towards the floor; the floor from total_steps on."""
    w, n, c = cfg["warmup_steps"], cfg["total_steps"], cfg["num_cycles"]
    assert np.all(np.diff(y[t < w]) >= -tol)
    assert np.all(y[t >= n] == _floor(cfg))
    if n > w:
        inside = (t >= w) & (t < n)
        # the cycle index as lrfuncs computes it (exact floor division)
        a = c * (t[inside] - w)
        cycle = np.floor_divide(a, n - w)
        yi = y[inside]
        for k in np.unique(cycle):
            assert np.all(np.diff(yi[cycle == k]) <= tol), k


CASES = {
    "cosine_hard_restarts": Case(
        config={"peak_lr": 0.1, "warmup_steps": 5, "total_steps": 65, "num_cycles": 3, "min_lr_ratio": 0.1},
        strategy=_cosine_hard_restarts(),
        landmarks=_marks,
        grad_edges=[
            {"peak_lr": 0.1, "warmup_steps": 0, "total_steps": 10, "num_cycles": 2},
            {"peak_lr": 0.1, "warmup_steps": 10, "total_steps": 10, "init_lr": 0.0, "min_lr": 0.01},
            {"peak_lr": 0.1, "warmup_steps": 2, "total_steps": 5, "num_cycles": 0.5, "min_lr_ratio": 1.0},
        ],
        examples=[{"peak_lr": 0.1, "warmup_steps": 2, "total_steps": 10, "num_cycles": 2}],
        bounds=_bounds,
        monotone=_monotone,
    ),
}
