"""The upload: a file of 0/1 values, parsed only when the file (or its chosen column) changes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from bernoulli import data

PARSE = "upload_parse"  # the session value holding the UploadParse


@dataclass(frozen=True)
class UploadParse:
    """What the last parse of the uploaded file found: its column choice, error and columns."""

    file_id: str
    column: int | None = None
    error: str | None = None
    columns: tuple[str, ...] | None = None  # a file of several columns: their names


def _parse(
    file, column: int | None, last: UploadParse | None
) -> tuple[UploadParse, data.Sample | None]:
    """Parse the file (its `column`); the parse state, and the sample if the file is valid."""
    content = file.getvalue()
    columns = last.columns if last is not None else None
    try:
        sample = data.parse_samples(content, file.name, column)
    except data.DataError as error:
        found = tuple(error.columns) if error.columns else columns
        return UploadParse(file.file_id, column, str(error), found), None
    return UploadParse(file.file_id, column, None, columns), sample


def upload_section(in_use: data.Sample) -> data.Sample:
    """A file upload; returns the sample in use (the new file's, or `in_use` if none is valid).

    A rejected file keeps the previous valid sample and every setting: the error is shown
    here, the page goes on with the sample it had.
    """
    state = st.session_state
    side = st.sidebar
    file = side.file_uploader(
        f"A text file of 0/1 values (up to {data.MAX_BYTES // 2**20} MB)",
        key="upload",
        help="One value a line, or a column of a CSV. 0/1, true/false, yes/no are accepted.",
    )
    if file is None:
        if in_use.origin.kind != "upload":
            side.info(f"Choose a file. Until then the page keeps using: {in_use.source}.")
        return in_use
    last = state.get(PARSE)
    if last is None or last.file_id != file.file_id:  # a new file: forget the old one's columns
        last = None
        state.upload_column = None
    column = state.get("upload_column")
    if last is None or last.column != column:
        last, parsed = _parse(file, column, last)
        state[PARSE] = last
        in_use = parsed or in_use
    if last.columns:  # a file of several columns: the user says which one holds the values
        columns = last.columns
        side.selectbox(
            "Column",
            range(1, len(columns) + 1),
            key="upload_column",
            index=None,
            format_func=lambda i: f"{i}: {columns[i - 1]}",
            placeholder="Choose the column",
            persist_state="page",
        )
    if last.error:
        side.error(f"{last.error}  \nStill using: {in_use.source}.")
    return in_use
