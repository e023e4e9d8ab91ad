"""Data in: 0/1 samples from an upload, a file, a seeded generator, or the notebook.

Every way in returns a `Sample` (n, k and the raw values) or raises `DataError`, whose
message is one line naming the file, the line and the offending value, e.g.

    samples.csv line 7: "2" is not a 0/1 value

A file holds one value a line, or several columns separated by commas, semicolons, tabs
or spaces, with an optional header line. Accepted values, in any case and with optional
surrounding whitespace and quotes: 0/1, true/false, yes/no, t/f, y/n and decimals that
are exactly 0 or 1 ("0.0", "1.", "1.000"). Nothing is ever evaluated: "=1" is text.
"""

from __future__ import annotations

import codecs
import csv
import importlib.resources
import math
import numbers
import operator
import os
import re
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

MAX_VALUES: int = 20_000_000  # most values one file may hold
MAX_BYTES: int = 200 * 1024 * 1024  # most bytes parse_samples accepts (the app's upload cap)

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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not in any text file
_CONTROL_BYTES = bytes(b for b in range(256) if _CONTROL.match(chr(b)))
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_NOT_SPACE = re.compile(r"\S")


class DataError(ValueError):
    """Bad data, told in one line for the user, e.g. 'samples.csv line 7: "2" is not a 0/1 value'.

    `columns` lists the file's columns when one must be chosen (the app offers a chooser);
    otherwise it is None.
    """

    def __init__(self, message: str, columns: list[str] | None = None):
        super().__init__(message)
        self.columns = columns


@dataclass(frozen=True)
class Sample:
    """n Bernoulli observations with k ones, and where they came from."""

    n: int  # number of values, at least 1
    k: int  # number of ones, 0 <= k <= n
    values: np.ndarray | None = field(compare=False, repr=False)  # read-only 0/1 uint8, or None
    source: str  # plain-words origin, e.g. 'samples.csv, column "y"'

    def __post_init__(self):
        if not 0 <= self.k <= self.n or self.n < 1:
            raise ValueError(f"need n >= 1 and 0 <= k <= n, got n={self.n}, k={self.k}")
        if self.values is None:
            return
        values = np.asarray(self.values)
        if values.dtype == np.bool_:
            values = values.astype(np.uint8)
        if values.dtype != np.uint8 or values.shape != (self.n,):
            raise ValueError(
                f"values must be {self.n} uint8 values, got {values.dtype} {values.shape}"
            )
        if np.count_nonzero(values) != self.k or np.any(values > 1):
            raise ValueError(f"values must be 0/1 with exactly k={self.k} ones")
        if values.flags.writeable:
            values = values.view()  # a read-only view; the caller's array keeps its flags
            values.flags.writeable = False
        object.__setattr__(self, "values", values)

    @property
    def mean(self) -> float:
        """The fraction of ones, k / n: the maximum-likelihood estimate of p."""
        return self.k / self.n


def parse_samples(
    content: bytes | str, filename: str = "upload", column: str | int | None = None
) -> Sample:
    """Read 0/1 values from the text of a file.

    Parameters
    ----------
    content : bytes or str
        The file's content: UTF-8 (with or without BOM) or UTF-16/32 with a BOM.
    filename : str
        Named in messages and in the sample's source.
    column : str, int or None
        Which column of a several-column file: a header name (any case) or a 1-based
        number (int or digit string). A one-column file needs none.

    Returns
    -------
    Sample

    Raises
    ------
    DataError
        With one line naming the file, line and value; `.columns` is set when the file has
        several columns and a choice is needed.
    """
    name = _shown(filename or "upload", limit=80, quoted=False)
    return _parse_text(_decode(content, name), name, column)


def generate(n: int, true_p: float, seed: int) -> Sample:
    """Draw n Bernoulli(true_p) values, reproducibly.

    Value i is 1 when the i-th draw of numpy's Generator(PCG64(seed)).random() is below
    true_p, so the same (n, p, seed) always gives the same values, and raising p with the
    same seed only turns zeros into ones.

    Parameters
    ----------
    n : int
        How many values, 1 <= n <= MAX_VALUES.
    true_p : float
        Probability of a one, in [0, 1].
    seed : int
        Non-negative seed.
    """
    n = _whole(n, "n")
    seed = _whole(seed, "seed")
    if n < 1:
        raise DataError(f"n must be at least 1 (got {n})")
    if n > MAX_VALUES:
        raise DataError(f"n must be at most {MAX_VALUES:,} (got {n:,})")
    if seed < 0:
        raise DataError(f"seed must not be negative (got {seed})")
    if isinstance(true_p, bool) or not isinstance(true_p, numbers.Real):
        raise DataError(f"p must be a number between 0 and 1 (got {_shown(repr(true_p))})")
    p = float(true_p)
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise DataError(f"p must be between 0 and 1 (got {p!r})")
    rng = np.random.Generator(np.random.PCG64(seed))
    values = np.empty(n, dtype=np.uint8)
    step = 1 << 20  # in slices, so 2e7 values never need 160 MB of floats at once
    for start in range(0, n, step):
        stop = min(start + step, n)
        values[start:stop] = rng.random(stop - start) < p
    return _sample(values, f"generated (n={n}, p={p!r}, seed={seed})")


def notebook_sample() -> Sample:
    """The 200 samples of the notebook this project grew from (n=200, k=145)."""
    resource = importlib.resources.files("bernoulli") / "datasets" / "notebook_sample.csv"
    sample = parse_samples(resource.read_bytes(), "notebook_sample.csv")
    return Sample(sample.n, sample.k, sample.values, "notebook sample")


