"""Per-value backend dispatch: which array library evaluates a schedule.

Every schedule is written once against a small namespace of operations
(``cos``, ``where``, ``minimum``, ...). This module picks the namespace for a
value by its *type* (cached per type), in the style of einops' ``_backends``
and array-api-compat's ``_issubclass_fast``:

* a framework is only ever considered if it is already in ``sys.modules``, so
  ``import lrfuncs`` and evaluating a schedule on Python numbers imports no
  framework at all;
* numpy scalars are tested before Python floats (``np.float64`` subclasses
  ``float``);
* JAX tracers are not ``jax.Array`` subclasses, so ``jax.core.Tracer`` is
  checked as well.

The Python namespace uses :mod:`math` and returns Python floats.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any

__all__ = ["Ops", "ops_for_step", "ops_for_values", "join_ops", "python_ops"]


class Ops:
    """The operations a schedule kernel may use, for one array library.

    ``rank`` orders namespaces when step and config come from different
    libraries: Python numbers (0) mix with numpy (1), and both mix with one
    device framework (JAX or torch, 2).
    """

    name: str = "abstract"
    rank: int = 0
    pi: float = math.pi

    # elementwise functions, set per library
    cos: Callable[[Any], Any]
    sin: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    log: Callable[[Any], Any]
    sqrt: Callable[[Any], Any]
    tanh: Callable[[Any], Any]
    expm1: Callable[[Any], Any]
    log1p: Callable[[Any], Any]
    floor: Callable[[Any], Any]
    where: Callable[[Any, Any, Any], Any]
    minimum: Callable[[Any, Any], Any]
    maximum: Callable[[Any, Any], Any]
    clip: Callable[[Any, Any, Any], Any]
    #: ``indicator(cond, like)``: 1.0 where ``cond`` holds, else 0.0, in the float type of ``like``
    indicator: Callable[[Any, Any], Any]
    #: ``floor_div(a, b)``: ``floor(a / b)`` exactly (which step or cycle ``a`` falls in)
    floor_div: Callable[[Any, Any], Any]
    #: ``rem(a, b)``: ``a - b * floor(a / b)`` exactly for ``a >= 0, b > 0`` (IEEE fmod: where in its cycle)
    rem: Callable[[Any, Any], Any]

    def adopt(self, value: Any, step: Any) -> Any:
        """Config ``value`` made usable next to ``step`` (numpy config with torch steps)."""
        return value

    def cast_like(self, value: Any, like: Any) -> Any:
        """Array ``value`` in the dtype (and device) of array ``like``; anything else unchanged."""
        return value

    def as_step(self, step: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def finish(self, value: Any) -> Any:
        return value

    def __repr__(self) -> str:
        return f"<lrfuncs ops: {self.name}>"


def _type_error(step: Any) -> TypeError:
    kind = type(step).__name__
    hint = ""
    if isinstance(step, (list, tuple, range)):
        hint = " To evaluate many steps at once pass an array, e.g. numpy.arange(n)."
    return TypeError(
        "`step` must be a Python int or float, a numpy scalar or array, a JAX "
        f"array or tracer, or a torch tensor. Received: step of type {kind}.{hint}"
    )


def _negative_step(step: Any) -> ValueError:
    return ValueError(
        f"Argument `step` must be a finite number >= 0 (0-based update index). Received: step={step!r}"
    )


def _py_where(cond: Any, a: Any, b: Any) -> Any:
    return a if cond else b


def _py_minimum(a: Any, b: Any) -> Any:
    return a if a <= b else b


def _py_maximum(a: Any, b: Any) -> Any:
    return a if a >= b else b


def _py_clip(x: Any, lo: Any, hi: Any) -> Any:
    return lo if x < lo else (hi if x > hi else x)


def _py_indicator(cond: Any, like: Any) -> float:
    return 1.0 if cond else 0.0


def _py_floor_div(a: Any, b: Any) -> Any:
    return a // b  # Python's float floor division is exact (it goes through fmod)


class _PythonOps(Ops):
    """Python numbers with :mod:`math`; functions are instance attributes (the fastest lookup)."""

    name = "python"
    rank = 0

    def __init__(self) -> None:
        self.cos = math.cos
        self.sin = math.sin
        self.exp = math.exp
        self.log = math.log
        self.sqrt = math.sqrt
        self.tanh = math.tanh
        self.expm1 = math.expm1
        self.log1p = math.log1p
        self.floor = math.floor
        self.where = _py_where
        self.minimum = _py_minimum
        self.maximum = _py_maximum
        self.clip = _py_clip
        self.indicator = _py_indicator
        self.floor_div = _py_floor_div
        self.rem = math.fmod

    def as_step(self, step: Any) -> float:
        if step.__class__ is bool:
            raise _type_error(step)
        t = float(step)
        if not 0.0 <= t < math.inf:
            raise _negative_step(step)
        return t

    def finish(self, value: Any) -> float:
        return float(value)


class _NumpyOps(Ops):
    name = "numpy"
    rank = 1

    @staticmethod
    def instance() -> Ops:
        """The shared numpy namespace."""
        return _namespace("numpy")

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.cos = np.cos
        self.sin = np.sin
        self.exp = np.exp
        self.log = np.log
        self.sqrt = np.sqrt
        self.tanh = np.tanh
        self.expm1 = np.expm1
        self.log1p = np.log1p
        self.floor = np.floor
        self.where = np.where
        self.minimum = np.minimum
        self.maximum = np.maximum
        self.clip = np.clip
        self.floor_div = np.floor_divide  # exact, unlike floor(a / b) near multiples
        self.rem = np.fmod

    def indicator(self, cond: Any, like: Any) -> Any:
        """``cond`` as 1.0 / 0.0 in the float dtype of ``like`` (float32 steps stay float32)."""
        return self.np.asarray(cond).astype(self.np.result_type(like, self.np.float16))

    def cast_like(self, value: Any, like: Any) -> Any:
        if hasattr(value, "dtype") and hasattr(like, "dtype") and value.dtype != like.dtype:
            return self.np.asarray(value, dtype=like.dtype)
        return value

    def finish(self, value: Any) -> Any:
        """A 0-d result (numpy scalar step) as a numpy scalar, like numpy's own functions."""
        return value[()] if isinstance(value, self.np.ndarray) and value.ndim == 0 else value

    def as_step(self, step: Any) -> Any:
        np = self.np
        a = np.asarray(step)
        kind = a.dtype.kind
        if kind in "iu":
            a = a.astype(np.float64)
        elif kind != "f":
            raise _type_error(step) if kind != "b" else TypeError(
                f"`step` must hold numbers, not booleans. Received: step of dtype {a.dtype}."
            )
        if a.size:
            ok = (a >= 0) & (a < np.inf)
            if not ok.all():
                raise _negative_step(a[~ok].flat[0].item())
        return a


