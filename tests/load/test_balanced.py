"""Beyond one machine: what deploy/compose.yaml runs, without a container runtime.

Two replicas of `streamlit run app.py` behind the real HAProxy, configured by the same
deploy/haproxy.cfg as compose (its values from the environment), and a real redis-server as
the class store. As containers are, the replicas listen on one port at their own addresses
(127.0.0.2 and 127.0.0.3, both loopback), and a small DNS server here answers for their name
as Docker's does, so HAProxy's `resolvers` and `server-template` run as they do in compose.
Both replicas share one cookie secret and one store, as in compose.

HAProxy and redis-server come from Debian's packages (`.ci/run` installs them): without
them the test is skipped, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import struct
import subprocess
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bernoulli.data import samples
from bernoulli.engine import optimize as opt
from tests.helpers import DRAWN, ROOT, chromium, require_chromium, wait_for_script
from tests.streamlit_client import Session, free_port, start_server, stop_server

pytestmark = pytest.mark.timeout(240)

HAPROXY, REDIS = Path("/usr/sbin/haproxy"), Path("/usr/bin/redis-server")
REPLICAS = ("127.0.0.2", "127.0.0.3")
APP_HOST = "replicas.test"
CONFIG = ROOT / "deploy" / "haproxy.cfg"
AFFINITY = "BERNOULLI_REPLICA"  # the cookie deploy/haproxy.cfg inserts
SESSIONS = 40
STEPS = 60  # short runs: 40 sessions on 2 cores stay quick, and each lr ends elsewhere


def require(path: Path, package: str) -> None:
    """Skip without the program; in CI (CI=true) a missing program fails the test."""
    if not path.exists():
        message = f"{path} is missing: sudo apt-get install -y {package}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


class Dns:
    """A DNS server on loopback that answers A queries for `name` with `addresses`."""

    def __init__(self, name: str, addresses: tuple[str, ...]):
        self.name, self.addresses = name.lower(), addresses
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        with contextlib.suppress(OSError):  # the socket is closed: stop
            while True:
                query, client = self.sock.recvfrom(4096)
                with contextlib.suppress(ValueError, struct.error):
                    self.sock.sendto(self.answer(query), client)

    def answer(self, query: bytes) -> bytes:
        """The response: the question repeated, then one A record (TTL 5 s) per address."""
        ident, flags = struct.unpack(">HH", query[:4])
        end = query.index(b"\0", 12) + 5  # the name's labels, its zero byte, type and class
        question = query[12:end]
        labels, i = [], 0
        while question[i]:
            labels.append(question[i + 1 : i + 1 + question[i]].decode().lower())
            i += 1 + question[i]
        (qtype,) = struct.unpack(">H", question[-4:-2])
        known = ".".join(labels) == self.name
        records = self.addresses if known and qtype == 1 else ()
        header = struct.pack(
            ">HHHHHH", ident, 0x8180 | (flags & 0x0100) | (0 if known else 3), 1, len(records), 0, 0
        )
        answers = b"".join(
            struct.pack(">HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(a) for a in records
        )
        return header + question + answers

    def close(self):
        self.sock.close()


def wait_for(check, what: str, log: Path, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if result := check():
                return result
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not within {seconds} s; {log.name}:\n{log.read_text()}")


def redis_answers(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16) == b"+PONG\r\n"


def replica_port() -> int:
    """A port free at both replicas' addresses."""
    while True:
        port = free_port()
        with contextlib.ExitStack() as stack:
            try:
                for address in REPLICAS:
                    s = stack.enter_context(socket.socket())
                    s.bind((address, port))
                return port
            except OSError:
                continue


