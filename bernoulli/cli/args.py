"""What every command of ``python -m bernoulli`` parses its arguments with (cli, cli_lesson)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from bernoulli import settings as schema


class InputError(ValueError):
    """Bad command-line input, told in one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """Usage mistakes in one line too (argparse would print the whole usage first)."""
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def whole(text: str) -> int:
    """An integer, also written like 1e6 or 10_000."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}")
    return int(value)


def positive_int(text: str) -> int:
    value = whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def none_or(f: schema.Field, parse: Callable) -> Callable:
    """A parser that also takes the field's text for None (p0's 'random', in any case)."""

    def parse_or_none(text: str):
        if text.strip().lower() == f.none:
            return None
        try:
            return parse(text)
        except ValueError:
            message = f"must be a number or {f.none!r}, not {text!r}"
            raise argparse.ArgumentTypeError(message) from None

    return parse_or_none


def check_p0(p0: float | None) -> None:
    """A start outside (0, 1) has nothing to optimize: an input error, like any bad setting."""
    if p0 is not None and math.isfinite(p0) and not 0 < p0 < 1:
        raise InputError(f"--p0 must be inside (0, 1) (or 'random'), not {p0:g}")
