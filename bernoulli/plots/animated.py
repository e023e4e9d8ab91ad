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
from bernoulli.plots import animated_traces, step_marks
from bernoulli.plots.animated_layout import STEP_Y, layout
from bernoulli.plots.animated_traces import trace_index
from bernoulli.plots.frames import focus_end, run_frames
from bernoulli.plots.narrow_layout import narrow_layout
from bernoulli.plots.panels import Panels, escape_label, panels
from bernoulli.plots.step_marks import GAUGE_RANGE
from bernoulli.plots.style import (
    BLACK,
    FONT_SIZE,
    PRESENTER_SCALE,
    attach_frames,
    enlarged,
    on_screen,
    sig_value,
)

# The figure's traces in order, by name. Each trace carries its name as its meta (a uid would
# not reach the browser: plotly.py's to_json drops it), and the frames find the traces they
# move by it (`trace_index`), whatever this order is.
TRACE_NAMES = (
    *("curve", "mle_line", "start", "path", "escape"),  # panel (a)
    *("loss_line", "loss_cover", "loss_min", "loss_now"),  # panel (b)
    *("grad_line", "grad_cover", "grad_zero", "grad_now"),  # panel (c)
    *("wald", "wilson", "gauge_mle"),  # (a): intervals on the p-axis; the gauge's p̂ mark
    *("tangent", "step_arrow", "now", "gauge_now"),  # (a): the step on the curve; the gauge
    "escape_label",  # (b): "p left (0, 1) at step N", from the frame where it happens
    "step_now",  # above the gauge's title: "step t", the step shown (the slider has no labels)
)
# The traces that move in the run, in the order of a frame's updates.
MOVING_NAMES = (
    *("path", "escape", "loss_cover", "loss_now", "grad_cover", "grad_now"),
    *("tangent", "step_arrow", "now", "gauge_now", "escape_label", "step_now"),
)
# The names of step_marks' lists, in their order: static_traces, and moving_traces (whose
# order moving_updates keeps).
STATIC_MARKS = ("wald", "wilson", "gauge_mle")
MOVING_MARKS = ("tangent", "step_arrow", "now", "gauge_now")
# Each trace's position in a built figure's data, for code that reads one (tests).
POSITION = {name: i for i, name in enumerate(TRACE_NAMES)}


def _at(*names: str) -> list[int]:
    return [POSITION[name] for name in names]


CURVE, MLE_LINE, START, PATH, ESCAPE = _at("curve", "mle_line", "start", "path", "escape")
LOSS_LINE, LOSS_COVER, LOSS_MIN, LOSS_NOW = _at("loss_line", "loss_cover", "loss_min", "loss_now")
GRAD_LINE, GRAD_COVER, GRAD_ZERO, GRAD_NOW = _at("grad_line", "grad_cover", "grad_zero", "grad_now")
WALD, WILSON, GAUGE_MLE = _at(*STATIC_MARKS)
TANGENT, STEP_ARROW, NOW, GAUGE_NOW = _at(*MOVING_MARKS)
ESCAPE_LABEL, STEP_NOW = _at("escape_label", "step_now")
MOVING = _at(*MOVING_NAMES)


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
    traces = _figure_traces(traj, view, budget.trail)
    index = trace_index(traces)
    steps = run_frames(traj, budget.max_frames)
    moving = _every_moving(full, steps, budget.trail, view)
    # The figure opens on its first frame, so a still image (or no JavaScript) is honest too.
    for name, update in moving[0].items():
        traces[index[name]].update(update)
    scale = PRESENTER_SCALE if presenter else 1.0
    if presenter:
        traces = enlarged(traces, scale)
    spec = layout(traj, view, steps, height, scale)
    if presenter:
        spec = enlarged(spec, scale)
    spec["meta"] = {"narrow": narrow_layout()}  # a phone's: see ui/static/keyboard.js
    # Traces that never move in this run are left out of the frames (bytes): the escape when
    # p never left (0, 1), the gauge's needle for an optimizer it does not describe.
    first = moving[0]
    moved = [name for name in MOVING_NAMES if any(data[name] != first[name] for data in moving)]
    moved = moved or [MOVING_NAMES[0]]
    # Only what changes travels in a frame (no "type": plotly.js keeps the trace's own).
    targets = [index[name] for name in moved]
    frames = [
        {"data": [data[name] for name in moved], "name": str(int(t)), "traces": targets}
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


def _figure_traces(traj: Trajectory, view: Panels, trail: int) -> list[dict]:
    """Every trace of the figure, in TRACE_NAMES order, each with its name as its meta."""
    built = {
        **animated_traces.curve_traces(traj, view),
        **animated_traces.path_traces(traj, trail),
        **animated_traces.step_traces(traj, view),
        **dict(zip(STATIC_MARKS, step_marks.static_traces(traj, view.y_range), strict=True)),
        **dict(zip(MOVING_MARKS, step_marks.moving_traces(traj), strict=True)),
        "escape_label": animated_traces.escape_step_label(),
        "step_now": _step_now(),
    }
    if set(built) != set(TRACE_NAMES):
        raise ValueError(f"traces built {sorted(built)}, named {sorted(TRACE_NAMES)}")
    return [{**built[name], "meta": name} for name in TRACE_NAMES]


def _every_moving(traj: Trajectory, steps, trail: int, view: Panels) -> list[dict[str, dict]]:
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


def _moving(
    traj: Trajectory, t: int, view: Panels, path: dict, needle: float | None
) -> dict[str, dict]:
    """The updates of the moving traces at step t, by name: `path` is the trail as drawn,
    `needle` the gauge's multiplier (None: no needle).

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
    marks = step_marks.moving_updates(traj, t, view.x_range, view.y_range, needle)
    return {
        "path": path,
        "escape": esc,
        "loss_cover": cover,
        "loss_now": {"x": [t], "y": [on_screen(nll[t], loss_span, view.loss_log)]},
        "grad_cover": cover,
        "grad_now": {"x": [t], "y": [on_screen(gt, g_span, view.log_grad) if g_ok else None]},
        **dict(zip(MOVING_MARKS, marks, strict=True)),
        "escape_label": label,
        "step_now": {"text": [step_words(t, needle)]},
    }


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
