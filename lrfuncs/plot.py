"""Look at a schedule before training with it: ``lrfuncs.plot(schedule, ...)`` (needs ``lrfuncs[plot]``).

Most schedule bugs are visible at a glance: a horizon shorter than training
(the curve flattens early), a one-cycle stepped per epoch (the curve never
comes down), a warmup longer than the run. :func:`plot` draws one or several
schedules over a step range, with their phase boundaries
(:meth:`lrfuncs.Schedule.landmarks`) as dotted vertical lines, an optional
momentum companion on a twin y axis, and an epoch axis on top when
``steps_per_epoch`` is given. A "schedule" may also be a sequence of recorded
values (e.g. the lrs a real torch scheduler wrote), drawn at steps
``0, 1, ...``, so an lrfuncs schedule and its anchor can be overlaid.

matplotlib (and numpy) are imported on the first call, not with lrfuncs.
"""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._schedule import Schedule

__all__ = ["DEFAULT_STEPS", "MAX_POINTS", "plot"]

#: Steps drawn when neither ``steps`` nor any schedule's landmarks tell how long the run is.
DEFAULT_STEPS = 1000
#: Above this many steps, a curve is drawn at this many evenly spaced steps plus every landmark and the
#: step before it (so jumps stay sharp); every drawn point is the schedule's exact value.
MAX_POINTS = 20_000
#: Past the last horizon, the default range shows this fraction more (the held final value).
MARGIN = 0.1

_INSTALL_HINT = "lrfuncs.plot needs matplotlib and numpy: pip install 'lrfuncs[plot]'"


@dataclass
class _Series:
    label: str
    x: Any  # numpy array of steps
    y: Any  # numpy array of values, shape (n,) or (k, n) for a sweep
    landmarks: list[tuple[str, float]]


