"""``python -m bernoulli``: the command line's commands and arguments."""
