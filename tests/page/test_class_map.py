"""The class map on the page (AppTest): students send their own runs, each a real torch run
whose outcome colours its point; the teacher's map shows one point per student (a new send
replaces the old), names as plain text in the hover, 1/H and 2/H, the explorer's map behind on
request, and one click clears it."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.data import samples
from bernoulli.engine import optimize
from bernoulli.engine.problem import Problem
from bernoulli.io import share
from bernoulli.plots.class_map import OUTCOME_STYLE
from bernoulli.teach import lesson
from tests.helpers import decode, opened, ran, release

pytestmark = pytest.mark.usefixtures("class_store")  # its own SQLite file

QUESTION = {"lr": "0.0015", "p0": "0.6", "dtype": "float64", "steps": "300"}
# (lr, p0) -> what the run does from the question's settings (checked against optimize.run)
OWN = {
    (0.0002, 0.6): "converges",
    (0.0015, 0.6): "zigzags",
    (0.003, 0.6): "escapes",
    (0.0008, 0.1): "escapes",  # below 2/H, but the first step from far away leaves (0, 1)
}


def teacher(asked: bool = True) -> tuple[AppTest, str]:
    at = opened({**QUESTION, "view": "class"})
    ran(at.button(key="start_class").click())
    if asked:
        ran(at.button(key="ask").click())
        ran(at.button(key="reveal").click())
    return at, at.session_state["teach"]


def send(code: str, lr: float, p0: float, name: str = "", at: AppTest | None = None) -> AppTest:
    at = at or opened({"class": code})
    if name:
        at.text_input(key="student_name").set_value(name)
    at.number_input(key="own_lr").set_value(lr)
    at.select_slider(key="own_p0").set_value(p0)
    return ran(at.button(key="send_run").click())


def the_map(at: AppTest) -> dict:
    (chart,) = [c for c in at.get("plotly_chart") if "class_map_chart" in c.proto.id]
    return decode(json.loads(chart.proto.spec))


def points_on(fig: dict) -> dict[str, list[tuple[float, float, str]]]:
    """Outcome -> [(lr, p0, hover)] of the map's point traces."""
    found = {}
    for trace in fig["data"]:
        if trace.get("customdata") is not None and trace.get("mode") == "markers":
            outcome = trace["legendgroup"]
            found[outcome] = sorted(
                zip(trace["x"], trace["y"], trace["hovertext"], strict=True), key=lambda t: t[0]
            )
    return found


def expected(lr: float, p0: float) -> str:
    sample = samples.notebook_sample()
    settings = share.decode({k: [v] for k, v in QUESTION.items()}).settings
    traj = optimize.run(sample.n, sample.k, settings.replace(lr=lr, p0=p0))
    return lesson.outcome(traj)


def test_each_students_run_is_a_point_coloured_by_what_its_torch_run_did(class_store):
    assert {at: expected(*at) for at in OWN} == OWN
    at, code = teacher()
    assert points_on(the_map(at)) == {}
    students = {}
    for i, (lr, p0) in enumerate(OWN):
        students[lr, p0] = page = send(code, lr, p0, name="<b>Ann</b>" if i == 0 else "")
        (sent,) = [s.value for s in page.success if s.value.startswith("Sent:")]
        assert sent == f"Sent: lr = {lr:g}, p₀ = {p0:g}. Your run {lesson.LABELS[OWN[lr, p0]]}."
    ran(at)
    fig = the_map(at)
    shown = points_on(fig)
    want = {}
    for (lr, p0), outcome in OWN.items():
        want.setdefault(outcome, []).append((lr, p0))
    assert {o: [(x, y) for x, y, _ in v] for o, v in shown.items()} == {
        o: sorted(v) for o, v in want.items()
    }
    colours = {t["legendgroup"]: t["marker"]["color"] for t in fig["data"] if "customdata" in t}
    assert {o: colours[o] for o in shown} == {o: OUTCOME_STYLE[o][0] for o in shown}
    ann = shown["converges"][0][2]
    assert ann.startswith("&lt;b&gt;Ann&lt;/b&gt;<br>lr = 0.0002")  # escaped: shown as typed
    th = Problem(200, 145).thresholds()
    lines = {t["name"].split(" =")[0]: t["x"][0] for t in fig["data"] if t.get("mode") == "lines"}
    assert lines["1/H"] == pytest.approx(th.monotone) and lines["2/H"] == pytest.approx(th.stable)
    assert fig["layout"]["xaxis"]["type"] == "log"
    # The store holds what was sent: each point's query is its run's own link.
    for point in class_store.points(code):
        decoded = share.decode(urllib.parse.parse_qs(point.query))
        assert (decoded.settings.lr, decoded.settings.p0) == (point.lr, point.p0)
        assert point.outcome == OWN[point.lr, point.p0]
    # A new send replaces the student's point; Clear the map empties it.
    send(code, 0.0015, 0.6, at=students[0.0002, 0.6])
    ran(at)
    counts = {o: len(v) for o, v in points_on(the_map(at)).items()}
    assert counts == {"zigzags": 2, "escapes": 2}
    ran(at.button(key="clear_map").click())
    assert points_on(the_map(at)) == {} and class_store.points(code) == []


def test_before_a_question_the_runs_start_from_the_defaults(class_store):
    at, code = teacher(asked=False)
    page = send(code, 0.0015, 0.6)
    (point,) = class_store.points(code)
    assert point.base == "" and point.outcome == lesson.outcome(optimize_run(0.0015, 0.6))
    assert page.number_input(key="own_lr").value == 0.0015
    ran(at)
    assert [len(v) for v in points_on(the_map(at)).values()] == [1]
    ran(at.button(key="ask").click())  # a question: the map is of its runs, empty so far
    assert points_on(the_map(at)) == {}
    ran(page)  # and no run of the student's until it is revealed
    assert not [b for b in page.button if b.key == "send_run"]
    assert any(c.value.startswith("Once your teacher reveals") for c in page.caption)


def optimize_run(lr: float, p0: float):
    return optimize.run(200, 145, optimize.Settings(lr=lr, p0=p0))


def test_the_explorers_map_goes_behind_on_request():
    at, code = teacher()
    send(code, 0.0015, 0.6)
    ran(at.toggle(key="class_map_background").set_value(True))
    fig = the_map(at)
    (heatmap,) = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert heatmap["opacity"] == 0.3 and heatmap["hoverinfo"] == "skip"
    assert fig["data"].index(heatmap) == 0  # behind everything
    assert len(points_on(fig)["zigzags"]) == 1


def test_a_students_release_on_the_preview_sets_their_own_run(class_store):
    at, code = teacher()
    page = opened({"class": code})
    (element,) = page.get("bidi_component")
    shown = json.loads(element.proto.json)
    assert (shown["lr"], shown["p0"], shown["p0_stops"]) == (0.0015, 0.6, 100)
    assert shown["confirm"] is None  # torch runs it on Send, not on release
    release(page, {"lr": 0.003, "p0": 0.437, "token": "t1", "n": 200, "k": 145})
    assert page.number_input(key="own_lr").value == 0.003
    assert page.select_slider(key="own_p0").value == 0.44  # on the page's 0.01 grid
    ran(page.button(key="send_run").click())
    ran(at)
    assert {o: [(x, y) for x, y, _ in v] for o, v in points_on(the_map(at)).items()} == {
        "escapes": [(0.003, 0.44)]
    }
