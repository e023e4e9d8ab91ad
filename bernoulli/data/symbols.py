"""The symbols a sample may be written in, and which of the two counts as 1.

A value is read as a symbol id (`symbol`); once all of a file is read, the ids present decide
the pair (`decide`): 0/1 (also true/false, yes/no, t/f, y/n and decimals "1.", "0.000"),
H/T (heads/tails), W/L (win/loss) or success/failure. "T" is true among 0/1 values and tails
among coin flips: it is never read as true in a file that holds an H, heads or tails.

The pair's first symbol is the 1 by default (p = P(H), P(win), P(success)); `one` names the
symbol to count as 1 instead, e.g. "T" or "0".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# Symbol ids; ZERO and ONE are also the values of a plain 0/1 file (its ids need no mapping).
ZERO, ONE, T, H, TAILS, WIN, LOSS, SUCCESS, FAILURE = range(9)
COUNT = 9

_SPELLINGS = {
    **dict.fromkeys(("0", "false", "no", "f", "n", "0.0"), ZERO),
    **dict.fromkeys(("1", "true", "yes", "y", "1.0"), ONE),
    "t": T,
    **dict.fromkeys(("h", "head", "heads"), H),
    **dict.fromkeys(("tail", "tails"), TAILS),
    **dict.fromkeys(("w", "win", "won", "wins"), WIN),
    **dict.fromkeys(("l", "loss", "lost", "lose", "losses"), LOSS),
    **dict.fromkeys(("success", "successes"), SUCCESS),
    **dict.fromkeys(("failure", "failures", "fail"), FAILURE),
}
DECIMAL = re.compile(r"([01])(?:\.0*)?")  # "0.", "1.000": exactly 0 or 1, no sign or exponent
LETTERS = frozenset("tfynhwl")  # one-letter symbols, in lower case


@dataclass(frozen=True)
class Pair:
    """Two symbols: the ids of each, and the words shown for them (the 1 first)."""

    name: str  # "0/1", "H/T", ...
    ones: frozenset[int]  # ids read as 1 by default
    zeros: frozenset[int]  # ids read as 0 by default
    shown: tuple[str, str]  # (the 1, the 0) as the page shows them


BINARY = Pair("0/1", frozenset({ONE, T}), frozenset({ZERO}), ("1", "0"))
COIN = Pair("H/T", frozenset({H}), frozenset({T, TAILS}), ("H", "T"))
PAIRS = (
    BINARY,
    COIN,
    Pair("W/L", frozenset({WIN}), frozenset({LOSS}), ("W", "L")),
    Pair("success/failure", frozenset({SUCCESS}), frozenset({FAILURE}), ("success", "failure")),
)
_NAMES = {
    **{ZERO: "0", ONE: "1", T: "T", H: "H", TAILS: "tails", WIN: "W", LOSS: "L"},
    **{SUCCESS: "success", FAILURE: "failure"},
}


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def symbol(raw: str) -> int | None:
    """The symbol id of one written value (any case, spaces and quotes around), else None."""
    value = unquote(raw.strip()).lower()
    found = _SPELLINGS.get(value)
    if found is None:
        match = DECIMAL.fullmatch(value)
        found = None if match is None else int(match.group(1))
    return found


def compatible(ids: set[int]) -> bool:
    """Whether some pair holds all these symbol ids."""
    return any(ids <= pair.ones | pair.zeros for pair in PAIRS)


@dataclass(frozen=True)
class Symbols:
    """How a sample's symbols were read: the pair, which symbol is 1, and the other choice."""

    pair: Pair
    one: str  # the symbol counted as 1, as shown ("H")
    zero: str  # the other ("T")
    swapped: bool  # whether the pair's second symbol is the 1
    note: str = ""  # what else the symbols could mean, e.g. T without H: true, or tails

    @property
    def words(self) -> str:
        """'1 = H, 0 = T' (for 0/1 values: '')."""
        if self.pair is BINARY and not self.swapped:
            return ""
        return f"1 = {self.one}, 0 = {self.zero}"


class SymbolError(ValueError):
    """The symbols do not make one pair, or `one` is not one of them (message without a name)."""


def decide(
    counts: np.ndarray, one: str | None, pair: Pair | None = None
) -> tuple[np.ndarray, Symbols]:
    """The lookup table id -> 0/1 for the ids present (their `counts`), and the reading.

    `pair` forces a pair (letters typed in a run, "HHTHT"); otherwise the first pair that
    holds every id present (0/1 first: a file of only "t" is true).
    """
    present = {int(i) for i in np.flatnonzero(counts)}
    if pair is None:
        fits = [p for p in PAIRS if present <= p.ones | p.zeros]
        if not fits:
            raise SymbolError(_mixed(present))
        named = [p for p in fits if one is not None and symbol(one) in p.ones | p.zeros]
        pair = (named or fits)[0]
    swapped = False
    if one is not None:
        wanted = symbol(one)
        if wanted is None or wanted not in pair.ones | pair.zeros:
            first, second = pair.shown
            raise SymbolError(
                f'"{_clip(one)}" is not one of the symbols ({first} and {second}): '
                f"choose {first} or {second} as 1"
            )
        swapped = wanted in pair.zeros
    lut = np.zeros(COUNT, dtype=np.uint8)
    for i in pair.zeros if swapped else pair.ones:
        lut[i] = 1
    first, second = pair.shown
    shown = (second, first) if swapped else (first, second)
    note = ""
    if pair is BINARY and T in present:
        note = "T read as true: if these are coin flips (T = tails), count H as 1"
    return lut, Symbols(pair, shown[0], shown[1], swapped, note)


def _mixed(present: set[int]) -> str:
    names = sorted({_NAMES[i] for i in present}, key=str.lower)
    listed = ", ".join(names)
    if len(names) > 2:
        return f"has {len(names)} different symbols ({listed}): a sample holds two, e.g. 0/1 or H/T"
    return f"mixes {listed}, which are not one pair: write 0/1, H/T, W/L or yes/no"


def _clip(text: str) -> str:
    text = "".join(ch if ch.isprintable() and ch not in '"\\' else "?" for ch in text[:20])
    return text
