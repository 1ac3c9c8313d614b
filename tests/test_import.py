"""Import hygiene: ``import lrfuncs`` and scalar evaluation import no array framework.

Each check runs in a fresh interpreter (``sys.executable -c ...``) so that what
this test process (and conftest) already imported cannot hide an import. The
last line a script prints is a JSON report that the test asserts on.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from conftest import CONFIGS

import lrfuncs

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: Frameworks that ``import lrfuncs`` and Python-number evaluation must not import.
FRAMEWORKS = ("numpy", "jax", "jaxlib", "torch", "optax", "scipy")


def _plain(value: Any) -> Any:
    """Config as JSON data: nested schedules (composites) as their ``to_dict()``."""
    if isinstance(value, lrfuncs.Schedule):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


#: Prepended to every script: the loaded-framework report. Nested schedules travel as dicts
#: (a schedule function accepts a schedule's ``to_dict()`` wherever it takes a schedule).
PRELUDE = f"""
import json, sys
FRAMEWORKS = {FRAMEWORKS!r}
CONFIGS = json.loads({json.dumps({n: {k: _plain(v) for k, v in c.items()} for n, c in CONFIGS.items()})!r})

def loaded():
    return sorted(f for f in FRAMEWORKS if f in sys.modules or any(m.startswith(f + ".") for m in sys.modules))
