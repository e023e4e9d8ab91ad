"""The step drawn on the curve of panel (a), and the statistics on its p-axis.

At the current p_t: the tangent (its slope is the gradient dNLL/dp), an arrow along the p-axis
to p_{t+1} (for gradient descent in p its length is lr·|g|), and above the panel a gauge of
gradient descent's multiplier 1 - lr·H with its band |·| < 1 (H at p̂, and the local H at the
current step, which differs from it where p is far from p̂). On the p-axis: the Wald interval
p̂ ± 1.96·SE with SE = 1/√H (H, the curvature of the summed NLL at p̂, is the observed
information) and the Wilson interval.
"""

from __future__ import annotations

import math

import numpy as np

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import OPTIMIZER_NAMES, Settings, Trajectory
from bernoulli.plots.style import (
    BLACK,
    BLUE,
    FONT_SIZE,
    GREEN,
    GREY,
    VERMILLION,
    on_screen,
    sig_value,
)

GAUGE_RANGE = (-3.0, 1.5)  # the multiplier's axis; values beyond are drawn at its end
TANGENT_HALF = 0.06  # the tangent reaches at least this far either side of p_t
GD_LIKE = ("gd", "sgd")  # optimizers whose step is lr·g: the multiplier 1 - lr·H is theirs


def multiplier(traj: Trajectory, w) -> np.ndarray:
    """Gradient descent's local multiplier 1 - lr·H(w) in the run's parameter and loss."""
    curvature = np.asarray(traj.problem.curvature(w), dtype=np.float64)
    return 1.0 - traj.settings.lr * curvature


def at_mle(traj: Trajectory) -> float | None:
    """The multiplier at p̂ (None when p̂ is on the edge, where H is not the lesson)."""
    if lk.on_boundary(traj.n, traj.k):
        return None
    return float(multiplier(traj, traj.problem.x_hat))


def static_traces(traj: Trajectory, y_range: list[float]) -> list[dict]:
    """The intervals on the p-axis (Wald, Wilson) and the gauge's mark at p̂."""
    n, k = traj.n, traj.k
    span = y_range[1] - y_range[0]
    traces = []
    if lk.on_boundary(n, k):
        traces += [_empty("x", "y"), _empty("x", "y")]
    else:
        wald, wilson = lk.wald_interval(n, k), lk.wilson_interval(n, k)
        se = lk.standard_error(n, k)
        names = [
            f"Wald 95%, SE = 1/√H = {se:.3g}",
            f"Wilson 95% [{wilson.low:.3f}, {wilson.high:.3f}]",
        ]
        for interval, name, color, height in zip(
            (wald, wilson), names, (BLUE, GREY), (0.035, 0.015), strict=True
        ):
            y = y_range[0] + height * span
            traces.append(
                dict(
                    type="scatter",
                    x=[interval.low, interval.high],
                    y=[y, y],
                    mode="lines+markers",
                    name=name,
                    line={"color": color, "width": 4},
                    marker={"symbol": "line-ns", "size": 14, "line": {"color": color, "width": 3}},
                    cliponaxis=False,
                    hovertemplate=f"{interval.name} 95%: %{{x:.6g}}<extra></extra>",
                )
            )
    m_hat = at_mle(traj) if traj.settings.optimizer in GD_LIKE else None
    traces.append(
        dict(
            type="scatter",
            x=[] if m_hat is None else [_on_gauge(m_hat)],
            y=[0.5] if m_hat is not None else [],
            xaxis="x4",
            yaxis="y4",
            mode="markers",
            # Larger than the needle's dot: where p_t is near p̂ the dot sits on it, and the
            # diamond's points still show around the dot.
            marker={"symbol": "diamond", "size": 24, "color": GREEN},
            showlegend=False,
            cliponaxis=False,
            hovertemplate=f"1 − lr·H(p̂) = {m_hat if m_hat is not None else 0:.6g}<extra></extra>",
        )
    )
    return traces


def moving_traces(traj: Trajectory) -> list[dict]:
    """The tangent, the step arrow, the current p (in the legend) and the gauge's needle."""
    problem = traj.problem
    optimizer = OPTIMIZER_NAMES[traj.settings.optimizer]
    return [
        dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines",
            name="tangent: slope = dNLL/dp at p<sub>t</sub>",
            line={"color": BLUE, "width": 2.5, "dash": "dash"},
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines+markers",
            # Drawn on the p-axis, the arrow is lr·|g| long only when the run moves p itself.
            name="step to p<sub>t+1</sub>" + (" (GD: lr·|g| long)" if problem.moves_p else ""),
            line={"color": VERMILLION, "width": 3},
            marker={
                "symbol": "arrow",
                "angleref": "previous",
                "size": [0, 16],
                "color": VERMILLION,
            },
            cliponaxis=False,
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=[],
            y=[],
            mode="markers",
            name=f"p<sub>t</sub> now ({optimizer} in {problem.described})",
            marker={"size": 20, "color": VERMILLION, "line": {"color": BLACK, "width": 1.5}},
            hovertemplate="p<sub>t</sub> = %{x:.8g}<br>NLL = %{y:.8g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[],
            y=[0.5],  # the frames move it along x only
            xaxis="x4",
            yaxis="y4",
            mode="markers",  # (its value is written in the step's row: animated._step_now)
            marker={"size": 16, "color": VERMILLION, "line": {"color": BLACK, "width": 1.5}},
            showlegend=False,
            cliponaxis=False,
            hoverinfo="skip",
        ),
    ]


