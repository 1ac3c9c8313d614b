"""Smoke test of ``python -m benchmarks``: every case runs once at tiny N, and peers that disagree are refused.

The benchmark is run in ``--quick`` mode (tiny N, one repeat) in-process, so
every case (numpy/JAX curves and per-step loops for warmup+cosine, one-cycle
and SGDR, the large-N numpy curve, both training loops, the config sweeps and
the peak-memory subprocesses) is built, called and cross-checked. No timing is
asserted here: speed is reported by ``make bench`` as ratios measured side by
side, never checked in tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `benchmarks` is a top-level package of the repository, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import CrossCheckError, cases, harness  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")  # torch/optax deprecation chatter is not under test


def expected_cases() -> list[cases.Case]:
    """Every case the quick run must report, in order, as built for the quick sizes."""
    out: list = []
    for name in cases.SCHEDULES:
        out += [cases.numpy_case(n, name) for n in harness.QUICK_SIZES]
        out += [cases.jax_case(n, name) for n in harness.QUICK_SIZES]
        out += [cases.scalar_case(min(n, harness.QUICK_LOOP_CAP), name) for n in harness.QUICK_SIZES]
    out.append(cases.big_case(harness.QUICK_BIG))
    out.append(cases.train_jax_case(harness.QUICK_TRAIN_STEPS, harness.QUICK_TRAIN_SHAPE))
    out.append(cases.train_torch_case(harness.QUICK_TRAIN_STEPS, harness.QUICK_TRAIN_SHAPE))
    out += [cases.sweep_case(k, harness.QUICK_SWEEP_N) for k in harness.QUICK_SWEEP]
    for c in out:
        assert not isinstance(c, str), c  # jax, optax, torch, transformers and lrsched are test requirements
    return out


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One ``--quick`` run through ``main``: its exit code, stdout, stderr, JSON report and README."""
    tmp = tmp_path_factory.mktemp("bench")
    readme = tmp / "README.md"
    readme.write_text(f"# title\n\nbefore\n{harness.START}\nold table\n{harness.END}\nafter\n")
    results = tmp / "bench.json"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = harness.main(["--quick", "--json", str(results), "--update-readme", "--readme", str(readme)])
    report = json.loads(results.read_text()) if results.exists() else None
    return rc, out.getvalue(), err.getvalue(), report, readme


def test_quick_run_reports_every_case_cross_checked(quick):
    rc, _out, err, report, _ = quick
    assert rc == 0, err
    assert "CROSS-CHECK FAILED" not in err
    rows = report["rows"]
    assert report["config"]["repeats"] == 1
    # the only thing not run in --quick is torch.compile (opt-in, ~15 s of compilation per N)
    assert [s for s in report["skipped"] if "torch.compile" not in s] == []
    expected = expected_cases()
    assert [(r["case"], r["implementation"]) for r in rows] == [(c.key, i.label) for c in expected for i in c.impls]
    by_label = {(c.key, i.label): (c, i) for c in expected for i in c.impls}
    for r in rows:
        _case, impl = by_label[(r["case"], r["implementation"])]
        assert r["checked"] is impl.checked
        if impl.checked:
            # every implementation that claims the same values was checked against the reference before timing
            assert 0.0 <= r["cross_check_max_err_over_tol"] <= 1.0, r
        else:
            assert r["cross_check_max_err_over_tol"] is None
            assert r["role"] in ("limit", "baseline")
        assert r["median_s"] > 0, r
        assert np.isfinite(r["ratio_vs_peer"]), r
        assert len(r["times_s"]) == 1
    subjects = [r for r in rows if r["role"] == "lrfuncs"]
    assert [r["case"] for r in subjects] == [c.key for c in expected]  # one target per case
    assert all(r["result"] in ("PASS", "MISS") for r in subjects)  # reported, not asserted: no timing checks
    assert all(r["ratio_vs_peer"] == 1.0 for r in rows if r["role"] == "peer")

    # every schedule has numpy, JAX and per-step cases; lrfuncs' one-cycle meets optax only in optax's convention
    keys = {r["case"] for r in rows}
    for name in cases.SCHEDULES:
        assert {f"numpy/{name}", f"jax/{name}", f"scalar/{name}"} <= keys
    assert any("optax convention" in r["title"] for r in rows if r["case"] == "jax/onecycle")
    labels = " ".join(r["implementation"] for r in rows)
    for peer in (
        "OneCycleLR",
        "CosineAnnealingWarmRestarts",
        "get_cosine_schedule_with_warmup",
        "lrsched",
        "torch.curve",
        "np.cos",
        "memory write",
        "sgdr_schedule",
        "cosine_onecycle_schedule",
    ):
        assert peer in labels, peer

    # the memory rows ran in subprocesses; the derived loop-vs-curve targets cover every schedule
    assert [m["implementation"] for m in report["memory"]] == [k[2] for k in harness.MEMORY_KINDS]
    lrfuncs_mem = report["memory"][0]
    assert lrfuncs_mem["peak_rss_growth_bytes"] >= 0.5 * lrfuncs_mem["output_bytes"]  # it measured something
    for m in report["memory"]:
        assert m["n"] == harness.QUICK_BIG
        assert m["output_bytes"] == 8 * harness.QUICK_BIG
        assert m["peak_rss_growth_bytes"] >= 0
    assert len(report["derived"]) == len(cases.SCHEDULES) * len(harness.QUICK_SIZES)
    assert all(d["result"] in ("PASS", "MISS") and d["value"] > 0 for d in report["derived"])


