"""The pure parts of the LR range test: the sweep, smoothing, divergence, suggestions, the result.

* ``lr_sweep`` equals torch-lr-finder 0.2.2's own ``ExponentialLR`` / ``LinearLR`` scheduler
  classes stepped for real with an optimizer (bit for bit on Python numbers, to float64
  rounding on every backend), for hypothesis-drawn sweeps; the fastai and Lightning
  conventions equal the golden values of anchors.md §3.13 and their source formulas.
* ``smooth`` and ``diverged`` equal what torch-lr-finder's real ``LRFinder.range_test`` records
  and where it stops, and ``suggest_steepest`` equals the lr returned by its real
  ``plot(suggest_lr=True)``: the finder runs on a scripted model whose losses are drawn by
  hypothesis (so the anchor's own code smooths them, stops and suggests).
* fastai and Lightning are not installed: their suggestion functions and the bias-corrected
  smoothing are checked against golden values and transcriptions of their source lines
  (named in each test's docstring).
* The result round-trips through JSON, plots to PNG (Agg), and the CLI prints and plots.
* The JAX runner: one trace for the whole sweep, inputs untouched, the optax helper,
  bad input.
* Bad input raises ValueError / TypeError naming the argument.
"""

from __future__ import annotations

import copy
import json
import math
import pickle
import warnings
from typing import Any

import matplotlib

matplotlib.use("Agg")

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import optax
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # tqdm.autonotebook's experimental warning
    from torch_lr_finder import LRFinder
    from torch_lr_finder.lr_finder import ExponentialLR, LinearLR

from lrfuncs import range_test as rt
from lrfuncs.backends._range_jax import optax_train_step
from lrfuncs.backends._range_jax import range_test as jax_range_test
from lrfuncs.schedules.sweep import lr_sweep

pytestmark = pytest.mark.filterwarnings(
    "ignore:To get the last learning rate computed by the scheduler:UserWarning",  # torch-lr-finder's get_lr()
    "ignore::DeprecationWarning:torch_lr_finder",
)

FEW = min(settings.default.max_examples, 25)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Any:
    """Tiny models: two threads on a shared two-core machine are 20x slower than one."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# ----------------------------------------------------------------------------------------------
# The sweep
# ----------------------------------------------------------------------------------------------


def _finder_sweep(start: float, end: float, n: int, mode: str) -> list[float]:
    """torch-lr-finder's schedule class stepped for real: the lr of each of the ``n`` updates."""
    p = torch.nn.Parameter(torch.zeros(1))
    p.grad = torch.zeros(1)
    opt = torch.optim.SGD([p], lr=start)
    sched = (ExponentialLR if mode == "exp" else LinearLR)(opt, end, n)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


sweeps = st.tuples(
    st.one_of(st.sampled_from([1e-7, 1e-5, 1e-3]), st.floats(1e-8, 1.0)),
    st.one_of(st.sampled_from([10.0, 1e3, 1.5]), st.floats(1.0001, 1e9)),
    st.one_of(st.sampled_from([2, 3, 100]), st.integers(2, 300)),
    st.sampled_from(["exp", "linear"]),
)


@settings(max_examples=FEW)
@given(sweep=sweeps)
def test_sweep_equals_torch_lr_finder_schedules(sweep: tuple[float, float, int, str]) -> None:
    start, factor, n, mode = sweep
    end = start * factor
    expected = _finder_sweep(start, end, n, mode)
    cfg = {"start_lr": start, "end_lr": end, "num_steps": n, "mode": mode}
    assert [lr_sweep(k, **cfg) for k in range(n)] == expected  # bit for bit on Python numbers
    bound = lr_sweep.bind(**cfg)
    assert [bound(k) for k in range(n)] == expected
    steps = np.arange(n + 3)  # and past the end: the last value holds
    held = [*expected, expected[-1], expected[-1], expected[-1]]
    for backend in ("numpy", "torch"):  # the JAX backends: test_sweep_every_backend (a compile per config)
        assert_lr_close(evaluate(backend, lr_sweep, steps, **cfg), held, peak=end)


@pytest.mark.parametrize("mode", ["exp", "linear"])
@pytest.mark.parametrize("convention", ["torch_lr_finder", "fastai", "lightning"])
def test_sweep_every_backend(mode: str, convention: str) -> None:
    """Python == numpy == JAX (eager, jit, vmap) == torch, also at fractional steps and past the end."""
    steps = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 7.0, 48.5, 49.0, 49.75, 50.0, 51.0, 1e4, 1e12])
    cfg = {"start_lr": 1e-6, "end_lr": 3.0, "num_steps": 50, "mode": mode, "convention": convention}
    expected = evaluate("python", lr_sweep, steps, **cfg)
    for backend in BACKENDS[1:]:
        assert_lr_close(evaluate(backend, lr_sweep, steps, **cfg), expected, peak=3.0)
    assert expected[-1] == expected[-5] == lr_sweep(49, **cfg)  # held from the last update on
    assert np.all(np.diff(expected) >= 0)  # the sweep never goes down


