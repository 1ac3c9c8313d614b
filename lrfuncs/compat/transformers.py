r"""Hugging Face ``transformers.optimization`` schedules, returning pure lrfuncs schedules.

Every ``get_*schedule*`` with a closed form, and ``get_scheduler``, under HF's
names with HF's arguments and defaults, minus the optimizer: ``base_lr``
(keyword-only, default 1.0) stands for the optimizer's lr, so ``s(k) ==
base_lr * lr_lambda(k)``, the lr HF's ``LambdaLR`` gives update ``k`` (its
``get_last_lr()`` after ``k`` calls of ``scheduler.step()``); with the default
``base_lr=1.0``, ``s(k)`` is HF's multiplier ``lr_lambda(k)`` itself. The result
is a bound :class:`lrfuncs.Schedule` built from lrfuncs' core schedules: callable
on Python numbers, numpy, JAX and torch, picklable, convertible with
``to_dict``. Importing this module imports neither transformers nor torch.

>>> from lrfuncs.compat import transformers as hf
>>> s = hf.get_cosine_schedule_with_warmup(num_warmup_steps=3, num_training_steps=10)
>>> [round(s(k), 5) for k in range(12)]
[0.0, 0.33333, 0.66667, 1.0, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.04952, 0.0, 0.04952]
>>> s = hf.get_scheduler("linear", num_warmup_steps=2, num_training_steps=6, base_lr=0.1)
>>> [round(s(k), 6) for k in range(8)]
[0.0, 0.05, 0.1, 0.075, 0.05, 0.025, 0.0, 0.0]

``W`` = ``num_warmup_steps``, ``N`` = ``num_training_steps``, ``p`` = ``base_lr``; every
warmup starts at 0 as HF's (``init_lr=0.0``):

===================================================  ===============================================================
HF                                                   lrfuncs
===================================================  ===============================================================
get_constant_schedule                                ``constant(peak_lr=p)``
get_constant_schedule_with_warmup                    ``warmup_constant(peak_lr=p, warmup_steps=W, init_lr=0.0)``
get_linear_schedule_with_warmup                      ``warmup_linear(peak_lr=p, warmup_steps=W, total_steps=N,
                                                     init_lr=0.0)``
get_cosine_schedule_with_warmup                      ``warmup_cosine(peak_lr=p, warmup_steps=W, total_steps=N,
                                                     init_lr=0.0, num_cycles=num_cycles, periodic=True)``
get_cosine_with_hard_restarts_schedule_with_warmup   ``cosine_hard_restarts(peak_lr=p, warmup_steps=W,
                                                     total_steps=N, num_cycles=num_cycles, init_lr=0.0)``
get_polynomial_decay_schedule_with_warmup            ``polynomial_decay(peak_lr=p, total_steps=N, end_lr=lr_end,
                                                     power=power, warmup_steps=W, init_lr=0.0)``
get_inverse_sqrt_schedule                            ``inverse_sqrt(peak_lr=p, warmup_steps=W, timescale=timescale,
                                                     init_lr=0.0)`` (timescale None: W, or 10_000 if W == 0, as HF)
get_cosine_with_min_lr_schedule_with_warmup          as ``get_cosine_schedule_with_warmup`` plus ``min_lr=min_lr``
                                                     or ``min_lr_ratio=min_lr_rate``
get_cosine_with_min_lr_schedule_with_warmup_lr_rate  ``warmup_lr_rate=None`` or ``W == 0``: the row above read one
                                                     step ahead, ``shift(inner=warmup_cosine(...), offset=1)``; else
                                                     ``warmup_cosine(warmup_steps=W - 1, total_steps=N - 1,
                                                     init_lr=warmup_lr_rate * p, ...)`` (``W == 1``: ``with_warmup``
                                                     of one step at ``warmup_lr_rate * p``)
get_wsd_schedule                                     ``wsd(peak_lr=p, total_steps=W + S + D, decay_steps=D,
                                                     warmup_steps=W, init_lr=min_lr_ratio * p, min_lr_ratio=...,
                                                     warmup_shape=warmup_type, decay_shape=decay_type, num_cycles)``
get_scheduler                                        the above, by HF's ``SchedulerType`` name
===================================================  ===============================================================

Deliberate differences from HF (each asserted against HF itself in the tests):

* **A ValueError where HF misbehaves.** ``num_warmup_steps > num_training_steps``
  (HF drops to 0 after the warmup or oscillates, anchors.md 3.15); a negative or
  fractional step count (HF's are ``int``: ``0.1`` steps is usually a warmup
  *ratio* passed by mistake); ``lr_end < 0``, ``power <= 0``; ``num_cycles <= 0``;
  min-lr rates outside [0, 1]; ``get_wsd_schedule`` with
  ``num_training_steps < num_warmup_steps + num_decay_steps`` (HF truncates the
  decay); ``base_lr <= 0``.
* ``get_polynomial_decay_schedule_with_warmup`` with ``W == N``: HF raises
  ``ZeroDivisionError`` at step ``N``; here ``lr_end`` holds from ``N`` on.
* ``get_cosine_with_hard_restarts_schedule_with_warmup``: each restart lands
  exactly on its step (HF rounds ``(k - W) / (N - W)`` first and can miss a
  restart, giving 0 where the restart gives the peak); with ``W == N`` the floor
  holds from ``N`` on (HF gives the peak at step ``N``, then 0).
* ``last_epoch`` is accepted only as ``-1``: a pure schedule has no state to
  resume; evaluate ``s(step)`` at the step you resume from.
* ``get_scheduler`` refuses ``"reduce_lr_on_plateau"`` and ``"greedy"`` (driven by
  a metric, not by the step: see :class:`lrfuncs.Plateau`) with a ``ValueError``.
* HF's ``lr_end`` (polynomial) and ``min_lr`` (cosine with min lr) are absolute
  for the optimizer's *default* lr (``optimizer.defaults["lr"]``): ``base_lr``
  plays that role. HF scales every param group by the same multiplier, so a
  group with another lr ``g`` ends at ``lr_end * g / base_lr``: for such a group
  build the schedule with ``base_lr=g`` and ``lr_end=lr_end * g / base_lr``, or
  drive all groups with :func:`lrfuncs.backends.torch.lambda_lr`, which scales
  one schedule to every group's lr as HF does.
* The cosine schedules are periodic past ``N`` exactly as HF's (``periodic=True``);
  for a schedule that holds its floor use :func:`lrfuncs.warmup_cosine` directly.
* Values are float64 for every step type; HF's are Python floats too.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._schedule import Schedule, ScheduleFunction
from ..schedules import (
    constant,
    cosine_hard_restarts,
    inverse_sqrt,
    polynomial_decay,
    shift,
    warmup_constant,
    warmup_cosine,
    warmup_linear,
    with_warmup,
    wsd,
)
from ._bind import bind_as

__all__ = [
    "SCHEDULER_TYPES",
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_inverse_sqrt_schedule",
    "get_linear_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_scheduler",
    "get_wsd_schedule",
]

WARMUP_TYPES = ("linear", "cosine", "1-sqrt")


def _bind(anchor: str, fn: ScheduleFunction[Any], mapping: str, /, **config: Any) -> Schedule[Any]:
    return bind_as(f"transformers.{anchor}", fn, mapping, **config)


def _common(cfg: Mapping[str, Any], *steps: str) -> None:
    """``base_lr > 0``, ``last_epoch == -1`` and whole step counts >= 0 (HF's ``int``)."""
    v.positive(cfg, "base_lr")
    if cfg.get("last_epoch", -1) != -1:
        raise v.fail(
            cfg,
            "must be -1: a pure schedule has no state to resume (evaluate s(step) at the step you resume from)",
            "last_epoch",
        )
    for name in steps:
        v.integer(cfg, name, minimum=0)


def _warmup_within(cfg: Mapping[str, Any]) -> None:
    v.at_most(cfg, "num_warmup_steps", "num_training_steps")
    v.positive(cfg, "num_training_steps")


def get_constant_schedule(last_epoch: int = -1, *, base_lr: Any = 1.0) -> Schedule[Any]:
    """HF ``get_constant_schedule``: ``base_lr`` at every step.

    >>> get_constant_schedule(base_lr=0.1)(100)
    0.1
    """
    _common({"base_lr": base_lr, "last_epoch": last_epoch})
    return _bind("get_constant_schedule", constant, "peak_lr=base_lr", peak_lr=base_lr)


def get_constant_schedule_with_warmup(
    num_warmup_steps: Any, last_epoch: int = -1, *, base_lr: Any = 1.0
) -> Schedule[Any]:
    """HF ``get_constant_schedule_with_warmup``: ``base_lr * k / W`` for ``k < W``, then ``base_lr``.

    >>> s = get_constant_schedule_with_warmup(4)
    >>> [s(k) for k in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    _common({"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps}, "num_warmup_steps")
    return _bind(
        "get_constant_schedule_with_warmup", warmup_constant,
        "peak_lr=base_lr, warmup_steps=num_warmup_steps, init_lr=0.0",
        peak_lr=base_lr, warmup_steps=num_warmup_steps, init_lr=0.0,
    )


def get_linear_schedule_with_warmup(
    num_warmup_steps: Any, num_training_steps: Any, last_epoch: int = -1, *, base_lr: Any = 1.0
) -> Schedule[Any]:
    """HF ``get_linear_schedule_with_warmup``: linear warmup from 0, then linear decay to 0 at ``N``; 0 after.

    >>> s = get_linear_schedule_with_warmup(2, 6)
    >>> [s(k) for k in range(8)]
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "num_training_steps": num_training_steps}
    _common(cfg, "num_warmup_steps", "num_training_steps")
    _warmup_within(cfg)
    return _bind(
        "get_linear_schedule_with_warmup", warmup_linear,
        "peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, init_lr=0.0",
        peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, init_lr=0.0,
    )


