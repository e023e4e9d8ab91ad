"""The class store in Redis, for servers on several machines: the same behaviour as
``store.SqliteStore`` (and the same tests).

Keys (all under ``bernoulli:``), each expiring with its class (``EXPIRE`` = what is left of the
class's TTL; the class's own record `GRACE_SECONDS` later, so an ended code is told it ended):

    class:{code}               hash  created, expires, current (the question on screen)
    questions:{code}           set   the class's question ids
    question:{code}:{id}       hash  query, revealed (0/1)
    votes:{code}:{id}          hash  voter -> choice   (one vote per voter: HSET replaces)
    names:{code}:{id}          hash  voter -> name     (only names typed)
    rate:{code}:{voter}        zset  the voter's recent votes (a sliding window)
    points:{code}              hash  student -> the student's point on the class map (JSON)

A vote is one Lua script (checks, rate limit and write in one atomic step), and so is a point
sent (checks, the map's size and write); the other writes are MULTI/EXEC pipelines.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import time
from collections.abc import Callable

import redis

from bernoulli.classroom import store_points
from bernoulli.classroom.classcode import ClassCodeError, new_code, normalize
from bernoulli.classroom.store import (
    GRACE_SECONDS,
    TTL_SECONDS,
    VOTE_LIMIT,
    VOTE_WINDOW,
    Classroom,
    Question,
    StoreError,
    check_choice,
    check_id,
    check_query,
    clean_name,
    empty_tally,
    live,
    revealed_already,
    sorted_names,
    too_many_votes,
    unknown_question,
)

PREFIX = "bernoulli:"

# KEYS: class, question, votes, names, rate
# ARGV: now, voter, choice, name, oldest kept (now - window), limit, rate member
_VOTE = """
local cls = redis.call('HMGET', KEYS[1], 'created', 'expires')
if not cls[1] then return 'unknown' end
local now = tonumber(ARGV[1])
local left = math.ceil(tonumber(cls[2]) - now)
if left <= 0 then return 'ended' end
local revealed = redis.call('HGET', KEYS[2], 'revealed')
if not revealed then return 'question' end
if revealed == '1' then return 'revealed' end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', ARGV[5])
if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[6]) then return 'rate' end
redis.call('ZADD', KEYS[5], ARGV[1], ARGV[7])
redis.call('EXPIRE', KEYS[5], left)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
if ARGV[4] == '' then
    redis.call('HDEL', KEYS[4], ARGV[2])
else
    redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
end
redis.call('EXPIRE', KEYS[3], left)
redis.call('EXPIRE', KEYS[4], left)
return 'ok'
"""

# KEYS: class, points. ARGV: now, student, the point (JSON), most points
_POINT = """
local cls = redis.call('HMGET', KEYS[1], 'created', 'expires')
if not cls[1] then return 'unknown' end
local left = math.ceil(tonumber(cls[2]) - tonumber(ARGV[1]))
if left <= 0 then return 'ended' end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0
    and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[4]) then return 'full' end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], left)
