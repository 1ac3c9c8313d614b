"""Every config check, on the call and on ``.bind()``; bad steps; degenerate-but-valid configs.

Concrete config (Python numbers, numpy scalars) is validated: bad values raise ValueError
``Argument `x` must be .... Received: x=...``, wrong kinds TypeError, unknown or missing
keywords TypeError. Array-valued config is not inspected (documented). Negative, NaN and
infinite concrete steps raise ValueError. Degenerate configs that are valid (zero-length
phases, one-step schedules, shrinking cycles far past their horizon) give finite values on
every backend.
"""

from __future__ import annotations

import math
import re
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest
import torch
from conftest import BACKENDS, evaluate

import lrfuncs

BASE: dict[str, dict[str, Any]] = {
    "step_decay": {"peak_lr": 0.1, "step_size": 10},
    "multistep_decay": {"peak_lr": 0.1, "milestones": [10, 20]},
    "cosine_decay": {"peak_lr": 0.1, "total_steps": 100},
    "cosine_restarts": {"peak_lr": 0.1, "cycle_steps": 10},
    "onecycle": {"peak_lr": 0.1, "total_steps": 100},
    "onecycle_momentum": {"total_steps": 100},
    "warmup_constant": {"peak_lr": 0.1, "warmup_steps": 10},
    "warmup_linear": {"peak_lr": 0.1, "warmup_steps": 10, "total_steps": 100},
    "warmup_cosine": {"peak_lr": 0.1, "warmup_steps": 10, "total_steps": 100},
}
SCHEDULES = sorted(BASE)

#: Arguments checked with "must be > 0" (finite).
POSITIVE = {
    "step_decay": ["peak_lr", "step_size"],
    "multistep_decay": ["peak_lr"],
    "cosine_decay": ["peak_lr", "total_steps", "exponent"],
    "cosine_restarts": ["peak_lr", "cycle_steps", "cycle_mult"],
    "onecycle": ["peak_lr", "div_factor", "final_div_factor"],
    "onecycle_momentum": [],
    "warmup_constant": ["peak_lr"],
    "warmup_linear": ["peak_lr", "total_steps"],
    "warmup_cosine": ["peak_lr", "total_steps", "num_cycles", "exponent"],
}
#: Arguments checked with "must be >= 0" (finite); optional ones only when given.
NON_NEGATIVE = {
    "cosine_decay": ["min_lr"],
    "cosine_restarts": ["warmup_steps", "cycle_warmup_steps", "min_lr", "init_lr"],
    "warmup_constant": ["warmup_steps", "init_lr"],
    "warmup_linear": ["warmup_steps", "init_lr", "min_lr"],
    "warmup_cosine": ["warmup_steps", "init_lr", "min_lr"],
}
#: Arguments checked to lie in an interval: (name, interval as printed, values outside it).
INTERVALS = {
    "step_decay": [("gamma", "(0, 1]", [0, 1.5, -0.5])],
    "multistep_decay": [("gamma", "(0, 1]", [0, 1.5])],
    "cosine_decay": [("min_lr_ratio", "[0, 1]", [1.5, -0.1])],
    "cosine_restarts": [("peak_decay", "(0, 1]", [0, 1.5]), ("min_lr_ratio", "[0, 1]", [2, -1])],
    "onecycle": [("pct_start", "[0, 1]", [1.5, -0.1]), ("pct_final", "[0, 1]", [1.5, -0.1])],
    "onecycle_momentum": [
        ("pct_start", "[0, 1]", [1.5]),
        ("pct_final", "[0, 1]", [1.01]),
        ("base_momentum", "[0, 1]", [-0.1, 1.5]),
        ("max_momentum", "[0, 1]", [1.5]),
    ],
    "warmup_linear": [("min_lr_ratio", "[0, 1]", [1.5])],
    "warmup_cosine": [("min_lr_ratio", "[0, 1]", [-0.5])],
}
#: Whole numbers: (name, minimum).
INTEGERS = {
    "onecycle": [("total_steps", 1)],
    "onecycle_momentum": [("total_steps", 1)],
    "cosine_restarts": [("max_cycles", 1)],
}
CHOICES = {
    "onecycle": [("anneal", "'cos', 'linear'", "cosine"), ("convention", "'torch', 'optax'", "keras")],
    "onecycle_momentum": [("anneal", "'cos', 'linear'", "linear_"), ("convention", "'torch', 'optax'", "Torch")],
    "warmup_cosine": [("floor_mode", "'rescale', 'clip'", "max")],
}
FLAGS = {
    "cosine_decay": ["periodic"],
    "warmup_cosine": ["periodic"],
    "onecycle": ["three_phase"],
    "onecycle_momentum": ["three_phase"],
}


# ---------------------------------------------------------------------------------------------- the newer schedules
_COS = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100)


def _opts(*names: str) -> str:
    return ", ".join(repr(n) for n in names)


