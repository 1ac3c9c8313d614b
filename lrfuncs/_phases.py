"""Math helpers shared by the schedules: guarded division, ramps, annealing shapes.

Every helper takes the operations namespace ``xp`` first and works elementwise
on Python floats, numpy, JAX and torch values alike. None of them branches on
a value: both sides of every ``where`` are computed, so both are kept finite
(no division by zero, no log of zero), which also keeps gradients NaN-free.
"""

from __future__ import annotations

import math
from typing import Any

from ._dispatch import Ops

_PLAIN = (int, float)


def is_plain(value: Any, target: float) -> bool:
    """True if ``value`` is a Python number equal to ``target`` (a config shortcut, never a step test)."""
    return value.__class__ in _PLAIN and value == target


def nonzero(xp: Ops, den: Any) -> Any:
    """``den`` with zeros replaced by 1, for divisions whose zero case is masked by the caller."""
    if den.__class__ in _PLAIN:
        return den if den != 0 else 1.0
    return xp.where(den == 0, 1.0, den)


def safe_div(xp: Ops, num: Any, den: Any) -> Any:
    """``num / den``, with a zero denominator replaced by 1 (callers mask that case)."""
    return num / nonzero(xp, den)


def progress(xp: Ops, t: Any, begin: Any, length: Any) -> Any:
    """Fraction of a phase done at ``t``: ``clip((t - begin) / length, 0, 1)``.

    A phase of length 0 is complete as soon as it begins (fraction 1 at
    ``t >= begin``).
    """
    frac = safe_div(xp, t - begin, length)
    if length.__class__ in _PLAIN:
        if length == 0:
            return xp.where(t >= begin, 1.0, 0.0)
        return xp.clip(frac, 0.0, 1.0)
    frac = xp.where(length == 0, xp.where(t >= begin, 1.0, 0.0), frac)
    return xp.clip(frac, 0.0, 1.0)


def lerp(start: Any, end: Any, frac: Any) -> Any:
    """Linear interpolation ``start + (end - start) * frac``."""
    return start + (end - start) * frac


def half_cosine(xp: Ops, frac: Any, exponent: Any = 1.0) -> Any:
    """``(1 + cos(pi * frac)) / 2``, raised to ``exponent``: 1 at frac=0, 0 at frac=1."""
    c = 0.5 * (1.0 + xp.cos(math.pi * frac))
    if is_plain(exponent, 1.0):
        return c
    return power_safe(xp, c, exponent)


def power_safe(xp: Ops, base: Any, exponent: Any) -> Any:
    """``base ** exponent`` for base >= 0 with a finite gradient at base == 0."""
    positive = base > 0
    safe = xp.where(positive, base, 1.0)
    return xp.where(positive, safe**exponent, 0.0)


def cos_interp(xp: Ops, start: Any, end: Any, frac: Any) -> Any:
    """Cosine interpolation from ``start`` (frac=0) to ``end`` (frac=1), torch's ``_annealing_cos``."""
    return end + (start - end) / 2.0 * (xp.cos(math.pi * frac) + 1.0)


def floor_value(xp: Ops, peak_lr: Any, min_lr: Any, min_lr_ratio: Any) -> Any:
    """The floor of a decay: ``min_lr`` (absolute), ``min_lr_ratio * peak_lr``, or 0."""
    if min_lr_ratio is not None:
        return min_lr_ratio * peak_lr
    if min_lr is not None:
        return min_lr
    return 0.0


def warmup_start(peak_lr: Any, warmup_steps: Any, init_lr: Any) -> Any:
    """The lr of the first warmup update.

    ``init_lr=None`` (the default) starts at ``peak_lr / (warmup_steps + 1)``:
    the ramp that reaches 0 one step *before* the first update, so every
    warmup update moves the lr by the same ``peak_lr / (warmup_steps + 1)`` and
    the first update is not wasted on an lr of 0 (the complaint of HF #34754).
    ``init_lr=0.0`` gives the HF / optax ramp ``peak_lr * step / warmup_steps``.
    """
    if init_lr is None:
        return peak_lr / (warmup_steps + 1.0)
    return init_lr


def linear_warmup(xp: Ops, t: Any, peak_lr: Any, warmup_steps: Any, init_lr: Any) -> Any:
    """The warmup ramp ``init + (peak - init) * t / warmup_steps`` (valid for t < warmup_steps)."""
    start = warmup_start(peak_lr, warmup_steps, init_lr)
    return lerp(start, peak_lr, safe_div(xp, t, warmup_steps))
