"""The benchmarked implementations: lrfuncs and its peers, all computing the same curve.

The curve is a warmup + cosine schedule with ``peak_lr = 3e-4``, a linear
warmup from 0 over ``N // 50`` steps and a cosine decay to 0 at ``N`` (the
lr of update ``k`` for ``k = 0 .. N-1``). Every peer below computes exactly this
curve; :mod:`benchmarks.harness` checks that before timing anything.

Each implementation is an :class:`Impl` whose ``make()`` returns a zero-argument
*thunk*: one call of the thunk is one timed evaluation of the whole curve (or
of ``n`` scalar steps) and returns the values, which the harness compares with
lrfuncs' numpy curve. Imports and set-up happen in ``make()``; JIT compilation
happens in the thunk's first (untimed, checked) call.

The peers are module-level functions so that a test can replace one with a
wrong implementation and see the cross-check fail.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any

import numpy as np

import lrfuncs

PEAK = 3e-4

Thunk = Callable[[], Any]


def config(n: int) -> dict[str, Any]:
    """The lrfuncs config of the benchmarked curve of length ``n``."""
    return {"peak_lr": PEAK, "warmup_steps": n // 50, "total_steps": n, "init_lr": 0.0, "min_lr": 0.0}


def schedule(n: int) -> lrfuncs.Schedule:
    return lrfuncs.warmup_cosine.bind(**config(n))


@dataclass(frozen=True)
class Impl:
    """One implementation: ``make()`` builds the timed thunk, which evaluates ``n`` steps."""

    label: str
    role: str  # "lrfuncs" (the subject of the target), "peer" (the target's peer) or "info"
    n: int
    make: Callable[[], Thunk]


@dataclass(frozen=True)
class Case:
    """A group of implementations timed side by side, with the target ``subject / peer <= target``."""

    key: str
    title: str
    n: int  # the curve's length (its config); an Impl may evaluate only its first impl.n steps
    target: float
    allowance: float  # relative timing-noise allowance for PASS (0 = none)
    target_text: str
    impls: tuple[Impl, ...]

    @property
    def subject(self) -> Impl:
        return next(i for i in self.impls if i.role == "lrfuncs")

    @property
    def peer(self) -> Impl:
        return next(i for i in self.impls if i.role == "peer")


# --------------------------------------------------------------------------------------------- numpy


def handtuned_numpy(n: int, w: int, peak: float) -> np.ndarray:
    """The whole curve in one preallocated float64 array, every operation in place (no temporaries)."""
    out = np.arange(n, dtype=np.float64)  # holds t, then the lr
    warm = out[:w]
    np.multiply(warm, peak / w, out=warm)
    dec = out[w:]
    np.subtract(dec, w, out=dec)
    np.multiply(dec, math.pi / (n - w), out=dec)
    np.cos(dec, out=dec)
    np.add(dec, 1.0, out=dec)
    np.multiply(dec, 0.5 * peak, out=dec)
    return out


def naive_numpy(n: int, w: int, peak: float) -> np.ndarray:
    """The one-liner everybody writes first: full-size temporaries for both branches."""
    t = np.arange(n, dtype=np.float64)
    return np.where(t < w, peak * t / w, 0.5 * peak * (1.0 + np.cos(np.pi * (t - w) / (n - w))))


def numpy_case(n: int) -> Case:
    w = n // 50

    def lrfuncs_curve() -> Thunk:
        from lrfuncs.backends.numpy import curve

        s = schedule(n)
        return lambda: curve(s, n)

    def lrfuncs_whole() -> Thunk:
        s = schedule(n)
        return lambda: s(np.arange(n))

    return Case(
        key="numpy",
        title="numpy curve",
        n=n,
        target=1.5,
        allowance=0.0,
        target_text="≤ 1.5x hand-tuned",
        impls=(
            Impl("`lrfuncs.backends.numpy.curve(s, N)`", "lrfuncs", n, lrfuncs_curve),
            Impl("hand-tuned in-place numpy (`out=`)", "peer", n, lambda: lambda: handtuned_numpy(n, w, PEAK)),
            Impl("naive numpy `np.where(...)` one-liner", "info", n, lambda: lambda: naive_numpy(n, w, PEAK)),
            Impl("`s(np.arange(N))`: whole array, no chunks", "info", n, lrfuncs_whole),
        ),
    )


# ----------------------------------------------------------------------------------------------- JAX


def optax_curve(n: int, w: int, peak: float) -> Thunk:
    """optax's own ``warmup_cosine_decay_schedule`` over ``arange(n)``, compiled once with ``jax.jit``.

    The start offset is a traced argument (0), so XLA cannot constant-fold the
    curve at compile time, as in ``lrfuncs.backends.jax.curve``.
    """
    import jax
    import jax.numpy as jnp
    import optax

    sched = optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=peak, warmup_steps=w, decay_steps=n, end_value=0.0
    )
    fn = jax.jit(lambda start: sched(jnp.arange(n) + start))
    start = jnp.asarray(0)
    return lambda: fn(start).block_until_ready()


def jax_case(n: int) -> Case | str:
    missing = [m for m in ("jax", "optax") if find_spec(m) is None]
    if missing:
        return f"JAX case skipped: {', '.join(missing)} not installed"
    w = n // 50

    def lrfuncs_curve() -> Thunk:
        from lrfuncs.backends.jax import curve

        s = schedule(n)
        return lambda: curve(s, n).block_until_ready()

    def lrfuncs_jit() -> Thunk:
        import jax
        import jax.numpy as jnp

        s = schedule(n)  # Python-number config: constants of the compiled function
        fn = jax.jit(lambda start: s(jnp.arange(n) + start))
        start = jnp.asarray(0)
        return lambda: fn(start).block_until_ready()

    return Case(
        key="jax",
        title="JAX curve (jit, float64)",
        n=n,
        target=1.0,
        allowance=0.05,
        target_text="≤ 1.0x optax (+5% noise)",
        impls=(
            Impl("`lrfuncs.backends.jax.curve(s, N)`", "lrfuncs", n, lrfuncs_curve),
            Impl(
                "`jit(optax.warmup_cosine_decay_schedule(...))(arange(N))`",
                "peer",
                n,
                lambda: optax_curve(n, w, PEAK),
            ),
            Impl("`jit(lambda: s(arange(N)))`: bound `Schedule` under your own jit", "info", n, lrfuncs_jit),
        ),
    )


# -------------------------------------------------------------------------------------------- scalar


def get_warmup_cosine_lambda(warmup_steps: int, total_steps: int, min_lr_ratio: float = 0.1) -> Callable[[int], float]:
    """The ``lr_lambda`` of schedulers-guide.md "Implementing Warmup Without External Libraries", verbatim.

    The guide wraps it in ``LambdaLR`` (see :func:`get_warmup_cosine_scheduler`);
    here it is returned as is, to be called on Python ints. The benchmark uses
    ``min_lr_ratio=0`` so that it is the same curve as the other peers (times peak_lr).
    """

    def lr_lambda(current_step: int) -> float:
        if current_step < warmup_steps:
            return float(current_step) / float(max(1, warmup_steps))

        progress = float(current_step - warmup_steps) / float(max(1, total_steps - warmup_steps))
        cosine_decay = 0.5 * (1.0 + math.cos(math.pi * progress))
        return max(min_lr_ratio, cosine_decay)

    return lr_lambda


def get_warmup_cosine_scheduler(optimizer: Any, warmup_steps: int, total_steps: int, min_lr_ratio: float = 0.1) -> Any:
    """The guide's ``get_warmup_cosine_scheduler``: its lambda in a torch ``LambdaLR``."""
    import torch

    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, get_warmup_cosine_lambda(warmup_steps, total_steps, min_lr_ratio)
    )


