"""Maximum-likelihood estimation of a Bernoulli p with PyTorch, and what the learning rate does.

Packages, one idea each:

- ``engine``: the likelihood, the problem, optimizer runs, sweeps and their dynamics.
- ``data``: samples in: parsing files, their layouts and symbols, the shipped datasets.
- ``teach``: advice, lessons, challenges, presets and the words runs are told in.
- ``classroom``: class codes, and the stores (SQLite, Redis) a class lives in.
- ``io``: what leaves the page: share links, exports, tables and their templates.
- ``cli``: ``python -m bernoulli``.
- ``settings``: the one table of settings (widgets, link, validation, CLI).
- ``plots``: Plotly figures of runs and sweeps, one module per figure.
- ``bench``: ``python -m bernoulli.bench``.
"""
