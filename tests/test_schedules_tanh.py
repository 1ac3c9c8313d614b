"""``tanh_decay`` against timm's real ``TanhLRScheduler`` (timm 1.0.31).

timm's package ``__init__`` imports torchvision (absent): its scheduler files are loaded directly
as a package. The anchor values are ``TanhLRScheduler._get_lr(t)`` of a scheduler built on a real
SGD whose lr is the peak (what ``step(t)`` / ``step_update(t)`` write):

    TanhLRScheduler(opt(lr=peak), t_initial=T, lb=lb, ub=ub, lr_min=f)._get_lr(t)
    == tanh_decay(t, peak_lr=peak, total_steps=T, min_lr=f, lb=lb, ub=ub)

for every ``t`` (timm's default ``cycle_limit=1`` gives ``lr_min`` from ``T`` on, as lrfuncs).
timm writes nothing at construction without a warmup: a loop that calls ``step_update(k)``
only *after* update ``k`` runs update 0 at the optimizer's own lr (the peak), not at
``_get_lr(0) = peak * (1 - tanh(lb)) / 2`` (0.9999992 of it for ``lb=-7``); asserted below.
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import sys
import types
from typing import Any

import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st

import lrfuncs


def _load_timm_scheduler(module: str) -> Any:
    d = pathlib.Path(importlib.util.find_spec("timm").submodule_search_locations[0]) / "scheduler"
    if "_timm_sched" not in sys.modules:
        pkg = types.ModuleType("_timm_sched")
        pkg.__path__ = [str(d)]
        sys.modules["_timm_sched"] = pkg
    return importlib.import_module(f"_timm_sched.{module}")


TanhLRScheduler = _load_timm_scheduler("tanh_lr").TanhLRScheduler

#: One step grid for every example (JAX compiles its eager ops once per shape); T <= 100.
STEPS = np.arange(128)


def _optimizer(lr: float) -> torch.optim.SGD:
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    return torch.optim.SGD([p], lr=lr)


def timm_tanh(peak: float, steps: np.ndarray = STEPS, **kwargs: Any) -> np.ndarray:
    sched = TanhLRScheduler(_optimizer(peak), **kwargs)
    return np.array([sched._get_lr(int(t))[0] for t in steps])


peaks = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 10.0)


@st.composite
def bounds(draw: Any) -> tuple[float, float]:
    lb = draw(st.just(-7.0) | st.floats(-10.0, 5.0))
    ub = draw(st.just(max(3.0, lb + 1.0)) | st.floats(lb + 0.01, lb + 15.0))
    return lb, ub


def test_tanh_decay_equals_timm(backend: str) -> None:
    @per_backend(
        backend,
        peak=peaks,
        total=st.integers(1, 100),
        floor=st.sampled_from([0.0, 0.1, 1.0]) | st.floats(0.0, 1.0),
        lbub=bounds(),
        ratio=st.booleans(),
    )
    def check(peak: float, total: int, floor: float, lbub: tuple[float, float], ratio: bool) -> None:
        lb, ub = lbub
        ref = timm_tanh(peak, t_initial=total, lb=lb, ub=ub, lr_min=floor * peak)
        cfg: dict[str, Any] = {"min_lr_ratio": floor} if ratio else {"min_lr": floor * peak}
        ours = evaluate(backend, lrfuncs.tanh_decay, STEPS, peak_lr=peak, total_steps=total, lb=lb, ub=ub, **cfg)
        assert_lr_close(ours, ref, peak=peak)

    check()


def test_defaults_are_timm_defaults() -> None:
    """lb=-7, ub=3, lr_min=0; past t_initial the floor (cycle_limit=1)."""
    ref = timm_tanh(0.5, t_initial=40)
    for backend in BACKENDS:
        out = evaluate(backend, lrfuncs.tanh_decay, STEPS, peak_lr=0.5, total_steps=40)
        assert_lr_close(out, ref, peak=0.5)
    assert np.all(ref[40:] == 0.0)
    assert lrfuncs.tanh_decay.bind(peak_lr=0.5, total_steps=40).landmarks() == [("end", 40.0)]


def test_timm_stepped_for_real() -> None:
    """``step_update(k)`` after update ``k``: update 0 runs at the optimizer's lr, then ``_get_lr``."""
    opt = _optimizer(0.3)
    sched = TanhLRScheduler(opt, t_initial=20, lr_min=0.01, t_in_epochs=False)
    used = []
    for k in range(30):
        used.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step_update(k + 1)
    ours = lrfuncs.tanh_decay(np.arange(30), peak_lr=0.3, total_steps=20, min_lr=0.01)
    assert used[0] == 0.3
    assert ours[0] == pytest.approx(0.3, rel=1e-6)
    assert ours[0] < 0.3
    assert_lr_close(ours[1:], used[1:], peak=0.3)


