"""Parity and validation of ``wsd`` (warmup-stable-decay) with HF ``get_wsd_schedule`` and timm ``WSDLRScheduler``.

* HF: the real ``get_wsd_schedule`` (a ``LambdaLR``) on a real SGD optimizer, stepped
  (``test_parity_transformers.hf_curve``), for every warmup and decay type, ``min_lr_ratio``,
  ``num_cycles`` and each way of giving the length (``num_training_steps``, ``num_stable_steps``, both).
  Mapping: ``total_steps = W + S + D``, ``min_lr_ratio = r``, ``init_lr = r * peak_lr`` (HF's warmup
  starts at the floor ratio), shapes by name.
* timm: the real ``WSDLRScheduler._get_lr(t)`` (what ``step``/``step_update`` write), for every stable
  and decay function (callables excepted: not config) with ``stable_timescale``/``stable_power``,
  ``decay_power``/``decay_ratio``, ``lr_min`` and ``warmup_lr_init``. Mapping: ``total_steps = warmup_t +
  t_initial``, ``decay_steps = decay_t``, ``min_lr = lr_min``, ``init_lr = warmup_lr_init``.

Every comparison runs through every backend at float64 rounding (``assert_lr_close``).
"""

from __future__ import annotations

import importlib
import warnings

import jax.numpy as jnp
import numpy as np
import pytest
import torch
from conftest import assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st
from test_parity_timm import _load_timm_cosine
from test_parity_torch import _sgd, assert_golden, check_backends
from test_parity_transformers import hf_curve
from transformers import get_wsd_schedule

import lrfuncs

_load_timm_cosine()  # registers timm's scheduler folder as the package `_timm_sched`
WSDLRScheduler = importlib.import_module("_timm_sched.wsd_lr").WSDLRScheduler

#: One step grid for every hypothesis example (eager JAX compiles each primitive per shape); horizons <= 100.
STEPS = np.arange(128)

peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(1e-6, 10.0)
fractions = st.sampled_from([0.0, 0.1, 0.5]) | st.floats(0.0, 1.0)


