"""Nothing on the page tells what a run does before it is predicted (AppTest).

One run that converges and one that escapes, the same sample and start, lr the only
difference: in Predict first, in a class question and in a challenge before Check, the page's
words and the figure's layout (axis ranges, captions, frames, toggles, tabs) are the same for
both; after the prediction, the outcome appears.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.data import samples
from bernoulli.engine import optimize
from tests.helpers import decode, opened, ran

pytestmark = pytest.mark.usefixtures("class_store")  # its own SQLite file

START = {"p0": "0.6", "dtype": "float64"}
RUNS = {"converges": {"lr": "0.0015", **START}, "escapes": {"lr": "0.003", **START}}
# animated.GAUGE_MLE, GAUGE_NOW and STEP_NOW (which writes the needle's value): 1 − lr·H at p̂
# and at p₀, numbers of the lr itself (the theory a student may predict from), not of what
# the run does
GAUGE = (15, 19, 21)


def figure(at: AppTest) -> dict:
    return decode(json.loads(at.get("plotly_chart")[0].proto.spec))


def page_words(at: AppTest) -> dict:
    """Everything the page says, but the lr's own widgets (their values are the setting)."""
    kinds = ("markdown", "caption", "info", "success", "warning", "error", "toggle", "tabs")
    said = {kind: [getattr(e, "value", None) or e.label for e in at.get(kind)] for kind in kinds}
    said["tabs"] = [t.label for t in at.tabs]
    said["toggles"] = [t.label for t in at.toggle]
    return said


def layout_of(at: AppTest) -> dict:
    """The figure as drawn: its layout, its frames' count and names, its traces but the gauge's
    marks (the multiplier at p̂ and at p₀, drawn from the lr itself)."""
    fig = figure(at)
    traces = [t for i, t in enumerate(fig["data"]) if i not in GAUGE]
    frames = [f["name"] for f in fig.get("frames", [])]
    return {"layout": fig["layout"], "frames": frames, "traces": repr(traces)}


def outcomes() -> None:
    sample = samples.notebook_sample()
    for kind, params in RUNS.items():
        settings = optimize.Settings(lr=float(params["lr"]), p0=0.6, dtype="float64")
        traj = optimize.run(sample.n, sample.k, settings)
        assert (traj.diverged_at is not None) == (kind == "escapes"), kind


def same_before(pages: dict[str, AppTest]) -> None:
    conv, esc = pages["converges"], pages["escapes"]
    assert page_words(conv) == page_words(esc)
    assert layout_of(conv) == layout_of(esc)
    fig = figure(conv)
    assert [f["name"] for f in fig["frames"]] == ["0"]  # the start only: nothing to play yet
    assert fig["layout"]["xaxis2"]["range"] == [-20.0, 1020.0]  # the 1,000 steps asked for
    assert not fig["layout"]["updatemenus"] and not fig["layout"]["sliders"]
    assert "Results" not in [t.label for t in conv.tabs]


def test_predict_first_tells_nothing_before_the_prediction():
    outcomes()
    pages = {kind: opened({**params, "predict": "1"}) for kind, params in RUNS.items()}
    same_before(pages)
    for kind, at in pages.items():
        ran(at.segmented_control(key="prediction_choice").set_value("converges"))
        fig = figure(at)
        assert len(fig["frames"]) > 1 and fig["layout"]["updatemenus"]
        assert "Results" in [t.label for t in at.tabs]
        said = [m.value for m in [*at.success, *at.warning]]
        assert any(("thrown out of (0, 1)" in s) == (kind == "escapes") for s in said), said


def test_a_class_question_tells_nothing_before_the_reveal(class_store):
    pages = {}
    for kind, params in RUNS.items():
        at = opened({**params, "view": "class"})
        ran(at.button(key="start_class").click())
        # A class open: not even the run on screen before it is asked about shows its end.
        assert not at.success and not at.error
        assert "Results" not in [t.label for t in at.tabs]
        pages[kind] = ran(at.button(key="ask").click())
    for at in pages.values():  # the class code and its link differ: left out
        code = at.session_state["teach"]
        assert class_store.current(code) is not None
    words = {k: page_words(at) for k, at in pages.items()}
    for said in words.values():
        said["markdown"] = [m for m in said["markdown"] if "vote" not in m]
        said["markdown"] = [m for m in said["markdown"] if not m.startswith("`")]
    assert words["converges"] == words["escapes"]
    assert layout_of(pages["converges"]) == layout_of(pages["escapes"])
    for kind, at in pages.items():
        ran(at.button(key="reveal").click())
        assert "Results" in [t.label for t in at.tabs]
        assert bool(at.error) == (kind == "escapes")  # the banner, now


def test_a_challenge_tells_nothing_before_check():
    pages = {kind: opened({**params, "card": "1"}) for kind, params in RUNS.items()}
    same_before(pages)
    for kind, at in pages.items():
        ran(at.button(key="card_check").click())
        assert len(figure(at)["frames"]) > 1
        assert bool(at.error) == (kind == "escapes")
