"""``lrfuncs.lint``: every rule fires on its classic mistake, and stays silent on the guide's recipes and on
``recommend()``'s outputs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import lrfuncs
from lrfuncs.lint import ERROR, PEAK_LR_RANGES, RULES, WARNING, Finding, lint, optimizer_family
from lrfuncs.recommend import recommend


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in findings]


# --------------------------------------------------------------------------------------------- each rule fires


def test_horizon_short_cosine_tmax_in_epochs_stepped_per_batch() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=90)  # T_max = 90 epochs ...
    (f,) = lint(s, total_steps=90 * 390, steps_per_epoch=390)  # ... stepped every batch
    assert (f.code, f.severity, f.step) == ("horizon-short", ERROR, 90.0)
    assert "stepped per batch? use total_steps=epochs*steps_per_epoch = 35100" in f.message
    assert "the last 35010 updates" in f.message
    # without steps_per_epoch the fix is the training length
    (f,) = lint(s, total_steps=90 * 390)
    assert "total_steps=35100" in f.message
    assert "epochs" not in f.message
    # 80% of the run: a warning
    (f,) = lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=800), total_steps=1000)
    assert (f.code, f.severity) == ("horizon-short", WARNING)


def test_horizon_long_onecycle_stepped_per_epoch() -> None:
    s = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=30 * 390)  # built for every batch ...
    (f,) = lint(s, total_steps=30, steps_per_epoch=390)  # ... stepped once per epoch
    assert (f.code, f.severity, f.step) == ("horizon-long", ERROR, 30.0)
    assert "stepped per epoch? call scheduler.step() after every batch" in f.message
    assert "4% of peak_lr" in f.message  # the run never leaves the warmup
    (f,) = lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=1300), total_steps=1000)
    assert (f.code, f.severity) == ("horizon-long", WARNING)
    assert "total_steps=1000" in f.message


def test_horizon_within_tolerance_is_silent() -> None:
    for horizon in (900, 999, 1000, 1001, 1100):
        assert lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=horizon), total_steps=1000) == []
    # onecycle ends at total_steps - 1 (torch's convention)
    assert lint(lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=5), total_steps=5) == []


def test_warmup_longer_than_training() -> None:
    (f,) = lint(lrfuncs.warmup_constant.bind(peak_lr=3e-4, warmup_steps=2000), total_steps=1500)
    assert (f.code, f.severity, f.step) == ("warmup-long", ERROR, 2000.0)
    assert "never used" in f.message
    assert "warmup_steps=150" in f.message
    (f,) = lint(lrfuncs.warmup_constant.bind(peak_lr=3e-4, warmup_steps=600), total_steps=1000,
                steps_per_epoch=100)
    assert (f.code, f.severity) == ("warmup-long", WARNING)
    assert "60% of training" in f.message
    assert "(1 epoch)" in f.message
    # a schedule's own warmup past the end of a shorter training run
    found = codes(lint(lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=2000, total_steps=4000), 1500))
    assert ("warmup-long", ERROR) in found
    assert ("horizon-long", ERROR) in found


def test_final_lr_above_peak() -> None:
    rising = lrfuncs.linear.bind(init_lr=1e-5, end_lr=1e-3, total_steps=1000)  # start and end swapped
    (f,) = lint(rising, total_steps=1000)
    assert (f.code, f.severity, f.step) == ("final-above-peak", ERROR, 1000.0)
    assert "Swapped start and end values" in f.message
    # a join that ends above where it peaked
    up = lrfuncs.join.bind(schedules=[lrfuncs.cosine_decay.bind(peak_lr=1e-3, total_steps=500),
                                      lrfuncs.constant.bind(peak_lr=2e-3)], boundaries=[900])
    assert ("final-above-peak", ERROR) in codes(lint(up, total_steps=1000))
    # a run stopped during the warmup is horizon-long's finding, not this one
    assert codes(lint(lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=1000), total_steps=100)) == [
        ("horizon-long", ERROR)]


def test_zero_lr_for_the_first_update() -> None:
    hf = lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=100, total_steps=1000, init_lr=0.0)
    (f,) = lint(hf, total_steps=1000)
    assert (f.code, f.severity, f.step) == ("zero-first-lr", WARNING, 0.0)
    assert "init_lr=None" in f.message
    assert "HF #34754" in f.message
    assert lint(hf.replace(init_lr=None), total_steps=1000) == []


@pytest.mark.parametrize(
    ("peak", "optimizer", "where"),
    [(0.1, "adamw", "above"), (0.1, "adam", "above"), (1e-5, "sgd", "below"), (3.0, "sgd", "above"),
     (3e-3, "lion", "above"), (1e-9, torch.optim.AdamW, "below")],
)
def test_peak_outside_the_optimizer_range(peak: float, optimizer: Any, where: str) -> None:
    (f,) = lint(lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=100), total_steps=100, optimizer=optimizer)
    assert (f.code, f.severity, f.step) == ("peak-range", WARNING, None)
    assert f"is {where} the usual range" in f.message


def test_peak_range_accepts_optimizer_objects() -> None:
    opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1)
    assert optimizer_family(opt) == "sgd"
    assert optimizer_family(torch.optim.Adam) == "adamw"
    assert optimizer_family("Nesterov") == "sgd"
    assert lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100), 100, optimizer=opt) == []
    with pytest.raises(ValueError, match=r"Argument `optimizer` must be one of .*Received: optimizer='adadelta'"):
        lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100), 100, optimizer="adadelta")


def test_peak_ranges_are_documented() -> None:
    for name, (lo, hi, source) in PEAK_LR_RANGES.items():
        assert 0 < lo < hi, name
        assert "(" in source, name
        assert any(ch.isdigit() for ch in source), name  # a citation with a year


def test_discontinuity_at_a_phase_boundary() -> None:
    warm = lrfuncs.warmup_constant.bind(peak_lr=1e-3, warmup_steps=100)
    cos = lrfuncs.cosine_decay.bind(peak_lr=3e-4, total_steps=900)  # does not start where the warmup ends
    s = lrfuncs.join.bind(schedules=[warm, cos], boundaries=[100], local_time=True)
    (f,) = lint(s, total_steps=1000)
    assert (f.code, f.severity, f.step) == ("discontinuity", WARNING, 100.0)
    assert "jumps down by 71% of the peak at `switch to cosine_decay` (from 0.001 to 0.0003)" in f.message
    assert lint(s.replace(schedules=[warm, cos.replace(peak_lr=1e-3)]), total_steps=1000) == []


def test_jumps_by_design_are_not_discontinuities() -> None:
    for s in (
        lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=[30, 60, 80]),
        lrfuncs.cosine_restarts.bind(peak_lr=0.1, cycle_steps=20),
        lrfuncs.in_epochs.bind(inner=lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=2, total_steps=9),
                               steps_per_epoch=10, staircase=True),
        lrfuncs.piecewise_constant.bind(boundaries=[50], values=[0.1, 0.01]),
        lrfuncs.constant_factor.bind(peak_lr=0.1, factor=0.5, factor_steps=10),
        lrfuncs.piecewise_interpolate.bind(boundaries=[0, 10, 10, 90], values=[0.1, 0.1, 0.05, 0.01]),  # a knot twice
    ):
        assert [f.code for f in lint(s, total_steps=90)] == [], s


def test_invalid_lr() -> None:
    class Broken(lrfuncs.Schedule):
        def __call__(self, step: Any) -> Any:
            return float("nan") if step >= 500 else super().__call__(step)

    s = Broken(lrfuncs.cosine_decay, peak_lr=0.1, total_steps=1000)
    found = lint(s, total_steps=1000)
    assert ("invalid-lr", ERROR) in codes(found)
    f = next(f for f in found if f.code == "invalid-lr")
    assert f.step == 500.0
    assert "nan" in f.message


def test_every_rule_is_tested() -> None:
    """The rules above cover RULES (a new rule needs its bad case here)."""
    assert RULES == ("horizon-short", "horizon-long", "warmup-long", "final-above-peak", "zero-first-lr",
                     "peak-range", "discontinuity", "invalid-lr")


# --------------------------------------------------------------------------------------------- silent on good recipes


def guide_recipes() -> list[tuple[str, Any, int, int | None, str]]:
    """The guide's recipes: (name, schedule, total_steps, steps_per_epoch, optimizer)."""
    spe = 390
    return [
        ("StepLR 0.1 every 30 epochs", lrfuncs.step_decay.bind(peak_lr=0.1, step_size=30), 90, None, "sgd"),
        ("MultiStepLR [30, 60, 80]", lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=[30, 60, 80]), 90, None,
         "sgd"),
        ("CosineAnnealingLR T_max=200 per epoch",
         lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=200, min_lr=1e-6), 200, spe, "sgd"),
        ("CosineAnnealingWarmRestarts T_0=50, T_mult=2",
         lrfuncs.cosine_restarts.bind(peak_lr=0.1, cycle_steps=50, cycle_mult=2, min_lr=1e-6), 350, None, "sgd"),
        ("OneCycleLR per batch", lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=20 * spe), 20 * spe, spe, "sgd"),
        ("BERT fine-tuning: linear warmup 10% + linear decay",
         lrfuncs.warmup_linear.bind(peak_lr=2e-5, warmup_steps=1000, total_steps=10_000), 10_000, None, "adamw"),
        ("GPT: cosine with warmup", lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=2000, total_steps=100_000),
         100_000, None, "adamw"),
        ("the guide's warmup cosine with min_lr_ratio=0.1",
         lrfuncs.warmup_cosine.bind(peak_lr=1e-3, warmup_steps=500, total_steps=10_000, min_lr_ratio=0.1,
                                    floor_mode="clip"), 10_000, None, "adamw"),
        ("constant with warmup", lrfuncs.warmup_constant.bind(peak_lr=2e-5, warmup_steps=500), 10_000, None, "adamw"),
        ("ViT: 10k warmup", lrfuncs.warmup_cosine.bind(peak_lr=1e-3, warmup_steps=10_000, total_steps=300_000),
         300_000, None, "adamw"),
    ]


