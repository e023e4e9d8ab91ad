"""The text parser: a file's text to 0/1 values, or one line saying what is wrong.

A file holds one value a line; or several columns separated by commas, semicolons, tabs
or spaces (`bernoulli.data.fields`), with an optional header line (with a header, a column
is chosen; without one, all values are the sample, row by row); or a list literal or runs
of letters (`bernoulli.data.layouts`). Accepted values, in any case and with optional
surrounding whitespace and quotes: 0/1, true/false, yes/no, t/f, y/n, decimals that are
exactly 0 or 1 ("0.0", "1.", "1.000"), H/T, heads/tails, W/L, win/loss, success/failure
(`bernoulli.data.symbols`: one pair a file). Nothing is ever evaluated: "=1" is text.

`bernoulli.data.samples` wraps the values in a `Sample`; this module knows nothing of samples.
"""

from __future__ import annotations

import re
from itertools import repeat

import numpy as np

from bernoulli.data import layouts, symbols
from bernoulli.data.fields import Layout, choose_layout, split_fields
from bernoulli.data.layouts import Reading
from bernoulli.data.messages import DataError as DataError
from bernoulli.data.messages import shown as shown
from bernoulli.data.symbols import unquote as _unquote
from bernoulli.settings import MAX_VALUES

_MAX_HEADER_NAME = 200  # a longer first-line field is a bad value, not a column name
_CHUNK_CHARS = 1 << 18  # the general parser splits this much text at a time (bounded memory)
_LINE_CACHE_MAX = 4096  # distinct raw lines remembered; valid files repeat a few spellings

_BLANK, _MISS = 254, 255  # per-line codes of the general parser, besides the symbol ids
_NOT_SPACE = re.compile(r"\S")


def read(
    text: str, name: str, column: str | int | None, one: str | None = None
) -> tuple[np.ndarray, str, Reading]:
    """The 0/1 values of a file's text (read-only uint8), what they are (e.g.
    'samples.csv, column "y"') and how they were read; `name` (already made safe by `shown`)
    is used in messages; `one` names the symbol counted as 1 (default: 1, H, W, success)."""
    if not text:
        raise DataError(f"{name} is empty")
    pair = layouts.letter_runs(text)
    if pair is not None:
        ids = layouts.letter_ids(text, pair)
        if len(ids) > MAX_VALUES:
            raise DataError(_too_many(name))
        shape = (len(ids), 0, 0)
        return layouts.finish(ids, name, one, ("letters", shape, None), pair)
    bad = layouts.bad_run(text, name)
    if bad is not None:
        raise bad
    body = layouts.literal_body(text)
    if body is not None:
        if column is not None:
            raise DataError(f"{name} is a list of values: it has no columns to choose from")
        return _parse_text(body, name, None, one, "list")
    return _parse_text(text, name, column, one, None)


# --- parsing ---------------------------------------------------------------------------


def _parse_text(text: str, name: str, column, one: str | None, forced: str | None):
    first = _next_line(text, 0)
    if first is None:
        raise DataError(f"{name} has no data rows (only blank lines)")
    start, end = first
    line_no = text.count("\n", 0, start) + 1
    header = None
    after = _next_line(text, end + 1)
    if forced is None and _is_header(
        text[start:end], None if after is None else text[after[0] : after[1]]
    ):
        header = text[start:end]
        if after is None:
            head = shown(header.strip())
            raise DataError(f'{name} has no data rows (only a header line: "{head}")')
        line_no += text.count("\n", start, after[0])
        start, end = after
    layout = choose_layout(name, header, text[start:end], column, forced)
    label = "" if layout.index is None else f", {layout.label}"
    body = text[start:] if start else text
    if (layout.index is None and layout.width > 1) or forced:
        return _whole(body, line_no, name + label, one, (layout, forced, after is None))
    how = ("lines" if layout.index is None else "column", (0, 0, 0), None)
    if layout.index is None:
        values = _canonical(body)
        if values is not None:
            if len(values) > MAX_VALUES:
                raise DataError(_too_many(name))
            return layouts.finish(values, name, one, how)
    ids = _checked(lambda: _parse_rows(body, line_no, name, layout), body)
    return layouts.finish(ids, name + label, one, how)


