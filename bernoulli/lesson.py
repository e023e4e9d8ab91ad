"""Predict, then observe: a student's prediction of a run, and the verdict once it has run.

The four outcomes a student picks from are the run's course as ``advice.classify`` reads it
(the one classification behind the sidebar's forecast and the banner), folded to four words:

    walks                         -> converges  (converges smoothly)
    zigzags                       -> zigzags    (zig-zags in)
    bounces                       -> cycles     (settles into a cycle, or chaos)
    leaves_first, leaves, outside -> escapes    (escapes (0, 1))
    slow, stalls                  -> zigzags when p went past p̂ on the way, else converges
                                     (still on its way, or stopped short: the approach so far)

The verdict's sentence is ``advice.advise``'s own sentence for the run (the same words as the
sidebar and the banner, with the run's numbers), after one clause saying right or not.
A prediction may carry a number: the step at which p escapes, or p after 10 steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bernoulli import advice
from bernoulli import likelihood as lk
from bernoulli.store import CHOICES
from bernoulli.words import number

OUTCOMES = CHOICES
LABELS = {
    "converges": "converges smoothly",
    "zigzags": "zig-zags in",
    "cycles": "settles into a cycle (or chaos)",
    "escapes": "escapes (0, 1)",
}
_KIND_OUTCOME = {
    "walks": "converges",
    "zigzags": "zigzags",
    "bounces": "cycles",
    "leaves_first": "escapes",
    "leaves": "escapes",
    "outside": "escapes",
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


def _course(n: int, k: int, settings, p) -> advice.Course:
    p = np.asarray(p, dtype=np.float64)
    return advice.classify(p, lk.mle(n, k), settings.tol, edges=settings.param == "p")


def outcome_of(course) -> str:
    """The outcome (of OUTCOMES) of an ``advice.classify`` course."""
    if course.kind in _KIND_OUTCOME:
        return _KIND_OUTCOME[course.kind]
    return "zigzags" if course.crossed else "converges"  # slow, stalls: the approach so far


def outcome(n: int, k: int, settings, p) -> str:
    """What the run did, one of OUTCOMES, from its path p_0..p_T (``Trajectory.p``).

    Parameters
    ----------
    n, k : int
        Number of samples and of ones.
    settings : optimize.Settings
        The run's settings (its tol and param decide "settled" and "out").
    p : array_like
        The run's p_t.
    """
    return outcome_of(_course(n, k, settings, p))


def escape_step(n: int, k: int, settings, p) -> int | None:
    """The step at which p left (0, 1) (or reached its edge, in p), None if it never did."""
    course = _course(n, k, settings, p)
    return course.at if _KIND_OUTCOME.get(course.kind) == "escapes" else None


def _number_words(prediction: Prediction, n: int, k: int, settings, p) -> tuple[str, bool | None]:
    """One sentence on how close the predicted number came, and whether it was close."""
    if prediction.number is None:
        return "", None
    guess = prediction.number
    if prediction.about == "escape_step":
        step = escape_step(n, k, settings, p)
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


def verdict(prediction, n: int, k: int, settings, p) -> Verdict:
    """Whether `prediction` (one of OUTCOMES, or a `Prediction`) matched the run, and why.

    Parameters
    ----------
    prediction : str or Prediction
        The outcome the student predicted, optionally with a number.
    n, k : int
        Number of samples and of ones.
    settings : optimize.Settings
        The run's settings.
    p : array_like
        The run's p_t (``Trajectory.p``).

    Returns
    -------
    Verdict
        right, the run's outcome, and one or two sentences with the run's numbers: the first
        says right or not, the second is ``advice.advise``'s sentence for the run.
    """
    if not isinstance(prediction, Prediction):
        prediction = Prediction(prediction)
    p = np.asarray(p, dtype=np.float64)
    said = advice.advise(n, k, settings, p).sentence
    happened = outcome(n, k, settings, p)
    right = prediction.outcome == happened
    if right:
        lead = f"Right: it {LABELS[happened]}."
    else:
        lead = (
            f"Not this time: you said it {LABELS[prediction.outcome]}, but it {LABELS[happened]}."
        )
    extra, close = _number_words(prediction, n, k, settings, p)
    sentence = " ".join(part for part in (lead, said, extra) if part)
    return Verdict(right, happened, sentence, close)
