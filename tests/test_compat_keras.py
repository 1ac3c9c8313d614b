"""``lrfuncs.compat.keras`` against the real Keras 3 schedule classes (keras 3.15.1, KERAS_BACKEND=jax, float64).

Every Keras value comes from Keras' own class with the same arguments, called under
``jax.vmap`` on int64 steps (``CosineDecay`` with warmup uses ``ops.cond``, which
needs a scalar step) with ``keras.config.set_floatx("float64")``, and each Keras
result is asserted to be float64. Keras 3 forces 64-bit dtypes to 32 bits in its
type promotion on every backend but TensorFlow (``dtypes.BIT64_TO_BIT32_DTYPE``,
"to be aligned with JAX's default"), so ``ops.cos`` on float64 returns float32 and
the two cosine classes compute in float32 whatever floatx is (asserted in
``test_keras_cosine_is_float32_without_the_patch``). For the float64 parity this
module lets that table map float64 to itself while it runs (restored after): Keras'
own schedule code then computes in float64. The compat schedule is evaluated on the
same steps through every backend of ``conftest.BACKENDS`` and compared with
``assert_lr_close`` (relative 1e-12 plus 1e-15 of the peak).

Then: each deliberate difference asserted on Keras and on lrfuncs, ``deserialize``
of real ``keras.optimizers.schedules.serialize`` output and ``from_keras``, pickle and
``to_dict`` round trips, and import hygiene.
"""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap
from fractions import Fraction

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from conftest import assert_lr_close, evaluate, examples, per_backend
from hypothesis import given, settings
from hypothesis import strategies as st
from keras.src.backend.common import dtypes as keras_dtypes

import lrfuncs
from lrfuncs.compat import keras as compat

K = keras.optimizers.schedules
STEPS = np.arange(160)
_CACHE: dict[str, np.ndarray] = {}


@pytest.fixture(scope="module", autouse=True)
def keras_float64():
    """Keras computing in float64 while this module runs (floatx, and no 64 -> 32 bit promotion)."""
    old_floatx = keras.config.floatx()
    old_map = keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"]
    keras.config.set_floatx("float64")
    keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
    yield
    keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"] = old_map
    keras.config.set_floatx(old_floatx)


def reference(name: str, *args, steps=STEPS, **kwargs) -> np.ndarray:
    """Keras' own ``name(*args, **kwargs)`` on int64 ``steps`` (float64 asserted; cached by config)."""
    key = repr((name, args, sorted(kwargs.items()), len(steps)))
    if key not in _CACHE:
        out = jax.vmap(getattr(K, name)(*args, **kwargs))(jnp.asarray(steps, dtype=jnp.int64))
        assert out.dtype == jnp.float64
        _CACHE[key] = np.asarray(out)
    return _CACHE[key]


def check(backend: str, name: str, *args, peak: float = 1.0, **kwargs) -> lrfuncs.Schedule:
    ours = getattr(compat, name)(*args, **kwargs)
    assert isinstance(ours, lrfuncs.Schedule)
    assert_lr_close(evaluate(backend, ours, STEPS), reference(name, *args, **kwargs), peak=peak)
    return ours


peaks = st.sampled_from([1.0, 0.1, 3e-4, 2.5]) | st.floats(min_value=1e-6, max_value=10.0)
fractions = st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0.0, 1.0)
#: whole and dyadic lengths (for a length like 3.7 the staircase floors differ: lrfuncs' floor division is exact)
lengths = st.integers(1, 60) | st.sampled_from([0.5, 2.5, 7.25])

# ---------------------------------------------------------------------------------------------------------------------
# parity, every backend


def test_exponential_decay(backend):
    @per_backend(backend, peak=peaks, steps=lengths, rate=st.sampled_from([0.5, 0.96, 1.1]) | st.floats(0.05, 1.3),
                 staircase=st.booleans())
    def run(peak, steps, rate, staircase):
        check(backend, "ExponentialDecay", peak, steps, rate, staircase=staircase, peak=peak)

    run()


def test_piecewise_constant_decay(backend):
    @per_backend(backend, bounds=st.lists(st.integers(0, 150), min_size=1, max_size=6).map(sorted), data=st.data())
    def run(bounds, data):
        values = data.draw(st.lists(st.floats(0.0, 5.0), min_size=len(bounds) + 1, max_size=len(bounds) + 1))
        check(backend, "PiecewiseConstantDecay", bounds, values, peak=5.0)

    run()


