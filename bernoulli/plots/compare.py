"""Runs compared on one picture: two to four runs (learning rates or optimizers) on the same NLL
curve and the same step panels, each in its own colour and labelled, to answer "what changes
if I double the learning rate?" at a glance, and played together like the main figure.

(a) each run's p moving on the NLL curve over p (with a trail of its last steps), (b) NLL(p_t)
and (c) p_t against the step, with p̂ marked, drawn as the animation plays (the lines of every
step, hidden right of the current step by a white cover that the frames move). The step axis
covers the part of every run where things happen (``frames.focus_end``); a run that left
(0, 1) ends there (its dot goes, its trail stays at the last p inside). The frames are every
step while any run moves visibly (far from p̂, near the edge, zig-zagging), the rest
geometrically; the slider stops at every frame; ranges are fixed; frames move only the dots,
trails, cursors and covers (``redraw=False``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Trajectory
from bernoulli.plots.animated_layout import controls
from bernoulli.plots.frames import busy_steps, focus_end, frame_indices
from bernoulli.plots.panels import steps_range
from bernoulli.plots.race import RACE_COLORS
from bernoulli.plots.style import (
    AXIS,
    BLACK,
    FONT,
    FONT_SIZE,
    GREEN,
    attach_frames,
    cover,
    on_screen,
    sig,
)

MAX_RUNS = 4
DASHES = ("solid", "dash", "dot", "dashdot")  # with the colour: told apart without colour too
TRAIL = 4  # steps each run's moving p shows, itself included
MAX_FRAMES = 200
P_RANGE = [-0.05, 1.05]  # (c): p_t, an escaped p drawn at the edge
MARGIN_TOP = 100  # room for the play buttons and the slider above the panels


def compare_figure(
    trajs: Sequence[Trajectory], labels: Sequence[str], height: int = 600
) -> go.Figure:
    """Two to four runs of the same sample on one curve and one pair of step panels, animated.

    Parameters
    ----------
    trajs : sequence of Trajectory
        The runs, all of the same n, k and loss.
    labels : sequence of str
        One label per run (its learning rate or optimizer), in the legend.
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Frames named by their step (every step while any run moves visibly), play/pause,
        step and speed buttons, a slider stopping at every frame, fixed ranges.
    """
    if not 1 <= len(trajs) <= MAX_RUNS or len(labels) != len(trajs):
        raise ValueError(f"compare one to {MAX_RUNS} runs, each with a label")
    first = trajs[0]
    if any((t.n, t.k, t.settings.loss) != (first.n, first.k, first.settings.loss) for t in trajs):
        raise ValueError("compared runs must share the sample and the loss")
    end = max(min(focus_end(t), len(t.p) - 1) for t in trajs)
    nll_hat = float(lk.nll(first.mle, first.n, first.k, first.settings.loss))
    shown = np.concatenate([t.nll[: end + 1][np.isfinite(t.nll[: end + 1])] for t in trajs])
    top = max(float(shown.max()) if shown.size else nll_hat + 1, nll_hat + 1)
    y_range = [nll_hat - 0.06 * (top - nll_hat), top + 0.06 * (top - nll_hat)]
    traces = _static_traces(trajs, labels, end, y_range)
    steps = compare_frames(trajs, end)
    moving_index = _moving_indices(len(trajs))
    moving = [_moving(trajs, int(t), y_range) for t in steps]
    for index, update in zip(moving_index, moving[0], strict=True):  # opens on frame 0
        traces[index].update(update)
    spec = _layout(height, y_range, end)
    menus, sliders, speed_label = controls(steps, _above(height), 1.0, MARGIN_TOP)
    spec.update(updatemenus=menus, sliders=sliders)
    spec["annotations"].append(speed_label)
    fig = go.Figure(data=traces, layout=spec, _validate=False)
    frames = {str(int(t)): data for t, data in zip(steps, moving, strict=True)}
    attach_frames(fig, moving_index, frames)
    return fig


def compare_frames(trajs: Sequence[Trajectory], end: int) -> np.ndarray:
    """Steps 0..end as frames: every step where any run moves visibly (frames.busy_steps) or
    leaves (0, 1), the rest geometrically, at most MAX_FRAMES."""
    if end + 1 <= MAX_FRAMES:
        return np.arange(end + 1)
    busy = set()
    for traj in trajs:
        part = traj.p[: end + 1]
        busy |= set(busy_steps(part, traj.mle).tolist())
        if traj.diverged_at is not None and traj.diverged_at <= end:
            busy |= {traj.diverged_at, max(traj.diverged_at - 1, 0)}
    dense = np.array(sorted(busy), dtype=np.int64)[: (3 * MAX_FRAMES) // 4]
    return frame_indices(end + 1, None, MAX_FRAMES, dense)


def _above(height: int):
    plot_px = height - MARGIN_TOP - _MARGIN_BOTTOM

    def above(px: float) -> float:
        """Paper y of a point px pixels above the plotting area."""
        return 1 + px / plot_px

    return above


_MARGIN_BOTTOM = 150


def _moving_indices(runs: int) -> list[int]:
    """Trace indices the frames move: each run's trail, the two covers, each run's cursors
    in (b) and (c) (see _static_traces for the order)."""
    trails = list(range(1, 1 + runs))
    covers = [1 + 3 * runs, 2 + 3 * runs]
    cursors = list(range(4 + 3 * runs, 4 + 5 * runs))
    return [*trails, *covers, *cursors]


def _static_traces(
    trajs: Sequence[Trajectory], labels: Sequence[str], end: int, y_range: list[float]
) -> list[dict]:
    """In drawing order: the curve; each run's trail ending in its dot (a); each run's NLL (b)
    and p (c) lines; the covers of (b) and (c); p̂ in (c); each run's cursors in (b), (c)."""
    first = trajs[0]
    grid = np.linspace(1e-4, 1 - 1e-4, 400)
    curve = np.asarray(lk.nll(grid, first.n, first.k, first.settings.loss))
    traces = [
        dict(
            type="scatter",
            x=sig(grid),
            y=sig(curve),
            mode="lines",
            line={"color": BLACK, "width": 2},
            name=f"{first.settings.loss} NLL(p)",
            hoverinfo="skip",
        )
    ]
    looks = [_look(i) for i in range(len(trajs))]
    runs = list(zip(trajs, labels, looks, strict=True))
    traces += [_trail(traj, label, look, end) for traj, label, look in runs]
    lines = [_lines(traj, label, look, end) for traj, label, look in runs]
    traces += [loss for loss, _ in lines] + [p_line for _, p_line in lines]
    traces += [_cover("x2", "y2", y_range), _cover("x3", "y3", P_RANGE)]
    traces.append(_mle_line(first.mle, end))
    traces += [_dot("x2", "y2", look, 11) for look in looks]
    traces += [_dot("x3", "y3", look, 11) for look in looks]
    return traces


