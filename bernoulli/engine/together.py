"""Runs asked at the same time, stepped together as one torch computation.

When a class's sessions each ask for a run of their own at once, each run is a few dozen tiny
torch operations a step, and the runs take turns (``bernoulli.engine.turns``): thirty runs cost
thirty
times one. Runs of gradient descent, heavy-ball momentum or Adam on p with the summed NLL
(`batchable`) are instead stepped together: each run's p is its own 0-d leaf tensor in its
own parameter group of one ``torch.optim`` optimizer (its own lr, β); each step stacks them,
computes every run's NLL with one set of vector operations, calls ``backward()`` once and
``step()`` once. A run stops where it would alone (its steps, or leaving (0, 1)).

Each run is bit for bit what ``optimize.run`` gives alone: every recorded p, loss and
gradient (tests/unit/engine/test_together.py, hundreds of runs in float32 and float64). That holds
because the NLL in p takes only log and exactly rounded arithmetic, whose vector kernels agree
with the scalar ones. In θ it would not: torch's vector sigmoid and logaddexp differ from the
scalar ones in the last bit, so runs in θ (and Newton's, SGD's, the mean NLL's, and runs
longer than `BATCH_STEPS`) run alone.

`run` is what the page calls: a batchable run goes to one worker thread, which steps every
run waiting (identical ones once), one group of optimizer and dtype at a time.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np
import torch

from bernoulli.engine import likelihood as lk
from bernoulli.engine import optimize, turns
from bernoulli.engine.optimize import DTYPES, Settings, Trajectory

BATCHED = ("gd", "momentum", "adam")
# Only the NLL in p is bit for bit the same in vector kernels (see above).
BATCHED_PARAMS = ("p",)
# Runs longer than this run alone (taking turns a slice at a time): a run asked while a batch
# is stepping waits for the whole batch, so a batch stays short (~1 s for a class's thirty).
BATCH_STEPS = 5000


def batchable(s: Settings) -> bool:
    """Whether runs like this one may be stepped together (bit for bit as alone)."""
    return (
        s.param in BATCHED_PARAMS
        and s.loss == "sum"
        and s.optimizer in BATCHED
        and s.steps <= BATCH_STEPS
    )


def _group(s: Settings, w: torch.Tensor) -> dict:
    """The run's parameter group: what ``optimize._make_optimizer`` gives its optimizer."""
    if s.optimizer == "adam":
        return {"params": [w], "lr": s.lr, "betas": (s.beta, 0.999)}
    return {"params": [w], "lr": s.lr, "momentum": s.beta if s.optimizer == "momentum" else 0}


def _optimizer(groups: list[dict], name: str):
    if name == "adam":
        return torch.optim.Adam(groups, foreach=False)
    return torch.optim.SGD(groups, foreach=False)


@dataclass
class _Runs:
    """The runs of one batch: their leaves, counts and what each recorded so far."""

    cases: list[tuple[int, int, Settings]]
    ws: list[torch.Tensor]
    ones: torch.Tensor  # k of each run, in the runs' dtype
    zeros: torch.Tensor  # n - k of each run
    records: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    diverged: list[int | None] = field(default_factory=list)


def _start(cases: list[tuple[int, int, Settings]]) -> _Runs:
    dtype = DTYPES[cases[0][2].dtype]
    ws = [torch.tensor(optimize.initial_p(s), dtype=dtype, requires_grad=True) for *_, s in cases]
    runs = _Runs(
        cases,
        ws,
        torch.tensor([k for _, k, _ in cases], dtype=dtype),
        torch.tensor([n - k for n, k, _ in cases], dtype=dtype),
    )
    runs.records = [tuple(np.full(s.steps + 1, np.nan) for _ in range(3)) for *_, s in cases]
    runs.diverged = [None] * len(cases)
    return runs


def _record(runs: _Runs, t: int, active: list[int], values: torch.Tensor, w) -> list[int]:
    """Note step t of the active runs; those that go on (not out of (0, 1), not at the end)."""
    going = []
    for i, p_t, loss_t in zip(active, w.tolist(), values.tolist(), strict=True):
        param, loss, _ = runs.records[i]
        param[t], loss[t] = p_t, loss_t
        if not (math.isfinite(loss_t) and math.isfinite(p_t) and 0.0 <= p_t <= 1.0):
            runs.diverged[i] = t
        elif t < runs.cases[i][2].steps:
            going.append(i)
    return going


