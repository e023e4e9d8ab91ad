"""The tabs below the run's figure: its results, trajectory table, formulas and exports."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from bernoulli.data import samples
from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Trajectory
from bernoulli.engine.problem import Problem
from bernoulli.io import export, table
from bernoulli.plots.frames import motion_rows
from bernoulli.settings import MAX_STEPS
from bernoulli.teach import account, words


def results(traj: Trajectory) -> None:
    """The run's end against the closed form, and the MLE's standard error and intervals."""
    n, k = traj.n, traj.k
    p_hat = traj.mle
    last = len(traj.p) - 1
    cols = [*st.columns(3), *st.columns(3)]
    cols[0].metric("closed-form MLE p̂ = k/n", f"{p_hat:.8g}")
    gap = traj.final_p - p_hat
    cols[1].metric(
        f"final p (step {last})",
        f"{traj.final_p:.8g}",
        delta=f"{gap:+.3g} from p̂" if math.isfinite(gap) else None,
        delta_color="off",
    )
    cols[2].metric(f"final {traj.settings.loss} NLL", _num(traj.nll[-1]))
    cols[3].metric("final dNLL/dp", _num(traj.grad[-1]))
    told = account.of_run(traj)
    cols[4].metric("outcome", told.words)
    cols[5].metric(*told.step())
    if not lk.on_boundary(n, k):
        st.caption(f"Standard error of p̂: √(p̂(1 − p̂)/n) = {lk.standard_error(n, k):.6g}")
        st.markdown(interval_table(n, k))


@st.cache_data(show_spinner=False, max_entries=64)
def interval_table(n: int, k: int) -> str:
    """The 95% intervals as a markdown table (three rows: no data grid needed); cached, as
    the likelihood-ratio interval is bisected."""
    rows = ["| 95% interval | low | high | note |", "| --- | ---: | ---: | --- |"]
    rows += [
        f"| {iv.name} | {iv.low:.6f} | {iv.high:.6f} | {iv.note} |" for iv in lk.intervals(n, k)
    ]
    return "\n".join(rows)


def _num(x: float) -> str:
    """8 significant digits (never "-0"); "undefined" for NaN."""
    return words.number(x, 8) if math.isfinite(x) else ("undefined" if math.isnan(x) else str(x))


def formulas(traj: Trajectory) -> None:
    """The loss, its gradient, the update rule and its linear theory, with these numbers."""
    s, n, k = traj.settings, traj.n, traj.k
    mean = s.loss == "mean"
    scale = r"\frac{1}{n}" if mean else ""
    st.latex(
        rf"\mathrm{{NLL}}(p) = -{scale}\sum_{{i=1}}^{{n}} \log\bigl(x_i p + (1-x_i)(1-p)\bigr)"
        rf" = -{scale}\bigl(k \log p + (n-k)\log(1-p)\bigr),\quad n = {n},\ k = {k}"
    )
    st.latex(
        rf"\frac{{d\,\mathrm{{NLL}}}}{{dp}} = {scale}\Bigl(-\frac{{k}}{{p}}"
        r" + \frac{n-k}{1-p}\Bigr)"
    )
    w = traj.problem.latex
    if not traj.problem.moves_p:
        st.latex(
            rf"p = \sigma(\theta),\quad \frac{{d\,\mathrm{{NLL}}}}{{d\theta}} = "
            rf"{scale}\bigl(n\,\sigma(\theta) - k\bigr)"
        )
    g = rf"g_t = \frac{{d\,\mathrm{{NLL}}}}{{d{w}}}({w}_t)"
    eta = rf"\eta = {_tex(s.lr)}"
    rule = {
        "gd": rf"{w}_{{t+1}} = {w}_t - \eta\, g_t",
        "momentum": (rf"v_{{t+1}} = \beta v_t + g_t,\quad {w}_{{t+1}} = {w}_t - \eta\, v_{{t+1}}"),
        "adam": (
            rf"m_t = \beta_1 m_{{t-1}} + (1-\beta_1) g_t,\ v_t = \beta_2 v_{{t-1}} + "
            rf"(1-\beta_2) g_t^2,\ {w}_{{t+1}} = {w}_t - \eta\,"
            r"\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + 10^{-8}}"
        ),
        "newton": rf"{w}_{{t+1}} = {w}_t - \eta\,\frac{{g_t}}{{H({w}_t)}}",
        "sgd": (
            rf"{w}_{{t+1}} = {w}_t - \eta\, \hat g_t,\ \hat g_t = \text{{gradient of }}"
            rf"{'n' if not mean else ''}\cdot\text{{mean NLL of {s.batch_size} draws}}"
        ),
    }[s.optimizer]
    st.latex(rf"{g},\qquad {rule},\qquad {eta}")
    th = Problem.of(n, k, s).thresholds()
    if th.note:
        st.markdown(th.note)
    else:
        h = {
            ("p", "sum"): r"H = \frac{n}{\hat p(1-\hat p)}",
            ("p", "mean"): r"H = \frac{1}{\hat p(1-\hat p)}",
            ("logit", "sum"): r"H = n\,\hat p(1-\hat p)",
            ("logit", "mean"): r"H = \hat p(1-\hat p)",
        }[s.param, s.loss]
        st.latex(
            rf"{w}_{{t+1}} - \hat{{{w}}} \approx (1 - \eta H)\,({w}_t - \hat{{{w}}}),"
            rf"\quad {h} = "
            rf"{_tex(th.curvature)},\quad \frac{{2}}{{H}} = {_tex(th.stable)},\ "
            rf"\frac{{1}}{{H}} = {_tex(th.monotone)}"
        )


def _tex(x: float) -> str:
    """x to 4 significant digits in LaTeX, with a power of ten rather than an "e"."""
    text = f"{x:.4g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def trajectory_table(traj: Trajectory) -> None:
    """Every K-th step, like the notebook's printout, with every step that matters."""
    left, right = st.columns([1, 3])
    every = int(left.number_input("Show every K-th step", 1, MAX_STEPS, step=10, key="table_every"))
    right.caption(
        "Like the notebook's printout, with the real gradient (the notebook printed 0: it "
        "zeroed the gradient before printing it). p_t is before the update of step t, p_(t+1) "
        "after; the last step and a divergence step are always listed, and so is every step "
        "of a visible zig-zag around p̂ and the last ten before p leaves (0, 1)."
    )
    rows = pd.DataFrame(table.page_columns(traj, every, motion_rows(traj)))
    fmt = st.column_config.NumberColumn
    st.dataframe(
        rows,
        hide_index=True,
        height=min(38 + 35 * len(rows), 420),
        column_config={
            "NLL(p_t)": fmt(format="%.8f"),
            "p_t": fmt(format="%.8f"),
            "p_(t+1)": fmt(format="%.8f"),
            "dNLL/dp at p_t": fmt(format="%.6g"),
        },
    )