def get_cosine_schedule_with_warmup(
    num_warmup_steps: Any, num_training_steps: Any, num_cycles: Any = 0.5, last_epoch: int = -1, *, base_lr: Any = 1.0
) -> Schedule[Any]:
    """HF ``get_cosine_schedule_with_warmup``: linear warmup from 0, then ``num_cycles`` cosine waves over ``N - W``.

    Like HF, it does not stop at ``N``: the cosine continues (periodic).

    >>> s = get_cosine_schedule_with_warmup(0, 10)
    >>> [round(s(k), 4) for k in (0, 5, 10, 15)]
    [1.0, 0.5, 0.0, 0.5]
    """
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "num_training_steps": num_training_steps, "num_cycles": num_cycles}
    _common(cfg, "num_warmup_steps", "num_training_steps")
    _warmup_within(cfg)
    v.positive(cfg, "num_cycles")
    return _bind(
        "get_cosine_schedule_with_warmup", warmup_cosine,
        "peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, init_lr=0.0, "
        "num_cycles=num_cycles, periodic=True",
        peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, init_lr=0.0,
        num_cycles=num_cycles, periodic=True,
    )


def get_cosine_with_hard_restarts_schedule_with_warmup(
    num_warmup_steps: Any, num_training_steps: Any, num_cycles: Any = 1, last_epoch: int = -1, *, base_lr: Any = 1.0
) -> Schedule[Any]:
    """HF ``get_cosine_with_hard_restarts_schedule_with_warmup``: ``num_cycles`` equal cosines between ``W`` and ``N``.

    Each cycle restarts at ``base_lr``; 0 from ``N`` on.

    >>> s = get_cosine_with_hard_restarts_schedule_with_warmup(0, 8, num_cycles=2)
    >>> [round(s(k), 4) for k in range(10)]
    [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "num_training_steps": num_training_steps, "num_cycles": num_cycles}
    _common(cfg, "num_warmup_steps", "num_training_steps")
    _warmup_within(cfg)
    v.positive(cfg, "num_cycles")
    return _bind(
        "get_cosine_with_hard_restarts_schedule_with_warmup", cosine_hard_restarts,
        "peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, num_cycles=num_cycles, "
        "init_lr=0.0",
        peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, num_cycles=num_cycles,
        init_lr=0.0,
    )


def get_polynomial_decay_schedule_with_warmup(
    num_warmup_steps: Any,
    num_training_steps: Any,
    lr_end: Any = 1e-7,
    power: Any = 1.0,
    last_epoch: int = -1,
    *,
    base_lr: Any = 1.0,
) -> Schedule[Any]:
    """HF ``get_polynomial_decay_schedule_with_warmup``: warmup from 0, then a polynomial decay to ``lr_end`` at ``N``.

    ``lr_end`` is absolute and must be below ``base_lr`` (HF's
    ``optimizer.defaults["lr"]``); it holds from ``N`` on (also when ``W == N``,
    where HF raises ``ZeroDivisionError``).

    >>> s = get_polynomial_decay_schedule_with_warmup(0, 4, lr_end=0.0)
    >>> [s(k) for k in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "num_training_steps": num_training_steps, "lr_end": lr_end, "power": power}
    _common(cfg, "num_warmup_steps", "num_training_steps")
    lr_init, end = v.concrete(cfg, "base_lr"), v.concrete(cfg, "lr_end")
    if lr_init is not None and end is not None and not lr_init > end:
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({base_lr})")
    _warmup_within(cfg)
    v.non_negative(cfg, "lr_end")
    v.positive(cfg, "power")
    return _bind(
        "get_polynomial_decay_schedule_with_warmup", polynomial_decay,
        "peak_lr=base_lr, total_steps=num_training_steps, end_lr=lr_end, power=power, "
        "warmup_steps=num_warmup_steps, init_lr=0.0",
        peak_lr=base_lr, total_steps=num_training_steps, end_lr=lr_end, power=power,
        warmup_steps=num_warmup_steps, init_lr=0.0,
    )


