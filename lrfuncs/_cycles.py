"""Where a step falls in a sequence of cycles of geometric lengths (SGDR and generic restarts).

Cycle ``i`` lasts ``cycle_steps * cycle_mult**i`` and starts at
``S_i = cycle_steps * (cycle_mult**i - 1) / (cycle_mult - 1)`` (``i * cycle_steps``
when ``cycle_mult == 1``). Shared by ``cosine_restarts`` and the ``restarts`` composite.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from ._dispatch import Ops
from ._phases import is_plain

#: A step within this relative distance (at most SNAP_MAX steps) of a computed cycle start is the restart.
SNAP = 1e-12
SNAP_MAX = 1e-6


class Cycle(NamedTuple):
    """Cycle index ``i`` (a float), its ``start`` and ``length``; ``m_safe`` is cycle_mult with 1 replaced."""

    index: Any
    start: Any
    length: Any
    m_safe: Any


#: |cycle_mult - 1| below which cycle starts use expm1 (no cancellation) instead of pow (exact for whole m).
NEAR_ONE = 0.125


def cycle_start(xp: Ops, i: Any, cycle_steps: Any, m: Any, log_m: Any) -> Any:
    """Start of cycle ``i`` for ``m != 1``: ``cycle_steps * (m**i - 1) / (m - 1)``.

    Far from 1, ``m**i`` is used as is: exact for whole ``m`` and ``i``, so restarts
    of whole ``cycle_steps`` and ``cycle_mult`` fall on whole steps, and cycle 1
    starts at exactly ``cycle_steps`` (the sum is divided first). Near 1,
    ``m**i - 1`` cancels catastrophically and ``expm1(i * log1p(m - 1))`` is used
    (``m - 1`` is exact there).
    """
    d = m - 1.0
    if m.__class__ in (int, float):
        if abs(d) >= NEAR_ONE:
            return cycle_steps * ((m**i - 1.0) / d)
        return cycle_steps * (xp.expm1(i * log_m) / d)
    near = abs(d) < NEAR_ONE
    return cycle_steps * xp.where(near, xp.expm1(i * log_m), m**i - 1.0) / d


def locate(xp: Ops, u: Any, cycle_steps: Any, cycle_mult: Any) -> Cycle:
    """The cycle containing ``u >= 0`` (steps since the first cycle began).

    The index comes from a logarithm, which can round across a cycle boundary:
    it is corrected by one either way, and a step within a relative 1e-12 (at
    most 1e-6 steps) of a boundary counts as the restart, since the boundary
    itself carries rounding (``m**i`` is ``exp(i log m)`` under XLA): "cycle 1
    starts at step 7" must hold for ``m = 0.7``; the cap keeps restarts at
    giant steps from coming whole steps early. torch's
    ``CosineAnnealingWarmRestarts`` uses the uncorrected ``int(log(...))`` and
    misses restarts (``T_0=1, T_mult=10`` at step 111).

    For ``cycle_mult < 1`` the cycles sum to ``cycle_steps / (1 - cycle_mult)``;
    past it the index is large and meaningless: callers hold their final value.
    """
    m = cycle_mult
    if is_plain(m, 1.0):
        i = xp.floor_div(u, cycle_steps)
        return Cycle(i, i * cycle_steps, cycle_steps, m)
    plain = m.__class__ in (int, float)
    one = False if plain else (m == 1.0)  # array-valued cycle_mult may hold 1.0 entries
    m_safe = m if plain else xp.where(one, 2.0, m)
    d = m_safe - 1.0
    log_m = math.log1p(d) if plain else xp.log1p(d)
    # 1e-30 (not 0): past the finite total length of shrinking cycles (m < 1) the log stays finite
    arg = xp.maximum(1.0 + u / cycle_steps * (m_safe - 1.0), 1e-30)
    i = xp.floor(xp.log(arg) / log_m)
    s_i = cycle_start(xp, i, cycle_steps, m_safe, log_m)
    i = xp.where(u < s_i - xp.minimum(s_i * SNAP, SNAP_MAX), i - 1.0, i)
    s_next = cycle_start(xp, i + 1.0, cycle_steps, m_safe, log_m)
    i = xp.where(u >= s_next - xp.minimum(s_next * SNAP, SNAP_MAX), i + 1.0, i)
    start = cycle_start(xp, i, cycle_steps, m_safe, log_m)
    length = cycle_steps * m_safe**i
    if not plain:
        i_lin = xp.floor_div(u, cycle_steps)
        start = xp.where(one, i_lin * cycle_steps, start)
        length = xp.where(one, cycle_steps, length)
        i = xp.where(one, i_lin, i)
    return Cycle(i, start, length, m_safe)
