"""``python -m bernoulli stability``: the MLE, its intervals and the learning-rate limits."""

from __future__ import annotations

import argparse
import math

from bernoulli.cli import output
from bernoulli.cli.args import InputError
from bernoulli.data import samples
from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem

SCALES = ("sum", "mean")


def run(args: argparse.Namespace, sample: samples.Sample, out) -> None:
    """Print (or write as JSON) what the sample says before any run: p̂, its intervals, H."""
    n, k = sample.n, sample.k
    try:
        intervals = lk.intervals(n, k, args.level)
    except ValueError as e:  # the level
        raise InputError(str(e)) from None
    table = [
        Problem(n, k, param, scale).thresholds() for param in ("p", "logit") for scale in SCALES
    ]
    if args.format == "json":
        output.write_json(_json(sample, args.level, intervals, table), out)
        return
    _text(sample, args.level, intervals, table, out)


def _json(sample: samples.Sample, level: float, intervals, table) -> dict:
    n, k = sample.n, sample.k
    p_hat = lk.mle(n, k)
    return {
        "command": "stability",
        "source": sample.source,
        "reading": None if sample.reading is None else sample.reading.statement,
        "n": n,
        "k": k,
        "mle": p_hat,
        "on_boundary": lk.on_boundary(n, k),
        "nll_at_mle": {"sum": lk.nll(p_hat, n, k), "mean": lk.nll(p_hat, n, k, "mean")},
        "se": lk.standard_error(n, k),
        "level": level,
        "intervals": [
            {"name": i.name, "low": i.low, "high": i.high, "note": i.note} for i in intervals
        ],
        "thresholds": [output.thresholds_json(th) for th in table],
    }


def _text(sample: samples.Sample, level: float, intervals, table, out) -> None:
    n, k = sample.n, sample.k
    p_hat = lk.mle(n, k)
    print(f"data: {sample.source}: n = {n:,}, k = {k:,}", file=out)
    output.reading(sample, out)
    print(f"MLE k/n          {p_hat:.10g}", file=out)
    print(
        f"NLL at the MLE   {lk.nll(p_hat, n, k):.10g} (sum), "
        f"{lk.nll(p_hat, n, k, 'mean'):.10g} (mean)",
        file=out,
    )
    print(f"standard error   {lk.standard_error(n, k):.6g}", file=out)
    print(f"\n{level:.4g} confidence intervals", file=out)
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
