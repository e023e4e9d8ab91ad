"""Real-browser tests: `streamlit run app.py` on a free port, driven in Debian's Chromium.

Outside CI a missing /usr/bin/chromium skips this tier (install it with
`sudo apt-get install -y chromium`); in CI (CI=true) it is a failure.

One server and one browser serve the whole tier (package scope: the browser's sync
Playwright loop must be closed before any other test outside the tier starts its own); each
test gets a fresh browser context (a new Streamlit session) at 1280×720. Screenshots go to
artifacts/screenshots/: `shot` for the steps of a case, and one at the end of every test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bernoulli.classroom import store
from tests.helpers import DRAWN, ROOT, chromium, require_chromium, wait_for_script
from tests.streamlit_client import free_port, start_server, stop_server

# BERNOULLI_SHOTS=/some/tmp/dir keeps a run's pictures out of the clone.
SHOTS = Path(os.environ.get("BERNOULLI_SHOTS") or ROOT / "artifacts" / "screenshots")
# The figure as the browser shows it: the slider's active step (its frame's name), the frame
# shown (the name of the step the moving traces are at), where each moving trace is, and the
# step's name as drawn (a text of the figure's, not hidden).
FIGURE_STATE = """(index) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[index];
    const slider = gd._fullLayout.sliders[0];
    const x = (i) => Array.from(gd.data[i].x);
    return {
        active: slider.active,
        activeStep: Number(slider.steps[slider.active].args[0][0]),
        frames: gd._transitionData._frames.map((f) => f.name),
        path: x(3), lossCursor: x(8), gradCursor: x(12), now: x(18),
        traces: gd.data.length,
        mle: gd.data[1].x[0],
        font: gd._fullLayout.font.size,
        stepShown: Array.from(gd.querySelectorAll('.scatterlayer .textpoint'))
            .filter((g) => g.getAttribute('display') !== 'none')
            .map((g) => g.textContent).filter((t) => t.startsWith('step ')),
    };
}"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def app_url(tmp_path_factory):
    """Base URL of a running `streamlit run app.py`."""
    port = free_port()
    proc = start_server(port, tmp_path_factory.mktemp("server") / "streamlit.log")
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


@pytest.fixture(scope="module")
def class_url(tmp_path_factory):
    """A server of the module's own, with its classes in a fresh SQLite file."""
    folder = tmp_path_factory.mktemp("class-server")
    with pytest.MonkeyPatch.context() as env:
        env.setenv(store.ENV_URL, f"sqlite:///{folder / 'classes.db'}")
        port = free_port()
        proc = start_server(port, folder / "streamlit.log")
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


@pytest.fixture(scope="package")
def browser():
    require_chromium()
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, app_url, request):
    """A fresh 1280×720 page; a screenshot of it is kept under artifacts/screenshots/."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{request.node.name}-end.png"), full_page=True)
    context.close()


def shot(pg, name: str, *, whole: bool = False) -> Path:
    """Save a screenshot for inspection and return its path.

    The page scrolls inside Streamlit's main column, so a full-page screenshot is only the
    viewport: `whole=True` grows the viewport to the column's height for the picture.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    if not whole:
        pg.screenshot(path=str(path))
        return path
    size = pg.viewport_size
    height = pg.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    pg.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    pg.wait_for_timeout(500)  # Plotly re-lays out to the new size
    pg.screenshot(path=str(path))
    pg.set_viewport_size(size)
    pg.wait_for_timeout(300)
    return path


def open_app(pg, url: str) -> None:
    """Open the page (a link, possibly) and wait until the figure is drawn and the script done."""
    pg.goto(url)
    pg.wait_for_selector(DRAWN, timeout=60_000)
    wait_for_script(pg)


def figure_state(pg, index: int = 0) -> dict:
    """What the index-th Plotly figure shows now (see FIGURE_STATE)."""
    return pg.evaluate(FIGURE_STATE, index)


def sidebar_text(pg) -> str:
    return pg.locator('[data-testid="stSidebar"]').inner_text()