BASE.update({
    "constant": {"peak_lr": 0.1},
    "constant_factor": {"peak_lr": 0.1, "factor": 0.5, "factor_steps": 5},
    "linear": {"init_lr": 0.1, "end_lr": 0.01, "total_steps": 100},
    "exponential_decay": {"peak_lr": 0.1, "decay_rate": 0.5},
    "polynomial_decay": {"peak_lr": 0.1, "total_steps": 100},
    "inverse_time_decay": {"peak_lr": 0.1, "decay_rate": 0.5},
    "inverse_sqrt": {"peak_lr": 0.1, "warmup_steps": 10},
    "wsd": {"peak_lr": 0.1, "total_steps": 100, "decay_steps": 10},
    "cyclic": {"min_lr": 0.01, "peak_lr": 0.1},
    "cyclic_momentum": {},
    "piecewise_constant": {"boundaries": [10], "values": [0.1, 0.01]},
    "piecewise_interpolate": {"boundaries": [0, 10], "values": [0.1, 0.01]},
    "swa": {"init_lr": 0.1, "swa_lr": 0.05},
    "tri_stage": {"peak_lr": 0.1, "warmup_steps": 10, "hold_steps": 10, "decay_steps": 10},
    "tanh_decay": {"peak_lr": 0.1, "total_steps": 100},
    "cosine_hard_restarts": {"peak_lr": 0.1, "warmup_steps": 10, "total_steps": 100},
    "noise": {"inner": _COS},
    "lr_sweep": {"start_lr": 1e-6, "end_lr": 1.0, "num_steps": 100},
    "join": {"schedules": [_COS, _COS], "boundaries": [10]},
    "product": {"schedules": [_COS, _COS]},
    "with_warmup": {"inner": _COS, "warmup_steps": 10, "total_includes_warmup": False},
    "restarts": {"inner": _COS, "cycle_steps": 10},
    "scale": {"inner": _COS, "factor": 0.5},
    "clip": {"inner": _COS, "min_lr": 0.01},
    "in_epochs": {"inner": _COS, "steps_per_epoch": 10},
    "shift": {"inner": _COS, "offset": 1},
})
SCHEDULES = sorted(BASE)
POSITIVE["cosine_decay"].append("k_decay")
POSITIVE["cosine_restarts"].append("k_decay")
POSITIVE.update({
    "constant": ["peak_lr"],
    "constant_factor": ["peak_lr"],
    "linear": ["total_steps"],
    "exponential_decay": ["peak_lr", "decay_rate", "decay_steps"],
    "polynomial_decay": ["total_steps", "power", "k_decay"],
    "inverse_time_decay": ["peak_lr", "decay_steps"],
    "inverse_sqrt": ["peak_lr"],
    "wsd": ["peak_lr", "total_steps", "decay_power", "num_cycles", "stable_power"],
    "cyclic": ["peak_lr", "up_steps"],
    "cyclic_momentum": ["up_steps"],
    "tri_stage": ["peak_lr"],
    "tanh_decay": ["peak_lr", "total_steps"],
    "cosine_hard_restarts": ["peak_lr", "total_steps", "num_cycles"],
    "noise": ["std"],
    "lr_sweep": ["start_lr", "end_lr"],
    "restarts": ["cycle_steps", "cycle_mult"],
    "in_epochs": ["steps_per_epoch"],
})
NON_NEGATIVE.update({
    "constant_factor": ["factor_steps"],
    "linear": ["init_lr", "end_lr", "hold_steps"],
    "exponential_decay": ["hold_steps", "end_lr"],
    "polynomial_decay": ["peak_lr", "end_lr", "warmup_steps", "init_lr", "hold_steps"],  # peak 0: a rise to end_lr
    "inverse_time_decay": ["decay_rate"],
    "inverse_sqrt": ["warmup_steps", "init_lr"],
    "wsd": ["decay_steps", "warmup_steps", "init_lr", "min_lr"],
    "cyclic": ["min_lr", "down_steps"],
    "cyclic_momentum": ["down_steps"],
    "swa": ["init_lr", "swa_lr", "anneal_steps"],
    "tri_stage": ["warmup_steps", "hold_steps", "decay_steps", "init_lr"],
    "tanh_decay": ["min_lr"],
    "cosine_hard_restarts": ["warmup_steps", "init_lr", "min_lr"],
    "noise": ["begin_step", "end_step"],
    "with_warmup": ["warmup_steps", "init_lr"],
    "restarts": ["cycle_warmup_steps", "min_lr"],
    "scale": ["factor"],
    "product": ["scale"],
    "clip": ["min_lr", "max_lr"],
})
INTERVALS.update({
    "constant_factor": [("factor", "[0, 1]", [1.5, -0.1])],
    "wsd": [("decay_ratio", "(0, 1)", [0, 1, 1.5]), ("min_lr_ratio", "[0, 1]", [1.5, -0.1])],
    "cyclic": [("gamma", "(0, 1]", [0, 1.5])],
    "cyclic_momentum": [("gamma", "(0, 1]", [0]), ("base_momentum", "[0, 1]", [-0.1, 1.5]),
                        ("max_momentum", "[0, 1]", [1.5])],
    "tri_stage": [("min_lr_ratio", "(0, 1]", [1.5])],
    "tanh_decay": [("min_lr_ratio", "[0, 1]", [1.5, -0.1])],
    "cosine_hard_restarts": [("min_lr_ratio", "[0, 1]", [2.0])],
    "noise": [("pct", "(0, 1]", [0, 1.5])],
    "with_warmup": [("init_lr_ratio", "[0, 1]", [1.5, -0.1])],
    "restarts": [("peak_decay", "(0, 1]", [0, 1.5])],
})
INTEGERS.update({
    "lr_sweep": [("num_steps", 2)],
    "restarts": [("max_cycles", 1)],
})
CHOICES.update({
    "wsd": [("warmup_shape", _opts("linear", "cosine", "1-sqrt"), "exp"),
            ("decay_shape", _opts("linear", "cosine", "1-sqrt", "power", "exp"), "sqrt"),
            ("stable_shape", _opts("constant", "rsqrt", "power"), "flat")],
    "cyclic": [("mode", _opts("triangular", "triangular2", "exp_range"), "triangle")],
    "cyclic_momentum": [("mode", _opts("triangular", "triangular2", "exp_range"), "exp")],
    "piecewise_constant": [("switch", _opts("at", "after"), "before")],
    "piecewise_interpolate": [("interpolation", _opts("linear", "cosine"), "cubic")],
    "swa": [("anneal", _opts("cos", "linear"), "cosine")],
    "noise": [("kind", _opts("normal", "uniform"), "gaussian")],
    "lr_sweep": [("mode", _opts("exp", "linear"), "log"), ("convention", _opts("torch_lr_finder", "fastai",
                                                                                 "lightning"), "keras")],
    "with_warmup": [("shape", _opts("linear", "cosine", "1-sqrt"), "exp")],
    "restarts": [("decay_mode", _opts("peak", "amplitude"), "floor")],
})
FLAGS.update({
    "exponential_decay": ["staircase"],
    "inverse_time_decay": ["staircase"],
    "polynomial_decay": ["cycle"],
    "join": ["local_time"],
    "with_warmup": ["total_includes_warmup"],
    "in_epochs": ["staircase"],
})
#: Arguments validated by their family's own tests (tests/test_schedules_*.py, test_compose.py, test_range_test.py):
#: schedules, sequences, options where None is valid, and free numbers.
ELSEWHERE = {
    "inverse_sqrt": ["timescale"],
    "wsd": ["stable_timescale"],
    "cyclic": ["scale_mode"],
    "cyclic_momentum": ["scale_mode"],
    "piecewise_constant": ["boundaries", "values"],
    "piecewise_interpolate": ["boundaries", "values"],
    "tri_stage": ["min_lr"],
    "tanh_decay": ["lb", "ub"],
    "noise": ["inner", "seed"],
    "join": ["schedules", "boundaries", "fractions", "total_steps"],
    "product": ["schedules"],
    "with_warmup": ["inner"],
    "restarts": ["inner"],
    "scale": ["inner"],
    "clip": ["inner"],
    "in_epochs": ["inner"],
    "shift": ["inner", "offset"],
}

