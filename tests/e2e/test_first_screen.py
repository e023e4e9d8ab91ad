"""The first screen and the presets in Chromium: Play in view at 1280×720 and 1440×900, the
step buttons move one frame, and each preset seen mid-animation (screenshots kept in
artifacts/screenshots/ to be looked at)."""

from __future__ import annotations

import pytest

from tests.helpers import FIGURE

from .conftest import figure_state, open_app, shot, wait_for_script


def button(pg, text: str):
    return pg.locator(f"{FIGURE} g.updatemenu-button", has_text=text)


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)])
def test_first_screen_has_play_in_view(page, app_url, size):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, app_url)
    page.wait_for_timeout(500)
    for control in (
        button(page, "Play"),
        button(page, "+1"),
        page.locator(f"{FIGURE} .slider-container"),
    ):
        box = control.bounding_box()
        assert box is not None, control
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
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
    shot(page, f"preset-{preset}-mid", whole=True)
