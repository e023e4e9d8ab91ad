"""Plotly figures of runs and sweeps, one module per figure.

- ``style``: palette, fonts, axes, number rounding, animation controls (shared by all);
- ``frames``: which steps of a run are shown and become animation frames (= slider stops);
- ``panels``, ``animated_layout``, ``animated``, ``step_marks``: the animated three-panel
  figure of one run, with the step drawn on the curve;
- ``compare``: two to four runs on one curve and one pair of step panels;
- ``marks``: outcome colours and learning-rate lines shared by the explorer's figures;
- ``sweep_figure``, ``map_figure``, ``bifurcation``, ``cobweb``, ``race``, ``sum_mean``: the
  divergence explorer's figures.

The names below are the public ones, importable from ``bernoulli.plots`` directly.
"""

from bernoulli.plots.animated import (
    CURVE,
    ESCAPE,
    ESCAPE_LABEL,
    GAUGE_MLE,
    GAUGE_NOW,
    GRAD_COVER,
    GRAD_LINE,
    GRAD_NOW,
    GRAD_ZERO,
    LOSS_COVER,
    LOSS_LINE,
    LOSS_MIN,
    LOSS_NOW,
    MLE_LINE,
    MOVING,
    NOW,
    PATH,
    START,
    STEP_ARROW,
    STEP_NOW,
    TANGENT,
    WALD,
    WILSON,
    AnimationBudget,
    animated_figure,
    animated_spec,
    shown_part,
)
from bernoulli.plots.bifurcation import ESCAPE_Y, bifurcation_figure, bifurcation_points, escapes
from bernoulli.plots.cobweb import cobweb_figure
from bernoulli.plots.compare import compare_figure
from bernoulli.plots.frames import (
    busy_steps,
    focus_end,
    frame_indices,
    motion_rows,
    run_frames,
    slider_steps,
)
from bernoulli.plots.map_figure import lr_p0_figure, status_rank
from bernoulli.plots.marks import STATUS_COLORS, STATUS_ORDER, Mark, threshold_marks
from bernoulli.plots.narrow_layout import NARROW_HEIGHT, NARROW_MAX_WIDTH
from bernoulli.plots.panels import ESCAPE_REACH, MAX_LINE_POINTS, escape_label
from bernoulli.plots.race import RACE_COLORS, RaceOptions, Racer, race_figure, race_frames
from bernoulli.plots.start_figure import at_start, start_spec
from bernoulli.plots.style import FONT_SIZE, FRAME_MS, PRESENTER_SCALE, SPEEDS
from bernoulli.plots.sum_mean import sum_mean_figure
from bernoulli.plots.sweep_figure import lr_sweep_figure

__all__ = [
    "CURVE",
    "ESCAPE",
    "ESCAPE_LABEL",
    "ESCAPE_REACH",
    "ESCAPE_Y",
    "FONT_SIZE",
    "FRAME_MS",
    "GAUGE_MLE",
    "GAUGE_NOW",
    "GRAD_COVER",
    "GRAD_LINE",
    "GRAD_NOW",
    "GRAD_ZERO",
    "LOSS_COVER",
    "LOSS_LINE",
    "LOSS_MIN",
    "LOSS_NOW",
    "MAX_LINE_POINTS",
    "MLE_LINE",
    "MOVING",
    "NARROW_HEIGHT",
    "NARROW_MAX_WIDTH",
    "NOW",
    "PATH",
    "PRESENTER_SCALE",
    "RACE_COLORS",
    "SPEEDS",
    "START",
    "STATUS_COLORS",
    "STATUS_ORDER",
    "STEP_ARROW",
    "STEP_NOW",
    "TANGENT",
    "WALD",
    "WILSON",
    "AnimationBudget",
    "Mark",
    "RaceOptions",
    "Racer",
    "animated_figure",
    "animated_spec",
    "at_start",
    "bifurcation_figure",
    "bifurcation_points",
    "busy_steps",
    "cobweb_figure",
    "compare_figure",
    "escape_label",
    "escapes",
    "focus_end",
    "frame_indices",
    "lr_p0_figure",
    "lr_sweep_figure",
    "motion_rows",
    "race_figure",
    "race_frames",
    "run_frames",
    "shown_part",
    "slider_steps",
    "start_spec",
    "status_rank",
    "sum_mean_figure",
    "threshold_marks",
]