def request(base: str, method: str, path: str, headers=None, body=b""):
    """(status, headers) of one HTTP request, on its own connection as a new client's."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        conn.close()


def cookies(headers) -> dict[str, str]:
    """The cookies a response sets, by name."""
    pairs = (c.split(";")[0].split("=", 1) for c in headers.get_all("Set-Cookie") or [])
    return dict(pairs)


def spawn(stop: contextlib.ExitStack, command: list[str], log: Path, env=None) -> None:
    """Start a program, its output to `log`; `stop` ends it."""
    out = stop.enter_context(log.open("w"))
    proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    stop.callback(proc.wait, 10)
    stop.callback(proc.terminate)


def start_redis(stop: contextlib.ExitStack, logs: Path) -> int:
    """A redis-server on loopback, in memory only; its port."""
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    spawn(stop, [str(REDIS), *options], logs / "redis.log")
    wait_for(lambda: redis_answers(port), "redis-server answers", logs / "redis.log")
    return port


def start_replicas(stop: contextlib.ExitStack, logs: Path, env: dict[str, str]) -> int:
    """`streamlit run app.py` at each of REPLICAS' addresses, on one port (returned)."""
    port = replica_port()
    with ThreadPoolExecutor(len(REPLICAS)) as pool:
        starting = [
            pool.submit(start_server, port, logs / f"app-{a}.log", "app.py", a, env)
            for a in REPLICAS
        ]
        started = []
        for future in starting:
            with contextlib.suppress(Exception):  # stop those that did start, then raise
                started.append(future.result())
        stop.callback(stop_all, started)
        for future in starting:
            future.result()
    return port


def stop_all(servers: list[subprocess.Popen]) -> None:
    """Stop the servers together: each takes a while to shut down."""
    for proc in servers:
        proc.terminate()
    for proc in servers:
        stop_server(proc)


def balancer_env(listen: str, dns: str, app_port: int) -> dict[str, str]:
    """deploy/haproxy.cfg's values (see its head), on loopback."""
    return {
        "LISTEN": listen,
        "DNS_SERVER": dns,
        "APP_HOST": APP_HOST,
        "APP_PORT": str(app_port),
        "SLOTS": "4",  # more slots than replicas, as in compose
        "COOKIE_KEY": uuid.uuid4().hex,
    }


