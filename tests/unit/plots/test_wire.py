"""The wire dict of a shared figure is exactly what plotly.py sends, built once."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from bernoulli.data import samples
from bernoulli.engine import dynamics, optimize, sweep
from bernoulli.engine.problem import Problem
from bernoulli.plots.animated import AnimationBudget, animated_figure, animated_spec
from bernoulli.plots.cobweb import cobweb_figure
from bernoulli.plots.wire import SharedFigure, shared, wire_dict, wire_figure


def animated() -> go.Figure:
    return animated_figure(optimize.run(200, 145, optimize.Settings(lr=2e-3)), height=700)


def cobweb() -> go.Figure:
    problem = Problem(200, 145)
    lr = 0.75 * sweep.reference_lr(problem)  # 1.5/H: it zig-zags in
    run = sweep.run_batch(problem, 0.6, lr, sweep.BatchOptions(steps=40, tail=41))
    return cobweb_figure(dynamics.cobweb(run))


def odd() -> go.Figure:
    """Arrays of every kind plotly.py meets: int64, a range (skipped key), an empty one,
    a 2-D heatmap, NaN, arrays inside a list (left as arrays)."""
    fig = go.Figure(
        [
            go.Heatmap(z=np.arange(12.0).reshape(3, 4), x=np.arange(4), y=[0.1, 0.2, np.nan]),
            go.Scatter(x=np.array([], dtype=float), y=np.arange(3, dtype=np.int64) * 10**6),
        ]
    )
    fig.update_layout(xaxis={"range": np.array([0.0, 1.0])}, meta=[np.arange(2)])
    fig.frames = [go.Frame(data=[go.Scatter(x=np.arange(2.0), y=[1, 2])], traces=[1], name="a")]
    return fig


@pytest.mark.parametrize("build", [animated, cobweb, odd])
def test_wire_dict_is_what_to_dict_sends(build):
    fig = build()
    assert pio.to_json(wire_dict(fig), validate=False) == pio.to_json(fig.to_dict(), validate=False)


def test_a_shared_figure_is_the_same_object_serialised_once():
    fig = animated()
    as_built = fig.to_json()
    got = shared(fig)
    assert got is fig and isinstance(got, SharedFigure)
    first = got.to_dict()
    assert got.to_dict() is first  # built once
    assert got.to_json() == as_built  # and the same figure, to the last byte
    assert len(got.frames) == len(json.loads(as_built)["frames"])


def test_the_wire_dict_leaves_the_figure_unchanged():
    fig = animated_figure(
        optimize.run(samples.notebook_sample().n, 145, optimize.Settings()), height=600
    )
    before = fig.to_json()
    wire_dict(fig)
    assert fig.to_json() == before


# Runs of every kind the page draws: settling, zig-zagging, escaping (on either side), each
# optimizer, in logit, on the mean, float32, minibatch; and each of the figure's options.
RUNS = [
    ({}, {}),
    ({"lr": 2e-3}, {}),
    ({"lr": 2.1e-3, "p0": 0.3}, {"log_grad": True}),
    ({"optimizer": "momentum", "lr": 3e-4}, {"presenter": True}),
    ({"optimizer": "adam", "lr": 0.05, "steps": 300}, {}),
    ({"optimizer": "newton", "lr": 1.0, "steps": 50}, {}),
    ({"param": "logit", "lr": 0.02, "steps": 200}, {"height": 600}),
    ({"loss": "mean", "lr": 0.5, "dtype": "float32"}, {}),
    ({"optimizer": "sgd", "batch_size": 20, "lr": 1e-3, "steps": 300}, {}),
    ({"lr": 1.5e-3, "p0": 0.6, "steps": 20_000, "dtype": "float64"}, {"whole": True}),
]


@pytest.mark.parametrize(("changes", "options"), RUNS)
def test_the_pages_figure_sends_what_the_plotly_figure_sends(changes, options):
    """The page sends the run's figure from plain dicts (`wire_figure`, no plotly.py objects):
    it sends exactly what the same figure built as a go.Figure sends, frames and arrays
    included."""
    settings = optimize.Settings(**changes)
    values = samples.notebook_sample().values if settings.optimizer == "sgd" else None
    traj = optimize.run(200, 145, settings, values)
    kwargs = {k: v for k, v in options.items() if k != "whole"}
    kwargs["budget"] = AnimationBudget(whole_run=options.get("whole", False))
    fig = animated_figure(traj, **kwargs)
    fast = wire_figure(animated_spec(traj, **kwargs))
    assert isinstance(fast, SharedFigure) and fast.to_dict() is fast.to_dict()
    assert json.loads(fast.to_json()) == json.loads(fig.to_json())
