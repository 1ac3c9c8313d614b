r"""``timm.scheduler`` classes as pure lrfuncs schedules.

Every constructor has the name of a timm scheduler class and takes its arguments with
timm's defaults, minus the optimizer, plus the required keyword ``base_lr`` (the param
group's lr, which timm reads from the optimizer), and returns a bound
:class:`lrfuncs.Schedule` ``s`` (every backend, picklable, ``to_dict()``). Importing this
module does not import timm or torch.

**What** ``s(t)`` **means.** timm is stateless: the training loop passes the count,
``scheduler.step(epoch)`` (applied when ``t_in_epochs=True``, the default) or
``scheduler.step_update(num_updates)`` (when ``t_in_epochs=False``), and timm writes
``_get_lr(t)`` (plus its noise) into the optimizer. ``s(t)`` is that value, for ``t`` in
the unit timm is stepped with: epochs, or updates with ``t_in_epochs=False`` (all the
lengths ``t_initial``, ``warmup_t``, ``decay_t`` are in that unit too; fractional ``t``
works). The compat argument ``updates_per_epoch`` (timm's factory has one of that name)
turns a per-epoch schedule into a per-update one: with ``t_in_epochs=True`` and
``updates_per_epoch=n``, ``s(k)`` is the lr of optimizer update ``k``, which timm sets
once per epoch, i.e. ``_get_lr(k // n)`` (:func:`lrfuncs.in_epochs` with
``staircase=True``). Before the first ``step`` call timm's lr is ``base_lr`` (or
``warmup_lr_init`` with a warmup): that is ``_get_lr(0)`` except for
``TanhLRScheduler`` without warmup (``tanh`` starts 8e-7 below ``base_lr``) and
``MultiStepLRScheduler`` with a milestone at 0 or 1.

========================================  ===========================================================
timm class (minus optimizer)              lrfuncs schedule returned
========================================  ===========================================================
``CosineLRScheduler(t_initial, ...)``     ``cosine_restarts(base_lr, t_initial, cycle_mul, lr_min,
                                          cycle_decay, cycle_limit, k_decay)`` (its own warmup if
                                          ``warmup_prefix``)
``TanhLRScheduler(t_initial, lb, ub,      ``tanh_decay(base_lr, t_initial, lr_min, lb, ub)``, in
...)``                                    ``restarts(...)`` when ``cycle_limit > 1``
``StepLRScheduler(decay_t, decay_rate)``  ``step_decay(base_lr, decay_t, decay_rate)``
                                          (``exponential_decay(..., staircase=True)`` if > 1)
``MultiStepLRScheduler(decay_t,           ``shift(multistep_decay(base_lr, decay_t, decay_rate),
decay_rate)``                             offset=1)``: milestone ``m`` applies at ``m - 1``
``PolyLRScheduler(t_initial, power=0.5,   ``polynomial_decay(base_lr, t_initial, lr_min, power,
...)``                                    k_decay)``, in ``restarts(...)`` when ``cycle_limit > 1``
``WSDLRScheduler(t_initial, decay_t,      ``wsd(base_lr, warmup_t + t_initial, decay_t, warmup_t,
...)``                                    warmup_lr_init, lr_min, shapes by name)``
========================================  ===========================================================

Warmup (``warmup_t``, ``warmup_lr_init``, ``warmup_prefix``): a linear ramp
``warmup_lr_init + t * (target - warmup_lr_init) / warmup_t`` for ``t < warmup_t``.

* ``warmup_prefix=True``: the schedule starts its clock after the warmup, which ramps to
  ``base_lr``: ``join([ramp, schedule], boundaries=[warmup_t], local_time=True)``
  (``CosineLRScheduler`` uses ``cosine_restarts``' own warmup, the same values).
* ``warmup_prefix=False`` (the default of the cosine, tanh and poly classes): the schedule
  reads the global ``t``. timm's cosine, poly, step and multistep ramps still go to
  ``base_lr`` while the schedule's clock started at 0, so the lr *jumps* at ``warmup_t``
  (the nominal peak is never used, timm #1242): reproduced exactly with
  ``join([ramp, schedule], boundaries=[warmup_t], local_time=False)``. ``TanhLRScheduler``
  ramps to ``_get_lr(warmup_t)`` instead (continuous):
  ``with_warmup(schedule, warmup_t, total_includes_warmup=True, init_lr=warmup_lr_init)``.
* ``WSDLRScheduler``'s warmup is always a prefix (it has no ``warmup_prefix``).

Noise (``noise_range_t``, ``noise_pct``, ``noise_std``, ``noise_seed``): wrapped in
:func:`lrfuncs.noise` (``kind="normal"``, ``begin_step``/``end_step`` from ``noise_range_t``
``(lo, hi)`` or ``lo``). Same law (a normal of std ``noise_std`` truncated to
``|n| < noise_pct``), same ``lr + lr * n`` and same range, **different random numbers**:
timm draws from ``torch.Generator().manual_seed(noise_seed + t)``, which no pure function
reproduces. Outside the noise range the values are timm's exactly.

Deliberate differences from timm (each a ``ValueError`` at construction unless said otherwise):

* timm's ``assert`` checks (``t_initial > 0``, ``lr_min >= 0``, ``lb < ub``, ...) are
  ``ValueError`` with the argument's name.
* The core's ranges apply: ``base_lr > 0``, ``lr_min <= base_lr`` (and ``warmup_lr_init``
  in ``[0, base_lr]`` for the ramps to ``base_lr``), ``cycle_decay`` in ``(0, 1]``,
  ``cycle_mul > 0``, ``cycle_limit`` a whole number >= 1 (timm's ``cycle_limit=0`` holds
  ``lr_min`` from the end of the warmup), ``k_decay > 0``, ``decay_rate > 0`` (``(0, 1]``
  for ``MultiStepLRScheduler``), ``noise_pct`` in ``(0, 1]``.
* ``MultiStepLRScheduler``'s ``decay_t`` must be whole numbers >= 0 in non-decreasing order
  (timm bisects the list: unsorted milestones silently give wrong counts).
* ``TanhLRScheduler`` and ``PolyLRScheduler`` restarts (``cycle_limit > 1``) decay each
  cycle's peak and keep the floor, as timm does: :func:`lrfuncs.restarts` with
  ``min_lr=lr_min`` (``decay_mode="peak"``).
* With ``cycle_mul < 1`` timm raises ``ValueError: math domain error`` past the end of all
  (shrinking) cycles; this holds ``lr_min``. timm takes the cycle index from a rounded
  logarithm and misses some exact restarts (e.g. ``t_initial=16, cycle_mul=1.5`` at
  ``t=211``); this restarts exactly.
* ``WSDLRScheduler(decay_fn=<callable>)``: a Python callable is not config (``TypeError``).
* ``initialize`` has no effect (there is no optimizer).
* Everything is float64, like timm's Python floats.

>>> from lrfuncs.compat import timm as compat
>>> s = compat.CosineLRScheduler(t_initial=10, warmup_t=3, warmup_prefix=True, base_lr=1.0)
>>> [round(s(t), 5) for t in range(0, 15, 2)]
[0.0, 0.66667, 0.97553, 0.79389, 0.5, 0.20611, 0.02447, 0.0]
>>> s = compat.CosineLRScheduler(t_initial=10, warmup_t=3, base_lr=1.0)  # warmup_prefix=False: a jump at 3
>>> [round(s(t), 5) for t in range(5)]
[0.0, 0.33333, 0.66667, 0.79389, 0.65451]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from .. import _validation as v
from .._schedule import Schedule
from ..schedules import (
    cosine_restarts,
    exponential_decay,
    in_epochs,
    join,
    multistep_decay,
    noise,
    polynomial_decay,
    restarts,
    shift,
    step_decay,
    tanh_decay,
    warmup_constant,
    with_warmup,
    wsd,
)

__all__ = [
    "CosineLRScheduler",
    "MultiStepLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "TanhLRScheduler",
    "WSDLRScheduler",
]

NoiseRange = Sequence[float] | float | None


# ----------------------------------------------------------------------------------------------
# shared pieces: validation, warmup, noise, epochs
# ----------------------------------------------------------------------------------------------


def _is_zero(value: Any) -> bool:
    return value.__class__ in (int, float) and value == 0


def _check_common(base_lr: Any, warmup_t: Any, warmup_lr_init: Any, t_in_epochs: Any, initialize: Any) -> None:
    v.positive({"base_lr": base_lr}, "base_lr")
    v.non_negative({"warmup_t": warmup_t}, "warmup_t")
    v.non_negative({"warmup_lr_init": warmup_lr_init}, "warmup_lr_init")
    v.flag({"t_in_epochs": t_in_epochs}, "t_in_epochs")
    v.flag({"initialize": initialize}, "initialize")


def _check_floor(base_lr: Any, lr_min: Any) -> None:
    cfg = {"lr_min": lr_min, "base_lr": base_lr}
    v.non_negative(cfg, "lr_min")
    v.at_most(cfg, "lr_min", "base_lr")


def _check_cycles(t_initial: Any, cycle_mul: Any, cycle_decay: Any, cycle_limit: Any) -> None:
    v.positive({"t_initial": t_initial}, "t_initial")
    v.positive({"cycle_mul": cycle_mul}, "cycle_mul")
    v.between({"cycle_decay": cycle_decay}, "cycle_decay", 0.0, 1.0, lo_open=True)
    v.integer({"cycle_limit": cycle_limit}, "cycle_limit", minimum=1)


def _cycles(
    name: str, inner: Schedule[Any], t_initial: Any, lr_min: Any, cycle_mul: Any, cycle_decay: Any, cycle_limit: Any
) -> Schedule[Any]:
    """``inner`` (one cycle) restarted as timm's cycle options say; one cycle is ``inner`` itself."""
    if cycle_limit.__class__ in (int, float) and cycle_limit == 1:
        return inner  # timm's default: one cycle, then lr_min (which `inner` holds)
    # timm decays each cycle's peak and keeps the floor: restarts' "peak" decay with min_lr
    floor = None if _is_zero(lr_min) else lr_min
    return restarts.bind(
        inner=inner, cycle_steps=t_initial, cycle_mult=cycle_mul, peak_decay=cycle_decay, max_cycles=cycle_limit,
        min_lr=floor,
    )


