"""The schedules: one module per family, each holding the math and the config checks."""

from .cosine import cosine_decay, cosine_restarts
from .onecycle import onecycle, onecycle_momentum
from .step import multistep_decay, step_decay
from .warmup import warmup_constant, warmup_cosine, warmup_linear

__all__ = [
    "cosine_decay",
    "cosine_restarts",
    "multistep_decay",
    "onecycle",
    "onecycle_momentum",
    "step_decay",
    "warmup_constant",
    "warmup_cosine",
    "warmup_linear",
]
