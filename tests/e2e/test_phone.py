"""The run on a phone held upright (390×844 and 360×740, touch) in Chromium: the panels
stacked, every player control a tap target of at least 44×44 px inside the screen that a tap
at its centre reaches (nothing lies over it), each doing what it says; and a change of the lr
in the sidebar folds the sidebar away, the new run in view."""

from __future__ import annotations

import pytest

from tests.helpers import DRAWN, FIGURE

from .conftest import SHOTS, shot, wait_for_script

PHONES = {"390x844": (390, 844), "360x740": (360, 740)}
CONTROLS = ["Play", "Pause", "step back", "step on", "0.5×", "1×", "2×", "4×"]
STACKED = f"""() => {{
    const f = document.querySelector('{FIGURE}')._fullLayout;
    return f.xaxis.domain[1] === 1 && f.xaxis2.domain[0] === 0 && f.height > 1000
        && document.querySelectorAll('{FIGURE} g.updatemenu-button').length === 8;
}}"""
# The control named `name`: its box on screen, and whether a tap at its centre reaches it.
CONTROL = f"""(name) => {{
    const buttons = Array.from(document.querySelectorAll('{FIGURE} g.updatemenu-button'));
    const named = (b) => {{
        const label = b.getAttribute('aria-label') || '';
        return label === name || label === 'speed ' + name || label.startsWith(name);
    }};
    const button = buttons.find(named);
    button.scrollIntoView({{block: 'center'}});
    const r = button.querySelector('rect').getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    const fig = document.querySelector('{FIGURE}').getBoundingClientRect();  // (it clips)
    return {{x, y, w: r.width, h: r.height, left: r.left, top: r.top, right: r.right,
             bottom: r.bottom, vw: innerWidth, vh: innerHeight, figLeft: fig.left,
             figRight: fig.right,
             own: hit !== null && hit.closest('g.updatemenu-button') === button}};
}}"""
ACTIVE = f"() => document.querySelector('{FIGURE}')._fullLayout.sliders[0].active"
SPEED = f"() => document.querySelector('{FIGURE}')._fullLayout.updatemenus[1].active"
# Back to the first frame, as the Home key takes it there (ui/static/keyboard.js): a speed
# plays on from the current frame, so a run played to its end would have nothing left to play.
REWIND = f"""() => {{
    const gd = document.querySelector('{FIGURE}');
    return window.Plotly.animate(gd, ...gd._fullLayout.sliders[0].steps[0].args);
}}"""


@pytest.fixture(params=list(PHONES))
def phone(browser, app_url, request):
    width, height = PHONES[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, is_mobile=True
    )
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    errors = []
    pg.on("pageerror", lambda error: errors.append(str(error)))
    pg.goto(app_url + "/?lr=0.0015&p0=0.6&dtype=float64")  # the Oscillation preset's run
    pg.wait_for_selector(DRAWN)
    wait_for_script(pg)
    pg.wait_for_function(STACKED)
    yield pg, request.param
    SHOTS.mkdir(parents=True, exist_ok=True)
    context.close()
    assert errors == [], errors


def tap(pg, name: str) -> dict:
    box = pg.evaluate(CONTROL, name)
    pg.touchscreen.tap(box["x"], box["y"])
    return box


def test_every_player_control_is_a_tap_target_that_works(phone):
    pg, size = phone
    shot(pg, f"phone-{size}-run", whole=True)
    for name in CONTROLS:
        box = pg.evaluate(CONTROL, name)
        assert box["own"], f"{name}: a tap at its centre reaches something else"
        assert box["w"] >= 44 and box["h"] >= 44, (name, box)
        assert box["left"] >= 0 and box["top"] >= 0, (name, box)
        assert box["right"] <= box["vw"] and box["bottom"] <= box["vh"], (name, box)
        assert box["figLeft"] <= box["left"] and box["right"] <= box["figRight"], (name, box)
    tap(pg, "step on")
    pg.wait_for_function(f"({ACTIVE})() === 1")
    tap(pg, "step on")
    pg.wait_for_function(f"({ACTIVE})() === 2")
    tap(pg, "step back")
    pg.wait_for_function(f"({ACTIVE})() === 1")
    tap(pg, "Play")
    pg.wait_for_function(f"({ACTIVE})() > 3")
    tap(pg, "Pause")
    pg.wait_for_timeout(200)
    held = pg.evaluate(ACTIVE)
    pg.wait_for_timeout(500)
    assert pg.evaluate(ACTIVE) == held  # paused
    for index, speed in enumerate(["0.5×", "1×", "2×", "4×"]):
        pg.evaluate(REWIND)
        pg.wait_for_function(f"({ACTIVE})() === 0")
        tap(pg, speed)
        pg.wait_for_function(f"({SPEED})() === {index}")  # the speed's button is lit
        pg.wait_for_function(f"({ACTIVE})() > 0")  # and it plays at it
        tap(pg, "Pause")
    shot(pg, f"phone-{size}-controls")


def test_a_change_of_lr_folds_the_sidebar_and_shows_the_run(phone):
    pg, size = phone
    pg.locator('[data-testid="stExpandSidebarButton"]').tap()
    sidebar = pg.locator('[data-testid="stSidebar"]')
    pg.wait_for_selector('[data-testid="stSidebar"][data-collapsed="false"]')
    lr = pg.get_by_role("spinbutton", name="Exact learning rate", exact=True)
    lr.scroll_into_view_if_needed()
    lr.tap()
    lr.fill("0.003")
    lr.press("Enter")
    pg.wait_for_selector('[data-testid="stAlertContentError"]')  # the new run's banner
    wait_for_script(pg)
    pg.wait_for_selector('[data-testid="stSidebar"][data-collapsed="true"]', state="attached")
    banner = pg.locator('[data-testid="stAlertContentError"]').first
    banner.wait_for()
    assert "thrown out of (0, 1) at step 2" in banner.inner_text()
    box = banner.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= pg.viewport_size["height"]
    pane = sidebar.bounding_box()
    assert pane is None or pane["x"] + pane["width"] <= 1  # folded off the screen
    pg.wait_for_function(STACKED)  # the new run's figure is laid out for the phone too
    shot(pg, f"phone-{size}-after-lr")
