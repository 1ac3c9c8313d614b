"""The range test on a real small problem: scikit-learn's bundled digits, a small MLP, Adam, CPU.

* The torch runner's suggestion (steepest slope, torch-lr-finder's rule) trains, in a fixed
  budget of 150 updates from the same initial weights, to a lower loss (training and
  held-out) than 10x above and 10x below it.
* The JAX runner (one jitted ``optax_train_step``, traced once) on the same problem, data
  order and initial weights agrees with the torch runner's suggestion within a factor of 2,
  and leaves the params it was given untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from sklearn.datasets import load_digits

from lrfuncs.backends._range_jax import optax_train_step
from lrfuncs.backends._range_jax import range_test as jax_range_test
from lrfuncs.backends._range_torch import range_test

BATCH = 64
N_TRAIN = 1400
BUDGET = 150
SWEEP = {"start_lr": 1e-5, "end_lr": 10.0, "num_steps": 100}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """Tiny models: two threads on a shared two-core machine are 20x slower than one."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def problem() -> dict[str, Any]:
    x, y = load_digits(return_X_y=True)
    perm = np.random.default_rng(0).permutation(len(x))
    x = (x[perm] / 16.0).astype(np.float32)
    y = y[perm].astype(np.int64)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    batches = [(xt[i : i + BATCH], yt[i : i + BATCH]) for i in range(0, N_TRAIN - BATCH + 1, BATCH)]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    return {"x": x, "y": y, "xt": xt, "yt": yt, "batches": batches, "model": model}


def _train(problem: dict[str, Any], lr: float) -> tuple[float, float]:
    """Adam at a constant ``lr`` for BUDGET updates from the shared initial weights: (train, held-out) loss."""
    model = copy.deepcopy(problem["model"])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss()
    batches = problem["batches"]
    for k in range(BUDGET):
        x, y = batches[k % len(batches)]
        opt.zero_grad()
        criterion(model(x), y).backward()
        opt.step()
    xt, yt = problem["xt"], problem["yt"]
    with torch.no_grad():
        train = criterion(model(xt[:N_TRAIN]), yt[:N_TRAIN]).item()
        held_out = criterion(model(xt[N_TRAIN:]), yt[N_TRAIN:]).item()
    return train, held_out


@pytest.fixture(scope="module")
def torch_result(problem: dict[str, Any]) -> Any:
    model = copy.deepcopy(problem["model"])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return range_test(model, opt, torch.nn.CrossEntropyLoss(), problem["batches"], progress=False, **SWEEP)


def test_suggestion_beats_ten_times_above_and_below(problem: dict[str, Any], torch_result: Any) -> None:
    s = torch_result.suggestion
    assert s is not None
    assert SWEEP["start_lr"] < s < SWEEP["end_lr"]
    at, above, below = _train(problem, s), _train(problem, 10 * s), _train(problem, s / 10)
    assert at[0] < above[0], (s, at, above)
    assert at[0] < below[0], (s, at, below)
    assert at[1] < above[1], (s, at, above)  # held out as well
    assert at[1] < below[1], (s, at, below)


def _jax_params(model: torch.nn.Module) -> dict[str, jax.Array]:
    """The torch MLP's initial weights as JAX float32 arrays (x @ w + b)."""
    first, last = model[0], model[2]
    return {
        "w1": jnp.asarray(first.weight.detach().numpy().T),
        "b1": jnp.asarray(first.bias.detach().numpy()),
        "w2": jnp.asarray(last.weight.detach().numpy().T),
        "b2": jnp.asarray(last.bias.detach().numpy()),
    }


def _loss(params: Any, batch: Any) -> Any:
    x, y = batch
    h = jax.nn.relu(x @ params["w1"] + params["b1"])
    logits = h @ params["w2"] + params["b2"]
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def test_jax_runner_agrees_with_torch_runner(problem: dict[str, Any], torch_result: Any) -> None:
    params = _jax_params(problem["model"])
    before = jax.tree.map(np.array, params)
    opt = optax.inject_hyperparams(optax.adam)(learning_rate=1e-3)
    inner = optax_train_step(_loss, opt)
    traces = []

    def train_step(p: Any, s: Any, batch: Any, lr: Any) -> Any:
        traces.append(1)
        return inner(p, s, batch, lr)

    batches = [(jnp.asarray(x.numpy()), jnp.asarray(y.numpy(), dtype=jnp.int32)) for x, y in problem["batches"]]
    result = jax_range_test(train_step, params, opt.init(params), batches, progress=False, **SWEEP)
    assert len(traces) == 1  # one compiled step for the whole sweep
    jax.tree.map(np.testing.assert_array_equal, jax.tree.map(np.array, params), before)
    assert result.lrs.tolist() == torch_result.lrs.tolist()
    np.testing.assert_allclose(result.losses[:20], torch_result.losses[:20], rtol=1e-3)  # same problem, float32
    ratio = result.suggestion / torch_result.suggestion
    assert 0.5 <= ratio <= 2.0, (result.suggestion, torch_result.suggestion)
