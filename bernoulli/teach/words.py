"""Numbers as words print them: ratios to a limit with the digits that tell them from 1, no "-0".

ratio(1.003)  -> "1.003"   (never "1" for a ratio that is not 1)
ratio(0.9996) -> "0.9996"
number(-0.0)  -> "0"
"""

from __future__ import annotations

import math


def number(x: float, digits: int = 6) -> str:
    """x to `digits` significant digits; -0 (e.g. an NLL of zero written as -(0 + 0)) as 0."""
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def ratio(x: float, digits: int = 3) -> str:
    """A ratio to a threshold, with enough significant digits to tell it from 1.

    At least `digits` significant digits; more while the text would round onto 1 (or across
    it), so 1.003 reads "1.003" and 0.99996 reads "0.99996", never "1".
    """
    x = float(x)
    if not math.isfinite(x) or x == 1:
        return f"{x:g}"
    for d in range(digits, 18):
        text = f"{x:.{d}g}"
        shown = float(text)
        if (shown > 1) == (x > 1) and shown != 1:
            return text
    return repr(x)
