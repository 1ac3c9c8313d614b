"""Scalar specialisation: a bound schedule's kernel traced once into a plain Python function.

A :class:`~lrfuncs.Schedule` called with a Python ``int``/``float`` step evaluates
its kernel with the :mod:`math` operations of ``_dispatch``. Each of those is a
Python call (``where``, ``minimum``, a phase fraction...), which costs more than
the arithmetic itself. :func:`specialise` runs the kernel *once* on a symbolic
step with the config as constants, records every operation that depends on the
step, and writes them out as one Python function of ``t``: constants folded,
``where`` as a conditional expression (so only the branch taken is evaluated),
``minimum``/``maximum``/``clip`` as comparisons, ``math`` functions bound as
globals. The math still lives once, in the kernel; this is a mechanical
translation of the operations the kernel performs, in the same order, so the
result is bit-for-bit the kernel's (tested for every schedule).

A kernel that branches in Python on a step-dependent value (``if t < w``,
``float(t)``) cannot be traced: :func:`specialise` returns None and the schedule
keeps the generic path.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from ._dispatch import Ops

__all__ = ["specialise"]

_MATH = {
    "cos": math.cos,
    "sin": math.sin,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "expm1": math.expm1,
    "log1p": math.log1p,
    "floor": math.floor,
}

#: How deep single-use subexpressions are inlined (Python's parser limits nesting).
_MAX_DEPTH = 40


class Untraceable(Exception):
    """The kernel used a traced value in a way that needs its concrete value."""


class _Node:
    """One recorded operation: ``template`` formatted with ``args`` (other nodes, or constants as text)."""

    __slots__ = ("args", "name", "template", "uses")

    def __init__(self, name: str, template: str, args: tuple[Any, ...]) -> None:
        self.name = name
        self.template = template
        self.args = args
        self.uses = 0

    @property
    def deps(self) -> list[_Node]:
        return [a for a in self.args if isinstance(a, _Node)]


class _Trace:
    def __init__(self) -> None:
        self.nodes: list[_Node] = []
        self.consts: dict[str, Any] = {}

    def const(self, value: Any) -> str:
        cls = value.__class__
        if cls is bool:
            return "True" if value else "False"
        if cls is int or (cls is float and math.isfinite(value)):
            return f"({value!r})"
        name = f"_c{len(self.consts)}"  # inf, nan, and anything else: by reference
        self.consts[name] = value
        return name

    def emit(self, template: str, *args: Any) -> _Var:
        refs = tuple(a.node if isinstance(a, _Var) else self.const(a) for a in args)
        node = _Node(f"_t{len(self.nodes)}", template, refs)
        self.nodes.append(node)
        return _Var(self, node)


def _binary(template: str, op: Callable[[Any, Any], Any], reflected: bool = False) -> Any:
    def method(self: _Var, other: Any) -> Any:
        if isinstance(other, _Var) or other.__class__ in (int, float, bool):
            a, b = (other, self) if reflected else (self, other)
            return self.trace.emit(template, a, b)
        return NotImplemented

    return method


class _Var:
    """A step-dependent value during tracing."""

    __slots__ = ("node", "trace")

    def __init__(self, trace: _Trace, node: _Node) -> None:
        self.trace = trace
        self.node = node

    __add__ = _binary("({0} + {1})", operator.add)
    __radd__ = _binary("({0} + {1})", operator.add, True)
    __sub__ = _binary("({0} - {1})", operator.sub)
    __rsub__ = _binary("({0} - {1})", operator.sub, True)
    __mul__ = _binary("({0} * {1})", operator.mul)
    __rmul__ = _binary("({0} * {1})", operator.mul, True)
    __truediv__ = _binary("({0} / {1})", operator.truediv)
    __rtruediv__ = _binary("({0} / {1})", operator.truediv, True)
    __floordiv__ = _binary("({0} // {1})", operator.floordiv)
    __rfloordiv__ = _binary("({0} // {1})", operator.floordiv, True)
    __mod__ = _binary("({0} % {1})", operator.mod)
    __rmod__ = _binary("({0} % {1})", operator.mod, True)
    __pow__ = _binary("({0} ** {1})", operator.pow)
    __rpow__ = _binary("({0} ** {1})", operator.pow, True)
    __lt__ = _binary("({0} < {1})", operator.lt)
    __le__ = _binary("({0} <= {1})", operator.le)
    __gt__ = _binary("({0} > {1})", operator.gt)
    __ge__ = _binary("({0} >= {1})", operator.ge)
    __eq__ = _binary("({0} == {1})", operator.eq)  # type: ignore[assignment]
    __ne__ = _binary("({0} != {1})", operator.ne)  # type: ignore[assignment]
    __and__ = _binary("({0} & {1})", operator.and_)
    __rand__ = _binary("({0} & {1})", operator.and_, True)
    __or__ = _binary("({0} | {1})", operator.or_)
    __ror__ = _binary("({0} | {1})", operator.or_, True)
    __hash__ = None  # type: ignore[assignment]

    def __neg__(self) -> _Var:
        return self.trace.emit("(-{0})", self)

    def __pos__(self) -> _Var:
        return self.trace.emit("(+{0})", self)

    def __abs__(self) -> _Var:
        return self.trace.emit("abs({0})", self)

    def __invert__(self) -> _Var:
        return self.trace.emit("(~{0})", self)

    def __bool__(self) -> bool:
        raise Untraceable("a Python branch on the step")

    def __float__(self) -> float:
        raise Untraceable("float() of the step")

    def __int__(self) -> int:
        raise Untraceable("int() of the step")

    def __index__(self) -> int:
        raise Untraceable("index of the step")


class _TraceOps(Ops):
    """The Python-number operations (``_dispatch._PythonOps``), recorded instead of run."""

    name = "python"
    rank = 0

    def __init__(self, trace: _Trace) -> None:
        self.trace = trace
        for fname, fn in _MATH.items():
            setattr(self, fname, self._unary(fname, fn))

    def _unary(self, fname: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        trace = self.trace

        def op(x: Any) -> Any:
            return trace.emit(f"_{fname}({{0}})", x) if isinstance(x, _Var) else fn(x)

        return op

    def where(self, cond: Any, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not isinstance(cond, _Var):
            return a if cond else b
        return self.trace.emit("({1} if {0} else {2})", cond, a, b)

    def minimum(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not (isinstance(a, _Var) or isinstance(b, _Var)):
            return a if a <= b else b
        return self.trace.emit("({0} if {0} <= {1} else {1})", a, b)

    def maximum(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not (isinstance(a, _Var) or isinstance(b, _Var)):
            return a if a >= b else b
        return self.trace.emit("({0} if {0} >= {1} else {1})", a, b)

    def clip(self, x: Any, lo: Any, hi: Any) -> Any:  # type: ignore[override]
        if not any(isinstance(v, _Var) for v in (x, lo, hi)):
            return lo if x < lo else (hi if x > hi else x)
        return self.trace.emit("({1} if {0} < {1} else ({2} if {0} > {2} else {0}))", x, lo, hi)

    def indicator(self, cond: Any, like: Any) -> Any:  # type: ignore[override]
        if not isinstance(cond, _Var):
            return 1.0 if cond else 0.0
        return self.trace.emit("(1.0 if {0} else 0.0)", cond)

    def floor_div(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        return a // b

    def rem(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not (isinstance(a, _Var) or isinstance(b, _Var)):
            return math.fmod(a, b)
        return self.trace.emit("_fmod({0}, {1})", a, b)

    def as_step(self, step: Any) -> Any:  # pragma: no cover - never called on a traced step
        raise Untraceable("as_step")

    def finish(self, value: Any) -> Any:
        return value


def _inline(nodes: list[_Node], result: _Node, step: _Node) -> list[tuple[str, str]]:
    """Statements ``(name, expression)`` computing ``result``, single-use nodes inlined.

    A node used once is substituted into its user's expression, so that a
    conditional expression evaluates only the branch taken; nodes used more
    than once (or nested too deep) become assignments. Unused nodes are dropped.
    """
    live: set[int] = set()
    stack = [result]
    while stack:
        n = stack.pop()
        if id(n) in live or n is step:
            continue
        live.add(id(n))
        stack.extend(n.deps)
    order = [n for n in nodes if id(n) in live]
    for n in order:
        for i, a in enumerate(n.args):
            if isinstance(a, _Node):  # a template may use an argument twice (minimum, clip)
                a.uses += n.template.count(f"{{{i}}}")
    text: dict[int, str] = {id(step): "t"}
    depth: dict[int, int] = {id(step): 0}
    out: list[tuple[str, str]] = []
    for n in order:
        parts = [text[id(a)] if isinstance(a, _Node) else a for a in n.args]
        expr = n.template.format(*parts)
        d = 1 + max((depth[id(a)] for a in n.args if isinstance(a, _Node)), default=0)
        if n is result or n.uses > 1 or d >= _MAX_DEPTH:
            out.append((n.name, expr))
            text[id(n)], depth[id(n)] = n.name, 0
        else:
            text[id(n)], depth[id(n)] = expr, d
    return out


def specialise(kernel: Callable[..., Any], args: tuple[Any, ...]) -> Callable[[Any], Any] | None:
    """``kernel(python_ops, t, *args)`` as a plain Python function of ``t``, or None if untraceable."""
    trace = _Trace()
    step = _Var(trace, _Node("t", "t", ()))
    try:
        out = kernel(_TraceOps(trace), step, *args)
    except Exception:  # Untraceable, or anything a symbolic step cannot do: the generic path runs (and raises)
        return None
    if not isinstance(out, _Var):  # constant in t
        value = out
        return lambda t: value
    statements = _inline(trace.nodes, out.node, step.node)
    body = "".join(f"    {name} = {expr}\n" for name, expr in statements)
    source = f"def _specialised(t):\n{body}    return {out.node.name}\n"
    namespace: dict[str, Any] = {f"_{k}": v for k, v in _MATH.items()}
    namespace["_fmod"] = math.fmod
    namespace.update(trace.consts)
    try:
        code = compile(source, f"<lrfuncs scalar {getattr(kernel, '__name__', 'kernel')}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):  # pragma: no cover - pathological nesting
        return None
    exec(code, namespace)
    fn: Callable[[Any], Any] = namespace["_specialised"]
    fn.__doc__ = source
    return fn
