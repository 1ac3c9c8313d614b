"""The guide's scheduler decision guide as code: ``recommend(model_kind, ...)`` returns a schedule and why.

The rules, in order (the practitioner's guide, "Scheduler Decision Guide" and "How much warmup?"):

1. Reproducing a classic paper (``reproduce_paper=True``): multi-step decay (``MultiStepLR``) x0.1 at
   30%, 60% and 90% of the run (the guide's ResNet recipe, epochs 30/60/90 of 100): replace the
   milestones with the paper's.
2. Unknown length (no ``total_steps`` and no ``epochs``):

   * a transformer trained from scratch: warmup then constant lr (the guide's "Constant LR with
     warmup"; cosine needs a length), warmup from :data:`WARMUP_STEPS`;
   * anything else, and fine-tuning: reduce-on-plateau (``patience=10``, ``factor=0.5``,
     ``min_lr=1e-6``, the guide's example) on the validation loss, as a :class:`lrfuncs.Plateau`.
3. Transformers (``"transformer"``/``"gpt"``/``"llm"``, ``"bert"``, ``"vit"``): linear warmup then cosine
   decay (``get_cosine_schedule_with_warmup``), stepped per batch, with the floor of the guide's recipe
   ``max(min_lr_ratio, cosine)``, ``min_lr_ratio=0.1``. Warmup (the guide's table):
   fine-tuning 6-10% of the steps (10% used, as the guide's example), BERT pretraining 10,000 steps,
   GPT-style pretraining 2,000-4,000 (2,000 used), ViT from scratch 10,000; at most 10% of a run
   too short for the table's value.
4. CNNs: under 50 epochs, one-cycle (stepped per batch, with its momentum companion; run an LR range
   test for ``max_lr``); 50 epochs or more, cosine annealing to ``min_lr=1e-6``.
5. Other models (``"mlp"``, ``"rnn"``, ``"other"``): cosine annealing ("when in doubt, use
   CosineAnnealingLR").

The peak lr (unless given) comes from :data:`DEFAULT_PEAK_LR`; its reason says where it comes from.
Every recommendation passes :func:`lrfuncs.lint.lint` for its own run length and optimizer.

>>> from lrfuncs.recommend import recommend
>>> rec = recommend("transformer", total_steps=100_000)
>>> print(rec.spec)
warmup_cosine(peak_lr=0.0003, warmup_steps=2000, total_steps=100000, min_lr_ratio=0.1, floor_mode='clip')
>>> recommend("cnn", epochs=30, steps_per_epoch=390, optimizer="sgd").schedule.name
'onecycle'
"""

from __future__ import annotations

import math
import sys
import types
from dataclasses import dataclass, field
from typing import Any

from ._schedule import Schedule
from .lint import PEAK_LR_RANGES, optimizer_family
from .plateau import Plateau

__all__ = ["DEFAULT_PEAK_LR", "MODEL_KINDS", "Recommendation", "WARMUP_STEPS", "recommend"]

#: Accepted ``model_kind`` values and the family each one means.
MODEL_KINDS: dict[str, str] = {
    "transformer": "gpt",
    "gpt": "gpt",
    "llm": "gpt",
    "decoder": "gpt",
    "bert": "bert",
    "encoder": "bert",
    "vit": "vit",
    "cnn": "cnn",
    "resnet": "cnn",
    "convnet": "cnn",
    "vgg": "cnn",
    "mlp": "other",
    "rnn": "other",
    "lstm": "other",
    "other": "other",
}
TRANSFORMERS = frozenset({"gpt", "bert", "vit"})

#: The guide's "How much warmup?" table: pretraining warmups in steps (fine-tuning: :data:`FINETUNE_WARMUP`).
WARMUP_STEPS: dict[str, int] = {
    "bert": 10_000,  # BERT pretraining: 10,000 steps (out of ~1M)
    "gpt": 2_000,  # GPT-style pretraining: 2,000-4,000 steps
    "vit": 10_000,  # ViT from scratch: 10,000 steps
}
#: Fine-tuning warmup as a fraction of the steps (the guide: 6-10% for BERT fine-tuning; its example uses 10%).
FINETUNE_WARMUP = 0.1
#: A table warmup is cut to this fraction of a run too short for it.
MAX_WARMUP_FRACTION = 0.1
#: CNN runs shorter than this many epochs get one-cycle, longer ones cosine (the decision guide).
SHORT_RUN_EPOCHS = 50
#: The floor of cosine for CNNs and other models (the guide: ``eta_min = 1e-6``).
COSINE_MIN_LR = 1e-6
#: The floor of warmup + cosine for transformers, as a fraction of the peak (the guide's recipe).
TRANSFORMER_MIN_LR_RATIO = 0.1

