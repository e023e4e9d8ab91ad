"""Presenter mode (``present=1``): the sidebar folds into one bar, everything grows."""

from __future__ import annotations

import streamlit as st

from bernoulli.data import samples
from bernoulli.engine.optimize import OPTIMIZER_NAMES, Settings, Trajectory
from bernoulli.teach import account
from ui import state
from ui.assets import asset
from ui.sidebar import plain


def presenter_style() -> None:
    """Hide the sidebar and the header; grow every rem (see ui/static/presenter.css)."""
    st.html(asset("presenter.css"))


def presenter_lr(box) -> None:
    """The learning rate on the log grid, within reach while the sidebar is hidden."""
    label = state.lr_slider_label(st.session_state.lr)
    box.select_slider(
        "Learning rate (log scale)",
        state.LR_GRID,
        key=state.lr_on_grid("lr_bar"),
        on_change=state.lr_from("lr_bar"),
        format_func=lambda x: f"lr {label(x)}",
        label_visibility="collapsed",
        help="Leave presenter mode to type an exact learning rate in the sidebar.",
    )


def status_words(traj: Trajectory) -> str:
    """The run's outcome in a few words (its account's; the banner says it in full)."""
    return account.of_run(traj).words


def presenter_summary(box, sample: samples.Sample, settings: Settings, traj) -> None:
    """The sidebar's settings, and the outcome, in one line of text."""
    s = settings
    p0 = f"random p0 (seed {s.seed})" if s.p0 is None else f"p0 = {s.p0:.6g}"
    outcome = f" · **{status_words(traj)}**" if traj is not None else ""
    box.caption(
        f"{plain(sample.source)}: n = {sample.n:,}, k = {sample.k:,} · "
        f"{OPTIMIZER_NAMES[s.optimizer]} on the {s.loss} NLL in {s.param} · {p0} · "
        f"{s.steps:,} steps · {s.dtype} · **lr = {s.lr:.4g}**{outcome}"
    )