def test_tables_cover_every_schedule_and_argument() -> None:
    """Every argument of every schedule is in one of the tables above (a new one must be added)."""
    assert set(BASE) == set(lrfuncs.registered())
    for name, fn in lrfuncs.registered().items():
        listed = set(POSITIVE.get(name, [])) | set(NON_NEGATIVE.get(name, []))
        listed |= {a for a, _, _ in INTERVALS.get(name, [])} | {a for a, _ in INTEGERS.get(name, [])}
        listed |= {a for a, _, _ in CHOICES.get(name, [])} | set(FLAGS.get(name, []))
        listed |= {"milestones"} if name == "multistep_decay" else set()
        listed |= set(ELSEWHERE.get(name, []))
        assert fn.spec.names - listed == set(), name


def msg(arg: str, what: str, value: str) -> str:
    return f"Argument `{arg}` {what}. Received: {arg}={value}"


def type_msg(arg: str, value: str, kind: str) -> str:
    return f"Argument `{arg}` must be a number or an array of numbers. Received: {arg}={value} of type {kind}"


def _cases() -> list[Any]:
    rows: list[Any] = []

    def add(name: str, change: dict[str, Any], exc: type[Exception], message: str, tag: str) -> None:
        rows.append(pytest.param(name, change, exc, message, id=f"{name}-{tag}"))

    for name, args in POSITIVE.items():
        for a in args:
            add(name, {a: -1}, ValueError, msg(a, "must be > 0", "-1"), f"{a}=-1")
            add(name, {a: 0}, ValueError, msg(a, "must be > 0", "0"), f"{a}=0")
            add(name, {a: 0.0}, ValueError, msg(a, "must be > 0", "0.0"), f"{a}=0.0")
            add(name, {a: np.float64(-2.5)}, ValueError, msg(a, "must be > 0", "-2.5"), f"{a}=np-2.5")
            add(name, {a: math.nan}, ValueError, msg(a, "must be a finite number", "nan"), f"{a}=nan")
            add(name, {a: math.inf}, ValueError, msg(a, "must be a finite number", "inf"), f"{a}=inf")
            add(name, {a: "100"}, TypeError, type_msg(a, "'100'", "str"), f"{a}=str")
            add(name, {a: True}, TypeError, type_msg(a, "True", "bool"), f"{a}=True")
            add(name, {a: None}, TypeError, type_msg(a, "None", "NoneType"), f"{a}=None")
            add(name, {a: (1.0, 2.0)}, TypeError, type_msg(a, "(1.0, 2.0)", "tuple"), f"{a}=tuple")
            add(name, {a: 1 + 2j}, TypeError, f"Argument `{a}` must be a real number. Received: {a}=(1+2j)", f"{a}=cx")
    for name, args in NON_NEGATIVE.items():
        for a in args:
            add(name, {a: -1}, ValueError, msg(a, "must be >= 0", "-1"), f"{a}=-1")
            add(name, {a: -0.5}, ValueError, msg(a, "must be >= 0", "-0.5"), f"{a}=-0.5")
            add(name, {a: math.nan}, ValueError, msg(a, "must be a finite number", "nan"), f"{a}=nan")
            add(name, {a: math.inf}, ValueError, msg(a, "must be a finite number", "inf"), f"{a}=inf")
            add(name, {a: "1"}, TypeError, type_msg(a, "'1'", "str"), f"{a}=str")
            add(name, {a: True}, TypeError, type_msg(a, "True", "bool"), f"{a}=True")
    for name, specs in INTERVALS.items():
        for a, interval, values in specs:
            for v in values:
                add(name, {a: v}, ValueError, msg(a, f"must be in {interval}", str(v)), f"{a}={v}")
            add(name, {a: math.nan}, ValueError, msg(a, "must be a finite number", "nan"), f"{a}=nan")
            add(name, {a: "0.5"}, TypeError, type_msg(a, "'0.5'", "str"), f"{a}=str")
            add(name, {a: False}, TypeError, type_msg(a, "False", "bool"), f"{a}=False")
    for name, specs in INTEGERS.items():
        for a, lo in specs:
            add(name, {a: 0}, ValueError, msg(a, f"must be >= {lo}", "0"), f"{a}=0")
            add(name, {a: -3}, ValueError, msg(a, f"must be >= {lo}", "-3"), f"{a}=-3")
            add(name, {a: 2.5}, ValueError, msg(a, "must be a whole number", "2.5"), f"{a}=2.5")
            add(name, {a: math.inf}, ValueError, msg(a, "must be a finite number", "inf"), f"{a}=inf")
            add(name, {a: "100"}, TypeError, type_msg(a, "'100'", "str"), f"{a}=str")
            add(name, {a: True}, TypeError, type_msg(a, "True", "bool"), f"{a}=True")
    for name, specs in CHOICES.items():
        for a, options, bad in specs:
            add(name, {a: bad}, ValueError, f"Argument `{a}` must be one of {options}. Received: {a}='{bad}'", a)
            expect = f"Argument `{a}` must be one of {options}. Received: {a}="
            add(name, {a: None}, ValueError, expect + "None", f"{a}=None")
    for name, args in FLAGS.items():
        for a in args:
            for v, shown in (("yes", "'yes'"), (1, "1"), (None, "None"), (np.bool_(True), "True")):
                expect = f"Argument `{a}` must be True or False. Received: {a}={shown}"
                add(name, {a: v}, TypeError, expect, f"{a}={v!r}")
    # multistep milestones
    ms = "multistep_decay"
    expect = "must be a list or tuple of step indices. Received: milestones="
    add(ms, {"milestones": "30"}, TypeError, expect + "'30'", "str")
    add(ms, {"milestones": 30}, TypeError, expect + "30", "int")
    add(ms, {"milestones": np.array([3, 5])}, TypeError, expect, "ndarray")
    for bad in ([-1], [10, 1.5], [True], [math.nan], ["3"], [-math.inf]):
        add(ms, {"milestones": bad}, ValueError, f"must hold whole numbers >= 0. Received: milestones={bad}", repr(bad))
    add(ms, {"milestones": (5, -2)}, ValueError, "must hold whole numbers >= 0. Received: milestones=[5, -2]", "tuple")
    # relations between arguments
    for name in ("warmup_linear", "warmup_cosine"):
        add(
            name,
            {"warmup_steps": 2000, "total_steps": 1000},
            ValueError,
            "Argument `warmup_steps` must be <= `total_steps`. Received: warmup_steps=2000, total_steps=1000",
            "warmup>total",
        )
    for name in ("cosine_decay", "cosine_restarts", "warmup_linear", "warmup_cosine"):
        add(
            name,
            {"min_lr": 0.01, "min_lr_ratio": 0.1},
            ValueError,
            "Argument `min_lr` and `min_lr_ratio` are two ways to give the same value; pass only one. "
            "Received: min_lr=0.01, min_lr_ratio=0.1",
            "min_lr+ratio",
        )
        add(
            name,
            {"min_lr": 0.0, "min_lr_ratio": 0.0},
            ValueError,
            "are two ways to give the same value; pass only one. Received: min_lr=0.0, min_lr_ratio=0.0",
            "min_lr+ratio-zeros",
        )
        add(
            name,
            {"min_lr": 0.2},
            ValueError,
            "Argument `min_lr` must be <= `peak_lr`. Received: min_lr=0.2, peak_lr=0.1",
            "min_lr>peak",
        )
    for name in ("warmup_constant", "warmup_linear", "warmup_cosine"):
        add(
            name,
            {"init_lr": 0.5},
            ValueError,
            "Argument `init_lr` must be <= `peak_lr`. Received: init_lr=0.5, peak_lr=0.1",
            "init>peak",
        )
    cr = "cosine_restarts"
    expect = "Argument `cycle_warmup_steps` must be < `cycle_steps`. Received: cycle_warmup_steps="
    add(cr, {"cycle_warmup_steps": 10}, ValueError, expect + "10, cycle_steps=10", "cw=T")
    add(cr, {"cycle_warmup_steps": 12.5}, ValueError, expect + "12.5, cycle_steps=10", "cw>T")
    add(cr, {"cycle_warmup_steps": 2, "cycle_mult": 0.5}, ValueError,
        "Argument `cycle_warmup_steps` needs `cycle_mult` >= 1 (shrinking cycles would get shorter than their "
        "warmup). Received: cycle_warmup_steps=2, cycle_mult=0.5", "cw+shrinking")
    for name in ("onecycle", "onecycle_momentum"):
        add(name, {"three_phase": True, "pct_start": 0.6}, ValueError,
            "Argument `pct_start` must be <= 0.5 with `three_phase=True` (the symmetric phases would overlap). "
            "Received: pct_start=0.6, three_phase=True", "three_phase-pct")
        add(name, {"pct_start": 0.5, "pct_final": 0.4}, ValueError,
            "Argument `pct_start` must be <= `pct_final`. Received: pct_start=0.5, pct_final=0.4", "pct>final")
        add(name, {"pct_start": 0.7, "pct_final": 0.6, "three_phase": True}, ValueError,
            "Argument `pct_start` must be <= `pct_final`. Received: pct_start=0.7, pct_final=0.6", "3ph-pct>final")
    return rows


