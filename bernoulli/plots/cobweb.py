"""The cobweb: the one-dimensional update map p_t -> p_{t+1} and one orbit of it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bernoulli.engine import dynamics, sweep
from bernoulli.plots.style import (
    BLACK,
    EXPLORER_AXIS,
    FONT_SIZE,
    GREEN,
    GREY,
    MLE_MARKER,
    VERMILLION,
    base_layout,
    sig,
)


def cobweb_figure(cw: dynamics.Cobweb, height: int = 600, reach: float = 0.35) -> go.Figure:
    """The update map p_t -> p_{t+1}, the diagonal, and the staircase of one orbit.

    Parameters
    ----------
    cw : Cobweb
        From ``dynamics.cobweb``.
    height : int
        Figure height in pixels.
    reach : float
        How far outside [0, 1] the axes go; a value beyond is written on the chart.
    """
    lo, hi = -reach, 1 + reach
    fig = go.Figure()
    _add_map(fig, cw, lo, hi)
    _add_orbit(fig, cw, lo, hi)
    fig.update_layout(
        base_layout(
            height,
            xaxis={
                **EXPLORER_AXIS,
                "range": [lo, hi],
                "autorange": False,
                "title": {"text": "p<sub>t</sub>"},
                "constrain": "domain",
            },
            yaxis={
                **EXPLORER_AXIS,
                "range": [lo, hi],
                "autorange": False,
                "title": {"text": "p<sub>t+1</sub>"},
                "scaleanchor": "x",
                "scaleratio": 1,
            },
            legend={"orientation": "v", "x": 1.02, "y": 1, "font": {"size": FONT_SIZE - 2}},
            annotations=_escape_note(cw, lo, hi),
            margin={"l": 90, "r": 20, "t": 30, "b": 70},
        )
    )
    return fig


def _add_map(fig: go.Figure, cw: dynamics.Cobweb, lo: float, hi: float) -> None:
    """The unit square, the diagonal and the update map."""
    # Beyond the axes the curve only needs to reach the edge; its hover says the true value.
    image = np.clip(cw.image, lo - 1, hi + 1)
    name = cw.problem.update_formula
    fig.add_trace(
        go.Scatter(
            x=[0, 0, 1, 1, 0],
            y=[0, 1, 1, 0, 0],
            mode="lines",
            fill="toself",
            fillcolor="rgba(0,158,115,0.06)",
            line={"color": GREEN, "width": 1.5},
            name="(0, 1) × (0, 1)",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name="diagonal p<sub>t+1</sub> = p<sub>t</sub>",
            line={"color": GREY, "width": 2, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=sig(cw.grid),
            y=sig(image),
            mode="lines",
            name=f"update map {name}",
            line={"color": BLACK, "width": 3},
            customdata=sig(cw.image),
            hovertemplate="p<sub>t</sub> = %{x:.5g}<br>p<sub>t+1</sub> = %{customdata:.6g}"
            "<extra></extra>",
        )
    )


def _add_orbit(fig: go.Figure, cw: dynamics.Cobweb, lo: float, hi: float) -> None:
    """The staircase of the orbit (clipped to the axes) and the fixed point p̂."""
    xs, ys = cw.staircase
    p_hat = cw.problem.mle
    fig.add_trace(
        go.Scatter(
            x=sig(np.clip(xs, lo, hi)),
            y=sig(np.clip(ys, lo, hi)),
            mode="lines+markers",
            name=f"orbit from p₀ = {cw.orbit[0]:.4g} ({len(cw.orbit) - 1} steps)",
            line={"color": VERMILLION, "width": 2},
            marker={"size": 5, "color": VERMILLION},
            customdata=np.stack([xs, ys], axis=-1),
            hovertemplate="(%{customdata[0]:.6g}, %{customdata[1]:.6g})<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[p_hat],
            y=[p_hat],
            mode="markers",
            name=f"fixed point p̂ = {p_hat:.4g}",
            marker=MLE_MARKER,
            hovertemplate="p̂ = %{x:.6g}<extra></extra>",
        )
    )


def _escape_note(cw: dynamics.Cobweb, lo: float, hi: float) -> list[dict]:
    """An arrow to where the orbit left (0, 1), with its true value, if it did."""
    if cw.status != sweep.DIVERGED or len(cw.orbit) <= 1:
        return []
    out = float(cw.orbit[-1])
    shown = min(max(out, lo), hi)
    return [
        {
            "x": shown,
            "y": shown,
            "xref": "x",
            "yref": "y",
            "showarrow": True,
            "arrowhead": 2,
            "ax": -40 if out > 0.5 else 40,
            "ay": 40 if out > 0.5 else -40,
            "text": f"p<sub>{len(cw.orbit) - 1}</sub> = {out:.4g}: left (0, 1)",
            "font": {"size": FONT_SIZE, "color": VERMILLION},
            "bgcolor": "white",
        }
    ]
