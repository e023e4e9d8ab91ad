"""One optimizer run: real torch steps on the Bernoulli NLL, every step recorded.

The full-batch loss depends on the data only through n and k, so it is built from those two
numbers with torch ops and a step costs the same at n = 200 or n = 10^8. Minibatch SGD is the
exception: it draws real samples, with a seeded generator, at O(batch) cost per step.

Nothing is clamped. When p leaves (0, 1) or the loss stops being finite the run stops there,
records that last point, and says at which step. The engine gives numbers and a status; what
the run did, in words, is ``bernoulli.teach.account``'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from bernoulli import settings as schema
from bernoulli.engine import likelihood as lk
from bernoulli.engine import turns
from bernoulli.engine.problem import Problem
from bernoulli.settings import LOSSES as LOSSES  # re-exported: the page and tests read them here
from bernoulli.settings import MAX_STEPS as MAX_STEPS
from bernoulli.settings import OPTIMIZER_NAMES as OPTIMIZER_NAMES
from bernoulli.settings import OPTIMIZERS as OPTIMIZERS
from bernoulli.settings import PARAMS as PARAMS
from bernoulli.settings import Settings as Settings

DTYPES = {name: getattr(torch, name) for name in schema.DTYPES}
STATUSES = ("converged", "stalled", "max_steps", "diverged")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What a run did at every step t = 0..T (shorter when it diverged)."""

    settings: Settings  # what was run
    n: int  # number of samples
    k: int  # number of ones
    p0: float  # the starting p actually used (drawn from the seed when settings.p0 is None)
    p: np.ndarray  # p_t, float64; the last one may lie outside (0, 1) when the run diverged
    param: np.ndarray  # the optimized parameter at t (p, or theta = logit p), float64
    nll: np.ndarray  # NLL(p_t) in the run's loss scale, float64 closed form
    grad: np.ndarray  # dNLL/dp at p_t, float64 closed form, same scale
    loss: np.ndarray  # the full-batch loss torch computed at t, in the run's dtype
    grad_param: np.ndarray  # gradient torch stepped with at t (minibatch for sgd); NaN at the end
    status: str  # one of STATUSES
    diverged_at: int | None  # first step where p left (0, 1) or the loss was NaN/inf
    converged_at: int | None  # first step from which |p_t - p̂| <= tol until the end
    stalled_at: int | None  # first step from which the parameter never changed again

    @property
    def steps(self) -> np.ndarray:
        return np.arange(len(self.p))

    @property
    def mle(self) -> float:
        return lk.mle(self.n, self.k)

    @property
    def final_p(self) -> float:
        return float(self.p[-1])

    @property
    def problem(self) -> Problem:
        return Problem.of(self.n, self.k, self.settings)


def initial_p(settings: Settings) -> float:
    """The starting p: settings.p0, or a draw from U(0, 1) seeded like the notebook's torch.rand."""
    if settings.p0 is not None:
        return float(settings.p0)
    generator = torch.Generator().manual_seed(settings.seed)
    return float(torch.rand(1, generator=generator, dtype=torch.float64))


def full_loss(w: torch.Tensor, n: int, k: int, param: str, scale: str) -> torch.Tensor:
    """The NLL of all n samples from (n, k), with torch ops, as a function of the parameter w."""
    total = SUMMED_NLL[param](w, n, k)
    return total / n if scale == "mean" else total


def _summed_nll_p(w: torch.Tensor, n: int, k: int) -> torch.Tensor:
    # Written as the notebook's per-sample log(x p + (1 - x)(1 - p)), grouped by value.
    return -(k * torch.log(w) + (n - k) * torch.log(1 - w))


def _summed_nll_logit(w: torch.Tensor, n: int, k: int) -> torch.Tensor:
    # k softplus(-θ) + (n - k) softplus(θ), with a softplus whose derivatives stay exact
    # far out in θ (torch's own is linear above θ = 20: gradient and curvature 0 there).
    return k * _softplus(-w) + (n - k) * _softplus(w)