CASES = _cases()


@pytest.mark.parametrize(("name", "change", "exc", "message"), CASES)
def test_bad_config_on_call_and_bind(name: str, change: dict[str, Any], exc: type[Exception], message: str) -> None:
    fn = lrfuncs.get_schedule(name)
    cfg = {**BASE[name], **change}
    with pytest.raises(exc, match=re.escape(message)):
        fn(5, **cfg)
    with pytest.raises(exc, match=re.escape(message)):
        fn(np.arange(5), **cfg)
    with pytest.raises(exc, match=re.escape(message)):
        fn.bind(**cfg)


@pytest.mark.parametrize("name", SCHEDULES)
def test_bad_config_on_replace_and_from_dict(name: str) -> None:
    fn = lrfuncs.get_schedule(name)
    s = fn.bind(**BASE[name])
    numeric = POSITIVE.get(name, []) + NON_NEGATIVE.get(name, [])
    if numeric:
        first, bad = numeric[0], -1
    else:  # no plain number to spoil: an option, or the one number these take
        other = {"shift": ("offset", math.inf), "join": ("boundaries", [-1])}
        first, bad = (CHOICES[name][0][0], CHOICES[name][0][2]) if name in CHOICES else other[name]
    with pytest.raises(ValueError, match=re.escape(f"Argument `{first}")):
        s.replace(**{first: bad})
    with pytest.raises(ValueError, match=re.escape(f"Argument `{first}")):
        lrfuncs.Schedule.from_dict({**s.to_dict(), first: bad})
    with pytest.raises(ValueError, match="needs a 'schedule' key"):
        lrfuncs.Schedule.from_dict(BASE[name])
    with pytest.raises(ValueError, match=r"Unknown schedule 'cosine_decya'\. Did you mean 'cosine_decay'"):
        lrfuncs.get_schedule("cosine_decya")