def get_inverse_sqrt_schedule(
    num_warmup_steps: Any, timescale: Any = None, last_epoch: int = -1, *, base_lr: Any = 1.0
) -> Schedule[Any]:
    """HF ``get_inverse_sqrt_schedule``: warmup from 0, then ``base_lr / sqrt((k - W + ts) / ts)``.

    ``timescale=None`` is ``num_warmup_steps``, or 10_000 when that is 0 (as HF).

    >>> s = get_inverse_sqrt_schedule(4)
    >>> [round(s(k), 5) for k in (0, 2, 4, 8, 12)]
    [0.0, 0.5, 1.0, 0.70711, 0.57735]
    """
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "timescale": timescale}
    _common(cfg, "num_warmup_steps")
    if timescale is None:
        if v.concrete(cfg, "num_warmup_steps") is not None:  # array-valued: lrfuncs' default, num_warmup_steps
            timescale = num_warmup_steps or 10_000  # HF's default
    else:
        v.positive(cfg, "timescale")
    return _bind(
        "get_inverse_sqrt_schedule", inverse_sqrt,
        "peak_lr=base_lr, warmup_steps=num_warmup_steps, timescale=timescale, init_lr=0.0",
        peak_lr=base_lr, warmup_steps=num_warmup_steps, timescale=timescale, init_lr=0.0,
    )


