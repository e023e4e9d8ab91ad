"""Many gradient-descent runs at once, as one vectorized torch computation, each run classified.

The full-batch NLL depends on the data only through n and k, so B runs with different learning
rates, starting points and momenta are B independent copies of one small map, stepped together
on tensors of length B. In the p parameterization gradient descent is

    p <- p - lr * c * (p - p̂) / (p (1 - p))        (= p - lr * dNLL/dp, with p̂ = k / n)

and in the logit parameterization theta <- theta - lr * c * (sigmoid(theta) - p̂), where c = n
for the summed loss (the notebook's) and c = 1 for the mean. Heavy-ball momentum keeps
torch.optim.SGD's convention v <- beta v + g, w <- w - lr v. The gradient is the closed form,
written as (p - p̂)/(p(1 - p)), which is exactly -k/p + (n - k)/(1 - p) and loses no digits
near p̂; ``tests/test_sweep.py`` holds these runs against ``bernoulli.optimize.run`` (real
torch autograd steps) to 1e-6 in float64.

Every run gets an outcome (``STATUSES``), decided from its own numbers:

- ``diverged``: p left (0, 1) or the parameter stopped being finite, at step ``diverged_at``
  (the first such step; nothing is clamped: the tail keeps the escaping value, NaN after it);
- ``converged``: |p_t - p̂| <= tol from step ``converged_at`` to the end;
- ``oscillating``: converged, but the last step into the tolerance band crossed p̂ (the error
  flipped sign, as it does when 1/H < lr < 2/H);
- ``stalled``: the parameter stopped changing (the update rounds away), short of tol;
- ``periodic``: the last steps repeat with a period q >= 2 (``period``) within ``period_tol``;
- ``chaotic``: bounded, no period up to ``max_period``, and a clearly positive Lyapunov
  exponent (> ``CHAOS_EXPONENT``: the mean of log|map'| along the tail, a 2x2 tangent product
  for momentum);
- ``max_steps``: none of the above: still settling when the steps ran out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch

from bernoulli import likelihood as lk

STATUSES = (
    "converged",
    "oscillating",
    "periodic",
    "chaotic",
    "diverged",
    "max_steps",
    "stalled",
)
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
_PROGRESS_CALLS = 20  # how many times a long run reports progress
CHAOS_EXPONENT = 0.005  # a chaotic run's Lyapunov exponent must exceed this (per step)
_MIN_BLOCK = 2048  # fewer runs than this per thread are not worth a thread
_MAX_BLOCK = 32768  # torch's own threading starts above this many elements


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Outcome of a batch of runs; every array has the broadcast shape of (lr, p0, beta)."""

    n: int  # number of samples
    k: int  # number of ones
    param: str  # "p" or "logit": the parameter the runs moved
    loss: str  # "sum" or "mean"
    optimizer: str  # "gd" or "momentum"
    dtype: str  # "float32" or "float64": the arithmetic of the runs
    steps: int  # steps T per run (T + 1 points, t = 0..T)
    tol: float  # converged once |p_t - p̂| <= tol until the end
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
        return lk.mle(self.n, self.k)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.status.shape

    @property
    def tail_steps(self) -> np.ndarray:
        """The step index t of each column of ``tail``."""
        length = self.tail.shape[-1]
        return np.arange(self.steps + 1 - length, self.steps + 1)

    def labels(self) -> np.ndarray:
        """Plain-words outcome of each run, e.g. "periodic cycle" (see STATUS_LABELS)."""
        names = np.array([STATUS_LABELS[i] for i in range(len(STATUSES))], dtype=object)
        return names[self.status]

    def count(self, status: int) -> int:
        """How many runs ended with this status code."""
        return int(np.count_nonzero(self.status == status))