#: anchors.md §3.13, computed by running the anchors (1e-3 -> 1, 8 iterations), as printed there.
GOLDEN_3_13 = {
    ("torch_lr_finder", "exp"): ["0.001", "0.002683", "0.007197", "0.01931", "0.05179", "0.1389", "0.3728", "1"],
    ("torch_lr_finder", "linear"): ["0.001", "0.1437", "0.2864", "0.4291", "0.5719", "0.7146", "0.8573", "1"],
    ("fastai", "exp"): ["0.001", "0.002371", "0.005623", "0.01334", "0.03162", "0.07499", "0.1778", "0.4217"],
    ("lightning", "exp"): ["0.001", "0.005623", "0.01334", "0.03162", "0.07499", "0.1778", "0.4217", "1"],
}


@pytest.mark.parametrize(("convention", "mode"), list(GOLDEN_3_13))
def test_sweep_conventions_golden(convention: str, mode: str) -> None:
    """anchors.md §3.13: the three finders' lrs for 1e-3 -> 1 in 8 iterations (4 significant digits)."""
    out = lr_sweep(np.arange(8), start_lr=1e-3, end_lr=1.0, num_steps=8, mode=mode, convention=convention)
    assert [f"{x:.4g}" for x in out] == GOLDEN_3_13[(convention, mode)]


@pytest.mark.parametrize("mode", ["exp", "linear"])
@pytest.mark.parametrize("n", [2, 6, 100])
def test_sweep_fastai_and_lightning_formulas(mode: str, n: int) -> None:
    """Golden from source (fastai and Lightning are not installed).

    fastai ``fastai/callback/schedule.py`` @0a049e8a: ``LRFinder.before_batch`` sets
    ``SchedExp(start_lr, end_lr)(train_iter / num_it)`` with ``sched_exp(start, end, pos) =
    start * (end / start) ** pos`` (``sched_lin``: ``start + pos * (end - start)``).
    Lightning ``src/lightning/pytorch/tuner/lr_finder.py`` @00127827, ``_ExponentialLR.get_lr``:
    ``r = (last_epoch + 1) / num_iter``; ``base_lr * (end_lr / base_lr) ** r`` if
    ``last_epoch > 0`` else ``base_lr`` (``_LinearLR``: ``base_lr + r * (end_lr - base_lr)``).
    """
    s, e = 1e-7, 10.0

    def sched(pos: float) -> float:
        return s * (e / s) ** pos if mode == "exp" else s + pos * (e - s)

    fastai = [sched(i / n) for i in range(n)]
    lightning = [sched((i + 1) / n) if i > 0 else s for i in range(n)]
    cfg = {"start_lr": s, "end_lr": e, "num_steps": n, "mode": mode}
    assert [lr_sweep(i, convention="fastai", **cfg) for i in range(n)] == fastai
    assert [lr_sweep(i, convention="lightning", **cfg) for i in range(n)] == lightning
    assert lr_sweep(n - 1, convention="lightning", **cfg) == e  # Lightning ends on end_lr
    assert lr_sweep(n - 1, convention="fastai", **cfg) < e  # fastai never reaches it
    assert lr_sweep(10 * n, convention="fastai", **cfg) == fastai[-1]  # held past the end


def test_sweep_landmarks_and_horizon() -> None:
    s = lr_sweep.bind(start_lr=1e-6, end_lr=1.0, num_steps=50)
    assert s.landmarks() == [("end", 49.0)]
    assert s.horizon == 49.0
    assert lr_sweep.bind(start_lr=1e-6, end_lr=1.0, num_steps=50, convention="lightning").landmarks() == [
        ("first increment", 1.0),
        ("end", 49.0),
    ]


@pytest.mark.parametrize("convention", ["torch_lr_finder", "fastai", "lightning"])
def test_sweep_gradients_finite(convention: str) -> None:
    steps = jnp.asarray([0.0, 0.5, 1.0, 3.0, 9.0, 10.0, 1e6])
    for mode in ("exp", "linear"):

        def lr(cfg: dict[str, Any], t: Any, mode: str = mode) -> Any:
            return lr_sweep(t, **cfg, num_steps=10, mode=mode, convention=convention)

        g = jax.vmap(jax.grad(lr), in_axes=(None, 0))({"start_lr": 1e-4, "end_lr": 3.0}, steps)
        assert all(np.isfinite(np.asarray(x)).all() for x in g.values())


