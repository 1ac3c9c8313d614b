"""``lrfuncs.compat.transformers`` against HF's real schedulers (transformers 5.24.0).

Every HF value comes from HF's own factory (``get_*schedule*`` or ``get_scheduler``)
given a real torch SGD optimizer whose lr is ``base_lr``, stepped for real: index
``k`` is ``scheduler.get_last_lr()[0]`` after ``k`` calls of ``scheduler.step()``
(the lr update ``k`` uses), and every stepped value is also asserted to equal
``base_lr * scheduler.lr_lambdas[0](k)`` (both ways of reading HF agree exactly).
The compat schedule (same arguments, ``base_lr=...`` for the optimizer's lr) is
evaluated on the same steps through every backend of ``conftest.BACKENDS`` and
compared with ``assert_lr_close`` (relative 1e-12 plus 1e-15 of the peak).

Then: each deliberate difference, asserted on HF and on lrfuncs; HF's error messages;
pickle and ``to_dict``/``from_dict`` round trips; importing the module imports no
framework.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch
import transformers.optimization as hf
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st
from transformers import SchedulerType

import lrfuncs
from lrfuncs.compat import transformers as compat

#: One step grid for every example (eager JAX compiles per shape); drawn horizons are <= 90.
STEPS = np.arange(128)
_CACHE: dict[str, np.ndarray] = {}


def _optimizer(base_lr: float) -> torch.optim.Optimizer:
    param = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    param.grad = torch.zeros(2, dtype=torch.float64)
    return torch.optim.SGD([param], lr=base_lr)


def hf_curve(name: str, *args, base_lr: float = 1.0, num_steps: int = len(STEPS), **kwargs) -> np.ndarray:
    """HF's real scheduler ``name(optimizer, *args, **kwargs)`` stepped ``num_steps`` times (cached by config)."""
    key = repr((name, args, base_lr, num_steps, sorted(kwargs.items())))
    if key in _CACHE:
        return _CACHE[key]
    opt = _optimizer(base_lr)
    if name == "get_scheduler":
        sched = hf.get_scheduler(args[0], opt, *args[1:], **kwargs)
    else:
        sched = getattr(hf, name)(opt, *args, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a wrong step order would warn: fail instead
        out = []
        for k in range(num_steps):
            lr = sched.get_last_lr()[0]
            assert lr == opt.param_groups[0]["lr"] == base_lr * sched.lr_lambdas[0](k)
            out.append(lr)
            opt.step()
            sched.step()
    _CACHE[key] = np.asarray(out, dtype=np.float64)
    return _CACHE[key]


def check(backend: str, name: str, *args, base_lr: float = 1.0, **kwargs) -> lrfuncs.Schedule:
    """compat ``name(*args, base_lr=..., **kwargs)`` equals HF's stepped scheduler on STEPS through ``backend``."""
    ours = getattr(compat, name)(*args, base_lr=base_lr, **kwargs)
    assert isinstance(ours, lrfuncs.Schedule)
    assert_lr_close(evaluate(backend, ours, STEPS), hf_curve(name, *args, base_lr=base_lr, **kwargs), peak=base_lr)
    return ours


peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(min_value=1e-6, max_value=10.0)
fractions = st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0.0, 1.0)
num_cycles = st.sampled_from([0.5, 1.0, 0.25, 1.5, 2.0]) | st.floats(min_value=0.05, max_value=3.0)


@st.composite
def warmup_total(draw, max_warmup: int = 30, max_decay: int = 60, strict: bool = False):
    """``(W, N)`` with ``0 <= W <= N`` (``<`` if strict) and ``N >= 1``."""
    w = draw(st.integers(0, max_warmup))
    return w, draw(st.integers(max(w + strict, 1), w + max_decay))


# ---------------------------------------------------------------------------------------------------------------------
# parity, every backend


def test_get_constant_schedule(backend):
    @per_backend(backend, base_lr=peaks)
    def run(base_lr):
        check(backend, "get_constant_schedule", base_lr=base_lr)

    run()


def test_get_constant_schedule_with_warmup(backend):
    @per_backend(backend, base_lr=peaks, w=st.integers(0, 60))
    def run(base_lr, w):
        check(backend, "get_constant_schedule_with_warmup", w, base_lr=base_lr)

    run()


def test_get_linear_schedule_with_warmup(backend):
    @per_backend(backend, base_lr=peaks, wn=warmup_total())
    def run(base_lr, wn):
        check(backend, "get_linear_schedule_with_warmup", *wn, base_lr=base_lr)

    run()


