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

import sys
import warnings
from typing import Any

import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR

from .._schedule import Schedule
from ..plateau import Plateau, PlateauState
from . import count, resolve
from ._range_torch import range_test

__all__ = ["CurveLR", "ReduceLROnPlateau", "ScheduleLambda", "ScheduledLR", "curve", "lambda_lr", "range_test"]


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
        built_from, sched = self._cache
        if built_from is not self.__dict__["spec"]:
            sched = self.schedule()
        return sched(step) / self.__dict__["reference"]

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = (None, None)  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ScheduleLambda({self.spec!r}, reference={self.reference!r})"


#: ``ScheduledLR`` warns once when stepped past ``HORIZON_WARNING_FACTOR * horizon + 1`` steps.
HORIZON_WARNING_FACTOR = 2


def _warn_after(lambdas: list[ScheduleLambda]) -> int:
    """The last step before the horizon warning: ``2 * horizon + 1`` (the smallest over groups), or never."""
    scheds = [lam.schedule() for lam in lambdas if isinstance(lam, ScheduleLambda)]
    horizons = [s.horizon for s in scheds if s.horizon is not None]
    return int(HORIZON_WARNING_FACTOR * min(horizons) + 1) if horizons else sys.maxsize


class ScheduledLR(LambdaLR):
    """A ``LambdaLR`` driven by lrfuncs schedules, optionally also setting momentum / beta1.

    Group ``g`` gets ``lr = initial_lr_g * schedule(k) / reference`` after ``k``
    calls of ``step()``. With ``momentum`` (e.g. :func:`lrfuncs.onecycle_momentum`)
    every group's ``momentum`` (SGD, RMSprop) or ``betas[0]`` (Adam family) is set
    to ``momentum(k)`` at each step, as torch ``OneCycleLR(cycle_momentum=True)``.

    Stepped past ``2 * horizon + 1`` (:data:`HORIZON_WARNING_FACTOR`; the horizon is
    the schedule's planned end, :attr:`lrfuncs.Schedule.horizon`), it warns once
    (``UserWarning``): the lr has been held at its final value for longer than the
    whole schedule, the sign of a length given in epochs while stepping per batch.
    Open-ended schedules never warn. The check is one integer comparison per step.
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
        self._warn_after = _warn_after(list(lr_lambdas))
        super().__init__(optimizer, list(lr_lambdas), last_epoch)

    def get_lr(self) -> list[float | torch.Tensor]:  # type: ignore[override]
        if self.last_epoch > self._warn_after:
            self._warn_past_horizon()
        lrs = super().get_lr()
        if self.momentum_lambda is not None:
            m = self.momentum_lambda(self.last_epoch)
            for group in self.optimizer.param_groups:
                if self.use_beta1:
                    group["betas"] = (m, *group["betas"][1:])
                else:
                    group["momentum"] = m
        return lrs

    def _warn_past_horizon(self) -> None:
        self._warn_after = sys.maxsize  # once
        scheds = [lam.schedule() for lam in self.lr_lambdas if isinstance(lam, ScheduleLambda)]
        sched = min(scheds, key=lambda s: float("inf") if s.horizon is None else s.horizon)
        warnings.warn(
            f"lrfuncs: the scheduler is at step {self.last_epoch}, more than {HORIZON_WARNING_FACTOR}x the horizon "
            f"of its schedule ({sched.name}, which ends at step {sched.horizon:g}); the lr has been held at its "
            "final value since then. Is the schedule's length in epochs while scheduler.step() is called every "
            "batch? Use total_steps=epochs*steps_per_epoch (or step once per epoch).",
            UserWarning,
            stacklevel=5,  # _warn_past_horizon < get_lr < _update_lr < LRScheduler.step < the caller
        )

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state.pop("_warn_after", None)  # derived from the schedule: recomputed on load
        ml = state.pop("momentum_lambda", None)
        state["momentum_lambda"] = None if ml is None else dict(ml.__dict__)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        ml = state.pop("momentum_lambda", None)
        state.pop("_warn_after", None)
        super().load_state_dict(state)
        self._warn_after = _warn_after(self.lr_lambdas)  # type: ignore[arg-type]
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
    /,
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
    /,
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


class ReduceLROnPlateau:
    """torch's ``ReduceLROnPlateau`` interface driven by the pure :class:`lrfuncs.plateau.Plateau`.

    ``step(metric)`` / ``get_last_lr()`` / ``state_dict()`` / ``load_state_dict()``
    as torch's, with torch's keyword names and defaults; ``convention="optax"`` or
    ``"keras"`` switches the step logic (see :mod:`lrfuncs.plateau`). The state
    is a :class:`PlateauState` (``.state``) holding one lr per param group, and
    ``state_dict()`` is plain data (it round-trips through
    ``torch.load(weights_only=True)`` and JSON).

    >>> import torch
    >>> opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [3.0, 3.0, 3.0, 3.0]:
    ...     sched.step(loss)
    >>> sched.get_last_lr()
    [0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
        *,
        convention: str = "torch",
        accumulation_size: int = 1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"Argument `optimizer` must be a torch Optimizer. Received: {type(optimizer).__name__}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"Argument `threshold_mode` must be one of 'rel', 'abs'. Received: threshold_mode={threshold_mode!r}"
            )
        groups = optimizer.param_groups
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(groups):
                raise ValueError(
                    f"Argument `min_lr` must have one entry per param group ({len(groups)}). "
                    f"Received: min_lr={min_lr!r}"
                )
            floors: Any = torch.tensor([float(x) for x in min_lr], dtype=torch.float64)
        else:
            floors = float(min_lr)
        self.optimizer = optimizer
        self.plateau = Plateau(
            mode=mode,
            factor=factor,
            patience=patience,
            rtol=threshold if threshold_mode == "rel" else 0.0,
            atol=threshold if threshold_mode == "abs" else 0.0,
            cooldown=cooldown,
            min_value=floors,
            eps=eps,
            accumulation_size=accumulation_size,
            convention=convention,
        )
        lrs = torch.tensor([float(g["lr"]) for g in groups], dtype=torch.float64)
        self.state = self.plateau.init(lrs)
        self.last_epoch = 0
        self._last_lr = [float(x) for x in lrs]

    def step(self, metric: Any) -> None:
        """Take one metric (a number or a 0-d tensor) and set every group's lr."""
        current = float(metric)  # torch converts the same way (0-d tensors included)
        self.state = self.plateau.update(self.state, current)
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.state.value.tolist(), strict=True):
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        return {
            "plateau": self.plateau.to_dict(),
            "state": self.state.to_dict(),
            "last_epoch": self.last_epoch,
            "_last_lr": list(self._last_lr),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        config = dict(state_dict["plateau"])
        if isinstance(config.get("min_value"), list):
            config["min_value"] = torch.tensor(config["min_value"], dtype=torch.float64)
        self.plateau = Plateau(**config)
        raw = dict(state_dict["state"])
        raw["value"] = torch.tensor(raw["value"], dtype=torch.float64)
        self.state = PlateauState(**raw)
        self.last_epoch = int(state_dict["last_epoch"])
        self._last_lr = list(state_dict["_last_lr"])


class CurveLR:
    """A scheduler that reads each group's lr from a curve precomputed on the device.

    The whole curve (``num_steps`` values per param group, scaled to each group's
    lr like :func:`lambda_lr`) is evaluated once, on ``device`` (default: the
    device of the first group's parameters). ``step()`` advances a step counter
    that lives on the device and copies ``curve[group, min(k, num_steps - 1)]``
    into each group's lr **tensor**: no host sync, no Python math per step, as
    ``capturable=True`` / fused optimizers and CUDA graphs need. Build the optimizer with tensor learning rates, e.g.
    ``torch.optim.AdamW(params, lr=torch.tensor(3e-4), capturable=True)``; float
    lrs are converted to tensors on the device. Past ``num_steps`` the last
    value holds.

    :meth:`lr` gives the lrs at the current step as a device tensor (e.g. to
    use inside a compiled step function).

    >>> import torch, lrfuncs
    >>> p = torch.nn.Parameter(torch.zeros(2))
    >>> opt = torch.optim.SGD([p], lr=torch.tensor(0.1))
    >>> sched = CurveLR(opt, lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=4), num_steps=5)
    >>> for _ in range(2):
    ...     opt.step(); sched.step()
    >>> round(float(opt.param_groups[0]["lr"]), 6)
    0.05
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: Any,
        num_steps: int,
        *,
        reference: float | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        **config: Any,
    ) -> None:
        sched = resolve(schedule, config)
        if not isinstance(sched, Schedule):
            raise TypeError(f"CurveLR needs an lrfuncs Schedule. Received: {type(schedule).__name__}")
        n = count(num_steps, "num_steps")
        if n < 1:
            raise ValueError(f"Argument `num_steps` must be >= 1. Received: num_steps={num_steps!r}")
        if reference is None:
            if "peak_lr" not in sched.config:
                raise ValueError(f"Argument `reference` is required: schedule {sched.name} has no `peak_lr`.")
            reference = sched.config["peak_lr"]
        groups = optimizer.param_groups
        if device is None:
            device = groups[0]["params"][0].device
        first_lr = groups[0]["lr"]
        dtype = dtype or (first_lr.dtype if isinstance(first_lr, torch.Tensor) else torch.float32)
        shape = curve(sched, n, device=device, dtype=torch.float64) / float(reference)  # the multiplier
        bases = []
        for group in groups:
            lr = group.setdefault("initial_lr", group["lr"])
            bases.append(float(lr))
            if not isinstance(group["lr"], torch.Tensor):
                group["lr"] = torch.tensor(float(group["lr"]), dtype=dtype, device=device)
        base = torch.tensor(bases, dtype=torch.float64, device=device)
        self.optimizer = optimizer
        self.schedule = sched
        self.num_steps = n
        self.curve = (base[:, None] * shape[None, :]).to(dtype)  # (groups, num_steps)
        self.step_count = torch.zeros((), dtype=torch.long, device=device)
        self._index = torch.zeros(1, dtype=torch.long, device=device)  # min(step_count, num_steps - 1)
        # one group whose lr tensor matches the curve: step() writes into it with one indexing op (3 device
        # ops a step in all, as LambdaLR's tensor path; on a GPU each op is a kernel launch)
        lr0 = groups[0]["lr"]
        single = len(groups) == 1 and lr0.dtype == self.curve.dtype and lr0.device == self.curve.device
        self._single = (lr0, lr0.view(1, 1)) if single else None
        self._write()

    def lr(self) -> torch.Tensor:
        """The lrs of the current step, one per group, as a device tensor."""
        k = torch.clamp(self.step_count, max=self.num_steps - 1)
        return self.curve.index_select(1, k.reshape(1)).reshape(-1)

    def _write(self) -> None:
        torch.clamp(self.step_count.view(1), max=self.num_steps - 1, out=self._index)
        groups = self.optimizer.param_groups
        if self._single is not None and groups[0]["lr"] is self._single[0]:
            torch.index_select(self.curve, 1, self._index, out=self._single[1])
            return
        lrs = self.curve.index_select(1, self._index).reshape(-1)
        for i, group in enumerate(groups):
            group["lr"].copy_(lrs[i])

    def step(self) -> None:
        """Advance one update (call after ``optimizer.step()``)."""
        self.step_count.add_(1)
        self._write()

    def get_last_lr(self) -> list[float]:
        """The current lrs as Python floats (this one syncs with the device)."""
        return self.lr().tolist()

    def state_dict(self) -> dict[str, Any]:
        return {"step_count": int(self.step_count), "schedule": self.schedule.to_dict(), "num_steps": self.num_steps}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if state_dict["schedule"] != self.schedule.to_dict() or state_dict["num_steps"] != self.num_steps:
            raise ValueError(
                "This CurveLR was built for another schedule or length; rebuild it with the saved "
                f"schedule {state_dict['schedule']!r} and num_steps={state_dict['num_steps']}."
            )
        self.step_count.fill_(int(state_dict["step_count"]))
        self._write()
