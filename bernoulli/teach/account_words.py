"""The words of a run's account (``bernoulli.teach.account``): a few words, a sentence, and why.

Each claim is one the run's numbers bear out: a step is the run's own, an inequality is
stated only where the printed numbers satisfy it, and a threshold says which optimizer and
loss it is for and that it is local (it holds near p̂).
"""

from __future__ import annotations

import math

import numpy as np

from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem
from bernoulli.settings import OPTIMIZER_NAMES
from bernoulli.teach import advice
from bernoulli.teach.words import number, ratio

TAIL = 200  # the last points read for a cycle or chaos (``account.TAIL``)
VANISHES = "which vanishes as p nears 0 or 1."


def crossings(e: np.ndarray, tol: float) -> np.ndarray:
    """Steps t where the error p_t − p̂ changed sign from t − 1, both farther than tol."""
    big = np.abs(e) > tol
    with np.errstate(invalid="ignore"):
        flip = np.sign(e[1:]) * np.sign(e[:-1]) < 0
    return np.flatnonzero(flip & big[1:] & big[:-1]) + 1


def short(c, s, last: int) -> str:
    """The outcome in a few words (the presenter's bar, the results tab, the caption)."""
    return {
        "converges": f"converges monotonically from step {c.at}",
        "zigzags": f"zig-zags in, settled from step {c.at}",
        "cycle": f"settles into a cycle of period {c.period}",
        "chaos": "chaos" + ("" if c.lyapunov is None else f" (λ = {number(c.lyapunov, 3)})"),
        "stalls": f"stalls at the {s.dtype} spacing at step {c.at}",
        "escapes": f"escapes (0, 1) at step {c.at}",
        "on_its_way": f"still on its way after {last:,} steps",
    }[c.outcome]


def sentence(c, run, ran: bool) -> str:
    """What p did in one or two sentences, in a student's words (`ran`: the run's own path,
    not a forecast, whose settling step may differ from a float32 run's by a few)."""
    p, p_hat, s = np.asarray(run.p, dtype=np.float64), run.mle, run.settings
    hat, last = f"p̂ = {number(p_hat, 4)}", len(p) - 1
    if c.outcome == "escapes":
        return _escape(c, run, hat)
    when = f" (within {s.tol:g} from step {c.at})" if ran else ""
    if c.outcome == "converges":
        return f"p walks straight to {hat} without ever passing it, and settles there{when}."
    if c.outcome == "zigzags":
        return f"p overshoots {hat}, zig-zags around it, and settles there{when}."
    if c.outcome == "cycle":
        values = ", ".join(number(v, 4) for v in p[-c.period :][:4])
        more = ", …" if c.period > 4 else ""
        return (
            f"p never settles at {hat}: it settles into a cycle of period {c.period}, "
            f"repeating every {c.period} steps ({values}{more})."
        )
    if c.outcome == "chaos":
        return (
            f"p never settles at {hat} and never repeats: chaos, jumping around it for all "
            f"{last} steps (no period up to 16; Lyapunov exponent {number(c.lyapunov, 3)} > 0 "
            f"per step: nearby starts fly apart; last p = {number(p[-1], 4)})."
        )
    if c.outcome == "stalls":
        gap = abs(p[-1] - p_hat)
        return (
            f"p stops at {number(p[-1], 6)}, {gap:.3g} short of {hat}, at step {c.at}: its "
            f"steps became too small to change a {s.dtype} number."
        )
    return _on_its_way(c, run, hat)


def _escape(c, run, hat: str) -> str:
    p, t = run.p, c.at
    if t == 0:
        return f"p0 = {number(p[0])} is not inside (0, 1): there is nothing to optimize."
    if not math.isfinite(p[t]) or not math.isfinite(run.param[t]):
        problem = run.problem
        theta = "" if problem.moves_p else f", θ = {number(run.param[t - 1], 6)}"
        return (
            f"The update at step {t} is not a number: the run stops there, with p at "
            f"{number(p[t - 1], 6)}{theta}."
        )
    if t == 1:
        return (
            f"The very first step throws p out of (0, 1): p jumps from p0 = {number(p[0], 4)} "
            f"to p₁ = {number(p[1], 4)}, and the run stops."
        )
    if c.crossed:
        return (
            f"p overshoots {hat} by more each time and is thrown out of (0, 1) at step {t} "
            f"(p = {number(p[t], 4)})."
        )
    nearest = float(np.min(np.abs(np.asarray(p[:t]) - run.mle)))
    return (
        f"p comes within {number(nearest, 3)} of {hat}, then one step carries it out of (0, 1) "
        f"at step {t} (from {number(p[t - 1], 4)} to {number(p[t], 4)})."
    )


