"""Hypothesis building blocks for schedule configs, shared by test_backends.py and tests/schedule_cases/."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

peaks = st.one_of(st.sampled_from([1.0, 0.1, 3e-4]), st.floats(1e-5, 10.0))
gammas = st.one_of(st.sampled_from([0.1, 0.5, 1.0]), st.floats(0.01, 1.0))
exponents = st.one_of(st.just(1.0), st.floats(0.25, 4.0))


def lengths(lo: int, hi: int) -> st.SearchStrategy[float]:
    """Whole (int) or fractional (float) lengths in [lo, hi] (lo >= 1)."""
    return st.one_of(st.integers(lo, hi), st.floats(0.5, float(hi)))


def counts(hi: int) -> st.SearchStrategy[float]:
    """A phase length >= 0: 0, whole, or fractional (>= 0.01: no subnormal or absurdly tiny lengths)."""
    return st.one_of(st.just(0), st.integers(1, hi), st.floats(0.01, float(hi)))


def fraction_of(value: float) -> st.SearchStrategy[float]:
    """A number in [0, value]."""
    return st.one_of(st.just(0.0), st.just(value), st.floats(0.0, 1.0).map(lambda r: r * value))


def floor_config(draw: Any, cfg: dict[str, Any]) -> None:
    """Add no floor, an absolute ``min_lr`` or a ``min_lr_ratio`` to ``cfg`` (which has ``peak_lr``)."""
    kind = draw(st.sampled_from(["none", "abs", "ratio"]))
    if kind == "abs":
        cfg["min_lr"] = draw(fraction_of(cfg["peak_lr"]))
    elif kind == "ratio":
        cfg["min_lr_ratio"] = draw(st.one_of(st.sampled_from([0.0, 0.1, 1.0]), st.floats(0.0, 1.0)))


def around(points: list[float]) -> list[float]:
    """Each point and its neighbours at -1, -0.5, 0, +0.5, +1 steps."""
    return [p + d for p in points for d in (-1.0, -0.5, 0.0, 0.5, 1.0)]
