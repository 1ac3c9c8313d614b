"""The ``lrfuncs`` command line: look at, compare, lint and choose schedules.

::

    lrfuncs show "cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100000)"
    lrfuncs plot "torch.OneCycleLR(max_lr=0.1, total_steps=1000)" -o curve.png
    lrfuncs compare SPEC_A SPEC_B
    lrfuncs lint "cosine_decay(peak_lr=0.1, total_steps=90)" --total-steps 35100 --steps-per-epoch 390
    lrfuncs recommend transformer --total-steps 100000
    lrfuncs list

A SPEC is a schedule call (``name(key=value, ...)``), a compat constructor
(``torch.OneCycleLR(...)``), a ``.json``/``.yaml`` file or inline JSON; see
:mod:`lrfuncs.spec`. Exit codes: 0 success; 1 ``lint`` found an error
(with ``--strict``: any finding); 2 a usage or spec error (the message, on
stderr, names the bad argument).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from ._schedule import Schedule, registered

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "main", "text_plot"]

EXIT_OK = 0
#: ``lint`` found at least one finding of severity "error" (any finding with ``--strict``).
EXIT_FINDINGS = 1
#: A usage error or a bad spec (argparse's own code for usage errors).
EXIT_USAGE = 2
#: ``compare`` checks every step of runs up to this long, else this many evenly spaced steps plus the landmarks.
MAX_COMPARE_STEPS = 2_000_000

SPEC_HELP = (
    "a schedule: 'name(key=value, ...)' (e.g. \"cosine_decay(peak_lr=0.1, total_steps=1000)\"), a compat "
    "constructor ('torch.OneCycleLR(max_lr=0.1, total_steps=1000)'), a .json/.yaml file, or inline JSON "
    "('{\"schedule\": \"cosine_decay\", ...}'). Quote it for the shell."
)

_EPILOGS = {
    "main": """\
examples:
  lrfuncs show "cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100000)"
  lrfuncs plot "onecycle(peak_lr=0.1, total_steps=1000)" -o curve.png
  lrfuncs compare "cosine_decay(peak_lr=1.0, total_steps=100)" "cosine(peak_lr=1.0, total_steps=100)"
  lrfuncs lint "cosine_decay(peak_lr=0.1, total_steps=90)" --total-steps 35100 --steps-per-epoch 390
  lrfuncs recommend cnn --epochs 30 --steps-per-epoch 390 --optimizer sgd
  lrfuncs list

exit codes: 0 ok, 1 lint found errors, 2 usage or spec error.""",
    "show": """\
examples:
  lrfuncs show "cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100000)"
  lrfuncs show "step_decay(peak_lr=0.1, step_size=30)" --steps 0,29,30,60,90
  lrfuncs show schedule.yaml --steps 0:1000:100 --no-plot
  lrfuncs show "onecycle(peak_lr=0.1, total_steps=11700)" --steps-per-epoch 390 --log""",
    "plot": """\
examples:
  lrfuncs plot "warmup_cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100000)" -o curve.png
  lrfuncs plot "onecycle(peak_lr=0.1, total_steps=1000)" -o oc.png --momentum "onecycle_momentum(total_steps=1000)"
  lrfuncs plot A_SPEC B_SPEC --label mine --label theirs -o both.png --log --steps 0:5000
  lrfuncs plot "torch.OneCycleLR(max_lr=0.1, total_steps=1000)" --recorded torch_lrs.json -o overlay.png""",
    "compare": """\
examples:
  lrfuncs compare "cosine(peak_lr=1.0, total_steps=100)" "cosine_decay(peak_lr=1.0, total_steps=100)"
  lrfuncs compare A_SPEC B_SPEC --steps 0,10,100 -o diff.png""",
    "lint": """\
rules: horizon-short, horizon-long, warmup-long, final-above-peak, zero-first-lr, peak-range (with
--optimizer), discontinuity, invalid-lr (see lrfuncs.lint).
exit status: 1 if a finding has severity "error" (with --strict: any finding), else 0.

