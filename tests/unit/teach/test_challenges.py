"""challenges: every card's check on runs that pass and runs that fail it, each one's outcome
computed independently here (the update maps in closed form, in float64), and the cards'
starts (valid links, not already solved)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bernoulli.data import samples
from bernoulli.engine.optimize import Settings
from bernoulli.io import share
from bernoulli.teach import challenges
from bernoulli.teach.challenges import CHALLENGES, Challenge, Check, check

SAMPLE = samples.notebook_sample()
N, K = SAMPLE.n, SAMPLE.k  # 200, 145
P_HAT = K / N
H = N / (P_HAT * (1 - P_HAT))  # summed NLL in p, at p̂
H_LOGIT = N * P_HAT * (1 - P_HAT)
H_MEAN = H / N


def grad_p(p: float, per: float = 1.0) -> float:
    return per * (-K / p + (N - K) / (1 - p))


def path_p(lr: float, p0: float, steps: int, per: float = 1.0, beta: float = 0.0) -> list[float]:
    """Gradient descent in p (heavy-ball momentum with β > 0), float64, until p leaves (0, 1)."""
    p, v, out = p0, 0.0, [p0]
    for _ in range(steps):
        v = beta * v + grad_p(p, per)
        p -= lr * v
        out.append(p)
        if not 0 < p < 1:
            break
    return out


def adam_path(lr: float, p0: float, steps: int, beta: float = 0.9) -> list[float]:
    """torch.optim.Adam on the summed NLL in p, float64, until p leaves (0, 1)."""
    p, m, v, out = p0, 0.0, 0.0, [p0]
    for t in range(1, steps + 1):
        g = grad_p(p)
        m = beta * m + (1 - beta) * g
        v = 0.999 * v + 0.001 * g * g
        p -= lr * (m / (1 - beta**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        out.append(p)
        if not 0 < p < 1:
            break
    return out


def theta_path(lr: float, p0: float, steps: int) -> np.ndarray:
    """Gradient descent in θ = logit p: θ' = θ − lr·(n σ(θ) − k), float64."""
    theta = [math.log(p0 / (1 - p0))]
    for _ in range(steps):
        theta.append(theta[-1] - lr * (N / (1 + math.exp(-theta[-1])) - K))
    return np.array(theta)


def settles(path, tol: float = 1e-5) -> bool:
    return 0 < path[-1] < 1 and abs(path[-1] - P_HAT) <= tol


def crosses(path) -> bool:
    e = np.array(path) - P_HAT
    return bool(np.any(np.sign(e[1:]) * np.sign(e[:-1]) < 0))


def escape(path) -> int | None:
    return len(path) - 1 if not 0 < path[-1] < 1 else None


def run_check(number: int, **settings) -> Check:
    result = check(number, SAMPLE, Settings(**settings))
    assert isinstance(result, Check) and result.verdict and "\n" not in result.verdict
    return result


# --- the deck ------------------------------------------------------------------------------------


def test_six_to_ten_cards_numbered_in_order_with_all_their_words():
    assert 6 <= len(CHALLENGES) <= 10
    assert [c.number for c in CHALLENGES] == list(range(1, len(CHALLENGES) + 1))
    for card in CHALLENGES:
        assert isinstance(card, Challenge)
        assert card.title and card.goal and card.hint and card.explanation


@pytest.mark.parametrize("card", CHALLENGES, ids=lambda c: str(c.number))
def test_each_start_is_a_clean_link_and_not_already_solved(card):
    decoded = share.decode(card.start)
    assert decoded.notes == ()
    for name, value in card.needs.items():
        assert getattr(decoded.settings, name) == value  # the card opens where it is about
    assert not check(card.number, SAMPLE, decoded.settings).solved


def test_an_unknown_card_and_boundary_data_are_told():
    with pytest.raises(ValueError, match="there is no challenge 99: they are 1 to 8"):
        check(99, SAMPLE, Settings())
    ones = samples.Sample(10, 10, None, "ten ones")
    result = check(1, ones, Settings(lr=0.01))
    assert not result.solved and "both ones and zeros" in result.verdict


def test_a_card_says_which_settings_it_is_about():
    result = run_check(1, lr=1.5 / H, p0=0.7, optimizer="adam")
    assert not result.solved
    assert result.verdict == "Card 1 needs Optimizer = gradient descent (it is Adam)."
    result = run_check(2, lr=1.5 / H, p0=0.7)
    assert result.verdict == "Card 2 needs p0 = 0.5 (it is 0.7)."


