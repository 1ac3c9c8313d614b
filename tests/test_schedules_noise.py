"""The ``noise`` composite: deterministic, backend-independent noise with timm's distributions.

timm draws its scheduler noise from ``torch.Generator().manual_seed(noise_seed + t)``; those
exact numbers cannot be reproduced without torch's generator, so lrfuncs uses a counter-based
hash (``lrfuncs._phases.counter_uniform``) and the comparison with timm is *statistical*:
timm's real scheduler (``StepLRScheduler`` with a constant lr, stepped for real with its noise
arguments) and lrfuncs give samples that a two-sample Kolmogorov-Smirnov test cannot tell apart,
and both match the truncated normal (or uniform) that timm's rejection loop describes
(``scipy.stats`` as the reference distribution). Every sample here is deterministic (fixed
seeds), so the statistical tests cannot flake.

Also: determinism (calls, bound schedules, pickling, to_dict), the same values on every backend
(the hash bit for bit), zero noise outside ``[begin_step, end_step)``, float32 behaviour, the
accuracy of the normal quantile and error function helpers, and bad config.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pathlib
import pickle
import sys
import types
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
from conftest import BACKENDS, assert_lr_close, evaluate

import lrfuncs
from lrfuncs._dispatch import _namespace, python_ops
from lrfuncs._phases import counter_uniform, erf, ndtri

N = 10_000
STEPS = np.arange(N)
FLAT = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=1e30)  # 1.0 at every step used here
#: deterministic tests of fixed samples: a p-value below this fails
P_MIN = 1e-3


def _load_timm_scheduler(module: str) -> Any:
    d = pathlib.Path(importlib.util.find_spec("timm").submodule_search_locations[0]) / "scheduler"
    if "_timm_sched" not in sys.modules:
        pkg = types.ModuleType("_timm_sched")
        pkg.__path__ = [str(d)]
        sys.modules["_timm_sched"] = pkg
    return importlib.import_module(f"_timm_sched.{module}")


StepLRScheduler = _load_timm_scheduler("step_lr").StepLRScheduler


def timm_noise(n: int, noise_type: str = "normal", **noise: Any) -> np.ndarray:
    """The noise timm's real scheduler adds to a constant lr of 1 for ``step(t)``, t = 0 .. n-1.

    Only timm's base ``Scheduler`` (and the deprecated plateau wrapper) take ``noise_type``;
    the other classes leave it at ``"normal"``, so the uniform kind is set on the attribute
    the base class reads.
    """
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    sched = StepLRScheduler(opt, decay_t=10**9, noise_range_t=(0, n), **noise)
    sched.noise_type = noise_type
    out = []
    for t in range(n):
        sched.step(t)
        out.append(opt.param_groups[0]["lr"] - 1.0)
    return np.asarray(out)


def our_noise(**cfg: Any) -> np.ndarray:
    return lrfuncs.noise(STEPS, inner=FLAT, **cfg) - 1.0


def truncnorm(pct: float, std: float) -> Any:
    return scipy.stats.truncnorm(-pct / std, pct / std, scale=std)


# ---------------------------------------------------------------------------------------------------------------------
# distribution: the truncated normal / uniform, and timm's own samples


@pytest.mark.parametrize(("pct", "std", "seed"), [(0.67, 1.0, 42), (0.3, 0.5, 0), (1.0, 0.2, 12345), (0.05, 1.0, 7)])
def test_normal_noise_is_the_truncated_normal(pct: float, std: float, seed: int) -> None:
    n = our_noise(pct=pct, std=std, seed=seed)
    dist = truncnorm(pct, std)
    assert np.all(np.abs(n) < pct)
    assert abs(n.mean()) < 4 * dist.std() / np.sqrt(N)
    assert n.std() == pytest.approx(dist.std(), rel=0.05)
    assert scipy.stats.kstest(n, dist.cdf).pvalue > P_MIN


@pytest.mark.parametrize(("pct", "seed"), [(0.67, 42), (0.1, 3)])
def test_uniform_noise_is_uniform(pct: float, seed: int) -> None:
    n = our_noise(pct=pct, kind="uniform", seed=seed)
    assert np.all(np.abs(n) < pct)
    assert scipy.stats.kstest(n, scipy.stats.uniform(-pct, 2 * pct).cdf).pvalue > P_MIN


@pytest.mark.parametrize(
    "noise",
    [
        {"noise_pct": 0.67, "noise_std": 1.0, "noise_seed": 42},
        {"noise_pct": 0.3, "noise_std": 0.5, "noise_seed": 1},
        {"noise_pct": 0.5, "noise_type": "uniform", "noise_seed": 42},
    ],
)
def test_same_distribution_as_timm(noise: dict[str, Any]) -> None:
    """Two-sample KS: timm's real noise (torch's generator) and lrfuncs' (a hash) are one distribution."""
    theirs = timm_noise(N, **noise)
    kind = noise.get("noise_type", "normal")
    ours = our_noise(pct=noise["noise_pct"], std=noise.get("noise_std", 1.0), seed=noise["noise_seed"], kind=kind)
    pct = noise["noise_pct"]
    assert np.all(np.abs(theirs) < pct * (1 + 1e-6))  # timm writes float32-rounded lrs
    assert np.all(np.abs(ours) < pct)
    assert scipy.stats.ks_2samp(theirs, ours).pvalue > P_MIN
    ref = truncnorm(pct, noise.get("noise_std", 1.0)) if kind == "normal" else scipy.stats.uniform(-pct, 2 * pct)
    assert scipy.stats.kstest(theirs, ref.cdf).pvalue > P_MIN  # timm's loop: the same reference


