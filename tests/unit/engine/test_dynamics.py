"""The update map's analysis: 2-cycles against closed forms, the basin edge, the cobweb.

All in float64. Cycles are solved by bisection to float64 resolution: they match the closed
forms to 1e-9; a step of the map matches the hand-written step to 1e-12 relative.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bernoulli.engine import dynamics, sweep
from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem
from bernoulli.engine.sweep import DIVERGED, OSCILLATING, BatchOptions

N, K = 200, 145  # the notebook's sample: p̂ = 0.725
NOTEBOOK = Problem(N, K)


def p_map(p: float, lr: float, n: int = N, k: int = K) -> float:
    """Gradient descent in p, by hand: p - lr (-k/p + (n - k)/(1 - p))."""
    return p - lr * (-k / p + (n - k) / (1 - p))


def sigmoid(theta: float) -> float:
    return 1 / (1 + math.exp(-theta))


def cobweb(problem: Problem, lr: float, p0: float, steps: int) -> dynamics.Cobweb:
    """The cobweb of one float64 gradient-descent run that keeps all its points."""
    options = BatchOptions(steps=steps, tail=steps + 1)
    return dynamics.cobweb(sweep.run_batch(problem, p0, lr, options))


# --- 2-cycles ------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["sum", "mean"])
@pytest.mark.parametrize("ratio", [0.2, 0.5, 0.9, 0.99])
def test_symmetric_p_two_cycle_is_the_closed_form(loss, ratio):
    """With p̂ = 1/2 the p map has the cycle {1/2 - d, 1/2 + d}, d = sqrt(1/4 - lr c / 2).

    f(1/2 + d) = 1/2 + d - lr c d / (1/4 - d²) = 1/2 - d exactly when 1/4 - d² = lr c / 2, c the
    weight (n or 1); it exists below 2/H = 1/(2c) and is the edge of p̂'s basin (unstable), its
    multiplier f'(a) f'(b) = (1 - lr H(a))², H(a) = c (1/4 + d²) / (1/4 - d²)².
    """
    problem = Problem(20, 10, "p", loss)
    c = problem.weight
    lr = ratio * problem.thresholds().stable
    assert problem.thresholds().stable == pytest.approx(1 / (2 * c), rel=1e-12)
    cycles = dynamics.two_cycles(problem, lr)
    d = math.sqrt(0.25 - lr * c / 2)
    assert cycles.lr.size == 1 and cycles.lr[0] == lr
    assert cycles.low[0] == pytest.approx(0.5 - d, abs=1e-9)
    assert cycles.high[0] == pytest.approx(0.5 + d, abs=1e-9)
    h = c * (0.25 + d * d) / (0.25 - d * d) ** 2
    assert cycles.multiplier[0] == pytest.approx((1 - lr * h) ** 2, rel=1e-6)
    assert not cycles.stable[0]


@pytest.mark.parametrize("a", [0.5, 1.0, 2.0, 3.0])
def test_symmetric_logit_two_cycle_is_the_closed_form(a):
    """With p̂ = 1/2 the θ map has the cycle {-a, a} at lr = 4a / (n tanh(a/2)).

    f(a) = a - lr n (σ(a) - 1/2) = a - lr n tanh(a/2) / 2 = -a. The cycle attracts when its
    multiplier (1 - lr n σ(a)(1 - σ(a)))² is below 1: past 2/H = 8/n, where period doubling
    starts.
    """
    n = 20
    problem = Problem(n, n // 2, "logit")
    lr = 4 * a / (n * math.tanh(a / 2))
    cycles = dynamics.two_cycles(problem, lr)
    mine = np.flatnonzero(np.abs(cycles.high - sigmoid(a)) < 1e-6)
    assert mine.size == 1
    i = mine[0]
    assert cycles.low[i] == pytest.approx(sigmoid(-a), abs=1e-9)
    assert cycles.high[i] == pytest.approx(sigmoid(a), abs=1e-9)
    expected = (1 - lr * n * sigmoid(a) * sigmoid(-a)) ** 2
    assert cycles.multiplier[i] == pytest.approx(expected, rel=1e-6)
    assert cycles.stable[i] == (expected < 1)
    assert lr > problem.thresholds().stable  # the cycle is born at 2/H


def test_notebook_p_map_has_its_stable_two_cycle_only_within_2e_5_of_two_over_h():
    stable = Problem(N, K).thresholds().stable
    inside = dynamics.two_cycles(NOTEBOOK, (1 + 1e-5) * stable)
    assert inside.stable.sum() == 1 and (~inside.stable).sum() == 1
    assert dynamics.two_cycles(NOTEBOOK, (1 + 3e-5) * stable).lr.size == 0
    assert dynamics.two_cycles(NOTEBOOK, 1.01 * stable).lr.size == 0


def test_basin_below_two_over_h_is_bounded_by_the_unstable_two_cycle():
    """Below 2/H, p̂ attracts only starts between the two points of the unstable 2-cycle."""
    lr = 0.9 * Problem(N, K).thresholds().stable
    cycles = dynamics.two_cycles(NOTEBOOK, lr)
    assert cycles.lr.size == 1 and not cycles.stable[0]
    a, b = cycles.low[0], cycles.high[0]
    assert p_map(p_map(a, lr), lr) == pytest.approx(a, abs=1e-9)
    starts = np.array([a + 1e-3, b - 1e-3, a - 1e-3, b + 1e-3])
    r = sweep.lr_sweep(NOTEBOOK, starts, lr, BatchOptions(steps=3000))
    assert list(r.status[:2]) == [OSCILLATING, OSCILLATING]
    assert list(r.status[2:]) == [DIVERGED, DIVERGED]


# --- the update map and the cobweb ----------------------------------------------------------


def test_update_map_is_one_step_in_either_parameter():
    lr = 1e-3
    p = np.array([0.05, 0.3, 0.725, 0.9])
    np.testing.assert_allclose(dynamics.update_map(NOTEBOOK, p, lr), p_map(p, lr), rtol=1e-12)
    theta = np.log(p / (1 - p))
    by_hand = 1 / (1 + np.exp(-(theta - lr * (N / (1 + np.exp(-theta)) - K))))
    logit = Problem(N, K, "logit")
    np.testing.assert_allclose(dynamics.update_map(logit, p, lr), by_hand, rtol=1e-12)


def test_cobweb_orbit_is_the_run_and_the_curve_is_the_update_map():
    lr = 0.9 * Problem(N, K).thresholds().stable
    cw = cobweb(NOTEBOOK, lr, 0.6, steps=30)
    assert cw.orbit[0] == 0.6 and cw.orbit[1] == pytest.approx(p_map(0.6, lr), rel=1e-12)
    i = 400
    assert cw.image[i] == pytest.approx(p_map(cw.grid[i], lr), rel=1e-12)
    xs, ys = cw.staircase
    assert len(xs) == len(ys) == 2 * len(cw.orbit) - 1
    assert (xs[1], ys[1]) == (cw.orbit[0], cw.orbit[1])
    escaped = cobweb(NOTEBOOK, 1.5e-3, 0.05, steps=30)
    assert escaped.status == DIVERGED and len(escaped.orbit) == escaped.diverged_at + 1
    assert not 0 < escaped.orbit[-1] < 1


def test_cobweb_staircase_alternates_to_the_diagonal_and_to_the_map():
    """(p0, p0) -> (p0, p1) -> (p1, p1) -> ...: vertical to the curve, across to y = x."""
    lr = 1.5 / (N / (K / N * (1 - K / N)))  # between 1/H and 2/H: the orbit zig-zags
    cw = cobweb(NOTEBOOK, lr, 0.7, steps=12)
    orbit = [0.7]
    for _ in range(12):
        orbit.append(p_map(orbit[-1], lr))
    np.testing.assert_allclose(cw.orbit, orbit, rtol=1e-12)
    xs, ys = cw.staircase
    np.testing.assert_array_equal(xs[0::2], ys[0::2])  # on the diagonal
    np.testing.assert_array_equal(xs[1::2], cw.orbit[:-1])  # up or down to the map ...
    np.testing.assert_array_equal(ys[1::2], cw.orbit[1:])  # ... at p_{t+1} = f(p_t)
    np.testing.assert_array_equal(xs[2::2], cw.orbit[1:])  # then across to (p_{t+1}, p_{t+1})
    crossings = np.sign(cw.orbit - K / N)
    assert np.all(crossings[1:] * crossings[:-1] < 0)


def test_logit_cobweb_is_drawn_in_p():
    logit = Problem(N, K, "logit")
    lr = 1.2 * logit.thresholds().stable
    cw = cobweb(logit, lr, 0.6, steps=40)
    assert cw.diverged_at == -1 and cw.status != DIVERGED  # θ's map never leaves (0, 1)
    assert np.all((cw.orbit > 0) & (cw.orbit < 1)) and np.all((cw.image > 0) & (cw.image < 1))
    theta = math.log(0.6 / 0.4)
    assert cw.orbit[1] == pytest.approx(sigmoid(theta - lr * (N * 0.6 - K)), rel=1e-12)


def test_cobweb_wants_one_whole_gradient_descent_run():
    part = sweep.run_batch(NOTEBOOK, 0.6, 1e-4, BatchOptions(steps=30, tail=10))
    with pytest.raises(ValueError, match="all its points"):
        dynamics.cobweb(part)
    heavy = BatchOptions(steps=30, tail=31, optimizer="momentum")
    with pytest.raises(ValueError, match="plain gd"):
        dynamics.cobweb(sweep.run_batch(NOTEBOOK, 0.6, 1e-4, heavy))


def test_bifurcation_start_is_beside_the_mle_inside_the_interval():
    assert dynamics.bifurcation_start(NOTEBOOK) == pytest.approx(0.725 + 1e-4)
    assert dynamics.bifurcation_start(Problem(20, 20)) == pytest.approx(1 - 1e-4)


# --- orbit analysis ------------------------------------------------------------------------


def test_smallest_period_and_drift_of_known_orbits():
    t = np.arange(64)[:, None]
    orbits = np.hstack(
        [
            np.where(t % 3 == 0, 0.2, np.where(t % 3 == 1, 0.5, 0.9)),  # period 3
            0.5 + 0.1 * (-1.0) ** t,  # period 2
            0.5 + 1e-3 * t,  # creeping up: no period, drifting
            0.5 + 0.1 * (-1.0) ** t * (1 + 1e-3 * t),  # a slowly widening zig-zag: drifting
        ]
    )
    np.testing.assert_array_equal(dynamics.smallest_period(orbits, 8, 1e-9), [3, 2, 0, 0])
    np.testing.assert_array_equal(dynamics.drifting(orbits[8:]), [False, False, True, True])


def test_lyapunov_of_gradient_descent_is_the_mean_log_slope():
    logit = Problem(N, K, "logit")
    lr = 1.5 * logit.thresholds().stable
    theta = np.array([0.3, -0.4, 1.1, 0.9, -0.2])[:, None]
    by_hand = np.mean(np.log(np.abs(1 - lr * N * lk.sigmoid(theta[:-1]) * lk.sigmoid(-theta[:-1]))))
    lam = dynamics.lyapunov(theta, logit, np.array([lr]), np.array([0.0]))
    assert lam[0] == pytest.approx(by_hand, rel=1e-12)
