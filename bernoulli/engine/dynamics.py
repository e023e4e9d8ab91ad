"""The gradient-descent update map and what its orbits do: cycles, periods, chaos, a cobweb.

One step of gradient descent is the map f(x) = x - lr · dNLL/dx of the run's parameter x (p or
θ = logit p; ``Problem.update``), with f'(x) = 1 - lr · H(x) (``Problem.slope``). Here are its
2-cycles solved from f(f(x)) = x, the tests that tell a periodic, drifting or chaotic orbit
apart (used by ``bernoulli.engine.sweep`` to classify its runs), the cobweb of one engine run and
the
start beside the MLE from which a bifurcation diagram unfolds. Everything is numpy in float64;
the batched torch engine is ``bernoulli.engine.sweep``, which imports this module (not the reverse).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bernoulli.engine.problem import Problem

CHAOS_EXPONENT = 0.005  # a chaotic orbit's Lyapunov exponent must exceed this (per step)


class _RunOptions(Protocol):
    @property
    def steps(self) -> int: ...
    @property
    def optimizer(self) -> str: ...


class OneRun(Protocol):
    """What `cobweb` reads of an engine run: ``sweep.BatchResult`` has it (sweep imports this
    module, so the type is described here, not imported)."""

    @property
    def problem(self) -> Problem: ...
    @property
    def options(self) -> _RunOptions: ...
    @property
    def lr(self) -> np.ndarray: ...
    @property
    def status(self) -> np.ndarray: ...
    @property
    def diverged_at(self) -> np.ndarray: ...
    @property
    def tail(self) -> np.ndarray: ...


def update_map(problem: Problem, p, lr: float):
    """p_{t+1} as a function of p_t for one gradient-descent step, in float64.

    Parameters
    ----------
    problem : Problem
        The data, the parameter moved and the loss scale.
    p : float or array_like
        p_t in (0, 1) (NaN outside).
    lr : float
        Learning rate.

    Returns
    -------
    float or ndarray
        The next p: p - lr dNLL/dp in p (may leave (0, 1)); σ(θ - lr dNLL/dθ) with
        θ = logit(p) in logit, always inside (0, 1).
    """
    return problem.to_p(problem.update(problem.to_x(p), lr))


@dataclass(frozen=True, eq=False)
class TwoCycles:
    """Period-2 orbits {a, b} of the gradient-descent map (f(a) = b, f(b) = a, a < b), in p."""

    lr: np.ndarray  # learning rate of each cycle found
    low: np.ndarray  # its smaller p
    high: np.ndarray  # its larger p
    multiplier: np.ndarray  # f'(a) f'(b): the cycle attracts when |multiplier| < 1

    @property
    def stable(self) -> np.ndarray:
        return np.abs(self.multiplier) < 1


def two_cycles(problem: Problem, lrs, points: int = 4001) -> TwoCycles:
    """All period-2 orbits of gradient descent, found by solving f(f(x)) = x, x != f(x).

    Parameters
    ----------
    problem : Problem
        The data, the parameter gradient descent moves (cycles are reported in p either way)
        and the loss scale.
    lrs : array_like
        Learning rates.
    points : int
        Grid on ``Problem.reach`` where sign changes of f(f(x)) - x are looked for, before
        bisection; cycles narrower than its spacing (right at a fold) can be missed.

    Returns
    -------
    TwoCycles
        One entry per cycle and learning rate. Unstable cycles matter too: in p, the basin of
        p̂ below 2/H is the interval between the two points of the unstable cycle.
    """
    lrs = np.atleast_1d(np.asarray(lrs, dtype=np.float64))
    low, high = problem.reach(lrs)
    u = np.linspace(0.0, 1.0, points + 2)[1:-1, None]  # inside: p's ends are outside the domain
    x = np.broadcast_to(low + u * (np.asarray(high) - low), (points, lrs.size))
    lr = np.broadcast_to(lrs[None, :], x.shape)

    def excess(z, rate):
        with np.errstate(all="ignore"):
            return problem.update(problem.update(z, rate), rate) - z

    values = excess(x, lr)
    with np.errstate(invalid="ignore"):
        change = (values[:-1] * values[1:] < 0) & np.isfinite(values[:-1] + values[1:])
    row, col = np.nonzero(change)
    lo, hi, lr = x[row, col], x[row + 1, col], lrs[col]
    f_lo = excess(lo, lr)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        f_mid = excess(mid, lr)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo, f_lo = np.where(left, mid, lo), np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
    a = 0.5 * (lo + hi)
    with np.errstate(all="ignore"):
        b = np.asarray(problem.update(a, lr))
        scale = 1.0 + np.abs(a)
        real = (np.abs(excess(a, lr)) <= 1e-7 * scale) & (b - a > 1e-7 * scale)  # one per cycle
        mult = np.asarray(problem.slope(a, lr)) * np.asarray(problem.slope(b, lr))
    a, b = problem.to_p(a[real]), problem.to_p(b[real])
    return TwoCycles(lr[real], np.atleast_1d(a), np.atleast_1d(b), np.atleast_1d(mult[real]))


@dataclass(frozen=True, eq=False)
class Cobweb:
    """The one-dimensional update map of gradient descent and one orbit of it, in p."""

    problem: Problem  # the data; param "p" (p -> p - lr g(p)) or "logit" (θ's map, drawn in p)
    lr: float  # learning rate
    grid: np.ndarray  # p values where the map is drawn
    image: np.ndarray  # the map's value there: p_{t+1} (may lie outside (0, 1) for param "p")
    orbit: np.ndarray  # p_0, p_1, ... of the run, ending at the step that left (0, 1) if any
    status: int  # the run's outcome code (sweep.STATUSES)
    diverged_at: int  # first step outside (0, 1), or -1

    @property
    def staircase(self) -> tuple[np.ndarray, np.ndarray]:
        """Cobweb path (p0, p0) -> (p0, p1) -> (p1, p1) -> (p1, p2) -> ..."""
        o = self.orbit
        xs = np.repeat(o, 2)[:-1]
        ys = np.repeat(o, 2)[1:]
        return xs, ys


def cobweb(run: OneRun, points: int = 801) -> Cobweb:
    """The update map on a grid of p, and the orbit of one gradient-descent run on it.

    Parameters
    ----------
    run : OneRun
        One plain gradient-descent run of ``sweep.run_batch`` that kept every point
        (``BatchOptions(steps=T, tail=T + 1)``).
    points : int
        Points of the grid on [1e-4, 1 - 1e-4] where the map is drawn.

    Returns
    -------
    Cobweb
        The map and the orbit p_0, p_1, ..., ending at the step that left (0, 1), if any.
    """
    if run.lr.size != 1 or run.tail.shape[-1] != run.options.steps + 1:
        raise ValueError("a cobweb draws one run with all its points (tail = steps + 1)")
    if run.options.optimizer != "gd":
        raise ValueError("a cobweb draws the gradient-descent map: the run must be plain gd")
    lr, diverged_at = float(run.lr), int(run.diverged_at)
    # The engine keeps the escaping value (outside (0, 1)) and NaN after it: the orbit ends there.
    orbit = run.tail.ravel()[: diverged_at + 1] if diverged_at >= 0 else run.tail.ravel().copy()
    grid = np.linspace(1e-4, 1 - 1e-4, points)
    image = np.asarray(update_map(run.problem, grid, lr), dtype=np.float64)
    return Cobweb(run.problem, lr, grid, image, orbit, int(run.status), diverged_at)


def bifurcation_start(problem: Problem, offset: float = 1e-4) -> float:
    """A start just beside the MLE (inside (0, 1)), from which the long-run behaviour unfolds."""
    p_hat = problem.mle
    return p_hat + offset if p_hat + offset < 1 else p_hat - offset


def drifting(x: np.ndarray) -> np.ndarray:
    """Runs whose points, taken every q-th step (q = 1, 2, 4, 8), each move steadily one way.

    Such a run is still on its way (creeping to p̂, or spiralling slowly towards or away
    from a fixed point or cycle), neither periodic nor chaotic. x has shape (L, m).
    """
    out = np.zeros(x.shape[1], dtype=bool)
    for q in (1, 2, 4, 8):
        if x.shape[0] < 8 * q:
            break
        with np.errstate(invalid="ignore"):
            d = x[q:] - x[:-q]  # d[t] and d[t + q] belong to the same phase t mod q
        phases = d[: (d.shape[0] // q) * q].reshape(-1, q, x.shape[1])
        up = np.all(phases > 0, axis=0)
        down = np.all(phases < 0, axis=0)
        out |= np.all(up | down, axis=0)
    return out


def smallest_period(x: np.ndarray, max_period: int, tol: float) -> np.ndarray:
    """Smallest q <= max_period with |x_t - x_{t-q}| <= tol over the last points; 0 if none.

    x has shape (L, m). The same window of the last L - max_period points is used for every q.
    """
    length, m = x.shape
    window = x[max_period:]
    found = np.zeros(m, dtype=np.int64)
    active = np.arange(m)
    for q in range(1, max_period + 1):
        if active.size == 0:
            break
        shifted = x[max_period - q : length - q, active]
        with np.errstate(invalid="ignore"):
            ok = np.max(np.abs(window[:, active] - shifted), axis=0) <= tol
        found[active[ok]] = q
        active = active[~ok]
    return found


def lyapunov(x: np.ndarray, problem: Problem, lr: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Finite-time Lyapunov exponent per step along the tail x (shape (L, m)).

    Gradient descent's map w -> w - lr g(w) has the derivative 1 - lr H(w), H the curvature of
    the NLL in the parameter. Momentum's state is (w, u) with u = lr v the step taken:
    u' = beta u + lr g(w), w' = w - u', whose Jacobian [[1 - lr H, -beta], [lr H, beta]] has
    entries of order one (in (w, v) the v row would be H times larger, and a tangent vector's
    length would swing with the rotation of a slow spiral). A tangent vector is carried through
    it and renormalized at each step.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.all(beta == 0):
            return np.mean(np.log(np.abs(problem.slope(x[:-1], lr))), axis=0)
        h = np.asarray(problem.curvature(x[:-1]), dtype=np.float64)
        a = np.ones(x.shape[1])
        b = np.zeros(x.shape[1])
        total = np.zeros(x.shape[1])
        for t in range(h.shape[0]):
            lrh = lr * h[t]
            a, b = (1.0 - lrh) * a - beta * b, lrh * a + beta * b
            norm = np.hypot(a, b)
            total += np.log(norm)
            a, b = a / norm, b / norm
        return total / h.shape[0]


def stable_window(problem: Problem, points: int = 20001) -> float | None:
    """How far past 2/H (relative: lr / (2/H) - 1) gradient descent keeps a stable 2-cycle.

    Found on a log grid of 64 offsets from 1e-9 to 1, then its edge by bisection between the
    last offset with a stable 2-cycle and the next one, to 1e-12 relative (a grid alone puts
    the edge at its last point, below the true one). None when no offset has one.
    """
    ref = 2.0 / float(problem.curvature(problem.x_hat))

    def stable(eps) -> np.ndarray:
        lrs = (1 + np.atleast_1d(np.asarray(eps, dtype=np.float64))) * ref
        cycles = two_cycles(problem, lrs, points=points)
        return np.isin(lrs, cycles.lr[cycles.stable])  # the cycles' lr are copies of lrs

    grid = np.geomspace(1e-9, 1.0, 64)  # the stable offsets are an interval from 0
    found = np.flatnonzero(stable(grid))
    if not found.size:
        return None
    last = int(found[-1])
    if last == grid.size - 1:
        return float(grid[-1])
    lo, hi = float(grid[last]), float(grid[last + 1])
    while hi - lo > 1e-12 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable(mid)[0] else (lo, mid)
    return lo
