"""How many students one replica holds: sessions held open at once, their worst time to open
the link, and the server's memory, against the floor page in the same run.

    python bench/bench_replica.py [--levels 1 30 60 100] [--distinct]

Starts `streamlit run app.py` and the floor page (bench/common.py's FLOOR) each on a free
loopback port (one process each, as one replica of deploy/compose.yaml is), warms each with
one visit, then for each level N opens N websocket sessions at once (Streamlit's own protocol,
tests/streamlit_client.py) and holds them all open until every one has its page. It prints,
per level: the worst and median time from opening to the script's end, that worst against
the floor page's worst at 30, and the server's resident memory with the N sessions open (and
what each session adds). Every session opens the same link, as when a teacher sends one;
--distinct gives each its own learning rate (its own torch run: the most a class can cost).
Closed sessions are dropped after 1 s (server.disconnectedSessionTTL), so levels do not add
up. A benchmark: it reports, it never fails on a time.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import websockets.sync.client
from common import FLOOR, Server  # puts the clone on the import path

from tests.streamlit_client import Session, xsrf_token

FLOOR_LEVEL = 30  # a class: 30 students open the link at once
ENV = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1"}


class HeldSession(Session):
    timeout = 600.0  # a level's sessions wait for each other


# The client's keepalive pings would time out while 100 clients and the server share 2 cores
# (a browser's pings run on the student's own machine): no pings.
websockets.sync.client.connect = functools.partial(
    websockets.sync.client.connect, ping_interval=None
)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def query(i: int, distinct: bool) -> str:
    return urllib.parse.urlencode({"lr": repr(1e-5 * (1 + i / 997))}) if distinct else ""


def hold(base: str, q: str, barrier: threading.Barrier) -> float | str:
    """One session: open, read the page to the script's end, then wait for the others. Its
    seconds, or what went wrong (a session that fails still waits, so the level goes on)."""
    start, waited = time.perf_counter(), False
    try:
        with HeldSession(base, xsrf_token(base), q) as session:
            elements = session.finish()
            seconds = time.perf_counter() - start
            if "exception" in {kind for kind, _ in elements}:
                raise RuntimeError("the page shows an exception")
            waited = True
            barrier.wait()
        return seconds
    except Exception as error:  # reported in the table: a benchmark counts, it does not stop
        if not waited:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return repr(error)


def level(base: str, pid: int, count: int, distinct: bool) -> dict:
    """`count` sessions at once; their times, and the server's memory while all are open."""
    barrier = threading.Barrier(count + 1, timeout=900)
    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(hold, base, query(i, distinct), barrier) for i in range(count)]
        barrier.wait()  # every session has its page (or failed) and is still open
        held = rss_mib(pid)
        results = [f.result() for f in futures]
    time.sleep(3)  # closed: let the server drop them
    seconds = [r for r in results if isinstance(r, float)] or [float("nan")]
    errors = [r for r in results if isinstance(r, str)]
    return {
        "worst": max(seconds),
        "median": statistics.median(seconds),
        "rss": held,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 30, 60, 100])
    parser.add_argument("--distinct", action="store_true", help="each session its own lr")
    args = parser.parse_args(argv)
    with Server(FLOOR, "bench_replica_floor", ENV) as floor:
        level(floor.url, floor.proc.pid, 1, False)  # warm up
        floor_worst = level(floor.url, floor.proc.pid, FLOOR_LEVEL, False)["worst"]
    print(f"floor page, {FLOOR_LEVEL} sessions at once: worst {floor_worst:.2f} s")
    link = "each its own lr" if args.distinct else "one link"
    print(f"app ({link}):")
    print(
        " sessions | worst s | median s | worst / floor's at 30 | RSS MiB | MiB a session | errors"
    )
    with Server("app.py", "bench_replica_app", ENV) as app:
        level(app.url, app.proc.pid, 1, False)  # warm up: imports, torch, caches
        first = None
        for count in args.levels:
            result = level(app.url, app.proc.pid, count, args.distinct)
            first = first or (count, result["rss"])
            extra = (
                f"{(result['rss'] - first[1]) / (count - first[0]):.2f}"
                if count > first[0]
                else "-"
            )
            print(
                f" {count:8d} | {result['worst']:7.2f} | {result['median']:8.2f} |"
                f" {result['worst'] / floor_worst:21.2f} | {result['rss']:7.0f} | {extra:>13}"
                f" | {len(result['errors'])}"
            )
            for error in sorted(set(result["errors"])):
                print(f"   error: {error[:200]}")


if __name__ == "__main__":
    main()
