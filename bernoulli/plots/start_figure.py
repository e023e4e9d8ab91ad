"""The animated figure of a run whose outcome is kept back (until a prediction, a class's
reveal or a challenge's check): the run at its start only.

Nothing in it depends on what the run does after step 0: the ranges come from the curve,
p̂ and the start; the step axes span the steps asked for (``settings.steps``); one frame and
no player (there is nothing to play yet). The same layout holds for a run that converges and
one that escapes, so the picture tells neither.
"""

from __future__ import annotations

import dataclasses

from bernoulli.engine.optimize import Trajectory
from bernoulli.plots.animated import DEFAULT_BUDGET, AnimationBudget, animated_spec
from bernoulli.plots.animated_layout import step_ticks
from bernoulli.plots.narrow_layout import narrow_layout
from bernoulli.plots.panels import steps_range

_ARRAYS = ("p", "param", "nll", "grad", "loss", "grad_param")
START_TOP = 8  # px above the panels: the player's strip is left out


def at_start(traj: Trajectory) -> Trajectory:
    """The run cut to its step 0, with nothing said about what follows."""
    cut = {name: getattr(traj, name)[:1] for name in _ARRAYS}
    return dataclasses.replace(
        traj,
        **cut,
        status="max_steps",
        diverged_at=None,
        converged_at=None,
        stalled_at=None,
    )


def start_spec(
    traj: Trajectory,
    *,
    log_grad: bool = False,
    presenter: bool = False,
    height: int = 700,
    budget: AnimationBudget = DEFAULT_BUDGET,
) -> dict:
    """`animated_spec` of the run at its start: one frame, no buttons or slider, the step
    axes over the steps asked for."""
    start = at_start(traj)
    spec = animated_spec(
        start,
        log_grad=log_grad,
        presenter=presenter,
        height=height,
        budget=dataclasses.replace(budget, whole_run=True),
    )
    steps = traj.settings.steps
    # No player: the strip that holds it goes, the plotting area keeps its pixels (the paper
    # coordinates of the gauge's rows are reckoned in them).
    strip = spec["layout"]["margin"]["t"] - START_TOP
    layout = dict(spec["layout"], updatemenus=[], sliders=[])
    layout["height"] = spec["layout"]["height"] - strip
    layout["margin"] = {**spec["layout"]["margin"], "t": START_TOP}
    layout["meta"] = {"narrow": narrow_layout(has_controls=False)}
    speed = {**layout["annotations"][0], "visible": False}  # (kept: the phone's layout names it)
    layout["annotations"] = [speed, *layout["annotations"][1:]]
    for name in ("xaxis2", "xaxis3"):
        axis = {
            key: value
            for key, value in layout[name].items()
            if key not in ("tickmode", "tick0", "dtick", "tickformat")
        }
        layout[name] = {**axis, "range": steps_range(steps), **step_ticks(steps)}
    return {**spec, "layout": layout}