@pytest.mark.parametrize(
    ("cfg", "match"),
    [
        ({"start_lr": 1.0, "end_lr": 1.0}, r"`start_lr` must be < `end_lr`. Received: start_lr=1.0, end_lr=1.0"),
        ({"start_lr": 1.0, "end_lr": 0.5}, r"`start_lr` must be < `end_lr`"),
        ({"start_lr": 0.0, "end_lr": 1.0}, r"`start_lr` must be > 0"),
        ({"start_lr": -1e-3, "end_lr": 1.0, "mode": "linear"}, r"`start_lr` must be > 0"),
        ({"start_lr": 1e-3, "end_lr": math.inf}, r"`end_lr` must be a finite number"),
        ({"start_lr": math.nan, "end_lr": 1.0}, r"`start_lr` must be a finite number"),
        ({"num_steps": 1}, r"`num_steps` must be >= 2. Received: num_steps=1"),
        ({"num_steps": 10.5}, r"`num_steps` must be a whole number"),
        ({"mode": "log"}, r"`mode` must be one of 'exp', 'linear'"),
        ({"convention": "keras"}, r"`convention` must be one of 'torch_lr_finder', 'fastai', 'lightning'"),
    ],
)
def test_sweep_bad_config(cfg: dict[str, Any], match: str) -> None:
    full = {"start_lr": 1e-5, "end_lr": 10.0, "num_steps": 100, **cfg}
    with pytest.raises(ValueError, match=match):
        lr_sweep(0, **full)
    with pytest.raises(ValueError, match=match):
        lr_sweep.bind(**full)


def test_torch_lr_finder_rejects_one_iteration_too() -> None:
    with pytest.raises(ValueError, match="`num_iter` must be larger than 1"):
        _finder_sweep(1e-3, 1.0, 1, "exp")


# ----------------------------------------------------------------------------------------------
# Smoothing, divergence and the steepest suggestion against torch-lr-finder's real range_test
# ----------------------------------------------------------------------------------------------


class _Scripted(torch.nn.Module):
    """A 'model' whose loss is the batch itself: torch-lr-finder then records a loss sequence we choose."""

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.sum() + 0.0 * self.w.sum()


def _finder_history(raw: list[float], smooth_f: float, diverge_th: float) -> LRFinder:
    model = _Scripted()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    finder = LRFinder(model, opt, lambda out, _: out)
    data = torch.utils.data.TensorDataset(torch.tensor(raw, dtype=torch.float32)[:, None], torch.zeros(len(raw)))
    loader = torch.utils.data.DataLoader(data, batch_size=1)
    finder.range_test(loader, start_lr=1e-5, end_lr=10.0, num_iter=len(raw), smooth_f=smooth_f,
                      diverge_th=diverge_th)
    return finder


loss_curves = st.integers(2, 60).flatmap(
    lambda n: st.lists(st.floats(0.0625, 50.0, width=32), min_size=n, max_size=n)
)


@settings(max_examples=FEW)
@given(
    raw=loss_curves,
    smooth_f=st.one_of(st.sampled_from([0.0, 0.05, 0.5]), st.floats(0.0, 0.99)),
    diverge_th=st.one_of(st.sampled_from([5, 4.0, 1.0]), st.floats(1.0, 20.0)),
    skips=st.tuples(st.integers(0, 12), st.integers(0, 6)),
)
def test_smoothing_divergence_and_steepest_equal_torch_lr_finder(
    raw: list[float], smooth_f: float, diverge_th: float, skips: tuple[int, int], capsys: Any
) -> None:
    finder = _finder_history(raw, smooth_f, diverge_th)
    recorded = finder.history["loss"]
    ours = rt.smooth(raw, smooth_f=smooth_f)
    n = len(recorded)
    assert ours[:n].tolist() == recorded  # bit for bit
    d = rt.diverged(ours, threshold=diverge_th)
    if n < len(raw):  # the finder stopped at the divergence (and recorded it)
        assert d == n - 1
    else:
        assert d is None or d == n - 1
    result = rt.analyze(finder.history["lr"], raw[:n], smooth_f=smooth_f, diverge_th=diverge_th,
                        skip_start=skips[0], skip_end=skips[1])
    assert result.smoothed.tolist() == recorded
    assert result.lrs.tolist() == finder.history["lr"]
    fig, ax = plt.subplots()
    try:
        if n < skips[0] + skips[1] + 2:
            with pytest.raises(RuntimeError, match="to suggest a learning rate"):
                finder.plot(skip_start=skips[0], skip_end=skips[1], ax=ax)
            assert result.suggestion is None
        else:
            _, expected = finder.plot(skip_start=skips[0], skip_end=skips[1], ax=ax, suggest_lr=True)
            assert result.suggestion == expected
            assert rt.suggest_steepest(finder.history["lr"], recorded, skip_start=skips[0],
                                       skip_end=skips[1]) == expected
    finally:
        plt.close(fig)
    capsys.readouterr()


