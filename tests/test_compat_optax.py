"""``lrfuncs.compat.optax`` against the real optax schedules (optax 0.2.8, JAX with x64 enabled by conftest).

Every optax value comes from optax's own constructor with the same arguments: the
vectorised schedules are called on a ``jnp`` array of int64 counts (float64 under
x64), the one-cycle and piecewise-interpolate ones under ``jax.vmap`` (called on an
array they raise or silently return wrong values, anchors.md 3.14); optax's
``constant_schedule`` returns its value itself. The compat schedule is evaluated on
the same steps through every backend of ``conftest.BACKENDS`` and compared with
``assert_lr_close`` (relative 1e-12 plus 1e-15 of the peak).

Then: optax's logged-and-ignored inputs (asserted on optax) are ``ValueError`` here;
pickle and ``to_dict``/``from_dict`` round trips; importing the module imports no
framework.
"""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st

import lrfuncs
from lrfuncs.compat import optax as compat

#: One step grid for every example (eager JAX compiles each primitive per shape); drawn horizons stay below it.
STEPS = np.arange(160)

VMAPPED = {"linear_onecycle_schedule", "cosine_onecycle_schedule", "piecewise_interpolate_schedule"}


_CACHE: dict[str, np.ndarray] = {}


def reference(name: str, *args, **kwargs) -> np.ndarray:
    """optax's own ``name(*args, **kwargs)`` on STEPS as int64 counts (per scalar under vmap where optax needs it).

    Cached by config: every backend's test draws the same (derandomized) examples.
    """
    key = repr((name, args, sorted(kwargs.items())))
    if key not in _CACHE:
        _CACHE[key] = _reference(name, *args, **kwargs)
    return _CACHE[key]


def _reference(name: str, *args, **kwargs) -> np.ndarray:
    fn = getattr(optax, name)(*args, **kwargs)
    counts = jnp.asarray(STEPS, dtype=jnp.int64)
    out = jax.vmap(fn)(counts) if name in VMAPPED else fn(counts)
    if not isinstance(out, jax.Array):  # constant_schedule, or no boundaries: optax returns the value itself
        return np.full(len(STEPS), float(out))
    assert out.dtype == jnp.float64
    return np.asarray(out)


def check(backend: str, name: str, *args, peak: float = 1.0, **kwargs) -> lrfuncs.Schedule:
    """compat ``name(*args, **kwargs)`` equals optax's on every step, evaluated through ``backend``."""
    ours = getattr(compat, name)(*args, **kwargs)
    assert isinstance(ours, lrfuncs.Schedule)
    assert_lr_close(evaluate(backend, ours, STEPS), reference(name, *args, **kwargs), peak=peak)
    return ours


peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(min_value=1e-6, max_value=10.0)
fractions = st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0.0, 1.0)
exponents = st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.1, 4.0)
lengths = st.integers(1, 60) | st.sampled_from([0.5, 2.5, 7.25])
begins = st.sampled_from([0, 0, 3]) | st.integers(0, 40)

# ---------------------------------------------------------------------------------------------------------------------
# parity, every backend


def test_constant_schedule(backend):
    @per_backend(backend, value=peaks | st.just(0.0))
    def run(value):
        check(backend, "constant_schedule", value, peak=max(value, 1.0))

    run()


def test_linear_schedule(backend):
    @per_backend(backend, peak=peaks, init=fractions, end=fractions, steps=lengths, begin=begins)
    def run(peak, init, end, steps, begin):
        check(backend, "linear_schedule", init_value=init * peak, end_value=end * peak, transition_steps=steps,
              transition_begin=begin, peak=peak)

    run()


def test_polynomial_schedule(backend):
    @per_backend(backend, peak=peaks, init=fractions, end=st.floats(0.0, 2.0).filter(bool), power=exponents,
                 steps=lengths, begin=begins)
    def run(peak, init, end, power, steps, begin):
        # a rise (end > init) too, also from 0
        check(backend, "polynomial_schedule", init_value=init * peak, end_value=end * peak, power=power,
              transition_steps=steps, transition_begin=begin, peak=2 * peak)

    run()


