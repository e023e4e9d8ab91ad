"""What the sidebar costs the first figure: the browser's main thread, app against floor.

    python bench/bench_sidebar.py [--tries 7]

In fresh browser contexts (Debian's Chromium), alternating, medians of --tries:

1. the app; the app with one line of text for its sidebar, and with no sidebar at all
   (bench/page_no_sidebar.py); the app's figure alone on a page like the floor page's
   (bench/page_figure_only.py); and the floor page: navigation → first figure drawn, and the
   main thread's busy time until then (Chrome's TaskDuration: scripts, style, layout,
   paint);
2. a page of ten widgets of one kind in the sidebar (bench/page_widgets.py), against the same
   page with none: the main thread's busy time until the script is done and the page has
   settled (1.5 s), and its share per widget.

It prints medians and never fails on a time: machines differ.
"""

from __future__ import annotations

import argparse
import statistics
from contextlib import ExitStack

from bench_class import first_figure, main_thread
from common import FLOOR, ROOT, Server

from tests.helpers import SCRIPT_DONE, chromium

KINDS = ("none", "number_input", "radio", "selectbox", "button", "markdown", "select_slider")


def settled_work(browser, url: str) -> float:
    """The main thread's busy seconds from navigation to the script done, plus 1.5 s."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    busy = main_thread(context, page)
    page.goto(url)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=180_000)
    page.wait_for_timeout(1500)
    work = busy()
    context.close()
    return work


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=7, help="tries per row (medians)")
    tries = parser.parse_args(argv).tries
    pages = {  # name -> the script and its environment
        "app": ("app.py", {}),
        "app, its sidebar one line of text": ("bench/page_no_sidebar.py", {"ONE_LINE": "1"}),
        "app without its sidebar": ("bench/page_no_sidebar.py", {}),
        "the app's figure alone": ("bench/page_figure_only.py", {}),
        "floor": (FLOOR, {}),
    }
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(Server(str(ROOT / script), f"bench_sidebar_{i}", env)).url
            for i, (name, (script, env)) in enumerate(pages.items())
        }
        widgets = {
            kind: stack.enter_context(
                Server(str(ROOT / "bench/page_widgets.py"), f"bench_widgets_{kind}", {"KIND": kind})
            ).url
            for kind in KINDS
        }
        browser = stack.enter_context(chromium())
        for url in urls.values():
            first_figure(browser, url)  # warm: imports, caches
        firsts = {name: [] for name in urls}
        for _ in range(tries):
            for name, url in urls.items():
                firsts[name].append(first_figure(browser, url))
        print(
            "| page | figure drawn | / floor's | main thread busy | / floor's |\n"
            "| --- | --- | --- | --- | --- |"
        )
        floor_drawn = statistics.median(seconds for seconds, _ in firsts["floor"])
        floor_busy = statistics.median(busy for _, busy in firsts["floor"])
        for name, runs in firsts.items():
            drawn = statistics.median(seconds for seconds, _ in runs)
            busy = statistics.median(busy for _, busy in runs)
            print(
                f"| {name} | {drawn:.2f} s | {drawn / floor_drawn:.2f}× | {busy:.2f} s "
                f"| {busy / floor_busy:.2f}× |"
            )
        for url in widgets.values():
            settled_work(browser, url)
        busy = {kind: [] for kind in KINDS}
        for _ in range(tries):
            for kind, url in widgets.items():
                busy[kind].append(settled_work(browser, url))
        none = statistics.median(busy["none"])
        print("\n| ten of | main thread busy | over none | a widget |\n| --- | --- | --- | --- |")
        for kind, runs in busy.items():
            over = statistics.median(runs) - none
            each = f"{over / 10 * 1e3:.0f} ms" if kind != "none" else ""
            print(f"| {kind} | {statistics.median(runs):.2f} s | {over * 1e3:+.0f} ms | {each} |")


if __name__ == "__main__":
    main()
