"""The class map: every student's own run as one point on learning rate (log) × starting p,
coloured and shaped by what the run did, over the lines 1/H and 2/H and, if asked, over the
explorer's computed outcome map as a faint background.

A point's hover says the student's name (as plain text: escaped, so Plotly shows the
characters typed and never reads them as markup), its lr and p₀ and its outcome in words; its
``customdata`` is the student's id, which a click on it hands back.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from bernoulli.classroom.store_points import Point
from bernoulli.engine import sweep
from bernoulli.engine.problem import Problem
from bernoulli.plots.map_figure import outcome_heatmap
from bernoulli.plots.marks import Mark, line_label, vline
from bernoulli.plots.style import (
    BLACK,
    EXPLORER_AXIS,
    GREEN,
    GREY,
    ORANGE,
    SKY,
    VERMILLION,
    base_layout,
    foot_legend,
    log_lr_axis,
)

HEIGHT = 520  # pixels
SPAN = (1e-2, 4.0)  # the learning rates shown at least, in multiples of 2/H
BACKGROUND_OPACITY = 0.3  # the explorer's map behind the points: faint
# outcome -> (colour, marker): a shape for each as well as a colour, never colour alone
OUTCOME_STYLE = {
    "converges": (GREEN, "circle"),
    "zigzags": (SKY, "diamond"),
    "cycles": (ORANGE, "square"),
    "escapes": (VERMILLION, "x"),
}
OTHER_STYLE = (GREY, "triangle-up")  # an outcome word the map has no colour for


def hover(point: Point, label: str) -> str:
    """What a point says on hover: the name as typed (escaped), lr, p₀, the outcome."""
    name = html.escape(point.name, quote=False) + "<br>" if point.name else ""
    return f"{name}lr = {point.lr:.4g}, p₀ = {point.p0:.4g}<br>{html.escape(label)}"


def _lr_range(points, marks, background, reference: float) -> tuple[float, float]:
    lrs = [p.lr for p in points] + [m.lr for m in marks]
    if background is not None:
        lrs += [float(background.lr[0][0]), float(background.lr[0][-1])]
    low, high = SPAN[0] * reference, SPAN[1] * reference
    return min(low, *lrs), max(high, *lrs)


def _outcomes(points, labels: Mapping[str, str]) -> list[str]:
    """The outcomes present: the page's own order first, then any other word, sorted."""
    present = {p.outcome for p in points}
    return [o for o in labels if o in present] + sorted(present - set(labels))


def points_trace(points: Sequence[Point], outcome: str, label: str) -> go.Scatter:
    colour, symbol = OUTCOME_STYLE.get(outcome, OTHER_STYLE)
    mine = [p for p in points if p.outcome == outcome]
    return go.Scatter(
        x=[p.lr for p in mine],
        y=[p.p0 for p in mine],
        customdata=[p.student for p in mine],
        hovertext=[hover(p, label) for p in mine],
        hovertemplate="%{hovertext}<extra></extra>",
        mode="markers",
        name=f"{html.escape(label)} ({len(mine)})",
        legendgroup=outcome,
        marker={
            "size": 17,
            "color": colour,
            "symbol": symbol,
            "line": {"color": BLACK, "width": 1.5},
        },
    )


def class_map_figure(
    points: Sequence[Point],
    problem: Problem,
    labels: Mapping[str, str],
    marks: Sequence[Mark] = (),
    background: sweep.BatchResult | None = None,
) -> go.Figure:
    """The students' points over learning rate (log) × starting p.

    Parameters
    ----------
    points : sequence of Point
        One per student (``store_points``).
    problem : Problem
        The runs' problem: its p̂ is drawn as a dotted line, and the learning rates shown
        span at least SPAN times its 2/H (``sweep.reference_lr``).
    labels : mapping
        Outcome -> its words (the legend and the hover), in the order listed.
    marks : sequence of Mark
        Vertical lines (1/H, 2/H).
    background : BatchResult, optional
        The explorer's lr × p₀ map, drawn faint behind the points.
    """
    mle = problem.mle
    low, high = _lr_range(points, marks, background, sweep.reference_lr(problem))
    fig = go.Figure()
    if background is not None:
        fig.add_trace(
            outcome_heatmap(background).update(
                opacity=BACKGROUND_OPACITY,
                showscale=False,
                text=None,
                hoverinfo="skip",
                hovertemplate=None,
            )
        )
    for m in marks:
        fig.add_trace(vline(m, 0.0, 1.0))
    fig.add_trace(
        go.Scatter(
            x=[low, high],
            y=[mle, mle],
            mode="lines",
            name=f"p̂ = {mle:.4g}",
            line={"color": BLACK, "width": 1.5, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    for outcome in _outcomes(points, labels):
        fig.add_trace(points_trace(points, outcome, labels.get(outcome, outcome)))
    fig.update_layout(_layout(low, high, marks))
    return fig


def _layout(low: float, high: float, marks: Sequence[Mark]) -> dict:
    return base_layout(
        HEIGHT,
        xaxis=log_lr_axis(low, high),
        yaxis={
            **EXPLORER_AXIS,
            "range": [-0.03, 1.03],
            "autorange": False,
            "title": {"text": "starting p₀"},
        },
        legend=foot_legend(),
        annotations=[line_label(m) for m in marks if math.isfinite(m.lr)],
        margin={"l": 90, "r": 20, "t": 40, "b": 130},
        uirevision="class-map",  # the live redraws keep the teacher's zoom
    )
