"""``lrfuncs.Schedule``: a schedule function bound to one validated config.

Binding validates once; the bound object evaluates exactly like the function on
every backend; it is immutable, round-trips through ``to_dict`` / JSON /
``from_dict`` and pickle, compares and hashes by function and config, and the
registry finds schedules by name.
"""

from __future__ import annotations

import copy
import functools
import json
import pickle
import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import BACKENDS, CONFIGS, assert_lr_close, evaluate

import lrfuncs
from lrfuncs import Schedule

NAMES = sorted(CONFIGS)
#: Whole steps across every phase, plus fractional steps.
STEPS = np.concatenate([np.arange(0.0, 70.0), [0.5, 3.25, 9.999, 41.5, 123.75]])


def bound(name: str) -> Schedule:
    return lrfuncs.get_schedule(name).bind(**CONFIGS[name])


def test_configs_cover_every_registered_schedule() -> None:
    assert set(CONFIGS) == set(lrfuncs.registered())


def test_registry() -> None:
    reg = lrfuncs.registered()
    assert reg["cosine_decay"] is lrfuncs.cosine_decay
    for name, fn in reg.items():
        assert fn is getattr(lrfuncs, name)
        assert lrfuncs.get_schedule(name) is fn
        assert fn.__name__ == name
    reg.clear()  # a copy: the registry is untouched
    assert "warmup_cosine" in lrfuncs.registered()
    with pytest.raises(ValueError, match=r"Unknown schedule 'cosine_decy'. Did you mean 'cosine_decay'"):
        lrfuncs.get_schedule("cosine_decy")
    known = ", ".join(sorted(lrfuncs.registered()))
    with pytest.raises(ValueError, match=re.escape(f"Unknown schedule 'zzz'. Known schedules: {known}.")):
        lrfuncs.get_schedule("zzz")


# --------------------------------------------------------------------------------------------- binding


def test_bind_validates_once(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = lrfuncs.cosine_decay.spec
    original = spec.check
    calls = []

    def counting(cfg: Any) -> None:
        calls.append(dict(cfg))
        original(cfg)

    monkeypatch.setattr(spec, "check", counting)
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100)
    assert len(calls) == 1
    assert calls[0]["peak_lr"] == 0.1
    assert calls[0]["min_lr"] is None  # the check sees the defaults too
    for k in range(50):
        s(k)
    s(np.arange(10))
    s(jnp.arange(10))
    assert len(calls) == 1
    s.replace(peak_lr=0.2)  # a new config is checked again
    assert len(calls) == 2


def test_bind_rejects_bad_config_at_bind_time() -> None:
    with pytest.raises(ValueError, match=r"Argument `peak_lr` must be > 0. Received: peak_lr=-0.1"):
        lrfuncs.cosine_decay.bind(peak_lr=-0.1, total_steps=100)
    with pytest.raises(ValueError, match=r"Argument `warmup_steps` must be <= `total_steps`"):
        lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=20, total_steps=10)
    with pytest.raises(TypeError, match=r"unexpected keyword argument `total_step`. Did you mean `total_steps`\?"):
        lrfuncs.cosine_decay.bind(peak_lr=0.1, total_step=100)
    with pytest.raises(TypeError, match=r"cosine_decay\(\) is missing required keyword argument\(s\): `total_steps`"):
        lrfuncs.cosine_decay.bind(peak_lr=0.1)


def test_schedule_needs_config_and_a_schedule_function() -> None:
    with pytest.raises(TypeError, match=r"warmup_cosine\(\) is missing required keyword argument\(s\): `peak_lr`, "
                                        r"`warmup_steps`, `total_steps`"):
        Schedule(lrfuncs.warmup_cosine)
    with pytest.raises(TypeError, match=r"is missing required keyword argument\(s\): `total_steps`"):
        Schedule(lrfuncs.onecycle_momentum)
    with pytest.raises(TypeError, match="Schedule\\(\\) needs an lrfuncs schedule function"):
        Schedule(lambda t: t)
    with pytest.raises(TypeError, match="needs an lrfuncs schedule function"):
        Schedule(functools.partial(lrfuncs.cosine_decay, peak_lr=0.1, total_steps=10))
    s = Schedule(lrfuncs.step_decay, peak_lr=0.1, step_size=3)
    assert s == lrfuncs.step_decay.bind(peak_lr=0.1, step_size=3)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_bound_equals_function_on_every_backend(name: str, backend: str) -> None:
    fn, cfg = lrfuncs.get_schedule(name), CONFIGS[name]
    s = fn.bind(**cfg)
    np.testing.assert_array_equal(evaluate(backend, s, STEPS), evaluate(backend, fn, STEPS, **cfg))


