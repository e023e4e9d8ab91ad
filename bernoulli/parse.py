"""The text parser: a file's text to 0/1 values, or one line saying what is wrong.

A file holds one value a line, or several columns separated by commas, semicolons, tabs
or spaces, with an optional header line. Accepted values, in any case and with optional
surrounding whitespace and quotes: 0/1, true/false, yes/no, t/f, y/n and decimals that
are exactly 0 or 1 ("0.0", "1.", "1.000"). Nothing is ever evaluated: "=1" is text.

`bernoulli.data` wraps the values in a `Sample`; this module knows nothing of samples.
"""

from __future__ import annotations

import csv
import operator
import re
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from bernoulli.settings import MAX_VALUES

_MAX_LISTED_COLUMNS = 1000  # above this, offering a column chooser makes no sense
_MAX_HEADER_NAME = 200  # a longer first-line field is a bad value, not a column name
_CHUNK_CHARS = 1 << 18  # the general parser splits this much text at a time (bounded memory)
_LINE_CACHE_MAX = 4096  # distinct raw lines remembered; valid files repeat a few spellings

_ZERO, _ONE, _BLANK, _MISS = 0, 1, 2, 3  # per-line codes of the general parser

_SPELLINGS = {
    **dict.fromkeys(("0", "false", "no", "f", "n", "0.0"), _ZERO),
    **dict.fromkeys(("1", "true", "yes", "t", "y", "1.0"), _ONE),
}
_DECIMAL = re.compile(r"([01])(?:\.0*)?")  # "0.", "1.000": exactly 0 or 1, no sign or exponent
_NOT_SPACE = re.compile(r"\S")


class DataError(ValueError):
    """Bad data, told in one line for the user, e.g. 'samples.csv line 7: "2" is not a 0/1 value'.

    `columns` lists the file's columns when one must be chosen (the app offers a chooser);
    otherwise it is None.
    """

    def __init__(self, message: str, columns: list[str] | None = None):
        super().__init__(message)
        self.columns = columns


def read(text: str, name: str, column: str | int | None) -> tuple[np.ndarray, str]:
    """The 0/1 values of a file's text (read-only uint8) and what they are, e.g.
    'samples.csv, column "y"'; `name` (already made safe by `shown`) is used in messages."""
    values, label = _parse_text(text, name, column)
    values.flags.writeable = False
    return values, label


# --- parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """How the data rows of one file are read."""

    sep: str | None  # field separator; None splits on runs of whitespace
    index: int | None  # 0-based column to read; None when the file has one column
    label: str  # the column in messages: 'column "y"' or 'column 2'


def _parse_text(text: str, name: str, column: str | int | None) -> tuple[np.ndarray, str]:
    if not text:
        raise DataError(f"{name} is empty")
    first = _next_line(text, 0)
    if first is None:
        raise DataError(f"{name} has no data rows (only blank lines)")
    start, end = first
    line_no = text.count("\n", 0, start) + 1
    header = None
    after = _next_line(text, end + 1)
    if _is_header(text[start:end], None if after is None else text[after[0] : after[1]]):
        header = text[start:end]
        if after is None:
            head = shown(header.strip())
            raise DataError(f'{name} has no data rows (only a header line: "{head}")')
        line_no += text.count("\n", start, after[0])
        start, end = after
    layout = _layout(name, header, text[start:end], column)
    source = name if layout.index is None else f"{name}, {layout.label}"
    body = text[start:] if start else text
    if layout.index is None:
        values = _canonical(body)
        if values is not None:
            if len(values) > MAX_VALUES:
                raise DataError(_too_many(name))
            return values, source
    return _parse_rows(body, line_no, name, layout), source


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

    It does if some field looks like a name: not a 0/1 value, not a number ("2", "nan")
    or a formula ("=1"), which are bad values to report, and not overlong. It also does if
    its fields are all one-letter values (t/f/y/n, e.g. a column named "y") and the next
    line holds no one-letter value: "y" above "0" or "true" is a name, not "yes".
    """
    tokens = _tokens(line)
    if any(_code(t) is None for t in tokens):
        return any(
            _code(t) is None
            and not t.startswith("=")
            and len(t) <= _MAX_HEADER_NAME
            and not _is_number(t)
            for t in tokens
        )
    if next_line is None or not all(_is_letter(t) for t in tokens):
        return False
    return not any(_is_letter(t) for t in _tokens(next_line))


def _tokens(line: str) -> set[str]:
    """The distinct non-empty fields of a line, split at any separator."""
    fields = re.split(r"[\t;,]", line) if re.search(r"[\t;,]", line) else line.split()
    return {x for x in (_unquote(f.strip()) for f in set(fields)) if x}


def _is_letter(token: str) -> bool:
    return len(token) == 1 and token in "tfynTFYN"


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _layout(name: str, header: str | None, first_row: str, column: str | int | None) -> _Layout:
    """Choose the separator and resolve the caller's column, from the header and first row."""
    sep = _separator(header, first_row)
    named = [] if header is None else [_unquote(x.strip()) for x in _fields(header, sep)]
    width = max(len(_fields(first_row, sep)), len(named))
    # Unnamed columns go by number; numbers are only listed for a file one can choose from.
    names = [x or str(i + 1) for i, x in enumerate(named)]
    names += [str(i + 1) for i in range(len(names), min(width, _MAX_LISTED_COLUMNS))]
    index = _column_index(name, header is not None, names, width, column)
    if width == 1:
        return _Layout(sep=None, index=None, label="")
    if index < len(named):
        return _Layout(sep=sep, index=index, label=f'column "{shown(names[index])}"')
    return _Layout(sep=sep, index=index, label=f"column {index + 1}")