def test_polynomial_decay(backend):
    @per_backend(backend, peak=peaks, steps=lengths, end=st.floats(0.0, 2.0) | st.just(None),
                 power=st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.1, 4.0), cycle=st.booleans())
    def run(peak, steps, end, power, cycle):
        kw = {} if end is None else {"end_learning_rate": end * peak}  # None: Keras' default 1e-4
        check(backend, "PolynomialDecay", peak, steps, power=power, cycle=cycle, peak=max(peak, 1e-4) * 2, **kw)

    run()


def test_inverse_time_decay(backend):
    @per_backend(backend, peak=peaks, steps=lengths, rate=st.floats(0.0, 3.0), staircase=st.booleans())
    def run(peak, steps, rate, staircase):
        check(backend, "InverseTimeDecay", peak, steps, rate, staircase=staircase, peak=peak)

    run()


def test_cosine_decay(backend):
    @per_backend(backend, peak=peaks, steps=lengths, alpha=fractions,
                 warmup=st.none() | st.tuples(st.floats(0.0, 1.5), st.integers(0, 30) | st.just(2.5)))
    def run(peak, steps, alpha, warmup):
        if warmup is None:
            check(backend, "CosineDecay", peak, steps, alpha, peak=peak)
        else:  # a warmup from initial_learning_rate (below or above the target) to warmup_target = peak
            init, w = warmup
            check(backend, "CosineDecay", init * peak, steps, alpha, warmup_target=peak, warmup_steps=w,
                  peak=1.5 * peak)

    run()


def exact_cycle_starts(first: float, t_mul: float, limit: int) -> set[int]:
    """The whole steps <= limit where a cycle of ``first * t_mul**i`` steps starts, in exact arithmetic."""
    starts, start, length = set(), Fraction(0), Fraction(first)
    while start <= limit:
        if start.denominator == 1:
            starts.add(int(start))
        start, length = start + length, length * Fraction(t_mul)
    return starts


def test_cosine_decay_restarts(backend):
    """Equal to Keras except at restarts that Keras' rounded log index misses (it gives the floor there).

    Fewer examples: each Keras evaluation (two ``ops.cond`` branches under vmap, eager) takes ~0.25 s."""

    @settings(max_examples=min(20, examples(backend)))
    @given(peak=peaks, first=st.integers(1, 30) | st.sampled_from([2.5, 0.5]),
                 t_mul=st.sampled_from([2.0, 1.0, 1.5, 3.0]) | st.floats(1.0, 3.0),
                 decay=st.sampled_from([(0.0, 1.0), (0.1, 1.0), (0.0, 0.5)]) | st.tuples(st.just(0.0), fractions)
                 | st.tuples(fractions, st.just(1.0)))
    def run(peak, first, t_mul, decay):
        alpha, m_mul = decay
        if m_mul == 0:
            m_mul = 0.5
        ours = compat.CosineDecayRestarts(peak, first, t_mul, m_mul, alpha)
        theirs = reference("CosineDecayRestarts", peak, first, t_mul, m_mul, alpha)
        values = evaluate(backend, ours, STEPS)
        starts = sorted(exact_cycle_starts(first, t_mul, len(STEPS) - 1))
        missed = np.zeros(len(STEPS), dtype=bool)
        missed[starts] = ~np.isclose(values[starts], theirs[starts], rtol=1e-9, atol=1e-12 * peak)
        assert_lr_close(values[~missed], theirs[~missed], peak=peak)
        assert np.all(theirs[missed] <= alpha * peak * (1 + 1e-9) + 1e-12 * peak)  # Keras: the previous cycle's end
        for k in np.nonzero(missed)[0]:  # lrfuncs: the restart's peak
            i = starts.index(k)
            assert values[k] == pytest.approx(peak * m_mul**i, rel=1e-12)

    run()


# ---------------------------------------------------------------------------------------------------------------------
# golden numbers of anchors.md (computed by running Keras)


