"""A class at once, the app beside the floor page: first figure, sessions, reruns, explorer tabs.

    python bench/bench_class.py [--tries 5] [--sessions 30] [--big 100] [--skip-explorer]

Starts `streamlit run app.py` and the floor page (for the rerun row its copy bench/floor_app.py,
which adds one number input) each on a free loopback port, headless, warms each with one
visit, then measures in the same run (medians of --tries):

1. navigation → figure drawn, in a fresh browser context (Debian's Chromium), and how long
   the page's main thread was busy until then;
2. one session alone, every computation cached: its round trip and the bytes it receives;
3. --sessions websocket clients opening the link at once: the worst session's time to its
   script's end (and --big sessions, if given: every one must finish, errors counted).
   Rows 2 and 3 also compare with bench/floor_frozen.py, the floor page with the app's one
   change to Python's collector (ui/heap.py), to tell that trick from the page's own cost;
4. in the browser, a new learning rate (the floor: a new number) → the new figure drawn;
5. server side (AppTest), a new learning rate → the rerun's end, against the torch run it
   contains (`optimize.run` alone, same settings);
6. each explorer tab, first open (a sample never seen: caches cold) and warm → drawn,
   against the floor's first figure (row 1);
7. 1000 real torch steps (`optimize.run`) against a bare autograd + torch.optim loop on the
   same loss.

It prints medians and ratios and never fails on a time: machines differ.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from common import FLOOR, ROOT, Server  # first: puts the clone on the import path

from tests.helpers import CHROMIUM, SCRIPT_DONE, chromium
from tests.streamlit_client import Session, xsrf_token

FLOOR_COPY = "bench/floor_app.py"
FLOOR_FROZEN = "bench/floor_frozen.py"  # the floor page with the app's freeze of the collector

# Installed before the page's scripts: notes (performance.now(), from navigation start) when
# the first figure is drawn, its traces and its slider (Plotly draws it last), with the
# script done.
WATCH_FIRST_FIGURE = f"""
new MutationObserver((_, observer) => {{
    const gd = document.querySelector('.js-plotly-plot');
    if (gd?.querySelector('.scatterlayer .trace') && gd.querySelector('.slider-container')
            && document.querySelector('{SCRIPT_DONE}')) {{
        window.figureDrawnAt = performance.now();
        observer.disconnect();
    }}
}}).observe(document, {{childList: true, subtree: true, attributes: true}});
"""
# True when the chart whose container has class st-key-<key> is drawn (any trace type).
CHART_DRAWN = """(key) => {
    const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    return !!gd && !!gd._fullData && gd._fullData.length > 0
        && !!gd.querySelector('.cartesianlayer .plot, .heatmaplayer, .imagelayer');
}"""
TAB_CHARTS = {  # explorer tab -> the key of the chart it draws last
    "Learning-rate sweep": "explorer_sweep",
    "lr × p₀ map": "explorer_map_outcome",
    "Bifurcation & cobweb": "explorer_cobweb",
    "Optimizer race": "explorer_race",
    "Sum vs mean": "explorer_sum_mean",
}


def median(values) -> float:
    return statistics.median(values)


# --- websocket sessions --------------------------------------------------------------------


class CountingSession(Session):
    """A session that counts the bytes it receives."""

    received = 0

    def next(self):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        raw = self.ws.recv(timeout=self.timeout)
        self.received += len(raw)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        return msg


def one_session(base: str, token: str, query: str = "") -> tuple[float, int]:
    """Seconds from connecting to the script's end, and the bytes received."""
    start = time.perf_counter()
    with CountingSession(base, token, query) as session:
        session.finish()
        return time.perf_counter() - start, session.received


