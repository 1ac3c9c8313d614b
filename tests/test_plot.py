"""``lrfuncs.plot``: the figure's line data are the schedule's exact values; landmarks, twin momentum axis,
epoch axis, recorded anchors overlaid, sweeps, long ranges, files. Agg backend, no display.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from conftest import CONFIGS, assert_lr_close

import lrfuncs
from lrfuncs.backends.numpy import curve
from lrfuncs.plot import DEFAULT_STEPS, plot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


def lines(fig: Any, prefix: str = "lr:") -> list[Any]:
    return [ln for ax in fig.axes for ln in ax.get_lines() if str(ln.get_gid() or "").startswith(prefix)]


def landmark_lines(fig: Any) -> dict[str, float]:
    out = {}
    for ln in fig.axes[0].get_lines():
        gid = str(ln.get_gid() or "")
        if gid.startswith("landmark:"):
            x = ln.get_xdata()
            assert x[0] == x[1]
            out[gid.removeprefix("landmark:")] = float(x[0])
    return out


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_line_data_equal_the_curve(name: str) -> None:
    s = lrfuncs.get_schedule(name).bind(**CONFIGS[name])
    fig = plot(s, steps=120)
    (line,) = lines(fig)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(120.0))
    np.testing.assert_array_equal(line.get_ydata(), curve(s, 120))
    # and equal to the Python-number values, to float64 rounding
    assert_lr_close(line.get_ydata(), [s(k) for k in range(120)], peak=float(np.max(np.abs(curve(s, 120)))))


def test_default_range_shows_ten_percent_past_the_horizon() -> None:
    s = lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=100, total_steps=1000)
    (line,) = lines(plot(s))
    assert len(line.get_xdata()) == math.ceil(1000 * 1.1) + 1
    # the furthest horizon of several schedules decides
    fig = plot(s, lrfuncs.cosine_decay.bind(peak_lr=1e-4, total_steps=3000))
    assert {len(ln.get_xdata()) for ln in lines(fig)} == {3301}
    # open-ended: the last landmark, else DEFAULT_STEPS
    (line,) = lines(plot(lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=[30, 60])))
    assert len(line.get_xdata()) == 67
    (line,) = lines(plot(lrfuncs.step_decay.bind(peak_lr=0.1, step_size=30)))
    assert len(line.get_xdata()) == DEFAULT_STEPS


def test_landmarks_drawn_as_vertical_lines() -> None:
    s = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=100, three_phase=True)
    fig = plot(s)
    assert landmark_lines(fig) == dict(s.landmarks())
    texts = [t.get_text().strip() for t in fig.axes[0].texts]
    assert texts == [label for label, _ in s.landmarks()]
    assert landmark_lines(plot(s, marks=False)) == {}
    # landmarks outside the drawn range are not drawn
    assert set(landmark_lines(plot(s, steps=50))) == {"peak"}


def test_momentum_on_a_twin_axis() -> None:
    lr = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=200)
    mom = lrfuncs.onecycle_momentum.bind(total_steps=200)
    fig = plot(lr, momentum=mom, steps=200)
    assert len(fig.axes) == 2
    ax, ax2 = fig.axes
    assert ax.get_ylabel() == "learning rate"
    assert ax2.get_ylabel() == "momentum"
    assert ax.get_shared_x_axes().joined(ax, ax2)
    (m,) = lines(fig, "momentum:")
    assert m in ax2.get_lines()
    np.testing.assert_array_equal(m.get_ydata(), curve(mom, 200))
    assert m.get_linestyle() == "--"
    # the legend lists both curves
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "onecycle(peak_lr=0.1, total_steps=200)", "onecycle_momentum(total_steps=200)"]
    # recorded momentum values, and several momentum curves
    fig = plot(lr, momentum=[0.9, 0.91, 0.92])
    np.testing.assert_array_equal(lines(fig, "momentum:")[0].get_ydata(), [0.9, 0.91, 0.92])
    fig = plot(lr, momentum=[mom, "onecycle_momentum(total_steps=100)"], steps=200)
    assert len(lines(fig, "momentum:")) == 2


def test_epoch_axis() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=100)
    fig = plot(s, steps_per_epoch=10)
    fig.canvas.draw()
    ax = fig.axes[0]
    (sec,) = ax.child_axes
    assert sec.get_xlabel() == "epoch"
    lo, hi = ax.get_xlim()
    np.testing.assert_allclose(sec.get_xlim(), (lo / 10, hi / 10))
    assert plot(s).axes[0].child_axes == []
    for bad in (0, -1, float("nan"), True, "10"):
        with pytest.raises(ValueError, match="Argument `steps_per_epoch` must be a number > 0"):
            plot(s, steps_per_epoch=bad)


def test_overlay_real_torch_scheduler_shows_where_they_differ() -> None:
    """The issue's use: a lrfuncs schedule next to the lrs a real torch OneCycleLR wrote."""
    n = 100
    opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1, momentum=0.9)
    ref = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=n)
    recorded = []
    for _ in range(n):
        recorded.append(opt.param_groups[0]["lr"])
        opt.step()
        ref.step()
    torch_like = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=n)
    optax_like = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=n, convention="optax")
    fig = plot(torch_like, optax_like, recorded, steps=n, labels=["lrfuncs torch", "lrfuncs optax", "torch"])
    ours, other, theirs = lines(fig)
    np.testing.assert_array_equal(theirs.get_xdata(), np.arange(n))
    np.testing.assert_array_equal(theirs.get_ydata(), recorded)
    assert_lr_close(ours.get_ydata(), theirs.get_ydata(), peak=0.1)
    assert np.max(np.abs(other.get_ydata() - theirs.get_ydata())) > 1e-3  # the optax convention differs
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["lrfuncs torch", "lrfuncs optax",
                                                                           "torch"]