def test_golden():
    """anchors.md's numbers (5 digits) from Keras itself and from lrfuncs (every backend: the parity tests)."""
    gold = [
        ("CosineDecay", (0.0, 7), {"warmup_target": 1.0, "warmup_steps": 3},
         [0, 0.33333, 0.66667, 1, 0.95048, 0.81174, 0.61126, 0.38874, 0.18826, 0.049516, 0, 0]),
        ("CosineDecay", (0.0, 10), {"warmup_target": 1.0, "warmup_steps": 3},
         [0, 0.33333, 0.66667, 1, 0.97553, 0.90451, 0.79389, 0.65451, 0.5, 0.34549, 0.20611, 0.095492]),
        ("CosineDecay", (1.0, 10), {},
         [1, 0.97553, 0.90451, 0.79389, 0.65451, 0.5, 0.34549, 0.20611, 0.095492, 0.024472, 0, 0, 0]),
        ("CosineDecayRestarts", (1.0, 4), {"t_mul": 2},
         [1, 0.85355, 0.5, 0.14645, 1, 0.96194, 0.85355, 0.69134, 0.5, 0.30866, 0.14645, 0.03806, 1, 0.99039]),
        ("PiecewiseConstantDecay", ([3], [1.0, 0.1]), {}, [1, 1, 1, 1, 0.1, 0.1]),
        ("ExponentialDecay", (1.0, 10, 0.9**10), {}, [1, 0.9, 0.81, 0.729, 0.6561, 0.59049]),
    ]
    for name, args, kwargs, expected in gold:
        s = getattr(compat, name)(*args, **kwargs)
        np.testing.assert_allclose(reference(name, *args, steps=np.arange(len(expected)), **kwargs), expected,
                                   rtol=5e-5, atol=5e-7)
        np.testing.assert_allclose(s(np.arange(len(expected))), expected, rtol=5e-5, atol=5e-7)


# ---------------------------------------------------------------------------------------------------------------------
# deliberate differences, asserted on Keras and on lrfuncs


def test_keras_cosine_is_float32_without_the_patch(monkeypatch):
    """Keras' 64 -> 32 bit promotion makes ``ops.cos`` float32: CosineDecay computes its cosine in float32 even with
    a float64 floatx and initial value (the result is float64, the digits float32's); lrfuncs computes in float64."""
    ours = compat.CosineDecay(1.0, 10, 0.1)(np.arange(12))
    monkeypatch.setitem(keras_dtypes.BIT64_TO_BIT32_DTYPE, "float64", "float32")
    assert keras.ops.cos(np.float64(1.0)).dtype == jnp.float32
    out = np.asarray(K.CosineDecay(np.float64(1.0), 10, 0.1)(jnp.arange(12)))
    np.testing.assert_allclose(out, ours, rtol=1e-6)
    assert np.abs(out - ours).max() > 1e-9  # float32 rounding
    monkeypatch.setitem(keras_dtypes.BIT64_TO_BIT32_DTYPE, "float64", "float64")
    assert_lr_close(np.asarray(K.CosineDecay(np.float64(1.0), 10, 0.1)(jnp.arange(12))), ours)


def test_missed_restart():
    """``t_mul=2``, ``first=4``: cycle 3 starts at step 28, but ``log(8) / log(2)`` rounds to 2.9999999999999996."""
    theirs = reference("CosineDecayRestarts", 1.0, 4, steps=np.arange(30))[28]  # under vmap, as everywhere here
    assert theirs == pytest.approx(0.0, abs=1e-12)
    assert compat.CosineDecayRestarts(1.0, 4)(28) == 1.0


def test_shrinking_cycles_hold_the_floor():
    """``t_mul < 1``: the cycles sum to ``first / (1 - t_mul)`` steps; past that Keras gives NaN, lrfuncs the floor."""
    steps = np.arange(40)
    theirs = reference("CosineDecayRestarts", 1.0, 10, 0.5, 1.0, 0.1, steps=steps)
    ours = compat.CosineDecayRestarts(1.0, 10, 0.5, 1.0, 0.1)
    for backend in ("python", "numpy", "jax_jit", "torch"):
        values = evaluate(backend, ours, steps)
        assert_lr_close(values[:20], theirs[:20])
        assert_lr_close(values[20:], np.full(20, 0.1))
    assert np.all(np.isnan(theirs[20:]))


def test_staircase_floor_is_exact():
    """Keras floors the rounded quotient: ``9 / 0.9`` rounds to 10.0 though 9 < 10 * 0.9; lrfuncs' floor is exact."""
    assert reference("ExponentialDecay", 1.0, 0.9, 0.5, True, steps=np.arange(10))[9] == 0.5**10
    assert compat.ExponentialDecay(1.0, 0.9, 0.5, True)(9) == 0.5**9
    assert reference("InverseTimeDecay", 1.0, 0.9, 1.0, True, steps=np.arange(10))[9] == 1 / 11
    assert compat.InverseTimeDecay(1.0, 0.9, 1.0, True)(9) == 1 / 10


