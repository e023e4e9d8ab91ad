"""Runs compared on one picture: two to four runs (learning rates or optimizers) on the same NLL
curve and the same step panels, each in its own colour and labelled, to answer "what changes
if I double the learning rate?" at a glance.

(a) each run's path on the NLL curve over p (every step shown, up to the last step shown),
(b) NLL(p_t) and (c) p_t against the step, with p̂ marked. The step axis covers the part of
every run where things happen (``frames.focus_end``); a run that left (0, 1) ends there with
a cross at the edge of the panel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from bernoulli import likelihood as lk
from bernoulli.optimize import Trajectory
from bernoulli.plots.frames import focus_end
from bernoulli.plots.panels import steps_range
from bernoulli.plots.race import RACE_COLORS
from bernoulli.plots.style import AXIS, BLACK, FONT, FONT_SIZE, GREEN, sig

MAX_RUNS = 4
DASHES = ("solid", "dash", "dot", "dashdot")  # with the colour: told apart without colour too


def compare_figure(
    trajs: Sequence[Trajectory], labels: Sequence[str], height: int = 560
) -> go.Figure:
    """Two to four runs of the same sample on one curve and one pair of step panels.

    Parameters
    ----------
    trajs : sequence of Trajectory
        The runs, all of the same n, k and loss.
    labels : sequence of str
        One label per run (its learning rate or optimizer), in the legend.
    height : int
        Figure height in pixels.
    """
    if not 1 <= len(trajs) <= MAX_RUNS or len(labels) != len(trajs):
        raise ValueError(f"compare one to {MAX_RUNS} runs, each with a label")
    first = trajs[0]
    if any((t.n, t.k, t.settings.loss) != (first.n, first.k, first.settings.loss) for t in trajs):
        raise ValueError("compared runs must share the sample and the loss")
    end = max(min(focus_end(t), len(t.p) - 1) for t in trajs)
    grid = np.linspace(1e-4, 1 - 1e-4, 400)
    curve = np.asarray(lk.nll(grid, first.n, first.k, first.settings.loss))
    shown = np.concatenate([t.nll[: end + 1][np.isfinite(t.nll[: end + 1])] for t in trajs])
    nll_hat = float(lk.nll(first.mle, first.n, first.k, first.settings.loss))
    top = max(float(shown.max()) if shown.size else nll_hat + 1, nll_hat + 1)
    y_range = [nll_hat - 0.06 * (top - nll_hat), top + 0.06 * (top - nll_hat)]
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
    for i, (traj, label) in enumerate(zip(trajs, labels, strict=True)):
        traces += _run_traces(traj, label, i, end)
    traces.append(_mle_line(first.mle, end))
    return go.Figure(data=traces, layout=_layout(height, y_range, end))


def _layout(height: int, y_range: list[float], end: int) -> dict:
    """(a) on the left; (b) above (c) on the right, sharing the step axis; fixed ranges."""
    return {
        "template": {},
        "height": height,
        "font": dict(FONT),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "margin": {"l": 80, "r": 46, "t": 30, "b": 120},
        "modebar": {"orientation": "v"},
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": -0.16,
            "yanchor": "top",
            "font": {"size": FONT_SIZE - 3},
        },
        "xaxis": {**AXIS, "domain": [0, 0.46], "range": [-0.02, 1.02], "title": {"text": "p"}},
        "yaxis": {**AXIS, "range": y_range, "title": {"text": "NLL(p)"}},
        "xaxis2": {
            **AXIS,
            "domain": [0.58, 1],
            "range": steps_range(end),
            "anchor": "y2",
            "showticklabels": False,
        },
        "yaxis2": {**AXIS, "domain": [0.54, 1], "range": y_range, "anchor": "x2"},
        "xaxis3": {
            **AXIS,
            "domain": [0.58, 1],
            "range": steps_range(end),
            "anchor": "y3",
            "title": {"text": "step t"},
            "matches": "x2",
        },
        "yaxis3": {
            **AXIS,
            "domain": [0, 0.46],
            "range": [-0.05, 1.05],
            "anchor": "x3",
            "title": {"text": "p<sub>t</sub>"},
        },
        "annotations": [
            _name(letter, x, y)
            for letter, x, y in (("a", "x", "y"), ("b", "x2", "y2"), ("c", "x3", "y3"))
        ],
    }


def _run_traces(traj: Trajectory, label: str, i: int, end: int) -> list[dict]:
    """One run: its path on the curve (a), its NLL (b) and its p (c) at every step shown."""
    color, dash = RACE_COLORS[i % len(RACE_COLORS)], DASHES[i % len(DASHES)]
    last = min(end, len(traj.p) - 1)
    p, nll = traj.p[: last + 1], traj.nll[: last + 1]
    inside = (p > 0) & (p < 1) & np.isfinite(nll)
    outcome = _outcome(traj, last)
    style = {"line": {"color": color, "width": 2.5, "dash": dash}, "marker": {"color": color}}
    mode = "lines+markers" if last <= 80 else "lines"
    common = {"legendgroup": str(i), "type": "scatter", **style}
    return [
        dict(
            x=sig(p[inside]),
            y=sig(nll[inside]),
            mode="lines+markers",
            marker={"color": color, "size": 7},
            name=f"{label}: {outcome}",
            hovertemplate=f"{label}<br>p = %{{x:.6g}}<br>NLL = %{{y:.6g}}<extra></extra>",
            **{k: v for k, v in common.items() if k != "marker"},
        ),
        dict(
            x=np.arange(last + 1)[inside],
            y=sig(nll[inside]),
            mode=mode,
            xaxis="x2",
            yaxis="y2",
            showlegend=False,
            hovertemplate=f"{label}<br>step %{{x}}: NLL = %{{y:.6g}}<extra></extra>",
            **common,
        ),
        dict(
            x=np.arange(last + 1),
            y=sig(np.clip(p, -0.05, 1.05)),
            mode=mode,
            xaxis="x3",
            yaxis="y3",
            showlegend=False,
            hovertemplate=f"{label}<br>step %{{x}}: p = %{{y:.6g}}<extra></extra>",
            **common,
        ),
    ]


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
