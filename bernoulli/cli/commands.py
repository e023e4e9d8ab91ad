"""``python -m bernoulli``: run the engine from a shell, without a browser.

    python -m bernoulli fit notebook                      # replays the notebook's run
    python -m bernoulli fit samples.csv --lr 3e-3 --format json
    python -m bernoulli fit --generate 1000 --true-p 0.3 --seed 1 --optimizer adam --lr 0.01
    python -m bernoulli challenge check 3 notebook --lr 0.004 --p0 0.7   # cli_lesson: cards
    python -m bernoulli stability flips.txt --one T      # H/T flips, counting tails as 1
    echo HHTHTTHHHH | python -m bernoulli stability -    # values from standard input

Exit status: 0 for a finished run, including one that diverged (that is a result, said in
words); 1 for `challenge check` when not solved; 2 for bad input, with a one-line
``error: ...`` on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from bernoulli import settings as schema
from bernoulli.cli import challenge, output, stability
from bernoulli.cli.args import InputError as InputError  # re-exported: the CLI's one-line errors
from bernoulli.cli.args import Parser, check_p0, none_or, positive_int, whole
from bernoulli.data import samples
from bernoulli.io import table

FORMATS = ("table", "csv", "json")


# --- arguments ---------------------------------------------------------------------------


def _add(group, f: schema.Field, default=None, **words) -> None:
    """The option of one field of the settings table: its flag, type, choices and help.

    Ranges are not checked here: optimize.Settings and data.generate check them, with the
    library's wider bounds, and say what is wrong.
    """
    parse = {"float": float, "int": whole, "choice": str}[f.kind]
    shown = f.none if f.none and default is None else default
    help_text = words.pop("help", f.help) + ("" if shown is None else f" (default {shown})")
    group.add_argument(
        f.cli,
        type=none_or(f, parse) if f.none else parse,
        choices=tuple(f.choices) or None,
        default=default,
        help=help_text,
        **words,
    )


def _data_arguments() -> argparse.ArgumentParser:
    parent = Parser(add_help=False)
    group = parent.add_argument_group("data (a file, the notebook's sample, or generated)")
    group.add_argument(
        "data",
        nargs="?",
        metavar="DATA",
        help="a file of values, or - for standard input, or 'notebook' for the notebook's 200 "
        "samples (use ./notebook for a file of that name). Values: 0/1 (true/false, yes/no), "
        "H/T (heads/tails), W/L (win/loss) or success/failure; one a line, one row, a grid "
        "(all its values, row by row), a column of a CSV with a header (--column), runs of "
        "letters (HHTHT) or a list literal ([1., 0., 1.] as numpy prints it)",
    )
    group.add_argument(
        "--column", help="which column of a several-column file: its header name or 1-based number"
    )
    group.add_argument(
        "--one",
        metavar="SYMBOL",
        help="the symbol counted as 1, e.g. T to estimate P(tails) (default: 1, H, W or success)",
    )
    n, true_p = schema.GENERATE_FIELDS["n"], schema.GENERATE_FIELDS["true_p"]
    what = n.help[0].lower() + n.help[1:].rstrip(".")
    _add(group, n, metavar="N", help=f"instead of DATA: {what}")
    _add(group, true_p, metavar="P", help=f"{true_p.help[:-1]}, which {n.cli} uses (required)")
    seed = schema.FIELDS["seed"]
    _add(group, seed, seed.default, metavar="S", help=f"{seed.help} Also seeds {n.cli}.")
    return parent


_DEFAULT_RUN = (
    f"p0 = {schema.NOTEBOOK_P0}, lr = {schema.DEFAULTS['lr']:g}, {schema.DEFAULTS['steps']} steps "
    f"of {schema.OPTIMIZER_NAMES[schema.DEFAULTS['optimizer']]}, loss = {schema.DEFAULTS['loss']}, "
    f"{schema.DEFAULTS['dtype']}"
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m bernoulli",
        description="Maximum-likelihood estimation of a Bernoulli p with PyTorch, and what the "
        "learning rate does to gradient descent.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parent = _data_arguments()

    fit = commands.add_parser(
        "fit",
        parents=[parent],
        help="run an optimizer on the NLL and print its trajectory",
        description="Run an optimizer on the negative log-likelihood, one real torch step at a "
        "time, and print step t, p_t, NLL(p_t) and dNLL/dp at p_t. The defaults are the "
        f"notebook's run ({_DEFAULT_RUN}), so `fit notebook` replays it. A run that diverges (p "
        "leaves (0, 1) or the loss becomes NaN/inf) is a result: it stops there, says so in "
        "words and exits 0.",
        epilog="Formats: table (aligned columns, then the outcome in plain words); csv "
        "(header step,p,nll,grad, plus theta,grad_theta in the logit parameterization; the "
        "outcome goes to stderr); json (an object with outcome (converges, zigzags, cycle, chaos, "
        "stalls, escapes or on_its_way), outcome_words, period (a cycle's, else null), lyapunov "
        "(the exponent per step where the run was read for chaos, else null), status, "
        "diverged_at (null or a step), converged_at, stalled_at, sentence, why, message "
        "(sentence and why), n, k, mle, settings, thresholds and trajectory, a "
        "list of {step, p, nll, grad, loss, grad_param}). In JSON, NaN and infinite values "
        "(e.g. the NLL at a diverged last point) are written as null. Rows are every K-th "
        "step and always the last one.",
    )
    for f in schema.RUN:
        if f.name != "seed":  # (with the data: it also seeds --generate)
            _add(fit, f, f.default)
    fit.add_argument(
        "--every",
        type=positive_int,
        metavar="K",
        help="print every K-th step (default 100 for table, 1 for csv and json)",
    )
    fit.add_argument("--format", choices=FORMATS, default="table")

    stability = commands.add_parser(
        "stability",
        parents=[parent],
        help="print the MLE, intervals, curvature and learning-rate limits",
        description="n, k, the MLE k/n, the NLL there, its standard error, the Wald, Wilson "
        "and likelihood-ratio intervals, the curvature H at the MLE and the learning-rate "
        "thresholds 1/H (monotone below) and 2/H (stable below) for each parameterization "
        "(p, logit) and loss scale (sum, mean). In JSON, infinite values are written as null.",
    )
    stability.add_argument(
        "--level", type=float, default=0.95, help="confidence level of the intervals (0.95)"
    )
    stability.add_argument("--format", choices=("table", "json"), default="table")
    challenge.add_parser(commands, parent)
    return parser


def load_sample(args: argparse.Namespace) -> samples.Sample:
    """The sample the arguments name: DATA (a path or 'notebook') or --generate."""
    if args.generate is not None:
        if args.data is not None:
            raise InputError(f"give either DATA ({args.data!r}) or --generate, not both")
        if args.true_p is None:
            raise InputError("--generate needs --true-p P, the probability of a one")
        if args.column is not None or args.one is not None:
            raise InputError(f"{'--column' if args.column else '--one'} only applies to a file")
        return samples.generate(args.generate, args.true_p, args.seed)
    if args.true_p is not None:
        raise InputError("--true-p only applies with --generate N")
    if args.data is None:
        raise InputError("no data: give a file, 'notebook', or --generate N --true-p P")
    if args.data == "notebook":
        if args.column is not None or args.one is not None:
            raise InputError(f"{'--column' if args.column else '--one'} only applies to a file")
        return samples.notebook_sample()
    if args.data == "-":
        content = sys.stdin.buffer.read(samples.MAX_BYTES + 1)
        return samples.parse_samples(content, "standard input", args.column, args.one)
    return samples.load_path(args.data, column=args.column, one=args.one)


# --- fit -----------------------------------------------------------------------------------


def fit(args: argparse.Namespace, sample: samples.Sample, out) -> None:
    from bernoulli.engine import optimize  # torch loads here, not for `stability`
    from bernoulli.teach import account

    check_p0(args.p0)
    try:
        settings = optimize.Settings(**{f.name: getattr(args, f.name) for f in schema.RUN})
    except ValueError as e:
        raise InputError(str(e)) from None
    if settings.optimizer == "sgd" and sample.values is None:
        raise InputError(f"minibatch SGD needs the raw 0/1 values, and {sample.source} has none")
    traj = optimize.run(sample.n, sample.k, settings, sample.values)
    told = account.of_run(traj)
    every = args.every or (100 if args.format == "table" else 1)
    rows = table.rows(len(traj.p), every)
    if args.format == "json":
        _fit_json(traj, sample, rows, every, out)
    elif args.format == "csv":
        out.write(table.csv_text(table.columns(traj, table.printed(traj), rows)))
        _outcome_lines(told, sys.stderr)
    else:
        _fit_table(traj, told, sample, rows, out)


def _fit_table(traj, told, sample: samples.Sample, rows, out) -> None:
    s = traj.settings
    th = traj.problem.thresholds()
    start = "random p0 = " if s.p0 is None else "p0 = "
    name = schema.OPTIMIZER_NAMES[s.optimizer]
    where = traj.problem.described
    print(
        f"data: {sample.source}: n = {sample.n:,}, k = {sample.k:,}, MLE k/n = {traj.mle:.6g}",
        file=out,
    )
    output.reading(sample, out)
    print(
        f"run:  {name} on the {'summed' if s.loss == 'sum' else 'mean'} NLL in {where}, "
        f"lr = {s.lr:g}, {s.steps} steps from "
        f"{start}{table.shortest(traj.p0, 'float64')}, {s.dtype}",
        file=out,
    )
    if th.note:
        print(f"note: {th.note}", file=out)
    else:
        print(
            f"H = {th.curvature:.6g} at the MLE: 1/H = {th.monotone:.6g} (monotone below), "
            f"2/H = {th.stable:.6g} (stable below)",
            file=out,
        )
    print("", file=out)
    for line in table.text_lines(table.columns(traj, table.printed(traj), rows), s.dtype):
        print(line, file=out)
    print("", file=out)
    _outcome_lines(told, out)


def _outcome_lines(told, out) -> None:
    """The account: the outcome in a few words, what p did, then why (a line each)."""
    print(f"outcome: {told.words}", file=out)
    print(told.sentence, file=out)
    print(told.why, file=out)


def _fit_json(traj, sample: samples.Sample, rows, every: int, out) -> None:
    from bernoulli.teach import account

    told = account.of_run(traj)  # (kept on the run: not told twice)
    s = traj.settings
    th = traj.problem.thresholds()
    names = table.JSON + (() if traj.problem.moves_p else ("theta",))
    points = table.json_points(table.columns(traj, names, rows))
    result = {
        "command": "fit",
        "source": sample.source,
        "reading": None if sample.reading is None else sample.reading.statement,
        "n": traj.n,
        "k": traj.k,
        "mle": traj.mle,
        "settings": {f: getattr(s, f) for f in s.__dataclass_fields__},
        "p0": traj.p0,
        **told.fields(),  # outcome, outcome_words, period, lyapunov, sentence, why, message
        "status": traj.status,
        "diverged_at": traj.diverged_at,
        "converged_at": traj.converged_at,
        "stalled_at": traj.stalled_at,
        "final_p": table.finite(traj.final_p),
        "thresholds": output.thresholds_json(th),
        "every": every,
        "trajectory": points,
    }
    output.write_json(result, out)


# --- stability -------------------------------------------------------------------------------


# --- output and main -----------------------------------------------------------------------


COMMANDS: dict[str, Callable] = {"fit": fit, "stability": stability.run, "challenge": challenge.run}


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the command line; return the exit status (0, 1 for an unsolved challenge, 2 for bad
    input)."""
    out = sys.stdout if out is None else out
    args = build_parser().parse_args(argv)  # argparse exits 2 on its own errors
    try:
        sample = None if getattr(args, "no_data", False) else load_sample(args)
        return COMMANDS[args.command](args, sample, out) or 0  # challenge check: 1 if unsolved
    except (samples.DataError, InputError) as e:
        message = " ".join(str(e).split())  # one line, whatever the source
        print(f"error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `| head`: the reader has all it wants
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush is quiet
    return 0
