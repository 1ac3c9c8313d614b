"""``piecewise_constant`` and ``piecewise_interpolate`` against optax, keras and torch.

Anchors, each run for real (JAX with x64 from conftest, keras on JAX in float64):

* optax ``piecewise_constant_schedule(init, {b: scale})`` on an int64 ``arange`` (vectorised)
  == ``piecewise_constant(boundaries=sorted(b), values=init * cumprod([1, *scales]))``;
* keras ``PiecewiseConstantDecay(boundaries, values)`` == ``piecewise_constant(..., switch="after")``
  (the boundary step keeps the earlier value), on float64 steps (fractional steps too);
* torch ``MultiStepLR(milestones, gamma)`` stepped with a real SGD == ``piecewise_constant`` with
  ``values = [lr * gamma**i]`` at the sorted milestones;
* optax ``piecewise_interpolate_schedule(type, init, {b: scale})`` under ``jax.vmap`` (it is only
  correct per scalar, anchors.md 3.14) == ``piecewise_interpolate(boundaries=[0, *sorted(b)],
  values=init * cumprod([1, *scales]))``; optax's own array call is shown to be wrong where lrfuncs
  is right.

The ``values = init * cumprod(...)`` conversion is the documented compat mapping (optax multiplies
the same numbers in the same order, so the values agree bit for bit), not optax's formula.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np
import optax
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import given, settings
from hypothesis import strategies as st

import lrfuncs

#: One step grid for every example (JAX compiles its eager ops once per shape); boundaries are <= 100.
STEPS = np.arange(128)
FEW = min(settings.default.max_examples, 20)

inits = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 10.0)
scales = st.sampled_from([0.1, 0.5, 1.0, 2.0, 0.0]) | st.floats(0.0, 3.0)


@st.composite
def boundaries_and_scales(draw: Any, min_size: int = 0) -> dict[int, float]:
    bs = draw(st.lists(st.integers(0, 100), min_size=min_size, max_size=6, unique=True))
    return {b: draw(scales) for b in bs}


def _absolute(init: float, bands: dict[int, float]) -> tuple[list[int], list[float]]:
    """The compat mapping: sorted boundaries, values = init * cumprod([1, *scales])."""
    bs = sorted(bands)
    return bs, (init * np.cumprod([1.0, *(bands[b] for b in bs)])).tolist()


@pytest.fixture
def keras_float64() -> Any:
    """keras computing in float64 for the duration of a test (restored after)."""
    old = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield keras
    keras.config.set_floatx(old)


# ---------------------------------------------------------------------------------------------------------------------
# piecewise_constant


def test_piecewise_constant_equals_optax(backend: str) -> None:
    @per_backend(backend, init=inits, bands=boundaries_and_scales())
    def check(init: float, bands: dict[int, float]) -> None:
        ref = np.asarray(optax.piecewise_constant_schedule(init, bands)(jnp.asarray(STEPS, dtype=jnp.int64)))
        ref = np.broadcast_to(ref, STEPS.shape)  # without boundaries optax returns init_value itself
        bs, vs = _absolute(init, bands)
        assert_lr_close(evaluate(backend, lrfuncs.piecewise_constant, STEPS, boundaries=bs, values=vs), ref,
                        peak=init)

    check()


#: float steps with fractional parts: keras compares in the step's dtype
KERAS_STEPS = np.sort(np.concatenate([np.arange(100.0), np.arange(100.0) + 0.5, [1e6]]))[:128]


def test_piecewise_constant_after_equals_keras(backend: str, keras_float64: Any) -> None:
    @per_backend(
        backend,
        bs=st.lists(st.integers(0, 60) | st.floats(0.0, 60.0), min_size=1, max_size=5).map(sorted),
        data=st.data(),
    )
    def check(bs: list[float], data: st.DataObject) -> None:
        vs = data.draw(st.lists(inits | st.just(0.0), min_size=len(bs) + 1, max_size=len(bs) + 1))
        ref = keras_float64.optimizers.schedules.PiecewiseConstantDecay(bs, vs)(jnp.asarray(KERAS_STEPS))
        assert ref.dtype == jnp.float64
        ours = evaluate(backend, lrfuncs.piecewise_constant, KERAS_STEPS, boundaries=bs, values=vs, switch="after")
        assert_lr_close(ours, np.asarray(ref), peak=max(vs))

    check()


def test_keras_really_computes_in_float64(keras_float64: Any) -> None:
    out = keras_float64.optimizers.schedules.PiecewiseConstantDecay([3], [0.1, 0.01])(jnp.asarray([2.0, 5.0]))
    assert out.dtype == jnp.float64
    assert out.tolist() == [0.1, 0.01]  # the float64 numbers, not float32 roundings


@settings(max_examples=FEW)
@given(
    lr=inits,
    milestones=st.lists(st.integers(0, 40), max_size=5),
    gamma=st.sampled_from([0.1, 0.5]) | st.floats(0.01, 1.0),
)
def test_piecewise_constant_equals_torch_multistep(lr: float, milestones: list[int], gamma: float) -> None:
    """The mapping of MultiStepLR: value i = lr * gamma**i from the i-th sorted milestone on (repeats too)."""
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    opt = torch.optim.SGD([p], lr=lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=gamma)
    ref = []
    for _ in range(50):
        ref.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    bs = sorted(milestones)
    vs = [lr * gamma**i for i in range(len(bs) + 1)]
    assert_lr_close(lrfuncs.piecewise_constant(np.arange(50), boundaries=bs, values=vs), ref, peak=lr)


@pytest.mark.parametrize("backend", BACKENDS)
def test_switch_conventions_golden(backend: str) -> None:
    """anchors.md 3.6: boundary 3, factor 0.1: optax/torch at 3, keras at 4."""
    steps = np.arange(6)
    at = evaluate(backend, lrfuncs.piecewise_constant, steps, boundaries=[3], values=[1.0, 0.1])
    after = evaluate(backend, lrfuncs.piecewise_constant, steps, boundaries=[3], values=[1.0, 0.1], switch="after")
    np.testing.assert_array_equal(at, [1, 1, 1, 0.1, 0.1, 0.1])
    np.testing.assert_array_equal(after, [1, 1, 1, 1, 0.1, 0.1])


def test_repeated_boundary_skips_the_value_between() -> None:
    s = lrfuncs.piecewise_constant.bind(boundaries=[2, 2, 4], values=[1.0, 0.5, 0.25, 0.125])
    assert [s(t) for t in range(6)] == [1.0, 1.0, 0.25, 0.25, 0.125, 0.125]
    after = s.replace(switch="after")
    assert [after(t) for t in range(6)] == [1.0, 1.0, 1.0, 0.25, 0.25, 0.125]
    assert s.landmarks() == [("switch", 2.0), ("switch", 2.0), ("switch", 4.0)]
    assert s.horizon is None
    only = lrfuncs.piecewise_constant.bind(boundaries=[], values=[0.3])
    assert only(0) == only(10**9) == 0.3
    np.testing.assert_array_equal(only(np.arange(3)), [0.3, 0.3, 0.3])


# ---------------------------------------------------------------------------------------------------------------------
# piecewise_interpolate


@settings(max_examples=min(settings.default.max_examples, 30))
@given(init=inits, bands=boundaries_and_scales(), kind=st.sampled_from(["linear", "cosine"]))
def test_piecewise_interpolate_equals_optax_per_scalar(init: float, bands: dict[int, float], kind: str) -> None:
    """Every backend per example: optax under ``jax.vmap`` traces anew for every config (the slow part)."""
    sched = optax.piecewise_interpolate_schedule(kind, init, bands)
    ref = np.asarray(jax.vmap(sched)(jnp.asarray(STEPS, dtype=jnp.int64)))
    bs, vs = _absolute(init, bands)
    for backend in BACKENDS:
        ours = evaluate(
            backend, lrfuncs.piecewise_interpolate, STEPS, boundaries=[0, *bs], values=vs, interpolation=kind
        )
        assert_lr_close(ours, ref, peak=max(vs))


def test_optax_golden_docstring_example() -> None:
    """optax's docstring: cosine, init 1, {4: 0.1, 8: 0.01} -> 1, 0.55, 0.1, 0.0505, 0.001, 0.001."""
    out = lrfuncs.piecewise_interpolate(np.arange(0, 11, 2), boundaries=[0, 4, 8], values=[1.0, 0.1, 0.001],
                                        interpolation="cosine")
    assert_lr_close(out, [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001])


