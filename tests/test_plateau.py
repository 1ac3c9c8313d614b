"""Reduce-on-plateau (``lrfuncs.plateau``) against the real anchors, on every backend.

* torch: the real ``torch.optim.lr_scheduler.ReduceLROnPlateau`` stepped with a real optimizer (two param
  groups, ``min_lr`` float or per-group list) vs ``lrfuncs.backends.torch.ReduceLROnPlateau``: lr sequences
  identical (``==``); the pure ``Plateau`` (``rtol=threshold`` / ``atol=threshold``) through Python floats and
  ``plateau_replay`` gives the same values for one group.
* optax: the real ``optax.contrib.reduce_on_plateau`` (x64, jitted once per example) vs
  ``Plateau(convention="optax")`` (scale after each update, ``==``) and vs
  ``lrfuncs.backends.jax.reduce_on_plateau`` (identical scaled updates).
* keras: no keras here; golden sequences derived by hand from the callback's source semantics
  (anchors.md 1.5 / 3.8: cooldown counted down first, ``wait >= patience``, reduce only if ``old > min_lr``).
* jax: ``plateau_scan`` under ``jit`` == Python loop == ``plateau_replay`` for all conventions, per-group
  values, traced metrics, stable carry dtypes.
* state round trips (pickle, dict -> JSON, torch ``state_dict`` through ``torch.save``/``torch.load``), bad input.
"""

from __future__ import annotations

import io
import json
import math
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrfuncs.backends import jax as ljax
from lrfuncs.backends import numpy as lnp
from lrfuncs.backends import torch as ltorch
from lrfuncs.plateau import Plateau, PlateauState

jax.config.update("jax_enable_x64", True)

NAN, INF = math.nan, math.inf
#: a small set, so that streams repeat values (plateaus) and hit the threshold edges
METRIC_VALUES = [0.0, 0.5, 0.9999, 1.0, 1.0001, 1.1, 2.0, -1.0, NAN, INF, -INF]
FINITE_VALUES = [0.0, 0.5, 0.9999, 1.0, 1.0001, 1.1, 2.0, -1.0, 3.0]

streams = st.lists(st.sampled_from(METRIC_VALUES), min_size=1, max_size=40)
finite_streams = st.lists(st.sampled_from(FINITE_VALUES), min_size=1, max_size=40)


def _optimizer(lrs=(1.0, 0.3)) -> torch.optim.Optimizer:
    return torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs], lr=lrs[0])


def _python_loop(plateau: Plateau, metrics, value):
    state = plateau.init(value)
    out = []
    for m in metrics:
        state = plateau.update(state, m)
        out.append(state.value)
    return out, state


# ----------------------------------------------------------------------------------------------------------------
# 1. torch parity
# ----------------------------------------------------------------------------------------------------------------

torch_configs = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(["min", "max"]),
        "factor": st.sampled_from([0.1, 0.5, 0.9, 0.3333]),
        "patience": st.integers(0, 4),
        "threshold": st.sampled_from([0.0, 1e-4, 0.1, 0.5, 1.0]),
        "threshold_mode": st.sampled_from(["rel", "abs"]),
        "cooldown": st.integers(0, 3),
        "min_lr": st.one_of(
            st.sampled_from([0.0, 1e-3, 0.05, 0.5, 2.0]),
            st.lists(st.sampled_from([0.0, 1e-3, 0.05, 0.2]), min_size=2, max_size=2),
        ),
        "eps": st.sampled_from([0.0, 1e-8, 0.01, 0.3]),
    }
)


