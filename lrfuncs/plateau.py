"""Reduce-on-plateau as a pure state machine: ``state = plateau.update(state, metric)``.

The guide's adaptive scheduler, done the functional way. :class:`Plateau` holds
the (validated) config; :class:`PlateauState` is a small immutable record (a
``NamedTuple``, hence a JAX pytree) that converts to a dict and back. The
update has no Python branching on values: it is a handful of ``where``\\ s, so
it runs on Python numbers, numpy, under ``jax.jit`` and in ``jax.lax.scan``.

The value in the state is what gets reduced: an lr (torch, keras: one per
param group, as an array) or a scale on updates (optax, start at 1.0).

Conventions (``convention=``), each the anchor's exact step logic:

* ``"torch"`` (default), torch ``ReduceLROnPlateau``: a metric is *better* if
  ``m < best * (1 - rtol) - atol`` (``mode="min"``; ``"max"`` mirrors it), which
  is torch's ``threshold_mode="rel"`` with ``rtol=threshold`` or ``"abs"`` with
  ``atol=threshold``. Better resets the bad count, else it grows; during
  cooldown the bad count is zeroed; the value is reduced when the bad count
  *exceeds* ``patience`` (after ``patience + 1`` bad evaluations), to
  ``max(value * factor, min_value)``, and only where that lowers it by more
  than ``eps``.
* ``"optax"``, ``optax.contrib.reduce_on_plateau``: metrics are first averaged
  over ``accumulation_size`` calls; the reduction fires when the bad count
  *reaches* ``patience``; no reduction during cooldown; no ``eps``.
* ``"keras"``, Keras / fastai ``ReduceLROnPlateau``: cooldown is counted down
  first; the bad count grows only outside cooldown and the reduction fires at
  ``patience`` bad evaluations, if the value is still above ``min_value``.
  Keras' ``min_delta`` is ``atol`` (with ``rtol=0``). fastai *divides* by its
  ``factor``: fastai ``factor=10`` is ``factor=0.1`` here.

NaN metrics are never better (as in torch): they count as bad evaluations and
never become ``best``. ``inf`` compares as usual (``-inf`` in ``"min"`` mode
becomes the best and nothing improves on it afterwards).

>>> from lrfuncs.plateau import Plateau
>>> p = Plateau(factor=0.5, patience=2)
>>> state = p.init(1.0)
>>> lrs = []
>>> for metric in [3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]:
...     state = p.update(state, metric)
...     lrs.append(state.value)
>>> lrs
[1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from . import _validation as v
from ._dispatch import Ops, join_ops, ops_for_values, python_ops
from ._schedule import _array_from_list

__all__ = ["Plateau", "PlateauState", "init", "update"]

MODES = ("min", "max")
CONVENTIONS = ("torch", "optax", "keras")


class PlateauState(NamedTuple):
    """The state of a reduce-on-plateau run (a JAX pytree; all leaves are numbers or arrays).

    Attributes:
      value: the current lr (or scale), per param group if an array.
      best: the best (accumulated) metric so far.
      num_bad: evaluations since the last improvement (torch's ``num_bad_epochs``).
      cooldown: evaluations of cooldown left.
      count: metrics accumulated toward the next evaluation (``accumulation_size``).
      mean: the running mean of those metrics.
    """

    value: Any
    best: Any
    num_bad: Any
    cooldown: Any
    count: Any
    mean: Any

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (arrays become lists), e.g. for a JSON checkpoint."""
        return {k: _plain(x) for k, x in self._asdict().items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlateauState:
        missing = [k for k in cls._fields if k not in data]
        if missing:
            raise ValueError(f"A plateau state dict needs the keys {list(cls._fields)}. Missing: {missing}")
        return cls(**{k: _unplain(k, data[k]) for k in cls._fields})


def _plain(x: Any) -> Any:
    """Arrays as (nested) lists, for plain-data dicts."""
    return x.tolist() if hasattr(x, "tolist") else x


def _unplain(name: str, x: Any) -> Any:
    """Lists (arrays saved by :func:`_plain`) back as numpy arrays."""
    return _array_from_list(name, x) if isinstance(x, list) else x


class Plateau:
    """Reduce-on-plateau config: validated once, with pure ``init`` and ``update``.

    Args:
      mode: ``"min"`` (a loss) or ``"max"`` (an accuracy).
      factor: the reduction ``value -> value * factor``, in (0, 1).
      patience: bad evaluations tolerated (see the module doc for when each
        convention reduces), a whole number >= 0.
      rtol: relative improvement needed (torch ``threshold`` with
        ``threshold_mode="rel"``, optax ``rtol``), in [0, 1].
      atol: absolute improvement needed (torch ``"abs"``, optax ``atol``, keras
        ``min_delta``), >= 0.
      cooldown: evaluations after a reduction during which bad ones are not counted.
      min_value: the floor of the value (torch/keras ``min_lr``, optax ``min_scale``);
        an array gives one floor per param group.
      eps: torch's minimal change (``"torch"`` only).
      accumulation_size: metrics averaged per evaluation (optax), >= 1.
      convention: ``"torch"``, ``"optax"`` or ``"keras"``.

    Array-valued ``min_value`` is not validated.
    """

    __slots__ = ("_config",)

    def __init__(
        self,
        *,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        rtol: float = 1e-4,
        atol: float = 0.0,
        cooldown: int = 0,
        min_value: Any = 0.0,
        eps: float = 1e-8,
        accumulation_size: int = 1,
        convention: str = "torch",
    ) -> None:
        cfg = {
            "mode": mode,
            "factor": factor,
            "patience": patience,
            "rtol": rtol,
            "atol": atol,
            "cooldown": cooldown,
            "min_value": min_value,
            "eps": eps,
            "accumulation_size": accumulation_size,
            "convention": convention,
        }
        v.choice(cfg, "mode", MODES)
        v.choice(cfg, "convention", CONVENTIONS)
        v.between(cfg, "factor", 0.0, 1.0, lo_open=True, hi_open=True)
        v.integer(cfg, "patience", minimum=0)
        v.between(cfg, "rtol", 0.0, 1.0)
        v.non_negative(cfg, "atol")
        v.integer(cfg, "cooldown", minimum=0)
        v.non_negative(cfg, "min_value")
        v.non_negative(cfg, "eps")
        v.integer(cfg, "accumulation_size", minimum=1)
        if convention == "optax" and v.concrete(cfg, "rtol") == 0 and v.concrete(cfg, "atol") == 0:
            raise v.fail(cfg, "and `atol` cannot both be 0 with convention='optax' (as optax requires)", "rtol", "atol")
        object.__setattr__(self, "_config", cfg)

    @property
    def config(self) -> Mapping[str, Any]:
        from types import MappingProxyType

        return MappingProxyType(self._config)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._config[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Plateau is immutable; build a new one")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (dict(self._config),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plateau) and self.to_dict() == other.to_dict()  # arrays compare as lists

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, str(x)) for k, x in self._config.items())))

    def __repr__(self) -> str:
        return "Plateau(" + ", ".join(f"{k}={x!r}" for k, x in self._config.items()) + ")"

    def to_dict(self) -> dict[str, Any]:
        return {k: _plain(x) for k, x in self._config.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plateau:
        return cls(**{k: _unplain(k, x) for k, x in data.items()})

    # -- the state machine ------------------------------------------------------------------

    def init(self, value: Any = 1.0) -> PlateauState:
        """The state before the first metric: ``value`` (an lr, per-group array, or 1.0 as a scale)."""
        if isinstance(value, bool) or value is None or isinstance(value, str):
            raise TypeError(f"Argument `value` must be a number or an array. Received: value={value!r}")
        if isinstance(value, (int, float)) and not value > 0:
            raise ValueError(f"Argument `value` must be > 0. Received: value={value!r}")
        worst = math.inf if self._config["mode"] == "min" else -math.inf
        return PlateauState(value=value, best=worst, num_bad=0, cooldown=0, count=0, mean=0.0)

    def update(self, state: PlateauState, metric: Any) -> PlateauState:
        """The state after one more metric. Pure: no Python branching on values."""
        if not isinstance(state, PlateauState):
            raise TypeError(f"Argument `state` must be a PlateauState. Received: {type(state).__name__}")
        if isinstance(metric, bool) or metric is None or isinstance(metric, str):
            raise TypeError(f"Argument `metric` must be a number or a 0-d array. Received: metric={metric!r}")
        ops = ops_for_values([metric, *state])
        xp = python_ops if ops is None else join_ops(ops, None)
        if xp is python_ops:
            metric = float(metric)
        return _update(xp, self._config, state, metric)


def _rebuild(config: dict[str, Any]) -> Plateau:
    return Plateau(**config)


def _is_better(xp: Ops, cfg: Mapping[str, Any], metric: Any, best: Any) -> Any:
    """``metric < best * (1 - rtol) - atol`` (``"min"``) or ``metric > best * (1 + rtol) + atol``."""
    if cfg["mode"] == "min":
        return metric < best * (1.0 - cfg["rtol"]) - cfg["atol"]
    return metric > best * (cfg["rtol"] + 1.0) + cfg["atol"]


def _update(xp: Ops, cfg: Mapping[str, Any], s: PlateauState, metric: Any) -> PlateauState:
    convention = cfg["convention"]
    patience, factor, cooldown_len = cfg["patience"], cfg["factor"], cfg["cooldown"]
    floor = xp.cast_like(cfg["min_value"], s.value)  # a float64 array floor must not widen a float32 value

    # accumulate (accumulation_size == 1: the mean is the metric)
    count = s.count + 1
    mean = (s.count * s.mean + metric) / count
    ready = count >= cfg["accumulation_size"]

    in_cooldown = s.cooldown > 0
    if convention == "keras":
        cooldown = xp.where(in_cooldown, s.cooldown - 1, s.cooldown)
        num_bad = xp.where(in_cooldown, 0, s.num_bad)
        better = _is_better(xp, cfg, mean, s.best)
        counting = _and(_not(better), _not(cooldown > 0))
        num_bad = xp.where(better, 0, xp.where(counting, num_bad + 1, num_bad))
        can = s.value > floor
        reduce_ = _and(_and(counting, num_bad >= patience), _any(can))
        value = xp.where(_and(reduce_, can), xp.maximum(s.value * factor, floor), s.value)
        num_bad = xp.where(reduce_, 0, num_bad)
        cooldown = xp.where(reduce_, cooldown_len, cooldown)
        best = xp.where(better, mean, s.best)
    else:
        better = _is_better(xp, cfg, mean, s.best)
        best = xp.where(better, mean, s.best)
        num_bad = xp.where(better, 0, s.num_bad + 1)
        if convention == "torch":
            cooldown = xp.where(in_cooldown, s.cooldown - 1, s.cooldown)
            num_bad = xp.where(in_cooldown, 0, num_bad)
            trigger = num_bad > patience
            lowered = xp.maximum(s.value * factor, floor)
            value = xp.where(_and(trigger, s.value - lowered > cfg["eps"]), lowered, s.value)
        else:  # optax: nothing but the cooldown count-down happens during cooldown
            trigger = _and(_not(in_cooldown), num_bad == patience)
            cooldown = xp.where(in_cooldown, s.cooldown - 1, 0)
            num_bad = xp.where(in_cooldown, 0, num_bad)
            value = xp.where(in_cooldown, s.value, xp.maximum(xp.where(trigger, s.value * factor, s.value), floor))
        num_bad = xp.where(trigger, 0, num_bad)
        cooldown = xp.where(trigger, cooldown_len, cooldown)

    # until `accumulation_size` metrics are in, only the accumulator moves
    return PlateauState(
        value=xp.where(ready, value, s.value),
        best=xp.where(ready, best, s.best),
        num_bad=xp.where(ready, num_bad, s.num_bad),
        cooldown=xp.where(ready, cooldown, s.cooldown),
        count=xp.where(ready, 0, count),
        mean=xp.where(ready, 0.0, mean),
    )


def _not(x: Any) -> Any:
    """Logical not of a Python bool or a boolean array (``~True`` would be -2)."""
    return (not x) if isinstance(x, bool) else ~x


def _and(a: Any, b: Any) -> Any:
    """Logical and of Python bools and/or boolean arrays."""
    return (a and b) if isinstance(a, bool) and isinstance(b, bool) else a & b


def _any(x: Any) -> Any:
    """True if any group can still be reduced (keras reduces the whole optimizer)."""
    return x.any() if getattr(x, "shape", ()) else x


def init(value: Any = 1.0, **config: Any) -> PlateauState:
    """Functional form of :meth:`Plateau.init`: ``init(value, **config)``.

    >>> from lrfuncs import plateau
    >>> plateau.init(0.1, mode="max").best
    -inf
    """
    return Plateau(**config).init(value)


def update(state: PlateauState, metric: Any, /, **config: Any) -> PlateauState:
    """Functional form of :meth:`Plateau.update`: ``update(state, metric, **config)``.

    The config is validated on every call; bind it once with :class:`Plateau`
    in a loop.

    >>> from lrfuncs import plateau
    >>> s = plateau.init(1.0)
    >>> for m in [1.0, 1.0, 1.0]:
    ...     s = plateau.update(s, m, patience=1, factor=0.5)
    >>> s.value
    0.5
    """
    return Plateau(**config).update(state, metric)
