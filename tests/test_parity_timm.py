"""Parity of ``lrfuncs.cosine_restarts`` with timm's real ``CosineLRScheduler`` (timm 1.0.31).

timm's package ``__init__`` imports torchvision (absent), so its scheduler files are
loaded directly as a package. The anchor values are ``CosineLRScheduler._get_lr(t)``
(what ``step(t)`` / ``step_update(t)`` write; the golden tests also step for real)
of a scheduler built on a real SGD optimizer whose lr is the peak lr.

Mapping, with ``warmup_prefix=True``::

    CosineLRScheduler(t_initial=T, cycle_mul=m, cycle_decay=d, cycle_limit=L, lr_min=f,
                      warmup_t=W, warmup_lr_init=i, warmup_prefix=True)._get_lr(t)
    == cosine_restarts(t, peak_lr=lr, cycle_steps=T, cycle_mult=m, peak_decay=d, max_cycles=L,
                       min_lr=f, warmup_steps=W, init_lr=i)

Both count cycles ``i`` from 0 on the post-warmup clock ``u = t - W`` and hold the floor once
``i >= max_cycles``; timm's default ``cycle_limit=1`` is lrfuncs' ``max_cycles=1`` (lrfuncs'
default ``None`` = unlimited; a huge ``cycle_limit`` here).

Cycle boundaries are analysed with exact arithmetic (``fractions.Fraction`` of the float
``cycle_mult``): timm takes the cycle index from ``floor(log(1 - u/T*(1 - m), m))``, which rounds
the wrong way at some exact restarts (e.g. ``T=1, m=10, u=111``; ``T=16, m=1.5, u=211``) and then
gives the end of the previous cycle (the floor) instead of the new peak. At a step on a cycle start
(within 1e-9, exact arithmetic) the exact side is known; where timm's value is on the wrong side the
point is left out of the comparison (``hypothesis.event``), and the misses are pinned in
``test_timm_misses_some_exact_restarts``. lrfuncs counts a step within a relative 1e-12 of a cycle
start as the restart (its boundaries carry rounding too, e.g. ``m**i`` under XLA); a point where that
snap disagrees with exact arithmetic is left out (an ``event``), and any other disagreement fails.
``test_first_restart_with_non_dyadic_cycle_mult`` (``T=7, m=0.7``, once a bug) and
``test_lrfuncs_restarts_exactly_at_dyadic_cycle_starts`` check lrfuncs at exact restarts.
Every other step is compared.

``cycle_mul < 1``: the cycles sum to ``T / (1 - m)``; past that timm's logarithm raises
``ValueError: math domain error`` (even when ``cycle_limit`` already ended the schedule), lrfuncs
holds the floor (asserted). Steps within 1e-9 below that sum are left out (cycles there are
shorter than float rounding).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import math
import pathlib
import sys
import types
from fractions import Fraction

import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import event
from hypothesis import strategies as st

import lrfuncs


def _load_timm_cosine():
    d = pathlib.Path(importlib.util.find_spec("timm").submodule_search_locations[0]) / "scheduler"
    if "_timm_sched" not in sys.modules:
        pkg = types.ModuleType("_timm_sched")
        pkg.__path__ = [str(d)]
        sys.modules["_timm_sched"] = pkg
    return importlib.import_module("_timm_sched.cosine_lr")


CosineLRScheduler = _load_timm_cosine().CosineLRScheduler

# ---------------------------------------------------------------------------------------------------------------------
# helpers


#: One step grid for every hypothesis example (eager JAX compiles each primitive per shape).
STEPS = np.arange(128)

#: cycle_limit standing for "no limit" (lrfuncs' max_cycles=None)
UNLIMITED = 10**9

#: A step within this relative distance of a cycle boundary (or of the end of all cycles when
#: cycle_mult < 1) is "on" it: there the float cycle index of either side may round either way.
EDGE = 1e-9


def timm_scheduler(peak, *, T, m=1.0, decay=1.0, limit=UNLIMITED, lr_min=0.0, W=0, init=0.0):
    param = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    param.grad = torch.zeros(2, dtype=torch.float64)
    opt = torch.optim.SGD([param], lr=peak)
    sched = CosineLRScheduler(
        opt,
        t_initial=T,
        lr_min=lr_min,
        cycle_mul=m,
        cycle_decay=decay,
        cycle_limit=limit,
        warmup_t=W,
        warmup_lr_init=init,
        warmup_prefix=True,
    )
    return sched, opt


def timm_values(sched, steps):
    """``_get_lr(t)`` per step; NaN where timm raises ValueError (its log's domain, cycle_mul < 1)."""
    out = []
    for t in steps:
        try:
            out.append(sched._get_lr(int(t))[0])
        except ValueError as e:
            if "math domain error" not in str(e):
                raise
            out.append(math.nan)
    return np.asarray(out, dtype=np.float64)


def timm_stepped(sched, opt, steps):
    """The lr timm writes into the optimizer with ``scheduler.step(t)`` (the real stepping path)."""
    out = []
    for t in steps:
        sched.step(int(t))
        out.append(float(opt.param_groups[0]["lr"]))
    return np.asarray(out, dtype=np.float64)


def cycle_starts(T: int, m: float, upto: float) -> list[tuple[int, Fraction]]:
    """Exact starts ``(i, S_i)``, ``i >= 1``, of the cycles after the first, up to ``upto``.

    ``S_i = T (1 + m + ... + m**(i-1))`` in exact arithmetic on the float's value of ``m``. For
    ``m < 1`` the starts pile up below ``T / (1 - m)``; those within ``EDGE`` of it are not listed
    (the steps there are left out anyway).
    """
    mf = Fraction(m)
    out, start, length, i = [], Fraction(0), Fraction(T), 0
    while True:
        start += length
        i += 1
        if start > upto:
            return out
        out.append((i, start))
        length *= mf
        if mf < 1 and length / (1 - mf) < EDGE * start:
            return out


def classify(T, m, W, steps):
    """Per step: ``(past, edge, near)``.

    ``past[k]``: the step is past the end of all cycles (``u > T / (1 - m)``, only for m < 1;
    ``u == T / (1 - m)`` exactly is the known bug of test_end_of_all_shrinking_cycles, in ``edge``);
    ``edge[k]``: it is within ``EDGE`` below that end (left out: the cycles there are shorter
    than the rounding of either side); ``near[k]``: ``(i, S_i)`` if it is on the start of
    cycle ``i``, else None.
    """
    mf = Fraction(m)
    total = Fraction(T) / (1 - mf) if mf < 1 else None
    u_max = max(0, int(max(steps)) - W)
    starts = cycle_starts(T, m, u_max + 1)
    past, edge, near = [], [], []
    for t in steps:
        u = Fraction(int(t) - W)
        past.append(total is not None and u > total)
        edge.append(total is not None and total * (1 - Fraction(EDGE)) <= u <= total)
        hit = None
        if u >= 0:
            for i, s in starts:
                if abs(u - s) <= EDGE * max(1, s):
                    hit = (i, s)
                    break
        near.append(hit)
    return np.asarray(past), np.asarray(edge), near


# ---------------------------------------------------------------------------------------------------------------------
# hypothesis parity, every backend

cycle_mults = (
    st.sampled_from([1.0, 2.0, 0.5, 1.5, 3.0, 0.75, 0.7, 1.1, 1.25])
    | st.floats(0.3, 0.95)
    | st.floats(1.05, 3.0)
)


@st.composite
def timm_configs(draw):
    peak = draw(st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 10.0))
    return dict(
        peak=peak,
        T=draw(st.integers(1, 20)),
        m=draw(cycle_mults),
        decay=draw(st.sampled_from([1.0, 0.5, 0.1]) | st.floats(0.05, 1.0)),
        limit=draw(st.sampled_from([None, 1, 2, 3]) | st.integers(1, 10)),
        lr_min=draw(st.sampled_from([0.0, 0.01]) | st.floats(0.0, 1.0)) * peak,
        W=draw(st.integers(0, 10)),
        init=draw(st.sampled_from([0.0, 0.1]) | st.floats(0.0, 1.0)) * peak,
    )