def test_recorded_sequences_and_callables() -> None:
    fig = plot(np.array([3.0, 2.0, 1.0]), torch.tensor([1.0, 2.0]), (0.5, 0.25))
    a, b, c = lines(fig)
    np.testing.assert_array_equal(a.get_ydata(), [3, 2, 1])
    np.testing.assert_array_equal(b.get_xdata(), [0, 1])
    assert c.get_label() == "recorded 2"
    # a recorded sequence as long as `steps` is drawn at those steps
    (line,) = lines(plot([1.0, 2.0, 3.0], steps=(10, 13)))
    np.testing.assert_array_equal(line.get_xdata(), [10, 11, 12])
    # a vectorised callable, and one that only takes Python numbers (e.g. an HF lr lambda)
    fig = plot(lambda t: 0.1 * np.cos(t / 10.0), lambda k: 0.1 * math.cos(k / 10.0), steps=30)
    vec, scalar = lines(fig)
    np.testing.assert_allclose(vec.get_ydata(), 0.1 * np.cos(np.arange(30) / 10.0))
    np.testing.assert_allclose(scalar.get_ydata(), vec.get_ydata())


def test_spec_strings_and_dicts() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10)
    a, b = lines(plot("cosine_decay(peak_lr=1.0, total_steps=10)", s.to_dict(), steps=12))
    np.testing.assert_array_equal(a.get_ydata(), curve(s, 12))
    np.testing.assert_array_equal(b.get_ydata(), curve(s, 12))


def test_sweep_draws_one_line_per_row() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=np.array([[0.1], [0.2], [0.3]]), total_steps=50)
    fig = plot(s, steps=60)
    rows = lines(fig)
    assert [ln.get_gid() for ln in rows] == ["lr:0:0", "lr:0:1", "lr:0:2"]
    full = curve(s, 60)
    for r, ln in enumerate(rows):
        np.testing.assert_array_equal(ln.get_ydata(), full[r])


def test_long_ranges_are_sampled_exactly_with_sharp_jumps() -> None:
    s = lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=[250_000, 500_000])
    (line,) = lines(plot(s, steps=1_000_000, max_points=2000))
    x, y = line.get_xdata(), line.get_ydata()
    assert len(x) <= 2000 + 6
    assert {249_999.0, 250_000.0, 499_999.0, 500_000.0} <= set(x.tolist())
    np.testing.assert_array_equal(y, s(x))
    assert np.all(np.diff(x) > 0)
    # at most max_points steps: every step
    (line,) = lines(plot(s, steps=(10, 2010), max_points=2000))
    np.testing.assert_array_equal(line.get_xdata(), np.arange(10, 2010))


