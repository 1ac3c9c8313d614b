"""A plateau on top of a step schedule (optax): the effective lr is ``schedule(count) * scale``."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrfuncs
from lrfuncs.backends.jax import as_optax, reduce_on_plateau
from lrfuncs.backends.numpy import plateau_replay
from lrfuncs.plateau import Plateau


def test_plateau_scale_multiplies_any_step_schedule() -> None:
    schedule = lrfuncs.warmup_cosine.bind(peak_lr=0.1, warmup_steps=3, total_steps=20, init_lr=0.0)
    plateau = Plateau(factor=0.5, patience=1)
    opt = optax.chain(optax.sgd(as_optax(schedule)), reduce_on_plateau(plateau))
    params = jnp.zeros(3)
    state = opt.init(params)
    step = jax.jit(lambda g, s, p, v: opt.update(g, s, p, value=v))
    losses = [5.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    scales = plateau_replay(plateau, losses)  # the scale after each loss
    grads = jnp.asarray([1.0, -2.0, 0.5])
    for k, loss in enumerate(losses):
        updates, state = step(grads, state, params, loss)
        expected = -float(schedule(k)) * scales[k] * np.asarray(grads)
        np.testing.assert_allclose(np.asarray(updates), expected, rtol=1e-6, atol=1e-12)
    # torch's rule (patience=1: reduce on the 2nd bad evaluation in a row): 4 reductions
    assert scales.tolist() == [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625]


def test_reduce_on_plateau_rejects_a_missing_metric() -> None:
    tx = reduce_on_plateau(Plateau())
    state = tx.init(jnp.zeros(2))
    with pytest.raises(TypeError, match="value"):
        tx.update(jnp.ones(2), state, jnp.zeros(2))