class _Sigmoid(torch.autograd.Function):
    """σ(θ), whose derivative is σ(θ) σ(-θ): no 1 - σ(θ) that cancels to 0 for large θ."""

    @staticmethod
    def forward(ctx, w):
        ctx.save_for_backward(w)
        return torch.sigmoid(w)

    @staticmethod
    def backward(ctx, grad):
        (w,) = ctx.saved_tensors
        return grad * torch.sigmoid(w) * torch.sigmoid(-w)


class _Softplus(torch.autograd.Function):
    """log(1 + e^θ) = logaddexp(0, θ), whose derivative is :class:`_Sigmoid` (differentiable)."""

    @staticmethod
    def forward(ctx, w):
        ctx.save_for_backward(w)
        return torch.logaddexp(torch.zeros((), dtype=w.dtype), w)

    @staticmethod
    def backward(ctx, grad):
        (w,) = ctx.saved_tensors
        return grad * _Sigmoid.apply(w)


def _softplus(w: torch.Tensor) -> torch.Tensor:
    return _Softplus.apply(w)


# The summed NLL in torch ops, for each parameter a run can move (``settings.PARAMS``).
SUMMED_NLL = {"p": _summed_nll_p, "logit": _summed_nll_logit}


def _batch_loss(w, xb: torch.Tensor, n: int, param: str, scale: str) -> torch.Tensor:
    """An unbiased minibatch estimate of the full loss: the batch's mean NLL times n or 1."""
    b = xb.numel()
    kb = xb.sum()
    return full_loss(w, b, kb, param, "mean") * (n if scale == "sum" else 1)


def _make_optimizer(w: torch.Tensor, s: Settings):
    if s.optimizer in ("gd", "sgd"):
        return torch.optim.SGD([w], lr=s.lr, foreach=False)
    if s.optimizer == "momentum":
        return torch.optim.SGD([w], lr=s.lr, momentum=s.beta, foreach=False)
    if s.optimizer == "adam":
        return torch.optim.Adam([w], lr=s.lr, betas=(s.beta, 0.999), foreach=False)
    return None  # Newton steps by hand with the autograd second derivative


def _batches(values: np.ndarray, s: Settings, dtype):
    """Minibatch SGD's draws: each call gives the next batch of the sample's 0/1 values."""
    data = np.ascontiguousarray(values, dtype=np.uint8)  # no copy for a Sample's values
    draws = torch.Generator().manual_seed(s.seed)

    def batch() -> torch.Tensor:
        idx = torch.randint(len(data), (s.batch_size,), generator=draws)
        # Index in numpy: a Sample's values are read-only (torch.from_numpy warns).
        return torch.from_numpy(data[idx.numpy()]).to(dtype)

    return batch


def _take_step(w: torch.Tensor, value: torch.Tensor, opt, lr: float) -> float:
    """One step from the loss `value`; the gradient it stepped with."""
    if opt is None:  # Newton, with the autograd second derivative
        (g,) = torch.autograd.grad(value, w, create_graph=True)
        (h,) = torch.autograd.grad(g, w)
        with torch.no_grad():
            w -= lr * g.detach() / h
        return g.item()
    w.grad = None  # what opt.zero_grad() does, without its profiling wrapper
    value.backward()
    grad = w.grad.item()
    opt.step()
    return grad


def _in_domain(p: float) -> bool:
    return 0.0 <= p <= 1.0  # also False for NaN


