"""Schedules from text: ``parse("cosine_decay(peak_lr=0.1, total_steps=1000)")``, JSON and YAML files.

A *spec* is one of

* a call expression ``name(key=value, ...)`` naming a registered schedule
  (:func:`lrfuncs.registered`) or a friendly alias (:data:`ALIASES`), with
  keyword arguments only. Values are literals: numbers (also ``inf``, and
  ``+ - * /`` between numbers, e.g. ``total_steps=90*390``), strings, ``True``,
  ``False``, ``None``, lists, dicts, and nested calls for schedule-valued
  arguments (``with_warmup(inner=cosine_decay(peak_lr=1.0, total_steps=90), warmup_steps=5)``);
* a compat constructor ``ns.Name(key=value, ...)``: ``Name`` from the module
  ``lrfuncs.compat.<ns>`` (``torch.OneCycleLR(max_lr=0.1, total_steps=1000)``);
* a path ending in ``.json``, ``.yaml`` or ``.yml``: a file holding
  :meth:`lrfuncs.Schedule.to_dict`'s output (YAML needs pyyaml);
* inline JSON ``{"schedule": "cosine_decay", "peak_lr": 0.1, ...}``.

The expression is parsed with :mod:`ast` and only the forms above are
accepted: nothing is evaluated, imported (outside ``lrfuncs.compat``) or
looked up as an attribute. Every bad spec is a ``ValueError`` naming the bad
part: an unknown schedule (with close matches), an unknown argument, a value
that is not a literal, a syntax error (with its column).

:func:`unparse` writes a schedule back as a spec, so
``parse(unparse(s)) == s``.

>>> from lrfuncs.spec import parse, unparse
>>> s = parse("cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100_000)")
>>> s.name
'warmup_cosine'
>>> unparse(s)
'warmup_cosine(peak_lr=0.0003, warmup_steps=2000, total_steps=100000)'
>>> parse(unparse(s)) == s
True
"""

from __future__ import annotations

import ast
import difflib
import importlib
import json
import math
import operator
import pathlib
import pkgutil
from collections.abc import Callable, Mapping
from typing import Any

from ._schedule import Schedule, ScheduleFunction, registered

__all__ = ["ALIASES", "FILE_SUFFIXES", "compat_constructors", "load", "parse", "to_schedule", "unparse"]

#: Friendly names that are not registered schedules, each with the schedules it may mean, in order of
#: preference: the first one that accepts the given arguments is used. A registered name always wins.
#:
#: ==========================  ===========================================================
#: alias                       schedule(s)
#: ==========================  ===========================================================
#: ``cosine``                  ``warmup_cosine`` (with ``warmup_steps``), else ``cosine_decay``
#: ``cosine_with_warmup``      ``warmup_cosine``
#: ``linear_with_warmup``      ``warmup_linear``
#: ``constant_with_warmup``    ``warmup_constant``
#: ``one_cycle``, ``1cycle``   ``onecycle`` (``1cycle`` only in a file's ``schedule`` key)
#: ``sgdr``                    ``cosine_restarts``
#: ``step``                    ``step_decay``
#: ``multistep``               ``multistep_decay``
#: ==========================  ===========================================================
ALIASES: dict[str, tuple[str, ...]] = {
    "cosine": ("warmup_cosine", "cosine_decay"),
    "cosine_with_warmup": ("warmup_cosine",),
    "linear_with_warmup": ("warmup_linear",),
    "constant_with_warmup": ("warmup_constant",),
    "one_cycle": ("onecycle",),
    "1cycle": ("onecycle",),
    "sgdr": ("cosine_restarts",),
    "step": ("step_decay",),
    "multistep": ("multistep_decay",),
}

#: File name endings read by :func:`load` (and by :func:`parse` when a spec ends with one).
FILE_SUFFIXES = (".json", ".yaml", ".yml")

#: Longest spec text accepted (a guard against pathological input).
MAX_SPEC_LENGTH = 100_000

_NAMED_NUMBERS = {"inf": math.inf, "nan": math.nan}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class _SpecError(ValueError):
    """A ValueError raised while evaluating a node (the caller adds the spec text)."""


# ------------------------------------------------------------------------------------------------ public API


