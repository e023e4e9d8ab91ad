"""lesson: the outcome of real runs, each checked against the closed-form update map, and the
verdict's words (right or not, the advice's own sentence, the run's numbers)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from bernoulli.classroom.store import CHOICES
from bernoulli.engine import likelihood as lk
from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.teach import account, lesson
from bernoulli.teach.lesson import LABELS, OUTCOMES, Prediction, Verdict, outcome, verdict

N, K = 200, 145  # the notebook's sample: p̂ = 0.725
P_HAT = K / N
H = N / (P_HAT * (1 - P_HAT))  # curvature of the summed NLL in p at p̂
H_LOGIT = N * P_HAT * (1 - P_HAT)  # ... in θ = logit p


def gd_map_p(lr: float, p0: float, steps: int) -> list[float]:
    """p' = p − lr·g(p), g(p) = −k/p + (n − k)/(1 − p): gradient descent in p, float64,
    stopping where p leaves (0, 1)."""
    path = [p0]
    p = p0
    for _ in range(steps):
        p = p - lr * (-K / p + (N - K) / (1 - p))
        path.append(p)
        if not 0 < p < 1:
            break
    return path


def gd_map_logit(lr: float, p0: float, steps: int) -> list[float]:
    """θ' = θ − lr·(n σ(θ) − k): gradient descent in θ, float64; returns p_t = σ(θ_t)."""
    theta = math.log(p0 / (1 - p0))
    path = [p0]
    for _ in range(steps):
        theta -= lr * (N / (1 + math.exp(-theta)) - K)
        path.append(1 / (1 + math.exp(-theta)))
    return path


def real(lr: float, p0: float, steps: int, param: str = "p") -> optimize.Trajectory:
    s = Settings(lr=lr, steps=steps, p0=p0, param=param, dtype="float64")
    return optimize.run(N, K, s)


def test_outcomes_are_the_store_choices_and_all_labelled():
    assert OUTCOMES == CHOICES == ("converges", "zigzags", "cycles", "escapes")
    assert set(LABELS) == set(OUTCOMES)


def test_converges_smoothly_below_1_over_h():
    lr = 0.5 / H
    exact = np.array(gd_map_p(lr, 0.7, 200))
    assert np.all(exact <= P_HAT) and np.all(np.diff(exact) >= 0)  # never passes p̂
    assert np.all(np.diff(exact[:30]) > 0)  # walking in
    assert abs(exact[-1] - P_HAT) < 1e-12
    traj = real(lr, 0.7, 200)
    np.testing.assert_allclose(traj.p, exact, rtol=1e-12)
    assert outcome(traj) == "converges"


def test_zigzags_in_between_1_over_h_and_2_over_h():
    lr = 1.5 / H
    exact = np.array(gd_map_p(lr, 0.7, 200))
    e = exact - P_HAT
    assert np.all(np.sign(e[1:10]) != np.sign(e[:9]))  # crosses p̂ every step at first
    assert abs(e[-1]) < 1e-12
    traj = real(lr, 0.7, 200)
    np.testing.assert_allclose(traj.p, exact, rtol=1e-10)
    assert outcome(traj) == "zigzags"


def test_escapes_above_2_over_h():
    lr = 3 / H
    exact = gd_map_p(lr, 0.7, 200)
    assert not 0 < exact[-1] < 1 and len(exact) < 30  # thrown out within a few steps
    errors = np.abs(np.array(exact[:-1]) - P_HAT)
    assert np.all(np.diff(errors) > 0)  # overshooting by more each time
    traj = real(lr, 0.7, 200)
    assert traj.diverged_at == len(exact) - 1
    assert outcome(traj) == "escapes"
    assert lesson.escape_step(traj) == len(exact) - 1


def test_cycles_in_logit_above_2_over_h():
    lr = 2.8 / H_LOGIT  # lr·H = 2.8: p̂ repels in θ, and θ cannot escape
    exact = np.array(gd_map_logit(lr, 0.7, 1000))
    assert np.all((exact > 0) & (exact < 1))
    tail = exact[-100:] - P_HAT
    assert np.all(np.abs(tail) > 1e-3)  # never settles
    assert np.all(np.sign(tail[1:]) != np.sign(tail[:-1]))  # side to side of p̂
    traj = real(lr, 0.7, 1000, param="logit")
    np.testing.assert_allclose(traj.p[-100:], exact[-100:], atol=1e-6)
    assert outcome(traj) == "cycles"


