"""The animated figure: one optimizer run shown on three synchronized Plotly panels.

(a) the NLL curve over p with the MLE, its intervals on the p-axis and the moving p (with a
trail of its last steps, the tangent there and the step to p_{t+1}; above it a gauge of the
multiplier 1 - lr·H), (b) the loss NLL(p_t) against the step t, (c) the real gradient dNLL/dp
at p_t against t.

The step axis shows the part of the run where things happen (see ``frames.focus_end``;
``whole_run`` shows all of it). Every step shown is drawn as a static line in (b) and (c),
hidden right of the current step by a white cover that moves with the frames, so the lines
draw as the animation plays. The animation moves only a few small traces (client-side Plotly
frames, ``redraw=False``), at frames chosen by ``frames.run_frames`` (every step while p
moves visibly), and the slider stops at every frame. Ranges: :mod:`bernoulli.plots.panels`;
layout and controls: :mod:`bernoulli.plots.animated_layout`; the step on the curve:
:mod:`bernoulli.plots.step_marks`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import plotly.graph_objects as go

from bernoulli.engine.optimize import Trajectory
from bernoulli.plots import step_marks
from bernoulli.plots.animated_layout import STEP_Y, layout
from bernoulli.plots.frames import focus_end, run_frames
from bernoulli.plots.narrow_layout import narrow_layout
from bernoulli.plots.panels import Panels, escape_label, grad_label, line_xy, panels
from bernoulli.plots.step_marks import GAUGE_RANGE
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
    cover,
    enlarged,
    on_screen,
    sig_value,
)

# Trace order; the frames update only the moving ones (MOVING, those that move in the run).
CURVE, MLE_LINE, START, PATH, ESCAPE = range(5)  # panel (a)
LOSS_LINE, LOSS_COVER, LOSS_MIN, LOSS_NOW = range(5, 9)  # panel (b)
GRAD_LINE, GRAD_COVER, GRAD_ZERO, GRAD_NOW = range(9, 13)  # panel (c)
WALD, WILSON, GAUGE_MLE = range(13, 16)  # (a): intervals on the p-axis; the gauge's p̂ mark
TANGENT, STEP_ARROW, NOW, GAUGE_NOW = range(16, 20)  # (a): the step on the curve; the gauge
ESCAPE_LABEL = 20  # (b): "p left (0, 1) at step N", from the frame where it happens
STEP_NOW = 21  # above the gauge's title: "step t", the step shown (the slider has no labels)
MOVING = [
    PATH,
    ESCAPE,
    LOSS_COVER,
    LOSS_NOW,
    GRAD_COVER,
    GRAD_NOW,
    TANGENT,
    STEP_ARROW,
    NOW,
    GAUGE_NOW,
    ESCAPE_LABEL,
    STEP_NOW,
]


@dataclass(frozen=True)
class AnimationBudget:
    """How much of a run the animation carries."""

    max_frames: int = 200  # most animation frames (chosen by run_frames); the slider's stops
    trail: int = 8  # how many steps the moving p shows, itself included
    whole_run: bool = False  # every step, not only where things happen (frames.focus_end)


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
        Most frames (each a stop of the slider), the length of the moving p's trail, and
        whether to show the whole run or only the part where things happen (``focus_end``).

    Returns
    -------
    plotly.graph_objects.Figure
        Frames named by their step, play/pause, step and speed buttons, a slider stopping at
        every frame, fixed ranges.
    """
    spec = animated_spec(traj, log_grad=log_grad, presenter=presenter, height=height, budget=budget)
    fig = go.Figure(data=spec["data"], layout=spec["layout"], _validate=False)
    frames = spec["frames"]
    attach_frames(fig, frames[0]["traces"], {frame["name"]: frame["data"] for frame in frames})
    return fig


