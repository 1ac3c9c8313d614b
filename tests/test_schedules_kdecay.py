"""k-decay (timm, Zhang et al. 2020, arXiv 2004.05909) in cosine_decay, cosine_restarts and polynomial_decay.

timm's ``CosineLRScheduler`` anneals with ``cos(pi * t_curr**k / t_i**k)`` and ``PolyLRScheduler`` with
``(1 - t_curr**k / t_i**k)**power``. The anchors are timm's real classes, ``_get_lr(t)`` of a scheduler on
a real SGD optimizer (loaded from timm's scheduler files, see tests/test_parity_timm.py), compared
through every backend at float64 rounding:

* ``CosineLRScheduler(t_initial=T, lr_min, k_decay)`` (one cycle) == ``cosine_decay(total_steps=T,
  min_lr=lr_min, k_decay)``;
* with cycles (``cycle_mul``, ``cycle_decay``, ``cycle_limit``, prefix warmup) == ``cosine_restarts(...,
  k_decay)``. Steps on an exact cycle start are left out here: there timm's float logarithm may pick
  the wrong cycle (see test_parity_timm.test_timm_misses_some_exact_restarts), and k does not matter at
  a start (``t_curr = 0``);
* ``PolyLRScheduler(t_initial, power, lr_min, warmup_t, warmup_lr_init, warmup_prefix=True, k_decay)``
  (one cycle) == ``polynomial_decay(total_steps=warmup_t + t_initial, power, end_lr=lr_min, k_decay)``.

``k_decay=1.0`` (plain Python number, the default) takes the code path of the plain cosine, so every
earlier result is unchanged bit for bit.
"""

from __future__ import annotations

import importlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st
from test_parity_timm import UNLIMITED, CosineLRScheduler, classify
from test_parity_torch import _sgd

import lrfuncs

PolyLRScheduler = importlib.import_module("_timm_sched.poly_lr").PolyLRScheduler

#: One step grid for every hypothesis example (eager JAX compiles each primitive per shape).
STEPS = np.arange(128)

peaks = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 10.0)
ks = st.sampled_from([1.0, 2.0, 0.5, 3.0]) | st.floats(0.2, 5.0)
fractions = st.sampled_from([0.0, 0.1]) | st.floats(0.0, 1.0)


def timm_values(sched, steps=STEPS) -> np.ndarray:
    return np.asarray([sched._get_lr(int(t))[0] for t in steps], dtype=np.float64)


def test_cosine_decay_k_equals_timm_one_cycle(backend):
    @per_backend(backend, peak=peaks, t=st.integers(1, 100), k=ks, lr_min=fractions)
    def check(peak, t, k, lr_min):
        sched = CosineLRScheduler(_sgd(peak), t_initial=t, lr_min=lr_min * peak, k_decay=k)
        ours = evaluate(backend, lrfuncs.cosine_decay, STEPS, peak_lr=peak, total_steps=t, min_lr=lr_min * peak,
                        k_decay=k)
        assert_lr_close(ours, timm_values(sched), peak=peak)

    check()


@st.composite
def restart_configs(draw):
    peak = draw(peaks)
    return {
        "peak": peak,
        "T": draw(st.integers(1, 20)),
        # not within 5% of 1 (timm's log(.., m) loses the cycle index there, see test_parity_timm)
        "m": draw(st.sampled_from([1.0, 2.0, 1.5, 0.5, 3.0]) | st.floats(0.4, 0.95) | st.floats(1.05, 2.5)),
        "decay": draw(st.sampled_from([1.0, 0.5]) | st.floats(0.1, 1.0)),
        "limit": draw(st.sampled_from([None, 1, 3]) | st.integers(1, 8)),
        "lr_min": draw(fractions) * peak,
        "W": draw(st.just(0) | st.integers(1, 10)),
        "init": draw(fractions) * peak,
        "k": draw(ks),
    }


def test_cosine_restarts_k_equals_timm_cycles(backend):
    @per_backend(backend, cfg=restart_configs())
    def check(cfg):
        peak, T, m, W, limit = cfg["peak"], cfg["T"], cfg["m"], cfg["W"], cfg["limit"]
        sched = CosineLRScheduler(
            _sgd(peak), t_initial=T, lr_min=cfg["lr_min"], cycle_mul=m, cycle_decay=cfg["decay"],
            cycle_limit=UNLIMITED if limit is None else limit, warmup_t=W, warmup_lr_init=cfg["init"],
            warmup_prefix=True, k_decay=cfg["k"],
        )
        past, edge, near = classify(T, m, W, STEPS)
        keep = ~(past | edge) & np.array([hit is None for hit in near])  # timm's log: see the module docstring
        ref = timm_values(sched, STEPS[keep])
        ours = evaluate(backend, lrfuncs.cosine_restarts, STEPS, peak_lr=peak, cycle_steps=T, cycle_mult=m,
                        peak_decay=cfg["decay"], max_cycles=limit, min_lr=cfg["lr_min"], warmup_steps=W,
                        init_lr=cfg["init"], k_decay=cfg["k"])
        assert_lr_close(ours[keep], ref, peak=peak)

    check()


