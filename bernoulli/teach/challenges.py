"""Challenges that check themselves: "what happens if …" cards a teacher walks a class through.

Each card has a goal, a hint, the explanation shown once solved, and ``start``: the settings
(link keys, as ``share`` reads them) that open the card in a useful place. `check` runs the
real run (``optimize.run`` on the sample) and says, with the run's numbers, what it did
against the goal. Where a goal is "the largest lr that …", the edge is found independently by
bisection on the float64 forecast (``account.of_forecast``), and a tolerance says how near counts.
What a run did is its account (``bernoulli.teach.account``), as on the page.
No Streamlit here: the page, the tests and ``python -m bernoulli challenge`` use the same checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bernoulli.data.samples import Sample
from bernoulli.engine import likelihood as lk
from bernoulli.engine import optimize
from bernoulli.engine.problem import Problem, Thresholds
from bernoulli.settings import OPTIMIZER_NAMES
from bernoulli.teach import account, lesson
from bernoulli.teach.challenge_cards import CARDS
from bernoulli.teach.words import number, ratio

EDGE_TOLERANCE = 0.05  # "the largest lr": within 5% below the edge counts
EXACT_STEP = 3  # card 3: escape at exactly this step
CHAOS_TAIL = account.TAIL  # the last steps read for a cycle or chaos
SETTLED_KINDS = account.SETTLED  # the outcomes that end at p̂


@dataclass(frozen=True)
class Check:
    """Whether the run meets the card's goal, and why, with the run's numbers."""

    solved: bool
    verdict: str


@dataclass(frozen=True)
class Challenge:
    number: int
    title: str
    goal: str
    hint: str
    explanation: str
    start: dict  # settings to load, by link key (share.decode reads them)
    needs: dict = field(default_factory=dict, repr=False)  # Settings attributes the card fixes


@dataclass(frozen=True)
class _Run:
    """What a judge reads: the sample's counts, the settings and the real run."""

    n: int
    k: int
    s: optimize.Settings
    traj: optimize.Trajectory

    @property
    def account(self) -> account.Account:
        return account.of_run(self.traj)

    @property
    def thresholds(self) -> Thresholds:
        return Problem(self.n, self.k, self.s.param, self.s.loss).thresholds()

    @property
    def kind(self) -> str:
        return self.account.outcome


# --- independent computations ----------------------------------------------------------------


def converges(n: int, k: int, s) -> bool:
    """Whether the float64 forecast of `s` settles at p̂ within its steps."""
    exact = s.replace(p0=optimize.initial_p(s), dtype="float64")
    return account.of_forecast(n, k, exact).outcome in SETTLED_KINDS


def convergence_edge(n: int, k: int, s) -> float | None:
    """The largest lr from which the forecast of `s` still settles at p̂, by bisection.

    Starts between 2/H / 8 (which settles) and a rate that does not (2/H × 4, doubled until
    one does not); 60 halvings. None when even 2/H / 8 does not settle, or H is not finite.
    """
    stable = Problem.of(n, k, s).thresholds().stable
    if not math.isfinite(stable) or stable <= 0:
        return None
    low, high = stable / 8, stable * 4
    if not converges(n, k, s.replace(lr=low)):
        return None
    for _ in range(20):
        if not converges(n, k, s.replace(lr=high)):
            break
        low, high = high, high * 2
    else:
        return None
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if converges(n, k, s.replace(lr=mid)) else (low, mid)
    return low


# --- the judges: (run) -> (solved, verdict) ---------------------------------------------------


def _lr_words(run: _Run) -> str:
    th = run.thresholds
    return f"lr = {number(run.s.lr, 4)} = {ratio(run.s.lr / th.stable)} × 2/H"


def _zigzag(run: _Run) -> Check:
    said = run.account.sentence
    if run.kind == "zigzags":
        return Check(True, f"Solved: {said} ({_lr_words(run)}.)")
    return Check(False, f"Not yet: {said} The goal is to pass p̂ and still settle there.")