examples:
  lrfuncs lint "cosine_decay(peak_lr=0.1, total_steps=90)" --total-steps 35100 --steps-per-epoch 390
  lrfuncs lint "onecycle(peak_lr=0.1, total_steps=11700)" --total-steps 30 --steps-per-epoch 390
  lrfuncs lint config.yaml --total-steps 100000 --optimizer adamw --strict""",
    "recommend": """\
model kinds: transformer/gpt/llm/decoder, bert/encoder, vit, cnn/resnet/convnet/vgg, mlp/rnn/lstm/other.
optimizers: sgd, adam, adamw, lion, lamb, adafactor, rmsprop, adagrad (and aliases).

examples:
  lrfuncs recommend transformer --total-steps 100000
  lrfuncs recommend bert --total-steps 20000 --finetune
  lrfuncs recommend cnn --epochs 30 --steps-per-epoch 390 --optimizer sgd
  lrfuncs recommend cnn --epochs 90 --reproduce-paper --optimizer sgd
  lrfuncs show "$(lrfuncs recommend vit --total-steps 300000 --spec-only)"
""".rstrip(),
    "list": """\
examples:
  lrfuncs list
  lrfuncs list --names""",
    "dump": """\
examples:
  lrfuncs dump "cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100000)" > schedule.json
  lrfuncs dump "torch.OneCycleLR(max_lr=0.1, total_steps=1000)" --format yaml""",
    "range-test": """\
