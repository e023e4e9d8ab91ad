"""The divergence explorer: what the learning rate does, over many runs at once.

``render(n, k, values, settings)`` draws five views, each with a sentence or two and its
formula: a learning-rate sweep, the learning rate x p0 map, the bifurcation diagram with a
cobweb plot, an optimizer race, and the sum-vs-mean note. The numbers come from
``bernoulli.sweep`` (many runs as one tensor computation) and ``bernoulli.optimize`` (one
real torch run per optimizer); the figures from ``bernoulli.explorer_figures``.

Heavy computations are cached with ``st.cache_data`` on scalars only. A long sweep reports
progress into a bar drawn outside the cached function (see ``_progress_bar``).
"""

from __future__ import annotations

import contextvars
import hashlib
import math

import numpy as np
import streamlit as st

from bernoulli import explorer_figures as xf
from bernoulli import likelihood as lk
from bernoulli import sweep
from bernoulli.optimize import OPTIMIZER_NAMES, Settings, initial_p, run

SWEEP_POINTS = 241  # learning rates in the sweep
SWEEP_RANGE = (1e-3, 4.0)  # the sweep's span, in multiples of 2/H
MAP_LRS, MAP_P0S = 161, 119  # grid of the lr x p0 map
MAP_RANGE = {"p": (1e-2, 2.0), "logit": (1e-2, 4.0)}  # in multiples of 2/H
BIFURCATION_POINTS = 701  # learning rates in a bifurcation diagram
BIFURCATION_RANGE = {"p": (0.5, 1.9), "logit": (0.5, 2.2)}  # in multiples of 2/H
TRANSIENT, KEEP = 4000, 128  # steps thrown away, then kept, per bifurcation run
LOPSIDED = (200, 190)  # an example whose p map does period-double: p̂ = 0.95
RACE_MAX_STEPS = 5000  # the race animates at most this many steps
CRITICAL = 1 / math.sqrt(5)  # the p map's 2-cycle is born stable iff |2p̂ - 1| > 1/sqrt(5)


def _progress_bar(label: str):
    """A progress bar, and a callback that moves it from inside a cached function.

    st.cache_data records every element call made while its function runs, to replay it on
    a cache hit; a bar created outside cannot be replayed (CacheReplayClosureError). The
    callback therefore runs the update in a copy of the context from before the cached call,
    where no recording is active.
    """
    bar = st.progress(0.0, text=label)
    outside = contextvars.copy_context()

    def report(fraction: float) -> None:
        outside.run(bar.progress, min(max(float(fraction), 0.0), 1.0), text=label)

    return bar, report


def _chart(fig, key: str) -> None:
    """A Plotly chart as drawn (no Streamlit theme over its fonts and colours)."""
    st.plotly_chart(
        fig,
        width="stretch",
        theme=None,
        key=key,
        config={"displaylogo": False, "scrollZoom": False},
    )


def _batched(optimizer: str) -> str:
    """The batched engine steps gradient descent and momentum; others are swept as GD."""
    return optimizer if optimizer in sweep.OPTIMIZERS else "gd"


def _num(x: float) -> str:
    return f"{x:.4g}"


# --- cached computations (scalars in, numpy out) ------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def lr_sweep_cached(n, k, p0, lr, steps, param, loss, dtype, optimizer, beta, tol, _progress=None):
    """The learning-rate sweep from p0, with the current lr among the learning rates."""
    lrs = sweep.lr_grid(n, k, param, loss, *SWEEP_RANGE, num=SWEEP_POINTS, extra=[lr])
    return sweep.lr_sweep(n, k, p0, lrs, steps, param=param, loss=loss, dtype=dtype,
                          optimizer=optimizer, beta=beta, tol=tol, progress=_progress)  # fmt: skip


