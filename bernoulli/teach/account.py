"""One account of a run: what p did, in the page's words, with its numbers and why.

Every place that tells a run's outcome reads this account: the banner, the sidebar's forecast
(the same rules on ``advice.forecast``: the closed-form map, rounded to the run's dtype at each
step), the prediction's verdict, the results tab, the presenter's bar, the challenges and the
command line (text and JSON). It is computed once per run and kept with it (`of_run`), so the
page's cache holds it with the run.

The outcome is decided from the path p_0..p_T and the engine's status (``converged``,
``stalled``, ``max_steps``, ``diverged``) with its steps, by these rules, in this order:

1. ``escapes``: the run diverged (p left (0, 1), or the parameter or the loss stopped being
   finite) at step t = ``diverged_at``.
2. ``stalls``: the parameter stopped changing (``stalled_at``) short of |p − p̂| ≤ tol: its
   update rounds away at the dtype's spacing.
3. ``converges`` / ``zigzags``: |p_t − p̂| ≤ tol from ``converged_at`` to the end; zigzags when
   the error p_t − p̂ changed sign at least once between two steps both farther than tol.
4. Otherwise (all steps ran) the tail is read: the last ``TAIL`` points (at most).
   ``cycle`` of period m: the smallest m in 2..``MAX_PERIOD`` with |p_t − p_(t−m)| ≤
   max(tol / 1000, 16 eps of the dtype) over the tail (after its first ``MAX_PERIOD`` points),
   as ``dynamics.smallest_period`` finds it; m = 1 is a point creeping, not a cycle.
5. ``chaos``: no such period, the tail still crosses p̂ (as in 3), it is not drifting
   (``dynamics.drifting``: every 1st, 2nd, 4th or 8th point moving steadily one way), and the
   Lyapunov exponent of the update map along the tail exceeds ``CHAOS_EXPONENT`` per step: the
   mean of log|f'(x_t)| for gradient descent and SGD's mean step (f' = 1 − lr·H(x)), and for
   Newton (f' = 1 − lr·(1 − g·H'/H²)); momentum carries a tangent vector through its 2×2
   Jacobian (``dynamics.lyapunov``). Adam's step depends on its running averages and the step
   count: it has no exponent here, so it is never called chaos.
6. ``on_its_way``: none of these (still approaching, or still moving without a pattern).

x is the run's parameter (p, or θ = logit p); the sentence quotes p.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bernoulli.engine import dynamics
from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem
from bernoulli.teach import account_words, advice
from bernoulli.teach.account_words import TAIL, crossings

OUTCOMES = ("converges", "zigzags", "cycle", "chaos", "stalls", "escapes", "on_its_way")
SETTLED = ("converges", "zigzags")  # the outcomes that end at p̂
MAX_PERIOD = 16  # the longest period looked for
CHAOS_EXPONENT = dynamics.CHAOS_EXPONENT


@dataclass(frozen=True)
class Account:
    """What a run did: its outcome (of OUTCOMES), the words for it, its numbers and why."""

    outcome: str  # one of OUTCOMES
    words: str  # the outcome in a few words, e.g. "settles into a cycle of period 4"
    sentence: str  # what p did, in a student's words, with the step and the values
    why: str  # the numbers behind it and the cause ("" for a forecast)
    theory: str  # the optimizer's local theory near p̂, with this run's numbers
    first_step: str  # p₁ and what it means, where the start is far from p̂ ("" otherwise)
    at: int | None  # the step: settled from, stalled at, escaped at (None otherwise)
    period: int | None  # the cycle's period (cycle only)
    lyapunov: float | None  # the exponent per step, where the tail was read for chaos
    crossed: bool  # p went past p̂ (beyond tol) at least once
    p1: float  # the first step, float64 closed form (NaN when p0 is outside (0, 1))

    @property
    def text(self) -> str:
        """The sentence and why, as the command line prints them."""
        return f"{self.sentence} {self.why}".strip()

    def fields(self) -> dict:
        """The account as the command line's JSON gives it (NaN or inf as None)."""
        lam = self.lyapunov
        return {
            "outcome": self.outcome,
            "outcome_words": self.words,
            "period": self.period,
            "lyapunov": None if lam is None or not math.isfinite(lam) else lam,
            "sentence": self.sentence,
            "why": self.why,
            "message": self.text,
        }

    def step(self) -> tuple[str, str]:
        """The number that matters for this outcome, and what it is (the results tab's)."""
        label = {
            "converges": "steps to converge",
            "zigzags": "steps to converge",
            "stalls": "stopped moving at step",
            "escapes": "left (0, 1) at step",
        }
        if self.outcome in label:
            return label[self.outcome], f"{self.at:,}"
        if self.outcome == "cycle":
            return "period of the cycle", f"{self.period}"
        if self.outcome == "chaos":
            return "Lyapunov exponent per step", f"{self.lyapunov:.3g}"
        return "steps to converge", "— (not within tol at the end)"


@dataclass(frozen=True, eq=False)
class Course:
    """What the rules read of a path: the outcome and the numbers that decided it."""

    outcome: str
    at: int | None
    period: int | None
    lyapunov: float | None
    crossed: bool


@dataclass(frozen=True, eq=False)
class Forecast:
    """The float64 forecast of a run, with the engine's fields the rules read."""

    settings: object
    n: int
    k: int
    p: np.ndarray
    param: np.ndarray
    status: str
    diverged_at: int | None
    converged_at: int | None
    stalled_at: int | None

    @property
    def mle(self) -> float:
        return lk.mle(self.n, self.k)

    @property
    def problem(self) -> Problem:
        return Problem.of(self.n, self.k, self.settings)


