"""``python -m benchmarks``: see :mod:`benchmarks` and ``--help``."""

from .harness import main

raise SystemExit(main())
