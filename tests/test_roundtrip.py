"""Schedules as config: every registered schedule (composites included) converts to a plain dict, JSON, YAML
and a spec string, and back to an equal schedule with the same values on every backend.

A schedule in a training config (Hydra, YAML) or a checkpoint is ``Schedule.to_dict()``; ``Schedule.from_dict``
(or ``lrfuncs.spec.load`` for a file) rebuilds it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import BACKENDS, CONFIGS, evaluate

import lrfuncs
from lrfuncs.spec import load, parse, unparse

NAMES = sorted(CONFIGS)
#: Steps where phases change in most CONFIGS, fractional steps, and far past every horizon.
STEPS = np.array([0, 1, 2, 3.5, 4, 5, 7, 9.25, 10, 11, 19, 20, 33, 39, 40, 41, 49, 50, 59, 60, 100, 1e6])


def bound(name: str) -> lrfuncs.Schedule:
    return lrfuncs.get_schedule(name).bind(**CONFIGS[name])


def is_plain_data(value: Any) -> bool:
    """JSON-native values only: dict (str keys), list, str, int, float, bool, None."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain_data(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_plain_data(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def test_configs_cover_every_registered_schedule() -> None:
    assert set(CONFIGS) == set(lrfuncs.registered())


@pytest.mark.parametrize("name", NAMES)
def test_dict_json_round_trip_same_values_on_every_backend(name: str) -> None:
    s = bound(name)
    d = s.to_dict()
    assert is_plain_data(d), d
    assert d["schedule"] == name
    text = json.dumps(d)
    back = lrfuncs.Schedule.from_dict(json.loads(text))
    assert back == s
    assert hash(back) == hash(s)
    assert back.to_dict() == d
    assert json.dumps(back.to_dict()) == text
    for backend in BACKENDS:
        np.testing.assert_array_equal(evaluate(backend, back, STEPS), evaluate(backend, s, STEPS), err_msg=backend)


@pytest.mark.parametrize("name", NAMES)
def test_yaml_and_spec_round_trip(name: str, tmp_path: Any) -> None:
    s = bound(name)
    text = yaml.safe_dump(s.to_dict(), sort_keys=False)
    assert lrfuncs.Schedule.from_dict(yaml.safe_load(text)) == s
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    assert load(path) == s
    (tmp_path / f"{name}.json").write_text(json.dumps(s.to_dict()))
    assert load(tmp_path / f"{name}.json") == s
    assert parse(unparse(s)) == s
    back = load(path)
    assert [back(k) for k in STEPS.tolist()] == [s(k) for k in STEPS.tolist()]


def test_nested_composite_in_a_training_config(tmp_path: Any) -> None:
    """A schedule nested in a larger (Hydra-style) YAML config survives a write/read as plain data."""
    warm = lrfuncs.with_warmup.bind(inner=lrfuncs.cosine_decay.bind(peak_lr=3e-4, total_steps=900),
                                    warmup_steps=100, total_includes_warmup=False)
    s = lrfuncs.join.bind(schedules=[warm, lrfuncs.warmup_constant.bind(peak_lr=1e-5, warmup_steps=0)],
                          boundaries=[1000])
    config = {"model": {"width": 512}, "optim": {"name": "adamw", "lr_schedule": s.to_dict()}}
    path = tmp_path / "train.yaml"
    path.write_text(yaml.safe_dump(config))
    loaded = yaml.safe_load(path.read_text())
    back = lrfuncs.Schedule.from_dict(loaded["optim"]["lr_schedule"])
    assert back == s
    np.testing.assert_array_equal(back(np.arange(1200)), s(np.arange(1200)))


def test_sweep_config_round_trips_as_lists() -> None:
    s = lrfuncs.warmup_cosine.bind(peak_lr=np.array([[1e-3], [3e-4]]), warmup_steps=5, total_steps=50)
    d = json.loads(json.dumps(s.to_dict()))
    assert d["peak_lr"] == [[1e-3], [3e-4]]
    back = lrfuncs.Schedule.from_dict(d)
    assert back == s
    np.testing.assert_array_equal(back(np.arange(60)), s(np.arange(60)))


def test_plateau_round_trips() -> None:
    p = lrfuncs.Plateau(factor=0.5, patience=3, min_value=1e-6)
    assert lrfuncs.Plateau.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    assert lrfuncs.Plateau.from_dict(yaml.safe_load(yaml.safe_dump(p.to_dict()))) == p