def _warmup(
    inner: Schedule[Any], base_lr: Any, warmup_t: Any, warmup_lr_init: Any, warmup_prefix: Any
) -> Schedule[Any]:
    """timm's linear warmup to ``base_lr`` before ``inner`` (prefix: ``inner``'s clock starts at ``warmup_t``)."""
    v.flag({"warmup_prefix": warmup_prefix}, "warmup_prefix")
    if _is_zero(warmup_t):
        return inner
    cfg = {"warmup_lr_init": warmup_lr_init, "base_lr": base_lr}
    v.at_most(cfg, "warmup_lr_init", "base_lr")
    ramp = warmup_constant.bind(peak_lr=base_lr, warmup_steps=warmup_t, init_lr=warmup_lr_init)
    return join.bind(schedules=[ramp, inner], boundaries=[warmup_t], local_time=warmup_prefix)


def _finish(
    s: Schedule[Any],
    t_in_epochs: bool,
    updates_per_epoch: Any,
    noise_range_t: NoiseRange,
    noise_pct: Any,
    noise_std: Any,
    noise_seed: Any,
) -> Schedule[Any]:
    """timm's noise (on timm's ``t``), then per-update evaluation of a per-epoch schedule."""
    if noise_range_t is not None:
        if isinstance(noise_range_t, (list, tuple)):
            if len(noise_range_t) != 2:
                raise ValueError(
                    "Argument `noise_range_t` must be a number (noise from that t on) or a pair (lo, hi) "
                    f"(noise for lo <= t < hi). Received: noise_range_t={noise_range_t!r}"
                )
            begin, end = noise_range_t
        else:
            begin, end = noise_range_t, None
        s = noise.bind(
            inner=s,
            pct=noise_pct,
            std=noise_std,
            seed=42 if noise_seed is None else noise_seed,
            kind="normal",
            begin_step=begin,
            end_step=end,
        )
    if updates_per_epoch is not None:
        if not t_in_epochs:
            raise ValueError(
                "Argument `updates_per_epoch` converts a schedule stepped per epoch (t_in_epochs=True) into "
                "per-update values; with t_in_epochs=False timm's t already counts updates. "
                f"Received: updates_per_epoch={updates_per_epoch!r}, t_in_epochs={t_in_epochs!r}"
            )
        v.positive({"updates_per_epoch": updates_per_epoch}, "updates_per_epoch")
        s = in_epochs.bind(inner=s, steps_per_epoch=updates_per_epoch, staircase=True)
    return s


