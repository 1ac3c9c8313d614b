"""Schedule specs: ``lrfuncs.spec.parse`` / ``load`` / ``unparse`` / ``to_schedule``.

A spec is parsed with ``ast`` and never evaluated: hostile input (imports,
attribute access, lambdas, comprehensions, ...) is a ValueError and runs
nothing. Compat constructors ``ns.Name(...)`` resolve ``lrfuncs.compat.<ns>``;
a fake compat module is injected here with monkeypatch.
"""

from __future__ import annotations

import json
import math
import sys
import types
from typing import Any

import numpy as np
import pytest
from conftest import CONFIGS
from hypothesis import given
from hypothesis import strategies as st

import lrfuncs
from lrfuncs import spec as lrspec
from lrfuncs.spec import ALIASES, compat_constructors, load, parse, to_schedule, unparse

NAMES = sorted(CONFIGS)


def bound(name: str) -> lrfuncs.Schedule:
    return lrfuncs.get_schedule(name).bind(**CONFIGS[name])


# --------------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", NAMES)
def test_unparse_parse_round_trip_every_registered_schedule(name: str) -> None:
    s = bound(name)
    for defaults in (False, True):
        text = unparse(s, defaults=defaults)
        assert text.startswith(f"{name}(")
        back = parse(text)
        assert back == s, text
        assert [back(k) for k in (0, 1, 7, 33, 100)] == [s(k) for k in (0, 1, 7, 33, 100)]


def test_unparse_leaves_out_defaults() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=1000)
    assert unparse(s) == "cosine_decay(peak_lr=0.1, total_steps=1000)"
    assert unparse(s, defaults=True).startswith("cosine_decay(peak_lr=0.1, total_steps=1000, min_lr=None, ")
    s = lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=10, anneal="linear", three_phase=True)
    assert unparse(s) == "onecycle(peak_lr=0.1, total_steps=10, anneal='linear', three_phase=True)"


@given(
    peak=st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False),
    total=st.one_of(st.integers(1, 10**15), st.floats(min_value=1e-3, max_value=1e15)),
)
def test_unparse_is_exact_for_every_float(peak: float, total: float) -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=peak, total_steps=total)
    back = parse(unparse(s))
    assert back == s
    assert back.config["peak_lr"] == peak
    assert type(back.config["total_steps"]) is type(total)


def test_unparse_array_and_numpy_scalar_config() -> None:
    sweep = lrfuncs.cosine_decay.bind(peak_lr=np.array([[0.1], [0.2]]), total_steps=np.float64(50.0))
    text = unparse(sweep)
    assert text == "cosine_decay(peak_lr=[[0.1], [0.2]], total_steps=50.0)"
    back = parse(text)
    assert back == sweep
    np.testing.assert_array_equal(back(np.arange(60)), sweep(np.arange(60)))


def test_unparse_nested_composites() -> None:
    inner = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=90)
    s = lrfuncs.with_warmup.bind(inner=inner, warmup_steps=5, total_includes_warmup=False)
    text = unparse(s)
    assert text == ("with_warmup(inner=cosine_decay(peak_lr=1.0, total_steps=90), warmup_steps=5, "
                    "total_includes_warmup=False)")
    assert parse(text) == s


def test_unparse_needs_a_schedule() -> None:
    with pytest.raises(TypeError, match="unparse needs a lrfuncs Schedule"):
        unparse(lrfuncs.cosine_decay)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- values


def test_the_issue_example() -> None:
    s = parse("cosine(peak_lr=3e-4, warmup_steps=2000, total_steps=100000)")
    assert s == lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=2000, total_steps=100_000)


def test_literal_values() -> None:
    s = parse("multistep_decay(peak_lr=+1e-1, milestones=[30, 60, 90], gamma=0.5)")
    assert s == lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=(30, 60, 90), gamma=0.5)
    s = parse("multistep_decay(peak_lr=0.1, milestones=(30, 60))")  # a tuple is a list
    assert s.config["milestones"] == (30, 60)
    s = parse("cosine_decay(peak_lr=0.2 / 2, total_steps=90 * 390 - 10 + 10, min_lr=None, periodic=False)")
    assert s == lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=35100)
    s = parse("onecycle(peak_lr=0.1, total_steps=1_000, anneal=\"linear\")")
    assert s.config["anneal"] == "linear"
    s = parse("  cosine_decay(peak_lr=0.1,\n   total_steps=10)  ")  # whitespace and newlines
    assert s == lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10)


