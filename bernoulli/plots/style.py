"""The look every figure shares: palette, fonts, axes, number rounding and animation controls.

Colours are Okabe–Ito (distinguishable with every common colour-vision deficiency), fonts are
large for a lecture room, and no plotly.py template is used: each figure says all it needs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

# Okabe–Ito: distinguishable with every common colour-vision deficiency.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#7F7F7F"
MLE_MARKER = {
    "size": 14,
    "symbol": "diamond",
    "color": GREEN,
    "line": {"color": BLACK, "width": 1},
}  # p̂ in the explorer

FONT_SIZE = 17  # readable from the back of a lecture room
PRESENTER_SCALE = 1.25  # fonts, lines, markers and control spacing on a projector
FONT = {"size": FONT_SIZE, "color": BLACK, "family": "Source Sans Pro, Arial, sans-serif"}

# Axis lines and ticks every panel has; each figure adds its range and title.
AXIS = {
    "showline": True,
    "linecolor": BLACK,
    "ticks": "outside",
    "gridcolor": "#E3E3E3",
    "zeroline": False,
}
EXPLORER_AXIS = {**AXIS, "mirror": False}  # the explorer's figures say so explicitly

FRAME_MS = 50  # frame duration at 1× speed
SPEEDS = (0.5, 1.0, 2.0, 4.0)


def sig(x, digits: int = 7) -> np.ndarray:
    """Numbers rounded for the wire (screen precision, not 17 digits), NaN kept as NaN.

    Vectorized for whole arrays; for one number that must equal its printed value exactly
    (the animation's frames) use :func:`sig_value`.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(np.isfinite(x) & (x != 0), np.floor(np.log10(np.abs(x))), 0)
        scale = 10.0 ** (digits - 1 - mag)
        return np.where(np.isfinite(x), np.round(x * scale) / scale, x)


def sig_value(x: float, digits: int = 7) -> float | None:
    """One number rounded for the wire as it prints (``f"{x:.7g}"``); None (JSON null) if not
    finite."""
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


PIXELS = 4000  # the widest an axis is ever drawn, in device pixels (a 4K projector)


def on_screen(x: float, span: float, log: bool = False) -> float | None:
    """One coordinate that is only drawn (not shown as a number), rounded to what a pixel can
    show: to a power of ten at most span / PIXELS on a linear axis of this span, to 5
    significant digits on a log axis; None (JSON null) if not finite."""
    x = float(x)
    if not math.isfinite(x):
        return None
    if log or not span > 0 or not math.isfinite(span):
        return sig_value(x, 5)
    # log10(PIXELS) - log10(span), not log10(PIXELS / span): a subnormal span overflows that
    return round(x, math.ceil(math.log10(PIXELS) - math.log10(span)))


def fmt(x: float) -> str:
    """A number in a legend or a label: four significant digits."""
    return f"{x:.4g}"


def base_layout(height: int, **extra) -> dict:
    """The layout of an explorer figure: white, large fonts, closest-point hover."""
    layout = {
        "template": {},
        "height": height,
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": FONT_SIZE}},
        "margin": {"l": 100, "r": 30, "t": 80, "b": 70},
    }
    layout.update(extra)
    return layout


def log_range(lo: float, hi: float, pad: float = 0.03) -> list[float]:
    """A log axis range (in exponents) over [lo, hi], widened by pad of its span."""
    a, b = math.log10(lo), math.log10(hi)
    span = max(b - a, 1e-9)
    return [a - pad * span, b + pad * span]


def log_lr_axis(lo: float, hi: float, pad: float = 0.03) -> dict:
    """The explorer's log learning-rate axis over [lo, hi] (`log_range`), a tick a decade."""
    return {
        **EXPLORER_AXIS,
        "type": "log",
        "range": log_range(lo, hi, pad),
        "autorange": False,
        "title": {"text": "learning rate (log scale)"},
        "exponentformat": "power",
        "dtick": 1,
    }


def foot_legend() -> dict:
    """A legend in one row at the foot of the figure, under the axis title."""
    return {
        "orientation": "h",
        "x": 0,
        "y": 0,
        "yref": "container",
        "yanchor": "bottom",
        "font": {"size": FONT_SIZE - 2},
    }


def enlarged(node, scale: float):
    """A copy of a trace or layout spec with every font size, marker size and line width
    (a "size" or a "width" key) multiplied by `scale`."""
    if isinstance(node, dict):
        return {
            key: _times(value, scale) if key in ("size", "width") else enlarged(value, scale)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [enlarged(value, scale) for value in node]
    return node


def _times(value, scale: float):
    if isinstance(value, list):
        return [v * scale for v in value]
    return value * scale if isinstance(value, int | float) else value


# --- animation controls ---------------------------------------------------------------------


def still() -> dict:
    """Animate arguments that jump to a frame at once (no redraw: only the data moves)."""
    return {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }


def playing(duration_ms: float) -> dict:
    """Animate arguments that play on from the current frame, duration_ms per frame."""
    return {
        "frame": {"duration": duration_ms, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
        "fromcurrent": True,
    }


def play_pause_buttons(duration_ms: float) -> list[dict]:
    """The ▶ Play and ❚❚ Pause buttons of an animation."""
    return [
        {"label": "▶ Play", "method": "animate", "args": [None, playing(duration_ms)]},
        {"label": "❚❚ Pause", "method": "animate", "args": [[None], still()]},
    ]


def step_buttons() -> list[dict]:
    """One step back, one step on: buttons that do nothing in Plotly itself (method "skip");
    the page's script (ui/static/keyboard.js) and the offline page's (export) move the slider
    one stop when they are clicked."""
    return [
        {"label": "◀ −1", "method": "skip", "args": [None]},
        {"label": "+1 ▶", "method": "skip", "args": [None]},
    ]


def speed_buttons(speeds: Sequence[float] = SPEEDS) -> list[dict]:
    """One button per speed (0.5×, 1×, ...), each playing at FRAME_MS / speed per frame."""
    return [
        {
            "label": f"{speed:g}×",
            "method": "animate",
            "args": [None, playing(round(FRAME_MS / speed))],
        }
        for speed in speeds
    ]


def slider_steps_spec(steps: Sequence[int], labelled: bool = True) -> list[dict]:
    """The steps of a scrub slider, each showing the frame named by its step (labelled with
    it, or not: see animated._step_now)."""
    return [
        {
            "label": str(int(t)) if labelled else "",
            "method": "animate",
            "args": [[str(int(t))], still()],
        }
        for t in steps
    ]


def attach_frames(fig: go.Figure, traces: list[int], frames: Mapping[str, list[dict]]) -> None:
    """Give fig its frames (name -> updates of `traces`) without plotly.py validating them.

    Passed to go.Figure, frames are validated again, trace by trace: 80-130 ms for 200 frames,
    most of a figure's build. Frames of plain, already valid dicts are attached as they are
    (the Figure keeps its frames in this tuple); tests/test_plots_style.py holds the result
    equal to validated frames.
    """
    fig._frame_objs = tuple(
        go.Frame(name=name, traces=traces, data=data, _validate=False)
        for name, data in frames.items()
    )


COVER_REACH = 10**7  # the covers reach this many steps right of the current one: past any axis


def cover(xaxis: str, yaxis: str, y: list[float], x0: int = 0) -> dict:
    """A white box over the steps after x0, its left edge the step cursor: step lines draw as
    the animation plays, not their ending first.

    Three points x0, x0 + COVER_REACH, x0 + 2·COVER_REACH (x0 and dx: a frame moves it with x0
    alone) at y's bottom, top and bottom, joined vertical-then-horizontal ("vh"): the outline
    goes up the left edge, along the top, and down far right of the axis; filled, it is the box
    from x0 rightwards.
    """
    return dict(
        type="scatter",
        x0=x0,
        dx=COVER_REACH,
        y=y,
        mode="lines",
        fill="toself",
        fillcolor="white",
        line={"color": "rgba(0,0,0,0.4)", "width": 1.5, "shape": "vh"},
        xaxis=xaxis,
        yaxis=yaxis,
        showlegend=False,
        hoverinfo="skip",
    )
