"""The divergence explorer page (ui.explorer.view.render) in Streamlit's AppTest.

The tabs are lazy (only the open tab runs), so the page is run once per tab and what the
tabs drew is gathered (`every_tab`). Every view renders with the notebook's sample
(n = 200, k = 145) and the default Settings,
and the numbers in each figure are the engine's: the test recomputes them with
``bernoulli.engine.sweep`` / ``bernoulli.engine.optimize`` and compares (figure numbers are rounded
to 7
significant digits for the wire, hence rtol 1e-6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.data import samples as data
from bernoulli.engine import dynamics, optimize, sweep
from bernoulli.engine import likelihood as lk
from bernoulli.engine.problem import Problem
from bernoulli.plots.bifurcation import bifurcation_points
from bernoulli.plots.marks import STATUS_ORDER
from tests.helpers import decode_array as decode
from ui.explorer.view import TAB, TABS

N, K = 200, 145
KEYS = (
    "explorer_sweep",
    "explorer_map_outcome",
    "explorer_map_steps",
    "explorer_bif_p",
    "explorer_bif_logit",
    "explorer_cobweb",
    "explorer_race",
    "explorer_sum_mean",
)


def page():
    from bernoulli.data import samples as data
    from bernoulli.engine.optimize import Settings
    from ui.explorer import view as explorer

    sample = data.notebook_sample()
    explorer.render(sample.n, sample.k, sample.values, Settings())


@dataclass
class Tabs:
    """What the explorer drew, gathered over one run per tab."""

    at: AppTest
    charts: dict[str, dict] = field(default_factory=dict)
    latex: list = field(default_factory=list)
    markdown: list = field(default_factory=list)
    table: list = field(default_factory=list)
    tabs: list = field(default_factory=list)
    info: list = field(default_factory=list)


def every_tab(at: AppTest, timeout: float = 180) -> Tabs:
    """Open each tab in turn (a run each), and gather what they drew."""
    seen = Tabs(at)
    for label in TABS:
        at.session_state[TAB] = label
        at.run(timeout=timeout)
        assert not at.exception, [e.value for e in at.exception]
        seen.charts |= charts(at)
        seen.latex += list(at.latex)
        seen.markdown += list(at.markdown)
        seen.table += list(at.table)
        seen.info += list(at.info)
        seen.tabs = list(at.tabs)
    return seen


def open_tab(label: str) -> AppTest:
    """The page with one tab open."""
    at = AppTest.from_function(page, default_timeout=30)
    at.session_state[TAB] = label
    at.run(timeout=180)
    return at


def charts(at: AppTest) -> dict[str, dict]:
    """Each Plotly chart's figure, by its widget key."""
    out = {}
    for element in at.get("plotly_chart"):
        key = element.proto.id.rsplit("-", 1)[-1]
        out[key] = json.loads(element.proto.spec)
    return out


def trace(fig: dict, name: str) -> dict:
    found = [t for t in fig["data"] if t.get("name") == name]
    assert found, f"no trace named {name!r} in {[t.get('name') for t in fig['data']]}"
    return found[0]


@pytest.fixture(scope="module")
def app() -> Tabs:
    at = AppTest.from_function(page, default_timeout=30)
    return every_tab(at)  # the first runs import torch and fill the caches


@pytest.fixture(scope="module")
def figs(app) -> dict[str, dict]:
    return app.charts


@pytest.fixture(scope="module")
def settings() -> optimize.Settings:
    return optimize.Settings()


def test_every_view_renders_with_its_explanation_and_formula(app, figs):
    assert set(KEYS) <= set(figs)
    labels = [t.label for t in app.tabs]
    shown = ("Learning-rate sweep", "lr × p₀ map", "Bifurcation & cobweb", "Optimizer race")
    for name in (*shown, "Sum vs mean"):
        assert name in labels
    assert len(app.latex) >= 7  # every view has its formula
    text = " ".join(m.value for m in app.markdown)
    assert "2/H = 0.001994" in text and "lr_find" in text
    for fig in figs.values():  # projector-sized text, no autorange surprises
        assert fig["layout"]["font"]["size"] >= 16


