"""The divergence explorer: its views, their cached computations and shared parts."""
