"""The class store's fixtures, for its tests (test_store, test_store_points): each test runs
against SQLite and against a real redis-server started here, with a clock the test moves."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from bernoulli.classroom.store import SqliteStore
from bernoulli.classroom.store_url import open_store

REDIS_SERVER = "/usr/bin/redis-server"
BACKENDS = ["sqlite", "redis"]


class Clock:
    """A clock the test moves; it starts at the real time (Redis expires keys in real time)."""

    def __init__(self):
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server on a free port, for this module; stopped at the end."""
    if not Path(REDIS_SERVER).exists():
        message = f"{REDIS_SERVER} is missing: sudo apt-get install -y redis-server"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("redis")
    import redis

    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(
        [REDIS_SERVER, *options, "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail(f"redis-server did not answer on port {port}")
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """(kind, a function making a store on the same data with a given clock)."""
    if request.param == "sqlite":
        path = tmp_path / "deep" / "folder" / "classes.db"
        return "sqlite", lambda clock=time.time: SqliteStore(path, clock)
    url = request.getfixturevalue("redis_url")
    import redis

    redis.Redis.from_url(url).flushdb()
    return "redis", lambda clock=time.time: open_store(url, clock)


@pytest.fixture
def store(backend, clock):
    return backend[1](clock)


@pytest.fixture
def url(request, backend, tmp_path):
    """The store's URL, for other processes."""
    if backend[0] == "sqlite":
        return f"sqlite:///{tmp_path / 'deep' / 'folder' / 'classes.db'}"
    return request.getfixturevalue("redis_url")