def plot(
    *schedules: Any,
    steps: Any = None,
    log: bool | str = False,
    momentum: Any = None,
    steps_per_epoch: float | None = None,
    labels: Sequence[str] | None = None,
    marks: bool = True,
    ax: Any = None,
    title: str | None = None,
    path: Any = None,
    max_points: int = MAX_POINTS,
) -> Any:
    """Plot schedules (and recorded lr sequences) against the step; return the matplotlib ``Figure``.

    Args:
      *schedules: each a :class:`lrfuncs.Schedule`, a spec string
        (``"cosine_decay(peak_lr=0.1, total_steps=1000)"``, see :mod:`lrfuncs.spec`),
        a schedule dict, any callable ``steps -> lrs`` (called on a numpy array,
        else step by step), or a sequence / array of recorded values, drawn at
        steps ``0, 1, ...`` (or at ``steps`` when it has as many entries).
        A schedule with array-valued config (a sweep) draws one line per row.
      steps: the steps to draw: ``n`` (``0 .. n-1``), ``(start, stop)``, a
        ``range``, or an array of steps. Default: up to 10% past the furthest
        horizon (the ``"end"`` landmark) or the last landmark, the length of the
        longest recorded sequence, else :data:`DEFAULT_STEPS`.
      log: ``True`` or ``"y"`` for a log lr axis, ``"x"`` for a log step axis, ``"xy"`` for both.
      momentum: a schedule (e.g. ``lrfuncs.onecycle_momentum.bind(...)``), recorded
        values, or a list of those, drawn dashed on a twin y axis labelled "momentum".
      steps_per_epoch: adds an "epoch" axis on top (``epoch = step / steps_per_epoch``).
      labels: one legend label per schedule (default: the schedule's spec, or "recorded i").
      marks: draw each schedule's landmarks as dotted vertical lines, labelled.
      ax: draw into these axes (default: a new figure).
      title: the axes title.
      path: save the figure there (any format matplotlib knows, by the suffix). A
        figure made for ``path`` (no ``ax``) is not registered with pyplot: no window
        opens and nothing needs closing.
      max_points: longest contiguous range drawn step by step (see :data:`MAX_POINTS`).

    Lines carry ``gid`` ``"lr:<i>"`` (``"lr:<i>:<row>"`` for a sweep) and
    ``"momentum:<i>"``; landmark lines ``"landmark:<label>"``.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lrfuncs
    >>> fig = lrfuncs.plot(lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=100),
    ...                    momentum=lrfuncs.onecycle_momentum.bind(total_steps=100), steps_per_epoch=10)
    >>> ax = fig.axes[0]
    >>> len(ax.get_lines()[0].get_ydata()), ax.get_ylabel(), fig.axes[1].get_ylabel()
    (110, 'learning rate', 'momentum')
    """
    try:
        import matplotlib
        import numpy as np
    except ImportError:
        raise ImportError(_INSTALL_HINT) from None
    del matplotlib
    if not schedules:
        raise ValueError("plot() needs at least one schedule (or sequence of recorded values) to draw.")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(schedules):
            raise ValueError(
                f"Argument `labels` must hold one label per schedule ({len(schedules)}). Received: labels={labels!r}"
            )
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 2:
        raise ValueError(f"Argument `max_points` must be a whole number >= 2. Received: max_points={max_points!r}")
    if steps_per_epoch is not None and (
        isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, (int, float)) or not steps_per_epoch > 0
        or not math.isfinite(steps_per_epoch)
    ):
        raise ValueError(
            f"Argument `steps_per_epoch` must be a number > 0. Received: steps_per_epoch={steps_per_epoch!r}"
        )
    logx, logy = _log_axes(log)

    lr_items = [_item(s, "schedules", i) for i, s in enumerate(schedules)]
    mom_items = [_item(m, "momentum", i) for i, m in enumerate(_momentum_list(momentum))]
    grid = _grid(np, steps, lr_items + mom_items, max_points)
    lr_series = [_series(np, it, grid, labels[i] if labels else None, i) for i, it in enumerate(lr_items)]
    mom_series = [_series(np, it, grid, None, i, prefix="momentum") for i, it in enumerate(mom_items)]

    if ax is None:
        if path is None:
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        else:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(8, 4.5), layout="constrained")
            ax = fig.subplots()
    fig = ax.figure

    for i, ser in enumerate(lr_series):
        color = f"C{i % 10}"
        _draw(ax, ser, f"lr:{i}", color=color, linestyle="-")
        if marks:
            _draw_marks(ax, ser, color, grid)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.grid(True, alpha=0.3)
    handles = list(ax.get_lines())
    handles = [h for h in handles if str(h.get_gid() or "").startswith("lr:")]

    if mom_series:
        ax2 = ax.twinx()
        for i, ser in enumerate(mom_series):
            color = f"C{(len(lr_series) + i) % 10}"
            _draw(ax2, ser, f"momentum:{i}", color=color, linestyle="--")
        ax2.set_ylabel("momentum")
        handles += [h for h in ax2.get_lines() if str(h.get_gid() or "").startswith("momentum:")]

    if steps_per_epoch is not None:
        spe = float(steps_per_epoch)
        sec = ax.secondary_xaxis("top", functions=(lambda s: s / spe, lambda e: e * spe))
        sec.set_xlabel("epoch")

    if len(handles) > 1 or labels is not None:
        # below the axes: a curve's interesting part can be anywhere, the legend must not hide it
        ax.legend(handles=handles, labels=[h.get_label() for h in handles], fontsize=8, loc="upper center",
                  bbox_to_anchor=(0.5, -0.15), frameon=False)
    if title is not None:
        ax.set_title(title)
    if path is not None:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    return fig


# ------------------------------------------------------------------------------------------------ internals


@dataclass
class _Item:
    kind: str  # "schedule" | "callable" | "recorded"
    value: Any


