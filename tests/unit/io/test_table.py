"""The one trajectory table: rows, columns and the three ways of writing numbers."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from bernoulli.engine import likelihood as lk
from bernoulli.engine.optimize import Settings, run
from bernoulli.io import export, table

N, K = 200, 145


@pytest.fixture(scope="module")
def diverged():
    return run(N, K, Settings(lr=0.0021, p0=0.7))  # p leaves (0, 1) at step 20


@pytest.fixture(scope="module")
def logit():
    return run(N, K, Settings(lr=0.01, steps=30, param="logit", dtype="float64"))


def test_rows_are_every_kth_and_the_last():
    assert table.rows(11, 4).tolist() == [0, 4, 8, 10]
    assert table.rows(9, 4).tolist() == [0, 4, 8]
    assert table.rows(1, 100).tolist() == [0]
    assert table.rows(5).tolist() == [0, 1, 2, 3, 4]


def test_columns_are_the_trajectory(diverged):
    cols = table.columns(diverged, table.EXPORT)
    assert list(cols) == list(table.EXPORT)
    assert cols["step"].tolist() == list(range(len(diverged.p)))
    for name in ("p", "param", "nll", "grad", "loss", "grad_param"):
        np.testing.assert_array_equal(cols[name], getattr(diverged, name))
    steps = table.rows(len(diverged.p), 7)
    some = table.columns(diverged, ("step", "p", "p_next"), steps)
    assert some["step"].tolist() == [0, 7, 14, 20] == steps.tolist()
    np.testing.assert_array_equal(some["p_next"][:-1], diverged.p[[1, 8, 15]])
    assert math.isnan(some["p_next"][-1])  # no step after the last


def test_grad_theta_is_the_closed_form_at_each_step(logit):
    cols = table.columns(logit, table.printed(logit), table.rows(len(logit.p), 3))
    assert list(cols) == ["step", "p", "nll", "grad", "theta", "grad_theta"]
    for t, g in zip(cols["step"].tolist(), cols["grad_theta"].tolist(), strict=True):
        assert g == float(lk.grad_logit(logit.param[t], N, K))  # the same bits, one at a time


def test_csv_text_is_exact_and_plain(diverged):
    text = table.csv_text(table.columns(diverged, ("step", "p", "nll", "grad_param")))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["step", "p", "nll", "grad_param"] and text.endswith("\n")
    assert [float(x) for x in rows[5][1:3]] == [diverged.p[4], diverged.nll[4]]
    assert rows[-1][0] == "20" and rows[-1][3] == "nan"  # no step from the last point
    assert "\r" not in text


def test_the_download_is_the_table_of_every_step(diverged):
    assert export.trajectory_csv(diverged) == table.csv_text(table.columns(diverged, table.EXPORT))


def test_json_points_write_null_for_nan_and_inf(diverged):
    points = table.json_points(table.columns(diverged, table.JSON, table.rows(21, 10)))
    assert [p["step"] for p in points] == [0, 10, 20]
    assert all(isinstance(p["step"], int) for p in points)
    assert points[-1]["grad_param"] is None and points[0]["p"] == float(np.float32(0.7))
    assert list(points[0]) == list(table.JSON)


def test_text_lines_align_under_their_headings(logit):
    lines = table.text_lines(
        table.columns(logit, table.printed(logit), np.array([0, 30])), "float64"
    )
    assert lines[0] == (
        f"{'step':>6}  {'p_t':>14}  {'NLL(p_t)':>16}  {'dNLL/dp':>14}  {'θ_t':>14}  {'dNLL/dθ':>14}"
    )
    assert [len(line.split()) for line in lines] == [6, 6, 6]
    assert lines[1].startswith(f"{0:>6}  {'0.08385391':>14}  {logit.nll[0]:>16.10g}  ")
    assert lines[1].split()[:2] == ["0", "0.08385391"]  # p0 in its shortest digits


def test_shortest_and_finite():
    assert table.shortest(0.08385391, "float32") == "0.08385391"
    assert table.shortest(np.float32(0.1), "float32") == "0.1"
    assert table.shortest(math.inf, "float64") == "inf"
    assert table.finite(math.nan) is None and table.finite(np.float64(2.5)) == 2.5


def test_page_columns_are_the_pages_table(diverged):
    got = table.page_columns(diverged, 7)
    assert list(got) == [
        "t",
        "NLL(p_t)",
        "p_t",
        "p_(t+1)",
        "dNLL/dp at p_t",
        "torch loss (float32)",
    ]
    rows = np.union1d(np.arange(0, 21, 7), [20])
    np.testing.assert_array_equal(got["t"], rows)
    np.testing.assert_array_equal(got["NLL(p_t)"], diverged.nll[rows])
    np.testing.assert_array_equal(got["p_(t+1)"], np.append(diverged.p[1:], np.nan)[rows])
    np.testing.assert_array_equal(got["torch loss (float32)"], diverged.loss[rows])