@st.composite
def rate_and_end(draw):
    """``(decay_rate, end_value fraction of init)``: the bound below a decay, above a growth, or None."""
    rate = draw(st.sampled_from([0.5, 0.9, 1.0, 1.05]) | st.floats(0.05, 1.2))
    if draw(st.booleans()):
        return rate, None
    return rate, (draw(fractions) if rate < 1 else draw(st.floats(1.0, 4.0)))


def test_exponential_decay(backend):
    @per_backend(backend, peak=peaks, steps=lengths, re=rate_and_end(), begin=begins, staircase=st.booleans())
    def run(peak, steps, re, begin, staircase):
        rate, end = re
        end_value = None if end is None else end * peak
        check(backend, "exponential_decay", init_value=peak, transition_steps=steps, decay_rate=rate,
              transition_begin=begin, staircase=staircase, end_value=end_value, peak=peak)

    run()


def test_cosine_decay_schedule(backend):
    @per_backend(backend, peak=peaks, steps=lengths, alpha=fractions, exponent=exponents)
    def run(peak, steps, alpha, exponent):
        check(backend, "cosine_decay_schedule", init_value=peak, decay_steps=steps, alpha=alpha, exponent=exponent,
              peak=peak)

    run()


def test_warmup_cosine_decay_schedule(backend):
    @per_backend(backend, peak=peaks, w=st.integers(0, 30), decay=st.integers(1, 60), init=fractions, end=fractions,
                 exponent=exponents)
    def run(peak, w, decay, init, end, exponent):
        check(backend, "warmup_cosine_decay_schedule", init_value=init * peak, peak_value=peak, warmup_steps=w,
              decay_steps=w + decay, end_value=end * peak, exponent=exponent, peak=peak)

    run()


def test_warmup_exponential_decay_schedule(backend):
    @per_backend(backend, peak=peaks, init=fractions, w=st.integers(0, 30), steps=lengths, re=rate_and_end(),
                 begin=begins, staircase=st.booleans())
    def run(peak, init, w, steps, re, begin, staircase):
        rate, end = re
        end_value = None if end is None else end * peak
        check(backend, "warmup_exponential_decay_schedule", init_value=init * peak, peak_value=peak, warmup_steps=w,
              transition_steps=steps, decay_rate=rate, transition_begin=begin, staircase=staircase,
              end_value=end_value, peak=peak)

    run()


def test_warmup_constant_schedule(backend):
    @per_backend(backend, peak=peaks, w=st.integers(1, 60) | st.just(2.5), init=fractions)
    def run(peak, w, init):
        check(backend, "warmup_constant_schedule", init * peak, peak, w, peak=peak)

    run()


scales = st.sampled_from([0.1, 0.5, 2.0, 0.0, 1.0]) | st.floats(0.0, 3.0)


def test_piecewise_constant_schedule(backend):
    keys = st.integers(0, 120) | st.sampled_from([-3, 2.5, 0])
    @per_backend(backend, init=peaks | st.just(0.0), table=st.dictionaries(keys, scales, max_size=5) | st.none())
    def run(init, table):
        check(backend, "piecewise_constant_schedule", init, table, peak=max(init, 1.0) * 27)

    run()


def test_piecewise_interpolate_schedule(backend):
    @per_backend(backend, kind=st.sampled_from(["linear", "cosine"]), init=peaks,
                 table=st.dictionaries(st.integers(0, 120), scales, max_size=5) | st.none())
    def run(kind, init, table):
        check(backend, "piecewise_interpolate_schedule", kind, init, table, peak=init * 27)

    run()


divs = st.sampled_from([25.0, 10.0, 1.0]) | st.floats(1.0, 100.0)
final_divs = st.sampled_from([1e4, 1e2, 1.0]) | st.floats(1.0, 1e5)


