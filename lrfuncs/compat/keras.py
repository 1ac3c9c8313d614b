r"""Keras 3 ``keras.optimizers.schedules``, returning pure lrfuncs schedules.

Each constructor has the name of the Keras class, its arguments (in its order)
and its defaults, and returns a bound :class:`lrfuncs.Schedule` ``s`` with
``s(step)`` equal to the Keras schedule's ``__call__(step)`` (float64 rounding),
built from lrfuncs' core schedules: callable on Python numbers, numpy, JAX and
torch, picklable, convertible with ``to_dict``. ``name=`` is accepted and ignored
(an lrfuncs schedule is named by its function). :func:`deserialize` turns the
output of ``keras.optimizers.schedules.serialize(...)`` (a saved config) into the
same schedule, and :func:`from_keras` a live Keras schedule object. Importing this
module imports neither Keras nor any backend.

>>> from lrfuncs.compat import keras as lr_keras
>>> s = lr_keras.CosineDecay(0.0, decay_steps=7, warmup_target=1.0, warmup_steps=3)
>>> [round(s(t), 5) for t in range(12)]
[0.0, 0.33333, 0.66667, 1.0, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.04952, 0.0, 0.0]

===================================  ============================================================================
Keras                                lrfuncs
===================================  ============================================================================
ExponentialDecay                     ``exponential_decay(peak_lr=initial_learning_rate, decay_rate=decay_rate,
                                     decay_steps=decay_steps, staircase=staircase)``
PiecewiseConstantDecay               ``piecewise_constant(boundaries=boundaries, values=values,
                                     switch="after")`` (the boundary step keeps the earlier value)
PolynomialDecay                      ``polynomial_decay(peak_lr=initial_learning_rate, total_steps=decay_steps,
                                     end_lr=end_learning_rate, power=power, cycle=cycle)``
InverseTimeDecay                     ``inverse_time_decay(peak_lr=initial_learning_rate, decay_rate=decay_rate,
                                     decay_steps=decay_steps, staircase=staircase)``
CosineDecay                          ``cosine_decay(peak_lr=initial_learning_rate, total_steps=decay_steps,
                                     min_lr_ratio=alpha)``; with ``warmup_target``: ``with_warmup(
                                     inner=cosine_decay(peak_lr=warmup_target, total_steps=decay_steps,
                                     min_lr_ratio=alpha), warmup_steps=warmup_steps,
                                     total_includes_warmup=False, init_lr=initial_learning_rate)``
                                     (Keras' ``decay_steps`` excludes the warmup)
CosineDecayRestarts                  ``cosine_restarts(peak_lr=initial_learning_rate,
                                     cycle_steps=first_decay_steps, cycle_mult=t_mul, peak_decay=m_mul,
                                     min_lr_ratio=alpha)``
===================================  ============================================================================

Deliberate differences from Keras (each asserted against Keras itself in the tests):

* **Precision**: Keras computes in the dtype of ``initial_learning_rate``
  (float32 unless ``keras.config.set_floatx("float64")`` or a float64 value);
  lrfuncs computes in the float type of the step (float64 for Python numbers).
* ``CosineDecayRestarts`` restarts exactly on their step: Keras takes the cycle
  index from a rounded logarithm and can miss a restart by one step (it then
  gives the floor where the restart gives the peak). With ``t_mul < 1`` the
  cycles shrink to a finite total length ``first_decay_steps / (1 - t_mul)``,
  past which Keras gives NaN; lrfuncs holds the floor ``alpha *
  initial_learning_rate`` there. ``m_mul`` must be in (0, 1] (lrfuncs' peak decay).
* ``CosineDecayRestarts`` with both ``alpha != 0`` and ``m_mul != 1``: Keras decays
  the cosine's *amplitude* above the fixed floor, ``alpha + (1 - alpha) * m_mul**i * c``
  (not the peak, as torch/timm and ``cosine_restarts`` do): that is
  ``restarts(cosine_decay(...), min_lr=alpha * initial_learning_rate,
  decay_mode="amplitude")``, which needs ``t_mul >= 1`` (a ``ValueError`` otherwise).
* **A ValueError where Keras misbehaves**: ``PiecewiseConstantDecay`` with no
  boundaries (Keras fails with ``IndexError`` when called) or with unsorted
  boundaries (Keras sums overlapping pieces); ``CosineDecay(warmup_steps > 0)``
  without ``warmup_target`` (Keras silently does no warmup); learning rates,
  values and rates < 0, ``decay_rate <= 0`` for ``ExponentialDecay``,
  ``power <= 0``, ``alpha`` outside [0, 1], negative boundaries or
  ``warmup_steps``; ``decay_steps <= 0`` as Keras (same message).
* ``staircase=True`` (``ExponentialDecay``, ``InverseTimeDecay``) floors ``step /
  decay_steps`` exactly; Keras floors the rounded quotient, so for a
  ``decay_steps`` that is not exactly representable (``0.9``) a step just below a
  stair can land on it in Keras (``9 / 0.9`` rounds to ``10.0``). Whole and
  dyadic ``decay_steps`` agree.
* Results have the shape and float type of the step (Keras returns a tensor of
  its backend, also for a Python int step).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import _validation as v
from .._schedule import Schedule, ScheduleFunction
from ..schedules import (
    cosine_decay,
    cosine_restarts,
    exponential_decay,
    inverse_time_decay,
    piecewise_constant,
    polynomial_decay,
    restarts,
    with_warmup,
)
from ._bind import bind_as

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "from_keras",
]


def _bind(anchor: str, fn: ScheduleFunction[Any], mapping: str, /, **config: Any) -> Schedule[Any]:
    return bind_as(f"keras {anchor}", fn, mapping, **config)


def _decay_steps(cfg: Mapping[str, Any], name: str = "decay_steps") -> None:
    """Keras' check, with Keras' message: ``decay_steps > 0``."""
    v.positive(cfg, name)


def ExponentialDecay(
    initial_learning_rate: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = "ExponentialDecay",
) -> Schedule[Any]:
    """Keras ``ExponentialDecay``: ``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    The exponent is floored if ``staircase``.

    >>> s = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
    >>> [s(t) for t in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """
    cfg = {"initial_learning_rate": initial_learning_rate, "decay_steps": decay_steps, "decay_rate": decay_rate}
    _decay_steps(cfg)
    v.positive(cfg, "initial_learning_rate")
    v.positive(cfg, "decay_rate")
    return _bind(
        "ExponentialDecay", exponential_decay,
        "peak_lr=initial_learning_rate, decay_rate=decay_rate, decay_steps=decay_steps, staircase=staircase",
        peak_lr=initial_learning_rate, decay_rate=decay_rate, decay_steps=decay_steps, staircase=staircase,
    )


def PiecewiseConstantDecay(
    boundaries: Sequence[Any], values: Sequence[Any], name: str | None = "PiecewiseConstant"
) -> Schedule[Any]:
    """Keras ``PiecewiseConstantDecay``: ``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``.

    The boundary step itself keeps the earlier value (Keras' convention, one step
    later than torch's and optax's); the values are absolute.

    >>> s = PiecewiseConstantDecay(boundaries=[3, 5], values=[1.0, 0.5, 0.1])
    >>> [s(t) for t in range(7)]
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.1]
    """
    if len(boundaries) != len(values) - 1:
        raise ValueError(
            "The length of boundaries should be 1 less than the length of "
            f"values. Received: boundaries={boundaries} of length "
            f"{len(boundaries)}, and values={values} "
            f"of length {len(values)}."
        )
    if not len(boundaries):
        raise ValueError(
            "Argument `boundaries` must not be empty (Keras accepts it but fails with IndexError when called; "
            "for a constant learning rate pass a number). Received: boundaries=[]"
        )
    return _bind(
        "PiecewiseConstantDecay", piecewise_constant, "boundaries=boundaries, values=values, switch='after'",
        boundaries=list(boundaries), values=list(values), switch="after",
    )


def PolynomialDecay(
    initial_learning_rate: Any,
    decay_steps: Any,
    end_learning_rate: Any = 0.0001,
    power: Any = 1.0,
    cycle: bool = False,
    name: str | None = "PolynomialDecay",
) -> Schedule[Any]:
    """Keras ``PolynomialDecay``: ``(initial - end) * (1 - step / decay_steps) ** power + end``, then ``end``.

    ``cycle=True``: past ``decay_steps`` the decay restarts over ``decay_steps *
    ceil(step / decay_steps)`` steps (a jump up at each multiple of ``decay_steps``).

    >>> s = PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0)
    >>> [s(t) for t in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    cfg = {"initial_learning_rate": initial_learning_rate, "decay_steps": decay_steps,
           "end_learning_rate": end_learning_rate, "power": power}
    _decay_steps(cfg)
    v.positive(cfg, "initial_learning_rate")
    v.non_negative(cfg, "end_learning_rate")
    v.positive(cfg, "power")
    return _bind(
        "PolynomialDecay", polynomial_decay,
        "peak_lr=initial_learning_rate, total_steps=decay_steps, end_lr=end_learning_rate, power=power, cycle=cycle",
        peak_lr=initial_learning_rate, total_steps=decay_steps, end_lr=end_learning_rate, power=power, cycle=cycle,
    )


def InverseTimeDecay(
    initial_learning_rate: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = "InverseTimeDecay",
) -> Schedule[Any]:
    """Keras ``InverseTimeDecay``: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    ``step / decay_steps`` is floored if ``staircase``.

    >>> s = InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.5)
    >>> [s(t) for t in range(4)]
    [1.0, 0.6666666666666666, 0.5, 0.4]
    """
    cfg = {"initial_learning_rate": initial_learning_rate, "decay_steps": decay_steps, "decay_rate": decay_rate}
    _decay_steps(cfg)
    v.positive(cfg, "initial_learning_rate")
    v.non_negative(cfg, "decay_rate")
    return _bind(
        "InverseTimeDecay", inverse_time_decay,
        "peak_lr=initial_learning_rate, decay_rate=decay_rate, decay_steps=decay_steps, staircase=staircase",
        peak_lr=initial_learning_rate, decay_rate=decay_rate, decay_steps=decay_steps, staircase=staircase,
    )


def CosineDecay(
    initial_learning_rate: Any,
    decay_steps: Any,
    alpha: Any = 0.0,
    name: str | None = "CosineDecay",
    warmup_target: Any = None,
    warmup_steps: Any = 0,
) -> Schedule[Any]:
    """Keras ``CosineDecay``: a half cosine to ``alpha`` times its start, optionally after a linear warmup.

    Without ``warmup_target``: from ``initial_learning_rate`` over ``decay_steps``.
    With it: a linear warmup from ``initial_learning_rate`` to ``warmup_target``
    over ``warmup_steps``, then the cosine from ``warmup_target`` over
    ``decay_steps`` *more* steps (Keras' ``decay_steps`` excludes the warmup).
    The floor holds after.

    >>> s = CosineDecay(1.0, decay_steps=10, alpha=0.1)
    >>> [round(s(t), 5) for t in (0, 5, 10, 20)]
    [1.0, 0.55, 0.1, 0.1]
    """
    cfg = {"initial_learning_rate": initial_learning_rate, "decay_steps": decay_steps, "alpha": alpha,
           "warmup_target": warmup_target, "warmup_steps": warmup_steps}
    _decay_steps(cfg)
    v.between(cfg, "alpha", 0.0, 1.0)
    v.non_negative(cfg, "warmup_steps")
    if warmup_target is None:
        w = v.concrete(cfg, "warmup_steps")
        if w is None or w != 0:
            raise v.fail(cfg, "needs `warmup_target` (Keras silently ignores `warmup_steps` without it)",
                         "warmup_steps", "warmup_target")
        v.positive(cfg, "initial_learning_rate")
        return _bind(
            "CosineDecay", cosine_decay, "peak_lr=initial_learning_rate, total_steps=decay_steps, min_lr_ratio=alpha",
            peak_lr=initial_learning_rate, total_steps=decay_steps, min_lr_ratio=alpha,
        )
    v.positive(cfg, "warmup_target")
    v.non_negative(cfg, "initial_learning_rate")
    inner = _bind(
        "CosineDecay", cosine_decay, "peak_lr=warmup_target, total_steps=decay_steps, min_lr_ratio=alpha",
        peak_lr=warmup_target, total_steps=decay_steps, min_lr_ratio=alpha,
    )
    return _bind(
        "CosineDecay", with_warmup,
        "inner=cosine_decay(...), warmup_steps=warmup_steps, total_includes_warmup=False, "
        "init_lr=initial_learning_rate",
        inner=inner, warmup_steps=warmup_steps, total_includes_warmup=False, init_lr=initial_learning_rate,
    )


def CosineDecayRestarts(
    initial_learning_rate: Any,
    first_decay_steps: Any,
    t_mul: Any = 2.0,
    m_mul: Any = 1.0,
    alpha: Any = 0.0,
    name: str | None = "SGDRDecay",
) -> Schedule[Any]:
    """Keras ``CosineDecayRestarts`` (SGDR): cosine cycles of ``first_decay_steps * t_mul**i`` steps.

    Cycle ``i`` peaks at ``initial_learning_rate * m_mul**i`` and ends at ``alpha * initial_learning_rate``.

    Note Keras' default ``t_mul=2.0`` (each cycle twice as long as the one before).

    >>> s = CosineDecayRestarts(1.0, first_decay_steps=4)
    >>> [round(s(t), 4) for t in (0, 2, 4, 8, 12)]
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """
    cfg = {"initial_learning_rate": initial_learning_rate, "first_decay_steps": first_decay_steps, "t_mul": t_mul,
           "m_mul": m_mul, "alpha": alpha}
    _decay_steps(cfg, "first_decay_steps")
    v.positive(cfg, "initial_learning_rate")
    v.positive(cfg, "t_mul")
    v.between(cfg, "m_mul", 0.0, 1.0, lo_open=True)
    v.between(cfg, "alpha", 0.0, 1.0)
    a, m = v.concrete(cfg, "alpha"), v.concrete(cfg, "m_mul")
    if a == 0 or m == 1:  # the floor is 0 or nothing decays: peak decay and Keras' amplitude decay agree
        return _bind(
            "CosineDecayRestarts", cosine_restarts,
            "peak_lr=initial_learning_rate, cycle_steps=first_decay_steps, cycle_mult=t_mul, peak_decay=m_mul, "
            "min_lr_ratio=alpha",
            peak_lr=initial_learning_rate, cycle_steps=first_decay_steps, cycle_mult=t_mul, peak_decay=m_mul,
            min_lr_ratio=alpha,
        )
    # Keras decays the cosine's amplitude above the fixed floor: alpha + (1 - alpha) * m_mul**i * c
    tm = v.concrete(cfg, "t_mul")
    if tm is None or tm < 1:
        raise ValueError(
            "Argument `t_mul` must be >= 1 when both `alpha` != 0 and `m_mul` != 1 (the amplitude-decaying restarts "
            f"of shrinking cycles have no finite form in lrfuncs). Received: t_mul={t_mul}, alpha={alpha}, "
            f"m_mul={m_mul}"
        )
    cycle = _bind("CosineDecayRestarts", cosine_decay,
                  "peak_lr=initial_learning_rate, total_steps=first_decay_steps, min_lr_ratio=alpha",
                  peak_lr=initial_learning_rate, total_steps=first_decay_steps, min_lr_ratio=alpha)
    return _bind(
        "CosineDecayRestarts", restarts,
        "inner=cosine_decay(...), cycle_steps=first_decay_steps, cycle_mult=t_mul, peak_decay=m_mul, "
        "min_lr=alpha * initial_learning_rate, decay_mode='amplitude'",
        inner=cycle, cycle_steps=first_decay_steps, cycle_mult=t_mul, peak_decay=m_mul,
        min_lr=alpha * initial_learning_rate, decay_mode="amplitude",
    )


CLASSES: dict[str, Callable[..., Schedule[Any]]] = {
    "ExponentialDecay": ExponentialDecay,
    "PiecewiseConstantDecay": PiecewiseConstantDecay,
    "PolynomialDecay": PolynomialDecay,
    "InverseTimeDecay": InverseTimeDecay,
    "CosineDecay": CosineDecay,
    "CosineDecayRestarts": CosineDecayRestarts,
}


def deserialize(config: Mapping[str, Any]) -> Schedule[Any]:
    """The schedule of a serialized Keras schedule: ``keras.optimizers.schedules.serialize(...)``'s output.

    Accepts ``{"class_name": ..., "config": {...}}`` with or without Keras 3's
    ``module`` and ``registered_name`` keys (older saved configs have none), for
    the six built-in classes.

    >>> s = deserialize({"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
    ...                  "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
    ...                             "staircase": True, "name": "ExponentialDecay"}, "registered_name": None})
    >>> s(25)
    0.025
    """
    if not isinstance(config, Mapping) or "class_name" not in config or "config" not in config:
        raise ValueError(
            "A serialized Keras schedule is a dict {'class_name': ..., 'config': {...}} "
            f"(keras.optimizers.schedules.serialize(schedule)). Received: {config!r}"
        )
    cls = config["class_name"]
    if cls not in CLASSES:
        raise ValueError(
            f"Unknown Keras schedule class {cls!r}: lrfuncs.compat.keras knows {', '.join(CLASSES)}."
        )
    inner = config["config"]
    if not isinstance(inner, Mapping):
        raise ValueError(f"The 'config' of a serialized Keras schedule must be a dict. Received: {inner!r}")
    return CLASSES[cls](**inner)


def from_keras(schedule: Any) -> Schedule[Any]:
    """The lrfuncs schedule equal to a live Keras schedule object (by its class name and ``get_config()``).

    Only the six built-in classes are known (a subclass or custom schedule: ``ValueError``).
    """
    cls = type(schedule).__name__
    module = type(schedule).__module__
    if cls not in CLASSES or not module.startswith("keras"):
        raise ValueError(f"Not a built-in Keras schedule: {type(schedule)!r}. Known: {', '.join(CLASSES)}.")
    cfg = schedule.get_config()
    cfg = {k: (float(x) if isinstance(x, numbers.Real) and not isinstance(x, (bool, int)) else x)
           for k, x in cfg.items()}
    return CLASSES[cls](**cfg)
