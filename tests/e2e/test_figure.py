"""The animated figure in Chromium: drawn on first load, played by its Play button, and the
same on a projector (presenter mode) with its controls in view at 1280×720."""

from __future__ import annotations

from tests.helpers import FIGURE

from .conftest import figure_state, open_app, shot, wait_for_script


def play_button(pg):
    return pg.locator(f"{FIGURE} g.updatemenu-button", has_text="Play")


def test_first_load_shows_the_figure(page, app_url):
    open_app(page, app_url)
    state = figure_state(page)
    assert state["traces"] == 22 and len(state["frames"]) == 200  # the notebook's 1000 steps
    # stalled at 655: the step axis ends a third later, at 874 (all 1000 a toggle away)
    assert state["frames"][0] == "0" and state["frames"][-1] == "874"
    assert state["active"] == 0 and state["now"] == [0.08385391]  # at p0, waiting for Play
    assert state["stepShown"] == ["step 0   (● = 0.586)"]  # named above the gauge, its value
    assert state["mle"] == 0.725
    # The status in words (not colour alone) and the figure's text alternative.
    # First one sentence in a student's words; the float32 stall is in "Why", one click away.
    banner = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
    assert "p stops at 0.724999, 1.47e-06 short of p̂ = 0.725, at step 655" in banner
    label = page.locator('[data-testid="stPlotlyChart"]').first.get_attribute("aria-label")
    assert label and "gradient descent" in label and "Stalled at step 655" in label
    assert page.locator(f"{FIGURE} .slider-container").count() == 1
    shot(page, "first-load")
    shot(page, "first-load-whole", whole=True)


def test_play_moves_the_marker_and_the_step_panels_follow(page, app_url):
    open_app(page, app_url)
    play_button(page).click()
    page.wait_for_function(f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active >= 3")
    first = figure_state(page)
    page.wait_for_timeout(600)
    second = figure_state(page)
    shot(page, "playing")
    assert second["active"] > first["active"]  # the slider moves along
    for state in (first, second):
        t = state["lossCursor"][0]
        # The marker is p_t on the curve, and both step panels' cursors stand at step t.
        assert state["lossCursor"] == state["gradCursor"] == [t]
        assert str(t) in state["frames"]
    assert second["lossCursor"][0] > first["lossCursor"][0]
    assert second["path"][-1] > first["path"][-1] > 0.08385391  # p climbs towards 0.725
    page.locator(f"{FIGURE} g.updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(200)
    paused = figure_state(page)
    page.wait_for_timeout(500)
    assert figure_state(page)["lossCursor"] == paused["lossCursor"]  # and stays when paused


def test_presenter_mode_fits_a_projector(page, app_url):
    open_app(page, app_url + "/?lr=0.00205&p0=0.7&dtype=float64")
    plain_font = figure_state(page)["font"]
    page.get_by_text("Presenter mode", exact=True).click()
    wait_for_script(page)
    page.wait_for_function(f"document.querySelector('{FIGURE}')._fullLayout.font.size > 17")
    assert "present=1" in page.url and "lr=0.00205" in page.url
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    assert figure_state(page)["font"] > plain_font
    # The outcome in words in the bar, the learning rate within reach, and the whole
    # figure down to Play/Pause and the step slider inside the 1280×720 window.
    summary = page.locator(
        '[data-testid="stMain"] [data-testid="stCaptionContainer"]'
    ).first.inner_text()
    assert "escapes (0, 1) at step 33" in summary and "lr = 0.00205" in summary
    assert page.locator('[data-testid="stMain"] [data-testid="stSlider"]').is_visible()
    for control in (play_button(page), page.locator(f"{FIGURE} .slider-container")):
        box = control.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, box
    shot(page, "presenter-mode")
    play_button(page).click()
    page.wait_for_function(
        f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active >= 10"
    )
    shot(page, "presenter-mode-playing")


# The focused element, inside the preview component's shadow root when focus is there.
DEEP_ACTIVE = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el;
}"""


def focused(pg) -> str | None:
    return pg.evaluate(f"({DEEP_ACTIVE})().getAttribute('aria-label')")


def named(pg) -> str:
    """The focused element's visible text (an expander's summary has no aria-label)."""
    return pg.evaluate(f"({DEEP_ACTIVE})().innerText").strip()


def test_figure_controls_work_from_the_keyboard(page, app_url):
    """Plotly's SVG controls join the Tab order: Enter plays and pauses, keys scrub."""
    open_app(page, app_url)
    page.get_by_role("switch", name="Predict first").focus()  # the bar's last switch
    order = []
    while "Animation step" not in order and len(order) < 10:
        page.keyboard.press("Tab")
        order.append(focused(page) or named(page))
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(focused(page) or named(page))
    # The switch's help, the banner's "Why" (an expander), the preview's named controls
    # (its "Start near p̂" only while p0 is far from p̂), then the figure's controls.
    assert order[0] == "Help for Predict first", order
    assert order[1].endswith("Why: the numbers"), order  # after its icon
    assert order[2:4] == ["Learning rate", "Start p0"], order
    assert order[4:-4] in (["Preview"], ["Start near p̂", "Preview"]), order
    assert order[-4:] == ["Animation step", "Play", "Pause", "step back"], order
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "Play"
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active >= 3")
    page.keyboard.press("Tab")
    page.keyboard.press(" ")  # Pause
    page.wait_for_timeout(200)
    paused = figure_state(page)["active"]
    page.wait_for_timeout(400)
    assert figure_state(page)["active"] == paused > 0
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "Animation step"
    slider = f"{FIGURE} g.slider-container"
    page.keyboard.press("End")
    page.wait_for_function(
        f"document.querySelector('{FIGURE}').data[8].x[0] === 874"
    )  # the step panels' cursor at the last step shown
    assert page.get_attribute(slider, "aria-valuetext") == "step 874"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active === 2"
    )
    page.wait_for_timeout(200)
    state = figure_state(page)  # the slider's third stop: step 2 (every step is a stop)
    assert state["lossCursor"] == state["gradCursor"] == [state["activeStep"]] == [2]
    assert state["stepShown"][0].startswith("step 2 ")
    assert state["path"][-1] > 0.08385391
    assert page.get_attribute(slider, "aria-valuetext") == f"step {state['activeStep']}"
    shot(page, "keyboard-slider-focused")
