"""The batched engine: every outcome class against hand-derived cases, and against optimize.run.

All in float64. Tolerances: trajectories agree with the single-run torch engine to 1e-6 (they
agree to ~1e-12; only rounding differs: closed-form (p - p̂)/(p(1 - p)) against autograd's
-k/p + (n - k)/(1 - p)); thresholds to 1e-12 relative; cycles repeat to 1e-9.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bernoulli.engine import dynamics, optimize, sweep
from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem
from bernoulli.engine.sweep import (
    CHAOTIC,
    CONVERGED,
    DIVERGED,
    MAX_STEPS,
    OSCILLATING,
    PERIODIC,
    STALLED,
    BatchOptions,
)

N, K = 200, 145  # the notebook's sample: p̂ = 0.725
P_HAT = K / N
H_P = N / (P_HAT * (1 - P_HAT))  # curvature of the summed NLL at p̂, in p
H_LOGIT = N * P_HAT * (1 - P_HAT)  # ... in theta = logit p


def one(lr, p0, k=K, param="p", loss="sum", **options) -> sweep.BatchResult:
    """One batch on the notebook's n; ``options`` are BatchOptions' fields (1000 steps)."""
    options.setdefault("steps", 1000)
    return sweep.run_batch(Problem(N, k, param, loss), p0, lr, BatchOptions(**options))


def p_map(p: float, lr: float, n: int = N, k: int = K) -> float:
    """Gradient descent in p, by hand: p - lr (-k/p + (n - k)/(1 - p))."""
    return p - lr * (-k / p + (n - k) / (1 - p))


def logit_map(theta: float, lr: float, n: int = N, k: int = K) -> float:
    """Gradient descent in theta, by hand: theta - lr (n sigmoid(theta) - k)."""
    return theta - lr * (n / (1 + math.exp(-theta)) - k)


# --- thresholds ---------------------------------------------------------------------------


def test_reference_lr_is_two_over_h_from_the_closed_form():
    assert sweep.reference_lr(Problem(N, K, "p", "sum")) == pytest.approx(2 / H_P, rel=1e-12)
    logit = sweep.reference_lr(Problem(N, K, "logit", "sum"))
    assert logit == pytest.approx(2 / H_LOGIT, rel=1e-12)
    mean = sweep.reference_lr(Problem(N, K, "p", "mean"))
    assert mean == pytest.approx(N * 2 / H_P, rel=1e-12)
    assert pytest.approx(0.00199375, rel=1e-12) == 2 / H_P  # 2 p̂ (1 - p̂) / n


def test_reference_lr_on_the_boundary_has_a_finite_scale():
    assert sweep.reference_lr(Problem(20, 0, "p")) == pytest.approx(2 / (4 * 20))  # 2/H at 1/2
    assert sweep.reference_lr(Problem(20, 20, "logit")) == pytest.approx(8 / 20)  # 2/(n/4)


def test_lr_grid_spans_multiples_of_two_over_h_and_keeps_extras():
    grid = sweep.lr_grid(Problem(N, K), low=0.01, high=2.0, num=50, extra=[3.3e-4])
    assert grid[0] == pytest.approx(0.01 * 2 / H_P) and grid[-1] == pytest.approx(2 * 2 / H_P)
    assert 3.3e-4 in grid and np.all(np.diff(grid) > 0) and grid.size == 51


# --- outcome classes ----------------------------------------------------------------------


@pytest.mark.parametrize("k", [145, 100, 60])
def test_just_below_two_over_h_converges_just_above_escapes(k):
    """From beside p̂: 0.99 * 2/H settles (with sign flips), 1.01 * 2/H leaves (0, 1).

    For k = 145 a stable 2-cycle exists only within 2e-5 of 2/H (see the two-cycle test), so
    1.01 * 2/H is past it.
    """
    stable = Problem(N, k).thresholds().stable
    start = dynamics.bifurcation_start(Problem(N, k))
    below = one(k=k, lr=0.99 * stable, p0=start, steps=5000)
    above = one(k=k, lr=1.01 * stable, p0=start, steps=5000)
    assert below.status == OSCILLATING
    assert abs(below.p - k / N) <= 1e-6 and below.converged_at > 0
    assert above.status == DIVERGED and 0 < above.diverged_at < 5000
    assert np.isnan(above.p) and np.isnan(above.nll)


def test_mean_loss_thresholds_are_n_times_larger():
    stable = Problem(N, K, "p", "mean").thresholds().stable
    assert stable == pytest.approx(N * Problem(N, K).thresholds().stable, rel=1e-12)
    start = dynamics.bifurcation_start(Problem(N, K))
    assert one(lr=0.99 * stable, p0=start, loss="mean", steps=5000).status == OSCILLATING
    assert one(lr=1.01 * stable, p0=start, loss="mean", steps=5000).status == DIVERGED
    # The summed loss at that learning rate is 198 times past its own limit: p1 = 0.6855,
    # then p2 = 14.7, by hand.
    assert p_map(start, 0.99 * stable) == pytest.approx(0.68549, abs=1e-5)
    assert p_map(p_map(start, 0.99 * stable), 0.99 * stable) > 1
    assert one(lr=0.99 * stable, p0=start, steps=5000).diverged_at == 2


def test_mean_loss_with_n_times_the_lr_is_the_summed_run():
    lrs = np.array([1e-4, 1e-3, 1.9e-3])
    options = BatchOptions(steps=200, tail=201)
    s = sweep.lr_sweep(Problem(N, K), 0.3, lrs, options)
    m = sweep.lr_sweep(Problem(N, K, loss="mean"), 0.3, lrs * N, options)
    np.testing.assert_allclose(m.tail, s.tail, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m.nll * N, s.nll, rtol=1e-12)


def test_monotone_below_one_over_h_oscillating_between_one_and_two_over_h():
    """Near p̂ the error is multiplied by 1 - lr H each step: positive below 1/H."""
    mono = one(lr=0.5 / H_P, p0=0.7)
    osc = one(lr=1.5 / H_P, p0=0.7)
    assert mono.status == CONVERGED and osc.status == OSCILLATING
    e_mono = np.diff(np.sign(one(lr=0.5 / H_P, p0=0.7, steps=12, tail=13).tail - P_HAT))
    e_osc = np.sign(one(lr=1.5 / H_P, p0=0.7, steps=12, tail=13).tail - P_HAT)
    assert np.all(e_mono == 0)  # never crosses p̂
    assert np.all(e_osc[1:] * e_osc[:-1] < 0)  # crosses p̂ at every step


def test_diverged_step_matches_a_hand_computed_run():
    # p1 = 0.01 - 1e-3 (-145/0.01 + 55/0.99) = 14.45: out at step 1.
    r = one(lr=1e-3, p0=0.01, steps=10, tail=11)
    assert r.status == DIVERGED and r.diverged_at == 1
    assert r.tail[1] == pytest.approx(p_map(0.01, 1e-3), rel=1e-12) and r.tail[1] > 1
    assert np.all(np.isnan(r.tail[2:]))  # nothing after the escape is meaningful
    for lr, p0 in [(5e-4, 0.0838), (1.2e-3, 0.6), (2.2e-3, 0.7), (4e-4, 0.02)]:
        p, t = p0, 0
        while 0 < p < 1 and t < 1000:
            p, t = p_map(p, lr), t + 1
        expected = t if not 0 < p < 1 else -1
        assert one(lr=lr, p0=p0).diverged_at == expected, (lr, p0)


@pytest.mark.parametrize("p0", [0.0, 1.0, -0.2, 1.5, math.nan])
def test_a_start_outside_the_open_interval_diverges_at_step_zero(p0):
    for param in ("p", "logit"):
        r = one(lr=1e-4, p0=p0, param=param, steps=20)
        assert r.status == DIVERGED and r.diverged_at == 0, param


@pytest.mark.parametrize(("ratio", "q"), [(1.2, 2), (1.4, 4), (1.45, 8), (1.797, 3)])
def test_logit_cycles_found_by_the_engine_really_repeat(ratio, q):
    """theta -> theta - lr (n sigmoid(theta) - k) period-doubles (and has a period-3 window)."""
    lr = ratio * 2 / H_LOGIT
    r = one(lr=lr, p0=0.6, param="logit", steps=4000, tail=128, max_period=64)
    assert r.status == PERIODIC and r.period == q
    theta0 = float(lk.logit(r.tail[-1]))
    theta = theta0
    orbit = [theta]
    for _ in range(q):
        theta = logit_map(theta, lr)
        orbit.append(theta)
    assert abs(orbit[-1] - theta0) <= 1e-9  # back after q steps, by hand
    assert min(abs(a - theta0) for a in orbit[1:-1] or [1.0]) > 1e-3  # not before
    assert np.all((r.tail > 0) & (r.tail < 1))


def test_lopsided_data_period_double_in_p_too():
    """|2p̂ - 1| > 1/sqrt(5): GD in p itself has a stable 2-cycle past 2/H (here p̂ = 0.95)."""
    k = 190
    lr = 1.1 * Problem(N, k).thresholds().stable
    r = one(k=k, lr=lr, p0=dynamics.bifurcation_start(Problem(N, k)), steps=5000, tail=128)
    assert r.status == PERIODIC and r.period == 2
    a = float(r.tail[-1])
    b = p_map(a, lr, k=k)
    assert abs(p_map(b, lr, k=k) - a) <= 1e-9 and abs(b - a) > 1e-3
    cycles = dynamics.two_cycles(Problem(N, k), lr)
    stable = cycles.stable
    assert stable.sum() == 1
    assert sorted([a, b]) == pytest.approx(
        [cycles.low[stable][0], cycles.high[stable][0]], abs=1e-8
    )


def test_chaotic_logit_run_is_bounded_aperiodic_with_positive_exponent():
    lr = 1.5 * 2 / H_LOGIT
    r = one(lr=lr, p0=0.6, param="logit", steps=3000, tail=128, max_period=64)
    assert r.status == CHAOTIC and r.period == 0
    theta = np.asarray(lk.logit(r.tail))
    assert np.all(np.isfinite(theta)) and np.ptp(theta) > 1.0
    for q in range(1, 65):
        assert np.max(np.abs(theta[q:] - theta[:-q])) > 1e-6, q
    by_hand = np.mean(np.log(np.abs(1 - lr * lk.curvature_logit(theta[:-1], N, K))))
    assert r.lyapunov == pytest.approx(by_hand, rel=1e-6) and r.lyapunov > 0.05


def test_stalled_in_float32_like_the_notebook():
    r = one(lr=2e-5, p0=0.08385391, dtype="float32")
    traj = optimize.run(N, K, optimize.Settings())  # float32, the notebook's run
    assert traj.status == "stalled" and r.status == STALLED
    assert abs(r.p - P_HAT) > 1e-6
    assert r.tail[-1] == r.tail[-2]
    # Same stall up to one float32 spacing (the gradient is rounded differently).
    assert abs(r.p - traj.final_p) <= 2 * np.spacing(np.float32(0.725))


def test_a_run_that_runs_out_of_steps_is_max_steps():
    r = one(lr=1e-8, p0=0.3)
    assert r.status == MAX_STEPS and r.converged_at == -1 and r.diverged_at == -1
    assert 0.3 < r.p < P_HAT


def test_a_slow_momentum_spiral_is_not_called_chaotic():
    r = one(lr=2e-5, p0=0.5, optimizer="momentum", beta=0.995, steps=600)
    assert r.status == MAX_STEPS and r.lyapunov < 0


# --- the p map: the 2/H limit is local --------------------------------------------------


def test_lr_p0_map_shows_escape_well_below_two_over_h_from_far_starts():
    stable = Problem(N, K).thresholds().stable
    lrs = np.array([0.3, 0.6, 0.99]) * stable
    p0s = np.array([0.02, 0.0838, 0.5, 0.7, 0.95])
    r = sweep.lr_p0_map(Problem(N, K), lrs, p0s, BatchOptions(steps=2000))
    assert r.status.shape == (5, 3)
    assert r.status[0, 0] == DIVERGED  # p0 = 0.02 at 0.3 * 2/H
    assert r.status[1, 1] == DIVERGED  # the notebook's p0 at 0.6 * 2/H
    assert r.status[3, 2] == OSCILLATING  # beside p̂ even 0.99 * 2/H settles


# --- agreement with the single-run engine (real torch steps) -----------------------------

AGREEMENT = [
    (param, loss, opt, ratio, p0)
    for param in ("p", "logit")
    for loss in ("sum", "mean")
    for opt in ("gd", "momentum")
    for ratio in (0.05, 0.3, 0.7, 0.99, 1.01, 1.3)
    for p0 in (0.0838, 0.5, 0.72)
]


@pytest.mark.parametrize(("param", "loss", "optimizer", "ratio", "p0"), AGREEMENT)
def test_batched_engine_agrees_with_optimize_run(param, loss, optimizer, ratio, p0):
    lr = ratio * Problem(N, K, param, loss).thresholds().stable
    settings = optimize.Settings(
        lr=lr,
        steps=400,
        p0=p0,
        optimizer=optimizer,
        beta=0.9,
        param=param,
        loss=loss,
        dtype="float64",
    )
    traj = optimize.run(N, K, settings)
    r = one(lr=lr, p0=p0, steps=400, tail=401, param=param, loss=loss, optimizer=optimizer)
    if r.status == CHAOTIC:  # nearby orbits separate exponentially: rounding is amplified
        pytest.skip("chaotic: trajectories agree only until rounding differences grow")
    m = len(traj.p)
    np.testing.assert_allclose(r.tail[:m], traj.p, rtol=0, atol=1e-6)
    assert r.diverged_at == (-1 if traj.diverged_at is None else traj.diverged_at)
    assert r.converged_at == (-1 if traj.converged_at is None else traj.converged_at)
    expected = {
        "converged": (CONVERGED, OSCILLATING),
        "diverged": (DIVERGED,),
        "stalled": (STALLED,),
        "max_steps": (MAX_STEPS, PERIODIC, CHAOTIC),
    }
    assert r.status in expected[traj.status]
    if traj.status != "diverged":
        assert r.nll == pytest.approx(traj.nll[-1], rel=1e-9)


def test_each_run_is_independent_of_the_batch_it_is_in():
    """Blocks on threads, broadcasting: a run gives the same numbers alone or in a crowd."""
    rng = np.random.default_rng(1)
    lrs = rng.uniform(1e-5, 3e-3, 9000)
    p0s = rng.uniform(0.01, 0.99, 9000)
    options = BatchOptions(steps=300, tail=4)
    crowd = sweep.run_batch(Problem(N, K), p0s, lrs, options)
    for i in rng.choice(9000, 25, replace=False):
        alone = sweep.run_batch(Problem(N, K), p0s[i], lrs[i], options)
        assert alone.status == crowd.status[i] and alone.diverged_at == crowd.diverged_at[i]
        np.testing.assert_allclose(alone.tail, crowd.tail[i], rtol=1e-13, atol=1e-15)


# --- consistency properties ------------------------------------------------------------


def nll_bracket(p: float) -> tuple[float, float]:
    """The NLL over every p within 4 float64 spacings of p (inside [0, 1]), low and high.

    A run's p is rounded (in logit, sigmoid(theta) of a theta above 36.7 is 1.0 exactly), so p
    alone pins the NLL down only to this range: the range is what the engine can represent.
    Near p̂ it is a few ulps wide; at p = 1.0 it runs from NLL(1 - 8.9e-16) ≈ 1.9e3 to +inf.
    """
    ulps = 4 * np.spacing(p)
    ends = np.array([max(p - ulps, 0.0), min(p + ulps, 1.0)])
    values = np.asarray(lk.nll(ends, N, K))
    low = float(lk.nll(P_HAT, N, K)) if ends[0] <= P_HAT <= ends[1] else values.min()
    return float(low), float(values.max())


@settings(max_examples=40, deadline=None)
@example(lr_ratio=2.5476913340176073, p0=0.99, param="logit", optimizer="momentum")  # p = 1.0
@given(
    lr_ratio=st.floats(1e-3, 3.0),
    p0=st.floats(0.001, 0.999),
    param=st.sampled_from(["p", "logit"]),
    optimizer=st.sampled_from(["gd", "momentum"]),
)
def test_status_fields_are_consistent(lr_ratio, p0, param, optimizer):
    lr = lr_ratio * Problem(N, K, param).thresholds().stable
    r = one(lr=lr, p0=p0, param=param, optimizer=optimizer, steps=300, tail=301)
    s = int(r.status)
    assert (r.diverged_at >= 0) == (s == DIVERGED)
    assert (r.converged_at >= 0) == (s in (CONVERGED, OSCILLATING))
    assert (r.period >= 2) == (s == PERIODIC)
    if s == DIVERGED:
        t = int(r.diverged_at)
        assert np.all((r.tail[:t] > 0) & (r.tail[:t] < 1))
        assert not (0 < r.tail[t] < 1) and np.all(np.isnan(r.tail[t + 1 :]))
    else:
        assert np.all((r.tail >= 0) & (r.tail <= 1))
        # In logit the engine evaluates n softplus(theta) - k theta; rebuilding it from p loses
        # digits when p is within 1e-10 of an edge (1 - p is then known to ~1e-6).
        rel = 1e-9 if param == "p" else 1e-5
        # Closer still, p's own rounding moves log p and log(1 - p): the NLL must lie in the
        # range of the NLL over the p's that round to the same few ulps (see nll_bracket).
        low, high = nll_bracket(float(r.p))
        assert low * (1 - rel) <= r.nll <= high * (1 + rel)
    if s in (CONVERGED, OSCILLATING):
        c = int(r.converged_at)
        assert np.all(np.abs(r.tail[c:] - P_HAT) <= 1e-6)
        assert c == 0 or abs(r.tail[c - 1] - P_HAT) > 1e-6


# --- helpers for the views -------------------------------------------------------------


def test_bifurcation_keeps_the_long_run_values():
    stable = Problem(N, K, "logit").thresholds().stable
    lrs = np.array([0.8, 1.2, 1.4]) * stable
    r = sweep.bifurcation(Problem(N, K, "logit"), lrs, BatchOptions.long_run(2000, 64))
    assert r.tail.shape == (3, 64) and r.options.steps == 2063  # the tail: steps 2000..2063
    assert np.ptp(r.tail[0]) <= 1e-9  # one value: the fixed point p̂
    assert len(np.unique(r.tail[1].round(9))) == 2 and len(np.unique(r.tail[2].round(9))) == 4


def test_progress_is_reported_in_chunks_up_to_one():
    seen = []
    sweep.run_batch(Problem(N, K), 0.5, np.full(5000, 1e-3), BatchOptions(steps=400), seen.append)
    assert 5 <= len(seen) <= 40 and seen[-1] == 1.0 and np.all(np.diff(seen) > 0)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"lr": -1.0}, "learning rates must be finite and > 0, got -1.0"),
        ({"lr": math.nan}, "learning rates must be finite and > 0"),
        ({"param": "q"}, 'param must be "p" or "logit"'),
        ({"optimizer": "adam"}, 'the batched engine runs "gd" or "momentum", not \'adam\''),
        ({"beta": 1.0, "optimizer": "momentum"}, "beta must be in [0, 1), got 1.0"),
        ({"steps": 0}, "steps must be a whole number >= 1"),
        ({"k": 300}, "need n >= 1 and 0 <= k <= n"),
    ],
)
def test_bad_input_says_what_was_wrong(kw, message):
    args = {"lr": 1e-3, "p0": 0.5} | kw
    with pytest.raises(ValueError) as info:
        one(**args)
    assert message in str(info.value)


def test_result_labels_and_counts():
    r = sweep.lr_sweep(Problem(N, K), 0.5, [1e-4, 1.5e-3, 5e-3], BatchOptions(steps=2000))
    assert list(r.labels()) == ["converged", "converged, oscillating", "left (0, 1)"]
    assert r.count(DIVERGED) == 1 and r.mle == P_HAT
