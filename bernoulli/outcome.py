"""What a run's path did, as one word, and whether the browser's preview of it agrees.

`classify` reads a run's parameter path x_t and its p_t (the engine's `Trajectory`, or the
browser's preview, which classifies with the same rules in ``ui/static/scrub_engine.js``):

- ``outside``: p0 is not inside (0, 1), the run stops at step 0;
- ``escapes``: p left (0, 1), or the loss or the parameter stopped being finite, at step `at`;
- ``walks`` / ``zigzags``: |p_t − p̂| ≤ tol from step `at` to the end, without / after a sign
  change of p_t − p̂ between two steps both farther than tol from p̂;
- ``stalls``: the parameter stopped changing short of tol (the update rounds away), from `at`;
- ``cycle``: the last 96 points repeat with a period 2 ≤ q ≤ 32 within max(tol/1000, 16 eps);
- ``chaos``: gradient descent or momentum, bounded, no period, Lyapunov exponent > 0.005 a
  step along those points (``bernoulli.dynamics.lyapunov``);
- ``wanders``: Adam or Newton, bounded, neither settling nor repeating;
- ``on_its_way``: none of these: still moving steadily (or creeping) when the steps ran out.

The thresholds are those of ``bernoulli.sweep``'s classification of many runs at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bernoulli import dynamics, words
from bernoulli.problem import Problem

OUTCOMES = (
    "outside",
    "escapes",
    "walks",
    "zigzags",
    "stalls",
    "cycle",
    "chaos",
    "wanders",
    "on_its_way",
)
TAIL = 96  # the final points periods and chaos are read from
MAX_PERIOD = 32
CHAOS_EXPONENT = 0.005
EPS = {"float32": 2.0**-23, "float64": 2.0**-52}
FLOAT64_DIGITS = 1e-9  # a float64 preview may differ from torch by this much in p_t
CHECKED_CHAOS_STEPS = 10  # a chaotic path is compared this far (beyond, rounding decides it)


def float32_units(settings) -> tuple[int, int]:
    """How far a float32 preview may stray from torch: (units of the run's scale, steps).

    The units are float32 spacings at the largest |x| the path has reached so far, where its
    roundings happened. Every operation is torch's own but one: Adam's float32 square root,
    which torch takes from MKL's vector sqrt, within one unit of the correctly rounded root
    the browser computes but not always it; so Adam may stray by a few units more, and may
    settle within tol one step apart.
    """
    return (8, 1) if settings.optimizer == "adam" else (4, 0)


@dataclass(frozen=True)
class Outcome:
    """A path's outcome word, the step it names, and its period or Lyapunov exponent."""

    word: str  # one of OUTCOMES
    at: int  # where it left, settled or stopped; the last step otherwise
    period: int | None = None  # a cycle's period
    exponent: float | None = None  # chaos: the Lyapunov exponent per step


def classify(problem: Problem, settings, x: np.ndarray, p: np.ndarray, diverged_at) -> Outcome:
    """The outcome of the path x_t (the parameter) with p_t, as the preview classifies it."""
    if diverged_at == 0:
        return Outcome("outside", 0)
    if diverged_at is not None:
        return Outcome("escapes", int(diverged_at))
    x, p = np.asarray(x, dtype=np.float64), np.asarray(p, dtype=np.float64)
    e = p - problem.mle
    far = np.flatnonzero(~(np.abs(e) <= settings.tol))
    last = len(p) - 1
    if not far.size or far[-1] < last:
        big = np.abs(e) > settings.tol
        crossed = np.any((e[1:] * e[:-1] < 0) & big[1:] & big[:-1])
        return Outcome("zigzags" if crossed else "walks", int(far[-1]) + 1 if far.size else 0)
    if last > 0 and x[-1] == x[-2]:
        moved = np.flatnonzero(x[1:] != x[:-1])
        return Outcome("stalls", int(moved[-1]) + 1 if moved.size else 0)
    tail = x[-min(TAIL, len(x)) :]
    max_period = min(MAX_PERIOD, len(tail) // 2)
    if max_period < 2 or dynamics.drifting(tail[max_period:, None])[0]:
        return Outcome("on_its_way", last)
    tol = max(settings.tol / 1000, 16 * EPS[settings.dtype])
    period = int(dynamics.smallest_period(tail[:, None], max_period, tol)[0])
    if period >= 2:
        return Outcome("cycle", last, period=period)
    if period == 1:
        return Outcome("on_its_way", last)
    if settings.optimizer in ("adam", "newton"):
        return Outcome("wanders", last)
    beta = np.asarray([settings.beta if settings.optimizer == "momentum" else 0.0])
    lam = float(dynamics.lyapunov(tail[:, None], problem, np.asarray([settings.lr]), beta)[0])
    if lam > CHAOS_EXPONENT:
        return Outcome("chaos", last, exponent=lam)
    return Outcome("on_its_way", last)


def of_run(traj) -> Outcome:
    """The outcome of an engine run (a `Trajectory`)."""
    s = traj.settings
    problem = Problem(traj.n, traj.k, s.param, s.loss)
    return classify(problem, s, traj.param, traj.p, traj.diverged_at)


@dataclass(frozen=True)
class Agreement:
    """Whether the torch run did what the preview showed, in one sentence."""

    ok: bool
    text: str


def agreement(claim: dict, traj) -> Agreement:
    """The preview's claim (its path x_t and outcome, from the browser) against the torch run.

    The paths must stop at the same step and agree at every step the preview drew (a
    chaotic one for its first `CHECKED_CHAOS_STEPS`, where rounding has not yet decided it):
    to `FLOAT64_DIGITS` in p_t in float64, to `FLOAT32_UNITS` float32 units of the parameter
    in float32; and when the preview drew the whole run, so must its outcome and the step it
    names.
    """
    s = traj.settings
    got = of_run(traj)
    preview = np.asarray([math.nan if v is None else v for v in claim["x"]], dtype=np.float64)
    chaotic = got.word in ("chaos", "wanders") or claim["outcome"] in ("chaos", "wanders")
    length = min(len(traj.param), claim["steps"] + 1)  # what the preview had to draw
    checked = min(len(preview), length, CHECKED_CHAOS_STEPS + 1 if chaotic else length)
    close = close_paths(preview[:checked], traj, checked)
    whole = claim["steps"] >= s.steps
    late = float32_units(s)[1] if s.dtype == "float32" and got.word in ("walks", "zigzags") else 0
    same = (chaotic or len(preview) == length) and (
        not whole or (claim["outcome"] == got.word and abs(claim["at"] - got.at) <= late)
    )
    if bool(np.all(close)) and same:
        return Agreement(True, _agrees(got, checked, whole, s.steps))
    where = f"from step {int(np.flatnonzero(~close)[0])} on" if not np.all(close) else "in the end"
    return Agreement(
        False,
        f"torch and the preview disagree {where}: the preview said {claim['outcome']} (step "
        f"{claim['at']}), torch {got.word} (step {got.at}). This is a bug in the preview; the "
        "figure shows torch's run.",
    )


def close_paths(mine: np.ndarray, traj, steps: int) -> np.ndarray:
    """Where the preview's x_t is torch's, step by step (both not finite is the same)."""
    s, theirs = traj.settings, traj.param[:steps]
    with np.errstate(invalid="ignore"):
        if s.dtype == "float32":
            scale = np.fmax.accumulate(np.abs(theirs)).astype(np.float32)
            units = np.spacing(scale).astype(np.float64)
            close = np.abs(mine - theirs) <= float32_units(s)[0] * units
        else:
            problem = Problem(traj.n, traj.k, s.param, s.loss)
            gap = np.abs(np.asarray(problem.to_p(mine)) - np.asarray(problem.to_p(theirs)))
            close = gap <= FLOAT64_DIGITS
    return close | (~np.isfinite(mine) & ~np.isfinite(theirs))


def _agrees(got: Outcome, checked: int, whole: bool, steps: int) -> str:
    scope = f"{checked:,} steps" if whole else f"the first {checked:,} of {steps:,} steps"
    return f"✓ torch confirms the preview: {_word(got)}, the same p at each of {scope}."


def _word(got: Outcome) -> str:
    """The outcome in a few words."""
    return {
        "outside": "p0 outside (0, 1)",
        "escapes": f"p leaves (0, 1) at step {got.at:,}",
        "walks": f"walks in (step {got.at:,})",
        "zigzags": f"zig-zags in (step {got.at:,})",
        "stalls": f"stops short at step {got.at:,}",
        "cycle": f"a cycle of period {got.period}",
        "chaos": f"chaos (exponent {words.number(got.exponent or 0.0, 2)})",
        "wanders": "never settles",
        "on_its_way": "still on its way",
    }[got.word]