@settings(max_examples=40)
@given(cfg=torch_configs, metrics=streams, lrs=st.sampled_from([(1.0, 0.3), (0.1, 0.1), (0.01, 2.0)]))
def test_torch_parity(cfg, metrics, lrs):
    """Real torch ReduceLROnPlateau == lrfuncs adapter (both groups) == pure Plateau == plateau_replay (group 0)."""
    opt_t, opt_l = _optimizer(lrs), _optimizer(lrs)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **cfg)
    ours = ltorch.ReduceLROnPlateau(opt_l, **cfg)
    ref_lrs, our_lrs = [], []
    for m in metrics:
        ref.step(m)
        ours.step(m)
        ref_lrs.append(ref.get_last_lr())
        our_lrs.append(ours.get_last_lr())
        assert [g["lr"] for g in opt_l.param_groups] == [g["lr"] for g in opt_t.param_groups]
    assert our_lrs == ref_lrs, (cfg, metrics)
    assert ours.last_epoch == ref.last_epoch
    # torch's internal counters agree with the pure state
    assert int(ours.state.num_bad) == ref.num_bad_epochs
    assert int(ours.state.cooldown) == ref.cooldown_counter
    assert float(ours.state.best) == ref.best or (math.isnan(ref.best) and math.isnan(float(ours.state.best)))

    rel = cfg["threshold_mode"] == "rel"
    floor = cfg["min_lr"][0] if isinstance(cfg["min_lr"], list) else cfg["min_lr"]
    pure = Plateau(
        mode=cfg["mode"],
        factor=cfg["factor"],
        patience=cfg["patience"],
        rtol=cfg["threshold"] if rel else 0.0,
        atol=0.0 if rel else cfg["threshold"],
        cooldown=cfg["cooldown"],
        min_value=floor,
        eps=cfg["eps"],
    )
    values, _ = _python_loop(pure, metrics, lrs[0])
    assert all(type(x) is float for x in values)
    assert values == [r[0] for r in ref_lrs]
    assert lnp.plateau_replay(pure, metrics, lrs[0]).tolist() == values


def test_torch_parity_0d_tensor_metric():
    """torch takes ``float(metrics)``; so does the adapter (0-d tensors included)."""
    opt_t, opt_l = _optimizer(), _optimizer()
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, factor=0.5, patience=1)
    ours = ltorch.ReduceLROnPlateau(opt_l, factor=0.5, patience=1)
    for m in [3.0, 2.0, 2.0, 2.0, 2.0, 2.0]:
        ref.step(torch.tensor(m))
        ours.step(torch.tensor(m))
        assert ours.get_last_lr() == ref.get_last_lr()
    assert ref.get_last_lr() == [0.25, 0.075]


def test_torch_tensor_lr_groups():
    """Param groups holding a tensor lr (torch's capturable/compiled recipe) are filled in place, like torch."""
    def opt():
        return torch.optim.Adam([{"params": [torch.zeros(2, requires_grad=True)], "lr": torch.tensor(0.1)}])

    opt_t, opt_l = opt(), opt()
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, factor=0.5, patience=0)
    ours = ltorch.ReduceLROnPlateau(opt_l, factor=0.5, patience=0)
    for m in [1.0, 1.0, 1.0]:
        ref.step(m)
        ours.step(m)
    assert isinstance(opt_l.param_groups[0]["lr"], torch.Tensor)
    assert float(opt_l.param_groups[0]["lr"]) == float(opt_t.param_groups[0]["lr"])
    assert ours.get_last_lr() == [float(x) for x in ref.get_last_lr()]


# ----------------------------------------------------------------------------------------------------------------
# 2. optax parity
# ----------------------------------------------------------------------------------------------------------------

optax_configs = st.fixed_dictionaries(
    {
        "factor": st.sampled_from([0.1, 0.5, 0.9]),
        "patience": st.integers(0, 4),
        "rtol": st.sampled_from([0.0, 1e-4, 0.1, 1.0]),
        "atol": st.sampled_from([0.0, 1e-3, 0.5]),
        "cooldown": st.integers(0, 3),
        "accumulation_size": st.integers(1, 3),
        "min_scale": st.sampled_from([0.0, 0.01, 0.3]),
    }
).filter(lambda c: c["rtol"] != 0.0 or c["atol"] != 0.0)