def test_get_cosine_schedule_with_warmup(backend):
    """Periodic past ``N`` as HF (also with ``W == N``)."""

    @per_backend(backend, base_lr=peaks, wn=warmup_total(), cycles=num_cycles)
    def run(base_lr, wn, cycles):
        check(backend, "get_cosine_schedule_with_warmup", *wn, num_cycles=cycles, base_lr=base_lr)

    run()


def hf_missed_restarts(w: int, n: int, cycles: float) -> np.ndarray:
    """Steps in [W, N) where the exact cycle position is 0 (a restart) but HF's rounded one is not."""
    out = np.zeros(len(STEPS), dtype=bool)
    for k in range(w, n):
        exact = Fraction(cycles) * (k - w) / (n - w) % 1
        progress = float(k - w) / float(max(1, n - w))
        out[k] = exact == 0 and (float(cycles) * progress) % 1.0 != 0.0
    return out


def test_get_cosine_with_hard_restarts_schedule_with_warmup(backend):
    """Equal to HF except where HF's rounding misses a restart (it gives ~0 there, lrfuncs the peak)."""

    @per_backend(backend, base_lr=peaks, wn=warmup_total(strict=True), cycles=num_cycles | st.integers(1, 30))
    def run(base_lr, wn, cycles):
        w, n = wn
        ours = compat.get_cosine_with_hard_restarts_schedule_with_warmup(w, n, num_cycles=cycles, base_lr=base_lr)
        theirs = hf_curve("get_cosine_with_hard_restarts_schedule_with_warmup", w, n, num_cycles=cycles,
                          base_lr=base_lr)
        values = evaluate(backend, ours, STEPS)
        missed = hf_missed_restarts(w, n, cycles)
        assert_lr_close(values[~missed], theirs[~missed], peak=base_lr)
        assert_lr_close(values[missed], np.full(missed.sum(), base_lr), peak=base_lr)
        assert np.all(theirs[missed] < 1e-6 * base_lr)

    run()


def test_get_polynomial_decay_schedule_with_warmup(backend):
    @per_backend(backend, base_lr=peaks, wn=warmup_total(strict=True), end=fractions.filter(lambda f: f < 1) |
                 st.just(None), power=st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.1, 4.0))
    def run(base_lr, wn, end, power):
        lr_end = {} if end is None else {"lr_end": end * base_lr}  # None: HF's default 1e-7
        if base_lr <= 1e-7 and end is None:
            lr_end = {"lr_end": 0.0}
        check(backend, "get_polynomial_decay_schedule_with_warmup", *wn, power=power, base_lr=base_lr, **lr_end)

    run()


def test_get_inverse_sqrt_schedule(backend):
    @per_backend(backend, base_lr=peaks, w=st.integers(0, 40), timescale=st.none() | st.integers(1, 60)
                 | st.floats(0.5, 100.0))
    def run(base_lr, w, timescale):
        check(backend, "get_inverse_sqrt_schedule", w, timescale=timescale, base_lr=base_lr)

    run()


def test_get_cosine_with_min_lr_schedule_with_warmup(backend):
    @per_backend(backend, base_lr=peaks, wn=warmup_total(), cycles=num_cycles, floor=fractions,
                 absolute=st.booleans())
    def run(base_lr, wn, cycles, floor, absolute):
        kw = {"min_lr": floor * base_lr} if absolute else {"min_lr_rate": floor}
        check(backend, "get_cosine_with_min_lr_schedule_with_warmup", *wn, num_cycles=cycles, base_lr=base_lr, **kw)

    run()


def test_get_cosine_with_min_lr_schedule_with_warmup_lr_rate(backend):
    @per_backend(backend, base_lr=peaks, wn=warmup_total() | st.sampled_from([(0, 5), (1, 1), (1, 9), (2, 2)]),
                 cycles=num_cycles, floor=fractions, absolute=st.booleans(), rate=st.none() | fractions)
    def run(base_lr, wn, cycles, floor, absolute, rate):
        kw = {"min_lr": floor * base_lr} if absolute else {"min_lr_rate": floor}
        check(backend, "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", *wn, num_cycles=cycles,
              warmup_lr_rate=rate, base_lr=base_lr, **kw)

    run()


