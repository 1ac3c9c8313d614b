"""Configuration checks shared by every schedule.

Only *concrete* values are inspected: Python numbers and numpy scalars.
Array-valued config (numpy arrays, JAX arrays or tracers, torch tensors) is
passed through unchecked, because inspecting it would need a device sync or is
impossible under ``jax.jit``; this is documented on every schedule.

Every failure raises ``ValueError`` (or ``TypeError`` for a wrong kind of
value) naming the argument and the value received, in the form::

    Argument `warmup_steps` must be <= `total_steps`. Received: warmup_steps=2000, total_steps=1000
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

Config = Mapping[str, Any]
_INF = math.inf


def _fmt(v: Any) -> str:
    return repr(v) if isinstance(v, str) else str(v)


def fail(cfg: Config, message: str, *names: str) -> ValueError:
    """A ValueError ``Argument `a` <message>. Received: a=.., b=..``."""
    received = ", ".join(f"{n}={_fmt(cfg[n])}" for n in names)
    return ValueError(f"Argument `{names[0]}` {message}. Received: {received}")


def concrete(cfg: Config, name: str, *, allow_inf: bool = False, allow_none: bool = False) -> float | None:
    """The value of ``cfg[name]`` as a float if it is a concrete number.

    Returns None for array-valued config (not inspected) and for None when
    ``allow_none``. Raises TypeError for a value that is not a number at all
    and ValueError for NaN (and for infinity unless ``allow_inf``).
    """
    v = cfg[name]
    cls = v.__class__
    if cls is float or cls is int:  # the common case first: this runs on every unbound call
        if v != v or ((v == _INF or v == -_INF) and not allow_inf):
            raise fail(cfg, "must be a finite number", name)
        return float(v)
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or v is None or isinstance(v, (str, bytes)):
        raise TypeError(
            f"Argument `{name}` must be a number or an array of numbers. "
            f"Received: {name}={_fmt(v)} of type {type(v).__name__}"
        )
    if isinstance(v, numbers.Real):
        f = float(v)
        if math.isnan(f) or (math.isinf(f) and not allow_inf):
            raise fail(cfg, "must be a finite number", name)
        return f
    if isinstance(v, numbers.Number):  # complex
        raise TypeError(f"Argument `{name}` must be a real number. Received: {name}={v!r}")
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        return None  # array-valued: not inspected
    raise TypeError(
        f"Argument `{name}` must be a number or an array of numbers. "
        f"Received: {name}={v!r} of type {type(v).__name__}"
    )


def positive(cfg: Config, name: str, *, allow_inf: bool = False) -> None:
    v = concrete(cfg, name, allow_inf=allow_inf)
    if v is not None and not v > 0:
        raise fail(cfg, "must be > 0", name)


def non_negative(cfg: Config, name: str) -> None:
    v = concrete(cfg, name)
    if v is not None and not v >= 0:
        raise fail(cfg, "must be >= 0", name)


def integer(cfg: Config, name: str, *, minimum: int = 0) -> None:
    """A whole number (a Python int or an integral float) >= ``minimum``."""
    v = concrete(cfg, name)
    if v is None:
        return
    if v != math.floor(v):
        raise fail(cfg, "must be a whole number", name)
    if v < minimum:
        raise fail(cfg, f"must be >= {minimum}", name)


def between(cfg: Config, name: str, lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> None:
    v = concrete(cfg, name)
    if v is None:
        return
    ok_lo = v > lo if lo_open else v >= lo
    ok_hi = v < hi if hi_open else v <= hi
    if not (ok_lo and ok_hi):
        interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise fail(cfg, f"must be in {interval}", name)


def at_most(cfg: Config, name: str, other: str, *, strict: bool = False) -> None:
    """``cfg[name] <= cfg[other]`` (``<`` when strict), when both are concrete."""
    a = concrete(cfg, name, allow_inf=True, allow_none=True)
    b = concrete(cfg, other, allow_inf=True, allow_none=True)
    if a is None or b is None:
        return
    if (a >= b) if strict else (a > b):
        raise fail(cfg, f"must be {'<' if strict else '<='} `{other}`", name, other)


def choice(cfg: Config, name: str, options: Iterable[str]) -> None:
    opts = tuple(options)
    if cfg[name] not in opts:
        raise ValueError(
            f"Argument `{name}` must be one of {', '.join(repr(o) for o in opts)}. Received: {name}={_fmt(cfg[name])}"
        )


def flag(cfg: Config, name: str) -> None:
    if not isinstance(cfg[name], bool):
        raise TypeError(f"Argument `{name}` must be True or False. Received: {name}={_fmt(cfg[name])}")


def exclusive(cfg: Config, a: str, b: str) -> None:
    """At most one of ``a`` and ``b`` may be given (not None)."""
    if cfg[a] is not None and cfg[b] is not None:
        raise fail(cfg, f"and `{b}` are two ways to give the same value; pass only one", a, b)


def milestones(cfg: Config, name: str) -> None:
    """A sequence of whole numbers >= 0 (repeats allowed, any order)."""
    ms = cfg[name]
    if isinstance(ms, (str, bytes)) or not isinstance(ms, (tuple, list)):
        raise TypeError(
            f"Argument `{name}` must be a list or tuple of step indices. Received: {name}={_fmt(ms)}"
        )
    for m in ms:
        if (
            isinstance(m, bool)
            or not isinstance(m, numbers.Real)
            or not 0 <= float(m) < math.inf
            or m != math.floor(m)
        ):
            raise ValueError(f"Argument `{name}` must hold whole numbers >= 0. Received: {name}={list(ms)}")
