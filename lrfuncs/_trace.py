"""Tracing a bound schedule's kernel into a graph of operations on the step.

A kernel ``kernel(xp, t, *config)`` is run *once* with a symbolic step and the
config as constants. Every operation that involves the step is recorded as a
:class:`Node` (an operation name and its arguments: other nodes or constants);
everything that involves only config is computed on the spot by the real
operations of the backend being imitated, so it appears in the graph as a
constant. The graph is then written out as code by an emitter:

* ``lrfuncs/_scalar.py``: a plain Python function for Python-number steps;
* ``lrfuncs/backends/_numpy_program.py``: in-place numpy code for curves.

The math still lives once, in the kernel: an emitter translates the operations
the kernel performs, in the same order, so its results are the kernel's.

A kernel that needs the concrete step (``if t < w``, ``float(t)``, an attribute
the tracer lacks) cannot be traced: :func:`trace` returns None and the caller
keeps the kernel.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from ._dispatch import Ops

__all__ = ["ARITHMETIC", "COMPARISONS", "UNARY_MATH", "Graph", "Node", "trace"]

#: the elementwise functions of ``Ops`` recorded by name
UNARY_MATH = ("cos", "sin", "exp", "log", "sqrt", "tanh", "expm1", "log1p", "floor")
#: binary operators: name -> Python operator
ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
    "and": operator.and_,
    "or": operator.or_,
}
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}


class Untraceable(Exception):
    """The kernel used a traced value in a way that needs its concrete value."""


class Node:
    """One recorded operation: ``op`` applied to ``args`` (other nodes, or constants)."""

    __slots__ = ("args", "index", "op")

    def __init__(self, op: str, args: tuple[Any, ...], index: int) -> None:
        self.op = op
        self.args = args
        self.index = index

    @property
    def deps(self) -> list[Node]:
        return [a for a in self.args if isinstance(a, Node)]

    def __repr__(self) -> str:
        return f"_t{self.index} = {self.op}{self.args!r}"


class Graph:
    """The traced kernel: ``nodes`` in evaluation order, the ``step`` node, and the ``result``.

    ``result`` is a node, or a constant when the schedule does not depend on the step.
    """

    __slots__ = ("name", "nodes", "result", "step")

    def __init__(self, name: str, nodes: list[Node], step: Node, result: Any) -> None:
        self.name = name
        self.nodes = nodes
        self.step = step
        self.result = result

    def live(self, result: Node | None = None) -> list[Node]:
        """The nodes ``result`` (default: the graph's result) depends on, in evaluation order, step excluded."""
        root = self.result if result is None else result
        if not isinstance(root, Node):
            return []
        seen: set[int] = set()
        stack = [root]
        while stack:
            n = stack.pop()
            if n.index in seen or n is self.step:
                continue
            seen.add(n.index)
            stack.extend(n.deps)
        return [n for n in self.nodes if n.index in seen]


class _Recorder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []

    def emit(self, op: str, *args: Any) -> _Var:
        node = Node(op, tuple(a.node if isinstance(a, _Var) else a for a in args), len(self.nodes))
        self.nodes.append(node)
        return _Var(self, node)


_CONSTANT_TYPES = (int, float, bool)


def _binary(op: str, reflected: bool = False) -> Any:
    def method(self: _Var, other: Any) -> Any:
        if isinstance(other, _Var) or other.__class__ in _CONSTANT_TYPES:
            a, b = (other, self) if reflected else (self, other)
            return self.rec.emit(op, a, b)
        return NotImplemented

    return method


class _Var:
    """A step-dependent value during tracing."""

    __slots__ = ("node", "rec")

    def __init__(self, rec: _Recorder, node: Node) -> None:
        self.rec = rec
        self.node = node

    __add__ = _binary("add")
    __radd__ = _binary("add", True)
    __sub__ = _binary("sub")
    __rsub__ = _binary("sub", True)
    __mul__ = _binary("mul")
    __rmul__ = _binary("mul", True)
    __truediv__ = _binary("truediv")
    __rtruediv__ = _binary("truediv", True)
    __floordiv__ = _binary("floordiv")
    __rfloordiv__ = _binary("floordiv", True)
    __mod__ = _binary("mod")
    __rmod__ = _binary("mod", True)
    __pow__ = _binary("pow")
    __rpow__ = _binary("pow", True)
    __lt__ = _binary("lt")
    __le__ = _binary("le")
    __gt__ = _binary("gt")
    __ge__ = _binary("ge")
    __eq__ = _binary("eq")  # type: ignore[assignment]
    __ne__ = _binary("ne")  # type: ignore[assignment]
    __and__ = _binary("and")
    __rand__ = _binary("and", True)
    __or__ = _binary("or")
    __ror__ = _binary("or", True)
    __hash__ = None  # type: ignore[assignment]

    def __neg__(self) -> _Var:
        return self.rec.emit("neg", self)

    def __pos__(self) -> _Var:
        return self.rec.emit("pos", self)

    def __abs__(self) -> _Var:
        return self.rec.emit("abs", self)

    def __invert__(self) -> _Var:
        return self.rec.emit("invert", self)

    def __bool__(self) -> bool:
        raise Untraceable("a Python branch on the step")

    def __float__(self) -> float:
        raise Untraceable("float() of the step")

    def __int__(self) -> int:
        raise Untraceable("int() of the step")

    def __index__(self) -> int:
        raise Untraceable("index of the step")

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise Untraceable("the step as an array")


def _plain(value: Any) -> Any:
    """A numpy scalar or 0-d array computed from constants, as the Python number it holds (exactly)."""
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "ndim", None) == 0:
        return item()
    return value


