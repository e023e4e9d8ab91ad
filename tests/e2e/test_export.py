"""The offline HTML export, downloaded from the page and opened from disk with the network
off: plotly.js is inside it, and its Play button plays the run to the end."""

from __future__ import annotations

from tests.helpers import CHROMIUM, SHOWS_LAST_FRAME

from .conftest import figure_state, open_app, shot


def test_html_export_opens_offline_and_plays(page, app_url, browser, tmp_path):
    open_app(page, f"{app_url}/?lr=0.0001&steps=60")
    in_app = figure_state(page)
    page.get_by_role("tab", name="Take this run away").click()  # lazy: a rerun draws it
    button = page.get_by_role("button", name="Animation (offline HTML)")
    button.scroll_into_view_if_needed()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "bernoulli-animation.html"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.stat().st_size > 3_000_000  # plotly.js itself is inside

    offline = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
    requested = []
    try:
        pg = offline.new_page()
        pg.on("request", lambda r: requested.append(r.url))
        pg.goto(path.as_uri())
        pg.wait_for_function(
            "window.Plotly && document.querySelector('.plotly-graph-div')?._fullLayout"
        )
        names = pg.evaluate(
            "document.querySelector('.plotly-graph-div')._transitionData._frames.map(f => f.name)"
        )
        assert names == in_app["frames"] and len(names) == 61  # the run the page showed
        assert not pg.evaluate(SHOWS_LAST_FRAME)  # it waits for its Play button
        shot(pg, "html-export-opened")
        pg.locator("g.updatemenu-button", has_text="Play").click()
        pg.wait_for_function(SHOWS_LAST_FRAME, timeout=30_000)
        shot(pg, "html-export-played")
    finally:
        offline.close()
    assert requested and all(url.startswith("file://") for url in requested), requested
    assert CHROMIUM  # (the browser fixture skipped or failed already when it is missing)