@st.composite
def wsd_config(draw):
    w, d = draw(st.integers(0, 20)), draw(st.integers(0, 30))
    kw = dict(warmup_type=draw(st.sampled_from(compat.WARMUP_TYPES)),
              decay_type=draw(st.sampled_from(compat.WARMUP_TYPES)),
              min_lr_ratio=draw(fractions), num_cycles=draw(num_cycles))
    if draw(st.booleans()):
        kw["num_training_steps"] = w + d + draw(st.integers(0 if w + d else 1, 40))
    else:
        kw["num_stable_steps"] = draw(st.integers(0 if w + d else 1, 40))
    return w, d, kw


def test_get_wsd_schedule(backend):
    @per_backend(backend, base_lr=peaks, cfg=wsd_config())
    def run(base_lr, cfg):
        w, d, kw = cfg
        check(backend, "get_wsd_schedule", w, d, base_lr=base_lr, **kw)

    run()


@st.composite
def scheduler_config(draw):
    """``(name, W, N, scheduler_specific_kwargs)`` for every closed-form SchedulerType."""
    name = draw(st.sampled_from(["linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
                                 "constant_with_warmup", "inverse_sqrt", "cosine_with_min_lr",
                                 "cosine_warmup_with_min_lr", "warmup_stable_decay"]))
    w, n = draw(warmup_total(strict=True))
    kwargs: dict = {
        "cosine": {"num_cycles": draw(num_cycles)},
        "cosine_with_restarts": {"num_cycles": draw(st.integers(1, 4))},
        "polynomial": {"lr_end": 0.01, "power": draw(st.sampled_from([1.0, 2.0]))},
        "inverse_sqrt": {"timescale": draw(st.none() | st.integers(1, 30))},
        "cosine_with_min_lr": {"min_lr_rate": draw(fractions)},
        "cosine_warmup_with_min_lr": {"min_lr_rate": draw(fractions), "warmup_lr_rate": draw(st.none() | fractions)},
        "warmup_stable_decay": {"num_decay_steps": n - w, "decay_type": draw(st.sampled_from(compat.WARMUP_TYPES))},
    }.get(name, {})
    if name in ("constant", "constant_with_warmup") and draw(st.booleans()):
        kwargs = {"num_cycles": 3}  # HF ignores the kwargs of these two
    return name, w, n, kwargs


def test_get_scheduler(backend):
    @per_backend(backend, base_lr=st.sampled_from([1.0, 0.5, 3e-4]), cfg=scheduler_config(), as_enum=st.booleans())
    def run(base_lr, cfg, as_enum):
        name, w, n, kwargs = cfg
        key = getattr(SchedulerType, compat.SCHEDULER_TYPES[name]) if as_enum else name
        ours = compat.get_scheduler(key, w, n, kwargs or None, base_lr=base_lr)
        theirs = hf_curve("get_scheduler", name, w, n, kwargs or None, base_lr=base_lr)
        assert_lr_close(evaluate(backend, ours, STEPS), theirs, peak=base_lr)

    run()


# ---------------------------------------------------------------------------------------------------------------------
# golden numbers of anchors.md (computed by running HF), through every backend


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "gold"),
    [
        ("get_cosine_schedule_with_warmup", (3, 10), {},
         [0, 0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0.049516]),
        ("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", (3, 10), {"min_lr_rate": 0.0},
         [0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0.049516, 0.18826]),
        ("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", (3, 10), {"min_lr_rate": 0.0, "warmup_lr_rate": 0.1},
         [0.1, 0.55, 1, 0.95048]),
        ("get_constant_schedule_with_warmup", (4,), {}, [0, 0.25, 0.5, 0.75, 1, 1]),
        ("get_wsd_schedule", (2, 4), {"num_training_steps": 10, "min_lr_ratio": 0.1, "decay_type": "linear"},
         [0.1, 0.55, 1, 1, 1, 1, 1, 0.775, 0.55, 0.325, 0.1, 0.1]),
        ("get_wsd_schedule", (2, 4), {"num_training_steps": 10, "decay_type": "1-sqrt"},
         [0, 0.5, 1, 1, 1, 1, 1, 0.5, 0.29289, 0.13397, 0, 0]),
        ("get_polynomial_decay_schedule_with_warmup", (0, 4), {}, [1, 0.75, 0.5, 0.25, 1e-07, 1e-07]),
        ("get_inverse_sqrt_schedule", (4,), {},
         [0, 0.25, 0.5, 0.75, 1, 0.89443, 0.8165, 0.75593, 0.70711, 0.66667, 0.63246, 0.60302, 0.57735]),
        ("get_inverse_sqrt_schedule", (4,), {"timescale": 10}, [0, 0.25, 0.5, 0.75, 1, 0.95346, 0.91287]),
        ("get_cosine_with_hard_restarts_schedule_with_warmup", (0, 12), {"num_cycles": 3},
         [1, 0.85355, 0.5, 0.14645, 1, 0.85355, 0.5, 0.14645, 1, 0.85355, 0.5, 0.14645, 0, 0]),
    ],
)
def test_golden(name, args, kwargs, gold):
    s = getattr(compat, name)(*args, **kwargs)
    for backend in BACKENDS:
        np.testing.assert_allclose(evaluate(backend, s, np.arange(len(gold))), gold, rtol=5e-5, atol=5e-7)