def map_range(n: int, k: int, s: Settings) -> tuple[float, float]:
    """The map's learning rates, in multiples of 2/H: MAP_RANGE widened to hold the current lr."""
    low, high = MAP_RANGE[s.param]
    ratio = s.lr / sweep.reference_lr(n, k, s.param, s.loss)
    return min(low, ratio / 2), max(high, ratio * 1.5)


@st.cache_data(max_entries=16, show_spinner=False)
def lr_p0_cached(n, k, low, high, steps, param, loss, dtype, optimizer, beta, tol,
                 _progress=None):  # fmt: skip
    """The lr x p0 map: MAP_LRS learning rates in [low, high] x 2/H (log) x MAP_P0S starts."""
    lrs = sweep.lr_grid(n, k, param, loss, low, high, num=MAP_LRS)
    p0s = np.linspace(0.0, 1.0, MAP_P0S + 2)[1:-1]
    return sweep.lr_p0_map(n, k, lrs, p0s, steps, param=param, loss=loss, dtype=dtype,
                           optimizer=optimizer, beta=beta, tol=tol, progress=_progress)  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def two_cycles_cached(n, k, low, high, num, param, loss, log=False):
    """2-cycles of the gradient-descent map for num learning rates in [low, high] x 2/H."""
    ref = sweep.reference_lr(n, k, param, loss)
    spacing = np.geomspace if log else np.linspace
    return sweep.two_cycles(n, k, spacing(low, high, num) * ref, param, loss, points=2001)


@st.cache_data(max_entries=16, show_spinner=False)
def bifurcation_cached(n, k, param, loss, _progress=None):
    """Long-run values of p over BIFURCATION_RANGE, from beside the MLE, in float64."""
    low, high = BIFURCATION_RANGE[param]
    lrs = np.linspace(low, high, BIFURCATION_POINTS) * sweep.reference_lr(n, k, param, loss)
    return sweep.bifurcation(n, k, lrs, param, loss, transient=TRANSIENT, keep=KEEP,
                             progress=_progress)  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def stable_window_cached(n, k, loss) -> float | None:
    """How far past 2/H (relative) the p map keeps a stable 2-cycle; None if it has none."""
    ref = sweep.reference_lr(n, k, "p", loss)
    eps = np.geomspace(1e-9, 1.0, 400)
    cycles = sweep.two_cycles(n, k, (1 + eps) * ref, "p", loss, points=20001)
    stable = cycles.lr[cycles.stable]
    return float(stable.max() / ref - 1) if stable.size else None


@st.cache_data(max_entries=32, show_spinner=False)
def cobweb_cached(n, k, lr, p0, steps, param, loss):
    return sweep.cobweb(n, k, lr, p0, steps, param, loss)


@st.cache_data(max_entries=16, show_spinner=False)
def race_cached(n, k, values_key, lrs, base, _values=None):
    """One real torch run per optimizer. lrs: ((name, param, lr), ...); base: Settings fields."""
    settings = Settings(**dict(base))
    return [
        run(n, k, settings.replace(optimizer=name, param=param, lr=lr), _values)
        for name, param, lr in lrs
    ]


# --- the page ------------------------------------------------------------------------------