@settings(max_examples=15)
@given(cfg=optax_configs, metrics=streams)
def test_optax_parity(cfg, metrics):
    """Real optax.contrib.reduce_on_plateau: scale == Plateau(convention='optax') value; same scaled updates."""
    tx = optax.contrib.reduce_on_plateau(**cfg)
    kw = dict(cfg)
    kw["min_value"] = kw.pop("min_scale")
    plateau = Plateau(convention="optax", **kw)
    ours_tx = ljax.reduce_on_plateau(plateau)

    params = {"w": jnp.asarray([1.0, -2.0, 3.0], dtype=jnp.float64)}
    grads = {"w": jnp.asarray([0.5, 0.25, -4.0], dtype=jnp.float64)}
    ref_update = jax.jit(lambda st_, m: tx.update(grads, st_, params, value=m))
    our_update = jax.jit(lambda st_, m: ours_tx.update(grads, st_, params, value=m))
    ref_state, our_state = tx.init(params), ours_tx.init(params)
    state = plateau.init(1.0)
    ref_scales, pure_scales = [], []
    for m in metrics:
        m64 = jnp.asarray(m, jnp.float64)
        ref_up, ref_state = ref_update(ref_state, m64)
        our_up, our_state = our_update(our_state, m64)
        state = plateau.update(state, m)
        ref_scales.append(float(ref_state.scale))
        pure_scales.append(state.value)
        np.testing.assert_array_equal(np.asarray(our_up["w"]), np.asarray(ref_up["w"]))
        assert our_up["w"].dtype == ref_up["w"].dtype
        assert float(our_state.plateau.value) == float(ref_state.scale)
    assert pure_scales == ref_scales, (cfg, metrics)
    assert int(our_state.plateau.num_bad) == int(ref_state.plateau_count)
    assert int(our_state.plateau.cooldown) == int(ref_state.cooldown_count)
    assert int(our_state.plateau.count) == int(ref_state.count)
    assert state.num_bad == int(ref_state.plateau_count)
    assert np.array_equal(float(our_state.plateau.best), float(ref_state.best_value), equal_nan=True)


def test_optax_parity_float32_params_under_x64():
    params = {"w": jnp.asarray([1.0, -2.0, 3.0], jnp.float32)}
    grads = {"w": jnp.asarray([0.3, 0.7, -4.1], jnp.float32)}
    tx = optax.contrib.reduce_on_plateau(factor=0.1, patience=1)
    ours = ljax.reduce_on_plateau(Plateau(convention="optax", factor=0.1, patience=1))
    ref_update = jax.jit(lambda s, m: tx.update(grads, s, params, value=m))
    our_update = jax.jit(lambda s, m: ours.update(grads, s, params, value=m))
    rs, os_ = tx.init(params), ours.init(params)
    for m in [1.0, 1.0, 1.0]:
        a, rs = ref_update(rs, jnp.asarray(m))
        b, os_ = our_update(os_, jnp.asarray(m))
        assert np.asarray(b["w"]).tolist() == np.asarray(a["w"]).tolist()
        assert os_.plateau.value.dtype == rs.scale.dtype


def test_optax_rejects_both_tolerances_zero_like_lrfuncs():
    with pytest.raises(ValueError, match="At least one of rtol or atol must be positive"):
        optax.contrib.reduce_on_plateau(rtol=0.0, atol=0.0)
    with pytest.raises(ValueError, match=r"`rtol` and `atol` cannot both be 0 with convention='optax'"):
        Plateau(convention="optax", rtol=0.0, atol=0.0)
    Plateau(convention="torch", rtol=0.0, atol=0.0)  # torch accepts threshold=0


# ----------------------------------------------------------------------------------------------------------------
# 3. golden rows (anchors.md 3.8) and keras by hand
# ----------------------------------------------------------------------------------------------------------------

CONSTANT = [2.0] * 8


@pytest.mark.parametrize(
    ("convention", "expected"),
    [
        ("torch", [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]),
        ("optax", [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]),
        ("keras", [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]),
    ],
)
def test_golden_rows_3_8(convention, expected):
    p = Plateau(factor=0.5, patience=2, convention=convention)
    assert _python_loop(p, CONSTANT, 1.0)[0] == expected
    assert lnp.plateau_replay(p, CONSTANT, 1.0).tolist() == expected