def exports(sample: samples.Sample, traj: Trajectory, fig) -> None:
    """The run taken away: its steps as CSV, its animation offline, a torch script."""
    csv, page, script_box = st.columns(3)
    # Deferred (callables): built only when clicked, in a thread of their own.
    csv.download_button(
        "Trajectory (CSV)",
        lambda: export.trajectory_csv(traj),
        file_name="trajectory.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
        icon=":material/table:",
        help="Every step: p, the parameter, NLL, gradient, torch's loss and gradient.",
        width="stretch",
    )
    page.download_button(
        "Animation (offline HTML)",
        lambda: export.animation_html(fig),
        file_name="bernoulli-animation.html",
        mime="text/html",
        key="download_html",
        on_click="ignore",
        icon=":material/animation:",
        help="One file with plotly.js inside: it plays in any browser, with no network.",
        width="stretch",
    )
    try:
        script = export.torch_script(sample, traj.settings)
    except ValueError as error:
        script_box.info(f"No PyTorch script for this run: {error}.", icon=":material/info:")
        return
    script_box.download_button(
        "PyTorch script (.py)",
        script,
        file_name="bernoulli_run.py",
        mime="text/x-python",
        key="download_script",
        on_click="ignore",
        icon=":material/code:",
        help="Repeats this run step for step with torch alone and prints it as CSV.",
        width="stretch",
    )
    # Drawn on request (see sidebar.share_section: a code block loads the syntax highlighter).
    shown = st.toggle(
        "Show the PyTorch script (it prints the gradient before zeroing it)", key="show_script"
    )
    if shown:
        st.code(script, language="python", line_numbers=True)