def render(n: int, k: int, values: np.ndarray | None, settings: Settings) -> None:
    """Draw the divergence explorer for n samples with k ones under the current settings.

    Parameters
    ----------
    n, k : int
        The sample's size and number of ones.
    values : ndarray of uint8, or None
        The raw 0/1 values (minibatch SGD in the race draws from them).
    settings : Settings
        The sidebar's settings: learning rate, p0, steps, optimizer, parameterization, loss
        scale, dtype, tolerance.
    """
    th = lk.thresholds(n, k, settings.param, settings.loss)
    st.header("Divergence explorer")
    intro = (
        f"Many runs at once on the same data (n = {n}, k = {k}, p̂ = {_num(k / n)}): which "
        "learning rates converge, which oscillate, cycle or go chaotic, and which throw p out "
        "of (0, 1)."
    )
    if th.note:
        st.markdown(intro)
        st.warning(th.note)
    else:
        st.markdown(
            intro + f" Near the minimum the {settings.loss} NLL has curvature "
            f"H = {_num(th.curvature)} in {settings.param}, so gradient descent shrinks the "
            f"error monotonically below 1/H = {_num(th.monotone)} and stops converging past "
            f"2/H = {_num(th.stable)} — near p̂."
        )
    tabs = st.tabs(
        ["Learning-rate sweep", "lr × p₀ map", "Bifurcation & cobweb", "Optimizer race",
         "Sum vs mean"]
    )  # fmt: skip
    with tabs[0]:
        sweep_section(n, k, settings)
    with tabs[1]:
        map_section(n, k, settings)
    with tabs[2]:
        bifurcation_section(n, k, settings)
        cobweb_section(n, k, settings)
    with tabs[3]:
        race_section(n, k, values, settings)
    with tabs[4]:
        sum_mean_section(n, k, settings)


def sweep_section(n: int, k: int, s: Settings) -> None:
    """View 1: every learning rate on a log axis, one full run each."""
    p0 = initial_p(s)
    optimizer = _batched(s.optimizer)
    th = lk.thresholds(n, k, s.param, s.loss)
    st.subheader("Learning-rate sweep: an exact lr_find")
    st.markdown(
        f"Each point is a complete run of {s.steps:,} steps of "
        f"{OPTIMIZER_NAMES[optimizer]} from p₀ = {_num(p0)}, one learning rate per run, all "
        "computed together as one tensor computation. Unlike fast.ai's lr_find (one run "
        "with a growing learning rate), nothing is mixed: the outcome at each learning rate "
        "is that learning rate's own."
    )
    if optimizer != s.optimizer:
        st.caption(
            f"The sweep runs gradient descent: the batched engine steps GD and momentum; "
            f"{OPTIMIZER_NAMES[s.optimizer]} is in the optimizer race."
        )
    if s.param == "p":
        st.latex(
            r"p_{t+1} = p_t - \eta\,\frac{\partial\,\mathrm{NLL}}{\partial p}"
            r" = p_t - \eta\left(-\frac{k}{p_t} + \frac{n-k}{1-p_t}\right),\qquad "
            r"p_{t+1}-\hat p \approx (1-\eta H)\,(p_t-\hat p),\quad "
            r"H = \frac{n}{\hat p(1-\hat p)}" + (r"\ (\div n\text{ for the mean})"
                                                  if s.loss == "mean" else "")
        )  # fmt: skip
    else:
        st.latex(
            r"\theta_{t+1} = \theta_t - \eta\,(n\,\sigma(\theta_t) - k),\qquad "
            r"\theta_{t+1}-\hat\theta \approx (1-\eta H)(\theta_t-\hat\theta),\quad "
            r"H = n\,\hat p(1-\hat p)"
        )
    if optimizer == "momentum":
        st.latex(
            r"v_{t+1} = \beta v_t + \nabla\mathrm{NLL},\quad w_{t+1} = w_t - \eta v_{t+1}"
            r"\qquad\text{stable near the minimum} \iff \eta H < 2 + 2\beta"
        )
    bar, report = _progress_bar("Running the sweep…")
    res = lr_sweep_cached(n, k, p0, s.lr, s.steps, s.param, s.loss, s.dtype, optimizer, s.beta,
                          s.tol, _progress=report)  # fmt: skip
    bar.empty()
    marks = xf.threshold_marks(n, k, s.param, s.loss, s.beta if optimizer == "momentum" else None)
    _chart(xf.lr_sweep_figure(res, s.lr, marks), "explorer_sweep")
    here = int(np.argmin(np.abs(np.log(res.lr / s.lr))))
    facts = [
        f"At the current learning rate {_num(s.lr)} "
        f"({_num(s.lr / th.stable) if math.isfinite(th.stable) and th.stable else '—'} × 2/H) "
        f"the run is **{res.labels()[here]}**"
    ]
    if res.converged_at[here] >= 0:
        facts[0] += f" at step {res.converged_at[here]}"
    elif res.diverged_at[here] >= 0:
        facts[0] += f": p left (0, 1) at step {res.diverged_at[here]}"
    facts[0] += "."
    out = res.status == sweep.DIVERGED
    if out.any():
        first = float(res.lr[out].min())
        ratio = first / th.stable if math.isfinite(th.stable) and th.stable else math.nan
        facts.append(
            f"From this p₀ the smallest learning rate at which p leaves (0, 1) is {_num(first)}"
            + (f" = {_num(ratio)} × 2/H" if math.isfinite(ratio) else "")
            + (": **below 2/H**, because 2/H is a limit near p̂ only (see the lr × p₀ map)."
               if ratio < 0.99 else ".")
        )  # fmt: skip
    st.markdown(" ".join(facts))


