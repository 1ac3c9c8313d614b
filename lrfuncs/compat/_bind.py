"""The one helper the compat modules share: bind a core schedule, naming the anchor call on an error."""

from __future__ import annotations

from typing import Any

from .._schedule import Schedule, ScheduleFunction


def bind_as(anchor: str, fn: ScheduleFunction[Any], mapping: str, /, **config: Any) -> Schedule[Any]:
    """``fn.bind(**config)``; a ValueError/TypeError also names ``anchor`` and the argument ``mapping``.

    ``anchor`` is how the user spelt the call (``"optax.cosine_decay_schedule"``), ``mapping``
    the lrfuncs arguments it became, so an error reads in the anchor's terms and in lrfuncs'.
    """
    try:
        return fn.bind(**config)
    except (ValueError, TypeError) as err:
        raise type(err)(f"{err} [{anchor} is lrfuncs.{fn.__name__}({mapping})]") from err