def test_valid_edge_values_pass() -> None:
    """The closed ends of every interval and the zero of every >= 0 argument are accepted."""
    for name, specs in INTERVALS.items():
        fn = lrfuncs.get_schedule(name)
        for a, interval, _ in specs:
            ends = [float(x) for x in interval.strip("([])").split(", ")]
            for end, closed in ((ends[0], interval[0] == "["), (ends[1], interval[-1] == "]")):
                if closed:
                    extra = {"pct_final": None} if a == "pct_start" else {}
                    if a == "pct_final":
                        extra = {"pct_start": 0.0, "three_phase": True}
                    assert math.isfinite(fn(3, **{**BASE[name], a: end, **extra}))
    needs = {
        ("inverse_sqrt", "warmup_steps"): {"timescale": 10.0},  # no warmup: the decay needs its timescale
        ("clip", "max_lr"): {"min_lr": None},  # a cap of 0 with no floor
        ("polynomial_decay", "peak_lr"): {"end_lr": 0.01},  # a rise from 0
    }
    for name, args in NON_NEGATIVE.items():
        fn = lrfuncs.get_schedule(name)
        for a in args:
            assert math.isfinite(fn(3, **{**BASE[name], a: 0, **needs.get((name, a), {})}))
    assert math.isfinite(lrfuncs.step_decay(3, peak_lr=0.1, step_size=0.5))  # fractional step_size
    assert math.isfinite(lrfuncs.onecycle(3, peak_lr=0.1, total_steps=10.0))  # integral float