@pytest.mark.parametrize("backend", ["python", "numpy", "jax_jit", "torch"])
@pytest.mark.parametrize(("t_mul", "m_mul", "alpha"), [(1.0, 0.5, 0.2), (2.0, 0.7, 0.1), (1.5, 0.9, 0.5)])
def test_amplitude_decay_with_a_floor(backend: str, t_mul: float, m_mul: float, alpha: float) -> None:
    """Keras with ``alpha`` and ``m_mul``: the floor stays and the amplitude above it decays."""
    theirs = reference("CosineDecayRestarts", 1.0, 4, 1.0, 0.5, 0.2, steps=np.arange(5))
    assert theirs[4] == pytest.approx(0.2 + 0.8 * 0.5)  # a peak decay would give 0.5
    ours = compat.CosineDecayRestarts(1.0, 4, t_mul, m_mul, alpha)
    steps = STEPS
    if t_mul != 1:  # Keras' rounded log index misses some exact restarts (e.g. step 28 for t_mul=2)
        starts, start, length = [], 0.0, 4.0
        while start < STEPS.max():
            starts.append(start)
            start, length = start + length, length * t_mul
        steps = np.array([t for t in STEPS if min(abs(t - x) for x in starts) > 1e-9])
    assert_lr_close(evaluate(backend, ours, steps), reference("CosineDecayRestarts", 1.0, 4, t_mul, m_mul, alpha,
                                                              steps=steps))
    with pytest.raises(ValueError, match="`t_mul` must be >= 1"):
        compat.CosineDecayRestarts(1.0, 4, 0.5, 0.5, 0.2)


def test_piecewise_constant_without_boundaries():
    with pytest.raises(IndexError):
        K.PiecewiseConstantDecay([], [1.0])(jnp.asarray(0))
    with pytest.raises(ValueError, match="must not be empty"):
        compat.PiecewiseConstantDecay([], [1.0])


def test_piecewise_constant_unsorted():
    """Keras sums the indicators of overlapping pieces: unsorted boundaries give sums of values."""
    theirs = reference("PiecewiseConstantDecay", [5, 2], [1.0, 10.0, 100.0], steps=np.arange(8))
    assert theirs[3] == 101.0  # step <= 5 (values[0]) and step > 2 (values[-1])
    with pytest.raises(ValueError, match="sorted"):
        compat.PiecewiseConstantDecay([5, 2], [1.0, 10.0, 100.0])


def test_cosine_decay_warmup_steps_without_target():
    """Keras silently ignores ``warmup_steps`` when ``warmup_target`` is None."""
    np.testing.assert_array_equal(reference("CosineDecay", 1.0, 10, warmup_steps=5, steps=np.arange(12)),
                                  reference("CosineDecay", 1.0, 10, steps=np.arange(12)))
    with pytest.raises(ValueError, match="needs `warmup_target`"):
        compat.CosineDecay(1.0, 10, warmup_steps=5)


