"""Class codes: short, unguessable, easy to read off a projector and to type.

A code is 10 characters drawn with `secrets` from a 31-character alphabet without the look-alikes
0/O, 1/I/L (31¹⁰ ≈ 2⁴⁹·⁵ codes), stored and passed in links as ``ABCDEFGHJK`` and shown grouped as
``ABCDE-FGHJK``. `normalize` reads what a student types (lower case, spaces, dashes) and says in
one line what is wrong with anything else. `RateLimiter` caps attempts in a sliding window, so
codes cannot be tried one after another.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH = 10
GROUP = 5  # characters between the dashes of the shown code
_LOOK_ALIKES = "0O1IL"  # left out of codes: each looks like another
_EXAMPLE = "e.g. ABCDE-FGHJK"


class ClassCodeError(ValueError):
    """A class code that is malformed, unknown or expired, told in one line."""


def new_code() -> str:
    """A fresh random code, ``CODE_LENGTH`` characters of ``CODE_ALPHABET`` (no dashes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    """The code as shown and read aloud: ``ABCDE-FGHJK``."""
    code = normalize(code)
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def _shown(ch: str) -> str:
    """One typed character, safe to put in a message (no markup, no control characters)."""
    return repr(ch) if ch.isprintable() and ch.isascii() else f"U+{ord(ch):04X}"


def normalize(text: str) -> str:
    """The code in `text`, upper case, without spaces or dashes.

    Raises
    ------
    ClassCodeError
        With one line naming what is wrong: empty, a character no code uses (and which one,
        with its look-alike where there is one), or the wrong number of characters.
    """
    if not isinstance(text, str):
        raise ClassCodeError(f"a class code is text, not {type(text).__name__}")
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if not code:
        raise ClassCodeError(
            f"no class code: type the {CODE_LENGTH} letters and digits your teacher shows "
            f"({_EXAMPLE})"
        )
    for i, ch in enumerate(code, 1):
        if ch not in CODE_ALPHABET:
            alike = ch in _LOOK_ALIKES
            hint = " (codes leave out 0, O, 1, I and L, which look alike)" if alike else ""
            raise ClassCodeError(
                f"the class code has {_shown(ch)} at character {i}, which codes never use: "
                f"they are letters and digits 2-9{hint}"
            )
    if len(code) != CODE_LENGTH:
        many = "only " if len(code) < CODE_LENGTH else ""
        raise ClassCodeError(
            f"the class code has {many}{len(code)} characters; codes have {CODE_LENGTH} "
            f"({_EXAMPLE})"
        )
    return code


@dataclass
class RateLimiter:
    """At most `max_attempts` attempts per key in any `per_seconds` window (a sliding window).

    ``allow(key)`` records an attempt and says whether it may go ahead; refused attempts are
    not recorded, so waiting always helps. `clock` is injectable for tests.
    """

    max_attempts: int
    per_seconds: float
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or not self.per_seconds > 0:
            raise ValueError("a rate limit needs max_attempts >= 1 and per_seconds > 0")

    def _window(self, key: str, now: float) -> deque:
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.per_seconds:
            seen.popleft()
        return seen

    def allow(self, key: str = "") -> bool:
        """Whether one more attempt for `key` is allowed now (and, if so, count it)."""
        now = self.clock()
        seen = self._window(key, now)
        if len(seen) >= self.max_attempts:
            return False
        seen.append(now)
        return True

    def wait(self, key: str = "") -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        now = self.clock()
        seen = self._window(key, now)
        if len(seen) < self.max_attempts:
            return 0.0
        return max(0.0, seen[0] + self.per_seconds - now)

    def message(self, key: str = "") -> str:
        """One line for a refused attempt."""
        return (
            f"too many tries: at most {self.max_attempts} in {self.per_seconds:g} seconds; "
            f"try again in {math.ceil(self.wait(key))} s"
        )