def parse(spec: str) -> Schedule[Any]:
    """The schedule described by ``spec`` (see the module docstring for the forms accepted).

    >>> parse("step_decay(peak_lr=0.1, step_size=30)")(30)
    0.010000000000000002
    >>> parse('{"schedule": "cosine_decay", "peak_lr": 1.0, "total_steps": 10}')(5)
    0.5
    >>> parse("cosine_decay(peak_lr=1.0, total_step=10)")
    Traceback (most recent call last):
    ...
    ValueError: In `cosine_decay(...)`: cosine_decay() got an unexpected keyword argument `total_step`. \
Did you mean `total_steps`? ...

    Raises:
      ValueError: for every bad spec, naming the bad part.
      TypeError: if ``spec`` is not a string.
    """
    if not isinstance(spec, str):
        raise TypeError(f"A schedule spec must be a string. Received: {type(spec).__name__}")
    text = spec.strip()
    if not text:
        raise ValueError("Empty schedule spec: expected e.g. `cosine_decay(peak_lr=0.1, total_steps=1000)`.")
    if text.lower().endswith(FILE_SUFFIXES):
        return load(text)
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"Invalid inline JSON schedule spec at column {e.colno}: {e.msg}.") from None
        return _from_mapping(data, "inline JSON")
    if len(text) > MAX_SPEC_LENGTH:
        raise ValueError(f"Schedule spec too long: {len(text)} characters (at most {MAX_SPEC_LENGTH}).")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        col = e.offset or 0
        line = text.splitlines()[(e.lineno or 1) - 1] if text else ""
        where = f"line {e.lineno}, " if "\n" in text else ""
        lo = max(0, col - 60)  # a window of the line around the column
        caret = " " * (2 + max(col, 1) - 1 - lo) + "^"
        raise ValueError(
            f"Cannot parse schedule spec: {e.msg} at {where}column {col}:\n  {line[lo:lo + 120]}\n{caret}"
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ValueError("Cannot parse schedule spec: too deeply nested or not valid text.") from None
    body = tree.body
    if isinstance(body, ast.Name):  # a bare name: a schedule with no arguments
        body = ast.Call(func=body, args=[], keywords=[])
    if not isinstance(body, ast.Call):
        raise ValueError(
            f"A schedule spec must be a call such as `cosine_decay(peak_lr=0.1, total_steps=1000)`. "
            f"Received: {text!r}"
        )
    try:
        return _call(body, text)
    except _SpecError as e:
        raise ValueError(str(e)) from None
    except RecursionError:
        raise ValueError("Cannot parse schedule spec: too deeply nested.") from None


def load(path: str | pathlib.Path) -> Schedule[Any]:
    """The schedule stored in a JSON or YAML file (:meth:`lrfuncs.Schedule.to_dict`'s output).

    The file holds a mapping ``{"schedule": name, **config}``; nested schedules
    (composites) are nested mappings. YAML is read with pyyaml (``yaml.safe_load``),
    imported only here.

    Raises:
      ValueError: a missing file, a file that is not valid JSON/YAML, or a bad schedule in it.
      ImportError: a YAML file without pyyaml installed.
    """
    p = pathlib.Path(path)
    suffix = p.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise ValueError(f"A schedule file must end in {', '.join(FILE_SUFFIXES)}. Received: {str(path)!r}")
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"Schedule file not found: {str(path)!r}") from None
    except OSError as e:
        raise ValueError(f"Cannot read schedule file {str(path)!r}: {e.strerror or e}") from None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"Invalid JSON in {str(path)!r} at line {e.lineno}, column {e.colno}: {e.msg}.") from None
    else:
        try:
            import yaml
        except ImportError:
            raise ImportError(
                f"Reading the YAML file {str(path)!r} needs pyyaml: `pip install pyyaml` (or use JSON)."
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise ValueError(f"Invalid YAML in {str(path)!r}: {e}") from None
    return _from_mapping(data, repr(str(path)))


def to_schedule(value: Any) -> Schedule[Any]:
    """``value`` as a :class:`~lrfuncs.Schedule`: a Schedule itself, a spec string (:func:`parse`) or a dict."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, Mapping):
        return _from_mapping(value, "the schedule dict")
    if hasattr(value, "spec") and hasattr(value, "bind"):
        name = value.__name__
        raise TypeError(f"{name} is a schedule function: bind its config first, e.g. {name}.bind(...)")
    raise TypeError(
        "Expected a lrfuncs Schedule, a spec string such as 'cosine_decay(peak_lr=0.1, total_steps=1000)' "
        f"or a schedule dict. Received: {type(value).__name__}"
    )


def unparse(schedule: Schedule[Any], *, defaults: bool = False) -> str:
    """``schedule`` as a spec string that :func:`parse` reads back to an equal schedule.

    Config equal to the schedule function's default is left out unless ``defaults=True``.
    Nested schedules are written as nested calls, arrays as (nested) lists.

    >>> import lrfuncs
    >>> unparse(lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=1000, anneal="linear"))
    "onecycle(peak_lr=0.1, total_steps=1000, anneal='linear')"
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"unparse needs a lrfuncs Schedule. Received: {type(schedule).__name__}")
    spec_defaults = schedule.fn.spec.defaults
    parts = []
    for name, value in schedule.config.items():
        if not defaults and name in spec_defaults and _same(value, spec_defaults[name]):
            continue
        parts.append(f"{name}={_format_value(value)}")
    return f"{schedule.name}({', '.join(parts)})"


