"""Step decay and multi-step decay (torch ``StepLR`` / ``MultiStepLR``).

Math and validation of both schedules live here; see ``lrfuncs._schedule`` for
how a kernel becomes the public ``name(step, /, **config)`` function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._schedule import schedule


def _check_step_decay(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.positive(cfg, "step_size")
    v.between(cfg, "gamma", 0.0, 1.0, lo_open=True)


@schedule(_check_step_decay)
def step_decay(xp: Ops, t: Any, /, peak_lr: Any, step_size: Any, gamma: Any = 0.1) -> Any:
    r"""Multiply the lr by ``gamma`` every ``step_size`` steps.

    .. math:: \mathrm{lr}(t) = \mathrm{peak\_lr} \cdot \gamma^{\lfloor t / \mathrm{step\_size} \rfloor}

    Equal to torch ``StepLR(optimizer, step_size, gamma)`` with the optimizer's
    lr as ``peak_lr``: ``step_decay(k)`` is the lr torch uses for update ``k``
    (after ``k`` calls of ``scheduler.step()``). The decay applies *at* multiples
    of ``step_size`` (as torch, optax ``staircase`` and timm do).

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      peak_lr: lr of the first ``step_size`` steps, > 0.
      step_size: steps between decays, > 0 (need not be whole).
      gamma: decay factor in (0, 1].

    Array-valued config is not validated.

    >>> import lrfuncs
    >>> [lrfuncs.step_decay(t, peak_lr=0.1, step_size=30) for t in (0, 29, 30, 60)]
    [0.1, 0.1, 0.010000000000000002, 0.0010000000000000002]
    """
    return peak_lr * gamma ** xp.floor_div(t, step_size)


def _check_multistep_decay(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.milestones(cfg, "milestones")
    v.between(cfg, "gamma", 0.0, 1.0, lo_open=True)


def _multistep_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [("decay", float(m)) for m in sorted(cfg["milestones"])]


@schedule(_check_multistep_decay, _multistep_landmarks)
def multistep_decay(
    xp: Ops, t: Any, /, peak_lr: Any, milestones: Sequence[int], gamma: Any = 0.1
) -> Any:
    r"""Multiply the lr by ``gamma`` at each milestone.

    .. math:: \mathrm{lr}(t) = \mathrm{peak\_lr} \cdot \gamma^{\#\{m \in \mathrm{milestones} : m \le t\}}

    Equal to torch ``MultiStepLR(optimizer, milestones, gamma)``: milestones may
    come in any order and a repeated milestone decays twice. The decay applies
    *at* the milestone (keras' ``PiecewiseConstantDecay`` applies one step later,
    timm's ``MultiStepLRScheduler`` one step earlier).

    Args:
      step: 0-based update index.
      peak_lr: lr before the first milestone, > 0.
      milestones: update indices (whole numbers >= 0); a list is stored as a tuple.
      gamma: decay factor in (0, 1].

    >>> import lrfuncs
    >>> [lrfuncs.multistep_decay(t, peak_lr=1.0, milestones=[3, 5, 5]) for t in (2, 3, 4, 5)]
    [1.0, 0.1, 0.1, 0.0010000000000000002]
    """
    count: Any = xp.indicator(t < 0, t)  # zeros shaped like t (steps are >= 0)
    for m in milestones:
        count = count + xp.indicator(t >= m, t)
    return peak_lr * gamma**count
