"""Sum or mean: the same sweep's outcomes with the summed and with the mean NLL."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from bernoulli.engine import sweep
from bernoulli.plots.marks import STATUS_COLORS, STATUS_ORDER, Mark
from bernoulli.plots.style import (
    BLACK,
    EXPLORER_AXIS,
    FONT_SIZE,
    base_layout,
    log_lr_axis,
)


def sum_mean_figure(
    res_sum: sweep.BatchResult,
    res_mean: sweep.BatchResult,
    marks_sum: Sequence[Mark],
    marks_mean: Sequence[Mark],
    height: int = 360,
) -> go.Figure:
    """Outcome against learning rate for the summed (row 0) and the mean NLL (row 1)."""
    fig = go.Figure()
    rows = (("sum NLL", res_sum, marks_sum), ("mean NLL", res_mean, marks_mean))
    _add_outcomes(fig, rows)
    lo = min(float(res_sum.lr.min()), float(res_mean.lr.min()))
    hi = max(float(res_sum.lr.max()), float(res_mean.lr.max()))
    annotations = []
    for i, (row, _, marks) in enumerate(rows):
        for m in marks:
            if m.label == "2/H" and lo <= m.lr <= hi:
                annotations.append(_add_stable_bound(fig, m, i, row))
    fig.update_layout(_layout(height, lo, hi, annotations))
    return fig


def _add_outcomes(
    fig: go.Figure, rows: Sequence[tuple[str, sweep.BatchResult, Sequence[Mark]]]
) -> None:
    """Each row's outcomes as squares: a trace per outcome and row, in the legend once."""
    shown = set()
    for i, (row, res, _) in enumerate(rows):
        for s in STATUS_ORDER:
            pick = res.status == s
            if not pick.any():
                continue
            label = sweep.STATUS_LABELS[s]
            fig.add_trace(
                go.Scatter(
                    x=res.lr[pick],
                    y=np.full(int(pick.sum()), float(i)),
                    mode="markers",
                    name=label,
                    legendgroup=str(s),
                    showlegend=s not in shown,
                    marker={
                        "size": 16,
                        "symbol": "square",
                        "color": STATUS_COLORS[s],
                        "line": {"color": BLACK, "width": 0.5},
                    },
                    hovertemplate=f"lr = %{{x:.4g}}<br>{row}: {label}<extra></extra>",
                )
            )
            shown.add(s)


def _layout(height: int, lo: float, hi: float, annotations: list[dict]) -> dict:
    """The log learning-rate axis from lo to hi, the two rows, the legend above them."""
    return base_layout(
        height,
        xaxis=log_lr_axis(lo, hi),
        yaxis={
            **EXPLORER_AXIS,
            "range": [-0.6, 1.8],
            "autorange": False,
            "tickvals": [0, 1],
            "ticktext": ["sum NLL", "mean NLL"],
            "showgrid": False,
        },
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.02,
            "yanchor": "bottom",
            "font": {"size": FONT_SIZE - 2},
        },
        annotations=annotations,
        margin={"l": 110, "r": 20, "t": 50, "b": 70},
    )


def _add_stable_bound(fig: go.Figure, m: Mark, i: int, row: str) -> dict:
    """2/H as a short dashed line on row i; returns its label."""
    fig.add_trace(
        go.Scatter(
            x=[m.lr, m.lr],
            y=[i - 0.3, i + 0.3],
            mode="lines",
            showlegend=False,
            line={"color": BLACK, "width": 3, "dash": "dash"},
            name=f"2/H ({row})",
            hovertemplate=f"2/H for the {row} = {m.lr:.4g}<extra></extra>",
        )
    )
    return {
        "x": math.log10(m.lr),
        "y": i + 0.32,
        "xref": "x",
        "yref": "y",
        "showarrow": False,
        "text": f"2/H = {m.lr:.3g}",
        "yanchor": "bottom",
        "font": {"size": FONT_SIZE},
    }