def test_cosine_lr_scheduler(backend):
    @per_backend(backend, cfg=timm_configs())
    def check(cfg):
        peak, T, m, decay = cfg["peak"], cfg["T"], cfg["m"], cfg["decay"]
        limit, lr_min, W, init = cfg["limit"], cfg["lr_min"], cfg["W"], cfg["init"]
        sched, _ = timm_scheduler(
            peak, T=T, m=m, decay=decay, limit=UNLIMITED if limit is None else limit, lr_min=lr_min, W=W, init=init
        )
        ref = timm_values(sched, STEPS)
        ours = evaluate(
            backend,
            lrfuncs.cosine_restarts,
            STEPS,
            peak_lr=peak,
            cycle_steps=T,
            cycle_mult=m,
            peak_decay=decay,
            max_cycles=limit,
            min_lr=lr_min,
            warmup_steps=W,
            init_lr=init,
        )
        past, edge, near = classify(T, m, W, STEPS)
        # past the end of all cycles (cycle_mult < 1): timm's log raises, lrfuncs holds the floor
        assert np.all((past | edge)[np.isnan(ref)]), "timm raised before the end of all cycles"
        assert_lr_close(ours[past], np.full(past.sum(), lr_min), peak=peak)
        if edge.any():
            event("step within EDGE below (or exactly at) the end of all cycles: left out")
        compare = ~(past | edge)
        # on a cycle start: leave out the side that rounds its cycle index the wrong way
        for k, hit in enumerate(near):
            if hit is None or not compare[k]:
                continue
            i, s = hit
            u = Fraction(int(STEPS[k]) - W)
            restart = lr_min if limit is not None and i >= limit else peak * decay**i  # the new cycle's first value
            end = lr_min  # the previous cycle's last value
            if abs(restart - end) <= 1e-6 * peak:
                continue  # both readings give the same lr
            exact = restart if u >= s else end

            def wrong(v, exact=exact, restart=restart, end=end):
                return abs(v - exact) > abs(v - (end if exact == restart else restart))

            if wrong(ref[k]):
                event("timm rounds its cycle index the wrong way at a restart: point left out")
                compare[k] = False
            elif wrong(ours[k]):
                # lrfuncs counts a step within a relative 1e-12 of a cycle start as the restart (documented
                # snapping of rounded boundaries); anything farther from the boundary is a real miss
                assert abs(u - s) <= Fraction(1, 10**12) * s, (T, m, W, int(STEPS[k]), float(s))
                event("step within lrfuncs' 1e-12 restart snap of an exact cycle start: point left out")
                compare[k] = False
        assert_lr_close(ours[compare], ref[compare], peak=peak)

    check()


