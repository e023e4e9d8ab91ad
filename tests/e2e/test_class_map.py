"""The class map in Chromium: a teacher's page and five students' pages in one class; each
student sends a run of their own, and the teacher's map (a fragment that reruns by itself)
shows the five points, coloured by what each run did, without the teacher touching the page.
Then the teacher clicks a point and the projector shows that run."""

from __future__ import annotations

import re
import urllib.parse

from bernoulli.data import samples
from bernoulli.engine import optimize
from bernoulli.io import share
from bernoulli.plots.class_map import OUTCOME_STYLE
from bernoulli.teach import lesson
from tests.helpers import send_run

from .conftest import SHOTS, wait_for_script

QUESTION = "lr=0.0015&p0=0.6&dtype=float64&steps=300"
LRS = ["0.0002", "0.0005", "0.0012", "0.0015", "0.003"]  # five runs from p0 = 0.6
# The map as the browser draws it: per point trace, its outcome, colour and points.
MAP = """() => {
    const gd = document.querySelector('.st-key-class_map_chart .js-plotly-plot');
    if (!gd || !gd.data) return null;
    return gd.data.filter((t) => t.customdata).map((t) => ({
        outcome: t.legendgroup, colour: t.marker.color, lrs: Array.from(t.x),
        drawn: gd.querySelectorAll('.scatterlayer .trace .point').length,
    }));
}"""
# Where a point is on the screen: the map's axes turned into page pixels.
POINT_AT = """([lr, p0]) => {
    const gd = document.querySelector('.st-key-class_map_chart .js-plotly-plot');
    const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    return {x: box.left + xa.l2p(Math.log10(lr)), y: box.top + ya.l2p(p0)};
}"""


def outcome(lr: str) -> str:
    """What the run from the question's settings at this lr does, computed here."""
    decoded = share.decode(urllib.parse.parse_qs(QUESTION))
    sample = samples.notebook_sample()
    traj = optimize.run(sample.n, sample.k, decoded.settings.replace(lr=float(lr)))
    return lesson.outcome(traj)


def start_class(teacher, class_url: str) -> str:
    from playwright.sync_api import expect

    teacher.goto(f"{class_url}/?view=class&{QUESTION}")
    teacher.get_by_role("button", name="Start a class").click()
    expect(teacher).to_have_url(re.compile(r"teach=\w{10}"), timeout=60_000)
    teacher.get_by_role("button", name="Ask about this run").click()
    teacher.get_by_role("button", name="Reveal").click()  # (students' own runs open then)
    expect(teacher.get_by_text("0 runs sent.")).to_be_visible(timeout=60_000)
    return urllib.parse.parse_qs(urllib.parse.urlsplit(teacher.url).query)["teach"][0]


def test_five_students_send_runs_and_the_teachers_map_shows_them_live(browser, class_url):
    """Six browsers of their own (contexts: no storage or focus shared), six sessions, each
    its own student id."""
    from playwright.sync_api import expect

    want = {lr: outcome(lr) for lr in LRS}
    assert set(want.values()) == {"converges", "zigzags", "escapes"}
    contexts = []

    def device(width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(60_000)
        contexts.append(context)
        return context.new_page()

    try:
        teacher = device(1280)
        code = start_class(teacher, class_url)
        students = [device(390) for _ in LRS]  # phones
        for page in students:
            page.goto(f"{class_url}/?class={code}", wait_until="commit")
        for page in students:
            page.get_by_role("button", name="Send my run").wait_for(timeout=120_000)
            wait_for_script(page)
        for page, lr in zip(students, LRS, strict=True):
            send_run(page, lr)
        # Untouched, the teacher's map reruns every 2 s and gets the five points.
        expect(teacher.get_by_text("5 runs sent.")).to_be_visible(timeout=20_000)
        teacher.wait_for_function(f"() => ({MAP})()?.reduce((n, t) => n + t.lrs.length, 0) === 5")
        drawn = teacher.evaluate(MAP)
        by_outcome = {t["outcome"]: t for t in drawn}
        assert {o: sorted(t["lrs"]) for o, t in by_outcome.items()} == {
            o: sorted(float(lr) for lr in LRS if want[lr] == o) for o in set(want.values())
        }
        for name, trace in by_outcome.items():
            assert trace["colour"] == OUTCOME_STYLE[name][0]
        assert drawn[0]["drawn"] >= 5  # each point drawn as an SVG marker
        SHOTS.mkdir(parents=True, exist_ok=True)
        teacher.screenshot(path=str(SHOTS / "class-map-teacher-five-points.png"), full_page=True)
        students[0].screenshot(path=str(SHOTS / "class-map-student-sent.png"), full_page=True)
        # A click on the escaping run's point shows it on the projector.
        spot = teacher.evaluate(POINT_AT, [0.003, 0.6])
        teacher.mouse.click(spot["x"], spot["y"])
        expect(teacher.get_by_text("Below: the run at lr = 0.003, p₀ = 0.6.")).to_be_visible()
        lr_box = teacher.get_by_role("spinbutton", name="Exact learning rate")
        expect(lr_box).to_have_value("3.0000e-3")  # the sidebar shows the run loaded
    finally:
        for context in contexts:
            context.close()
