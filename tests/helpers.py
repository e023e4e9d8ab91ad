"""What several test tiers share: where things are, Plotly's binary arrays, and Chromium."""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

ROOT = Path(__file__).resolve().parents[1]  # the clone's root: app.py, explorer.py, bernoulli/
CORPUS = ROOT / "tests" / "corpus"

CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium: never `playwright install`
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
# A Streamlit page in the browser: the script is done, and the first Plotly figure is drawn.
SCRIPT_DONE = '[data-test-script-state="notRunning"]'
FIGURE = ".js-plotly-plot"  # the animated figure: the first Plotly chart on the page
DRAWN = f"{FIGURE} .scatterlayer .trace"


def require_chromium() -> None:
    """Skip the test when Chromium is missing; in CI (CI=true) a missing browser fails it."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: sudo apt-get install -y chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright's sync API; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def decode(node):
    """A plotly JSON value with numpy blocks ({"dtype", "bdata"[, "shape"]}) turned into arrays.

    Plotly 7 writes a numpy array as base64 bytes; "shape" (e.g. "3, 4") only for 2-D ones.
    """
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                array = array.reshape([int(s) for s in str(node["shape"]).split(",") if s.strip()])
            return array
        return {key: decode(value) for key, value in node.items()}
    if isinstance(node, list):
        return [decode(value) for value in node]
    return node


def decode_array(value) -> np.ndarray:
    """One plotly data value (a numpy block or a plain list) as an array."""
    return np.asarray(decode(value))


# True when every trace the last frame moves shows that frame's x and y.
SHOWS_LAST_FRAME = """() => {
    const gd = document.querySelector('.plotly-graph-div');
    const frames = gd._transitionData._frames;
    const last = frames[frames.length - 1];
    const same = (a, b) => b === undefined || JSON.stringify(a) === JSON.stringify(b);
    return last.traces.every((i, j) =>
        same(gd.data[i].x, last.data[j].x) && same(gd.data[i].y, last.data[j].y));
}"""


def spec(fig) -> dict:
    """A Plotly figure as the browser gets it, with its numpy blocks decoded."""
    return decode(json.loads(fig.to_json()))


def moved(frame: dict) -> dict[int, dict]:
    """A frame's updates by trace index (a trace that never moves in a run is not in them)."""
    return dict(zip(frame["traces"], frame["data"], strict=True))


def preview_component(at):
    """The page's one preview component (``ui.scrub``) in an AppTest."""
    (element,) = at.get("bidi_component")
    assert element.proto.component_name == "bernoulli_scrub"
    return element


def handed(at) -> dict:
    """What the page handed the preview component this run."""
    return json.loads(preview_component(at).proto.json)


def release(at, pick: dict):
    """The preview's release in an AppTest: one "pick" trigger, with the widgets' other
    values, as the browser sends it (AppTest runs no JavaScript, but holds the trigger)."""
    element = preview_component(at)
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{element.proto.id}__events"
    trigger.json_trigger_value = json.dumps([{"event": "pick", "value": pick}])
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


APP = str(ROOT / "app.py")


def ran(what):
    """Run the page (`what`: an AppTest, or one of its widgets just set or clicked) and hold
    that it raised nothing."""
    at = what.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def opened(params: dict | None = None):
    """The page as a link with these query parameters opens it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params or {})
    return ran(at)


def wait_for_script(pg, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script for the current page state: a
    user acts on what the page shows, not on half a rerun."""
    pg.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout)
    # The attribute can still say notRunning for a moment before a rerun starts.
    pg.wait_for_timeout(300)
    pg.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout)


def send_run(page, lr: str, timeout: float = 120_000) -> None:
    """A student's own run at this lr (from p₀ = 0.6), typed exactly and sent to the class map."""
    from playwright.sync_api import expect

    box = page.get_by_label("Exact learning rate")
    box.fill(lr)
    box.press("Enter")
    wait_for_script(page)
    page.get_by_role("button", name="Send my run").click()
    expect(page.get_by_text(f"Sent: lr = {lr}, p₀ = 0.6.")).to_be_visible(timeout=timeout)
