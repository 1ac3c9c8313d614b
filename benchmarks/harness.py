"""Cross-check, time, tabulate: the engine behind ``python -m benchmarks``.

For every case (numpy curve, JAX curve, scalar steps) each implementation is
built, called once (this call compiles where there is anything to compile, and
its output is checked against lrfuncs' numpy curve), then timed ``repeats``
times with :func:`time.perf_counter`, round-robin with the other
implementations of its case so that a burst of load on the machine hits all of
them alike. A call shorter than ``MIN_SAMPLE_S`` is timed as a loop of calls
lasting about that long (one sample = the loop's mean): a single call of a few
µs is at the mercy of the clock and, for JAX, of whether XLA's worker thread
happens to be awake. The table reports medians and the ratio of lrfuncs' time per step
to the target peer's, measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
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

DEFAULT_SIZES = (1_000, 100_000, 10_000_000)
DEFAULT_LOOP_CAP = 100_000
DEFAULT_INFO_STEPS = 20_000  # torch/HF `.step()` loops and the unbound call: first 20k steps
DEFAULT_BIG = 100_000_000
DEFAULT_TRAIN_STEPS = 20
DEFAULT_DEVICE_STEPS = 100  # fused AdamW steps per call in the device case (~50 µs each on a GPU)
DEFAULT_SWEEP = (1, 100, 10_000)
DEFAULT_SWEEP_N = 10_000
DEFAULT_REPEATS = 5
QUICK_SIZES = (2_000,)
QUICK_LOOP_CAP = 2_000
QUICK_BIG = 200_000
QUICK_TRAIN_STEPS = 2
QUICK_TRAIN_SHAPE = (100, 100)
QUICK_SWEEP = (1, 10)
QUICK_SWEEP_N = 1_000
ORDER = ("numpy", "jax", "scalar", "train", "sweep", "memory", "device")
DEFAULT_ONLY = ORDER[:-1]  # "device" (torch on a GPU) runs when asked: --only device

RTOL = 1e-12
ATOL_PEAK = 1e-15

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


class CrossCheckError(AssertionError):
    """An implementation's values differ from lrfuncs': its timing would compare different work."""


# ------------------------------------------------------------------------------------------ checking


def cross_check(case: C.Case, impl: C.Impl, values: Any, reference: np.ndarray) -> float:
    """Raise :class:`CrossCheckError` unless ``values`` equal ``reference`` to float64 rounding.

    Tolerance: ``case.rtol * |ref| + 1e-15 * case.peak`` elementwise (rtol 1e-12
    unless the case says why not; the absolute part covers the last bits of
    ``1 + cos(x)`` near the end of the cosine, where formulas that order
    ``pi * t / T`` differently cancel differently).
    Returns the largest error relative to the tolerance (<= 1).
    """
    got = np.asarray(values, dtype=np.float64)
    where = f"{case.title}: {impl.label} (N={impl.n:,})"
    if got.shape != reference.shape:
        raise CrossCheckError(f"{where} returned shape {got.shape}, lrfuncs {reference.shape}")
    if not np.all(np.isfinite(got)):
        raise CrossCheckError(f"{where} returned non-finite values")
    got, reference = got.reshape(-1), reference.reshape(-1)
    err = np.abs(got - reference)
    bound = case.rtol * np.abs(reference) + (ATOL_PEAK * case.peak if case.atol is None else case.atol)
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
    """lrfuncs' numpy warmup+cosine curve of length ``n`` (the default reference)."""
    from lrfuncs.backends.numpy import curve

    return curve(C.schedule(n), n)


# ------------------------------------------------------------------------------------------- timing


#: a timed sample lasts at least this long: shorter calls are timed as a loop of calls
MIN_SAMPLE_S = 0.005
MAX_CALLS_PER_SAMPLE = 1 << 14


