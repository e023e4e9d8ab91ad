"""Typed values in Chromium: flips typed into the one-line box apply as one types,
without Enter, and the figure follows."""

from __future__ import annotations

from .conftest import figure_state, open_app, shot, sidebar_text, wait_for_script


def test_typed_flips_apply_as_one_types(page, app_url):
    open_app(page, app_url)
    page.locator('[data-testid="stRadio"]').get_by_text("Type or paste", exact=True).click()
    wait_for_script(page)
    box = page.locator('[data-testid="stTextInput"] input').first
    box.click()
    box.press_sequentially("HHTHTTHHHH", delay=30)  # no Enter, no leaving the box
    page.wait_for_function(
        "document.querySelector('[data-testid=\"stSidebar\"]').innerText"
        ".includes('n = 10, k = 7 ones')",
        timeout=60_000,
    )
    wait_for_script(page)
    text = sidebar_text(page)
    assert "1 = H (p = P(H)), 0 = T" in text
    assert figure_state(page)["mle"] == 0.7
    shot(page, "typed-flips")
