"""Time the batched engine: 40,000 runs x 1000 steps (target <= 0.5 s on 2 cores).

    python bench/bench_sweep.py [--repeats 7] [--dtype float64] [--param p]

Prints the median and the spread of several repeats and the cost per run-step. It never
fails on a time: machines differ, so it reports, it does not judge.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bernoulli.engine import sweep
from bernoulli.engine.problem import Problem

N, K = 200, 145  # the notebook's sample


def bench(
    problem: Problem, options: sweep.BatchOptions, runs: int = 40_000, repeats: int = 7
) -> dict:
    """Time ``sweep.run_batch`` on a learning-rate x p0 grid of ``runs`` runs.

    The grid spans 1e-3 to 4 times 2/H in learning rate and (0.005, 0.995) in p0, so it
    holds every outcome (converged, oscillating, diverged, and for logit periodic and chaotic);
    the time includes the classification. Returns the times (s) and the derived figures.
    """
    side = round(math.sqrt(runs))
    lrs = sweep.lr_grid(problem, num=side)
    p0s = np.linspace(0.005, 0.995, runs // side)
    warm_up = sweep.BatchOptions(steps=50)
    sweep.lr_p0_map(problem, lrs[:50], p0s[:50], warm_up)  # threads, allocator
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        res = sweep.lr_p0_map(problem, lrs, p0s, options)
        times.append(time.perf_counter() - start)
    size = res.status.size
    median = statistics.median(times)
    counts = {sweep.STATUSES[i]: res.count(i) for i in range(len(sweep.STATUSES))}
    return {
        "runs": size,
        "steps": options.steps,
        "times": times,
        "median_s": median,
        "ns_per_run_step": median / (size * options.steps) * 1e9,
        "counts": counts,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--runs", type=int, default=40_000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--param", choices=("p", "logit"), default="p")
    parser.add_argument("--optimizer", choices=sweep.OPTIMIZERS, default="gd")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    args = parser.parse_args(argv)
    options = sweep.BatchOptions(steps=args.steps, optimizer=args.optimizer, dtype=args.dtype)
    r = bench(Problem(N, K, args.param), options, args.runs, args.repeats)
    spread = ", ".join(f"{t:.3f}" for t in sorted(r["times"]))
    print(
        f"run_batch {args.optimizer}/{args.param}/{args.dtype}: {r['runs']:,} runs x "
        f"{r['steps']} steps\n"
        f"  median {r['median_s']:.3f} s over {args.repeats} repeats (sorted: {spread})\n"
        f"  {r['ns_per_run_step']:.2f} ns per run-step (target: 40,000 x 1000 in 0.5 s "
        f"= 12.5 ns)\n"
        f"  outcomes: " + ", ".join(f"{k} {v}" for k, v in r["counts"].items() if v)
    )


if __name__ == "__main__":
    main()
