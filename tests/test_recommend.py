"""``lrfuncs.recommend``: each branch of the guide's decision guide and its warmup table, and the
recommended schedules equal the torch schedulers the guide's own code builds (stepped for real).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import torch
from conftest import assert_lr_close

import lrfuncs
from lrfuncs.recommend import (
    COSINE_MIN_LR,
    DEFAULT_PEAK_LR,
    MODEL_KINDS,
    PLATEAU,
    WARMUP_STEPS,
    Recommendation,
    recommend,
)


def step_torch(opt: torch.optim.Optimizer, sched: Any, n: int, key: str = "lr") -> list[Any]:
    """The value of ``key`` in group 0 used by each of ``n`` real updates."""
    p = opt.param_groups[0]["params"][0]
    used = []
    for _ in range(n):
        used.append(opt.param_groups[0][key])
        opt.zero_grad()
        (p**2).sum().backward()
        opt.step()
        sched.step()
    return used


# --------------------------------------------------------------------------------------------- transformers


@pytest.mark.parametrize(("kind", "warmup"), [("transformer", 2000), ("gpt", 2000), ("llm", 2000),
                                              ("bert", 10_000), ("vit", 10_000)])
def test_transformer_pretraining_warmup_table(kind: str, warmup: int) -> None:
    rec = recommend(kind, total_steps=1_000_000)
    assert WARMUP_STEPS[MODEL_KINDS[kind]] == warmup
    s = rec.schedule
    assert isinstance(s, lrfuncs.Schedule)
    assert s == lrfuncs.warmup_cosine.bind(peak_lr=rec.peak_lr, warmup_steps=warmup, total_steps=1_000_000,
                                           min_lr_ratio=0.1, floor_mode="clip")
    assert (rec.total_steps, rec.per, rec.momentum) == (1_000_000, "batch", None)
    text = " ".join(rec.reasons)
    assert "linear warmup + cosine decay" in text
    assert {"gpt": "2,000-4,000", "bert": "BERT pretraining: 10,000", "vit": "ViT from scratch: 10,000"}[
        MODEL_KINDS[kind]] in text
    assert s(0) > 0  # never the wasted lr-0 first update


def test_transformer_default_peaks() -> None:
    assert recommend("gpt", total_steps=100_000).peak_lr == 3e-4
    assert recommend("bert", total_steps=1_000_000).peak_lr == 1e-4
    assert recommend("vit", total_steps=300_000).peak_lr == 1e-3
    assert recommend("bert", total_steps=10_000, finetune=True).peak_lr == 2e-5


def test_the_issue_example() -> None:
    rec = recommend("transformer", total_steps=100_000)
    assert rec.spec == ("warmup_cosine(peak_lr=0.0003, warmup_steps=2000, total_steps=100000, min_lr_ratio=0.1, "
                        "floor_mode='clip')")
    assert lrfuncs.parse(rec.spec) == rec.schedule


def test_transformer_short_run_caps_the_warmup() -> None:
    rec = recommend("vit", total_steps=50_000)
    assert rec.schedule.config["warmup_steps"] == 5000
    assert any("too short" in r and "5000 steps" in r for r in rec.reasons)
    assert recommend("gpt", total_steps=20_000).schedule.config["warmup_steps"] == 2000  # exactly 10%: kept


@pytest.mark.parametrize("kind", ["transformer", "bert", "vit"])
def test_transformer_finetuning_warms_up_ten_percent(kind: str) -> None:
    rec = recommend(kind, total_steps=12_345, finetune=True)
    assert rec.schedule.config["warmup_steps"] == 1234
    assert any("6-10%" in r for r in rec.reasons)


def test_transformer_length_from_epochs() -> None:
    rec = recommend("bert", epochs=3, steps_per_epoch=1000, finetune=True)
    assert rec.total_steps == 3000
    assert rec.schedule.config["total_steps"] == 3000
    with pytest.raises(ValueError, match=r"stepped per batch: pass steps_per_epoch with epochs"):
        recommend("bert", epochs=3, finetune=True)


# --------------------------------------------------------------------------------------------- CNNs


def test_cnn_short_run_is_onecycle_equal_to_the_guides_torch_code() -> None:
    """The guide's OneCycleLR example (epochs, steps_per_epoch, max_lr), stepped per batch, for real."""
    epochs, spe = 3, 20
    rec = recommend("cnn", epochs=epochs, steps_per_epoch=spe, optimizer="sgd")
    assert rec.schedule == lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=60)
    assert rec.momentum == lrfuncs.onecycle_momentum.bind(total_steps=60)
    assert (rec.total_steps, rec.per, rec.peak_lr) == (60, "batch", 0.1)
    assert any("range test" in r for r in rec.reasons)
    opt = torch.optim.SGD(torch.nn.Linear(3, 1).parameters(), lr=0.01, momentum=0.9)
    ref = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, steps_per_epoch=spe, epochs=epochs, pct_start=0.3,
                                              div_factor=25, final_div_factor=1e4, anneal_strategy="cos")
    opt2 = torch.optim.SGD(torch.nn.Linear(3, 1).parameters(), lr=0.01, momentum=0.9)
    ref2 = torch.optim.lr_scheduler.OneCycleLR(opt2, max_lr=0.1, steps_per_epoch=spe, epochs=epochs)
    lrs = step_torch(opt, ref, epochs * spe)
    moms = step_torch(opt2, ref2, epochs * spe, key="momentum")
    assert_lr_close([rec.schedule(k) for k in range(60)], lrs, peak=0.1)
    assert_lr_close([rec.momentum(k) for k in range(60)], moms)


