"""The batched torch loop: many gradient-descent runs stepped together, in blocks over threads."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import torch

from bernoulli.engine.problem import Problem

_PROGRESS_CALLS = 20  # how many times a long run reports progress
_MIN_BLOCK = 2048  # fewer runs than this per thread are not worth a thread
_MAX_BLOCK = 32768  # torch's own threading starts above this many elements


class Runs(NamedTuple):
    """One tensor per run: learning rate, parameter, momentum (None for gradient descent)."""

    lr: torch.Tensor
    x: torch.Tensor
    beta: torch.Tensor | None


class Trace(NamedTuple):
    """What classification needs of each run, as numpy arrays."""

    last_valid: np.ndarray  # last step with p inside (0, 1) and a finite parameter
    last_far: np.ndarray  # last step farther than tol from p̂
    osc: np.ndarray  # the step after the last far one crossed p̂
    tail_x: np.ndarray  # the parameter over the last points, shape (L, runs), float64


def simulate_blocks(problem: Problem, runs: Runs, options, progress) -> Trace:
    """Run the batch as a few blocks of runs, one group of blocks per thread.

    ``options`` are the batch's ``sweep.BatchOptions``: the loop reads steps, tol and kept.

    torch splits an elementwise op over threads only beyond 32,768 elements, and then
    unevenly, so two Python threads, each stepping its own half of the runs, keep both cores
    busy (torch ops release the GIL). Only the calling thread reports progress.
    """
    size = runs.x.numel()
    threads = max(1, torch.get_num_threads())
    blocks = max(1, min(threads, size // _MIN_BLOCK), -(-size // _MAX_BLOCK))
    edges = np.linspace(0, size, blocks + 1).astype(int)
    groups = [list(range(i, blocks, threads)) for i in range(min(threads, blocks))]

    def work(group, report):
        out = []
        for j, b in enumerate(group):
            step_report = None
            if report is not None:
                step_report = lambda f, j=j: report((j + f) / len(group))  # noqa: E731
            with torch.inference_mode():
                res = _simulate(
                    problem,
                    Runs(*(None if r is None else r[edges[b] : edges[b + 1]] for r in runs)),
                    options,
                    step_report,
                )
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
    return Trace(*(np.concatenate(arrays, axis=-1) for arrays in zip(*parts, strict=True)))


class _Work:
    """One block's work tensors, reused at every step: the loop allocates nothing."""

    def __init__(self, x: torch.Tensor):
        self.e, self.e_prev, self.den, self.g, self.tmp = (torch.empty_like(x) for _ in range(5))
        self.e_prev.zero_()
        self.valid = torch.empty(x.numel(), dtype=torch.bool)


def _error_p(x: torch.Tensor, p_hat: float, w: _Work) -> torch.Tensor:
    """e = p - p̂, valid where p (1 - p) > 0 (exactly inside (0, 1)); dNLL/dp / weight."""
    torch.sub(x, p_hat, out=w.e)
    torch.addcmul(x, x, x, value=-1.0, out=w.den)
    torch.gt(w.den, 0.0, out=w.valid)
    return torch.div(w.e, w.den, out=w.g)  # (p - p̂) / (p (1 - p))


def _error_logit(x: torch.Tensor, p_hat: float, w: _Work) -> torch.Tensor:
    """e = sigmoid(theta) - p̂, valid where theta is finite; dNLL/dtheta / weight is e."""
    torch.sigmoid(x, out=w.den)
    torch.sub(w.den, p_hat, out=w.e)
    torch.abs(x, out=w.tmp)
    torch.lt(w.tmp, math.inf, out=w.valid)  # NaN compares False
    return w.e


# The engine's in-place torch form of Problem.grad: error, validity and gradient of a step.
_KERNELS = {"p": _error_p, "logit": _error_logit}


def _simulate(problem: Problem, runs: Runs, options, progress) -> Trace:
    """Step one block of runs together; return what classification needs, as numpy arrays.

    Leaving the domain is absorbing, so the count of valid steps is the first invalid step:
    outside (0, 1) the gradient points further out (and momentum's velocity keeps its sign), a
    step onto 0 or 1 exactly turns p into ±inf and then NaN, a non-finite theta stays so.
    """
    error = _KERNELS[problem.param]
    p_hat, steps, tol, length = problem.mle, options.steps, options.tol, options.kept
    c = runs.lr * problem.weight  # lr times the gradient's scale
    x = runs.x.clone()
    size = x.numel()
    w = _Work(x)
    cross = torch.ones_like(x)  # e_t e_{t-1} on the step after the last far point
    near = torch.empty(size, dtype=torch.bool)
    near_prev = torch.ones(size, dtype=torch.bool)
    n_valid = torch.zeros(size, dtype=torch.int32)
    streak = torch.zeros(size, dtype=torch.int32)  # points in a row within tol, up to t
    velocity = torch.zeros_like(x) if runs.beta is not None else None
    tail_x = torch.empty((length, size), dtype=x.dtype)
    first_kept = steps + 1 - length
    every = max(1, (steps + 1) // _PROGRESS_CALLS)
    for t in range(steps + 1):
        g = error(x, p_hat, w)
        n_valid.add_(w.valid)
        torch.abs(w.e, out=w.tmp)
        torch.le(w.tmp, tol, out=near)
        streak.add_(1).mul_(near)
        torch.mul(w.e, w.e_prev, out=w.tmp)
        torch.where(near_prev, cross, w.tmp, out=cross)  # keep e_t e_{t-1} after a far point
        if t >= first_kept:
            tail_x[t - first_kept].copy_(x)
        if t == steps:
            break
        if velocity is not None:
            torch.addcmul(g, runs.beta, velocity, out=velocity)  # torch SGD: v <- beta v + g
            x.addcmul_(c, velocity, value=-1.0)
        else:
            x.addcmul_(c, g, value=-1.0)
        w.e, w.e_prev = w.e_prev, w.e
        near, near_prev = near_prev, near
        if progress is not None and (t + 1) % every == 0:
            progress((t + 1) / (steps + 1))
    if progress is not None:
        progress(1.0)
    return Trace(
        n_valid.numpy().astype(np.int64) - 1,
        steps - streak.numpy().astype(np.int64),
        cross.numpy() < 0,
        tail_x.to(torch.float64).numpy(),
    )