# ----------------------------------------------------------------------------------------------
# the classes
# ----------------------------------------------------------------------------------------------


def CosineLRScheduler(
    t_initial: Any,
    lr_min: Any = 0.0,
    cycle_mul: Any = 1.0,
    cycle_decay: Any = 1.0,
    cycle_limit: Any = 1,
    warmup_t: Any = 0,
    warmup_lr_init: Any = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange = None,
    noise_pct: Any = 0.67,
    noise_std: Any = 1.0,
    noise_seed: Any = 42,
    k_decay: Any = 1.0,
    initialize: bool = True,
    *,
    base_lr: Any,
    updates_per_epoch: Any = None,
) -> Schedule[Any]:
    r"""timm ``CosineLRScheduler(optimizer, t_initial, ...)``: cosine with warm restarts, k-decay and warmup.

    Cycle ``i`` lasts ``t_initial * cycle_mul**i``; its cosine goes from ``base_lr *
    cycle_decay**i`` to ``lr_min`` (``pi * t_curr**k / t_i**k`` with ``k = k_decay``);
    after ``cycle_limit`` cycles (timm's default 1: no restart) ``lr_min`` holds. Returns
    ``cosine_restarts(peak_lr=base_lr, cycle_steps=t_initial, cycle_mult=cycle_mul,
    min_lr=lr_min, peak_decay=cycle_decay, max_cycles=cycle_limit, k_decay=k_decay)``
    with ``warmup_steps=warmup_t, init_lr=warmup_lr_init`` if ``warmup_prefix``, else
    joined after a ramp to ``base_lr`` on the global clock (timm's jump). See the module
    docstring for warmup, noise, ``t_in_epochs`` / ``updates_per_epoch``.

    >>> from lrfuncs.compat.timm import CosineLRScheduler
    >>> s = CosineLRScheduler(t_initial=4, cycle_mul=2.0, cycle_limit=3, base_lr=1.0)
    >>> [round(s(t), 4) for t in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.9619]
    """
    _check_common(base_lr, warmup_t, warmup_lr_init, t_in_epochs, initialize)
    _check_floor(base_lr, lr_min)
    _check_cycles(t_initial, cycle_mul, cycle_decay, cycle_limit)
    v.positive({"k_decay": k_decay}, "k_decay")
    v.flag({"warmup_prefix": warmup_prefix}, "warmup_prefix")
    core = {
        "peak_lr": base_lr,
        "cycle_steps": t_initial,
        "cycle_mult": cycle_mul,
        "min_lr": lr_min,
        "peak_decay": cycle_decay,
        "max_cycles": cycle_limit,
        "k_decay": k_decay,
    }
    if warmup_prefix and not _is_zero(warmup_t):
        v.at_most({"warmup_lr_init": warmup_lr_init, "base_lr": base_lr}, "warmup_lr_init", "base_lr")
        s = cosine_restarts.bind(**core, warmup_steps=warmup_t, init_lr=warmup_lr_init)
    else:
        s = _warmup(cosine_restarts.bind(**core), base_lr, warmup_t, warmup_lr_init, warmup_prefix)
    return _finish(s, t_in_epochs, updates_per_epoch, noise_range_t, noise_pct, noise_std, noise_seed)


