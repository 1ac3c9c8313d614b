"""Catch the classic schedule mistakes before training: ``lint(schedule, total_steps)``.

Each rule has a stable code; a finding's message says what is wrong and how to
fix it. ``total_steps`` is the number of times the schedule is stepped during
training (optimizer updates for a per-batch schedule, epochs for a per-epoch
one); ``steps_per_epoch`` lets the linter recognise epoch/batch mix-ups.

=====================  ========  ==================================================================
code                   severity  fires when
=====================  ========  ==================================================================
``horizon-short``      error /   the schedule's horizon (its ``"end"`` landmark) comes before 90% of
                       warning   training: the rest of the run sits at the final lr (error when more
                                 than half the run does). Typical cause: a length in epochs for a schedule
                                 stepped every batch (cosine ``T_max=epochs``).
``horizon-long``       error /   the horizon lies past 110% of training: the run stops before the
                       warning   schedule ends (error when it stops before half of it). Typical cause:
                                 a one-cycle built for ``epochs * steps_per_epoch`` stepped per epoch.
``warmup-long``        error /   the warmup (a ``"warmup end"`` landmark) does not end before training
                       warning   does (error), or takes more than half of it (warning).
``final-above-peak``   error     the schedule's final lr (at its horizon, or at the end of training)
                                 is above its peak (``peak_lr``, or without one the largest lr of the
                                 first 90%): it rises to the end, e.g. swapped start/end values.
``zero-first-lr``      warning   the first update uses lr 0 and is wasted (HF #34754).
``peak-range``         warning   the largest lr is outside :data:`PEAK_LR_RANGES` for ``optimizer``.
``discontinuity``      warning   the lr jumps by more than :data:`JUMP_FRACTION` of the peak at a phase
                                 boundary that is meant to be continuous (a ``join`` whose pieces do
                                 not meet, a warmup ramping to another value than the decay starts
                                 from). Boundaries that jump by design (labels ``decay``, ``switch``,
                                 ``restart ...``, ``factor end``; a step listed twice, like a repeated
                                 knot) and staircase schedules are skipped.
``invalid-lr``         error     an lr is negative, NaN or infinite.
=====================  ========  ==================================================================

>>> import lrfuncs
>>> from lrfuncs.lint import lint
>>> per_epoch = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=90)   # T_max in epochs ...
>>> [f.code for f in lint(per_epoch, total_steps=90 * 390, steps_per_epoch=390)]  # ... stepped per batch
['horizon-short']
>>> lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=90 * 390), total_steps=90 * 390, optimizer="sgd")
[]
"""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._schedule import Schedule

__all__ = ["ERROR", "RULES", "WARNING", "Finding", "PEAK_LR_RANGES", "lint"]

ERROR = "error"
WARNING = "warning"

#: Every rule's code, in the order findings are reported.
RULES = (
    "horizon-short",
    "horizon-long",
    "warmup-long",
    "final-above-peak",
    "zero-first-lr",
    "peak-range",
    "discontinuity",
    "invalid-lr",
)

#: Sane peak learning rates per optimizer family, ``(low, high, source)``; outside: a ``peak-range`` warning.
#: Wide on purpose (a warning means "unusual, check it", not "wrong").
PEAK_LR_RANGES: dict[str, tuple[float, float, str]] = {
    "sgd": (
        1e-3,
        1.0,
        "SGD with momentum: 0.1 at batch 256 for ResNets (He et al. 2016), scaled linearly with the batch "
        "size (Goyal et al. 2017); the guide's examples use 0.01-0.1",
    ),
    "adamw": (
        1e-6,
        1e-2,
        "Adam/AdamW: 1e-3 by default (Kingma & Ba 2015); 6e-4 to 6e-5 for GPT-3 pretraining (Brown et al. "
        "2020); 2e-5 to 5e-5 for BERT fine-tuning (Devlin et al. 2019)",
    ),
    "lion": (
        1e-7,
        1e-3,
        "Lion: 3-10x smaller than AdamW's lr (Chen et al. 2023, Symbolic Discovery of Optimization Algorithms)",
    ),
    "adafactor": (
        1e-5,
        5e-2,
        "Adafactor with an explicit lr: 1e-3 for T5 fine-tuning, 1e-2 peak of T5's rsqrt pretraining "
        "(Raffel et al. 2020; Shazeer & Stern 2018)",
    ),
    "rmsprop": (1e-5, 1e-2, "RMSprop: 1e-3 (Hinton, Neural Networks for ML, lecture 6e); torch's default 1e-2"),
    "adagrad": (1e-4, 1e-1, "Adagrad: 1e-2 (Duchi et al. 2011; torch's default)"),
    "lamb": (
        1e-4,
        5e-2,
        "LAMB: about 1e-3 to 1e-2 for BERT pretraining at batch 32k-64k (You et al. 2020)",
    ),
}