def at_once(base: str, count: int) -> tuple[float, list[str]]:
    """`count` sessions opening the link together: the worst one's seconds, and the errors."""
    token = xsrf_token(base)
    barrier = threading.Barrier(count)
    times: list[float] = []
    errors: list[BaseException] = []

    def student():
        barrier.wait()
        try:
            times.append(one_session(base, token)[0])
        except Exception as error:  # counted and reported, not raised: a benchmark
            errors.append(error)

    threads = [threading.Thread(target=student) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(1.0)  # let the server drop the sessions before the next try
    return (max(times) if times else float("nan")), [type(e).__name__ for e in errors]


# --- the browser ---------------------------------------------------------------------------


def main_thread(context, page) -> Callable[[], float]:
    """A function giving the seconds the page's main thread has been busy so far (Chrome's
    TaskDuration: scripts, style, layout, paint), which machine noise moves less than a
    wall time."""
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable")

    def busy() -> float:
        metrics = devtools.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    return busy


def first_figure(browser, url: str) -> tuple[float, float]:
    """Seconds from navigation start to the first figure drawn and the script done, and the
    seconds the page's main thread was busy until then (`main_thread`).

    The busy time is read just after the figure is drawn, so it may hold the start of what
    follows: plotly.js draws a figure a second time as it settles (~0.2 s for the app's,
    ~0.05 s for the floor page's), which makes the app's ratio a little worse than it is.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_init_script(WATCH_FIRST_FIGURE)
    page = context.new_page()
    busy = main_thread(context, page)
    page.goto(url)
    page.wait_for_function("window.figureDrawnAt !== undefined", timeout=180_000)
    work = busy()
    seconds = page.evaluate("window.figureDrawnAt") / 1000
    context.close()
    return seconds, work


def rerun_drawn(page, label: str, values: list[str], chart: Callable[[str], str]) -> list[float]:
    """Seconds from Enter on each new value of the number input `label` to the figure whose
    alt text names that value drawn."""
    box = page.get_by_role("spinbutton", name=label)
    times = []
    for value in values:
        box.fill(value)
        start = time.perf_counter()
        box.press("Enter")
        page.wait_for_selector(f"{chart(value)} .scatterlayer .trace", timeout=180_000)
        page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=180_000)
        times.append(time.perf_counter() - start)
    return times


def browser_rows(app: str, floor: str, floor_copy: str, tries: int) -> dict:
    """Rows 1 and 4: first figure (fresh contexts, app and floor alternating) and reruns."""
    with chromium() as browser:
        first_figure(browser, app), first_figure(browser, floor)  # warm: imports, caches
        apps, floors = [], []
        for _ in range(tries):
            apps.append(first_figure(browser, app))
            floors.append(first_figure(browser, floor))
        reruns = {}
        for name, url, label, values, chart in (
            (
                "app",
                app,
                "Exact learning rate",
                [f"{1e-4 + (i + 1) * 1.37e-6:.4e}" for i in range(tries)],
                lambda v: f'[aria-label*="learning rate {float(v):.4g} "]',
            ),
            (
                "floor",
                floor_copy,
                "Decay",
                [f"{0.97 - i * 0.0013:.4f}" for i in range(tries)],
                lambda v: f'[aria-label="Reference figure, decay {v}"]',
            ),
        ):
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=180_000)
            page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=180_000)
            reruns[name] = median(rerun_drawn(page, label, values, chart))
            context.close()
    return {
        "first": (median([a[0] for a in apps]), median([f[0] for f in floors])),
        "busy": (median([a[1] for a in apps]), median([f[1] for f in floors])),
        "rerun": (reruns["app"], reruns["floor"]),
    }


def click_tab(page, tab: str) -> float:
    """Seconds from a click on the explorer's tab to its last chart drawn, the script done."""
    start = time.perf_counter()
    page.get_by_role("tab", name=tab).click()
    page.wait_for_function(CHART_DRAWN, arg=TAB_CHARTS[tab], timeout=300_000)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=300_000)
    return time.perf_counter() - start


