"""What the explorer's figures share: outcome colours, and learning rates marked by a line."""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from bernoulli.engine import sweep
from bernoulli.engine.problem import Problem
from bernoulli.plots.style import (
    BLACK,
    BLUE,
    FONT_SIZE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    YELLOW,
    fmt,
)

STATUS_COLORS = {
    sweep.CONVERGED: GREEN,
    sweep.OSCILLATING: SKY,
    sweep.PERIODIC: ORANGE,
    sweep.CHAOTIC: PURPLE,
    sweep.DIVERGED: VERMILLION,
    sweep.MAX_STEPS: YELLOW,
    sweep.STALLED: BLUE,
}
# The order outcomes are listed in (legends, colour bars): from calm to wild.
STATUS_ORDER = (
    sweep.CONVERGED,
    sweep.OSCILLATING,
    sweep.MAX_STEPS,
    sweep.STALLED,
    sweep.PERIODIC,
    sweep.CHAOTIC,
    sweep.DIVERGED,
)


@dataclass(frozen=True)
class Mark:
    """A learning rate worth a vertical line, e.g. 2/H."""

    label: str  # "2/H", "1/H", "current lr", ...
    lr: float  # where it is
    color: str = BLACK  # line colour
    dash: str = "dash"  # plotly dash style


def threshold_marks(problem: Problem, beta: float | None = None) -> list[Mark]:
    """1/H and 2/H (and momentum's (2 + 2β)/H when beta is given), where they exist."""
    th = problem.thresholds()
    marks = []
    if math.isfinite(th.monotone) and th.monotone > 0:
        marks.append(Mark("1/H", th.monotone, GREY, "dot"))
        marks.append(Mark("2/H", th.stable, BLACK, "dash"))
        if beta is not None:
            marks.append(Mark(f"(2+2β)/H, β={beta:g}", th.momentum_stable(beta), ORANGE, "dash"))
    return marks


def vline(mark: Mark, y0: float, y1: float, legend: bool = True) -> go.Scatter:
    """A vertical reference line as a trace (so its position is part of the figure's data)."""
    return go.Scatter(
        x=[mark.lr, mark.lr],
        y=[y0, y1],
        mode="lines",
        line={"color": mark.color, "width": 2.5, "dash": mark.dash},
        name=f"{mark.label} = {fmt(mark.lr)}",
        legendgroup=mark.label,
        showlegend=legend,
        hovertemplate=f"{mark.label} = {mark.lr:.6g}<extra></extra>",
    )


def line_label(m: Mark, y: float = 1.0) -> dict:
    """The name of a vertical line written above the plot, on a log learning-rate axis."""
    return {
        "x": math.log10(m.lr),
        "y": y,
        "xref": "x",
        "yref": "paper",
        "yanchor": "bottom",
        "showarrow": False,
        "text": m.label.split(",")[0],
        "font": {"size": FONT_SIZE - 1},
    }