#: Other names (lower case; torch optimizer class names included) for the families above.
OPTIMIZER_ALIASES: dict[str, str] = {
    "adam": "adamw",
    "nadam": "adamw",
    "radam": "adamw",
    "adamax": "adamw",
    "momentum": "sgd",
    "nesterov": "sgd",
    "sgdm": "sgd",
}

#: A jump larger than this fraction of the peak lr at a continuous phase boundary is a ``discontinuity``.
JUMP_FRACTION = 0.05
#: Horizons between these fractions of training are fine (``horizon-short`` / ``horizon-long`` outside).
HORIZON_TOLERANCE = (0.9, 1.1)
#: Landmark labels where the lr jumps by design (also any label starting with "restart").
JUMP_LABELS = frozenset({"decay", "switch", "factor end"})
#: Steps sampled evenly over training (plus every landmark and its neighbours).
SAMPLES = 1000


@dataclass(frozen=True)
class Finding:
    """One problem found by :func:`lint`.

    Attributes:
      code: the rule (one of :data:`RULES`), stable across versions.
      severity: ``"error"`` (the run will not do what you meant) or ``"warning"`` (check it).
      message: what is wrong and how to fix it.
      step: the step where it shows, if there is one.
    """

    code: str
    severity: str
    message: str
    step: float | None = None

    def __str__(self) -> str:
        where = "" if self.step is None else f" (step {_num(self.step)})"
        return f"{self.severity}: {self.code}{where}: {self.message}"


def lint(
    schedule: Any,
    total_steps: int,
    steps_per_epoch: float | None = None,
    optimizer: Any = None,
) -> list[Finding]:
    """The findings of every rule (see the module docstring) for ``schedule`` used over ``total_steps`` steps.

    Args:
      schedule: a :class:`lrfuncs.Schedule`, a spec string (:func:`lrfuncs.spec.parse`) or a dict.
        A :class:`lrfuncs.Plateau` has no curve to check and gives no findings.
      total_steps: how many times the schedule is stepped in training, a whole number >= 1.
      steps_per_epoch: batches per epoch, if known: findings then say when a length
        looks like epochs where steps are meant (or the reverse).
      optimizer: the optimizer's name (``"adamw"``, ``"sgd"``, ``"lion"``, ...; see
        :data:`PEAK_LR_RANGES` and :data:`OPTIMIZER_ALIASES`), an optimizer object or class
        (its class name is used), or None to skip the ``peak-range`` rule.

    Returns:
      The findings, in the order of :data:`RULES`; empty if nothing looks wrong.
    """
    from .plateau import Plateau
    from .spec import to_schedule

    if isinstance(schedule, Plateau):
        return []
    s = to_schedule(schedule)
    n = _whole(total_steps, "total_steps")
    spe = None if steps_per_epoch is None else _positive(steps_per_epoch, "steps_per_epoch")
    opt = None if optimizer is None else optimizer_family(optimizer)

    probe = s(0)
    if not isinstance(probe, float):
        raise ValueError(
            "lint needs a schedule with plain-number config (one curve); lint each row of a sweep separately. "
            f"Received: {s!r}"
        )
    marks = [(label, float(step)) for label, step in s.landmarks()]
    horizon = s.horizon
    grid = _grid(n, marks)
    values = {k: s(k) for k in grid}
    last = float(n - 1)
    lr_last = values[last]
    finite = [v for v in values.values() if math.isfinite(v)]
    peak = max(finite) if finite else math.nan

    out: list[Finding] = []
    out += _horizon(s, horizon, n, spe, lr_last)
    out += _warmup(marks, n, spe)
    out += _final_above_peak(s, n, horizon)
    if values[0.0] == 0.0:
        out.append(Finding(
            "zero-first-lr", WARNING,
            "The first update uses lr 0 and is wasted (HF #34754; optax and HF warmups start at 0). Start the "
            "warmup above 0: init_lr=None (lrfuncs' default, peak_lr / (warmup_steps + 1)) or a small init_lr.",
            0.0,
        ))
    if opt is not None and math.isfinite(peak):
        out += _peak_range(peak, opt, optimizer)
    out += _discontinuities(s, marks, n, peak)
    bad = [(k, v) for k, v in sorted(values.items()) if not (math.isfinite(v) and v >= 0.0)]
    if bad:
        k, v = bad[0]
        out.append(Finding(
            "invalid-lr", ERROR, f"The lr at step {_num(k)} is {v!r}: learning rates must be finite and >= 0.", k
        ))
    order = {code: i for i, code in enumerate(RULES)}
    return sorted(out, key=lambda f: order[f.code])


