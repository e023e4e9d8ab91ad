"""The page's own link keys: presenter mode and the lesson's, read from the settings table."""

from __future__ import annotations

from bernoulli import settings as schema
from bernoulli.io import page_link


def test_the_pages_keys_are_taken_out_with_notes():
    params = {
        "present": ["yes"],
        "predict": ["1", "1"],
        "card": ["x,3,2"],
        "solved": ["4,1,4,99"],
        "class": ["A" * 50],
        "teach": ["T1", "T2"],
        "lr": ["0.1"],
    }
    values, notes = page_link.page_keys(params, 6)
    assert params == {"lr": ["0.1"]}  # the rest is the run's, for decode
    assert values == {
        "present": False,
        "predict": True,
        "card": 3,
        "solved": (1, 4),
        "class": "A" * 40,
        "teach": "T1",
    }
    assert notes == [
        'Ignored present="yes": must be 1 (presenter mode) or 0.',
        'Ignored card="x": must be a card from 1 to 6.',
        'Ignored solved="99": must be a card from 1 to 6.',
    ]
    values, notes = page_link.page_keys({"predict": ["1", "0"], "card": ["1", "2"]}, 6)
    assert values == {"predict": False}  # the default; no valid card: no card
    assert notes == [
        "Ignored predict: must be 1 (predict first) or 0.",
        "Ignored card: given 2 times with different values.",
    ]
    assert [row.key for row in schema.PAGE_LINK] == list(
        page_link.page_keys({row.key: ["1"] for row in schema.PAGE_LINK}, 6)[0]
    )