def _item(value: Any, arg: str, i: int) -> _Item:
    from .spec import to_schedule

    if isinstance(value, (str, Mapping)):
        value = to_schedule(value)
    if isinstance(value, Schedule):
        return _Item("schedule", value)
    if hasattr(value, "spec") and hasattr(value, "bind"):
        raise TypeError(
            f"Argument `{arg}`[{i}] is the schedule function {value.__name__}: bind its config first, "
            f"e.g. {value.__name__}.bind(...)"
        )
    if callable(value):
        return _Item("callable", value)
    if hasattr(value, "tolist"):  # numpy / torch / JAX arrays
        value = value.tolist()
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        vals = list(value)
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            return _Item("recorded", [float(v) for v in vals])
    raise TypeError(
        f"Argument `{arg}`[{i}] must be a lrfuncs Schedule, a spec string, a callable or a sequence of recorded "
        f"values. Received: {type(value).__name__}"
    )


def _momentum_list(momentum: Any) -> list[Any]:
    if momentum is None:
        return []
    if isinstance(momentum, (Schedule, str, Mapping)) or callable(momentum):
        return [momentum]
    vals = momentum.tolist() if hasattr(momentum, "tolist") else momentum
    if isinstance(vals, Sequence) and vals and all(isinstance(v, (int, float)) for v in vals):
        return [vals]  # one recorded sequence
    if isinstance(vals, Sequence):
        return list(vals)
    return [momentum]


def _log_axes(log: bool | str) -> tuple[bool, bool]:
    if log is True:
        return False, True
    if log is False or log is None:
        return False, False
    if log in ("x", "y", "xy", "yx", "both"):
        return "x" in log or log == "both", "y" in log or log == "both"
    raise ValueError(f"Argument `log` must be True, False, 'x', 'y' or 'xy'. Received: log={log!r}")


def _horizon_hint(item: _Item) -> tuple[float | None, bool]:
    """(a step the default range should reach, whether it is a horizon to show past) for one item."""
    if item.kind == "recorded":
        return float(len(item.value)), False
    if item.kind == "schedule":
        marks = _landmarks(item.value)
        ends = [s for label, s in marks if label == "end"]
        if ends:
            return max(ends), True
        if marks:
            return max(s for _, s in marks), True
    return None, False


def _landmarks(s: Schedule[Any]) -> list[tuple[str, float]]:
    try:
        return [(label, float(step)) for label, step in s.landmarks() if math.isfinite(float(step))]
    except Exception:  # array-valued config (sweeps): landmarks are per row, not drawn
        return []


def _grid(np: Any, steps: Any, items: list[_Item], max_points: int) -> Any:
    """The steps to draw, as a float64 numpy array."""
    if steps is None:
        stop = 0.0
        for it in items:
            hint, margin = _horizon_hint(it)
            if hint is not None:
                stop = max(stop, math.ceil(round(hint * (1.0 + MARGIN), 6)) + 1 if margin else hint)
        n_stop = int(stop) if stop > 0 else DEFAULT_STEPS
        return _range_grid(np, 0, n_stop, items, max_points)
    if isinstance(steps, bool):
        raise TypeError(f"Argument `steps` must be a count, (start, stop), a range or an array. Received: {steps!r}")
    if isinstance(steps, int) or (hasattr(steps, "__index__") and not hasattr(steps, "__len__")):
        n = int(steps.__index__())
        if n < 1:
            raise ValueError(f"Argument `steps` must be >= 1. Received: steps={n}")
        return _range_grid(np, 0, n, items, max_points)
    if isinstance(steps, range):
        if len(steps) == 0 or steps.start < 0:
            raise ValueError(f"Argument `steps` must be a non-empty range of steps >= 0. Received: steps={steps!r}")
        if steps.step == 1:
            return _range_grid(np, steps.start, steps.stop, items, max_points)
        return np.asarray(steps, dtype=np.float64)
    if isinstance(steps, tuple) and len(steps) == 2 and all(isinstance(v, int) for v in steps):
        start, stop = steps
        if not 0 <= start < stop:
            raise ValueError(f"Argument `steps` as (start, stop) needs 0 <= start < stop. Received: steps={steps!r}")
        return _range_grid(np, start, stop, items, max_points)
    arr = np.asarray(steps, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"Argument `steps` must be a 1-d, non-empty array of steps. Received shape {arr.shape}")
    if not (np.all(np.isfinite(arr)) and np.all(arr >= 0)):
        raise ValueError("Argument `steps` must hold finite steps >= 0.")
    return arr


