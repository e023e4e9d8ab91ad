"""The page in a real browser: time to the figure, and frames per second while it plays.

    python bench/bench_browser.py [--loads 5] [--seconds 2]

Starts `streamlit run app.py` on a free local port (as the browser tests do), warms it up
with one load, then in Debian's Chromium at 1280×720 measures

- first paint: from navigation start to the animated figure drawn, its three panels and
  its controls (performance.now() in the page when they appear), the median of several
  loads (target <= 1.5 s): each in a new browser context (a first visit: Streamlit's
  JavaScript, 10 MB of it with plotly.js, still to fetch and compile) and then reloaded
  (a return visit, the browser's cache warm);
- playing: after Play, the browser's rendered frames per second (requestAnimationFrame, the
  smoothness; target 60), the animation frames Plotly shows per second at 1× (by design
  1000 / 50 ms = 20) and at 4× (how fast the figure can follow), and the longest gap
  between two rendered frames;
- a rerun: from pressing Enter on a new learning rate to the new figure drawn.

It reports medians and never fails on a time: machines differ.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, SCRIPT_DONE  # noqa: E402 - after the path
from tests.streamlit_client import free_port, start_server, stop_server  # noqa: E402

# Installed before the page's own scripts: notes when the figure is first drawn, its three
# panels' traces and then its controls (Plotly draws the slider last).
WATCH_FIRST_PAINT = """
new MutationObserver((_, observer) => {
    const gd = document.querySelector('.js-plotly-plot');
    const panels = ['.xy', '.x2y2', '.x3y3'].every(
        (p) => gd?.querySelector(`${p} .scatterlayer .trace`));
    if (panels && gd.querySelector('.slider-container')) {
        window.figureDrawnAt = performance.now();
        observer.disconnect();
    }
}).observe(document, {childList: true, subtree: true});
"""

# Counts rendered frames and Plotly's animation frames for `ms` after clicking `label`.
MEASURE_PLAYING = """async ([label, ms]) => {
    const gd = document.querySelector('.js-plotly-plot');
    let shown = 0;
    gd.on('plotly_animatingframe', () => { shown += 1; });
    const button = [...gd.querySelectorAll('g.updatemenu-button')]
        .find((b) => b.textContent.includes(label));
    button.dispatchEvent(new MouseEvent('click', {bubbles: true}));
    const times = [];
    await new Promise((done) => {
        const start = performance.now();
        const tick = (now) => {
            times.push(now);
            if (now - start < ms) requestAnimationFrame(tick); else done();
        };
        requestAnimationFrame(tick);
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const seconds = (times[times.length - 1] - times[0]) / 1000;
    return {rendered: (times.length - 1) / seconds, animation: shown / seconds,
            longestGapMs: Math.max(...gaps)};
}"""
PAUSE = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    [...gd.querySelectorAll('g.updatemenu-button')].find((b) => b.textContent.includes('Pause'))
        .dispatchEvent(new MouseEvent('click', {bubbles: true}));
}"""


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_init_script(WATCH_FIRST_PAINT)
    page = context.new_page()
    page.goto(url)
    _drawn(page)
    return context, page


def _drawn(page) -> float:
    """Seconds from navigation start to the figure drawn; waits for the script to finish."""
    page.wait_for_function("window.figureDrawnAt !== undefined", timeout=120_000)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=120_000)
    return page.evaluate("window.figureDrawnAt") / 1000


def bench_browser(loads: int = 5, seconds: float = 2.0) -> dict[str, float]:
    """Medians of first paint (s), frames per second while playing, and an lr rerun (s)."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = ROOT / "artifacts" / "bench_browser_streamlit.log"
    log.parent.mkdir(exist_ok=True)
    server = start_server(port, log)
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context, _ = _open(browser, url)  # warm: torch imported, caches filled
            context.close()
            paints, repaints = [], []
            for _ in range(loads):
                context, page = _open(browser, url)
                paints.append(_drawn(page))
                page.reload()
                repaints.append(_drawn(page))
                context.close()

            context, page = _open(browser, url)
            playing = {}
            for label in ("1×", "4×"):
                runs = []
                for _ in range(3):
                    page.evaluate(PAUSE)
                    page.wait_for_timeout(200)
                    runs.append(page.evaluate(MEASURE_PLAYING, [label, seconds * 1000]))
                playing[label] = {
                    key: statistics.median(run[key] for run in runs) for key in runs[0]
                }
            page.evaluate(PAUSE)

            reruns = []
            lr = page.get_by_role("spinbutton", name="Exact learning rate")
            for i in range(loads):
                value = float(f"{1.0e-4 + (i + 1) * 1.37e-6:.4g}")  # unseen: a new torch run
                lr.fill(f"{value:.4e}")
                start = time.perf_counter()
                lr.press("Enter")
                # The chart's text alternative names the learning rate of the figure shown.
                chart = f'[data-testid="stPlotlyChart"][aria-label*="learning rate {value:.4g} "]'
                page.wait_for_selector(f"{chart} .scatterlayer .trace")
                reruns.append(time.perf_counter() - start)
            context.close()
            browser.close()
    finally:
        stop_server(server)
    return {
        "first_paint_new_visit_s": statistics.median(paints),
        "first_paint_return_visit_s": statistics.median(repaints),
        "first_paint_return_min_s": min(repaints),
        "first_paint_return_max_s": max(repaints),
        "rendered_fps_playing_1x": playing["1×"]["rendered"],
        "animation_fps_1x": playing["1×"]["animation"],
        "longest_frame_gap_1x_ms": playing["1×"]["longestGapMs"],
        "rendered_fps_playing_4x": playing["4×"]["rendered"],
        "animation_fps_4x": playing["4×"]["animation"],
        "longest_frame_gap_4x_ms": playing["4×"]["longestGapMs"],
        "rerun_new_lr_median_s": statistics.median(reruns),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: sudo apt-get install -y chromium")
    for name, value in bench_browser(args.loads, args.seconds).items():
        unit = " s" if name.endswith("_s") else (" ms" if name.endswith("_ms") else "")
        print(f"{name:28s} {value:8.3f}{unit}")
