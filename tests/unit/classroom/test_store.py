"""The class store: the same tests against SQLite and Redis (a real redis-server, started here).

Concurrency: many threads and several processes vote at once, then the tally is exact.
Expiry with an injected clock; one vote per voter per question; the vote rate limit; names
kept as plain text; a class's votes are its own.
"""

from __future__ import annotations

import ast
import concurrent.futures
import multiprocessing
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bernoulli.classroom import store as store_module
from bernoulli.classroom.classcode import ClassCodeError, display, normalize
from bernoulli.classroom.store import (
    CHOICES,
    NAME_MAX,
    TTL_SECONDS,
    VOTE_LIMIT,
    VOTE_WINDOW,
    Classroom,
    Question,
    SqliteStore,
    StoreError,
)
from bernoulli.classroom.store_url import open_store

# --- classes -------------------------------------------------------------------------------


def test_a_class_opens_and_is_found_by_its_code_in_any_spelling(store, clock):
    room = store.open_class()
    assert isinstance(room, Classroom)
    assert normalize(room.code) == room.code
    assert room.created == clock() and room.expires == clock() + TTL_SECONDS == clock() + 43_200
    assert store.get_class(room.code) == room
    assert store.get_class(display(room.code).lower()) == room
    assert store.current(room.code) is None


def test_sqlite_is_created_on_first_use_with_its_folders_in_wal_mode(tmp_path):
    path = tmp_path / "a" / "b" / "classes.db"
    store = SqliteStore(path)
    assert not path.parent.exists()  # nothing happens before the first use
    store.open_class()
    assert path.exists()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_every_sql_statement_is_a_literal_with_parameters():
    """No SQL is built from values: every execute() gets a literal (or the literal schema), and
    values travel as ? parameters."""
    tree = ast.parse(Path(store_module.__file__).read_text())
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.startswith("execute")
    ]
    assert len(calls) > 15

    def literal(arg) -> bool:
        if isinstance(arg, ast.IfExp):
            return literal(arg.body) and literal(arg.orelse)
        if isinstance(arg, ast.Name):
            return arg.id == "_SCHEMA"
        return isinstance(arg, ast.Constant) and isinstance(arg.value, str)

    assert all(literal(call.args[0]) for call in calls)


def test_sqlite_waits_for_a_busy_writer(tmp_path):
    store = SqliteStore(tmp_path / "classes.db")
    store.open_class()
    db = store._connect()
    try:
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == store_module.BUSY_MS
    finally:
        db.close()


def test_unknown_and_malformed_codes_get_one_line_messages(store):
    store.open_class()
    with pytest.raises(ClassCodeError, match="no class has the code ABCDE-FGHJK") as e:
        store.get_class("abcde fghjk")
    assert "\n" not in str(e.value)
    with pytest.raises(ClassCodeError, match="only 4 characters"):
        store.get_class("ABCD")
    with pytest.raises(ClassCodeError, match="no class has the code"):
        store.vote("ABCDEFGHJK", "q1", "voter", "converges")


def test_a_class_expires_after_its_ttl_and_says_so(store, clock):
    room = store.open_class()
    store.ask(room.code, "q1", "lr=0.01")
    store.vote(room.code, "q1", "s1", "zigzags")
    clock.advance(TTL_SECONDS - 1)
    assert store.tally(room.code, "q1")["zigzags"] == 1  # still open one second before
    clock.advance(1)
    for call in (
        lambda: store.get_class(room.code),
        lambda: store.current(room.code),
        lambda: store.tally(room.code, "q1"),
        lambda: store.vote(room.code, "q1", "s2", "escapes"),
        lambda: store.ask(room.code, "q2", ""),
    ):
        with pytest.raises(ClassCodeError, match=r"has ended .*ask your teacher for a new code"):
            call()
    with pytest.raises(ClassCodeError, match=r"ended 2\.0 h ago"):
        store.get_class(room.code, now=clock() + 2 * 3600)


def test_an_ended_class_is_purged_when_a_new_one_opens(store, clock):
    old = store.open_class()
    store.ask(old.code, "q1", "")
    store.vote(old.code, "q1", "s1", "cycles")
    clock.advance(TTL_SECONDS)
    new = store.open_class()
    assert new.code != old.code and new.created == clock()
    with pytest.raises(ClassCodeError, match="has ended"):
        store.get_class(old.code)  # remembered, to say it ended
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            assert db.execute("SELECT COUNT(*) FROM votes").fetchone()[0] == 0
            clock.advance(store_module.GRACE_SECONDS)
            store.open_class()
            assert db.execute("SELECT COUNT(*) FROM classes").fetchone()[0] == 2
    else:  # Redis purges an ended class when it meets it (and its keys expire in time)
        assert store.client.exists(f"bernoulli:votes:{old.code}:q1") == 0
        assert store.client.ttl(f"bernoulli:class:{new.code}") > TTL_SECONDS