@pytest.mark.parametrize(("epochs", "name"), [(1, "onecycle"), (49, "onecycle"), (50, "cosine_decay"),
                                              (51, "cosine_decay"), (200, "cosine_decay")])
def test_cnn_fifty_epoch_boundary(epochs: int, name: str) -> None:
    assert recommend("cnn", epochs=epochs, steps_per_epoch=10, optimizer="sgd").schedule.name == name


def test_cnn_long_run_is_cosine_equal_to_torch_cosine_annealing() -> None:
    rec = recommend("resnet", epochs=60, steps_per_epoch=5, optimizer="sgd")
    assert rec.schedule == lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=300, min_lr=COSINE_MIN_LR)
    opt = torch.optim.SGD(torch.nn.Linear(3, 1).parameters(), lr=0.1, momentum=0.9)
    ref = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=300, eta_min=1e-6)
    assert_lr_close([rec.schedule(k) for k in range(300)], step_torch(opt, ref, 300), peak=0.1)
    assert rec.momentum is None


def test_cnn_per_epoch_when_steps_per_epoch_unknown() -> None:
    rec = recommend("cnn", epochs=200, optimizer="sgd")
    assert (rec.total_steps, rec.per) == (200, "epoch")
    assert rec.schedule.config["total_steps"] == 200
    assert any("T_max = total epochs" in r for r in rec.reasons)


def test_cnn_epochs_from_total_steps_and_steps_per_epoch() -> None:
    assert recommend("cnn", total_steps=3900, steps_per_epoch=390, optimizer="sgd").schedule.name == "onecycle"
    assert recommend("cnn", total_steps=39_000, steps_per_epoch=390, optimizer="sgd").schedule.name == "cosine_decay"


def test_cnn_errors() -> None:
    with pytest.raises(ValueError, match=r"chooses by the number of epochs .*pass epochs or steps_per_epoch"):
        recommend("cnn", total_steps=10_000)
    with pytest.raises(ValueError, match=r"one-cycle, which is stepped per batch: pass steps_per_epoch"):
        recommend("cnn", epochs=30)


def test_onecycle_momentum_needs_a_momentum_optimizer() -> None:
    assert recommend("cnn", epochs=10, steps_per_epoch=10, optimizer="adamw").momentum is not None  # beta1
    assert recommend("cnn", epochs=10, steps_per_epoch=10, optimizer="adagrad").momentum is None


# --------------------------------------------------------------------------------------------- other branches


def test_unknown_length_is_plateau() -> None:
    for kind, kwargs in [("cnn", {}), ("mlp", {}), ("bert", {"finetune": True}), ("vit", {"finetune": True})]:
        rec = recommend(kind, **kwargs)
        assert rec.schedule == lrfuncs.Plateau(**PLATEAU)  # type: ignore[arg-type]
        assert (rec.total_steps, rec.per) == (None, "epoch")
        assert "ReduceLROnPlateau" in rec.reasons[0]
        assert "validation loss" in str(rec)
    assert PLATEAU == {"mode": "min", "factor": 0.5, "patience": 10, "min_value": 1e-6}  # the guide's example