def test_drop_to_the_floor_at_total_steps() -> None:
    """The curve ends (1 - tanh(ub)) / 2 of the amplitude above the floor, then drops, as timm does."""
    s = lrfuncs.tanh_decay.bind(peak_lr=1.0, total_steps=10, min_lr=0.1)
    assert s(9.999) == pytest.approx(0.1 + 0.9 * 0.5 * (1 - np.tanh(3.0 * 0.9999 - 7.0 * 0.0001)), rel=1e-9)
    assert s(10) == 0.1 == s(10**12)


def test_warmup_without_prefix_is_with_warmup_on_the_global_clock() -> None:
    """timm's warmup_prefix=False ramps to ``_get_lr(warmup_t)``: ``with_warmup(total_includes_warmup=True)``.

    anchors.md 3.3: Tanh(t_initial=10, warmup_t=3) from 0 -> [0, 0.33322, 0.66644, 0.99966, 0.99753, ...].
    """
    ref = timm_tanh(1.0, np.arange(20), t_initial=10, warmup_t=3, warmup_lr_init=0.0)
    np.testing.assert_allclose(ref[:5], [0, 0.33322, 0.66644, 0.99966, 0.99753], atol=5e-6)
    inner = lrfuncs.tanh_decay.bind(peak_lr=1.0, total_steps=10)
    s = lrfuncs.with_warmup.bind(inner=inner, warmup_steps=3, total_includes_warmup=True, init_lr=0.0)
    assert_lr_close(s(np.arange(20)), ref)


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        ({"lb": 3.0, "ub": 3.0}, ValueError, r"Argument `lb` must be < `ub`. Received: lb=3.0, ub=3.0"),
        ({"lb": 4.0}, ValueError, r"Argument `lb` must be < `ub`. Received: lb=4.0, ub=3.0"),
        ({"ub": float("nan")}, ValueError, r"Argument `ub` must be a finite number"),
        ({"total_steps": 0}, ValueError, r"Argument `total_steps` must be > 0. Received: total_steps=0"),
        ({"peak_lr": -1.0}, ValueError, r"Argument `peak_lr` must be > 0. Received: peak_lr=-1.0"),
        ({"min_lr": 2.0}, ValueError, r"Argument `min_lr` must be <= `peak_lr`. Received: min_lr=2.0, peak_lr=1.0"),
        ({"min_lr_ratio": 1.5}, ValueError, r"Argument `min_lr_ratio` must be in \[0, 1\]"),
        ({"min_lr": 0.1, "min_lr_ratio": 0.1}, ValueError, r"Argument `min_lr` and `min_lr_ratio` are two ways"),
        ({"lb": "low"}, TypeError, r"Argument `lb` must be a number"),
    ],
)
def test_bad_config(config: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        lrfuncs.tanh_decay(0, **{"peak_lr": 1.0, "total_steps": 10, **config})
    with pytest.raises(error, match=match):
        lrfuncs.tanh_decay.bind(**{"peak_lr": 1.0, "total_steps": 10, **config})