def test_smooth_golden() -> None:
    """smooth_f is the weight of the new loss; the first smoothed loss is the raw one."""
    assert rt.smooth([4.0, 2.0, 2.0], smooth_f=0.5).tolist() == [4.0, 3.0, 2.5]
    assert rt.smooth([4.0, 2.0, 1.0], smooth_f=0.0).tolist() == [4.0, 2.0, 1.0]  # off, as torch-lr-finder
    assert rt.smooth(jnp.asarray([4.0, 2.0, 2.0]), smooth_f=0.5).tolist() == [4.0, 3.0, 2.5]
    assert rt.smooth([], smooth_f=0.5).tolist() == []
    out = rt.smooth([1.0, math.nan, 1.0], smooth_f=0.5)
    assert out[0] == 1.0
    assert np.isnan(out[1:]).all()


def test_bias_corrected_smoothing_golden() -> None:
    """Lightning / fastai smoothing (golden from source; neither is installed).

    Lightning ``src/lightning/pytorch/tuner/lr_finder.py`` @00127827, ``_LRCallback.on_train_batch_end``:
    ``avg_loss = beta * avg_loss + (1 - beta) * current_loss`` (from ``avg_loss = 0.0``),
    ``smoothed_loss = avg_loss / (1 - beta ** (current_step + 1))``, ``beta = 0.98``.
    fastai ``learner.py`` ``AvgSmoothLoss``: ``val = torch.lerp(loss, val, beta)``,
    ``value = val / (1 - beta ** count)`` with ``count`` = 1 at the first loss.
    lrfuncs counts from the first loss as fastai does (``k + 1`` with 0-based ``k``).
    """
    beta = 0.98
    assert beta == 1 - 0.02  # smooth_f=0.02 is exactly their beta
    raw = [2.0, 1.5, 3.0, 0.5, 0.25]
    avg, lightning, val, fastai = 0.0, [], 0.0, []
    for k, x in enumerate(raw):
        avg = beta * avg + (1 - beta) * x
        lightning.append(avg / (1 - beta ** (k + 1)))
        val = x + beta * (val - x)  # torch.lerp(start=x, end=val, weight=beta)
        fastai.append(val / (1 - beta ** (k + 1)))
    ours = rt.smooth(raw, smooth_f=0.02, bias_correction=True)
    assert ours.tolist() == lightning  # the same operations
    np.testing.assert_allclose(ours, fastai, rtol=1e-12)
    assert ours[0] == 2.0  # bias correction: the first smoothed loss is the loss
    # by hand: a1 = .98 * .04 + .02 * 1.5 = .0692; s1 = .0692 / (1 - .98**2)
    assert ours[1] == pytest.approx(0.0692 / (1 - 0.98**2), rel=1e-13)


def test_diverged() -> None:
    assert rt.diverged([3.0, 2.0, 1.0, 4.5, 6.0], threshold=4.0) == 3
    assert rt.diverged([3.0, 2.0, 1.0, 4.5, 6.0], threshold=5.0) == 4
    assert rt.diverged([3.0, 2.0, 1.0, 4.5, 5.0], threshold=5.0) is None  # strictly above
    assert rt.diverged([1.0, 2.0, math.inf]) == 2  # non-finite is divergence
    assert rt.diverged([1.0, math.nan, 0.5]) == 1
    assert rt.diverged([-1.0, -2.0, 10.0]) is None  # best <= 0: the ratio test is off
    assert rt.diverged([1.0, 1.5], threshold=1.0) == 1
    assert rt.diverged([2.0, 1.0, 100.0], threshold=math.inf) is None
    assert rt.diverged(jnp.asarray([1.0, 9.0])) == 1


# ----------------------------------------------------------------------------------------------
# fastai's suggestion functions (golden from source; fastai is not installed)
# ----------------------------------------------------------------------------------------------


def _fastai_valley(losses: list[float]) -> int:
    """fastai/callback/schedule.py @0a049e8a ``valley``, line by line (returns the index)."""
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)


