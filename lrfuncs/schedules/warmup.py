"""The warmup family: linear warmup, then constant, linear decay, or cosine decay.

Math and validation of ``warmup_constant``, ``warmup_linear`` and
``warmup_cosine`` live here. The warmup ramp itself is
``lrfuncs._phases.linear_warmup`` (shared with ``cosine_restarts``).

Warmup start value: every schedule here takes ``init_lr``, the lr of update 0.
The default ``init_lr=None`` starts at ``peak_lr / (warmup_steps + 1)``, so
update 0 already learns and each warmup update raises the lr by the same
amount; ``init_lr=0.0`` gives the HF / optax ramp ``peak_lr * step /
warmup_steps``, whose first update has lr 0 (HF #34754).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import PI, PLAIN, floor_value, linear_warmup, nonzero, phase_fraction, power_safe
from .._schedule import schedule
from .cosine import check_floor

FLOOR_MODES = ("rescale", "clip")


def _check_warmup(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.non_negative(cfg, "warmup_steps")
    if cfg["init_lr"] is not None:
        v.non_negative(cfg, "init_lr")
        v.at_most(cfg, "init_lr", "peak_lr")


def _check_warmup_decay(cfg: Mapping[str, Any]) -> None:
    _check_warmup(cfg)
    v.positive(cfg, "total_steps")
    v.at_most(cfg, "warmup_steps", "total_steps")
    check_floor(cfg)


def _warmup_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    out = [("warmup end", cfg["warmup_steps"])] if cfg["warmup_steps"] > 0 else []
    if "total_steps" in cfg and not cfg.get("periodic", False):
        out.append(("end", cfg["total_steps"]))
    return out


@schedule(_check_warmup, _warmup_landmarks)
def warmup_constant(xp: Ops, t: Any, /, peak_lr: Any, warmup_steps: Any, init_lr: Any = None) -> Any:
    r"""Linear warmup to ``peak_lr`` over ``warmup_steps``, then constant.

    .. math::
        \mathrm{lr}(t) = \begin{cases} i + (\mathrm{peak\_lr} - i)\, t / W & t < W \\
        \mathrm{peak\_lr} & t \ge W \end{cases}

    with ``W = warmup_steps`` and ``i = init_lr`` (default ``peak_lr / (W + 1)``).
    With ``init_lr=0.0``: HF ``get_constant_schedule_with_warmup`` and optax
    ``warmup_constant_schedule(0, peak_lr, W)``.

    >>> import lrfuncs
    >>> [lrfuncs.warmup_constant(t, peak_lr=1.0, warmup_steps=4, init_lr=0.0) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    >>> [lrfuncs.warmup_constant(t, peak_lr=1.0, warmup_steps=4) for t in range(6)]
    [0.2, 0.4, 0.6, 0.8, 1.0, 1.0]
    """
    return xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), peak_lr)


@schedule(_check_warmup_decay, _warmup_landmarks)
def warmup_linear(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    warmup_steps: Any,
    total_steps: Any,
    init_lr: Any = None,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
) -> Any:
    r"""Linear warmup, then linear decay to a floor at ``total_steps``, then hold.

    .. math::
        \mathrm{lr}(t) = f + (\mathrm{peak\_lr} - f)\,
        \mathrm{clip}\Big(\frac{N - t}{N - W}, 0, 1\Big) \quad (t \ge W)

    with ``N = total_steps`` (warmup included), floor ``f`` from ``min_lr`` or
    ``min_lr_ratio`` (default 0) and the warmup of :func:`warmup_constant` for
    ``t < W``. With ``init_lr=0.0`` and no floor: HF
    ``get_linear_schedule_with_warmup(num_warmup_steps=W, num_training_steps=N)``.

    >>> import lrfuncs
    >>> [lrfuncs.warmup_linear(t, peak_lr=1.0, warmup_steps=2, total_steps=6, init_lr=0.0) for t in range(8)]
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    floor = floor_value(peak_lr, min_lr, min_lr_ratio)
    remaining = xp.clip((total_steps - t) / nonzero(xp, total_steps - warmup_steps), 0.0, 1.0)
    decay = floor + (peak_lr - floor) * remaining
    return xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), decay)


