"""``python -m bernoulli``: see :mod:`bernoulli.cli`."""

import sys

from bernoulli.cli import main

if __name__ == "__main__":
    sys.exit(main())
