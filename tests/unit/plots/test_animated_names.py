"""The animated figure's traces by name: each carries a name of its own (its meta), and every
frame moves the trace it means, found by that name, whatever the order of the traces.

What a moving trace must receive is told here from the run itself (the step's p, NLL and
gradient, the multiplier), not by the code that builds the frames: a frame that moves the
wrong trace fails.
"""

from __future__ import annotations

import math

import pytest

from bernoulli.engine.optimize import Settings, run
from bernoulli.plots import animated, step_marks
from bernoulli.plots.animated import MOVING_NAMES, POSITION, TRACE_NAMES, animated_spec
from bernoulli.plots.animated_traces import trace_index
from bernoulli.plots.panels import escape_label
from bernoulli.plots.step_marks import GAUGE_RANGE, GD_LIKE, multiplier
from bernoulli.teach.presets import preset_settings

NOTEBOOK = (200, 145)
RUNS = {
    "converges": Settings(lr=1e-3, p0=0.72, dtype="float64"),
    "zig-zag": preset_settings("oscillation", *NOTEBOOK),
    "jumps out": Settings(lr=3e-3),
    "zig-zags out": Settings(lr=2.05e-3, p0=0.7, dtype="float64"),
    "logit": Settings(lr=0.1, param="logit"),
    "adam": Settings(lr=0.05, optimizer="adam"),
}
XY, LOSS, GRAD, GAUGE = ("x", "y"), ("x2", "y2"), ("x3", "y3"), ("x4", "y4")
# Each trace's panel, by name: the axes it must be drawn on.
AXES = {
    **dict.fromkeys(("curve", "mle_line", "start", "path", "escape", "wald", "wilson"), XY),
    **dict.fromkeys(("tangent", "step_arrow", "now"), XY),
    **dict.fromkeys(("loss_line", "loss_cover", "loss_min", "loss_now", "escape_label"), LOSS),
    **dict.fromkeys(("grad_line", "grad_cover", "grad_zero", "grad_now"), GRAD),
    **dict.fromkeys(("gauge_mle", "gauge_now", "step_now"), GAUGE),
}
# Positions the rest of the project reads a built figure by.
CONSTANTS = {
    "CURVE": "curve",
    "MLE_LINE": "mle_line",
    "START": "start",
    "PATH": "path",
    "ESCAPE": "escape",
    "LOSS_LINE": "loss_line",
    "LOSS_COVER": "loss_cover",
    "LOSS_MIN": "loss_min",
    "LOSS_NOW": "loss_now",
    "GRAD_LINE": "grad_line",
    "GRAD_COVER": "grad_cover",
    "GRAD_ZERO": "grad_zero",
    "GRAD_NOW": "grad_now",
    "WALD": "wald",
    "WILSON": "wilson",
    "GAUGE_MLE": "gauge_mle",
    "TANGENT": "tangent",
    "STEP_ARROW": "step_arrow",
    "NOW": "now",
    "GAUGE_NOW": "gauge_now",
    "ESCAPE_LABEL": "escape_label",
    "STEP_NOW": "step_now",
}


def near(value, expected: float, tol: float) -> bool:
    """`value` is `expected` within tol, or None (null) where `expected` is not finite."""
    if not math.isfinite(expected):
        return value is None
    return value is not None and abs(value - expected) <= tol


class Pixels:
    """What a pixel is on each axis of a figure (values are rounded to it on the wire)."""

    def __init__(self, layout: dict):
        def px(axis: str) -> float:
            low, high = layout[axis]["range"]
            return (high - low) / 4000

        self.x, self.y, self.grad = px("xaxis"), px("yaxis"), px("yaxis3")
        self.loss_log = layout["yaxis2"].get("type") == "log"
        self.loss = px("yaxis2")

    def loss_near(self, value, expected: float) -> bool:
        tol = 1e-4 * abs(expected) if self.loss_log else self.loss  # 5 digits on a log axis
        return near(value, expected, tol)