def needles(traj: Trajectory, steps) -> np.ndarray | None:
    """The multiplier 1 - lr·H at each of `steps`, in one array; None for an optimizer whose
    step it does not describe (the gauge then has no needle)."""
    if traj.settings.optimizer not in GD_LIKE:
        return None
    return multiplier(traj, traj.param[np.asarray(steps, dtype=np.intp)])


def moving_updates(
    traj: Trajectory, t: int, x_range: list[float], y_range: list[float], m: float | None
):
    """The tangent, arrow, current p and needle at step t (empty where p_t is outside);
    `m` is the multiplier at step t (`needles`), None for no needle.

    The tangent, the arrow and the needle are only drawn: their ends are rounded to what a
    pixel shows (style.on_screen). The current p keeps 7 digits: its hover prints them.
    """
    p = traj.p
    pt = float(p[t])
    needle = {"x": []}
    if not (0 < pt < 1 and math.isfinite(traj.nll[t])):
        # The current p as one point at null: plotly.js leaves an emptied marker trace's old
        # point on screen when animating without redraw, but removes a point that is null.
        gone = {"x": [None], "y": [None]}
        return [{"x": [], "y": []}, {"x": [], "y": []}, gone, needle]
    x_span, y_span = x_range[1] - x_range[0], y_range[1] - y_range[0]
    y, g = float(traj.nll[t]), float(traj.grad[t])
    nxt = float(p[t + 1]) if t + 1 < len(p) else None
    half = max(TANGENT_HALF, 1.2 * abs(nxt - pt) if nxt is not None and math.isfinite(nxt) else 0)
    xs = [pt - half, pt + half]
    tangent = {
        "x": [on_screen(x, x_span) for x in xs],
        "y": [on_screen(y + g * (x - pt), y_span) for x in xs],
    }
    arrow = {"x": [], "y": []}
    if nxt is not None:
        end = nxt if math.isfinite(nxt) else x_range[1]
        end = min(max(end, x_range[0]), x_range[1])
        arrow = {
            "x": [on_screen(pt, x_span), on_screen(end, x_span)],
            "y": [on_screen(y, y_span)] * 2,
        }
    now = {"x": [sig_value(pt)], "y": [sig_value(y)]}
    if m is not None:
        m = float(m)
        needle = {"x": [_on_gauge(m, moving=True)]}
    return [tangent, arrow, now, needle]


def _on_gauge(m: float, moving: bool = False) -> float | None:
    """A multiplier drawn on the gauge, at its end when beyond it (a frame's needle rounded
    to what a pixel shows)."""
    low, high = GAUGE_RANGE
    if not math.isfinite(m):
        return low
    m = min(max(m, low), high)
    return on_screen(m, high - low) if moving else sig_value(m)


def _empty(xaxis: str, yaxis: str) -> dict:
    return dict(
        type="scatter", x=[], y=[], xaxis=xaxis, yaxis=yaxis, showlegend=False, hoverinfo="skip"
    )


def gauge_layout(
    traj: Trajectory, domain_y: list[float], title_y: float
) -> tuple[dict, list[dict], list[dict]]:
    """The gauge's axes (its bar at paper y `domain_y`), its band |1 - lr·H| < 1 (a shape) and
    its title (an annotation whose bottom is at paper y `title_y`).

    The y-axis (unseen) reaches up to the panels' top, its range scaled to keep the bar at
    0 to 1: the figure names the step shown up there (see animated._step_now), and a point
    of a trace that draws beyond its axes must still lie inside their ranges.
    """
    return _gauge_axes(domain_y), [GAUGE_BAND], [_gauge_title(traj.settings, title_y)]


# Where 1 − lr·H lies between −1 and 1: the multiplier that lets p settle.
GAUGE_BAND = {
    "type": "rect",
    "xref": "x4",
    "yref": "y4",
    "x0": -1,
    "x1": 1,
    "y0": 0,
    "y1": 1,
    "fillcolor": "rgba(0,158,115,0.22)",
    "line": {"width": 0},
    "layer": "below",
}


def _gauge_axes(domain_y: list[float]) -> dict:
    axis = {"showline": True, "linecolor": BLACK, "ticks": "outside", "zeroline": False}
    return {
        "xaxis4": {
            **axis,
            "domain": [0.08, 0.46],
            "range": list(GAUGE_RANGE),
            "autorange": False,
            "anchor": "y4",
            "tickvals": [-3, -2, -1, 0, 1],
            "ticktext": ["≤ −3", "−2", "−1", "0", "1"],
            "showgrid": False,
            "tickfont": {"size": FONT_SIZE - 3},
        },
        "yaxis4": {
            "domain": [domain_y[0], 1],
            "range": [0, (1 - domain_y[0]) / (domain_y[1] - domain_y[0])],
            "autorange": False,
            "anchor": "x4",
            "visible": False,
            "fixedrange": True,
        },
    }


def _gauge_title(s: Settings, title_y: float) -> dict:
    if s.optimizer in GD_LIKE:
        words = (
            # Three short lines (at most about 42 characters): longer ones ran into panel
            # (b)'s axis title beside the sidebar at 1280 px.
            "each step multiplies p − p̂ by ≈ 1 − lr·H<br>"
            "◆ at p̂, ● at p<sub>t</sub> · green |·| < 1: p settles<br>"
            "< 0: p zig-zags · < −1: the zig-zag grows"
        )
    else:
        words = "1 − lr·H is gradient descent's multiplier:<br>not shown for this optimizer"
    return {
        "text": words,
        "x": 0.25,
        "y": title_y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": FONT_SIZE - 3},
    }
