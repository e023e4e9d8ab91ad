"""How the values of a text are laid out, and the one line that says what was assumed.

Besides one value a line and a column of a CSV (`bernoulli.data.parse`), a text may be:

- a run of letters, "HHTHT" or "WWLW" (several runs, spaces or commas between them, too);
- a list literal, Python's ``[1, 0, 1]`` or numpy's ``[1., 1., 0., ...]`` over several
  lines, also written ``array([...])`` or ``tensor([...])``: all its values, in order;
- one row, or a grid of rows, of values without a header: all of them, row by row.

`Reading` tells the page (and the CLI) what was assumed and the other reading, if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bernoulli.data import symbols
from bernoulli.data.messages import DataError, shown
from bernoulli.data.symbols import Symbols

_RUNS = {  # letters a run may hold -> the pair they are
    "ht": symbols.COIN,
    "wl": symbols.PAIRS[2],
}
_RUN_TEXT = {letters: re.compile(rf"[{letters}{letters.upper()} \t\n,;]*") for letters in _RUNS}
_TWO = {letters: re.compile(rf"[{letters}{letters.upper()}]{{2}}") for letters in _RUNS}
_LITERAL = re.compile(r"\s*(?:(?:np|numpy|torch)\.)?(?:array|tensor)?\s*\(?\s*\[")
_PREFIX = re.compile(r"(?:(?:np|numpy|torch)\.)?(?:array|tensor)")
_DTYPE = re.compile(r"dtype\s*=\s*[\w.]+")
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Reading:
    """What was assumed in reading a text, in one line, and what else it could mean."""

    layout: str  # "lines", "column", "row", "grid", "list" or "letters"
    statement: str  # e.g. "one row of 6 values; 1 = H, 0 = T"
    symbols: Symbols
    columns: tuple[str, ...] | None = None  # a grid: its columns, the other reading


def letter_runs(text: str):
    """The pair of a text of letter runs ("HHTHT", "W L LW"), or None."""
    for letters, pair in _RUNS.items():
        if _RUN_TEXT[letters].fullmatch(text):
            return pair if _TWO[letters].search(text) else None  # else one letter a value
    return None


_WORD = re.compile(r"[^ \t\n,;]{2,}")


def bad_run(text: str, name: str) -> DataError | None:
    """The message for a run of letters with a stray character ("HHTXH"), else None.

    A text of one to a few runs (at most 10,000 characters) whose characters are mostly
    one pair's letters is taken for a run; the first other character is named.
    """
    if len(text) > 10_000:
        return None
    runs = _WORD.findall(text)
    if not runs or len(runs) > 20 or len(runs) < len(_SEPARATORS.split(text.strip())):
        return None
    for letters, pair in _RUNS.items():
        inside = sum(ch.lower() in letters for run in runs for ch in run)
        if inside * 4 >= 3 * sum(map(len, runs)):
            for line_no, line in enumerate(text.split("\n"), 1):
                for place, ch in enumerate(line, 1):
                    if ch.lower() not in letters and ch not in " \t,;":
                        first, second = pair.shown
                        where = f"{name} line {line_no}, character {place}"
                        return DataError(f'{where}: "{shown(ch)}" is not {first} or {second}')
    return None


def letter_ids(text: str, pair) -> np.ndarray:
    """The symbol ids of the letters of a run text (see `letter_runs`), at numpy speed."""
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8) | np.uint8(0x20)  # lower case
    one, zero = (ord(x) for x in pair.shown[0].lower() + pair.shown[1].lower())
    ids = np.full(len(raw), 255, dtype=np.uint8)
    ids[raw == one] = min(pair.ones)
    ids[raw == zero] = min(pair.zeros)
    return ids[ids != 255]


def literal_body(text: str) -> str | None:
    """A list literal's text with its brackets, commas and dtype made spaces; else None.

    Lines stay where they were, so a message can still name the line.
    """
    if not _LITERAL.match(text[:200]):
        return None
    body = _PREFIX.sub(" ", text, count=1)
    body = _DTYPE.sub(" ", body)
    return body.translate(_BRACKETS)


_BRACKETS = str.maketrans({c: " " for c in "[](),"})


def statement(layout: str, shape: tuple[int, int, int], found: Symbols) -> str:
    """The one line: how the values were laid out (n values, rows, width) and their symbols."""
    n, rows, width = shape
    values = "value" if n == 1 else "values"
    words = {
        "lines": f"{n:,} {values}, one a line",
        "row": f"one row of {n:,} {values}, all of them the sample",
        "grid": (
            f"all {n:,} values of the {rows:,} rows × {width:,} columns, row by row"
            if rows * width == n
            else f"all {n:,} values of the {rows:,} lines, line by line"
            if rows
            else f"all {n:,} values of the {width:,} columns, row by row"
        ),
        "list": f"a list of {n:,} values",
        "letters": f"{n:,} letters, one value each" if n != 1 else "1 letter, one value",
        "column": f"{n:,} {values}, one a line",
    }[layout]
    parts = [words]
    if found.words:
        parts.append(found.words)
        if found.pair is symbols.COIN:
            parts.append(f"p = P({found.one})")
    if found.note:
        parts.append(found.note)
    return "Read as " + "; ".join(parts) + "."


def finish(ids: np.ndarray, name: str, one: str | None, how: tuple, pair=None):
    """Values from symbol ids: the pair they make, which is 1, and the reading."""
    layout, shape, columns = how
    if not ids.size:
        raise DataError(f"{name} has no values (only separators)")
    shape = (len(ids), *shape[1:])
    if ids.size and ids.max() <= symbols.ONE and one is None:
        counts = np.array([1, 1, 0])  # the plain 0/1 file: nothing to map
    else:
        counts = np.bincount(ids, minlength=symbols.COUNT)
    try:
        lut, found = symbols.decide(counts, one, pair)
    except symbols.SymbolError as e:
        raise DataError(f"{name} {e}") from None
    if found.pair is not symbols.BINARY or found.swapped or counts[symbols.T]:
        ids = lut[ids]
    ids.flags.writeable = False
    words = statement(layout, shape, found)
    source = source_label(name, layout, shape, found)
    return ids, source, Reading(layout, words, found, columns)


def source_label(name: str, layout: str, shape: tuple[int, int, int], found) -> str:
    """The sample's source: the file, and how it was read where that is not one a line."""
    parts = [name]
    if layout in ("row", "list", "letters"):
        parts.append({"row": "one row", "list": "a list", "letters": "letters"}[layout])
    elif layout == "grid":
        parts.append(f"all {shape[2]:,} columns")
    if found.words:
        parts.append(f"1 = {found.one}")
    return ", ".join(parts)
