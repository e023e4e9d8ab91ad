"""The page, driven by Streamlit's AppTest: sample sources, uploads, settings, presets, the
divergence banner and the animated figure's data.
"""

from __future__ import annotations

import json
import urllib.parse

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.data import samples
from bernoulli.engine import optimize, together
from bernoulli.engine.optimize import Settings
from bernoulli.io import export, share
from bernoulli.plots.animated import ESCAPE, GRAD_LINE, LOSS_LINE, NOW, PATH, START, shown_part
from bernoulli.plots.frames import focus_end, run_frames
from bernoulli.plots.style import FONT_SIZE, PRESENTER_SCALE
from tests.helpers import APP, decode, opened, ran
from ui.run_view import BELOW, BELOW_TABS


def figure(at: AppTest) -> dict:
    (chart,) = at.get("plotly_chart")
    return decode(json.loads(chart.proto.spec))


def sidebar_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


def metric(at: AppTest, label_start: str) -> str:
    (found,) = [m for m in at.metric if m.label.startswith(label_start)]
    return found.value


def trajectory_table(at: AppTest):
    (table,) = [d.value for d in at.main.dataframe if "t" in d.value.columns]
    return table


def open_below(at: AppTest, label: str) -> AppTest:
    """Open one of the tabs under the figure (they are lazy: only the open one runs)."""
    at.session_state[BELOW] = label
    return ran(at)


def counts_bars(at: AppTest) -> list[tuple[str, int]]:
    """The sidebar's picture of the data: a bar each for the 0s and the 1s (label, percent)."""
    return [(bar.proto.text, bar.proto.value) for bar in at.sidebar.get("progress")]


def started() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def at() -> AppTest:
    return started()


def why(at: AppTest) -> str:
    """The banner's expander: the numbers behind the run."""
    (box,) = [e for e in at.expander if e.label == "Why: the numbers"]
    return "\n".join(m.value for m in box.markdown)


def test_page_loads_with_the_notebook_run(at):
    assert "n = **200**, k = **145** ones, sample mean k/n = **0.725**" in sidebar_text(at)
    # the picture of the data: bars of 0s and 1s, scaled to n
    assert counts_bars(at) == [("0s: 55", 27), ("1s: 145", 72)]
    assert [t.label for t in at.tabs] == list(BELOW_TABS) and not at.main.dataframe
    # First a sentence in a student's words; the float32 stall is one click away.
    (banner,) = [w for w in at.warning if w.icon == ":material/pause_circle:"]
    assert banner.value == (
        "p stops at 0.724999, 1.47e-06 short of p̂ = 0.725, at step 655: its steps became too "
        "small to change a float32 number."
    )
    assert why(at).startswith("Stalled at step 655")  # the notebook's float32 run stalls
    assert metric(at, "closed-form MLE") == "0.725"
    assert metric(at, "final p") == "0.72499853"
    assert metric(at, "outcome") == "stalls at the float32 spacing at step 655"
    assert metric(at, "stopped moving at step") == "655"
    spec = figure(at)
    layout = spec["layout"]
    # x4: the multiplier's gauge above panel (a)
    assert {trace.get("xaxis", "x") for trace in spec["data"]} == {"x", "x2", "x3", "x4"}
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2", "xaxis3", "yaxis3"):
        assert layout[axis]["autorange"] is False and len(layout[axis]["range"]) == 2
    assert 100 < len(spec["frames"]) <= 200
    # the slider stops at every frame
    names = [f["name"] for f in spec["frames"]]
    assert [s["args"][0][0] for s in layout["sliders"][0]["steps"]] == names
    buttons = [
        b for menu in layout["updatemenus"] for b in menu["buttons"] if b["method"] != "skip"
    ]
    assert all(b["args"][1]["frame"]["redraw"] is False for b in buttons)
    assert any("Play" in b["label"] for b in buttons) and any(
        "Pause" in b["label"] for b in buttons
    )