# ---------------------------------------------------------------------------------------------------------------------
# exact restarts


#: (T, m, u): exact restarts where timm's float logarithm rounds the cycle index down. The first
#: restart u = T is exact for every m; the later ones are exact in floats for these dyadic m.
TIMM_MISSES = [
    (1, 10.0, 111), (2, 10.0, 222), (1, 3.0, 121), (16, 1.5, 211), (16, 1.25, 61), (20, 0.3, 20), (3, 0.3, 3),
]


@pytest.mark.parametrize(("T", "m", "u"), TIMM_MISSES)
def test_timm_misses_some_exact_restarts(T, m, u):
    """timm's index rounds down at these exact restarts and gives the floor (the previous cycle's
    end); lrfuncs gives the new peak on every backend."""
    i = next(i for i, s in cycle_starts(T, m, u) if s == u)
    sched, opt = timm_scheduler(1.0, T=T, m=m, decay=0.5)
    ref = timm_values(sched, [u - 1, u, u + 1])
    assert ref[1] == 0.0, "timm now restarts here: drop this case from TIMM_MISSES"
    assert timm_stepped(sched, opt, [u]) == [0.0]
    for backend in BACKENDS:
        ours = evaluate(
            backend, lrfuncs.cosine_restarts, np.array([u - 1, u, u + 1]), peak_lr=1.0, cycle_steps=T,
            cycle_mult=m, peak_decay=0.5
        )
        assert_lr_close(ours[1], 0.5**i)  # the restart
        assert_lr_close(ours[[0, 2]], ref[[0, 2]])  # around it timm agrees


@pytest.mark.parametrize(("T", "m"), [(8, 0.5), (4, 2.0), (3, 3.0), (16, 1.5), (2, 10.0), (16, 1.25), (5, 1.0)])
@pytest.mark.parametrize("backend", BACKENDS)
def test_lrfuncs_restarts_exactly_at_dyadic_cycle_starts(T, m, backend):
    """At every exact integer cycle start (dyadic ``m``: exact in floats) lrfuncs is at the new peak."""
    hits = [(i, int(s)) for i, s in cycle_starts(T, m, 2000) if s.denominator == 1]
    assert len(hits) >= 2
    steps = np.array([s for _, s in hits])
    ours = evaluate(backend, lrfuncs.cosine_restarts, steps, peak_lr=2.0, cycle_steps=T, cycle_mult=m, peak_decay=0.9)
    assert_lr_close(ours, 2.0 * 0.9 ** np.array([i for i, _ in hits]), peak=2.0)


