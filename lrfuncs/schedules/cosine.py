"""Cosine annealing with a floor, and cosine with warm restarts (SGDR).

Math and validation of ``cosine_decay`` and ``cosine_restarts`` live here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._cycles import locate
from .._dispatch import Ops
from .._phases import floor_value, is_plain, linear_warmup, nonzero, power_safe
from .._schedule import schedule


def check_floor(cfg: Mapping[str, Any]) -> None:
    """``min_lr`` (absolute) xor ``min_lr_ratio`` (fraction of ``peak_lr``)."""
    v.exclusive(cfg, "min_lr", "min_lr_ratio")
    if cfg["min_lr"] is not None:
        v.non_negative(cfg, "min_lr")
        v.at_most(cfg, "min_lr", "peak_lr")
    if cfg["min_lr_ratio"] is not None:
        v.between(cfg, "min_lr_ratio", 0.0, 1.0)


def _check_cosine_decay(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.positive(cfg, "total_steps")
    check_floor(cfg)
    v.positive(cfg, "exponent")
    v.flag(cfg, "periodic")
    v.positive(cfg, "k_decay")


def _cosine_decay_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [] if cfg["periodic"] else [("end", cfg["total_steps"])]


@schedule(_check_cosine_decay, _cosine_decay_landmarks)
def cosine_decay(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    total_steps: Any,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
    exponent: Any = 1.0,
    periodic: bool = False,
    k_decay: Any = 1.0,
) -> Any:
    r"""Half a cosine from ``peak_lr`` down to a floor over ``total_steps``, then hold.

    .. math::
        \mathrm{lr}(t) = f + (\mathrm{peak\_lr} - f)\,
        \Big[\tfrac{1}{2}\big(1 + \cos(\pi \min(t, T) / T)\big)\Big]^{\mathrm{exponent}}

    with ``T = total_steps`` and floor ``f = min_lr`` (absolute, torch's
    ``eta_min``) or ``f = min_lr_ratio * peak_lr`` (a ratio, optax's ``alpha``),
    0 if neither is given.

    * torch ``CosineAnnealingLR(T_max=T, eta_min=min_lr)``: equal for ``t <= T``;
      past ``T`` torch rises again (period ``2T``), which ``periodic=True`` gives.
    * optax ``cosine_decay_schedule(peak_lr, T, alpha, exponent)``: equal for every
      ``t`` with ``min_lr_ratio=alpha``.
    * timm ``CosineLRScheduler(t_initial=T, lr_min, k_decay)`` (one cycle, its default
      ``cycle_limit=1``): equal for every ``t`` with ``min_lr=lr_min``.

    ``k_decay = k`` (timm's k-decay, Zhang et al. 2020, arXiv 2004.05909) bends the
    clock: the cosine's argument is ``\pi t^k / T^k`` instead of ``\pi t / T``
    (``k > 1`` stays high longer, ``k < 1`` drops sooner); the default 1 is the plain
    cosine.

    The floor is first reached at ``t = T``, so a run of ``T`` updates never uses
    it; pass ``total_steps = updates - 1`` to end exactly on the floor.

    >>> import lrfuncs
    >>> [round(lrfuncs.cosine_decay(t, peak_lr=1.0, total_steps=10), 6) for t in (0, 5, 10, 15)]
    [1.0, 0.5, 0.0, 0.0]
    >>> round(lrfuncs.cosine_decay(15, peak_lr=1.0, total_steps=10, periodic=True), 6)
    0.5
    """
    floor = floor_value(peak_lr, min_lr, min_lr_ratio)
    if not periodic:
        t = xp.minimum(t, total_steps)
    if is_plain(k_decay, 1.0):
        c = 0.5 * (1.0 + xp.cos(math.pi * t / total_steps))
    else:  # timm's operation order, pi * t**k / T**k
        c = 0.5 * (1.0 + xp.cos(math.pi * power_safe(xp, t, k_decay) / total_steps**k_decay))
    if not is_plain(exponent, 1.0):
        c = power_safe(xp, c, exponent)
    return floor + (peak_lr - floor) * c


def _check_cosine_restarts(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.positive(cfg, "cycle_steps")
    v.positive(cfg, "cycle_mult")
    check_floor(cfg)
    v.between(cfg, "peak_decay", 0.0, 1.0, lo_open=True)
    if cfg["max_cycles"] is not None:
        v.integer(cfg, "max_cycles", minimum=1)
    v.non_negative(cfg, "warmup_steps")
    if cfg["init_lr"] is not None:
        v.non_negative(cfg, "init_lr")
        v.at_most(cfg, "init_lr", "peak_lr")
    v.non_negative(cfg, "cycle_warmup_steps")
    v.at_most(cfg, "cycle_warmup_steps", "cycle_steps", strict=True)
    v.positive(cfg, "k_decay")
    cw, m = v.concrete(cfg, "cycle_warmup_steps"), v.concrete(cfg, "cycle_mult")
    if cw is not None and m is not None and cw > 0 and m < 1:
        raise v.fail(cfg, "needs `cycle_mult` >= 1 (shrinking cycles would get shorter than their warmup)",
                     "cycle_warmup_steps", "cycle_mult")


#: Restarts listed by ``Schedule.landmarks()`` when the cycles never end.
MAX_LISTED_RESTARTS = 100


def _cosine_restarts_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    w, cs, m, n = cfg["warmup_steps"], cfg["cycle_steps"], cfg["cycle_mult"], cfg["max_cycles"]
    out: list[tuple[str, float]] = [("warmup end", w)] if w > 0 else []
    start, length = 0.0, float(cs)
    for i in range(1, (n if n is not None else MAX_LISTED_RESTARTS + 1) + 1):
        start, length = start + length, length * m
        if n is not None and i == n:
            out.append(("end", w + start))
        elif m < 1 and length < 1e-9 * cs:
            break
        else:
            out.append((f"restart {i}", w + start))
    if n is None and m < 1:
        out.append(("end", w + cs / (1.0 - m)))
    return out


@schedule(_check_cosine_restarts, _cosine_restarts_landmarks)
def cosine_restarts(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    cycle_steps: Any,
    cycle_mult: Any = 1.0,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
    peak_decay: Any = 1.0,
    max_cycles: Any = None,
    warmup_steps: Any = 0,
    init_lr: Any = None,
    cycle_warmup_steps: Any = 0,
    k_decay: Any = 1.0,
) -> Any:
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017).

    After an optional linear warmup of ``warmup_steps`` (``W``), cycle ``i`` lasts
    ``T_i = cycle_steps * cycle_mult**i`` steps and starts at
    ``S_i = cycle_steps * (cycle_mult**i - 1) / (cycle_mult - 1)`` (``i * cycle_steps``
    when ``cycle_mult == 1``). With ``u = t - W`` and ``\tau = u - S_i``:

    .. math::
        \mathrm{lr}(t) = f + (p_i - f)\,\tfrac{1}{2}\big(1 + \cos(\pi\,\tau / T_i)\big),
        \qquad p_i = \mathrm{peak\_lr} \cdot \mathrm{peak\_decay}^{i}

    and ``lr = f`` once ``i >= max_cycles``. With ``cycle_warmup_steps = C > 0``
    each restart (cycle ``i >= 1``) begins with a linear ramp from ``f`` to ``p_i``
    over its first ``C`` steps (starting one ramp step above ``f``) and anneals
    over the remaining ``T_i - C``; the first cycle is preceded by the
    ``warmup_steps`` warmup instead.

    * torch ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)``: equal (also for
      fractional steps, torch's ``step(epoch + i / iters)``), with
      ``cycle_steps=T_0, cycle_mult=T_mult, min_lr=eta_min``. torch takes the
      cycle index from a rounded logarithm and can miss a restart (e.g. ``T_0=1,
      T_mult=10`` at step 111); lrfuncs corrects the index so restarts are exact
      (a step within a relative 1e-12, at most 1e-6, of a computed cycle start
      counts as the restart, since the start itself carries rounding).
    * timm ``CosineLRScheduler`` cycle semantics: ``cycle_mul`` (a float, < 1
      allowed), ``cycle_decay`` = ``peak_decay``, ``cycle_limit`` = ``max_cycles``,
      ``lr_min`` = ``min_lr``, ``k_decay`` = ``k_decay``, and ``warmup_prefix=True``
      warmup = ``warmup_steps``.

    ``k_decay = k`` (timm's k-decay) replaces ``\tau / T_i`` in the cosine by
    ``\tau^k / T_i^k`` (with a cycle warmup: the time and length of the cycle's
    cosine part); the default 1 is the plain cosine.

    The warmup starts at ``init_lr``; ``None`` means ``peak_lr / (W + 1)``.

    >>> import lrfuncs
    >>> [round(lrfuncs.cosine_restarts(t, peak_lr=1.0, cycle_steps=4, cycle_mult=2), 4) for t in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.9619]
    """
    floor = floor_value(peak_lr, min_lr, min_lr_ratio)
    u = t if is_plain(warmup_steps, 0) else xp.maximum(t - warmup_steps, 0.0)  # (steps are >= 0)
    m = cycle_mult
    plain = m.__class__ in (int, float)
    i, start, length, m_safe = locate(xp, u, cycle_steps, m)
    # where the step is in its cycle; with equal cycles an exact remainder (torch's `epoch % T_0`), in [0, T)
    tau = xp.rem(u, cycle_steps) if is_plain(m, 1.0) else u - start
    peak_i = peak_lr if is_plain(peak_decay, 1.0) else peak_lr * peak_decay**i
    # the warmup of each restart (cycles 1, 2, ...); the first cycle follows `warmup_steps` instead
    cw = cycle_warmup_steps
    if not is_plain(cycle_warmup_steps, 0):
        cw = cycle_warmup_steps * xp.indicator(i >= 1.0, i)
    cos_len = length - cw
    # torch's operation order, pi * tau / T_i, so values agree to the last bits
    if is_plain(m, 1.0) and is_plain(cw, 0):
        num = tau  # already in [0, cycle_steps)
    else:
        num = xp.maximum(xp.minimum(tau if is_plain(cw, 0) else tau - cw, cos_len), 0.0)
    if is_plain(k_decay, 1.0):
        c = 0.5 * (1.0 + xp.cos(math.pi * num / nonzero(xp, cos_len)))
    else:  # timm's pi * t_curr**k / t_i**k
        if cos_len.__class__ in (int, float) and cos_len > 0:  # plain: keep the step's float type
            den = cos_len**k_decay
        else:
            den = nonzero(xp, power_safe(xp, cos_len, k_decay))
        c = 0.5 * (1.0 + xp.cos(math.pi * power_safe(xp, num, k_decay) / den))
    lr = peak_i * c if is_plain(floor, 0.0) else floor + (peak_i - floor) * c  # (the same value for a 0 floor)
    if not is_plain(m, 1.0) and (not plain or m < 1.0):
        # cycle_mult < 1: from the (finite) sum of all cycles on, hold the floor
        lr = xp.where(cos_len > 0, lr, floor)
        lr = xp.where((m_safe < 1.0) & (u >= cycle_steps / (1.0 - m_safe)), floor, lr)
    if not is_plain(cycle_warmup_steps, 0):
        ramp = linear_warmup(xp, tau, peak_i - floor, cw, None) + floor
        lr = xp.where(tau < cw, ramp, lr)
    if max_cycles is not None:
        lr = xp.where(i >= max_cycles, floor, lr)
    if not is_plain(warmup_steps, 0):
        lr = xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), lr)
    return lr