def _look(i: int) -> dict:
    color, dash = RACE_COLORS[i % len(RACE_COLORS)], DASHES[i % len(DASHES)]
    return {"color": color, "dash": dash, "group": str(i)}


def _trail(traj: Trajectory, label: str, look: dict, end: int) -> dict:
    """(a): the run's last TRAIL steps on the curve, the last one its current p, a large dot
    (moved by the frames; always TRAIL points, the first repeated, so the sizes stay put)."""
    return dict(
        type="scatter",
        x=[],
        y=[],
        mode="lines+markers",
        line={"color": look["color"], "width": 2.5, "dash": look["dash"]},
        marker={
            "color": look["color"],
            "size": [7] * (TRAIL - 1) + [15],
            "line": {"color": BLACK, "width": [0] * (TRAIL - 1) + [1]},
        },
        name=f"{label}: {_outcome(traj, min(end, len(traj.p) - 1))}",
        legendgroup=look["group"],
        hoverinfo="skip",  # only drawn (rounded to pixels); (b) and (c) tell the values
    )


def _lines(traj: Trajectory, label: str, look: dict, end: int) -> tuple[dict, dict]:
    """(b) the run's NLL and (c) its p at every step shown (hidden right of the cursor)."""
    last = min(end, len(traj.p) - 1)
    p, nll = traj.p[: last + 1], traj.nll[: last + 1]
    inside = (p > 0) & (p < 1) & np.isfinite(nll)
    mode = "lines+markers" if last <= 80 else "lines"
    common = {
        "type": "scatter",
        "mode": mode,
        "line": {"color": look["color"], "width": 2.5, "dash": look["dash"]},
        "marker": {"color": look["color"], "size": 6},
        "legendgroup": look["group"],
        "showlegend": False,
    }
    loss = dict(
        x=np.arange(last + 1)[inside],
        y=sig(nll[inside]),
        xaxis="x2",
        yaxis="y2",
        hovertemplate=f"{label}<br>step %{{x}}: NLL = %{{y:.6g}}<extra></extra>",
        **common,
    )
    p_line = dict(
        x=np.arange(last + 1),
        y=sig(np.clip(p, *P_RANGE)),
        xaxis="x3",
        yaxis="y3",
        hovertemplate=f"{label}<br>step %{{x}}: p = %{{y:.6g}}<extra></extra>",
        **common,
    )
    return loss, p_line


def _cover(xaxis: str, yaxis: str, y_range: list[float]) -> dict:
    """A white box from the current step rightwards (`style.cover`: x0 moves it)."""
    low, high = y_range
    pad = 0.01 * (high - low)
    return cover(xaxis, yaxis, [low - pad, high + pad, low - pad])


def _dot(xaxis: str, yaxis: str, look: dict, size: int) -> dict:
    """A run's current value (moved by the frames)."""
    return dict(
        type="scatter",
        x=[],
        y=[],
        mode="markers",
        xaxis=xaxis,
        yaxis=yaxis,
        marker={"color": look["color"], "size": size, "line": {"color": BLACK, "width": 1}},
        legendgroup=look["group"],
        showlegend=False,
        hoverinfo="skip",
    )


