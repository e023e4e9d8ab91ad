"""Many gradient-descent runs at once, as one vectorized torch computation, each run classified.

The full-batch NLL depends on the data only through n and k, so B runs with different learning
rates, starts and momenta are B copies of one small map, stepped together on tensors of length
B: p <- p - lr c (p - p̂) / (p (1 - p)) in p, theta <- theta - lr c (sigmoid(theta) - p̂) in logit,
with c = ``Problem.weight`` (n for the summed loss, 1 for the mean). Heavy-ball momentum keeps
torch.optim.SGD's v <- beta v + g, w <- w - lr v. (p - p̂)/(p(1 - p)) is exactly
-k/p + (n - k)/(1 - p) and loses no digits near p̂; ``tests/test_sweep.py`` holds these runs
against ``bernoulli.engine.optimize.run`` (real torch autograd steps) to 1e-6 in float64.

Every run gets an outcome (``STATUSES``), decided from its own numbers:

- ``diverged``: p left (0, 1) or the parameter stopped being finite, at step ``diverged_at``
  (the first such step; nothing is clamped: the tail keeps the escaping value, NaN after it);
- ``converged``: |p_t - p̂| <= tol from step ``converged_at`` to the end;
- ``oscillating``: converged, but the last step into the tolerance band crossed p̂ (the error
  flipped sign, as it does when 1/H < lr < 2/H);
- ``stalled``: the parameter stopped changing (the update rounds away), short of tol;
- ``periodic``: the last steps repeat with a period q >= 2 (``period``) within ``period_tol``;
- ``chaotic``: bounded, no period up to ``max_period``, Lyapunov exponent > ``CHAOS_EXPONENT``
  (the mean of log|map'| along the tail; a 2x2 tangent product for momentum);
- ``max_steps``: none of the above: still settling when the steps ran out.

The torch loop that steps the runs is ``bernoulli.engine.stepping``; the map's own analysis
(2-cycles, periods, Lyapunov exponents, cobweb) is ``bernoulli.engine.dynamics``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from bernoulli import settings
from bernoulli.engine import dynamics
from bernoulli.engine.problem import Problem
from bernoulli.engine.stepping import Runs, Trace, simulate_blocks

STATUSES = ("converged", "oscillating", "periodic", "chaotic", "diverged", "max_steps", "stalled")
CONVERGED, OSCILLATING, PERIODIC, CHAOTIC, DIVERGED, MAX_STEPS, STALLED = range(len(STATUSES))
STATUS_LABELS = {
    CONVERGED: "converged",
    OSCILLATING: "converged, oscillating",
    PERIODIC: "periodic cycle",
    CHAOTIC: "chaotic",
    DIVERGED: "left (0, 1)",
    MAX_STEPS: "not yet converged",
    STALLED: "stalled (rounding)",
}
OPTIMIZERS = ("gd", "momentum")
_DTYPES = {"float32": torch.float32, "float64": torch.float64}
CHAOS_EXPONENT = dynamics.CHAOS_EXPONENT  # a chaotic run's exponent must exceed this


@dataclass(frozen=True)
class BatchOptions:
    """How the runs of a batch are stepped and classified: one value for the whole batch."""

    steps: int = settings.DEFAULTS["steps"]  # steps T per run: the points t = 0..T
    optimizer: str = settings.DEFAULTS["optimizer"]  # "gd", or "momentum" (torch.optim.SGD's)
    beta: float | np.ndarray = settings.DEFAULTS["beta"]  # in [0, 1), or one per run; gd: unused
    dtype: str = "float64"  # the runs' arithmetic: a sweep is a reference, so float64
    tol: float = settings.DEFAULTS["tol"]  # converged once |p_t - p̂| <= tol until the end
    tail: int = 96  # final points kept (steps + 1 keeps all); periods are looked for in them
    max_period: int = 32  # longest period looked for (at most half the tail); longer is chaos
    period_tol: float | None = None  # how closely the tail repeats; None: max(tol/1000, 16 eps)

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be a whole number >= {low}, not {value!r}"
            for name, low in (("steps", 1), ("tail", 2), ("max_period", 2))
            if not (isinstance(value := getattr(self, name), int | np.integer) and value >= low)
        ]
        if self.dtype not in _DTYPES:
            problems.append(f'dtype must be "float32" or "float64", not {self.dtype!r}')
        if self.optimizer not in OPTIMIZERS:
            problems.append(f'the batched engine runs "gd" or "momentum", not {self.optimizer!r}')
        if not (math.isfinite(self.tol) and self.tol > 0):
            problems.append(f"tol must be a positive number, not {self.tol}")
        beta = np.atleast_1d(self.momentum)
        if not np.all(ok := (beta >= 0) & (beta < 1)):
            problems.append(f"beta must be in [0, 1), got {beta[~ok][0]}")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def long_run(cls, transient: int = 4000, keep: int = 128, **fields) -> BatchOptions:
        """Options that keep the ``keep`` points after ``transient`` steps (the long run)."""
        fields.setdefault("max_period", min(64, keep // 2))
        return cls(steps=transient + keep - 1, tail=keep, **fields)

    @property
    def momentum(self) -> np.ndarray:
        """Each run's beta as float64: 0 for plain gradient descent."""
        return np.asarray(self.beta if self.optimizer == "momentum" else 0.0, dtype=np.float64)

    @property
    def kept(self) -> int:
        """How many final points are kept: the tail, or the whole run when it is shorter."""
        return min(int(self.tail), self.steps + 1)

    @property
    def period_tolerance(self) -> float:
        """``period_tol``, or by default max(tol / 1000, 16 eps) of the dtype."""
        default = max(self.tol / 1000, 16 * float(np.finfo(self.dtype).eps))
        return default if self.period_tol is None else self.period_tol


