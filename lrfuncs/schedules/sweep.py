"""The lr sweep of an LR range test: exponential or linear growth from ``start_lr`` to ``end_lr``.

The range test (Smith, arXiv 1506.01186; torch-lr-finder, fastai ``lr_find``,
Lightning's ``Tuner.lr_find``) trains briefly while the lr grows, one value per
update; the loss curve against the lr then shows where training diverges. The
finders agree on the curve but not on its endpoints: torch-lr-finder reaches
``end_lr`` at the last update, fastai never reaches it, Lightning skips the
first increment. ``convention`` picks one; the analysis of the recorded losses
is in :mod:`lrfuncs.range_test`, the runners in ``lrfuncs.backends``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops
from .._schedule import schedule

MODES = ("exp", "linear")
CONVENTIONS = ("torch_lr_finder", "fastai", "lightning")


def _check_lr_sweep(cfg: Mapping[str, Any]) -> None:
    v.positive(cfg, "start_lr")
    v.positive(cfg, "end_lr")
    v.at_most(cfg, "start_lr", "end_lr", strict=True)
    v.integer(cfg, "num_steps", minimum=2)
    v.choice(cfg, "mode", MODES)
    v.choice(cfg, "convention", CONVENTIONS)


def _lr_sweep_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    out = [("first increment", 1.0)] if cfg["convention"] == "lightning" else []
    return [*out, ("end", float(cfg["num_steps"]) - 1.0)]


@schedule(_check_lr_sweep, _lr_sweep_landmarks)
def lr_sweep(
    xp: Ops,
    t: Any,
    /,
    start_lr: Any,
    end_lr: Any,
    num_steps: Any,
    mode: str = "exp",
    convention: str = "torch_lr_finder",
) -> Any:
    r"""The lr of update ``t`` of an LR range test growing from ``start_lr`` towards ``end_lr``.

    .. math::
        \mathrm{lr}(t) = \begin{cases}
        s\,(e / s)^{r(t)} & \text{mode="exp"} \\
        s + r(t)\,(e - s) & \text{mode="linear"}
        \end{cases}
        \qquad \tau = \min(t, N - 1)

    with ``s = start_lr``, ``e = end_lr``, ``N = num_steps`` and the position
    ``r`` of the convention:

    * ``"torch_lr_finder"`` (default): :math:`r = \tau / (N - 1)`: update 0 uses
      ``start_lr`` and update ``N - 1`` exactly ``end_lr``. Equal (bit for bit
      on Python numbers) to torch-lr-finder's ``ExponentialLR`` / ``LinearLR``
      (``LRFinder.range_test(start_lr=s, end_lr=e, num_iter=N, step_mode=mode)``).
    * ``"fastai"``: :math:`r = \tau / N`: the last update uses
      ``s (e/s)^{(N-1)/N}``, never ``end_lr``. fastai's ``LRFinder`` callback
      (``SchedExp`` / ``SchedLin`` at position ``train_iter / num_it``); fastai
      forces ``num_it >= 6``, lrfuncs accepts ``N >= 2``.
    * ``"lightning"``: :math:`r = (\tau + 1) / N` for :math:`t \ge 1` and 0 at
      ``t < 1``: update 0 uses ``start_lr``, update 1 already ``r = 2/N`` (the
      increment ``r = 1/N`` is skipped) and update ``N - 1`` uses ``end_lr``.
      Lightning's ``_ExponentialLR`` / ``_LinearLR``.

    Past update ``N - 1`` the last value holds (the finders stop there).

    Args:
      step: 0-based update index.
      start_lr: lr of update 0, > 0.
      end_lr: the lr the sweep grows towards, > ``start_lr``.
      num_steps: updates in the sweep, a whole number >= 2 (torch-lr-finder
        rejects ``num_iter <= 1``).
      mode: ``"exp"`` (geometric growth: evenly spaced on a log axis) or ``"linear"``.
      convention: ``"torch_lr_finder"``, ``"fastai"`` or ``"lightning"`` (above).

    Array-valued config is not validated.

    >>> import lrfuncs.schedules.sweep as sw
    >>> [round(sw.lr_sweep(t, start_lr=1e-3, end_lr=1.0, num_steps=4), 6) for t in range(5)]
    [0.001, 0.01, 0.1, 1.0, 1.0]
    >>> [round(sw.lr_sweep(t, start_lr=1e-3, end_lr=1.0, num_steps=3, convention="fastai"), 6) for t in range(3)]
    [0.001, 0.01, 0.1]
    >>> [sw.lr_sweep(t, start_lr=1.0, end_lr=5.0, num_steps=5, mode="linear") for t in range(5)]
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    tau = xp.minimum(t, num_steps - 1)
    if convention == "torch_lr_finder":
        r = tau / (num_steps - 1)
    elif convention == "fastai":
        r = tau / num_steps
    else:  # lightning
        r = xp.where(t >= 1, (tau + 1) / num_steps, 0.0 * tau)
    if mode == "exp":
        return start_lr * (end_lr / start_lr) ** r
    return start_lr + r * (end_lr - start_lr)