@pytest.mark.parametrize(("T", "m"), [(7, 0.7), (14, 0.7), (7, 1.3), (28, 1.3), (7, 2.2)])
@pytest.mark.parametrize("backend", BACKENDS)
def test_first_restart_with_non_dyadic_cycle_mult(T, m, backend):
    sched, _ = timm_scheduler(1.0, T=T, m=m)
    ref = timm_values(sched, [T - 1, T, T + 1])
    assert ref[1] == 1.0  # timm restarts at u = T
    ours = evaluate(backend, lrfuncs.cosine_restarts, np.array([T - 1, T, T + 1]), peak_lr=1.0, cycle_steps=T,
                    cycle_mult=m)
    assert_lr_close(ours, ref)


@pytest.mark.parametrize(("T", "m"), [(8, 0.5), (1, 0.5), (3, 0.75)])
@pytest.mark.parametrize("backend", BACKENDS)
def test_end_of_all_shrinking_cycles(T, m, backend):
    total = int(T / (1 - m))
    assert Fraction(T) / (1 - Fraction(m)) == total
    sched, _ = timm_scheduler(1.0, T=T, m=m, lr_min=0.1)
    with pytest.raises(ValueError, match="math domain error"):
        sched._get_lr(total)
    ours = evaluate(backend, lrfuncs.cosine_restarts, np.array([total, total + 1]), peak_lr=1.0, cycle_steps=T,
                    cycle_mult=m, min_lr=0.1)
    assert_lr_close(ours, [0.1, 0.1])


def test_shrinking_cycles_end_where_timm_raises():
    """``cycle_mul=0.5, t_initial=8``: the cycles 8, 4, 2, 1, 0.5, ... sum to 16; from there timm's
    log raises even with ``cycle_limit`` over, lrfuncs holds the floor."""
    sched, _ = timm_scheduler(1.0, T=8, m=0.5, lr_min=0.1, limit=3)
    for t in (16, 17, 40):
        with pytest.raises(ValueError, match="math domain error"):
            sched._get_lr(t)
    ref = timm_values(sched, np.arange(16))
    for backend in BACKENDS:
        ours = evaluate(backend, lrfuncs.cosine_restarts, np.arange(20), peak_lr=1.0, cycle_steps=8, cycle_mult=0.5,
                        min_lr=0.1, max_cycles=3)
        assert_lr_close(ours[:16], ref)
        assert_lr_close(ours[14:], np.full(6, 0.1))  # cycle 3 starts at 14: over by max_cycles


# ---------------------------------------------------------------------------------------------------------------------
# golden numbers (anchors.md section 3, peak 1.0, computed by running timm); 5 significant digits there

GOLD = dict(rtol=5e-5, atol=5e-6)


def _golden(steps, gold, timm_kwargs, **config):
    sched, opt = timm_scheduler(1.0, **timm_kwargs)
    ref = timm_values(sched, steps)
    np.testing.assert_array_equal(timm_stepped(sched, opt, steps), ref)  # step(t) writes _get_lr(t)
    np.testing.assert_allclose(ref, gold, **GOLD)
    for backend in BACKENDS:
        assert_lr_close(evaluate(backend, lrfuncs.cosine_restarts, np.asarray(steps), peak_lr=1.0, **config), ref)


def test_golden_3_9_warm_restarts():
    gold = [1, 0.85355, 0.5, 0.14645, 1, 0.96194, 0.85355, 0.69134, 0.5, 0.30866, 0.14645, 0.03806, 1, 0.99039]
    _golden(range(14), gold, dict(T=4, m=2.0, limit=3), cycle_steps=4, cycle_mult=2, max_cycles=3)


