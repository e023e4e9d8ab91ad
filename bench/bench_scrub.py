"""The preview while dragging (ui/scrub.py), timed in the browser, at full speed and with the
CPU throttled 4× (Chrome DevTools' Emulation.setCPUThrottlingRate).

    python bench/bench_scrub.py [--tries 5] [--events 200]

Starts `streamlit run app.py` and the floor page (../shared/bench/floor_app.py) each on a
free loopback port, headless Chromium at 1280×720, and measures in the same run:

1. one `input` event on the learning-rate track → the preview redrawn, for gradient descent,
   momentum, Adam and Newton (each opened by its link, 1000 steps), --events events spread
   over --tries batches, their 95th percentile. Each event is dispatched at a frame's start
   (in a requestAnimationFrame callback, as Chromium dispatches a drag's input events) with a
   new value; the time runs to the end of that frame's rendering (a message posted from the
   callback runs once the frame's style, layout and paint are done): the handler and the
   drawing, which must fit a 60 Hz frame. In brackets, the time to the next
   requestAnimationFrame: a frame's length (16.7 ms) however little the work, more when the
   drawing made the browser miss a frame;
2. the websocket messages the page sends while the mouse drags the track for 2 seconds (40
   moves), and from the release until torch's run is drawn and at least a second: the worst
   try;
3. release → the confirmed figure drawn (the ✓ line under the sliders shown and the figure of
   the released learning rate drawn), against a new lr typed into the sidebar's "Exact
   learning rate" + Enter → its figure drawn (bench_class's measure), tries alternating, each
   a learning rate this server has not run yet, both in the same (walking-in) regime;
4. navigation → first figure drawn in a fresh browser context, the app against the floor
   page (bench_class.first_figure).

It prints medians and ratios and never fails on a time: machines differ.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import time
from pathlib import Path

from bench_class import WATCH_FIRST_FIGURE, first_figure, median, rerun_drawn  # imports common
from common import FLOOR, Server  # (common puts the clone on the import path)

from bernoulli.engine.optimize import Settings
from tests.helpers import CHROMIUM, DRAWN, SCRIPT_DONE, chromium
from ui.scrub import decades

RATES = (1, 4)  # CPU throttling: none, then 4× slower
# The notebook's run with gradient descent: its track spans 1e-5 … 0.1 around 2/H, 100 stops a
# decade (ui/scrub.decades, ui/static/scrub.js).
LOW, HIGH = decades(200, 145, Settings())
LR_STOPS = (HIGH - LOW) * 100
OPTIMIZERS = {  # the link that opens each optimizer's run, 1000 steps
    "gd": "?opt=gd&lr=0.0005&steps=1000",
    "momentum": "?opt=momentum&lr=3e-05&steps=1000",
    "adam": "?opt=adam&lr=0.05&steps=1000",
    "newton": "?opt=newton&lr=0.5&steps=1000",
}
# One input event a frame on the lr track, the track held as a drag holds it (pointerdown
# first, pointerup after): for each, the handler's milliseconds, to the end of its frame's
# rendering, and to the next requestAnimationFrame.
INPUT_EVENTS = """(input, values) => new Promise((done) => {
    const rows = [];
    input.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true}));
    const tick = () => {
        const previous = rows[rows.length - 1];
        if (previous) previous.next = performance.now() - previous.t0;
        if (rows.length === values.length) {
            input.dispatchEvent(new PointerEvent('pointerup', {bubbles: true}));
            done(rows);
            return;
        }
        const t0 = performance.now();
        input.value = String(values[rows.length]);
        input.dispatchEvent(new Event('input', {bubbles: true}));
        const row = {t0, handler: performance.now() - t0};
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { row.drawn = performance.now() - t0; };
        channel.port2.postMessage(0);
        rows.push(row);
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""
PICTURE_SHOWN = "(input) => !input.getRootNode().querySelector('.picture').hidden"


def p95(values) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def throttle(devtools, rate: int) -> None:
    """Throttle the page's CPU `rate`× (1: not at all) through its DevTools session."""
    devtools.send("Emulation.setCPUThrottlingRate", {"rate": rate})


def lr_of_stop(stop: int) -> float:
    return float(f"{10 ** (LOW + stop / 100):.3g}")


def figure_of(lr: float) -> str:
    """The figure drawn for this learning rate (its alt text names it)."""
    return f'[aria-label*="learning rate {lr:.4g} "] .scatterlayer .trace'


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(DRAWN, timeout=180_000)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=180_000)
    return context, page