def test_inf_is_a_number_name() -> None:
    with pytest.raises(ValueError, match=r"Argument `total_steps` must be a finite number"):
        parse("cosine_decay(peak_lr=0.1, total_steps=inf)")
    with pytest.raises(ValueError, match=r"Argument `peak_lr` must be a finite number"):
        parse("cosine_decay(peak_lr=-inf, total_steps=10)")
    with pytest.raises(ValueError, match=r"Argument `peak_lr` must be a finite number"):
        parse("cosine_decay(peak_lr=nan, total_steps=10)")


def test_nested_schedule_calls_and_dicts() -> None:
    text = ("join(schedules=[warmup_constant(peak_lr=1.0, warmup_steps=2, init_lr=0.0), "
            "cosine_decay(peak_lr=1.0, total_steps=4)], boundaries=[2], local_time=True)")
    s = parse(text)
    warm = lrfuncs.warmup_constant.bind(peak_lr=1.0, warmup_steps=2, init_lr=0.0)
    cos = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=4)
    assert s == lrfuncs.join.bind(schedules=[warm, cos], boundaries=[2], local_time=True)
    # a nested schedule may also be written as its dict
    d = parse("scale(inner={'schedule': 'cosine_decay', 'peak_lr': 1.0, 'total_steps': 4}, factor=0.5)")
    assert d == lrfuncs.scale.bind(inner=cos, factor=0.5)


def test_bare_name_is_a_call_without_arguments() -> None:
    with pytest.raises(ValueError, match=r"In `cosine_decay\(...\)`: .*missing required keyword argument"):
        parse("cosine_decay")


# --------------------------------------------------------------------------------------------- aliases


def test_alias_picks_the_target_that_accepts_the_arguments() -> None:
    assert parse("cosine(peak_lr=1.0, warmup_steps=10, total_steps=100)").name == "warmup_cosine"
    assert parse("cosine(peak_lr=1.0, total_steps=100)").name == "cosine_decay"
    assert parse("cosine(peak_lr=1.0, total_steps=100, periodic=True)").name == "cosine_decay"
    assert parse("one_cycle(peak_lr=1.0, total_steps=100)").name == "onecycle"
    assert parse("sgdr(peak_lr=1.0, cycle_steps=10)").name == "cosine_restarts"
    assert parse("step(peak_lr=1.0, step_size=10)").name == "step_decay"
    assert parse("multistep(peak_lr=1.0, milestones=[3])").name == "multistep_decay"
    assert parse('{"schedule": "1cycle", "peak_lr": 1.0, "total_steps": 10}').name == "onecycle"
    # no target fits: the first target's error names the problem
    with pytest.raises(ValueError, match=r"In `cosine\(...\)`: warmup_cosine\(\) is missing .*`total_steps`"):
        parse("cosine(peak_lr=1.0, warmup_steps=10)")


def test_every_alias_targets_a_registered_schedule() -> None:
    reg = lrfuncs.registered()
    for alias, targets in ALIASES.items():
        assert alias not in reg, alias
        assert targets, alias
        assert all(t in reg for t in targets), alias


def test_registered_name_wins_over_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ALIASES, "cosine_decay", ("step_decay",))
    assert parse("cosine_decay(peak_lr=1.0, total_steps=10)").name == "cosine_decay"


