"""Class codes: entropy, the alphabet, reading what students type, and the rate limiter."""

from __future__ import annotations

import math
import re

import pytest

from bernoulli.classroom import classcode
from bernoulli.classroom.classcode import (
    CODE_ALPHABET,
    ClassCodeError,
    RateLimiter,
    new_code,
    normalize,
)


def test_the_alphabet_has_no_look_alikes_and_codes_carry_48_bits():
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 31
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert classcode.CODE_LENGTH * math.log2(len(CODE_ALPHABET)) >= 48


def test_new_codes_are_of_the_alphabet_and_differ():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 2000 draws of 2⁴⁹·⁵: a repeat has chance ~2e-9
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{10}}", c) for c in codes)
    # Every character appears in some position: the draw covers the whole alphabet.
    assert set("".join(codes)) == set(CODE_ALPHABET)


def test_display_groups_the_code_and_normalize_reads_it_back():
    code = new_code()
    shown = classcode.display(code)
    assert shown == f"{code[:5]}-{code[5:]}"
    assert normalize(shown) == code
    assert normalize(f"  {shown.lower()} ") == code
    assert normalize(" ".join(code.lower())) == code
    assert normalize("abcde - fghjk") == "ABCDEFGHJK"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no class code"),
        ("  - ", "no class code"),
        ("ABCDE-FGHJ", "only 9 characters"),
        ("ABCDE-FGHJKM", "has 11 characters"),
        ("ABCDE-FGH0K", "'0' at character 9"),
        ("ABCDE-FGHOK", "codes leave out 0, O, 1, I and L, which look alike"),
        ("ABCDE-FGH1K", "codes leave out 0, O, 1, I and L, which look alike"),
        ("ABCDE-FGHLK", "codes leave out 0, O, 1, I and L, which look alike"),
        ("ABCDE-FG<KK", "'<' at character 8"),
        ("ABCDE-FGHJé", "U+00C9"),
        ("ABCDE\nFGHJK", "U+000A"),
    ],
)
def test_a_bad_code_is_told_in_one_line(text, words):
    with pytest.raises(ClassCodeError) as e:
        normalize(text)
    message = str(e.value)
    assert words in message and "\n" not in message
    assert "did you mean" not in message  # no suggestion of a character codes never use
    assert isinstance(e.value, ValueError)


def test_normalize_refuses_what_is_not_text():
    with pytest.raises(ClassCodeError, match="text, not int"):
        normalize(12345)


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_rate_limiter_is_a_sliding_window():
    clock = Clock()
    limit = RateLimiter(3, 10.0, clock)
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # each key has its own window
    assert limit.wait("a") == pytest.approx(10.0)
    assert "at most 3 in 10 seconds" in limit.message("a")
    clock.t += 5
    assert not limit.allow("a")  # refused attempts do not extend the window
    assert limit.wait("a") == pytest.approx(5.0)
    clock.t += 5  # the first three attempts (at t = 100) leave the window at t = 110
    assert limit.wait("a") == 0.0
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]


def test_rate_limiter_slides_attempt_by_attempt():
    clock = Clock()
    limit = RateLimiter(2, 10.0, clock)
    assert limit.allow()
    clock.t += 6
    assert limit.allow()
    assert not limit.allow()
    clock.t += 4  # the first attempt (t = 100) has left; the second (t = 106) has not
    assert limit.allow()
    assert not limit.allow()


def test_rate_limiter_refuses_nonsense_limits():
    with pytest.raises(ValueError):
        RateLimiter(0, 10)
    with pytest.raises(ValueError):
        RateLimiter(3, 0)
