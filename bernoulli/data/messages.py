"""Messages about data: the error that carries them, and user text made safe to show."""

from __future__ import annotations


class DataError(ValueError):
    """Bad data, told in one line for the user, e.g. 'samples.csv line 7: "2" is not a 0/1 value'.

    `columns` lists the file's columns when one must be chosen (the app offers a chooser);
    otherwise it is None.
    """

    def __init__(self, message: str, columns: list[str] | None = None):
        super().__init__(message)
        self.columns = columns


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