def test_golden_rows_3_8_real_anchors():
    """The torch and optax rows of 3.8 come out of the real anchors too (sanity of the golden rows)."""
    opt = _optimizer((1.0,))
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    lrs = []
    for m in CONSTANT:
        ref.step(m)
        lrs.append(ref.get_last_lr()[0])
    assert lrs == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]
    tx = optax.contrib.reduce_on_plateau(factor=0.5, patience=2)
    params = jnp.zeros(1, jnp.float64)
    upd = jax.jit(lambda s, m: tx.update(params, s, params, value=m))
    s, scales = tx.init(params), []
    for m in CONSTANT:
        _, s = upd(s, jnp.asarray(m))
        scales.append(float(s.scale))
    assert scales == [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]


# Derived by hand from the keras callback (anchors 1.5): on_epoch_end: if in cooldown: cooldown -= 1, wait = 0;
# if better (min: m < best - min_delta): best = m, wait = 0; elif not in cooldown (re-read after the decrement):
# wait += 1; if wait >= patience and old > min_lr: lr = max(old * factor, min_lr), cooldown = cooldown0, wait = 0.
KERAS_GOLDEN = [
    # (config, metrics, expected values)
    (dict(patience=2, factor=0.5), [2.0] * 8, [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]),
    # cooldown=1 has no effect in keras (counted down before it is read)
    (dict(patience=1, factor=0.5, cooldown=1), [5.0] * 5, [1, 0.5, 0.25, 0.125, 0.0625]),
    (dict(patience=1, factor=0.5, cooldown=2), [5.0] * 8, [1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625]),
    # min_lr: reduction stops once old <= min_lr (and wait keeps growing)
    (dict(patience=1, factor=0.5, min_value=0.3), [5.0] * 6, [1, 0.5, 0.3, 0.3, 0.3, 0.3]),
    # improvements reset wait
    (dict(patience=2, factor=0.5, rtol=0.0), [5, 4, 4, 3, 3, 3, 3, 3], [1, 1, 1, 1, 1, 0.5, 0.5, 0.25]),
    # min_delta == atol (absolute): 4.6 is not < 5 - 0.5, 4.4 is
    (dict(patience=2, factor=0.5, rtol=0.0, atol=0.5), [5, 4.6, 4.4, 4.0, 4.0], [1, 1, 1, 1, 0.5]),
    # patience=0: every non-improvement reduces (wait=1 >= 0)
    (dict(patience=0, factor=0.5, rtol=0.0), [5, 5, 4, 5], [1, 0.5, 0.5, 0.25]),
    # mode max
    (dict(mode="max", patience=1, factor=0.1, rtol=0.0), [0.1, 0.2, 0.2, 0.2], [1, 1, 0.1, 0.1 * 0.1]),
]


@pytest.mark.parametrize(("cfg", "metrics", "expected"), KERAS_GOLDEN)
def test_keras_golden(cfg, metrics, expected):
    p = Plateau(convention="keras", **cfg)
    assert _python_loop(p, [float(m) for m in metrics], 1.0)[0] == expected
    assert lnp.plateau_replay(p, metrics, 1.0).tolist() == expected
    _, values = jax.jit(lambda ms: ljax.plateau_scan(p, ms))(jnp.asarray(metrics, jnp.float64))
    assert np.asarray(values).tolist() == expected


def test_keras_per_group_floor_reduces_whole_optimizer():
    """keras reduces while any group is above its floor (it has one lr); per group, each floor still holds."""
    p = Plateau(convention="keras", patience=1, factor=0.5, min_value=np.array([0.0, 0.4]))
    out = lnp.plateau_replay(p, [5.0] * 4, np.array([1.0, 0.5]))
    assert out.tolist() == [[1.0, 0.5], [0.5, 0.4], [0.25, 0.4], [0.125, 0.4]]


# ----------------------------------------------------------------------------------------------------------------
# 4. jax: scan / jit / dtypes
# ----------------------------------------------------------------------------------------------------------------