# ----------------------------------------------------------------------------------------------
# Keywords
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEDULES)
def test_unknown_keyword_suggests_the_close_name(name: str) -> None:
    fn = lrfuncs.get_schedule(name)
    for real in BASE[name]:
        typo = real[:-1]  # peak_l, total_step, ...
        cfg = {**{k: v for k, v in BASE[name].items() if k != real}, typo: BASE[name][real]}
        expected = f"{name}() got an unexpected keyword argument `{typo}`. Did you mean `{real}`?"
        with pytest.raises(TypeError, match=re.escape(expected)):
            fn(3, **cfg)
        with pytest.raises(TypeError, match=re.escape(expected)):
            fn.bind(**cfg)


@pytest.mark.parametrize("name", SCHEDULES)
def test_unknown_keyword_without_close_name_lists_arguments(name: str) -> None:
    fn = lrfuncs.get_schedule(name)
    with pytest.raises(TypeError, match=r"unexpected keyword argument `zzz`\. Its arguments are: ") as info:
        fn(3, **BASE[name], zzz=1)
    assert "Did you mean" not in str(info.value)
    for arg in fn.spec.names:
        assert arg in str(info.value)
    with pytest.raises(TypeError, match="unexpected keyword argument `lr`"):
        fn.bind(**BASE[name], lr=0.1)


@pytest.mark.parametrize("name", SCHEDULES)
def test_missing_keyword(name: str) -> None:
    fn = lrfuncs.get_schedule(name)
    required = list(fn.spec.required)
    if not required:  # every argument has a default
        assert math.isfinite(fn(3))
        return
    for missing in required:
        cfg = {k: v for k, v in BASE[name].items() if k != missing}
        expected = f"{name}() is missing required keyword argument(s): `{missing}`."
        with pytest.raises(TypeError, match=re.escape(expected)):
            fn(3, **cfg)
        with pytest.raises(TypeError, match=re.escape(expected)):
            fn.bind(**cfg)
    everything = ", ".join(f"`{r}`" for r in required)
    with pytest.raises(TypeError, match=re.escape(f"missing required keyword argument(s): {everything}.")):
        fn(3)
    with pytest.raises(TypeError, match="missing required keyword argument"):
        fn.bind()


@pytest.mark.parametrize("name", SCHEDULES)
def test_config_is_keyword_only(name: str) -> None:
    fn = lrfuncs.get_schedule(name)
    first = next(iter(BASE[name].values()), 0.1)
    with pytest.raises(TypeError):
        fn(3, first)
    with pytest.raises(TypeError):
        fn.bind(first)
    with pytest.raises(TypeError):
        fn()  # no step


# ----------------------------------------------------------------------------------------------
# Steps
# ----------------------------------------------------------------------------------------------

STEP_MSG = "Argument `step` must be a finite number >= 0 (0-based update index). Received: step="
BAD_STEPS = [
    (-1, "-1"),
    (-0.5, "-0.5"),
    (math.nan, "nan"),
    (math.inf, "inf"),
    (-math.inf, "-inf"),
    (np.int64(-3), "-3"),
    (np.float64(math.nan), "nan"),
    (np.float64(-2.0), "-2.0"),
]


@pytest.mark.parametrize("name", SCHEDULES)
@pytest.mark.parametrize(("step", "shown"), BAD_STEPS, ids=[s for _, s in BAD_STEPS])
def test_bad_scalar_step(name: str, step: Any, shown: str) -> None:
    fn = lrfuncs.get_schedule(name)
    with pytest.raises(ValueError, match=re.escape(STEP_MSG)):
        fn(step, **BASE[name])
    with pytest.raises(ValueError, match=re.escape(STEP_MSG)):
        fn.bind(**BASE[name])(step)
    if type(step) in (int, float):  # the exact value is reported
        with pytest.raises(ValueError, match=re.escape(STEP_MSG + shown)):
            fn(step, **BASE[name])


