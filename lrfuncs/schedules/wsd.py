"""Warmup-stable-decay (WSD, "trapezoidal"): warmup, a long stable phase, a short final decay.

Math and validation of ``wsd``: one schedule that covers HF ``get_wsd_schedule``
and timm ``WSDLRScheduler`` (every warmup, stable and decay shape of both).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import (
    PI,
    PLAIN,
    WARMUP_SHAPES,
    floor_value,
    is_plain,
    linear_warmup,
    nonzero,
    phase_fraction,
    power_safe,
    sqrt_safe,
    warmup_ramp,
)
from .._schedule import schedule
from .cosine import check_floor

__all__ = ["wsd"]

STABLE_SHAPES = ("constant", "rsqrt", "power")
DECAY_SHAPES = ("linear", "cosine", "1-sqrt", "power", "exp")


def _check_wsd(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.positive(cfg, "total_steps")
    v.non_negative(cfg, "decay_steps")
    v.non_negative(cfg, "warmup_steps")
    w, d, n = (v.concrete(cfg, k) for k in ("warmup_steps", "decay_steps", "total_steps"))
    if w is not None and d is not None and n is not None and w + d > n:
        raise v.fail(cfg, "plus `decay_steps` must be <= `total_steps`", "warmup_steps", "decay_steps", "total_steps")
    if cfg["init_lr"] is not None:
        v.non_negative(cfg, "init_lr")
        v.at_most(cfg, "init_lr", "peak_lr")
    check_floor(cfg)
    v.choice(cfg, "warmup_shape", WARMUP_SHAPES)
    v.choice(cfg, "decay_shape", DECAY_SHAPES)
    v.positive(cfg, "decay_power")
    v.between(cfg, "decay_ratio", 0.0, 1.0, lo_open=True, hi_open=True)
    v.positive(cfg, "num_cycles")
    v.choice(cfg, "stable_shape", STABLE_SHAPES)
    v.positive(cfg, "stable_power")
    if cfg["stable_timescale"] is not None:
        v.positive(cfg, "stable_timescale")
    elif cfg["stable_shape"] != "constant" and w == 0:
        raise v.fail(
            cfg,
            "must be given (> 0) for a decaying stable phase without warmup: it defaults to `warmup_steps`",
            "stable_timescale", "stable_shape", "warmup_steps",
        )


def _wsd_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    w, d, n = cfg["warmup_steps"], cfg["decay_steps"], cfg["total_steps"]
    out = [("warmup end", w)] if w > 0 else []
    if d > 0 and n - d > w:
        out.append(("decay start", n - d))
    return [*out, ("end", n)]


@schedule(_check_wsd, _wsd_landmarks)
def wsd(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    total_steps: Any,
    decay_steps: Any,
    warmup_steps: Any = 0,
    init_lr: Any = None,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
    warmup_shape: str = "linear",
    decay_shape: str = "1-sqrt",
    decay_power: Any = 0.5,
    decay_ratio: Any = 0.1,
    num_cycles: Any = 0.5,
    stable_shape: str = "constant",
    stable_timescale: Any = None,
    stable_power: Any = 0.5,
) -> Any:
    r"""Warmup, a stable phase at (about) ``peak_lr``, and a final decay to the floor at ``total_steps``.

    With ``W = warmup_steps``, ``D = decay_steps``, ``N = total_steps`` (everything
    included) and floor ``f`` (``min_lr``, or ``min_lr_ratio * peak_lr``, default 0):

    * **warmup** ``[0, W)``: ``i + (peak_lr - i) r(t / W)`` from ``i = init_lr``
      (default ``peak_lr / (W + 1)``) with ``warmup_shape`` ``r(p)``: ``"linear"``
      ``p``, ``"cosine"`` ``(1 - cos(\pi p)) / 2``, ``"1-sqrt"`` ``1 - sqrt(1 - p)``.
    * **stable** ``[W, N - D)``: ``s(t) = max(peak_lr \cdot g(t - W), f)`` with
      ``stable_shape`` ``g(u)``: ``"constant"`` 1 (WSD), ``"rsqrt"`` ``(1 + u/\sigma)^{-1/2}``,
      ``"power"`` ``(1 + u/\sigma)^{-\mathrm{stable\_power}}``; timescale ``\sigma =
      stable_timescale``, default ``W`` (as timm).
    * **decay** ``[N - D, N)``: ``f + (s(t) - f) d(q)``, ``q = (t - N + D) / D``, with
      ``decay_shape`` ``d(q)``: ``"linear"`` ``1 - q``, ``"cosine"``
      ``(1 + cos(2\pi \cdot \mathrm{num\_cycles} \cdot q)) / 2``, ``"1-sqrt"`` ``1 -
      sqrt(q)``, ``"power"`` ``1 - q^{\mathrm{decay\_power}}``, ``"exp"`` ``(r^q - r) / (1 -
      r)`` with ``r = decay_ratio``.
    * from ``N`` on: the floor ``f``.

    The default decay is ``"1-sqrt"``, the best cooldown of Hägele et al. 2024
    ("Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations")
    and timm's default; HF defaults to ``"cosine"``.

    * HF ``get_wsd_schedule(optimizer, W, D, num_training_steps=N | num_stable_steps=S,
      warmup_type, decay_type, min_lr_ratio=r, num_cycles)``: ``total_steps = W + S +
      D`` (``N`` when only it is given; HF uses ``S`` when both are),
      ``warmup_shape=warmup_type, decay_shape=decay_type, min_lr_ratio=r``,
      ``init_lr = r * peak_lr`` (HF's warmup starts at the floor ratio).
    * timm ``WSDLRScheduler(t_initial, decay_t, lr_min, stable_fn, stable_timescale,
      stable_power, decay_fn, decay_power, decay_ratio, warmup_t, warmup_lr_init)``
      (``_get_lr(t)``; its warmup is always a prefix): ``total_steps = warmup_t +
      t_initial, decay_steps=decay_t, min_lr=lr_min, warmup_steps=warmup_t,
      init_lr=warmup_lr_init`` and the shapes by name (timm's cosine is
      ``num_cycles=0.5``). timm's ``decay_fn`` callable is not config: not supported.
    * ``decay_steps=0``: no decay phase (the floor from ``N`` on), as HF allows.

    As for every decay, the floor is reached at ``N``: the update ``N - 1`` still
    uses a value above it (timm warns about this too).

    Args:
      step: 0-based update index.
      peak_lr: lr of the stable phase, > 0.
      total_steps: step at which the floor is reached (warmup, stable and decay included), > 0.
      decay_steps: length of the final decay, >= 0 (``warmup_steps + decay_steps <= total_steps``).
      warmup_steps: length of the warmup, >= 0.
      init_lr: lr of update 0, in [0, peak_lr]; None: ``peak_lr / (W + 1)``.
      min_lr: absolute floor in [0, peak_lr] (exclusive with ``min_lr_ratio``).
      min_lr_ratio: floor as a fraction of ``peak_lr``, in [0, 1].
      warmup_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      decay_shape: ``"1-sqrt"``, ``"linear"``, ``"cosine"``, ``"power"`` or ``"exp"``.
      decay_power: exponent of ``decay_shape="power"``, > 0.
      decay_ratio: ``r`` of ``decay_shape="exp"``, in (0, 1).
      num_cycles: cosine waves over the decay of ``decay_shape="cosine"`` (HF's), > 0; 0.5: half a wave down.
      stable_shape: ``"constant"``, ``"rsqrt"`` or ``"power"``.
      stable_timescale: ``\sigma`` of the decaying stable shapes, > 0; None: ``warmup_steps``.
      stable_power: exponent of ``stable_shape="power"``, > 0.

    >>> import lrfuncs
    >>> [round(lrfuncs.wsd(t, peak_lr=1.0, total_steps=10, decay_steps=4, warmup_steps=2, init_lr=0.0), 5)
    ...  for t in range(12)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.29289, 0.13397, 0.0, 0.0]
    """
    floor = floor_value(peak_lr, min_lr, min_lr_ratio)
    # stable phase
    if stable_shape == "constant":
        lr = 0.0 * t + peak_lr
    else:
        timescale = stable_timescale
        if timescale is None:
            timescale = warmup_steps if warmup_steps.__class__ in PLAIN else nonzero(xp, warmup_steps)
        exponent = 0.5 if stable_shape == "rsqrt" else stable_power
        elapsed = xp.maximum(t - warmup_steps, 0.0)
        lr = xp.maximum(peak_lr * (1.0 + elapsed / timescale) ** -exponent, floor)
    # decay phase
    if not is_plain(decay_steps, 0):
        q = phase_fraction(xp, t - (total_steps - decay_steps), decay_steps)
        if decay_shape == "linear":
            d = 1.0 - q
        elif decay_shape == "1-sqrt":
            d = 1.0 - sqrt_safe(xp, q)
        elif decay_shape == "cosine":  # HF's operation order, pi * num_cycles * 2 * q
            d = 0.5 * (1.0 + xp.cos(PI * num_cycles * 2.0 * q))
        elif decay_shape == "power":
            d = 1.0 - power_safe(xp, q, decay_power)
        else:  # exp
            d = (decay_ratio**q - decay_ratio) / (1.0 - decay_ratio)
        lr = xp.where(t < total_steps - decay_steps, lr, floor + (lr - floor) * d)
    lr = xp.where(t < total_steps, lr, floor + 0.0 * lr)
    # warmup
    if not is_plain(warmup_steps, 0):
        if warmup_shape == "linear":
            ramp = linear_warmup(xp, t, peak_lr, warmup_steps, init_lr)
        else:
            start = peak_lr / (warmup_steps + 1.0) if init_lr is None else init_lr
            p = phase_fraction(xp, t, warmup_steps)
            ramp = start + (peak_lr - start) * warmup_ramp(xp, p, warmup_shape)
        lr = xp.where(t < warmup_steps, ramp, lr)
    return lr