def test_cosine_onecycle_schedule(backend):
    @per_backend(backend, peak=peaks, total=st.integers(1, 120), pct=st.sampled_from([0.3, 0.25, 0.0, 1.0])
                 | st.floats(0.0, 1.0), div=divs, final_div=final_divs)
    def run(peak, total, pct, div, final_div):
        kwargs = dict(transition_steps=total, peak_value=peak, pct_start=pct, div_factor=div,
                      final_div_factor=final_div)
        if int(pct * total) < total:
            check(backend, "cosine_onecycle_schedule", peak=peak, **kwargs)
        else:  # optax's dict drops the peak
            with pytest.raises(ValueError, match="must leave a decay"):
                compat.cosine_onecycle_schedule(**kwargs)

    run()


def test_linear_onecycle_schedule(backend):
    pcts = st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).map(sorted) | st.just((0.3, 0.85))
    @per_backend(backend, peak=peaks, total=st.integers(2, 120), pcts=pcts, div=divs, final_div=final_divs)
    def run(peak, total, pcts, div, final_div):
        pct_start, pct_final = pcts
        kwargs = dict(transition_steps=total, peak_value=peak, pct_start=pct_start, pct_final=pct_final,
                      div_factor=div, final_div_factor=final_div)
        if int(pct_start * total) < int(pct_final * total) < total:
            check(backend, "linear_onecycle_schedule", peak=peak, **kwargs)
        else:  # optax's dict keys collide and a phase is dropped
            with pytest.raises(ValueError, match="silently drops colliding"):
                compat.linear_onecycle_schedule(**kwargs)

    run()


@st.composite
def cosine_cycles(draw):
    cycles = []
    for _ in range(draw(st.integers(1, 4))):
        peak = draw(peaks)
        w = draw(st.integers(0, 10))
        cycles.append(dict(init_value=draw(fractions) * peak, peak_value=peak, warmup_steps=w,
                           decay_steps=w + draw(st.integers(1, 30)), end_value=draw(fractions) * peak,
                           exponent=draw(exponents)))
    return cycles


def test_sgdr_schedule(backend):
    @per_backend(backend, cycles=cosine_cycles())
    def run(cycles):
        check(backend, "sgdr_schedule", cycles, peak=max(c["peak_value"] for c in cycles))

    run()


#: Members for join_schedules: (constructor, kwargs) built by optax and by the compat module alike.
MEMBERS = st.sampled_from([
    ("constant_schedule", dict(value=0.5)),
    ("linear_schedule", dict(init_value=0.0, end_value=1.0, transition_steps=5)),
    ("cosine_decay_schedule", dict(init_value=1.0, decay_steps=12, alpha=0.1)),
    ("exponential_decay", dict(init_value=0.8, transition_steps=3, decay_rate=0.7, staircase=True)),
    ("warmup_cosine_decay_schedule", dict(init_value=0.1, peak_value=2.0, warmup_steps=4, decay_steps=20)),
    ("piecewise_constant_schedule", dict(init_value=1.0, boundaries_and_scales={2: 0.5, 6: 0.5})),
])


def test_join_schedules(backend):
    @per_backend(backend, members=st.lists(MEMBERS, min_size=1, max_size=4), data=st.data())
    def run(members, data):
        bounds = sorted(data.draw(st.lists(st.integers(0, 100), min_size=len(members) - 1,
                                           max_size=len(members) - 1)))
        ours = compat.join_schedules([getattr(compat, n)(**kw) for n, kw in members], bounds)
        theirs = optax.join_schedules([getattr(optax, n)(**kw) for n, kw in members], bounds)
        ref = np.broadcast_to(np.asarray(theirs(jnp.asarray(STEPS, dtype=jnp.int64))), STEPS.shape)
        assert_lr_close(evaluate(backend, ours, STEPS), ref, peak=2.0)

    run()


# ---------------------------------------------------------------------------------------------------------------------
# golden numbers of anchors.md (computed by running optax), through every backend