def optimizer_family(optimizer: Any) -> str:
    """The key of :data:`PEAK_LR_RANGES` for an optimizer name, object or class; ValueError if unknown."""
    if isinstance(optimizer, str):
        name = optimizer
    elif isinstance(optimizer, type):
        name = optimizer.__name__
    else:
        name = type(optimizer).__name__
    key = name.strip().lower().replace("-", "").replace("_", "")
    key = OPTIMIZER_ALIASES.get(key, key)
    if key not in PEAK_LR_RANGES:
        known = sorted({*PEAK_LR_RANGES, *OPTIMIZER_ALIASES})
        raise ValueError(f"Argument `optimizer` must be one of {', '.join(known)}. Received: optimizer={name!r}")
    return key


# ------------------------------------------------------------------------------------------------ rules


def _horizon(s: Schedule[Any], horizon: float | None, n: int, spe: float | None, lr_last: float) -> list[Finding]:
    if horizon is None:
        return []
    lo, hi = HORIZON_TOLERANCE
    if horizon < lo * n - 1:
        held = n - horizon
        severity = ERROR if horizon <= n / 2 else WARNING
        msg = (
            f"The schedule ends at step {_num(horizon)} but training runs {n} steps: the last {_num(held)} updates "
            f"({_pct(held / n)}) all use the final lr {lr_last:.3g}."
        )
        if spe is not None and abs(horizon * spe - n) <= 0.1 * n:
            msg += (
                f" Its length looks like epochs while it is stepped every batch: stepped per batch? use "
                f"total_steps=epochs*steps_per_epoch = {_num(horizon * spe)} (or step it once per epoch)."
            )
        else:
            msg += f" Make its length the training length (total_steps={n}, warmup included)."
        return [Finding("horizon-short", severity, msg, horizon)]
    if horizon > hi * n + 1:
        severity = ERROR if horizon >= 2 * n else WARNING
        cfg_peak = s.config.get("peak_lr")
        ratio = ""
        if isinstance(cfg_peak, (int, float)) and not isinstance(cfg_peak, bool) and cfg_peak > 0:
            ratio = f" ({lr_last / cfg_peak:.0%} of peak_lr)"
        msg = (
            f"The schedule's horizon is step {_num(horizon)} but training stops after {n} steps, "
            f"{_pct(n / horizon)} of the way through the schedule, at lr {lr_last:.3g}{ratio}."
        )
        if spe is not None and abs(horizon - n * spe) <= 0.1 * horizon:
            msg += (
                " Its length looks like epochs*steps_per_epoch while it is stepped once per epoch: stepped per "
                "epoch? call scheduler.step() after every batch (one-cycle and warmup schedules are per batch)."
            )
        else:
            msg += f" Make its length the training length (total_steps={n})."
        return [Finding("horizon-long", severity, msg, float(n))]
    return []


def _warmup(marks: list[tuple[str, float]], n: int, spe: float | None) -> list[Finding]:
    ends = [step for label, step in marks if label == "warmup end"]
    if not ends:
        return []
    w = max(ends)
    hint = f" For a warmup of 10% of training use warmup_steps={_num(round(0.1 * n))}"
    if spe is not None:
        epochs = 0.1 * n / spe
        hint += f" ({_num(epochs)} epoch{'' if epochs == 1 else 's'})."
    else:
        hint += "."
    if w >= n:
        return [Finding(
            "warmup-long", ERROR,
            f"The warmup of {_num(w)} steps is not shorter than training ({n} steps): the peak lr is never "
            f"used.{hint}", w,
        )]
    if w > 0.5 * n:
        return [Finding(
            "warmup-long", WARNING,
            f"The warmup takes {w / n:.0%} of training ({_num(w)} of {n} steps). The guide's table: 6-10% of the "
            "steps for BERT fine-tuning, 2,000-4,000 steps for GPT-style pretraining, 10,000 for BERT "
            f"pretraining and ViT.{hint}", w,
        )]
    return []