def test_step_forms() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=100)
    for steps, expected in [
        (50, np.arange(50)),
        (np.int64(5), np.arange(5)),
        ((20, 40), np.arange(20, 40)),
        (range(0, 100, 10), np.arange(0, 100, 10)),
        (range(3, 9), np.arange(3, 9)),
        ([0, 2.5, 99], np.array([0, 2.5, 99])),
        (np.array([5.0, 1.0]), np.array([5.0, 1.0])),
    ]:
        (line,) = lines(plot(s, steps=steps))
        np.testing.assert_array_equal(line.get_xdata(), expected)
        np.testing.assert_array_equal(line.get_ydata(), s(np.asarray(expected, dtype=float)))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 0}, ValueError, r"Argument `steps` must be >= 1"),
        ({"steps": (5, 2)}, ValueError, r"needs 0 <= start < stop"),
        ({"steps": range(0)}, ValueError, r"non-empty range"),
        ({"steps": [-1, 2]}, ValueError, r"finite steps >= 0"),
        ({"steps": []}, ValueError, r"non-empty array"),
        ({"steps": True}, TypeError, r"Argument `steps`"),
        ({"log": "z"}, ValueError, r"Argument `log` must be"),
        ({"labels": ["a", "b"]}, ValueError, r"one label per schedule \(1\)"),
        ({"max_points": 1}, ValueError, r"Argument `max_points`"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        plot(lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10), **kwargs)


def test_bad_schedules() -> None:
    with pytest.raises(ValueError, match="needs at least one schedule"):
        plot()
    with pytest.raises(TypeError, match="schedule function cosine_decay: bind its config first"):
        plot(lrfuncs.cosine_decay)
    with pytest.raises(TypeError, match="must be a lrfuncs Schedule, a spec string"):
        plot(lrfuncs.Plateau())
    with pytest.raises(TypeError, match="must be a lrfuncs Schedule, a spec string"):
        plot(["a", "b"])
    with pytest.raises(ValueError, match="Unknown schedule 'cosine_dekay'"):
        plot("cosine_dekay(peak_lr=1.0)")


def test_log_axes_labels_title_and_given_axes() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10, min_lr=1e-3)
    ax = plot(s, log=True).axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "log")
    ax = plot(s, log="x").axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "linear")
    ax = plot(s, log="xy", title="my run").axes[0]
    assert (ax.get_xscale(), ax.get_yscale(), ax.get_title()) == ("log", "log", "my run")
    assert ax.get_xlabel() == "step"
    assert ax.get_legend() is None  # one unlabelled curve: no legend
    fig, own = plt.subplots()
    assert plot(s, ax=own, labels=["mine"]) is fig
    assert [t.get_text() for t in own.get_legend().get_texts()] == ["mine"]


def test_saving_to_a_file(tmp_path: Any) -> None:
    s = lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=200, total_steps=2000)
    before = plt.get_fignums()
    for name in ("curve.png", "curve.svg", "curve.pdf"):
        fig = plot(s, momentum=lrfuncs.onecycle_momentum.bind(total_steps=2000), steps_per_epoch=100,
                   path=tmp_path / name)
        assert (tmp_path / name).stat().st_size > 1000
        assert plt.get_fignums() == before  # not registered with pyplot: nothing to close
        assert lines(fig)  # the returned figure still has its data
    assert (tmp_path / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'lrfuncs\[plot\]'"):
        plot(lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10))


def test_lazy_export_imports_no_matplotlib() -> None:
    """``import lrfuncs`` imports neither matplotlib nor numpy; ``lrfuncs.plot`` works however it was imported."""
    script = textwrap.dedent(
        """
        import json, sys
        import lrfuncs
        before = sorted(m for m in ("matplotlib", "numpy") if m in sys.modules)
        import matplotlib
        matplotlib.use("Agg")
        import lrfuncs.plot          # binds the submodule first ...
        import lrfuncs.lint, lrfuncs.recommend
        s = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10)
        fig = lrfuncs.plot(s)        # ... which is callable all the same
        from lrfuncs.plot import plot
        from lrfuncs.lint import lint
        ok = [callable(lrfuncs.plot), lrfuncs.lint(s, 10) == [], lrfuncs.recommend("cnn").peak_lr == 1e-3,
              plot(s) is not None, lint(s, 10) == []]
        print(json.dumps({"before": before, "ok": ok}))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = __import__("json").loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"before": [], "ok": [True] * 5}
    # here `from lrfuncs.plot import plot` bound lrfuncs.plot to the module: calling it still plots
    fig = lrfuncs.plot(lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10))  # type: ignore[operator]
    assert len(lines(fig)) == 1