def torch_stepping(make_scheduler: Callable[[Any], Any], steps: int) -> Thunk:
    """A thunk that builds a fresh SGD + scheduler and records the group's lr over ``steps`` ``step()`` calls."""
    import torch

    def run() -> list[float]:
        param = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([param], lr=PEAK)
        with warnings.catch_warnings():  # "lr_scheduler.step() before optimizer.step()": no training here
            warnings.simplefilter("ignore", UserWarning)
            sched = make_scheduler(opt)
            group = opt.param_groups[0]
            lrs = []
            append = lrs.append
            for _ in range(steps):
                append(group["lr"])
                sched.step()
        return lrs

    return run


def scalar_case(m: int, info_steps: int = 20_000) -> Case:
    """``m`` Python-int steps; the slow informational rows evaluate only the first ``info_steps``."""
    w = m // 50
    k_info = min(m, info_steps)

    def bound() -> Thunk:
        s = schedule(m)
        steps = range(m)
        return lambda: [s(k) for k in steps]

    def guide() -> Thunk:
        lr_lambda = get_warmup_cosine_lambda(w, m, min_lr_ratio=0.0)
        peak = PEAK
        steps = range(m)
        return lambda: [peak * lr_lambda(k) for k in steps]

    def unbound() -> Thunk:
        fn = lrfuncs.warmup_cosine
        cfg = config(m)
        steps = range(k_info)
        return lambda: [fn(k, **cfg) for k in steps]

    impls = [
        Impl("bound `Schedule`: `[s(k) for k in range(N)]`", "lrfuncs", m, bound),
        Impl("guide's `math` lambda: `[peak * lr_lambda(k) ...]`", "peer", m, guide),
        Impl("unbound `lrfuncs.warmup_cosine(k, **cfg)`", "info", k_info, unbound),
    ]
    if find_spec("torch") is not None:

        def torch_guide() -> Thunk:
            return torch_stepping(lambda opt: get_warmup_cosine_scheduler(opt, w, m, min_lr_ratio=0.0), k_info)

        def torch_lrfuncs() -> Thunk:
            from lrfuncs.backends.torch import lambda_lr

            s = schedule(m)
            return torch_stepping(lambda opt: lambda_lr(opt, s), k_info)

        impls += [
            Impl("torch `LambdaLR(guide's lambda)`, `.step()` per step", "info", k_info, torch_guide),
            Impl("`lrfuncs.backends.torch.lambda_lr`, `.step()` per step", "info", k_info, torch_lrfuncs),
        ]
    return Case(
        key="scalar",
        title="scalar (Python ints)",
        n=m,
        target=2.0,
        allowance=0.0,
        target_text="≤ 2x guide's lambda",
        impls=tuple(impls),
    )


BUILDERS: dict[str, Callable[[int], Case | str]] = {"numpy": numpy_case, "jax": jax_case, "scalar": scalar_case}
