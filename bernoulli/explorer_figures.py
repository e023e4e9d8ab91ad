"""Plotly figures of the divergence explorer, drawn from ``bernoulli.sweep`` results.

- :func:`lr_sweep_figure`: final NLL, steps and outcome against a log learning rate, with 1/H
  and 2/H and the current learning rate marked (an exact lr_find);
- :func:`lr_p0_figure`: outcome (or steps to converge) over learning rate x starting p;
- :func:`bifurcation_figure`: the long-run values of p for each learning rate;
- :func:`cobweb_figure`: the one-dimensional update map and one orbit of it;
- :func:`race_figure`: several optimizers animated together on the NLL curve;
- :func:`sum_mean_figure`: the same sweep with the summed and the mean NLL.

Colours are Okabe–Ito (safe for every common colour-vision deficiency), fonts are large for
a projector, every axis range is fixed, and reference lines are drawn as ordinary traces so
that their numbers are in the figure's data. No figure clamps a value: a run that left (0, 1)
is shown as having left, at the step it left.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bernoulli import likelihood as lk
from bernoulli import sweep
from bernoulli.figures import frame_indices
from bernoulli.optimize import Trajectory

BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
)  # fmt: skip
GREY = "#7F7F7F"
FONT_SIZE = 17  # readable from the back of a lecture room
FONT = {"size": FONT_SIZE, "color": BLACK, "family": "Source Sans Pro, Arial, sans-serif"}

STATUS_COLORS = {
    sweep.CONVERGED: GREEN,
    sweep.OSCILLATING: SKY,
    sweep.PERIODIC: ORANGE,
    sweep.CHAOTIC: PURPLE,
    sweep.DIVERGED: VERMILLION,
    sweep.MAX_STEPS: YELLOW,
    sweep.STALLED: BLUE,
}
# The order outcomes are listed in (legends, colour bars): from calm to wild.
STATUS_ORDER = (
    sweep.CONVERGED,
    sweep.OSCILLATING,
    sweep.MAX_STEPS,
    sweep.STALLED,
    sweep.PERIODIC,
    sweep.CHAOTIC,
    sweep.DIVERGED,
)
ESCAPE_Y = -0.06  # where the bifurcation diagram draws "left (0, 1)"


@dataclass(frozen=True)
class Mark:
    """A learning rate worth a vertical line, e.g. 2/H."""

    label: str  # "2/H", "1/H", "current lr", ...
    lr: float  # where it is
    color: str = BLACK  # line colour
    dash: str = "dash"  # plotly dash style


def threshold_marks(
    n: int, k: int, param: str = "p", loss: str = "sum", beta: float | None = None
) -> list[Mark]:
    """1/H and 2/H (and momentum's (2 + 2β)/H when beta is given), where they exist."""
    th = lk.thresholds(n, k, param, loss)
    marks = []
    if math.isfinite(th.monotone) and th.monotone > 0:
        marks.append(Mark("1/H", th.monotone, GREY, "dot"))
        marks.append(Mark("2/H", th.stable, BLACK, "dash"))
        if beta is not None:
            marks.append(Mark(f"(2+2β)/H, β={beta:g}", th.momentum_stable(beta), ORANGE, "dash"))
    return marks


def _sig(x, digits: int = 7):
    """Numbers rounded for the wire (screen precision), NaN kept as NaN."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(np.isfinite(x) & (x != 0), np.floor(np.log10(np.abs(x))), 0)
        scale = 10.0 ** (digits - 1 - mag)
        return np.where(np.isfinite(x), np.round(x * scale) / scale, x)


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _base_layout(height: int, **extra) -> dict:
    layout = {
        "template": {},
        "height": height,
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": FONT_SIZE}},
        "margin": {"l": 100, "r": 30, "t": 80, "b": 70},
    }
    layout.update(extra)
    return layout


_AXIS = {
    "showline": True,
    "linecolor": BLACK,
    "ticks": "outside",
    "gridcolor": "#E3E3E3",
    "zeroline": False,
    "mirror": False,
}


def _log_range(lo: float, hi: float, pad: float = 0.03) -> list[float]:
    a, b = math.log10(lo), math.log10(hi)
    span = max(b - a, 1e-9)
    return [a - pad * span, b + pad * span]


def _vline(mark: Mark, y0: float, y1: float, row: int | None = None, legend: bool = True):
    """A vertical reference line as a trace (so its position is part of the figure's data)."""
    trace = go.Scatter(
        x=[mark.lr, mark.lr],
        y=[y0, y1],
        mode="lines",
        line={"color": mark.color, "width": 2.5, "dash": mark.dash},
        name=f"{mark.label} = {_fmt(mark.lr)}",
        legendgroup=mark.label,
        showlegend=legend,
        hovertemplate=f"{mark.label} = {mark.lr:.6g}<extra></extra>",
    )
    return trace if row is None else (trace, row)


# --- 1. learning-rate sweep ------------------------------------------------------------------


def lr_sweep_figure(
    res: sweep.BatchResult,
    current_lr: float,
    marks: Sequence[Mark] = (),
    height: int = 600,
) -> go.Figure:
    """Final NLL, steps to converge (or to leave (0, 1)) and outcome against log learning rate.

    Parameters
    ----------
    res : BatchResult
        A one-dimensional sweep over learning rate (``sweep.lr_sweep``) that contains
        ``current_lr`` exactly.
    current_lr : float
        The learning rate of the current settings, highlighted in every panel.
    marks : sequence of Mark
        Vertical lines (1/H, 2/H, momentum's bound).
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Three panels sharing the log learning-rate axis.
    """
    lr = np.asarray(res.lr, dtype=np.float64)
    order = np.argsort(lr)
    lr = lr[order]
    status = res.status[order]
    nll = res.nll[order]
    conv = res.converged_at[order].astype(np.float64)
    div = res.diverged_at[order].astype(np.float64)
    conv[conv < 0] = np.nan
    div[div < 0] = np.nan
    here = int(np.argmin(np.abs(np.log(lr / current_lr))))
    nll_min = float(lk.nll(res.mle, res.n, res.k, res.loss))

    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        row_heights=[0.47, 0.41, 0.12])  # fmt: skip
    finite = nll[np.isfinite(nll)]
    top = float(finite.max()) if finite.size else nll_min + 1
    nll_range = [nll_min - 0.04 * (top - nll_min + 1e-9), top + 0.06 * (top - nll_min + 1e-9)]
    steps_hi = max(float(np.nanmax(np.concatenate([conv, div, [1.0]]))), 1.0)
    steps_range = [-0.15, math.log10(max(steps_hi, 10)) + 0.15]  # log axis: exponents

    fig.add_trace(go.Scatter(
        x=lr, y=_sig(nll), mode="lines+markers", name="final NLL(p_T)",
        line={"color": BLUE, "width": 2.5}, marker={"size": 5, "color": BLUE},
        hovertemplate="lr = %{x:.4g}<br>NLL(p<sub>T</sub>) = %{y:.8g}<extra></extra>",
    ), row=1, col=1)  # fmt: skip
    fig.add_trace(go.Scatter(
        x=[lr[0], lr[-1]], y=[nll_min, nll_min], mode="lines", name=f"min NLL = {nll_min:.6g}",
        line={"color": GREEN, "width": 2, "dash": "dot"}, hoverinfo="skip",
    ), row=1, col=1)  # fmt: skip
    fig.add_trace(go.Scatter(
        x=lr, y=conv, mode="markers", name="steps until converged",
        marker={"size": 7, "color": GREEN, "symbol": "circle"},
        hovertemplate="lr = %{x:.4g}<br>converged at step %{y}<extra></extra>",
    ), row=2, col=1)  # fmt: skip
    fig.add_trace(go.Scatter(
        x=lr, y=div, mode="markers", name="steps until p left (0, 1)",
        marker={"size": 7, "color": VERMILLION, "symbol": "x"},
        hovertemplate="lr = %{x:.4g}<br>left (0, 1) at step %{y}<extra></extra>",
    ), row=2, col=1)  # fmt: skip
    for s in STATUS_ORDER:
        pick = status == s
        if not pick.any():
            continue
        fig.add_trace(go.Scatter(
            x=lr[pick], y=np.zeros(int(pick.sum())), mode="markers",
            name=sweep.STATUS_LABELS[s], legendgroup="outcome",
            legendgrouptitle={"text": "outcome"},
            marker={"size": 14, "color": STATUS_COLORS[s], "symbol": "square",
                    "line": {"color": BLACK, "width": 0.5}},
            hovertemplate="lr = %{x:.4g}<br>" + sweep.STATUS_LABELS[s] + "<extra></extra>",
        ), row=3, col=1)  # fmt: skip
    # The current settings, ringed in every panel.
    ring = {"size": 24, "color": "rgba(0,0,0,0)", "line": {"color": BLACK, "width": 3}}
    now = [(1, _sig(nll[here])), (2, conv[here] if np.isfinite(conv[here]) else div[here]),
           (3, 0.0)]  # fmt: skip
    for row, y in now:
        fig.add_trace(go.Scatter(
            x=[lr[here]], y=[y], mode="markers", marker=ring, name=f"current lr = {_fmt(lr[here])}",
            legendgroup="current", showlegend=row == 1,
            hovertemplate="current lr = %{x:.6g}<extra></extra>",
        ), row=row, col=1)  # fmt: skip
    annotations = []
    for m in marks:
        if lr[0] <= m.lr <= lr[-1]:
            fig.add_trace(_vline(m, *nll_range), row=1, col=1)
            fig.add_trace(_vline(m, 0.5, 10 ** steps_range[1], legend=False), row=2, col=1)
            fig.add_trace(_vline(m, -1.0, 1.0, legend=False), row=3, col=1)
            annotations.append(_line_label(m))
    x_range = _log_range(lr[0], lr[-1])
    fig.update_layout(_base_layout(
        height, legend={"orientation": "v", "x": 1.01, "y": 1, "font": {"size": FONT_SIZE - 2},
                        "tracegroupgap": 6},
        margin={"l": 100, "r": 20, "t": 40, "b": 70}, annotations=annotations,
    ))  # fmt: skip
    for row in (1, 2, 3):
        fig.update_xaxes(_AXIS, type="log", range=x_range, autorange=False, row=row, col=1,
                         exponentformat="power", dtick=1)  # fmt: skip
    fig.update_xaxes(title_text="learning rate (log scale)", row=3, col=1)
    fig.update_yaxes(_AXIS, range=nll_range, autorange=False, title_text=f"final {res.loss} NLL",
                     row=1, col=1)  # fmt: skip
    fig.update_yaxes(_AXIS, type="log", range=steps_range, autorange=False, title_text="steps",
                     dtick=1, row=2, col=1)  # fmt: skip
    fig.update_yaxes(_AXIS, range=[-1, 1], autorange=False, showticklabels=False,
                     showgrid=False, title_text="outcome", row=3, col=1)  # fmt: skip
    return fig


def _line_label(m: Mark, y: float = 1.0) -> dict:
    """The name of a vertical line written above the plot, on a log learning-rate axis."""
    return {
        "x": math.log10(m.lr), "y": y, "xref": "x", "yref": "paper", "yanchor": "bottom",
        "showarrow": False, "text": m.label.split(",")[0], "font": {"size": FONT_SIZE - 1},
    }  # fmt: skip


# --- 2. learning rate x p0 -----------------------------------------------------------------


def _discrete_scale() -> tuple[list, list[int], list[str]]:
    """A categorical colour scale over outcome ranks 0..6 (STATUS_ORDER), one flat band each."""
    count = len(STATUS_ORDER)
    scale = []
    for rank, code in enumerate(STATUS_ORDER):
        c = STATUS_COLORS[code]
        scale += [[rank / count, c], [(rank + 1) / count, c]]
    return scale, list(range(count)), [sweep.STATUS_LABELS[c] for c in STATUS_ORDER]


def status_rank(status: np.ndarray) -> np.ndarray:
    """Position of each status code in STATUS_ORDER (the outcome heatmap's z)."""
    rank = np.empty(len(sweep.STATUSES), dtype=np.int8)
    rank[list(STATUS_ORDER)] = np.arange(len(STATUS_ORDER))
    return rank[np.asarray(status, dtype=np.int64)]


def lr_p0_figure(
    res: sweep.BatchResult,
    kind: str = "outcome",
    marks: Sequence[Mark] = (),
    current: tuple[float, float] | None = None,
    cycles: sweep.TwoCycles | None = None,
    height: int = 560,
) -> go.Figure:
    """Heatmap of outcome (or of steps to converge) over learning rate x starting p.

    Parameters
    ----------
    res : BatchResult
        From ``sweep.lr_p0_map``: arrays of shape (len(p0s), len(lrs)).
    kind : {"outcome", "steps"}
        Colour by outcome (categorical) or by the step at which the run converged (log colour).
    marks : sequence of Mark
        Vertical lines (1/H, 2/H).
    current : (lr, p0), optional
        The current settings, marked with a ring.
    cycles : TwoCycles, optional
        Unstable 2-cycles of the p map: their two points bound the starts that converge.
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    lrs = res.lr[0]
    p0s = res.p0[:, 0]
    labels = res.labels()
    status = res.status.astype(np.int8)
    hover = np.where(
        status == sweep.DIVERGED, np.char.add("left (0, 1) at step ", res.diverged_at.astype(str)),
        np.where(res.converged_at >= 0,
                 np.char.add(labels.astype(str), np.char.add(" at step ",
                                                             res.converged_at.astype(str))),
                 np.where(status == sweep.PERIODIC,
                          np.char.add("cycle of period ", res.period.astype(str)),
                          labels.astype(str))),
    )  # fmt: skip
    if kind == "outcome":
        scale, ticks, ticktext = _discrete_scale()
        heat = go.Heatmap(
            x=lrs, y=p0s, z=status_rank(status), zmin=-0.5, zmax=len(STATUS_ORDER) - 0.5,
            colorscale=scale,
            colorbar={"tickvals": ticks, "ticktext": ticktext, "title": {"text": "outcome"},
                      "len": 0.95, "thickness": 22, "tickfont": {"size": FONT_SIZE - 2}},
            text=hover, hovertemplate="lr = %{x:.4g}<br>p₀ = %{y:.3f}<br>%{text}<extra></extra>",
            name="outcome",
        )  # fmt: skip
    elif kind == "steps":
        steps = res.converged_at.astype(np.float64)
        steps[steps < 0] = np.nan
        z = np.log10(np.maximum(steps, 1.0))  # step 0 (started within tol) shown as 1
        top = max(1.0, math.ceil(math.log10(max(res.steps, 10))))
        tickvals = list(range(int(top) + 1))
        heat = go.Heatmap(
            x=lrs, y=p0s, z=z, zmin=0, zmax=top, colorscale="Cividis", reversescale=True,
            colorbar={"tickvals": tickvals, "ticktext": [f"{10**v:,}" for v in tickvals],
                      "title": {"text": "steps to<br>converge"}, "len": 0.95, "thickness": 22},
            text=hover, hovertemplate="lr = %{x:.4g}<br>p₀ = %{y:.3f}<br>%{text}<extra></extra>",
            name="steps to converge", hoverongaps=False,
        )  # fmt: skip
    else:
        raise ValueError(f'kind must be "outcome" or "steps", not {kind!r}')
    fig = go.Figure(heat)
    for m in marks:
        if lrs[0] <= m.lr <= lrs[-1]:
            fig.add_trace(_vline(m, 0.0, 1.0))
    if cycles is not None and cycles.lr.size:
        edge = ~cycles.stable
        if edge.any():
            x = cycles.lr[edge]
            order = np.argsort(x)
            for branch, name in (
                (cycles.low, "basin edge (unstable 2-cycle)"),
                (cycles.high, None),
            ):
                fig.add_trace(go.Scatter(
                    x=x[order], y=branch[edge][order], mode="lines",
                    line={"color": "white", "width": 3}, name=name or "", showlegend=bool(name),
                    legendgroup="edge",
                    hovertemplate="unstable 2-cycle<br>lr = %{x:.4g}, p = %{y:.4f}<extra></extra>",
                ))  # fmt: skip
    if current is not None:
        fig.add_trace(go.Scatter(
            x=[current[0]], y=[current[1]], mode="markers", name="current lr, p₀",
            marker={"size": 20, "symbol": "circle-open", "color": BLACK, "line": {"width": 4}},
            hovertemplate="current lr = %{x:.6g}<br>p₀ = %{y:.6g}<extra></extra>",
        ))  # fmt: skip
    fig.add_trace(go.Scatter(
        x=[lrs[0], lrs[-1]], y=[res.mle, res.mle], mode="lines", name=f"p̂ = {res.mle:.4g}",
        line={"color": BLACK, "width": 1.5, "dash": "dot"}, hoverinfo="skip",
    ))  # fmt: skip
    labels = [_line_label(m) for m in marks if lrs[0] <= m.lr <= lrs[-1]]
    dp = (p0s[-1] - p0s[0]) / max(len(p0s) - 1, 1)
    fig.update_layout(_base_layout(
        height,
        xaxis={**_AXIS, "type": "log", "range": _log_range(lrs[0], lrs[-1], 0.0),
               "autorange": False, "title": {"text": "learning rate (log scale)"},
               "exponentformat": "power", "dtick": 1},
        yaxis={**_AXIS, "range": [p0s[0] - dp / 2, p0s[-1] + dp / 2], "autorange": False,
               "title": {"text": "starting p₀"}},
        legend={"orientation": "h", "x": 0, "y": -0.26, "yanchor": "top",
                "font": {"size": FONT_SIZE - 2}},
        annotations=labels,
        margin={"l": 90, "r": 20, "t": 40, "b": 150},
    ))  # fmt: skip
    return fig


# --- 3. bifurcation and cobweb -----------------------------------------------------------


def bifurcation_points(res: sweep.BatchResult, digits: int = 7):
    """The long-run values to plot: (lr, p, status) of every distinct tail value in (0, 1).

    Repeats (a fixed point, the points of a cycle) are drawn once, after rounding p to
    ``digits`` significant digits. Runs that left (0, 1) give no points: see
    :func:`escapes`.
    """
    xs, ys, ss = [], [], []
    for i in range(res.lr.size):
        tail = res.tail[i]
        tail = tail[np.isfinite(tail) & (tail > 0) & (tail < 1)]
        if res.status[i] == sweep.DIVERGED or tail.size == 0:
            continue
        values = np.unique(_sig(tail, digits))
        xs.append(np.full(values.size, res.lr[i]))
        ys.append(values)
        ss.append(np.full(values.size, res.status[i], dtype=np.int8))
    if not xs:
        return np.array([]), np.array([]), np.array([], dtype=np.int8)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ss)


def escapes(res: sweep.BatchResult) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates of the runs that left (0, 1), and the step at which each left."""
    out = res.status == sweep.DIVERGED
    return res.lr[out], res.diverged_at[out]


def bifurcation_figure(
    res: sweep.BatchResult,
    marks: Sequence[Mark] = (),
    cycles: sweep.TwoCycles | None = None,
    title: str = "",
    current_lr: float | None = None,
    height: int = 540,
) -> go.Figure:
    """Long-run values of p against learning rate, coloured by outcome; escapes drawn below.

    Parameters
    ----------
    res : BatchResult
        From ``sweep.bifurcation``: one run per learning rate with its tail.
    marks : sequence of Mark
        Vertical lines (1/H, 2/H).
    cycles : TwoCycles, optional
        2-cycles of the map, found by solving f(f(p)) = p: stable ones solid, unstable dashed.
    title : str
        Panel title.
    current_lr : float, optional
        The current learning rate, marked if inside the range.
    height : int
        Figure height in pixels.
    """
    lrs = np.asarray(res.lr, dtype=np.float64)
    xs, ys, ss = bifurcation_points(res)
    fig = go.Figure()
    for s in STATUS_ORDER:
        pick = ss == s
        if not pick.any():
            continue
        fig.add_trace(go.Scattergl(
            x=xs[pick], y=ys[pick], mode="markers", name=sweep.STATUS_LABELS[s],
            marker={"size": 3 if s == sweep.CHAOTIC else 5, "color": STATUS_COLORS[s]},
            hovertemplate="lr = %{x:.5g}<br>p = %{y:.6g}<extra>" + sweep.STATUS_LABELS[s]
            + "</extra>",
        ))  # fmt: skip
    out_lr, out_step = escapes(res)
    if out_lr.size:
        fig.add_trace(go.Scattergl(
            x=out_lr, y=np.full(out_lr.size, ESCAPE_Y), mode="markers",
            name="left (0, 1): no long run", customdata=out_step,
            marker={"size": 7, "color": VERMILLION, "symbol": "line-ns-open",
                    "line": {"color": VERMILLION, "width": 2}},
            hovertemplate="lr = %{x:.5g}<br>p left (0, 1) at step %{customdata}<extra></extra>",
        ))  # fmt: skip
    if cycles is not None and cycles.lr.size:
        # Dots, not lines: a learning rate can have several 2-cycles.
        for stable, color, name in ((True, BLACK, "stable 2-cycle (solved)"),
                                    (False, GREY, "unstable 2-cycle (solved)")):  # fmt: skip
            pick = cycles.stable == stable
            if not pick.any():
                continue
            fig.add_trace(go.Scattergl(
                x=np.concatenate([cycles.lr[pick], cycles.lr[pick]]),
                y=_sig(np.concatenate([cycles.low[pick], cycles.high[pick]])),
                mode="markers", marker={"size": 3, "color": color}, name=name,
                hovertemplate="lr = %{x:.6g}<br>p = %{y:.6g}<extra>" + name + "</extra>",
            ))  # fmt: skip
    for m in marks:
        if lrs.min() <= m.lr <= lrs.max():
            fig.add_trace(_vline(m, ESCAPE_Y - 0.03, 1.0))
    if current_lr is not None and lrs.min() <= current_lr <= lrs.max():
        fig.add_trace(_vline(Mark("current lr", current_lr, BLUE, "solid"), ESCAPE_Y - 0.03, 1.0))
    span = lrs.max() - lrs.min()
    fig.update_layout(_base_layout(
        height,
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": FONT_SIZE + 1}},
        xaxis={**_AXIS, "range": [lrs.min() - 0.01 * span, lrs.max() + 0.01 * span],
               "autorange": False, "title": {"text": "learning rate"}, "exponentformat": "power"},
        yaxis={**_AXIS, "range": [ESCAPE_Y - 0.04, 1.02], "autorange": False,
               "title": {"text": "long-run p"},
               "tickvals": [ESCAPE_Y, 0, 0.2, 0.4, 0.6, 0.8, 1.0],
               "ticktext": ["left (0,1)", "0", "0.2", "0.4", "0.6", "0.8", "1"]},
        legend={"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top",
                "font": {"size": FONT_SIZE - 2}, "itemsizing": "constant"},
        margin={"l": 110, "r": 20, "t": 50, "b": 160},
    ))  # fmt: skip
    return fig


def cobweb_figure(cw: sweep.Cobweb, height: int = 600, reach: float = 0.35) -> go.Figure:
    """The update map p_t -> p_{t+1}, the diagonal, and the staircase of one orbit.

    Parameters
    ----------
    cw : Cobweb
        From ``sweep.cobweb``.
    height : int
        Figure height in pixels.
    reach : float
        How far outside [0, 1] the axes go; a value beyond is written on the chart.
    """
    lo, hi = -reach, 1 + reach
    # Beyond the axes the curve only needs to reach the edge; its hover says the true value.
    image = np.clip(cw.image, lo - 1, hi + 1)
    xs, ys = cw.staircase
    p_hat = lk.mle(cw.n, cw.k)
    name = "p → p − lr·dNLL/dp" if cw.param == "p" else "p → σ(θ − lr·dNLL/dθ)"
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[0, 0, 1, 1, 0], y=[0, 1, 1, 0, 0], mode="lines", fill="toself",
        fillcolor="rgba(0,158,115,0.06)", line={"color": GREEN, "width": 1.5},
        name="(0, 1) × (0, 1)", hoverinfo="skip",
    ))  # fmt: skip
    fig.add_trace(go.Scatter(
        x=[lo, hi], y=[lo, hi], mode="lines", name="diagonal p_{t+1} = p_t",
        line={"color": GREY, "width": 2, "dash": "dash"}, hoverinfo="skip",
    ))  # fmt: skip
    fig.add_trace(go.Scatter(
        x=_sig(cw.grid), y=_sig(image), mode="lines", name=f"update map {name}",
        line={"color": BLACK, "width": 3}, customdata=_sig(cw.image),
        hovertemplate="p<sub>t</sub> = %{x:.5g}<br>p<sub>t+1</sub> = %{customdata:.6g}"
        "<extra></extra>",
    ))  # fmt: skip
    fig.add_trace(go.Scatter(
        x=_sig(np.clip(xs, lo, hi)), y=_sig(np.clip(ys, lo, hi)), mode="lines+markers",
        name=f"orbit from p₀ = {cw.orbit[0]:.4g} ({len(cw.orbit) - 1} steps)",
        line={"color": VERMILLION, "width": 2}, marker={"size": 5, "color": VERMILLION},
        customdata=np.stack([xs, ys], axis=-1),
        hovertemplate="(%{customdata[0]:.6g}, %{customdata[1]:.6g})<extra></extra>",
    ))  # fmt: skip
    fig.add_trace(go.Scatter(
        x=[p_hat], y=[p_hat], mode="markers", name=f"fixed point p̂ = {p_hat:.4g}",
        marker={"size": 14, "symbol": "diamond", "color": GREEN, "line": {"color": BLACK,
                                                                          "width": 1}},
        hovertemplate="p̂ = %{x:.6g}<extra></extra>",
    ))  # fmt: skip
    annotations = []
    if cw.status == sweep.DIVERGED and len(cw.orbit) > 1:
        out = float(cw.orbit[-1])
        shown = min(max(out, lo), hi)
        annotations.append({
            "x": shown, "y": shown, "xref": "x", "yref": "y", "showarrow": True, "arrowhead": 2,
            "ax": -40 if out > 0.5 else 40, "ay": 40 if out > 0.5 else -40,
            "text": f"p<sub>{len(cw.orbit) - 1}</sub> = {out:.4g}: left (0, 1)",
            "font": {"size": FONT_SIZE, "color": VERMILLION}, "bgcolor": "white",
        })  # fmt: skip
    fig.update_layout(_base_layout(
        height,
        xaxis={**_AXIS, "range": [lo, hi], "autorange": False, "title": {"text": "p<sub>t</sub>"},
               "constrain": "domain"},
        yaxis={**_AXIS, "range": [lo, hi], "autorange": False,
               "title": {"text": "p<sub>t+1</sub>"}, "scaleanchor": "x", "scaleratio": 1},
        legend={"orientation": "v", "x": 1.02, "y": 1, "font": {"size": FONT_SIZE - 2}},
        annotations=annotations,
        margin={"l": 90, "r": 20, "t": 30, "b": 70},
    ))  # fmt: skip
    return fig


