"""The explorer's view 3: where runs end up past 2/H (bifurcation diagram) and one orbit
(cobweb plot)."""

from __future__ import annotations

import math

import streamlit as st

from bernoulli import settings
from bernoulli.engine import sweep
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from ui.charts import chart
from ui.explorer.cache import (
    BIFURCATION_POINTS,
    KEEP,
    TRANSIENT,
    bifurcation_cached,
    bifurcation_figure_cached,
    cobweb_cached,
    cobweb_figure_cached,
    stable_window_cached,
)
from ui.explorer.common import near_mle, num, progress_bar, ratio_text

LOPSIDED = (200, 190)  # an example whose p map does period-doubling: p̂ = 0.95
CRITICAL = 1 / math.sqrt(5)  # the p map's 2-cycle is born stable iff |2p̂ - 1| > 1/sqrt(5)
LR = settings.FIELDS["lr"]  # the bounds of any learning rate typed in


def bifurcation_story(res: sweep.BatchResult, problem: Problem) -> str:
    """What the computed diagram shows, in words and numbers taken from it."""
    ref = sweep.reference_lr(problem)
    above = res.lr > ref * (1 + 1e-9)
    periods = sorted({int(q) for q in res.period[above & (res.status == sweep.PERIODIC)]})
    chaos = res.lr[above & (res.status == sweep.CHAOTIC)]
    out = res.lr[res.status == sweep.DIVERGED]
    parts = []
    if periods:
        first = {q: float(res.lr[above & (res.period == q)].min()) / ref for q in periods}
        shown = [q for q in (2, 4, 8, 16) if q in first]
        others = ", ".join(str(q) for q in periods if q not in shown)
        parts.append(
            "Past 2/H the long run is a cycle: "
            + ", ".join(f"period {q} from {ratio_text(first[q])} × 2/H" for q in shown)
            + (f" (also periods {others} in windows)" if others else "")
            + "."
        )
    if chaos.size:
        parts.append(
            f"Chaos (bounded, no period up to 64, positive Lyapunov exponent) from "
            f"{ratio_text(float(chaos.min()) / ref)} × 2/H."
        )
    if out.size:
        parts.append(
            "p leaves (0, 1) for every learning rate from "
            f"{ratio_text(float(out.min()) / ref)} × 2/H"
            f" in this grid ({out.size} of {res.lr.size} learning rates)."
        )
    elif not problem.moves_p:
        parts.append(
            "θ never escapes: one step moves it by at most η·n·max(p̂, 1 − p̂), and "
            "σ(θ) stays in (0, 1)."
        )
    return " ".join(parts)


def window_story(p_hat: float, window: float | None) -> str:
    """In p: whether a stable 2-cycle is born at 2/H, and how wide its window is."""
    if window is None:
        return (
            f"p̂ = {p_hat:g} has |2p̂ − 1| = {abs(2 * p_hat - 1):.3g} ≤ 1/√5: "
            "no stable 2-cycle is born at 2/H; the unstable 2-cycle (dashed) "
            "closes in on p̂, so past 2/H p simply escapes. "
        )
    if window < 1e-3:
        return (
            f"p̂ = {p_hat:g} is just past the critical "
            f"{(1 + CRITICAL) / 2:.4f}: a stable 2-cycle exists only for "
            f"learning rates up to {1 + window:.8g} × 2/H (solved from "
            "f(f(p)) = p), too narrow to see here and too weakly attracting to "
            "reach in a realistic run; in practice p escapes past 2/H. "
        )
    if abs(2 * p_hat - 1) > CRITICAL:
        return "|2p̂ − 1| > 1/√5: the p map period-doubles. "
    return ""


def diagram_data(n: int, k: int) -> tuple[int, int]:
    """This sample, or the lopsided example, as the reader chooses."""
    lopsided = (
        f"a lopsided sample (n = {LOPSIDED[0]}, k = {LOPSIDED[1]}, "
        f"p̂ = {LOPSIDED[1] / LOPSIDED[0]:g})"
    )
    words = {"this sample": f"this sample (n = {n}, k = {k})", "a lopsided sample": lopsided}
    data = st.radio(
        "Data for the diagram",
        list(words),
        horizontal=True,
        key="explorer_bif_data",
        format_func=words.get,
    )
    return (n, k) if data == "this sample" else LOPSIDED


def diagram(problem: Problem, current: float | None, window_text: str) -> None:
    """One bifurcation diagram (in p or in logit), with what it shows in words."""
    bar, report = progress_bar(f"Bifurcation in {problem.param}…")
    title = {"p": "gradient descent in p", "logit": "gradient descent in θ = logit p"}
    fig = bifurcation_figure_cached(problem, title[problem.param], current, _progress=report)
    res = bifurcation_cached(problem)  # filled by the figure's build
    bar.empty()
    chart(fig, f"explorer_bif_{problem.param}")
    st.markdown(window_text + bifurcation_story(res, problem))


