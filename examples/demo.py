"""The guide's schedules, written once, evaluated through every backend.

For each scheduler of the practitioner's guide this script builds one lrfuncs
schedule and evaluates it four ways: a numpy curve, a JAX curve (one jitted call
on the default device), a torch tensor curve, and a real torch optimizer driven
by ``lrfuncs.backends.torch.lambda_lr`` step by step. It prints how far apart
the four are and writes a PNG with one panel per schedule.

Run with ``make demo`` (or ``python examples/demo.py --out out/curves.png``).
"""

from __future__ import annotations

import argparse
import pathlib
import time

import jax
import numpy as np
import torch

import lrfuncs
from lrfuncs.backends import jax as ljax
from lrfuncs.backends import numpy as lnp
from lrfuncs.backends import torch as ltorch

jax.config.update("jax_enable_x64", True)

EPOCHS, STEPS_PER_EPOCH = 20, 50
TOTAL = EPOCHS * STEPS_PER_EPOCH

#: (title, schedule, momentum companion or None) — the guide's schedulers, per update.
GUIDE = [
    ("StepLR (x0.1 every 6 epochs)", lrfuncs.step_decay.bind(peak_lr=0.1, step_size=6 * STEPS_PER_EPOCH), None),
    (
        "MultiStepLR (milestones 8, 14, 18 epochs)",
        lrfuncs.multistep_decay.bind(peak_lr=0.1, milestones=[m * STEPS_PER_EPOCH for m in (8, 14, 18)]),
        None,
    ),
    ("CosineAnnealingLR (eta_min 1e-6)", lrfuncs.cosine_decay.bind(peak_lr=0.1, total_steps=TOTAL, min_lr=1e-6), None),
    (
        "SGDR (T_0 2 epochs, T_mult 2, peak x0.7)",
        lrfuncs.cosine_restarts.bind(peak_lr=0.1, cycle_steps=2 * STEPS_PER_EPOCH, cycle_mult=2, peak_decay=0.7),
        None,
    ),
    (
        "OneCycleLR (+ momentum)",
        lrfuncs.onecycle.bind(peak_lr=0.1, total_steps=TOTAL),
        lrfuncs.onecycle_momentum.bind(total_steps=TOTAL),
    ),
    (
        "Linear warmup + linear decay (BERT)",
        lrfuncs.warmup_linear.bind(peak_lr=5e-5, warmup_steps=TOTAL // 10, total_steps=TOTAL),
        None,
    ),
    (
        "Linear warmup + cosine (GPT)",
        lrfuncs.warmup_cosine.bind(peak_lr=3e-4, warmup_steps=TOTAL // 20, total_steps=TOTAL, min_lr_ratio=0.1),
        None,
    ),
    ("Constant with warmup", lrfuncs.warmup_constant.bind(peak_lr=1e-4, warmup_steps=TOTAL // 10), None),
]


def torch_stepped(schedule: lrfuncs.Schedule, momentum: lrfuncs.Schedule | None) -> tuple[np.ndarray, np.ndarray]:
    """The lr (and momentum) a real torch SGD optimizer uses at each update."""
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=schedule.config["peak_lr"], momentum=0.9)
    sched = ltorch.lambda_lr(opt, schedule, momentum=momentum)
    lrs, moms = [], []
    for _ in range(TOTAL):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        param.grad = torch.zeros(1)
        opt.step()
        sched.step()
    return np.asarray(lrs), np.asarray(moms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out/curves.png", help="where to write the PNG (default: out/curves.png)")
    args = parser.parse_args()

    print(f"lrfuncs {lrfuncs.__version__}: {len(GUIDE)} schedules x {TOTAL} updates")
    print(f"JAX default device: {jax.devices()[0]}")
    header = (
        f"{'schedule':44s} {'numpy vs JAX':>13s} {'numpy vs torch':>15s} {'numpy vs LambdaLR':>18s}  lr[0] -> lr[end]"
    )
    print(header)
    print("-" * len(header))
    results = []
    worst = 0.0
    for title, schedule, momentum in GUIDE:
        ref = lnp.curve(schedule, TOTAL)
        on_jax = np.asarray(ljax.curve(schedule, TOTAL, dtype="float64"))
        on_torch = ltorch.curve(schedule, TOTAL).numpy()
        stepped, moms = torch_stepped(schedule, momentum)
        peak = schedule.config["peak_lr"]
        diffs = [float(np.max(np.abs(x - ref)) / peak) for x in (on_jax, on_torch, stepped)]
        worst = max(worst, *diffs)
        print(f"{title:44s} {diffs[0]:13.1e} {diffs[1]:15.1e} {diffs[2]:18.1e}  {ref[0]:.3g} -> {ref[-1]:.3g}")
        if momentum is not None:
            mom_ref = lnp.curve(momentum, TOTAL)
            print(f"{'  momentum companion':44s} {'':13s} {'':15s} {np.max(np.abs(moms - mom_ref)):18.1e}")
        results.append((title, ref, momentum and lnp.curve(momentum, TOTAL)))
    print(f"largest disagreement, relative to the peak lr: {worst:.1e} (float64 rounding is ~1e-16)")

    start = time.perf_counter()
    big = lnp.curve(GUIDE[6][1].replace(total_steps=10_000_000), 10_000_000)
    print(f"a 1e7-step warmup+cosine numpy curve takes {time.perf_counter() - start:.3f} s ({big.nbytes / 1e6:.0f} MB)")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(18, 7.5), constrained_layout=True)
    steps = np.arange(TOTAL)
    for ax, (title, lr, mom) in zip(axes.flat, results, strict=True):
        ax.plot(steps / STEPS_PER_EPOCH, lr, color="C0", lw=1.6)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("learning rate", color="C0")
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
        if mom is not None:
            twin = ax.twinx()
            twin.plot(steps / STEPS_PER_EPOCH, mom, color="C1", lw=1.2, ls="--")
            twin.set_ylabel("momentum", color="C1")
    fig.suptitle(f"The guide's schedules with lrfuncs ({TOTAL} updates, {STEPS_PER_EPOCH} per epoch)")
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")
    if worst > 1e-12:
        raise SystemExit(f"backends disagree by {worst:.1e} > 1e-12")


if __name__ == "__main__":
    main()