def shows(name: str, traj, t: int, update: dict, px: Pixels) -> bool:
    """`update` is what the trace `name` shows at step t of `traj`."""
    p, nll, g = traj.p, traj.nll, traj.grad
    escaped = t == traj.diverged_at
    if name in ("loss_cover", "grad_cover"):
        return update == {"x0": t}
    if name == "loss_now":
        return update["x"] == [t] and px.loss_near(update["y"][0], nll[t])
    if name == "grad_now":
        return update["x"] == [t] and near(update["y"][0], g[t], px.grad)
    if name == "step_now":
        (text,) = update["text"]
        return text == f"step {t}" or text.startswith(f"step {t}   (● = ")
    if name == "escape_label":
        words = [f"p left (0, 1) at step {t} "] if escaped else []
        return set(update) == {"x", "y", "text"} and update["text"] == words
    if name == "escape":
        if not escaped:
            return update == {"x": [], "y": [], "text": []}
        start = p[t - 1] if t > 0 else update["x"][0]
        return update["text"][1] == escape_label(traj) and near(update["x"][0], start, 1e-6)
    if name == "path":
        end = t - 1 if escaped else t
        if end < 0:
            return update == {"x": [], "y": []}
        x, y = update["x"], update["y"]
        return near(x[-1], p[end], px.x) and near(y[-1], nll[end], px.y) and len(x) == len(y)
    inside = 0 < p[t] < 1 and math.isfinite(nll[t])
    if name == "now":
        if not inside:
            return update == {"x": [None], "y": [None]}
        return update == {"x": [float(f"{p[t]:.7g}")], "y": [float(f"{nll[t]:.7g}")]}
    if name == "gauge_now":
        if not inside or traj.settings.optimizer not in GD_LIKE:
            return update == {"x": []}
        m = float(multiplier(traj, traj.param[t]))
        m = min(max(m, GAUGE_RANGE[0]), GAUGE_RANGE[1]) if math.isfinite(m) else GAUGE_RANGE[0]
        return set(update) == {"x"} and near(update["x"][0], m, 4.5 / 4000)
    if not update["x"]:  # the tangent and the arrow, where p_t is outside or the run ends
        return update == {"x": [], "y": []} and (not inside or name == "step_arrow")
    (x0, x1), (y0, y1) = update["x"], update["y"]
    if name == "tangent":  # through (p_t, NLL(p_t)) with slope dNLL/dp there
        tol = px.y + abs(g[t]) * px.x
        on_line = all(
            near(y, nll[t] + g[t] * (x - p[t]), tol)
            for x, y in zip((x0, x1), (y0, y1), strict=True)
        )
        return on_line and near((x0 + x1) / 2, p[t], px.x)
    if name == "step_arrow":  # along the p-axis from p_t
        return near(x0, p[t], px.x) and near(y0, nll[t], px.y) and y1 == y0
    raise AssertionError(f"a frame moves {name!r}, which never moves")


def assert_frames_move_their_traces(traj, out: dict) -> None:
    """Every trace has a name of its own, on its panel's axes; every frame's update at each
    index it lists fits the trace there (its type) and is what that trace shows at the step."""
    data, px = out["data"], Pixels(out["layout"])
    names = [trace.get("meta") for trace in data]
    assert len(set(names)) == len(names) == len(TRACE_NAMES), names
    assert set(names) == set(TRACE_NAMES)
    for trace in data:
        axes = (trace.get("xaxis", "x"), trace.get("yaxis", "y"))
        assert trace["type"] == "scatter" and axes == AXES[trace["meta"]], trace["meta"]
    for frame in out["frames"]:
        t = int(frame["name"])
        assert len(frame["traces"]) == len(frame["data"]) and frame["traces"]
        for index, update in zip(frame["traces"], frame["data"], strict=True):
            trace = data[index]
            name = trace["meta"]
            assert name in MOVING_NAMES, (t, name)
            written = {"text", "textposition"} & set(update)
            assert set(update) - written <= set(trace), (t, name, update)  # keys the trace has
            assert not written or "text" in trace["mode"], (t, name, update)
            assert "x0" not in update or "fill" in trace, (t, name, update)
            assert shows(name, traj, t, update, px), (t, name, update)


@pytest.fixture(scope="module", params=sorted(RUNS))
def built(request):
    traj = run(*NOTEBOOK, RUNS[request.param])
    return traj, animated_spec(traj)


