"""The traces of the animated figure's panels, each keyed by its name (its meta in the figure).

(a) the NLL curve, the MLE, the start, the moving p's trail and the escaped p; (b) and (c)
every step's loss and gradient, their reference lines, the white covers and the cursors; the
words of the escape in (b). The moving ones are drawn empty (or at step 0) here: the frames
move them. :mod:`bernoulli.plots.animated` puts them in the figure's order and finds them by
name (`trace_index`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bernoulli.engine.optimize import Trajectory
from bernoulli.plots.panels import Panels, grad_label, line_xy
from bernoulli.plots.style import (
    BLACK,
    BLUE,
    FONT_SIZE,
    GREEN,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    cover,
)


def trace_index(traces: Sequence[Mapping]) -> dict[str, int]:
    """Each trace's position in a figure's data, by its meta (its name); a name two traces
    share raises."""
    index = {trace["meta"]: i for i, trace in enumerate(traces)}
    if len(index) != len(traces):
        raise ValueError(f"traces share a name: {[trace['meta'] for trace in traces]}")
    return index


def curve_traces(traj: Trajectory, view: Panels) -> dict[str, dict]:
    """Panel (a)'s fixed traces: the NLL curve, the MLE and the start."""
    s, p, nll, p_hat = traj.settings, traj.p, traj.nll, traj.mle
    return {
        "curve": dict(
            type="scatter",
            x=view.grid,
            y=view.curve_y,
            mode="lines",
            name=f"{s.loss} NLL(p)",
            line={"color": BLACK, "width": 3},
            hovertemplate="p = %{x:.6g}<br>NLL = %{y:.8g}<extra></extra>",
        ),
        "mle_line": dict(
            type="scatter",
            x=[p_hat, p_hat],
            y=[view.y_range[0], view.nll_hat],
            mode="lines+markers",
            line={"color": GREEN, "width": 3, "dash": "dot"},
            marker={"size": [0, 16], "symbol": "diamond", "color": GREEN},
            cliponaxis=False,  # the diamond sits near the bottom of the panel: draw it whole
            name=f"MLE p̂ = k/n = {p_hat:.6g}",
            hovertemplate="p̂ = %{x:.10g}<extra></extra>",
        ),
        "start": dict(
            type="scatter",
            x=[p[0]],
            y=[nll[0]],
            mode="markers",
            name=f"start p₀ = {p[0]:.6g}",
            marker={"size": 14, "color": "white", "line": {"color": ORANGE, "width": 3}},
            hovertemplate="p₀ = %{x:.10g}<br>NLL = %{y:.10g}<extra></extra>",
        ),
    }


def path_traces(traj: Trajectory, trail: int) -> dict[str, dict]:
    """Panel (a)'s moving p: its last `trail` steps, and the jump of a p that left (0, 1)."""
    return {
        "path": dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines+markers",
            name=f"its last {trail} steps",
            line={"color": SKY, "width": 2},
            marker={"size": 7, "color": SKY},
            hoverinfo="skip",  # only drawn (rounded to pixels); p_t's own dot tells its value
        ),
        "escape": dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines+markers+text",
            name="p left (0, 1)",
            showlegend=traj.diverged_at is not None,
            line={"color": PURPLE, "width": 3, "dash": "dash"},
            marker={
                "size": [0, 24],
                "symbol": "x-thin",
                "color": PURPLE,
                "line": {"color": PURPLE, "width": 5},
            },
            text=[],
            textfont={"size": FONT_SIZE, "color": BLACK, "shadow": "auto"},
            cliponaxis=False,  # the label may reach past the panel
            hoverinfo="skip",
        ),
    }


def step_traces(traj: Trajectory, view: Panels) -> dict[str, dict]:
    """Panels (b) and (c): every step's loss and gradient, their reference lines, cursors."""
    last = len(traj.p) - 1
    step_mode = "lines+markers" if last <= 60 else "lines"  # a short run: see each step
    g_label = grad_label(traj.problem, view.log_grad)
    line = {"line": {"color": BLUE, "width": 2.5}, "marker": {"size": 7, "color": BLUE}}
    reference = {"color": GREEN, "width": 2, "dash": "dot"}
    now = {"size": 15, "color": VERMILLION, "line": {"color": BLACK, "width": 1}}
    ends = [0, max(last, 1)]
    return {
        "loss_line": dict(
            type="scatter",
            mode=step_mode,
            xaxis="x2",
            yaxis="y2",
            **line_xy(traj.nll),
            **line,
            name="NLL(p_t)",
            showlegend=False,
            hovertemplate="step %{x}<br>NLL(p<sub>t</sub>) = %{y:.10g}<extra></extra>",
        ),
        "loss_cover": _cover("x2", "y2", view.loss_ends, 0),
        "loss_min": dict(
            type="scatter",
            x=ends,
            y=[view.nll_hat, view.nll_hat],
            mode="lines",
            xaxis="x2",
            yaxis="y2",
            line=reference,
            showlegend=False,
            hovertemplate="NLL(p̂) = %{y:.10g}<extra></extra>",
        ),
        "loss_now": _cursor("x2", "y2", now),
        "grad_line": dict(
            type="scatter",
            mode=step_mode,
            xaxis="x3",
            yaxis="y3",
            **line_xy(view.g_shown),
            **line,
            showlegend=False,
            name=g_label,
            hovertemplate=f"step %{{x}}<br>{g_label} = %{{y:.8g}}<extra></extra>",
        ),
        "grad_cover": _cover("x3", "y3", view.g_ends, 0),
        "grad_zero": dict(
            type="scatter",
            x=[] if view.log_grad else ends,
            y=[] if view.log_grad else [0, 0],
            mode="lines",
            xaxis="x3",
            yaxis="y3",
            showlegend=False,
            hoverinfo="skip",
            line=reference,
        ),
        "grad_now": _cursor("x3", "y3", now),
    }


def escape_step_label() -> dict:
    """Where "p left (0, 1) at step N" is written in (b): at the top, left of the escape step;
    empty until the frame of the escape (the frames fill it), so the ending is not told first."""
    return dict(
        type="scatter",
        x=[],
        y=[],
        mode="text",
        text=[],
        textposition="bottom left",
        textfont={"size": FONT_SIZE - 3, "color": BLACK, "shadow": "auto"},
        xaxis="x2",
        yaxis="y2",
        cliponaxis=False,
        showlegend=False,
        hoverinfo="skip",
    )


def _cover(xaxis: str, yaxis: str, ends: list, t: int) -> dict:
    """A white box over the steps after the current one t (see `style.cover`)."""
    low, high = ends
    return cover(xaxis, yaxis, [low, high, low], t)


def _cursor(xaxis: str, yaxis: str, marker: dict) -> dict:
    """The current step's value, marked on the cover's left edge (moved by the frames)."""
    return dict(
        type="scatter",
        x=[],
        y=[],
        mode="markers",
        xaxis=xaxis,
        yaxis=yaxis,
        marker=marker,
        showlegend=False,
        hoverinfo="skip",
    )
