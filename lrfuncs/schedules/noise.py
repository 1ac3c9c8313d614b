"""Deterministic multiplicative noise on any schedule (timm's ``noise_range_t`` / ``noise_pct`` / ``noise_std``).

Math and validation of the ``noise`` composite live here. The random numbers
come from :func:`lrfuncs._phases.counter_uniform`, a hash of the step and the
seed: no generator state, the same numbers on every backend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import _validation as v
from .._dispatch import Ops, python_ops
from .._phases import PLAIN, SEED_LIMIT, counter_uniform, erf, ndtri
from .._schedule import Schedule, schedule

KINDS = ("normal", "uniform")
_SQRT1_2 = math.sqrt(0.5)


def _check_noise(cfg: Mapping[str, Any]) -> None:
    inner = cfg["inner"]
    if not isinstance(inner, Schedule):
        hint = " Bind it first: fn.bind(**config)." if hasattr(inner, "spec") else ""
        raise TypeError(
            f"Argument `inner` must be an lrfuncs Schedule (e.g. lrfuncs.cosine_decay.bind(...)).{hint} "
            f"Received: inner={inner!r}"
        )
    v.between(cfg, "pct", 0.0, 1.0, lo_open=True)
    v.positive(cfg, "std")
    v.integer(cfg, "seed", minimum=0)
    seed = v.concrete(cfg, "seed")
    if seed is not None and seed >= SEED_LIMIT:
        raise v.fail(cfg, f"must be < 2**32 = {SEED_LIMIT}", "seed")
    v.choice(cfg, "kind", KINDS)
    v.non_negative(cfg, "begin_step")
    if cfg["end_step"] is not None:
        v.non_negative(cfg, "end_step")
        v.at_most(cfg, "begin_step", "end_step")


def _noise_landmarks(cfg: Mapping[str, Any]) -> list[tuple[str, float]]:
    out = list(cfg["inner"].landmarks())
    if cfg["begin_step"] > 0:
        out.append(("noise begin", float(cfg["begin_step"])))
    if cfg["end_step"] is not None:
        out.append(("noise end", float(cfg["end_step"])))
    return out


@schedule(_check_noise, _noise_landmarks)
def noise(
    xp: Ops,
    t: Any,
    /,
    inner: Schedule[Any],
    pct: Any = 0.67,
    std: Any = 1.0,
    seed: Any = 42,
    kind: str = "normal",
    begin_step: Any = 0,
    end_step: Any = None,
) -> Any:
    r"""A schedule times ``1 + n``, ``n`` random but a pure function of the step and the seed.

    For ``begin_step <= t < end_step`` (``end_step=None``: no end), with ``s`` the
    inner schedule and ``u = U(\lfloor t \rfloor, \mathrm{seed})`` a uniform number in
    (0, 1) from a counter-based hash:

    .. math:: \mathrm{lr}(t) = s(t) + s(t)\, n, \qquad
        n = \begin{cases}
        \sigma\, \Phi^{-1}\big(\tfrac12 + (u - \tfrac12)\,\mathrm{erf}(a / \sqrt2)\big) & \texttt{"normal"}\\
        \mathrm{pct}\,(2u - 1) & \texttt{"uniform"}
        \end{cases}

    with ``\sigma = std`` and ``a = pct / std``: ``"normal"`` is a normal of standard
    deviation ``std`` truncated to ``|n| < pct`` (drawn by its inverse CDF), ``"uniform"``
    is uniform on ``(-pct, pct)``. Outside ``[begin_step, end_step)`` the value is
    ``s(t)``. A fractional step uses the noise of its whole step.

    timm's scheduler noise (``noise_range_t=(begin, end)`` or ``begin``, ``noise_type``,
    ``noise_pct``, ``noise_std``, ``noise_seed``) has the same distributions and the same
    ``lr + lr * noise``, but draws with ``torch.Generator().manual_seed(noise_seed + t)``
    (rejecting normals until ``|noise| < pct``): its numbers cannot be reproduced without
    torch's generator. Here the numbers are the same on Python, numpy, JAX and torch, under
    ``jit`` and ``vmap``; seeds ``s`` and ``s + 1`` give unrelated sequences (timm's are
    the same sequence shifted by one step); a step's noise repeats after
    ``4093**4 ~ 2.8e14`` steps.

    In float32 (JAX without x64, float32 steps) the hash is still exact (every
    intermediate value is a whole number below ``2**24``): ``u`` is the same number
    rounded to float32 and the noise is computed in float32 from it.

    Args:
      step: 0-based update index (Python number, numpy, JAX or torch value).
      inner: the schedule to perturb (a bound :class:`lrfuncs.Schedule`).
      pct: bound of ``|n|``, in (0, 1] (timm ``noise_pct``; a bound above 1 could make the
        lr negative, which timm allows).
      std: standard deviation of the normal before truncation, > 0 (timm ``noise_std``).
      seed: a whole number in ``[0, 2**32)`` (timm ``noise_seed``).
      kind: ``"normal"`` or ``"uniform"``.
      begin_step: first noisy step, >= 0.
      end_step: first step without noise again, >= ``begin_step``; None means never.

    Array-valued config is not validated.

    >>> import lrfuncs
    >>> flat = lrfuncs.cosine_decay.bind(peak_lr=1.0, total_steps=10**9)
    >>> s = lrfuncs.noise.bind(inner=flat, pct=0.1, seed=7, end_step=4)
    >>> [round(s(t), 6) for t in range(6)]  # the same numbers on every backend, every run
    [0.952076, 0.933877, 0.956458, 1.094019, 1.0, 1.0]
    """
    lr = inner.evaluate(xp, t)
    u = counter_uniform(xp, t, seed)
    if kind == "uniform":
        n = 2.0 * (u - 0.5) * pct  # timm's 2 * (rand - 0.5) * pct
    else:
        a = pct / std
        ea = python_ops if a.__class__ in PLAIN else xp  # a plain bound stays a Python float
        n = std * ndtri(xp, 0.5 + (u - 0.5) * erf(ea, a * _SQRT1_2))
    noisy = lr + lr * n  # timm's v + v * noise
    if end_step is None:
        if begin_step.__class__ in PLAIN and begin_step == 0:
            return noisy
        active = t >= begin_step
    else:
        active = (t >= begin_step) & (t < end_step)
    return xp.where(active, noisy, lr)
