"""Choosing a column of a several-column file, by header name or 1-based number."""

from __future__ import annotations

import operator

from bernoulli.data.messages import DataError, shown

MAX_LISTED = 1000  # above this many columns, offering a column chooser makes no sense


def index(name: str, has_header: bool, names: list[str], width: int, column) -> int:
    listed = names if width <= MAX_LISTED else None
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
