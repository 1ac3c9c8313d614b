"""How a schedule is declared, called, bound to its config, and looked up by name.

A schedule's math is a *kernel* ``kernel(xp, t, /, peak_lr, ..., option=default)``:
``xp`` is the operations namespace of the value's library (see ``_dispatch``)
and ``t`` the step as a float value of that library. :func:`schedule` turns a
kernel and its config check into the public function ``name(step, /, **config)``
(config keyword-only), which validates the config, picks the namespace from
the *types* of ``step`` and the config, and evaluates the kernel.

Kernels declare their config as plain parameters (not keyword-only) so that a
bound :class:`Schedule` can pass it positionally: binding ten keywords costs
more than the whole formula on a Python float. Only the public function, whose
signature is keyword-only, is API.

:class:`Schedule` is a schedule function bound to one config: validated once,
callable on every backend, picklable, comparable and convertible to a plain
dict (for checkpoints, JSON and torch ``state_dict``).
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast

from ._dispatch import Ops, join_ops, ops_for_step, ops_for_values, python_ops
from ._scalar import specialise

__all__ = ["Schedule", "ScheduleFunction", "schedule", "get_schedule", "registered"]

P = ParamSpec("P")
R = TypeVar("R")
Check = Callable[[Mapping[str, Any]], None]
#: ``config -> [(label, step), ...]``: where a schedule's phases change, for plots and the linter.
#: The label ``"end"`` marks the horizon: the planned end of the run (``total_steps``), from which the
#: value holds. Schedules with no planned length (constant after warmup, step decay) have no ``"end"``.
Landmarks = Callable[[Mapping[str, Any]], Sequence[tuple[str, float]]]

_REGISTRY: dict[str, ScheduleFunction[Any]] = {}
_INF = float("inf")


class ScheduleFunction(Protocol[P]):
    """The type of a public schedule function such as :func:`lrfuncs.warmup_cosine`."""

    __name__: str
    __doc__: str | None
    spec: _Spec

    def __call__(self, step: Any, /, *args: P.args, **kwargs: P.kwargs) -> Any: ...

    def bind(self, *args: P.args, **kwargs: P.kwargs) -> Schedule: ...


class _Spec:
    """What lrfuncs knows about one schedule: its kernel, config names, defaults and check."""

    __slots__ = (
        "check", "defaults", "kernel", "landmarks", "name", "names", "order", "required", "sequences", "signature"
    )

    def __init__(self, kernel: Callable[..., Any], check: Check, landmarks: Landmarks | None = None) -> None:
        sig = inspect.signature(kernel)
        params = list(sig.parameters.values())
        if len(params) < 2 or any(p.kind is not p.POSITIONAL_ONLY for p in params[:2]):
            raise TypeError(f"kernel {kernel.__name__} must start with (xp, t, /, ...)")
        config = params[2:]
        if any(p.kind is not p.POSITIONAL_OR_KEYWORD for p in config):
            raise TypeError(f"kernel {kernel.__name__}: config must follow `/` as plain parameters")
        if any(p.name == "schedule" for p in config):
            raise TypeError(
                f"kernel {kernel.__name__}: the config name `schedule` is reserved (it is the to_dict key naming "
                "the schedule); call a wrapped schedule `inner` and a list of them `schedules`"
            )
        self.name = kernel.__name__
        self.kernel = kernel
        self.check = check
        self.landmarks = landmarks
        self.order = tuple(p.name for p in config)
        # config that is a sequence by nature (milestones): a list is stored as a tuple
        self.sequences = frozenset(p.name for p in config if "Sequence" in str(p.annotation))
        self.names = frozenset(self.order)
        self.required = tuple(p.name for p in config if p.default is p.empty)
        self.defaults = {p.name: p.default for p in config if p.default is not p.empty}
        step = inspect.Parameter("step", inspect.Parameter.POSITIONAL_ONLY, annotation="StepLike")
        public = [p.replace(kind=p.KEYWORD_ONLY) for p in config]
        self.signature = sig.replace(parameters=[step, *public])

    def complete(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """Config with defaults filled in; TypeError for unknown or missing names."""
        unknown = config.keys() - self.names
        if unknown:
            bad = sorted(unknown)[0]
            close = difflib.get_close_matches(bad, sorted(self.names), n=1)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            raise TypeError(
                f"{self.name}() got an unexpected keyword argument `{bad}`.{hint} "
                f"Its arguments are: {', '.join(sorted(self.names))}."
            )
        missing = [n for n in self.required if n not in config]
        if missing:
            raise TypeError(
                f"{self.name}() is missing required keyword argument(s): {', '.join(f'`{m}`' for m in missing)}."
            )
        full = {}
        for name in self.order:  # declaration order, so repr and to_dict read naturally
            v = config[name] if name in config else self.defaults[name]
            if isinstance(v, Mapping) and "schedule" in v:  # a nested schedule from to_dict (composites)
                v = Schedule.from_dict(v)
            elif isinstance(v, (list, tuple)) and name in self.sequences:
                v = tuple(Schedule.from_dict(x) if isinstance(x, Mapping) and "schedule" in x else x for x in v)
            elif isinstance(v, list):
                v = _array_from_list(name, v)
            full[name] = v
        return full

    def evaluate(self, step: Any, config: Mapping[str, Any], config_ops: Ops | None) -> Any:
        ops = step_ops = ops_for_step(step)
        if config_ops is not None:
            ops = join_ops(step_ops, config_ops)
            if step_ops is python_ops and ops is not python_ops:
                python_ops.as_step(step)  # a concrete step is always checked
            if config_ops is not ops:  # e.g. numpy config with a torch step
                config = {k: ops.adopt(v, step) for k, v in config.items()}
        return ops.finish(self.kernel(ops, ops.as_step(step), **config))


def schedule(
    check: Check, landmarks: Landmarks | None = None
) -> Callable[[Callable[Concatenate[Ops, Any, P], Any]], ScheduleFunction[P]]:
    """Declare a schedule from its kernel ``kernel(xp, t, /, **config)`` and config check.

    ``landmarks(config)``, if given, lists the steps where the schedule's phases
    change as ``(label, step)`` pairs (``"end"``: from there on the value holds);
    :meth:`Schedule.landmarks` returns them for plots and the linter.

    The returned public function has the signature ``name(step, /, **config)``,
    keeps the kernel's docstring, is registered under the kernel's name, and has
    ``.bind(**config)`` returning a :class:`Schedule`.
    """

    def decorate(kernel: Callable[Concatenate[Ops, Any, P], Any]) -> ScheduleFunction[P]:
        spec = _Spec(kernel, check, landmarks)

        def public(step: Any, /, **config: Any) -> Any:
            full = spec.complete(config)
            check(full)
            return spec.evaluate(step, full, config_ops(full.values()))

        functools.update_wrapper(public, kernel)
        del public.__wrapped__  # type: ignore[attr-defined]  # the kernel's (xp, t) signature is internal
        public.__signature__ = spec.signature  # type: ignore[attr-defined]
        public.spec = spec  # type: ignore[attr-defined]
        public.bind = functools.partial(Schedule, public)  # type: ignore[attr-defined,arg-type]
        if spec.name in _REGISTRY:
            raise ValueError(f"a schedule named {spec.name!r} is already registered")
        function = cast("ScheduleFunction[P]", public)
        _REGISTRY[spec.name] = function
        return function

    return decorate


def registered() -> dict[str, ScheduleFunction[Any]]:
    """All schedule functions by name."""
    return dict(_REGISTRY)


def get_schedule(name: str) -> ScheduleFunction[Any]:
    """The schedule function registered as ``name``; ValueError naming close matches otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, sorted(_REGISTRY), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"Unknown schedule {name!r}.{hint} Known schedules: {', '.join(sorted(_REGISTRY))}."
        ) from None


