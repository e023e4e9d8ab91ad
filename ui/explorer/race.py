"""The explorer's views 4 and 5: the optimizers side by side, and sum versus mean."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from bernoulli import settings
from bernoulli.engine import dynamics, sweep
from bernoulli.engine.optimize import Settings, initial_p
from bernoulli.engine.problem import DESCRIBED, Problem
from bernoulli.teach import account
from ui.charts import chart
from ui.explorer.cache import (
    SUM_MEAN_STEPS,
    race_cached,
    race_figure_cached,
    sum_mean_figure_cached,
    sum_mean_sweep_cached,
)
from ui.explorer.common import batched, num, progress_bar, ratio_text

RACE_MAX_STEPS = 5000  # the race animates at most this many steps
RACE_LRS = {"newton": 1.0, "adam": 0.01}  # their natural steps; the others start at the lr
LR = settings.FIELDS["lr"]  # the bounds of any learning rate typed in


def racers(s: Settings, sgd: bool) -> list[tuple[str, str, str]]:
    """(optimizer, parameter, label) of each runner: every optimizer, and GD in the other
    parameter; minibatch SGD only when the sample's raw values are there (`sgd`)."""
    (other,) = (q for q in DESCRIBED if q != s.param)
    entries = [
        ("gd", s.param, "gradient descent"),
        ("momentum", s.param, f"momentum (β = {s.beta:g})"),
        ("adam", s.param, "Adam"),
        ("newton", s.param, "Newton"),
        ("sgd", s.param, f"minibatch SGD (batch {s.batch_size})"),
        ("gd", other, f"gradient descent in {DESCRIBED[other]}"),
    ]
    return [e for e in entries if sgd or e[0] != "sgd"]


def race_lrs(entries: list[tuple[str, str, str]], s: Settings) -> list[float]:
    """Each runner's learning rate, as the reader sets it."""
    with st.expander("Learning rate of each optimizer"):
        st.caption(
            "Newton's natural step is η = 1 and Adam moves p by about η per step; the "
            "others start at the current learning rate."
        )
        cols = st.columns(3)
        return [
            float(
                cols[i % 3].number_input(
                    label,
                    min_value=LR.low,
                    max_value=LR.high,
                    value=RACE_LRS.get(name, s.lr),
                    format="%.6g",
                    key=f"explorer_race_lr_{name}_{param}",
                )
            )
            for i, (name, param, label) in enumerate(entries)
        ]


def race_section(n: int, k: int, values: np.ndarray | None, s: Settings) -> None:
    """View 4: the optimizers side by side on the same data and start."""
    st.subheader("Optimizer race")
    st.markdown(
        f"The same data and start p₀ = {num(initial_p(s))}, every optimizer a real torch run "
        f"of {min(s.steps, RACE_MAX_STEPS):,} steps ({s.dtype}). Drag the slider or press "
        "Play; the lower panel shows how far each is from the minimum NLL at every step."
    )
    st.latex(  # two lines: one would be cut at 1280 px
        r"\text{momentum: } v \leftarrow \beta v + g,\ w \leftarrow w - \eta v"
        r"\quad \text{stable near }\hat p\iff \eta H < 2 + 2\beta"
    )
    st.latex(r"\text{Newton: } w \leftarrow w - \eta\, g / H(w)")
    entries = racers(s, values is not None)
    if values is None:
        st.caption("Minibatch SGD needs the raw 0/1 values, which this sample does not have.")
    lrs = race_lrs(entries, s)
    base = s.replace(steps=min(s.steps, RACE_MAX_STEPS))
    runs = tuple(
        base.replace(optimizer=name, param=param, lr=lr)
        for (name, param, _), lr in zip(entries, lrs, strict=True)
    )
    key = hashlib.sha1(values.tobytes()).hexdigest() if values is not None else "none"
    labels = tuple(
        f"{label}, η = {num(lr)}" for (_, _, label), lr in zip(entries, lrs, strict=True)
    )
    with st.spinner("Running the optimizers…"):
        fig = race_figure_cached(Problem.of(n, k, s), key, runs, labels, _values=values)
        trajs = race_cached(n, k, key, runs, _values=values)  # filled by the figure's build
    chart(fig, "explorer_race")
    mom_lr = lrs[1]
    h = Problem.of(n, k, s).thresholds()
    bound = h.momentum_stable(s.beta)
    st.markdown(
        f"Momentum's own limit in {s.param}: η < (2 + 2β)/H = {num(bound)} "
        f"(plain GD: 2/H = {num(h.stable)}); its η = {num(mom_lr)} is "
        f"{ratio_text(mom_lr / bound)} × that limit."
        if h.note == ""
        else h.note
    )
    lines = [
        f"- **{label}**: {account.of_run(traj).text}"
        for label, traj in zip(labels, trajs, strict=True)
    ]
    st.markdown("\n".join(lines))


def sum_mean_section(n: int, k: int, s: Settings) -> None:
    """View 5: the mean NLL is the sum divided by n, so its thresholds are n times larger."""
    st.subheader("Sum or mean: the same data, thresholds n times apart")
    p_sum = Problem(n, k, s.param, "sum").thresholds()
    p_mean = Problem(n, k, s.param, "mean").thresholds()
    st.markdown(
        "The notebook sums the per-sample NLLs; most libraries average them. Dividing the loss "
        "by n divides its gradient and its curvature H by n, so every learning-rate threshold "
        f"is n = {n} times larger: the same learning rate is {n} times gentler on the mean."
    )
    st.latex(
        r"\mathrm{NLL}_{\text{mean}} = \tfrac1n\,\mathrm{NLL}_{\text{sum}}"
        r"\ \Rightarrow\ H_{\text{mean}} = \tfrac1n H_{\text{sum}}"
        r"\ \Rightarrow\ \tfrac{2}{H_{\text{mean}}} = n\cdot\tfrac{2}{H_{\text{sum}}}"
    )
    if p_sum.note:
        st.info(p_sum.note)
        return
    st.table(
        {
            "loss": list(settings.LOSSES),
            "H": [num(p_sum.curvature), num(p_mean.curvature)],
            "1/H": [num(p_sum.monotone), num(p_mean.monotone)],
            "2/H": [num(p_sum.stable), num(p_mean.stable)],
        }
    )
    start = dynamics.bifurcation_start(Problem(n, k))
    # Both losses on one axis: from 1e-2 × 2/H of the sum to 4 × 2/H of the mean.
    low, high = p_sum.stable * 1e-2, p_mean.stable * 4
    ratios = (low / p_sum.stable, high / p_sum.stable)
    options = sweep.BatchOptions(
        steps=SUM_MEAN_STEPS, optimizer=batched(s.optimizer), beta=s.beta, tol=s.tol
    )
    bar, report = progress_bar("Sweeping both losses…")
    fig = sum_mean_figure_cached(Problem(n, k, s.param), options, start, ratios, report)
    res_sum = sum_mean_sweep_cached(Problem(n, k, s.param, "sum"), options, start, ratios)
    bar.empty()
    chart(fig, "explorer_sum_mean")
    st.caption(
        f"Both rows: {res_sum.lr.size} learning rates on the same axis, runs of "
        f"{SUM_MEAN_STEPS:,} steps from p₀ = {num(start)} (just beside p̂, so that only the "
        "local limit matters)."
    )
