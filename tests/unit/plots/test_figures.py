"""The animated figure: frames chosen well, data equal to the run's, ranges fixed, small.

Figures are checked as plotly.js receives them (``fig.to_json()``, decoded, numpy blocks
included), so the tests see what the browser sees.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Settings, run
from bernoulli.plots.animated import (
    CURVE,
    ESCAPE,
    ESCAPE_LABEL,
    GRAD_LINE,
    GRAD_NOW,
    LOSS_LINE,
    LOSS_NOW,
    MLE_LINE,
    MOVING,
    NOW,
    PATH,
    STEP_NOW,
    AnimationBudget,
    animated_figure,
    shown_part,
)
from bernoulli.plots.frames import focus_end, frame_indices
from bernoulli.plots.panels import ESCAPE_REACH, MAX_LINE_POINTS
from bernoulli.plots.style import FONT_SIZE, PRESENTER_SCALE, SPEEDS
from tests.helpers import moved, spec

NOTEBOOK = (200, 145)


@pytest.fixture(scope="module")
def notebook_run():
    return run(*NOTEBOOK, Settings())


@pytest.fixture(scope="module")
def notebook_spec(notebook_run):
    return spec(animated_figure(notebook_run))


def test_frame_indices_every_step_when_few():
    np.testing.assert_array_equal(frame_indices(1, None), [0])
    np.testing.assert_array_equal(frame_indices(150, None, 200), np.arange(150))


def test_frame_indices_dense_early_sparse_late():
    steps = frame_indices(1001, None, 200)
    assert len(steps) == 200
    assert steps[0] == 0 and steps[-1] == 1000
    np.testing.assert_array_equal(steps[:25], np.arange(25))  # the fast early motion, all of it
    gaps = np.diff(steps)
    assert gaps[-1] > 10 * gaps[0]


@settings(max_examples=200, deadline=None)
@given(
    n_points=st.integers(1, 200_001),
    where=st.floats(0, 1),
    diverged=st.booleans(),
    max_frames=st.integers(4, 300),
)
def test_frame_indices_properties(n_points, where, diverged, max_frames):
    last = n_points - 1
    diverged_at = round(where * last) if diverged else None
    steps = frame_indices(n_points, diverged_at, max_frames)
    assert len(steps) <= max_frames
    assert np.all(np.diff(steps) > 0)  # sorted and unique
    assert steps[0] == 0 and steps[-1] == last
    assert steps.min() >= 0 and steps.max() <= last
    if diverged_at is not None:
        assert diverged_at in steps and max(diverged_at - 1, 0) in steps
    if n_points <= max_frames:
        assert len(steps) == n_points
    else:
        assert len(steps) >= max_frames - 4  # the budget is used, not wasted


def test_three_panels_fixed_ranges(notebook_spec):
    layout = notebook_spec["layout"]
    domains = [tuple(layout[f"xaxis{s}"]["domain"]) for s in ("", "2", "3")]
    assert len(set(domains[:2])) == 2  # (a) beside (b) and (c)
    assert layout["yaxis2"]["domain"][0] > layout["yaxis3"]["domain"][1]  # (b) above (c)
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2", "xaxis3", "yaxis3"):
        assert layout[axis]["autorange"] is False, axis
        low, high = layout[axis]["range"]
        assert low < high, axis
    assert layout["xaxis"]["range"][0] < 0 and layout["xaxis"]["range"][1] > 1
    # x4: the multiplier's gauge above panel (a)
    assert {trace.get("xaxis", "x") for trace in notebook_spec["data"]} == {"x", "x2", "x3", "x4"}


def test_frames_move_only_the_moving_traces_without_redraw(notebook_spec):
    frames = notebook_spec["frames"]
    assert 1 < len(frames) <= 200
    # Every moving trace but the escape and its words (p never leaves (0, 1) here).
    moving = [i for i in MOVING if i not in (ESCAPE, ESCAPE_LABEL)]
    assert all(frame["traces"] == moving for frame in frames)
    assert all(len(frame["data"]) == len(moving) for frame in frames)
    layout = notebook_spec["layout"]
    animate = [
        b["args"][1]
        for menu in layout["updatemenus"]
        for b in menu["buttons"]
        if b["method"] != "skip"
    ]
    animate += [step["args"][1] for step in layout["sliders"][0]["steps"]]
    assert all(a["frame"]["redraw"] is False and a["transition"]["duration"] == 0 for a in animate)
    play = next(b for b in layout["updatemenus"][0]["buttons"] if "Play" in b["label"])
    assert play["args"][1]["fromcurrent"] is True
    speeds = [b["args"][1]["frame"]["duration"] for b in layout["updatemenus"][1]["buttons"]]
    # the step buttons do nothing in Plotly (the page's script moves the slider one stop)
    assert [b["method"] for b in layout["updatemenus"][0]["buttons"]][2:] == ["skip", "skip"]
    assert speeds == sorted(speeds, reverse=True) and len(set(speeds)) == len(SPEEDS)


def test_slider_steps_name_frames(notebook_spec):
    names = [frame["name"] for frame in notebook_spec["frames"]]
    steps = notebook_spec["layout"]["sliders"][0]["steps"]
    # The slider stops at every frame (no aliasing), up to the end of the part shown.
    assert [s["args"][0][0] for s in steps] == names
    assert steps[-1]["args"][0][0] == str(focus_end(run(*NOTEBOOK, Settings())))


def sig7(x: float) -> float:
    """What the current p carries: 7 significant digits (its hover prints them)."""
    return float(f"{x:.7g}")


def width(axis_range: list[float]) -> float:
    return axis_range[1] - axis_range[0]


def test_frames_show_the_run(notebook_run, notebook_spec):
    """The trail and the cursors are only drawn: rounded to what a pixel shows (1/4000 of the
    axis at most), not to 17 digits."""
    traj, layout = notebook_run, notebook_spec["layout"]
    x_px, y_px = width(layout["xaxis"]["range"]) / 4000, width(layout["yaxis"]["range"]) / 4000
    loss_px, grad_px = (width(layout[f"yaxis{i}"]["range"]) / 4000 for i in (2, 3))
    for frame in notebook_spec["frames"]:
        t = int(frame["name"])
        data = moved(frame)
        path, loss_now, grad_now = data[PATH], data[LOSS_NOW], data[GRAD_NOW]
        # The path is the last 8 steps (the first repeated while there are fewer), ending at
        # the current p, on the curve at (p_t, NLL(p_t)).
        span = [max(0, t - 7)] * max(0, 7 - t) + list(range(max(0, t - 7), t + 1))
        np.testing.assert_allclose(path["x"], traj.p[span], rtol=0, atol=x_px / 2)
        np.testing.assert_allclose(path["y"], traj.nll[span], rtol=0, atol=y_px / 2)
        assert loss_now["x"] == [t] and grad_now["x"] == [t]
        assert loss_now["y"][0] == pytest.approx(traj.nll[t], abs=loss_px / 2)
        assert grad_now["y"][0] == pytest.approx(traj.grad[t], abs=grad_px / 2)
        assert moved(frame)[NOW] == {"x": [sig7(traj.p[t])], "y": [sig7(traj.nll[t])]}
        assert ESCAPE not in data and ESCAPE_LABEL not in data
        assert all("type" not in update for update in frame["data"])  # plotly.js keeps it
    # pixel rounding, not 7 digits: p = 0.6087841 travels as 0.6088
    assert any(len(repr(x)) <= 6 for f in notebook_spec["frames"] for x in moved(f)[PATH]["x"])


def test_static_lines_are_the_trajectory(notebook_run, notebook_spec):
    data = notebook_spec["data"]
    end = focus_end(notebook_run) + 1  # the part shown
    np.testing.assert_array_equal(data[LOSS_LINE]["y"], notebook_run.nll[:end])
    np.testing.assert_array_equal(data[GRAD_LINE]["y"], notebook_run.grad[:end])
    assert data[LOSS_LINE]["x0"] == 0 and data[LOSS_LINE]["dx"] == 1
    curve = data[CURVE]
    np.testing.assert_allclose(curve["y"], lk.nll(curve["x"], *NOTEBOOK), rtol=1e-15)
    assert np.all((curve["x"] > 0) & (curve["x"] < 1))
    assert data[MLE_LINE]["x"] == [0.725, 0.725]


def test_first_frame_is_drawn_without_playing(notebook_spec):
    """The base traces already show step 0, so a still figure is not empty."""
    first = moved(notebook_spec["frames"][0])
    assert set(first) == set(MOVING) - {ESCAPE, ESCAPE_LABEL}
    for index, update in first.items():
        for key, value in update.items():
            assert notebook_spec["data"][index][key] == value


def test_frames_are_what_plotly_validation_makes(notebook_run):
    """The frames skip plotly.py's validation (style.attach_frames, most of the build time):
    validated again, the figure is the same, frames included."""
    for traj in (notebook_run, run(*NOTEBOOK, Settings(lr=3e-3))):
        fig = animated_figure(traj)
        assert len(fig.frames) == len(fig.to_dict()["frames"]) > 1
        ours, validated = json.loads(fig.to_json()), json.loads(go.Figure(fig).to_json())
        # plotly.py writes each update's trace type ("scatter"); plotly.js needs none.
        for frame in validated["frames"]:
            frame["data"] = [{k: v for k, v in d.items() if k != "type"} for d in frame["data"]]
        assert ours["frames"] == validated["frames"] and ours["data"] == validated["data"]


def test_presenter_figure_is_larger_with_the_same_data(notebook_run):
    scale = PRESENTER_SCALE
    plain = spec(animated_figure(notebook_run))
    big = spec(animated_figure(notebook_run, presenter=True, height=600))
    assert big["layout"]["font"]["size"] == FONT_SIZE * scale
    assert big["layout"]["height"] == 600
    for a, b in zip(plain["data"], big["data"], strict=True):
        if "line" in a:
            assert b["line"]["width"] == a["line"]["width"] * scale
        if "marker" in a:
            np.testing.assert_allclose(b["marker"]["size"], np.multiply(a["marker"]["size"], scale))
        np.testing.assert_array_equal(b.get("y"), a.get("y"))
    assert big["frames"] == plain["frames"]
    assert big["layout"]["sliders"][0]["steps"] == plain["layout"]["sliders"][0]["steps"]
    fonts = [menu["font"]["size"] for menu in big["layout"]["updatemenus"]]
    assert fonts == [f * scale for f in (FONT_SIZE, FONT_SIZE - 1)]


def test_the_step_shown_is_named_by_the_figure_not_the_slider(notebook_spec):
    """The slider's stops and its current value carry no label (plotly.js measures each one
    before it draws): the figure names the step itself, right of the gauge, in every frame."""
    layout = notebook_spec["layout"]
    slider = layout["sliders"][0]
    assert slider["currentvalue"]["visible"] is False
    assert {step["label"] for step in slider["steps"]} == {""}
    named = notebook_spec["data"][STEP_NOW]
    assert named["text"][0].startswith("step 0 ")  # the figure opens on frame 0
    for frame in notebook_spec["frames"]:
        (text,) = moved(frame)[STEP_NOW]["text"]
        assert text.startswith(f"step {frame['name']}   (● = ")  # and the gauge's needle
    # plotly.js hides a point outside its axes' ranges when cliponaxis is off: this one is in.
    x_range, y_range = layout["xaxis4"]["range"], layout["yaxis4"]["range"]
    assert (named["xaxis"], named["yaxis"], named["cliponaxis"]) == ("x4", "y4", False)
    assert x_range[0] <= named["x"][0] <= x_range[1] and y_range[0] <= named["y"][0] <= y_range[1]


def test_payload_small_for_1000_steps(notebook_run):
    """200 frames of under 86 KB (each carries only what moves, rounded to pixels: the
    trail, the cursors, the step on the curve, the gauge and the step's name), and a slider
    stopping at each of them; about 150 KB in all (it was 199 KB, frames 134 KB, before the
    rounding)."""
    for log_grad in (False, True):
        fig = animated_figure(notebook_run, log_grad=log_grad)
        out = json.loads(fig.to_json())
        assert len(out["frames"]) == 200
        frames = len(json.dumps(out["frames"], separators=(",", ":")))
        assert frames <= 86 * 1024, frames
        assert len(json.dumps(out, separators=(",", ":"))) <= 150 * 1024
        assert len(fig.to_json()) <= 154 * 1024  # what st.plotly_chart sends


def test_long_run_drawn_as_envelope_within_budget():
    traj = run(*NOTEBOOK, Settings(lr=1.5e-3, p0=0.6, steps=20_000, dtype="float64"))
    whole = AnimationBudget(whole_run=True)
    data = spec(animated_figure(traj, budget=whole))["data"]
    loss = data[LOSS_LINE]
    assert len(loss["x"]) <= MAX_LINE_POINTS + 2
    assert loss["x"][0] == 0 and loss["x"][-1] == 20_000
    np.testing.assert_array_equal(loss["y"], traj.nll[loss["x"]])
    assert loss["y"].max() == traj.nll.max()  # the envelope keeps the extremes
    out = json.loads(animated_figure(traj, budget=whole).to_json())
    assert len(json.dumps(out["frames"], separators=(",", ":"))) <= 86 * 1024


def test_log_gradient_view():
    traj = run(*NOTEBOOK, Settings(lr=2e-4, dtype="float64"))
    out = spec(animated_figure(traj, log_grad=True))
    traj = shown_part(traj)  # converged at step 60: steps 0-80 are shown
    assert len(traj.p) == 81
    assert out["layout"]["yaxis3"]["type"] == "log"
    np.testing.assert_array_equal(out["data"][GRAD_LINE]["y"], np.abs(traj.grad))
    low, high = out["layout"]["yaxis3"]["range"]  # log10 units
    positive = np.abs(traj.grad)[np.abs(traj.grad) > 0]
    assert low <= np.log10(positive.min()) and high >= np.log10(positive.max())


def test_jump_out_of_the_domain_is_drawn_and_labelled():
    traj = run(*NOTEBOOK, Settings(lr=3e-3))  # p_1 = 5.09: far outside
    assert traj.diverged_at == 1
    out = spec(animated_figure(traj))
    assert [f["name"] for f in out["frames"]] == ["0", "1"]
    data = moved(out["frames"][-1])
    # The path did not move (it ends at p_0 still), so only the figure holds it.
    path, escape = out["data"][PATH], data[ESCAPE]
    assert PATH not in data
    pixel = width(out["layout"]["xaxis"]["range"]) / 4000
    assert path["x"][-1] == pytest.approx(traj.p[0], abs=pixel)  # ends at the last p inside
    assert escape["x"][0] == pytest.approx(traj.p[0])
    assert escape["x"][1] == 1 + ESCAPE_REACH  # drawn at the edge of the panel...
    assert "5.091" in escape["text"][1] and "outside (0, 1)" in escape["text"][1]  # ...labelled
    assert out["layout"]["xaxis"]["range"][1] > 1 + ESCAPE_REACH
    marks = [s for s in out["layout"]["shapes"] if s["type"] == "line"]
    assert {(s["xref"], s["x0"]) for s in marks} == {("x2", 1), ("x3", 1)}
    # below the traces: the white covers hide the marks until the cursor reaches them
    assert {s["layer"] for s in marks} == {"below"}


@pytest.mark.parametrize("lr, p0", [(3e-3, None), (2.05e-3, 0.7), (2.1e-3, 0.6)])
def test_escape_words_appear_only_from_the_escape_frame(lr, p0):
    """ "p left (0, 1) at step N" is not told from step 0: the frames write it in (b) at the
    frame of the escape, and neither the layout nor the first frame has it."""
    traj = run(*NOTEBOOK, Settings(lr=lr, p0=p0, dtype="float64"))
    t = traj.diverged_at
    assert t is not None
    out = spec(animated_figure(traj))
    words = f"p left (0, 1) at step {t}"
    assert all(words not in a["text"] for a in out["layout"]["annotations"])
    assert out["data"][ESCAPE_LABEL]["text"] == []  # the figure opens on frame 0
    top = out["layout"]["yaxis2"]["range"][1]  # (b)'s top: the words hang from it
    top = 10**top if out["layout"]["yaxis2"]["type"] == "log" else top
    for frame in out["frames"]:
        label = moved(frame)[ESCAPE_LABEL]
        if int(frame["name"]) < t:
            assert label["text"] == [] and label["x"] == []
        else:
            assert label["text"] == [words + " "] and label["x"] == [t]
            assert label["y"] == [pytest.approx(top, rel=1e-4)]
    assert out["frames"][-1]["name"] == str(t)


def test_growing_oscillation_escape_point_at_its_true_p():
    traj = run(*NOTEBOOK, Settings(lr=2.05e-3, p0=0.7, dtype="float64"))
    assert traj.status == "diverged"
    t = traj.diverged_at
    out = spec(animated_figure(traj))
    assert out["frames"][-1]["name"] == str(t)
    escape = moved(out["frames"][-1])[ESCAPE]
    assert escape["x"][1] == pytest.approx(traj.p[t], rel=1e-6)  # within reach: no edge
    assert out["layout"]["xaxis"]["range"][1] > traj.p[t]
    assert np.isnan(traj.nll[t]) and escape["y"][1] == pytest.approx(traj.nll[t - 1], 1e-6)


def test_escape_below_zero():
    traj = run(*NOTEBOOK, Settings(lr=2.1e-3, p0=0.6, dtype="float64"))
    assert traj.status == "diverged" and traj.p[-1] < 0
    escape = moved(spec(animated_figure(traj))["frames"][-1])[ESCAPE]
    assert escape["x"][1] == pytest.approx(traj.p[-1], rel=1e-6)
    assert escape["text"][1].startswith("← ")


def test_start_outside_the_domain():
    traj = run(*NOTEBOOK, Settings(p0=1.5))
    assert traj.diverged_at == 0
    out = spec(animated_figure(traj))
    assert len(out["frames"]) == 1
    escape = out["data"][ESCAPE]  # one frame: the figure itself shows it
    assert escape["x"][1] == 1 + ESCAPE_REACH and "p<sub>0</sub> = 1.5" in escape["text"][1]


@pytest.mark.parametrize(
    "counts, settings_",
    [
        ((10, 0), Settings(lr=1e-3)),  # MLE on the edge: diverges in p
        ((10, 10), Settings(lr=1e-3, param="logit", dtype="float64")),  # drifts in logit
        ((10**6, 300_000), Settings(lr=1e-8, steps=50, loss="mean", optimizer="adam")),
        (NOTEBOOK, Settings(lr=0.5, optimizer="newton", param="logit", steps=30)),
    ],
)
def test_edge_cases_build_with_finite_fixed_ranges(counts, settings_):
    traj = run(*counts, settings_)
    for log_grad in (False, True):
        layout = spec(animated_figure(traj, log_grad=log_grad))["layout"]
        for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2", "xaxis3", "yaxis3"):
            assert np.all(np.isfinite(layout[axis]["range"])), axis


def test_curve_drawn_densely_where_shown():
    """With a million samples the NLL is a narrow well: the curve still has points in it."""
    traj = run(10**6, 600_000, Settings(lr=1e-7, p0=0.599, steps=20, dtype="float64"))
    out = spec(animated_figure(traj))
    curve = out["data"][CURVE]
    low, high = out["layout"]["yaxis"]["range"]
    shown = (curve["y"] >= low) & (curve["y"] <= high)
    assert shown.sum() >= 50
