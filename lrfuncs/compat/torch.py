r"""``torch.optim.lr_scheduler`` (and ``swa_utils.SWALR``) as pure lrfuncs schedules.

Every constructor has the name of a torch scheduler class and takes its arguments with
torch's defaults, minus the optimizer, and returns a bound :class:`lrfuncs.Schedule` ``s``
(every backend, picklable, ``to_dict()``) such that ``s(k)`` is the lr torch gives the
optimizer update with 0-based index ``k``: ``scheduler.get_last_lr()`` after ``k`` calls
of ``scheduler.step()`` (``scheduler.step()`` once per update, after ``optimizer.step()``).
Importing this module does not import torch.

Where torch reads the lr from the optimizer's param group, the keyword-only argument
``base_lr`` stands for it (one schedule per param group; a group with another lr is
another schedule). ``CyclicLR`` and ``OneCycleLR`` overwrite the group's lr with their
own arguments, so they take no ``base_lr``.

=================================================  ==========================================================
torch (minus optimizer)                            lrfuncs schedule returned
=================================================  ==========================================================
``StepLR(step_size, gamma=0.1)``                   ``scale(step_decay(1, step_size, gamma), base_lr)``
                                                   (``gamma > 1``: ``exponential_decay(..., staircase=True)``)
``MultiStepLR(milestones, gamma=0.1)``             ``scale(multistep_decay(1, milestones, gamma), base_lr)``
``ConstantLR(factor=1/3, total_iters=5)``          ``scale(constant_factor(1, factor, total_iters), base_lr)``
``LinearLR(start_factor=1/3, end_factor=1,         ``scale(linear(start_factor, end_factor, total_iters),
total_iters=5)``                                   base_lr)``
``ExponentialLR(gamma)``                           ``scale(exponential_decay(1, gamma), base_lr)``
``PolynomialLR(total_iters=5, power=1)``           ``scale(polynomial_decay(1, total_iters, 0, power), base_lr)``
``CosineAnnealingLR(T_max, eta_min=0)``            ``cosine_decay(base_lr, T_max, min_lr=eta_min,
                                                   periodic=True)``
``CosineAnnealingWarmRestarts(T_0, T_mult=1,       ``cosine_restarts(base_lr, T_0, T_mult, min_lr=eta_min)``
eta_min=0)``
``CyclicLR(base_lr, max_lr, step_size_up=2000,     ``cyclic(base_lr, max_lr, step_size_up, step_size_down,
step_size_down=None, mode, gamma, ...)``           mode, gamma)``; momentum: :func:`CyclicLRMomentum`
``OneCycleLR(max_lr, total_steps | epochs *        ``onecycle(max_lr, total_steps, ..., convention="torch")``;
steps_per_epoch, pct_start=0.3, ...)``             momentum: :func:`OneCycleLRMomentum`
``SequentialLR(schedulers, milestones)``           ``join(schedulers, boundaries=milestones, local_time=True)``
``ChainedScheduler(schedulers)``                   ``product(member factors, scale=base_lr)``
``SWALR(swa_lr, anneal_epochs=10,                  ``swa(base_lr, swa_lr, anneal_epochs, anneal_strategy)``
anneal_strategy="cos")``
=================================================  ==========================================================

The six *chainable* classes (torch multiplies the group's current lr by their factor:
``StepLR``, ``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``,
``PolynomialLR``) return ``scale(inner=factor, factor=base_lr)``: torch's factor (1 at
the start) times the group's lr. That is what :func:`ChainedScheduler` multiplies.

Momentum: :func:`OneCycleLRMomentum` and :func:`CyclicLRMomentum` take the same
arguments as :func:`OneCycleLR` / :func:`CyclicLR` and return the momentum (or Adam
``beta1``) schedule torch writes into the param group with ``cycle_momentum=True``.

Deliberate differences from torch (each a ``ValueError`` at construction unless said otherwise):

* A crash in torch is a ``ValueError`` here: ``CosineAnnealingLR(T_max=0)`` and
  ``StepLR(step_size=0)`` (``ZeroDivisionError`` at the first step), ``OneCycleLR`` with
  ``pct_start * total_steps == 1`` (``ZeroDivisionError`` at construction), ``CyclicLR``
  with ``step_size_up=0``.
* ``ConstantLR(factor=0)`` is allowed: a frozen start. torch accepts it but its recursive
  form divides by the factor at ``total_iters`` (``ZeroDivisionError``).
* Settings where torch silently misbehaves are refused: ``total_iters=0`` for
  ``ConstantLR`` / ``LinearLR`` / ``PolynomialLR`` (torch's stepped form keeps the start
  factor forever while its closed form divides by zero), whole numbers only for
  ``total_iters``, ``step_size`` and ``milestones`` (torch never hits a fractional one
  exactly), ``OneCycleLR(three_phase=True)`` with ``pct_start > 0.5`` (the phases overlap
  and the final lr is never reached), unsorted ``SequentialLR`` milestones, and a
  ``last_epoch`` other than -1 (a pure schedule has no state to resume: evaluate it at
  the step instead).
* Past the end, ``OneCycleLR`` holds its final lr: torch extrapolates one step
  (``step_num == total_steps``, the lr rises again) and raises ``ValueError`` after that.
* The core's ranges apply (all ``ValueError``): ``base_lr > 0``; decay factors
  ``gamma`` in ``(0, 1]`` for ``MultiStepLR`` (and ``> 0`` for ``StepLR`` /
  ``ExponentialLR``, where ``> 1`` grows), ``eta_min`` in ``[0, base_lr]`` (torch's cosine
  can rise to an ``eta_min`` above the lr), ``CyclicLR``'s ``base_lr <= max_lr`` and
  ``gamma`` in ``(0, 1]``, ``PolynomialLR``'s ``power > 0``.
* ``CyclicLR(scale_fn=...)``: a Python callable is not config (``TypeError``); the built-in
  ``mode`` covers torch's policies (torch ignores ``scale_mode`` for them, and so does this).
* :func:`SequentialLR` joins any lrfuncs schedules; each member runs its own clock from its
  milestone, which is what torch 2.13 does (the value before the first milestone comes
  from ``schedulers[bisect_right(milestones, 0)]`` at its step 0; the old initialization
  bugs, pytorch #72874 and #185872, are fixed there and absent here). A member that writes
  the param group at construction changes torch's other members: ``OneCycleLR`` sets the
  group's ``initial_lr`` to ``max_lr / div_factor``, from which torch's ``SequentialLR``
  restarts the lr (so the recursive members before it scale that value, not their own
  base lr) and which the members built after it take as their base lr; the join keeps
  each member's own ``base_lr``. ``SWALR`` inside torch's ``SequentialLR`` anneals from
  the lr the previous member left: pass that value as ``base_lr``.
* :func:`ChainedScheduler` accepts the six chainable classes (and nested chains) and
  requires one ``base_lr`` for all. torch's ``CosineAnnealingLR`` is affine in the lr
  (``eta_min``) and restarts additively past ``T_max``, ``SWALR`` re-derives its start
  from the current lr, and ``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts``
  and ``SequentialLR`` set the lr absolutely, so a torch chain containing them is not a
  product of closed forms (it depends on the members' order): refused. Use
  :func:`lrfuncs.product` for the intended math.
* Everything is float64 (torch computes in Python floats, so values agree to rounding;
  torch's recursive forms drift from their closed forms by a few ulps per step).

>>> from lrfuncs.compat import torch as compat
>>> s = compat.CosineAnnealingLR(T_max=10, base_lr=0.1)
>>> [round(s(k), 6) for k in (0, 5, 10, 15)]
[0.1, 0.05, 0.0, 0.05]
>>> warm = compat.LinearLR(start_factor=0.1, total_iters=3, base_lr=1.0)
>>> s = compat.SequentialLR([warm, compat.CosineAnnealingLR(T_max=5, base_lr=1.0)], milestones=[3])
>>> [round(s(k), 5) for k in range(6)]
[0.1, 0.4, 0.7, 1.0, 0.90451, 0.65451]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from .. import _validation as v
from .._schedule import Schedule
from ..schedules import (
    constant_factor,
    cosine_decay,
    cosine_restarts,
    cyclic,
    cyclic_momentum,
    exponential_decay,
    join,
    linear,
    multistep_decay,
    onecycle,
    onecycle_momentum,
    polynomial_decay,
    product,
    scale,
    step_decay,
    swa,
)

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "CyclicLRMomentum",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "OneCycleLRMomentum",
    "PolynomialLR",
    "SWALR",
    "SequentialLR",
    "StepLR",
]

#: The kernels of torch's chainable classes (their result is ``scale(inner=<one of these>, factor=base_lr)``).
CHAINABLE = frozenset(
    {"step_decay", "multistep_decay", "constant_factor", "linear", "exponential_decay", "polynomial_decay"}
)


# ----------------------------------------------------------------------------------------------
# validation helpers (torch's argument names in the messages)
# ----------------------------------------------------------------------------------------------


def _no_resume(last_epoch: Any) -> None:
    if last_epoch != -1:
        raise ValueError(
            "Argument `last_epoch` must be -1: an lrfuncs schedule has no state to resume; evaluate it at the "
            f"step you resume from instead. Received: last_epoch={last_epoch!r}"
        )


def _base(base_lr: Any) -> None:
    v.positive({"base_lr": base_lr}, "base_lr")


def _whole(name: str, value: Any, minimum: int, why: str = "") -> None:
    """A whole number >= ``minimum`` (a fractional one is never hit by torch's ``==`` / ``%`` tests)."""
    cfg = {name: value}
    x = v.concrete(cfg, name)
    if x is not None and (x != math.floor(x) or x < minimum):
        raise v.fail(cfg, f"must be a whole number >= {minimum}{why}", name)


def _chainable(inner: Schedule[Any], base_lr: Any) -> Schedule[Any]:
    return scale.bind(inner=inner, factor=base_lr)


# ----------------------------------------------------------------------------------------------
# the chainable classes: factor * base_lr
# ----------------------------------------------------------------------------------------------


def StepLR(step_size: Any, gamma: Any = 0.1, last_epoch: int = -1, *, base_lr: Any) -> Schedule[Any]:
    r"""torch ``StepLR(optimizer, step_size, gamma)``: ``base_lr * gamma ** (k // step_size)``.

    Returns ``scale(inner=step_decay(peak_lr=1, step_size, gamma), factor=base_lr)``
    (``exponential_decay(peak_lr=1, decay_rate=gamma, decay_steps=step_size,
    staircase=True)`` for a growing ``gamma > 1``). ``step_size`` must be a whole
    number >= 1 (torch divides by zero at step 1 for 0 and never decays at a
    fractional multiple), ``gamma > 0``.

    >>> from lrfuncs.compat.torch import StepLR
    >>> s = StepLR(step_size=2, gamma=0.5, base_lr=1.0)
    >>> [s(k) for k in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    _no_resume(last_epoch)
    _base(base_lr)
    _whole("step_size", step_size, 1)
    g = v.concrete({"gamma": gamma}, "gamma")
    if g is not None and g > 1.0:
        inner = exponential_decay.bind(peak_lr=1.0, decay_rate=gamma, decay_steps=step_size, staircase=True)
    else:
        inner = step_decay.bind(peak_lr=1.0, step_size=step_size, gamma=gamma)
    return _chainable(inner, base_lr)


def MultiStepLR(milestones: Sequence[int], gamma: Any = 0.1, last_epoch: int = -1, *, base_lr: Any) -> Schedule[Any]:
    r"""torch ``MultiStepLR(optimizer, milestones, gamma)``: ``base_lr * gamma ** #{m <= k}``.

    Returns ``scale(inner=multistep_decay(peak_lr=1, milestones, gamma), factor=base_lr)``.
    Milestones are whole numbers >= 0 in any order; a repeated one decays twice (torch's
    ``Counter``); milestone 0 applies at step 0, as in torch. ``gamma`` in ``(0, 1]``.

    >>> from lrfuncs.compat.torch import MultiStepLR
    >>> s = MultiStepLR(milestones=[2, 4, 4], gamma=0.5, base_lr=1.0)
    >>> [s(k) for k in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.125, 0.125]
    """
    _no_resume(last_epoch)
    _base(base_lr)
    return _chainable(multistep_decay.bind(peak_lr=1.0, milestones=milestones, gamma=gamma), base_lr)


def ConstantLR(factor: Any = 1.0 / 3, total_iters: Any = 5, last_epoch: int = -1, *, base_lr: Any) -> Schedule[Any]:
    r"""torch ``ConstantLR(optimizer, factor, total_iters)``: ``base_lr * factor``, from ``total_iters`` on ``base_lr``.

    Returns ``scale(inner=constant_factor(peak_lr=1, factor, factor_steps=total_iters),
    factor=base_lr)``. ``factor`` in ``[0, 1]`` as torch checks; ``factor=0`` works here
    (torch raises ``ZeroDivisionError`` at ``total_iters``). ``total_iters`` is a whole
    number >= 1 (with 0 torch's stepped form keeps the factor forever).

    >>> from lrfuncs.compat.torch import ConstantLR
    >>> s = ConstantLR(factor=0.5, total_iters=2, base_lr=0.1)
    >>> [s(k) for k in range(4)]
    [0.05, 0.05, 0.1, 0.1]
    """
    _no_resume(last_epoch)
    _base(base_lr)
    v.between({"factor": factor}, "factor", 0.0, 1.0)
    _whole("total_iters", total_iters, 1)
    return _chainable(constant_factor.bind(peak_lr=1.0, factor=factor, factor_steps=total_iters), base_lr)


def LinearLR(
    start_factor: Any = 1.0 / 3,
    end_factor: Any = 1.0,
    total_iters: Any = 5,
    last_epoch: int = -1,
    *,
    base_lr: Any,
) -> Schedule[Any]:
    r"""torch ``LinearLR(optimizer, start_factor, end_factor, total_iters)``: a linear factor, then ``end_factor``.

    ``base_lr * (s + (e - s) * min(k, total_iters) / total_iters)``. Returns
    ``scale(inner=linear(init_lr=start_factor, end_lr=end_factor, total_steps=total_iters),
    factor=base_lr)``. torch's ranges: ``start_factor`` in ``(0, 1]`` (its recursive form
    divides by it), ``end_factor`` in ``[0, 1]``; ``total_iters`` a whole number >= 1. To
    start from 0, use :func:`lrfuncs.linear` (or :func:`lrfuncs.warmup_constant`) directly.

    >>> from lrfuncs.compat.torch import LinearLR
    >>> s = LinearLR(start_factor=0.25, total_iters=4, base_lr=1.0)
    >>> [s(k) for k in range(6)]
    [0.25, 0.4375, 0.625, 0.8125, 1.0, 1.0]
    """
    _no_resume(last_epoch)
    _base(base_lr)
    v.between({"start_factor": start_factor}, "start_factor", 0.0, 1.0, lo_open=True)
    v.between({"end_factor": end_factor}, "end_factor", 0.0, 1.0)
    _whole("total_iters", total_iters, 1)
    inner = linear.bind(init_lr=start_factor, end_lr=end_factor, total_steps=total_iters)
    return _chainable(inner, base_lr)


def ExponentialLR(gamma: Any, last_epoch: int = -1, *, base_lr: Any) -> Schedule[Any]:
    r"""torch ``ExponentialLR(optimizer, gamma)``: ``base_lr * gamma ** k``.

    Returns ``scale(inner=exponential_decay(peak_lr=1, decay_rate=gamma), factor=base_lr)``;
    ``gamma > 0`` (above 1 the lr grows).

    >>> from lrfuncs.compat.torch import ExponentialLR
    >>> s = ExponentialLR(gamma=0.5, base_lr=1.0)
    >>> [s(k) for k in range(4)]
    [1.0, 0.5, 0.25, 0.125]
    """
    _no_resume(last_epoch)
    _base(base_lr)
    return _chainable(exponential_decay.bind(peak_lr=1.0, decay_rate=gamma), base_lr)


def PolynomialLR(total_iters: Any = 5, power: Any = 1.0, last_epoch: int = -1, *, base_lr: Any) -> Schedule[Any]:
    r"""torch ``PolynomialLR(optimizer, total_iters, power)``: ``base_lr * (1 - min(k, T) / T) ** power``, to 0.

    Returns ``scale(inner=polynomial_decay(peak_lr=1, total_steps=total_iters, end_lr=0,
    power=power), factor=base_lr)``; 0 from ``total_iters`` on. ``total_iters`` a whole
    number >= 1 (torch's closed form divides by zero for 0), ``power > 0``.

    >>> from lrfuncs.compat.torch import PolynomialLR
    >>> s = PolynomialLR(total_iters=4, base_lr=1.0)
    >>> [s(k) for k in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    _no_resume(last_epoch)
    _base(base_lr)
    _whole("total_iters", total_iters, 1)
    v.positive({"power": power}, "power")
    return _chainable(polynomial_decay.bind(peak_lr=1.0, total_steps=total_iters, end_lr=0.0, power=power), base_lr)


# ----------------------------------------------------------------------------------------------
# cosine
# ----------------------------------------------------------------------------------------------


def CosineAnnealingLR(T_max: Any, eta_min: Any = 0.0, last_epoch: int = -1, *, base_lr: Any) -> Schedule[Any]:
    r"""torch ``CosineAnnealingLR(optimizer, T_max, eta_min)``: a cosine from ``base_lr`` to ``eta_min``, periodic.

    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * k / T_max)) / 2`` for every ``k``: past
    ``T_max`` torch rises again (period ``2 * T_max``), and so does this. Returns
    ``cosine_decay(peak_lr=base_lr, total_steps=T_max, min_lr=eta_min, periodic=True)``
    (:func:`lrfuncs.cosine_decay` without ``periodic`` holds the floor instead).
    ``T_max > 0`` (torch: ``ZeroDivisionError`` for 0), ``eta_min`` in ``[0, base_lr]``.

    >>> from lrfuncs.compat.torch import CosineAnnealingLR
    >>> s = CosineAnnealingLR(T_max=4, base_lr=1.0)
    >>> [round(s(k), 6) for k in range(9)]
    [1.0, 0.853553, 0.5, 0.146447, 0.0, 0.146447, 0.5, 0.853553, 1.0]
    """
    _no_resume(last_epoch)
    _base(base_lr)
    v.positive({"T_max": T_max}, "T_max")
    cfg = {"eta_min": eta_min, "base_lr": base_lr}
    v.non_negative(cfg, "eta_min")
    v.at_most(cfg, "eta_min", "base_lr")
    return cosine_decay.bind(peak_lr=base_lr, total_steps=T_max, min_lr=eta_min, periodic=True)


def CosineAnnealingWarmRestarts(
    T_0: Any, T_mult: Any = 1, eta_min: Any = 0.0, last_epoch: int = -1, *, base_lr: Any
) -> Schedule[Any]:
    r"""torch ``CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)``: SGDR.

    Returns ``cosine_restarts(peak_lr=base_lr, cycle_steps=T_0, cycle_mult=T_mult,
    min_lr=eta_min)``, also for fractional steps (torch's ``step(epoch + i / iters)``).
    torch's validation is kept (its messages): ``T_0`` a positive ``int``, ``T_mult`` an
    ``int >= 1`` (:func:`lrfuncs.cosine_restarts` takes any ``cycle_mult > 0``); ``eta_min``
    a number in ``[0, base_lr]``. torch takes the cycle index from a rounded logarithm and
    misses some exact restarts with ``step(epoch)`` (e.g. ``T_0=1, T_mult=10`` at epoch
    111); this restarts exactly.

    >>> from lrfuncs.compat.torch import CosineAnnealingWarmRestarts
    >>> s = CosineAnnealingWarmRestarts(T_0=2, T_mult=2, base_lr=1.0)
    >>> [round(s(k), 4) for k in range(7)]
    [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0]
    """
    _no_resume(last_epoch)
    if T_0 <= 0 or not isinstance(T_0, int):
        raise ValueError(f"Expected positive integer T_0, but got {T_0}")
    if T_mult < 1 or not isinstance(T_mult, int):
        raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
    if not isinstance(eta_min, (float, int)):
        raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
    _base(base_lr)
    cfg = {"eta_min": eta_min, "base_lr": base_lr}
    v.non_negative(cfg, "eta_min")
    v.at_most(cfg, "eta_min", "base_lr")
    return cosine_restarts.bind(peak_lr=base_lr, cycle_steps=T_0, cycle_mult=T_mult, min_lr=eta_min)


# ----------------------------------------------------------------------------------------------
# cyclic and one-cycle (they set the lr absolutely: no base_lr)
# ----------------------------------------------------------------------------------------------


def _cyclic_config(
    step_size_up: Any, step_size_down: Any, mode: str, gamma: Any, scale_fn: Any, last_epoch: int
) -> dict[str, Any]:
    _no_resume(last_epoch)
    if scale_fn is not None:
        raise TypeError(
            "Argument `scale_fn` is a Python callable, which is not config: lrfuncs schedules are pure and "
            "serializable. Use `mode` ('triangular', 'triangular2', 'exp_range'), or lrfuncs.cyclic with "
            f"`scale_mode`. Received: scale_fn={scale_fn!r}"
        )
    if mode not in ("triangular", "triangular2", "exp_range"):
        raise ValueError(f"mode is invalid and scale_fn is None. Received: mode={mode!r}")
    # torch uses gamma only in exp_range mode (and ignores scale_mode for its built-in modes)
    return {
        "up_steps": step_size_up,
        "down_steps": step_size_down,
        "mode": mode,
        "gamma": gamma if mode == "exp_range" else 1.0,
        "scale_mode": None,
    }


def CyclicLR(
    base_lr: Any,
    max_lr: Any,
    step_size_up: Any = 2000,
    step_size_down: Any = None,
    mode: str = "triangular",
    gamma: Any = 1.0,
    scale_fn: Callable[[float], float] | None = None,
    scale_mode: str = "cycle",
    cycle_momentum: bool = True,
    base_momentum: Any = 0.8,
    max_momentum: Any = 0.9,
    last_epoch: int = -1,
) -> Schedule[Any]:
    r"""torch ``CyclicLR(optimizer, base_lr, max_lr, ...)``: the triangular cyclical lr.

    ``base_lr`` is torch's own argument (torch overwrites the group's lr with it). Returns
    ``cyclic(min_lr=base_lr, peak_lr=max_lr, up_steps=step_size_up,
    down_steps=step_size_down, mode=mode, gamma=gamma)`` (``gamma`` only for
    ``"exp_range"``, the only mode torch uses it in). ``scale_mode``, ``cycle_momentum``
    and the momentum arguments do not change the lr (torch fixes ``scale_mode`` for its
    built-in modes); the momentum is :func:`CyclicLRMomentum`. The core's ranges apply:
    ``0 <= base_lr <= max_lr``, ``step_size_up > 0``, ``gamma`` in ``(0, 1]``.

    >>> from lrfuncs.compat.torch import CyclicLR
    >>> s = CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=2)
    >>> [round(s(k), 4) for k in range(5)]
    [0.1, 0.55, 1.0, 0.55, 0.1]
    """
    cfg = _cyclic_config(step_size_up, step_size_down, mode, gamma, scale_fn, last_epoch)
    return cyclic.bind(min_lr=base_lr, peak_lr=max_lr, **cfg)


def CyclicLRMomentum(
    base_lr: Any,
    max_lr: Any,
    step_size_up: Any = 2000,
    step_size_down: Any = None,
    mode: str = "triangular",
    gamma: Any = 1.0,
    scale_fn: Callable[[float], float] | None = None,
    scale_mode: str = "cycle",
    cycle_momentum: bool = True,
    base_momentum: Any = 0.8,
    max_momentum: Any = 0.9,
    last_epoch: int = -1,
) -> Schedule[Any]:
    r"""The momentum of torch ``CyclicLR(..., cycle_momentum=True)``, for the same arguments as :func:`CyclicLR`.

    What torch writes into ``group["momentum"]`` (or ``group["betas"][0]``) for update
    ``k``: ``max_momentum`` where the lr is lowest, ``base_momentum`` at its peak.
    Returns ``cyclic_momentum(base_momentum, max_momentum, up_steps=step_size_up,
    down_steps=step_size_down, mode, gamma)``. ``cycle_momentum=False`` is a
    ``ValueError`` (torch leaves the momentum alone: there is no schedule).

    >>> from lrfuncs.compat.torch import CyclicLRMomentum
    >>> m = CyclicLRMomentum(base_lr=0.1, max_lr=1.0, step_size_up=2)
    >>> [round(m(k), 4) for k in range(5)]
    [0.9, 0.85, 0.8, 0.85, 0.9]
    """
    if cycle_momentum is not True:
        raise ValueError(
            "Argument `cycle_momentum` must be True for a momentum schedule: with False torch leaves the "
            f"momentum alone. Received: cycle_momentum={cycle_momentum!r}"
        )
    cfg = _cyclic_config(step_size_up, step_size_down, mode, gamma, scale_fn, last_epoch)
    cyclic.bind(min_lr=base_lr, peak_lr=max_lr, **cfg)  # the lr arguments are validated as in CyclicLR
    return cyclic_momentum.bind(base_momentum=base_momentum, max_momentum=max_momentum, **cfg)


def _onecycle_total(
    total_steps: Any, epochs: Any, steps_per_epoch: Any, pct_start: Any, anneal_strategy: str, last_epoch: int
) -> int:
    """torch's validation of ``OneCycleLR``, with its messages; the total number of steps."""
    _no_resume(last_epoch)
    if total_steps is not None:
        if total_steps <= 0 or not isinstance(total_steps, int):
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        total = total_steps
    elif epochs is not None and steps_per_epoch is not None:
        if not isinstance(epochs, int) or epochs <= 0:
            raise ValueError(f"Expected positive integer epochs, but got {epochs}")
        if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
            raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
        total = epochs * steps_per_epoch
    else:
        raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
    if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
        raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
    if anneal_strategy not in ["cos", "linear"]:
        raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
    if float(pct_start * total) - 1 == 0:  # torch's first phase has length 0: 0 / 0 at step 0
        raise ValueError(
            "Argument `pct_start` times `total_steps` must not be 1: torch's warmup phase then has length 0 "
            f"and OneCycleLR raises ZeroDivisionError. Received: pct_start={pct_start}, total_steps={total}"
        )
    return total


def OneCycleLR(
    max_lr: Any,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    cycle_momentum: bool = True,
    base_momentum: Any = 0.85,
    max_momentum: Any = 0.95,
    div_factor: Any = 25.0,
    final_div_factor: Any = 1e4,
    three_phase: bool = False,
    last_epoch: int = -1,
) -> Schedule[Any]:
    r"""torch ``OneCycleLR(optimizer, max_lr, ...)``: up from ``max_lr / div_factor`` to ``max_lr``, then down.

    Returns ``onecycle(peak_lr=max_lr, total_steps, pct_start, anneal=anneal_strategy,
    div_factor, final_div_factor, three_phase, convention="torch")``, with ``total_steps``
    or ``epochs * steps_per_epoch`` (torch's precedence and validation messages). The
    final lr ``max_lr / (div_factor * final_div_factor)`` is used by update
    ``total_steps - 1`` and held after it: torch extrapolates one step further (the lr
    rises again) and then raises ``ValueError("Tried to step ...")``. ``pct_start *
    total_steps == 1`` is a ``ValueError`` (torch: ``ZeroDivisionError``), and so is
    ``three_phase=True`` with ``pct_start > 0.5``. The momentum is :func:`OneCycleLRMomentum`.

    >>> from lrfuncs.compat.torch import OneCycleLR
    >>> s = OneCycleLR(max_lr=1.0, total_steps=10)
    >>> [round(s(k), 6) for k in (0, 1, 2, 9, 10, 100)]
    [0.04, 0.52, 1.0, 4e-06, 4e-06, 4e-06]
    """
    total = _onecycle_total(total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, last_epoch)
    return onecycle.bind(
        peak_lr=max_lr,
        total_steps=total,
        pct_start=pct_start,
        anneal=anneal_strategy,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
        three_phase=three_phase,
        convention="torch",
    )


def OneCycleLRMomentum(
    max_lr: Any,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    cycle_momentum: bool = True,
    base_momentum: Any = 0.85,
    max_momentum: Any = 0.95,
    div_factor: Any = 25.0,
    final_div_factor: Any = 1e4,
    three_phase: bool = False,
    last_epoch: int = -1,
) -> Schedule[Any]:
    r"""The momentum of torch ``OneCycleLR(..., cycle_momentum=True)``, for the same arguments as :func:`OneCycleLR`.

    What torch writes into ``group["momentum"]`` (or ``group["betas"][0]``) for update
    ``k``: ``max_momentum -> base_momentum`` while the lr rises, back to ``max_momentum``
    while it falls. Returns ``onecycle_momentum(total_steps, pct_start,
    anneal=anneal_strategy, base_momentum, max_momentum, three_phase,
    convention="torch")``; held past the end like the lr. ``cycle_momentum=False`` is a
    ``ValueError`` (torch leaves the momentum alone).

    >>> from lrfuncs.compat.torch import OneCycleLRMomentum
    >>> m = OneCycleLRMomentum(max_lr=1.0, total_steps=10)
    >>> [round(m(k), 5) for k in (0, 1, 2, 9)]
    [0.95, 0.9, 0.85, 0.95]
    """
    if cycle_momentum is not True:
        raise ValueError(
            "Argument `cycle_momentum` must be True for a momentum schedule: with False torch leaves the "
            f"momentum alone. Received: cycle_momentum={cycle_momentum!r}"
        )
    OneCycleLR(  # the lr arguments are validated as in OneCycleLR
        max_lr, total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, cycle_momentum,
        base_momentum, max_momentum, div_factor, final_div_factor, three_phase, last_epoch,
    )
    total = _onecycle_total(total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, last_epoch)
    return onecycle_momentum.bind(
        total_steps=total,
        pct_start=pct_start,
        anneal=anneal_strategy,
        base_momentum=base_momentum,
        max_momentum=max_momentum,
        three_phase=three_phase,
        convention="torch",
    )


# ----------------------------------------------------------------------------------------------
# SWALR
# ----------------------------------------------------------------------------------------------


def SWALR(
    swa_lr: Any, anneal_epochs: int = 10, anneal_strategy: str = "cos", last_epoch: int = -1, *, base_lr: Any
) -> Schedule[Any]:
    r"""torch ``swa_utils.SWALR(optimizer, swa_lr, anneal_epochs, anneal_strategy)``: anneal to ``swa_lr``, hold.

    From ``base_lr`` (the group's lr when SWALR is built) to ``swa_lr`` over
    ``anneal_epochs`` steps (``"cos"`` or ``"linear"``), then ``swa_lr``. Returns
    ``swa(init_lr=base_lr, swa_lr, anneal_steps=anneal_epochs, anneal=anneal_strategy)``.
    torch's validation (its messages): ``anneal_strategy`` ``"cos"`` or ``"linear"``,
    ``anneal_epochs`` an ``int >= 0``; ``swa_lr >= 0`` (one number: one schedule per param
    group). SWALR counts in whatever unit it is stepped (usually epochs): wrap in
    :func:`lrfuncs.in_epochs` to evaluate per update, or put it after the main schedule with
    :func:`SequentialLR` (torch then anneals from the lr the previous member left: pass
    that as ``base_lr``).

    >>> from lrfuncs.compat.torch import SWALR
    >>> s = SWALR(swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear", base_lr=1.0)
    >>> [round(s(k), 6) for k in range(6)]
    [1.0, 0.775, 0.55, 0.325, 0.1, 0.1]
    """
    _no_resume(last_epoch)
    if anneal_strategy not in ["cos", "linear"]:
        raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
    if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
        raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
    _base(base_lr)
    if isinstance(swa_lr, (list, tuple)):
        raise TypeError(
            "Argument `swa_lr` must be one number: an lrfuncs schedule is for one param group (build one per "
            f"group). Received: swa_lr={swa_lr!r}"
        )
    return swa.bind(init_lr=base_lr, swa_lr=swa_lr, anneal_steps=anneal_epochs, anneal=anneal_strategy)


# ----------------------------------------------------------------------------------------------
# composites: SequentialLR, ChainedScheduler
# ----------------------------------------------------------------------------------------------


def _schedules(name: str, schedulers: Any) -> tuple[Schedule[Any], ...]:
    if isinstance(schedulers, Schedule) or not isinstance(schedulers, (list, tuple)):
        raise TypeError(f"Argument `{name}` must be a list of lrfuncs schedules. Received: {name}={schedulers!r}")
    if len(schedulers) < 1:
        raise ValueError(f"Argument `{name}` must hold at least one scheduler. Received: {name}=[]")
    for i, s in enumerate(schedulers):
        if not isinstance(s, Schedule):
            raise TypeError(
                f"Argument `{name}` must hold lrfuncs schedules (e.g. lrfuncs.compat.torch.LinearLR(...)). "
                f"Received: {name}[{i}]={s!r}"
            )
    return tuple(schedulers)


def SequentialLR(schedulers: Sequence[Schedule[Any]], milestones: Sequence[int], last_epoch: int = -1) -> Schedule[Any]:
    r"""torch ``SequentialLR(optimizer, schedulers, milestones)``: one schedule after another.

    ``schedulers[i]`` runs from ``milestones[i-1]`` (inclusive) with its own clock starting
    at 0 there, as torch restarts a member at its epoch 0 at its milestone. Returns
    ``join(schedules=schedulers, boundaries=milestones, local_time=True)``. Members are
    any lrfuncs schedules (usually this module's). torch's checks: one milestone fewer
    than schedulers; milestones must also be whole numbers >= 0 in non-decreasing order
    (torch's ``bisect`` and ``==`` misbehave otherwise). Milestone 0 skips the members
    before it, as in torch 2.13.

    >>> from lrfuncs.compat.torch import ConstantLR, ExponentialLR, SequentialLR
    >>> s = SequentialLR([ConstantLR(factor=0.1, base_lr=1.0), ExponentialLR(gamma=0.5, base_lr=1.0)], [2])
    >>> [s(k) for k in range(5)]
    [0.1, 0.1, 1.0, 0.5, 0.25]
    """
    _no_resume(last_epoch)
    members = _schedules("schedulers", schedulers)
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, (list, tuple)):
        raise TypeError(f"Argument `milestones` must be a list of step indices. Received: milestones={milestones!r}")
    if len(milestones) != len(members) - 1:
        raise ValueError(
            "Sequential Schedulers expects number of schedulers provided to be one more "
            f"than the number of milestone points, but got number of schedulers {len(members)} and the "
            f"number of milestones to be equal to {len(milestones)}"
        )
    v.milestones({"milestones": milestones}, "milestones")
    if any(a > b for a, b in itertools.pairwise(milestones)):
        raise ValueError(
            "Argument `milestones` must be non-decreasing (torch bisects them). "
            f"Received: milestones={list(milestones)}"
        )
    return join.bind(schedules=members, boundaries=tuple(milestones), local_time=True)


def _factors(i: int, member: Schedule[Any]) -> tuple[list[Schedule[Any]], Any]:
    """The factor schedules and base lr of a chainable member (or of a nested chain)."""
    if member.name == "scale" and member.config["inner"].name in CHAINABLE:
        return [member.config["inner"]], member.config["factor"]
    if member.name == "product" and all(s.name in CHAINABLE for s in member.config["schedules"]):
        return list(member.config["schedules"]), member.config["scale"]
    raise ValueError(
        "Argument `schedulers` must hold torch's chainable schedulers built by lrfuncs.compat.torch (StepLR, "
        "MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, or a ChainedScheduler of them): torch "
        "multiplies the lr by their factors, so the chain is their product. CosineAnnealingLR (affine in the lr, "
        "additive restart past T_max), CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts, SWALR and SequentialLR "
        "set the lr in ways that make a torch chain depend on the members' order; use lrfuncs.product for the "
        f"intended math. Received: schedulers[{i}]={member!r}"
    )


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # arrays of several values: only the same object counts as the same base_lr
        return False


def ChainedScheduler(schedulers: Sequence[Schedule[Any]]) -> Schedule[Any]:
    r"""torch ``ChainedScheduler(schedulers)``: every member steps the same lr, so their factors multiply.

    ``base_lr * f_1(k) * f_2(k) * ...`` for chainable members (:func:`StepLR`,
    :func:`MultiStepLR`, :func:`ConstantLR`, :func:`LinearLR`, :func:`ExponentialLR`,
    :func:`PolynomialLR`, or chains of them), all built with the same ``base_lr`` (in torch
    they share the optimizer); returns ``product(schedules=[f_1, f_2, ...],
    scale=base_lr)``. Other members are a ``ValueError`` (see the module docstring).
    ``ConstantLR(factor=0)`` works here (torch divides by zero at its ``total_iters``).

    >>> from lrfuncs.compat.torch import ChainedScheduler, ConstantLR, ExponentialLR
    >>> s = ChainedScheduler([ConstantLR(factor=0.1, total_iters=3, base_lr=1.0), ExponentialLR(0.9, base_lr=1.0)])
    >>> [round(s(k), 5) for k in range(5)]
    [0.1, 0.09, 0.081, 0.729, 0.6561]
    """
    members = _schedules("schedulers", schedulers)
    factors: list[Schedule[Any]] = []
    base: Any = None
    for i, member in enumerate(members):
        fs, b = _factors(i, member)
        if i and not _same(b, base):
            raise ValueError(
                "Argument `schedulers` must share one `base_lr` (torch's chained schedulers share the "
                f"optimizer's lr). Received: base_lr={base!r} for schedulers[0], base_lr={b!r} for schedulers[{i}]"
            )
        base = b
        factors.extend(fs)
    return product.bind(schedules=factors, scale=base)
