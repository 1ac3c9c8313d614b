"""The LR range test for torch models (re-exported as ``lrfuncs.backends.torch.range_test``).

Same training arithmetic as torch-lr-finder's ``LRFinder.range_test`` (so the
same model, data and settings record the same lrs and losses, bit for bit),
with the state handling its users ask for: the model and the optimizer are
put back afterwards (also when an exception escapes), an optimizer with an lr
scheduler attached is accepted, and an empty loader or a non-finite first
loss is a clear ``ValueError``. The analysis is :mod:`lrfuncs.range_test`.
"""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch.optim import Optimizer

from .. import _validation as v
from .. import range_test as rt
from ..range_test import _Batches, _progress
from ..schedules.sweep import lr_sweep

__all__ = ["range_test"]

_MISSING = object()


def _default_unpack(batch: Any) -> tuple[Any, Any]:
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError(
            "Batches must be (inputs, labels, ...) tuples or lists, as torch-lr-finder expects. "
            f"Received a batch of type {type(batch).__name__}; pass `unpack=lambda batch: (inputs, labels)` "
            "to convert other batches (e.g. dicts)."
        )
    return batch[0], batch[1]


def _move(obj: Any, device: torch.device, non_blocking: bool) -> Any:
    if hasattr(obj, "to"):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, tuple):
        return tuple(_move(o, device, non_blocking) for o in obj)
    if isinstance(obj, list):
        return [_move(o, device, non_blocking) for o in obj]
    if isinstance(obj, dict):
        return {k: _move(o, device, non_blocking) for k, o in obj.items()}
    return obj


