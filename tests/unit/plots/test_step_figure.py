"""The framing of the animated figure (which steps are shown, which are frames) and the step
drawn on the curve, held against the trajectory and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Settings, run
from bernoulli.plots.animated import (
    GAUGE_MLE,
    GAUGE_NOW,
    GRAD_COVER,
    LOSS_COVER,
    MLE_LINE,
    NOW,
    STEP_ARROW,
    STEP_NOW,
    TANGENT,
    WALD,
    WILSON,
    AnimationBudget,
    animated_figure,
)
from bernoulli.plots.compare import TRAIL, compare_figure, compare_frames
from bernoulli.plots.frames import VISIBLE, busy_steps, focus_end, motion_rows, run_frames
from bernoulli.teach.presets import preset_settings
from tests.helpers import moved, spec

NOTEBOOK = (200, 145)


@pytest.fixture(scope="module")
def oscillation():
    return run(*NOTEBOOK, preset_settings("oscillation", *NOTEBOOK))


def crossings(p: np.ndarray, p_hat: float) -> np.ndarray:
    """Steps t where p_t - p̂ and p_{t+1} - p̂ differ in sign, by a visible amount."""
    err = p - p_hat
    flip = (err[:-1] * err[1:] < 0) & (np.maximum(abs(err[:-1]), abs(err[1:])) > VISIBLE)
    return np.flatnonzero(flip)


def test_oscillation_preset_zoomed_to_its_convergence_every_step_a_frame(oscillation):
    traj = oscillation
    assert traj.converged_at == 17 and len(traj.p) == 1001
    # converged at 17, plus a margin of max(8, 17/3): the step axis ends at 25
    assert focus_end(traj) == 25
    out = spec(animated_figure(traj))
    names = [int(f["name"]) for f in out["frames"]]
    assert names == list(range(26))  # every step: no aliasing of the zig-zag
    slider = [int(s["args"][0][0]) for s in out["layout"]["sliders"][0]["steps"]]
    assert slider == names  # the slider's stops are the frames
    assert out["layout"]["xaxis3"]["range"][1] < 27  # the step axis shows steps 0-25
    zig = crossings(traj.p, traj.mle)
    assert len(zig) >= 6 and set(zig + 1) <= set(names)
    whole = spec(animated_figure(traj, budget=AnimationBudget(whole_run=True)))
    assert whole["layout"]["xaxis3"]["range"][1] > 1000
    whole_names = [int(f["name"]) for f in whole["frames"]]
    assert whole_names[:26] == list(range(26)) and whole_names[-1] == 1000


def test_focus_end_cases():
    # diverged: the escape ends the run
    div = run(*NOTEBOOK, preset_settings("divergence", *NOTEBOOK))
    assert focus_end(div) == div.diverged_at == len(div.p) - 1
    # stalled (the notebook's float32 run): the stall plus a third
    nb = run(*NOTEBOOK, Settings())
    assert nb.stalled_at == 655 and focus_end(nb) == 655 + 219
    # converged early: at least 8 steps of margin
    fast = run(*NOTEBOOK, Settings(lr=1e-3, p0=0.72, dtype="float64"))
    assert focus_end(fast) == fast.converged_at + 8
    # neither: the whole run
    slow = run(*NOTEBOOK, Settings(lr=1e-7, dtype="float64", steps=50))
    assert slow.converged_at is None and focus_end(slow) == 50


def test_busy_steps_far_edge_and_crossings():
    p_hat = 0.5
    p = np.array([0.9, 0.6, 0.45, 0.52, 0.4999, 0.50005, 0.5, 0.01])
    busy = busy_steps(p, p_hat).tolist()
    # 0: far; 1-4: visible crossings; 4 -> 5: a crossing under VISIBLE: 5 is not busy; 7: edge
    assert busy == [0, 1, 2, 3, 4, 7]


def test_run_frames_keep_every_busy_step_within_budget():
    traj = run(*NOTEBOOK, Settings(lr=1.9e-3, p0=0.6, dtype="float64", steps=3000))
    busy = busy_steps(traj.p, traj.mle)
    frames = run_frames(traj, 200)
    assert len(frames) <= 200 and frames[0] == 0 and frames[-1] == 3000
    assert set(busy[:150].tolist()) <= set(frames.tolist())


def test_motion_rows_list_the_zig_zag_and_the_escape(oscillation):
    rows = motion_rows(oscillation)
    zig = crossings(oscillation.p, oscillation.mle)
    assert set(zig) | set(zig + 1) == set(rows.tolist())
    div = run(*NOTEBOOK, preset_settings("divergence", *NOTEBOOK))
    assert set(range(div.diverged_at - 10, div.diverged_at + 1)) <= set(motion_rows(div))


def sig(x: float, digits: int = 7) -> float:
    return float(f"{x:.{digits}g}")


@pytest.mark.parametrize("preset", ["oscillation", "divergence", "smooth"])
def test_step_on_the_curve_moves_with_the_frames(preset):
    traj = run(*NOTEBOOK, preset_settings(preset, *NOTEBOOK))
    out = spec(animated_figure(traj))
    h = lk.curvature(traj.p, *NOTEBOOK)  # gradient descent in p on the summed NLL
    # The tangent, the arrow and the needle are only drawn: rounded to 1/4000 of their axis.
    x_px, y_px = (np.diff(out["layout"][a]["range"])[0] / 4000 for a in ("xaxis", "yaxis"))
    seen = 0
    for frame in out["frames"]:
        t, data = int(frame["name"]), moved(frame)
        if not 0 < traj.p[t] < 1:
            assert data[TANGENT]["x"] == [] and data[NOW]["x"] == [None]  # not drawn
            continue
        tangent, arrow, now, needle = (data[i] for i in (TANGENT, STEP_ARROW, NOW, GAUGE_NOW))
        assert now["x"] == [sig(traj.p[t])] and now["y"] == [sig(traj.nll[t])]
        (x0, x1), (y0, y1) = tangent["x"], tangent["y"]
        assert x0 < traj.p[t] < x1
        # the ends are rounded to pixels: the slope is the gradient to that rounding
        wiggle = (y_px + abs(traj.grad[t]) * x_px) / (x1 - x0) * 1.01
        assert (y1 - y0) / (x1 - x0) == pytest.approx(traj.grad[t], abs=wiggle)
        assert y0 + traj.grad[t] * (traj.p[t] - x0) == pytest.approx(traj.nll[t], abs=2 * wiggle)
        if t + 1 < len(traj.p):
            # the arrow runs from p_t to p_{t+1}, a length of lr·|g| (gradient descent in p)
            assert arrow["x"][0] == pytest.approx(traj.p[t], abs=x_px / 2)
            assert arrow["y"] == [pytest.approx(traj.nll[t], abs=y_px / 2)] * 2
            if 0 < traj.p[t + 1] < 1:
                assert arrow["x"][1] == pytest.approx(traj.p[t + 1], abs=x_px / 2)
                length = abs(arrow["x"][1] - arrow["x"][0])
                assert length == pytest.approx(traj.settings.lr * abs(traj.grad[t]), abs=x_px)
        m = 1 - traj.settings.lr * h[t]
        assert needle["x"][0] == pytest.approx(min(max(m, -3.0), 1.5), abs=4.5 / 4000 / 2)
        # its value is written in the step's row, beside "step t" (not on the gauge's marks)
        assert "text" not in needle
        assert data[STEP_NOW]["text"] == [f"step {t}   (● = {m:.3g})"]
        seen += 1
    assert seen >= 10
    # the multiplier at p̂, fixed: 1 - lr·n/(p̂(1 - p̂))
    m_hat = 1 - traj.settings.lr * 200 / (0.725 * 0.275)
    assert out["data"][GAUGE_MLE]["x"][0] == pytest.approx(max(m_hat, -3.0), rel=1e-6)


def test_step_lines_are_covered_right_of_the_current_step(oscillation):
    """Each frame moves the white covers of (b) and (c) with x0 alone: their box starts at the
    current step and reaches past the end of the step axis."""
    out = spec(animated_figure(oscillation))
    right = out["layout"]["xaxis2"]["range"][1]
    for index, y_axis in ((LOSS_COVER, "yaxis2"), (GRAD_COVER, "yaxis3")):
        cover = out["data"][index]
        assert cover["fill"] == "toself" and cover["line"]["shape"] == "vh"
        # the points x0, x0 + dx, x0 + 2·dx at bottom, top, bottom, joined up-then-across:
        # the box [x0, x0 + dx] × [bottom, top] of the whole panel
        assert cover["dx"] > 2 * right and "x" not in cover
        low, high = cover["y"][0], cover["y"][1]
        assert cover["y"][2] == low
        y_range = out["layout"][y_axis]["range"]
        if out["layout"][y_axis].get("type") == "log":
            low, high = np.log10(low), np.log10(high)
        assert low <= y_range[0] + 1e-9 and high >= y_range[1] - 1e-9
    for frame in out["frames"]:
        t, data = int(frame["name"]), moved(frame)
        assert data[LOSS_COVER] == data[GRAD_COVER] == {"x0": t}


def test_intervals_on_the_p_axis():
    out = spec(animated_figure(run(*NOTEBOOK, Settings())))
    wald, wilson = out["data"][WALD], out["data"][WILSON]
    se = (0.725 * 0.275 / 200) ** 0.5
    assert wald["x"] == pytest.approx([0.725 - 1.959964 * se, 0.725 + 1.959964 * se], rel=1e-6)
    assert "SE = 1/√H = 0.0316" in wald["name"]
    assert wilson["x"] == pytest.approx(
        [lk.wilson_interval(*NOTEBOOK).low, lk.wilson_interval(*NOTEBOOK).high]
    )


def test_figure_details():
    short = spec(animated_figure(run(*NOTEBOOK, Settings(steps=2))))
    assert short["layout"]["xaxis3"]["dtick"] == 1  # steps 0, 1, 2: whole numbers
    out = spec(animated_figure(run(*NOTEBOOK, Settings())))
    layout = out["layout"]
    # Each panel named in its y-axis title (a name inside a panel would lie on its data).
    titles = [layout[f"yaxis{i}"]["title"]["text"] for i in ("", "2", "3")]
    assert [t.split(" ")[0] for t in titles] == ["<b>(a)</b>", "<b>(b)</b>", "<b>(c)</b>"]
    assert all("(a)" not in a["text"] for a in layout["annotations"])
    assert out["data"][MLE_LINE]["cliponaxis"] is False  # the diamond drawn whole
    now = out["data"][NOW]
    assert now.get("showlegend", True) and now["marker"]["color"] == "#D55E00"
    assert now["marker"]["size"] == 20
    assert layout["modebar"]["orientation"] == "v" and layout["margin"]["r"] >= 40


def test_compare_figure_overlays_labelled_runs():
    base = preset_settings("oscillation", *NOTEBOOK)
    runs = [run(*NOTEBOOK, base), run(*NOTEBOOK, Settings(lr=base.lr * 2, p0=0.6, dtype="float64"))]
    out = spec(compare_figure(runs, ["lr = 1.5e-3", "lr = 3e-3"]))
    paths = [t for t in out["data"] if t.get("xaxis", "x") == "x" and t["name"].startswith("lr")]
    assert [t["name"].split(":")[0] for t in paths] == ["lr = 1.5e-3", "lr = 3e-3"]
    assert "left (0, 1) at step" in paths[1]["name"]
    assert {t["line"]["dash"] for t in paths} == {"solid", "dash"}
    with pytest.raises(ValueError, match="compare one to 4"):
        compare_figure(runs * 3, ["x"] * 6)


def compare_parts(out: dict, runs: int) -> dict:
    """The compare figure's traces by role (the order compare._static_traces draws them)."""
    return {
        "trails": list(range(1, 1 + runs)),
        "losses": list(range(1 + runs, 1 + 2 * runs)),
        "ps": list(range(1 + 2 * runs, 1 + 3 * runs)),
        "covers": [1 + 3 * runs, 2 + 3 * runs],
        "loss_now": list(range(4 + 3 * runs, 4 + 4 * runs)),
        "p_now": list(range(4 + 4 * runs, 4 + 5 * runs)),
    }