def test_unknown_length_transformer_from_scratch_is_warmup_constant() -> None:
    rec = recommend("gpt")
    assert rec.schedule == lrfuncs.warmup_constant.bind(peak_lr=3e-4, warmup_steps=2000)
    assert "not ideal for transformers" in rec.reasons[0]
    assert "no planned end" in str(rec)


def test_reproduce_paper_is_multistep_equal_to_torch_multistep() -> None:
    rec = recommend("resnet", epochs=100, optimizer="sgd", reproduce_paper=True)
    assert rec.schedule == lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=[30, 60, 90], gamma=0.1)
    assert "replace them with your paper's" in rec.reasons[0]
    opt = torch.optim.SGD(torch.nn.Linear(3, 1).parameters(), lr=0.1, momentum=0.9)
    ref = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 60, 90], gamma=0.1)
    assert_lr_close([rec.schedule(k) for k in range(100)], step_torch(opt, ref, 100), peak=0.1)
    # in steps when the epoch length is known; reproduce_paper wins over the model kind
    rec = recommend("transformer", epochs=10, steps_per_epoch=100, reproduce_paper=True)
    assert rec.schedule.config["milestones"] == (300, 600, 900)
    with pytest.raises(ValueError, match="needs the run length"):
        recommend("cnn", reproduce_paper=True)


def test_other_models_get_cosine() -> None:
    rec = recommend("mlp", total_steps=5000)
    assert rec.schedule == lrfuncs.cosine_decay.bind(peak_lr=1e-3, total_steps=5000, min_lr=COSINE_MIN_LR)
    assert "when in doubt" in rec.reasons[0]


def test_peak_lr_per_optimizer() -> None:
    assert recommend("mlp", total_steps=100, peak_lr=0.05).peak_lr == 0.05
    assert recommend("mlp", total_steps=100, optimizer="sgd").peak_lr == DEFAULT_PEAK_LR["sgd"]["other"]
    assert recommend("gpt", total_steps=100_000, optimizer="lion").peak_lr == pytest.approx(3e-5)
    assert recommend("bert", total_steps=100_000, finetune=True, optimizer="lamb").peak_lr == 1e-4  # clipped up
    assert recommend("gpt", total_steps=100_000, optimizer=torch.optim.AdamW).peak_lr == 3e-4
    rec = recommend("cnn", epochs=100, optimizer="sgd", peak_lr=0.05)
    assert rec.schedule.config["peak_lr"] == 0.05
    assert any("as given" in r for r in rec.reasons)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("gan",), {}, ValueError, r"Argument `model_kind` must be one of .*Received: model_kind='gan'"),
        ((3,), {}, ValueError, r"Argument `model_kind`"),
        (("cnn",), {"optimizer": "adadelta"}, ValueError, r"Argument `optimizer` must be one of"),
        (("cnn",), {"total_steps": 0}, ValueError, r"Argument `total_steps` must be a whole number >= 1"),
        (("cnn",), {"epochs": 2.5}, ValueError, r"Argument `epochs` must be a whole number"),
        (("cnn",), {"steps_per_epoch": -3}, ValueError, r"Argument `steps_per_epoch`"),
        (("cnn",), {"total_steps": 100, "epochs": 3, "steps_per_epoch": 10}, ValueError,
         r"`total_steps` must equal epochs \* steps_per_epoch"),
        (("cnn",), {"peak_lr": 0.0}, ValueError, r"Argument `peak_lr` must be a number > 0"),
        (("cnn",), {"finetune": "yes"}, TypeError, r"Argument `finetune` must be True or False"),
    ],
)
def test_bad_arguments(args: tuple[Any, ...], kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        recommend(*args, **kwargs)


def test_recommendation_object() -> None:
    rec = recommend("cnn", epochs=10, steps_per_epoch=100, optimizer="sgd")
    assert isinstance(rec, Recommendation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.peak_lr = 1.0  # type: ignore[misc]
    text = str(rec)
    assert text.splitlines()[0] == "schedule: onecycle(peak_lr=0.1, total_steps=1000)"
    assert "momentum: onecycle_momentum(total_steps=1000)" in text
    assert "step it:  once per batch, 1000 times" in text
    assert all(f"  - {r}" in text for r in rec.reasons)
    assert callable(lrfuncs.recommend)
