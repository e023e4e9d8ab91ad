"""The class map's points in the store, against SQLite and Redis: one point per student (a new
send replaces it), names as plain text, cleared in one call, checked, a class's own, ending
with the class, and exact when many threads send at once."""

from __future__ import annotations

import ast
import concurrent.futures
from pathlib import Path

import pytest

from bernoulli.classroom import store_points
from bernoulli.classroom.classcode import ClassCodeError
from bernoulli.classroom.store import TTL_SECONDS, StoreError
from bernoulli.classroom.store_checks import NAME_MAX
from bernoulli.classroom.store_points import Point
from bernoulli.classroom.store_url import open_store


def point(student: str, lr: float = 1e-3, p0: float = 0.6, **more) -> Point:
    fields = {"outcome": "converges", "query": f"lr={lr!r}&p0={p0!r}"} | more
    return Point(student, lr, p0, **fields)


def test_a_new_send_replaces_the_students_point(store, clock):
    room = store.open_class()
    assert store.points(room.code) == []
    store.send_point(room.code, point("s1", 1e-3, 0.6))
    clock.advance(1)
    store.send_point(room.code, point("s2", 2e-3, 0.3, outcome="zigzags", name="Ann"))
    clock.advance(1)
    sent = store.send_point(room.code, point("s1", 5e-3, 0.9, outcome="escapes", base="q1"))
    assert sent.at == clock()
    stored = store.points(room.code)
    assert [(p.student, p.lr, p.p0, p.outcome, p.name, p.base) for p in stored] == [
        ("s2", 2e-3, 0.3, "zigzags", "Ann", ""),
        ("s1", 5e-3, 0.9, "escapes", "", "q1"),
    ]
    assert stored[1] == sent
    assert stored[1].query == "lr=0.005&p0=0.9"


def test_names_are_kept_as_plain_text(store):
    room = store.open_class()
    store.send_point(room.code, point("s1", name="  <b>Ada</b>\x07 **x** "))
    store.send_point(room.code, point("s2", name="é" * 100))
    names = [p.name for p in store.points(room.code)]
    assert names == ["<b>Ada</b> **x**", "é" * NAME_MAX]


def test_the_teacher_clears_the_map_in_one_call(store):
    room, other = store.open_class(), store.open_class()
    for i in range(5):
        store.send_point(room.code, point(f"s{i}"))
    store.send_point(other.code, point("s0", 7e-3))
    store.clear_points(room.code)
    assert store.points(room.code) == []
    assert [p.lr for p in store.points(other.code)] == [7e-3]  # a class's points are its own
    store.send_point(room.code, point("s9"))
    assert [p.student for p in store.points(room.code)] == ["s9"]


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"student": ""}, "student id must be printable text"),
        ({"lr": float("nan")}, "point's lr must be a finite number"),
        ({"lr": 0.0}, "point's lr must be above 0"),
        ({"p0": float("inf")}, "point's p0 must be a finite number"),
        ({"p0": "0.5"}, "point's p0 must be a finite number"),
        ({"outcome": ""}, "run's outcome must be printable text"),
        ({"query": "x" * 64_001}, "a run's query must be text of at most 64,000"),
        ({"base": "q\n1"}, "question id must be printable"),
    ],
)
def test_a_bad_point_is_refused_in_one_line(store, bad, words):
    room = store.open_class()
    fields = {"student": "s1", "lr": 1e-3, "p0": 0.5, "outcome": "converges", "query": ""}
    with pytest.raises(StoreError, match=words) as error:
        store.send_point(room.code, Point(**(fields | bad)))
    assert "\n" not in str(error.value)
    assert store.points(room.code) == []


def test_points_need_an_open_class_and_end_with_it(store, clock):
    with pytest.raises(ClassCodeError, match="no class has the code"):
        store.send_point("ABCDEFGHJK", point("s1"))
    room = store.open_class()
    store.send_point(room.code, point("s1"))
    clock.advance(TTL_SECONDS)
    for call in (
        lambda: store.points(room.code),
        lambda: store.send_point(room.code, point("s2")),
        lambda: store.clear_points(room.code),
    ):
        with pytest.raises(ClassCodeError, match="has ended"):
            call()


def test_a_full_map_refuses_new_students_but_not_a_resend(store, monkeypatch):
    monkeypatch.setattr(store_points, "MAX_POINTS", 3)
    room = store.open_class()
    for i in range(3):
        store.send_point(room.code, point(f"s{i}"))
    with pytest.raises(StoreError, match="the class map is full: at most 3"):
        store.send_point(room.code, point("s3"))
    store.send_point(room.code, point("s1", 9e-3))  # a student already on it may send again
    assert sorted(p.lr for p in store.points(room.code)) == [1e-3, 1e-3, 9e-3]


def test_many_threads_send_at_once_and_every_point_is_there_once(store, url):
    room = store.open_class()
    sent = [point(f"s{i}", 1e-4 * (1 + i), (i % 9 + 1) / 10) for i in range(60)]
    with concurrent.futures.ThreadPoolExecutor(12) as pool:  # each thread its own store
        list(pool.map(lambda p: open_store(url).send_point(room.code, p), sent))
    stored = {p.student: (p.lr, p.p0) for p in store.points(room.code)}
    assert stored == {p.student: (p.lr, p.p0) for p in sent}


def test_redis_points_expire_with_the_class(redis_url):
    store = open_store(redis_url)
    room = store.open_class()
    store.send_point(room.code, point("s1"))
    assert TTL_SECONDS - 5 <= store.client.ttl(f"bernoulli:points:{room.code}") <= TTL_SECONDS


def test_every_points_sql_statement_is_a_literal_with_parameters():
    tree = ast.parse(Path(store_points.__file__).read_text())
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "execute"
    ]
    assert len(calls) == 4
    assert all(isinstance(c.args[0], ast.Constant) for c in calls)
