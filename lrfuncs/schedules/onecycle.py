"""The one-cycle policy (Smith & Topin 2018) and its momentum companion.

Math and validation of ``onecycle`` and ``onecycle_momentum`` live here. Both
share the phase boundaries computed by :func:`_knots`, so the momentum curve
turns exactly where the lr curve does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops, python_ops
from .._phases import PI, PLAIN, cos_interp, phase_fraction
from .._schedule import schedule

CONVENTIONS = ("torch", "optax")
ANNEALS = ("cos", "linear")


def _check_phases(cfg: Mapping[str, Any]) -> None:
    v.integer(cfg, "total_steps", minimum=1)
    v.between(cfg, "pct_start", 0.0, 1.0)
    v.choice(cfg, "anneal", ANNEALS)
    v.flag(cfg, "three_phase")
    v.choice(cfg, "convention", CONVENTIONS)
    if cfg["pct_final"] is not None:
        v.between(cfg, "pct_final", 0.0, 1.0)
        v.at_most(cfg, "pct_start", "pct_final")
        if cfg["three_phase"] is not True:  # two phases have no middle phase: it would be ignored
            msg = "sets the end of the middle phase: it needs `three_phase=True`"
            raise v.fail(cfg, msg, "pct_final", "three_phase")
    elif cfg["three_phase"]:
        pct = v.concrete(cfg, "pct_start")
        if pct is not None and pct > 0.5:
            raise v.fail(cfg, "must be <= 0.5 with `three_phase=True` (the symmetric phases would overlap)",
                         "pct_start", "three_phase")


def _knots(xp: Ops, total_steps: Any, pct_start: Any, three_phase: bool, pct_final: Any, convention: str) -> list[Any]:
    """Phase boundaries ``[0, e_1, ..., e_n]``; phase ``k`` runs from ``e_{k-1}`` to ``e_k``.

    torch: ``e_1 = pct_start*T - 1``, middle ``2*pct_start*T - 2`` (or
    ``pct_final*T - 1``), last ``T - 1``. optax: ``floor(pct_start*T)``,
    ``floor(pct_final*T)`` (symmetric ``floor(2*pct_start*T)``), last ``T``.
    """
    T = total_steps
    if convention == "torch":
        ends = [pct_start * T - 1.0]
        if three_phase:
            ends.append(2.0 * pct_start * T - 2.0 if pct_final is None else pct_final * T - 1.0)
        ends.append(T - 1.0)
    else:
        ends = [xp.floor(pct_start * T)]
        if three_phase:
            ends.append(xp.floor(2.0 * pct_start * T if pct_final is None else pct_final * T))
        ends.append(T * 1.0)
    return [0.0, *ends]


def _piecewise(xp: Ops, t: Any, knots: list[Any], values: list[Any], anneal: str) -> Any:
    """Interpolate ``values[k-1] -> values[k]`` over phase ``k``; hold the last value.

    A phase is chosen as torch does: the first phase whose end is ``>= t``,
    else the last one. The fraction of the phase is clipped to [0, 1], which
    holds the final value past the end (torch would extrapolate, then raise).

    On arrays the phase's bounds and values are selected per step first (cheap
    ``where``s), so the interpolation (a cosine) is evaluated once per step, not
    once per phase; on Python numbers each phase is a branch of its own (the
    scalar specialisation evaluates only the branch taken). Both evaluate the
    same operations for a step's phase, so the values are the same.
    """
    if xp.name == "python":
        return _piecewise_branches(xp, t, knots, values, anneal)
    n = len(knots) - 1
    zero = t * 0.0  # the selected bounds and values take the step's float type and shape
    cos = anneal == "cos"
    # per phase: its start, end, end value, and the interpolation's factor ((a - b) / 2 for cos, b - a linear)
    factors = [(values[k - 1] - values[k]) / 2.0 if cos else values[k] - values[k - 1] for k in range(1, n + 1)]
    start, end = zero + knots[n - 1], zero + knots[n]
    base, factor = zero + (values[n] if cos else values[n - 1]), zero + factors[n - 1]
    for k in range(n - 1, 0, -1):
        here = t <= knots[k]
        start = xp.where(here, knots[k - 1], start)
        end = xp.where(here, knots[k], end)
        base = xp.where(here, values[k] if cos else values[k - 1], base)
        factor = xp.where(here, factors[k - 1], factor)
    lengths = [knots[k] - knots[k - 1] for k in range(1, n + 1)]
    if all(x.__class__ in PLAIN and x != 0 for x in lengths):  # no empty phase: a plain division
        pct = xp.clip((t - start) / (end - start), 0.0, 1.0)
    else:  # the selected phase is empty only where t is past it: its fraction is 1
        pct = phase_fraction(xp, t - start, end - start)  # torch's (t - start) / (end - start), clipped
    # cos_interp(a, b, pct) = b + (a - b) / 2 * (cos(pi pct) + 1); linear: (b - a) * pct + a
    return base + factor * (xp.cos(PI * pct) + 1.0) if cos else factor * pct + base


def _piecewise_branches(xp: Ops, t: Any, knots: list[Any], values: list[Any], anneal: str) -> Any:
    out: Any = None
    for k in range(len(knots) - 1, 0, -1):
        start, end = knots[k - 1], knots[k]
        pct = phase_fraction(xp, t - start, end - start)  # torch's (t - start) / (end - start), clipped
        a, b = values[k - 1], values[k]
        val = cos_interp(xp, a, b, pct) if anneal == "cos" else (b - a) * pct + a
        out = val if out is None else xp.where(t <= end, val, out)
    return out


def _check_onecycle(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    v.positive(cfg, "div_factor")
    v.positive(cfg, "final_div_factor")
    _check_phases(cfg)


def _onecycle_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    knots = _knots(python_ops, cfg["total_steps"], cfg["pct_start"], cfg["three_phase"], cfg["pct_final"],
                   cfg["convention"])
    labels = ["peak", "middle end"] if cfg["three_phase"] else ["peak"]
    return [*zip(labels, map(float, knots[1:-1]), strict=True), ("end", float(knots[-1]))]


@schedule(_check_onecycle, _onecycle_landmarks)
def onecycle(
    xp: Ops,
    t: Any,
    /,
    peak_lr: Any,
    total_steps: Any,
    pct_start: Any = 0.3,
    anneal: str = "cos",
    div_factor: Any = 25.0,
    final_div_factor: Any = 1e4,
    three_phase: bool = False,
    pct_final: Any = None,
    convention: str = "torch",
) -> Any:
    r"""The one-cycle lr: up from ``peak_lr / div_factor`` to ``peak_lr``, then down to a tiny lr.

    With ``i = peak_lr / div_factor`` and ``m = i / final_div_factor``, the phases
    interpolate (cosine ``b + (a - b)(1 + cos(\pi p))/2`` or linear ``a + (b - a) p``,
    ``p`` the fraction of the phase done):

    * two phases: ``i -> peak_lr`` until ``e_1``, then ``peak_lr -> m`` until the end;
    * ``three_phase=True``: ``i -> peak_lr -> i`` (symmetric), then ``i -> m``.

    ``convention="torch"`` (default) is torch ``OneCycleLR`` exactly: ``e_1 =
    pct_start*T - 1``, the end at ``T - 1`` (the last update of ``T`` uses ``m``).
    ``convention="optax"`` puts the peak at ``floor(pct_start*T)`` and the end at
    ``T`` like optax ``cosine_onecycle_schedule`` / ``linear_onecycle_schedule``
    (three phases with ``pct_final``, optax's default there is 0.85).
    Past the end the final lr is held (torch raises ``ValueError``).

    >>> import lrfuncs
    >>> [round(lrfuncs.onecycle(t, peak_lr=1.0, total_steps=10), 8) for t in (0, 1, 2, 9, 12)]
    [0.04, 0.52, 1.0, 4e-06, 4e-06]
    """
    knots = _knots(xp, total_steps, pct_start, three_phase, pct_final, convention)
    initial = peak_lr / div_factor
    final = initial / final_div_factor
    values = [initial, peak_lr, initial, final] if three_phase else [initial, peak_lr, final]
    return _piecewise(xp, t, knots, values, anneal)


def _check_onecycle_momentum(cfg: Mapping[str, Any]) -> None:
    v.between(cfg, "base_momentum", 0.0, 1.0)
    v.between(cfg, "max_momentum", 0.0, 1.0)
    _check_phases(cfg)


@schedule(_check_onecycle_momentum, _onecycle_landmarks)
def onecycle_momentum(
    xp: Ops,
    t: Any,
    /,
    total_steps: Any,
    pct_start: Any = 0.3,
    anneal: str = "cos",
    base_momentum: Any = 0.85,
    max_momentum: Any = 0.95,
    three_phase: bool = False,
    pct_final: Any = None,
    convention: str = "torch",
) -> Any:
    r"""The momentum (or Adam ``beta1``) companion of :func:`onecycle`: the inverse curve.

    Same phases as :func:`onecycle` for the same ``total_steps``, ``pct_start``,
    ``anneal``, ``three_phase``, ``pct_final`` and ``convention``: ``max_momentum ->
    base_momentum`` while the lr rises, ``base_momentum -> max_momentum`` while it
    falls, and (three phases) ``max_momentum`` held in the last phase. Equal to
    the momentum torch ``OneCycleLR(cycle_momentum=True)`` writes.

    >>> import lrfuncs
    >>> [round(lrfuncs.onecycle_momentum(t, total_steps=10), 5) for t in (0, 1, 2, 9)]
    [0.95, 0.9, 0.85, 0.95]
    """
    knots = _knots(xp, total_steps, pct_start, three_phase, pct_final, convention)
    hi, lo = max_momentum, base_momentum
    values = [hi, lo, hi, hi] if three_phase else [hi, lo, hi]
    return _piecewise(xp, t, knots, values, anneal)