def test_optax_array_call_is_wrong_where_lrfuncs_is_right() -> None:
    """anchors.md 3.14: optax's schedule broadcasts a count array against its segments.

    With as many counts as segments the shapes line up and optax silently returns the wrong
    numbers; per scalar (``jax.vmap``) it is right, and lrfuncs equals that on arrays.
    """
    sched = optax.piecewise_interpolate_schedule("linear", 1.0, {4: 0.1, 8: 0.01})
    counts = jnp.asarray([2, 6])
    per_scalar = np.asarray(jax.vmap(sched)(counts))
    array_call = np.asarray(sched(counts))
    assert_lr_close(per_scalar, [0.55, 0.0505])
    assert not np.allclose(array_call, per_scalar)  # optax: [0.6005, 0.6005]
    for backend in BACKENDS:
        ours = evaluate(backend, lrfuncs.piecewise_interpolate, np.array(counts), boundaries=[0, 4, 8],
                        values=[1.0, 0.1, 0.001])
        assert_lr_close(ours, per_scalar)


def test_repeated_knots_jump_like_optax_boundary_zero() -> None:
    """optax's ``{0: s}`` is a repeated knot at 0: the scaled value from step 0; lrfuncs agrees."""
    sched = optax.piecewise_interpolate_schedule("linear", 2.0, {0: 0.5, 10: 0.1})
    ref = np.asarray(jax.vmap(sched)(jnp.arange(15)))
    ours = lrfuncs.piecewise_interpolate(np.arange(15), boundaries=[0, 0, 10], values=[2.0, 1.0, 0.1])
    assert_lr_close(ours, ref)
    # a jump in the middle: at the shared step the later value applies
    s = lrfuncs.piecewise_interpolate.bind(boundaries=[0, 4, 4, 8], values=[0.0, 1.0, 0.5, 0.1])
    assert [s(t) for t in (3, 4, 6, 8, 9)] == pytest.approx([0.75, 0.5, 0.3, 0.1, 0.1])
    assert s.landmarks() == [("knot 0", 0.0), ("knot 1", 4.0), ("knot 2", 4.0), ("end", 8.0)]
    assert s.horizon == 8.0