def map_section(n: int, k: int, s: Settings) -> None:
    """View 2: outcome and steps over learning rate x starting p."""
    optimizer = _batched(s.optimizer)
    p0 = initial_p(s)
    st.subheader("Learning rate × starting p: 2/H is a local limit")
    st.markdown(
        "Each cell is one run. The limit 2/H comes from the curvature at p̂; far from p̂ the "
        "curvature, and the gradient, are much larger (they grow without bound towards 0 and "
        "1), so from a start far from the MLE a single step can throw p out of (0, 1) at a "
        "learning rate well below 2/H."
    )
    if s.param == "p":
        st.latex(
            r"p_1 = p_0 + \eta\,\frac{n(\hat p - p_0)}{p_0(1-p_0)} \ge 1"
            r"\iff \eta \ge \eta_1(p_0) = \frac{p_0(1-p_0)^2}{n(\hat p-p_0)}"
            r"\quad (p_0<\hat p,\ \text{summed NLL})"
        )
        if s.loss == "sum" and 0 < k < n and 0 < p0 < k / n:
            eta1 = p0 * (1 - p0) ** 2 / (n * (k / n - p0))
            st.markdown(
                f"From the current p₀ = {_num(p0)} the very first step leaves (0, 1) once "
                f"η ≥ η₁ = {_num(eta1)} = {_num(eta1 / lk.thresholds(n, k).stable)} × 2/H."
            )
        st.markdown(
            "The white curves are the unstable 2-cycle of the update map (solved from "
            "f(f(p)) = p): starts between its two points converge, starts outside escape."
        )
    bar, report = _progress_bar(f"Running {MAP_LRS * MAP_P0S:,} runs…")
    low, high = map_range(n, k, s)
    res = lr_p0_cached(n, k, low, high, s.steps, s.param, s.loss, s.dtype, optimizer, s.beta,
                       s.tol, _progress=report)  # fmt: skip
    bar.empty()
    cycles = None
    if s.param == "p":
        cycles = two_cycles_cached(n, k, low, high, 240, "p", s.loss, log=True)
    marks = xf.threshold_marks(n, k, s.param, s.loss, s.beta if optimizer == "momentum" else None)
    outcome, steps = st.tabs(["Outcome", "Steps to converge"])
    with outcome:
        fig = xf.lr_p0_figure(res, "outcome", marks, (s.lr, p0), cycles)
        _chart(fig, "explorer_map_outcome")
    with steps:
        fig = xf.lr_p0_figure(res, "steps", marks, (s.lr, p0), cycles)
        _chart(fig, "explorer_map_steps")
    counts = ", ".join(
        f"{sweep.STATUS_LABELS[c]} {res.count(c):,}" for c in xf.STATUS_ORDER if res.count(c)
    )
    st.caption(f"{res.status.size:,} runs of {s.steps:,} steps ({s.dtype}): {counts}.")