def _largest(run: _Run) -> Check:
    n, k, s = run.n, run.k, run.s
    edge = convergence_edge(n, k, s)
    if edge is None:
        return Check(False, "No learning rate settles from this start within the steps.")
    floor = (1 - EDGE_TOLERANCE) * edge
    edge_words = (
        f"the largest lr that still converges in {s.steps} steps from p0 = {number(s.p0)} is "
        f"{number(edge, 4)} ({ratio(edge / run.thresholds.stable)} × 2/H); within "
        f"{EDGE_TOLERANCE:.0%} below it (lr ≥ {number(floor, 4)}) counts"
    )
    if run.kind not in SETTLED_KINDS:
        return Check(
            False, f"Too far: {run.account.sentence} At lr = {number(s.lr, 4)}, {edge_words}."
        )
    if s.lr < floor:
        return Check(
            False,
            f"It converges at lr = {number(s.lr, 4)}, but it can go faster: {edge_words}.",
        )
    return Check(True, f"Solved: it converges at lr = {number(s.lr, 4)}; {edge_words}.")


def _escape_in_three(run: _Run) -> Check:
    step = lesson.escape_step(run.traj)
    said = run.account.sentence
    if step == EXACT_STEP:
        return Check(True, f"Solved: {said}")
    if step is None:
        return Check(False, f"Not yet: {said} The goal is to leave (0, 1) at step {EXACT_STEP}.")
    more = "raise" if step > EXACT_STEP else "lower"
    return Check(
        False, f"Not yet: p left (0, 1) at step {step}, not {EXACT_STEP} ({more} lr). {said}"
    )


def _escape_below(run: _Run) -> Check:
    th, s = run.thresholds, run.s
    step = lesson.escape_step(run.traj)
    if s.lr >= th.stable:
        return Check(
            False,
            f"{_lr_words(run)}: at or above 2/H = {number(th.stable, 4)}. The goal is an escape "
            "with lr below 2/H.",
        )
    if step is None:
        return Check(False, f"Not yet ({_lr_words(run)}): {run.account.sentence}")
    return Check(True, f"Solved: {_lr_words(run)}, below 2/H, and yet {run.account.sentence}")


def _momentum(run: _Run) -> Check:
    th, s = run.thresholds, run.s
    lr_words = f"lr = {number(s.lr, 4)} = {ratio(s.lr / th.monotone)} × 1/H"
    if s.lr >= th.monotone:
        return Check(
            False,
            f"{lr_words}: keep lr below 1/H = {number(th.monotone, 4)}, where plain "
            "gradient descent would never pass p̂.",
        )
    if run.kind != "zigzags":
        return Check(False, f"Not yet ({lr_words}): {run.account.sentence}")
    return Check(True, f"Solved: {lr_words}, below 1/H, and yet {run.account.sentence}")


def _chaos(run: _Run) -> Check:
    s = run.s
    if s.steps < 2 * CHAOS_TAIL:
        return Check(
            False,
            f"Run at least {2 * CHAOS_TAIL} steps: the last {CHAOS_TAIL} show what p settles into.",
        )
    told = run.account
    if told.outcome == "cycle":
        q = told.period
        return Check(
            False,
            f"Close: p settles into a cycle of period {q} ({_lr_words(run)}): it repeats every "
            f"{q} steps. Chaos never repeats: raise lr.",
        )
    if told.outcome == "on_its_way" and told.lyapunov is not None:
        return Check(
            False,
            f"Close: p has not settled ({_lr_words(run)}), but nearby paths do not fly apart "
            f"(Lyapunov exponent {number(told.lyapunov, 2)} ≤ {account.CHAOS_EXPONENT:g}): it "
            "is still creeping towards a cycle.",
        )
    if told.outcome != "chaos":
        return Check(False, f"Not yet ({_lr_words(run)}): {told.sentence}")
    return Check(
        True,
        f"Solved: chaos ({_lr_words(run)}). No repeat within {account.MAX_PERIOD} steps over "
        f"the last {account.TAIL}, and nearby paths fly apart (Lyapunov exponent "
        f"{number(told.lyapunov, 3)} > 0); "
        f"p wanders between {number(np.min(run.traj.p[-CHAOS_TAIL:]), 4)} and "
        f"{number(np.max(run.traj.p[-CHAOS_TAIL:]), 4)} and never leaves (0, 1).",
    )


