"""Test data of ``tanh_decay`` (timm ``TanhLRScheduler``, one cycle): falls from peak to the floor."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from strategies import floor_config, lengths, peaks

from . import Case


@st.composite
def _tanh_decay(draw: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {"peak_lr": draw(peaks), "total_steps": draw(lengths(1, 200))}
    floor_config(draw, cfg)
    lb = draw(st.one_of(st.just(-7.0), st.floats(-10.0, 5.0)))
    cfg["lb"] = lb
    cfg["ub"] = draw(st.one_of(st.just(max(3.0, lb + 1.0)), st.floats(lb + 0.01, lb + 15.0)))
    return cfg


def _floor(cfg: dict[str, Any]) -> float:
    if cfg.get("min_lr_ratio") is not None:
        return cfg["min_lr_ratio"] * cfg["peak_lr"]
    return cfg.get("min_lr") or 0.0


def _monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """Non-increasing (tanh of a rising argument), the floor from total_steps on."""
    assert np.all(np.diff(y) <= tol)
    assert np.all(y[t >= cfg["total_steps"]] == _floor(cfg))


CASES = {
    "tanh_decay": Case(
        config={"peak_lr": 0.1, "total_steps": 50, "min_lr": 0.001, "lb": -6.0, "ub": 4.0},
        strategy=_tanh_decay(),
        landmarks=lambda cfg: [0.5 * cfg["total_steps"], float(cfg["total_steps"]), 2.0 * cfg["total_steps"]],
        grad_edges=[
            {"peak_lr": 0.1, "total_steps": 1},
            {"peak_lr": 0.1, "total_steps": 10, "min_lr_ratio": 1.0, "lb": -1e-3, "ub": 0.0},
            {"peak_lr": 0.1, "total_steps": 0.5, "min_lr": 0.1, "lb": -50.0, "ub": 50.0},
        ],
        examples=[{"peak_lr": 0.1, "total_steps": 10, "min_lr": 0.001}],
        bounds=lambda cfg, tmax: (_floor(cfg), cfg["peak_lr"]),
        variants={"lb": lambda v: [v, v - 1.0, v - 2.0], "ub": lambda v: [v, v + 1.0, v + 0.5]},
        monotone=_monotone,
    ),
}