def test_quick_run_prints_and_writes_the_table(quick):
    rc, out, _, report, readme = quick
    assert rc == 0
    rows = report["rows"]
    table = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| case")]
    table = [line for line in table if not line.startswith("| peak memory")]
    assert len(table) == len(rows) + len(report["memory"])
    for r in rows:
        assert any(r["implementation"] in line and f"{r['n']:,}" in line for line in table), r["implementation"]
    for fact in (
        "Machine:",
        "CPUs",
        "numpy ",
        "jax ",
        "OPENBLAS_CORETYPE",
        "jax_enable_x64=True",
        "share of a training",
    ):
        assert fact in out
    # --update-readme replaced exactly the text between the markers
    new = readme.read_text()
    assert "old table" not in new
    assert new.startswith("# title\n\nbefore\n" + harness.START + "\n| case |")
    assert new.endswith(harness.END + "\nafter\n")
    assert out.strip() in new


def test_readme_without_markers_is_left_alone(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers here\n")
    note = harness.update_readme("| table |", readme)
    assert "has no" in note
    assert readme.read_text() == "# no markers here\n"
    assert "does not exist" in harness.update_readme("| table |", tmp_path / "missing.md")


def _run(only, **kw):
    return harness.run([1000], 1, only, lambda _: None, big=0, **kw)


def test_disagreeing_peer_fails_loudly(monkeypatch, capsys):
    right = cases.handtuned_numpy

    def wrong(n, w, peak):  # off by one part in 1e9: a different curve, whatever its speed
        return right(n, w, peak) * (1.0 + 1e-9)

    monkeypatch.setattr(cases, "handtuned_numpy", wrong)
    with pytest.raises(CrossCheckError, match=r"hand-tuned in-place numpy .* disagrees with lrfuncs at \d+ of"):
        _run(["numpy"], schedules=["warmup_cosine"])

    rc = harness.main(["--quick", "--only", "numpy", "--schedules", "warmup_cosine", "--big", "0"])
    out, err = capsys.readouterr()
    assert rc == 2
    assert "CROSS-CHECK FAILED" in err
    assert "disagrees with lrfuncs" in err
    assert "| case |" not in out  # nothing is timed or tabulated


@pytest.mark.parametrize(
    ("target", "schedule", "only"),
    [
        ("handtuned_onecycle", "onecycle", "numpy"),
        ("handtuned_sgdr", "sgdr", "numpy"),
        ("optax_onecycle", "onecycle", "jax"),
        ("optax_sgdr", "sgdr", "jax"),
        ("math_lambda", "sgdr", "scalar"),
    ],
)
def test_every_schedule_cross_checks_its_peers(monkeypatch, target, schedule, only):
    right = getattr(cases, target)

    def wrong(*args):
        got = right(*args)
        if callable(got) and not isinstance(got, np.ndarray):
            return lambda *a: np.asarray(got(*a)) * (1.0 + 1e-9)
        return got * (1.0 + 1e-9)

    monkeypatch.setattr(cases, target, wrong)
    with pytest.raises(CrossCheckError, match="disagrees with lrfuncs"):
        _run([only], schedules=[schedule])


def test_training_and_sweep_peers_are_cross_checked(monkeypatch):
    # the torch training case compares the parameters after the updates: a wrong lr changes them
    monkeypatch.setattr(cases, "get_warmup_cosine_scheduler", lambda opt, w, t, min_lr_ratio: _half(opt))
    with pytest.raises(CrossCheckError, match="AdamW"):
        harness.run_case(cases.train_torch_case(2, (20, 20)), 1, lambda _: None)
    monkeypatch.undo()

    loop = cases.sweep_loop
    monkeypatch.setattr(cases, "sweep_loop", lambda k, n: loop(k, n)[::-1].copy())  # configs in the wrong order
    with pytest.raises(CrossCheckError, match=r"K=5 .*curve\(warmup_cosine, N, peak_lr=\(K,1\)"):
        harness.run_case(cases.sweep_case(5, 500), 1, lambda _: None)


def _half(opt):
    import torch

    return torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5)