@pytest.mark.parametrize(
    ("name", "args", "gold"),
    [
        ("cosine_decay_schedule", (1.0, 10), [1, 0.97553, 0.90451, 0.79389, 0.65451, 0.5, 0.34549, 0.20611,
                                               0.095492, 0.024472, 0, 0, 0]),
        ("warmup_cosine_decay_schedule", (0.0, 1.0, 3, 10), [0, 0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126,
                                                              0.38874, 0.18826, 0.049516, 0, 0]),
        ("warmup_constant_schedule", (0.0, 1.0, 4), [0, 0.25, 0.5, 0.75, 1, 1]),
        ("cosine_onecycle_schedule", (10, 1.0), [0.04, 0.28, 0.76, 1, 0.95048, 0.81175, 0.61126, 0.38874, 0.18826,
                                                 0.049519, 4e-06]),
        ("linear_onecycle_schedule", (10, 1.0), [0.04, 0.36, 0.68, 1, 0.808, 0.616, 0.424, 0.232, 0.04, 0.020002,
                                                 4e-06]),
        ("cosine_onecycle_schedule", (3, 1.0), [1, 0.75, 0.25, 4e-06]),
        ("exponential_decay", (1.0, 1, 0.9, 2, False, 0.7), [1, 1, 1, 0.9, 0.81, 0.729, 0.7]),
        ("piecewise_constant_schedule", (1.0, {3: 0.1}), [1, 1, 1, 0.1, 0.1, 0.1]),
        ("polynomial_schedule", (1.0, 0.0, 1, 4), [1, 0.75, 0.5, 0.25, 0, 0]),
        ("sgdr_schedule", ([dict(init_value=1.0, peak_value=1.0, warmup_steps=0, decay_steps=d) for d in (4, 8)],),
         [1, 0.85355, 0.5, 0.14645, 1, 0.96194, 0.85355, 0.69134, 0.5, 0.30866, 0.14645, 0.03806, 0, 0, 0]),
    ],
)
def test_golden(name, args, gold):
    s = getattr(compat, name)(*args)
    for backend in BACKENDS:
        np.testing.assert_allclose(evaluate(backend, s, np.arange(len(gold))), gold, rtol=5e-5, atol=5e-7)


# ---------------------------------------------------------------------------------------------------------------------
# optax's logged-and-ignored inputs: asserted on optax, a ValueError here


def _optax_values(fn, steps=(0, 3, 50)):
    return [float(fn(jnp.asarray(s, dtype=jnp.int64))) for s in steps]


@pytest.mark.parametrize("steps", [0, -5])
def test_non_positive_transition_steps(steps):
    """optax turns ``transition_steps <= 0`` into the constant ``init_value`` (only logged)."""
    assert _optax_values(optax.linear_schedule(0.1, 1.0, steps)) == pytest.approx([0.1] * 3)
    assert _optax_values(optax.polynomial_schedule(1.0, 0.0, 2, steps)) == pytest.approx([1.0] * 3)
    assert _optax_values(optax.exponential_decay(1.0, steps, 0.5)) == pytest.approx([1.0] * 3)
    with pytest.raises(ValueError, match="`transition_steps` must be > 0"):
        compat.linear_schedule(0.1, 1.0, steps)
    with pytest.raises(ValueError, match="`transition_steps` must be > 0"):
        compat.polynomial_schedule(1.0, 0.0, 2, steps)
    with pytest.raises(ValueError, match="`transition_steps` must be > 0"):
        compat.exponential_decay(1.0, steps, 0.5)
    with pytest.raises(ValueError, match="`transition_steps` must be > 0"):
        compat.warmup_exponential_decay_schedule(0.0, 1.0, 3, steps, 0.5)


