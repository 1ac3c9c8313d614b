r"""optax's schedule constructors, returning pure lrfuncs schedules.

Every function here has optax's name, optax's keyword arguments and optax's
defaults, and returns a bound :class:`lrfuncs.Schedule` ``s`` with ``s(count)``
equal to the optax schedule at ``count`` (float64 rounding), built from lrfuncs'
core schedules and composites: callable on Python numbers, numpy, JAX (under
``jit``/``vmap``/``grad``) and torch, picklable, and convertible with
``to_dict``/``from_dict``. Importing this module imports neither optax nor JAX.

>>> from lrfuncs.compat import optax as lr_optax
>>> s = lr_optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1.0, warmup_steps=3, decay_steps=10)
>>> [round(s(t), 5) for t in (0, 1, 3, 5, 10, 20)]
[0.0, 0.33333, 1.0, 0.81174, 0.0, 0.0]
>>> s
warmup_cosine.bind(peak_lr=1.0, warmup_steps=3, total_steps=10, init_lr=0.0, min_lr=0.0, ...)

===================================  ============================================================================
optax                                lrfuncs
===================================  ============================================================================
constant_schedule                    ``constant(peak_lr=value)``; ``value == 0``: ``piecewise_constant(
                                     boundaries=[], values=[0.0])``
linear_schedule                      ``linear(init_lr=init_value, end_lr=end_value, hold_steps=B,
                                     total_steps=B + T)``
polynomial_schedule                  ``power == 1``: as ``linear_schedule``; else ``polynomial_decay(
                                     peak_lr=init_value, end_lr=end_value, power=power, hold_steps=B,
                                     total_steps=B + T)``
exponential_decay                    ``exponential_decay(peak_lr=init_value, decay_rate=decay_rate,
                                     decay_steps=T, hold_steps=B, staircase=staircase, end_lr=end_value)``
cosine_decay_schedule                ``cosine_decay(peak_lr=init_value, total_steps=decay_steps,
                                     min_lr_ratio=alpha, exponent=exponent)``
warmup_cosine_decay_schedule         ``warmup_cosine(peak_lr=peak_value, warmup_steps=W, total_steps=decay_steps,
                                     init_lr=init_value, min_lr=end_value, exponent=exponent)``
warmup_exponential_decay_schedule    ``with_warmup(inner=exponential_decay(peak_lr=peak_value, ...),
                                     warmup_steps=W, total_includes_warmup=False, init_lr=init_value)``
warmup_constant_schedule             ``warmup_constant(peak_lr=peak_value, warmup_steps=W, init_lr=init_value)``
piecewise_constant_schedule          ``piecewise_constant(boundaries=sorted(keys), values=init_value times the
                                     cumulative products of the scales, switch="at")``
piecewise_interpolate_schedule       ``piecewise_interpolate(boundaries=[0, *sorted(keys)], values=init_value
                                     times the cumulative products, interpolation=interpolate_type)``
linear_onecycle_schedule             ``onecycle(peak_lr=peak_value, total_steps=T, pct_start, pct_final,
                                     anneal="linear", three_phase=True, div_factor, final_div_factor,
                                     convention="optax")``
cosine_onecycle_schedule             ``onecycle(peak_lr=peak_value, total_steps=T, pct_start, div_factor,
                                     final_div_factor, convention="optax")``
sgdr_schedule                        ``join`` of one ``warmup_cosine_decay_schedule(**kwargs)`` per dict, with
                                     boundaries at the cumulative ``decay_steps``
join_schedules                       ``join(schedules=schedules, boundaries=boundaries)`` (local time)
===================================  ============================================================================

(``B`` = ``transition_begin``, ``T`` = ``transition_steps``, ``W`` = ``warmup_steps``; every constructor
takes optax's arguments, in optax's order, with optax's defaults.)

Deliberate differences from optax (each is tested against optax itself):

* **Bad config is a ValueError.** optax logs and silently falls back for
  ``transition_steps <= 0`` (a constant ``init_value``), a negative
  ``transition_begin`` (treated as 0) and ``decay_rate == 0`` (a constant); here
  each raises ``ValueError``. So does ``warmup_constant_schedule(...,
  warmup_steps=0)`` (optax: the constant ``init_value``, never ``peak_value``) and
  ``linear_schedule(..., transition_steps=0)`` (use ``constant_schedule``).
* ``join_schedules`` checks ``len(boundaries) == len(schedules) - 1`` and sorted,
  non-negative boundaries (optax's ``zip`` silently drops what does not pair).
* The one-cycle schedules raise ``ValueError`` where optax's ``{int(pct *
  transition_steps): ...}`` dict would collide and silently drop a phase
  (``int(pct_start * T) == int(pct_final * T)``, ``int(pct_final * T) == T``,
  ``pct_start == 1``).
* ``piecewise_interpolate_schedule`` needs whole-number boundaries >= 0 (optax's
  ``dict[int, float]``: optax divides by ``max(gap, 1)``, which only whole steps
  reproduce); ``piecewise_constant_schedule`` also accepts fractional ones (the
  same either way) and, as optax, negative ones (the scale applies from step 0).
* Learning rates are >= 0 and the shapes are those of a learning rate: a
  negative value, an ``alpha`` outside [0, 1], ``end_value > peak_value`` in a
  warmup-cosine, ``init_value > peak_value`` in a warmup, an ``end_value`` on the
  wrong side of an exponential decay: ``ValueError`` (optax computes whatever
  the formula gives).
* Results have the shape and float type of ``count``: a Python number gives a
  float64 Python float; optax's ``constant_schedule`` returns ``value`` itself
  for an array of counts; the one-cycle and piecewise-interpolate schedules of
  optax only work per scalar count (under ``jax.vmap``), these on arrays too.
* Precision: inside an optimizer optax passes its own ``count`` as int32, and
  then its linear/polynomial pieces (all warmups) compute in float32 even with
  ``jax_enable_x64``; lrfuncs computes in the step's float type (float64 with x64).
* ``staircase=True`` floors ``(count - transition_begin) / transition_steps``
  exactly; optax floors the rounded quotient, so for a ``transition_steps`` that
  is not exactly representable (``0.9``) a count just below a stair can land on
  it in optax (``9 / 0.9`` rounds to ``10.0``). Whole and dyadic lengths agree.
* ``join_schedules`` and ``sgdr_schedule`` take lrfuncs schedules (from this
  module or lrfuncs itself), not arbitrary callables.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import _validation as v
from .._schedule import Schedule, ScheduleFunction
from ..schedules import (
    constant,
    cosine_decay,
    join,
    linear,
    onecycle,
    piecewise_constant,
    piecewise_interpolate,
    polynomial_decay,
    warmup_constant,
    warmup_cosine,
    with_warmup,
)
from ..schedules import exponential_decay as _exponential_decay
from ._bind import bind_as

__all__ = [
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]


def _bind(anchor: str, fn: ScheduleFunction[Any], mapping: str, /, **config: Any) -> Schedule[Any]:
    return bind_as(f"optax.{anchor}", fn, mapping, **config)


def _plain(value: Any) -> bool:
    """A concrete real number (config that selects code must be one)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _transition(cfg: Mapping[str, Any], steps: str = "transition_steps", begin: str = "transition_begin") -> None:
    """optax's lengths: ``transition_steps > 0`` and ``transition_begin >= 0`` (optax logs and falls back)."""
    length = v.concrete(cfg, steps)
    if length is not None and not length > 0:
        raise v.fail(cfg, "must be > 0 (optax logs and silently returns the constant `init_value` instead)", steps)
    start = v.concrete(cfg, begin) if begin in cfg else None
    if start is not None and not start >= 0:
        raise v.fail(cfg, "must be >= 0 (optax logs and silently uses 0 instead)", begin)