def _on_its_way(c, run, hat: str) -> str:
    p, last = run.p, len(run.p) - 1
    gap = abs(p[-1] - run.mle)
    text = f"p is still on its way to {hat} after all {last} steps (p = {number(p[-1], 6)}, "
    text += f"|p − p̂| = {gap:.3g})"
    late = crossings(np.asarray(p[-TAIL:]) - run.mle, run.settings.tol)
    if late.size:
        return text + ": it keeps crossing p̂ without settling yet."
    if lk.on_boundary(run.n, run.k):
        if run.problem.moves_p:
            return text + f": {hat} lies on the edge of (0, 1), where p cannot settle: a step "
            "that carries p past it ends the run."
        return text + f": {hat} lies on the edge of (0, 1), which p = σ(θ) only creeps towards "
        "as θ grows without end."
    if last == 0:
        return text + "."
    return text + f": its last step moved p by {abs(p[-1] - p[-2]):.3g}."


# --- why: the numbers behind the outcome ---------------------------------------------------------


def why(c, run) -> str:
    """The numbers behind the outcome and its cause, for the banner's "Why" and the CLI."""
    s, p_hat, p = run.settings, run.mle, run.p
    if c.outcome == "escapes":
        return _why_escape(run, c.at)
    gap = abs(p[-1] - p_hat)
    if c.outcome in ("converges", "zigzags"):
        return (
            f"Converged: |p − p̂| ≤ {s.tol:g} from step {c.at} on; final p = "
            f"{number(p[-1])}, closed-form MLE p̂ = k/n = {number(p_hat)}."
        )
    if c.outcome == "stalls":
        return _why_stall(run, c.at, gap)
    th = Problem.of(run.n, run.k, s).thresholds()
    head = (
        f"Ran all {len(p) - 1} steps without settling within {s.tol:g} of p̂ = {number(p_hat)}: "
        f"final p = {number(p[-1])}, |p − p̂| = {gap:.3g}."
    )
    if c.outcome == "cycle":
        q = c.period
        head += (
            f" The last points repeat every {q} steps: |p_T − p_(T−{q})| = "
            f"{abs(p[-1] - p[-1 - q]):.3g}."
        )
    if th.note:
        return f"{head} {th.note}"
    regime = ""
    if s.optimizer in ("gd", "sgd"):
        regime = (
            f" Near p̂ the learning rate is in gradient descent's {th.regime(s.lr)} regime "
            f"(of 1/H and 2/H for the {s.loss} NLL in {s.param}: a local statement)."
        )
    return head + regime


def _why_escape(run, t: int) -> str:
    s, n, k, p = run.settings, run.n, run.k, run.p
    if t == 0:
        return (
            f"p0 = {number(p[0])} is not inside (0, 1): the {s.loss} NLL is "
            f"{number(run.loss[0])} there, so there is nothing to optimize."
        )
    if s.optimizer == "newton" and not math.isfinite(run.param[t]):
        return _why_newton_undefined(run, t)
    where = "p left (0, 1)" if not 0 <= p[t] <= 1 else "the loss became " + number(run.loss[t])
    text = (
        f"Diverged at step {t}: {where}, p_{t} = {number(p[t])} "
        f"(from p_{t - 1} = {number(p[t - 1])}, a jump of {number(p[t] - p[t - 1])}). "
    )
    problem = Problem.of(n, k, s)
    if s.optimizer == "newton" and not problem.moves_p:
        text += f"Newton divides by the curvature {_logit_curvature(s)}, {VANISHES} "
    th = problem.thresholds()
    if th.note:
        return text + th.note
    if s.optimizer != "gd":
        name = OPTIMIZER_NAMES[s.optimizer]
        return text + f"{name} with learning rate {number(s.lr)} stepped out of the domain."
    ratio_ = s.lr / th.stable
    crossed = crossings(np.asarray(p[:t]) - run.mle, s.tol).size > 0
    crossed = crossed or advice.near(n, k, s, run.param[t - 1])
    hat = f"p̂ = {number(run.mle)}"
    if ratio_ >= 1 and crossed:  # near p̂: its limit applies
        return text + (
            f"The learning rate {number(s.lr)} is {ratio(ratio_)}× the local stability limit "
            f"2/H = {number(th.stable)} of gradient descent on the {s.loss} NLL in {s.param} "
            f"(H = {number(th.curvature)} is its curvature at {hat}), so near p̂ every step "
            "overshoots p̂ by more than it corrects."
        )
    where = "below" if ratio_ < 1 else f"{ratio(ratio_)}× of"
    return text + (
        f"The learning rate {number(s.lr)} is {where} gradient descent's local limit 2/H = "
        f"{number(th.stable)} for the {s.loss} NLL in {s.param}, but that limit only holds near "
        f"{hat}, and p never came near p̂: the gradient (and the curvature) grow without bound "
        f"towards 0 and 1, so from p_{t - 1} = {number(p[t - 1])} one step of −lr·g jumps past "
        "the edge."
    )


