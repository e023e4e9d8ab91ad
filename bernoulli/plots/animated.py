"""The animated figure: one optimizer run shown on three synchronized Plotly panels.

(a) the NLL curve over p with the MLE and the moving p (with a trail of its last steps),
(b) the loss NLL(p_t) against the step t, (c) the real gradient dNLL/dp at p_t against t.

Every step of the run is drawn as a static line in (b) and (c); the animation moves only a
few small traces (client-side Plotly frames, ``redraw=False``), at frames chosen
geometrically so that the fast early motion is seen, always with the first, last and
divergence steps. Ranges: :mod:`bernoulli.plots.panels`; layout and controls:
:mod:`bernoulli.plots.animated_layout`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from bernoulli.optimize import OPTIMIZER_NAMES, Trajectory
from bernoulli.plots.animated_layout import layout
from bernoulli.plots.frames import frame_indices, slider_steps
from bernoulli.plots.panels import Panels, escape_label, line_xy, panels
from bernoulli.plots.style import (
    BLACK,
    BLUE,
    FONT_SIZE,
    GREEN,
    ORANGE,
    PRESENTER_SCALE,
    PURPLE,
    SKY,
    VERMILLION,
    attach_frames,
    enlarged,
    sig_value,
)

# Trace order; the frames update only the moving ones (MOVING), by index.
CURVE, MLE_LINE, START, PATH, ESCAPE = range(5)  # panel (a)
LOSS_LINE, LOSS_MIN, LOSS_NOW = range(5, 8)  # panel (b)
GRAD_LINE, GRAD_ZERO, GRAD_NOW = range(8, 11)  # panel (c)
MOVING = [PATH, ESCAPE, LOSS_NOW, GRAD_NOW]


@dataclass(frozen=True)
class AnimationBudget:
    """How much of a run the animation carries."""

    max_frames: int = 200  # most animation frames (chosen by frame_indices)
    max_slider_steps: int = 100  # most steps on the scrub slider (chosen by slider_steps)
    trail: int = 10  # how many steps the moving p shows, itself included


DEFAULT_BUDGET = AnimationBudget()


def animated_figure(
    traj: Trajectory,
    *,
    log_grad: bool = False,
    presenter: bool = False,
    height: int = 700,
    budget: AnimationBudget = DEFAULT_BUDGET,
) -> go.Figure:
    """The animated three-panel figure of one run.

    Parameters
    ----------
    traj : Trajectory
        The run to show; every step is drawn in the step panels (as a min/max envelope
        beyond MAX_LINE_POINTS steps).
    log_grad : bool
        Plot |dNLL/dp| on a log axis in panel (c) instead of dNLL/dp on a linear one.
    presenter : bool
        For a projector: fonts, line widths, marker sizes and the room for the controls
        PRESENTER_SCALE times larger.
    height : int
        Figure height in pixels.
    budget : AnimationBudget
        Most frames and slider steps, and the length of the moving p's trail.

    Returns
    -------
    plotly.graph_objects.Figure
        Frames named by their step, play/pause and speed buttons, a slider, fixed ranges.
    """
    view = panels(traj, log_grad)
    traces = _curve_traces(traj, view, budget.trail) + _step_traces(traj, view)
    steps = frame_indices(len(traj.p), traj.diverged_at, budget.max_frames)
    moving = [_moving(traj, int(t), budget.trail, view) for t in steps]
    # The figure opens on its first frame, so a still image (or no JavaScript) is honest too.
    for index, update in zip(MOVING, moving[0], strict=True):
        traces[index].update(update)
    scale = PRESENTER_SCALE if presenter else 1.0
    if presenter:
        traces = enlarged(traces, scale)
    slider = slider_steps(steps, traj.diverged_at, budget.max_slider_steps)
    spec = layout(traj, view, slider, height, scale)
    if presenter:
        spec = enlarged(spec, scale)
    fig = go.Figure(data=traces, layout=spec, _validate=False)
    frames = {
        str(int(t)): [{"type": "scatter", **update} for update in data]
        for t, data in zip(steps, moving, strict=True)
    }
    attach_frames(fig, MOVING, frames)
    return fig


def _curve_traces(traj: Trajectory, view: Panels, trail: int) -> list[dict]:
    """Panel (a): the NLL curve, the MLE, the start, the moving p and the escaped p."""
    s, p, nll, p_hat = traj.settings, traj.p, traj.nll, traj.mle
    in_p = "p" if s.param == "p" else "θ = logit p"
    return [
        dict(
            type="scatter",
            x=view.grid,
            y=view.curve_y,
            mode="lines",
            name=f"{s.loss} NLL(p)",
            line={"color": BLACK, "width": 3},
            hovertemplate="p = %{x:.6g}<br>NLL = %{y:.8g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[p_hat, p_hat],
            y=[view.y_range[0], view.nll_hat],
            mode="lines+markers",
            line={"color": GREEN, "width": 3, "dash": "dot"},
            marker={"size": [0, 16], "symbol": "diamond", "color": GREEN},
            name=f"MLE p̂ = k/n = {p_hat:.6g}",
            hovertemplate="p̂ = %{x:.10g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[p[0]],
            y=[nll[0]],
            mode="markers",
            name=f"start p₀ = {p[0]:.6g}",
            marker={"size": 14, "color": "white", "line": {"color": ORANGE, "width": 3}},
            hovertemplate="p₀ = %{x:.10g}<br>NLL = %{y:.10g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines+markers",
            name=f"p<sub>t</sub> and its last steps ({OPTIMIZER_NAMES[s.optimizer]} in {in_p})",
            line={"color": SKY, "width": 2},
            marker={
                "size": [7] * (trail - 1) + [20],  # the trail, then the current p
                "color": [SKY] * (trail - 1) + [VERMILLION],
                "line": {"color": BLACK, "width": [0] * (trail - 1) + [1.5]},
            },
            hovertemplate="p = %{x:.8g}<br>NLL = %{y:.8g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines+markers+text",
            name="p left (0, 1)",
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
    ]


def _step_traces(traj: Trajectory, view: Panels) -> list[dict]:
    """Panels (b) and (c): every step's loss and gradient, their reference lines, cursors."""
    last = len(traj.p) - 1
    step_mode = "lines+markers" if last <= 60 else "lines"  # a short run: see each step
    g_label = "|dNLL/dp|" if view.log_grad else "dNLL/dp"
    line = {"line": {"color": BLUE, "width": 2.5}, "marker": {"size": 7, "color": BLUE}}
    reference = {"color": GREEN, "width": 2, "dash": "dot"}
    now = {"size": [0, 0, 15], "color": VERMILLION, "line": {"color": BLACK, "width": 1}}
    cursor = {"color": "rgba(0,0,0,0.4)", "width": 1.5}
    ends = [0, max(last, 1)]
    return [
        dict(
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
        dict(
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
        _cursor("x2", "y2", cursor, now),
        dict(
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
        dict(
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
        _cursor("x3", "y3", cursor, now),
    ]


def _cursor(xaxis: str, yaxis: str, line: dict, marker: dict) -> dict:
    """A vertical step cursor with the current value marked (moved by the frames)."""
    return dict(
        type="scatter",
        x=[],
        y=[],
        mode="lines+markers",
        xaxis=xaxis,
        yaxis=yaxis,
        line=line,
        marker=marker,
        showlegend=False,
        hoverinfo="skip",
    )


def _moving(traj: Trajectory, t: int, trail: int, view: Panels) -> list[dict]:
    """The moving traces at step t, in MOVING order."""
    p, nll = traj.p, traj.nll
    escaped = traj.diverged_at is not None and t == traj.diverged_at
    end = t - 1 if escaped else t  # at the escape the path ends at the last p inside (0, 1)
    if end >= 0:
        # A fixed number of points (the first repeated) keeps the marker sizes aligned.
        span = [max(0, end - trail + 1)] * max(0, trail - end - 1)
        span += list(range(max(0, end - trail + 1), end + 1))
        path = {"x": [sig_value(p[i]) for i in span], "y": [sig_value(nll[i]) for i in span]}
    else:
        path = {"x": [], "y": []}
    esc = _escape_update(traj, t, view) if escaped else {"x": [], "y": [], "text": []}
    gt = float(view.g_shown[t])
    g_ok = math.isfinite(gt) and (gt > 0 or not view.log_grad)  # a log axis cannot show 0
    return [
        path,
        esc,
        {"x": [t, t, t], "y": [*view.loss_ends, sig_value(nll[t])]},
        {"x": [t, t, t], "y": [*view.g_ends, sig_value(gt) if g_ok else None]},
    ]


def _escape_update(traj: Trajectory, t: int, view: Panels) -> dict:
    """The escape trace at the escape step: a dashed jump from the last p inside, labelled."""
    x, y = view.escape
    start = float(traj.p[t - 1]) if t > 0 else x
    return {
        "x": [sig_value(start), sig_value(x)],
        "y": [sig_value(y), sig_value(y)],
        "text": ["", escape_label(traj)],
        "textposition": ("bottom" if y > view.mid_y else "top")
        + (" left" if x > 0.5 else " right"),
    }
