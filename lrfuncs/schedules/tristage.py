"""The tri-stage schedule: linear warmup, hold, exponential decay to a floor (fairseq ``tri_stage``).

Math and validation of ``tri_stage`` live here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import PLAIN, linear_warmup, phase_fraction
from .._schedule import schedule

#: The floor when neither ``min_lr`` nor ``min_lr_ratio`` is given: fairseq's ``final_lr_scale`` default.
DEFAULT_FLOOR_RATIO = 0.01


def _check_tri_stage(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.non_negative(cfg, "warmup_steps")
    v.non_negative(cfg, "hold_steps")
    v.non_negative(cfg, "decay_steps")
    if cfg["init_lr"] is not None:
        v.non_negative(cfg, "init_lr")
        v.at_most(cfg, "init_lr", "peak_lr")
    v.exclusive(cfg, "min_lr", "min_lr_ratio")
    need = "must be > 0 (an exponential decay never reaches 0)"
    if cfg["min_lr"] is not None:
        low = v.concrete(cfg, "min_lr")
        if low is not None and not low > 0:
            raise v.fail(cfg, need, "min_lr")
        v.at_most(cfg, "min_lr", "peak_lr")
    if cfg["min_lr_ratio"] is not None:
        ratio = v.concrete(cfg, "min_lr_ratio")
        if ratio is not None and not ratio > 0:
            raise v.fail(cfg, need, "min_lr_ratio")
        v.between(cfg, "min_lr_ratio", 0.0, 1.0, lo_open=True)


def _tri_stage_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    w, h, d = (float(cfg[k]) for k in ("warmup_steps", "hold_steps", "decay_steps"))
    out = [("warmup end", w)] if w > 0 else []
    if h > 0:
        out.append(("hold end", w + h))
    out.append(("end", w + h + d))
    return out


@schedule(_check_tri_stage, _tri_stage_landmarks)
def tri_stage(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    warmup_steps: Any,
    hold_steps: Any,
    decay_steps: Any,
    init_lr: Any = None,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
) -> Any:
    r"""Linear warmup, hold at ``peak_lr``, exponential decay to a floor, then hold the floor.

    With ``W, H, D`` = ``warmup_steps, hold_steps, decay_steps``, floor ``f`` and ratio
    ``r = f / \mathrm{peak\_lr}``:

    .. math::
        \mathrm{lr}(t) = \begin{cases}
        i + (\mathrm{peak\_lr} - i)\, t / W & t < W \\
        \mathrm{peak\_lr} & W \le t < W + H \\
        \mathrm{peak\_lr} \cdot r^{(t - W - H) / D} & W + H \le t < W + H + D \\
        f & t \ge W + H + D
        \end{cases}

    The decay is continuous: it reaches ``f`` at ``t = W + H + D`` (the ``"end"``).

    Floor: ``min_lr`` (absolute) or ``min_lr_ratio`` (fraction of ``peak_lr``); it must be
    > 0, since an exponential decay never reaches 0. Neither given: ``min_lr_ratio=0.01``,
    fairseq's ``final_lr_scale`` default. The warmup starts at ``init_lr``, whose default
    ``None`` is the library's ``peak_lr / (W + 1)`` (fairseq's ``init_lr_scale`` default is
    0.01: pass ``init_lr=0.01 * peak_lr``).

    Equal to fairseq ``tri_stage`` (``TriStageLRSchedule.step_update(num_updates)``, the
    lr of the update after ``num_updates`` updates) with ``lr=peak_lr``,
    ``init_lr=init_lr_scale * peak_lr``, ``min_lr_ratio=final_lr_scale`` and the three
    step counts; fairseq's ``phase_ratio`` is ``W, H, D = int(max_update * ratio)`` each.
    fairseq computes ``peak_lr * exp(log(r) / D * (t - W - H))`` (the same values) and
    divides by zero for ``decay_steps=0``, which here drops to the floor at ``W + H``.

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      peak_lr: lr of the hold stage, > 0.
      warmup_steps: length of the linear warmup, >= 0.
      hold_steps: length of the hold at ``peak_lr``, >= 0.
      decay_steps: length of the exponential decay, >= 0.
      init_lr: lr at step 0 (warmup start), in [0, peak_lr]; None means ``peak_lr / (W + 1)``.
      min_lr: floor, in (0, peak_lr].
      min_lr_ratio: floor as a fraction of ``peak_lr``, in (0, 1]; default 0.01 if
        ``min_lr`` is not given either.

    Array-valued config is not validated.

    >>> import lrfuncs
    >>> [round(lrfuncs.tri_stage(t, peak_lr=1.0, warmup_steps=2, hold_steps=1, decay_steps=2, init_lr=0.01), 4)
    ...  for t in range(7)]
    [0.01, 0.505, 1.0, 1.0, 0.1, 0.01, 0.01]
    """
    if min_lr_ratio is not None:
        floor, ratio = min_lr_ratio * peak_lr, min_lr_ratio
    elif min_lr is not None:
        floor, ratio = min_lr, min_lr / peak_lr
    else:
        floor, ratio = DEFAULT_FLOOR_RATIO * peak_lr, DEFAULT_FLOOR_RATIO
    start = warmup_steps + hold_steps
    end = start + decay_steps
    frac = phase_fraction(xp, t - start, decay_steps)
    log_ratio = math.log(ratio) if ratio.__class__ in PLAIN else xp.log(ratio)  # a Python float stays weak
    decay = peak_lr * xp.exp(log_ratio * frac)
    lr = xp.where(t < end, decay, floor)
    lr = xp.where(t < start, peak_lr, lr)
    return xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), lr)
