"""The preview while dragging, on the server: what the page hands the browser, and a release.

AppTest runs no JavaScript, but it mounts the component and holds its trigger: a release is
its "pick" event, sent here as the browser sends it, with the preview's path computed by the
engine itself (what a correct preview sends) or spoiled (what a wrong one would).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.data import samples
from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.engine.problem import Problem
from bernoulli.teach import account
from tests.helpers import APP, handed, ran, release
from ui import scrub

NOTEBOOK = samples.notebook_sample()


def pick_of(settings: Settings, *, spoil: bool = False) -> dict:
    """What a preview of these settings on the notebook's sample sends on release."""
    traj = optimize.run(NOTEBOOK.n, NOTEBOOK.k, settings)
    got = account.of_run(traj)
    x = [float(v) for v in traj.param]
    if spoil:
        x[3] += 1e-3
    return {
        "n": NOTEBOOK.n,
        "k": NOTEBOOK.k,
        "lr": settings.lr,
        "p0": settings.p0,
        "token": f"{settings.lr}-{spoil}",
        "x": x,
        "outcome": got.outcome,
        "at": got.at,
        "period": got.period,
        "steps": settings.steps,
    }


@pytest.fixture
def page() -> AppTest:
    return ran(AppTest.from_file(APP, default_timeout=60))


def test_the_page_hands_the_preview_the_run_and_its_thresholds(page):
    got = handed(page)
    th = Problem(NOTEBOOK.n, NOTEBOOK.k).thresholds()
    assert (got["n"], got["k"], got["lr"], got["steps"]) == (200, 145, 2e-5, 1000)
    assert got["p0"] == pytest.approx(0.08385391)
    assert [m["label"] for m in got["marks"]] == ["1/H", "2/H"]
    assert [m["lr"] for m in got["marks"]] == [th.monotone, th.stable]
    assert got["hidden"] is False and got["confirm"] is None
    assert got["near_p0"] == scrub.near_start(200, 145) == 0.656
    assert got["lr_decades"] == [-5, -1]  # 1e-5 … 0.1 around 2/H = 1.99e-3


def test_a_release_sets_the_lr_and_p0_and_torch_confirms_the_preview(page):
    settings = Settings(lr=1.5e-3, p0=0.656)
    release(page, pick_of(settings))
    assert page.number_input(key="lr").value == 1.5e-3
    assert page.number_input(key="p0").value == 0.656
    assert page.session_state["lr_slider"] == 1.5e-3  # the sidebar's log slider follows
    assert page.query_params["lr"] == "0.0015"
    got = handed(page)
    assert (got["lr"], got["p0"]) == (1.5e-3, 0.656)
    assert got["confirm"]["ok"] is True
    assert got["confirm"]["text"].startswith("✓ torch confirms the preview: zig-zags in")
    assert got["applied"] == "0.0015-False"


def test_a_preview_that_strays_from_torch_is_said_to_be_a_bug(page):
    release(page, pick_of(Settings(lr=2.1e-3, p0=0.656), spoil=True))
    got = handed(page)["confirm"]
    assert got["ok"] is False
    assert got["text"].startswith("torch and the preview disagree from step 3 on")
    assert "This is a bug in the preview" in got["text"]


def test_a_release_outside_the_settings_table_changes_nothing(page):
    for lr in (0.0, -1.0, 1e7, "2e-3", None):
        release(page, {**pick_of(Settings(lr=1e-3, p0=0.5)), "lr": lr})
        assert page.number_input(key="lr").value == 2e-5


def test_predict_first_keeps_the_outcome_out_of_the_preview(page):
    page.toggle(key="predict").set_value(True)
    got = handed(ran(page))
    assert got["hidden"] is True
    assert "once you have" in got["hidden_text"]
    release(page, pick_of(Settings(lr=3e-3, p0=0.656)))
    got = handed(page)
    assert got["hidden"] is True and got["confirm"] is not None  # kept, but not shown
