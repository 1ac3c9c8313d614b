"""Test data of lr_sweep, the LR range test's sweep (lrfuncs/schedules/sweep.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from . import Case
from .decay import non_decreasing

CONVENTIONS = ("torch_lr_finder", "fastai", "lightning")


@st.composite
def _lr_sweep(draw: Any) -> dict[str, Any]:
    start = draw(st.one_of(st.sampled_from([1e-7, 1e-5, 1e-3]), st.floats(1e-8, 1.0)))
    factor = draw(st.one_of(st.sampled_from([10.0, 1e8, 2.0]), st.floats(1.001, 1e9)))
    return {
        "start_lr": start,
        "end_lr": start * factor,
        "num_steps": draw(st.one_of(st.sampled_from([2, 3, 100]), st.integers(2, 300))),
        "mode": draw(st.sampled_from(["exp", "linear"])),
        "convention": draw(st.sampled_from(CONVENTIONS)),
    }


CASES = {
    "lr_sweep": Case(
        config={"start_lr": 1e-6, "end_lr": 10.0, "num_steps": 40, "mode": "exp", "convention": "fastai"},
        strategy=_lr_sweep(),
        landmarks=lambda cfg: [1.0, cfg["num_steps"] - 1.0, 2.0 * cfg["num_steps"]],
        grad_edges=[
            {"start_lr": 1e-3, "end_lr": 1.0, "num_steps": 2},
            {"start_lr": 1e-3, "end_lr": 1.0, "num_steps": 2, "mode": "linear", "convention": "lightning"},
            {"start_lr": 0.5, "end_lr": 0.5000001, "num_steps": 10, "convention": "fastai"},
        ],
        examples=[
            {"start_lr": 1e-4, "end_lr": 1.0, "num_steps": 10},
            {"start_lr": 1e-4, "end_lr": 1.0, "num_steps": 10, "mode": "linear", "convention": "lightning"},
        ],
        bounds=lambda cfg, tmax: (cfg["start_lr"], cfg["end_lr"]),
        monotone=lambda cfg, t, y, tol: non_decreasing(y, tol),
        # start_lr scaled like end_lr (decay.VARIANTS: [v, 0.5 v, 0.25 v]) keeps start_lr < end_lr
        variants={"start_lr": lambda v: [v, 0.5 * v, 0.25 * v], "num_steps": lambda v: [v, v + 1, 2 * v]},
        static=frozenset({"mode", "convention"}),
    ),
}
