"""What one run does, in a student's words first and the numbers after.

`advise` is the one place that says what a run will do (the sidebar, before it runs) or did
(the banner, after): both go through the same classification of a path of p, so their kind
(``KINDS``) is the same whenever the float64 forecast and the real run take the same course.

- Before the run, `forecast` steps the same optimizer in float64 closed form (no torch):
  gradient descent, heavy-ball momentum, Adam and Newton on the NLL of (n, k), in p or θ.
- After the run, the path is the run's own p_t.

The words say where p goes (walks straight in, zig-zags in, thrown out at the first step,
overshoots further each time and leaves, one big step out, keeps jumping, still walking,
stops short), then the local theory of the optimizer (1/H and 2/H for gradient descent, the
heavy-ball region lr·H < 2(1 + β), Newton's step sizes 1 and 2, Adam's step of about lr), then,
where the start is far from p̂, the first step p₁ computed exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bernoulli import likelihood as lk
from bernoulli.words import number, ratio

KINDS = ("walks", "zigzags", "leaves_first", "leaves", "bounces", "slow", "stalls", "outside")
SETTLED = 1e-5  # |p - p̂| a student reads as "at p̂" (a float32 run stops within this)
FAR = 0.1  # a start this far from p̂ is decided by its first step, not by 1/H and 2/H
ADAM_EPS = 1e-8  # torch.optim.Adam's eps


@dataclass(frozen=True)
class Advice:
    """What a run does: the kind (``KINDS``), the sentence, then the numbers."""

    kind: str  # one of KINDS
    sentence: str  # one sentence in a student's words
    theory: str  # the optimizer's local theory with its numbers
    first_step: str  # p₁ and what it means, where the start is far from p̂ ("" otherwise)
    p1: float  # the first step, float64 closed form (NaN when the start is outside (0, 1))


# --- the float64 forecast -------------------------------------------------------------------


def _derivatives(x: float, n: int, k: int, s) -> tuple[float, float]:
    """dNLL/dx and d²NLL/dx² at the run's parameter x (p or θ), float64 closed form."""
    per = 1.0 / n if s.loss == "mean" else 1.0
    if s.param == "p":
        x = np.float64(x)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # ±inf at an edge
            g = (-k / x if k else 0.0) + ((n - k) / (1.0 - x) if n - k else 0.0)
            h = (k / x**2 if k else 0.0) + ((n - k) / (1.0 - x) ** 2 if n - k else 0.0)
        return float(g * per), float(h * per)
    sig, sig_minus = _sigmoid(x), _sigmoid(-x)
    return ((n - k) * sig - k * sig_minus) * per, n * sig * sig_minus * per


