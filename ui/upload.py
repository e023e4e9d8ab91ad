"""The upload: a file of values, parsed only when the file, its column or its 1 changes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from bernoulli.data import samples
from ui.typed import ONE, chosen_column, column_chooser, parse

PARSE = "upload_parse"  # the session value holding the UploadParse


@dataclass(frozen=True)
class UploadParse:
    """What the last parse of the uploaded file found: its column choice, error and columns."""

    file_id: str
    column: int | None = None
    error: str | None = None
    columns: tuple[str, ...] | None = None  # a file of several columns: their names
    one: str | None = None  # the symbol counted as 1
    grid: bool = False  # whether the columns are a grid's (all values is a choice)


def _parse(file, column: int | None, last: UploadParse | None):
    """Parse the file (its `column`); the parse state, and the sample if the file is valid."""
    content = file.getvalue()
    before = (last.columns, last.grid) if last is not None else (None, False)
    sample, error, columns, grid = parse(
        lambda c, o: samples.parse_samples(content, file.name, c, o),
        column,
        st.session_state.get(ONE),
        before,
    )
    one = st.session_state.get(ONE)
    return UploadParse(file.file_id, column, error, columns, one, grid), sample


def upload_section(in_use: samples.Sample) -> samples.Sample:
    """A file upload; returns the sample in use (the new file's, or `in_use` if none is valid).

    A rejected file keeps the previous valid sample and every setting: the error is shown
    here, the page goes on with the sample it had.
    """
    state = st.session_state
    side = st.sidebar
    file = side.file_uploader(
        f"A text file of values (up to {samples.MAX_BYTES // 2**20} MB)",
        key="upload",
        help="One value a line, one row, a grid, a column of a CSV, or a list. 0/1, "
        "true/false, yes/no, H/T, heads/tails, W/L, success/failure are accepted.",
    )
    if file is None:
        if in_use.origin.kind != "upload":
            side.info(f"Choose a file. Until then the page keeps using: {in_use.source}.")
        return in_use
    last = state.get(PARSE)
    if last is None or last.file_id != file.file_id:  # a new file: forget the old one's columns
        last = None
        state.pop("upload_column", None)
    column = chosen_column("upload_column")
    if last is None or (last.column, last.one) != (column, state.get(ONE)):
        last, parsed = _parse(file, column, last)
        state[PARSE] = last
        state["upload_sample"] = parsed or state.get("upload_sample")
        in_use = parsed or in_use
    elif last.error is None and state.get("upload_sample") is not None:
        in_use = state["upload_sample"]
    if last.columns:  # a file of several columns: the user says which one holds the values
        column_chooser("upload_column", last.columns, last.grid)
    if last.error:
        side.error(f"{last.error}  \nStill using: {in_use.source}.")
    return in_use