def _fastai_slide(lrs: np.ndarray, losses: np.ndarray, lr_diff: int, thresh: float, adjust_value: float) -> float:
    """fastai/callback/schedule.py @0a049e8a ``slide``, line by line."""
    loss_grad = np.gradient(losses)
    r_idx = -1
    l_idx = r_idx - lr_diff
    local_min_lr = lrs[l_idx]
    while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
        local_min_lr = lrs[l_idx]
        r_idx -= 1
        l_idx -= 1
    return float(local_min_lr) * adjust_value


curves = st.integers(2, 80).flatmap(lambda n: st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n))


@settings(max_examples=3 * FEW)
@given(losses=curves)
def test_valley_equals_fastai(losses: list[float]) -> None:
    lrs = np.geomspace(1e-7, 10.0, len(losses))
    idx = _fastai_valley(losses)
    expected = lrs[max(idx, 0)]  # fastai's -1 (a valley of the first two points) wraps to the last lr
    assert rt.suggest_valley(lrs, losses, skip_start=0, skip_end=0) == expected


def test_valley_golden() -> None:
    """Hand-checked: the longest descent 5 > 4 > 2 > 1 runs over indices 0..3 (max_start = -1)."""
    lrs = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
    assert _fastai_valley([5.0, 4.0, 2.0, 1.0, 3.0]) == 0
    assert rt.suggest_valley(lrs, [5.0, 4.0, 2.0, 1.0, 3.0], skip_start=0, skip_end=0) == 1e-3
    assert _fastai_valley([2.0, 1.0, 3.0]) == -1  # fastai would return lrs[-1], the largest lr
    assert rt.suggest_valley(lrs[:3], [2.0, 1.0, 3.0], skip_start=0, skip_end=0) == 1e-3
    # a flat start, then a long descent from index 3: the suggestion sits a third into it
    losses = [3.0, 3.0, 3.0, 3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.4, 5.0]
    lrs11 = np.geomspace(1e-4, 1.0, 11)
    assert _fastai_valley(losses) == 5
    assert rt.suggest_valley(lrs11, losses, skip_start=0, skip_end=0) == lrs11[5]


@settings(max_examples=3 * FEW)
@given(
    losses=st.integers(2, 80).flatmap(lambda n: st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n)),
    lr_diff=st.integers(1, 20),
    thresh=st.one_of(st.just(0.005), st.floats(0.0, 2.0)),
    adjust=st.sampled_from([1.0, 0.5]),
)
def test_slide_equals_fastai(losses: list[float], lr_diff: int, thresh: float, adjust: float) -> None:
    lrs = np.geomspace(1e-7, 10.0, len(losses))
    y = np.asarray(losses)
    kw = {"lr_diff": lr_diff, "thresh": thresh, "adjust_value": adjust, "skip_start": 0, "skip_end": 0}
    if len(losses) < lr_diff + 1:
        with pytest.raises(IndexError):  # fastai indexes lrs[-1 - lr_diff]
            _fastai_slide(lrs, y, lr_diff, thresh, adjust)
        with pytest.raises(ValueError, match="suggest_slide needs at least"):
            rt.suggest_slide(lrs, y, **kw)
        return
    assert rt.suggest_slide(lrs, y, **kw) == _fastai_slide(lrs, y, lr_diff, thresh, adjust)


def test_minimum_and_steep_golden() -> None:
    """fastai ``minimum``: ``lrs[losses.argmin()] / 10``; ``steep``: ``grads = (losses[1:] - losses[:-1]) /
    (lrs[1:].log() - lrs[:-1].log())``, ``lrs[grads.argmin()]`` (fastai/callback/schedule.py @0a049e8a)."""
    lrs = np.array([1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])
    losses = np.array([3.0, 2.9, 2.0, 1.8, 1.7, 4.0])
    assert rt.suggest_minimum(lrs, losses, skip_start=0, skip_end=0) == 0.1
    # forward slopes per log lr: -0.1, -0.9, -0.2, -0.1, 2.3 (/ log 10): the steepest segment starts at 1e-3
    assert rt.suggest_steepest(lrs, losses, spacing="log_lr", difference="forward", skip_start=0, skip_end=0) == 1e-3
    # central differences (np.gradient) per index: [-.1, -.5, -.55, -.15, 1.1, 2.3]: 1e-2
    assert rt.suggest_steepest(lrs, losses, skip_start=0, skip_end=0) == 1e-2
    # torch jax arrays and lists are accepted
    assert rt.suggest_minimum(jnp.asarray(lrs), jnp.asarray(losses), skip_start=0, skip_end=0) == 0.1
    assert rt.suggest_valley(lrs.tolist(), torch.as_tensor(losses), skip_start=0, skip_end=0) == rt.suggest_valley(
        lrs, losses, skip_start=0, skip_end=0
    )


