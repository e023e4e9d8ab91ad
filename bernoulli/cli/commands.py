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
import json
import math
import os
import sys
from collections.abc import Callable

from bernoulli import settings as schema
from bernoulli.cli import challenge
from bernoulli.cli.args import InputError as InputError  # re-exported: the CLI's one-line errors
from bernoulli.cli.args import Parser, check_p0, none_or, positive_int, whole
from bernoulli.data import samples
from bernoulli.engine import likelihood as lk
from bernoulli.io import table

FORMATS = ("table", "csv", "json")
SCALES = ("sum", "mean")


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
    logit = s.param == "logit"
    th = lk.thresholds(traj.n, traj.k, s.param, s.loss)
    start = "random p0 = " if s.p0 is None else "p0 = "
    name = schema.OPTIMIZER_NAMES[s.optimizer]
    where = "θ = logit p" if logit else "p"
    print(
        f"data: {sample.source}: n = {sample.n:,}, k = {sample.k:,}, MLE k/n = {traj.mle:.6g}",
        file=out,
    )
    _reading(sample, out)
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
    th = lk.thresholds(traj.n, traj.k, s.param, s.loss)
    names = table.JSON + (("theta",) if s.param == "logit" else ())
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
        "thresholds": _thresholds_json(th),
        "every": every,
        "trajectory": points,
    }
    _write_json(result, out)


# --- stability -------------------------------------------------------------------------------


def _thresholds_json(th: lk.Thresholds) -> dict:
    return {
        "param": th.param,
        "loss": th.scale,
        "curvature": table.finite(th.curvature),
        "monotone": table.finite(th.monotone),
        "stable": table.finite(th.stable),
        "global_stable": None if th.global_stable is None else table.finite(th.global_stable),
        "note": th.note,
    }


def stability(args: argparse.Namespace, sample: samples.Sample, out) -> None:
    n, k = sample.n, sample.k
    try:
        intervals = lk.intervals(n, k, args.level)
    except ValueError as e:  # the level
        raise InputError(str(e)) from None
    p_hat = lk.mle(n, k)
    table = [lk.thresholds(n, k, param, scale) for param in ("p", "logit") for scale in SCALES]
    if args.format == "json":
        _write_json(
            {
                "command": "stability",
                "source": sample.source,
                "reading": None if sample.reading is None else sample.reading.statement,
                "n": n,
                "k": k,
                "mle": p_hat,
                "on_boundary": lk.on_boundary(n, k),
                "nll_at_mle": {"sum": lk.nll(p_hat, n, k), "mean": lk.nll(p_hat, n, k, "mean")},
                "se": lk.standard_error(n, k),
                "level": args.level,
                "intervals": [
                    {"name": i.name, "low": i.low, "high": i.high, "note": i.note}
                    for i in intervals
                ],
                "thresholds": [_thresholds_json(th) for th in table],
            },
            out,
        )
        return
    print(f"data: {sample.source}: n = {n:,}, k = {k:,}", file=out)
    _reading(sample, out)
    print(f"MLE k/n          {p_hat:.10g}", file=out)
    print(
        f"NLL at the MLE   {lk.nll(p_hat, n, k):.10g} (sum), "
        f"{lk.nll(p_hat, n, k, 'mean'):.10g} (mean)",
        file=out,
    )
    print(f"standard error   {lk.standard_error(n, k):.6g}", file=out)
    print(f"\n{args.level:.4g} confidence intervals", file=out)
    for i in intervals:
        note = f"  ({i.note})" if i.note else ""
        print(f"  {i.name:<17} [{i.low:.6g}, {i.high:.6g}]{note}", file=out)
    print("\ncurvature H at the MLE and learning-rate thresholds", file=out)
    print(
        f"  {'param':<6} {'loss':<5} {'H':>12} {'1/H monotone':>14} {'2/H stable':>12} "
        f"{'global limit':>13}",
        file=out,
    )
    for th in table:
        limit = "—" if th.global_stable is None else f"{th.global_stable:.6g}"
        print(
            f"  {th.param:<6} {th.scale:<5} {th.curvature:>12.6g} {_cell(th.monotone):>14} "
            f"{_cell(th.stable):>12} {limit:>13}",
            file=out,
        )
    notes = dict.fromkeys(th.note for th in table if th.note)
    for note in notes:
        print(f"\nnote: {note}", file=out)
    if not notes:
        print(
            "\nNear the MLE, gradient descent below 1/H approaches it without crossing it, and "
            "between 1/H and 2/H overshoots and zig-zags in. Above 2/H the MLE repels:",
            file=out,
        )
        for line in _beyond_words(n, k):
            print(f"  {line}", file=out)
        print("The global limit (logit only) holds from any start.", file=out)


def _cell(x: float) -> str:
    """A threshold in the table: "—" where there is none (NaN: p̂ on the edge, in p)."""
    return "—" if math.isnan(x) else f"{x:.6g}"


def _beyond_words(n: int, k: int) -> list[str]:
    """What gradient descent does above 2/H, true for each parameterization."""
    from bernoulli.engine import dynamics  # numpy only
    from bernoulli.engine.problem import Problem

    p_hat = lk.mle(n, k)
    window = dynamics.stable_window(Problem(n, k, "p", "sum"))  # the same ratio for the mean
    if window is None:
        in_p = (
            f"in p (|2p̂ − 1| = {abs(2 * p_hat - 1):.3g} ≤ 1/√5), no stable cycle is born at "
            "2/H: from near the MLE p is thrown out of (0, 1)."
        )
    else:
        in_p = (
            f"in p (|2p̂ − 1| = {abs(2 * p_hat - 1):.3g} > 1/√5), p first settles into a stable "
            f"2-cycle, for lr up to {1 + window:.8g} × 2/H; past that the 2-cycle repels too, "
            "and far enough past 2/H p is thrown out of (0, 1)."
        )
    in_logit = (
        "in logit, θ never escapes: it settles into cycles (2, 4, …) and then chaos, always "
        "near logit p̂ (a step moves θ by less than lr·n for the sum, lr for the mean), so p "
        "stays in (0, 1)."
    )
    return [in_p, in_logit]


def _reading(sample: samples.Sample, out) -> None:
    """The one line saying how a file was read, where it was not plain 0/1 a line."""
    reading = sample.reading
    if reading is not None and (reading.layout not in ("lines", "column") or reading.symbols.words):
        print(f"      {reading.statement}", file=out)


# --- output and main -----------------------------------------------------------------------


def _write_json(result: dict, out) -> None:
    out.write(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
    out.write("\n")


COMMANDS: dict[str, Callable] = {"fit": fit, "stability": stability, "challenge": challenge.run}


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