def _plateau_for(convention, patience, cooldown, acc, per_group):
    return Plateau(
        convention=convention,
        factor=0.5,
        patience=patience,
        rtol=1e-4,
        atol=0.01 if convention == "optax" else 0.0,
        cooldown=cooldown,
        min_value=np.array([0.01, 0.2]) if per_group else 0.05,
        accumulation_size=acc,
    )


@settings(max_examples=15)
@given(
    convention=st.sampled_from(["torch", "optax", "keras"]),
    patience=st.integers(0, 3),
    cooldown=st.integers(0, 2),
    acc=st.integers(1, 2),
    per_group=st.booleans(),
    metrics=streams,
)
def test_jax_scan_equals_python_and_numpy(convention, patience, cooldown, acc, per_group, metrics):
    p = _plateau_for(convention, patience, cooldown, acc, per_group)
    value = np.array([1.0, 0.5]) if per_group else 1.0
    replay = lnp.plateau_replay(p, metrics, value)
    loop, final = _python_loop(p, metrics, value)
    assert np.array_equal(np.asarray(loop), replay)
    scan_final, scanned = jax.jit(lambda ms: ljax.plateau_scan(p, ms, value))(jnp.asarray(metrics, jnp.float64))
    assert scanned.dtype == jnp.float64
    assert scanned.shape == replay.shape
    assert np.array_equal(np.asarray(scanned), replay), (convention, metrics)
    for name in ("num_bad", "cooldown", "count"):
        assert int(getattr(scan_final, name)) == int(getattr(final, name))
    assert np.array_equal(np.asarray(scan_final.best), np.asarray(final.best), equal_nan=True)


@pytest.mark.parametrize("convention", ["torch", "optax", "keras"])
@pytest.mark.parametrize(
    ("dtype", "floor_per_group"),
    [
        (jnp.float32, False),
        (jnp.float64, False),
        (jnp.float64, True),
        (jnp.float32, True),  # a float64 array floor is cast to the float32 state (no widening)
    ],
)
def test_jax_update_jit_traced_metric_and_stable_dtypes(convention, dtype, floor_per_group):
    p = _plateau_for(convention, 1, 1, 1, per_group=floor_per_group)
    init = ljax.plateau_init(p, np.array([1.0, 0.5]), dtype=dtype)
    assert [x.dtype for x in init] == [dtype, dtype, jnp.int32, jnp.int32, jnp.int32, dtype]
    upd = jax.jit(p.update)
    state, values = init, []
    for m in [3.0, 3.0, 3.0, 3.0, 2.0]:
        state = upd(state, jnp.asarray(m, dtype))
        values.append(np.asarray(state.value).tolist())
        assert [x.dtype for x in state] == [x.dtype for x in init]
        assert [x.shape for x in state] == [x.shape for x in init]
    expected = lnp.plateau_replay(p, [3.0, 3.0, 3.0, 3.0, 2.0], np.array([1.0, 0.5])).tolist()
    if dtype == jnp.float64:
        assert values == expected
    else:  # the state computes in float32 (floors included): equal to float32 rounding
        np.testing.assert_allclose(values, expected, rtol=1e-6)
    # the carry is stable under lax.scan (it would raise otherwise) with the metrics' dtype
    final, out = ljax.plateau_scan(p, jnp.asarray([3.0] * 6, dtype), np.array([1.0, 0.5]))
    assert out.dtype == dtype
    assert [x.dtype for x in final] == [x.dtype for x in init]


def test_jax_grad_free_update_under_vmap_over_metrics_streams():
    """Independent runs batched with vmap over metric streams == separate replays."""
    p = Plateau(factor=0.5, patience=1, cooldown=1)
    streams_ = np.array([[3.0, 3.0, 3.0, 3.0, 3.0], [3.0, 2.0, 1.0, 1.0, 1.0]])
    _, vals = jax.jit(jax.vmap(lambda ms: ljax.plateau_scan(p, ms)))(jnp.asarray(streams_))
    assert np.asarray(vals).tolist() == [lnp.plateau_replay(p, s).tolist() for s in streams_]


# ----------------------------------------------------------------------------------------------------------------
# 5. state round trips
# ----------------------------------------------------------------------------------------------------------------