def _is_var(*values: Any) -> bool:
    return any(isinstance(v, _Var) for v in values)


class _TraceOps(Ops):
    """The operations of ``real`` (Python numbers or numpy), recorded where they involve the step.

    Operations on constants only are computed by ``real``, so a constant in the
    graph is exactly what the imitated backend computes. ``name`` is the
    imitated backend's, for a kernel that takes a different (same-valued)
    formula on arrays than on Python numbers.
    """

    def __init__(self, rec: _Recorder, real: Ops) -> None:
        self.rec = rec
        self.real = real
        self.name = real.name
        self.rank = real.rank
        for fname in UNARY_MATH:
            setattr(self, fname, self._unary(fname, getattr(real, fname)))

    def _unary(self, fname: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        rec = self.rec

        def op(x: Any) -> Any:
            return rec.emit(fname, x) if isinstance(x, _Var) else _plain(fn(x))

        return op

    def where(self, cond: Any, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not isinstance(cond, _Var):
            if _is_var(a, b):  # a constant condition selects a branch (elementwise, the same values)
                return a if cond else b
            return _plain(self.real.where(cond, a, b))
        return self.rec.emit("where", cond, a, b)

    def minimum(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not _is_var(a, b):
            return _plain(self.real.minimum(a, b))
        return self.rec.emit("minimum", a, b)

    def maximum(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not _is_var(a, b):
            return _plain(self.real.maximum(a, b))
        return self.rec.emit("maximum", a, b)

    def clip(self, x: Any, lo: Any, hi: Any) -> Any:  # type: ignore[override]
        if not _is_var(x, lo, hi):
            return _plain(self.real.clip(x, lo, hi))
        return self.rec.emit("clip", x, lo, hi)

    def indicator(self, cond: Any, like: Any) -> Any:  # type: ignore[override]
        if not isinstance(cond, _Var):
            return 1.0 if cond else 0.0
        return self.rec.emit("indicator", cond)

    def floor_div(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not _is_var(a, b):
            return _plain(self.real.floor_div(a, b))
        return self.rec.emit("floordiv", a, b)

    def rem(self, a: Any, b: Any) -> Any:  # type: ignore[override]
        if not _is_var(a, b):
            return _plain(self.real.rem(a, b))
        return self.rec.emit("rem", a, b)

    def as_step(self, step: Any) -> Any:  # pragma: no cover - never called on a traced step
        raise Untraceable("as_step")

    def finish(self, value: Any) -> Any:
        return value


def trace(kernel: Callable[..., Any], args: tuple[Any, ...], real: Ops) -> Graph | None:
    """``kernel(real, t, *args)`` as a :class:`Graph` of operations on ``t``, or None if untraceable."""
    rec = _Recorder()
    step = rec.emit("step")
    try:
        out = kernel(_TraceOps(rec, real), step, *args)
    except Exception:  # Untraceable, or anything a symbolic step cannot do: the caller keeps the kernel
        return None
    result = out.node if isinstance(out, _Var) else _plain(out)
    return Graph(getattr(kernel, "__name__", "kernel"), rec.nodes, step.node, result)
