"""The pictures in docs/, made from the page as it is (`make screenshots`).

Starts `streamlit run app.py` on a free port on 127.0.0.1, opens fixed links in Debian's
headless Chromium at fixed viewports, and writes:

- docs/run-view.png: a run that zig-zags in (lr between 1/H and 2/H), at its last step, 1280×720;
- docs/explorer.png: the divergence explorer's first tab, 1280×720;
- docs/phone.png: the same run's first screen on a phone, 390×844;
- docs/escape.webp: p walking the curve, zig-zagging wider and leaving (0, 1), step by step.

Each picture waits until the script has finished and the figure's traces are drawn.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402 - after the clone's root is importable

from tests.helpers import DRAWN, FIGURE, SCRIPT_DONE, chromium  # noqa: E402
from tests.streamlit_client import free_port, start_server, stop_server  # noqa: E402

DOCS = ROOT / "docs"
DESKTOP = (1280, 720)
PHONE = (390, 844)
# lr = 1.5e-3 lies between 1/H ≈ 1.0e-3 and 2/H ≈ 2.0e-3 for the notebook's sample: p overshoots
# p̂ each step and zig-zags in. lr = 2.1e-3 is 1.05× 2/H: the zig-zag widens until p leaves (0, 1)
# at step 20.
ZIGZAG = "/?lr=0.0015&p0=0.6&dtype=float64"
ESCAPE = "/?lr=0.0021&p0=0.7&dtype=float64&steps=40"
ANIMATION_WIDTH = 800
FRAME_MS = 350
LAST_FRAME_MS = 2500


@dataclass(frozen=True)
class Shot:
    name: str
    link: str
    viewport: tuple[int, int]
    last_step: bool = False  # move the run's slider to its last step first
    figure_in_view: bool = False  # scroll the first figure to the middle of the window


SHOTS = (
    Shot("run-view", ZIGZAG, DESKTOP, last_step=True),
    Shot("explorer", "/?view=explore", DESKTOP, figure_in_view=True),
    Shot("phone", ZIGZAG, PHONE),
)

# The run figure's step slider: how many stops it has and which one is shown.
SLIDER = f"""() => {{
    const slider = document.querySelector('{FIGURE}')._fullLayout.sliders[0];
    return {{stops: slider.steps.length, active: slider.active}};
}}"""


def settle(page, timeout: float = 120_000) -> None:
    """Wait until the script is done (twice: a rerun can follow at once) and a figure drawn."""
    for _ in range(2):
        page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout)
        page.wait_for_timeout(400)
    page.wait_for_selector(DRAWN, timeout=timeout)
    page.wait_for_timeout(800)  # Plotly's last layout pass and the fonts


# Show the slider's i-th stop as its own click does: Plotly.animate with that stop's arguments
# (the slider follows; the transition is cut to nothing so the picture is of the stop itself).
SHOW_STOP = f"""(i) => {{
    const gd = document.querySelector('{FIGURE}');
    const step = gd._fullLayout.sliders[0].steps[i];
    const options = {{...step.args[1], transition: {{duration: 0}},
                      frame: {{duration: 0, redraw: false}}, mode: 'immediate'}};
    return window.Plotly.animate(gd, step.args[0], options).then(() => true);
}}"""


def show_step(page, stop: int) -> None:
    """Show the run figure's `stop`-th step, the slider moved there too."""
    page.evaluate(SHOW_STOP, stop)
    page.wait_for_function(
        f"document.querySelector('{FIGURE}')._fullLayout.sliders[0].active === {stop}",
        timeout=10_000,
    )
    page.mouse.move(0, 0)  # no hover label nor Plotly's mode bar in the picture
    page.wait_for_timeout(250)


def take(browser, base: str, shot: Shot) -> Path:
    width, height = shot.viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(base + shot.link)
    settle(page)
    if shot.last_step:
        show_step(page, page.evaluate(SLIDER)["stops"] - 1)
    if shot.figure_in_view:
        page.locator(FIGURE).first.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.mouse.move(0, 0)
        page.wait_for_timeout(500)
    path = DOCS / f"{shot.name}.png"
    page.screenshot(path=str(path))
    context.close()
    return path


def animate(browser, base: str) -> Path:
    """docs/escape.webp: the first screen, less the sidebar, at every step of the escaping run."""
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(base + ESCAPE)
    settle(page)
    frames = []
    for stop in range(page.evaluate(SLIDER)["stops"]):
        show_step(page, stop)
        main = page.locator('[data-testid="stMain"]').bounding_box()  # the page less its sidebar
        clip = {"x": main["x"], "y": 0, "width": main["width"], "height": DESKTOP[1]}
        picture = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
        height = round(picture.height * ANIMATION_WIDTH / picture.width)
        frames.append(picture.resize((ANIMATION_WIDTH, height), Image.LANCZOS))
    context.close()
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]
    path = DOCS / "escape.webp"
    frames[0].save(
        path, save_all=True, append_images=frames[1:], duration=durations, loop=0, quality=80
    )
    return path


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    port = free_port()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(port, Path(tmp) / "streamlit.log")
        try:
            with chromium() as browser:
                base = f"http://127.0.0.1:{port}"
                for shot in SHOTS:
                    print(f"screenshots: {take(browser, base, shot).relative_to(ROOT)}")
                print(f"screenshots: {animate(browser, base).relative_to(ROOT)}")
        finally:
            stop_server(server)
    print(f"screenshots: done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