def test_torch_compile_row_is_cross_checked():
    # the full run compiles with inductor (~15 s); the eager backend runs the same dynamo trace in ~2 s
    rows = harness.run_case(cases.numpy_case(1000, "warmup_cosine", torch_compile="eager"), 1, lambda _: None)
    (row,) = [r for r in rows if "torch.compile" in r["implementation"]]
    assert row["checked"]
    assert 0.0 <= row["cross_check_max_err_over_tol"] <= 1.0


def test_cross_check_tolerance_is_float64_rounding():
    case = cases.numpy_case(1000)
    ref = harness.reference_curve(1000)
    assert harness.cross_check(case, case.peer, ref * (1 + 5e-13), ref) <= 1.0
    with pytest.raises(CrossCheckError, match="shape"):
        harness.cross_check(case, case.peer, ref[:-1], ref)
    bad = ref.copy()
    bad[7] = np.nan
    with pytest.raises(CrossCheckError, match="non-finite"):
        harness.cross_check(case, case.peer, bad, ref)


def test_derived_loop_target_uses_the_fastest_loop():
    rows = [
        {"case": "numpy/sgdr", "role": "lrfuncs", "title": "SGDR: numpy curve", "n": 10_000_000, "ns_per_step": 2.0},
        {"case": "scalar/sgdr", "role": "peer", "implementation": "a", "curve_n": 100_000, "ns_per_step": 100.0},
        {"case": "scalar/sgdr", "role": "info", "implementation": "b", "curve_n": 100_000, "ns_per_step": 30.0},
        {"case": "scalar/sgdr", "role": "info", "implementation": "c", "curve_n": 1_000, "ns_per_step": 1.0},
    ]
    (d,) = harness.derived_targets(rows)
    assert d["value"] == 15.0
    assert d["result"] == "MISS"
    assert "(b, measured at N=100,000, per step, extrapolated)" in d["text"]
    rows.append({"case": "numpy/sgdr", "role": "peer", "implementation": "tuned", "n": 1_000, "ns_per_step": 3.0})
    rows.append({"case": "numpy/sgdr", "role": "peer", "implementation": "tuned", "n": 10_000_000, "ns_per_step": 1.5})
    (d,) = harness.derived_targets(rows)
    assert d["text"].endswith("; the hand-tuned in-place formula: 20x")  # what numpy allows against that loop


def test_short_calls_are_timed_as_loops(monkeypatch):
    clock = {"now": 0.0}
    monkeypatch.setattr(harness.time, "perf_counter", lambda: clock["now"])
    calls = []

    def thunk(cost):
        def call():
            calls.append(cost)
            clock["now"] += cost

        return call

    assert harness.calls_per_sample(thunk(2 * harness.MIN_SAMPLE_S)) == 1  # one call is a whole sample
    assert calls == [2 * harness.MIN_SAMPLE_S]  # measured once
    calls.clear()
    n = harness.calls_per_sample(thunk(harness.MIN_SAMPLE_S / 100))
    assert 100 <= n <= 101  # (the fake clock's sums round)
    assert 101 <= len(calls) <= 102  # one call, then a loop of the estimate (both untimed warm-ups)
    assert harness.time_call(thunk(1e-6), 50) == pytest.approx(1e-6)  # seconds per call over the loop
    assert harness.calls_per_sample(thunk(0.0)) == harness.MAX_CALLS_PER_SAMPLE  # capped


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sizes", "12"], "sizes must be whole numbers >= 100"),
        (["--sizes", "abc"], "not a number"),
        (["--only", "torch"], "unknown case"),
        (["--schedules", "linear"], "unknown schedule"),
        (["--sweep", "0"], "counts must be >= 1"),
        (["--big", "5"], "--big must be 0 or >= 100"),
        (["--repeats", "0"], "--repeats must be >= 1"),
    ],
)
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        harness.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_sizes_accepts_a_list():
    assert harness.parser().parse_args(["--sizes", "1e3,1e5,1e7"]).sizes == (1_000, 100_000, 10_000_000)