def _whole(body: str, line_no: int, name: str, one: str | None, how: tuple):
    """Every field of every row is a value (a row, a grid or a list), row by row."""
    layout, forced, single = how
    flat = "\n".join(body.split()) if layout.sep is None else body.replace(layout.sep, "\n")
    one_a_line = Layout(sep=None, index=None, label="")
    try:
        ids = _canonical(flat)
        if ids is None:
            ids = _parse_rows(flat, 1, name, one_a_line)
        elif len(ids) > MAX_VALUES:
            raise DataError(_too_many(name))
    except _BadValue as bad:
        found = _located(body, line_no, name, layout) or _BadValue(name, bad.value)
        if forced or single or not layout.names:
            raise found from None
        # e.g. ids beside values: all values is wrong, one column may be right
        raise DataError(f"{found}; or choose the column of values", list(layout.names)) from None
    rows = sum(1 for line in body.split("\n") if line.strip()) if len(ids) < 1 << 20 else 0
    kind = forced or ("row" if single else "grid")
    columns = layout.names if kind == "grid" and layout.names else None
    return layouts.finish(ids, name, one, (kind, (0, rows, layout.width), columns))


def _located(body: str, line_no: int, name: str, layout: Layout) -> DataError | None:
    """The first field of body that is not a value, named by line and place in its line."""
    for offset, line in enumerate(body.split("\n")):
        fields = split_fields(line, layout.sep) if line.strip() else []
        for place, raw in enumerate((f for f in fields if f.strip()), 1):
            if symbols.symbol(raw) is None:
                value = _unquote(raw.strip())
                where = f"{name} line {line_no + offset}, value {place}"
                if value in ("...", "…"):
                    return DataError(
                        f"{where}: the list was printed cut short (...): print all of it, "
                        "e.g. after np.set_printoptions(threshold=sys.maxsize)"
                    )
                return _reworded(_BadValue(where, value), body)
    return None


def _checked(parse, body: str):
    try:
        return parse()
    except _BadValue as bad:
        raise _reworded(bad, body) from None


