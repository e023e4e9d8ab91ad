"""Data in: every accepted format, every rejection's message, a hostile corpus, properties."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bernoulli.data import parse, samples, symbols
from bernoulli.data.samples import (
    MAX_BYTES,
    MAX_VALUES,
    DataError,
    Sample,
    generate,
    load_path,
    notebook_sample,
    parse_samples,
)
from tests.helpers import CORPUS


def parsed(content, column=None, filename="samples.csv") -> tuple[int, int, list[int]]:
    s = parse_samples(content, filename, column)
    return s.n, s.k, s.values.tolist()


def error(content, column=None, filename="samples.csv") -> str:
    with pytest.raises(DataError) as info:
        parse_samples(content, filename, column)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    return message


def valid_outcome(sample: Sample) -> None:
    assert 1 <= sample.n <= MAX_VALUES and 0 <= sample.k <= sample.n
    assert sample.values.dtype == np.uint8 and sample.values.shape == (sample.n,)
    assert int(sample.values.sum()) == sample.k and set(np.unique(sample.values)) <= {0, 1}


# --- accepted formats ------------------------------------------------------------------

SPELLINGS = {
    0: ["0", "false", "no", "f", "n", "0.0", "0.", "0.00", "FALSE", "False", "No", "N", "F"],
    1: ["1", "true", "yes", "t", "y", "1.0", "1.", "1.000", "TRUE", "True", "YES", "Y", "T"],
}


@pytest.mark.parametrize("value", [0, 1])
@pytest.mark.parametrize("index", range(13))
def test_each_spelling(value, index):
    word = SPELLINGS[value][index]
    text = f"{word}\n{word}\n{SPELLINGS[1 - value][index]}\n"
    assert parsed(text) == (3, 2 * value + 1 - value, [value, value, 1 - value])


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"1\n0\n1\n", (3, 2, [1, 0, 1])),
        (b"1\n0\n1", (3, 2, [1, 0, 1])),  # no final newline
        (b"1\r\n0\r\n1\r\n", (3, 2, [1, 0, 1])),  # Windows line ends
        (b"1\r0\r1\r", (3, 2, [1, 0, 1])),  # old Mac line ends
        (b"\xef\xbb\xbf1\n0\n", (2, 1, [1, 0])),  # UTF-8 BOM
        ("1\n0\n1\n".encode("utf-16"), (3, 2, [1, 0, 1])),
        (codecs.BOM_UTF16_BE + "1\n0\n".encode("utf-16-be"), (2, 1, [1, 0])),
        ("1\n0\n".encode("utf-32"), (2, 1, [1, 0])),
        ("\ufeff1\n0\n", (2, 1, [1, 0])),  # str with a BOM
        ("1\n0\n1\n", (3, 2, [1, 0, 1])),  # str
        (b"\n\n1\n\n \n0\n\t\n", (2, 1, [1, 0])),  # blank lines anywhere
        (b' "1"\n\'0\'\n" yes "\n', (3, 2, [1, 0, 1])),  # quotes and spaces
        (b"  1  \n\t0\t\n", (2, 1, [1, 0])),
        (b"y\n1\n0\n1\n", (3, 2, [1, 0, 1])),  # one-letter header above digits
        (b"Y\ntrue\nfalse\n", (2, 1, [1, 0])),  # ... or above words
        (b"y\nn\ny\n", (3, 2, [1, 0, 1])),  # one-letter values all the way: no header
        (b"y\n", (1, 1, [1])),  # a lone one-letter line is a value ("yes"), not a header
        (b"outcome\n1\n0\n", (2, 1, [1, 0])),
        (b"coin flips\n1\n0\n", (2, 1, [1, 0])),  # a header with a space
        (b"run 2\n1\n", (1, 1, [1])),  # a header holding a number
        (b"\n\n  outcome\n\n1\n", (1, 1, [1])),  # blank lines around the header
        (b"1\xc2\xa0\n0\n", (2, 1, [1, 0])),  # no-break space is whitespace
        (b"0" + b"\n1" * 999, (1000, 999, [0] + [1] * 999)),
    ],
)
def test_one_column(content, expected):
    assert parsed(content) == expected


THREE = b"a,b,y\n0,1,1\n1,1,0\n0,0,1\n"


@pytest.mark.parametrize(
    "column, values, source",
    [
        ("y", [1, 0, 1], 'samples.csv, column "y"'),
        ("Y", [1, 0, 1], 'samples.csv, column "y"'),
        (" y ", [1, 0, 1], 'samples.csv, column "y"'),
        (3, [1, 0, 1], 'samples.csv, column "y"'),
        ("3", [1, 0, 1], 'samples.csv, column "y"'),
        (np.int64(1), [0, 1, 0], 'samples.csv, column "a"'),
        ("b", [1, 1, 0], 'samples.csv, column "b"'),
    ],
)
def test_columns_by_name_and_number(column, values, source):
    s = parse_samples(THREE, "samples.csv", column)
    assert (s.n, s.k, s.values.tolist(), s.source) == (3, sum(values), values, source)


@pytest.mark.parametrize(
    "content",
    [
        b"a,b,y\n0,1,1\n1,1,0\n",
        b"a;b;y\r\n0;1;1\r\n1;1;0\r\n",
        b"a\tb\ty\n0\t1\t1\n1\t1\t0\n",
        b"a b y\n0  1 1\n 1 1\t0\n",
        b'"a","b","y"\n"0","1","1"\n"1","1","0"\n',
        b'a b y\n"0" "1" "1"\n"1"  "1"  "0"\n',
        b'"a, the first",b,y\n0,1,1\n1,1,0\n',  # a quoted comma in the header
        b'id,b,y\n"x,1",1,1\n"x,2",1,0\n',  # quoted commas in the rows
        b"a,b,y,\n0,1,1,\n1,1,0,\n",  # trailing separators (spreadsheet exports)
        b"a,b,y\n0,1,1\n\n1,1,0,extra\n",  # blank lines; an extra field is not read
        b"\xef\xbb\xbfa;b;y\r\n0;1;1\r\n1;1;0\r\n",
        "a;b;y\r\n0;1;1\r\n1;1;0\r\n".encode("utf-16"),
    ],
)
def test_separators(content):
    assert parsed(content, "y") == (2, 1, [1, 0])
    assert parsed(content, 2) == (2, 2, [1, 1])


def test_columns_without_header_are_numbered():
    s = parse_samples(b"1,0\n0,0\n1,1\n", "pairs.csv", 2)
    assert (s.n, s.k, s.source) == (3, 1, "pairs.csv, column 2")
    assert parsed(b"1,0\n0,0\n", "1") == (2, 1, [1, 0])


def test_header_name_wins_over_number():
    # A column literally named "1" is found by name; numbers are for unnamed choices.
    assert parsed(b"x,1\n0,1\n0,1\n", "1") == (2, 2, [1, 1])
    assert parsed(b"x,1\n0,1\n0,1\n", 1) == (2, 0, [0, 0])


def test_unnamed_header_fields_are_numbered():
    with pytest.raises(DataError) as info:
        parse_samples(b"a,,c\n0,1,1\n", "f.csv")
    assert info.value.columns == ["a", "2", "c"]
    assert parsed(b"a,,c\n0,1,1\n", "2") == (1, 1, [1])


def test_one_column_by_name_or_number():
    assert parsed(b"y\n1\n0\n", "y") == parsed(b"y\n1\n0\n", 1) == (2, 1, [1, 0])
    assert parse_samples(b"y\n1\n0\n", "f.csv", "y").source == "f.csv"


def test_fast_and_general_paths_agree():
    rng = np.random.default_rng(7)
    values = rng.integers(0, 2, 10_001).astype(np.uint8)
    canonical = "".join(f"{v}\n" for v in values)
    for text in (canonical, canonical.replace("\n", "\r\n"), " " + canonical, "y\n" + canonical):
        s = parse_samples(text)
        assert (s.n, s.k) == (len(values), int(values.sum()))
        np.testing.assert_array_equal(s.values, values)


# --- rejections: one line naming file, line and value -----------------------------------


@pytest.mark.parametrize(
    "content, column, message",
    [
        (b"", None, "samples.csv is empty"),
        ("", None, "samples.csv is empty"),
        (b"\xef\xbb\xbf", None, "samples.csv is empty"),
        (b" \n\t\n\r\n", None, "samples.csv has no data rows (only blank lines)"),
        (b"outcome\n", None, 'samples.csv has no data rows (only a header line: "outcome")'),
        (b"a,b,y\n\n\n", None, 'samples.csv has no data rows (only a header line: "a,b,y")'),
        (b"0\n1\n1\n0\n1\n1\n2\n", None, 'samples.csv line 7: "2" is not a 0/1 value'),
        (b"y\n1\n0\nnan\n", None, 'samples.csv line 4: "nan" is not a 0/1 value'),
        (
            b"a,y\n1,1\n1,0\n1,NaN\n",
            "y",
            'samples.csv line 4, column "y": "NaN" is not a 0/1 value',
        ),
        (b"1,0\n1,2\n", 2, 'samples.csv line 2, column 2: "2" is not a 0/1 value'),
        (b"a,y\n1,1\n\n\n\n\n\n\n1\n", "y", 'samples.csv line 9: column "y" is missing'),
        (b"a;y\n1;1\n1; \n", "y", 'samples.csv line 3: column "y" is empty'),
        (b"1\ninf\n", None, 'samples.csv line 2: "inf" is not a 0/1 value'),
        (b"1\n-1\n", None, 'samples.csv line 2: "-1" is not a 0/1 value'),
        (b"1\n+1\n", None, 'samples.csv line 2: "+1" is not a 0/1 value'),
        (b"1\n0.5\n", None, 'samples.csv line 2: "0.5" is not a 0/1 value'),
        (b"1\n1e0\n", None, 'samples.csv line 2: "1e0" is not a 0/1 value'),
        (b"1\n01\n", None, 'samples.csv line 2: "01" is not a 0/1 value'),
        (b"1\n.0\n", None, 'samples.csv line 2: ".0" is not a 0/1 value'),
        (b"1\n10\n", None, 'samples.csv line 2: "10" is not a 0/1 value'),
        (b"1\nyess\n", None, 'samples.csv line 2: "yess" is not a 0/1 value'),
        (b"1\n1,0\n", None, 'samples.csv line 2: "1,0" is not a 0/1 value'),
        (b'1\n"2"\n', None, 'samples.csv line 2: "2" is not a 0/1 value'),
        (b'1\n"\n', None, 'samples.csv line 2: "\\"" is not a 0/1 value'),
        (b"1\n=1\n", None, 'samples.csv line 2: "=1" is not a 0/1 value'),
        (b"=1\n1\n", None, 'samples.csv line 1: "=1" is not a 0/1 value'),
        (b"2\n1\n", None, 'samples.csv line 1: "2" is not a 0/1 value'),  # a number is no header
        (b"=SUM(A1:A3)\n1\n", None, 'samples.csv line 1: "=SUM(A1:A3)" is not a 0/1 value'),
        (
            "1\n\u00e9\u2028x\n".encode(),
            None,
            'samples.csv line 2: "\u00e9\\u2028x" is not a 0/1 value',
        ),
        ("1\n\u200b\n".encode(), None, 'samples.csv line 2: "\\u200b" is not a 0/1 value'),
        (
            b"\x89PNG\r\n\x1a\n",
            None,
            "samples.csv looks like a binary file, not text (byte 0x1A at offset 6)",
        ),
        (
            b"0\n1\n\x00\n",
            None,
            "samples.csv looks like a binary file, not text (byte 0x00 at offset 4)",
        ),
        (
            "1\n\x07\n",
            None,
            "samples.csv looks like a binary file, not text (character 0x07 at offset 2)",
        ),
        (
            b"y\n1\n\xe9\n",
            None,
            "samples.csv is not UTF-8 text (byte 0xE9 at offset 4, line 3): save it as UTF-8",
        ),
        (
            b"\xff\xfe1\x00\n",
            None,
            "samples.csv is not valid UTF-16 text (truncated data at byte 4)",
        ),
        (
            "1\n".encode("utf-16") + b"\x00\xd8\n\x00",
            None,
            "samples.csv is not valid UTF-16 text (illegal UTF-16 surrogate at byte 6)",
        ),
        (
            "0\n\x00\n".encode("utf-16"),
            None,
            "samples.csv looks like a binary file, not text (character 0x00 at offset 2)",
        ),
    ],
)
def test_rejection_messages(content, column, message):
    assert error(content, column) == message


def test_several_columns_need_a_choice():
    with pytest.raises(DataError) as info:
        parse_samples(THREE, "samples.csv")
    assert str(info.value) == "samples.csv has 3 columns (a, b, y): choose one"
    assert info.value.columns == ["a", "b", "y"]
    # Without a header, every value is the sample, row by row; the columns are
    # the other reading, offered.
    s = parse_samples(b"1,0,1\n0,0,1\n", "samples.csv")
    assert (s.n, s.k, s.values.tolist()) == (6, 3, [1, 0, 1, 0, 0, 1])
    assert s.source == "samples.csv, all 3 columns"
    assert s.reading.columns == ("1", "2", "3")


@pytest.mark.parametrize(
    "content, column, message, columns",
    [
        (THREE, "z", 'samples.csv has no column "z" (its columns: a, b, y)', ["a", "b", "y"]),
        (THREE, 4, "samples.csv has 3 columns: there is no column 4", ["a", "b", "y"]),
        (THREE, 0, "samples.csv has 3 columns: there is no column 0", ["a", "b", "y"]),
        (THREE, "-1", 'samples.csv has no column "-1" (its columns: a, b, y)', ["a", "b", "y"]),
        (b"y\n1\n", 2, "samples.csv has 1 column: there is no column 2", ["y"]),
        (
            b"1,0\n0,1\n",
            "y",
            'samples.csv has no header row, so no column "y": choose a column by number (1 to 2)',
            ["1", "2"],
        ),
        (
            b"y,Y\n1,0\n",
            "y",
            'samples.csv has several columns named "y" (columns 1, 2): choose one by number',
            ["y", "Y"],
        ),
    ],
)
def test_bad_column_choice(content, column, message, columns):
    with pytest.raises(DataError) as info:
        parse_samples(content, "samples.csv", column)
    assert (str(info.value), info.value.columns) == (message, columns)


def test_column_of_wrong_type_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_samples(THREE, "f.csv", True)
    with pytest.raises(TypeError):
        parse_samples(THREE, "f.csv", 2.0)


def test_other_errors_leave_columns_unset():
    with pytest.raises(DataError) as info:
        parse_samples(b"a,y\n1,2\n", "f.csv", "y")
    assert info.value.columns is None
    assert isinstance(info.value, ValueError)


def test_long_values_are_cut_short():
    message = error(b"1\n" + b"x" * 5000 + b"\n")
    assert message == f'samples.csv line 2: "{"x" * 40}…" (5,000 characters) is not a 0/1 value'


def test_file_names_are_shown_safely():
    assert error(b"", filename="a\nb.csv") == "a\\nb.csv is empty"
    assert error(b"", filename="x" * 100) == "x" * 80 + "… is empty"
    assert error(b"", filename="") == "upload is empty"
    assert error(b"", filename='C:\\data\\"x".csv') == 'C:\\data\\"x".csv is empty'
    assert error(b"") == "samples.csv is empty"
    with pytest.raises(DataError, match=r"^upload is empty$"):
        parse_samples(b"")


def test_too_many_bytes():
    assert error(b"0" * (MAX_BYTES + 1)) == "samples.csv is 200.1 MB, more than the 200 MB limit"


def test_too_many_values_general_path(monkeypatch):
    monkeypatch.setattr(parse, "MAX_VALUES", 1000)  # the parser's limit
    assert parsed("true\n" * 1000)[:2] == (1000, 1000)
    assert parsed("true\n\n\n" * 1000)[:2] == (1000, 1000)  # blank lines are not values
    assert error("true\n" * 1001) == "samples.csv has more than 1,000 values (the limit)"
    assert error("y\n" + "1\n" * 1001) == "samples.csv has more than 1,000 values (the limit)"
    assert (
        error("a,y\n" + "1,0\n" * 1001, "y") == "samples.csv has more than 1,000 values (the limit)"
    )


# --- the hostile corpus ----------------------------------------------------------------

CORPUS_EXPECTED = {
    "empty.csv": "empty.csv is empty",
    "whitespace_only.csv": "whitespace_only.csv has no data rows (only blank lines)",
    "lone_header.csv": 'lone_header.csv has no data rows (only a header line: "outcome")',
    "bom.csv": (3, 2),
    "utf16.csv": (4, 3),
    "latin1.csv": "latin1.csv is not UTF-8 text (byte 0xE9 at offset 1, line 1): save it as UTF-8",
    "binary.png": "binary.png looks like a binary file, not text (byte 0x1A at offset 6)",
    "nan.csv": 'nan.csv line 4: "nan" is not a 0/1 value',
    "inf.csv": 'inf.csv line 2: "inf" is not a 0/1 value',
    "minus_one.csv": 'minus_one.csv line 2: "-1" is not a 0/1 value',
    "two.csv": 'two.csv line 7: "2" is not a 0/1 value',
    "half.csv": 'half.csv line 1: "0.5" is not a 0/1 value',
    "three_columns.csv": "three_columns.csv has 3 columns (a, b, y): choose one",
    "formulas.csv": "formulas.csv has 2 columns (y, total): choose one",
    "excel_semicolons.csv": "excel_semicolons.csv has 2 columns (id, Outcome): choose one",
    "tabs.tsv": "tabs.tsv has 2 columns (trial, result): choose one",
    "quoted.csv": "quoted.csv has 2 columns (name, y): choose one",
    "blank_lines.txt": (4, 3),
}
CORPUS_CHOSEN = {  # (file, column): outcome
    ("three_columns.csv", "y"): (4, 3),
    ("three_columns.csv", 1): (4, 2),
    ("formulas.csv", "y"): 'formulas.csv line 4, column "y": "=1" is not a 0/1 value',
    (
        "formulas.csv",
        "total",
    ): 'formulas.csv line 2, column "total": "=SUM(A2:A5)" is not a 0/1 value',
    ("excel_semicolons.csv", "outcome"): (4, 3),
    ("tabs.tsv", "Result"): (3, 1),
    ("quoted.csv", "y"): (3, 2),
    ("quoted.csv", "name"): 'quoted.csv line 2, column "name": "Ana, B." is not a 0/1 value',
}


def test_corpus_is_covered():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(CORPUS_EXPECTED)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "name, column, expected",
    [(name, None, expected) for name, expected in CORPUS_EXPECTED.items()]
    + [(name, column, expected) for (name, column), expected in CORPUS_CHOSEN.items()],
)
def test_corpus(name, column, expected):
    for content in (CORPUS / name, (CORPUS / name).read_bytes()):
        if isinstance(expected, str):
            with pytest.raises(DataError) as info:
                if isinstance(content, Path):
                    load_path(content, column)
                else:
                    parse_samples(content, name, column)
            # load_path names the file by its path, parse_samples by the name it is given.
            assert str(info.value).replace(str(CORPUS / name), name) == expected
        else:
            s = (
                load_path(content, column)
                if isinstance(content, Path)
                else parse_samples(content, name, column)
            )
            assert (s.n, s.k) == expected
            valid_outcome(s)


# --- big files, generated --------------------------------------------------------------


def canonical_bytes(values: np.ndarray) -> bytes:
    return np.stack([values + ord("0"), np.full_like(values, ord("\n"))], axis=1).tobytes()


@pytest.mark.timeout(60)
def test_ten_million_canonical_rows(tmp_path):
    values = np.random.default_rng(1).integers(0, 2, 10**7, dtype=np.uint8)
    path = tmp_path / "big.csv"
    path.write_bytes(canonical_bytes(values))
    s = load_path(path)
    assert (s.n, s.k) == (10**7, int(values.sum()))
    np.testing.assert_array_equal(s.values, values)


@pytest.mark.timeout(60)
def test_ten_million_word_rows():
    values = np.random.default_rng(2).integers(0, 2, 10**7, dtype=np.uint8)
    text = "outcome\r\n" + "\r\n".join(np.where(values == 1, "True", "False").tolist())
    s = parse_samples(text.encode(), "big.csv")
    assert (s.n, s.k) == (10**7, int(values.sum()))
    np.testing.assert_array_equal(s.values, values)


@pytest.mark.timeout(60)
def test_ten_million_rows_of_a_wide_file():
    values = np.random.default_rng(3).integers(0, 2, 10**7, dtype=np.uint8)
    # rows "r0000042,1,0": a distinct id on every row, so no two lines are alike
    rows = np.zeros((10**7, 13), dtype=np.uint8)
    rows[:, 0] = ord("r")
    ids = np.arange(10**7)
    for digit in range(7):
        rows[:, 7 - digit] = ord("0") + (ids // 10**digit) % 10
    rows[:, 8:] = np.frombuffer(b",1,0\n", dtype=np.uint8)
    rows[:, 11] += values
    s = parse_samples(b"id,a,y\n" + rows.tobytes(), "wide.csv", "y")
    assert (s.n, s.k, s.source) == (10**7, int(values.sum()), 'wide.csv, column "y"')
    np.testing.assert_array_equal(s.values, values)


@pytest.mark.timeout(60)
def test_the_value_limit_exactly():
    at_limit = canonical_bytes(np.ones(MAX_VALUES, dtype=np.uint8))
    s = parse_samples(at_limit, "max.csv")
    assert (s.n, s.k) == (MAX_VALUES, MAX_VALUES)
    assert error(at_limit + b"0\n") == "samples.csv has more than 20,000,000 values (the limit)"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "line, column, message",
    [
        (
            b"01" * (5 << 20),
            None,
            '"' + "01" * 20 + '…" (10,485,760 characters) is not a 0/1 value',
        ),
        (b"x" * (10 << 20), None, '"' + "x" * 40 + '…" (10,485,760 characters) is not a 0/1 value'),
        (b"0" * (10 << 20), None, '"' + "0" * 40 + '…" (10,485,760 characters) is not a 0/1 value'),
        (b"0,2" * (3 << 20), 2, 'column 2: "20" is not a 0/1 value'),
    ],
)
def test_ten_megabyte_single_line(tmp_path, line, column, message):
    path = tmp_path / "line.csv"
    path.write_bytes(line)
    with pytest.raises(DataError) as info:
        load_path(path, column)
    text = str(info.value)
    assert (
        text.startswith(str(path)) and text.endswith(message) and len(text) < 300 + len(str(path))
    )
    assert info.value.columns is None


@pytest.mark.timeout(60)
def test_ten_megabyte_single_row_is_all_its_values():
    # A row of values is the sample, all of it, not a file of 5,242,880 columns.
    s = parse_samples((b"0," * (5 << 20))[:-1], "row.csv")
    assert (s.n, s.k, s.source) == (5 << 20, 0, "row.csv, one row")
    assert s.reading.columns is None  # one row: no column to offer


def test_ten_megabyte_single_line_with_a_column():
    assert parsed(b"0,1," * (10 << 18), 2) == (1, 1, [1])


def test_too_big_file_is_not_read(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no 200 MB written
    with pytest.raises(DataError) as info:
        load_path(path)
    assert str(info.value) == f"{path} is 200.1 MB, more than the 200 MB limit"


# --- load_path -------------------------------------------------------------------------


def test_load_path(tmp_path):
    path = tmp_path / "samples.csv"
    path.write_text("a,y\n1,0\n1,1\n")
    s = load_path(path, "y")
    assert (s.n, s.k, s.source) == (2, 1, f'{path}, column "y"')
    assert load_path(str(path), 1).k == 2


def test_load_path_failures(tmp_path):
    with pytest.raises(DataError, match=r"^.*nope\.csv does not exist$"):
        load_path(tmp_path / "nope.csv")
    with pytest.raises(DataError, match=r"is a directory, not a file$"):
        load_path(tmp_path)
    (tmp_path / "bad.csv").write_text("1\nx\n")
    with pytest.raises(DataError, match=r'^.*bad\.csv line 2: "x" is not a 0/1 value$'):
        load_path(tmp_path / "bad.csv")


# --- properties ------------------------------------------------------------------------

SPELL = st.sampled_from(
    ["0", "1", "true", "false", "yes", "no", "t", "f", "y", "n", "0.0", "1.0", "1.", "0.000"]
)
ALL_SPELLINGS = {w.lower() for ws in SPELLINGS.values() for w in ws}


@st.composite
def spelled(draw, value: int) -> str:
    """A random accepted spelling of value, in random case, with quotes and padding."""
    word = draw(st.sampled_from([w for w in SPELLINGS[value] if w.islower() or w[0].isdigit()]))
    word = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    quote = draw(st.sampled_from(["", '"', "'"]))
    pad = st.sampled_from(["", " ", "  ", "\u00a0"])
    return f"{draw(pad)}{quote}{word}{quote}{draw(pad)}"


def name_like(name: str) -> bool:
    words = name.replace(",", " ").split()
    return any(
        w.lower() not in ALL_SPELLINGS and w.lower() not in {"nan", "inf", "infinity"}
        for w in words
    )


def one_letter(cell: str) -> bool:
    return cell.strip().strip("\"'").strip().lower() in {"t", "f", "y", "n"}


HEADER = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True).filter(name_like)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(0, 1), min_size=1, max_size=40),
    data_=st.data(),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    header=st.one_of(st.none(), HEADER),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "str"]),
    final_newline=st.booleans(),
)
def test_one_column_round_trips(values, data_, newline, header, encoding, final_newline):
    lines = [data_.draw(spelled(v)) for v in values]
    blanks = data_.draw(st.lists(st.integers(0, len(lines)), max_size=3))
    for at in sorted(blanks, reverse=True):
        lines.insert(at, data_.draw(st.sampled_from(["", " ", "\t"])))
    text = newline.join(([header] if header else []) + lines) + (newline if final_newline else "")
    content = text if encoding == "str" else text.encode(encoding)
    s = parse_samples(
        content, "round.csv", header if header and data_.draw(st.booleans()) else None
    )
    cells = [line for line in lines if line.strip()]
    if not header and len(cells) > 1 and one_letter(cells[0]) and not one_letter(cells[1]):
        values = values[1:]  # documented: a one-letter line above other spellings is a header
    assert (s.n, s.k, s.values.tolist()) == (len(values), sum(values), values)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.integers(2, 6).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(0, 1), min_size=width, max_size=width), min_size=1, max_size=20
        )
    ),
    sep=st.sampled_from([",", ";", "\t", " ", "  ", ", ", " ;"]),
    header=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    data_=st.data(),
)
def test_columns_round_trip(rows, sep, header, newline, data_):
    width = len(rows[0])
    names = [f"col{i}" for i in range(width)]
    lines = [sep.join(names)] if header else []
    cells = [[data_.draw(spelled(v)).strip() for v in row] for row in rows]
    lines += [sep.join(row) for row in cells]
    # documented: one-letter values above a row without any would be a header
    assume(
        header
        or len(rows) == 1
        or not all(map(one_letter, cells[0]))
        or any(map(one_letter, cells[1]))
    )
    chosen = data_.draw(st.integers(0, width - 1))
    how = data_.draw(st.sampled_from(["int", "str", "name"] if header else ["int", "str"]))
    column = {"int": chosen + 1, "str": str(chosen + 1), "name": names[chosen].upper()}[how]
    s = parse_samples(newline.join(lines), "cols.csv", column)
    expected = [row[chosen] for row in rows]
    assert (s.n, s.k, s.values.tolist()) == (len(rows), sum(expected), expected)
    if header:
        with pytest.raises(DataError) as info:
            parse_samples(newline.join(lines), "cols.csv")
        assert info.value.columns == names
    else:  # without a header, all values row by row; the columns are offered
        s = parse_samples(newline.join(lines), "cols.csv")
        flat = [v for row in rows for v in row]
        assert (s.n, s.k, s.values.tolist()) == (len(flat), sum(flat), flat)
        assert s.reading.columns == (
            None if len(rows) == 1 else tuple(map(str, range(1, width + 1)))
        )


BAD_TOKEN = st.text(
    st.characters(categories=["L", "N", "P", "S"], exclude_characters="\"',;\\"),
    min_size=1,
    max_size=60,
).filter(
    lambda t: (
        t.strip().lower() not in ALL_SPELLINGS
        and not symbols.DECIMAL.fullmatch(t.strip().lower())
        and symbols.symbol(t) is None  # H/T, W/L, success/failure are values too
    )
)


@settings(max_examples=300, deadline=None)
@given(token=BAD_TOKEN)
def test_bad_value_message_shape(token):
    message = error(f"0\n{token}\n1\n".encode())
    shown = token if len(token) <= 40 else token[:40] + "…"
    size = f" ({len(token):,} characters)" if len(token) > 40 else ""
    assert message == f'samples.csv line 2: "{shown}"{size} is not a 0/1 value'


def check_outcome(content, column, filename="fuzz.csv") -> None:
    try:
        s = parse_samples(content, filename, column)
    except DataError as e:
        message = str(e)
        assert message and "\n" not in message and "\r" not in message and len(message) < 1000
        assert message.startswith(samples._shown(filename or "upload", limit=80, quoted=False))
        assert e.columns is None or (isinstance(e.columns, list) and len(e.columns) >= 1)
    else:
        valid_outcome(s)


PIECES = [
    b"0",
    b"1",
    b"\n",
    b"\r\n",
    b",",
    b";",
    b"\t",
    b" ",
    b'"',
    b"y",
    b"true",
    b"No",
    b"=",
    b"nan",
]
PIECES += [b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xe9", b"2", b"0.", b"a", b"\xc2\xa0", b"'"]
COLUMN = st.one_of(st.none(), st.integers(-1, 4), st.sampled_from(["y", "a", "2", "", "Y "]))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.one_of(
        st.binary(max_size=300), st.lists(st.sampled_from(PIECES), max_size=60).map(b"".join)
    ),
    column=COLUMN,
    filename=st.text(max_size=20),
)
def test_arbitrary_bytes_parse_or_say_why(content, column, filename):
    check_outcome(content, column, filename)


@settings(max_examples=300, deadline=None)
@given(content=st.text(max_size=200), column=COLUMN)
def test_arbitrary_text_parses_or_says_why(content, column):
    check_outcome(content, column)


# --- generate --------------------------------------------------------------------------


def test_generate_is_reproducible():
    a, b = generate(500, 0.3, seed=1), generate(500, 0.3, seed=1)
    assert a == b and a.source == "generated (n=500, p=0.3, seed=1)"
    np.testing.assert_array_equal(a.values, b.values)
    c = generate(500, 0.3, seed=2)
    assert not np.array_equal(a.values, c.values)


def test_generate_follows_its_contract():
    # value i is 1 when draw i of Generator(PCG64(seed)).random() is below p (also across
    # the 2**20-value slices the generator fills one at a time)
    n = (1 << 20) + 17
    draws = np.random.Generator(np.random.PCG64(5)).random(n)
    np.testing.assert_array_equal(generate(n, 0.42, 5).values, (draws < 0.42).astype(np.uint8))
    low, high = generate(1000, 0.2, 9).values, generate(1000, 0.6, 9).values
    assert np.all(low <= high)  # raising p only turns zeros into ones


@pytest.mark.parametrize("p", [0.01, 0.3, 0.5, 0.725, 0.99])
def test_generate_mean_is_near_p(p):
    n = 1_000_000
    s = generate(n, p, seed=123)
    se = math.sqrt(p * (1 - p) / n)
    assert abs(s.mean - p) < 5 * se  # five binomial standard errors


def test_generate_edges():
    assert generate(7, 0.0, 0).k == 0
    assert generate(7, 1.0, 0).k == 7
    assert generate(1, 1, 0).source == "generated (n=1, p=1.0, seed=0)"
    assert generate(np.int64(3), np.float32(0.5), np.int64(4)).n == 3
    assert generate(MAX_VALUES, 0.5, 0).n == MAX_VALUES


@pytest.mark.parametrize(
    "n, p, seed, message",
    [
        (0, 0.5, 1, "n must be at least 1 (got 0)"),
        (-5, 0.5, 1, "n must be at least 1 (got -5)"),
        (MAX_VALUES + 1, 0.5, 1, "n must be at most 20,000,000 (got 20,000,001)"),
        (2.5, 0.5, 1, "n must be a whole number (got 2.5)"),
        (True, 0.5, 1, "n must be a whole number (got True)"),
        ("10", 0.5, 1, "n must be a whole number (got '10')"),
        (10, -0.1, 1, "p must be between 0 and 1 (got -0.1)"),
        (10, 1.5, 1, "p must be between 0 and 1 (got 1.5)"),
        (10, math.nan, 1, "p must be between 0 and 1 (got nan)"),
        (10, "0.3", 1, "p must be a number between 0 and 1 (got '0.3')"),
        (10, 0.5, -1, "seed must not be negative (got -1)"),
        (10, 0.5, None, "seed must be a whole number (got None)"),
    ],
)
def test_generate_validation(n, p, seed, message):
    with pytest.raises(DataError) as info:
        generate(n, p, seed)
    assert str(info.value) == message


# --- Sample and the notebook -----------------------------------------------------------


def test_notebook_sample():
    s = notebook_sample()
    assert (s.n, s.k, s.mean, s.source) == (200, 145, 0.725, "notebook sample")
    bundled = Path(samples.__file__).parent / "datasets" / "notebook_sample.csv"
    # byte-for-byte the notebook's own sample file
    digest = "6292e28de1657e1aa80daf7b23e4913d428b77f68df0b286f818565c26d8b587"
    assert hashlib.sha256(bundled.read_bytes()).hexdigest() == digest
    assert s.values.tolist() == [int(line) for line in bundled.read_text().split()]
    assert s.values.tolist()[:10] == [1, 1, 0, 1, 1, 1, 0, 1, 1, 1]


def test_sample_is_frozen_and_compares_without_values():
    s = parse_samples(b"1\n0\n1\n", "f.csv")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.k = 3
    with pytest.raises(ValueError, match="read-only"):
        s.values[0] = 0
    assert s == Sample(3, 2, None, "f.csv") and hash(s) == hash(Sample(3, 2, None, "f.csv"))
    assert repr(s) == "Sample(n=3, k=2, source='f.csv')"
    assert s.mean == pytest.approx(2 / 3, rel=1e-15)


def test_sample_keeps_the_callers_array_writable():
    values = np.array([1, 0, 1], dtype=np.uint8)
    s = Sample(3, 2, values, "mine")
    assert values.flags.writeable and not s.values.flags.writeable
    assert Sample(2, 1, np.array([True, False]), "bools").values.dtype == np.uint8


@pytest.mark.parametrize(
    "n, k, values",
    [
        (0, 0, None),
        (3, 4, None),
        (3, -1, None),
        (3, 2, np.array([1, 0], dtype=np.uint8)),
        (3, 2, np.array([1, 0, 0], dtype=np.uint8)),
        (3, 2, np.array([2, 0, 1], dtype=np.uint8)),
        (3, 2, np.array([1.0, 0.0, 1.0])),
    ],
)
def test_sample_rejects_inconsistent_fields(n, k, values):
    with pytest.raises(ValueError):
        Sample(n, k, values, "bad")


# --- where a sample came from, and its key ---------------------------------------------


def test_samples_carry_their_origin_and_key(tmp_path):
    generated = generate(500, 0.3, seed=1)
    assert generated.origin == samples.Source("generate", 500, 0.3, 1)
    assert generated.key == "generate:500:0.3:1"
    assert generate(np.int64(5), 1, 2.0).key == "generate:5:1.0:2"  # numbers as the link has them
    notebook = notebook_sample()
    assert (notebook.origin, notebook.key) == (samples.Source(), "notebook")
    content = b"a,y\n0,1\n1,1\n"
    digest = hashlib.sha256(content).hexdigest()
    parsed = parse_samples(content, "f.csv", "y")
    assert (parsed.origin, parsed.key) == (samples.Source("upload"), f"upload:{digest}:y")
    assert parse_samples(content.decode(), "f.csv", 2).key == f"upload:{digest}:2"
    assert parse_samples(b"1\n0\n", "g.csv").key.endswith(":None")
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    loaded = load_path(path, column="y")
    assert (loaded.origin, loaded.key) == (parsed.origin, parsed.key)


def test_a_samples_key_defaults_to_its_values_or_counts():
    values = np.array([1, 0, 1], dtype=np.uint8)
    digest = hashlib.sha256(values.tobytes()).hexdigest()
    made = Sample(3, 2, values, "mine")
    assert made.key == f"values:{digest}" and made.origin == samples.Source("upload")
    assert Sample(3, 2, None, "counts").key == "counts:3:2"
    assert Sample(3, 2, None, "x", samples.Source(), "notebook").key == "notebook"
    # origin and key do not take part in equality (n, k and source do)
    assert made == Sample(3, 2, None, "mine") and hash(made) == hash(Sample(3, 2, None, "mine"))


def test_source_lives_in_data_and_checks_its_numbers():
    from bernoulli.io import share

    assert share.Source is samples.Source
    assert samples.Source("generate", 5, 1, 2**70).seed == 2**70  # numpy takes any seed >= 0
    with pytest.raises(ValueError, match="n must be a whole number from 1 to 20,000,000, not 0"):
        samples.Source("generate", 0, 0.5, 0)
    with pytest.raises(ValueError, match=r"true_p must be in \[0, 1\], not 1.5"):
        samples.Source("generate", 5, 1.5, 0)
    with pytest.raises(ValueError, match="a upload source takes no n, true_p or seed"):
        samples.Source("upload", 5)