def test_steps_and_seeds_look_independent() -> None:
    """No correlation between consecutive steps, nor between neighbouring seeds (timm's seed + t shifts)."""
    a = counter_uniform(_namespace("numpy"), STEPS.astype(float), 41)
    b = counter_uniform(_namespace("numpy"), STEPS.astype(float), 42)
    for x, y in ((a[:-1], a[1:]), (a, b), (a[1:], b[:-1])):
        assert abs(np.corrcoef(x, y)[0, 1]) < 4 / np.sqrt(N)
    pairs, _, _ = np.histogram2d(a[:-1], a[1:], bins=10)
    assert scipy.stats.chisquare(pairs.ravel()).pvalue > P_MIN


# ---------------------------------------------------------------------------------------------------------------------
# determinism and backends


def test_deterministic_bound_pickled_and_from_dict() -> None:
    s = lrfuncs.noise.bind(inner=FLAT, pct=0.2, seed=9, begin_step=3, end_step=500)
    first = s(STEPS[:600])
    np.testing.assert_array_equal(s(STEPS[:600]), first)
    np.testing.assert_array_equal(lrfuncs.noise(STEPS[:600], inner=FLAT, pct=0.2, seed=9, begin_step=3,
                                                end_step=500), first)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(s))(STEPS[:600]), first)
    back = lrfuncs.Schedule.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s
    np.testing.assert_array_equal(back(STEPS[:600]), first)
    assert [s(int(t)) for t in range(0, 600, 37)] == first[::37].tolist()
    assert s(12.75) == s(12)  # a fractional step has the noise of its whole step


def test_identical_on_every_backend() -> None:
    """The hash bit for bit; the noisy lr to float64 rounding (the quantile's divisions)."""
    inner = lrfuncs.warmup_cosine.bind(peak_lr=0.3, warmup_steps=100, total_steps=N)
    s = lrfuncs.noise.bind(inner=inner, pct=0.5, std=0.8, seed=2024, begin_step=50)
    ref = evaluate("numpy", s, STEPS)
    for backend in BACKENDS:
        assert_lr_close(evaluate(backend, s, STEPS), ref, peak=0.3)
    k = STEPS.astype(np.float64)
    u = counter_uniform(_namespace("numpy"), k, 2024)
    np.testing.assert_array_equal(counter_uniform(_namespace("torch"), torch.as_tensor(k), 2024).numpy(), u)
    np.testing.assert_array_equal(np.asarray(counter_uniform(_namespace("jax"), jnp.asarray(k), 2024)), u)
    jit = jax.jit(lambda t: counter_uniform(_namespace("jax"), t, 2024))
    np.testing.assert_array_equal(np.asarray(jit(jnp.asarray(k))), u)
    assert [counter_uniform(python_ops, float(i), 2024) for i in range(0, N, 97)] == u[::97].tolist()