@pytest.mark.parametrize("name", NAMES)
def test_bound_scalar_types(name: str) -> None:
    s, fn, cfg = bound(name), lrfuncs.get_schedule(name), CONFIGS[name]
    for k in (0, 5, 12.5):
        v = s(k)
        assert type(v) is float
        assert v == fn(k, **cfg)
    assert s(np.int64(5)) == fn(5, **cfg)
    assert s(np.arange(3)).dtype == np.float64
    assert s(jnp.arange(3, dtype=jnp.int32)).dtype == jnp.float64  # x64 on in conftest


def test_bound_checks_steps() -> None:
    s = bound("cosine_decay")
    with pytest.raises(ValueError, match=r"Argument `step` must be a finite number >= 0.*Received: step=-1"):
        s(-1)
    with pytest.raises(ValueError, match=r"Received: step=-2.0"):
        s(np.array([1.0, -2.0]))
    for bad in ("3", [1, 2], None, True):
        with pytest.raises(TypeError, match="`step` must be"):
            s(bad)


# --------------------------------------------------------------------------------------------- immutability


def test_config_is_read_only_and_complete() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100)
    assert dict(s.config) == {
        "peak_lr": 0.1,
        "total_steps": 100,
        "min_lr": None,
        "min_lr_ratio": None,
        "exponent": 1.0,
        "periodic": False,
        "k_decay": 1.0,
    }
    with pytest.raises(TypeError):
        s.config["peak_lr"] = 1.0  # type: ignore[index]
    with pytest.raises(TypeError):
        del s.config["peak_lr"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match=r"Schedule is immutable; use \.replace"):
        s.peak_lr = 1.0  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="Schedule is immutable"):
        s._config = {}  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.config = {}  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del s.config  # type: ignore[misc]
    d = s.to_dict()
    d["peak_lr"] = 5.0  # a fresh dict
    assert s.config["peak_lr"] == 0.1
    assert s(0) == 0.1
    assert s.name == "cosine_decay"
    assert s.fn is lrfuncs.cosine_decay


def test_list_config_is_stored_as_tuple() -> None:
    ms = [3, 8, 8]
    s = lrfuncs.multistep_decay.bind(peak_lr=1.0, milestones=ms)
    assert s.config["milestones"] == (3, 8, 8)
    ms.append(1)  # the caller's list is not shared
    assert s(2) == 1.0
    assert s == lrfuncs.multistep_decay.bind(peak_lr=1.0, milestones=(3, 8, 8))


def test_replace() -> None:
    s = bound("warmup_cosine")
    t = s.replace(peak_lr=1e-3, floor_mode="rescale")
    assert t is not s
    assert t.config["peak_lr"] == 1e-3
    assert t.config["floor_mode"] == "rescale"
    assert s.config["peak_lr"] == 3e-4  # unchanged
    assert {k: v for k, v in t.config.items() if k not in ("peak_lr", "floor_mode")} == {
        k: v for k, v in s.config.items() if k not in ("peak_lr", "floor_mode")
    }
    assert t == lrfuncs.warmup_cosine.bind(**dict(CONFIGS["warmup_cosine"], peak_lr=1e-3, floor_mode="rescale"))
    assert s.replace() == s
    with pytest.raises(ValueError, match=r"Argument `floor_mode` must be one of 'rescale', 'clip'"):
        s.replace(floor_mode="cut")
    with pytest.raises(ValueError, match=r"Argument `warmup_steps` must be <= `total_steps`"):
        s.replace(total_steps=5)
    with pytest.raises(TypeError, match=r"unexpected keyword argument `peak`. Did you mean `peak_lr`\?"):
        s.replace(peak=1.0)


