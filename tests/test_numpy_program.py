"""The numpy curve's in-place programs (lrfuncs/backends/_numpy_program.py) give exactly the kernel's values.

A bound schedule's numpy curve runs its kernel traced once, split into segments at the steps
where its phase conditions flip, and written out as in-place numpy code per segment. These
tests compare those programs with the kernel evaluated through the numpy operations, value for
value (``==``: only the sign of a zero may differ), on hypothesis-drawn configs of every
registered schedule, on windows around every landmark, at the segment boundaries the programs
found, and at giant steps; and they check the pieces that make this safe: the segments, the
fallbacks, the build-on-second-use policy, and the self-check against the kernel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_backends import SCHEDULES, cases

import lrfuncs
from lrfuncs._dispatch import _NumpyOps
from lrfuncs.backends import _numpy_program as P
from lrfuncs.backends import numpy as npb

OPS = _NumpyOps.instance()


def kernel_values(s: lrfuncs.Schedule, steps: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(s._kernel(OPS, steps.astype(np.float64), *s._args), float), steps.shape)


def program_values(program: P.Program, first: int, n: int, chunk: int = 1 << 14) -> np.ndarray:
    out = np.empty(n)
    with np.errstate(all="ignore"):
        program.write(out, first, chunk)
    return out


def assert_same(got: np.ndarray, want: np.ndarray, context: Any) -> None:
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    assert same.all(), (context, np.flatnonzero(~same)[:5], got[~same][:5], want[~same][:5])


def windows(s: lrfuncs.Schedule, program: P.Program) -> list[tuple[int, int]]:
    """(first, n) windows: the start, around every landmark and segment boundary, and giant steps."""
    points = {0, 10**12, 2**53 - 64}
    points.update(math.floor(x) for _, x in s.landmarks() if 0 <= x < 2**52)
    points.update(seg.first for seg in program.segments if seg.first < 2**52)
    return sorted((max(0, p - 3), 8) for p in points)


@pytest.mark.parametrize("name", SCHEDULES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_program_equals_kernel(name: str, data: st.DataObject) -> None:
    cfg, _ = data.draw(cases(name))
    s = lrfuncs.get_schedule(name).bind(**cfg)
    program = P.build(s._kernel, s._args)
    assert program is not None, f"{name}: no in-place program (untraceable, or it disagreed with the kernel)"
    firsts = [seg.first for seg in program.segments]
    assert firsts[0] == 0
    assert firsts == sorted(firsts)
    assert all(a.last + 1 == b.first for a, b in zip(program.segments, program.segments[1:], strict=False))
    assert program.segments[-1].last == P.MAX_STEP - 1
    for first, n in windows(s, program):
        steps = np.arange(first, first + n)
        assert_same(program_values(program, first, n), kernel_values(s, steps), (name, cfg, first))
    # a whole curve through the adapter, in odd-sized chunks crossing the segments
    end = min(2 * max([1.0, *(x for _, x in s.landmarks() if x < 1e6)]), 5e4)
    n = int(end) + 7
    got = npb.curve(s, n, chunk_size=97) if n >= npb.BUILD_AT else program_values(program, 0, n, 97)
    assert_same(got, kernel_values(s, np.arange(n)), (name, cfg, "curve"))


def test_segments_are_the_kernels_own_boundaries() -> None:
    """torch's one-cycle phases end at pct_start * N - 1, a fractional step: the segments split where t <= p1 flips."""
    s = lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=1000, pct_start=0.3337)
    program = P.build(s._kernel, s._args)
    assert program is not None
    bounds = [(seg.first, seg.last) for seg in program.segments]
    p1 = 0.3337 * 1000 - 1  # 332.7: step 332 is in phase 1, step 333 in phase 2
    assert bounds == [(0, math.floor(p1)), (math.floor(p1) + 1, 999), (1000, P.MAX_STEP - 1)]
    assert program.segments[-1].fill is not None  # past the end: a fill, no arithmetic
    assert all(seg.run is not None for seg in program.segments[:2])
    assert "_where" not in "".join(seg.source for seg in program.segments)  # every phase selection folded away