def test_a_second_run_is_served_from_the_cache_without_error(app, monkeypatch):
    # Every computation the explorer caches goes through these engine functions (run_batch
    # under the sweeps, the map, the bifurcation diagram and the cobweb; the map analysis in
    # dynamics): on a rerun of every tab none may run.
    calls = []

    def counted(name, original):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        return wrapper

    for module, names in (
        (sweep, ("run_batch", "lr_sweep", "lr_p0_map", "bifurcation")),
        (dynamics, ("two_cycles", "cobweb")),
    ):
        for name in names:
            monkeypatch.setattr(module, name, counted(name, getattr(module, name)))
    again = every_tab(app.at, timeout=60)
    assert not app.at.exception
    assert set(KEYS) <= set(again.charts)
    assert calls == []  # served from st.cache_data


def test_sweep_figure_is_the_engines_sweep(figs, settings):
    s = settings
    lrs = sweep.lr_grid(Problem(N, K, "p", "sum"), 1e-3, 4.0, num=241, extra=[s.lr])
    # The sweep starts beside p̂ by default (p̂ - 0.125 = 0.6), where the zig-zag shows.
    res = sweep.lr_sweep(
        Problem(N, K), 0.6, lrs, sweep.BatchOptions(steps=s.steps, dtype=s.dtype, tol=s.tol)
    )
    assert (res.status == sweep.OSCILLATING).sum() >= 10
    fig = figs["explorer_sweep"]
    final = trace(fig, "final NLL(p_T)")
    np.testing.assert_allclose(decode(final["x"]), res.lr)
    np.testing.assert_allclose(decode(final["y"]), res.nll, rtol=1e-6)
    for code, label in sweep.STATUS_LABELS.items():
        expected = res.lr[res.status == code]
        shown = [t for t in fig["data"] if t.get("name") == label]
        if expected.size == 0:
            assert not shown
            continue
        np.testing.assert_allclose(decode(shown[0]["x"]), expected)
    conv = decode(trace(fig, "steps until converged")["y"])
    np.testing.assert_array_equal(np.nan_to_num(conv, nan=-1), res.converged_at)
    two_over_h = trace(fig, "2/H = 0.001994")
    np.testing.assert_allclose(decode(two_over_h["x"]), [0.00199375, 0.00199375], rtol=1e-12)
    ring = trace(fig, "current lr = 2e-05")
    assert decode(ring["x"])[0] == s.lr
    # The notebook's own run (float32, lr 2e-5) stalls short of p̂: the ring says so.
    assert res.status[np.flatnonzero(res.lr == s.lr)[0]] == sweep.STALLED


def test_map_figures_are_the_engines_grid(figs, settings):
    s = settings
    ref = sweep.reference_lr(Problem(N, K))
    low, high = min(1e-2, s.lr / ref / 2), max(2.0, s.lr / ref * 1.5)
    lrs = sweep.lr_grid(Problem(N, K), low, high, num=161)
    p0s = np.linspace(0.0, 1.0, 121)[1:-1]
    res = sweep.lr_p0_map(
        Problem(N, K), lrs, p0s, sweep.BatchOptions(steps=s.steps, dtype=s.dtype, tol=s.tol)
    )
    heat = figs["explorer_map_outcome"]["data"][0]
    assert heat["type"] == "heatmap"
    np.testing.assert_allclose(decode(heat["x"]), lrs)
    np.testing.assert_allclose(decode(heat["y"]), p0s)
    # z: each cell's position among the outcomes present; the colour bar names only those
    present = [c for c in STATUS_ORDER if (res.status == c).any()]
    position = {code: i for i, code in enumerate(present)}
    np.testing.assert_array_equal(
        decode(heat["z"]), np.vectorize(position.get)(res.status.astype(int))
    )
    assert heat["colorbar"]["ticktext"] == [sweep.STATUS_LABELS[c] for c in present]
    # 2/H is local: from far starts p leaves (0, 1) below 2/H, beside p̂ it converges.
    below = lrs < 0.9 * ref
    assert np.any(res.status[:, below] == sweep.DIVERGED)
    assert np.all(res.status[np.abs(p0s - 0.725) < 0.05][:, (lrs > 0.6 * ref) & below] <= 1)
    steps = figs["explorer_map_steps"]["data"][0]
    z = decode(steps["z"])
    conv = res.converged_at >= 0
    np.testing.assert_allclose(z[conv], np.log10(np.maximum(res.converged_at[conv], 1)))
    assert np.all(np.isnan(z[~conv]))


