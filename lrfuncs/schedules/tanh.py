"""Hyperbolic-tangent decay (Hsueh et al. 2019; timm ``TanhLRScheduler``).

Math and validation of ``tanh_decay`` live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import floor_value
from .._schedule import schedule
from .cosine import check_floor


def _check_tanh_decay(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.positive(cfg, "total_steps")
    check_floor(cfg)
    v.concrete(cfg, "lb")
    v.concrete(cfg, "ub")
    v.at_most(cfg, "lb", "ub", strict=True)


def _tanh_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [("end", float(cfg["total_steps"]))]


@schedule(_check_tanh_decay, _tanh_landmarks)
def tanh_decay(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    total_steps: Any,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
    lb: Any = -7.0,
    ub: Any = 3.0,
) -> Any:
    r"""A tanh-shaped decay from (almost) ``peak_lr`` towards a floor over ``total_steps``, then the floor.

    With ``r = t / T`` (``T = total_steps``) and floor ``f``, for ``t < T``:

    .. math::
        \mathrm{lr}(t) = f + \tfrac{1}{2}(\mathrm{peak\_lr} - f)
        \big(1 - \tanh(\mathrm{lb}\,(1 - r) + \mathrm{ub}\, r)\big)

    and ``lr = f`` from ``T`` on. The curve runs between
    ``(1 - tanh(lb)) / 2`` (0.9999992 of the amplitude for ``lb = -7``) and
    ``(1 - tanh(ub)) / 2`` (0.0025 for ``ub = 3``), so the value drops the last bit to
    the floor at ``T``, exactly as timm does.

    Equal to timm ``TanhLRScheduler(optimizer, t_initial=T, lb, ub, lr_min=min_lr)``
    with the optimizer's lr as ``peak_lr`` and timm's defaults ``cycle_limit=1``,
    ``warmup_t=0`` (its ``_get_lr(t)``, the value ``step(t)`` / ``step_update(t)``
    write). timm's warmup, cycles (``cycle_mul``, ``cycle_decay``, ``cycle_limit``) and
    noise are compositions: :func:`lrfuncs.with_warmup`, :func:`lrfuncs.restarts`.

    Floor: ``min_lr`` (absolute, timm's ``lr_min``) or ``min_lr_ratio`` (fraction of
    ``peak_lr``), default 0.

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      peak_lr: the lr the curve starts just below, > 0.
      total_steps: length of the decay, > 0 (need not be whole).
      min_lr: floor, in [0, peak_lr].
      min_lr_ratio: floor as a fraction of ``peak_lr``, in [0, 1].
      lb: tanh argument at step 0; ``lb < ub``.
      ub: tanh argument at ``total_steps``.

    Array-valued config is not validated.

    >>> import lrfuncs
    >>> [round(lrfuncs.tanh_decay(t, peak_lr=1.0, total_steps=10), 5) for t in (0, 5, 7, 9, 10)]
    [1.0, 0.98201, 0.5, 0.01799, 0.0]
    """
    floor = floor_value(peak_lr, min_lr, min_lr_ratio)
    r = t / total_steps
    # timm's operation order, so values agree to the last bits
    lr = floor + 0.5 * (peak_lr - floor) * (1.0 - xp.tanh(lb * (1.0 - r) + ub * r))
    return xp.where(t < total_steps, lr, floor)
