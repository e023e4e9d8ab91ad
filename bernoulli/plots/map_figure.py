"""The learning rate x starting p map: outcome (or steps to converge) of every pair."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from bernoulli.engine import dynamics, sweep
from bernoulli.plots.marks import STATUS_COLORS, STATUS_ORDER, Mark, line_label, vline
from bernoulli.plots.style import (
    BLACK,
    EXPLORER_AXIS,
    FONT_SIZE,
    base_layout,
    foot_legend,
    log_lr_axis,
)

HEIGHT = 560  # pixels; another height: fig.update_layout(height=...)


def _discrete_scale(present: Sequence[int]) -> tuple[list, list[int], list[str]]:
    """A categorical colour scale over the outcomes present (codes, in STATUS_ORDER), one flat
    band each: the colour bar lists only outcomes that are in the map."""
    count = len(present)
    scale = []
    for rank, code in enumerate(present):
        c = STATUS_COLORS[code]
        scale += [[rank / count, c], [(rank + 1) / count, c]]
    return scale, list(range(count)), [sweep.STATUS_LABELS[c] for c in present]


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
    cycles: dynamics.TwoCycles | None = None,
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

    Returns
    -------
    plotly.graph_objects.Figure
        HEIGHT pixels high.
    """
    lrs = res.lr[0]
    p0s = res.p0[:, 0]
    fig = go.Figure(_heatmap(res, kind))
    for m in marks:
        if lrs[0] <= m.lr <= lrs[-1]:
            fig.add_trace(vline(m, 0.0, 1.0))
    if cycles is not None and cycles.lr.size:
        _add_basin_edges(fig, cycles)
    if current is not None:
        fig.add_trace(
            go.Scatter(
                x=[current[0]],
                y=[current[1]],
                mode="markers",
                name="current lr, p₀",
                marker={"size": 20, "symbol": "circle-open", "color": BLACK, "line": {"width": 4}},
                hovertemplate="current lr = %{x:.6g}<br>p₀ = %{y:.6g}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[lrs[0], lrs[-1]],
            y=[res.mle, res.mle],
            mode="lines",
            name=f"p̂ = {res.mle:.4g}",
            line={"color": BLACK, "width": 1.5, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    fig.update_layout(_layout(lrs, p0s, marks))
    return fig


def _layout(lrs: np.ndarray, p0s: np.ndarray, marks: Sequence[Mark]) -> dict:
    """Log learning rate across, starting p up (one cell per p0), legend below."""
    dp = (p0s[-1] - p0s[0]) / max(len(p0s) - 1, 1)
    return base_layout(
        HEIGHT,
        xaxis=log_lr_axis(lrs[0], lrs[-1], 0.0),
        yaxis={
            **EXPLORER_AXIS,
            "range": [p0s[0] - dp / 2, p0s[-1] + dp / 2],
            "autorange": False,
            "title": {"text": "starting p₀"},
        },
        legend=foot_legend(),
        annotations=[line_label(m) for m in marks if lrs[0] <= m.lr <= lrs[-1]],
        margin={"l": 90, "r": 20, "t": 40, "b": 150},
    )


def _hover(res: sweep.BatchResult) -> np.ndarray:
    """What each cell says: when it converged or left (0, 1), its cycle, or its outcome."""
    labels = res.labels().astype(str)
    converged = np.char.add(labels, np.char.add(" at step ", res.converged_at.astype(str)))
    periodic = np.where(
        res.status == sweep.PERIODIC,
        np.char.add("cycle of period ", res.period.astype(str)),
        labels,
    )
    return np.where(
        res.status == sweep.DIVERGED,
        np.char.add("left (0, 1) at step ", res.diverged_at.astype(str)),
        np.where(res.converged_at >= 0, converged, periodic),
    )


def outcome_heatmap(res: sweep.BatchResult) -> go.Heatmap:
    """The outcome map's heatmap alone (e.g. behind the class map's points)."""
    return _heatmap(res, "outcome")


def _heatmap(res: sweep.BatchResult, kind: str) -> go.Heatmap:
    """The map itself: outcome (categorical colours) or log steps to converge."""
    common = {
        "x": res.lr[0],
        "y": res.p0[:, 0],
        "text": _hover(res),
        "hovertemplate": "lr = %{x:.4g}<br>p₀ = %{y:.3f}<br>%{text}<extra></extra>",
    }
    if kind == "outcome":
        ranks = status_rank(res.status.astype(np.int8))
        present = [code for code in STATUS_ORDER if (res.status == code).any()]
        scale, ticks, ticktext = _discrete_scale(present)
        colorbar = {"tickvals": ticks, "ticktext": ticktext, "title": {"text": "outcome"}}
        # z: the position among the outcomes present
        index = np.searchsorted(sorted(status_rank(np.array(present))), ranks)
        return go.Heatmap(
            **common,
            z=index,
            zmin=-0.5,
            zmax=len(present) - 0.5,
            colorscale=scale,
            colorbar={
                **colorbar,
                "len": 0.95,
                "thickness": 22,
                "tickfont": {"size": FONT_SIZE - 2},
            },
            name="outcome",
        )
    if kind == "steps":
        steps = res.converged_at.astype(np.float64)
        steps[steps < 0] = np.nan
        top = max(1.0, math.ceil(math.log10(max(res.options.steps, 10))))
        tickvals = list(range(int(top) + 1))
        return go.Heatmap(
            **common,
            z=np.log10(np.maximum(steps, 1.0)),  # step 0 (started within tol) shown as 1
            zmin=0,
            zmax=top,
            colorscale="Cividis",
            reversescale=True,
            colorbar={
                "tickvals": tickvals,
                "ticktext": [f"{10**v:,}" for v in tickvals],
                "title": {"text": "steps to<br>converge"},
                "len": 0.95,
                "thickness": 22,
            },
            name="steps to converge",
            hoverongaps=False,
        )
    raise ValueError(f'kind must be "outcome" or "steps", not {kind!r}')


def _add_basin_edges(fig: go.Figure, cycles: dynamics.TwoCycles) -> None:
    """Unstable 2-cycles of the p map: starts between their two points converge."""
    edge = ~cycles.stable
    if not edge.any():
        return
    x = cycles.lr[edge]
    order = np.argsort(x)
    # White edged in black: seen on every outcome colour, and in the (white) legend.
    for branch, name in ((cycles.low, "basin edge (unstable 2-cycle)"), (cycles.high, None)):
        for color, width in ((BLACK, 6), ("white", 3)):
            fig.add_trace(
                go.Scatter(
                    x=x[order],
                    y=branch[edge][order],
                    mode="lines",
                    line={"color": color, "width": width},
                    name=name or "",
                    showlegend=bool(name) and color == BLACK,
                    legendgroup="edge",
                    hovertemplate="unstable 2-cycle<br>lr = %{x:.4g}, p = %{y:.4f}<extra></extra>",
                )
            )