def test_negative_transition_begin():
    """optax treats a negative ``transition_begin`` as 0 (only logged)."""
    ref = _optax_values(optax.linear_schedule(1.0, 0.0, 10))
    assert _optax_values(optax.linear_schedule(1.0, 0.0, 10, transition_begin=-4)) == pytest.approx(ref)
    assert _optax_values(optax.exponential_decay(1.0, 2, 0.5, transition_begin=-4)) == pytest.approx(
        _optax_values(optax.exponential_decay(1.0, 2, 0.5)))
    for make in (lambda: compat.linear_schedule(1.0, 0.0, 10, transition_begin=-4),
                 lambda: compat.polynomial_schedule(1.0, 0.0, 2, 10, transition_begin=-4),
                 lambda: compat.exponential_decay(1.0, 2, 0.5, transition_begin=-4)):
        with pytest.raises(ValueError, match="`transition_begin` must be >= 0"):
            make()


def test_zero_decay_rate():
    """optax turns ``decay_rate == 0`` into the constant ``init_value`` (only logged)."""
    assert _optax_values(optax.exponential_decay(1.0, 2, 0.0)) == pytest.approx([1.0] * 3)
    with pytest.raises(ValueError, match="`decay_rate` must not be 0"):
        compat.exponential_decay(1.0, 2, 0.0)
    with pytest.raises(ValueError, match="`decay_rate` must be > 0"):
        compat.exponential_decay(1.0, 2, -0.5)


def test_warmup_constant_without_warmup():
    """optax's warmup over 0 steps is the constant ``init_value``: ``peak_value`` is never reached."""
    assert _optax_values(optax.warmup_constant_schedule(0.1, 1.0, 0)) == pytest.approx([0.1] * 3)
    with pytest.raises(ValueError, match="`warmup_steps` must be > 0"):
        compat.warmup_constant_schedule(0.1, 1.0, 0)


def test_same_errors_as_optax():
    with pytest.raises(ValueError, match="requires positive decay_steps"):
        optax.cosine_decay_schedule(1.0, 0)
    with pytest.raises(ValueError, match="requires positive decay_steps"):
        compat.cosine_decay_schedule(1.0, 0)
    with pytest.raises(ValueError, match="requires positive decay_steps"):
        optax.warmup_cosine_decay_schedule(0.0, 1.0, 5, 5)
    with pytest.raises(ValueError, match="`decay_steps` must be > `warmup_steps`"):
        compat.warmup_cosine_decay_schedule(0.0, 1.0, 5, 5)
    for name in ("linear_onecycle_schedule", "cosine_onecycle_schedule"):
        with pytest.raises(ValueError, match="non-positive `transition_steps`"):
            getattr(optax, name)(0, 1.0)
        with pytest.raises(ValueError, match="non-positive `transition_steps`"):
            getattr(compat, name)(0, 1.0)
    for name in ("piecewise_constant_schedule", "piecewise_interpolate_schedule"):
        args = ("linear",) if name == "piecewise_interpolate_schedule" else ()
        with pytest.raises(ValueError, match="expects non-negative scale factors"):
            getattr(optax, name)(*args, 1.0, {3: -0.5})
        with pytest.raises(ValueError, match="expects non-negative scale factors"):
            getattr(compat, name)(*args, 1.0, {3: -0.5})
    with pytest.raises(ValueError, match="must be either 'cosine' or 'linear'"):
        optax.piecewise_interpolate_schedule("cubic", 1.0)
    with pytest.raises(ValueError, match="must be either 'cosine' or 'linear'"):
        compat.piecewise_interpolate_schedule("cubic", 1.0)


def test_onecycle_key_collisions():
    """optax keys the one-cycle phases by ``int(pct * T)`` in a dict: colliding keys silently drop a phase."""
    lin = np.asarray(jax.vmap(optax.linear_onecycle_schedule(20, 1.0, 0.5, 0.5))(jnp.arange(21)))
    assert lin.max() < 0.05  # the peak (1.0) is gone
    lin = np.asarray(jax.vmap(optax.linear_onecycle_schedule(20, 1.0, 0.5, 1.0))(jnp.arange(21)))
    assert lin[-1] == pytest.approx(1e-4)  # the return to peak/div is gone, the final value is peak/final_div
    cos = np.asarray(jax.vmap(optax.cosine_onecycle_schedule(20, 1.0, 1.0))(jnp.arange(21)))
    assert cos.max() == pytest.approx(0.04)  # never rises
    with pytest.raises(ValueError, match="silently drops colliding"):
        compat.linear_onecycle_schedule(20, 1.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="silently drops colliding"):
        compat.linear_onecycle_schedule(20, 1.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="silently drops colliding"):
        compat.linear_onecycle_schedule(20, 1.0, 0.6, 0.3)
    with pytest.raises(ValueError, match="must leave a decay"):
        compat.cosine_onecycle_schedule(20, 1.0, 1.0)
    with pytest.raises(ValueError, match="whole number"):
        compat.cosine_onecycle_schedule(20.5, 1.0)