def test_notebook_preset_figure_matches_the_library(at):
    at.number_input(key="lr").set_value(1e-3)
    at.radio(key="dtype").set_value("float64")
    ran(at)
    at.button(key="preset_notebook").click()
    ran(at)
    assert at.number_input(key="lr").value == 2e-5
    assert at.number_input(key="p0").value == 0.08385391
    assert at.radio(key="dtype").value == "float32"
    traj = optimize.run(200, 145, Settings(lr=2e-5, p0=0.08385391, steps=1000, dtype="float32"))
    spec = figure(at)
    end = focus_end(traj) + 1  # stalled at 655: steps 0-874 are shown
    np.testing.assert_array_equal(spec["data"][LOSS_LINE]["y"], traj.nll[:end])
    np.testing.assert_array_equal(spec["data"][GRAD_LINE]["y"], traj.grad[:end])
    steps = [int(frame["name"]) for frame in spec["frames"]]
    assert steps == run_frames(shown_part(traj)).tolist()
    for t, frame in zip(steps, spec["frames"], strict=True):
        moved = dict(zip(frame["traces"], frame["data"], strict=True))
        # the current p keeps 7 digits (its hover prints them); its trail is drawn to pixels
        assert moved[NOW]["x"] == [float(f"{traj.p[t]:.7g}")]
        assert moved[NOW]["y"] == [float(f"{traj.nll[t]:.7g}")]
        assert moved[PATH]["x"][-1] == pytest.approx(traj.p[t], abs=1e-4)
    # The notebook's printed rows: p after the update of step t, every 100 steps (to 1e-6:
    # torch's float32 sums may differ from the notebook's by one ulp, 6e-8).
    table = trajectory_table(open_below(at, "Trajectory table"))
    assert table["t"].tolist() == [*range(0, 1000, 100), 1000]
    np.testing.assert_array_equal(table["p_(t+1)"][:-1], traj.p[1:1001:100])
    printed = [0.11723718, 0.62359965, 0.70914686, 0.72284538, 0.72471499, 0.72496235]
    np.testing.assert_allclose(table["p_(t+1)"].tolist()[:6], printed, rtol=0, atol=1e-6)


def test_generated_sample(at):
    at.radio(key="source").set_value("generate")
    ran(at)
    at.number_input(key="gen_n").set_value(500)
    at.slider(key="gen_p").set_value(0.3)
    at.number_input(key="gen_seed").set_value(7)
    ran(at)
    sample = samples.generate(500, 0.3, 7)
    assert f"n = **500**, k = **{sample.k}** ones" in sidebar_text(at)
    assert metric(at, "closed-form MLE") == f"{sample.k / 500:.8g}"
    assert at.number_input(key="lr").value == 2e-5  # the settings did not move


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    return ran(at)


def test_good_then_bad_upload_keeps_the_good_sample_and_settings(at):
    at.number_input(key="lr").set_value(3e-4)
    at.radio(key="source").set_value("upload")
    ran(at)
    assert "keeps using: notebook sample" in at.sidebar.info[0].value
    upload(at, "flips.csv", b"y\n0\n1\n1\n1\n")
    assert not at.error
    assert "n = **4**, k = **3** ones" in sidebar_text(at)
    assert metric(at, "closed-form MLE") == "0.75"

    upload(at, "bad.csv", b"0\n1\n2\n1\n")
    (error,) = at.sidebar.error
    assert 'bad.csv line 3: "2" is not a 0/1 value' in error.value
    assert "Still using: flips.csv" in error.value
    assert "n = **4**, k = **3** ones" in sidebar_text(at)  # the previous valid sample
    assert metric(at, "closed-form MLE") == "0.75"
    assert at.number_input(key="lr").value == 3e-4  # and every setting
    assert len(at.get("plotly_chart")) == 1


