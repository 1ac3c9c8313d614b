"""Test data of the ``noise`` composite: ``inner * (1 + n)`` with ``|n| < pct`` inside its range."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from strategies import lengths, peaks

import lrfuncs

from . import Case

_COS = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=40, min_lr=0.001)
_STEP = lrfuncs.step_decay.bind(peak_lr=0.2, step_size=7, gamma=0.5)


@st.composite
def _inner(draw: Any) -> lrfuncs.Schedule[Any]:
    peak = draw(peaks)
    if draw(st.booleans()):
        return lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=draw(lengths(1, 80)))
    return lrfuncs.warmup_constant.bind(peak_lr=peak, warmup_steps=draw(st.integers(0, 20)))


@st.composite
def _noise(draw: Any) -> dict[str, Any]:
    begin = draw(st.one_of(st.just(0), st.integers(0, 40), st.floats(0.0, 40.0, allow_subnormal=False)))
    end = draw(st.one_of(st.none(), st.floats(0.0, 60.0, allow_subnormal=False).map(lambda d: begin + d)))
    return {
        "inner": draw(_inner()),
        "pct": draw(st.one_of(st.sampled_from([0.67, 0.1, 1.0]), st.floats(0.01, 1.0))),
        "std": draw(st.one_of(st.sampled_from([1.0, 0.5, 0.05]), st.floats(0.01, 5.0))),
        "seed": draw(st.one_of(st.just(42), st.integers(0, 2**31))),
        "kind": draw(st.sampled_from(["normal", "uniform"])),
        "begin_step": begin,
        "end_step": end,
    }


def _marks(cfg: dict[str, Any]) -> list[float]:
    s = lrfuncs.noise.bind(**cfg)
    return [step for _, step in s.landmarks()] + [70.0]


def _bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    return 0.0, float(cfg["inner"].config["peak_lr"]) * (1.0 + cfg["pct"])


def _monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """Not a shape: the inner schedule outside [begin, end), within a factor 1 +- pct inside."""
    base = cfg["inner"](t)
    end = np.inf if cfg["end_step"] is None else cfg["end_step"]
    inside = (t >= cfg["begin_step"]) & (t < end)
    assert np.all(y[~inside] == base[~inside])
    assert np.all(np.abs(y[inside] - base[inside]) <= cfg["pct"] * base[inside] * (1 + 1e-12))


CASES = {
    "noise": Case(
        config={"inner": _COS, "pct": 0.2, "std": 0.5, "seed": 123, "begin_step": 5, "end_step": 50},
        strategy=_noise(),
        landmarks=_marks,
        grad_edges=[
            {"inner": _COS, "pct": 1.0, "std": 1e-3},
            {"inner": _COS, "pct": 1e-6, "std": 10.0, "begin_step": 3, "end_step": 3},
            {"inner": _STEP, "kind": "uniform", "seed": 0, "begin_step": 2.5},
        ],
        examples=[{"inner": _COS, "pct": 0.1}, {"inner": _STEP, "kind": "uniform", "end_step": 9}],
        bounds=_bounds,
        variants={
            "pct": lambda v: [v, 0.5 * v, 1.0],
            "std": lambda v: [v, 2.0 * v, 0.5 * v],
            "seed": lambda v: [v, v + 1, 0],
            "begin_step": lambda v: [v, 0.0, v + 1.0],
            "end_step": lambda v: [v, v + 1.0, v + 2.0],
        },
        static=frozenset({"inner", "kind"}),
        monotone=_monotone,
    ),
}
