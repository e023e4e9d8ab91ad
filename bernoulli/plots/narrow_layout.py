"""The animated figure on a phone (a viewport at most NARROW_MAX_WIDTH px wide): the curve
panel (a) above the loss (b) above the gradient (c), each the column's width, and the
player's buttons tap targets of at least 44×44 px in two rows.

The figure carries this as ``layout.meta.narrow``: Plotly attribute paths and their values,
only where things sit (the traces, ranges and frames are the wide figure's). The page's script
(ui/static/keyboard.js) applies it with ``Plotly.relayout`` on a narrow viewport, and the page's
style gives the chart NARROW_HEIGHT px there (Streamlit sizes a Plotly chart to its element).
"""

from __future__ import annotations

from bernoulli.plots.animated_layout import (
    GAUGE_BAR,
    GAUGE_CLEAR,
    GAUGE_TICKS,
    GAUGE_TITLE,
    STEP_ROW,
)
from bernoulli.plots.style import FONT_SIZE, SPEEDS

NARROW_MAX_WIDTH = 640  # px of viewport: a phone held upright (and a small tablet)
FONT = 15  # tick labels and titles on a phone (the legend and the gauge keep theirs: 14)
# Pixels from the top of the figure: two rows of buttons and the slider, above the panels.
BUTTON_ROW, ROW_GAP, SLIDER_ROW = 48, 8, 42
MARGIN_TOP = 8 + 2 * (BUTTON_ROW + ROW_GAP) + SLIDER_ROW
GAUGE = STEP_ROW + GAUGE_TITLE + GAUGE_BAR + GAUGE_TICKS  # above (a), as in the wide figure
# The panels' heights and the room between them (tick labels and axis titles), top down.
CURVE, CURVE_AXIS, LOSS, BETWEEN, GRADIENT = 300, 58, 170, 16, 170
STEP_AXIS, LEGEND_ROW, LEGEND_ROWS = 54, 21, 11  # below (c): its axis, then one entry a row
MARGIN_BOTTOM = STEP_AXIS + LEGEND_ROW * LEGEND_ROWS + 8
PLOT = GAUGE + CURVE + CURVE_AXIS + LOSS + BETWEEN + GRADIENT
NARROW_HEIGHT = MARGIN_TOP + PLOT + MARGIN_BOTTOM
MARGIN_LEFT, MARGIN_RIGHT = 74, 8
BUTTON_FONT = 16  # two lines of it make a button 1.3·16·2 + 3 = 45 px tall in plotly.js
# The buttons' two-line labels (no-break spaces widen "−1" and "+1" past 44 px); the page's
# script tells them from the wide labels by their characters alone.
PLAYER_LABELS = (
    "▶<br>Play",
    "❚❚<br>Pause",
    "◀<br>\u00a0\u00a0−1\u00a0\u00a0",
    "+1<br>\u00a0\u00a0▶",
)
SPEED_LABEL = "{:g}×<br>speed"


def _y(px: float) -> float:
    """Paper y of a point px pixels below the top of the plotting area."""
    return 1 - px / PLOT


def narrow_layout(has_controls: bool = True) -> dict[str, object]:
    """`meta.narrow`: the relayout that stacks the panels (Plotly attribute paths -> values);
    `has_controls` False for a figure without the player (the run kept back)."""
    a_top = GAUGE
    b_top = a_top + CURVE + CURVE_AXIS
    c_top = b_top + LOSS + BETWEEN
    gauge = [_y(STEP_ROW + GAUGE_TITLE + GAUGE_BAR), _y(STEP_ROW + GAUGE_TITLE)]
    layout: dict[str, object] = {
        "height": NARROW_HEIGHT,
        "font.size": FONT,
        "margin": {"l": MARGIN_LEFT, "r": MARGIN_RIGHT, "t": MARGIN_TOP, "b": MARGIN_BOTTOM},
        "xaxis.domain": [0, 1],
        "yaxis.domain": [_y(a_top + CURVE), _y(a_top)],
        "xaxis2.domain": [0, 1],
        "yaxis2.domain": [_y(b_top + LOSS), _y(b_top)],
        "xaxis3.domain": [0, 1],
        "yaxis3.domain": [0, _y(c_top)],
        "xaxis4.domain": [0.1, 0.95],
        "yaxis4.domain": [gauge[0], 1],
        "yaxis4.range": [0, (1 - gauge[0]) / (gauge[1] - gauge[0])],
        "legend.y": -STEP_AXIS / PLOT,
        "annotations[0].visible": False,  # "speed": each speed button says it
        "annotations[1].x": 0.525,  # the gauge's title, over the gauge
        "annotations[1].y": gauge[1] + GAUGE_CLEAR / PLOT,
        "annotations[1].font.size": FONT_SIZE - 3,
    }
    if has_controls:
        layout.update(_controls())
    return layout


def _controls() -> dict[str, object]:
    """Play, Pause, −1, +1 in one row, the speeds in the next, the slider below them."""

    def row(i: int) -> float:
        return 1 + (MARGIN_TOP - 8 - i * (BUTTON_ROW + ROW_GAP)) / PLOT

    controls: dict[str, object] = {}
    for menu in (0, 1):
        controls |= {
            # At the right end: a row wider than the plotting area reaches into the left
            # margin, not past the figure's right edge (four speeds at 360 px).
            f"updatemenus[{menu}].x": 1,
            f"updatemenus[{menu}].xanchor": "right",
            f"updatemenus[{menu}].y": row(menu),
            f"updatemenus[{menu}].font.size": BUTTON_FONT,
            f"updatemenus[{menu}].pad": {"t": 0, "r": 0, "l": 0, "b": 0},
        }
    for i, label in enumerate(PLAYER_LABELS):
        controls[f"updatemenus[0].buttons[{i}].label"] = label
    for i, speed in enumerate(SPEEDS):
        controls[f"updatemenus[1].buttons[{i}].label"] = SPEED_LABEL.format(speed)
    controls["sliders[0].y"] = row(2)
    return controls
