"""``swa`` against the real ``torch.optim.swa_utils.SWALR`` (torch 2.13), stepped for real.

SWALR is built on a real SGD whose lr is ``init_lr``; the lr is read before ``optimizer.step()``,
then ``scheduler.step()`` (warnings are errors), so index ``k`` is the lr after ``k`` steps:

    SWALR(opt(lr=init_lr), swa_lr, anneal_epochs=A, anneal_strategy=s)
    == swa(init_lr=init_lr, swa_lr=swa_lr, anneal_steps=A, anneal=s)

torch gets there by a recursion that recovers ``init_lr`` from the previous lr at every step
(``(lr - alpha' * swa_lr) / (1 - alpha')``); lrfuncs' closed form agrees to float64 rounding.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch
from conftest import BACKENDS, assert_lr_close, evaluate, per_backend
from hypothesis import strategies as st
from torch.optim.swa_utils import SWALR

import lrfuncs

#: One step grid for every example (JAX compiles its eager ops once per shape); anneals are <= 60 steps.
STEPS = np.arange(80)


def torch_swalr(init_lr: float, n: int = len(STEPS), **kwargs: Any) -> np.ndarray:
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.zeros(2, dtype=torch.float64)
    opt = torch.optim.SGD([p], lr=init_lr)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched = SWALR(opt, **kwargs)
        for k in range(n):
            out.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            if k < n - 1:
                sched.step()
    return np.asarray(out)


lrs = st.sampled_from([1.0, 0.1, 0.05, 3e-4]) | st.floats(1e-5, 10.0)


def test_swa_equals_torch_swalr(backend: str) -> None:
    @per_backend(
        backend,
        init=lrs,
        swa_lr=lrs | st.just(0.0),
        anneal_steps=st.sampled_from([0, 1, 10]) | st.integers(0, 60),
        anneal=st.sampled_from(["cos", "linear"]),
    )
    def check(init: float, swa_lr: float, anneal_steps: int, anneal: str) -> None:
        ref = torch_swalr(init, swa_lr=swa_lr, anneal_epochs=anneal_steps, anneal_strategy=anneal)
        ours = evaluate(backend, lrfuncs.swa, STEPS, init_lr=init, swa_lr=swa_lr, anneal_steps=anneal_steps,
                        anneal=anneal)
        assert_lr_close(ours, ref, peak=max(init, swa_lr))

    check()


def test_defaults_are_torch_defaults() -> None:
    """anneal_epochs=10, anneal_strategy='cos'."""
    ref = torch_swalr(0.3, swa_lr=0.01)
    assert_lr_close(lrfuncs.swa(STEPS, init_lr=0.3, swa_lr=0.01), ref, peak=0.3)
    assert lrfuncs.swa.bind(init_lr=0.3, swa_lr=0.01).landmarks() == [("end", 10.0)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_golden_anchors_3_15(backend: str) -> None:
    """anchors.md 3.15: SWALR(swa_lr=0.1, anneal_epochs=4) from lr 1 (5 significant digits there)."""
    steps = np.arange(6)
    cos = evaluate(backend, lrfuncs.swa, steps, init_lr=1.0, swa_lr=0.1, anneal_steps=4)
    lin = evaluate(backend, lrfuncs.swa, steps, init_lr=1.0, swa_lr=0.1, anneal_steps=4, anneal="linear")
    np.testing.assert_allclose(cos, [1, 0.8682, 0.55, 0.2318, 0.1, 0.1], rtol=5e-5)
    np.testing.assert_allclose(lin, [1, 0.775, 0.55, 0.325, 0.1, 0.1], rtol=1e-12)


def test_no_anneal_gives_swa_lr_at_once_and_fractional_anneal() -> None:
    """anneal_steps=0: swa_lr from step 0 (as torch); a fractional anneal interpolates and holds."""
    assert [lrfuncs.swa(t, init_lr=1.0, swa_lr=0.2, anneal_steps=0) for t in (0, 1, 100)] == [0.2, 0.2, 0.2]
    s = lrfuncs.swa.bind(init_lr=1.0, swa_lr=0.0, anneal_steps=2.5, anneal="linear")
    assert [s(t) for t in (0, 1, 2, 2.5, 3)] == pytest.approx([1.0, 0.6, 0.2, 0.0, 0.0])


def test_swa_rising_to_swa_lr() -> None:
    """SWALR also anneals *up* (swa_lr above the current lr)."""
    ref = torch_swalr(0.01, 20, swa_lr=0.05, anneal_epochs=5)
    assert_lr_close(lrfuncs.swa(np.arange(20), init_lr=0.01, swa_lr=0.05, anneal_steps=5), ref, peak=0.05)
    assert np.all(np.diff(ref) >= 0)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"init_lr": -0.1}, r"Argument `init_lr` must be >= 0. Received: init_lr=-0.1"),
        ({"swa_lr": -1.0}, r"Argument `swa_lr` must be >= 0. Received: swa_lr=-1.0"),
        ({"anneal_steps": -1}, r"Argument `anneal_steps` must be >= 0. Received: anneal_steps=-1"),
        ({"anneal": "cosine"}, r"Argument `anneal` must be one of 'cos', 'linear'. Received: anneal='cosine'"),
        ({"anneal_steps": float("inf")}, r"`anneal_steps` must be a finite number"),
    ],
)
def test_bad_config(config: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        lrfuncs.swa(0, **{"init_lr": 0.1, "swa_lr": 0.05, **config})
    with pytest.raises(ValueError, match=match):
        lrfuncs.swa.bind(**{"init_lr": 0.1, "swa_lr": 0.05, **config})


def test_swa_lr_is_required() -> None:
    with pytest.raises(TypeError, match=r"missing required keyword argument\(s\): `swa_lr`"):
        lrfuncs.swa(0, init_lr=0.1)
