"""The schedules: one module per family, each holding the math and the config checks."""

from .compose import clip, in_epochs, join, product, restarts, scale, shift, with_warmup
from .cosine import cosine_decay, cosine_restarts
from .cyclic import cyclic, cyclic_momentum
from .decay import exponential_decay, inverse_sqrt, inverse_time_decay, polynomial_decay
from .hard_restarts import cosine_hard_restarts
from .noise import noise
from .onecycle import onecycle, onecycle_momentum
from .piecewise import piecewise_constant, piecewise_interpolate
from .simple import constant, constant_factor, linear
from .step import multistep_decay, step_decay
from .swa import swa
from .sweep import lr_sweep
from .tanh import tanh_decay
from .tristage import tri_stage
from .warmup import warmup_constant, warmup_cosine, warmup_linear
from .wsd import wsd

__all__ = [
    "clip",
    "constant",
    "constant_factor",
    "cosine_decay",
    "cosine_hard_restarts",
    "cosine_restarts",
    "cyclic",
    "cyclic_momentum",
    "exponential_decay",
    "in_epochs",
    "inverse_sqrt",
    "inverse_time_decay",
    "join",
    "linear",
    "lr_sweep",
    "multistep_decay",
    "noise",
    "onecycle",
    "onecycle_momentum",
    "piecewise_constant",
    "piecewise_interpolate",
    "polynomial_decay",
    "product",
    "restarts",
    "scale",
    "shift",
    "step_decay",
    "swa",
    "tanh_decay",
    "tri_stage",
    "warmup_constant",
    "warmup_cosine",
    "warmup_linear",
    "with_warmup",
    "wsd",
]