def _lightning_suggestion(lrs: list[float], losses: list[float], skip_begin: int, skip_end: int) -> float | None:
    """Lightning ``_LRFinder.suggestion`` (src/lightning/pytorch/tuner/lr_finder.py @00127827), line by line,
    with torch's real ``torch.gradient``; only ``torch.tensor(...)`` is given float64 (Lightning's is float32)."""
    t_losses = torch.tensor(losses[skip_begin:-skip_end], dtype=torch.float64)
    t_lrs = torch.tensor(lrs[skip_begin:-skip_end], dtype=torch.float64)
    is_finite = torch.isfinite(t_losses)
    t_losses = t_losses[is_finite]
    t_lrs = t_lrs[is_finite]
    if len(t_losses) < 2:
        return None
    gradients = torch.gradient(t_losses, spacing=[t_lrs])[0]
    min_grad = torch.argmin(gradients).item()
    all_losses_idx = torch.arange(len(losses))
    idx_non_skipped = all_losses_idx[skip_begin:-skip_end]
    idx_finite = idx_non_skipped[is_finite]
    return lrs[idx_finite[min_grad].item()]


@settings(max_examples=2 * FEW)
@given(losses=st.integers(14, 100).flatmap(lambda n: st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n)))
def test_steepest_per_lr_equals_lightning(losses: list[float]) -> None:
    lrs = lr_sweep(np.arange(len(losses)), start_lr=1e-8, end_lr=1.0, num_steps=len(losses),
                   convention="lightning").tolist()
    expected = _lightning_suggestion(lrs, losses, 10, 1)
    assert rt.suggest_steepest(lrs, losses, spacing="lr", skip_start=10, skip_end=1) == expected


