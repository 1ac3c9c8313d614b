"""lrfuncs: learning-rate schedules written once as pure math, used from every framework.

Every schedule is a pure function ``name(step, /, **config)`` that runs on
Python numbers (with :mod:`math`, importing no framework), numpy arrays, JAX
arrays and tracers (under ``jit``, ``vmap`` and ``grad``) and torch tensors.
``name.bind(**config)`` returns a :class:`Schedule`: validated once, picklable,
convertible to a dict. The adapters for optax, torch and whole curves live in
``lrfuncs.backends.{numpy,jax,torch}``.

>>> import lrfuncs
>>> lrfuncs.warmup_cosine(0, peak_lr=3e-4, warmup_steps=2000, total_steps=100_000)  # peak_lr / 2001
1.499250374812...e-07
"""

from ._schedule import Schedule, ScheduleFunction, get_schedule, registered
from .plateau import Plateau, PlateauState
from .schedules import (
    cosine_decay,
    cosine_restarts,
    multistep_decay,
    onecycle,
    onecycle_momentum,
    step_decay,
    warmup_constant,
    warmup_cosine,
    warmup_linear,
)

__version__ = "0.1.0"

__all__ = [
    "Plateau",
    "PlateauState",
    "Schedule",
    "ScheduleFunction",
    "cosine_decay",
    "cosine_restarts",
    "get_schedule",
    "multistep_decay",
    "onecycle",
    "onecycle_momentum",
    "registered",
    "step_decay",
    "warmup_constant",
    "warmup_cosine",
    "warmup_linear",
]
