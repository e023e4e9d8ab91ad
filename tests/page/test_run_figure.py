"""The run view's figure, driven by Streamlit's AppTest: the framing shows the zig-zag of the
Oscillation preset frame by frame, the slider stops at every frame, the step drawn on the
curve moves with the frames, and the whole run is a toggle away."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.plots.animated import GAUGE_NOW, NOW, STEP_ARROW, TANGENT
from bernoulli.teach.presets import preset_settings
from tests.helpers import APP, decode, moved, ran
from ui.run_view import BELOW


def figure(at: AppTest) -> dict:
    (chart,) = at.get("plotly_chart")
    return decode(json.loads(chart.proto.spec))


@pytest.fixture(scope="module")
def oscillating() -> AppTest:
    at = ran(AppTest.from_file(APP, default_timeout=30))
    at.button(key="preset_oscillation").click()
    return ran(at)


def sig(x: float) -> float:
    return float(f"{x:.7g}")


def test_oscillation_preset_every_step_a_frame_and_a_slider_stop(oscillating):
    traj = optimize.run(200, 145, preset_settings("oscillation", 200, 145))
    spec = figure(oscillating)
    names = [int(f["name"]) for f in spec["frames"]]
    # converged at step 17: the step axis shows 0-25, every one of them a frame
    assert traj.converged_at == 17 and names == list(range(26))
    err = traj.p - traj.mle
    zig = np.flatnonzero(err[:-1] * err[1:] < 0)  # every crossing of p̂
    visible = zig[np.maximum(abs(err[zig]), abs(err[zig + 1])) > 1e-3]
    assert len(visible) >= 6 and set(visible) | set(visible + 1) <= set(names)
    stops = [int(s["args"][0][0]) for s in spec["layout"]["sliders"][0]["steps"]]
    assert stops == names
    assert spec["layout"]["xaxis3"]["range"][1] < 27
    # the table lists every step of the zig-zag
    oscillating.session_state[BELOW] = "Trajectory table"
    ran(oscillating)
    (table,) = [d.value for d in oscillating.main.dataframe if "t" in d.value.columns]
    assert set(range(8)) <= set(table["t"].tolist())


def test_step_on_the_curve_moves_with_the_frames(oscillating):
    traj = optimize.run(200, 145, preset_settings("oscillation", 200, 145))
    spec = figure(oscillating)
    for name in (TANGENT, STEP_ARROW, NOW, GAUGE_NOW):
        assert name in spec["frames"][0]["traces"]
    # What is only drawn is rounded to what a pixel shows: 1/4000 of its axis.
    x_px, y_px = (np.diff(spec["layout"][a]["range"])[0] / 4000 for a in ("xaxis", "yaxis"))
    arrows = []
    for frame in spec["frames"]:
        t, data = int(frame["name"]), moved(frame)
        (x0, x1), (y0, y1) = data[TANGENT]["x"], data[TANGENT]["y"]
        wiggle = (y_px + abs(traj.grad[t]) * x_px) / (x1 - x0) * 1.01
        assert (y1 - y0) / (x1 - x0) == pytest.approx(traj.grad[t], abs=wiggle)
        pixel = pytest.approx([traj.p[t], traj.p[t + 1]], abs=x_px / 2)
        assert data[STEP_ARROW]["x"] == pixel
        assert data[NOW]["x"] == [sig(traj.p[t])]  # the current p: 7 digits, its hover's
        m = 1 - traj.settings.lr * (145 / traj.p[t] ** 2 + 55 / (1 - traj.p[t]) ** 2)
        assert data[GAUGE_NOW]["x"] == [pytest.approx(m, abs=4.5 / 4000 / 2)]
        arrows.append(data[STEP_ARROW]["x"][1] - data[STEP_ARROW]["x"][0])
    # the zig-zag: the first steps alternate in direction
    assert all(a * b < 0 for a, b in itertools.pairwise(arrows[:7]))


def test_whole_run_a_toggle_away(oscillating):
    oscillating.toggle(key="whole_run").set_value(True)
    spec = figure(ran(oscillating))
    names = [int(f["name"]) for f in spec["frames"]]
    assert names[:26] == list(range(26)) and names[-1] == 1000
    assert spec["layout"]["xaxis3"]["range"][1] > 1000
    captions = " ".join(c.value for c in oscillating.caption)
    assert "Steps 0–1000" in captions and "SE = 1/√H = 0.03157" in captions
    oscillating.toggle(key="whole_run").set_value(False)
    ran(oscillating)


def test_compare_runs_on_one_picture():
    at = ran(AppTest.from_file(APP, default_timeout=30))
    at.button(key="preset_oscillation").click()
    at.session_state[BELOW] = "Compare runs"
    ran(at)
    at.multiselect(key="compare").set_value(["½ × lr", "2 × lr", "Newton"])
    ran(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    spec = decode(json.loads(charts[1].proto.spec))
    legend = [t["name"] for t in spec["data"] if t.get("showlegend", True) and "name" in t]
    assert legend[1].startswith("this run (lr = 0.0015): converged at step 17")
    assert legend[2].startswith("½ × lr (lr = 0.00075, gradient descent)")
    assert legend[3].startswith("2 × lr (lr = 0.003, gradient descent): left (0, 1) at step")
    assert legend[4].startswith("Newton (lr = 0.0015, Newton)")
    # it plays: each run's dot moves on the curve; (c) draws each run's p, every step
    half = optimize.run(200, 145, Settings(lr=0.00075, p0=0.6, dtype="float64"))
    p_line = spec["data"][1 + 2 * 4 + 1]  # curve, 4 trails, 4 NLL lines, then the p lines
    np.testing.assert_allclose(p_line["y"][:5], half.p[:5], rtol=1e-6)
    names = [int(f["name"]) for f in spec["frames"]]
    # every step of the zig-zag (this run converges at 17) is a frame, within 200 frames
    assert names[:30] == list(range(30)) and len(names) <= 200
    trail = dict(zip(spec["frames"][5]["traces"], spec["frames"][5]["data"], strict=True))[2]
    assert trail["x"][-1] == pytest.approx(half.p[5], abs=1e-3)  # ½ × lr's dot at step 5
