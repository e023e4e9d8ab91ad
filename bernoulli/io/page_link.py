"""The page's own link keys (``settings.PAGE_LINK``): presenter mode and the lesson's.

    present=1  predict=1  card=4  solved=1,3  class=CODE  teach=CODE

`bernoulli.io.share` reads the run's keys; these are read here, with the same kind of notes.
"""

from __future__ import annotations

from bernoulli import settings as schema
from bernoulli.io.share import shown


def page_keys(params: dict, cards: int) -> tuple[dict, list[str]]:
    """Take the page's keys (``settings.PAGE_LINK``) out of `params` (key -> list of values).

    Returns the value of each key given, by key, and a note for each value ignored: a flag
    other than 1 or 0 gives its default; a card outside 1 to `cards` is left out (and a card
    key with no valid card is absent); a class code is its first value, cut to its length.
    """
    values: dict[str, object] = {}
    notes: list[str] = []
    for row in schema.PAGE_LINK:
        if row.key not in params:
            continue
        given = params.pop(row.key)
        if row.kind == "flag":
            flag = _flag(row, given, notes)
            values[row.key] = row.default if flag is None else flag
        elif row.kind == "card":
            card = _cards(row.key, given, cards, notes)[:1]
            values.update({row.key: card[0]} if card else {})
        elif row.kind == "cards":
            values[row.key] = tuple(sorted(set(_cards(row.key, given, cards, notes))))
        else:
            values[row.key] = given[0][: row.high]
    return values, notes


def _flag(row: schema.LinkKey, given: list[str], notes: list[str]) -> bool | None:
    """key=1 or key=0 (one value); anything else is noted and ignored (None)."""
    if len(set(given)) == 1 and given[0] in ("0", "1"):
        return given[0] == "1"
    text = f'="{shown(given[0])}"' if len(set(given)) == 1 else ""
    notes.append(f"Ignored {row.key}{text}: must be 1 ({row.words}) or 0.")
    return None


def _cards(key: str, given: list[str], high: int, notes: list[str]) -> list[int]:
    """Whole numbers from 1 to high, comma-separated (card=4, solved=1,3); bad ones noted."""
    if len(set(given)) != 1:
        notes.append(f"Ignored {key}: given {len(given)} times with different values.")
        return []
    numbers = []
    for text in given[0].split(",")[:high]:
        if text.isascii() and text.isdigit() and 1 <= int(text) <= high:
            numbers.append(int(text))
        else:
            notes.append(f'Ignored {key}="{shown(text)}": must be a card from 1 to {high}.')
    return numbers
