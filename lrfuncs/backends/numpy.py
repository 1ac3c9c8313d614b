"""numpy adapter: a whole curve in one call, evaluated in cache-sized chunks.

A bound schedule with plain-number config is written out once as in-place
numpy code per phase (``_numpy_program.py``) and its curves run that code;
anything else (array config for sweeps, untraceable kernels, any callable)
runs the kernel chunk by chunk.

>>> import lrfuncs
>>> from lrfuncs.backends.numpy import curve
>>> curve(lrfuncs.warmup_cosine.bind(peak_lr=1.0, warmup_steps=2, total_steps=6, init_lr=0.0), 4)
array([0.  , 0.5 , 1.  , 0.85...])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._dispatch import _NumpyOps
from .._schedule import Schedule
from ..plateau import Plateau
from . import count, resolve
from ._numpy_program import Program, build

__all__ = ["CHUNK", "curve", "plateau_replay"]

#: Elements evaluated per chunk: 16 Ki float64 = 128 KiB, so a schedule's
#: temporaries stay in the CPU cache instead of costing full-size passes.
CHUNK = 1 << 14


def curve(
    schedule: Any,
    num_steps: int,
    /,
    *,
    start: int = 0,
    dtype: npt.DTypeLike = np.float64,
    out: np.ndarray | None = None,
    chunk_size: int = CHUNK,
    **config: Any,
) -> np.ndarray:
    """The lr at steps ``start, ..., start + num_steps - 1`` as a numpy array.

    ``schedule`` is a :class:`lrfuncs.Schedule`, a schedule function with its
    config as keywords (``curve(lrfuncs.onecycle, 1000, peak_lr=0.1,
    total_steps=1000)``) or any callable taking a numpy array of steps.
    Array-valued config broadcasts: ``peak_lr`` of shape ``(K, 1)`` gives a
    ``(K, num_steps)`` curve. Steps are evaluated in float64 in chunks of
    ``chunk_size`` and written into ``out`` (allocated with ``dtype`` if not
    given), so peak memory is the output plus one chunk's temporaries.

    A bound schedule with plain-number config runs as in-place numpy code per
    phase (``_numpy_program.py``), built on its second curve (at once from
    ``BUILD_AT`` steps) and shared by equal schedules; the values are the
    kernel's.
    """
    fn = resolve(schedule, config)
    n = count(num_steps, "num_steps")
    first = count(start, "start")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"Argument `chunk_size` must be >= 1. Received: chunk_size={chunk_size}")
    one = fn
    if isinstance(fn, Schedule) and fn._config_ops is None:
        lead: tuple[int, ...] = ()  # plain-number config: one curve
    else:  # array config (a sweep) or any callable: the leading shape comes from one step
        lead, one = _sweep(fn, first)
    shape = (*lead, n)
    if out is None:
        out = np.empty(shape, dtype=dtype)
    elif out.shape != shape:
        raise ValueError(f"Argument `out` must have shape {shape}. Received: out.shape={out.shape}")
    if math.prod(lead) == 1:  # one curve (a sweep of one config is that config, as plain numbers)
        program = _program(one, n)
        if program is not None:
            program.write(out[(0,) * len(lead)] if lead else out, first, chunk_size)
            return out
    rows = max(1, math.prod(lead))
    step = max(1, chunk_size // rows)
    evaluate = _chunk_evaluator(fn)
    base = np.arange(min(step, n), dtype=np.float64)  # 0, 1, ..., chunk - 1
    buf = np.empty_like(base)
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        t = buf[: hi - lo]
        np.add(base[: hi - lo], float(first + lo), out=t)
        out[..., lo:hi] = evaluate(t)
    return out


#: in-place programs by schedule (equal schedules share one); None: the kernel could not be written out
_PROGRAMS: dict[Schedule[Any], Program | None] = {}
#: schedules seen once with a short curve: a program is built when they come back
_SEEN: dict[Schedule[Any], None] = {}
_MAX_PROGRAMS = 256
#: the last schedule looked up and its program (a repeated curve skips hashing the config)
_LAST: tuple[Any, Program | None] = (None, None)
#: a curve this long builds its schedule's program at once (the ~2 ms it takes pay for themselves);
#: a shorter one on its schedule's second curve, so a loop over fresh configs does not pay for it
BUILD_AT = 1 << 16


def _program(fn: Any, n: int) -> Program | None:
    """The in-place program for ``fn`` (a Schedule with plain-number config), or None to run the kernel."""
    global _LAST
    if fn is _LAST[0]:
        return _LAST[1]
    if not isinstance(fn, Schedule) or fn._config_ops is not None:
        return None
    try:
        program = _PROGRAMS[fn]
    except KeyError:
        pass
    else:
        _LAST = (fn, program)
        return program
    if n < BUILD_AT and fn not in _SEEN:
        if len(_SEEN) >= _MAX_PROGRAMS:
            _SEEN.clear()
        _SEEN[fn] = None
        return None
    _SEEN.pop(fn, None)
    if len(_PROGRAMS) >= _MAX_PROGRAMS:
        _PROGRAMS.clear()
    program = _PROGRAMS[fn] = build(fn._kernel, fn._args)
    _LAST = (fn, program)
    return program


#: sweeps by schedule (equal config, equal answers): their leading shape, and the plain-number schedule a
#: sweep of one config equals (or the sweep itself); a repeated sweep skips the probe and the rebinding
_SWEEPS: dict[Schedule[Any], tuple[tuple[int, ...], Any]] = {}


def _sweep(fn: Any, first: int) -> tuple[tuple[int, ...], Any]:
    """The leading shape of ``fn``'s values (``(K,)`` for a ``(K, 1)`` config, from its value at one step),
    and what to evaluate: ``fn``, or for a sweep of one config that config as plain numbers."""
    known = _SWEEPS.get(fn) if isinstance(fn, Schedule) else None
    if known is not None:
        lead, one = known
        if one._config_ops is not None:  # a sweep, evaluated as such
            return lead, fn
        if _still(fn, one):  # a sweep of one config, as plain numbers (unless an array was changed in place)
            return known
    probe = np.asarray(fn(np.full(1, float(first))))
    shape: tuple[int, ...] = probe.shape[:-1] if probe.ndim else ()
    entry = (shape, _single(fn) if math.prod(shape) == 1 else fn)
    if isinstance(fn, Schedule):
        if len(_SWEEPS) >= _MAX_PROGRAMS:
            _SWEEPS.clear()
        _SWEEPS[fn] = entry
    return entry


def _still(fn: Schedule[Any], single: Schedule[Any]) -> bool:
    """Whether ``fn``'s size-1 arrays still hold ``single``'s numbers (an array may be changed in place)."""
    config = single.config
    return all(v.item() == config[k] for k, v in fn.config.items() if isinstance(v, np.ndarray))


def _single(fn: Any) -> Any:
    """A sweep of one config (float64 arrays of size 1) as the plain-number schedule it equals, or ``fn``.

    Only float64: config arithmetic on a float32 array stays float32, on a number it would not.
    """
    if not isinstance(fn, Schedule):
        return fn
    changes = {}
    for k, v in fn.config.items():
        if isinstance(v, np.ndarray):
            if v.size != 1 or v.dtype != np.float64:
                return fn
            changes[k] = v.item()
    single = fn.replace(**changes)
    return single if single._config_ops is None else fn


def _chunk_evaluator(fn: Any) -> Any:
    """``t -> lr`` for float64 step chunks built here (non-negative, finite).

    A :class:`Schedule` with plain-number config goes straight to its kernel
    with the numpy operations: the per-call dispatch and step check are
    redundant for steps this function made itself.
    """
    if isinstance(fn, Schedule) and fn._config_ops is None:
        ops = _NumpyOps.instance()
        kernel, args = fn._kernel, fn._args
        return lambda t: kernel(ops, t, *args)
    return fn



def plateau_replay(plateau: Plateau, metrics: Any, value: Any = 1.0) -> np.ndarray:
    """The value (lr or scale) after each metric of a whole history, replayed in one call.

    ``out[k]`` is ``plateau``'s value after ``metrics[k]`` (so ``out[k]`` is the lr for
    the epoch after evaluation ``k``). ``value`` may be an array (one lr per param
    group): the output then has shape ``(len(metrics), *value.shape)``.

    >>> from lrfuncs.plateau import Plateau
    >>> plateau_replay(Plateau(factor=0.5, patience=1), [3.0, 3.0, 3.0, 3.0, 3.0]).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    ms = np.asarray(metrics, dtype=np.float64)
    if ms.ndim != 1:
        raise ValueError(f"Argument `metrics` must be a 1-d sequence. Received: metrics of shape {ms.shape}")
    state = plateau.init(np.asarray(value, dtype=np.float64) if np.ndim(value) else float(value))
    out = np.empty((len(ms), *np.shape(value)), dtype=np.float64)
    for k, m in enumerate(ms.tolist()):
        state = plateau.update(state, m)
        out[k] = state.value
    return out