def _adam(run: _Run) -> Check:
    step = lesson.escape_step(run.traj)
    said = run.account.sentence
    if step is None:
        return Check(False, f"Not yet (lr = {number(run.s.lr, 4)}): {said}")
    return Check(True, f"Solved (lr = {number(run.s.lr, 4)}): {said}")


def _mean(run: _Run) -> Check:
    th_sum = Problem(run.n, run.k, run.s.param, "sum").thresholds()
    said = run.account.sentence
    if run.kind != "zigzags":
        return Check(False, f"Not yet ({_lr_words(run)}): {said}")
    return Check(
        True,
        f"Solved: {said} Here 2/H = {number(run.thresholds.stable, 4)} for the mean, "
        f"n = {run.n} times the sum's 2/H = {number(th_sum.stable, 4)}.",
    )


# --- the cards ----------------------------------------------------------------------------------

_NOTES = {"optimizer": "Optimizer", "param": "Parameter", "loss": "Loss", "p0": "p0"}

_JUDGES: dict[int, Callable[[_Run], Check]] = {
    1: _zigzag,
    2: _largest,
    3: _escape_in_three,
    4: _escape_below,
    5: _momentum,
    6: _chaos,
    7: _adam,
    8: _mean,
}
CHALLENGES: tuple[Challenge, ...] = tuple(Challenge(**card) for card in CARDS)


def challenge(number_: int) -> Challenge:
    """The card numbered `number_` (1-based), or a one-line ValueError."""
    for card in CHALLENGES:
        if card.number == number_:
            return card
    raise ValueError(f"there is no challenge {number_}: they are 1 to {len(CHALLENGES)}")


def _unmet(card: Challenge, s) -> str:
    """What the card fixes that the settings do not have, in words ("" when all is set)."""
    wrong = []
    for name, value in card.needs.items():
        if getattr(s, name) != value:
            want = OPTIMIZER_NAMES.get(value, value) if name == "optimizer" else value
            have = getattr(s, name)
            have = OPTIMIZER_NAMES.get(have, have) if name == "optimizer" else have
            wrong.append(f"{_NOTES.get(name, name)} = {want} (it is {have})")
    if not wrong:
        return ""
    return f"Card {card.number} needs {' and '.join(wrong)}."


def check(number_: int, sample: Sample, settings: optimize.Settings) -> Check:
    """Run `settings` on `sample` and say whether it meets card `number_`'s goal.

    Parameters
    ----------
    number_ : int
        The card's number (``Challenge.number``).
    sample : data.Sample
        The data the run fits.
    settings : optimize.Settings
        The run's settings.

    Returns
    -------
    Check
        solved, and one or two sentences: what the run did against the goal, with its numbers.
    """
    card = challenge(number_)
    if lk.on_boundary(sample.n, sample.k):
        return Check(
            False,
            f"These data have p̂ = {number(sample.k / sample.n)}, on the edge of (0, 1): the cards "
            "need a sample with both ones and zeros.",
        )
    unmet = _unmet(card, settings)
    if unmet:
        return Check(False, unmet)
    if settings.optimizer == "sgd" and sample.values is None:
        return Check(False, "Minibatch SGD needs the sample's values, and these data have none.")
    traj = optimize.run(sample.n, sample.k, settings, sample.values)
    return _JUDGES[card.number](_Run(sample.n, sample.k, settings, traj))
