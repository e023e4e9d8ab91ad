"""What the animated figure's three panels show of one run: fixed ranges, the curve, the escape.

All axis ranges are fixed: Plotly would otherwise size them from the first frame only. Nothing
is clamped: a p that left (0, 1) is drawn at the edge of panel (a) with its true value written
beside it, and its undefined NLL is said so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Trajectory
from bernoulli.engine.problem import Problem
from bernoulli.plots.style import sig_value

ESCAPE_REACH = 0.3  # an escaped p is drawn at most this far outside [0, 1]
MAX_LINE_POINTS = 1500  # longer runs are drawn as a min/max envelope in the step panels

_BIG = float(np.finfo(np.float64).max)
_LOG10_BIG = 308.25  # just below log10(_BIG) = 308.2547: 10**x stays a float


@dataclass(frozen=True)
class Panels:
    """The ranges and static data of the three panels of one run."""

    nll_hat: float  # NLL at the MLE
    x_range: list[float]  # (a): p, with room for an escaped p
    y_range: list[float]  # (a): NLL
    mid_y: float  # middle of y_range: where an escaped p with no NLL is drawn
    escape: tuple[float, float] | None  # where the escaped p is drawn in (a)
    grid: np.ndarray  # (a): p of the NLL curve
    curve_y: np.ndarray  # (a): NLL of the curve
    loss_log: bool  # (b) on a log axis
    loss_range: list[float]  # (b), in log10 units when loss_log
    log_grad: bool  # (c) shows |dNLL/dp| on a log axis
    g_shown: np.ndarray  # (c): dNLL/dp or its size, every step
    g_range: list[float]  # (c), in log10 units when log_grad
    loss_ends: list[float | None]  # the vertical step cursor of (b), data units
    g_ends: list[float | None]  # the vertical step cursor of (c), data units
    step_end: float  # the right end of the step axes of (b) and (c)


def panels(traj: Trajectory, log_grad: bool) -> Panels:
    """The fixed ranges and static data of the three panels of `traj`."""
    nll_hat = float(lk.nll(traj.mle, traj.n, traj.k, traj.settings.loss))
    finite_nll = traj.nll[np.isfinite(traj.nll)]
    x_range, y_range, escape, grid, curve_y = _curve_panel(traj, nll_hat, finite_nll)
    mid_y = 0.5 * (y_range[0] + y_range[1])
    if escape is not None and not math.isfinite(escape[1]):
        escape = (escape[0], mid_y)
    loss_log, loss_range = _loss_range(finite_nll, nll_hat)
    g_shown, g_range = _grad_range(traj.grad, log_grad)
    # The vertical step cursors span their panel, in data units.
    return Panels(
        nll_hat=nll_hat,
        x_range=x_range,
        y_range=y_range,
        mid_y=mid_y,
        escape=escape,
        grid=grid,
        curve_y=curve_y,
        loss_log=loss_log,
        loss_range=loss_range,
        log_grad=log_grad,
        g_shown=g_shown,
        g_range=g_range,
        loss_ends=_ends(loss_range, loss_log),
        g_ends=_ends(g_range, log_grad),
        step_end=steps_range(len(traj.p) - 1)[1],
    )


def _ends(axis_range: list[float], log: bool) -> list[float | None]:
    """The bottom and top of a step panel in data units, a little beyond its range (so that
    rounding to 5 digits never leaves a sliver uncovered)."""
    lo, hi = axis_range
    pad = 0.01 * (hi - lo)
    ends = [max(lo - pad, -_BIG), min(hi + pad, _LOG10_BIG if log else _BIG)]
    return [sig_value(10**v if log else v, 5) for v in ends]


def _curve_panel(traj: Trajectory, nll_hat: float, finite_nll: np.ndarray):
    """(a): x and y ranges, the escape point, and the curve's points.

    p from 0 to 1 plus room for an escaped p; NLL from its minimum up to the highest point of
    the run (the curve itself goes to infinity at the edges), and at least to p̂ ± 3 standard
    errors, where the NLL is 4.5 above its minimum.
    """
    escape = _escape(traj)
    x_lo, x_hi = (min(0.0, escape[0]), max(1.0, escape[0])) if escape else (0.0, 1.0)
    x_range = [x_lo - 0.04, x_hi + 0.04]
    per = 1.0 / traj.n if traj.settings.loss == "mean" else 1.0
    top = max(nll_hat + 4.5 * per, float(finite_nll.max()) if finite_nll.size else -math.inf)
    y_range = _pad(nll_hat, top)
    grid = _curve_grid(traj, top, per)
    curve_y = np.asarray(lk.nll(grid, traj.n, traj.k, traj.settings.loss), dtype=np.float64)
    keep = curve_y <= y_range[1] + (y_range[1] - y_range[0])  # far above the panel: no bytes
    return x_range, y_range, escape, grid[keep], curve_y[keep]


def _loss_range(finite_nll: np.ndarray, nll_hat: float) -> tuple[bool, list[float]]:
    """(b): the loss, on a log axis when it spans more than a decade and a half."""
    loss_lo = min(float(finite_nll.min()), nll_hat) if finite_nll.size else nll_hat
    loss_hi = float(finite_nll.max()) if finite_nll.size else nll_hat + 1
    loss_log = loss_lo > 0 and loss_hi / loss_lo >= 30
    if loss_log:
        return True, _pad(math.log10(loss_lo), math.log10(loss_hi), 0.05, top=_LOG10_BIG)
    return False, _pad(loss_lo, loss_hi)


def _grad_range(g: np.ndarray, log_grad: bool) -> tuple[np.ndarray, list[float]]:
    """(c): the gradient, or its size on a log axis (range in log10 units)."""
    if not log_grad:
        finite_g = g[np.isfinite(g)]
        lo = min(float(finite_g.min()), 0.0) if finite_g.size else -1.0
        hi = max(float(finite_g.max()), 0.0) if finite_g.size else 1.0
        return g, _pad(lo, hi)
    g_shown = np.abs(g)
    positive = g_shown[np.isfinite(g_shown) & (g_shown > 0)]
    g_range = [-1.0, 1.0]
    if positive.size:
        g_range = _pad(math.log10(positive.min()), math.log10(positive.max()), 0.05)
    if g_range[1] - g_range[0] < 1:
        mid = 0.5 * (g_range[0] + g_range[1])
        g_range = [mid - 0.5, mid + 0.5]
    g_range[1] = min(g_range[1], _LOG10_BIG)  # 10**g_range[1] must stay a float
    return g_shown, g_range


def _pad(lo: float, hi: float, frac: float = 0.06, top: float = _BIG) -> list[float]:
    """[lo, hi] widened by frac of its span: finite, and its upper end at most top."""
    span = hi - lo  # inf when the ends are near ±1e308: the ends then stop at ±_BIG
    if not span > 0:
        span = abs(hi) if hi else 1.0
    return [max(lo - frac * span, -_BIG), min(hi + frac * span, top)]


def grad_label(problem: Problem, log_grad: bool) -> str:
    """Panel (c)'s gradient: dNLL/dp, which a run in θ does not step with (it uses dNLL/dθ)."""
    label = "|dNLL/dp|" if log_grad else "dNLL/dp"
    note = _stepping_note(problem)
    return f"{label} ({note})" if note else label


