"""account: one account per run, held against an independent float64 iteration of the map and
the run's own numbers; the sentences that were wrong, each checked against its run."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from bernoulli.teach import account
from bernoulli.teach.words import number

N, K = 200, 145  # the notebook's sample
NUM = r"(-?[0-9.]+(?:e[-+][0-9]+)?)"  # a number as the words print it


# --- an independent float64 reading of the map ----------------------------------------------


def derivatives(x: float, n: int, k: int, param: str, loss: str) -> tuple[float, float]:
    """dNLL/dx and d²NLL/dx² at the parameter x, from the formulas alone."""
    per = 1 / n if loss == "mean" else 1
    if param == "p":
        g = (-k / x if k else 0) + ((n - k) / (1 - x) if n - k else 0)
        h = (k / x**2 if k else 0) + ((n - k) / (1 - x) ** 2 if n - k else 0)
        return g * per, h * per
    sig = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
    return (n * sig - k) * per, n * sig * (1 - sig) * per


def iterate(x: float, v: float, s, n: int, k: int, steps: int) -> float:
    """The parameter after `steps` more steps of gd, momentum (velocity v) or Newton."""
    for _ in range(steps):
        g, h = derivatives(x, n, k, s.param, s.loss)
        if s.optimizer == "momentum":
            v = s.beta * v + g
            x -= s.lr * v
        elif s.optimizer == "newton":
            x -= s.lr * g / h
        else:
            x -= s.lr * g
    return x


def gd_exponent(s, n: int, k: int, x: np.ndarray) -> float:
    """Mean log|1 − lr·H(x_t)| along x: gradient descent's Lyapunov exponent."""
    slopes = [abs(1 - s.lr * derivatives(float(xi), n, k, s.param, s.loss)[1]) for xi in x[:-1]]
    return float(np.mean(np.log(slopes)))


def crossed(p: np.ndarray, p_hat: float, tol: float) -> bool:
    """Some step changed the sign of p − p̂ with both errors beyond tol (a plain loop)."""
    e = p - p_hat
    return any(
        abs(e[t]) > tol and abs(e[t - 1]) > tol and e[t] * e[t - 1] < 0 for t in range(1, len(e))
    )


def check_inequalities(text: str, s, th) -> None:
    """Every inequality the words state holds for the numbers they print."""
    for u, spacing in re.findall(
        NUM + r", is below half the float\d\d spacing at \S+ = \S+ \(" + NUM, text
    ):
        assert float(u) < float(spacing) / 2, text
    for lam in re.findall(r"Lyapunov exponent " + NUM + r" > 0", text):
        assert float(lam) > 0, text
    for r in re.findall(NUM + r"× the local stability limit", text):
        assert float(r) >= 1 and s.lr / th.stable >= 1, text
    if "is below gradient descent's local limit" in text:
        assert s.lr < th.stable, text


def check_numbers(text: str, traj) -> None:
    """Every p_t, step and final p the words quote is the run's."""
    p, last = traj.p, len(traj.p) - 1
    for t, shown in re.findall(r"p_(\d+) = " + NUM, text):
        assert int(t) <= last and shown == number(p[int(t)]), (t, shown, text)
    for t in re.findall(r"\bsteps? (\d+)\b", text):
        assert int(t) <= last, text
    for shown in re.findall(r"final p = " + NUM, text):
        assert shown == number(p[-1]), text


def check(traj, told) -> None:
    """The account against the run: its outcome, the numbers it quotes, the claims it makes."""
    s, p, x, p_hat = traj.settings, traj.p, traj.param, traj.mle
    text = f"{told.sentence} {told.why}"
    assert told.outcome in account.OUTCOMES
    check_numbers(text, traj)
    check_inequalities(text, s, traj.problem.thresholds())
    end = len(p) if traj.diverged_at is None else traj.diverged_at
    assert told.crossed == crossed(p[:end], p_hat, s.tol)
    if told.outcome == "escapes":
        t = traj.diverged_at
        assert told.at == t is not None and np.all((p[:t] >= 0) & (p[:t] <= 1))
        assert not (0 <= p[t] <= 1 and math.isfinite(x[t]) and math.isfinite(traj.loss[t]))
        assert f"step {t}" in text or (t == 0 and "not inside (0, 1)" in text)
        return
    assert traj.diverged_at is None and np.all((p >= 0) & (p <= 1))
    gap = abs(p[-1] - p_hat)
    if told.outcome == "stalls":
        at = told.at
        assert np.all(x[at:] == x[-1]) and (at == 0 or x[at - 1] != x[at]) and gap > s.tol
        assert f"at step {at}" in told.sentence and number(p[-1], 6) in told.sentence
    elif told.outcome in account.SETTLED:
        at = told.at
        assert np.all(np.abs(p[at:] - p_hat) <= s.tol) and (
            at == 0 or abs(p[at - 1] - p_hat) > s.tol
        )
        assert (told.outcome == "zigzags") == told.crossed
        assert f"from step {at})" in told.sentence
    else:
        assert gap > s.tol and len(p) == s.steps + 1 and x[-1] != x[-2]
    if told.outcome == "cycle":
        m, tail = told.period, p[-account.TAIL :]
        assert m >= 2 and f"period {m}" in told.sentence
        tolerance = account.period_tolerance(s.tol, s.dtype)
        assert np.max(np.abs(tail[m:] - tail[:-m])) <= tolerance or len(tail) < 3 * m
        assert np.max(np.abs(tail[1:] - tail[:-1])) > tolerance  # not a point
        if s.optimizer in ("gd", "newton", "momentum") and s.dtype == "float64":
            v = (x[-2 - m] - x[-1 - m]) / s.lr  # momentum's velocity into x_(T−m)
            again = iterate(float(x[-1 - m]), v, s, traj.n, traj.k, m)
            assert abs(again - x[-1]) <= 1e-6 * max(1, abs(x[-1]))  # the map repeats it
    if told.outcome == "chaos":
        assert told.lyapunov > account.CHAOS_EXPONENT and s.optimizer != "adam"
        if s.optimizer in ("gd", "sgd"):
            lam = gd_exponent(s, traj.n, traj.k, x[-account.TAIL :])
            assert told.lyapunov == pytest.approx(lam, rel=1e-9)