# --- 1: zig-zag, but arrive ----------------------------------------------------------------------


def test_card_1_zigzag_and_arrive():
    good = path_p(1.5 / H, 0.7, 300)
    assert crosses(good) and settles(good)
    result = run_check(1, lr=1.5 / H, p0=0.7, steps=300)
    assert result.solved and "zig-zags around it" in result.verdict
    assert f"lr = {1.5 / H:.4g} = 0.75 × 2/H" in result.verdict
    walk = path_p(0.5 / H, 0.7, 300)
    assert not crosses(walk) and settles(walk)
    assert not run_check(1, lr=0.5 / H, p0=0.7, steps=300).solved
    out = path_p(2.5 / H, 0.7, 300)
    assert escape(out) is not None
    assert not run_check(1, lr=2.5 / H, p0=0.7, steps=300).solved


# --- 2: the edge of convergence ------------------------------------------------------------------


def independent_edge(p0: float, steps: int) -> float:
    """The largest lr whose float64 path settles (|p_T − p̂| ≤ 1e-5), by bisection here."""
    low, high = 0.25 / H, 4 / H
    assert settles(path_p(low, p0, steps)) and not settles(path_p(high, p0, steps))
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if settles(path_p(mid, p0, steps)) else (low, mid)
    return low


def test_card_2_the_edge_is_found_by_bisection():
    edge = independent_edge(0.5, 1000)
    s = Settings(lr=1e-3, p0=0.5, steps=1000)
    assert challenges.convergence_edge(N, K, s) == pytest.approx(edge, rel=1e-6)
    assert 0.9 * 2 / H < edge < 2 / H  # below 2/H, the local limit


def test_card_2_largest_lr():
    edge = independent_edge(0.5, 1000)
    for factor in (0.97, 0.999):
        assert settles(path_p(factor * edge, 0.5, 1000))
        result = run_check(2, lr=factor * edge, p0=0.5, steps=1000)
        assert result.solved and "within 5% below it" in result.verdict
    slow = run_check(2, lr=0.9 * edge, p0=0.5, steps=1000)  # converges, 10% short
    assert settles(path_p(0.9 * edge, 0.5, 1000))
    assert not slow.solved and "it can go faster" in slow.verdict
    assert not settles(path_p(1.03 * edge, 0.5, 1000))
    over = run_check(2, lr=1.03 * edge, p0=0.5, steps=1000)
    assert not over.solved and over.verdict.startswith("Too far")


# --- 3: out in exactly three ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "solved"), [(2.0, True), (2.5, True), (1.5, False), (3.0, False)]
)
def test_card_3_escape_at_step_3(factor, solved):
    lr = factor * 2 / H
    step = escape(path_p(lr, 0.7, 100))
    assert (step == 3) is solved
    result = run_check(3, lr=lr, p0=0.7, steps=100)
    assert result.solved is solved
    if not solved:
        assert f"p left (0, 1) at step {step}, not 3" in result.verdict


def test_card_3_a_run_that_stays_in_is_not_an_escape():
    assert escape(path_p(1.5 / H, 0.7, 100)) is None
    result = run_check(3, lr=1.5 / H, p0=0.7, steps=100)
    assert not result.solved and "leave (0, 1) at step 3" in result.verdict


# --- 4: escape below 2/H -------------------------------------------------------------------------


def test_card_4_escape_below_2_over_h():
    lr = 0.5 * 2 / H
    far = path_p(lr, 0.02, 300)
    assert escape(far) == 1  # the first step from p0 = 0.02 jumps past 1
    result = run_check(4, lr=lr, p0=0.02, steps=300)
    assert result.solved and "below 2/H" in result.verdict
    assert settles(path_p(lr, 0.7, 300))
    assert not run_check(4, lr=lr, p0=0.7, steps=300).solved
    assert escape(path_p(2.5 * 2 / H, 0.7, 300)) is not None  # escapes, but not below 2/H
    above = run_check(4, lr=2.5 * 2 / H, p0=0.7, steps=300)
    assert not above.solved and "at or above 2/H" in above.verdict


# --- 5: momentum overshoots ----------------------------------------------------------------------


