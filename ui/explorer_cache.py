"""The explorer's heavy computations, cached with ``st.cache_data`` on scalars only.

Each takes small frozen values (`Problem`, `Engine`: scalars, hashable) and returns numpy
results. A long computation reports progress through ``_progress`` (not part of the key).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from bernoulli import sweep
from bernoulli.optimize import Settings, run

SWEEP_POINTS = 241  # learning rates in the sweep
SWEEP_RANGE = (1e-3, 4.0)  # the sweep's span, in multiples of 2/H
MAP_LRS, MAP_P0S = 161, 119  # grid of the lr x p0 map
BIFURCATION_POINTS = 701  # learning rates in a bifurcation diagram
BIFURCATION_RANGE = {"p": (0.5, 1.9), "logit": (0.5, 2.2)}  # in multiples of 2/H
TRANSIENT, KEEP = 4000, 128  # steps thrown away, then kept, per bifurcation run
SUM_MEAN_STEPS, SUM_MEAN_POINTS = 2000, 301  # each run, and the learning rates, of sum vs mean


@dataclass(frozen=True)
class Problem:
    """The data and the loss the runs minimize: n samples with k ones, in `param`."""

    n: int
    k: int
    param: str = "p"
    loss: str = "sum"

    @property
    def reference_lr(self) -> float:
        return sweep.reference_lr(self.n, self.k, self.param, self.loss)


@dataclass(frozen=True)
class Engine:
    """How every run of a batch steps: for how long, in which dtype, with which optimizer."""

    steps: int
    dtype: str
    optimizer: str
    beta: float
    tol: float

    @classmethod
    def of(cls, s: Settings, optimizer: str) -> Engine:
        """The sidebar's settings, stepped by `optimizer` (one the batched engine has)."""
        return cls(s.steps, s.dtype, optimizer, s.beta, s.tol)

    def options(self, problem: Problem) -> dict:
        """The keyword options of sweep.lr_sweep / lr_p0_map."""
        return {
            "param": problem.param,
            "loss": problem.loss,
            "dtype": self.dtype,
            "optimizer": self.optimizer,
            "beta": self.beta,
            "tol": self.tol,
        }


@st.cache_data(max_entries=16, show_spinner=False)
def lr_sweep_cached(problem: Problem, engine: Engine, p0: float, lr: float, _progress=None):
    """The learning-rate sweep from p0, with the current lr among the learning rates."""
    n, k = problem.n, problem.k
    lrs = sweep.lr_grid(
        n, k, problem.param, problem.loss, *SWEEP_RANGE, num=SWEEP_POINTS, extra=[lr]
    )
    options = engine.options(problem)
    return sweep.lr_sweep(n, k, p0, lrs, engine.steps, progress=_progress, **options)


@st.cache_data(max_entries=16, show_spinner=False)
def lr_p0_cached(problem: Problem, engine: Engine, low: float, high: float, _progress=None):
    """The lr x p0 map: MAP_LRS learning rates in [low, high] x 2/H (log) x MAP_P0S starts."""
    n, k = problem.n, problem.k
    lrs = sweep.lr_grid(n, k, problem.param, problem.loss, low, high, num=MAP_LRS)
    p0s = np.linspace(0.0, 1.0, MAP_P0S + 2)[1:-1]
    options = engine.options(problem)
    return sweep.lr_p0_map(n, k, lrs, p0s, engine.steps, progress=_progress, **options)


@st.cache_data(max_entries=16, show_spinner=False)
def two_cycles_cached(problem: Problem, low: float, high: float, num: int, log: bool = False):
    """2-cycles of the gradient-descent map for num learning rates in [low, high] x 2/H."""
    spacing = np.geomspace if log else np.linspace
    lrs = spacing(low, high, num) * problem.reference_lr
    return sweep.two_cycles(problem.n, problem.k, lrs, problem.param, problem.loss, points=2001)


@st.cache_data(max_entries=16, show_spinner=False)
def bifurcation_cached(problem: Problem, _progress=None):
    """Long-run values of p over BIFURCATION_RANGE, from beside the MLE, in float64."""
    low, high = BIFURCATION_RANGE[problem.param]
    lrs = np.linspace(low, high, BIFURCATION_POINTS) * problem.reference_lr
    return sweep.bifurcation(
        problem.n,
        problem.k,
        lrs,
        problem.param,
        problem.loss,
        transient=TRANSIENT,
        keep=KEEP,
        progress=_progress,
    )


@st.cache_data(max_entries=16, show_spinner=False)
def stable_window_cached(n: int, k: int, loss: str) -> float | None:
    """How far past 2/H (relative) the p map keeps a stable 2-cycle; None if it has none."""
    ref = sweep.reference_lr(n, k, "p", loss)
    eps = np.geomspace(1e-9, 1.0, 400)
    cycles = sweep.two_cycles(n, k, (1 + eps) * ref, "p", loss, points=20001)
    stable = cycles.lr[cycles.stable]
    return float(stable.max() / ref - 1) if stable.size else None


@st.cache_data(max_entries=32, show_spinner=False)
def cobweb_cached(problem: Problem, lr: float, p0: float, steps: int):
    return sweep.cobweb(problem.n, problem.k, lr, p0, steps, problem.param, problem.loss)


@st.cache_data(max_entries=16, show_spinner=False)
def race_cached(n: int, k: int, values_key: str, runs: tuple[Settings, ...], _values=None):
    """One real torch run per Settings of `runs`; `values_key` names `_values`."""
    return [run(n, k, settings, _values) for settings in runs]


@st.cache_data(max_entries=16, show_spinner=False)
def sum_mean_sweep_cached(problem: Problem, engine: Engine, p0: float, ratios, _progress=None):
    """A sweep over ratios = (low, high) x 2/H of the summed loss, for either loss scale."""
    ref = sweep.reference_lr(problem.n, problem.k, problem.param, "sum")
    lrs = np.geomspace(ratios[0] * ref, ratios[1] * ref, SUM_MEAN_POINTS)
    options = engine.options(problem)
    return sweep.lr_sweep(
        problem.n, problem.k, p0, lrs, engine.steps, progress=_progress, **options
    )