# --- 4. optimizer race ---------------------------------------------------------------------


@dataclass(frozen=True)
class Racer:
    """One optimizer in the race."""

    label: str  # legend entry, e.g. "momentum (β = 0.9)"
    traj: Trajectory  # its run
    color: str  # its colour


RACE_COLORS = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, BLACK)


def race_frames(racers: Sequence[Racer], max_frames: int = 100) -> np.ndarray:
    """Steps shown as frames: geometric over the longest run, with every end and escape step."""
    longest = max(len(r.traj.p) for r in racers)
    must = {0, longest - 1}
    for r in racers:
        must.add(len(r.traj.p) - 1)
        if r.traj.diverged_at is not None:
            must |= {r.traj.diverged_at, max(r.traj.diverged_at - 1, 0)}
    must_arr = np.array(sorted(must))
    budget = max(4, max_frames - len(must_arr))
    return np.union1d(frame_indices(longest, None, budget), must_arr)[:max_frames]


def _log1p_minus_x(x: np.ndarray) -> np.ndarray:
    """log(1 + x) - x without cancellation: -x²/2 + x³/3 - ..., via u = x / (2 + x)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = np.log1p(x) - x
        u = x / (2.0 + x)
        u2 = u * u
        series = np.zeros_like(u)  # 2 (u³/3 + u⁵/5 + ...), |u| < 1/7 where used
        power = u * u2
        for j in range(3, 40, 2):
            series += 2.0 * power / j
            power = power * u2
        small = -2.0 * u2 / (1.0 - u) + series
    return np.where(np.abs(x) < 0.25, small, direct)


def excess_nll(p, n: int, k: int, loss: str = "sum") -> np.ndarray:
    """NLL(p) - NLL(p̂) to full relative precision, even where it is below NLL's rounding.

    With e = p - p̂ the first-order terms cancel exactly (k e/p̂ = (n - k) e/(1 - p̂) = n e), so
    NLL(p) - NLL(p̂) = -k φ(e/p̂) - (n - k) φ(-e/(1 - p̂)) with φ(x) = log(1 + x) - x <= 0: a sum
    of two non-negative terms. NaN outside [0, 1]; on the boundary (k = 0 or n) the plain
    difference.
    """
    p = np.asarray(p, dtype=np.float64)
    p_hat = k / n
    if k in (0, n):
        with np.errstate(invalid="ignore"):
            return np.asarray(lk.nll(p, n, k, loss)) - float(lk.nll(p_hat, n, k, loss))
    # p - k/n with k/n carried as float p̂ plus its rounding error, so that e is exact-ish
    # even where p - p̂ is only a few ulps.
    rounding = float(Fraction(k, n) - Fraction(p_hat))
    e = (p - p_hat) - rounding
    with np.errstate(invalid="ignore"):
        out = -k * _log1p_minus_x(e / p_hat) - (n - k) * _log1p_minus_x(-e / (1 - p_hat))
    out = np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, out)
    return out / n if loss == "mean" else out


def _shown_index(traj: Trajectory, t: int) -> int:
    """The last step <= t at which p is inside (0, 1) (where the NLL curve can show it)."""
    t = min(t, len(traj.p) - 1)
    while t > 0 and not (0 < traj.p[t] < 1 and math.isfinite(traj.nll[t])):
        t -= 1
    return t


def race_figure(
    racers: Sequence[Racer],
    n: int,
    k: int,
    loss: str = "sum",
    trail: int = 5,
    max_frames: int = 100,
    height: int = 700,
) -> go.Figure:
    """Several optimizers on the same data and start, animated together with one step slider.

    Top: the NLL curve with each optimizer's p_t (and its last few steps); bottom: the excess
    loss NLL(p_t) - NLL(p̂) against the step, on a log axis, every step drawn, with a moving
    marker. A run that left (0, 1) stays at its last point inside and says when it left.

    Parameters
    ----------
    racers : sequence of Racer
        The runs, each with its label and colour; all on the same (n, k) and loss scale.
    n, k : int
        Number of samples and number of ones.
    loss : {"sum", "mean"}
        The loss scale of the runs.
    trail : int
        Steps shown behind each moving point.
    max_frames : int
        Most animation frames (and slider steps).
    height : int
        Figure height in pixels.
    """
    p_hat = lk.mle(n, k)
    nll_hat = float(lk.nll(p_hat, n, k, loss))
    steps = race_frames(racers, max_frames)
    longest = max(len(r.traj.p) for r in racers)

    grid = np.union1d(np.linspace(0.0, 1.0, 401)[1:-1], [p_hat])
    curve = np.asarray(lk.nll(grid, n, k, loss))
    starts = [float(r.traj.nll[0]) for r in racers if math.isfinite(r.traj.nll[0])]
    edge = float(np.nanmax(lk.nll(np.array([0.03, 0.97]), n, k, loss)))
    top = max([edge, nll_hat + 1e-9, *starts])
    y_range = [nll_hat - 0.04 * (top - nll_hat), top + 0.05 * (top - nll_hat)]
    keep = curve <= y_range[1] + (y_range[1] - y_range[0])
    excess = []
    for r in racers:
        ex = np.array(excess_nll(r.traj.p, n, k, loss), dtype=np.float64)
        ex[~(ex > 0)] = np.nan  # a log axis has no 0 (p exactly p̂); NaN where p left (0, 1)
        excess.append(ex)
    positive = np.concatenate([e[np.isfinite(e)] for e in excess] + [np.array([1e-12, 1.0])])
    ex_range = [math.log10(max(positive.min(), 1e-16)) - 0.3, math.log10(positive.max()) + 0.3]

    fig = make_subplots(rows=2, cols=1, row_heights=[0.55, 0.45], vertical_spacing=0.17)
    top_px, bottom_px = 110, 170
    plot_px = height - top_px - bottom_px

    def below(px: float) -> float:
        """Paper y of a point px pixels below the plotting area (for the controls)."""
        return -px / plot_px

    fig.add_trace(go.Scatter(
        x=_sig(grid[keep]), y=_sig(curve[keep]), mode="lines", name=f"{loss} NLL(p)",
        line={"color": GREY, "width": 3}, hoverinfo="skip", showlegend=False,
    ), row=1, col=1)  # fmt: skip
    fig.add_trace(go.Scatter(
        x=[p_hat], y=[nll_hat], mode="markers", name=f"p̂ = {p_hat:.4g}", showlegend=False,
        marker={"size": 14, "symbol": "diamond", "color": GREEN, "line": {"color": BLACK,
                                                                          "width": 1}},
        hovertemplate="MLE p̂ = %{x:.6g}<extra></extra>",
    ), row=1, col=1)  # fmt: skip
    for r, ex in zip(racers, excess, strict=True):
        fig.add_trace(go.Scatter(
            x=np.arange(len(ex)), y=_sig(ex), mode="lines", name=r.label, legendgroup=r.label,
            showlegend=False, line={"color": r.color, "width": 2.5},
            hovertemplate="step %{x}<br>NLL − min = %{y:.4g}<extra>" + r.label + "</extra>",
        ), row=2, col=1)  # fmt: skip
    moving_start = len(fig.data)

    def moving(t: int) -> list[dict]:
        out = []
        for r in racers:
            i = _shown_index(r.traj, t)
            idx = list(range(max(0, i - trail + 1), i + 1))
            idx = [j for j in idx if 0 < r.traj.p[j] < 1]
            out.append({"x": _sig(r.traj.p[idx]).tolist(), "y": _sig(r.traj.nll[idx]).tolist()})
        for ex in excess:
            i = min(t, len(ex) - 1)
            out.append({"x": [i], "y": [_sig(ex[i]).item()]})
        return out

    first = moving(0)
    for r, data in zip(racers, first[: len(racers)], strict=True):
        left = r.traj.diverged_at
        note = f" — left (0, 1) at step {left}" if left is not None else ""
        count = len(data["x"])
        fig.add_trace(go.Scatter(
            **data, mode="lines+markers", name=r.label + note, legendgroup=r.label,
            line={"color": r.color, "width": 2},
            marker={"size": [7] * (count - 1) + [18], "color": r.color,
                    "line": {"color": BLACK, "width": 1.5}},
            hovertemplate="p = %{x:.6g}<br>NLL = %{y:.8g}<extra>" + r.label + "</extra>",
        ), row=1, col=1)  # fmt: skip
    for r, data in zip(racers, first[len(racers) :], strict=True):
        fig.add_trace(go.Scatter(
            **data, mode="markers", name=r.label, legendgroup=r.label, showlegend=False,
            marker={"size": 14, "color": r.color, "line": {"color": BLACK, "width": 1.5}},
            hoverinfo="skip",
        ), row=2, col=1)  # fmt: skip
    moving_idx = list(range(moving_start, len(fig.data)))

    def sized(update: dict) -> dict:
        count = len(update["x"])
        return {**update, "marker.size": [7] * max(count - 1, 0) + [18]} if count else update

    frames = []
    for t in steps:
        data = moving(int(t))
        data = [sized(d) for d in data[: len(racers)]] + data[len(racers) :]
        frames.append(go.Frame(name=str(int(t)), traces=moving_idx, data=data))
    fig.frames = frames

    still = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
             "transition": {"duration": 0}}  # fmt: skip
    play = {"frame": {"duration": 80, "redraw": False}, "mode": "immediate",
            "transition": {"duration": 0}, "fromcurrent": True}  # fmt: skip
    fig.update_layout(_base_layout(
        height,
        legend={"orientation": "h", "x": 0, "y": 1.01, "yanchor": "bottom",
                "font": {"size": FONT_SIZE - 2}},
        margin={"l": 100, "r": 20, "t": top_px, "b": bottom_px},
        updatemenus=[{
            "type": "buttons", "direction": "left", "showactive": False, "x": 0, "y": below(75),
            "xanchor": "left", "yanchor": "top", "font": {"size": FONT_SIZE},
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, play]},
                {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]},
            ],
        }],
        sliders=[{
            "active": 0, "x": 0.2, "len": 0.8, "y": below(70), "yanchor": "top",
            "currentvalue": {"prefix": "step ", "font": {"size": FONT_SIZE}},
            "font": {"size": FONT_SIZE - 5}, "pad": {"t": 0, "b": 0},
            "steps": [{"label": str(int(t)), "method": "animate", "args": [[str(int(t))], still]}
                      for t in steps],
        }],
    ))  # fmt: skip
    fig.update_xaxes(_AXIS, range=[-0.02, 1.02], autorange=False, title_text="p", row=1, col=1)
    fig.update_yaxes(_AXIS, range=y_range, autorange=False, title_text=f"{loss} NLL(p)",
                     row=1, col=1)  # fmt: skip
    fig.update_xaxes(_AXIS, range=[-0.02 * longest, 1.02 * (longest - 1)], autorange=False,
                     title_text="step t", row=2, col=1)  # fmt: skip
    fig.update_yaxes(_AXIS, type="log", range=ex_range, autorange=False,
                     title_text="NLL(p<sub>t</sub>) − min", exponentformat="power",
                     row=2, col=1)  # fmt: skip
    return fig


# --- 5. sum vs mean ----------------------------------------------------------------------


def sum_mean_figure(
    res_sum: sweep.BatchResult,
    res_mean: sweep.BatchResult,
    marks_sum: Sequence[Mark],
    marks_mean: Sequence[Mark],
    height: int = 360,
) -> go.Figure:
    """Outcome against learning rate for the summed (row 0) and the mean NLL (row 1)."""
    fig = go.Figure()
    rows = (("sum NLL", res_sum, marks_sum), ("mean NLL", res_mean, marks_mean))
    shown = set()
    for i, (row, res, _) in enumerate(rows):
        for s in STATUS_ORDER:
            pick = res.status == s
            if not pick.any():
                continue
            fig.add_trace(go.Scatter(
                x=res.lr[pick], y=np.full(int(pick.sum()), float(i)), mode="markers",
                name=sweep.STATUS_LABELS[s], legendgroup=str(s), showlegend=s not in shown,
                marker={"size": 16, "symbol": "square", "color": STATUS_COLORS[s],
                        "line": {"color": BLACK, "width": 0.5}},
                hovertemplate="lr = %{x:.4g}<br>" + row + ": " + sweep.STATUS_LABELS[s]
                + "<extra></extra>",
            ))  # fmt: skip
            shown.add(s)
    lo = min(float(res_sum.lr.min()), float(res_mean.lr.min()))
    hi = max(float(res_sum.lr.max()), float(res_mean.lr.max()))
    annotations = []
    for i, (row, _, marks) in enumerate(rows):
        for m in marks:
            if m.label != "2/H" or not lo <= m.lr <= hi:
                continue
            fig.add_trace(go.Scatter(
                x=[m.lr, m.lr], y=[i - 0.3, i + 0.3], mode="lines", showlegend=False,
                line={"color": BLACK, "width": 3, "dash": "dash"}, name=f"2/H ({row})",
                hovertemplate=f"2/H for the {row} = {m.lr:.4g}<extra></extra>",
            ))  # fmt: skip
            annotations.append({
                "x": math.log10(m.lr), "y": i + 0.32, "xref": "x", "yref": "y",
                "showarrow": False, "text": f"2/H = {m.lr:.3g}", "yanchor": "bottom",
                "font": {"size": FONT_SIZE},
            })  # fmt: skip
    fig.update_layout(_base_layout(
        height,
        xaxis={**_AXIS, "type": "log", "range": _log_range(lo, hi), "autorange": False,
               "title": {"text": "learning rate (log scale)"}, "exponentformat": "power",
               "dtick": 1},
        yaxis={**_AXIS, "range": [-0.6, 1.8], "autorange": False, "tickvals": [0, 1],
               "ticktext": ["sum NLL", "mean NLL"], "showgrid": False},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                "font": {"size": FONT_SIZE - 2}},
        annotations=annotations,
        margin={"l": 110, "r": 20, "t": 50, "b": 70},
    ))  # fmt: skip
    return fig