def test_polynomial_decay_k_equals_timm_poly(backend):
    @per_backend(backend, peak=peaks, t=st.integers(1, 80), power=st.just(0.5) | st.floats(0.2, 4.0), k=ks,
                 lr_min=fractions, warmup=st.just(0) | st.integers(1, 20), init=fractions)
    def check(peak, t, power, k, lr_min, warmup, init):
        sched = PolyLRScheduler(_sgd(peak), t_initial=t, power=power, lr_min=lr_min * peak, warmup_t=warmup,
                                warmup_lr_init=init * peak, warmup_prefix=True, k_decay=k)
        ours = evaluate(backend, lrfuncs.polynomial_decay, STEPS, peak_lr=peak, total_steps=warmup + t, power=power,
                        end_lr=lr_min * peak, warmup_steps=warmup, init_lr=init * peak, k_decay=k)
        assert_lr_close(ours, timm_values(sched), peak=peak)

    check()


def test_k_decay_shapes():
    """k > 1 stays high longer, k < 1 drops sooner; the end points do not move."""
    t = np.array([0.0, 5.0, 10.0, 15.0])
    plain = lrfuncs.cosine_decay(t, peak_lr=1.0, total_steps=10)
    slow = lrfuncs.cosine_decay(t, peak_lr=1.0, total_steps=10, k_decay=2.0)
    fast = lrfuncs.cosine_decay(t, peak_lr=1.0, total_steps=10, k_decay=0.5)
    assert fast[1] < plain[1] < slow[1]
    for curve in (plain, slow, fast):
        assert curve[0] == 1.0
        assert curve[2] == curve[3] == 0.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_plain_k_decay_one_is_bit_identical(backend):
    steps = np.array([0.0, 1.0, 2.5, 7.0, 10.0, 13.0, 1e6])
    cfgs = [
        (lrfuncs.cosine_decay, {"peak_lr": 0.3, "total_steps": 10, "min_lr": 0.01, "exponent": 1.5}),
        (lrfuncs.cosine_restarts, {"peak_lr": 0.3, "cycle_steps": 3, "cycle_mult": 2, "peak_decay": 0.5,
                                   "warmup_steps": 2, "cycle_warmup_steps": 1}),
        (lrfuncs.polynomial_decay, {"peak_lr": 0.3, "total_steps": 10, "power": 2.0, "warmup_steps": 2}),
    ]
    for fn, cfg in cfgs:
        default = evaluate(backend, fn, steps, **cfg)
        assert np.array_equal(evaluate(backend, fn, steps, k_decay=1.0, **cfg), default)
        assert np.array_equal(evaluate(backend, fn, steps, k_decay=1, **cfg), default)


def test_traced_k_decay_one_equals_plain_path():
    """An array k_decay takes the power path: equal to the plain cosine to float64 rounding, finite gradients."""
    steps = jnp.asarray([0.0, 1.0, 2.5, 7.0, 10.0, 13.0])
    for fn, cfg in [(lrfuncs.cosine_decay, {"peak_lr": 0.3, "total_steps": 10}),
                    (lrfuncs.cosine_restarts, {"peak_lr": 0.3, "cycle_steps": 4, "cycle_mult": 2}),
                    (lrfuncs.polynomial_decay, {"peak_lr": 0.3, "total_steps": 10, "power": 2.0})]:
        plain = np.asarray(fn(steps, **cfg))
        traced = jax.jit(lambda k, fn=fn, cfg=cfg: fn(steps, k_decay=k, **cfg))(jnp.float64(1.0))
        assert_lr_close(np.asarray(traced), plain, peak=0.3)
        g = jax.vmap(jax.grad(lambda k, t, fn=fn, cfg=cfg: fn(t, k_decay=k, **cfg)), in_axes=(None, 0))(0.5, steps)
        assert np.all(np.isfinite(np.asarray(g)))


@pytest.mark.parametrize("fn", [lrfuncs.cosine_decay, lrfuncs.cosine_restarts, lrfuncs.polynomial_decay])
@pytest.mark.parametrize("k", [0.0, -1.0])
def test_bad_k_decay(fn, k):
    cfg = {"cycle_steps": 4} if fn is lrfuncs.cosine_restarts else {"total_steps": 4}
    with pytest.raises(ValueError, match=rf"Argument `k_decay` must be > 0\. Received: k_decay={k}"):
        fn(0, peak_lr=1.0, k_decay=k, **cfg)


@pytest.mark.parametrize(
    ("fn", "cfg"),
    [
        (lrfuncs.cosine_decay, {"peak_lr": 0.1, "total_steps": 10, "k_decay": 2.0}),
        (lrfuncs.cosine_restarts, {"peak_lr": 0.1, "cycle_steps": 4, "k_decay": 2.0}),
        (lrfuncs.cosine_restarts, {"peak_lr": 0.1, "cycle_steps": 4, "cycle_mult": 2, "k_decay": 0.5,
                                   "cycle_warmup_steps": 1}),
        (lrfuncs.polynomial_decay, {"peak_lr": 0.1, "total_steps": 10, "k_decay": 2.0, "hold_steps": 2}),
        (lrfuncs.polynomial_decay, {"peak_lr": 0.1, "total_steps": 10, "k_decay": 0.5, "cycle": True}),
    ],
)
def test_k_decay_keeps_float32_steps_float32(fn, cfg):
    expected = fn(np.arange(25.0), **cfg)
    for steps, dtype in ((np.arange(25, dtype=np.float32), np.float32),
                         (jnp.arange(25, dtype=jnp.float32), jnp.float32)):
        out = fn(steps, **cfg)
        assert out.dtype == dtype
        np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-5, atol=1e-8)
    out = fn(torch.arange(25, dtype=torch.float32), **cfg)
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-8)
