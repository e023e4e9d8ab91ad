"""Predict, then observe: a student's prediction of a run, and the verdict once it has run.

The four outcomes a student picks from are the run's account (``bernoulli.teach.account``: the one
account behind the sidebar's forecast, the banner and the command line), folded to four words:

    converges                 -> converges  (converges smoothly)
    zigzags                   -> zigzags    (zig-zags in)
    cycle, chaos              -> cycles     (settles into a cycle, or chaos)
    escapes                   -> escapes    (escapes (0, 1))
    stalls, on_its_way        -> zigzags when p went past p̂ on the way, else converges
                                 (stopped short, or still on its way: the approach so far)

The verdict's sentence is the account's own sentence for the run (the same words as the
banner, with the run's numbers), after one clause saying right or not.
A prediction may carry a number: the step at which p escapes, or p after 10 steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bernoulli.classroom.store import CHOICES
from bernoulli.teach import account
from bernoulli.teach.words import number

OUTCOMES = CHOICES
LABELS = {
    "converges": "converges smoothly",
    "zigzags": "zig-zags in",
    "cycles": "settles into a cycle (or chaos)",
    "escapes": "escapes (0, 1)",
}
_FOLD = {
    "converges": "converges",
    "zigzags": "zigzags",
    "cycle": "cycles",
    "chaos": "cycles",
    "escapes": "escapes",
}
NUMBERS = ("escape_step", "p_at_10")  # what a prediction's number is about
STEP_TOLERANCE = 1  # an escape step this close counts as close
P_TOLERANCE = 0.02  # a p after 10 steps this close counts as close
P_AT = 10


@dataclass(frozen=True)
class Prediction:
    """What a student predicts: one of OUTCOMES and, optionally, a number about it
    (`about`: "escape_step", the step p leaves (0, 1) at; "p_at_10", p after 10 steps)."""

    outcome: str
    number: float | None = None
    about: str = "escape_step"

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"a prediction is one of {', '.join(OUTCOMES)}, not {self.outcome!r}")
        if self.about not in NUMBERS:
            raise ValueError(f"a prediction's number is about {' or '.join(NUMBERS)}")
        if self.number is not None and not math.isfinite(self.number):
            raise ValueError(f"a predicted number must be finite, not {self.number}")


@dataclass(frozen=True)
class Verdict:
    """Whether the prediction was right, what the run did, and why in the run's numbers."""

    right: bool
    outcome: str  # one of OUTCOMES: what the run did
    sentence: str  # one or two sentences (three with a number), the advice's words
    close: bool | None = None  # the predicted number was within tolerance (None: no number)


def outcome_of(told: account.Account) -> str:
    """The outcome (of OUTCOMES) of a run's account."""
    if told.outcome in _FOLD:
        return _FOLD[told.outcome]
    return "zigzags" if told.crossed else "converges"  # stalls, on its way: the approach so far


def outcome(traj) -> str:
    """What the run (``optimize.Trajectory``) did, one of OUTCOMES, from its account."""
    return outcome_of(account.of_run(traj))


def escape_step(traj) -> int | None:
    """The step at which p left (0, 1), None if it never did."""
    told = account.of_run(traj)
    return told.at if told.outcome == "escapes" else None


def _number_words(prediction: Prediction, traj) -> tuple[str, bool | None]:
    """One sentence on how close the predicted number came, and whether it was close."""
    if prediction.number is None:
        return "", None
    guess = prediction.number
    if prediction.about == "escape_step":
        step = escape_step(traj)
        if step is None:
            return (
                f"You guessed p would escape at step {number(guess)}; it never left (0, 1).",
                False,
            )
        off = abs(guess - step)
        close = off <= STEP_TOLERANCE
        return (
            f"You guessed step {number(guess)} for the escape; it escaped at step {step} "
            f"({'exactly' if off == 0 else f'{number(off)} off'}; within {STEP_TOLERANCE} "
            f"step counts as close).",
            close,
        )
    p = traj.p
    if len(p) <= P_AT:
        return (
            f"You guessed p = {number(guess, 4)} after {P_AT} steps; the run ended at step "
            f"{len(p) - 1}, when p left (0, 1).",
            False,
        )
    actual = float(p[P_AT])
    off = abs(guess - actual)
    close = off <= P_TOLERANCE
    return (
        f"You guessed p = {number(guess, 4)} after {P_AT} steps; it was {number(actual, 4)} "
        f"({number(off, 2)} off; within {P_TOLERANCE:g} counts as close).",
        close,
    )


def verdict(prediction, traj) -> Verdict:
    """Whether `prediction` (one of OUTCOMES, or a `Prediction`) matched the run, and why.

    Parameters
    ----------
    prediction : str or Prediction
        The outcome the student predicted, optionally with a number.
    traj : optimize.Trajectory
        The run.

    Returns
    -------
    Verdict
        right, the run's outcome, and one or two sentences with the run's numbers: the first
        says right or not, the second is the account's sentence for the run.
    """
    if not isinstance(prediction, Prediction):
        prediction = Prediction(prediction)
    told = account.of_run(traj)
    happened = outcome_of(told)
    right = prediction.outcome == happened
    if right:
        lead = f"Right: it {LABELS[happened]}."
    else:
        lead = (
            f"Not this time: you said it {LABELS[prediction.outcome]}, but it {LABELS[happened]}."
        )
    extra, close = _number_words(prediction, traj)
    sentence = " ".join(part for part in (lead, told.sentence, extra) if part)
    return Verdict(right, happened, sentence, close)
