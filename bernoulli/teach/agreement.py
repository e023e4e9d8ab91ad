"""Whether the browser's preview of a run agrees with the torch run, in one sentence.

The preview (``ui/static/scrub_engine.js``) steps the engine's update map with the engine's
own arithmetic and classifies its path by the account's rules (``bernoulli.teach.account``); on
release it hands the page its path x_t and its outcome, and the page holds them against the
torch run here. A disagreement is a bug of the preview's, said as such, never hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bernoulli.teach import account

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
class Agreement:
    """Whether the torch run did what the preview showed, in one sentence."""

    ok: bool
    text: str


def agreement(claim: dict, traj) -> Agreement:
    """The preview's claim (its path x_t and outcome, from the browser) against the torch run.

    The paths must stop at the same step and agree at every step the preview drew (a
    chaotic one for its first `CHECKED_CHAOS_STEPS`, where rounding has not yet decided it):
    to `FLOAT64_DIGITS` in p_t in float64, to `float32_units` in float32; and when the
    preview drew the whole run, so must its outcome and the step it names.
    """
    s, told = traj.settings, account.of_run(traj)
    preview = np.asarray([math.nan if v is None else v for v in claim["x"]], dtype=np.float64)
    chaotic = "chaos" in (told.outcome, claim["outcome"])
    length = min(len(traj.param), claim["steps"] + 1)  # what the preview had to draw
    checked = min(len(preview), length, CHECKED_CHAOS_STEPS + 1 if chaotic else length)
    close = close_paths(preview[:checked], traj, checked)
    whole = claim["steps"] >= s.steps
    settled = s.dtype == "float32" and told.outcome in account.SETTLED
    late = float32_units(s)[1] if settled else 0
    at, said = told.at, claim.get("at")
    same_at = at == said or (at is not None and said is not None and abs(at - said) <= late)
    same = (chaotic or len(preview) == length) and (
        not whole or (claim["outcome"] == told.outcome and same_at)
    )
    if bool(np.all(close)) and same:
        scope = f"{checked:,} steps" if whole else f"the first {checked:,} of {s.steps:,} steps"
        return Agreement(
            True, f"✓ torch confirms the preview: {told.words}, the same p at each of {scope}."
        )
    where = f"from step {int(np.flatnonzero(~close)[0])} on" if not np.all(close) else "in the end"
    return Agreement(
        False,
        f"torch and the preview disagree {where}: the preview said {claim['outcome']} (step "
        f"{said}), torch {told.outcome} (step {at}). This is a bug in the preview; the figure "
        "shows torch's run.",
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
            problem = traj.problem
            gap = np.abs(np.asarray(problem.to_p(mine)) - np.asarray(problem.to_p(theirs)))
            close = gap <= FLOAT64_DIGITS
    return close | (~np.isfinite(mine) & ~np.isfinite(theirs))