def TanhLRScheduler(
    t_initial: Any,
    lb: Any = -7.0,
    ub: Any = 3.0,
    lr_min: Any = 0.0,
    cycle_mul: Any = 1.0,
    cycle_decay: Any = 1.0,
    cycle_limit: Any = 1,
    warmup_t: Any = 0,
    warmup_lr_init: Any = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange = None,
    noise_pct: Any = 0.67,
    noise_std: Any = 1.0,
    noise_seed: Any = 42,
    initialize: bool = True,
    *,
    base_lr: Any,
    updates_per_epoch: Any = None,
) -> Schedule[Any]:
    r"""timm ``TanhLRScheduler(optimizer, t_initial, lb, ub, ...)``: the tanh decay with restarts and warmup.

    ``lr_min + 0.5 * (base_lr * cycle_decay**i - lr_min) * (1 - tanh(lb * (1 - r) + ub * r))``
    with ``r = t_curr / t_i``, ``lr_min`` after ``cycle_limit`` cycles. Returns
    ``tanh_decay(peak_lr=base_lr, total_steps=t_initial, min_lr=lr_min, lb, ub)``, inside
    ``restarts(cycle_steps=t_initial, cycle_mult=cycle_mul, peak_decay=cycle_decay,
    max_cycles=cycle_limit, min_lr=lr_min)`` when ``cycle_limit > 1`` (the peak decays, the
    floor stays). The warmup ramps to ``base_lr`` with ``warmup_prefix=True`` and to
    ``_get_lr(warmup_t)`` without (timm's continuous hand-off, ``with_warmup(...,
    total_includes_warmup=True)``).

    >>> from lrfuncs.compat.timm import TanhLRScheduler
    >>> s = TanhLRScheduler(t_initial=10, base_lr=1.0)
    >>> [round(s(t), 5) for t in (0, 5, 7, 9, 10)]
    [1.0, 0.98201, 0.5, 0.01799, 0.0]
    """
    _check_common(base_lr, warmup_t, warmup_lr_init, t_in_epochs, initialize)
    _check_floor(base_lr, lr_min)
    _check_cycles(t_initial, cycle_mul, cycle_decay, cycle_limit)
    cfg = {"lb": lb, "ub": ub}
    v.concrete(cfg, "lb")
    v.concrete(cfg, "ub")
    v.at_most(cfg, "lb", "ub", strict=True)
    v.flag({"warmup_prefix": warmup_prefix}, "warmup_prefix")
    inner = tanh_decay.bind(peak_lr=base_lr, total_steps=t_initial, min_lr=lr_min, lb=lb, ub=ub)
    s = _cycles("TanhLRScheduler", inner, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
    if warmup_prefix or _is_zero(warmup_t):
        s = _warmup(s, base_lr, warmup_t, warmup_lr_init, warmup_prefix)
    else:
        s = with_warmup.bind(inner=s, warmup_steps=warmup_t, total_includes_warmup=True, init_lr=warmup_lr_init)
    return _finish(s, t_in_epochs, updates_per_epoch, noise_range_t, noise_pct, noise_std, noise_seed)


def StepLRScheduler(
    decay_t: Any,
    decay_rate: Any = 1.0,
    warmup_t: Any = 0,
    warmup_lr_init: Any = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange = None,
    noise_pct: Any = 0.67,
    noise_std: Any = 1.0,
    noise_seed: Any = 42,
    initialize: bool = True,
    *,
    base_lr: Any,
    updates_per_epoch: Any = None,
) -> Schedule[Any]:
    r"""timm ``StepLRScheduler(optimizer, decay_t, decay_rate, ...)``: ``base_lr * decay_rate ** (t // decay_t)``.

    Returns ``step_decay(peak_lr=base_lr, step_size=decay_t, gamma=decay_rate)`` (for a
    growing ``decay_rate > 1``: ``exponential_decay(..., staircase=True)``), after the
    warmup (``warmup_prefix=True`` is this class' default). ``decay_t > 0`` (need not be
    whole), ``decay_rate > 0``.

    >>> from lrfuncs.compat.timm import StepLRScheduler
    >>> s = StepLRScheduler(decay_t=3, decay_rate=0.1, base_lr=1.0)
    >>> [s(t) for t in range(5)]
    [1.0, 1.0, 1.0, 0.1, 0.1]
    """
    _check_common(base_lr, warmup_t, warmup_lr_init, t_in_epochs, initialize)
    v.positive({"decay_t": decay_t}, "decay_t")
    rate = v.concrete({"decay_rate": decay_rate}, "decay_rate")
    v.positive({"decay_rate": decay_rate}, "decay_rate")
    if rate is not None and rate > 1.0:
        inner = exponential_decay.bind(peak_lr=base_lr, decay_rate=decay_rate, decay_steps=decay_t, staircase=True)
    else:
        inner = step_decay.bind(peak_lr=base_lr, step_size=decay_t, gamma=decay_rate)
    s = _warmup(inner, base_lr, warmup_t, warmup_lr_init, warmup_prefix)
    return _finish(s, t_in_epochs, updates_per_epoch, noise_range_t, noise_pct, noise_std, noise_seed)


def MultiStepLRScheduler(
    decay_t: Sequence[int],
    decay_rate: Any = 1.0,
    warmup_t: Any = 0,
    warmup_lr_init: Any = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange = None,
    noise_pct: Any = 0.67,
    noise_std: Any = 1.0,
    noise_seed: Any = 42,
    initialize: bool = True,
    *,
    base_lr: Any,
    updates_per_epoch: Any = None,
) -> Schedule[Any]:
    r"""timm ``MultiStepLRScheduler(optimizer, decay_t, decay_rate, ...)``: milestone ``m`` applies at ``t = m - 1``.

    ``base_lr * decay_rate ** bisect_right(decay_t, t + 1)``: timm compares milestones
    with ``t + 1`` (documented and kept by timm, #2745/#2753), one step before torch's
    ``MultiStepLR``. Returns ``shift(inner=multistep_decay(peak_lr=base_lr,
    milestones=decay_t, gamma=decay_rate), offset=1)``, after the warmup
    (``warmup_prefix=True`` is this class' default). ``decay_t``: whole numbers >= 0,
    non-decreasing (timm bisects it; a repeat decays twice); ``decay_rate`` in ``(0, 1]``.

    >>> from lrfuncs.compat.timm import MultiStepLRScheduler
    >>> s = MultiStepLRScheduler(decay_t=[3], decay_rate=0.1, base_lr=1.0)
    >>> [s(t) for t in range(5)]
    [1.0, 1.0, 0.1, 0.1, 0.1]
    """
    _check_common(base_lr, warmup_t, warmup_lr_init, t_in_epochs, initialize)
    cfg = {"decay_t": decay_t}
    v.milestones(cfg, "decay_t")
    if any(a > b for a, b in itertools.pairwise(decay_t)):
        raise ValueError(
            f"Argument `decay_t` must be non-decreasing (timm bisects it). Received: decay_t={list(decay_t)}"
        )
    v.between({"decay_rate": decay_rate}, "decay_rate", 0.0, 1.0, lo_open=True)
    inner = shift.bind(inner=multistep_decay.bind(peak_lr=base_lr, milestones=decay_t, gamma=decay_rate), offset=1)
    s = _warmup(inner, base_lr, warmup_t, warmup_lr_init, warmup_prefix)
    return _finish(s, t_in_epochs, updates_per_epoch, noise_range_t, noise_pct, noise_std, noise_seed)


def PolyLRScheduler(
    t_initial: Any,
    power: Any = 0.5,
    lr_min: Any = 0.0,
    cycle_mul: Any = 1.0,
    cycle_decay: Any = 1.0,
    cycle_limit: Any = 1,
    warmup_t: Any = 0,
    warmup_lr_init: Any = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange = None,
    noise_pct: Any = 0.67,
    noise_std: Any = 1.0,
    noise_seed: Any = 42,
    k_decay: Any = 1.0,
    initialize: bool = True,
    *,
    base_lr: Any,
    updates_per_epoch: Any = None,
) -> Schedule[Any]:
    r"""timm ``PolyLRScheduler(optimizer, t_initial, power=0.5, ...)``: polynomial decay to ``lr_min``.

    ``lr_min + (base_lr * cycle_decay**i - lr_min) * (1 - t_curr**k / t_i**k) ** power``,
    ``lr_min`` after ``cycle_limit`` cycles (timm's default power is 0.5). Returns
    ``polynomial_decay(peak_lr=base_lr, total_steps=t_initial, end_lr=lr_min,
    power=power, k_decay=k_decay)``, inside ``restarts(..., min_lr=lr_min)`` when
    ``cycle_limit > 1`` (the peak decays, the floor stays), after the warmup. ``power > 0``.

    >>> from lrfuncs.compat.timm import PolyLRScheduler
    >>> s = PolyLRScheduler(t_initial=4, base_lr=1.0)
    >>> [round(s(t), 5) for t in range(6)]
    [1.0, 0.86603, 0.70711, 0.5, 0.0, 0.0]
    """
    _check_common(base_lr, warmup_t, warmup_lr_init, t_in_epochs, initialize)
    _check_floor(base_lr, lr_min)
    _check_cycles(t_initial, cycle_mul, cycle_decay, cycle_limit)
    v.positive({"power": power}, "power")
    v.positive({"k_decay": k_decay}, "k_decay")
    inner = polynomial_decay.bind(peak_lr=base_lr, total_steps=t_initial, end_lr=lr_min, power=power, k_decay=k_decay)
    s = _cycles("PolyLRScheduler", inner, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
    s = _warmup(s, base_lr, warmup_t, warmup_lr_init, warmup_prefix)
    return _finish(s, t_in_epochs, updates_per_epoch, noise_range_t, noise_pct, noise_std, noise_seed)


def WSDLRScheduler(
    t_initial: Any,
    decay_t: Any,
    lr_min: Any = 0.0,
    stable_fn: str = "constant",
    stable_timescale: Any = None,
    stable_power: Any = 0.5,
    decay_fn: str | Callable[[float], float] = "1-sqrt",
    decay_power: Any = 0.5,
    decay_ratio: Any = 0.1,
    warmup_t: Any = 0,
    warmup_lr_init: Any = 0.0,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange = None,
    noise_pct: Any = 0.67,
    noise_std: Any = 1.0,
    noise_seed: Any = 42,
    initialize: bool = True,
    *,
    base_lr: Any,
    updates_per_epoch: Any = None,
) -> Schedule[Any]:
    r"""timm ``WSDLRScheduler(optimizer, t_initial, decay_t, ...)``: warmup, stable, decay to ``lr_min``.

    The warmup is a prefix of ``t_initial`` (stable + decay); ``lr_min`` from ``warmup_t +
    t_initial`` on. Returns ``wsd(peak_lr=base_lr, total_steps=warmup_t + t_initial,
    decay_steps=decay_t, warmup_steps=warmup_t, init_lr=warmup_lr_init, min_lr=lr_min,
    decay_shape=decay_fn, decay_power, decay_ratio, stable_shape=stable_fn,
    stable_timescale, stable_power)``. timm's validation (``ValueError``):
    ``t_initial > 0``, ``0 < decay_t <= t_initial``, ``lr_min >= 0`` (and ``<= base_lr``),
    the shape names, ``0 < decay_ratio < 1``, ``decay_power > 0``, ``stable_power > 0``, a
    positive timescale for the decaying stable shapes (default ``warmup_t``). A callable
    ``decay_fn`` is a ``TypeError``.

    >>> from lrfuncs.compat.timm import WSDLRScheduler
    >>> s = WSDLRScheduler(t_initial=8, decay_t=4, warmup_t=2, base_lr=1.0)
    >>> [round(s(t), 5) for t in range(12)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.29289, 0.13397, 0.0, 0.0]
    """
    _check_common(base_lr, warmup_t, warmup_lr_init, t_in_epochs, initialize)
    if callable(decay_fn):
        raise TypeError(
            "Argument `decay_fn` is a Python callable, which is not config: lrfuncs schedules are pure and "
            "serializable. Use one of 'linear', '1-sqrt', 'cosine', 'power', 'exp'. "
            f"Received: decay_fn={decay_fn!r}"
        )
    v.positive({"t_initial": t_initial}, "t_initial")
    cfg = {"decay_t": decay_t, "t_initial": t_initial}
    v.positive(cfg, "decay_t")
    v.at_most(cfg, "decay_t", "t_initial")
    _check_floor(base_lr, lr_min)
    if not _is_zero(warmup_t):
        v.at_most({"warmup_lr_init": warmup_lr_init, "base_lr": base_lr}, "warmup_lr_init", "base_lr")
    if stable_fn != "constant" and stable_timescale is None and _is_zero(warmup_t):
        raise ValueError(
            f"Argument `stable_timescale` must be given (> 0) for stable_fn={stable_fn!r} without warmup: "
            "it defaults to `warmup_t`. Received: stable_timescale=None, warmup_t=0"
        )
    s = wsd.bind(
        peak_lr=base_lr,
        total_steps=warmup_t + t_initial,
        decay_steps=decay_t,
        warmup_steps=warmup_t,
        init_lr=warmup_lr_init,
        min_lr=lr_min,
        decay_shape=decay_fn,
        decay_power=decay_power,
        decay_ratio=decay_ratio,
        stable_shape=stable_fn,
        stable_timescale=stable_timescale,
        stable_power=stable_power,
    )
    return _finish(s, t_in_epochs, updates_per_epoch, noise_range_t, noise_pct, noise_std, noise_seed)