def animated_spec(
    traj: Trajectory,
    *,
    log_grad: bool = False,
    presenter: bool = False,
    height: int = 700,
    budget: AnimationBudget = DEFAULT_BUDGET,
) -> dict:
    """`animated_figure` as plain dicts: its traces ("data"), "layout" and "frames" (each a
    dict of "data", "name" and "traces"), numpy arrays left in them; the same parameters.

    The page sends it as it is (`wire.wire_figure`): no plotly.py objects to build.
    """
    full = traj
    if not budget.whole_run:
        traj = shown_part(traj)
    view = panels(traj, log_grad)
    traces = [
        *_curve_traces(traj, view, budget.trail),
        *_step_traces(traj, view),
        *step_marks.static_traces(traj, view.y_range),
        *step_marks.moving_traces(traj),
        _escape_label(view),
        _step_now(),
    ]
    steps = run_frames(traj, budget.max_frames)
    moving = _every_moving(full, steps, budget.trail, view)
    # The figure opens on its first frame, so a still image (or no JavaScript) is honest too.
    for index, update in zip(MOVING, moving[0], strict=True):
        traces[index].update(update)
    scale = PRESENTER_SCALE if presenter else 1.0
    if presenter:
        traces = enlarged(traces, scale)
    spec = layout(traj, view, steps, height, scale)
    if presenter:
        spec = enlarged(spec, scale)
    spec["meta"] = {"narrow": narrow_layout()}  # a phone's: see ui/static/keyboard.js
    # Traces that never move in this run are left out of the frames (bytes): the escape when
    # p never left (0, 1), the gauge's needle for an optimizer it does not describe.
    keep = [i for i in range(len(MOVING)) if any(data[i] != moving[0][i] for data in moving)]
    keep = keep or [0]
    # Only what changes travels in a frame (no "type": plotly.js keeps the trace's own).
    moved = [MOVING[i] for i in keep]
    frames = [
        {"data": [data[i] for i in keep], "name": str(int(t)), "traces": moved}
        for t, data in zip(steps, moving, strict=True)
    ]
    return {"data": traces, "layout": spec, "frames": frames}


def shown_part(traj: Trajectory) -> Trajectory:
    """The steps 0..focus_end(traj) of a run, where things happen (the run itself if all)."""
    end = focus_end(traj)
    if end == len(traj.p) - 1:
        return traj
    cut = {name: getattr(traj, name)[: end + 1] for name in _ARRAYS}
    return dataclasses.replace(traj, **cut)


_ARRAYS = ("p", "param", "nll", "grad", "loss", "grad_param")


def _curve_traces(traj: Trajectory, view: Panels, trail: int) -> list[dict]:
    """Panel (a): the NLL curve, the MLE, the start, the moving p and the escaped p."""
    s, p, nll, p_hat = traj.settings, traj.p, traj.nll, traj.mle
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
            cliponaxis=False,  # the diamond sits near the bottom of the panel: draw it whole
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
            name=f"its last {trail} steps",
            line={"color": SKY, "width": 2},
            marker={"size": 7, "color": SKY},
            hoverinfo="skip",  # only drawn (rounded to pixels); p_t's own dot tells its value
        ),
        dict(
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
    ]


def _step_traces(traj: Trajectory, view: Panels) -> list[dict]:
    """Panels (b) and (c): every step's loss and gradient, their reference lines, cursors."""
    last = len(traj.p) - 1
    step_mode = "lines+markers" if last <= 60 else "lines"  # a short run: see each step
    g_label = grad_label(traj.settings.param, view.log_grad)
    line = {"line": {"color": BLUE, "width": 2.5}, "marker": {"size": 7, "color": BLUE}}
    reference = {"color": GREEN, "width": 2, "dash": "dot"}
    now = {"size": 15, "color": VERMILLION, "line": {"color": BLACK, "width": 1}}
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
        _cover("x2", "y2", view.loss_ends, 0),
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
        _cursor("x2", "y2", now),
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
        _cover("x3", "y3", view.g_ends, 0),
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
        _cursor("x3", "y3", now),
    ]


def _escape_label(view: Panels) -> dict:
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


