"""The layout of the animated figure: three fixed-range panels, their marks, and the controls."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from bernoulli.engine.optimize import Trajectory
from bernoulli.plots.panels import Panels, grad_axes_titles, steps_range
from bernoulli.plots.step_marks import gauge_layout
from bernoulli.plots.style import (
    AXIS,
    BLACK,
    FONT,
    FONT_SIZE,
    FRAME_MS,
    PURPLE,
    play_pause_buttons,
    slider_steps_spec,
    speed_buttons,
    step_buttons,
)

# Pixels around the panels: above, the buttons and the slider (Play is the first thing on
# screen, whatever is above the figure); below, the axis titles and the legend. The legend's
# entries are as wide as their words, so none runs into the next; they fill as many columns as
# fit (two beside the sidebar at 1280 px, three wider), and the margin holds five rows: ten
# entries in two columns. (A legend taller than its margin would push the margin and squeeze
# the panels, moving the gauge and the step shown, which are placed in pixels.)
MARGIN_TOP, MARGIN_BOTTOM = 74, 196
MARGIN_RIGHT = 46  # the toolbar stands upright here, clear of the legend and the panels
# Above panel (a), from the top of the panels down (pixels, unscaled): the step shown (see
# animated._step_now), the gauge's three-line title, the gauge, its tick labels; panel (a) takes
# the rest of the height.
STEP_ROW, GAUGE_TITLE, GAUGE_BAR, GAUGE_TICKS = 20, 64, 18, 30
# The gauge's title stands this high above its bar: clear of the ◆ at p̂ (24 px, drawn whole)
# and of the needle's dot.
GAUGE_CLEAR = 8
# The step shown, in the gauge's y units (its bar spans 0 to 1, GAUGE_BAR pixels): mid-row.
STEP_Y = 1 + (GAUGE_TITLE + STEP_ROW / 2) / GAUGE_BAR


def layout(
    traj: Trajectory, view: Panels, slider: Sequence[int], height: int, scale: float
) -> dict:
    """The figure's layout; `scale` (PRESENTER_SCALE or 1) sizes the room for the controls."""
    margin_top, margin_bottom = round(MARGIN_TOP * scale), round(MARGIN_BOTTOM * scale)
    plot_px = height - margin_top - margin_bottom

    def below(px: float) -> float:
        """Paper y of a point px pixels below the plotting area."""
        return -px * scale / plot_px

    def above(px: float) -> float:
        """Paper y of a point px pixels above the plotting area."""
        return 1 + px * scale / plot_px

    marks = _divergence_marks(traj)
    gauge = [1 + below(STEP_ROW + GAUGE_TITLE + GAUGE_BAR), 1 + below(STEP_ROW + GAUGE_TITLE)]
    gauge_axes, gauge_shapes, gauge_title = gauge_layout(traj, gauge, gauge[1] - below(GAUGE_CLEAR))
    curve_top = gauge[0] + below(GAUGE_TICKS)
    menus, sliders, speed_label = controls(slider, above, scale, MARGIN_TOP, named=False)
    return {
        "template": {},  # no plotly.py template: the figure says all it needs
        "height": height,
        "font": dict(FONT),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {
            "l": round(90 * scale),
            "r": MARGIN_RIGHT,
            "t": margin_top,
            "b": margin_bottom,
        },
        "modebar": {"orientation": "v"},
        "hovermode": "closest",
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": below(64),
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": FONT_SIZE - 3},
        },
        **_axes(traj, view, curve_top),
        **gauge_axes,
        "shapes": [*_outside_shades(view), *marks, *gauge_shapes],
        "updatemenus": menus,
        "sliders": sliders,
        "annotations": [speed_label, *gauge_title],
    }


def _outside_shades(view: Panels) -> list[dict]:
    """Grey over p < 0 and p > 1 in panel (a): the likelihood is not defined there."""
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
    return [
        {**shade, "x0": view.x_range[0], "x1": 0},
        {**shade, "x0": 1, "x1": view.x_range[1]},
    ]


