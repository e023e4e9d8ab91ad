"""Optimizer runs: the notebook replay, divergence at the right step, the thresholds at
work, each optimizer against its textbook recurrence, and the status semantics.

Runs are float64 unless a test is about float32 (the notebook). Tolerances are stated where
they are used.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bernoulli.data import samples
from bernoulli.engine import likelihood as lk
from bernoulli.engine import optimize as opt
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from bernoulli.teach import account

N, K = 200, 145  # the notebook's sample
P_HAT = K / N
TH = Problem(N, K).thresholds()  # H = 1003.13..., 1/H = 9.96875e-4, 2/H = 1.99375e-3

# The notebook's printout, verbatim: at t % 100 == 0 it
# printed NLL(p_t), p_(t+1) (after the update) and, in the seed's added column, the real
# gradient dNLL/dp at p_t.
NOTEBOOK_ROWS = [
    (0, 364.2253418, 0.11723718, -1669.16),
    (100, 122.36915588, 0.62359965, -87.734),
    (200, 117.76181793, 0.70914686, -15.666),
    (300, 117.63616943, 0.72284538, -2.1946),
    (400, 117.63380432, 0.72471499, -0.29150),
    (500, 117.63375092, 0.72496235, -0.038528),
    (600, 117.63375854, 0.72499502, -0.0050964),
    (700, 117.63375854, 0.72499853, -0.0014801),
    (800, 117.63375854, 0.72499853, -0.0014801),
    (900, 117.63375854, 0.72499853, -0.0014801),
]


def f64(**changes) -> Settings:
    return Settings(dtype="float64", **changes)


@pytest.fixture(scope="module")
def notebook_run():
    return opt.run(N, K, Settings())  # the defaults are the notebook's run


def notebook_values() -> np.ndarray:
    return samples.notebook_sample().values


def printed_digits(text_value: float) -> float:
    """Half a unit in the last printed significant digit (5 significant digits here)."""
    exponent = math.floor(math.log10(abs(text_value)))
    return 0.5 * 10.0 ** (exponent - 4)


# --- the notebook replay ----------------------------------------------------------------


def test_defaults_are_the_notebook_run():
    s = Settings()
    assert (s.lr, s.steps, s.p0, s.optimizer) == (2e-5, 1000, 0.08385391, "gd")
    assert (s.param, s.loss, s.dtype) == ("p", "sum", "float32")


def test_notebook_replay_p_and_nll(notebook_run):
    traj = notebook_run
    assert len(traj.p) == 1001 and traj.diverged_at is None
    assert traj.p[0] == np.float32(0.08385391)
    for t, nll_printed, p_next_printed, _ in NOTEBOOK_ROWS:
        # p_(t+1) to within 1e-6 (the replay's bar); the largest gap is one float32 ulp, 6e-8.
        assert abs(traj.p[t + 1] - p_next_printed) <= 1e-6
        assert abs(traj.p[t + 1] - p_next_printed) <= 1.2e-7
        # NLL(p_t) as torch computed it in float32: within one float32 ulp of the printed value
        # (7.6e-6 at 117.6; the notebook summed 200 per-sample terms, we group them by value),
        # plus 5e-9 for the 8 printed decimals.
        ulp = float(np.spacing(np.float32(nll_printed)))
        assert abs(traj.loss[t] - nll_printed) <= ulp + 5e-9
        # The float64 closed form at the same p agrees with torch's float32 loss to float32
        # precision (relative 2^-23 of each term).
        assert traj.nll[t] == pytest.approx(traj.loss[t], rel=2e-7)


def test_notebook_replay_gradient_column(notebook_run):
    traj = notebook_run
    for t, _, _, grad_printed in NOTEBOOK_ROWS:
        # The seed's gradient column is the notebook's own float32 gradient at its p_t. Early
        # rows (|g| >= 15) are far above float32 noise: ours matches to the printed digits.
        if t <= 200:
            assert abs(traj.grad[t] - grad_printed) <= printed_digits(grad_printed)
        # Near p̂, the float32 p_t may differ from the notebook's by one ulp (6e-8) and the
        # gradient's slope there is H = 1003, so the printed value carries ~6e-5 of float32
        # uncertainty (plus its 200-term float32 summation): 1e-4 bounds it.
        assert abs(traj.grad[t] - grad_printed) <= 1e-4 + printed_digits(grad_printed)
        # torch's float32 gradient (what the step used) and the float64 closed form agree to
        # float32 resolution of the two terms k/p and (n - k)/(1 - p) (each ~200 here).
        assert abs(traj.grad_param[t] - traj.grad[t]) <= 4e-7 * 2 * N


def test_notebook_column_is_the_notebooks_float32_gradient():
    # Provenance of the tolerance above: the notebook's literal loop (per-sample float32 loss,
    # backward, in-place update, zero_) reproduces the seed's gradient column to its printed
    # digits, so the column's later rows carry float32 noise, not an error of ours.
    x = torch.tensor(notebook_values(), dtype=torch.float32)
    p = torch.tensor([0.08385391], requires_grad=True)
    printed = dict((t, g) for t, _, _, g in NOTEBOOK_ROWS)
    for t in range(1000):
        nll = -torch.sum(torch.log(x * p + (1 - x) * (1 - p)))
        nll.backward()
        if t in printed:
            assert abs(p.grad.item() - printed[t]) <= printed_digits(printed[t])
        with torch.no_grad():
            p -= 2e-5 * p.grad
        p.grad.zero_()


def test_notebook_replay_stalls_in_float32(notebook_run):
    traj = notebook_run
    assert traj.status == "stalled"
    assert traj.converged_at is None and traj.diverged_at is None
    assert traj.final_p == float(np.float32(0.72499853))
    t = traj.stalled_at
    assert t == 655
    assert np.all(traj.param[t:] == traj.param[-1]) and traj.param[t - 1] != traj.param[t]
    # Why it stalls: the update lr·|g| is below half the float32 spacing at p.
    spacing = float(np.spacing(np.float32(traj.final_p)))
    assert 2e-5 * abs(traj.grad_param[-2]) < spacing / 2
    assert account.of_run(traj).why.startswith("Stalled at step 655: p stopped moving at 0.724999")
    assert (
        "float32 spacing" in account.of_run(traj).why
        and "1.47e-06 short of the MLE 0.725" in account.of_run(traj).why
    )


def test_notebook_replay_in_float64_converges():
    traj = opt.run(N, K, f64())
    assert traj.status == "converged"
    assert abs(traj.final_p - P_HAT) <= 1e-6
    assert account.of_run(traj).why.startswith(
        f"Converged: |p − p̂| ≤ 1e-06 from step {traj.converged_at}"
    )


# --- divergence at the right step --------------------------------------------------------


def test_first_step_leaves_exactly_above_the_closed_form_lr():
    # From p0 = 1/2 the sum gradient is 2(n - 2k) = -180, so p1 = 1/2 + 180 lr: p1 > 1 exactly
    # when lr > 1/360.
    lr_star = 1 / 360
    above = opt.run(N, K, f64(p0=0.5, lr=lr_star * (1 + 1e-9), steps=50))
    assert above.status == "diverged" and above.diverged_at == 1
    assert len(above.p) == 2 and above.p[1] == pytest.approx(0.5 + 180 * lr_star, rel=1e-8)
    assert above.p[1] > 1
    assert account.of_run(above).why.startswith("Diverged at step 1: p left (0, 1), p_1 = 1")
    assert math.isnan(above.grad_param[-1]) and math.isnan(above.nll[-1])

    below = opt.run(N, K, f64(p0=0.5, lr=lr_star * (1 - 1e-9), steps=50))
    p1 = 0.5 + 180 * below.settings.lr  # just inside (0, 1): 1 - 5e-10
    p2 = p1 - below.settings.lr * lk.grad(p1, N, K)  # the huge (n - k)/(1 - p1) throws it out
    assert below.p[1] == pytest.approx(p1, rel=1e-15) and 0 < below.p[1] < 1
    assert below.diverged_at == 2 and below.p[2] == pytest.approx(p2, rel=1e-6) and p2 < 0


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 10**6),
    frac=st.floats(0.0, 1.0),
    factor=st.floats(1.001, 10.0),
    scale=st.sampled_from(["sum", "mean"]),
)
def test_first_step_divergence_property(n, frac, factor, scale):
    k = round(frac * n)
    if 2 * k == n:
        k = max(0, k - 1) if k > 0 else 1  # at k = n/2 the gradient at 1/2 vanishes
    g = lk.grad(0.5, n, k, scale)  # 2(n - 2k), or that over n
    lr = factor * 0.5 / abs(g)  # 0.5 / |g| is where p1 = 1/2 - lr g reaches an edge
    traj = opt.run(n, k, f64(p0=0.5, lr=lr, steps=5, loss=scale))
    assert traj.diverged_at == 1 and traj.status == "diverged"
    inside = opt.run(n, k, f64(p0=0.5, lr=0.999 * 0.5 / abs(g), steps=1, loss=scale))
    assert inside.diverged_at is None and 0 < inside.p[1] < 1


@pytest.mark.parametrize("offset", [1e-3, -1e-3])
def test_just_below_two_over_h_converges_just_above_diverges(offset):
    below = opt.run(N, K, f64(lr=0.99 * TH.stable, p0=P_HAT + offset, steps=3000))
    assert below.status == "converged"
    # Above 2/H the error grows by |1 - lr H| ≈ 1.1 a step; for this NLL the growing
    # oscillation does not settle into a 2-cycle but throws p out of (0, 1).
    above = opt.run(N, K, f64(lr=1.05 * TH.stable, p0=P_HAT + offset, steps=3000))
    assert above.status == "diverged"
    t = above.diverged_at
    err = np.abs(above.p[:t] - P_HAT)
    assert err[10] > 1.5 * err[0]  # growing from the start (1.1^10 = 2.6 to first order)
    assert "× the local stability limit 2/H" in account.of_run(above).why
    assert f"Diverged at step {t}: p left (0, 1)" in account.of_run(above).why


@pytest.mark.parametrize("p0", [P_HAT + 0.01, P_HAT - 0.01])
def test_between_one_and_two_over_h_oscillates_and_converges(p0):
    traj = opt.run(N, K, f64(lr=1.5 * TH.monotone, p0=p0, steps=500))
    assert traj.status == "converged"
    err = traj.p - P_HAT
    live = np.abs(err) > 1e-12  # before rounding noise at p̂
    signs = np.sign(err[live])
    assert len(signs) > 20 and np.all(signs[1:] == -signs[:-1])  # alternate every step
    # |1 - lr H| = 1/2 near p̂: each step halves the error (to 1 %, late in the run).
    late = np.flatnonzero(live & (np.abs(err) < 1e-5))
    ratios = err[late[1:]] / err[late[:-1]]
    assert np.allclose(ratios, -0.5, atol=0.01)


def monotone_neighbourhood(n: int, k: int, lr: float) -> tuple[float, float]:
    """The interval around p̂ where the sum curvature stays below 1/lr (the curvature is convex
    in p, so this sublevel set is an interval); found by bisection on each side."""
    p_hat = k / n

    def ok(q: float) -> bool:
        return lk.curvature(q, n, k) * lr < 1

    def edge(inside: float, outside: float) -> float:
        for _ in range(200):
            mid = 0.5 * (inside + outside)
            inside, outside = (mid, outside) if ok(mid) else (inside, mid)
        return inside

    return edge(p_hat, 0.0), edge(p_hat, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 10**5),
    frac=st.floats(0.01, 0.99),
    u=st.floats(0.05, 0.99),
    where=st.floats(0.01, 0.99),
    side=st.sampled_from([-1, 1]),
)
def test_below_one_over_h_monotone_inside_the_low_curvature_neighbourhood(n, frac, u, where, side):
    # The true property: GD maps e = p - p̂ to e (1 - lr·H̄), with H̄ the mean curvature
    # between p̂ and p. If lr·NLL'' < 1 on the whole segment from p̂ to p0, every step keeps
    # the sign of e and shrinks it, and the next point stays on that segment. lr < 1/H at p̂
    # alone is not enough (see the next test): the curvature grows towards 0 and 1.
    k = min(n - 1, max(1, round(frac * n)))
    p_hat = k / n
    lr = u * Problem(n, k).thresholds().monotone
    low, high = monotone_neighbourhood(n, k, lr)
    p0 = p_hat + where * ((high - p_hat) if side > 0 else (low - p_hat))
    traj = opt.run(n, k, f64(lr=lr, p0=p0, steps=300))
    assert traj.diverged_at is None
    err = (traj.p - p_hat) * np.sign(p0 - p_hat)
    # Rounding: one step's float64 error is ~eps·(p + lr·|terms of the gradient|) <~ 1e-15.
    assert np.all(err >= -1e-14)  # never crosses p̂
    assert np.all(np.diff(err) <= 1e-14)  # never moves away


def test_below_one_over_h_can_still_overshoot_from_far_away():
    # lr = 0.9/H, but at p0 = 0.01 the curvature is ~1.5e6 >> H, so the first step jumps
    # by lr·|g(0.01)| ≈ 13 and lands far outside (0, 1).
    lr = 0.9 * TH.monotone
    traj = opt.run(N, K, f64(lr=lr, p0=0.01, steps=100))
    assert traj.diverged_at == 1
    assert traj.p[1] == pytest.approx(0.01 - lr * lk.grad(0.01, N, K), rel=1e-12)
    assert "below gradient descent's local limit 2/H" in account.of_run(traj).why
    assert "grow without bound towards 0 and 1" in account.of_run(traj).why


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 10**6),
    frac=st.floats(0.0, 1.0),
    p0=st.floats(1e-6, 1 - 1e-6),
    u=st.floats(0.05, 0.99),
)
def test_logit_below_global_limits(n, frac, p0, u):
    # In logit the curvature n p (1 - p) never exceeds n/4, so lr < 4/n (= global_stable/2)
    # is monotone from ANY start, and lr < 8/n never diverges.
    k = round(frac * n)
    p_hat = k / n
    th = Problem(n, k, "logit").thresholds()
    traj = opt.run(n, k, f64(param="logit", lr=u * th.global_stable / 2, p0=p0, steps=200))
    assert traj.diverged_at is None
    err = (traj.p - p_hat) * np.sign(p0 - p_hat)
    assert np.all(err >= -1e-13) and np.all(np.diff(err) <= 1e-13)
    fast = opt.run(n, k, f64(param="logit", lr=(1 + u) * th.global_stable / 2, p0=p0, steps=200))
    assert fast.diverged_at is None


def test_k0_in_p_diverges_with_the_boundary_note():
    # n = 200, k = 0, p0 = 1/2, lr = 1e-3: g = n/(1 - p), so p1 = 0.5 - 0.4 = 0.1 and
    # p2 = 0.1 - 1e-3 · 200/0.9 = -0.1222...
    traj = opt.run(200, 0, f64(p0=0.5, lr=1e-3, steps=100))
    assert traj.status == "diverged" and traj.diverged_at == 2
    np.testing.assert_allclose(traj.p, [0.5, 0.1, 0.1 - 0.2 / 0.9], rtol=1e-14)
    assert "lies on the edge of (0, 1)" in account.of_run(traj).why
    assert "at every learning rate" in account.of_run(traj).why


def test_k0_in_logit_drifts_towards_the_edge_without_diverging():
    traj = opt.run(200, 0, f64(param="logit", p0=0.5, lr=0.01, steps=1000))
    assert traj.status == "max_steps" and traj.diverged_at is None
    assert np.all(np.diff(traj.p) < 0) and traj.p[-1] > 0  # closer and closer, never there
    assert "without settling within 1e-06 of p̂ = 0" in account.of_run(traj).why


@pytest.mark.parametrize("param", ["p", "logit"])
@pytest.mark.parametrize("p0", [-0.1, 0.0, 1.0, 1.5])
def test_p0_outside_the_open_interval_diverges_at_step_0(p0, param):
    traj = opt.run(N, K, f64(p0=p0, param=param))
    assert traj.status == "diverged" and traj.diverged_at == 0
    assert len(traj.p) == 1 and traj.p0 == p0
    assert (
        "is not inside (0, 1)" in account.of_run(traj).why
        and "nothing to optimize" in account.of_run(traj).why
    )


# --- the arrays against closed forms and torch autograd -----------------------------------


def per_sample_loss(w: torch.Tensor, x: torch.Tensor, param: str, scale: str) -> torch.Tensor:
    """The notebook's per-sample loss, written independently of the engine."""
    p = torch.sigmoid(w) if param == "logit" else w
    total = -torch.sum(torch.log(x * p + (1 - x) * (1 - p)))
    return total / x.numel() if scale == "mean" else total


