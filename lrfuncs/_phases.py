"""Math helpers shared by the schedules: guarded division, phase fractions, warmup, floors.

Every helper takes the operations namespace ``xp`` first and works elementwise
on Python floats, numpy, JAX and torch values alike. None of them branches on
a step value: both sides of every ``where`` are computed, so both are kept
finite (no division by zero, no log of zero), which also keeps gradients
NaN-free. They do branch on *config* that is a plain Python number (a zero
length, an exponent of 1): that only picks the cheaper of two equal formulas.
"""

from __future__ import annotations

import math
from typing import Any

from ._dispatch import Ops

PLAIN = (int, float)


PI = math.pi


def is_plain(value: Any, target: float) -> bool:
    """True if ``value`` is a Python number equal to ``target`` (a config shortcut, never a step test)."""
    return value.__class__ in PLAIN and value == target


def nonzero(xp: Ops, den: Any) -> Any:
    """``den`` with zeros replaced by 1, for divisions whose zero case is masked by the caller."""
    if den.__class__ in PLAIN:
        return den if den != 0 else 1.0
    return xp.where(den == 0, 1.0, den)


def phase_fraction(xp: Ops, elapsed: Any, length: Any, clip: bool = True) -> Any:
    """``elapsed / length``, clipped to [0, 1] unless ``clip=False``.

    A phase of length 0 is done (1) as soon as it starts. Python floats are
    clipped inline: this sits on every scalar call's path.
    """
    if length.__class__ in PLAIN and length:
        f = elapsed / length
        if f.__class__ is float:
            return (0.0 if f < 0.0 else 1.0 if f > 1.0 else f) if clip else f
        return xp.clip(f, 0.0, 1.0) if clip else f
    if length.__class__ in PLAIN:  # zero
        return xp.indicator(elapsed >= 0, elapsed)
    f = xp.where(length == 0, 1.0, elapsed / xp.where(length == 0, 1.0, length))
    return xp.clip(f, 0.0, 1.0) if clip else f


def power_safe(xp: Ops, base: Any, exponent: Any) -> Any:
    """``base ** exponent`` for base >= 0 with a finite gradient at base == 0."""
    positive = base > 0
    safe = xp.where(positive, base, 1.0)
    return xp.where(positive, safe**exponent, 0.0)


def cos_interp(xp: Ops, start: Any, end: Any, frac: Any) -> Any:
    """Cosine interpolation from ``start`` (frac=0) to ``end`` (frac=1), torch's ``_annealing_cos``."""
    return end + (start - end) / 2.0 * (xp.cos(math.pi * frac) + 1.0)


def floor_value(peak_lr: Any, min_lr: Any, min_lr_ratio: Any) -> Any:
    """The floor of a decay: ``min_lr`` (absolute), ``min_lr_ratio * peak_lr``, or 0."""
    if min_lr_ratio is not None:
        return min_lr_ratio * peak_lr
    return 0.0 if min_lr is None else min_lr


def linear_warmup(xp: Ops, t: Any, peak_lr: Any, warmup_steps: Any, init_lr: Any) -> Any:
    """The warmup ramp ``init + (peak - init) * t / warmup_steps`` (used where t < warmup_steps).

    ``init_lr=None`` (the default of every schedule) starts at
    ``peak_lr / (warmup_steps + 1)``: the ramp that reaches 0 one step *before*
    the first update, so every warmup update moves the lr by the same
    ``peak_lr / (warmup_steps + 1)`` and the first update is not wasted on an
    lr of 0 (the complaint of HF #34754). ``init_lr=0.0`` gives the HF / optax
    ramp ``peak_lr * t / warmup_steps``.
    """
    start = peak_lr / (warmup_steps + 1.0) if init_lr is None else init_lr
    if warmup_steps.__class__ in PLAIN and warmup_steps != 0:  # the common case, without a call
        return start + (peak_lr - start) * (t / warmup_steps)
    return start + (peak_lr - start) * (t / nonzero(xp, warmup_steps))