def load_path(path: str | os.PathLike, column: str | int | None = None) -> Sample:
    """Read a sample from a file on disk; see `parse_samples` for the format."""
    name = _shown(os.fsdecode(path), limit=200, quoted=False)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise DataError(_too_big(name, size))
        with open(path, "rb") as f:
            content = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError(f"{name} does not exist") from None
    except IsADirectoryError:
        raise DataError(f"{name} is a directory, not a file") from None
    except PermissionError:
        raise DataError(f"{name} cannot be read (permission denied)") from None
    except OSError as e:
        raise DataError(f"{name} cannot be read ({_shown(e.strerror or str(e))})") from None
    return _parse_text(_decode(content, name), name, column)


# --- decoding --------------------------------------------------------------------------


def _decode(content: bytes | str, name: str) -> str:
    """The file's text with '\\n' line ends, or a DataError saying why it is not text."""
    if isinstance(content, str):
        text = content.removeprefix("\ufeff")
        size = len(content) if content.isascii() else len(content.encode("utf-8", "replace"))
        if size > MAX_BYTES:
            raise DataError(_too_big(name, size))
        _check_text(text, name)
    else:
        content = bytes(content)
        if len(content) > MAX_BYTES:
            raise DataError(_too_big(name, len(content)))
        text = _decode_bytes(content, name)
    if "\r" in text:  # Windows and old Mac line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode_bytes(content: bytes, name: str) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM it starts with
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                text = content.decode(codec)
            except UnicodeDecodeError as e:
                raise DataError(
                    f"{name} is not valid {codec.upper()} text ({e.reason} at byte {e.start})"
                ) from None
            _check_text(text, name)
            return text
    content = content.removeprefix(codecs.BOM_UTF8)
    # Control bytes never occur inside UTF-8 multi-byte characters, so this is safe before
    # decoding; translate() runs at memory speed, the regex only on files that fail it.
    if content.translate(None, _TEXT_BYTES):
        offset = re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", content).start()
        raise DataError(_binary(name, content[offset], offset))
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as e:
        line = content.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{name} is not UTF-8 text (byte 0x{content[e.start]:02X} at offset {e.start}, "
            f"line {line}): save it as UTF-8"
        ) from None


def _check_text(text: str, name: str) -> None:
    bad = _CONTROL.search(text)
    if bad:
        raise DataError(_binary(name, ord(bad.group()), bad.start(), unit="character"))


def _binary(name: str, code: int, offset: int, unit: str = "byte") -> str:
    return f"{name} looks like a binary file, not text ({unit} 0x{code:02X} at offset {offset})"


def _too_big(name: str, size: int) -> str:
    mb = 1024 * 1024
    shown = math.ceil(size / mb * 10) / 10  # rounded up: never shown as the limit itself
    return f"{name} is {shown:,.1f} MB, more than the {MAX_BYTES / mb:,.0f} MB limit"


# --- parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """How the data rows of one file are read."""

    sep: str | None  # field separator; None splits on runs of whitespace
    index: int | None  # 0-based column to read; None when the file has one column
    label: str  # the column in messages: 'column "y"' or 'column 2'


def _parse_text(text: str, name: str, column: str | int | None) -> Sample:
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
            shown = _shown(header.strip())
            raise DataError(f'{name} has no data rows (only a header line: "{shown}")')
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
            return _sample(values, source)
    return _sample(_parse_rows(body, line_no, name, layout), source)


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
        return _Layout(sep=sep, index=index, label=f'column "{_shown(names[index])}"')
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
    shown = ", ".join(_shown(x) for x in names[:10]) + (", …" if width > 10 else "")
    if column is None:
        if width == 1:
            return 0
        if listed is None:
            raise DataError(
                f"{name} has {width:,} columns: put one value a line, or choose a column by number"
            )
        how = "" if has_header else " by number"
        raise DataError(f"{name} has {width} columns ({shown}): choose one{how}", columns=listed)
    if isinstance(column, str):
        wanted = column.strip()
        if has_header:
            hits = [i for i, x in enumerate(names) if x.casefold() == wanted.casefold()]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                numbers = ", ".join(str(i + 1) for i in hits)
                raise DataError(
                    f'{name} has several columns named "{_shown(wanted)}" (columns {numbers}): '
                    "choose one by number",
                    columns=listed,
                )
        if not (wanted.isascii() and wanted.isdigit()):
            if not has_header:
                raise DataError(
                    f'{name} has no header row, so no column "{_shown(wanted)}": '
                    f"choose a column by number (1 to {width})",
                    columns=listed,
                )
            raise DataError(
                f'{name} has no column "{_shown(wanted)}" (its columns: {shown})', columns=listed
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
        raise DataError(f'{where}: "{_shown(value)}"{size} is not a 0/1 value')
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


# --- small helpers ---------------------------------------------------------------------


def _sample(values: np.ndarray, source: str) -> Sample:
    values.flags.writeable = False
    return Sample(len(values), int(np.count_nonzero(values)), values, source)


def _whole(x, what: str) -> int:
    if isinstance(x, bool):
        raise DataError(f"{what} must be a whole number (got {x!r})")
    try:
        return operator.index(x)
    except TypeError:
        if isinstance(x, float) and x.is_integer():
            return int(x)
        raise DataError(f"{what} must be a whole number (got {_shown(repr(x))})") from None


def _shown(text: str, limit: int = 40, quoted: bool = True) -> str:
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