def _inside(p: float) -> float:
    return min(max(p, 0.001), 0.999)


@st.composite
def runs(draw):
    """A run of any optimizer, parameter, loss scale and dtype, with k = 0 and k = n often."""
    n = draw(st.integers(1, 300))
    k = draw(st.sampled_from([0, n, draw(st.integers(0, n))]))
    optimizer = draw(st.sampled_from(optimize.OPTIMIZERS))
    param, loss = draw(st.sampled_from(optimize.PARAMS)), draw(st.sampled_from(optimize.LOSSES))
    h = Problem(n, k, param, loss).thresholds().curvature
    h = h if math.isfinite(h) and h > 0 else 1.0  # (0 in θ with p̂ on the edge)
    size = 10 ** draw(st.floats(-2.5, 0.6))
    lr = {"adam": size / 10, "newton": size}.get(optimizer, size / h)
    s = Settings(
        lr=float(f"{lr:.4g}"),
        steps=draw(st.integers(1, 40) | st.integers(300, 700)),
        p0=draw(st.floats(0.01, 0.99) | st.floats(-0.05, 0.05).map(lambda d: _inside(k / n + d))),
        optimizer=optimizer,
        beta=draw(st.sampled_from([0.0, 0.5, 0.9])),
        batch_size=draw(st.integers(1, 30)),
        param=param,
        loss=loss,
        dtype=draw(st.sampled_from(("float32", "float64"))),
        tol=draw(st.sampled_from([1e-6, 1e-3, 1e-10])),
    )
    return n, k, s


@settings(max_examples=80)
@given(runs())
@example((N, K, Settings(lr=0.072, steps=2000, p0=0.7, param="logit", dtype="float64")))
@example((N, K, Settings(lr=2.8 / 39.875, steps=600, p0=0.7, param="logit", dtype="float64")))
@example((N, K, Settings(lr=3.2 / 39.875, steps=800, p0=0.7, param="logit", dtype="float64")))
@example((N, K, Settings(lr=3.6 / 39.875, steps=800, p0=0.7, param="logit", dtype="float64")))
@example((N, K, Settings(lr=3.545 / 39.875, optimizer="momentum", param="logit", p0=0.3)))
@example((N, K, Settings()))
@example((4, 4, Settings()))
def test_the_account_is_true_of_every_run(case):
    n, k, s = case
    values = np.r_[np.ones(k), np.zeros(n - k)].astype(np.uint8)
    traj = optimize.run(n, k, s, values)
    check(traj, account.of_run(traj))


def test_chaos_and_cycles_are_found_where_the_map_has_them():
    lr = 3.2 / (N * 0.725 * 0.275)  # lr·H = 3.2 in θ: past the period doublings
    chaos = optimize.run(N, K, Settings(lr=lr, steps=2000, p0=0.7, param="logit"))
    told = account.of_run(chaos)
    assert told.outcome == "chaos" and told.lyapunov > 0.05
    check(chaos, told)
    cycle = account.of_run(optimize.run(N, K, Settings(lr=0.06, steps=2000, p0=0.7, param="logit")))
    assert (cycle.outcome, cycle.period) == ("cycle", 2)


def test_the_account_is_computed_once_and_kept_with_the_run():
    traj = optimize.run(N, K, Settings())
    assert account.of_run(traj) is account.of_run(traj)
    import pickle

    again = pickle.loads(pickle.dumps(traj))  # as the page's cache stores it
    assert again.__dict__["_account"] == account.of_run(traj)