ROUND_TRIP_METRICS = [3.0, 2.0, 2.0, NAN, 2.0, 1.0, 1.0, 1.0, 1.0, -INF, 0.0, 0.0, 5.0, 5.0, 5.0, 5.0]


@pytest.mark.parametrize("convention", ["torch", "optax", "keras"])
@pytest.mark.parametrize("per_group", [False, True])
@pytest.mark.parametrize("cut", [0, 3, 8])
def test_pickle_and_json_round_trip_continue(convention, per_group, cut):
    p = Plateau(
        convention=convention,
        factor=0.5,
        patience=1,
        rtol=0.01,
        atol=0.001,
        cooldown=1,
        min_value=np.array([0.01, 0.1]) if per_group else 0.05,
        accumulation_size=2 if convention == "optax" else 1,
    )
    value = np.array([1.0, 0.5]) if per_group else 1.0
    full, _ = _python_loop(p, ROUND_TRIP_METRICS, value)
    _head, state = _python_loop(p, ROUND_TRIP_METRICS[:cut], value)

    def cont(plateau, st_):
        out = []
        for m in ROUND_TRIP_METRICS[cut:]:
            st_ = plateau.update(st_, m)
            out.append(np.asarray(st_.value).tolist())
        return out

    expected = [np.asarray(x).tolist() for x in full[cut:]]
    p2, s2 = pickle.loads(pickle.dumps((p, state)))
    assert p2.to_dict() == p.to_dict()
    assert hash(p2) == hash(p)
    assert isinstance(s2, PlateauState)
    if not per_group:
        assert p2 == p  # array-valued min_value: see test_plateau_eq_with_array_min_value
    assert cont(p2, s2) == expected
    s3 = PlateauState.from_dict(json.loads(json.dumps(state.to_dict())))
    p3 = Plateau.from_dict(json.loads(json.dumps(p.to_dict())))
    assert cont(p3, s3) == expected
    assert cont(p, state) == expected  # the original state was not mutated by any of this


def test_plateau_eq_with_array_min_value():
    a = Plateau(min_value=np.array([0.01, 0.1]))
    assert a == Plateau(min_value=np.array([0.01, 0.1]))
    assert a == pickle.loads(pickle.dumps(a))
    assert a != Plateau(min_value=np.array([0.01, 0.2]))


def test_state_from_dict_missing_keys():
    with pytest.raises(ValueError, match=r"Missing: \['mean'\]"):
        PlateauState.from_dict({"value": 1.0, "best": 1.0, "num_bad": 0, "cooldown": 0, "count": 0})


@pytest.mark.parametrize("min_lr", [0.01, [0.05, 0.001]])
@pytest.mark.parametrize("cut", [1, 5, 9])
def test_torch_state_dict_round_trip(min_lr, cut):
    cfg = dict(factor=0.5, patience=1, cooldown=1, threshold=0.01, min_lr=min_lr)
    metrics = [3.0, 3.0, 2.0, 3.0, 3.0, NAN, 3.0, 3.0, 1.0, 3.0, 3.0, 3.0, 3.0, 3.0]

    opt_t = _optimizer()
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **cfg)
    opt_u = _optimizer()
    uninterrupted = ltorch.ReduceLROnPlateau(opt_u, **cfg)
    opt_a = _optimizer()
    first = ltorch.ReduceLROnPlateau(opt_a, **cfg)
    ref_lrs, un_lrs = [], []
    for m in metrics:
        ref.step(m)
        uninterrupted.step(m)
        ref_lrs.append(ref.get_last_lr())
        un_lrs.append(uninterrupted.get_last_lr())
    for m in metrics[:cut]:
        first.step(m)
    buf = io.BytesIO()
    torch.save({"sched": first.state_dict(), "opt": opt_a.state_dict()}, buf)
    buf.seek(0)
    ckpt = torch.load(buf, weights_only=True)
    opt_b = _optimizer()
    opt_b.load_state_dict(ckpt["opt"])
    second = ltorch.ReduceLROnPlateau(opt_b, factor=0.9, patience=7)  # config comes from the checkpoint
    second.load_state_dict(ckpt["sched"])
    assert second.get_last_lr() == un_lrs[cut - 1]
    assert second.last_epoch == cut
    resumed = []
    for m in metrics[cut:]:
        second.step(m)
        resumed.append(second.get_last_lr())
    assert resumed == un_lrs[cut:]
    assert un_lrs == ref_lrs
    # and the state dict is JSON too
    json.dumps(first.state_dict())