examples:
  lrfuncs range-test plot result.json -o range_test.png
  lrfuncs range-test plot result.json -o range_test.png --suggestion all""",
}


class _UsageError(Exception):
    """An error in the arguments found after parsing (exit code 2)."""


# ------------------------------------------------------------------------------------------------ entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except BrokenPipeError:  # e.g. `lrfuncs list | head`
        sys.stderr.close()
        return EXIT_OK
    except (ValueError, TypeError, ImportError, OSError, _UsageError) as e:
        print(f"lrfuncs {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130


# ------------------------------------------------------------------------------------------------ commands


def _cmd_show(args: argparse.Namespace) -> int:
    s = _load(args.spec)
    end = _end_step(s, args.total_steps)
    steps = args.steps if args.steps is not None else _default_steps(s, end, args.points)
    values = [s(k) for k in steps]
    marks = _landmarks(s)
    if args.json:
        print(json.dumps({"schedule": s.to_dict(), "landmarks": marks, "horizon": s.horizon,
                          "steps": steps, "lr": values}, indent=2))
        return EXIT_OK
    from .spec import unparse

    print(unparse(s))
    if marks:
        shown = ", ".join(f"{label} @ {_fmt_step(step)}" for label, step in marks[:12])
        print(f"landmarks: {shown}{', ...' if len(marks) > 12 else ''}")
    if s.horizon is not None:
        print(f"horizon: step {_fmt_step(s.horizon)} (the value holds from there)")
    print()
    labels: dict[float, str] = {}
    for label, step in marks:
        labels.setdefault(step, label)
    header = ["step"] + (["epoch"] if args.steps_per_epoch else []) + ["lr", ""]
    rows = []
    for k, v in zip(steps, values, strict=True):
        row = [_fmt_step(k)]
        if args.steps_per_epoch:
            row.append(f"{k / args.steps_per_epoch:.4g}")
        row += [f"{v:.6g}", labels.get(float(k), "")]
        rows.append(row)
    print(_table(header, rows))
    if not args.no_plot:
        print()
        print("\n".join(text_plot(s, end, width=args.width, height=args.height, log=args.log)))
    return EXIT_OK


def _cmd_plot(args: argparse.Namespace) -> int:
    from .plot import plot

    schedules: list[Any] = [_load(spec, single=False) for spec in args.specs]
    for path in args.recorded or []:
        schedules.append(_read_values(path))
    labels = args.label
    if labels is not None and len(labels) != len(schedules):
        raise _UsageError(
            f"argument --label: give one label per curve ({len(schedules)}: {len(args.specs)} spec(s) and "
            f"{len(args.recorded or [])} recorded file(s)). Received {len(labels)}."
        )
    momentum = _load(args.momentum, single=False) if args.momentum else None
    steps = args.steps
    if isinstance(steps, list):
        raise _UsageError("argument --steps: plot takes a count N or a range START:STOP[:STEP], not a list")
    plot(*schedules, steps=steps, log=_log_mode(args.log, args.logx), momentum=momentum,
         steps_per_epoch=args.steps_per_epoch, labels=labels, marks=not args.no_marks, title=args.title,
         path=args.output)
    print(f"wrote {args.output}")
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from .spec import unparse

    a, b = _load(args.spec_a), _load(args.spec_b)
    end = max(_end_step(a, args.total_steps), _end_step(b, args.total_steps))
    steps = args.steps if args.steps is not None else sorted(
        set(_default_steps(a, end, args.points)) | set(_default_steps(b, end, args.points))
    )
    print(f"A: {unparse(a)}")
    print(f"B: {unparse(b)}")
    print()
    rows = []
    for k in steps:
        va, vb = a(k), b(k)
        rel = abs(vb - va) / max(abs(va), abs(vb)) if max(abs(va), abs(vb)) > 0 else 0.0
        rows.append([_fmt_step(k), f"{va:.6g}", f"{vb:.6g}", f"{vb - va:+.3g}", f"{rel:.2e}"])
    print(_table(["step", "A", "B", "B - A", "rel. diff"], rows))
    print()
    diff_step, diff, first, n_checked = _max_difference(a, b, end, args.rtol)
    checked = f"{n_checked} steps checked" + (" (sampled, landmarks included)" if n_checked < end else "")
    if diff == 0.0:
        print(f"identical at all {checked} (0 to {end - 1})")
    else:
        print(f"largest |B - A| = {diff:.3g} at step {_fmt_step(diff_step)} ({checked}, 0 to {end - 1})")
        if first is not None:
            print(f"first step where they differ by more than rtol={args.rtol:g}: {_fmt_step(first)}")
        else:
            print(f"equal within rtol={args.rtol:g} everywhere checked")
    if args.output:
        from .plot import plot

        plot(a, b, steps=end, labels=["A", "B"], path=args.output, log=args.log)
        print(f"wrote {args.output}")
    return EXIT_OK


def _cmd_lint(args: argparse.Namespace) -> int:
    from .lint import ERROR, lint

    s = _load(args.spec)
    findings = lint(s, args.total_steps, steps_per_epoch=args.steps_per_epoch, optimizer=args.optimizer)
    if args.json:
        print(json.dumps([{"code": f.code, "severity": f.severity, "message": f.message, "step": f.step}
                          for f in findings], indent=2))
    elif not findings:
        print(f"no findings for {args.total_steps} steps")
    else:
        for f in findings:
            print(f)
    failing = findings if args.strict else [f for f in findings if f.severity == ERROR]
    return EXIT_FINDINGS if failing else EXIT_OK


def _cmd_recommend(args: argparse.Namespace) -> int:
    from .recommend import recommend

    rec = recommend(args.model_kind, total_steps=args.total_steps, epochs=args.epochs,
                    steps_per_epoch=args.steps_per_epoch, optimizer=args.optimizer, finetune=args.finetune,
                    peak_lr=args.peak_lr, reproduce_paper=args.reproduce_paper)
    if args.spec_only:
        if not isinstance(rec.schedule, Schedule):
            raise _UsageError(f"argument --spec-only: the recommendation is not a schedule but {rec.spec}")
        print(rec.spec)
    elif args.json:
        sched = rec.schedule.to_dict()
        print(json.dumps({
            "schedule": sched,
            "momentum": None if rec.momentum is None else rec.momentum.to_dict(),
            "peak_lr": rec.peak_lr,
            "total_steps": rec.total_steps,
            "per": rec.per,
            "reasons": list(rec.reasons),
        }, indent=2))
    else:
        print(rec)
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    from .spec import ALIASES, compat_constructors

    reg = registered()
    if args.names:
        for name in sorted(reg):
            print(name)
        for ns, names in compat_constructors().items():
            for n in names:
                print(f"{ns}.{n}")
        return EXIT_OK
    print("schedules:")
    for name in sorted(reg):
        spec = reg[name].spec
        optional = [n for n in spec.order if n not in spec.required]
        sig = ", ".join([*spec.required, *([f"[{', '.join(optional)}]"] if optional else [])])
        doc = (reg[name].__doc__ or "").strip().splitlines()
        print(f"  {name}({sig})")
        if doc:
            print(f"      {doc[0]}")
    print()
    print("aliases (a registered name wins):")
    for alias, targets in sorted(ALIASES.items()):
        live = [t for t in targets if t in reg]
        if live:
            print(f"  {alias} -> {' | '.join(live)}")
    compat = compat_constructors()
    print()
    if compat:
        print("compat constructors (ns.Name(...)):")
        for ns, names in compat.items():
            print(f"  {ns}: {', '.join(names) if names else '(unavailable: its framework is not installed)'}")
    else:
        print("compat constructors: none installed (lrfuncs.compat)")
    return EXIT_OK


def _cmd_dump(args: argparse.Namespace) -> int:
    s = _load(args.spec)
    data = s.to_dict()
    if args.format == "yaml":
        try:
            import yaml
        except ImportError:
            raise ImportError("--format yaml needs pyyaml: pip install pyyaml") from None
        print(yaml.safe_dump(data, sort_keys=False), end="")
    else:
        print(json.dumps(data, indent=2))
    return EXIT_OK


def _cmd_range_test_plot(args: argparse.Namespace) -> int:
    rt = importlib.import_module("lrfuncs.range_test")
    try:
        with open(args.result, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"argument RESULT: {args.result!r} is not valid JSON ({e.msg}, line {e.lineno})") from None
    result = rt.RangeTestResult.from_dict(data)
    for name, value in result.suggestions.items():
        print(f"{name:>9}: {'-' if value is None else f'{value:.4g}'}")
    names = args.suggestion if args.suggestion == "all" else args.suggestion.split(",")
    rt.plot_range_test(result, args.output, suggestion=names)
    print(f"wrote {args.output}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ text plot


def text_plot(schedule: Any, end: int, *, width: int = 64, height: int = 12, log: bool = False) -> list[str]:
    """A small plot of ``schedule`` over steps ``0 .. end - 1`` as lines of text (landmarks marked ``^``).

    >>> import lrfuncs
    >>> lines = text_plot(lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=100), 121, width=25, height=5)
    >>> print("\\n".join(lines))
             1 |*****
               |     ****
               |         ***
               |            ****
             0 |                *********
               +-------------------------
                                    ^
                0                     120
    """
    if width < 2 or height < 2:
        raise ValueError(f"The text plot needs width and height >= 2. Received: width={width}, height={height}")
    last = max(end - 1, 1)
    steps = [round(i * last / (width - 1)) for i in range(width)]
    ys = [schedule(k) for k in steps]
    ts = [_ytransform(y, log) for y in ys]
    finite = [t for t in ts if t is not None]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    span = hi - lo
    grid = [[" "] * width for _ in range(height)]
    for c, t in enumerate(ts):
        if t is None:
            continue
        r = 0 if span == 0 else round((hi - t) / span * (height - 1))
        grid[r][c] = "*"
    top = _fmt_y(max(ys) if finite else math.nan)
    bottom = _fmt_y(min(y for y, t in zip(ys, ts, strict=True) if t is not None) if finite else math.nan)
    pad = max(10, len(top), len(bottom))
    out = []
    for r, row in enumerate(grid):
        label = top if r == 0 else bottom if r == height - 1 else ""
        out.append(f"{label:>{pad}} |{''.join(row)}".rstrip())
    out.append(f"{'':>{pad}} +{'-' * width}")
    marks = _landmarks(schedule) if isinstance(schedule, Schedule) else []
    mrow = [" "] * width
    for _, step in marks:
        if 0 <= step <= last:
            mrow[min(width - 1, round(step / last * (width - 1)))] = "^"
    if any(ch != " " for ch in mrow):
        out.append(f"{'':>{pad}}  {''.join(mrow).rstrip()}")
    left, right = _fmt_step(steps[0]), _fmt_step(steps[-1])
    out.append(f"{'':>{pad}}  {left}{' ' * max(1, width - len(left) - len(right))}{right}")
    if log:
        out[0] += "  (log scale)"
    return out


def _ytransform(y: float, log: bool) -> float | None:
    if not math.isfinite(y):
        return None
    if log:
        return math.log10(y) if y > 0 else None
    return y


def _fmt_y(y: float) -> str:
    return f"{y:.3g}"


# ------------------------------------------------------------------------------------------------ helpers


def _load(spec: str, *, single: bool = True) -> Schedule[Any]:
    """The schedule of ``spec``; with ``single``, one that gives one lr per step (not a sweep)."""
    from .spec import parse

    s = parse(spec)
    if single and not isinstance(s(0), float):
        raise ValueError(
            f"{spec!r} has array-valued config (a sweep: one curve per value); this command needs one curve. "
            "Use `lrfuncs plot`, which draws every row of a sweep."
        )
    return s


def _landmarks(s: Schedule[Any]) -> list[tuple[str, float]]:
    try:
        return [(label, float(step)) for label, step in s.landmarks() if math.isfinite(float(step))]
    except Exception:  # array-valued config
        return []


def _end_step(s: Schedule[Any], total_steps: int | None) -> int:
    """The steps shown: ``total_steps``, else 10% past the horizon or the last landmark, else 1000."""
    if total_steps is not None:
        return total_steps
    marks = _landmarks(s)
    h = s.horizon if s.horizon is not None else (max(st for _, st in marks) if marks else None)
    if h is None or h <= 0:
        return 1000
    return math.ceil(round(h * 1.1, 6)) + 1


def _default_steps(s: Schedule[Any], end: int, points: int) -> list[int | float]:
    """Evenly spaced steps over ``0 .. end - 1``, every landmark in range and the step before it."""
    last = max(end - 1, 0)
    steps: set[int | float] = {0, last}
    for i in range(points):
        steps.add(round(i * last / max(points - 1, 1)))
    for _, b in _landmarks(s)[:20]:
        if 0 <= b <= last:
            k = int(b) if float(b).is_integer() else b
            steps.add(k)
            if b >= 1:
                steps.add(math.ceil(b) - 1)
    return sorted(steps)


def _max_difference(a: Schedule[Any], b: Schedule[Any], end: int, rtol: float) -> tuple[float, float, Any, int]:
    """(step of the largest |b - a|, that difference, first step beyond rtol or None, steps checked)."""
    try:
        import numpy as np

        from .backends.numpy import curve
    except ImportError:  # no numpy: a Python loop over at most 10,000 evenly spaced steps
        count = min(end, 10_000)
        picked = sorted({round(i * (end - 1) / max(count - 1, 1)) for i in range(count)})
        diffs = [(abs(b(k) - a(k)), k, max(abs(a(k)), abs(b(k)))) for k in picked]
        worst = max(diffs, key=lambda d: d[0])  # the first of equal differences, as numpy's argmax
        first = next((k for d, k, m in diffs if d > rtol * m), None)
        return float(worst[1]), worst[0], first, len(picked)
    if end <= MAX_COMPARE_STEPS:
        steps = np.arange(end, dtype=np.float64)
        ya, yb = curve(a, end), curve(b, end)
    else:  # evenly spaced steps plus every landmark and its neighbours, so jumps are not missed
        marks = [st for s in (a, b) for _, st in _landmarks(s)]
        extra = [k for st in marks for k in (math.floor(st) - 1, math.floor(st), math.ceil(st)) if 0 <= k < end]
        steps = np.unique(np.concatenate([np.round(np.linspace(0, end - 1, MAX_COMPARE_STEPS)),
                                          np.asarray(extra, dtype=np.float64)]))
        ya, yb = np.asarray(a(steps), dtype=np.float64), np.asarray(b(steps), dtype=np.float64)
    d = np.abs(yb - ya)
    i = int(np.argmax(d))
    over = np.nonzero(d > rtol * np.maximum(np.abs(ya), np.abs(yb)))[0]
    return float(steps[i]), float(d[i]), (float(steps[over[0]]) if len(over) else None), len(steps)


def _read_values(path: str) -> list[float]:
    """Recorded values from a file: a JSON list, or numbers separated by commas / whitespace."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ValueError(f"argument --recorded: file not found: {path!r}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = text.replace(",", " ").split()
    if isinstance(data, dict) and "lrs" in data:
        data = data["lrs"]
    try:
        values = [float(x) for x in data]
    except (TypeError, ValueError):
        raise ValueError(f"argument --recorded: {path!r} must hold a list of numbers") from None
    if not values:
        raise ValueError(f"argument --recorded: {path!r} holds no values")
    return values


