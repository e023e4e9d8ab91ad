"""Where a class's predictions are kept: classes, the question on screen, and the votes.

One small interface (`Store`), two backends with the same behaviour and the same tests:

- `SqliteStore`: a file on this machine (created on first use, parent folders too), in WAL
  mode with a busy timeout; every operation is one short transaction (``BEGIN IMMEDIATE`` for
  writes), so many threads and several server processes can write at once.
- `RedisStore` (``bernoulli.classroom.store_redis``): for servers on several machines; keys expire
with
  the class.

A class lives `TTL_SECONDS` after it opens; after that every operation on it says it ended
(and its votes may be purged). Each voter (a student's session) has one vote per question:
voting again replaces it. Votes are rate-limited per voter. Names are plain text, cut to
`NAME_MAX` characters, and never interpreted. The class map's points (each student's own run,
one per student: `bernoulli.classroom.store_points`) end with the class. ``store_url.open_store``
picks
the backend from a URL.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bernoulli.classroom.classcode import ClassCodeError, display, new_code, normalize
from bernoulli.classroom.store_checks import ID_MAX as ID_MAX
from bernoulli.classroom.store_checks import NAME_MAX as NAME_MAX
from bernoulli.classroom.store_checks import QUERY_MAX as QUERY_MAX
from bernoulli.classroom.store_checks import StoreError as StoreError
from bernoulli.classroom.store_checks import check_id as check_id
from bernoulli.classroom.store_checks import check_query as check_query
from bernoulli.classroom.store_checks import clean_name as clean_name
from bernoulli.classroom.store_points import Point as Point
from bernoulli.classroom.store_points import SqlitePoints

CHOICES = ("converges", "zigzags", "cycles", "escapes")  # the same keys as lesson.OUTCOMES
TTL_SECONDS = 12 * 3600
GRACE_SECONDS = 12 * 3600  # an ended class is remembered this long, to say it ended
VOTE_LIMIT = 5  # votes a voter may cast in VOTE_WINDOW seconds (changing one's mind included)
VOTE_WINDOW = 1.0
BUSY_MS = 10_000  # how long SQLite waits for another writer's lock
ENV_URL = "BERNOULLI_STORE"
ENV_DATA = "BERNOULLI_DATA"


@dataclass(frozen=True)
class Classroom:
    code: str  # normalized, without dashes (classcode.display groups it)
    created: float  # seconds since the epoch
    expires: float


@dataclass(frozen=True)
class Question:
    id: str
    query: str  # the run's share-link query string
    revealed: bool


class Store(Protocol):
    """What the classroom page needs; see the module's docstring."""

    def open_class(self, now: float | None = None) -> Classroom: ...
    def get_class(self, code: str, now: float | None = None) -> Classroom: ...
    def ask(self, code: str, question_id: str, query: str) -> Question: ...
    def current(self, code: str) -> Question | None: ...
    def reveal(self, code: str, question_id: str) -> None: ...
    def vote(
        self, code: str, question_id: str, voter: str, choice: str, name: str = ""
    ) -> None: ...
    def tally(self, code: str, question_id: str) -> dict[str, int]: ...
    def names(self, code: str, question_id: str) -> list[str]: ...
    def send_point(self, code: str, point: Point) -> Point: ...
    def points(self, code: str) -> list[Point]: ...
    def clear_points(self, code: str) -> None: ...


# --- what every backend checks the same way ------------------------------------------------


def check_choice(choice: str) -> str:
    if choice not in CHOICES:
        raise StoreError(f"a vote must be one of {', '.join(CHOICES)}, not {str(choice)[:20]!r}")
    return choice


def live(code: str, row: tuple[float, float] | None, now: float) -> Classroom:
    """The class `code` from its stored (created, expires), or a one-line ClassCodeError."""
    if row is None:
        raise ClassCodeError(
            f"no class has the code {display(code)}: check it with your teacher "
            "(a code works for 12 hours)"
        )
    created, expires = float(row[0]), float(row[1])
    if now >= expires:
        hours = (now - expires) / 3600
        raise ClassCodeError(
            f"class {display(code)} has ended (codes last {TTL_SECONDS // 3600} hours; it ended "
            f"{hours:.1f} h ago): ask your teacher for a new code"
        )
    return Classroom(code, created, expires)