def time_call(thunk: C.Thunk, calls: int = 1) -> float:
    """Seconds per call over ``calls`` calls of ``thunk`` (garbage collector off, as in :mod:`timeit`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(calls):
            out = thunk()
            del out
        elapsed = time.perf_counter() - t0
    finally:
        if enabled:
            gc.enable()
    return elapsed / calls


def calls_per_sample(thunk: C.Thunk) -> int:
    """How many calls one timed sample of ``thunk`` loops over: 1 if a call lasts ``MIN_SAMPLE_S``.

    Measured twice (one call, then a loop of the first estimate); these calls
    are warm-ups too (a short numpy curve writes its schedule's in-place program
    on its second call).
    """
    calls = 1
    for _ in range(2):
        per_call = time_call(thunk, calls)
        if per_call >= MIN_SAMPLE_S:
            return calls
        calls = min(MAX_CALLS_PER_SAMPLE, math.ceil(MIN_SAMPLE_S / max(per_call, 1e-8)))
    return calls


def run_case(case: C.Case, repeats: int, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """Build, first-call and cross-check every implementation of ``case``, then time them round-robin."""
    refs: dict[int, np.ndarray] = {}
    if case.reference is not None:
        ref = case.reference(case.n)
    else:  # the (first) peer's output is the reference: build and call it first
        first = case.peers[0]
        log(f"  {case.key}: set-up and first call of {first.label} (the reference)")
        ref = np.asarray(first.make()(), dtype=np.float64)
    thunks = []
    checks: list[float | None] = []
    for impl in case.impls:
        log(f"  {case.key}: set-up, first call and cross-check of {impl.label}")
        thunk = impl.make()
        out = thunk()  # also the warm-up (compile) call
        if impl.checked:
            if impl.reference is not None:
                expected = refs.setdefault(id(impl.reference), impl.reference(case.n))
            else:
                expected = ref
            sliced = case.reference is not None or impl.reference is not None
            checks.append(cross_check(case, impl, out, expected[: impl.n] if sliced else expected))
        else:
            checks.append(None)
        del out
        thunks.append(thunk)
    del ref, refs
    reps = case.repeats if case.repeats and repeats > 1 else repeats  # --quick (1 repeat) stays 1
    loops = [calls_per_sample(t) if reps > 1 and case.loop else 1 for t in thunks]
    times: list[list[float]] = [[] for _ in case.impls]
    idx = list(range(len(case.impls)))
    for r in range(reps):
        k = r % len(idx)
        for i in idx[k:] + idx[:k]:  # round-robin: every implementation goes first in turn
            times[i].append(time_call(thunks[i], loops[i]))
    del thunks
    per_step = [statistics.median(ts) / impl.n for impl, ts in zip(case.impls, times, strict=True)]
    peer_i = min((i for i, impl in enumerate(case.impls) if impl.role == "peer"), key=lambda i: per_step[i])
    peer_per_step = per_step[peer_i]
    rows = []
    for impl, ts, chk, calls in zip(case.impls, times, checks, loops, strict=True):
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
                "peer": case.impls[peer_i].label,
                "target": case.target if impl.role == "lrfuncs" else None,
                "target_text": case.target_text if impl.role == "lrfuncs" else "",
                "result": result,
                "times_s": ts,
                "calls_per_sample": calls,
                "checked": impl.checked,
                "cross_check_max_err_over_tol": chk,
                "note": impl.note or (case.note if impl.role == "lrfuncs" else ""),
            }
        )
    return rows


# ------------------------------------------------------------------------------------------- memory

MEMORY_SCRIPT = """
import resource, sys
import numpy as np
import lrfuncs
from lrfuncs.backends.numpy import curve
from benchmarks import cases as C


def high_water():
    # VmHWM: this process's own peak RSS. ru_maxrss is not used where VmHWM exists: Linux carries the
    # parent's ru_maxrss over fork + exec, so a child of a big parent would report no growth at all.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


n, kind = int(sys.argv[1]), sys.argv[2]
s = C.schedule(n)
curve(s, 1000)  # import/warm everything that is imported lazily
C.handtuned_numpy(1000, 20, C.PEAK); C.naive_numpy(1000, 20, C.PEAK)
base = high_water()
if kind == "lrfuncs":
    out = curve(s, n)