def _moving(trajs: Sequence[Trajectory], t: int, y_range: list[float]) -> list[dict]:
    """The frame at step t, in _moving_indices order: trails, covers, cursors (b), (c).

    A run that ended (it left (0, 1), or has fewer steps) stays at its end: its trail ends
    at its last p inside (0, 1); its cursor in (c) shows the p that left, at the edge.
    """
    x_span, y_span, p_span = 1.04, y_range[1] - y_range[0], P_RANGE[1] - P_RANGE[0]
    trails, losses, ps = [], [], []
    for traj in trajs:
        s = min(t, len(traj.p) - 1)
        p, nll = traj.p, traj.nll
        inside = [i for i in range(max(0, s - 3 * TRAIL), s + 1) if _inside(p[i], nll[i])]
        span = ([inside[0]] * TRAIL + inside)[-TRAIL:] if inside else []
        trails.append(
            {
                "x": [on_screen(p[i], x_span) for i in span],
                "y": [on_screen(nll[i], y_span) for i in span],
            }
        )
        here = _inside(p[s], nll[s])
        # (null, not empty: plotly.js would leave the old point on screen)
        losses.append({"x": [s], "y": [on_screen(nll[s], y_span) if here else None]})
        p_shown = min(max(float(p[s]), P_RANGE[0]), P_RANGE[1]) if math.isfinite(p[s]) else None
        ps.append({"x": [s], "y": [on_screen(p_shown, p_span) if p_shown is not None else None]})
    cover = {"x0": t}
    return [*trails, cover, cover, *losses, *ps]


def _inside(p: float, nll: float) -> bool:
    return bool(0 < p < 1 and math.isfinite(nll))


def _layout(height: int, y_range: list[float], end: int) -> dict:
    """(a) on the left; (b) above (c) on the right, sharing the step axis; fixed ranges."""
    return {
        "template": {},
        "height": height,
        "font": dict(FONT),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "margin": {"l": 80, "r": 46, "t": MARGIN_TOP, "b": _MARGIN_BOTTOM},
        "modebar": {"orientation": "v"},
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": -0.2,
            "yanchor": "top",
            "font": {"size": FONT_SIZE - 3},
        },
        **_axes(y_range, end),
        "annotations": [
            _name(letter, x, y)
            for letter, x, y in (("a", "x", "y"), ("b", "x2", "y2"), ("c", "x3", "y3"))
        ],
    }


def _axes(y_range: list[float], end: int) -> dict:
    """The three panels' axes, each range fixed; (c)'s step axis matches (b)'s."""
    return {
        "xaxis": {
            **AXIS,
            "domain": [0, 0.46],
            "range": [-0.02, 1.02],
            "autorange": False,
            "title": {"text": "p"},
        },
        "yaxis": {**AXIS, "range": y_range, "autorange": False, "title": {"text": "NLL(p)"}},
        "xaxis2": {
            **AXIS,
            "domain": [0.58, 1],
            "range": steps_range(end),
            "autorange": False,
            "anchor": "y2",
            "showticklabels": False,
        },
        "yaxis2": {
            **AXIS,
            "domain": [0.54, 1],
            "range": y_range,
            "autorange": False,
            "anchor": "x2",
        },
        "xaxis3": {
            **AXIS,
            "domain": [0.58, 1],
            "range": steps_range(end),
            "autorange": False,
            "anchor": "y3",
            "title": {"text": "step t"},
            "matches": "x2",
        },
        "yaxis3": {
            **AXIS,
            "domain": [0, 0.46],
            "range": P_RANGE,
            "autorange": False,
            "anchor": "x3",
            "title": {"text": "p<sub>t</sub>"},
        },
    }


def _outcome(traj: Trajectory, last: int) -> str:
    """A run's ending in a few words, for the legend."""
    if traj.diverged_at is not None:
        return f"left (0, 1) at step {traj.diverged_at}"
    if traj.converged_at is not None:
        return f"converged at step {traj.converged_at}"
    p = float(traj.p[last])
    return f"p = {p:.4g} at step {last}" if math.isfinite(p) else "no finite p"


def _mle_line(p_hat: float, end: int) -> dict:
    return dict(
        type="scatter",
        x=[0, max(end, 1)],
        y=[p_hat, p_hat],
        mode="lines",
        xaxis="x3",
        yaxis="y3",
        line={"color": GREEN, "width": 2, "dash": "dot"},
        name=f"p̂ = {p_hat:.6g}",
        hoverinfo="skip",
    )


def _name(letter: str, x: str, y: str) -> dict:
    return {
        "text": f"<b>({letter})</b>",
        "x": 0.01,
        "y": 0.99,
        "xref": f"{x} domain",
        "yref": f"{y} domain",
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
    }