def test_module_entry_point():
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    for flag in ("--sizes", "--repeats", "--quick", "--update-readme", "--json", "--only", "--big", "--sweep"):
        assert flag in proc.stdout


# ------------------------------------------------------------------------------------- device case (issue #7)


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def test_device_quick_run_on_cpu_is_built_run_and_cross_checked(tmp_path):
    # the GPU case's own code at tiny sizes on the CPU (--device cpu), through main as on a GPU machine
    results = tmp_path / "device.json"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = harness.main(["--quick", "--only", "device", "--device", "cpu", "--json", str(results)])
    assert rc == 0, err.getvalue()
    report = json.loads(results.read_text())
    rows = report["rows"]
    expected = cases.device_case(harness.QUICK_TRAIN_STEPS, harness.QUICK_TRAIN_SHAPE, "cpu")
    assert [(r["case"], r["implementation"], r["role"]) for r in rows] == [
        (expected.key, i.label, i.role) for i in expected.impls
    ]
    assert [r["role"] for r in rows] == ["lrfuncs", "peer", "baseline"]  # no CUDA-graph row on the CPU...
    assert any("CUDA-graph row" in s and "need a CUDA device" in s for s in report["skipped"])  # ...and it says so
    assert "CurveLR" in rows[0]["implementation"]
    assert "LambdaLR" in rows[1]["implementation"]
    for r in rows:
        assert r["title"].startswith("training step on cpu: fused torch `AdamW`, tensor lr")
        assert r["n"] == harness.QUICK_TRAIN_STEPS
        if r["checked"]:  # the parameters after the steps equal the peer's to float32 precision
            assert 0.0 <= r["cross_check_max_err_over_tol"] <= 1.0, r
        assert r["median_s"] > 0
    assert rows[0]["target_text"] == "overhead ≤ native's (+2% of step)"
    assert rows[0]["result"] in ("PASS", "MISS")  # reported, never asserted
    text = out.getvalue()
    assert "training step on cpu" in text
    assert "share of a training step" in text
    assert "CUDA-graph row" in text  # the skipped row is in the printed report


def test_device_quick_auto_uses_the_cpu_without_cuda(monkeypatch):
    # `--only device --quick` (no --device) smoke-runs on the CPU where there is no CUDA
    seen = {}
    real = cases.device_case

    def spy(steps, shape, device=None):
        seen["device"] = device
        return real(steps, (10, 10), device)

    monkeypatch.setattr(cases, "device_case", spy)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert harness.main(["--quick", "--only", "device"]) == 0
    assert seen["device"] == (None if _cuda() else "cpu")


@pytest.mark.skipif("_cuda()", reason="CUDA available: the case runs instead of being skipped")
def test_device_case_without_cuda_is_skipped_with_a_reason(capsys):
    report = harness.run([1000], 1, ["device"], lambda _: None, big=0)
    assert report["rows"] == []
    (msg,) = report["skipped"]
    assert msg.startswith("device case skipped: no CUDA")
    assert "--only device" in msg
    assert "--device cpu" in msg
    with pytest.raises(SystemExit) as exc:
        harness.main(["--only", "device", "--device", "cuda"])
    assert exc.value.code == 2
    assert "--device cuda: torch.cuda.is_available() is False" in capsys.readouterr().err
    with pytest.raises(ValueError, match="is_available"):
        cases.device_case(2, (10, 10), "cuda")
    with pytest.raises(ValueError, match="'cuda' or 'cpu'"):
        cases.device_case(2, (10, 10), "tpu")
    assert "CUDA device" in cases.graph_probe("cpu")


def test_device_group_is_opt_in():
    assert "device" in harness.ORDER
    assert "device" not in harness.DEFAULT_ONLY
    assert harness.parser().parse_args([]).only == ",".join(harness.DEFAULT_ONLY)


