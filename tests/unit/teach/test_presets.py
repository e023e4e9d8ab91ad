"""The 2-cycle and chaos presets, run by the torch engine on the notebook's sample and on
generated ones: each really ends in a stable 2-cycle, or in chaos (the challenge's own test)."""

from __future__ import annotations

import numpy as np
import pytest

from bernoulli.data import samples
from bernoulli.engine import dynamics, optimize
from bernoulli.engine.problem import Problem
from bernoulli.teach import account, challenges
from bernoulli.teach.presets import PRESETS, preset_settings

SAMPLES = [
    samples.notebook_sample(),
    samples.generate(50, 0.3, 1),
    samples.generate(1000, 0.6, 2),
    samples.generate(20, 0.9, 3),
    samples.generate(200, 0.1, 5),
]


def test_the_presets_name_every_regime():
    assert list(PRESETS) == [
        "notebook",
        "smooth",
        "oscillation",
        "divergence",
        "cycle",
        "chaos",
    ]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: f"n{s.n}k{s.k}")
def test_cycle_preset_ends_in_a_stable_two_cycle(sample):
    s = preset_settings("cycle", sample.n, sample.k)
    assert (s.param, s.optimizer, s.dtype, s.steps) == ("logit", "gd", "float64", 1000)
    problem = Problem(sample.n, sample.k, "logit", "sum")
    two_over_h = 2 / (sample.n * sample.mean * (1 - sample.mean))
    assert 1.0 < s.lr / two_over_h < 1.2  # past 2/H: p̂ repels
    traj = optimize.run(sample.n, sample.k, s)
    assert traj.diverged_at is None and np.all((traj.p > 0) & (traj.p < 1))
    told = account.of_run(traj)
    assert (told.outcome, told.period) == ("cycle", 2)
    # The two values it alternates between are the stable cycle solved from f(f(x)) = x.
    cycles = dynamics.two_cycles(problem, [s.lr])
    low, high = cycles.low[cycles.stable], cycles.high[cycles.stable]
    assert low.size == 1
    end = np.sort(traj.p[-2:])
    np.testing.assert_allclose(end, [low[0], high[0]], rtol=1e-8)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: f"n{s.n}k{s.k}")
def test_chaos_preset_never_repeats_and_nearby_paths_fly_apart(sample):
    s = preset_settings("chaos", sample.n, sample.k)
    assert (s.param, s.optimizer, s.dtype, s.steps) == ("logit", "gd", "float64", 1000)
    traj = optimize.run(sample.n, sample.k, s)
    assert traj.diverged_at is None and np.all((traj.p > 0) & (traj.p < 1))
    told = account.of_run(traj)
    assert told.outcome == "chaos" and told.period is None
    assert told.lyapunov > 0.05
    assert challenges.check(6, sample, s).solved  # the chaos card's judge agrees


def test_chaos_preset_is_the_smallest_chaotic_rate_tried():
    """One ratio lower on the preset's list, the notebook's run still repeats or contracts."""
    n, k = 200, 145
    s = preset_settings("chaos", n, k)
    two_over_h = 2 / (n * 0.725 * 0.275)
    ratio = s.lr / two_over_h
    lower = s.replace(lr=float(f"{(round(ratio, 2) - 0.02) * two_over_h:.3g}"))
    traj = optimize.run(n, k, lower)
    told = account.of_run(traj)
    assert told.period is not None or (told.lyapunov or 0.0) <= 0.1
