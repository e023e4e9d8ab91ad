"""Typed or pasted values, and what every parsed sample offers: the other reading of its
layout (one column of a grid) and of its symbols (which one counts as 1), and a resample."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from bernoulli.data import samples, symbols

TEXT_PARSE = "text_parse"  # the session value holding the last TextParse
ONE = "one"  # the session value: the symbol counted as 1, None for the default
ALL_VALUES = 0  # the column choice that reads every value of a grid, row by row
PLACEHOLDER = "HHTHTTHHHH  or  1 0 1 1 0  or  [1., 0., 1.]  or one value a line"


@dataclass(frozen=True)
class TextParse:
    """The last parse of the typed text: what was parsed, its error or sample, its columns."""

    text: str
    column: int | None
    one: str | None
    error: str | None = None
    sample: samples.Sample | None = None
    columns: tuple[str, ...] | None = None  # a choice of columns (a header's, a grid's)
    grid: bool = False  # whether "all values" is one of the choices


def parse(parse_fn, column: int | None, one: str | None, last_columns):
    """Run parse_fn(column, one); (sample or None, error or None, columns, grid).

    A symbol named as 1 that the new data do not have (0/1 data after H/T) is forgotten.
    """
    try:
        try:
            sample = parse_fn(column, one)
        except samples.DataError:
            if one is None:
                raise
            sample = parse_fn(column, None)
            st.session_state[ONE] = None
    except samples.DataError as error:
        columns = tuple(error.columns) if error.columns else last_columns[0]
        return None, str(error), columns, last_columns[1] and not error.columns
    reading = sample.reading
    if reading is not None and reading.columns:
        return sample, None, reading.columns, True
    return sample, None, last_columns[0], last_columns[1]


def column_chooser(key: str, columns: tuple[str, ...], grid: bool) -> None:
    """The columns to choose from; for a grid, also every value (the reading by default)."""
    options = ([ALL_VALUES] if grid else []) + list(range(1, len(columns) + 1))

    def words(i: int) -> str:
        return "all values, row by row" if i == ALL_VALUES else f"{i}: {columns[i - 1]}"

    default = {} if key in st.session_state else {"index": 0 if grid else None}
    st.sidebar.selectbox(
        "Or read one column" if grid else "Column",
        options,
        key=key,
        format_func=words,
        placeholder="Choose the column",
        **default,
    )


def chosen_column(key: str) -> int | None:
    value = st.session_state.get(key)
    return None if value in (None, ALL_VALUES) else int(value)


def _from_line() -> None:
    """The one-line box, applied as one types, is the text."""
    st.session_state.typed = st.session_state.typed_line


def _from_area() -> None:
    """The pasted text; the one-line box shows it when it is one line."""
    text = st.session_state.typed
    st.session_state.typed_line = text.strip() if "\n" not in text.strip() else ""


def text_section(in_use: samples.Sample) -> samples.Sample:
    """A text area for typed or pasted values; the sample in it, or `in_use` if none is valid.

    A bad value keeps the text and the previous sample, with the one-line message.
    """
    state = st.session_state
    side = st.sidebar
    side.text_input(
        "Type your values (applied as you type)",
        key="typed_line",
        live="400ms",
        on_change=_from_line,
        placeholder="HHTHTTHHHH  or  1 0 1 1 0",
        help="H/T, 0/1, yes/no, true/false, W/L, success/failure: letters in a run "
        "(HHTHT) or separated by spaces or commas.",
    )
    text = side.text_area(
        "… or paste them (several lines, a CSV column, a list)",
        key="typed",
        height=110,
        on_change=_from_area,
        placeholder=PLACEHOLDER,
        help="Any natural way: HHTHT, H T H H, 1 0 1, 1,0,1, one value a line, a column of "
        "a CSV with its header, a Python or numpy list. 0/1, H/T, heads/tails, yes/no, "
        "true/false, W/L, success/failure. Ctrl+Enter (or leaving the box) applies it.",
    )
    if not text.strip():
        side.info(f"Type or paste values. Until then the page keeps using: {in_use.source}.")
        return in_use
    last = state.get(TEXT_PARSE)
    if last is not None and last.text != text:  # new text: its own columns, if any
        state.pop("text_column", None)
    column, one = chosen_column("text_column"), state.get(ONE)
    if last is None or (last.text, last.column, last.one) != (text, column, one):
        if last is not None and last.text != text:
            last = None
        before = (last.columns, last.grid) if last is not None else (None, False)
        sample, error, columns, grid = parse(
            lambda c, o: samples.from_text(text, c, o), column, one, before
        )
        last = TextParse(text, column, state.get(ONE), error, sample, columns, grid)
        state[TEXT_PARSE] = last
    if last.columns:
        column_chooser("text_column", last.columns, last.grid)
    if last.error:
        side.error(f"{last.error}  \nStill using: {in_use.source}.")
        return in_use
    return last.sample


def symbols_line(sample: samples.Sample) -> None:
    """How a parsed sample was read, in one line, and one click for the other symbol as 1."""
    reading = sample.reading
    if reading is None or sample.origin.kind not in ("upload", "text"):
        return
    side = st.sidebar
    side.caption(reading.statement)
    found = reading.symbols
    if found.words or found.pair is not symbols.BINARY:
        side.markdown(f"**1 = {found.one}** (p = P({found.one})), 0 = {found.zero}")
    other = "H" if found.note else found.zero  # T alone: true, or tails with H as 1
    side.button(
        "Read T as tails: count H as 1" if found.note else f"Count {other} as 1 instead",
        key="swap_one",
        help=f"Estimate P({other}) instead of P({found.one}).",
        on_click=lambda: st.session_state.update({ONE: other}),
    )
