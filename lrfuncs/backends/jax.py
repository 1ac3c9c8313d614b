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

import functools
import numbers
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
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


def _split(config: Any) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...], tuple[float, ...], dict[str, Any]]:
    """Config compiled in as constants vs numeric config traced by ``jit``.

    Options (str, bool, None, tuples) and nested schedules (composites) are static. So are numbers equal to 0 or
    1: kernels take a cheaper formula for those (an ``exponent`` of 1, no
    warmup, no peak decay), which a traced value would hide. Every other
    number is traced, so new values reuse the compiled curve: the numbers
    travel together in one array (one host-to-device transfer per call, not
    one per number), arrays (sweeps) as they are.
    """
    static, names, numbers_, arrays = [], [], [], {}
    for k, v in config.items():
        if v is None or isinstance(v, (str, bool, tuple, Schedule)) or (isinstance(v, numbers.Real) and v in (0, 1)):
            static.append((k, v))
        elif isinstance(v, numbers.Real):  # Python ints and floats, numpy scalars
            names.append(k)
            numbers_.append(float(v))
        else:
            arrays[k] = v
    return tuple(static), tuple(names), tuple(numbers_), arrays


#: id(schedule) -> (weakref to it, start, dtype, device, split config with the packed numbers): a curve's
#: arguments are prepared once per bound schedule, start, dtype and device. The split walks the config with ABC
#: checks (tens of µs at N = 1e3), and the packed numbers are put on the device once: a numpy argument would be
#: transferred to the device again on every call.
_PREPARED: dict[int, tuple[Any, ...]] = {}


def _prepared(s: Schedule[Any], start: float, dt: Any, device: Any) -> tuple[Any, Any, Any, Any]:
    entry = _PREPARED.get(id(s))
    if entry is not None and entry[0]() is s and entry[1] == start and entry[2] == dt and entry[3] == device:
        return entry[4]
    static, names, values, arrays = _split(s.config)
    # an uncommitted array (no device named here): placed by the caller's default device, as a numpy argument
    # would be, so that array config committed to a device still decides where the curve runs
    packed = jax.device_put(np.asarray((start, *values), dtype=dt))
    out = (static, names, packed, arrays)
    key = id(s)

    def forget(_: Any) -> None:
        _PREPARED.pop(key, None)

    _PREPARED[key] = (weakref.ref(s, forget), start, dt, device, out)
    return out


def _curve_body(
    fn: Any, static: Any, names: Any, num_steps: int, dtype: Any, packed: Any, arrays: Any = None
) -> jax.Array:
    """``fn`` over ``num_steps`` steps from ``packed[0]``; ``packed[1:]`` are the numbers named ``names``."""
    steps = jnp.arange(num_steps, dtype=dtype) + packed[0]
    numbers_ = {k: packed[i + 1] for i, k in enumerate(names)}
    return jnp.asarray(fn(steps, **dict(static), **numbers_, **(arrays or {})), dtype=dtype)


#: (schedule function, static config, traced names, length, dtype, with array config) -> its jitted curve.
#: A jitted function with nothing static at call time is called on jit's fast path; passing static arguments
#: (an equal but new int or dtype object each call) costs ~50 µs a call, more than the whole curve at N = 1e3.
#: Without array config the function takes the packed numbers alone (no pytree of config to flatten).
_CURVES: dict[tuple[Any, ...], Callable[..., jax.Array]] = {}
_MAX_CURVES = 512


def _curve_function(
    fn: Any, static: Any, names: Any, num_steps: int, dtype: Any, with_arrays: bool
) -> Callable[..., jax.Array]:
    key = (fn, static, names, num_steps, dtype, with_arrays)
    f = _CURVES.get(key)
    if f is None:
        if len(_CURVES) >= _MAX_CURVES:
            _CURVES.clear()
        f = _CURVES[key] = jax.jit(functools.partial(_curve_body, fn, static, names, num_steps, dtype))
    return f


def _cache_size() -> int:
    """How many curve functions are compiled (tests check that new config values reuse them)."""
    return sum(f._cache_size() for f in _CURVES.values())  # type: ignore[attr-defined]


#: id(schedule) -> (weakref to it, num_steps, start, x64 flag, jitted curve, its arguments): the last call of
#: each bound schedule with the default dtype and device, which an identical next call replays without the
#: argument checks, dtype and cache look-ups (together ~3 µs, a quarter of a whole curve at N = 1e3).
_LAST: dict[int, tuple[Any, ...]] = {}


def _remember(s: Schedule[Any], num_steps: int, start: int, x64: bool, f: Any, args: tuple[Any, ...]) -> None:
    key = id(s)

    def forget(_: Any) -> None:
        _LAST.pop(key, None)

    _LAST[key] = (weakref.ref(s, forget), num_steps, start, x64, f, args)


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
    # JAX's default float from the flag's attribute: jnp.result_type or jax.config.read here would send the
    # jitted call below off jit's fast path (about 50 µs a call, more than a whole curve at N = 1e3)
    x64 = jax.config.jax_enable_x64  # type: ignore[attr-defined]
    replayable = dtype is None and device is None and not config
    if replayable:
        last = _LAST.get(id(schedule))
        if (
            last is not None
            and num_steps.__class__ is int  # exactly int: an equal float or bool must still fail the checks
            and start.__class__ is int
            and last[1] == num_steps
            and last[2] == start
            and last[3] is x64
            and last[0]() is schedule
        ):
            return last[4](*last[5])  # type: ignore[no-any-return]
    fn = resolve(schedule, config)
    num_steps, start = count(num_steps, "num_steps"), count(start, "start")
    dt = jnp.dtype(dtype) if dtype is not None else np.dtype(np.float64 if x64 else np.float32)
    if device is not None:
        with jax.default_device(device):
            f, args = _jitted(fn, num_steps, start, dt, device)
            return f(*args)
    f, args = _jitted(fn, num_steps, start, dt, None)
    if replayable and isinstance(fn, Schedule):  # a bound schedule: its next identical call replays this one
        _remember(fn, num_steps, start, x64, f, args)
    return f(*args)


def _jitted(fn: Any, num_steps: int, start: int, dt: Any, device: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """The jitted curve of ``fn`` and its arguments (call it under ``jax.default_device(device)``)."""
    if not isinstance(fn, Schedule):  # any callable: traced anew, nothing to cache it by
        return jax.jit(lambda s: jnp.asarray(fn(jnp.arange(num_steps, dtype=dt) + s), dtype=dt)), (float(start),)
    static, names, packed, arrays = _prepared(fn, float(start), dt, device)
    f = _curve_function(fn.fn, static, names, num_steps, dt, bool(arrays))
    return f, ((packed, arrays) if arrays else (packed,))


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
