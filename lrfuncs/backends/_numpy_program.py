"""A bound schedule's kernel written out as in-place numpy code, per phase, for whole curves.

The numpy curve could evaluate the kernel on each chunk of steps, but the
kernel is written for any step: every ``where`` computes both of its branches
on every step, each operation allocates a temporary, and ``clip`` guards the
phases the chunk is not in. For a curve the steps are known: consecutive
integers. This module traces the kernel once (``lrfuncs/_trace.py``, imitating
the numpy backend), and then:

1. **splits the steps into segments** in which every phase condition has one
   value. A condition is split on when its operand is a monotone function of
   the step (built from ``+ - * /`` by constants, ``minimum``/``maximum``/
   ``clip`` of such, and ``where``s already decided): the step where it flips
   is found by bisection on its exact value, so the segment boundaries are
   exactly the kernel's own, whatever its rounding or boundary convention.
   Conditions that are not monotone (a position in a cycle) stay as they are;
2. **folds each segment's decisions**: a decided ``where`` is its branch, a
   decided ``clip``/``minimum``/``maximum`` is the operand it returns, a
   constant subexpression is computed once (by numpy, as the kernel would),
   ``x * 1``, ``x / 1``, ``x + 0``, ``x - 0`` and ``t * 0`` (t >= 0) are dropped;
3. **writes each segment out** as straight-line numpy calls with ``out=`` into
   a few scratch buffers reused by liveness, the last one writing into the
   output itself. A segment that is constant (past the end) is a fill; one
   whose step enters only through ``rem(t + s, c)`` (equal cycles) repeats
   every ``c`` steps exactly, so one period is computed and copied.

The operations left are the kernel's own numpy ufuncs on the same values, so
the curve equals the kernel's values; only the sign of a zero may differ
(``x + 0`` dropped). Every program is checked against the kernel on a few
steps of each segment when it is built; a kernel that cannot be traced, or a
program that disagrees, leaves the curve on the kernel.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .._dispatch import _NumpyOps, python_ops
from .._trace import COMPARISONS, UNARY_MATH, Graph, Node, trace

__all__ = ["Program", "build"]

#: steps are whole numbers below 2**53 (exact in float64)
MAX_STEP = 2**53
#: at most this many segments per schedule (a schedule with more phase changes keeps its ``where``s)
MAX_SEGMENTS = 32

_NP = _NumpyOps.instance()
#: the numpy function of each operation: Python operators as numpy applies them to arrays, everything else
#: the numpy backend's own function (``_dispatch._NumpyOps``), so that a program calls what the kernel calls
_UFUNCS: dict[str, Any] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "truediv": np.true_divide,
    "floordiv": _NP.floor_div,
    "mod": np.remainder,
    "pow": np.power,
    "and": np.bitwise_and,
    "or": np.bitwise_or,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "eq": np.equal,
    "ne": np.not_equal,
    "neg": np.negative,
    "abs": np.absolute,
    "invert": np.invert,
    "minimum": _NP.minimum,
    "maximum": _NP.maximum,
    "rem": _NP.rem,
    **{name: getattr(_NP, name) for name in UNARY_MATH},
}
_BOOL_OPS = frozenset({*COMPARISONS, "and", "or", "invert"})
#: numpy may compute these with other code when the output is one of the inputs (``np.power(0.90..., x,
#: out=x)`` is 0.82...46 where ``np.power(0.90..., x)`` is 0.82...45): their output is a buffer of its own
_FRESH_OUTPUT = frozenset({"pow", *UNARY_MATH} - {"floor"})
#: operations whose value is a monotone function of their arguments, evaluated exactly with Python floats
_EXACT: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "neg": operator.neg,
    "pos": operator.pos,
    "minimum": python_ops.minimum,
    "maximum": python_ops.maximum,
    "clip": python_ops.clip,
    **COMPARISONS,
}


def _constant(op: str, args: list[Any]) -> Any:
    """``op`` on constants, computed as the numpy kernel computes it on an array, as a Python number.

    The arguments are 1-element arrays: numpy computes on scalars with other
    code (``np.power(0.1, 2.0)`` is 0.010000000000000002, on an array 0.01).
    """
    if op == "pos":
        return args[0]
    if op == "indicator":
        return 1.0 if args[0] else 0.0
    arrays = [np.full(1, a) for a in args]
    if op == "where":
        value = _NP.where(*arrays)
    elif op == "clip":
        value = _NP.clip(*arrays)
    else:
        value = _UFUNCS[op](*arrays)
    return value[0].item()


def _is_const(x: Any) -> bool:
    return not isinstance(x, Node)


def _zero(x: Any) -> bool:
    return _is_const(x) and x.__class__ is not bool and x == 0


def _one(x: Any) -> bool:
    return _is_const(x) and x.__class__ is not bool and x == 1


# ------------------------------------------------------------------------------------------- folding


class _Folded:
    """The graph with one segment's decisions applied: each node's replacement (a node or a constant).

    ``decided`` maps a node index to its decision: the value of a comparison, or
    which argument a ``minimum``/``maximum``/``clip`` returns.
    """

    def __init__(self, graph: Graph, decided: dict[int, Any]) -> None:
        self.graph = graph
        self.decided = decided
        self.sub: dict[int, Any] = {}
        for node in graph.nodes:
            self.sub[node.index] = self._fold(node)

    def get(self, x: Any) -> Any:
        return self.sub[x.index] if isinstance(x, Node) else x

    def _fold(self, node: Node) -> Any:
        op = node.op
        if op == "step":
            return node
        args = [self.get(a) for a in node.args]
        if op == "where" and _is_const(args[0]):
            return args[1] if args[0] else args[2]
        which = self.decided.get(node.index)
        if which is not None:
            return which if op in COMPARISONS else args[which]
        if all(_is_const(a) for a in args):
            return _constant(op, args)
        step = self.graph.step
        if op == "mul":
            a, b = args
            if _one(b) or _one(a):
                return a if _one(b) else b
            if (a is step and _zero(b)) or (b is step and _zero(a)):  # t * 0 is +0 for a step >= 0
                return 0.0
        elif (op == "truediv" and _one(args[1])) or (op in ("add", "sub") and _zero(args[1])):
            return args[0]
        elif op == "add" and _zero(args[0]):
            return args[1]
        elif op == "pos":
            return args[0]
        if all(a is b for a, b in zip(args, node.args, strict=True)):
            return node
        return Node(op, tuple(args), node.index)

    @property
    def result(self) -> Any:
        return self.get(self.graph.result)

    def live(self) -> list[Node]:
        """The folded nodes the result needs, in evaluation order (the step excluded)."""
        root = self.result
        if not isinstance(root, Node):
            return []
        needed: dict[int, Node] = {}
        stack = [root]
        while stack:
            n = stack.pop()
            if n.index in needed or n is self.graph.step:
                continue
            needed[n.index] = n
            stack.extend(n.deps)
        return [needed[i] for i in sorted(needed)]


# ------------------------------------------------------------------------------------------ segments


def _combine(d1: int | None, d2: int | None) -> int | None:
    """Direction of a sum of two monotone terms (None: unknown)."""
    if d1 is None or d2 is None:
        return None
    if d1 == 0:
        return d2
    if d2 == 0 or d1 == d2:
        return d1
    return None


def _sign(c: Any) -> int | None:
    if c.__class__ is bool or not isinstance(c, (int, float)) or not math.isfinite(c):
        return None
    return (c > 0) - (c < 0)


class _Monotone:
    """Which folded nodes are monotone in the step (direction +1/-1, 0 constant), and their exact values."""

    def __init__(self, folded: _Folded) -> None:
        self.step = folded.graph.step
        self.memo: dict[int, int | None] = {}

    def direction(self, x: Any) -> int | None:
        if _is_const(x):
            return 0
        if x is self.step:
            return 1
        known = self.memo.get(x.index, -2)
        if known != -2:
            return known
        op, args = x.op, x.args
        d: int | None = None
        if op == "add":
            d = _combine(self.direction(args[0]), self.direction(args[1]))
        elif op == "sub":
            d2 = self.direction(args[1])
            d = _combine(self.direction(args[0]), None if d2 is None else -d2)
        elif op in ("neg", "pos"):
            d1 = self.direction(args[0])
            d = None if d1 is None else (-d1 if op == "neg" else d1)
        elif op == "mul":
            a, b = args
            if _is_const(b) or _is_const(a):
                c, x1 = (b, a) if _is_const(b) else (a, b)
                s, d1 = _sign(c), self.direction(x1)
                d = None if s is None or d1 is None or s == 0 else s * d1
        elif op == "truediv" and _is_const(args[1]):
            s, d1 = _sign(args[1]), self.direction(args[0])
            d = None if s is None or d1 is None or s == 0 else s * d1
        elif op in ("minimum", "maximum"):
            d1, d2 = self.direction(args[0]), self.direction(args[1])
            d = _combine(d1, d2)
        elif op == "clip" and _is_const(args[1]) and _is_const(args[2]):
            d = self.direction(args[0])
        self.memo[x.index] = d
        return d

    def value(self, x: Any, t: float) -> Any:
        """The exact value of monotone node ``x`` at step ``t`` (Python floats: the same IEEE operations)."""
        if _is_const(x):
            return x
        if x is self.step:
            return t
        return _EXACT[x.op](*(self.value(a, t) for a in x.args))

    def choice(self, node: Node) -> Callable[[float], Any] | None:
        """The decision ``node`` makes at step ``t``, if it is a monotone function of the step."""
        op, args = node.op, node.args
        if op in ("lt", "le", "gt", "ge"):
            d2 = self.direction(args[1])
            if _combine(self.direction(args[0]), None if d2 is None else -d2) is None:
                return None
            cmp = COMPARISONS[op]
            return lambda t: cmp(self.value(args[0], t), self.value(args[1], t))
        if op in ("minimum", "maximum"):
            d2 = self.direction(args[1])
            if _combine(self.direction(args[0]), None if d2 is None else -d2) is None:
                return None
            keep_first = operator.le if op == "minimum" else operator.ge
            return lambda t: 0 if keep_first(self.value(args[0], t), self.value(args[1], t)) else 1
        if op == "clip" and self.direction(node) is not None:

            def which(t: float) -> int:
                x, lo, hi = (self.value(a, t) for a in args)
                return 1 if x < lo else (2 if x > hi else 0)

            return which
        return None


def _first_change(f: Callable[[float], Any], lo: int, hi: int) -> int | None:
    """The first step in ``(lo, hi]`` where ``f`` differs from ``f(lo)`` (f changes at most once), or None."""
    first = f(float(lo))
    if f(float(hi)) == first:
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if f(float(mid)) == first:
            lo = mid
        else:
            hi = mid
    return hi


_DECISIONS = frozenset({"lt", "le", "gt", "ge", "minimum", "maximum", "clip"})


def _decide(graph: Graph, lo: int, hi: int, decided: dict[int, Any]) -> tuple[_Folded, int | None]:
    """Decide every monotone condition over steps ``[lo, hi]``; or the first step where one changes."""
    while True:
        folded = _Folded(graph, decided)
        mono = _Monotone(folded)
        progress = False
        for node in folded.live():
            if node.op not in _DECISIONS or node.index in decided:
                continue
            f = mono.choice(node)
            if f is None:
                continue
            change = _first_change(f, lo, hi)
            if change is not None:
                return folded, change
            decided[node.index] = f(float(lo))
            progress = True
            break  # re-fold: the decision may make other conditions monotone
        if not progress:
            return folded, None


def segments(graph: Graph) -> list[tuple[int, int, _Folded]]:
    """``(first, last, folded)`` for the segments of the steps ``[0, 2**53)``, in step order."""
    done: list[tuple[int, int, _Folded]] = []
    todo: list[tuple[int, int, dict[int, Any]]] = [(0, MAX_STEP - 1, {})]
    while todo:
        lo, hi, decided = todo.pop()
        folded, change = _decide(graph, lo, hi, decided)
        if change is not None and len(done) + len(todo) + 2 <= MAX_SEGMENTS:
            todo.append((change, hi, dict(decided)))
            todo.append((lo, change - 1, dict(decided)))
        else:
            if change is not None:  # over budget: this segment keeps its undecided conditions
                folded = _Folded(graph, decided)
            done.append((lo, hi, folded))
    done.sort(key=lambda s: s[0])
    return done


# ---------------------------------------------------------------------------------------- emission

#: compiled program factories by source (constants are arguments, so schedules of one shape share code)
_CODE: dict[str, Callable[..., Any]] = {}
_MAX_CODE = 1024


class _Emitter:
    """Writes one segment (steps ``first..last``) of a folded graph as in-place numpy calls."""

    def __init__(self, folded: _Folded, first: int, last: int) -> None:
        self.folded = folded
        self.first, self.last = first, last
        self.consts: list[Any] = []
        self.const_names: dict[tuple[type, str], str] = {}
        self.lines: list[str] = []
        self.free: dict[str, list[str]] = {"f": [], "m": []}
        self.count: dict[str, int] = {"f": 0, "m": 0}

    def const(self, value: Any) -> str:
        key = (value.__class__, repr(value))
        name = self.const_names.get(key)
        if name is None:
            name = self.const_names[key] = f"k{len(self.consts)}"
            self.consts.append(value)
        return name

    def take(self, kind: str) -> str:
        if self.free[kind]:
            return self.free[kind].pop()
        self.count[kind] += 1
        return f"{kind}{self.count[kind] - 1}"

    def emit(self) -> str | None:
        """The program's body; None when the segment is a constant or the step itself.

        The body computes the step from ``base`` (0, 1, ...) and ``lo`` (the
        first step) only if it needs it: ``t - c`` and ``t + c`` for a whole
        number ``c`` are ``base + (lo - c)`` and ``base + (lo + c)``, one
        operation instead of two, and exact where every ``t - c`` (``t + c``)
        of the segment is a whole number below 2**53.
        """
        nodes = self.folded.live()
        result = self.folded.result
        if not nodes:
            return None
        step = self.folded.graph.step
        shifted = {n.index: s for n in nodes if (s := self._shift(n, step)) is not None}
        last_use: dict[int, int] = {}
        for i, n in enumerate(nodes):
            if n.index not in shifted:
                for a in n.deps:
                    last_use[a.index] = i
        where: dict[int, str] = {}
        kinds: dict[int, str] = {}
        step_buffer = None
        if step.index in last_use:  # ``t`` is ``base`` itself for a chunk at step 0: it is never written to
            step_buffer = self.take("f")
            self.lines.append(f"t = base if lo == 0 else _add(base, lo, out={step_buffer})")
            where[step.index], kinds[step.index] = "t", "t"
        for i, n in enumerate(nodes):
            deps = [] if n.index in shifted else n.deps
            dying = list({a.index: a for a in deps if last_use.get(a.index) == i}.values())
            kind = "m" if n.op in _BOOL_OPS else "f"
            if n is result:
                out = "dest"
            elif n.op == "where":  # the output may be the second branch's buffer, never the first's
                b = n.args[2]
                reuse = isinstance(b, Node) and any(a is b for a in dying) and kinds[b.index] == "f"
                out = where[b.index] if reuse else self.take("f")
            elif n.op in _FRESH_OUTPUT:
                out = self.take(kind)
            else:
                out = next((where[a.index] for a in dying if kinds[a.index] == kind), None) or self.take(kind)
            for a in dying:  # an elementwise ufunc may write over a dying argument (see above for the exceptions)
                if a is step:
                    if step_buffer is not None:
                        self.free["f"].append(step_buffer)
                elif where[a.index] != out:
                    self.free[kinds[a.index]].append(where[a.index])
            if n.index in shifted:
                self.lines.append(f"_add(base, {shifted[n.index]}, out={out})")
                where[n.index], kinds[n.index] = out, kind
                continue
            ref = [where[a.index] if isinstance(a, Node) else self.const(a) for a in n.args]
            if n.op == "where":
                self.lines.append(f"_copyto({out}, {ref[2]})")
                self.lines.append(f"_copyto({out}, {ref[1]}, where={ref[0]})")
            elif n.op == "indicator":
                self.lines.append(f"_copyto({out}, {ref[0]})")
            elif n.op == "clip":
                self.lines.append(f"_clip({', '.join(ref)}, out={out})")
            else:
                self.lines.append(f"_{n.op}({', '.join(ref)}, out={out})")
            where[n.index] = out
            kinds[n.index] = kind
        return "\n".join(f"        {line}" for line in self.lines)

    def _shift(self, n: Node, step: Node) -> str | None:
        """``lo - c`` / ``lo + c`` if ``n`` is ``t - c`` / ``t + c`` (``c + t``) with ``c`` a whole number."""
        if n.op not in ("add", "sub"):
            return None
        a, b = n.args
        if n.op == "add" and b is step:
            a, b = b, a
        if a is not step or isinstance(b, Node) or b.__class__ not in (int, float):
            return None
        if not (math.isfinite(b) and float(b).is_integer()):
            return None
        shift = -b if n.op == "sub" else b
        if max(abs(self.first + shift), abs(self.last + shift)) >= MAX_STEP:
            return None
        return f"lo {'-' if n.op == 'sub' else '+'} {self.const(b)}"


_GLOBALS: dict[str, Any] = {f"_{op}": fn for op, fn in _UFUNCS.items()}
_GLOBALS.update(_copyto=np.copyto, _clip=_NP.clip)


def _compile(body: str, nconst: int, nf: int, nm: int) -> Callable[..., Any]:
    unpack = "".join(f"        f{i} = F[{i}][:m]\n" for i in range(nf)) + "".join(
        f"        m{i} = M[{i}][:m]\n" for i in range(nm)
    )
    consts = ", ".join(f"k{i}" for i in range(nconst))
    source = (
        f"def _make({consts}):\n    def _segment(dest, F, M, B, lo, m):\n        base = B[:m]\n"
        f"{unpack}{body}\n    return _segment\n"
    )
    make = _CODE.get(source)
    if make is None:
        if len(_CODE) >= _MAX_CODE:
            _CODE.clear()
        namespace = dict(_GLOBALS)
        exec(compile(source, "<lrfuncs numpy program>", "exec"), namespace)
        make = _CODE[source] = namespace["_make"]
        make.__doc__ = source
    return make


class Segment:
    """Steps ``first..last`` and how to write their values: ``run(dest, floats, masks, base, lo, m)``, or a fill.

    ``run`` writes the values at steps ``lo, ..., lo + m - 1`` into ``dest``
    (``m`` long); ``floats`` and ``masks`` are scratch buffers of at least
    ``m`` (float64 and bool), ``nf`` and ``nm`` of them; ``base`` is 0, 1, 2,
    ... (float64, at least ``m`` long), so that the steps are ``lo + base[:m]``.
    """

    __slots__ = ("fill", "first", "last", "nf", "nm", "period", "run", "source")

    def __init__(self, first: int, last: int, folded: _Folded) -> None:
        self.first, self.last = first, last
        #: the values repeat every ``period`` steps (None: not known to)
        self.period = _period(folded, first)
        emitter = _Emitter(folded, first, last)
        body = emitter.emit()
        self.fill: Any = None
        self.run: Callable[..., Any] | None = None
        self.nf, self.nm = emitter.count["f"], emitter.count["m"]
        self.source = body or ""
        if body is None:
            self.fill = folded.result  # a constant, or the step node itself (a copy of t)
        else:
            self.run = _compile(body, len(emitter.consts), self.nf, self.nm)(*emitter.consts)

    def write(
        self, dest: np.ndarray, floats: list[np.ndarray], masks: list[np.ndarray], base: np.ndarray, lo: int, m: int
    ) -> None:
        if self.run is not None:
            self.run(dest, floats, masks, base, lo, m)
        elif isinstance(self.fill, Node):
            np.add(base[:m], lo, out=dest)
        else:
            dest.fill(self.fill)


class Program:
    """A schedule's curve as in-place numpy code: its segments, in step order."""

    __slots__ = ("_scratch", "nf", "nm", "segments")

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments
        self._scratch: list[tuple[int, list[np.ndarray], list[np.ndarray]]] = []
        self.nf = max(s.nf for s in segments)
        self.nm = max(s.nm for s in segments)

    def write(self, out: np.ndarray, first: int, chunk: int) -> None:
        """``out[k]`` = the lr at step ``first + k``, computed ``chunk`` steps at a time.

        A periodic segment (equal cycles) computes one period and copies it.
        """
        n = out.shape[0]
        size = min(chunk, n)
        if size == 0:
            return
        base = _steps(size)
        floats, masks = self._scratch_buffers(size)
        direct = out.dtype == np.float64 and out.flags.c_contiguous
        res = out if direct else np.empty(size)
        last = first + n - 1
        for seg in self.segments:
            if seg.last < first or seg.first > last:
                continue
            lo, hi = max(seg.first, first), min(seg.last, last)
            k0, count = lo - first, hi - lo + 1
            todo = count
            if direct and seg.period is not None and count >= 2 * seg.period:
                todo = seg.period
            run = seg.run or seg.write
            for a in range(0, todo, size):
                m = min(size, todo - a)
                dest = res[k0 + a : k0 + a + m] if direct else res[:m]
                run(dest, floats, masks, base, lo + a, m)
                if not direct:
                    out[k0 + a : k0 + a + m] = dest
            if todo < count:
                _repeat(out[k0 : k0 + count], todo)
        if size <= _KEEP_SCRATCH:
            self._scratch.append((size, floats, masks))

    def _scratch_buffers(self, size: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Scratch buffers of ``size``: the last short curve's, if free (a ``pop`` is atomic: threads never share)."""
        try:
            kept, floats, masks = self._scratch.pop()
        except IndexError:
            kept = -1
        if kept != size:
            floats = [np.empty(size) for _ in range(self.nf)]
            masks = [np.empty(size, dtype=bool) for _ in range(self.nm)]
        return floats, masks


#: curves up to this many steps keep their scratch buffers for the next call (a few allocations are a few
#: percent of a 1e3-step curve; longer curves would keep too much memory per schedule)
_KEEP_SCRATCH = 4096


def _repeat(values: np.ndarray, period: int) -> None:
    """Fill ``values`` from its first ``period`` entries, repeated (copies that double in length)."""
    filled, n = period, values.shape[0]
    while filled < n:
        c = min(filled, n - filled)
        values[filled : filled + c] = values[:c]
        filled += c


def _whole_shift(n: Node, step: Node) -> float | None:
    """``s`` if ``n`` is ``t + s`` or ``t - (-s)`` with ``s`` a whole number, else None."""
    a, b = n.args if len(n.args) == 2 else (None, None)
    if n.op == "add" and b is step:
        a, b = b, a
    if n.op not in ("add", "sub") or a is not step or isinstance(b, Node) or b.__class__ not in (int, float):
        return None
    if not (math.isfinite(b) and float(b).is_integer()):
        return None
    return float(b) if n.op == "add" else -float(b)


def _period(folded: _Folded, first: int) -> int | None:
    """``P`` if the segment's values repeat every ``P`` steps from ``first`` on, else None.

    They do when the step reaches the result only through ``rem(t + s, c)``
    (or ``mod``) with whole numbers ``s`` and ``c > 0`` and ``t + s >= 0``: the
    remainder of whole numbers below 2**53 is exact, so step ``t + c`` computes
    on exactly the values step ``t`` does. ``P`` is the least common multiple of the ``c``.
    """
    step = folded.graph.step
    users: dict[int, list[Node]] = {}
    for n in folded.live():
        for a in set(n.deps):
            users.setdefault(a.index, []).append(n)

    def divisor(n: Node, x: Node) -> int | None:  # c if n is rem/mod(x, c) with c a whole number > 0
        if n.op not in ("rem", "mod") or n.args[0] is not x:
            return None
        c = n.args[1]
        if isinstance(c, Node) or c.__class__ is bool:
            return None
        ok = isinstance(c, (int, float)) and math.isfinite(c) and float(c).is_integer() and 0 < c < MAX_STEP
        return int(c) if ok else None

    period = 1
    for n in users.get(step.index, []):
        c = divisor(n, step)
        if c is not None:  # rem(t, c)
            period = math.lcm(period, c)
            continue
        shift = _whole_shift(n, step)  # t + s: every use of it must be a rem(t + s, c)
        gates = users.get(n.index, [])
        if shift is None or first + shift < 0 or not gates:
            return None
        for g in gates:
            c = divisor(g, n)
            if c is None:
                return None
            period = math.lcm(period, c)
    return period if 1 < period < MAX_STEP else None


_BASE = np.arange(0, dtype=np.float64)


def _steps(size: int) -> np.ndarray:
    """``0, 1, ..., size - 1`` as float64 (a shared read-only array, grown on demand)."""
    global _BASE
    if _BASE.shape[0] < size:
        _BASE = np.arange(max(size, 1 << 14), dtype=np.float64)
        _BASE.flags.writeable = False
    return _BASE


def build(kernel: Callable[..., Any], args: tuple[Any, ...]) -> Program | None:
    """The in-place numpy program of ``kernel`` with config ``args``, or None (trace failed or disagreed)."""
    graph = trace(kernel, args, _NP)
    if graph is None:
        return None
    try:
        program = Program([Segment(lo, hi, folded) for lo, hi, folded in segments(graph)])
    except Exception:  # anything the emitter cannot write: the curve keeps the kernel
        return None
    return program if _agrees(program, kernel, args) else None


def _agrees(program: Program, kernel: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    """The program gives the kernel's values at the first, second and last step of each segment."""
    ops = _NP
    for seg in program.segments:
        for step in sorted({seg.first, min(seg.first + 1, seg.last), seg.last, min(seg.first + 16, seg.last)}):
            out = np.empty(1)
            try:
                with np.errstate(all="ignore"):
                    program.write(out, step, 1)
                    want = np.asarray(kernel(ops, np.array([float(step)]), *args), dtype=np.float64)
            except Exception:
                return False
            if want.shape != (1,) or not (out[0] == want[0] or (np.isnan(out[0]) and np.isnan(want[0]))):
                return False
    return True
