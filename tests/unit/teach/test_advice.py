"""advice: what a run does, forecast in float64 and read from the real torch run, agree;
the logit loss's torch derivatives against closed forms far out in θ; ratios with digits."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from bernoulli.engine import dynamics, optimize
from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from bernoulli.teach import account, advice, words

N, K = 200, 145  # the notebook's sample
H_P = N / (0.725 * 0.275)  # curvature of the summed NLL in p at p̂


# --- the logit loss: exact derivatives up to |θ| = 700 ----------------------------------------


def _closed(theta: float, n: int, k: int) -> tuple[float, float]:
    """dNLL/dθ = (n - k) σ(θ) - k σ(-θ) and d²NLL/dθ² = n σ(θ) σ(-θ), from math alone."""

    def sig(x):
        return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))

    return (n - k) * sig(theta) - k * sig(-theta), n * sig(theta) * sig(-theta)


@pytest.mark.parametrize(
    "theta", [-700.0, -300.0, -40.0, -21.0, 0.0, 19.0, 21.0, 40.0, 300.0, 700.0]
)
@pytest.mark.parametrize("k", [0, 3, 10])
@pytest.mark.parametrize("scale", ["sum", "mean"])
def test_logit_gradient_and_curvature_are_exact_far_out(theta, k, scale):
    n = 10
    w = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    loss = optimize.full_loss(w, n, k, "logit", scale)
    (g,) = torch.autograd.grad(loss, w, create_graph=True)
    (h,) = torch.autograd.grad(g, w)  # what Newton divides by
    g_true, h_true = _closed(theta, n, k)
    per = 1 / n if scale == "mean" else 1
    assert g.item() == pytest.approx(g_true * per, rel=1e-13, abs=0)
    assert h.item() == pytest.approx(h_true * per, rel=1e-13, abs=0)
    assert h.item() > 0  # never the 0 of torch's softplus above θ = 20
    assert loss.item() == pytest.approx(lk.nll_logit(theta, n, k, scale), rel=1e-13)


def test_all_ones_in_logit_no_longer_stalls_for_a_wrong_reason():
    traj = optimize.run(
        10, 10, Settings(lr=1.0, steps=1000, p0=0.5, param="logit", dtype="float64")
    )
    assert traj.status == "max_steps"  # θ keeps creeping outward: the gradient is not 0
    assert np.all(np.diff(traj.param) > 0)
    assert np.all(traj.grad_param[:-1] < 0)


def test_newton_in_logit_says_why_its_step_is_not_finite():
    s = Settings(lr=1.0, steps=1000, p0=0.5, optimizer="newton", param="logit", dtype="float32")
    traj = optimize.run(10, 10, s)
    t = traj.diverged_at
    assert traj.status == "diverged" and 0 < traj.p[t - 1] <= 1
    # each Newton step moves θ by g/H = 1/σ(θ) = 1 + e^-θ while g/H is defined: no early 0/0
    theta = traj.param[:t]
    assert np.allclose(np.diff(theta), 1 + np.exp(-theta[:-1]), rtol=0, atol=3e-5)
    assert theta[-1] > 85  # float32's σ(-θ) is subnormal by then: H rounds to 0
    assert "g/H is not a number, though p did not leave (0, 1)" in account.of_run(traj).why
    assert "p left (0, 1)" not in account.of_run(traj).why


# --- words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, text",
    [
        (1.003, "1.003"),
        (0.9996, "0.9996"),
        (1.0000202, "1.00002"),
        (1.5, "1.5"),
        (0.0797, "0.0797"),
    ],
)
def test_ratios_near_one_keep_their_digits(x, text):
    assert words.ratio(x) == text
    assert float(words.ratio(x)) != 1


def test_zero_is_never_minus_zero():
    assert words.number(-0.0) == "0"
    assert lk.nll(1.0, 5, 5) == 0 and math.copysign(1, lk.nll(1.0, 5, 5)) == 1


def test_explain_tells_1_003_from_1():
    s = Settings(lr=1.003 * 2 / H_P, steps=5000, p0=0.72, dtype="float64")
    traj = optimize.run(N, K, s)
    assert (
        traj.status == "diverged" and "1.003× the local stability limit" in account.of_run(traj).why
    )


# --- the edge: the slope, not the curvature -------------------------------------------------


@pytest.mark.parametrize("k", [0, 50])
def test_thresholds_on_the_edge_give_the_finite_curvature_and_the_slope(k):
    th = Problem(50, k, "p").thresholds()
    assert th.curvature == 50 == lk.curvature(k / 50, 50, k)
    assert math.isnan(th.monotone) and math.isnan(th.stable)
    assert "not 0" in th.note and "every learning rate" in th.note
    assert abs(lk.grad(k / 50, 50, k)) == 50  # the non-zero slope at the edge
    mean = Problem(50, k, "p", "mean").thresholds()
    assert mean.curvature == 1.0


# --- the stable 2-cycle window: bisected, not a grid point -----------------------------------


def test_stable_window_is_the_true_edge():
    window = dynamics.stable_window(Problem(N, K, "p", "sum"))
    assert 1 + window == pytest.approx(1.0000202, abs=1e-7)
    ref = 2 / H_P
    inside = dynamics.two_cycles(Problem(N, K), [(1 + 0.99 * window) * ref], points=20001)
    outside = dynamics.two_cycles(Problem(N, K), [(1 + 1.01 * window) * ref], points=20001)
    assert inside.stable.any() and not outside.stable.any()
    assert dynamics.stable_window(Problem(200, 120)) is None  # |2p̂ − 1| = 0.2 < 1/√5


# --- the forecast (sidebar) and the run (banner) agree ----------------------------------------


def _grid():
    cases = []
    for p0 in (0.08385391, 0.6, 0.8):
        for mult in (0.3, 0.7, 1.4, 1.8, 2.6):  # × 1/H: walks, walks, zig-zags, zig-zags, leaves
            cases.append(Settings(lr=mult / H_P, p0=p0, dtype="float64"))
            cases.append(Settings(lr=mult / H_P, p0=p0))
        for lr in (3e-4, 6e-4, 1e-3):
            cases.append(Settings(lr=lr, p0=p0, optimizer="momentum", beta=0.5))
        for lr in (0.003, 0.01, 0.05):
            cases.append(Settings(lr=lr, p0=p0, optimizer="adam", steps=2000))
        for lr in (0.5, 1.0, 1.5, 2.5):
            cases.append(Settings(lr=lr, p0=p0, optimizer="newton", dtype="float64"))
        for lr in (0.01, 0.04, 0.07):  # logit: 1/H = 0.025, 2/H = 0.05
            cases.append(Settings(lr=lr, p0=p0, param="logit", dtype="float64"))
            cases.append(Settings(lr=lr * 200, p0=p0, param="logit", loss="mean"))
        cases.append(Settings(lr=5e-3, p0=p0, loss="mean"))
    return cases


@pytest.mark.parametrize(
    "s", _grid(), ids=lambda s: f"{s.optimizer}-{s.param}-{s.loss}-{s.lr:.3g}-{s.p0}"
)
def test_the_forecast_and_the_run_agree(s):
    said = account.of_forecast(N, K, s)  # the sidebar's words, before the run (no torch)
    traj = optimize.run(N, K, s)
    did = account.of_run(traj)  # the banner's
    assert said.outcome == did.outcome, (said.sentence, did.sentence)
    assert said.theory == did.theory and said.first_step == did.first_step
    assert (did.outcome == "escapes") == (traj.status == "diverged")
    if did.outcome == "escapes" and did.at == 1:
        assert said.at == 1 and said.p1 == pytest.approx(traj.p[1], rel=1e-5)


def test_the_notebook_start_is_decided_by_its_first_step():
    limit = advice.first_step_limit(N, K, Settings(), 0.08385391)
    g = lk.grad(0.08385391, N, K)
    assert limit == pytest.approx((1 - 0.08385391) / -g, rel=1e-12)
    assert 5.4e-4 < limit < 5.6e-4
    for lr in (1.5e-3, 2.1e-3, 1e-2):
        words_ = account.of_forecast(N, K, Settings(lr=lr))
        assert (words_.outcome, words_.at) == ("escapes", 1)
        assert "oscillat" not in words_.sentence
        traj = optimize.run(N, K, Settings(lr=lr))
        assert "every step overshoots" not in account.of_run(traj).why  # p never came near p̂
        assert "p never came near p̂" in account.of_run(traj).why
    assert "every lr ≥ 0.00055 throws p out of (0, 1) at step 1" in words_.first_step


def test_adam_and_newton_do_not_quote_gradient_descents_limits():
    for optimizer in ("adam", "newton"):
        text = advice.theory(N, K, Settings(optimizer=optimizer))
        assert "2/H =" not in text and "1/H =" not in text
    assert "lr·H < 2(1 + β)" in advice.theory(N, K, Settings(optimizer="momentum")).replace(
        "0 < lr·H", "lr·H"
    )


def test_momentum_far_from_p_hat_is_not_called_stable():
    said = account.of_forecast(N, K, Settings(optimizer="momentum", lr=3e-4))
    assert said.outcome == "escapes" and said.at > 1 and "stable" not in said.sentence


# --- the lr offered on a switch ---------------------------------------------------------------


def test_fitting_lr_keeps_lr_times_h_and_offers_the_usual_rates():
    gd = Settings(lr=1.5e-3)
    lr, note = advice.fitting_lr(N, K, gd, gd.replace(param="logit"))
    h_logit = N * 0.725 * 0.275
    assert lr == pytest.approx(1.5e-3 * H_P / h_logit, rel=1e-3) and "same lr·H" in note
    lr, _ = advice.fitting_lr(N, K, gd, gd.replace(loss="mean"))
    assert lr == pytest.approx(1.5e-3 * N, rel=1e-3)
    assert advice.fitting_lr(N, K, gd, gd.replace(optimizer="newton"))[0] == 1.0
    assert advice.fitting_lr(N, K, gd, gd.replace(optimizer="adam"))[0] == 0.01
    newton = Settings(optimizer="newton", lr=1.0)
    lr, note = advice.fitting_lr(N, K, newton, newton.replace(optimizer="gd"))
    assert lr == pytest.approx(0.5 / H_P, rel=1e-3) and "walks" in note


@pytest.mark.parametrize(
    ("lr", "p0", "kind"),
    [(2e-4, 0.6, "converges"), (1.5e-3, 0.6, "zigzags"), (1.5e-3, 0.85, "zigzags")],
)
def test_a_converged_run_settles_at_its_own_converged_step(lr, p0, kind):
    """The banner's "settles there (step t)" is the run's converged_at, not where p last moved."""
    s = Settings(lr=lr, p0=p0, dtype="float64")
    run = optimize.run(200, 145, s)
    assert run.status == "converged"
    words_ = account.of_run(run)
    assert words_.outcome == kind
    assert words_.sentence.endswith(f"from step {run.converged_at}).")
