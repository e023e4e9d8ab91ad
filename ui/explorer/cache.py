"""The explorer's heavy computations, cached with ``st.cache_data`` on scalars only, and
its figures, built once for every session with ``st.cache_resource``.

Each takes small frozen values (`Problem`, `sweep.BatchOptions`: scalars, hashable) and
returns numpy results. A long computation reports progress through ``_progress`` (not part
of the key). A figure is keyed on the same scalars as its data, and marked `shared`: its
wire dict (what st.plotly_chart sends) is built once, not in every session's every run.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from bernoulli.engine import dynamics, sweep
from bernoulli.engine.optimize import Settings, run
from bernoulli.engine.problem import Problem
from bernoulli.plots.bifurcation import bifurcation_figure
from bernoulli.plots.cobweb import cobweb_figure
from bernoulli.plots.map_figure import lr_p0_figure
from bernoulli.plots.marks import threshold_marks
from bernoulli.plots.race import RACE_COLORS, Racer, race_figure
from bernoulli.plots.sum_mean import sum_mean_figure
from bernoulli.plots.sweep_figure import lr_sweep_figure
from bernoulli.plots.wire import shared

SWEEP_POINTS = 241  # learning rates in the sweep
SWEEP_RANGE = (1e-3, 4.0)  # the sweep's span, in multiples of 2/H
MAP_LRS, MAP_P0S = 161, 119  # grid of the lr x p0 map
BIFURCATION_POINTS = 701  # learning rates in a bifurcation diagram
BIFURCATION_RANGE = {"p": (0.5, 1.9), "logit": (0.5, 2.2)}  # in multiples of 2/H
TRANSIENT, KEEP = 4000, 128  # steps thrown away, then kept, per bifurcation run
SUM_MEAN_STEPS, SUM_MEAN_POINTS = 2000, 301  # each run, and the learning rates, of sum vs mean


def options_of(s: Settings, optimizer: str) -> sweep.BatchOptions:
    """The sidebar's settings as a batch's options, stepped by `optimizer` (a batched one)."""
    return sweep.BatchOptions(
        steps=s.steps, optimizer=optimizer, beta=s.beta, dtype=s.dtype, tol=s.tol
    )


@st.cache_data(max_entries=16, show_spinner=False)
def lr_sweep_cached(
    problem: Problem, options: sweep.BatchOptions, p0: float, lr: float, _progress=None
):
    """The learning-rate sweep from p0, with the current lr among the learning rates."""
    lrs = sweep.lr_grid(problem, *SWEEP_RANGE, num=SWEEP_POINTS, extra=[lr])
    return sweep.lr_sweep(problem, p0, lrs, options, _progress)


@st.cache_data(max_entries=16, show_spinner=False)
def lr_p0_cached(
    problem: Problem, options: sweep.BatchOptions, low: float, high: float, _progress=None
):
    """The lr x p0 map: MAP_LRS learning rates in [low, high] x 2/H (log) x MAP_P0S starts."""
    lrs = sweep.lr_grid(problem, low, high, num=MAP_LRS)
    p0s = np.linspace(0.0, 1.0, MAP_P0S + 2)[1:-1]
    return sweep.lr_p0_map(problem, lrs, p0s, options, _progress)


@st.cache_data(max_entries=16, show_spinner=False)
def two_cycles_cached(problem: Problem, low: float, high: float, num: int, log: bool = False):
    """2-cycles of the gradient-descent map for num learning rates in [low, high] x 2/H."""
    spacing = np.geomspace if log else np.linspace
    lrs = spacing(low, high, num) * sweep.reference_lr(problem)
    return dynamics.two_cycles(problem, lrs, points=2001)


@st.cache_data(max_entries=16, show_spinner=False)
def bifurcation_cached(problem: Problem, _progress=None):
    """Long-run values of p over BIFURCATION_RANGE, from beside the MLE, in float64."""
    low, high = BIFURCATION_RANGE[problem.param]
    lrs = np.linspace(low, high, BIFURCATION_POINTS) * sweep.reference_lr(problem)
    options = sweep.BatchOptions.long_run(TRANSIENT, KEEP)
    return sweep.bifurcation(problem, lrs, options, progress=_progress)


@st.cache_data(max_entries=16, show_spinner=False)
def stable_window_cached(n: int, k: int, loss: str) -> float | None:
    """How far past 2/H (relative) the p map keeps a stable 2-cycle; None if it has none."""
    return dynamics.stable_window(Problem(n, k, "p", loss))


@st.cache_data(max_entries=32, show_spinner=False)
def cobweb_cached(problem: Problem, lr: float, p0: float, steps: int):
    options = sweep.BatchOptions(steps=steps, tail=steps + 1)
    return dynamics.cobweb(sweep.run_batch(problem, p0, lr, options))


@st.cache_data(max_entries=16, show_spinner=False)
def race_cached(n: int, k: int, values_key: str, runs: tuple[Settings, ...], _values=None):
    """One real torch run per Settings of `runs`; `values_key` names `_values`."""
    return [run(n, k, settings, _values) for settings in runs]


@st.cache_data(max_entries=16, show_spinner=False)
def sum_mean_sweep_cached(
    problem: Problem, options: sweep.BatchOptions, p0: float, ratios, _progress=None
):
    """A sweep over ratios = (low, high) x 2/H of the summed loss, for either loss scale."""
    ref = sweep.reference_lr(Problem(problem.n, problem.k, problem.param, "sum"))
    lrs = np.geomspace(ratios[0] * ref, ratios[1] * ref, SUM_MEAN_POINTS)
    return sweep.lr_sweep(problem, p0, lrs, options, _progress)


# --- figures, shared by every session (read-only: only ever handed to st.plotly_chart) ------


def _marks(problem: Problem, options: sweep.BatchOptions):
    return threshold_marks(problem, options.beta if options.optimizer == "momentum" else None)


@st.cache_resource(max_entries=16, show_spinner=False)
def sweep_figure_cached(
    problem: Problem, options: sweep.BatchOptions, p0: float, lr: float, _progress=None
):
    res = lr_sweep_cached(problem, options, p0, lr, _progress=_progress)
    return shared(lr_sweep_figure(res, lr, _marks(problem, options)))


@st.cache_resource(max_entries=16, show_spinner=False)
def map_figures_cached(
    problem: Problem, options: sweep.BatchOptions, lrs: tuple, current: tuple, _progress=None
):
    """The map's two figures (outcome, steps) over lrs = (low, high) x 2/H, with the
    current (lr, p0) marked."""
    res = lr_p0_cached(problem, options, *lrs, _progress=_progress)
    cycles = two_cycles_cached(problem, *lrs, 240, log=True) if problem.moves_p else None
    return tuple(
        shared(lr_p0_figure(res, kind, _marks(problem, options), current, cycles))
        for kind in ("outcome", "steps")
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def bifurcation_figure_cached(problem: Problem, title: str, current: float | None, _progress=None):
    res = bifurcation_cached(problem, _progress=_progress)
    low, high = BIFURCATION_RANGE[problem.param]
    cycles = two_cycles_cached(problem, low, high, 300)
    marks = threshold_marks(problem)
    return shared(bifurcation_figure(res, marks, cycles, title, current))


@st.cache_resource(max_entries=32, show_spinner=False)
def cobweb_figure_cached(problem: Problem, lr: float, p0: float, steps: int):
    return shared(cobweb_figure(cobweb_cached(problem, lr, p0, steps)))


@st.cache_resource(max_entries=16, show_spinner=False)
def race_figure_cached(
    problem: Problem, values_key: str, runs: tuple[Settings, ...], labels: tuple, _values=None
):
    """The race of `runs` on (problem.n, problem.k), each labelled."""
    trajs = race_cached(problem.n, problem.k, values_key, runs, _values=_values)
    racers = [
        Racer(label, traj, RACE_COLORS[i])
        for i, (label, traj) in enumerate(zip(labels, trajs, strict=True))
    ]
    return shared(race_figure(racers, problem.n, problem.k, problem.loss))


@st.cache_resource(max_entries=16, show_spinner=False)
def sum_mean_figure_cached(
    problem: Problem, options: sweep.BatchOptions, p0: float, ratios, _progress=None
):
    """Both loss scales' sweeps (problem.loss is ignored), in one figure."""
    scales = [Problem(problem.n, problem.k, problem.param, loss) for loss in ("sum", "mean")]
    res = [sum_mean_sweep_cached(one, options, p0, ratios, _progress) for one in scales]
    return shared(sum_mean_figure(*res, *(threshold_marks(one) for one in scales)))
