"""Math helpers shared by the schedules: guarded division, phase fractions, warmup, floors.

Every helper takes the operations namespace ``xp`` first and works elementwise
on Python floats, numpy, JAX and torch values alike. None of them branches on
a step value: both sides of every ``where`` are computed, so both are kept
finite (no division by zero, no log of zero), which also keeps gradients
NaN-free. They do branch on *config* that is a plain Python number (a zero
length, an exponent of 1): that only picks the cheaper of two equal formulas.
"""

from __future__ import annotations

import math
from typing import Any

from ._dispatch import Ops, python_ops

PLAIN = (int, float)


PI = math.pi


def is_plain(value: Any, target: float) -> bool:
    """True if ``value`` is a Python number equal to ``target`` (a config shortcut, never a step test)."""
    return value.__class__ in PLAIN and value == target


def nonzero(xp: Ops, den: Any) -> Any:
    """``den`` with zeros replaced by 1, for divisions whose zero case is masked by the caller."""
    if den.__class__ in PLAIN:
        return den if den != 0 else 1.0
    return xp.where(den == 0, 1.0, den)


def phase_fraction(xp: Ops, elapsed: Any, length: Any, clip: bool = True) -> Any:
    """``elapsed / length``, clipped to [0, 1] unless ``clip=False``.

    A phase of length 0 is done (1) as soon as it starts. Python floats are
    clipped inline: this sits on every scalar call's path.
    """
    if length.__class__ in PLAIN and length:
        f = elapsed / length
        if f.__class__ is float:
            return (0.0 if f < 0.0 else 1.0 if f > 1.0 else f) if clip else f
        return xp.clip(f, 0.0, 1.0) if clip else f
    if length.__class__ in PLAIN:  # zero
        return xp.indicator(elapsed >= 0, elapsed)
    f = xp.where(length == 0, 1.0, elapsed / xp.where(length == 0, 1.0, length))
    return xp.clip(f, 0.0, 1.0) if clip else f


def power_safe(xp: Ops, base: Any, exponent: Any) -> Any:
    """``base ** exponent`` for base >= 0 with a finite gradient at base == 0."""
    positive = base > 0
    safe = xp.where(positive, base, 1.0)
    return xp.where(positive, safe**exponent, 0.0)


def cos_interp(xp: Ops, start: Any, end: Any, frac: Any) -> Any:
    """Cosine interpolation from ``start`` (frac=0) to ``end`` (frac=1), torch's ``_annealing_cos``."""
    return end + (start - end) / 2.0 * (xp.cos(math.pi * frac) + 1.0)


def floor_value(peak_lr: Any, min_lr: Any, min_lr_ratio: Any) -> Any:
    """The floor of a decay: ``min_lr`` (absolute), ``min_lr_ratio * peak_lr``, or 0."""
    if min_lr_ratio is not None:
        return min_lr_ratio * peak_lr
    return 0.0 if min_lr is None else min_lr


def linear_warmup(xp: Ops, t: Any, peak_lr: Any, warmup_steps: Any, init_lr: Any) -> Any:
    """The warmup ramp ``init + (peak - init) * t / warmup_steps`` (used where t < warmup_steps).

    ``init_lr=None`` (the default of every schedule) starts at
    ``peak_lr / (warmup_steps + 1)``: the ramp that reaches 0 one step *before*
    the first update, so every warmup update moves the lr by the same
    ``peak_lr / (warmup_steps + 1)`` and the first update is not wasted on an
    lr of 0 (the complaint of HF #34754). ``init_lr=0.0`` gives the HF / optax
    ramp ``peak_lr * t / warmup_steps``.
    """
    start = peak_lr / (warmup_steps + 1.0) if init_lr is None else init_lr
    if warmup_steps.__class__ in PLAIN and warmup_steps != 0:  # the common case, without a call
        return start + (peak_lr - start) * (t / warmup_steps)
    return start + (peak_lr - start) * (t / nonzero(xp, warmup_steps))


def sqrt_safe(xp: Ops, x: Any) -> Any:
    """``sqrt(x)`` for ``x >= 0`` (0 elsewhere) with a finite gradient at 0 (``sqrt`` itself, for exact values)."""
    if x.__class__ in PLAIN:
        return xp.sqrt(x) if x > 0 else 0.0
    positive = x > 0
    return xp.where(positive, xp.sqrt(xp.where(positive, x, 1.0)), 0.0)