# --------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("cosine_dekay(peak_lr=1.0, total_steps=10)", r"Unknown schedule 'cosine_dekay'\. Did you mean 'cosine_decay'"),
        ("cosine_decay(peak_lr=1.0, total_step=10)", r"unexpected keyword argument `total_step`\. Did you mean "
                                                     r"`total_steps`\?"),
        ("cosine_decay(peak_lr=1.0, total_steps=0)", r"In `cosine_decay\(...\)`: Argument `total_steps` must be > 0\. "
                                                     r"Received: total_steps=0"),
        ("cosine_decay(peak_lr='big', total_steps=10)", r"Argument `peak_lr` must be a number"),
        ("cosine_decay(peak_lr=0.1,, total_steps=10)", r"invalid syntax at column 26"),
        ("cosine_decay(peak_lr=0.1, total_steps=10", r"at column \d+"),
        ("cosine_decay(\n peak_lr=0.1 total_steps=10)", r"at line 2, column \d+"),
        ("cosine_decay(0.1, 10)", r"positional argument `0.1` is not allowed; write every argument as name=value"),
        ("cosine_decay(**cfg)", r"`\*\*cfg` is not allowed"),
        ("cosine_decay(peak_lr=x, total_steps=10)", r"the value of argument `peak_lr` is not a literal: `x`"),
        ("cosine_decay(peak_lr=2**-3, total_steps=10)", r"argument `peak_lr` is not a literal: `2\*\*-3`"),
        ("cosine_decay(peak_lr=1/0, total_steps=10)", r"argument `peak_lr` divides by zero"),
        ("cosine_decay(peak_lr=b'1', total_steps=10)", r"argument `peak_lr` is not a literal"),
        ("cosine_decay(peak_lr=1j, total_steps=10)", r"argument `peak_lr` is not a literal"),
        ("cosine_decay(peak_lr=-'a', total_steps=10)", r"argument `peak_lr` is not a literal"),
        ("cosine_decay(peak_lr=[1][0], total_steps=10)", r"argument `peak_lr` is not a literal: `\[1\]\[0\]`"),
        ("scale(inner=cosine_decay(peak_lr=1.0, total_steps=4), factor={1: 2})", r"dict key that is not a string"),
        ("3", r"must be a call such as"),
        ("", r"Empty schedule spec"),
        ("   ", r"Empty schedule spec"),
        ("a.b.c(x=1)", r"`a.b.c` is not a schedule name"),
        ("cosine_decay(peak_lr=1.0, total_steps=10)(5)", r"is not a schedule name"),
        ("{not json", r"Invalid inline JSON schedule spec at column 2"),
        ('{"peak_lr": 1.0}', r"needs a 'schedule' key"),
        ("[1, 2]", r"must be a call"),
        ('{"schedule": 3}', r"must name a schedule"),
        ('{"schedule": "nope", "a": 1}', r"Unknown schedule 'nope'"),
        ('{"schedule": "cosine_decay", "peak_lr": 1.0, "total_steps": -1}', r"Argument `total_steps` must be > 0"),
    ],
)
def test_bad_specs_raise_value_error_naming_the_problem(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse(text)


HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "__import__('os')",
    "eval(\"open('{marker}', 'w')\")",
    "exec(\"open('{marker}', 'w')\")",
    "open(file='{marker}', mode='w')",
    "os.system(command='touch {marker}')",
    "builtins.open(file='{marker}', mode='w')",
    "cosine_decay.__globals__(x=1)",
    "torch.__class__(x=1)",
    "_private.Thing(x=1)",
    "().__class__.__bases__[0].__subclasses__()",
    "cosine_decay(peak_lr=__import__('os').system('touch {marker}'), total_steps=10)",
    "cosine_decay(peak_lr=(lambda: 0.1)(), total_steps=10)",
    "cosine_decay(peak_lr=lambda: 0.1, total_steps=10)",
    "cosine_decay(peak_lr=[x for x in range(3)], total_steps=10)",
    "cosine_decay(peak_lr={{x: 1 for x in 'ab'}}, total_steps=10)",
    "cosine_decay(peak_lr=(x for x in 'ab'), total_steps=10)",
    "cosine_decay(peak_lr=(y := 0.1), total_steps=10)",
    "cosine_decay(peak_lr=f'{{1}}', total_steps=10)",
    "cosine_decay(peak_lr=0.1 if True else 0.2, total_steps=10)",
    "cosine_decay(peak_lr=[*range(3)], total_steps=10)",
    "cosine_decay(peak_lr=0.1, total_steps=10).__class__",
    "cosine_decay(peak_lr=0.1, total_steps=10)[0]",
    "import os",
    "lambda: 1",
    "[cosine_decay(peak_lr=0.1, total_steps=10)]",
    "9**9**9**9",
    "(" * 500 + ")" * 500,
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_input_is_rejected_and_runs_nothing(template: str, tmp_path: Any) -> None:
    marker = tmp_path / "pwned"
    text = template.format(marker=marker)
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies; nothing may run
        parse(text)
    assert not marker.exists()


def test_hostile_names_never_reach_an_import(monkeypatch: pytest.MonkeyPatch) -> None:
    imported: list[str] = []
    real = lrspec.importlib.import_module

    def spy(name: str, *args: Any) -> Any:
        imported.append(name)
        return real(name, *args)

    monkeypatch.setattr(lrspec.importlib, "import_module", spy)
    for text in ("os.system(command='ls')", "subprocess.run(args=1)", "sys.exit(code=1)"):
        with pytest.raises(ValueError, match="Unknown compat namespace"):
            parse(text)
    assert all(name.startswith("lrfuncs.compat") for name in imported), imported


def test_too_long_spec() -> None:
    with pytest.raises(ValueError, match="too long"):
        parse("cosine_decay(peak_lr=0.1, total_steps=10" + " " * lrspec.MAX_SPEC_LENGTH + ")")


def test_non_string_spec_is_type_error() -> None:
    with pytest.raises(TypeError, match="must be a string"):
        parse(3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- compat


def _fake_compat(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    def OneCycleLR(*, max_lr: float, total_steps: int, pct_start: float = 0.3) -> lrfuncs.Schedule:
        return lrfuncs.onecycle.bind(peak_lr=max_lr, total_steps=total_steps, pct_start=pct_start)

    def NotASchedule(**kw: Any) -> int:
        return 3

    def Strict(*, gamma: float) -> lrfuncs.Schedule:
        if not 0 < gamma <= 1:
            raise ValueError(f"Argument `gamma` must be in (0, 1]. Received: gamma={gamma}")
        return lrfuncs.step_decay.bind(peak_lr=1.0, step_size=1, gamma=gamma)

    module = types.ModuleType("lrfuncs.compat.fake")
    module.__all__ = ["NotASchedule", "OneCycleLR", "Strict"]  # type: ignore[attr-defined]
    module.OneCycleLR = OneCycleLR  # type: ignore[attr-defined]
    module.NotASchedule = NotASchedule  # type: ignore[attr-defined]
    module.Strict = Strict  # type: ignore[attr-defined]
    module._hidden = OneCycleLR  # type: ignore[attr-defined]
    module.helper = OneCycleLR  # type: ignore[attr-defined]  # public but not in __all__
    monkeypatch.setitem(sys.modules, "lrfuncs.compat.fake", module)
    return module


def test_compat_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_compat(monkeypatch)
    s = parse("fake.OneCycleLR(max_lr=0.1, total_steps=1000)")
    assert s == lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=1000)
    # nested inside a composite
    s = parse("scale(inner=fake.OneCycleLR(max_lr=0.1, total_steps=100), factor=0.5)")
    assert s.config["inner"] == lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=100)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("fake.OneCycleLR(max_lr=0.1)", r"In `fake.OneCycleLR\(...\)`: .*missing 1 required keyword-only argument: "
                                        r"'total_steps'"),
        ("fake.OneCycleLR(max_lr=0.1, total_steps=10, bogus=1)", r"unexpected keyword argument 'bogus'"),
        ("fake.OneCycleLR(max_lr=0.1, total_steps=0)", r"Argument `total_steps` must be >= 1"),
        ("fake.Strict(gamma=2.0)", r"In `fake.Strict\(...\)`: Argument `gamma` must be in \(0, 1\]"),
        ("fake.NotASchedule(a=1)", r"returned a int, not a lrfuncs Schedule"),
        ("fake.OneCycle(max_lr=0.1)", r"Unknown compat constructor `fake.OneCycle`\. Did you mean 'fake.OneCycleLR'"),
        ("fake.helper(max_lr=0.1, total_steps=10)", r"Unknown compat constructor `fake.helper`"),
        ("fake._hidden(max_lr=0.1, total_steps=10)", r"private names are not allowed"),
        ("fake.OneCycleLR(0.1, 10)", r"positional argument `0.1` is not allowed"),
        ("nosuchns.OneCycleLR(max_lr=0.1)", r"Unknown compat namespace 'nosuchns'"),
    ],
)
def test_compat_errors(monkeypatch: pytest.MonkeyPatch, text: str, match: str) -> None:
    _fake_compat(monkeypatch)
    with pytest.raises(ValueError, match=match):
        parse(text)