# --- questions and votes -------------------------------------------------------------------


def test_ask_sets_the_current_question_and_reveal_marks_it(store):
    room = store.open_class()
    q1 = store.ask(room.code, "q1", "lr=0.01&steps=50")
    assert q1 == Question("q1", "lr=0.01&steps=50", False)
    assert store.current(room.code) == q1
    q2 = store.ask(room.code, "q2", "lr=0.5")
    assert store.current(room.code) == q2
    store.reveal(room.code, "q2")
    assert store.current(room.code) == Question("q2", "lr=0.5", True)
    assert store.ask(room.code, "q1", "lr=0.02") == Question("q1", "lr=0.02", False)
    assert store.current(room.code).id == "q1"
    with pytest.raises(StoreError, match="has no question 'q9'"):
        store.reveal(room.code, "q9")


def test_every_choice_is_in_the_tally_and_a_revote_replaces(store):
    room = store.open_class()
    store.ask(room.code, "q1", "")
    assert store.tally(room.code, "q1") == dict.fromkeys(CHOICES, 0)
    assert list(store.tally(room.code, "q1")) == list(CHOICES)
    store.vote(room.code, "q1", "s1", "converges")
    store.vote(room.code, "q1", "s2", "converges")
    store.vote(room.code, "q1", "s3", "escapes")
    store.vote(room.code, "q1", "s1", "cycles")  # s1 changes its mind
    assert store.tally(room.code, "q1") == {
        "converges": 1,
        "zigzags": 0,
        "cycles": 1,
        "escapes": 1,
    }
    store.ask(room.code, "q2", "")
    store.vote(room.code, "q2", "s1", "zigzags")  # one vote per voter per question
    assert store.tally(room.code, "q2")["zigzags"] == 1
    assert sum(store.tally(room.code, "q1").values()) == 3


def test_votes_are_checked(store):
    room = store.open_class()
    store.ask(room.code, "q1", "")
    with pytest.raises(StoreError, match="one of converges, zigzags, cycles, escapes"):
        store.vote(room.code, "q1", "s1", "diverges")
    with pytest.raises(StoreError, match="has no question 'q2'"):
        store.vote(room.code, "q2", "s1", "converges")
    with pytest.raises(StoreError, match="voter id"):
        store.vote(room.code, "q1", "", "converges")
    store.reveal(room.code, "q1")
    with pytest.raises(StoreError, match="voting is closed"):
        store.vote(room.code, "q1", "s1", "converges")
    assert sum(store.tally(room.code, "q1").values()) == 0


def test_names_are_only_those_typed_kept_as_plain_text(store):
    room = store.open_class()
    store.ask(room.code, "q1", "")
    store.vote(room.code, "q1", "s1", "converges")
    store.vote(room.code, "q1", "s2", "converges", name="<b>Ada</b> **x**")
    store.vote(room.code, "q1", "s3", "escapes", name="  bob \x00\u202e\n smith ")
    store.vote(room.code, "q1", "s4", "escapes", name="é" * 100)
    assert store.names(room.code, "q1") == ["<b>Ada</b> **x**", "bob smith", "é" * NAME_MAX]
    store.vote(room.code, "q1", "s2", "zigzags")  # re-voting without a name drops it
    assert store.names(room.code, "q1") == ["bob smith", "é" * NAME_MAX]


def test_votes_are_rate_limited_per_voter(store, clock):
    room = store.open_class()
    store.ask(room.code, "q1", "")
    for i in range(VOTE_LIMIT):
        store.vote(room.code, "q1", "s1", CHOICES[i % 4])
    with pytest.raises(StoreError, match=f"at most {VOTE_LIMIT} in"):
        store.vote(room.code, "q1", "s1", "escapes")
    store.vote(room.code, "q1", "s2", "escapes")  # another voter is not held up
    assert store.tally(room.code, "q1")[CHOICES[(VOTE_LIMIT - 1) % 4]] >= 1
    assert sum(store.tally(room.code, "q1").values()) == 2
    clock.advance(VOTE_WINDOW)
    store.vote(room.code, "q1", "s1", "escapes")
    assert store.tally(room.code, "q1")["escapes"] == 2


