"""``tri_stage`` against fairseq's ``tri_stage`` scheduler.

fairseq is not installed (nor installable here), so the reference is :class:`FairseqTriStage`
below: a line-by-line transcription of ``TriStageLRSchedule.__init__``, ``_decide_stage`` and
``step_update`` from fairseq's source (facebookresearch/fairseq,
``fairseq/optim/lr_scheduler/tri_stage_lr_scheduler.py``; anchors.md 1.8), keeping its
operation order. It is the only re-typed anchor in the test suite, and it is documented as such.
``step_update(num_updates)`` sets the lr of the next update, so fairseq's value for update ``k``
is ``step_update(k)`` (``init_lr`` before the first update, the same number):

    tri_stage(peak_lr=lr, warmup_steps=W, hold_steps=H, decay_steps=D,
              init_lr=init_lr_scale * lr, min_lr_ratio=final_lr_scale)

fairseq divides by ``decay_steps`` unconditionally (``ZeroDivisionError`` for 0): the drawn
configs have ``D >= 1``; lrfuncs' ``decay_steps=0`` is tested on its own.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st

import lrfuncs


class FairseqTriStage:
    """fairseq's TriStageLRSchedule, transcribed (see the module docstring); no optimizer needed."""

    def __init__(self, lr: float, warmup_steps: int, hold_steps: int, decay_steps: int,
                 init_lr_scale: float = 0.01, final_lr_scale: float = 0.01) -> None:
        self.peak_lr = lr
        self.init_lr = init_lr_scale * lr
        self.final_lr = final_lr_scale * lr
        self.warmup_steps = warmup_steps
        self.hold_steps = hold_steps
        self.decay_steps = decay_steps
        assert self.warmup_steps + self.hold_steps + self.decay_steps > 0, "please specify steps or phase_ratio"
        self.warmup_rate = (self.peak_lr - self.init_lr) / self.warmup_steps if self.warmup_steps != 0 else 0
        self.decay_factor = -math.log(final_lr_scale) / self.decay_steps
        self.lr = self.init_lr

    def _decide_stage(self, update_step: int) -> tuple[int, int]:
        if update_step < self.warmup_steps:
            return 0, update_step
        offset = self.warmup_steps
        if update_step < offset + self.hold_steps:
            return 1, update_step - offset
        offset += self.hold_steps
        if update_step <= offset + self.decay_steps:
            return 2, update_step - offset
        offset += self.decay_steps
        return 3, update_step - offset

    def step_update(self, num_updates: int) -> float:
        stage, steps_in_stage = self._decide_stage(num_updates)
        if stage == 0:
            self.lr = self.init_lr + self.warmup_rate * steps_in_stage
        elif stage == 1:
            self.lr = self.peak_lr
        elif stage == 2:
            self.lr = self.peak_lr * math.exp(-self.decay_factor * steps_in_stage)
        elif stage == 3:
            self.lr = self.final_lr
        return self.lr


#: One step grid for every example (JAX compiles its eager ops once per shape); W + H + D <= 120.
STEPS = np.arange(160)


def fairseq_curve(**kwargs: Any) -> np.ndarray:
    sched = FairseqTriStage(**kwargs)
    return np.array([sched.step_update(int(k)) for k in STEPS])


peaks = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 10.0)
scales = st.sampled_from([0.01, 0.1, 0.5, 1.0]) | st.floats(1e-4, 1.0)


def test_tri_stage_equals_fairseq(backend: str) -> None:
    @per_backend(
        backend,
        lr=peaks,
        w=st.integers(0, 40),
        h=st.integers(0, 40),
        d=st.integers(1, 40),
        init_scale=scales | st.just(0.0),
        final_scale=scales,
    )
    def check(lr: float, w: int, h: int, d: int, init_scale: float, final_scale: float) -> None:
        ref = fairseq_curve(lr=lr, warmup_steps=w, hold_steps=h, decay_steps=d, init_lr_scale=init_scale,
                            final_lr_scale=final_scale)
        ours = evaluate(backend, lrfuncs.tri_stage, STEPS, peak_lr=lr, warmup_steps=w, hold_steps=h, decay_steps=d,
                        init_lr=init_scale * lr, min_lr_ratio=final_scale)
        assert_lr_close(ours, ref, peak=lr)
        # the same floor given absolutely
        ours_abs = evaluate(backend, lrfuncs.tri_stage, STEPS, peak_lr=lr, warmup_steps=w, hold_steps=h,
                            decay_steps=d, init_lr=init_scale * lr, min_lr=final_scale * lr)
        assert_lr_close(ours_abs, ref, peak=lr)

    check()


def test_default_floor_is_fairseq_final_lr_scale() -> None:
    """No floor given: fairseq's final_lr_scale=0.01. The warmup start keeps the library default."""
    ref = fairseq_curve(lr=0.5, warmup_steps=10, hold_steps=20, decay_steps=30)
    ours = lrfuncs.tri_stage(STEPS, peak_lr=0.5, warmup_steps=10, hold_steps=20, decay_steps=30, init_lr=0.005)
    assert_lr_close(ours, ref, peak=0.5)
    default = lrfuncs.tri_stage.bind(peak_lr=0.5, warmup_steps=10, hold_steps=20, decay_steps=30)
    assert default(0) == 0.5 / 11  # peak_lr / (W + 1), not fairseq's 0.01 * peak
    assert default(60) == default(10**9) == 0.005


