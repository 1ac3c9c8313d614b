"""Shared test helpers: evaluate a schedule on every backend, compare with float64 tolerance.

JAX runs with ``jax_enable_x64`` so that parity with the float64 anchors (torch,
HF, timm run in Python floats) is checked at float64 precision.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings

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
