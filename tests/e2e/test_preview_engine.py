"""The browser's preview against the engine: the same path as torch's, step for step.

`ui/static/scrub_engine.js` runs in Chromium on a blank page; every setting is also run by
`bernoulli.engine.optimize.run` (real torch steps). Both must stop at the same step and agree at
every step before the run turns chaotic (`bernoulli.teach.agreement.close_paths`: p_t to 1e-9 in
float64, x_t to four float32 units of the run's scale in float32, eight for Adam, whose
float32 square root torch takes from MKL), gradient descent, momentum and Newton in p in
float32 bit for bit; and their outcomes (`bernoulli.teach.account`'s rules) must be the same word.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bernoulli.engine import likelihood as lk
from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from bernoulli.teach import account, agreement, presets
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e

ENGINE = (ROOT / "ui" / "static" / "scrub_engine.js").read_text(encoding="utf-8")
LIBM = "".join(
    (ROOT / "ui" / "static" / name).read_text(encoding="utf-8")
    for name in ("scrub_libm_tables.js", "scrub_libm.js")
)
SAMPLES = ((200, 145), (1000, 400), (50, 10), (30, 0), (30, 30))  # the notebook's first
DETERMINISTIC = ("gd", "momentum", "adam", "newton")


def base_rate(n: int, k: int, s: Settings) -> float:
    """The learning rate each optimizer's behaviour turns on: 2/H, Newton's 2, Adam's usual."""
    if s.optimizer == "newton":
        return 2.0
    if s.optimizer == "adam":
        return 0.05
    th = Problem.of(n, k, s).thresholds()
    if th.note:  # p̂ on the edge: no local limit, the scale of a step instead
        return 2.0 / n if s.loss == "sum" else 2.0
    if s.optimizer == "momentum":
        return th.momentum_stable(s.beta)
    return th.stable


def settings_to_check() -> list[tuple[int, int, Settings]]:
    """Over 300 runs: presets, 1/H, 2/H ± 1 %, p and logit, sum and mean, both dtypes."""
    runs = []
    for n, k in SAMPLES[:2]:
        for name in presets.PRESETS:
            runs.append((n, k, presets.preset_settings(name, n, k)))
    for n, k in SAMPLES:
        p_hat = lk.mle(n, k)
        p0 = min(max(p_hat + (0.05 if p_hat < 0.5 else -0.05), 0.02), 0.98)
        for optimizer in DETERMINISTIC:
            for param in ("p", "logit"):
                for loss in ("sum", "mean"):
                    for dtype in ("float32", "float64"):
                        s = Settings(
                            optimizer=optimizer,
                            param=param,
                            loss=loss,
                            dtype=dtype,
                            p0=round(p0, 4),
                            steps=400,
                        )
                        rate = base_rate(n, k, s)
                        for factor in (0.5, 0.99, 1.01):
                            runs.append((n, k, s.replace(lr=rate * factor)))
    return runs


RUNS = settings_to_check()


def browser_paths(browser, runs) -> list[dict]:
    """Each run's preview in Chromium (a blank page of the tier's browser): {x, outcome, at}."""
    cases = [
        {
            "problem": {"n": n, "k": k},
            "settings": {
                "lr": s.lr,
                "p0": s.p0,
                "steps": s.steps,
                "optimizer": s.optimizer,
                "param": s.param,
                "loss": s.loss,
                "dtype": s.dtype,
                "beta": s.beta,
                "tol": s.tol,
            },
        }
        for n, k, s in runs
    ]
    page = browser.new_page()
    try:
        page.add_script_tag(content=LIBM + ENGINE)
        return page.evaluate(
            """cases => cases.map(c => {
                const r = previewRun(c.problem, c.settings);
                return {x: r.x.map(v => Number.isFinite(v) ? v : null), outcome: r.outcome,
                        at: r.at, period: r.period ?? null};
            })""",
            cases,
        )
    finally:
        page.close()


@pytest.fixture(scope="module")
def previews(browser):
    return browser_paths(browser, RUNS)


def test_over_three_hundred_settings_are_checked():
    assert len(RUNS) >= 300


@pytest.mark.parametrize("index", range(len(RUNS)))
def test_the_preview_is_the_torch_run(previews, index):
    n, k, s = RUNS[index]
    traj = optimize.run(n, k, s)
    got = previews[index]
    torch_outcome = account.of_run(traj)
    assert got["outcome"] == torch_outcome.outcome, (got["outcome"], torch_outcome)
    late = agreement.float32_units(s)[1] if s.dtype == "float32" else 0
    if torch_outcome.at is None:
        assert got["at"] is None
    else:
        assert abs(got["at"] - torch_outcome.at) <= late
    x = np.asarray([math.nan if v is None else float(v) for v in got["x"]])
    assert len(x) == len(traj.param)  # the same step stops it
    chaotic = torch_outcome.outcome == "chaos"
    steps = agreement.CHECKED_CHAOS_STEPS + 1 if chaotic else len(x)
    mine, theirs = x[:steps], traj.param[:steps]
    assert np.array_equal(np.isfinite(mine), np.isfinite(theirs))
    assert agreement.close_paths(mine, traj, steps).all()
    if s.dtype == "float32" and s.optimizer != "adam" and s.param == "p":
        assert np.array_equal(mine, theirs, equal_nan=True)  # bit for bit: torch's own roundings


def test_a_float64_preview_is_within_a_billionth_of_torch_in_p(previews):
    worst = 0.0
    for (n, k, s), got in zip(RUNS, previews, strict=True):
        if s.dtype != "float64":
            continue
        traj = optimize.run(n, k, s)
        x = np.asarray([math.nan if v is None else float(v) for v in got["x"]])
        if account.of_run(traj).outcome == "chaos":
            x = x[: agreement.CHECKED_CHAOS_STEPS + 1]
        finite = np.isfinite(traj.param[: len(x)])
        p = np.asarray(Problem.of(n, k, s).to_p(x[finite]))
        worst = max(worst, float(np.abs(p - traj.p[: len(x)][finite]).max(initial=0)))
    assert worst <= 1e-9
