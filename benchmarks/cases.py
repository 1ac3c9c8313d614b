"""The benchmarked implementations: lrfuncs and its peers, grouped in cases that compute the same values.

Three schedules are benchmarked (:data:`SCHEDULES`), each with ``peak_lr = 3e-4``:

* ``warmup_cosine``: linear warmup from 0 over ``N // 50`` steps, cosine to 0 at ``N``;
* ``onecycle``: torch's ``OneCycleLR(max_lr=peak, total_steps=N)`` (pct_start 0.3,
  cos, div 25, final_div 1e4); in the JAX case optax's ``cosine_onecycle_schedule``
  convention (``lrfuncs.onecycle(..., convention="optax")``), the only one optax has;
* ``sgdr``: cosine warm restarts with ``N // 10``-step cycles to 0 (torch
  ``CosineAnnealingWarmRestarts(T_0=N // 10)``, optax ``sgdr_schedule`` with 10 explicit cycles).

Each implementation is an :class:`Impl` whose ``make()`` returns a zero-argument
*thunk*: one call of the thunk is one timed evaluation (a whole curve, ``n``
scalar steps, ``n`` optimizer steps, ...) and returns values that the harness
compares with the case's reference (by default lrfuncs' numpy curve of the
case's schedule; an ``Impl`` may name its own, e.g. a peer with another
convention) before timing anything. Rows with ``checked=False`` compute
something else on purpose (limits such as ``np.cos`` alone, baselines such as
a constant lr); they are never ratioed as equals.

Imports and set-up happen in ``make()``; JIT compilation happens in the
thunk's first (untimed, checked) call. The peers are module-level functions so
that a test can replace one with a wrong implementation and see the
cross-check fail.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any

import numpy as np

import lrfuncs

PEAK = 3e-4
ONECYCLE = {"pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4}
SGDR_CYCLES = 10

Thunk = Callable[[], Any]


def config(n: int) -> dict[str, Any]:
    """The lrfuncs config of the benchmarked warmup+cosine curve of length ``n``."""
    return {"peak_lr": PEAK, "warmup_steps": n // 50, "total_steps": n, "init_lr": 0.0, "min_lr": 0.0}


def schedule(n: int, name: str = "warmup_cosine", convention: str = "torch") -> lrfuncs.Schedule:
    """The benchmarked lrfuncs schedule ``name`` for a curve of length ``n``."""
    if name == "warmup_cosine":
        return lrfuncs.warmup_cosine.bind(**config(n))
    if name == "onecycle":
        return lrfuncs.onecycle.bind(peak_lr=PEAK, total_steps=n, convention=convention, **ONECYCLE)
    if name == "sgdr":
        return lrfuncs.cosine_restarts.bind(peak_lr=PEAK, cycle_steps=max(1, n // SGDR_CYCLES), min_lr=0.0)
    raise ValueError(f"unknown schedule {name!r}")


def reference(name: str, convention: str = "torch") -> Callable[[int], np.ndarray]:
    def ref(n: int) -> np.ndarray:
        from lrfuncs.backends.numpy import curve

        return curve(schedule(n, name, convention), n)

    return ref


@dataclass(frozen=True)
class Impl:
    """One implementation: ``make()`` builds the timed thunk, which evaluates ``n`` steps.

    ``role``: "lrfuncs" (the subject of the case's target), "peer" (the target's
    peer; with several, the fastest per step), "info", "limit" or "baseline".
    ``reference``: the values this row must equal, if not the case's.
    """

    label: str
    role: str
    n: int
    make: Callable[[], Thunk]
    checked: bool = True
    reference: Callable[[int], np.ndarray] | None = None
    note: str = ""


@dataclass(frozen=True)
class Case:
    """A group of implementations timed side by side, with the target ``subject / peer <= target``.

    ``reference(n)``: the values every checked row must equal (``None``: the peer's output).
    """

    key: str
    title: str
    n: int  # the curve's length (its config); an Impl may evaluate only its first impl.n steps
    target: float
    allowance: float  # relative timing-noise allowance for PASS (0 = none)
    target_text: str
    impls: tuple[Impl, ...]
    reference: Callable[[int], np.ndarray] | None = field(default=None)
    peak: float = PEAK
    repeats: int | None = None  # overrides the run's repeats (slow cases)
    loop: bool = True  # time short calls as loops of calls (False: stateful thunks with a budget of calls)
    rtol: float = 1e-12
    atol: float | None = None  # default: 1e-15 * peak
    note: str = ""
    skipped: tuple[str, ...] = ()  # rows of this case left out of this run, and why (reported as skipped)

    @property
    def subject(self) -> Impl:
        return next(i for i in self.impls if i.role == "lrfuncs")

    @property
    def peer(self) -> Impl:
        return next(i for i in self.impls if i.role == "peer")

    @property
    def peers(self) -> tuple[Impl, ...]:
        return tuple(i for i in self.impls if i.role == "peer")


# ------------------------------------------------------------------------------ hand-written numpy peers


def handtuned_numpy(n: int, w: int, peak: float) -> np.ndarray:
    """warmup+cosine in one preallocated float64 array, every operation in place (no temporaries)."""
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


def _onecycle_consts(n: int, peak: float) -> tuple[float, float, float, float]:
    init = peak / ONECYCLE["div_factor"]
    final = init / ONECYCLE["final_div_factor"]
    p1 = ONECYCLE["pct_start"] * n - 1.0  # torch's end of phase 1 (a float step)
    return init, final, p1, float(n - 1)


def handtuned_onecycle(n: int, peak: float) -> np.ndarray:
    """torch OneCycleLR's cos curve (two phases, ends at pct·N−1 and N−1), in place."""
    init, final, p1, end = _onecycle_consts(n, peak)
    out = np.arange(n, dtype=np.float64)
    k = math.floor(p1) + 1  # steps <= p1 are in phase 1
    a = out[:k]
    np.multiply(a, math.pi / p1, out=a)
    np.cos(a, out=a)
    np.add(a, 1.0, out=a)
    np.multiply(a, 0.5 * (init - peak), out=a)
    np.add(a, peak, out=a)
    b = out[k:]
    np.subtract(b, p1, out=b)
    np.multiply(b, math.pi / (end - p1), out=b)
    np.cos(b, out=b)
    np.add(b, 1.0, out=b)
    np.multiply(b, 0.5 * (peak - final), out=b)
    np.add(b, final, out=b)
    return out


def naive_onecycle(n: int, peak: float) -> np.ndarray:
    init, final, p1, end = _onecycle_consts(n, peak)
    t = np.arange(n, dtype=np.float64)
    up = peak + 0.5 * (init - peak) * (1.0 + np.cos(np.pi * t / p1))
    down = final + 0.5 * (peak - final) * (1.0 + np.cos(np.pi * (t - p1) / (end - p1)))
    return np.where(t <= p1, up, down)


def handtuned_sgdr(n: int, peak: float) -> np.ndarray:
    c = max(1, n // SGDR_CYCLES)
    out = np.arange(n, dtype=np.float64)
    np.remainder(out, c, out=out)
    np.multiply(out, math.pi / c, out=out)
    np.cos(out, out=out)
    np.add(out, 1.0, out=out)
    np.multiply(out, 0.5 * peak, out=out)
    return out


def naive_sgdr(n: int, peak: float) -> np.ndarray:
    c = max(1, n // SGDR_CYCLES)
    t = np.arange(n, dtype=np.float64)
    return 0.5 * peak * (1.0 + np.cos(np.pi * (t % c) / c))


HANDTUNED: dict[str, Callable[[int], np.ndarray]] = {
    "warmup_cosine": lambda n: handtuned_numpy(n, n // 50, PEAK),
    "onecycle": lambda n: handtuned_onecycle(n, PEAK),
    "sgdr": lambda n: handtuned_sgdr(n, PEAK),
}
NAIVE: dict[str, Callable[[int], np.ndarray]] = {
    "warmup_cosine": lambda n: naive_numpy(n, n // 50, PEAK),
    "onecycle": lambda n: naive_onecycle(n, PEAK),
    "sgdr": lambda n: naive_sgdr(n, PEAK),
}
TITLES = {"warmup_cosine": "warmup+cosine", "onecycle": "one-cycle", "sgdr": "SGDR"}
SCHEDULES = tuple(TITLES)


def numpy_case(n: int, name: str = "warmup_cosine", torch_compile: str | None = None) -> Case:
    """lrfuncs' numpy (and torch tensor) curve vs hand-written numpy, plus the memory/``cos`` limits.

    ``torch_compile``: a ``torch.compile`` backend ("inductor", or "eager" in tests) for an extra row
    timing the compiled torch curve (compiled in its first, untimed call); None: no such row.
    """

    def lrfuncs_curve() -> Thunk:
        from lrfuncs.backends.numpy import curve

        s = schedule(n, name)
        return lambda: curve(s, n)

    def lrfuncs_whole() -> Thunk:
        s = schedule(n, name)
        return lambda: s(np.arange(n))

    def cos_alone() -> Thunk:
        x = np.arange(n, dtype=np.float64) * (math.pi / n)
        return lambda: np.cos(x)

    def memory_write() -> Thunk:
        def write() -> np.ndarray:
            out = np.empty(n)
            out[:] = 1.0
            return out

        return write

    handtuned, naive = HANDTUNED[name], NAIVE[name]
    impls = [
        Impl("`lrfuncs.backends.numpy.curve(s, N)`", "lrfuncs", n, lrfuncs_curve),
        Impl("hand-tuned in-place numpy (`out=`)", "peer", n, lambda: lambda: handtuned(n)),
        Impl("naive numpy one-liner (full-size temporaries)", "info", n, lambda: lambda: naive(n)),
        Impl("`s(np.arange(N))`: whole array, no chunks", "info", n, lrfuncs_whole),
    ]
    if find_spec("torch") is not None:

        def torch_curve() -> Thunk:
            from lrfuncs.backends.torch import curve

            s = schedule(n, name)
            return lambda: curve(s, n)

        impls.append(Impl("`lrfuncs.backends.torch.curve(s, N)` (eager, CPU)", "info", n, torch_curve))
        if torch_compile:

            def torch_compiled() -> Thunk:
                import torch

                from lrfuncs.backends.torch import curve

                s = schedule(n, name)
                return torch.compile(lambda: curve(s, n), backend=torch_compile)

            label = "`torch.compile(lambda: curve(s, N))` (CPU)"
            if torch_compile != "inductor":
                label = f"`torch.compile(lambda: curve(s, N), backend={torch_compile!r})` (CPU)"
            impls.append(Impl(label, "info", n, torch_compiled))
    impls += [
        Impl("limit: `np.cos(x)` alone (x precomputed)", "limit", n, cos_alone, checked=False),
        Impl("limit: memory write, `np.empty(N); out[:] = 1.0`", "limit", n, memory_write, checked=False),
    ]
    return Case(
        key=f"numpy/{name}",
        title=f"{TITLES[name]}: numpy curve",
        n=n,
        target=1.5,
        allowance=0.0,
        target_text="≤ 1.5x hand-tuned",
        impls=tuple(impls),
        reference=reference(name),
    )


# ----------------------------------------------------------------------------------------------- JAX


def optax_curve(n: int, w: int, peak: float) -> Thunk:
    """optax's own ``warmup_cosine_decay_schedule`` over ``arange(n)``, compiled once with ``jax.jit``.

    The start offset is a traced argument (0), so XLA cannot constant-fold the
    curve at compile time, as in ``lrfuncs.backends.jax.curve``.
    """
    import optax

    sched = optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=peak, warmup_steps=w, decay_steps=n, end_value=0.0
    )
    return _jit_over_arange(sched, n)


def _jit_over_arange(sched: Callable[[Any], Any], n: int, vmap: bool = False) -> Thunk:
    import jax
    import jax.numpy as jnp

    f = jax.vmap(sched) if vmap else sched
    fn = jax.jit(lambda start: f(jnp.arange(n) + start))
    start = jnp.asarray(0)
    return lambda: fn(start).block_until_ready()


def optax_onecycle(n: int, peak: float) -> Thunk:
    """optax ``cosine_onecycle_schedule`` under ``jit(vmap(...))`` (it raises on arrays)."""
    import optax

    sched = optax.cosine_onecycle_schedule(
        transition_steps=n,
        peak_value=peak,
        pct_start=ONECYCLE["pct_start"],
        div_factor=ONECYCLE["div_factor"],
        final_div_factor=ONECYCLE["final_div_factor"],
    )
    return _jit_over_arange(sched, n, vmap=True)


def optax_sgdr(n: int, peak: float) -> Thunk:
    """optax ``sgdr_schedule`` with 10 explicit ``N // 10``-step cycles (no warmup), under jit."""
    import optax

    c = max(1, n // SGDR_CYCLES)
    kw = {"init_value": peak, "peak_value": peak, "warmup_steps": 0, "decay_steps": c, "end_value": 0.0}
    cycles = -(-n // c)
    return _jit_over_arange(optax.sgdr_schedule([dict(kw) for _ in range(cycles)]), n)


def jax_case(n: int, name: str = "warmup_cosine") -> Case | str:
    missing = [m for m in ("jax", "optax") if find_spec(m) is None]
    if missing:
        return f"JAX case skipped: {', '.join(missing)} not installed"
    conv = "optax" if name == "onecycle" else "torch"

    def lrfuncs_curve() -> Thunk:
        from lrfuncs.backends.jax import curve

        s = schedule(n, name, conv)
        return lambda: curve(s, n).block_until_ready()

    def lrfuncs_jit() -> Thunk:
        return _jit_over_arange(schedule(n, name, conv), n)

    peers = {
        "warmup_cosine": (
            "`jit(optax.warmup_cosine_decay_schedule(...))(arange(N))`",
            lambda: optax_curve(n, n // 50, PEAK),
        ),
        "onecycle": ("`jit(vmap(optax.cosine_onecycle_schedule(...)))(arange(N))`", lambda: optax_onecycle(n, PEAK)),
        "sgdr": ("`jit(optax.sgdr_schedule([10 cycles]))(arange(N))`", lambda: optax_sgdr(n, PEAK)),
    }
    label, make = peers[name]
    title = f"{TITLES[name]}: JAX curve (jit, float64)"
    if name == "onecycle":
        title = f"{TITLES[name]} (optax convention): JAX curve (jit, float64)"
    return Case(
        key=f"jax/{name}",
        title=title,
        n=n,
        target=1.0,
        allowance=0.05,
        target_text="≤ 1.0x optax (+5% noise)",
        impls=(
            Impl("`lrfuncs.backends.jax.curve(s, N)`", "lrfuncs", n, lrfuncs_curve),
            Impl(label, "peer", n, make),
            Impl("`jit(lambda: s(arange(N)))`: bound `Schedule` under your own jit", "info", n, lrfuncs_jit),
        ),
        reference=reference(name, conv),
    )


# ----------------------------------------------------------------------------------- per-step (scalar)


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


def math_lambda(name: str, n: int) -> Callable[[int], float]:
    """A hand-written ``math`` lambda giving the lr (times 1, not peak) of update ``k``."""
    if name == "warmup_cosine":
        return get_warmup_cosine_lambda(n // 50, n, min_lr_ratio=0.0)
    if name == "onecycle":
        init, final, p1, end = _onecycle_consts(n, 1.0)
        pi, cos = math.pi, math.cos
        return lambda k: (
            1.0 + 0.5 * (init - 1.0) * (1.0 + cos(pi * k / p1))
            if k <= p1
            else final + 0.5 * (1.0 - final) * (1.0 + cos(pi * (k - p1) / (end - p1)))
        )
    c = max(1, n // SGDR_CYCLES)
    pi, cos = math.pi, math.cos
    return lambda k: 0.5 * (1.0 + cos(pi * (k % c) / c))


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


def native_torch(name: str, n: int) -> tuple[str, Callable[[Any], Any]] | None:
    """torch's own scheduler for ``name`` (None where torch has none that gives this curve)."""
    import torch

    S = torch.optim.lr_scheduler
    if name == "onecycle":
        return (
            "torch `OneCycleLR`, `.step()` per step",
            lambda opt: S.OneCycleLR(
                opt,
                max_lr=PEAK,
                total_steps=n,
                pct_start=ONECYCLE["pct_start"],
                div_factor=ONECYCLE["div_factor"],
                final_div_factor=ONECYCLE["final_div_factor"],
            ),
        )
    if name == "sgdr":
        c = max(1, n // SGDR_CYCLES)
        return (
            "torch `CosineAnnealingWarmRestarts`, `.step()` per step",
            lambda opt: S.CosineAnnealingWarmRestarts(opt, T_0=c, T_mult=1, eta_min=0.0),
        )
    return None  # torch's LinearLR cannot start at 0: the guide's LambdaLR is the native way


def hf_scheduler(name: str, n: int) -> tuple[str, Callable[[Any], Any]] | None:
    if find_spec("transformers") is None:
        return None
    if name == "warmup_cosine":
        from transformers import get_cosine_schedule_with_warmup

        return (
            "HF `get_cosine_schedule_with_warmup`, `.step()` per step",
            lambda opt: get_cosine_schedule_with_warmup(opt, n // 50, n),
        )
    if name == "sgdr" and n % SGDR_CYCLES == 0:
        from transformers import get_cosine_with_hard_restarts_schedule_with_warmup

        return (
            "HF `get_cosine_with_hard_restarts_schedule_with_warmup`, `.step()` per step",
            lambda opt: get_cosine_with_hard_restarts_schedule_with_warmup(opt, 0, n, num_cycles=SGDR_CYCLES),
        )
    return None


def lrsched_schedule(name: str, n: int) -> tuple[Any, str, str, Callable[[int], np.ndarray] | None]:
    """lrsched's schedule for ``name``: (schedule, short label, note, its reference if not the case's)."""
    import lrsched

    if name == "warmup_cosine":
        w = n // 50
        cos = lrsched.cosine(base_lr=PEAK, min_lr=0.0, total_steps=n - w)
        return lrsched.with_warmup(cos, warmup_steps=w, start_lr=0.0), "with_warmup(cosine(...))", "", None
    if name == "onecycle":
        s = lrsched.one_cycle(
            max_lr=PEAK,
            total_steps=n,
            pct_start=ONECYCLE["pct_start"],
            initial_div=ONECYCLE["div_factor"],
            final_div=ONECYCLE["div_factor"] * ONECYCLE["final_div_factor"],
        )
        note = (
            "lrsched's `one_cycle` ends its warmup at `round(pct_start*N)` (optax's convention), not torch's "
            "`pct_start*N - 1`, and divides `max_lr` by `final_div` (optax divides `max_lr/div`): its row is "
            'checked against `lrfuncs.onecycle(..., convention="optax")` with `final_div = 25 * 1e4`'
        )
        return s, "one_cycle(...)", note, reference("onecycle", "optax")
    c = max(1, n // SGDR_CYCLES)
    return lrsched.cosine_restarts(base_lr=PEAK, min_lr=0.0, period=c, t_mult=1), "cosine_restarts(...)", "", None


def scalar_case(m: int, name: str = "warmup_cosine", info_steps: int = 20_000) -> Case:
    """``m`` Python-int steps per loop; torch/HF stepping rows evaluate only the first ``info_steps``."""
    k_info = min(m, info_steps)

    def bound() -> Thunk:
        s = schedule(m, name)
        steps = range(m)
        return lambda: [s(k) for k in steps]

    def guide() -> Thunk:
        lr_lambda = math_lambda(name, m)
        peak = PEAK
        steps = range(m)
        return lambda: [peak * lr_lambda(k) for k in steps]

    def unbound() -> Thunk:
        s = schedule(m, name)
        fn, cfg = lrfuncs.get_schedule(s.to_dict()["schedule"]), dict(s.config)
        steps = range(k_info)
        return lambda: [fn(k, **cfg) for k in steps]

    peer_label = (
        "guide's `math` lambda: `[peak * lr_lambda(k) ...]`"
        if name == "warmup_cosine"
        else "hand-written `math` lambda: `[peak * f(k) ...]`"
    )
    impls = [
        Impl("bound `Schedule`: `[s(k) for k in range(N)]`", "lrfuncs", m, bound),
        Impl(peer_label, "peer", m, guide),
        Impl("unbound `lrfuncs.<schedule>(k, **cfg)`", "info", k_info, unbound),
    ]
    if find_spec("lrsched") is not None:
        ls, ls_label, ls_note, ls_ref = lrsched_schedule(name, m)

        def lrsched_sample() -> Thunk:
            import lrsched

            return lambda: lrsched.sample(ls, num_steps=m)

        label = f"lrsched `sample({ls_label}, num_steps=N)`" + (" (optax convention)" if ls_ref else "")
        impls.append(Impl(label, "info", m, lrsched_sample, reference=ls_ref, note=ls_note))
    if find_spec("torch") is not None:
        if name == "warmup_cosine":

            def torch_lambda() -> Thunk:
                return torch_stepping(
                    lambda opt: get_warmup_cosine_scheduler(opt, m // 50, m, min_lr_ratio=0.0), k_info
                )

            impls.append(Impl("torch `LambdaLR(guide's lambda)`, `.step()` per step", "info", k_info, torch_lambda))
        else:

            def torch_lambda() -> Thunk:
                import torch

                f = math_lambda(name, m)
                return torch_stepping(lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, f), k_info)

            impls.append(Impl("torch `LambdaLR(math lambda)`, `.step()` per step", "info", k_info, torch_lambda))
        native = native_torch(name, m)
        if native is not None:
            nlabel, nmake = native
            impls.append(Impl(nlabel, "info", k_info, lambda: torch_stepping(nmake, k_info)))
        hf = hf_scheduler(name, m)
        if hf is not None:
            hlabel, hmake = hf
            impls.append(Impl(hlabel, "info", k_info, lambda: torch_stepping(hmake, k_info)))

        def torch_lrfuncs() -> Thunk:
            from lrfuncs.backends.torch import lambda_lr

            s = schedule(m, name)
            return torch_stepping(lambda opt: lambda_lr(opt, s), k_info)

        impls.append(Impl("`lrfuncs.backends.torch.lambda_lr`, `.step()` per step", "info", k_info, torch_lrfuncs))
    return Case(
        key=f"scalar/{name}",
        title=f"{TITLES[name]}: per-step (Python ints)",
        n=m,
        target=2.0,
        allowance=0.0,
        target_text="≤ 2x `math` lambda",
        impls=tuple(impls),
        reference=reference(name),
    )


# --------------------------------------------------------------------------------------- training loop

TRAIN_SHAPE = (1000, 1000)  # 1e6 parameters
TRAIN_TOTAL = 1000  # the schedule's total_steps in the training cases
TRAIN_REPEATS = 31  # a few µs of schedule in a ~3 ms memory-bound step: the median needs many samples


def _params(shape: tuple[int, int]) -> str:
    return f"{shape[0] * shape[1] + shape[1]:,}"


def train_jax_case(steps: int, shape: tuple[int, int] = TRAIN_SHAPE) -> Case | str:
    """``steps`` jitted ``optax.adamw`` updates on ``prod(shape)`` float64 parameters."""
    missing = [m for m in ("jax", "optax") if find_spec(m) is None]
    if missing:
        return f"JAX training case skipped: {', '.join(missing)} not installed"
    total = max(TRAIN_TOTAL, (TRAIN_REPEATS + 9) * steps)  # all calls (warm-up + repeats) stay within the schedule

    def make(lr_kind: str) -> Callable[[], Thunk]:
        def build() -> Thunk:
            import jax
            import jax.numpy as jnp
            import optax

            from lrfuncs.backends.jax import as_optax

            if lr_kind == "lrfuncs":
                lr: Any = as_optax(schedule(total))
            elif lr_kind == "optax":
                lr = optax.warmup_cosine_decay_schedule(0.0, PEAK, total // 50, total, 0.0)
            else:
                lr = PEAK
            opt = optax.adamw(lr, weight_decay=1e-4)
            rng = np.random.default_rng(0)
            params = {"w": jnp.asarray(rng.standard_normal(shape)), "b": jnp.asarray(rng.standard_normal(shape[1]))}
            grads = jax.tree_util.tree_map(lambda p: jnp.asarray(rng.standard_normal(p.shape)), params)
            state = [params, opt.init(params)]  # carried from call to call: the timed work is the updates only

            @jax.jit
            def update(p: Any, s: Any) -> Any:
                u, s = opt.update(grads, s, p)
                return optax.apply_updates(p, u), s

            def run() -> np.ndarray:
                p, s = state
                for _ in range(steps):
                    p, s = update(p, s)
                state[:] = jax.block_until_ready((p, s))
                return np.asarray(p["w"]).ravel()[:4096]

            return run

        return build

    return Case(
        key="train/jax",
        title=f"training step: jitted `optax.adamw`, {_params(shape)} params",
        n=steps,
        target=1.05,
        allowance=0.0,
        target_text="≤ 1.05x optax's own schedule",
        impls=(
            Impl("`optax.adamw(as_optax(lrfuncs schedule))`", "lrfuncs", steps, make("lrfuncs")),
            Impl("`optax.adamw(optax.warmup_cosine_decay_schedule(...))`", "peer", steps, make("optax")),
            Impl("`optax.adamw(constant lr)`", "baseline", steps, make("constant"), checked=False),
        ),
        reference=None,
        peak=1.0,  # parameters are O(1)
        repeats=TRAIN_REPEATS,
        loop=False,  # each call advances the optimizer through the schedule: one call per sample
        rtol=1e-9,
        atol=1e-9,
        note=(
            "optax's own schedule computes in float32 (from the int32 `count`), lrfuncs' in float64: in the "
            "jitted-adamw case the O(1) parameters after the updates agree to 1e-9 (relative + absolute), not 1e-12"
        ),
    )


def train_torch_case(steps: int, shape: tuple[int, int] = TRAIN_SHAPE) -> Case | str:
    """``steps`` torch ``AdamW`` steps (+ ``scheduler.step()``) on ``prod(shape)`` float64 parameters."""
    if find_spec("torch") is None:
        return "torch training case skipped: torch not installed"
    total = max(TRAIN_TOTAL, (TRAIN_REPEATS + 9) * steps)  # all calls (warm-up + repeats) stay within the schedule

    def make(kind: str) -> Callable[[], Thunk]:
        def build() -> Thunk:
            import torch

            from lrfuncs.backends.torch import lambda_lr

            gen = torch.Generator().manual_seed(0)
            p0 = torch.randn(shape, dtype=torch.float64, generator=gen)
            g = torch.randn(shape, dtype=torch.float64, generator=gen)

            p = p0.clone().requires_grad_(True)
            p.grad = g
            opt = torch.optim.AdamW([p], lr=PEAK, weight_decay=1e-4, foreach=False)
            if kind == "lrfuncs":
                sched: Any = lambda_lr(opt, schedule(total))
            elif kind == "native":
                sched = get_warmup_cosine_scheduler(opt, total // 50, total, min_lr_ratio=0.0)
            else:
                sched = None

            def run() -> np.ndarray:  # optimizer and scheduler carried from call to call: steps only
                for _ in range(steps):
                    opt.step()
                    if sched is not None:
                        sched.step()
                return p.detach().numpy().ravel()[:4096].copy()

            return run

        return build

    return Case(
        key="train/torch",
        title=f"training step: torch `AdamW`, {_params(shape)} params",
        n=steps,
        target=1.0,
        allowance=0.02,
        target_text="overhead ≤ native's (+2% of step)",
        impls=(
            Impl("AdamW + `lrfuncs.backends.torch.lambda_lr`", "lrfuncs", steps, make("lrfuncs")),
            Impl("AdamW + torch `LambdaLR(guide's lambda)`", "peer", steps, make("native")),
            Impl("AdamW, no scheduler", "baseline", steps, make("none"), checked=False),
        ),
        reference=None,
        peak=1.0,
        repeats=TRAIN_REPEATS,
        loop=False,  # each call advances the optimizer through the schedule: one call per sample
    )


# -------------------------------------------------------------------------------- device-resident step

DEVICE_REPEATS = 31  # a scheduler's few µs in a ~50 µs GPU step: the median needs many samples


class OnHost:
    """Device tensors copied to the host only when the harness checks them (``np.asarray``), never when timed."""

    def __init__(self, *tensors: Any) -> None:
        self.tensors = tensors

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        import torch

        flat = torch.cat([t.detach().reshape(-1) for t in self.tensors]).cpu().numpy()
        return flat if dtype is None else flat.astype(dtype)


def resolve_device(device: str | None) -> str | None:
    """``device`` ("cuda" or "cpu"), or for None: "cuda" where available, else None (the case is skipped)."""
    import torch

    if device is None:
        return "cuda" if torch.cuda.is_available() else None
    if device not in ("cuda", "cpu"):
        raise ValueError(f"device must be 'cuda' or 'cpu', got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but torch.cuda.is_available() is False")
    return device


def capture_step(opt: Any, sched: Any, device: Any, warmup: int = 3) -> Callable[[], None]:
    """``opt.step(); sched.step()`` captured in a CUDA graph (after ``warmup`` steps on a side stream).

    Returns the graph's ``replay``. The warm-up steps (lazy optimizer state,
    allocator) change the parameters, the optimizer state and the schedule's
    step: the caller resets them (:func:`reset_training`).
    """
    import torch

    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "capturable=True ... running without graph capture"
        for _ in range(warmup):
            opt.step()
            sched.step()
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        opt.step()
        sched.step()
    return graph.replay  # (the bound method keeps the graph alive)


def reset_training(opt: Any, sched: Any, params: Any, initial: Any) -> None:
    """Parameters back to ``initial``, optimizer state to zero, the schedule to step 0 (all in place)."""
    import torch

    with torch.no_grad():
        for p, p0 in zip(params, initial, strict=True):
            p.copy_(p0)
        for state in opt.state.values():
            for v in state.values():
                if isinstance(v, torch.Tensor):
                    v.zero_()
    sched.load_state_dict({**sched.state_dict(), "step_count": 0})


def graph_probe(device: str) -> str | None:
    """Why a ``CurveLR`` step cannot be captured in a CUDA graph here (None: it can, and replays correctly)."""
    if device != "cuda":
        return f"CUDA graphs need a CUDA device (this run: {device})"
    try:
        import torch

        from lrfuncs.backends.torch import CurveLR

        dev = torch.device("cuda")
        p = torch.zeros(8, device=dev, requires_grad=True)
        p.grad = torch.ones(8, device=dev)
        lr = torch.tensor(PEAK, device=dev)
        opt = torch.optim.AdamW([p], lr=lr, fused=True, capturable=True)
        s = schedule(8)
        sched = CurveLR(opt, s, num_steps=8)
        replay = capture_step(opt, sched, dev)
        reset_training(opt, sched, [p], [torch.zeros(8, device=dev)])
        for _ in range(2):
            replay()
        torch.cuda.synchronize(dev)
        if abs(float(lr) - s(2)) > 1e-6 * PEAK or not bool(torch.all(p < 0)):
            got = f"lr {float(lr)!r} (expected {s(2)!r}), params {p.tolist()} (expected < 0)"
            return f"2 replays of a captured CurveLR step gave {got}"
    except Exception as exc:  # any failure means: no graph row, and the report says why
        return f"capturing a CurveLR step failed: {type(exc).__name__}: {exc}"
    return None


def device_case(steps: int, shape: tuple[int, int] = TRAIN_SHAPE, device: str | None = None) -> Case | str:
    """``steps`` fused ``AdamW`` steps on float32 parameters on ``device``, the lr a device tensor.

    ``device``: "cuda", "cpu" (a smoke run of the same code), or None: CUDA where
    available, else the case is skipped. The lrfuncs row uses
    ``lrfuncs.backends.torch.CurveLR`` (lr copied from a precomputed device curve,
    no host sync); the peer, the guide's ``LambdaLR``, which with a tensor lr
    multiplies the device ``initial_lr`` by the lambda's float, ``fill_``s the
    group's lr from it and clones it into ``_last_lr`` (three small device ops,
    no host sync either). On CUDA an info row replays the lrfuncs step captured in a
    CUDA graph. Each timed call ends with ``torch.cuda.synchronize()``.
    """
    if find_spec("torch") is None:
        return "device case skipped: torch not installed"
    dev_name = resolve_device(device)
    if dev_name is None:
        return (
            "device case skipped: no CUDA (`torch.cuda.is_available()` is False); on a GPU machine run "
            "`python -m benchmarks --only device`; `--device cpu` runs the same code on the CPU (a smoke run)"
        )
    total = max(TRAIN_TOTAL, (DEVICE_REPEATS + 9) * steps)  # every call (warm-up + repeats) within the schedule
    skipped: list[str] = []
    graph_reason = graph_probe(dev_name)
    if graph_reason is not None:
        skipped.append(f"device case: CUDA-graph row (captured `opt.step(); CurveLR.step()`) not run: {graph_reason}")

    def make(kind: str) -> Callable[[], Thunk]:
        def build() -> Thunk:
            import torch

            from lrfuncs.backends.torch import CurveLR

            dev = torch.device(dev_name)
            gen = torch.Generator().manual_seed(0)
            w0 = torch.randn(shape, generator=gen).to(dev)
            b0 = torch.randn(shape[1], generator=gen).to(dev)
            params = [w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)]
            for p in params:
                p.grad = torch.randn(p.shape, generator=gen).to(dev)
            # fused: one kernel per step for all tensors, lr read from the tensor; capturable only where captured
            # (the fused kernel is the same; capturable only lets the graph capture pass torch's check)
            opt = torch.optim.AdamW(
                params,
                lr=torch.tensor(PEAK, device=dev),
                weight_decay=1e-4,
                fused=True,
                capturable=kind == "graph",
            )
            if kind in ("lrfuncs", "graph"):
                sched: Any = CurveLR(opt, schedule(total), num_steps=total)
            elif kind == "native":
                sched = get_warmup_cosine_scheduler(opt, total // 50, total, min_lr_ratio=0.0)
            else:
                sched = None
            cuda = dev.type == "cuda"
            if kind == "graph":
                step = capture_step(opt, sched, dev)
                reset_training(opt, sched, params, [w0, b0])  # replays start at step 0, as the other rows

                def replay() -> OnHost:
                    for _ in range(steps):
                        step()
                    if cuda:
                        torch.cuda.synchronize(dev)
                    return OnHost(params[0].reshape(-1)[:4096], params[1])

                return replay

            def run() -> OnHost:  # optimizer and scheduler carried from call to call: steps only
                for _ in range(steps):
                    opt.step()
                    if sched is not None:
                        sched.step()
                if cuda:
                    torch.cuda.synchronize(dev)
                return OnHost(params[0].reshape(-1)[:4096], params[1])

            return run

        return build

    impls = [
        Impl("fused AdamW(lr=tensor) + `lrfuncs.backends.torch.CurveLR`", "lrfuncs", steps, make("lrfuncs")),
        Impl("fused AdamW(lr=tensor) + torch `LambdaLR(guide's lambda)`", "peer", steps, make("native")),
    ]
    if graph_reason is None:
        impls.append(
            Impl(
                "fused AdamW(lr=tensor, capturable) + `CurveLR`, step captured in a CUDA graph (replayed)",
                "info",
                steps,
                make("graph"),
            )
        )
    impls.append(Impl("fused AdamW(lr=tensor), no scheduler", "baseline", steps, make("none"), checked=False))
    return Case(
        key="device/torch",
        title=f"training step on {dev_name}: fused torch `AdamW`, tensor lr, {_params(shape)} float32 params",
        n=steps,
        target=1.0,
        allowance=0.02,
        target_text="overhead ≤ native's (+2% of step)",
        impls=tuple(impls),
        reference=None,
        peak=1.0,  # parameters are O(1)
        repeats=DEVICE_REPEATS,
        loop=False,  # each call advances the optimizer through the schedule: one call per sample
        rtol=1e-6,
        atol=1e-6,
        note=(
            f"device case ({dev_name}): {steps} fused `AdamW` steps per call on float32 parameters with the lr a "
            "device tensor, each call ending with `torch.cuda.synchronize()` on CUDA; the parameters after the "
            "steps agree with the `LambdaLR` peer's to float32 precision (rtol 1e-6 + 1e-6 absolute: both lrs are "
            "rounded to float32 on the device, LambdaLR's by a float32 multiply)"
        ),
        skipped=tuple(skipped),
    )


# ---------------------------------------------------------------------------------------- config sweeps


def sweep_peaks(k: int) -> np.ndarray:
    return PEAK * np.linspace(0.5, 1.5, k)[:, None]


def sweep_loop(k: int, n: int) -> np.ndarray:
    """K separate lrfuncs numpy curves, one per config, written into one (K, N) array."""
    from lrfuncs.backends.numpy import curve

    s = schedule(n)
    out = np.empty((k, n))
    for i, p in enumerate(sweep_peaks(k)[:, 0]):
        curve(s.replace(peak_lr=float(p)), n, out=out[i])
    return out


def sweep_case(k: int, n: int = 10_000) -> Case:
    peaks = sweep_peaks(k)

    def broadcast() -> Thunk:
        from lrfuncs.backends.numpy import curve

        cfg = {**config(n), "peak_lr": peaks}
        return lambda: curve(lrfuncs.warmup_cosine, n, **cfg)

    impls = [
        Impl("`curve(warmup_cosine, N, peak_lr=(K,1) array, ...)`", "lrfuncs", k * n, broadcast),
        Impl("Python loop of K `curve(s.replace(peak_lr=p), N)`", "peer", k * n, lambda: lambda: sweep_loop(k, n)),
    ]
    if find_spec("jax") is not None:

        def vmapped() -> Thunk:
            import jax
            import jax.numpy as jnp

            cfg = config(n)
            del cfg["peak_lr"]
            fn = jax.jit(
                jax.vmap(lambda p, start: lrfuncs.warmup_cosine(jnp.arange(n) + start, peak_lr=p, **cfg), (0, None))
            )
            ps, start = jnp.asarray(peaks[:, 0]), jnp.asarray(0)
            return lambda: fn(ps, start).block_until_ready()

        impls.append(Impl("`jit(vmap(lrfuncs.warmup_cosine))` over K peaks", "info", k * n, vmapped))
    return Case(
        key=f"sweep/K={k}",
        title=f"config sweep: K={k:,} peak_lrs x N={n:,} (warmup+cosine)",
        n=k * n,
        target=1.0,
        allowance=0.05,
        target_text="≤ 1.0x the loop (+5%)",
        impls=tuple(impls),
        reference=None,
        peak=1.5 * PEAK,
        repeats=3 if k * n >= 10_000_000 else None,
    )


# ------------------------------------------------------------------------------------------- big curve


def big_case(n: int) -> Case:
    """The 1e8-step float64 curve: lrfuncs vs the hand-tuned in-place formula only (3 calls)."""

    def lrfuncs_curve() -> Thunk:
        from lrfuncs.backends.numpy import curve

        s = schedule(n)
        return lambda: curve(s, n)

    return Case(
        key="numpy/big",
        title="warmup+cosine: numpy curve, large N",
        n=n,
        target=1.5,
        allowance=0.0,
        target_text="≤ 1.5x hand-tuned",
        impls=(
            Impl("`lrfuncs.backends.numpy.curve(s, N)`", "lrfuncs", n, lrfuncs_curve),
            Impl("hand-tuned in-place numpy (`out=`)", "peer", n, lambda: lambda: handtuned_numpy(n, n // 50, PEAK)),
        ),
        reference=reference("warmup_cosine"),
        repeats=3,
    )


BUILDERS: dict[str, Callable[..., Case | str]] = {
    "numpy": numpy_case,
    "jax": jax_case,
    "scalar": scalar_case,
}
