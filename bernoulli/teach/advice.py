"""What a run will do before it runs, and the theory behind what it does: no words of outcome.

- `forecast` steps the same optimizer in closed form (no torch), in float64 rounded to the
  run's dtype after every step: gradient descent, heavy-ball momentum, Adam and Newton on the
  NLL of (n, k), in p or θ. ``bernoulli.teach.account`` reads its path by the same rules as a run's.
- `theory`: the local theory of the optimizer near p̂ (1/H and 2/H for gradient descent, the
  heavy-ball region lr·H < 2(1 + β), Newton's step sizes 1 and 2, Adam's step of about lr),
  each said to be local, for this optimizer and loss; `first_step_words`: where the start is
  far from p̂, the first step p₁ computed exactly.
- `fitting_lr`: a learning rate that fits a switch of optimizer, parameter or loss.
"""

from __future__ import annotations

import math

import numpy as np

from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem
from bernoulli.teach.words import number, ratio

FAR = 0.1  # a start this far from p̂ is decided by its first step, not by 1/H and 2/H
ADAM_EPS = 1e-8  # torch.optim.Adam's eps


# --- the float64 forecast -------------------------------------------------------------------


def forecast(n: int, k: int, s, p0: float) -> np.ndarray:
    """p_t of the run in closed form, t = 0..steps (shorter when p leaves (0, 1))."""
    xs = forecast_x(n, k, s, p0)
    return np.asarray(Problem.of(n, k, s).to_p(xs), dtype=np.float64)


def forecast_x(n: int, k: int, s, p0: float) -> np.ndarray:
    """The run's parameter x_t (p or θ) in float64 closed form, rounded to the run's dtype
    after each step as torch stores it, t = 0..steps (shorter when p leaves (0, 1)).

    Minibatch SGD is forecast as full-batch gradient descent (its mean step).
    """
    problem = Problem.of(n, k, s)
    store = np.float32 if s.dtype == "float32" else np.float64
    x = float(store(problem.to_x(p0)))
    path = [x]
    v = m = s2 = 0.0
    for t in range(1, s.steps + 1):
        if not problem.inside(x):
            break
        g, h = problem.derivatives(x)
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
        with np.errstate(over="ignore", invalid="ignore"):
            new = float(store(x - step))
        path.append(new)
        if new == x and s.optimizer != "adam":
            path.extend([new] * (s.steps - t))  # a fixed point: it stays
            break
        x = new
    return np.asarray(path, dtype=np.float64)


def near(n: int, k: int, s, x: float) -> bool:
    """Whether the parameter x is where p̂'s local picture holds: the gradient there is within
    a factor 2 of H·(x − x̂), the straight line that 1/H and 2/H are about."""
    problem = Problem.of(n, k, s)
    th = problem.thresholds()
    if th.note:
        return False
    line = th.curvature * (x - problem.x_hat)
    g, _ = problem.derivatives(x)
    return line != 0 and 0.5 <= g / line <= 2.0


def first_step(n: int, k: int, s, p0: float) -> float:
    """p₁, the first step from p0 in float64 closed form (every optimizer's first step)."""
    path = forecast(n, k, s.replace(steps=1), p0)
    return float(path[1]) if len(path) > 1 else math.nan


def first_step_limit(n: int, k: int, s, p0: float) -> float | None:
    """Gradient descent in p: the lr from which the first step leaves (0, 1); else None."""
    problem = Problem.of(n, k, s)
    if not problem.moves_p or s.optimizer not in ("gd", "sgd", "momentum") or not 0 < p0 < 1:
        return None
    g, _ = problem.derivatives(p0)
    if g == 0:
        return None
    return (1.0 - p0) / -g if g < 0 else p0 / g


# --- the words of the theory ------------------------------------------------------------------


def theory(n: int, k: int, s) -> str:
    """The optimizer's local theory near p̂, with this run's numbers."""
    problem = Problem.of(n, k, s)
    th = problem.thresholds()
    if th.note:
        return th.note
    h = th.curvature
    local = f"H = {number(h, 4)} is the curvature of the {s.loss} NLL in {s.param} at p̂"
    if s.optimizer in ("gd", "sgd"):
        noise = " Minibatch SGD adds noise on top of this." if s.optimizer == "sgd" else ""
        return (
            f"Near p̂ (a local statement) each step of gradient descent multiplies the error "
            f"by 1 − lr·H = {number(1 - s.lr * h, 4)}: "
            f"below 1/H = {number(th.monotone, 4)} p walks in, between 1/H and "
            f"2/H = {number(th.stable, 4)} it zig-zags in, above 2/H p̂ pushes it away. "
            f"Here lr = {number(s.lr, 4)} = {ratio(s.lr / th.stable)} × 2/H ({local}).{noise}"
        )
    if s.optimizer == "momentum":
        limit = 2 * (1 + s.beta)
        return (
            f"Near p̂ (a local statement: for starts close enough to it) heavy-ball momentum "
            f"(β = {number(s.beta, 3)}) settles at p̂ when 0 < lr·H < 2(1 + β) = "
            f"{number(limit, 4)}, i.e. lr < {number(limit / h, 4)}; here lr·H = "
            f"{ratio(s.lr * h)} ({local}). Near p̂ it also overshoots before settling whenever "
            f"lr·H > (1 − √β)² = {number((1 - math.sqrt(s.beta)) ** 2, 3)}. Farther away the "
            "curvature is different: a run may still end in a cycle or chaos, or leave (0, 1)."
        )
    if s.optimizer == "adam":
        return (
            f"Adam divides each step by the gradient's running size, so a step moves "
            f"{problem.symbol} by about lr = {number(s.lr, 4)} wherever "
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


def first_step_words(n: int, k: int, s, p: np.ndarray) -> str:
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
    h_old = Problem.of(n, k, old).thresholds().curvature
    target = Problem.of(n, k, new)
    h_new = target.thresholds().curvature
    usable = all(math.isfinite(h) and h > 0 for h in (h_old, h_new))
    if new.optimizer == "newton":
        lr, why = 1.0, "Newton's natural step size: it jumps to the minimum of the local parabola"
        if old.optimizer == "newton":
            lr, why = old.lr, ""
    elif new.optimizer == "adam":
        lr = ADAM_LR[new.param]
        why = f"Adam's usual rate: each step moves {target.symbol} by about lr"
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
