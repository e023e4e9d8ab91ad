"""The first screen and the presets in Chromium: the banner, Play and the whole curve panel in
view at 1280×720 and 1440×900, the step buttons move one frame, and each preset seen
mid-animation (screenshots kept in artifacts/screenshots/, or $BERNOULLI_SHOTS, to be looked
at)."""

from __future__ import annotations

import pytest

from tests.helpers import FIGURE

from .conftest import figure_state, open_app, shot, wait_for_script


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
    banner = page.locator('[data-testid="stAlertContentSuccess"]').first
    assert "p walks straight to p̂ = 0.725" in banner.inner_text()
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
    assert curve["height"] > 200 and curve["width"] > 250, curve  # a real panel, not a strip
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