def _bifurcation_story(res: sweep.BatchResult, n: int, k: int, param: str, loss: str) -> str:
    """What the computed diagram shows, in words and numbers taken from it."""
    ref = sweep.reference_lr(n, k, param, loss)
    above = res.lr > ref * (1 + 1e-9)
    periods = sorted({int(q) for q in res.period[above & (res.status == sweep.PERIODIC)]})
    chaos = res.lr[above & (res.status == sweep.CHAOTIC)]
    out = res.lr[res.status == sweep.DIVERGED]
    parts = []
    if periods:
        first = {q: float(res.lr[above & (res.period == q)].min()) / ref for q in periods}
        shown = [q for q in (2, 4, 8, 16) if q in first]
        parts.append(
            "Past 2/H the long run is a cycle: "
            + ", ".join(f"period {q} from {_num(first[q])} × 2/H" for q in shown)
            + (f" (also periods {', '.join(str(q) for q in periods if q not in shown)} in "
               "windows)" if set(periods) - set(shown) else "")
            + "."
        )  # fmt: skip
    if chaos.size:
        parts.append(
            f"Chaos (bounded, no period up to 64, positive Lyapunov exponent) from "
            f"{_num(float(chaos.min()) / ref)} × 2/H."
        )
    if out.size:
        parts.append(
            f"p leaves (0, 1) for every learning rate from {_num(float(out.min()) / ref)} × 2/H"
            f" in this grid ({out.size} of {res.lr.size} learning rates)."
        )
    elif param == "logit":
        parts.append(
            "θ never escapes: one step moves it by at most η·n·max(p̂, 1 − p̂), and "
            "σ(θ) stays in (0, 1)."
        )
    return " ".join(parts)


def bifurcation_section(n: int, k: int, s: Settings) -> None:
    """View 3a: the long-run values of p against the learning rate, in p and in logit."""
    st.subheader("Bifurcation diagram: where do the runs end up?")
    st.markdown(
        f"For each of {BIFURCATION_POINTS} learning rates, one run from just beside p̂ is "
        f"stepped {TRANSIENT:,} times and its next {KEEP} values of p are drawn (float64). "
        "One point: it converged. Two points: a stable 2-cycle, p alternating for ever. A "
        "smear: chaos. A mark on the bottom line: p left (0, 1)."
    )
    data = st.radio(
        "Data for the diagram",
        ["this sample", "a lopsided sample"],
        horizontal=True,
        key="explorer_bif_data",
        format_func=lambda v: f"this sample (n = {n}, k = {k})" if v == "this sample"
        else f"a lopsided sample (n = {LOPSIDED[0]}, k = {LOPSIDED[1]}, p̂ = "
        f"{LOPSIDED[1] / LOPSIDED[0]:g})",
    )  # fmt: skip
    bn, bk = (n, k) if data == "this sample" else LOPSIDED
    p_hat = bk / bn
    if bk in (0, bn):
        st.info("The MLE is on the edge of (0, 1): there is no fixed point inside to bifurcate.")
        return
    st.latex(
        r"\text{in }p:\ p \mapsto p - \eta\,\frac{n(p-\hat p)}{p(1-p)},\qquad "
        r"\text{in logit}:\ \theta \mapsto \theta - \eta\,(n\,\sigma(\theta)-k)"
    )
    st.latex(
        r"\text{a stable 2-cycle is born at } \eta = 2/H \text{ in } p"
        r"\iff |2\hat p-1| > 1/\sqrt5 \iff \hat p<0.276\text{ or }\hat p>0.724"
    )
    window = stable_window_cached(bn, bk, s.loss)
    crit = abs(2 * p_hat - 1) > CRITICAL
    left, right = st.columns(2)
    for column, param in ((left, "p"), (right, "logit")):
        with column:
            bar, report = _progress_bar(f"Bifurcation in {param}…")
            res = bifurcation_cached(bn, bk, param, s.loss, _progress=report)
            bar.empty()
            low, high = BIFURCATION_RANGE[param]
            cycles = two_cycles_cached(bn, bk, low, high, 300, param, s.loss)
            marks = xf.threshold_marks(bn, bk, param, s.loss)
            title = "gradient descent in p" if param == "p" else "gradient descent in θ = logit p"
            current = s.lr if (bn, bk) == (n, k) and param == s.param else None
            fig = xf.bifurcation_figure(res, marks, cycles, title, current)
            _chart(fig, f"explorer_bif_{param}")
            story = _bifurcation_story(res, bn, bk, param, s.loss)
            if param == "p":
                if window is None:
                    story = (
                        f"p̂ = {p_hat:g} has |2p̂ − 1| = {abs(2 * p_hat - 1):.3g} ≤ 1/√5: "
                        "no stable 2-cycle is born at 2/H; the unstable 2-cycle (dashed) "
                        "closes in on p̂, so past 2/H p simply escapes. " + story
                    )
                elif window < 1e-3:
                    story = (
                        f"p̂ = {p_hat:g} is just past the critical "
                        f"{(1 + CRITICAL) / 2:.4f}: a stable 2-cycle exists only for "
                        f"learning rates up to {1 + window:.7g} × 2/H (solved from "
                        "f(f(p)) = p), too narrow to see here and too weakly attracting to "
                        "reach in a realistic run; in practice p escapes past 2/H. " + story
                    )
                elif crit:
                    story = "|2p̂ − 1| > 1/√5: the p map period-doubles. " + story
            st.markdown(story)


