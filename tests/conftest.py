"""Shared test helpers: evaluate a schedule on every backend, compare with float64 tolerance.

JAX runs with ``jax_enable_x64`` so that parity with the float64 anchors (torch,
HF, timm run in Python floats) is checked at float64 precision.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # keras (an anchor) runs on JAX here
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings

jax.config.update("jax_enable_x64", True)

settings.register_profile(
    "lrfuncs",
    max_examples=int(os.environ.get("LRFUNCS_MAX_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
settings.load_profile("lrfuncs")

#: Every way lrfuncs evaluates a schedule.
BACKENDS = ("python", "numpy", "jax", "jax_jit", "jax_vmap", "torch")

#: Relative tolerance for "equal to the anchor to float64 rounding".
RTOL = 1e-12
#: Absolute floor, as a fraction of the peak lr. Near the floor of a cosine,
#: 1 + cos(x) cancels catastrophically, so anchors that order pi * t / T
#: differently disagree in the last bits *relative to the peak*, not to the value.
ATOL_PEAK = 1e-15


def evaluate(backend: str, fn: Callable[..., Any], steps: Sequence[float] | np.ndarray, **config: Any) -> np.ndarray:
    """``fn(step, **config)`` for every step, through ``backend``, as a float64 numpy array."""
    steps = np.asarray(steps)
    if backend == "python":
        py = [int(s) if float(s).is_integer() and steps.dtype.kind in "iu" else float(s) for s in steps]
        out = [fn(s, **config) for s in py]
        assert all(type(v) is float for v in out), [type(v) for v in out]
        return np.asarray(out, dtype=np.float64)
    if backend == "numpy":
        out = fn(steps, **config)
        assert isinstance(out, np.ndarray)
        return np.asarray(out, dtype=np.float64)
    if backend == "jax":
        out = fn(jnp.asarray(steps), **config)
        assert isinstance(out, jax.Array)
        return np.asarray(out, dtype=np.float64)
    if backend == "jax_jit":
        return np.asarray(jax.jit(lambda s: fn(s, **config))(jnp.asarray(steps)), dtype=np.float64)
    if backend == "jax_vmap":
        return np.asarray(jax.vmap(lambda s: fn(s, **config))(jnp.asarray(steps)), dtype=np.float64)
    if backend == "torch":
        out = fn(torch.as_tensor(steps), **config)
        assert isinstance(out, torch.Tensor)
        return out.double().numpy()
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def assert_lr_close(actual: Any, expected: Any, *, peak: float = 1.0, rtol: float = RTOL) -> None:
    """``|actual - expected| <= rtol * |expected| + ATOL_PEAK * peak`` elementwise, with a useful report."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, (a.shape, e.shape)
    assert np.all(np.isfinite(a)), a
    err = np.abs(a - e).ravel()
    bound = (rtol * np.abs(e) + ATOL_PEAK * abs(peak)).ravel()
    bad = np.nonzero(err > bound)[0]
    if len(bad):
        i = bad[0]
        where = np.unravel_index(i, a.shape) if a.ndim else ()
        raise AssertionError(
            f"{len(bad)} of {a.size} values differ; first at index {where}: "
            f"actual={a.flat[i]!r} expected={e.flat[i]!r} rel={err[i] / max(abs(e.flat[i]), 1e-300):.3e}"
        )


#: A representative, non-default config for every registered schedule (tests assert it covers them all).
CONFIGS: dict[str, dict[str, Any]] = {
    "step_decay": {"peak_lr": 0.1, "step_size": 7, "gamma": 0.5},
    "multistep_decay": {"peak_lr": 0.1, "milestones": [3, 8, 8, 40], "gamma": 0.3},
    "cosine_decay": {"peak_lr": 0.2, "total_steps": 40, "min_lr_ratio": 0.1, "exponent": 2.0},
    "cosine_restarts": {
        "peak_lr": 0.3,
        "cycle_steps": 5,
        "cycle_mult": 2.0,
        "min_lr": 0.01,
        "peak_decay": 0.8,
        "max_cycles": 3,
        "warmup_steps": 4,
        "init_lr": 0.001,
        "cycle_warmup_steps": 1,
    },
    "onecycle": {"peak_lr": 0.5, "total_steps": 50, "pct_start": 0.25, "anneal": "linear", "three_phase": True},
    "onecycle_momentum": {
        "total_steps": 50,
        "pct_start": 0.25,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
        "convention": "optax",
    },
    "warmup_constant": {"peak_lr": 1e-3, "warmup_steps": 10, "init_lr": 0.0},
    "warmup_linear": {"peak_lr": 1e-3, "warmup_steps": 10, "total_steps": 60, "min_lr": 1e-5},
    "warmup_cosine": {
        "peak_lr": 3e-4,
        "warmup_steps": 10,
        "total_steps": 60,
        "min_lr_ratio": 0.1,
        "num_cycles": 0.75,
        "floor_mode": "clip",
        "periodic": True,
    },
}


from schedule_cases import CASES  # noqa: E402  (per-family test data of the newer schedules)

CONFIGS.update({name: case.config for name, case in CASES.items()})


#: Backends where an example costs microseconds; eager JAX re-dispatches every op, so gets fewer examples.
CHEAP = ("python", "numpy", "torch")


def examples(backend: str) -> int:
    """Hypothesis examples for one backend: the profile's count, a tenth of it for the JAX backends."""
    n = settings.default.max_examples
    return n if backend in CHEAP else max(3, n // 10)


def per_backend(backend: str, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """``@given(...)`` with the example count of :func:`examples` (used on a function inside the test)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        return settings(max_examples=examples(backend))(given(*args, **kwargs)(fn))

    return decorate
