"""Maximum-likelihood estimation of a Bernoulli p with PyTorch, and what the learning rate does.

Modules, one idea each:

- ``data``: samples in (parse a file, generate, the notebook's bundled sample).
- ``likelihood``: the NLL, its derivatives, the MLE, intervals and learning-rate thresholds.
- ``optimize``: one optimizer run of real torch steps, every step recorded.
- ``sweep``: many runs at once, vectorized, classified (converged, periodic, chaotic, diverged).
- ``plots``: Plotly figures of the above, one module per figure.
- ``cli``: ``python -m bernoulli``.
"""