def cobweb_section(n: int, k: int, s: Settings) -> None:
    """View 3b: the one-dimensional update map and one orbit of it."""
    st.subheader("Cobweb plot of one run")
    st.markdown(
        "The black curve is the update map p_t ↦ p_{t+1}; the orbit goes up to the curve "
        "(one step) and across to the diagonal (that value becomes the next p_t). Where the "
        "curve crosses the diagonal is p̂. Steep curve at p̂ (slope below −1): it repels."
    )
    st.latex(
        r"f(p) = p - \eta\,\mathrm{NLL}'(p),\qquad f'(\hat p) = 1 - \eta H,\qquad "
        r"|f'(\hat p)| < 1 \iff 0 < \eta < 2/H"
    )
    cols = st.columns([2, 1, 1, 1])
    param = cols[3].radio("parameter", ["p", "logit"], index=["p", "logit"].index(s.param),
                          horizontal=True, key="explorer_cobweb_param")  # fmt: skip
    th = lk.thresholds(n, k, param, s.loss)
    choices = {"current": f"the current η = {_num(s.lr)}"}
    if 0 < k < n:
        choices |= {
            "0.5/H": f"½ · 1/H = {_num(0.5 * th.monotone)} (monotone)",
            "1.5/H": f"1.5 · 1/H = {_num(1.5 * th.monotone)} (oscillating)",
            "0.99*2/H": f"0.99 · 2/H = {_num(0.99 * th.stable)}",
            "1.1*2/H": f"1.1 · 2/H = {_num(1.1 * th.stable)}",
        }
    choices["custom"] = "another value…"
    pick = cols[0].selectbox("learning rate η", list(choices), format_func=choices.get,
                             key="explorer_cobweb_choice")  # fmt: skip
    factors = {"0.5/H": 0.5 * th.monotone, "1.5/H": 1.5 * th.monotone,
               "0.99*2/H": 0.99 * th.stable, "1.1*2/H": 1.1 * th.stable}  # fmt: skip
    lr = factors.get(pick, s.lr)
    if pick == "custom":
        lr = cols[0].number_input("η", min_value=1e-12, max_value=1e6, value=s.lr,
                                  format="%.6g", key="explorer_cobweb_lr")  # fmt: skip
    p0 = cols[1].number_input("start p₀", min_value=1e-9, max_value=1 - 1e-9,
                              value=min(max(initial_p(s), 1e-9), 1 - 1e-9), format="%.6g",
                              key="explorer_cobweb_p0")  # fmt: skip
    steps = cols[2].number_input("steps", min_value=1, max_value=500, value=40, step=10,
                                 key="explorer_cobweb_steps")  # fmt: skip
    cw = cobweb_cached(n, k, float(lr), float(p0), int(steps), param, s.loss)
    _chart(xf.cobweb_figure(cw), "explorer_cobweb")
    ratio = lr / lk.thresholds(n, k, param, s.loss).stable if 0 < k < n else math.nan
    words = sweep.STATUS_LABELS[cw.status]
    if cw.status == sweep.DIVERGED:
        words += f" at step {cw.diverged_at} (p = {_num(cw.orbit[-1])})"
    st.markdown(f"η = {_num(lr)} = {_num(ratio)} × 2/H in {param}: after {steps} steps, {words}.")


