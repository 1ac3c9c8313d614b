"""``cyclic`` and ``cyclic_momentum`` against the real torch ``CyclicLR`` (torch 2.13).

Every torch value comes from a real ``CyclicLR`` stepped with a real optimizer: the lr and the
momentum of the param group are read *before* ``optimizer.step()``, then ``scheduler.step()``
is called, so index ``k`` is what update ``k`` uses (lrfuncs' ``step``). Warnings are errors, so
a wrong step order fails. The momentum is read from ``group["momentum"]`` (SGD with momentum)
or ``group["betas"][0]`` (Adam), where torch writes it.

Mapping::

    CyclicLR(opt, base_lr=a, max_lr=b, step_size_up=u, step_size_down=d, mode=m, gamma=g,
             base_momentum=bm, max_momentum=mm)
    == cyclic(min_lr=a, peak_lr=b, up_steps=u, down_steps=d, mode=m, gamma=g)     (the lr)
    == cyclic_momentum(base_momentum=bm, max_momentum=mm, up_steps=u, ...)          (the momentum)

torch ignores its ``scale_mode`` argument for the built-in modes (triangular modes per cycle,
exp_range per iteration). lrfuncs' other ``scale_mode`` is compared with torch run with
``scale_fn`` set to torch's *own* scale function of that mode (``CyclicLR._triangular2_scale_fn``,
``CyclicLR._exp_range_scale_fn``) and ``scale_mode`` given: the path torch documents for
custom policies. A custom ``scale_fn`` of any other kind is a Python callable, not config,
and has no lrfuncs counterpart.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim.lr_scheduler import CyclicLR

import lrfuncs

#: One step grid for every example (JAX compiles its eager ops once per shape): several cycles.
STEPS = np.arange(256)
FEW = min(settings.default.max_examples, 25)

# ---------------------------------------------------------------------------------------------------------------------
# helpers: a real optimizer, a real CyclicLR, stepped for real


def _param() -> torch.nn.Parameter:
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    return p


def _optimizer(kind: str) -> torch.optim.Optimizer:
    if kind == "sgd":
        return torch.optim.SGD([_param()], lr=0.123, momentum=0.5)
    return torch.optim.Adam([_param()], lr=0.123, betas=(0.5, 0.999))


def _momentum(opt: torch.optim.Optimizer) -> float:
    g = opt.param_groups[0]
    return float(g["betas"][0]) if "betas" in g else float(g["momentum"])


def torch_cyclic(kind: str, n: int = len(STEPS), *, scale_mode: str | None = None, **kwargs: Any):
    """(lrs, momenta) of ``n`` updates under a real CyclicLR; ``scale_mode`` as lrfuncs understands it."""
    mode = kwargs.get("mode", "triangular")
    if scale_mode is not None and mode != "triangular":
        # the other scale_mode of a built-in mode: torch's own scale function as a custom one
        fn = (
            CyclicLR._triangular2_scale_fn
            if mode == "triangular2"
            else functools.partial(CyclicLR._exp_range_scale_fn, kwargs.get("gamma", 1.0))
        )
        kwargs = {**kwargs, "scale_fn": fn, "scale_mode": scale_mode}
    opt = _optimizer(kind)
    lrs, moms = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched = CyclicLR(opt, **kwargs)
        for k in range(n):
            lrs.append(float(opt.param_groups[0]["lr"]))
            moms.append(_momentum(opt))
            opt.step()
            if k < n - 1:
                sched.step()
    return np.asarray(lrs), np.asarray(moms)


def _torch_kwargs(cfg: dict[str, Any]) -> dict[str, Any]:
    out = {
        "base_lr": cfg["min_lr"],
        "max_lr": cfg["peak_lr"],
        "step_size_up": cfg["up_steps"],
        "step_size_down": cfg["down_steps"],
        "mode": cfg["mode"],
        "gamma": cfg["gamma"],
        "scale_mode": cfg["scale_mode"],
    }
    return out


peaks = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 10.0)
lengths = st.integers(1, 40) | st.floats(0.5, 40.0)
modes = st.sampled_from(["triangular", "triangular2", "exp_range"])
gammas = st.sampled_from([1.0, 0.99, 0.9]) | st.floats(0.5, 1.0)
moms = st.sampled_from([0.8, 0.9, 0.85, 0.95, 0.0, 1.0]) | st.floats(0.0, 1.0)


@st.composite
def configs(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    return {
        "min_lr": draw(st.sampled_from([0.0, 0.1, 1.0]) | st.floats(0.0, 1.0)) * peak,
        "peak_lr": peak,
        "up_steps": draw(lengths),
        "down_steps": draw(st.none() | st.just(0) | lengths),
        "mode": draw(modes),
        "gamma": draw(gammas),
        "scale_mode": draw(st.none() | st.sampled_from(["cycle", "iterations"])),
    }


def _momentum_config(cfg: dict[str, Any], base: float, top: float) -> dict[str, Any]:
    rest = {k: v for k, v in cfg.items() if k not in ("min_lr", "peak_lr")}
    return {"base_momentum": base, "max_momentum": top, **rest}


# ---------------------------------------------------------------------------------------------------------------------
# parity, every backend


def test_cyclic_and_momentum_equal_torch_sgd(backend: str) -> None:
    @per_backend(backend, cfg=configs(), base=moms, top=moms)
    def check(cfg: dict[str, Any], base: float, top: float) -> None:
        lrs, momenta = torch_cyclic(
            "sgd", **_torch_kwargs(cfg), base_momentum=base, max_momentum=top, cycle_momentum=True
        )
        assert_lr_close(evaluate(backend, lrfuncs.cyclic, STEPS, **cfg), lrs, peak=cfg["peak_lr"])
        ours = evaluate(backend, lrfuncs.cyclic_momentum, STEPS, **_momentum_config(cfg, base, top))
        assert_lr_close(ours, momenta)

    check()


#: Adam divides by ``1 - beta1**step``: beta1 = 1 is not usable there
betas = st.sampled_from([0.8, 0.9, 0.85, 0.95, 0.0]) | st.floats(0.0, 0.999)


@settings(max_examples=FEW)
@given(cfg=configs(), base=betas, top=betas)
def test_momentum_equals_torch_adam_beta1(cfg: dict[str, Any], base: float, top: float) -> None:
    """With ``betas`` in the optimizer, torch cycles ``betas[0]``: the same curve."""
    lrs, beta1 = torch_cyclic("adam", **_torch_kwargs(cfg), base_momentum=base, max_momentum=top)
    assert_lr_close(lrfuncs.cyclic(STEPS, **cfg), lrs, peak=cfg["peak_lr"])
    assert_lr_close(lrfuncs.cyclic_momentum(STEPS, **_momentum_config(cfg, base, top)), beta1)


def test_defaults_are_torch_defaults() -> None:
    """step_size_up=2000, step_size_down=None, triangular, gamma=1, momentum 0.8 / 0.9."""
    n = 4500
    lrs, momenta = torch_cyclic("sgd", n, base_lr=0.001, max_lr=0.006)
    steps = np.arange(n)
    for backend in BACKENDS:
        assert_lr_close(evaluate(backend, lrfuncs.cyclic, steps, min_lr=0.001, peak_lr=0.006), lrs, peak=0.006)
        assert_lr_close(evaluate(backend, lrfuncs.cyclic_momentum, steps), momenta)
    assert lrs[2000] == pytest.approx(0.006)
    assert lrs[4000] == pytest.approx(0.001)


# ---------------------------------------------------------------------------------------------------------------------
# exact landmarks, documented values


@pytest.mark.parametrize("backend", BACKENDS)
def test_exact_at_cycle_starts_and_peaks_at_giant_steps(backend: str) -> None:
    """Cycle ``k`` starts exactly at ``k * (up + down)`` (min_lr) and peaks at ``+ up`` (peak_lr).

    torch's ``1 + t / L - floor(1 + t / L)`` carries ``t * 2**-52`` of rounding; lrfuncs
    locates the cycle by an exact floor division, so even at 2**40 the values are exact.
    """
    cfg = {"min_lr": 0.25, "peak_lr": 1.5, "up_steps": 3, "down_steps": 7}
    ks = np.array([1, 10, 1000, 10**6, 2**36])
    steps = np.concatenate([10 * ks, 10 * ks + 3])
    out = evaluate(backend, lrfuncs.cyclic, steps, **cfg)
    np.testing.assert_array_equal(out, [0.25] * len(ks) + [1.5] * len(ks))


def test_triangular2_halves_the_amplitude_each_cycle() -> None:
    out = lrfuncs.cyclic(np.array([2, 6, 10, 14]), min_lr=0.0, peak_lr=1.0, up_steps=2, mode="triangular2")
    np.testing.assert_array_equal(out, [1.0, 0.5, 0.25, 0.125])
    m = lrfuncs.cyclic_momentum(np.array([0, 2, 6]), base_momentum=0.8, max_momentum=0.9, up_steps=2,
                                mode="triangular2")
    assert_lr_close(m, [0.9, 0.8, 0.85])


def test_exp_range_scales_per_step_or_per_cycle() -> None:
    g = 0.9
    per_step = lrfuncs.cyclic(np.array([2, 6]), min_lr=0.0, peak_lr=1.0, up_steps=2, mode="exp_range", gamma=g)
    assert_lr_close(per_step, [g**2, g**6])
    per_cycle = lrfuncs.cyclic(np.array([2, 6]), min_lr=0.0, peak_lr=1.0, up_steps=2, mode="exp_range", gamma=g,
                               scale_mode="cycle")
    assert_lr_close(per_cycle, [g, g**2])


def test_sawtooth_and_fractional_half_cycles() -> None:
    """down_steps=0: up then back to min_lr at once; fractional lengths as torch takes them (floats)."""
    saw = lrfuncs.cyclic(np.arange(7), min_lr=0.0, peak_lr=1.0, up_steps=3, down_steps=0)
    assert_lr_close(saw, [0.0, 1 / 3, 2 / 3, 0.0, 1 / 3, 2 / 3, 0.0])
    lrs, _ = torch_cyclic("sgd", 40, base_lr=0.0, max_lr=1.0, step_size_up=2.5, step_size_down=1.25)
    assert_lr_close(lrfuncs.cyclic(np.arange(40), min_lr=0.0, peak_lr=1.0, up_steps=2.5, down_steps=1.25), lrs)


def test_min_lr_none_is_zero_and_landmarks() -> None:
    s = lrfuncs.cyclic.bind(min_lr=None, peak_lr=1.0, up_steps=2, down_steps=3)
    assert s(2) == 1.0
    assert s(5) == 0.0
    assert s.landmarks()[:4] == [("peak 1", 2.0), ("restart 1", 5.0), ("peak 2", 7.0), ("restart 2", 10.0)]
    assert s.horizon is None  # periodic: no planned end
    m = lrfuncs.cyclic_momentum.bind(up_steps=4)
    assert m.landmarks()[:2] == [("peak 1", 4.0), ("restart 1", 8.0)]


def test_array_config_sweep() -> None:
    """min_lr / peak_lr / up_steps of shape (K, 1) with steps (N,) give the (K, N) sweep."""
    up = np.array([[2.0], [3.0], [5.0]])
    out = lrfuncs.cyclic(STEPS[:40], min_lr=0.01, peak_lr=0.1, up_steps=up, mode="triangular2")
    expected = np.stack([lrfuncs.cyclic(STEPS[:40], min_lr=0.01, peak_lr=0.1, up_steps=float(u),
                                        mode="triangular2") for u in up[:, 0]])
    assert_lr_close(out, expected, peak=0.1)


# ---------------------------------------------------------------------------------------------------------------------
# bad config


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"up_steps": 0}, r"Argument `up_steps` must be > 0. Received: up_steps=0"),
        ({"up_steps": -2.0}, r"`up_steps` must be > 0"),
        ({"down_steps": -1}, r"Argument `down_steps` must be >= 0. Received: down_steps=-1"),
        ({"mode": "triangle"}, r"Argument `mode` must be one of 'triangular', 'triangular2', 'exp_range'. "
                               r"Received: mode='triangle'"),
        ({"scale_mode": "epoch"}, r"Argument `scale_mode` must be one of 'cycle', 'iterations'"),
        ({"gamma": 0.0}, r"Argument `gamma` must be in \(0, 1\]. Received: gamma=0.0"),
        ({"gamma": 1.01}, r"`gamma` must be in \(0, 1\]"),
        ({"up_steps": float("nan")}, r"`up_steps` must be a finite number"),
    ],
)
def test_bad_cycle_config(config: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        lrfuncs.cyclic(0, **{"min_lr": 0.0, "peak_lr": 1.0, **config})
    with pytest.raises(ValueError, match=match):
        lrfuncs.cyclic_momentum.bind(**config)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"peak_lr": 0.0}, r"Argument `peak_lr` must be > 0. Received: peak_lr=0.0"),
        ({"min_lr": -0.1}, r"Argument `min_lr` must be >= 0. Received: min_lr=-0.1"),
        ({"min_lr": 2.0}, r"Argument `min_lr` must be <= `peak_lr`. Received: min_lr=2.0, peak_lr=1.0"),
    ],
)
def test_bad_lr_bounds(config: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        lrfuncs.cyclic(0, **{"min_lr": 0.0, "peak_lr": 1.0, **config})


@pytest.mark.parametrize("name", ["base_momentum", "max_momentum"])
@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_bad_momentum(name: str, value: float) -> None:
    with pytest.raises(ValueError, match=rf"Argument `{name}` must be in \[0, 1\]. Received: {name}={value}"):
        lrfuncs.cyclic_momentum(0, **{name: value})


def test_wrong_kinds_are_type_errors() -> None:
    with pytest.raises(TypeError, match="`up_steps` must be a number"):
        lrfuncs.cyclic(0, min_lr=0.0, peak_lr=1.0, up_steps="10")
    with pytest.raises(TypeError, match="missing required keyword argument"):
        lrfuncs.cyclic(0, peak_lr=1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument `scale_fn`"):
        lrfuncs.cyclic(0, min_lr=0.0, peak_lr=1.0, scale_fn=lambda x: 1.0)
