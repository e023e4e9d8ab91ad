"""The closed-form likelihood maths, held against torch autograd, mpmath and hand algebra.

Everything is float64. Tolerances are stated where they are used; "ulp-level" means a
relative 1e-13 or tighter, i.e. a few float64 roundings.
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem

Z95 = 1.959963984540054  # the 97.5 % normal quantile
mpmath.mp.dps = 40  # reference values to 40 digits


@st.composite
def counts(draw, max_n: int = 1000, interior: bool = False):
    n = draw(st.integers(2 if interior else 1, max_n))
    k = draw(st.integers(1, n - 1) if interior else st.integers(0, n))
    return n, k


probabilities = st.floats(1e-6, 1 - 1e-6)


def per_sample_nll(p: torch.Tensor, n: int, k: int) -> torch.Tensor:
    """The notebook's loss, one term per sample: -sum log(x p + (1 - x)(1 - p))."""
    x = torch.cat([torch.ones(k, dtype=torch.float64), torch.zeros(n - k, dtype=torch.float64)])
    return -torch.sum(torch.log(x * p + (1 - x) * (1 - p)))


def autograd_derivatives(loss_fn, at: float) -> tuple[float, float, float]:
    """Value, first and second derivative of loss_fn at `at`, by torch autograd in float64."""
    w = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    value = loss_fn(w)
    (g,) = torch.autograd.grad(value, w, create_graph=True)
    (h,) = torch.autograd.grad(g, w)
    return value.item(), g.item(), h.item()