@pytest.mark.parametrize("param", ["p", "logit"])
@pytest.mark.parametrize("scale", ["sum", "mean"])
def test_arrays_match_closed_forms_and_autograd(param, scale):
    lr = 0.5 * Problem(N, K, param, scale).thresholds().monotone
    traj = opt.run(N, K, f64(lr=lr, p0=0.3, steps=60, param=param, loss=scale))
    p = traj.p
    np.testing.assert_array_equal(traj.steps, np.arange(61))
    # nll and grad are likelihood's closed forms at p_t; loss is torch's, equal to 1e-13.
    if param == "p":
        np.testing.assert_array_equal(traj.param, p)
        np.testing.assert_allclose(traj.nll, lk.nll(p, N, K, scale), rtol=1e-15)
    else:
        np.testing.assert_allclose(p, lk.sigmoid(traj.param), rtol=1e-15)
        np.testing.assert_allclose(traj.nll, lk.nll_logit(traj.param, N, K, scale), rtol=1e-15)
    np.testing.assert_array_equal(traj.grad, lk.grad(p, N, K, scale))
    np.testing.assert_allclose(traj.loss, traj.nll, rtol=1e-13)
    # grad_param: what torch stepped with, against autograd of an independent per-sample
    # loss at the same parameter. Both sum 2-200 float64 terms: 1e-12 of the terms' size.
    x = torch.tensor(notebook_values(), dtype=torch.float64)
    per = 1 / N if scale == "mean" else 1.0
    for t in range(0, 60, 7):
        w = torch.tensor(traj.param[t], dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(per_sample_loss(w, x, param, scale), w)
        size = (K / p[t] + (N - K) / (1 - p[t])) * per
        assert abs(traj.grad_param[t] - g.item()) <= 1e-12 * size
        if param == "logit":  # the chain rule: dNLL/dθ = dNLL/dp · p (1 - p)
            chain = traj.grad[t] * p[t] * (1 - p[t])
            assert traj.grad_param[t] == pytest.approx(chain, rel=1e-10, abs=1e-12 * size)
        else:
            assert traj.grad_param[t] == pytest.approx(traj.grad[t], rel=1e-12, abs=1e-12 * size)
    assert math.isnan(traj.grad_param[-1])  # no step is taken from the last point


def test_gd_steps_are_p_minus_lr_g():
    lr = 0.7 * TH.monotone
    traj = opt.run(N, K, f64(lr=lr, p0=0.6, steps=40))
    expected = traj.p[:-1] - lr * lk.grad(traj.p[:-1], N, K)
    np.testing.assert_allclose(traj.p[1:], expected, rtol=1e-14)


def test_cost_of_the_full_batch_does_not_depend_on_n():
    # The mean loss depends only on k/n; the engine builds it from (n, k), so n = 2·10^14
    # (no per-sample anything could hold that) runs the same trajectory as n = 200.
    small = opt.run(200, 145, f64(lr=0.1, p0=0.2, loss="mean", steps=200))
    huge = opt.run(2 * 10**14, 145 * 10**12, f64(lr=0.1, p0=0.2, loss="mean", steps=200))
    np.testing.assert_allclose(huge.p, small.p, rtol=1e-13)
    assert huge.status == small.status == "converged"


# --- Newton, momentum, Adam, SGD ------------------------------------------------------------


def test_newton_from_one_half_lands_on_the_mle_in_one_step():
    # At p = 1/2: g = 2(n - 2k), h = 4n, so p - g/h = 1/2 - (n - 2k)/(2n) = k/n.
    traj = opt.run(N, K, f64(optimizer="newton", lr=1.0, p0=0.5, steps=5))
    assert traj.p[1] == pytest.approx(P_HAT, rel=1e-15)
    assert traj.status == "converged" and traj.converged_at == 1


def test_newton_in_p_converges_quadratically():
    traj = opt.run(N, K, f64(optimizer="newton", lr=1.0, p0=0.1, steps=20))
    assert traj.status == "converged" and traj.converged_at == 6  # |e_6| = 2.8e-7
    err = np.abs(traj.p - P_HAT)
    # Newton's error e' ≈ C e² with C = NLL'''(p̂) / (2 H).
    third = -2 * K / P_HAT**3 + 2 * (N - K) / (1 - P_HAT) ** 3
    c = third / (2 * TH.curvature)  # 2.257
    pairs = [(a, b) for a, b in itertools.pairwise(err) if a < 2e-2 and b > 1e-13]
    assert len(pairs) >= 3  # 1.2e-2 -> 3.5e-4 -> 2.8e-7 -> 1.8e-13: digits double
    for a, b in pairs:
        assert b / a**2 == pytest.approx(c, rel=0.1)
    # GD at its best monotone rate needs far more steps for the same accuracy.
    gd = opt.run(N, K, f64(lr=TH.monotone * 0.99, p0=0.1, steps=20))
    assert gd.status != "converged" or gd.converged_at > 6


@pytest.mark.parametrize("param", ["p", "logit"])
def test_newton_uses_the_second_derivative(param):
    traj = opt.run(N, K, f64(optimizer="newton", lr=0.5, p0=0.3, param=param, steps=30))
    assert traj.status == "converged"
    w = traj.param
    if param == "p":
        g, h = lk.grad(w, N, K), lk.curvature(w, N, K)
    else:
        g, h = lk.grad_logit(w, N, K), lk.curvature_logit(w, N, K)
    np.testing.assert_allclose(w[1:], (w - 0.5 * g / h)[:-1], rtol=1e-12, atol=1e-15)


def test_momentum_is_torchs_heavy_ball():
    lr, beta = 2e-4, 0.8
    traj = opt.run(N, K, f64(optimizer="momentum", lr=lr, beta=beta, p0=0.3, steps=300))
    p, v = 0.3, 0.0
    for t in range(300):  # torch: v = β v + g (v_1 = g_0), p -= lr v
        g = lk.grad(p, N, K)
        v = g if t == 0 else beta * v + g
        p -= lr * v
        assert traj.p[t + 1] == pytest.approx(p, rel=1e-12)
    assert traj.status == "converged"


def test_adam_is_torchs_adam():
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    traj = opt.run(N, K, f64(optimizer="adam", lr=lr, beta=beta1, p0=0.3, steps=300))
    p, m, v = 0.3, 0.0, 0.0
    for t in range(1, 301):
        g = lk.grad(p, N, K)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        p -= lr * (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + eps)
        assert traj.p[t] == pytest.approx(p, rel=1e-10)
    assert traj.status == "converged"


@pytest.mark.parametrize(
    ("optimizer", "lr"), [("gd", 5e-4), ("momentum", 1e-4), ("adam", 0.01), ("newton", 1.0)]
)
@pytest.mark.parametrize("param", ["p", "logit"])
def test_each_optimizer_converges_on_an_easy_case(optimizer, lr, param):
    if param == "logit" and optimizer in ("gd", "momentum"):
        lr = 4e-3  # 1/H in logit is 1/(n p̂(1 - p̂)) = 0.025
    traj = opt.run(N, K, f64(optimizer=optimizer, lr=lr, p0=0.3, param=param, steps=3000))
    assert traj.status == "converged", account.of_run(traj).why
    assert abs(traj.final_p - P_HAT) <= 1e-6


def implied_batch_ones(traj, b: int) -> np.ndarray:
    """k_b of each minibatch, solved from the gradient torch stepped with (sum loss in p):
    g = (n/b)(-k_b/p + (b - k_b)/(1 - p))."""
    p, g = traj.p[:-1], traj.grad_param[:-1]
    return p * b - p * (1 - p) * g * b / traj.n


def test_sgd_draws_real_minibatches():
    values = notebook_values()
    b = 20
    traj = opt.run(N, K, f64(optimizer="sgd", lr=1e-5, p0=0.3, batch_size=b, steps=2000), values)
    kb = implied_batch_ones(traj, b)
    # Each step's gradient is that of a batch of b real samples: an integer count of ones.
    np.testing.assert_allclose(kb, np.round(kb), atol=1e-6)
    assert kb.min() >= 0 and kb.max() <= b and len(np.unique(np.round(kb))) > 5
    # Drawn with replacement from 145 ones in 200: mean k_b/b = 0.725, SE 0.0998/sqrt(2000).
    assert np.mean(kb) / b == pytest.approx(P_HAT, abs=4 * 0.0998 / math.sqrt(2000))
    # Constant-lr SGD hovers around p̂ instead of converging: honest "ran all steps".
    assert traj.status == "max_steps"
    assert abs(np.mean(traj.p[1000:]) - P_HAT) < 0.01


def test_sgd_is_reproducible_by_seed():
    values = notebook_values()
    s = f64(optimizer="sgd", lr=1e-5, p0=0.3, steps=200, seed=3)
    a, b = opt.run(N, K, s, values), opt.run(N, K, s, values)
    np.testing.assert_array_equal(a.p, b.p)
    np.testing.assert_array_equal(a.grad_param, b.grad_param)
    c = opt.run(N, K, s.replace(seed=4), values)
    assert not np.array_equal(a.p, c.p)


def test_sgd_needs_the_values():
    with pytest.raises(ValueError, match="needs the raw 0/1 values"):
        opt.run(N, K, Settings(optimizer="sgd"))
    with pytest.raises(ValueError, match="needs the raw 0/1 values"):
        opt.run(N, K, Settings(optimizer="sgd"), np.zeros(10, dtype=np.uint8))


def test_sgd_step_cost_is_o_batch_not_o_n():
    # A minibatch draw must not touch all n values. Marginal cost per step (difference of a
    # long and a short run, best of 3) at n = 10^7 against n = 200: a pass over 10^7 values
    # costs milliseconds per step, i.e. >10× a torch step; allow 4×.
    big = samples.generate(10**7, 0.725, seed=1)
    small = samples.notebook_sample()

    def per_step(sample) -> float:
        def timed(steps: int) -> float:
            s = Settings(optimizer="sgd", lr=1e-9, steps=steps, batch_size=20)
            start = time.perf_counter()
            opt.run(sample.n, sample.k, s, sample.values)
            return time.perf_counter() - start

        return min(timed(401) - timed(1) for _ in range(3)) / 400

    assert per_step(big) < 4 * per_step(small)


# --- settings, start and status semantics ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lr": 0.0}, "learning rate must be a positive number, not 0.0"),
        ({"lr": -1e-3}, "learning rate must be a positive number"),
        ({"lr": math.nan}, "learning rate must be a positive number, not nan"),
        ({"lr": math.inf}, "learning rate must be a positive number, not inf"),
        ({"steps": 0}, "steps must be a whole number from 1 to 100,000, not 0"),
        ({"steps": 100_001}, "steps must be a whole number from 1 to 100,000"),
        ({"steps": 10.0}, "steps must be a whole number"),
        ({"p0": math.nan}, "p0 must be a finite number, not nan"),
        ({"p0": math.inf}, "p0 must be a finite number, not inf"),
        ({"optimizer": "lbfgs"}, "optimizer must be one of gd, momentum, adam, newton, sgd"),
        ({"beta": 1.0}, r"beta must be in \[0, 1\), not 1.0"),
        ({"beta": -0.1}, r"beta must be in \[0, 1\)"),
        ({"batch_size": 0}, "batch size must be a whole number >= 1, not 0"),
        ({"param": "theta"}, 'param must be "p" or "logit"'),
        ({"loss": "total"}, 'loss must be "sum" or "mean"'),
        ({"dtype": "float16"}, 'dtype must be "float32" or "float64"'),
        ({"tol": 0.0}, "tol must be a positive number"),
    ],
)
def test_settings_validation(changes, message):
    with pytest.raises(ValueError, match=message):
        Settings(**changes)
    with pytest.raises(ValueError, match=message):
        Settings().replace(**changes)