def test_compat_module_with_missing_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    real = lrspec.importlib.import_module

    def fake_import(name: str, *args: Any) -> Any:
        if name == "lrfuncs.compat.needsdep":
            raise ModuleNotFoundError("No module named 'somedep'", name="somedep")
        return real(name, *args)

    monkeypatch.setattr(lrspec.importlib, "import_module", fake_import)
    with pytest.raises(ValueError, match=r"`needsdep.Thing\(...\)` needs somedep, which is not installed"):
        parse("needsdep.Thing(a=1)")


def test_compat_constructors_lists_namespaces() -> None:
    listing = compat_constructors()
    assert isinstance(listing, dict)
    for ns, names in listing.items():
        assert ns.isidentifier()
        assert not ns.startswith("_")
        assert names == sorted(names)


# --------------------------------------------------------------------------------------------- files


def test_json_and_yaml_files(tmp_path: Any) -> None:
    yaml = pytest.importorskip("yaml")
    s = lrfuncs.with_warmup.bind(inner=lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=90), warmup_steps=5,
                                 total_includes_warmup=True)
    (tmp_path / "s.json").write_text(json.dumps(s.to_dict()))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(s.to_dict()))
    (tmp_path / "S.YML").write_text(yaml.safe_dump(s.to_dict()))
    for name in ("s.json", "s.yaml", "S.YML"):
        assert load(tmp_path / name) == s
        assert parse(str(tmp_path / name)) == s
        assert parse(f"  {tmp_path / name}  ") == s


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bad.json", "{", r"Invalid JSON in .*bad.json' at line 1, column 2"),
        ("bad.yaml", "a: [1, 2", r"Invalid YAML in .*bad.yaml'"),
        ("list.json", "[1, 2]", r"must be a mapping"),
        ("noname.yaml", "peak_lr: 0.1\n", r"needs a 'schedule' key naming the schedule"),
        ("unknown.json", '{"schedule": "cosine_dekay"}', r"Unknown schedule 'cosine_dekay'. Did you mean"),
        ("badarg.json", '{"schedule": "cosine_decay", "peak_lr": 0.1, "total_step": 10}',
         r"badarg.json' \(cosine_decay\): cosine_decay\(\) got an unexpected keyword argument `total_step`"),
    ],
)
def test_bad_files(tmp_path: Any, name: str, content: str, match: str) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        load(path)
    with pytest.raises(ValueError, match=match):
        parse(str(path))


