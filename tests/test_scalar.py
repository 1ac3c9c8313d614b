"""The scalar specialisation (lrfuncs/_scalar.py) gives exactly the kernel's values, for every schedule.

A bound schedule called with a Python number runs its kernel traced once into a plain Python
function. These tests compare that function with the kernel evaluated through the ``math``
operations, bit for bit, on hypothesis-drawn configs of every registered schedule (composites
included) at their phase boundaries, fractional steps and giant steps.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_backends import SCHEDULES, cases

import lrfuncs
from lrfuncs._dispatch import python_ops
from lrfuncs._scalar import specialise


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("name", SCHEDULES)
@settings(max_examples=30)
@given(data=st.data())
def test_specialised_equals_kernel_bit_for_bit(name: str, data: st.DataObject) -> None:
    fn = lrfuncs.get_schedule(name)
    cfg, steps = data.draw(cases(name))
    s = fn.bind(**cfg)
    special = specialise(s._kernel, s._args)
    assert special is not None, f"{name} is not traceable: it branches on the step in Python"
    py_steps = [int(t) if steps.dtype.kind == "i" else float(t) for t in steps] + [10**12, 2**53 - 1, 1e15 + 0.5]
    for t in py_steps:
        try:
            want = s._kernel(python_ops, t, *s._args)
        except ArithmeticError as e:  # e.g. unbounded exponential growth at a giant step: the same error
            with pytest.raises(type(e)):
                special(t)
            continue
        got = special(t)
        assert _same(float(got), float(want)), (name, t, got, want)
        assert s(t) == float(want) or _same(s(t), float(want))
        assert s(t).__class__ is float, (name, t, type(s(t)))  # a Python float for int steps too


def test_untraceable_kernel_keeps_the_generic_path() -> None:
    def kernel(xp: Any, t: Any, /, peak_lr: Any) -> Any:
        return peak_lr if t < 3 else 0.5 * peak_lr  # a Python branch on the step

    assert specialise(kernel, (1.0,)) is None


def test_constant_kernel() -> None:
    def kernel(xp: Any, t: Any, /, peak_lr: Any) -> Any:
        return peak_lr

    f = specialise(kernel, (0.25,))
    assert f is not None
    assert f(7) == 0.25


def test_specialised_source_is_readable_and_cached() -> None:
    s = lrfuncs.warmup_cosine.bind(peak_lr=1.0, warmup_steps=10, total_steps=100)
    assert s(5) == s._kernel(python_ops, 5, *s._args)
    first = s._scalar
    assert first is not None
    assert "def _specialised(t):" in (first.__doc__ or "")
    s(6)
    assert s._scalar is first  # traced once per bound schedule


def test_a_kernel_that_fails_on_a_symbolic_step_keeps_the_generic_path() -> None:
    def kernel(xp: Any, t: Any, /, peak_lr: Any) -> Any:
        return peak_lr * t.real  # an attribute the tracer does not have

    assert specialise(kernel, (1.0,)) is None


def test_int_results_become_floats() -> None:
    """A kernel whose arithmetic stays in ints for an int step (whole-number config) still returns floats."""

    def kernel(xp: Any, t: Any, /, a: Any) -> Any:
        return t * a + 1

    f = specialise(kernel, (2,))
    assert f is not None
    assert "float(" in (f.__doc__ or "")
    assert f(3) == 7.0
    assert f(3).__class__ is float
    constant = lrfuncs.constant.bind(peak_lr=2)
    assert constant(5) == 2.0
    assert constant(5).__class__ is float


def test_remainder_by_a_constant_is_the_modulo_operator() -> None:
    """rem(t, c) with a constant c > 0 is written ``t % c`` (IEEE fmod there, cheaper than math.fmod)."""
    s = lrfuncs.cosine_restarts.bind(peak_lr=1.0, cycle_steps=7)
    s(1)
    assert "% (7.0)" in (s._scalar.__doc__ or "")
    for t in [0, 6, 7, 8, 2**53 - 1, 10**15 + 3, 6.5, 7.0]:
        assert s(t) == s._kernel(python_ops, float(t), *s._args)