def _separator(header: str | None, first_row: str) -> str | None:
    """How to split lines into fields.

    Tab, semicolon or comma if the first row has one; None (runs of whitespace) if it has
    inner whitespace; else the header's tab, semicolon or comma; else a newline, which no
    line holds: one column, the whole line is the value.
    """
    row = _without_quoted(first_row)
    for sep in ("\t", ";", ","):
        if sep in row:
            return sep
    if any(ch.isspace() for ch in row.strip()):
        return None
    named = "" if header is None else _without_quoted(header)
    for sep in ("\t", ";", ","):
        if sep in named:
            return sep
    return "\n"


def _column_index(name: str, has_header: bool, names: list[str], width: int, column) -> int:
    listed = names if width <= _MAX_LISTED_COLUMNS else None
    some = ", ".join(shown(x) for x in names[:10]) + (", …" if width > 10 else "")
    if column is None:
        if width == 1:
            return 0
        if listed is None:
            raise DataError(
                f"{name} has {width:,} columns: put one value a line, or choose a column by number"
            )
        how = "" if has_header else " by number"
        raise DataError(f"{name} has {width} columns ({some}): choose one{how}", columns=listed)
    if isinstance(column, str):
        wanted = column.strip()
        if has_header:
            hits = [i for i, x in enumerate(names) if x.casefold() == wanted.casefold()]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                numbers = ", ".join(str(i + 1) for i in hits)
                raise DataError(
                    f'{name} has several columns named "{shown(wanted)}" (columns {numbers}): '
                    "choose one by number",
                    columns=listed,
                )
        if not (wanted.isascii() and wanted.isdigit()):
            if not has_header:
                raise DataError(
                    f'{name} has no header row, so no column "{shown(wanted)}": '
                    f"choose a column by number (1 to {width})",
                    columns=listed,
                )
            raise DataError(
                f'{name} has no column "{shown(wanted)}" (its columns: {some})', columns=listed
            )
        number = int(wanted)
    elif isinstance(column, bool):
        raise TypeError(f"column must be a name or a 1-based number, not {column!r}")
    else:
        number = operator.index(column)
    if not 1 <= number <= width:
        count = f"{width:,} column" + ("s" if width > 1 else "")
        raise DataError(f"{name} has {count}: there is no column {number}", columns=listed)
    return number - 1


def _fields(line: str, sep: str | None, maxsplit: int = -1) -> list[str]:
    """The fields of one line (sep None: runs of whitespace); quoted fields may hold sep."""
    if '"' in line:
        try:
            if sep is None:
                row = next(
                    csv.reader([line.replace("\t", " ")], delimiter=" ", skipinitialspace=True)
                )
                return [x for x in row if x]
            return next(csv.reader([line], delimiter=sep))
        except (csv.Error, StopIteration):
            pass  # e.g. a field over csv's size limit: a plain split still finds the values
    return line.split(sep, maxsplit)


def _without_quoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "_", line) if '"' in line else line  # keeps the separators


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


def _parse_rows(body: str, first_line: int, name: str, layout: _Layout) -> np.ndarray:
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


def _splits_plainly(chunk: str, layout: _Layout) -> bool:
    """Whether splitting the chunk's lines at the separator finds csv's fields.

    True without quotes, and when every quote opens or closes a whole field holding no
    separator or quote ("r17","1" as R and Excel write them; "17" "r17" 1 as R's
    write.table does): split, such a field keeps its quotes, which `_code` removes. Any
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


def _column_codes(lines: list[str], layout: _Layout) -> np.ndarray | None:
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
    seen = {value: _code(value) for value in distinct}
    seen = {value: _MISS if code is None else code for value, code in seen.items()}
    return np.fromiter(map(seen.__getitem__, fields), np.uint8, count=len(fields))


def _row_code(line: str, line_no: int, name: str, layout: _Layout) -> int:
    if not line.strip():
        return _BLANK
    where = f"{name} line {line_no}"
    if layout.index is None:
        raw = line
    else:
        where += f", {layout.label}"
        fields = _fields(line, layout.sep, layout.index + 1)
        if layout.index >= len(fields):
            raise DataError(f"{name} line {line_no}: {layout.label} is missing")
        raw = fields[layout.index]
        if not raw.strip():
            raise DataError(f"{name} line {line_no}: {layout.label} is empty")
    code = _code(raw)
    if code is None:
        value = _unquote(raw.strip())
        size = f" ({len(value):,} characters)" if len(value) > 40 else ""
        raise DataError(f'{where}: "{shown(value)}"{size} is not a 0/1 value')
    return code


def _code(raw: str) -> int | None:
    """0 or 1 for an accepted spelling of a value, else None."""
    value = _unquote(raw.strip()).lower()
    code = _SPELLINGS.get(value)
    if code is None:
        match = _DECIMAL.fullmatch(value)
        code = None if match is None else int(match.group(1))
    return code


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _too_many(name: str) -> str:
    return f"{name} has more than {MAX_VALUES:,} values (the limit)"


def shown(text: str, limit: int = 40, quoted: bool = True) -> str:
    """Text safe for a one-line message: unprintables escaped, cut at limit characters; for
    text shown between double quotes, also quotes and backslashes escaped."""
    out = []
    for ch in text[:limit]:
        if quoted and ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(out) + ("…" if len(text) > limit else "")