def unknown_question(code: str, question_id: str) -> StoreError:
    return StoreError(f"class {display(code)} has no question {question_id[:ID_MAX]!r}")


def revealed_already(question_id: str) -> StoreError:
    return StoreError(f"the answer to question {question_id!r} is already shown: voting is closed")


def too_many_votes() -> StoreError:
    return StoreError(
        f"too many votes: at most {VOTE_LIMIT} in {VOTE_WINDOW:g} s from one student; wait a moment"
    )


def empty_tally(choices) -> dict[str, int]:
    counts = dict.fromkeys(CHOICES, 0)
    for c in choices:
        if c in counts:
            counts[c] += 1
    return counts


def sorted_names(names) -> list[str]:
    return sorted((n for n in names if n), key=lambda n: (n.casefold(), n))


# --- SQLite ------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, created REAL NOT NULL, expires REAL NOT NULL, current TEXT);
CREATE TABLE IF NOT EXISTS questions (
    code TEXT NOT NULL, id TEXT NOT NULL, query TEXT NOT NULL, revealed INTEGER NOT NULL,
    PRIMARY KEY (code, id));
CREATE TABLE IF NOT EXISTS votes (
    code TEXT NOT NULL, question TEXT NOT NULL, voter TEXT NOT NULL, choice TEXT NOT NULL,
    name TEXT NOT NULL, PRIMARY KEY (code, question, voter));
