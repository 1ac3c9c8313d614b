"""The simplest schedules: constant, a constant factor for the first steps, and a linear transition.

Math and validation of ``constant``, ``constant_factor`` and ``linear`` live here
(torch ``ConstantLR`` / ``LinearLR``, optax ``constant_schedule`` /
``linear_schedule``, HF ``get_constant_schedule``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import PLAIN, phase_fraction
from .._schedule import schedule

__all__ = ["constant", "constant_factor", "linear"]


def _check_constant(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")


@schedule(_check_constant)
def constant(xp: Ops, t: Any, /, peak_lr: Any) -> Any:
    r"""The same lr at every step.

    .. math:: \mathrm{lr}(t) = \mathrm{peak\_lr}

    Equal to optax ``constant_schedule(peak_lr)``, HF ``get_constant_schedule``
    (a multiplier of 1 on the optimizer's lr ``peak_lr``), torch ``ConstantLR``
    with ``factor=1`` and timm's ``constant`` schedule. The result has the shape
    and float type of ``step`` (optax returns a scalar for an array of counts).

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      peak_lr: the lr, > 0.

    >>> import lrfuncs
    >>> [lrfuncs.constant(t, peak_lr=0.1) for t in (0, 10, 1e9)]
    [0.1, 0.1, 0.1]
    """
    return 0.0 * t + peak_lr


def _check_constant_factor(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.between(cfg, "factor", 0.0, 1.0)
    v.non_negative(cfg, "factor_steps")


def _constant_factor_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [("factor end", cfg["factor_steps"])] if cfg["factor_steps"] > 0 else []


@schedule(_check_constant_factor, _constant_factor_landmarks)
def constant_factor(xp: Ops, t: Any, /, peak_lr: Any, factor: Any, factor_steps: Any) -> Any:
    r"""``peak_lr * factor`` for the first ``factor_steps`` steps, then ``peak_lr``.

    .. math::
        \mathrm{lr}(t) = \begin{cases} \mathrm{peak\_lr} \cdot \mathrm{factor} & t < \mathrm{factor\_steps} \\
        \mathrm{peak\_lr} & t \ge \mathrm{factor\_steps} \end{cases}

    Equal to torch ``ConstantLR(optimizer, factor, total_iters)`` with the
    optimizer's lr as ``peak_lr`` and ``factor_steps=total_iters``: the full lr
    applies *at* update ``total_iters``. Two deliberate differences from torch:

    * ``factor=0`` is allowed (a frozen start). torch accepts it too but its
      recursive form divides by the factor at ``total_iters`` and raises
      ``ZeroDivisionError`` there.
    * ``factor_steps=0`` is ``peak_lr`` from step 0 (torch's closed form); torch's
      stepped (recursive) form applies the factor at step 0 and never removes it.

    Args:
      step: 0-based update index.
      peak_lr: the lr after the first ``factor_steps`` steps, > 0.
      factor: multiplier of the first steps, in [0, 1].
      factor_steps: how many steps use the factor, >= 0 (need not be whole).

    >>> import lrfuncs
    >>> [round(lrfuncs.constant_factor(t, peak_lr=0.3, factor=1 / 3, factor_steps=2), 12) for t in range(4)]
    [0.1, 0.1, 0.3, 0.3]
    """
    return xp.where(t < factor_steps, peak_lr * factor, 0.0 * t + peak_lr)


def _check_linear(cfg: Mapping[str, Any]) -> None:
    v.non_negative(cfg, "init_lr")
    v.non_negative(cfg, "end_lr")
    v.positive(cfg, "total_steps")
    v.non_negative(cfg, "hold_steps")
    v.at_most(cfg, "hold_steps", "total_steps")


def _linear_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    out = [("hold end", cfg["hold_steps"])] if cfg["hold_steps"] > 0 else []
    return [*out, ("end", cfg["total_steps"])]


@schedule(_check_linear, _linear_landmarks)
def linear(xp: Ops, t: Any, /, init_lr: Any, end_lr: Any, total_steps: Any, hold_steps: Any = 0) -> Any:
    r"""Hold ``init_lr`` for ``hold_steps``, then move linearly to ``end_lr``, reached at ``total_steps``; then hold.

    .. math::
        \mathrm{lr}(t) = e + (i - e)\,\Big(1 - \mathrm{clip}\Big(\frac{t - H}{N - H}, 0, 1\Big)\Big)

    with ``i = init_lr``, ``e = end_lr``, ``H = hold_steps`` and ``N = total_steps``.
    ``total_steps`` is the step at which ``end_lr`` is reached, *including* the
    hold (the library's vocabulary), so the transition lasts ``N - H`` steps.
    The lr may go up (``end_lr > init_lr``, a warmup) or down (a decay), and may
    start or end at 0. With ``hold_steps == total_steps`` the lr jumps from
    ``init_lr`` to ``end_lr`` at ``total_steps``.

    * optax ``linear_schedule(init_value, end_value, transition_steps,
      transition_begin)``: equal for every step with ``init_lr=init_value,
      end_lr=end_value, hold_steps=transition_begin, total_steps=transition_begin
      + transition_steps`` (optax's operation order).
    * torch ``LinearLR(optimizer, start_factor, end_factor, total_iters)`` with
      optimizer lr ``base``: ``init_lr=base*start_factor, end_lr=base*end_factor,
      total_steps=total_iters``. torch cannot start from 0 (``start_factor > 0``,
      its recursive form divides by it); this can.

    Args:
      step: 0-based update index.
      init_lr: lr of the first steps, >= 0.
      end_lr: lr from ``total_steps`` on, >= 0.
      total_steps: step at which ``end_lr`` is reached (hold included), > 0.
      hold_steps: steps at ``init_lr`` before the transition starts, in [0, total_steps].

    >>> import lrfuncs
    >>> [lrfuncs.linear(t, init_lr=0.25, end_lr=1.0, total_steps=4) for t in range(6)]
    [0.25, 0.4375, 0.625, 0.8125, 1.0, 1.0]
    >>> [lrfuncs.linear(t, init_lr=1.0, end_lr=0.0, total_steps=4, hold_steps=2) for t in range(6)]
    [1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """
    length = total_steps - hold_steps
    frac = phase_fraction(xp, t - hold_steps, length)
    if length.__class__ not in PLAIN:  # an array length may be 0: the hold still holds before it
        frac = xp.where(t < hold_steps, 0.0, frac)
    return (init_lr - end_lr) * (1.0 - frac) + end_lr
