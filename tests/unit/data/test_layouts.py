"""Every natural layout and symbol pair, the assumption stated, the notebook's
printed sample pasted back, and properties (each layout round-trips its values)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bernoulli.data import samples
from bernoulli.data.samples import DataError, parse_samples

NOTEBOOK_CSV = Path(samples.__file__).parent / "datasets" / "notebook_sample.csv"


def read(text, column=None, one=None, name="f.txt"):
    s = parse_samples(text, name, column, one)
    return s.n, s.k, s.values.tolist(), s.source, s.reading


def refused(text, column=None, one=None, name="f.txt") -> str:
    with pytest.raises(DataError) as info:
        parse_samples(text, name, column, one)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- layouts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, values, layout, source",
    [
        ("1,0,1,1,0,1", [1, 0, 1, 1, 0, 1], "row", "f.txt, one row"),  # never one value
        ("1 0 1 1 0", [1, 0, 1, 1, 0], "row", "f.txt, one row"),
        ("1;0;1\n", [1, 0, 1], "row", "f.txt, one row"),
        ("1\t0\t0", [1, 0, 0], "row", "f.txt, one row"),
        ("1\n0\n1\n", [1, 0, 1], "lines", "f.txt"),
        ("1,0\n0,0\n1,1\n", [1, 0, 0, 0, 1, 1], "grid", "f.txt, all 2 columns"),
        ("1 0 1\n0 1 1\n", [1, 0, 1, 0, 1, 1], "grid", "f.txt, all 3 columns"),
        ("1,0,1\n0\n", [1, 0, 1, 0], "grid", "f.txt, all 3 columns"),  # ragged lines
        ("[1, 0, 1]", [1, 0, 1], "list", "f.txt, a list"),
        ("[True, False, True]", [1, 0, 1], "list", "f.txt, a list"),
        ("[[1, 0], [0, 1]]", [1, 0, 0, 1], "list", "f.txt, a list"),
        ("array([1., 0.,\n       1.])", [1, 0, 1], "list", "f.txt, a list"),
        ("tensor([1., 0., 1.], dtype=torch.float64)", [1, 0, 1], "list", "f.txt, a list"),
        ("np.array([0, 1])", [0, 1], "list", "f.txt, a list"),
        ("['H', 'T', 'H']", [1, 0, 1], "list", "f.txt, a list, 1 = H"),
        ("HHTHT", [1, 1, 0, 1, 0], "letters", "f.txt, letters, 1 = H"),
        ("hhtht\nTTH", [1, 1, 0, 1, 0, 0, 0, 1], "letters", "f.txt, letters, 1 = H"),
        ("HH TT, HT", [1, 1, 0, 0, 1, 0], "letters", "f.txt, letters, 1 = H"),
        ("WWLW", [1, 1, 0, 1], "letters", "f.txt, letters, 1 = W"),
        ("H T H H", [1, 0, 1, 1], "row", "f.txt, one row, 1 = H"),
    ],
)
def test_layouts(text, values, layout, source):
    n, k, got, label, reading = read(text)
    assert (n, k, got, label, reading.layout) == (len(values), sum(values), values, source, layout)


def test_a_one_row_file_gives_all_its_values_and_offers_no_column():
    n, k, values, _, reading = read(b"1,0,1,1,0,1\n", name="row.csv")
    assert (n, k, values) == (6, 4, [1, 0, 1, 1, 0, 1])
    assert reading.statement == "Read as one row of 6 values, all of them the sample."
    assert reading.columns is None


def test_a_grid_is_all_its_values_and_says_so_and_offers_a_column():
    text = "1,0,1\n0,0,1\n1,1,1\n0,1,0\n"
    n, k, values, _, reading = read(text)
    assert (n, k) == (12, 7)
    assert values == [1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0]
    assert reading.statement == ("Read as all 12 values of the 4 rows × 3 columns, row by row.")
    assert reading.columns == ("1", "2", "3")  # the other reading, one click away
    # ... which is the column chosen by number
    assert read(text, 2)[:3] == (4, 2, [0, 0, 1, 1])
    assert read(text, 2)[3] == "f.txt, column 2"


def test_a_csv_with_a_header_still_asks_for_its_column():
    with pytest.raises(DataError) as info:
        parse_samples("id,heads\n7,1\n8,1\n9,0\n", "two.csv")
    assert str(info.value) == "two.csv has 2 columns (id, heads): choose one"
    assert info.value.columns == ["id", "heads"]
    assert read("id,flip\n7,H\n8,T\n", "flip")[:4] == (2, 1, [1, 0], 'f.txt, column "flip", 1 = H')


def test_a_grid_with_a_bad_value_names_line_and_place_and_offers_the_columns():
    suffix = "; or choose the column of values"
    assert refused("1,0,1\n0,x,1\n") == f'f.txt line 2, value 2: "x" is not a 0/1 value{suffix}'
    assert refused("H T H\nT H 2\n") == f'f.txt line 2, value 3: "2" is not H or T{suffix}'
    assert refused("H T 2") == 'f.txt line 1, value 3: "2" is not H or T'  # a row: no column
    with pytest.raises(DataError) as info:  # ids beside values, without a header
        parse_samples("7,1\n8,0\n9,1\n", "ids.csv")
    assert str(info.value) == f'ids.csv line 1, value 1: "7" is not a 0/1 value{suffix}'
    assert info.value.columns == ["1", "2"]
    assert read("7,1\n8,0\n9,1\n", 2)[:3] == (3, 2, [1, 0, 1])
    assert refused("id,b\n1,0\n", None) == "f.txt has 2 columns (id, b): choose one"


def test_a_list_cut_short_by_numpy_says_so():
    message = refused("[1., 1., 0., ..., 1., 0., 1.]")
    assert message.startswith("f.txt line 1, value 4: the list was printed cut short")


def test_a_bad_letter_in_a_run_is_named():
    assert refused("HHTXH") == 'f.txt line 1, character 4: "X" is not H or T'
    assert refused("HHTH\nHTTHQ") == 'f.txt line 2, character 5: "Q" is not H or T'


def test_a_list_has_no_columns():
    assert refused("[1, 0]", 1) == "f.txt is a list of values: it has no columns to choose from"


def test_a_big_grid_says_how_many_columns():
    s = parse_samples("1 0\n" * 600_000, "big.txt")
    assert (s.n, s.k) == (1_200_000, 600_000)
    assert s.reading.statement == "Read as all 1,200,000 values of the 2 columns, row by row."


def test_only_separators():
    assert refused(",,,") == "f.txt has no values (only separators)"
    assert refused("[]") == "f.txt has no data rows (only blank lines)"


# --- symbols -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines, k, shown",
    [
        (["H", "T", "H"], 2, "1 = H, 0 = T"),
        (["heads", "tails", "Heads", "TAILS"], 2, "1 = H, 0 = T"),
        (["head", "tail", "tail"], 1, "1 = H, 0 = T"),
        (["T", "H", "T"], 1, "1 = H, 0 = T"),  # T is tails among coin flips, never true
        (["yes", "no", "no"], 1, ""),
        (["true", "false", "TRUE"], 2, ""),
        (["T", "F", "T"], 2, ""),  # without an H, T is true
        (["success", "failure", "failure"], 1, "1 = success, 0 = failure"),
        (["W", "L", "L", "W"], 2, "1 = W, 0 = L"),
        (["win", "loss", "won", "lost"], 2, "1 = W, 0 = L"),
    ],
)
def test_symbol_pairs(lines, k, shown):
    n, got_k, _, _, reading = read("\n".join(lines))
    assert (n, got_k, reading.symbols.words) == (len(lines), k, shown)


def test_t_among_coin_flips_is_tails_wherever_the_h_is():
    text = "T\n" * 50 + "H\n"
    n, k, values, source, reading = read(text)
    assert (n, k, values[-1], source) == (51, 1, 1, "f.txt, 1 = H")
    assert reading.statement == "Read as 51 values, one a line; 1 = H, 0 = T; p = P(H)."


@pytest.mark.parametrize(
    "text, one, k, words",
    [
        ("H\nT\nT\n", "T", 2, "1 = T, 0 = H"),
        ("H\nT\nT\n", "tails", 2, "1 = T, 0 = H"),
        ("H\nT\nT\n", "h", 1, "1 = H, 0 = T"),
        ("1\n0\n0\n", "0", 2, "1 = 0, 0 = 1"),
        ("yes\nno\nno\n", "no", 2, "1 = 0, 0 = 1"),
        ("W L L", "L", 2, "1 = L, 0 = W"),
    ],
)
def test_the_symbol_counted_as_one_can_be_swapped(text, one, k, words):
    s = parse_samples(text, "f.txt", None, one)
    assert (s.k, s.reading.symbols.words) == (k, words)
    assert s.reading.symbols.zero == words.split(", 0 = ")[1]  # the other reading, one click away


def test_naming_a_symbol_the_data_do_not_have():
    assert refused("H\nT\n", one="1") == (
        'f.txt "1" is not one of the symbols (H and T): choose H or T as 1'
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "H\nT\n1\n0\n",
            "f.txt has 4 different symbols (0, 1, H, T): a sample holds two, e.g. 0/1 or H/T",
        ),
        (
            "H\nT\nW\n",
            "f.txt has 3 different symbols (H, T, W): a sample holds two, e.g. 0/1 or H/T",
        ),
        ("H\nF\n", "f.txt mixes 0, H, which are not one pair: write 0/1, H/T, W/L or yes/no"),
        ("H,T,X", 'f.txt line 1, value 3: "X" is not H or T'),
        ("0\n1\n2\n", 'f.txt line 3: "2" is not a 0/1 value'),
    ],
)
def test_more_than_two_symbols_are_refused_and_listed(text, message):
    assert refused(text) == message


@pytest.mark.parametrize(
    "text, values",
    [
        ("heads\n1\n0\n", [1, 0]),  # a word of another pair above 0/1 values is a name
        ("H\n1\n0\n", [1, 0]),
        ("W\ntrue\nfalse\n", [1, 0]),
        ("flips\nH\nT\n", [1, 0]),
    ],
)
def test_headers_of_another_pair_are_names(text, values):
    assert read(text)[2] == values


# --- the notebook's printed sample, pasted back -------------------------------------------


def notebook_values() -> np.ndarray:
    return np.array([int(x) for x in NOTEBOOK_CSV.read_text().split()], dtype=np.uint8)


@pytest.mark.parametrize("form", ["print", "repr", "python", "tensor"])
def test_the_notebooks_printed_sample_pasted_back(form):
    values = notebook_values()
    floats = values.astype(np.float32)
    text = {
        "print": np.array2string(floats, separator=", ", threshold=10_000),  # [1., 1., 0., ...
        "repr": repr(floats),  # array([1., 1., ...], dtype=float32)
        "python": str(values.tolist()),
        "tensor": "tensor(" + np.array2string(floats, separator=", ", threshold=10_000) + ")",
    }[form]
    if form != "python":
        assert text.count("\n") > 5  # over several lines, as printed
    s = samples.from_text(text)
    assert (s.n, s.k) == (200, 145)
    np.testing.assert_array_equal(s.values, values)
    assert s.reading.statement == "Read as a list of 200 values."


# --- properties ----------------------------------------------------------------------------

PAIRS = {
    "01": ("1", "0"),
    "words": ("true", "false"),
    "yn": ("yes", "no"),
    "coin": ("H", "T"),
    "coin words": ("heads", "tails"),
    "wl": ("W", "L"),
    "sf": ("success", "failure"),
}


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.integers(0, 1), min_size=2, max_size=60),
    pair=st.sampled_from(sorted(PAIRS)),
    layout=st.sampled_from(["lines", "row", "grid", "list"]),
    sep=st.sampled_from([",", " ", ";", "\t", ", "]),
    swap=st.booleans(),
)
def test_every_layout_and_pair_round_trips(values, pair, layout, sep, swap):
    one, zero = PAIRS[pair]
    words = [one if v else zero for v in values]
    if layout == "lines":
        text = "\n".join(words)
    elif layout == "row":
        text = sep.join(words)
    elif layout == "grid":
        width = 2 if len(words) % 2 == 0 else 1
        rows = [sep.join(words[i : i + width]) for i in range(0, len(words), width)]
        text = "\n".join(rows)
    else:
        text = "[" + ", ".join(f"'{w}'" for w in words) + "]"
    s = parse_samples(text, "p.txt", None, zero if swap else None)
    expected = [1 - v for v in values] if swap else values
    if pair == "coin" and not any(values) and not swap:
        # T alone is true (no H says these are coin flips), and the reading says so
        assert "T read as true" in s.reading.statement
        expected = [1] * len(values)
    assert (s.n, s.k, s.values.tolist()) == (len(values), sum(expected), expected)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.integers(0, 1), min_size=2, max_size=200),
    width=st.integers(1, 40),
    pair=st.sampled_from(["HT", "WL"]),
    lower=st.booleans(),
)
def test_letter_runs_round_trip(values, width, pair, lower):
    letters = "".join(pair[1 - v] for v in values)
    if lower:
        letters = letters.lower()
    text = "\n".join(letters[i : i + width] for i in range(0, len(letters), width))
    s = parse_samples(text, "runs.txt")
    if s.reading.layout == "letters":
        assert s.values.tolist() == values
    else:  # every run one letter long: one value a line, read the same
        assert width == 1
        if pair == "HT" and not any(values):  # T alone is true, and the reading says so
            assert "T read as true" in s.reading.statement
            values = [1] * len(values)
        assert s.values.tolist() == values


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="HTWL10ht ,\n[]x.", max_size=80))
def test_any_text_of_symbols_parses_or_says_why(text):
    try:
        s = parse_samples(text, "t.txt")
    except DataError as e:
        assert str(e).startswith("t.txt") and "\n" not in str(e)
    else:
        assert s.n >= 1 and s.k == int(s.values.sum()) and s.values.max() <= 1
        assert s.reading.statement.startswith("Read as ")


# --- from_text: typed values ---------------------------------------------------------------


def test_typed_values_carry_their_text_when_short():
    s = samples.from_text("HHTHTTHHHH")
    assert (s.n, s.k, s.source) == (10, 7, "typed values, letters, 1 = H")
    assert s.origin == samples.Source("text", text="HHTHTTHHHH")
    swapped = samples.from_text("HHTHTTHHHH", one="T")
    assert (swapped.k, swapped.origin.one) == (3, "T")
    assert swapped.key != s.key
    long = samples.from_text("1\n" * (samples.MAX_LINK_VALUES + 1))
    assert long.origin == samples.Source("text")  # too many values for a link
    assert samples.from_text("1\n" * samples.MAX_LINK_VALUES).origin.text is not None


def test_typed_values_errors_name_the_position():
    with pytest.raises(DataError, match=r'^typed values line 3: "2" is not a 0/1 value$'):
        samples.from_text("1\n0\n2\n")


# --- hostile input: no hang ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, outcome",
    [
        ("[" + " " * 10**6 + "1]", (1, 1)),  # a list of one value after a million spaces
        ("[" + " " * 10**6 + "]", "h.txt has no data rows (only blank lines)"),
        ("[" * 10**6, "h.txt has no data rows (only blank lines)"),
        ("1," * 10**6 + "x", 'h.txt line 1, value 1000001: "x" is not a 0/1 value'),
        ("HT" * 10**6 + "X", None),  # a long run with a stray letter: refused, quickly
        ("H" + "\t" * 10**6 + "T", (2, 1)),
        ("[" + "dtype= " * 10**5, 'h.txt line 1, value 1: "=" is not a 0/1 value'),
    ],
)
def test_hostile_text_is_read_or_refused_quickly(text, outcome):
    start = time.perf_counter()
    try:
        s = parse_samples(text, "h.txt")
        got = (s.n, s.k)
    except DataError as e:
        got = str(e)
        assert "\n" not in got and len(got) < 300
    assert time.perf_counter() - start < 5
    if outcome is not None:
        assert got == outcome
    else:
        assert isinstance(got, str)


def test_the_value_limit_holds_in_every_layout(monkeypatch):
    from bernoulli.data import parse

    monkeypatch.setattr(parse, "MAX_VALUES", 10)
    message = "f.txt has more than 10 values (the limit)"
    for text in ("H" * 11, "1," * 11, "1 0\n" * 6, "[" + "1., " * 11 + "]", "T\nH\n" * 6):
        assert refused(text) == message, text
    for text in ("H" * 10, "1," * 10, "1 0\n" * 5, "[" + "1., " * 10 + "]"):
        assert parse_samples(text, "f.txt").n == 10