def explorer_rows(app: str, tries: int) -> dict[str, tuple[float, float]]:
    """Each tab's first open (a new sample each try: cold caches) and warm, medians."""
    tabs = list(TAB_CHARTS)
    cold: dict[str, list[float]] = {tab: [] for tab in tabs}
    warm: dict[str, list[float]] = {tab: [] for tab in tabs}
    with chromium() as browser:
        for i in range(tries):
            n = 300 + 7 * i + (os.getpid() % 50) * 100  # a sample this server has not seen
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{app}/?data=generate&n={n}&true_p=0.7&view=explore")
            page.wait_for_function(CHART_DRAWN, arg=TAB_CHARTS[tabs[0]], timeout=300_000)
            page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=300_000)
            cold[tabs[0]].append(time.perf_counter() - start)  # from navigation, like row 1
            for tab in tabs[1:]:
                cold[tab].append(click_tab(page, tab))
            for tab in tabs:
                warm[tab].append(click_tab(page, tab))
            context.close()
    return {tab: (median(cold[tab]), median(warm[tab])) for tab in tabs}


# --- server side ---------------------------------------------------------------------------


def server_rerun(tries: int) -> tuple[float, float, float]:
    """Medians of an lr rerun (AppTest), the torch run inside that rerun (timed where the
    page calls it), and their ratio, try by try."""
    from streamlit.testing.v1 import AppTest

    from bernoulli.engine import optimize

    inside = []
    run = optimize.run

    def timed(*args, **kwargs):  # the page calls optimize.run through the module
        start = time.perf_counter()
        try:
            return run(*args, **kwargs)
        finally:
            inside.append(time.perf_counter() - start)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    reruns, runs, ratios = [], [], []
    optimize.run = timed
    try:
        for i in range(tries + 1):
            at.number_input(key="lr").set_value(1.3e-4 + i * 1.37e-6)  # never seen: not cached
            inside.clear()
            start = time.perf_counter()
            at.run()
            rerun = time.perf_counter() - start
            assert not at.exception, [e.value for e in at.exception]
            assert len(inside) == 1, inside  # one new run, nothing else
            if i:  # the first: imports and warm-up
                reruns.append(rerun)
                runs.append(inside[0])
                ratios.append(rerun / inside[0])
    finally:
        optimize.run = run
    return median(reruns), median(runs), median(ratios)


