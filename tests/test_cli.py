"""The ``lrfuncs`` command line, end to end in a subprocess (``python -m lrfuncs ...``): exit codes, files
written, text output; and the error matrix in-process through ``lrfuncs.cli.main``.

Exit codes: 0 ok, 1 lint found an error (``--strict``: any finding), 2 usage or spec error.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
import yaml

import lrfuncs
from lrfuncs.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, main

ROOT = pathlib.Path(__file__).resolve().parents[1]
WARMUP_COSINE = "cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100000)"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "lrfuncs", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------------------------- subprocess


def test_show_end_to_end() -> None:
    proc = cli("show", WARMUP_COSINE)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout.splitlines()
    assert out[0] == "warmup_cosine(peak_lr=0.0003, warmup_steps=2000, total_steps=100000)"
    assert out[1] == "landmarks: warmup end @ 2000, end @ 100000"
    s = lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=2000, total_steps=100_000)
    head = next(i for i, line in enumerate(out) if line.split() == ["step", "lr"])
    table = out[head + 1: out.index("", head)]
    rows = {int(line.split()[0]): line.split()[1:] for line in table}
    for step in (0, 1999, 2000, 99_999, 100_000):
        assert float(rows[step][0]) == pytest.approx(s(step), rel=1e-5, abs=1e-12), step
    assert rows[2000][1:] == ["warmup", "end"]
    assert rows[100_000][1:] == ["end"]
    # the text plot: framed, landmarks marked
    assert any(line.strip().startswith("+" + "-" * 64) for line in out)
    assert any("*" in line and "|" in line for line in out)
    assert any(set(line.strip()) == {"^"} or line.strip().startswith("^") for line in out)


def test_show_json_values_are_exact() -> None:
    proc = cli("show", "onecycle(peak_lr=0.1, total_steps=100)", "--steps", "0,29,30,99,150", "--json")
    assert proc.returncode == EXIT_OK, proc.stderr
    data = json.loads(proc.stdout)
    s = lrfuncs.Schedule.from_dict(data["schedule"])
    assert s == lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=100)
    assert data["steps"] == [0, 29, 30, 99, 150]
    assert data["lr"] == [s(k) for k in data["steps"]]
    assert data["horizon"] == 99.0



def test_show_a_compat_constructor_end_to_end() -> None:
    """A SPEC naming an anchor's constructor (lrfuncs.compat) gives the values torch's OneCycleLR would."""
    proc = cli("show", "torch.OneCycleLR(max_lr=0.1, total_steps=100)", "--steps", "0,29,99", "--json")
    assert proc.returncode == EXIT_OK, proc.stderr
    data = json.loads(proc.stdout)
    from lrfuncs.compat import torch as lr_torch

    s = lr_torch.OneCycleLR(max_lr=0.1, total_steps=100)
    assert lrfuncs.Schedule.from_dict(data["schedule"]) == s
    assert data["lr"] == [s(k) for k in (0, 29, 99)]
    assert data["lr"][1] == 0.1  # torch's OneCycleLR peaks at pct_start * total_steps - 1

def test_plot_writes_a_png(tmp_path: pathlib.Path) -> None:
    recorded = tmp_path / "torch_lrs.json"
    recorded.write_text(json.dumps([0.1 * 0.99**k for k in range(500)]))
    out = tmp_path / "curve.png"
    proc = cli("plot", "onecycle(peak_lr=0.1, total_steps=1000)", WARMUP_COSINE.replace("3e-4", "0.1"),
               "--recorded", str(recorded), "--momentum", "onecycle_momentum(total_steps=1000)",
               "--steps-per-epoch", "100", "--steps", "0:1200", "--log", "--title", "test", "-o", str(out))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert proc.stdout.strip() == f"wrote {out}"
    data = out.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 10_000


def test_plot_needs_an_output() -> None:
    proc = cli("plot", WARMUP_COSINE)
    assert proc.returncode == EXIT_USAGE
    assert "the following arguments are required: -o/--output" in proc.stderr


def test_compare_end_to_end(tmp_path: pathlib.Path) -> None:
    same = cli("compare", "cosine(peak_lr=1.0, total_steps=100)", "cosine_decay(peak_lr=1.0, total_steps=100)")
    assert same.returncode == EXIT_OK, same.stderr
    assert "identical at all 111 steps checked (0 to 110)" in same.stdout  # 10% past the horizon
    png = tmp_path / "diff.png"
    diff = cli("compare", "onecycle(peak_lr=1.0, total_steps=100)",
               "onecycle(peak_lr=1.0, total_steps=100, convention='optax')", "--steps", "0,29,30", "-o", str(png))
    assert diff.returncode == EXIT_OK, diff.stderr
    lines = diff.stdout.splitlines()
    assert lines[0] == "A: onecycle(peak_lr=1.0, total_steps=100)"
    assert lines[1] == "B: onecycle(peak_lr=1.0, total_steps=100, convention='optax')"
    assert any(line.split()[:3] == ["29", "1", "0.997371"] for line in lines)
    assert "largest |B - A|" in diff.stdout
    assert "first step where they differ by more than rtol=1e-12: 1" in diff.stdout
    assert png.read_bytes()[:8] == PNG_MAGIC


def test_lint_exit_codes() -> None:
    bad = cli("lint", "cosine_decay(peak_lr=0.1, total_steps=90)", "--total-steps", "35100",
              "--steps-per-epoch", "390")
    assert bad.returncode == EXIT_FINDINGS
    assert bad.stdout.startswith("error: horizon-short (step 90):")
    assert "total_steps=epochs*steps_per_epoch = 35100" in bad.stdout
    good = cli("lint", "cosine_decay(peak_lr=0.1, total_steps=35100)", "--total-steps", "35100", "--optimizer", "sgd")
    assert good.returncode == EXIT_OK
    assert good.stdout.strip() == "no findings for 35100 steps"
    hf = "warmup_cosine(peak_lr=3e-4, warmup_steps=100, total_steps=1000, init_lr=0.0)"
    warn = cli("lint", hf, "--total-steps", "1000")
    assert warn.returncode == EXIT_OK  # warnings only
    assert warn.stdout.startswith("warning: zero-first-lr (step 0):")
    assert cli("lint", hf, "--total-steps", "1000", "--strict").returncode == EXIT_FINDINGS


def test_recommend_end_to_end() -> None:
    proc = cli("recommend", "cnn", "--epochs", "30", "--steps-per-epoch", "390", "--optimizer", "sgd")
    assert proc.returncode == EXIT_OK, proc.stderr
    assert proc.stdout.splitlines()[0] == "schedule: onecycle(peak_lr=0.1, total_steps=11700)"
    assert "why:" in proc.stdout
    spec = cli("recommend", "transformer", "--total-steps", "100000", "--spec-only")
    assert spec.returncode == EXIT_OK
    assert lrfuncs.parse(spec.stdout.strip()) == lrfuncs.recommend("transformer", total_steps=100_000).schedule


def test_list_names_every_registered_schedule() -> None:
    proc = cli("list")
    assert proc.returncode == EXIT_OK, proc.stderr
    for name in lrfuncs.registered():
        assert f"\n  {name}(" in proc.stdout, name
    assert "  cosine -> warmup_cosine | cosine_decay" in proc.stdout
    names = cli("list", "--names")
    assert set(lrfuncs.registered()) <= set(names.stdout.split())


def test_dump_and_show_a_file(tmp_path: pathlib.Path) -> None:
    proc = cli("dump", WARMUP_COSINE)
    assert proc.returncode == EXIT_OK, proc.stderr
    path = tmp_path / "s.json"
    path.write_text(proc.stdout)
    expected = lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=2000, total_steps=100_000)
    assert lrfuncs.Schedule.from_dict(json.loads(proc.stdout)) == expected
    ypath = tmp_path / "s.yaml"
    ypath.write_text(cli("dump", str(path), "--format", "yaml").stdout)
    assert lrfuncs.Schedule.from_dict(yaml.safe_load(ypath.read_text())) == expected
    shown = cli("show", str(ypath), "--steps", "2000", "--no-plot")
    assert shown.returncode == EXIT_OK, shown.stderr
    assert shown.stdout.splitlines()[0] == "warmup_cosine(peak_lr=0.0003, warmup_steps=2000, total_steps=100000)"
    assert "+---" not in shown.stdout
    assert shown.stdout.splitlines()[-2:] == ["step      lr", "2000  0.0003  warmup end"]  # --steps 2000: one step


def test_spec_error_exit_2_without_traceback() -> None:
    proc = cli("show", "cosine_dekay(peak_lr=0.1, total_steps=10)")
    assert proc.returncode == EXIT_USAGE
    assert proc.stdout == ""
    assert proc.stderr.startswith("lrfuncs show: error: Unknown schedule 'cosine_dekay'. Did you mean 'cosine_decay'")
    assert "Traceback" not in proc.stderr


def test_help_is_complete() -> None:
    top = cli("--help")
    assert top.returncode == EXIT_OK
    for command in ("show", "plot", "compare", "lint", "recommend", "list", "dump"):
        assert command in top.stdout
    assert "exit codes: 0 ok, 1 lint found errors, 2 usage or spec error" in top.stdout
    assert cli().returncode == EXIT_USAGE  # no command: the help, as a usage error


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("show", ["--steps", "--total-steps", "--steps-per-epoch", "--points", "--no-plot", "--width", "--height",
                  "--log", "--json"]),
        ("plot", ["--output", "--steps", "--log", "--logx", "--momentum", "--steps-per-epoch", "--recorded",
                  "--label", "--title", "--no-marks"]),
        ("compare", ["--steps", "--total-steps", "--rtol", "--output", "--log"]),
        ("lint", ["--total-steps", "--steps-per-epoch", "--optimizer", "--strict", "--json"]),
        ("recommend", ["--total-steps", "--epochs", "--steps-per-epoch", "--optimizer", "--finetune", "--peak-lr",
                       "--reproduce-paper", "--spec-only", "--json"]),
        ("list", ["--names"]),
        ("dump", ["--format"]),
    ],
)
def test_subcommand_help(command: str, options: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: lrfuncs {command}")
    assert "examples:" in out
    assert f"lrfuncs {command}" in out.split("examples:")[1]
    for opt in options:
        assert opt in out, opt


def test_console_script_if_installed() -> None:
    script = pathlib.Path(sys.executable).parent / "lrfuncs"
    if not script.exists():
        pytest.skip("the lrfuncs console script is not installed in this environment (pip install -e . adds it)")
    proc = subprocess.run([str(script), "show", "cosine_decay(peak_lr=1.0, total_steps=10)", "--steps", "5",
                           "--no-plot"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "cosine_decay(peak_lr=1.0, total_steps=10)" in proc.stdout


def test_range_test_plot(tmp_path: pathlib.Path) -> None:
    rt = pytest.importorskip("lrfuncs.range_test")
    lrs = np.geomspace(1e-5, 1.0, 60)
    losses = 2.0 - np.log10(lrs) * 0.1 + np.where(lrs > 0.1, (lrs - 0.1) * 50, 0.0)
    result = rt.RangeTestResult(lrs=lrs, losses=losses, smoothed=losses, diverged=None,
                                settings={"num_steps": 60}, suggestions={"steepest": 1e-3, "valley": None})
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result.to_dict()))
    out = tmp_path / "rt.png"
    proc = cli("range-test", "plot", str(path), "-o", str(out))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "steepest: 0.001" in proc.stdout
    assert out.read_bytes()[:8] == PNG_MAGIC


# --------------------------------------------------------------------------------------------- in-process matrix


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["show", "cosine_decay(peak_lr=0.1, total_step=10)"], r"unexpected keyword argument `total_step`\. Did you "
                                                               r"mean `total_steps`"),
        (["show", "cosine_decay(peak_lr=0.1,, total_steps=10)"], r"invalid syntax at column 26"),
        (["show", "cosine_decay(peak_lr=-1, total_steps=10)"], r"Argument `peak_lr` must be > 0"),
        (["show", "__import__('os').system(command='ls')"], r"`__import__\('os'\).system` is not a schedule name"),
        (["show", "__import__(name='os')"], r"Unknown schedule '__import__'"),
        (["show", "nope.json"], r"Schedule file not found: 'nope.json'"),
        (["lint", "cosine_decay(peak_lr=0.1, total_steps=10)", "--total-steps", "10", "--optimizer", "adadelta"],
         r"Argument `optimizer` must be one of"),
        (["recommend", "gan"], r"Argument `model_kind` must be one of"),
        (["recommend", "cnn", "--epochs", "30"], r"pass steps_per_epoch"),
        (["recommend", "cnn", "--spec-only"], r"argument --spec-only: the recommendation is not a schedule"),
        (["plot", "cosine_decay(peak_lr=0.1, total_steps=10)", "-o", "x.png", "--label", "a", "--label", "b"],
         r"argument --label: give one label per curve \(1"),
        (["plot", "cosine_decay(peak_lr=0.1, total_steps=10)", "-o", "x.png", "--steps", "1,2"],
         r"argument --steps: plot takes a count N or a range"),
        (["plot", "cosine_decay(peak_lr=0.1, total_steps=10)", "-o", "x.png", "--recorded", "missing.json"],
         r"argument --recorded: file not found"),
    ],
)
def test_errors_name_the_bad_argument(args: list[str], match: str, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    import re

    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(capsys, *args)
    assert code == EXIT_USAGE
    assert err.startswith(f"lrfuncs {args[0]}: error: ")
    assert re.search(match, err), err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["show", "x", "--steps", "abc"], r"argument --steps: expected steps as"),
        (["show", "x", "--steps", "5:2"], r"argument --steps"),
        (["show", "x", "--total-steps", "0"], r"argument --total-steps: expected a whole number >= 1, got '0'"),
        (["lint", "x"], r"the following arguments are required: --total-steps"),
        (["lint", "x", "--total-steps", "1.5"], r"argument --total-steps"),
        (["recommend", "cnn", "--peak-lr", "-1"], r"argument --peak-lr: expected a number > 0"),
        (["dump", "x", "--format", "toml"], r"argument --format: invalid choice"),
        (["frobnicate"], r"invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2(args: list[str], match: str, capsys: pytest.CaptureFixture[str]) -> None:
    import re

    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == EXIT_USAGE
    assert re.search(match, capsys.readouterr().err)


def test_show_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "show", "step_decay(peak_lr=0.1, step_size=30)", "--steps", "0:90:30",
                            "--steps-per-epoch", "30", "--no-plot")
    assert code == EXIT_OK
    table = [line.split() for line in out.splitlines()[2:]]
    assert table[0] == ["step", "epoch", "lr"]
    assert table[1:] == [["0", "0", "0.1"], ["30", "1", "0.01"], ["60", "2", "0.001"]]
    code, out, _ = run_main(capsys, "show", "cosine_decay(peak_lr=1.0, total_steps=100, min_lr=1e-3)", "--log",
                            "--width", "30", "--height", "6", "--total-steps", "50", "--points", "3")
    assert code == EXIT_OK
    assert "(log scale)" in out
    rows = [line.split()[0] for line in out.splitlines() if line.strip()[:1].isdigit() and "|" not in line]
    assert rows[:3] == ["0", "24", "49"]


def test_lint_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "lint", "onecycle(peak_lr=0.1, total_steps=11700)", "--total-steps", "30",
                            "--steps-per-epoch", "390", "--json")
    assert code == EXIT_FINDINGS
    (finding,) = json.loads(out)
    assert finding["code"] == "horizon-long"
    assert finding["severity"] == "error"
    assert finding["step"] == 30.0


def test_recommend_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "recommend", "cnn", "--epochs", "10", "--steps-per-epoch", "10", "--json")
    assert code == EXIT_OK
    data: dict[str, Any] = json.loads(out)
    assert lrfuncs.Schedule.from_dict(data["schedule"]) == lrfuncs.onecycle.bind(peak_lr=1e-3, total_steps=100)
    assert lrfuncs.Schedule.from_dict(data["momentum"]) == lrfuncs.onecycle_momentum.bind(total_steps=100)
    assert data["reasons"]
    code, out, _ = run_main(capsys, "recommend", "mlp", "--json")  # a plateau
    assert json.loads(out)["schedule"]["factor"] == 0.5


def test_compare_without_numpy_falls_back(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    code, out, _ = run_main(capsys, "compare", "cosine_decay(peak_lr=1.0, total_steps=10)",
                            "cosine_decay(peak_lr=1.0, total_steps=10, min_lr=0.5)", "--total-steps", "20")
    assert code == EXIT_OK
    assert "largest |B - A| = 0.5 at step 10 (20 steps checked, 0 to 19)" in out


def test_compare_samples_long_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from lrfuncs import cli as lrcli

    monkeypatch.setattr(lrcli, "MAX_COMPARE_STEPS", 1000)
    code, out, _ = run_main(capsys, "compare", "multistep_decay(peak_lr=0.1, milestones=[123457])",
                            "multistep_decay(peak_lr=0.1, milestones=[123458])", "--total-steps", "1000000",
                            "--steps", "123457")
    assert code == EXIT_OK
    # the landmarks are always checked: the one-step difference is found although it falls between samples
    assert "largest |B - A| = 0.09 at step 123457 (1003 steps checked (sampled, landmarks included)" in out
    assert "first step where they differ by more than rtol=1e-12: 123457" in out
    table = [line.split() for line in out.splitlines()[3:5]]
    assert table == [["step", "A", "B", "B", "-", "A", "rel.", "diff"], ["123457", "0.01", "0.1", "+0.09", "9.00e-01"]]