def _min_lr(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """HF's floor: exactly one of ``min_lr`` (absolute) and ``min_lr_rate`` (fraction of ``base_lr``)."""
    if cfg["min_lr"] is not None and cfg["min_lr_rate"] is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if cfg["min_lr"] is not None:
        v.non_negative(cfg, "min_lr")
        v.at_most(cfg, "min_lr", "base_lr")
        return {"min_lr": cfg["min_lr"]}
    if cfg["min_lr_rate"] is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    v.between(cfg, "min_lr_rate", 0.0, 1.0)
    return {"min_lr_ratio": cfg["min_lr_rate"]}


def get_cosine_with_min_lr_schedule_with_warmup(
    num_warmup_steps: Any,
    num_training_steps: Any,
    num_cycles: Any = 0.5,
    last_epoch: int = -1,
    min_lr: Any = None,
    min_lr_rate: Any = None,
    *,
    base_lr: Any = 1.0,
) -> Schedule[Any]:
    """HF ``get_cosine_with_min_lr_schedule_with_warmup``: the cosine of HF, squeezed between the floor and ``base_lr``.

    Give exactly one of ``min_lr`` (absolute) or ``min_lr_rate`` (a fraction of ``base_lr``).

    >>> s = get_cosine_with_min_lr_schedule_with_warmup(0, 10, min_lr_rate=0.1)
    >>> [round(s(k), 4) for k in (0, 5, 10)]
    [1.0, 0.55, 0.1]
    """
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "num_training_steps": num_training_steps, "num_cycles": num_cycles, "min_lr": min_lr,
           "min_lr_rate": min_lr_rate}
    _common(cfg, "num_warmup_steps", "num_training_steps")
    floor = _min_lr(cfg)
    _warmup_within(cfg)
    v.positive(cfg, "num_cycles")
    return _bind(
        "get_cosine_with_min_lr_schedule_with_warmup", warmup_cosine,
        "peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, init_lr=0.0, "
        "min_lr=min_lr | min_lr_ratio=min_lr_rate, num_cycles=num_cycles, periodic=True",
        peak_lr=base_lr, warmup_steps=num_warmup_steps, total_steps=num_training_steps, init_lr=0.0,
        num_cycles=num_cycles, periodic=True, **floor,
    )


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    num_warmup_steps: Any,
    num_training_steps: Any,
    num_cycles: Any = 0.5,
    last_epoch: int = -1,
    min_lr: Any = None,
    min_lr_rate: Any = None,
    warmup_lr_rate: Any = None,
    *,
    base_lr: Any = 1.0,
) -> Schedule[Any]:
    """HF ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` (``"cosine_warmup_with_min_lr"``).

    HF's ``cosine_with_min_lr`` one step ahead: update ``k`` uses the value the
    other gives ``k + 1`` (the warmup is ``(k + 1) / W``, the peak at ``W - 1``).
    With ``warmup_lr_rate = r`` the warmup instead rises linearly from ``r *
    base_lr`` at 0 to ``base_lr`` at ``W - 1``.

    >>> s = get_cosine_with_min_lr_schedule_with_warmup_lr_rate(3, 10, min_lr_rate=0.0)
    >>> [round(s(k), 5) for k in (0, 1, 2, 3, 9, 10)]
    [0.33333, 0.66667, 1.0, 0.95048, 0.0, 0.04952]
    >>> s = get_cosine_with_min_lr_schedule_with_warmup_lr_rate(3, 10, min_lr_rate=0.0, warmup_lr_rate=0.1)
    >>> [round(s(k), 5) for k in (0, 1, 2, 3)]
    [0.1, 0.55, 1.0, 0.95048]
    """
    anchor = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "num_training_steps": num_training_steps, "num_cycles": num_cycles, "min_lr": min_lr,
           "min_lr_rate": min_lr_rate, "warmup_lr_rate": warmup_lr_rate}
    _common(cfg, "num_warmup_steps", "num_training_steps")
    floor = _min_lr(cfg)
    _warmup_within(cfg)
    v.positive(cfg, "num_cycles")
    w, n = num_warmup_steps, num_training_steps
    if v.concrete(cfg, "num_warmup_steps") is None or v.concrete(cfg, "num_training_steps") is None:
        raise TypeError(f"{anchor}: `num_warmup_steps` and `num_training_steps` must be numbers (they select the form)")
    cosine = dict(peak_lr=base_lr, num_cycles=num_cycles, periodic=True, **floor)
    if warmup_lr_rate is None or w == 0:
        inner = _bind(anchor, warmup_cosine, "peak_lr=base_lr, warmup_steps=W, total_steps=N, init_lr=0.0, ...",
                      warmup_steps=w, total_steps=n, init_lr=0.0, **cosine)
        return _bind(anchor, shift, "inner=warmup_cosine(...), offset=1", inner=inner, offset=1)
    v.between(cfg, "warmup_lr_rate", 0.0, 1.0)
    if w == 1:  # one warmup step at warmup_lr_rate * base_lr, then the cosine at progress k / max(1, N - 1)
        inner = _bind(anchor, warmup_cosine, "peak_lr=base_lr, warmup_steps=0, total_steps=max(N - 1, 1), ...",
                      warmup_steps=0, total_steps=max(n - 1, 1), **cosine)
        return _bind(
            anchor, with_warmup,
            "inner=warmup_cosine(...), warmup_steps=1, total_includes_warmup=True, init_lr=warmup_lr_rate * base_lr",
            inner=inner, warmup_steps=1, total_includes_warmup=True, init_lr=warmup_lr_rate * base_lr,
        )
    return _bind(
        anchor, warmup_cosine,
        "peak_lr=base_lr, warmup_steps=W - 1, total_steps=N - 1, init_lr=warmup_lr_rate * base_lr, ...",
        warmup_steps=w - 1, total_steps=n - 1, init_lr=warmup_lr_rate * base_lr, **cosine,
    )