return 'ok'
"""


def _key(*parts: str) -> str:
    return PREFIX + ":".join(parts)


class RedisStore:
    """The store in Redis at `url` (``redis://host:port/0``). `clock` is injectable."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time):
        self.url = url
        self.clock = clock
        self.client = redis.Redis.from_url(url, decode_responses=True)
        self._vote = self.client.register_script(_VOTE)
        self._point = self.client.register_script(_POINT)

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r})"

    def _class(self, code: str, now: float | None = None) -> Classroom:
        code = normalize(code)
        now = self.clock() if now is None else now
        created, expires = self.client.hmget(_key("class", code), "created", "expires")
        row = None if created is None else (created, expires)
        try:
            return live(code, row, now)
        except ClassCodeError:
            if row is not None:
                self._purge(code)
            raise

    def _purge(self, code: str) -> None:
        """Forget an ended class's questions and votes (Redis expires them too, in time)."""
        ids = self.client.smembers(_key("questions", code))
        keys = [_key(kind, code, q) for q in ids for kind in ("question", "votes", "names")]
        self.client.delete(_key("questions", code), _key("points", code), *keys)

    def _left(self, room: Classroom) -> int:
        """Whole seconds left of the class: the keys' EXPIRE."""
        return max(1, math.ceil(room.expires - self.clock()))

    def _question(self, code: str, question_id: str) -> Question:
        check_id(question_id, "question id")
        query, revealed = self.client.hmget(
            _key("question", code, question_id), "query", "revealed"
        )
        if revealed is None:
            raise unknown_question(code, question_id)
        return Question(question_id, query, revealed == "1")

    def open_class(self, now: float | None = None) -> Classroom:
        now = self.clock() if now is None else now
        room = Classroom(new_code(), now, now + TTL_SECONDS)
        key = _key("class", room.code)
        while not self.client.hsetnx(key, "created", repr(now)):  # taken: 1 in 2⁴⁹
            room = Classroom(new_code(), now, now + TTL_SECONDS)
            key = _key("class", room.code)
        with self.client.pipeline() as pipe:
            pipe.hset(key, "expires", repr(room.expires))
            pipe.expire(key, max(1, math.ceil(room.expires + GRACE_SECONDS - self.clock())))
            pipe.execute()
        return room

    def get_class(self, code: str, now: float | None = None) -> Classroom:
        return self._class(code, now)

    def ask(self, code: str, question_id: str, query: str) -> Question:
        check_id(question_id, "question id")
        check_query(query)
        room = self._class(code)
        code, left = room.code, self._left(room)
        key = _key("question", code, question_id)
        with self.client.pipeline() as pipe:  # MULTI/EXEC
            pipe.hset(key, "query", query)
            pipe.hsetnx(key, "revealed", "0")
            pipe.expire(key, left)
            pipe.sadd(_key("questions", code), question_id)
            pipe.expire(_key("questions", code), left)
            pipe.hset(_key("class", code), "current", question_id)
            pipe.execute()
        return self._question(code, question_id)

    def current(self, code: str) -> Question | None:
        code = self._class(code).code
        question_id = self.client.hget(_key("class", code), "current")
        return None if question_id is None else self._question(code, question_id)

    def reveal(self, code: str, question_id: str) -> None:
        code = self._class(code).code
        self._question(code, question_id)
        self.client.hset(_key("question", code, question_id), "revealed", "1")

    def vote(self, code: str, question_id: str, voter: str, choice: str, name: str = "") -> None:
        check_id(voter, "voter id")
        check_id(question_id, "question id")
        check_choice(choice)
        name = clean_name(name)
        code = normalize(code)
        now = self.clock()
        keys = [
            _key("class", code),
            *(_key(kind, code, question_id) for kind in ("question", "votes", "names")),
            _key("rate", code, voter),
        ]
        member = f"{now!r}:{secrets.token_hex(8)}"
        args = [repr(now), voter, choice, name, repr(now - VOTE_WINDOW), VOTE_LIMIT, member]
        result = self._vote(keys=keys, args=args)
        if result == "ok":
            return
        if result in ("unknown", "ended"):
            self._class(code, now)  # raises the ClassCodeError, with its words
        if result == "question":
            raise unknown_question(code, question_id)
        if result == "revealed":
            raise revealed_already(question_id)
        if result == "rate":
            raise too_many_votes()
        raise StoreError(f"the vote was not stored ({result})")

    def tally(self, code: str, question_id: str) -> dict[str, int]:
        code = self._class(code).code
        self._question(code, question_id)
        return empty_tally(self.client.hvals(_key("votes", code, question_id)))

    def names(self, code: str, question_id: str) -> list[str]:
        code = self._class(code).code
        self._question(code, question_id)
        return sorted_names(self.client.hvals(_key("names", code, question_id)))

    def send_point(self, code: str, point: store_points.Point) -> store_points.Point:
        point = store_points.check_point(point)
        code = normalize(code)
        now = self.clock()
        point = dataclasses.replace(point, at=now)
        keys = [_key("class", code), _key("points", code)]
        args = [repr(now), point.student, store_points.to_json(point), store_points.MAX_POINTS]
        result = self._point(keys=keys, args=args)
        if result in ("unknown", "ended"):
            self._class(code, now)  # raises the ClassCodeError, with its words
        if result == "full":
            raise store_points.too_many_points()
        if result != "ok":
            raise StoreError(f"the point was not stored ({result})")
        return point

    def points(self, code: str) -> list[store_points.Point]:
        code = self._class(code).code
        stored = self.client.hvals(_key("points", code))
        return store_points.in_order(store_points.from_json(text) for text in stored)

    def clear_points(self, code: str) -> None:
        code = self._class(code).code
        self.client.delete(_key("points", code))