#: Default peak lr by (optimizer family, situation). Situations: ``"pretrain"`` (transformer from scratch),
#: ``"finetune"``, ``"vit"``, ``"bert"``, ``"cnn"``, ``"other"``. Sources: GPT-3 small-to-medium models
#: 6e-4..3e-4 (Brown et al. 2020; the issue's own example uses 3e-4); BERT pretraining 1e-4 and fine-tuning
#: 2e-5..5e-5 (Devlin et al. 2019); ViT 1e-3 (Dosovitskiy et al. 2021); SGD 0.1 for CNNs (the guide, He et
#: al. 2016), a tenth of it for fine-tuning; Adam 1e-3 otherwise (Kingma & Ba 2015). Lion: a tenth of
#: AdamW's (Chen et al. 2023: 3-10x smaller). Other adaptive optimizers: AdamW's value kept inside
#: :data:`lrfuncs.lint.PEAK_LR_RANGES`.
DEFAULT_PEAK_LR: dict[str, dict[str, float]] = {
    "adamw": {"pretrain": 3e-4, "bert": 1e-4, "vit": 1e-3, "finetune": 2e-5, "cnn": 1e-3, "other": 1e-3},
    "sgd": {"pretrain": 0.1, "bert": 0.1, "vit": 0.1, "finetune": 0.01, "cnn": 0.1, "other": 0.1},
}

#: Reduce-on-plateau settings for unknown run lengths (the guide's ReduceLROnPlateau example).
PLATEAU = {"mode": "min", "factor": 0.5, "patience": 10, "min_value": 1e-6}


@dataclass(frozen=True)
class Recommendation:
    """What :func:`recommend` returns.

    Attributes:
      schedule: the lr schedule (a :class:`lrfuncs.Schedule`), or a :class:`lrfuncs.Plateau`
        to drive from the validation loss when the run length is unknown (start it at ``peak_lr``).
      reasons: why, rule by rule, in plain sentences.
      momentum: the momentum / Adam ``beta1`` companion (one-cycle), or None.
      peak_lr: the peak lr used.
      total_steps: how many times to step the schedule (None for a plateau).
      per: ``"batch"`` (step after every optimizer update) or ``"epoch"``.
    """

    schedule: Schedule[Any] | Plateau
    reasons: list[str] = field(default_factory=list)
    momentum: Schedule[Any] | None = None
    peak_lr: float = 0.0
    total_steps: int | None = None
    per: str = "batch"

    @property
    def spec(self) -> str:
        """The schedule as a spec string (:func:`lrfuncs.spec.unparse`), or the Plateau's repr."""
        if isinstance(self.schedule, Schedule):
            from .spec import unparse

            return unparse(self.schedule)
        return repr(self.schedule)

    def __str__(self) -> str:
        lines = [f"schedule: {self.spec}"]
        if self.momentum is not None:
            from .spec import unparse

            lines.append(f"momentum: {unparse(self.momentum)}")
        if isinstance(self.schedule, Plateau):
            lines.append(f"step it:  once per epoch with the validation loss, starting at lr {self.peak_lr:g}")
        elif self.total_steps is None:
            lines.append(f"step it:  once per {self.per} (no planned end)")
        else:
            lines.append(f"step it:  once per {self.per}, {self.total_steps} times")
        lines.append("why:")
        lines += [f"  - {r}" for r in self.reasons]
        return "\n".join(lines)