def bifurcation_section(n: int, k: int, s: Settings) -> None:
    """View 3a: the long-run values of p against the learning rate, in p and in logit."""
    st.subheader("Bifurcation diagram: where do the runs end up?")
    st.markdown(
        f"For each of {BIFURCATION_POINTS} learning rates, one run from just beside p̂ is "
        f"stepped {TRANSIENT:,} times and its next {KEEP} values of p are drawn (float64). "
        "One point: it converged. Two points: a stable 2-cycle, p alternating for ever. A "
        "smear: chaos. A mark on the bottom line: p left (0, 1)."
    )
    bn, bk = diagram_data(n, k)
    if bk in (0, bn):
        st.info("The MLE is on the edge of (0, 1): there is no fixed point inside to bifurcate.")
        return
    st.latex(
        r"\text{in }p:\ p \mapsto p - \eta\,\frac{n(p-\hat p)}{p(1-p)},\qquad "
        r"\text{in logit}:\ \theta \mapsto \theta - \eta\,(n\,\sigma(\theta)-k)"
    )
    st.latex(  # two lines: one is cut at 1280 px
        r"\text{a stable 2-cycle is born at } \eta = 2/H \text{ in } p"
        r"\iff |2\hat p-1| > 1/\sqrt5"
    )
    st.latex(r"\text{that is, }\hat p<0.276\text{ or }\hat p>0.724")
    stable = stable_window_cached(bn, bk, s.loss)
    window = window_story(bk / bn, stable)
    if (bn, bk) == (n, k) and (stable is None or stable < 1e-3):
        st.info(
            f"For this sample (p̂ = {k / n:g}) the diagram in p has no structure: it converges "
            "up to 2/H, and past 2/H p escapes, with no cycle to be seen in between. "
            "The diagram in logit (right) has it: cycles, period-doubling, chaos. For "
            "period-doubling in p, choose the lopsided sample above.",
            icon=":material/info:",
        )
    for column, param in zip(st.columns(2), ("p", "logit"), strict=True):
        problem = Problem(bn, bk, param, s.loss)
        with column:
            current = s.lr if problem == Problem.of(n, k, s) else None
            diagram(problem, current, window if problem.moves_p else "")


def cobweb_lr(box, n: int, k: int, param: str, s: Settings) -> float:
    """The cobweb's learning rate: the current one, one of a few landmarks, or typed in."""
    th = Problem(n, k, param, s.loss).thresholds()
    choices = {"current": f"the current η = {num(s.lr)}"}
    if 0 < k < n:
        choices |= {
            "0.5/H": f"½ · 1/H = {num(0.5 * th.monotone)} (monotone)",
            "1.5/H": f"1.5 · 1/H = {num(1.5 * th.monotone)} (oscillating)",
            "0.99*2/H": f"0.99 · 2/H = {num(0.99 * th.stable)}",
            "1.1*2/H": f"1.1 · 2/H = {num(1.1 * th.stable)}",
        }
    landmarks = {
        "0.5/H": 0.5 * th.monotone,
        "1.5/H": 1.5 * th.monotone,
        "0.99*2/H": 0.99 * th.stable,
        "1.1*2/H": 1.1 * th.stable,
    }
    choices["custom"] = "another value…"
    # It opens where the lesson is: an oscillating rate (1.5/H) when there is one.
    pick = box.selectbox(
        "learning rate η",
        list(choices),
        index=list(choices).index("1.5/H") if "1.5/H" in choices else 0,
        format_func=choices.get,
        key="explorer_cobweb_choice",
    )
    if pick != "custom":
        return landmarks.get(pick, s.lr)
    return box.number_input(
        "η",
        min_value=LR.low,
        max_value=LR.high,
        value=s.lr,
        format="%.6g",
        key="explorer_cobweb_lr",
    )


def cobweb_section(n: int, k: int, s: Settings) -> None:
    """View 3b: the one-dimensional update map and one orbit of it."""
    st.subheader("Cobweb plot of one run")
    st.markdown(
        "The black curve is the update map pₜ ↦ pₜ₊₁; the orbit goes up to the curve "
        "(one step) and across to the diagonal (that value becomes the next p_t). Where the "
        "curve crosses the diagonal is p̂. Steep curve at p̂ (slope below −1): it repels."
    )
    st.latex(
        r"f(p) = p - \eta\,\mathrm{NLL}'(p),\qquad f'(\hat p) = 1 - \eta H,\qquad "
        r"|f'(\hat p)| < 1 \iff 0 < \eta < 2/H"
    )
    cols = st.columns([2, 1, 1, 1])
    param = cols[3].radio(
        "parameter",
        settings.PARAMS,
        index=settings.PARAMS.index(s.param),
        horizontal=True,
        key="explorer_cobweb_param",
    )
    lr = cobweb_lr(cols[0], n, k, param, s)
    inside = near_mle(n, k)
    p0 = cols[1].number_input(
        "start p₀", 1e-9, 1 - 1e-9, value=inside, format="%.6g", key="explorer_cobweb_p0"
    )
    steps = cols[2].number_input(
        "steps", min_value=1, max_value=500, value=40, step=10, key="explorer_cobweb_steps"
    )
    problem, lr, p0, steps = Problem(n, k, param, s.loss), float(lr), float(p0), int(steps)
    fig = cobweb_figure_cached(problem, lr, p0, steps)
    cw = cobweb_cached(problem, lr, p0, steps)  # filled by the figure's build
    chart(fig, "explorer_cobweb")
    ratio = lr / Problem(n, k, param, s.loss).thresholds().stable if 0 < k < n else math.nan
    words = sweep.STATUS_LABELS[cw.status]
    if cw.status == sweep.DIVERGED:
        words += f" at step {cw.diverged_at} (p = {num(cw.orbit[-1])})"
    st.markdown(
        f"η = {num(lr)} = {ratio_text(ratio)} × 2/H in {param}: after {steps} steps, {words}."
    )