def test_spacing_moves_the_suggestion_by_orders_of_magnitude() -> None:
    """The issue's point: per index == per log-lr on an exponential sweep; per lr picks a far smaller lr."""
    lrs = lr_sweep(np.arange(100), start_lr=1e-7, end_lr=10.0, num_steps=100)
    losses = 2.5 - 2.0 / (1.0 + np.exp(-2.0 * (np.log10(lrs) + 3.0))) + np.where(lrs > 0.3, 20 * (lrs - 0.3), 0.0)
    sm = rt.smooth(losses, smooth_f=0.05)
    by_index = rt.suggest_steepest(lrs, sm, spacing="index")
    by_log = rt.suggest_steepest(lrs, sm, spacing="log_lr")
    by_lr = rt.suggest_steepest(lrs, sm, spacing="lr", skip_end=1)
    assert by_index == by_log
    assert 1e-4 < by_index < 1e-2
    assert by_lr < by_index / 100


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: rt.suggest_steepest([1e-3] * 16, [1.0] * 16), ValueError,
         r"suggest_steepest needs at least 2 finite losses after skipping the first 10 and the last 5 of the 16"),
        (lambda: rt.suggest_steepest([1e-3, 1e-2, 1e-1], [1.0, math.nan, 0.5], skip_start=0, skip_end=0),
         ValueError, "needs at least 2 finite losses"),
        (lambda: rt.suggest_valley([1.0, 2.0], [1.0], skip_start=0, skip_end=0), ValueError,
         "must have the same length"),
        (lambda: rt.suggest_valley([0.0, 2.0], [1.0, 2.0], skip_start=0, skip_end=0), ValueError,
         r"`lrs` must hold finite numbers > 0"),
        (lambda: rt.suggest_minimum([1.0, 2.0], [1.0, 2.0], skip_start=-1), ValueError, r"`skip_start` must be >= 0"),
        (lambda: rt.suggest_steepest([1.0, 2.0], [1.0, 2.0], spacing="log"), ValueError, "`spacing` must be one of"),
        (lambda: rt.suggest_steepest([2.0, 1.0], [1.0, 2.0], spacing="lr", skip_start=0, skip_end=0), ValueError,
         "strictly increasing lrs"),
        (lambda: rt.suggest_slide(np.geomspace(1, 2, 30), np.ones(30), lr_diff=0), ValueError,
         r"`lr_diff` must be >= 1"),
        (lambda: rt.smooth([1.0], smooth_f=1.0), ValueError, r"`smooth_f` must be in \[0, 1\)"),
        (lambda: rt.smooth([1.0], smooth_f=-0.1), ValueError, r"`smooth_f` must be in \[0, 1\)"),
        (lambda: rt.smooth([[1.0]]), ValueError, "`losses` must be 1-d"),
        (lambda: rt.smooth(["a"]), TypeError, "`losses` must be a 1-d sequence of numbers"),
        (lambda: rt.diverged([1.0], threshold=0.5), ValueError, r"`threshold` must be a number >= 1"),
        (lambda: rt.analyze([1e-3, 1e-2], [1.0, 2.0], diverge_th=math.nan), ValueError, "`threshold`"),
    ],
)
def test_analysis_bad_input(call: Any, exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


# ----------------------------------------------------------------------------------------------
# The result object, the plot and the CLI
# ----------------------------------------------------------------------------------------------


def _result() -> rt.RangeTestResult:
    lrs = lr_sweep(np.arange(60), start_lr=1e-5, end_lr=10.0, num_steps=60)
    losses = 2.0 - np.tanh(np.log10(lrs / 1e-2)) + np.where(lrs > 1.0, 5.0 * lrs, 0.0)
    losses[-1] = math.nan
    return rt.analyze(lrs, losses, settings={"num_steps": 80, "mode": "exp"})


def test_result_fields_and_json_round_trip() -> None:
    r = _result()
    assert r.diverged is not None
    assert r.stopped_early
    assert set(r.suggestions) == {"steepest", "valley", "slide", "minimum"}
    assert r.suggestion == r.suggestions["steepest"] == r.suggest("steepest")
    assert r.suggest("steepest", spacing="lr", skip_end=1) < r.suggestion
    text = json.dumps(r.to_dict(), allow_nan=False)  # plain JSON: NaN losses become null
    back = rt.RangeTestResult.from_dict(json.loads(text))
    assert back == r
    assert pickle.loads(pickle.dumps(r)) == r
    assert copy.deepcopy(r) == r
    assert np.isnan(back.losses[-1])
    assert back.settings["num_steps"] == 80
    assert back.settings["smooth_f"] == 0.05
    with pytest.raises(ValueError, match=r"not writeable|read-only"):
        r.lrs[0] = 1.0
    with pytest.raises(AttributeError):
        r.diverged = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.settings["mode"] = "linear"  # type: ignore[index]
    with pytest.raises(ValueError, match="needs the keys"):
        rt.RangeTestResult.from_dict({"lrs": [1.0]})
    with pytest.raises(ValueError, match="same length"):
        rt.RangeTestResult([1.0, 2.0], [1.0], [1.0])
    assert "RangeTestResult(60 steps" in repr(r)


def test_plot_png_and_axes(tmp_path: Any) -> None:
    r = _result()
    path = tmp_path / "rt.png"
    assert rt.plot_range_test(r, path, suggestion="all") == path
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fig, ax = plt.subplots()
    assert r.plot(ax=ax, suggestion=["steepest", "valley"]) is ax
    assert ax.get_xscale() == "log"
    labels = ax.get_legend_handles_labels()[1]
    assert any(label.startswith("steepest: ") for label in labels)
    assert any(lb.startswith("valley") for lb in labels)
    plt.close(fig)
    with pytest.raises(ValueError, match="`suggestion` must name"):
        r.plot(path=tmp_path / "x.png", suggestion="best")


def test_cli_prints_and_plots(tmp_path: Any, capsys: Any) -> None:
    src = tmp_path / "result.json"
    src.write_text(json.dumps(_result().to_dict(), allow_nan=False))
    out = tmp_path / "plot.png"
    assert rt.main([str(src), "-o", str(out), "--suggestion", "steepest,minimum"]) == 0
    printed = capsys.readouterr().out
    assert "steepest:" in printed
    assert f"wrote {out}" in printed
    assert out.stat().st_size > 1000


# ----------------------------------------------------------------------------------------------
# The JAX runner on small problems
# ----------------------------------------------------------------------------------------------


def _linear_problem() -> tuple[Any, list[Any]]:
    x = jnp.linspace(-1.0, 1.0, 64, dtype=jnp.float32)
    data = [(x[i : i + 16], 3.0 * x[i : i + 16] + 1.0) for i in range(0, 64, 16)]
    params = {"w": jnp.zeros((), jnp.float32), "b": jnp.zeros((), jnp.float32)}
    return params, data


def _loss(p: Any, batch: Any) -> Any:
    x, y = batch
    return jnp.mean((p["w"] * x + p["b"] - y) ** 2)


def test_jax_runner_traces_once_and_leaves_inputs_alone() -> None:
    traces = []
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)
    inner = optax_train_step(_loss, opt)

    def train_step(params: Any, opt_state: Any, batch: Any, lr: Any) -> Any:
        traces.append(1)  # runs once per trace, never per call of the compiled step
        return inner(params, opt_state, batch, lr)

    params, data = _linear_problem()
    state = opt.init(params)
    before = jax.tree.map(np.asarray, (params, state))
    r = jax_range_test(train_step, params, state, data, start_lr=1e-4, end_lr=1.0, num_steps=30, progress=False)
    assert len(traces) == 1
    assert len(r.lrs) == 30
    assert r.diverged is None
    assert r.lrs.tolist() == [lr_sweep(k, start_lr=1e-4, end_lr=1.0, num_steps=30) for k in range(30)]
    jax.tree.map(np.testing.assert_array_equal, jax.tree.map(np.asarray, (params, state)), before)
    assert r.settings["runner"] == "jax"
    assert r.suggestion is not None


