"""The LR range test for JAX training steps (re-exported as ``lrfuncs.backends.jax.range_test``).

The user's ``train_step(params, opt_state, batch, lr) -> (params, opt_state, loss)`` is
compiled once with ``jax.jit`` and called once per update with the lr as a traced scalar:
the whole sweep reuses one compiled step (as long as the batches keep one shape and
``train_step`` keeps the dtypes of ``params`` and ``opt_state``). JAX arrays are immutable
and nothing is donated, so the ``params`` and ``opt_state`` passed in are never changed: the
trained ones are dropped at the end. :func:`optax_train_step` builds ``train_step`` from a
loss function and an optax optimizer made with ``optax.inject_hyperparams``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
import optax

from .. import _validation as v
from .. import range_test as rt
from ..range_test import _Batches, _progress
from ..schedules.sweep import lr_sweep

__all__ = ["optax_train_step", "range_test"]

TrainStep = Callable[[Any, Any, Any, Any], tuple[Any, Any, Any]]


def optax_train_step(
    loss_fn: Callable[[Any, Any], Any], optimizer: optax.GradientTransformation, *, lr_name: str = "learning_rate"
) -> TrainStep:
    """``train_step(params, opt_state, batch, lr)`` for ``loss_fn(params, batch)`` and an optax optimizer.

    The optimizer must come from ``optax.inject_hyperparams`` with a *number* as its
    learning rate (a schedule there would override the injected lr), e.g.
    ``optax.inject_hyperparams(optax.adamw)(learning_rate=1e-3, weight_decay=1e-4)``; each step
    writes ``lr`` into ``opt_state.hyperparams[lr_name]`` (in its dtype), then takes
    ``value_and_grad(loss_fn)`` and one update. The loss returned is the loss before the
    update (as torch's ``loss.backward(); optimizer.step()``).

    >>> import jax.numpy as jnp, optax
    >>> opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.1)
    >>> step = optax_train_step(lambda p, b: jnp.mean((b[0] * p - b[1]) ** 2), opt)
    >>> p, s, loss = step(jnp.array(0.0), opt.init(jnp.array(0.0)), (jnp.ones(4), 2 * jnp.ones(4)), 0.25)
    >>> float(loss), float(p)
    (4.0, 1.0)
    """

    def train_step(params: Any, opt_state: Any, batch: Any, lr: Any) -> tuple[Any, Any, Any]:
        hyper = getattr(opt_state, "hyperparams", None)
        if not isinstance(hyper, dict) or lr_name not in hyper:
            raise TypeError(
                f"optax_train_step needs an optimizer built with optax.inject_hyperparams whose state has "
                f"hyperparams[{lr_name!r}], e.g. optax.inject_hyperparams(optax.adam)(learning_rate=1e-3). "
                f"Received an opt_state of type {type(opt_state).__name__}"
            )
        if lr_name in (getattr(opt_state, "hyperparams_states", None) or {}):
            raise ValueError(
                f"The optimizer's `{lr_name}` is a schedule, which would override the range test's lr: build it "
                f"with a number, e.g. optax.inject_hyperparams(optax.adam)({lr_name}=1e-3)."
            )
        hyper = dict(hyper)
        hyper[lr_name] = jnp.asarray(lr, dtype=jnp.asarray(hyper[lr_name]).dtype)
        opt_state = opt_state._replace(hyperparams=hyper)
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    return train_step


def range_test(
    train_step: TrainStep,
    params: Any,
    opt_state: Any,
    batches: Iterable[Any],
    *,
    start_lr: float,
    end_lr: float,
    num_steps: int = 100,
    mode: str = "exp",
    convention: str = "torch_lr_finder",
    smooth_f: float = 0.05,
    bias_correction: bool = False,
    diverge_th: float = 5.0,
    stop_on_divergence: bool = True,
    skip_start: int = 10,
    skip_end: int = 5,
    spacing: str = "index",
    progress: bool = True,
    jit: bool = True,
) -> rt.RangeTestResult:
    """Run an LR range test with a JAX training step: ``num_steps`` updates while the lr grows.

    Update ``k`` calls ``train_step(params, opt_state, batch, lr)`` with
    ``lr = lr_sweep(k, start_lr=..., end_lr=..., num_steps=..., mode=..., convention=...)``
    (a 0-d weakly typed array, so the compiled step is reused) and the next batch of
    ``batches`` (iterated again when it runs out), and records the loss it returns. The
    losses are analysed like the torch runner's (same smoothing, divergence test, early stop
    and suggestions: :func:`lrfuncs.range_test.analyze`), so the same losses give the same
    result.

    ``train_step`` is wrapped in ``jax.jit`` once (``jit=False`` calls it as given) and must
    return ``(new_params, new_opt_state, loss)``; it is traced once for the sweep if the
    batches have one shape and dtype. The inputs are never changed (JAX arrays are immutable
    and nothing is donated): the trained params are dropped, ``params`` is the model as it was.
    A loader that yields nothing, or a NaN/infinite first loss, raises ValueError.

    Args:
      train_step: ``(params, opt_state, batch, lr) -> (params, opt_state, loss)``; see
        :func:`optax_train_step` for optax optimizers.
      params, opt_state: the starting point (any pytrees).
      batches: a re-iterable of batches (a list, or an object whose ``__iter__`` starts over).
      start_lr, end_lr, num_steps, mode, convention: the sweep (:func:`lrfuncs.schedules.sweep.lr_sweep`).
      smooth_f, bias_correction, diverge_th, stop_on_divergence, skip_start, skip_end, spacing:
        as for ``lrfuncs.backends.torch.range_test``.
      progress: show a tqdm progress bar (if tqdm is installed).
      jit: compile ``train_step`` with ``jax.jit``.

    Returns a :class:`lrfuncs.range_test.RangeTestResult`.

    >>> import jax.numpy as jnp, optax
    >>> from lrfuncs.backends._range_jax import optax_train_step, range_test
    >>> x = jnp.linspace(-1.0, 1.0, 32); data = [(x, 3.0 * x)]
    >>> opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0)
    >>> step = optax_train_step(lambda w, b: jnp.mean((w * b[0] - b[1]) ** 2), opt)
    >>> w = jnp.array(0.0)
    >>> result = range_test(step, w, opt.init(w), data, start_lr=1e-3, end_lr=100.0, num_steps=40,
    ...                     progress=False)
    >>> result.stopped_early, 1e-3 < result.suggestion < 100.0, float(w)
    (True, True, 0.0)
    """
    sweep = lr_sweep.bind(start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, mode=mode, convention=convention)
    rt._check_smooth_f(smooth_f)
    rt._check_threshold(diverge_th)
    rt._check_skips(skip_start, skip_end)
    v.choice({"spacing": spacing}, "spacing", rt.SPACINGS)
    for name, flag in (("bias_correction", bias_correction), ("stop_on_divergence", stop_on_divergence),
                       ("progress", progress), ("jit", jit)):
        v.flag({name: flag}, name)
    if not callable(train_step):
        raise TypeError(f"Argument `train_step` must be callable. Received: {type(train_step).__name__}")
    n = int(num_steps)
    step = jax.jit(train_step) if jit else train_step
    source = _Batches(batches, "batches")
    smoother = rt._Smoother(float(smooth_f), bias_correction)
    divergence = rt._Divergence(float(diverge_th))
    lrs: list[float] = []
    losses: list[float] = []
    bar = _progress(progress, n)
    try:
        for k in range(n):
            lr = sweep(k)
            params, opt_state, loss = step(params, opt_state, source.next(), jnp.asarray(lr))
            value = float(loss)
            if k == 0 and not math.isfinite(value):
                raise ValueError(
                    f"The loss of the first update (lr={lr:g}) is {value}: the model, the data or the loss function "
                    "give a non-finite loss before the lr can matter."
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
    settings = {
        "runner": "jax",
        "start_lr": float(start_lr),
        "end_lr": float(end_lr),
        "num_steps": n,
        "mode": mode,
        "convention": convention,
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
