"""The Problem value: its maths against likelihood's closed forms and against torch autograd.

float64 throughout. Autograd and the closed forms agree to 1e-10 relative away from the edges
(they round differently); the update step matches torch.optim.SGD's step to 1e-12.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from bernoulli import settings
from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem

N, K = 200, 145
PROBLEMS = [Problem(N, K, param, loss) for param in ("p", "logit") for loss in ("sum", "mean")]
P = np.array([0.01, 0.2, 0.5, 0.725, 0.9, 0.999])


def autograd(problem: Problem, x: float) -> tuple[float, float, float]:
    """NLL, dNLL/dx and d²NLL/dx² by torch autograd from the loss written in p."""
    w = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    p = w if problem.param == "p" else torch.sigmoid(w)
    loss = -(problem.k * torch.log(p) + (problem.n - problem.k) * torch.log1p(-p))
    if problem.loss == "mean":
        loss = loss / problem.n
    (g,) = torch.autograd.grad(loss, w, create_graph=True)
    (h,) = torch.autograd.grad(g, w)
    return loss.item(), g.item(), h.item()


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
@pytest.mark.parametrize("p", P)
def test_nll_grad_and_curvature_are_autograds(problem, p):
    x = problem.to_x(p)
    nll, g, h = autograd(problem, x)
    assert problem.nll(x) == pytest.approx(nll, rel=1e-10)
    assert problem.grad(x) == pytest.approx(g, rel=1e-9, abs=1e-9)
    assert problem.curvature(x) == pytest.approx(h, rel=1e-9)


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
def test_methods_are_likelihoods_closed_forms_in_the_runs_parameter(problem):
    n, k, loss = problem.n, problem.k, problem.loss
    x = np.asarray(problem.to_x(P))
    if problem.param == "p":
        np.testing.assert_array_equal(x, P)
        np.testing.assert_array_equal(problem.nll(x), lk.nll(P, n, k, loss))
        np.testing.assert_array_equal(problem.grad(x), lk.grad(P, n, k, loss))
        np.testing.assert_array_equal(problem.curvature(x), lk.curvature(P, n, k, loss))
    else:
        np.testing.assert_allclose(x, np.log(P / (1 - P)), rtol=1e-12)
        np.testing.assert_array_equal(problem.nll(x), lk.nll_logit(x, n, k, loss))
        np.testing.assert_array_equal(problem.grad(x), lk.grad_logit(x, n, k, loss))
        np.testing.assert_array_equal(problem.curvature(x), lk.curvature_logit(x, n, k, loss))
        # The same NLL as in p, at the same point.
        np.testing.assert_allclose(problem.nll(x), lk.nll(P, n, k, loss), rtol=1e-12)
    np.testing.assert_allclose(problem.to_p(x), P, rtol=1e-12)
    # One value at a time, as a run's step checks it: the same numbers, as floats.
    ends = [-800.0, 40.0, 1.5, -0.5] if problem.param == "logit" else [0.0, 1.0, 1.5, -0.5]
    for one in [*x.tolist(), *ends, float("nan")]:
        assert type(problem.p_at(one)) is float
        np.testing.assert_array_equal(problem.p_at(one), problem.to_p(one))


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
@pytest.mark.parametrize("p", [0.2, 0.725, 0.9])
def test_update_is_one_torch_sgd_step_and_slope_its_derivative(problem, p):
    lr = 0.7 * problem.thresholds().stable
    x = problem.to_x(p)
    w = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    q = w if problem.param == "p" else torch.sigmoid(w)
    loss = -(problem.k * torch.log(q) + (problem.n - problem.k) * torch.log1p(-q))
    (loss / (problem.n if problem.loss == "mean" else 1)).backward()
    optimizer.step()
    assert problem.update(x, lr) == pytest.approx(w.item(), rel=1e-12, abs=1e-12)
    _, _, h = autograd(problem, x)
    assert problem.slope(x, lr) == pytest.approx(1 - lr * h, rel=1e-9, abs=1e-12)
    step = 1e-6 * max(1.0, abs(x))  # and a centred difference of the update map
    central = (problem.update(x + step, lr) - problem.update(x - step, lr)) / (2 * step)
    assert problem.slope(x, lr) == pytest.approx(central, rel=1e-5, abs=1e-6)


def test_slope_at_the_mle_is_one_minus_lr_h():
    for problem in PROBLEMS:
        th = problem.thresholds()
        assert problem.slope(problem.x_hat, th.monotone) == pytest.approx(0.0, abs=1e-12)
        assert problem.slope(problem.x_hat, th.stable) == pytest.approx(-1.0, rel=1e-12)
        assert problem.update(problem.x_hat, th.stable) == pytest.approx(problem.x_hat, abs=1e-12)


def test_mle_x_hat_nll_min_weight_and_thresholds():
    p, logit = Problem(N, K), Problem(N, K, "logit", "mean")
    assert p.mle == logit.mle == 0.725
    assert p.x_hat == 0.725 and logit.x_hat == pytest.approx(math.log(0.725 / 0.275), rel=1e-15)
    assert p.nll_min == lk.nll(0.725, N, K) and logit.nll_min == lk.nll(0.725, N, K, "mean")
    assert p.weight == N and logit.weight == 1
    assert p.thresholds() == Problem(N, K, "p", "sum").thresholds()
    assert logit.thresholds() == Problem(N, K, "logit", "mean").thresholds()
    edge = Problem(20, 20, "logit")
    assert edge.x_hat == math.inf and edge.nll_min == 0.0 and edge.thresholds().note


def test_reach_holds_every_step_of_the_logit_map():
    p = Problem(N, K)
    assert p.reach(1e-3) == (0.0, 1.0)
    logit = Problem(N, K, "logit")
    lr = np.array([0.01, 0.1])
    low, high = logit.reach(lr)
    centre = math.log(0.725 / 0.275)
    np.testing.assert_allclose((low + high) / 2, centre, rtol=1e-12)
    # One step from anywhere moves theta by less than lr n max(p̂, 1 - p̂) < high - centre.
    theta = np.linspace(-50, 50, 1001)[:, None]
    moved = np.abs(np.asarray(logit.update(theta, lr)) - theta)
    assert np.all(moved < high - centre)


def test_the_fields_are_checked_against_the_settings_table():
    assert set(settings.FIELDS["param"].choices) == {"p", "logit"}
    with pytest.raises(ValueError, match='param must be "p" or "logit", not \'q\''):
        Problem(N, K, "q")
    with pytest.raises(ValueError, match='loss must be "sum" or "mean", not \'total\''):
        Problem(N, K, loss="total")
    for n, k in [(0, 0), (10, 11), (10, -1)]:
        with pytest.raises(ValueError, match="need n >= 1 and 0 <= k <= n"):
            Problem(n, k)
    assert Problem(N, K) == Problem(N, K, settings.DEFAULTS["param"], settings.DEFAULTS["loss"])


def test_a_problem_is_a_frozen_hashable_value():
    problem = Problem(N, K, "logit")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.k = 3
    assert {problem: 1}[Problem(N, K, "logit")] == 1
    assert dataclasses.replace(problem, param="p") == Problem(N, K)


def test_outside_the_interval_p_is_nan_and_theta_is_always_inside():
    p = Problem(N, K)
    assert math.isnan(p.nll(1.5)) and math.isnan(p.grad(-0.1)) and math.isnan(p.update(1.5, 1e-3))
    logit = Problem(N, K, "logit")
    assert 0 < logit.to_p(-700.0) < logit.to_p(800.0) == 1.0  # exp(-700) is still normal
    assert math.isfinite(logit.nll(800.0)) and logit.grad(800.0) == N - K
