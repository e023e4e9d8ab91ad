"""Benchmark: ``python -m bernoulli.bench [--quick]``. Prints medians and ratios; never fails.

What it measures, all in the same run so the ratios compare like with like:

1. A 1000-step gradient-descent trajectory with ``optimize.run`` (float32, summed NLL, the
   notebook's p0, lr = 2e-5 · 200/n so every n runs the same path) at n = 200 ... 10^8,
   against the notebook's own loop, which keeps a float32 tensor of all n samples and
   differentiates -sum(log(x p + (1 - x)(1 - p))) every step. Where 1000 notebook steps
   would take too long, it times fewer and scales to 1000, and says so.
2. Where a step's time goes: the loss's forward ops, ``backward()``, the optimizer's step.
3. Parsing a file of 10^7 values: "0"/"1" lines and "true"/"false" lines.

Targets: <= 60 ms per 1000 steps at every n; parsing 10^7 values <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from bernoulli.data import samples as data
from bernoulli.engine import optimize
from bernoulli.settings import NOTEBOOK_P0 as P0  # the notebook's start

MLE = 0.725  # every benchmark sample has the notebook's fraction of ones
STEP_TARGET_MS = 60.0
PARSE_TARGET_S = 2.0


def median_time(fn: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Median wall time of fn() in seconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scaled_lr(n: int) -> float:
    """The notebook's lr for n = 200, scaled so the summed loss takes the same path at any n."""
    return 2e-5 * 200 / n


def engine_run(n: int, steps: int = 1000) -> Callable[[], optimize.Trajectory]:
    k = round(MLE * n)
    settings = optimize.Settings(lr=scaled_lr(n), steps=steps, p0=P0)

    def fn():
        traj = optimize.run(n, k, settings)
        assert len(traj.p) == steps + 1, traj.status  # a full trajectory, not a divergence
        return traj

    return fn


def notebook_loop(x: torch.Tensor, steps: int, lr: float) -> Callable[[], float]:
    """The notebook's training loop, verbatim apart from torch.rand (its p0 is fixed here)."""

    def fn():
        p = torch.tensor([P0], requires_grad=True)
        for _ in range(steps):
            nll = -torch.sum(torch.log(x * p + (1 - x) * (1 - p)))
            nll.backward()
            with torch.no_grad():
                p -= lr * p.grad
            p.grad.zero_()
        return p.item()

    return fn


