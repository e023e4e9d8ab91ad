"""Runs stepped together are bit for bit the runs alone: every recorded p, parameter, torch
loss and torch gradient of 360 runs (gradient descent, momentum, Adam; float32 and float64;
runs that converge, run out of steps, stall or leave (0, 1) at different steps), compared byte
for byte with ``optimize.run``; and the page's `together.run` from many threads at once gives
each caller its own run."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
import torch

from bernoulli.engine import optimize, together
from bernoulli.engine.optimize import Settings

SAMPLES = [(200, 145), (50, 10), (1000, 999), (7, 0), (30, 15)]
LRS = {
    "gd": [1e-5, 3e-4, 1e-3, 1.5e-3, 2e-3, 4e-3],
    "momentum": [1e-5, 1e-4, 5e-4, 1e-3, 2e-3, 4e-3],
    "adam": [1e-3, 0.01, 0.05, 0.2, 0.5, 1.0],
}
FIELDS = ("p", "param", "loss", "grad_param", "nll", "grad")


def cases(optimizer: str, dtype: str) -> list[tuple[int, int, Settings]]:
    """Every lr with five starts (one drawn from a seed), twice, on the samples in turn, with
    runs of different lengths: 60 runs (360 in all)."""
    found = []
    starts = [0.02, 0.3, 0.6, 0.97, None]
    for i, (_, lr, p0) in enumerate(itertools.product(range(2), LRS[optimizer], starts)):
        n, k = SAMPLES[(i + i // 30) % len(SAMPLES)]
        settings = Settings(
            optimizer=optimizer, dtype=dtype, lr=lr, p0=p0, seed=i, steps=150 + 41 * (i % 7)
        )
        found.append((n, k, settings))
    return found


def same(a: optimize.Trajectory, b: optimize.Trajectory) -> bool:
    """Bit for bit: every array's bytes (NaN included), its status and every step."""
    if any(getattr(a, f).tobytes() != getattr(b, f).tobytes() for f in FIELDS):
        return False
    steps = ("status", "diverged_at", "converged_at", "stalled_at", "p0")
    return all(getattr(a, f) == getattr(b, f) for f in steps)


def torch_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """torch.equal on every step, NaN (no value: the gradient after the last step, a loss
    out of (0, 1)) where both are NaN."""
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    nan = ta.isnan()
    return torch.equal(nan, tb.isnan()) and torch.equal(ta[~nan], tb[~nan])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", list(LRS))
def test_runs_stepped_together_are_bit_for_bit_the_runs_alone(optimizer, dtype):
    runs = cases(optimizer, dtype)
    alone = [optimize.run(*case) for case in runs]
    stepped = together.run_together(runs)
    different = [case for case, a, b in zip(runs, alone, stepped, strict=True) if not same(a, b)]
    assert different == []
    for a, b in zip(alone, stepped, strict=True):  # and torch.equal agrees, step by step
        for name in ("param", "loss", "grad_param"):
            assert torch_equal(getattr(a, name), getattr(b, name)), name
    statuses = {t.status for t in alone}
    assert {"converged", "diverged", "max_steps"} <= statuses  # each way a run ends
    assert len({len(t.p) for t in alone}) > 5  # runs ending at many different steps


def test_a_run_that_stalls_in_float32_stalls_together_too():
    runs = [
        (200, 145, Settings(lr=2e-5, steps=1000)),  # the notebook's run: it stalls in float32
        (200, 145, Settings(lr=3e-5, steps=600)),
    ]
    alone = [optimize.run(*case) for case in runs]
    assert alone[0].status == "stalled"
    assert all(same(a, b) for a, b in zip(alone, together.run_together(runs), strict=True))


def test_only_runs_that_stay_bit_for_bit_are_batched():
    assert together.batchable(Settings())
    assert together.batchable(Settings(optimizer="momentum", dtype="float64"))
    assert together.batchable(Settings(optimizer="adam", lr=0.01))
    for unbatched in (
        Settings(param="logit"),  # torch's vector sigmoid and logaddexp round differently
        Settings(loss="mean"),
        Settings(optimizer="newton", lr=1.0),
        Settings(optimizer="sgd"),
        Settings(steps=together.BATCH_STEPS + 1),  # a long run would hold a batch up
    ):
        assert not together.batchable(unbatched)


def test_many_threads_at_once_each_get_their_own_run():
    asked = [
        (200, 145, Settings(lr=1e-5 * (1 + i / 7), steps=300, dtype=("float32", "float64")[i % 2]))
        for i in range(24)
    ]
    asked += [asked[0], asked[1]]  # two asked twice: one run each, shared
    asked += [(200, 145, Settings(param="logit", lr=0.01, steps=200))]  # alone
    got = [None] * len(asked)

    def ask(i: int) -> None:
        got[i] = together.run(*asked[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(asked))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for case, traj in zip(asked, got, strict=True):
        assert traj is not None and traj.settings == case[2]
        assert same(traj, optimize.run(*case))


def test_bad_counts_are_the_callers_error_and_the_batch_goes_on():
    with pytest.raises(ValueError, match="k"):
        together.run(10, 11, Settings())
    traj = together.run(10, 7, Settings(lr=1e-3, steps=50))
    assert np.isfinite(traj.p).all() and len(traj.p) == 51
