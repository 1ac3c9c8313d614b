"""Per-schedule test data, one module per schedule family, merged into the shared test tables.

Every module ``tests/schedule_cases/<family>.py`` defines ``CASES: dict[str, Case]``, one
:class:`Case` per schedule it registers. conftest.py (``CONFIGS``), test_backends.py
(strategies, landmarks, gradient edge configs, dispatch examples, vmap variants) and
test_properties.py (value bounds) merge them, and each asserts that every registered schedule
is covered, so a new schedule cannot skip the shared backend, gradient and property tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Case:
    """Test data of one schedule.

    config: a representative, non-default valid config (adapter, import and round-trip tests).
    strategy: hypothesis strategy of valid configs (backend agreement, gradients, properties).
    landmarks: ``cfg -> steps`` where phases change (the drawn steps include them and neighbours).
    grad_edges: degenerate valid configs (zero lengths, equal bounds) where gradients must stay finite.
    examples: small configs for the dispatch/result-type tests.
    bounds: ``(cfg, tmax) -> (lo, hi)``: every value up to step ``tmax`` lies in [lo, hi].
    variants: for numeric arguments not already known to test_backends.VARIANTS, three values
      (the first being the drawn one) that keep any valid config valid when applied together.
    static: arguments that select code (never traced under vmap).
    monotone: ``(cfg, t, y, tol) -> None`` asserting where the curve rises and falls, or None when
      the schedule has no shape property beyond its bounds (composites of arbitrary children).
    """

    config: dict[str, Any]
    strategy: st.SearchStrategy[dict[str, Any]]
    landmarks: Callable[[dict[str, Any]], list[float]]
    grad_edges: list[dict[str, Any]]
    examples: list[dict[str, Any]]
    bounds: Callable[[dict[str, Any], float], tuple[float, float]]
    variants: dict[str, Callable[[Any], list[Any]]] = field(default_factory=dict)
    static: frozenset[str] = frozenset()
    monotone: Callable[[dict[str, Any], Any, Any, float], None] | None = None


def _load() -> dict[str, Case]:
    out: dict[str, Case] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, case in module.CASES.items():
            assert name not in out, f"schedule {name!r} has cases in two modules"
            out[name] = case
    return out


CASES: dict[str, Case] = _load()