def test_join_schedules_validation():
    """optax's ``zip`` silently drops unpaired boundaries or schedules; lrfuncs raises."""
    a, b = optax.constant_schedule(1.0), optax.constant_schedule(0.5)
    extra = optax.join_schedules([a, b], [3, 5, 7])
    assert [float(extra(jnp.asarray(t))) for t in (0, 4, 9)] == [1.0, 0.5, 0.5]
    short = optax.join_schedules([a, b, a], [3])
    assert float(short(jnp.asarray(9))) == 0.5  # the third schedule is never used
    ca, cb = compat.constant_schedule(1.0), compat.constant_schedule(0.5)
    with pytest.raises(ValueError, match="one step per switch"):
        compat.join_schedules([ca, cb], [3, 5, 7])
    with pytest.raises(ValueError, match="one step per switch"):
        compat.join_schedules([ca, cb, ca], [3])
    with pytest.raises(ValueError, match="non-decreasing"):
        compat.join_schedules([ca, cb, ca], [5, 3])
    with pytest.raises(TypeError, match="lrfuncs Schedules"):
        compat.join_schedules([ca, a], [3])  # an optax callable is not an lrfuncs schedule


def test_sgdr_validation():
    with pytest.raises(IndexError):
        optax.sgdr_schedule([])(0)
    with pytest.raises(ValueError, match="at least one dict"):
        compat.sgdr_schedule([])
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        compat.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=0, decay_steps=4, alpha=0.1)])
    with pytest.raises(ValueError, match="must be > `warmup_steps`"):
        compat.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=4, decay_steps=4)])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: compat.constant_schedule(-0.1), "`value` must be > 0"),
        (lambda: compat.linear_schedule(-0.1, 1.0, 5), "`init_value` must be >= 0"),
        (lambda: compat.polynomial_schedule(0.0, 0.0, 2.0, 5), "`peak_lr` must be > 0 unless `end_lr` > 0"),
        (lambda: compat.polynomial_schedule(1.0, 0.0, 0.0, 5), "`power` must be > 0"),
        (lambda: compat.cosine_decay_schedule(1.0, 10, alpha=1.5), r"`alpha` must be in \[0, 1\]"),
        (lambda: compat.cosine_decay_schedule(0.0, 10), "`init_value` must be > 0"),
        (lambda: compat.warmup_cosine_decay_schedule(2.0, 1.0, 2, 10), "`init_value` must be <= `peak_value`"),
        (lambda: compat.warmup_cosine_decay_schedule(0.0, 1.0, 2, 10, end_value=2.0),
         "`end_value` must be <= `peak_value`"),
        (lambda: compat.warmup_cosine_decay_schedule(0.0, 1.0, -2, 10), "`warmup_steps` must be >= 0"),
        (lambda: compat.exponential_decay(1.0, 2, 0.5, end_value=2.0), r"lrfuncs\.exponential_decay"),
        (lambda: compat.piecewise_interpolate_schedule("linear", 1.0, {2.5: 0.5}), "whole numbers >= 0"),
        (lambda: compat.piecewise_interpolate_schedule("linear", 1.0, {-2: 0.5}), "whole numbers >= 0"),
        (lambda: compat.piecewise_constant_schedule(-1.0, {2: 0.5}), "`init_value` must be >= 0"),
    ],
)
def test_bad_config(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_staircase_floor_is_exact():
    """optax floors the rounded quotient: ``9 / 0.9`` rounds to 10.0 though 9 < 10 * 0.9 (the float 0.9 is above
    9/10); lrfuncs' floor division is exact."""
    theirs = optax.exponential_decay(1.0, 0.9, 0.5, staircase=True)
    assert float(theirs(jnp.asarray(9, dtype=jnp.int64))) == 0.5**10
    assert compat.exponential_decay(1.0, 0.9, 0.5, staircase=True)(9) == 0.5**9


def test_int32_count_precision():
    """Inside an optimizer optax's ``count`` is int32: optax's warmup (a ``polynomial_schedule``) then computes in
    float32 even with x64; the compat schedule computes in the float type of its step (float64 under x64)."""
    count = jnp.asarray(3, dtype=jnp.int32)
    theirs = optax.warmup_cosine_decay_schedule(0.0, 0.3, 7, 20)
    ours = compat.warmup_cosine_decay_schedule(0.0, 0.3, 7, 20)
    assert theirs(count).dtype == jnp.float32
    assert ours(count).dtype == jnp.float64
    assert float(ours(count)) == 0.3 * 3 / 7
    assert float(theirs(count)) != 0.3 * 3 / 7


# ---------------------------------------------------------------------------------------------------------------------
# pickle, to_dict / from_dict, import hygiene

CASES = [
    ("constant_schedule", (0.1,), {}),
    ("constant_schedule", (0.0,), {}),
    ("linear_schedule", (0.0, 1.0, 10, 2), {}),
    ("polynomial_schedule", (1.0, 0.1, 2.0, 10, 2), {}),
    ("exponential_decay", (1.0, 3, 0.5), dict(transition_begin=2, staircase=True, end_value=0.1)),
    ("cosine_decay_schedule", (1.0, 10, 0.1, 2.0), {}),
    ("warmup_cosine_decay_schedule", (0.0, 1.0, 3, 10, 0.1), {}),
    ("warmup_exponential_decay_schedule", (0.0, 1.0, 3, 4, 0.5), {}),
    ("warmup_constant_schedule", (0.0, 1.0, 4), {}),
    ("piecewise_constant_schedule", (1.0, {3: 0.1, 8: 0.5}), {}),
    ("piecewise_interpolate_schedule", ("cosine", 1.0, {4: 0.1, 8: 0.01}), {}),
    ("linear_onecycle_schedule", (20, 1.0), {}),
    ("cosine_onecycle_schedule", (20, 1.0), {}),
    ("sgdr_schedule", ([dict(init_value=0.0, peak_value=1.0, warmup_steps=2, decay_steps=d) for d in (4, 8)],), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_pickle_and_to_dict(name, args, kwargs):
    s = getattr(compat, name)(*args, **kwargs)
    steps = np.arange(30)
    for back in (pickle.loads(pickle.dumps(s)), lrfuncs.Schedule.from_dict(json.loads(json.dumps(s.to_dict())))):
        assert back == s
        np.testing.assert_array_equal(back(steps), s(steps))
    joined = compat.join_schedules([s, compat.constant_schedule(0.5)], [12])
    assert pickle.loads(pickle.dumps(joined)) == joined
    assert lrfuncs.Schedule.from_dict(json.loads(json.dumps(joined.to_dict()))) == joined


def test_import_imports_no_framework():
    """``import lrfuncs.compat.optax`` and evaluating its schedules on Python numbers import no framework."""
    script = textwrap.dedent(
        """
        import json, sys
        from lrfuncs.compat import optax as compat
        s = compat.warmup_cosine_decay_schedule(0.0, 1.0, 3, 10)
        t = compat.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=4)] * 2)
        values = [s(5), t(6), compat.piecewise_interpolate_schedule("cosine", 1.0, {4: 0.1})(2)]
        frameworks = ("numpy", "jax", "jaxlib", "torch", "optax", "scipy")
        print(json.dumps(sorted(f for f in frameworks if any(m == f or m.startswith(f + ".") for m in sys.modules))))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
    root = pathlib.Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          check=True)
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
