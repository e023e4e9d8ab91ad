"""The pages the browser benchmarks measure (bench/bench_sidebar.py) are what they say they are:
the app without its sidebar, with one line of it, the app's figure alone, ten widgets of a
kind. A page that drifted from the app would make its row measure something else."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 120
# The kinds bench/bench_sidebar.py draws ten of (bench/page_widgets.py); "none": no widget.
KINDS = ("none", "number_input", "select_slider", "radio", "selectbox", "button", "markdown")


def ran(script: str) -> AppTest:
    at = AppTest.from_file(f"../../{script}", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict]:
    """The page's Plotly figures, as the browser receives them."""
    return [json.loads(e.proto.spec) for e in at.main if getattr(e, "type", "") == "plotly_chart"]


@pytest.fixture(scope="module")
def app_figure() -> dict:
    (figure,) = charts(ran("app.py"))
    return figure


def test_figure_alone_is_the_apps_first_figure(app_figure):
    at = ran("bench/page_figure_only.py")
    (figure,) = charts(at)
    assert figure == app_figure
    assert len(figure["frames"]) > 1
    assert [t.value for t in at.title] == ["Reference page"]
    assert not at.sidebar.children


def test_no_sidebar_draws_the_apps_run_and_nothing_in_the_sidebar(app_figure, monkeypatch):
    monkeypatch.delenv("ONE_LINE", raising=False)
    at = ran("bench/page_no_sidebar.py")
    assert charts(at) == [app_figure]
    assert at.warning, "the run's banner (the notebook's float32 run stalls)"
    assert not at.sidebar.children


def test_one_line_sidebar_holds_the_sample_in_one_line(app_figure, monkeypatch):
    monkeypatch.setenv("ONE_LINE", "1")
    at = ran("bench/page_no_sidebar.py")
    assert charts(at) == [app_figure]
    assert len(at.sidebar.children) == 1
    (line,) = at.sidebar.markdown
    assert line.value == "**notebook sample**: n = 200, k = 145"


@pytest.mark.parametrize("kind", KINDS)
def test_ten_widgets_of_a_kind(kind, monkeypatch):
    monkeypatch.setenv("KIND", kind)
    at = ran("bench/page_widgets.py")
    count = 0 if kind == "none" else 10
    assert len(at.sidebar.children) == count
    if kind != "none":
        assert len(getattr(at.sidebar, kind)) == count  # all ten of that kind


def test_bench_app_reaches_every_widget_it_changes(monkeypatch):
    """bench/bench_app.py drives the page by widget keys: a renamed key or a tab that stops
    drawing its widget would break the benchmark, not the page."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "bench"))
    sys.modules.pop("bench_app", None)
    from bench_app import bench_app

    figures = bench_app(repeats=1)
    assert set(figures) == {
        "first_run_s",
        "rerun_cached_setting_s",
        "rerun_log_grad_toggle_s",
        "rerun_new_lr_s",
        "figure_payload_kb",
    }
    assert all(value > 0 for value in figures.values())
    assert figures["rerun_cached_setting_s"] < figures["first_run_s"]
    assert 20 < figures["figure_payload_kb"] < 1000
