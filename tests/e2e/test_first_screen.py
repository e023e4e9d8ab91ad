"""The first screen and the presets in Chromium: the banner, Play and the whole curve panel in
view at 1280×720 and 1440×900, the step buttons move one frame, Play at the end plays the run
again, and each preset seen mid-animation (screenshots kept in artifacts/screenshots/, or
$BERNOULLI_SHOTS, to be looked at)."""

from __future__ import annotations

import pytest

from tests.helpers import FIGURE

from .conftest import figure_state, open_app, shot, wait_for_script

FIGURE_STEPS = f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].steps.length"
ACTIVE = f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active"


def button(pg, text: str):
    return pg.locator(f"{FIGURE} g.updatemenu-button", has_text=text)


# Where panel (a)'s plotting area is on the page (Plotly's axis offsets and lengths), and
# the bottom of its p-axis tick labels.
CURVE_PANEL = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const ticks = Array.from(gd.querySelectorAll('.xtick text')).map(
        (t) => t.getBoundingClientRect().bottom);
    return {x: box.left + xa._offset, width: xa._length,
            y: box.top + ya._offset, height: ya._length, ticks: Math.max(...ticks)};
}"""


def inside(box: dict, width: int, height: int) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    )


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)])
def test_first_screen_has_the_banner_play_and_the_curve_in_view(page, app_url, size):
    """Without scrolling: the one-sentence banner, Play (and the step controls), and the
    whole of panel (a), the NLL curve with the moving p, down to its p-axis numbers."""
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, app_url)
    page.wait_for_timeout(500)
    banner = page.locator('[data-testid="stAlertContentWarning"]').first
    assert "p stops at 0.724999, 1.47e-06 short of p̂ = 0.725" in banner.inner_text()
    for control in (
        banner,
        button(page, "Play"),
        button(page, "+1"),
        page.locator(f"{FIGURE} .slider-container"),
    ):
        box = control.bounding_box()
        assert box is not None, control
        assert inside(box, width, height), (control, box)
    curve = page.evaluate(CURVE_PANEL)
    assert curve["height"] > 190 and curve["width"] > 250, curve  # a real panel, not a strip
    assert inside(curve, width, height), curve
    assert curve["ticks"] <= height, curve  # its p-axis numbers too
    shot(page, f"first-screen-{width}x{height}")
    shot(page, f"first-screen-{width}x{height}-whole", whole=True)


def test_step_buttons_move_one_frame(page, app_url):
    open_app(page, app_url + "/?lr=0.0015&p0=0.6&dtype=float64")
    assert figure_state(page)["active"] == 0
    for expected in (1, 2, 3):
        button(page, "+1").click()
        page.wait_for_function(
            f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active === {expected}"
        )
    button(page, "−1").click()
    page.wait_for_function(
        f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active === 2"
    )
    state = figure_state(page)
    assert (
        state["activeStep"] == 2
        and state["lossCursor"] == [2]
        and state["now"] == [pytest.approx(0.70540, abs=5e-5)]
    )
    shot(page, "step-buttons")


def test_play_at_the_end_plays_the_run_again_from_its_start(page, app_url):
    open_app(page, app_url + "/?lr=0.0015&p0=0.6&dtype=float64")
    slider = page.locator(f"{FIGURE} g.slider-container")
    slider.focus()
    page.keyboard.press("End")
    last = page.evaluate(f"{FIGURE_STEPS} - 1")
    page.wait_for_function(f"{ACTIVE} === {last}")
    button(page, "Play").click()
    page.wait_for_function(f"{ACTIVE} < {last} && {ACTIVE} > 2")  # back to the start, playing
    button(page, "Pause").click()


@pytest.mark.parametrize("preset", ["notebook", "smooth", "oscillation", "divergence"])
def test_each_preset_mid_animation(page, app_url, preset):
    open_app(page, app_url)
    label = {
        "notebook": "Replay the notebook",
        "smooth": "Smooth convergence",
        "oscillation": "Oscillation",
        "divergence": "Divergence",
    }[preset]
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name=label, exact=True).click()
    wait_for_script(page)
    page.wait_for_timeout(500)
    frames = figure_state(page)["frames"]
    middle = len(frames) // 3
    button(page, "Play").click()
    page.wait_for_function(
        f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active >= {middle}"
    )
    button(page, "Pause").click()
    page.wait_for_timeout(300)
    state = figure_state(page)
    assert state["lossCursor"] == [state["activeStep"]]
    assert inside(page.evaluate(CURVE_PANEL), 1280, 720)  # the first screen holds the curve
    shot(page, f"preset-{preset}-mid-screen")
    shot(page, f"preset-{preset}-mid", whole=True)


# Each legend entry's box (its symbol and words), the figure's box, and the margins as drawn
# against the margins the layout asks for (plotly.js widens a margin when what it holds
# does not fit, squeezing the panels).
LEGEND = """() => {
    const gd = document.querySelector('.js-plotly-plot'), fig = gd.getBoundingClientRect();
    const entries = Array.from(gd.querySelectorAll('.legend g.traces')).map((g) => {
        const box = g.getBoundingClientRect();
        return {name: g.querySelector('text.legendtext').textContent,
                left: box.left, right: box.right, top: box.top, bottom: box.bottom};
    });
    return {entries, right: fig.right, bottom: fig.bottom,
            drawn: gd._fullLayout._size.b, asked: gd._fullLayout.margin.b};
}"""


def overlaps(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["left"] < b["right"] - slack
        and b["left"] < a["right"] - slack
        and a["top"] < b["bottom"] - slack
        and b["top"] < a["bottom"] - slack
    )


@pytest.mark.parametrize(
    ("size", "query"),
    [
        ((1280, 720), ""),
        ((1280, 720), "/?lr=0.00205&p0=0.7&dtype=float64"),  # the Divergence preset
        ((1280, 720), "/?optimizer=sgd&param=logit"),  # the longest entry's words
        ((1440, 900), ""),
        ((1280, 720), "/?lr=0.00205&p0=0.7&dtype=float64&present=1"),
    ],
)
def test_legend_entries_never_run_into_each_other(page, app_url, size, query):
    """Every entry is as wide as its words: none covers another's symbol or words, none
    leaves the figure, and the legend fits the margin kept for it (the panels keep their
    size)."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_app(page, app_url + query)
    legend = page.evaluate(LEGEND)
    entries = legend["entries"]
    assert len(entries) >= 9, entries
    assert any(e["name"].startswith("Wald 95%, SE = 1/√H = ") for e in entries)
    for i, entry in enumerate(entries):
        assert entry["right"] <= legend["right"] + 0.5, entry
        assert entry["bottom"] <= legend["bottom"] + 0.5, entry
        for other in entries[i + 1 :]:
            assert not overlaps(entry, other), (entry, other)
    assert legend["drawn"] == legend["asked"], legend
    shot(page, f"legend-{size[0]}x{size[1]}{'-' + query[2:12] if query else ''}")
