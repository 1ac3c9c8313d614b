"""JAX / optax adapter: optax schedules and whole curves in one jitted call.

An lrfuncs schedule already *is* an optax schedule: it is a pure function of
``count`` that works on tracers. :func:`as_optax` only pins the output dtype
and checks the config; :func:`curve` evaluates a whole curve on the default
device (GPU/TPU where present) in one compiled call, compiled once per
schedule function and static options, whatever the numeric config values.

Recipe: log the lr and schedule Adam's ``b1`` with ``optax.inject_hyperparams``::

    import optax, lrfuncs
    from lrfuncs.backends.jax import as_optax
    lr = as_optax(lrfuncs.onecycle.bind(peak_lr=1e-3, total_steps=10_000))
    b1 = as_optax(lrfuncs.onecycle_momentum.bind(total_steps=10_000))
    opt = optax.inject_hyperparams(optax.adamw)(learning_rate=lr, b1=b1)
    state = opt.init(params)
    ...
    state.hyperparams["learning_rate"]  # the lr used by the last update
"""

from __future__ import annotations

import contextlib
import functools
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from .._schedule import Schedule
from ..plateau import Plateau, PlateauState
from . import count, resolve
from ._range_jax import optax_train_step, range_test

__all__ = [
    "OptaxSchedule",
    "as_optax",
    "curve",
    "optax_train_step",
    "plateau_init",
    "plateau_scan",
    "range_test",
    "reduce_on_plateau",
]


class OptaxSchedule:
    """An optax schedule (``count -> value``) backed by an lrfuncs schedule; picklable."""

    __slots__ = ("__weakref__", "dtype", "schedule")

    def __init__(self, schedule: Callable[[Any], Any], dtype: Any = None) -> None:
        self.schedule = schedule
        self.dtype = dtype

    def __call__(self, count: Any) -> jax.Array:
        value = jnp.asarray(self.schedule(jnp.asarray(count)))
        return value if self.dtype is None else value.astype(self.dtype)

    def __getstate__(self) -> tuple[Any, Any]:
        return (self.schedule, None if self.dtype is None else jnp.dtype(self.dtype).name)

    def __setstate__(self, state: tuple[Any, Any]) -> None:
        self.schedule, self.dtype = state

    def __repr__(self) -> str:
        return f"OptaxSchedule({self.schedule!r}, dtype={self.dtype!r})"


def as_optax(schedule: Any, /, *, dtype: Any = None, **config: Any) -> OptaxSchedule:
    """An optax schedule for ``optax.<optimizer>(learning_rate=...)`` or ``inject_hyperparams``.

    ``schedule`` is a :class:`lrfuncs.Schedule` or a schedule function with its
    config as keywords. The step is optax's ``count`` (update ``k`` uses
    ``schedule(k)``). Works inside ``jax.jit``; changing the step never
    recompiles. ``dtype`` casts the output (default: JAX's default float).

    >>> import lrfuncs, optax
    >>> from lrfuncs.backends.jax import as_optax
    >>> opt = optax.sgd(as_optax(lrfuncs.cosine_decay, peak_lr=0.1, total_steps=100))
    """
    fn = resolve(schedule, config)
    if isinstance(fn, Schedule):
        for name, value in fn.config.items():
            if type(value).__module__.startswith("torch"):
                raise TypeError(f"Argument `{name}` is a torch tensor; an optax schedule needs JAX or numpy config")
    return OptaxSchedule(fn, dtype)


def _split(config: Any) -> tuple[tuple[tuple[str, Any], ...], dict[str, Any]]:
    """Config compiled in as constants vs numeric config traced by ``jit``.

    Options (str, bool, None, tuples) and nested schedules (composites) are static. So are numbers equal to 0 or
    1: kernels take a cheaper formula for those (an ``exponent`` of 1, no
    warmup, no peak decay), which a traced value would hide. Every other
    number is traced, so new values reuse the compiled curve.
    """
    static, dynamic = [], {}
    for k, v in config.items():
        if v is None or isinstance(v, (str, bool, tuple, Schedule)) or (isinstance(v, numbers.Real) and v in (0, 1)):
            static.append((k, v))
        else:
            # Python ints and numpy scalars become Python floats: weakly typed, no recompilation
            dynamic[k] = float(v) if isinstance(v, numbers.Real) else v
    return tuple(static), dynamic


@functools.partial(jax.jit, static_argnames=("fn", "static", "num_steps", "dtype"))
def _schedule_curve(fn: Any, static: Any, dynamic: Any, start: Any, num_steps: int, dtype: Any) -> jax.Array:
    steps = jnp.arange(num_steps, dtype=dtype) + start
    return jnp.asarray(fn(steps, **dict(static), **dynamic), dtype=dtype)


