"""The divergence explorer in Chromium at 1280×720: every tab drawn, nothing cut (screenshots
kept in artifacts/screenshots/ to be looked at)."""

from __future__ import annotations

import pytest

from .conftest import shot, wait_for_script

# The formulas (KaTeX) cut by their box (wider by more than a root sign's overhang), by their
# TeX source.
WIDE = """() => Array.from(document.querySelectorAll('.katex-display'))
    .filter((el) => el.scrollWidth > el.clientWidth + 8)  // KaTeX overhangs by a pixel or two
    .map((el) => el.querySelector('annotation')?.textContent.slice(0, 60))"""
TABS = ("Learning-rate sweep", "lr × p₀ map", "Bifurcation & cobweb", "Optimizer race")


@pytest.mark.parametrize("tab", TABS)
def test_explorer_tab_drawn(page, app_url, tab):
    page.goto(app_url + "/?view=explore")
    page.wait_for_selector('[data-testid="stTab"]', timeout=60_000)
    wait_for_script(page)
    page.get_by_role("tab", name=tab).click()
    wait_for_script(page, timeout=180_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_timeout(800)
    # No formula wider than its column: KaTeX lines fit (or scroll inside their box).
    cut = page.evaluate(WIDE)
    shot(page, f"explorer-{TABS.index(tab)}", whole=True)
    assert cut == [], cut