elif kind == "handtuned":
    out = C.handtuned_numpy(n, n // 50, C.PEAK)
else:
    out = C.naive_numpy(n, n // 50, C.PEAK)
print(high_water() - base, out.nbytes)
"""

MEMORY_KINDS = (
    ("lrfuncs", "lrfuncs", "`lrfuncs.backends.numpy.curve(s, N)`"),
    ("handtuned", "info", "hand-tuned in-place numpy (`out=`)"),
    ("naive", "info", "naive numpy `np.where(...)` one-liner"),
)
MEMORY_TARGET = 1.25


def mem_available() -> int | None:
    """Bytes of MemAvailable in /proc/meminfo (None where unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def run_memory(n: int, log: Callable[[str], None]) -> tuple[list[dict[str, Any]], list[str]]:
    """Peak resident-set growth of a float64 curve of ``n`` steps, each in a fresh subprocess."""
    import subprocess

    rows, skipped = [], []
    avail = mem_available()
    for kind, role, label in MEMORY_KINDS:
        need = (6 if kind == "naive" else 2) * 8 * n + (1 << 30)
        if avail is not None and avail < need:
            skipped.append(
                f"memory row `{kind}` at N={n:,} skipped: {avail / 2**30:.1f} GiB available, needs ~{need / 2**30:.1f}"
            )
            log(f"  {skipped[-1]}")
            continue
        log(f"  memory: {label} at N={n:,} in a fresh subprocess")
        proc = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, str(n), kind],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"memory subprocess for {kind} failed: {proc.stderr[-2000:]}")
        grown, nbytes = (int(x) for x in proc.stdout.split()[-2:])
        ratio = grown / nbytes
        result = ("PASS" if ratio < MEMORY_TARGET else "MISS") if role == "lrfuncs" else role
        rows.append(
            {
                "case": "memory",
                "implementation": label,
                "role": role,
                "n": n,
                "peak_rss_growth_bytes": grown,
                "output_bytes": nbytes,
                "ratio_vs_output": ratio,
                "target_text": f"< {MEMORY_TARGET}x output" if role == "lrfuncs" else "",
                "result": result,
            }
        )
    return rows, skipped


# ------------------------------------------------------------------------------------- derived targets

LOOP_TARGET = 20.0


def derived_targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """numpy curve >= 20x faster per step than every per-step loop of the same schedule (loops at <= loop cap)."""
    out = []
    for r in rows:
        if r["role"] != "lrfuncs" or not r["case"].startswith("numpy/") or r["case"] == "numpy/big":
            continue
        name = r["case"].split("/", 1)[1]
        loops = [x for x in rows if x["case"] == f"scalar/{name}"]
        if not loops:
            continue
        # the per-step case nearest to this N (loops run at min(N, loop cap): per-step cost is ~flat in N)
        sizes = sorted({x["curve_n"] for x in loops}, key=lambda m: (abs(math.log(m / r["n"])), -m))
        at = [x for x in loops if x["curve_n"] == sizes[0]]
        fastest = min(at, key=lambda x: x["ns_per_step"])
        speedup = fastest["ns_per_step"] / r["ns_per_step"]
        extrapolated = ", per step, extrapolated" if fastest["curve_n"] != r["n"] else ""
        # what numpy allows: the hand-tuned in-place formula's own speed-up over that loop
        tuned = [x for x in rows if x["case"] == r["case"] and x["role"] == "peer" and x["n"] == r["n"]]
        bound = ""
        if tuned:
            bound = f"; the hand-tuned in-place formula: {fastest['ns_per_step'] / tuned[0]['ns_per_step']:.3g}x"
        out.append(
            {
                "target": f"{r['title']} at N={r['n']:,} ≥ {LOOP_TARGET:g}x faster than every per-step loop",
                "value": speedup,
                "text": f"{speedup:.3g}x faster than the fastest loop ({fastest['implementation']}, "
                f"measured at N={fastest['curve_n']:,}{extrapolated}){bound}",
                "result": "PASS" if speedup >= LOOP_TARGET else "MISS",
            }
        )
    return out


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
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        facts["cuda_device"] = torch.cuda.get_device_name(0)
        facts["torch_cuda"] = torch.version.cuda
    return facts


# ------------------------------------------------------------------------------------------- running


def run(
    sizes: Sequence[int] = DEFAULT_SIZES,
    repeats: int = DEFAULT_REPEATS,
    only: Sequence[str] = DEFAULT_ONLY,
    log: Callable[[str], None] | None = None,
    *,
    loop_cap: int = DEFAULT_LOOP_CAP,
    big: int = DEFAULT_BIG,
    schedules: Sequence[str] = C.SCHEDULES,
    train_steps: int = DEFAULT_TRAIN_STEPS,
    train_shape: tuple[int, int] = C.TRAIN_SHAPE,
    sweep: Sequence[int] = DEFAULT_SWEEP,
    sweep_n: int = DEFAULT_SWEEP_N,
    torch_compile: str | None = None,
    device: str | None = None,
    device_steps: int = DEFAULT_DEVICE_STEPS,
) -> dict[str, Any]:
    """Cross-check and time every case; the report as a JSON-able dict. Raises :class:`CrossCheckError`.

    Curves run at every N in ``sizes``; per-step loops at ``min(N, loop_cap)``;
    ``big`` (0: none) adds a numpy-only curve and the peak-memory rows at that N.
    ``device`` ("cuda", "cpu"; None: CUDA if available, else skipped): where the "device" group runs.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    load_before = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    rows: list[dict[str, Any]] = []
    memory: list[dict[str, Any]] = []
    skipped: list[str] = []
    t0 = time.perf_counter()
    if C.find_spec("jax") is not None and any(k in only for k in ("jax", "train", "sweep")):
        import jax

        jax.config.update("jax_enable_x64", True)  # float64 like numpy and the Python floats

    def add(built: C.Case | str) -> None:
        nonlocal rows
        if isinstance(built, str):
            skipped.append(built)
            log(f"  {built}")
            return
        for s in built.skipped:
            skipped.append(s)
            log(f"  {s}")
        rows += run_case(built, repeats, log)

    loop_sizes = sorted({min(n, loop_cap) for n in sizes})
    for name in schedules:
        if "numpy" in only:
            for n in sizes:
                tc = torch_compile if name == schedules[0] and n == max(sizes) else None
                add(C.numpy_case(n, name, torch_compile=tc))
        if "jax" in only:
            for n in sizes:
                add(C.jax_case(n, name))
        if "scalar" in only:
            for m in loop_sizes:
                add(C.scalar_case(m, name, info_steps=min(m, DEFAULT_INFO_STEPS)))
    if "numpy" in only:
        skipped.append(
            f"`torch.compile` of `lrfuncs.backends.torch.curve` timed only for {C.TITLES[schedules[0]]} at "
            f"N={max(sizes):,} (it compiles once per schedule and N, ~15 s each on this CPU)"
            if torch_compile
            else "`torch.compile` of `lrfuncs.backends.torch.curve` not timed in this run (off in --quick and "
            "with --no-torch-compile: ~15 s of compilation per schedule and N)"
        )
    if "numpy" in only and big:
        avail = mem_available()
        if avail is not None and avail < 4 * 8 * big + (1 << 30):
            skipped.append(f"numpy curve at N={big:,} skipped: only {avail / 2**30:.1f} GiB available")
        else:
            add(C.big_case(big))
    if "train" in only:
        add(C.train_jax_case(train_steps, train_shape))
        add(C.train_torch_case(train_steps, train_shape))
    if "sweep" in only:
        for k in sweep:
            add(C.sweep_case(k, sweep_n))
    if "memory" in only and big:
        mem_rows, mem_skipped = run_memory(big, log)
        memory += mem_rows
        skipped += mem_skipped
    if "device" in only:
        add(C.device_case(device_steps, train_shape, device))
    return {
        "config": {
            "schedules": list(schedules),
            "peak_lr": C.PEAK,
            "warmup_cosine": "warmup_steps=N//50, total_steps=N, init_lr=0.0, min_lr=0.0",
            "onecycle": f"total_steps=N, {C.ONECYCLE}, anneal cos (torch convention; JAX case: optax convention)",
            "sgdr": f"cosine_restarts(cycle_steps=N//{C.SGDR_CYCLES}, cycle_mult=1, min_lr=0.0)",
            "sizes": list(sizes),
            "loop_cap": loop_cap,
            "info_steps": DEFAULT_INFO_STEPS,
            "big": big,
            "train_steps": train_steps,
            "train_params": train_shape[0] * train_shape[1] + train_shape[1],
            "device": device,
            "device_steps": device_steps,
            "sweep": list(sweep),
            "sweep_n": sweep_n,
            "repeats": repeats,
            "dtype": "float64 everywhere (JAX with jax_enable_x64)",
            "cross_check": f"rtol {RTOL:g} + {ATOL_PEAK:g} * peak_lr absolute, vs lrfuncs.backends.numpy.curve",
        },
        "machine": {**machine_facts(), "loadavg_at_start": load_before},
        "rows": rows,
        "memory": memory,
        "derived": derived_targets(rows),
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


def _train_shares(rows: list[dict[str, Any]]) -> list[str]:
    """The scheduler's share of a training step: (with - baseline) / with, for the training cases."""
    lines = []
    for key in ("train/jax", "train/torch", "device/torch"):
        case = [r for r in rows if r["case"] == key]
        base = [r for r in case if r["role"] == "baseline"]
        if not base:
            continue
        b = base[0]["ns_per_step"]
        parts = []
        for r in case:
            if r["role"] == "baseline":
                continue
            extra = r["ns_per_step"] - b
            parts.append(
                f"{r['implementation']}: {extra / 1e3:+.1f} µs/step ({extra / r['ns_per_step']:+.1%} of the step)"
            )
        lines.append(f"- {case[0]['title']}, schedule's cost over {base[0]['implementation']}: " + "; ".join(parts))
    return lines


def render(report: dict[str, Any]) -> str:
    """The markdown tables plus the machine facts and the method, as pasted into README.md."""
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
            result = r["role"] if r["checked"] else f"{r['role']} (not same values)"
        n = (
            f"{r['n']:,}"
            if r["n"] == r["curve_n"] or r["case"].startswith(("sweep", "train"))
            else f"{r['n']:,} of {r['curve_n']:,}"
        )
        lines.append(
            f"| {r['title']} | {r['implementation']} | {n} | {_fmt_time(r['median_s'])} "
            f"| {r['ns_per_step']:.1f} | {ratio} | {r['target_text']} | {result} |"
        )
    if report.get("memory"):
        lines += [
            "",
            "| peak memory (fresh process) | N | output | RSS growth | ratio vs output | target | result |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        for r in report["memory"]:
            res = f"**{r['result']}**" if r["role"] == "lrfuncs" else r["role"]
            lines.append(
                f"| {r['implementation']} | {r['n']:,} | {r['output_bytes'] / 1e6:.0f} MB "
                f"| {r['peak_rss_growth_bytes'] / 1e6:.0f} MB | {r['ratio_vs_output']:.2f}x "
                f"| {r['target_text']} | {res} |"
            )
    if report.get("derived"):
        lines += ["", "Per-step loops vs the numpy curve (target: the curve ≥ 20x faster than any loop):", ""]
        for d in report["derived"]:
            lines.append(f"- {d['target']}: {d['text']} — **{d['result']}**")
    shares = _train_shares(report["rows"])
    if shares:
        lines += ["", "The schedule's share of a training step:", "", *shares]
    notes = sorted({r["note"] for r in report["rows"] if r.get("note")})
    m = report["machine"]
    cfg = report["config"]
    versions = ", ".join(f"{name} {m[name]}" for name in ("numpy", "jax", "optax", "torch") if m.get(name) is not None)
    jax_note = ""
    if "jax_backend" in m:
        jax_note = f"; JAX on {m['jax_backend']} with jax_enable_x64={m['jax_enable_x64']}"
    if "cuda_device" in m:
        jax_note += f"; GPU: {m['cuda_device']} (torch CUDA {m.get('torch_cuda')})"
    load = m.get("loadavg_at_start")
    load_note = f"; load average at start {load[0]:.2f}" if load else ""
    lines += [
        "",
        f"Machine: {m['cpu_count']} CPUs ({m['cpu_affinity']} usable), {m['cpu_model']}, {m['platform']}; "
        f"Python {m['python']}, {versions}{jax_note}; "
        f"OPENBLAS_CORETYPE {'=' + m['OPENBLAS_CORETYPE'] if m['OPENBLAS_CORETYPE'] else 'not set'}{load_note}.",
        "",
        f"Curves (peak_lr={cfg['peak_lr']}): warmup+cosine `warmup_cosine({cfg['warmup_cosine']})`; one-cycle "
        f"`onecycle({cfg['onecycle']})`; SGDR `{cfg['sgdr']}`; all in float64 (JAX too, with x64 enabled). "
        "Before timing, every implementation's values were checked equal to lrfuncs' numpy curve of the same "
        "schedule (rtol 1e-12 + 1e-15·peak; training rows: the parameters after the updates, vs the peer's; "
        "sweeps: vs the loop), except rows marked *not same values* (limits and baselines, which compute "
        "something else on purpose). "
        f"Median of {cfg['repeats']} samples (3 for the largest arrays, {C.TRAIN_REPEATS} for the "
        "training steps, whose 3 ms are noisy on a shared machine), round-robin with the other rows of the "
        f"case, after one warm-up/compile call; a sample is one call, or for calls under {MIN_SAMPLE_S * 1e3:g} "
        f"ms the mean of a loop of calls lasting about {MIN_SAMPLE_S * 1e3:g} ms (its length set by two "
        "calibration loops, also untimed warm-ups); JAX calls end with `block_until_ready()`. Ratio = time "
        "per step over the peer's (the case's `peer` row), measured in the same run. Per-step loops run at "
        f"N ≤ {cfg['loop_cap']:,} (torch/HF `.step()` rows and the unbound call: first {cfg['info_steps']:,} "
        "steps, shown as *n of N*); their cost per step is flat in N, so comparisons with longer curves are "
        f"per step, extrapolated. Training: {cfg['train_steps']} updates per call on "
        f"{cfg['train_params']:,} float64 parameters. Peak memory: growth of the peak resident set (`VmHWM`) "
        "in a fresh Python process, after imports and a warm-up call.",
    ]
    for note in notes:
        lines.append(f"\nNote: {note}.")
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


def _sizes(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not 1 <= len(parts) <= 6:
        raise argparse.ArgumentTypeError("--sizes takes 1 to 6 comma-separated curve lengths, e.g. 1e3,1e5,1e7")
    return tuple(_size(p) for p in parts)


def _counts(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(float(p)) for p in text.split(",") if p.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"counts must be >= 1, got {text!r}")
    return values


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="lrfuncs vs its peers on warmup+cosine, one-cycle and SGDR, side by side in one run "
        "(ratios, not seconds).",
    )
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        metavar="N[,N...]",
        help="curve lengths (default 1e3,1e5,1e7; scientific notation accepted); per-step loops run at "
        "min(N, --loop-cap)",
    )
    p.add_argument(
        "--loop-cap", type=_size, default=None, help=f"largest N for per-step loops (default {DEFAULT_LOOP_CAP:.0e})"
    )
    p.add_argument(
        "--big",
        type=int,
        default=None,
        help=f"N of the numpy-only curve and the peak-memory rows (default {DEFAULT_BIG:.0e}; 0: none)",
    )
    p.add_argument("--sweep", type=_counts, default=None, help="config counts K of the sweeps (default 1,100,10000)")
    p.add_argument(
        "--train-steps",
        type=int,
        default=None,
        help=f"updates per training call (default {DEFAULT_TRAIN_STEPS}; device group: {DEFAULT_DEVICE_STEPS})",
    )
    p.add_argument("--schedules", default=",".join(C.SCHEDULES), help=f"subset of {','.join(C.SCHEDULES)}")
    p.add_argument(
        "--no-torch-compile",
        action="store_true",
        help="skip the torch.compile row (on by default except in --quick: ~15 s to compile)",
    )
    p.add_argument(
        "--repeats", type=int, default=None, help=f"timed calls per implementation (default {DEFAULT_REPEATS})"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: tiny N everywhere, 1 repeat (checks everything, times nothing useful)",
    )
    p.add_argument(
        "--only",
        default=",".join(DEFAULT_ONLY),
        help=f"comma-separated groups to run, of {','.join(ORDER)} (default {','.join(DEFAULT_ONLY)})",
    )
    p.add_argument(
        "--device",
        choices=("auto", "cuda", "cpu"),
        default="auto",
        help="where the `device` group runs (auto: CUDA if available; else skipped, or on the CPU with --quick)",
    )
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
    schedules = [c.strip() for c in args.schedules.split(",") if c.strip()]
    bad = [c for c in schedules if c not in C.SCHEDULES]
    if bad or not schedules:
        parser().error(f"unknown schedule(s) {bad}; choose from {list(C.SCHEDULES)}")
    q = args.quick
    sizes = args.sizes or (QUICK_SIZES if q else DEFAULT_SIZES)
    repeats = args.repeats if args.repeats is not None else (1 if q else DEFAULT_REPEATS)
    if repeats < 1:
        parser().error("--repeats must be >= 1")
    kw: dict[str, Any] = {
        "loop_cap": args.loop_cap or (QUICK_LOOP_CAP if q else DEFAULT_LOOP_CAP),
        "big": args.big if args.big is not None else (QUICK_BIG if q else DEFAULT_BIG),
        "schedules": schedules,
        "train_steps": args.train_steps or (QUICK_TRAIN_STEPS if q else DEFAULT_TRAIN_STEPS),
        "train_shape": QUICK_TRAIN_SHAPE if q else C.TRAIN_SHAPE,
        "sweep": args.sweep or (QUICK_SWEEP if q else DEFAULT_SWEEP),
        "sweep_n": QUICK_SWEEP_N if q else DEFAULT_SWEEP_N,
        "torch_compile": None if (q or args.no_torch_compile) else "inductor",
        "device": None if args.device == "auto" else args.device,
        "device_steps": args.train_steps or (QUICK_TRAIN_STEPS if q else DEFAULT_DEVICE_STEPS),
    }
    if "device" in only and C.find_spec("torch") is not None:
        import torch

        if args.device == "cuda" and not torch.cuda.is_available():
            parser().error("--device cuda: torch.cuda.is_available() is False")
        if args.device == "auto" and q and not torch.cuda.is_available():
            kw["device"] = "cpu"  # --quick checks everything: the device case's code runs on the CPU
    if kw["big"] and kw["big"] < 100:
        parser().error("--big must be 0 or >= 100")
    try:
        report = run(sizes, repeats, only, **kw)
    except CrossCheckError as exc:
        print(f"CROSS-CHECK FAILED: {exc}", file=sys.stderr, flush=True)
        return 2
    text = render(report)
    print(text)
    misses = [r["implementation"] for r in report["rows"] + report["memory"] if r["result"] == "MISS"]
    misses += [d["target"] for d in report["derived"] if d["result"] == "MISS"]
    print(f"\n{len(report['rows'])} rows in {report['wall_s']:.1f} s; targets missed: {len(misses)}", file=sys.stderr)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}", file=sys.stderr)
    if args.update_readme:
        print(update_readme(text, args.readme), file=sys.stderr)
    return 0
