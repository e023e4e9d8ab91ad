"""The divergence explorer: what the learning rate does, over many runs at once.

``render(n, k, values, settings)`` draws five views in lazy tabs (only the open tab's code
runs), each with a sentence or two and its formula: a learning-rate sweep, the learning
rate x p0 map, the bifurcation diagram with a cobweb plot, an optimizer race, and the
sum-vs-mean note. The numbers come from ``bernoulli.engine.sweep`` (many runs as one tensor
computation) and ``bernoulli.engine.optimize`` (one real torch run per optimizer), cached in
`ui.explorer.cache`; the figures from ``bernoulli.plots``.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from bernoulli.engine import sweep
from bernoulli.engine.optimize import OPTIMIZER_NAMES, Settings, initial_p
from bernoulli.engine.problem import Problem, Thresholds
from bernoulli.plots.marks import STATUS_ORDER
from ui.charts import chart
from ui.explorer.cache import (
    MAP_LRS,
    MAP_P0S,
    lr_p0_cached,
    lr_sweep_cached,
    map_figures_cached,
    options_of,
    sweep_figure_cached,
)
from ui.explorer.common import batched, near_mle, num, progress_bar, ratio_text
from ui.explorer.dynamics import bifurcation_section, cobweb_section
from ui.explorer.race import race_section, sum_mean_section

MAP_RANGE = {"p": (1e-2, 2.0), "logit": (1e-2, 4.0)}  # in multiples of 2/H
TAB = "explorer_tab"  # the tabs' session key: the open tab's label
TABS = (
    "Learning-rate sweep",
    "lr × p₀ map",
    "Bifurcation & cobweb",
    "Optimizer race",
    "Sum vs mean",
)


def render(n: int, k: int, values: np.ndarray | None, settings: Settings) -> None:
    """Draw the divergence explorer for n samples with k ones under the current settings.

    Parameters
    ----------
    n, k : int
        The sample's size and number of ones.
    values : ndarray of uint8, or None
        The raw 0/1 values (minibatch SGD in the race draws from them).
    settings : Settings
        The sidebar's settings: learning rate, p0, steps, optimizer, parameterization, loss
        scale, dtype, tolerance.
    """
    intro(n, k, settings)
    views = (
        lambda: sweep_section(n, k, settings),
        lambda: map_section(n, k, settings),
        lambda: (bifurcation_section(n, k, settings), cobweb_section(n, k, settings)),
        lambda: race_section(n, k, values, settings),
        lambda: sum_mean_section(n, k, settings),
    )
    # Lazy tabs: switching reruns the page, and only the open tab computes its runs.
    for tab, view in zip(st.tabs(TABS, key=TAB, on_change="rerun"), views, strict=True):
        if tab.open:
            with tab:
                view()


def intro(n: int, k: int, s: Settings) -> None:
    """The title, and the thresholds of these data in one paragraph."""
    th = Problem.of(n, k, s).thresholds()
    st.header("Divergence explorer")
    text = (
        f"Many runs at once on the same data (n = {n}, k = {k}, p̂ = {num(k / n)}): which "
        "learning rates converge, which oscillate, cycle or go chaotic, and which throw p out "
        "of (0, 1)."
    )
    if th.note:
        st.markdown(text)
        st.warning(th.note)
    else:
        st.markdown(
            text + f" Near the minimum the {s.loss} NLL has curvature "
            f"H = {num(th.curvature)} in {s.param}, so gradient descent shrinks the "
            f"error monotonically below 1/H = {num(th.monotone)} and stops converging past "
            f"2/H = {num(th.stable)} — near p̂."
        )


def sweep_formulas(problem: Problem, optimizer: str) -> None:
    """The update rule the sweep steps, and its local limit."""
    if problem.moves_p:
        mean = r"\ (\div n\text{ for the mean})" if problem.loss == "mean" else ""
        # Two lines: one would be cut at 1280 px.
        st.latex(
            r"p_{t+1} = p_t - \eta\,\frac{\partial\,\mathrm{NLL}}{\partial p}"
            r" = p_t - \eta\left(-\frac{k}{p_t} + \frac{n-k}{1-p_t}\right)"
        )
        st.latex(
            r"p_{t+1}-\hat p \approx (1-\eta H)\,(p_t-\hat p),\quad "
            r"H = \frac{n}{\hat p(1-\hat p)}" + mean
        )
    else:
        st.latex(r"\theta_{t+1} = \theta_t - \eta\,(n\,\sigma(\theta_t) - k)")
        st.latex(
            r"\theta_{t+1}-\hat\theta \approx (1-\eta H)(\theta_t-\hat\theta),\quad "
            r"H = n\,\hat p(1-\hat p)"
        )
    if optimizer == "momentum":
        st.latex(
            r"v_{t+1} = \beta v_t + \nabla\mathrm{NLL},\quad w_{t+1} = w_t - \eta v_{t+1}"
            r"\qquad\text{stable near the minimum} \iff \eta H < 2 + 2\beta"
        )


def sweep_section(n: int, k: int, s: Settings) -> None:
    """View 1: every learning rate on a log axis, one full run each."""
    optimizer = batched(s.optimizer)
    starts = {
        "near": f"beside p̂: p₀ = {num(near_mle(n, k))}",
        "sidebar": f"the sidebar's p₀ = {num(initial_p(s))}",
    }
    start = st.radio(
        "Start every run from",
        list(starts),
        format_func=starts.get,
        horizontal=True,
        key="explorer_sweep_start",
        help="Beside p̂ the learning rate's regimes show (monotone, zig-zag, cycles, chaos); "
        "from far away a large step can throw p out of (0, 1) at once.",
    )
    p0 = near_mle(n, k) if start == "near" else initial_p(s)
    st.subheader("Learning-rate sweep: an exact lr_find")
    st.markdown(
        f"Each point is a complete run of {s.steps:,} steps of "
        f"{OPTIMIZER_NAMES[optimizer]} from p₀ = {num(p0)}, one learning rate per run, all "
        "computed together as one tensor computation. Unlike fast.ai's lr_find (one run "
        "with a growing learning rate), nothing is mixed: the outcome at each learning rate "
        "is that learning rate's own."
    )
    if optimizer != s.optimizer:
        st.caption(
            f"The sweep runs gradient descent: the batched engine steps GD and momentum; "
            f"{OPTIMIZER_NAMES[s.optimizer]} is in the optimizer race."
        )
    problem = Problem.of(n, k, s)
    sweep_formulas(problem, optimizer)
    bar, report = progress_bar("Running the sweep…")
    options = options_of(s, optimizer)
    fig = sweep_figure_cached(problem, options, p0, s.lr, _progress=report)
    res = lr_sweep_cached(problem, options, p0, s.lr)  # filled by the figure's build
    bar.empty()
    chart(fig, "explorer_sweep")
    st.markdown(sweep_facts(res, Problem.of(n, k, s).thresholds(), s.lr))


def sweep_facts(res: sweep.BatchResult, th: Thresholds, lr: float) -> str:
    """What the sweep says about the current learning rate, and where p first escapes."""
    stable = math.isfinite(th.stable) and th.stable
    here = int(np.argmin(np.abs(np.log(res.lr / lr))))
    fact = (
        f"At the current learning rate {num(lr)} "
        f"({ratio_text(lr / th.stable) if stable else '—'} × 2/H) "
        f"the run is **{res.labels()[here]}**"
    )
    if res.converged_at[here] >= 0:
        fact += f" at step {res.converged_at[here]}"
    elif res.diverged_at[here] >= 0:
        fact += f": p left (0, 1) at step {res.diverged_at[here]}"
    facts = [fact + "."]
    out = res.status == sweep.DIVERGED
    if out.any():
        first = float(res.lr[out].min())
        ratio = first / th.stable if stable else math.nan
        local = ": **below 2/H**, because 2/H is a limit near p̂ only (see the lr × p₀ map)."
        facts.append(
            f"From this p₀ the smallest learning rate at which p leaves (0, 1) is {num(first)}"
            + (f" = {ratio_text(ratio)} × 2/H" if math.isfinite(ratio) else "")
            + (local if ratio < 0.99 else ".")
        )
    return " ".join(facts)


def map_range(n: int, k: int, s: Settings) -> tuple[float, float]:
    """The map's learning rates, in multiples of 2/H: MAP_RANGE widened to hold the current lr."""
    low, high = MAP_RANGE[s.param]
    ratio = s.lr / sweep.reference_lr(Problem.of(n, k, s))
    return min(low, ratio / 2), max(high, ratio * 1.5)