def _range_grid(np: Any, start: int, stop: int, items: list[_Item], max_points: int) -> Any:
    n = stop - start
    if n <= max_points:
        return np.arange(start, stop, dtype=np.float64)
    base = np.unique(np.round(np.linspace(start, stop - 1, max_points)))
    extra = []
    for it in items:
        if it.kind == "schedule":
            for _, s in _landmarks(it.value):
                for k in (math.floor(s) - 1, math.floor(s), math.ceil(s)):
                    if start <= k < stop:
                        extra.append(float(k))
    return np.unique(np.concatenate([base, np.asarray(extra, dtype=np.float64)]))


def _is_contiguous(np: Any, grid: Any) -> bool:
    return bool(grid.size and grid[0] == math.floor(grid[0]) and np.all(np.diff(grid) == 1.0))


def _series(np: Any, item: _Item, grid: Any, label: str | None, i: int, prefix: str = "") -> _Series:
    from .backends.numpy import curve

    if item.kind == "recorded":
        y = np.asarray(item.value, dtype=np.float64)
        x = grid if len(grid) == len(y) else np.arange(len(y), dtype=np.float64)
        return _Series(label or f"{prefix or 'recorded'} {i}".strip(), x, y, [])
    if item.kind == "schedule":
        s = item.value
        if _is_contiguous(np, grid):
            y = curve(s, len(grid), start=int(grid[0]))
        else:
            y = np.asarray(s(grid), dtype=np.float64)
        if label is None:
            from .spec import unparse

            label = unparse(s)
            if len(label) > 80:
                label = label[:77] + "..."
        return _Series(label, grid, np.asarray(y, dtype=np.float64), _landmarks(s))
    fn = item.value
    try:
        y = np.asarray(fn(grid), dtype=np.float64)
        if y.shape[-1:] != grid.shape:
            raise ValueError
    except Exception:  # a callable on Python numbers only (e.g. a torch LambdaLR lambda)
        y = np.asarray([float(fn(int(k) if float(k).is_integer() else float(k))) for k in grid.tolist()])
    name = label or getattr(fn, "__name__", None) or f"{prefix or 'callable'} {i}"
    return _Series(str(name), grid, y, [])


def _draw(ax: Any, ser: _Series, gid: str, **style: Any) -> None:
    y = ser.y
    if y.ndim == 1:
        (line,) = ax.plot(ser.x, y, label=ser.label, **style)
        line.set_gid(gid)
        return
    rows = y.reshape(-1, y.shape[-1])
    for r, row in enumerate(rows):
        (line,) = ax.plot(ser.x, row, label=f"{ser.label} [{r}]", alpha=0.8, **{**style, "color": None})
        line.set_gid(f"{gid}:{r}")


def _draw_marks(ax: Any, ser: _Series, color: str, grid: Any) -> None:
    if not len(grid):
        return
    lo, hi = float(grid.min()), float(grid.max())
    for label, step in ser.landmarks:
        if not lo <= step <= hi:
            continue
        line = ax.axvline(step, color=color, linestyle=":", linewidth=1.0, alpha=0.7)
        line.set_gid(f"landmark:{label}")
        ax.text(step, 0.98, f" {label}", transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="right",
                fontsize=7, color=color, alpha=0.8)


class _CallableModule(types.ModuleType):
    """``lrfuncs.plot`` may be bound to this module (``import lrfuncs.plot``): calling it calls :func:`plot`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return plot(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