def test_gap_shorter_than_a_step_differs_from_optax_deliberately() -> None:
    """optax divides by ``max(gap, 1)``: a piece shorter than a step never reaches its next knot.

    Whole steps agree (the knot is passed between two steps); at a fractional step inside the
    short piece lrfuncs interpolates over the real gap.
    """
    sched = optax.piecewise_interpolate_schedule("linear", 1.0, {0.5: 0.0})
    ours = lrfuncs.piecewise_interpolate.bind(boundaries=[0, 0.5], values=[1.0, 0.0])
    for t in (0, 1, 2):
        assert ours(t) == float(sched(t))
    assert ours(0.25) == 0.5
    assert float(sched(0.25)) == 0.75


def test_values_array_sweep() -> None:
    """``values`` of shape (n, K, 1): K curves at once, equal to K separate calls."""
    vs = np.array([[[1.0], [2.0]], [[0.1], [0.4]], [[0.01], [0.05]]])  # n=3, K=2
    out = lrfuncs.piecewise_interpolate(STEPS[:20], boundaries=[0, 5, 15], values=vs, interpolation="cosine")
    assert out.shape == (2, 20)
    for k in range(2):
        one = lrfuncs.piecewise_interpolate(STEPS[:20], boundaries=[0, 5, 15], values=vs[:, k, 0].tolist(),
                                            interpolation="cosine")
        assert_lr_close(out[k], one)
    values = torch.tensor([0.3, 0.2, 0.1], dtype=torch.float64)
    pc = lrfuncs.piecewise_constant(torch.arange(10), boundaries=[3, 6], values=values)
    assert isinstance(pc, torch.Tensor)
    assert_lr_close(pc.numpy(), lrfuncs.piecewise_constant(np.arange(10), boundaries=[3, 6], values=[0.3, 0.2, 0.1]))