def constant_schedule(value: Any) -> Schedule[Any]:
    """optax ``constant_schedule``: ``value`` at every count (``value >= 0``).

    >>> constant_schedule(0.1)(1000)
    0.1
    """
    cfg = {"value": value}
    if v.concrete(cfg, "value") == 0:
        return _bind("constant_schedule", piecewise_constant, "values=[value]", boundaries=[], values=[0.0])
    v.positive(cfg, "value")
    return _bind("constant_schedule", constant, "peak_lr=value", peak_lr=value)


def linear_schedule(init_value: Any, end_value: Any, transition_steps: Any, transition_begin: Any = 0) -> Schedule[Any]:
    """optax ``linear_schedule``: ``init_value`` until ``transition_begin``, then linearly to ``end_value``.

    ``end_value`` is reached at ``transition_begin + transition_steps`` and held.

    >>> s = linear_schedule(init_value=0.0, end_value=1.0, transition_steps=4, transition_begin=2)
    >>> [s(t) for t in range(8)]
    [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    cfg = {"init_value": init_value, "end_value": end_value, "transition_steps": transition_steps,
           "transition_begin": transition_begin}
    _transition(cfg)
    v.non_negative(cfg, "init_value")
    v.non_negative(cfg, "end_value")
    return _bind(
        "linear_schedule", linear,
        "init_lr=init_value, end_lr=end_value, hold_steps=transition_begin, "
        "total_steps=transition_begin + transition_steps",
        init_lr=init_value, end_lr=end_value, hold_steps=transition_begin,
        total_steps=transition_begin + transition_steps,
    )


def polynomial_schedule(
    init_value: Any, end_value: Any, power: Any, transition_steps: Any, transition_begin: Any = 0
) -> Schedule[Any]:
    """optax ``polynomial_schedule``: ``(init - end) * (1 - (t - B) / T)**power + end`` between ``B`` and ``B + T``.

    ``init_value`` before ``B = transition_begin``, ``end_value`` from ``B + T`` on
    (``T = transition_steps``). ``power == 1`` is :func:`linear_schedule` (as in optax).

    >>> s = polynomial_schedule(init_value=1.0, end_value=0.0, power=2, transition_steps=4)
    >>> [s(t) for t in range(6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """
    cfg = {"init_value": init_value, "end_value": end_value, "power": power, "transition_steps": transition_steps,
           "transition_begin": transition_begin}
    _transition(cfg)
    if _plain(power) and power == 1:
        return linear_schedule(init_value, end_value, transition_steps, transition_begin)
    v.positive(cfg, "power")
    v.non_negative(cfg, "init_value")
    v.non_negative(cfg, "end_value")
    return _bind(
        "polynomial_schedule", polynomial_decay,
        "peak_lr=init_value, end_lr=end_value, power=power, hold_steps=transition_begin, "
        "total_steps=transition_begin + transition_steps",
        peak_lr=init_value, end_lr=end_value, power=power, hold_steps=transition_begin,
        total_steps=transition_begin + transition_steps,
    )


def exponential_decay(
    init_value: Any,
    transition_steps: Any,
    decay_rate: Any,
    transition_begin: Any = 0,
    staircase: bool = False,
    end_value: Any = None,
) -> Schedule[Any]:
    """optax ``exponential_decay``: ``init_value * decay_rate**((t - B) / T)`` from ``B`` on, bounded by ``end_value``.

    ``end_value`` is a lower bound when ``decay_rate < 1``, else an upper bound.

    >>> s = exponential_decay(init_value=1.0, transition_steps=1, decay_rate=0.9, transition_begin=2, end_value=0.7)
    >>> [round(s(t), 5) for t in range(7)]
    [1.0, 1.0, 1.0, 0.9, 0.81, 0.729, 0.7]
    """
    cfg = {"init_value": init_value, "transition_steps": transition_steps, "decay_rate": decay_rate,
           "transition_begin": transition_begin, "end_value": end_value}
    _transition(cfg)
    if v.concrete(cfg, "decay_rate") == 0:
        raise v.fail(cfg, "must not be 0 (optax logs and silently returns the constant `init_value` instead)",
                     "decay_rate")
    v.positive(cfg, "decay_rate")
    v.positive(cfg, "init_value")
    return _bind(
        "exponential_decay", _exponential_decay,
        "peak_lr=init_value, decay_rate=decay_rate, decay_steps=transition_steps, hold_steps=transition_begin, "
        "staircase=staircase, end_lr=end_value",
        peak_lr=init_value, decay_rate=decay_rate, decay_steps=transition_steps, hold_steps=transition_begin,
        staircase=staircase, end_lr=end_value,
    )


def cosine_decay_schedule(init_value: Any, decay_steps: Any, alpha: Any = 0.0, exponent: Any = 1.0) -> Schedule[Any]:
    """optax ``cosine_decay_schedule``: ``init * ((1 - alpha) * c**exponent + alpha)``, ``c`` the half cosine.

    Reaches ``alpha * init_value`` at ``decay_steps`` and holds it.

    >>> s = cosine_decay_schedule(init_value=1.0, decay_steps=10, alpha=0.1)
    >>> [round(s(t), 5) for t in (0, 5, 10, 20)]
    [1.0, 0.55, 0.1, 0.1]
    """
    cfg = {"init_value": init_value, "decay_steps": decay_steps, "alpha": alpha, "exponent": exponent}
    length = v.concrete(cfg, "decay_steps")
    if length is not None and not length > 0:
        raise ValueError(f"The cosine_decay_schedule requires positive decay_steps, got decay_steps={decay_steps}.")
    v.positive(cfg, "init_value")
    v.between(cfg, "alpha", 0.0, 1.0)
    v.positive(cfg, "exponent")
    return _bind(
        "cosine_decay_schedule", cosine_decay,
        "peak_lr=init_value, total_steps=decay_steps, min_lr_ratio=alpha, exponent=exponent",
        peak_lr=init_value, total_steps=decay_steps, min_lr_ratio=alpha, exponent=exponent,
    )


def _warmup(cfg: dict[str, Any], *, positive_steps: bool = False) -> None:
    """``0 <= init_value <= peak_value``, ``peak_value > 0``, ``warmup_steps >= 0`` (``> 0`` if asked)."""
    v.positive(cfg, "peak_value")
    v.non_negative(cfg, "init_value")
    v.at_most(cfg, "init_value", "peak_value")
    if positive_steps:
        w = v.concrete(cfg, "warmup_steps")
        if w is not None and not w > 0:
            raise v.fail(
                cfg,
                "must be > 0 (optax's warmup over 0 steps is the constant `init_value`, never `peak_value`; "
                "for no warmup use constant_schedule(peak_value))",
                "warmup_steps",
            )
    else:
        v.non_negative(cfg, "warmup_steps")


def warmup_cosine_decay_schedule(
    init_value: Any,
    peak_value: Any,
    warmup_steps: Any,
    decay_steps: Any,
    end_value: Any = 0.0,
    exponent: Any = 1.0,
) -> Schedule[Any]:
    """optax ``warmup_cosine_decay_schedule``: linear warmup, then cosine decay to ``end_value`` at ``decay_steps``.

    ``decay_steps`` is the total length, warmup included (optax's meaning); it
    must exceed ``warmup_steps`` (optax raises there too). ``end_value`` holds after.

    >>> s = warmup_cosine_decay_schedule(init_value=0.0, peak_value=1.0, warmup_steps=2, decay_steps=6, end_value=0.1)
    >>> [round(s(t), 4) for t in range(8)]
    [0.0, 0.5, 1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
    """
    cfg = {"init_value": init_value, "peak_value": peak_value, "warmup_steps": warmup_steps,
           "decay_steps": decay_steps, "end_value": end_value, "exponent": exponent}
    _warmup(cfg)
    w, n = v.concrete(cfg, "warmup_steps"), v.concrete(cfg, "decay_steps")
    if w is not None and n is not None and not n - w > 0:
        raise v.fail(
            cfg,
            "must be > `warmup_steps`: it is the total length, warmup included "
            "(optax raises: the cosine would get decay_steps - warmup_steps <= 0 steps)",
            "decay_steps", "warmup_steps",
        )
    v.non_negative(cfg, "end_value")
    v.at_most(cfg, "end_value", "peak_value")
    v.positive(cfg, "exponent")
    return _bind(
        "warmup_cosine_decay_schedule", warmup_cosine,
        "peak_lr=peak_value, warmup_steps=warmup_steps, total_steps=decay_steps, init_lr=init_value, "
        "min_lr=end_value, exponent=exponent",
        peak_lr=peak_value, warmup_steps=warmup_steps, total_steps=decay_steps, init_lr=init_value,
        min_lr=end_value, exponent=exponent,
    )


def warmup_exponential_decay_schedule(
    init_value: Any,
    peak_value: Any,
    warmup_steps: Any,
    transition_steps: Any,
    decay_rate: Any,
    transition_begin: Any = 0,
    staircase: bool = False,
    end_value: Any = None,
) -> Schedule[Any]:
    """optax ``warmup_exponential_decay_schedule``: linear warmup, then :func:`exponential_decay` from ``peak_value``.

    The decay's clock (and its ``transition_begin``) starts at the end of the warmup.

    >>> s = warmup_exponential_decay_schedule(init_value=0.0, peak_value=1.0, warmup_steps=2, transition_steps=1,
    ...                                       decay_rate=0.5)
    >>> [s(t) for t in range(6)]
    [0.0, 0.5, 1.0, 0.5, 0.25, 0.125]
    """
    cfg = {"init_value": init_value, "peak_value": peak_value, "warmup_steps": warmup_steps}
    _warmup(cfg)
    inner = exponential_decay(peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value)
    return _bind(
        "warmup_exponential_decay_schedule", with_warmup,
        "inner=exponential_decay(peak_lr=peak_value, ...), warmup_steps=warmup_steps, "
        "total_includes_warmup=False, init_lr=init_value",
        inner=inner, warmup_steps=warmup_steps, total_includes_warmup=False, init_lr=init_value,
    )


def warmup_constant_schedule(init_value: Any, peak_value: Any, warmup_steps: Any) -> Schedule[Any]:
    """optax ``warmup_constant_schedule``: linear warmup from ``init_value`` to ``peak_value``, then constant.

    ``warmup_steps`` must be > 0: optax's warmup over 0 steps is the constant
    ``init_value`` (``ValueError`` here; use :func:`constant_schedule`).

    >>> s = warmup_constant_schedule(init_value=0.0, peak_value=1.0, warmup_steps=4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    cfg = {"init_value": init_value, "peak_value": peak_value, "warmup_steps": warmup_steps}
    _warmup(cfg, positive_steps=True)
    return _bind(
        "warmup_constant_schedule", warmup_constant,
        "peak_lr=peak_value, warmup_steps=warmup_steps, init_lr=init_value",
        peak_lr=peak_value, warmup_steps=warmup_steps, init_lr=init_value,
    )


def _knots(
    anchor: str, init_value: Any, boundaries_and_scales: Mapping[Any, Any] | None
) -> tuple[list[Any], list[Any]]:
    """Sorted boundaries and the absolute values ``init * s_1 * ... * s_k`` (optax's cumulative scales)."""
    cfg = {"init_value": init_value}
    v.non_negative(cfg, "init_value")
    if not _plain(init_value):
        raise TypeError(f"Argument `init_value` of {anchor} must be a number. Received: init_value={init_value!r}")
    if boundaries_and_scales is None:
        return [], [init_value]
    if not isinstance(boundaries_and_scales, Mapping):
        raise TypeError(
            f"Argument `boundaries_and_scales` of {anchor} must be a dict {{step: scale}}. "
            f"Received: boundaries_and_scales={boundaries_and_scales!r}"
        )
    items = list(boundaries_and_scales.items())
    for b, s in items:
        if not _plain(b) or not math.isfinite(b) or not _plain(s) or not math.isfinite(s):
            raise ValueError(
                f"Argument `boundaries_and_scales` of {anchor} must map finite step numbers to finite scales. "
                f"Received: boundaries_and_scales={dict(boundaries_and_scales)!r}"
            )
    if not all(s >= 0.0 for _, s in items):
        raise ValueError(f"`{anchor}` expects non-negative scale factors")
    bounds, values = [], [init_value]
    for b, s in sorted(items):
        bounds.append(b)
        values.append(s * values[-1])  # optax's order: scale * value
    return bounds, values


def piecewise_constant_schedule(
    init_value: Any, boundaries_and_scales: Mapping[Any, Any] | None = None
) -> Schedule[Any]:
    """optax ``piecewise_constant_schedule``: ``init_value`` times every scale whose boundary is ``<= count``.

    The scales accumulate and apply *at* their boundary (``count >= b``).

    >>> s = piecewise_constant_schedule(init_value=1.0, boundaries_and_scales={3: 0.1, 5: 0.5})
    >>> [round(s(t), 6) for t in range(7)]
    [1.0, 1.0, 1.0, 0.1, 0.1, 0.05, 0.05]
    """
    bounds, values = _knots("piecewise_constant_schedule", init_value, boundaries_and_scales)
    # a negative boundary applies from step 0 on, as optax's `count >= b` does for every count >= 0
    bounds = [b if b >= 0 else 0 for b in bounds]
    return _bind(
        "piecewise_constant_schedule", piecewise_constant,
        "boundaries=sorted(boundaries_and_scales), values=init_value * cumulative scales, switch='at'",
        boundaries=bounds, values=values, switch="at",
    )


def piecewise_interpolate_schedule(
    interpolate_type: str, init_value: Any, boundaries_and_scales: Mapping[Any, Any] | None = None
) -> Schedule[Any]:
    """optax ``piecewise_interpolate_schedule``: knots at 0 and each boundary, joined linearly or by cosines.

    The knot values accumulate the scales (``{4: 0.1, 8: 0.01}`` from 1.0 gives
    knots 1.0, 0.1, 0.001), as optax. Boundaries must be whole numbers >= 0.

    >>> s = piecewise_interpolate_schedule("cosine", 1.0, {4: 0.1, 8: 0.01})
    >>> [round(s(t), 6) for t in range(0, 11, 2)]
    [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    """
    if interpolate_type not in ("linear", "cosine"):
        raise ValueError("`interpolate_type` must be either 'cosine' or 'linear'")
    anchor = "piecewise_interpolate_schedule"
    bounds, values = _knots(anchor, init_value, boundaries_and_scales)
    if any(b < 0 or b != math.floor(b) for b in bounds):
        raise ValueError(
            f"The boundaries of {anchor} must be whole numbers >= 0 (optax's dict[int, float]: optax divides each "
            f"piece by max(length, 1), which differs for fractional steps and misorders negative ones). "
            f"Received: boundaries_and_scales={dict(boundaries_and_scales or {})!r}"
        )
    return _bind(
        anchor, piecewise_interpolate,
        "boundaries=[0, *sorted(boundaries_and_scales)], values=init_value * cumulative scales, "
        "interpolation=interpolate_type",
        boundaries=[0, *bounds], values=values, interpolation=interpolate_type,
    )


def _onecycle_steps(cfg: dict[str, Any]) -> None:
    t = v.concrete(cfg, "transition_steps")
    if t is not None and not t > 0:
        raise ValueError("A linear onecycle schedule was set with a non-positive `transition_steps`")
    v.integer(cfg, "transition_steps", minimum=1)
    v.positive(cfg, "peak_value")
    v.positive(cfg, "div_factor")
    v.positive(cfg, "final_div_factor")


def linear_onecycle_schedule(
    transition_steps: Any,
    peak_value: Any,
    pct_start: Any = 0.3,
    pct_final: Any = 0.85,
    div_factor: Any = 25.0,
    final_div_factor: Any = 1e4,
) -> Schedule[Any]:
    """optax ``linear_onecycle_schedule``: three linear phases, ``peak/div -> peak -> peak/div -> peak/(div*final)``.

    The phases end at ``int(pct_start*T)``, ``int(pct_final*T)`` and ``T`` (distinct,
    else ``ValueError``: optax's dict would drop a phase); the final value holds.

    >>> s = linear_onecycle_schedule(transition_steps=10, peak_value=1.0)
    >>> [round(s(t), 6) for t in (0, 3, 8, 10, 12)]
    [0.04, 1.0, 0.04, 4e-06, 4e-06]
    """
    cfg = {"transition_steps": transition_steps, "peak_value": peak_value, "pct_start": pct_start,
           "pct_final": pct_final, "div_factor": div_factor, "final_div_factor": final_div_factor}
    _onecycle_steps(cfg)
    v.between(cfg, "pct_start", 0.0, 1.0)
    v.between(cfg, "pct_final", 0.0, 1.0)
    a, b, t = int(pct_start * transition_steps), int(pct_final * transition_steps), int(transition_steps)
    if not a < b < t:
        raise ValueError(
            "linear_onecycle_schedule needs int(pct_start * transition_steps) < int(pct_final * transition_steps) "
            f"< transition_steps (optax keys its phases by these steps in a dict and silently drops colliding ones). "
            f"Received: pct_start={pct_start}, pct_final={pct_final}, transition_steps={transition_steps} "
            f"(steps {a}, {b}, {t})"
        )
    return _bind(
        "linear_onecycle_schedule", onecycle,
        "peak_lr=peak_value, total_steps=transition_steps, pct_start=pct_start, pct_final=pct_final, "
        "anneal='linear', three_phase=True, div_factor=div_factor, final_div_factor=final_div_factor, "
        "convention='optax'",
        peak_lr=peak_value, total_steps=transition_steps, pct_start=pct_start, pct_final=pct_final,
        anneal="linear", three_phase=True, div_factor=div_factor, final_div_factor=final_div_factor,
        convention="optax",
    )


def cosine_onecycle_schedule(
    transition_steps: Any,
    peak_value: Any,
    pct_start: Any = 0.3,
    div_factor: Any = 25.0,
    final_div_factor: Any = 1e4,
) -> Schedule[Any]:
    """optax ``cosine_onecycle_schedule``: cosine from ``peak/div`` up to ``peak`` at ``int(pct_start*T)``, then down.

    The final ``peak / (div_factor * final_div_factor)`` is reached at ``T`` and held.

    >>> s = cosine_onecycle_schedule(transition_steps=10, peak_value=1.0)
    >>> [round(s(t), 6) for t in (0, 3, 10, 12)]
    [0.04, 1.0, 4e-06, 4e-06]
    """
    cfg = {"transition_steps": transition_steps, "peak_value": peak_value, "pct_start": pct_start,
           "div_factor": div_factor, "final_div_factor": final_div_factor}
    _onecycle_steps(cfg)
    v.between(cfg, "pct_start", 0.0, 1.0)
    if int(pct_start * transition_steps) >= int(transition_steps):
        raise v.fail(
            cfg,
            "must leave a decay: int(pct_start * transition_steps) < transition_steps "
            "(optax keys its phases by these steps in a dict and silently drops the peak)",
            "pct_start", "transition_steps",
        )
    return _bind(
        "cosine_onecycle_schedule", onecycle,
        "peak_lr=peak_value, total_steps=transition_steps, pct_start=pct_start, div_factor=div_factor, "
        "final_div_factor=final_div_factor, convention='optax'",
        peak_lr=peak_value, total_steps=transition_steps, pct_start=pct_start, div_factor=div_factor,
        final_div_factor=final_div_factor, convention="optax",
    )


def join_schedules(schedules: Sequence[Schedule[Any]], boundaries: Sequence[Any]) -> Schedule[Any]:
    """optax ``join_schedules``: ``schedules[k]`` from ``boundaries[k-1]`` on, on its own clock (``count - b``).

    >>> a = constant_schedule(1.0)
    >>> b = linear_schedule(init_value=1.0, end_value=0.0, transition_steps=2)
    >>> s = join_schedules([a, b], [3])
    >>> [s(t) for t in range(7)]
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """
    if isinstance(schedules, (str, bytes)) or not isinstance(schedules, Iterable):
        raise TypeError(f"Argument `schedules` must be a list of lrfuncs schedules. Received: schedules={schedules!r}")
    if isinstance(boundaries, (str, bytes)) or not isinstance(boundaries, Iterable):
        raise TypeError(f"Argument `boundaries` must be a list of steps. Received: boundaries={boundaries!r}")
    return _bind(
        "join_schedules", join, "schedules=schedules, boundaries=boundaries",
        schedules=list(schedules), boundaries=list(boundaries),
    )


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]]) -> Schedule[Any]:
    """optax ``sgdr_schedule``: one :func:`warmup_cosine_decay_schedule` per dict, each ``decay_steps`` long.

    After the last cycle its final value holds.

    >>> s = sgdr_schedule([dict(init_value=1.0, peak_value=1.0, warmup_steps=0, decay_steps=d) for d in (4, 8)])
    >>> [round(s(t), 4) for t in (0, 2, 4, 8, 12, 20)]
    [1.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """
    cycles = [dict(kw) for kw in cosine_kwargs]
    if not cycles:
        raise ValueError("Argument `cosine_kwargs` must hold at least one dict (optax fails when called).")
    schedules, boundaries, step = [], [], 0
    for kw in cycles:
        schedules.append(warmup_cosine_decay_schedule(**kw))
        step += kw["decay_steps"]
        boundaries.append(step)
    if len(schedules) == 1:
        return schedules[0]
    return _bind("sgdr_schedule", join, "schedules=cycles, boundaries=cumulative decay_steps",
                 schedules=schedules, boundaries=boundaries[:-1])