def test_a_class_sees_only_its_own_votes(store):
    a, b = store.open_class(), store.open_class()
    for room in (a, b):
        store.ask(room.code, "q1", "")
    store.vote(a.code, "q1", "s1", "converges", name="Ann")
    store.vote(b.code, "q1", "s1", "escapes")
    assert store.tally(a.code, "q1")["converges"] == 1 and store.tally(a.code, "q1")["escapes"] == 0
    assert store.tally(b.code, "q1")["escapes"] == 1 and store.names(b.code, "q1") == []


# --- concurrency ---------------------------------------------------------------------------


def _votes(url: str, code: str, worker: int, count: int) -> int:
    """One process's (or thread's) votes: `count` voters, each voting twice (the second
    replaces the first). Runs in a fresh interpreter under 'spawn'."""
    store = open_store(url)
    for i in range(count):
        voter = f"w{worker}-{i}"
        store.vote(code, "q1", voter, "escapes")
        store.vote(code, "q1", voter, CHOICES[i % 4])
    return count


def _expected(workers: int, count: int) -> dict[str, int]:
    tally = dict.fromkeys(CHOICES, 0)
    for _ in range(workers):
        for i in range(count):
            tally[CHOICES[i % 4]] += 1
    return tally


def test_many_threads_vote_at_once_and_the_tally_is_exact(store, url):
    room = store.open_class()
    store.ask(room.code, "q1", "")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        done = list(pool.map(_votes, [url] * 8, [room.code] * 8, range(8), [50] * 8))
    assert done == [50] * 8
    assert store.tally(room.code, "q1") == _expected(8, 50)


def test_several_processes_vote_at_once_and_the_tally_is_exact(store, url):
    room = store.open_class()
    store.ask(room.code, "q1", "")
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(4, mp_context=context) as pool:
        done = list(pool.map(_votes, [url] * 4, [room.code] * 4, range(4), [50] * 4))
    assert done == [50] * 4
    assert store.tally(room.code, "q1") == _expected(4, 50)


def _open_classes(url: str, count: int) -> list[str]:
    store = open_store(url)
    return [store.open_class().code for _ in range(count)]


def test_processes_create_the_store_and_open_classes_at_once(url):
    """Four fresh processes meet a store nobody has used yet (SQLite: no file yet)."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(4, mp_context=context) as pool:
        codes = [c for batch in pool.map(_open_classes, [url] * 4, [25] * 4) for c in batch]
    assert len(set(codes)) == 100
    store = open_store(url)
    assert {store.get_class(c).code for c in codes} == set(codes)


# --- open_store ----------------------------------------------------------------------------


def test_open_store_reads_urls_and_the_environment(tmp_path, monkeypatch):
    store = open_store(f"sqlite:///{tmp_path}/x/classes.db")
    assert isinstance(store, SqliteStore) and store.path == tmp_path / "x" / "classes.db"
    monkeypatch.setenv("BERNOULLI_STORE", f"sqlite:///{tmp_path}/env.db")
    assert open_store().path == tmp_path / "env.db"
    monkeypatch.delenv("BERNOULLI_STORE")
    monkeypatch.setenv("BERNOULLI_DATA", str(tmp_path / "data"))
    assert open_store().path == tmp_path / "data" / "classes.db"
    monkeypatch.delenv("BERNOULLI_DATA")
    assert open_store().path.parent.parent == Path(__import__("tempfile").gettempdir())


@pytest.mark.parametrize("url", ["postgres://x/y", "sqlite://", "sqlite:///", "classes.db"])
def test_open_store_refuses_other_urls_in_one_line(url):
    with pytest.raises(
        StoreError, match=re.escape("sqlite:///absolute/path.db or redis://host:port/0")
    ):
        open_store(url)


def test_redis_is_not_imported_for_sqlite():
    code = (
        "import sys; from bernoulli.classroom import store_url; "
        "store_url.open_store('sqlite:////tmp/x.db'); "
        "print('redis' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_redis_keys_expire_with_the_class(redis_url):
    store = open_store(redis_url)
    room = store.open_class()
    store.ask(room.code, "q1", "lr=1")
    store.vote(room.code, "q1", "s1", "cycles", name="Ann")
    for kind in ("question", "votes", "names"):
        assert (
            TTL_SECONDS - 5 <= store.client.ttl(f"bernoulli:{kind}:{room.code}:q1") <= TTL_SECONDS
        )
    assert 0 < store.client.ttl(f"bernoulli:rate:{room.code}:s1") <= TTL_SECONDS
    grace = store_module.GRACE_SECONDS
    assert store.client.ttl(f"bernoulli:class:{room.code}") > TTL_SECONDS + grace - 5