def _every_moving(traj: Trajectory, steps, trail: int, view: Panels) -> list[list[dict]]:
    """`_moving` at each of the frames' steps (`traj` whole: p_{t+1} is past the view).

    What frames share is computed once: each point of the paths rounded to what a pixel
    shows (style.on_screen), the gauge's multipliers as one array.
    """
    x_span, y_span = view.x_range[1] - view.x_range[0], view.y_range[1] - view.y_range[0]
    spans = [_trail(traj, int(t), trail) for t in steps]
    drawn = {
        i: (on_screen(traj.p[i], x_span), on_screen(traj.nll[i], y_span))
        for i in {i for span in spans for i in span}
    }
    needles = step_marks.needles(traj, steps)
    return [
        _moving(
            traj,
            int(t),
            view,
            {"x": [drawn[i][0] for i in span], "y": [drawn[i][1] for i in span]},
            None if needles is None else needles[j],
        )
        for j, (t, span) in enumerate(zip(steps, spans, strict=True))
    ]


def _trail(traj: Trajectory, t: int, trail: int) -> list[int]:
    """The steps of the path drawn at step t: `trail` of them, the first repeated where the
    run is shorter (which keeps the marker sizes aligned); at the escape the path ends at the
    last p inside (0, 1); none before step 0."""
    end = t - 1 if t == traj.diverged_at else t
    if end < 0:
        return []
    first = max(0, end - trail + 1)
    return [first] * max(0, trail - end - 1) + list(range(first, end + 1))


def _moving(traj: Trajectory, t: int, view: Panels, path: dict, needle: float | None) -> list:
    """The moving traces at step t, in MOVING order: `path` is the trail as drawn, `needle`
    the gauge's multiplier (None: no needle).

    What is only drawn is rounded to what a pixel shows (style.on_screen); numbers shown as
    text keep their digits.
    """
    nll = traj.nll
    escaped = t == traj.diverged_at
    esc = _escape_update(traj, t, view) if escaped else {"x": [], "y": [], "text": []}
    label = {"x": [], "y": [], "text": []}
    if escaped:
        top = view.loss_range[1]  # (b)'s top, in log10 units on a log axis
        top = sig_value(10**top if view.loss_log else top, 5)
        label = {"x": [t], "y": [top], "text": [f"p left (0, 1) at step {t} "]}
    gt = float(view.g_shown[t])
    g_ok = math.isfinite(gt) and (gt > 0 or not view.log_grad)  # a log axis cannot show 0
    cover = {"x0": t}  # the box from step t rightwards (see _cover)
    loss_span, g_span = (view.loss_range[1] - view.loss_range[0]), view.g_range[1] - view.g_range[0]
    return [
        path,
        esc,
        cover,
        {"x": [t], "y": [on_screen(nll[t], loss_span, view.loss_log)]},
        cover,
        {"x": [t], "y": [on_screen(gt, g_span, view.log_grad) if g_ok else None]},
        *step_marks.moving_updates(traj, t, view.x_range, view.y_range, needle),
        label,
        {"text": [step_words(t, needle)]},
    ]


def step_words(t: int, needle: float | None) -> str:
    """The step shown, with the gauge's needle value (● = 1 − lr·H at p_t) when it has one."""
    return f"step {t}" if needle is None else f"step {t}   (● = {float(needle):.3g})"


def _step_now() -> dict:
    """The step shown, as "step t", above the gauge's title (the frames set t).

    The slider's stops carry no labels and it shows no current value: plotly.js measures
    every label, and every "step t" it would show, before it draws the figure (two layouts
    of the page each), which measured 0.4 s of the first figure's 0.75 s draw in the app.
    """
    return {
        "type": "scatter",
        "x": [GAUGE_RANGE[0]],
        "y": [STEP_Y],
        "xaxis": "x4",
        "yaxis": "y4",
        "mode": "text",
        "text": [],
        "textposition": "middle right",
        "textfont": {"size": FONT_SIZE, "color": BLACK},
        "showlegend": False,
        "cliponaxis": False,
        "hoverinfo": "skip",
    }


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