def test_card_5_momentum_zigzags_below_1_over_h():
    lr = 0.1 / H
    heavy = path_p(lr, 0.7, 1000, beta=0.9)
    assert crosses(heavy) and settles(heavy)
    result = run_check(5, optimizer="momentum", beta=0.9, lr=lr, p0=0.7, steps=1000)
    assert result.solved and "0.1 × 1/H" in result.verdict
    plain = path_p(lr, 0.7, 1000, beta=0.0)  # β = 0: plain gradient descent, no overshoot
    assert not crosses(plain) and settles(plain)
    assert not run_check(5, optimizer="momentum", beta=0.0, lr=lr, p0=0.7, steps=1000).solved
    result = run_check(5, optimizer="momentum", lr=1.5 / H, p0=0.7, steps=1000)
    assert not result.solved and "keep lr below 1/H" in result.verdict


# --- 6: chaos in logit ---------------------------------------------------------------------------


def independent_period(x: np.ndarray, tail: int = 200) -> int | None:
    end = x[-tail:]
    for q in range(1, 17):
        if np.max(np.abs(end[q:] - end[:-q])) <= 1e-6:
            return q
    return None


def independent_lyapunov(lr: float, theta: np.ndarray) -> float:
    sig = 1 / (1 + np.exp(-theta[-200:]))
    return float(np.mean(np.log(np.abs(1 - lr * N * sig * (1 - sig)))))


def test_card_6_chaos():
    lr = 3.2 / H_LOGIT
    theta = theta_path(lr, 0.7, 1000)
    p = 1 / (1 + np.exp(-theta))
    assert independent_period(p) is None and independent_lyapunov(lr, theta) > 0.05
    result = run_check(6, lr=lr, p0=0.7, steps=1000, param="logit")
    assert result.solved and "Lyapunov exponent" in result.verdict


@pytest.mark.parametrize(("factor", "period"), [(2.4, 2), (2.8, 4)])
def test_card_6_a_cycle_is_not_chaos(factor, period):
    lr = factor / H_LOGIT
    theta = theta_path(lr, 0.7, 1000)
    assert independent_period(1 / (1 + np.exp(-theta))) == period
    assert independent_lyapunov(lr, theta) < 0
    result = run_check(6, lr=lr, p0=0.7, steps=1000, param="logit")
    assert not result.solved and f"a cycle of period {period}" in result.verdict


def test_card_6_a_settled_run_or_a_short_one_is_not_chaos():
    theta = theta_path(1.5 / H_LOGIT, 0.7, 1000)
    assert abs(1 / (1 + math.exp(-theta[-1])) - P_HAT) < 1e-9
    assert not run_check(6, lr=1.5 / H_LOGIT, p0=0.7, steps=1000, param="logit").solved
    short = run_check(6, lr=3.2 / H_LOGIT, p0=0.7, steps=300, param="logit")
    assert not short.solved and "at least 400 steps" in short.verdict


# --- 7: make Adam fail ---------------------------------------------------------------------------


def test_card_7_adam_escapes():
    out = adam_path(0.5, 0.7, 300)
    assert escape(out) == 1 and out[1] == pytest.approx(1.2, abs=1e-6)  # first step ≈ lr
    result = run_check(7, optimizer="adam", lr=0.5, p0=0.7, steps=300)
    assert result.solved and "The very first step throws p out of (0, 1)" in result.verdict
    calm = adam_path(0.01, 0.7, 300)
    assert escape(calm) is None
    assert not run_check(7, optimizer="adam", lr=0.01, p0=0.7, steps=300).solved


# --- 8: sum or mean ------------------------------------------------------------------------------


def test_card_8_mean_zigzags():
    lr = 1.5 / H_MEAN
    good = path_p(lr, 0.7, 300, per=1 / N)
    assert crosses(good) and settles(good)
    result = run_check(8, lr=lr, loss="mean", p0=0.7, steps=300)
    assert result.solved and "n = 200 times the sum's 2/H" in result.verdict
    walk = path_p(0.5 / H_MEAN, 0.7, 300, per=1 / N)
    assert not crosses(walk)
    assert not run_check(8, lr=0.5 / H_MEAN, loss="mean", p0=0.7, steps=300).solved
    assert not run_check(8, lr=1.5 / H, loss="sum", p0=0.7, steps=300).solved  # needs the mean
