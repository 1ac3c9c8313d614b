"""``cosine_hard_restarts`` against HF's real ``get_cosine_with_hard_restarts_schedule_with_warmup``.

HF's scheduler (a torch ``LambdaLR``) is stepped for real on an SGD whose lr is the peak; the lr
is read before ``optimizer.step()``, then ``scheduler.step()``, so index ``k`` is update ``k``:

    get_cosine_with_hard_restarts_schedule_with_warmup(opt(lr=peak), W, N, num_cycles)
    == cosine_hard_restarts(peak_lr=peak, warmup_steps=W, total_steps=N, num_cycles=num_cycles,
                            init_lr=0.0)

for every step, past ``N`` included (HF's 0 is the floor held there). Steps within float rounding
of a restart (``num_cycles`` not a binary fraction, a cycle position within 1e-12 of a whole
number by exact ``Fraction`` arithmetic) can fall on different sides in HF and here (peak vs
floor): those points are left out (a hypothesis ``event``); every other step is compared.
``W == N`` is a deliberate difference (asserted): HF's ``max(1, N - W)`` gives the peak at
``N``, lrfuncs the floor (no decay phase).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import event
from hypothesis import strategies as st
from transformers.optimization import get_cosine_with_hard_restarts_schedule_with_warmup as hf_hard_restarts

import lrfuncs

#: One step grid for every example (JAX compiles its eager ops once per shape); N <= 130.
STEPS = np.arange(160)


def hf_curve(peak: float, w: int, n: int, num_cycles: float, steps: int = len(STEPS)) -> np.ndarray:
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    opt = torch.optim.SGD([p], lr=peak)
    sched = hf_hard_restarts(opt, w, n, num_cycles)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.asarray(out)


def near_restart(w: int, n: int, num_cycles: float, steps: np.ndarray = STEPS) -> np.ndarray:
    """Steps whose exact cycle position is within 1e-12 of a restart, but not on it."""
    out = np.zeros(len(steps), dtype=bool)
    c = Fraction(num_cycles)
    for i, s in enumerate(steps):
        if w <= s < n:
            q = c * int(s - w) / (n - w) % 1
            out[i] = q != 0 and min(q, 1 - q) < Fraction(1, 10**12)
    return out


peaks = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 10.0)
cycles = st.sampled_from([1, 2, 3, 1.0, 0.5, 2.5]) | st.integers(1, 8) | st.floats(0.1, 8.0)


def test_cosine_hard_restarts_equals_hf(backend: str) -> None:
    @per_backend(backend, peak=peaks, w=st.integers(0, 30), decay=st.integers(1, 100), num_cycles=cycles)
    def check(peak: float, w: int, decay: int, num_cycles: float) -> None:
        n = w + decay
        ref = hf_curve(peak, w, n, num_cycles)
        ours = evaluate(backend, lrfuncs.cosine_hard_restarts, STEPS, peak_lr=peak, warmup_steps=w, total_steps=n,
                        num_cycles=num_cycles, init_lr=0.0)
        keep = ~near_restart(w, n, num_cycles)
        if not keep.all():
            event("left out: a step within rounding of a restart")
        assert_lr_close(ours[keep], ref[keep], peak=peak)

    check()


@pytest.mark.parametrize("backend", BACKENDS)
def test_golden_anchors_3_9(backend: str) -> None:
    """anchors.md 3.9: HF cosine_with_hard_restarts(0, 12, num_cycles=3): three equal cycles, then 0."""
    out = evaluate(backend, lrfuncs.cosine_hard_restarts, np.arange(14), peak_lr=1.0, warmup_steps=0,
                   total_steps=12, num_cycles=3, init_lr=0.0)
    cycle = [1, 0.85355, 0.5, 0.14645]
    np.testing.assert_allclose(out, cycle * 3 + [0, 0], atol=5e-6)
    assert out[4] == out[8] == 1.0  # restarts exactly


def test_floor_rescales_hf_multiplier() -> None:
    """With a floor ``f``: ``f + (peak - f) * m(t)``, ``m`` HF's multiplier (its curve at lr 1); ``f`` from N on."""
    m = hf_curve(1.0, 5, 45, 3)
    for cfg, f in (({"min_lr": 0.02}, 0.02), ({"min_lr_ratio": 0.1}, 0.03)):
        ours = lrfuncs.cosine_hard_restarts(STEPS, peak_lr=0.3, warmup_steps=5, total_steps=45, num_cycles=3,
                                            init_lr=0.0, **cfg)
        after = STEPS >= 5
        assert_lr_close(ours[after], f + (0.3 - f) * m[after], peak=0.3)
        assert np.all(ours[STEPS >= 45] == f)


