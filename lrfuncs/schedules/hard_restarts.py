"""Cosine with hard restarts inside a fixed budget (HF ``cosine_with_hard_restarts``).

Math and validation of ``cosine_hard_restarts`` live here: ``num_cycles`` equal
cosine cycles between the warmup and ``total_steps``. For cycles of growing length,
peak decay and per-cycle warmups see :func:`lrfuncs.cosine_restarts`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import PI, floor_value, linear_warmup, nonzero
from .._schedule import schedule
from .cosine import check_floor

#: Restarts listed by ``Schedule.landmarks()`` (a huge ``num_cycles`` lists only the first ones).
MAX_LISTED_RESTARTS = 100


def _check_cosine_hard_restarts(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.non_negative(cfg, "warmup_steps")
    v.positive(cfg, "total_steps")
    v.at_most(cfg, "warmup_steps", "total_steps")
    v.positive(cfg, "num_cycles")
    if cfg["init_lr"] is not None:
        v.non_negative(cfg, "init_lr")
        v.at_most(cfg, "init_lr", "peak_lr")
    check_floor(cfg)


def _hard_restarts_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    w, n, c = float(cfg["warmup_steps"]), float(cfg["total_steps"]), float(cfg["num_cycles"])
    out = [("warmup end", w)] if w > 0 else []
    restarts = min(math.ceil(c) - 1, MAX_LISTED_RESTARTS)
    out += [(f"restart {k}", w + (n - w) * k / c) for k in range(1, restarts + 1)]
    out.append(("end", n))
    return out


@schedule(_check_cosine_hard_restarts, _hard_restarts_landmarks)
def cosine_hard_restarts(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    warmup_steps: Any,
    total_steps: Any,
    num_cycles: Any = 1.0,
    init_lr: Any = None,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
) -> Any:
    r"""Linear warmup, then ``num_cycles`` equal cosine cycles from ``peak_lr`` to a floor, ending at ``total_steps``.

    With ``W = warmup_steps``, ``N = total_steps``, floor ``f`` and
    ``q = \mathrm{num\_cycles}\,(t - W) / (N - W)``, for ``W \le t < N``:

    .. math::
        \mathrm{lr}(t) = f + (\mathrm{peak\_lr} - f)\,
        \tfrac{1}{2}\big(1 + \cos(\pi\,(q \bmod 1))\big)

    each cycle restarting at ``peak_lr`` (a fractional ``num_cycles`` ends mid-cycle at
    ``N``); the floor from ``N`` on; the warmup of :func:`lrfuncs.warmup_constant` before
    ``W`` (from ``init_lr``, default ``peak_lr / (W + 1)``).

    With ``init_lr=0.0`` and no floor this is HF
    ``get_cosine_with_hard_restarts_schedule_with_warmup(num_warmup_steps=W,
    num_training_steps=N, num_cycles)``, HF's 0 past ``N`` included. Differences,
    deliberate:

    * the cycle position is ``num_cycles * (t - W)`` modulo ``N - W``, by an exact floor
      division (HF: ``(num_cycles * progress) % 1.0``): the same values to rounding, and for
      a whole-number ``num_cycles`` every restart is exact on every backend (``floor(q)``
      would not be under XLA, which divides by multiplying with the reciprocal). A step
      within float rounding of a restart (``num_cycles`` like 3.3, not a binary fraction)
      may fall on either side of it, in HF as here: the peak or the floor;
    * ``W == N`` (no decay phase): the floor from ``N`` on; HF uses ``max(1, N - W)``
      and gives the peak at ``t = N`` (as :func:`lrfuncs.warmup_cosine` does too).

    Floor: ``min_lr`` (absolute) or ``min_lr_ratio`` (fraction of ``peak_lr``), default 0.

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      peak_lr: lr at the end of the warmup and at every restart, > 0.
      warmup_steps: warmup length ``W``, in [0, total_steps].
      total_steps: the end ``N`` of the last cycle (warmup included), > 0.
      num_cycles: how many cycles fit between ``W`` and ``N``, > 0 (need not be whole).
      init_lr: lr at step 0, in [0, peak_lr]; None means ``peak_lr / (W + 1)``.
      min_lr: floor, in [0, peak_lr].
      min_lr_ratio: floor as a fraction of ``peak_lr``, in [0, 1].

    Array-valued config is not validated.

    >>> import lrfuncs
    >>> [round(lrfuncs.cosine_hard_restarts(t, peak_lr=1.0, warmup_steps=0, total_steps=8, num_cycles=2), 5)
    ...  for t in range(10)]
    [1.0, 0.85355, 0.5, 0.14645, 1.0, 0.85355, 0.5, 0.14645, 0.0, 0.0]
    """
    floor = floor_value(peak_lr, min_lr, min_lr_ratio)
    span = nonzero(xp, total_steps - warmup_steps)
    a = num_cycles * (t - warmup_steps)
    q = (a - xp.floor_div(a, span) * span) / span  # (num_cycles * progress) mod 1, by an exact floor division
    c = 0.5 * (1.0 + xp.cos(PI * q))
    lr = xp.where(t < total_steps, floor + (peak_lr - floor) * c, floor)
    return xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), lr)
