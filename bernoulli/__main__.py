"""``python -m bernoulli``: see :mod:`bernoulli.cli.commands`."""

import sys

from bernoulli.cli.commands import main

if __name__ == "__main__":
    sys.exit(main())
