"""Composites: schedules built from other schedules (join, product, warmup, restarts, scaling, time maps).

A composite is a schedule like any other (``name(step, /, **config)``, ``.bind``,
every backend, picklable, ``to_dict``), whose config holds bound
:class:`~lrfuncs.Schedule` objects. Its kernel evaluates the children with
``child.evaluate(xp, t)`` on the same backend, so a composite of pure
schedules is pure and runs under ``jax.jit``/``vmap``/``grad`` and on torch
tensors. Children are always evaluated at a step >= 0 (the local time of
their phase); every child is evaluated on every call (no branching on the
step), and ``where`` picks the value.

>>> import lrfuncs
>>> warm = lrfuncs.warmup_constant.bind(peak_lr=1.0, warmup_steps=2, init_lr=0.0)
>>> cos = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=4)
>>> s = lrfuncs.join.bind(schedules=[warm, cos], boundaries=[2])
>>> [round(s(t), 4) for t in range(7)]
[0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .. import _validation as v
from .._cycles import locate
from .._dispatch import Ops
from .._phases import WARMUP_SHAPES, is_plain, linear_warmup, nonzero, phase_fraction, warmup_ramp
from .._schedule import Schedule, schedule

__all__ = ["clip", "in_epochs", "join", "product", "restarts", "scale", "shift", "with_warmup"]


def _child(cfg: Mapping[str, Any], name: str) -> Schedule[Any]:
    value = cfg[name]
    if not isinstance(value, Schedule):
        hint = " Bind it first: fn.bind(**config)." if hasattr(value, "spec") else ""
        raise TypeError(
            f"Argument `{name}` must be an lrfuncs Schedule (e.g. lrfuncs.cosine_decay.bind(...)).{hint} "
            f"Received: {name}={value!r}"
        )
    return value


def _children(cfg: Mapping[str, Any], name: str) -> tuple[Schedule[Any], ...]:
    value = cfg[name]
    if not isinstance(value, tuple) or not value:
        raise TypeError(f"Argument `{name}` must be a non-empty list of lrfuncs Schedules. Received: {name}={value!r}")
    for i, s in enumerate(value):
        if not isinstance(s, Schedule):
            raise TypeError(f"Argument `{name}` must hold lrfuncs Schedules. Received: {name}[{i}]={s!r}")
    return value


def _at(xp: Ops, t: Any, value: Any) -> Any:
    """``value`` broadcast like the step ``t`` (a constant step for a child's kernel)."""
    return t * 0.0 + value


def _relabel(marks: list[tuple[str, float]], offset: float, prefix: str, keep_end: bool) -> list[tuple[str, float]]:
    out = []
    for label, step in marks:
        if label == "end" and not keep_end:
            label = f"{prefix} end"
        out.append((label, step + offset))
    return out


# ----------------------------------------------------------------------------------------------
# join
# ----------------------------------------------------------------------------------------------


def _join_bounds(boundaries: Any, fractions: Any, total_steps: Any) -> list[Any]:
    if fractions is None:
        return list(boundaries or ())
    out, acc = [], 0.0
    for f in fractions[:-1]:
        acc += f
        out.append(acc * total_steps)
    return out


def _check_join(cfg: Mapping[str, Any]) -> None:
    children = _children(cfg, "schedules")
    v.flag(cfg, "local_time")
    b, f = cfg["boundaries"], cfg["fractions"]
    if b is not None and f is not None:
        raise v.fail(cfg, "and `fractions` are exclusive: give one", "boundaries", "fractions")
    if f is None:
        if cfg["total_steps"] is not None:
            raise v.fail(cfg, "is only used with `fractions`", "total_steps", "boundaries")
        bounds = tuple(b or ())
        if len(bounds) != len(children) - 1:
            raise ValueError(
                f"Argument `boundaries` must hold one step per switch, len(schedules) - 1 = {len(children) - 1}. "
                f"Received: boundaries={list(bounds)}"
            )
        for i, x in enumerate(bounds):
            v.non_negative({f"boundaries[{i}]": x}, f"boundaries[{i}]")
        if any(x > y for x, y in itertools.pairwise(bounds)):
            raise ValueError(f"Argument `boundaries` must be non-decreasing. Received: boundaries={list(bounds)}")
        return
    if len(f) != len(children):
        raise ValueError(
            f"Argument `fractions` must hold one fraction per schedule ({len(children)}). Received: fractions={list(f)}"
        )
    for i, x in enumerate(f):
        v.between({f"fractions[{i}]": x}, f"fractions[{i}]", 0.0, 1.0)
    if abs(sum(f) - 1.0) > 1e-9:
        raise ValueError(f"Argument `fractions` must sum to 1. Received: fractions={list(f)} (sum {sum(f)!r})")
    if cfg["total_steps"] is None:
        raise v.fail(cfg, "is required with `fractions` (the fractions are of total_steps)", "total_steps", "fractions")
    v.positive(cfg, "total_steps")


def _join_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    children = cfg["schedules"]
    bounds = [float(b) for b in _join_bounds(cfg["boundaries"], cfg["fractions"], cfg["total_steps"])]
    starts = [0.0, *bounds]
    ends = [*bounds, math.inf]
    out: list[tuple[str, float]] = []
    for k, child in enumerate(children):
        if k:
            out.append((f"switch to {child.name}", starts[k]))
        offset = starts[k] if cfg["local_time"] else 0.0
        last = k == len(children) - 1
        for label, step in _relabel(child.landmarks(), offset, child.name, keep_end=last):
            if starts[k] <= step < ends[k] or (last and label == "end"):
                out.append((label, step))
    return out


@schedule(_check_join, _join_landmarks)
def join(
    xp: Ops,
    t: Any,
    /,
    schedules: Sequence[Schedule[Any]],
    boundaries: Sequence[float] | None = None,
    fractions: Sequence[float] | None = None,
    total_steps: Any = None,
    local_time: bool = True,
) -> Any:
    r"""One schedule after another: ``schedules[k]`` from ``boundaries[k-1]`` (inclusive) on.

    .. math::
        \mathrm{lr}(t) = s_k(t - b_{k-1}) \quad \text{for } b_{k-1} \le t < b_k
        \qquad (b_{-1} = 0,\; b_{n-1} = \infty)

    With ``local_time=True`` (the default) each schedule starts its own clock at
    its boundary, as optax ``join_schedules`` and torch ``SequentialLR`` do (a
    member of ``SequentialLR`` restarts at its epoch 0 at its milestone); with
    ``local_time=False`` every member reads the global step.

    Boundaries may instead be given as ``fractions`` of ``total_steps`` (one per
    schedule, summing to 1), as fastai's ``combine_scheds(pcts, scheds)``:
    the boundaries are ``total_steps * cumsum(fractions)[:-1]``.

    A join of one schedule is that schedule.

    >>> import lrfuncs
    >>> a = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=2)
    >>> b = lrfuncs.cosine_decay.bind(peak_lr=0.5, total_steps=2)
    >>> s = lrfuncs.join.bind(schedules=[a, b], fractions=[0.5, 0.5], total_steps=4)
    >>> [s(t) for t in range(6)]
    [1.0, 0.5, 0.5, 0.25, 0.0, 0.0]
    """
    out = schedules[0].evaluate(xp, t)
    for b, child in zip(_join_bounds(boundaries, fractions, total_steps), schedules[1:], strict=True):
        local = xp.maximum(t - b, 0.0) if local_time else t
        out = xp.where(t >= b, child.evaluate(xp, local), out)
    return out


# ----------------------------------------------------------------------------------------------
# product, scale, clip
# ----------------------------------------------------------------------------------------------


def _check_product(cfg: Mapping[str, Any]) -> None:
    _children(cfg, "schedules")
    v.non_negative(cfg, "scale")


def _product_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    marks = [m for child in cfg["schedules"] for m in child.landmarks()]
    ends = [step for label, step in marks if label == "end"]
    out = [m for m in marks if m[0] != "end"]
    return [*out, ("end", max(ends))] if ends else out


@schedule(_check_product, _product_landmarks)
def product(xp: Ops, t: Any, /, schedules: Sequence[Schedule[Any]], scale: Any = 1.0) -> Any:
    r"""The product of schedules (times ``scale``): factors that compose multiplicatively.

    .. math:: \mathrm{lr}(t) = \mathrm{scale} \cdot \prod_k s_k(t)

    torch ``ChainedScheduler`` (and ``MultiplicativeLR`` with a closed-form
    factor) multiply the lr by each member's factor; with lrfuncs each member
    gives a factor (peak 1) and ``scale`` is the base lr. A product with the
    constant 1 is the schedule itself.

    >>> import lrfuncs
    >>> warm = lrfuncs.constant_factor.bind(peak_lr=1.0, factor=0.1, factor_steps=3)
    >>> decay = lrfuncs.exponential_decay.bind(peak_lr=1.0, decay_rate=0.9)
    >>> s = lrfuncs.product.bind(schedules=[warm, decay], scale=1.0)
    >>> [round(s(t), 5) for t in range(5)]
    [0.1, 0.09, 0.081, 0.729, 0.6561]
    """
    out = schedules[0].evaluate(xp, t)
    for child in schedules[1:]:
        out = out * child.evaluate(xp, t)
    return out if is_plain(scale, 1.0) else scale * out


def _check_scale(cfg: Mapping[str, Any]) -> None:
    _child(cfg, "inner")
    v.non_negative(cfg, "factor")


def _inner_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return cfg["inner"].landmarks()


@schedule(_check_scale, _inner_landmarks)
def scale(xp: Ops, t: Any, /, inner: Schedule[Any], factor: Any) -> Any:
    r"""A schedule times a constant: ``lr(t) = factor * s(t)`` (e.g. per parameter group).

    >>> import lrfuncs
    >>> s = lrfuncs.scale.bind(inner=lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10), factor=0.1)
    >>> s(0), s(10)
    (0.1, 0.0)
    """
    return factor * inner.evaluate(xp, t)


def _check_clip(cfg: Mapping[str, Any]) -> None:
    _child(cfg, "inner")
    if cfg["min_lr"] is None and cfg["max_lr"] is None:
        raise v.fail(cfg, "or `max_lr` must be given (clip to what?)", "min_lr", "max_lr")
    if cfg["min_lr"] is not None:
        v.non_negative(cfg, "min_lr")
    if cfg["max_lr"] is not None:
        v.non_negative(cfg, "max_lr")
    if cfg["min_lr"] is not None and cfg["max_lr"] is not None:
        v.at_most(cfg, "min_lr", "max_lr")


@schedule(_check_clip, _inner_landmarks)
def clip(xp: Ops, t: Any, /, inner: Schedule[Any], min_lr: Any = None, max_lr: Any = None) -> Any:
    r"""A schedule clipped to ``[min_lr, max_lr]`` (either bound may be omitted).

    .. math:: \mathrm{lr}(t) = \min(\max(s(t), \mathrm{min\_lr}), \mathrm{max\_lr})

    The guide's "never below 10% of the peak" recipe is ``clip(cosine, min_lr=0.1 * peak)``.

    >>> import lrfuncs
    >>> s = lrfuncs.clip.bind(inner=lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10), min_lr=0.1)
    >>> round(s(5), 6), s(10)
    (0.5, 0.1)
    """
    out = inner.evaluate(xp, t)
    if min_lr is not None:
        out = xp.maximum(out, min_lr)
    if max_lr is not None:
        out = xp.minimum(out, max_lr)
    return out


# ----------------------------------------------------------------------------------------------
# with_warmup
# ----------------------------------------------------------------------------------------------


def _check_with_warmup(cfg: Mapping[str, Any]) -> None:
    _child(cfg, "inner")
    v.non_negative(cfg, "warmup_steps")
    v.flag(cfg, "total_includes_warmup")
    v.exclusive(cfg, "init_lr", "init_lr_ratio")
    if cfg["init_lr"] is not None:
        v.non_negative(cfg, "init_lr")
    if cfg["init_lr_ratio"] is not None:
        v.between(cfg, "init_lr_ratio", 0.0, 1.0)
    v.choice(cfg, "shape", WARMUP_SHAPES)


def _with_warmup_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    w = float(cfg["warmup_steps"])
    inner = cfg["inner"].landmarks()
    if cfg["total_includes_warmup"]:
        inner = [(label, step) for label, step in inner if step >= w or label == "end"]
    else:
        inner = [(label, step + w) for label, step in inner]
    return [("warmup end", w), *inner] if w > 0 else inner


@schedule(_check_with_warmup, _with_warmup_landmarks)
def with_warmup(
    xp: Ops,
    t: Any,
    /,
    inner: Schedule[Any],
    warmup_steps: Any,
    total_includes_warmup: bool,
    init_lr: Any = None,
    init_lr_ratio: Any = None,
    shape: str = "linear",
) -> Any:
    r"""Any schedule behind a warmup of ``warmup_steps`` (``W``) steps.

    ``total_includes_warmup`` must be stated (anchors disagree, anchors.md §3.3):

    * ``False``: the schedule starts its clock after the warmup,
      ``lr(t) = s(t - W)`` for ``t >= W``, and the warmup ramps to ``s(0)``
      (optax ``join_schedules``, keras ``CosineDecay(warmup_steps)``, timm
      ``warmup_prefix=True``, torch ``SequentialLR([LinearLR, ...])``): the run
      lasts ``W +`` the schedule's own length.
    * ``True``: the schedule reads the global step, ``lr(t) = s(t)`` for
      ``t >= W``, and the warmup ramps to ``s(W)`` (HF's ``num_training_steps``
      includes the warmup); the ramp meets the schedule continuously (unlike timm
      ``warmup_prefix=False``, whose ramp jumps).

    The ramp ``g(t / W)`` is ``linear``, ``cosine`` (``(1 - cos(pi f)) / 2``) or
    ``1-sqrt`` (``1 - sqrt(1 - f)``), from the start value ``a`` to the target ``p``:

    .. math:: \mathrm{lr}(t) = a + (p - a)\, g(t / W) \quad (t < W)

    ``a = init_lr`` (absolute) or ``init_lr_ratio * p``; by default ``p / (W + 1)``
    with the linear ramp (every warmup update moves the lr by the same amount
    and the first update is not wasted on 0; ``init_lr=0.0`` is HF/optax).
    A warmup of length 0 is the schedule itself.

    >>> import lrfuncs
    >>> cos = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=4)
    >>> s = lrfuncs.with_warmup.bind(inner=cos, warmup_steps=3, total_includes_warmup=False, init_lr=0.0)
    >>> [round(s(t), 4) for t in range(8)]
    [0.0, 0.3333, 0.6667, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """
    w = warmup_steps
    inner_t = t if total_includes_warmup else xp.maximum(t - w, 0.0)
    after = inner.evaluate(xp, inner_t)
    if is_plain(w, 0):
        return after
    target = inner.evaluate(xp, _at(xp, t, w if total_includes_warmup else 0.0))
    if shape == "linear" and init_lr_ratio is None:
        ramped = linear_warmup(xp, t, target, w, init_lr)
    else:
        start = init_lr_ratio * target if init_lr_ratio is not None else (
            target / (w + 1.0) if init_lr is None else init_lr
        )
        ramped = start + (target - start) * warmup_ramp(xp, phase_fraction(xp, t, w), shape)
    return xp.where(t < w, ramped, after)


# ----------------------------------------------------------------------------------------------
# restarts
# ----------------------------------------------------------------------------------------------


def _check_restarts(cfg: Mapping[str, Any]) -> None:
    _child(cfg, "inner")
    v.positive(cfg, "cycle_steps")
    v.positive(cfg, "cycle_mult")
    v.between(cfg, "peak_decay", 0.0, 1.0, lo_open=True)
    if cfg["max_cycles"] is not None:
        v.integer(cfg, "max_cycles", minimum=1)
    m = v.concrete(cfg, "cycle_mult")
    if m is not None and m < 1 and cfg["max_cycles"] is None:
        raise v.fail(cfg, "< 1 needs `max_cycles` (shrinking cycles would restart infinitely often)",
                     "cycle_mult", "max_cycles")
    v.non_negative(cfg, "cycle_warmup_steps")
    v.at_most(cfg, "cycle_warmup_steps", "cycle_steps", strict=True)
    if cfg["min_lr"] is not None:
        v.non_negative(cfg, "min_lr")
    v.choice(cfg, "decay_mode", ("peak", "amplitude"))
    cw = v.concrete(cfg, "cycle_warmup_steps")
    if cw and m is not None and m < 1:
        raise v.fail(cfg, "needs `cycle_mult` >= 1 (shrinking cycles would get shorter than their warmup)",
                     "cycle_warmup_steps", "cycle_mult")


#: Restarts listed by ``Schedule.landmarks()`` when the cycles never end.
MAX_LISTED_RESTARTS = 100


def _restarts_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    cs, m, n = float(cfg["cycle_steps"]), float(cfg["cycle_mult"]), cfg["max_cycles"]
    out: list[tuple[str, float]] = []
    start, length = 0.0, cs
    for i in range(1, (n if n is not None else MAX_LISTED_RESTARTS + 1) + 1):
        start, length = start + length, length * m
        out.append(("end" if i == n else f"restart {i}", start))
    return out


@schedule(_check_restarts, _restarts_landmarks)
def restarts(
    xp: Ops,
    t: Any,
    /,
    inner: Schedule[Any],
    cycle_steps: Any,
    cycle_mult: Any = 1.0,
    peak_decay: Any = 1.0,
    max_cycles: Any = None,
    cycle_warmup_steps: Any = 0,
    min_lr: Any = None,
    decay_mode: str = "peak",
) -> Any:
    r"""Any schedule restarted in cycles (warm restarts of an arbitrary shape).

    Cycle ``i`` lasts ``L_i = cycle_steps * cycle_mult**i`` steps (``cycle_mult``
    a float; < 1 needs ``max_cycles``). The schedule ``s`` is written for one
    cycle of ``cycle_steps`` steps and is stretched to each cycle's length; the
    whole cycle is scaled by ``peak_decay**i`` (fairseq's ``lr_shrink``, which
    shrinks peak and floor alike). With ``min_lr`` given, the floor is kept and
    only the peak decays, as torch and timm do (``cosine_restarts``, timm's
    ``cycle_decay`` for any shape): the cycle's values ``v`` are mapped from
    ``[min_lr, p]`` onto ``[min_lr, d**i * p]``, with ``p`` the inner schedule's
    ``peak_lr`` (``s(0)`` if it has none). ``decay_mode="amplitude"``
    decays the distance to the floor instead, ``f + d**i (v - f)`` (keras
    ``CosineDecayRestarts`` with ``alpha`` and ``m_mul``). With ``tau`` the step
    within cycle ``i``, ``C_i = cycle_warmup_steps`` for ``i >= 1`` (0 for the
    first cycle) and ``v = s((tau - C_i) / (L_i - C_i) * cycle_steps)``:

    .. math::
        \mathrm{lr}(t) = d^{\,i}\, v
        \quad\text{or, with a floor } f,\quad
        f + \frac{d^{\,i} p - f}{p - f}\,(v - f)
        \quad\text{or (amplitude)}\quad f + d^{\,i}\,(v - f)

    During the first ``C_i`` steps of a restart the lr ramps linearly from the
    previous cycle's final value to the new cycle's start (one ramp step above
    the former, like every lrfuncs warmup). After ``max_cycles`` cycles the final
    value of the last cycle holds.

    >>> import lrfuncs
    >>> lin = lrfuncs.piecewise_interpolate.bind(boundaries=[0, 4], values=[1.0, 0.0])
    >>> s = lrfuncs.restarts.bind(inner=lin, cycle_steps=4, cycle_mult=2, peak_decay=0.5, max_cycles=2)
    >>> [s(t) for t in (0, 2, 4, 8, 12, 20)]
    [1.0, 0.5, 0.5, 0.25, 0.0, 0.0]
    """
    cs = cycle_steps
    cyc = locate(xp, t, cs, cycle_mult)
    i, tau, length = cyc.index, t - cyc.start, cyc.length
    if max_cycles is not None:
        done = i >= max_cycles
        last = max_cycles - 1.0
        i = xp.where(done, last, i)
        if not is_plain(cycle_mult, 1.0):  # (with cycle_mult 1 every cycle is cs long already)
            length = xp.where(done, cs * cyc.m_safe**last, length)
        tau = xp.where(done, length, tau)
    cw: Any = 0.0
    if not is_plain(cycle_warmup_steps, 0):
        cw = cycle_warmup_steps * xp.indicator(i >= 1.0, i)
    anneal = length - cw
    if is_plain(cycle_mult, 1.0) and is_plain(cycle_warmup_steps, 0):
        u = xp.minimum(tau, cs)  # no stretching: the child reads the exact step within its cycle
    else:
        u = xp.clip(xp.maximum(tau - cw, 0.0) / nonzero(xp, anneal) * cs, 0.0, cs)
    plain_decay = is_plain(peak_decay, 1.0)
    if min_lr is None or plain_decay:

        def decayed(k: Any, value: Any) -> Any:  # cycle k's value for the inner schedule's ``value``
            return value if plain_decay else peak_decay**k * value

    elif decay_mode == "amplitude":

        def decayed(k: Any, value: Any) -> Any:
            return min_lr + peak_decay**k * (value - min_lr)

    else:
        # the cycle's top: the inner schedule's peak_lr where it has one (a tanh never quite reaches it), else s(0)
        top0 = inner.config.get("peak_lr")
        if top0 is None or isinstance(top0, Schedule):
            top0 = inner.evaluate(xp, _at(xp, t, 0.0))
        span = nonzero(xp, top0 - min_lr)

        def decayed(k: Any, value: Any) -> Any:
            return min_lr + (peak_decay**k * top0 - min_lr) / span * (value - min_lr)

    lr = decayed(i, inner.evaluate(xp, u))
    if not is_plain(cycle_warmup_steps, 0):
        top = decayed(i, inner.evaluate(xp, _at(xp, t, 0.0)))
        prev_end = decayed(i - 1.0, inner.evaluate(xp, _at(xp, t, cs)))
        ramped = linear_warmup(xp, tau, top - prev_end, cw, None) + prev_end
        lr = xp.where(tau < cw, ramped, lr)
    return lr


# ----------------------------------------------------------------------------------------------
# time maps: in_epochs, shift
# ----------------------------------------------------------------------------------------------


def _check_in_epochs(cfg: Mapping[str, Any]) -> None:
    _child(cfg, "inner")
    v.positive(cfg, "steps_per_epoch")
    v.flag(cfg, "staircase")


def _in_epochs_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    spe = float(cfg["steps_per_epoch"])
    out = []
    for label, epoch in cfg["inner"].landmarks():
        step = math.ceil(epoch) * spe if cfg["staircase"] else epoch * spe
        out.append((label, step))
    return out


@schedule(_check_in_epochs, _in_epochs_landmarks)
def in_epochs(xp: Ops, t: Any, /, inner: Schedule[Any], steps_per_epoch: Any, staircase: bool = False) -> Any:
    r"""A schedule written in epochs, evaluated per optimizer update.

    .. math::
        \mathrm{lr}(t) = s(t / \mathrm{steps\_per\_epoch})
        \quad\text{or, with staircase,}\quad s(\lfloor t / \mathrm{steps\_per\_epoch} \rfloor)

    ``staircase=True`` reproduces a torch scheduler stepped once per epoch
    exactly while the lr is read per batch; ``staircase=False`` is the smooth
    per-batch version (torch's ``step(epoch + i / iters)`` for
    ``CosineAnnealingWarmRestarts``, timm's ``t_in_epochs=False``).

    >>> import lrfuncs
    >>> per_epoch = lrfuncs.step_decay.bind(peak_lr=1.0, step_size=2, gamma=0.5)
    >>> s = lrfuncs.in_epochs.bind(inner=per_epoch, steps_per_epoch=10, staircase=True)
    >>> s(19), s(20), s(45)
    (1.0, 0.5, 0.25)
    """
    if staircase:
        return inner.evaluate(xp, xp.floor_div(t, steps_per_epoch))
    return inner.evaluate(xp, t / steps_per_epoch)


def _check_shift(cfg: Mapping[str, Any]) -> None:
    _child(cfg, "inner")
    v.concrete(cfg, "offset")


def _shift_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [(label, max(step - cfg["offset"], 0.0)) for label, step in cfg["inner"].landmarks()]


@schedule(_check_shift, _shift_landmarks)
def shift(xp: Ops, t: Any, /, inner: Schedule[Any], offset: Any) -> Any:
    r"""A schedule moved in time: ``lr(t) = s(max(t + offset, 0))``.

    ``offset=1`` makes update ``t`` use the value the schedule gives update
    ``t + 1`` (HF's ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` is the
    usual warmup-cosine shifted by one); a negative ``offset`` delays the
    schedule, holding its first value.

    >>> import lrfuncs
    >>> s = lrfuncs.shift.bind(inner=lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=4), offset=-2)
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 1.0, 1.0, 0.8536, 0.5]
    """
    return inner.evaluate(xp, xp.maximum(t + offset, 0.0))
