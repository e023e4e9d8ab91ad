"""`python -m bernoulli challenge list|check` as a teacher runs it: a real subprocess, its
stdout, stderr and exit code (0 solved, 1 not, 2 bad input), against the library's checks."""

from __future__ import annotations

import io
import shlex

import pytest

from bernoulli.cli import commands
from bernoulli.data import samples
from bernoulli.engine.optimize import Settings
from bernoulli.io import share
from bernoulli.teach import challenges
from tests.unit.cli.test_cli import assert_one_line_error, cli_in_process
from tests.unit.cli.test_cli import cli as run_cli

N, K = 200, 145
H = N / (0.725 * 0.275)


def test_list_prints_every_card_with_a_start_the_cli_reads():
    result = run_cli("challenge", "list")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    for card in challenges.CHALLENGES:
        assert f"{card.number}. {card.title}" in lines
        assert f"   goal:  {card.goal}" in lines
        assert f"   hint:  {card.hint}" in lines
    starts = [line.split("start: ", 1)[1] for line in lines if line.startswith("   start: ")]
    assert len(starts) == len(challenges.CHALLENGES)
    # Each start line, given to `check`, is the card's own start: the same Settings.
    parser = commands.build_parser()
    for card, flags in zip(challenges.CHALLENGES, starts, strict=True):
        args = parser.parse_args(
            ["challenge", "check", str(card.number), "notebook", *shlex.split(flags)]
        )
        from bernoulli.cli.challenge import _settings

        assert _settings(args, card) == share.decode(card.start).settings


def test_check_solved_exits_0_with_the_verdict_and_the_explanation():
    result = run_cli("challenge", "check", "3", "notebook", "--lr", "0.004", "--p0", "0.7")
    assert result.returncode == 0, result.stderr
    expected = challenges.check(3, samples.notebook_sample(), Settings(lr=0.004, p0=0.7, steps=100))
    assert expected.solved
    lines = result.stdout.splitlines()
    assert lines[0] == "challenge 3: Out in exactly three"
    assert "run:     --lr 0.004 --steps 100 --p0 0.7" in lines
    assert f"verdict: {expected.verdict}" in lines
    assert lines[-1] == f"solved.  {challenges.challenge(3).explanation}"


def test_check_unsolved_exits_1_and_starts_from_the_card():
    result = run_cli("challenge", "check", "3", "notebook")  # the start: escapes at step 7
    assert result.returncode == 1 and result.stderr == ""
    assert "verdict: Not yet: p left (0, 1) at step 7, not 3 (raise lr)." in result.stdout
    assert result.stdout.splitlines()[-1] == "not solved yet."


def test_check_on_generated_data_and_in_process():
    out = io.StringIO()
    argv = ["challenge", "check", "1", "--generate", "500", "--true-p", "0.3", "--seed", "2"]
    argv += ["--p0", "0.35"]  # near p̂ = 0.32, where 1/H and 2/H hold
    sample = samples.generate(500, 0.3, 2)
    h = sample.n / (sample.mean * (1 - sample.mean))
    status = commands.main([*argv, "--lr", str(1.5 / h)], out=out)
    assert status == 0 and "zig-zags around it" in out.getvalue()
    assert f"n = 500, k = {sample.k}" in out.getvalue()
    out = io.StringIO()
    assert commands.main([*argv, "--lr", str(0.5 / h)], out=out) == 1
    assert "walks straight to" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("challenge", "check", "12", "notebook"), ("there is no challenge 12: they are 1 to 8",)),
        (("challenge", "check", "x", "notebook"), ("argument N", "whole number")),
        (("challenge", "check", "2", "notebook", "--lr", "abc"), ("--lr", "'abc'")),
        (("challenge", "check", "2", "notebook", "--lr", "-1"), ("learning rate must be",)),
        (("challenge", "check", "2"), ("no data",)),
        (("challenge", "check", "2", "notebook", "--true-p", "0.3"), ("--true-p only applies",)),
        (("challenge",), ("ACTION",)),
        (("challenge", "grade"), ("invalid choice: 'grade'",)),
    ],
)
def test_bad_input_is_one_line_and_exits_2(args, fragments):
    assert_one_line_error(cli_in_process(*args), *fragments)


def test_help_lists_the_command_and_its_exit_codes():
    top = run_cli("--help")
    assert "challenge" in top.stdout and "list the challenge cards" in top.stdout
    check = run_cli("challenge", "check", "--help")
    assert check.returncode == 0
    text = " ".join(check.stdout.split())
    assert "Exit status 0 when solved, 1 when not, 2 for bad input." in text
    assert "--lr LR" in text and "(default: the card's start, else 2e-05)" in text