class Schedule(Generic[P]):
    """A schedule function bound to one validated config: ``s(step) -> lr``.

    Callable on Python numbers, numpy, JAX (also under ``jit``/``vmap``/``grad``)
    and torch values exactly like the function it binds; picklable by
    reference to the function; equal to another ``Schedule`` with the same
    function and config; and convertible to a plain dict with :meth:`to_dict`.

    >>> import lrfuncs
    >>> s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=100)
    >>> s(50)
    0.05000000000000001
    >>> lrfuncs.Schedule.from_dict(s.to_dict()) == s
    True
    """

    __slots__ = ("__weakref__", "_args", "_config", "_config_ops", "_fn", "_kernel", "_scalar")
    _fn: ScheduleFunction[P]
    _config: dict[str, Any]
    _config_ops: Ops | None
    _kernel: Callable[..., Any]
    _args: tuple[Any, ...]
    _scalar: Callable[[Any], Any] | None

    def __init__(self, fn: ScheduleFunction[P], /, **config: Any) -> None:
        spec = getattr(fn, "spec", None)
        if not isinstance(spec, _Spec):
            raise TypeError(f"Schedule() needs an lrfuncs schedule function, got {fn!r}")
        full = spec.complete(config)
        spec.check(full)
        object.__setattr__(self, "_fn", fn)
        object.__setattr__(self, "_config", full)
        object.__setattr__(self, "_config_ops", config_ops(full.values()))
        object.__setattr__(self, "_kernel", spec.kernel)
        object.__setattr__(self, "_args", tuple(full[n] for n in spec.order))
        object.__setattr__(self, "_scalar", None)  # the kernel specialised for Python numbers, on first use

    def __call__(self, step: Any) -> Any:
        cls = step.__class__
        if (cls is int or cls is float) and 0 <= step < _INF:  # the scalar fast path (NaN and < 0 fall through)
            scalar = self._scalar
            if scalar is not None:
                return scalar(step)
            if self._config_ops is None:
                return self._specialise()(step)
        return self._fn.spec.evaluate(step, self._config, self._config_ops)  # checks the step, raises

    def _specialise(self) -> Callable[[Any], float]:
        """The kernel traced into a plain Python function of the step (``_scalar``), or the kernel itself.

        Only for plain-number config; it returns a Python float for an int or
        float step (an int step is used as is: the arithmetic converts it
        exactly as ``float()`` would).
        """
        fn = specialise(self._kernel, self._args)
        if fn is None:  # the kernel branches on the step in Python: keep the generic path
            kernel, args = self._kernel, self._args

            def fn(t: Any) -> float:
                return float(kernel(python_ops, t, *args))

        object.__setattr__(self, "_scalar", fn)
        return fn

    def evaluate(self, xp: Ops, t: Any) -> Any:
        """The kernel on a step ``t`` already converted by ``xp`` (for composites: no dispatch, no checks).

        ``t`` must be >= 0; a composite passes its children the local time of their phase.
        """
        args = self._args
        if self._config_ops is not None and self._config_ops is not xp:
            args = tuple(xp.adopt(a, t) for a in args)
        return self._kernel(xp, t, *args)

    def landmarks(self) -> list[tuple[str, float]]:
        """Where the phases change, as ``(label, step)`` pairs in step order (concrete config only).

        ``"end"`` labels the horizon: the planned end of the run, from which the
        value holds. Schedules with no planned length (step decay, constant after
        warmup, periodic cosine) have no ``"end"``.

        >>> import lrfuncs
        >>> lrfuncs.warmup_cosine.bind(peak_lr=1.0, warmup_steps=10, total_steps=100).landmarks()
        [('warmup end', 10.0), ('end', 100.0)]
        """
        marks = self._fn.spec.landmarks
        if marks is None:
            return []
        return sorted(((label, float(step)) for label, step in marks(self._config)), key=lambda m: m[1])

    @property
    def horizon(self) -> float | None:
        """The step where the planned run ends (the ``"end"`` landmark), or None for open-ended schedules."""
        ends = [step for label, step in self.landmarks() if label == "end"]
        return ends[-1] if ends else None

    @property
    def fn(self) -> ScheduleFunction[P]:
        """The schedule function."""
        return self._fn

    @property
    def name(self) -> str:
        return self._fn.spec.name

    @property
    def config(self) -> Mapping[str, Any]:
        """The full config, defaults included (read-only)."""
        return MappingProxyType(self._config)

    def replace(self, **changes: Any) -> Schedule[P]:
        """A copy with some config values changed (validated again)."""
        return Schedule(self._fn, **{**self._config, **changes})

    def to_dict(self) -> dict[str, Any]:
        """``{"schedule": name, **config}`` with plain Python values (tuples become lists).

        Array-valued config is converted with ``.tolist()``.
        """
        return {"schedule": self.name, **{k: _plain(v) for k, v in self._config.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schedule[Any]:
        """The schedule described by :meth:`to_dict`'s output."""
        if "schedule" not in data:
            raise ValueError(f"A schedule dict needs a 'schedule' key naming the schedule. Received: {dict(data)!r}")
        config = {k: v for k, v in data.items() if k != "schedule"}
        return cls(get_schedule(data["schedule"]), **config)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebind, (self._fn, dict(self._config)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Schedule is immutable; use .replace(**changes)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Schedule is immutable; use .replace(**changes)")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        if self._fn is not other._fn or self._config.keys() != other._config.keys():
            return False
        for k, v in self._config.items():
            w = other._config[k]
            if v is w:
                continue
            try:
                same = bool(v == w)
            except (TypeError, ValueError):  # arrays: compare elementwise
                same = _arrays_equal(v, w)
            if not same:
                return False
        return True

    def __hash__(self) -> int:
        return hash((self.name, tuple((k, _hash_key(v)) for k, v in self._config.items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config.items())
        return f"{self.name}.bind({args})"


def _plain(value: Any) -> Any:
    """A config value as plain data: schedules as dicts, tuples as lists, arrays as nested lists."""
    if isinstance(value, Schedule):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(x) for x in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def config_ops(values: Iterable[Any]) -> Ops | None:
    """The namespace demanded by array-valued config, nested schedules' config included."""
    plain: list[Any] = []
    nested: list[Ops] = []
    for v in values:
        if isinstance(v, Schedule):
            if v._config_ops is not None:
                nested.append(v._config_ops)
        elif v.__class__ is tuple and any(isinstance(x, Schedule) for x in v):
            nested.extend(x._config_ops for x in v if isinstance(x, Schedule) and x._config_ops is not None)
        else:
            plain.append(v)
    ops = ops_for_values(plain)
    for other in nested:
        ops = other if ops is None else join_ops(ops, other)
    return ops


def _hash_key(value: Any) -> Any:
    """``value`` if hashable, else its shape (arrays: equal arrays have equal shapes)."""
    try:
        hash(value)
    except TypeError:
        return ("<array>", tuple(getattr(value, "shape", ())))
    return value


def _array_from_list(name: str, value: list[Any]) -> Any:
    """A nested list (``to_dict`` of array config) back as a numpy array."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is needed only for array config
        raise TypeError(f"Argument `{name}` is a list; array-valued config needs numpy installed") from None
    return np.asarray(value, dtype=float)


def _rebind(fn: ScheduleFunction[Any], config: dict[str, Any]) -> Schedule[Any]:
    return Schedule(fn, **config)


def _arrays_equal(a: Any, b: Any) -> bool:
    try:
        import numpy as np

        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except Exception:  # pragma: no cover - exotic array types
        return False
