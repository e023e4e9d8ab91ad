"""The bifurcation diagram: the long-run values of p for each learning rate."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from bernoulli.engine import dynamics, sweep
from bernoulli.plots.marks import STATUS_COLORS, STATUS_ORDER, Mark, vline
from bernoulli.plots.style import (
    BLACK,
    BLUE,
    EXPLORER_AXIS,
    FONT_SIZE,
    GREY,
    VERMILLION,
    base_layout,
    sig,
)

ESCAPE_Y = -0.06  # where the bifurcation diagram draws "left (0, 1)"
HEIGHT = 540  # pixels; another height: fig.update_layout(height=...)
# Pixels below the plot: the lr's tick labels (powers of ten) and its title, then the legend
# (in up to five rows, the diagram beside the cobweb).
LEGEND_BELOW, MARGIN_BOTTOM = 124, 236


def bifurcation_points(res: sweep.BatchResult, digits: int = 7):
    """The long-run values to plot: (lr, p, status) of every distinct tail value in (0, 1).

    Repeats (a fixed point, the points of a cycle) are drawn once, after rounding p to
    ``digits`` significant digits. Runs that left (0, 1) give no points: see
    :func:`escapes`.
    """
    xs, ys, ss = [], [], []
    for i in range(res.lr.size):
        tail = res.tail[i]
        tail = tail[np.isfinite(tail) & (tail > 0) & (tail < 1)]
        if res.status[i] == sweep.DIVERGED or tail.size == 0:
            continue
        values = np.unique(sig(tail, digits))
        xs.append(np.full(values.size, res.lr[i]))
        ys.append(values)
        ss.append(np.full(values.size, res.status[i], dtype=np.int8))
    if not xs:
        return np.array([]), np.array([]), np.array([], dtype=np.int8)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ss)


def escapes(res: sweep.BatchResult) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates of the runs that left (0, 1), and the step at which each left."""
    out = res.status == sweep.DIVERGED
    return res.lr[out], res.diverged_at[out]


def bifurcation_figure(
    res: sweep.BatchResult,
    marks: Sequence[Mark] = (),
    cycles: dynamics.TwoCycles | None = None,
    title: str = "",
    current_lr: float | None = None,
) -> go.Figure:
    """Long-run values of p against learning rate, coloured by outcome; escapes drawn below.

    Parameters
    ----------
    res : BatchResult
        From ``sweep.bifurcation``: one run per learning rate with its tail.
    marks : sequence of Mark
        Vertical lines (1/H, 2/H).
    cycles : TwoCycles, optional
        2-cycles of the map, found by solving f(f(p)) = p: stable ones solid, unstable dashed.
    title : str
        Panel title.
    current_lr : float, optional
        The current learning rate, marked if inside the range.

    Returns
    -------
    plotly.graph_objects.Figure
        HEIGHT pixels high.
    """
    lrs = np.asarray(res.lr, dtype=np.float64)
    fig = go.Figure()
    _add_long_run(fig, res)
    if cycles is not None and cycles.lr.size:
        _add_cycles(fig, cycles)
    for m in marks:
        if lrs.min() <= m.lr <= lrs.max():
            fig.add_trace(vline(m, ESCAPE_Y - 0.03, 1.0))
    if current_lr is not None and lrs.min() <= current_lr <= lrs.max():
        fig.add_trace(vline(Mark("current lr", current_lr, BLUE, "solid"), ESCAPE_Y - 0.03, 1.0))
    fig.update_layout(_layout(title, lrs))
    return fig


def _layout(title: str, lrs: np.ndarray) -> dict:
    """The learning-rate axis just wider than lrs, long-run p with "left (0,1)" below it, and
    the legend under the lr's tick labels."""
    span = lrs.max() - lrs.min()
    return base_layout(
        HEIGHT,
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": FONT_SIZE + 1}},
        xaxis={
            **EXPLORER_AXIS,
            "range": [lrs.min() - 0.01 * span, lrs.max() + 0.01 * span],
            "autorange": False,
            "title": {"text": "learning rate"},
            "exponentformat": "power",
        },
        yaxis={
            **EXPLORER_AXIS,
            "range": [ESCAPE_Y - 0.04, 1.02],
            "autorange": False,
            "title": {"text": "long-run p"},
            # (no "0": it sat on "left (0,1)", one row below it)
            "tickvals": [ESCAPE_Y, 0.2, 0.4, 0.6, 0.8, 1.0],
            "ticktext": ["left (0,1)", "0.2", "0.4", "0.6", "0.8", "1"],
        },
        legend={
            "orientation": "h",
            "x": 0,
            # below the lr's tick labels (powers of ten, two lines high) and its title
            "y": -LEGEND_BELOW / (HEIGHT - 50 - MARGIN_BOTTOM),
            "yanchor": "top",
            "font": {"size": FONT_SIZE - 2},
            "itemsizing": "constant",
        },
        margin={"l": 110, "r": 20, "t": 50, "b": MARGIN_BOTTOM},
    )


def _add_long_run(fig: go.Figure, res: sweep.BatchResult) -> None:
    """The long-run values, one trace per outcome, and the escapes on their own row below."""
    xs, ys, ss = bifurcation_points(res)
    for s in STATUS_ORDER:
        pick = ss == s
        if not pick.any():
            continue
        label = sweep.STATUS_LABELS[s]
        fig.add_trace(
            go.Scattergl(
                x=xs[pick],
                y=ys[pick],
                mode="markers",
                name=label,
                marker={"size": 3 if s == sweep.CHAOTIC else 5, "color": STATUS_COLORS[s]},
                hovertemplate="lr = %{x:.5g}<br>p = %{y:.6g}<extra>" + label + "</extra>",
            )
        )
    out_lr, out_step = escapes(res)
    if out_lr.size:
        fig.add_trace(
            go.Scattergl(
                x=out_lr,
                y=np.full(out_lr.size, ESCAPE_Y),
                mode="markers",
                name="left (0, 1): no long run",
                customdata=out_step,
                marker={
                    "size": 7,
                    "color": VERMILLION,
                    "symbol": "line-ns-open",
                    "line": {"color": VERMILLION, "width": 2},
                },
                hovertemplate="lr = %{x:.5g}<br>p left (0, 1) at step %{customdata}<extra></extra>",
            )
        )


def _add_cycles(fig: go.Figure, cycles: dynamics.TwoCycles) -> None:
    """Solved 2-cycles as dots, not lines: a learning rate can have several."""
    for stable, color, name in (
        (True, BLACK, "stable 2-cycle (solved)"),
        (False, GREY, "unstable 2-cycle (solved)"),
    ):
        pick = cycles.stable == stable
        if not pick.any():
            continue
        fig.add_trace(
            go.Scattergl(
                x=np.concatenate([cycles.lr[pick], cycles.lr[pick]]),
                y=sig(np.concatenate([cycles.low[pick], cycles.high[pick]])),
                mode="markers",
                marker={"size": 3, "color": color},
                name=name,
                hovertemplate="lr = %{x:.6g}<br>p = %{y:.6g}<extra>" + name + "</extra>",
            )
        )