#: The warmup ramp shapes (HF's ``warmup_type``): ``g(f)`` rising from 0 at f=0 to 1 at f=1.
WARMUP_SHAPES = ("linear", "cosine", "1-sqrt")


def warmup_ramp(xp: Ops, frac: Any, shape: str) -> Any:
    """``g(frac)``: ``frac`` (linear), ``(1 - cos(pi f)) / 2`` (cosine) or ``1 - sqrt(1 - f)`` (1-sqrt)."""
    if shape == "linear":
        return frac
    if shape == "cosine":
        return 0.5 * (1.0 - xp.cos(PI * frac))
    return 1.0 - sqrt_safe(xp, 1.0 - frac)

# ----------------------------------------------------------------------------------------------
# Deterministic noise: a counter-based hash of the step, and the normal distribution's functions
# (used by the ``noise`` composite; the hash is exact on every backend and float type)
# ----------------------------------------------------------------------------------------------

_HASH_P = 4093.0  # a prime below 2**12: a product of two residues plus two more stays below 2**24
#: round-dependent key increments, one per lane (lanes x0, x1, x2 also add a digit of the seed)
_HASH_W = (2531.0, 2998.0, 1597.0, 3001.0)
_HASH_ROUNDS = 8
_HASH_INV_P2 = 1.0 / (4093.0 * 4093.0)
#: seeds of counter_uniform are whole numbers in [0, SEED_LIMIT)
SEED_LIMIT = 2**32


def _divmod_p(xp: Ops, x: Any) -> tuple[Any, Any]:
    """``(x // p, x % p)`` for a whole number ``x >= 0`` and the hash prime ``p``, exactly."""
    q = xp.floor_div(x, _HASH_P)
    return q, x - q * _HASH_P


def _mod_p(xp: Ops, x: Any) -> Any:
    return x - xp.floor_div(x, _HASH_P) * _HASH_P


def counter_uniform(xp: Ops, k: Any, seed: Any) -> Any:
    """A uniform number in (0, 1) that is a pure function of the whole number ``k >= 0`` and ``seed``.

    A counter-based hash (in the spirit of Philox) built from exact float
    arithmetic only. The counter ``k`` is written in four base-``p`` digits
    (``p = 4093``, prime; ``k`` modulo ``p**4 ~ 2.8e14``), the seed (a whole
    number in ``[0, 2**32)``) in three; the state is four residues modulo ``p``.
    Each of 8 rounds updates every lane by a product of two others plus a round
    key, ``x_i <- (x_i + x_j x_k + key) mod p``: a Feistel-type step (each update
    can be undone, so for a fixed seed distinct counters below ``p**4`` give
    distinct states) whose products make it non-linear. Every intermediate value
    is a whole number below ``2**24`` and every reduction an exact floor
    division, so the state is exact, and the same, in float64 and float32 on
    Python floats, numpy, JAX (``jit``, without x64 too) and torch.

    Returns ``(x_0 p + x_1 + 1/2) / p**2``, computed as a product with the
    rounded constant ``1 / p**2`` (one rounding, the same on every backend:
    XLA would turn a division into such a product anyway); float32 rounds it to
    float32.
    """
    k = xp.floor(k)
    k, c0 = _divmod_p(xp, k)
    k, c1 = _divmod_p(xp, k)
    k, c2 = _divmod_p(xp, k)
    c3 = _mod_p(xp, k)
    sx = python_ops if seed.__class__ in PLAIN else xp  # a plain seed stays a Python float (weakly typed)
    seed, s0 = _divmod_p(sx, seed)
    seed, s1 = _divmod_p(sx, seed)
    s2 = _mod_p(sx, seed)
    x0, x1, x2, x3 = _mod_p(xp, c0 + s0), _mod_p(xp, c1 + s1), _mod_p(xp, c2 + s2), c3
    for r in range(_HASH_ROUNDS):
        w = [float((r * int(c)) % 4093) for c in _HASH_W]
        x0 = _mod_p(xp, x0 + x1 * x2 + _mod_p(sx, s0 + w[0]))
        x1 = _mod_p(xp, x1 + x2 * x3 + _mod_p(sx, s1 + w[1]))
        x2 = _mod_p(xp, x2 + x3 * x0 + _mod_p(sx, s2 + w[2]))
        x3 = _mod_p(xp, x3 + x0 * x1 + (w[3] + 29.0))
    return (x0 * _HASH_P + x1 + 0.5) * _HASH_INV_P2


