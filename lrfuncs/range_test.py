"""LR range test analysis: loss smoothing, divergence, lr suggestions, the result object and its plot.

The range test trains briefly while the lr grows (:func:`lrfuncs.schedules.sweep.lr_sweep`),
records the loss of every update, and reads a good lr off the loss curve.
Everything here is a pure function of the recorded ``(lrs, losses)``: numpy
or JAX arrays (or lists) in, Python floats and numpy arrays out, computed on
the host with numpy. The runners that do the training are
``lrfuncs.backends.torch.range_test`` and ``lrfuncs.backends.jax.range_test``;
both return a :class:`RangeTestResult`, and so does :func:`analyze` for
losses recorded by your own training loop.

How the anchors differ, and which arguments reproduce each:

=====================  ==============================================  ==========================================
                       torch-lr-finder 0.2.2                           fastai ``lr_find`` / Lightning ``lr_find``
=====================  ==============================================  ==========================================
smoothing              ``smooth(smooth_f=0.05)``: EMA, the first loss  ``smooth(smooth_f=0.02,
                       raw, no bias correction                         bias_correction=True)`` (their
                                                                       ``beta=0.98`` is ``1 - smooth_f``)
divergence             ``diverged(threshold=5.0)``                     ``diverged(threshold=4.0)``
suggestion             ``suggest_steepest(spacing="index",             fastai: ``suggest_valley`` (default),
                       skip_start=10, skip_end=5)``: the minimum of    ``suggest_slide``, ``suggest_minimum``,
                       ``np.gradient(losses)``                         ``suggest_steepest(spacing="log_lr",
                                                                       difference="forward")`` (``steep``);
                                                                       Lightning: ``suggest_steepest(
                                                                       spacing="lr", skip_end=1)``
=====================  ==============================================  ==========================================

The spacing of the steepest-slope suggestion matters: per index and per
log-lr agree on an exponential sweep, per lr (Lightning) weights the slope by
``1 / lr`` and picks a much smaller lr, often by orders of magnitude.

>>> import numpy as np
>>> from lrfuncs import range_test as rt
>>> lrs = np.geomspace(1e-5, 10.0, 60)
>>> losses = 2.0 - np.tanh(np.log10(lrs / 1e-3)) + np.where(lrs > 1.0, 10.0 * (lrs - 1.0), 0.0)
>>> result = rt.analyze(lrs, losses, smooth_f=0.0)
>>> f"{result.suggestion:.2e}", result.diverged
('1.08e-03', 51)
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from . import _validation as v

__all__ = [
    "SUGGESTIONS",
    "RangeTestResult",
    "analyze",
    "diverged",
    "plot_range_test",
    "smooth",
    "suggest_minimum",
    "suggest_slide",
    "suggest_steepest",
    "suggest_valley",
]

SPACINGS = ("index", "log_lr", "lr")
DIFFERENCES = ("central", "forward")


# ----------------------------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------------------------


def _vector(name: str, values: Any) -> np.ndarray:
    """``values`` (list, numpy, JAX or CPU torch array) as a 1-d float64 numpy array."""
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        kind = type(values).__name__
        raise TypeError(f"Argument `{name}` must be a 1-d sequence of numbers. Received: {kind}") from e
    if a.ndim != 1:
        raise ValueError(f"Argument `{name}` must be 1-d. Received: {name} of shape {a.shape}")
    return a


def _pair(lrs: Any, losses: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = _vector("lrs", lrs), _vector("losses", losses)
    if len(x) != len(y):
        raise ValueError(f"Arguments `lrs` and `losses` must have the same length. Received: {len(x)} and {len(y)}")
    if not np.all(np.isfinite(x) & (x > 0)):
        bad = x[~(np.isfinite(x) & (x > 0))][0]
        raise ValueError(f"Argument `lrs` must hold finite numbers > 0. Received: an lr of {bad}")
    return x, y


def _check_smooth_f(smooth_f: Any) -> float:
    cfg = {"smooth_f": smooth_f}
    v.between(cfg, "smooth_f", 0.0, 1.0, hi_open=True)
    return float(smooth_f)


def _check_threshold(threshold: Any) -> float:
    cfg = {"threshold": threshold}
    t = v.concrete(cfg, "threshold", allow_inf=True)
    if t is None or not t >= 1.0:
        raise v.fail(cfg, "must be a number >= 1 (divergence: loss > threshold * best loss)", "threshold")
    return t


def _check_skips(skip_start: Any, skip_end: Any) -> tuple[int, int]:
    cfg = {"skip_start": skip_start, "skip_end": skip_end}
    v.integer(cfg, "skip_start")
    v.integer(cfg, "skip_end")
    return int(skip_start), int(skip_end)


# ----------------------------------------------------------------------------------------------
# Smoothing and divergence (shared, step by step, with the runners)
# ----------------------------------------------------------------------------------------------


class _Smoother:
    """The smoothed loss, one raw loss at a time: the arithmetic of the anchors, operation for operation.

    Without bias correction (torch-lr-finder ``range_test``): ``s_0 = x_0``,
    ``s_k = smooth_f * x_k + (1 - smooth_f) * s_{k-1}``. With it (Lightning's
    ``_LRCallback``, fastai's ``AvgSmoothLoss``): ``beta = 1 - smooth_f``,
    ``a_k = beta * a_{k-1} + (1 - beta) * x_k`` from ``a_{-1} = 0`` and
    ``s_k = a_k / (1 - beta ** (k + 1))``. ``smooth_f == 0`` passes losses through.
    """

    __slots__ = ("avg", "beta", "bias_correction", "count", "smooth_f")

    def __init__(self, smooth_f: float, bias_correction: bool) -> None:
        self.smooth_f = smooth_f
        self.beta = 1.0 - smooth_f
        self.bias_correction = bias_correction
        self.count = 0
        self.avg = 0.0

    def push(self, x: float) -> float:
        k, self.count = self.count, self.count + 1
        if self.smooth_f == 0.0:
            return x
        if self.bias_correction:
            self.avg = self.beta * self.avg + (1 - self.beta) * x
            return self.avg / (1 - self.beta ** (k + 1))
        if k > 0:
            x = self.smooth_f * x + (1 - self.smooth_f) * self.avg
        self.avg = x
        return x


class _Divergence:
    """Divergence, one smoothed loss at a time: ``s > threshold * min(s_0..s_k)``, or ``s`` not finite."""

    __slots__ = ("best", "threshold")

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.best = math.inf

    def push(self, s: float) -> bool:
        if not math.isfinite(s):
            return True
        if s < self.best:
            self.best = s
        return self.best > 0 and s > self.threshold * self.best


def smooth(losses: Any, *, smooth_f: float = 0.05, bias_correction: bool = False) -> np.ndarray:
    r"""The exponential moving average of ``losses`` that the range-test finders plot and analyse.

    ``smooth_f`` is the weight of the *new* loss (torch-lr-finder's name and
    default); fastai's and Lightning's ``beta`` (the weight of the old average,
    0.98) is ``1 - smooth_f``, so theirs is ``smooth_f=0.02``.

    * ``bias_correction=False`` (torch-lr-finder ``LRFinder.range_test``, exactly, operation
      for operation): :math:`s_0 = x_0`, :math:`s_k = f x_k + (1 - f) s_{k-1}`.
    * ``bias_correction=True`` (Lightning ``_LRCallback``; fastai ``AvgSmoothLoss`` up to
      rounding): :math:`a_k = \beta a_{k-1} + (1 - \beta) x_k` from :math:`a_{-1} = 0`,
      :math:`s_k = a_k / (1 - \beta^{k+1})` with :math:`\beta = 1 - f`.

    ``smooth_f=0`` turns smoothing off (as in torch-lr-finder). A NaN or
    infinite loss makes every later smoothed value non-finite.

    Args:
      losses: the raw losses in recording order (1-d: list, numpy or JAX array).
      smooth_f: weight of the new loss, in [0, 1).
      bias_correction: divide by :math:`1 - \beta^{k+1}` (fastai, Lightning).

    >>> smooth([4.0, 2.0, 2.0], smooth_f=0.5).tolist()
    [4.0, 3.0, 2.5]
    >>> smooth([4.0, 2.0, 2.0], smooth_f=0.5, bias_correction=True).round(4).tolist()
    [4.0, 2.6667, 2.2857]
    """
    f = _check_smooth_f(smooth_f)
    v.flag({"bias_correction": bias_correction}, "bias_correction")
    x = _vector("losses", losses)
    s = _Smoother(f, bias_correction)
    return np.array([s.push(value) for value in x.tolist()], dtype=np.float64)


def diverged(smoothed: Any, *, threshold: float = 5.0) -> int | None:
    """The index of the first smoothed loss above ``threshold`` times the best so far, or None.

    torch-lr-finder stops at ``loss > diverge_th * best_loss`` (``diverge_th=5``),
    fastai and Lightning at ``smooth_loss > 4 * best_loss``: the best includes
    the current loss, and the diverged loss is the last one recorded. Two
    deliberate differences: a NaN or infinite loss counts as divergence (the
    anchors train on with NaN), and a best loss <= 0 never triggers (the
    ratio test means nothing there; the anchors would stop at once).

    >>> diverged([3.0, 2.0, 1.0, 4.5, 6.0], threshold=4.0), diverged([3.0, 2.0, 1.0, 4.5, 6.0], threshold=5.0)
    (3, 4)
    >>> diverged([3.0, 2.0, 1.0, 4.5, 6.0], threshold=10.0) is None
    True
    >>> diverged([3.0, float("nan"), 1.0])
    1
    """
    t = _check_threshold(threshold)
    d = _Divergence(t)
    for i, s in enumerate(_vector("smoothed", smoothed).tolist()):
        if d.push(s):
            return i
    return None


# ----------------------------------------------------------------------------------------------
# Suggestions
# ----------------------------------------------------------------------------------------------


def _window(
    lrs: Any, losses: Any, skip_start: Any, skip_end: Any, need: int, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """``lrs[skip_start:-skip_end]`` and the losses, cut before the first non-finite loss (as fastai)."""
    x, y = _pair(lrs, losses)
    a, b = _check_skips(skip_start, skip_end)
    n = len(y)
    x, y = x[a : max(a, n - b)], y[a : max(a, n - b)]
    bad = ~np.isfinite(y)
    if bad.any():
        cut = int(np.argmax(bad))
        x, y = x[:cut], y[:cut]
    if len(y) < need:
        raise ValueError(
            f"{what} needs at least {need} finite losses after skipping the first {a} and the last {b} of "
            f"the {n} recorded; {len(y)} remain. Record more steps, or lower `skip_start` / `skip_end`."
        )
    return x, y


def suggest_steepest(
    lrs: Any,
    losses: Any,
    *,
    spacing: str = "index",
    difference: str = "central",
    skip_start: int = 10,
    skip_end: int = 5,
) -> float:
    """The lr where the loss falls fastest: the most negative slope of the (smoothed) loss curve.

    The slope is taken against ``spacing``:

    * ``"index"``: per recorded step, ``np.gradient(losses)`` (torch-lr-finder's
      ``plot(suggest_lr=True)``, exactly, with its defaults ``skip_start=10, skip_end=5``);
    * ``"log_lr"``: per unit of ``log(lr)`` (the same answer as ``"index"`` on an exponential
      sweep; with ``difference="forward"`` it is fastai's ``steep``);
    * ``"lr"``: per unit of lr, ``np.gradient(losses, lrs)`` (Lightning's ``suggestion()``,
      which skips ``skip_begin=10, skip_end=1``): it divides by the lr spacing, which grows with
      the lr on an exponential sweep, so it picks a smaller lr, often by orders of magnitude.

    ``difference="central"`` uses ``np.gradient`` (second-order central differences, one-sided
    at the ends); ``"forward"`` uses ``(l[i+1] - l[i]) / (x[i+1] - x[i])`` and returns the left
    end of the steepest segment (fastai ``steep``).

    ``losses[skip_start:-skip_end]`` is used (the first steps are noisy, the last ones
    diverge), cut before the first non-finite loss. Raises ValueError with fewer than 2 left.

    >>> import numpy as np
    >>> lrs = np.geomspace(1e-4, 1.0, 30)
    >>> losses = 1.0 - np.tanh(np.log10(lrs) + 2.5)
    >>> suggest_steepest(lrs, losses, skip_start=0, skip_end=0) == float(lrs[np.argmin(np.gradient(losses))])
    True
    """
    v.choice({"spacing": spacing}, "spacing", SPACINGS)
    v.choice({"difference": difference}, "difference", DIFFERENCES)
    x, y = _window(lrs, losses, skip_start, skip_end, 2, "suggest_steepest")
    coord: np.ndarray | None = None
    if spacing != "index":
        if not np.all(np.diff(x) > 0):
            raise ValueError(f"suggest_steepest with spacing={spacing!r} needs strictly increasing lrs")
        coord = np.log(x) if spacing == "log_lr" else x
    if difference == "central":
        grad = np.gradient(y) if coord is None else np.gradient(y, coord)
    else:
        grad = np.diff(y) if coord is None else np.diff(y) / np.diff(coord)
    return float(x[int(np.argmin(grad))])


def _valley_index(y: np.ndarray) -> int:
    """fastai ``valley``'s index: longest decreasing subsequence (O(n^2)), then 1/3 + 1/6 into it.

    fastai updates ``max_end`` and ``max_start = max_end - lds[max_end]`` *inside* its inner loop,
    so ``max_start`` keeps the length at the moment row ``i`` first beat the record; the
    vectorised row below reproduces that. The index is clamped at 0 where fastai's can be -1
    (a 2-point valley at the start: Python then wraps round to the *last* lr).
    """
    n = len(y)
    lds = np.ones(n, dtype=np.int64)
    max_start, max_end = 0, 0
    for i in range(1, n):
        # running lds[i] after each j < i: max(1, lds[j'] + 1 over j' <= j with y[j'] > y[i])
        run = np.maximum.accumulate(np.where(y[:i] > y[i], lds[:i] + 1, 1))
        lds[i] = run[-1]
        record = lds[max_end]
        if run[-1] > record:
            first = int(np.argmax(run > record))
            max_end, max_start = i, i - int(run[first])
    sections = (max_end - max_start) / 3
    return max(0, max_start + int(sections) + int(sections / 2))


def suggest_valley(lrs: Any, losses: Any, *, skip_start: int = 10, skip_end: int = 5) -> float:
    """fastai's default suggestion ``valley``: a point early in the longest descent of the loss curve.

    The longest strictly decreasing subsequence of the losses (fastai's O(n^2) ``lds``) runs
    from ``max_start`` to ``max_end``; the suggestion is the lr at
    ``max_start + int(L / 3) + int(L / 6)`` with ``L = max_end - max_start``. fastai's
    ``lr_find`` passes ``recorder.lrs[num_it // 10 : -5]`` (``skip_start=10`` for the default
    ``num_it=100``), cut at the first NaN. One deliberate difference: an index of -1 (fastai,
    when the valley is the first two points) is 0 here, not the last lr.

    >>> suggest_valley([1e-3, 1e-2, 1e-1, 1.0, 10.0], [5.0, 4.0, 2.0, 1.0, 3.0], skip_start=0, skip_end=0)
    0.001
    """
    x, y = _window(lrs, losses, skip_start, skip_end, 1, "suggest_valley")
    return float(x[_valley_index(y)])


def suggest_slide(
    lrs: Any,
    losses: Any,
    *,
    lr_diff: int = 15,
    thresh: float = 0.005,
    adjust_value: float = 1.0,
    skip_start: int = 10,
    skip_end: int = 5,
) -> float:
    """fastai's ``slide``: walk left from the end until the loss slope stops changing.

    With ``g = np.gradient(losses)`` (per index), a window of ``lr_diff`` steps slides left
    from the end while ``|g[r] - g[r - lr_diff]| > thresh``; the suggestion is
    ``adjust_value`` times the lr at the left edge of the last window that still moved
    (``lrs[-1 - lr_diff]`` if the first one did not). ``thresh`` is in loss units per step.
    Needs ``lr_diff + 1`` losses after skipping (fastai raises IndexError there).

    >>> import numpy as np
    >>> lrs = np.geomspace(1e-4, 1.0, 40)
    >>> losses = np.concatenate([np.full(20, 2.0), 2.0 - 0.1 * np.arange(1, 21) ** 1.5])
    >>> f"{suggest_slide(lrs, losses, lr_diff=5, skip_start=0, skip_end=0):.3g}"
    '0.00273'
    """
    cfg = {"lr_diff": lr_diff, "thresh": thresh, "adjust_value": adjust_value}
    v.integer(cfg, "lr_diff", minimum=1)
    v.non_negative(cfg, "thresh")
    v.positive(cfg, "adjust_value")
    x, y = _window(lrs, losses, skip_start, skip_end, max(2, int(lr_diff) + 1), "suggest_slide")
    grad = np.gradient(y)
    r, left = -1, -1 - int(lr_diff)
    local = x[left]
    while left >= -len(y) and abs(grad[r] - grad[left]) > thresh:
        local = x[left]
        r, left = r - 1, left - 1
    return float(local) * adjust_value


def suggest_minimum(lrs: Any, losses: Any, *, skip_start: int = 10, skip_end: int = 5) -> float:
    """fastai's ``minimum``: a tenth of the lr at the lowest (smoothed) loss.

    >>> suggest_minimum([1e-3, 1e-2, 1e-1, 1.0], [3.0, 2.0, 1.0, 5.0], skip_start=0, skip_end=0)
    0.01
    """
    x, y = _window(lrs, losses, skip_start, skip_end, 1, "suggest_minimum")
    return float(x[int(np.argmin(y))]) / 10


#: The suggestion functions by name (the keys of :attr:`RangeTestResult.suggestions`).
SUGGESTIONS: dict[str, Callable[..., float]] = {
    "steepest": suggest_steepest,
    "valley": suggest_valley,
    "slide": suggest_slide,
    "minimum": suggest_minimum,
}


# ----------------------------------------------------------------------------------------------
# The result
# ----------------------------------------------------------------------------------------------


def _readonly(name: str, values: Any) -> np.ndarray:
    a = np.array(_vector(name, values), dtype=np.float64)  # a copy: the result owns its arrays
    a.setflags(write=False)
    return a


def _json_floats(a: np.ndarray) -> list[float | None]:
    return [x if math.isfinite(x) else None for x in a.tolist()]


def _from_json_floats(values: Sequence[float | None]) -> list[float]:
    return [math.nan if x is None else float(x) for x in values]


@dataclass(frozen=True, eq=False)
class RangeTestResult:
    """What an LR range test recorded, and the lrs it suggests.

    Attributes:
      lrs: the lr of every recorded update (float64, read-only).
      losses: the raw loss of every update (the validation loss with a validation set).
      smoothed: ``smooth(losses, ...)`` with the run's settings: what the finders plot.
      diverged: the index of the first divergence (see :func:`diverged`), or None. When the
        run stopped there, it is the last index.
      settings: the run's settings as plain data (``start_lr``, ``end_lr``, ``num_steps``,
        ``mode``, ``convention``, ``smooth_f``, ``bias_correction``, ``diverge_th``, ``skip_start``,
        ``skip_end``, ``spacing``, ...).
      suggestions: lr per heuristic (``"steepest"``, ``"valley"``, ``"slide"``, ``"minimum"``),
        None where too few points were recorded.

    Suggestions are computed on the smoothed losses up to the first divergence (included), as
    if the run had stopped there, so they do not depend on ``stop_on_divergence``.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    diverged: int | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    suggestions: Mapping[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("lrs", "losses", "smoothed"):
            object.__setattr__(self, name, _readonly(name, getattr(self, name)))
        if not len(self.lrs) == len(self.losses) == len(self.smoothed):
            raise ValueError(
                "`lrs`, `losses` and `smoothed` must have the same length. "
                f"Received: {len(self.lrs)}, {len(self.losses)}, {len(self.smoothed)}"
            )
        if self.diverged is not None:
            object.__setattr__(self, "diverged", int(self.diverged))
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))
        sugg = {k: (None if s is None else float(s)) for k, s in self.suggestions.items()}
        object.__setattr__(self, "suggestions", MappingProxyType(sugg))

    @property
    def suggestion(self) -> float | None:
        """The steepest-slope suggestion (torch-lr-finder's), or None if too few points were recorded."""
        return self.suggestions.get("steepest")

    @property
    def stopped_early(self) -> bool:
        """True if the run recorded fewer steps than ``settings["num_steps"]`` (it diverged)."""
        return len(self.lrs) < int(self.settings.get("num_steps", len(self.lrs)))

    def _analysed(self) -> tuple[np.ndarray, np.ndarray]:
        end = len(self.lrs) if self.diverged is None else self.diverged + 1
        return self.lrs[:end], self.smoothed[:end]

    def suggest(self, method: str = "steepest", **options: Any) -> float:
        """Run one suggestion heuristic again, e.g. ``result.suggest("steepest", spacing="lr", skip_end=1)``.

        ``skip_start``, ``skip_end`` (and ``spacing`` for ``"steepest"``) default to the run's
        settings; raises ValueError if too few points remain.
        """
        if method not in SUGGESTIONS:
            raise ValueError(f"Argument `method` must be one of {', '.join(map(repr, SUGGESTIONS))}. "
                             f"Received: method={method!r}")
        defaults = {k: self.settings[k] for k in ("skip_start", "skip_end") if k in self.settings}
        if method == "steepest" and "spacing" in self.settings:
            defaults["spacing"] = self.settings["spacing"]
        return SUGGESTIONS[method](*self._analysed(), **{**defaults, **options})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (non-finite losses become None); :meth:`from_dict` reads it back."""
        return {
            "lrs": self.lrs.tolist(),
            "losses": _json_floats(self.losses),
            "smoothed": _json_floats(self.smoothed),
            "diverged": self.diverged,
            "settings": dict(self.settings),
            "suggestions": dict(self.suggestions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RangeTestResult:
        """The result described by :meth:`to_dict`'s output."""
        missing = {"lrs", "losses", "smoothed"} - set(data)
        if missing:
            raise ValueError(f"A range-test dict needs the keys {sorted(missing)}. Received keys: {sorted(data)}")
        return cls(
            lrs=np.asarray(data["lrs"], dtype=np.float64),
            losses=np.asarray(_from_json_floats(data["losses"])),
            smoothed=np.asarray(_from_json_floats(data["smoothed"])),
            diverged=data.get("diverged"),
            settings=data.get("settings", {}),
            suggestions=data.get("suggestions", {}),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RangeTestResult):
            return NotImplemented
        return (
            all(
                np.array_equal(getattr(self, k), getattr(other, k), equal_nan=True)
                for k in ("lrs", "losses", "smoothed")
            )
            and self.diverged == other.diverged
            and dict(self.settings) == dict(other.settings)
            and dict(self.suggestions) == dict(other.suggestions)
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:  # the mapping proxies do not pickle
        fields = (self.lrs, self.losses, self.smoothed, self.diverged, dict(self.settings), dict(self.suggestions))
        return (RangeTestResult, fields)

    def __repr__(self) -> str:
        sugg = ", ".join(f"{k}={s:.3g}" if s is not None else f"{k}=None" for k, s in self.suggestions.items())
        return f"RangeTestResult({len(self.lrs)} steps, diverged={self.diverged}, suggestions: {sugg})"

    def plot(
        self,
        ax: Any = None,
        path: Any = None,
        suggestion: str | Sequence[str] | None = "steepest",
        *,
        raw: bool = True,
        log_lr: bool = True,
    ) -> Any:
        """Plot the loss against the lr (log axis), the suggestion(s) marked; matplotlib is imported here.

        Args:
          ax: a matplotlib Axes to draw into; by default a new figure (``pyplot`` when no
            ``path`` is given, so notebooks show it; a bare ``Figure`` when saving).
          path: save the figure there (PNG by the suffix, 150 dpi).
          suggestion: the suggestion(s) to mark: a name of :attr:`suggestions`, several, "all",
            or None.
          raw: also draw the raw losses, faintly.
          log_lr: log-scaled lr axis (the default; the sweep is exponential).

        Returns the Axes.
        """
        try:
            import matplotlib
        except ImportError:  # pragma: no cover - the optional extra
            raise ImportError("RangeTestResult.plot needs matplotlib: pip install 'lrfuncs[plot]'") from None
        del matplotlib
        fig = None
        if ax is None:
            if path is None:
                import matplotlib.pyplot as plt

                fig, ax = plt.subplots(figsize=(7, 4.5))
            else:
                from matplotlib.figure import Figure

                fig = Figure(figsize=(7, 4.5))
                ax = fig.add_subplot()
        names = _suggestion_names(suggestion, self.suggestions)
        lrs, sm = self.lrs, self.smoothed
        if raw:
            ax.plot(lrs, self.losses, color="0.7", lw=0.8, label="loss")
        ax.plot(lrs, sm, color="C0", lw=1.6, label="smoothed loss" if self.settings.get("smooth_f") else "loss")
        finite = np.isfinite(sm)
        if self.diverged is not None:
            ax.axvline(lrs[self.diverged], color="0.5", ls=":", lw=1, label="diverged")
        for i, name in enumerate(names):
            s = self.suggestions.get(name)
            if s is None:
                continue
            y = float(np.interp(math.log(s), np.log(lrs[finite]), sm[finite])) if finite.any() else math.nan
            ax.scatter([s], [y], s=60, zorder=3, color=f"C{(i + 3) % 10}", label=f"{name}: {s:.2e}")
        if log_lr:
            ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        if finite.any():  # keep the diverging tail from flattening the descent (torch-lr-finder trims it)
            y = sm[finite]
            low, top = float(np.min(y)), float(np.max(y[: int(np.argmin(y)) + 1]))
            if raw and np.isfinite(self.losses).any():
                low = min(low, float(np.min(self.losses[np.isfinite(self.losses)])))
            pad = 0.05 * (top - low)
            if pad > 0:
                ax.set_ylim(low - pad, min(float(np.max(y)), top + 10 * pad) + pad)
        ax.legend(loc="best", fontsize="small")
        ax.set_title("LR range test")
        if path is not None:
            (fig or ax.figure).savefig(path, dpi=150, bbox_inches="tight")
        return ax


def _suggestion_names(suggestion: str | Sequence[str] | None, available: Mapping[str, Any]) -> list[str]:
    if suggestion is None:
        return []
    if suggestion == "all":
        return list(available)
    names = [suggestion] if isinstance(suggestion, str) else list(suggestion)
    for n in names:
        if n not in SUGGESTIONS:
            raise ValueError(
                f"Argument `suggestion` must name suggestions among {', '.join(map(repr, SUGGESTIONS))} or be "
                f"'all' or None. Received: suggestion={suggestion!r}"
            )
    return names


def plot_range_test(result: RangeTestResult, path: Any, **options: Any) -> Any:
    """Save ``result.plot(**options)`` to ``path`` (a PNG by its suffix) without pyplot; returns ``path``."""
    result.plot(path=path, **options)
    return path


# ----------------------------------------------------------------------------------------------
# Shared by the runners
# ----------------------------------------------------------------------------------------------


class _Batches:
    """Batches from a loader, started again when it runs out (as torch-lr-finder's ``auto_reset``)."""

    def __init__(self, loader: Iterable[Any], name: str) -> None:
        try:
            self.iterator: Iterator[Any] = iter(loader)
        except TypeError:
            raise TypeError(
                f"Argument `{name}` must be iterable (a DataLoader, a list of batches, ...). "
                f"Received: {type(loader).__name__}"
            ) from None
        self.loader, self.name = loader, name

    def next(self) -> Any:
        try:
            return next(self.iterator)
        except StopIteration:
            self.iterator = iter(self.loader)
        try:
            return next(self.iterator)
        except StopIteration:
            raise ValueError(
                f"Argument `{self.name}` yielded no batches. Pass a loader that yields at least one batch and "
                "can be iterated again (a DataLoader or a list; an exhausted generator cannot)."
            ) from None


def _progress(enabled: bool, total: int) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return None
    return tqdm(total=total, desc="LR range test", unit="step", leave=False)


# ----------------------------------------------------------------------------------------------
# From recorded losses to a result (used by the runners)
# ----------------------------------------------------------------------------------------------


def analyze(
    lrs: Any,
    losses: Any,
    *,
    smooth_f: float = 0.05,
    bias_correction: bool = False,
    diverge_th: float = 5.0,
    skip_start: int = 10,
    skip_end: int = 5,
    spacing: str = "index",
    settings: Mapping[str, Any] | None = None,
) -> RangeTestResult:
    """A :class:`RangeTestResult` from the raw losses of a range test run by any training loop.

    Smooths the losses (:func:`smooth`), finds the first divergence (:func:`diverged` with
    ``diverge_th``) and computes every suggestion on the smoothed losses up to it (a
    suggestion that has too few points is None). ``settings`` is stored with the analysis
    settings added.

    >>> r = analyze([1e-3, 1e-2, 1e-1, 1.0], [2.0, 1.5, 1.0, 9.0], smooth_f=0.0, skip_start=0, skip_end=0)
    >>> r.diverged, r.suggestions["minimum"]
    (3, 0.01)
    """
    x, y = _pair(lrs, losses)
    v.choice({"spacing": spacing}, "spacing", SPACINGS)
    a, b = _check_skips(skip_start, skip_end)
    th = _check_threshold(diverge_th)
    sm = smooth(y, smooth_f=smooth_f, bias_correction=bias_correction)
    div = diverged(sm, threshold=th)
    end = len(x) if div is None else div + 1
    suggestions: dict[str, float | None] = {}
    for name, fn in SUGGESTIONS.items():
        extra = {"spacing": spacing} if name == "steepest" else {}
        try:
            suggestions[name] = fn(x[:end], sm[:end], skip_start=a, skip_end=b, **extra)
        except ValueError:
            suggestions[name] = None
    full = {
        "num_steps": len(x),
        **(settings or {}),
        "smooth_f": float(smooth_f),
        "bias_correction": bias_correction,
        "diverge_th": th,
        "skip_start": a,
        "skip_end": b,
        "spacing": spacing,
    }
    return RangeTestResult(x, y, sm, div, full, suggestions)


# ----------------------------------------------------------------------------------------------
# Command line: python -m lrfuncs.range_test result.json -o plot.png
# ----------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Print a saved result's suggestions and optionally plot it to a PNG."""
    import json

    p = argparse.ArgumentParser(
        prog="python -m lrfuncs.range_test",
        description="Show the suggestions of a saved LR range test (RangeTestResult.to_dict() as JSON) "
        "and plot it.",
    )
    p.add_argument("result", help="JSON file written from RangeTestResult.to_dict()")
    p.add_argument("-o", "--out", help="write the plot to this PNG file")
    p.add_argument("--suggestion", default="steepest", help="suggestion(s) to mark, comma-separated, or 'all'")
    args = p.parse_args(argv)
    with open(args.result, encoding="utf-8") as f:
        result = RangeTestResult.from_dict(json.load(f))
    for name, s in result.suggestions.items():
        print(f"{name:>9}: {'-' if s is None else f'{s:.4g}'}")
    if args.out:
        names = args.suggestion if args.suggestion == "all" else args.suggestion.split(",")
        plot_range_test(result, args.out, suggestion=names)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
