"""Every figure's words legible and apart, in Chromium, on a projector (1280×720, 1920×1080)
and on a phone (390×844): the bounding boxes of each figure's SVG text (tick labels, axis
titles, legend, the gauge's words, button labels) never overlap one another or a marker, and
at 1280×720 none is under 14 px; the page logs no error. For each view (the run with each
preset, presenter mode, the challenges, a class, each explorer tab); screenshots of each first
screen are kept in artifacts/screenshots/. (The explorer is the teacher's, on a projector.)"""

from __future__ import annotations

import urllib.parse

import pytest

from bernoulli.data import samples
from bernoulli.io import share
from bernoulli.teach.presets import PRESETS, preset_settings
from tests.helpers import FIGURE

from .conftest import shot, wait_for_script

SIZES = {"1280x720": (1280, 720), "1920x1080": (1920, 1080), "390x844": (390, 844)}
EXPLORER_TABS = (
    "Learning-rate sweep",
    "lr × p₀ map",
    "Bifurcation & cobweb",
    "Optimizer race",
    "Sum vs mean",
)
SLACK = 1.0  # px: boxes that touch are not overlapping
# Each figure's visible SVG text (with its font size) and its markers, as boxes on screen.
BOXES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map((gd) => {
    const shown = (el) => {
        for (let e = el; e && e !== gd; e = e.parentElement) {
            const cs = getComputedStyle(e);
            if (e.getAttribute('display') === 'none' || cs.display === 'none'
                || cs.visibility === 'hidden' || cs.opacity === '0') return false;
        }
        return true;
    };
    const box = (r) => ({x: r.x, y: r.y, w: r.width, h: r.height});
    const texts = Array.from(gd.querySelectorAll('svg text'))
        .filter((t) => t.textContent.trim() && shown(t)
                && !/rgba\\(0, 0, 0, 0\\)/.test(getComputedStyle(t).fill))
        .map((t) => ({...box(t.getBoundingClientRect()), text: t.textContent.trim(),
                      size: parseFloat(getComputedStyle(t).fontSize),
                      menu: t.closest('g.updatemenu-container') !== null,
                      legend: t.closest('g.legend') !== null}))
        .filter((t) => t.w > 0 && t.h > 0);
    const marks = Array.from(gd.querySelectorAll('.scatterlayer .points path.point'))
        .filter(shown).map((p) => box(p.getBoundingClientRect()))
        .filter((m) => m.w >= 8 && m.h >= 8);
    return {texts, marks};
})"""
LAST_FRAME = f"""() => {{
    const gd = document.querySelector('{FIGURE}');
    const steps = gd._fullLayout.sliders?.[0]?.steps;
    if (!steps) return Promise.resolve();
    return Plotly.animate(gd, ...steps[steps.length - 1].args);
}}"""


def overlap(a: dict, b: dict) -> bool:
    dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return dx > SLACK and dy > SLACK


def clashes(figures: list[dict]) -> list[tuple]:
    """Pairs of texts that overlap, and texts on a marker, in any figure."""
    found = []
    for fig in figures:
        texts = fig["texts"]
        for i, a in enumerate(texts):
            found += [(a["text"], b["text"]) for b in texts[i + 1 :] if overlap(a, b)]
            # (a legend's symbols and the buttons are no markers of the data)
            if not a["legend"] and not a["menu"]:
                found += [(a["text"], "a marker") for m in fig["marks"] if overlap(a, m)]
    return found


def run_url(base: str, preset: str) -> str:
    sample = samples.notebook_sample()
    params = share.encode(sample.origin, preset_settings(preset, sample.n, sample.k))
    return f"{base}/?{urllib.parse.urlencode(params)}"


@pytest.fixture(params=list(SIZES))
def screen(browser, request):
    """A page of this size (a phone's with touch); it logs no page error."""
    width, height = SIZES[request.param]
    phone = width < 500
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone
    )
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    errors = []
    pg.on("pageerror", lambda error: errors.append(str(error)))
    yield pg, request.param
    context.close()
    assert errors == [], errors


def measured(pg, url: str, name: str, size: str, last: bool = True) -> list[dict]:
    """The boxes of every figure on the page at `url`, at its first frame and its last."""
    pg.goto(url)
    pg.wait_for_selector(f"{FIGURE} .main-svg")
    wait_for_script(pg)
    pg.wait_for_timeout(600)  # (a phone's relayout)
    shot(pg, f"labels-{size}-{name}")
    figures = pg.evaluate(BOXES)
    if last:
        pg.evaluate(LAST_FRAME)
        pg.wait_for_timeout(300)
        figures += pg.evaluate(BOXES)
    return figures


def check(figures: list[dict], size: str, where: str) -> None:
    assert figures, where
    assert clashes(figures) == [], where
    if size == "1280x720":
        small = {(t["text"], t["size"]) for f in figures for t in f["texts"] if t["size"] < 14}
        assert small == set(), where


def test_every_run_view_apart_and_legible(screen, app_url):
    pg, size = screen
    pages = {f"run-{name}": run_url(app_url, name) for name in PRESETS}
    pages["presenter"] = app_url + "/?present=1"
    pages["challenges"] = app_url + "/?view=challenges&card=3"
    pages["class"] = app_url + "/?view=class"
    for name, url in pages.items():
        check(measured(pg, url, name, size), size, name)


@pytest.mark.parametrize("screen", ["1280x720", "1920x1080"], indirect=True)  # a projector's
def test_every_explorer_tab_apart_and_legible(screen, app_url):
    pg, size = screen
    pg.goto(app_url + "/?view=explore")
    pg.wait_for_selector('[data-testid="stTab"]')
    wait_for_script(pg)
    for index, tab in enumerate(EXPLORER_TABS):
        pg.get_by_role("tab", name=tab).click()
        wait_for_script(pg, timeout=180_000)
        pg.wait_for_selector(f"{FIGURE} .main-svg")
        pg.wait_for_timeout(600)
        shot(pg, f"labels-{size}-explorer-{index}")
        check(pg.evaluate(BOXES), size, tab)
