"""The SWA learning rate: anneal from the current lr to a constant ``swa_lr`` (torch ``SWALR``).

Math and validation of ``swa`` live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._phases import phase_fraction, warmup_ramp
from .._schedule import schedule

ANNEALS = ("cos", "linear")


def _check_swa(cfg: Mapping[str, Any]) -> None:
    v.non_negative(cfg, "init_lr")
    v.non_negative(cfg, "swa_lr")
    v.non_negative(cfg, "anneal_steps")
    v.choice(cfg, "anneal", ANNEALS)


def _swa_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [("end", float(cfg["anneal_steps"]))]


@schedule(_check_swa, _swa_landmarks)
def swa(xp: Ops, t: Any, /, init_lr: Any, swa_lr: Any, anneal_steps: Any = 10, anneal: str = "cos") -> Any:
    r"""Anneal from ``init_lr`` to ``swa_lr`` over ``anneal_steps``, then hold ``swa_lr``.

    With ``p = clip(t / anneal_steps, 0, 1)`` and ``\alpha = (1 - \cos \pi p) / 2``
    (``anneal="cos"``) or ``\alpha = p`` (``"linear"``):

    .. math:: \mathrm{lr}(t) = \mathrm{swa\_lr}\,\alpha + \mathrm{init\_lr}\,(1 - \alpha)

    Equal to torch ``torch.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=
    anneal_steps, anneal_strategy=anneal)`` built on an optimizer whose lr is
    ``init_lr``: ``swa(k)`` is the lr after ``k`` calls of ``scheduler.step()`` (SWALR
    counts in whatever unit it is stepped, usually epochs). torch computes the same
    values by a recursion that recovers ``init_lr`` from the previous lr at every step
    (``(lr - \alpha' \mathrm{swa\_lr}) / (1 - \alpha')``): the closed form here agrees to
    float64 rounding and, unlike the recursion, cannot be thrown off by writes to the
    lr between steps. ``anneal_steps=0`` gives ``swa_lr`` from step 0, as torch does.

    SWA usually starts mid-run: step 0 here is the step where SWALR takes over (shift
    the schedule, or join it after the main schedule).

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      init_lr: lr at step 0 (torch: the param group's lr when SWALR is built), >= 0.
      swa_lr: lr from ``anneal_steps`` on, >= 0.
      anneal_steps: length of the anneal, >= 0 (need not be whole; torch needs an int).
      anneal: ``"cos"`` or ``"linear"``.

    Array-valued config is not validated.

    >>> import lrfuncs
    >>> [round(lrfuncs.swa(t, init_lr=1.0, swa_lr=0.1, anneal_steps=4), 6) for t in range(6)]
    [1.0, 0.868198, 0.55, 0.231802, 0.1, 0.1]
    """
    p = phase_fraction(xp, t, anneal_steps)
    alpha = warmup_ramp(xp, p, "linear" if anneal == "linear" else "cosine")  # torch's _cosine_anneal: (1 - cos)/2
    return swa_lr * alpha + init_lr * (1.0 - alpha)
