"""Cyclical learning rates (Smith 2017) and their momentum companion (torch ``CyclicLR``).

Math and validation of ``cyclic`` and ``cyclic_momentum`` live here. Both share
:func:`_triangle` (where a step falls in its cycle) and :func:`_scale` (the
amplitude policy), so the momentum curve turns exactly where the lr curve does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import PLAIN, nonzero
from .._schedule import schedule

MODES = ("triangular", "triangular2", "exp_range")
SCALE_MODES = ("cycle", "iterations")
#: torch's scale_mode for each built-in mode (torch ignores its own ``scale_mode`` argument for them)
DEFAULT_SCALE_MODE = {"triangular": "cycle", "triangular2": "cycle", "exp_range": "iterations"}
#: Cycles listed by ``Schedule.landmarks()`` (the schedule never ends).
MAX_LISTED_CYCLES = 20


def _check_cycle(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "up_steps")
    if cfg["down_steps"] is not None:
        v.non_negative(cfg, "down_steps")
    v.choice(cfg, "mode", MODES)
    if cfg["scale_mode"] is not None:
        v.choice(cfg, "scale_mode", SCALE_MODES)
    v.between(cfg, "gamma", 0.0, 1.0, lo_open=True)


def _cycle_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    up = float(cfg["up_steps"])
    total = up + float(up if cfg["down_steps"] is None else cfg["down_steps"])
    out: list[tuple[str, float]] = []
    for k in range(MAX_LISTED_CYCLES):
        out.append((f"peak {k + 1}", k * total + up))
        out.append((f"restart {k + 1}", (k + 1) * total))
    return out


def _triangle(xp: Ops, t: Any, up_steps: Any, down_steps: Any) -> tuple[Any, Any]:
    """``(k, h)``: cycles completed before ``t`` and the height of the triangle at ``t`` (0 .. 1 .. 0).

    torch computes ``x = 1 + t / total - floor(1 + t / total)`` and ``x / ratio`` or
    ``(x - 1) / (ratio - 1)``; here the position in the cycle is found with an exact
    floor division (so cycle ``k`` starts exactly at ``k * total``) and measured in
    steps: ``tau / up`` while rising (``tau <= up``, as torch's ``x <= ratio``), then
    ``(total - tau) / down``.
    """
    down = up_steps if down_steps is None else down_steps
    total = up_steps + down
    k = xp.floor_div(t, total)
    tau = t - k * total
    up = up_steps if up_steps.__class__ in PLAIN else nonzero(xp, up_steps)
    h = xp.where(tau <= up_steps, tau / up, (total - tau) / nonzero(xp, down))
    return k, h


def _scale(t: Any, k: Any, mode: str, gamma: Any, scale_mode: str | None) -> Any:
    """torch's ``scale_fn(cycle)`` (cycle = k + 1) or ``scale_fn(last_epoch)`` (iterations); None for 1."""
    if mode == "triangular":
        return None
    x = k + 1.0 if (scale_mode or DEFAULT_SCALE_MODE[mode]) == "cycle" else t
    if mode == "triangular2":
        return 0.5 ** (x - 1.0)  # torch's 1 / 2 ** (x - 1), exactly (powers of two)
    return gamma**x


def _check_cyclic(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "peak_lr")
    if cfg["min_lr"] is not None:
        v.non_negative(cfg, "min_lr")
        v.at_most(cfg, "min_lr", "peak_lr")
    _check_cycle(cfg)


@schedule(_check_cyclic, _cycle_landmarks)
def cyclic(
    xp: Ops,
    t: Any,
    /,
    min_lr: Any,
    peak_lr: Any,
    up_steps: Any = 2000,
    down_steps: Any = None,
    mode: str = "triangular",
    gamma: Any = 1.0,
    scale_mode: str | None = None,
) -> Any:
    r"""Cyclical lr: up from ``min_lr`` to ``peak_lr`` in ``up_steps``, down in ``down_steps``, repeat.

    With ``L = up_steps + down_steps``, ``k = \lfloor t / L \rfloor`` cycles done and
    ``\tau = t - kL`` the position in the current cycle, the triangle is
    ``h = \tau / \mathrm{up}`` while ``\tau \le \mathrm{up}``, else ``(L - \tau) / \mathrm{down}``, and

    .. math:: \mathrm{lr}(t) = \mathrm{min\_lr} + (\mathrm{peak\_lr} - \mathrm{min\_lr})\, h\, s

    with the amplitude scale ``s`` of ``mode``, evaluated on the cycle number ``x = k + 1``
    (``scale_mode="cycle"``) or on the step ``x = t`` (``"iterations"``):

    * ``"triangular"``: ``s = 1``;
    * ``"triangular2"``: ``s = 1 / 2^{x - 1}`` (the amplitude halves every cycle);
    * ``"exp_range"``: ``s = \gamma^{x}``.

    ``scale_mode=None`` (default) is torch's choice per mode: ``"cycle"`` for the
    triangular modes, ``"iterations"`` for ``"exp_range"``.

    Equal to torch ``CyclicLR(optimizer, base_lr=min_lr, max_lr=peak_lr,
    step_size_up=up_steps, step_size_down=down_steps, mode=mode, gamma=gamma)``:
    ``cyclic(k)`` is the lr torch uses for update ``k`` (after ``k`` calls of
    ``scheduler.step()``). Differences, all deliberate:

    * torch's custom ``scale_fn`` is a Python callable, not pure config: it is left
      out. A built-in mode with the other ``scale_mode`` (e.g. ``"exp_range"`` per
      cycle) is what torch computes with ``scale_fn`` set to that mode's function and
      ``scale_mode`` given; torch ignores ``scale_mode`` for its built-in modes.
    * ``gamma`` must be in (0, 1] (an amplitude that grows without bound is refused).
    * the cycle is located with an exact floor division: torch's ``1 + t / L -
      floor(1 + t / L)`` loses about ``t * 2**-52`` to rounding (relative 1e-12 by
      ``t ~ 4500``), lrfuncs does not.

    The schedule is periodic: it has no ``"end"`` landmark.

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      min_lr: lower bound (torch ``base_lr``), >= 0 and <= ``peak_lr``; None means 0.
      peak_lr: upper bound (torch ``max_lr``), > 0; reached when ``s = 1``.
      up_steps: steps of the rising half, > 0 (need not be whole).
      down_steps: steps of the falling half, >= 0 (0: a sawtooth); None means ``up_steps``.
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: ``exp_range`` base, in (0, 1].
      scale_mode: ``"cycle"``, ``"iterations"`` or None (torch's default for ``mode``).

    Array-valued config is not validated.

    >>> import lrfuncs
    >>> [lrfuncs.cyclic(t, min_lr=0.1, peak_lr=0.5, up_steps=2) for t in range(6)]
    [0.1, 0.30000000000000004, 0.5, 0.30000000000000004, 0.1, 0.30000000000000004]
    >>> [lrfuncs.cyclic(t, min_lr=0.0, peak_lr=1.0, up_steps=1, mode="triangular2") for t in range(7)]
    [0.0, 1.0, 0.0, 0.5, 0.0, 0.25, 0.0]
    """
    k, h = _triangle(xp, t, up_steps, down_steps)
    low = 0.0 if min_lr is None else min_lr
    height = (peak_lr - low) * h  # torch's base_height
    s = _scale(t, k, mode, gamma, scale_mode)
    return low + height if s is None else low + height * s


def _check_cyclic_momentum(cfg: Mapping[str, Any]) -> None:
    v.between(cfg, "base_momentum", 0.0, 1.0)
    v.between(cfg, "max_momentum", 0.0, 1.0)
    _check_cycle(cfg)


@schedule(_check_cyclic_momentum, _cycle_landmarks)
def cyclic_momentum(
    xp: Ops,
    t: Any,
    /,
    base_momentum: Any = 0.8,
    max_momentum: Any = 0.9,
    up_steps: Any = 2000,
    down_steps: Any = None,
    mode: str = "triangular",
    gamma: Any = 1.0,
    scale_mode: str | None = None,
) -> Any:
    r"""The momentum (or Adam ``beta1``) companion of :func:`cyclic`: the inverse triangle.

    .. math:: m(t) = \mathrm{max\_momentum} - (\mathrm{max\_momentum} - \mathrm{base\_momentum})\, h\, s

    with the same ``h`` and ``s`` as :func:`cyclic` for the same ``up_steps``,
    ``down_steps``, ``mode``, ``gamma`` and ``scale_mode``: ``max_momentum`` where the lr
    is lowest, ``base_momentum`` at the lr's peak. Equal to what torch ``CyclicLR(...,
    cycle_momentum=True, base_momentum, max_momentum)`` writes into ``group["momentum"]``
    (SGD) or ``group["betas"][0]`` (Adam and other optimizers with ``betas``) for update ``k``.

    Args:
      step: 0-based update index.
      base_momentum: momentum at the lr's peak, in [0, 1].
      max_momentum: momentum at the lr's low, in [0, 1].
      up_steps, down_steps, mode, gamma, scale_mode: as in :func:`cyclic`.

    >>> import lrfuncs
    >>> [round(lrfuncs.cyclic_momentum(t, up_steps=2), 6) for t in range(5)]
    [0.9, 0.85, 0.8, 0.85, 0.9]
    """
    k, h = _triangle(xp, t, up_steps, down_steps)
    height = (max_momentum - base_momentum) * h
    s = _scale(t, k, mode, gamma, scale_mode)
    return max_momentum - height if s is None else max_momentum - height * s
