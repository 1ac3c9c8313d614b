"""Test data of ``cyclic`` and ``cyclic_momentum`` (torch ``CyclicLR``).

Values lie between the low end (``min_lr`` / ``max_momentum``) and the high end reached at a
scale of 1; the only scale above 1 is ``triangular2`` per iteration (``2 ** (1 - t)``), which
exceeds 1 at a peak only when ``up_steps < 1`` (then by less than 2).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from strategies import fraction_of, gammas, lengths, peaks

import lrfuncs

from . import Case

STATIC = frozenset({"mode", "scale_mode"})
MODES = ("triangular", "triangular2", "exp_range")


def _cycle(draw: Any, cfg: dict[str, Any]) -> dict[str, Any]:
    cfg["up_steps"] = draw(lengths(1, 30))
    cfg["down_steps"] = draw(st.one_of(st.none(), st.just(0), lengths(1, 30)))
    cfg["mode"] = draw(st.sampled_from(MODES))
    cfg["gamma"] = draw(gammas)
    cfg["scale_mode"] = draw(st.sampled_from([None, "cycle", "iterations"]))
    return cfg


@st.composite
def _cyclic(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    return _cycle(draw, {"min_lr": draw(st.one_of(st.none(), fraction_of(peak))), "peak_lr": peak})


@st.composite
def _cyclic_momentum(draw: Any) -> dict[str, Any]:
    moms = st.one_of(st.sampled_from([0.8, 0.9, 0.0, 1.0]), st.floats(0.0, 1.0))
    return _cycle(draw, {"base_momentum": draw(moms), "max_momentum": draw(moms)})


def _total(cfg: dict[str, Any]) -> tuple[float, float]:
    up = float(cfg["up_steps"])
    down = cfg.get("down_steps")
    return up, up + (up if down is None else float(down))


def _marks(cfg: dict[str, Any]) -> list[float]:
    up, total = _total(cfg)
    return [x for k in range(4) for x in (k * total, k * total + up)]


def _overshoot(cfg: dict[str, Any]) -> float:
    """The largest ``h * scale``: 1, or below 2 for triangular2 per iteration with up_steps < 1."""
    per_step = cfg.get("scale_mode") == "iterations" and cfg.get("mode") == "triangular2"
    return 2.0 if per_step and cfg["up_steps"] < 1 else 1.0


def _cyclic_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    low = cfg["min_lr"] or 0.0
    return low, low + (cfg["peak_lr"] - low) * _overshoot(cfg)


def _momentum_bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    hi, amp = cfg["max_momentum"], cfg["max_momentum"] - cfg["base_momentum"]
    ends = [hi, hi - amp * _overshoot(cfg)]
    return min(ends), max(ends)


def _monotone(sign: float) -> Any:
    """Each cycle rises (``sign=1``; falls for the momentum) to its peak, then falls back.

    A scale per iteration shrinks while the triangle rises, so only the falling half is
    monotone then; per cycle (or triangular) both halves are. Every scale is non-increasing,
    so each cycle's peak is at most the previous one's.
    """

    def check(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
        inverted = sign < 0 and cfg["base_momentum"] > cfg["max_momentum"]  # the lr's shape
        sign_ = 1.0 if inverted else sign
        z = sign_ * y
        up, total = _total(cfg)
        per_step = (cfg["scale_mode"] or ("iterations" if cfg["mode"] == "exp_range" else "cycle")) == "iterations"
        k = t // total
        for c in np.unique(k)[:-1]:  # whole cycles inside the grid
            tau = t[k == c] - c * total
            zc = z[k == c]
            assert np.all(np.diff(zc[tau >= up]) <= tol), (c, zc)
            if not per_step or cfg["mode"] == "triangular":
                assert np.all(np.diff(zc[tau <= up]) >= -tol), (c, zc)
        # the peaks themselves (k * total + up) never grow: every scale is non-increasing
        # (a sawtooth, down_steps=0, never reaches its peak: k * total + up starts the next cycle)
        if total == up:
            return
        fn = lrfuncs.cyclic if sign > 0 else lrfuncs.cyclic_momentum
        tops = sign_ * fn(np.arange(int(k.max()) + 1) * total + up, **cfg)
        assert np.all(np.diff(tops) <= tol), tops

    return check


CASES = {
    "cyclic": Case(
        config={"min_lr": 0.001, "peak_lr": 0.1, "up_steps": 4, "down_steps": 6, "mode": "exp_range", "gamma": 0.98},
        strategy=_cyclic(),
        landmarks=_marks,
        grad_edges=[
            {"min_lr": 0.0, "peak_lr": 0.1, "up_steps": 1, "down_steps": 0},
            {"min_lr": 0.01, "peak_lr": 0.1, "up_steps": 0.5, "mode": "triangular2", "scale_mode": "iterations"},
            {"min_lr": 0.1, "peak_lr": 0.1, "up_steps": 3, "down_steps": 1, "mode": "exp_range", "gamma": 1.0},
            {"min_lr": None, "peak_lr": 0.1, "up_steps": 2, "mode": "exp_range", "gamma": 0.5, "scale_mode": "cycle"},
        ],
        examples=[
            {"min_lr": 0.01, "peak_lr": 0.1, "up_steps": 3},
            {"min_lr": 0.0, "peak_lr": 0.1, "up_steps": 2, "down_steps": 4, "mode": "triangular2"},
        ],
        bounds=_cyclic_bounds,
        variants={"up_steps": lambda v: [v, 2.0 * v, v + 1.0], "down_steps": lambda v: [v, 0.5 * v, v + 1.0]},
        static=STATIC,
        monotone=_monotone(1.0),
    ),
    "cyclic_momentum": Case(
        config={"base_momentum": 0.85, "max_momentum": 0.95, "up_steps": 5, "down_steps": 3, "mode": "triangular2"},
        strategy=_cyclic_momentum(),
        landmarks=_marks,
        grad_edges=[
            {"up_steps": 1, "down_steps": 0},
            {"base_momentum": 0.9, "max_momentum": 0.9, "up_steps": 2, "mode": "exp_range", "gamma": 0.9},
            {"base_momentum": 0.0, "max_momentum": 1.0, "up_steps": 0.5, "mode": "triangular2"},
        ],
        examples=[{"up_steps": 3}, {"up_steps": 2, "down_steps": 5, "mode": "exp_range", "gamma": 0.9}],
        bounds=_momentum_bounds,
        static=STATIC,
        monotone=_monotone(-1.0),
    ),
}
