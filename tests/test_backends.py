"""Backend agreement and dispatch, for every registered schedule.

* Python scalars, numpy, JAX (eager, ``jit``, ``vmap`` over steps) and torch give the
  same values (to float64 rounding) for hypothesis-drawn valid configs and steps
  that include every phase boundary, fractional steps and steps past the horizon.
* ``jax.vmap`` over *config* axes equals evaluating each config on its own;
  array config of shape (K, 1) with steps (N,) gives the (K, N) sweep.
* ``jax.grad`` w.r.t. every numeric config value is finite everywhere, and
  ``d lr / d peak_lr == lr / peak_lr`` where the schedule is homogeneous in ``peak_lr``.
* Result types follow the step's type; unsupported step types raise ``TypeError``.

``STRATEGIES`` and ``LANDMARKS`` (one per schedule) are also used by test_properties.py.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate
from hypothesis import given, settings
from hypothesis import strategies as st
from schedule_cases import CASES
from strategies import counts, exponents, floor_config, fraction_of, gammas, lengths, peaks

import lrfuncs

SCHEDULES = sorted(lrfuncs.registered())
F64 = np.float64

# ----------------------------------------------------------------------------------------------
# Valid configs, one strategy per schedule
# ----------------------------------------------------------------------------------------------

_floor = floor_config


@st.composite
def _step_decay(draw: Any) -> dict[str, Any]:
    return {"peak_lr": draw(peaks), "step_size": draw(lengths(1, 40)), "gamma": draw(gammas)}


@st.composite
def _multistep_decay(draw: Any) -> dict[str, Any]:
    ms = draw(st.lists(st.integers(0, 60), max_size=5))
    return {"peak_lr": draw(peaks), "milestones": ms, "gamma": draw(gammas)}


@st.composite
def _cosine_decay(draw: Any) -> dict[str, Any]:
    cfg = {"peak_lr": draw(peaks), "total_steps": draw(lengths(1, 200))}
    _floor(draw, cfg)
    cfg["exponent"] = draw(exponents)
    cfg["periodic"] = draw(st.booleans())
    return cfg


@st.composite
def _cosine_restarts(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    cs = draw(lengths(1, 30))
    m = draw(st.one_of(st.sampled_from([1.0, 1, 2, 2.0, 3, 0.5]), st.floats(0.3, 3.0)))
    cfg: dict[str, Any] = {"peak_lr": peak, "cycle_steps": cs, "cycle_mult": m}
    _floor(draw, cfg)
    cfg["peak_decay"] = draw(st.one_of(st.just(1.0), st.floats(0.1, 1.0)))
    cfg["max_cycles"] = draw(st.one_of(st.none(), st.integers(1, 5)))
    cfg["warmup_steps"] = draw(counts(20))
    cfg["init_lr"] = draw(st.one_of(st.none(), fraction_of(peak)))
    if m >= 1:
        cfg["cycle_warmup_steps"] = draw(st.one_of(st.just(0), st.floats(0.01, 0.99).map(lambda r: r * cs)))
    return cfg


def _phases(draw: Any, cfg: dict[str, Any]) -> None:
    cfg["total_steps"] = draw(st.one_of(st.integers(1, 200), st.integers(1, 50).map(float)))
    pct = draw(st.one_of(st.sampled_from([0.0, 0.25, 0.3, 0.5, 1.0]), st.floats(0.0, 1.0)))
    three = draw(st.booleans())
    pct_final = draw(st.one_of(st.none(), st.floats(0.0, 1.0).map(lambda r: pct + r * (1.0 - pct))))
    if not three:
        pct_final = None  # only the three-phase schedule has a middle phase to end
    if three and pct_final is None:
        pct = min(pct, 0.5)
    cfg.update(
        pct_start=pct,
        anneal=draw(st.sampled_from(["cos", "linear"])),
        three_phase=three,
        pct_final=pct_final,
        convention=draw(st.sampled_from(["torch", "optax"])),
    )


@st.composite
def _onecycle(draw: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {"peak_lr": draw(peaks)}
    _phases(draw, cfg)
    cfg["div_factor"] = draw(st.one_of(st.just(25.0), st.floats(0.5, 100.0)))
    cfg["final_div_factor"] = draw(st.one_of(st.just(1e4), st.floats(0.5, 1e5)))
    return cfg


@st.composite
def _onecycle_momentum(draw: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {}
    _phases(draw, cfg)
    cfg["base_momentum"] = draw(st.one_of(st.just(0.85), st.floats(0.0, 1.0)))
    cfg["max_momentum"] = draw(st.one_of(st.just(0.95), st.floats(0.0, 1.0)))
    return cfg


def _warmup(draw: Any) -> dict[str, Any]:
    peak = draw(peaks)
    return {
        "peak_lr": peak,
        "warmup_steps": draw(counts(50)),
        "init_lr": draw(st.one_of(st.none(), fraction_of(peak))),
    }


def _warmup_decay(draw: Any) -> dict[str, Any]:
    cfg = _warmup(draw)
    total = cfg["warmup_steps"] + draw(counts(200))
    cfg["total_steps"] = total if total > 0 else 1
    _floor(draw, cfg)
    return cfg


@st.composite
def _warmup_constant(draw: Any) -> dict[str, Any]:
    return _warmup(draw)


@st.composite
def _warmup_linear(draw: Any) -> dict[str, Any]:
    return _warmup_decay(draw)


@st.composite
def _warmup_cosine(draw: Any) -> dict[str, Any]:
    cfg = _warmup_decay(draw)
    cfg["num_cycles"] = draw(st.one_of(st.just(0.5), st.floats(0.1, 3.0)))
    cfg["exponent"] = draw(exponents)
    cfg["floor_mode"] = draw(st.sampled_from(["rescale", "clip"]))
    cfg["periodic"] = draw(st.booleans())
    return cfg


STRATEGIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "step_decay": _step_decay(),
    "multistep_decay": _multistep_decay(),
    "cosine_decay": _cosine_decay(),
    "cosine_restarts": _cosine_restarts(),
    "onecycle": _onecycle(),
    "onecycle_momentum": _onecycle_momentum(),
    "warmup_constant": _warmup_constant(),
    "warmup_linear": _warmup_linear(),
    "warmup_cosine": _warmup_cosine(),
    **{name: case.strategy for name, case in CASES.items()},
}


# ----------------------------------------------------------------------------------------------
# Steps at and around every phase boundary of a config
# ----------------------------------------------------------------------------------------------

NEAR = (-1.0, -0.5, 0.0, 0.5, 1.0)


def _around(points: list[float]) -> list[float]:
    return [p + d for p in points for d in NEAR]


def _cycle_starts(cfg: dict[str, Any], n: int = 8) -> list[float]:
    """Starts of the first ``n`` cycles (after the warmup), plus the horizon for cycle_mult < 1."""
    w, cs, m = cfg.get("warmup_steps", 0), cfg["cycle_steps"], cfg.get("cycle_mult", 1.0)
    out, start, length = [], 0.0, float(cs)
    for _ in range(n):
        out.append(w + start)
        start += length
        length *= m
    if m < 1:
        horizon = w + cs / (1.0 - m)
        out += [horizon, horizon + 1.0, 10.0 * horizon + 3.0]
    return out


def _phase_points(cfg: dict[str, Any]) -> list[float]:
    t, p = cfg["total_steps"], cfg["pct_start"]
    pf = cfg["pct_final"] if cfg["pct_final"] is not None else 2 * p
    return [p * t, pf * t, t, t + 1.0, 2.0 * t + 3.0]


LANDMARKS = {
    "step_decay": lambda c: _around([k * c["step_size"] for k in range(5)]),
    "multistep_decay": lambda c: _around([float(m) for m in c["milestones"]] + [70.0]),
    "cosine_decay": lambda c: _around([k * c["total_steps"] for k in (0.5, 1, 2, 3)]),
    "cosine_restarts": lambda c: _around(
        [*_cycle_starts(c), *(s + c.get("cycle_warmup_steps", 0) for s in _cycle_starts(c, 3))]
    ),
    "onecycle": lambda c: _around(_phase_points(c)),
    "onecycle_momentum": lambda c: _around(_phase_points(c)),
    "warmup_constant": lambda c: _around([c["warmup_steps"], 2.0 * c["warmup_steps"] + 5.0]),
    "warmup_linear": lambda c: _around([c["warmup_steps"], c["total_steps"], 2.0 * c["total_steps"]]),
    "warmup_cosine": lambda c: _around([c["warmup_steps"], c["total_steps"], 2.0 * c["total_steps"]]),
    **{name: (lambda c, f=case.landmarks: _around(f(c))) for name, case in CASES.items()},
}


#: Every drawn step array has this length, so JAX's eager per-shape caches are reused across examples.
N_STEPS = 128


def _ill_conditioned(name: str, cfg: dict[str, Any], t: np.ndarray) -> np.ndarray:
    """Steps where cosine_restarts or restarts (cycle_mult != 1) is decided by the last bit of a pow/log.

    * Within 2e-12 (relative) of a restart that is not a whole number: whether the step is
      before or after the restart (or the edge of lrfuncs' 1e-12 snap window around it) depends
      on the rounding of ``cycle_mult ** i``, which differs by an ulp between libm, numpy, XLA
      (and XLA's vectorised code): a jump within rounding, not a bug. Whole-number restarts
      (whole ``cycle_steps`` and ``cycle_mult``) are exact and kept.
    * Within 1% of the finite horizon when cycle_mult < 1: the cycles get shorter than the
      rounding error of the step, so the phase in the cycle is noise.
    """
    m = cfg.get("cycle_mult", 1.0)
    bad = np.zeros(t.shape, dtype=bool)
    if name not in ("cosine_restarts", "restarts") or m == 1:
        return bad
    cs, u = cfg["cycle_steps"], t - cfg.get("warmup_steps", 0)
    if m < 1:
        h = cs / (1.0 - m)
        bad |= np.abs(u - h) <= 0.01 * h
    if not (float(cs).is_integer() and float(m).is_integer()):
        start, length = 0.0, float(cs)
        while start <= u.max() and length > 1e-9:
            bad |= np.abs(u - start) <= 2e-12 * max(1.0, start)
            start, length = start + length, length * m
    return bad


@st.composite
def cases(draw: Any, name: str, integer: bool | None = None) -> tuple[dict[str, Any], np.ndarray]:
    """A valid config and a sorted array of N_STEPS steps (int64 or float64) covering its boundaries."""
    cfg = draw(STRATEGIES[name])
    marks = [0.0, *(x for x in LANDMARKS[name](cfg) if x >= 0)]
    hi = 1.5 * max(marks) + 5.0
    extra = draw(st.lists(st.floats(0.0, hi, allow_subnormal=False), min_size=1, max_size=6))
    if integer is None:
        integer = draw(st.booleans())
    pts = np.asarray(marks + extra, dtype=F64)
    if integer:
        pts = np.concatenate([np.floor(pts), np.ceil(pts)])
    pts = np.unique(pts[~_ill_conditioned(name, cfg, pts)])
    if len(pts) > N_STEPS:
        pts = pts[np.linspace(0, len(pts) - 1, N_STEPS).round().astype(int)]
    steps = np.sort(np.resize(pts, N_STEPS))
    return cfg, steps.astype(np.int64) if integer else steps


def _peak(cfg: dict[str, Any]) -> float:
    return float(cfg.get("peak_lr", 1.0))


def test_every_schedule_has_a_strategy() -> None:
    assert set(STRATEGIES) == set(lrfuncs.registered())
    assert set(LANDMARKS) == set(lrfuncs.registered())


def examples(n: int) -> Any:
    """``n`` hypothesis examples at the default profile (60), scaled with LRFUNCS_MAX_EXAMPLES."""
    return settings(max_examples=max(1, round(n * settings().max_examples / 60)))


def _close(actual: Any, expected: Any, peak: float) -> None:
    """assert_lr_close on flattened arrays (its report indexes the flat array)."""
    assert np.shape(actual) == np.shape(expected), (np.shape(actual), np.shape(expected))
    assert_lr_close(np.ravel(np.asarray(actual, dtype=F64)), np.ravel(np.asarray(expected, dtype=F64)), peak=peak)


def _assert_backends_agree(name: str, cfg: dict[str, Any], steps: np.ndarray, backends: tuple[str, ...]) -> None:
    fn = lrfuncs.get_schedule(name)
    ref = evaluate("python", fn, steps, **cfg)
    bound = fn.bind(**cfg)  # the bound schedule, including its Python-scalar fast path
    py_steps = [int(s) if steps.dtype.kind == "i" else float(s) for s in steps]
    results = {b: (lambda b=b: evaluate(b, fn, steps, **cfg)) for b in backends}
    results["bound-python"] = lambda: np.array([bound(s) for s in py_steps])
    results["bound-numpy"] = lambda: bound(steps)
    for backend, run in results.items():
        try:
            assert_lr_close(run(), ref, peak=_peak(cfg))
        except AssertionError as e:
            raise AssertionError(f"{backend} differs from python: {e}") from None


@pytest.mark.parametrize("name", SCHEDULES)
@examples(25)
@given(data=st.data())
def test_backends_agree_eager(name: str, data: st.DataObject) -> None:
    """Python == numpy == JAX eager == jax.vmap over steps == torch, to float64 rounding."""
    cfg, steps = data.draw(cases(name))
    _assert_backends_agree(name, cfg, steps, ("numpy", "jax", "jax_vmap", "torch"))


@pytest.mark.parametrize("name", SCHEDULES)
@examples(8)
@given(data=st.data())
def test_backends_agree_with_jit(name: str, data: st.DataObject) -> None:
    """All of BACKENDS, jax.jit included (a compile per example, hence fewer examples)."""
    cfg, steps = data.draw(cases(name))
    _assert_backends_agree(name, cfg, steps, BACKENDS[1:])


# ----------------------------------------------------------------------------------------------
# vmap over config axes; (K, 1) sweeps
# ----------------------------------------------------------------------------------------------

#: Options that select code (not numbers): never traced.
STATIC = {"anneal", "convention", "three_phase", "periodic", "floor_mode", "milestones"}

#: For each numeric argument, three values that keep *any* valid config valid when all are
#: applied together (index j of every list): the first is the drawn value itself.
VARIANTS = {
    "peak_lr": lambda v: [v, 1.5 * v, 3.0 * v],
    "step_size": lambda v: [v, 2.0 * v, v + 0.5],
    "gamma": lambda v: [v, 0.5 * v, 1.0],
    "total_steps": lambda v: [v, v + 1, 2 * v],
    "min_lr": lambda v: [v, 0.5 * v, 0.0],
    "min_lr_ratio": lambda v: [v, 0.5 * v, 0.0],
    "exponent": lambda v: [v, 1.0, 2.5],
    "cycle_steps": lambda v: [v, 2.0 * v, v + 1.0],
    "cycle_mult": lambda v: [v, 1.0, v + 1.0],
    "peak_decay": lambda v: [v, 1.0, 0.5 * v],
    "max_cycles": lambda v: [v, v + 1, 1],
    "warmup_steps": lambda v: [v, 0.0, 0.5 * v],
    "init_lr": lambda v: [v, 0.0, 0.5 * v],
    "cycle_warmup_steps": lambda v: [v, 0.0, 0.5 * v],
    "pct_start": lambda v: [v, 0.5 * v, 0.0],
    "pct_final": lambda v: [v, 0.5 * (v + 1.0), 1.0],
    "div_factor": lambda v: [v, 2.0 * v, 1.0],
    "final_div_factor": lambda v: [v, 2.0 * v, 1.0],
    "base_momentum": lambda v: [v, 0.5 * v, 0.0],
    "max_momentum": lambda v: [v, 0.5 * (v + 1.0), 1.0],
    "num_cycles": lambda v: [v, 0.5, 2.0 * v],
}
for _case in CASES.values():
    STATIC |= _case.static
    for _k, _f in _case.variants.items():
        assert _k not in VARIANTS or VARIANTS[_k] is _f, f"variants of {_k!r} are defined twice"
        VARIANTS[_k] = _f


def _numeric(cfg: dict[str, Any]) -> list[str]:
    return sorted(k for k, v in cfg.items() if k not in STATIC and v is not None)


def test_every_argument_is_static_or_has_variants() -> None:
    for name, fn in lrfuncs.registered().items():
        unknown = fn.spec.names - STATIC - set(VARIANTS)
        assert not unknown, f"{name}: add {sorted(unknown)} to VARIANTS or STATIC"


def _variant(cfg: dict[str, Any], keys: list[str], j: int) -> dict[str, Any]:
    return {**cfg, **{k: VARIANTS[k](cfg[k])[j] for k in keys}}


@pytest.mark.parametrize("name", SCHEDULES)
@examples(6)
@given(data=st.data())
def test_vmap_over_config_equals_each_config(name: str, data: st.DataObject) -> None:
    """jax.vmap over config values (traced config) == each config evaluated on its own (numpy)."""
    fn = lrfuncs.get_schedule(name)
    cfg, steps = data.draw(cases(name, integer=False))
    cfg = dict(fn.bind(**cfg).config)  # defaults filled in
    keys = _numeric(cfg)
    if not keys:  # nothing numeric to batch (a join with fixed boundaries)
        return
    # one key traced (the others plain), and all keys traced at once
    one = data.draw(st.sampled_from(keys))
    for batched in ([one], keys):
        variants = [_variant(cfg, batched, j) for j in range(3)]
        for variant in variants:
            fn.bind(**variant)  # the variants are valid
            steps = np.where(_ill_conditioned(name, variant, steps), 0.0, steps)
        expected = np.stack([fn(steps, **variant) for variant in variants])
        axes = {k: jnp.asarray([v[k] for v in variants], dtype=jnp.float64) for k in batched}
        out = jax.vmap(lambda c: fn(jnp.asarray(steps), **{**cfg, **c}))(axes)  # noqa: B023
        _close(out, expected, peak=3 * _peak(cfg))


@pytest.mark.parametrize("name", [n for n in SCHEDULES if "peak_lr" in lrfuncs.get_schedule(n).spec.names])
@examples(4)
@given(data=st.data())
def test_peak_sweep_k_by_n(name: str, data: st.DataObject) -> None:
    """peak_lr of shape (K, 1) with steps (N,) gives (K, N), equal to K separate calls."""
    fn = lrfuncs.get_schedule(name)
    cfg, steps = data.draw(cases(name))
    base = cfg["peak_lr"]
    peaks_ = np.array([[base], [1.25 * base], [2.0 * base]])
    rest = {k: v for k, v in cfg.items() if k != "peak_lr"}
    expected = np.stack([fn(steps, peak_lr=float(p), **rest) for p in peaks_[:, 0]])
    assert expected.shape == (3, N_STEPS)
    out_np = fn(steps, peak_lr=peaks_, **rest)
    assert isinstance(out_np, np.ndarray)
    _close(out_np, expected, peak=2 * base)
    out_torch = fn(torch.as_tensor(steps), peak_lr=torch.as_tensor(peaks_), **rest)
    assert isinstance(out_torch, torch.Tensor)
    assert out_torch.dtype == torch.float64
    _close(out_torch.numpy(), expected, peak=2 * base)
    out_jax = fn(jnp.asarray(steps), peak_lr=jnp.asarray(peaks_), **rest)
    assert isinstance(out_jax, jax.Array)
    _close(out_jax, expected, peak=2 * base)
    out_jit = jax.jit(lambda s, p: fn(s, peak_lr=p, **rest))(jnp.asarray(steps), jnp.asarray(peaks_))
    _close(out_jit, expected, peak=2 * base)
    # numpy config with a JAX or a torch step (numpy mixes with one device framework)
    out_mixed = fn(jnp.asarray(steps), peak_lr=peaks_, **rest)
    assert isinstance(out_mixed, jax.Array)
    _close(out_mixed, expected, peak=2 * base)
    out_mixed = fn(torch.as_tensor(steps), peak_lr=peaks_, **rest)
    assert isinstance(out_mixed, torch.Tensor)
    _close(out_mixed.numpy(), expected, peak=2 * base)


def test_momentum_sweep_k_by_n() -> None:
    fn = lrfuncs.onecycle_momentum
    steps = np.arange(12)
    base = np.array([[0.8], [0.85], [0.9]])
    expected = np.stack([fn(steps, total_steps=10, base_momentum=float(b)) for b in base[:, 0]])
    assert_lr_close(fn(steps, total_steps=10, base_momentum=base), expected)
    assert_lr_close(np.asarray(fn(jnp.asarray(steps), total_steps=10, base_momentum=jnp.asarray(base))), expected)
    assert_lr_close(fn(torch.as_tensor(steps), total_steps=10, base_momentum=torch.as_tensor(base)).numpy(), expected)


JAX_FLOOR_CASES = [
    # (schedule, config, step, value numpy/torch/Python give)
    ("step_decay", {"peak_lr": 1.0, "step_size": 49, "gamma": 0.5}, 49, 0.5),
    ("step_decay", {"peak_lr": 1.0, "step_size": 49.0, "gamma": 0.5}, 98, 0.25),
    ("step_decay", {"peak_lr": 1.0, "step_size": 1.9, "gamma": 0.1}, 1.9, 0.1),
    ("cosine_restarts", {"peak_lr": 1.0, "cycle_steps": 49}, 49, 1.0),
    ("cosine_restarts", {"peak_lr": 1.0, "cycle_steps": 5, "cycle_mult": 6}, 6**20 - 1, 1.0),
]


@pytest.mark.parametrize(("name", "cfg", "step", "value"), JAX_FLOOR_CASES)
def test_exact_multiples_numpy_torch_python(name: str, cfg: dict[str, Any], step: float, value: float) -> None:
    fn = lrfuncs.get_schedule(name)
    steps = np.array([0, step, step])  # an array of more than one element, as in a curve
    assert fn(step, **cfg) == value
    assert fn(steps, **cfg)[1] == value
    assert fn(torch.as_tensor(steps), **cfg)[1].item() == value


@pytest.mark.parametrize(("name", "cfg", "step", "value"), JAX_FLOOR_CASES)
def test_jax_exact_multiples(name: str, cfg: dict[str, Any], step: float, value: float) -> None:
    """XLA (CPU) divides by multiplying with the reciprocal (49 * (1/49) < 1): floors must not use t / s."""
    fn = lrfuncs.get_schedule(name)
    steps = jnp.asarray([0, step, step], dtype=jnp.float64)
    assert float(fn(steps, **cfg)[1]) == value
    assert float(jax.jit(lambda s: fn(s, **cfg))(steps)[1]) == value
    from lrfuncs.backends.jax import curve

    if float(step).is_integer() and step < 1000:
        assert float(curve(fn, int(step) + 1, **cfg)[int(step)]) == value


def test_numpy_config_with_torch_step() -> None:
    steps = np.arange(6)
    peaks_ = np.array([[0.1], [0.2]])
    expected = lrfuncs.cosine_decay(steps, peak_lr=peaks_, total_steps=4)
    out = lrfuncs.cosine_decay(torch.as_tensor(steps), peak_lr=peaks_, total_steps=4)
    assert isinstance(out, torch.Tensor)
    assert out.dtype == torch.float64
    _close(out.numpy(), expected, peak=0.2)
    bound = lrfuncs.cosine_decay.bind(peak_lr=peaks_, total_steps=4)
    _close(bound(torch.as_tensor(steps)).numpy(), expected, peak=0.2)


# ----------------------------------------------------------------------------------------------
# Gradients w.r.t. config
# ----------------------------------------------------------------------------------------------


def _grads(fn: Any, cfg: dict[str, Any], keys: list[str], steps: np.ndarray) -> dict[str, np.ndarray]:
    """d lr(t) / d cfg[k] for every step and every key in ``keys`` (all traced together)."""

    def lr(c: dict[str, Any], t: Any) -> Any:
        return fn(t, **{**cfg, **c})

    point = {k: jnp.float64(cfg[k]) for k in keys}
    g = jax.vmap(jax.grad(lr), in_axes=(None, 0))(point, jnp.asarray(steps, dtype=jnp.float64))
    return {k: np.asarray(v) for k, v in g.items()}


def _assert_finite_grads(name: str, cfg: dict[str, Any], steps: np.ndarray, keys: list[str] | None = None) -> None:
    fn = lrfuncs.get_schedule(name)
    full = dict(fn.bind(**cfg).config)
    keys = _numeric(full) if keys is None else keys
    for k, g in _grads(fn, full, keys, steps).items():
        bad = ~np.isfinite(g)
        assert not bad.any(), f"{name}: d lr / d {k} is not finite at steps {steps[bad]} ({g[bad]}); config {full}"


@pytest.mark.parametrize("name", SCHEDULES)
@examples(8)
@given(data=st.data())
def test_grad_wrt_config_is_finite(name: str, data: st.DataObject) -> None:
    cfg, steps = data.draw(cases(name, integer=False))
    _assert_finite_grads(name, cfg, steps)


#: Zero-length phases and other edge configs: gradients at 0, at every boundary, at and past the end.
GRAD_EDGES = [
    ("step_decay", {"peak_lr": 0.1, "step_size": 1}),
    ("multistep_decay", {"peak_lr": 0.1, "milestones": [0, 0, 3]}),
    ("cosine_decay", {"peak_lr": 0.1, "total_steps": 1, "exponent": 2.0, "min_lr": 0.0}),
    ("cosine_decay", {"peak_lr": 0.1, "total_steps": 10, "exponent": 0.5, "min_lr_ratio": 1.0}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 1, "cycle_mult": 2, "min_lr": 0.01, "peak_decay": 0.5}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 4, "cycle_warmup_steps": 3.5, "warmup_steps": 0}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 4, "max_cycles": 1, "warmup_steps": 4, "init_lr": 0.0}),
    ("onecycle", {"peak_lr": 0.1, "total_steps": 1, "pct_start": 0.0}),
    ("onecycle", {"peak_lr": 0.1, "total_steps": 1, "pct_start": 1.0}),
    ("onecycle", {"peak_lr": 0.1, "total_steps": 2, "pct_start": 0.5, "three_phase": True}),
    ("onecycle", {"peak_lr": 0.1, "total_steps": 3, "pct_start": 0.0, "convention": "optax", "anneal": "linear"}),
    ("onecycle", {"peak_lr": 0.1, "total_steps": 3, "pct_start": 1.0, "pct_final": 1.0, "three_phase": True}),
    ("onecycle_momentum", {"total_steps": 1, "pct_start": 0.0}),
    ("onecycle_momentum", {"total_steps": 3, "pct_start": 1.0, "convention": "optax"}),
    ("warmup_constant", {"peak_lr": 0.1, "warmup_steps": 0}),
    ("warmup_constant", {"peak_lr": 0.1, "warmup_steps": 5, "init_lr": 0.0}),
    ("warmup_linear", {"peak_lr": 0.1, "warmup_steps": 0, "total_steps": 10}),
    ("warmup_linear", {"peak_lr": 0.1, "warmup_steps": 10, "total_steps": 10, "min_lr": 0.01}),
    ("warmup_linear", {"peak_lr": 0.1, "warmup_steps": 0, "total_steps": 1, "min_lr_ratio": 0.5}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 0, "total_steps": 10, "exponent": 2.0}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 10, "total_steps": 10, "exponent": 3.0, "min_lr": 0.0}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 1, "total_steps": 1, "min_lr_ratio": 0.1, "floor_mode": "clip"}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 2, "total_steps": 5, "num_cycles": 1.0, "exponent": 0.5}),
]
GRAD_EDGES += [(name, cfg) for name, case in CASES.items() for cfg in case.grad_edges]
EDGE_STEPS = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 5.0, 9.0, 10.0, 11.0, 1e3, 1e10])


def test_edge_configs_cover_every_schedule() -> None:
    assert {n for n, _ in GRAD_EDGES} == set(lrfuncs.registered())


@pytest.mark.parametrize(("name", "cfg"), GRAD_EDGES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(GRAD_EDGES)])
def test_grad_finite_at_edges(name: str, cfg: dict[str, Any]) -> None:
    _assert_finite_grads(name, cfg, EDGE_STEPS)


def test_grad_cycle_mult_below_one_past_horizon() -> None:
    """Past the finite horizon cycle_steps / (1 - cycle_mult) the value is the floor: gradients stay finite."""
    for m in (0.5, 0.9):
        cfg = {"peak_lr": 0.1, "cycle_steps": 4, "cycle_mult": m, "min_lr": 0.01}
        _assert_finite_grads("cosine_restarts", cfg, np.array([0.0, 7.0, 7.9, 8.0, 9.0, 39.0, 40.0, 100.0, 1e9]))


def _homogeneous(name: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """``cfg`` made exactly linear in peak_lr: no absolute floor, warmup from 0 or peak/(W+1)."""
    out = dict(cfg)
    if out.get("min_lr") is not None:
        out["min_lr"] = None
    if out.get("init_lr") not in (None, 0.0):
        out["init_lr"] = None
    return out


HOMOGENEOUS = [n for n in SCHEDULES if "peak_lr" in lrfuncs.get_schedule(n).spec.names]


@pytest.mark.parametrize("name", HOMOGENEOUS)
@examples(8)
@given(data=st.data())
def test_grad_peak_lr_is_lr_over_peak(name: str, data: st.DataObject) -> None:
    """Every schedule is linear in peak_lr unless given an absolute ``min_lr`` or nonzero ``init_lr``."""
    fn = lrfuncs.get_schedule(name)
    cfg, steps = data.draw(cases(name, integer=False))
    cfg = _homogeneous(name, cfg)
    g = _grads(fn, cfg, ["peak_lr"], steps)["peak_lr"]
    lr = fn(steps.astype(F64), **cfg)
    assert_lr_close(g, lr / cfg["peak_lr"])


@pytest.mark.parametrize(
    ("name", "cfg", "step"),
    [
        ("cosine_decay", {"total_steps": 10, "min_lr": 0.01}, 5),
        ("warmup_constant", {"warmup_steps": 4, "init_lr": 0.01}, 1),
        ("warmup_linear", {"warmup_steps": 4, "total_steps": 10, "min_lr": 0.01}, 6),
        ("warmup_cosine", {"warmup_steps": 4, "total_steps": 10, "init_lr": 0.01}, 1),
        ("cosine_restarts", {"cycle_steps": 4, "min_lr": 0.01}, 2),
    ],
)
def test_absolute_floor_or_init_is_not_linear_in_peak(name: str, cfg: dict[str, Any], step: int) -> None:
    fn = lrfuncs.get_schedule(name)
    peak = 0.1
    g = float(jax.grad(lambda p: fn(jnp.float64(step), peak_lr=p, **cfg))(jnp.float64(peak)))
    lr = fn(step, peak_lr=peak, **cfg)
    assert math.isfinite(g)
    assert abs(g - lr / peak) > 1e-3


# ----------------------------------------------------------------------------------------------
# Dispatch and result types
# ----------------------------------------------------------------------------------------------

EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    ("step_decay", {"peak_lr": 0.1, "step_size": 3, "gamma": 0.5}),
    ("multistep_decay", {"peak_lr": 0.1, "milestones": [3, 5], "gamma": 0.5}),
    ("cosine_decay", {"peak_lr": 0.1, "total_steps": 10, "min_lr": 0.001}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 4}),
    ("cosine_restarts", {"peak_lr": 0.1, "cycle_steps": 4, "cycle_mult": 2, "warmup_steps": 2, "peak_decay": 0.5}),
    ("onecycle", {"peak_lr": 0.1, "total_steps": 10}),
    ("onecycle_momentum", {"total_steps": 10}),
    ("warmup_constant", {"peak_lr": 0.1, "warmup_steps": 3}),
    ("warmup_linear", {"peak_lr": 0.1, "warmup_steps": 3, "total_steps": 10}),
    ("warmup_cosine", {"peak_lr": 0.1, "warmup_steps": 3, "total_steps": 10, "min_lr_ratio": 0.1}),
]
EXAMPLES += [(name, cfg) for name, case in CASES.items() for cfg in case.examples]
EXAMPLE_IDS = [f"{n}-{i}" for i, (n, _) in enumerate(EXAMPLES)]


def test_examples_cover_every_schedule() -> None:
    assert {n for n, _ in EXAMPLES} == set(lrfuncs.registered())


def example_params() -> Any:
    return pytest.mark.parametrize(("name", "cfg"), EXAMPLES, ids=EXAMPLE_IDS)


@example_params()
def test_python_steps_give_python_float(name: str, cfg: dict[str, Any]) -> None:
    fn = lrfuncs.get_schedule(name)
    for step in (0, 3, 7.5, 10**12):
        out = fn(step, **cfg)
        assert type(out) is float
        assert type(fn.bind(**cfg)(step)) is float
        assert out == fn.bind(**cfg)(step)


@example_params()
def test_numpy_int_array_gives_float64(name: str, cfg: dict[str, Any]) -> None:
    fn = lrfuncs.get_schedule(name)
    for dtype in (np.int64, np.int32, np.uint8):
        out = fn(np.arange(12, dtype=dtype), **cfg)
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.float64
        assert out.shape == (12,)
        assert_lr_close(out, evaluate("python", fn, np.arange(12), **cfg))
    grid = fn(np.arange(12).reshape(3, 4), **cfg)
    assert grid.shape == (3, 4)


@example_params()
def test_numpy_float32_array_gives_float32(name: str, cfg: dict[str, Any]) -> None:
    fn = lrfuncs.get_schedule(name)
    steps = np.arange(12, dtype=np.float32)
    out = fn(steps, **cfg)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, fn(np.arange(12), **cfg), rtol=1e-5, atol=1e-7 * _peak(cfg))


@example_params()
def test_numpy_scalar_step_gives_numpy_scalar(name: str, cfg: dict[str, Any]) -> None:
    fn = lrfuncs.get_schedule(name)
    out = fn(np.float64(3.0), **cfg)
    assert isinstance(out, np.floating)
    assert out.dtype == np.float64
    out = fn(np.int64(3), **cfg)
    assert isinstance(out, np.floating)


@example_params()
def test_numpy_scalar_step_value(name: str, cfg: dict[str, Any]) -> None:
    """Whatever the container (numpy scalar or 0-d array), a numpy scalar step gives a 0-d float64 value."""
    fn = lrfuncs.get_schedule(name)
    for step in (np.float64(3.0), np.int64(3), np.int32(3)):
        out = fn(step, **cfg)
        assert isinstance(out, (np.floating, np.ndarray))
        assert np.ndim(out) == 0
        assert np.asarray(out).dtype == np.float64
        assert float(out) == pytest.approx(fn(3, **cfg), rel=1e-14)


@example_params()
def test_jax_steps_give_float64_under_x64(name: str, cfg: dict[str, Any]) -> None:
    fn = lrfuncs.get_schedule(name)
    for dtype in (jnp.int32, jnp.int64, jnp.float64):
        out = fn(jnp.arange(12, dtype=dtype), **cfg)
        assert isinstance(out, jax.Array)
        assert out.dtype == jnp.float64
        assert_lr_close(np.asarray(out), evaluate("python", fn, np.arange(12), **cfg))
    out = fn(jnp.arange(12, dtype=jnp.float32), **cfg)
    assert out.dtype == jnp.float32


@example_params()
def test_torch_steps_keep_dtype_and_device(name: str, cfg: dict[str, Any]) -> None:
    fn = lrfuncs.get_schedule(name)
    expected = evaluate("python", fn, np.arange(12), **cfg)
    for dtype in (torch.int64, torch.int32, torch.float64):
        out = fn(torch.arange(12, dtype=dtype), **cfg)
        assert isinstance(out, torch.Tensor)
        assert out.dtype == torch.float64
        assert out.device == torch.device("cpu")
        assert_lr_close(out.numpy(), expected)
    steps = torch.arange(12, dtype=torch.float32)
    out = fn(steps, **cfg)
    assert out.dtype == torch.float32
    assert out.device == steps.device
    np.testing.assert_allclose(out.double().numpy(), expected, rtol=1e-5, atol=1e-7 * _peak(cfg))
    scalar = fn(torch.tensor(3), **cfg)
    assert isinstance(scalar, torch.Tensor)
    assert scalar.shape == ()


BAD_STEPS = [
    ("100", "str"),
    (None, "NoneType"),
    ([1, 2], "list"),
    ((1, 2), "tuple"),
    (True, "bool"),
    (1 + 2j, "complex"),
    ({"step": 1}, "dict"),
    (np.bool_(True), "bool"),
    (np.complex128(1.0), "complex128"),
]


@example_params()
@pytest.mark.parametrize(("step", "kind"), BAD_STEPS, ids=[k for _, k in BAD_STEPS])
def test_bad_step_type_raises_type_error_naming_it(name: str, cfg: dict[str, Any], step: Any, kind: str) -> None:
    fn = lrfuncs.get_schedule(name)
    with pytest.raises(TypeError, match=rf"Received: step of type {kind}\."):
        fn(step, **cfg)
    with pytest.raises(TypeError, match=rf"Received: step of type {kind}\."):
        fn.bind(**cfg)(step)


@pytest.mark.parametrize(
    "step",
    [np.array([True, False]), jnp.array([True]), torch.tensor([True]), torch.tensor([1 + 1j]), np.array(["a"])],
    ids=["numpy-bool", "jax-bool", "torch-bool", "torch-complex", "numpy-str"],
)
def test_bad_step_dtype_raises_type_error(step: Any) -> None:
    with pytest.raises(TypeError, match="`step` must"):
        lrfuncs.cosine_decay(step, peak_lr=0.1, total_steps=10)


def test_list_step_hint() -> None:
    with pytest.raises(TypeError, match=r"pass an array, e\.g\. numpy\.arange\(n\)"):
        lrfuncs.cosine_decay([0, 1], peak_lr=0.1, total_steps=10)


def test_torch_step_with_jax_config_raises() -> None:
    with pytest.raises(TypeError, match="Cannot mix torch and jax values"):
        lrfuncs.cosine_decay(torch.arange(3), peak_lr=jnp.asarray(0.1), total_steps=10)
    with pytest.raises(TypeError, match="Cannot mix jax and torch values"):
        lrfuncs.cosine_decay(jnp.arange(3), peak_lr=torch.tensor(0.1), total_steps=10)
    s = lrfuncs.cosine_decay.bind(peak_lr=jnp.asarray(0.1), total_steps=10)
    with pytest.raises(TypeError, match="Cannot mix torch and jax values"):
        s(torch.arange(3))


def test_numpy_config_with_python_step_gives_numpy() -> None:
    out = lrfuncs.cosine_decay(5, peak_lr=np.array([0.1, 0.2]), total_steps=10)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert_lr_close(out, [lrfuncs.cosine_decay(5, peak_lr=p, total_steps=10) for p in (0.1, 0.2)])
    out = lrfuncs.cosine_decay(5, peak_lr=np.float64(0.1), total_steps=10)
    assert isinstance(out, (np.floating, np.ndarray))
    assert float(out) == lrfuncs.cosine_decay(5, peak_lr=0.1, total_steps=10)
    out = lrfuncs.cosine_decay.bind(peak_lr=np.array([0.1, 0.2]), total_steps=10)(5)
    assert isinstance(out, np.ndarray)


def test_device_config_with_python_step() -> None:
    out = lrfuncs.cosine_decay(5, peak_lr=jnp.asarray([0.1, 0.2]), total_steps=10)
    assert isinstance(out, jax.Array)
    out = lrfuncs.cosine_decay(5, peak_lr=torch.tensor([0.1, 0.2], dtype=torch.float64), total_steps=10)
    assert isinstance(out, torch.Tensor)
    assert out.dtype == torch.float64
    # a Python step with array config is still checked
    with pytest.raises(ValueError, match="Argument `step` must be a finite number >= 0"):
        lrfuncs.cosine_decay(-1, peak_lr=jnp.asarray([0.1, 0.2]), total_steps=10)


def test_under_jit_config_is_traced_and_not_checked() -> None:
    """Config traced by jit skips validation (documented) but still computes."""
    f = jax.jit(lambda p, t: lrfuncs.warmup_cosine(jnp.arange(5), peak_lr=p, warmup_steps=2, total_steps=t))
    out = f(jnp.float64(0.1), jnp.float64(4.0))
    assert_lr_close(np.asarray(out), lrfuncs.warmup_cosine(np.arange(5), peak_lr=0.1, warmup_steps=2, total_steps=4))
