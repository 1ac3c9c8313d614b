"""Decays without a cosine: exponential, polynomial, inverse time and inverse square root.

Math and validation of ``exponential_decay``, ``polynomial_decay``,
``inverse_time_decay`` and ``inverse_sqrt`` live here. Each docstring names the
anchors it equals and the argument mapping (torch ``ExponentialLR`` /
``PolynomialLR``, optax ``exponential_decay`` / ``polynomial_schedule``, HF
``get_polynomial_decay_schedule_with_warmup`` / ``get_inverse_sqrt_schedule``,
keras ``ExponentialDecay`` / ``PolynomialDecay`` / ``InverseTimeDecay``, timm
``PolyLRScheduler``, fairseq ``inverse_sqrt``, Noam).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import PLAIN, is_plain, linear_warmup, nonzero, phase_fraction, power_safe
from .._schedule import schedule

__all__ = ["exponential_decay", "inverse_sqrt", "inverse_time_decay", "polynomial_decay"]


def _check_init(cfg: Mapping[str, Any]) -> None:
    """``init_lr``: None (``peak_lr / (warmup_steps + 1)``) or in [0, peak_lr]."""
    if cfg["init_lr"] is not None:
        v.non_negative(cfg, "init_lr")
        v.at_most(cfg, "init_lr", "peak_lr")


# ----------------------------------------------------------------------------------------------
# exponential_decay
# ----------------------------------------------------------------------------------------------


def _check_exponential_decay(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.positive(cfg, "decay_rate")
    v.positive(cfg, "decay_steps")
    v.non_negative(cfg, "hold_steps")
    v.flag(cfg, "staircase")
    if cfg["end_lr"] is not None:
        v.non_negative(cfg, "end_lr")
        rate = v.concrete(cfg, "decay_rate")
        if rate is not None and rate < 1:
            v.at_most(cfg, "end_lr", "peak_lr")  # a lower bound of a decay
        elif rate is not None:
            v.at_most(cfg, "peak_lr", "end_lr")  # an upper bound of a growth


def _exponential_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [("hold end", cfg["hold_steps"])] if cfg["hold_steps"] > 0 else []


@schedule(_check_exponential_decay, _exponential_landmarks)
def exponential_decay(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    decay_rate: Any,
    decay_steps: Any = 1,
    hold_steps: Any = 0,
    staircase: bool = False,
    end_lr: Any = None,
) -> Any:
    r"""Multiply the lr by ``decay_rate`` every ``decay_steps`` steps, continuously (or in stairs).

    .. math::
        \mathrm{lr}(t) = \mathrm{peak\_lr} \cdot \mathrm{decay\_rate}^{\,p}, \qquad
        p = \frac{\max(t - H, 0)}{\mathrm{decay\_steps}}

    with ``H = hold_steps`` (the lr is ``peak_lr`` for ``t <= H``) and ``p`` floored
    if ``staircase``. ``end_lr`` bounds the value: from below when ``decay_rate <
    1`` (it must then be <= ``peak_lr``), from above when ``decay_rate >= 1`` (then
    >= ``peak_lr``). Open-ended: there is no planned end. Without ``end_lr`` a
    ``decay_rate > 1`` grows without bound (past the float range numpy, JAX and
    torch give ``inf`` and Python numbers raise ``OverflowError``, as Python's own
    ``**`` does).

    * optax ``exponential_decay(init_value, transition_steps, decay_rate,
      transition_begin, staircase, end_value)``: equal with ``peak_lr=init_value,
      decay_steps=transition_steps, hold_steps=transition_begin,
      end_lr=end_value``. optax turns ``transition_steps <= 0`` or ``decay_rate ==
      0`` into a constant (only logged); here both are a ``ValueError``.
    * torch ``ExponentialLR(optimizer, gamma)``: ``decay_rate=gamma`` and the
      default ``decay_steps=1``.
    * keras ``ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
      staircase)``: equal (keras has no hold and no bound).

    Args:
      step: 0-based update index.
      peak_lr: lr of the first step(s), > 0.
      decay_rate: factor per ``decay_steps`` steps, > 0 (> 1 grows).
      decay_steps: steps per factor, > 0 (need not be whole).
      hold_steps: steps at ``peak_lr`` before the decay starts, >= 0.
      staircase: decay in whole multiples of ``decay_steps`` (at the multiple).
      end_lr: optional bound (lower for a decay, upper for a growth), >= 0.

    >>> import lrfuncs
    >>> [round(lrfuncs.exponential_decay(t, peak_lr=1.0, decay_rate=0.9), 5) for t in range(4)]
    [1.0, 0.9, 0.81, 0.729]
    >>> [round(lrfuncs.exponential_decay(t, peak_lr=1.0, decay_rate=0.9, hold_steps=2, end_lr=0.7), 5)
    ...  for t in range(7)]
    [1.0, 1.0, 1.0, 0.9, 0.81, 0.729, 0.7]
    """
    u = t if is_plain(hold_steps, 0) else xp.maximum(t - hold_steps, 0.0)
    p = xp.floor_div(u, decay_steps) if staircase else u / decay_steps
    if end_lr is None:
        return peak_lr * decay_rate**p
    if decay_rate.__class__ in PLAIN:
        if decay_rate < 1.0:
            return xp.maximum(peak_lr * decay_rate**p, end_lr)
        # a growth capped at end_lr: where the cap applies, the power is not evaluated (it may overflow)
        capped = p * math.log(decay_rate) >= xp.log(end_lr / peak_lr)
        return xp.where(capped, end_lr, xp.minimum(peak_lr * decay_rate ** xp.where(capped, 0.0, p), end_lr))
    # array-valued decay_rate: both bounds, each kept finite where the other applies
    below = decay_rate < 1.0
    low = xp.maximum(peak_lr * decay_rate ** xp.where(below, p, 0.0), end_lr)
    capped = p * xp.log(decay_rate) >= xp.log(xp.where(below, 1.0, end_lr / peak_lr))
    grow = xp.where(capped | below, 0.0, p)
    up = xp.where(capped, end_lr, xp.minimum(peak_lr * decay_rate**grow, end_lr))
    return xp.where(below, low, up)


# ----------------------------------------------------------------------------------------------
# polynomial_decay
# ----------------------------------------------------------------------------------------------


def _check_polynomial_decay(cfg: Mapping[str, Any]) -> None:
    v.non_negative(cfg, "peak_lr")
    v.positive(cfg, "total_steps")
    v.non_negative(cfg, "end_lr")
    if v.concrete(cfg, "peak_lr") == 0 and v.concrete(cfg, "end_lr") == 0:
        raise v.fail(cfg, "must be > 0 unless `end_lr` > 0 (a rise from 0)", "peak_lr", "end_lr")
    v.positive(cfg, "power")
    v.non_negative(cfg, "warmup_steps")
    _check_init(cfg)
    v.non_negative(cfg, "hold_steps")
    v.flag(cfg, "cycle")
    v.positive(cfg, "k_decay")
    w, h, n = (v.concrete(cfg, k) for k in ("warmup_steps", "hold_steps", "total_steps"))
    if w is not None and h is not None and n is not None:
        if w + h > n:
            raise v.fail(cfg, "plus `hold_steps` must be <= `total_steps`", "warmup_steps", "hold_steps", "total_steps")
        if cfg["cycle"] and w + h == n:
            raise v.fail(
                cfg,
                "with `cycle=True` needs a decay phase: `warmup_steps` + `hold_steps` < `total_steps`",
                "cycle", "warmup_steps", "hold_steps", "total_steps",
            )


def _polynomial_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    w, h, n = cfg["warmup_steps"], cfg["hold_steps"], cfg["total_steps"]
    out = [("warmup end", w)] if w > 0 else []
    if h > 0:
        out.append(("decay start", w + h))
    if not cfg["cycle"]:
        out.append(("end", n))
    return out


@schedule(_check_polynomial_decay, _polynomial_landmarks)
def polynomial_decay(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    total_steps: Any,
    end_lr: Any = 0.0,
    power: Any = 1.0,
    warmup_steps: Any = 0,
    init_lr: Any = None,
    hold_steps: Any = 0,
    cycle: bool = False,
    k_decay: Any = 1.0,
) -> Any:
    r"""Linear warmup, hold, then a polynomial decay to ``end_lr`` at ``total_steps``; then hold.

    With ``W = warmup_steps``, ``H = hold_steps``, ``N = total_steps``, ``T = N - W - H``
    and ``\tau = t - W - H``: the warmup ramp of :func:`lrfuncs.warmup_constant` for
    ``t < W`` (from ``init_lr``, default ``peak_lr / (W + 1)``), ``peak_lr`` for
    ``W <= t < W + H``, then

    .. math::
        \mathrm{lr}(t) = e + (\mathrm{peak\_lr} - e)\,(1 - f)^{\mathrm{power}}, \qquad
        f = \frac{\min(\tau, T)^k}{T^k}

    with ``e = end_lr`` and ``k = k_decay`` (``f = \min(\tau, T) / T`` for the
    default ``k = 1``): ``end_lr`` is reached at ``N`` and held after. ``end_lr``
    may be above ``peak_lr`` (a polynomial rise). With ``W + H == N`` there is no
    decay phase: ``end_lr`` from ``W + H`` on. ``cycle=True`` is keras'
    ``cycle``: past ``T`` the decay length becomes ``T * ceil(\tau / T)``, so the lr
    jumps back up at every multiple of ``T`` and decays again over a longer span.

    * torch ``PolynomialLR(optimizer, total_iters, power)``: ``total_steps=total_iters``
      (``end_lr=0``, torch always decays to 0).
    * optax ``polynomial_schedule(init_value, end_value, power, transition_steps,
      transition_begin)``: ``peak_lr=init_value, end_lr=end_value,
      hold_steps=transition_begin, total_steps=transition_begin + transition_steps``.
    * HF ``get_polynomial_decay_schedule_with_warmup(optimizer, W, N, lr_end, power)``:
      ``init_lr=0.0`` (HF's warmup starts at 0), ``end_lr=lr_end``. HF's ``lr_end``
      is absolute for the optimizer's *default* lr (``optimizer.defaults["lr"]``):
      a param group with another lr ends at ``lr_end * group_lr / default_lr``.
      HF raises ``ZeroDivisionError`` at step ``N`` when ``W == N``; this holds
      ``end_lr`` from ``W`` on.
    * keras ``PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate,
      power, cycle)``: ``total_steps=decay_steps``.
    * timm ``PolyLRScheduler(t_initial, power, lr_min, warmup_t, warmup_lr_init,
      warmup_prefix=True, k_decay)``, one cycle (``cycle_limit=1``, its default):
      ``total_steps=warmup_t + t_initial, warmup_steps=warmup_t,
      init_lr=warmup_lr_init, end_lr=lr_min`` (timm's default ``power`` is 0.5).

    Args:
      step: 0-based update index.
      peak_lr: lr at the end of the warmup, > 0.
      total_steps: step at which ``end_lr`` is reached (warmup and hold included), > 0.
      end_lr: final lr, >= 0.
      power: exponent of the decay, > 0 (1: linear).
      warmup_steps: length of the linear warmup, >= 0.
      init_lr: lr of update 0 of the warmup, in [0, peak_lr]; None: ``peak_lr / (W + 1)``.
      hold_steps: steps at ``peak_lr`` between warmup and decay, >= 0 (``W + H <= N``).
      cycle: keras' cycling decay (needs ``W + H < N``).
      k_decay: timm's k-decay exponent of the decay clock, > 0.

    >>> import lrfuncs
    >>> [lrfuncs.polynomial_decay(t, peak_lr=1.0, total_steps=4) for t in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    >>> [round(lrfuncs.polynomial_decay(t, peak_lr=1.0, total_steps=4, power=0.5), 5) for t in range(6)]
    [1.0, 0.86603, 0.70711, 0.5, 0.0, 0.0]
    """
    start = warmup_steps + hold_steps
    length = total_steps - start
    tau = t - start
    k_one = is_plain(k_decay, 1.0)
    if cycle:
        # keras: the decay length is T * ceil(tau / T), at least T (tau <= 0 is before the decay)
        safe = nonzero(xp, length)
        span = length * xp.maximum(-xp.floor_div(-tau, safe), 1.0)
        done = xp.maximum(tau, 0.0)
        frac = done / span if k_one else power_safe(xp, done, k_decay) / nonzero(xp, power_safe(xp, span, k_decay))
    elif k_one:
        frac = phase_fraction(xp, tau, length)
    else:  # timm's t_curr**k / t_i**k; the end of the decay (or a decay of length 0) is 1
        done = xp.clip(tau, 0.0, length if length.__class__ in PLAIN else xp.maximum(length, 0.0))
        if length.__class__ in PLAIN:  # (a plain number through where() would become a float64 array)
            den = length**k_decay if length > 0 else 1.0
        else:
            den = nonzero(xp, power_safe(xp, length, k_decay))
        ratio = power_safe(xp, done, k_decay) / den
        frac = xp.where(done >= length, 1.0, ratio)
    rest = 1.0 - frac
    shape = rest if is_plain(power, 1.0) else power_safe(xp, rest, power)
    lr = (peak_lr - end_lr) * shape + end_lr
    if not is_plain(start, 0):
        lr = xp.where(t < start, peak_lr, lr)
    if not is_plain(warmup_steps, 0):
        lr = xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), lr)
    return lr


# ----------------------------------------------------------------------------------------------
# inverse_time_decay
# ----------------------------------------------------------------------------------------------


def _check_inverse_time_decay(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.non_negative(cfg, "decay_rate")
    v.positive(cfg, "decay_steps")
    v.flag(cfg, "staircase")


@schedule(_check_inverse_time_decay)
def inverse_time_decay(
    xp: Ops, t: Any, /, peak_lr: Any, decay_rate: Any, decay_steps: Any = 1, staircase: bool = False
) -> Any:
    r"""The lr divided by ``1 + decay_rate * t / decay_steps`` (floored in stairs if ``staircase``).

    .. math:: \mathrm{lr}(t) = \frac{\mathrm{peak\_lr}}{1 + \mathrm{decay\_rate} \cdot t / \mathrm{decay\_steps}}

    Equal to keras ``InverseTimeDecay(initial_learning_rate, decay_steps,
    decay_rate, staircase)`` with ``peak_lr=initial_learning_rate`` (the stairs
    step *at* multiples of ``decay_steps``, as keras' floor does). Open-ended.

    Args:
      step: 0-based update index.
      peak_lr: lr of step 0, > 0.
      decay_rate: >= 0 (0: constant).
      decay_steps: > 0 (need not be whole).
      staircase: use ``floor(t / decay_steps)``.

    >>> import lrfuncs
    >>> [lrfuncs.inverse_time_decay(t, peak_lr=1.0, decay_rate=0.5, decay_steps=2) for t in range(5)]
    [1.0, 0.8, 0.6666666666666666, 0.5714285714285714, 0.5]
    """
    p = xp.floor_div(t, decay_steps) if staircase else t / decay_steps
    return peak_lr / (1.0 + decay_rate * p)


# ----------------------------------------------------------------------------------------------
# inverse_sqrt
# ----------------------------------------------------------------------------------------------


def _check_inverse_sqrt(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.non_negative(cfg, "warmup_steps")
    _check_init(cfg)
    if cfg["timescale"] is not None:
        v.positive(cfg, "timescale")
    elif v.concrete(cfg, "warmup_steps") == 0:
        raise v.fail(
            cfg,
            "must be given (> 0) when `warmup_steps` is 0: it defaults to `warmup_steps` "
            "(HF silently uses 10_000 there)",
            "timescale", "warmup_steps",
        )


def _inverse_sqrt_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [("warmup end", cfg["warmup_steps"])] if cfg["warmup_steps"] > 0 else []


@schedule(_check_inverse_sqrt, _inverse_sqrt_landmarks)
def inverse_sqrt(
    xp: Ops, t: Any, /, peak_lr: Any, warmup_steps: Any, timescale: Any = None, init_lr: Any = None
) -> Any:
    r"""Linear warmup to ``peak_lr``, then decay as the inverse square root of the step.

    .. math::
        \mathrm{lr}(t) = \frac{\mathrm{peak\_lr}}{\sqrt{(t - W + s) / s}} \quad (t \ge W)

    with ``W = warmup_steps`` and timescale ``s`` (default ``W``), and the warmup
    ramp of :func:`lrfuncs.warmup_constant` for ``t < W`` (from ``init_lr``, default
    ``peak_lr / (W + 1)``). With ``s = W`` this is ``peak_lr * sqrt(W / t)``.
    Open-ended (no planned end).

    * HF ``get_inverse_sqrt_schedule(optimizer, W, timescale)``: equal with
      ``init_lr=0.0``. HF uses ``timescale = 10_000`` when ``W == 0`` and none is
      given; here ``W == 0`` needs an explicit ``timescale`` (``ValueError``).
    * fairseq ``inverse_sqrt`` (``warmup_updates=W``, ``warmup_init_lr=i``):
      ``init_lr=i`` (fairseq's default 0: ``init_lr=0.0``), timescale default.
    * timm ``WSDLRScheduler(stable_fn="rsqrt", stable_timescale=s, warmup_t=W,
      warmup_lr_init=i)``: its stable phase is this curve (see :func:`lrfuncs.wsd`).
    * Noam (Vaswani et al. 2017) ``lr(s) = c * d**-0.5 * min(s**-0.5, s * W**-1.5)``
      counts its steps from 1: its ``s``-th update uses
      ``inverse_sqrt(s, peak_lr=c * d**-0.5 * W**-0.5, warmup_steps=W, init_lr=0.0)``,
      so for lrfuncs' 0-based update ``k`` evaluate at ``k + 1`` (one step later:
      the first update gets ``peak_lr / W``, not 0).

    Args:
      step: 0-based update index.
      peak_lr: lr at the end of the warmup, > 0.
      warmup_steps: length of the warmup, >= 0.
      timescale: the decay's time scale ``s``, > 0; None: ``warmup_steps`` (which must then be > 0).
      init_lr: lr of update 0, in [0, peak_lr]; None: ``peak_lr / (W + 1)``.

    >>> import lrfuncs
    >>> [round(lrfuncs.inverse_sqrt(t, peak_lr=1.0, warmup_steps=4, init_lr=0.0), 5) for t in range(0, 10, 2)]
    [0.0, 0.5, 1.0, 0.8165, 0.70711]
    """
    if timescale is None:
        timescale = warmup_steps if warmup_steps.__class__ in PLAIN else nonzero(xp, warmup_steps)
    u = xp.maximum(t - warmup_steps, 0.0)
    lr = peak_lr / xp.sqrt((u + timescale) / timescale)
    if is_plain(warmup_steps, 0):
        return lr
    return xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), lr)