def test_compare_figure_plays_every_step_of_the_zig_zags():
    """The compared runs play together: every step a frame while any of them zig-zags or
    leaves (0, 1), the slider stopping at each, fixed ranges, no redraw; each run's dot on
    its own p_t, the step panels covered right of the current step."""
    base = preset_settings("oscillation", *NOTEBOOK)  # lr 1.5e-3 from 0.6: converges at 17
    runs = [
        run(*NOTEBOOK, base),
        run(*NOTEBOOK, Settings(lr=base.lr * 2, p0=0.6, dtype="float64")),  # escapes
        run(*NOTEBOOK, Settings(lr=base.lr / 2, p0=0.6, dtype="float64")),
    ]
    escape = runs[1].diverged_at
    assert escape is not None
    out = spec(compare_figure(runs, ["this", "2 × lr", "½ × lr"]))
    end = max(focus_end(r) for r in runs)
    names = [int(f["name"]) for f in out["frames"]]
    assert names == list(range(end + 1))  # every step, the zig-zag and the escape included
    layout = out["layout"]
    stops = [int(s["args"][0][0]) for s in layout["sliders"][0]["steps"]]
    assert stops == names  # the slider's stops are the frames
    assert all(s["args"][1]["frame"]["redraw"] is False for s in layout["sliders"][0]["steps"])
    play = [b for b in layout["updatemenus"][0]["buttons"] if "Play" in b["label"]]
    assert play and play[0]["args"][1]["frame"]["redraw"] is False
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2", "xaxis3", "yaxis3"):
        assert layout[axis]["autorange"] is False, axis
    parts = compare_parts(out, len(runs))
    px = 1.1 / 4000  # (c)'s p axis; (a)'s p axis is shorter still
    for frame in out["frames"]:
        t, data = int(frame["name"]), moved(frame)
        assert all(data[c] == {"x0": t} for c in parts["covers"])
        for i, traj in enumerate(runs):
            s = min(t, len(traj.p) - 1)
            trail, p_now = data[parts["trails"][i]], data[parts["p_now"][i]]
            assert p_now["x"] == [s]
            shown = min(max(traj.p[s], -0.05), 1.05)
            assert p_now["y"][0] == pytest.approx(shown, abs=px / 2)
            if 0 < traj.p[s] < 1:
                assert len(trail["x"]) == TRAIL
                assert trail["x"][-1] == pytest.approx(traj.p[s], abs=px / 2)  # the dot: p_s
                assert data[parts["loss_now"][i]]["x"] == [s]
            else:  # left (0, 1): the dot stays at the last p inside, the cursor at the edge
                assert trail["x"][-1] == pytest.approx(traj.p[escape - 1], abs=px / 2)
                assert p_now["y"] == [1.05] or p_now["y"] == [-0.05]
                assert data[parts["loss_now"][i]] == {"x": [s], "y": [None]}  # not drawn
    # the figure opens on frame 0: every run at its start
    first = moved(out["frames"][0])
    for index, update in first.items():
        for key, value in update.items():
            assert out["data"][index][key] == value
    # the step lines are every step of each run shown, drawn under the covers
    np.testing.assert_allclose(out["data"][parts["ps"][0]]["y"], runs[0].p[: end + 1], rtol=1e-6)


def test_compare_frames_long_runs_within_budget():
    """Long runs: at most 200 frames, every busy step of every run among them (up to the
    budget), the escape and the step before it."""
    runs = [
        run(*NOTEBOOK, Settings(lr=1.9e-3, p0=0.6, dtype="float64", steps=3000)),
        run(*NOTEBOOK, Settings(lr=2e-5, dtype="float64", steps=3000)),
    ]
    end = max(focus_end(r) for r in runs)
    frames = compare_frames(runs, end)
    assert len(frames) <= 200 and frames[0] == 0 and frames[-1] == end
    busy = set()
    for traj in runs:
        busy |= set(busy_steps(traj.p[: end + 1], traj.mle).tolist())
    assert set(sorted(busy)[:150]) <= set(frames.tolist())