def race_section(n: int, k: int, values: np.ndarray | None, s: Settings) -> None:
    """View 4: the optimizers side by side on the same data and start."""
    st.subheader("Optimizer race")
    st.markdown(
        f"The same data and start p₀ = {_num(initial_p(s))}, every optimizer a real torch run "
        f"of {min(s.steps, RACE_MAX_STEPS):,} steps ({s.dtype}). Drag the slider or press "
        "Play; the lower panel shows how far each is from the minimum NLL at every step."
    )
    st.latex(
        r"\text{momentum: } v \leftarrow \beta v + g,\ w \leftarrow w - \eta v"
        r"\quad \text{stable near }\hat p\iff \eta H < 2 + 2\beta;\qquad "
        r"\text{Newton: } w \leftarrow w - \eta\, g / H(w)"
    )
    entries = [
        ("gd", s.param, "gradient descent"),
        ("momentum", s.param, f"momentum (β = {s.beta:g})"),
        ("adam", s.param, "Adam"),
        ("newton", s.param, "Newton"),
        ("sgd", s.param, f"minibatch SGD (batch {s.batch_size})"),
    ]
    other = "logit" if s.param == "p" else "p"
    entries.append(
        ("gd", other, f"gradient descent in {'θ = logit p' if other == 'logit' else 'p'}")
    )
    if values is None:
        entries = [e for e in entries if e[0] != "sgd"]
        st.caption("Minibatch SGD needs the raw 0/1 values, which this sample does not have.")
    defaults = {"newton": 1.0, "adam": 0.01}
    with st.expander("Learning rate of each optimizer"):
        st.caption("Newton's natural step is η = 1 and Adam moves p by about η per step; the "
                   "others start at the current learning rate.")  # fmt: skip
        cols = st.columns(3)
        lrs = []
        for i, (name, param, label) in enumerate(entries):
            value = cols[i % 3].number_input(
                label, min_value=1e-12, max_value=1e6, value=defaults.get(name, s.lr),
                format="%.6g", key=f"explorer_race_lr_{name}_{param}",
            )  # fmt: skip
            lrs.append((name, param, float(value)))
    base = {**{f: getattr(s, f) for f in ("p0", "seed", "beta", "batch_size", "loss", "dtype",
                                          "tol")},
            "steps": min(s.steps, RACE_MAX_STEPS)}  # fmt: skip
    key = hashlib.sha1(values.tobytes()).hexdigest() if values is not None else "none"
    with st.spinner("Running the optimizers…"):
        trajs = race_cached(n, k, key, tuple(lrs), tuple(sorted(base.items())), _values=values)
    racers = [
        xf.Racer(f"{label}, η = {_num(lr)}", traj, xf.RACE_COLORS[i])
        for i, ((_, _, label), (_, _, lr), traj) in enumerate(zip(entries, lrs, trajs, strict=True))
    ]
    _chart(xf.race_figure(racers, n, k, s.loss), "explorer_race")
    mom_lr = lrs[1][2]
    h = lk.thresholds(n, k, s.param, s.loss)
    bound = h.momentum_stable(s.beta)
    st.markdown(
        f"Momentum's own limit in {s.param}: η < (2 + 2β)/H = {_num(bound)} "
        f"(plain GD: 2/H = {_num(h.stable)}); its η = {_num(mom_lr)} is "
        f"{_num(mom_lr / bound)} × that limit."
        if h.note == ""
        else h.note
    )
    lines = [f"- **{r.label}**: {r.traj.message}" for r in racers]
    st.markdown("\n".join(lines))