def grad_axes_titles(problem: Problem, log_grad: bool) -> tuple[str, str]:
    """Panel (c)'s y and x titles: the gradient drawn, and the one a θ run steps with.

    The note lies along the step axis, where it has room: up the short y-axis it would
    reach into panel (b).
    """
    y = "|dNLL/dp| (log)" if log_grad else "dNLL/dp"
    note = _stepping_note(problem)
    return y, f"step t · {note}" if note else "step t"


def _stepping_note(problem: Problem) -> str:
    """What the run steps with where it is not the dNLL/dp drawn: "θ steps use dNLL/dθ"."""
    x = problem.symbol
    return "" if problem.moves_p else f"{x} steps use dNLL/d{x}"


def steps_range(last: int) -> list[float]:
    """The step axis of (b) and (c): 0..last with a little room."""
    last = max(last, 1)
    return [-0.02 * last, 1.02 * last]


def line_xy(y: np.ndarray) -> dict:
    """x/y of a step line: every step, or a min/max envelope per bucket for long runs."""
    if len(y) <= MAX_LINE_POINTS:
        return {"x0": 0, "dx": 1, "y": y}
    buckets = np.array_split(np.arange(len(y)), MAX_LINE_POINTS // 2)
    keep = {0, len(y) - 1}
    for idx in buckets:
        part = y[idx]
        if np.isfinite(part).any():
            keep |= {int(idx[np.nanargmin(part)]), int(idx[np.nanargmax(part)])}
        else:
            keep.add(int(idx[0]))
    x = np.array(sorted(keep), dtype=np.int32)
    return {"x": x, "y": y[x]}


def _escape(traj: Trajectory) -> tuple[float, float] | None:
    """Where to draw the point that left (0, 1), at most ESCAPE_REACH beyond the edge.

    Its NLL is undefined, so it is drawn at the height of the step it jumped from (NaN when
    the run started outside).
    """
    if traj.diverged_at is None:
        return None
    t = traj.diverged_at
    p = float(traj.p[t])
    if math.isfinite(traj.nll[t]) and 0 <= p <= 1:
        return p, float(traj.nll[t])
    x = p if math.isfinite(p) else 1.0 + ESCAPE_REACH
    x = min(max(x, -ESCAPE_REACH), 1 + ESCAPE_REACH)
    return x, float(traj.nll[t - 1]) if t > 0 else float("nan")


def escape_label(traj: Trajectory) -> str:
    """Words beside the escaped point: 'p₅ = 2.422 →', then 'outside (0, 1): NLL undefined'."""
    t = traj.diverged_at
    p = float(traj.p[t])
    where = "outside (0, 1): NLL undefined" if not 0 <= p <= 1 else "NLL not finite"
    value = f"p<sub>{t}</sub> = {p:.4g}"
    if p > 1 or not math.isfinite(p):
        value += " →"
    elif p < 0:
        value = "← " + value
    return f"{value}<br>{where}"


def _curve_grid(traj: Trajectory, top: float, per: float) -> np.ndarray:
    """Values of p at which to draw the NLL curve: all of (0, 1), denser where it is shown.

    The shown part is where the NLL is below `top`: about p̂ ± sqrt(2 (top - min) / H) near
    the minimum, and at least the stretch the run went over.
    """
    p_hat = traj.mle
    inside = traj.p[(traj.p > 0) & (traj.p < 1)]
    lo, hi = (float(inside.min()), float(inside.max())) if inside.size else (p_hat, p_hat)
    if not lk.on_boundary(traj.n, traj.k):
        h = traj.n / (p_hat * (1 - p_hat)) * per
        half = 1.5 * math.sqrt(
            2 * (top - float(lk.nll(p_hat, traj.n, traj.k, traj.settings.loss))) / h
        )
        lo, hi = min(lo, p_hat - half), max(hi, p_hat + half)
    lo, hi = max(lo, 1e-9), min(hi, 1 - 1e-9)
    dense = np.linspace(lo, hi, 240) if hi > lo else np.array([])
    return np.union1d(np.union1d(np.linspace(0.0, 1.0, 161)[1:-1], dense), [p_hat])
