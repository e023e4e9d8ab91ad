"""The class map's points in the store: each student's own run, one point per student.

A student sends a run (its lr and p0, the outcome its torch run had, the run's link query and
an optional name); sending again replaces that student's point. The teacher reads them all
and clears them in one call. Points live as long as their class (`store.TTL_SECONDS`).

`SqlitePoints` is the SQLite backend's part (``store.SqliteStore`` inherits it); Redis keeps
the points in one hash per class (``store_redis``). Both check a point with `check_point`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace

from bernoulli.classroom.store_checks import StoreError, check_id, check_query, clean_name

MAX_POINTS = 500  # students a class map holds (a class is 30; this bounds a runaway client)


@dataclass(frozen=True)
class Point:
    """One student's run on the class map: where it started, what it did, who sent it."""

    student: str  # the sender's session id: one point per student
    lr: float  # the run's learning rate
    p0: float  # the run's starting p
    outcome: str  # the run's outcome, a word of the page's
    query: str  # the run's link query (its sample and settings): the teacher loads it
    base: str = ""  # the class's question the run was made from ("" before the first one)
    name: str = ""  # as typed, cleaned (store_checks.clean_name); shown as plain text only
    at: float = 0.0  # when it was sent (the store's clock)


def check_point(point: Point) -> Point:
    """The point as stored (its name cleaned), or a one-line StoreError naming the bad field."""
    check_id(point.student, "student id")
    for what in ("lr", "p0"):
        value = getattr(point, what)
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise StoreError(f"a point's {what} must be a finite number, not {str(value)[:20]!r}")
    if point.lr <= 0:
        raise StoreError(f"a point's lr must be above 0, not {point.lr!r}")
    check_id(point.outcome, "run's outcome")
    check_query(point.query, "a run's query")
    if point.base:
        check_id(point.base, "question id")
    return replace(point, lr=float(point.lr), p0=float(point.p0), name=clean_name(point.name))


def too_many_points() -> StoreError:
    return StoreError(f"the class map is full: at most {MAX_POINTS} students' runs")


def to_json(point: Point) -> str:
    return json.dumps(asdict(point), separators=(",", ":"))


def from_json(text: str) -> Point:
    return Point(**json.loads(text))


def in_order(points) -> list[Point]:
    """The points in the order they were (last) sent."""
    return sorted(points, key=lambda p: (p.at, p.student))


_FIELDS = "student, lr, p0, outcome, query, base, name, at"


class SqlitePoints:
    """The class map's points in ``store.SqliteStore``'s file (its `points` table)."""

    def send_point(self, code: str, point: Point) -> Point:
        """Store a student's point (replacing that student's last one); returns it as stored."""
        point = check_point(point)
        with self._transaction(write=True) as db:
            code = self._class(db, code).code
            point = replace(point, at=self.clock())
            (others,) = db.execute(
                "SELECT COUNT(*) FROM points WHERE code = ? AND student != ?",
                (code, point.student),
            ).fetchone()
            if others >= MAX_POINTS:
                raise too_many_points()
            db.execute(
                "INSERT INTO points (code, student, lr, p0, outcome, query, base, name, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code, student) DO UPDATE SET "
                "lr = excluded.lr, p0 = excluded.p0, outcome = excluded.outcome, "
                "query = excluded.query, base = excluded.base, name = excluded.name, "
                "at = excluded.at",
                (code, *(getattr(point, f) for f in _FIELDS.split(", "))),
            )
        return point

    def points(self, code: str) -> list[Point]:
        """Every student's point in the class, in the order they were sent."""
        with self._transaction(write=False) as db:
            code = self._class(db, code).code
            rows = db.execute(
                "SELECT student, lr, p0, outcome, query, base, name, at FROM points WHERE code = ?",
                (code,),
            ).fetchall()
        return in_order(Point(*row) for row in rows)

    def clear_points(self, code: str) -> None:
        """Forget every point of the class."""
        with self._transaction(write=True) as db:
            code = self._class(db, code).code
            db.execute("DELETE FROM points WHERE code = ?", (code,))
