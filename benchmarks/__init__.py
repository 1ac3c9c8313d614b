"""Benchmarks of lrfuncs against its peers, measured side by side in one run.

``python -m benchmarks`` (about 2-3 minutes on 2 cores; ``--quick``: a few
seconds, tiny N, checks everything and times nothing useful) compares, for
warmup+cosine, one-cycle and SGDR at N = 1e3, 1e5, 1e7 (``--sizes``):

* numpy: ``lrfuncs.backends.numpy.curve`` vs a hand-tuned in-place numpy
  formula (target: within 1.5x), a naive one-liner, the torch tensor curve
  (eager; ``torch.compile`` once, at the largest N), and the limits ``np.cos``
  alone and a plain memory write of N floats;
* JAX: ``lrfuncs.backends.jax.curve`` vs optax's own schedule under ``jax.jit``
  (target: no slower; one-cycle in optax's convention, the only one it has);
* per step (Python ints, N <= 1e5): a bound ``Schedule`` vs a hand-written
  ``math`` lambda (target: within 2x), lrsched's ``sample``, torch ``LambdaLR``,
  torch's native schedulers and HF's stepped; the numpy curve must be >= 20x
  faster per step than every such loop;
* a 1e8-step numpy curve, and its peak resident memory in a fresh process
  (target: < 1.25x the 800 MB output);
* training: a jitted ``optax.adamw`` update on 1e6 parameters with
  ``as_optax(schedule)`` vs optax's own schedule vs a constant (target: within
  1.05x), and a torch ``AdamW`` step with ``lambda_lr`` vs the guide's
  ``LambdaLR`` vs none (target: no more overhead than native);
* config sweeps: K = 1, 100, 10,000 peak_lrs x N = 1e4 in one broadcast call vs
  a Python loop of K curves vs ``jit(vmap(...))``;
* device (opt-in, ``--only device``; needs CUDA, else skipped; ``--device cpu``
  or ``--quick`` without CUDA runs the same code on the CPU): 100 fused
  ``AdamW`` steps per call on 1e6 float32 parameters on the GPU with a tensor
  lr, ``CurveLR`` vs the guide's ``LambdaLR`` vs none (target: no more overhead
  than native), plus the ``CurveLR`` step replayed from a CUDA graph.

Every implementation's output is first checked against lrfuncs' numpy curve of
the same schedule (float64, rtol 1e-12 plus 1e-15 * peak absolute; training
rows: the parameters, vs the peer's; sweeps: vs the loop); a disagreement
aborts the run. Rows that compute something else on purpose (limits,
baselines) are marked. Speed is reported as ratios of medians measured in the
same run; nothing here asserts a time.
"""

from .harness import CrossCheckError, main, run

__all__ = ["CrossCheckError", "main", "run"]