def _count(labels: Any) -> int:
    shape = getattr(labels, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(labels)


# ----------------------------------------------------------------------------------------------
# Snapshots: what the run changes, and how it is put back
# ----------------------------------------------------------------------------------------------


def _clone(value: Any) -> Any:
    return value.detach().clone() if isinstance(value, torch.Tensor) else copy.deepcopy(value)


class _GroupsSnapshot:
    """The param-group dicts themselves (identity and contents; tensor lrs keep their object)."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.groups_list = optimizer.param_groups
        self.groups = [(g, dict(g), {k: x.detach().clone() for k, x in g.items() if isinstance(x, torch.Tensor)})
                       for g in optimizer.param_groups]
        self.opt_called = getattr(optimizer, "_opt_called", _MISSING)  # set by an attached scheduler's hook

    def restore(self) -> None:
        for group, contents, tensors in self.groups:
            group.clear()
            group.update(contents)
            for k, saved in tensors.items():
                contents[k].copy_(saved)
        self.groups_list[:] = [g for g, _, _ in self.groups]
        self.optimizer.param_groups = self.groups_list
        if self.opt_called is _MISSING:
            if hasattr(self.optimizer, "_opt_called"):
                del self.optimizer._opt_called  # type: ignore[attr-defined]
        else:
            self.optimizer._opt_called = self.opt_called  # type: ignore[attr-defined]


class _StateSnapshot:
    """Model weights, buffers, grads and train/eval flags; the optimizer's per-parameter state.

    Restored in place where shapes, dtypes and devices match, so tensors that other code holds
    (CUDA graphs, capturable optimizers) keep their identity.
    """

    def __init__(self, model: torch.nn.Module, optimizer: Optimizer) -> None:
        self.model, self.optimizer = model, optimizer
        self.weights = {k: _clone(x) for k, x in model.state_dict().items()}
        self.grads = [(p, None if p.grad is None else p.grad.detach().clone()) for p in model.parameters()]
        self.flags = [(m, m.training) for m in model.modules()]
        self.state = {p: {k: _clone(x) for k, x in s.items()} for p, s in optimizer.state.items()}

    def restore(self, device: torch.device | None) -> None:
        if device is not None:
            self.model.to(device)
        self.model.load_state_dict(self.weights)
        for param, grad in self.grads:
            param.grad = grad
        for m, flag in self.flags:
            m.training = flag
        state = self.optimizer.state
        for p in [p for p in state if p not in self.state]:
            del state[p]
        for p, saved in self.state.items():
            if p not in state:
                state[p] = saved
                continue
            current = state[p]
            for k in [k for k in current if k not in saved]:
                del current[k]
            for k, x in saved.items():
                old = current.get(k)
                if (
                    isinstance(x, torch.Tensor)
                    and isinstance(old, torch.Tensor)
                    and (old.shape, old.dtype, old.device) == (x.shape, x.dtype, x.device)
                ):
                    with torch.no_grad():
                        old.copy_(x)
                else:
                    current[k] = x


def _set_lr(optimizer: Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr


# ----------------------------------------------------------------------------------------------
# The runner
# ----------------------------------------------------------------------------------------------


def range_test(
    model: torch.nn.Module,
    optimizer: Optimizer,
    criterion: Callable[[Any, Any], torch.Tensor],
    train_loader: Iterable[Any],
    *,
    start_lr: float,
    end_lr: float,
    num_steps: int = 100,
    mode: str = "exp",
    convention: str = "torch_lr_finder",
    val_loader: Iterable[Any] | None = None,
    accumulation_steps: int = 1,
    amp: bool | torch.dtype = False,
    smooth_f: float = 0.05,
    bias_correction: bool = False,
    diverge_th: float = 5.0,
    stop_on_divergence: bool = True,
    skip_start: int = 10,
    skip_end: int = 5,
    spacing: str = "index",
    progress: bool = True,
    restore: bool = True,
    device: torch.device | str | None = None,
    non_blocking: bool = True,
    unpack: Callable[[Any], tuple[Any, Any]] | None = None,
) -> rt.RangeTestResult:
    """Run an LR range test: train ``num_steps`` updates while the lr grows, record the losses.

    Update ``k`` uses ``lr_sweep(k, start_lr=..., end_lr=..., num_steps=..., mode=...,
    convention=...)`` in every param group. Each update draws ``accumulation_steps`` batches
    from ``train_loader`` (started again when it runs out), averages their losses and takes
    one optimizer step, as torch-lr-finder's ``_train_batch``; with ``val_loader`` the
    recorded loss is the mean validation loss over it after the update (Smith's variant,
    slower). The losses are smoothed and the run stops at divergence (see
    :func:`lrfuncs.range_test.analyze`; torch-lr-finder's defaults are the defaults here).

    With the defaults, the same model, optimizer, data and settings record exactly
    (bit for bit) the lrs and smoothed losses of torch-lr-finder 0.2.2's
    ``LRFinder(model, optimizer, criterion).range_test(train_loader, start_lr=start_lr,
    end_lr=end_lr, num_iter=num_steps, step_mode=mode)``, and ``result.suggestion`` equals the
    lr returned by its ``plot(suggest_lr=True)``.

    Differences from torch-lr-finder, all deliberate:

    * ``restore=True`` (default) puts back the model's weights, buffers, grads and train/eval
      flags and the optimizer's state afterwards, also when an exception escapes (in place:
      tensors keep their identity). torch-lr-finder leaves them trained until ``reset()``.
      ``restore=False`` keeps the trained state and needs no copies (large models).
    * The param groups are always put back (the same dict objects, ``lr`` and every other key,
      ``initial_lr`` included): an optimizer that already has an lr scheduler attached works,
      and the scheduler's state is untouched (torch-lr-finder refuses such an optimizer).
    * A loader that yields nothing, or a NaN/infinite loss at the first update, raises
      ValueError (after restoring); a later NaN/infinite loss counts as divergence.
    * ``start_lr`` is required (torch-lr-finder can start from the optimizer's lr).

    Args:
      model, optimizer, criterion: ``criterion(model(inputs), labels)`` is the loss.
      train_loader: yields ``(inputs, labels, ...)`` batches (or anything ``unpack`` turns into
        ``(inputs, labels)``); must be re-iterable if shorter than the sweep.
      start_lr, end_lr, num_steps, mode, convention: the sweep (:func:`lrfuncs.schedules.sweep.lr_sweep`).
      val_loader: if given, the recorded loss is the sample-weighted mean loss over it.
      accumulation_steps: batches per update (each loss divided by it), a whole number >= 1.
      amp: mixed precision: True (float16 with a ``GradScaler`` on CUDA, bfloat16 elsewhere)
        or a dtype for ``torch.autocast``.
      smooth_f, bias_correction: loss smoothing (:func:`lrfuncs.range_test.smooth`).
      diverge_th, stop_on_divergence: stop once the smoothed loss exceeds ``diverge_th`` times
        the best (:func:`lrfuncs.range_test.diverged`).
      skip_start, skip_end, spacing: for the suggestions (:func:`lrfuncs.range_test.suggest_steepest`).
      progress: show a tqdm progress bar (if tqdm is installed).
      restore: put back the model and the optimizer's state afterwards (above).
      device: run on this device (the model is moved there and back); default: the model's.
      non_blocking: passed to ``.to()`` when moving batches.
      unpack: ``batch -> (inputs, labels)`` for batches that are not tuples.

    Returns a :class:`lrfuncs.range_test.RangeTestResult`.

    >>> import torch
    >>> from lrfuncs.backends._range_torch import range_test
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randn(64, 3); y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    >>> model = torch.nn.Linear(3, 1)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> data = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    >>> before = model.weight.detach().clone()
    >>> result = range_test(model, opt, torch.nn.MSELoss(), data, start_lr=1e-4, end_lr=10.0,
    ...                     num_steps=40, progress=False)
    >>> result.stopped_early, 1e-4 < result.suggestion < 10.0
    (True, True)
    >>> torch.equal(model.weight, before), opt.param_groups[0]["lr"]
    (True, 0.1)
    """
    sweep = lr_sweep.bind(start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, mode=mode, convention=convention)
    rt._check_smooth_f(smooth_f)
    rt._check_threshold(diverge_th)
    rt._check_skips(skip_start, skip_end)
    v.choice({"spacing": spacing}, "spacing", rt.SPACINGS)
    v.integer({"accumulation_steps": accumulation_steps}, "accumulation_steps", minimum=1)
    for name, flag in (("bias_correction", bias_correction), ("stop_on_divergence", stop_on_divergence),
                       ("progress", progress), ("restore", restore), ("non_blocking", non_blocking)):
        v.flag({name: flag}, name)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"Argument `model` must be a torch.nn.Module. Received: {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Argument `optimizer` must be a torch Optimizer. Received: {type(optimizer).__name__}")
    params = list(model.parameters())
    if not params:
        raise ValueError("Argument `model` has no parameters to train.")
    if not (amp is False or amp is True or isinstance(amp, torch.dtype)):
        raise TypeError(f"Argument `amp` must be True, False or a torch dtype. Received: amp={amp!r}")
    home = params[0].device
    target = torch.device(device) if device is not None else home
    n, acc = int(num_steps), int(accumulation_steps)
    unpack = unpack or _default_unpack

    autocast: Callable[[], Any] = contextlib.nullcontext
    scaler = None
    amp_dtype = None
    if amp is not False:
        default = torch.float16 if target.type == "cuda" else torch.bfloat16
        amp_dtype = amp if isinstance(amp, torch.dtype) else default
        autocast = lambda: torch.autocast(device_type=target.type, dtype=amp_dtype)  # noqa: E731
        if amp_dtype == torch.float16:
            scaler = torch.amp.GradScaler(target.type)

    groups = _GroupsSnapshot(optimizer)
    snapshot = _StateSnapshot(model, optimizer) if restore else None
    flags = None if restore else [(m, m.training) for m in model.modules()]
    bar = _progress(progress, n)
    lrs: list[float] = []
    losses: list[float] = []
    try:
        if target != home:
            model.to(target)
        batches = _Batches(train_loader, "train_loader")
        smoother = rt._Smoother(float(smooth_f), bias_correction)
        divergence = rt._Divergence(float(diverge_th))
        for k in range(n):
            lr = sweep(k)
            _set_lr(optimizer, lr)
            # torch-lr-finder's _train_batch, operation for operation
            model.train()
            optimizer.zero_grad()
            total = None
            for _ in range(acc):
                inputs, labels = _move(unpack(batches.next()), target, non_blocking)
                with autocast():
                    outputs = model(inputs)
                    loss = criterion(outputs, labels)
                loss = loss / acc
                if scaler is not None:
                    scaler.scale(loss).backward()
                else:
                    loss.backward()
                total = loss.detach() if total is None else total + loss.detach()
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            value = float(total.item())  # type: ignore[union-attr]
            if val_loader is not None:
                value = _validate(model, criterion, val_loader, unpack, target, non_blocking, autocast)
            if k == 0 and not math.isfinite(value):
                raise ValueError(
                    f"The loss of the first update (lr={lr:g}) is {value}: the model, the data or the criterion "
                    "give a non-finite loss before the lr can matter. "
                    + ("The model and the optimizer were restored." if restore else "")
                )
            lrs.append(lr)
            losses.append(value)
            s = smoother.push(value)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(lr=f"{lr:.2e}", loss=f"{s:.4g}")
            if divergence.push(s) and stop_on_divergence:
                break
    finally:
        if bar is not None:
            bar.close()
        groups.restore()
        if snapshot is not None:
            snapshot.restore(home if target != home else None)
        elif flags is not None:
            for m, flag in flags:
                m.training = flag
    settings = {
        "runner": "torch",
        "start_lr": float(start_lr),
        "end_lr": float(end_lr),
        "num_steps": n,
        "mode": mode,
        "convention": convention,
        "accumulation_steps": acc,
        "validation": val_loader is not None,
        "amp": False if amp_dtype is None else str(amp_dtype).replace("torch.", ""),
        "stop_on_divergence": stop_on_divergence,
    }
    return rt.analyze(
        lrs,
        losses,
        smooth_f=smooth_f,
        bias_correction=bias_correction,
        diverge_th=diverge_th,
        skip_start=skip_start,
        skip_end=skip_end,
        spacing=spacing,
        settings=settings,
    )


def _validate(
    model: torch.nn.Module,
    criterion: Callable[[Any, Any], torch.Tensor],
    loader: Iterable[Any],
    unpack: Callable[[Any], tuple[Any, Any]],
    device: torch.device,
    non_blocking: bool,
    autocast: Callable[[], Any],
) -> float:
    """The sample-weighted mean loss over ``loader`` (torch-lr-finder's ``_validate``)."""
    running, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for batch in loader:
            inputs, labels = _move(unpack(batch), device, non_blocking)
            with autocast():
                loss = criterion(model(inputs), labels)
            size = _count(labels)
            running += loss.item() * size
            count += size
    if count == 0:
        raise ValueError("Argument `val_loader` yielded no samples.")
    return running / count