def fmt_time(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def samples(n: int, seed: int = 0) -> np.ndarray:
    """n values with exactly round(0.725 n) ones, shuffled (cheap for large n)."""
    values = np.zeros(n, dtype=np.uint8)
    values[: round(MLE * n)] = 1
    np.random.default_rng(seed).shuffle(values)
    return values


def trajectory_table(quick: bool) -> None:
    sizes = [200, 10**4, 10**6, 10**7, 10**8]
    repeats = 3 if quick else 7
    # The notebook's loop: (steps actually timed, repeats), scaled to 1000 steps; None = not run.
    plan = {
        200: (1000, repeats),
        10**4: (200 if quick else 1000, 3 if quick else 5),
        10**6: (10 if quick else 50, 1 if quick else 3),
        10**7: None if quick else (5, 3),
        10**8: None,
    }
    print("1. A 1000-step gradient-descent trajectory (float32, summed NLL, lr = 2e-5·200/n)")
    print(f"   optimize.run: median of {repeats} runs. The notebook's loop: median of the runs")
    print("   shown, each of the steps shown; fewer than 1000 steps are scaled to 1000.")
    header = (
        f"   {'n':>12}  {'optimize.run':>12}  {'per step':>9}  {'notebook loop':>13}  "
        f"{'timed as':<24}  {'notebook/ours':>13}  {'≤ 60 ms?':>8}"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    per_step_at = {}
    for n in sizes:
        ours = median_time(engine_run(n), repeats)
        met = "yes" if ours * 1e3 <= STEP_TARGET_MS else "no"
        if plan[n] is None:
            why = "skipped (--quick)" if quick and n == 10**7 else "not run (see below)"
            nb_text, how, ratio = "—", why, "—"
        else:
            steps, nb_repeats = plan[n]
            x = torch.tensor(samples(n), dtype=torch.float32)
            fn = notebook_loop(x, steps, scaled_lr(n))
            nb = median_time(fn, nb_repeats, warmup=1 if steps * n <= 10**8 else 0)
            nb *= 1000 / steps
            per_step_at[n] = nb / 1000
            del x
            runs = f"{nb_repeats} run" + ("s" if nb_repeats > 1 else "")
            how = f"{steps} steps, {runs}"
            if steps < 1000:
                how = f"{steps} steps ×{1000 // steps}, {runs}"
            r = nb / ours
            nb_text, ratio = fmt_time(nb), f"{r:.3g}×" if r < 100 else f"{r:,.0f}×"
        print(
            f"   {n:>12,}  {fmt_time(ours):>12}  {ours * 1e3:>6.0f} µs  {nb_text:>13}  "
            f"{how:<24}  {ratio:>13}  {met:>8}"
        )
    biggest = max(per_step_at)
    guess = per_step_at[biggest] * 10**8 / biggest  # at least linear in n
    minutes = guess * 1000 / 60
    print(
        "   n = 10^8 in the notebook's loop: ~10 float32 temporaries of 0.4 GB a step and, "
        f"linearly\n   from n = {biggest:,}, at least ~{guess:.1f} s a step (~{minutes:.0f} min "
        "for 1000 steps): not run.\n   optimize.run builds the loss from (n, k) alone, so its "
        "cost does not grow with n."
    )


def other_runs_table(quick: bool) -> None:
    repeats = 3 if quick else 5
    rows = [
        ("gd, p, float32 (the notebook's run)", {}),
        ("gd, p, float64", {"dtype": "float64"}),
        ("gd, logit, float32", {"param": "logit", "lr": 1e-3}),
        ("momentum, β = 0.9", {"optimizer": "momentum"}),
        ("adam", {"optimizer": "adam", "lr": 1e-2}),
        ("newton (autograd 2nd derivative)", {"optimizer": "newton", "lr": 1.0}),
    ]
    values = data.notebook_sample().values
    rows.append(("sgd, batch 20, n = 200", {"optimizer": "sgd", "lr": 1e-5}))
    big = None
    if not quick:
        big = data.generate(10**7, MLE, seed=0)
        rows.append(
            ("sgd, batch 20, n = 10^7 values", {"optimizer": "sgd", "lr": scaled_lr(big.n)})
        )
    print("\n2. Other 1000-step runs (n = 200 unless stated), median of", repeats)
    for label, changes in rows:
        settings = optimize.Settings().replace(**changes)
        sample_n, sample_k, sample_values = 200, 145, values
        if "10^7" in label:
            sample_n, sample_k, sample_values = big.n, big.k, big.values
        seconds = median_time(
            lambda s=settings, n=sample_n, k=sample_k, v=sample_values: optimize.run(n, k, s, v),
            repeats,
        )
        traj = optimize.run(sample_n, sample_k, settings, sample_values)
        assert len(traj.p) == 1001, traj.status  # all 1000 steps ran
        print(f"   {label:<36} {fmt_time(seconds):>8}   ({traj.status})")


def step_anatomy() -> None:
    """Median cost of the pieces of one gradient-descent step, in microseconds."""
    reps = 2000
    w = torch.tensor(0.5, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1e-12, foreach=False)

    def loop(fn):
        def many():
            for _ in range(reps):
                fn()

        return median_time(many, 5) / reps * 1e6

    def forward():
        return optimize.full_loss(w, 200, 145, "p", "sum")

    def forward_backward():
        w.grad = None
        forward().backward()

    def tiny_backward():
        w.grad = None
        (w * 2.0).backward()

    w.grad = torch.zeros(())
    parts = [
        ("loss forward (7 torch ops)", loop(forward)),
        ("forward + backward()", loop(forward_backward)),
        ("backward() of a 1-op graph, with its forward", loop(tiny_backward)),
        ("torch.optim.SGD.step()", loop(opt.step)),
    ]
    print("\n3. Where one step's time goes (median µs per call)")
    for label, us in parts:
        print(f"   {label:<46} {us:>7.1f} µs")
    print(
        "   A step also reads p, the loss and the gradient back (.item()) and checks the "
        "domain. With one\n   backward() and one torch.optim step per step, 1000 steps "
        "cannot go below ~1000 × (backward + step)."
    )


def parse_table(quick: bool) -> None:
    n = 10**7
    repeats = 1 if quick else 3
    values = samples(n, seed=1)
    digits = np.empty(2 * n, dtype=np.uint8)
    digits[0::2] = values + ord("0")
    digits[1::2] = ord("\n")
    words = ("false", "true")
    files = {
        '"0"/"1" lines': digits.tobytes(),
        '"true"/"false" lines': ("\n".join([words[v] for v in values.tolist()]) + "\n").encode(),
    }
    print(f"\n4. Parsing a file of 10^7 values (data.load_path; median of {repeats})")
    print(f"   {'file':<22} {'size':>8} {'load_path':>10} {'≤ 2 s?':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, content in files.items():
            path = Path(tmp) / "values.txt"
            path.write_bytes(content)
            seconds = median_time(lambda p=path: data.load_path(p), repeats, warmup=0)
            sample = data.load_path(path)
            assert (sample.n, sample.k) == (n, int(values.sum()))
            met = "yes" if seconds <= PARSE_TARGET_S else "no"
            size = f"{len(content) / 1e6:.0f} MB"
            print(f"   {label:<22} {size:>8} {fmt_time(seconds):>10} {met:>7}")
            path.unlink()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bernoulli.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and fewer notebook steps (~1 min)"
    )
    args = parser.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Bernoulli engine benchmark: torch {torch.__version__}, {torch.get_num_threads()} "
        f"threads, {os.cpu_count()} CPUs, load average {load:.2f} at start"
        + (" (--quick)" if args.quick else "")
    )
    print(
        "Medians of wall time; ratios are from this same run. Targets are reported, not enforced.\n"
    )
    trajectory_table(args.quick)
    other_runs_table(args.quick)
    step_anatomy()
    parse_table(args.quick)


if __name__ == "__main__":
    main()