def get_wsd_schedule(
    num_warmup_steps: Any,
    num_decay_steps: Any,
    num_training_steps: Any = None,
    num_stable_steps: Any = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: Any = 0,
    num_cycles: Any = 0.5,
    last_epoch: int = -1,
    *,
    base_lr: Any = 1.0,
) -> Schedule[Any]:
    """HF ``get_wsd_schedule``: warmup (from ``min_lr_ratio * base_lr``), stable at ``base_lr``, decay to the floor.

    Give ``num_training_steps`` (the stable phase is what the warmup and decay
    leave) or ``num_stable_steps`` (which wins, with HF's warning, if both are given).

    >>> s = get_wsd_schedule(2, 4, num_training_steps=10, decay_type="linear")
    >>> [s(k) for k in range(12)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    cfg = {"base_lr": base_lr, "last_epoch": last_epoch, "num_warmup_steps": num_warmup_steps,
           "num_decay_steps": num_decay_steps, "num_training_steps": num_training_steps,
           "num_stable_steps": num_stable_steps, "min_lr_ratio": min_lr_ratio, "num_cycles": num_cycles}
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if num_training_steps is not None and num_stable_steps is not None:
        warnings.warn(
            "Both num_training_steps and num_stable_steps are specified. num_stable_steps will be used.", stacklevel=2
        )
    if warmup_type not in WARMUP_TYPES:
        raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if decay_type not in WARMUP_TYPES:
        raise ValueError(f"Unknown decay type: {decay_type}, expected 'linear', 'cosine' or '1-sqrt'")
    given = [n for n in ("num_training_steps", "num_stable_steps") if cfg[n] is not None]
    _common(cfg, "num_warmup_steps", "num_decay_steps", *given)
    if num_stable_steps is None:
        w, d, n = (v.concrete(cfg, k) for k in ("num_warmup_steps", "num_decay_steps", "num_training_steps"))
        if w is not None and d is not None and n is not None and w + d > n:
            raise v.fail(
                cfg,
                "plus `num_decay_steps` must be <= `num_training_steps` (HF would cut the decay short)",
                "num_warmup_steps", "num_decay_steps", "num_training_steps",
            )
        total = num_training_steps
    else:
        total = num_warmup_steps + num_stable_steps + num_decay_steps
    v.between(cfg, "min_lr_ratio", 0.0, 1.0)
    v.positive(cfg, "num_cycles")
    return _bind(
        "get_wsd_schedule", wsd,
        "peak_lr=base_lr, total_steps=W + S + D, decay_steps=num_decay_steps, warmup_steps=num_warmup_steps, "
        "init_lr=min_lr_ratio * base_lr, min_lr_ratio=min_lr_ratio, warmup_shape=warmup_type, "
        "decay_shape=decay_type, num_cycles=num_cycles",
        peak_lr=base_lr, total_steps=total, decay_steps=num_decay_steps, warmup_steps=num_warmup_steps,
        init_lr=min_lr_ratio * base_lr, min_lr_ratio=min_lr_ratio, warmup_shape=warmup_type,
        decay_shape=decay_type, num_cycles=num_cycles,
    )


#: HF's ``SchedulerType``: value -> member name (for HF's error messages).
SCHEDULER_TYPES = {
    "linear": "LINEAR",
    "cosine": "COSINE",
    "cosine_with_restarts": "COSINE_WITH_RESTARTS",
    "polynomial": "POLYNOMIAL",
    "constant": "CONSTANT",
    "constant_with_warmup": "CONSTANT_WITH_WARMUP",
    "inverse_sqrt": "INVERSE_SQRT",
    "reduce_lr_on_plateau": "REDUCE_ON_PLATEAU",
    "cosine_with_min_lr": "COSINE_WITH_MIN_LR",
    "cosine_warmup_with_min_lr": "COSINE_WARMUP_WITH_MIN_LR",
    "warmup_stable_decay": "WARMUP_STABLE_DECAY",
    "greedy": "GREEDY",
}

_FUNCTIONS = {
    "linear": get_linear_schedule_with_warmup,
    "cosine": get_cosine_schedule_with_warmup,
    "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": get_polynomial_decay_schedule_with_warmup,
    "constant": get_constant_schedule,
    "constant_with_warmup": get_constant_schedule_with_warmup,
    "inverse_sqrt": get_inverse_sqrt_schedule,
    "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "warmup_stable_decay": get_wsd_schedule,
}


def get_scheduler(
    name: Any,
    num_warmup_steps: Any = None,
    num_training_steps: Any = None,
    scheduler_specific_kwargs: Mapping[str, Any] | None = None,
    *,
    base_lr: Any = 1.0,
) -> Schedule[Any]:
    """HF ``get_scheduler``: the schedule of a ``SchedulerType`` name (a string or HF's enum), with HF's dispatch.

    HF's rules: ``"constant"`` ignores every other argument,
    ``"constant_with_warmup"`` the ``scheduler_specific_kwargs``; the others need
    ``num_warmup_steps``, and all but ``"inverse_sqrt"`` and
    ``"warmup_stable_decay"`` need ``num_training_steps`` (HF's ``ValueError``
    otherwise). ``scheduler_specific_kwargs`` go to the function (e.g.
    ``num_cycles``, ``lr_end``, ``min_lr_rate``).

    >>> s = get_scheduler("cosine_with_min_lr", 0, 10, {"min_lr_rate": 0.1}, base_lr=2.0)
    >>> round(s(10), 6)
    0.2
    """
    key = getattr(name, "value", name)
    if key not in SCHEDULER_TYPES:
        raise ValueError(f"{key} is not a valid SchedulerType, please select one of {list(SCHEDULER_TYPES)}")
    label = f"SchedulerType.{SCHEDULER_TYPES[key]}"
    if key in ("reduce_lr_on_plateau", "greedy"):
        raise ValueError(
            f"{label} is driven by a metric, not by the step: it has no closed form (see lrfuncs.Plateau)"
        )
    if key == "constant":
        return get_constant_schedule(base_lr=base_lr)
    kwargs = dict(scheduler_specific_kwargs or {})
    if num_warmup_steps is None:
        raise ValueError(f"{label} requires `num_warmup_steps`, please provide that argument.")
    if key == "constant_with_warmup":
        return get_constant_schedule_with_warmup(num_warmup_steps=num_warmup_steps, base_lr=base_lr)
    if key == "inverse_sqrt":
        return get_inverse_sqrt_schedule(num_warmup_steps=num_warmup_steps, base_lr=base_lr, **kwargs)
    if key == "warmup_stable_decay":
        return get_wsd_schedule(
            num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, base_lr=base_lr, **kwargs
        )
    if num_training_steps is None:
        raise ValueError(f"{label} requires `num_training_steps`, please provide that argument.")
    return _FUNCTIONS[key](  # type: ignore[operator]
        num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, base_lr=base_lr, **kwargs
    )
