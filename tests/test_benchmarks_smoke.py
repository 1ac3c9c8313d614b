"""Smoke test of ``python -m benchmarks``: it runs, covers every case, and refuses peers that disagree.

The benchmark is run in ``--quick`` mode (tiny N, one repeat) in-process. No
timing is asserted here: speed is reported by ``make bench`` as ratios measured
side by side, never checked in tests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `benchmarks` is a top-level package of the repository, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import CrossCheckError, cases, harness  # noqa: E402


def expected_labels() -> dict[str, list[str]]:
    """Every implementation each case must report, as built for the quick sizes."""
    out = {}
    for key, size in (("numpy", harness.QUICK_CURVE), ("jax", harness.QUICK_CURVE), ("scalar", harness.QUICK_SCALAR)):
        built = cases.BUILDERS[key](size)
        assert not isinstance(built, str), built  # jax, optax and torch are test requirements
        out[key] = [impl.label for impl in built.impls]
    return out


def test_quick_run_reports_every_case_cross_checked(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\nbefore\n{harness.START}\nold table\n{harness.END}\nafter\n")
    results = tmp_path / "bench.json"

    rc = harness.main(["--quick", "--json", str(results), "--update-readme", "--readme", str(readme)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "CROSS-CHECK FAILED" not in err

    report = json.loads(results.read_text())
    rows = report["rows"]
    assert report["skipped"] == []
    assert report["config"]["repeats"] == 1
    labels = expected_labels()
    assert [(r["case"], r["implementation"]) for r in rows] == [(k, lab) for k, labs in labels.items() for lab in labs]
    for r in rows:
        # every implementation was checked against lrfuncs' curve before it was timed
        assert 0.0 <= r["cross_check_max_err_over_tol"] <= 1.0, r
        assert r["median_s"] > 0, r
        assert np.isfinite(r["ratio_vs_peer"]), r
        assert len(r["times_s"]) == 1
    subjects = [r for r in rows if r["role"] == "lrfuncs"]
    assert [r["case"] for r in subjects] == ["numpy", "jax", "scalar"]
    assert all(r["result"] in ("PASS", "MISS") for r in subjects)  # reported, not asserted: no timing checks
    assert [r["ratio_vs_peer"] for r in rows if r["role"] == "peer"] == [1.0, 1.0, 1.0]

    # the printed markdown table has one line per implementation, plus the machine facts
    table = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| case")]
    assert len(table) == len(rows)
    for r in rows:
        assert any(r["implementation"] in line and f"{r['n']:,}" in line for line in table), r["implementation"]
    for fact in ("Machine:", "CPUs", "numpy ", "jax ", "OPENBLAS_CORETYPE", "jax_enable_x64=True"):
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


def test_disagreeing_peer_fails_loudly(monkeypatch, capsys):
    right = cases.handtuned_numpy

    def wrong(n, w, peak):  # off by one part in 1e9: a different curve, whatever its speed
        return right(n, w, peak) * (1.0 + 1e-9)

    monkeypatch.setattr(cases, "handtuned_numpy", wrong)
    with pytest.raises(CrossCheckError, match=r"hand-tuned in-place numpy .* disagrees with lrfuncs at \d+ of"):
        harness.run(curve_size=1000, scalar_size=200, repeats=1, only=["numpy"], log=lambda _: None)

    rc = harness.main(["--quick", "--only", "numpy"])
    out, err = capsys.readouterr()
    assert rc == 2
    assert "CROSS-CHECK FAILED" in err
    assert "disagrees with lrfuncs" in err
    assert "| case |" not in out  # nothing is timed or tabulated


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sizes", "12"], "sizes must be whole numbers >= 100"),
        (["--sizes", "1e7,1e5,3"], "CURVE_N"),
        (["--sizes", "abc"], "not a number"),
        (["--only", "torch"], "unknown case"),
        (["--repeats", "0"], "--repeats must be >= 1"),
    ],
)
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        harness.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_module_entry_point():
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    for flag in ("--sizes", "--repeats", "--quick", "--update-readme", "--json", "--only"):
        assert flag in proc.stdout
