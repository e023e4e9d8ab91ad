"""The sidebar's controls in Chromium: a real upload through the file input (a good file, then
a bad one), and a divergent learning rate typed into the exact input."""

from __future__ import annotations

from tests.helpers import FIGURE

from .conftest import figure_state, open_app, shot, sidebar_text, wait_for_script


def test_upload_good_then_bad_keeps_the_good_sample(page, app_url, tmp_path):
    open_app(page, app_url)
    page.locator('[data-testid="stRadio"]').get_by_text("Upload", exact=True).click()
    wait_for_script(page)
    file_input = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    good = tmp_path / "flips.csv"
    good.write_text("y\n0\n1\n1\n1\n")
    file_input.set_input_files(good)
    wait_for_script(page)
    page.wait_for_function(f"document.querySelector('{FIGURE}')._fullData[1].x[0] === 0.75")
    assert "n = 4, k = 3 ones, sample mean k/n = 0.75" in sidebar_text(page)
    assert figure_state(page)["mle"] == 0.75  # the figure follows the new sample
    assert (
        page.locator('[data-testid="stSidebar"] [data-testid="stAlertContentError"]').count() == 0
    )
    shot(page, "upload-good")

    bad = tmp_path / "bad.csv"
    bad.write_text("0\n1\n2\n1\n")
    file_input.set_input_files(bad)
    wait_for_script(page)
    error = page.locator('[data-testid="stSidebar"] [data-testid="stAlertContentError"]')
    error.wait_for()
    assert 'bad.csv line 3: "2" is not a 0/1 value' in error.inner_text()
    assert "Still using: flips.csv" in error.inner_text()
    assert "n = 4, k = 3 ones" in sidebar_text(page)  # the good sample stays
    assert figure_state(page)["mle"] == 0.75
    error.scroll_into_view_if_needed()
    shot(page, "upload-bad")


def test_divergent_learning_rate_shows_the_banner(page, app_url):
    open_app(page, app_url)
    lr = page.get_by_role("spinbutton", name="Exact learning rate", exact=True)
    lr.fill("0.003")
    lr.press("Enter")
    wait_for_script(page)
    banner = page.locator('[data-testid="stAlertContentError"]').first
    banner.wait_for()
    text = banner.inner_text()
    # From the notebook's p0 = 0.084 the first step decides: said so, in a student's words.
    assert "The very first step throws p out of (0, 1)" in text and "p₁ = 5.091" in text
    # In the theme's colour-blind-safe vermillion (Okabe-Ito), dark enough to read (> 6:1).
    color = banner.evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(143, 58, 0)", color
    state = figure_state(page)
    assert state["frames"] == ["0", "1"]  # the run stops where p left (0, 1)
    assert "lr=0.003" in page.url
    assert "This run: The very first step throws p out of (0, 1)" in sidebar_text(page)
    shot(page, "divergent-lr")
    # Scrubbing to the last frame shows the escape, labelled with p's true value.
    page.evaluate(
        f"Plotly.animate(document.querySelector('{FIGURE}'), ['1'],"
        " {frame: {duration: 0, redraw: false}, mode: 'immediate'})"
    )
    page.wait_for_function(
        f"(document.querySelector('{FIGURE}').data[4].text || [])[1]?.includes('outside (0, 1)')"
    )
    shot(page, "divergent-lr-escape")