# --------------------------------------------------------------------------------------------- to_dict / from_dict


@pytest.mark.parametrize("name", NAMES)
def test_dict_json_round_trip(name: str) -> None:
    s = bound(name)
    d = s.to_dict()
    assert d["schedule"] == name
    assert set(d) == {"schedule", *lrfuncs.get_schedule(name).spec.names}
    for k, v in CONFIGS[name].items():
        if isinstance(v, Schedule):  # a composite's child is nested as its own dict
            v = v.to_dict()
        elif isinstance(v, list):
            v = [x.to_dict() if isinstance(x, Schedule) else x for x in v]
        assert d[k] == v
    text = json.dumps(d)
    back = Schedule.from_dict(json.loads(text))
    assert back == s
    assert hash(back) == hash(s)
    assert back.fn is s.fn
    assert dict(back.config) == dict(s.config)
    np.testing.assert_array_equal(back(STEPS), s(STEPS))
    assert [back(k) for k in range(70)] == [s(k) for k in range(70)]
    # a second trip is stable
    assert json.dumps(back.to_dict()) == text


def test_to_dict_plain_values() -> None:
    s = lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=(3, 8))
    d = s.to_dict()
    assert d == {"schedule": "multistep_decay", "peak_lr": 0.1, "milestones": [3, 8], "gamma": 0.1}
    assert type(d["milestones"]) is list
    back = Schedule.from_dict(d)
    assert back.config["milestones"] == (3, 8)
    # array config becomes nested lists, and comes back as lists of the same values
    a = lrfuncs.cosine_decay.bind(peak_lr=np.array([[0.1], [0.2]]), total_steps=10)
    da = a.to_dict()
    assert da["peak_lr"] == [[0.1], [0.2]]
    json.dumps(da)


def test_dict_round_trip_with_array_config() -> None:
    a = lrfuncs.cosine_decay.bind(peak_lr=np.array([[0.1], [0.2]]), total_steps=10)
    back = Schedule.from_dict(json.loads(json.dumps(a.to_dict())))
    np.testing.assert_array_equal(np.asarray(back(np.arange(12))), a(np.arange(12)))


def test_from_dict_does_not_modify_its_input() -> None:
    d = bound("onecycle").to_dict()
    before = copy.deepcopy(d)
    Schedule.from_dict(d)
    assert d == before


def test_from_dict_errors() -> None:
    with pytest.raises(ValueError, match=r"A schedule dict needs a 'schedule' key naming the schedule. Received: "):
        Schedule.from_dict({"peak_lr": 0.1, "total_steps": 10})
    with pytest.raises(ValueError, match=r"Unknown schedule 'warmup_cosin'. Did you mean 'warmup_cosine'"):
        Schedule.from_dict({"schedule": "warmup_cosin", "peak_lr": 0.1})
    with pytest.raises(TypeError, match=r"unexpected keyword argument `peak`. Did you mean `peak_lr`\?"):
        Schedule.from_dict({"schedule": "cosine_decay", "peak": 0.1, "total_steps": 10})
    with pytest.raises(TypeError, match=r"missing required keyword argument\(s\): `total_steps`"):
        Schedule.from_dict({"schedule": "cosine_decay", "peak_lr": 0.1})
    with pytest.raises(ValueError, match=r"Argument `total_steps` must be > 0. Received: total_steps=0"):
        Schedule.from_dict({"schedule": "cosine_decay", "peak_lr": 0.1, "total_steps": 0})


# --------------------------------------------------------------------------------------------- pickle


@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip(name: str) -> None:
    s = bound(name)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(s, protocol=protocol))
        assert back == s
        assert back.fn is s.fn
        np.testing.assert_array_equal(back(STEPS), s(STEPS))
    assert copy.copy(s) == s
    assert copy.deepcopy(s) == s