def curve(
    schedule: Any,
    num_steps: int,
    /,
    *,
    start: int = 0,
    dtype: Any = None,
    device: Any = None,
    **config: Any,
) -> jax.Array:
    """The lr at steps ``start, ..., start + num_steps - 1``, computed in one jitted call.

    Runs on ``device`` (default: JAX's default device, a GPU or TPU where
    present). ``dtype`` defaults to JAX's default float (float32, or float64
    with ``jax_enable_x64``); float32 represents steps exactly only up to 2**24.
    For a :class:`lrfuncs.Schedule` the compiled function is cached per schedule
    function, options, length and dtype: new numeric config values (or array
    config for sweeps) reuse it, except that values 0 and 1 are compiled in as
    constants (kernels skip work for them, e.g. ``exponent=1``).

    >>> import lrfuncs
    >>> from lrfuncs.backends.jax import curve
    >>> curve(lrfuncs.step_decay, 4, peak_lr=1.0, step_size=2, gamma=0.5).tolist()
    [1.0, 1.0, 0.5, 0.5]
    """
    fn = resolve(schedule, config)
    num_steps, start = count(num_steps, "num_steps"), count(start, "start")
    dt = jnp.dtype(dtype) if dtype is not None else jnp.result_type(float)
    ctx = jax.default_device(device) if device is not None else contextlib.nullcontext()
    with ctx:
        if isinstance(fn, Schedule):
            static, dynamic = _split(fn.config)
            return _schedule_curve(fn.fn, static, dynamic, float(start), num_steps, dt)
        return jax.jit(lambda s: jnp.asarray(fn(jnp.arange(num_steps, dtype=dt) + s), dtype=dt))(float(start))



def plateau_init(plateau: Plateau, value: Any = 1.0, *, dtype: Any = None) -> PlateauState:
    """``plateau.init(value)`` with JAX leaves of fixed dtypes, ready for ``jit`` and ``lax.scan``.

    Floats use ``dtype`` (default: JAX's default float), counters int32.
    """
    dt = jnp.dtype(dtype) if dtype is not None else jnp.result_type(float)
    s = plateau.init(value)
    return PlateauState(
        value=jnp.asarray(s.value, dt),
        best=jnp.asarray(s.best, dt),
        num_bad=jnp.asarray(s.num_bad, jnp.int32),
        cooldown=jnp.asarray(s.cooldown, jnp.int32),
        count=jnp.asarray(s.count, jnp.int32),
        mean=jnp.asarray(s.mean, dt),
    )


def plateau_scan(plateau: Plateau, metrics: Any, value: Any = 1.0) -> tuple[PlateauState, jax.Array]:
    """Run ``plateau`` over a metric sequence with ``jax.lax.scan``: ``(final_state, values)``.

    ``values[k]`` is the value after ``metrics[k]``, equal to a Python loop of
    ``plateau.update`` (and to ``lrfuncs.backends.numpy.plateau_replay``).
    """
    ms = jnp.asarray(metrics)
    init = plateau_init(plateau, value, dtype=ms.dtype if jnp.issubdtype(ms.dtype, jnp.floating) else None)

    def body(state: PlateauState, m: Any) -> tuple[PlateauState, Any]:
        new = plateau.update(state, m)
        return new, new.value

    return jax.lax.scan(body, init, ms)


class PlateauScaleState(NamedTuple):
    """State of :func:`reduce_on_plateau`: the plateau state (its value is the scale)."""

    plateau: PlateauState


def reduce_on_plateau(plateau: Plateau) -> optax.GradientTransformationExtraArgs:
    """An optax transformation that multiplies updates by the plateau scale.

    Like ``optax.contrib.reduce_on_plateau`` (``Plateau(convention="optax", ...)``
    reproduces it exactly), for any convention. Pass the metric as
    ``update(..., value=loss)``. Chained after an optimizer with a step
    schedule, the effective lr is ``schedule(count) * scale``: a plateau on top
    of any schedule::

        opt = optax.chain(optax.adamw(as_optax(lrfuncs.warmup_cosine.bind(...))),
                          reduce_on_plateau(Plateau(patience=5)))
        updates, state = opt.update(grads, state, params, value=val_loss)
    """

    def init_fn(params: Any) -> PlateauScaleState:
        # as optax: the scale in the params' lowest float dtype, the metric statistics in the highest
        low, high = optax.tree.dtype(params, "lowest"), optax.tree.dtype(params, "highest")
        s = plateau_init(plateau, 1.0, dtype=high)
        return PlateauScaleState(s._replace(value=s.value.astype(low)))

    def update_fn(
        updates: Any, state: PlateauScaleState, params: Any = None, *, value: Any, **extra: Any
    ) -> tuple[Any, PlateauScaleState]:
        del params, extra
        new = plateau.update(state.plateau, jnp.asarray(value, state.plateau.mean.dtype))
        scale = new.value
        return jax.tree.map(lambda g: (scale * g).astype(g.dtype), updates), PlateauScaleState(new)

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)  # type: ignore[arg-type]