def test_bifurcation_figures_are_the_engines_long_run_values(figs, app):
    for param in ("p", "logit"):
        low, high = {"p": (0.5, 1.9), "logit": (0.5, 2.2)}[param]
        lrs = np.linspace(low, high, 701) * sweep.reference_lr(Problem(N, K, param))
        res = sweep.bifurcation(Problem(N, K, param), lrs, sweep.BatchOptions.long_run(4000, 128))
        fig = figs[f"explorer_bif_{param}"]
        xs, ys, ss = bifurcation_points(res)
        for code in np.unique(ss):
            shown = trace(fig, sweep.STATUS_LABELS[int(code)])
            np.testing.assert_allclose(decode(shown["x"]), xs[ss == code])
            np.testing.assert_allclose(decode(shown["y"]), ys[ss == code], rtol=1e-6)
        out = res.lr[res.status == sweep.DIVERGED]
        if param == "p":  # past 2/H (these data) p escapes, at every learning rate
            escaped = trace(fig, "left (0, 1): no long run")
            np.testing.assert_allclose(decode(escaped["x"]), out)
            assert out.min() > sweep.reference_lr(Problem(N, K))
            assert not np.any(res.status == sweep.PERIODIC)
        else:  # logit period-doubles into chaos and never escapes
            assert out.size == 0
            assert {2, 4, 8} <= set(res.period.tolist())
            assert np.any(res.status == sweep.CHAOTIC)
    text = " ".join(m.value for m in app.markdown)
    assert "up to 1.0000202 × 2/H" in text  # the stable 2-cycle window, bisected to its edge
    assert "period 2 from" in text and "Chaos" in text
    (info,) = [i.value for i in app.info if "has no structure" in i.value]
    assert "The diagram in logit (right) has it" in info and "lopsided sample" in info


def cobweb_of(p0: float, lr: float, steps: int = 40) -> dynamics.Cobweb:
    """The cobweb of one 40-step gradient-descent run on the notebook's sample, in p."""
    options = sweep.BatchOptions(steps=steps, tail=steps + 1)
    return dynamics.cobweb(sweep.run_batch(Problem(N, K), p0, lr, options))


def test_cobweb_figure_is_the_engines_orbit(figs, settings):
    # It opens at 1.5/H (oscillating) from beside p̂ (0.6): a zig-zag into p̂, not an escape.
    lr = 1.5 * Problem(N, K).thresholds().monotone
    cw = dynamics.cobweb(
        sweep.run_batch(Problem(N, K), 0.6, lr, sweep.BatchOptions(steps=40, tail=41))
    )
    assert cw.status == sweep.OSCILLATING
    fig = figs["explorer_cobweb"]
    orbit = trace(fig, f"orbit from p₀ = {cw.orbit[0]:.4g} (40 steps)")
    xs, ys = cw.staircase
    true = decode(orbit["customdata"])
    np.testing.assert_allclose(true[:, 0], xs, rtol=1e-6)
    np.testing.assert_allclose(true[:, 1], ys, rtol=1e-6)
    curve = trace(fig, "update map p → p − lr·dNLL/dp")
    np.testing.assert_allclose(decode(curve["customdata"]), cw.image, rtol=1e-6)


def test_race_has_one_colour_per_optimizer_and_the_real_runs(figs, settings):
    fig = figs["explorer_race"]
    assert len(fig["frames"]) <= 100
    slider = fig["layout"]["sliders"][0]["steps"]
    assert len(slider) <= 100 and slider[0]["label"] == "0"
    for button in fig["layout"]["updatemenus"][0]["buttons"]:
        assert button["args"][1]["frame"]["redraw"] is False
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        assert fig["layout"][axis]["autorange"] is False
    legend = [t for t in fig["data"] if t.get("showlegend") is not False and "η =" in t["name"]]
    assert len(legend) == 6
    assert len({t["line"]["color"] for t in legend}) == 6
    names = " ".join(t["name"] for t in legend)
    for word in ("gradient descent", "momentum", "Adam", "Newton", "minibatch SGD", "logit"):
        assert word in names
    sample = data.notebook_sample()
    gd = optimize.run(N, K, settings, sample.values)
    nll_hat = float(lk.nll(0.725, N, K))
    loss = [t for t in fig["data"] if t.get("name") == "gradient descent, η = 2e-05"]
    line = next(t for t in loss if t.get("mode") == "lines")
    shown = decode(line["y"])
    plain = gd.nll - nll_hat
    big = plain > 1e-6  # where plain float64 subtraction is still accurate
    np.testing.assert_allclose(shown[big], plain[big], rtol=1e-6)
    np.testing.assert_allclose(shown, lk.excess_nll(gd.p, N, K), rtol=1e-6)
    assert np.all(shown[~big] > 0)  # the stalled float32 run sits 2.6e-12 above the minimum
    last = fig["frames"][-1]
    assert int(last["name"]) == len(gd.p) - 1