def compat_constructors() -> dict[str, list[str]]:
    """The compat constructors ``ns.Name`` available to :func:`parse`, by namespace (``{"torch": [...]}``).

    Empty when ``lrfuncs.compat`` does not exist; a namespace whose module
    fails to import is listed with no constructors.
    """
    try:
        package = importlib.import_module("lrfuncs.compat")
    except ImportError:
        return {}
    out: dict[str, list[str]] = {}
    for info in sorted(pkgutil.iter_modules(getattr(package, "__path__", [])), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"lrfuncs.compat.{info.name}")
        except Exception:  # a compat module whose framework is missing: listed, without constructors
            out[info.name] = []
            continue
        out[info.name] = sorted(n for n in _public_names(module) if callable(getattr(module, n, None)))
    return out


# ------------------------------------------------------------------------------------------------ internals


def _from_mapping(data: Any, where: str) -> Schedule[Any]:
    if not isinstance(data, Mapping):
        raise ValueError(
            f"A schedule in {where} must be a mapping such as {{\"schedule\": \"cosine_decay\", \"peak_lr\": 0.1, "
            f"\"total_steps\": 1000}}. Received: {type(data).__name__}"
        )
    if "schedule" not in data:
        raise ValueError(f"A schedule in {where} needs a 'schedule' key naming the schedule. Keys: {sorted(data)}")
    name = data["schedule"]
    if not isinstance(name, str):
        raise ValueError(f"The 'schedule' key in {where} must name a schedule. Received: {name!r}")
    config = {k: v for k, v in data.items() if k != "schedule"}
    fn = _resolve_name(name, config)
    try:
        return Schedule(fn, **config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"In {where} ({name}): {e}") from None


def _public_names(module: Any) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names if not n.startswith("_")]


def _known_names() -> list[str]:
    reg = registered()
    return sorted({*reg, *(a for a, targets in ALIASES.items() if any(t in reg for t in targets))})