def test_giant_steps_and_seeds() -> None:
    """Steps up to 2**53 and seeds up to 2**32 - 1 stay exact: the same numbers on every backend."""
    k = np.array([2.0**24, 2.0**24 + 1, 2.0**40, 2.0**53 - 1])
    for seed in (0, 2**31, 2**32 - 1):
        u = counter_uniform(_namespace("numpy"), k, seed)
        assert np.all((u > 0) & (u < 1))
        assert len(set(u.tolist())) == len(k)
        np.testing.assert_array_equal(counter_uniform(_namespace("torch"), torch.as_tensor(k), seed).numpy(), u)
        np.testing.assert_array_equal(np.asarray(counter_uniform(_namespace("jax"), jnp.asarray(k), seed)), u)
        assert [counter_uniform(python_ops, float(x), seed) for x in k] == u.tolist()


def test_float32_steps() -> None:
    """The hash is exact in float32 too (every value is a whole number below 2**24): u and the noise
    agree with float64 to float32 rounding, for steps up to 2**24."""
    k = np.concatenate([np.arange(5000), 2**24 - np.arange(1, 100)]).astype(np.float32)
    u32 = counter_uniform(_namespace("numpy"), k, 42)
    assert u32.dtype == np.float32
    np.testing.assert_allclose(u32, counter_uniform(_namespace("numpy"), k.astype(np.float64), 42), rtol=2e-7)
    t32 = torch.as_tensor(k)
    assert counter_uniform(_namespace("torch"), t32, 42).dtype == torch.float32
    s = lrfuncs.noise.bind(inner=FLAT, pct=0.67, seed=42)
    out = s(k)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, s(k.astype(np.float64)), rtol=1e-5)
    np.testing.assert_allclose(s(t32).numpy(), out, rtol=1e-6)


def test_zero_noise_outside_its_range() -> None:
    inner = lrfuncs.step_decay.bind(peak_lr=0.1, step_size=100, gamma=0.5)
    s = lrfuncs.noise.bind(inner=inner, pct=0.4, begin_step=100, end_step=300)
    out, base = s(STEPS[:500]), inner(STEPS[:500])
    np.testing.assert_array_equal(out[:100], base[:100])
    np.testing.assert_array_equal(out[300:], base[300:])
    assert np.all(out[100:300] != base[100:300])
    assert np.all(np.abs(out[100:300] / base[100:300] - 1) < 0.4)
    assert s.landmarks() == [("noise begin", 100.0), ("noise end", 300.0)]  # step_decay has none
    empty = lrfuncs.noise.bind(inner=inner, begin_step=7, end_step=7)
    np.testing.assert_array_equal(empty(STEPS[:50]), inner(STEPS[:50]))


def test_landmarks_are_the_inner_ones_plus_the_noise_range() -> None:
    inner = lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=10, total_steps=100)
    s = lrfuncs.noise.bind(inner=inner, begin_step=20, end_step=80)
    assert s.landmarks() == [("warmup end", 10.0), ("noise begin", 20.0), ("noise end", 80.0), ("end", 100.0)]
    assert s.horizon == 100.0
    assert lrfuncs.noise.bind(inner=inner).landmarks() == inner.landmarks()


def test_seed_sweep() -> None:
    """seeds of shape (K, 1) with steps (N,) give K independent noisy curves (K, N)."""
    seeds = np.array([[0.0], [1.0], [99.0]])
    out = lrfuncs.noise(STEPS[:200], inner=FLAT, seed=seeds, pct=0.3)
    assert out.shape == (3, 200)
    for i, sd in enumerate(seeds[:, 0]):
        assert_lr_close(out[i], lrfuncs.noise(STEPS[:200], inner=FLAT, seed=int(sd), pct=0.3))
    jx = jax.vmap(lambda sd: lrfuncs.noise(jnp.arange(200.0), inner=FLAT, seed=sd, pct=0.3))(jnp.asarray(seeds[:, 0]))
    assert_lr_close(np.asarray(jx), out)