def recommend(
    model_kind: str,
    *,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    optimizer: Any = "adamw",
    finetune: bool = False,
    peak_lr: float | None = None,
    reproduce_paper: bool = False,
) -> Recommendation:
    """A schedule for a training run, following the guide's decision guide (see the module docstring).

    Args:
      model_kind: one of :data:`MODEL_KINDS` (``"transformer"``, ``"bert"``, ``"vit"``, ``"cnn"``, ``"mlp"``, ...).
      total_steps: optimizer updates in the whole run, if known.
      epochs: epochs in the run, if known (with ``steps_per_epoch``: ``total_steps = epochs * steps_per_epoch``).
      steps_per_epoch: optimizer updates per epoch.
      optimizer: the optimizer (name, object or class; see :func:`lrfuncs.lint.optimizer_family`).
      finetune: fine-tuning a pretrained model (transformers: warmup as a fraction of the run, lower lr).
      peak_lr: the peak lr to use (default from :data:`DEFAULT_PEAK_LR`).
      reproduce_paper: reproduce a classic paper's recipe (multi-step decay).

    Raises:
      ValueError: an unknown model kind or optimizer, bad lengths, or a length that the
        chosen schedule needs in another unit (one-cycle and transformer schedules are per batch).
    """
    kind = _kind(model_kind)
    family = optimizer_family(optimizer)
    for name, flag in (("finetune", finetune), ("reproduce_paper", reproduce_paper)):
        if not isinstance(flag, bool):
            raise TypeError(f"Argument `{name}` must be True or False. Received: {name}={flag!r}")
    n_total = _count(total_steps, "total_steps")
    n_epochs = _count(epochs, "epochs")
    spe = _count(steps_per_epoch, "steps_per_epoch")
    if peak_lr is not None and (
        isinstance(peak_lr, bool) or not isinstance(peak_lr, (int, float)) or not 0 < peak_lr < math.inf
    ):
        raise ValueError(f"Argument `peak_lr` must be a number > 0. Received: peak_lr={peak_lr!r}")
    if n_total is not None and n_epochs is not None and spe is not None and n_epochs * spe != n_total:
        raise ValueError(
            "Argument `total_steps` must equal epochs * steps_per_epoch when all three are given. Received: "
            f"total_steps={n_total}, epochs={n_epochs}, steps_per_epoch={spe}"
        )

    notes: list[str] = []  # length and peak lr, said after the rule's own reasons
    # the run length, in scheduler steps, and the unit of a step
    per = "batch"
    n: int | None = n_total
    if n is None and n_epochs is not None:
        if spe is not None:
            n = n_epochs * spe
            notes.append(f"{n_epochs} epochs x {spe} steps per epoch = {n} optimizer updates; step the "
                         "schedule after every update (per batch), not per epoch.")
        else:
            n, per = n_epochs, "epoch"
    epochs_known = n_epochs if n_epochs is not None else (n_total // spe if n_total and spe else None)

    situation = "finetune" if finetune else {"gpt": "pretrain", "bert": "bert", "vit": "vit"}.get(kind, kind)
    if peak_lr is not None:
        peak = float(peak_lr)
        notes.append(f"peak lr {peak:g} as given.")
    else:
        peak = _default_peak(family, situation, notes)
    rec = _choose(kind, family, finetune, reproduce_paper, peak, n, per, epochs_known, n_total, n_epochs)
    rec.reasons.extend(notes)
    return rec


def _choose(
    kind: str,
    family: str,
    finetune: bool,
    reproduce_paper: bool,
    peak: float,
    n: int | None,
    per: str,
    epochs_known: int | None,
    n_total: int | None,
    n_epochs: int | None,
) -> Recommendation:
    reasons: list[str] = []
    if reproduce_paper:
        if n is None:
            raise ValueError("Reproducing a paper's multi-step schedule needs the run length: pass total_steps "
                             "or epochs.")
        milestones = sorted({round(f * n) for f in (0.3, 0.6, 0.9)} - {0})
        unit = "epochs" if per == "epoch" else "steps"
        reasons.append(
            "Reproducing a classic paper: MultiStepLR with the paper's milestones (the guide's decision guide). "
            f"Here the guide's ResNet recipe, lr x0.1 at 30%, 60% and 90% of the run ({unit} {milestones}); "
            "replace them with your paper's: rec.schedule.replace(milestones=[...])."
        )
        from .schedules import multistep_decay

        return Recommendation(multistep_decay.bind(peak_lr=peak, milestones=milestones, gamma=0.1), reasons,
                              None, peak, n, per)

    if n is None:
        return _unknown_length(kind, family, finetune, peak, reasons)

    if kind in TRANSFORMERS:
        if per == "epoch":
            raise ValueError(
                "Transformer schedules (warmup + cosine) are stepped per batch: pass steps_per_epoch with epochs, "
                f"or total_steps. Received: epochs={n_epochs}, steps_per_epoch=None"
            )
        return _transformer(kind, finetune, peak, n, reasons)

    if kind == "cnn":
        if epochs_known is None:
            raise ValueError(
                "For a CNN the decision guide chooses by the number of epochs (< 50: one-cycle, else cosine): "
                f"pass epochs or steps_per_epoch. Received: total_steps={n_total}, epochs=None, steps_per_epoch=None"
            )
        if epochs_known < SHORT_RUN_EPOCHS:
            if per == "epoch":
                raise ValueError(
                    f"A {epochs_known}-epoch CNN run gets one-cycle, which is stepped per batch: pass "
                    f"steps_per_epoch. Received: epochs={n_epochs}, steps_per_epoch=None"
                )
            return _onecycle(family, peak, n, epochs_known, reasons)
        reasons.append(
            f"CNN, {epochs_known} epochs (standard training, >= {SHORT_RUN_EPOCHS}): cosine annealing "
            f"(CosineAnnealingLR, the decision guide), down to eta_min = {COSINE_MIN_LR:g}."
        )
    else:
        reasons.append("No specific rule for this model kind: cosine annealing, the guide's rule of thumb "
                       "(\"when in doubt, use CosineAnnealingLR\").")
    return _cosine(peak, n, per, reasons)


# ------------------------------------------------------------------------------------------------ branches


def _transformer(kind: str, finetune: bool, peak: float, n: int, reasons: list[str]) -> Recommendation:
    from .schedules import warmup_cosine

    if finetune:
        w = round(FINETUNE_WARMUP * n)
        reasons.append(f"Fine-tuning: warmup of {FINETUNE_WARMUP:.0%} of the steps ({w}); the guide's table says "
                       "6-10% for BERT fine-tuning, its example uses 10%.")
    else:
        row = {"gpt": "GPT-style pretraining: 2,000-4,000 steps (2,000 used)",
               "bert": "BERT pretraining: 10,000 steps", "vit": "ViT from scratch: 10,000 steps"}[kind]
        w = WARMUP_STEPS[kind]
        reasons.append(f"Warmup from the guide's table, {row}; longer for larger models.")
        cap = round(MAX_WARMUP_FRACTION * n)
        if w > cap:
            reasons.append(f"The run ({n} steps) is too short for that: warmup cut to {MAX_WARMUP_FRACTION:.0%} of "
                           f"it, {cap} steps.")
            w = cap
    reasons.insert(0, "Transformer: linear warmup + cosine decay, the decision guide's choice "
                      "(get_cosine_schedule_with_warmup), stepped after every optimizer update.")
    reasons.append(f"Cosine floor at {TRANSFORMER_MIN_LR_RATIO:.0%} of the peak, the guide's recipe "
                   "max(min_lr_ratio, cosine) (floor_mode='clip'); min_lr_ratio=0.0 decays to 0 like HF.")
    reasons.append("The warmup starts at peak_lr / (warmup_steps + 1), not 0, so the first update is not wasted "
                   "(HF #34754).")
    s = warmup_cosine.bind(peak_lr=peak, warmup_steps=w, total_steps=n, min_lr_ratio=TRANSFORMER_MIN_LR_RATIO,
                           floor_mode="clip")
    return Recommendation(s, reasons, None, peak, n, "batch")


def _onecycle(family: str, peak: float, n: int, epochs: int, reasons: list[str]) -> Recommendation:
    from .schedules import onecycle, onecycle_momentum

    reasons.insert(0, f"CNN, {epochs} epochs (short training, < {SHORT_RUN_EPOCHS}): one-cycle (OneCycleLR, the "
                      "decision guide) for fast convergence.")
    reasons.append(f"Step it after every batch ({n} times), never per epoch: the guide's most common bug.")
    reasons.append(f"peak_lr is one-cycle's max_lr: run an LR range test first (lrfuncs range-test) and use the "
                   f"lr just before the loss diverges; {peak:g} is a starting point.")
    momentum = None
    if family in ("sgd", "adamw", "lion", "lamb", "adafactor", "rmsprop"):
        momentum = onecycle_momentum.bind(total_steps=n)
        reasons.append("Momentum (Adam: beta1) follows the inverse curve, 0.95 -> 0.85 -> 0.95 "
                       "(OneCycleLR's cycle_momentum).")
    return Recommendation(onecycle.bind(peak_lr=peak, total_steps=n), reasons, momentum, peak, n, "batch")


def _cosine(peak: float, n: int, per: str, reasons: list[str]) -> Recommendation:
    from .schedules import cosine_decay

    min_lr = COSINE_MIN_LR if peak > COSINE_MIN_LR else None
    if per == "epoch":
        reasons.append(f"Stepped once per epoch ({n} times), T_max = total epochs as in the guide; pass "
                       "steps_per_epoch for a smooth per-batch curve.")
    else:
        reasons.append(f"Stepped after every optimizer update ({n} times): total_steps counts updates.")
    return Recommendation(cosine_decay.bind(peak_lr=peak, total_steps=n, min_lr=min_lr), reasons, None, peak, n,
                          per)


def _unknown_length(kind: str, family: str, finetune: bool, peak: float, reasons: list[str]) -> Recommendation:
    if kind in TRANSFORMERS and not finetune:
        from .schedules import warmup_constant

        w = WARMUP_STEPS[kind]
        reasons.insert(0, "Transformer with an unknown run length: cosine needs a length, so linear warmup then a "
                          "constant lr (the guide's \"Constant LR with warmup\"); reduce-on-plateau is not ideal "
                          "for transformers (they need warmup; validation metrics are noisy).")
        reasons.append(f"Warmup of {w} steps from the guide's table.")
        reasons.append("Once the length is known, decay at the end (e.g. a WSD cooldown) or switch to warmup + "
                       "cosine.")
        s = warmup_constant.bind(peak_lr=peak, warmup_steps=w)
        return Recommendation(s, reasons, None, peak, None, "batch")
    why = "fine-tuning with an unpredictable duration" if finetune else "the run length is unknown"
    reasons.insert(0, f"ReduceLROnPlateau: {why} (the decision guide). Step it once per epoch with the "
                      "validation loss.")
    reasons.append(
        f"patience={PLATEAU['patience']} epochs, factor={PLATEAU['factor']}, min_lr={PLATEAU['min_value']:g} (the "
        "guide's example; its decision guide says patience 5-10): more patience for a noisier metric."
    )
    return Recommendation(Plateau(**PLATEAU), reasons, None, peak, None, "epoch")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ helpers


def _default_peak(family: str, situation: str, reasons: list[str]) -> float:
    if family in DEFAULT_PEAK_LR:
        value = DEFAULT_PEAK_LR[family][situation]
        reasons.append(f"peak lr {value:g}: a usual value for {family} ({situation}); tune it (LR range test).")
        return value
    base = DEFAULT_PEAK_LR["adamw"][situation]
    if family == "lion":
        value = base / 10
        reasons.append(f"peak lr {value:g}: a tenth of AdamW's {base:g} (Lion wants 3-10x smaller lrs, Chen et al. "
                       "2023); tune it.")
        return value
    lo, hi, _ = PEAK_LR_RANGES[family]
    value = min(max(base, lo), hi)
    reasons.append(f"peak lr {value:g}: AdamW's usual {base:g}, kept inside the usual range for {family} "
                   f"({lo:g} to {hi:g}); tune it.")
    return value


def _kind(model_kind: Any) -> str:
    key = str(model_kind).strip().lower() if isinstance(model_kind, str) else None
    if key not in MODEL_KINDS:
        raise ValueError(
            f"Argument `model_kind` must be one of {', '.join(sorted(MODEL_KINDS))}. "
            f"Received: model_kind={model_kind!r}"
        )
    return MODEL_KINDS[key]


def _count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != math.floor(value) or value < 1:
        raise ValueError(f"Argument `{name}` must be a whole number >= 1. Received: {name}={value!r}")
    return int(value)


class _CallableModule(types.ModuleType):
    """``lrfuncs.recommend`` may be bound to this module: calling it calls :func:`recommend`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return recommend(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