# --- NLL, gradient and curvature in p -------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(nk=counts(), p=probabilities)
def test_p_forms_match_per_sample_autograd(nk, p):
    n, k = nk
    value, g, h = autograd_derivatives(lambda w: per_sample_nll(w, n, k), p)
    # Summing n <= 1000 positive float64 terms: relative error below n * eps ~ 2e-13.
    assert lk.nll(p, n, k) == pytest.approx(value, rel=1e-12)
    # The gradient is a difference of k/p and (n - k)/(1 - p); its rounding is relative to
    # the size of those terms, not to their (possibly tiny) difference.
    scale = k / p + (n - k) / (1 - p)
    assert abs(lk.grad(p, n, k) - g) <= 1e-12 * scale
    # The curvature is a sum of positive terms.
    assert lk.curvature(p, n, k) == pytest.approx(h, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(nk=counts(max_n=10**9), p=probabilities)
def test_mean_is_sum_over_n(nk, p):
    n, k = nk
    for f in (lk.nll, lk.grad, lk.curvature):
        # One extra rounding (the multiplication by 1/n): ulp-level.
        assert f(p, n, k, "mean") == pytest.approx(f(p, n, k, "sum") / n, rel=1e-15, abs=1e-300)


def test_p_forms_by_hand():
    # n = 200, k = 145 at p = 1/2: NLL = 200 log 2, NLL' = 2 (n - 2k), NLL'' = 4 n.
    assert lk.nll(0.5, 200, 145) == pytest.approx(200 * math.log(2), rel=1e-15)
    assert lk.grad(0.5, 200, 145) == -180.0
    assert lk.curvature(0.5, 200, 145) == 800.0
    assert lk.grad(0.725, 200, 145) == pytest.approx(0.0, abs=1e-12)  # zero at the MLE


def test_arrays_in_arrays_out_scalars_in_floats_out():
    ps = np.array([0.1, 0.5, 0.9])
    for f in (lk.nll, lk.grad, lk.curvature):
        out = f(ps, 200, 145)
        assert isinstance(out, np.ndarray) and out.shape == (3,)
        assert isinstance(f(0.5, 200, 145), float)
        np.testing.assert_array_equal(out, [f(p, 200, 145) for p in ps])


def test_edges_and_outside():
    # At an edge some sample rules out the NLL is +inf; outside [0, 1] everything is NaN.
    assert lk.nll(0.0, 200, 145) == math.inf
    assert lk.nll(1.0, 200, 145) == math.inf
    assert lk.grad(0.0, 200, 145) == -math.inf
    assert lk.grad(1.0, 200, 145) == math.inf
    for p in (-0.1, 1.1, math.nan):
        for f in (lk.nll, lk.grad, lk.curvature):
            assert math.isnan(f(p, 200, 145))
    # No sample pulls towards the edge that the MLE sits on: 0 log 0 = 0, finite there.
    assert lk.nll(0.0, 200, 0) == 0.0
    assert lk.nll(1.0, 200, 200) == 0.0
    assert lk.grad(0.0, 200, 0) == 200.0
    assert lk.curvature(0.0, 200, 0) == 200.0
    assert lk.grad(1.0, 200, 200) == -200.0


def test_bad_scale():
    with pytest.raises(ValueError, match='"sum" or "mean"'):
        lk.nll(0.5, 10, 5, scale="avg")


# --- the logit parameterization -------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(nk=counts(), theta=st.floats(-15, 15))
def test_logit_forms_match_autograd(nk, theta):
    n, k = nk

    def loss(w):  # the per-sample loss with p = sigmoid(theta), as torch writes it
        return per_sample_nll(torch.sigmoid(w), n, k)

    value, g, h = autograd_derivatives(loss, theta)
    # log(1 - sigmoid(theta)) loses ~e^|theta| eps in torch's reference: allow that.
    assert lk.nll_logit(theta, n, k) == pytest.approx(value, rel=1e-12 * math.exp(abs(theta)))
    p = lk.sigmoid(theta)
    # Gradient n p - k: relative to the size of its terms (n p and k), as in p.
    assert abs(lk.grad_logit(theta, n, k) - g) <= 1e-12 * math.exp(abs(theta)) * (n * p + k)
    assert lk.curvature_logit(theta, n, k) == pytest.approx(h, rel=1e-12 * math.exp(abs(theta)))


@settings(max_examples=150, deadline=None)
@given(nk=counts(max_n=10**6), theta=st.floats(-40, 40))
def test_logit_forms_match_mpmath_even_far_out(nk, theta):
    n, k = nk
    t = mpmath.mpf(theta)
    sp = lambda x: mpmath.log1p(mpmath.exp(x))  # noqa: E731 - softplus
    sig = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
    exact_nll = k * sp(-t) + (n - k) * sp(t)
    exact_curv = n * sig(t) * sig(-t)
    # Few roundings of terms that never cancel: ulp-level.
    assert lk.nll_logit(theta, n, k) == pytest.approx(float(exact_nll), rel=1e-13)
    assert lk.curvature_logit(theta, n, k) == pytest.approx(float(exact_curv), rel=1e-13)
    # The gradient (n - k) p - k (1 - p) may cancel, but only as much as the exact value does.
    exact_grad = (n - k) * sig(t) - k * sig(-t)
    bound = 1e-15 * float((n - k) * sig(t) + k * sig(-t))
    assert abs(lk.grad_logit(theta, n, k) - float(exact_grad)) <= bound


def test_logit_boundary_counts_keep_their_digits():
    # k = n: NLL = n softplus(-theta) ~ n e^-theta; it must not cancel to noise at theta = 30.
    exact = 200 * math.log1p(math.exp(-30.0))
    assert lk.nll_logit(30.0, 200, 200) == pytest.approx(exact, rel=1e-14)
    assert lk.grad_logit(30.0, 200, 200) == pytest.approx(-200 * lk.sigmoid(-30.0), rel=1e-14)
    # Curvature n p (1 - p) at theta = 40 is ~8.5e-16, not 0.
    assert lk.curvature_logit(40.0, 200, 7) == pytest.approx(200 * math.exp(-40.0), rel=1e-14)


@settings(max_examples=100, deadline=None)
@given(nk=counts(), theta=st.floats(-5, 5))
def test_logit_forms_are_the_p_forms_by_the_chain_rule(nk, theta):
    n, k = nk
    p = lk.sigmoid(theta)
    dp = p * (1 - p)  # dp/dtheta
    # |theta| <= 5 keeps 1 - p well conditioned, so both sides are accurate to ~1e-13.
    assert lk.nll_logit(theta, n, k) == pytest.approx(lk.nll(p, n, k), rel=1e-12)
    scale = (n * p + k) * 1e-12
    assert abs(lk.grad_logit(theta, n, k) - lk.grad(p, n, k) * dp) <= scale
    chain = lk.curvature(p, n, k) * dp**2 + lk.grad(p, n, k) * dp * (1 - 2 * p)
    assert lk.curvature_logit(theta, n, k) == pytest.approx(chain, rel=1e-11, abs=1e-12 * n)
    for f in (lk.nll_logit, lk.grad_logit, lk.curvature_logit):
        assert f(theta, n, k, "mean") == pytest.approx(f(theta, n, k) / n, rel=1e-15, abs=1e-300)


def test_curvature_logit_never_exceeds_n_over_4():
    thetas = np.linspace(-50, 50, 2001)
    curv = lk.curvature_logit(thetas, 200, 145)
    assert curv.max() == 50.0  # at theta = 0
    assert np.all(curv > 0) and np.all(curv <= 50.0)


def test_sigmoid_and_logit():
    assert lk.sigmoid(0.0) == 0.5
    assert lk.logit(0.5) == 0.0
    ps = np.array([1e-300, 1e-9, 0.1, 0.725, 0.999])
    # exp(log p) amplifies log p's rounding by |log p| <= 691: rel 1e-12.
    np.testing.assert_allclose(lk.sigmoid(lk.logit(ps)), ps, rtol=1e-12)
    assert lk.logit(0.0) == -math.inf and lk.logit(1.0) == math.inf
    assert math.isnan(lk.logit(1.5)) and math.isnan(lk.logit(-0.5))
    # Far out: no overflow, no warning, the exact limits.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lk.sigmoid(1e6) == 1.0 and lk.sigmoid(-1e6) == 0.0
        assert lk.sigmoid(800.0) == 1.0 and lk.sigmoid(-800.0) == 0.0
        assert lk.curvature_logit(1e6, 10, 5) == 0.0
        assert lk.grad_logit(np.array([-1e6, 1e6]), 10, 3).tolist() == [-3.0, 7.0]
        assert lk.sigmoid(-700.0) == pytest.approx(math.exp(-700.0), rel=1e-15)
        assert math.isnan(lk.sigmoid(math.nan))


# --- MLE and standard error -----------------------------------------------------------


def test_mle_and_boundary():
    assert lk.mle(200, 145) == 0.725
    assert lk.mle(200, 0) == 0.0 and lk.mle(200, 200) == 1.0
    assert not lk.on_boundary(200, 145)
    assert lk.on_boundary(200, 0) and lk.on_boundary(200, 200) and lk.on_boundary(1, 1)


@pytest.mark.parametrize(("n", "k"), [(0, 0), (-1, 0), (10, -1), (10, 11)])
def test_bad_counts(n, k):
    with pytest.raises(ValueError, match=f"need n >= 1 and 0 <= k <= n, got n = {n}, k = {k}"):
        lk.mle(n, k)
    with pytest.raises(ValueError):
        Problem(n, k).thresholds()
    with pytest.raises(ValueError):
        lk.intervals(n, k)


@settings(max_examples=100, deadline=None)
@given(nk=counts(max_n=10**9, interior=True))
def test_mle_minimizes_and_zeroes_the_gradient(nk):
    n, k = nk
    p = lk.mle(n, k)
    scale = k / p + (n - k) / (1 - p)  # 2n: the size of the gradient's two terms
    # p̂ = k/n is rounded, and 1 - p̂ magnifies that by 1/min(p̂, 1 - p̂).
    assert abs(lk.grad(p, n, k)) <= 4e-16 / min(p, 1 - p) * scale
    # A relative step of 1e-4 raises the NLL by ~H e²/2 >= 5e-9 · min(k, n - k), far above
    # its float64 rounding (~1e-16 · NLL).
    for q in (p * (1 - 1e-4), p + (1 - p) * 1e-4):
        assert lk.nll(q, n, k) > lk.nll(p, n, k)


def test_standard_error():
    # sqrt(0.725 * 0.275 / 200), by hand (mpmath, 40 digits): 0.031573327350787721...
    assert lk.standard_error(200, 145) == pytest.approx(0.0315733273507877215, rel=1e-15)
    # It is 1/sqrt(H) for the sum NLL in p: the Fisher information at the MLE.
    assert lk.standard_error(200, 145) == pytest.approx(
        1 / math.sqrt(lk.curvature(0.725, 200, 145)), rel=1e-14
    )
    assert lk.standard_error(200, 0) == 0.0 and lk.standard_error(200, 200) == 0.0


# --- intervals ------------------------------------------------------------------------


def test_intervals_by_hand_n200_k145():
    wald, wilson, lr = lk.intervals(200, 145)
    assert [wald.name, wilson.name, lr.name] == ["Wald", "Wilson", "likelihood ratio"]
    # Reference ends from mpmath at 40 digits (see test_likelihood_ratio_against_mpmath for
    # the LR root itself); float64 formulas with a few roundings: rel 1e-14.
    assert wald.low == pytest.approx(0.66311741552036262, rel=1e-14)
    assert wald.high == pytest.approx(0.78688258447963738, rel=1e-14)
    assert wilson.low == pytest.approx(0.65931660642330355, rel=1e-14)
    assert wilson.high == pytest.approx(0.78220299670692649, rel=1e-14)
    # Bisection to float64 resolution: rel 1e-14.
    assert lr.low == pytest.approx(0.66051600897126766, rel=1e-14)
    assert lr.high == pytest.approx(0.78375613625876282, rel=1e-14)
    assert wald.note == wilson.note == lr.note == ""


def wilson_textbook(n: int, k: int, z: float) -> tuple[float, float]:
    """Wilson's interval in its textbook form (k + z²/2)/(n + z²) ± ..., another algebra."""
    p = k / n
    centre = (k + z * z / 2) / (n + z * z)
    half = z * math.sqrt(n) / (n + z * z) * math.sqrt(p * (1 - p) + z * z / (4 * n))
    return centre - half, centre + half


@settings(max_examples=200, deadline=None)
@given(nk=counts(max_n=10**6), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
@example(nk=(997520, 997519), level=0.99)  # the upper end 1.4e-8 below 1: p's spacing shows
def test_interval_properties(nk, level):
    n, k = nk
    p = lk.mle(n, k)
    z = lk._z(level)
    wald, wilson, lr = lk.intervals(n, k, level)
    # Wald: symmetric about p̂ with half-width z·SE.
    assert wald.high - p == pytest.approx(p - wald.low, abs=1e-15)
    assert wald.high - p == pytest.approx(z * lk.standard_error(n, k), rel=1e-12, abs=1e-15)
    # Wilson: the textbook algebra; inside [0, 1]; contains p̂.
    low, high = wilson_textbook(n, k, z)
    assert wilson.low == pytest.approx(low, rel=1e-9, abs=1e-12)
    assert wilson.high == pytest.approx(high, rel=1e-9, abs=1e-12)
    assert 0 <= wilson.low <= p <= wilson.high <= 1
    # LR: contains p̂, inside [0, 1], and each interior end sits on the chi-square cut.
    assert 0 <= lr.low <= p <= lr.high <= 1
    best = lk.nll(p, n, k)
    for end, interior in ((lr.low, k > 0), (lr.high, k < n)):
        if interior:
            # The NLL's rounding is ~eps * NLL, and the end is a float: next to p = 1 - 1e-8
            # one spacing of p moves the NLL by |dNLL/dp| * spacing (~1e-8 at n = 10^6). That
            # is what the cut can be resolved to.
            step = abs(lk.grad(end, n, k)) * np.spacing(end)
            tol = 1e-9 + 1e-13 * abs(best) + step
            assert 2 * (lk.nll(end, n, k) - best) == pytest.approx(z * z, abs=2 * tol)


@pytest.mark.parametrize(("n", "k"), [(200, 145), (10, 1), (1000, 3), (37, 36), (5, 2)])
def test_likelihood_ratio_against_mpmath(n, k):
    z = mpmath.sqrt(2) * mpmath.erfinv(mpmath.mpf("0.95"))
    p = mpmath.mpf(k) / n

    def excess(q):
        return (
            -(k * mpmath.log(q) + (n - k) * mpmath.log(1 - q))
            + (k * mpmath.log(p) + (n - k) * mpmath.log(1 - p))
            - z**2 / 2
        )

    low = mpmath.findroot(excess, (mpmath.mpf("1e-30"), p), solver="anderson")
    high = mpmath.findroot(excess, (p, 1 - mpmath.mpf("1e-30")), solver="anderson")
    lr = lk.likelihood_ratio_interval(n, k)
    # Bisection in float64 on an NLL with rounding ~eps·NLL: rel 1e-12.
    assert lr.low == pytest.approx(float(low), rel=1e-12)
    assert lr.high == pytest.approx(float(high), rel=1e-12)


@pytest.mark.parametrize("n", [1, 7, 200, 10**6])
def test_intervals_at_k0(n):
    wald, wilson, lr = lk.intervals(n, 0)
    assert (wald.low, wald.high) == (0.0, 0.0)
    assert "degenerate" in wald.note and "standard error is 0" in wald.note
    assert wilson.low == 0.0  # exactly
    assert wilson.high == pytest.approx(Z95**2 / (n + Z95**2), rel=1e-14)
    assert lr.low == 0.0  # exactly
    # NLL(p) - NLL(0) = -n log(1 - p) = z²/2 gives p = 1 - exp(-z²/(2n)): to a few ulps.
    assert lr.high == pytest.approx(-math.expm1(-(Z95**2) / (2 * n)), rel=1e-14)


@pytest.mark.parametrize("n", [1, 7, 200, 10**6])
def test_intervals_at_k_equal_n(n):
    wald, wilson, lr = lk.intervals(n, n)
    assert (wald.low, wald.high) == (1.0, 1.0)
    assert "degenerate" in wald.note
    assert wilson.high == 1.0
    assert wilson.low == pytest.approx(1 - Z95**2 / (n + Z95**2), rel=1e-14)
    assert lr.high == 1.0
    assert lr.low == pytest.approx(math.exp(-(Z95**2) / (2 * n)), rel=1e-14)


def test_wald_outside_unit_interval_says_so():
    wald = lk.wald_interval(20, 1)
    assert wald.low < 0  # shown as computed, not clipped
    assert "outside [0, 1]" in wald.note
    assert lk.wilson_interval(20, 1).low > 0


@pytest.mark.parametrize("level", [0.0, 1.0, -0.5, 1.5])
def test_bad_level(level):
    with pytest.raises(ValueError, match="confidence level must be in"):
        lk.wald_interval(10, 5, level)


def test_higher_level_wider():
    for f in (lk.wald_interval, lk.wilson_interval, lk.likelihood_ratio_interval):
        narrow, wide = f(200, 145, 0.9), f(200, 145, 0.99)
        assert wide.low < narrow.low and narrow.high < wide.high


# --- learning-rate thresholds ---------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(nk=counts(max_n=10**9, interior=True))
def test_thresholds_closed_forms(nk):
    n, k = nk
    p = k / n
    # Exact rationals (Python ints, one rounding): n/(p̂(1 - p̂)) = n³/(k(n - k)), and so on.
    expected = {
        ("p", "sum"): n**3 / (k * (n - k)),
        ("p", "mean"): n**2 / (k * (n - k)),
        ("logit", "sum"): k * (n - k) / n,
        ("logit", "mean"): k * (n - k) / n**2,
    }
    # The engine works from the rounded p̂ = k/n, and 1 - p̂ magnifies that rounding by
    # 1/min(p̂, 1 - p̂): the tolerance is a few eps times that condition number.
    rel = 4e-16 / min(p, 1 - p)
    for (param, scale), h in expected.items():
        th = Problem(n, k, param, scale).thresholds()
        assert (th.param, th.scale) == (param, scale)
        assert th.curvature == pytest.approx(h, rel=rel)
        assert th.monotone == pytest.approx(1 / h, rel=rel)
        assert th.stable == 2 * th.monotone
        assert th.note == ""
        # H is the curvature function at the MLE.
        if param == "p":
            at_mle = lk.curvature(p, n, k, scale)
        else:
            at_mle = lk.curvature_logit(lk.logit(p), n, k, scale)
        assert th.curvature == pytest.approx(at_mle, rel=4 * rel)
    for param in ("p", "logit"):
        s, m = Problem(n, k, param, "sum").thresholds(), Problem(n, k, param, "mean").thresholds()
        assert m.monotone == pytest.approx(n * s.monotone, rel=1e-14)  # the n× factor
        assert m.stable == pytest.approx(n * s.stable, rel=1e-14)
    assert Problem(n, k, "p").thresholds().global_stable is None  # curvature unbounded in p
    assert Problem(n, k, "logit", "sum").thresholds().global_stable == pytest.approx(
        8 / n, rel=1e-15
    )
    assert Problem(n, k, "logit", "mean").thresholds().global_stable == pytest.approx(
        8.0, rel=1e-15
    )


def test_thresholds_notebook_numbers():
    th = Problem(200, 145).thresholds()
    # H = 200 / (0.725 * 0.275) = 1003.1347962...; 1/H = 9.96875e-4; 2/H = 1.99375e-3.
    assert th.curvature == pytest.approx(1003.134796238244, rel=1e-14)
    assert th.monotone == pytest.approx(9.96875e-4, rel=1e-14)
    assert th.stable == pytest.approx(1.99375e-3, rel=1e-14)
    assert th.regime(2e-5) == "monotone"  # the notebook's lr: 50× below 1/H
    assert th.regime(1.5e-3) == "oscillating"
    assert th.regime(2.5e-3) == "unstable"
    assert th.momentum_stable(0.9) == pytest.approx(3.8 * th.monotone, rel=1e-15)
    assert th.momentum_stable(0.0) == th.stable


@pytest.mark.parametrize("k", [0, 200])
def test_thresholds_on_the_boundary(k):
    p_th = Problem(200, k, "p").thresholds()
    # the curvature at the edge is finite (n); no 1/H or 2/H applies there (NaN)
    assert p_th.curvature == 200 and math.isnan(p_th.monotone) and math.isnan(p_th.stable)
    assert "edge" in p_th.note and "every learning rate" in p_th.note
    assert p_th.regime(1e-9) == "unstable"
    logit_th = Problem(200, k, "logit", "mean").thresholds()
    assert logit_th.curvature == 0.0
    assert logit_th.monotone == math.inf and logit_th.stable == math.inf
    assert "∞" in logit_th.note and ("-∞" in logit_th.note) == (k == 0)
    assert logit_th.global_stable == 8.0
    assert logit_th.regime(100.0) == "monotone"


def test_thresholds_bad_arguments():
    with pytest.raises(ValueError, match='param must be "p" or "logit"'):
        Problem(10, 5, "theta").thresholds()
    with pytest.raises(ValueError, match='"sum" or "mean"'):
        Problem(10, 5, "p", "total").thresholds()


@settings(max_examples=50, deadline=None)
@given(nk=counts(interior=True))
def test_thresholds_are_gd_multipliers(nk):
    # One GD step from p̂ + e multiplies e by 1 - lr·H to first order: at lr = 1/H the error
    # vanishes to second order, at lr = 2/H it flips sign with its size kept.
    n, k = nk
    p = k / n
    th = Problem(n, k).thresholds()
    e = 1e-6 * min(p, 1 - p)
    for lr, factor in ((th.monotone, 0.0), (th.stable, -1.0), (0.5 * th.monotone, 0.5)):
        q = p + e - lr * lk.grad(p + e, n, k)
        # Second-order remainder: |e| * (lr·|NLL'''|·|e|/2) <= |e| * 1e-5 here.
        assert (q - p) / e == pytest.approx(factor, abs=1e-4)