def _next_line(text: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the first line at or after pos that is not blank."""
    found = _NOT_SPACE.search(text, pos)
    if found is None:
        return None
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.start())
    return start, len(text) if end < 0 else end


def _is_header(line: str, next_line: str | None) -> bool:
    """Whether the first non-blank line names the columns instead of holding values.

    It does if some field looks like a name: not a value, not a number ("2", "nan") or a
    formula ("=1"), which are bad values to report, and not overlong. It also does if its
    fields are all one-letter values (e.g. a column named "y") and the next line holds no
    one-letter value: "y" above "0" or "true" is a name, not "yes"; and if its words are
    values of another pair than the next line's: "heads" above 0/1 values is a name.
    """
    tokens = _tokens(line)
    ids = {symbols.symbol(t) for t in tokens}
    if None in ids:
        values = sum(symbols.symbol(t) is not None for t in tokens)
        if next_line is None and values * 2 >= len(tokens):
            return False  # one line, half of it values ("H,T,X"): a row with a bad value
        return any(
            symbols.symbol(t) is None
            and not t.startswith("=")
            and len(t) <= _MAX_HEADER_NAME
            and not _is_number(t)
            for t in tokens
        )
    if next_line is None:
        return False
    following = _tokens(next_line)
    if all(_is_letter(t) for t in tokens):
        return not any(_is_letter(t) for t in following)  # letters above letters: values
    if any(_is_number(t) for t in tokens):
        return False
    after = {symbols.symbol(t) for t in following}
    return None not in after and not symbols.compatible(ids | after)


def _tokens(line: str) -> set[str]:
    """The distinct non-empty fields of a line, split at any separator."""
    fields = re.split(r"[\t;,]", line) if re.search(r"[\t;,]", line) else line.split()
    return {x for x in (_unquote(f.strip()) for f in set(fields)) if x}


def _is_letter(token: str) -> bool:
    return len(token) == 1 and token.lower() in symbols.LETTERS


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _canonical(body: str) -> np.ndarray | None:
    """The values of a body that is exactly '0' or '1' a line, at numpy speed; else None."""
    if not body.isascii():
        return None
    raw = body.encode("ascii").rstrip(b"\n")
    if len(raw) % 2 == 0:
        return None
    lines = np.frombuffer(raw, dtype=np.uint8)
    digits, ends = lines[0::2], lines[1::2]
    if not (np.all(ends == ord("\n")) and np.all((digits | 1) == ord("1"))):
        return None
    return digits - np.uint8(ord("0"))


def _parse_rows(body: str, first_line: int, name: str, layout: Layout) -> np.ndarray:
    """The general path: chunks of lines, each looked up in a cache of lines already seen."""
    cache: dict[str, int] = {"": _BLANK}
    chunks: list[np.ndarray] = []
    count = 0
    line_no = first_line
    start = 0
    while start < len(body):
        end = body.find("\n", start + _CHUNK_CHARS)
        end = len(body) if end < 0 else end
        chunk = body[start:end]
        lines = chunk.split("\n")
        codes = np.fromiter(map(cache.get, lines, repeat(_MISS)), np.uint8, count=len(lines))
        missed = np.flatnonzero(codes == _MISS)
        if len(missed) > 100 and layout.index is not None and _splits_plainly(chunk, layout):
            # Rows that differ outside the chosen column (ids, other data) all miss the
            # cache: take that column from all of them at once, by position.
            found = _column_codes([lines[i] for i in missed.tolist()], layout)
            if found is not None:
                codes[missed] = found
                room = _LINE_CACHE_MAX - len(cache)
                for i, code in zip(missed[:room].tolist(), found[:room].tolist(), strict=True):
                    if code != _MISS and len(lines[i]) <= 100:
                        cache[lines[i]] = code
                missed = np.flatnonzero(codes == _MISS)
        for i in missed.tolist():
            line = lines[i]
            codes[i] = _row_code(line, line_no + i, name, layout)
            if len(cache) < _LINE_CACHE_MAX and len(line) <= 100:
                cache[line] = int(codes[i])
        values = codes[codes < _BLANK]
        count += len(values)
        if count > MAX_VALUES:
            raise DataError(_too_many(name))
        chunks.append(values)
        line_no += len(lines)
        start = end + 1
    return np.concatenate(chunks)


def _splits_plainly(chunk: str, layout: Layout) -> bool:
    """Whether splitting the chunk's lines at the separator finds csv's fields.

    True without quotes, and when every quote opens or closes a whole field holding no
    separator or quote ("r17","1" as R and Excel write them; "17" "r17" 1 as R's
    write.table does): split, such a field keeps its quotes, which `symbol` removes. Any
    other quote goes line by line through csv.
    """
    if '"' not in chunk:
        return True
    if layout.sep is None:  # csv splits only at spaces and tabs, and drops empty fields
        return _OTHER_SPACE.search(chunk) is None and '"' not in _QUOTED_WORD.sub("", chunk)
    quoted = _QUOTED_FIELDS.get(layout.sep)
    return quoted is not None and '"' not in quoted.sub("", chunk)


_QUOTED_FIELDS = {  # separator -> a whole field in quotes, with no separator or quote inside
    sep: re.compile(rf'(?<![^{sep}\n])"[^"{sep}\n]*"(?![^{sep}\n])') for sep in ("\t", ";", ",")
}
_QUOTED_WORD = re.compile(r'(?<![^ \t\n])"[^"\s]+"(?![^ \t\n])')  # between spaces or tabs
_OTHER_SPACE = re.compile(r"[^\S \t\n]")  # whitespace that str.split splits at and csv not


def _column_codes(lines: list[str], layout: Layout) -> np.ndarray | None:
    """Codes of the chosen column of unquoted lines (_MISS where not a value), or None if
    some line is too short; the per-line path then says which one."""
    index = layout.index
    try:
        fields = [line.split(layout.sep, index + 1)[index] for line in lines]
    except IndexError:
        return None
    distinct = set(fields)
    if len(distinct) > _LINE_CACHE_MAX:
        return None  # not a column of a few 0/1 spellings: the per-line path finds the culprit
    seen = {value: symbols.symbol(value) for value in distinct}
    seen = {value: _MISS if code is None else code for value, code in seen.items()}
    return np.fromiter(map(seen.__getitem__, fields), np.uint8, count=len(fields))


def _row_code(line: str, line_no: int, name: str, layout: Layout) -> int:
    if not line.strip():
        return _BLANK
    where = f"{name} line {line_no}"
    if layout.index is None:
        raw = line
    else:
        where += f", {layout.label}"
        fields = split_fields(line, layout.sep, layout.index + 1)
        if layout.index >= len(fields):
            raise DataError(f"{name} line {line_no}: {layout.label} is missing")
        raw = fields[layout.index]
        if not raw.strip():
            raise DataError(f"{name} line {line_no}: {layout.label} is empty")
    code = symbols.symbol(raw)
    if code is None:
        raise _BadValue(where, _unquote(raw.strip()))
    return code


class _BadValue(DataError):
    """A field that is not a value: where it is and what it says."""

    def __init__(self, where: str, value: str, expected: str = "a 0/1 value"):
        size = f" ({len(value):,} characters)" if len(value) > 40 else ""
        super().__init__(f'{where}: "{shown(value)}"{size} is not {expected}')
        self.where, self.value = where, value


def _reworded(bad: _BadValue, body: str) -> _BadValue:
    """The message in the words of the file's pair: "is not H or T" among coin flips."""
    found = [symbols.symbol(t) for t in _tokens(body[:4096].split("\n", 1)[0])]
    for pair in symbols.PAIRS[1:]:
        if any(i in pair.ones | pair.zeros and i != symbols.T for i in found):
            first, second = pair.shown
            return _BadValue(bad.where, bad.value, f"{first} or {second}")
    return bad


def _too_many(name: str) -> str:
    return f"{name} has more than {MAX_VALUES:,} values (the limit)"