class _JaxOps(Ops):
    name = "jax"
    rank = 2

    def __init__(self) -> None:
        import jax.numpy as jnp

        self.jnp = jnp
        self.cos = jnp.cos
        self.sin = jnp.sin
        self.exp = jnp.exp
        self.log = jnp.log
        self.sqrt = jnp.sqrt
        self.tanh = jnp.tanh
        self.expm1 = jnp.expm1
        self.log1p = jnp.log1p
        self.floor = jnp.floor
        self.where = jnp.where
        self.minimum = jnp.minimum
        self.maximum = jnp.maximum
        self.clip = jnp.clip
        # exact: XLA may divide by multiplying with the reciprocal (49 * (1/49) < 1)
        self.floor_div = jnp.floor_divide
        self.rem = jnp.fmod

    def indicator(self, cond: Any, like: Any) -> Any:
        return self.jnp.asarray(cond).astype(self.jnp.result_type(like, self.jnp.float16))

    def cast_like(self, value: Any, like: Any) -> Any:
        if hasattr(value, "dtype") and hasattr(like, "dtype") and value.dtype != like.dtype:
            return self.jnp.asarray(value, dtype=like.dtype)
        return value

    def as_step(self, step: Any) -> Any:
        jnp = self.jnp
        a = jnp.asarray(step)
        if jnp.issubdtype(a.dtype, jnp.integer):
            return a.astype(jnp.result_type(float))
        if jnp.issubdtype(a.dtype, jnp.floating):
            return a
        raise TypeError(f"`step` must hold numbers. Received: step of dtype {a.dtype}.")


