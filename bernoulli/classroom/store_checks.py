"""What every class store checks the same way, whatever keeps the data: ids, names, queries.

Kept apart from the backends so that each of them (``store``, ``store_redis``,
``store_points``) reads the same rules from one place.
"""

from __future__ import annotations

import unicodedata

NAME_MAX = 40  # characters of a typed name kept
ID_MAX = 64  # characters of a question id or a voter id
QUERY_MAX = 64_000  # characters of a run's link query


class StoreError(ValueError):
    """A request the store refuses (unknown question, a choice not in CHOICES, too many
    votes), told in one line."""


def clean_name(name: str) -> str:
    """A typed name as stored: control and format characters dropped, spaces collapsed, cut to
    NAME_MAX characters. Plain text: nothing in it is ever interpreted."""
    if not isinstance(name, str):
        raise StoreError(f"a name is text, not {type(name).__name__}")
    kept = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C") or ch == " ")
    return " ".join(kept.split())[:NAME_MAX]


def check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > ID_MAX or not value.isprintable():
        raise StoreError(f"a {what} must be printable text of 1 to {ID_MAX} characters")
    return value


def check_query(query: str, what: str = "a question's query") -> str:
    if not isinstance(query, str) or len(query) > QUERY_MAX:
        raise StoreError(f"{what} must be text of at most {QUERY_MAX:,} characters")
    return query
