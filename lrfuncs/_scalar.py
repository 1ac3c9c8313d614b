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

The tracing itself is ``lrfuncs/_trace.py``. A kernel that branches in Python on
a step-dependent value (``if t < w``, ``float(t)``) cannot be traced:
:func:`specialise` returns None and the schedule keeps the generic path.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._dispatch import python_ops
from ._trace import UNARY_MATH, Graph, Node, trace

__all__ = ["specialise"]

#: the math functions the kernel's Python operations use (``_dispatch._PythonOps``), bound as globals
_MATH = {name: getattr(python_ops, name) for name in UNARY_MATH}

#: How each operation is written in Python; ``{0}``, ``{1}``... are its arguments.
_TEMPLATES = {
    "add": "({0} + {1})",
    "sub": "({0} - {1})",
    "mul": "({0} * {1})",
    "truediv": "({0} / {1})",
    "floordiv": "({0} // {1})",
    "mod": "({0} % {1})",
    "pow": "({0} ** {1})",
    "and": "({0} & {1})",
    "or": "({0} | {1})",
    "lt": "({0} < {1})",
    "le": "({0} <= {1})",
    "gt": "({0} > {1})",
    "ge": "({0} >= {1})",
    "eq": "({0} == {1})",
    "ne": "({0} != {1})",
    "neg": "(-{0})",
    "pos": "(+{0})",
    "abs": "abs({0})",
    "invert": "(~{0})",
    "where": "({1} if {0} else {2})",
    "minimum": "({0} if {0} <= {1} else {1})",
    "maximum": "({0} if {0} >= {1} else {1})",
    "clip": "({1} if {0} < {1} else ({2} if {0} > {2} else {0}))",
    "indicator": "(1.0 if {0} else 0.0)",
    "rem": "_fmod({0}, {1})",
    # ``rem`` by a positive constant (its contract: a >= 0, b > 0): Python's ``%`` with a float divisor is
    # IEEE fmod there, the int step converted as float() would, and cheaper than calling math.fmod
    "rem_const": "({0} % {1})",
    **{name: f"_{name}({{0}})" for name in _MATH},
}

#: How deep single-use subexpressions are inlined (Python's parser limits nesting).
_MAX_DEPTH = 40

#: operations whose result is a float whatever the step's type (int or float)
_FLOAT_OPS = frozenset({"truediv", "indicator", "rem", "rem_const", *(_MATH.keys() - {"floor"})})


class _Writer:
    """Constants as Python literals, or (inf, nan, anything else) by reference in ``consts``."""

    def __init__(self) -> None:
        self.consts: dict[str, Any] = {}

    def const(self, value: Any) -> str:
        cls = value.__class__
        if cls is bool:
            return "True" if value else "False"
        if cls is int or (cls is float and math.isfinite(value)):
            return f"({value!r})"
        name = f"_c{len(self.consts)}"
        self.consts[name] = value
        return name


def _op(node: Node) -> tuple[str, tuple[Any, ...]]:
    """The template name and arguments for ``node`` (``rem`` by a positive constant becomes ``%``)."""
    if node.op == "rem":
        a, b = node.args
        if b.__class__ in (int, float) and b > 0 and math.isfinite(b):
            return "rem_const", (a, float(b))
    return node.op, node.args


def _is_float(node: Any, graph: Graph, memo: dict[int, bool]) -> bool:
    """Whether ``node`` is a float for an int step too (else the caller converts the result)."""
    if not isinstance(node, Node):
        return node.__class__ is float
    if node is graph.step:
        return False
    known = memo.get(node.index)
    if known is None:
        op, args = _op(node)
        if op in _FLOAT_OPS:
            known = True
        elif op == "where":
            known = all(_is_float(a, graph, memo) for a in args[1:])
        elif op in ("minimum", "maximum", "clip", "neg", "pos", "abs"):
            known = all(_is_float(a, graph, memo) for a in args)
        elif op in ("add", "sub", "mul", "floordiv", "mod", "pow"):
            known = any(_is_float(a, graph, memo) for a in args)
        else:
            known = False
        memo[node.index] = known
    return known


def _inline(graph: Graph, writer: _Writer) -> list[tuple[str, str]]:
    """Statements ``(name, expression)`` computing the result, single-use nodes inlined.

    A node used once is substituted into its user's expression, so that a
    conditional expression evaluates only the branch taken; nodes used more
    than once (or nested too deep) become assignments. Unused nodes are dropped.
    """
    order = graph.live()
    result = graph.result
    uses: dict[int, int] = {}
    for n in order:
        op, args = _op(n)
        for i, a in enumerate(args):
            if isinstance(a, Node):  # a template may use an argument twice (minimum, clip)
                uses[a.index] = uses.get(a.index, 0) + _TEMPLATES[op].count(f"{{{i}}}")
    step = graph.step
    text: dict[int, str] = {step.index: "t"}
    depth: dict[int, int] = {step.index: 0}
    out: list[tuple[str, str]] = []
    for n in order:
        op, args = _op(n)
        parts = [text[a.index] if isinstance(a, Node) else writer.const(a) for a in args]
        expr = _TEMPLATES[op].format(*parts)
        d = 1 + max((depth[a.index] for a in args if isinstance(a, Node)), default=0)
        name = f"_t{n.index}"
        if n is result or uses.get(n.index, 0) > 1 or d >= _MAX_DEPTH:
            out.append((name, expr))
            text[n.index], depth[n.index] = name, 0
        else:
            text[n.index], depth[n.index] = expr, d
    return out


def specialise(kernel: Callable[..., Any], args: tuple[Any, ...]) -> Callable[[Any], Any] | None:
    """``kernel(python_ops, t, *args)`` as a plain Python function of ``t``, or None if untraceable.

    The function returns what the kernel returns for a float step, a Python
    float, for an int step too.
    """
    graph = trace(kernel, args, python_ops)
    if graph is None:
        return None
    result = graph.result
    if not isinstance(result, Node):  # constant in t
        value = float(result)
        return lambda t: value
    if result is graph.step:
        return float
    writer = _Writer()
    statements = _inline(graph, writer)
    body = "".join(f"    {name} = {expr}\n" for name, expr in statements)
    name = f"_t{result.index}"
    ret = name if _is_float(result, graph, {}) else f"float({name})"
    source = f"def _specialised(t):\n{body}    return {ret}\n"
    namespace: dict[str, Any] = {f"_{k}": v for k, v in _MATH.items()}
    namespace["_fmod"] = python_ops.rem
    namespace.update(writer.consts)
    try:
        code = compile(source, f"<lrfuncs scalar {graph.name}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):  # pragma: no cover - pathological nesting
        return None
    exec(code, namespace)
    fn: Callable[[Any], Any] = namespace["_specialised"]
    fn.__doc__ = source
    return fn
