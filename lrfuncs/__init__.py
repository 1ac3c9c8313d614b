"""lrfuncs: learning-rate schedules written once as pure math, used from every framework.

Every schedule is a pure function ``name(step, /, **config)`` that runs on
Python numbers (with :mod:`math`, importing no framework), numpy arrays, JAX
arrays and tracers (under ``jit``, ``vmap`` and ``grad``) and torch tensors.
``name.bind(**config)`` returns a :class:`Schedule`: validated once, picklable,
convertible to a dict. Composites (``join``, ``product``, ``with_warmup``,
``restarts``, ``scale``, ``clip``, ``in_epochs``, ``shift``, ``noise``) build
schedules from schedules. The adapters for optax, torch and whole curves live in
``lrfuncs.backends.{numpy,jax,torch}``; the anchors' own constructors (torch,
optax, transformers, timm, keras) in ``lrfuncs.compat``; ``plot``, ``parse``,
``lint`` and ``recommend`` load on first use.

>>> import lrfuncs
>>> lrfuncs.warmup_cosine(0, peak_lr=3e-4, warmup_steps=2000, total_steps=100_000)  # peak_lr / 2001
1.499250374812...e-07
"""

from ._schedule import Schedule, ScheduleFunction, get_schedule, registered
from .plateau import Plateau, PlateauState
from .schedules import (
    clip,
    constant,
    constant_factor,
    cosine_decay,
    cosine_hard_restarts,
    cosine_restarts,
    cyclic,
    cyclic_momentum,
    exponential_decay,
    in_epochs,
    inverse_sqrt,
    inverse_time_decay,
    join,
    linear,
    lr_sweep,
    multistep_decay,
    noise,
    onecycle,
    onecycle_momentum,
    piecewise_constant,
    piecewise_interpolate,
    polynomial_decay,
    product,
    restarts,
    scale,
    shift,
    step_decay,
    swa,
    tanh_decay,
    tri_stage,
    warmup_constant,
    warmup_cosine,
    warmup_linear,
    with_warmup,
    wsd,
)

__version__ = "0.1.0"

__all__ = [
    "clip",
    "constant",
    "constant_factor",
    "cosine_decay",
    "cosine_hard_restarts",
    "cosine_restarts",
    "cyclic",
    "cyclic_momentum",
    "exponential_decay",
    "get_schedule",
    "in_epochs",
    "inverse_sqrt",
    "inverse_time_decay",
    "join",
    "linear",
    "lr_sweep",
    "multistep_decay",
    "noise",
    "onecycle",
    "onecycle_momentum",
    "piecewise_constant",
    "piecewise_interpolate",
    "Plateau",
    "PlateauState",
    "polynomial_decay",
    "product",
    "registered",
    "restarts",
    "scale",
    "Schedule",
    "ScheduleFunction",
    "shift",
    "step_decay",
    "swa",
    "tanh_decay",
    "tri_stage",
    "warmup_constant",
    "warmup_cosine",
    "warmup_linear",
    "with_warmup",
    "wsd",
]

# The tools (plot, lint, recommend, parse) load on first use: `import lrfuncs` imports no matplotlib or numpy.
_LAZY = {"lint": "lint", "parse": "spec", "plot": "plot", "recommend": "recommend"}
__all__ += sorted(_LAZY)


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lrfuncs' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # importing the submodule bound lrfuncs.<module> to it: rebind to the function
    return value