def test_golden_3_9_default_cycle_limit_is_one_cycle():
    gold = [1, 0.85355, 0.5, 0.14645, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert inspect.signature(CosineLRScheduler).parameters["cycle_limit"].default == 1
    sched, _ = timm_scheduler(1.0, T=4, m=2.0, limit=1)
    _golden(range(14), gold, dict(T=4, m=2.0, limit=1), cycle_steps=4, cycle_mult=2, max_cycles=1)
    # lrfuncs' default is unlimited: it restarts where timm's default does not
    assert lrfuncs.cosine_restarts(4, peak_lr=1.0, cycle_steps=4, cycle_mult=2) == 1.0
    assert sched._get_lr(4) == [0.0]


def test_golden_3_1_cosine_holds_past_the_end():
    gold = [1, 0.97553, 0.90451, 0.79389, 0.65451, 0.5, 0.34549, 0.20611, 0.095492, 0.024472, 0, 0, 0, 0, 0, 0]
    _golden(range(16), gold, dict(T=10, limit=1), cycle_steps=10, max_cycles=1)


def test_golden_3_3_prefix_warmup():
    """timm ``Cosine(t_initial=7, warmup_t=3, warmup_prefix=True)`` is optax's ``warmup_cosine_decay(0, 1, 3, 10)``."""
    gold = [0, 0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0]
    _golden(range(12), gold, dict(T=7, limit=1, W=3), cycle_steps=7, max_cycles=1, warmup_steps=3, init_lr=0.0)
    ours = [lrfuncs.warmup_cosine(t, peak_lr=1.0, warmup_steps=3, total_steps=10, init_lr=0.0) for t in range(12)]
    np.testing.assert_allclose(ours, gold, **GOLD)


def test_non_integer_and_shrinking_cycle_mult_golden():
    """``cycle_mul`` 1.5 (cycles 4, 6, 9) and 0.5 (cycles 8, 4, 2, 1): restarts at 4, 10, 19 / 8, 12, 14, 15."""
    for T, m, starts in [(4, 1.5, [4, 10, 19]), (8, 0.5, [8, 12, 14, 15])]:
        sched, _ = timm_scheduler(1.0, T=T, m=m, decay=0.5)
        ref = timm_values(sched, np.arange(starts[-1] + 1))
        np.testing.assert_allclose(ref[starts], 0.5 ** np.arange(1, len(starts) + 1), rtol=1e-15)
        for backend in BACKENDS:
            ours = evaluate(backend, lrfuncs.cosine_restarts, np.arange(starts[-1] + 1), peak_lr=1.0, cycle_steps=T,
                            cycle_mult=m, peak_decay=0.5)
            assert_lr_close(ours, ref)


# ---------------------------------------------------------------------------------------------------------------------
# bad input


def test_both_reject_a_cycle_of_length_zero():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    with pytest.raises(AssertionError):
        CosineLRScheduler(opt, t_initial=0)
    with pytest.raises(ValueError, match=r"Argument `cycle_steps` must be > 0\. Received: cycle_steps=0"):
        lrfuncs.cosine_restarts(0, peak_lr=1.0, cycle_steps=0)


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        (dict(max_cycles=0), ValueError, r"Argument `max_cycles` must be >= 1"),
        (dict(max_cycles=1.5), ValueError, r"Argument `max_cycles` must be a whole number"),
        (dict(peak_decay=0.0), ValueError, r"Argument `peak_decay` must be in \(0, 1\]"),
        (dict(peak_decay=1.5), ValueError, r"Argument `peak_decay` must be in \(0, 1\]"),
        (dict(cycle_mult=0.0), ValueError, r"Argument `cycle_mult` must be > 0"),
        (dict(min_lr=-0.1), ValueError, r"Argument `min_lr` must be >= 0"),
        (dict(warmup_steps=-1), ValueError, r"Argument `warmup_steps` must be >= 0"),
        (dict(cycle_warmup_steps=4), ValueError, r"Argument `cycle_warmup_steps` must be < `cycle_steps`"),
        (dict(cycle_warmup_steps=1, cycle_mult=0.5), ValueError, r"needs `cycle_mult` >= 1"),
        (dict(max_cycles="3"), TypeError, r"Argument `max_cycles` must be a number"),
        (dict(cycle_limit=3), TypeError, r"unexpected keyword argument `cycle_limit`"),
    ],
)
def test_cosine_restarts_rejects_bad_config(config, error, match):
    with pytest.raises(error, match=match):
        lrfuncs.cosine_restarts(0, **(dict(peak_lr=1.0, cycle_steps=4) | config))
