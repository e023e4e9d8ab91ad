"""The learning-rate sweep: final NLL, steps and outcome against a log learning rate.

An exact lr_find: 1/H and 2/H (and momentum's bound) and the current learning rate are marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bernoulli.engine import sweep
from bernoulli.plots.marks import STATUS_COLORS, STATUS_ORDER, Mark, line_label, vline
from bernoulli.plots.style import (
    BLACK,
    BLUE,
    EXPLORER_AXIS,
    FONT_SIZE,
    GREEN,
    VERMILLION,
    base_layout,
    fmt,
    log_range,
    sig,
)


@dataclass(frozen=True)
class _Sweep:
    """The sweep sorted by learning rate, with what the panels need."""

    lr: np.ndarray
    status: np.ndarray
    nll: np.ndarray
    conv: np.ndarray  # step converged at, NaN if never
    div: np.ndarray  # step p left (0, 1) at, NaN if never
    here: int  # index of the current learning rate
    nll_min: float
    nll_range: list[float]
    steps_range: list[float]  # log axis: exponents


def _sorted_sweep(res: sweep.BatchResult, current_lr: float) -> _Sweep:
    lr = np.asarray(res.lr, dtype=np.float64)
    order = np.argsort(lr)
    lr = lr[order]
    nll = res.nll[order]
    conv = res.converged_at[order].astype(np.float64)
    div = res.diverged_at[order].astype(np.float64)
    conv[conv < 0] = np.nan
    div[div < 0] = np.nan
    nll_min = res.problem.nll_min
    finite = nll[np.isfinite(nll)]
    top = float(finite.max()) if finite.size else nll_min + 1
    steps_hi = max(float(np.nanmax(np.concatenate([conv, div, [1.0]]))), 1.0)
    return _Sweep(
        lr=lr,
        status=res.status[order],
        nll=nll,
        conv=conv,
        div=div,
        here=int(np.argmin(np.abs(np.log(lr / current_lr)))),
        nll_min=nll_min,
        nll_range=[nll_min - 0.04 * (top - nll_min + 1e-9), top + 0.06 * (top - nll_min + 1e-9)],
        steps_range=[-0.15, math.log10(max(steps_hi, 10)) + 0.15],
    )


def lr_sweep_figure(
    res: sweep.BatchResult,
    current_lr: float,
    marks: Sequence[Mark] = (),
    height: int = 600,
) -> go.Figure:
    """Final NLL, steps to converge (or to leave (0, 1)) and outcome against log learning rate.

    Parameters
    ----------
    res : BatchResult
        A one-dimensional sweep over learning rate (``sweep.lr_sweep``) that contains
        ``current_lr`` exactly.
    current_lr : float
        The learning rate of the current settings, highlighted in every panel.
    marks : sequence of Mark
        Vertical lines (1/H, 2/H, momentum's bound).
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Three panels sharing the log learning-rate axis.
    """
    sw = _sorted_sweep(res, current_lr)
    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.04, row_heights=[0.47, 0.41, 0.12]
    )
    _add_nll(fig, sw)
    _add_steps(fig, sw)
    _add_outcomes(fig, sw)
    _add_current(fig, sw)
    annotations = []
    for m in marks:
        if sw.lr[0] <= m.lr <= sw.lr[-1]:
            fig.add_trace(vline(m, *sw.nll_range), row=1, col=1)
            fig.add_trace(vline(m, 0.5, 10 ** sw.steps_range[1], legend=False), row=2, col=1)
            fig.add_trace(vline(m, -1.0, 1.0, legend=False), row=3, col=1)
            annotations.append(line_label(m))
    legend = {"orientation": "v", "x": 1.01, "y": 1, "font": {"size": FONT_SIZE - 2}}
    fig.update_layout(
        base_layout(
            height,
            legend={**legend, "tracegroupgap": 6},
            margin={"l": 100, "r": 20, "t": 40, "b": 70},
            annotations=annotations,
        )
    )
    _set_axes(fig, sw, res.problem.loss)
    return fig


def _add_nll(fig: go.Figure, sw: _Sweep) -> None:
    """Row 1: the final NLL of every learning rate, and the minimum NLL."""
    fig.add_trace(
        go.Scatter(
            x=sw.lr,
            y=sig(sw.nll),
            mode="lines+markers",
            name="final NLL(p_T)",
            line={"color": BLUE, "width": 2.5},
            marker={"size": 5, "color": BLUE},
            hovertemplate="lr = %{x:.4g}<br>NLL(p<sub>T</sub>) = %{y:.8g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[sw.lr[0], sw.lr[-1]],
            y=[sw.nll_min, sw.nll_min],
            mode="lines",
            name=f"min NLL = {sw.nll_min:.6g}",
            line={"color": GREEN, "width": 2, "dash": "dot"},
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )


def _add_steps(fig: go.Figure, sw: _Sweep) -> None:
    """Row 2: the step each learning rate converged at, or left (0, 1) at."""
    for y, name, color, symbol, what in (
        (sw.conv, "steps until converged", GREEN, "circle", "converged at step"),
        (sw.div, "steps until p left (0, 1)", VERMILLION, "x", "left (0, 1) at step"),
    ):
        fig.add_trace(
            go.Scatter(
                x=sw.lr,
                y=y,
                mode="markers",
                name=name,
                marker={"size": 7, "color": color, "symbol": symbol},
                hovertemplate=f"lr = %{{x:.4g}}<br>{what} %{{y}}<extra></extra>",
            ),
            row=2,
            col=1,
        )


def _add_outcomes(fig: go.Figure, sw: _Sweep) -> None:
    """Row 3: the outcome of every learning rate, one trace per outcome."""
    for s in STATUS_ORDER:
        pick = sw.status == s
        if not pick.any():
            continue
        fig.add_trace(
            go.Scatter(
                x=sw.lr[pick],
                y=np.zeros(int(pick.sum())),
                mode="markers",
                name=sweep.STATUS_LABELS[s],
                legendgroup="outcome",
                legendgrouptitle={"text": "outcome"},
                marker={
                    "size": 14,
                    "color": STATUS_COLORS[s],
                    "symbol": "square",
                    "line": {"color": BLACK, "width": 0.5},
                },
                hovertemplate="lr = %{x:.4g}<br>" + sweep.STATUS_LABELS[s] + "<extra></extra>",
            ),
            row=3,
            col=1,
        )


def _add_current(fig: go.Figure, sw: _Sweep) -> None:
    """The current settings, ringed in every panel."""
    here = sw.here
    ring = {"size": 24, "color": "rgba(0,0,0,0)", "line": {"color": BLACK, "width": 3}}
    steps = sw.conv[here] if np.isfinite(sw.conv[here]) else sw.div[here]
    for row, y in ((1, sig(sw.nll[here])), (2, steps), (3, 0.0)):
        fig.add_trace(
            go.Scatter(
                x=[sw.lr[here]],
                y=[y],
                mode="markers",
                marker=ring,
                name=f"current lr = {fmt(sw.lr[here])}",
                legendgroup="current",
                showlegend=row == 1,
                hovertemplate="current lr = %{x:.6g}<extra></extra>",
            ),
            row=row,
            col=1,
        )


def _set_axes(fig: go.Figure, sw: _Sweep, loss: str) -> None:
    """Fixed ranges: the shared log learning-rate axis, NLL, steps (log) and outcome."""
    x_range = log_range(sw.lr[0], sw.lr[-1])
    for row in (1, 2, 3):
        fig.update_xaxes(
            EXPLORER_AXIS,
            type="log",
            range=x_range,
            autorange=False,
            row=row,
            col=1,
            exponentformat="power",
            dtick=1,
        )
    fig.update_xaxes(title_text="learning rate (log scale)", row=3, col=1)
    fig.update_yaxes(
        EXPLORER_AXIS,
        range=sw.nll_range,
        autorange=False,
        title_text=f"final {loss} NLL",
        row=1,
        col=1,
    )
    fig.update_yaxes(
        EXPLORER_AXIS,
        type="log",
        range=sw.steps_range,
        autorange=False,
        title_text="steps",
        dtick=1,
        row=2,
        col=1,
    )
    fig.update_yaxes(
        EXPLORER_AXIS,
        range=[-1, 1],
        autorange=False,
        showticklabels=False,
        showgrid=False,
        title_text="outcome",
        row=3,
        col=1,
    )