# --- 1: an input event → the preview redrawn -----------------------------------------------


def input_rows(browser, app: str, events: int, batches: int) -> dict:
    """Per optimizer and rate: the 95th percentiles (ms) of the handler, to its frame drawn,
    and to the next animation frame, over `events` events."""
    out = {}
    for name, query in OPTIMIZERS.items():
        context, page = open_page(browser, app + "/" + query)
        devtools = context.new_cdp_session(page)
        track = page.locator(".lr-input")
        top = int(track.input_value())
        for rate in RATES:
            throttle(devtools, rate)
            rows = []
            for b in range(batches):
                size = events // batches + (b < events % batches)
                # New values each event, up to a decade under the link's lr: full runs.
                values = [top - (len(rows) + i) % 100 for i in range(size)]
                rows += track.evaluate(INPUT_EVENTS, values)
            assert track.evaluate(PICTURE_SHOWN), "the preview was not drawn"
            out[name, rate] = tuple(
                p95([r[key] for r in rows if key in r]) for key in ("handler", "drawn", "next")
            )
        context.close()
    return out


# --- 2 and 3: a drag and its release; a typed lr -------------------------------------------


def drag_release(page, sent: list[float], stop: int, seen: set[float]) -> tuple[int, int, float]:
    """Drag the lr track from 40 stops under `stop` to it in 40 moves over 2 s, release:
    the messages sent while dragging, from the release until the confirmed figure and at
    least 1 s,
    and the seconds from the release to that figure."""
    box = page.locator(".lr-input").bounding_box()
    y = box["y"] + box["height"] / 2

    def x(s: float) -> float:  # the thumb's centre at stop s (a 16 px thumb)
        return box["x"] + 8 + s / LR_STOPS * (box["width"] - 16)

    page.mouse.move(x(stop - 40), y)
    begin = time.perf_counter()
    page.mouse.down()
    for i in range(1, 41):
        page.mouse.move(x(stop - 40 + i), y)
        page.wait_for_timeout(50)
    lr = float(page.locator("output.lr-value").inner_text())
    assert lr not in seen, f"lr {lr} was run before"  # (a cached run would be no rerun)
    seen.add(lr)
    released = time.perf_counter()
    page.mouse.up()
    page.locator(".confirm").wait_for(state="visible", timeout=180_000)
    page.wait_for_selector(figure_of(lr), timeout=180_000)
    took = time.perf_counter() - released
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=180_000)
    page.wait_for_timeout(max(200, 1000 - (time.perf_counter() - released) * 1000))
    text = page.locator(".confirm").inner_text()
    assert text.startswith("✓ torch confirms"), text
    during = sum(begin <= t < released for t in sent)
    return during, sum(t >= released for t in sent), took


def release_rows(browser, app: str, tries: int) -> dict:
    """Per rate: the worst try's messages (dragging, after release), and the medians of
    release → confirmed figure and typed lr → figure."""
    sent: list[float] = []
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.append(time.perf_counter())))
    page.goto(app)
    page.wait_for_selector(DRAWN, timeout=180_000)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=180_000)
    seen: set[float] = set()
    devtools = context.new_cdp_session(page)
    out = {}
    stop = 40  # 2.5e-5 and up: p walks in from the notebook's p0, as the typed lrs below
    for rate in RATES:
        throttle(devtools, rate)
        drags, typed = [], []
        for _ in range(tries):
            drags.append(drag_release(page, sent, stop, seen))
            typed_lr = lr_of_stop(stop) * 1.0013  # the same run's regime, never a track stop
            typed += rerun_drawn(
                page,
                "Exact learning rate",
                [f"{typed_lr:.4e}"],
                lambda v: f'[aria-label*="learning rate {float(v):.4g} "]',
            )
            stop += 7
        out[rate] = {
            "during": max(d[0] for d in drags),
            "after": (min(d[1] for d in drags), max(d[1] for d in drags)),
            "release": median(d[2] for d in drags),
            "typed": median(typed),
        }
    context.close()
    return out