def _check_warmup_cosine(cfg: Mapping[str, Any]) -> None:
    _check_warmup_decay(cfg)
    v.positive(cfg, "num_cycles")
    v.positive(cfg, "exponent")
    v.choice(cfg, "floor_mode", FLOOR_MODES)
    v.flag(cfg, "periodic")


@schedule(_check_warmup_cosine, _warmup_landmarks)
def warmup_cosine(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    warmup_steps: Any,
    total_steps: Any,
    init_lr: Any = None,
    min_lr: Any = None,
    min_lr_ratio: Any = None,
    num_cycles: Any = 0.5,
    exponent: Any = 1.0,
    floor_mode: str = "rescale",
    periodic: bool = False,
) -> Any:
    r"""Linear warmup, then cosine decay to a floor at ``total_steps``, then hold.

    With ``p = clip((t - W) / (N - W), 0, 1)`` (not clipped if ``periodic``) and
    ``c = [(1 + cos(2\pi \cdot \mathrm{num\_cycles} \cdot p)) / 2]^{\mathrm{exponent}}``,
    for ``t >= W``:

    * ``floor_mode="rescale"`` (default): ``lr = f + (peak_lr - f) c``, the cosine
      squeezed between the floor and the peak;
    * ``floor_mode="clip"``: ``lr = max(f, peak_lr * c)``, the guide's recipe
      ``max(min_lr_ratio, cosine)``: the plain cosine, cut off at the floor.

    ``W = warmup_steps``, ``N = total_steps`` (warmup included), floor ``f`` from
    ``min_lr`` (absolute) or ``min_lr_ratio`` (fraction of ``peak_lr``), default 0.
    With ``init_lr=0.0`` this is

    * HF ``get_cosine_schedule_with_warmup(W, N, num_cycles)`` (HF does not hold
      past ``N``: ``periodic=True`` reproduces that),
    * HF ``get_cosine_with_min_lr_schedule_with_warmup(W, N, min_lr=...)`` or
      ``min_lr_rate=...`` (= ``min_lr_ratio``),
    * optax ``warmup_cosine_decay_schedule(0, peak_lr, W, N, end_value=min_lr,
      exponent=exponent)``.

    >>> import lrfuncs
    >>> [round(lrfuncs.warmup_cosine(t, peak_lr=1.0, warmup_steps=3, total_steps=10, init_lr=0.0), 5)
    ...  for t in (0, 1, 3, 5, 10, 12)]
    [0.0, 0.33333, 1.0, 0.81174, 0.0, 0.0]
    >>> round(lrfuncs.warmup_cosine(10, peak_lr=1.0, warmup_steps=3, total_steps=10,
    ...                             min_lr_ratio=0.1, floor_mode="clip"), 5)
    0.1
    """
    floor = floor_value(peak_lr, min_lr, min_lr_ratio)
    if periodic:  # HF's unclamped progress (t - W) / max(1, N - W)
        p = (t - warmup_steps) / nonzero(xp, total_steps - warmup_steps)
    else:  # with warmup_steps == total_steps there is no decay phase: the floor from t = N on
        p = phase_fraction(xp, t - warmup_steps, total_steps - warmup_steps)
    # HF's operation order, pi * num_cycles * 2 * p, so values agree to the last bits
    c = 0.5 * (1.0 + xp.cos(PI * num_cycles * 2.0 * p))
    if exponent.__class__ not in PLAIN or exponent != 1:
        c = power_safe(xp, c, exponent)
    decay = xp.maximum(floor, peak_lr * c) if floor_mode == "clip" else floor + (peak_lr - floor) * c
    return xp.where(t < warmup_steps, linear_warmup(xp, t, peak_lr, warmup_steps, init_lr), decay)