def run(n: int, k: int, settings: Settings, values: np.ndarray | None = None) -> Trajectory:
    """Run one optimizer on the Bernoulli NLL and record every step.

    Parameters
    ----------
    n, k : int
        Number of samples (n >= 1) and number of ones (0 <= k <= n).
    settings : Settings
        Learning rate, steps, start, optimizer, parameterization, loss scale, dtype.
    values : ndarray of 0/1, optional
        The raw samples; needed only by minibatch SGD, which draws batches from them.

    Returns
    -------
    Trajectory
        p_t, NLL(p_t), dNLL/dp, torch's loss and gradient for t = 0..T, and the status:
        converged, stalled (stopped moving short of the MLE), ran all steps, or diverged
        at the step where p left (0, 1) or the loss became NaN/inf.
    """
    lk.mle(n, k)  # validates the counts
    s = settings
    if s.optimizer == "sgd" and (values is None or len(values) != n):
        raise ValueError("minibatch SGD needs the raw 0/1 values of the sample")
    dtype = DTYPES[s.dtype]
    problem = Problem.of(n, k, s)
    w = torch.tensor(problem.to_x(initial_p(s)), dtype=dtype, requires_grad=True)
    opt = _make_optimizer(w, s)
    batch = _batches(values, s, dtype) if s.optimizer == "sgd" else None

    steps = s.steps
    param = np.full(steps + 1, np.nan)
    loss = np.full(steps + 1, np.nan)
    grad_param = np.full(steps + 1, np.nan)
    diverged_at = None
    # One run's slice of steps at a time in this process (bernoulli.engine.turns: many sessions'
    # runs in threads at once would otherwise pile up on the GIL).
    with turns.TORCH.taking() as pass_on:
        for t in range(steps + 1):
            if t and t % turns.SLICE == 0:
                pass_on()
            value = full_loss(w, n, k, s.param, s.loss)
            param[t] = w.item()
            loss[t] = value.item()
            if not (
                math.isfinite(loss[t])
                and math.isfinite(param[t])
                and _in_domain(problem.p_at(param[t]))
            ):
                diverged_at = t
                break
            if t == steps:
                break
            if batch is not None:
                value = _batch_loss(w, batch(), n, s.param, s.loss)
            grad_param[t] = _take_step(w, value, opt, s.lr)

    return recorded(n, k, s, (param, loss, grad_param), diverged_at)


def recorded(n: int, k: int, s: Settings, steps, diverged_at: int | None) -> Trajectory:
    """The Trajectory of a run's recorded (parameter, torch loss, torch gradient) at every
    step, cut after `diverged_at`: closed forms added, classified and explained."""
    p0 = initial_p(s)
    last = len(steps[0]) - 1 if diverged_at is None else diverged_at
    param, loss, grad_param = (a[: last + 1] for a in steps)
    p, nll, grad = _closed_form(param, n, k, s)
    status = "max_steps" if diverged_at is None else "diverged"  # _conclude looks closer
    return _conclude(
        Trajectory(
            *(s, n, k, p0, p, param, nll, grad, loss, grad_param),
            *(status, diverged_at, None, None),
        )
    )


def _closed_form(param: np.ndarray, n: int, k: int, s: Settings):
    """p_t, NLL(p_t) and dNLL/dp at p_t in float64 from the parameter's path."""
    problem = Problem.of(n, k, s)
    p = np.array(problem.to_p(param), dtype=np.float64)  # its own array, not the path's
    return p, np.asarray(problem.nll(param)), problem.grad_p(param)


def _conclude(traj: Trajectory) -> Trajectory:
    """The finished run classified: converged, stalled or ran all steps."""
    s, p, param = traj.settings, traj.p, traj.param
    status, converged_at, stalled_at = traj.status, None, None
    if status != "diverged":
        close = np.abs(p - traj.mle) <= s.tol
        moved = np.flatnonzero(param[1:] != param[:-1])
        if close[-1]:
            status = "converged"
            far = np.flatnonzero(~close)
            converged_at = int(far[-1]) + 1 if far.size else 0
        elif len(param) > 1 and param[-1] == param[-2]:
            status = "stalled"
            stalled_at = int(moved[-1]) + 1 if moved.size else 0
    return replace(traj, status=status, converged_at=converged_at, stalled_at=stalled_at)