# ---------------------------------------------------------------------------------------------------------------------
# the normal distribution helpers (lrfuncs._phases)


@pytest.mark.parametrize("backend", ["python", "numpy", "jax", "torch"])
def test_ndtri_and_erf_accuracy(backend: str) -> None:
    p = np.concatenate([np.linspace(1e-9, 1 - 1e-9, 2001), [1e-300, 1e-20, 0.075, 0.925, 0.5, 1 - 2**-53]])
    x = np.concatenate([np.linspace(-12.0, 12.0, 2001), [0.0, 1.0, -1.0, 8.0, 30.0]])

    def run(fn: Any, v: np.ndarray) -> np.ndarray:
        if backend == "python":
            return np.array([fn(python_ops, float(a)) for a in v])
        conv = {"numpy": np.asarray, "jax": jnp.asarray, "torch": torch.as_tensor}[backend]
        out = fn(_namespace(backend), conv(v))
        return out.numpy() if isinstance(out, torch.Tensor) else np.asarray(out)

    z, ref = run(ndtri, p), scipy.special.ndtri(p)
    np.testing.assert_allclose(z, ref, rtol=5e-15, atol=1e-15)
    np.testing.assert_allclose(run(erf, x), scipy.special.erf(x), rtol=5e-16, atol=1e-300)


def test_helpers_have_finite_gradients() -> None:
    p = jnp.concatenate([jnp.linspace(1e-12, 1 - 1e-12, 501), jnp.asarray([0.5, 0.075, 0.925])])
    g = jax.vmap(jax.grad(lambda q: ndtri(_namespace("jax"), q)))(p)
    assert np.all(np.isfinite(np.asarray(g)))
    x = jnp.linspace(-40.0, 40.0, 801)
    g = jax.vmap(jax.grad(lambda a: erf(_namespace("jax"), a)))(x)
    assert np.all(np.isfinite(np.asarray(g)))
    np.testing.assert_allclose(np.asarray(g), 2 / np.sqrt(np.pi) * np.exp(-np.asarray(x) ** 2), rtol=1e-13,
                               atol=1e-280)


# ---------------------------------------------------------------------------------------------------------------------
# bad config


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        ({"pct": 0.0}, ValueError, r"Argument `pct` must be in \(0, 1\]. Received: pct=0.0"),
        ({"pct": 1.5}, ValueError, r"Argument `pct` must be in \(0, 1\]. Received: pct=1.5"),
        ({"std": 0.0}, ValueError, r"Argument `std` must be > 0. Received: std=0.0"),
        ({"seed": -1}, ValueError, r"Argument `seed` must be >= 0. Received: seed=-1"),
        ({"seed": 1.5}, ValueError, r"Argument `seed` must be a whole number. Received: seed=1.5"),
        ({"seed": 2**32}, ValueError, r"Argument `seed` must be < 2\*\*32 = 4294967296. Received: seed=4294967296"),
        ({"kind": "gaussian"}, ValueError, r"Argument `kind` must be one of 'normal', 'uniform'"),
        ({"begin_step": -1}, ValueError, r"Argument `begin_step` must be >= 0. Received: begin_step=-1"),
        ({"begin_step": 10, "end_step": 5}, ValueError,
         r"Argument `begin_step` must be <= `end_step`. Received: begin_step=10, end_step=5"),
        ({"seed": "42"}, TypeError, r"Argument `seed` must be a number"),
    ],
)
def test_bad_config(config: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        lrfuncs.noise(0, inner=FLAT, **config)
    with pytest.raises(error, match=match):
        lrfuncs.noise.bind(inner=FLAT, **config)


def test_inner_must_be_a_bound_schedule() -> None:
    with pytest.raises(TypeError, match=r"Argument `inner` must be an lrfuncs Schedule .* Bind it first"):
        lrfuncs.noise(0, inner=lrfuncs.cosine_decay)
    with pytest.raises(TypeError, match=r"Argument `inner` must be an lrfuncs Schedule"):
        lrfuncs.noise(0, inner=0.1)