def hf_wsd_quiet(optimizer, **kwargs):
    """get_wsd_schedule with both lengths given: HF warns that it uses num_stable_steps (asserted elsewhere)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Both num_training_steps and num_stable_steps")
        return get_wsd_schedule(optimizer, **kwargs)


def timm_values(sched, steps=STEPS) -> np.ndarray:
    return np.asarray([sched._get_lr(int(t))[0] for t in steps], dtype=np.float64)


@st.composite
def hf_configs(draw):
    w, s, d = draw(st.integers(0, 25)), draw(st.integers(0, 40)), draw(st.integers(0, 30))
    return {
        "peak": draw(peaks),
        "w": w,
        "s": s,
        "d": d,
        "how": draw(st.sampled_from(["training", "stable", "both"])),
        "warmup_type": draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
        "decay_type": draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
        "ratio": draw(st.sampled_from([0.0, 0.1]) | st.floats(0.0, 0.99)),
        "cycles": draw(st.just(0.5) | st.floats(0.1, 2.0)),
    }


def test_wsd_equals_hf_get_wsd_schedule(backend):
    @per_backend(backend, cfg=hf_configs())
    def check(cfg):
        w, s, d, r, peak = cfg["w"], cfg["s"], cfg["d"], cfg["ratio"], cfg["peak"]
        if w + s + d == 0:
            s = 1
        lengths = {"training": {"num_training_steps": w + s + d}, "stable": {"num_stable_steps": s},
                   # both: HF uses num_stable_steps (the training length given here is wrong on purpose)
                   "both": {"num_training_steps": w + s + d + 7, "num_stable_steps": s}}[cfg["how"]]
        expected = hf_curve(hf_wsd_quiet, peak, len(STEPS), num_warmup_steps=w, num_decay_steps=d,
                            warmup_type=cfg["warmup_type"], decay_type=cfg["decay_type"], min_lr_ratio=r,
                            num_cycles=cfg["cycles"], **lengths)
        ours = evaluate(backend, lrfuncs.wsd, STEPS, peak_lr=peak, total_steps=w + s + d, decay_steps=d,
                        warmup_steps=w, init_lr=r * peak, min_lr_ratio=r, warmup_shape=cfg["warmup_type"],
                        decay_shape=cfg["decay_type"], num_cycles=cfg["cycles"])
        assert_lr_close(ours, expected, peak=peak)

    check()


def test_hf_warns_when_both_lengths_are_given():
    with pytest.warns(UserWarning, match="num_stable_steps will be used"):
        get_wsd_schedule(_sgd(1.0), num_warmup_steps=2, num_decay_steps=2, num_training_steps=10,
                         num_stable_steps=3)


@st.composite
def timm_configs(draw):
    peak = draw(peaks)
    decay_t = draw(st.integers(1, 40))
    w = draw(st.just(0) | st.integers(1, 20))
    stable_fn = draw(st.sampled_from(["constant", "rsqrt", "power"]))
    timescale = draw(st.none() | st.integers(1, 60) | st.sampled_from([0.5, 2.5]))
    if stable_fn != "constant" and w == 0 and timescale is None:
        timescale = 5  # timm needs one too (it defaults to warmup_t)
    return {
        "peak": peak,
        "t_initial": decay_t + draw(st.integers(0, 60)),
        "decay_t": decay_t,
        "lr_min": draw(fractions) * peak,
        "stable_fn": stable_fn,
        "stable_timescale": timescale,
        "stable_power": draw(st.just(0.5) | st.floats(0.1, 2.0)),
        "decay_fn": draw(st.sampled_from(["linear", "1-sqrt", "cosine", "power", "exp"])),
        "decay_power": draw(st.just(0.5) | st.floats(0.2, 4.0)),
        "decay_ratio": draw(st.just(0.1) | st.floats(0.01, 0.99)),
        "warmup_t": w,
        "warmup_lr_init": draw(fractions) * peak,
    }


def test_wsd_equals_timm_wsd_scheduler(backend):
    @per_backend(backend, cfg=timm_configs())
    def check(cfg):
        peak = cfg.pop("peak")
        sched = WSDLRScheduler(_sgd(peak), **cfg)
        ours = evaluate(backend, lrfuncs.wsd, STEPS, peak_lr=peak, total_steps=cfg["warmup_t"] + cfg["t_initial"],
                        decay_steps=cfg["decay_t"], warmup_steps=cfg["warmup_t"], init_lr=cfg["warmup_lr_init"],
                        min_lr=cfg["lr_min"], decay_shape=cfg["decay_fn"], decay_power=cfg["decay_power"],
                        decay_ratio=cfg["decay_ratio"], stable_shape=cfg["stable_fn"],
                        stable_timescale=cfg["stable_timescale"], stable_power=cfg["stable_power"])
        assert_lr_close(ours, timm_values(sched), peak=peak)

    check()


def test_golden_3_11_hf_and_timm_agree():
    """Warmup 2, stable 4, decay 4 (anchors.md 3.11): HF and timm give the same numbers for the same decay."""
    golden = {
        "linear": [0, 0.5, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0, 0],
        "cosine": [0, 0.5, 1, 1, 1, 1, 1, 0.85355, 0.5, 0.14645, 0, 0],
        "1-sqrt": [0, 0.5, 1, 1, 1, 1, 1, 0.5, 0.29289, 0.13397, 0, 0],
        "exp": [0, 0.5, 1, 1, 1, 1, 1, 0.51371, 0.24025, 0.086475, 0, 0],
    }
    steps = np.arange(12)
    for shape, values in golden.items():
        timm = timm_values(WSDLRScheduler(_sgd(1.0), t_initial=8, decay_t=4, decay_fn=shape, warmup_t=2), steps)
        assert_golden(timm, values)
        if shape != "exp":
            hf = hf_curve(get_wsd_schedule, 1.0, 12, num_warmup_steps=2, num_decay_steps=4, num_stable_steps=4,
                          decay_type=shape)
            assert_golden(hf, values)
        check_backends(lrfuncs.wsd, steps, timm, peak=1.0, peak_lr=1.0, total_steps=10, decay_steps=4,
                       warmup_steps=2, init_lr=0.0, decay_shape=shape)
    # HF's warmup starts at min_lr_ratio (anchors.md 3.4)
    hf = hf_curve(get_wsd_schedule, 1.0, 10, num_warmup_steps=4, num_decay_steps=2, num_training_steps=8,
                  decay_type="linear", min_lr_ratio=0.1)
    assert_golden(hf, [0.1, 0.325, 0.55, 0.775, 1, 1, 1, 0.55, 0.1, 0.1])
    check_backends(lrfuncs.wsd, np.arange(10), hf, peak=1.0, peak_lr=1.0, total_steps=8, decay_steps=2,
                   warmup_steps=4, init_lr=0.1, min_lr_ratio=0.1, decay_shape="linear")


def test_defaults():
    """1-sqrt decay (Hägele et al. 2024, timm's default); warmup from peak / (W + 1); no floor; floor held after N."""
    s = lrfuncs.wsd.bind(peak_lr=1.0, total_steps=10, decay_steps=4, warmup_steps=3)
    timm = timm_values(WSDLRScheduler(_sgd(1.0), t_initial=7, decay_t=4, warmup_t=3,
                                      warmup_lr_init=0.25), np.arange(14))
    assert_lr_close(s(np.arange(14)), timm)
    assert s(0) == 0.25
    assert s(3) == 1.0
    assert s(10) == s(1e12) == 0.0
    assert s.landmarks() == [("warmup end", 3.0), ("decay start", 6.0), ("end", 10.0)]


def test_stable_timescale_defaults_to_warmup(backend):
    steps = np.arange(60)
    for shape in ("rsqrt", "power"):
        cfg = {"peak_lr": 0.5, "total_steps": 50, "decay_steps": 10, "warmup_steps": 6, "stable_shape": shape,
               "stable_power": 0.75, "min_lr": 0.05}
        default = evaluate(backend, lrfuncs.wsd, steps, **cfg)
        assert_lr_close(default, evaluate(backend, lrfuncs.wsd, steps, stable_timescale=6, **cfg), peak=0.5)
        assert default[5] < default[6] == 0.5 > default[7]


def test_cosine_decay_with_more_than_half_a_wave_then_floor():
    """HF's num_cycles: the decay's cosine may rise again; from N on the floor, as HF (a jump, by HF's design)."""
    hf = hf_curve(get_wsd_schedule, 1.0, 14, num_warmup_steps=0, num_decay_steps=8, num_training_steps=10,
                  num_cycles=1.0, min_lr_ratio=0.2)
    ours = check_backends(lrfuncs.wsd, np.arange(14), hf, peak=1.0, peak_lr=1.0, total_steps=10, decay_steps=8,
                          min_lr_ratio=0.2, decay_shape="cosine", num_cycles=1.0)
    assert ours["python"][9] > 0.8
    assert ours["python"][10] == pytest.approx(0.2, rel=1e-15)


def test_zero_length_phases():
    # no decay phase: the stable lr up to N, the floor from N on (HF's num_decay_steps=0)
    hf = hf_curve(get_wsd_schedule, 1.0, 10, num_warmup_steps=3, num_decay_steps=0, num_training_steps=7,
                  min_lr_ratio=0.1)
    check_backends(lrfuncs.wsd, np.arange(10), hf, peak=1.0, peak_lr=1.0, total_steps=7, decay_steps=0,
                   warmup_steps=3, init_lr=0.1, min_lr_ratio=0.1)
    # no stable phase: the decay starts at the end of the warmup
    timm = timm_values(WSDLRScheduler(_sgd(1.0), t_initial=5, decay_t=5, warmup_t=3, decay_fn="linear"), range(10))
    check_backends(lrfuncs.wsd, np.arange(10), timm, peak=1.0, peak_lr=1.0, total_steps=8, decay_steps=5,
                   warmup_steps=3, init_lr=0.0, decay_shape="linear")


@pytest.mark.parametrize("stable", ["constant", "rsqrt", "power"])
@pytest.mark.parametrize("decay", ["linear", "cosine", "1-sqrt", "power", "exp"])
@pytest.mark.parametrize("warmup", ["linear", "cosine", "1-sqrt"])
def test_every_shape_keeps_float32_steps_float32(warmup, decay, stable):
    cfg = {"peak_lr": 0.1, "total_steps": 20, "decay_steps": 6, "warmup_steps": 3, "warmup_shape": warmup,
           "decay_shape": decay, "stable_shape": stable, "stable_timescale": 4, "min_lr": 0.01}
    expected = lrfuncs.wsd(np.arange(25.0), **cfg)
    for out, dtype in ((lrfuncs.wsd(np.arange(25, dtype=np.float32), **cfg), np.float32),
                       (lrfuncs.wsd(jnp.arange(25, dtype=jnp.float32), **cfg), jnp.float32),
                       (lrfuncs.wsd(torch.arange(25, dtype=torch.float32), **cfg), torch.float32)):
        assert out.dtype == dtype
        values = out.numpy() if isinstance(out, torch.Tensor) else np.asarray(out)
        np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    ("cfg", "match"),
    [
        ({"total_steps": 10, "decay_steps": 6, "warmup_steps": 5},
         r"Argument `warmup_steps` plus `decay_steps` must be <= `total_steps`\. Received: warmup_steps=5, "
         r"decay_steps=6, total_steps=10"),
        ({"total_steps": 10, "decay_steps": -1}, r"`decay_steps` must be >= 0"),
        ({"total_steps": 0, "decay_steps": 0}, r"`total_steps` must be > 0"),
        ({"total_steps": 10, "decay_steps": 2, "decay_ratio": 1.0}, r"`decay_ratio` must be in \(0, 1\)"),
        ({"total_steps": 10, "decay_steps": 2, "decay_ratio": 0.0}, r"`decay_ratio` must be in \(0, 1\)"),
        ({"total_steps": 10, "decay_steps": 2, "decay_power": 0.0}, r"`decay_power` must be > 0"),
        ({"total_steps": 10, "decay_steps": 2, "num_cycles": 0.0}, r"`num_cycles` must be > 0"),
        ({"total_steps": 10, "decay_steps": 2, "decay_shape": "sqrt"},
         r"Argument `decay_shape` must be one of 'linear', 'cosine', '1-sqrt', 'power', 'exp'\. "
         r"Received: decay_shape='sqrt'"),
        ({"total_steps": 10, "decay_steps": 2, "warmup_shape": "exp"}, r"`warmup_shape` must be one of"),
        ({"total_steps": 10, "decay_steps": 2, "stable_shape": "linear"}, r"`stable_shape` must be one of"),
        ({"total_steps": 10, "decay_steps": 2, "stable_shape": "rsqrt"},
         r"Argument `stable_timescale` must be given \(> 0\) for a decaying stable phase without warmup"),
        ({"total_steps": 10, "decay_steps": 2, "stable_shape": "rsqrt", "stable_timescale": 0},
         r"`stable_timescale` must be > 0"),
        ({"total_steps": 10, "decay_steps": 2, "stable_power": -1.0}, r"`stable_power` must be > 0"),
        ({"total_steps": 10, "decay_steps": 2, "min_lr": 0.1, "min_lr_ratio": 0.1},
         r"`min_lr` and `min_lr_ratio` are two ways"),
        ({"total_steps": 10, "decay_steps": 2, "min_lr": 2.0}, r"`min_lr` must be <= `peak_lr`"),
        ({"total_steps": 10, "decay_steps": 2, "warmup_steps": 2, "init_lr": 1.5}, r"`init_lr` must be <= `peak_lr`"),
    ],
)
def test_bad_config_raises_value_error(cfg, match):
    with pytest.raises(ValueError, match=match):
        lrfuncs.wsd(0, peak_lr=1.0, **cfg)
    with pytest.raises(ValueError, match=match):
        lrfuncs.wsd.bind(peak_lr=1.0, **cfg)