@pytest.mark.parametrize(
    "p", [0.725 + 1e-12, 0.725 + 1e-9, 0.725 - 3e-7, 0.7249985, 0.6, 0.5, 0.01, 0.999]
)
@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_excess_nll_is_accurate_below_rounding_of_the_nll(p, loss):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    q, q_hat = mpmath.mpf(p), mpmath.mpf(K) / N
    exact = -(K * mpmath.log(q / q_hat) + (N - K) * mpmath.log((1 - q) / (1 - q_hat)))
    exact = exact / N if loss == "mean" else exact
    assert float(lk.excess_nll(p, N, K, loss)) == pytest.approx(float(exact), rel=1e-12, abs=0)


def test_sum_mean_thresholds_are_n_times_apart(figs, app):
    fig = figs["explorer_sum_mean"]
    lines = {t["name"]: decode(t["x"])[0] for t in fig["data"] if t["name"].startswith("2/H")}
    assert lines["2/H (mean NLL)"] == pytest.approx(N * lines["2/H (sum NLL)"], rel=1e-12)
    assert lines["2/H (sum NLL)"] == pytest.approx(0.00199375, rel=1e-12)
    table = app.table[0].value
    assert list(table["2/H"]) == ["0.001994", "0.3987"]


def test_lopsided_data_show_period_doubling_in_p():
    at = open_tab("Bifurcation & cobweb")
    at.radio(key="explorer_bif_data").set_value("a lopsided sample").run(timeout=180)
    assert not at.exception
    fig = charts(at)["explorer_bif_p"]
    names = {t["name"] for t in fig["data"]}
    assert {"periodic cycle", "chaotic"} <= names
    lrs = np.linspace(0.5, 1.9, 701) * sweep.reference_lr(Problem(200, 190))
    res = sweep.bifurcation(Problem(200, 190), lrs, sweep.BatchOptions.long_run(4000, 128))
    periodic = trace(fig, "periodic cycle")
    xs, _, ss = bifurcation_points(res)
    np.testing.assert_allclose(decode(periodic["x"]), xs[ss == sweep.PERIODIC])
    escaped = decode(trace(fig, "left (0, 1): no long run")["x"])
    chaotic = decode(trace(fig, "chaotic")["x"])
    assert escaped.min() > chaotic.min()  # a cycle, then 4, ..., chaos, and only then escape
    text = " ".join(m.value for m in at.markdown)
    assert "the p map period-doubles" in text


def test_cobweb_choice_past_two_over_h_escapes():
    at = open_tab("Bifurcation & cobweb")
    at.number_input(key="explorer_cobweb_p0").set_value(0.7)
    at.selectbox(key="explorer_cobweb_choice").set_value("1.1*2/H").run(timeout=60)
    assert not at.exception
    cw = dynamics.cobweb(
        sweep.run_batch(
            Problem(N, K),
            0.7,
            1.1 * Problem(N, K).thresholds().stable,
            sweep.BatchOptions(steps=40, tail=41),
        )
    )
    assert cw.status == sweep.DIVERGED
    text = " ".join(m.value for m in at.markdown)
    assert f"left (0, 1) at step {cw.diverged_at}" in text
    fig = charts(at)["explorer_cobweb"]
    assert any("left (0, 1)" in a["text"] for a in fig["layout"]["annotations"])


@pytest.mark.parametrize(
    "call",
    [
        "explorer.render(20, 0, None, Settings())",  # MLE on the edge: no 2/H in p
        "explorer.render(1, 1, np.ones(1, np.uint8), Settings(lr=0.1))",
        "explorer.render(200, 145, None, Settings(param='logit', loss='mean', "
        "optimizer='momentum', dtype='float64', lr=0.3))",
        "explorer.render(3, 1, np.array([1, 0, 0], np.uint8), Settings(optimizer='sgd', "
        "lr=0.1, batch_size=2, p0=None))",
    ],
)
def test_other_samples_and_settings_render_without_error(call):
    source = (
        "import numpy as np\nfrom ui.explorer import view as explorer\n"
        "from bernoulli.engine.optimize import Settings\n"
    )
    at = AppTest.from_string(source + call + "\n", default_timeout=30)
    drawn = every_tab(at, timeout=120)  # (asserts no exception in any tab)
    assert not at.exception, [e.value for e in at.exception]
    assert len(drawn.charts) >= 5