class _TorchOps(Ops):
    """torch functions that also accept Python numbers (config is often a float)."""

    name = "torch"
    rank = 2

    def __init__(self) -> None:
        import torch

        self.torch = torch
        self.Tensor = torch.Tensor
        for fname, mname in (
            ("cos", "cos"),
            ("sin", "sin"),
            ("exp", "exp"),
            ("log", "log"),
            ("sqrt", "sqrt"),
            ("tanh", "tanh"),
            ("expm1", "expm1"),
            ("log1p", "log1p"),
            ("floor", "floor"),
        ):
            setattr(self, fname, self._unary(getattr(torch, fname), getattr(math, mname)))

    def _unary(self, tfn: Any, mfn: Any) -> Any:
        tensor = self.Tensor

        def fn(x: Any) -> Any:
            return tfn(x) if isinstance(x, tensor) else mfn(x)

        return fn

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        if not isinstance(cond, self.Tensor):
            return a if cond else b
        return self.torch.where(cond, a, b)

    def _binary(self, tfn: Any, a: Any, b: Any, pick: Any) -> Any:
        t = self.Tensor
        if isinstance(a, t) or isinstance(b, t):
            like = a if isinstance(a, t) else b
            if not isinstance(a, t):
                a = self.torch.as_tensor(a, dtype=like.dtype, device=like.device)
            if not isinstance(b, t):
                b = self.torch.as_tensor(b, dtype=like.dtype, device=like.device)
            return tfn(a, b)
        return pick(a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        return self._binary(self.torch.minimum, a, b, _py_minimum)

    def maximum(self, a: Any, b: Any) -> Any:
        return self._binary(self.torch.maximum, a, b, _py_maximum)

    def clip(self, x: Any, lo: Any, hi: Any) -> Any:
        t = self.Tensor
        if isinstance(x, t) and not isinstance(lo, t) and not isinstance(hi, t):
            return self.torch.clamp(x, lo, hi)
        return self.minimum(self.maximum(x, lo), hi)

    def floor_div(self, a: Any, b: Any) -> Any:
        if isinstance(a, self.Tensor) or isinstance(b, self.Tensor):
            return self.torch.div(a, b, rounding_mode="floor")
        return a // b

    def rem(self, a: Any, b: Any) -> Any:
        if isinstance(a, self.Tensor) or isinstance(b, self.Tensor):
            return self.torch.fmod(a, b)
        return math.fmod(a, b)

    def cast_like(self, value: Any, like: Any) -> Any:
        if isinstance(like, self.Tensor) and hasattr(value, "dtype"):
            return self.torch.as_tensor(value, dtype=like.dtype, device=like.device)
        return value

    def adopt(self, value: Any, step: Any) -> Any:
        if _issubclass_fast(value.__class__, "numpy", "ndarray"):
            device = step.device if isinstance(step, self.Tensor) else None
            return self.torch.as_tensor(value, device=device)
        return value

    def indicator(self, cond: Any, like: Any) -> Any:
        if not isinstance(cond, self.Tensor):
            return 1.0 if cond else 0.0
        dtype = like.dtype if isinstance(like, self.Tensor) and like.is_floating_point() else None
        return cond.to(dtype or self.torch.get_default_dtype())

    def as_step(self, step: Any) -> Any:
        torch = self.torch
        if not isinstance(step, self.Tensor):
            step = torch.as_tensor(step)
        if step.is_floating_point():
            return step
        if step.dtype == torch.bool or step.is_complex():
            raise TypeError(f"`step` must hold real numbers. Received: step of dtype {step.dtype}.")
        # integer steps: float64 keeps every step exact up to 2**53 (mps has no float64)
        dtype = torch.float32 if step.device.type == "mps" else torch.float64
        return step.to(dtype)


python_ops: Ops = _PythonOps()

_FACTORIES = {"numpy": _NumpyOps, "jax": _JaxOps, "torch": _TorchOps}


@cache
def _namespace(name: str) -> Ops:
    if name == "python":
        return python_ops
    return _FACTORIES[name]()


@lru_cache(maxsize=256)
def _issubclass_fast(cls: type, modname: str, clsname: str) -> bool:
    """``issubclass(cls, modname.clsname)`` without importing ``modname``."""
    mod = sys.modules.get(modname)
    if mod is None:
        return False
    parent = getattr(mod, clsname, None)
    return parent is not None and issubclass(cls, parent)


def _is_tracer_cls(cls: type) -> bool:
    core = sys.modules.get("jax.core")
    tracer = getattr(core, "Tracer", None) if core is not None else None
    return tracer is not None and issubclass(cls, tracer)


def _backend_name(cls: type) -> str | None:
    """The namespace for values of type ``cls``, or None if no library handles it."""
    if cls is bool:
        return None
    if cls is int or cls is float:
        return "python"
    # numpy before Python numbers: np.float64 subclasses float
    if _issubclass_fast(cls, "numpy", "ndarray") or _issubclass_fast(cls, "numpy", "generic"):
        if _issubclass_fast(cls, "numpy", "bool_"):
            return None
        return "numpy"
    if _issubclass_fast(cls, "torch", "Tensor"):
        return "torch"
    if _issubclass_fast(cls, "jax", "Array") or _is_tracer_cls(cls):
        return "jax"
    if issubclass(cls, (int, float)) and not issubclass(cls, bool):
        return "python"
    return None


# type -> Ops (or None). Not an lru_cache so that the hot path is one dict lookup.
_BY_TYPE: dict[type, Ops | None] = {}


def _lookup(cls: type) -> Ops | None:
    try:
        return _BY_TYPE[cls]
    except KeyError:
        name = _backend_name(cls)
        ops = None if name is None else _namespace(name)
        # do not cache misses for types whose framework may be imported later
        if ops is not None or cls.__module__ in ("builtins",):
            _BY_TYPE[cls] = ops
        return ops


def ops_for_step(step: Any) -> Ops:
    """The namespace for a step value; raises ``TypeError`` for unsupported types."""
    ops = _BY_TYPE.get(step.__class__)
    if ops is None:
        ops = _lookup(step.__class__)
        if ops is None:
            raise _type_error(step)
    return ops


def ops_for_values(values: Iterable[Any]) -> Ops | None:
    """The namespace demanded by array-valued config, or None if all are plain.

    Strings, booleans, None and tuples (static options) are ignored. Raises
    ``TypeError`` if two device frameworks are mixed.
    """
    best: Ops | None = None
    for v in values:
        cls = v.__class__
        if cls is float or cls is int or cls is str or cls is bool or v is None or cls is tuple:
            continue
        ops = _lookup(cls)
        if ops is None or ops.rank == 0:
            continue
        best = ops if best is None else join_ops(best, ops)
    return best


def join_ops(a: Ops, b: Ops | None) -> Ops:
    """The namespace able to evaluate values from both ``a`` and ``b``."""
    if b is None or a is b:
        return a
    if a.rank == b.rank == 2:
        raise TypeError(
            f"Cannot mix {a.name} and {b.name} values in one schedule call; "
            "convert the config or the step to one framework."
        )
    return a if a.rank >= b.rank else b