def sum_mean_section(n: int, k: int, s: Settings) -> None:
    """View 5: the mean NLL is the sum divided by n, so its thresholds are n times larger."""
    st.subheader("Sum or mean: the same data, thresholds n times apart")
    p_sum = lk.thresholds(n, k, s.param, "sum")
    p_mean = lk.thresholds(n, k, s.param, "mean")
    st.markdown(
        "The notebook sums the per-sample NLLs; most libraries average them. Dividing the loss "
        "by n divides its gradient and its curvature H by n, so every learning-rate threshold "
        f"is n = {n} times larger: the same learning rate is {n} times gentler on the mean."
    )
    st.latex(
        r"\mathrm{NLL}_{\text{mean}} = \tfrac1n\,\mathrm{NLL}_{\text{sum}}"
        r"\ \Rightarrow\ H_{\text{mean}} = \tfrac1n H_{\text{sum}}"
        r"\ \Rightarrow\ \tfrac{2}{H_{\text{mean}}} = n\cdot\tfrac{2}{H_{\text{sum}}}"
    )
    if p_sum.note:
        st.info(p_sum.note)
        return
    st.table({
        "loss": ["sum", "mean"],
        "H": [_num(p_sum.curvature), _num(p_mean.curvature)],
        "1/H": [_num(p_sum.monotone), _num(p_mean.monotone)],
        "2/H": [_num(p_sum.stable), _num(p_mean.stable)],
    })  # fmt: skip
    start = sweep.bifurcation_start(n, k)
    optimizer = _batched(s.optimizer)
    bar, report = _progress_bar("Sweeping both losses…")
    low = p_sum.stable * 1e-2
    high = p_mean.stable * 4
    ratio_lo, ratio_hi = low / p_sum.stable, high / p_sum.stable
    res_sum = lr_sweep_grid_cached(n, k, start, ratio_lo, ratio_hi, s.param, "sum", optimizer,
                                   s.beta, s.tol, _progress=report)  # fmt: skip
    res_mean = lr_sweep_grid_cached(n, k, start, ratio_lo, ratio_hi, s.param, "mean", optimizer,
                                    s.beta, s.tol, _progress=report)  # fmt: skip
    bar.empty()
    fig = xf.sum_mean_figure(
        res_sum, res_mean, xf.threshold_marks(n, k, s.param, "sum"),
        xf.threshold_marks(n, k, s.param, "mean"),
    )  # fmt: skip
    _chart(fig, "explorer_sum_mean")
    st.caption(
        f"Both rows: {res_sum.lr.size} learning rates on the same axis, runs of 2,000 steps "
        f"from p₀ = {_num(start)} (just beside p̂, so that only the local limit matters)."
    )


@st.cache_data(max_entries=16, show_spinner=False)
def lr_sweep_grid_cached(n, k, p0, ratio_lo, ratio_hi, param, loss, optimizer, beta, tol,
                         _progress=None):  # fmt: skip
    """A sweep over [ratio_lo, ratio_hi] x 2/H of the summed loss, for either loss scale."""
    ref = sweep.reference_lr(n, k, param, "sum")
    lrs = np.geomspace(ratio_lo * ref, ratio_hi * ref, 301)
    return sweep.lr_sweep(n, k, p0, lrs, 2000, param=param, loss=loss, optimizer=optimizer,
                          beta=beta, tol=tol, progress=_progress)  # fmt: skip