@pytest.mark.parametrize("backend", BACKENDS)
def test_golden_values(backend: str) -> None:
    """Hand-computed: warmup 0.01 -> 1 over 2 steps, hold 1 step, decay x0.1 per step to 0.01."""
    out = evaluate(backend, lrfuncs.tri_stage, np.arange(8), peak_lr=1.0, warmup_steps=2, hold_steps=1,
                   decay_steps=2, init_lr=0.01)
    assert_lr_close(out, [0.01, 0.505, 1.0, 1.0, 0.1, 0.01, 0.01, 0.01])
    half = evaluate(backend, lrfuncs.tri_stage, np.array([3.5, 4.5]), peak_lr=1.0, warmup_steps=2, hold_steps=1,
                    decay_steps=2, init_lr=0.01)
    assert_lr_close(half, [10**-0.5, 10**-1.5])  # fractional steps: the exponential between the steps


def test_zero_length_stages() -> None:
    """decay_steps=0 drops to the floor at W + H (fairseq divides by zero); no warmup starts at the peak."""
    s = lrfuncs.tri_stage.bind(peak_lr=1.0, warmup_steps=0, hold_steps=3, decay_steps=0, min_lr=0.2)
    assert [s(t) for t in range(5)] == [1.0, 1.0, 1.0, 0.2, 0.2]
    assert s.landmarks() == [("hold end", 3.0), ("end", 3.0)]
    t = lrfuncs.tri_stage.bind(peak_lr=1.0, warmup_steps=0, hold_steps=0, decay_steps=0)
    assert t(0) == t(5) == 0.01
    assert t.landmarks() == [("end", 0.0)]
    full = lrfuncs.tri_stage.bind(peak_lr=1.0, warmup_steps=4, hold_steps=6, decay_steps=10)
    assert full.landmarks() == [("warmup end", 4.0), ("hold end", 10.0), ("end", 20.0)]
    assert full.horizon == 20.0


def test_vmap_over_floors_equals_each_config() -> None:
    """Floors swept under jax.vmap (the shared suites leave them at the default, see schedule_cases)."""
    base = {"peak_lr": 0.3, "warmup_steps": 3, "hold_steps": 2, "decay_steps": 9.5}
    steps = jnp.arange(0.0, 20.0, 0.5)
    for name, vals in (("min_lr", [0.003, 0.03, 0.3]), ("min_lr_ratio", [1e-4, 0.5, 1.0])):
        out = jax.vmap(lambda v, n=name: lrfuncs.tri_stage(steps, **base, **{n: v}))(jnp.asarray(vals))
        expected = np.stack([lrfuncs.tri_stage(np.asarray(steps), **base, **{name: v}) for v in vals])
        assert_lr_close(np.asarray(out), expected, peak=0.3)
        g = jax.vmap(jax.grad(lambda v, t, n=name: lrfuncs.tri_stage(t, **base, **{n: v})), in_axes=(None, 0))(
            jnp.float64(vals[0]), steps
        )
        assert np.all(np.isfinite(np.asarray(g)))


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        ({"min_lr": 0.0}, ValueError,
         r"Argument `min_lr` must be > 0 \(an exponential decay never reaches 0\). Received: min_lr=0.0"),
        ({"min_lr_ratio": 0.0}, ValueError, r"Argument `min_lr_ratio` must be > 0 \(an exponential decay"),
        ({"min_lr_ratio": 1.5}, ValueError, r"Argument `min_lr_ratio` must be in \(0, 1\]. Received: min_lr_ratio=1.5"),
        ({"min_lr": 2.0}, ValueError, r"Argument `min_lr` must be <= `peak_lr`. Received: min_lr=2.0, peak_lr=1.0"),
        ({"min_lr": 0.1, "min_lr_ratio": 0.1}, ValueError, r"`min_lr` and `min_lr_ratio` are two ways"),
        ({"init_lr": 1.5}, ValueError, r"Argument `init_lr` must be <= `peak_lr`. Received: init_lr=1.5"),
        ({"init_lr": -0.5}, ValueError, r"Argument `init_lr` must be >= 0"),
        ({"warmup_steps": -1}, ValueError, r"Argument `warmup_steps` must be >= 0. Received: warmup_steps=-1"),
        ({"hold_steps": -1}, ValueError, r"Argument `hold_steps` must be >= 0"),
        ({"decay_steps": float("nan")}, ValueError, r"Argument `decay_steps` must be a finite number"),
        ({"peak_lr": 0.0}, ValueError, r"Argument `peak_lr` must be > 0"),
        ({"min_lr": "small"}, TypeError, r"Argument `min_lr` must be a number"),
    ],
)
def test_bad_config(config: dict[str, Any], error: type, match: str) -> None:
    base = {"peak_lr": 1.0, "warmup_steps": 2, "hold_steps": 3, "decay_steps": 4}
    with pytest.raises(error, match=match):
        lrfuncs.tri_stage(0, **{**base, **config})
    with pytest.raises(error, match=match):
        lrfuncs.tri_stage.bind(**{**base, **config})


def test_stage_lengths_are_required() -> None:
    with pytest.raises(TypeError, match=r"missing required keyword argument\(s\): `hold_steps`, `decay_steps`"):
        lrfuncs.tri_stage(0, peak_lr=1.0, warmup_steps=2)