# ---------------------------------------------------------------------------------------------------------------------
# deliberate differences, asserted on HF and on lrfuncs


def _hf_lambda(name, *args, base_lr=1.0, **kwargs):
    return getattr(hf, name)(_optimizer(base_lr), *args, **kwargs).lr_lambdas[0]


def test_polynomial_warmup_equal_to_total_holds_lr_end():
    """HF divides by ``N - W`` at step ``N``: ZeroDivisionError; lrfuncs holds ``lr_end`` from ``N`` on."""
    lam = _hf_lambda("get_polynomial_decay_schedule_with_warmup", 5, 5, lr_end=0.01)
    with pytest.raises(ZeroDivisionError):
        lam(5)
    assert lam(6) == pytest.approx(0.01)
    s = compat.get_polynomial_decay_schedule_with_warmup(5, 5, lr_end=0.01)
    for backend in BACKENDS:
        values = evaluate(backend, s, np.arange(9))
        assert_lr_close(values[:5], [lam(k) for k in range(5)])
        assert_lr_close(values[5:], np.full(4, 0.01))


def test_hard_restarts_warmup_equal_to_total_holds_the_floor():
    """HF with ``W == N`` gives the peak at step ``N`` (progress 0), then 0; lrfuncs the floor from ``N`` on."""
    lam = _hf_lambda("get_cosine_with_hard_restarts_schedule_with_warmup", 4, 4)
    assert [lam(k) for k in (3, 4, 5)] == [0.75, 1.0, 0.0]
    s = compat.get_cosine_with_hard_restarts_schedule_with_warmup(4, 4)
    assert [s(k) for k in (3, 4, 5)] == [0.75, 0.0, 0.0]


def test_hard_restarts_rounding_miss():
    """HF computes ``(k - W) / (N - W)`` then ``num_cycles * progress % 1``: at a restart it can round just below a
    whole number and give ~0 instead of the peak. lrfuncs' restarts are exact."""
    w, n, cycles = 3, 25, 22  # 22 * float(15 / 22) % 1 = 0.9999999999999982
    lam = _hf_lambda("get_cosine_with_hard_restarts_schedule_with_warmup", w, n, num_cycles=cycles)
    assert hf_missed_restarts(w, n, cycles)[18]
    assert lam(18) < 1e-12
    s = compat.get_cosine_with_hard_restarts_schedule_with_warmup(w, n, num_cycles=cycles)
    assert s(18) == 1.0


