"""Adapters from lrfuncs schedules to frameworks: ``numpy``, ``jax`` (and optax), ``torch``.

Each adapter module imports its framework, so import the one you need:
``from lrfuncs.backends import torch as lrtorch``. Adapters only adapt: the
math of every schedule lives in ``lrfuncs.schedules``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._schedule import Schedule

__all__ = ["count", "resolve"]


def resolve(schedule: Any, config: dict[str, Any]) -> Callable[[Any], Any]:
    """A callable ``step -> lr`` from a :class:`Schedule`, a schedule function plus config, or any callable."""
    if config:
        if not hasattr(schedule, "spec"):
            raise TypeError(
                f"Config keywords ({', '.join(sorted(config))}) need an lrfuncs schedule function, got {schedule!r}"
            )
        return Schedule(schedule, **config)
    if hasattr(schedule, "spec"):  # a bare schedule function: its config is missing
        return Schedule(schedule)  # raises TypeError naming the missing arguments
    if not callable(schedule):
        raise TypeError(f"Expected a schedule (callable step -> lr), got {type(schedule).__name__}")
    return schedule


def count(value: Any, name: str) -> int:
    """A whole-number argument >= 0 (``num_steps``, ``start``); ValueError naming it otherwise."""
    if isinstance(value, bool) or not hasattr(value, "__index__") or value < 0:
        raise ValueError(f"Argument `{name}` must be a whole number >= 0. Received: {name}={value!r}")
    return int(value.__index__())