# ----------------------------------------------------------------------------------------------------------------
# 6. bad input, NaN, purity
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(factor=1.0), ValueError, r"`factor` must be in \(0, 1\).*factor=1.0"),
        (dict(factor=1.5), ValueError, r"`factor` must be in \(0, 1\)"),
        (dict(factor=0.0), ValueError, r"`factor` must be in \(0, 1\).*factor=0.0"),
        (dict(factor=-0.5), ValueError, r"`factor` must be in \(0, 1\)"),
        (dict(patience=-1), ValueError, r"`patience` must be >= 0"),
        (dict(patience=1.5), ValueError, r"`patience` must be a whole number"),
        (dict(patience=True), TypeError, r"`patience` must be a number"),
        (dict(cooldown=-1), ValueError, r"`cooldown` must be >= 0"),
        (dict(mode="avg"), ValueError, r"`mode` must be one of 'min', 'max'"),
        (dict(convention="fastai"), ValueError, r"`convention` must be one of 'torch', 'optax', 'keras'"),
        (dict(rtol=1.5), ValueError, r"`rtol` must be in \[0, 1\]"),
        (dict(rtol=-0.1), ValueError, r"`rtol` must be in \[0, 1\]"),
        (dict(atol=-1e-3), ValueError, r"`atol` must be >= 0"),
        (dict(eps=-1.0), ValueError, r"`eps` must be >= 0"),
        (dict(min_value=-1.0), ValueError, r"`min_value` must be >= 0"),
        (dict(accumulation_size=0), ValueError, r"`accumulation_size` must be >= 1"),
        (dict(rtol=0.0, atol=0.0, convention="optax"), ValueError, r"cannot both be 0 with convention='optax'"),
        (dict(factor="0.5"), TypeError, r"`factor` must be a number"),
        (dict(bogus=1), TypeError, r"bogus"),
    ],
)
def test_plateau_bad_config(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Plateau(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(factor=1.0), ValueError, r"`factor` must be in \(0, 1\)"),
        (dict(factor=0.0), ValueError, r"`factor` must be in \(0, 1\)"),
        (dict(patience=-1), ValueError, r"`patience` must be >= 0"),
        (dict(mode="avg"), ValueError, r"`mode` must be one of"),
        (dict(threshold_mode="pct"), ValueError, r"`threshold_mode` must be one of 'rel', 'abs'"),
        (dict(convention="fastai"), ValueError, r"`convention` must be one of"),
        (dict(min_lr=[0.1]), ValueError, r"`min_lr` must have one entry per param group \(2\)"),
        (dict(min_lr=[0.1, 0.2, 0.3]), ValueError, r"`min_lr` must have one entry per param group \(2\)"),
        (dict(accumulation_size=0), ValueError, r"`accumulation_size` must be >= 1"),
    ],
)
def test_torch_adapter_bad_config(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ltorch.ReduceLROnPlateau(_optimizer(), **kwargs)


def test_torch_adapter_bad_input_like_torch():
    with pytest.raises(TypeError, match=r"`optimizer` must be a torch Optimizer. Received: Linear"):
        ltorch.ReduceLROnPlateau(torch.nn.Linear(2, 1))
    with pytest.raises(TypeError, match="is not an Optimizer"):  # torch raises the same kind
        torch.optim.lr_scheduler.ReduceLROnPlateau(torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match=r"Factor should be < 1\.0"):
        torch.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(), factor=1.0)
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        torch.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(), min_lr=[0.1])
    # metric conversion is torch's float(metric): same exception kinds
    ours = ltorch.ReduceLROnPlateau(_optimizer())
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(_optimizer())
    for bad, exc in [(None, TypeError), ("loss", ValueError)]:
        with pytest.raises(exc):
            ref.step(bad)
        before = ours.state
        with pytest.raises(exc):
            ours.step(bad)
        assert ours.state is before
        assert ours.last_epoch == 0


