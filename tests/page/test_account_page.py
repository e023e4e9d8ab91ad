"""The run's one account on the page: the banner, the results, the caption and the presenter's
bar tell the same outcome as the command line's text and JSON; an emptied lr box keeps the
last good value and says so; the slider's label is the lr the run uses."""

from __future__ import annotations

import contextlib
import io
import json

from streamlit.testing.v1 import AppTest

from bernoulli.cli import commands
from tests.helpers import APP, ran


def started(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(params or {})
    return ran(at)


def metric(at: AppTest, label_start: str) -> str:
    (found,) = [m for m in at.metric if m.label.startswith(label_start)]
    return found.value


def banner(at: AppTest) -> str:
    """The banner's sentence: the alert inside the banner's container."""
    (box,) = [c for c in at.main.children.values() if getattr(c, "key", None) == "banner"]
    alerts = [e for e in box if e.type in ("success", "warning", "error", "info")]
    return alerts[0].value


def fit(*args: str) -> tuple[str, dict]:
    """`python -m bernoulli fit ...` in this process: its text output and its JSON."""
    text, as_json = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()):
        assert commands.main(["fit", *args], out=text) == 0
        assert commands.main(["fit", *args, "--format", "json"], out=as_json) == 0
    return text.getvalue(), json.loads(as_json.getvalue())


def test_the_notebook_replay_tells_one_outcome_on_the_page_and_the_command_line():
    at = started()
    words = "stalls at the float32 spacing at step 655"
    sentence = banner(at)
    assert sentence.startswith("p stops at 0.724999, 1.47e-06 short of p̂ = 0.725, at step 655")
    assert metric(at, "outcome") == words and metric(at, "stopped moving at step") == "655"
    (caption,) = [c.value for c in at.caption if c.value.startswith("(a) the sum NLL")]
    assert f"Steps 0–874 (the run {words}; of 1,000" in caption
    text, out = fit("notebook")
    assert f"outcome: {words}\n{sentence}\n" in text
    assert (out["outcome"], out["outcome_words"], out["sentence"]) == ("stalls", words, sentence)


def test_a_cycle_is_a_cycle_on_the_page_and_the_command_line():
    link = {"opt": "momentum", "beta": "0.9", "param": "logit", "lr": "0.0592", "p0": "0.3"}
    at = started({**link, "steps": "1500", "dtype": "float64"})
    sentence = banner(at)
    assert "it settles into a cycle of period 4" in sentence
    assert metric(at, "outcome") == "settles into a cycle of period 4"
    assert metric(at, "period of the cycle") == "4"
    args = ["--optimizer", "momentum", "--beta", "0.9", "--param", "logit", "--lr", "0.0592"]
    text, out = fit("notebook", *args, "--p0", "0.3", "--steps", "1500", "--dtype", "float64")
    assert "outcome: settles into a cycle of period 4\n" + sentence in text
    assert (out["outcome"], out["period"], out["sentence"]) == ("cycle", 4, sentence)
    assert out["status"] == "max_steps" and out["lyapunov"] is None


def test_an_emptied_lr_box_keeps_the_last_good_value_and_says_so():
    at = started()
    at.number_input(key="lr").set_value(5e-4)
    ran(at)
    at.number_input(key="lr").set_value(None)  # the box emptied
    ran(at)
    assert at.number_input(key="lr").value == 5e-4
    notes = [c.value for c in at.sidebar.caption if "box was empty" in c.value]
    assert notes == ["The box was empty: the run keeps the last learning rate, 0.0005."]
    assert "lr = 0.0005" in metric_free_text(at) and "step 0" not in banner(at)
    ran(at)  # said once, beside the box, where it happened
    assert not [c for c in at.sidebar.caption if "box was empty" in c.value]


def metric_free_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


def test_the_slider_label_shows_the_lr_the_run_uses():
    at = started({"lr": "0.0025", "p0": "0.7"})
    slider = at.select_slider(key="lr_slider")
    assert slider.value == 0.003  # the nearest point of the log grid
    assert slider.format_func(slider.value) == "0.0025"  # the lr that runs
    assert slider.format_func(0.002) == "0.002"