def test_settings_list_every_problem_on_one_line():
    with pytest.raises(ValueError) as info:
        Settings(lr=-1.0, steps=0, optimizer="x")
    text = str(info.value)
    assert "\n" not in text and text.count("; ") == 2


def test_settings_are_frozen_and_replace_copies():
    s = Settings()
    with pytest.raises(AttributeError):
        s.lr = 1.0  # type: ignore[misc]
    t = s.replace(lr=1e-3)
    assert t.lr == 1e-3 and s.lr == 2e-5 and t.steps == s.steps


def test_random_start_is_seeded_like_torch_rand():
    s = Settings(p0=None, seed=7)
    expected = float(torch.rand(1, generator=torch.Generator().manual_seed(7), dtype=torch.float64))
    assert opt.initial_p(s) == expected
    a, b = opt.run(N, K, s), opt.run(N, K, s)
    assert a.p0 == b.p0 == expected and np.array_equal(a.p, b.p)
    assert opt.initial_p(s.replace(seed=8)) != expected
    assert 0 < expected < 1


def test_converged_at_semantics():
    traj = opt.run(N, K, f64(lr=0.5 * TH.monotone, p0=0.3, steps=200, tol=1e-4))
    assert traj.status == "converged"
    t = traj.converged_at
    close = np.abs(traj.p - P_HAT) <= 1e-4
    assert np.all(close[t:]) and not close[t - 1]


def test_max_steps_semantics():
    traj = opt.run(N, K, f64(lr=1e-6, p0=0.3, steps=10))
    assert traj.status == "max_steps"
    assert traj.converged_at is None and traj.stalled_at is None and traj.diverged_at is None
    assert len(traj.p) == 11
    assert "Ran all 10 steps without settling within 1e-06 of p̂ = 0.725" in account.of_run(traj).why
    assert "monotone regime" in account.of_run(traj).why


def test_stalled_at_semantics_in_float64():
    # lr so small that lr·g rounds away at once: stalled from step 0.
    traj = opt.run(N, K, f64(lr=1e-30, p0=0.3, steps=5))
    assert traj.status == "stalled" and traj.stalled_at == 0
    assert np.all(traj.p == 0.3)
    assert "float64 spacing" in account.of_run(traj).why


def test_trajectory_helpers(notebook_run):
    assert notebook_run.mle == P_HAT
    assert notebook_run.final_p == notebook_run.p[-1]
    assert notebook_run.n == N and notebook_run.k == K
