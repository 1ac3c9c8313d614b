"""``lrfuncs.backends.jax.curve``'s per-call caches: a repeated call is replayed, never stale.

A bound schedule's curve keeps its packed config on the device and replays its
last call (same length, start, default dtype and device) without the argument
checks. These tests prove the replay returns the values of the call it stands
for, that it never skips a check or ignores the x64 flag, that a default call
still follows the caller's default device (numbers cached on a device are
uncommitted, as a numpy argument was), and that the caches forget a schedule
once it is garbage.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_lr_close

import lrfuncs
from lrfuncs.backends import jax as lrjax


def test_repeated_calls_replay_the_same_values() -> None:
    s = lrfuncs.warmup_cosine.bind(peak_lr=0.3, warmup_steps=7, total_steps=60, init_lr=0.0)
    steps = np.arange(80.0)
    first = np.asarray(lrjax.curve(s, 80))
    assert_lr_close(first, s(steps), peak=0.3)
    size = lrjax._cache_size()
    for _ in range(3):  # replayed: equal values, no new compilation
        np.testing.assert_array_equal(np.asarray(lrjax.curve(s, 80)), first)
    assert lrjax._cache_size() == size
    # another start, another length, another schedule of the same function: each its own values
    assert_lr_close(np.asarray(lrjax.curve(s, 80, start=9)), s(steps + 9), peak=0.3)
    assert_lr_close(np.asarray(lrjax.curve(s, 30)), s(steps[:30]), peak=0.3)
    other = lrfuncs.warmup_cosine.bind(peak_lr=0.7, warmup_steps=3, total_steps=50, init_lr=0.0)
    assert_lr_close(np.asarray(lrjax.curve(other, 80)), other(steps), peak=0.7)
    np.testing.assert_array_equal(np.asarray(lrjax.curve(s, 80)), first)


def test_replay_keeps_the_argument_checks() -> None:
    s = lrfuncs.step_decay.bind(peak_lr=1.0, step_size=2, gamma=0.5)
    lrjax.curve(s, 4)
    lrjax.curve(s, 4, start=3)
    # equal to the remembered call, but not whole numbers: still rejected
    with pytest.raises(ValueError, match=r"Argument `num_steps` must be a whole number >= 0. Received: num_steps=4.0"):
        lrjax.curve(s, 4.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Argument `start` must be a whole number >= 0. Received: start=3.0"):
        lrjax.curve(s, 4, start=3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Argument `num_steps` must be a whole number >= 0. Received: num_steps=True"):
        lrjax.curve(s, True)
    # numpy integers are whole numbers
    out = lrjax.curve(s, np.int64(4), start=np.int32(3))  # type: ignore[arg-type]
    np.testing.assert_array_equal(np.asarray(out), [0.5, 0.25, 0.25, 0.125])


def test_replay_follows_the_x64_flag_and_dtype() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=30)
    assert lrjax.curve(s, 40).dtype == jnp.float64
    with jax.enable_x64(False):
        low = lrjax.curve(s, 40)
        assert low.dtype == jnp.float32
        assert lrjax.curve(s, 40).dtype == jnp.float32
    high = lrjax.curve(s, 40)
    assert high.dtype == jnp.float64
    assert lrjax.curve(s, 40, dtype=jnp.float32).dtype == jnp.float32
    assert lrjax.curve(s, 40).dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(low), np.asarray(high), rtol=2e-6, atol=1e-8)


def test_bound_sweep_is_replayed() -> None:
    peaks = np.array([[0.1], [0.2]])
    s = lrfuncs.cosine_decay.bind(peak_lr=peaks, total_steps=30)
    expected = s(np.arange(40.0))
    for _ in range(2):
        out = lrjax.curve(s, 40)
        assert out.shape == (2, 40)
        assert_lr_close(np.asarray(out), expected, peak=0.2)


def test_caches_forget_a_dead_schedule() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=30)
    lrjax.curve(s, 10)
    key = id(s)
    assert key in lrjax._LAST
    assert key in lrjax._PREPARED
    del s
    gc.collect()
    assert key not in lrjax._LAST
    assert key not in lrjax._PREPARED


_DEVICES = textwrap.dedent(
    """
    import jax
    jax.config.update("jax_num_cpu_devices", 2)
    jax.config.update("jax_enable_x64", True)
    import numpy as np
    import lrfuncs
    from lrfuncs.backends.jax import curve
    d0, d1 = jax.devices()
    s = lrfuncs.warmup_cosine.bind(peak_lr=1.0, warmup_steps=3, total_steps=10)
    ref = np.asarray(curve(s, 12))
    def check(out, dev):
        assert out.devices() == {dev}, (out.devices(), dev)
        assert not out.committed
        np.testing.assert_array_equal(np.asarray(out), ref)
    check(curve(s, 12), d0)
    with jax.default_device(d1):  # numbers cached on d0 follow the caller's default device
        check(curve(s, 12), d1)
    check(curve(s, 12, device=d1), d1)
    check(curve(s, 12, device=d1), d1)
    check(curve(s, 12), d0)
    check(curve(s, 12, device=d0), d0)
    peaks = jax.device_put(np.array([[1.0], [2.0]]), d1)  # committed array config decides, as before
    out = curve(lrfuncs.cosine_decay.bind(peak_lr=peaks, total_steps=4), 5)
    assert out.devices() == {d1} and out.shape == (2, 5)
    print("ok")
    """
)


def test_devices_with_two_cpu_devices() -> None:
    # a fresh process: the number of CPU devices is fixed when JAX's backend starts
    run = subprocess.run([sys.executable, "-c", _DEVICES], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "ok"