def _check(n, k, steps, param, loss, dtype, optimizer, tol, tail, max_period) -> None:
    lk.mle(n, k)  # validates the counts
    problems = []
    if not (isinstance(steps, int | np.integer) and steps >= 1):
        problems.append(f"steps must be a whole number >= 1, not {steps!r}")
    if param not in ("p", "logit"):
        problems.append(f'param must be "p" or "logit", not {param!r}')
    if loss not in ("sum", "mean"):
        problems.append(f'loss must be "sum" or "mean", not {loss!r}')
    if dtype not in _DTYPES:
        problems.append(f'dtype must be "float32" or "float64", not {dtype!r}')
    if optimizer not in OPTIMIZERS:
        problems.append(f'the batched engine runs "gd" or "momentum", not {optimizer!r}')
    if not (math.isfinite(tol) and tol > 0):
        problems.append(f"tol must be a positive number, not {tol}")
    if not (isinstance(tail, int | np.integer) and tail >= 2):
        problems.append(f"tail must be a whole number >= 2, not {tail!r}")
    if not (isinstance(max_period, int | np.integer) and max_period >= 2):
        problems.append(f"max_period must be a whole number >= 2, not {max_period!r}")
    if problems:
        raise ValueError("; ".join(problems))


def run_batch(
    n: int,
    k: int,
    lr,
    p0,
    steps: int = 1000,
    *,
    param: str = "p",
    loss: str = "sum",
    dtype: str = "float64",
    optimizer: str = "gd",
    beta=0.9,
    tol: float = 1e-6,
    tail: int = 96,
    max_period: int = 32,
    period_tol: float | None = None,
    progress: Callable[[float], None] | None = None,
) -> BatchResult:
    """Run many independent gradient-descent (or momentum) runs at once and classify each.

    Parameters
    ----------
    n, k : int
        Number of samples (n >= 1) and number of ones (0 <= k <= n).
    lr : float or array_like
        Learning rates, finite and > 0.
    p0 : float or array_like
        Starting values of p; a value outside (0, 1) diverges at step 0.
    steps : int
        Steps T per run; each run has the points t = 0..T.
    param : {"p", "logit"}
        The parameter gradient descent moves (logit: theta with p = sigmoid(theta)).
    loss : {"sum", "mean"}
        The summed NLL (the notebook's) or its mean; the mean's gradient is n times smaller.
    dtype : {"float64", "float32"}
        Arithmetic of the runs.
    optimizer : {"gd", "momentum"}
        Plain gradient descent, or heavy-ball momentum as in ``torch.optim.SGD(momentum=beta)``.
    beta : float or array_like
        Momentum in [0, 1); ignored (set to 0) for "gd".
    tol : float
        A run has converged once |p_t - p̂| <= tol for every remaining step.
    tail : int
        How many final points (p_{T-L+1}..p_T) to keep; ``steps + 1`` keeps the whole run.
        Periods are looked for in this tail.
    max_period : int
        Longest period looked for (at most half the tail); longer cycles count as chaotic.
    period_tol : float, optional
        How closely the tail must repeat, in the parameter's units; by default
        max(tol / 1000, 16 eps) of the dtype.
    progress : callable, optional
        Called with the fraction done (0 < f <= 1) about 20 times during a run.

    Returns
    -------
    BatchResult
        Final p and NLL, status, divergence and convergence steps, period, Lyapunov exponent
        and the tail of p, each shaped like ``broadcast(lr, p0, beta)``.
    """
    _check(n, k, steps, param, loss, dtype, optimizer, tol, tail, max_period)
    lr_a, p0_a, beta_a = np.broadcast_arrays(
        np.asarray(lr, dtype=np.float64),
        np.asarray(p0, dtype=np.float64),
        np.asarray(beta if optimizer == "momentum" else 0.0, dtype=np.float64),
    )
    if not np.all(np.isfinite(lr_a) & (lr_a > 0)):
        bad = lr_a[~(np.isfinite(lr_a) & (lr_a > 0))].flat[0]
        raise ValueError(f"learning rates must be finite and > 0, got {bad}")
    if not np.all((beta_a >= 0) & (beta_a < 1)):
        bad = beta_a[~((beta_a >= 0) & (beta_a < 1))].flat[0]
        raise ValueError(f"beta must be in [0, 1), got {bad}")
    shape = lr_a.shape
    length = min(int(tail), steps + 1)
    torch_dtype = _DTYPES[dtype]
    x0 = p0_a.ravel() if param == "p" else np.asarray(lk.logit(p0_a.ravel()), dtype=np.float64)
    last_valid, last_far, osc, tail_x = _simulate_blocks(
        n,
        k,
        torch.tensor(lr_a.ravel(), dtype=torch_dtype),
        torch.tensor(x0, dtype=torch_dtype),
        torch.tensor(beta_a.ravel(), dtype=torch_dtype) if optimizer == "momentum" else None,
        steps,
        param,
        loss,
        tol,
        length,
        progress,
    )
    if period_tol is None:
        period_tol = max(tol / 1000, 16 * float(torch.finfo(torch_dtype).eps))
    out = _classify(
        n, k, steps, param, loss, lr_a.ravel(), beta_a.ravel(), last_valid, last_far, osc, tail_x,
        min(max_period, length // 2), period_tol,
    )  # fmt: skip
    status, diverged_at, converged_at, period, lyap = out
    # After the escape step the run means nothing; it is shown as NaN, the escape value kept.
    kept_steps = np.arange(steps + 1 - length, steps + 1)
    after = (status == DIVERGED)[None, :] & (kept_steps[:, None] > diverged_at[None, :])
    tail_x[after] = np.nan
    x_end = np.where(status == DIVERGED, np.nan, tail_x[-1])
    if param == "p":
        p_tail = tail_x
        p_end = x_end
        nll = np.asarray(lk.nll(p_end, n, k, loss), dtype=np.float64)
    else:
        p_tail = np.asarray(lk.sigmoid(tail_x), dtype=np.float64)
        p_end = np.asarray(lk.sigmoid(x_end), dtype=np.float64)
        nll = np.asarray(lk.nll_logit(x_end, n, k, loss), dtype=np.float64)
    return BatchResult(
        n=n,
        k=k,
        param=param,
        loss=loss,
        optimizer=optimizer,
        dtype=dtype,
        steps=steps,
        tol=tol,
        lr=lr_a.copy(),
        p0=p0_a.copy(),
        beta=beta_a.copy(),
        p=p_end.reshape(shape),
        nll=nll.reshape(shape),
        status=status.reshape(shape),
        diverged_at=diverged_at.reshape(shape),
        converged_at=converged_at.reshape(shape),
        period=period.reshape(shape),
        lyapunov=lyap.reshape(shape),
        tail=np.moveaxis(p_tail, 0, -1).reshape((*shape, length)),
    )


def _simulate_blocks(n, k, lr, x, beta, steps, param, loss, tol, length, progress):
    """Run the batch as a few blocks of runs, one group of blocks per thread.

    torch splits an elementwise op over threads only beyond 32,768 elements, and then
    unevenly, so two Python threads, each stepping its own half of the runs, keep both cores
    busy (torch ops release the GIL). Only the calling thread reports progress.
    """
    size = x.numel()
    threads = max(1, torch.get_num_threads())
    blocks = max(1, min(threads, size // _MIN_BLOCK), -(-size // _MAX_BLOCK))
    edges = np.linspace(0, size, blocks + 1).astype(int)
    groups = [list(range(i, blocks, threads)) for i in range(min(threads, blocks))]

    def work(group, report):
        out = []
        for j, b in enumerate(group):
            a, z = edges[b], edges[b + 1]
            step_report = None
            if report is not None:
                step_report = lambda f, j=j: report((j + f) / len(group))  # noqa: E731
            with torch.inference_mode():
                res = _simulate(
                    n, k, lr[a:z], x[a:z], None if beta is None else beta[a:z],
                    steps, param, loss, tol, length, step_report,
                )  # fmt: skip
            out.append((b, res))
        return out

    if len(groups) == 1:
        parts = work(groups[0], progress)
    else:
        with ThreadPoolExecutor(len(groups) - 1) as pool:
            futures = [pool.submit(work, g, None) for g in groups[1:]]
            parts = work(groups[0], progress)
            for f in futures:
                parts += f.result()
    parts = [res for _, res in sorted(parts, key=lambda item: item[0])]
    return (
        np.concatenate([r[0] for r in parts]),
        np.concatenate([r[1] for r in parts]),
        np.concatenate([r[2] for r in parts]),
        np.concatenate([r[3] for r in parts], axis=1),
    )


def _simulate(n, k, lr, x, beta, steps, param, loss, tol, length, progress):
    """Step one block of runs together; return what classification needs, as numpy arrays.

    Per point x_t it counts the valid steps (p inside (0, 1), parameter finite), keeps the last
    step that was farther than tol from p̂, the product e_t e_{t-1} of successive errors on the
    step after the last far one (negative: that step crossed p̂), and the final ``length``
    points. Leaving the domain is absorbing, so the count of valid steps is the first invalid
    step: outside (0, 1) the gradient points further out (p < 0 gives g > 0, p > 1 gives g < 0,
    and momentum's velocity keeps its sign), a step onto 0 or 1 exactly turns p into ±inf and
    then NaN, and a non-finite theta stays non-finite.
    """
    p_hat = k / n
    c = lr * (n if loss == "sum" else 1)  # lr times the gradient's scale
    x = x.clone()
    size = x.numel()
    e, e_prev, den, g, work = (torch.empty_like(x) for _ in range(5))
    e_prev.zero_()
    cross = torch.ones_like(x)  # e_t e_{t-1} on the step after the last far point
    valid, near = (torch.empty(size, dtype=torch.bool) for _ in range(2))
    near_prev = torch.ones(size, dtype=torch.bool)
    n_valid = torch.zeros(size, dtype=torch.int32)
    streak = torch.zeros(size, dtype=torch.int32)  # points in a row within tol, up to t
    velocity = torch.zeros_like(x) if beta is not None else None
    tail_x = torch.empty((length, size), dtype=x.dtype)
    first_kept = steps + 1 - length
    every = max(1, (steps + 1) // _PROGRESS_CALLS)
    for t in range(steps + 1):
        if param == "p":
            torch.sub(x, p_hat, out=e)
            torch.addcmul(x, x, x, value=-1.0, out=den)  # p (1 - p) > 0 exactly inside (0, 1)
            torch.gt(den, 0.0, out=valid)
        else:
            torch.sigmoid(x, out=den)
            torch.sub(den, p_hat, out=e)
            torch.abs(x, out=work)
            torch.lt(work, math.inf, out=valid)  # finite theta (NaN compares False)
        n_valid.add_(valid)
        torch.abs(e, out=work)
        torch.le(work, tol, out=near)
        streak.add_(1).mul_(near)
        torch.mul(e, e_prev, out=work)
        torch.where(near_prev, cross, work, out=cross)  # keep e_t e_{t-1} after a far point
        if t >= first_kept:
            tail_x[t - first_kept].copy_(x)
        if t == steps:
            break
        if param == "p":
            torch.div(e, den, out=g)  # dNLL/dp divided by the scale n (sum) or 1 (mean)
        else:
            g = e
        if velocity is not None:
            torch.addcmul(g, beta, velocity, out=velocity)  # torch SGD: v <- beta v + g
            x.addcmul_(c, velocity, value=-1.0)
        else:
            x.addcmul_(c, g, value=-1.0)
        e, e_prev = e_prev, e
        near, near_prev = near_prev, near
        if progress is not None and (t + 1) % every == 0:
            progress((t + 1) / (steps + 1))
    if progress is not None:
        progress(1.0)
    return (
        n_valid.numpy().astype(np.int64) - 1,  # last valid step
        steps - streak.numpy().astype(np.int64),  # last step farther than tol
        cross.numpy() < 0,
        tail_x.to(torch.float64).numpy(),
    )


def _classify(
    n, k, steps, param, loss, lr, beta, last_valid, last_far, osc, tail_x, max_period, period_tol
):
    """Status, divergence step, convergence step, period and Lyapunov exponent of each run."""
    size = last_valid.shape[0]
    status = np.full(size, MAX_STEPS, dtype=np.int8)
    diverged = last_valid < steps
    converged = ~diverged & (last_far < steps)
    status[diverged] = DIVERGED
    status[converged & ~osc] = CONVERGED
    status[converged & osc] = OSCILLATING
    diverged_at = np.where(diverged, last_valid + 1, -1).astype(np.int64)
    converged_at = np.where(converged, last_far + 1, -1).astype(np.int64)
    period = np.zeros(size, dtype=np.int64)
    lyap = np.full(size, np.nan)

    rest = ~diverged & ~converged
    stalled = rest & (tail_x[-1] == tail_x[-2])  # the update rounded away, as optimize.run says
    status[stalled] = STALLED
    drifting = _drifting(tail_x[max_period:])
    idx = np.flatnonzero(rest & ~stalled & ~drifting)
    if idx.size == 0 or max_period < 2:
        return status, diverged_at, converged_at, period, lyap

    found = _smallest_period(tail_x[:, idx], max_period, period_tol)
    cycles = found >= 2
    status[idx[cycles]] = PERIODIC
    period[idx[cycles]] = found[cycles]
    # q = 1 within period_tol but not exactly still: creeping, so still "max_steps".
    idx = idx[found == 0]
    if idx.size:
        lam = _lyapunov(tail_x[:, idx], n, k, param, loss, lr[idx], beta[idx])
        lyap[idx] = lam
        status[idx[lam > CHAOS_EXPONENT]] = CHAOTIC
    return status, diverged_at, converged_at, period, lyap


def _drifting(x: np.ndarray) -> np.ndarray:
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


def _smallest_period(x: np.ndarray, max_period: int, tol: float) -> np.ndarray:
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


def _lyapunov(x, n, k, param, loss, lr, beta) -> np.ndarray:
    """Finite-time Lyapunov exponent per step along the tail x (shape (L, m)).

    Gradient descent's map w -> w - lr g(w) has the derivative 1 - lr H(w), H the curvature of
    the NLL in the parameter. Momentum's state is (w, u) with u = lr v the step taken:
    u' = beta u + lr g(w), w' = w - u', whose Jacobian [[1 - lr H, -beta], [lr H, beta]] has
    entries of order one (in (w, v) the v row would be H times larger, and a tangent vector's
    length would swing with the rotation of a slow spiral). A tangent vector is carried through
    it and renormalized at each step.
    """
    if param == "p":
        h = np.asarray(lk.curvature(x[:-1], n, k, loss), dtype=np.float64)
    else:
        h = np.asarray(lk.curvature_logit(x[:-1], n, k, loss), dtype=np.float64)
    steps = h.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.all(beta == 0):
            return np.mean(np.log(np.abs(1.0 - lr * h)), axis=0)
        a = np.ones(x.shape[1])
        b = np.zeros(x.shape[1])
        total = np.zeros(x.shape[1])
        for t in range(steps):
            lrh = lr * h[t]
            a, b = (1.0 - lrh) * a - beta * b, lrh * a + beta * b
            norm = np.hypot(a, b)
            total += np.log(norm)
            a, b = a / norm, b / norm
        return total / steps


def reference_lr(n: int, k: int, param: str = "p", loss: str = "sum") -> float:
    """The learning rate that sets the scale of a sweep: the local limit 2/H when it exists.

    When the MLE is on the edge (k = 0 or k = n) there is no local limit; then the sweep is
    scaled by 2/H at p = 1/2 (p) or by the global limit 8/n (logit), each in the loss scale.
    """
    th = lk.thresholds(n, k, param, loss)
    if math.isfinite(th.stable) and th.stable > 0:
        return th.stable
    if th.global_stable is not None:
        return th.global_stable
    return 2.0 / float(lk.curvature(0.5, n, k, loss))


def lr_grid(
    n: int,
    k: int,
    param: str = "p",
    loss: str = "sum",
    low: float = 1e-3,
    high: float = 4.0,
    num: int = 241,
    extra=(),
) -> np.ndarray:
    """Log-spaced learning rates from low to high times ``reference_lr``, plus ``extra``, sorted.

    Parameters
    ----------
    n, k : int
        Number of samples and number of ones.
    param, loss : str
        Parameterization and loss scale, which set 2/H.
    low, high : float
        Ends of the grid as multiples of 2/H (``reference_lr``).
    num : int
        Number of log-spaced values.
    extra : iterable of float
        Values to include exactly (e.g. the current learning rate).

    Returns
    -------
    ndarray
        Sorted, distinct learning rates.
    """
    ref = reference_lr(n, k, param, loss)
    grid = np.geomspace(low * ref, high * ref, num)
    return np.unique(np.concatenate([grid, np.asarray(list(extra), dtype=np.float64)]))


def lr_sweep(n: int, k: int, p0: float, lrs, steps: int = 1000, **options) -> BatchResult:
    """One run per learning rate from the same p0 (an exact lr_find); options go to run_batch."""
    return run_batch(n, k, np.asarray(lrs, dtype=np.float64), p0, steps, **options)


def lr_p0_map(n: int, k: int, lrs, p0s, steps: int = 1000, **options) -> BatchResult:
    """Runs on the grid learning rate x starting p; arrays have shape (len(p0s), len(lrs))."""
    lrs = np.asarray(lrs, dtype=np.float64)
    p0s = np.asarray(p0s, dtype=np.float64)
    return run_batch(n, k, lrs[None, :], p0s[:, None], steps, **options)


def bifurcation_start(n: int, k: int, offset: float = 1e-4) -> float:
    """A start just beside the MLE (inside (0, 1)), from which the long-run behaviour unfolds."""
    p_hat = lk.mle(n, k)
    return p_hat + offset if p_hat + offset < 1 else p_hat - offset


def bifurcation(
    n: int,
    k: int,
    lrs,
    param: str = "p",
    loss: str = "sum",
    transient: int = 4000,
    keep: int = 128,
    p0: float | None = None,
    **options,
) -> BatchResult:
    """Long-run values of p for each learning rate: ``keep`` points after ``transient`` steps.

    Parameters
    ----------
    n, k : int
        Number of samples and number of ones.
    lrs : array_like
        Learning rates (a fine grid).
    param, loss : str
        Parameterization ("p" or "logit") and loss scale.
    transient : int
        Steps thrown away before the kept points.
    keep : int
        Points kept per learning rate (``BatchResult.tail``).
    p0 : float, optional
        Start; by default ``bifurcation_start`` (just beside the MLE).
    **options
        Passed to ``run_batch`` (dtype, optimizer, beta, tol, max_period, progress, ...).

    Returns
    -------
    BatchResult
        One run per learning rate; ``tail`` holds the long-run values of p (NaN once the run
        has left (0, 1), which ``status`` and ``diverged_at`` report).
    """
    start = bifurcation_start(n, k) if p0 is None else p0
    lrs = np.asarray(lrs, dtype=np.float64)
    options.setdefault("max_period", min(64, keep // 2))
    return run_batch(
        n, k, lrs, start, transient + keep - 1, param=param, loss=loss, tail=keep, **options
    )


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


def _gd_map(x, lr, n, k, param, loss):
    """One gradient-descent step in the parameter x (p or theta), float64, NaN outside."""
    if param == "p":
        return x - lr * np.asarray(lk.grad(x, n, k, loss))
    return x - lr * np.asarray(lk.grad_logit(x, n, k, loss))


def _gd_slope(x, lr, n, k, param, loss):
    """d f / d x = 1 - lr H(x) for the gradient-descent map f."""
    if param == "p":
        return 1.0 - lr * np.asarray(lk.curvature(x, n, k, loss))
    return 1.0 - lr * np.asarray(lk.curvature_logit(x, n, k, loss))


def two_cycles(
    n: int, k: int, lrs, param: str = "p", loss: str = "sum", points: int = 4001
) -> TwoCycles:
    """All period-2 orbits of gradient descent, found by solving f(f(x)) = x, x != f(x).

    Parameters
    ----------
    n, k : int
        Number of samples and number of ones.
    lrs : array_like
        Learning rates.
    param : {"p", "logit"}
        The parameter gradient descent moves; cycles are reported in p either way.
    loss : {"sum", "mean"}
        Loss scale.
    points : int
        Grid on which sign changes of f(f(x)) - x are looked for, before bisection; cycles
        narrower than its spacing (right at a fold) can be missed.

    Returns
    -------
    TwoCycles
        One entry per cycle and learning rate. Unstable cycles matter too: in p, the basin of
        p̂ below 2/H is the interval between the two points of the unstable cycle.
    """
    lrs = np.atleast_1d(np.asarray(lrs, dtype=np.float64))
    if param == "p":
        u = np.linspace(0.0, 1.0, points + 2)[1:-1]
        x = np.broadcast_to(u[:, None], (points, lrs.size))
    else:
        # One step moves theta by at most lr * (n or 1) * max(p̂, 1 - p̂): orbits stay this close.
        reach = lrs * (n if loss == "sum" else 1) + 1.0
        centre = 0.0 if k in (0, n) else float(lk.logit(k / n))
        x = centre + np.linspace(-1.0, 1.0, points)[:, None] * reach[None, :]
    lr = np.broadcast_to(lrs[None, :], x.shape)

    def excess(z):
        with np.errstate(all="ignore"):
            return _gd_map(_gd_map(z, lr_c, n, k, param, loss), lr_c, n, k, param, loss) - z

    lr_c = lr
    with np.errstate(all="ignore"):
        values = excess(x)
        change = (values[:-1] * values[1:] < 0) & np.isfinite(values[:-1] + values[1:])
    row, col = np.nonzero(change)
    lo, hi = x[row, col], x[row + 1, col]
    lr_c = lrs[col]
    f_lo = excess(lo)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        f_mid = excess(mid)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo, f_lo = np.where(left, mid, lo), np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
    a = 0.5 * (lo + hi)
    with np.errstate(all="ignore"):
        b = _gd_map(a, lr_c, n, k, param, loss)
        scale = 1.0 + np.abs(a)
        real = (np.abs(excess(a)) <= 1e-7 * scale) & (b - a > 1e-7 * scale)  # one entry per cycle
        mult = _gd_slope(a, lr_c, n, k, param, loss) * _gd_slope(b, lr_c, n, k, param, loss)
    a, b, lr_c, mult = a[real], b[real], lr_c[real], mult[real]
    if param == "logit":
        a, b = np.asarray(lk.sigmoid(a)), np.asarray(lk.sigmoid(b))
    return TwoCycles(lr_c, np.atleast_1d(a), np.atleast_1d(b), np.atleast_1d(mult))


@dataclass(frozen=True, eq=False)
class Cobweb:
    """The one-dimensional update map of gradient descent and one orbit of it, in p."""

    n: int  # number of samples
    k: int  # number of ones
    lr: float  # learning rate
    param: str  # "p" (p -> p - lr g(p)) or "logit" (the theta map, drawn in p)
    loss: str  # "sum" or "mean"
    grid: np.ndarray  # p values where the map is drawn
    image: np.ndarray  # the map's value there: p_{t+1} (may lie outside (0, 1) for param "p")
    orbit: np.ndarray  # p_0, p_1, ... of the run, ending at the step that left (0, 1) if any
    status: int  # the run's outcome code (STATUSES)
    diverged_at: int  # first step outside (0, 1), or -1

    @property
    def staircase(self) -> tuple[np.ndarray, np.ndarray]:
        """Cobweb path (p0, p0) -> (p0, p1) -> (p1, p1) -> (p1, p2) -> ..."""
        o = self.orbit
        xs = np.repeat(o, 2)[:-1]
        ys = np.repeat(o, 2)[1:]
        return xs, ys


def update_map(p, n: int, k: int, lr: float, param: str = "p", loss: str = "sum"):
    """p_{t+1} as a function of p_t for one gradient-descent step, in float64.

    Parameters
    ----------
    p : float or array_like
        p_t in (0, 1) (NaN outside).
    n, k : int
        Number of samples and number of ones.
    lr : float
        Learning rate.
    param : {"p", "logit"}
        "p": p - lr dNLL/dp (may leave (0, 1)); "logit": sigmoid(theta - lr dNLL/dtheta) with
        theta = logit(p), always inside (0, 1).
    loss : {"sum", "mean"}
        Loss scale.

    Returns
    -------
    float or ndarray
        The next p.
    """
    p = np.asarray(p, dtype=np.float64)
    if param == "p":
        return p - lr * np.asarray(lk.grad(p, n, k, loss))
    theta = np.asarray(lk.logit(p))
    return lk.sigmoid(theta - lr * np.asarray(lk.grad_logit(theta, n, k, loss)))


def cobweb(
    n: int,
    k: int,
    lr: float,
    p0: float,
    steps: int = 60,
    param: str = "p",
    loss: str = "sum",
    points: int = 801,
) -> Cobweb:
    """The update map on a grid of p and the gradient-descent orbit from p0 (float64)."""
    res = run_batch(n, k, lr, p0, steps, param=param, loss=loss, tail=steps + 1)
    orbit = res.tail.copy()
    status = int(res.status)
    diverged_at = int(res.diverged_at)
    if status == DIVERGED:
        # run_batch keeps the escaping value (outside (0, 1)) and NaN after it.
        orbit = orbit[: diverged_at + 1]
    edge = 1e-4
    grid = np.linspace(edge, 1 - edge, points)
    image = np.asarray(update_map(grid, n, k, lr, param, loss), dtype=np.float64)
    return Cobweb(n, k, float(lr), param, loss, grid, image, orbit, status, diverged_at)
