"""The sentences that were wrong, each now checked against its run: a claimed inequality holds
for the numbers printed, a claimed cycle repeats, a claimed cause is the cause; bad settings
are one-line errors; one value reads as one value."""

from __future__ import annotations

import contextlib
import io
import json
import math
import re

import numpy as np
import pytest

from bernoulli.cli import commands
from bernoulli.data import samples
from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from bernoulli.teach import account

N, K = 200, 145  # the notebook's sample
H_LOGIT = N * 0.725 * 0.275  # the summed NLL's curvature in θ at p̂


def main(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = commands.main(list(args), out=out)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(args, *fragments: str) -> None:
    code, out, err = main(*args)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and err.startswith("error: ")
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize(
    ("lr", "optimizer", "words"),
    [
        ("1e39", "gd", "learning rate must be at most 3.40282e+38 in float32, not 1e+39"),
        ("1e300", "gd", "at most 3.40282e+38 in float32"),
        ("1e300", "momentum", "at most 3.40282e+38 in float32"),
        ("1e38", "adam", "at most 3.40282e+37 for Adam with β = 0.9 in float32"),
    ],
)
def test_an_lr_float32_cannot_hold_is_a_one_line_error(lr, optimizer, words):
    assert_one_line_error(["fit", "notebook", "--lr", lr, "--optimizer", optimizer], words)
    code, out, _ = main("fit", "notebook", "--lr", lr, "--dtype", "float64", "--format", "json")
    assert code == 0 and json.loads(out)["outcome"] == "escapes"  # float64 holds it


@pytest.mark.parametrize("p0", ["0", "1", "1.5", "-0.2"])
def test_a_p0_outside_the_open_interval_is_a_one_line_error(p0):
    assert_one_line_error(["fit", "notebook", "--p0", p0], "--p0 must be inside (0, 1)")
    check = ["challenge", "check", "3", "notebook", "--p0", p0]
    assert_one_line_error(check, "--p0 must be inside (0, 1)")


@pytest.mark.parametrize(
    ("optimizer", "lr", "formula"),
    [("adam", 1e-9, "lr·m̂/(√v̂ + ε)"), ("newton", 1e-7, "lr·g/H"), ("gd", 2e-5, "lr·g")],
)
def test_the_stall_states_the_optimizers_own_update(optimizer, lr, formula):
    p0 = 0.5 if optimizer != "gd" else 0.08385391
    traj = optimize.run(N, K, Settings(optimizer=optimizer, lr=lr, p0=p0))
    told = account.of_run(traj)
    assert told.outcome == "stalls"
    found = re.search(
        rf"{re.escape(formula)} = (\S+), is below half the float32 spacing at p = \S+ \((\S+)\)",
        told.why,
    )
    assert found, told.why
    update, spacing = (float(x) for x in found.groups())
    assert update < spacing / 2
    assert spacing == pytest.approx(float(np.spacing(np.float32(traj.param[-1]))), rel=1e-3)
    x, g = float(traj.param[-2]), float(traj.grad_param[-2])
    own = {  # the update each optimizer takes, from the closed form (one step from the start)
        "adam": lr * 1.0,  # m̂/√v̂ = g/|g| at its first steps
        "newton": lr * g / traj.problem.derivatives(x)[1],
        "gd": lr * g,
    }[optimizer]
    assert update == pytest.approx(abs(own), rel=2e-3)
    assert "lr·g = " not in told.why or optimizer == "gd"


def test_newton_in_logit_with_the_mean_loss_divides_by_p_times_1_minus_p():
    s = Settings(optimizer="newton", lr=1.0, p0=0.99999999, param="logit", loss="mean", steps=50)
    told = account.of_run(optimize.run(N, K, s))
    assert told.outcome == "escapes"
    assert "curvature p(1 − p) (the mean NLL's)" in told.why and "n·p(1 − p)" not in told.why
    summed = account.of_run(optimize.run(N, K, s.replace(loss="sum")))
    assert "curvature n·p(1 − p)" in summed.why


@pytest.mark.parametrize("k", [0, 10])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_newton_in_logit_on_one_valued_data_says_sigmoid_underflows(k, dtype):
    s = Settings(lr=1.0, steps=2000, p0=0.5, optimizer="newton", param="logit", dtype=dtype)
    traj = optimize.run(10, k, s)
    t, told = traj.diverged_at, account.of_run(traj)
    assert told.outcome == "escapes" and told.at == t
    assert traj.grad_param[t - 1] == 0  # torch's gradient: exactly 0
    g, h = Problem(10, k, s.param, s.loss).derivatives(float(traj.param[t - 1]))
    assert g != 0 and h > 0  # the true ones are not (normal float64 numbers)
    assert abs(g) >= np.finfo(np.float64).tiny and h >= np.finfo(np.float64).tiny
    found = re.search(r"true values g = (\S+) and H = (\S+) are not", told.why)
    assert found and float(found[1]) == pytest.approx(g, rel=1e-2)
    assert float(found[2]) == pytest.approx(h, rel=1e-2)
    assert "underflows to 0" in told.why and "rounds to 0" not in told.why
    limit = math.log(float(np.finfo(dtype).max))
    assert abs(traj.param[t - 1]) > limit  # where e^|θ| overflows: the cause given


def test_a_momentum_cycle_is_called_a_cycle_and_repeats():
    s = Settings(
        optimizer="momentum", beta=0.9, lr=2.361 / H_LOGIT, param="logit", p0=0.3, steps=1500
    )
    traj = optimize.run(N, K, s)
    told = account.of_run(traj)
    assert (told.outcome, told.period) == ("cycle", 4)
    assert np.allclose(traj.p[-4:], traj.p[-8:-4], rtol=0, atol=1e-6)  # it repeats
    assert not np.allclose(traj.p[-2:], traj.p[-4:-2], rtol=0, atol=1e-3)  # not a 2-cycle
    assert 2.361 < 2 * (1 + 0.9)  # inside momentum's local region: the theory says local
    assert "a local statement" in told.theory and "may still end in a cycle" in told.theory
    assert "settles near p̂ when" not in told.theory


def test_typed_all_heads_is_not_promised_a_larger_lr():
    flips = samples.parse_samples(b"HHHH", "typed")
    slow = account.of_run(optimize.run(flips.n, flips.k, Settings()))
    assert slow.outcome == "on_its_way" and "larger lr" not in slow.sentence
    assert "p̂ = 1 lies on the edge of (0, 1), where p cannot settle" in slow.sentence
    near = optimize.run(flips.n, flips.k, Settings(lr=2e-5, p0=0.9997, dtype="float64"))
    fast = account.of_run(near)
    assert fast.outcome == "escapes" and fast.at > 1 and "never gets near" not in fast.sentence
    closest = float(np.min(np.abs(near.p[: near.diverged_at] - 1)))
    assert f"p comes within {closest:.3g} of p̂ = 1" in fast.sentence


def test_one_value_reads_as_one_value():
    assert samples.parse_samples(b"1", "typed").reading.statement.startswith("Read as 1 value, ")
    assert samples.parse_samples(b"1\n0\n", "typed").reading.statement.startswith(
        "Read as 2 values"
    )


@pytest.mark.parametrize("param", ["p", "logit"])
def test_panel_c_names_the_gradient_it_draws_and_the_step_it_is_not(param):
    from bernoulli.plots.animated import animated_spec

    traj = optimize.run(N, K, Settings(lr=2e-4 if param == "p" else 0.01, param=param, steps=50))
    spec = animated_spec(traj)
    names = [trace.get("name", "") for trace in spec["data"]]
    axes = [axis for name, axis in spec["layout"].items() if "axis" in name]
    # (each panel's title after its name, "<b>(c)</b> ")
    titles = [(axis.get("title", {}).get("text") or "").split("</b> ")[-1] for axis in axes]
    step = next(name for name in names if name.startswith("step to p"))
    assert "dNLL/dp" in titles  # the gradient drawn, named up its axis
    if param == "p":
        assert "step t" in titles and "(GD: lr·|g| long)" in step
    else:  # torch steps θ with dNLL/dθ: neither the titles nor the legend says otherwise
        assert "step t · θ steps use dNLL/dθ" in titles and "lr·|g|" not in step
        assert "step t" not in titles