def _final_above_peak(s: Schedule[Any], n: int, horizon: float | None) -> list[Finding]:
    """The schedule's own final value (at its horizon, or the end of training) against its peak.

    A run that stops while the lr still rises (a horizon far past training) is
    ``horizon-long``'s finding, not this one.
    """
    end = float(n - 1) if horizon is None else max(float(n - 1), horizon)
    final = s(end)
    count = 200
    early = [s(0.9 * end * i / count) for i in range(count + 1)]
    early = [v for v in early if math.isfinite(v)]
    cfg_peak = s.config.get("peak_lr")
    if isinstance(cfg_peak, (int, float)) and not isinstance(cfg_peak, bool):
        peak = float(cfg_peak)  # the schedule's own peak
    elif early and end >= 9:
        peak = max(early)  # no peak_lr (composites, linear, ...): the largest lr before the last 10%
    else:
        return []
    if not math.isfinite(final):
        return []
    if final > peak * (1.0 + 1e-9) and final > 0.0:
        return [Finding(
            "final-above-peak", ERROR,
            f"The final lr ({final:.3g}, step {_num(end)}) is above the peak lr ({peak:.3g}): the schedule rises "
            "to the end. Swapped start and end values (init_lr/end_lr, min_lr/peak_lr)?",
            end,
        )]
    return []


def _peak_range(peak: float, family: str, optimizer: Any) -> list[Finding]:
    lo, hi, source = PEAK_LR_RANGES[family]
    if lo <= peak <= hi:
        return []
    name = optimizer if isinstance(optimizer, str) else family
    where = "above" if peak > hi else "below"
    return [Finding(
        "peak-range", WARNING,
        f"The peak lr {peak:.3g} is {where} the usual range for {name} ({lo:g} to {hi:g}; {source}). "
        "Check the value (or its units), or run an LR range test.",
    )]


def _discontinuities(s: Schedule[Any], marks: list[tuple[str, float]], n: int, peak: float) -> list[Finding]:
    if not (peak > 0 and math.isfinite(peak)) or _staircase(s):
        return []
    out = []
    seen = set()
    repeated = {b for b in (step for _, step in marks) if sum(1 for _, x in marks if x == b) > 1}
    for label, b in marks:
        if not 0.0 < b <= n or label in JUMP_LABELS or label.startswith("restart") or b in seen or b in repeated:
            continue
        seen.add(b)
        delta = min(1e-3, b / 2)
        before, at = s(b - delta), s(b)
        jump = at - before
        if math.isfinite(jump) and abs(jump) > JUMP_FRACTION * peak:
            direction = "up" if jump > 0 else "down"
            out.append(Finding(
                "discontinuity", WARNING,
                f"The lr jumps {direction} by {abs(jump) / peak:.0%} of the peak at `{label}` (from {before:.3g} to "
                f"{at:.3g}): the phases do not meet. Make the next phase start where the previous one ends "
                "(e.g. the warmup's peak_lr equal to the decay's).",
                b,
            ))
    return out


# ------------------------------------------------------------------------------------------------ helpers


def _staircase(s: Schedule[Any]) -> bool:
    """True if ``s`` or a schedule nested in it has ``staircase=True`` (stepwise by design)."""
    for key, value in s.config.items():
        if key == "staircase" and value is True:
            return True
        for child in _children(value):
            if _staircase(child):
                return True
    return False


def _children(value: Any) -> Iterable[Schedule[Any]]:
    if isinstance(value, Schedule):
        return [value]
    if isinstance(value, tuple):
        return [x for x in value if isinstance(x, Schedule)]
    return []


def _grid(n: int, marks: list[tuple[str, float]]) -> list[float]:
    """Steps to evaluate: evenly spaced over training, the last step, landmarks within it and their neighbours."""
    last = n - 1
    pts = {0.0, float(last)}
    count = min(SAMPLES, n)
    for i in range(count):
        pts.add(float(round(i * last / max(count - 1, 1))))
    for _, b in marks:
        for k in (math.floor(b) - 1, math.floor(b), math.ceil(b)):
            if 0 <= k <= last:
                pts.add(float(k))
    return sorted(pts)


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != math.floor(value) or value < 1:
        raise ValueError(f"Argument `{name}` must be a whole number >= 1. Received: {name}={value!r}")
    return int(value)


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"Argument `{name}` must be a number > 0. Received: {name}={value!r}")
    return float(value)


def _pct(x: float) -> str:
    return "<1%" if 0 < x < 0.01 else f"{x:.0%}"


def _num(x: float) -> str:
    """A step count for messages: 2000 not 2000.0."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


class _CallableModule(types.ModuleType):
    """``lrfuncs.lint`` may be bound to this module (``import lrfuncs.lint``): calling it calls :func:`lint`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return lint(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
