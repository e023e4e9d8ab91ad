"""The animated figure: one optimizer run shown on three synchronized Plotly panels.

(a) the NLL curve over p with the MLE and the moving p (with a trail of its last steps),
(b) the loss NLL(p_t) against the step t, (c) the real gradient dNLL/dp at p_t against t.

Every step of the run is drawn as a static line in (b) and (c); the animation moves only a
few small traces (client-side Plotly frames, ``redraw=False``), at frames chosen
geometrically so that the fast early motion is seen, always with the first, last and
divergence steps. All axis ranges are fixed: Plotly would otherwise size them from the first
frame only. Nothing is clamped: a p that left (0, 1) is drawn at the edge of panel (a) with
its true value written beside it, and its undefined NLL is said so.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from bernoulli import likelihood as lk
from bernoulli.optimize import OPTIMIZER_NAMES, Trajectory

# Okabe–Ito: distinguishable with every common colour-vision deficiency.
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)
FONT_SIZE = 17  # readable from the back of a lecture room
PRESENTER_SCALE = 1.25  # fonts, lines, markers and control spacing on a projector
FRAME_MS = 50  # frame duration at 1× speed
SPEEDS = (0.5, 1.0, 2.0, 4.0)
MARGIN_TOP, MARGIN_BOTTOM = 70, 200  # pixels around the panels: legend; slider and buttons
ESCAPE_REACH = 0.3  # an escaped p is drawn at most this far outside [0, 1]

_BIG = float(np.finfo(np.float64).max)
_LOG10_BIG = 308.25  # just below log10(_BIG) = 308.2547: 10**x stays a float
MAX_LINE_POINTS = 1500  # longer runs are drawn as a min/max envelope in the step panels

# Trace order; the frames update only the moving ones (MOVING), by index.
CURVE, MLE_LINE, START, PATH, ESCAPE = range(5)  # panel (a)
LOSS_LINE, LOSS_MIN, LOSS_NOW = range(5, 8)  # panel (b)
GRAD_LINE, GRAD_ZERO, GRAD_NOW = range(8, 11)  # panel (c)
MOVING = [PATH, ESCAPE, LOSS_NOW, GRAD_NOW]


def frame_indices(n_points: int, diverged_at: int | None, max_frames: int = 200) -> np.ndarray:
    """Steps to show as animation frames: every step early on, geometrically sparser later.

    Parameters
    ----------
    n_points : int
        Number of recorded points t = 0..n_points-1 (at least 1).
    diverged_at : int or None
        The divergence step, always included together with the step before it.
    max_frames : int
        Most frames to return (at least 4).

    Returns
    -------
    ndarray of int
        Sorted unique steps, with 0 and n_points - 1 always among them.
    """
    if n_points < 1:
        raise ValueError(f"need at least one point, got {n_points}")
    if max_frames < 4:
        raise ValueError(f"max_frames must be at least 4, got {max_frames}")
    last = n_points - 1
    if n_points <= max_frames:
        return np.arange(n_points)
    must = {0, last}
    if diverged_at is not None and 0 <= diverged_at <= last:
        must |= {diverged_at, max(diverged_at - 1, 0)}
    must_arr = np.array(sorted(must))

    def spaced(count: int) -> np.ndarray:
        # geomspace from 1 rounds to repeated small integers: every early step, then sparser.
        grid = np.round(np.geomspace(1, last, count)).astype(np.int64)
        return np.union1d(grid, must_arr)

    # The largest count whose steps fit the budget (the size grows with count).
    low, high, chosen = 1, max_frames, must_arr
    while len(spaced(high)) <= max_frames and high < 4 * n_points:
        high *= 2
    while low <= high:
        mid = (low + high) // 2
        candidate = spaced(mid)
        if len(candidate) <= max_frames:
            chosen, low = candidate, mid + 1
        else:
            high = mid - 1
    return chosen


def slider_steps(frames: np.ndarray, diverged_at: int | None, max_steps: int = 100) -> np.ndarray:
    """A subset of the frame steps for the scrub slider: evenly spaced among the frames.

    The frames are already dense early, so even spacing among them keeps that density. The
    first, last and divergence steps are always kept.
    """
    frames = np.asarray(frames)
    if len(frames) <= max_steps:
        return frames
    must = {int(frames[0]), int(frames[-1])}
    if diverged_at is not None and diverged_at in frames:
        must.add(int(diverged_at))
    room = max_steps - len(must)
    picks = frames[np.round(np.linspace(0, len(frames) - 1, room + 2)).astype(int)]
    steps = np.union1d(picks, np.array(sorted(must)))
    while len(steps) > max_steps:  # a pick may coincide with neither end: drop inner ones
        inner = [i for i, s in enumerate(steps) if int(s) not in must]
        steps = np.delete(steps, inner[len(inner) // 2])
    return steps


def _sig(x: float, digits: int = 7) -> float | None:
    """A number rounded for the wire: the animation needs screen precision, not 17 digits."""
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def _pad(lo: float, hi: float, frac: float = 0.06, top: float = _BIG) -> list[float]:
    """[lo, hi] widened by frac of its span: finite, and its upper end at most top."""
    span = hi - lo  # inf when the ends are near ±1e308: the ends then stop at ±_BIG
    if not span > 0:
        span = abs(hi) if hi else 1.0
    return [max(lo - frac * span, -_BIG), min(hi + frac * span, top)]


def _line(y: np.ndarray) -> dict:
    """x/y of a step line: every step, or a min/max envelope per bucket for long runs."""
    if len(y) <= MAX_LINE_POINTS:
        return {"x0": 0, "dx": 1, "y": y}
    buckets = np.array_split(np.arange(len(y)), MAX_LINE_POINTS // 2)
    keep = {0, len(y) - 1}
    for idx in buckets:
        part = y[idx]
        if np.isfinite(part).any():
            keep |= {int(idx[np.nanargmin(part)]), int(idx[np.nanargmax(part)])}
        else:
            keep.add(int(idx[0]))
    x = np.array(sorted(keep), dtype=np.int32)
    return {"x": x, "y": y[x]}


def _escape(traj: Trajectory) -> tuple[float, float] | None:
    """Where to draw the point that left (0, 1), at most ESCAPE_REACH beyond the edge.

    Its NLL is undefined, so it is drawn at the height of the step it jumped from (NaN when
    the run started outside).
    """
    if traj.diverged_at is None:
        return None
    t = traj.diverged_at
    p = float(traj.p[t])
    if math.isfinite(traj.nll[t]) and 0 <= p <= 1:
        return p, float(traj.nll[t])
    x = p if math.isfinite(p) else 1.0 + ESCAPE_REACH
    x = min(max(x, -ESCAPE_REACH), 1 + ESCAPE_REACH)
    return x, float(traj.nll[t - 1]) if t > 0 else float("nan")


def escape_label(traj: Trajectory) -> str:
    """Words beside the escaped point: 'p₅ = 2.422 →', then 'outside (0, 1): NLL undefined'."""
    t = traj.diverged_at
    p = float(traj.p[t])
    where = "outside (0, 1): NLL undefined" if not 0 <= p <= 1 else "NLL not finite"
    value = f"p<sub>{t}</sub> = {p:.4g}"
    if p > 1 or not math.isfinite(p):
        value += " →"
    elif p < 0:
        value = "← " + value
    return f"{value}<br>{where}"


def _curve_grid(traj: Trajectory, top: float, per: float) -> np.ndarray:
    """Values of p at which to draw the NLL curve: all of (0, 1), denser where it is shown.

    The shown part is where the NLL is below `top`: about p̂ ± sqrt(2 (top - min) / H) near
    the minimum, and at least the stretch the run went over.
    """
    p_hat = traj.mle
    inside = traj.p[(traj.p > 0) & (traj.p < 1)]
    lo, hi = (float(inside.min()), float(inside.max())) if inside.size else (p_hat, p_hat)
    if not lk.on_boundary(traj.n, traj.k):
        h = traj.n / (p_hat * (1 - p_hat)) * per
        half = 1.5 * math.sqrt(
            2 * (top - float(lk.nll(p_hat, traj.n, traj.k, traj.settings.loss))) / h
        )
        lo, hi = min(lo, p_hat - half), max(hi, p_hat + half)
    lo, hi = max(lo, 1e-9), min(hi, 1 - 1e-9)
    dense = np.linspace(lo, hi, 240) if hi > lo else np.array([])
    return np.union1d(np.union1d(np.linspace(0.0, 1.0, 161)[1:-1], dense), [p_hat])


def _steps_range(last: int) -> list[float]:
    last = max(last, 1)
    return [-0.02 * last, 1.02 * last]


def animated_figure(
    traj: Trajectory,
    *,
    log_grad: bool = False,
    max_frames: int = 200,
    max_slider_steps: int = 100,
    trail: int = 10,
    height: int = 700,
    presenter: bool = False,
) -> go.Figure:
    """The animated three-panel figure of one run.

    Parameters
    ----------
    traj : Trajectory
        The run to show; every step is drawn in the step panels (as a min/max envelope
        beyond MAX_LINE_POINTS steps).
    log_grad : bool
        Plot |dNLL/dp| on a log axis in panel (c) instead of dNLL/dp on a linear one.
    max_frames : int
        Most animation frames (chosen by :func:`frame_indices`).
    max_slider_steps : int
        Most steps on the scrub slider (chosen by :func:`slider_steps`).
    trail : int
        How many steps the moving p shows, itself included.
    height : int
        Figure height in pixels.
    presenter : bool
        For a projector: fonts, line widths, marker sizes and the room for the controls
        PRESENTER_SCALE times larger.

    Returns
    -------
    plotly.graph_objects.Figure
        Frames named by their step, play/pause and speed buttons, a slider, fixed ranges.
    """
    s, n, k = traj.settings, traj.n, traj.k
    p, nll, g = traj.p, traj.nll, traj.grad
    last = len(p) - 1
    p_hat = traj.mle
    nll_hat = float(lk.nll(p_hat, n, k, s.loss))
    finite_nll = nll[np.isfinite(nll)]

    # (a) p from 0 to 1 plus room for an escaped p; NLL from its minimum up to the highest
    # point of the run (the curve itself goes to infinity at the edges), and at least to
    # p̂ ± 3 standard errors, where the NLL is 4.5 above its minimum.
    escape = _escape(traj)
    x_lo, x_hi = (min(0.0, escape[0]), max(1.0, escape[0])) if escape else (0.0, 1.0)
    x_range = [x_lo - 0.04, x_hi + 0.04]
    per = 1.0 / n if s.loss == "mean" else 1.0
    top = max(nll_hat + 4.5 * per, float(finite_nll.max()) if finite_nll.size else -math.inf)
    y_range = _pad(nll_hat, top)
    mid_y = 0.5 * (y_range[0] + y_range[1])
    if escape is not None and not math.isfinite(escape[1]):
        escape = (escape[0], mid_y)
    grid = _curve_grid(traj, top, per)
    curve_y = np.asarray(lk.nll(grid, n, k, s.loss), dtype=np.float64)
    keep = curve_y <= y_range[1] + (y_range[1] - y_range[0])  # far above the panel: no bytes
    grid, curve_y = grid[keep], curve_y[keep]

    # (b) the loss, on a log axis when it spans more than a decade and a half.
    loss_lo = min(float(finite_nll.min()), nll_hat) if finite_nll.size else nll_hat
    loss_hi = float(finite_nll.max()) if finite_nll.size else nll_hat + 1
    loss_log = loss_lo > 0 and loss_hi / loss_lo >= 30
    if loss_log:
        loss_range = _pad(math.log10(loss_lo), math.log10(loss_hi), 0.05, top=_LOG10_BIG)
    else:
        loss_range = _pad(loss_lo, loss_hi)

    # (c) the gradient, or its size on a log axis.
    if log_grad:
        g_shown = np.abs(g)
        positive = g_shown[np.isfinite(g_shown) & (g_shown > 0)]
        g_range = [-1.0, 1.0]
        if positive.size:
            g_range = _pad(math.log10(positive.min()), math.log10(positive.max()), 0.05)
        if g_range[1] - g_range[0] < 1:
            mid = 0.5 * (g_range[0] + g_range[1])
            g_range = [mid - 0.5, mid + 0.5]
        g_range[1] = min(g_range[1], _LOG10_BIG)  # 10**g_range[1] must stay a float
    else:
        g_shown = g
        finite_g = g[np.isfinite(g)]
        lo = min(float(finite_g.min()), 0.0) if finite_g.size else -1.0
        hi = max(float(finite_g.max()), 0.0) if finite_g.size else 1.0
        g_range = _pad(lo, hi)
    # The vertical step cursors span their panel, in data units.
    loss_ends = [_sig(10**v if loss_log else v, 5) for v in loss_range]
    g_ends = [_sig(10**v if log_grad else v, 5) for v in g_range]

    step_mode = "lines+markers" if last <= 60 else "lines"  # a short run: see each step
    name = OPTIMIZER_NAMES[s.optimizer]
    in_p = "p" if s.param == "p" else "θ = logit p"
    g_label = "|dNLL/dp|" if log_grad else "dNLL/dp"
    sizes = [7] * (trail - 1) + [20]  # the trail, then the current p
    now = {"size": [0, 0, 15], "color": VERMILLION, "line": {"color": BLACK, "width": 1}}
    cursor = {"color": "rgba(0,0,0,0.4)", "width": 1.5}
    traces = [
        dict(
            type="scatter",
            x=grid,
            y=curve_y,
            mode="lines",
            name=f"{s.loss} NLL(p)",
            line={"color": BLACK, "width": 3},
            hovertemplate="p = %{x:.6g}<br>NLL = %{y:.8g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[p_hat, p_hat],
            y=[y_range[0], nll_hat],
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
            name=f"p<sub>t</sub> and its last steps ({name} in {in_p})",
            line={"color": SKY, "width": 2},
            marker={
                "size": sizes,
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
        dict(
            type="scatter",
            mode=step_mode,
            xaxis="x2",
            yaxis="y2",
            **_line(nll),
            line={"color": BLUE, "width": 2.5},
            marker={"size": 7, "color": BLUE},
            name="NLL(p_t)",
            showlegend=False,
            hovertemplate="step %{x}<br>NLL(p<sub>t</sub>) = %{y:.10g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[0, max(last, 1)],
            y=[nll_hat, nll_hat],
            mode="lines",
            xaxis="x2",
            yaxis="y2",
            line={"color": GREEN, "width": 2, "dash": "dot"},
            showlegend=False,
            hovertemplate="NLL(p̂) = %{y:.10g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines+markers",
            xaxis="x2",
            yaxis="y2",
            line=cursor,
            marker=now,
            showlegend=False,
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            mode=step_mode,
            xaxis="x3",
            yaxis="y3",
            **_line(g_shown),
            line={"color": BLUE, "width": 2.5},
            marker={"size": 7, "color": BLUE},
            showlegend=False,
            name=g_label,
            hovertemplate=f"step %{{x}}<br>{g_label} = %{{y:.8g}}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[] if log_grad else [0, max(last, 1)],
            y=[] if log_grad else [0, 0],
            mode="lines",
            xaxis="x3",
            yaxis="y3",
            showlegend=False,
            hoverinfo="skip",
            line={"color": GREEN, "width": 2, "dash": "dot"},
        ),
        dict(
            type="scatter",
            x=[],
            y=[],
            mode="lines+markers",
            xaxis="x3",
            yaxis="y3",
            line=cursor,
            marker=now,
            showlegend=False,
            hoverinfo="skip",
        ),
    ]

    steps = frame_indices(len(p), traj.diverged_at, max_frames)
    moving = [
        _moving(traj, int(t), trail, escape, g_shown, log_grad, loss_ends, g_ends, mid_y)
        for t in steps
    ]
    # The figure opens on its first frame, so a still image (or no JavaScript) is honest too.
    for index, update in zip(MOVING, moving[0], strict=True):
        traces[index].update(update)
    frames = [
        go.Frame(
            name=str(int(t)),
            traces=MOVING,
            data=[{"type": "scatter", **update} for update in data],
            _validate=False,
        )
        for t, data in zip(steps, moving, strict=True)
    ]
    scale = PRESENTER_SCALE if presenter else 1.0
    if presenter:
        traces = _enlarged(traces, scale)

    slider = slider_steps(steps, traj.diverged_at, max_slider_steps)
    still = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }

    def play(speed: float) -> dict:
        frame = {"duration": round(FRAME_MS / speed), "redraw": False}
        return {
            "frame": frame,
            "mode": "immediate",
            "transition": {"duration": 0},
            "fromcurrent": True,
        }

    margin_top, margin_bottom = round(MARGIN_TOP * scale), round(MARGIN_BOTTOM * scale)
    plot_px = height - margin_top - margin_bottom
    marks, labels = _divergence_marks(traj)

    def below(px: float) -> float:
        """Paper y of a point px pixels below the plotting area (for the controls)."""
        return -px * scale / plot_px

    axis = {
        "showline": True,
        "linecolor": BLACK,
        "ticks": "outside",
        "gridcolor": "#E3E3E3",
        "zeroline": False,
        "autorange": False,
    }
    shade = {
        "type": "rect",
        "xref": "x",
        "yref": "y domain",
        "y0": 0,
        "y1": 1,
        "fillcolor": "#E6E6E6",
        "line": {"width": 0},
        "layer": "below",
    }
    layout = {
        "template": {},  # no plotly.py template: the figure says all it needs
        "height": height,
        "font": {"size": FONT_SIZE, "color": BLACK, "family": "Source Sans Pro, Arial, sans-serif"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": round(90 * scale), "r": 20, "t": margin_top, "b": margin_bottom},
        "hovermode": "closest",
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": 1.02,
            "xanchor": "left",
            "yanchor": "bottom",
            "font": {"size": FONT_SIZE - 2},
        },
        "xaxis": {
            **axis,
            "domain": [0, 0.5],
            "range": x_range,
            "anchor": "y",
            "title": {"text": "p"},
        },
        "yaxis": {
            **axis,
            "domain": [0, 1],
            "range": y_range,
            "anchor": "x",
            "title": {"text": f"{s.loss} NLL(p)"},
        },
        "xaxis2": {
            **axis,
            "domain": [0.6, 1],
            "range": _steps_range(last),
            "anchor": "y2",
            "showticklabels": False,
        },
        "yaxis2": {
            **axis,
            "domain": [0.54, 1],
            "range": loss_range,
            "anchor": "x2",
            "type": "log" if loss_log else "linear",
            "title": {"text": "NLL(p<sub>t</sub>)"},
        },
        "xaxis3": {
            **axis,
            "domain": [0.6, 1],
            "range": _steps_range(last),
            "anchor": "y3",
            "title": {"text": "step t"},
        },
        "yaxis3": {
            **axis,
            "domain": [0, 0.46],
            "range": g_range,
            "anchor": "x3",
            "type": "log" if log_grad else "linear",
            "exponentformat": "power",
            "title": {"text": f"{g_label} (log)" if log_grad else g_label},
        },
        # Outside [0, 1] the likelihood is not defined: shade it.
        "shapes": [
            {**shade, "x0": x_range[0], "x1": 0},
            {**shade, "x0": 1, "x1": x_range[1]},
            *marks,
        ],
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0,
                "y": below(150),
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 0, "r": 8},
                "font": {"size": FONT_SIZE},
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, play(1.0)]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]},
                ],
            },
            {
                "type": "buttons",
                "direction": "left",
                "showactive": True,
                "active": 1,
                "x": 1,
                "y": below(150),
                "xanchor": "right",
                "yanchor": "top",
                "pad": {"t": 0},
                "font": {"size": FONT_SIZE - 1},
                "buttons": [
                    {"label": f"{speed:g}×", "method": "animate", "args": [None, play(speed)]}
                    for speed in SPEEDS
                ],
            },
        ],
        "sliders": [
            {
                "active": 0,
                "x": 0,
                "len": 1,
                "y": below(62),
                "yanchor": "top",
                "pad": {"t": 0, "b": 0, "l": 0, "r": 0},
                "font": {"size": FONT_SIZE - 4},
                "currentvalue": {
                    "prefix": "step ",
                    "font": {"size": FONT_SIZE},
                    "xanchor": "left",
                    "offset": 8,
                },
                "steps": [
                    {"label": str(int(t)), "method": "animate", "args": [[str(int(t))], still]}
                    for t in slider
                ],
            },
        ],
        "annotations": [
            {
                "text": "speed",
                "x": 1,
                # left of the four speed buttons (their padding does not scale), at any width
                "xshift": -212 * math.sqrt(scale),
                "y": below(158),
                "xref": "paper",
                "yref": "paper",
                "xanchor": "right",
                "yanchor": "top",
                "showarrow": False,
            },
            *labels,
        ],
    }
    if presenter:
        layout = _enlarged(layout, scale)
    fig = go.Figure(data=traces, layout=layout, _validate=False)
    # Passed to go.Figure, the frames would be validated again, trace by trace: 80-130 ms
    # for 200 frames, most of a figure's build. These frames are plain dicts built above,
    # so they are attached as they are (the Figure keeps its frames in this tuple).
    fig._frame_objs = tuple(frames)
    return fig


def _enlarged(node, scale: float):
    """A copy of a trace or layout spec with every font size, marker size and line width
    (a "size" or a "width" key) multiplied by `scale`."""
    if isinstance(node, dict):
        return {
            key: _times(value, scale) if key in ("size", "width") else _enlarged(value, scale)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_enlarged(value, scale) for value in node]
    return node


def _times(value, scale: float):
    if isinstance(value, list):
        return [v * scale for v in value]
    return value * scale if isinstance(value, int | float) else value


def _divergence_marks(traj: Trajectory) -> tuple[list[dict], list[dict]]:
    """Shapes and annotations: a labelled vertical line at the divergence step in (b), (c)."""
    if traj.diverged_at is None:
        return [], []
    t = traj.diverged_at
    mark = {
        "type": "line",
        "x0": t,
        "x1": t,
        "y0": 0,
        "y1": 1,
        "layer": "below",
        "line": {"color": PURPLE, "width": 3, "dash": "dash"},
    }
    label = {
        "text": f"p left (0, 1) at step {t}",
        "x": t,
        "y": 1,
        "xref": "x2",
        "yref": "y2 domain",
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
        "bgcolor": "rgba(255,255,255,0.85)",
        "font": {"size": FONT_SIZE - 3},
    }
    shapes = [
        {**mark, "xref": "x2", "yref": "y2 domain"},
        {**mark, "xref": "x3", "yref": "y3 domain"},
    ]
    return shapes, [label]


def _moving(traj, t, trail, escape, g_shown, log_grad, loss_ends, g_ends, mid_y) -> list[dict]:
    """The moving traces at step t, in MOVING order."""
    p, nll = traj.p, traj.nll
    escaped = traj.diverged_at is not None and t == traj.diverged_at
    end = t - 1 if escaped else t  # at the escape the path ends at the last p inside (0, 1)
    if end >= 0:
        # A fixed number of points (the first repeated) keeps the marker sizes aligned.
        span = [max(0, end - trail + 1)] * max(0, trail - end - 1)
        span += list(range(max(0, end - trail + 1), end + 1))
        path = {"x": [_sig(p[i]) for i in span], "y": [_sig(nll[i]) for i in span]}
    else:
        path = {"x": [], "y": []}
    if escaped:
        x, y = escape
        start = float(p[t - 1]) if t > 0 else x
        esc = {
            "x": [_sig(start), _sig(x)],
            "y": [_sig(y), _sig(y)],
            "text": ["", escape_label(traj)],
            "textposition": ("bottom" if y > mid_y else "top") + (" left" if x > 0.5 else " right"),
        }
    else:
        esc = {"x": [], "y": [], "text": []}
    gt = float(g_shown[t])
    g_ok = math.isfinite(gt) and (gt > 0 or not log_grad)  # a log axis cannot show 0
    return [
        path,
        esc,
        {"x": [t, t, t], "y": [*loss_ends, _sig(nll[t])]},
        {"x": [t, t, t], "y": [*g_ends, _sig(gt) if g_ok else None]},
    ]