def test_default_warmup_start_and_landmarks() -> None:
    s = lrfuncs.cosine_hard_restarts.bind(peak_lr=1.0, warmup_steps=4, total_steps=34, num_cycles=3)
    assert [s(t) for t in range(5)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])  # peak * (t + 1) / (W + 1)
    assert s(14) == s(24) == 1.0
    assert s.landmarks() == [("warmup end", 4.0), ("restart 1", 14.0), ("restart 2", 24.0), ("end", 34.0)]
    assert s.horizon == 34.0
    half = lrfuncs.cosine_hard_restarts.bind(peak_lr=1.0, warmup_steps=0, total_steps=10, num_cycles=1.5)
    assert half.landmarks() == [("restart 1", 10 / 1.5), ("end", 10.0)]
    assert half(9.999) > 0.49
    assert half(10) == 0.0


def test_whole_number_cycles_restart_exactly_at_giant_steps() -> None:
    """Restarts at ``W + k (N - W) / num_cycles`` give exactly the peak on every backend, also near 2**50."""
    w, n, c = 10**6, 10**6 + 7 * 2**47, 7
    steps = np.array([w + k * 2**47 for k in range(c)], dtype=np.int64)
    for backend in BACKENDS:
        out = evaluate(backend, lrfuncs.cosine_hard_restarts, steps, peak_lr=2.0, warmup_steps=w, total_steps=n,
                       num_cycles=c)
        np.testing.assert_array_equal(out, 2.0)


def test_warmup_equal_to_total_differs_from_hf_deliberately() -> None:
    ref = hf_curve(1.0, 5, 5, 2, steps=8)
    ours = lrfuncs.cosine_hard_restarts(np.arange(8), peak_lr=1.0, warmup_steps=5, total_steps=5, num_cycles=2,
                                        init_lr=0.0)
    assert_lr_close(ours[:5], ref[:5])
    assert ref[5] == 1.0
    assert ours[5] == 0.0
    assert_lr_close(ours[6:], ref[6:])


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"warmup_steps": 20}, r"Argument `warmup_steps` must be <= `total_steps`. Received: warmup_steps=20, "
                               r"total_steps=10"),
        ({"num_cycles": 0}, r"Argument `num_cycles` must be > 0. Received: num_cycles=0"),
        ({"total_steps": 0, "warmup_steps": 0}, r"Argument `total_steps` must be > 0"),
        ({"warmup_steps": -1}, r"Argument `warmup_steps` must be >= 0"),
        ({"init_lr": 2.0}, r"Argument `init_lr` must be <= `peak_lr`. Received: init_lr=2.0, peak_lr=1.0"),
        ({"min_lr": -0.1}, r"Argument `min_lr` must be >= 0"),
        ({"min_lr_ratio": 0.1, "min_lr": 0.1}, r"two ways to give the same value"),
        ({"peak_lr": 0.0}, r"Argument `peak_lr` must be > 0"),
    ],
)
def test_bad_config(config: dict[str, Any], match: str) -> None:
    base = {"peak_lr": 1.0, "warmup_steps": 2, "total_steps": 10}
    with pytest.raises(ValueError, match=match):
        lrfuncs.cosine_hard_restarts(0, **{**base, **config})
    with pytest.raises(ValueError, match=match):
        lrfuncs.cosine_hard_restarts.bind(**{**base, **config})
