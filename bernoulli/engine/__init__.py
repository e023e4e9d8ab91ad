"""The engine: the likelihood, the problem, optimizer runs, sweeps and their dynamics."""