def _logit_curvature(s) -> str:
    """Newton's divisor in θ: the curvature of the run's loss scale."""
    return "n·p(1 − p)" if s.loss == "sum" else "p(1 − p) (the mean NLL's)"


def _why_newton_undefined(run, t: int) -> str:
    """Newton's step g/H was not a number: say which of g and H made it so, and from what."""
    s = run.settings
    before, g = float(run.param[t - 1]), float(run.grad_param[t - 1])
    problem = run.problem
    g_true, h_true = problem.derivatives(before)
    name, edge = problem.symbol, problem.from_edge(before)
    near = f"p is {number(edge, 3)} from the edge" if edge else "p rounds to the edge"
    text = (
        f"Diverged at step {t}: Newton's step lr·g/H is not a number, though p did not leave "
        f"(0, 1). At {name}_{t - 1} = {number(before)} ({near}) "
    )
    most = float(np.finfo(s.dtype).max)
    with np.errstate(all="ignore"):
        quotient = np.float64(g) / np.float64(h_true)
    if not problem.moves_p and g == 0 and g_true != 0:
        side = "σ(θ) = 1/(1 + e^−θ)" if before < 0 else "σ(−θ) = 1/(1 + e^θ)"
        return text + (
            f"torch's {side} underflows to 0 in {s.dtype}, as e^|θ| overflows there "
            f"(|θ| > {math.log(most):.5g}): so the gradient and the curvature "
            f"{_logit_curvature(s)} it computes are both exactly 0, though their true values "
            f"g = {number(g_true, 3)} and H = {number(h_true, 3)} are not, and g/H = 0/0."
        )
    if h_true == 0:
        text += (
            f"the curvature H of the {s.loss} NLL is 0 even in float64 (the gradient is "
            f"g = {number(g)}), so g/H is g/0."
        )
    elif abs(quotient) > most:
        text += (
            f"the curvature H of the {s.loss} NLL is only {number(h_true, 3)}, so g/H = "
            f"{number(quotient, 3)} is more than {s.dtype} holds ({most:.3g})."
        )
    else:
        text += (
            f"the curvature H of the {s.loss} NLL (true value {number(h_true, 3)}) rounds to 0 "
            f"in {s.dtype} (the gradient is g = {number(g)}), so g/H is g/0."
        )
    if not problem.moves_p:
        text += f" Newton divides by the curvature {_logit_curvature(s)}, {VANISHES}"
    return text


def _why_stall(run, at: int, gap: float) -> str:
    s = run.settings
    formula, update = last_update(run)
    spacing = float(np.spacing(np.abs(np.asarray(run.param[-1], dtype=s.dtype))))
    name = run.problem.symbol
    shown_u = f"{abs(update):.3g}"
    if float(shown_u) < float(f"{spacing:.3g}") / 2:
        how = (
            f"is below half the {s.dtype} spacing at {name} = {number(run.param[-1])} "
            f"({spacing:.3g}), so it rounds away"
        )
    else:
        how = (
            f"rounds away in {s.dtype} arithmetic at {name} = {number(run.param[-1])}, where the "
            f"spacing of {s.dtype} numbers is {spacing:.3g}"
        )
    return (
        f"Stalled at step {at}: p stopped moving at {number(run.p[-1])}, {gap:.3g} short of "
        f"the MLE {number(run.mle)}. The update {OPTIMIZER_NAMES[s.optimizer]} computes, "
        f"{formula} = {shown_u}, {how}."
    )


def last_update(run) -> tuple[str, float]:
    """The update the optimizer computed at the last step, in float64 from torch's gradients
    (its running averages replayed for momentum and Adam): (its formula, its value)."""
    s, g = run.settings, np.asarray(run.grad_param[:-1], dtype=np.float64)
    if len(g) == 0:
        return "lr·g", 0.0
    if s.optimizer == "momentum":
        v = g[0]
        for gi in g[1:]:
            v = s.beta * v + gi
        return "lr·v (v = β·v + g, the velocity)", s.lr * v
    if s.optimizer == "adam":
        m = v = 0.0
        for gi in g:
            m, v = s.beta * m + (1 - s.beta) * gi, 0.999 * v + 0.001 * gi * gi
        t = len(g)
        hat = (m / (1 - s.beta**t)) / (math.sqrt(v / (1 - 0.999**t)) + advice.ADAM_EPS)
        return "lr·m̂/(√v̂ + ε)", s.lr * hat
    if s.optimizer == "newton":
        _, h = run.problem.derivatives(float(run.param[-2]))
        return "lr·g/H", s.lr * g[-1] / h
    return ("lr·ĝ (the minibatch gradient)" if s.optimizer == "sgd" else "lr·g"), s.lr * g[-1]
