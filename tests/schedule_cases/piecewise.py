"""Test data of ``piecewise_constant`` and ``piecewise_interpolate``.

``values`` is numeric config (a tuple; an array under ``jax.vmap``): its variants scale every
value, which keeps them >= 0. ``boundaries`` select code (static).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import Case

STATIC = frozenset({"boundaries", "switch", "interpolation"})

_values = st.one_of(st.sampled_from([0.0, 0.1, 1.0, 3e-4]), st.floats(0.0, 10.0))
_boundaries = st.one_of(st.integers(0, 60), st.floats(0.0, 60.0))


def _draw_boundaries(draw: Any, lo: int, hi: int) -> list[float]:
    bs = sorted(draw(st.lists(_boundaries, min_size=lo, max_size=hi)))
    if len(bs) >= 2 and draw(st.booleans()):  # a repeated boundary
        i = draw(st.integers(0, len(bs) - 2))
        bs[i + 1] = bs[i]
    return bs


@st.composite
def _piecewise_constant(draw: Any) -> dict[str, Any]:
    bs = _draw_boundaries(draw, 0, 5)
    vs = draw(st.lists(_values, min_size=len(bs) + 1, max_size=len(bs) + 1))
    return {"boundaries": bs, "values": vs, "switch": draw(st.sampled_from(["at", "after"]))}


@st.composite
def _piecewise_interpolate(draw: Any) -> dict[str, Any]:
    bs = _draw_boundaries(draw, 1, 5)
    vs = draw(st.lists(_values, min_size=len(bs), max_size=len(bs)))
    return {"boundaries": bs, "values": vs, "interpolation": draw(st.sampled_from(["linear", "cosine"]))}


def _marks(cfg: dict[str, Any]) -> list[float]:
    return [float(b) for b in cfg["boundaries"]] + [70.0]


def _bounds(cfg: dict[str, Any], tmax: float) -> tuple[float, float]:
    return float(min(cfg["values"])), float(max(cfg["values"]))


def _constant_monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """Only the given values occur; between two boundaries the value does not change."""
    assert set(y.tolist()) <= {float(x) for x in cfg["values"]}
    edges = np.asarray(cfg["boundaries"], dtype=float)
    piece = np.searchsorted(edges, t, side="right" if cfg["switch"] == "at" else "left")
    for p in np.unique(piece):
        assert np.all(y[piece == p] == y[piece == p][0]), p


def _interpolate_monotone(cfg: dict[str, Any], t: np.ndarray, y: np.ndarray, tol: float) -> None:
    """Each piece moves from its knot's value towards the next (monotone); constant outside."""
    bs, vs = cfg["boundaries"], cfg["values"]
    assert np.all(y[t < bs[0]] == vs[0])
    assert np.all(y[t >= bs[-1]] == vs[-1])
    for i in range(len(bs) - 1):
        inside = (t >= bs[i]) & (t < bs[i + 1])
        if bs[i + 1] > bs[i] and inside.sum() >= 2:
            direction = 1.0 if vs[i + 1] >= vs[i] else -1.0
            assert np.all(np.diff(direction * y[inside]) >= -tol), i


def _scaled(v: Any) -> list[Any]:
    return [tuple(v), tuple(0.5 * x for x in v), tuple(2.0 * x for x in v)]


CASES = {
    "piecewise_constant": Case(
        config={"boundaries": [10, 25, 25, 40], "values": [0.1, 0.05, 0.5, 0.01, 0.001], "switch": "after"},
        strategy=_piecewise_constant(),
        landmarks=_marks,
        grad_edges=[
            {"boundaries": [0, 0, 3], "values": [1.0, 0.5, 0.2, 0.1]},
            {"boundaries": [], "values": [0.3]},
            {"boundaries": [2.5, 10], "values": [0.0, 0.1, 0.0], "switch": "after"},
        ],
        examples=[{"boundaries": [3, 7], "values": [0.1, 0.01, 0.001]}],
        bounds=_bounds,
        variants={"values": _scaled},
        static=STATIC,
        monotone=_constant_monotone,
    ),
    "piecewise_interpolate": Case(
        config={"boundaries": [0, 10, 10, 30, 45.5], "values": [0.0, 0.1, 0.2, 0.02, 0.001],
                "interpolation": "cosine"},
        strategy=_piecewise_interpolate(),
        landmarks=_marks,
        grad_edges=[
            {"boundaries": [0, 0, 5], "values": [1.0, 0.5, 0.1]},
            {"boundaries": [3], "values": [0.2]},
            {"boundaries": [0, 0.5, 1.0, 1.0], "values": [0.0, 1.0, 0.0, 0.5], "interpolation": "cosine"},
        ],
        examples=[{"boundaries": [0, 4, 8], "values": [1.0, 0.1, 0.001]}],
        bounds=_bounds,
        static=STATIC,
        monotone=_interpolate_monotone,
    ),
}
