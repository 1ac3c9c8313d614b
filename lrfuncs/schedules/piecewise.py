"""Piecewise schedules given by their values: constant pieces, or knots joined by linear/cosine pieces.

Math and validation of ``piecewise_constant`` and ``piecewise_interpolate`` live
here. ``boundaries`` are plain numbers (they select code); ``values`` may be a
list of numbers or an array (numpy, JAX, torch) whose first axis runs over the
values, e.g. of shape ``(n, K, 1)`` for a sweep of ``K`` curves.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import cos_interp
from .._schedule import schedule

SWITCHES = ("at", "after")
INTERPOLATIONS = ("linear", "cosine")


def _check_boundaries(cfg: Mapping[str, Any]) -> None:
    """A list of finite numbers >= 0 in non-decreasing order (repeats allowed)."""
    bs = cfg["boundaries"]
    if isinstance(bs, (str, bytes)) or not isinstance(bs, (tuple, list)):
        raise TypeError(f"Argument `boundaries` must be a list or tuple of steps. Received: boundaries={bs!r}")
    for b in bs:
        if isinstance(b, bool) or not isinstance(b, numbers.Real) or not 0 <= float(b) < math.inf:
            raise ValueError(f"Argument `boundaries` must hold finite numbers >= 0. Received: boundaries={list(bs)}")
    if any(a > b for a, b in itertools.pairwise(bs)):
        raise ValueError(f"Argument `boundaries` must be sorted (non-decreasing). Received: boundaries={list(bs)}")


def _check_values(cfg: Mapping[str, Any], count: int, relation: str) -> None:
    """``count`` finite numbers >= 0 (a list or tuple), or an array (not inspected)."""
    vs = cfg["values"]
    if hasattr(vs, "shape") and hasattr(vs, "dtype"):  # array-valued: not inspected (but its length)
        if len(vs.shape) == 0:
            raise ValueError(f"Argument `values` must have a first axis over the values. Received: values={vs!r}")
        n = int(vs.shape[0])
    else:
        if isinstance(vs, (str, bytes)) or not isinstance(vs, (tuple, list)):
            raise TypeError(f"Argument `values` must be a list or tuple of numbers. Received: values={vs!r}")
        for x in vs:
            if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= float(x) < math.inf:
                raise ValueError(f"Argument `values` must hold finite numbers >= 0. Received: values={list(vs)}")
        n = len(vs)
    if n != count:
        raise ValueError(
            f"Argument `values` must have {relation}. Received: {n} values and "
            f"{len(cfg['boundaries'])} boundaries (boundaries={list(cfg['boundaries'])})"
        )


def _zeros_like(xp: Ops, t: Any) -> Any:
    return xp.indicator(t < 0, t)  # zeros shaped like t (steps are >= 0)


def _check_piecewise_constant(cfg: Mapping[str, Any]) -> None:
    _check_boundaries(cfg)
    _check_values(cfg, len(cfg["boundaries"]) + 1, "one more entry than `boundaries`")
    v.choice(cfg, "switch", SWITCHES)


def _piecewise_constant_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [("switch", float(b)) for b in cfg["boundaries"]]


@schedule(_check_piecewise_constant, _piecewise_constant_landmarks)
def piecewise_constant(
    xp: Ops, t: Any, /, boundaries: Sequence[float], values: Sequence[Any], switch: str = "at"
) -> Any:
    r"""Constant pieces: ``values[i]`` between ``boundaries[i-1]`` and ``boundaries[i]``.

    With ``b = boundaries`` (sorted, ``len(values) - 1`` of them):

    .. math:: \mathrm{lr}(t) = \mathrm{values}[\#\{i : b_i \le t\}]
       \quad (\mathrm{switch}=\texttt{"at"}), \qquad
       \mathrm{values}[\#\{i : b_i < t\}] \quad (\texttt{"after"})

    ``switch="at"`` (default) changes the value *at* the boundary, the library's
    convention and that of torch ``MultiStepLR`` / ``StepLR``, optax
    ``piecewise_constant_schedule`` and timm ``StepLRScheduler``;
    ``switch="after"`` changes it one step later (the boundary step keeps the earlier
    value), as keras ``PiecewiseConstantDecay(boundaries, values)`` does. A repeated
    boundary skips the value between its copies.

    The values are absolute. optax's ``piecewise_constant_schedule(init_value,
    boundaries_and_scales)`` takes cumulative *scales*: it equals ``boundaries =
    sorted(boundaries_and_scales)``, ``values = init_value * cumprod([1, *scales])``
    (scales in boundary order), ``switch="at"``. torch ``MultiStepLR(milestones, gamma)``
    is ``values = [base_lr * gamma**i for i in range(len(milestones) + 1)]`` at the
    sorted milestones.

    Past the last boundary ``values[-1]`` holds (no ``"end"`` landmark: like a step
    decay, the schedule has no planned length).

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      boundaries: steps where the value changes: finite numbers >= 0, sorted
        (repeats allowed, fractional allowed); a list is stored as a tuple.
      values: ``len(boundaries) + 1`` values >= 0, or an array whose first axis runs
        over them (not validated; e.g. shape ``(n, K, 1)`` for ``K`` curves).
      switch: ``"at"`` or ``"after"``.

    >>> import lrfuncs
    >>> [lrfuncs.piecewise_constant(t, boundaries=[3], values=[1.0, 0.1]) for t in range(6)]
    [1.0, 1.0, 1.0, 0.1, 0.1, 0.1]
    >>> [lrfuncs.piecewise_constant(t, boundaries=[3], values=[1.0, 0.1], switch="after") for t in range(6)]
    [1.0, 1.0, 1.0, 1.0, 0.1, 0.1]
    """
    out: Any = values[0] + _zeros_like(xp, t)
    for i, b in enumerate(boundaries):
        out = xp.where(t >= b if switch == "at" else t > b, values[i + 1], out)
    return out


def _check_piecewise_interpolate(cfg: Mapping[str, Any]) -> None:
    _check_boundaries(cfg)
    if not cfg["boundaries"]:
        raise ValueError("Argument `boundaries` must hold at least one knot. Received: boundaries=[]")
    _check_values(cfg, len(cfg["boundaries"]), "as many entries as `boundaries` (one value per knot)")
    v.choice(cfg, "interpolation", INTERPOLATIONS)


def _piecewise_interpolate_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    bs = [float(b) for b in cfg["boundaries"]]
    return [*((f"knot {i}", b) for i, b in enumerate(bs[:-1])), ("end", bs[-1])]


@schedule(_check_piecewise_interpolate, _piecewise_interpolate_landmarks)
def piecewise_interpolate(
    xp: Ops, t: Any, /, boundaries: Sequence[float], values: Sequence[Any], interpolation: str = "linear"
) -> Any:
    r"""Knots ``(boundaries[i], values[i])`` joined by linear or cosine pieces.

    For ``b_i \le t < b_{i+1}``, with ``p = (t - b_i) / (b_{i+1} - b_i)``:

    .. math::
        \mathrm{lr}(t) = v_i + (v_{i+1} - v_i)\, p \quad (\texttt{"linear"}), \qquad
        v_{i+1} + \tfrac{1}{2}(v_i - v_{i+1})\,(1 + \cos \pi p) \quad (\texttt{"cosine"})

    ``values[0]`` before the first knot, ``values[-1]`` from the last knot on (its
    ``"end"`` landmark). A repeated boundary is a jump: at the shared step the later
    knot's value applies (the empty piece between the copies is skipped).

    optax ``piecewise_interpolate_schedule(interpolate_type, init_value,
    boundaries_and_scales)`` equals ``boundaries = [0, *sorted(boundaries_and_scales)]``,
    ``values = init_value * cumprod([1, *scales])`` (scales in boundary order, optax
    accumulates them) and ``interpolation = interpolate_type``, with these caveats:

    * optax divides by ``maximum(b_{i+1} - b_i, 1)``: the same for whole-number
      boundaries; for a gap shorter than one step optax's piece stops short of the
      next knot and jumps, lrfuncs interpolates over the real gap.
    * optax's schedule is correct for one scalar ``count`` only: called on an array it
      silently returns wrong values (it is right under ``jax.vmap``); lrfuncs
      evaluates arrays directly.
    * optax places boundary 0 (``{0: scale}``) like a repeated knot: the scaled value
      from step 0 on, as here.

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      boundaries: knot steps: finite numbers >= 0, sorted (repeats allowed), at least one.
      values: one value >= 0 per knot, or an array whose first axis runs over them
        (not validated).
      interpolation: ``"linear"`` or ``"cosine"``.

    >>> import lrfuncs
    >>> [round(lrfuncs.piecewise_interpolate(t, boundaries=[0, 4, 8], values=[1.0, 0.1, 0.001],
    ...                                      interpolation="cosine"), 6) for t in range(0, 11, 2)]
    [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    """
    out: Any = values[0] + _zeros_like(xp, t)
    for i in range(len(boundaries) - 1):
        a, b = boundaries[i], boundaries[i + 1]
        if b == a:  # an empty piece: the jump happens at the next knot's where
            continue
        p = xp.clip((t - a) / (b - a), 0.0, 1.0)
        start, end = values[i], values[i + 1]
        val = cos_interp(xp, start, end, p) if interpolation == "cosine" else (end - start) * p + start
        out = xp.where(t >= a, val, out)
    return xp.where(t >= boundaries[-1], values[-1] + _zeros_like(xp, t), out)