@pytest.mark.parametrize(
    ("name", "args"),
    [("ExponentialDecay", (1.0, 0, 0.5)), ("PolynomialDecay", (1.0, -1)), ("InverseTimeDecay", (1.0, 0, 0.5)),
     ("CosineDecay", (1.0, 0)), ("CosineDecayRestarts", (1.0, 0))],
)
def test_same_errors_as_keras(name, args):
    with pytest.raises(ValueError) as theirs:  # noqa: PT011 - compared below
        getattr(K, name)(*args)
    with pytest.raises(ValueError) as ours:  # noqa: PT011 - compared below
        getattr(compat, name)(*args)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError) as theirs:  # noqa: PT011 - compared below
        K.PiecewiseConstantDecay([1, 2], [1.0, 0.5])
    with pytest.raises(ValueError) as ours:  # noqa: PT011 - compared below
        compat.PiecewiseConstantDecay([1, 2], [1.0, 0.5])
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: compat.ExponentialDecay(1.0, 10, 0.0), "`decay_rate` must be > 0"),
        (lambda: compat.ExponentialDecay(-1.0, 10, 0.5), "`initial_learning_rate` must be > 0"),
        (lambda: compat.InverseTimeDecay(1.0, 10, -0.5), "`decay_rate` must be >= 0"),
        (lambda: compat.PolynomialDecay(1.0, 10, power=0.0), "`power` must be > 0"),
        (lambda: compat.PolynomialDecay(1.0, 10, end_learning_rate=-1.0), "`end_learning_rate` must be >= 0"),
        (lambda: compat.CosineDecay(1.0, 10, alpha=1.5), r"`alpha` must be in \[0, 1\]"),
        (lambda: compat.CosineDecay(0.0, 10, warmup_target=0.0, warmup_steps=2), "`warmup_target` must be > 0"),
        (lambda: compat.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=-2), "`warmup_steps` must be >= 0"),
        (lambda: compat.CosineDecayRestarts(1.0, 10, m_mul=1.5), r"`m_mul` must be in \(0, 1\]"),
        (lambda: compat.CosineDecayRestarts(1.0, 10, t_mul=0.0), "`t_mul` must be > 0"),
        (lambda: compat.PiecewiseConstantDecay([-1, 2], [1.0, 0.5, 0.1]), "finite numbers >= 0"),
        (lambda: compat.PiecewiseConstantDecay([1, 2], [1.0, -0.5, 0.1]), "finite numbers >= 0"),
        (lambda: compat.deserialize({"class_name": "MySchedule", "config": {}}), "Unknown Keras schedule class"),
        (lambda: compat.deserialize({"config": {}}), "class_name"),
    ],
)
def test_bad_config(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_name_is_ignored():
    assert compat.CosineDecay(1.0, 10, name="warm") == compat.CosineDecay(1.0, 10)
    assert compat.ExponentialDecay(1.0, 10, 0.5, name=None) == compat.ExponentialDecay(1.0, 10, 0.5)


# ---------------------------------------------------------------------------------------------------------------------
# deserialize, from_keras, pickle, to_dict / from_dict, import hygiene

CASES = [
    ("ExponentialDecay", (0.1, 100, 0.96), {"staircase": True}),
    ("PiecewiseConstantDecay", ([10, 20], [1.0, 0.5, 0.1]), {}),
    ("PolynomialDecay", (0.1, 30), {"end_learning_rate": 0.01, "power": 0.5, "cycle": True}),
    ("InverseTimeDecay", (0.1, 10, 0.5), {"staircase": True}),
    ("CosineDecay", (0.1, 40, 0.1), {}),
    ("CosineDecay", (0.0, 40, 0.1), {"warmup_target": 0.2, "warmup_steps": 10}),
    ("CosineDecayRestarts", (0.1, 10), {"t_mul": 1.5, "m_mul": 0.8}),
    ("CosineDecayRestarts", (0.1, 10), {"alpha": 0.1}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_deserialize_and_from_keras(name, args, kwargs):
    """The config Keras writes (``serialize``, through JSON) and a live Keras object give the same schedule."""
    theirs = getattr(K, name)(*args, **kwargs)
    expected = getattr(compat, name)(*args, **kwargs)
    saved = json.loads(json.dumps(K.serialize(theirs)))
    assert compat.deserialize(saved) == expected
    assert compat.deserialize({"class_name": saved["class_name"], "config": saved["config"]}) == expected
    assert compat.from_keras(theirs) == expected
    assert_lr_close(compat.deserialize(saved)(np.arange(60)), reference(name, *args, steps=np.arange(60), **kwargs))


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_pickle_and_to_dict(name, args, kwargs):
    s = getattr(compat, name)(*args, **kwargs)
    steps = np.arange(60)
    for back in (pickle.loads(pickle.dumps(s)), lrfuncs.Schedule.from_dict(json.loads(json.dumps(s.to_dict())))):
        assert back == s
        np.testing.assert_array_equal(back(steps), s(steps))


def test_from_keras_rejects_custom_schedules():
    class Custom(K.LearningRateSchedule):
        def __call__(self, step):
            return 0.1

    with pytest.raises(ValueError, match="Not a built-in Keras schedule"):
        compat.from_keras(Custom())


def test_import_imports_no_framework():
    script = textwrap.dedent(
        """
        import json, sys
        from lrfuncs.compat import keras as k
        s = k.deserialize({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.0, "decay_steps": 10,
                           "alpha": 0.0, "name": "CosineDecay", "warmup_target": 1.0, "warmup_steps": 3}})
        values = [s(5), k.CosineDecayRestarts(1.0, 4)(9), k.PiecewiseConstantDecay([3], [1.0, 0.1])(4)]
        frameworks = ("numpy", "jax", "jaxlib", "torch", "keras", "tensorflow", "scipy")
        print(json.dumps(sorted(f for f in frameworks if any(m == f or m.startswith(f + ".") for m in sys.modules))))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
    root = pathlib.Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          check=True)
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