def test_missing_file_and_wrong_suffix(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match=r"Schedule file not found: .*nope.json"):
        parse(str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match=r"must end in \.json, \.yaml, \.yml"):
        load(tmp_path / "s.txt")


def test_yaml_without_pyyaml(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("schedule: cosine_decay\npeak_lr: 0.1\ntotal_steps: 10\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml -> ImportError
    with pytest.raises(ImportError, match=r"needs pyyaml: `pip install pyyaml`"):
        load(path)
    # JSON never needs it
    (tmp_path / "s.json").write_text('{"schedule": "cosine_decay", "peak_lr": 0.1, "total_steps": 10}')
    assert load(tmp_path / "s.json") == lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10)


# --------------------------------------------------------------------------------------------- to_schedule


def test_to_schedule() -> None:
    s = lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=10)
    assert to_schedule(s) is s
    assert to_schedule("cosine_decay(peak_lr=0.1, total_steps=10)") == s
    assert to_schedule(s.to_dict()) == s
    with pytest.raises(TypeError, match=r"cosine_decay is a schedule function: bind its config first"):
        to_schedule(lrfuncs.cosine_decay)
    with pytest.raises(TypeError, match="Expected a lrfuncs Schedule"):
        to_schedule(3)
    with pytest.raises(ValueError, match="needs a 'schedule' key"):
        to_schedule({"peak_lr": 1.0})


def test_parse_is_exported_lazily() -> None:
    assert lrfuncs.parse is parse
    assert math.isclose(lrfuncs.parse("cosine_decay(peak_lr=1.0, total_steps=10)")(5), 0.5)


@pytest.mark.parametrize(
    ("spec", "make"),
    [
        ("torch.OneCycleLR(max_lr=0.1, total_steps=1000)",
         lambda: __import__("lrfuncs.compat.torch", fromlist=["x"]).OneCycleLR(max_lr=0.1, total_steps=1000)),
        ("transformers.get_cosine_schedule_with_warmup(num_warmup_steps=10, num_training_steps=100, base_lr=0.1)",
         lambda: __import__("lrfuncs.compat.transformers", fromlist=["x"]).get_cosine_schedule_with_warmup(
             num_warmup_steps=10, num_training_steps=100, base_lr=0.1)),
        ("optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1.0, warmup_steps=5, decay_steps=50)",
         lambda: __import__("lrfuncs.compat.optax", fromlist=["x"]).warmup_cosine_decay_schedule(
             init_value=0.0, peak_value=1.0, warmup_steps=5, decay_steps=50)),
        ("timm.CosineLRScheduler(t_initial=20, warmup_t=3, base_lr=0.1)",
         lambda: __import__("lrfuncs.compat.timm", fromlist=["x"]).CosineLRScheduler(t_initial=20, warmup_t=3,
                                                                                    base_lr=0.1)),
        ("keras.CosineDecayRestarts(initial_learning_rate=0.1, first_decay_steps=10)",
         lambda: __import__("lrfuncs.compat.keras", fromlist=["x"]).CosineDecayRestarts(
             initial_learning_rate=0.1, first_decay_steps=10)),
    ],
)
def test_real_compat_constructors(spec: str, make: Any) -> None:
    """SPECs naming the real compat modules give the schedule their constructor returns."""
    assert lrfuncs.parse(spec) == make()
