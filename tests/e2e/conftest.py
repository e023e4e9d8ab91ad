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
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCRIPT_DONE = '[data-test-script-state="notRunning"]'
FIGURE = ".js-plotly-plot"  # the animated figure: the first Plotly chart on the page
DRAWN = f"{FIGURE} .scatterlayer .trace"
# The figure as the browser shows it: the slider's active step, the frame shown (the name of
# the step the moving traces are at) and where each moving trace is.
FIGURE_STATE = """(index) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[index];
    const slider = gd._fullLayout.sliders[0];
    const x = (i) => Array.from(gd.data[i].x);
    return {
        active: slider.active,
        activeStep: Number(slider.steps[slider.active].label),
        frames: gd._transitionData._frames.map((f) => f.name),
        path: x(3), lossCursor: x(7), gradCursor: x(10),
        traces: gd.data.length,
        mle: gd.data[1].x[0],
        font: gd._fullLayout.font.size,
    };
}"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    """Start `streamlit run app.py` on 127.0.0.1:port and wait until it answers its health check."""
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_server
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 90
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.25)
    stop_server(proc)
    raise RuntimeError(f"streamlit did not answer {url} within 90 s:\n{log_path.read_text()}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.log.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="package")
def app_url(tmp_path_factory):
    """Base URL of a running `streamlit run app.py`."""
    port = free_port()
    proc = start_server(port, tmp_path_factory.mktemp("server") / "streamlit.log")
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: sudo apt-get install -y chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


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


def wait_for_script(pg, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script for the current page state."""
    pg.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout)
    # The attribute can still say notRunning for a moment before a rerun starts.
    pg.wait_for_timeout(300)
    pg.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout)


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
