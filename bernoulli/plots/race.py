"""The optimizer race: several optimizers animated together on the NLL curve.

Top: the NLL curve with each optimizer's p_t (and its last few steps); bottom: the excess loss
NLL(p_t) - NLL(p̂) against the step, on a log axis, every step drawn, with a moving marker. A
run that left (0, 1) stays at its last point inside and says when it left.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Trajectory
from bernoulli.plots.frames import frame_indices
from bernoulli.plots.style import (
    BLACK,
    BLUE,
    EXPLORER_AXIS,
    FONT_SIZE,
    GREEN,
    GREY,
    MLE_MARKER,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    base_layout,
    play_pause_buttons,
    sig,
    slider_steps_spec,
)

RACE_COLORS = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, BLACK)
PLAY_MS = 80  # frame duration when playing
TOP_PX, BOTTOM_PX = 110, 170  # pixels around the panels: legend; slider and buttons


@dataclass(frozen=True)
class Racer:
    """One optimizer in the race."""

    label: str  # legend entry, e.g. "momentum (β = 0.9)"
    traj: Trajectory  # its run
    color: str  # its colour


@dataclass(frozen=True)
class RaceOptions:
    """How the race is drawn."""

    trail: int = 5  # steps shown behind each moving point
    max_frames: int = 100  # most animation frames (and slider steps)
    height: int = 700  # figure height in pixels


DEFAULT_OPTIONS = RaceOptions()


def race_frames(racers: Sequence[Racer], max_frames: int = 100) -> np.ndarray:
    """Steps shown as frames: geometric over the longest run, with every end and escape step."""
    longest = max(len(r.traj.p) for r in racers)
    must = {0, longest - 1}
    for r in racers:
        must.add(len(r.traj.p) - 1)
        if r.traj.diverged_at is not None:
            must |= {r.traj.diverged_at, max(r.traj.diverged_at - 1, 0)}
    must_arr = np.array(sorted(must))
    budget = max(4, max_frames - len(must_arr))
    return np.union1d(frame_indices(longest, None, budget), must_arr)[:max_frames]


def race_figure(
    racers: Sequence[Racer],
    n: int,
    k: int,
    loss: str = "sum",
    options: RaceOptions = DEFAULT_OPTIONS,
) -> go.Figure:
    """Several optimizers on the same data and start, animated together with one step slider.

    Parameters
    ----------
    racers : sequence of Racer
        The runs, each with its label and colour; all on the same (n, k) and loss scale.
    n, k : int
        Number of samples and number of ones.
    loss : {"sum", "mean"}
        The loss scale of the runs.
    options : RaceOptions
        Trail length, most frames (and slider steps), height.
    """
    excess = [_excess(r.traj, n, k, loss) for r in racers]
    fig = make_subplots(rows=2, cols=1, row_heights=[0.55, 0.45], vertical_spacing=0.2)
    y_range = _add_curve(fig, racers, n, k, loss)
    for r, ex in zip(racers, excess, strict=True):
        fig.add_trace(
            go.Scatter(
                x=np.arange(len(ex)),
                y=sig(ex),
                mode="lines",
                name=r.label,
                legendgroup=r.label,
                showlegend=False,
                line={"color": r.color, "width": 2.5},
                hovertemplate="step %{x}<br>NLL − min = %{y:.4g}<extra>" + r.label + "</extra>",
            ),
            row=2,
            col=1,
        )
    moving_start = len(fig.data)
    _add_moving(fig, racers, _moving(racers, excess, 0, options.trail))
    moving_idx = list(range(moving_start, len(fig.data)))
    steps = race_frames(racers, options.max_frames)
    frames = []
    for t in steps:
        data = _moving(racers, excess, int(t), options.trail)
        data = [_sized(d) for d in data[: len(racers)]] + data[len(racers) :]
        frames.append(go.Frame(name=str(int(t)), traces=moving_idx, data=data))
    fig.frames = frames
    fig.update_layout(_layout(steps, options.height))
    longest = max(len(r.traj.p) for r in racers)
    _set_axes(fig, loss, y_range, longest, _excess_range(excess))
    return fig


def _excess(traj: Trajectory, n: int, k: int, loss: str) -> np.ndarray:
    """NLL(p_t) - NLL(p̂) at every step, NaN where a log axis cannot show it."""
    ex = np.array(lk.excess_nll(traj.p, n, k, loss), dtype=np.float64)
    ex[~(ex > 0)] = np.nan  # a log axis has no 0 (p exactly p̂); NaN where p left (0, 1)
    return ex


def _excess_range(excess: list[np.ndarray]) -> list[float]:
    """The log axis of the excess (exponents): every finite value, at least 1e-12..1."""
    positive = np.concatenate([e[np.isfinite(e)] for e in excess] + [np.array([1e-12, 1.0])])
    return [math.log10(max(positive.min(), 1e-16)) - 0.3, math.log10(positive.max()) + 0.3]


def _add_curve(fig: go.Figure, racers: Sequence[Racer], n: int, k: int, loss: str) -> list:
    """The NLL curve and the MLE in the top panel; returns the panel's NLL range."""
    p_hat = lk.mle(n, k)
    nll_hat = float(lk.nll(p_hat, n, k, loss))
    grid = np.union1d(np.linspace(0.0, 1.0, 401)[1:-1], [p_hat])
    curve = np.asarray(lk.nll(grid, n, k, loss))
    starts = [float(r.traj.nll[0]) for r in racers if math.isfinite(r.traj.nll[0])]
    edge = float(np.nanmax(lk.nll(np.array([0.03, 0.97]), n, k, loss)))
    top = max([edge, nll_hat + 1e-9, *starts])
    y_range = [nll_hat - 0.04 * (top - nll_hat), top + 0.05 * (top - nll_hat)]
    keep = curve <= y_range[1] + (y_range[1] - y_range[0])
    fig.add_trace(
        go.Scatter(
            x=sig(grid[keep]),
            y=sig(curve[keep]),
            mode="lines",
            name=f"{loss} NLL(p)",
            line={"color": GREY, "width": 3},
            hoverinfo="skip",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[p_hat],
            y=[nll_hat],
            mode="markers",
            name=f"p̂ = {p_hat:.4g}",
            showlegend=False,
            marker=MLE_MARKER,
            hovertemplate="MLE p̂ = %{x:.6g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    return y_range


def _shown_index(traj: Trajectory, t: int) -> int:
    """The last step <= t at which p is inside (0, 1) (where the NLL curve can show it)."""
    t = min(t, len(traj.p) - 1)
    while t > 0 and not (0 < traj.p[t] < 1 and math.isfinite(traj.nll[t])):
        t -= 1
    return t


def _moving(racers: Sequence[Racer], excess: list[np.ndarray], t: int, trail: int) -> list[dict]:
    """The moving traces at step t: each racer's trail on the curve, then its excess marker."""
    out = []
    for r in racers:
        i = _shown_index(r.traj, t)
        idx = list(range(max(0, i - trail + 1), i + 1))
        idx = [j for j in idx if 0 < r.traj.p[j] < 1]
        out.append({"x": sig(r.traj.p[idx]).tolist(), "y": sig(r.traj.nll[idx]).tolist()})
    for ex in excess:
        i = min(t, len(ex) - 1)
        out.append({"x": [i], "y": [sig(ex[i]).item()]})
    return out


def _sized(update: dict) -> dict:
    """A trail update with its marker sizes: small behind, large at the current p."""
    count = len(update["x"])
    return {**update, "marker.size": [7] * max(count - 1, 0) + [18]} if count else update


def _add_moving(fig: go.Figure, racers: Sequence[Racer], first: list[dict]) -> None:
    """The moving traces, at step 0: trails on the curve (top), markers on the excess (bottom)."""
    for r, data in zip(racers, first[: len(racers)], strict=True):
        left = r.traj.diverged_at
        note = f" — left (0, 1) at step {left}" if left is not None else ""
        count = len(data["x"])
        fig.add_trace(
            go.Scatter(
                **data,
                mode="lines+markers",
                name=r.label + note,
                legendgroup=r.label,
                line={"color": r.color, "width": 2},
                marker={
                    "size": [7] * (count - 1) + [18],
                    "color": r.color,
                    "line": {"color": BLACK, "width": 1.5},
                },
                hovertemplate="p = %{x:.6g}<br>NLL = %{y:.8g}<extra>" + r.label + "</extra>",
            ),
            row=1,
            col=1,
        )
    for r, data in zip(racers, first[len(racers) :], strict=True):
        fig.add_trace(
            go.Scatter(
                **data,
                mode="markers",
                name=r.label,
                legendgroup=r.label,
                showlegend=False,
                marker={"size": 14, "color": r.color, "line": {"color": BLACK, "width": 1.5}},
                hoverinfo="skip",
            ),
            row=2,
            col=1,
        )


def _layout(steps: np.ndarray, height: int) -> dict:
    """Legend above, Play/Pause and the step slider below the panels."""
    plot_px = height - TOP_PX - BOTTOM_PX

    def below(px: float) -> float:
        """Paper y of a point px pixels below the plotting area (for the controls)."""
        return -px / plot_px

    menu = {"type": "buttons", "direction": "left", "showactive": False, "x": 0, "y": below(75)}
    # The slider starts right of Play/Pause (about 190 px), so its "step t" is never covered.
    slider = {"active": 0, "x": 0.3, "len": 0.7, "y": below(70), "yanchor": "top"}
    return base_layout(
        height,
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.01,
            "yanchor": "bottom",
            "font": {"size": FONT_SIZE - 2},
        },
        margin={"l": 100, "r": 20, "t": TOP_PX, "b": BOTTOM_PX},
        updatemenus=[
            {
                **menu,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": FONT_SIZE},
                "buttons": play_pause_buttons(PLAY_MS),
            }
        ],
        sliders=[
            {
                **slider,
                "currentvalue": {"prefix": "step ", "font": {"size": FONT_SIZE}},
                "font": {"size": FONT_SIZE - 3},  # 14 px: read on a projector
                "pad": {"t": 0, "b": 0},
                "steps": slider_steps_spec(steps),
            }
        ],
    )


def _set_axes(fig: go.Figure, loss: str, y_range: list, longest: int, ex_range: list) -> None:
    """Fixed ranges: p and NLL on top; the step and the excess (log) below."""
    fig.update_xaxes(
        EXPLORER_AXIS,
        range=[-0.02, 1.02],
        autorange=False,
        title={"text": "p", "standoff": 2},  # clear of the panel below
        row=1,
        col=1,
    )
    fig.update_yaxes(
        EXPLORER_AXIS,
        range=y_range,
        autorange=False,
        title_text=f"{loss} NLL(p)",
        row=1,
        col=1,
    )
    fig.update_xaxes(
        EXPLORER_AXIS,
        range=[-0.02 * longest, 1.02 * (longest - 1)],
        autorange=False,
        title_text="step t",
        row=2,
        col=1,
    )
    fig.update_yaxes(
        EXPLORER_AXIS,
        type="log",
        range=ex_range,
        autorange=False,
        title_text="NLL(p<sub>t</sub>) − min",
        exponentformat="power",
        row=2,
        col=1,
    )