def test_rejected_first_upload_keeps_the_notebook_sample(at):
    at.radio(key="source").set_value("upload")
    ran(at)
    upload(at, "empty.txt", b"")
    assert "empty.txt is empty" in at.sidebar.error[0].value
    assert "n = **200**, k = **145** ones" in sidebar_text(at)
    upload(at, "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "looks like a binary file" in at.sidebar.error[0].value


def test_upload_with_several_columns_offers_a_chooser(at):
    at.radio(key="source").set_value("upload")
    ran(at)
    upload(at, "two.csv", b"id,heads\n7,1\n8,1\n9,0\n")
    assert "two.csv has 2 columns" in at.sidebar.error[0].value
    chooser = at.selectbox(key="upload_column")
    assert chooser.options == ["1: id", "2: heads"]
    chooser.set_value(2)
    ran(at)
    assert not at.error
    assert "n = **3**, k = **2** ones" in sidebar_text(at)
    at.selectbox(key="upload_column").set_value(1)
    ran(at)
    assert 'two.csv line 2, column "id": "7" is not a 0/1 value' in at.sidebar.error[0].value
    assert "n = **3**, k = **2** ones" in sidebar_text(at)


@pytest.mark.parametrize(
    "lr, p0, step, where, sentence",
    [
        (3e-3, 0.08385391, 1, "p_1 = 5.09135", "The very first step throws p out of (0, 1)"),
        (2.05e-3, 0.7, 33, "p_33 = 1.069", "p overshoots p̂ = 0.725 by more each time"),
    ],
)
def test_divergent_lr_shows_the_banner_and_the_escape(at, lr, p0, step, where, sentence):
    at.number_input(key="p0").set_value(p0)
    at.number_input(key="lr").set_value(lr)
    ran(at)
    (banner,) = at.error
    assert sentence in banner.value
    assert why(at).startswith(f"Diverged at step {step}: p left (0, 1), {where}")
    assert "2/H = 0.00199375" in why(at)
    spec = figure(at)
    assert spec["frames"][-1]["name"] == str(step)
    last = spec["frames"][-1]
    escape = dict(zip(last["traces"], last["data"], strict=True))[ESCAPE]
    assert escape["x"][1] > 1 and "outside (0, 1)" in escape["text"][1]
    assert f"**This run:** {sentence}" in sidebar_text(at)  # the sidebar said the same
    assert metric(at, "outcome") == f"escapes (0, 1) at step {step}"


@pytest.mark.parametrize(
    "lr, ratio, course",
    [
        (2e-5, "0.01", "p stops at 0.724999, 1.47e-06 short of p̂ = 0.725, at step 655"),
        # From the notebook's p0 = 0.084 every lr >= 5.5e-4 leaves at step 1: said so.
        (1.5e-3, "0.752", "The very first step throws p out of (0, 1)"),
        (2.5e-3, "1.25", "The very first step throws p out of (0, 1)"),
    ],
)
def test_threshold_and_regime_beside_the_learning_rate(at, lr, ratio, course):
    at.number_input(key="lr").set_value(lr)
    ran(at)
    text = sidebar_text(at)
    assert "1/H = 0.0009969" in text and "2/H = 0.001994" in text
    assert f"lr = {lr:g} = {ratio} × 2/H" in text
    assert f"**This run:** {course}" in text
    at.radio(key="loss").set_value("mean")  # the mean divides H by n: thresholds n times larger
    ran(at)
    assert "2/H = 0.3987" in sidebar_text(at)  # 2 p̂ (1 − p̂) = 0.39875


def test_learning_rate_slider_and_number_stay_in_sync(at):
    at.select_slider(key="lr_slider").set_value(2e-4)
    ran(at)
    assert at.number_input(key="lr").value == 2e-4
    at.number_input(key="lr").set_value(2.6e-5)
    ran(at)
    assert at.select_slider(key="lr_slider").value == 3e-5  # nearest on the log grid
    assert at.number_input(key="lr").value == 2.6e-5  # the exact value is what runs
    assert metric(at, "outcome").startswith(("stalls", "converges"))  # the page ran with it


@pytest.mark.parametrize(
    "preset, lr, slider, p0, status",
    [
        ("smooth", 2e-4, 2e-4, 0.08385391, "converges monotonically"),
        ("oscillation", 1.5e-3, 1.5e-3, 0.6, "zig-zags in"),
        ("divergence", 2.05e-3, 2e-3, 0.7, "escapes (0, 1) at step 33"),
    ],
)
def test_presets_set_the_widgets(at, preset, lr, slider, p0, status):
    at.number_input(key="steps").set_value(50)
    at.radio(key="param").set_value("logit")
    ran(at)
    at.button(key=f"preset_{preset}").click()
    ran(at)
    assert at.number_input(key="lr").value == lr
    assert at.select_slider(key="lr_slider").value == slider
    assert at.number_input(key="p0").value == p0
    assert at.number_input(key="steps").value == 1000
    assert at.radio(key="param").value == "p"
    assert at.radio(key="dtype").value == "float64"
    assert metric(at, "outcome").startswith(status)
    # The user can then change anything.
    at.number_input(key="steps").set_value(20)
    ran(at)
    assert "final p (step 20)" in [m.label for m in at.metric]
    assert at.number_input(key="lr").value == lr


def test_presets_follow_the_sample(at):
    """On another sample the presets choose the lr from that sample's thresholds."""
    at.radio(key="source").set_value("generate")
    ran(at)
    at.number_input(key="gen_n").set_value(1000)
    at.slider(key="gen_p").set_value(0.5)
    ran(at)
    k = samples.generate(1000, 0.5, 0).k
    p_hat = k / 1000
    at.button(key="preset_oscillation").click()
    ran(at)
    lr = at.number_input(key="lr").value
    assert lr == float(f"{1.5 * p_hat * (1 - p_hat) / 1000:.2g}")
    assert "p overshoots p̂ = 0.473, zig-zags around it" in sidebar_text(at)
    assert at.radio(key="source").value == "generate"


@pytest.mark.parametrize(
    "name, rule",
    [
        ("gd", r"p_{t+1} = p_t - \eta\, g_t"),
        ("momentum", r"v_{t+1} = \beta v_t + g_t"),
        ("adam", r"m_t = \beta_1 m_{t-1}"),
        ("newton", r"\frac{g_t}{H(p_t)}"),
        ("sgd", r"\hat g_t"),
    ],
)
def test_every_optimizer_runs(at, name, rule):
    at.selectbox(key="optimizer").set_value(name)
    at.number_input(key="steps").set_value(200)
    ran(at)
    assert len(at.get("plotly_chart")) == 1
    assert metric(at, "final p (step") != ""
    open_below(at, "Formulas")
    assert any(rule in x.value for x in at.latex)
    batch = [w for w in at.number_input if w.key == "batch_size"]
    assert len(batch) == (name == "sgd")  # minibatch SGD offers its batch size


def test_random_start_uses_the_seed(at):
    at.radio(key="p0_mode").set_value("random")
    at.number_input(key="seed").set_value(3)
    at.number_input(key="lr").set_value(2e-4)
    ran(at)
    p0 = optimize.initial_p(Settings(p0=None, seed=3))
    start = figure(at)["data"][START]
    assert start["x"] == [float(np.float32(p0))]  # the float32 run starts at p0 rounded
    at.radio(key="p0_mode").set_value("fixed")
    ran(at)
    assert at.number_input(key="p0").value == 0.08385391  # the fixed value came back


def test_log_gradient_toggle(at):
    at.toggle(key="log_grad").set_value(True)
    ran(at)
    assert figure(at)["layout"]["yaxis3"]["type"] == "log"


def test_settings_that_do_not_change_the_run_hit_the_cache(at, monkeypatch):
    calls = []
    real = together.run  # the page's runs (stepped with any asked at once, or alone)
    monkeypatch.setattr(together, "run", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    at.number_input(key="lr").set_value(1.2345e-4)  # a run no other test asks for
    ran(at)
    assert len(calls) == 1
    open_below(at, "Trajectory table")
    at.number_input(key="table_every").set_value(7)
    at.toggle(key="log_grad").set_value(True)
    ran(at)
    assert len(calls) == 1
    assert trajectory_table(at)["t"].tolist()[:3] == [0, 7, 14]


def test_trajectory_table_and_formulas(at):
    assert not at.latex and not at.main.dataframe and not at.get("download_button")
    open_below(at, "Trajectory table")
    at.number_input(key="table_every").set_value(250)
    ran(at)
    table = trajectory_table(at)
    assert table["t"].tolist() == [0, 250, 500, 750, 1000]
    assert table["dNLL/dp at p_t"].iloc[0] == pytest.approx(-1669.16378975, rel=1e-9)
    assert not at.metric  # only the open tab is drawn
    open_below(at, "Formulas")
    latex = " ".join(x.value for x in at.latex)
    assert r"\log\bigl(x_i p + (1-x_i)(1-p)\bigr)" in latex
    assert r"p_{t+1} = p_t - \eta\, g_t" in latex
    assert r"p_{t+1} - \hat{p} \approx (1 - \eta H)\,(p_t - \hat{p})" in latex
    assert r"H = \frac{n}{\hat p(1-\hat p)} = 1003,\quad \frac{2}{H} = 0.001994" in latex
    assert not at.main.dataframe
    open_below(at, "Take this run away")
    assert at.get("download_button") and not at.latex


def test_explorer_view_replaces_the_run_view(at):
    at.segmented_control(key="view").set_value("explore")
    ran(at)
    assert "Trajectory table" not in [t.label for t in at.tabs]
    at.segmented_control(key="view").set_value("run")
    ran(at)
    assert [t.label for t in at.tabs] == list(BELOW_TABS)


# --- links, presenter mode, exports ----------------------------------------------------------


def link_notes(at: AppTest) -> list[str]:
    """The notes about the opened link (ignored parameters, the upload it needs)."""
    boxes = [*at.main.warning, *at.main.info]
    return [b.value for b in boxes if "link" in b.value and "ignored" in b.value.lower()] + [
        b.value for b in boxes if share.UPLOAD_NOTE in b.value
    ]


def test_default_run_is_the_bare_url(at):
    assert at.query_params == {}
    assert not link_notes(at)
    (link,) = [c.value for c in at.sidebar.code]
    assert link == "./"  # st.context.url is None under AppTest: the link is relative


def test_link_opens_exactly_its_run():
    params = {
        "data": "generate",
        "n": "500",
        "true_p": "0.3",
        "data_seed": "7",
        "lr": "0.0015",
        "steps": "300",
        "p0": "0.6",
        "seed": "3",
        "opt": "momentum",
        "beta": "0.5",
        "param": "logit",
        "loss": "mean",
        "dtype": "float64",
        "tol": "1e-08",
    }
    at = opened(params)
    assert not link_notes(at)
    assert at.radio(key="source").value == "generate"
    assert (at.number_input(key="gen_n").value, at.slider(key="gen_p").value) == (500, 0.3)
    assert at.number_input(key="gen_seed").value == 7
    assert at.number_input(key="lr").value == 0.0015
    assert at.select_slider(key="lr_slider").value == 1.5e-3
    assert at.number_input(key="steps").value == 300 and at.number_input(key="p0").value == 0.6
    assert at.selectbox(key="optimizer").value == "momentum" and at.slider(key="beta").value == 0.5
    assert at.radio(key="param").value == "logit" and at.radio(key="loss").value == "mean"
    assert at.radio(key="dtype").value == "float64" and at.number_input(key="tol").value == 1e-8
    assert at.query_params == params  # written back unchanged
    sample = samples.generate(500, 0.3, 7)
    run = optimize.run(500, sample.k, share.decode(params).settings)
    assert metric(at, "final p") == f"{run.final_p:.8g}"
    (link,) = [c.value for c in at.sidebar.code]
    assert share.decode(parse_link(link)) == share.decode(params)


def parse_link(link: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(link).query, keep_blank_values=True)


def test_url_follows_the_widgets(at):
    at.number_input(key="lr").set_value(3e-4)
    at.radio(key="p0_mode").set_value("random")
    ran(at)
    assert at.query_params == {"lr": "0.0003", "p0": "random"}
    at.segmented_control(key="view").set_value("explore")
    ran(at)
    assert at.query_params == {"lr": "0.0003", "p0": "random", "view": "explore"}
    at.button(key="preset_notebook").click()
    ran(at)
    assert at.query_params == {}  # back to the notebook's run: the bare URL


def test_bad_parameters_are_noted_and_ignored():
    at = opened({"lr": "abc", "steps": "0", "p0": "0.5", "foo": "<b>", "present": "yes"})
    (warning,) = link_notes(at)
    assert 'Ignored lr="abc": not a number.' in warning
    assert 'Ignored steps="0": must be a whole number from 1 to 100,000.' in warning
    assert 'Ignored unknown parameter "foo".' in warning
    assert 'Ignored present="yes": must be 1 (presenter mode) or 0.' in warning
    assert "<b>" not in warning
    assert at.number_input(key="lr").value == 2e-5  # defaults kept,
    assert at.number_input(key="p0").value == 0.5  # the good value applied
    assert at.query_params == {"p0": "0.5"}  # and the URL cleaned
    at.button(key="dismiss_link_notes").click()
    ran(at)
    assert not link_notes(at)


def test_upload_link_asks_for_the_file_and_uses_the_notebook_sample():
    at = opened({"data": "upload", "lr": "0.0003"})
    (note,) = link_notes(at)
    assert share.UPLOAD_NOTE in note and "the page uses the notebook's sample" in note
    assert at.radio(key="source").value == "upload"
    assert "n = **200**, k = **145** ones" in sidebar_text(at)
    assert at.number_input(key="lr").value == 3e-4
    upload(at, "flips.csv", b"1\n1\n0\n1\n")
    assert at.query_params == {"data": "upload", "lr": "0.0003"}
    assert any(share.UPLOAD_NOTE in i.value for i in at.sidebar.info)  # beside the link
    assert metric(at, "closed-form MLE") == "0.75"


LOW = {
    "lr": "1e-12",
    "steps": "1",
    "p0": "0.0",
    "seed": "0",
    "opt": "adam",
    "beta": "0.0",
    "tol": "1e-15",
    "data": "generate",
    "n": "1",
    "true_p": "0.0",
    "data_seed": "0",
}
HIGH = {
    "lr": "1000000.0",
    "steps": "100000",
    "p0": "1.0",
    "seed": str(2**53 - 1),
    "opt": "sgd",
    "batch": "100000",
    "tol": "0.1",
    "data": "generate",
    "n": "20000000",
    "true_p": "1.0",
    "data_seed": str(2**53 - 1),
}


@pytest.mark.parametrize("params", [LOW, HIGH, {**HIGH, "opt": "momentum", "beta": "0.99"}])
def test_every_value_a_link_carries_fits_its_widget(params):
    """share.BOUNDS are the widgets' bounds: a link at either end opens with no note."""
    at = opened(params)
    assert not link_notes(at)
    assert share.decode(at.query_params) == share.decode(params)  # (defaults left out)
    widgets = {
        "lr": at.number_input(key="lr"),
        "steps": at.number_input(key="steps"),
        "p0": at.number_input(key="p0"),
        "seed": at.number_input(key="seed"),
        "tol": at.number_input(key="tol"),
        "n": at.number_input(key="gen_n"),
        "true_p": at.slider(key="gen_p"),
        "data_seed": at.number_input(key="gen_seed"),
    }
    if params["opt"] == "sgd":
        widgets["batch"] = at.number_input(key="batch_size")
    else:
        widgets["beta"] = at.slider(key="beta")
    for key, widget in widgets.items():
        assert widget.value == type(widget.value)(float(params[key])), key
    (banner,) = at.error  # p0 at an end of [0, 1]: the run stops at once and says why
    assert banner.value.startswith(f"p0 = {params['p0'][0]} is not inside (0, 1)")
    assert why(at).startswith(f"p0 = {params['p0'][0]} is not inside (0, 1)")


def test_presenter_mode_hides_the_sidebar_and_enlarges_the_figure(at):
    plain = figure(at)["layout"]
    at.toggle(key="present").set_value(True)
    ran(at)
    assert at.query_params == {"present": "1"}
    css = " ".join(h.proto.body for h in at.get("html"))
    assert 'section[data-testid="stSidebar"]' in css and "display: none" in css
    big = figure(at)["layout"]
    assert big["font"]["size"] == FONT_SIZE * PRESENTER_SCALE > plain["font"]["size"]
    assert (big["height"], plain["height"]) == (665, 598)  # the first screen's figures
    assert not [t for t in at.title]  # the title gives its room to the figure
    (summary,) = [c.value for c in at.caption if c.value.startswith("notebook sample")]
    assert "gradient descent" in summary
    assert "**stalls at the float32 spacing at step 655**" in summary
    # The learning rate stays within reach, on the log grid.
    at.select_slider(key="lr_bar").set_value(3e-3)
    ran(at)
    assert at.number_input(key="lr").value == 3e-3
    assert at.select_slider(key="lr_slider").value == 3e-3
    assert metric(at, "outcome") == "escapes (0, 1) at step 1"
    assert at.query_params == {"lr": "0.003", "present": "1"}


def test_presenter_link():
    at = opened({"present": "1", "lr": "0.002"})
    assert at.toggle(key="present").value is True
    assert at.select_slider(key="lr_bar").value == 2e-3


def test_exports_offer_csv_html_and_the_torch_script(at):
    open_below(at, "Take this run away")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Trajectory (CSV)", "Animation (offline HTML)", "PyTorch script (.py)"]
    assert not at.main.code  # the script is shown on request (a code block costs 0.6 s)
    at.toggle(key="show_script").set_value(True)
    ran(at)
    script = [c.value for c in at.main.code if c.language == "python"]
    expected = export.torch_script(samples.notebook_sample(), Settings())
    assert script == [expected.rstrip("\n")]  # (st.code drops the final newline)


def test_no_script_for_sgd_on_a_huge_upload(at):
    at.radio(key="source").set_value("upload")
    ran(at)
    upload(at, "big.txt", b"0\n1\n" * 50_001)  # 100,002 values
    assert "n = **100,002**" in sidebar_text(at)
    at.selectbox(key="optimizer").set_value("sgd")
    at.number_input(key="steps").set_value(20)
    open_below(at, "Take this run away")
    (note,) = [i.value for i in at.main.info if "No PyTorch script" in i.value]
    assert "too many to write into a script (at most 100,000)" in note
    assert [b.proto.label for b in at.get("download_button")][-1] != "PyTorch script (.py)"


def test_a_file_name_is_shown_as_itself(at):
    at.radio(key="source").set_value("upload")
    ran(at)
    upload(at, "[x](javascript:1)*$y$*.csv", b"1\n0\n")
    (line,) = [m.value for m in at.sidebar.markdown if "k/n" in m.value]
    assert line.startswith(r"**\[x\]\(javascript\:1\)\*\$y\$\*\.csv**")
    at.toggle(key="present").set_value(True)
    ran(at)
    (summary,) = [c.value for c in at.caption if "javascript" in c.value]
    assert summary.startswith(r"\[x\]\(javascript\:1\)\*\$y\$\*\.csv: n = 2, k = 1")


def test_switching_optimizer_offers_a_fitting_lr(at):
    at.selectbox(key="optimizer").set_value("newton")
    ran(at)
    assert at.number_input(key="lr").value == 1.0
    assert at.select_slider(key="lr_slider").value == 1.0
    notes = [i.value for i in at.sidebar.info]
    assert any(n.startswith("Learning rate set to 1: Newton's natural step size") for n in notes)
    assert "**This run:** p overshoots p̂ = 0.725, zig-zags around it" in sidebar_text(at)
    at.selectbox(key="optimizer").set_value("adam")
    ran(at)
    assert at.number_input(key="lr").value == 0.01
    at.selectbox(key="optimizer").set_value("gd")
    ran(at)
    h = 200 / (0.725 * 0.275)
    assert at.number_input(key="lr").value == float(f"{0.5 / h:.4g}")  # lr·H = 0.5: walks in
    lr = at.number_input(key="lr").value
    at.radio(key="param").set_value("logit")  # the same lr·H in θ: H = n p̂ (1 − p̂)
    ran(at)
    assert at.number_input(key="lr").value == float(f"{lr * h / (200 * 0.725 * 0.275):.4g}")
    assert "the same lr·H = 0.5" in " ".join(i.value for i in at.sidebar.info)
    # the banner and the sidebar say the same course
    (banner,) = at.success
    assert banner.value.split(" (within")[0] in sidebar_text(at)


@pytest.mark.parametrize(
    "changes",
    [
        {"lr": 1.5e-3, "p0": 0.6},  # zig-zags in
        {"lr": 2.1e-3},  # from the notebook's p0: out at step 1
        {"lr": 3e-4, "optimizer": "momentum"},  # far start: out at step 2
        {"lr": 0.01, "optimizer": "adam"},
        {"lr": 1.0, "optimizer": "newton"},
    ],
)
def test_the_sidebar_and_the_banner_say_the_same_course(at, changes):
    for key, value in changes.items():
        if key == "optimizer":
            at.selectbox(key=key).set_value(value)
            ran(at)
    for key in ("lr", "p0"):
        if key in changes:
            at.number_input(key=key).set_value(changes[key])
    ran(at)
    boxes = [*at.success, *at.error, *at.warning, *at.info]
    banner = [b for b in boxes if b.value.startswith(("p ", "The very first"))]
    (banner,) = banner
    said = sidebar_text(at).split("**This run:** ")[1].split("  \n")[0]

    # the same course, up to the step numbers (a float64 forecast vs the real float32 run)
    def course(text: str) -> str:
        return text.split(" (")[0].split(" at step")[0].rstrip(".")

    assert course(said) == course(banner.value)
