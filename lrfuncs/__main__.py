"""``python -m lrfuncs``: the command line of :mod:`lrfuncs.cli`."""

from __future__ import annotations

if __name__ == "__main__":
    import sys

    from .cli import main

    sys.exit(main())
