"""Cross-check, time, tabulate: the engine behind ``python -m benchmarks``.

For every case (numpy curve, JAX curve, scalar steps) each implementation is
built, called once (this call compiles where there is anything to compile, and
its output is checked against lrfuncs' numpy curve), then timed ``repeats``
times with :func:`time.perf_counter`, round-robin with the other
implementations of its case so that a burst of load on the machine hits all of
them alike. The table reports medians and the ratio of lrfuncs' time per step
to the target peer's, measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from . import cases as C

DEFAULT_CURVE = 10_000_000
DEFAULT_SCALAR = 100_000
QUICK_CURVE = 20_000
QUICK_SCALAR = 2_000
DEFAULT_REPEATS = 5
ORDER = ("numpy", "jax", "scalar")

RTOL = 1e-12
ATOL_PEAK = 1e-15

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


class CrossCheckError(AssertionError):
    """An implementation's values differ from lrfuncs': its timing would compare different work."""


# ------------------------------------------------------------------------------------------ checking


def cross_check(case: C.Case, impl: C.Impl, values: Any, reference: np.ndarray) -> float:
    """Raise :class:`CrossCheckError` unless ``values`` equal ``reference`` to float64 rounding.

    Tolerance: ``1e-12 * |ref| + 1e-15 * peak_lr`` elementwise (the absolute part
    covers the last bits of ``1 + cos(x)`` near the end of the cosine, where
    formulas that order ``pi * t / T`` differently cancel differently).
    Returns the largest error relative to the tolerance (<= 1).
    """
    got = np.asarray(values, dtype=np.float64)
    where = f"{case.title}: {impl.label} (N={impl.n:,})"
    if got.shape != reference.shape:
        raise CrossCheckError(f"{where} returned shape {got.shape}, lrfuncs {reference.shape}")
    if not np.all(np.isfinite(got)):
        raise CrossCheckError(f"{where} returned non-finite values")
    err = np.abs(got - reference)
    bound = RTOL * np.abs(reference) + ATOL_PEAK * C.PEAK
    bad = np.flatnonzero(err > bound)
    if bad.size:
        i = int(bad[0])
        raise CrossCheckError(
            f"{where} disagrees with lrfuncs at {bad.size} of {got.size} steps; first at step {i}: "
            f"{got[i]!r} vs lrfuncs {reference[i]!r} (|diff| {err[i]:.3e} > tolerance {bound[i]:.3e}). "
            "Refusing to time implementations that compute different curves."
        )
    return float(np.max(err / bound)) if got.size else 0.0


def reference_curve(n: int) -> np.ndarray:
    from lrfuncs.backends.numpy import curve

    return curve(C.schedule(n), n)


# ------------------------------------------------------------------------------------------- timing


def time_call(thunk: C.Thunk) -> float:
    """Seconds for one call of ``thunk`` (garbage collector off, as in :mod:`timeit`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        out = thunk()
        elapsed = time.perf_counter() - t0
    finally:
        if enabled:
            gc.enable()
    del out
    return elapsed


def run_case(case: C.Case, repeats: int, log: Callable[[str], None]) -> list[dict[str, Any]]:
    ref = reference_curve(case.n)
    thunks = []
    checks = []
    for impl in case.impls:
        log(f"  {case.key}: set-up, first call and cross-check of {impl.label}")
        thunk = impl.make()
        checks.append(cross_check(case, impl, thunk(), ref[: impl.n]))  # also the warm-up call
        thunks.append(thunk)
    times: list[list[float]] = [[] for _ in case.impls]
    idx = list(range(len(case.impls)))
    for r in range(repeats):
        k = r % len(idx)
        for i in idx[k:] + idx[:k]:  # round-robin: every implementation goes first in turn
            times[i].append(time_call(thunks[i]))
    del thunks
    peer_i = case.impls.index(case.peer)
    peer_per_step = statistics.median(times[peer_i]) / case.impls[peer_i].n
    rows = []
    for impl, ts, chk in zip(case.impls, times, checks, strict=True):
        median = statistics.median(ts)
        ratio = (median / impl.n) / peer_per_step
        if impl.role == "lrfuncs":
            result = "PASS" if ratio <= case.target * (1.0 + case.allowance) else "MISS"
        else:
            result = impl.role
        rows.append(
            {
                "case": case.key,
                "title": case.title,
                "implementation": impl.label,
                "role": impl.role,
                "n": impl.n,
                "curve_n": case.n,
                "median_s": median,
                "ns_per_step": median / impl.n * 1e9,
                "ratio_vs_peer": ratio,
                "peer": case.peer.label,
                "target": case.target if impl.role == "lrfuncs" else None,
                "target_text": case.target_text if impl.role == "lrfuncs" else "",
                "result": result,
                "times_s": ts,
                "cross_check_max_err_over_tol": chk,
            }
        )
    return rows


# --------------------------------------------------------------------------------------- machine facts


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_facts() -> dict[str, Any]:
    facts: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "jax": _version("jax"),
        "jaxlib": _version("jaxlib"),
        "optax": _version("optax"),
        "torch": _version("torch"),
        "lrfuncs": _version("lrfuncs"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    jax = sys.modules.get("jax")
    if jax is not None:
        facts["jax_backend"] = jax.default_backend()
        facts["jax_enable_x64"] = bool(jax.config.jax_enable_x64)
    return facts


# ------------------------------------------------------------------------------------------- running


def run(
    curve_size: int = DEFAULT_CURVE,
    scalar_size: int = DEFAULT_SCALAR,
    repeats: int = DEFAULT_REPEATS,
    only: Sequence[str] = ORDER,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Cross-check and time every case; the report as a JSON-able dict. Raises :class:`CrossCheckError`."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    load_before = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    t0 = time.perf_counter()
    for key in ORDER:
        if key not in only:
            continue
        if key == "jax" and C.find_spec("jax") is not None:
            import jax

            jax.config.update("jax_enable_x64", True)  # float64 like numpy and the Python floats
        built = C.BUILDERS[key](scalar_size if key == "scalar" else curve_size)
        if isinstance(built, str):
            skipped.append(built)
            log(f"  {built}")
            continue
        rows += run_case(built, repeats, log)
    return {
        "config": {
            "schedule": "warmup_cosine",
            "peak_lr": C.PEAK,
            "warmup_steps": "N // 50",
            "total_steps": "N",
            "init_lr": 0.0,
            "min_lr": 0.0,
            "curve_size": curve_size,
            "scalar_size": scalar_size,
            "repeats": repeats,
            "dtype": "float64 everywhere (JAX with jax_enable_x64)",
            "cross_check": f"rtol {RTOL:g} + {ATOL_PEAK:g} * peak_lr absolute, vs lrfuncs.backends.numpy.curve",
        },
        "machine": {**machine_facts(), "loadavg_at_start": load_before},
        "rows": rows,
        "skipped": skipped,
        "wall_s": time.perf_counter() - t0,
    }


# ------------------------------------------------------------------------------------------ rendering


def _fmt_time(s: float) -> str:
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def render(report: dict[str, Any]) -> str:
    """The markdown table plus the machine facts and the method, as pasted into README.md."""
    lines = [
        "| case | implementation | N | median | ns/step | ratio vs peer | target | result |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in report["rows"]:
        ratio = f"{r['ratio_vs_peer']:.2f}x"
        if r["role"] == "lrfuncs":
            ratio = f"**{ratio}**"
            result = f"**{r['result']}**"
        else:
            result = r["role"]
        lines.append(
            f"| {r['title']} | {r['implementation']} | {r['n']:,} | {_fmt_time(r['median_s'])} "
            f"| {r['ns_per_step']:.1f} | {ratio} | {r['target_text']} | {result} |"
        )
    m = report["machine"]
    cfg = report["config"]
    versions = ", ".join(
        f"{name} {m[name]}" for name in ("numpy", "jax", "optax", "torch") if m.get(name) is not None
    )
    jax_note = ""
    if "jax_backend" in m:
        jax_note = f"; JAX on {m['jax_backend']} with jax_enable_x64={m['jax_enable_x64']}"
    load = m.get("loadavg_at_start")
    load_note = f"; load average at start {load[0]:.2f}" if load else ""
    lines += [
        "",
        f"Machine: {m['cpu_count']} CPUs ({m['cpu_affinity']} usable), {m['cpu_model']}, {m['platform']}; "
        f"Python {m['python']}, {versions}{jax_note}; "
        f"OPENBLAS_CORETYPE {'=' + m['OPENBLAS_CORETYPE'] if m['OPENBLAS_CORETYPE'] else 'not set'}{load_note}.",
        "",
        f"Curve: `warmup_cosine(peak_lr={cfg['peak_lr']}, warmup_steps=N//50, total_steps=N, init_lr=0.0, "
        "min_lr=0.0)`, all in float64 (JAX too, with x64 enabled). Before timing, every implementation's "
        "values were checked equal to `lrfuncs.backends.numpy.curve` (rtol 1e-12 + 1e-15·peak). "
        f"Median of {cfg['repeats']} calls after one warm-up/compile call, round-robin with the other rows "
        "of the case; JAX calls end with `block_until_ready()`. Ratio = time per step over the peer's "
        "(the case's `target` row), measured in the same run.",
    ]
    for s in report["skipped"]:
        lines.append(f"\n{s}.")
    return "\n".join(lines)


def update_readme(text: str, path: Path = README) -> str:
    """Replace the text between the bench markers of ``path``; returns a note saying what happened."""
    if not path.exists():
        return f"note: {path} does not exist; README not updated"
    content = path.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(content):
        return f"note: {path} has no `{START}` / `{END}` markers; README not updated"
    new = pattern.sub(lambda _: f"{START}\n{text}\n{END}", content, count=1)
    path.write_text(new)
    return f"updated the benchmark table in {path}"


# ------------------------------------------------------------------------------------------------ CLI


def _size(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_integer() or value < 100:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers >= 100, got {text!r}")
    return int(value)


def _sizes(text: str) -> tuple[int, int | None]:
    parts = [p for p in text.split(",") if p.strip()]
    if not 1 <= len(parts) <= 2:
        raise argparse.ArgumentTypeError("--sizes takes CURVE_N[,SCALAR_N], e.g. 1e7,1e5")
    return _size(parts[0]), (_size(parts[1]) if len(parts) == 2 else None)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="lrfuncs vs its peers on a warmup+cosine curve, side by side in one run (ratios, not seconds).",
    )
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        metavar="CURVE_N[,SCALAR_N]",
        help=f"curve length for numpy/JAX and number of scalar steps (default {DEFAULT_CURVE:.0e},"
        f"{DEFAULT_SCALAR:.0e}; scientific notation accepted)",
    )
    p.add_argument(
        "--repeats", type=int, default=None, help=f"timed calls per implementation (default {DEFAULT_REPEATS})"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: N={QUICK_CURVE:,} / {QUICK_SCALAR:,}, 1 repeat (checks everything, times nothing useful)",
    )
    p.add_argument("--only", default=",".join(ORDER), help=f"comma-separated cases to run (default {','.join(ORDER)})")
    p.add_argument("--update-readme", action="store_true", help=f"put the table between {START} and {END} in README.md")
    p.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the full results as JSON")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    only = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = [c for c in only if c not in ORDER]
    if unknown:
        parser().error(f"unknown case(s) {unknown}; choose from {list(ORDER)}")
    curve_n, scalar_n = (QUICK_CURVE, QUICK_SCALAR) if args.quick else (DEFAULT_CURVE, DEFAULT_SCALAR)
    if args.sizes is not None:
        curve_n = args.sizes[0]
        scalar_n = args.sizes[1] if args.sizes[1] is not None else max(100, curve_n // 100)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else DEFAULT_REPEATS)
    if repeats < 1:
        parser().error("--repeats must be >= 1")
    try:
        report = run(curve_n, scalar_n, repeats, only)
    except CrossCheckError as exc:
        print(f"CROSS-CHECK FAILED: {exc}", file=sys.stderr, flush=True)
        return 2
    text = render(report)
    print(text)
    misses = [r["implementation"] for r in report["rows"] if r["result"] == "MISS"]
    print(f"\n{len(report['rows'])} rows in {report['wall_s']:.1f} s; targets missed: {len(misses)}", file=sys.stderr)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}", file=sys.stderr)
    if args.update_readme:
        print(update_readme(text, args.readme), file=sys.stderr)
    return 0
