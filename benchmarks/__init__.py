"""Benchmarks of lrfuncs against its peers, measured side by side in one run.

``python -m benchmarks`` times one warmup + cosine curve (peak 3e-4, warmup
``N // 50`` steps, cosine to 0 at ``N``, warmup from 0) three ways:

* numpy: ``lrfuncs.backends.numpy.curve`` vs a hand-tuned in-place numpy
  formula (target: within 1.5x) and a naive ``np.where`` one-liner;
* JAX: ``lrfuncs.backends.jax.curve`` vs optax's own
  ``warmup_cosine_decay_schedule`` under ``jax.jit`` (target: no slower);
* scalar: a bound ``Schedule`` called on Python ints vs the schedulers guide's
  hand-written ``math`` lambda (target: within 2x), plus the unbound call and
  torch ``LambdaLR`` stepping for information.

Every implementation's output is first checked against lrfuncs' numpy curve
(float64, rtol 1e-12 plus 1e-15 * peak absolute); a disagreement aborts the run.
Speed is reported as ratios of medians measured in the same run; nothing here
asserts a time.
"""

from .harness import CrossCheckError, main, run

__all__ = ["CrossCheckError", "main", "run"]
