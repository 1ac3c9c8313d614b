"""Test data of ``tri_stage`` (fairseq ``tri_stage``): warmup, hold, exponential decay, floor.

The drawn configs leave the floor at its default (``min_lr_ratio=0.01``): the shared variants
of ``min_lr`` / ``min_lr_ratio`` include 0, which an exponential decay refuses.
tests/test_schedules_tristage.py covers explicit floors on every backend.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from strategies import counts, fraction_of, peaks

from . import Case


def _shared_variant(name: str, default: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    """The variants another (already loaded) case module gives ``name``, else ``default``.

    test_backends.VARIANTS holds one function per argument name and asserts that no two
    Cases define it differently; ``hold_steps`` and ``decay_steps`` are also arguments of
    other families' schedules.
    """
    for module_name, module in sorted(sys.modules.items()):
        if module_name.startswith("schedule_cases.") and module is not sys.modules.get(__name__):
            for case in getattr(module, "CASES", {}).values():
                if name in case.variants:
                    return case.variants[name]  # type: ignore[no-any-return]
    return default


@st.composite
def _tri_stage(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    return {
        "peak_lr": peak,
        "warmup_steps": draw(counts(30)),
        "hold_steps": draw(counts(30)),
        "decay_steps": draw(counts(60)),
        "init_lr": draw(st.one_of(st.none(), fraction_of(peak))),
    }


def _marks(cfg: dict[str, Any]) -> list[float]:
    w, h, d = cfg["warmup_steps"], cfg["hold_steps"], cfg["decay_steps"]
    return [w, w + h, w + h + 0.5 * d, w + h + d, 2.0 * (w + h + d) + 3.0]


def _floor(cfg: dict[str, Any]) -> float:
    if cfg.get("min_lr") is not None:
        return cfg["min_lr"]
    ratio = cfg.get("min_lr_ratio")
    return (0.01 if ratio is None else ratio) * cfg["peak_lr"]


def _init(cfg: dict[str, Any]) -> float:
    return cfg["init_lr"] if cfg["init_lr"] is not None else cfg["peak_lr"] / (cfg["warmup_steps"] + 1.0)


def _bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    lo = _floor(cfg)
    return (min(lo, _init(cfg)) if cfg["warmup_steps"] > 0 else lo), cfg["peak_lr"]


def _monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """Rising warmup, the peak while holding, non-increasing decay, then the floor."""
    w, h, d = cfg["warmup_steps"], cfg["hold_steps"], cfg["decay_steps"]
    assert np.all(np.diff(y[t < w]) >= -tol)
    assert np.all(y[(t >= w) & (t < w + h)] == cfg["peak_lr"])
    assert np.all(np.diff(y[t >= w + h]) <= tol)
    assert np.all(y[t >= w + h + d] == _floor(cfg))


CASES = {
    "tri_stage": Case(
        config={"peak_lr": 0.1, "warmup_steps": 5, "hold_steps": 10, "decay_steps": 30, "init_lr": 0.001,
                "min_lr": 0.0005},
        strategy=_tri_stage(),
        landmarks=_marks,
        grad_edges=[
            {"peak_lr": 0.1, "warmup_steps": 0, "hold_steps": 0, "decay_steps": 0},
            {"peak_lr": 0.1, "warmup_steps": 3, "hold_steps": 0, "decay_steps": 5, "min_lr": 0.1},
            {"peak_lr": 0.1, "warmup_steps": 2, "hold_steps": 1, "decay_steps": 0.5, "init_lr": 0.0,
             "min_lr_ratio": 1e-6},
        ],
        examples=[{"peak_lr": 0.1, "warmup_steps": 2, "hold_steps": 2, "decay_steps": 5}],
        bounds=_bounds,
        variants={
            "hold_steps": _shared_variant("hold_steps", lambda v: [v, 0.0, 2.0 * v + 1.0]),
            "decay_steps": _shared_variant("decay_steps", lambda v: [v, 2.0 * v, v + 1.0]),
        },
        monotone=_monotone,
    ),
}