# --- 4: the first figure -------------------------------------------------------------------


def first_figure_throttled(browser, url: str, rate: int) -> float:
    """bench_class.first_figure's seconds, the page's CPU throttled `rate`×."""
    if rate == 1:
        return first_figure(browser, url)[0]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_init_script(WATCH_FIRST_FIGURE)
    page = context.new_page()
    throttle(context.new_cdp_session(page), rate)
    page.goto(url)
    page.wait_for_function("window.figureDrawnAt !== undefined", timeout=300_000)
    seconds = page.evaluate("window.figureDrawnAt") / 1000
    context.close()
    return seconds


def first_rows(browser, app: str, floor: str, tries: int) -> dict:
    """Per rate: medians of the first figure, app and floor alternating (the app warmed by
    the rows before, the floor by one visit)."""
    first_figure(browser, floor)
    out = {}
    for rate in RATES:
        apps, floors = [], []
        for _ in range(tries):
            apps.append(first_figure_throttled(browser, app, rate))
            floors.append(first_figure_throttled(browser, floor, rate))
        out[rate] = (median(apps), median(floors))
    return out


# --- the table -----------------------------------------------------------------------------


def print_table(inputs: dict, releases: dict, firsts: dict, events: int) -> None:
    print("| what | CPU 1× | CPU 4× | target |\n| --- | --- | --- | --- |")
    for name in OPTIMIZERS:
        cells = [
            f"{drawn:.1f} ms (handler {handler:.1f}; next frame {nxt:.1f})"
            for handler, drawn, nxt in (inputs[name, rate] for rate in RATES)
        ]
        print(
            f"| one input → preview redrawn, {name}, 1000 steps: p95 of {events} | "
            f"{cells[0]} | {cells[1]} | ≤ 16 ms (≤ 50 ms at 4×) |"
        )
    cells = [
        f"{r['during']} while dragging; {r['after'][0]}–{r['after'][1]} after release"
        if r["after"][0] != r["after"][1]
        else f"{r['during']} while dragging; {r['after'][0]} after release"
        for r in (releases[rate] for rate in RATES)
    ]
    print(f"| websocket messages, 2 s drag (worst try) | {cells[0]} | {cells[1]} | 0; exactly 1 |")
    cells = [
        f"{r['release']:.3f} s vs typed lr {r['typed']:.3f} s: {r['release'] / r['typed']:.2f}×"
        for r in (releases[rate] for rate in RATES)
    ]
    print(
        f"| release → confirmed figure drawn, vs new lr typed | {cells[0]} | {cells[1]} | ≤ 1.0× |"
    )
    cells = [f"{a:.3f} s vs floor {f:.3f} s: {a / f:.2f}×" for a, f in (firsts[r] for r in RATES)]
    print(
        f"| navigation → first figure, fresh context, vs floor | {cells[0]} | {cells[1]} | ratio |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=5, help="tries per row (medians)")
    parser.add_argument("--events", type=int, default=200, help="input events per p95")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: sudo apt-get install -y chromium")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with (
        Server("app.py", "bench_scrub_app") as app,
        Server(FLOOR, "bench_scrub_floor") as floor,
        chromium() as browser,
    ):
        took = [time.perf_counter()]
        inputs = input_rows(browser, app.url, args.events, args.tries)
        took.append(time.perf_counter())
        releases = release_rows(browser, app.url, args.tries)
        took.append(time.perf_counter())
        firsts = first_rows(browser, app.url, floor.url, args.tries)
        took.append(time.perf_counter())
    rows = ", ".join(f"{b - a:.0f} s" for a, b in itertools.pairwise(took))
    print(
        f"Load average {load:.2f} at start; medians of {args.tries} tries; "
        f"{time.perf_counter() - started:.0f} s in all (rows 1, 2–3, 4: {rows}).\n"
    )
    print_table(inputs, releases, firsts, args.events)


if __name__ == "__main__":
    main()
