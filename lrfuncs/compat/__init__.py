"""Compat layers: the anchors' own scheduler names and arguments, returning pure lrfuncs schedules.

Each module exposes the constructors of one anchor library under their own names, with the
anchor's keyword arguments and defaults (minus the optimizer), and returns a bound
:class:`lrfuncs.Schedule` built from the core schedules and composites: callable on Python
numbers, numpy, JAX (``jit``/``vmap``/``grad``) and torch values, picklable, and
convertible with ``to_dict()``. A compat module never imports its framework.

* :mod:`lrfuncs.compat.torch` -- ``torch.optim.lr_scheduler`` (``StepLR``, ``CosineAnnealingLR``,
  ``OneCycleLR``, ``SequentialLR``, ``ChainedScheduler``, ...) and ``swa_utils.SWALR``:
  ``s(k)`` is the lr torch gives update ``k`` (``get_last_lr()`` after ``k`` calls of
  ``scheduler.step()``); ``base_lr`` stands for the param group's lr.
* :mod:`lrfuncs.compat.optax` -- every ``optax`` schedule constructor: ``s(count)``.
* :mod:`lrfuncs.compat.transformers` -- HF's ``get_*_schedule*`` and ``get_scheduler``:
  ``s(k) == base_lr * lr_lambda(k)``.
* :mod:`lrfuncs.compat.timm` -- ``timm.scheduler`` classes (``CosineLRScheduler``, ``WSDLRScheduler``,
  ...): ``s(t)`` is timm's ``_get_lr(t)``, the lr ``step(t)`` / ``step_update(t)`` write.
* :mod:`lrfuncs.compat.keras` -- ``keras.optimizers.schedules`` classes: ``s(step)``.

Import the submodule you need (``from lrfuncs.compat import torch as lr_torch``); each
module's docstring tables its constructors and lists every deliberate difference from
its anchor.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["keras", "optax", "timm", "torch", "transformers"]


def __getattr__(name: str) -> ModuleType:
    """``lrfuncs.compat.<anchor>`` on first use (the submodules are not imported with the package)."""
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lrfuncs.compat' has no attribute {name!r}")