def floor_rerun(tries: int) -> float:
    """Median of the floor copy's rerun after a new number (AppTest)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / FLOOR_COPY), default_timeout=120)
    at.run()
    times = []
    for i in range(tries):
        at.number_input[0].set_value(0.96 - i * 0.0017)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return median(times)


def torch_steps(tries: int) -> tuple[float, float]:
    """1000 steps of `optimize.run` and of a bare autograd + torch.optim.SGD loop, medians."""
    import torch

    from bernoulli.bench import median_time
    from bernoulli.engine import optimize

    settings = optimize.Settings(lr=1e-4, steps=1000, p0=0.1)

    def bare():
        w = torch.tensor(0.1, requires_grad=True)
        sgd = torch.optim.SGD([w], lr=1e-4)
        for _ in range(1000):
            sgd.zero_grad()
            optimize.full_loss(w, 200, 145, "p", "sum").backward()
            sgd.step()
        return w.item()

    engine = median_time(lambda: optimize.run(200, 145, settings), tries)
    return engine, median_time(bare, tries)


# --- the table -----------------------------------------------------------------------------


def row(what: str, app: float, floor: float, unit: str = "s") -> None:
    ratio = app / floor if floor else float("nan")
    scale, fmt = {"s": (1, ".3f"), "ms": (1e3, ".1f"), "KB": (1 / 1024, ".1f")}[unit]
    print(
        f"| {what} | {app * scale:{fmt}} {unit} | {floor * scale:{fmt}} {unit} | {ratio:.2f}× |",
        flush=True,
    )


def sessions_rows(app: str, floor: str, frozen: str, args) -> None:
    """Rows 2 and 3, against the floor page and against the floor page with the app's freeze
    of the collector (bench/floor_frozen.py): alternating, so drift hits all three alike."""
    urls = (app, floor, frozen)
    token = {url: xsrf_token(url) for url in urls}
    alone = {url: [one_session(url, token[url]) for _ in range(args.tries + 1)][1:] for url in urls}
    seconds = {url: median(t for t, _ in alone[url]) for url in urls}
    row("one session alone, cached: round trip", seconds[app], seconds[floor])
    row("… against the floor page with the same freeze", seconds[app], seconds[frozen])
    row(
        "one session alone: bytes received",
        *(median(b for _, b in alone[u]) for u in urls[:2]),
        "KB",
    )
    for count in (args.sessions, args.big):
        if not count:
            continue
        worst: dict[str, list[float]] = {url: [] for url in urls}
        errors: dict[str, list[str]] = {url: [] for url in urls}
        for _ in range(args.tries):
            for url in urls:
                took, failed = at_once(url, count)
                worst[url].append(took)
                errors[url] += failed
        row(
            f"{count} sessions at once: worst session done",
            median(worst[app]),
            median(worst[floor]),
        )
        row(
            "… against the floor page with the same freeze",
            median(worst[app]),
            median(worst[frozen]),
        )
        told = {url: f"{len(e)} {sorted(set(e))}" if e else "0" for url, e in errors.items()}
        print(
            f"|   sessions failed over {args.tries} tries | {told[app]} | {told[floor]} "
            f"(with the freeze: {told[frozen]}) | |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=5, help="tries per row (medians)")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--big", type=int, default=0, help="a second, larger crowd (e.g. 100)")
    parser.add_argument("--skip-explorer", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_browser and not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: sudo apt-get install -y chromium")
    print(f"Load average {os.getloadavg()[0]:.2f} at start; medians of {args.tries} tries.\n")
    print("| what | app | floor | app / floor |\n| --- | --- | --- | --- |")
    with Server("app.py", "bench_class_app") as app, Server(FLOOR, "bench_class_floor") as floor:
        with Server(FLOOR_COPY, "bench_class_floor_copy") as copy:
            if not args.skip_browser:
                rows = browser_rows(app.url, floor.url, copy.url, args.tries)
                row("navigation → figure drawn, fresh browser context", *rows["first"])
                row("… the browser's main thread busy until then", *rows["busy"])
        with Server(FLOOR_FROZEN, "bench_class_floor_frozen") as frozen:
            sessions_rows(app.url, floor.url, frozen.url, args)
        if not args.skip_browser:
            row("new lr (floor: new number) → figure drawn, browser", *rows["rerun"])
        rerun, run, ratio = server_rerun(args.tries)
        print(
            f"| new lr → rerun done, server (AppTest) | {rerun * 1e3:.0f} ms | "
            f"floor copy's rerun {floor_rerun(args.tries) * 1e3:.0f} ms | |"
        )
        print(
            f"| … the same rerun vs the torch run it contains ({run * 1e3:.0f} ms) | "
            f"{rerun * 1e3:.0f} ms | {run * 1e3:.0f} ms | {ratio:.2f}× |"
        )
        if not (args.skip_explorer or args.skip_browser):
            for tab, (cold, warm) in explorer_rows(app.url, args.tries).items():
                row(f"explorer “{tab}”: first open → drawn", cold, rows["first"][1])
                row(f"explorer “{tab}”: warm → drawn", warm, rows["first"][1])
    engine, bare = torch_steps(max(args.tries, 7))
    print(
        f"| 1000 torch steps: optimize.run vs bare autograd + torch.optim | "
        f"{engine * 1e3:.0f} ms | bare {bare * 1e3:.0f} ms | {engine / bare:.2f}× |"
    )


if __name__ == "__main__":
    main()