def test_warmup_cosine_program_reads_like_the_formula() -> None:
    s = lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=10, total_steps=100, init_lr=0.0, min_lr=0.0)
    program = P.build(s._kernel, s._args)
    assert program is not None
    warm, decay, past = program.segments
    assert (warm.first, warm.last, decay.first, decay.last, past.first) == (0, 9, 10, 100, 101)
    assert "_cos" not in warm.source
    assert "_cos" in decay.source
    assert "_clip" not in decay.source
    assert "_copyto" not in decay.source
    assert "lo - k0" in decay.source  # t - warmup_steps computed from the step index in one operation
    assert past.fill == 0.0


def test_conditions_that_are_not_monotone_stay_as_where() -> None:
    """A cyclic schedule's phase depends on the position in the cycle: one segment, the where kept."""
    s = lrfuncs.cyclic.bind(peak_lr=1.0, min_lr=0.1, up_steps=5)
    program = P.build(s._kernel, s._args)
    assert program is not None
    assert len(program.segments) == 1
    assert_same(program_values(program, 0, 200), kernel_values(s, np.arange(200)), "cyclic")


def test_segment_budget() -> None:
    """Past MAX_SEGMENTS phase changes, the remaining conditions stay in the code: the values do not change."""
    bounds = tuple(range(10, 10 * (P.MAX_SEGMENTS + 20), 10))
    s = lrfuncs.piecewise_constant.bind(boundaries=bounds, values=tuple(float(i) for i in range(len(bounds) + 1)))
    program = P.build(s._kernel, s._args)
    assert program is not None
    assert len(program.segments) <= P.MAX_SEGMENTS
    n = bounds[-1] + 20
    assert_same(program_values(program, 0, n, 13), kernel_values(s, np.arange(n)), "piecewise")


def test_untraceable_kernel_has_no_program_and_the_curve_uses_the_kernel() -> None:
    def kernel(xp: Any, t: Any, /, peak_lr: Any) -> Any:
        return peak_lr * np.asarray(t)  # needs the concrete step

    assert P.build(kernel, (1.0,)) is None


def test_a_program_that_disagrees_with_its_kernel_is_refused() -> None:
    a = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=100)
    b = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=101)
    program = P.build(a._kernel, a._args)
    assert program is not None
    assert P._agrees(program, a._kernel, a._args)
    assert not P._agrees(program, b._kernel, b._args)


def test_short_curves_build_the_program_on_second_use() -> None:
    npb._PROGRAMS.clear()
    npb._SEEN.clear()
    s = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=12345)
    first = npb.curve(s, 100)
    assert s not in npb._PROGRAMS  # one short curve: the kernel, no build
    second = npb.curve(lrfuncs.cosine_decay, 100, peak_lr=1.0, total_steps=12345)  # an equal schedule
    assert npb._PROGRAMS.get(s) is not None
    np.testing.assert_array_equal(first, second)
    long = lrfuncs.cosine_decay.bind(peak_lr=2.0, total_steps=12345)
    npb.curve(long, npb.BUILD_AT)
    assert npb._PROGRAMS.get(long) is not None  # a long curve builds at once


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_curve_into_views_and_other_dtypes(dtype: Any) -> None:
    s = lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=500)
    npb.curve(s, 600)
    npb.curve(s, 600)  # the program is built
    want = kernel_values(s, np.arange(3, 603)).astype(dtype)
    np.testing.assert_array_equal(npb.curve(s, 600, start=3, dtype=dtype, chunk_size=64), want)
    backing = np.zeros(1200, dtype=dtype)
    view = backing[::2]  # not contiguous: written through a scratch buffer
    npb.curve(s, 600, start=3, out=view, chunk_size=50)
    np.testing.assert_array_equal(view, want)
    assert (backing[1::2] == 0).all()