@pytest.mark.parametrize("name", SCHEDULES)
@pytest.mark.parametrize(
    ("steps", "shown"),
    [
        (np.array([0, 5, -2]), "-2.0"),
        (np.array([0.0, math.nan, 1.0]), "nan"),
        (np.array([[1.0, 2.0], [-0.5, 3.0]]), "-0.5"),
        (np.array([-1], dtype=np.int32), "-1.0"),
    ],
    ids=["negative", "nan", "2d", "int32"],
)
def test_bad_numpy_steps(name: str, steps: np.ndarray, shown: str) -> None:
    fn = lrfuncs.get_schedule(name)
    with pytest.raises(ValueError, match=re.escape(STEP_MSG + shown)):
        fn(steps, **BASE[name])
    with pytest.raises(ValueError, match=re.escape(STEP_MSG + shown)):
        fn.bind(**BASE[name])(steps)


@pytest.mark.parametrize("step", [np.array([0.0, np.inf]), np.float64(np.inf)], ids=["array", "scalar"])
def test_infinite_numpy_step_raises(step: Any) -> None:
    with pytest.raises(ValueError, match=re.escape(STEP_MSG + "inf")):
        lrfuncs.cosine_decay(step, peak_lr=0.1, total_steps=10)


def test_infinite_milestone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=re.escape("must hold whole numbers >= 0. Received: milestones=[inf]")):
        lrfuncs.multistep_decay(3, peak_lr=0.1, milestones=[math.inf])


def test_bad_step_with_array_config_still_checked() -> None:
    with pytest.raises(ValueError, match=re.escape(STEP_MSG + "-1")):
        lrfuncs.cosine_decay(-1, peak_lr=np.array([0.1, 0.2]), total_steps=10)
    with pytest.raises(ValueError, match=re.escape(STEP_MSG + "nan")):
        lrfuncs.cosine_decay.bind(peak_lr=jnp.asarray([0.1, 0.2]), total_steps=10)(math.nan)


def test_zero_and_negative_zero_steps_are_fine() -> None:
    assert lrfuncs.cosine_decay(0, peak_lr=0.1, total_steps=10) == 0.1
    assert lrfuncs.cosine_decay(-0.0, peak_lr=0.1, total_steps=10) == 0.1
    assert lrfuncs.cosine_decay(np.array([-0.0]), peak_lr=0.1, total_steps=10)[0] == 0.1
    assert lrfuncs.cosine_decay(np.array([], dtype=np.int64), peak_lr=0.1, total_steps=10).shape == (0,)


# ----------------------------------------------------------------------------------------------
# Array-valued config is not inspected
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "peak",
    [np.array([-1.0, 0.1]), np.array(-1.0), jnp.asarray([-1.0, 0.1]), torch.tensor([-1.0, 0.1], dtype=torch.float64)],
    ids=["numpy", "numpy-0d", "jax", "torch"],
)
def test_array_config_is_not_inspected(peak: Any) -> None:
    """Documented: array config is passed through (a device sync / impossible under jit); numpy scalars are checked."""
    out = lrfuncs.cosine_decay(0, peak_lr=peak, total_steps=10)
    lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=10)
    values = np.asarray(out.numpy() if isinstance(out, torch.Tensor) else out)
    assert values.reshape(-1)[0] == -1.0  # computed, negative lr and all
    with pytest.raises(ValueError, match=re.escape("Argument `peak_lr` must be > 0. Received: peak_lr=-1.0")):
        lrfuncs.cosine_decay(np.arange(3), peak_lr=np.float64(-1.0), total_steps=10)


def test_array_relations_are_not_inspected() -> None:
    out = lrfuncs.warmup_cosine(np.arange(5), peak_lr=0.1, warmup_steps=np.array(20.0), total_steps=10)
    assert np.all(np.isfinite(out))
    out = lrfuncs.warmup_cosine(np.arange(5), peak_lr=np.array(0.1), warmup_steps=2, total_steps=10, min_lr=0.5)
    assert np.all(np.isfinite(out))


# ----------------------------------------------------------------------------------------------
# Degenerate but valid configs: finite on every backend, no ZeroDivisionError
# ----------------------------------------------------------------------------------------------