CREATE TABLE IF NOT EXISTS attempts (code TEXT NOT NULL, voter TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_voter ON attempts (code, voter, at);
CREATE TABLE IF NOT EXISTS points (
    code TEXT NOT NULL, student TEXT NOT NULL, lr REAL NOT NULL, p0 REAL NOT NULL,
    outcome TEXT NOT NULL, query TEXT NOT NULL, base TEXT NOT NULL, name TEXT NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (code, student));
"""


class SqliteStore(SqlitePoints):
    """The store in one SQLite file (see the module's docstring). `clock` is injectable."""

    def __init__(self, path: str | os.PathLike, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.clock = clock
        self._ready = False

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        # timeout is SQLite's busy timeout: a writer waits this long for another's lock
        return sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)

    def _setup(self) -> None:
        """Create the file (and its folder) and the tables on first use; WAL mode."""
        if self._ready:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        try:
            db.execute("PRAGMA journal_mode = WAL")  # persistent: set once per file
            db.execute("BEGIN IMMEDIATE")
            db.executescript(_SCHEMA)  # (commits)
        finally:
            db.close()
        self._ready = True

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[sqlite3.Connection]:
        self._setup()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def _class(self, db, code: str, now: float | None = None) -> Classroom:
        code = normalize(code)
        row = db.execute("SELECT created, expires FROM classes WHERE code = ?", (code,)).fetchone()
        return live(code, row, self.clock() if now is None else now)

    def _question(self, db, code: str, question_id: str) -> Question:
        check_id(question_id, "question id")
        row = db.execute(
            "SELECT query, revealed FROM questions WHERE code = ? AND id = ?", (code, question_id)
        ).fetchone()
        if row is None:
            raise unknown_question(code, question_id)
        return Question(question_id, row[0], bool(row[1]))

    def open_class(self, now: float | None = None) -> Classroom:
        now = self.clock() if now is None else now
        with self._transaction(write=True) as db:
            self._purge(db, now)
            while True:
                code = new_code()
                try:
                    db.execute(
                        "INSERT INTO classes (code, created, expires) VALUES (?, ?, ?)",
                        (code, now, now + TTL_SECONDS),
                    )
                except sqlite3.IntegrityError:  # the same code twice: 1 in 2⁴⁹, draw again
                    continue
                return Classroom(code, now, now + TTL_SECONDS)

    @staticmethod
    def _purge(db, now: float) -> None:
        """Forget the votes of ended classes, and ended classes after GRACE_SECONDS."""
        ended = (now,)
        db.execute(
            "DELETE FROM votes WHERE code IN (SELECT code FROM classes WHERE expires <= ?)", ended
        )
        db.execute(
            "DELETE FROM questions WHERE code IN (SELECT code FROM classes WHERE expires <= ?)",
            ended,
        )
        db.execute(
            "DELETE FROM attempts WHERE code IN (SELECT code FROM classes WHERE expires <= ?)",
            ended,
        )
        db.execute(
            "DELETE FROM points WHERE code IN (SELECT code FROM classes WHERE expires <= ?)", ended
        )
        db.execute("DELETE FROM classes WHERE expires + ? <= ?", (GRACE_SECONDS, now))

    def get_class(self, code: str, now: float | None = None) -> Classroom:
        with self._transaction(write=False) as db:
            return self._class(db, code, now)

    def ask(self, code: str, question_id: str, query: str) -> Question:
        check_id(question_id, "question id")
        check_query(query)
        with self._transaction(write=True) as db:
            code = self._class(db, code).code
            db.execute(
                "INSERT INTO questions (code, id, query, revealed) VALUES (?, ?, ?, 0) "
                "ON CONFLICT (code, id) DO UPDATE SET query = excluded.query",
                (code, question_id, query),
            )
            db.execute("UPDATE classes SET current = ? WHERE code = ?", (question_id, code))
            return self._question(db, code, question_id)

    def current(self, code: str) -> Question | None:
        with self._transaction(write=False) as db:
            code = self._class(db, code).code
            (question_id,) = db.execute(
                "SELECT current FROM classes WHERE code = ?", (code,)
            ).fetchone()
            return None if question_id is None else self._question(db, code, question_id)

    def reveal(self, code: str, question_id: str) -> None:
        with self._transaction(write=True) as db:
            code = self._class(db, code).code
            self._question(db, code, question_id)
            db.execute(
                "UPDATE questions SET revealed = 1 WHERE code = ? AND id = ?", (code, question_id)
            )

    def vote(self, code: str, question_id: str, voter: str, choice: str, name: str = "") -> None:
        check_id(voter, "voter id")
        check_choice(choice)
        name = clean_name(name)
        with self._transaction(write=True) as db:
            now = self.clock()
            code = self._class(db, code, now).code
            if self._question(db, code, question_id).revealed:
                raise revealed_already(question_id)
            db.execute(
                "DELETE FROM attempts WHERE code = ? AND voter = ? AND at <= ?",
                (code, voter, now - VOTE_WINDOW),
            )
            (recent,) = db.execute(
                "SELECT COUNT(*) FROM attempts WHERE code = ? AND voter = ?", (code, voter)
            ).fetchone()
            if recent >= VOTE_LIMIT:
                raise too_many_votes()  # (rolls back: the refused vote is not counted)
            db.execute("INSERT INTO attempts VALUES (?, ?, ?)", (code, voter, now))
            db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT (code, question, voter) "
                "DO UPDATE SET choice = excluded.choice, name = excluded.name",
                (code, question_id, voter, choice, name),
            )

    def tally(self, code: str, question_id: str) -> dict[str, int]:
        return empty_tally(choice for choice, _ in self._votes(code, question_id))

    def names(self, code: str, question_id: str) -> list[str]:
        return sorted_names(name for _, name in self._votes(code, question_id))

    def _votes(self, code: str, question_id: str) -> list[tuple[str, str]]:
        """(choice, name) of every vote on the class's question (both checked first)."""
        with self._transaction(write=False) as db:
            code = self._class(db, code).code
            self._question(db, code, question_id)
            return db.execute(
                "SELECT choice, name FROM votes WHERE code = ? AND question = ?",
                (code, question_id),
            ).fetchall()
