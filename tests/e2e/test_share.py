"""A shared link in Chromium: it opens exactly its run, the URL follows every change, and the
link the page offers opens the same run again."""

from __future__ import annotations

from .conftest import open_app, shot, wait_for_script

LINK = (
    "?data=generate&n=500&true_p=0.3&data_seed=7&lr=0.0015&steps=300&p0=0.6&opt=momentum&beta=0.5"
)


def shown(pg) -> dict[str, str]:
    """The values the widgets show."""
    side = pg.locator('[data-testid="stSidebar"]')

    def number(label: str) -> str:
        return side.get_by_role("spinbutton", name=label, exact=True).first.input_value()

    return {
        "lr": number("Exact learning rate"),
        "steps": number("Steps"),
        "p0": number("p0"),
        "n": number("n"),
        "data_seed": number("seed"),  # the generator's seed comes first
        "optimizer": side.get_by_role("combobox", name="Optimizer").input_value(),
        "sample": side.get_by_text("sample mean k/n").inner_text(),
        "final p": pg.locator('[data-testid="stMetric"]').nth(1).inner_text(),
    }


def test_shared_link_round_trips(page, app_url, browser):
    open_app(page, f"{app_url}/{LINK}")
    opened = shown(page)
    assert opened["lr"] == "1.5000e-3" and opened["steps"] == "300"
    assert opened["p0"] == "0.60000000" and opened["n"] == "500"
    assert opened["data_seed"] == "7" and "momentum" in opened["optimizer"]
    assert opened["sample"].startswith("generated (n=500, p=0.3, seed=7)\nn = 500, k = ")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Parts of this link were ignored" not in main
    shot(page, "shared-link-opened")

    steps = page.get_by_role("spinbutton", name="Steps", exact=True)
    steps.fill("200")
    steps.press("Enter")
    wait_for_script(page)
    page.wait_for_url("**steps=200**")
    assert "lr=0.0015" in page.url and "opt=momentum" in page.url and "data_seed=7" in page.url
    page.get_by_role("button", name="Link to this run").click()
    link = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]').inner_text()
    assert link.strip() == page.url  # the link offered is the address bar's
    shot(page, "shared-link-popover")
    link = link.strip()
    changed = shown(page)
    assert changed["steps"] == "200" and changed["lr"] == "1.5000e-3"

    other = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        again = other.new_page()
        open_app(again, link)  # a new session, from the link the page offers
        assert shown(again) == changed
        shot(again, "shared-link-reopened")
    finally:
        other.close()


def test_malformed_link_is_noted_not_raised(page, app_url):
    open_app(page, f"{app_url}/?lr=abc&steps=0&p0=0.6&foo=%3Cb%3E")
    notes = page.locator('[data-testid="stAlertContentWarning"]', has_text="ignored").inner_text()
    assert 'Ignored lr="abc": not a number.' in notes
    assert 'Ignored unknown parameter "foo".' in notes
    p0 = page.get_by_role("spinbutton", name="p0").input_value()
    assert p0 == "0.60000000"  # the good part applied
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_url("**/?p0=0.6")  # and the URL cleaned
    shot(page, "malformed-link")