def test_the_unsettled_outcomes_fold_by_whether_p_passed_p_hat():
    tiny = account.of_run(real(1e-7, 0.5, 10))  # still walking after 10 steps
    assert tiny.outcome == "on_its_way" and not tiny.crossed
    stalled = account.of_run(optimize.run(N, K, Settings()))  # the notebook's float32 run
    assert stalled.outcome == "stalls" and not stalled.crossed
    for told in (tiny, stalled):
        assert lesson.outcome_of(told) == "converges"
        assert lesson.outcome_of(dataclasses.replace(told, crossed=True)) == "zigzags"


@pytest.mark.parametrize(
    ("lr", "p0", "param", "expected"),
    [
        (0.5 / H, 0.7, "p", "converges"),
        (1.5 / H, 0.7, "p", "zigzags"),
        (2.8 / H_LOGIT, 0.7, "logit", "cycles"),
        (3 / H, 0.7, "p", "escapes"),
    ],
)
def test_the_verdict_uses_the_advice_words_and_the_runs_numbers(lr, p0, param, expected):
    traj = real(lr, p0, 300, param)
    said = account.of_run(traj).sentence
    for guess in OUTCOMES:
        v = verdict(guess, traj)
        assert isinstance(v, Verdict)
        assert v.outcome == expected and v.right == (guess == expected)
        assert said in v.sentence and "p̂ = 0.725" in v.sentence
        assert v.close is None
        if v.right:
            assert v.sentence.startswith(f"Right: it {LABELS[expected]}.")
        else:
            assert v.sentence.startswith(
                f"Not this time: you said it {LABELS[guess]}, but it {LABELS[expected]}."
            )


def test_an_escape_step_guess_is_told_how_close():
    traj = real(3 / H, 0.7, 200)
    step = traj.diverged_at
    exact = verdict(Prediction("escapes", step), traj)
    assert exact.right and exact.close and f"it escaped at step {step} (exactly" in exact.sentence
    near = verdict(Prediction("escapes", step + 1), traj)
    assert near.close and "(1 off; within 1 step counts as close)" in near.sentence
    far = verdict(Prediction("escapes", step + 3), traj)
    assert far.right and far.close is False and "3 off" in far.sentence
    calm = real(0.5 / H, 0.7, 50)
    never = verdict(Prediction("escapes", 4), calm)
    assert not never.right and never.close is False and "it never left (0, 1)" in never.sentence


def test_a_p_after_10_steps_guess_is_told_how_close():
    traj = real(0.5 / H, 0.3, 50)
    p10 = gd_map_p(0.5 / H, 0.3, 10)[10]
    assert traj.p[10] == pytest.approx(p10, rel=1e-12)
    v = verdict(Prediction("converges", p10 + 0.015, "p_at_10"), traj)
    assert v.close and f"it was {p10:.4g}" in v.sentence and "within 0.02" in v.sentence
    v = verdict(Prediction("converges", p10 - 0.1, "p_at_10"), traj)
    assert v.close is False and "0.1 off" in v.sentence
    short = real(3 / H, 0.7, 200)  # left (0, 1) before step 10
    assert len(short.p) <= 10
    v = verdict(Prediction("escapes", 0.5, "p_at_10"), short)
    assert v.close is False and "when p left (0, 1)" in v.sentence


def test_bad_predictions_are_refused():
    with pytest.raises(ValueError, match="one of converges"):
        Prediction("diverges")
    with pytest.raises(ValueError, match="escape_step or p_at_10"):
        Prediction("escapes", 3, "p_at_20")
    with pytest.raises(ValueError, match="finite"):
        Prediction("escapes", math.nan)


def test_the_notebook_run_converges_in_the_words_of_the_banner():
    traj = optimize.run(N, K, Settings())  # float32, lr 2e-5: stalls 1.47e-6 short of p̂
    assert 1e-6 < abs(traj.final_p - lk.mle(N, K)) < 1e-5
    v = verdict("converges", traj)  # it walked in, never passing p̂: the approach so far
    assert v.right and "p stops at 0.724999, 1.47e-06 short of p̂ = 0.725" in v.sentence
