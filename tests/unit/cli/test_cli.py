"""`python -m bernoulli` as a user runs it: a real subprocess, its stdout, stderr and exit code
(the many bad-option cases call the same `main` in this process: a subprocess would spend about
2 s of each importing torch)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from bernoulli.cli import commands as cli_module
from bernoulli.data import samples
from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem
from tests.helpers import ROOT

# The notebook's printout: t, NLL(p_t), p_(t+1).
NOTEBOOK_ROWS = [
    (0, 364.2253418, 0.11723718),
    (100, 122.36915588, 0.62359965),
    (200, 117.76181793, 0.70914686),
    (300, 117.63616943, 0.72284538),
    (400, 117.63380432, 0.72471499),
    (500, 117.63375092, 0.72496235),
    (600, 117.63375854, 0.72499502),
    (700, 117.63375854, 0.72499853),
    (800, 117.63375854, 0.72499853),
    (900, 117.63375854, 0.72499853),
]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bernoulli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def cli_in_process(*args: str) -> subprocess.CompletedProcess:
    """`cli(*args)` as `bernoulli.cli.commands.main` runs it in this process, with its exit code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_module.main([*map(str, args)])
        except SystemExit as stop:  # argparse's own errors
            code = stop.code
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity (which are not JSON)."""

    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def notebook_json():
    result = cli("fit", "notebook", "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    return strict_json(result.stdout)


# --- fit ---------------------------------------------------------------------------------


def test_fit_notebook_json_replays_the_notebook(notebook_json):
    out = notebook_json
    assert (out["n"], out["k"], out["mle"]) == (200, 145, 0.725)
    assert out["status"] == "stalled" and out["diverged_at"] is None
    assert out["stalled_at"] == 655 and out["converged_at"] is None
    assert out["settings"]["lr"] == 2e-5 and out["settings"]["p0"] == 0.08385391
    assert out["settings"]["dtype"] == "float32" and out["every"] == 1
    points = out["trajectory"]
    assert [pt["step"] for pt in points] == list(range(1001))
    assert set(points[0]) >= {"step", "p", "nll", "grad"}
    for t, nll_printed, p_next in NOTEBOOK_ROWS:
        assert abs(points[t + 1]["p"] - p_next) <= 1e-6  # the replay's bar
        # torch's float32 loss: one float32 ulp of the printed value (7.6e-6 at 117.6).
        ulp = float(np.spacing(np.float32(nll_printed)))
        assert abs(points[t]["loss"] - nll_printed) <= ulp + 5e-9
    # nll and grad are the float64 closed forms at p_t, written to full precision.
    for pt in points[::50]:
        assert pt["nll"] == lk.nll(pt["p"], 200, 145)
        assert pt["grad"] == lk.grad(pt["p"], 200, 145)
    assert points[-1]["grad_param"] is None  # no step from the last point
    assert "Stalled at step 655" in out["message"] and "float32 spacing" in out["message"]
    th = out["thresholds"]
    assert th["monotone"] == Problem(200, 145).thresholds().monotone


def test_fit_notebook_table():
    result = cli("fit", "notebook")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "data: notebook sample: n = 200, k = 145, MLE k/n = 0.725"
    assert "gradient descent on the summed NLL in p, lr = 2e-05, 1000 steps" in lines[1]
    assert "p0 = 0.08385391, float32" in lines[1]
    assert "1/H = 0.000996875" in lines[2] and "2/H = 0.00199375" in lines[2]
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["step", "p_t"])
    rows = [line.split() for line in lines[header + 1 : header + 12]]
    assert [int(r[0]) for r in rows] == list(range(0, 1001, 100))  # every 100th and the last
    assert rows[0][1] == "0.08385391"  # the float32 start, shortest form
    assert float(rows[0][3]) == pytest.approx(-1669.1638, abs=1e-4)  # the real gradient
    assert rows[-1][1] == "0.72499853"  # where float32 stalls
    widths = {len(line) for line in lines[header : header + 12]}
    assert len(widths) == 1  # aligned columns
    assert lines[-1].startswith("Stalled at step 655: p stopped moving at 0.724999")


def test_fit_notebook_csv():
    result = cli("fit", "notebook", "--format", "csv", "--every", "100")
    assert result.returncode == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["step", "p", "nll", "grad"]
    body = [[float(x) for x in row] for row in rows[1:]]
    assert [int(r[0]) for r in body] == list(range(0, 1001, 100))
    for _, p, nll, grad in body:
        assert nll == lk.nll(p, 200, 145) and grad == lk.grad(p, 200, 145)  # full precision
    assert body[0][1] == float(np.float32(0.08385391))
    # The plain-words outcome goes to stderr, so stdout stays a clean CSV.
    assert result.stderr.startswith("outcome: stalls at the float32 spacing at step 655\n")
    assert result.stderr.splitlines()[-1].startswith("Stalled at step 655")


def test_every_k_keeps_the_last_step():
    result = cli("fit", "notebook", "--steps", "10", "--every", "4", "--format", "csv")
    steps = [int(row[0]) for row in list(csv.reader(io.StringIO(result.stdout)))[1:]]
    assert steps == [0, 4, 8, 10]


def test_divergence_is_a_result_json():
    # From p0 = 1/2 one step of lr = 3e-3 moves p by 180 lr = 0.54: out of (0, 1) at step 1.
    result = cli("fit", "notebook", "--lr", "3e-3", "--p0", "0.5", "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    out = strict_json(result.stdout)  # a diverged last point has NaN NLL: written as null
    assert out["status"] == "diverged" and out["diverged_at"] == 1
    last = out["trajectory"][-1]
    assert last["step"] == 1 and last["p"] == pytest.approx(1.04, rel=1e-6)
    assert last["nll"] is None and last["grad"] is None and last["loss"] is None
    assert out["final_p"] == last["p"]
    assert out["why"].startswith("Diverged at step 1: p left (0, 1), p_1 = 1.04")
    assert "1.5× the local stability limit 2/H = 0.00199375" in out["why"]
    assert out["outcome"] == "escapes" and out["message"] == f"{out['sentence']} {out['why']}"


def test_divergence_is_a_result_table():
    result = cli("fit", "notebook", "--lr", "2.5e-3", "--p0", "0.7")
    assert result.returncode == 0 and result.stderr == ""
    last = result.stdout.splitlines()[-1]
    assert last.startswith("Diverged at step ") and "p left (0, 1)" in last
    assert "local stability limit 2/H" in last


def test_generate_is_reproducible():
    args = ("fit", "--generate", "5000", "--true-p", "0.3", "--seed", "11", "--format", "json")
    first, second = cli(*args), cli(*args)
    assert first.returncode == 0 and first.stdout == second.stdout
    out = strict_json(first.stdout)
    sample = samples.generate(5000, 0.3, 11)
    assert (out["n"], out["k"]) == (5000, sample.k)
    assert out["source"] == sample.source
    other = strict_json(cli(*args[:6], "12", "--format", "json").stdout)
    assert other["k"] != out["k"]


def test_random_p0_is_drawn_from_the_seed():
    from bernoulli.engine import optimize

    result = cli("fit", "notebook", "--p0", "random", "--seed", "5", "--steps", "3")
    assert result.returncode == 0
    p0 = optimize.initial_p(optimize.Settings(p0=None, seed=5))
    assert f"random p0 = {p0!r}" in result.stdout
    out = strict_json(
        cli(
            "fit", "notebook", "--p0", "random", "--seed", "5", "--steps", "3", "--format", "json"
        ).stdout
    )
    assert out["p0"] == p0 and out["settings"]["p0"] is None


def test_logit_float64_adam_csv():
    result = cli(
        "fit",
        "notebook",
        "--param",
        "logit",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--dtype",
        "float64",
        "--steps",
        "2000",
        "--format",
        "csv",
    )
    assert result.returncode == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["step", "p", "nll", "grad", "theta", "grad_theta"]
    for row in rows[1::97]:
        _, p, _, _, theta, grad_theta = map(float, row)
        assert p == pytest.approx(lk.sigmoid(theta), rel=1e-15)
        assert grad_theta == lk.grad_logit(theta, 200, 145)
    assert result.stderr.splitlines()[-1].startswith("Converged")
    assert float(rows[-1][1]) == pytest.approx(0.725, abs=1e-6)


def test_sgd_on_a_file(tmp_path):
    path = tmp_path / "coin.csv"
    path.write_text("flip\n" + "\n".join(["true", "false", "true", "true"] * 50) + "\n")
    result = cli(
        "fit", path, "--optimizer", "sgd", "--lr", "1e-4", "--seed", "2", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    out = strict_json(result.stdout)
    assert (out["n"], out["k"]) == (200, 150)
    assert out["settings"]["optimizer"] == "sgd" and out["status"] in ("max_steps", "converged")


# --- stability ------------------------------------------------------------------------------


def test_stability_json_matches_the_library():
    result = cli("stability", "notebook", "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    out = strict_json(result.stdout)
    n, k = 200, 145
    assert (out["n"], out["k"], out["mle"], out["on_boundary"]) == (n, k, 0.725, False)
    assert out["se"] == lk.standard_error(n, k)
    assert out["nll_at_mle"] == {"sum": lk.nll(0.725, n, k), "mean": lk.nll(0.725, n, k, "mean")}
    for got, want in zip(out["intervals"], lk.intervals(n, k), strict=True):
        assert (got["name"], got["low"], got["high"]) == (want.name, want.low, want.high)
    combos = [(t["param"], t["loss"]) for t in out["thresholds"]]
    assert combos == [("p", "sum"), ("p", "mean"), ("logit", "sum"), ("logit", "mean")]
    for got in out["thresholds"]:
        want = Problem(n, k, got["param"], got["loss"]).thresholds()
        assert got["curvature"] == want.curvature
        assert got["monotone"] == want.monotone and got["stable"] == want.stable
        assert got["global_stable"] == want.global_stable
    assert out["thresholds"][0]["monotone"] == pytest.approx(9.96875e-4, rel=1e-14)


def test_stability_table():
    result = cli("stability", "notebook")
    assert result.returncode == 0 and result.stderr == ""
    text = result.stdout
    assert "MLE k/n          0.725" in text
    assert "Wald              [0.663117, 0.786883]" in text
    assert "Wilson            [0.659317, 0.782203]" in text
    assert "likelihood ratio  [0.660516, 0.783756]" in text
    p_sum = next(line for line in text.splitlines() if line.split()[:2] == ["p", "sum"])
    assert p_sum.split()[2:5] == ["1003.13", "0.000996875", "0.00199375"]


def test_stability_on_the_boundary(tmp_path):
    path = tmp_path / "zeros.txt"
    path.write_text("0\n" * 50)
    out = strict_json(cli("stability", path, "--format", "json").stdout)
    assert out["k"] == 0 and out["on_boundary"] is True and out["se"] == 0.0
    wald, wilson, lr = out["intervals"]
    assert (wald["low"], wald["high"]) == (0.0, 0.0) and "degenerate" in wald["note"]
    assert wilson["low"] == 0.0 and lr["low"] == 0.0
    assert lr["high"] == pytest.approx(-math.expm1(-(1.959963984540054**2) / 100), rel=1e-14)
    p_sum = out["thresholds"][0]
    # At the edge the curvature is finite (n = 50); no 1/H applies (null): the slope is not 0.
    assert p_sum["curvature"] == 50.0
    assert p_sum["monotone"] is None and p_sum["stable"] is None
    assert "edge" in p_sum["note"] and "not 0" in p_sum["note"]
    table = cli("stability", path)
    assert table.returncode == 0 and "note: The MLE p̂ = 0 lies on the edge" in table.stdout


# --- bad input: exit 2, one line, no traceback ------------------------------------------------


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "two.csv").write_text("0\n1\n2\n")
    (d / "empty.csv").write_text("")
    (d / "cols.csv").write_text("a,b\n0,1\n1,1\n")
    (d / "blob.bin").write_bytes(b"\x00\x01\x02\x89PNG")
    return d


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["{d}/two.csv"], ["two.csv line 3", '"2" is not a 0/1 value']),
        (["{d}/missing.csv"], ["missing.csv does not exist"]),
        (["{d}/empty.csv"], ["empty.csv is empty"]),
        (["{d}/cols.csv"], ["has 2 columns", "choose one"]),
        (["{d}/cols.csv", "--column", "z"], ['no column "z"']),
        (["{d}/blob.bin"], ["binary file"]),
        (["{d}"], ["is a directory"]),
        ([], ["no data"]),
        (["notebook", "--generate", "10", "--true-p", "0.5"], ["not both"]),
        (["--generate", "10"], ["--generate needs --true-p"]),
        (["--generate", "0", "--true-p", "0.5"], ["n must be at least 1"]),
        (["--generate", "10", "--true-p", "1.5"], ["p must be between 0 and 1"]),
        (["notebook", "--true-p", "0.5"], ["--true-p only applies with --generate"]),
        (["notebook", "--column", "1"], ["--column only applies to a file"]),
    ],
)
@pytest.mark.parametrize("command", ["fit", "stability"])
def test_bad_data(bad_files, command, args, fragments):
    result = cli(command, *[a.format(d=bad_files) for a in args])
    assert_one_line_error(result, *fragments)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--lr", "abc"], ["argument --lr: invalid float value: 'abc'"]),
        (["--lr", "-1"], ["learning rate must be a positive number, not -1.0"]),
        (["--lr", "nan"], ["learning rate must be a positive number, not nan"]),
        (["--steps", "0"], ["steps must be a whole number from 1 to 100,000, not 0"]),
        (["--steps", "1.5"], ["argument --steps: must be a whole number"]),
        (["--p0", "abc"], ["argument --p0: must be a number or 'random'"]),
        (["--p0", "inf"], ["p0 must be a finite number"]),
        (["--beta", "1"], ["beta must be in [0, 1)"]),
        (["--batch-size", "0"], ["batch size must be a whole number >= 1"]),
        (["--optimizer", "lbfgs"], ["argument --optimizer: invalid choice: 'lbfgs'"]),
        (["--param", "theta"], ["argument --param: invalid choice"]),
        (["--loss", "total"], ["argument --loss: invalid choice"]),
        (["--dtype", "float16"], ["argument --dtype: invalid choice"]),
        (["--format", "xml"], ["argument --format: invalid choice"]),
        (["--every", "0"], ["argument --every: must be at least 1"]),
        (["--tol", "0"], ["tol must be a positive number"]),
        (["--lr", "-1", "--steps", "0"], ["learning rate", "; steps"]),  # all problems, one line
        (["--no-such-option"], ["unrecognized arguments: --no-such-option"]),
    ],
)
def test_bad_fit_options(args, fragments):
    assert_one_line_error(cli_in_process("fit", "notebook", *args), *fragments)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["stability", "notebook", "--level", "1.5"], ["confidence level must be in (0, 1)"]),
        (["stability", "notebook", "--format", "csv"], ["argument --format: invalid choice"]),
        ([], ["the following arguments are required: COMMAND"]),
        (["train", "notebook"], ["invalid choice: 'train'"]),
    ],
)
def test_bad_commands(args, fragments):
    assert_one_line_error(cli(*args), *fragments)


def test_help_documents_the_defaults_and_nulls():
    result = cli("fit", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "0.08385391" in text and "replays it" in text
    assert "written as null" in text
    assert "'random'" in text