def _sigmoid(x: float) -> float:
    """σ(x) for one float, without overflow (as ``likelihood.sigmoid``, faster for a scalar)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # also NaN for NaN
    return e / (1.0 + e)


def _inside(x: float, param: str) -> bool:
    return math.isfinite(x) and (param == "logit" or 0.0 <= x <= 1.0)


def forecast(n: int, k: int, s, p0: float) -> np.ndarray:
    """p_t of the run in float64 closed form, t = 0..steps (shorter when p leaves (0, 1)).

    Minibatch SGD is forecast as full-batch gradient descent (its mean step).
    """
    x = p0 if s.param == "p" else float(lk.logit(p0))
    path = [x]
    v = m = s2 = 0.0
    for t in range(1, s.steps + 1):
        if not _inside(x, s.param) or (s.param == "p" and x in (0.0, 1.0)):
            break
        g, h = _derivatives(x, n, k, s)
        if s.optimizer == "momentum":
            v = s.beta * v + g if t > 1 else g
            step = s.lr * v
        elif s.optimizer == "adam":
            m = s.beta * m + (1 - s.beta) * g
            s2 = 0.999 * s2 + 0.001 * g * g
            step = s.lr * (m / (1 - s.beta**t)) / (math.sqrt(s2 / (1 - 0.999**t)) + ADAM_EPS)
        elif s.optimizer == "newton":
            step = s.lr * g / h if h and math.isfinite(h) else math.nan
        else:
            step = s.lr * g
        new = x - step
        path.append(new)
        if new == x and s.optimizer != "adam":
            path.extend([new] * (s.steps - t))  # a fixed point: it stays
            break
        x = new
    xs = np.asarray(path, dtype=np.float64)
    return xs if s.param == "p" else np.asarray(lk.sigmoid(xs), dtype=np.float64)


def near(n: int, k: int, s, x: float) -> bool:
    """Whether the parameter x is where p̂'s local picture holds: the gradient there is within
    a factor 2 of H·(x − x̂), the straight line that 1/H and 2/H are about."""
    th = lk.thresholds(n, k, s.param, s.loss)
    if th.note:
        return False
    x_hat = lk.mle(n, k) if s.param == "p" else float(lk.logit(lk.mle(n, k)))
    line = th.curvature * (x - x_hat)
    g, _ = _derivatives(x, n, k, s)
    return line != 0 and 0.5 <= g / line <= 2.0


def first_step(n: int, k: int, s, p0: float) -> float:
    """p₁, the first step from p0 in float64 closed form (every optimizer's first step)."""
    path = forecast(n, k, s.replace(steps=1), p0)
    return float(path[1]) if len(path) > 1 else math.nan


def first_step_limit(n: int, k: int, s, p0: float) -> float | None:
    """Gradient descent in p: the lr from which the first step leaves (0, 1); else None."""
    if s.param != "p" or s.optimizer not in ("gd", "sgd", "momentum") or not 0 < p0 < 1:
        return None
    g, _ = _derivatives(p0, n, k, s)
    if g == 0:
        return None
    return (1.0 - p0) / -g if g < 0 else p0 / g


# --- the path, classified ---------------------------------------------------------------------


@dataclass(frozen=True)
class Course:
    kind: str
    at: int  # the step that matters: where p left, settled, stopped, or the last step
    crossed: bool  # p went past p̂ at least once before `at`


def _crossings(e: np.ndarray, tol: float) -> np.ndarray:
    """Steps t where the error p_t - p̂ changed sign from t - 1, both beyond tol."""
    big = np.abs(e) > tol
    flip = np.sign(e[1:]) * np.sign(e[:-1]) < 0
    return np.flatnonzero(flip & big[1:] & big[:-1]) + 1


def classify(p: np.ndarray, p_hat: float, tol: float, edges: bool = False) -> Course:
    """Where the path p_0..p_T goes (the kind of ``KINDS``) and at which step.

    `edges`: p = 0 or 1 counts as out (a run in p stops there: the NLL or its gradient is
    not finite); in logit p rounds to 0 or 1 while θ is still finite, and the run goes on.
    """
    p = np.asarray(p, dtype=np.float64)
    inside = (p > 0) & (p < 1) if edges else (p >= 0) & (p <= 1)
    out = np.flatnonzero(~inside)
    if out.size:
        t = int(out[0])
        if t == 0:
            return Course("outside", 0, False)
        crossed = _crossings(p[:t] - p_hat, tol).size > 0
        return Course("leaves_first" if t == 1 else "leaves", t, crossed)
    e = p - p_hat
    crossings = _crossings(e, max(tol, SETTLED))
    near = np.abs(e) <= max(tol, SETTLED)
    moved = np.flatnonzero(p[1:] != p[:-1])
    if near[-1]:
        within = np.abs(e) <= tol
        far = np.flatnonzero(~within if within[-1] else ~near)
        at = int(far[-1]) + 1 if far.size else 0  # within tol: the run's own converged_at
        if not within[-1] and len(p) > 1 and p[-1] == p[-2]:
            at = int(moved[-1]) + 1 if moved.size else 0  # it stopped short: where it last moved
        return Course("zigzags" if crossings.size else "walks", at, crossings.size > 0)
    last = len(p) - 1
    if crossings.size and crossings[-1] > last - max(4, last // 4):
        return Course("bounces", last, True)
    if last > 0 and p[-1] == p[-2]:
        return Course("stalls", int(moved[-1]) + 1 if moved.size else 0, crossings.size > 0)
    return Course("slow", last, crossings.size > 0)


# --- the words ---------------------------------------------------------------------------------


def _sentence(course: Course, p: np.ndarray, p_hat: float, s, ran: bool) -> str:
    """One sentence in a student's words: where p goes, and at which step (`ran`: the path is
    the run's own, not a forecast)."""
    hat = f"p̂ = {number(p_hat, 4)}"
    at = course.at
    if course.kind == "outside":
        return f"p0 = {number(p[0])} is not inside (0, 1): there is nothing to optimize."
    if course.kind == "leaves_first":
        return (
            f"The very first step throws p out of (0, 1): p jumps from p0 = {number(p[0], 4)} "
            f"to p₁ = {number(p[1], 4)}, and the run stops."
        )
    if course.kind == "leaves" and course.crossed:
        return (
            f"p overshoots {hat} by more each time and is thrown out of (0, 1) at step {at} "
            f"(p = {number(p[at], 4)})."
        )
    if course.kind == "leaves":
        return (
            f"p never gets near {hat}: one big step carries it out of (0, 1) at step {at} "
            f"(from {number(p[at - 1], 4)} to {number(p[at], 4)})."
        )
    # The step where p settles is the run's own: a float64 forecast of a float32 run may
    # settle a few steps apart, so the forecast leaves it out.
    when = f" (step {at})" if ran else ""
    if course.kind == "walks":
        return f"p walks straight to {hat} without ever passing it, and stops there{when}."
    if course.kind == "zigzags":
        return f"p overshoots {hat}, zig-zags around it, and settles there{when}."
    last = len(p) - 1
    if course.kind == "bounces":
        return (
            f"p never settles: it keeps jumping from side to side of {hat} for all {last} steps "
            f"(a cycle or chaos; last p = {number(p[-1], 4)})."
        )
    if course.kind == "stalls":
        return (
            f"p stops at {number(p[-1], 6)}, short of {hat}, at step {at}: its steps became too "
            f"small to change a {s.dtype} number."
        )
    return (
        f"p is still on its way to {hat} after all {last} steps (p = {number(p[-1], 6)}): "
        "the steps are small; a larger lr or more steps gets there."
    )


def theory(n: int, k: int, s) -> str:
    """The optimizer's local theory near p̂, with this run's numbers."""
    th = lk.thresholds(n, k, s.param, s.loss)
    if th.note:
        return th.note
    h = th.curvature
    local = f"H = {number(h, 4)} is the curvature of the {s.loss} NLL at p̂"
    if s.optimizer in ("gd", "sgd"):
        noise = " Minibatch SGD adds noise on top of this." if s.optimizer == "sgd" else ""
        return (
            f"Near p̂ each step multiplies the error by 1 − lr·H = {number(1 - s.lr * h, 4)}: "
            f"below 1/H = {number(th.monotone, 4)} p walks in, between 1/H and "
            f"2/H = {number(th.stable, 4)} it zig-zags in, above 2/H p̂ pushes it away. "
            f"Here lr = {number(s.lr, 4)} = {ratio(s.lr / th.stable)} × 2/H ({local}).{noise}"
        )
    if s.optimizer == "momentum":
        limit = 2 * (1 + s.beta)
        return (
            f"Heavy-ball momentum (β = {number(s.beta, 3)}) settles near p̂ when "
            f"0 < lr·H < 2(1 + β) = {number(limit, 4)}, i.e. lr < {number(limit / h, 4)}; "
            f"here lr·H = {ratio(s.lr * h)} ({local}). Momentum also overshoots p̂ before "
            f"settling whenever lr·H > (1 − √β)² = {number((1 - math.sqrt(s.beta)) ** 2, 3)}."
        )
    if s.optimizer == "adam":
        return (
            f"Adam divides each step by the gradient's running size, so a step moves "
            f"{'θ' if s.param == 'logit' else 'p'} by about lr = {number(s.lr, 4)} wherever "
            "it is: 1/H and 2/H do not limit it. What limits it is the lr itself: a step larger "
            "than the distance to the edge leaves (0, 1), and near p̂ Adam jitters on a scale "
            "of about lr before its running averages calm down."
        )
    if s.optimizer == "newton":
        return (
            f"Newton divides the gradient by the curvature, so H drops out: near p̂ each step "
            f"multiplies the error by 1 − lr = {number(1 - s.lr, 4)}. Step size lr = 1 jumps "
            "to the minimum of the local parabola, below 1 p walks in, between 1 and 2 it "
            f"zig-zags in, above 2 p̂ pushes it away; here lr = {number(s.lr, 4)}."
        )
    return ""


def _first_step_words(n: int, k: int, s, p: np.ndarray) -> str:
    """Where the start is far from p̂: p₁ (exact) and, for GD in p, the lr that keeps it in."""
    p0, p_hat = float(p[0]), lk.mle(n, k)
    if not 0 <= p0 <= 1 or abs(p0 - p_hat) <= FAR:
        return ""
    p1 = first_step(n, k, s, p0)
    text = (
        f"The start p0 = {number(p0, 4)} is far from p̂ = {number(p_hat, 4)}, where the "
        f"curvature is different: the first step decides. It lands on p₁ = {number(p1, 6)}."
    )
    limit = first_step_limit(n, k, s, p0)
    if limit is not None:
        text += (
            f" From this p0 every lr ≥ {number(limit, 2)} throws p out of (0, 1) at step 1; "
            "start nearer p̂ to see the zig-zag."
        )
    return text


def advise(n: int, k: int, s, p: np.ndarray | None = None) -> Advice:
    """What the run with settings `s` on (n, k) does: from its path `p`, else forecast.

    Parameters
    ----------
    n, k : int
        Number of samples and of ones.
    s : optimize.Settings
        The run's settings (s.p0 must be set when `p` is None).
    p : ndarray, optional
        The run's p_t (``Trajectory.p``); None forecasts it in float64 (`forecast`).

    Returns
    -------
    Advice
        The kind, the sentence, the optimizer's theory and the first step's words.
    """
    ran = p is not None
    if p is None:
        p = forecast(n, k, s, s.p0)
    p = np.asarray(p, dtype=np.float64)
    p_hat = lk.mle(n, k)
    course = classify(p, p_hat, s.tol, edges=s.param == "p")
    p1 = first_step(n, k, s, float(p[0])) if 0 <= p[0] <= 1 else math.nan
    return Advice(
        course.kind,
        _sentence(course, p, p_hat, s, ran),
        theory(n, k, s),
        _first_step_words(n, k, s, p),
        p1,
    )


# --- a learning rate that fits a switch --------------------------------------------------------

GD_FAMILY = ("gd", "sgd", "momentum")
ADAM_LR = {"p": 0.01, "logit": 0.05}  # Adam moves the parameter by about lr a step
WALK = 0.5  # lr·H offered when coming to gradient descent from Adam or Newton: p walks in


def fitting_lr(n: int, k: int, old, new) -> tuple[float, str]:
    """A learning rate for `new` that behaves like `old`'s, and a note saying why.

    Within gradient descent and momentum: the same lr·H (H at p̂ in the new parameter and
    loss scale), so the run does the same near p̂. To Adam: its usual rate (about the step
    it takes). To Newton: its natural step size 1 (H drops out). From Adam or Newton to
    gradient descent: lr·H = 0.5, where p walks straight in. When H is 0 or infinite (p̂ on
    the edge) the lr is kept. Returns (lr, note); the note is "" when lr is unchanged.
    """
    h_old = lk.thresholds(n, k, old.param, old.loss).curvature
    h_new = lk.thresholds(n, k, new.param, new.loss).curvature
    usable = all(math.isfinite(h) and h > 0 for h in (h_old, h_new))
    if new.optimizer == "newton":
        lr, why = 1.0, "Newton's natural step size: it jumps to the minimum of the local parabola"
        if old.optimizer == "newton":
            lr, why = old.lr, ""
    elif new.optimizer == "adam":
        lr = ADAM_LR[new.param]
        why = (
            f"Adam's usual rate: each step moves {'θ' if new.param == 'logit' else 'p'} by about lr"
        )
    elif old.optimizer in GD_FAMILY and usable:
        lr = old.lr * h_old / h_new
        why = f"the same lr·H = {ratio(old.lr * h_old)} as before (H = {number(h_new, 4)} now)"
    elif usable:
        lr = WALK / h_new
        why = f"lr·H = {WALK}: p walks straight to p̂ (H = {number(h_new, 4)})"
    else:
        lr, why = old.lr, ""
    lr = float(f"{lr:.4g}")
    if lr == old.lr or not why:
        return old.lr, ""
    return lr, f"Learning rate set to {number(lr, 4)}: {why}."
