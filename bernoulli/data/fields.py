"""How the rows of a file split into fields, and which field of a row is the value."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from bernoulli.data import columns
from bernoulli.data.messages import shown
from bernoulli.data.symbols import unquote


@dataclass(frozen=True)
class Layout:
    """How the data rows of one file are read."""

    sep: str | None  # field separator; None splits on runs of whitespace
    index: int | None  # 0-based column to read; None when the file has one column
    label: str  # the column in messages: 'column "y"' or 'column 2'
    width: int = 1  # fields in the first data row; with index None and width > 1, all are read
    names: tuple[str, ...] | None = None  # the columns one could choose from instead


def choose_layout(
    name: str, header: str | None, first_row: str, column, forced: str | None
) -> Layout:
    """Choose the separator and resolve the caller's column, from the header and first row.

    Without a header and a column, a row of several values is all values (a row or grid).
    """
    sep = None if forced else _separator(header, first_row)
    named = [] if header is None else [unquote(x.strip()) for x in split_fields(header, sep)]
    # At least one: a row of only empty quoted fields ('"" ""') splits into none.
    width = max(len(split_fields(first_row, sep)), len(named), 1)
    # Unnamed columns go by number; numbers are only listed for a file one can choose from.
    names = [x or str(i + 1) for i, x in enumerate(named)]
    names += [str(i + 1) for i in range(len(names), min(width, columns.MAX_LISTED))]
    if forced or (header is None and column is None and width > 1):
        listed = tuple(names) if width <= columns.MAX_LISTED else None
        return Layout(sep=sep, index=None, label="", width=width, names=listed)
    index = columns.index(name, header is not None, names, width, column)
    if width == 1:
        return Layout(sep=None, index=None, label="")
    if index < len(named):
        return Layout(sep=sep, index=index, label=f'column "{shown(names[index])}"')
    return Layout(sep=sep, index=index, label=f"column {index + 1}")


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


def split_fields(line: str, sep: str | None, maxsplit: int = -1) -> list[str]:
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