def run_together(cases: list[tuple[int, int, Settings]]) -> list[Trajectory]:
    """Batchable runs of one optimizer and dtype, (n, k, settings) each, stepped together."""
    runs = _start(cases)
    groups = [_group(s, w) for (*_, s), w in zip(cases, runs.ws, strict=True)]
    opt = _optimizer(groups, cases[0][2].optimizer)
    total = max(s.steps for *_, s in cases)
    active, index = list(range(len(cases))), None
    with turns.TORCH.taking() as pass_on:  # (a slice at a time, as one run: bernoulli.engine.turns)
        for t in range(total + 1):
            if t and t % turns.SLICE == 0:
                pass_on()
            if index is None:
                index = torch.tensor(active)
                ones, zeros = runs.ones[index], runs.zeros[index]
            w = torch.stack([runs.ws[i] for i in active])
            values = -(ones * torch.log(w) + zeros * torch.log(1 - w))  # as optimize.full_loss
            going = _record(runs, t, active, values, w)
            if not going:
                break
            for i in active:
                runs.ws[i].grad = None
            values.sum().backward()  # each run's loss depends on its own p only
            for i in set(active) - set(going):
                runs.ws[i].grad = None  # ended: step() leaves it alone
            for i in going:
                runs.records[i][2][t] = runs.ws[i].grad.item()
            opt.step()
            if going != active:
                active, index = going, None
    return [
        optimize.recorded(n, k, s, record, diverged)
        for (n, k, s), record, diverged in zip(cases, runs.records, runs.diverged, strict=True)
    ]


@dataclass
class _Request:
    n: int
    k: int
    settings: Settings
    done: threading.Event = field(default_factory=threading.Event)
    result: Trajectory | None = None
    error: BaseException | None = None


class Batcher:
    """The runs waiting to be stepped together, and the one thread that steps them."""

    def __init__(self) -> None:
        self.waiting: list[_Request] = []
        self.changed = threading.Condition()
        self.worker: threading.Thread | None = None

    def run(self, n: int, k: int, settings: Settings) -> Trajectory:
        """The run, stepped with every batchable run asked while the worker was busy."""
        lk.mle(n, k)  # bad counts are this caller's error, not the batch's
        request = _Request(n, k, settings)
        with self.changed:
            self.waiting.append(request)
            if self.worker is None:
                self.worker = threading.Thread(target=self._work, name="together", daemon=True)
                self.worker.start()
            self.changed.notify()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.result

    def _work(self) -> None:
        """Step every run waiting, a group of one optimizer and dtype at a time, shortest
        first; identical runs once."""
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.waiting)
                batch, self.waiting = self.waiting, []
            groups: dict[tuple, dict[tuple, list[_Request]]] = {}
            for r in batch:
                same = groups.setdefault((r.settings.optimizer, r.settings.dtype), {})
                same.setdefault((r.n, r.k, r.settings), []).append(r)
            for runs in sorted(groups.values(), key=lambda g: max(c[2].steps for c in g)):
                _serve(runs)


BATCHER = Batcher()  # one for the process: its sessions' runs, stepped together


def run(n: int, k: int, settings: Settings, values: np.ndarray | None = None) -> Trajectory:
    """``optimize.run``'s run: stepped with the runs asked at the same time when it is
    `batchable`, else alone in this thread."""
    if not batchable(settings):
        return optimize.run(n, k, settings, values)
    return BATCHER.run(n, k, settings)


def _serve(runs: dict[tuple, list[_Request]]) -> None:
    try:
        results = run_together(list(runs))
    except BaseException as error:  # told to every caller of the batch
        for requests in runs.values():
            for r in requests:
                r.error = error
    else:
        for requests, result in zip(runs.values(), results, strict=True):
            for r in requests:
                r.result = result
    for requests in runs.values():
        for r in requests:
            r.done.set()