def _fmt_step(k: float) -> str:
    return str(int(k)) if float(k).is_integer() else f"{k:g}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Columns right-aligned, the last one (notes) left-aligned."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        *num, note = cells
        return "  ".join([c.rjust(w) for c, w in zip(num, widths, strict=False)] + [note]).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])


def _log_mode(logy: bool, logx: bool) -> bool | str:
    if logx:
        return "xy" if logy else "x"
    return logy


# ------------------------------------------------------------------------------------------------ argument types


def _steps_type(text: str) -> list[int | float] | int | tuple[int, int] | range:
    """``--steps``: ``0,100,1000`` (a list), ``START:STOP[:STEP]`` (a range) or ``N`` (0 .. N-1)."""
    t = text.strip()
    try:
        if ":" in t:
            parts = [_step_number(p) for p in t.split(":")]
            if len(parts) not in (2, 3) or not all(float(p).is_integer() for p in parts):
                raise ValueError
            start, stop = int(parts[0]), int(parts[1])
            inc = int(parts[2]) if len(parts) == 3 else 1
            if not 0 <= start < stop or inc < 1:
                raise ValueError
            return (start, stop) if inc == 1 else range(start, stop, inc)
        if "," in t:
            values = [_step_number(p) for p in t.split(",") if p.strip()]
            if not values or any(v < 0 for v in values):
                raise ValueError
            return values
        n = _step_number(t)
        if not float(n).is_integer() or n < 1:
            raise ValueError
        return int(n)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected steps as 0,100,1000 or START:STOP[:STEP] (whole numbers, 0 <= START < STOP) or a count N >= 1; "
            f"got {text!r}"
        ) from None