def _axes(traj: Trajectory, view: Panels, curve_top: float) -> dict:
    """The six axes: (a) p and NLL on the left; (b) loss above (c) gradient on the right.

    Each panel is named, (a), (b), (c) as the caption cites them, in its y-axis title: a
    name inside a panel would lie on its data (a start at the top left, a loss's first step).
    """
    axis = {**AXIS, "autorange": False}
    last = len(traj.p) - 1
    g_title, step_title = grad_axes_titles(traj.problem, view.log_grad)
    return {
        "xaxis": {
            **axis,
            "domain": [0, 0.5],
            "range": view.x_range,
            "anchor": "y",
            "title": {"text": "p", "standoff": 2},
        },
        "yaxis": {
            **axis,
            "domain": [0, curve_top],
            "range": view.y_range,
            "anchor": "x",
            "title": {"text": f"<b>(a)</b> {traj.settings.loss} NLL(p)"},
        },
        "xaxis2": {
            **axis,
            "domain": [0.6, 1],
            "range": steps_range(last),
            "anchor": "y2",
            "showticklabels": False,
            **step_ticks(last),
        },
        "yaxis2": {
            **axis,
            "domain": [0.54, 1],
            "range": view.loss_range,
            "anchor": "x2",
            "type": "log" if view.loss_log else "linear",
            "title": {"text": "<b>(b)</b> NLL(p<sub>t</sub>)"},
        },
        "xaxis3": {
            **axis,
            "domain": [0.6, 1],
            "range": steps_range(last),
            "anchor": "y3",
            "title": {"text": step_title, "standoff": 2},
            **step_ticks(last),
        },
        "yaxis3": {
            **axis,
            "domain": [0, 0.46],
            "range": view.g_range,
            "anchor": "x3",
            "type": "log" if view.log_grad else "linear",
            "exponentformat": "power",
            "title": {"text": f"<b>(c)</b> {g_title}"},
        },
    }


def step_ticks(last: int) -> dict:
    """Whole-number steps on a short run's step axis (not 0, 0.2, 0.4, ...)."""
    if last > 10:
        return {"tickformat": "d"}
    return {"tickmode": "linear", "tick0": 0, "dtick": 1}


def controls(
    slider: Sequence[int],
    above: Callable[[float], float],
    scale: float,
    top: float,
    named: bool = True,
) -> tuple[list[dict], list[dict], dict]:
    """Play/pause and speed buttons, the step slider, and the word "speed" beside the speeds,
    in the `top` pixels (unscaled) above the plotting area; `named`, the slider names the
    current step above itself."""
    menus = _menus(above(top - 4))
    sliders = [
        {
            "active": 0,
            "x": 0,
            "len": 1,
            "y": above(top - 40),
            "yanchor": "top",
            "pad": {"t": 0, "b": 0, "l": 0, "r": 0},
            # The stops are not labelled (many would overprint, and their row would crowd the
            # gauge's title below). With `named`, the current step is named above the slider;
            # without, the figure names it itself (see animated._step_now).
            "font": {"size": 6, "color": "rgba(0,0,0,0)"},
            "currentvalue": {
                "visible": named,
                "prefix": "step ",
                "font": {"size": FONT_SIZE, "color": BLACK},
                "xanchor": "left",
                "offset": 4,
            },
            "steps": slider_steps_spec(slider, labelled=named),
        },
    ]
    speed_label = {
        "text": "speed",
        "x": 1,
        # left of the four speed buttons (their padding does not scale), at any width
        "xshift": -212 * math.sqrt(scale),
        "y": above(top - 12),
        "xref": "paper",
        "yref": "paper",
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
    }
    return menus, sliders, speed_label


def _menus(y: float) -> list[dict]:
    """Play/pause with the step buttons at the left, the speeds at the right, their tops at
    paper y `y`."""
    return [
        {
            "type": "buttons",
            "direction": "left",
            "showactive": False,
            "x": 0,
            "y": y,
            "xanchor": "left",
            "yanchor": "top",
            "pad": {"t": 0, "r": 8},
            "font": {"size": FONT_SIZE},
            "buttons": [*play_pause_buttons(FRAME_MS), *step_buttons()],
        },
        {
            "type": "buttons",
            "direction": "left",
            "showactive": True,
            "active": 1,
            "x": 1,
            "y": y,
            "xanchor": "right",
            "yanchor": "top",
            "pad": {"t": 0},
            "font": {"size": FONT_SIZE - 1},
            "buttons": speed_buttons(),
        },
    ]


def _divergence_marks(traj: Trajectory) -> list[dict]:
    """A vertical line at the divergence step in (b) and (c), below the traces: the white
    covers hide it until the animation reaches it (its words are a trace that the frames
    fill, animated.py's "escape_label")."""
    if traj.diverged_at is None:
        return []
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
    return [
        {**mark, "xref": "x2", "yref": "y2 domain"},
        {**mark, "xref": "x3", "yref": "y3 domain"},
    ]