@pytest.mark.parametrize("recipe", guide_recipes(), ids=lambda r: r[0])
def test_silent_on_the_guides_recipes(recipe: tuple[str, Any, int, int | None, str]) -> None:
    _, s, total, spe, opt = recipe
    assert lint(s, total, steps_per_epoch=spe, optimizer=opt) == []


RECOMMEND_CALLS = [
    ("transformer", {"total_steps": 100_000}),
    ("gpt", {"total_steps": 8_000}),
    ("bert", {"total_steps": 1_000_000}),
    ("bert", {"total_steps": 20_000, "finetune": True}),
    ("vit", {"total_steps": 50_000}),
    ("vit", {"epochs": 300, "steps_per_epoch": 1000, "optimizer": "lion"}),
    ("cnn", {"epochs": 30, "steps_per_epoch": 390, "optimizer": "sgd"}),
    ("cnn", {"epochs": 200, "steps_per_epoch": 390, "optimizer": "sgd"}),
    ("cnn", {"epochs": 200, "optimizer": "sgd"}),
    ("cnn", {"epochs": 10, "steps_per_epoch": 100, "optimizer": "adamw"}),
    ("resnet", {"epochs": 90, "optimizer": "sgd", "reproduce_paper": True}),
    ("mlp", {"total_steps": 5000, "optimizer": "rmsprop"}),
    ("rnn", {"total_steps": 5000, "optimizer": "adagrad"}),
    ("transformer", {"total_steps": 50_000, "optimizer": "lamb"}),
    ("transformer", {"total_steps": 50_000, "optimizer": "adafactor", "finetune": True}),
    ("gpt", {}),
]