def test_every_trace_has_a_name_of_its_own_and_its_frames_move_it(built):
    assert_frames_move_their_traces(*built)


def test_the_runs_move_every_moving_trace_somewhere(built):
    """Between them, the runs' frames move every trace that can move (so all are checked)."""
    traj, out = built
    moved = {out["data"][i]["meta"] for frame in out["frames"] for i in frame["traces"]}
    assert moved <= set(MOVING_NAMES)
    if traj.diverged_at is not None and traj.diverged_at > 0:
        assert {"escape", "escape_label"} <= moved


def test_every_moving_trace_is_moved_by_some_run():
    moved = set()
    for settings in RUNS.values():
        out = animated_spec(run(*NOTEBOOK, settings))
        moved |= {out["data"][i]["meta"] for frame in out["frames"] for i in frame["traces"]}
    assert moved == set(MOVING_NAMES)


def test_the_positions_others_read_are_the_named_traces():
    out = animated_spec(run(*NOTEBOOK, Settings()))
    for constant, name in CONSTANTS.items():
        assert out["data"][getattr(animated, constant)]["meta"] == name, constant
    assert [out["data"][i]["meta"] for i in animated.MOVING] == list(MOVING_NAMES)
    assert trace_index(out["data"]) == POSITION


def test_a_name_two_traces_share_is_refused():
    with pytest.raises(ValueError, match="share a name"):
        trace_index([{"meta": "now"}, {"meta": "path"}, {"meta": "now"}])


# --- the check fails where a frame moves the wrong trace ---------------------------------------


@pytest.fixture(scope="module")
def zig_zag():
    return run(*NOTEBOOK, RUNS["zig-zag"])


def test_the_traces_in_another_order_are_still_moved_right(zig_zag, monkeypatch):
    """The figure's order is one list of names: reversed, the frames follow the names."""
    usual = animated_spec(zig_zag)
    monkeypatch.setattr(animated, "TRACE_NAMES", TRACE_NAMES[::-1])
    out = animated_spec(zig_zag)
    assert [trace["meta"] for trace in out["data"]] == list(TRACE_NAMES[::-1])
    assert out["frames"][0]["traces"] != usual["frames"][0]["traces"]
    assert_frames_move_their_traces(zig_zag, out)
    by_name = [
        trace_index(usual["data"])[out["data"][i]["meta"]] for i in out["frames"][0]["traces"]
    ]
    assert by_name == usual["frames"][0]["traces"]
    assert [f["data"] for f in out["frames"]] == [f["data"] for f in usual["frames"]]


def test_the_check_catches_two_traces_swapped_in_a_frame(zig_zag):
    out = animated_spec(zig_zag)
    assert_frames_move_their_traces(zig_zag, out)
    index = trace_index(out["data"])
    frame = out["frames"][3]
    swap = {index["loss_now"]: index["grad_now"], index["grad_now"]: index["loss_now"]}
    frame["traces"] = [swap.get(i, i) for i in frame["traces"]]
    with pytest.raises(AssertionError, match="now"):
        assert_frames_move_their_traces(zig_zag, out)


def test_the_check_catches_positions_fixed_for_another_order(zig_zag, monkeypatch):
    """Frames that kept the usual positions after the traces were reordered."""
    monkeypatch.setattr(animated, "TRACE_NAMES", TRACE_NAMES[::-1])
    monkeypatch.setattr(animated, "trace_index", lambda traces: dict(POSITION))
    with pytest.raises(AssertionError):
        assert_frames_move_their_traces(zig_zag, animated_spec(zig_zag))


def test_the_check_catches_a_list_of_step_marks_in_another_order(zig_zag, monkeypatch):
    """step_marks' updates reordered (the arrow's first) while its traces were not."""
    updates = step_marks.moving_updates

    def reordered(*args):
        tangent, arrow, now, needle = updates(*args)
        return [arrow, tangent, now, needle]

    monkeypatch.setattr(step_marks, "moving_updates", reordered)
    with pytest.raises(AssertionError, match=r"tangent|step_arrow"):
        assert_frames_move_their_traces(zig_zag, animated_spec(zig_zag))
