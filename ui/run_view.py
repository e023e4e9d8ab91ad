"""The main view: one run, animated (banner, figure, results, formulas, table, exports)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import streamlit as st

from bernoulli.data import samples
from bernoulli.engine import likelihood as lk
from bernoulli.engine import together
from bernoulli.engine.optimize import OPTIMIZER_NAMES, Settings, Trajectory
from bernoulli.engine.problem import Problem
from bernoulli.plots import wire
from bernoulli.plots.animated import AnimationBudget, animated_spec, shown_part
from bernoulli.plots.compare import compare_figure
from bernoulli.plots.frames import focus_end, run_frames
from bernoulli.plots.start_figure import start_spec
from bernoulli.teach import account
from ui import run_tabs, scrub
from ui.assets import asset
from ui.charts import chart
from ui.sidebar import SECONDS_PER_STEP

# px: the banner, Play and the curve panel fit 1280×720 (the legend below them need not)
FIGURE_HEIGHT = {False: 598, True: 665}
BANNERS = {  # account.OUTCOMES -> how the banner shows it (words first, never colour alone)
    "converges": (st.success, ":material/check_circle:"),
    "zigzags": (st.success, ":material/check_circle:"),
    "escapes": (st.error, ":material/error:"),
    "stalls": (st.warning, ":material/pause_circle:"),
}


@dataclass(frozen=True)
class RunKey:
    """What decides a run (a cache key of scalars): the data, the settings, the values' key.

    `values_key` names the sample's raw values when minibatch SGD needs them, else "".
    """

    n: int
    k: int
    settings: Settings
    values_key: str


def run_key(sample: samples.Sample, settings: Settings) -> RunKey:
    values_key = sample.key if settings.optimizer == "sgd" else ""
    return RunKey(sample.n, sample.k, settings, values_key)


# --- cached computations (keyed on scalars, never on arrays) ----------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def run_cached(key: RunKey, _values: np.ndarray | None) -> Trajectory:
    """One run, with its account (kept on it: cached together); `_values` (the sample's 0/1
    values, for minibatch SGD) is named by the key."""
    values = _values if key.settings.optimizer == "sgd" else None
    traj = together.run(key.n, key.k, key.settings, values)  # (with the runs asked at once)
    account.of_run(traj)
    return traj


@dataclass(frozen=True)
class FigureKey:
    """What decides the figure besides the run: its options (a cache key of scalars)."""

    log_grad: bool = False
    presenter: bool = False
    whole_run: bool = False
    kept_back: bool = False  # the run at its start only: its outcome is kept back


@st.cache_resource(show_spinner=False, max_entries=16)
def figure_cached(key: RunKey, options: FigureKey, _values: np.ndarray | None):
    """The animated figure; shared by sessions, never modified (its wire dict built once,
    straight from plain dicts: see wire.wire_figure)."""
    build = start_spec if options.kept_back else animated_spec
    spec = build(
        run_cached(key, _values),
        log_grad=options.log_grad,
        presenter=options.presenter,
        height=FIGURE_HEIGHT[options.presenter],
        budget=AnimationBudget(whole_run=options.whole_run),
    )
    return wire.wire_figure(spec)  # (looked up at each call, as tests replace it)


# The banner and its "Why" close together and slim: the first screen must hold them, Play and
# the whole curve panel at 1280×720.
BANNER_STYLE = (
    "<style>.st-key-banner{gap:0.3rem}"
    ".st-key-banner [data-testid='stAlertContainer']{padding:0.45rem 0.9rem}"
    ".st-key-banner summary{padding-top:0.25rem;padding-bottom:0.25rem;min-height:0}</style>"
)


def banner(traj: Trajectory) -> None:
    """What the run did in one sentence (its account), the numbers one click away."""
    told = account.of_run(traj)
    box = BANNERS.get(told.outcome, (st.info, ":material/info:"))
    st.html(BANNER_STYLE)
    # The sentence and its "Why" side by side: one row, so that the preview's sliders and the
    # figure below still fit the first screen.
    said, numbers = st.container(key="banner").columns([7, 2], vertical_alignment="top")
    with said:
        box[0](told.sentence, icon=box[1])
    with numbers:
        why(traj)


def why(traj: Trajectory) -> None:
    """The numbers behind the run (its account's why and theory), one click away."""
    told = account.of_run(traj)
    with st.expander("Why: the numbers", width="stretch"):
        detail = told.why
        if told.outcome == "stalls" and traj.settings.dtype == "float32":
            detail += " This is what the notebook's float32 run did. Try float64."
        st.markdown(detail)
        st.markdown(told.theory)
        if told.first_step:
            st.markdown(told.first_step)


def run_view(
    sample: samples.Sample, settings: Settings, option_box, presenting: bool, headline=banner
):
    """The animated run: banner, figure, and below it (one tab open at a time) results,
    comparisons, the trajectory table, formulas and exports.

    The banner, Play and the whole curve panel fit a 1280×720 screen (presenting too);
    returns the run. `headline(traj)` draws the banner's place (ui.predict, ui.classroom,
    ui.challenge_view: a prediction first); returning False, the run's outcome is kept back:
    the figure shows its start only (`plots.start_spec`), and nothing on the page depends on
    what it does.
    """
    key, values = run_key(sample, settings), sample.values
    slow = settings.steps * SECONDS_PER_STEP > 2
    with st.spinner(f"Running {settings.steps:,} torch steps…" if slow else "Running…"):
        traj = run_cached(key, values)
    told = headline(traj)
    scrub.preview(traj, hidden=told is False, height=FIGURE_HEIGHT[presenting])

    log_grad = option_box.toggle(
        "log |gradient|",
        key="log_grad",
        help="|dNLL/dp| spans orders of magnitude: show it on a log axis.",
    )
    kept = told is False
    end = focus_end(traj)
    whole = (
        not kept  # (whether the toggle is offered would tell how the run ends)
        and end < len(traj.p) - 1
        and option_box.toggle(
            f"all {len(traj.p) - 1:,} steps",
            key="whole_run",
            help=f"The step axis shows steps 0–{end}, where things happen; this shows the "
            "whole run.",
        )
    )
    fig = figure_cached(key, FigureKey(log_grad, presenting, whole, kept), values)
    st.html(asset("phone.css"))  # a phone's figure: its height, no toolbar
    chart(fig, alt=figure_alt(traj, kept))
    if kept:
        start_caption(traj)
        return traj
    shown = traj if whole else shown_part(traj)
    figure_caption(traj, len(run_frames(shown)), len(shown.p) - 1)
    below_figure(sample, settings, traj, fig)
    return traj


BELOW = "below_figure"  # the tabs' session key: the open tab's label
BELOW_TABS = ("Results", "Compare runs", "Trajectory table", "Formulas", "Take this run away")


def below_figure(sample: samples.Sample, settings: Settings, traj: Trajectory, fig) -> None:
    """The run's results, comparisons, table, formulas and exports, one tab open at a time.

    The tabs are lazy: only the open one runs and is sent. A page that opens on the figure
    then sends a third of the elements it would, and no table or formula: the browser draws
    the figure without first loading the code of a data grid (1.7 MB) and of KaTeX.
    """
    sections = (
        lambda: run_tabs.results(traj),
        lambda: compare_runs(sample, settings, traj),
        lambda: run_tabs.trajectory_table(traj),
        lambda: run_tabs.formulas(traj),
        lambda: run_tabs.exports(sample, traj, fig),
    )
    tabs = st.tabs(BELOW_TABS, key=BELOW, on_change="rerun")
    for tab, section in zip(tabs, sections, strict=True):
        if tab.open:
            with tab:
                section()


def figure_caption(traj: Trajectory, frames: int, end: int) -> None:
    """What the figure shows, panel by panel, and which steps its frames are."""
    s, last = traj.settings, len(traj.p) - 1
    shown = "every step" if frames == end + 1 else f"{frames} of the {end + 1} steps"
    window = f" (the run {account.of_run(traj).words}"
    window += ")" if end == last else f"; of {last:,}: the rest is one toggle away)"
    st.caption(
        f"(a) the {s.loss} NLL over p, with the MLE, its 95% intervals on the p-axis and p "
        "moving along the curve (its last 8 steps trailing): the dashed tangent's slope is the "
        "gradient, the arrow is the step to the next p, and the gauge above shows gradient "
        f"descent's multiplier 1 − lr·H; (b) the loss and (c) {_grad_words(traj.problem)} at each "
        f"step, drawn as it plays. Steps 0–{end}{window}; the animation and the slider show "
        f"{shown}: every step while p moves visibly (far from p̂, near the edge, or zig-zagging), "
        "sparser where it creeps."
    )
    _curvature_caption(traj)


def _curvature_caption(traj: Trajectory) -> None:
    """H at p̂: the standard error and gradient descent's limit, one number."""
    if not lk.on_boundary(traj.n, traj.k):
        th, se = Problem(traj.n, traj.k).thresholds(), lk.standard_error(traj.n, traj.k)
        st.caption(
            f"One curvature, two lessons: H = n/(p̂(1 − p̂)) = {th.curvature:.4g} is the observed "
            f"information, so the standard error is SE = 1/√H = {se:.4g}; "
            f"and the same H sets gradient descent's limit in p: lr < 2/H = {th.stable:.4g}."
        )


def _grad_words(problem: Problem) -> str:
    """What panel (c) shows: torch's own gradient in p; in θ the same dNLL/dp, not the step's."""
    if problem.moves_p:
        return "the real gradient dNLL/dp"
    return "dNLL/dp (a run in θ steps with dNLL/dθ = p(1 − p)·dNLL/dp)"


def start_caption(traj: Trajectory) -> None:
    """What the figure will show, before the run is shown: nothing that depends on it."""
    st.caption(
        f"(a) the {traj.settings.loss} NLL over p, with the MLE, its 95% intervals on the "
        "p-axis and the start p₀, the dashed tangent there and above it the gauge of gradient "
        "descent's multiplier 1 − lr·H; (b) the loss and (c) the real gradient at each step, "
        f"over steps 0–{traj.settings.steps:,}. The run plays here once it is predicted."
    )
    _curvature_caption(traj)


# Runs to compare with this one: label -> the settings changed.
COMPARE = {
    "½ × lr": lambda s: {"lr": s.lr / 2},
    "2 × lr": lambda s: {"lr": s.lr * 2},
    "4 × lr": lambda s: {"lr": s.lr * 4},
    "momentum": lambda s: {"optimizer": "momentum"},
    "Adam": lambda s: {"optimizer": "adam"},
    "Newton": lambda s: {"optimizer": "newton"},
}


def compare_runs(sample: samples.Sample, settings: Settings, traj: Trajectory) -> None:
    """Up to three more runs (other learning rates or optimizers) beside this one, on one
    curve and one pair of step panels, each labelled."""
    chosen = st.multiselect(
        "Compare with",
        list(COMPARE),
        key="compare",
        max_selections=3,
        placeholder="other learning rates or optimizers, on the same picture",
        help="Runs this sample from the same start with the lr or the optimizer changed.",
    )
    if not chosen:
        return
    trajs, labels = [traj], [f"this run (lr = {settings.lr:.3g})"]
    for name in chosen:
        try:
            other = dataclasses.replace(settings, **COMPARE[name](settings))
        except ValueError as error:
            st.caption(f"{name}: not run, {error}.")
            continue
        trajs.append(run_cached(run_key(sample, other), sample.values))
        labels.append(f"{name} (lr = {other.lr:.3g}, {OPTIMIZER_NAMES[other.optimizer]})")
    chart(compare_figure(trajs, labels), key="compare_chart")


def figure_alt(traj: Trajectory, kept: bool = False) -> str:
    """The figure in words, for screen readers (`kept`: the run's outcome kept back, so the
    words say only what was asked for)."""
    s = traj.settings
    steps = s.steps if kept else len(traj.p) - 1
    told = "" if kept else account.of_run(traj).text
    return (
        f"Animated figure of {OPTIMIZER_NAMES[s.optimizer]} with learning rate {s.lr:.4g} "
        f"from p0 = {traj.p0:.6g}: p moving along the {s.loss} negative log-likelihood curve "
        f"towards the MLE {traj.mle:.6g}, with the loss and the gradient at each of "
        f"{steps} steps. {told}"
    ).rstrip()