@pytest.mark.parametrize(("kind", "kwargs"), RECOMMEND_CALLS, ids=lambda v: str(v))
def test_silent_on_recommend_outputs(kind: str, kwargs: dict[str, Any]) -> None:
    rec = recommend(kind, **kwargs)
    total = rec.total_steps if rec.total_steps is not None else 100_000
    spe = kwargs.get("steps_per_epoch")
    assert lint(rec.schedule, total, steps_per_epoch=spe, optimizer=kwargs.get("optimizer", "adamw")) == []


def test_plateau_has_no_findings() -> None:
    assert lint(recommend("cnn").schedule, 1000) == []
    assert lint(lrfuncs.Plateau(), 10) == []


@given(
    total=st.integers(20, 10**7),
    warmup_frac=st.floats(0.0, 0.5),
    peak=st.floats(1e-5, 1e-3),
    floor=st.sampled_from([None, 0.0, 0.1]),
)
def test_warmup_cosine_over_its_own_length_is_silent(total: int, warmup_frac: float, peak: float,
                                                     floor: float | None) -> None:
    s = lrfuncs.warmup_cosine.bind(peak_lr=peak, warmup_steps=round(warmup_frac * total), total_steps=total,
                                   min_lr_ratio=floor)
    assert lint(s, total, optimizer="adamw") == []


# --------------------------------------------------------------------------------------------- API


def test_finding_is_a_frozen_dataclass_with_a_readable_str() -> None:
    f = Finding("zero-first-lr", WARNING, "msg", 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.code = "x"  # type: ignore[misc]
    assert str(f) == "warning: zero-first-lr (step 0): msg"
    assert str(Finding("peak-range", WARNING, "m")) == "warning: peak-range: m"
    assert f == Finding("zero-first-lr", WARNING, "msg", 0.0)


def test_findings_come_in_rule_order_and_specs_are_accepted() -> None:
    text = "warmup_cosine(peak_lr=0.1, warmup_steps=2000, total_steps=4000, init_lr=0.0)"
    found = [f.code for f in lint(text, 1500, optimizer="adamw")]
    assert found == ["horizon-long", "warmup-long", "zero-first-lr", "peak-range"]
    assert found == sorted(found, key=RULES.index)
    assert lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10).to_dict(), 10) == []


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0,), {}, ValueError, r"Argument `total_steps` must be a whole number >= 1. Received: total_steps=0"),
        ((10.5,), {}, ValueError, r"Argument `total_steps` must be a whole number"),
        ((True,), {}, ValueError, r"Argument `total_steps`"),
        ((10,), {"steps_per_epoch": 0}, ValueError, r"Argument `steps_per_epoch` must be a number > 0"),
        ((10,), {"optimizer": "sgdd"}, ValueError, r"Argument `optimizer` must be one of"),
    ],
)
def test_bad_arguments(args: tuple[Any, ...], kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10), *args, **kwargs)


def test_sweeps_and_unbound_functions_are_rejected() -> None:
    import numpy as np

    sweep = lrfuncs.cosine_decay.bind(peak_lr=np.array([0.1, 0.2]), total_steps=10)
    with pytest.raises(ValueError, match="plain-number config"):
        lint(sweep, 10)
    with pytest.raises(TypeError, match="bind its config first"):
        lint(lrfuncs.cosine_decay, 10)


def test_lint_is_exported_lazily() -> None:
    assert callable(lrfuncs.lint)
    assert lrfuncs.lint(lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10), 10) == []  # type: ignore[operator]