def start_balancer(stop: contextlib.ExitStack, logs: Path, app_port: int) -> str:
    """HAProxy with deploy/haproxy.cfg, once it serves both replicas; its URL."""
    dns = Dns(APP_HOST, REPLICAS)
    stop.callback(dns.close)
    listen = free_port()
    env = os.environ | balancer_env(f"127.0.0.1:{listen}", f"127.0.0.1:{dns.port}", app_port)
    spawn(stop, [str(HAPROXY), "-f", str(CONFIG), "-db"], logs / "haproxy.log", env)
    base = f"http://127.0.0.1:{listen}"
    seen: set[str] = set()

    def both_replicas_serve() -> bool:
        status, headers = request(base, "GET", "/_stcore/health")
        if status == 200:
            seen.add(headers["X-Replica"])
        return len(seen) == len(REPLICAS)

    wait_for(both_replicas_serve, "HAProxy serves both replicas", logs / "haproxy.log")
    return base


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Redis, the two replicas and HAProxy; yields (balancer URL, the replicas' environment).
    All are stopped at the end, also when starting them fails half way."""
    require(HAPROXY, "haproxy")
    require(REDIS, "redis-server")
    logs = tmp_path_factory.mktemp("balanced")
    with contextlib.ExitStack() as stop:
        env = {
            "BERNOULLI_STORE": f"redis://127.0.0.1:{start_redis(stop, logs)}/0",
            "STREAMLIT_SERVER_COOKIE_SECRET": uuid.uuid4().hex,  # one secret for all replicas
        }
        yield start_balancer(stop, logs, start_replicas(stop, logs, env)), env


def test_config_is_valid_with_compose_values():
    """deploy/haproxy.cfg with the values deploy/compose.yaml gives it (Docker's DNS)."""
    require(HAPROXY, "haproxy")
    env = os.environ | balancer_env(":8080", "127.0.0.11:53", 8501) | {"APP_HOST": "app"}
    check = subprocess.run(
        [str(HAPROXY), "-c", "-f", str(CONFIG)], env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    compose = (CONFIG.parent / "compose.yaml").read_text()
    for line in ('LISTEN: ":8080"', 'DNS_SERVER: "127.0.0.11:53"', "APP_HOST: app"):
        assert line in compose


def opened(base: str) -> tuple[str, str, str]:
    """As a browser opens the page: GET / (the balancer sets its affinity cookie), then the
    health check (Streamlit sets the XSRF cookie). Returns (affinity cookie, XSRF token,
    replica); both requests must reach the same replica."""
    status, headers = request(base, "GET", "/")
    assert status == 200
    replica, affinity = headers["X-Replica"], f"{AFFINITY}={cookies(headers)[AFFINITY]}"
    status, headers = request(base, "GET", "/_stcore/health", {"Cookie": affinity})
    assert status == 200 and headers["X-Replica"] == replica
    assert AFFINITY not in cookies(headers)  # "indirect": set once, then only read
    return affinity, cookies(headers)["_streamlit_xsrf"], replica


def lr(i: int) -> float:
    return 1e-6 * (1 + i)


def own_run(base: str, i: int) -> dict:
    """Session i opens the link with its own learning rate, over the websocket, with the
    affinity cookie; what it shows and which replica served each step."""
    affinity, token, replica = opened(base)
    query = urllib.parse.urlencode({"lr": repr(lr(i)), "steps": STEPS})
    with Session(base, token, query, cookie=affinity) as session:
        elements = session.finish()
        socket_replica = session.connection.response.headers["X-Replica"]
    metrics = {e.label: e.body for kind, e in elements if kind == "metric"}
    kinds = {kind for kind, _ in elements}
    return {"replicas": {replica, socket_replica}, "metrics": metrics, "kinds": kinds}


def expected(i: int) -> tuple[str, str]:
    """Session i's final-p metric (label, value), computed by the library itself."""
    sample = samples.notebook_sample()
    traj = opt.run(sample.n, sample.k, opt.Settings(lr=lr(i), steps=STEPS))
    return f"final p (step {len(traj.p) - 1})", f"{traj.final_p:.8g}"


def test_sessions_see_their_own_runs_spread_over_both_replicas(stack):
    base, _ = stack
    want = [expected(i) for i in range(SESSIONS)]
    assert len(set(want)) == SESSIONS  # 40 different runs
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: own_run(base, i), range(SESSIONS)))
    for i, (result, (label, value)) in enumerate(zip(results, want, strict=True)):
        assert len(result["replicas"]) == 1, (i, result["replicas"])  # affinity held
        assert "exception" not in result["kinds"], i
        assert result["metrics"].get(label) == value, (i, result["metrics"], value)
    per_replica = [next(iter(r["replicas"])) for r in results]
    counts = {name: per_replica.count(name) for name in set(per_replica)}
    assert len(counts) == len(REPLICAS) and min(counts.values()) >= SESSIONS // 4, counts


def upload(base: str, session_id: str, headers: dict) -> tuple[int, str]:
    """(status, replica) of a PUT of a small CSV to the session's upload URL."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n0\n1\r\n--{boundary}--\r\n"
    ).encode()
    headers = headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    path = f"/_stcore/upload_file/{session_id}/{uuid.uuid4().hex}"
    status, response = request(base, "PUT", path, headers, body)
    return status, response["X-Replica"]


def test_an_upload_needs_the_replica_of_its_session(stack):
    """With the affinity cookie an upload reaches its session's replica; sent without it,
    the balancer may pick the other replica, which refuses it: 400, an unknown session
    (Streamlit keeps each session in one process), not 403: the XSRF token one replica made
    passes on the other (Streamlit checks it against the cookie, not a secret)."""
    base, _ = stack
    affinity, token, replica = opened(base)
    xsrf = {"X-Xsrftoken": token}
    with Session(base, token, cookie=affinity) as session:
        session.finish()
        with_cookie = {"Cookie": f"_streamlit_xsrf={token}; {affinity}"} | xsrf
        for _ in range(4):
            assert upload(base, session.id, with_cookie) == (204, replica)
        without = {"Cookie": f"_streamlit_xsrf={token}"} | xsrf
        answers = {upload(base, session.id, without) for _ in range(4)}
    # The session's own websocket keeps its replica busier: leastconn sends them elsewhere.
    assert any(where != replica for _, where in answers), answers
    for status, where in answers:
        assert status == (204 if where == replica else 400), answers


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with chromium() as b:
        yield b


def pinned_page(browser, base: str, affinity: str):
    """A fresh browser context holding `affinity` (the balancer's cookie for one replica), as
    if it had opened the page before; a page of it, and the replica of every server response."""
    name, value = affinity.split("=", 1)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_cookies([{"name": name, "value": value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(90_000)
    served: list[str | None] = []

    def record(response) -> None:
        # Inline component code is loaded from blob: URLs, which never reach a server.
        if response.url.startswith(base):
            served.append(response.headers.get("x-replica"))

    page.on("response", record)
    return page, served


def affinity_by_replica(base: str) -> dict[str, str]:
    """An affinity cookie for each replica, as new visitors get them."""
    pins: dict[str, str] = {}
    while len(pins) < len(REPLICAS):
        affinity, _, replica = opened(base)
        pins.setdefault(replica, affinity)
    return pins


def test_an_upload_in_the_browser_is_used_by_its_page(stack, browser, tmp_path):
    """Real Chromium through the balancer: the page's upload reaches its session (the sample
    is used), and every request of the page went to the replica its cookie names."""
    from playwright.sync_api import expect

    base, _ = stack
    flips = tmp_path / "flips.csv"
    flips.write_text("y\n0\n1\n1\n1\n1\n")
    replica, affinity = next(iter(affinity_by_replica(base).items()))
    page, served = pinned_page(browser, base, affinity)
    try:
        page.goto(f"{base}/?steps={STEPS}")
        page.wait_for_selector(DRAWN)
        wait_for_script(page)
        page.locator('[data-testid="stRadio"]').get_by_text("Upload", exact=True).click()
        wait_for_script(page)
        with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url) as put:
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(flips)
        assert put.value.status == 204
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text("n = 5, k = 4 ones, sample mean k/n = 0.8", timeout=90_000)
    finally:
        page.context.close()
    assert set(served) == {replica}, served


def test_votes_cast_on_both_replicas_are_one_tally(stack, browser):
    """The real class page: the teacher and one student on one replica, another student on
    the other; the teacher's live tally counts both votes (the store is the shared Redis)."""
    from playwright.sync_api import expect

    from bernoulli.classroom.store_url import open_store

    base, env = stack
    pins = affinity_by_replica(base)
    first, second = sorted(pins)
    choices = {first: "converges smoothly", second: "zig-zags in"}
    pages = []
    try:
        teacher, teacher_served = pinned_page(browser, base, pins[first])
        pages.append(teacher)
        teacher.goto(f"{base}/?view=class&steps={STEPS}")
        wait_for_script(teacher)
        teacher.get_by_role("button", name="Start a class").click()
        expect(teacher).to_have_url(re.compile(r"teach=\w{10}"), timeout=90_000)
        wait_for_script(teacher)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(teacher.url).query)["teach"][0]
        teacher.get_by_role("button", name="Ask about this run").click()
        votes = teacher.get_by_text(re.compile(r"^\d+ votes? ·"))
        expect(votes).to_contain_text("0 votes", timeout=90_000)
        for replica, choice in choices.items():
            student, served = pinned_page(browser, base, pins[replica])
            pages.append(student)
            student.goto(f"{base}/?class={code}")
            wait_for_script(student)
            student.get_by_text(choice, exact=True).click()
            expect(student.get_by_text(f"Sent: {choice}.")).to_be_visible(timeout=90_000)
            assert set(served) == {replica}, served
        expect(votes).to_contain_text(
            "2 votes · converges smoothly: 1 · zig-zags in: 1", timeout=90_000
        )
        assert set(teacher_served) == {first}, teacher_served
    finally:
        for page in pages:
            page.context.close()
    classes = open_store(env["BERNOULLI_STORE"])  # and in the store itself:
    counts = classes.tally(code, classes.current(code).id)
    assert counts == {"converges": 1, "zigzags": 1, "cycles": 0, "escapes": 0}