def first_step_limit(n: int, k: int, s: Settings, p0: float) -> None:
    """In p: the learning rate from which the very first step leaves (0, 1), and why."""
    st.latex(
        r"p_1 = p_0 + \eta\,\frac{n(\hat p - p_0)}{p_0(1-p_0)} \ge 1"
        r"\iff \eta \ge \eta_1(p_0) = \frac{p_0(1-p_0)^2}{n(\hat p-p_0)}"
        r"\quad (p_0<\hat p,\ \text{summed NLL})"
    )
    if s.loss == "sum" and 0 < k < n and 0 < p0 < k / n:
        eta1 = p0 * (1 - p0) ** 2 / (n * (k / n - p0))
        st.markdown(
            f"From the current p₀ = {num(p0)} the very first step leaves (0, 1) once "
            f"η ≥ η₁ = {num(eta1)} = {ratio_text(eta1 / Problem(n, k).thresholds().stable)} × 2/H."
        )
    st.markdown(
        "The white curves are the unstable 2-cycle of the update map (solved from "
        "f(f(p)) = p): starts between its two points converge, starts outside escape."
    )


def map_section(n: int, k: int, s: Settings) -> None:
    """View 2: outcome and steps over learning rate x starting p."""
    optimizer = batched(s.optimizer)
    p0 = initial_p(s)
    st.subheader("Learning rate × starting p: 2/H is a local limit")
    st.markdown(
        "Each cell is one run. The limit 2/H comes from the curvature at p̂; far from p̂ the "
        "curvature, and the gradient, are much larger (they grow without bound towards 0 and "
        "1), so from a start far from the MLE a single step can throw p out of (0, 1) at a "
        "learning rate well below 2/H."
    )
    problem = Problem.of(n, k, s)
    if problem.moves_p:
        first_step_limit(n, k, s, p0)
    bar, report = progress_bar(f"Running {MAP_LRS * MAP_P0S:,} runs…")
    low, high = map_range(n, k, s)
    options = options_of(s, optimizer)
    figs = map_figures_cached(problem, options, (low, high), (s.lr, p0), _progress=report)
    res = lr_p0_cached(problem, options, low, high)  # filled by the figures' build
    bar.empty()
    for tab, fig, key in zip(
        st.tabs(["Outcome", "Steps to converge"]), figs, ("outcome", "steps"), strict=True
    ):
        with tab:
            chart(fig, f"explorer_map_{key}")
    counts = ", ".join(
        f"{sweep.STATUS_LABELS[c]} {res.count(c):,}" for c in STATUS_ORDER if res.count(c)
    )
    st.caption(f"{res.status.size:,} runs of {s.steps:,} steps ({s.dtype}): {counts}.")