def test_pickle_with_array_config() -> None:
    peaks = np.array([[0.1], [0.2], [0.3]])
    s = lrfuncs.warmup_cosine.bind(peak_lr=peaks, warmup_steps=5, total_steps=50)
    back = pickle.loads(pickle.dumps(s))
    assert isinstance(back.config["peak_lr"], np.ndarray)
    np.testing.assert_array_equal(back.config["peak_lr"], peaks)
    assert back == s
    out = back(np.arange(60))
    assert out.shape == (3, 60)
    np.testing.assert_array_equal(out, s(np.arange(60)))


def test_partial_of_schedule_function_pickles() -> None:
    p = functools.partial(lrfuncs.warmup_cosine, peak_lr=3e-4, warmup_steps=10, total_steps=100)
    back = pickle.loads(pickle.dumps(p))
    assert back.func is lrfuncs.warmup_cosine
    assert [back(k) for k in range(0, 120, 7)] == [p(k) for k in range(0, 120, 7)]
    # the schedule functions themselves pickle by reference
    for fn in lrfuncs.registered().values():
        assert pickle.loads(pickle.dumps(fn)) is fn


# --------------------------------------------------------------------------------------------- equality, hash, repr


def test_equality_and_hash() -> None:
    a = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100)
    b = lrfuncs.cosine_decay.bind(total_steps=100, peak_lr=0.1, min_lr=None, exponent=1.0)  # defaults spelled out
    c = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100.0)  # 100 == 100.0
    assert a == b == c
    assert hash(a) == hash(b) == hash(c)
    assert len({a, b, c}) == 1
    assert {a: 1}[b] == 1
    assert a != lrfuncs.cosine_decay.bind(peak_lr=0.2, total_steps=100)
    assert a != lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100, periodic=True)
    assert a != lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100, min_lr=0.0)  # None is not 0.0
    assert a != lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=0, total_steps=100)  # other function
    assert a != a.to_dict()
    assert a != "cosine_decay"
    assert a.__eq__(a.to_dict()) is NotImplemented
    assert len({bound(n) for n in NAMES}) == len(NAMES)
    assert lrfuncs.cosine_decay.bind(peak_lr=np.float64(0.1), total_steps=100) == a


def test_equality_with_array_config() -> None:
    a = lrfuncs.cosine_decay.bind(peak_lr=np.array([0.1, 0.2]), total_steps=10)
    b = lrfuncs.cosine_decay.bind(peak_lr=np.array([0.1, 0.2]), total_steps=10)
    c = lrfuncs.cosine_decay.bind(peak_lr=np.array([0.1, 0.3]), total_steps=10)
    assert a == b
    assert a != c
    assert a != lrfuncs.cosine_decay.bind(peak_lr=np.array([0.1, 0.2, 0.3]), total_steps=10)
    assert a != lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10)
    assert lrfuncs.cosine_decay.bind(peak_lr=jnp.array([0.1, 0.2]), total_steps=10) == a


@pytest.mark.parametrize("name", NAMES)
def test_repr_round_trips_through_eval(name: str) -> None:
    s = bound(name)
    r = repr(s)
    assert r.startswith(f"{name}.bind(")
    for k, v in s.config.items():
        assert f"{k}={v!r}" in r
    assert eval(r, {n: getattr(lrfuncs, n) for n in lrfuncs.__all__}) == s


# --------------------------------------------------------------------------------------------- JAX transforms


def test_bound_schedule_under_jax_transforms() -> None:
    s = bound("warmup_cosine")
    steps = jnp.arange(70.0)
    assert_lr_close(np.asarray(jax.jit(lambda t: s(t))(steps)), s(np.arange(70.0)), peak=3e-4)
    assert_lr_close(np.asarray(jax.vmap(s)(steps)), s(np.arange(70.0)), peak=3e-4)
    g = jax.grad(s)(jnp.asarray(5.0))  # inside warmup: d lr / d t = (peak - init) / W
    assert_lr_close(float(g), (3e-4 - 3e-4 / 11) / 10, peak=3e-4)


def test_bound_schedule_can_be_jitted_directly() -> None:
    s = bound("cosine_decay")
    out = jax.jit(s)(jnp.arange(50.0))
    assert_lr_close(np.asarray(out), s(np.arange(50.0)), peak=0.2)