"""


def run(script: str) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter (JAX on CPU, without x64); return its final JSON line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
    env["JAX_PLATFORMS"] = "cpu"
    env.pop("PYTHONSTARTUP", None)
    proc = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"script failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_configs_cover_every_registered_schedule() -> None:
    assert set(CONFIGS) == set(lrfuncs.registered())


def test_import_and_scalar_evaluation_import_no_framework() -> None:
    report = run(
        """
        import math, pickle
        import lrfuncs
        after_import = loaded()
        assert sorted(lrfuncs.registered()) == sorted(CONFIGS), sorted(lrfuncs.registered())
        values = {}
        for name, fn in lrfuncs.registered().items():
            cfg = CONFIGS[name]
            vals = [fn(k, **cfg) for k in (0, 1, 4, 10, 39, 40, 100)] + [fn(2.5, **cfg), fn(1e9, **cfg)]
            assert all(type(v) is float and math.isfinite(v) for v in vals), (name, vals)
            s = fn.bind(**cfg)
            assert [s(k) for k in (0, 1, 4, 10, 39, 40, 100)] + [s(2.5), s(1e9)] == vals, name
            d = s.to_dict()
            back = lrfuncs.Schedule.from_dict(json.loads(json.dumps(d)))
            assert back == s and hash(back) == hash(s) and back(7) == s(7), name
            un = pickle.loads(pickle.dumps(s))
            assert un == s and un(7) == s(7), name
            assert s.replace(**{k: v for k, v in cfg.items() if k != "milestones"}) == s
            assert lrfuncs.get_schedule(name) is fn
            repr(s)
            values[name] = vals
        # error paths do not import a framework either
        errors = []
        for call in (
            lambda: lrfuncs.cosine_decay(0, peak_lr=-1.0, total_steps=10),
            lambda: lrfuncs.cosine_decay(-1, peak_lr=1.0, total_steps=10),
            lambda: lrfuncs.cosine_decay("3", peak_lr=1.0, total_steps=10),
            lambda: lrfuncs.cosine_decay(True, peak_lr=1.0, total_steps=10),
            lambda: lrfuncs.cosine_decay(None, peak_lr=1.0, total_steps=10),
            lambda: lrfuncs.cosine_decay([1, 2], peak_lr=1.0, total_steps=10),
            lambda: lrfuncs.cosine_decay(1, peak=1.0, total_steps=10),
            lambda: lrfuncs.get_schedule("cosine"),
            lambda: lrfuncs.Schedule.from_dict({"peak_lr": 1.0}),
        ):
            try:
                call()
            except (TypeError, ValueError) as e:
                errors.append(type(e).__name__)
        print(json.dumps({"after_import": after_import, "loaded": loaded(), "values": values, "errors": errors}))
        """
    )
    assert report["after_import"] == []
    assert report["loaded"] == []
    assert report["errors"] == ["ValueError", "ValueError", "TypeError", "TypeError", "TypeError", "TypeError",
                                "TypeError", "ValueError", "ValueError"]
    # the subprocess computed the same numbers as this process
    for name, vals in report["values"].items():
        fn = lrfuncs.get_schedule(name)
        assert vals == [fn(k, **CONFIGS[name]) for k in (0, 1, 4, 10, 39, 40, 100, 2.5, 1e9)]


def test_import_backends_package_imports_no_framework() -> None:
    report = run(
        """
        import lrfuncs.backends
        from lrfuncs.backends import resolve
        import lrfuncs
        f = resolve(lrfuncs.cosine_decay, {"peak_lr": 0.1, "total_steps": 10})
        assert isinstance(f, lrfuncs.Schedule) and f(5) == lrfuncs.cosine_decay(5, peak_lr=0.1, total_steps=10)
        print(json.dumps({"loaded": loaded()}))
        """
    )
    assert report["loaded"] == []


def test_numpy_without_jax_or_torch() -> None:
    report = run(
        """
        import lrfuncs
        import numpy as np
        from lrfuncs.backends.numpy import curve
        out = {}
        for name, fn in lrfuncs.registered().items():
            a = fn(np.arange(60), **CONFIGS[name])
            assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == (60,), name
            assert np.allclose(a, [fn(k, **CONFIGS[name]) for k in range(60)], rtol=1e-12, atol=1e-15), name
            s = fn.bind(**CONFIGS[name])
            assert np.array_equal(s(np.arange(60)), a), name
            assert np.array_equal(curve(s, 60, chunk_size=7), a), name
            r = fn(np.int64(3), **CONFIGS[name])  # a numpy scalar or a 0-d array
            out[name] = [str(np.asarray(r).dtype), np.ndim(r)]
        # array config: a sweep, equality, to_dict
        sw = lrfuncs.warmup_cosine.bind(peak_lr=np.array([[1e-3], [2e-3]]), warmup_steps=3, total_steps=20)
        assert sw(np.arange(5)).shape == (2, 5)
        assert sw == lrfuncs.warmup_cosine.bind(peak_lr=np.array([[1e-3], [2e-3]]), warmup_steps=3, total_steps=20)
        assert sw.to_dict()["peak_lr"] == [[1e-3], [2e-3]]
        print(json.dumps({"loaded": loaded(), "scalar_types": out}))
        """
    )
    assert report["loaded"] == ["numpy"]
    for name, (dtype, ndim) in report["scalar_types"].items():
        assert (dtype, ndim) == ("float64", 0), name


def test_jax_without_x64_gives_float32() -> None:
    """Documented: a JAX integer step gives JAX's default float, float32 unless x64 is enabled."""
    report = run(
        """
        import jax
        import jax.numpy as jnp
        import lrfuncs
        from lrfuncs.backends.jax import as_optax, curve
        assert not jax.config.jax_enable_x64
        dtypes = {}
        for name, fn in lrfuncs.registered().items():
            cfg = CONFIGS[name]
            s = fn.bind(**cfg)
            v = fn(jnp.arange(60, dtype=jnp.int32), **cfg)
            dtypes[name] = [
                str(v.dtype),
                str(s(jnp.arange(60, dtype=jnp.int32)).dtype),
                str(fn(jnp.arange(60.0), **cfg).dtype),
            ]
            ref = [fn(k, **cfg) for k in range(60)]
            scale = max(abs(x) for x in ref)  # float32 rounding relative to the curve's largest value
            err = max(abs(float(a) - b) for a, b in zip(v.tolist(), ref)) / scale
            assert err < 1e-6, (name, err)
            assert type(fn(3, **cfg)) is float  # Python numbers still give Python floats
        s = lrfuncs.warmup_cosine.bind(**CONFIGS["warmup_cosine"])
        adapters = [
            str(s(jnp.asarray(3, dtype=jnp.int32)).dtype),
            str(jax.jit(lambda t: s(t))(jnp.arange(60)).dtype),
            str(curve(s, 60).dtype),
            str(as_optax(s)(3).dtype),
        ]
        print(json.dumps({"dtypes": dtypes, "adapters": adapters, "loaded": loaded()}))
        """
    )
    assert set(report["dtypes"]) == set(CONFIGS)
    for name, dts in report["dtypes"].items():
        assert dts == ["float32"] * 3, name
    assert report["adapters"] == ["float32"] * 4
    assert "torch" not in report["loaded"]
    assert "scipy" not in report["loaded"]


@pytest.mark.parametrize("order", ["lrfuncs_first", "jax_first"])
def test_jax_x64_int_step_gives_float64(order: str) -> None:
    report = run(
        f"""
        if {order!r} == "lrfuncs_first":
            import lrfuncs
            lrfuncs.cosine_decay(3, peak_lr=0.1, total_steps=10)  # types seen before jax exists
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import lrfuncs
        v = lrfuncs.cosine_decay(jnp.arange(5, dtype=jnp.int32), peak_lr=0.1, total_steps=10)
        print(json.dumps({{"dtype": str(v.dtype), "loaded": loaded()}}))
        """
    )
    assert report["dtype"] == "float64"
    assert "torch" not in report["loaded"]