def _resolve_name(name: str, kwargs: Mapping[str, Any]) -> ScheduleFunction[Any]:
    """The schedule function for ``name``: registered first, then an alias (the first target that fits)."""
    reg = registered()
    if name in reg:
        return reg[name]
    targets = [reg[t] for t in ALIASES.get(name, ()) if t in reg]
    if targets:
        keys = set(kwargs)
        for fn in targets:
            spec = fn.spec
            if keys <= spec.names and set(spec.required) <= keys:
                return fn
        return targets[0]
    close = difflib.get_close_matches(name, _known_names(), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise _SpecError(
        f"Unknown schedule {name!r}.{hint} Run `lrfuncs list` (or see lrfuncs.registered()) for the schedules; "
        f"aliases: {', '.join(sorted(ALIASES))}."
    )


def _describe(node: ast.AST, text: str) -> str:
    segment = ast.get_source_segment(text, node)
    return segment if segment is not None else type(node).__name__


def _call(node: ast.Call, text: str) -> Schedule[Any]:
    func = node.func
    where = _describe(func, text)
    if isinstance(func, ast.Name):
        if func.id not in registered() and not any(t in registered() for t in ALIASES.get(func.id, ())):
            _resolve_name(func.id, {})  # raises: unknown schedule, with close matches
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id.startswith("_") or func.attr.startswith("_"):
            raise _SpecError(f"`{where}` is not a compat constructor (private names are not allowed).")
    else:
        raise _SpecError(
            f"`{where}` is not a schedule name: expected `name(...)` or a compat constructor `namespace.Name(...)`."
        )
    if node.args:
        raise _SpecError(
            f"In `{where}(...)`: positional argument `{_describe(node.args[0], text)}` is not allowed; "
            "write every argument as name=value."
        )
    kwargs: dict[str, Any] = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise _SpecError(f"In `{where}(...)`: `**{_describe(kw.value, text)}` is not allowed; write name=value.")
        kwargs[kw.arg] = _value(kw.value, text, f"{where}(...)", kw.arg)
    if isinstance(func, ast.Name):
        fn = _resolve_name(func.id, kwargs)
        try:
            return Schedule(fn, **kwargs)
        except (TypeError, ValueError) as e:
            raise _SpecError(f"In `{func.id}(...)`: {e}") from None
    assert isinstance(func, ast.Attribute)
    assert isinstance(func.value, ast.Name)
    return _compat_call(func.value.id, func.attr, kwargs)


def _compat_call(ns: str, attr: str, kwargs: dict[str, Any]) -> Schedule[Any]:
    label = f"{ns}.{attr}"
    module_name = f"lrfuncs.compat.{ns}"  # ns is an identifier: only modules inside lrfuncs.compat
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name not in (module_name, "lrfuncs.compat"):
            raise _SpecError(f"`{label}(...)` needs {e.name}, which is not installed.") from None
        available = compat_constructors()
        known = ", ".join(sorted(available)) or "none installed"
        close = difflib.get_close_matches(ns, sorted(available), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        msg = f"Unknown compat namespace {ns!r} in `{label}(...)`.{hint} Known namespaces: {known}."
        raise _SpecError(msg) from None
    except ImportError as e:
        raise _SpecError(f"Cannot import {module_name} for `{label}(...)`: {e}") from None
    names = _public_names(module)
    ctor = getattr(module, attr, None) if attr in names else None
    if ctor is None or not callable(ctor):
        close = difflib.get_close_matches(attr, names, n=3)
        hint = f" Did you mean {', '.join(repr(f'{ns}.{c}') for c in close)}?" if close else ""
        raise _SpecError(f"Unknown compat constructor `{label}`.{hint} {module_name} has: {', '.join(names)}.")
    try:
        result = ctor(**kwargs)
    except (TypeError, ValueError) as e:
        raise _SpecError(f"In `{label}(...)`: {e}") from None
    if not isinstance(result, Schedule):
        raise _SpecError(f"`{label}(...)` returned a {type(result).__name__}, not a lrfuncs Schedule.")
    return result


def _value(node: ast.AST, text: str, where: str, arg: str) -> Any:
    """A literal value (or a nested schedule call) of argument ``arg``; _SpecError for anything else."""
    if isinstance(node, ast.Constant):
        v = node.value
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
    elif isinstance(node, ast.Call):
        return _call(node, text)
    elif isinstance(node, (ast.List, ast.Tuple)):
        return [_value(e, text, where, arg) for e in node.elts]
    elif isinstance(node, ast.Dict):
        out = {}
        for k, val in zip(node.keys, node.values, strict=True):
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                raise _SpecError(f"In `{where}`: argument `{arg}` has a dict key that is not a string literal.")
            out[k.value] = _value(val, text, where, arg)
        return out
    elif isinstance(node, ast.Name) and node.id in _NAMED_NUMBERS:
        return _NAMED_NUMBERS[node.id]
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        x = _value(node.operand, text, where, arg)
        if _is_number(x):
            return -x if isinstance(node.op, ast.USub) else +x
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        a, b = _value(node.left, text, where, arg), _value(node.right, text, where, arg)
        if _is_number(a) and _is_number(b):
            try:
                return _BINARY[type(node.op)](a, b)
            except ZeroDivisionError:
                raise _SpecError(f"In `{where}`: argument `{arg}` divides by zero.") from None
    raise _SpecError(
        f"In `{where}`: the value of argument `{arg}` is not a literal: `{_describe(node, text)}`. "
        "Allowed: numbers (with + - * /), strings, True/False/None, lists, dicts and schedule calls."
    )


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b) or not isinstance(a, (int, float, str, bool, tuple, type(None))):
        return False  # arrays, schedules: always written out
    return bool(a == b)


def _format_value(value: Any) -> str:
    if isinstance(value, Schedule):
        return unparse(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_format_value(x) for x in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {_format_value(x)}" for k, x in value.items()) + "}"
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if hasattr(value, "tolist"):  # numpy / torch / JAX arrays and numpy scalars
        return _format_value(value.tolist())
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return repr(f)
    return repr(value)