DEGENERATE: list[tuple[str, dict[str, Any]]] = [
    ("step_decay", {"peak_lr": 0.1, "step_size": 1, "gamma": 1.0}),
    ("step_decay", {"peak_lr": 0.1, "step_size": 0.5, "gamma": 1e-3}),
    ("multistep_decay", {"peak_lr": 0.1, "milestones": []}),
    ("multistep_decay", {"peak_lr": 0.1, "milestones": [0, 0, 0]}),
    ("cosine_decay", {"peak_lr": 0.1, "total_steps": 1}),
    ("cosine_decay", {"peak_lr": 0.1, "total_steps": 1, "min_lr": 0.1, "exponent": 0.5}),
    ("cosine_decay", {"peak_lr": 0.1, "total_steps": 0.5, "min_lr_ratio": 1.0, "periodic": True}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 1, "cycle_mult": 0.5}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 10, "cycle_mult": 0.3, "warmup_steps": 5, "min_lr": 0.01}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 2, "cycle_mult": 0.999, "peak_decay": 0.5}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 1, "max_cycles": 1, "warmup_steps": 0, "init_lr": 0.0}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 1, "cycle_warmup_steps": 0.999}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 1, "cycle_mult": 10, "peak_decay": 0.01}),
    ("warmup_constant", {"peak_lr": 0.1, "warmup_steps": 0}),
    ("warmup_constant", {"peak_lr": 0.1, "warmup_steps": 0, "init_lr": 0.0}),
    ("warmup_linear", {"peak_lr": 0.1, "warmup_steps": 0, "total_steps": 1}),
    ("warmup_linear", {"peak_lr": 0.1, "warmup_steps": 5, "total_steps": 5, "init_lr": 0.0}),
    ("warmup_linear", {"peak_lr": 0.1, "warmup_steps": 1, "total_steps": 1, "min_lr_ratio": 1.0}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 0, "total_steps": 1}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 5, "total_steps": 5, "min_lr": 0.01}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 5, "total_steps": 5, "periodic": True, "exponent": 2.0}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 1, "total_steps": 1, "floor_mode": "clip", "init_lr": 0.0}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 0, "total_steps": 1, "num_cycles": 3.0, "exponent": 0.1}),
]
for _total in (1, 2, 3):
    for _pct in (0.0, 0.3, 1.0):
        for _conv in ("torch", "optax"):
            _phase = {"total_steps": _total, "pct_start": _pct, "convention": _conv}
            DEGENERATE.append(("onecycle", {"peak_lr": 0.1, **_phase}))
            DEGENERATE.append(("onecycle_momentum", _phase))
            DEGENERATE.append(
                (
                    "onecycle",
                    {"peak_lr": 0.1, "total_steps": _total, "pct_start": _pct, "pct_final": 1.0, "three_phase": True,
                     "anneal": "linear", "convention": _conv},
                )
            )
            if _pct <= 0.5:
                DEGENERATE.append(
                    ("onecycle", {"peak_lr": 0.1, "total_steps": _total, "pct_start": _pct, "three_phase": True,
                                  "convention": _conv})
                )

DEGENERATE_STEPS = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 10.0, 100.0, 1e6, 1e12])


@pytest.mark.parametrize(
    ("name", "cfg"), DEGENERATE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(DEGENERATE)]
)
def test_degenerate_configs_are_finite_everywhere(name: str, cfg: dict[str, Any]) -> None:
    fn = lrfuncs.get_schedule(name)
    ref = evaluate("python", fn, DEGENERATE_STEPS, **cfg)  # no ZeroDivisionError on the math path
    assert np.all(np.isfinite(ref)), ref
    hi = cfg.get("peak_lr", 1.0)
    assert np.all(ref >= 0)
    assert np.all(ref <= hi * (1 + 1e-12))
    ints = np.array([0, 1, 2, 3, 5, 10, 1000], dtype=np.int64)
    assert np.all(np.isfinite(evaluate("python", fn, ints, **cfg)))
    for backend in BACKENDS[1:]:
        out = evaluate(backend, fn, DEGENERATE_STEPS, **cfg)
        assert np.all(np.isfinite(out)), (backend, out)
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-15 * hi, err_msg=backend)


def test_shrinking_cycles_far_past_the_horizon() -> None:
    """cycle_mult < 1: the cycles add up to cycle_steps / (1 - cycle_mult); past that the floor holds."""
    for m in (0.1, 0.5, 0.9, 0.999):
        cfg = {"peak_lr": 0.1, "cycle_steps": 3, "cycle_mult": m, "min_lr": 0.001}
        horizon = 3 / (1 - m)
        steps = np.array([horizon * 1.01, horizon * 2, horizon * 1e3, 1e12, 2.0**53])
        for backend in BACKENDS:
            out = evaluate(backend, lrfuncs.cosine_restarts, steps, **cfg)
            np.testing.assert_array_equal(out, np.full(len(steps), 0.001), err_msg=f"{backend} m={m}")


@pytest.mark.parametrize("name", ["onecycle", "onecycle_momentum"])
def test_pct_final_without_three_phase_is_rejected(name: str) -> None:
    """``pct_final`` ends the middle phase: with two phases it would be silently ignored."""
    fn = lrfuncs.get_schedule(name)
    cfg = {"total_steps": 100, "pct_final": 0.85}
    if name == "onecycle":
        cfg["peak_lr"] = 0.1
    msg = re.escape(
        "Argument `pct_final` sets the end of the middle phase: it needs `three_phase=True`. "
        "Received: pct_final=0.85, three_phase=False"
    )
    with pytest.raises(ValueError, match=msg):
        fn(3, **cfg)
    with pytest.raises(ValueError, match=msg):
        fn.bind(**cfg)
    assert fn(3, **cfg, three_phase=True) > 0