def test_jax_runner_records_train_step_losses_exactly() -> None:
    """The analysis is the torch runner's: scripted losses give analyze()'s result."""
    raw = [2.0, 1.5, 1.0, 0.75, 0.625, 3.0, 40.0, 90.0]  # float32-exact

    def train_step(params: Any, opt_state: Any, batch: Any, lr: Any) -> Any:
        return params, opt_state + 1, batch

    data = [jnp.float32(x) for x in raw]
    r = jax_range_test(train_step, 0.0, 0, data, start_lr=1e-3, end_lr=1.0, num_steps=8, progress=False,
                       smooth_f=0.5, diverge_th=4.0, skip_start=0, skip_end=0)
    expected = rt.analyze(r.lrs, raw[: len(r.lrs)], smooth_f=0.5, diverge_th=4.0, skip_start=0, skip_end=0)
    assert r.losses.tolist() == raw[: len(r.lrs)]
    assert r.smoothed.tolist() == expected.smoothed.tolist()
    assert r.diverged == len(r.lrs) - 1 == expected.diverged
    assert r.stopped_early
    assert dict(r.suggestions) == dict(expected.suggestions)


def test_optax_train_step_injects_the_lr() -> None:
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.1)
    step = optax_train_step(lambda w, b: jnp.mean((b[0] * w - b[1]) ** 2), opt)
    w = jnp.array(0.0, jnp.float32)
    state = opt.init(w)
    new_w, new_state, loss = step(w, state, (jnp.ones(4), 2 * jnp.ones(4)), 0.25)
    assert float(loss) == 4.0
    assert float(new_w) == 1.0
    assert float(new_state.hyperparams["learning_rate"]) == 0.25
    assert float(state.hyperparams["learning_rate"]) == pytest.approx(0.1)  # the input state is unchanged
    with pytest.raises(TypeError, match="inject_hyperparams"):
        optax_train_step(_loss, optax.sgd(0.1))(w, optax.sgd(0.1).init(w), (jnp.ones(2), jnp.ones(2)), 0.1)
    scheduled = optax.inject_hyperparams(optax.sgd)(learning_rate=optax.constant_schedule(0.1))
    with pytest.raises(ValueError, match="is a schedule"):
        optax_train_step(_loss, scheduled)({"w": w, "b": w}, scheduled.init({"w": w, "b": w}),
                                           (jnp.ones(2), jnp.ones(2)), 0.1)


def test_jax_runner_bad_input() -> None:
    params, data = _linear_problem()
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0)
    step = optax_train_step(_loss, opt)
    state = opt.init(params)
    kw = {"start_lr": 1e-4, "end_lr": 1.0, "num_steps": 10, "progress": False}
    with pytest.raises(ValueError, match="`batches` yielded no batches"):
        jax_range_test(step, params, state, [], **kw)
    with pytest.raises(ValueError, match="yielded no batches"):  # a generator cannot start over
        jax_range_test(step, params, state, (b for b in data[:2]), **kw)
    with pytest.raises(ValueError, match=r"`start_lr` must be < `end_lr`"):
        jax_range_test(step, params, state, data, **{**kw, "end_lr": 1e-5})
    with pytest.raises(ValueError, match=r"`start_lr` must be > 0"):
        jax_range_test(step, params, state, data, **{**kw, "start_lr": 0.0})
    nan_data = [(d[0], d[1] * jnp.nan) for d in data]
    with pytest.raises(ValueError, match=r"loss of the first update \(lr=0.0001\) is nan"):
        jax_range_test(step, params, state, nan_data, **kw)
    with pytest.raises(TypeError, match="`train_step` must be callable"):
        jax_range_test(None, params, state, data, **kw)  # type: ignore[arg-type]
