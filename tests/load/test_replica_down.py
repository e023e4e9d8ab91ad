"""A replica killed mid-class, in the stack of deploy/compose.yaml (test_balanced.py's: two
replicas behind the real HAProxy, Redis as the class store), in real Chromium.

A teacher and four students, two on each replica, send their own runs to the class map;
then one replica is killed (SIGKILL: no shutdown). Every point sent stays in Redis, the
pages that were on the dead replica reconnect through the balancer to the other one (their
link holds the class), a student there sends again, and the teacher's map, live, counts what
the store holds.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from pathlib import Path

import pytest

from bernoulli.classroom.store_url import open_store
from tests.helpers import chromium, require_chromium, send_run, wait_for_script
from tests.load.test_balanced import (
    HAPROXY,
    REDIS,
    REPLICAS,
    affinity_by_replica,
    pinned_page,
    replica_port,
    request,
    require,
    start_balancer,
    start_redis,
    stop_all,
    wait_for,
)
from tests.streamlit_client import start_server

pytestmark = pytest.mark.timeout(420)

QUESTION = "lr=0.0015&p0=0.6&dtype=float64&steps=60"
LRS = ["0.0002", "0.0005", "0.0015", "0.003"]  # the students' runs; two on each replica


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Redis, the two replicas (their processes, to kill one) and HAProxy."""
    require(HAPROXY, "haproxy")
    require(REDIS, "redis-server")
    require_chromium()
    logs = tmp_path_factory.mktemp("replica-down")
    with contextlib.ExitStack() as stop:
        env = {
            "BERNOULLI_STORE": f"redis://127.0.0.1:{start_redis(stop, logs)}/0",
            "STREAMLIT_SERVER_COOKIE_SECRET": uuid.uuid4().hex,
        }
        port = replica_port()
        procs = []
        stop.callback(stop_all, procs)
        for address in REPLICAS:
            procs.append(start_server(port, logs / f"app-{address}.log", "app.py", address, env))
        yield start_balancer(stop, logs, port), env, procs, logs


def watched(page) -> list:
    """The page's websockets, as it opens them (a reconnection opens a new one)."""
    sockets: list = []
    page.on("websocket", lambda socket: sockets.append(socket))
    return sockets


def reconnects(page, sockets: list, before: int, seconds: float = 90) -> None:
    """Wait until the page has opened a websocket beyond its `before` (Playwright's events
    arrive while the page is waited on), then for its script to run."""
    deadline = time.monotonic() + seconds
    while len(sockets) <= before:
        assert time.monotonic() < deadline, "the page did not reconnect"
        page.wait_for_timeout(250)
    wait_for_script(page)


def dead_replica(base: str, pins: dict[str, str], log: Path) -> str:
    """The replica whose cookie the balancer now sends to the other one."""

    def moved() -> str | None:
        for name, cookie in pins.items():
            status, headers = request(base, "GET", "/_stcore/health", {"Cookie": cookie})
            if status == 200 and headers["X-Replica"] != name:
                return name
        return None

    return wait_for(moved, "the balancer sends the dead replica's students elsewhere", log)


def test_a_replica_killed_mid_class_loses_no_point_and_its_pages_reconnect(stack):
    from playwright.sync_api import expect

    base, env, procs, logs = stack
    pins = affinity_by_replica(base)
    first, second = sorted(pins)
    with chromium() as browser:
        teacher, _ = pinned_page(browser, base, pins[first])
        sockets = {"teacher": watched(teacher)}
        teacher.goto(f"{base}/?view=class&{QUESTION}")
        wait_for_script(teacher)
        teacher.get_by_role("button", name="Start a class").click()
        expect(teacher).to_have_url(re.compile(r"teach=\w{10}"), timeout=90_000)
        wait_for_script(teacher)
        code = re.search(r"teach=(\w{10})", teacher.url).group(1)
        teacher.get_by_role("button", name="Ask about this run").click()
        wait_for_script(teacher)
        teacher.get_by_role("button", name="Reveal").click()  # (students' own runs open then)
        expect(teacher.get_by_text("0 runs sent.")).to_be_visible(timeout=90_000)
        students = {}
        for lr, replica in zip(LRS, (first, second, first, second), strict=True):
            page, _ = pinned_page(browser, base, pins[replica])
            sockets[lr] = watched(page)
            page.goto(f"{base}/?class={code}")
            wait_for_script(page)
            send_run(page, lr)
            students[lr] = (page, replica)
        expect(teacher.get_by_text("4 runs sent.")).to_be_visible(timeout=30_000)

        opened = {who: len(found) for who, found in sockets.items()}
        procs[0].kill()  # mid-class, no goodbye
        procs[0].wait()
        dead = dead_replica(base, pins, logs / "haproxy.log")
        classes = open_store(env["BERNOULLI_STORE"])
        assert sorted(p.lr for p in classes.points(code)) == sorted(map(float, LRS))

        on_dead = [lr for lr, (_, replica) in students.items() if replica == dead]
        for who in [*on_dead, *(["teacher"] if dead == first else [])]:
            page = teacher if who == "teacher" else students[who][0]
            reconnects(page, sockets[who], opened[who])
        page = students[on_dead[0]][0]
        send_run(page, "0.0008")  # a reconnected student sends again, from the other replica
        held = classes.points(code)
        assert {0.0008, *map(float, LRS)} <= {p.lr for p in held}
        expect(teacher.get_by_text(f"{len(held)} runs sent.")).to_be_visible(timeout=30_000)
