"""The page's presets: named runs that each show one behaviour of gradient descent.

`PRESETS` holds each preset's label and help text, `preset_settings` its settings for a
given sample. No streamlit here: the presets are data the page (and anything else) reads.
"""

from __future__ import annotations

import numpy as np

from bernoulli.engine import dynamics
from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from bernoulli.settings import DEFAULTS, NOTEBOOK_P0


def _short(x: float) -> str:
    """A number as a person writes it: 2e-5, not 2e-05."""
    return f"{x:g}".replace("e-0", "e-")


# name -> (button label, help text)
PRESETS = {
    "notebook": (
        "Replay the notebook",
        f"Its sample, p0 = {NOTEBOOK_P0}, lr = {_short(DEFAULTS['lr'])}, "
        f"{DEFAULTS['steps']} steps, {DEFAULTS['dtype']}, summed NLL: "
        "the run the notebook printed.",
    ),
    "smooth": ("Smooth convergence", "lr = 0.2/H: a monotone walk to the MLE."),
    "oscillation": ("Oscillation", "lr = 1.5/H from p0 = p̂ ∓ 0.125: p overshoots and zig-zags in."),
    "divergence": (
        "Divergence",
        "lr = 1.03 × 2/H from p0 = p̂ ∓ 0.025: the zig-zag grows until p leaves (0, 1).",
    ),
    "cycle": (
        "2-cycle (logit)",
        "Gradient descent in logit p at lr = 1.15 × 2/H (H in θ): p̂ repels, and p settles "
        "into a stable cycle between two values, one step each.",
    ),
    "chaos": (
        "Chaos (logit)",
        "Gradient descent in logit p at the smallest lr past 2/H where this sample's path never "
        "repeats and nearby paths fly apart: p wanders inside (0, 1) for good. (A sample with "
        "p̂ within a few hundredths of 0.5 has none: its map is nearly symmetric.)",
    ),
}
CYCLE_RATIOS = (1.15, 1.1, 1.05, 1.02)  # lr / (2/H) tried for a stable 2-cycle, in this order
CHAOS_RATIOS = np.round(np.arange(1.3, 8.0, 0.02), 2)  # lr / (2/H) tried for chaos, upwards
CHAOS_STEPS, CHAOS_TAIL, CHAOS_PERIOD = 1000, 200, 16  # the run, its tail read, the longest cycle
CHAOS_LYAPUNOV = 0.1  # nearby paths fly apart at least this fast (per step, in log units)


def _round(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def preset_settings(name: str, n: int, k: int) -> Settings:
    """A preset's settings for a sample of n values with k ones.

    Apart from the notebook replay, presets choose the learning rate from this sample's
    thresholds (1/H, 2/H of gradient descent on the summed NLL in p), so each shows its
    behaviour on any sample; for the notebook's they give 2e-4, 1.5e-3 and 2.05e-3.
    """
    if name == "notebook":
        return Settings()  # the engine's defaults are the notebook's run
    p_hat = lk.mle(n, k)
    if lk.on_boundary(n, k):  # no interior minimum: fall back on the notebook's curvature
        p_hat, n = 0.725, 200
    h = n / (p_hat * (1 - p_hat))
    side = -1 if p_hat > 0.3 else 1  # start on the side with more room
    if name in ("cycle", "chaos"):
        return _logit_preset(name, n, round(p_hat * n), _round(p_hat + side * 0.125, 4))
    if name == "smooth":
        return Settings(lr=_round(0.2 / h, 2), p0=NOTEBOOK_P0, dtype="float64")
    if name == "oscillation":
        return Settings(lr=_round(1.5 / h, 2), p0=_round(p_hat + side * 0.125, 4), dtype="float64")
    if name == "divergence":
        # Just past 2/H from near p̂: the zig-zag grows for a few dozen steps, then p escapes.
        return Settings(lr=_round(2.06 / h, 3), p0=_round(p_hat + side * 0.025, 4), dtype="float64")
    raise ValueError(f"unknown preset {name!r}")


def _logit_preset(name: str, n: int, k: int, p0: float) -> Settings:
    """Gradient descent in logit p past 2/H (H = n·p̂(1 − p̂), in θ), where θ's steps are
    bounded and p never leaves (0, 1): a stable 2-cycle, or chaos."""
    problem = Problem(n, k, "logit", "sum")
    stable = 2.0 / float(problem.curvature(problem.x_hat))
    if name == "cycle":
        lrs = [_round(r * stable, 3) for r in CYCLE_RATIOS]
        cycles = dynamics.two_cycles(problem, lrs)
        found = [lr for lr in lrs if lr in cycles.lr[cycles.stable]]
        lr = found[0] if found else lrs[-1]
    else:
        lr = _chaotic_lr(problem, [_round(r * stable, 3) for r in CHAOS_RATIOS], p0)
    return Settings(lr=lr, p0=p0, param="logit", steps=CHAOS_STEPS, dtype="float64")


def _chaotic_lr(problem: Problem, lrs: list[float], p0: float) -> float:
    """The first of `lrs` whose float64 path from p0 has no cycle of period <= CHAOS_PERIOD
    in its last CHAOS_TAIL steps and a Lyapunov exponent above CHAOS_LYAPUNOV (the last of
    them if none does: a sample with p̂ near 0.5 has no chaos below 8 × 2/H)."""
    rates = np.asarray(lrs, dtype=np.float64)
    x = np.full(rates.shape, float(lk.logit(p0)))
    path = np.empty((CHAOS_STEPS + 1, rates.size))
    path[0] = x
    for t in range(CHAOS_STEPS):
        path[t + 1] = x = problem.update(x, rates)
    tail = path[-CHAOS_TAIL:]
    period = dynamics.smallest_period(problem.to_p(tail), CHAOS_PERIOD, 1e-6)
    lam = dynamics.lyapunov(tail, problem, rates, np.zeros_like(rates))
    chaotic = np.flatnonzero((period == 0) & (lam > CHAOS_LYAPUNOV))
    return lrs[int(chaotic[0])] if chaotic.size else lrs[-1]