def _step_number(text: str) -> int | float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError
    return int(v) if v.is_integer() else v


def _positive_int(text: str) -> int:
    try:
        v = float(text)
        if not v.is_integer() or v < 1:
            raise ValueError
        return int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None


def _positive_float(text: str) -> float:
    try:
        v = float(text)
        if not (v > 0 and math.isfinite(v)):
            raise ValueError
        return v
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None


def _show_steps_type(text: str) -> list[int | float]:
    """``--steps`` of show/compare: ``0,100,1000``, one step ``2000``, or ``START:STOP[:STEP]``."""
    if ":" not in text and "," not in text:
        try:
            k = _step_number(text.strip())
        except ValueError:
            k = -1
        if k < 0:
            raise argparse.ArgumentTypeError(
                f"expected steps as 0,100,1000 or one step >= 0 or START:STOP[:STEP]; got {text!r}"
            )
        return [k]
    value = _steps_type(text)
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(range(*value))
    assert isinstance(value, range)
    return list(value)


# ------------------------------------------------------------------------------------------------ parser


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="lrfuncs",
        description="Look at, compare, lint and choose learning-rate schedules.\n\nSPEC: " + SPEC_HELP,
        epilog=_EPILOGS["main"],
        formatter_class=fmt,
    )
    p.add_argument("--version", action="version", version=f"lrfuncs {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=description, epilog=_EPILOGS.get(name),
                              formatter_class=fmt)

    # show
    c = command("show", "print a table of lr at chosen steps and a small text plot",
                "Print the schedule, its landmarks (phase boundaries) and horizon, a table of the lr at chosen "
                "steps (default: a spread over the run plus every landmark and the step before it) and a small "
                "text plot.")
    c.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    c.add_argument("--steps", type=_show_steps_type, metavar="STEPS",
                   help="steps to tabulate: 0,100,1000 (or one step) or START:STOP[:STEP]")
    c.add_argument("--total-steps", type=_positive_int, metavar="N",
                   help="the run length: the default table and the plot cover steps 0..N-1 (default: 10%% past the "
                        "horizon, or 1000)")
    c.add_argument("--steps-per-epoch", type=_positive_float, metavar="K", help="add an epoch column")
    c.add_argument("--points", type=_positive_int, default=9, metavar="P",
                   help="evenly spaced steps in the default table (default 9)")
    c.add_argument("--no-plot", action="store_true", help="omit the text plot")
    c.add_argument("--width", type=_positive_int, default=64, help="text plot width in characters (default 64)")
    c.add_argument("--height", type=_positive_int, default=12, help="text plot height in lines (default 12)")
    c.add_argument("--log", action="store_true", help="log-scaled lr axis in the text plot")
    c.add_argument("--json", action="store_true", help="print JSON (schedule, landmarks, steps, lr) instead")
    c.set_defaults(run=_cmd_show)

    # plot
    c = command("plot", "draw schedules to an image file (needs matplotlib: lrfuncs[plot])",
                "Draw one or several schedules (and recorded lr sequences) against the step, with their phase "
                "boundaries, an optional momentum curve on a twin axis and an epoch axis; save the figure.")
    c.add_argument("specs", metavar="SPEC", nargs="+", help=SPEC_HELP)
    c.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="the image to write (format by suffix: .png, .pdf, .svg)")
    c.add_argument("--steps", type=_steps_type, metavar="STEPS",
                   help="N (steps 0..N-1) or START:STOP[:STEP] (default: 10%% past the furthest horizon)")
    c.add_argument("--log", action="store_true", help="log-scaled lr axis")
    c.add_argument("--logx", action="store_true", help="log-scaled step axis")
    c.add_argument("--momentum", metavar="SPEC", help="a momentum schedule drawn on a twin y axis")
    c.add_argument("--steps-per-epoch", type=_positive_float, metavar="K", help="add an epoch axis on top")
    c.add_argument("--recorded", action="append", metavar="FILE",
                   help="overlay recorded values (a JSON list, or numbers separated by commas/whitespace), drawn "
                        "at steps 0, 1, ...; repeatable")
    c.add_argument("--label", action="append", metavar="TEXT",
                   help="legend label, once per curve in order (SPECs, then --recorded files)")
    c.add_argument("--title", help="figure title")
    c.add_argument("--no-marks", action="store_true", help="do not mark landmarks")
    c.set_defaults(run=_cmd_plot)

    # compare
    c = command("compare", "compare two schedules step by step",
                "Tabulate two schedules side by side with their difference, and report the largest difference "
                "over every step of the run (checked with numpy when installed).")
    c.add_argument("spec_a", metavar="SPEC_A", help=SPEC_HELP)
    c.add_argument("spec_b", metavar="SPEC_B", help="the second schedule (same forms as SPEC_A)")
    c.add_argument("--steps", type=_show_steps_type, metavar="STEPS",
                   help="steps to tabulate: 0,100,1000 (or one step) or START:STOP[:STEP]")
    c.add_argument("--total-steps", type=_positive_int, metavar="N",
                   help="steps 0..N-1 are checked (default: 10%% past the later horizon, or 1000)")
    c.add_argument("--points", type=_positive_int, default=9, metavar="P",
                   help="evenly spaced steps in the default table (default 9)")
    c.add_argument("--rtol", type=float, default=1e-12,
                   help="relative tolerance for 'differ' (default 1e-12)")
    c.add_argument("-o", "--output", metavar="PATH", help="also draw both curves to this image")
    c.add_argument("--log", action="store_true", help="log-scaled lr axis in the image")
    c.set_defaults(run=_cmd_compare)

    # lint
    c = command("lint", "check a schedule for the classic mistakes",
                "Check a schedule against the length of training: horizon shorter or much longer than training "
                "(per-epoch vs per-batch), warmup longer than training, final lr above the peak, lr 0 for the "
                "first update, a peak outside the usual range for the optimizer, jumps at phase boundaries.")
    c.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    c.add_argument("--total-steps", type=_positive_int, required=True, metavar="N",
                   help="how many times the schedule is stepped in training (updates, or epochs if stepped per "
                        "epoch)")
    c.add_argument("--steps-per-epoch", type=_positive_float, metavar="K",
                   help="batches per epoch: recognises lengths given in the wrong unit")
    c.add_argument("--optimizer", metavar="NAME", help="check the peak lr against this optimizer's usual range")
    c.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    c.add_argument("--json", action="store_true", help="print the findings as JSON")
    c.set_defaults(run=_cmd_lint)

    # recommend
    c = command("recommend", "choose a schedule with the guide's decision guide",
                "Recommend a schedule for a run (the practitioner's guide's decision guide and warmup table), "
                "with the reasons spelled out.")
    c.add_argument("model_kind", metavar="MODEL_KIND", help="transformer, bert, vit, cnn, mlp, ... (see below)")
    c.add_argument("--total-steps", type=_positive_int, metavar="N", help="optimizer updates in the run")
    c.add_argument("--epochs", type=_positive_int, metavar="E", help="epochs in the run")
    c.add_argument("--steps-per-epoch", type=_positive_int, metavar="K", help="optimizer updates per epoch")
    c.add_argument("--optimizer", default="adamw", metavar="NAME", help="the optimizer (default adamw)")
    c.add_argument("--finetune", action="store_true", help="fine-tuning a pretrained model")
    c.add_argument("--peak-lr", type=_positive_float, metavar="LR", help="use this peak lr")
    c.add_argument("--reproduce-paper", action="store_true", help="reproducing a classic paper (multi-step)")
    c.add_argument("--spec-only", action="store_true", help="print only the schedule's spec (for scripts)")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(run=_cmd_recommend)

    # list
    c = command("list", "list the schedules, aliases and compat constructors",
                "List every registered schedule with its arguments ([optional] ones in brackets), the aliases "
                "accepted in specs and the compat constructors (ns.Name).")
    c.add_argument("--names", action="store_true", help="names only, one per line")
    c.set_defaults(run=_cmd_list)

    # dump
    c = command("dump", "print a schedule as JSON or YAML (Schedule.to_dict)",
                "Print a schedule as a config dict (JSON or YAML) that `lrfuncs show FILE` and "
                "Schedule.from_dict read back: for training configs and checkpoints.")
    c.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    c.add_argument("--format", choices=("json", "yaml"), default="json", help="output format (default json)")
    c.set_defaults(run=_cmd_dump)

    # range-test (when lrfuncs.range_test is installed)
    if importlib.util.find_spec("lrfuncs.range_test") is not None:
        c = command("range-test", "work with a saved LR range test result",
                    "Work with an LR range test result saved as JSON (RangeTestResult.to_dict()).")
        rsub = c.add_subparsers(dest="range_command", metavar="ACTION", required=True)
        r = rsub.add_parser("plot", help="plot the loss against the lr with the suggestion marked",
                            description="Print the suggestions of a saved result and plot it (needs matplotlib).",
                            epilog=_EPILOGS["range-test"], formatter_class=fmt)
        r.add_argument("result", metavar="RESULT", help="a JSON file written from RangeTestResult.to_dict()")
        r.add_argument("-o", "--output", required=True, metavar="PATH", help="the image to write")
        r.add_argument("--suggestion", default="steepest",
                       help="suggestion(s) to mark, comma-separated (steepest, valley, slide, minimum) or 'all'")
        r.set_defaults(run=_cmd_range_test_plot)
    return p