DEFAULT_OPTIONS = BatchOptions()


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Outcome of a batch of runs; every array has the broadcast shape of (lr, p0, beta)."""

    problem: Problem  # the data, the parameter the runs moved and the loss scale
    options: BatchOptions  # steps, optimizer, dtype, tolerances
    lr: np.ndarray  # learning rate of each run, float64
    p0: np.ndarray  # starting p of each run, float64
    beta: np.ndarray  # momentum of each run (0 for plain gradient descent), float64
    p: np.ndarray  # final p_T, float64; NaN when the run diverged
    nll: np.ndarray  # NLL(p_T) in the loss scale, float64 closed form; NaN when diverged
    status: np.ndarray  # int8 index into STATUSES
    diverged_at: np.ndarray  # int64 first step outside (0, 1) or non-finite; -1 if none
    converged_at: np.ndarray  # int64 first step of the final stay within tol; -1 if none
    period: np.ndarray  # int64 period q >= 2 of periodic runs; 0 otherwise
    lyapunov: np.ndarray  # float64 exponent along the tail; NaN where not needed
    tail: np.ndarray  # p over the last L steps, shape (..., L), float64; NaN after divergence

    @property
    def mle(self) -> float:
        return self.problem.mle

    @property
    def shape(self) -> tuple[int, ...]:
        return self.status.shape

    def labels(self) -> np.ndarray:
        """Plain-words outcome of each run, e.g. "periodic cycle" (see STATUS_LABELS)."""
        names = np.array([STATUS_LABELS[i] for i in range(len(STATUSES))], dtype=object)
        return names[self.status]

    def count(self, status: int) -> int:
        """How many runs ended with this status code."""
        return int(np.count_nonzero(self.status == status))


def run_batch(
    problem: Problem,
    starts,
    lrs,
    options: BatchOptions = DEFAULT_OPTIONS,
    progress: Callable[[float], None] | None = None,
) -> BatchResult:
    """Run many independent gradient-descent (or momentum) runs at once and classify each.

    Parameters
    ----------
    problem : Problem
        The data (n, k), the parameter moved (p or logit p) and the loss scale.
    starts, lrs : float or array_like
        Starting values of p (outside (0, 1): diverged at step 0); learning rates, > 0.
    options : BatchOptions
        Steps, optimizer, beta, dtype, and the tolerances of the classification.
    progress : callable, optional
        Called with the fraction done (0 < f <= 1) about 20 times during a run.

    Returns
    -------
    BatchResult
        Final p and NLL, status, divergence and convergence steps, period, Lyapunov exponent
        and the tail of p, each shaped like ``broadcast(lrs, starts, options.beta)``.
    """
    lr_a, p0_a, beta_a = np.broadcast_arrays(
        np.asarray(lrs, dtype=np.float64), np.asarray(starts, dtype=np.float64), options.momentum
    )
    if not np.all(np.isfinite(lr_a) & (lr_a > 0)):
        bad = lr_a[~(np.isfinite(lr_a) & (lr_a > 0))].flat[0]
        raise ValueError(f"learning rates must be finite and > 0, got {bad}")
    shape = lr_a.shape
    as_tensor = partial(torch.tensor, dtype=_DTYPES[options.dtype])
    momentum = as_tensor(beta_a.ravel()) if options.optimizer == "momentum" else None
    runs = Runs(as_tensor(lr_a.ravel()), as_tensor(problem.to_x(p0_a.ravel())), momentum)
    trace = simulate_blocks(problem, runs, options, progress)
    out = _classify(problem, options, (lr_a.ravel(), beta_a.ravel()), trace)
    # After the escape step the run means nothing; it is shown as NaN, the escape value kept.
    tail_x, diverged = trace.tail_x, out["status"] == DIVERGED
    kept_steps = np.arange(options.steps + 1 - options.kept, options.steps + 1)
    tail_x[diverged[None, :] & (kept_steps[:, None] > out["diverged_at"][None, :])] = np.nan
    x_end = np.where(diverged, np.nan, tail_x[-1])
    out["p"] = np.asarray(problem.to_p(x_end), dtype=np.float64)
    out["nll"] = np.asarray(problem.nll(x_end), dtype=np.float64)
    p_tail = np.moveaxis(np.asarray(problem.to_p(tail_x), dtype=np.float64), 0, -1)
    out |= {"lr": lr_a.copy(), "p0": p0_a.copy(), "beta": beta_a.copy()}
    tail = p_tail.reshape((*shape, options.kept))
    return BatchResult(problem, options, tail=tail, **{k: v.reshape(shape) for k, v in out.items()})


def _classify(problem: Problem, options: BatchOptions, lr_beta, trace: Trace) -> dict:
    """Status, divergence step, convergence step, period and Lyapunov exponent of each run."""
    steps, tail_x = options.steps, trace.tail_x
    max_period = min(options.max_period, tail_x.shape[0] // 2)
    size = trace.last_valid.shape[0]
    status = np.full(size, MAX_STEPS, dtype=np.int8)
    diverged = trace.last_valid < steps
    converged = ~diverged & (trace.last_far < steps)
    status[diverged] = DIVERGED
    status[converged & ~trace.osc] = CONVERGED
    status[converged & trace.osc] = OSCILLATING
    diverged_at = np.where(diverged, trace.last_valid + 1, -1).astype(np.int64)
    converged_at = np.where(converged, trace.last_far + 1, -1).astype(np.int64)
    period = np.zeros(size, dtype=np.int64)
    lyap = np.full(size, np.nan)
    out = {"status": status, "diverged_at": diverged_at, "converged_at": converged_at}
    out |= {"period": period, "lyapunov": lyap}  # filled in below, where it applies

    rest = ~diverged & ~converged
    stalled = rest & (tail_x[-1] == tail_x[-2])  # the update rounded away, as optimize.run says
    status[stalled] = STALLED
    drifting = dynamics.drifting(tail_x[max_period:])
    idx = np.flatnonzero(rest & ~stalled & ~drifting)
    if idx.size == 0 or max_period < 2:
        return out

    found = dynamics.smallest_period(tail_x[:, idx], max_period, options.period_tolerance)
    cycles = found >= 2
    status[idx[cycles]] = PERIODIC
    period[idx[cycles]] = found[cycles]
    # q = 1 within period_tol but not exactly still: creeping, so still "max_steps".
    idx = idx[found == 0]
    if idx.size:
        lr, beta = lr_beta
        lam = dynamics.lyapunov(tail_x[:, idx], problem, lr[idx], beta[idx])
        lyap[idx] = lam
        status[idx[lam > CHAOS_EXPONENT]] = CHAOTIC
    return out


def reference_lr(problem: Problem) -> float:
    """The learning rate that sets the scale of a sweep: the local limit 2/H when it exists.

    When the MLE is on the edge (k = 0 or k = n) there is no local limit; then the sweep is
    scaled by 2/H at p = 1/2 (p) or by the global limit 8/n (logit), each in the loss scale.
    """
    th = problem.thresholds()
    if math.isfinite(th.stable) and th.stable > 0:
        return th.stable
    if th.global_stable is not None:
        return th.global_stable
    return 2.0 / float(problem.curvature(problem.to_x(0.5)))


def lr_grid(
    problem: Problem, low: float = 1e-3, high: float = 4.0, num: int = 241, extra=()
) -> np.ndarray:
    """Log-spaced learning rates from low to high times ``reference_lr``, plus ``extra``, sorted.

    ``num`` log-spaced values, and the ``extra`` values exactly (e.g. the current learning
    rate); duplicates are dropped.
    """
    ref = reference_lr(problem)
    grid = np.geomspace(low * ref, high * ref, num)
    return np.unique(np.concatenate([grid, np.asarray(list(extra), dtype=np.float64)]))


def lr_sweep(
    problem: Problem, p0, lrs, options: BatchOptions = DEFAULT_OPTIONS, progress=None
) -> BatchResult:
    """One run per learning rate from the same p0 (an exact lr_find)."""
    return run_batch(problem, p0, np.asarray(lrs, dtype=np.float64), options, progress)


def lr_p0_map(
    problem: Problem, lrs, p0s, options: BatchOptions = DEFAULT_OPTIONS, progress=None
) -> BatchResult:
    """Runs on the grid learning rate x starting p; arrays have shape (len(p0s), len(lrs))."""
    lrs, p0s = np.asarray(lrs, dtype=np.float64), np.asarray(p0s, dtype=np.float64)
    return run_batch(problem, p0s[:, None], lrs[None, :], options, progress)


def bifurcation(
    problem: Problem, lrs, options: BatchOptions | None = None, p0=None, progress=None
) -> BatchResult:
    """Long-run values of p per learning rate: one run each from p0 (by default just beside p̂).

    ``options`` default to ``BatchOptions.long_run()``: the 128 points after 4000 steps are
    kept in ``tail`` (NaN once the run has left (0, 1), as ``status`` and ``diverged_at`` say).
    """
    options = BatchOptions.long_run() if options is None else options
    start = dynamics.bifurcation_start(problem) if p0 is None else p0
    return run_batch(problem, start, np.asarray(lrs, dtype=np.float64), options, progress)
