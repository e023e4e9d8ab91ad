"""Typed values on the page (AppTest): typed values, a one-row upload, a grid's other reading,
the symbol counted as 1, a bad token that keeps the sample, and Resample in the link."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from bernoulli.data import samples
from bernoulli.engine.problem import Problem
from tests.helpers import opened, ran


def sidebar_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


def metric(at: AppTest, label_start: str) -> str:
    (found,) = [m for m in at.metric if m.label.startswith(label_start)]
    return found.value


@pytest.fixture
def at() -> AppTest:
    return opened()


def typed(at: AppTest, text: str) -> AppTest:
    if at.radio(key="source").value != "text":
        at.radio(key="source").set_value("text")
        ran(at)
    at.text_area(key="typed").set_value(text)
    return ran(at)


def test_typing_coin_flips_gives_n_k_and_says_which_is_one(at):
    typed(at, "HHTHTTHHHH")
    assert not at.sidebar.error
    assert "n = **10**, k = **7** ones, sample mean k/n = **0.7**" in sidebar_text(at)
    assert "**1 = H** (p = P(H)), 0 = T" in sidebar_text(at)
    assert "Read as 10 letters, one value each; 1 = H, 0 = T; p = P(H)." in captions(at)
    assert metric(at, "closed-form MLE") == "0.7"
    assert at.query_params["data"] == "text" and at.query_params["text"] == "HHTHTTHHHH"
    # the other symbol as 1, one click away, and in the link
    at.button(key="swap_one").click()
    ran(at)
    assert "n = **10**, k = **3** ones" in sidebar_text(at)
    assert "**1 = T** (p = P(T)), 0 = H" in sidebar_text(at)
    assert at.query_params["one"] == "T"


def test_the_one_line_box_applies_as_one_types(at):
    at.radio(key="source").set_value("text")
    ran(at)
    line = at.text_input(key="typed_line")
    assert line.proto.live_debounce_ms == 400  # live: applied 0.4 s after the last key
    line.input("H T T H")
    ran(at)
    assert "n = **4**, k = **2** ones" in sidebar_text(at)
    assert at.text_area(key="typed").value == "H T T H"  # one text, in both boxes
    typed(at, "1\n0\n1\n")  # pasted lines: the one-line box cannot show them
    assert at.text_input(key="typed_line").value == ""
    assert "n = **3**, k = **2** ones" in sidebar_text(at)


def test_a_bad_token_keeps_the_previous_sample_and_the_text(at):
    at.number_input(key="lr").set_value(3e-4)
    typed(at, "1 0 1 1")
    assert "n = **4**, k = **3** ones" in sidebar_text(at)
    typed(at, "1 0 1 1 2")
    (error,) = at.sidebar.error
    assert 'typed values line 1, value 5: "2" is not a 0/1 value' in error.value
    assert "Still using: typed values, one row." in error.value
    assert "n = **4**, k = **3** ones" in sidebar_text(at)  # the previous sample
    assert at.text_area(key="typed").value == "1 0 1 1 2"  # the text, as typed
    assert at.number_input(key="lr").value == 3e-4  # and every setting
    assert metric(at, "closed-form MLE") == "0.75"


def test_a_one_row_csv_upload_gives_all_its_values(at):
    at.radio(key="source").set_value("upload")
    ran(at)
    at.file_uploader(key="upload").set_value(("row.csv", b"1,0,1,1,0,1\n", "text/csv"))
    ran(at)
    assert not at.sidebar.error
    assert "n = **6**, k = **4** ones" in sidebar_text(at)
    assert "Read as one row of 6 values, all of them the sample." in captions(at)
    assert "upload_column" not in [s.key for s in at.sidebar.selectbox]  # no column to choose


def test_a_grid_upload_reads_all_and_offers_one_column(at):
    at.radio(key="source").set_value("upload")
    ran(at)
    at.file_uploader(key="upload").set_value(("grid.csv", b"1,0\n1,1\n0,0\n1,0\n", "text/csv"))
    ran(at)
    assert "n = **8**, k = **4** ones" in sidebar_text(at)
    assert "Read as all 8 values of the 4 rows × 2 columns, row by row." in captions(at)
    chooser = at.selectbox(key="upload_column")
    assert chooser.options == ["all values, row by row", "1: 1", "2: 2"]
    chooser.set_value(1)
    ran(at)
    assert "n = **4**, k = **3** ones" in sidebar_text(at)
    assert "**grid\\.csv\\, column 1**" in sidebar_text(at)
    at.selectbox(key="upload_column").set_value(0)
    ran(at)
    assert "n = **8**, k = **4** ones" in sidebar_text(at)


def test_resample_changes_p_hat_and_is_in_the_link(at):
    at.button(key="resample").click()
    ran(at)
    expected = samples.resample(samples.notebook_sample(), "parametric", 1)
    assert expected.k != 145
    assert f"n = **200**, k = **{expected.k}** ones" in sidebar_text(at)
    assert metric(at, "closed-form MLE") == f"{expected.mean:.6g}"
    th = Problem(200, expected.k, "p", "sum").thresholds()
    assert f"2/H = {th.stable:.4g} " in sidebar_text(at)  # 2/H moved with p̂
    assert at.query_params["resample"] == "parametric"
    assert at.query_params["resample_seed"] == "1"
    at.selectbox(key="resample_method").set_value("bootstrap")
    at.button(key="resample").click()
    ran(at)
    boot = samples.resample(samples.notebook_sample(), "bootstrap", 2)
    assert f"k = **{boot.k}** ones" in sidebar_text(at)
    assert at.query_params["resample"] == "bootstrap"
    # the link opens the same resample
    again = opened({"resample": "bootstrap", "resample_seed": "2"})
    assert f"k = **{boot.k}** ones" in sidebar_text(again)
    at.button(key="resample_off").click()
    ran(at)
    assert "n = **200**, k = **145** ones" in sidebar_text(at)
    assert "resample" not in at.query_params


def test_a_link_with_typed_values_opens_them():
    at = opened({"data": "text", "text": "H T T H T", "one": "T"})
    assert at.radio(key="source").value == "text"
    assert at.text_area(key="typed").value == "H T T H T"
    assert "n = **5**, k = **3** ones" in sidebar_text(at)
    assert "**1 = T** (p = P(T)), 0 = H" in sidebar_text(at)


def test_ids_beside_values_without_a_header_offer_the_columns(at):
    at.radio(key="source").set_value("upload")
    ran(at)
    at.file_uploader(key="upload").set_value(("ids.csv", b"7,1\n8,0\n9,1\n", "text/csv"))
    ran(at)
    (error,) = at.sidebar.error
    assert 'ids.csv line 1, value 1: "7" is not a 0/1 value; or choose the column' in error.value
    assert "n = **200**, k = **145** ones" in sidebar_text(at)  # the sample in use stays
    chooser = at.selectbox(key="upload_column")
    assert chooser.options == ["1: 1", "2: 2"]
    chooser.set_value(2)
    ran(at)
    assert not at.sidebar.error
    assert "n = **3**, k = **2** ones" in sidebar_text(at)