def test_a_sweep_of_one_config_runs_that_configs_program() -> None:
    npb._PROGRAMS.clear()
    peak = np.array([[0.5]])
    kw = {"warmup_steps": 20, "total_steps": 1000}
    want = lrfuncs.warmup_cosine(np.arange(1000), peak_lr=peak, **kw)
    for _ in range(2):
        got = npb.curve(lrfuncs.warmup_cosine, 1000, peak_lr=peak, **kw)
        assert got.shape == (1, 1000)
        np.testing.assert_array_equal(got, want)
    assert npb._PROGRAMS.get(lrfuncs.warmup_cosine.bind(peak_lr=0.5, **kw)) is not None
    peak[0, 0] = 0.25  # changed in place: the next sweep sees it
    again = lrfuncs.warmup_cosine(np.arange(1000), peak_lr=peak, **kw)
    np.testing.assert_array_equal(npb.curve(lrfuncs.warmup_cosine, 1000, peak_lr=peak, **kw), again)
    out = np.zeros((1, 2000))[:, ::2]
    npb.curve(lrfuncs.warmup_cosine, 1000, peak_lr=peak, out=out, **kw)
    np.testing.assert_array_equal(out, 0.5 * want)


def test_a_float32_sweep_of_one_keeps_float32_config_arithmetic() -> None:
    peak = np.array([[0.1]], dtype=np.float32)
    kw = {"warmup_steps": 20, "total_steps": 1000, "min_lr": 0.01}
    want = lrfuncs.warmup_cosine(np.arange(1000), peak_lr=peak, **kw)
    for _ in range(2):
        np.testing.assert_array_equal(npb.curve(lrfuncs.warmup_cosine, 1000, peak_lr=peak, **kw), want)


@pytest.mark.parametrize(
    ("cfg", "period"),
    [
        ({"cycle_steps": 100}, 100),  # equal cycles: periodic from step 0
        ({"cycle_steps": 64, "warmup_steps": 10}, 64),  # after the warmup, rem(t - 10, 64)
        ({"cycle_steps": 100, "peak_decay": 0.5}, None),  # decaying peaks: not periodic
        ({"cycle_steps": 100, "cycle_mult": 2}, None),  # growing cycles: not periodic
    ],
)
def test_periodic_segments_compute_one_period_and_copy_it(cfg: dict[str, Any], period: int | None) -> None:
    s = lrfuncs.cosine_restarts.bind(peak_lr=1.0, min_lr=0.01, **cfg)
    program = P.build(s._kernel, s._args)
    assert program is not None
    assert program.segments[-1].period == period
    for first, n, chunk in [(0, 1000, 1 << 14), (7, 2345, 64), (10**12, 999, 50)]:
        want = kernel_values(s, np.arange(first, first + n))
        assert_same(program_values(program, first, n, chunk), want, (cfg, first, n))
        narrow = np.empty(n, dtype=np.float32)  # not float64: computed chunk by chunk, no copies
        with np.errstate(all="ignore"):
            program.write(narrow, first, chunk)
        np.testing.assert_array_equal(narrow, want.astype(np.float32))


def test_repeat_doubles_the_period() -> None:
    values = np.zeros(23)
    values[:5] = np.arange(5)
    P._repeat(values, 5)
    np.testing.assert_array_equal(values, np.arange(23) % 5)


def test_threads_share_a_program_not_its_scratch_buffers() -> None:
    """Short curves reuse their program's scratch buffers; concurrent calls each get their own."""
    from concurrent.futures import ThreadPoolExecutor

    s = lrfuncs.onecycle.bind(peak_lr=1.0, total_steps=2000)
    program = P.build(s._kernel, s._args)
    assert program is not None
    sizes = [500, 1000, 3000, 1000, 7]
    want = {n: kernel_values(s, np.arange(3, 3 + n)) for n in set(sizes)}

    def work(i: int) -> bool:
        n = sizes[i % len(sizes)]
        return bool(np.array_equal(program_values(program, 3, n), want[n]))

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(400)))
    assert all(kept <= P._KEEP_SCRATCH for kept, _, _ in program._scratch)
