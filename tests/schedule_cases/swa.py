"""Test data of ``swa`` (torch ``SWALR``): a monotone anneal from ``init_lr`` to ``swa_lr``."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from strategies import counts

from . import Case

_lrs = st.one_of(st.sampled_from([1.0, 0.1, 0.05, 0.0]), st.floats(0.0, 10.0))


@st.composite
def _swa(draw: Any) -> dict[str, Any]:
    return {
        "init_lr": draw(_lrs),
        "swa_lr": draw(_lrs),
        "anneal_steps": draw(counts(50)),
        "anneal": draw(st.sampled_from(["cos", "linear"])),
    }


def _monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """From init_lr straight to swa_lr, then swa_lr."""
    direction = 1.0 if cfg["swa_lr"] >= cfg["init_lr"] else -1.0
    assert np.all(np.diff(direction * y) >= -tol)
    assert np.all(y[t >= cfg["anneal_steps"]] == cfg["swa_lr"])


CASES = {
    "swa": Case(
        config={"init_lr": 0.2, "swa_lr": 0.02, "anneal_steps": 15, "anneal": "linear"},
        strategy=_swa(),
        landmarks=lambda cfg: [float(cfg["anneal_steps"]), 2.0 * cfg["anneal_steps"] + 3.0],
        grad_edges=[
            {"init_lr": 0.1, "swa_lr": 0.05, "anneal_steps": 0},
            {"init_lr": 0.1, "swa_lr": 0.1, "anneal_steps": 1, "anneal": "linear"},
            {"init_lr": 0.0, "swa_lr": 0.05, "anneal_steps": 0.5},
        ],
        examples=[{"init_lr": 0.1, "swa_lr": 0.05, "anneal_steps": 4}],
        bounds=lambda cfg, tmax: (min(cfg["init_lr"], cfg["swa_lr"]), max(cfg["init_lr"], cfg["swa_lr"])),
        variants={"swa_lr": lambda v: [v, 0.5 * v, 2.0 * v], "anneal_steps": lambda v: [v, 0.0, 2.0 * v + 1.0]},
        static=frozenset({"anneal"}),
        monotone=_monotone,
    ),
}
