"""torch adapter: a picklable ``LambdaLR`` (with one-cycle momentum) and tensor curves.

>>> import torch, lrfuncs
>>> from lrfuncs.backends.torch import lambda_lr
>>> model = torch.nn.Linear(2, 1)
>>> opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> sched = lambda_lr(opt, lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=100),
...                   momentum=lrfuncs.onecycle_momentum.bind(total_steps=100))
>>> round(opt.param_groups[0]["lr"], 6), round(opt.param_groups[0]["momentum"], 6)
(0.004, 0.95)
"""

from __future__ import annotations

from typing import Any

import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR

from .._schedule import Schedule
from . import count, resolve

__all__ = ["ScheduleLambda", "ScheduledLR", "lambda_lr", "curve"]


class ScheduleLambda:
    """``k -> schedule(k) / reference``: a ``LambdaLR`` multiplier that survives ``state_dict``.

    torch saves a callable object's ``__dict__`` in ``LambdaLR.state_dict()`` and
    restores it with ``__dict__.update``. Here ``__dict__`` holds only plain data
    (the schedule as ``Schedule.to_dict()`` and the reference lr), so the state
    round-trips through ``torch.save`` / ``torch.load(weights_only=True)``; the
    bound schedule is rebuilt from it on first use after a load.
    """

    __slots__ = ("__dict__", "_cache")

    def __init__(self, schedule: Schedule[Any], reference: float = 1.0) -> None:
        self.spec = schedule.to_dict()
        self.reference = float(reference)
        self._cache: tuple[Any, Schedule[Any]] = (self.spec, schedule)

    def schedule(self) -> Schedule[Any]:
        spec = self.__dict__["spec"]
        built_from, sched = self._cache
        if built_from is not spec:  # load_state_dict replaced the spec
            sched = Schedule.from_dict(spec)
            self._cache = (spec, sched)
        return sched

    def __call__(self, step: int) -> float:
        return self.schedule()(step) / self.reference

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = (None, None)  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ScheduleLambda({self.spec!r}, reference={self.reference!r})"


class ScheduledLR(LambdaLR):
    """A ``LambdaLR`` driven by lrfuncs schedules, optionally also setting momentum / beta1.

    Group ``g`` gets ``lr = initial_lr_g * schedule(k) / reference`` after ``k``
    calls of ``step()``. With ``momentum`` (e.g. :func:`lrfuncs.onecycle_momentum`)
    every group's ``momentum`` (SGD, RMSprop) or ``betas[0]`` (Adam family) is set
    to ``momentum(k)`` at each step, as torch ``OneCycleLR(cycle_momentum=True)``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambdas: list[ScheduleLambda],
        momentum: Schedule[Any] | None = None,
        last_epoch: int = -1,
    ) -> None:
        self.momentum_lambda = None if momentum is None else ScheduleLambda(momentum, 1.0)
        if momentum is not None:
            defaults = optimizer.defaults
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(
                    "Argument `momentum` needs an optimizer with a `momentum` or `betas` hyper-parameter. "
                    f"Received: optimizer={type(optimizer).__name__}"
                )
            self.use_beta1 = "betas" in defaults
        super().__init__(optimizer, list(lr_lambdas), last_epoch)

    def get_lr(self) -> list[float | torch.Tensor]:  # type: ignore[override]
        lrs = super().get_lr()
        if self.momentum_lambda is not None:
            m = self.momentum_lambda(self.last_epoch)
            for group in self.optimizer.param_groups:
                if self.use_beta1:
                    group["betas"] = (m, *group["betas"][1:])
                else:
                    group["momentum"] = m
        return lrs

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        ml = state.pop("momentum_lambda", None)
        state["momentum_lambda"] = None if ml is None else dict(ml.__dict__)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        ml = state.pop("momentum_lambda", None)
        super().load_state_dict(state)
        if ml is None:  # the saved run had no momentum schedule
            self.momentum_lambda = None
        else:
            if self.momentum_lambda is None:
                self.momentum_lambda = ScheduleLambda.__new__(ScheduleLambda)
                self.momentum_lambda._cache = (None, None)  # type: ignore[assignment]
            self.momentum_lambda.__dict__.update(ml)


def lambda_lr(
    optimizer: Optimizer,
    schedule: Any,
    *,
    momentum: Any = None,
    reference: float | None = None,
    last_epoch: int = -1,
    **config: Any,
) -> ScheduledLR:
    """A torch ``LambdaLR`` that follows ``schedule``, scaled to each param group's own lr.

    Call ``scheduler.step()`` once after each ``optimizer.step()``; update ``k``
    (0-based) then uses ``initial_lr * schedule(k) / reference``, where
    ``reference`` defaults to the schedule's ``peak_lr``. With the optimizer's lr
    equal to ``peak_lr``, the group's lr is ``schedule(k)``; a group with a 10x
    smaller lr follows the same shape 10x lower (layer-wise lrs).

    The lambdas are :class:`ScheduleLambda` objects, so
    ``scheduler.state_dict()`` round-trips through ``torch.save`` / ``torch.load``.
    Past a schedule's horizon its final value holds (torch's ``OneCycleLR``
    raises instead).

    Args:
      optimizer: the optimizer whose groups are scheduled.
      schedule: a :class:`lrfuncs.Schedule`, or a schedule function with its config as keywords.
      momentum: optional schedule (e.g. ``lrfuncs.onecycle_momentum.bind(...)``) for
        ``momentum`` / ``betas[0]``, written as absolute values.
      reference: the lr at which the multiplier is 1; default ``schedule.config["peak_lr"]``.
      last_epoch: as torch's (``-1`` for a fresh run).
    """
    sched = resolve(schedule, config)
    if not isinstance(sched, Schedule):
        raise TypeError(
            "lambda_lr needs an lrfuncs Schedule (e.g. lrfuncs.cosine_decay.bind(...)) so that the "
            f"scheduler's state_dict can be saved. Received: {type(schedule).__name__}"
        )
    if reference is None:
        if "peak_lr" not in sched.config:
            raise ValueError(f"Argument `reference` is required: schedule {sched.name} has no `peak_lr`.")
        reference = sched.config["peak_lr"]
    if isinstance(reference, bool) or not isinstance(reference, (int, float)) or not reference > 0:
        raise ValueError(f"Argument `reference` must be a number > 0. Received: reference={reference!r}")
    mom: Schedule[Any] | None = None
    if momentum is not None:
        resolved = resolve(momentum, {})
        if not isinstance(resolved, Schedule):
            raise TypeError(f"Argument `momentum` must be an lrfuncs Schedule. Received: {type(momentum).__name__}")
        mom = resolved
    lambdas = [ScheduleLambda(sched, reference) for _ in optimizer.param_groups]
    return ScheduledLR(optimizer, lambdas, mom, last_epoch)


def curve(
    schedule: Any,
    num_steps: int,
    *,
    start: int = 0,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float64,
    **config: Any,
) -> torch.Tensor:
    """The lr at steps ``start, ..., start + num_steps - 1`` as a tensor on ``device``.

    >>> import lrfuncs
    >>> from lrfuncs.backends.torch import curve
    >>> curve(lrfuncs.step_decay, 4, peak_lr=1.0, step_size=2, gamma=0.5).tolist()
    [1.0, 1.0, 0.5, 0.5]
    """
    fn = resolve(schedule, config)
    num_steps, start = count(num_steps, "num_steps"), count(start, "start")
    steps = torch.arange(start, start + num_steps, device=device, dtype=dtype)
    return torch.as_tensor(fn(steps), dtype=dtype, device=steps.device)