@pytest.mark.parametrize("bad", [None, "1.0", True])
def test_update_bad_metric(bad):
    p = Plateau()
    s = p.init(1.0)
    with pytest.raises(TypeError, match=r"`metric` must be a number or a 0-d array"):
        p.update(s, bad)


def test_update_bad_state_and_init():
    p = Plateau()
    with pytest.raises(TypeError, match=r"`state` must be a PlateauState. Received: tuple"):
        p.update((1.0, math.inf, 0, 0, 0, 0.0), 1.0)
    with pytest.raises(TypeError, match=r"`state` must be a PlateauState. Received: dict"):
        p.update(p.init(1.0)._asdict(), 1.0)
    for bad in (0, 0.0, -1.0):
        with pytest.raises(ValueError, match=r"`value` must be > 0. Received: value="):
            p.init(bad)
    for bad in (None, "1.0"):
        with pytest.raises(TypeError, match=r"`value` must be a number or an array"):
            p.init(bad)


def test_plateau_immutable():
    p = Plateau()
    with pytest.raises(AttributeError, match="immutable"):
        p.factor = 0.5
    with pytest.raises(TypeError):
        p.config["factor"] = 0.5
    assert p.factor == 0.1
    assert p.config["factor"] == 0.1


@pytest.mark.parametrize("mode", ["min", "max"])
def test_nan_is_a_bad_evaluation_like_torch(mode):
    """NaN never becomes best and counts as bad, as in torch (NaN comparisons are False)."""
    metrics = [NAN, NAN, 1.0, NAN, NAN, NAN, NAN]
    p = Plateau(mode=mode, factor=0.5, patience=1)
    state = p.init(1.0)
    bests, bads, values = [], [], []
    for m in metrics:
        state = p.update(state, m)
        bests.append(state.best)
        bads.append(state.num_bad)
        values.append(state.value)
    worst = INF if mode == "min" else -INF
    assert bests == [worst, worst, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert not any(math.isnan(b) for b in bests)

    opt = _optimizer((1.0,))
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=0.5, patience=1)
    ref_bests, ref_bads, ref_values = [], [], []
    for m in metrics:
        ref.step(m)
        ref_bests.append(ref.best)
        ref_bads.append(ref.num_bad_epochs)
        ref_values.append(ref.get_last_lr()[0])
    assert bests == ref_bests
    assert bads == ref_bads
    assert values == ref_values
    assert values == [1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125]


def test_infinities():
    """-inf in min mode becomes best and nothing improves on it; +inf is just bad."""
    p = Plateau(factor=0.5, patience=0)
    vals, state = _python_loop(p, [1.0, -INF, -INF, -5.0, INF], 1.0)
    assert state.best == -INF
    assert vals == [1.0, 1.0, 0.5, 0.25, 0.125]


@pytest.mark.parametrize("convention", ["torch", "optax", "keras"])
def test_update_is_pure(convention):
    p = Plateau(convention=convention, factor=0.5, patience=0, min_value=np.array([0.0, 0.0]), atol=0.1)
    value = np.array([1.0, 0.5])
    state = p.init(value)
    state = p.update(state, 2.0)
    snapshot = {k: np.array(x, copy=True) for k, x in state._asdict().items()}
    new = p.update(state, 2.0)
    assert new.value.tolist() == [0.5, 0.25]
    for k, x in state._asdict().items():
        assert np.array_equal(np.asarray(x), snapshot[k]), k
    assert value.tolist() == [1.0, 0.5]
    with pytest.raises(TypeError):
        p.update(state, None)
    for k, x in state._asdict().items():
        assert np.array_equal(np.asarray(x), snapshot[k]), k
    assert p.update(state, 2.0).value.tolist() == [0.5, 0.25]  # same input, same output