def test_device_rows_are_cross_checked_both_ways(monkeypatch):
    # a wrong native scheduler (half the lr) is refused...
    monkeypatch.setattr(cases, "get_warmup_cosine_scheduler", lambda opt, w, t, min_lr_ratio: _half(opt))
    with pytest.raises(CrossCheckError, match=r"CurveLR"):
        harness.run_case(cases.device_case(2, (20, 20), "cpu"), 1, lambda _: None)
    monkeypatch.undo()
    # ...and so is a CurveLR of another schedule (a warmup one step longer)
    right = cases.schedule
    monkeypatch.setattr(cases, "schedule", lambda n, *a: right(n, *a).replace(warmup_steps=n // 50 + 1))
    with pytest.raises(CrossCheckError, match=r"CurveLR"):
        harness.run_case(cases.device_case(3, (20, 20), "cpu"), 1, lambda _: None)


def _eager_capture(warmup_steps):
    """A stand-in for ``capture_step`` on the CPU: the warm-up steps run (and change state) as on CUDA; the
    returned 'replay' runs the step eagerly."""

    def capture(opt, sched, device, warmup=3):
        for _ in range(warmup_steps):
            opt.step()
            sched.step()

        def replay():
            opt.step()
            sched.step()

        return replay

    return capture


def test_device_graph_row_starts_where_the_other_rows_start(monkeypatch):
    # the CUDA-graph row's wiring (warm-up, reset to step 0, replays, check) on the CPU, the capture faked
    monkeypatch.setattr(cases, "graph_probe", lambda device: None)
    monkeypatch.setattr(cases, "capture_step", _eager_capture(3))
    case = cases.device_case(2, (20, 20), "cpu")
    assert case.skipped == ()
    rows = harness.run_case(case, 1, lambda _: None)
    (graph,) = [r for r in rows if "CUDA graph" in r["implementation"]]
    assert graph["role"] == "info"
    assert graph["checked"]
    assert 0.0 <= graph["cross_check_max_err_over_tol"] <= 1.0
    # without the reset, the warm-up steps would show: the check catches it
    monkeypatch.setattr(cases, "reset_training", lambda *a: None)
    with pytest.raises(CrossCheckError, match="CUDA graph"):
        harness.run_case(cases.device_case(2, (20, 20), "cpu"), 1, lambda _: None)


def test_reset_training_restores_a_fused_adamw_and_curve_lr():
    import torch

    from lrfuncs.backends.torch import CurveLR

    def fresh():
        gen = torch.Generator().manual_seed(1)
        p = torch.randn(5, generator=gen).requires_grad_(True)
        p.grad = torch.randn(5, generator=gen)
        opt = torch.optim.AdamW([p], lr=torch.tensor(cases.PEAK), fused=True)
        return p, opt, CurveLR(opt, cases.schedule(50), num_steps=50)

    def steps(opt, sched, k):
        for _ in range(k):
            opt.step()
            sched.step()

    p, opt, sched = fresh()
    p0 = p.detach().clone()
    steps(opt, sched, 4)
    cases.reset_training(opt, sched, [p], [p0])
    assert int(sched.step_count) == 0
    assert float(opt.param_groups[0]["lr"]) == pytest.approx(cases.schedule(50)(0))
    steps(opt, sched, 3)
    q, opt2, sched2 = fresh()
    steps(opt2, sched2, 3)
    torch.testing.assert_close(p.detach(), q.detach(), rtol=0, atol=0)
    torch.testing.assert_close(opt.param_groups[0]["lr"], opt2.param_groups[0]["lr"], rtol=0, atol=0)


def test_on_host_converts_only_when_asked():
    import torch

    a, b = torch.arange(3.0), torch.tensor([7.0])
    got = np.asarray(cases.OnHost(a.reshape(3, 1), b), dtype=np.float64)
    assert got.dtype == np.float64
    assert got.tolist() == [0.0, 1.0, 2.0, 7.0]


@pytest.mark.skipif("not _cuda()", reason="needs CUDA")
def test_device_case_on_cuda_with_its_graph_row():
    assert cases.graph_probe("cuda") is None
    case = cases.device_case(3, (64, 64), "cuda")
    rows = harness.run_case(case, 2, lambda _: None)
    assert [r["role"] for r in rows] == ["lrfuncs", "peer", "info", "baseline"]
    assert all(0.0 <= r["cross_check_max_err_over_tol"] <= 1.0 for r in rows if r["checked"])