def _polevl(x: Any, coefs: tuple[float, ...]) -> Any:
    """``coefs[0] x^n + ... + coefs[n]`` by Horner's rule (highest degree first)."""
    out: Any = coefs[0]
    for c in coefs[1:]:
        out = out * x + c
    return out


# Wichura, Algorithm AS 241 (PPND16), Appl. Statist. 37 (1988) 477-484: ~1e-16 relative.
# Highest degree first; the denominators' constant term is 1.
_AS241_A = (2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4, 4.5921953931549871457e4,
            1.3731693765509461125e4, 1.9715909503065514427e3, 1.3314166789178437745e2, 3.3871328727963666080e0)
_AS241_B = (5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4, 2.1213794301586595867e4,
            5.3941960214247511077e3, 6.8718700749205790830e2, 4.2313330701600911252e1, 1.0)
_AS241_C = (7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
            1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0,
            4.63033784615654529590e0, 1.42343711074968357734e0)
_AS241_D = (1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
            1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
            2.05319162663775882187e0, 1.0)
_AS241_E = (2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
            2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
            5.46378491116411436990e0, 6.65790464350110377720e0)
_AS241_F = (2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
            7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
            5.99832206555887937690e-1, 1.0)


def ndtri(xp: Ops, p: Any) -> Any:
    """The standard normal quantile ``Phi^{-1}(p)`` for ``0 < p < 1`` (Wichura's AS 241, about 1e-16).

    Every branch is evaluated on a safe argument, so values and gradients are
    finite for every ``p`` in (0, 1).
    """
    q = p - 0.5
    central = xp.where(q * q <= 0.180625, q, 0.0)  # |q| <= 0.425 (0.425**2 == 0.180625)
    rc = 0.180625 - central * central
    value_c = central * _polevl(rc, _AS241_A) / _polevl(rc, _AS241_B)
    tail_p = xp.where(q < 0.0, p, 1.0 - p)
    tail_p = xp.where(q * q <= 0.180625, 0.05, tail_p)  # a tail point in the central region: unused
    r = xp.sqrt(-xp.log(tail_p))
    near = xp.where(r <= 5.0, r, 1.6) - 1.6
    far = xp.where(r <= 5.0, 5.0, r) - 5.0
    tail = xp.where(r <= 5.0, _polevl(near, _AS241_C) / _polevl(near, _AS241_D),
                    _polevl(far, _AS241_E) / _polevl(far, _AS241_F))
    tail = xp.where(q < 0.0, -tail, tail)
    return xp.where(q * q <= 0.180625, value_c, tail)


# Cephes erf / erfc (S. L. Moshier, ndtr.c): ~1e-16 relative. Highest degree first.
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF_U = (1.0, 3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4)
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC_S = (1.0, 2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)


def erf(xp: Ops, x: Any) -> Any:
    """The error function (Cephes' rational approximations, about 1e-16), every branch on a safe argument."""
    ax = xp.maximum(x, -x)
    small = xp.where(ax <= 1.0, x, 0.0)
    z = small * small
    value_small = small * _polevl(z, _ERF_T) / _polevl(z, _ERF_U)
    big = xp.where(ax <= 1.0, 2.0, ax)
    mid = xp.minimum(big, 8.0)
    far = xp.maximum(big, 8.0)
    ratio = xp.where(big < 8.0, _polevl(mid, _ERFC_P) / _polevl(mid, _ERFC_Q),
                     _polevl(far, _ERFC_R) / _polevl(far, _ERFC_S))
    erfc = xp.exp(-big * big) * ratio
    value_big = xp.where(x < 0.0, erfc - 1.0, 1.0 - erfc)
    return xp.where(ax <= 1.0, value_small, value_big)