def test_jax_grad_wrt_values() -> None:
    """d lr / d values is the interpolation weight: finite, and summing to 1 inside the pieces."""
    bs = [0, 4, 4, 10]

    def lr(vs: Any, t: Any) -> Any:
        return lrfuncs.piecewise_interpolate(t, boundaries=bs, values=vs, interpolation="cosine")

    g = jax.vmap(jax.grad(lr), in_axes=(None, 0))(jnp.asarray([1.0, 0.5, 0.3, 0.1]), jnp.arange(0.0, 12.0, 0.5))
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(np.asarray(g).sum(axis=1), 1.0, rtol=1e-12)


# ---------------------------------------------------------------------------------------------------------------------
# bad config


@pytest.mark.parametrize(
    ("fn", "config", "error", "match"),
    [
        (lrfuncs.piecewise_constant, {"boundaries": [3], "values": [1.0]}, ValueError,
         r"Argument `values` must have one more entry than `boundaries`. Received: 1 values and 1 boundaries"),
        (lrfuncs.piecewise_constant, {"boundaries": [5, 3], "values": [1.0, 0.5, 0.1]}, ValueError,
         r"Argument `boundaries` must be sorted \(non-decreasing\). Received: boundaries=\[5, 3\]"),
        (lrfuncs.piecewise_constant, {"boundaries": [-1], "values": [1.0, 0.5]}, ValueError,
         r"Argument `boundaries` must hold finite numbers >= 0. Received: boundaries=\[-1\]"),
        (lrfuncs.piecewise_constant, {"boundaries": [float("inf")], "values": [1.0, 0.5]}, ValueError,
         r"`boundaries` must hold finite numbers >= 0"),
        (lrfuncs.piecewise_constant, {"boundaries": [2], "values": [1.0, -0.5]}, ValueError,
         r"Argument `values` must hold finite numbers >= 0. Received: values=\[1.0, -0.5\]"),
        (lrfuncs.piecewise_constant, {"boundaries": [2], "values": [1.0, float("nan")]}, ValueError,
         r"`values` must hold finite numbers >= 0"),
        (lrfuncs.piecewise_constant, {"boundaries": [2], "values": [1.0, 0.5], "switch": "before"}, ValueError,
         r"Argument `switch` must be one of 'at', 'after'. Received: switch='before'"),
        (lrfuncs.piecewise_constant, {"boundaries": 3, "values": [1.0, 0.5]}, TypeError,
         r"Argument `boundaries` must be a list or tuple of steps. Received: boundaries=3"),
        (lrfuncs.piecewise_constant, {"boundaries": [3], "values": "ab"}, TypeError,
         r"Argument `values` must be a list or tuple of numbers"),
        (lrfuncs.piecewise_constant, {"boundaries": [3], "values": np.array([1.0, 0.5, 0.1])}, ValueError,
         r"Argument `values` must have one more entry than `boundaries`. Received: 3 values"),
        (lrfuncs.piecewise_interpolate, {"boundaries": [], "values": []}, ValueError,
         r"Argument `boundaries` must hold at least one knot"),
        (lrfuncs.piecewise_interpolate, {"boundaries": [0, 5], "values": [1.0]}, ValueError,
         r"Argument `values` must have as many entries as `boundaries` \(one value per knot\). "
         r"Received: 1 values and 2 boundaries"),
        (lrfuncs.piecewise_interpolate, {"boundaries": [0, 5], "values": [1.0, 0.1], "interpolation": "cos"},
         ValueError, r"Argument `interpolation` must be one of 'linear', 'cosine'. Received: interpolation='cos'"),
        (lrfuncs.piecewise_interpolate, {"boundaries": [True], "values": [1.0]}, ValueError,
         r"`boundaries` must hold finite numbers >= 0"),
    ],
)
def test_bad_config(fn: Any, config: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        fn(0, **config)
    with pytest.raises(error, match=match):
        fn.bind(**config)