def test_warmup_longer_than_training_is_an_error():
    """HF accepts ``W > N``: linear drops to 0 right after the warmup, cosine oscillates (anchors.md 3.15)."""
    lam = _hf_lambda("get_linear_schedule_with_warmup", 6, 4)
    assert [lam(k) for k in (5, 6, 7)] == [5 / 6, 0.0, 0.0]
    lam = _hf_lambda("get_cosine_schedule_with_warmup", 6, 4)
    assert [round(lam(k), 6) for k in (6, 7, 8)] == [1.0, 0.0, 1.0]
    for name in ("get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup",
                 "get_cosine_with_hard_restarts_schedule_with_warmup", "get_polynomial_decay_schedule_with_warmup",
                 "get_cosine_with_min_lr_schedule_with_warmup", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"):
        kwargs = {"min_lr_rate": 0.1} if "min_lr" in name else {}
        with pytest.raises(ValueError, match="`num_warmup_steps` must be <= `num_training_steps`"):
            getattr(compat, name)(6, 4, **kwargs)


def test_wsd_total_shorter_than_warmup_plus_decay_is_an_error():
    """HF computes a negative stable phase and cuts the decay short (it starts mid-way)."""
    lam = _hf_lambda("get_wsd_schedule", 5, 5, num_training_steps=8, decay_type="linear")
    assert lam(5) == pytest.approx(0.6)  # the decay starts at progress 0.4
    with pytest.raises(ValueError, match="HF would cut the decay short"):
        compat.get_wsd_schedule(5, 5, num_training_steps=8)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: compat.get_linear_schedule_with_warmup(0.1, 100), "`num_warmup_steps` must be a whole number"),
        (lambda: compat.get_constant_schedule_with_warmup(-3), "`num_warmup_steps` must be >= 0"),
        (lambda: compat.get_cosine_schedule_with_warmup(0, 0), "`num_training_steps` must be > 0"),
        (lambda: compat.get_cosine_schedule_with_warmup(0, 10, num_cycles=0), "`num_cycles` must be > 0"),
        (lambda: compat.get_cosine_schedule_with_warmup(0, 10, last_epoch=5), "`last_epoch` must be -1"),
        (lambda: compat.get_constant_schedule(base_lr=0.0), "`base_lr` must be > 0"),
        (lambda: compat.get_polynomial_decay_schedule_with_warmup(0, 10, power=0.0), "`power` must be > 0"),
        (lambda: compat.get_inverse_sqrt_schedule(0, timescale=0), "`timescale` must be > 0"),
        (lambda: compat.get_cosine_with_min_lr_schedule_with_warmup(0, 10, min_lr_rate=1.5),
         r"`min_lr_rate` must be in \[0, 1\]"),
        (lambda: compat.get_cosine_with_min_lr_schedule_with_warmup(0, 10, min_lr=2.0),
         "`min_lr` must be <= `base_lr`"),
        (lambda: compat.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(3, 10, min_lr_rate=0.0,
                                                                             warmup_lr_rate=2.0),
         r"`warmup_lr_rate` must be in \[0, 1\]"),
        (lambda: compat.get_wsd_schedule(2, 2, num_training_steps=10, min_lr_ratio=-0.1),
         r"`min_lr_ratio` must be in \[0, 1\]"),
        (lambda: compat.get_scheduler("reduce_lr_on_plateau"), "driven by a metric"),
        (lambda: compat.get_scheduler("greedy"), "driven by a metric"),
    ],
)
def test_bad_config(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def _messages(hf_call, ours_call):
    """The messages of the exceptions HF and lrfuncs raise (the same type)."""
    with pytest.raises(Exception) as theirs:  # noqa: PT011 - compared below
        hf_call()
    with pytest.raises(theirs.type) as ours:
        ours_call()
    return str(theirs.value), str(ours.value)


@pytest.mark.parametrize(
    ("hf_call", "ours_call"),
    [
        (lambda: hf.get_scheduler("linear", _optimizer(1.0)), lambda: compat.get_scheduler("linear")),
        (lambda: hf.get_scheduler("cosine", _optimizer(1.0), 3), lambda: compat.get_scheduler("cosine", 3)),
        (lambda: hf.get_scheduler("cosine_with_min_lr", _optimizer(1.0), None, 10),
         lambda: compat.get_scheduler("cosine_with_min_lr", None, 10)),
        (lambda: hf.get_scheduler("cosine_warmup", _optimizer(1.0)), lambda: compat.get_scheduler("cosine_warmup")),
        (lambda: hf.get_polynomial_decay_schedule_with_warmup(_optimizer(1e-8), 0, 10),
         lambda: compat.get_polynomial_decay_schedule_with_warmup(0, 10, base_lr=1e-8)),
        (lambda: hf.get_cosine_with_min_lr_schedule_with_warmup(_optimizer(1.0), 0, 10),
         lambda: compat.get_cosine_with_min_lr_schedule_with_warmup(0, 10)),
        (lambda: hf.get_cosine_with_min_lr_schedule_with_warmup(_optimizer(1.0), 0, 10, min_lr=0.1, min_lr_rate=0.1),
         lambda: compat.get_cosine_with_min_lr_schedule_with_warmup(0, 10, min_lr=0.1, min_lr_rate=0.1)),
        (lambda: hf.get_wsd_schedule(_optimizer(1.0), 2, 2), lambda: compat.get_wsd_schedule(2, 2)),
        (lambda: hf.get_wsd_schedule(_optimizer(1.0), 2, 2, 10, warmup_type="exp"),
         lambda: compat.get_wsd_schedule(2, 2, 10, warmup_type="exp")),
        (lambda: hf.get_wsd_schedule(_optimizer(1.0), 2, 2, 10, decay_type="power"),
         lambda: compat.get_wsd_schedule(2, 2, 10, decay_type="power")),
        (lambda: hf.get_scheduler("warmup_stable_decay", _optimizer(1.0), 2, 10, {"num_decay_steps": 2,
                                                                                  "foo": 1}),
         lambda: compat.get_scheduler("warmup_stable_decay", 2, 10, {"num_decay_steps": 2, "foo": 1})),
    ],
)
def test_same_errors_as_hf(hf_call, ours_call):
    theirs, ours = _messages(hf_call, ours_call)
    if "unexpected keyword argument" in theirs:  # a TypeError from Python: the function names differ
        assert "unexpected keyword argument 'foo'" in ours
    else:
        assert ours == theirs


def test_wsd_both_lengths_warn_and_stable_wins():
    with pytest.warns(UserWarning, match="num_stable_steps will be used"):
        ref = hf_curve("get_wsd_schedule", 2, 3, num_training_steps=100, num_stable_steps=4, num_steps=14)
    with pytest.warns(UserWarning, match="num_stable_steps will be used"):
        s = compat.get_wsd_schedule(2, 3, num_training_steps=100, num_stable_steps=4)
    assert_lr_close(s(np.arange(14)), ref)


# ---------------------------------------------------------------------------------------------------------------------
# pickle, to_dict / from_dict, import hygiene

CASES = [
    ("get_constant_schedule", (), {"base_lr": 0.1}),
    ("get_constant_schedule_with_warmup", (4,), {}),
    ("get_linear_schedule_with_warmup", (2, 10), {"base_lr": 3e-4}),
    ("get_cosine_schedule_with_warmup", (2, 10, 0.75), {}),
    ("get_cosine_with_hard_restarts_schedule_with_warmup", (2, 10, 3), {}),
    ("get_polynomial_decay_schedule_with_warmup", (2, 10, 1e-3, 2.0), {}),
    ("get_inverse_sqrt_schedule", (0,), {}),
    ("get_cosine_with_min_lr_schedule_with_warmup", (2, 10), {"min_lr": 0.1}),
    ("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", (0, 10), {"min_lr_rate": 0.1}),
    ("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", (1, 10), {"min_lr_rate": 0.1, "warmup_lr_rate": 0.2}),
    ("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", (3, 10), {"min_lr_rate": 0.1, "warmup_lr_rate": 0.2}),
    ("get_wsd_schedule", (2, 3), {"num_stable_steps": 4, "warmup_type": "cosine"}),
    ("get_scheduler", ("cosine", 2, 10), {"base_lr": 0.5}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_pickle_and_to_dict(name, args, kwargs):
    s = getattr(compat, name)(*args, **kwargs)
    steps = np.arange(30)
    for back in (pickle.loads(pickle.dumps(s)), lrfuncs.Schedule.from_dict(json.loads(json.dumps(s.to_dict())))):
        assert back == s
        np.testing.assert_array_equal(back(steps), s(steps))


def test_lr_end_is_relative_to_base_lr():
    """HF's ``lr_end`` is for ``optimizer.defaults["lr"]``: a group with lr ``g`` ends at ``lr_end * g / base``.
    The documented recipe (``base_lr=g``, ``lr_end=lr_end * g / base``) reproduces that group."""
    param_a, param_b = (torch.nn.Parameter(torch.zeros(1, dtype=torch.float64)) for _ in range(2))
    opt = torch.optim.SGD([{"params": [param_a]}, {"params": [param_b], "lr": 0.01}], lr=1.0)
    sched = hf.get_polynomial_decay_schedule_with_warmup(opt, 2, 8, lr_end=1e-3)
    group_b = []
    for _ in range(12):
        group_b.append(sched.get_last_lr()[1])
        opt.step()
        sched.step()
    ours = compat.get_polynomial_decay_schedule_with_warmup(2, 8, lr_end=1e-3 * 0.01 / 1.0, base_lr=0.01)
    assert_lr_close(ours(np.arange(12)), group_b, peak=0.01)
    assert math.isclose(group_b[-1], 1e-5)


def test_import_imports_no_framework():
    script = textwrap.dedent(
        """
        import json, sys
        from lrfuncs.compat import transformers as hf
        values = [hf.get_scheduler(n, 3, 10, k)(5) for n, k in [("cosine", None), ("polynomial", None),
                  ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1}), ("warmup_stable_decay", {"num_decay_steps": 3})]]
        frameworks = ("numpy", "jax", "jaxlib", "torch", "transformers", "scipy")
        print(json.dumps(sorted(f for f in frameworks if any(m == f or m.startswith(f + ".") for m in sys.modules))))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
    root = pathlib.Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          check=True)
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