def period_tolerance(tol: float, dtype: str) -> float:
    """How closely a cycle repeats: max(tol / 1000, 16 eps of the dtype) (as ``sweep``)."""
    return max(tol / 1000, 16 * float(np.finfo(dtype).eps))


def course(run) -> Course:
    """The outcome of a run (or a `Forecast`) by the rules of this module's docstring."""
    s, p = run.settings, np.asarray(run.p, dtype=np.float64)
    end = len(p) if run.diverged_at is None else run.diverged_at
    crossed = crossings(p[:end] - run.mle, s.tol).size > 0
    if run.status == "diverged":
        return Course("escapes", run.diverged_at, None, None, crossed)
    if run.status == "stalled":
        return Course("stalls", run.stalled_at, None, None, crossed)
    if run.status == "converged":
        return Course("zigzags" if crossed else "converges", run.converged_at, None, None, crossed)
    tail = p[-TAIL:]
    longest = min(MAX_PERIOD, (len(tail) - 1) // 2)
    if longest >= 2:
        q = int(dynamics.smallest_period(tail[:, None], longest, _tolerance(s))[0])
        if q >= 2:
            return Course("cycle", None, q, None, crossed)
        if q == 0 and _restless(tail, run.mle, s.tol):
            lam = exponent(run, run.param[-TAIL:])
            if lam is not None and lam > CHAOS_EXPONENT:
                return Course("chaos", None, None, lam, crossed)
            return Course("on_its_way", None, None, lam, crossed)
    return Course("on_its_way", None, None, None, crossed)


def _tolerance(s) -> float:
    return period_tolerance(s.tol, s.dtype)


def _restless(tail: np.ndarray, p_hat: float, tol: float) -> bool:
    """Still crossing p̂ in the tail and not drifting one way (rule 5's first two tests)."""
    if crossings(tail - p_hat, tol).size == 0:
        return False
    return not bool(dynamics.drifting(tail[:, None])[0])


def exponent(run, x: np.ndarray) -> float | None:
    """The Lyapunov exponent per step of the run's update map along x; None for Adam."""
    s = run.settings
    x = np.asarray(x, dtype=np.float64)
    if s.optimizer == "adam" or len(x) < 2 or not np.all(np.isfinite(x)):
        return None
    problem = Problem.of(run.n, run.k, s)
    if s.optimizer == "newton":
        with np.errstate(all="ignore"):
            slopes = np.abs(newton_slope(run.n, run.k, s, x[:-1]))
            return float(np.mean(np.log(slopes)))
    beta = s.beta if s.optimizer == "momentum" else 0.0
    lr = np.array([s.lr])
    return float(dynamics.lyapunov(x[:, None], problem, lr, np.array([beta]))[0])


def newton_slope(n: int, k: int, s, x: np.ndarray) -> np.ndarray:
    """f'(x) of Newton's map f(x) = x − lr·g/H: 1 − lr·(1 − g·H'/H²), closed form.

    g·H'/H² is ``Problem.newton_ratio``.
    """
    ratio = Problem.of(n, k, s).newton_ratio(x)
    return 1 - s.lr * (1 - ratio)


def of_run(traj) -> Account:
    """The account of an engine run (``optimize.Trajectory``), computed once and kept on it.

    Kept in the run's own ``__dict__``: a run the page caches (``ui.run_view.run_cached``)
    is stored, and comes back, with its account.
    """
    told = traj.__dict__.get("_account")
    if told is None:
        told = _tell(traj, ran=True)
        object.__setattr__(traj, "_account", told)
    return told


def of_forecast(n: int, k: int, s) -> Account:
    """The account of the float64 forecast of settings `s` (s.p0 set) on (n, k): the sidebar's."""
    return _tell(forecast(n, k, s), ran=False)


def forecast(n: int, k: int, s) -> Forecast:
    """The forecast path (``advice.forecast_x``) with the status the engine would give it."""
    problem = Problem.of(n, k, s)
    x = advice.forecast_x(n, k, s, s.p0)
    p = np.asarray(problem.to_p(x), dtype=np.float64)
    out = np.flatnonzero(~problem.inside(x))
    if out.size:
        t = int(out[0])
        return Forecast(s, n, k, p[: t + 1], x[: t + 1], "diverged", t, None, None)
    close = np.abs(p - lk.mle(n, k)) <= s.tol
    if close[-1]:
        far = np.flatnonzero(~close)
        return Forecast(s, n, k, p, x, "converged", None, int(far[-1]) + 1 if far.size else 0, None)
    if len(x) > 1 and x[-1] == x[-2]:
        moved = np.flatnonzero(x[1:] != x[:-1])
        at = int(moved[-1]) + 1 if moved.size else 0
        return Forecast(s, n, k, p, x, "stalled", None, None, at)
    return Forecast(s, n, k, p, x, "max_steps", None, None, None)


def _tell(run, ran: bool) -> Account:
    s, n, k = run.settings, run.n, run.k
    c = course(run)
    p = np.asarray(run.p, dtype=np.float64)
    p1 = advice.first_step(n, k, s, float(p[0])) if 0 <= p[0] <= 1 else math.nan
    return Account(
        outcome=c.outcome,
        words=account_words.short(c, s, len(p) - 1),
        sentence=account_words.sentence(c, run, ran),
        why=account_words.why(c, run) if ran else "",
        theory=advice.theory(n, k, s),
        first_step=advice.first_step_words(n, k, s, p),
        at=c.at,
        period=c.period,
        lyapunov=c.lyapunov,
        crossed=c.crossed,
        p1=p1,
    )
