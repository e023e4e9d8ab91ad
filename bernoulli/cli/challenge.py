"""``python -m bernoulli challenge``: the challenge cards from a shell, to prepare a lesson.

    python -m bernoulli challenge list
    python -m bernoulli challenge check 3 notebook --lr 0.004 --p0 0.7

``check`` starts from the card's own settings (its ``start``) and applies the run options
given, runs the real run on the data and prints the verdict. Exit status: 0 when solved, 1 when
not, 2 for bad input (one ``error: ...`` line on stderr).
"""

from __future__ import annotations

import argparse

from bernoulli import settings as schema
from bernoulli.cli.args import InputError, Parser, check_p0, none_or, whole

_FLAGS = {f.key: f.cli for f in schema.RUN}  # link key -> command-line flag


def _option(group, f: schema.Field) -> None:
    """A run option from the settings table, absent from the arguments unless given (so the
    card's start fills it)."""
    parse = {"float": float, "int": whole, "choice": str}[f.kind]
    group.add_argument(
        f.cli,
        type=none_or(f, parse) if f.none else parse,
        choices=tuple(f.choices) or None,
        default=argparse.SUPPRESS,
        help=f"{f.help} (default: the card's start, else {f.none or f.default})",
    )


def add_parser(commands, parent: argparse.ArgumentParser) -> None:
    """The ``challenge`` command (``list`` and ``check``) under the CLI's `commands`, with the
    data arguments of `parent`."""
    challenge = commands.add_parser(
        "challenge",
        help="list the challenge cards, or check a run against one",
        description="The challenge cards of the page: goals checked from the real run.",
    )
    actions = challenge.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="print every card: goal, hint and start")
    listing.set_defaults(no_data=True)
    number = Parser(add_help=False)
    number.add_argument("number", type=whole, metavar="N", help="the card's number")
    check = actions.add_parser(
        "check",
        parents=[number, parent],
        help="run the card's start with the options given and check it",
        description="Start from card N's settings, apply the run options given, run the real "
        "run on DATA and say whether it meets the card's goal. Exit status 0 when solved, 1 "
        "when not, 2 for bad input.",
    )
    runs = check.add_argument_group("run options (each defaults to the card's start)")
    for f in schema.RUN:
        if f.name != "seed":  # (with the data: it also seeds --generate)
            _option(runs, f)


def _start_flags(start: dict) -> str:
    return " ".join(f"{_FLAGS[key]} {value}" for key, value in start.items())


def _list(out) -> int:
    from bernoulli.teach.challenges import CHALLENGES

    for card in CHALLENGES:
        print(f"{card.number}. {card.title}", file=out)
        print(f"   goal:  {card.goal}", file=out)
        print(f"   hint:  {card.hint}", file=out)
        print(f"   start: {_start_flags(card.start)}", file=out)
    return 0


def _settings(args: argparse.Namespace, card):
    """The card's start with the options given on top, as optimize.Settings."""
    from bernoulli.io import share

    start = share.decode(card.start).settings
    given = {f.name: getattr(args, f.name) for f in schema.RUN if hasattr(args, f.name)}
    check_p0(given.get("p0"))
    try:
        return start.replace(**given)
    except ValueError as e:
        raise InputError(str(e)) from None


def run(args: argparse.Namespace, sample, out) -> int:
    """``challenge list`` or ``challenge check``; the exit status."""
    if args.action == "list":
        return _list(out)
    from bernoulli.teach import challenges

    try:
        card = challenges.challenge(args.number)
    except ValueError as e:
        raise InputError(str(e)) from None
    settings = _settings(args, card)
    result = challenges.check(card.number, sample, settings)
    print(f"challenge {card.number}: {card.title}", file=out)
    print(f"goal:    {card.goal}", file=out)
    print(f"data:    {sample.source}: n = {sample.n:,}, k = {sample.k:,}", file=out)
    changed = {
        f.cli: getattr(settings, f.name)
        for f in schema.RUN
        if getattr(settings, f.name) != f.default
    }
    shown = " ".join(f"{flag} {value}" for flag, value in changed.items())
    print(f"run:     {shown or 'the defaults'}", file=out)
    print(f"verdict: {result.verdict}", file=out)
    if result.solved:
        print(f"solved.  {card.explanation}", file=out)
        return 0
    print("not solved yet.", file=out)
    return 1
